"""Same event and contradiction clusters, recomputed locally (one place, a date range) when facts arrive.

Blocking: control changes and events are compared only within one place key (``gn:702658`` or a
normalised name) and one *direction* (``cc:UKR:asserted`` = control to UKR, asserted;
``ev:ASSAULT``). Within a block, facts sorted by date form *runs*: a fact joins the run before it
when its date is at most ``window`` days after the run's last date (single linkage with a gap).
A run is one fused event. A run also ends at every ``EPOCH_DAYS`` boundary of the calendar (fixed,
so it does not depend on which reports arrived first): a battle reported every day for months is
one event per four weeks, not one ever-growing chain, which keeps clusters and their refresh small.
Because a run ends wherever reports pause for more than ``window`` days (or at an epoch boundary),
new facts only change the runs around their own dates: ``refresh_place`` loads that date range
(widening it until every run it touches is whole) and never the place's whole history.

Contradictions link runs of one place whose date spans come within ``window`` days:
an ``asserted`` and a ``denied`` control change to the same side, or asserted control changes to
different sides, from different speakers (``asserter``). Connected runs form one contradiction
cluster whose members carry their ``role`` (``asserted:UKR``, ``denied:UKR``); the events stay.
"""
from __future__ import annotations

import datetime as _dt
from collections import Counter
from functools import lru_cache
from typing import NamedTuple

from sitrep.fuse.text import fold


class EventRow(NamedTuple):
    fact_id: int
    document_id: int
    kind: str                   # control_change | event
    place_key: str
    direction: str             # cc:<to side>:<stance> | ev:<event type>
    stance: str | None
    side: str | None
    asserter: str
    eff_date: str | None       # YYYY-MM-DD: the fact's date, else the document's published date
    date_source: str | None    # fact | published | None
    place_name: str | None
    resolved_name: str | None
    outlet: str | None = None      # filled when loaded (documents)
    published: str | None = None
    group: int | None = None       # wire-copy group (independent source)


def _iso_day(value) -> str | None:
    s = str(value or "")[:10]
    try:
        _dt.date.fromisoformat(s)
    except ValueError:
        return None
    return s


def asserter_key(asserted_by: dict | None, outlet: str | None, document_id: int) -> str:
    """Who says so: the speaker's side, else the speaker's name, else the outlet's own narration."""
    ab = asserted_by or {}
    if ab.get("side"):
        return f"side:{ab['side']}"
    if ab.get("name"):
        return f"name:{fold(ab['name'])}"[:255]
    return f"outlet:{fold(outlet)}"[:255] if outlet else f"doc:{document_id}"


def event_row(kind: str, fact_id: int, document_id: int, place_key: str | None, payload: dict,
              published: str | None, outlet: str | None) -> EventRow | None:
    """The blocking record of a control_change/event fact; None when it has no place."""
    if not place_key or kind not in ("control_change", "event"):
        return None
    place = payload.get("place") or {}
    if kind == "control_change":
        side = (payload.get("to") or {}).get("side")
        stance = payload.get("stance") or "asserted"
        direction = f"cc:{side or '?'}:{stance}"
    else:
        side = (payload.get("actor") or {}).get("side")
        stance = None
        direction = f"ev:{payload.get('event_type') or '?'}"
    day, source = _iso_day(payload.get("date")), "fact"
    if day is None:
        day, source = _iso_day(published), "published"
        source = source if day else None
    return EventRow(fact_id, document_id, kind, place_key, direction[:80], stance, side,
                    asserter_key(payload.get("asserted_by"), outlet, document_id), day, source,
                    place.get("name"), (place.get("resolved") or {}).get("name"), outlet, published)


@lru_cache(maxsize=50_000)
def ordinal(day: str) -> int:
    return _dt.date.fromisoformat(day).toordinal()


def iso(n: int) -> str:
    return _dt.date.fromordinal(max(1, min(n, 3_652_059))).isoformat()


class Run:
    """One fused event: facts of one place and direction, no gap longer than the window, within one epoch."""

    __slots__ = ("direction", "rows", "lo", "hi")

    def __init__(self, direction: str, rows: list[EventRow], lo: int | None, hi: int | None):
        self.direction, self.rows, self.lo, self.hi = direction, rows, lo, hi

    @property
    def key(self) -> str:
        r = self.rows[0]
        return f"{r.place_key}|{self.direction}|{min(x.fact_id for x in self.rows)}"

    @property
    def asserters(self) -> set[str]:
        return {r.asserter for r in self.rows}


