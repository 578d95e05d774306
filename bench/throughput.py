"""Throughput of sitrep against its floor, raw spaCy, on the same generated corpus.

    python bench/throughput.py --docs 2000 --repeat 2      # the README figures (each the fastest of 2 rounds)
    python bench/throughput.py --docs 2000 --rss-docs 10000  # + worker RSS over a 10k-document run
    python bench/throughput.py --docs 300 --profile        # where the time goes (stages, components, cProfile)

Each measurement runs in its own fresh Python process (clean peak RSS, nothing cached in memory):

  raw      spacy.load(model) then ``nlp.pipe`` over the document texts (model load not timed)
  raw_sitrep  the same with sitrep's spaCy settings: the table-driven attribute_ruler
           (sitrep/nlp/attribute_ruler.py) and matrix products via numpy's BLAS (sitrep/nlp/gemm.py)
  raw_pair two raw processes side by side, half the texts each: what 2 processes can gain here
  paired   raw and single at the same time, one core each: their ratio under the same machine state
  single   ``sitrep.pipeline.extract_to_file`` -- what ``sitrep extract`` runs -- with 1 process
  workers  the same with ``Options(workers=2)`` (Dask LocalCluster, 2 worker processes)
  cold     ``sitrep extract one.txt -o out.jsonl`` as a subprocess: process start to its first record

Rounds alternate the order of the measurements (A B, B A, ...), so that the 2-worker speed-up can also be
read drift-balanced: total 1-process time over total 2-worker time across pairs of rounds (``abba``).

End-to-end times include everything (ingest, store, model loading, NLP, fusion, JSONL export); the
NLP stage is also timed on its own. The gazetteer is built once beforehand (not timed). Results are
printed as a table and saved to bench/results/throughput-<timestamp>.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))


# ---------------------------------------------------------------------------- measurements (child processes)
def _rows(corpus: Path, limit: int | None = None):
    n = 0
    for path in _shards(corpus):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if limit is not None and n >= limit:
                    return
                n += 1
                yield json.loads(line)


def _shards(corpus: Path) -> list[Path]:
    return sorted(corpus.glob("corpus-*.jsonl"))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_raw(args) -> dict:
    """``nlp.pipe`` over the corpus texts. ``--sitrep-settings``: with sitrep's table-driven
    attribute_ruler and numpy gemm (the spaCy work sitrep runs); ``--part I/N``: every Nth text from the Ith, starting at ``--start-at``
    (epoch seconds, so that N such processes run side by side)."""
    from sitrep.options import Options
    import spacy

    options = Options()
    t0 = time.perf_counter()
    nlp = spacy.load(options.model)
    if args.sitrep_settings:
        from sitrep.nlp.pipeline import tune_spacy

        changed = tune_spacy(nlp, options)
        if not (changed["attribute_ruler"] and changed["gemm_layers"]):
            raise SystemExit(f"sitrep's spaCy settings did not apply to {options.model}: {changed}")
    load = time.perf_counter() - t0
    texts = [r["text"] for r in _rows(args.corpus)]
    if args.part:
        i, n = (int(x) for x in args.part.split("/"))
        texts = texts[i::n]
    if args.start_at:
        time.sleep(max(0.0, args.start_at - time.time()))
    t0, c0 = time.perf_counter(), time.process_time()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=options.batch_size))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    if args.until:            # keep the other core as busy as during the timed pass until told to stop
        while not Path(args.until).exists():
            for _ in nlp.pipe(texts[:64], batch_size=options.batch_size):
                pass
    return {"docs": len(texts), "seconds": seconds, "cpu_s": round(cpu, 1),
            "load_seconds": load, "tokens": tokens, "peak_rss_mb": _peak_rss_mb(), "pipes": nlp.pipe_names}


class _Sampler(threading.Thread):
    """Every ``interval`` s: RSS of this process and RSS + CPU seconds of its children (the Dask workers)."""

    def __init__(self, interval: float = 0.25):
        super().__init__(daemon=True)
        self.interval, self.samples, self.cpu, self.stop = interval, [], {}, threading.Event()

    def run(self):
        import psutil

        me = psutil.Process()
        while not self.stop.is_set():
            rss = {}
            for child in me.children(recursive=True):
                try:
                    rss[child.pid] = child.memory_info().rss / 2**20
                    cpu = child.cpu_times()
                    self.cpu[child.pid] = cpu.user + cpu.system
                except psutil.Error:
                    pass
            self.samples.append((time.perf_counter(), me.memory_info().rss / 2**20, rss))
            self.stop.wait(self.interval)


def measure_extract(args) -> dict:
    import psutil

    import sitrep.pipeline as pipeline
    from sitrep.options import Options

    stages: dict[str, float] = {}
    spans: dict[str, tuple[float, float]] = {}
    for name in ("ingest", "process", "run_all"):   # extract_to_file/run_all look these up at call time
        setattr(pipeline, name, _timed(stages, name, getattr(pipeline, name), spans))
    options = Options(workers=args.workers, cache_dir=args.cache)
    sampler = _Sampler()
    sampler.start()
    if args.start_at:
        time.sleep(max(0.0, args.start_at - time.time()))
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.jsonl"
        summary = pipeline.extract_to_file(_shards(args.corpus), out, options)
        records = sum(1 for _ in out.open(encoding="utf-8"))
    seconds = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    # run_all = ingest, then the NLP stage with fusion keeping up (batches fused as their results are
    # stored), then the fusion left when the NLP stage ends; the rest is the JSONL export. One process
    # fuses between its NLP batches (the NLP stage is the process stage minus that); with workers the
    # parent fuses while the workers analyse (the NLP stage is the whole process stage).
    tail = spans["run_all"][1] - spans["process"][1]
    during = max(0.0, summary.fusion_seconds - tail)
    nlp = stages["process"] - during if args.workers == 1 else stages["process"]
    stages = {"ingest": stages["ingest"], "nlp": nlp, "fuse during nlp": during,
              "fuse after nlp": tail, "export+rest": seconds - stages["run_all"]}
    spans["export+rest"] = (spans["run_all"][1], t0 + seconds)
    spans["fuse after nlp"] = (spans["process"][1], spans["run_all"][1])
    cpu = psutil.Process().cpu_times()
    parent_rss = {name: round(max((s[1] for s in sampler.samples if a <= s[0] <= b), default=0.0))
                  for name, (a, b) in spans.items() if name != "run_all"}
    return {"docs": len(summary.row_ids), "seconds": seconds, "stages": stages, "facts": summary.facts,
            "nlp_failed": summary.nlp_failed, "statuses": dict(summary.statuses), "records": records,
            "peak_rss_mb": _peak_rss_mb(), "parent_peak_rss_mb_by_stage": parent_rss,
            "parent_cpu_s": round(cpu.user + cpu.system, 1), "fusion_seconds": summary.fusion_seconds,
            **_workers(sampler, spans["process"])}


def _workers(sampler: _Sampler, nlp_span: tuple[float, float]) -> dict:
    """Peak RSS and CPU seconds per worker process, and the workers' RSS at each tenth of the NLP stage."""
    peak: dict[int, float] = {}
    for _, _, rss in sampler.samples:
        for pid, mb in rss.items():
            peak[pid] = max(peak.get(pid, 0.0), mb)
    workers = sorted(pid for pid, mb in peak.items() if mb > 150)   # the spaCy workers, not helper processes
    if not workers:
        return {}
    curve = []
    for tenth in range(1, 11):
        t = nlp_span[0] + (nlp_span[1] - nlp_span[0]) * tenth / 10
        near = min(sampler.samples, key=lambda s: abs(s[0] - t))[2]
        curve.append([round(near.get(pid, 0.0)) for pid in workers])
    others = sum(cpu for pid, cpu in sampler.cpu.items() if pid not in workers)
    return {"worker_peak_rss_mb": [round(peak[pid]) for pid in workers], "worker_rss_by_tenth_mb": curve,
            "worker_cpu_s": [round(sampler.cpu.get(pid, 0.0), 1) for pid in workers],
            "other_children_cpu_s": round(others, 1)}     # Dask's nannies and helper processes


