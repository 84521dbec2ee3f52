// Agent inbox logic: signs the agent in, lists conversations per view, shows one with its handoff packet, and stays live over /api/v1/ws.
import { t, applyI18n, toggleLang, onLangChange, relTime, topicLabel } from "/assets/i18n.js";
import { $, h, api, toast, liveSocket, loadTopics } from "/assets/ui.js";
import { packetView } from "/assets/inbox-packet.js";
import { copilotView, fillDraft } from "/assets/inbox-copilot.js";
import { panelView } from "/assets/inbox-panel.js";
import { showNotices } from "/assets/inbox-notices.js";
import { ts, paintAvatar, customerName, isVip, convItem, msgNode, channelChip } from "/assets/inbox-views.js";

const VIEWS = ["queue", "mine", "ai", "resolved"];
const PRIO = { urgent: 0, high: 1, normal: 2 };
const MAX = 4000;

const els = {
  app: $("app"), list: $("conv-list"), listTitle: $("list-title"), listCount: $("list-count"), filter: $("filter"),
  empty: $("conv-empty"), conv: $("conv"), cAvatar: $("c-avatar"), cName: $("c-name"), cVip: $("c-vip"), cMeta: $("c-meta"),
  packet: $("packet"), transcript: $("transcript"), composer: $("composer"), hint: $("composer-hint"),
  input: $("reply-input"), send: $("reply-send"), count: $("reply-count"), conn: $("conn"), connText: $("conn-text")
};

const S = {
  me: null,
  tenant: null,
  view: "queue",
  convs: new Map(),      // id → conversation summary, across all views
  loaded: new Set(),     // views fetched at least once
  openId: null,
  open: null,            // { conversation, messages: Map, packet, events }
  openSeq: 0,
  early: [],             // live messages for the conversation being loaded
  mode: "reply",
  drafts: new Map(),
  replyCid: null,        // { convId, body, cid }: reuse the client id when a failed send is retried
  sending: false,
  copilot: null,         // { convId, shown, inserted }: what the copilot offered and what was inserted
  panel: null,           // { id, data }: the customer panel of the open conversation
  panelOpen: localStorage.getItem("bs.panelOpen") !== "0",
  copilotTimer: null,
  packetCollapsed: (() => { try { return localStorage.getItem("backstop:packetCollapsed") === "1"; } catch (_) { return false; } })(),
  live: false, everLive: false
};

// ---------- helpers ----------

