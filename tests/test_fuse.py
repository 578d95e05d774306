"""Fusion across outlets on real SQLite stores: wire copies, same event, same claim, contradictions,
corroboration, incremental updates."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from sitrep.fuse import corroboration, fuse_store
from sitrep.fuse.text import compare, shingle_hashes
from sitrep.models import Document, evidence
from sitrep.store import schema

WIRE = Path(__file__).parent / "data" / "fuse" / "wire"
LYMAN = {"name": "Lyman", "geonames_id": 702658, "lat": 48.99, "lon": 37.80, "country": "UA"}
KHERSON = {"name": "Kherson", "geonames_id": 706448, "lat": 46.64, "lon": 32.61, "country": "UA"}
PESKOV = {"name": "Dmitry Peskov", "title": "Kremlin spokesman", "side": "RUS"}


# ------------------------------------------------------------------------------ helpers
def add_doc(store, doc_id: str, text: str, *, outlet: str | None = None, published: str | None = "2022-10-05",
            facts: dict | None = None) -> int:
    """Store one document (and its facts, as NLP would) -> row id."""
    ((_, _, row_id),) = list(store.add_documents([Document(doc_id=doc_id, text=text, outlet=outlet,
                                                           published=published)]))
    if facts is not None:
        for items in facts.values():
            for f in items:
                snippet = f.pop("_snippet", None) or text[:20]
                start = text.index(snippet)
                f["evidence"] = evidence(text, start, start + len(snippet))
        store.save_results([(row_id, facts, None)])
    return row_id


def cc(place: dict | str, to_side: str, *, stance: str = "asserted", date: str | None = None,
       asserted_by: dict | None = None, snippet: str | None = None, to_name: str | None = None) -> dict:
    """A control_change fact payload (CONTRACT.md record minus type/doc_id)."""
    if isinstance(place, str):
        place = {"name": place, "resolved": None}
    else:
        place = {"name": place["name"], "resolved": place}
    return {"place": place, "to": {"name": to_name or f"{to_side} forces", "side": to_side}, "from": None,
            "asserted_by": asserted_by, "stance": stance, "date": date, "date_precision": "day" if date else None,
            "confidence": 0.8, "_snippet": snippet}


def claim(speaker: dict, text: str) -> dict:
    return {"speaker": speaker, "kind": "direct", "text": text, "_snippet": text}


def clusters(store, kind: str) -> list[dict]:
    return store.clusters(kind)


def doc_sets(store, kind: str) -> list[set[str]]:
    ids = {d["id"]: d["doc_id"] for d in store.documents(current_only=False, with_text=False)}
    return [{ids[m["document_id"]] for m in c["members"]} for c in clusters(store, kind)]


def wire_text(name: str) -> str:
    return (WIRE / f"{name}.txt").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------ wire copies
def test_reprinted_wire_copy_with_varied_wrappers_is_one_cluster(store, options):
    for name in ("site_a", "site_b", "site_c", "site_d", "stock_1", "stock_2"):
        add_doc(store, name, wire_text(name), outlet=name.replace("_", "-"))
    assert fuse_store(store, options) >= 1
    assert doc_sets(store, "wire_copy") == [{"site_a", "site_b", "site_c", "site_d"}]
    (c,) = clusters(store, "wire_copy")
    assert c["payload"]["n_documents"] == 4
    assert c["payload"]["outlets"] == ["site-a", "site-b", "site-c", "site-d"]


def test_wire_copies_are_looked_for_within_weeks_of_publication(store, options):
    """A reprint follows its story within WIRE_WINDOW_DAYS; the same text months later (an archive
    page, a re-post) is not merged with it."""
    add_doc(store, "site_a", wire_text("site_a"), outlet="A", published="2022-10-05")
    add_doc(store, "site_b", wire_text("site_b"), outlet="B", published="2022-10-09")
    add_doc(store, "site_c", wire_text("site_c"), outlet="C", published="2023-03-01")
    add_doc(store, "site_d", wire_text("site_d"), outlet="D", published="2022-10-06")
    fuse_store(store, options)
    assert doc_sets(store, "wire_copy") == [{"site_a", "site_b", "site_d"}]


def test_stories_sharing_one_stock_sentence_are_not_merged(store, options):
    for name in ("stock_1", "stock_2", "stock_brief"):
        add_doc(store, name, wire_text(name))
    fuse_store(store, options)
    assert doc_sets(store, "wire_copy") == []
    brief, story = shingle_hashes(wire_text("stock_brief")), shingle_hashes(wire_text("stock_1"))
    overlap = compare(brief, story)
    assert overlap.containment > options.wire_threshold        # half the brief is the stock sentence ...
    assert not overlap.is_wire_copy(options.wire_threshold)     # ... but no long shared passage


def test_exact_duplicate_joins_its_originals_wire_copy_cluster(store, options):
    add_doc(store, "orig", wire_text("site_a"))
    add_doc(store, "again", wire_text("site_a"))                # identical text: stored as skipped duplicate
    add_doc(store, "other-site", wire_text("site_b"))
    fuse_store(store, options)
    assert doc_sets(store, "wire_copy") == [{"orig", "again", "other-site"}]


def test_wire_copy_found_across_separate_runs(store, options):
    first = add_doc(store, "a", wire_text("site_a"))
    fuse_store(store, options, [first])
    second = add_doc(store, "d", wire_text("site_d"))
    with store.engine.connect() as conn:
        bands_before = conn.execute(select(func.count()).select_from(schema.fuse_bands)
                                    .where(schema.fuse_bands.c.document_id == first)).scalar_one()
    assert fuse_store(store, options, [second]) == 1
    assert doc_sets(store, "wire_copy") == [{"a", "d"}]
    with store.engine.connect() as conn:                        # the old document's signature was not redone
        assert conn.execute(select(func.count()).select_from(schema.fuse_bands)
                            .where(schema.fuse_bands.c.document_id == first)).scalar_one() == bands_before


# ------------------------------------------------------------------------------ same event, corroboration
def test_same_event_groups_reports_of_one_place_and_direction_within_the_window(store, options):
    add_doc(store, "r1", "Ukrainian forces recaptured Lyman on Saturday.", outlet="Outlet One",
            published="2022-10-01", facts={"control_changes": [cc(LYMAN, "UKR", date="2022-10-01")]})
    add_doc(store, "r2", "Lyman is back under Ukrainian control, officials said.", outlet="Outlet Two",
            published="2022-10-02", facts={"control_changes": [cc(LYMAN, "UKR")]})      # undated: published
    add_doc(store, "r3", "Russian troops took Kherson, the ministry said.", outlet="Outlet Two",
            published="2022-10-02", facts={"control_changes": [cc(KHERSON, "RUS", asserted_by={"name": "MoD", "side": "RUS"})]})
    add_doc(store, "r4", "Ukraine again reported control of Lyman weeks later.", outlet="Outlet Three",
            published="2022-11-20", facts={"control_changes": [cc(LYMAN, "UKR", date="2022-11-20")]})
    fuse_store(store, options)
    events = {e["key"]: e for e in corroboration(store)}
    lyman = [e for e in events.values() if e["place_key"] == "gn:702658"]
    assert sorted(e["doc_ids"] for e in lyman) == [["r1", "r2"], ["r4"]]
    oct1 = next(e for e in lyman if e["doc_ids"] == ["r1", "r2"])
    assert oct1["n_sources"] == 2 and oct1["outlets"] == ["Outlet One", "Outlet Two"]
    assert (oct1["date"], oct1["first_seen"], oct1["last_seen"]) == ("2022-10-01", "2022-10-01", "2022-10-02")
    assert oct1["to_side"] == "UKR" and oct1["stance"] == "asserted" and oct1["place"] == "Lyman"
    assert corroboration(store, min_sources=2) == [oct1]
    assert [e["doc_ids"] for e in corroboration(store, place="kherson")] == [["r3"]]
    # export reads clusters in chunks: the same clusters, members and order as reading them at once
    every = store.clusters()
    assert len(every) >= 3
    assert list(store.iter_clusters(chunk=1)) == list(store.iter_clusters(chunk=2)) == every
    assert [c["key"] for c in store.iter_clusters("same_event", chunk=1)] == [c["key"] for c in every
                                                                             if c["kind"] == "same_event"]


def test_corroboration_counts_wire_copies_once(store, options):
    fact = lambda: {"control_changes": [cc(LYMAN, "UKR", date="2022-10-02", snippet="recapture of Lyman")]}
    add_doc(store, "a", wire_text("site_a"), outlet="A", facts=fact())
    add_doc(store, "b", wire_text("site_b"), outlet="B", facts=fact())
    add_doc(store, "own", "Our reporter confirmed the recapture of Lyman by Ukrainian troops.", outlet="C",
            facts=fact())
    fuse_store(store, options)
    (event,) = corroboration(store)
    assert event["n_documents"] == 3 and event["n_reports"] == 3
    assert event["n_sources"] == 2                              # a and b are one wire story
    assert event["outlets"] == ["A", "B", "C"]


def test_wire_group_formed_later_updates_corroboration(store, options):
    fact = lambda: {"control_changes": [cc(LYMAN, "UKR", date="2022-10-02", snippet="recapture of Lyman")]}
    a = add_doc(store, "a", wire_text("site_a"), facts=fact())
    own = add_doc(store, "own", "Our reporter confirmed the recapture of Lyman today.", facts=fact())
    fuse_store(store, options, [a, own])
    assert corroboration(store)[0]["n_sources"] == 2
    b = add_doc(store, "b", wire_text("site_b"), facts=fact())
    fuse_store(store, options, [b])
    (event,) = corroboration(store)
    assert (event["n_documents"], event["n_sources"]) == (3, 2)


# ------------------------------------------------------------------------------ contradictions
def test_asserted_and_denied_capture_is_a_contradiction(store, options):
    add_doc(store, "ru", "Russia's defence ministry said its troops captured Kherson.", outlet="TASS",
            published="2022-10-03",
            facts={"control_changes": [cc(KHERSON, "RUS", date="2022-10-03", asserted_by={"name": "Russian MoD", "side": "RUS"})]})
    add_doc(store, "ua", "Ukraine's general staff denied that Russian troops had captured Kherson.", outlet="Ukrinform",
            published="2022-10-04",
            facts={"control_changes": [cc(KHERSON, "RUS", stance="denied", date="2022-10-03",
                                          asserted_by={"name": "General Staff", "side": "UKR"})]})
    fuse_store(store, options)
    (c,) = clusters(store, "contradiction")
    assert sorted(m["role"] for m in c["members"]) == ["asserted:RUS", "denied:RUS"]
    assert c["payload"]["stances"] == ["asserted", "denied"]
    assert len(clusters(store, "same_event")) == 2              # both reports stay as events
    assert all(e["contested"] for e in corroboration(store))


def test_conflicting_controllers_from_different_sides_are_a_contradiction(store, options):
    add_doc(store, "ru", "Russian forces hold Lyman, Moscow said.", published="2022-10-01",
            facts={"control_changes": [cc(LYMAN, "RUS", date="2022-10-01", asserted_by={"name": "Kremlin", "side": "RUS"})]})
    add_doc(store, "ua", "Ukrainian troops entered Lyman, Kyiv said.", published="2022-10-02",
            facts={"control_changes": [cc(LYMAN, "UKR", date="2022-10-02", asserted_by={"name": "Kyiv", "side": "UKR"})]})
    add_doc(store, "later", "Ukraine holds Lyman, a month on.", published="2022-11-15",
            facts={"control_changes": [cc(LYMAN, "UKR", date="2022-11-15")]})
    fuse_store(store, options)
    (c,) = clusters(store, "contradiction")
    assert sorted(m["role"] for m in c["members"]) == ["asserted:RUS", "asserted:UKR"]


def test_reports_weeks_apart_do_not_contradict(store, options):
    add_doc(store, "may", "Russian forces captured Lyman.", published="2022-05-27",
            facts={"control_changes": [cc(LYMAN, "RUS", date="2022-05-27")]})
    add_doc(store, "oct", "Ukrainian forces recaptured Lyman.", published="2022-10-01",
            facts={"control_changes": [cc(LYMAN, "UKR", date="2022-10-01")]})
    fuse_store(store, options)
    assert clusters(store, "contradiction") == []


# ------------------------------------------------------------------------------ same claim
def test_paraphrased_claim_by_the_same_speaker_is_one_same_claim(store, options):
    globe = ("Mr. Peskov said, \u201cCertain territories will still be returned and we will continue to consult "
             "with the population that expresses a desire to live with Russia,\u201d he said. "
             "\u201cThey will be with Russia forever,\u201d Mr. Peskov said.")
    metro = ("Kremlin spokesman Dmitry Peskov said that \"certain territories will be reclaimed, and we will keep "
             "consulting residents who would be eager to embrace Russia\". Vladimir Putin said the vote was "
             "\"absolutely transparent and not subject to any doubt\".")
    add_doc(store, "globe", globe, outlet="Globe", facts={"claims": [
        claim({"name": "Peskov", "title": None, "side": "RUS"}, "Certain territories will still be returned and we will "
              "continue to consult with the population that expresses a desire to live with Russia"),
        claim(PESKOV, "They will be with Russia forever")]})
    add_doc(store, "metro", metro, outlet="Metro", facts={"claims": [
        claim(PESKOV, "certain territories will be reclaimed, and we will keep consulting residents who would be "
              "eager to embrace Russia"),
        claim({"name": "Vladimir Putin", "title": "President", "side": "RUS"},
              "absolutely transparent and not subject to any doubt")]})
    fuse_store(store, options)
    (c,) = clusters(store, "same_claim")
    assert doc_sets(store, "same_claim") == [{"globe", "metro"}]
    assert c["payload"]["speaker_key"] == "peskov" and c["payload"]["n_sources"] == 2
    assert c["payload"]["text"].startswith("Certain territories will still be returned")


def test_different_statements_of_one_speaker_are_not_one_claim(store, options):
    add_doc(store, "x", "Peskov said the talks were impossible now.", facts={"claims": [
        claim(PESKOV, "talks were impossible now")]})
    add_doc(store, "y", "Peskov said the referendums were transparent.", facts={"claims": [
        claim(PESKOV, "referendums were transparent")]})
    fuse_store(store, options)
    assert clusters(store, "same_claim") == []


# ------------------------------------------------------------------------------ incremental
def test_second_run_with_one_new_document_updates_only_its_clusters(store, options):
    add_doc(store, "l1", "Ukrainian forces recaptured Lyman.", published="2022-10-01",
            facts={"control_changes": [cc(LYMAN, "UKR", date="2022-10-01")]})
    add_doc(store, "k1", "Russian forces hold Kherson.", published="2022-10-01",
            facts={"control_changes": [cc(KHERSON, "RUS", date="2022-10-01")]})
    assert fuse_store(store, options) == 2
    before = {c["key"]: c for c in clusters(store, "same_event")}
    assert {c["payload"]["fuse_run"] for c in before.values()} == {1}
    new = add_doc(store, "l2", "Lyman is under Ukrainian control.", published="2022-10-02",
                  facts={"control_changes": [cc(LYMAN, "UKR", date="2022-10-02")]})
    assert fuse_store(store, options, [new]) == 1
    after = {c["key"]: c for c in clusters(store, "same_event")}
    assert after.keys() == before.keys()
    lyman = next(k for k in after if k.startswith("gn:702658"))
    kherson = next(k for k in after if k.startswith("gn:706448"))
    assert after[lyman]["payload"]["fuse_run"] == 2 and after[lyman]["payload"]["n_sources"] == 2
    assert after[kherson] == before[kherson]                    # untouched: same row, same payload, same time
    assert fuse_store(store, options, [new]) == 0               # nothing new: nothing rebuilt
    assert fuse_store(store, options) == 0


def test_a_new_version_of_a_document_replaces_the_old_one_in_clusters(store, options):
    add_doc(store, "l1", "Ukrainian forces recaptured Lyman.", published="2022-10-01",
            facts={"control_changes": [cc(LYMAN, "UKR", date="2022-10-01")]})
    add_doc(store, "l2", "Lyman is under Ukrainian control.", published="2022-10-01",
            facts={"control_changes": [cc(LYMAN, "UKR", date="2022-10-01")]})
    fuse_store(store, options)
    v2 = add_doc(store, "l2", "Correction: Russian forces still hold Kherson.", published="2022-10-01",
                 facts={"control_changes": [cc(KHERSON, "RUS", date="2022-10-01")]})
    fuse_store(store, options, [v2])
    events = corroboration(store)
    assert sorted(e["doc_ids"] for e in events) == [["l1"], ["l2"]]
    assert {e["place_key"] for e in events} == {"gn:702658", "gn:706448"}


def test_cluster_records_reach_the_output(store, options):
    from sitrep.pipeline import iter_records

    ids = [add_doc(store, n, wire_text(n)) for n in ("site_a", "site_b")]
    fuse_store(store, options, ids)
    records = list(iter_records(store, ids))
    (cluster,) = [r for r in records if r["type"] == "cluster"]
    assert cluster["kind"] == "wire_copy"
    assert [m["doc_id"] for m in cluster["members"]] == ["site_a", "site_b"]
    assert all(records[m["record"]]["type"] == "document" for m in cluster["members"])
    json.dumps(records)


def test_memory_backend_gives_the_same_clusters_as_the_store(store, options):
    """The benchmarks run the engine on MemoryBackend: it must fuse exactly like fuse_store."""
    from sitrep.fuse.engine import DocIn, FactIn, FusionEngine
    from sitrep.fuse.memory import MemoryBackend

    fact = lambda d: {"control_changes": [cc(LYMAN, "UKR", date=d, snippet="Ukraine")]}
    for i, name in enumerate(("site_a", "site_b", "site_c", "stock_1", "stock_2")):
        add_doc(store, name, wire_text(name), outlet=name, facts=fact(f"2022-10-0{i + 1}"))
    add_doc(store, "deny", "Moscow denied Lyman fell.", facts={"control_changes": [
        cc(LYMAN, "UKR", stance="denied", date="2022-10-02", asserted_by={"name": "MoD", "side": "RUS"})]})
    fuse_store(store, options)
    expected = {(c["kind"], c["key"]): sorted((m["document_id"], m["fact_id"], m["role"]) for m in c["members"])
                for c in store.clusters()}

    docs = {d["id"]: DocIn(d["id"], d["text"], d["outlet"], d["published"]) for d in store.documents()}
    facts = [FactIn(f["id"], f["document_id"], f["kind"], f["place_key"], f["payload"], f["published"], f["outlet"])
             for f in store.facts() if f["kind"] != "place"]
    backend = MemoryBackend(lambda ids: {i: docs[i] for i in ids}, keep_clusters=True)
    engine = FusionEngine(backend, options)
    for i in sorted(docs):                                      # one document per batch: fully incremental
        engine.fuse([docs[i]], [f for f in facts if f.document_id == i], run_id=1)
        backend.end_batch()
    got = {k: sorted((m.get("document_id"), m.get("fact_id"), m.get("role")) for m in members)
           for k, (_, members) in backend.clusters.items()}
    assert got == expected


def test_lsh_parameters_are_datasketchs_choice():
    """The wire-copy index picks (bands, rows) as datasketch's MinHashLSH does, without importing it."""
    from datasketch import MinHashLSH

    from sitrep.fuse.text import LSH_THRESHOLD, NUM_PERM, lsh_params

    for threshold, num_perm in [(LSH_THRESHOLD, NUM_PERM), (0.3, 64), (0.5, 128), (0.7, 16), (0.8, 32)]:
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        assert lsh_params(threshold, num_perm) == (lsh.b, lsh.r)


