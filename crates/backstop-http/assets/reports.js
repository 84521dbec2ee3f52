// Reports page: a date range and filters (kept in the address, so a view can be shared or reloaded), the key figures, the outcomes day by day, the outcome mix, hand-over reasons, the weekday × hour volume, response times, ratings, moods, topics, teams, people and the AI's cost and savings; a click on an outcome lists the conversations behind it; CSV of the days.
import { t, applyI18n, toggleLang, onLangChange, locale, topicLabel, clock } from "/assets/i18n.js";
import { $, h, api, loadTopics } from "/assets/ui.js";
import { stackedAreas, shareBar, bars, heatmap } from "/assets/charts.js";
import { loadGaps } from "/assets/reports-gaps.js";

const MAX_DAYS = 366;
// The figures refresh on their own this often while the page is in view.
const REFRESH_MS = 30000;
const OUTCOMES = [
  { key: "ai_resolved", colour: "var(--rp-ai)" },
  { key: "assisted", colour: "var(--rp-assisted)" },
  { key: "human_resolved", colour: "var(--rp-human)" },
  { key: "abandoned", colour: "var(--rp-abandoned)" },
  { key: "unsettled", colour: "var(--rp-unsettled)" }
];
const S = { report: null, teams: [], loading: false, error: null, drill: null, seq: 0 };

const iso = (d) => d.toISOString().slice(0, 10);
const today = () => iso(new Date());
const daysBefore = (day, n) => iso(new Date(Date.parse(`${day}T00:00:00Z`) - n * 86400000));
const spanDays = (from, to) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400000) + 1;

const num = (n) => new Intl.NumberFormat(locale()).format(n);
const pct = (x) => (x == null ? "—" : new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 1 }).format(x));
const money = (v, cur) => new Intl.NumberFormat(locale(), { style: "currency", currency: cur, maximumFractionDigits: 2 }).format(v);
function secs(s) {
  if (s == null) return "—";
  if (s < 60) return t("rep.secs", { n: Math.round(s) });
  if (s < 3600) return t("rep.mins", { n: Math.round(s / 60) });
  if (s < 86400) return t("rep.hours", { n: +(s / 3600).toFixed(1) });
  return t("rep.days", { n: +(s / 86400).toFixed(1) });
}
// The percentiles are the upper bounds of their buckets: "at most".
const upTo = (s) => (s == null ? "—" : `≤ ${secs(s)}`);
const dayLabel = (d) => new Date(`${d}T00:00:00Z`).toLocaleDateString(locale(), { month: "short", day: "numeric", timeZone: "UTC" });

/** The filters as the address holds them (defaults: the last 30 days, everything). */
function readQuery() {
  const p = new URLSearchParams(location.search);
  const to = p.get("to") || today();
  const range = p.get("range") || (p.get("from") ? "custom" : "30");
  const from = p.get("from") || daysBefore(to, (Number(range) || 30) - 1);
  return { range, from, to, team: p.get("team") || "", lang: p.get("lang") || "", channel: p.get("channel") || "", topic: p.get("topic") || "" };
}

function writeQuery(q) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v && !(k === "range" && v === "30")) p.set(k, v);
  history.replaceState(null, "", `${location.pathname}${p.toString() ? `?${p}` : ""}`);
}

const apiQuery = (q) => new URLSearchParams(Object.entries({ from: q.from, to: q.to, team: q.team, lang: q.lang, channel: q.channel, topic: q.topic }).filter(([, v]) => v)).toString();

function validate(q) {
  if (!q.from || !q.to) return t("rep.invalid.missing");
  if (q.from > q.to) return t("rep.invalid.order");
  if (spanDays(q.from, q.to) > MAX_DAYS) return t("rep.invalid.long", { n: MAX_DAYS });
  return null;
}

function options(select, list, current) {
  select.replaceChildren(h("option", { value: "" }, t("rep.all")), ...list.map(([v, label]) => h("option", { value: v, selected: v === current }, label)));
}

function fillFilters(q) {
  $("range").value = q.range;
  $("from").value = q.from;
  $("to").value = q.to;
  const r = S.report;
  options($("team"), S.teams.map((tm) => [tm.id, tm.name]), q.team);
  const seen = (list, cur) => [...new Set([...(list || []).map((x) => x.key).filter(Boolean), cur].filter(Boolean))];
  options($("lang-filter"), seen(r && r.languages, q.lang).map((l) => [l, t(`lang.${l}`)]), q.lang);
  options($("channel"), seen(r && r.channels, q.channel).map((c) => [c, t(`rep.channel.${c}`)]), q.channel);
  const topics = [...new Set([...((r && r.topics) || []).map((x) => x.topic).filter(Boolean), q.topic].filter(Boolean))];
  options($("topic"), topics.map((s) => [s, topicLabel(s)]), q.topic);
}

