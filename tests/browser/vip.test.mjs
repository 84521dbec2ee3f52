// End-to-end browser test of automatic assignment: with two agents online and the Complaints & VIP
// team assigning by skills, a VIP customer's hand-over goes straight to the expert agent; the
// customer's widget shows the queue, then the agent's name; the agent answers with a copilot
// suggestion.
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, shot, openWidget, say, widgetMsgs, assertNoJsErrors, e2e, login, admin } from "./support.mjs";

useServerAndBrowser("server-vip.log");

e2e("VIP: two agents online, the VIP's hand-over goes to the expert, who answers with a copilot suggestion", async () => {
  admin("team", "set", "--tenant", "demo", "--name", "Complaints & VIP", "--strategy", "skills");
  admin("team", "set", "--tenant", "demo", "--name", "General support", "--strategy", "round_robin");

  // Lin (General support) and Zhao (Complaints & VIP) have their inboxes open.
  const lin = await newPage("en-US");
  await login(lin, "lin@maple.example");
  const zhao = await newPage("en-US");
  await login(zhao, "zhao@maple.example");

  // Alice is signed in on the store as the demo's VIP customer.
  const shop = await newPage("en-US");
  const states = [];
  shop.on("websocket", (ws) => ws.on("framereceived", (f) => {
    try { const m = JSON.parse(f.payload); if (m.state) states.push(m.state); } catch (_) { /* not JSON */ }
  }));
  const convId = await openWidget(shop, "/demo/store?as=alice");
  await say(shop, "Hi, how long does international shipping take to Germany?");

  // Straight to Zhao (VIP → the expert team; Zhao is its agent online), with the widget showing his name.
  await widgetMsgs(shop, "system").filter({ hasText: /Zhao Min joined/ }).first().waitFor();
  assert.ok(states.some((s) => s.owner === "queue"), `the widget was told it was queued first: ${JSON.stringify(states)}`);
  assert.ok(states.some((s) => s.owner === "agent" && s.agent_name === "Zhao Min"), "then who took it");
  await shop.locator('[data-owner="agent"]').filter({ hasText: "Zhao Min" }).waitFor();
  await shot(shop.getByTestId("bs-panel"), "40-widget-vip-assigned-en.png");

  await zhao.getByTestId("view-mine").click();
  await zhao.locator(`[data-testid="conv-item"][data-id="${convId}"]`).click();
  const pick = zhao.getByTestId("copilot-suggestion").filter({ hasText: "Shipping outside mainland China" });
  await pick.waitFor();
  await pick.getByTestId("copilot-insert").click();
  await zhao.getByTestId("reply-send").click();
  await widgetMsgs(shop, "agent").filter({ hasText: "30 countries" }).first().waitFor();
  await shot(zhao, "41-inbox-vip-expert-en.png");
  // Lin got nothing: the VIP went to the expert team only.
  await lin.getByTestId("view-mine").click();
  assert.equal(await lin.locator(`[data-testid="conv-item"][data-id="${convId}"]`).count(), 0);
  assertNoJsErrors(shop, lin, zhao);
});
