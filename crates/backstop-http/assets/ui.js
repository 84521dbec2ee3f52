// The agent pages' shared toolkit (the inbox, the supervisor view, the policy and knowledge pages): building elements, calling the API, toasts and the live socket with its back-off. The widget stays standalone and does not use it.
import { t, setTopics } from "/assets/i18n.js";

export const $ = (id) => document.getElementById(id);

/**
 * An element: `h("button", { class: "btn", onclick: go, "data-testid": "x" }, "Save")`. Attributes:
 * `class`, `text` (textContent), `on…` (listeners), anything else as an attribute (`true` → present,
 * `null`/`false` → absent). Children: nodes, strings and numbers, nested arrays; `null`/`false` skipped.
 */
export function h(tag, attrs, ...kids) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === "class") n.className = v;
    else if (k === "text") n.textContent = v;
    else if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
    else n.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat(Infinity)) {
    if (k == null || k === false) continue;
    n.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return n;
}

/**
 * Calls the API: `api("POST", "/api/v1/…", body)`. Resolves to the JSON answer (`null` for 204).
 * Rejects with the API's `{code, message}` error; with `{code: "network"}` when the server cannot be
 * reached. A 401 goes to the sign-in page (and rejects with `silent: true`, which `toast` ignores).
 */
export async function api(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      // The header marks the request as the page's own (a form on another site cannot send it).
      headers: body !== undefined
        ? { "Content-Type": "application/json", "X-Requested-With": "backstop" }
        : { "X-Requested-With": "backstop" },
      body: body !== undefined ? JSON.stringify(body) : undefined
    });
  } catch (_) {
    throw { code: "network", message: t("error.network") };
  }
  if (res.status === 401) {
    location.href = "/login";
    throw { code: "unauthenticated", silent: true };
  }
  if (res.status === 204) return null;
  let data = null;
  try { data = await res.json(); } catch (_) { /* empty body */ }
  if (!res.ok) throw (data && data.error) || { code: `http_${res.status}`, message: t("error.generic") };
  return data;
}

/**
 * The tenant's topics and their names, for `topicLabel` (a page showing topics loads them before
 * its first render). Resolves to the list; if they cannot be read, topics read as their slugs.
 */
export async function loadTopics() {
  try {
    const d = await api("GET", "/api/v1/topics");
    setTopics(d.topics);
    return d.topics;
  } catch (e) {
    return [];
  }
}

/** A short notice in the page's `#toasts`: a string or an error (`{message}`); kind `error` or `ok`. */
export function toast(err, kind = "error") {
  if (err && err.silent) return;
  const box = $("toasts");
  if (!box) return;
  const text = typeof err === "string" ? err : (err && err.message) || t("error.generic");
  const n = h("div", { class: `toast toast-${kind}`, role: "status", "data-testid": "toast" }, text);
  box.append(n);
  setTimeout(() => n.classList.add("toast-out"), 4200);
  setTimeout(() => n.remove(), 4600);
}

/**
 * The agents' live socket (`/api/v1/ws`, docs/PROTOCOL.md): opens it, pings it every 25 s (the server
 * closes a socket it has not heard from), and reopens it after a close with a growing back-off (1 s
 * doubling to 10 s). `signed_out` goes to the sign-in page. Callbacks: `onOpen(reconnected)`,
 * `onFrame(frame)`, `onClose(attempts)` (after the third failure in a row the session is checked:
 * `/api/v1/me` goes to the sign-in page on 401). Returns `{ live() }`.
 */
export function liveSocket({ watch = false, onOpen = () => {}, onFrame = () => {}, onClose = () => {} }) {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/ws${watch ? "?watch=1" : ""}`;
  const state = { ws: null, attempts: 0, everOpen: false, timer: null };
  const open = () => {
    clearTimeout(state.timer);
    const ws = new WebSocket(url);
    state.ws = ws;
    ws.onopen = () => {
      if (state.ws !== ws) return;
      const reconnected = state.everOpen;
      state.everOpen = true;
      state.attempts = 0;
      onOpen(reconnected);
    };
    ws.onmessage = (ev) => {
      let f;
      try { f = JSON.parse(ev.data); } catch (_) { return; }
      if (f.type === "signed_out") { state.ws = null; location.href = "/login"; return; }
      onFrame(f);
    };
    ws.onclose = () => {
      if (state.ws !== ws) return;
      state.ws = null;
      state.attempts++;
      onClose(state.attempts);
      if (state.attempts >= 3) api("GET", "/api/v1/me").catch(() => {});
      state.timer = setTimeout(open, Math.min(10000, 1000 * 2 ** (state.attempts - 1)));
    };
  };
  setInterval(() => { if (state.ws && state.ws.readyState === 1) state.ws.send(JSON.stringify({ type: "ping" })); }, 25000);
  open();
  return { live: () => !!state.ws && state.ws.readyState === 1 };
}