def measure_profile(args) -> dict:
    """One process, in-process: seconds per stage and per pipeline component, then cProfile's top entries."""
    import cProfile
    import pstats

    import sitrep.pipeline as pipeline
    from sitrep.geo import open_gazetteer
    from sitrep.nlp.pipeline import build_pipeline
    from sitrep.options import Options

    options = Options(cache_dir=args.cache)
    nlp = build_pipeline(options, gazetteer=open_gazetteer(options))
    order = list(nlp.pipe_names)
    spent: dict[str, float] = {}
    for name, proc in list(nlp.pipeline):
        _wrap_component(nlp, name, proc, spent)
    stages: dict[str, float] = {}
    for name in ("ingest", "process"):
        setattr(pipeline, name, _timed(stages, name, getattr(pipeline, name)))
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        summary = pipeline.extract_to_file(_shards(args.corpus), Path(tmp) / "out.jsonl", options, nlp=nlp)
        total = time.perf_counter() - t0
    stages["fusion (during and after process)"] = summary.fusion_seconds
    # spaCy chains the components' generators: each timer includes the components before it
    own, before = {}, 0.0
    for name in order:
        own[name] = round(spent.get(name, 0.0) - before, 2)
        before = spent.get(name, 0.0)
    rows = list(_rows(args.corpus, limit=100))
    prof = cProfile.Profile()
    prof.enable()
    pipeline.analyse(nlp, [{**r, "id": i, "meta": {}} for i, r in enumerate(rows)], options.batch_size)
    prof.disable()
    stats = pstats.Stats(prof).stats
    top = sorted(stats.items(), key=lambda kv: kv[1][2], reverse=True)[:25]      # by own time
    hot = [{"function": f"{Path(f).name}:{line}({fn})", "own_s": round(v[2], 2), "cumulative_s": round(v[3], 2),
            "calls": v[1]} for (f, line, fn), v in top]
    return {"profiled_docs": len(rows), "seconds": round(total, 1), "stages": {k: round(v, 1) for k, v in stages.items()},
            "components_own_s": own, "cprofile_first_100_docs_by_own_time": hot}


