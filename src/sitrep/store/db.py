"""The store: SQLite by default, PostgreSQL for teams (same schema, same queries).

    store = Store("sqlite:///sitrep.db")          # or a plain path, or postgresql://user@host/db
    for doc, action in store.add_documents(docs): ...   # action: new | unchanged | version | duplicate
    for row in store.pending(): ...                      # ok documents still waiting for NLP
    store.save_results([(row_id, facts_by_kind)])        # one transaction per batch

Writes happen in one transaction per batch: a crash leaves no half-written document, and a
rerun completes the rest (already stored texts are recognised by their content hash).
"""
from __future__ import annotations

import datetime as _dt
import json
import re
import sqlite3
import time
from pathlib import Path
from typing import Iterable, Iterator

from sqlalchemy import and_, bindparam, create_engine, event, func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from sitrep.errors import StoreError
from sitrep.models import Document
from sitrep.store import schema
from sitrep.store.migrations import migrate

FACT_KIND = {"places": "place", "claims": "claim", "control_changes": "control_change", "events": "event"}


def normalise_url(url: str | Path | None) -> str:
    """A SQLAlchemy URL from a URL or a plain file path (None -> ./sitrep.db)."""
    if url is None:
        return "sqlite:///sitrep.db"
    url = str(url)
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" not in url:
        return f"sqlite:///{url}"
    return url


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _place_key(place: dict | None) -> str | None:
    if not place:
        return None
    res = place.get("resolved") or {}
    if res.get("geonames_id") is not None:
        return f"gn:{res['geonames_id']}"
    name = place.get("name")
    return "name:" + re.sub(r"\W+", " ", name.lower()).strip() if name else None


def fact_columns(kind: str, fact: dict) -> dict:
    """Indexed columns derived from a fact (blocking keys for fusion and the UI)."""
    ev = fact.get("evidence") or {}
    place = fact if kind == "place" else fact.get("place")
    res = (place or {}).get("resolved") or {}
    side = None
    if kind == "control_change":
        side = (fact.get("to") or {}).get("side")
    elif kind == "event":
        side = (fact.get("actor") or {}).get("side")
    elif kind == "claim":
        side = (fact.get("speaker") or {}).get("side")
    speaker = (fact.get("speaker") or {}).get("name") if kind == "claim" else (fact.get("asserted_by") or {}).get("name")
    return {
        "start_char": int(ev.get("start", 0)), "end_char": int(ev.get("end", 0)),
        "place_key": _place_key(place), "event_date": fact.get("date"), "side": side,
        "speaker": speaker, "lat": res.get("lat"), "lon": res.get("lon"),
    }


def encode_facts(facts_by_kind: dict | None) -> list[tuple[str, int, str, dict]]:
    """A document's NLP facts as stored: ``(kind, seq, payload JSON text, fact_columns)`` in store order.

    ``Store.save_results`` takes these in place of the facts dict: Dask workers send them (strings
    travel and store faster than nested dicts, and the parent does not encode them again).
    """
    out = []
    for key, kind in FACT_KIND.items():
        for i, fact in enumerate((facts_by_kind or {}).get(key) or []):
            out.append((kind, i, json.dumps(fact, ensure_ascii=False, default=str), fact_columns(kind, fact)))
    return out


