/* sitrep UI, part 3: the side panel (places list, place view, speakers list, speaker view).
 * Every piece of text goes through S.el (textContent); evidence highlighted with <mark>.
 */
(function () {
  "use strict";
  const S = window.Sitrep;
  const el = S.el;

  const badge = (status) => (status ? el("span", { class: "badge " + S.token(status), title: S.STATUS_HELP[status] || null, text: status }) : null);
  const side = (s) => (s ? el("span", { class: "side", text: s, title: "side" }) : null);
  S.colourSides = function (root) {
    // colour is presentation only: style.background is set through CSSOM, never from markup
    for (const n of root.querySelectorAll(".side")) n.style.background = S.sideColour(n.textContent);
  };
  const who = (p) => (p ? [p.name || p.side || "?", p.side && p.name ? " " : "", p.side && p.name ? side(p.side) : null] : null);

  /* the evidence sentence, with the evidence span highlighted */
  S.quote = function (item) {
    const c = item.context || { before: "", match: (item.evidence || {}).text || "", after: "" };
    return el("blockquote", { class: "evidence" }, c.before, el("mark", { text: c.match }), c.after);
  };

  /* one report: outlet, date, speaker, status, corroboration, the evidence in its sentence */
  S.reportCard = function (i, opts) {
    opts = opts || {};
    const according = i.kind === "claim" ? null
      : i.asserted_by ? el("span", { class: "speaker" }, "according to ", opts.onSpeaker && i.asserted_by.name
        ? el("button", { type: "button", class: "link", text: i.asserted_by.name, onclick: () => opts.onSpeaker(i.asserted_by.name) })
        : (i.asserted_by.name || "?"), i.asserted_by.side ? " " : "", side(i.asserted_by.side))
        : el("span", { class: "speaker", text: "the outlet's own report" });
    return el("div", { class: "card report", "data-fact": i.id },
      el("div", { class: "head" },
        el("span", { class: "outlet", text: i.outlet || "unknown outlet" }),
        el("span", { class: "date", text: i.day ? i.day + (i.date_inferred ? " (published)" : "") : "undated" }),
        according,
        i.kind === "claim" ? el("span", { text: i.claim_kind || "" }) : badge(i.status),
        i.kind === "claim" ? null : el("span", { class: "corroboration", title: (i.outlets || []).join(", "),
          text: i.corroboration + (i.corroboration === 1 ? " source" : " sources") })),
      i.summary ? el("div", { class: "what", text: i.summary }) : null,
      S.quote(i),
      el("div", { class: "foot" },
        S.safeUrl(i.url) ? el("a", { href: i.url, text: i.title || i.url }) : el("span", { text: i.title || "" }),
        " · ", el("span", { text: i.doc_id })));
  };

  S.placesList = function (places, onOpen) {
    if (!places.length) return el("p", { class: "empty", text: "No places with control changes or events yet." });
    return el("ul", { class: "list places" }, places.map((p) => el("li", {},
      el("button", { type: "button", class: "link place-link", "data-place": p.key, text: p.name || p.key, onclick: () => onOpen(p.key) }),
      " ", side(p.controller), " ", badge(p.controller_status),
      el("div", { class: "meta", text: [p.precision || "precision unknown", p.admin1, p.country].filter(Boolean).join(" · ")
        + " — " + p.n_reports + " reports" + (p.contested ? ", contested" : "") }))));
  };

  S.speakersList = function (speakers, onOpen) {
    if (!speakers.length) return el("p", { class: "empty", text: "No speakers yet." });
    return el("ul", { class: "list speakers" }, speakers.map((s) => el("li", {},
      el("button", { type: "button", class: "link speaker-link", text: s.name, onclick: () => onOpen(s.name) }),
      " ", side(s.side),
      el("div", { class: "meta", text: (s.title ? s.title + " — " : "") + s.n_claims + " claims, " + s.n_assertions + " assertions" }))));
  };

  S.placeView = function (v, handlers) {
    const p = v.place;
    const tl = v.timeline.length
      ? el("ol", { class: "timeline-list" }, v.timeline.map((e) => {
        const li = el("li", { class: "tl-entry" },
          el("strong", { text: e.date || "undated" }), " ",
          e.stance === "denied" ? "denied: control to " : e.stance === "annexation_claim" ? "annexation claimed by " : "control to ",
          e.controller_name || e.controller || "?", " ", side(e.controller), " ", badge(e.status),
          el("div", { class: "meta", text: e.n_sources + (e.n_sources === 1 ? " source: " : " sources: ")
            + (e.sources || []).map((s) => (s && typeof s === "object" ? s.outlet || s.doc_id || "" : String(s))).join(", ") }));
        li.style.setProperty("--dot", S.STATUS_COLOUR[e.status] || "#888");
        return li;
      }))
      : el("p", { class: "empty", text: "No control changes reported here." });
    const opts = { onSpeaker: handlers.speaker };
    const root = el("div", { class: "place-view", "data-place": p.key },
      el("h2", { text: p.name || p.key }),
      el("div", { class: "meta", text: [p.precision, p.admin1, p.country,
        p.lat != null ? Number(p.lat).toFixed(3) + ", " + Number(p.lon).toFixed(3) : null].filter(Boolean).join(" · ") }),
      el("h3", { text: "Control timeline" }), tl,
      v.contradictions.length ? el("h3", { text: "Contradictions (" + v.contradictions.length + ")" }) : null,
      v.contradictions.map((c) => el("div", { class: "versus", "data-cluster": c.id }, c.sides.map((i) => S.reportCard(i, opts)))),
      el("h3", { text: "Reports (" + v.reports.length + ")" }),
      v.reports.map((i) => S.reportCard(i, opts)));
    S.colourSides(root);
    return root;
  };

  S.speakerView = function (v, handlers) {
    const s = v.speaker;
    const root = el("div", { class: "speaker-view" },
      el("h2", { text: s.name }),
      el("div", { class: "meta" }, s.title || "", s.title ? " " : "", side(s.side), s.outlets.length ? " — quoted by " + s.outlets.join(", ") : ""),
      el("h3", { text: "Claims (" + v.claims.length + ")" }),
      v.claims.length ? v.claims.map((i) => S.reportCard(i)) : el("p", { class: "empty", text: "No quoted claims." }),
      v.assertions.length ? el("h3", { text: "Control changes and events they asserted (" + v.assertions.length + ")" }) : null,
      v.assertions.map((i) => el("div", {}, S.reportCard(i),
        i.place_key ? el("button", { type: "button", class: "link", text: "→ " + (i.place_resolved || i.place_name || "place"), onclick: () => handlers.place(i.place_key) }) : null)));
    S.colourSides(root);
    return root;
  };

  S.about = function (stats) {
    return el("div", { class: "about" },
      el("h2", { text: "About this ledger" }),
      el("p", { text: stats.documents + " documents (" + Object.entries(stats.documents_by_status).map(([k, v]) => v + " " + k).join(", ") + "); "
        + stats.facts.control_change + " control changes, " + stats.facts.event + " events, " + stats.facts.claim + " claims; "
        + stats.located + " located on the map." }),
      el("p", { text: "Status: confirmed = " + S.STATUS_HELP.confirmed + "; claimed = " + S.STATUS_HELP.claimed + "; contested = " + S.STATUS_HELP.contested + "." }),
      el("p", { text: "Dates are the reported event date, else the publication date (marked “published”)." }),
      el("p", { text: stats.basemap ? "Country outlines: Natural Earth (via world-atlas)." : "No country outlines installed (run python -m sitrep.serve.basemap)." }));
  };
})();