def _timed(stages: dict, name: str, fn, spans: dict | None = None):
    def wrapper(*a, **kw):
        t0 = time.perf_counter()
        try:
            return fn(*a, **kw)
        finally:
            t1 = time.perf_counter()
            stages[name] = stages.get(name, 0.0) + t1 - t0
            if spans is not None:
                spans[name] = (t0, t1)
    return wrapper


def _wrap_component(nlp, name: str, proc, spent: dict) -> None:
    """Time one pipeline component (both its __call__ and its pipe) without changing what it does."""
    def call(doc):
        t0 = time.perf_counter()
        try:
            return proc(doc)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0

    def pipe(docs, **kw):
        inner = proc.pipe(docs, **kw) if hasattr(proc, "pipe") else (proc(d) for d in docs)
        while True:
            t0 = time.perf_counter()
            try:
                doc = next(inner)
            except StopIteration:
                return
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0
            yield doc

    class Timed:
        def __call__(self, doc):
            return call(doc)

        def pipe(self, docs, **kw):
            return pipe(docs, **kw)

    for i, (n, _) in enumerate(nlp._components):   # spaCy has no public "wrap a component" API
        if n == name:
            nlp._components[i] = (name, Timed())


MEASURES = {"raw": measure_raw, "extract": measure_extract, "profile": measure_profile}


# ---------------------------------------------------------------------------- orchestration (parent)
def run_child(kind: str, corpus: Path, cache: Path, workers: int = 1, extra: tuple = ()) -> dict:
    return _finish(kind, *_start_child(kind, corpus, cache, workers, extra))


def _start_child(kind: str, corpus: Path, cache: Path, workers: int = 1, extra: tuple = ()):
    cmd = [sys.executable, __file__, "--measure", kind, "--corpus", str(corpus), "--cache", str(cache),
           "--workers", str(workers), *extra]
    env = {**os.environ, "SITREP_CACHE": str(cache)}
    return time.perf_counter(), subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _finish(kind: str, t0: float, proc) -> dict:
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"{kind} failed:\n{stderr[-4000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["wall_seconds"] = wall          # including interpreter start and imports
    return result


def raw_and_single_side_by_side(corpus: Path, cache: Path) -> dict:
    """Raw spaCy and one sitrep process at the same time, one per core, so that whatever the machine
    does meanwhile (this VM's speed drifts by 10-20 % over minutes) slows both alike. The raw process
    keeps working after its timed pass until sitrep is done, so both run contended throughout."""
    start = time.time() + 20
    with tempfile.TemporaryDirectory() as tmp:
        stop = Path(tmp) / "stop"
        raw = _start_child("raw", corpus, cache, 1, ("--start-at", str(start), "--until", str(stop)))
        single = _start_child("extract", corpus, cache, 1, ("--start-at", str(start)))
        single_res = _finish("extract", *single)
        stop.write_text("done")
        raw_res = _finish("raw", *raw)
    return {"raw": raw_res, "single": single_res, "ratio": raw_res["seconds"] / single_res["seconds"]}


