// End-to-end browser test of the inbox's `resync` frame. The server sends `{"type":"resync"}` on the
// agent socket when that socket fell behind (its share of the tenant's live updates overflowed, so
// frames were lost); the inbox must then reload what it shows, or it keeps a stale list until it
// reconnects. The server's lag cannot be provoked on demand, so the inbox's socket is routed through
// the test (`page.routeWebSocket`, a real connection to the server): the test loses frames on purpose,
// then delivers the `resync` the server would send. The inbox code itself is untouched.
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, shot, openWidget, say, assertNoJsErrors, e2e, login } from "./support.mjs";

useServerAndBrowser("server-resync.log");

e2e("Resync: an inbox whose socket fell behind reloads its lists when the server says resync", async () => {
  const inbox = await newPage("en");
  const tap = { deaf: false, pages: [] };
  await inbox.routeWebSocket(/\/api\/v1\/ws($|\?)/, (ws) => {
    const server = ws.connectToServer();
    tap.pages.push(ws);
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => { if (!tap.deaf) ws.send(m); });
  });
  await login(inbox, "lin@maple.example");
  await inbox.locator('#conn[data-state="live"]').waitFor();
  await inbox.getByTestId("view-queue").click();

  // From now on the inbox's frames are lost, as when its socket falls behind.
  tap.deaf = true;
  const shop = await newPage("en");
  const convId = await openWidget(shop);
  await say(shop, "Please connect me to a human agent");
  await shop.getByTestId("bs-queue").waitFor();
  const item = inbox.locator(`[data-testid="conv-item"][data-id="${convId}"]`);
  await inbox.waitForTimeout(1500);
  assert.equal(await item.count(), 0, "with its frames lost, the inbox has not heard of the hand-over");

  // The server notices the lag and says so: the inbox reloads and shows the conversation.
  tap.deaf = false;
  for (const ws of tap.pages) ws.send(JSON.stringify({ type: "resync" }));
  await item.waitFor();
  await shot(inbox, "resync-caught-up.png");
  assertNoJsErrors(inbox, shop);
});