function kpi(id, label, value, sub, pick, raw) {
  return h("div", { class: `rp-kpi${pick ? " rp-click" : ""}`, "data-kpi": id, "data-value": raw == null ? null : String(raw), onclick: pick || null, tabindex: pick ? "0" : null },
    h("div", { class: "rp-kpi-label" }, label), h("div", { class: "rp-kpi-value" }, value), h("div", { class: "rp-kpi-sub" }, sub));
}

function render() {
  const r = S.report;
  const q = readQuery();
  fillFilters(q);
  $("export").href = `/api/v1/reports/export?${apiQuery(q)}`;
  $("main").setAttribute("aria-busy", S.loading ? "true" : "false");
  const state = $("state");
  const empty = r && r.totals.conversations === 0;
  state.hidden = !(S.loading && !r) && !S.error && !empty;
  state.className = `rp-state${S.error ? " rp-error" : ""}`;
  if (S.error) {
    state.replaceChildren(h("strong", {}, t("rep.error")), h("span", {}, S.error.message || t("error.generic")),
      h("button", { type: "button", class: "btn", onclick: load }, t("rep.retry")));
  } else if (S.loading && !r) {
    state.replaceChildren(h("span", { class: "rp-spinner" }), t("rep.loading"));
  } else if (empty) {
    state.replaceChildren(h("strong", {}, t("rep.empty")), h("span", {}, t("rep.emptyHint")));
  }
  document.body.classList.toggle("rp-nodata", !r || empty || !!S.error);
  if (!r) return;
  const tt = r.totals;
  const drill = (o) => () => openDrill(o);
  $("kpis").replaceChildren(
    kpi("conversations", t("rep.k.conversations"), num(tt.conversations), t("rep.k.unsettled", { n: num(tt.unsettled) }), null, tt.conversations),
    kpi("ai_rate", t("rep.k.airate"), pct(tt.ai_resolution_rate), t("rep.k.aisub", { n: num(tt.ai_resolved), m: num(tt.conversations - tt.unsettled), c: num(tt.ai_confirmed) }), drill("ai_resolved"), tt.ai_resolved),
    kpi("handover", t("rep.k.handover"), pct(tt.handover_rate), t("rep.k.handsub", { n: num(tt.handed_over), p: num(tt.person_reached) }), drill("assisted"), tt.handed_over),
    kpi("ttp", t("rep.k.ttp"), upTo(r.time_to_person.p50_secs), t("rep.k.p90", { v: upTo(r.time_to_person.p90_secs) })),
    kpi("csat", t("rep.k.csat"), r.csat.average == null ? "—" : `${r.csat.average.toFixed(2)} / 5`, t("rep.k.ratings", { n: num(r.csat.count) })),
    kpi("savings", t("rep.k.savings"), money(r.savings.net, r.savings.currency), t("rep.k.savesub", { a: money(r.savings.human_cost_avoided, r.savings.currency), c: money(r.savings.ai_cost, r.savings.currency) })));
  const series = OUTCOMES.map((o) => ({ ...o, label: t(`outcome.${o.key}`) }));
  $("legend").replaceChildren(...series.map((s) => h("button", { type: "button", class: "rp-key", "data-outcome": s.key, onclick: drill(s.key) },
    h("span", { class: "rp-swatch", style: `background:${s.colour}` }), s.label)));
  $("trend").replaceChildren(stackedAreas({
    days: r.days.map((d) => ({ label: d.day, values: d })), series, fmtDay: dayLabel, onPick: (k) => openDrill(k),
    width: $("trend").clientWidth || 720, height: window.innerWidth < 760 ? 180 : 220
  }));
  const parts = series.map((s) => ({ ...s, value: tt[s.key] }));
  $("mix").replaceChildren(shareBar(parts, (k) => openDrill(k)),
    h("ul", { class: "rp-mix-list" }, parts.map((p) => h("li", { class: "rp-click", "data-outcome": p.key, onclick: drill(p.key) },
      h("span", { class: "rp-swatch", style: `background:${p.colour}` }), h("span", {}, p.label),
      h("strong", {}, num(p.value)), h("span", { class: "pol-desc" }, tt.conversations ? pct(p.value / tt.conversations) : "—")))));
  $("reasons").replaceChildren(r.reasons.length
    ? bars(r.reasons.map((x) => ({ label: t(`reason.${x.key}`), value: x.n })), { colour: "var(--rp-assisted)", format: num })
    : h("p", { class: "pk-muted" }, t("rep.noHandovers")));
  const wd = t("rep.weekdays").split(",");
  $("heatmap").replaceChildren(heatmap(r.heatmap, {
    days: wd, hourLabel: (hr) => `${String(hr).padStart(2, "0")}:00`, width: $("heatmap").clientWidth || 680,
    cellTitle: (d, hr, n) => t("rep.cell", { day: wd[d], hour: String(hr).padStart(2, "0"), n })
  }));
  $("times").replaceChildren(...[["first_response", r.first_response], ["time_to_person", r.time_to_person], ["resolution", r.resolution]].map(([k, d]) =>
    h("tr", { "data-time": k }, h("td", {}, h("strong", {}, t(`rep.t.${k}`)), h("div", { class: "pol-desc" }, t(`rep.t.${k}.how`))),
      h("td", { class: "sup-num" }, upTo(d.p50_secs)), h("td", { class: "sup-num" }, upTo(d.p90_secs)),
      h("td", { class: "sup-num" }, secs(d.mean_secs)), h("td", { class: "sup-num" }, num(d.count)))));
  $("csat").replaceChildren(r.csat.count
    ? bars([5, 4, 3, 2, 1].map((n) => ({ label: "★".repeat(n), value: r.csat.distribution[n - 1], colour: n >= 4 ? "var(--rp-ai)" : n === 3 ? "var(--amber)" : "var(--rp-abandoned)" })), { format: num })
    : h("p", { class: "pk-muted" }, t("rep.noRatings")));
  $("moods").replaceChildren(r.moods.length
    ? bars(r.moods.map((m) => ({ label: t(`mood.${m.key}`), value: m.n, colour: `var(--rp-mood-${m.key})` })), { format: num })
    : h("p", { class: "pk-muted" }, t("rep.none")));
  $("topics").replaceChildren(...(r.topics.length ? r.topics.slice(0, 12).map((x) => {
    const d = x.conversations - x.previous;
    const cls = d > 0 ? "rp-up" : d < 0 ? "rp-down" : "rp-flat";
    return h("tr", { "data-topic": x.topic }, h("td", {}, x.topic ? topicLabel(x.topic) : t("rep.noTopic")), h("td", { class: "sup-num" }, num(x.conversations)),
      h("td", { class: `sup-num ${cls}` }, x.previous ? `${d > 0 ? "▲" : d < 0 ? "▼" : "—"} ${pct(Math.abs(d) / x.previous)}` : t("rep.new")));
  }) : [h("tr", {}, h("td", { colspan: "3", class: "pk-muted" }, t("rep.none")))]));
  const row = (label, b) => h("tr", {}, h("td", {}, label), h("td", { class: "sup-num" }, num(b.conversations)),
    h("td", { class: "sup-num" }, pct(b.ai_resolution_rate)), h("td", { class: "sup-num" }, b.csat_average == null ? "—" : b.csat_average.toFixed(2)));
  const head = (text) => h("tr", { class: "rp-subhead" }, h("th", { colspan: "4" }, text));
  $("breakdowns").replaceChildren(
    head(t("rep.team")), ...r.teams.map((b) => row(b.key ? b.name : t("rep.aiOnly"), b)),
    head(t("rep.language")), ...r.languages.map((b) => row(t(`lang.${b.key}`), b)));
  // The people's rollups are kept per person and hour only: the filters do not narrow them.
  $("agents-unfiltered").hidden = !(q.team || q.lang || q.channel || q.topic);
  $("agents").replaceChildren(...(r.agents.length ? r.agents.map((a) => h("tr", {}, h("td", {}, a.name || "—"), h("td", { class: "sup-num" }, num(a.conversations)),
    h("td", { class: "sup-num" }, num(a.replies)), h("td", { class: "sup-num" }, num(a.assisted)),
    h("td", { class: "sup-num" }, a.csat_average == null ? "—" : `${a.csat_average.toFixed(2)} (${a.csat_count})`)))
    : [h("tr", {}, h("td", { colspan: "5", class: "pk-muted" }, t("rep.noAgents")))]));
  const c = r.savings.currency;
  $("cost").replaceChildren(...[
    [t("rep.c.avoided"), money(r.savings.human_cost_avoided, c)], [t("rep.c.ai"), money(r.savings.ai_cost, c)], [t("rep.c.net"), money(r.savings.net, c)],
    [t("rep.c.tokens"), num(tt.prompt_tokens + tt.completion_tokens)], [t("rep.c.calls"), num(tt.model_calls)], [t("rep.c.turns"), num(tt.ai_turns)], [t("rep.c.actions"), num(tt.action_calls)]
  ].map(([k, v]) => h("div", { class: "rp-cost-item" }, h("span", { class: "pol-desc" }, k), h("strong", {}, v))));
  renderDrill();
}

