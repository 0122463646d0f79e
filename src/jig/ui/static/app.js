// The jig page: the agreement and its verdicts on a map, an incident's reasoning, the review
// actions the signed-in role may take, the agreement's versions, and the air desk.
"use strict";

const COLORS = { breach: "#c0392b", undetermined: "#d4a017", excepted: "#1f8a9a", complies: "#2e8b57", not_applicable: "#888" };
const RANK = { breach: 0, undetermined: 1, excepted: 2, complies: 3, not_applicable: 4 };
// Each verdict by shape as well as colour, on the map, in the legend and in the list's badges.
const SHAPES = { breach: "triangle", undetermined: "diamond", excepted: "square", complies: "circle", not_applicable: "ring" };
const ZONE_FILL = { designated: "rgba(52,152,219,.22)", demilitarised: "rgba(155,89,182,.25)" };
// The layers the agreement's day draws; the others (a compared version, the open incident's
// focus, the air desk) are kept when the day or the filters change.
const AGREEMENT_LAYERS = new Set(["base", "zones", "sites", "targets"]);

const state = { token: sessionStorage.getItem("jig.token") || "", me: null, config: null, agreement: null, doc: null, version: null, map: null };
const $ = (id) => document.getElementById(id);

function showError(message) {
  const el = $("error");
  el.textContent = message; el.hidden = false;
  setTimeout(() => { el.hidden = true; }, 6000);
}

async function api(path, options) {
  const headers = Object.assign({ "content-type": "application/json" }, (options && options.headers) || {});
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  const r = await fetch(path, Object.assign({}, options || {}, { headers }));
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(errorText(body.error) || `${r.status}`);
  return body;
}

// The service's errors are English, each with a code: those a person meets first are said in
// the page's language (the English message, which names the detail, follows in brackets);
// the rest stay as the service words them.
const ERROR_CODES = ["auth.missing", "auth.invalid", "forbidden"];
function errorText(error) {
  if (!error) return "";
  if (LANG === "en" || !ERROR_CODES.includes(error.code)) return error.message;
  return `${t(`error.${error.code}`)} (${error.message})`;
}

function fmtTime(iso) {
  // Times are shown in the agreement's timezone and labelled with it. A time without an
  // offset is already the agreement's wall clock (a notice's "10:00"): JavaScript would read
  // it in the browser's zone, so it is read as UTC and shown as UTC, unchanged.
  const naive = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?)?$/.test(String(iso));
  const tz = naive ? "UTC" : state.doc ? state.doc.timezone : "UTC";
  const d = new Date(naive ? `${String(iso).length === 10 ? `${iso}T00:00` : iso}Z` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(LANG, { dateStyle: "medium", timeStyle: "short", timeZone: tz }).format(d);
}

function validOn(props, day) {
  if (!day) return true;
  const from = props.valid_from ? String(props.valid_from).slice(0, 10) : null;
  const until = props.valid_until ? String(props.valid_until).slice(0, 10) : null;
  return (!from || from <= day) && (!until || day < until);
}

function features(x) {
  if (!x) return [];
  return Array.isArray(x) ? x : x.features || [];
}

// The agreement as on the chosen day is the version governing acts then (amendments are not
// retroactive): its zones, sites and targets are drawn, not the current version's.
async function docOn(day) {
  if (!day || !state.agreement) return [state.doc, state.version];
  const id = state.agreement.agreement_id;
  const [v] = (await api(`/agreements?at=${encodeURIComponent(day)}`)).filter((x) => x.agreement_id === id);
  if (!v || v.version === state.version) return [state.doc, state.version];
  state.docs = state.docs || {};
  if (!state.docs[v.version]) state.docs[v.version] = (await api(`/agreements/${encodeURIComponent(id)}/versions/${v.version}`)).document;
  return [state.docs[v.version], v.version];
}

let layering = 0;
async function setLayers() {
  const ticket = ++layering;
  const day = $("day").value;
  let doc, version;
  try { [doc, version] = await docOn(day); } catch (err) { showError(err.message); return; }
  if (ticket !== layering) return; // another day was chosen meanwhile
  state.dayVersion = version;
  setTitle(`${state.doc.title || state.agreement.agreement_id} · v${version}`);
  const byDay = (fs) => features(fs).filter((f) => validOn(f.properties || {}, day));
  const parties = Object.keys(doc.parties || {});
  const agreed = (f) => parties.every((p) => ((f.properties || {}).agreed_by || []).includes(p));
  const zoneStyle = (kind) => ({ stroke: "#2c5d87", width: 1.5, fill: ZONE_FILL[kind] || "rgba(120,120,120,.2)" });
  const siteStyle = { stroke: "#8e44ad", width: 2, fill: "rgba(142,68,173,.25)", radius: 4 };
  const targetStyle = (yes) => (yes ? { stroke: "#111", width: 2, radius: 6 } : { stroke: "#111", width: 1.5, dash: [3, 3], radius: 6 });
  const zones = byDay(doc.zones), sites = byDay(doc.sites), targets = byDay(doc.targets);
  const kinds = [...new Set(zones.map((f) => f.properties.kind || ""))];
  const mine = [
    { name: "base", features: state.base.features, style: () => ({ stroke: "#b9b2a3", width: 1 }),
      legend: [{ key: "base", kind: "area", style: { stroke: "#b9b2a3", width: 1 }, label: () => t("legend.base") }] },
    { name: "zones", features: zones, style: (f) => Object.assign(zoneStyle(f.properties.kind), { label: f.properties.id }),
      legend: kinds.map((k) => ({ key: `zone:${k}`, kind: "area", style: zoneStyle(k), label: () => `${t("legend.zone")}${k ? ` (${tr(`zone.${k}`, k)})` : ""}` })) },
    { name: "sites", features: sites, style: (f) => Object.assign({}, siteStyle, state.map.zoom > 8 ? { label: f.properties.id, labelDy: -12, labelColor: "#5b2c6f" } : {}),
      legend: sites.length ? [{ key: "site", kind: "point", style: siteStyle, label: () => t("legend.site") }] : [] },
    { name: "targets", features: targets, style: (f) => Object.assign(targetStyle(agreed(f)), state.map.zoom > 8 ? { label: f.properties.id, labelDy: -14 } : {}),
      legend: [...new Set(targets.map(agreed))].map((yes) => ({ key: `target:${yes}`, kind: "point", style: targetStyle(yes), label: () => t(yes ? "legend.target" : "legend.unagreed") })) },
  ];
  state.map.layers = mine.concat(state.map.layers.filter((l) => !AGREEMENT_LAYERS.has(l.name)));
  state.map.draw();
}

// The legend: everything drawn now, each with a sample drawn in its own style; rebuilt only
// when what is drawn changes kind, not on every pan.
function legendEntries() {
  const out = [];
  const verdicts = new Set(state.map.points.map((p) => p.data.verdict || "not_applicable"));
  for (const v of Object.keys(RANK)) if (verdicts.has(v)) out.push({ key: `v:${v}`, kind: "marker", style: { shape: SHAPES[v], color: COLORS[v] }, label: () => t(`verdict.${v}`) });
  if (state.map.cells.length) {
    const worsts = new Set(state.map.cells.map((c) => c.color));
    for (const v of Object.keys(RANK)) if (worsts.has(COLORS[v])) out.push({ key: `c:${v}`, kind: "bubble", style: { color: COLORS[v] }, label: () => t("legend.cell", { verdict: t(`verdict.${v}`) }) });
  }
  for (const layer of state.map.layers) if (layer.features.length) out.push(...(layer.legend || []));
  return out;
}

function renderLegend() {
  const entries = legendEntries();
  const key = `${LANG}|${entries.map((e) => e.key).join(",")}`;
  if (key === state.legendKey) return;
  state.legendKey = key;
  $("legend").replaceChildren(el("h3", {}, t("legend")), el("ul", { class: "legend" }, ...entries.map((e) => {
    const sample = el("canvas", { width: "22", height: "16", class: "swatch", "aria-hidden": "true" });
    state.map.swatch(sample, e.kind, e.style);
    return el("li", { class: "legend-item", "data-key": e.key }, sample, el("span", {}, e.label()));
  })));
}

