// The "From text" view: paste a bulletin, a strike release, a monitor's note or a press item;
// the service reads it into candidate incidents (POST /drafts), each shown beside the text with
// the span every field was read from highlighted; a person edits the fields, then confirms
// (POST /drafts/{id}/confirm: stored and judged as any intake) or discards each.
// A module of its own beside app.js: it uses the page's token and sign-in (`state`), its
// strings (`t`, i18n.js) and, after a confirmation, its refresh of the map and list. Every
// piece of data goes into the page as text nodes, never as markup.
"use strict";
(() => {
  // The fields shown first, in the format's order; any other a draft has follows.
  const ORDER = ["id", "time", "lon", "lat", "precision_m", "actor", "target", "act", "weapon",
    "count", "place", "place_ref", "place_note", "source", "notes"];
  const NUMBERS = new Set(["lon", "lat", "precision_m", "count"]);
  const node = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, v);
    e.append(...children.filter((c) => c !== null && c !== undefined));
    return e;
  };
  const $ = (id) => document.getElementById(id);

  async function call(path, options) {
    const headers = { "content-type": "application/json" };
    if (state.token) headers.authorization = `Bearer ${state.token}`;
    const r = await fetch(path, Object.assign({ headers }, options || {}));
    const body = r.status === 204 ? {} : await r.json().catch(() => ({}));
    return { ok: r.ok, status: r.status, body };
  }

  // The text with each field's span marked: the text is cut at every span's ends, and a piece
  // inside one or more spans becomes a <mark> naming those fields.
  // The spans count characters as Python does (code points); a JavaScript string counts UTF-16
  // units, so the text is cut as an array of code points ("🔴 قصف" shifted every mark by one).
  function marked(text, evidence) {
    const chars = Array.from(text);
    const spans = Object.entries(evidence || {}).filter(([, e]) => e.end > e.start);
    const cuts = [...new Set([0, chars.length, ...spans.flatMap(([, e]) => [e.start, e.end])])]
      .filter((x) => x >= 0 && x <= chars.length).sort((a, b) => a - b);
    const out = node("p", { class: "draft-text", dir: "auto" });
    for (let i = 0; i + 1 < cuts.length; i++) {
      const [a, b] = [cuts[i], cuts[i + 1]];
      const piece = chars.slice(a, b).join("");
      const fields = spans.filter(([, e]) => e.start <= a && b <= e.end).map(([k]) => k);
      out.append(fields.length ? node("mark", { "data-fields": fields.join(" "), title: fields.map((f) => t(`draft.field.${f}`)).join(", ") }, piece) : piece);
    }
    return out;
  }

  function value(input) {
    const v = input.value.trim();
    if (v === "") return null;
    if (NUMBERS.has(input.dataset.field) && !Number.isNaN(Number(v))) return Number(v);
    return v;  // not a number where one is wanted: sent as typed, and the check names it
  }

  function changes(article, draft) {
    const out = {};
    for (const input of article.querySelectorAll("input[data-field]")) {
      const v = value(input);
      const was = draft.fields[input.dataset.field];
      if (v !== (was === undefined ? null : was)) out[input.dataset.field] = v;
    }
    return out;
  }

  function say(article, text, problems) {
    const box = article.querySelector(".draft-status");
    box.replaceChildren(text);
    for (const input of article.querySelectorAll("input[data-field]")) input.removeAttribute("aria-invalid");
    for (const p of problems || []) {
      const field = ((p.where && p.where.path) || "").replace(/^fields\./, "");
      const input = article.querySelector(`input[data-field="${CSS.escape(field)}"]`);
      if (input) input.setAttribute("aria-invalid", "true");
      box.append(node("br"), `${field}: ${p.message}`);
    }
  }

  // Saves what was changed in the form; the draft as stored afterwards (or null and a message).
  async function save(article, draft) {
    const edit = changes(article, draft);
    if (!Object.keys(edit).length) return draft;
    const r = await call(`/drafts/${draft.id}`, { method: "PATCH", body: JSON.stringify({ fields: edit }) });
    if (!r.ok) { say(article, (r.body.error && r.body.error.message) || `${r.status}`, r.body.error && r.body.error.problems); return null; }
    return r.body;
  }

  function card(draft) {
    const article = node("article", { class: "draft", "data-draft": String(draft.id) });
    const keys = [...ORDER.filter((k) => k in draft.fields), ...Object.keys(draft.fields).filter((k) => !ORDER.includes(k))];
    const form = node("form", { class: "draft-fields" });
    for (const k of keys) {
      const id = `draft-${draft.id}-${k}`;
      const v = draft.fields[k];
      const e = draft.evidence[k];
      const input = node("input", { id, "data-field": k, type: "text", dir: "auto", value: v === null || v === undefined ? "" : String(v) });
      input.addEventListener("focus", () => { for (const m of article.querySelectorAll("mark")) m.classList.toggle("active", m.dataset.fields.split(" ").includes(k)); });
      const read = e ? node("span", { class: "muted" }, t("draft.read", { text: e.text, p: Math.round(e.confidence * 100) })) : null;
      form.append(node("label", { for: id }, t(`draft.field.${k}`)), input, read || node("span"));
    }
    const confirm = node("button", { type: "button", class: "draft-confirm" }, t("draft.confirm"));
    const keep = node("button", { type: "button", class: "draft-save" }, t("draft.save"));
    const discard = node("button", { type: "button", class: "draft-discard" }, t("draft.discard"));
    keep.addEventListener("click", async () => {
      const stored = await save(article, draft);
      if (stored) { draft = stored; say(article, t("draft.saved", { n: stored.revision })); }
    });
    confirm.addEventListener("click", async () => {
      const stored = await save(article, draft);
      if (!stored) return;
      draft = stored;
      const r = await call(`/drafts/${draft.id}/confirm?revision=${draft.revision}`, { method: "POST" });
      if (!r.ok) { say(article, (r.body.error && r.body.error.message) || `${r.status}`, r.body.error && r.body.error.problems); return; }
      const [res] = r.body.results;
      const verdict = ((r.body.verdicts[res.id] || [])[0] || {}).verdict;
      const done = node("p", { class: "draft-done", "data-incident": res.id, "data-verdict": verdict || "" },
        t("draft.stored", { id: res.id, verdict: verdict ? t(`verdict.${verdict}`) : "—" }));
      article.replaceWith(done);
      if (typeof refresh === "function") refresh().catch(() => {});
    });
    discard.addEventListener("click", async () => {
      const r = await call(`/drafts/${draft.id}`, { method: "DELETE" });
      if (r.ok || r.status === 404) article.remove();
      else say(article, (r.body.error && r.body.error.message) || `${r.status}`);
    });
    article.append(marked(draft.text, draft.evidence), form,
      node("div", { class: "draft-actions" }, confirm, keep, discard),
      node("p", { class: "draft-status", role: "status" }));
    return article;
  }

  async function load() {
    const list = $("draft-list");
    if (!list || !state.me) return;
    const r = await call("/drafts");
    list.replaceChildren(...(r.ok ? r.body.drafts.map(card) : [node("p", { class: "muted" }, (r.body.error && r.body.error.message) || `${r.status}`)]));
  }

  async function read(ev) {
    ev.preventDefault();
    const text = $("draft-text").value;
    const body = { text, lang: $("draft-lang").value };
    if ($("draft-date").value) body.date = $("draft-date").value;
    const r = await call("/drafts", { method: "POST", body: JSON.stringify(body) });
    const note = $("draft-note");
    if (!r.ok) { note.textContent = (r.body.error && r.body.error.message) || `${r.status}`; return; }
    note.textContent = r.body.drafts.length ? t("draft.found", { n: r.body.drafts.length }) : t("draft.none");
    // The text stays in the box: nothing typed is lost, whatever was found in it.
    for (const d of r.body.drafts) $("draft-list").append(card(d));
  }

  function build() {
    const host = $("view-drafts");
    if (!host || $("draft-form")) return;
    const lang = node("select", { id: "draft-lang" }, ...["auto", "en", "ru", "ar"].map((l) => node("option", { value: l }, t(`draft.lang.${l}`))));
    host.append(
      node("form", { id: "draft-form", class: "cell-form" },
        node("label", { for: "draft-text" }, t("draft.text")),
        node("textarea", { id: "draft-text", rows: "6", dir: "auto", required: "" }),
        node("label", { for: "draft-date" }, t("draft.date")), node("input", { id: "draft-date", type: "date" }),
        node("label", { for: "draft-lang" }, t("draft.lang")), lang,
        node("button", { type: "submit", id: "draft-read" }, t("draft.read.go")),
        node("p", { id: "draft-note", class: "muted", "aria-live": "polite" })),
      node("div", { id: "draft-list" }));
    $("draft-form").addEventListener("submit", read);
  }

  function relabel() {
    // Rebuilt in the page's language; the text typed so far is kept.
    const host = $("view-drafts");
    if (!host) return;
    const typed = $("draft-text") ? $("draft-text").value : "";
    host.replaceChildren();
    build();
    $("draft-text").value = typed;
    load().catch(() => {});
  }

  // Drafts are a party's own (and the open store's): the tab is offered to those who have one,
  // once the page says who signed in.
  const offer = () => {
    const tab = document.querySelector('[data-view="drafts"]');
    if (tab && state.me) tab.hidden = !["analyst", "lead", "open"].includes(state.me.role);
  };
  document.addEventListener("DOMContentLoaded", () => {
    build();
    new MutationObserver(offer).observe($("whoami"), { childList: true, characterData: true, subtree: true });
  });
  document.addEventListener("click", (ev) => {
    if (ev.target.closest && ev.target.closest('[data-view="drafts"]')) { build(); load().catch(() => {}); }
  });
  document.addEventListener("change", (ev) => { if (ev.target.id === "lang") relabel(); });
})();
