"""A small, realistic store for the UI/report/export tests, built without the NLP stages.

    from uifixture import build_store
    ids = build_store(store)                 # six short articles (articles/a*.txt) + their facts + clusters
    ids = build_store(store, hostile=True)   # ... plus articles/x1.txt: HTML/JS payloads everywhere
    ids = build_store(store, clusters=False) # no hand-made clusters (run sitrep.fuse yourself)

Facts are shaped per shared/CONTRACT.md; evidence offsets are exact (found by substring).
Returns ``{"docs": {doc_id: row_id}, "facts": {name: fact_id}, "clusters": {name: cluster_id}}``.
"""
from __future__ import annotations

from pathlib import Path

from sitrep.models import Document

HERE = Path(__file__).resolve().parent
XSS = "window.pwned=1"

LYMAN = {"name": "Lyman", "geonames_id": 702658, "lat": 48.99, "lon": 37.80, "country": "UA",
         "admin1": "Donetsk", "admin2": "Kramatorsk Raion", "feature": "PPLA3"}
DUDCHANY = {"name": "Dudchany", "geonames_id": 709000, "lat": 47.191, "lon": 33.78, "country": "UA",
            "admin1": "Kherson", "admin2": None, "feature": "PPL"}
NOVOPETRIVKA = {"name": "Novopetrivka", "geonames_id": 699999, "lat": 47.43, "lon": 33.467, "country": "UA",
                "admin1": "Kherson", "admin2": None, "feature": "PPL"}
KHERSON_OBL = {"name": "Kherson Oblast", "geonames_id": 706442, "lat": 46.8, "lon": 33.2, "country": "UA",
               "admin1": "Kherson", "admin2": None, "feature": "ADM1"}
DONETSK_OBL = {"name": "Donetsk Oblast", "geonames_id": 709716, "lat": 48.0, "lon": 37.8, "country": "UA",
               "admin1": "Donetsk", "admin2": None, "feature": "ADM1"}
KREMINNA = {"name": "Kreminna", "geonames_id": 704202, "lat": 49.05, "lon": 38.22, "country": "UA",
            "admin1": "Luhansk", "admin2": None, "feature": "PPL"}

UKR_FORCES = {"name": "Armed Forces of Ukraine", "side": "UKR"}
RUS_FORCES = {"name": "Russian forces", "side": "RUS"}

DOCS = [  # doc_id, outlet, published, title, url
    ("a1", "Kyiv Independent", "2022-10-01", "Ukraine retakes Lyman", "https://example.org/a1"),
    ("a2", "Reuters", "2022-10-01", "Russia says troops left Lyman", "https://example.org/a2"),
    ("a3", "TASS", "2022-10-03", "Saldo: situation under control", "https://example.org/a3"),
    ("a4", "The Guardian", "2022-10-04", "Advance on the Dnipro", "https://example.org/a4"),
    ("a5", "BBC", "2022-09-30", "Putin signs annexation treaties", "https://example.org/a5"),
    ("a6", "Kyiv Independent", "2022-10-05", "Fighting near Kreminna", None),
]
HOSTILE_DOC = ("x1", "<img src=x onerror=\"window.pwned=1;alert(1)\">Evil Outlet", "2022-10-02",
               "<script>window.pwned=1</script><b>Pwn</b> title", "javascript:window.pwned=1")


def text_of(doc_id: str) -> str:
    return (HERE / "articles" / f"{doc_id}.txt").read_text(encoding="utf-8").strip()


def ev(text: str, snippet: str) -> dict:
    start = text.index(snippet)
    return {"start": start, "end": start + len(snippet), "text": snippet}


def place(text, name, resolved, precision):
    return {"name": name, "resolved": resolved, "precision": precision, "evidence": ev(text, name)}


def cc(text, snippet, name, resolved, precision, to, frm, asserted_by, date, stance="asserted", conf=0.9):
    return {"place": {"name": name, "resolved": resolved, "precision": precision}, "to": to, "from": frm,
            "asserted_by": asserted_by, "stance": stance, "date": date, "date_precision": "day" if date else None,
            "confidence": conf, "evidence": ev(text, snippet)}


