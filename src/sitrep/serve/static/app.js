/* sitrep UI, part 4: wiring. Filters -> /api/events -> map + timeline + table; panel views.
 * Sets window.sitrepReady = true and <body data-ready="1"> once the first render is done
 * (tests wait on it), and bumps <body data-renders> after every re-render.
 */
(function () {
  "use strict";
  const S = window.Sitrep;
  const el = S.el;
  const $ = (id) => document.getElementById(id);
  const src = S.source();
  const state = { stats: null, filters: {}, items: [], all: [], renders: 0, tab: "places" };
  let map = null;

  function showError(err) {
    const node = $("error");
    node.hidden = false;
    node.textContent = "Error: " + (err && err.message ? err.message : String(err));
    window.sitrepError = String(err && err.message ? err.message : err);
  }

  function fillSelect(node, values) {
    for (const v of values) {
      const o = document.createElement("option");
      o.value = v;
      o.textContent = v;
      node.append(o);
    }
  }

  function readFilters() {
    const f = {
      date_from: $("f-from").value || "", date_to: $("f-to").value || "", side: $("f-side").value,
      event_type: $("f-type").value, speaker: $("f-speaker").value, status: $("f-status").value,
    };
    for (const k of Object.keys(f)) if (!f[k]) delete f[k];
    return f;
  }

  async function refresh() {
    const seq = (state.seq = (state.seq || 0) + 1);
    const filters = readFilters();
    let items = [];
    try {
      items = Object.keys(filters).length ? await src.events(filters) : state.all;
    } catch (err) {
      showError(err);
    }
    if (seq !== state.seq) return; // a newer refresh is under way: drop this answer
    state.filters = filters;
    state.items = items;
    const n = map ? map.show(state.items) : 0;
    drawTimeline();
    drawTable();
    $("f-count").textContent = state.items.length + " reports at " + n + " places";
    state.renders += 1;
    document.body.setAttribute("data-renders", String(state.renders));
  }

  /* ---------------------------------------------------------------- timeline (bars per day/week/month) */
  function bucketOf(day, unit) {
    if (unit === "day") return day;
    if (unit === "month") return day.slice(0, 7) + "-01";
    const d = new Date(day + "T00:00:00Z");
    return S.addDays(day, -((d.getUTCDay() + 6) % 7)); // Monday
  }

  function drawTimeline() {
    const node = $("timeline");
    const st = state.stats;
    if (!st || !st.date_min) { node.replaceChildren(el("p", { class: "empty", text: "No dated reports." })); return; }
    // bars: every item matching the non-date filters; items in the date range stay bright
    const f = Object.assign({}, state.filters);
    delete f.date_from; delete f.date_to;
    const span = S.daysBetween(st.date_min, st.date_max) + 1;
    const unit = span <= 120 ? "day" : span <= 1100 ? "week" : "month";
    const counts = new Map();
    for (const i of state.all) {
      if (!i.day || !S.matches(i, f)) continue;
      const b = bucketOf(i.day, unit);
      const c = counts.get(b) || {};
      c[i.side || ""] = (c[i.side || ""] || 0) + 1;
      counts.set(b, c);
    }
    const buckets = [];
    for (let d = bucketOf(st.date_min, unit); d <= st.date_max;) {
      buckets.push(d);
      d = unit === "day" ? S.addDays(d, 1) : unit === "week" ? S.addDays(d, 7) : S.addDays(d.slice(0, 8) + "28", 4).slice(0, 8) + "01";
    }
    const max = Math.max(1, ...Array.from(counts.values(), (c) => Object.values(c).reduce((a, b) => a + b, 0)));
    const ns = "http://www.w3.org/2000/svg";
    const W = 1000, H = 70, bw = W / buckets.length;
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + (H + 12));
    svg.setAttribute("preserveAspectRatio", "none");
    const from = state.filters.date_from, to = state.filters.date_to;
    buckets.forEach((b, k) => {
      const c = counts.get(b) || {};
      let y = H;
      const end = unit === "day" ? b : S.addDays(unit === "week" ? S.addDays(b, 7) : buckets[k + 1] || S.addDays(b, 31), -1);
      const out = (from && end < from) || (to && b > to);
      const g = document.createElementNS(ns, "g");
      g.setAttribute("class", "bar" + (out ? " out" : ""));
      g.setAttribute("data-day", b);
      const title = document.createElementNS(ns, "title");
      title.textContent = b + ": " + Object.entries(c).map(([s, n]) => n + " " + (s || "unknown")).join(", ");
      g.append(title);
      const hit = document.createElementNS(ns, "rect");
      hit.setAttribute("x", String(k * bw)); hit.setAttribute("y", "0");
      hit.setAttribute("width", String(bw)); hit.setAttribute("height", String(H));
      hit.setAttribute("fill", "transparent");
      g.append(hit);
      for (const [sd, n] of Object.entries(c).sort()) {
        const h = (n / max) * (H - 4);
        y -= h;
        const r = document.createElementNS(ns, "rect");
        r.setAttribute("x", String(k * bw + bw * 0.1)); r.setAttribute("width", String(Math.max(1, bw * 0.8)));
        r.setAttribute("y", String(y)); r.setAttribute("height", String(h));
        r.setAttribute("fill", S.sideColour(sd || null));
        g.append(r);
      }
      g.addEventListener("click", () => { $("f-from").value = b; $("f-to").value = end; refresh(); });
      svg.append(g);
    });
    for (const [k, b] of [[0, buckets[0]], [buckets.length - 1, buckets[buckets.length - 1]]]) {
      const t = document.createElementNS(ns, "text");
      t.setAttribute("class", "axis");
      t.setAttribute("x", String(k === 0 ? 2 : W - 2));
      t.setAttribute("y", String(H + 11));
      t.setAttribute("text-anchor", k === 0 ? "start" : "end");
      t.textContent = b;
      svg.append(t);
    }
    node.replaceChildren(svg);
  }

  /* ---------------------------------------------------------------- table */
  function drawTable() {
    const rows = state.items.slice().sort((a, b) => (b.day || "").localeCompare(a.day || "") || b.id - a.id).slice(0, 1000);
    const body = $("events").tBodies[0];
    body.replaceChildren(...rows.map((i) => {
      const tr = el("tr", { "data-fact": i.id, "data-place": i.place_key || "" },
        el("td", { text: (i.day || "") + (i.date_inferred ? "*" : ""), title: i.date_inferred ? "publication date" : null }),
        el("td", { text: i.place_resolved || i.place_name || "" }),
        el("td", { text: i.summary || "" }),
        el("td", {}, el("span", { class: "badge " + S.token(i.status), text: i.status || "" })),
        el("td", { text: String(i.corroboration), title: (i.outlets || []).join(", ") }),
        el("td", { text: i.outlet || "" }),
        el("td", { text: i.asserted_by ? i.asserted_by.name || i.asserted_by.side || "" : "outlet" }));
      tr.addEventListener("click", () => { if (i.place_key) openPlace(i.place_key); if (map) map.focus(i.lat, i.lon); });
      return tr;
    }));
  }

  /* ---------------------------------------------------------------- panel */
  function setTab(tab) {
    state.tab = tab;
    for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.getAttribute("data-tab") === tab);
  }

  async function showTab(tab) {
    setTab(tab);
    const body = $("panel-body");
    try {
      if (tab === "places") body.replaceChildren(S.placesList(await src.places(), openPlace));
      else if (tab === "speakers") body.replaceChildren(S.speakersList(await src.speakers(), openSpeaker));
      else body.replaceChildren(S.about(state.stats));
      S.colourSides(body);
    } catch (err) { showError(err); }
  }

  const handlers = { place: (k) => openPlace(k), speaker: (n) => openSpeaker(n) };

  async function openPlace(key) {
    try {
      const v = await src.place(key);
      if (!v) return;
      setTab("places");
      const back = el("button", { type: "button", class: "link", text: "← all places", onclick: () => showTab("places") });
      $("panel-body").replaceChildren(back, S.placeView(v, handlers));
      $("panel-body").scrollTop = 0;
      document.body.setAttribute("data-view", "place");
    } catch (err) { showError(err); }
  }

  async function openSpeaker(name) {
    try {
      const v = await src.speaker(name);
      if (!v) return;
      setTab("speakers");
      const back = el("button", { type: "button", class: "link", text: "← all speakers", onclick: () => showTab("speakers") });
      $("panel-body").replaceChildren(back, S.speakerView(v, handlers));
      $("panel-body").scrollTop = 0;
      document.body.setAttribute("data-view", "speaker");
    } catch (err) { showError(err); }
  }

  /* ---------------------------------------------------------------- start */
  async function start() {
    try {
      state.stats = await src.stats();
      const st = state.stats;
      $("summary").textContent = st.documents + " documents · " + st.facts.control_change + " control changes · "
        + st.facts.event + " events · " + st.facts.claim + " claims";
      fillSelect($("f-side"), st.sides);
      fillSelect($("f-type"), st.event_types);
      fillSelect($("f-speaker"), st.speakers);
      fillSelect($("f-status"), st.statuses);
      for (const id of ["f-from", "f-to"]) {
        if (st.date_min) $(id).min = st.date_min;
        if (st.date_max) $(id).max = st.date_max;
      }
      if (window.L) {
        map = new S.Map($("map"), { select: () => {}, open: openPlace });
        map.setBasemap(await src.basemap());
      } else {
        showError(new Error("Leaflet did not load: map unavailable"));
      }
      S.legend($("legend"), st.sides);
      state.all = await src.events({});
      $("filters").addEventListener("change", refresh);
      $("filters").addEventListener("reset", () => setTimeout(refresh, 0));
      $("filters").addEventListener("submit", (e) => { e.preventDefault(); refresh(); });
      for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => showTab(b.getAttribute("data-tab")));
      await refresh();
      await showTab("places");
    } catch (err) {
      showError(err);
    } finally {
      window.sitrepReady = true;
      document.body.setAttribute("data-ready", "1");
    }
  }

  window.sitrepApp = { refresh, openPlace, openSpeaker, state };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