function uuid() {
  if (crypto.randomUUID) { try { return crypto.randomUUID(); } catch (_) { /* insecure context */ } }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
  const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function isMine(c) {
  return !!(c && c.owner && c.owner.kind === "agent" && S.me && c.owner.agent_id === S.me.id);
}

function isClosed(c) {
  return c.status === "resolved" || c.status === "closed";
}

function viewOf(c) {
  if (isClosed(c)) return "resolved";
  const k = c.owner && c.owner.kind;
  if (k === "queue") return "queue";
  if (k === "ai") return "ai";
  if (k === "agent") return isMine(c) ? "mine" : null;
  return null;
}

// ---------- state updates ----------

function upsert(c) {
  if (!c || !c.id) return false;
  const old = S.convs.get(c.id);
  if (old && ts(old.updated_at) > ts(c.updated_at)) return false; // an older snapshot than the one we hold
  S.convs.set(c.id, c);
  if (S.open && S.open.conversation.id === c.id) S.open.conversation = c;
  return true;
}

async function loadView(view) {
  const data = await api("GET", `/api/v1/conversations?view=${encodeURIComponent(view)}`);
  const list = (data && data.conversations) || [];
  const ids = new Set(list.map((c) => c.id));
  for (const [id, c] of S.convs) if (viewOf(c) === view && !ids.has(id) && id !== S.openId) S.convs.delete(id);
  list.forEach(upsert);
  S.loaded.add(view);
}

async function loadAll() {
  const results = await Promise.allSettled(VIEWS.map(loadView));
  const failed = results.find((r) => r.status === "rejected");
  if (failed) toast(failed.reason);
  renderCounts();
  renderList();
}

// ---------- rendering: nav ----------

function renderMe() {
  const me = S.me;
  $("me-name").textContent = me.name || me.email;
  $("me-role").textContent = t(`role.${me.role}`) !== `role.${me.role}` ? t(`role.${me.role}`) : me.email;
  paintAvatar($("me-avatar"), me.name || me.email, me.id);
  $("tenant-name").textContent = (S.tenant && S.tenant.name) || "";
  // Only the pages this role may use are linked.
  document.querySelectorAll("[data-needs]").forEach((a) => { a.hidden = !S.permissions.includes(a.dataset.needs); });
}

function renderCounts() {
  const counts = { queue: 0, mine: 0, ai: 0, resolved: 0 };
  for (const c of S.convs.values()) {
    const v = viewOf(c);
    if (v) counts[v]++;
  }
  for (const v of VIEWS) {
    const n = document.querySelector(`[data-count="${v}"]`);
    n.textContent = String(counts[v]);
    n.classList.toggle("nav-count-hot", v === "queue" && counts[v] > 0);
  }
  document.querySelectorAll(".nav-item").forEach((a) => {
    const on = a.dataset.view === S.view;
    a.classList.toggle("active", on);
    if (on) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  });
  document.title = `${counts.queue ? `(${counts.queue}) ` : ""}${t("view." + S.view)} · Backstop`;
}

function renderConn() {
  const state = S.live ? "live" : "reconnecting";
  els.conn.dataset.state = S.everLive || !S.live ? state : "connecting";
  els.connText.textContent = t(S.live ? "nav.live" : "nav.reconnecting");
}

// ---------- rendering: list ----------

function matches(c, q) {
  if (!q) return true;
  const cu = c.customer || {};
  return [cu.name, cu.email, c.last_message && c.last_message.body, c.owner && c.owner.team_name, c.topic, topicLabel(c.topic)]
    .some((s) => s && String(s).toLowerCase().includes(q));
}

function sorter(view) {
  if (view === "queue") {
    return (a, b) => (PRIO[a.owner.priority] ?? 2) - (PRIO[b.owner.priority] ?? 2)
      || ts(a.waiting_since || a.updated_at) - ts(b.waiting_since || b.updated_at);
  }
  return (a, b) => ts(b.updated_at) - ts(a.updated_at);
}

function renderList() {
  const q = els.filter.value.trim().toLowerCase();
  const items = [...S.convs.values()].filter((c) => viewOf(c) === S.view && matches(c, q)).sort(sorter(S.view));
  els.listTitle.textContent = t(`view.${S.view}`);
  els.listCount.textContent = String(items.length);
  if (!items.length) {
    const loading = !S.loaded.has(S.view);
    els.list.replaceChildren(h("div", { class: "list-empty", "data-testid": "list-empty" },
      loading ? t("list.loading") : t(`list.empty.${S.view}`)));
    return;
  }
  els.list.replaceChildren(...items.map((c) => convItem(c, {
    inQueue: viewOf(c) === "queue", mine: isMine(c), active: c.id === S.openId, href: `#/${S.view}/${c.id}`
  })));
}

// ---------- rendering: conversation ----------

function ownerLabel(c) {
  const o = c.owner || {};
  if (o.kind === "ai") return t("owner.ai");
  if (o.kind === "queue") return o.team_name ? t("owner.queueTeam", { team: o.team_name }) : t("owner.queue");
  if (isMine(c)) return t("owner.me");
  return t("owner.agent", { agent: o.agent_name || t("msg.agent") });
}

function renderHead() {
  const c = S.open.conversation;
  const cu = c.customer || {};
  const name = customerName(c);
  els.cName.textContent = name;
  paintAvatar(els.cAvatar, name, cu.id);
  els.cVip.hidden = !isVip(c);
  els.cVip.textContent = t("tag.vip");

  const meta = [];
  if (cu.name && cu.email) meta.push(h("span", { class: "meta-email" }, cu.email));
  // An e-mail the visitor typed, not one the shop vouched for: say so, so nobody trusts it blindly.
  if (cu.email && !cu.email_verified) {
    meta.push(h("span", { class: "chip chip-unverified", title: t("customer.unverifiedHint"), "data-testid": "unverified" },
      t("customer.unverified")));
  }
  meta.push(h("span", { class: `status-pill status-${c.status}` }, t(`status.${c.status}`)));
  meta.push(h("span", { class: `owner-label owner-${c.owner.kind}` }, ownerLabel(c)));
  const prio = c.owner.priority;
  if (prio && !isClosed(c)) meta.push(h("span", { class: `chip chip-prio prio-${prio}` }, t(`priority.${prio}`)));
  if (c.owner.kind === "queue" && c.queue_position) meta.push(h("span", {}, t("conv.queuePos", { n: c.queue_position })));
  if (c.lang) meta.push(h("span", { class: "meta-lang" }, t(`lang.${c.lang}`)));
  meta.push(channelChip(c));
  els.cMeta.replaceChildren(...meta);

  const closed = isClosed(c);
  const kind = c.owner.kind;
  const show = {
    take: !closed && (kind === "queue" || kind === "ai"),
    handback: !closed && isMine(c),
    transfer: !closed && (isMine(c) || (S.me && S.me.role !== "agent" && (kind === "queue" || kind === "agent"))),
    resolve: !closed && isMine(c),
    reopen: closed
  };
  document.querySelectorAll("[data-action]").forEach((b) => { b.hidden = !show[b.dataset.action]; });
  renderComposerState();
}

function renderPacket() {
  const p = S.open.packet;
  els.packet.hidden = !p;
  if (!p) { els.packet.replaceChildren(); return; }
  els.packet.classList.toggle("collapsed", S.packetCollapsed);
  els.packet.replaceChildren(...packetView(p, {
    collapsed: S.packetCollapsed,
    onToggle() {
      S.packetCollapsed = !S.packetCollapsed;
      try { localStorage.setItem("backstop:packetCollapsed", S.packetCollapsed ? "1" : "0"); } catch (_) { /* ignore */ }
      renderPacket();
    },
    onDecide: decideDraft
  }));
}

async function decideDraft(decision, edited) {
  const id = S.open.conversation.id;
  try {
    const d = await api("POST", `/api/v1/conversations/${encodeURIComponent(id)}/draft`,
      edited != null ? { decision, body: edited } : { decision });
    upsert(d && d.conversation);
    if (S.open && S.open.packet) S.open.packet = { ...S.open.packet, draft: null };
    toast({ message: t(decision === "approve" ? "draft.sent" : "draft.rejected") }, "ok");
    renderHead(); renderPacket(); renderCounts(); renderList();
  } catch (e) { toast(e); }
}

function sortedMessages() {
  return [...S.open.messages.values()].sort((x, y) => (x.seq || 0) - (y.seq || 0) || ts(x.created_at) - ts(y.created_at));
}

function messageNode(m) {
  return msgNode(m, { meId: S.me && S.me.id, customer: customerName(S.open.conversation) });
}

function renderTranscript(stick = true) {
  const box = els.transcript;
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  box.replaceChildren(...sortedMessages().map(messageNode));
  if (stick || atBottom) box.scrollTop = box.scrollHeight;
}

function addMessage(m) {
  if (!S.open || m.conversation_id !== S.open.conversation.id || S.open.messages.has(m.id)) return;
  const box = els.transcript;
  // The AI's answer being written stays last; the AI's (or anyone's) stored reply replaces it.
  const writing = box.querySelector(".msg-writing");
  if (writing) writing.remove();
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  const last = box.lastElementChild && S.open.messages.get(box.lastElementChild.dataset.id);
  S.open.messages.set(m.id, m);
  if (!last || (m.seq || 0) > (last.seq || 0)) box.append(messageNode(m));
  else box.replaceChildren(...sortedMessages().map(msgNode));
  const own = m.author && m.author.kind === "agent" && S.me && m.author.agent_id === S.me.id;
  if (writing && m.author && m.author.kind === "customer") box.append(writing);
  if (atBottom || own) box.scrollTop = box.scrollHeight;
}

// The AI's answer while the model writes it, as the customer sees it: typing, then the sentences
// the guard has passed. Never stored; the message that follows replaces it.
function showWriting(w) {
  if (!w || !S.open || w.conversation_id !== S.open.conversation.id) return;
  const box = els.transcript;
  let n = box.querySelector(".msg-writing");
  if (w.withdrawn) { if (n) n.remove(); return; }
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  if (!n) {
    n = messageNode({ id: "", kind: "text", body: "", author: { kind: "ai" }, created_at: new Date().toISOString() });
    n.classList.add("msg-writing");
    n.dataset.testid = "writing";
    n.removeAttribute("data-id");
    box.append(n);
  }
  const bubble = n.querySelector(".msg-bubble");
  bubble.textContent = w.text || t("msg.typing");
  bubble.classList.toggle("is-typing", !w.text);
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function renderComposerState() {
  if (!S.open) return;
  const c = S.open.conversation;
  const note = S.mode === "note";
  els.composer.dataset.mode = S.mode;
  document.querySelectorAll(".composer-tab").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.mode === S.mode)));
  els.input.placeholder = t(note ? "compose.notePh" : "compose.replyPh");
  els.send.textContent = t(note ? "compose.addNote" : "compose.send");
  let hint = "";
  if (!note && isClosed(c)) hint = t("compose.resolved");
  else if (!note && !isMine(c)) hint = t("compose.notOwner");
  els.hint.textContent = hint;
  els.hint.hidden = !hint;
  updateSendState();
}

