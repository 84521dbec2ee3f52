// The inbox's views built from data alone: a conversation in the list (with its SLA chip), a message of the transcript, a person's avatar and name. The inbox owns the state and passes what each needs.
import { t, relTime, duration, clock, topicLabel } from "/assets/i18n.js";
import { h } from "/assets/ui.js";

export const ts = (iso) => (iso ? new Date(iso).getTime() || 0 : 0);

export function initials(name) {
  const s = String(name || "").trim();
  if (!s) return "?";
  if (/^[\u3000-\u9fff]/.test(s)) return s.slice(0, 1);
  const p = s.split(/[\s@._-]+/).filter(Boolean);
  return ((p[0] || "")[0] + (p.length > 1 ? p[p.length - 1][0] : "")).toUpperCase();
}

export function hue(s) {
  let x = 0;
  for (const c of String(s || "")) x = (x * 31 + c.codePointAt(0)) % 360;
  return x;
}

export function paintAvatar(node, name, seed) {
  node.textContent = initials(name);
  node.style.setProperty("--h", hue(seed || name));
}

export function customerName(c) {
  const cu = (c && c.customer) || {};
  return cu.name || cu.email || t("customer.visitor");
}

export function isVip(c) {
  return ((c.customer && c.customer.tags) || []).some((x) => String(x).toLowerCase() === "vip");
}

function previewPrefix(kind) {
  if (kind === "ai") return t("msg.ai") + ": ";
  if (kind === "agent") return "↩ ";
  return "";
}

// The hand-over's first-reply clock: time left, overdue, or the promise of an offline ticket.
export function slaChip(c) {
  const sla = c.sla;
  if (!sla || sla.first_reply_at || !sla.due_at || c.status !== "open") return null;
  if (sla.ticket) {
    return h("span", { class: "chip chip-sla sla-ticket", "data-testid": "sla-chip", title: clock(sla.ticket.promised_by).full },
      t("sla.ticket", { time: clock(sla.ticket.promised_by).short }));
  }
  const left = Math.round((ts(sla.due_at) - Date.now()) / 1000);
  if (left <= 0) {
    return h("span", { class: "chip chip-sla sla-late", "data-testid": "sla-chip" }, t("sla.overdue", { time: duration(sla.due_at) }));
  }
  const mmss = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
  return h("span", { class: `chip chip-sla${left <= 30 ? " sla-soon" : ""}`, "data-testid": "sla-chip" }, t("sla.left", { time: mmss }));
}

/**
 * A conversation in the list. `inQueue`: it waits in a queue (reason, priority, team, clock, wait);
 * `mine`: the signed-in agent holds it; `active`: it is the open one; `href`: where it links.
 */
/** The channel a conversation runs on, as a small labelled chip (every channel, the widget too). */
export function channelChip(c) {
  const ch = c.channel || "web";
  return h("span", { class: `chip chip-channel channel-${ch}`, "data-testid": "conv-channel", "data-channel": ch }, t(`channel.${ch}`));
}

export function convItem(c, { inQueue, mine, active, href }) {
  const lm = c.last_message;
  const prio = (c.owner && c.owner.priority) || null;
  const name = customerName(c);
  const chips = [channelChip(c)];
  if (inQueue) {
    if (c.handoff_reason) chips.push(h("span", { class: `chip chip-reason reason-${c.handoff_reason}` }, t(`reason.${c.handoff_reason}`)));
    if (prio && prio !== "normal") chips.push(h("span", { class: `chip chip-prio prio-${prio}` }, t(`priority.${prio}`)));
    if (c.owner.team_name) chips.push(h("span", { class: "chip chip-muted" }, c.owner.team_name));
    chips.push(slaChip(c));
    if (c.waiting_since) chips.push(h("span", { class: "ci-wait" }, t("list.waiting", { time: duration(c.waiting_since) })));
  } else if (c.owner && c.owner.kind === "agent" && !mine && c.owner.agent_name) {
    chips.push(h("span", { class: "chip chip-muted" }, c.owner.agent_name));
  } else if (mine) {
    chips.push(slaChip(c));
  }
  if (c.topic) chips.push(h("span", { class: "chip chip-topic" }, topicLabel(c.topic)));

  return h("a", {
    class: `conv-item${active ? " active" : ""}${prio ? ` prio-edge-${prio}` : ""}`,
    href,
    role: "listitem",
    "data-testid": "conv-item",
    "data-id": c.id,
    "aria-current": active ? "true" : null
  },
  h("span", { class: "avatar", style: `--h:${hue(c.customer && c.customer.id)}` }, initials(name)),
  h("span", { class: "ci-body" },
    h("span", { class: "ci-top" },
      h("span", { class: "ci-name" }, name),
      isVip(c) ? h("span", { class: "badge badge-vip" }, t("tag.vip")) : null,
      h("time", { class: "ci-time", datetime: (lm && lm.created_at) || c.updated_at, title: clock((lm && lm.created_at) || c.updated_at).full },
        relTime((lm && lm.created_at) || c.updated_at))),
    h("span", { class: `ci-preview${lm ? (lm.author_kind === "system" ? " ci-preview-system" : "") : " ci-preview-empty"}` },
      lm ? previewPrefix(lm.author_kind) + (lm.author_kind === "system" ? systemText(lm) : lm.body).replace(/\s+/g, " ") : t("list.noMessages")),
    chips.length ? h("span", { class: "ci-chips" }, chips) : null));
}

export function systemText(m) {
  const s = m.system || {};
  if (s.code === "handoff") return s.team_name ? t("sys.handoffTeam", { team: s.team_name }) : t("sys.handoff");
  if (s.code === "agent_joined") return t("sys.agent_joined", { agent: s.agent_name || (m.author && m.author.name) || t("msg.agent") });
  if (s.code === "ticket") return s.team_name ? t("sys.ticketTeam", { team: s.team_name }) : t("sys.ticket");
  const key = `sys.${s.code}`;
  if (s.code && t(key) !== key) return t(key);
  return m.body || "";
}

/** A message of the transcript; `meId` marks the agent's own, `customer` names the customer's. */
export function msgNode(m, { meId, customer }) {
  const a = (m.author && m.author.kind) || "system";
  const time = clock(m.created_at);
  if (a === "system") {
    return h("div", { class: "msg msg-system", "data-testid": "msg", "data-author": "system", "data-id": m.id },
      h("span", { class: "sys-line" }, systemText(m)),
      h("time", { title: time.full }, time.short));
  }
  const note = m.kind === "note";
  const mine = a === "agent" && meId && m.author.agent_id === meId;
  let who = m.author.name;
  if (a === "ai") who = who || t("msg.ai");
  else if (a === "agent") who = who || t("msg.agent");
  else who = who || customer;

  const meta = h("div", { class: "msg-meta" },
    note ? h("span", { class: "note-label" }, t("msg.note")) : null,
    a === "ai" ? h("span", { class: "badge badge-ai" }, "AI") : null,
    h("span", { class: "msg-author" }, mine && !note ? `${who} (${t("msg.you")})` : who),
    h("time", { title: time.full }, time.short));

  const cites = (m.citations || []).length
    ? h("div", { class: "msg-cites" }, m.citations.map((c) => h("span", { class: "chip chip-cite", title: c.title }, t("msg.source", { title: c.title }))))
    : null;

  return h("div", {
    class: `msg msg-${a}${note ? " msg-note" : ""}`,
    "data-testid": "msg", "data-author": a, "data-kind": m.kind || "text", "data-id": m.id
  }, meta, h("div", { class: "msg-bubble" }, m.body), cites);
}

