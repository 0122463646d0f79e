// The commitments panel: every must_by obligation of the agreement in force (withdraw heavy
// weapons by a date, redeploy, release detainees) with its deadline, the status records it
// rests on, its verdict and the reason, as the service last judged it (GET /commitments).
// A module of its own beside app.js: it reads the token the page keeps and the page's
// language (LANG, i18n.js), and draws itself under the agreement view.
"use strict";
(() => {
  const WORDS = {
    en: { title: "Commitments", clause: "Clause", bound: "Bound", deadline: "Deadline",
          records: "Status records", verdict: "Verdict", reason: "Reason",
          none: "The agreement in force has no commitment with a deadline.",
          asof: "as judged on the status records stored, as of {t}",
          breach: "breach", undetermined: "undetermined", complies: "complies",
          done: "done", not_done: "not done", claimed: "claimed" },
    ru: { title: "Обязательства", clause: "Пункт", bound: "Обязанная сторона", deadline: "Срок",
          records: "Записи о статусе", verdict: "Вердикт", reason: "Обоснование",
          none: "В действующем соглашении нет обязательств со сроком.",
          asof: "по сохранённым записям о статусе, на {t}",
          breach: "нарушение", undetermined: "не установлено", complies: "соответствует",
          done: "выполнено", not_done: "не выполнено", claimed: "заявлено" },
    ar: { title: "الالتزامات", clause: "البند", bound: "الطرف الملزم", deadline: "الموعد النهائي",
          records: "سجلات الحالة", verdict: "الحكم", reason: "السبب",
          none: "لا يتضمن الاتفاق النافذ التزامات بموعد نهائي.",
          asof: "كما حُكم عليها بسجلات الحالة المحفوظة، حتى {t}",
          breach: "خرق", undetermined: "غير محسوم", complies: "ملتزم",
          done: "مُنفَّذ", not_done: "غير مُنفَّذ", claimed: "مُدّعى" },
  };
  const word = (key, vars) => {
    const lang = typeof LANG === "string" && WORDS[LANG] ? LANG : "en";
    let s = WORDS[lang][key] || WORDS.en[key];
    for (const [k, v] of Object.entries(vars || {})) s = s.split(`{${k}}`).join(v);
    return s;
  };
  const node = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    e.append(...children);
    return e;
  };

  async function render() {
    const host = document.getElementById("view-agreement");
    if (!host) return;
    const token = sessionStorage.getItem("jig.token");
    const r = await fetch("/commitments", { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const body = await r.json().catch(() => ({}));
    let panel = document.getElementById("commitments-panel");
    if (r.status === 403) { if (panel) panel.remove(); return; }  // an observer: not its to read
    if (!panel) {
      panel = node("section", { id: "commitments-panel", "aria-live": "polite" });
      host.append(panel);
    }
    panel.replaceChildren(node("h3", {}, word("title")));
    if (!r.ok) {  // no agreement yet: say why
      panel.append(node("p", { class: "muted" }, (body.error && body.error.message) || `${r.status}`));
      return;
    }
    const rows = body.commitments || [];
    if (!rows.length) { panel.append(node("p", { class: "muted" }, word("none"))); return; }
    panel.append(node("p", { class: "muted" }, word("asof", { t: rows[0].as_of })));
    const table = node("table", { class: "record commitments" });
    table.append(node("tr", {}, ...["clause", "bound", "deadline", "records", "verdict", "reason"]
      .map((k) => node("th", {}, word(k)))));
    for (const c of rows) {
      // A status as the report names it (done, not done, claimed); another as recorded.
      const records = (c.evidence || []).map((e) => `${e.id}: ${e.note ? word(e.note) || e.note : ""}`).join("; ");
      table.append(node("tr", { "data-commitment": c.commitment, "data-actor": c.actor, "data-outcome": c.outcome },
        node("td", { dir: "ltr" }, c.commitment), node("td", {}, c.actor),
        node("td", { dir: "ltr" }, c.deadline), node("td", {}, records),
        node("td", { class: `verdict ${c.outcome}` }, word(c.outcome)), node("td", { "data-tr": c.reason }, c.reason)));
    }
    panel.append(table);
    // The reasons are the engine's English, read back through the catalogs as the map's are.
    if (typeof translateIn === "function") await translateIn(panel);
  }

  const later = () => { render().catch(() => {}); };
  document.addEventListener("DOMContentLoaded", later);
  document.addEventListener("click", (ev) => {
    if (ev.target.closest && ev.target.closest('[data-view="agreement"]')) later();
  });
  document.addEventListener("change", (ev) => { if (ev.target.id === "lang") later(); });
  document.addEventListener("submit", () => setTimeout(later, 0));  // signed in: a new token
})();