// The filters' choices, filled afresh (on sign-in, on a language switch) keeping the choice
// made, or the link's.
function refillFilters() {
  const fill = (id, values) => {
    const sel = $(id), want = sel.value || (state.link && !state.linkRead && state.link.get(id)) || "";
    sel.length = 1;
    sel.options[0].textContent = t("filter.any");
    for (const [value, label] of values) sel.add(new Option(label, value));
    sel.value = want;
  };
  fill("verdict", Object.keys(RANK).map((v) => [v, t(`verdict.${v}`)]));
  fill("clause", (state.doc.clauses || []).map((c) => [c.id, c.id]));
  fill("actor", Object.entries(state.doc.actors || {}).map(([id, a]) => [id, `${id} — ${a.name}`]));
}

function setTitle(text) { $("agreement-title").textContent = text; $("agreement-title").title = text; }

async function loadAgreement() {
  const [current] = await api("/agreements");
  if (!current) { $("agreement-title").textContent = "—"; return; }
  state.agreement = current;
  const v = await api(`/agreements/${encodeURIComponent(current.agreement_id)}/versions/${current.version}`);
  state.doc = v.document;
  state.version = current.version;
  setTitle(`${state.doc.title || current.agreement_id} · v${current.version}`);
  $("tz").textContent = $("air-tz").textContent = t("tz", { tz: state.doc.timezone || "UTC" });
  const from = String(state.doc.in_force.from).slice(0, 10);
  $("day").value = $("day").value || from;
  // The period shown first is the agreement's time in force (its `until` is the first day
  // no longer in force; the "to" field is inclusive).
  const until = state.doc.in_force.until ? String(state.doc.in_force.until).slice(0, 10) : null;
  const lastDay = until ? new Date(Date.parse(`${until}T00:00:00Z`) - 86400000).toISOString().slice(0, 10) : "";
  state.inForce = [from, lastDay];
  if (!$("from").value && !$("to").value && !state.periodSet) { $("from").value = from; $("to").value = lastDay; state.periodSet = true; }
  refillFilters();
  const air = $("air-party"); air.length = 0;
  for (const p of Object.keys(state.doc.parties || {})) air.add(new Option(p, p));
  if (state.me && state.me.party) air.value = state.me.party;
  setLayers();
  renderAgreement();
}

// The filters as query parameters, as last applied (Apply, a period chosen, the link the page
// opened with): what the map, the list, the 5-second refresh, Play, the exports and the link
// use. A control changed without Apply changes nothing yet (the refresh used to read the
// controls as they stood). Without a period, every time (the page fills in the agreement's
// time in force, which the user may clear).
function applyFilters() {
  // A period that ends before it starts showed "0 of 0" without a word, and its PDF "the
  // query is invalid": said, and not applied.
  if ($("from").value && $("to").value && $("from").value > $("to").value) {
    showError(t("filter.reversed"));
    return false;
  }
  const q = new URLSearchParams();
  for (const id of ["verdict", "clause", "actor", "source", "grade", "from", "to"]) if ($(id).value) q.set(id, $(id).value);
  state.applied = q.toString();
  return true;
}

function filterParams() {
  if (state.applied === undefined) applyFilters();
  return new URLSearchParams(state.applied);
}

function viewParams() {
  const q = filterParams();
  q.set("bbox", state.map.bbox().map((v) => v.toFixed(4)).join(","));
  return q;
}

const POINTS_AT_MOST = 1000;  // drawn one by one up to this many in view; counted per cell beyond
const worst = (counts) => Object.keys(counts).sort((a, b) => (RANK[a] ?? 9) - (RANK[b] ?? 9))[0];

let loading = 0;
async function loadIncidents(refreshing) {
  const ticket = ++loading;
  const q = viewParams(), asked = q.get("bbox");
  // The server counts every incident in view, per cell of about 40 px, each cell the view
  // touches whole (a cell's count does not change while the map pans over it).
  const counted = new URLSearchParams(q);
  counted.set("cells", String(Math.max(4, Math.min(256, Math.round(state.map.w / 40)))));
  counted.set("whole", "true");
  if (!q.get("from") && !q.get("to")) counted.set("all_time", "true");
  let ov, fc = { features: [] };
  try {
    ov = await api(`/incidents/overview?${counted}`);
    if (ov.bbox) q.set("bbox", ov.bbox.join(","));  // the box counted: points of the same cells
    if (ov.total > 0 && ov.total <= POINTS_AT_MOST) {
      q.set("format", "geojson"); q.set("brief", "true"); q.set("limit", String(POINTS_AT_MOST));
      fc = await api(`/incidents?${q}`);
    }
  } catch (err) { showError(err.message); return; }
  if (ticket !== loading) return; // a newer view was asked for meanwhile
  state.overview = ov;
  // What the export buttons write out: the incidents counted (the box of whole cells).
  state.selection = new URLSearchParams(counted);
  state.selection.delete("whole");
  state.selection.set("bbox", q.get("bbox"));
  state.map.points = fc.features.map((f) => ({
    lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1], shape: SHAPES[f.properties.verdict] || "ring",
    color: COLORS[f.properties.verdict] || "#888", rank: RANK[f.properties.verdict] ?? 9, data: f.properties,
  }));
  state.map.cells = fc.features.length ? [] : ov.cells.map((c) => ({
    at: c.at, n: c.n, color: COLORS[worst(c.counts)] || "#888", data: { cell: c, size: ov.cell },
  }));
  const shown = fc.features.length;
  $("count").textContent = t(shown || !ov.total ? "count.of" : "count.cells", { n: shown, m: ov.total });
  // A refresh leaves a cell's or a cluster's listing alone; anything else lists the view.
  if (!refreshing || !state.listing || state.listing === "view") {
    state.listed = fc.features.map((f) => f.properties);
    state.listing = "view";
    renderList(shown || !ov.total ? t("list.view", { n: shown }) : t("list.cells"));
  } else if (state.afterLoad) { const done = state.afterLoad; state.afterLoad = null; done(); }
  state.map.draw();
  state.drawnView = asked;
  saveLink();
  state.loaded = (state.loaded || 0) + 1;  // views drawn, and which: what a test waits on
  loadHistogram();
}

// -- observers: the published determinations ---------------------------------------------------

// An observer sees what the joint cell published, not the records: each determination with the
// incident as released, drawn on the map, listed beside it, and opened in the panel.
async function loadPublished() {
  let pub;
  try { pub = await api("/published"); } catch (err) { showError(err.message); return; }
  state.published = pub.determinations;
  const shown = pub.determinations.filter((d) => d.incident_record);
  state.map.cells = [];
  state.map.points = shown.map((d) => {
    const r = d.incident_record, v = r.verdict ? r.verdict.verdict : "not_applicable";
    return { lon: Number(r.record.lon), lat: Number(r.record.lat), color: COLORS[v] || "#888", rank: RANK[v] ?? 9, shape: SHAPES[v] || "ring",
      data: { id: r.id, workspace: r.workspace, verdict: v, time: r.record.time, actor: r.record.actor, act: r.record.act, review: d.id } };
  });
  state.listed = state.map.points.map((p) => p.data);
  $("count").textContent = t("count.published", { n: shown.length });
  renderList(t("count.published", { n: shown.length }));
  state.map.draw();
  state.loaded = (state.loaded || 0) + 1;
}

function openPublished(id) {
  const d = (state.published || []).find((x) => x.incident_record && x.incident_record.id === id);
  if (!d) return;
  state.open = { id };
  saveLink();
  const r = d.incident_record, panel = $("panel");
  panel.replaceChildren(el("h2", {}, el("span", { class: "when" }, String(r.record.time || "").replace("T", " ")), " · ", `${r.id} `, r.verdict ? badge(r.verdict.verdict) : null));
  panel.append(el("p", { class: "muted" }, t("published.at", { at: fmtTime(d.published_at) }), ` · ${t(`determination.${d.determination}`)}`));
  panel.append(el("h3", {}, t("panel.review")), el("p", {}, `${t("review.asked", { party: d.queried_party })} `, el("bdi", {}, d.query)));
  if (d.answer) panel.append(el("p", {}, `${d.queried_party}: `, el("bdi", {}, d.answer)));
  // People's words in <bdi>: a Russian or English sentence in an Arabic page keeps its own
  // direction ("?and on what basis" otherwise).
  for (const x of d.determinations) panel.append(el("p", { class: "determination" }, `${x.party}: `, el("strong", {}, t(`outcome.${x.outcome}`)), " — ", el("bdi", {}, x.text)));
  for (const f of (r.verdict && r.verdict.findings) || []) panel.append(el("div", { class: `finding ${f.outcome}` }, el("strong", {}, f.clause), " ", badge(f.outcome), el("p", { "data-tr": f.reason }, f.reason)));
  const table = el("table", { class: "record" });
  for (const [k, val] of Object.entries(r.record)) table.append(el("tr", {}, fieldCell(k), el("td", {}, typeof val === "object" ? JSON.stringify(val) : val)));
  panel.append(el("h3", {}, t("panel.record")), table);
  translateIn(panel);
  if (d.head) panel.append(el("p", { class: "muted" }, t("published.head", { seq: d.head.tree_size, root: String(d.head.root_hash).slice(0, 16) })));
}

