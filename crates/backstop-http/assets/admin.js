// Admin settings page: the tabs, the shared form helpers (each bad field shown beside it, in the page's language), teams and agents; the widget and API keys are admin-settings.js.
import { t, applyI18n, toggleLang, onLangChange, getLang } from "/assets/i18n.js";
import { $, h, api, toast } from "/assets/ui.js";
import { initWidget, renderWidget, initKeys, renderKeys } from "/assets/admin-settings.js";
import { initModel, renderModel } from "/assets/admin-model.js";

export const S = { me: null, teams: [], agents: [], tab: "teams", editingTeam: null, editingAgent: null };

// ---- form helpers ----

// What the server says of a field, in the page's language: its usual phrasings have Chinese
// words here; anything else is shown as the server wrote it.
const PHRASES = [
  [/^is required$/, () => t("adm.err.required")],
  [/^is longer than (\d+) characters$/, (m) => t("adm.err.long", { n: m[1] })],
  [/another team already has this name/, () => t("adm.err.teamTaken")],
  [/another agent already signs in with this e-mail/, () => t("adm.err.emailTaken")],
  [/is not an e-mail address/, () => t("adm.err.email")],
  [/must be between 1 and (\d+) conversations/, (m) => t("adm.err.capacity", { n: m[1] })],
  [/unknown time zone/, () => t("adm.err.timezone")],
  [/closes before it opens|cannot read|unknown day|bad time|would never be open|is given twice/, () => t("adm.err.hours")],
  [/VIP target cannot be longer/, () => t("adm.err.vipSlower")],
  [/first-reply target is between/, () => t("adm.err.target")],
  [/promised reply is between/, () => t("adm.err.ticket")],
  [/is not a language code/, () => t("adm.err.language")],
  [/at least 10 characters/, () => t("adm.err.pwShort")],
  [/too easy to guess|common|the person's own/, () => t("adm.err.pwWeak")],
  [/must be a colour/, () => t("adm.err.color")],
  [/must start with https/, () => t("adm.err.originScheme")],
  [/must be only a scheme and a host|character a host name|port/, () => t("adm.err.origin")],
  [/choose at least one scope/, () => t("adm.err.scope")],
  [/must start with http:\/\/ or https:\/\/|must name a host/, () => t("adm.err.url")],
  [/is required when the model is enabled/, () => t("adm.err.model")],
  [/must be between (\S+) and (\S+)/, (m) => t("adm.err.between", { a: m[1], b: m[2] })],
  [/must be at least (\d+)/, (m) => t("adm.err.atLeast", { n: m[1] })],
];

export function phrase(message) {
  if (getLang() === "en") return message.charAt(0).toUpperCase() + message.slice(1);
  for (const [re, f] of PHRASES) {
    const m = re.exec(message);
    if (m) return f(m);
  }
  return message;
}

/** Clears a form's error marks. */
export function clearErrors(form) {
  form.querySelectorAll("[data-field]").forEach((f) => {
    f.classList.remove("ad-bad");
    f.querySelectorAll(".ad-err").forEach((e) => e.remove());
    f.querySelectorAll("input, select, textarea").forEach((i) => i.removeAttribute("aria-invalid"));
  });
  const top = form.querySelector("[data-form-error]");
  if (top) { top.hidden = true; top.textContent = ""; }
}

/** Shows an API error on a form: each named field beside it, anything else at the bottom. */
export function showErrors(form, err) {
  clearErrors(form);
  const rest = [];
  for (const f of (err && err.fields) || []) {
    const box = form.querySelector(`[data-field="${CSS.escape(f.field)}"]`);
    if (!box) { rest.push(phrase(f.message)); continue; }
    box.classList.add("ad-bad");
    box.querySelectorAll("input, select, textarea").forEach((i) => i.setAttribute("aria-invalid", "true"));
    box.append(h("small", { class: "ad-err", "data-testid": "field-error" }, phrase(f.message)));
  }
  if (!(err && err.fields && err.fields.length)) rest.push(err && err.code === "network" ? t("error.network") : phrase((err && err.message) || t("error.generic")));
  const top = form.querySelector("[data-form-error]");
  if (top && rest.length) { top.textContent = rest.join(" "); top.hidden = false; }
  const first = form.querySelector("[aria-invalid=true]");
  if (first) first.focus();
}

export const list = (s) => String(s || "").split(/[,，\n]/).map((x) => x.trim()).filter(Boolean);
export const field = (form, name) => form.elements.namedItem(name);

/** A one-time secret box: the value, a copy button and the warning that it is not shown again
 * (`label` is a string key with its values; the box is drawn again when the language changes). */
export function showOnce(box, label, vars, value, testid) {
  box.once = { label, vars, value, testid };
  const copy = h("button", { type: "button", class: "btn btn-sm", "data-testid": `${testid}-copy` }, t("adm.copy"));
  copy.addEventListener("click", () => copyText(value, copy));
  box.replaceChildren(h("div", { class: "ad-once-head" }, h("strong", {}, t(label, vars)), copy),
    h("code", { class: "ad-once-value", "data-testid": `${testid}-value` }, value),
    h("p", { class: "pol-desc" }, t("adm.onceWarning")));
  box.hidden = false;
}

function redrawOnce() {
  document.querySelectorAll(".ad-once").forEach((box) => {
    if (box.once && !box.hidden) showOnce(box, box.once.label, box.once.vars, box.once.value, box.once.testid);
  });
}

export async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    // Without the clipboard permission: select the text for Ctrl+C.
    const r = document.createRange();
    const node = button && button.parentElement && button.parentElement.parentElement.querySelector("code, pre");
    if (node) { r.selectNodeContents(node); getSelection().removeAllRanges(); getSelection().addRange(r); }
  }
  if (button) { const was = button.textContent; button.textContent = t("adm.copied"); setTimeout(() => { button.textContent = was; }, 1600); }
}

