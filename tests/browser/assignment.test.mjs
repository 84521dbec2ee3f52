// End-to-end browser test of the human side: an agent takes a handed-over conversation and
// transfers it, with a private note, to a colleague, who finds it in their inbox with the note;
// the customer sees the colleague join.
import assert from "node:assert/strict";
import { env, useServerAndBrowser, newPage, shot, openWidget, say, widgetMsgs, assertNoJsErrors, e2e, login } from "./support.mjs";

useServerAndBrowser("server-assignment.log");

/** The customer (on a new page in `locale`) writes `text` and is handed to the General support queue. */
async function customerHandedOff(locale, text, team = /General support|综合客服/) {
  const shop = await newPage(locale);
  const convId = await openWidget(shop);
  await say(shop, text);
  await widgetMsgs(shop, "system").filter({ hasText: team }).first().waitFor();
  return { shop, convId };
}

/** `email` signs in (new page in `locale`) and opens the conversation from the queue; `take` takes it. */
async function agentOpensFromQueue(locale, email, convId, take = true) {
  const page = await newPage(locale);
  await login(page, email);
  await page.getByTestId("view-queue").click();
  await page.locator(`[data-testid="conv-item"][data-id="${convId}"]`).click();
  if (take) await page.getByTestId("take-btn").click();
  return page;
}

e2e("Transfer: Lin passes a conversation to Zhao with a note; Zhao has it with the note; the customer sees Zhao join", async () => {
  const { shop, convId } = await customerHandedOff("en-US", "I need to talk to a person about my warranty");
  const lin = await agentOpensFromQueue("en-US", "lin@maple.example", convId);
  await lin.getByTestId("transfer-btn").waitFor();
  await lin.getByTestId("transfer-btn").click();
  const dialog = lin.getByTestId("transfer-dialog");
  await dialog.waitFor();
  const options = await lin.getByTestId("transfer-to").locator("option").allInnerTexts();
  assert.ok(options.some((o) => /^Zhao Min · offline · 0\/4$/.test(o)), `colleagues with presence and load: ${options}`);
  assert.ok(options.includes("Complaints & VIP"), `teams: ${options}`);
  const zhaoOption = await lin.getByTestId("transfer-to").locator("option", { hasText: "Zhao Min" }).getAttribute("value");
  await lin.getByTestId("transfer-to").selectOption(zhaoOption);
  await lin.getByTestId("transfer-note").fill("Warranty claim, order MM-20261101-0042 — photos already received.");
  await shot(lin, "30-transfer-dialog-en.png");
  await lin.getByTestId("transfer-submit").click();
  await dialog.waitFor({ state: "hidden" });
  await lin.getByTestId("toasts").filter({ hasText: "Transferred." }).waitFor();

  await widgetMsgs(shop, "system").filter({ hasText: /Zhao Min joined/ }).first().waitFor();
  const shopText = await shop.getByTestId("bs-panel").innerText();
  assert.ok(!shopText.includes("photos already received"), "the note stays private");

  const zhao = await newPage("en-US");
  await login(zhao, "zhao@maple.example");
  await zhao.getByTestId("view-mine").click();
  await zhao.locator(`[data-testid="conv-item"][data-id="${convId}"]`).click();
  await zhao.getByTestId("transcript").filter({ hasText: "photos already received" }).waitFor();
  await shot(zhao, "31-transferred-to-zhao-en.png");
  assertNoJsErrors(shop, lin, zhao);
});

e2e("Satisfaction: after Lin resolves, the widget asks for a rating; a rating is sent and thanked", async () => {
  const { shop, convId } = await customerHandedOff("en-US", "I want to talk to a person about my invoice");
  const lin = await agentOpensFromQueue("en-US", "lin@maple.example", convId);
  await lin.getByTestId("reply-input").fill("Done — the corrected invoice is in your e-mail.");
  await lin.getByTestId("reply-send").click();
  await lin.getByTestId("resolve-btn").click();

  const card = shop.getByTestId("bs-rating");
  await card.waitFor();
  assert.equal(await shop.getByTestId("bs-rate-send").isDisabled(), true, "no rating chosen yet");
  await shop.getByTestId("bs-star-4").click();
  await shop.getByTestId("bs-rate-comment").fill("Quick and friendly");
  await shot(shop.getByTestId("bs-panel"), "32-widget-rating-en.png");
  await shop.getByTestId("bs-rate-send").click();
  await card.filter({ hasText: "Thank you for your feedback!" }).waitFor();
  await card.waitFor({ state: "hidden", timeout: 10_000 });
  assertNoJsErrors(shop, lin);
});

