// End-to-end browser tests of the widget's promise: it "reconnects without losing or duplicating
// messages (client message ids)". Real Chromium, real `backstop demo` server.
//
// How the connection is broken. `context.setOffline(true)` makes Chromium fail every fetch and every
// NEW WebSocket, and fires the page's offline/online events — but it does not close a WebSocket that
// is already open (it stays OPEN and its frames are simply held until the network returns), so on its
// own it never makes the widget reconnect. The widget's socket is therefore routed through the test
// with `page.routeWebSocket` (a real connection to the server, frames forwarded both ways and
// recorded), which can cut it the way a network failure does and refuse new connections while
// "down". The widget code itself is untouched: it only ever sees a WebSocket close, failed
// connections and failed fetches.
import assert from "node:assert/strict";
import { WAIT, TENANT, env, useServerAndBrowser, newPage, shot, openWidget, say, widgetMsgs, assertNoJsErrors, e2e } from "./support.mjs";

useServerAndBrowser("server-reconnect.log");

// A short wait before asserting that something did NOT happen (no ack, no duplicate, no second AI
// reply): on this loopback server, the things we rule out would take a few milliseconds.
const SETTLE = 1500;
const settle = (page) => page.waitForTimeout(SETTLE);

// ---------- helpers ----------

/** Polls `fn` (node side: recorded frames, the REST API) until it returns something truthy; bounded by WAIT. */
async function until(what, fn, timeout = WAIT) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const parse = (m) => { try { return JSON.parse(String(m)); } catch { return { type: "?", raw: String(m) }; } };

/**
 * Routes the widget's WebSocket through the test to a real connection to the server. Records every
 * frame (`sent`: page → server, `received`: server → page) and can break things like a network would:
 *   cut()          close the open connections on both ends and refuse new ones (`down = true`)
 *   down           while true, a new connection fails at once (close 1006, as in a failed handshake)
 *   dropFromPage   (frame) => true: that frame from the page is lost on its way to the server
 *   deafen()       from now on the page hears nothing on the open connections (they silently died)
 *   deafAfter      (frame) => true: after that frame from the server reaches the page, the page hears
 *                  nothing more on that connection
 */
async function tapWidgetSocket(page) {
  const tap = {
    down: false, dropFromPage: null, deafAfter: null,
    sent: [], received: [], connections: 0, refused: 0, open: new Set(),
    async cut() {
      tap.down = true;
      const conns = [...tap.open];
      tap.open.clear();
      await Promise.all(conns.flatMap((c) => [
        c.page.close({ code: 1006, reason: "network down" }).catch(() => {}),
        c.server.close().catch(() => {})
      ]));
    },
    /** From now on the page hears nothing on the open connections (they silently died). */
    deafen() { for (const c of tap.open) c.deaf = true; },
    /** The message frames the page sent (from index `from` of `sent` on). */
    sentMessages: (from = 0) => tap.sent.slice(from).filter((f) => f.type === "message")
  };
  await page.routeWebSocket(new RegExp(`/api/widget/v1/${TENANT}/ws($|\\?)`), (ws) => {
    if (tap.down) {
      tap.refused++;
      ws.close({ code: 1006, reason: "network down" }).catch(() => {});
      return;
    }
    const conn = { n: ++tap.connections, page: ws, server: ws.connectToServer(), deaf: false };
    tap.open.add(conn);
    ws.onMessage((m) => {
      const f = parse(m);
      tap.sent.push({ ...f, conn: conn.n });
      if (tap.dropFromPage && tap.dropFromPage(f)) return;
      conn.server.send(m);
    });
    conn.server.onMessage((m) => {
      if (conn.deaf) return;
      const f = parse(m);
      tap.received.push({ ...f, conn: conn.n });
      ws.send(m);
      if (tap.deafAfter && tap.deafAfter(f)) { conn.deaf = true; tap.deafAfter = null; }
    });
    ws.onClose((code, reason) => { tap.open.delete(conn); conn.server.close({ code, reason }).catch(() => {}); });
    conn.server.onClose((code, reason) => { tap.open.delete(conn); ws.close({ code, reason }).catch(() => {}); });
  });
  return tap;
}

