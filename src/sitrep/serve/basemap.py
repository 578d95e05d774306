"""Country outlines for the map: Natural Earth 1:50m countries as TopoJSON, taken from the npm
package ``world-atlas`` (ISC licence; the geometry itself is Natural Earth, public domain).

No PyPI package carries Natural Earth countries in a web-ready form without conflicting pins,
so this is a reproducible build step (pinned version and sha256), run once where npm exists:

    python -m sitrep.serve.basemap            # -> serve/static/vendor/world-atlas/countries-50m.json
    python -m sitrep.serve.basemap --check    # exit 0 when installed and intact

Without the file the map still works (plain background + markers); ``/api/basemap`` then
answers 404 and the report carries no outlines.
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "world-atlas"
VERSION = "2.0.2"
FILES = {  # file in the npm tarball -> sha256
    "countries-50m.json": "04342cdc1e3016bcd7db1630de95684d67b79fe3c8c460321e87aef469502394",
    "LICENSE": "8048290dfdb6e83fbed17e8985c8cfc4ce9da9b842642f3d3e497280790cfa31",
}
TOPOJSON = "countries-50m.json"


def basemap_dir() -> Path:
    return Path(__file__).resolve().parent / "static" / "vendor" / "world-atlas"


def basemap_path() -> Path | None:
    """The installed TopoJSON file, or None when the build step has not run."""
    p = basemap_dir() / TOPOJSON
    return p if p.is_file() else None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check(dest: Path | None = None) -> bool:
    dest = dest or basemap_dir()
    return all((dest / f).is_file() and _sha256(dest / f) == h for f, h in FILES.items())


def fetch(dest: Path | None = None, npm: str = "npm") -> Path:
    """Fetch world-atlas@VERSION with ``npm pack`` and copy the pinned files into DEST."""
    dest = dest or basemap_dir()
    exe = shutil.which(npm)
    if not exe:
        raise RuntimeError(f"{npm} not found: install Node.js/npm to build the basemap (the map works without it)")
    with tempfile.TemporaryDirectory(prefix="sitrep-basemap-") as tmp:
        subprocess.run([exe, "pack", f"{PACKAGE}@{VERSION}", "--silent", "--ignore-scripts",
                        "--pack-destination", tmp], check=True, cwd=tmp, stdout=subprocess.DEVNULL)
        tgz = next(Path(tmp).glob(f"{PACKAGE}-{VERSION}.tgz"))
        out = Path(tmp) / "x"
        out.mkdir()
        with tarfile.open(tgz) as tar:
            for name in FILES:
                member = tar.getmember(f"package/{name}")
                (out / name).write_bytes(tar.extractfile(member).read())
        for name, digest in FILES.items():
            if _sha256(out / name) != digest:
                raise RuntimeError(f"{PACKAGE}@{VERSION}/{name}: sha256 mismatch, refusing to install it")
        dest.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            shutil.copyfile(out / name, dest / name)
        (dest / "SOURCE.txt").write_text(
            f"npm {PACKAGE}@{VERSION} (https://github.com/topojson/world-atlas), built from Natural Earth\n"
            "1:50m Admin 0 countries (public domain). Installed by `python -m sitrep.serve.basemap`.\n",
            encoding="utf-8")
    return dest / TOPOJSON


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sitrep.serve.basemap", description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only check that the basemap is installed and intact")
    ap.add_argument("--dest", type=Path, default=None, help="target folder (default: the package's static folder)")
    args = ap.parse_args(argv)
    if args.check:
        ok = check(args.dest)
        print("basemap: ok" if ok else "basemap: missing or modified")
        return 0 if ok else 1
    try:
        path = fetch(args.dest)
    except (RuntimeError, subprocess.CalledProcessError, OSError, KeyError) as exc:
        print(f"basemap: not installed: {exc}", file=sys.stderr)
        return 1
    print(f"basemap: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
