// End-to-end browser test: a customer chats in the widget on the demo store, the AI answers, the
// customer asks for a person, an agent takes the conversation in the inbox and replies — all against
// a real `backstop demo` server and a real Chromium. Screenshots land in tests/browser/artifacts/.
import assert from "node:assert/strict";
import { WAIT, env, useServerAndBrowser, newPage, shot, openWidget, say, widgetMsgs, assertNoJsErrors, e2e, login } from "./support.mjs";

const CJK = /[\u4e00-\u9fff]/;

useServerAndBrowser("server-chat.log");

// ---------- helpers ----------

async function openInQueue(page, convId) {
  await page.getByTestId("view-queue").click();
  const item = page.locator(`[data-testid="conv-item"][data-id="${convId}"]`);
  await item.waitFor();
  await item.click();
  await page.getByTestId("packet").waitFor({ state: "visible" });
  return item;
}

// ---------- tests ----------

e2e("English: AI answers from the knowledge base, customer asks for a person while nobody is online (a ticket with a promised time), Lin comes in and replies", async () => {
  // --- context A: the customer on the store ---
  const shop = await newPage("en-US");
  const convId = await openWidget(shop);
  await shop.getByTestId("bs-greeting").filter({ hasText: "AI assistant" }).waitFor();

  await say(shop, "How long does delivery take?");
  const answer = widgetMsgs(shop, "ai").last();
  await answer.waitFor();
  const chip = answer.locator(".ch").first();
  await chip.waitFor();
  assert.match(await chip.innerText(), /^Source: .+/, "AI answer cites a knowledge-base article");
  assert.match(await answer.locator(".b").innerText(), /deliver|ship|day/i, "the answer is about delivery");
  await shot(shop, "01-store-widget-en.png");

  // Nobody of the team is online: an offline ticket, with the reply time promised in the header.
  await shop.getByTestId("bs-human").click();
  const queue = shop.getByTestId("bs-queue");
  await queue.filter({ hasText: /a person will reply by/ }).waitFor();
  assert.equal(await queue.getAttribute("data-ticket"), "nobody_available");
  assert.match(await queue.innerText(), /Everyone is busy · a person will reply by .*\d/);
  await shop.getByTestId("bs-human").waitFor({ state: "hidden" });
  await widgetMsgs(shop, "system").filter({ hasText: /Nobody from General support is available this minute/ }).first().waitFor();
  await shot(shop.getByTestId("bs-panel"), "02-widget-ticket-en.png");
  // The customer closes the chat and goes on browsing.
  await shop.getByTestId("bs-launcher").click();
  await shop.getByTestId("bs-panel").waitFor({ state: "hidden" });

  // --- context B: Lin in the inbox ---
  const inbox = await newPage("en-US");
  await inbox.goto(env.base + "/login");
  await inbox.getByTestId("login-email").waitFor();
  await inbox.getByTestId("login-email").fill("lin@maple.example");
  await shot(inbox, "03-login-en.png");
  await login(inbox, "lin@maple.example");
  assert.equal(await inbox.getByTestId("me-name").innerText(), "Lin Wei");

  await openInQueue(inbox, convId);
  const packet = inbox.getByTestId("packet");
  await packet.filter({ hasText: "Handoff" }).waitFor();
  // The queue shows the ticket's promise, not a countdown.
  assert.match(await inbox.locator(`[data-testid="conv-item"][data-id="${convId}"] [data-testid="sla-chip"]`).innerText(), /ticket · reply by/);
  assert.match(await packet.innerText(), /Asked for a person/, "packet shows why the customer was handed off");
  assert.match(await packet.innerText(), /How long does delivery take\?/, "packet lists what the AI already tried");
  await inbox.getByTestId("transcript").locator('[data-author="ai"]').first().waitFor();

  await inbox.getByTestId("take-btn").click();
  await inbox.getByTestId("take-btn").waitFor({ state: "hidden" });
  await inbox.getByTestId("resolve-btn").waitFor();
  const reply = "Hi, I'm Lin! Your parcel left our warehouse this morning — it should arrive within 2 days.";
  await inbox.getByTestId("reply-input").fill(reply);
  await inbox.getByTestId("reply-send").click();
  await inbox.getByTestId("transcript").locator('[data-author="agent"]', { hasText: "parcel left our warehouse" }).waitFor();
  // the live echo over the socket may come before the POST answers; the composer clears on the answer
  await inbox.waitForFunction(() => document.querySelector('[data-testid="reply-input"]').value === "", null, { timeout: WAIT });
  await shot(inbox, "04-inbox-conversation-en.png");

  // --- back to the customer: the closed chat shows that a person answered ---
  await shop.getByTestId("bs-badge").filter({ hasText: "1" }).waitFor();
  await shot(shop, "04b-store-badge-en.png");
  await shop.getByTestId("bs-launcher").click();
  // Lin's reply is there, with her name in the header
  const agentMsg = widgetMsgs(shop, "agent").filter({ hasText: "parcel left our warehouse" });
  await agentMsg.waitFor();
  assert.match(await agentMsg.locator(".au").innerText(), /Lin Wei/);
  await shop.getByTestId("bs-status").filter({ hasText: "Lin Wei" }).waitFor();
  await queue.waitFor({ state: "hidden" });
  await widgetMsgs(shop, "system").filter({ hasText: "Lin Wei joined the conversation" }).waitFor();
  await shot(shop.getByTestId("bs-panel"), "05-widget-agent-joined-en.png");

  assertNoJsErrors(shop, inbox);
});

e2e("Chinese: the widget answers in Chinese and 转人工 hands off to a person", async () => {
  const shop = await newPage("zh-CN");
  const convId = await openWidget(shop);
  await shop.getByTestId("bs-greeting").filter({ hasText: "AI 助手" }).waitFor();
  assert.equal(await shop.getByTestId("bs-input").getAttribute("placeholder"), "输入消息…");

  await say(shop, "快递几天能到");
  const answer = widgetMsgs(shop, "ai").last();
  await answer.waitFor();
  const body = await answer.locator(".b").innerText();
  assert.match(body, CJK, `AI answers in Chinese, got: ${body}`);
  await answer.locator(".ch").filter({ hasText: /^来源：/ }).first().waitFor();

  // Lin is at work (her inbox is open), so this is a live hand-over with a place in the queue.
  const inbox = await newPage("zh-CN");
  await login(inbox, "lin@maple.example");
  await inbox.getByTestId("view-queue").filter({ hasText: "排队中" }).waitFor();

  await say(shop, "转人工");
  const queue = shop.getByTestId("bs-queue");
  await queue.filter({ hasText: /第 \d+ 位/ }).waitFor();
  await widgetMsgs(shop, "system").filter({ hasText: /已为您转接/ }).first().waitFor();
  await shot(shop.getByTestId("bs-panel"), "06-widget-zh.png");

  // An agent whose browser speaks Chinese sees the inbox — and the handoff packet — in Chinese.
  await openInQueue(inbox, convId);
  const packet = inbox.getByTestId("packet");
  assert.match(await packet.innerText(), CJK);
  assert.match(await packet.innerText(), /快递几天能到/);
  await inbox.getByTestId("transcript").locator('[data-author="customer"]', { hasText: "转人工" }).waitFor();
  await shot(inbox, "07-inbox-zh.png");

  assertNoJsErrors(shop, inbox);
});
