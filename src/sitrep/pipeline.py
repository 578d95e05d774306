"""The whole job, as library functions: ingest -> store -> NLP -> fuse -> records.

    from sitrep import Options
    from sitrep.pipeline import extract_to_file
    summary = extract_to_file(["reports/"], "out.jsonl", Options(published="2022-10-05"))

Each stage is its own module; this file only wires them together.
"""
from __future__ import annotations

import json
import logging
import tempfile
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sitrep.errors import ExportError, SitrepError
from sitrep.options import Options
from sitrep.store import Store

log = logging.getLogger("sitrep")
KIND_ORDER = ("place", "claim", "control_change", "event")


@dataclass
class RunSummary:
    """What a run did: counts by ingest action, document status, facts and clusters."""
    row_ids: list[int] = field(default_factory=list)
    actions: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    facts: int = 0
    nlp_failed: int = 0
    clusters: int = 0
    fusion_seconds: float = 0.0   # time spent fusing (during and after the NLP stage)
    records: int = 0
    problems: list[str] = field(default_factory=list)   # one line per failed/skipped input

    def line(self) -> str:
        st = ", ".join(f"{v} {k}" for k, v in sorted(self.statuses.items()))
        return (f"{len(self.row_ids)} documents ({st}); {self.facts} facts; {self.clusters} clusters"
                + (f"; {self.nlp_failed} NLP failures" if self.nlp_failed else ""))


# ---------------------------------------------------------------------------- ingest
def ingest(paths: Iterable[str | Path], options: Options, store: Store,
           progress: Callable[[str], None] | None = None) -> RunSummary:
    """Read, clean and store documents (no NLP). Bad inputs are stored as failed, never raised."""
    from sitrep.ingest import read_paths

    summary = RunSummary()
    for doc, action, row_id in store.add_documents(read_paths(list(paths), options)):
        summary.row_ids.append(row_id)
        summary.actions[action] += 1
        summary.statuses[doc.status] += 1
        if doc.status != "ok":
            summary.problems.append(f"{doc.path or doc.doc_id}: {doc.reason}")
        if progress:
            progress(doc.doc_id)
    return summary


# ---------------------------------------------------------------------------- NLP
def doc_facts(doc) -> dict:
    from sitrep.nlp.pipeline import FACT_KINDS

    return {k: list(getattr(doc._, k) or []) for k in FACT_KINDS}


def _context(row: dict) -> dict:
    meta = dict(row.get("meta") or {})
    meta.update({k: row.get(k) for k in ("outlet", "title", "url") if row.get(k)})
    return {"doc_id": row["doc_id"], "published": row.get("published"), "meta": meta, "id": row["id"]}


def analyse(nlp, rows: list[dict], batch_size: int = 32) -> list[tuple[int, dict | None, str | None]]:
    """Run the NLP pipeline over document rows -> ``(row id, facts, error)``; one bad doc fails alone."""
    from sitrep.nlp.pipeline import run

    items = [(r["text"], _context(r)) for r in rows]
    try:
        return [(ctx["id"], doc_facts(doc), None) for doc, ctx in run(nlp, items, batch_size=batch_size)]
    except Exception:  # noqa: BLE001 - retry one by one to isolate the culprit (a lone document: once more)
        pass
    out = []
    for item in items:
        try:
            ((doc, ctx),) = list(run(nlp, [item]))
            out.append((ctx["id"], doc_facts(doc), None))
        except Exception as exc:  # noqa: BLE001
            reason = f"SR302 {type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
            log.warning("SR302 %s: NLP failed: %s", item[1]["doc_id"], reason)
            out.append((item[1]["id"], None, reason))
    return out