def event(text, snippet, etype, mode, actor, target, name, resolved, precision, date, asserted_by=None,
          quantities=()):
    return {"event_type": etype, "mode": mode, "actor": actor, "target": target,
            "place": {"name": name, "resolved": resolved, "precision": precision}, "date": date,
            "date_precision": "day" if date else None, "quantities": list(quantities),
            "asserted_by": asserted_by, "evidence": ev(text, snippet)}


def claim(text, name, title, side, content, kind="direct"):
    start = text.index(content)
    return {"speaker": {"name": name, "title": title, "side": side}, "kind": kind, "text": content,
            "text_span": {"start": start, "end": start + len(content)}, "evidence": ev(text, content)}


def facts_for(doc_id: str, t: str) -> dict:
    if doc_id == "a1":
        return {"places": [place(t, "Lyman", LYMAN, "settlement")],
                "control_changes": [cc(t, "Ukrainian forces recaptured Lyman on Saturday after encircling the "
                                          "Russian garrison.", "Lyman", LYMAN, "settlement", UKR_FORCES,
                                       RUS_FORCES, None, "2022-10-01")],
                "events": [event(t, "Ukrainian forces recaptured Lyman", "ASSAULT", "ground", UKR_FORCES,
                                 RUS_FORCES, "Lyman", LYMAN, "settlement", "2022-10-01")],
                "claims": [claim(t, "Volodymyr Zelensky", "President", "UKR", "Our soldiers do not stop")]}
    if doc_id == "a2":
        mod = {"name": "Russian Ministry of Defence", "side": "RUS"}
        return {"places": [place(t, "Lyman", LYMAN, "settlement")],
                "control_changes": [cc(t, "Russia's defence ministry said its troops had withdrawn from Lyman",
                                       "Lyman", LYMAN, "settlement", UKR_FORCES, RUS_FORCES, mod, "2022-10-01")],
                "events": [event(t, "its troops had withdrawn from Lyman", "RETREAT", None, RUS_FORCES, None,
                                 "Lyman", LYMAN, "settlement", "2022-10-01", asserted_by=mod)],
                "claims": [claim(t, "Dmitry Peskov", "Kremlin spokesman", "RUS", "will be with Russia forever",
                                 kind="indirect")]}
    if doc_id == "a3":
        saldo = {"name": "Vladimir Saldo", "side": "RUS"}
        return {"places": [place(t, "Dudchany", DUDCHANY, "settlement")],
                "control_changes": [cc(t, "denied on Monday that Ukrainian troops had taken Dudchany", "Dudchany",
                                       DUDCHANY, "settlement", {"name": "Ukrainian troops", "side": "UKR"}, None,
                                       saldo, "2022-10-03", stance="denied")],
                "claims": [claim(t, "Vladimir Saldo", "Russian-installed head of Kherson region", "RUS",
                                 "The situation is under control")]}
    if doc_id == "a4":
        officials = {"name": "Ukrainian officials", "side": "UKR"}
        troops = {"name": "Ukrainian troops", "side": "UKR"}
        return {"places": [place(t, "Dudchany", DUDCHANY, "settlement"),
                           place(t, "Novopetrivka", NOVOPETRIVKA, "settlement"),
                           place(t, "Kherson Oblast", KHERSON_OBL, "admin1")],
                "control_changes": [
                    cc(t, "Ukrainian troops took Dudchany", "Dudchany", DUDCHANY, "settlement", troops, RUS_FORCES,
                       officials, "2022-10-04"),
                    cc(t, "Ukrainian troops took Dudchany and Novopetrivka", "Novopetrivka", NOVOPETRIVKA,
                       "settlement", troops, RUS_FORCES, officials, "2022-10-04", conf=0.7)],
                "events": [event(t, "Russian artillery shelled positions across Kherson Oblast overnight.",
                                 "ASSAULT", "shelling", {"name": "Russian artillery", "side": "RUS"}, None,
                                 "Kherson Oblast", KHERSON_OBL, "admin1", "2022-10-04",
                                 quantities=[{"value": 2, "unit": "killed"}])]}
    if doc_id == "a5":
        putin = {"name": "Vladimir Putin", "side": "RUS"}
        return {"places": [place(t, "Donetsk", DONETSK_OBL, "admin1")],
                "control_changes": [cc(t, "Vladimir Putin signed treaties annexing Donetsk region", "Donetsk",
                                       DONETSK_OBL, "admin1", {"name": "Russia", "side": "RUS"}, None, putin,
                                       "2022-09-30", stance="annexation_claim")],
                "claims": [claim(t, "Vladimir Putin", "President", "RUS",
                                 "We will defend our land with all the means at our disposal")]}
    if doc_id == "a6":
        return {"places": [place(t, "Kreminna", KREMINNA, "settlement")],
                "events": [event(t, "Ukrainian forces attacked Russian positions near Kreminna", "ASSAULT", "ground",
                                 UKR_FORCES, RUS_FORCES, "Kreminna", KREMINNA, "settlement", None,
                                 asserted_by={"name": "Serhiy Haidai", "side": "UKR"})]}
    if doc_id == "x1":
        evil_place = "<img src=x onerror=\"window.pwned=1;alert(1)\">Townsville"
        res = {"name": "<svg onload=\"window.pwned=1\">Townsville</svg>", "geonames_id": None, "lat": 48.5,
               "lon": 36.0, "country": "<b>UA</b>", "admin1": "<script>window.pwned=1</script>", "admin2": None,
               "feature": "PPL"}
        evil_speaker = "<svg onload=\"window.pwned=1\">Mr Evil</svg>"
        rebels = {"name": "<script>window.pwned=1</script>Rebels", "side": "<i onmouseover=alert(1)>RBL</i>"}
        return {"places": [place(t, evil_place, res, "settlement")],
                "control_changes": [cc(t, "Rebels took " + evil_place, evil_place, res, "settlement", rebels, None,
                                       {"name": evil_speaker, "side": "RUS"}, "2022-10-02")],
                "events": [event(t, "Rebels took", "<img src=x onerror=alert(1)>", "javascript:alert(1)", rebels,
                                 None, evil_place, res, "settlement", "2022-10-02")],
                "claims": [claim(t, evil_speaker, "<script>window.pwned=1</script>", "RUS",
                                 "<b onmouseover=alert(1)>Hello</b> <a href=\"javascript:window.pwned=1\">click</a>")]}
    raise KeyError(doc_id)


