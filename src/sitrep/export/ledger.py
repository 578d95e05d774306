"""The ledger: what the UI, the static report and every export show.

Current facts joined with their document (outlet, date, title), their corroboration (how many
independent sources tell the same event: ``same_event`` clusters), their contradictions
(``contradiction`` clusters) and a status, the same rule as ``sitrep.fuse.timeline``:

    contested   member of a contradiction cluster
    confirmed   asserted (not denied, not an annexation claim) by >= 2 independent sources
    claimed     everything else: a single source, a denial, an annexation claim

    ledger = Ledger.from_store(store)
    ledger.filter(date_from="2022-10-01", side="UKR")   # map/timeline items
    ledger.place_view("gn:702658", store)                # control timeline, reports, contradictions

Items are plain JSON-ready dicts. Text in them is untrusted article text: whoever renders it
escapes it (see serve/static/app.js and serve/report.py).
"""
from __future__ import annotations

import logging
from collections import Counter, defaultdict
from typing import Iterable

log = logging.getLogger("sitrep.ledger")

MAP_KINDS = ("control_change", "event")
CONTROL = "CONTROL_CHANGE"                # pseudo event type of control changes (filters, exports)
REGION_PRECISIONS = {"admin1", "admin2", "country", "natural_feature"}
_FEATURE_PRECISION = {"ADM1": "admin1", "ADM2": "admin2", "ADM3": "admin2", "PCLI": "country", "PCL": "country"}


def precision_of(place: dict | None) -> str | None:
    """The place's precision, else one derived from its GeoNames feature code."""
    if not place:
        return None
    if place.get("precision"):
        return place["precision"]
    feature = ((place.get("resolved") or {}).get("feature") or "").upper()
    if feature.startswith("PPL"):
        return "settlement"
    for code, prec in _FEATURE_PRECISION.items():
        if feature.startswith(code):
            return prec
    return None


def _party(x: dict | None) -> dict | None:
    if not x:
        return None
    return {"name": x.get("name"), "side": x.get("side")}


def fact_status(payload: dict, corroboration: int, contested: bool) -> str:
    if contested:
        return "contested"
    if (payload.get("stance") or "asserted") == "asserted" and corroboration >= 2:
        return "confirmed"
    return "claimed"


def summary(kind: str, p: dict) -> str:
    """One line: ``Lyman: control to UKR (from RUS)``, ``ASSAULT by RUS`` (no place known)."""
    name = (p.get("place") or {}).get("name")
    where = f"{name}: " if name else ""
    if kind == "control_change":
        to = (p.get("to") or {})
        frm = (p.get("from") or {})
        what = {"denied": "denied control change", "annexation_claim": "annexation claim"}.get(
            p.get("stance"), "control")
        s = f"{where}{what} to {to.get('side') or to.get('name') or '?'}"
        return s + (f" (from {frm.get('side') or frm.get('name')})" if frm else "")
    actor = (p.get("actor") or {})
    return f"{where}{p.get('event_type') or 'EVENT'} by {actor.get('side') or actor.get('name') or '?'}"


def evidence_context(text: str | None, ev: dict, limit: int = 320) -> dict:
    """The sentence around an evidence span, split so the span itself can be highlighted."""
    ev = ev or {}
    start, end, snippet = ev.get("start", 0), ev.get("end", 0), ev.get("text") or ""
    if not text or text[start:end] != snippet:
        return {"before": "", "match": snippet, "after": ""}
    s = start
    while s > 0 and start - s < limit and not (text[s - 1] in ".!?\n" and (s >= len(text) or text[s].isspace())):
        s -= 1
    e = end
    while e < len(text) and e - end < limit and not (text[e - 1] in ".!?" and text[e].isspace()) \
            and text[e] != "\n":
        e += 1
    return {"before": text[s:start].lstrip(), "match": snippet, "after": text[end:e].rstrip()}


