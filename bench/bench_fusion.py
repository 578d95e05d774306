"""Fusion benchmark: 10k / 100k / 1M synthetic reports through the fusion engine (time, peak RSS).

    python bench/bench_fusion.py                       # 10k, 100k, 1M (memory backend) + 10k store path
    python bench/bench_fusion.py --sizes 10000 --store 0

Each size runs in its own process (peak RSS is per process). Reports are generated on the fly from
their index (nothing is held but the fusion state): ~100-word texts, 10% original wire stories
each reprinted by two more "sites" (other header/footer, one word edited), a control change in
60% of reports (one of n/50 places, a few sides/stances, date within days of publication or none),
an event in 25%, a claim in 30% (paraphrases of statements of 300 speakers).
``memory`` runs sitrep.fuse.engine.FusionEngine on MemoryBackend, exactly the engine fuse_store
uses; ``store`` runs fuse_store on a real SQLite file (ingest time excluded), then an incremental
run with 100 new reports.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time

WORDS = None
SIDES = ("UKR", "RUS", "UKR", "RUS", "SYR", "HTS")
EVENTS = ("ASSAULT", "RETREAT", "MOBILIZE", "COERCE")
SPEAKERS = [f"Speaker{i} Surname{i}" for i in range(300)]
STATEMENT_WORDS = None
SYN = {"return": "reclaim", "continue": "keep", "population": "residents", "desire": "eager", "territories": "land"}


def _vocab():
    global WORDS, STATEMENT_WORDS
    if WORDS is None:
        rng = random.Random(7)
        syll = ["ka", "lo", "mi", "ne", "ro", "sta", "vi", "dne", "pro", "har", "ze", "tor", "bu", "gra", "shi"]
        WORDS = ["".join(rng.choice(syll) for _ in range(rng.randint(2, 4))) for _ in range(4000)]
        STATEMENT_WORDS = WORDS[:600] + list(SYN)


def _text(rng: random.Random, n: int) -> str:
    idx = memoryview(rng.getrandbits(16 * n).to_bytes(2 * n, "little")).cast("H")
    return " ".join([WORDS[i % 4000] for i in idx])


def report(i: int, n: int, meta_only: bool = False) -> tuple[dict, list[dict]]:
    """Synthetic report I of N: (document, facts). Deterministic: the same I gives the same report."""
    _vocab()
    doc_id = i + 1
    day = 738000 + (i * 365) // n                       # ordinal days: reports arrive in date order
    rng = random.Random(i)
    base = i - i % 10
    published = _iso(day + rng.randrange(2))
    outlet = f"outlet{rng.randrange(200)}"
    if meta_only:
        return {"id": doc_id, "outlet": outlet, "published": published}, []
    if i % 10 in (1, 2):                                 # reprint of the wire story at BASE
        orig, _ = report(base, n)
        words = orig["text"].split()
        words[rng.randrange(len(words))] = rng.choice(WORDS)
        text = f"{outlet} header {_text(rng, 8)}\n\n{' '.join(words)}\n\nfooter {_text(rng, 12)}"
        frng = random.Random(base)                       # same story, same facts
    else:
        text = _text(rng, rng.randint(70, 130))
        frng = random.Random(i * 7 + 1)
    facts = []
    n_places = max(50, n // 50)
    if frng.random() < 0.6:
        date = _iso(day - frng.randrange(3)) if frng.random() < 0.8 else None
        place = frng.randrange(n_places)
        facts.append({"kind": "control_change", "place_key": f"gn:{place}", "payload": {
            "place": {"name": f"Place{place}", "resolved": {"name": f"Place{place}", "geonames_id": place}},
            "to": {"name": "forces", "side": frng.choice(SIDES)}, "stance": frng.choice(("asserted",) * 8 + ("denied",)),
            "asserted_by": {"name": "x", "side": frng.choice(SIDES)} if frng.random() < 0.5 else None,
            "date": date}})
    if frng.random() < 0.25:
        place = frng.randrange(n_places)
        facts.append({"kind": "event", "place_key": f"gn:{place}", "payload": {
            "event_type": frng.choice(EVENTS), "actor": {"side": frng.choice(SIDES)},
            "place": {"name": f"Place{place}"}, "date": _iso(day)}})
    if frng.random() < 0.3:
        family = (day * 40 + frng.randrange(40)) % 50_000
        srng = random.Random(family)
        words = srng.sample(STATEMENT_WORDS, 10)
        words = [SYN.get(w, w) if frng.random() < 0.5 else w for w in words]
        del words[frng.randrange(len(words))]
        facts.append({"kind": "claim", "place_key": None, "payload": {
            "speaker": {"name": SPEAKERS[family % len(SPEAKERS)], "side": None}, "text": " ".join(words)}})
    for j, f in enumerate(facts):
        f["id"] = doc_id * 4 + j
        f["document_id"] = doc_id
    return {"id": doc_id, "text": text, "outlet": outlet, "published": published}, facts


def _iso(day: int) -> str:
    import datetime as dt

    return dt.date.fromordinal(day).isoformat()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------------------ one run (child process)
def run_memory(n: int, batch: int) -> dict:
    from sitrep.fuse.engine import DocIn, FactIn, FusionEngine
    from sitrep.fuse.memory import MemoryBackend
    from sitrep.options import Options

    def doc_in(d):
        return DocIn(d["id"], d["text"], d["outlet"], d["published"])

    def lookup(ids):
        return {i: doc_in(report(i - 1, n)[0]) for i in ids}

    claim_texts = lambda fid: next((f["payload"]["text"] for f in report(fid // 4 - 1, n)[1] if f["id"] == fid), None)
    def meta(ids):
        return {i: (m["outlet"], m["published"]) for i in ids for m in [report(i - 1, n, meta_only=True)[0]]}

    backend = MemoryBackend(lookup, lookup_meta=meta, claim_text=claim_texts)
    engine = FusionEngine(backend, Options())
    touched, n_facts, fuse_secs = set(), 0, 0.0
    t0 = time.perf_counter()
    for start in range(0, n, batch):
        docs, facts = [], []
        for i in range(start, min(n, start + batch)):
            d, fs = report(i, n)
            docs.append(doc_in(d))
            facts += [FactIn(f["id"], f["document_id"], f["kind"], f["place_key"], f["payload"], d["published"],
                             d["outlet"]) for f in fs]
        n_facts += len(facts)
        t1 = time.perf_counter()
        touched |= engine.fuse(docs, facts, run_id=1)
        backend.end_batch()
        fuse_secs += time.perf_counter() - t1
    secs = time.perf_counter() - t0
    kinds = {}
    for kind, _ in backend.fingerprints:
        kinds[kind] = kinds.get(kind, 0) + 1
    return {"mode": "memory", "n": n, "facts": n_facts, "seconds": round(secs, 1), "fuse_seconds": round(fuse_secs, 1),
            "peak_rss_mb": round(rss_mb()), "fuse_ms_per_1k": round(fuse_secs / n * 1e6), "clusters": kinds, "band_keys": len(backend.bands)}


def run_store(n: int, extra: int = 100) -> dict:
    from sitrep.fuse import fuse_store
    from sitrep.models import Document
    from sitrep.options import Options
    from sitrep.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        options = Options(db=f"sqlite:///{tmp}/bench.db")
        store = Store(options.db)

        def ingest(lo, hi):
            rows = []
            docs = [report(i, n + extra) for i in range(lo, hi)]
            for (d, facts), (_, _, row) in zip(docs, store.add_documents(
                    Document(doc_id=f"r{d['id']}", text=d["text"], outlet=d["outlet"], published=d["published"])
                    for d, _ in docs)):
                by_kind = {"control_changes": [], "events": [], "claims": []}
                for f in facts:
                    key = {"control_change": "control_changes", "event": "events", "claim": "claims"}[f["kind"]]
                    by_kind[key].append({**f["payload"], "evidence": {"start": 0, "end": 1, "text": d["text"][0]}})
                rows.append((row, by_kind, None))
            for k in range(0, len(rows), 500):
                store.save_results(rows[k:k + 500])
            return [r for r, _, _ in rows]

        ingest(0, n)
        t0 = time.perf_counter()
        clusters = fuse_store(store, options)
        secs = time.perf_counter() - t0
        new = ingest(n, n + extra)
        t1 = time.perf_counter()
        inc = fuse_store(store, options, new)
        inc_secs = time.perf_counter() - t1
        store.close()
    return {"mode": "store", "n": n, "seconds": round(secs, 1), "peak_rss_mb": round(rss_mb()),
            "fuse_ms_per_1k": round(secs / n * 1e6), "clusters": clusters,
            f"incremental_{extra}_seconds": round(inc_secs, 2), "incremental_clusters": inc}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--store", type=int, default=10_000, help="store-path size (0: skip)")
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--one", nargs=2, metavar=("MODE", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        mode, n = args.one[0], int(args.one[1])
        print(json.dumps(run_memory(n, args.batch) if mode == "memory" else run_store(n)))
        return
    print(f"# {platform.node()} {platform.processor() or platform.machine()} {os.cpu_count()} cpus, "
          f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")
    jobs = [("memory", n) for n in args.sizes] + ([("store", args.store)] if args.store else [])
    for mode, n in jobs:
        out = subprocess.run([sys.executable, __file__, "--one", mode, str(n), "--batch", str(args.batch)],
                             capture_output=True, text=True)
        print(out.stdout.strip() or out.stderr.strip()[-2000:], flush=True)


if __name__ == "__main__":
    main()