// -- the histogram of findings over time ------------------------------------------------------

let histogramTicket = 0;
async function loadHistogram() {
  const ticket = ++histogramTicket;
  // The whole time in force, in view and under the other filters; the period chosen is shaded.
  const q = viewParams();
  q.delete("from"); q.delete("to");
  let h;
  try { h = await api(`/incidents/histogram?${q}`); } catch (err) { showError(err.message); return; }
  if (ticket !== histogramTicket) return;
  const first = state.inForce[0], last = state.inForce[1] || (h.days.length ? h.days[h.days.length - 1].day : first);
  state.histogram = h;
  state.timeline.set(first, last, h.days);
  state.timeline.choose($("from").value || first, $("to").value || last);
}

function choosePeriod(from, to) {
  $("from").value = from; $("to").value = to;
  applyFilters();
  state.timeline.choose(from, to);
  loadIncidents();
}

// Play: one day at a time from the start of the chosen period, each day once it is drawn.
function play() {
  const button = $("play");
  if (state.playing) { stopPlaying(); return; }
  state.playing = true;
  button.setAttribute("aria-pressed", "true"); button.textContent = t("time.stop");
  // Within the chosen period (it ran on to the end of the time in force).
  const applied = filterParams();
  let day = applied.get("from") || state.inForce[0];
  const end = applied.get("to") || state.inForce[1] || day;
  const step = async () => {
    if (!state.playing) return;
    if (day > end) { stopPlaying(); return; }
    choosePeriod(day, day);
    await new Promise((resolve) => { state.afterLoad = resolve; });
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);
    day = next;
    state.playTimer = setTimeout(step, 700);
  };
  step();
}

function stopPlaying() {
  state.playing = false;
  clearTimeout(state.playTimer);
  $("play").setAttribute("aria-pressed", "false"); $("play").textContent = t("time.play");
}

// -- the list beside the map ------------------------------------------------------------------

function renderList(note) {
  if (note !== undefined) state.listNote = note;
  const needle = $("list-search").value.trim().toLowerCase();
  const all = state.listed || [];
  const rows = all.filter((p) => !needle || [p.id, p.actor, p.act, p.time, p.verdict && t(`verdict.${p.verdict}`)]
    .some((v) => v && String(v).toLowerCase().includes(needle)));
  const by = $("list-sort").value;
  const key = { time: (p) => p.time || "", id: (p) => p.id, verdict: (p) => RANK[p.verdict] ?? 9 }[by];
  rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : String(a.id).localeCompare(String(b.id))));
  $("list-note").textContent = needle ? `${state.listNote} · ${t("list.filtered", { k: rows.length, n: all.length })}` : state.listNote;
  const list = $("incident-list");
  const hadFocus = list.contains(document.activeElement);
  list.replaceChildren(...rows.map((p, i) => el("li", { role: "option", tabindex: "-1", id: `item-${i}`, "data-id": p.id, "data-workspace": p.workspace || "",
    on: { click: () => selectItem(i, true) } }, badge(p.verdict || "not_applicable"), " ", el("strong", {}, p.id), " ",
    el("span", { class: "muted" }, p.time || "", p.time ? " · " : "", actPhrase(p)))));
  translateIn(list);
  // The map refreshes itself: the item selected stays selected (and focused) when still listed.
  const at = rows.findIndex((p) => p.id === state.selectedId);
  state.selected = at >= 0 ? at : null;
  if (at >= 0) {
    const item = list.children[at];
    item.setAttribute("aria-selected", "true");
    list.setAttribute("aria-activedescendant", item.id);
    if (hadFocus) item.focus();
  }
  if (state.afterLoad) { const done = state.afterLoad; state.afterLoad = null; done(); }
}

function selectItem(i, open) {
  const items = $("incident-list").children;
  if (!items.length) return;
  i = Math.max(0, Math.min(items.length - 1, i));
  for (const li of items) li.setAttribute("aria-selected", "false");
  items[i].setAttribute("aria-selected", "true");
  items[i].focus();
  $("incident-list").setAttribute("aria-activedescendant", items[i].id);
  state.selected = i;
  state.selectedId = items[i].dataset.id;
  if (open && state.me && state.me.role === "observer") openPublished(items[i].dataset.id);
  else if (open) openIncident(items[i].dataset.id, items[i].dataset.workspace || undefined);
}

function listKeys(e) {
  const moves = { ArrowDown: 1, ArrowUp: -1, Home: -1e9, End: 1e9 };
  if (e.key in moves) { e.preventDefault(); selectItem((state.selected ?? -1) + moves[e.key], false); }
  if (e.key === "Enter" && state.selected != null) { e.preventDefault(); selectItem(state.selected, true); }
}

// A click on the map: an incident opens; a cluster lists its members; a cell of counts lists
// its incidents (asked of the server, under the same filters).
async function mapClick(data) {
  if (data.cell) {
    const c = data.cell, q = filterParams();
    q.set("bbox", [c.lon, c.lat, c.lon + data.size, c.lat + data.size].map((v) => v.toFixed(6)).join(","));
    q.set("format", "geojson"); q.set("brief", "true"); q.set("limit", String(POINTS_AT_MOST));
    let fc;
    try { fc = await api(`/incidents?${q}`); } catch (err) { showError(err.message); return; }
    state.listed = fc.features.map((f) => f.properties);
    state.listing = "cell";
    renderList(fc.next ? t("list.cell.first", { k: fc.features.length, n: c.n }) : t("list.cell", { n: c.n }));
    return;
  }
  if (data.cluster) {
    state.listed = data.cluster; state.listing = "cluster";
    renderList(t("list.cluster", { n: data.cluster.length }));
  }
  openIncident(data.id, data.workspace);
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "on") for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function badge(verdict) { return el("span", { class: `badge ${verdict}` }, t(`verdict.${verdict}`)); }

async function openIncident(id, workspace) {
  const panel = $("panel");
  let inc;
  // Ids are scoped by workspace: name whose record when the map knows it.
  const where = workspace ? `?workspace=${encodeURIComponent(workspace)}` : "";
  try { inc = await api(`/incidents/${encodeURIComponent(id)}${where}`); } catch (err) { showError(err.message); return; }
  state.open = { id: inc.id, workspace: inc.workspace };
  saveLink();
  panel.replaceChildren();
  const v = inc.verdict;
  // The headline is when it happened, as reported (in the agreement's timezone); when it was
  // received comes second.
  panel.append(el("h2", {}, el("span", { class: "when" }, String(inc.record.time || "").replace("T", " ")), " · ", `${inc.id} `, v ? badge(v.verdict) : null));
  panel.append(el("p", { class: "muted" }, t("panel.received", { at: fmtTime(inc.received_at) }), v ? ` · v${v.version} · ${v.agreement_hash.slice(0, 12)}` : ""));
  panel.append(el("h3", {}, t("panel.findings")));
  for (const f of (v && v.findings) || []) {
    const box = el("div", { class: `finding ${f.outcome}` }, el("strong", {}, f.clause), " ", badge(f.outcome),
      // p as the reports give it (two figures): "p = 0.34601959963430035" read as precision.
      f.p != null ? ` p = ${Number(f.p).toLocaleString(LANG, { maximumFractionDigits: 2 })}` : "", el("p", { "data-tr": f.reason }, f.reason));
    if (f.evidence && f.evidence.length) {
      const list = el("ul", { "aria-label": t("panel.evidence") });
      for (const ev of f.evidence) {
        const link = el("a", { href: "#", on: { click: (e) => { e.preventDefault(); if (ev.kind === "incident") openIncident(ev.id); else openNotice(ev.id); } } }, `${tr(`evidence.${ev.kind}`, ev.kind)} ${ev.id}`);
        list.append(el("li", {}, link, ...(ev.note ? [" — ", el("span", { "data-tr": ev.note }, ev.note)] : [])));
      }
      box.append(list);
    }
    panel.append(box);
  }
  // The steps come from another request: their place is kept, so that the panel's parts
  // appear in order and the record does not wait for them.
  const reasoning = el("section", { id: "reasoning", "aria-label": t("panel.reasoning") }, el("h3", {}, t("panel.reasoning")));
  panel.append(reasoning);
  renderReasoning(inc, reasoning);
  drawFocus(inc, (v && v.findings) || []);
  panel.append(el("h3", {}, t("panel.record")));
  const table = el("table", { class: "record" });
  for (const [k, val] of Object.entries(inc.record)) {
    if (k === "records") continue;
    table.append(el("tr", {}, fieldCell(k), el("td", k === "act" ? { "data-tr": val } : {}, typeof val === "object" ? JSON.stringify(val) : val)));
  }
  panel.append(table);
  // An incident merged from several reports keeps every source record: one row each.
  if (Array.isArray(inc.record.records)) {
    panel.append(el("h3", {}, t("panel.sources")));
    const sources = el("table", { class: "record" });
    for (const r of inc.record.records) sources.append(el("tr", {}, el("td", {}, `${r.dataset}: ${r.id}`), el("td", {}, [r.time, r.actor, r.grade].filter(Boolean).join(" · "))));
    panel.append(sources);
  }
  if (inc.history && inc.history.length > 1) {
    panel.append(el("h3", {}, t("panel.history")));
    const list = el("ol");
    for (const h of inc.history) list.append(el("li", {}, `v${h.version} · ${t("history.rev")} ${h.revision} · `, badge(h.verdict), ` · ${fmtTime(h.judged_at)}`));
    panel.append(list);
  }
  translateIn(panel);
  await renderReview(inc);
}

