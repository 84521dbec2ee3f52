// End-to-end browser test of actions and automation: a signed-in shopper tracks one order and
// cancels another in the widget, and the agent sees each call in the transcript; in Chinese on a
// phone, a guest is asked for the order's phone number first, and a refund above the policy's
// limit then reaches a person with the refund proposed in the packet; an admin defines a new action on the Actions page, tries it against the demo's order
// system, and adds an automation rule on the Policy page.
import assert from "node:assert/strict";
import { env, useServerAndBrowser, newPage, shot, openWidget, say, widgetMsgs, assertNoJsErrors, e2e, login } from "./support.mjs";

useServerAndBrowser("server-actions.log");

const PHONE = { width: 390, height: 844 };

/** Waits for an AI message holding `text` (a string or a RegExp) in the widget. */
const aiSays = (page, text) => widgetMsgs(page, "ai").filter({ hasText: text }).last().waitFor();

e2e("English: a shopper tracks an order and cancels another; the agent sees the calls", async () => {
  const shop = await newPage("en-US");
  const convId = await openWidget(shop, "/demo/store?as=alice");
  await say(shop, "Where is my order MM-20261128-0001?");
  await aiSays(shop, /MM-20261128-0001 is on its way/);
  const tracked = await widgetMsgs(shop, "ai").last().innerText();
  assert.match(tracked, /tracking number/i, "the tracking is told");

  await say(shop, "Please cancel my order MM-20261205-0002");
  await aiSays(shop, /Cancel order MM-20261205-0002 \(3 item\(s\), ¥389\)\?/);
  await say(shop, "yes");
  await aiSays(shop, /MM-20261205-0002 is cancelled/);
  await shot(shop.getByTestId("bs-panel"), "70-widget-actions-en.png");

  const inbox = await newPage("en-US");
  await login(inbox, "chen@maple.example");
  await inbox.getByTestId("view-ai").click();
  await inbox.locator(`[data-testid="conv-item"][data-id="${convId}"]`).click();
  const notes = inbox.locator('[data-testid="msg"][data-kind="note"]');
  await notes.filter({ hasText: "⚙ lookup_order(order_number=MM-20261128-0001) → done" }).first().waitFor();
  await notes.filter({ hasText: /⚙ cancel_order\(order_number=MM-20261205-0002\) → done/ }).first().waitFor();
  // The customer panel: Alice's orders from the shop's system, the cancelled one among them.
  const orders = inbox.getByTestId("customer-panel-rows");
  await orders.waitFor();
  const table = await orders.innerText();
  assert.match(table, /MM-20261205-0002\s+cancelled/);
  assert.match(table, /MM-20261110-0004/);
  assert.doesNotMatch(table, /MM-20261120-0003/, "another customer's order is not shown");
  await shot(inbox, "71-inbox-action-calls-en.png");
  assertNoJsErrors(shop, inbox);
});

e2e("Chinese, phone: a refund above the limit goes to a person with the refund proposed in the packet", async () => {
  const shop = await newPage("zh-CN");
  await shop.setViewportSize(PHONE);
  // A guest: the order's phone number is asked for before anything about it is said.
  const convId = await openWidget(shop);
  await say(shop, "订单 MM-20261110-0004 的智能手表坏了，我要退款 1899 元");
  await aiSays(shop, /手机号|邮箱/);
  assert.doesNotMatch(await widgetMsgs(shop, "ai").last().innerText(), /智能手表|1899|已签收/, "nothing disclosed before the check");
  await say(shop, "13800138000");
  await widgetMsgs(shop, "system").first().waitFor();
  await shot(shop, "72-widget-refund-phone-zh.png");

  const inbox = await newPage("zh-CN");
  await login(inbox, "chen@maple.example");
  await inbox.getByTestId("view-queue").click();
  await inbox.locator(`[data-testid="conv-item"][data-id="${convId}"]`).click();
  const proposed = inbox.getByTestId("packet-action");
  await proposed.waitFor();
  const text = await proposed.innerText();
  assert.match(text, /request_refund/);
  assert.match(text, /1899/);
  assert.match(text, /refund_above_limit/, "the rule that wanted a person is named");
  // A guest's orders are not read for the panel: the shop never vouched for them.
  await inbox.getByTestId("customer-panel").filter({ hasText: "未经验证" }).waitFor();
  await proposed.scrollIntoViewIfNeeded();
  await shot(inbox, "73-inbox-proposed-refund-zh.png");
  assertNoJsErrors(shop, inbox);
});