e2e("Satisfaction in Chinese: 不满意？转人工客服 reopens the resolved conversation to a person", async () => {
  const { shop, convId } = await customerHandedOff("zh-CN", "发票开错了，我要转人工");
  const lin = await agentOpensFromQueue("zh-CN", "lin@maple.example", convId);
  await lin.getByTestId("resolve-btn").click();

  const card = shop.getByTestId("bs-rating");
  await card.filter({ hasText: "您对本次服务满意吗？" }).waitFor();
  await shop.getByTestId("bs-star-2").click();
  await shot(shop.getByTestId("bs-panel"), "33-widget-rating-zh.png");
  await shop.getByTestId("bs-rate-person").click();
  await widgetMsgs(shop, "system").filter({ hasText: "会话已重新打开" }).first().waitFor();
  await card.filter({ hasText: "感谢您的评价！" }).waitFor();
  // Back with Lin, a person, and Lin sees it open again in her inbox.
  await lin.locator(`[data-testid="conv-item"][data-id="${convId}"]`).filter({ hasText: "会话已重新打开" }).waitFor();
  assertNoJsErrors(shop, lin);
});

e2e("Supervisor view: queues per team, agents with presence and load, in both languages", async () => {
  const shop = await newPage("en-US");
  await openWidget(shop);
  await say(shop, "Please connect me to a human agent");
  await widgetMsgs(shop, "system").filter({ hasText: /General support/ }).first().waitFor();

  const inbox = await newPage("en-US");
  await login(inbox, "lin@maple.example"); // Lin's inbox is open: she is online
  const sup = await newPage("en-US");
  await login(sup, "zhao@maple.example");
  await sup.getByTestId("nav-supervisor").click();
  await sup.waitForURL(/\/supervisor/);
  const general = sup.getByTestId("sup-queues").locator('tr[data-team="General support"]');
  await general.waitFor();
  assert.match(await general.innerText(), /General support\s+1\s+0/, "one waiting in General support");
  const lin = sup.getByTestId("sup-agents").locator('tr[data-agent="lin@maple.example"]');
  await lin.filter({ hasText: "online" }).waitFor();
  assert.match(await lin.innerText(), /\d+\/5/, "load against capacity");
  assert.match(await sup.getByTestId("sup-agents").locator('tr[data-agent="sam@maple.example"]').innerText(), /offline/);
  await shot(sup, "34-supervisor-en.png");
  await sup.getByTestId("lang-toggle").click();
  await sup.getByText("待复核的低评分").waitFor();
  await shot(sup, "35-supervisor-zh.png");
  assertNoJsErrors(shop, inbox, sup);
});

e2e("Copilot: Lin inserts a suggested reply drafted from the knowledge base and sends it", async () => {
  const { shop, convId } = await customerHandedOff("en-US", "Talk to a human please: how long does international shipping take?");
  const lin = await agentOpensFromQueue("en-US", "lin@maple.example", convId);
  await lin.getByTestId("copilot-suggestion").first().waitFor();
  const pick = lin.getByTestId("copilot-suggestion").filter({ hasText: "Shipping outside mainland China" });
  await pick.waitFor();
  assert.match(await pick.innerText(), /Source: Shipping outside mainland China/, "the suggestion names its source");
  await shot(lin, "36-copilot-en.png");
  await pick.getByTestId("copilot-insert").click();
  assert.match(await lin.getByTestId("reply-input").inputValue(), /30 countries/);
  await lin.getByTestId("reply-send").click();
  await widgetMsgs(shop, "agent").filter({ hasText: "30 countries" }).first().waitFor();
  assertNoJsErrors(shop, lin);
});

e2e("Draft mode: the AI's answer waits for Lin's approval, then reaches the customer as the AI's answer", async () => {
  const admin = await newPage("en-US");
  await login(admin, "chen@maple.example");
  const current = await (await admin.request.get(env.base + "/api/v1/policy")).json();
  const source = `[[rule]]\nname = "shipping_drafts"\nwhen = { intent_in = ["shipping"], answer = ["confident"] }\nthen = { action = "draft", team = "general" }\n\n${current.source}`;
  const saved = await admin.request.put(env.base + "/api/v1/policy", { data: { source } });
  assert.equal(saved.status(), 200);

  const { shop, convId } = await customerHandedOff("en-US", "How long does delivery take?");
  assert.equal(await widgetMsgs(shop, "ai").count(), 0, "nothing sent before approval");
  const lin = await agentOpensFromQueue("en-US", "lin@maple.example", convId, false);
  await lin.getByTestId("packet-draft").waitFor();
  await shot(lin, "37-draft-approval-en.png");
  await lin.getByTestId("draft-approve").click();
  const answer = widgetMsgs(shop, "ai").last();
  await answer.locator(".ch").first().waitFor();
  assert.match(await answer.locator(".b").innerText(), /deliver|ship|day/i);
  // Put the built-in policy back for the other tests of this server.
  await admin.request.put(env.base + "/api/v1/policy", { data: { source: current.source } });
  assertNoJsErrors(shop, lin, admin);
});
