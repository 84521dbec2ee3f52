// Actions page: lists the tenant's actions, edits one as JSON (saved as a new version, the secret write-only), removes it, tries it with sample values and shows its versions.
import { t, applyI18n, toggleLang, onLangChange, relTime, clock } from "/assets/i18n.js";
import { $, h, api } from "/assets/ui.js";

const S = { me: null, actions: [], current: null, versions: [], trial: null, error: null };

// What "New action" puts in the editor: a read of one order, to adapt.
const TEMPLATE = {
  name: "order_status",
  description: "Looks up one order's status.",
  effect: "read",
  method: "GET",
  url: "https://api.your-shop.example/orders/{order_number}",
  headers: { Authorization: "Bearer {secret}" },
  parameters: {
    type: "object",
    required: ["order_number"],
    properties: { order_number: { type: "string", "x-entity": "order_number", description: "order number" } },
  },
  response: { status: "/order/status" },
  result: { en: "Order {order_number} is {status}.", zh: "订单 {order_number}：{status}。" },
  intents: ["order-status"],
  timeout_ms: 5000,
};

const admin = () => S.me && S.me.role === "admin";

function status(id, text, bad = false) {
  const s = $(id);
  s.textContent = text;
  s.classList.toggle("bad", bad);
}

function renderList() {
  const rows = S.actions.map((a) => h("tr", {
    "data-action": a.name, class: S.current && S.current.name === a.name ? "act-on" : null,
  },
  h("td", {},
    h("button", { type: "button", class: "link-btn", "data-testid": "action-open", onclick: () => open(a.name) }, h("code", {}, a.name)),
    a.spec.description ? h("div", { class: "pol-desc" }, a.spec.description) : null),
  h("td", {}, h("span", { class: `chip ${a.spec.effect === "change" ? "chip-reason" : "chip-muted"}` }, t(`actions.effect.${a.spec.effect || "read"}`))),
  h("td", { class: "act-call" }, h("code", {}, `${a.spec.method} ${a.spec.url}`)),
  h("td", { class: "act-ver" }, `v${a.version}`, h("div", { class: "pol-desc" }, a.updated_by, " · ",
    h("time", { title: clock(a.updated_at).full }, relTime(a.updated_at))))));
  const empty = admin() ? t("actions.none") : t("actions.readonly");
  $("list").replaceChildren(...(rows.length ? rows
    : [h("tr", {}, h("td", { colspan: "4", class: "pk-muted", "data-testid": "actions-empty" }, empty))]));
}

function renderEditor() {
  const a = S.current;
  $("spec-help").textContent = t("actions.specHelp", { p: "{order_number}", s: "{secret}" });
  $("editor-title").textContent = a ? t("actions.editOne", { name: a.name, v: a.version }) : t("actions.editNew");
  $("secret").placeholder = a && a.has_secret ? t("actions.secretKept") : t("actions.secretNone");
  $("clear-secret").parentElement.hidden = !(a && a.has_secret);
  const chosen = $("secret-from").value;
  const sharing = S.actions.filter((x) => x.has_secret && (!a || x.name !== a.name));
  $("secret-from").replaceChildren(h("option", { value: "" }, t("actions.secretFromNone")),
    ...sharing.map((x) => h("option", { value: x.name, selected: x.name === chosen }, x.name)));
  $("secret-from").parentElement.hidden = !sharing.length;
  $("remove").hidden = !a;
  for (const id of ["save", "remove", "new", "spec", "secret", "secret-from", "clear-secret"]) $(id).disabled = !admin();
  $("readonly").hidden = admin();
}

// One input per parameter of the saved definition, with its description and pattern.
function renderTry() {
  const a = S.current;
  $("try-card").hidden = !a;
  $("versions-card").hidden = !a;
  if (!a) return;
  const props = (a.spec.parameters && a.spec.parameters.properties) || {};
  const required = (a.spec.parameters && a.spec.parameters.required) || [];
  const inputs = Object.entries(props).map(([name, p]) => h("label", { class: "act-field" },
    h("span", {}, h("code", {}, name), required.includes(name) ? " *" : "", p.description ? ` — ${p.description}` : ""),
    h("input", { type: "text", "data-param": name, placeholder: p.pattern ? p.pattern : "", autocomplete: "off" })));
  $("params").replaceChildren(...(inputs.length ? inputs : [h("p", { class: "pk-muted" }, t("actions.noParams"))]));
  $("send-row").hidden = a.spec.effect !== "change";
  $("try").disabled = !admin();
  $("versions").replaceChildren(...S.versions.map((v) => h("li", {},
    h("strong", {}, `v${v.version}`),
    h("span", {}, v.spec ? v.author : `${v.author} · ${t("actions.removed")}`),
    h("time", { title: clock(v.created_at).full }, relTime(v.created_at)),
    v.spec ? h("button", { type: "button", class: "link-btn", onclick: () => {
      $("spec").value = JSON.stringify(v.spec, null, 2);
      status("status", t("policy.loaded", { v: v.version }));
    } }, t("policy.load")) : null)));
  renderResult();
}