def process(store: Store, options: Options, *, nlp=None, gazetteer=None, ids: list[int] | None = None,
            progress: Callable[[int], None] | None = None,
            saved: Callable[[int], None] | None = None, workers=None) -> tuple[int, int]:
    """Run NLP over the store's pending documents; returns ``(facts stored, documents failed)``.

    ``progress(n)`` after each stored batch of n documents; ``saved(row_id)`` after each stored batch:
    every pending document up to that row id has its results in the store (batches go in id order).
    ``workers``: Dask workers already started (``sitrep.scale.Workers``), for ``options.uses_dask``.
    """
    if options.uses_dask:
        from sitrep.scale import process_distributed

        return process_distributed(store, options, ids=ids, progress=progress, saved=saved, workers=workers)
    if nlp is None:
        from sitrep.nlp.pipeline import build_pipeline

        nlp = build_pipeline(options, gazetteer=gazetteer)
    n_facts = n_failed = 0
    for batch in batches(store.pending(ids=ids), options.batch_size):
        facts, failed = store_batch(store, batch, analyse(nlp, batch, options.batch_size), progress, saved)
        n_facts, n_failed = n_facts + facts, n_failed + failed
    return n_facts, n_failed


def store_batch(store: Store, rows: list[dict], results: list[tuple], progress: Callable[[int], None] | None,
                saved: Callable[[int], None] | None) -> tuple[int, int]:
    """Write one batch's NLP results, then call ``progress``/``saved`` as ``process`` documents;
    ``(facts stored, documents failed)``. The Dask runner writes each batch the same way."""
    n_facts = store.save_results(results)
    n_failed = sum(1 for _, _, err in results if err)
    if progress:
        progress(len(rows))
    if saved:                        # e.g. fusion of the batches now complete, while workers go on
        saved(rows[-1]["id"])
    return n_facts, n_failed


TAIL_BATCHES = 4   # the last 4 batches' documents go in quarter batches (``batches``)
TAIL_SPLIT = 4


