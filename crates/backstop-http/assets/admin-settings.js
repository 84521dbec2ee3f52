// Admin settings page, second half: the widget (colour, corner, languages, greetings, allowed sites; a live preview, the snippet to copy, the secret made anew and shown once) and API keys (made with scopes, the token shown once, revoked).
import { t, getLang, relTime, clock } from "/assets/i18n.js";
import { $, h, api, toast } from "/assets/ui.js";
import { S, clearErrors, showErrors, field, showOnce, copyText, confirmDialog, phrase } from "/assets/admin.js";

const W = { settings: null, keys: [] };
const SCOPES = ["conversations", "knowledge", "reports", "settings"];

// ---- the widget ----

export async function initWidget() {
  W.settings = await api("GET", "/api/v1/widget");
  fillWidget();
}

function fillWidget() {
  const w = W.settings;
  const f = $("widget-form");
  clearErrors(f);
  field(f, "color").value = w.color;
  $("color-pick").value = w.color;
  f.querySelectorAll("input[name=corner]").forEach((r) => { r.checked = r.value === w.corner; });
  f.querySelectorAll("input[name=lang]").forEach((c) => { c.checked = w.languages.includes(c.value); });
  field(f, "greeting.zh").value = w.greeting.zh || "";
  field(f, "greeting.en").value = w.greeting.en || "";
  field(f, "origins").value = w.origins.join("\n");
  $("snippet").textContent = w.snippet;
  preview();
}

/** The preview: the launcher and the greeting bubble in the colour and corner as set now. */
function preview() {
  const f = $("widget-form");
  const color = /^#[0-9a-f]{6}$/i.test(field(f, "color").value.trim()) ? field(f, "color").value.trim() : W.settings.color;
  const left = f.querySelector("input[name=corner][value=left]").checked;
  const box = $("preview");
  box.style.setProperty("--pv", color);
  box.classList.toggle("ad-pv-left", left);
  const lang = getLang();
  const own = field(f, `greeting.${lang}`).value.trim();
  $("pv-bubble").textContent = own || t("adm.widget.builtIn");
}

export function renderWidget() {
  $("widget-status").textContent = "";
  if (W.settings) preview();
}

async function saveWidget(e) {
  e.preventDefault();
  const f = $("widget-form");
  const corner = f.querySelector("input[name=corner]:checked");
  const body = {
    color: field(f, "color").value,
    corner: corner ? corner.value : "right",
    languages: [...f.querySelectorAll("input[name=lang]:checked")].map((c) => c.value),
    greeting: { zh: field(f, "greeting.zh").value, en: field(f, "greeting.en").value },
    origins: field(f, "origins").value.split("\n").map((x) => x.trim()).filter(Boolean),
  };
  const button = f.querySelector("[type=submit]");
  button.disabled = true;
  $("widget-status").textContent = "";
  try {
    W.settings = await api("PUT", "/api/v1/widget", body);
    fillWidget();
    $("widget-status").textContent = t("adm.widget.saved");
  } catch (err) {
    showErrors(f, err);
  } finally {
    button.disabled = false;
  }
}

async function rotateSecret() {
  const c = await confirmDialog({ title: t("adm.secret.rotate"), text: t("adm.secret.warn"), ok: t("adm.secret.rotate") });
  if (!c) return;
  try {
    const r = await api("POST", "/api/v1/tenant/widget-secret", { confirm_password: c.password });
    showOnce($("secret-once"), "adm.secret.new", {}, r.widget_secret, "secret");
  } catch (err) {
    toast({ message: phrase(err.message || t("error.generic")) });
  }
}

// ---- API keys ----

export async function initKeys() {
  const r = await api("GET", "/api/v1/api-keys");
  W.keys = r.keys;
}

export function renderKeys() {
  $("key-scopes").replaceChildren(...SCOPES.map((s) => h("label", { title: t(`adm.scope.${s}.what`) },
    h("input", { type: "checkbox", name: "scope", value: s, "data-testid": `key-scope-${s}` }), " ", t(`adm.scope.${s}`))));
  const rows = W.keys.map((k) => {
    const by = S.agents.find((a) => a.agent.id === k.created_by);
    return h("tr", { "data-key": k.name, class: k.revoked_at ? "ad-inactive" : null },
      h("td", {}, h("strong", {}, k.name), h("div", { class: "pol-desc" }, h("code", {}, `${k.shown}…`))),
      h("td", {}, k.scopes.map((s) => h("span", { class: "chip chip-muted" }, t(`adm.scope.${s}`)))),
      h("td", {}, h("time", { title: clock(k.created_at).full }, relTime(k.created_at)), by ? h("div", { class: "pol-desc" }, by.agent.name) : null),
      h("td", {}, k.last_used_at ? h("time", { title: clock(k.last_used_at).full }, relTime(k.last_used_at)) : h("span", { class: "pk-muted" }, t("adm.keys.never"))),
      h("td", {}, k.revoked_at ? h("span", { class: "chip chip-unverified" }, t("adm.keys.revoked")) : h("span", { class: "ad-open" }, t("adm.keys.active"))),
      h("td", { class: "ad-actions" }, k.revoked_at ? null
        : h("button", { type: "button", class: "btn btn-sm ad-danger", "data-testid": "key-revoke", onclick: () => revoke(k) }, t("adm.keys.revoke"))));
  });
  $("keys").replaceChildren(...(rows.length ? rows
    : [h("tr", {}, h("td", { colspan: "6", class: "ad-empty", "data-testid": "keys-empty" }, t("adm.keys.none")))]));
}

async function createKey(e) {
  e.preventDefault();
  const f = $("key-form");
  const body = { name: field(f, "name").value, scopes: [...f.querySelectorAll("input[name=scope]:checked")].map((c) => c.value) };
  const button = f.querySelector("[type=submit]");
  button.disabled = true;
  try {
    const r = await api("POST", "/api/v1/api-keys", body);
    showOnce($("key-once"), "adm.keys.made", { name: r.key.name }, r.token, "key");
    clearErrors(f);
    f.reset();
    W.keys = [r.key, ...W.keys];
    renderKeys();
  } catch (err) {
    showErrors(f, err);
  } finally {
    button.disabled = false;
  }
}

async function revoke(k) {
  if (!window.confirm(t("adm.keys.revokeAsk", { name: k.name }))) return;
  try {
    await api("DELETE", `/api/v1/api-keys/${k.id}`);
    await initKeys();
    renderKeys();
    toast(t("adm.keys.revokedDone", { name: k.name }), "ok");
  } catch (err) {
    toast({ message: phrase(err.message || t("error.generic")) });
  }
}

$("widget-form").addEventListener("submit", saveWidget);
$("widget-form").addEventListener("input", preview);
$("color-pick").addEventListener("input", () => { field($("widget-form"), "color").value = $("color-pick").value; preview(); });
$("copy-snippet").addEventListener("click", (e) => copyText($("snippet").textContent, e.currentTarget));
$("secret-rotate").addEventListener("click", rotateSecret);
$("key-form").addEventListener("submit", createKey);
