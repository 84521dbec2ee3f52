// Security in a real browser: with a supervisor signed in to the inbox, a page served from another
// origin of the same site (same host, another port — as shop.example.com is to support.example.com,
// where the SameSite=Lax session cookie is still sent) tries to change state through the API in
// every way a page can, to open the agents' socket, and to frame the inbox. None of it works. And
// an e-mail a visitor only claimed is shown to agents as unverified, in both languages.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { env, useServerAndBrowser, newPage, login, shot, e2e, assertNoJsErrors, openWidget, widgetMsgs } from "./support.mjs";

useServerAndBrowser("server-security.log");

/** Serves one page on 127.0.0.1 (another port): the attacker's. */
function attackerSite(html) {
  return new Promise((resolve) => {
    const srv = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(html);
    });
    srv.listen(0, "127.0.0.1", () => resolve({ srv, origin: `http://127.0.0.1:${srv.address().port}` }));
  });
}

/** A visitor (REST, as the widget would) who claims an e-mail and asks for a person. */
async function claimantHandedOver(email) {
  const post = (path, body, token) => fetch(env.base + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { "x-visitor-token": token } : {}) },
    body: JSON.stringify(body)
  }).then((r) => r.json());
  const s = await post("/api/widget/v1/demo/session", { lang: "en", name: "Mei Wong", email });
  await post(`/api/widget/v1/demo/conversations/${s.conversation_id}/messages`, { body: "I need to talk to a human please" }, s.token);
  return s.conversation_id;
}

async function api(page, path, init = {}) {
  return page.evaluate(async ([p, i]) => {
    const r = await fetch(p, { credentials: "same-origin", ...i, headers: { "X-Requested-With": "test", ...(i.headers || {}) } });
    return { status: r.status, body: await r.json().catch(() => null) };
  }, [path, init]);
}

e2e("Another origin of the same site cannot change state, open the agents' socket or frame the inbox", async () => {
  const convId = await claimantHandedOver("mei.wong@example.com");
  const zhao = await newPage("en-US");
  await login(zhao, "zhao@maple.example");
  // Zhao takes the conversation: the attacker will try to hand it back, resolve it, transfer it.
  const taken = await api(zhao, `/api/v1/conversations/${convId}/take`, { method: "POST" });
  assert.equal(taken.status, 200);
  const articles = await api(zhao, "/api/v1/articles");
  const article = articles.body.articles[0];
  const target = env.base;
  const wsTarget = target.replace(/^http/, "ws");
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Cheap tickets</title></head><body>
<h1>Totally harmless page</h1>
<pre id="out">running…</pre>
<iframe id="frame" src="${target}/inbox" width="600" height="300"></iframe>
<form id="form" method="POST" action="${target}/api/v1/conversations/${convId}/resolve" target="sink" enctype="text/plain">
  <input name='{"x":"' value='"}'>
</form>
<iframe name="sink" id="sink" width="300" height="80"></iframe>
<script>
const out = {};
const show = () => { document.getElementById("out").textContent = JSON.stringify(out, null, 1); };
async function attempt(name, fn) {
  try { out[name] = await fn(); } catch (e) { out[name] = "blocked: " + e.message; }
  show();
}
(async () => {
  // A simple request (no preflight): the browser sends it, cookie and all.
  await attempt("handBackNoCors", async () => {
    await fetch("${target}/api/v1/conversations/${convId}/hand-back", { method: "POST", mode: "no-cors", credentials: "include" });
    return "sent";
  });
  await attempt("archiveNoCors", async () => {
    await fetch("${target}/api/v1/articles/${article.id}/archive", { method: "POST", mode: "no-cors", credentials: "include",
      headers: { "content-type": "text/plain" }, body: "{}" });
    return "sent";
  });
  // JSON or a custom header: the browser must ask first (CORS preflight), and the agents' API says no.
  await attempt("rebuildJson", async () => {
    const r = await fetch("${target}/api/v1/understanding/rebuild", { method: "POST", credentials: "include",
      headers: { "content-type": "application/json" }, body: "{}" });
    return "status " + r.status;
  });
  await attempt("transferMarked", async () => {
    const r = await fetch("${target}/api/v1/conversations/${convId}/transfer", { method: "POST", credentials: "include",
      headers: { "x-requested-with": "x" }, body: "{}" });
    return "status " + r.status;
  });
  // The agents' socket: would stream the tenant's traffic.
  await attempt("socket", () => new Promise((resolve) => {
    const ws = new WebSocket("${wsTarget}/api/v1/ws");
    let frames = 0;
    ws.onmessage = () => { frames++; };
    ws.onopen = () => setTimeout(() => { ws.close(); resolve("opened, " + frames + " frames"); }, 1500);
    ws.onerror = () => resolve("refused");
  }));
  // A form post (no script needed at all).
  document.getElementById("form").submit();
  out.form = "submitted";
  show();
  setTimeout(() => { out.done = true; show(); }, 1500);
})();
</script></body></html>`;
  const { srv, origin } = await attackerSite(html);
  try {
    const evil = await zhao.context().newPage();
    await evil.goto(origin + "/evil.html");
    await evil.waitForFunction(() => document.getElementById("out").textContent.includes('"done"'), null, { timeout: 20_000 });
    const out = JSON.parse(await evil.locator("#out").textContent());
    assert.equal(out.socket, "refused", `the agents' socket did not open: ${JSON.stringify(out)}`);
    assert.match(out.rebuildJson, /^blocked/, "the preflight is refused");
    assert.match(out.transferMarked, /^blocked/, "the preflight is refused");
    // The inbox in the frame never rendered (X-Frame-Options / frame-ancestors).
    const framed = evil.frames().find((f) => f.name() === "" && f !== evil.mainFrame() && f.url().includes("/inbox"));
    const rendered = framed ? await framed.locator('[data-testid="me-name"]').count().catch(() => 0) : 0;
    assert.equal(rendered, 0, "the inbox cannot be framed");
    await shot(evil, "80-security-attacker-page.png");

    // Nothing changed: still Zhao's, still open; the article is not archived; Zhao is still signed in.
    const d = await api(zhao, `/api/v1/conversations/${convId}`);
    assert.equal(d.status, 200);
    assert.equal(d.body.conversation.owner.kind, "agent");
    assert.equal(d.body.conversation.status, "open");
    const a = await api(zhao, `/api/v1/articles/${article.id}`);
    assert.equal(a.body.article.archived, false);
    assert.equal((await api(zhao, "/api/v1/me")).status, 200);
    assertNoJsErrors(zhao);
  } finally {
    srv.close();
  }
});

