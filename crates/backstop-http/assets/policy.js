// Escalation policy page: shows the rules in force, lets admins check and save a new version, and lists the versions (any can be loaded back into the editor).
import { t, applyI18n, toggleLang, onLangChange, relTime, clock, getLang } from "/assets/i18n.js";
import { $, h, api } from "/assets/ui.js";

const S = { me: null, policy: null, versions: [] };

// "anger_at_least = 0.6" → "anger ≥ 0.6", lists joined, booleans as "is" / "is not".
// Thresholds are stored as 32-bit floats: 0.7 arrives as 0.699999988…, shown as 0.7.
const num = (v) => (typeof v === "number" && !Number.isInteger(v) ? String(+v.toFixed(4)) : v);

function condition(key, value) {
  const list = Array.isArray(value) ? value.map(num).join(" | ") : num(value);
  const m = key.match(/^(.*)_(at_least|below|above|in)$/);
  if (m) {
    const op = { at_least: "≥", below: "<", above: ">", in: "∈" }[m[2]];
    return `${m[1]} ${op} ${list}`;
  }
  if (value === true) return key;
  if (value === false) return `not ${key}`;
  return `${key} = ${list}`;
}

function action(then) {
  if (!then) return "";
  const a = then.action;
  const team = t(`policy.team.${then.team}`);
  if (a === "handoff") {
    return `${t("policy.handoff")} → ${team} · ${t(`priority.${then.priority}`)} · ${then.tier} · ${t(`reason.${then.reason}`)}`;
  }
  if (a === "draft") return `${t("policy.draft")} → ${team} · ${t(`priority.${then.priority}`)}`;
  return t(`policy.${a}`);
}

// What an automation rule does, one line per effect, in the page's language.
function does(then) {
  const text = (l) => (getLang() === "zh" && l.zh ? l.zh : l.en);
  const out = [];
  if (then.greet) out.push([t("policy.do.greet"), `“${text(then.greet)}”`]);
  if (then.note) out.push([t("policy.do.note"), then.note]);
  if (then.tag) out.push([t("policy.do.tag"), then.tag.join(", ")]);
  if (then.priority) out.push([t("policy.do.priority"), t(`priority.${then.priority}`)]);
  if (then.assign_team) out.push([t("policy.do.team"), then.assign_team]);
  if (then.run_action) out.push([t("policy.do.action"), then.run_action]);
  if (then.close) out.push([t("policy.do.close"), `“${text(then.close)}”`]);
  return out.map(([k, v]) => h("div", { class: "pol-do" }, h("strong", {}, k), " ", v));
}

function render() {
  const p = S.policy;
  if (!p) return;
  $("version").textContent = p.default ? t("packet.policyDefault") : t("packet.policyVersion", { v: p.version });
  $("rules").replaceChildren(...p.rules.map((r, i) => h("tr", { "data-rule": r.name },
    h("td", { class: "pol-n" }, String(i + 1)),
    h("td", {}, h("code", {}, r.name), r.description ? h("div", { class: "pol-desc" }, r.description) : null),
    h("td", {}, Object.keys(r.when).length
      ? Object.entries(r.when).map(([k, v]) => h("span", { class: "chip chip-signal" }, condition(k, v)))
      : h("span", { class: "pk-muted" }, t("policy.always"))),
    h("td", { class: `pol-then then-${r.then.action}` }, action(r.then)))));
  const autos = p.automations || [];
  $("automations").replaceChildren(...(autos.length ? autos.map((r) => h("tr", { "data-automation": r.name },
    h("td", { class: "pol-n" }, String(r.line)),
    h("td", {}, h("code", {}, r.name), r.description ? h("div", { class: "pol-desc" }, r.description) : null),
    h("td", {}, t(`policy.on.${r.on}`), r.repeat ? h("div", { class: "pol-desc" }, t("policy.repeats")) : null),
    h("td", {}, Object.keys(r.when).length
      ? Object.entries(r.when).map(([k, v]) => h("span", { class: "chip chip-signal" }, condition(k, v)))
      : h("span", { class: "pk-muted" }, t("policy.always"))),
    h("td", {}, ...does(r.then))))
    : [h("tr", {}, h("td", { colspan: "5", class: "pk-muted" }, t("policy.noAutomations")))]));
  $("versions").replaceChildren(...(S.versions.length ? S.versions.map((v) => h("li", {},
    h("strong", {}, `v${v.version}`),
    h("span", {}, v.author),
    h("time", { title: clock(v.created_at).full }, relTime(v.created_at)),
    h("button", { type: "button", class: "link-btn", onclick: () => { $("source").value = v.source; status(t("policy.loaded", { v: v.version })); } }, t("policy.load"))))
    : [h("li", { class: "pk-muted" }, t("policy.noVersions"))]));
  const admin = S.me && S.me.role === "admin";
  $("readonly").hidden = admin;
  $("save").disabled = !admin;
}

function status(text, bad = false) {
  const s = $("status");
  s.textContent = text;
  s.classList.toggle("bad", bad);
}

async function load() {
  const [p, v] = await Promise.all([api("GET", "/api/v1/policy"), api("GET", "/api/v1/policy/versions")]);
  S.policy = p;
  S.versions = v.versions;
  if (!$("source").value) $("source").value = p.source;
  render();
}

async function check() {
  try {
    const r = await api("POST", "/api/v1/policy/check", { source: $("source").value });
    status(t("policy.valid", { n: r.rules }));
  } catch (e) { if (!e.silent) status(e.message, true); }
}

async function save() {
  try {
    const p = await api("PUT", "/api/v1/policy", { source: $("source").value });
    S.policy = p;
    S.versions = (await api("GET", "/api/v1/policy/versions")).versions;
    render();
    status(t("policy.saved", { v: p.version }));
  } catch (e) { if (!e.silent) status(e.message, true); }
}

async function boot() {
  applyI18n();
  try {
    S.me = (await api("GET", "/api/v1/me")).agent;
    await load();
  } catch (e) {
    if (!e.silent) status(e.message || t("error.generic"), true);
    return;
  }
  $("check").addEventListener("click", check);
  $("save").addEventListener("click", save);
  $("lang").addEventListener("click", toggleLang);
  onLangChange(() => { applyI18n(); render(); });
  document.body.classList.add("ready");
}

boot();
