// Admin settings page, the generative model: its endpoint, model, key (write-only: only its hint comes back), answer length, budget and latency limits, persona and tone, languages and topics kept to the articles' words; this month's calls and tokens.
import { t, locale } from "/assets/i18n.js";
import { $, h, api } from "/assets/ui.js";
import { clearErrors, showErrors, field, list } from "/assets/admin.js";

const M = { settings: null };

export async function initModel() {
  M.settings = await api("GET", "/api/v1/model");
  fillModel();
}

const num = (n) => new Intl.NumberFormat(locale()).format(n);

function fillModel() {
  const m = M.settings;
  const f = $("model-form");
  clearErrors(f);
  field(f, "enabled").checked = m.enabled;
  for (const k of ["base_url", "model", "temperature", "max_tokens", "first_token_ms", "answer_ms", "persona", "tone"]) field(f, k).value = m[k] ?? "";
  field(f, "small_model").value = m.small_model || "";
  field(f, "monthly_token_budget").value = m.monthly_token_budget ?? "";
  field(f, "languages").value = m.languages.join(", ");
  field(f, "off_topics").value = m.off_topics.join(", ");
  field(f, "api_key").value = "";
  field(f, "clear_api_key").checked = false;
  renderModel();
}

export function renderModel() {
  const m = M.settings;
  if (!m) return;
  $("model-status").textContent = "";
  $("model-key-hint").textContent = m.api_key_hint ? t("adm.model.keyKept", { hint: m.api_key_hint }) : t("adm.model.keyNone");
  $("model-clear-row").hidden = !m.api_key_hint;
  const u = m.usage;
  const row = (label, value) => [h("dt", {}, label), h("dd", { class: "sup-num" }, value)];
  $("model-usage").replaceChildren(
    ...row(t("adm.model.calls"), num(u.calls)),
    ...row(t("adm.model.tokens"), num(u.prompt_tokens + u.completion_tokens)),
    ...row(t("adm.model.left"), u.budget_left == null ? t("adm.model.noBudget") : num(u.budget_left)));
}

async function saveModel(e) {
  e.preventDefault();
  const f = $("model-form");
  const n = (k) => (field(f, k).value === "" ? null : Number(field(f, k).value));
  const body = {
    enabled: field(f, "enabled").checked,
    base_url: field(f, "base_url").value.trim(),
    model: field(f, "model").value.trim(),
    small_model: field(f, "small_model").value.trim() || null,
    temperature: n("temperature"),
    max_tokens: n("max_tokens"),
    monthly_token_budget: n("monthly_token_budget"),
    first_token_ms: n("first_token_ms"),
    answer_ms: n("answer_ms"),
    persona: field(f, "persona").value,
    tone: field(f, "tone").value,
    languages: list(field(f, "languages").value),
    off_topics: list(field(f, "off_topics").value),
    clear_api_key: field(f, "clear_api_key").checked,
  };
  if (field(f, "api_key").value.trim()) body.api_key = field(f, "api_key").value.trim();
  for (const k of ["temperature", "max_tokens", "first_token_ms", "answer_ms"]) if (body[k] == null) delete body[k];
  const button = f.querySelector("[type=submit]");
  button.disabled = true;
  $("model-status").textContent = "";
  try {
    M.settings = await api("PUT", "/api/v1/model", body);
    fillModel();
    $("model-status").textContent = t("adm.model.saved");
  } catch (err) {
    showErrors(f, err);
  } finally {
    button.disabled = false;
  }
}

$("model-form").addEventListener("submit", saveModel);