def raw_side_by_side(corpus: Path, cache: Path, n: int = 2) -> dict:
    """N raw spaCy processes at once, each over every Nth text, started together once their models
    are loaded: the most any N-process run can gain on this machine (shared caches, memory bandwidth)."""
    start = time.time() + 15
    children = [_start_child("raw", corpus, cache, 1, ("--part", f"{i}/{n}", "--start-at", str(start)))
                for i in range(n)]
    parts = [_finish("raw", *child) for child in children]
    return {"docs": sum(p["docs"] for p in parts), "seconds": max(p["seconds"] for p in parts),
            "part_seconds": [round(p["seconds"], 1) for p in parts], "cpu_s": [p["cpu_s"] for p in parts],
            "tokens": sum(p["tokens"] for p in parts), "peak_rss_mb": max(p["peak_rss_mb"] for p in parts)}


def cold_start(cache: Path) -> float:
    """``sitrep extract`` on one short document in a fresh process: start to exit (its first record)."""
    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / "one.txt"
        doc.write_text("Ukrainian forces recaptured the town of Lyman on Saturday, the Ukrainian military said. "
                       "Russia's defence ministry said its troops had withdrawn to more advantageous lines.",
                       encoding="utf-8")
        out = Path(tmp) / "out.jsonl"
        cmd = [sys.executable, "-c", "import sys; from sitrep.cli import main; sys.argv[0] = 'sitrep'; main()",
               "extract", str(doc), "-o", str(out), "--published", "2022-10-02"]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "SITREP_CACHE": str(cache)})
        seconds = time.perf_counter() - t0
        if proc.returncode != 0 or not out.exists() or not out.read_text(encoding="utf-8").strip():
            sys.exit(f"cold start run failed:\n{proc.stderr[-2000:]}")
        return seconds


def ensure_corpus(n: int) -> Path:
    from make_corpus import CORPUS_VERSION, write_corpus

    corpus = RESULTS / f"corpus-{n}"
    done = RESULTS / f"corpus-{n}.done"
    if not done.exists() or done.read_text().strip() != CORPUS_VERSION:
        write_corpus(corpus, n)
        done.write_text(CORPUS_VERSION + "\n")
    return corpus


def ensure_gazetteer(cache: Path) -> float:
    from sitrep.geo import open_gazetteer
    from sitrep.options import Options

    t0 = time.perf_counter()
    open_gazetteer(Options(cache_dir=cache)).close()
    return time.perf_counter() - t0


def machine() -> dict:
    import psutil

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import spacy

    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "spacy": spacy.__version__, "os": platform.platform(terse=True),
            "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M")}