e2e("Admin: defines a new action on the Actions page and tries it; adds an automation rule to the policy", async () => {
  const page = await newPage("en-US");
  await login(page, "chen@maple.example");
  await page.getByTestId("nav-actions").click();
  await page.waitForURL(/\/actions$/);
  const list = page.getByTestId("actions-list");
  for (const name of ["lookup_order", "cancel_order", "request_refund"]) {
    await list.locator(`tr[data-action="${name}"]`).waitFor();
  }
  // The demo's order system is where the existing actions point.
  const base = await page.evaluate(async () => {
    const r = await fetch("/api/v1/actions");
    const { actions } = await r.json();
    return new URL(actions.find((a) => a.name === "lookup_order").spec.url.replace(/\{.*$/, "")).origin;
  });

  await page.getByTestId("action-new").click();
  const spec = page.getByTestId("action-spec");
  assert.match(await spec.inputValue(), /"name": "order_status"/, "a template to start from");
  const carrier = {
    name: "order_carrier",
    description: "Which carrier has an order, and its latest scan.",
    method: "GET",
    url: `${base}/api/orders/{order_number}`,
    headers: { Authorization: "Bearer {secret}" },
    parameters: {
      type: "object", required: ["order_number"],
      properties: { order_number: { type: "string", pattern: "MM-\\d{8}-\\d{4}", "x-entity": "order_number", description: "order number" } },
    },
    response: { carrier: "/shipment/carrier", latest: "/shipment/latest/status" },
    result: { en: "Your parcel is with {carrier}: {latest}.", zh: "您的包裹由 {carrier} 承运：{latest}。" },
    intents: ["track-package"],
  };
  // A mistake is refused with the field it is in.
  await spec.fill(JSON.stringify({ ...carrier, method: "FETCH" }, null, 2));
  await page.getByTestId("action-secret-from").selectOption("lookup_order");
  await page.getByTestId("action-save").click();
  await page.getByTestId("action-status").filter({ hasText: /method/ }).waitFor();
  assert.ok(await page.getByTestId("action-status").evaluate((n) => n.classList.contains("bad")));
  await shot(page, "74-actions-error-en.png");

  await spec.fill(JSON.stringify(carrier, null, 2));
  await page.getByTestId("action-save").click();
  await page.getByTestId("action-status").filter({ hasText: "Saved order_carrier as version 1" }).waitFor();
  await list.locator('tr[data-action="order_carrier"]').waitFor();
  assert.equal(await page.getByTestId("action-editor-title").innerText(), "order_carrier · v1");

  await page.getByTestId("action-params").locator('input[data-param="order_number"]').fill("MM-20261128-0001");
  await page.getByTestId("action-try").click();
  await page.getByTestId("action-verdict").filter({ hasText: /Answered in \d+ ms/ }).waitFor();
  const result = page.getByTestId("action-result");
  assert.match(await result.innerText(), /Authorization: \*\*\*/, "the secret is never shown");
  assert.match(await page.getByTestId("action-told-en").innerText(), /Your parcel is with SF Express: /);
  assert.match(await page.getByTestId("action-told-zh").innerText(), /您的包裹由 SF Express 承运/);
  await shot(page, "75-actions-try-en.png");
  await page.getByTestId("lang-toggle").click();
  await page.getByText("试运行", { exact: true }).first().waitFor();
  await shot(page, "76-actions-try-zh.png");
  await page.setViewportSize(PHONE);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, "77-actions-phone-zh.png");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByTestId("lang-toggle").click();

  // An automation rule, added on the Policy page, is listed with what it does.
  await page.goto(env.base + "/policy");
  const source = page.getByTestId("policy-source");
  // The page has loaded the policy in force (the editor is filled with it).
  await page.getByTestId("policy-rules").locator('tr[data-rule="action_available"]').waitFor();
  const original = await source.inputValue();
  assert.match(original, /\[\[rule\]\]/);
  await source.fill(`${original}
[[automation]]
name = "greet_pricing_zh"
on = "conversation_started"
when = { language = ["zh"], page = ["/pricing"] }
then = { greet = { en = "Hello! Questions about our plans?", zh = "您好！想了解我们的价格方案吗？" }, tag = ["pricing"] }

[[automation]]
name = "returns_page_refund"
on = "message"
when = { page = ["/returns*"] }
then = { run_action = "request_refund" }
`);
  await page.getByTestId("policy-save").click();
  await page.getByTestId("policy-status").filter({ hasText: /Saved as version 1/ }).waitFor();
  const autos = page.getByTestId("policy-automations");
  await autos.locator('tr[data-automation="greet_pricing_zh"]').waitFor();
  assert.match(await autos.innerText(), /Conversation starts/);
  assert.match(await autos.innerText(), /Greet: “Hello! Questions about our plans\?”/);
  assert.match(await autos.locator('tr[data-automation="returns_page_refund"]').innerText(), /Runs the action: request_refund/);
  // The rule that runs actions reads as words, not as a key.
  assert.match(await page.getByTestId("policy-rules").locator('tr[data-rule="action_available"]').innerText(), /AI runs the action/);
  const showAutomations = () => page.evaluate(() => {
    const card = document.querySelector('[data-testid="policy-automations"]').closest("section");
    window.scrollTo(0, card.getBoundingClientRect().top + window.scrollY - 70);
  });
  await showAutomations();
  await shot(page, "78-policy-automation-en.png");
  await page.getByTestId("lang-toggle").click();
  await autos.getByText("您好！想了解我们的价格方案吗？", { exact: false }).waitFor();
  assert.match(await autos.innerText(), /会话开始/);
  assert.match(await autos.innerText(), /执行动作：\s*request_refund/);
  await showAutomations();
  await shot(page, "79-policy-automation-zh.png");

  // The one failed request expected: the save of the broken definition (422).
  const expected = page.jsErrors.filter((e) => /PUT .*\/api\/v1\/actions\/order_carrier → 422$/.test(e));
  assert.equal(expected.length, 1, JSON.stringify(page.jsErrors));
  page.jsErrors.splice(0, page.jsErrors.length, ...page.jsErrors.filter((e) => !expected.includes(e)));
  assertNoJsErrors(page);
});