// The engine's steps, clause by clause: how the actor was matched, what was in effect, each
// exception tried and why it was met or not. Clauses that do not apply are folded away.
async function renderReasoning(inc, box) {
  let ex;
  const where = inc.workspace ? `?workspace=${encodeURIComponent(inc.workspace)}` : "";
  try { ex = await api(`/incidents/${encodeURIComponent(inc.id)}/explain${where}`); } catch (err) { box.remove(); return; }
  // A breach whichever of two sides acted is no clause's finding: say why, first.
  if (ex.verdict_reason) box.append(el("p", { class: "verdict-reason", "data-tr": ex.verdict_reason }, ex.verdict_reason));
  box.append(el("ul", { class: "preamble" }, ...ex.preamble.map((line) => el("li", { "data-tr": line }, line))));
  const folded = el("details", {}, el("summary", {}, t("panel.inapplicable")));
  for (const c of ex.clauses) {
    const part = el("div", { class: `finding ${c.outcome}` }, el("strong", {}, c.clause), " ", badge(c.outcome),
      c.quote ? el("p", { class: "muted" }, `“${c.quote}”`) : null,
      el("ol", { class: "steps" }, ...c.steps.map((step) => el("li", { "data-tr": step }, step))));
    (c.outcome === "not_applicable" ? folded : box).append(part);
  }
  if (folded.children.length > 1) box.append(folded);
  await translateIn(box);
  box.classList.add("done");
}

// On the map, around the open incident: the evidence incidents and notices it relied on, and
// the zones, sites and targets its findings name (the nearest, for a breach outside them).
async function drawFocus(inc, findings) {
  const here = [Number(inc.record.lon), Number(inc.record.lat)];
  const feats = [{ type: "Feature", properties: { role: "open" }, geometry: { type: "Point", coordinates: here } }];
  const named = new Set(findings.flatMap((f) => [f.zone, f.site, f.target]).filter(Boolean));
  const doc = state.doc || {};
  for (const k of ["zones", "sites", "targets"]) for (const f of features(doc[k])) if (named.has(f.properties.id)) feats.push({ type: "Feature", properties: { role: "named", id: f.properties.id }, geometry: f.geometry });
  const evidence = findings.flatMap((f) => f.evidence || []);
  let notices = null;
  for (const ev of evidence) {
    let at = null;
    try {
      if (ev.kind === "incident") { const r = (await api(`/incidents/${encodeURIComponent(ev.id)}`)).record; at = [Number(r.lon), Number(r.lat)]; }
      else { notices = notices || await api("/notices"); const n = notices.find((x) => x.id === ev.id); if (n && n.lon != null && n.lon !== "") at = [Number(n.lon), Number(n.lat)]; }
    } catch (err) { continue; }
    if (!at || at.some(Number.isNaN)) continue;
    feats.push({ type: "Feature", properties: { role: ev.kind, id: ev.id }, geometry: { type: "Point", coordinates: at } });
    feats.push({ type: "Feature", properties: { role: "link" }, geometry: { type: "LineString", coordinates: [here, at] } });
  }
  state.focus = feats;
  state.map.layers = state.map.layers.filter((l) => l.name !== "focus");
  state.map.layers.push({ name: "focus", features: feats, style: (f) => FOCUS_STYLE[f.properties.role] || FOCUS_STYLE.named,
    legend: [...new Set(feats.map((f) => f.properties.role))].map((role) => ({ key: `focus:${role}`, kind: role === "link" ? "line" : role === "named" ? "area" : "point",
      style: FOCUS_STYLE[role], label: () => t(`legend.focus.${role}`) })) });
  state.map.draw();
}

const FOCUS_STYLE = {
  open: { stroke: "#111", width: 3, radius: 10 },
  incident: { stroke: "#6c3483", width: 2.5, radius: 8 },
  notice: { stroke: "#1a5276", width: 2.5, radius: 8, dash: [3, 2] },
  link: { stroke: "#6c3483", width: 1.5, dash: [5, 4] },
  named: { stroke: "#e67e22", width: 3 },
};

async function openNotice(id) {
  let notices;
  try { notices = await api("/notices"); } catch (err) { showError(err.message); return; }
  const n = notices.find((x) => x.id === id);
  if (!n) { showError(id); return; }
  const table = el("table", { class: "record" });
  for (const [k, v] of Object.entries(n)) table.append(el("tr", {}, el("td", {}, k), el("td", {}, v)));
  $("panel").replaceChildren(el("h2", {}, `${tr("evidence.notice", "notice")} ${n.id}`), table);
}

async function renderReview(inc) {
  const panel = $("panel");
  const me = state.me || { role: "open" };
  panel.append(el("h3", {}, t("panel.review")));
  let reviews = [];
  try { reviews = (await api("/reviews")).filter((r) => r.incident === inc.id && (!r.workspace || r.workspace === inc.workspace)); } catch (err) { /* a role that may not read reviews */ }
  const review = reviews[reviews.length - 1];
  if (!review) panel.append(el("p", { class: "muted" }, t("panel.none")));
  else {
    panel.append(el("p", { id: "review-state" }, `#${review.id} · `, el("strong", {}, t(`review.${review.state}`)), ` · ${t("review.asked", { party: review.queried_party })} `, el("bdi", {}, review.query)));
    if (review.answer) {
      panel.append(el("p", {}, `${review.queried_party}: `, el("bdi", {}, review.answer)));
      if (review.answer_evidence && review.answer_evidence.length) panel.append(el("ul", { "aria-label": t("panel.evidence") }, ...review.answer_evidence.map((ev) => el("li", {}, `${tr(`evidence.${ev.kind}`, ev.kind)} ${ev.id}`))));
    }
    // Another party's determination stays sealed until every party has signed.
    for (const d of review.determinations) panel.append(d.sealed ? el("p", { class: "determination sealed" }, `${d.party}: `, t("determination.sealed")) : el("p", { class: "determination" }, `${d.party}: `, el("strong", {}, t(`outcome.${d.outcome}`)), " — ", el("bdi", {}, d.text)));
  }
  const verdict = inc.verdict && inc.verdict.verdict;
  // Each step of the cell's work is a form; a submitted form reloads the incident.
  const submit = (form, fn) => form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try { await fn(); await openIncident(inc.id, inc.workspace); loadIncidents(); } catch (err) { showError(err.message); button.disabled = false; }
  });
  // Release: only a lead, only on its own party's records, and only through the dialog.
  if (me.role === "lead" && inc.workspace === me.party) panel.append(el("button", { type: "button", id: "release", on: { click: () => releaseDialog(inc) } }, `${t("action.release")}…`));
  if ((me.role === "reviewer" || me.role === "open") && !review && (verdict === "breach" || verdict === "undetermined" || verdict === "excepted")) {
    const query = el("textarea", { id: "review-query", required: "", rows: "3" });
    const party = el("select", { id: "review-party" }, el("option", { value: "" }, t("review.party.default")),
      ...Object.keys((state.doc && state.doc.parties) || {}).map((p) => el("option", { value: p }, p)));
    const form = el("form", { id: "review-open", class: "cell-form" },
      el("label", { for: "review-query" }, t("review.query")), query,
      el("label", { for: "review-party" }, t("review.party")), party,
      el("button", { type: "submit" }, t("action.open")));
    submit(form, () => api("/reviews", { method: "POST", body: JSON.stringify(Object.assign({ incident: inc.id, query: query.value.trim() },
      inc.workspace && inc.workspace !== "joint" ? { workspace: inc.workspace } : {}, party.value ? { party: party.value } : {})) }));
    panel.append(form);
  }
  if (review && me.role === "lead" && review.state === "queried" && review.queried_party === me.party) panel.append(await answerForm(inc, review, submit));
  if (review && me.role === "lead" && review.state === "answered" && !review.determinations.some((d) => d.party === me.party)) {
    const outcome = el("select", { id: "determine-outcome", required: "" }, el("option", { value: "" }, "—"),
      ...OUTCOMES.map((o) => el("option", { value: o }, t(`outcome.${o}`))));
    const text = el("textarea", { id: "determine-text", required: "", rows: "3" });
    const form = el("form", { id: "review-determine", class: "cell-form" },
      el("label", { for: "determine-outcome" }, t("review.outcome")), outcome,
      el("label", { for: "determine-text" }, t("review.text")), text,
      el("button", { type: "submit" }, t("action.determine")));
    submit(form, () => api(`/reviews/${review.id}/determinations`, { method: "POST", body: JSON.stringify({ outcome: outcome.value, text: text.value.trim() }) }));
    panel.append(form);
  }
  if (review && (me.role === "reviewer" || me.role === "open") && review.state === "determined") {
    const form = el("form", { id: "review-publish", class: "cell-form" }, el("p", {}, t("review.publish.note")), el("button", { type: "submit" }, t("action.publish")));
    submit(form, () => api(`/reviews/${review.id}/publish`, { method: "POST" }));
    panel.append(form);
  }
}

