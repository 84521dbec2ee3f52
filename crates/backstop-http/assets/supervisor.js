// Supervisor view: SLA alerts, queues per team (waiting, urgent, longest wait, tickets, hours, targets), agents (presence, load, skills) and flagged ratings; live over the inbox socket (every change reloads the figures), with a slow poll as a fallback.
import { t, applyI18n, toggleLang, onLangChange, relTime, clock } from "/assets/i18n.js";
import { $, h, api, liveSocket } from "/assets/ui.js";

const S = { teams: [], agents: [], queue: [], ratings: [], alerts: [], at: null, live: false };
// Live over the socket; the poll only covers a socket that cannot connect.
const POLL_MS = 30000;

const secs = (n) => (n >= 120 ? t("sup.minutes", { n: Math.round(n / 60) }) : t("sup.seconds", { n }));

function alertRow(c) {
  const sla = c.sla || {};
  const who = c.customer && (c.customer.name || c.customer.email);
  const where = c.owner.kind === "agent"
    ? t("sup.alert.with", { agent: c.owner.agent_name || "?" })
    : sla.ticket
      ? t("sup.alert.ticket", { time: clock(sla.ticket.promised_by).short })
      : t("sup.alert.queued", { team: c.owner.team_name || "" });
  const view = c.owner.kind === "agent" ? "all" : "queue";
  return h("li", { "data-conversation": c.id, class: "sup-alert" },
    h("strong", { class: "sup-breach" }, t("sup.alert.breaches", { n: sla.breaches || 0 })),
    h("span", {}, `${who || t("sup.alert.anon")} · ${t("sup.alert.target", { target: secs(sla.target_secs || 0) })} · ${where}`),
    c.owner.priority ? h("span", { class: `chip chip-prio prio-${c.owner.priority}` }, t(`priority.${c.owner.priority}`)) : null,
    h("a", { href: `/inbox#/${view}/${c.id}` }, t("sup.open")),
    h("time", { title: clock(sla.started_at).full }, relTime(sla.started_at)));
}

function render() {
  $("live").hidden = !S.live;
  $("alerts").replaceChildren(...(S.alerts.length ? S.alerts.map(alertRow) : [h("li", { class: "pk-muted" }, t("sup.noAlerts"))]));
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
      h("td", { class: "sup-num" }, String(waiting.filter((c) => c.sla && c.sla.ticket).length)),
      h("td", {}, t(`sup.strategy.${team.strategy || "manual"}`)),
      h("td", {}, team.hours
        ? [h("span", { class: `presence presence-${team.hours.open_now ? "online" : "offline"}` }, t(team.hours.open_now ? "sup.open_now" : "sup.closed_now")),
          h("div", { class: "pol-desc" }, team.hours.open === "always" ? t("sup.always") : `${team.hours.open} · ${team.hours.timezone}`)]
        : "—"),
      h("td", {}, team.sla ? t("sup.targets", { vip: secs(team.sla.vip_secs), std: secs(team.sla.standard_secs) }) : "—"));
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
    const [teams, agents, queue, ratings, alerts] = await Promise.all([
      api("GET", "/api/v1/teams"), api("GET", "/api/v1/agents"), api("GET", "/api/v1/conversations?view=queue&limit=500"), api("GET", "/api/v1/ratings"),
      api("GET", "/api/v1/alerts")]);
    S.alerts = alerts.alerts;
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

// Every change in the tenant (a conversation moving, an agent's presence, a missed target) reloads
// the figures, at most a few times a second.
let pending = null;
function soon() {
  if (pending) return;
  pending = setTimeout(() => { pending = null; refresh(); }, 250);
}

function connect() {
  // watch=1: watching the floor does not make the supervisor "online" for conversations.
  liveSocket({
    watch: true,
    onOpen() { S.live = true; render(); soon(); },
    onFrame(f) {
      if (f.type === "conversation" || f.type === "presence" || f.type === "alert" || f.type === "resync") soon();
    },
    onClose() { S.live = false; render(); }
  });
}

async function boot() {
  applyI18n();
  $("lang").addEventListener("click", toggleLang);
  onLangChange(() => { applyI18n(); render(); });
  await refresh();
  connect();
  setInterval(refresh, POLL_MS);
  document.body.classList.add("ready");
}

boot();