function updateSendState() {
  const n = els.input.value.length;
  // grow with the text (CSS caps it), instead of a drag handle
  els.input.style.height = "auto";
  if (els.input.scrollHeight) els.input.style.height = `${els.input.scrollHeight}px`;
  els.send.disabled = S.sending || !els.input.value.trim() || n > MAX;
  els.count.textContent = n >= MAX - 500 ? `${n} / ${MAX}` : "";
  els.count.classList.toggle("over", n >= MAX);
}

function renderConversation() {
  els.empty.hidden = true;
  els.conv.hidden = false;
  els.conv.classList.remove("loading");
  renderHead();
  renderPacket();
  renderTranscript(true);
  loadCopilot();
  loadPanel();
}

// ---------- customer panel ----------

// What the shop's system says about the customer (their orders), read once per opened
// conversation; collapsed or open as the agent last left it.
async function loadPanel() {
  const box = document.getElementById("cpanel");
  const c = S.open && S.open.conversation;
  if (!c) { box.hidden = true; return; }
  const id = c.id;
  if (!S.panel || S.panel.id !== id) {
    S.panel = { id, data: null };
    try { S.panel.data = await api("GET", `/api/v1/conversations/${encodeURIComponent(id)}/panel`); } catch (e) { S.panel.data = null; }
    if (!S.open || S.open.conversation.id !== id) return;
  }
  const draw = () => panelView(box, S.panel.data, {
    open: S.panelOpen,
    onToggle: () => { S.panelOpen = !S.panelOpen; localStorage.setItem("bs.panelOpen", S.panelOpen ? "1" : "0"); draw(); },
  });
  draw();
}