class Store:
    def __init__(self, url: str | Path | None = None, *, migrate_schema: bool = True):
        self.url = normalise_url(url)
        try:
            kwargs = {}
            if self.url.startswith("sqlite"):
                kwargs["connect_args"] = {"timeout": 60}
                db_path = self.url.split(":///", 1)[-1]
                if db_path and db_path != ":memory:" and not Path(db_path).parent.exists():
                    raise StoreError(f"folder {Path(db_path).parent} does not exist", code="SR201")
            self.engine = create_engine(self.url, future=True, **kwargs)
            # writes go through self.writer: on SQLite its transactions start with BEGIN IMMEDIATE, so
            # concurrent writers queue (busy timeout) instead of failing when their read snapshot is stale
            self.writer = self.engine.execution_options(sitrep_write=True)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
                event.listen(self.engine, "begin", _sqlite_begin)
            if migrate_schema:
                self._migrate()
        except StoreError:
            raise
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise StoreError(f"cannot open database {self.safe_url}: {str(exc).splitlines()[0]}", code="SR201") from exc

    def _migrate(self) -> None:
        if self.engine.dialect.name != "postgresql":
            migrate(self.writer)          # BEGIN IMMEDIATE serialises concurrent first opens on SQLite
            return
        with self.engine.connect() as lock:  # PostgreSQL: one migrator at a time, creating schema_migrations included
            lock.exec_driver_sql("SELECT pg_advisory_lock(727000)")
            try:
                migrate(self.writer)
            finally:
                lock.exec_driver_sql("SELECT pg_advisory_unlock(727000)")

    @property
    def safe_url(self) -> str:
        return re.sub(r"://([^:/@]+):[^@]+@", r"://\1:***@", self.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------ documents
    def add_documents(self, docs: Iterable[Document], batch_size: int = 200) -> Iterator[tuple[Document, str, int]]:
        """Store documents; yield ``(doc, action, row_id)`` in input order.

        action: ``new``; ``unchanged`` (same doc_id and text already stored: a no-op);
        ``version`` (same doc_id or URL, new text: a new current version); ``duplicate``
        (identical text already stored under another doc_id: stored as skipped, reason SR114).
        """
        batch: list[Document] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._add_batch(batch)
                batch = []
        if batch:
            yield from self._add_batch(batch)

    def _add_batch(self, batch: list[Document]) -> list[tuple[Document, str, int]]:
        d = schema.documents
        out = []
        try:
            with self.writer.begin() as conn:
                if self.dialect == "postgresql":  # one document writer at a time: seq, versions, duplicates
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727002)")
                seq = conn.execute(select(func.coalesce(func.max(d.c.seq), 0))).scalar_one()
                for doc in batch:
                    seq += 1
                    out.append(self._add_one(conn, doc, seq))
        except SQLAlchemyError as exc:
            raise StoreError(f"writing documents failed: {str(exc).splitlines()[0]}", code="SR203") from exc
        return out

    def _add_one(self, conn, doc: Document, seq: int) -> tuple[Document, str, int]:
        d = schema.documents
        if not doc.content_hash:
            from sitrep.models import text_hash
            doc.content_hash = text_hash(f"{doc.status}\n{doc.path}\n{doc.reason}\n{doc.text or ''}")
        same_text = conn.execute(select(d.c.id, d.c.doc_id, d.c.status, d.c.duplicate_of)
                                 .where(d.c.content_hash == doc.content_hash).order_by(d.c.id)).all()
        same = next((r for r in same_text if r.doc_id == doc.doc_id), None)
        if same:
            return doc, "unchanged", same.id
        action, duplicate_of = "new", None
        if doc.status == "ok":
            dup = next((r for r in same_text if r.status == "ok" and r.duplicate_of is None), None)
            if dup:
                action, duplicate_of = "duplicate", dup.doc_id
        key_cond = d.c.doc_id == doc.doc_id if not doc.url else (d.c.url == doc.url) | (d.c.doc_id == doc.doc_id)
        prev = conn.execute(select(func.max(d.c.version)).where(key_cond)).scalar()
        version = 1
        if prev:
            version = prev + 1
            conn.execute(update(d).where(key_cond).values(is_current=False))
            action = "version" if action == "new" else action
        row = {
            "doc_id": doc.doc_id, "version": version, "is_current": True, "content_hash": doc.content_hash,
            "duplicate_of": duplicate_of, "seq": seq, "path": doc.path, "url": doc.url, "title": doc.title,
            "outlet": doc.outlet, "published": doc.published, "published_source": doc.published_source,
            "lang": doc.lang, "encoding": doc.encoding, "status": doc.status, "reason": doc.reason,
            "text": doc.text, "meta": json.dumps(doc.meta or {}, ensure_ascii=False),
            "nlp_status": "pending" if doc.status == "ok" and not duplicate_of else "n/a",
            "ingested_at": _now(),
        }
        if duplicate_of:
            row["status"], row["reason"] = "skipped", f"SR114 exact duplicate of {duplicate_of}"
        try:
            if self.dialect == "postgresql":      # a failed statement would abort the whole transaction
                with conn.begin_nested():
                    row_id = conn.execute(d.insert(), row).inserted_primary_key[0]
            else:                                  # SQLite undoes just the failed statement
                row_id = conn.execute(d.insert(), row).inserted_primary_key[0]
        except IntegrityError:  # a concurrent writer stored the same (doc_id, text) first
            same = conn.execute(select(d.c.id).where(and_(d.c.doc_id == doc.doc_id,
                                                          d.c.content_hash == doc.content_hash))).first()
            return doc, "unchanged", same.id
        if duplicate_of:
            doc.status, doc.reason = row["status"], row["reason"]
        return doc, action, row_id

    def documents(self, *, status: str | None = None, current_only: bool = True, ids: list[int] | None = None,
                  with_text: bool = True) -> list[dict]:
        d = schema.documents
        cols = [c for c in d.c if with_text or c.name != "text"]
        q = select(*cols).order_by(d.c.seq, d.c.id)
        if status:
            q = q.where(d.c.status == status)
        if current_only and ids is None:
            q = q.where(d.c.is_current.is_(True))
        rows = []
        with self.engine.connect() as conn:
            for chunk in _id_chunks(ids):
                part = q if chunk is None else q.where(d.c.id.in_(chunk))
                rows.extend(_doc_row(r) for r in conn.execute(part).mappings())
        if ids is not None:
            rows.sort(key=lambda r: (r["seq"], r["id"]))
        return rows

    def document(self, row_id: int) -> dict | None:
        rows = self.documents(ids=[row_id])
        return rows[0] if rows else None

    def pending(self, ids: list[int] | None = None, batch_size: int = 500) -> Iterator[dict]:
        """Current ``ok`` documents whose NLP has not run yet, in input order (streamed by id)."""
        d = schema.documents
        for chunk in _id_chunks(ids):          # ascending chunks: the stream stays in id order
            last = 0
            while True:
                q = (select(d.c.id, d.c.doc_id, d.c.text, d.c.published, d.c.outlet, d.c.title, d.c.url, d.c.meta)
                     .where(and_(d.c.nlp_status == "pending", d.c.status == "ok", d.c.is_current.is_(True),
                                 d.c.id > last))
                     .order_by(d.c.id).limit(batch_size))
                if chunk is not None:
                    q = q.where(d.c.id.in_(chunk))
                with self.engine.connect() as conn:
                    rows = [_doc_row(r) for r in conn.execute(q).mappings()]
                if not rows:
                    break
                yield from rows
                last = rows[-1]["id"]

    # ------------------------------------------------------------------ facts
    def save_results(self, results: Iterable[tuple[int, dict | None, str | None]]) -> int:
        """Store NLP results for a batch in one transaction.

        Each item: ``(document row id, {"places": [...], "claims": [...], ...} or None, error reason or None)``;
        the facts may also come as ``encode_facts`` gives them.
        Existing facts of those documents are replaced (a rerun never duplicates facts).
        """
        d, f = schema.documents, schema.facts
        results = list(results)
        n = 0
        with self.writer.begin() as conn:
            # lock the documents in id order: concurrent writers of the same documents wait instead of
            # duplicating facts or deadlocking (FOR UPDATE is a no-op on SQLite, where BEGIN IMMEDIATE serialises)
            doc_ids = dict(conn.execute(select(d.c.id, d.c.doc_id).where(d.c.id.in_([r[0] for r in results]))
                                        .order_by(d.c.id).with_for_update()).all())
            for part in _id_chunks([r[0] for r in results]):
                conn.execute(f.delete().where(f.c.document_id.in_(part)))
            rows, statuses = [], []
            for row_id, facts_by_kind, error in results:
                doc_id = doc_ids[row_id]
                statuses.append({"rid": row_id, "st": "failed" if error else "done", "why": error or None})
                if error:
                    continue
                encoded = facts_by_kind if isinstance(facts_by_kind, list) else encode_facts(facts_by_kind)
                for kind, seq, payload, columns in encoded:
                    rows.append({"document_id": row_id, "doc_id": doc_id, "kind": kind, "seq": seq,
                                 "payload": payload, **columns})
            if rows:
                conn.execute(f.insert(), rows)
            n = len(rows)
            if statuses:
                conn.execute(update(d).where(d.c.id == bindparam("rid"))
                             .values(nlp_status=bindparam("st"), nlp_reason=bindparam("why")), statuses)
        return n

    def facts(self, *, kind: str | None = None, document_ids: list[int] | None = None,
              place_key: str | None = None, speaker: str | None = None, decode: bool = True) -> list[dict]:
        """Fact rows with ``payload`` decoded (``decode=False``: the stored JSON text), ordered by
        document, kind order, seq."""
        f, d = schema.facts, schema.documents
        q = (select(f, d.c.outlet, d.c.published, d.c.seq.label("doc_seq"))
             .join(d, d.c.id == f.c.document_id).where(d.c.is_current.is_(True)))
        if kind:
            q = q.where(f.c.kind == kind)
        if place_key:
            q = q.where(f.c.place_key == place_key)
        if speaker:
            q = q.where(f.c.speaker == speaker)
        order = {"place": 0, "claim": 1, "control_change": 2, "event": 3}
        rows = []
        with self.engine.connect() as conn:
            for chunk in _id_chunks(document_ids):
                part = q if chunk is None else q.where(f.c.document_id.in_(chunk))
                rows.extend(dict(r) for r in conn.execute(part).mappings())
        if decode:
            for r in rows:
                r["payload"] = json.loads(r["payload"])
        rows.sort(key=lambda r: (r["doc_seq"], r["document_id"], order.get(r["kind"], 9), r["seq"]))
        return rows

    # ------------------------------------------------------------------ clusters
    def upsert_cluster(self, kind: str, key: str, payload: dict, members: list[dict], conn=None) -> int:
        """Create or replace cluster (kind, key); members: ``{"document_id"?, "fact_id"?, "role"?}``."""
        if conn is None:
            with self.writer.begin() as conn:
                return self.upsert_cluster(kind, key, payload, members, conn=conn)
        c, m = schema.clusters, schema.cluster_members
        existing = conn.execute(select(c.c.id).where(and_(c.c.kind == kind, c.c.key == key))).scalar()
        body = {"payload": json.dumps(payload, ensure_ascii=False, default=str), "updated_at": _now()}
        if existing:
            conn.execute(update(c).where(c.c.id == existing).values(**body))
            conn.execute(m.delete().where(m.c.cluster_id == existing))
            cid = existing
        else:
            cid = conn.execute(c.insert().values(kind=kind, key=key, **body)).inserted_primary_key[0]
        if members:
            conn.execute(m.insert(), [{"cluster_id": cid, "document_id": x.get("document_id"),
                                       "fact_id": x.get("fact_id"), "role": x.get("role")} for x in members])
        return cid

    def delete_cluster(self, kind: str, key: str, conn=None) -> None:
        if conn is None:
            with self.writer.begin() as conn:
                return self.delete_cluster(kind, key, conn=conn)
        c = schema.clusters
        conn.execute(c.delete().where(and_(c.c.kind == kind, c.c.key == key)))

    def clusters(self, kind: str | None = None) -> list[dict]:
        """Clusters with decoded payload and their members."""
        return list(self.iter_clusters(kind))

    def iter_clusters(self, kind: str | None = None, chunk: int = 2000) -> Iterator[dict]:
        """``clusters`` streamed in id order, CHUNK clusters (and their members) per read."""
        c, m = schema.clusters, schema.cluster_members
        after = 0
        while True:
            q = select(c).where(c.c.id > after).order_by(c.c.id).limit(chunk)
            if kind:
                q = q.where(c.c.kind == kind)
            with self.engine.connect() as conn:
                rows = [dict(r) for r in conn.execute(q).mappings()]
                if not rows:
                    return
                members: dict[int, list] = {}
                for r in conn.execute(select(m).where(m.c.cluster_id.between(rows[0]["id"], rows[-1]["id"]))
                                      .order_by(m.c.cluster_id)).mappings():
                    members.setdefault(r["cluster_id"], []).append(dict(r))
            for r in rows:
                r["payload"] = json.loads(r["payload"] or "{}")
                r["members"] = members.get(r["id"], [])
                yield r
            after = rows[-1]["id"]


ID_CHUNK = 10_000   # ids bound per query: PostgreSQL allows 65,535 parameters, SQLite 32,766 or 250,000


def _id_chunks(ids: Iterable[int] | None) -> Iterator[list[int] | None]:
    """``None`` (no id filter) once, or the distinct ids in ascending chunks of ``ID_CHUNK``."""
    if ids is None:
        yield None
        return
    ids = sorted(set(ids))
    for i in range(0, len(ids), ID_CHUNK):
        yield ids[i:i + ID_CHUNK]


def _doc_row(r) -> dict:
    row = dict(r)
    if "meta" in row:
        row["meta"] = json.loads(row["meta"] or "{}")
    return row


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # pysqlite's own transaction handling commits at every SAVEPOINT release and never wraps DDL:
    # switch it off and emit BEGIN ourselves (_sqlite_begin; SQLAlchemy's documented recipe)
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    for attempt in range(200):  # switching a new file to WAL ignores the busy timeout: retry while locked
        try:
            if cur.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 199:
                raise
            time.sleep(0.05)
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("sitrep_write") else "BEGIN")