const OUTCOMES = ["breach", "no_breach", "excepted", "unresolved"];

// The answer cites evidence picked from what the lead sees: the notices, the incidents the
// findings cite, and the incidents listed beside the map.
async function answerForm(inc, review, submit) {
  const text = el("textarea", { id: "answer-text", required: "", rows: "3" });
  const picker = el("fieldset", { id: "answer-evidence" }, el("legend", {}, t("review.evidence")));
  const seen = new Set();
  const offer = (kind, id, label) => {
    const key = `${kind}:${id}`;
    if (seen.has(key) || (kind === "incident" && id === inc.id)) return;
    seen.add(key);
    const box = el("input", { type: "checkbox", id: `pick-${kind}-${id}`, value: key });
    picker.append(el("div", {}, box, " ", el("label", { for: `pick-${kind}-${id}` }, label)));
  };
  let notices = [];
  try { notices = await api("/notices"); } catch (err) { /* none readable */ }
  for (const n of notices) offer("notice", n.id, `${tr("evidence.notice", "notice")} ${n.id} · ${n.party || ""} · ${n.time || ""} · ${n.exception || ""}`);
  for (const f of (inc.verdict && inc.verdict.findings) || []) for (const ev of f.evidence || []) offer(ev.kind, ev.id, `${tr(`evidence.${ev.kind}`, ev.kind)} ${ev.id}${ev.note ? ` — ${ev.note}` : ""}`);
  for (const p of state.listed || []) offer("incident", p.id, `${tr("evidence.incident", "incident")} ${p.id} · ${p.time || ""} · ${p.actor || ""}`);
  const form = el("form", { id: "review-answer", class: "cell-form" },
    el("label", { for: "answer-text" }, t("review.answer")), text, picker,
    el("button", { type: "submit" }, t("action.answer")));
  submit(form, () => {
    const evidence = [...picker.querySelectorAll("input:checked")].map((b) => { const [kind, ...id] = b.value.split(":"); return { kind, id: id.join(":") }; });
    return api(`/reviews/${review.id}/answer`, { method: "POST", body: JSON.stringify({ answer: text.value.trim(), evidence }) });
  });
  return form;
}

function releaseDialog(inc) {
  // Each field with a "withhold" choice (judged fields cannot be withheld), defaulting to the
  // previous release's choice, or on a first release to withholding every field that is not
  // judged; a live preview of exactly what the other side will see; and a confirmation.
  const judged = new Set((state.config && state.config.judged_fields) || []);
  const last = (inc.releases || [])[inc.releases.length - 1];
  const held = new Set(last ? last.withheld : Object.keys(inc.record).filter((k) => !judged.has(k)));
  const dialog = el("dialog", { id: "release-dialog", "aria-labelledby": "release-title" });
  const preview = el("table", { class: "record", id: "release-preview" });
  const confirm = el("input", { type: "checkbox", id: "release-confirm" });
  const go = el("button", { type: "button", id: "release-go", disabled: "" }, t("release.go"));
  const fields = el("table", { class: "record", id: "release-fields" });
  const withheld = () => [...fields.querySelectorAll("input:checked")].map((b) => b.name);
  const showPreview = () => {
    const hidden = new Set(withheld());
    // Field names as the panel beside it shows them: what the lead judges must read the same.
    preview.replaceChildren(...Object.entries(inc.record).filter(([k]) => !hidden.has(k)).map(([k, v]) => el("tr", {}, fieldCell(k), el("td", {}, typeof v === "object" ? JSON.stringify(v) : v))));
    translateIn(preview);
    confirm.checked = false; go.disabled = true;  // a changed choice is confirmed again
  };
  for (const [k, v] of Object.entries(inc.record)) {
    const box = el("input", { type: "checkbox", name: k, id: `withhold-${k}`, on: { change: showPreview } });
    if (judged.has(k)) box.disabled = true; else box.checked = held.has(k);
    const name = fieldCell(k);  // its label, translated by translateIn as the cell's would be
    fields.append(el("tr", {}, el("td", {}, el("label", Object.assign({ for: `withhold-${k}` }, name.dataset.tr ? { "data-tr": name.dataset.tr } : {}), name.textContent)), el("td", {}, typeof v === "object" ? JSON.stringify(v) : v),
      el("td", {}, box, " ", judged.has(k) ? t("release.judged") : t("release.withhold"))));
  }
  confirm.addEventListener("change", () => { go.disabled = !confirm.checked; });
  go.addEventListener("click", async () => {
    try {
      await api(`/incidents/${encodeURIComponent(inc.id)}/release`, { method: "POST", body: JSON.stringify({ withhold: withheld() }) });
      dialog.close(); dialog.remove(); await openIncident(inc.id, inc.workspace);
    } catch (err) { showError(err.message); }
  });
  dialog.append(el("h2", { id: "release-title" }, t("release.title", { id: inc.id })),
    el("p", { class: "muted" }, last ? t("release.previous") : t("release.first")), fields,
    el("h3", {}, t("release.preview")), preview,
    el("p", {}, confirm, " ", el("label", { for: "release-confirm" }, t("release.confirm"))),
    el("p", {}, go, " ", el("button", { type: "button", id: "release-cancel", on: { click: () => { dialog.close(); dialog.remove(); } } }, t("release.cancel"))));
  // Esc closes a dialog without Cancel: removed then too, or a second one opened later would
  // share the first's ids and its labels would tick the hidden one's boxes.
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  showPreview();
  translateIn(dialog);
  dialog.showModal();
}