function renderResult() {
  const r = S.trial;
  const box = $("result");
  box.hidden = !r;
  if (!r) return;
  const o = r.outcome;
  const failure = (f) => [f.failure, f.status, f.detail].filter((x) => x != null).join(" · ");
  const verdict = !r.sent ? ["muted", t("actions.notSent")]
    : o.outcome === "done" ? ["ok", t("actions.done", { ms: r.record ? r.record.latency_ms : "?" })]
    : o.outcome === "refused" ? ["warn", t("actions.refused", { status: o.status, code: o.code || "" })]
    : ["bad", t("actions.failed", { why: failure(o) })];
  box.replaceChildren(...[
    h("div", { class: `act-verdict act-${verdict[0]}`, "data-testid": "action-verdict" }, verdict[1]),
    h("h3", {}, t("actions.request")),
    h("pre", { class: "act-pre" }, [`${r.method} ${r.url}`, ...r.headers.map(([k, v]) => `${k}: ${v}`)].join("\n")
      + (r.body ? `\n\n${JSON.stringify(r.body, null, 2)}` : "")),
    r.sent && o.outcome === "done" ? [
      h("h3", {}, t("actions.fields")),
      h("pre", { class: "act-pre" }, JSON.stringify(o.fields, null, 2)),
    ] : null,
    r.told_en ? [
      h("h3", {}, t("actions.told")),
      h("div", { class: "act-told", "data-testid": "action-told-en" }, h("span", { class: "chip chip-muted" }, "EN"), " ", r.told_en),
      h("div", { class: "act-told", "data-testid": "action-told-zh" }, h("span", { class: "chip chip-muted" }, "中文"), " ", r.told_zh),
    ] : null].flat().filter(Boolean));
}

function render() {
  renderList();
  renderEditor();
  renderTry();
}

async function load() {
  S.actions = (await api("GET", "/api/v1/actions")).actions;
}

async function open(name) {
  S.current = S.actions.find((a) => a.name === name) || null;
  S.trial = null;
  $("secret").value = "";
  $("secret-from").value = "";
  $("clear-secret").checked = false;
  $("spec").value = S.current ? JSON.stringify(S.current.spec, null, 2) : "";
  S.versions = S.current ? (await api("GET", `/api/v1/actions/${encodeURIComponent(name)}/versions`)).versions : [];
  status("status", "");
  status("try-status", "");
  render();
}

function fresh() {
  S.current = null;
  S.trial = null;
  S.versions = [];
  $("spec").value = JSON.stringify(TEMPLATE, null, 2);
  $("secret").value = "";
  status("status", t("actions.templateLoaded"));
  render();
  $("spec").focus();
}

async function save() {
  let spec;
  try { spec = JSON.parse($("spec").value); } catch (e) {
    status("status", t("actions.badJson", { why: e.message }), true);
    return;
  }
  if (!spec || typeof spec.name !== "string" || !spec.name) {
    status("status", t("actions.needName"), true);
    return;
  }
  const body = { spec };
  if ($("secret").value.trim()) body.secret = $("secret").value.trim();
  else if ($("secret-from").value) body.secret_from = $("secret-from").value;
  else if ($("clear-secret").checked) body.clear_secret = true;
  try {
    const saved = await api("PUT", `/api/v1/actions/${encodeURIComponent(spec.name)}`, body);
    await load();
    await open(saved.name);
    status("status", t("actions.saved", { name: saved.name, v: saved.version }));
  } catch (e) { if (!e.silent) status("status", e.message, true); }
}

async function remove() {
  const a = S.current;
  if (!a || !confirm(t("actions.confirmRemove", { name: a.name }))) return;
  try {
    await api("DELETE", `/api/v1/actions/${encodeURIComponent(a.name)}`);
    await load();
    S.current = null;
    $("spec").value = "";
    render();
    status("status", t("actions.removedOne", { name: a.name }));
  } catch (e) { if (!e.silent) status("status", e.message, true); }
}

async function tryIt() {
  const a = S.current;
  if (!a) return;
  const values = {};
  for (const input of $("params").querySelectorAll("input[data-param]")) {
    if (input.value.trim()) values[input.dataset.param] = input.value.trim();
  }
  const send = a.spec.effect !== "change" || $("send").checked;
  status("try-status", t("actions.trying"));
  $("try").disabled = true;
  try {
    S.trial = await api("POST", `/api/v1/actions/${encodeURIComponent(a.name)}/try`, { values, send });
    status("try-status", "");
  } catch (e) {
    S.trial = null;
    if (!e.silent) status("try-status", e.message, true);
  } finally {
    $("try").disabled = !admin();
  }
  renderResult();
}

async function boot() {
  applyI18n();
  try {
    S.me = (await api("GET", "/api/v1/me")).agent;
    if (admin()) await load();
  } catch (e) {
    if (!e.silent) status("status", e.message || t("error.generic"), true);
  }
  render();
  $("new").addEventListener("click", fresh);
  $("save").addEventListener("click", save);
  $("remove").addEventListener("click", remove);
  $("try").addEventListener("click", tryIt);
  $("lang").addEventListener("click", toggleLang);
  onLangChange(() => { applyI18n(); render(); });
  document.body.classList.add("ready");
}

boot();