/** Asks for the admin's own password (and, for a reset, the new one); resolves to the values or null. */
export function confirmDialog({ title, text, ok, needNew = false }) {
  const dlg = $("confirm-dialog");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = ok;
  $("confirm-new").hidden = $("confirm-new-label").hidden = !needNew;
  $("confirm-new").value = ""; $("confirm-pw").value = "";
  $("confirm-error").hidden = true;
  dlg.showModal();
  (needNew ? $("confirm-new") : $("confirm-pw")).focus();
  return new Promise((resolve) => {
    const done = (v) => { dlg.close(); cleanup(); resolve(v); };
    const submit = (e) => { e.preventDefault(); done({ password: $("confirm-pw").value, newPassword: $("confirm-new").value }); };
    const cancel = () => done(null);
    const cleanup = () => { $("confirm-form").removeEventListener("submit", submit); $("confirm-cancel").removeEventListener("click", cancel); dlg.removeEventListener("cancel", cancel); };
    $("confirm-form").addEventListener("submit", submit);
    $("confirm-cancel").addEventListener("click", cancel);
    dlg.addEventListener("cancel", cancel);
  });
}

// ---- teams ----

const teamName = (tm) => (tm.names && tm.names[getLang()]) || tm.name;
const secs = (n) => (n >= 120 && n % 60 === 0 ? t("adm.mins", { n: n / 60 }) : t("adm.secs", { n }));

function renderTeams() {
  const rows = S.teams.map((tm) => h("tr", { "data-team": tm.name },
    h("td", {}, h("strong", {}, teamName(tm)), teamName(tm) !== tm.name ? h("div", { class: "pol-desc" }, tm.name) : null,
      h("div", { class: "pol-desc" }, t(`adm.strategy.${tm.strategy}`))),
    h("td", {}, h("span", { class: "chip chip-muted" }, t(`adm.role.${tm.role}`))),
    h("td", {}, tm.hours.open === "always" ? t("adm.always") : tm.hours.open,
      h("div", { class: "pol-desc" }, tm.hours.timezone, " · ", h("span", { class: tm.hours.open_now ? "ad-open" : "ad-closed" }, t(tm.hours.open_now ? "adm.openNow" : "adm.closedNow")))),
    h("td", {}, t("adm.targets", { vip: secs(tm.sla.vip_secs), std: secs(tm.sla.standard_secs) }),
      h("div", { class: "pol-desc" }, t("adm.ticketWithin", { m: tm.sla.ticket_reply_mins }))),
    h("td", {}, tm.languages.length ? tm.languages.join(", ") : h("span", { class: "pk-muted" }, t("adm.allLanguages"))),
    h("td", { class: "ad-actions" }, h("button", { type: "button", class: "btn btn-sm", "data-testid": "team-edit", onclick: () => openTeam(tm) }, t("adm.edit")))));
  $("teams").replaceChildren(...(rows.length ? rows
    : [h("tr", {}, h("td", { colspan: "6", class: "ad-empty", "data-testid": "teams-empty" }, t("adm.teams.none")))]));
}

