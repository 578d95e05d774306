"""Load official GeoNames dumps into the gazetteer (streamed; rows override same-id rows).

Recognised files (by name; ``.zip`` files are read without unpacking):
- the 19-column GeoNames table: ``allCountries.zip``, ``UA.zip``, ``cities500.zip``, any
  ``XX.txt`` of that format;
- ``alternateNamesV2.zip`` / ``alternateNames.zip`` (or their ``.txt``);
- ``admin1CodesASCII.txt``, ``admin2Codes.txt``.

The 19 columns: geonameid, name, asciiname, alternatenames, latitude, longitude, feature
class, feature code, country code, cc2, admin1, admin2, admin3, admin4, population,
elevation, dem, timezone, modification date. Only feature classes A, P, H, T, L are kept by
default (administrative units, settlements, water, terrain, regions).
"""
from __future__ import annotations

import io
import sqlite3
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from sitrep.errors import GazetteerError
from sitrep.geo.build import _Writer, apply_extras, short_admin_name
from sitrep.geo.gazetteer import open_gazetteer, set_meta
from sitrep.geo.names import Normaliser, load_yaml_data, name_kind

DEFAULT_CLASSES = frozenset("APHTL")
SKIP_LANGS = frozenset({"link", "wkdt", "post", "iata", "icao", "faac", "unlc", "tcid"})
BATCH = 50_000


def load_dumps(files: Iterable[str | Path], options, *, feature_classes=DEFAULT_CLASSES) -> dict:
    """Stream GeoNames dump FILES into the gazetteer at ``options.gazetteer_path()`` (built from
    the embedded data first when missing). All files load in one transaction: a bad file
    (SR402) leaves the gazetteer as it was. Returns counts per kind of row."""
    files = [Path(f) for f in files]
    for f in files:
        if not f.is_file():
            raise GazetteerError("file not found", subject=str(f), code="SR402")
    gaz = open_gazetteer(options)          # make sure the base exists; keys use its rules
    norm, path = gaz.norm, gaz.path
    gaz.close()
    order = {"rows": 0, "admin1": 1, "admin2": 1, "alternates": 2}
    plan = sorted(((order[_kind(f)], _kind(f), f) for f in files), key=lambda t: t[0])
    conn = sqlite3.connect(path)
    stats = {"rows": 0, "alternate_names": 0, "admin_codes": 0, "files": [str(f) for f in files]}
    try:
        with conn:
            for _o, kind, f in plan:
                if kind == "rows":
                    stats["rows"] += _load_rows(conn, norm, f, feature_classes)
                elif kind in ("admin1", "admin2"):
                    stats["admin_codes"] += _load_admin_codes(conn, norm, f)
                else:
                    stats["alternate_names"] += _load_alternates(conn, norm, f)
            stats.update(apply_extras(conn, norm, load_yaml_data("toponyms.yaml", options)))
            old = conn.execute("SELECT value FROM meta WHERE key = 'dumps'").fetchone()
            set_meta(conn, "dumps", (old[0] + "\n" if old else "") + " ".join(p.name for p in files))
        conn.execute("ANALYZE")
    except GazetteerError:
        raise
    except (OSError, sqlite3.Error, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise GazetteerError(f"cannot load GeoNames dump: {type(exc).__name__}: {exc}",
                             subject=" ".join(str(f) for f in files), code="SR402") from None
    finally:
        conn.close()
    return stats


def _kind(f: Path) -> str:
    low = f.name.lower()
    if low.startswith("alternatenames"):
        return "alternates"
    if low.startswith("admin1codes"):
        return "admin1"
    if low.startswith("admin2codes"):
        return "admin2"
    return "rows"


@contextmanager
def _lines(f: Path) -> Iterator[Iterator[str]]:
    """Text lines of a .txt file or of the data member of a GeoNames .zip."""
    if f.suffix.lower() == ".zip":
        with zipfile.ZipFile(f) as z:
            members = [n for n in z.namelist() if n.lower().endswith(".txt")
                       and not n.lower().startswith(("readme", "iso-languagecodes"))]
            if not members:
                raise GazetteerError("zip holds no GeoNames .txt table", subject=str(f), code="SR402")
            want = f.stem.lower() + ".txt"
            member = next((n for n in members if n.lower() == want), members[0])
            with z.open(member) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
    else:
        with open(f, encoding="utf-8", newline="\n") as fh:
            yield fh


def _fields(f: Path, lines, ncols: tuple[int, ...]) -> Iterator[list[str]]:
    for lineno, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) not in ncols:
            raise GazetteerError(f"line {lineno}: {len(cols)} tab-separated columns, expected "
                                 f"{' or '.join(map(str, ncols))}", subject=str(f), code="SR402")
        yield cols