/** What the widget keeps in localStorage under `backstop:<tenant>:<key>` (token, outbox). */
const stored = (page, key) => page.evaluate((k) => localStorage.getItem(k), `backstop:${TENANT}:${key}`);

/**
 * The conversation as the server has it, read over the widget REST API with the visitor token the
 * widget keeps in localStorage. (The widget does not store the conversation id: it asks /session with
 * its token each time; the tests take the id from openWidget(), i.e. from that /session answer.)
 */
async function serverMessages(page, convId) {
  const token = await stored(page, "token");
  assert.ok(token, "the widget stored its visitor token");
  // Node's own fetch: it works while the browser is offline, and it is the server's view, not the widget's.
  const res = await fetch(`${env.base}/api/widget/v1/${TENANT}/conversations/${convId}/messages`, {
    headers: { "X-Visitor-Token": token }
  });
  assert.equal(res.status, 200, "GET …/messages with the visitor token");
  return (await res.json()).messages;
}

/** Every bubble the widget shows, top to bottom. */
const transcript = (page) => page.locator('[data-testid="bs-msg"]').evaluateAll((nodes) => nodes.map((n) => ({
  id: n.getAttribute("data-id"),
  author: n.getAttribute("data-author"),
  pending: n.hasAttribute("data-pending"),
  failed: n.hasAttribute("data-failed"),
  text: (n.querySelector(".b") || n).textContent
})));

const authors = (msgs) => msgs.map((m) => m.author.kind);

/** Waits until the widget shows exactly the server's messages, then checks it still does after settling. */
async function assertTranscriptIsServers(page, convId, why) {
  let mine, theirs;
  const same = async () => {
    [mine, theirs] = [await transcript(page), await serverMessages(page, convId)];
    return JSON.stringify(mine.map((m) => m.id)) === JSON.stringify(theirs.map((m) => m.id));
  };
  await until(`the widget to show the server's transcript (${why})`, same).catch((e) => {
    e.message += `\n  widget: ${JSON.stringify(mine.map((m) => [m.author, m.text.slice(0, 40), m.id]))}` +
      `\n  server: ${JSON.stringify(theirs.map((m) => [m.author.kind, m.body.slice(0, 40), m.id]))}`;
    throw e;
  });
  // settle: a late duplicate (a second bubble, a second AI answer) would show up in this time
  await settle(page);
  assert.ok(await same(), `after settling, the widget still shows exactly the server's transcript (${why})`);
  const ids = mine.map((m) => m.id);
  assert.equal(new Set(ids).size, ids.length, "no message is shown twice");
  assert.ok(mine.every((m) => m.id && !m.pending && !m.failed), "nothing is left pending or failed");
  theirs.forEach((m, i) => {
    if (m.author.kind !== "system") assert.equal(mine[i].text, m.body, "the bubble shows the stored text");
  });
  return theirs;
}

async function typeAndSend(page, text) {
  await page.getByTestId("bs-input").fill(text);
  await page.getByTestId("bs-send").click();
}

const pendingBubble = (page, text) => page.locator('[data-testid="bs-msg"][data-author="customer"][data-pending]', { hasText: text });
const confirmedBubble = (page, text) => page.locator('[data-testid="bs-msg"][data-author="customer"]:not([data-pending])', { hasText: text });

/** The customer says something and the AI answers it (the n-th AI answer of the conversation, from 1). */
async function exchange(page, text, n) {
  await say(page, text);
  await widgetMsgs(page, "ai").nth(n - 1).waitFor();
}

// ---------- tests ----------