async function renderAgreement() {
  const ticket = state.agreementTicket = (state.agreementTicket || 0) + 1;
  const doc = state.doc;
  const parts = [el("h2", {}, doc.title || doc.id), el("h3", {}, t("agreement.parties"))];
  parts.push(el("ul", {}, ...Object.entries(doc.parties).map(([id, p]) => el("li", {}, `${id}: ${p.name} (${(p.answers_for || []).join(", ")})`))));
  parts.push(el("h3", {}, t("agreement.clauses")));
  for (const c of doc.clauses) parts.push(el("div", { class: "finding" }, el("strong", {}, `${c.id} · `, el("span", { class: "rule", "data-rule": c.rule }, tr(`rule.${c.rule}`, c.rule))), el("p", {}, c.quote ? `“${c.quote}”` : ""), el("p", { class: "muted" }, `${t("agreement.bound")}: ${(c.bound || []).join(", ")}`)));
  parts.push(el("h3", {}, t("agreement.exceptions")));
  for (const x of doc.exceptions || []) parts.push(el("div", { class: "finding" }, el("strong", {}, x.id), el("p", {}, x.quote ? `“${x.quote}”` : "")));
  let versions, proposals = [];
  try { versions = await api(`/agreements/${encodeURIComponent(doc.id)}`); } catch (err) { showError(err.message); return; }
  // Proposals are the parties' and the reviewer's business: others are refused, and see none.
  try { proposals = await api(`/agreements/${encodeURIComponent(doc.id)}/proposals`); } catch (err) { proposals = null; }
  if (ticket !== state.agreementTicket) return;  // drawn again meanwhile (a language switch)
  // The versions, each with when it governs acts from and when it was stored.
  const current = state.agreement ? state.agreement.version : null;
  // The first version governs every time before its own start too (what came before it was
  // no version at all): its stored start, often the day it was stored, is not when it begins.
  const first = Math.min(...versions.map((v) => v.version));
  const from = (v) => (v.version === first ? t("agreement.from.start") : fmtTime(v.effective_from));
  const rows = versions.map((v) => el("tr", { "data-version": String(v.version) },
    el("td", {}, `v${v.version}`), el("td", {}, from(v)), el("td", {}, fmtTime(v.created_at)),
    el("td", {}, el("code", {}, v.content_hash.slice(0, 12))), el("td", {}, v.version === current ? t("agreement.current") : "")));
  parts.push(el("h3", {}, t("agreement.versions")), el("table", { class: "record", id: "versions" },
    el("thead", {}, el("tr", {}, ...["version", "from", "stored", "hash", "state"].map((k) => el("th", {}, t(`agreement.col.${k}`))))), el("tbody", {}, ...rows)));
  parts.push(el("h3", {}, t("agreement.proposals")));
  if (proposals === null) parts.push(el("p", { class: "muted" }, t("proposal.hidden")));
  else if (!proposals.length) parts.push(el("p", { class: "muted" }, t("proposal.none")));
  else parts.push(el("ul", { id: "proposals" }, ...proposals.map(proposalItem)));
  // Comparing with another version: what changed, and its zones drawn over the current ones,
  // kept while the filters, the day or the language change, until "none" is chosen.
  const sel = el("select", { id: "compare" }, el("option", { value: "" }, t("agreement.compare.none")),
    ...versions.map((v) => el("option", { value: String(v.version) }, `v${v.version} · ${from(v)}`)));
  sel.value = state.compare ? String(state.compare) : "";
  const changed = el("div", { id: "changed" });
  sel.addEventListener("change", () => { state.compare = sel.value ? Number(sel.value) : null; compare(changed); saveLink(); });
  parts.push(el("label", { for: "compare" }, t("agreement.compare")), sel, changed);
  $("agreement").replaceChildren(...parts);
  if (state.compare) compare(changed);
}

function proposalItem(prop) {
  const me = state.me || {};
  const diff = Object.entries(prop.diff || {}).map(([part, ch]) => `${part}: ${Object.entries(ch).map(([k, ids]) => `${t(`diff.${k}`)} ${Array.isArray(ids) ? ids.join(", ") : ""}`).join("; ")}`);
  const item = el("li", { class: `proposal ${prop.state}`, "data-proposal": String(prop.id) },
    el("strong", {}, `#${prop.id} `, prop.title || prop.agreement_id), " · ", el("span", { class: "state" }, t(`proposal.${prop.state}`)),
    el("p", { class: "muted" }, t("proposal.line", { party: prop.proposed_party, at: fmtTime(prop.proposed_at), from: fmtTime(prop.effective_from), base: prop.amends_version })),
    el("p", {}, t("proposal.accepted"), ": ", prop.accepted.length ? prop.accepted.map((a) => `${a.party} (${fmtTime(a.at)})`).join(", ") : "—",
      prop.waiting_for.length && prop.state === "proposed" ? ` · ${t("proposal.waiting")}: ${prop.waiting_for.join(", ")}` : "",
      prop.version ? ` · ${t("proposal.became", { version: prop.version })}` : ""),
    diff.length ? el("ul", { class: "diff" }, ...diff.map((d) => el("li", {}, d))) : null);
  // A lead whose party has not yet answered accepts or declines here.
  if (prop.state === "proposed" && me.role === "lead" && prop.waiting_for.includes(me.party)) {
    const act = (what) => async (e) => {
      e.target.disabled = true;
      try {
        await api(`/agreements/${encodeURIComponent(prop.agreement_id)}/proposals/${prop.id}/${what}`, { method: "POST" });
        await loadAgreement(); loadIncidents();
      } catch (err) { showError(err.message); e.target.disabled = false; }
    };
    item.append(el("button", { type: "button", class: "accept", on: { click: act("accept") } }, t("proposal.accept")), " ",
      el("button", { type: "button", class: "decline", on: { click: act("decline") } }, t("proposal.decline")));
  }
  return item;
}

async function compare(box) {
  // The layer drawn stays until its replacement is ready: removed before the fetch, it was
  // missing from the map while the view was drawn again (a language change, say).
  if (!state.compare) {
    state.map.layers = state.map.layers.filter((l) => l.name !== "compare");
    box.replaceChildren(); state.map.draw(); return;
  }
  const id = state.doc.id, version = state.compare;
  let other;
  try { other = (await api(`/agreements/${encodeURIComponent(id)}/versions/${version}`)).document; } catch (err) { showError(err.message); return; }
  if (version !== state.compare) return;
  const ids = (d) => new Map(["zones", "sites", "targets"].flatMap((k) => features(d[k]).map((f) => [`${k}:${f.properties.id}`, JSON.stringify(f)])));
  const a = ids(other), b = ids(state.doc);
  const list = el("ul");
  for (const key of new Set([...a.keys(), ...b.keys()])) if (a.get(key) !== b.get(key)) list.append(el("li", { class: "changed" }, key));
  box.replaceChildren(el("h4", {}, `${t("agreement.changed")}: v${version} → v${state.version}`), list);
  // Side by side on the map: the other version's zones drawn in orange over the current ones.
  const style = { stroke: "#c0561b", width: 2, dash: [6, 4] };
  state.map.layers = state.map.layers.filter((l) => l.name !== "compare");
  state.map.layers.push({ name: "compare", features: features(other.zones), style: (f) => Object.assign({ label: `${f.properties.id} (v${version})`, labelDy: 14, labelColor: "#8a3a0f" }, style),
    legend: [{ key: `compare:${version}`, kind: "area", style, label: () => t("legend.compare", { version }) }] });
  state.map.draw();
}

// A span as the service writes it (`start/end`, ISO 8601 with the offset), read in the
// agreement's timezone: "20 Sept 2016, 07:00 – 08:00".
function fmtSpan(text) {
  const [a, b] = String(text).split("/");
  if (!b) return fmtTime(a);
  const naive = (x) => !/(Z|[+-]\d\d:?\d\d)$/.test(x);  // the agreement's wall clock (fmtTime)
  const at = (x) => (naive(x) ? [new Date(`${x}Z`), "UTC"] : [new Date(x), state.doc ? state.doc.timezone : "UTC"]);
  const day = (x) => { const [d, tz] = at(x); return new Intl.DateTimeFormat("en-CA", { timeZone: tz, dateStyle: "short" }).format(d); };
  const [end, tz] = at(b);
  const hm = new Intl.DateTimeFormat(LANG, { timeStyle: "short", timeZone: tz });
  return day(a) === day(b) ? `${fmtTime(a)} – ${hm.format(end)}` : `${fmtTime(a)} – ${fmtTime(b)}`;
}

const FEET_PER_M = 3.28084;
const AIR_STYLE = { own: { stroke: "#2c3e50", width: 2, dash: [8, 4] }, barred: { stroke: "#c0392b", width: 3, dash: [2, 3] }, conflict: { stroke: "#c0392b", width: 3, radius: 9 }, withdrawn: { stroke: "#7f8c8d", width: 2, radius: 7, dash: [3, 3] } };