class Ledger:
    """Facts of the store's current documents, indexed for the UI, the report and exports."""

    def __init__(self, docs: list[dict], facts: Iterable[dict], clusters: list[dict]):
        self.docs = {d["id"]: d for d in docs}
        self.clusters = clusters
        self.corroboration: dict[int, tuple[int, list[str]]] = {}
        self.contradictions: dict[int, list[int]] = defaultdict(list)
        self.fused: set[int] = set()       # fact ids in some same_event cluster
        self._index_clusters(clusters)
        self.items: list[dict] = []      # control changes and events (the map)
        self.claims: list[dict] = []
        self.places_mentioned: list[dict] = []
        for f in facts:
            item = self._item(f)
            if f["kind"] in MAP_KINDS:
                self.items.append(item)
            elif f["kind"] == "claim":
                self.claims.append(item)
            else:
                self.places_mentioned.append(item)
        self.by_id = {i["id"]: i for i in self.items + self.claims + self.places_mentioned}
        self.items.sort(key=lambda i: (i["day"] or "9999", i["id"]))
        self.by_place: dict[str, list[dict]] = defaultdict(list)
        self.by_speaker: dict[str, list[dict]] = defaultdict(list)
        for i in self.items:
            if i["place_key"]:
                self.by_place[i["place_key"]].append(i)
        for i in self.claims + self.items:
            if i["speaker"]:
                self.by_speaker[i["speaker"]].append(i)
        self._places: list[dict] | None = None
        self._speakers: list[dict] | None = None

    @classmethod
    def from_store(cls, store, *, with_places: bool = False) -> "Ledger":
        kinds = ("place", "claim", "control_change", "event") if with_places else ("claim", *MAP_KINDS)
        facts = [f for k in kinds for f in store.facts(kind=k)]
        return cls(store.documents(with_text=False), facts, store.clusters())

    # ------------------------------------------------------------------ building
    def _index_clusters(self, clusters: list[dict]) -> None:
        for c in clusters:
            fact_ids = [m["fact_id"] for m in c["members"] if m.get("fact_id") is not None]
            if c["kind"] == "same_event":
                outlets = list(c["payload"].get("outlets") or [])
                if not outlets:
                    outlets = sorted({(self.docs.get(m.get("document_id")) or {}).get("outlet") or ""
                                      for m in c["members"]} - {""})
                n = int(c["payload"].get("n_sources") or len(outlets) or len(
                    {m.get("document_id") for m in c["members"]}))
                self.fused.update(fact_ids)
                for fid in fact_ids:
                    if n > self.corroboration.get(fid, (0, []))[0]:
                        self.corroboration[fid] = (n, outlets)
            elif c["kind"] == "contradiction":
                for fid in fact_ids:
                    self.contradictions[fid].append(c["id"])

    def _item(self, f: dict) -> dict:
        p, kind = f["payload"], f["kind"]
        doc = self.docs.get(f["document_id"]) or {}
        place = p if kind == "place" else (p.get("place") or {})
        res = place.get("resolved") or {}
        n, outlets = self.corroboration.get(f["id"], (1, [doc.get("outlet")] if doc.get("outlet") else []))
        contested = bool(self.contradictions.get(f["id"]))
        if kind == "control_change":
            actor, target, etype = _party(p.get("to")), _party(p.get("from")), CONTROL
        else:
            actor, target, etype = _party(p.get("actor")), _party(p.get("target")), p.get("event_type")
        if kind == "claim":
            actor = _party(p.get("speaker"))
        asserted = _party(p.get("asserted_by"))
        speaker = (p.get("speaker") or {}).get("name") if kind == "claim" else (asserted or {}).get("name")
        sides = sorted({x["side"] for x in (actor, target) if x and x.get("side")})
        return {
            "id": f["id"], "kind": kind, "doc_id": f["doc_id"], "document_id": f["document_id"],
            "outlet": doc.get("outlet"), "published": doc.get("published"), "title": doc.get("title"),
            "url": doc.get("url"),
            "date": p.get("date"), "date_precision": p.get("date_precision") if p.get("date") else None,
            "day": p.get("date") or doc.get("published"), "date_inferred": not p.get("date"),
            "event_type": etype if kind in MAP_KINDS else None, "mode": p.get("mode"),
            "place_key": f.get("place_key"), "place_name": place.get("name"),
            "place_resolved": res.get("name"), "lat": res.get("lat"), "lon": res.get("lon"),
            "precision": precision_of(place), "country": res.get("country"), "admin1": res.get("admin1"),
            "admin2": res.get("admin2"), "geonames_id": res.get("geonames_id"), "feature": res.get("feature"),
            "side": (actor or {}).get("side"), "sides": sides, "actor": actor, "target": target,
            "stance": p.get("stance"), "asserted_by": asserted, "speaker": speaker,
            "speaker_title": (p.get("speaker") or {}).get("title") if kind == "claim" else None,
            "claim_kind": p.get("kind") if kind == "claim" else None,
            "text": p.get("text") if kind == "claim" else None,
            "confidence": p.get("confidence"), "quantities": p.get("quantities") or [],
            "evidence": p.get("evidence") or {},
            "corroboration": n, "outlets": outlets, "contested": contested,
            "contradictions": list(self.contradictions.get(f["id"], [])),
            "status": fact_status(p, n, contested) if kind in MAP_KINDS else None,
            "summary": summary(kind, p) if kind in MAP_KINDS else None,
            "payload": p,
        }

    # ------------------------------------------------------------------ queries
    def filter(self, *, date_from: str | None = None, date_to: str | None = None, side: str | None = None,
               event_type: str | None = None, speaker: str | None = None, place: str | None = None,
               kind: str | None = None, status: str | None = None, located: bool = False) -> list[dict]:
        """Map/timeline items matching every given filter (dates inclusive, on ``day``)."""
        out = []
        for i in self.items:
            if date_from and (not i["day"] or i["day"] < date_from):
                continue
            if date_to and (not i["day"] or i["day"] > date_to):
                continue
            if side and side not in i["sides"]:
                continue
            if event_type and i["event_type"] != event_type:
                continue
            if speaker and i["speaker"] != speaker:
                continue
            if place and i["place_key"] != place:
                continue
            if kind and i["kind"] != kind:
                continue
            if status and i["status"] != status:
                continue
            if located and (i["lat"] is None or i["lon"] is None):
                continue
            out.append(i)
        return out

    def places(self) -> list[dict]:
        """One row per place with control changes or events (latest controller by date)."""
        if self._places is None:
            self._places = [self._place_row(key, items) for key, items in self.by_place.items()]
            self._places.sort(key=lambda r: (-r["n_reports"], r["name"] or ""))
        return self._places

    @staticmethod
    def _place_row(key: str, items: list[dict]) -> dict:
        first = next((i for i in items if i["lat"] is not None), items[0])
        ccs = [i for i in items if i["kind"] == "control_change" and i["stance"] != "denied"]
        last = max(ccs, key=lambda i: (i["day"] or "", i["id"])) if ccs else None
        days = [i["day"] for i in items if i["day"]]
        return {"key": key, "name": first["place_resolved"] or first["place_name"],
                "lat": first["lat"], "lon": first["lon"], "precision": first["precision"],
                "country": first["country"], "admin1": first["admin1"],
                "n_reports": len(items), "n_control_changes": len(ccs),
                "controller": (last or {}).get("side"), "controller_status": (last or {}).get("status"),
                "contested": any(i["contested"] for i in items),
                "first_day": min(days, default=None), "last_day": max(days, default=None)}

    def place_view(self, key: str, store, *, with_context: bool = True) -> dict | None:
        """Control timeline, every report (evidence in its sentence) and contradictions side by side."""
        items = self.by_place.get(key)
        if not items:
            return None
        summary_row = self._place_row(key, items)
        texts = _texts(store, {i["document_id"] for i in items}
                       | {self.by_id[f]["document_id"] for c in self._contradictions_of(items)
                          for f in c["fact_ids"] if f in self.by_id}) if with_context else None
        reports = [self._with_context(i, texts) for i in sorted(items, key=lambda i: (i["day"] or "", i["id"]))]
        contradictions = []
        for c in self._contradictions_of(items):
            sides = [self._with_context(self.by_id[f], texts) for f in c["fact_ids"] if f in self.by_id]
            contradictions.append({"id": c["id"], "key": c["key"], "payload": c["payload"], "sides": sides})
        return {"place": summary_row, "timeline": control_timeline(store, key, self), "reports": reports,
                "contradictions": contradictions}

    def _contradictions_of(self, items: list[dict]) -> list[dict]:
        ids = {c for i in items for c in i["contradictions"]}
        out = []
        for c in self.clusters:
            if c["id"] in ids:
                out.append({"id": c["id"], "key": c["key"], "payload": c["payload"],
                            "fact_ids": [m["fact_id"] for m in c["members"] if m.get("fact_id") is not None]})
        return out

    def _with_context(self, item: dict, texts: dict[int, str | None] | None) -> dict:
        out = {k: v for k, v in item.items() if k != "payload"}
        if texts is not None:
            out["context"] = evidence_context(texts.get(item["document_id"]), item["evidence"])
        return out

    def speakers(self) -> list[dict]:
        """Everyone quoted (claims) or asserting a control change/event, with counts."""
        if self._speakers is None:
            self._speakers = self._speaker_rows()
        return self._speakers

    def _speaker_rows(self) -> list[dict]:
        rows: dict[str, dict] = {}
        for i in self.claims + self.items:
            name = i["speaker"]
            if not name:
                continue
            r = rows.setdefault(name, {"name": name, "side": None, "title": None, "n_claims": 0,
                                       "n_assertions": 0, "outlets": set()})
            who = i["actor"] if i["kind"] == "claim" else i["asserted_by"]
            r["side"] = r["side"] or (who or {}).get("side")
            r["title"] = r["title"] or i.get("speaker_title")
            r["n_claims" if i["kind"] == "claim" else "n_assertions"] += 1
            if i["outlet"]:
                r["outlets"].add(i["outlet"])
        out = [{**r, "outlets": sorted(r["outlets"])} for r in rows.values()]
        out.sort(key=lambda r: (-(r["n_claims"] + r["n_assertions"]), r["name"]))
        return out

    def speaker_view(self, name: str, store, *, with_context: bool = True) -> dict | None:
        mine = self.by_speaker.get(name) or []
        claims = [i for i in mine if i["kind"] == "claim"]
        assertions = [i for i in mine if i["kind"] != "claim"]
        if not mine:
            return None
        texts = _texts(store, {i["document_id"] for i in mine}) if with_context else None
        row = next(r for r in self.speakers() if r["name"] == name)
        key = lambda i: (i["day"] or "", i["id"])  # noqa: E731
        return {"speaker": row, "claims": [self._with_context(i, texts) for i in sorted(claims, key=key)],
                "assertions": [self._with_context(i, texts) for i in sorted(assertions, key=key)]}

    def stats(self) -> dict:
        days = [i["day"] for i in self.items if i["day"]]
        statuses = Counter(d["status"] for d in self.docs.values())
        return {
            "documents": len(self.docs), "documents_by_status": dict(statuses),
            "facts": {"control_change": sum(i["kind"] == "control_change" for i in self.items),
                      "event": sum(i["kind"] == "event" for i in self.items), "claim": len(self.claims)},
            "clusters": dict(Counter(c["kind"] for c in self.clusters)),
            "date_min": min(days, default=None), "date_max": max(days, default=None),
            "sides": sorted({s for i in self.items for s in i["sides"]}),
            "event_types": sorted({i["event_type"] for i in self.items if i["event_type"]}),
            "speakers": sorted({i["speaker"] for i in self.items + self.claims if i["speaker"]}),
            "statuses": ["confirmed", "claimed", "contested"],
            "places": len({i["place_key"] for i in self.items if i["place_key"]}),
            "located": sum(1 for i in self.items if i["lat"] is not None and i["lon"] is not None),
        }