function openTeam(tm) {
  S.editingTeam = tm;
  const f = $("team-form");
  clearErrors(f);
  const v = tm || { name: "", names: {}, role: "general", strategy: "manual", hours: { timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC", open: "mon-fri 09:00-18:00" }, sla: { vip_secs: 30, standard_secs: 120, ticket_reply_mins: 120 }, languages: [] };
  field(f, "name").value = v.name;
  field(f, "names.zh").value = v.names.zh || "";
  field(f, "names.en").value = v.names.en || "";
  field(f, "role").value = v.role;
  field(f, "strategy").value = v.strategy;
  field(f, "hours.timezone").value = v.hours.timezone;
  field(f, "hours.open").value = v.hours.open;
  field(f, "sla.vip_secs").value = v.sla.vip_secs;
  field(f, "sla.standard_secs").value = v.sla.standard_secs;
  field(f, "sla.ticket_reply_mins").value = v.sla.ticket_reply_mins;
  field(f, "languages").value = v.languages.join(", ");
  $("team-form-title").textContent = tm ? t("adm.teams.edit", { name: tm.name }) : t("adm.teams.new");
  $("team-card").hidden = false;
  $("team-card").scrollIntoView({ block: "nearest" });
  field(f, "name").focus();
}

const num = (input) => (input.value === "" ? null : Number(input.value));

async function saveTeam(e) {
  e.preventDefault();
  const f = $("team-form");
  const body = {
    name: field(f, "name").value,
    names: { zh: field(f, "names.zh").value, en: field(f, "names.en").value },
    role: field(f, "role").value,
    strategy: field(f, "strategy").value,
    hours: { timezone: field(f, "hours.timezone").value, open: field(f, "hours.open").value },
    sla: { vip_secs: num(field(f, "sla.vip_secs")), standard_secs: num(field(f, "sla.standard_secs")), ticket_reply_mins: num(field(f, "sla.ticket_reply_mins")) },
    languages: list(field(f, "languages").value),
  };
  for (const k of Object.keys(body.sla)) if (body.sla[k] == null || Number.isNaN(body.sla[k])) delete body.sla[k];
  const button = f.querySelector("[type=submit]");
  button.disabled = true;
  try {
    const editing = S.editingTeam;
    const saved = editing ? await api("PUT", `/api/v1/teams/${editing.id}`, body) : await api("POST", "/api/v1/teams", body);
    S.teams = editing ? S.teams.map((x) => (x.id === saved.id ? saved : x)) : [...S.teams, saved];
    $("team-card").hidden = true;
    renderTeams();
    toast(t(editing ? "adm.teams.saved" : "adm.teams.added", { name: saved.name }), "ok");
  } catch (err) {
    showErrors(f, err);
  } finally {
    button.disabled = false;
  }
}

// ---- agents ----

function renderAgents() {
  const teamsOf = (ids) => ids.map((id) => S.teams.find((x) => x.id === id)).filter(Boolean).map(teamName);
  const rows = S.agents.map((row) => {
    const a = row.agent;
    const self = S.me && a.id === S.me.id;
    return h("tr", { "data-agent": a.email, class: a.active ? null : "ad-inactive" },
      h("td", {}, h("strong", {}, a.name), self ? h("span", { class: "chip chip-muted ad-you" }, t("adm.you")) : null, h("div", { class: "pol-desc" }, a.email)),
      h("td", {}, t(`role.${a.role}`)),
      h("td", {}, teamsOf(a.team_ids).join(", ") || h("span", { class: "pk-muted" }, "—")),
      h("td", { class: "sup-num" }, t("adm.load", { n: row.active, c: row.capacity })),
      h("td", {}, row.languages.join(", ") || "—", row.topics.length ? h("div", { class: "pol-desc" }, row.topics.join(", ")) : null),
      h("td", {}, a.active
        ? h("span", { class: `presence presence-${row.presence}` }, t(`presence.${row.presence}`))
        : h("span", { class: "chip chip-unverified", "data-testid": "agent-inactive" }, t("adm.deactivated"))),
      h("td", { class: "ad-actions" },
        h("button", { type: "button", class: "btn btn-sm", "data-testid": "agent-edit", onclick: () => openAgent(row) }, t("adm.edit")),
        self ? null : h("button", { type: "button", class: "btn btn-sm", "data-testid": "agent-reset", onclick: () => resetPassword(a) }, t("adm.agent.reset")),
        self ? null : a.active
          ? h("button", { type: "button", class: "btn btn-sm ad-danger", "data-testid": "agent-deactivate", onclick: () => setActive(a, false) }, t("adm.agent.deactivate"))
          : h("button", { type: "button", class: "btn btn-sm", "data-testid": "agent-reactivate", onclick: () => setActive(a, true) }, t("adm.agent.reactivate"))));
  });
  $("agents").replaceChildren(...(rows.length ? rows
    : [h("tr", {}, h("td", { colspan: "7", class: "ad-empty" }, t("adm.agents.none")))]));
}

function openAgent(row) {
  S.editingAgent = row;
  const f = $("agent-form");
  clearErrors(f);
  const a = row ? row.agent : null;
  field(f, "name").value = a ? a.name : "";
  field(f, "email").value = a ? a.email : "";
  field(f, "email").disabled = !!a;
  field(f, "role").value = a ? a.role : "agent";
  field(f, "capacity").value = row ? row.capacity : 5;
  field(f, "languages").value = row ? row.languages.join(", ") : "zh, en";
  field(f, "topics").value = row ? row.topics.join(", ") : "";
  field(f, "password").value = "";
  f.querySelector("[data-new-only]").hidden = !!a;
  const mine = new Set(a ? a.team_ids : []);
  $("agent-teams").replaceChildren(...(S.teams.length ? S.teams.map((tm) => h("label", {},
    h("input", { type: "checkbox", name: "team", value: tm.id, checked: mine.has(tm.id) }), " ", teamName(tm)))
    : [h("span", { class: "pk-muted" }, t("adm.teams.none"))]));
  $("agent-form-title").textContent = a ? t("adm.agents.edit", { name: a.name }) : t("adm.agents.new");
  $("agent-card").hidden = false;
  $("agent-card").scrollIntoView({ block: "nearest" });
  field(f, "name").focus();
}

async function saveAgent(e) {
  e.preventDefault();
  const f = $("agent-form");
  const editing = S.editingAgent;
  const teams = [...f.querySelectorAll("input[name=team]:checked")].map((i) => i.value);
  const capacity = num(field(f, "capacity"));
  const body = { name: field(f, "name").value, teams, languages: list(field(f, "languages").value), topics: list(field(f, "topics").value) };
  if (capacity != null && !Number.isNaN(capacity)) body.capacity = capacity;
  const role = field(f, "role").value;
  const button = f.querySelector("[type=submit]");
  button.disabled = true;
  try {
    if (editing) {
      const a = editing.agent;
      await api("PUT", `/api/v1/agents/${a.id}`, body);
      if (role !== a.role) {
        let confirm_password = null;
        if (role === "admin") {
          const c = await confirmDialog({ title: t("adm.agent.makeAdmin", { name: a.name }), text: t("adm.agent.makeAdminText"), ok: t("adm.save") });
          if (!c) return;
          confirm_password = c.password;
        }
        await api("PUT", `/api/v1/agents/${a.id}/role`, { role, confirm_password });
      }
      toast(t("adm.agents.saved", { name: body.name }), "ok");
      $("agent-once").hidden = true;
    } else {
      Object.assign(body, { email: field(f, "email").value, role, password: field(f, "password").value || null });
      const r = await api("POST", "/api/v1/agents", body);
      if (r.password) showOnce($("agent-once"), "adm.agent.madePassword", { name: r.agent.name, email: r.agent.email }, r.password, "agent-password");
      else $("agent-once").hidden = true;
      toast(t("adm.agents.added", { name: r.agent.name }), "ok");
    }
    $("agent-card").hidden = true;
    await loadAgents();
  } catch (err) {
    showErrors(f, err);
  } finally {
    button.disabled = false;
  }
}

async function setActive(a, active) {
  try {
    await api("POST", `/api/v1/agents/${a.id}/${active ? "reactivate" : "deactivate"}`, {});
    toast(t(active ? "adm.agents.reactivated" : "adm.agents.deactivated", { name: a.name }), "ok");
    await loadAgents();
  } catch (err) {
    toast({ message: phrase(err.message || t("error.generic")) });
  }
}

async function resetPassword(a) {
  const c = await confirmDialog({ title: t("adm.agent.resetTitle", { name: a.name }), text: t("adm.agent.resetText"), ok: t("adm.agent.reset"), needNew: true });
  if (!c) return;
  try {
    await api("PUT", `/api/v1/agents/${a.id}/password`, { password: c.newPassword, confirm_password: c.password });
    toast(t("adm.agent.resetDone", { name: a.name }), "ok");
  } catch (err) {
    toast({ message: phrase(err.message || t("error.generic")) });
  }
}

async function loadAgents() {
  const r = await api("GET", "/api/v1/agents");
  S.agents = r.agents;
  renderAgents();
}

// ---- the page ----

function showTab() {
  const tab = (location.hash || "#teams").slice(1);
  S.tab = ["teams", "agents", "widget", "model", "keys"].includes(tab) ? tab : "teams";
  document.querySelectorAll("[data-tab]").forEach((a) => {
    a.classList.toggle("active", a.dataset.tab === S.tab);
    a.setAttribute("aria-current", a.dataset.tab === S.tab ? "page" : "false");
  });
  document.querySelectorAll("[data-pane]").forEach((p) => { p.hidden = !S.me || S.me.role !== "admin" || p.dataset.pane !== S.tab; });
  // The keys' last use changes while the page is open: read them again on the way in.
  if (S.tab === "keys" && S.me && S.me.role === "admin") initKeys().then(renderKeys, () => {});
}

function renderAll() {
  redrawOnce();
  renderTeams();
  renderAgents();
  renderWidget();
  renderModel();
  renderKeys();
}

function state(kind) {
  const box = $("state");
  if (!kind) { box.hidden = true; return; }
  const retry = h("button", { type: "button", class: "btn", onclick: () => boot() }, t("adm.retry"));
  box.replaceChildren(kind === "loading" ? h("span", { class: "pk-muted" }, t("adm.loading")) : h("span", {}, t("adm.loadFailed")), kind === "loading" ? null : retry);
  box.hidden = false;
}

async function boot() {
  state("loading");
  try {
    const me = await api("GET", "/api/v1/me");
    S.me = me.agent;
    if (S.me.role !== "admin") {
      $("denied").hidden = false;
      state(null);
      showTab();
      return;
    }
    const [teams, agents] = await Promise.all([api("GET", "/api/v1/teams"), api("GET", "/api/v1/agents")]);
    S.teams = teams.teams;
    S.agents = agents.agents;
    await Promise.all([initWidget(), initKeys(), initModel()]);
    state(null);
    renderAll();
    showTab();
  } catch (err) {
    if (!err.silent) state("error");
  } finally {
    $("main").setAttribute("aria-busy", "false");
  }
}

applyI18n();
$("lang").addEventListener("click", () => toggleLang());
onLangChange(() => { if (S.me && S.me.role === "admin") renderAll(); });
window.addEventListener("hashchange", showTab);
$("team-new").addEventListener("click", () => openTeam(null));
$("team-form").addEventListener("submit", saveTeam);
$("agent-new").addEventListener("click", () => openAgent(null));
$("agent-form").addEventListener("submit", saveAgent);
document.querySelectorAll("[data-cancel]").forEach((b) => b.addEventListener("click", () => { b.closest(".pol-card").hidden = true; }));
boot();