def batches(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    """Rows in batches of ``size``, except the last ``TAIL_BATCHES * size`` rows (or fewer): batches of
    ``size // TAIL_SPLIT``. Worker processes then finish together instead of one analysing a whole
    last batch while the others wait. One process and any number of workers cut the same batches
    (the same documents go through ``nlp.pipe`` together: identical results). Reads
    ``(TAIL_BATCHES + 1) * size`` rows ahead.
    """
    ahead = TAIL_BATCHES * size
    buf: list[dict] = []
    for row in rows:
        buf.append(row)
        if len(buf) >= ahead + size:
            yield buf[:size]
            del buf[:size]
    while len(buf) > ahead:
        yield buf[:size]
        del buf[:size]
    small = max(1, size // TAIL_SPLIT)
    for start in range(0, len(buf), small):
        yield buf[start:start + small]


# ---------------------------------------------------------------------------- fusion
def fuse(store: Store, options: Options, ids: list[int] | None = None) -> int:
    """Update clusters for the given (new) documents; returns the number of clusters touched."""
    fuser = start_fusion(store, options, ids)
    return fuser.finish() if fuser else 0


# ---------------------------------------------------------------------------- records
RECORD_CHUNK = 500   # documents (and their facts) read from the store at a time while writing records


def iter_records(store: Store, row_ids: list[int]) -> Iterator[dict]:
    """CONTRACT.md records for these documents (input order), then the clusters touching them.

    Streams: documents and facts are read ``RECORD_CHUNK`` documents at a time; only line numbers are kept.
    """
    return _records(store, row_ids, lines=False)


def iter_record_lines(store: Store, row_ids: list[int]) -> Iterator[str]:
    """``iter_records`` as JSON lines (no newline), exactly ``json.dumps(record, ensure_ascii=False)``.

    A fact's line is spliced from its stored payload text (written by ``json.dumps`` with the same
    settings) instead of decoding and encoding it again: the bulk of a JSONL export.
    """
    return _records(store, row_ids, lines=True)


def _records(store: Store, row_ids: list[int], lines: bool) -> Iterator:
    records = Records(store, row_ids, lines)
    yield from records.documents()
    yield from records.clusters()


class Records:
    """``iter_records`` in two parts, so that documents can be written while the NLP stage still runs:

        records = Records(store, row_ids, lines=True)
        records.documents(up_to=row_id)   # the next documents and facts, while their ids are <= row_id
        records.documents()               # the rest
        records.clusters()                # then the clusters (they name the documents' line numbers)

    ``documents(up_to)`` stops at the first document (in ``row_ids`` order) whose id is above
    ``up_to``: the NLP stage writes in id order and fusion never changes documents or facts, so a
    document at most ``up_to`` (``process``'s ``saved``) is final.
    """

    def __init__(self, store: Store, row_ids: list[int], lines: bool = False):
        seen: set[int] = set()
        self.store, self.lines = store, lines
        self.ordered = [i for i in row_ids if not (i in seen or seen.add(i))]
        self.next = 0                   # index in ordered of the next document to write
        self.line = 0
        self.doc_line: dict[int, int] = {}
        self.fact_line: dict[int, int] = {}
        self.doc_ids: dict[int, str] = {}

    def _encode(self, record: dict):
        return json.dumps(record, ensure_ascii=False) if self.lines else record

    def documents(self, up_to: int | None = None) -> Iterator:
        """Document and fact records of the documents not written yet (while their ids are <= up_to)."""
        end = self.next
        while end < len(self.ordered) and (up_to is None or self.ordered[end] <= up_to):
            end += 1
        lines = self.lines
        for start in range(self.next, end, RECORD_CHUNK):
            chunk = self.ordered[start:min(end, start + RECORD_CHUNK)]
            docs = {d["id"]: d for d in self.store.documents(ids=chunk)}
            facts_by_doc: dict[int, list[dict]] = {}
            for f in self.store.facts(document_ids=chunk, decode=not lines):
                facts_by_doc.setdefault(f["document_id"], []).append(f)
            for row_id in chunk:
                d = docs.get(row_id)
                if d is None:
                    continue
                yield self._encode(document_record(d))
                self.doc_ids[row_id] = d["doc_id"]
                self.doc_line[row_id] = self.line
                self.line += 1
                doc_id_part = f', "doc_id": {json.dumps(d["doc_id"], ensure_ascii=False)}' if lines else ""
                for f in facts_by_doc.get(row_id, []):
                    if lines:
                        yield fact_line_text(f["kind"], doc_id_part, f["payload"])
                    else:
                        yield {"type": f["kind"], "doc_id": d["doc_id"], **f["payload"]}
                    self.fact_line[f["id"]] = self.line
                    self.line += 1
        self.next = end

    def clusters(self) -> Iterator:
        """Cluster records (after every document's): those with members in two or more of these
        documents, and contradictions with two or more members."""
        fact_line, doc_line, doc_ids = self.fact_line, self.doc_line, self.doc_ids
        for c in self.store.iter_clusters():
            members = []
            for m in c["members"]:
                if m.get("fact_id") is not None and m["fact_id"] in fact_line:
                    members.append({"doc_id": doc_ids.get(m.get("document_id")), "record": fact_line[m["fact_id"]],
                                    **({"role": m["role"]} if m.get("role") else {})})
                elif m.get("fact_id") is None and m.get("document_id") in doc_line:
                    members.append({"doc_id": doc_ids[m["document_id"]], "record": doc_line[m["document_id"]]})
            if len({(m["doc_id"]) for m in members}) >= 2 or (c["kind"] == "contradiction" and len(members) >= 2):
                yield self._encode({"type": "cluster", "kind": c["kind"], "key": c["key"], "members": members,
                                    **c["payload"]})


def fact_line_text(kind: str, doc_id_part: str, payload: str) -> str:
    """``{"type": kind, "doc_id": ..., **payload}`` as JSON, from the payload's stored JSON object text.

    A payload with a "type" or "doc_id" key of its own (at any depth: rare) is decoded and merged
    instead, so the line is always what ``json.dumps`` of the merged record gives.
    """
    head = f'{{"type": {json.dumps(kind)}{doc_id_part}'
    if '"type": ' in payload or '"doc_id": ' in payload:
        record = json.loads(head + "}")
        record.update(json.loads(payload))
        return json.dumps(record, ensure_ascii=False)
    return head + "}" if payload == "{}" else f"{head}, {payload[1:]}"


def document_record(d: dict) -> dict:
    return {
        "type": "document", "doc_id": d["doc_id"], "path": d.get("path"), "url": d.get("url"),
        "title": d.get("title"), "outlet": d.get("outlet"), "published": d.get("published"),
        "published_source": d.get("published_source"), "lang": d.get("lang"), "status": d["status"],
        "reason": d.get("reason"), "encoding": d.get("encoding"), "version": d.get("version"),
        "content_hash": d.get("content_hash"), "duplicate_of": d.get("duplicate_of"),
        "nlp_status": d.get("nlp_status"), "text": d.get("text"),
    }


# ---------------------------------------------------------------------------- the whole job
def extract_to_file(paths: Iterable[str | Path], out: str | Path, options: Options, *, nlp=None,
                    gazetteer=None, progress: Callable[[str], None] | None = None) -> RunSummary:
    """ingest + NLP + fusion, then write CONTRACT.md records to ``out`` (JSONL, UTF-8).

    Document and fact lines are written as their NLP results are stored, the cluster lines at the
    end; the file appears (renamed from ``out.part``) only when complete.
    """
    out = Path(out)
    if not out.parent.exists():
        raise ExportError(f"cannot write {out}: folder {out.parent} does not exist", code="SR602")
    tmp = out.with_name(out.name + ".part")
    paths = inputs_except(paths, (out, tmp))
    with _store_for(options) as store, _workers(options) as workers:
        try:
            with _RecordFile(tmp, out, store) as file:
                summary = run_all(paths, options, store, nlp=nlp, gazetteer=gazetteer, progress=progress,
                                  workers=workers, after_batch=file.after_batch)
                file.finish(summary.row_ids)
            summary.records = file.lines
            tmp.replace(out)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return summary


def inputs_except(paths: Iterable[str | Path], outputs: Iterable[str | Path]) -> Iterator[Path]:
    """The input files of PATHS (``sitrep.ingest.iter_files``) without the run's own output files: an
    output written into an input folder is not read back as input by the next run. Naming an output
    as an input raises ``ExportError`` SR603 at once (it would be read, then overwritten)."""
    import os

    from sitrep.ingest import iter_files

    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    own = {os.path.realpath(o) for o in outputs}
    for path in paths:
        if os.path.realpath(path) in own and not Path(path).is_dir():
            raise ExportError(f"{path} is both an input and the output: choose another -o", code="SR603")

    def files() -> Iterator[Path]:
        for path in iter_files(paths):
            if os.path.realpath(path) in own:
                log.info("not reading %s: it is this run's output", path)
                continue
            yield path
    return files()


class _RecordFile:
    """``extract_to_file``'s ``out.part`` being written: each stored batch's document and fact lines
    (``after_batch``), then the rest and the cluster lines (``finish``). Write errors are SR602."""

    def __init__(self, path: Path, out: Path, store: Store):
        self.out, self.store = out, store
        self.records: Records | None = None      # made at the first batch: the row ids come from ingest
        self.lines = 0
        try:
            self.fh = path.open("w", encoding="utf-8")
        except OSError as exc:
            raise self._error(exc) from exc

    def _error(self, exc: OSError) -> ExportError:
        return ExportError(f"cannot write {self.out}: {exc.strerror or exc}", code="SR602")

    def _records(self, row_ids: list[int]) -> Records:
        if self.records is None:
            self.records = Records(self.store, row_ids, lines=True)
        return self.records

    def _write(self, lines: Iterable[str]) -> None:
        try:
            for text in lines:
                self.fh.write(text + "\n")
                self.lines += 1
        except OSError as exc:
            raise self._error(exc) from exc

    def after_batch(self, summary: RunSummary, up_to: int) -> None:
        self._write(self._records(summary.row_ids).documents(up_to))

    def finish(self, row_ids: list[int]) -> None:
        records = self._records(row_ids)
        self._write(records.documents())
        self._write(records.clusters())

    def __enter__(self) -> _RecordFile:
        return self

    def __exit__(self, *exc) -> None:
        self.fh.close()


def extract_records(paths: Iterable[str | Path], options: Options, *, nlp=None, gazetteer=None) -> list[dict]:
    """Like ``extract_to_file`` but returns the records."""
    with _store_for(options) as store:
        summary = run_all(paths, options, store, nlp=nlp, gazetteer=gazetteer)
        return list(iter_records(store, summary.row_ids))


def run_all(paths, options: Options, store: Store, *, nlp=None, gazetteer=None, progress=None, workers=None,
            after_batch: Callable[[RunSummary, int], None] | None = None) -> RunSummary:
    """ingest -> NLP -> fusion. With worker processes (``fuse_while_analysing``), each batch of documents
    is fused as soon as its NLP results are stored; the batches and their order are those of fusing
    afterwards, so the clusters are the same either way.

    ``workers``: a ``sitrep.scale.Workers`` the caller opened (closed by the caller; this starts
    closing it once the NLP stage ends); else, with ``options.uses_dask``, workers are opened here.
    ``after_batch(summary, row_id)`` after each stored batch (and its fusion): every document up to
    ``row_id`` has its results in the store.
    """
    with nullcontext(workers) if workers is not None else _workers(options) as running:
        # Dask workers start and load the model while we ingest
        summary = ingest(paths, options, store, progress=progress)
        fuser = start_fusion(store, options, summary.row_ids)
        fuse_now = fuser is not None and fuse_while_analysing(options)

        def saved(up_to: int) -> None:
            if fuse_now:
                fuser.saved(up_to)
            if after_batch:
                after_batch(summary, up_to)

        summary.facts, summary.nlp_failed = process(store, options, nlp=nlp, gazetteer=gazetteer,
                                                    ids=summary.row_ids, saved=saved, workers=running)
        if running is not None:
            running.release()                  # the cluster shuts down while we fuse and write
        summary.clusters = fuser.finish() if fuser else 0
        summary.fusion_seconds = fuser.seconds if fuser else 0.0
    return summary


def _workers(options: Options):
    """``sitrep.scale.Workers`` when the NLP stage runs on Dask, else a context holding None."""
    if options.uses_dask:
        from sitrep.scale import Workers

        return Workers(options)
    return nullcontext()


def fuse_while_analysing(options: Options) -> bool:
    """Fuse during the NLP stage when it runs in worker processes (local or on a Dask cluster): the
    parent fuses the batches already written while the workers analyse the next ones, so that only
    the last fusion part is left when the NLP stage ends. With more cores than workers that part of
    fusion is free; with 2 workers on 2 cores it is a tie with fusing afterwards (600 documents, two
    runs each: 34.4 / 32.5 s fusing during, 31.0 / 33.0 s afterwards; bench/README.md, "Throughput").
    One process gains nothing from it and fuses after its NLP stage."""
    return options.uses_dask


def start_fusion(store: Store, options: Options, ids: list[int] | None = None):
    """A ``sitrep.fuse.sqlstore.StoreFuser`` for these documents (None when fusion is not installed)."""
    try:
        from sitrep.fuse.sqlstore import StoreFuser
    except ImportError:  # fusion stage not installed in this build
        return None
    return StoreFuser(store, options, ids)


class _store_for:
    """The store named by options.db, or a temporary SQLite file removed afterwards."""

    def __init__(self, options: Options):
        self.options = options
        self.tmp = None

    def __enter__(self) -> Store:
        url = self.options.db
        if url is None:
            self.tmp = tempfile.TemporaryDirectory(prefix="sitrep-")
            url = f"sqlite:///{Path(self.tmp.name) / 'extract.db'}"
        self.store = Store(url)
        return self.store

    def __exit__(self, *exc):
        self.store.close()
        if self.tmp:
            self.tmp.cleanup()


__all__ = ["RunSummary", "ingest", "process", "analyse", "batches", "fuse", "start_fusion", "iter_records",
           "iter_record_lines", "Records", "extract_to_file", "inputs_except",
           "extract_records", "run_all", "SitrepError"]
