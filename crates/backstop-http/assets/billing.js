// Billing page: the month's statement (usage priced by the plan, where it came from — messages by channel, tokens by model —, the limits reached or near, what may still change, CSV) and, for admins, the plan — a form (billing-plan.js) or JSON — with each bad field named.
import { t, has, applyI18n, toggleLang, onLangChange, locale } from "/assets/i18n.js";
import { $, h, api } from "/assets/ui.js";
import { fillForm, readForm, clearFormErrors, showFormErrors } from "/assets/billing-plan.js";

const S = { me: null, month: null, data: null, plan: null, json: false };

// An example plan: the seeds' per-ticket tiers.
const EXAMPLE = {
  name: "Growth",
  currency: "CNY",
  monthly_fee: 199900,
  pricing: [
    { item: "ai_resolution", included: 1000, tiers: [{ up_to: 10000, price: 100 }, { up_to: 50000, price: 80 }, { price: 60 }] },
    { item: "assisted", tiers: [{ price: 300 }] },
    { item: "human_resolved", tiers: [{ price: 500 }] },
    { item: "model_tokens", per: 1000, included: 1000000, tiers: [{ price: 2 }], soft_limit: 8000000, hard_limit: 10000000 },
  ],
};

const canRead = () => S.me && ["supervisor", "admin"].includes(S.me.role);
const isAdmin = () => S.me && S.me.role === "admin";

