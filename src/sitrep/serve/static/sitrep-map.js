/* sitrep UI, part 2: the Leaflet map (no tiles: Natural Earth outlines when available).
 *
 * One marker per place, coloured by the side of its latest report (control changes first)
 * and styled by status: confirmed = solid, claimed = dashed outline, pale fill,
 * contested = purple dotted outline. A town is a small dot (circleMarker, pixels);
 * a region-level place is a large translucent circle (circle, metres).
 */
(function () {
  "use strict";
  const S = window.Sitrep;
  const el = S.el;
  const REGION_RADIUS_M = { admin2: 25000, admin1: 90000, country: 300000, natural_feature: 30000 };

  S.markerStyle = function (side, status, region) {
    const fill = S.sideColour(side);
    const st = {
      color: fill, fillColor: fill, weight: 2, opacity: 1,
      fillOpacity: region ? 0.16 : 0.9, dashArray: null,
    };
    if (status === "claimed") { st.dashArray = region ? "8 6" : "3 2"; st.fillOpacity = region ? 0.08 : 0.35; st.weight = 2; }
    if (status === "contested") { st.color = S.STATUS_COLOUR.contested; st.dashArray = "2 3"; st.weight = 3; st.fillOpacity = region ? 0.1 : 0.55; }
    return st;
  };

  S.Map = class {
    constructor(node, handlers) {
      this.handlers = handlers || {};
      this.map = L.map(node, { zoomSnap: 0.25, worldCopyJump: false, minZoom: 2, maxZoom: 14 });
      this.map.attributionControl.setPrefix(false);
      this.map.setView([48.5, 34], 5);
      this.base = null;
      this.markers = L.featureGroup().addTo(this.map);
      this.fitted = false;
    }

    setBasemap(topo) {
      const geo = topo ? S.topoFeatures(topo, "countries") : null;
      if (!geo) {
        this.map.getContainer().classList.add("no-basemap");
        return false;
      }
      this.base = L.geoJSON(geo, {
        interactive: false,
        style: { color: "#8d939c", weight: 0.7, fillColor: "#f3f0e8", fillOpacity: 1 },
      }).addTo(this.map);
      this.base.bringToBack();
      this.map.attributionControl.addAttribution("Outlines: Natural Earth");
      return true;
    }

    /* items: control changes and events (filtered); grouped by place */
    show(items) {
      this.markers.clearLayers();
      const groups = new Map();
      for (const i of items) {
        if (i.lat == null || i.lon == null) continue;
        const key = i.place_key || i.lat + "," + i.lon;
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key).push(i);
      }
      // paint order: region circles below town dots, busier places on top (clickable when overlapping)
      const rank = ([, g]) => (S.isRegion(g[0].precision) ? 0 : 1e6) + g.length;
      for (const [key, group] of Array.from(groups).sort((a, b) => rank(a) - rank(b))) this.markers.addLayer(this.marker(key, group));
      if (!this.fitted && this.markers.getLayers().length) {
        this.map.fitBounds(this.markers.getBounds().pad(0.25), { maxZoom: 8 });
        this.fitted = true;
      }
      return groups.size;
    }

    marker(key, group) {
      const byDay = (a, b) => (a.day || "").localeCompare(b.day || "") || a.id - b.id;
      group.sort(byDay);
      const ccs = group.filter((i) => i.kind === "control_change" && i.stance !== "denied");
      const lead = (ccs.length ? ccs : group)[(ccs.length ? ccs : group).length - 1];
      const status = group.some((i) => i.status === "contested") ? "contested" : lead.status;
      const region = S.isRegion(lead.precision);
      const style = S.markerStyle(lead.side, status, region);
      style.className = ["sr-marker", "sr-status-" + S.token(status), "sr-prec-" + (region ? "region" : "town"),
        "sr-kind-" + S.token(lead.kind), "sr-side-" + S.token(lead.side)].join(" ");
      const m = region
        ? L.circle([lead.lat, lead.lon], Object.assign({ radius: REGION_RADIUS_M[lead.precision] || 60000 }, style))
        : L.circleMarker([lead.lat, lead.lon], Object.assign({ radius: 7 }, style));
      const name = lead.place_resolved || lead.place_name || "?";
      m.bindTooltip(el("span", { text: name + " (" + group.length + ")" }), { direction: "top" });
      m.bindPopup(() => this.popup(key, name, group), { maxWidth: 340 });
      m.on("click", () => this.handlers.select && this.handlers.select(key));
      m.on("add", () => {
        const node = m.getElement && m.getElement();
        if (node) { node.setAttribute("data-place", key); node.setAttribute("data-count", String(group.length)); }
      });
      return m;
    }

    popup(key, name, group) {
      const items = group.slice().reverse().slice(0, 12).map((i) =>
        el("li", {}, (i.day || "undated") + " ", el("span", { class: "badge " + S.token(i.status), text: i.status }), " ",
          i.summary || "", i.corroboration > 1 ? " (" + i.corroboration + " sources)" : ""));
      return el("div", { class: "popup" },
        el("h4", { text: name }),
        el("ul", {}, items),
        group.length > 12 ? el("div", { class: "meta", text: "… " + (group.length - 12) + " more" }) : null,
        el("button", { type: "button", class: "link open-place", onclick: () => this.handlers.open && this.handlers.open(key) }, "Open place view"));
    }

    focus(lat, lon) {
      if (lat != null && lon != null) this.map.setView([lat, lon], Math.max(this.map.getZoom(), 7));
    }
  };

  /* the legend: sides present, the three statuses, town vs region */
  S.legend = function (node, sides) {
    const svg = (draw) => {
      const ns = "http://www.w3.org/2000/svg";
      const s = document.createElementNS(ns, "svg");
      s.setAttribute("width", "22"); s.setAttribute("height", "16");
      const c = document.createElementNS(ns, "circle");
      const st = draw;
      c.setAttribute("cx", "11"); c.setAttribute("cy", "8"); c.setAttribute("r", String(st.r));
      c.setAttribute("fill", st.fillColor); c.setAttribute("fill-opacity", String(st.fillOpacity));
      c.setAttribute("stroke", st.color); c.setAttribute("stroke-width", String(Math.min(st.weight, 2.5)));
      if (st.dashArray) c.setAttribute("stroke-dasharray", st.dashArray.replace(/(\d+)/g, (n) => String(Math.max(1, n / 2))));
      s.append(c);
      return s;
    };
    const row = (icon, label, title) => el("div", { class: "row", title: title || null }, icon, el("span", { text: label }));
    const sideRows = (sides.length ? sides : [null]).slice(0, 8).map((sd) =>
      row(svg(Object.assign(S.markerStyle(sd, "confirmed", false), { r: 5 })), sd || "unknown side"));
    const statusRows = ["confirmed", "claimed", "contested"].map((st) =>
      row(svg(Object.assign(S.markerStyle("UKR", st, false), { r: 5 })), st, S.STATUS_HELP[st]));
    node.replaceChildren(el("details", { open: true }, el("summary", { text: "Legend" }),
      el("h4", { text: "Side (colour)" }), sideRows,
      el("h4", { text: "Status (outline)" }), statusRows,
      el("h4", { text: "Precision" }),
      row(svg(Object.assign(S.markerStyle(null, "confirmed", false), { r: 4 })), "town / village"),
      row(svg(Object.assign(S.markerStyle(null, "confirmed", true), { r: 7 })), "region (area circle)")));
  };
})();