e2e("An e-mail the visitor only claimed is marked unverified for agents (en, zh)", async () => {
  const convId = await claimantHandedOver("claimed.person@example.com");
  const zhao = await newPage("en-US");
  await login(zhao, "zhao@maple.example");
  const item = zhao.locator(`[data-testid="conv-item"][data-id="${convId}"]`);
  await item.click();
  const chip = zhao.getByTestId("unverified");
  await chip.waitFor();
  assert.equal((await chip.innerText()).trim(), "e-mail unverified");
  assert.match(await chip.getAttribute("title"), /did not confirm/);
  await shot(zhao, "81-unverified-email-en.png");
  await zhao.getByTestId("lang-toggle").click();
  await zhao.getByTestId("unverified").filter({ hasText: "邮箱未验证" }).waitFor();
  await shot(zhao, "82-unverified-email-zh.png");
  assertNoJsErrors(zhao);
});

e2e("A customer over the message rate loses nothing: the extra messages wait, then go (en)", async () => {
  const page = await newPage("en-US");
  await openWidget(page);
  // limits.messages_per_visitor is 20 a minute: the 21st and 22nd wait for the server's go-ahead.
  const texts = Array.from({ length: 22 }, (_, i) => `Question number ${i + 1}: how long does delivery take?`);
  for (const text of texts) {
    await page.getByTestId("bs-input").fill(text);
    await page.getByTestId("bs-send").click();
  }
  await page.getByText("You're sending messages very quickly").waitFor();
  await shot(page, "84-widget-rate-limited-en.png");
  // Every one is delivered (confirmed by the server), none failed, each once.
  await page.waitForFunction((n) => {
    const host = document.querySelector("#backstop-widget") || [...document.querySelectorAll("*")].find((e) => e.shadowRoot);
    const root = host && host.shadowRoot;
    if (!root) return false;
    const mine = [...root.querySelectorAll('[data-testid="bs-msg"][data-author="customer"]')];
    return mine.length === n && mine.every((m) => !m.hasAttribute("data-pending") && !m.hasAttribute("data-failed"));
  }, texts.length, { timeout: 30_000 });
  assert.equal(await widgetMsgs(page, "customer").count(), texts.length);
  assertNoJsErrors(page);
});