def _cluster_snapshot(store) -> list:
    return sorted((c["kind"], c["key"], json.dumps({k: v for k, v in c["payload"].items() if k != "fuse_run"},
                                                    sort_keys=True),
                   sorted((m["document_id"] or 0, m["fact_id"] or 0, m["role"] or "") for m in c["members"]))
                  for c in store.clusters())


def test_fusing_in_small_batches_gives_the_clusters_of_one_batch(tmp_path, cache_dir, monkeypatch):
    """Incremental fusion is exact: reports arriving batch by batch (runs growing, bridging, leaving a
    contradiction) end in the same clusters as fusing everything at once."""
    import random

    import sitrep.fuse.sqlstore as sqlstore
    from sitrep.options import Options
    from sitrep.store import Store

    rng = random.Random(7)
    places = [LYMAN, KHERSON, {"name": "Izium", "geonames_id": 707292, "lat": 49.21, "lon": 37.26, "country": "UA"}]
    speakers = [None, {"name": "MoD", "side": "RUS"}, {"name": "General Staff", "side": "UKR"}, {"name": "governor"}]
    docs = []
    for i in range(60):
        day = f"2022-10-{rng.randint(1, 28):02d}"
        facts = [cc(rng.choice(places), rng.choice(["UKR", "RUS"]), stance=rng.choice(["asserted", "asserted", "denied"]),
                    date=day if rng.random() < 0.8 else None, asserted_by=rng.choice(speakers), snippet="Report")
                 for _ in range(rng.randint(1, 3))]
        docs.append((f"d{i:02d}", f"Report {i} from the front.", rng.choice(["A", "B", "C"]), day, facts))

    def run(batch: int) -> list:
        monkeypatch.setattr(sqlstore, "BATCH", batch)
        options = Options(db=f"sqlite:///{tmp_path / f'b{batch}.db'}", cache_dir=cache_dir)
        with Store(options.db) as store:
            for doc_id, text, outlet, day, facts in docs:
                add_doc(store, doc_id, text, outlet=outlet, published=day,
                        facts={"control_changes": [dict(f) for f in facts]})
            ids = [d["id"] for d in store.documents(with_text=False)]
            for k in range(0, len(ids), batch):               # separate runs too, as new documents arrive
                fuse_store(store, options, ids[k:k + batch])
            return _cluster_snapshot(store)

    whole = run(1000)
    assert sum(1 for c in whole if c[0] == "contradiction") >= 3 and sum(1 for c in whole if c[0] == "same_event") >= 10
    assert run(7) == whole
    assert run(1) == whole