def _load_rows(conn: sqlite3.Connection, norm: Normaliser, f: Path, classes) -> int:
    w = _Writer(conn, norm)
    n, batch = 0, []
    with _lines(f) as lines:
        for lineno, c in enumerate(_fields(f, lines, (19,)), start=1):
            if c[6] not in classes:
                continue
            try:
                gid, lat, lon = int(c[0]), float(c[4]), float(c[5])
                pop = int(c[14] or 0)
            except ValueError:
                raise GazetteerError(f"row {lineno}: bad id, coordinates or population", subject=str(f),
                                     code="SR402") from None
            alts = [a for a in c[3].split(",") if a]
            names = [(c[1], "name"), (c[2], "name")] + [(a, name_kind(a)) for a in alts]
            if c[7].startswith("ADM"):          # "Khersonska Oblast" is also "Khersonska"
                names.append((short_admin_name(c[1], alts), "short"))
            batch.append(((gid, c[1], lat, lon, c[6], c[7], c[8], c[10], c[11], pop, "geonames-dump"), names))
            n += 1
            if len(batch) >= BATCH:
                _write(conn, w, batch)
                batch = []
    _write(conn, w, batch)
    return n


def _write(conn: sqlite3.Connection, w: _Writer, batch: list) -> None:
    """Key a batch's names in one pass, drop the old names of rows being replaced, write."""
    _drop_names(conn, [row[0] for row, _names in batch])
    w.prime([nk for _row, names in batch for nk in names])
    for row, names in batch:
        w.place(row, names)
    w.flush()
    w.forget()


def _drop_names(conn: sqlite3.Connection, ids: list[int]) -> None:
    """Drop the old names of rows about to be replaced."""
    for k in range(0, len(ids), 900):
        chunk = ids[k:k + 900]
        conn.execute(f"DELETE FROM names WHERE place_id IN ({','.join('?' * len(chunk))})", chunk)


def _load_admin_codes(conn: sqlite3.Connection, norm: Normaliser, f: Path) -> int:
    rows = []
    with _lines(f) as lines:
        for c in _fields(f, lines, (4,)):
            gid = int(c[3]) if c[3].strip().isdigit() else None
            rows.append((c[0], c[1], gid))
    conn.executemany("INSERT OR REPLACE INTO admin_codes VALUES (?,?,?)", rows)
    present = {r[0] for r in conn.execute("SELECT id FROM places WHERE feature LIKE 'ADM%'")}
    conn.executemany("INSERT INTO names VALUES (?,?,?,'short')",
                     [(norm.skeleton(name), gid, name) for _c, name, gid in rows if gid in present])
    return len(rows)


def _load_alternates(conn: sqlite3.Connection, norm: Normaliser, f: Path) -> int:
    ids = {r[0] for r in conn.execute("SELECT id FROM places WHERE id > 0")}
    buf, n, seen = [], 0, set()
    with _lines(f) as lines:
        for c in _fields(f, lines, (8, 10)):
            if c[2] in SKIP_LANGS or not c[1].isdigit():
                continue
            gid, name = int(c[1]), c[3]
            if gid not in ids or not name:
                continue
            kind = name_kind(name)
            key = norm.index_key(name, kind)
            if not key or (gid, name) in seen:
                continue
            seen.add((gid, name))
            buf.append((key, gid, name, kind))
            n += 1
            if len(buf) >= BATCH:
                conn.executemany("INSERT INTO names VALUES (?,?,?,?)", buf)
                buf, seen = [], set()
    conn.executemany("INSERT INTO names VALUES (?,?,?,?)", buf)
    return n