e2e("Offline: a message typed while the network is down waits as pending, then is delivered and answered exactly once when the widget reconnects by itself", async () => {
  const page = await newPage("en-US");
  const tap = await tapWidgetSocket(page);
  const convId = await openWidget(page);
  await exchange(page, "How long does delivery take?", 1);
  assert.equal(tap.connections, 1);

  // --- the network goes away ---
  await page.context().setOffline(true); // fetches and new sockets fail; the offline event fires
  await tap.cut(); // …and the open socket dies with it
  await page.getByTestId("bs-conn").filter({ hasText: "Reconnecting…" }).waitFor();

  const text = "Do you ship internationally?";
  await typeAndSend(page, text);
  const pending = pendingBubble(page, text);
  await pending.waitFor();
  assert.equal(await pending.locator(".st").innerText(), "Sending…");
  const cid = await pending.getAttribute("data-client-id");
  assert.ok(cid, "the pending bubble carries its client message id");
  assert.deepEqual(JSON.parse(await stored(page, "outbox")), [{ client_id: cid, body: text }],
    "the unsent message is kept in the outbox in localStorage");
  // The widget keeps trying on its own while the network is down; its attempts fail.
  await until("a reconnect attempt while offline", () => tap.refused >= 1);
  await shot(page.getByTestId("bs-panel"), "08-widget-offline-pending-en.png");
  // settle, then check that nothing got through while offline
  await settle(page);
  await pending.waitFor();
  assert.equal(tap.sentMessages().filter((f) => f.client_id === cid).length, 0, "no frame carried it while offline");
  assert.ok(!(await serverMessages(page, convId)).some((m) => m.body === text), "the server has not got it yet");

  // --- the network comes back: the widget reconnects by itself and sends the message once ---
  tap.down = false;
  const back = Date.now();
  await page.context().setOffline(false); // fires the online event; the test does nothing else
  await confirmedBubble(page, text).waitFor();
  await widgetMsgs(page, "ai").nth(1).waitFor();
  console.log(`  delivered and answered ${Date.now() - back} ms after the network came back`);
  await page.getByTestId("bs-conn").waitFor({ state: "hidden" });
  assert.ok(tap.connections >= 2, "the widget opened a new connection by itself");

  const msgs = await assertTranscriptIsServers(page, convId, "after reconnecting");
  assert.deepEqual(authors(msgs), ["customer", "ai", "customer", "ai"], "each message is answered exactly once by the AI");
  const mine = msgs.filter((m) => m.client_id === cid);
  assert.equal(mine.length, 1, "the server stored the message exactly once, under the widget's client id");
  assert.equal(mine[0].body, text);
  assert.match(msgs[3].body, /ship|international|countr/i, "the AI answered the delivered question");
  assert.equal(tap.sentMessages().filter((f) => f.client_id === cid).length, 1, "the widget sent it exactly once");
  assert.equal(await pendingBubble(page, "").count(), 0, "nothing pending");
  assert.equal(await stored(page, "outbox"), null, "the outbox is empty");
  await shot(page.getByTestId("bs-panel"), "09-widget-back-online-en.png");
  assertNoJsErrors(page);
});