// The air desk: conflicts with the other side (only where and when of its activity), with
// the desk's own notice, its band and the margins inside the minima; and the desk's own
// flights into zones barred to them. One answer drawn at a time: a second request while one
// is on its way (the tab and "Apply" together) replaces it, never adds to it.
async function loadAlerts() {
  const ticket = state.airTicket = (state.airTicket || 0) + 1;
  const party = encodeURIComponent($("air-party").value);
  let alerts, own = [], flights = [];
  try { alerts = await api(`/air/alerts?party=${party}`); } catch (err) { showError(err.message); return; }
  try { own = await api(`/air/notices?party=${party}`); } catch (err) { /* the joint reviewer sees alerts, not notices */ }
  // Only a party's own desk reads its flights into barred zones: the joint reviewer is not
  // told "no flight" when it was not told at all.
  const desk = !state.me || ["open", "analyst", "lead"].includes(state.me.role);
  $("flights-title").hidden = $("flights").hidden = !desk;
  if (desk) try { flights = await api(`/air/flights?party=${party}`); } catch (err) { showError(err.message); return; }
  if (ticket !== state.airTicket) return;
  const byId = new Map(own.map((n) => [n.id, n]));
  const band = (n) => {
    const ft = (m) => Math.round(Number(m) * (n.alt_unit === "m" ? FEET_PER_M : 1) / 100) * 100;
    return t("air.band", { low: ft(n.alt_low).toLocaleString(LANG), high: ft(n.alt_high).toLocaleString(LANG) });
  };
  const show = (lon, lat) => el("button", { type: "button", on: { click: () => {
    document.querySelector("[data-view=map]").click();
    state.map.fit(lon - 0.5, lat - 0.4, lon + 0.5, lat + 0.4);
  } } }, t("air.show"));
  const items = alerts.map((a) => {
    const n = byId.get(a.notice);
    const m = a.margin || {};
    // An alert of a notice the other side has since revised stays listed, marked: a probe
    // revised again and again leaves its trail.
    return el("li", { class: a.current === false ? "alert withdrawn" : "alert", "data-alert": String(a.alert) },
      el("strong", {}, fmtSpan(a.when)), " · ",
      a.current === false ? el("em", {}, `${t("air.withdrawn")} · `) : "",
      t("air.alert", { notice: a.notice ?? (desk ? t("air.yours") : t("air.notice.of", { party: $("air-party").value })), party: a.other_party, where: `${a.where.lat}, ${a.where.lon}` }),
      n ? ` · ${band(n)}` : "",
      // A party's desk is not told the vertical margin (it gave the other side's band).
      el("span", { class: "margins" }, ` · ${t(m.vertical_ft === undefined ? "air.margins.party" : "air.margins", { h: ((m.horizontal_m || 0) / 1000).toLocaleString(LANG, { maximumFractionDigits: 1 }), v: (m.vertical_ft ?? 0).toLocaleString(LANG), min: (m.time_min ?? 0).toLocaleString(LANG) })}`),
      " ", show(a.where.lon, a.where.lat));
  });
  const list = $("alerts");
  list.replaceChildren(...(items.length ? items : [el("li", {}, t("air.none"))]));
  const barred = new Set();
  $("flights").replaceChildren(...(flights.length ? flights.map((f) => {
    barred.add(f.notice);
    const n = byId.get(f.notice);
    return el("li", { class: "flight", "data-notice": f.notice }, badge(f.verdict), " ", el("strong", {}, f.notice),
      n ? ` · ${fmtSpan(n.time)} · ${band(n)}` : "",
      ...f.findings.map((x) => el("p", {}, `${x.clause}: `, el("span", { "data-tr": x.reason }, x.reason))));
  }) : [el("li", {}, t("air.flights.none"))]));
  translateIn($("flights"));
  // On the map: the desk's own notified activity (its flights into barred zones in red), and
  // where the conflicts are.
  const air = own.map((n) => ({ type: "Feature", properties: Object.assign({ role: barred.has(n.id) ? "barred" : "own" }, n), geometry: n.geometry }))
    // A withdrawn alert (the other side has since revised its notice) is drawn apart: it is
    // the trail of a conflict, not a live one.
    .concat(alerts.map((a) => ({ type: "Feature", properties: Object.assign({ role: a.current === false ? "withdrawn" : "conflict" }, a), geometry: { type: "Point", coordinates: [a.where.lon, a.where.lat] } })));
  const roles = [...new Set(air.map((f) => f.properties.role))];
  state.map.layers = state.map.layers.filter((l) => l.name !== "air");
  state.map.layers.push({ name: "air", features: air, style: (f) => Object.assign({ label: ["conflict", "withdrawn"].includes(f.properties.role) ? null : f.properties.id, labelDy: -10 }, AIR_STYLE[f.properties.role]),
    legend: roles.map((r) => ({ key: `air:${r}`, kind: ["conflict", "withdrawn"].includes(r) ? "point" : "line", style: AIR_STYLE[r], label: () => t(`legend.air.${r}`) })) });
}

// -- the engine's words in the page's language ---------------------------------------------------

// Reasons, act phrases and field labels are the engine's English; the server reads them back
// through the reports' catalogs (`POST /ui/translate`). Each is asked once per language; what
// the catalog does not know stays in English, never lost.
const translated = new Map();
async function translateIn(root) {
  if (LANG === "en" || !root) return;
  const lang = LANG;
  const nodes = [...root.querySelectorAll("[data-tr]")];
  const ask = [...new Set(nodes.map((n) => n.dataset.tr))].filter((x) => !translated.has(`${lang}\u0000${x}`));
  for (let i = 0; i < ask.length; i += 500) {
    const part = ask.slice(i, i + 500);
    let got;
    try { got = await api("/ui/translate", { method: "POST", body: JSON.stringify({ lang, texts: part }) }); } catch (err) { return; }
    part.forEach((x, k) => translated.set(`${lang}\u0000${x}`, got.texts[k]));
  }
  if (lang !== LANG) return;  // switched again meanwhile: the new language's pass does it
  for (const n of nodes) {
    const to = translated.get(`${lang}\u0000${n.dataset.tr}`);
    if (to) { n.textContent = to; n.lang = lang; } else n.removeAttribute("lang");
  }
}

// A record's field name: the catalog's label where it has one, the page's own otherwise.
const FIELD_MSGIDS = { id: "Incident", time: "Time", actor: "Actor", source: "Sources", records: "Sources" };
function fieldCell(k) {
  const label = FIELD_MSGIDS[k] ? FIELD_MSGIDS[k] : tr(`field.${k}`, k);
  return el("td", FIELD_MSGIDS[k] ? { "data-tr": FIELD_MSGIDS[k], title: k } : { title: k }, label);
}

// The act as the engine words it ("air strike by RU"), which the catalog translates.
const ACT_WORDS = { air_strike: "air strike", shelling: "shelling", ground_attack: "ground attack", explosion: "explosion" };
function actPhrase(p) {
  if (!p.actor && !p.act) return "";
  if (ACT_WORDS[p.act] && p.actor) {
    // Worded as the engine words it: a name that is not an id is quoted.
    const who = /^[\w-]+$/.test(p.actor) ? p.actor : `'${p.actor}'`;
    return el("span", { "data-tr": `${ACT_WORDS[p.act]} by ${who}` }, `${ACT_WORDS[p.act]} by ${p.actor}`);
  }
  // Otherwise the actor as recorded and the kind of act, which the catalogs translate.
  return el("span", {}, p.actor || "", p.actor && p.act ? " · " : "",
    p.act ? el("span", { "data-tr": p.act }, p.act) : "");
}

// -- permalinks and export ----------------------------------------------------------------------

// The page's state in its address (after "#", never sent to the server): the view, where the
// map looks, the filters and period, the list's search and order, the open incident and a
// compared version. Kept up to date as they change; a link opens the page as it was.
const LINK_FIELDS = ["day", "from", "to", "verdict", "clause", "actor", "source", "grade"];

function linkParams() {
  const q = new URLSearchParams();
  const tab = document.querySelector(".tab.active");
  if (tab && tab.dataset.view !== "map") q.set("view", tab.dataset.view);
  if (state.map) q.set("at", `${unmercLon(state.map.centre.x).toFixed(5)},${unmercLat(state.map.centre.y).toFixed(5)},${state.map.zoom.toFixed(3)}`);
  // Every field is written, an empty one too: a cleared period is every time, not the default.
  // The filters as applied: a link opens what the page shows.
  const applied = filterParams();
  for (const id of LINK_FIELDS) q.set(id, id === "day" ? $(id).value : applied.get(id) || "");
  if ($("list-search").value) q.set("q", $("list-search").value);
  if ($("list-sort").value !== "time") q.set("sort", $("list-sort").value);
  if (state.open) { q.set("incident", state.open.id); if (state.open.workspace) q.set("workspace", state.open.workspace); }
  if (state.compare) q.set("compare", String(state.compare));
  return q;
}

function saveLink() {
  if (!state.linkRead) return;  // not before the link the page was opened with is applied
  const hash = `#${linkParams()}`;
  if (hash !== location.hash) history.replaceState(null, "", hash);
  state.hash = location.hash;
}

