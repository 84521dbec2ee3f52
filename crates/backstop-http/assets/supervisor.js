// Supervisor view: agents (presence, load against capacity, skills), queues per team (waiting, urgent, longest wait) and flagged ratings, refreshed every 5 seconds.
import { t, applyI18n, toggleLang, onLangChange, relTime, clock } from "/assets/i18n.js";

const $ = (id) => document.getElementById(id);
const S = { teams: [], agents: [], queue: [], ratings: [], at: null };
const REFRESH_MS = 5000;

function h(tag, attrs, ...kids) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === "class") n.className = v;
    else n.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat()) if (k != null && k !== false) n.append(k instanceof Node ? k : String(k));
  return n;
}

async function api(path) {
  const res = await fetch(path, { credentials: "same-origin" });
  if (res.status === 401) { location.href = "/login"; throw { silent: true }; }
  const data = await res.json().catch(() => null);
  if (!res.ok) throw (data && data.error) || { code: `http_${res.status}` };
  return data;
}

function render() {
  $("updated").textContent = S.at ? t("sup.updated", { time: clock(S.at.toISOString()).short }) : "";
  $("queues").replaceChildren(...S.teams.map((team) => {
    const waiting = S.queue.filter((c) => c.owner.team_id === team.id);
    const hot = waiting.filter((c) => c.owner.priority === "urgent" || c.owner.priority === "high").length;
    const oldest = waiting.map((c) => c.waiting_since).filter(Boolean).sort()[0];
    return h("tr", { "data-team": team.name },
      h("td", {}, team.name),
      h("td", { class: waiting.length ? "sup-num sup-hot" : "sup-num" }, String(waiting.length)),
      h("td", { class: "sup-num" }, String(hot)),
      h("td", {}, oldest ? h("time", { title: clock(oldest).full }, relTime(oldest)) : "—"),
      h("td", {}, t(`sup.strategy.${team.strategy || "manual"}`)));
  }));
  $("agents").replaceChildren(...S.agents.map((a) => {
    const full = a.active >= a.capacity;
    return h("tr", { "data-agent": a.agent.email },
      h("td", {}, h("strong", {}, a.agent.name), h("div", { class: "pol-desc" }, `${a.agent.email} · ${t(`role.${a.agent.role}`)}`)),
      h("td", {}, h("span", { class: `presence presence-${a.presence}` }, t(`presence.${a.presence}`))),
      h("td", {},
        h("span", { class: "load-meter" }, h("span", { class: `load-fill${full ? " full" : ""}`, style: `width:${Math.min(100, Math.round((100 * a.active) / Math.max(1, a.capacity)))}%` })),
        h("span", { class: "sup-num" }, ` ${a.active}/${a.capacity}`)),
      h("td", {}, [...a.languages.map((l) => t(`lang.${l}`)), ...a.topics].map((s) => h("span", { class: "chip chip-signal" }, s))));
  }));
  $("ratings").replaceChildren(...(S.ratings.length ? S.ratings.map((r) => h("li", {},
    h("strong", { class: "sup-stars" }, "★".repeat(r.rating) + "☆".repeat(5 - r.rating)),
    h("span", {}, r.comment || t("sup.noComment")),
    h("a", { href: `/inbox#/resolved/${r.conversation_id}` }, t("sup.open")),
    h("time", { title: clock(r.at).full }, relTime(r.at))))
    : [h("li", { class: "pk-muted" }, t("sup.noRatings"))]));
}

async function refresh() {
  try {
    const [teams, agents, queue, ratings] = await Promise.all([
      api("/api/v1/teams"), api("/api/v1/agents"), api("/api/v1/conversations?view=queue&limit=500"), api("/api/v1/ratings")]);
    S.teams = teams.teams;
    S.agents = agents.agents;
    S.queue = queue.conversations;
    S.ratings = ratings.ratings;
    S.at = new Date();
    $("denied").hidden = true;
    render();
  } catch (e) {
    if (e && e.code === "forbidden") $("denied").hidden = false;
  }
}

async function boot() {
  applyI18n();
  $("lang").addEventListener("click", toggleLang);
  onLangChange(() => { applyI18n(); render(); });
  await refresh();
  setInterval(refresh, REFRESH_MS);
  document.body.classList.add("ready");
}

boot();