e2e("Reload with an unacknowledged message: the frame was lost, so after the reload it is sent once, with the same client id", async () => {
  const page = await newPage("en-US");
  const tap = await tapWidgetSocket(page);
  const convId = await openWidget(page);
  await exchange(page, "How long does delivery take?", 1);

  // The next message frame is lost on its way to the server; the connection itself stays up.
  tap.dropFromPage = (f) => f.type === "message";
  const text = "Can I return an item?";
  await typeAndSend(page, text);
  const frame = await until("the widget to send the message", () => tap.sentMessages().find((f) => f.body === text));
  const cid = frame.client_id;
  await pendingBubble(page, text).waitFor();
  assert.equal(await pendingBubble(page, text).getAttribute("data-client-id"), cid);
  // settle: no ack can come (the server never got the frame), the message must stay pending
  await settle(page);
  assert.equal(await pendingBubble(page, text).count(), 1, "still pending: no ack");
  assert.deepEqual(JSON.parse(await stored(page, "outbox")), [{ client_id: cid, body: text }], "kept in the outbox");
  assert.ok(!(await serverMessages(page, convId)).some((m) => m.body === text), "the server never got it");

  // --- reload: the widget restores the outbox and sends it again — once, under the same client id ---
  tap.dropFromPage = null;
  const mark = tap.sent.length;
  await page.reload();
  await confirmedBubble(page, text).waitFor();
  await widgetMsgs(page, "ai").nth(1).waitFor();

  const msgs = await assertTranscriptIsServers(page, convId, "after the reload");
  assert.deepEqual(tap.sentMessages(mark).map((f) => f.client_id), [cid], "after the reload it was sent exactly once, with the same client id");
  assert.deepEqual(authors(msgs), ["customer", "ai", "customer", "ai"], "answered exactly once by the AI");
  assert.deepEqual(msgs.filter((m) => m.body === text).map((m) => m.client_id), [cid], "stored once, under the original client id");
  assert.equal(await stored(page, "outbox"), null, "the outbox is empty");
  assertNoJsErrors(page);
});

e2e("Reload with an unacknowledged message: the server stored it but the ack was lost, so after the reload it is not sent again and shows once", async () => {
  const page = await newPage("en-US");
  const tap = await tapWidgetSocket(page);
  const convId = await openWidget(page);
  await exchange(page, "How long does delivery take?", 1);

  // The message reaches the server, but from then on the page hears nothing on this connection:
  // no ack, no echo, no AI answer (a connection that died right after the frame went out).
  tap.deafen();
  const text = "How much is shipping?";
  await typeAndSend(page, text);
  const frame = await until("the widget to send the message", () => tap.sentMessages().find((f) => f.body === text));
  const cid = frame.client_id;
  await until("the server to store the message and the AI to answer it",
    async () => authors(await serverMessages(page, convId)).join() === "customer,ai,customer,ai");
  // settle: the widget heard nothing, so it must still show the message as pending
  await settle(page);
  assert.equal(await pendingBubble(page, text).count(), 1, "still pending in the widget: the ack never arrived");
  assert.equal(await widgetMsgs(page, "ai").count(), 1, "the AI answer has not reached the widget either");
  assert.deepEqual(JSON.parse(await stored(page, "outbox")), [{ client_id: cid, body: text }], "kept in the outbox");

  // --- reload: the catch-up tells the widget the message is stored, so it is not sent again ---
  const mark = tap.sent.length;
  await page.reload();
  await confirmedBubble(page, text).waitFor();
  await widgetMsgs(page, "ai").nth(1).waitFor();

  const msgs = await assertTranscriptIsServers(page, convId, "after the reload");
  assert.deepEqual(tap.sentMessages(mark), [], "not sent again after the reload");
  assert.deepEqual(authors(msgs), ["customer", "ai", "customer", "ai"], "answered exactly once by the AI");
  assert.deepEqual(msgs.filter((m) => m.body === text).map((m) => m.client_id), [cid], "stored once, under the original client id");
  assert.equal(await stored(page, "outbox"), null, "the outbox is empty");
  assertNoJsErrors(page);
});