def contexts(store, items: list[dict]) -> dict[int, dict]:
    """Evidence sentences for many items at once: ``{fact id: context}``."""
    texts = _texts(store, {i["document_id"] for i in items})
    return {i["id"]: evidence_context(texts.get(i["document_id"]), i["evidence"]) for i in items}


def _texts(store, document_ids: set[int]) -> dict[int, str | None]:
    ids, out = sorted(document_ids), {}
    for k in range(0, len(ids), 500):
        out.update({d["id"]: d.get("text") for d in store.documents(ids=ids[k:k + 500])})
    return out


def control_timeline(store, key: str, ledger: Ledger) -> list[dict]:
    """Who held a place when: ``sitrep.fuse.timeline.control_timeline`` when installed and it
    knows the place (fusion ran), else the place's control changes by date (grouped by day,
    controller and stance)."""
    try:
        from sitrep.fuse.timeline import control_timeline as fused
    except ImportError:
        fused = None
    ccs = [i for i in ledger.by_place.get(key, []) if i["kind"] == "control_change"]
    if fused is not None and any(i["id"] in ledger.fused for i in ccs):  # else fusion has nothing to say
        try:
            entries = [dict(e) for e in fused(store, key)]
            if entries:
                return entries
        except Exception as exc:  # noqa: BLE001 - the UI must still show the place
            log.warning("SR601 control_timeline(%s) failed, using control changes: %s", key, exc)
    entries: dict[tuple, dict] = {}
    for i in ccs:
        k = (i["day"], (i["actor"] or {}).get("side"), i["stance"])
        e = entries.setdefault(k, {"date": i["day"], "controller": k[1],
                                   "controller_name": (i["actor"] or {}).get("name"),
                                   "status": i["status"], "stance": i["stance"], "sources": []})
        e["sources"].append({"fact_id": i["id"], "doc_id": i["doc_id"], "outlet": i["outlet"],
                             "asserted_by": i["asserted_by"], "status": i["status"]})
        ranks = {"contested": 0, "claimed": 1, "confirmed": 2}
        if ranks[i["status"]] > ranks.get(e["status"], 0):
            e["status"] = i["status"]
        if any(s["status"] == "contested" for s in e["sources"]):
            e["status"] = "contested"
    out = sorted(entries.values(), key=lambda e: (e["date"] or "9999", e["controller"] or ""))
    for e in out:
        e["n_sources"] = len({s["outlet"] or s["doc_id"] for s in e["sources"]})
    return out