// ---------- copilot ----------

// Suggestions for the open conversation while it is mine: KB-drafted replies (with sources),
// the model's draft of a reply to the latest message and, when the customer is upset, a calming
// opening; "Insert" puts one in the composer.
async function loadCopilot() {
  const box = document.getElementById("copilot");
  const c = S.open && S.open.conversation;
  if (!c || !isMine(c) || isClosed(c)) { box.hidden = true; S.copilot = null; return; }
  const id = c.id;
  let d;
  try { d = await api("GET", `/api/v1/conversations/${encodeURIComponent(id)}/copilot`); } catch (e) { return; }
  if (!S.open || S.open.conversation.id !== id) return;
  S.copilot = { convId: id, shown: d.suggestions.length > 0 || !!d.de_escalation, inserted: S.copilot && S.copilot.convId === id ? S.copilot.inserted : null };
  const insert = (text) => {
    els.input.value = text;
    S.copilot.inserted = text;
    S.mode = "reply";
    renderComposerState();
    els.input.focus();
  };
  const slot = copilotView(box, d, insert);
  box.hidden = false;
  const stillOpen = () => !!S.open && S.open.conversation.id === id && S.copilot && S.copilot.convId === id;
  if (await fillDraft(slot, id, insert, stillOpen)) S.copilot.shown = true;
}