async function openDrill(outcome) {
  S.drill = { outcome, rows: null };
  renderDrill();
  $("drill-card").scrollIntoView({ behavior: "smooth", block: "nearest" });
  try {
    const res = await api("GET", `/api/v1/reports/conversations?${apiQuery(readQuery())}&outcome=${outcome}&limit=100`);
    if (S.drill && S.drill.outcome === outcome) S.drill.rows = res.conversations;
  } catch (e) {
    if (S.drill) S.drill.error = e.message || t("error.generic");
  }
  renderDrill();
}

function renderDrill() {
  const d = S.drill;
  $("drill-card").hidden = !d;
  if (!d) return;
  $("drill-title").textContent = t("rep.drillTitle", { outcome: t(`outcome.${d.outcome}`) });
  const teams = new Map(S.teams.map((tm) => [tm.id, tm.name]));
  const msg = (text) => [h("tr", {}, h("td", { colspan: "6", class: "pk-muted" }, text))];
  $("drill").replaceChildren(...(d.error ? msg(d.error) : !d.rows ? msg(t("rep.loading")) : !d.rows.length ? msg(t("rep.none")) : d.rows.map((c) =>
    h("tr", { "data-conversation": c.id },
      h("td", {}, h("a", { href: `/inbox#/all/${c.id}` }, `#${c.id.slice(-8)}`)),
      h("td", {}, h("span", { class: `chip rp-chip-${c.outcome || "unsettled"}` }, t(`outcome.${c.outcome || "unsettled"}`))),
      h("td", {}, h("time", { title: clock(c.started).full }, clock(c.started).short)),
      h("td", {}, teams.get(c.team) || (c.team ? "—" : t("rep.aiOnly"))), h("td", {}, t(`lang.${c.lang}`)),
      h("td", {}, c.topic ? topicLabel(c.topic) : "—")))));
}

