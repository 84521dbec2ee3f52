// The agent pages' language: zh/en detection and switching, the strings (strings-en.js, strings-zh.js), and dates, times and durations in the active language.
import en from "/assets/strings-en.js";
import zh from "/assets/strings-zh.js";

export const STRINGS = { en, zh };

const KEY = "backstop:lang";
const listeners = new Set();

function detect() {
  let stored = null;
  try { stored = localStorage.getItem(KEY); } catch (e) { /* storage blocked */ }
  if (stored === "zh" || stored === "en") return stored;
  return /^zh/i.test(navigator.language || "") ? "zh" : "en";
}

let current = detect();

/** The active UI language: "zh" or "en". */
export function getLang() { return current; }

/** The BCP 47 locale to hand to Intl for the active language. */
export function locale() { return current === "zh" ? "zh-CN" : "en"; }

/** Translate a key, filling {name} placeholders from vars; unknown keys fall back to English, then to the key. */
export function t(key, vars) {
  const s = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, n) => (vars && vars[n] != null ? String(vars[n]) : ""));
}

let topicNames = new Map();

/** The tenant's topics and their names, as GET /api/v1/topics lists them: [{slug, names: {en, zh}}]. */
export function setTopics(list) {
  topicNames = new Map((list || []).map((x) => [x.slug, x.names || {}]));
}

/** A knowledge-base topic slug ("shipping") as the tenant named it in the active language; a topic not named in it reads as its slug tidied. */
export function topicLabel(slug) {
  if (!slug) return "";
  const names = topicNames.get(slug);
  return (names && names[current]) || String(slug).replace(/[-_]+/g, " ");
}

/** True when a key exists (used for server codes that may or may not have a local translation). */
export function has(key) { return key in STRINGS.en; }

/** Fill every [data-i18n], [data-i18n-placeholder], [data-i18n-title] and [data-i18n-aria-label] under root. */
export function applyI18n(root = document) {
  document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
  root.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
  root.querySelectorAll("[data-i18n-placeholder]").forEach((n) => { n.placeholder = t(n.dataset.i18nPlaceholder); });
  root.querySelectorAll("[data-i18n-title]").forEach((n) => { n.title = t(n.dataset.i18nTitle); });
  root.querySelectorAll("[data-i18n-aria-label]").forEach((n) => { n.setAttribute("aria-label", t(n.dataset.i18nAriaLabel)); });
}

/** Switch language, remember it, re-apply static strings and notify listeners. */
export function setLang(lang) {
  current = lang === "zh" ? "zh" : "en";
  try { localStorage.setItem(KEY, current); } catch (e) { /* storage blocked */ }
  applyI18n();
  listeners.forEach((fn) => fn(current));
}

export function toggleLang() { setLang(current === "zh" ? "en" : "zh"); }

/** Run fn(lang) after every language switch. */
export function onLangChange(fn) { listeners.add(fn); }

/** "3 min ago" style relative time in the active language. */
export function relTime(iso, now = Date.now()) {
  const d = new Date(iso).getTime();
  if (!Number.isFinite(d)) return "";
  const s = Math.round((d - now) / 1000);
  const abs = Math.abs(s);
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: "auto", style: "short" });
  if (abs < 45) return rtf.format(0, "second");
  if (abs < 3600) return rtf.format(Math.round(s / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(s / 3600), "hour");
  if (abs < 7 * 86400) return rtf.format(Math.round(s / 86400), "day");
  return new Intl.DateTimeFormat(locale(), { month: "short", day: "numeric" }).format(new Date(d));
}

/** Compact duration ("4 min", "2 hr") used for queue waiting time. */
export function duration(iso, now = Date.now()) {
  const d = new Date(iso).getTime();
  if (!Number.isFinite(d)) return "";
  const mins = Math.max(0, Math.round((now - d) / 60000));
  if (mins < 1) return current === "zh" ? "不到 1 分钟" : "<1 min";
  const unit = mins < 60 ? ["minute", mins] : mins < 1440 ? ["hour", Math.round(mins / 60)] : ["day", Math.round(mins / 1440)];
  return new Intl.NumberFormat(locale(), { style: "unit", unit: unit[0], unitDisplay: "short" }).format(unit[1]);
}

/** Clock time for a message, with the full date kept for a tooltip. */
export function clock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return { short: "", full: "" };
  return {
    short: new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit" }).format(d),
    full: new Intl.DateTimeFormat(locale(), { dateStyle: "full", timeStyle: "short" }).format(d)
  };
}
