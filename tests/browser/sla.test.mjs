// End-to-end browser test of the hand-over SLA: nobody takes a hand-over within the team's
// first-reply target, so the supervisor's view shows the alert live, the conversation goes to the
// least-loaded agent online, the customer sees who has it, and the alert clears once they answer.
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, shot, openWidget, say, widgetMsgs, assertNoJsErrors, e2e, login, admin } from "./support.mjs";

useServerAndBrowser("server-sla.log");

e2e("SLA: a missed first-reply target alerts the supervisor live and goes to the least-loaded agent; cleared on reply (en, zh)", async () => {
  // General support keeps taking by hand, with a 5-second target so the test need not wait two minutes.
  const out = admin("team", "set", "--tenant", "demo", "--name", "General support", "--standard-target", "5", "--vip-target", "5");
  assert.match(out, /first reply within 5 s/);

  // Lin is at work; Zhao watches the supervisor view.
  const lin = await newPage("en-US");
  await login(lin, "lin@maple.example");
  const sup = await newPage("en-US");
  await login(sup, "zhao@maple.example");
  await sup.getByTestId("nav-supervisor").click();
  await sup.waitForURL(/\/supervisor/);
  await sup.getByTestId("sup-live").waitFor();
  await sup.getByTestId("sup-alerts").filter({ hasText: "Every hand-over was answered in time." }).waitFor();
  const general = sup.getByTestId("sup-queues").locator('tr[data-team="General support"]');
  await general.filter({ hasText: "others 5 s" }).waitFor();
  assert.match(await general.innerText(), /around the clock/);

  const shop = await newPage("en-US");
  const convId = await openWidget(shop);
  await say(shop, "Please connect me to a human agent");
  await shop.getByTestId("bs-queue").filter({ hasText: /#1/ }).waitFor();

  // Nobody takes it: five seconds later the supervisor is alerted (live, no reload) and Lin,
  // the least-loaded agent of the team online, is given the conversation.
  const alert = sup.getByTestId("sup-alerts").locator(`li[data-conversation="${convId}"]`);
  await alert.filter({ hasText: "now with Lin Wei" }).waitFor({ timeout: 20000 });
  assert.match(await alert.innerText(), /missed ×1/);
  assert.match(await alert.innerText(), /High/, "priority raised one step");
  await shot(sup, "50-supervisor-sla-alert-en.png");
  await widgetMsgs(shop, "system").filter({ hasText: /Lin Wei joined/ }).first().waitFor();
  await shop.locator('[data-owner="agent"]').filter({ hasText: "Lin Wei" }).waitFor();

  // Lin finds it in her own list, overdue.
  await lin.getByTestId("view-mine").click();
  const item = lin.locator(`[data-testid="conv-item"][data-id="${convId}"]`);
  await item.waitFor();
  await item.getByTestId("sla-chip").waitFor();
  assert.match(await item.getByTestId("sla-chip").innerText(), /reply (within|overdue)/);
  await shot(lin, "51-inbox-sla-chip-en.png");

  // The Chinese view of the same alert.
  await sup.getByTestId("lang-toggle").click();
  await sup.getByText("超出首次响应时限").waitFor();
  await alert.filter({ hasText: "超时 ×1" }).waitFor();
  assert.match(await alert.innerText(), /当前由 Lin Wei 处理/);
  await shot(sup, "52-supervisor-sla-alert-zh.png");

  // Lin answers: the clock stops and the alert clears on its own.
  await item.click();
  await lin.getByTestId("reply-input").fill("Hi, I'm Lin — sorry for the wait. How can I help?");
  await lin.getByTestId("reply-send").click();
  await widgetMsgs(shop, "agent").filter({ hasText: "sorry for the wait" }).waitFor();
  await alert.waitFor({ state: "detached" });
  await sup.getByTestId("sup-alerts").filter({ hasText: "所有转人工都已按时响应。" }).waitFor();
  assertNoJsErrors(shop, lin, sup);
});