def test_a_run_leaving_a_contradiction_keeps_the_rest_of_it(tmp_path, cache_dir):
    """A later report joins the denial run, whose speakers then match the claim's: the denial leaves
    the contradiction and the two asserted claims still contradict each other -- the incremental
    result is that of fusing everything at once."""
    from sitrep.options import Options
    from sitrep.store import Store

    council, rebels = {"name": "military council"}, {"name": "rebel spokesman", "side": "REB"}
    reports = [("a", "2022-10-18", "GOV", "asserted", council), ("b1", "2022-10-18", "REB", "asserted", council),
               ("b2", "2022-10-20", "REB", "asserted", rebels), ("d1", "2022-10-22", "REB", "denied", rebels),
               ("d2", "2022-10-26", "REB", "denied", council), ("late", "2022-10-24", "REB", "denied", council)]

    def run(name: str, split: int) -> list:
        options = Options(db=f"sqlite:///{tmp_path / f'{name}.db'}", cache_dir=cache_dir)
        with Store(options.db) as store:
            ids = [add_doc(store, doc_id, f"Report {doc_id}.", outlet=doc_id, published=day,
                           facts={"control_changes": [cc(LYMAN, side, stance=stance, date=day, asserted_by=by,
                                                         snippet="Report")]})
                   for doc_id, day, side, stance, by in reports]
            fuse_store(store, options, ids[:split])
            fuse_store(store, options, ids[split:])
            snapshot = _cluster_snapshot(store)
            names = {d["id"]: d["doc_id"] for d in store.documents(with_text=False)}
            contradictions = [sorted(names[m[0]] for m in c[3]) for c in snapshot if c[0] == "contradiction"]
            return snapshot, contradictions

    whole, contradictions = run("once", len(reports))
    assert contradictions == [["a", "b1", "b2"]]
    assert run("later", len(reports) - 1)[0] == whole