async function load() {
  const q = readQuery();
  const bad = validate(q);
  $("invalid").hidden = !bad;
  $("invalid").textContent = bad || "";
  for (const id of ["from", "to"]) $(id).setAttribute("aria-invalid", bad ? "true" : "false");
  if (bad) return;
  const seq = ++S.seq;
  S.loading = true;
  S.error = null;
  render();
  try {
    const r = await api("GET", `/api/v1/reports?${apiQuery(q)}`);
    if (seq !== S.seq) return;
    S.report = r;
    $("denied").hidden = true;
    loadGaps(q.from);
  } catch (e) {
    if (seq !== S.seq) return;
    if (e && e.code === "forbidden") $("denied").hidden = false;
    else if (!e.silent) S.error = e;
  }
  S.loading = false;
  render();
}

function change(e) {
  const q = readQuery();
  const id = e.target.id;
  if (id === "range") {
    q.range = e.target.value;
    if (q.range !== "custom") {
      q.to = today();
      q.from = daysBefore(q.to, Number(q.range) - 1);
    }
  } else if (id === "from" || id === "to") {
    q.range = "custom";
    q[id] = e.target.value;
  } else {
    q[{ "lang-filter": "lang" }[id] || id] = e.target.value;
  }
  S.drill = null;
  writeQuery(q);
  load();
}

async function boot() {
  applyI18n();
  $("lang").addEventListener("click", toggleLang);
  onLangChange(() => { applyI18n(); render(); });
  $("filters").addEventListener("change", change);
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  $("drill-close").addEventListener("click", () => { S.drill = null; renderDrill(); });
  S.loading = true;
  render();
  let resized = null;
  window.addEventListener("resize", () => { clearTimeout(resized); resized = setTimeout(render, 150); });
  setInterval(() => { if (document.visibilityState === "visible" && !S.loading) load(); }, REFRESH_MS);
  const [teams] = await Promise.all([api("GET", "/api/v1/teams").catch(() => ({ teams: [] })), loadTopics().catch(() => [])]);
  S.teams = teams.teams || [];
  await load();
  document.body.classList.add("ready");
}

boot();