def report(res: dict) -> str:
    raw, single, two = res["raw"], res["single"], res["workers2"]
    tokens = raw["tokens"]

    def line(name, r, seconds, note=""):
        dps = r["docs"] / seconds
        rss = f"{r['peak_rss_mb']:.0f}"
        if r.get("worker_peak_rss_mb"):
            rss += " + workers " + "/".join(str(x) for x in r["worker_peak_rss_mb"])
        if len(r.get("all_seconds", ())) > 1 and seconds == r["seconds"]:
            note = f"fastest of {r['all_seconds']} s" + (f"; {note}" if note else "")
        return (f"| {name} | {r['docs']} | {seconds:.1f} | {dps:.1f} | {tokens / seconds:,.0f} | "
                f"{dps / (raw['docs'] / raw['seconds']):.2f} | {rss} | {note} |")

    out = [f"machine: {res['machine']}", "",
           "| run | docs | seconds | docs/s | tokens/s | x raw spaCy | peak RSS MB | note |",
           "|---|---|---|---|---|---|---|---|",
           line("raw spaCy `nlp.pipe`", raw, raw["seconds"], f"model load {raw['load_seconds']:.1f} s not timed"),
           line("raw spaCy, sitrep's spaCy settings", res["raw_sitrep"], res["raw_sitrep"]["seconds"],
                "what sitrep runs: the same model, nlp/attribute_ruler.py + nlp/gemm.py"),
           line("2 raw spaCy processes side by side", res["raw_pair"], res["raw_pair"]["seconds"],
                f"half the corpus each: {res['raw_pair']['part_seconds']} s"),
           line("sitrep extract, 1 process", single, single["seconds"], _stages(single)),
           line("sitrep extract, 2 workers", two, two["seconds"], _stages(two)),
           line("NLP stage only, 1 process", single, single["stages"]["nlp"]),
           line("NLP stage only, 2 workers", two, two["stages"]["nlp"]), "",
           f"2 workers / 1 process, rounds in alternating order: {_abba(res.get('workers2_vs_single'))}; "
           f"2 raw spaCy side by side / alone: {_abba(res.get('raw_pair_vs_raw'))}",
           f"2 workers / 1 process (fastest of each): end to end {single['seconds'] / two['seconds']:.2f}x, "
           f"NLP stage {single['stages']['nlp'] / two['stages']['nlp']:.2f}x; this machine's ceiling for two "
           f"processes (raw spaCy side by side / alone): {raw['seconds'] / res['raw_pair']['seconds']:.2f}x",
           f"sitrep 1 process vs raw spaCy with the same spaCy settings (tables, numpy gemm): "
           f"{res['raw_sitrep']['seconds'] / single['seconds']:.2f}x",
           f"side by side (raw spaCy and sitrep 1 process at the same time, one core each; median of rounds "
           f"{res['paired']['all_ratios']}): sitrep {res['paired']['single']['seconds']:.1f} s, raw "
           f"{res['paired']['raw']['seconds']:.1f} s = {res['paired']['ratio']:.2f}x raw spaCy",
           f"cold start (process start to first record, one document): {res['cold_start_s']:.2f} s",
           f"facts: 1 process {single['facts']}, 2 workers {two['facts']}; NLP failures {single['nlp_failed']}/{two['nlp_failed']}"
           + ("" if single["facts"] == two["facts"] else "  <- DIFFERENT: did the code change during the run?"),
           f"CPU seconds: raw spaCy {raw['cpu_s']}; 1 process {single['parent_cpu_s']}; 2 workers: parent "
           f"{two['parent_cpu_s']} + workers {' + '.join(str(x) for x in two.get('worker_cpu_s', []))}"
           f" + nannies {two.get('other_children_cpu_s', '?')}",
           f"parent peak RSS MB by stage: 1 process {single['parent_peak_rss_mb_by_stage']}; "
           f"2 workers {two['parent_peak_rss_mb_by_stage']}",
           f"load average (1 min) before/after: {res['load_before']:.2f} / {res['load_after']:.2f} "
           f"on {res['machine']['cores']} cores"]
    if res.get("rss_run"):
        r = res["rss_run"]
        out += ["", f"worker RSS over a {r['docs']}-document run (2 workers, MB at each tenth of the NLP stage):"]
        out += ["  " + " | ".join("/".join(str(x) for x in tenth) for tenth in r["worker_rss_by_tenth_mb"])]
    return "\n".join(out)