async function openConversation(id) {
  if (S.openId && S.openId !== id) S.drafts.set(S.openId, els.input.value);
  S.openId = id;
  S.open = null;
  S.early = [];
  const seq = ++S.openSeq;
  renderList();
  if (!id) {
    els.conv.hidden = true;
    els.empty.hidden = false;
    return;
  }
  els.empty.hidden = true;
  els.conv.hidden = false;
  els.conv.classList.add("loading");
  els.cName.textContent = t("conv.loading");
  els.cMeta.replaceChildren();
  els.cAvatar.textContent = "";
  els.cVip.hidden = true;
  els.packet.hidden = true;
  els.transcript.replaceChildren();
  els.hint.hidden = true;
  document.querySelectorAll("[data-action]").forEach((b) => { b.hidden = true; });
  els.input.value = S.drafts.get(id) || "";
  updateSendState();
  try {
    const d = await api("GET", `/api/v1/conversations/${encodeURIComponent(id)}`);
    if (seq !== S.openSeq) return;
    upsert(d.conversation);
    S.open = {
      conversation: S.convs.get(d.conversation.id) || d.conversation,
      messages: new Map((d.messages || []).map((m) => [m.id, m])),
      packet: d.packet || null,
      events: d.events || []
    };
    for (const m of S.early) S.open.messages.set(m.id, m);
    S.early = [];
    renderConversation();
    renderCounts();
    renderList();
  } catch (e) {
    if (seq !== S.openSeq) return;
    toast(e);
    els.conv.classList.remove("loading");
    els.cName.textContent = "";
  }
}

// Quietly refresh the open conversation (after a reconnect, or when a handoff packet may have appeared).
async function refreshOpen() {
  if (!S.open) return;
  const id = S.open.conversation.id;
  try {
    const d = await api("GET", `/api/v1/conversations/${encodeURIComponent(id)}`);
    if (!S.open || S.open.conversation.id !== id) return;
    upsert(d.conversation);
    S.open.packet = d.packet || null;
    S.open.events = d.events || [];
    let added = false;
    for (const m of d.messages || []) if (!S.open.messages.has(m.id)) { S.open.messages.set(m.id, m); added = true; }
    renderHead();
    renderPacket();
    if (added) renderTranscript(false);
  } catch (e) { toast(e); }
}

// ---------- actions ----------

const ACTION_PATH = { take: "take", handback: "hand-back", resolve: "resolve", reopen: "reopen" };

// Transfer: to a team's queue or a colleague, with a private note for them.
async function openTransfer() {
  const dlg = document.getElementById("transfer-dialog");
  const select = document.getElementById("transfer-to");
  let teams, agents;
  try {
    [teams, agents] = await Promise.all([api("GET", "/api/v1/teams"), api("GET", "/api/v1/agents")]);
  } catch (e) { toast(e); return; }
  const c = S.open.conversation;
  const teamGroup = h("optgroup", { label: t("transfer.teams") },
    teams.teams.filter((tm) => !(c.owner.kind === "queue" && c.owner.team_id === tm.id))
      .map((tm) => h("option", { value: `team:${tm.id}` }, tm.name)));
  const people = agents.agents.filter((a) => a.agent.id !== (c.owner.agent_id || "") && (a.agent.id !== S.me.id || !isMine(c)));
  const agentGroup = h("optgroup", { label: t("transfer.colleagues") },
    people.map((a) => h("option", { value: `agent:${a.agent.id}` },
      `${a.agent.name} · ${t(`presence.${a.presence}`)} · ${a.active}/${a.capacity}`)));
  select.replaceChildren(teamGroup, agentGroup);
  document.getElementById("transfer-note").value = "";
  dlg.showModal();
}