def build_store(store, hostile: bool = False, clusters: bool = True) -> dict:
    specs = DOCS + ([HOSTILE_DOC] if hostile else [])
    docs = [Document(doc_id=d, text=text_of(d), outlet=o, published=p, title=ti, url=u, lang="en",
                     path=f"articles/{d}.txt") for d, o, p, ti, u in specs]
    docs.append(Document(doc_id="ru1", text=None, status="skipped", reason="SR112 not English (ru)",
                         path="articles/ru1.txt"))
    docs.append(Document(doc_id="bad1", text=None, status="failed", reason="SR103 binary file",
                         path="articles/bad1.bin"))
    rows = {doc.doc_id: row for doc, _action, row in store.add_documents(docs)}
    store.save_results([(rows[d], facts_for(d, text_of(d)), None) for d, *_ in specs])
    fid: dict[str, int] = {}
    for f in store.facts():
        fid.setdefault(f"{f['doc_id']}.{f['kind']}.{f['seq']}", f["id"])
    if not clusters:  # leave fusion to sitrep.fuse
        return {"docs": rows, "facts": fid, "clusters": {}}
    made = {
        "lyman": store.upsert_cluster(
            "same_event", "cc:gn:702658:2022-10-01:UKR",
            {"n_sources": 2, "outlets": ["Kyiv Independent", "Reuters"], "first_seen": "2022-10-01",
             "last_seen": "2022-10-01"},
            [{"fact_id": fid["a1.control_change.0"], "document_id": rows["a1"]},
             {"fact_id": fid["a2.control_change.0"], "document_id": rows["a2"]}]),
        "dudchany": store.upsert_cluster(
            "contradiction", "cc:gn:709000:2022-10-03",
            {"place": "Dudchany", "reason": "denied vs asserted"},
            [{"fact_id": fid["a3.control_change.0"], "document_id": rows["a3"], "role": "denies"},
             {"fact_id": fid["a4.control_change.0"], "document_id": rows["a4"], "role": "asserts"}]),
    }
    return {"docs": rows, "facts": fid, "clusters": made}
