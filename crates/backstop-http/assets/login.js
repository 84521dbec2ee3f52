// The sign-in page: checks whether the agent is already signed in, signs in, shows errors in zh/en.
import { t, applyI18n, toggleLang } from "/assets/i18n.js";

const form = document.getElementById("login-form");
const err = document.getElementById("login-error");
const submit = document.getElementById("submit");

applyI18n();
document.title = t("login.submit") + " · Backstop";
document.getElementById("lang").addEventListener("click", () => {
  toggleLang();
  document.title = t("login.submit") + " · Backstop";
  if (!err.hidden && err.dataset.code) err.textContent = message(err.dataset.code, err.dataset.raw);
});

// Already signed in? Go straight to the inbox.
fetch("/api/v1/me", { credentials: "same-origin" })
  .then((r) => { if (r.ok) location.replace("/inbox"); })
  .catch(() => {});

function message(code, raw) {
  const key = "error." + code;
  const s = t(key);
  return s !== key ? s : raw || t("error.generic");
}

function showError(code, raw) {
  err.dataset.code = code;
  err.dataset.raw = raw || "";
  err.textContent = message(code, raw);
  err.hidden = false;
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  err.hidden = true;
  const data = {
    tenant: form.tenant.value.trim() || "demo",
    email: form.email.value.trim(),
    password: form.password.value
  };
  if (!data.email) { form.email.focus(); return; }
  if (!data.password) { form.password.focus(); return; }
  submit.disabled = true;
  submit.textContent = t("login.busy");
  try {
    const res = await fetch("/api/v1/auth/login", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Requested-With": "backstop" },
      body: JSON.stringify(data)
    });
    if (res.ok) { location.href = "/inbox"; return; }
    let body = null;
    try { body = await res.json(); } catch (_) { /* not JSON */ }
    const e2 = (body && body.error) || {};
    showError(e2.code || (res.status === 401 ? "invalid_credentials" : "generic"), e2.message);
    if (res.status === 401) { form.password.select(); }
  } catch (_) {
    showError("network");
  } finally {
    submit.disabled = false;
    submit.textContent = t("login.submit");
  }
});