async function submitTransfer(ev) {
  ev.preventDefault();
  if (!S.open) return;
  const dlg = document.getElementById("transfer-dialog");
  const [kind, target] = document.getElementById("transfer-to").value.split(":");
  const note = document.getElementById("transfer-note").value.trim();
  const body = kind === "team" ? { team_id: target } : { agent_id: target };
  if (note) body.note = note;
  const id = S.open.conversation.id;
  const btn = document.getElementById("transfer-submit");
  btn.disabled = true;
  try {
    const d = await api("POST", `/api/v1/conversations/${encodeURIComponent(id)}/transfer`, body);
    upsert(d && d.conversation);
    dlg.close();
    toast({ message: t("transfer.done") }, "ok");
    renderHead();
    renderCounts();
    renderList();
  } catch (e) {
    toast(e);
  } finally {
    btn.disabled = false;
  }
}

async function act(action, btn) {
  if (!S.open) return;
  if (action === "transfer") { openTransfer(); return; }
  const id = S.open.conversation.id;
  btn.disabled = true;
  try {
    const d = await api("POST", `/api/v1/conversations/${encodeURIComponent(id)}/${ACTION_PATH[action]}`,
      action === "handback" ? { reason: null } : undefined);
    upsert(d && d.conversation);
    if (S.open && S.open.conversation.id === id) {
      renderHead();
      if (action === "take") { S.mode = "reply"; renderComposerState(); els.input.focus(); loadCopilot(); }
      if (action === "resolve" || action === "handback") loadCopilot();
    }
    // a taken conversation now lives in "Mine": follow it there so it stays in the list beside it
    if (action === "take" && S.view !== "mine" && S.openId === id) location.hash = `#/mine/${id}`;
    renderCounts();
    renderList();
  } catch (e) {
    toast(e);
  } finally {
    btn.disabled = false;
  }
}

async function sendComposer() {
  if (!S.open || S.sending) return;
  const body = els.input.value.trim();
  if (!body) return;
  if (body.length > MAX) { toast(t("error.generic")); return; }
  const id = S.open.conversation.id;
  const note = S.mode === "note";
  S.sending = true;
  updateSendState();
  try {
    let d;
    if (note) {
      d = await api("POST", `/api/v1/conversations/${encodeURIComponent(id)}/notes`, { body });
    } else {
      const r = S.replyCid;
      const cid = r && r.convId === id && r.body === body ? r.cid : uuid();
      S.replyCid = { convId: id, body, cid };
      const payload = { body, client_id: cid };
      const cp = S.copilot && S.copilot.convId === id ? S.copilot : null;
      if (cp && cp.inserted) payload.suggested = cp.inserted;
      else if (cp && cp.shown) payload.suggestions_shown = true;
      d = await api("POST", `/api/v1/conversations/${encodeURIComponent(id)}/messages`, payload);
      if (cp) cp.inserted = null;
      S.replyCid = null;
    }
    if (S.open && S.open.conversation.id === id) {
      els.input.value = "";
      S.drafts.delete(id);
      if (d && d.message) addMessage(d.message);
    }
  } catch (e) {
    toast(e);
  } finally {
    S.sending = false;
    updateSendState();
  }
}

// ---------- live updates ----------

function onConversationEvent(c) {
  if (!upsert(c)) return;
  renderCounts();
  renderList();
  if (S.open && S.open.conversation.id === c.id) {
    renderHead();
    if (!S.open.packet && c.owner && c.owner.kind === "queue") refreshOpen();
  }
}