// Before the first view is asked for: the filters and where the map looks.
function readLink() {
  const q = new URLSearchParams(location.hash.slice(1));
  state.link = q;
  for (const id of LINK_FIELDS) if (q.has(id)) $(id).value = q.get(id);
  if (q.has("from") || q.has("to")) state.periodSet = true;
  if (q.has("q")) $("list-search").value = q.get("q");
  if (q.has("sort")) $("list-sort").value = q.get("sort");
  if (q.has("compare")) state.compare = Number(q.get("compare")) || null;
  const at = (q.get("at") || "").split(",").map(Number);
  if (at.length === 3 && at.every(Number.isFinite)) {
    state.map.centre = { x: mercX(at[0]), y: mercY(at[1]) };
    state.map.zoom = Math.min(16, Math.max(3, at[2]));
  }
}

// After sign-in: the view and the open incident.
async function followLink() {
  const q = state.link || new URLSearchParams();
  if (q.get("view")) { const tab = document.querySelector(`.tab[data-view="${q.get("view")}"]`); if (tab) tab.click(); }
  if (q.get("incident")) {
    state.selectedId = q.get("incident");
    renderList();  // marks it in the list when listed
    if (state.me && state.me.role === "observer") openPublished(q.get("incident"));
    else await openIncident(q.get("incident"), q.get("workspace") || undefined);
  }
  state.linkRead = true;
  saveLink();
}

// The selection (what the map counts under the filters, in view and period) written out by
// the server; the report covers the period as the signed-in user sees it.
async function exportAs(format) {
  const q = new URLSearchParams(state.selection || viewParams());
  q.delete("cells");
  let path;
  if (format === "pdf") {
    const r = new URLSearchParams({ format: "pdf", lang: LANG });
    for (const k of ["from", "to"]) if (q.get(k)) r.set(k, q.get(k));
    path = `/reports?${r}`;
  } else { q.set("format", format); path = `/incidents/export?${q}`; }
  const headers = state.token ? { authorization: `Bearer ${state.token}` } : {};
  const button = $(`export-${format}`);
  button.disabled = true;
  try {
    const r = await fetch(path, { headers });
    if (!r.ok) { const body = await r.json().catch(() => ({})); throw new Error((body.error && body.error.message) || `${r.status}`); }
    const name = ((r.headers.get("content-disposition") || "").match(/filename="([^"]+)"/) || [])[1] || `jig.${format}`;
    const url = URL.createObjectURL(await r.blob());
    const a = el("a", { href: url, download: name });
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (err) { showError(err.message); } finally { button.disabled = false; }
}

// The map, list and counts again: after a sign-in, and every few seconds, so that a verdict
// changed by someone else (a release, a notice, a correction) recolours the map.
const REFRESH_MS = 5000;
async function refresh() {
  if (!state.me) return;
  if (state.me.role === "observer") await loadPublished(); else await loadIncidents(true);
}

// Who is signed in, in the page's language (a user's name and party stay as stored).
function showWho() {
  const me = state.me;
  if (!me) return;
  $("whoami").textContent = t("signed.as", { name: me.local ? t("signed.local") : me.name, role: t(`role.${me.role}`) + (me.party ? ` ${me.party}` : "") });
}

function leavePage() {
  history.replaceState(null, "", location.pathname + location.search);
  location.reload();
}

async function signIn() {
  // Offered while a token is kept, refused or not: a refused one is forgotten by signing out.
  $("signout").hidden = !state.token;
  try {
    state.me = state.config.locked || state.token ? await api("/me") : { name: "local", role: "open", local: true };
    showWho();
    await loadAgreement();
    const observer = state.me.role === "observer";
    $("timeline").hidden = observer;  // counts over time are of records, which observers do not see
    // Nor the records' filters, exports or an air desk: offered, each answered 403.
    for (const id of ["from", "to", "verdict", "clause", "actor", "source", "grade", "apply", "export"]) {
      $(id).hidden = observer;
      const label = document.querySelector(`label[for=${id}]`);
      if (label) label.hidden = observer;
    }
    document.querySelector("[data-view=air]").hidden = observer;
    await refresh();
    if (!state.linkRead) await followLink();
  } catch (err) { showError(err.message); }
}

async function main() {
  applyLanguage(localStorage.getItem("jig.lang") || "en");
  $("lang").value = LANG;
  $("lang").addEventListener("change", (e) => {
    localStorage.setItem("jig.lang", e.target.value); applyLanguage(e.target.value);
    if (!state.doc) return;
    // Everything the page wrote in the old language, written again.
    $("tz").textContent = $("air-tz").textContent = t("tz", { tz: state.doc.timezone || "UTC" });
    showWho(); setLayers(); renderAgreement(); refillFilters(); renderList();
    if (state.overview) $("count").textContent = t(state.map.points.length || !state.overview.total ? "count.of" : "count.cells", { n: state.map.points.length, m: state.overview.total });
    if (state.open && state.me && state.me.role === "observer") openPublished(state.open.id);
    else if (state.open) {
      // The panel is written again in the new language: what was being typed in its forms
      // (a question, an answer, a determination's grounds) is kept, not lost.
      const typed = [...document.querySelectorAll("#panel textarea, #panel input[type=text]")]
        .filter((x) => x.id && x.value).map((x) => [x.id, x.value]);
      openIncident(state.open.id, state.open.workspace).then(() => {
        for (const [id, v] of typed) { const x = $(id); if (x && !x.value) x.value = v; }
      });
    }
    if (!$("view-air").hidden) loadAlerts();
  });
  state.config = await (await fetch("/ui/config")).json();
  state.base = await (await fetch("/ui/static/base.geojson")).json();
  state.map = new JigMap($("map"), { tileUrl: state.config.tile_url });
  $("attribution").textContent = [state.base.attribution, state.config.tile_attribution].filter(Boolean).join(" · ");
  state.map.fit(35.6, 32.3, 42.4, 37.4);
  readLink();
  state.map.onmove = () => { clearTimeout(state.timer); state.timer = setTimeout(loadIncidents, 250); };
  state.map.onclick = (data) => (state.me && state.me.role === "observer" ? openPublished(data.id) : mapClick(data));
  setInterval(() => { if (!state.playing && !document.querySelector("dialog[open]")) refresh(); }, REFRESH_MS);
  state.timeline = new Timeline($("histogram"), COLORS, Object.keys(RANK));
  state.timeline.onchange = (from, to) => { stopPlaying(); choosePeriod(from, to); };
  $("play").addEventListener("click", play);
  $("period-all").addEventListener("click", () => { stopPlaying(); choosePeriod(state.inForce[0], state.inForce[1] || ""); });
  $("list-search").addEventListener("input", () => { renderList(); saveLink(); });
  $("list-sort").addEventListener("change", () => { renderList(); saveLink(); });
  for (const f of ["csv", "geojson", "gpkg", "pdf"]) $(`export-${f}`).addEventListener("click", () => exportAs(f));
  // A link pasted into this page's address bar opens what it names.
  window.addEventListener("hashchange", () => { if (location.hash !== state.hash) location.reload(); });
  $("incident-list").addEventListener("keydown", listKeys);
  for (const b of document.querySelectorAll(".tab")) b.addEventListener("click", () => {
    for (const x of document.querySelectorAll(".tab")) x.classList.toggle("active", x === b);
    for (const v of document.querySelectorAll(".view")) v.hidden = v.id !== `view-${b.dataset.view}`;
    if (b.dataset.view === "map") { state.map.resize(); state.timeline.draw(); }
    if (b.dataset.view === "air") loadAlerts();
    saveLink();
  });
  $("apply").addEventListener("click", () => { if (applyFilters()) { setLayers(); loadIncidents(); } });
  $("day").addEventListener("change", setLayers);
  $("air-load").addEventListener("click", loadAlerts);
  $("signin").addEventListener("submit", (e) => {
    e.preventDefault();
    const token = $("token").value.trim();
    $("token").value = "";
    sessionStorage.setItem("jig.token", token);
    // Another identity starts from a clean page: the panel, the map's layers (the last
    // party's own flights, evidence lines), the list, drafts and dialogs of the one before
    // stay on screen otherwise, withheld fields included. The link's incident goes too.
    if (state.me || state.token) { leavePage(); return; }
    state.token = token;
    signIn();
  });
  $("signout").addEventListener("click", () => { sessionStorage.removeItem("jig.token"); leavePage(); });
  state.map.ondraw = renderLegend;
  // Every control is wired from here on: a sign-in before this would submit the form to
  // nowhere (tests, and people on a slow machine, wait for it).
  document.documentElement.dataset.ready = "true";
  if (!state.config.locked || state.token) await signIn();
}

main();
