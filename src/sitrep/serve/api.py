"""The read-only JSON API under ``/api`` (the UI uses nothing else; schema at ``/openapi.json``).

    GET /api/stats                      counts, date range, sides, event types, speakers
    GET /api/events?date_from&date_to&side&event_type&speaker&place&kind&status&located
                                        control changes and events (the map and the timeline)
    GET /api/facts?kind=claim|...       the same items with their CONTRACT payload
    GET /api/documents[/{doc_id}]       documents (one: with text and its facts)
    GET /api/places, /api/place?key=    places; one place: control timeline, reports, contradictions
    GET /api/speakers, /api/speaker?name=   speakers; one speaker: claims and assertions
    GET /api/clusters?kind=             fused groups with their members
    GET /api/basemap                    Natural Earth country outlines (TopoJSON), 404 when not built
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, Optional, Union

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, ConfigDict

DATE = r"^\d{4}-\d{2}-\d{2}$"
Kind = Literal["control_change", "event", "claim"]
Status = Literal["confirmed", "claimed", "contested"]


class Party(BaseModel):
    name: Optional[str] = None
    side: Optional[str] = None


class Evidence(BaseModel):
    start: int = 0
    end: int = 0
    text: str = ""


class Context(BaseModel):
    """The evidence sentence: ``before + match + after``; ``match`` is the evidence span."""
    before: str
    match: str
    after: str


class Item(BaseModel):
    """A control change, event or claim with its document, corroboration and status."""
    id: int
    kind: str
    doc_id: str
    document_id: int
    outlet: Optional[str] = None
    published: Optional[str] = None
    title: Optional[str] = None
    url: Optional[str] = None
    date: Optional[str] = None
    date_precision: Optional[str] = None
    day: Optional[str] = None
    date_inferred: bool = False
    event_type: Optional[str] = None
    mode: Union[str, list[str], None] = None
    place_key: Optional[str] = None
    place_name: Optional[str] = None
    place_resolved: Optional[str] = None
    lat: Optional[float] = None
    lon: Optional[float] = None
    precision: Optional[str] = None
    country: Optional[str] = None
    admin1: Optional[str] = None
    admin2: Optional[str] = None
    geonames_id: Union[int, str, None] = None
    feature: Optional[str] = None
    side: Optional[str] = None
    sides: list[str] = []
    actor: Optional[Party] = None
    target: Optional[Party] = None
    stance: Optional[str] = None
    asserted_by: Optional[Party] = None
    speaker: Optional[str] = None
    speaker_title: Optional[str] = None
    claim_kind: Optional[str] = None
    text: Optional[str] = None
    confidence: Optional[float] = None
    quantities: list[dict[str, Any]] = []
    evidence: Evidence
    corroboration: int = 1
    outlets: list[str] = []
    contested: bool = False
    contradictions: list[int] = []
    status: Optional[str] = None
    summary: Optional[str] = None
    context: Optional[Context] = None
    payload: Optional[dict[str, Any]] = None


class ItemPage(BaseModel):
    total: int
    items: list[Item]


class Stats(BaseModel):
    documents: int
    documents_by_status: dict[str, int]
    facts: dict[str, int]
    clusters: dict[str, int]
    date_min: Optional[str] = None
    date_max: Optional[str] = None
    sides: list[str]
    event_types: list[str]
    speakers: list[str]
    statuses: list[str]
    places: int
    located: int
    basemap: bool = False
    fusion: bool = False


class Document(BaseModel):
    id: int
    doc_id: str
    version: int
    title: Optional[str] = None
    outlet: Optional[str] = None
    published: Optional[str] = None
    url: Optional[str] = None
    path: Optional[str] = None
    lang: Optional[str] = None
    status: str
    reason: Optional[str] = None
    nlp_status: Optional[str] = None
    text: Optional[str] = None
    facts: Optional[list[Item]] = None


class DocumentPage(BaseModel):
    total: int
    items: list[Document]


class Place(BaseModel):
    key: str
    name: Optional[str] = None
    lat: Optional[float] = None
    lon: Optional[float] = None
    precision: Optional[str] = None
    country: Optional[str] = None
    admin1: Optional[str] = None
    n_reports: int
    n_control_changes: int
    controller: Optional[str] = None
    controller_status: Optional[str] = None
    contested: bool
    first_day: Optional[str] = None
    last_day: Optional[str] = None


class TimelineEntry(BaseModel):
    """Who controlled the place from ``date`` on (``sitrep.fuse.timeline`` when installed;
    its extra fields, e.g. ``date_source`` and ``outlets``, pass through)."""
    model_config = ConfigDict(extra="allow")
    date: Optional[str] = None
    controller: Optional[str] = None
    controller_name: Optional[str] = None
    status: Optional[str] = None
    stance: Optional[str] = None
    sources: list[Any] = []
    n_sources: int = 0


class Contradiction(BaseModel):
    id: int
    key: str
    payload: dict[str, Any] = {}
    sides: list[Item]


class PlaceView(BaseModel):
    place: Place
    timeline: list[TimelineEntry]
    reports: list[Item]
    contradictions: list[Contradiction]


class Speaker(BaseModel):
    name: str
    side: Optional[str] = None
    title: Optional[str] = None
    n_claims: int
    n_assertions: int
    outlets: list[str]


class SpeakerView(BaseModel):
    speaker: Speaker
    claims: list[Item]
    assertions: list[Item]


class Member(BaseModel):
    fact_id: Optional[int] = None
    document_id: Optional[int] = None
    doc_id: Optional[str] = None
    role: Optional[str] = None
    outlet: Optional[str] = None
    summary: Optional[str] = None


class Cluster(BaseModel):
    id: int
    kind: str
    key: str
    payload: dict[str, Any]
    updated_at: Optional[str] = None
    members: list[Member]


router = APIRouter(prefix="/api", tags=["sitrep"])


def _ledger(request: Request):
    return request.app.state.ledger()


def _store(request: Request):
    return request.app.state.store


def _lean(items: list[dict]) -> list[dict]:
    return [{k: v for k, v in i.items() if k != "payload"} for i in items]


@router.get("/stats", response_model=Stats)
def stats(request: Request):
    from sitrep.serve.basemap import basemap_path

    out = _ledger(request).stats()
    out["basemap"] = basemap_path() is not None
    out["fusion"] = request.app.state.fusion_available()
    return out


@dataclass
class Filters:
    """The filters /events and /facts share (dates inclusive; an item's day is its own date, else
    its document's publication date) and the page asked for."""
    date_from: Optional[str]
    date_to: Optional[str]
    side: Optional[str]
    speaker: Optional[str]
    place: Optional[str]
    limit: int
    offset: int

    def page(self, items: list) -> list:
        return items[self.offset:self.offset + self.limit]


def filters(date_from: Optional[str] = Query(None, pattern=DATE), date_to: Optional[str] = Query(None, pattern=DATE),
            side: Optional[str] = None, speaker: Optional[str] = None,
            place: Optional[str] = Query(None, description="a place key from /api/places"),
            limit: int = Query(10000, ge=1, le=100000), offset: int = Query(0, ge=0)) -> Filters:
    return Filters(date_from, date_to, side, speaker, place, limit, offset)


@router.get("/events", response_model=ItemPage)
def events(request: Request, f: Annotated[Filters, Depends(filters)], event_type: Optional[str] = None,
           kind: Optional[Literal["control_change", "event"]] = None, status: Optional[Status] = None,
           located: bool = False):
    """Control changes and events matching every filter."""
    items = _ledger(request).filter(date_from=f.date_from, date_to=f.date_to, side=f.side, event_type=event_type,
                                    speaker=f.speaker, place=f.place, kind=kind, status=status, located=located)
    # the ledger's items already have the Item shape (tests/test_serve_api.py checks it): skip
    # re-validating thousands of them on every map refresh
    return JSONResponse({"total": len(items), "items": _lean(f.page(items))})


@router.get("/facts", response_model=ItemPage)
def facts(request: Request, f: Annotated[Filters, Depends(filters)], kind: Optional[Kind] = None,
          doc_id: Optional[str] = None):
    """Control changes, events and claims with their CONTRACT.md payload."""
    ledger = _ledger(request)
    out = []
    for i in ledger.items + ledger.claims:
        if kind and i["kind"] != kind or doc_id and i["doc_id"] != doc_id:
            continue
        if f.date_from and (not i["day"] or i["day"] < f.date_from) or f.date_to and (not i["day"] or i["day"] > f.date_to):
            continue
        if f.side and f.side not in i["sides"] and (i["actor"] or {}).get("side") != f.side:
            continue
        if f.speaker and i["speaker"] != f.speaker or f.place and i["place_key"] != f.place:
            continue
        out.append(i)
    out.sort(key=lambda i: i["id"])
    return {"total": len(out), "items": f.page(out)}


@router.get("/documents", response_model=DocumentPage)
def documents(request: Request, status: Optional[Literal["ok", "skipped", "failed"]] = None,
              limit: int = Query(1000, ge=1, le=100000), offset: int = Query(0, ge=0)):
    docs = _store(request).documents(status=status, with_text=False)
    return {"total": len(docs), "items": docs[offset:offset + limit]}


@router.get("/documents/{doc_id:path}", response_model=Document)
def document(request: Request, doc_id: str):
    """The current version of one document, with its cleaned text and its facts."""
    store = _store(request)
    row = next((d["id"] for d in store.documents(with_text=False) if d["doc_id"] == doc_id), None)
    doc = store.document(row) if row is not None else None
    if doc is None:
        raise HTTPException(404, "no such document")
    ledger = _ledger(request)
    doc["facts"] = sorted((i for i in ledger.items + ledger.claims if i["document_id"] == doc["id"]),
                          key=lambda i: i["id"])
    return doc


@router.get("/places", response_model=list[Place])
def places(request: Request):
    return _ledger(request).places()


@router.get("/place", response_model=PlaceView)
def place(request: Request, key: str = Query(..., description="a place key from /api/places")):
    view = _ledger(request).place_view(key, _store(request))
    if view is None:
        raise HTTPException(404, "no such place")
    return view


@router.get("/speakers", response_model=list[Speaker])
def speakers(request: Request):
    return _ledger(request).speakers()


@router.get("/speaker", response_model=SpeakerView)
def speaker(request: Request, name: str = Query(..., description="a speaker name from /api/speakers")):
    view = _ledger(request).speaker_view(name, _store(request))
    if view is None:
        raise HTTPException(404, "no such speaker")
    return view


@router.get("/clusters", response_model=list[Cluster])
def clusters(request: Request,
             kind: Optional[Literal["wire_copy", "same_event", "same_claim", "contradiction"]] = None):
    ledger = _ledger(request)
    out = []
    for c in ledger.clusters:
        if kind and c["kind"] != kind:
            continue
        members = []
        for m in c["members"]:
            item = ledger.by_id.get(m.get("fact_id")) if m.get("fact_id") is not None else None
            doc = ledger.docs.get(m.get("document_id") or (item or {}).get("document_id")) or {}
            members.append({"fact_id": m.get("fact_id"), "document_id": m.get("document_id"),
                            "doc_id": doc.get("doc_id"), "role": m.get("role"), "outlet": doc.get("outlet"),
                            "summary": (item or {}).get("summary") or (item or {}).get("text")})
        out.append({"id": c["id"], "kind": c["kind"], "key": c["key"], "payload": c["payload"],
                    "updated_at": c.get("updated_at"), "members": members})
    return out


@router.get("/basemap", responses={200: {"content": {"application/json": {}},
                                         "description": "TopoJSON Topology (object `countries`)"},
                                   404: {"description": "basemap not built"}})
def basemap():
    """Natural Earth 1:50m country outlines (TopoJSON from world-atlas), if the build step ran."""
    from sitrep.serve.basemap import basemap_path

    path = basemap_path()
    if path is None:
        raise HTTPException(404, "basemap not installed: run `python -m sitrep.serve.basemap`")
    return FileResponse(path, media_type="application/json")