function onMessageEvent(m) {
  if (!m || !m.conversation_id) return;
  const c = S.convs.get(m.conversation_id);
  if (c && m.kind !== "note" && ts(m.created_at) >= ts(c.last_message && c.last_message.created_at)) {
    S.convs.set(c.id, {
      ...c,
      last_message: { body: m.body, author_kind: m.author.kind, system: m.system || null, created_at: m.created_at },
      updated_at: ts(m.created_at) > ts(c.updated_at) ? m.created_at : c.updated_at
    });
    renderList();
  }
  if (S.open && S.open.conversation.id === m.conversation_id) {
    addMessage(m);
    // a new customer message: fresh suggestions
    if (m.author && m.author.kind === "customer") { clearTimeout(S.copilotTimer); S.copilotTimer = setTimeout(loadCopilot, 400); }
  }
  else if (S.openId === m.conversation_id && !S.open) S.early.push(m);
}

function connectWs() {
  liveSocket({
    onOpen(reconnected) {
      S.live = true;
      S.everLive = true;
      renderConn();
      if (reconnected) { loadAll(); refreshOpen(); }
    },
    onFrame(f) {
      if (f.type === "conversation") onConversationEvent(f.conversation);
      else if (f.type === "message") onMessageEvent(f.message);
      else if (f.type === "writing") showWriting(f.writing);
      // The socket fell behind and frames were lost: reload what the page shows.
      else if (f.type === "resync") { loadAll(); refreshOpen(); }
    },
    onClose() {
      S.live = false;
      renderConn();
    }
  });
}

// ---------- routing ----------

function route() {
  const m = location.hash.match(/^#\/?([a-z]+)?(?:\/([\w-]+))?/) || [];
  const view = VIEWS.includes(m[1]) ? m[1] : "queue";
  const id = m[2] || null;
  if (view !== S.view) {
    S.view = view;
    renderCounts();
    renderList();
    els.list.scrollTop = 0;
    loadView(view).then(() => { renderCounts(); renderList(); }, toast);
  }
  if (id !== S.openId) openConversation(id);
  else renderList();
}

// ---------- wiring ----------

function wire() {
  window.addEventListener("hashchange", route);
  els.filter.addEventListener("input", renderList);
  $("lang").addEventListener("click", toggleLang);
  $("logout").addEventListener("click", async () => {
    try { await api("POST", "/api/v1/auth/logout"); } catch (_) { /* leave anyway */ }
    location.href = "/login";
  });
  document.querySelectorAll("[data-action]").forEach((b) => b.addEventListener("click", () => act(b.dataset.action, b)));
  document.getElementById("transfer-form").addEventListener("submit", submitTransfer);
  document.getElementById("transfer-cancel").addEventListener("click", () => document.getElementById("transfer-dialog").close());
  document.querySelectorAll(".composer-tab").forEach((b) => b.addEventListener("click", () => {
    S.mode = b.dataset.mode;
    renderComposerState();
    els.input.focus();
  }));
  els.input.addEventListener("input", updateSendState);
  els.input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      sendComposer();
    }
  });
  els.send.addEventListener("click", sendComposer);

  onLangChange(() => {
    renderMe();
    renderCounts();
    renderConn();
    renderList();
    if (S.open) { renderHead(); renderPacket(); renderTranscript(false); }
  });

  // keep relative times fresh; ping so idle proxies keep the socket open
  // Often enough for the first-reply countdowns.
  setInterval(renderList, 5000);
}

async function boot() {
  applyI18n();
  let me;
  try {
    me = await api("GET", "/api/v1/me");
  } catch (e) {
    if (!e.silent) { toast(e); setTimeout(boot, 3000); }
    return;
  }
  S.me = me.agent;
  S.tenant = me.tenant;
  S.permissions = me.permissions || [];
  await loadTopics();
  renderMe();
  wire();
  els.app.classList.add("ready");
  const m = location.hash.match(/^#\/?([a-z]+)/);
  S.view = m && VIEWS.includes(m[1]) ? m[1] : "queue";
  renderCounts();
  renderConn();
  renderList();
  connectWs();
  await loadAll();
  route();
  showNotices(S.permissions);
}

boot();
