"""Benchmark: gazetteer cold build time, lookup speed and place resolution throughput.

    python bench/bench_places.py                   # cold build into a temp dir, then resolve
    python bench/bench_places.py --gazetteer ~/.cache/sitrep/gazetteer.sqlite   # skip the build
    python bench/bench_places.py --repeat 20       # more text for the throughput figures

Prints one line per figure; record them with the machine and date in bench/README.md
("Places"). Uses the real spaCy model and the seeds in ../shared/seeds when present (else the
sentences below). Not a test: never run in CI.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
FALLBACK = [
    "Russian troops shelled Kharkiv and Zaporizhzhia overnight; Izium and Kupiansk were also hit.",
    "RSF fighters stormed El Fasher, the capital of North Darfur, and fighting spread to Khartoum.",
    "Rebels seized Idlib and pushed towards Aleppo; M23 captured Goma, the capital of North Kivu.",
    "Resistance forces took Myawaddy, while fighting continued in northern Shan State.",
]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gazetteer", help="use this built gazetteer (skips the cold build)")
    ap.add_argument("--repeat", type=int, default=10, help="times the texts are processed")
    args = ap.parse_args(argv)

    import spacy

    import sitrep.nlp.places  # noqa: F401
    from sitrep.geo import Gazetteer, build_embedded
    from sitrep.nlp.pipeline import register_extensions
    from sitrep.options import Options

    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cpus, Python "
          f"{platform.python_version()}, load {os.getloadavg()[0]:.1f}, {time.strftime('%Y-%m-%d')}")
    tmp = tempfile.TemporaryDirectory()
    if args.gazetteer:
        path = Path(args.gazetteer)
    else:
        path = Path(tmp.name) / "gazetteer.sqlite"
        t0, c0 = time.perf_counter(), time.process_time()
        stats = build_embedded(path, Options(cache_dir=Path(tmp.name)))
        print(f"cold build: {time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} s cpu, "
              f"{stats['cities']} cities, {stats['admin_units']} admin units, "
              f"{path.stat().st_size / 1e6:.0f} MB")
    gaz = Gazetteer(path)

    # -- lookups: distinct names (uncached) and repeated names (LRU) -----------------------
    names = [r[0] for r in gaz.conn.execute("SELECT name FROM places WHERE feature_class = 'P' "
                                            "ORDER BY population DESC LIMIT 20000")]
    random.Random(1).shuffle(names)
    t0 = time.perf_counter()
    for n in names:
        gaz.lookup(n)
    dt = time.perf_counter() - t0
    print(f"lookup, uncached: {len(names) / dt:,.0f} /s ({dt / len(names) * 1e6:.0f} us each)")
    hot = names[:200] * 100
    t0 = time.perf_counter()
    for n in hot:
        gaz.lookup(n)
    dt = time.perf_counter() - t0
    print(f"lookup, cached:   {len(hot) / dt:,.0f} /s ({dt / len(hot) * 1e6:.1f} us each)")

    # -- resolution throughput --------------------------------------------------------------
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))] or FALLBACK
    register_extensions()
    nlp = spacy.load(Options().model)
    nlp.add_pipe("sitrep_places")
    comp = nlp.get_pipe("sitrep_places")
    comp.setup(options=Options(cache_dir=Path(tmp.name)), gazetteer=gaz)
    texts = texts * args.repeat
    t0 = time.perf_counter()
    docs = list(nlp.pipe(texts, disable=["sitrep_places"]))
    model_s = time.perf_counter() - t0
    gaz._cache.clear()
    t0 = time.perf_counter()
    n_places = sum(len(comp(doc)._.places) for doc in docs)
    comp_s = time.perf_counter() - t0
    words = sum(len(d) for d in docs)
    print(f"sitrep_places alone: {n_places / comp_s:,.0f} places/s ({n_places} places in {len(docs)} docs, "
          f"{words / comp_s:,.0f} tokens/s)")
    print(f"with the spaCy model: {n_places / (comp_s + model_s):,.0f} places/s end to end")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