function money(minor, currency) {
  try {
    return new Intl.NumberFormat(locale(), { style: "currency", currency }).format(minor / 100);
  } catch (e) {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}
const num = (n) => new Intl.NumberFormat(locale()).format(n);

function thisMonth() {
  const d = new Date();
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

const per = (n) => (n === 1 ? "" : ` / ${num(n)}`);

/** What a line without charges says in the price column: within what is included, or the first price. */
function priceFrom(plan, line, cur) {
  if (line.priced === false) return t("bill.notInPlan");
  const p = (plan.pricing || []).find((x) => x.item === line.item);
  const first = p && p.tiers && p.tiers[0];
  if (line.used > 0 && line.billable === 0 && line.included > 0) return t("bill.inFee");
  return first ? t("bill.priceFrom", { price: money(first.price, cur), per: per(line.per) }) : "—";
}

/** What a source of usage is called: a channel's name, a model's ("" for calls counted before models were told apart). */
function sourceName(item, name) {
  if (item === "model_tokens") return name || t("bill.modelUnknown");
  return has(`rep.channel.${name}`) ? t(`rep.channel.${name}`) : name;
}

/** The rows under an item's line: how much of its usage each channel or model brought. */
function sources(d, item) {
  const by = (d.breakdown && d.breakdown[item]) || {};
  const names = Object.keys(by);
  if (!names.length) return [];
  return names.sort((a, b) => by[b] - by[a] || a.localeCompare(b)).map((name) => h("tr", { class: "ad-source", "data-source": `${item}:${name}` },
    h("td", {}, h("span", { class: "ad-source-name" }, t(item === "model_tokens" ? "bill.byModel" : "bill.byChannel", { name: sourceName(item, name) }))),
    h("td", { class: "ad-num sup-num" }, num(by[name])),
    h("td", {}), h("td", {}), h("td", {}), h("td", {})));
}

/** A plan as the editor shows it: without the empty fields. */
const planText = (plan) => JSON.stringify(plan, (k, v) => (v === null ? undefined : v), 2);

function render() {
  const d = S.data;
  if (!d) return;
  const st = d.statement;
  const cur = st.currency;
  const [y, m] = d.month.split("-").map(Number);
  const monthName = new Intl.DateTimeFormat(locale(), { year: "numeric", month: "long", timeZone: "UTC" }).format(Date.UTC(y, m - 1, 1));
  $("statement-title").textContent = t("bill.statementOf", { month: monthName });
  $("statement-plan").textContent = d.has_plan ? t("bill.onPlan", { plan: st.plan, fee: money(st.monthly_fee, cur) }) : t("bill.noPlan");
  $("total").textContent = money(st.total, cur);
  $("provisional").hidden = !d.provisional;
  $("provisional").textContent = t("bill.provisional", { n: num(d.provisional) });
  const rows = st.lines.flatMap((l) => [h("tr", { "data-item": l.item },
    h("td", {}, h("strong", {}, t(`bill.item.${l.item}`))),
    h("td", { class: "ad-num sup-num" }, num(l.used)),
    h("td", { class: "ad-num sup-num" }, l.included ? num(l.included) : "—"),
    h("td", { class: "ad-num sup-num" }, num(l.billable)),
    h("td", {}, l.tiers.length
      ? l.tiers.map((c) => h("div", { class: "ad-tier" }, t("bill.tierLine", { units: num(c.units), price: money(c.price, cur), per: per(l.per) })))
      : h("span", { class: "pk-muted ad-tier" }, priceFrom(d.plan, l, cur))),
    h("td", { class: "ad-num sup-num" }, money(l.amount, cur))), ...sources(d, l.item)]);
  // Sum rows keep one cell per column, so the columns a phone hides line up.
  const gap = () => [1, 2, 3, 4].map(() => h("td", {}));
  rows.push(h("tr", { class: "ad-sum" }, h("td", {}, t("bill.fee")), gap(), h("td", { class: "ad-num sup-num" }, money(st.monthly_fee, cur))));
  rows.push(h("tr", { class: "ad-sum ad-grand" }, h("td", {}, t("bill.total")), gap(), h("td", { class: "ad-num sup-num", "data-testid": "bill-total-row" }, money(st.total, cur))));
  $("lines").replaceChildren(...rows);
  $("limits").replaceChildren(...st.lines.filter((l) => l.limit !== "within").map((l) => h("div", {
    class: `ad-limit ad-limit-${l.limit}`, role: "status", "data-testid": `limit-${l.item}`,
  }, h("strong", {}, t(`bill.item.${l.item}`)), " · ", t(l.limit === "reached" ? `bill.reached.${l.item === "model_tokens" ? "tokens" : "other"}` : "bill.warned", { n: num(l.used) }))));
  $("statement-card").hidden = false;
  const q = `?month=${encodeURIComponent(d.month)}`;
  $("export").href = `/api/v1/billing/statement/export${q}`;
  $("export").setAttribute("download", `statement-${d.month}.csv`);
}

function state(kind) {
  const box = $("state");
  if (!kind) { box.hidden = true; return; }
  box.replaceChildren(kind === "loading" ? h("span", { class: "pk-muted" }, t("adm.loading"))
    : h("span", {}, t("bill.loadFailed")), kind === "loading" ? null : h("button", { type: "button", class: "btn", onclick: load }, t("adm.retry")));
  box.hidden = false;
}

async function load() {
  state("loading");
  $("main").setAttribute("aria-busy", "true");
  try {
    S.data = await api("GET", `/api/v1/billing/statement?month=${encodeURIComponent(S.month)}`);
    state(null);
    render();
  } catch (err) {
    if (!err.silent) state("error");
  } finally {
    $("main").setAttribute("aria-busy", "false");
  }
}

/** The plan editor shows `plan`, as a form or as JSON. */
function showPlan(plan = S.plan || EXAMPLE) {
  fillForm($("plan-fields"), plan);
  $("plan").value = planText(plan);
  setMode(S.json);
  $("plan-card").hidden = !isAdmin();
}

function setMode(json) {
  S.json = json;
  $("plan-fields").hidden = json;
  $("plan-json-field").hidden = !json;
  $("plan-mode").textContent = t(json ? "plan.asForm" : "plan.asJson");
}

function showErrors(items) {
  const list = $("plan-errors");
  list.replaceChildren(...items.map((x) => h("li", { "data-testid": "plan-error" }, x)));
  list.hidden = items.length === 0;
}

/** From the form to JSON and back (JSON that does not parse stays, named). */
function toggleMode() {
  showErrors([]);
  clearFormErrors($("plan-fields"));
  if (!S.json) {
    $("plan").value = planText(readForm($("plan-fields")).plan);
    setMode(true);
    return;
  }
  try {
    fillForm($("plan-fields"), JSON.parse($("plan").value));
    setMode(false);
  } catch (err) {
    showErrors([t("bill.notJson", { why: err.message })]);
  }
}

async function savePlan(e) {
  e.preventDefault();
  const form = $("plan-fields");
  showErrors([]);
  clearFormErrors(form);
  $("plan-status").textContent = "";
  let body;
  if (S.json) {
    try {
      body = JSON.parse($("plan").value);
    } catch (err) {
      showErrors([t("bill.notJson", { why: err.message })]);
      return;
    }
  } else {
    const read = readForm(form);
    if (read.errors.length) {
      showErrors(showFormErrors(form, read.errors).map((f) => `${f.field}: ${f.message}`));
      return;
    }
    body = read.plan;
  }
  try {
    const r = await api("PUT", "/api/v1/billing/plan", body);
    S.plan = r.plan;
    showPlan();
    $("plan-status").textContent = t("bill.saved");
    await load();
  } catch (err) {
    const fields = err.fields && err.fields.length ? err.fields : null;
    const rest = fields ? (S.json ? fields : showFormErrors(form, fields)) : [];
    showErrors(fields ? rest.map((f) => `${f.field}: ${f.message}`) : [err.message || t("error.generic")]);
  }
}

async function boot() {
  state("loading");
  try {
    const me = await api("GET", "/api/v1/me");
    S.me = me.agent;
    if (!canRead()) {
      $("denied").hidden = false;
      state(null);
      $("main").setAttribute("aria-busy", "false");
      return;
    }
    S.month = new URLSearchParams(location.search).get("month") || thisMonth();
    $("month").value = S.month;
    const p = await api("GET", "/api/v1/billing/plan");
    S.plan = p.plan;
    showPlan();
    await load();
  } catch (err) {
    if (!err.silent) state("error");
  }
}

applyI18n();
$("lang").addEventListener("click", () => toggleLang());
onLangChange(() => {
  $("plan-status").textContent = "";
  render();
  // The form's labels follow the language; what was typed stays.
  const typed = isAdmin() && !S.json && readForm($("plan-fields"));
  if (typed && !typed.errors.length) fillForm($("plan-fields"), typed.plan);
  setMode(S.json);
});
$("month").addEventListener("change", () => {
  if (!/^\d{4}-\d{2}$/.test($("month").value)) return;
  S.month = $("month").value;
  history.replaceState(null, "", `?month=${S.month}`);
  load();
});
$("plan-form").addEventListener("submit", savePlan);
$("plan-template").addEventListener("click", () => { showErrors([]); showPlan(EXAMPLE); });
$("plan-mode").addEventListener("click", toggleMode);
boot();
