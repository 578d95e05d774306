/* sitrep UI, part 1: safe DOM helper, colours, filters, data sources, TopoJSON.
 *
 * Article text is hostile. The ONLY way text reaches the page is S.el(), which sets
 * textContent / attribute values (text is never parsed as markup) and lets only http(s)
 * URLs become links.
 */
(function () {
  "use strict";
  const S = (window.Sitrep = window.Sitrep || {});

  S.safeUrl = function (u) {
    if (typeof u !== "string") return null;
    const t = u.trim();
    return /^https?:\/\/[^\s]+$/i.test(t) ? t : null;
  };

  /* a class-name-safe token from any value */
  S.token = (v) => String(v == null ? "none" : v).toLowerCase().replace(/[^a-z0-9_-]+/g, "-").slice(0, 40);

  /* S.el(tag, {class, text, title, href, onclick, data-x, ...}, ...children): the one escape helper */
  S.el = function (tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === "class") e.className = String(v);
      else if (k === "text") e.textContent = String(v);
      else if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
      else if (k === "href") {
        const u = S.safeUrl(v);
        if (u) { e.setAttribute("href", u); e.setAttribute("rel", "noopener noreferrer nofollow"); e.setAttribute("target", "_blank"); }
      } else if (k === "open") e.setAttribute("open", "");
      else if (/^(title|type|value|role|id|colspan|aria-[a-z]+|data-[a-z-]+)$/.test(k)) e.setAttribute(k, String(v));
    }
    for (const c of children.flat(3)) {
      if (c == null || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  };

  /* ---------------------------------------------------------------- colours */
  const FIXED = { UKR: "#0057b7", RUS: "#c8102e", SYR: "#2f7d32", ISR: "#1565c0", SDN: "#6d4c41" };
  const PALETTE = ["#e67e22", "#16a085", "#8e44ad", "#2c3e50", "#d35400", "#27ae60", "#c0392b", "#2980b9", "#7f8c8d", "#b7950b"];
  S.sideColour = function (side) {
    if (!side) return "#6b7280";
    if (FIXED[side]) return FIXED[side];
    let h = 0;
    for (const ch of String(side)) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return PALETTE[h % PALETTE.length];
  };
  S.STATUS_COLOUR = { confirmed: "#1a7f37", claimed: "#b26b00", contested: "#7b2cbf" };
  S.STATUS_HELP = {
    confirmed: "asserted by 2 or more independent sources",
    claimed: "a single source, a denial or an annexation claim",
    contested: "contradicted by another report",
  };
  S.isRegion = (p) => !!p && p !== "settlement";

  /* ---------------------------------------------------------------- filters (mirrors Ledger.filter) */
  S.matches = function (i, f) {
    if (f.date_from && (!i.day || i.day < f.date_from)) return false;
    if (f.date_to && (!i.day || i.day > f.date_to)) return false;
    if (f.side && !(i.sides || []).includes(f.side)) return false;
    if (f.event_type && i.event_type !== f.event_type) return false;
    if (f.speaker && i.speaker !== f.speaker) return false;
    if (f.place && i.place_key !== f.place) return false;
    if (f.kind && i.kind !== f.kind) return false;
    if (f.status && i.status !== f.status) return false;
    return true;
  };

  /* ---------------------------------------------------------------- data sources */
  /* the live app: everything through the JSON API */
  S.ApiSource = class {
    async get(path, params) {
      const u = new URL(path, window.location.origin);
      for (const [k, v] of Object.entries(params || {})) if (v) u.searchParams.set(k, v);
      const r = await fetch(u, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!r.ok) throw new Error(path + ": HTTP " + r.status);
      return r.json();
    }
    stats() { return this.get("/api/stats"); }
    events(f) { return this.get("/api/events", f).then((r) => r.items); }
    places() { return this.get("/api/places"); }
    place(key) { return this.get("/api/place", { key }); }
    speakers() { return this.get("/api/speakers"); }
    speaker(name) { return this.get("/api/speaker", { name }); }
    basemap() {
      return fetch(new URL("/api/basemap", window.location.origin)).then((r) => (r.ok ? r.json() : null)).catch(() => null);
    }
  };

  /* the static report: everything embedded as JSON in the element #sitrep-data */
  /* views refer to items by id (each item is embedded once) */
  S.EmbeddedSource = class {
    constructor(data) {
      this.d = data;
      this.byId = new Map();
      for (const i of data.events.concat(data.claims || [])) this.byId.set(i.id, i);
    }
    items(ids) { return (ids || []).map((id) => this.byId.get(id)).filter(Boolean); }
    view(table, key) { return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : null; }
    stats() { return Promise.resolve(this.d.stats); }
    events(f) { return Promise.resolve(this.d.events.filter((i) => S.matches(i, f || {}))); }
    places() { return Promise.resolve(this.d.places); }
    place(key) {
      const v = this.view(this.d.place_views, key);
      return Promise.resolve(v && {
        place: v.place, timeline: v.timeline, reports: this.items(v.reports),
        contradictions: v.contradictions.map((c) => Object.assign({}, c, { sides: this.items(c.sides) })),
      });
    }
    speakers() { return Promise.resolve(this.d.speakers); }
    speaker(name) {
      const v = this.view(this.d.speaker_views, name);
      return Promise.resolve(v && { speaker: v.speaker, claims: this.items(v.claims), assertions: this.items(v.assertions) });
    }
    basemap() { return Promise.resolve(this.d.basemap || null); }
  };

  S.source = function () {
    const node = document.getElementById("sitrep-data");
    return node ? new S.EmbeddedSource(JSON.parse(node.textContent)) : new S.ApiSource();
  };

  /* ---------------------------------------------------------------- TopoJSON -> GeoJSON */
  S.topoFeatures = function (topo, name) {
    const obj = topo && topo.objects && topo.objects[name];
    if (!obj) return null;
    const tf = topo.transform;
    const arcs = topo.arcs.map((arc) => {
      let x = 0, y = 0;
      return arc.map((p) => {
        if (!tf) return [p[0], p[1]];
        x += p[0]; y += p[1];
        return [x * tf.scale[0] + tf.translate[0], y * tf.scale[1] + tf.translate[1]];
      });
    });
    const ring = (idx) => {
      const out = [];
      idx.forEach((i, k) => {
        const pts = i >= 0 ? arcs[i] : arcs[~i].slice().reverse();
        for (let j = k ? 1 : 0; j < pts.length; j++) out.push(pts[j]);
      });
      return out;
    };
    const geometry = (g) => {
      if (g.type === "Polygon") return { type: "Polygon", coordinates: g.arcs.map(ring) };
      if (g.type === "MultiPolygon") return { type: "MultiPolygon", coordinates: g.arcs.map((p) => p.map(ring)) };
      return null;
    };
    const geoms = obj.type === "GeometryCollection" ? obj.geometries : [obj];
    return {
      type: "FeatureCollection",
      features: geoms.map((g) => ({ type: "Feature", properties: g.properties || {}, geometry: geometry(g) })).filter((f) => f.geometry),
    };
  };

  /* ---------------------------------------------------------------- dates */
  S.addDays = function (day, n) {
    const d = new Date(day + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  };
  S.daysBetween = (a, b) => Math.round((Date.parse(b + "T00:00:00Z") - Date.parse(a + "T00:00:00Z")) / 86400000);
})();
