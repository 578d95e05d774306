"""Plain data shapes shared by the stages (no behaviour beyond small helpers)."""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field


@dataclass
class Document:
    """One input document after ingest (cleaned), before NLP.

    ``text`` is the cleaned text: every evidence offset downstream refers to it.
    ``status`` is ``ok`` (mine it), ``skipped`` (e.g. not English) or ``failed`` (bad input);
    ``reason`` says why for the latter two (``"SR112 not English (ru)"``).
    """

    doc_id: str
    text: str | None = None
    status: str = "ok"
    reason: str | None = None
    path: str | None = None
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: str | None = None          # YYYY-MM-DD
    published_source: str | None = None   # "file" | "option" | "inferred: <why>"
    lang: str | None = None
    encoding: str | None = None
    content_hash: str | None = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.content_hash is None and self.text and self.status == "ok":
            self.content_hash = text_hash(self.text)

    def to_record(self) -> dict:
        """The CONTRACT.md ``document`` record."""
        return {
            "type": "document", "doc_id": self.doc_id, "path": self.path, "url": self.url,
            "title": self.title, "outlet": self.outlet, "published": self.published,
            "published_source": self.published_source, "lang": self.lang, "status": self.status,
            "reason": self.reason, "encoding": self.encoding, "content_hash": self.content_hash,
            "text": self.text,
        }

    def as_dict(self) -> dict:
        return asdict(self)


def text_hash(text: str) -> str:
    """Content identity: sha256 of the whitespace-normalised cleaned text."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def evidence(text: str, start: int, end: int) -> dict:
    """An evidence object with exact offsets: ``text[start:end] == evidence["text"]``.

    Leading/trailing whitespace is trimmed from the span so offsets stay tight.
    """
    if not (0 <= start <= end <= len(text)):
        raise ValueError(f"evidence span {start}:{end} outside text of length {len(text)}")
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return {"start": start, "end": end, "text": text[start:end]}