e2e("Reload restores the conversation history in order, without duplicates", async () => {
  const page = await newPage("en-US");
  const tap = await tapWidgetSocket(page);
  const convId = await openWidget(page);
  await exchange(page, "How long does delivery take?", 1);
  await exchange(page, "How much is shipping?", 2);
  await page.getByTestId("bs-human").click();
  await page.getByTestId("bs-queue").filter({ hasText: /#\d+|reply by/ }).waitFor(); // queued, or a ticket (nobody online)
  await widgetMsgs(page, "system").first().waitFor();
  const first = await assertTranscriptIsServers(page, convId, "before reloading");
  assert.deepEqual(authors(first).slice(0, 4), ["customer", "ai", "customer", "ai"]);
  assert.ok(authors(first).includes("system"), "the handoff is part of the history");
  const before = await transcript(page);

  for (const round of [1, 2]) {
    await page.reload();
    await page.getByTestId("bs-panel").waitFor({ state: "visible" }); // it was open: it opens again
    await until(`the history to be back (reload ${round})`, async () => (await transcript(page)).length >= before.length);
    await assertTranscriptIsServers(page, convId, `after reload ${round}`);
    assert.deepEqual(await transcript(page), before, `reload ${round} shows the same bubbles, in the same order, once each`);
    await page.getByTestId("bs-queue").filter({ hasText: /#\d+|reply by/ }).waitFor(); // and the same state
  }
  assert.equal(tap.connections, 3, "one connection per page load");

  // The restored widget is live: a new message goes out once and joins the history once.
  const text = "Are you still there?";
  await say(page, text);
  const after = await assertTranscriptIsServers(page, convId, "after a new message");
  assert.equal(after.filter((m) => m.body === text).length, 1);
  assert.deepEqual(after.slice(0, before.length).map((m) => m.id), before.map((m) => m.id), "the history is unchanged");
  assertNoJsErrors(page);
});

e2e("WebSocket unreachable: the widget falls back to HTTP, delivers the queued message once and does not skip the reply it missed", async () => {
  const page = await newPage("en-US");
  const tap = await tapWidgetSocket(page);
  const convId = await openWidget(page);
  await exchange(page, "How long does delivery take?", 1);

  // The next message is acknowledged, then the connection silently dies: the AI's answer to it
  // never reaches the page.
  tap.deafAfter = (f) => f.type === "ack";
  const missed = "How much is shipping?";
  await say(page, missed);
  const stored1 = await until("the AI to answer the second question on the server",
    async () => { const m = await serverMessages(page, convId); return authors(m).join() === "customer,ai,customer,ai" && m; });
  const missedReply = stored1[3];
  // settle: the widget must not have it (that is the point of the scenario)
  await settle(page);
  assert.equal(await page.locator(`[data-testid="bs-msg"][data-id="${missedReply.id}"]`).count(), 0, "the widget missed the answer");

  // Now the socket is gone and stays unreachable (think of a proxy that blocks WebSockets); plain HTTP works.
  await tap.cut();
  await page.getByTestId("bs-conn").filter({ hasText: "Reconnecting…" }).waitFor();
  const text = "Do you ship internationally?";
  await typeAndSend(page, text);
  await pendingBubble(page, text).waitFor();
  const cid = await pendingBubble(page, text).getAttribute("data-client-id");
  // After a few failed socket attempts the widget re-checks its session and delivers over HTTP.
  // The socket becomes reachable again from that moment on, so the widget can go live afterwards.
  const posts = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().endsWith("/session")) tap.down = false;
    if (r.method() === "POST" && /\/conversations\/[^/]+\/messages$/.test(r.url())) posts.push(JSON.parse(r.postData()));
  });
  await confirmedBubble(page, text).waitFor();
  assert.ok(tap.refused >= 2, `socket attempts failed before the HTTP fallback (${tap.refused})`);
  assert.deepEqual(posts.map((p) => p.client_id), [cid], "delivered over HTTP, once, with its client id");

  // The answer the widget missed is caught up, and nothing is doubled.
  await page.locator(`[data-testid="bs-msg"][data-id="${missedReply.id}"]`).waitFor();
  await widgetMsgs(page, "ai").nth(2).waitFor();
  const msgs = await assertTranscriptIsServers(page, convId, "after the HTTP fallback");
  assert.deepEqual(authors(msgs), ["customer", "ai", "customer", "ai", "customer", "ai"], "each message answered once");
  assert.deepEqual(msgs.filter((m) => m.body === text).map((m) => m.client_id), [cid], "stored once");
  assert.equal(tap.sentMessages().filter((f) => f.client_id === cid).length, 0, "not also sent over the socket");
  assertNoJsErrors(page);
});