EPOCH_DAYS = 28     # runs never cross these calendar boundaries (ordinal days // EPOCH_DAYS)


def build_runs(rows: list[EventRow], window: int) -> list[Run]:
    by_dir: dict[str, list[EventRow]] = {}
    for r in rows:
        by_dir.setdefault(r.direction, []).append(r)
    runs: list[Run] = []
    for direction, items in by_dir.items():
        undated = [r for r in items if r.eff_date is None]
        if undated:
            runs.append(Run(direction, sorted(undated, key=lambda r: r.fact_id), None, None))
        dated = sorted((r for r in items if r.eff_date is not None), key=lambda r: (r.eff_date, r.fact_id))
        cur: list[EventRow] = []
        lo = hi = 0
        for r in dated:
            d = ordinal(r.eff_date)
            if cur and (d - hi > window or d // EPOCH_DAYS != lo // EPOCH_DAYS):
                runs.append(Run(direction, cur, lo, hi))
                cur = []
            if not cur:
                lo = d
            cur.append(r)
            hi = d
        if cur:
            runs.append(Run(direction, cur, lo, hi))
    return runs


def _conflict(a: Run, b: Run) -> bool:
    ra, rb = a.rows[0], b.rows[0]
    if ra.kind != "control_change" or rb.kind != "control_change" or not ra.side or not rb.side:
        return False
    stances = {ra.stance, rb.stance}
    if ra.side == rb.side:
        kind_ok = stances == {"asserted", "denied"}
    else:
        kind_ok = stances == {"asserted"}
    return kind_ok and bool(a.asserters ^ b.asserters)


def contradiction_groups(runs: list[Run], window: int) -> list[list[Run]]:
    """Connected components (two or more runs) of the conflict graph among dated runs."""
    dated = sorted((r for r in runs if r.lo is not None), key=lambda r: r.lo)
    parent = list(range(len(dated)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(dated):
        for j in range(i + 1, len(dated)):
            b = dated[j]
            if b.lo > a.hi + window:        # sorted by start: no later run comes closer
                break
            if a.lo - window <= b.hi and _conflict(a, b):
                parent[find(i)] = find(j)
    comps: dict[int, list[Run]] = {}
    for i, r in enumerate(dated):
        comps.setdefault(find(i), []).append(r)
    return [c for c in comps.values() if len(c) >= 2]


def _seen(rows: list[EventRow]) -> dict:
    pubs = sorted(r.published for r in rows if r.published)
    days = sorted(r.eff_date for r in rows if r.eff_date)
    return {
        "n_sources": len({r.group if r.group is not None else r.document_id for r in rows}),
        "n_documents": len({r.document_id for r in rows}),
        "n_reports": len(rows),
        "outlets": sorted({r.outlet for r in rows if r.outlet}),
        "first_seen": pubs[0] if pubs else None, "last_seen": pubs[-1] if pubs else None,
        "date": days[0] if days else None, "date_last": days[-1] if days else None,
    }


def _common(values) -> str | None:
    """The most frequent non-empty value (ties: the first seen)."""
    vals = [v for v in values if v]
    if not vals:
        return None
    if vals.count(vals[0]) == len(vals):
        return vals[0]
    return Counter(vals).most_common(1)[0][0]


def event_payload(run: Run) -> dict:
    rows = run.rows
    r0 = rows[0]
    body = {
        "fact_kind": r0.kind, "place": _common(r.place_name for r in rows), "place_key": r0.place_key,
        "resolved_name": _common(r.resolved_name for r in rows),
        **_seen(rows),
        "date_source": "fact" if any(r.date_source == "fact" for r in rows) else (
            "published" if run.lo is not None else None),
        "asserted_by": sorted({r.asserter for r in rows}),
    }
    if r0.kind == "control_change":
        body.update(to_side=r0.side, stance=r0.stance)
    else:
        body.update(event_type=run.direction[3:], actor_side=_common(r.side for r in rows))
    return body


def event_members(run: Run) -> list[dict]:
    return [{"document_id": r.document_id, "fact_id": r.fact_id} for r in run.rows]


def contradiction_key(group: list[Run]) -> str:
    return f"{group[0].rows[0].place_key}|{min(r.fact_id for run in group for r in run.rows)}"


def contradiction_payload(group: list[Run]) -> dict:
    rows = sorted((r for run in group for r in run.rows), key=lambda r: r.fact_id)   # ties: the earliest report
    return {
        "place": _common(r.place_name for r in rows), "place_key": rows[0].place_key, **_seen(rows),
        "sides": sorted({r.side for r in rows if r.side}), "stances": sorted({r.stance for r in rows if r.stance}),
        "events": sorted(run.key for run in group),
        "asserted_by": sorted({r.asserter for r in rows}),
    }


def contradiction_members(group: list[Run]) -> list[dict]:
    return [{"document_id": r.document_id, "fact_id": r.fact_id, "role": f"{r.stance}:{r.side}"[:20]}
            for run in group for r in run.rows]


def refresh_place(backend, writes, place_key: str, lo: str | None, hi: str | None, undated: bool, window: int,
                  dirty: set[int], fresh: frozenset[int] = frozenset()) -> None:
    """Recompute the same_event/contradiction clusters of PLACE_KEY that hold a DIRTY fact (new,
    regrouped, or sharing an old cluster with one), dated within [LO, HI] (and undated when
    UNDATED); cluster writes go to WRITES (applied at the batch end). Runs without a dirty fact
    cannot have changed: a fact joining, bridging or leaving a run makes it dirty. FRESH facts were
    added in this batch: no cluster holds them yet, so the store is not asked about them."""
    if undated:
        runs = [r for r in build_runs(backend.event_rows(place_key, None, None, undated=True), window)
                if r.lo is None and any(x.fact_id in dirty for x in r.rows)]
        _sync_events(backend, writes, runs, fresh)
    if lo is None:
        return
    dirty = set(dirty)
    checked: set[int] = set()
    a, b = ordinal(lo) - 2 * window - 1, ordinal(hi) + 2 * window + 1
    while True:
        rows = backend.event_rows(place_key, iso(a), iso(b), undated=False)
        runs = build_runs(rows, window)
        groups = contradiction_groups(runs, window)
        group_of = {id(run): g for g in groups for run in g}
        need_a, need_b = a, b
        relevant: dict[int, Run] = {}       # runs with a dirty fact, with their contradiction partners
        for run in runs:
            if not any(x.fact_id in dirty for x in run.rows):
                continue
            for r in group_of.get(id(run), [run]):
                relevant[id(r)] = r
                if r.lo - window < a:
                    need_a = min(need_a, r.lo - 2 * window - 1)
                if r.hi + window > b:
                    need_b = max(need_b, r.hi + 2 * window + 1)
        if (need_a, need_b) != (a, b):
            a, b = need_a, need_b
            continue
        # facts that shared an old cluster with these runs are dirty too: a run that left a
        # contradiction (or an event that split) must be rewritten, wherever its dates lie
        scope = {x.fact_id for r in relevant.values() for x in r.rows} - checked - fresh
        checked |= scope
        more = [(f, day) for f, key, day in
                (backend.cluster_siblings(("same_event", "contradiction"), sorted(scope)) if scope else ())
                if key == place_key and day is not None and f not in dirty]
        if not more:
            break
        dirty.update(f for f, _ in more)
        a = min(a, min(ordinal(d) for _, d in more) - 2 * window - 1)
        b = max(b, max(ordinal(d) for _, d in more) + 2 * window + 1)
    # Every relevant run is now whole (no unloaded fact within `window` of its ends).
    complete = list(relevant.values())
    _sync_events(backend, writes, complete, fresh)
    done = [g for g in groups if id(g[0]) in relevant]
    scope = [r.fact_id for run in complete for r in run.rows if r.fact_id not in fresh]
    old = backend.cluster_keys_for_facts("contradiction", scope) if scope else set()
    new = set()
    for g in done:
        key = contradiction_key(g)
        new.add(key)
        writes.sync("contradiction", key, contradiction_payload(g), contradiction_members(g))
    writes.delete("contradiction", old - new)


def _sync_events(backend, writes, runs: list[Run], fresh: frozenset[int] = frozenset()) -> None:
    keys = set()
    scope = [r.fact_id for run in runs for r in run.rows if r.fact_id not in fresh]
    old = backend.cluster_keys_for_facts("same_event", scope) if scope else set()
    for run in runs:
        keys.add(run.key)
        writes.sync("same_event", run.key, event_payload(run), event_members(run))
    writes.delete("same_event", old - keys)