def abba(slow: list[dict], fast: list[dict]) -> dict | None:
    """Speed-up of FAST over SLOW from rounds run in alternating order (A B, B A, ...): each round's
    ratio, their median, and the drift-balanced one -- total time of SLOW over total time of FAST
    across whole pairs of rounds, where a steady drift of the machine's speed cancels out."""
    n = min(len(slow), len(fast))
    if n == 0:
        return None
    ratios = [s["seconds"] / f["seconds"] for s, f in zip(slow, fast)]
    whole = n - n % 2 or n
    balanced = sum(s["seconds"] for s in slow[:whole]) / sum(f["seconds"] for f in fast[:whole])
    return {"rounds": [round(r, 3) for r in ratios], "median": round(sorted(ratios)[(n - 1) // 2], 3)
            if n % 2 else round(sum(sorted(ratios)[n // 2 - 1:n // 2 + 1]) / 2, 3),
            "balanced": round(balanced, 3), "balanced_rounds": whole}


def _abba(r: dict | None) -> str:
    if not r:
        return "-"
    return (f"{r['balanced']:.2f}x drift-balanced over {r['balanced_rounds']} rounds (each round "
            f"{', '.join(f'{x:.2f}' for x in r['rounds'])}; median {r['median']:.2f}x)")


def _stages(r: dict) -> str:
    return ", ".join(f"{k} {v:.1f}s" for k, v in r["stages"].items())


def main() -> None:
    ap = argparse.ArgumentParser(description="sitrep throughput vs raw spaCy (see module docstring)")
    ap.add_argument("--docs", type=int, default=2000, help="corpus size (generated by bench/make_corpus.py)")
    ap.add_argument("--rss-docs", type=int, default=0, help="also run 2 workers over this many documents, "
                                                           "recording worker RSS (e.g. 10000)")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of measurements; each figure is the fastest of its "
                                                          "rounds (this VM varies by 5-10%% between runs)")
    ap.add_argument("--only", help="comma-separated measurements to run (raw, raw_sitrep, single, workers2, "
                                   "raw_pair, paired, cold); the report needs all of them")
    ap.add_argument("--profile", action="store_true", help="profile one in-process single run instead")
    ap.add_argument("--cache", type=Path, default=RESULTS / "cache", help="gazetteer cache dir")
    ap.add_argument("--measure", choices=sorted(MEASURES), help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--sitrep-settings", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--part", help=argparse.SUPPRESS)
    ap.add_argument("--start-at", type=float, default=0.0, help=argparse.SUPPRESS)
    ap.add_argument("--until", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(MEASURES[args.measure](args)))
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    corpus = ensure_corpus(args.docs)
    print(f"corpus: {args.docs} documents in {corpus}; gazetteer ready in {ensure_gazetteer(args.cache):.1f} s",
          file=sys.stderr)
    if args.profile:
        print(json.dumps(run_child("profile", corpus, args.cache), indent=1))
        return
    res = {"machine": machine(), "docs": args.docs, "load_before": os.getloadavg()[0]}
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"throughput-{stamp}.json"

    def save():       # after every measurement: a long run interrupted keeps what it measured
        out.write_text(json.dumps(res, indent=1), encoding="utf-8")

    runs: dict[str, list] = {}
    order = (("raw", "raw", 1, ()), ("raw_sitrep", "raw", 1, ("--sitrep-settings",)), ("single", "extract", 1, ()),
             ("workers2", "extract", 2, ()), ("raw_pair", "pair", 2, ()), ("paired", "paired", 1, ()))
    for rep in range(args.repeat):         # rounds of every measurement; each keeps its fastest run
        # odd rounds run the measurements in reverse (A B, B A, A B, ...): over two rounds a steady
        # drift of the machine's speed weighs on every measurement alike (``abba``)
        for key, kind, workers, extra in (order if rep % 2 == 0 else order[::-1]):
            if args.only and key not in args.only.split(","):
                continue
            print(f"measuring {key} (round {rep + 1}/{args.repeat}) ...", file=sys.stderr)
            r = raw_side_by_side(corpus, args.cache) if kind == "pair" else \
                raw_and_single_side_by_side(corpus, args.cache) if kind == "paired" else \
                run_child(kind, corpus, args.cache, workers, extra)
            runs.setdefault(key, []).append(r)
            if kind == "paired":          # the median ratio of the rounds
                res[key] = sorted(runs[key], key=lambda r: r["ratio"])[(len(runs[key]) - 1) // 2]
                res[key]["all_ratios"] = [round(r["ratio"], 3) for r in runs[key]]
            else:
                res[key] = min(runs[key], key=lambda r: r["seconds"])
                res[key]["all_seconds"] = [round(r["seconds"], 1) for r in runs[key]]
            save()
    res["workers2_vs_single"] = abba(runs.get("single", []), runs.get("workers2", []))
    res["raw_pair_vs_raw"] = abba(runs.get("raw", []), runs.get("raw_pair", []))
    save()
    if args.only:
        only = ["cold_start_s" if k == "cold" else k for k in args.only.split(",")]
        if "cold_start_s" in only:
            res["cold_start_s"] = cold_start(args.cache)
            save()
        print(json.dumps({k: res[k] for k in only if k in res}, indent=1, default=str))
        print(f"results: {out}", file=sys.stderr)
        return
    res["cold_start_s"] = cold_start(args.cache)
    res["load_after"] = os.getloadavg()[0]
    save()
    print(report(res))
    if args.rss_docs:
        print(f"measuring worker RSS over {args.rss_docs} documents ...", file=sys.stderr)
        res["rss_run"] = run_child("extract", ensure_corpus(args.rss_docs), args.cache, 2)
        save()
        print(report(res))
    print(f"results: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
