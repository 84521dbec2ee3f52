// End-to-end browser test of generative answers: the admin points the tenant at a model endpoint
// (through the API, signed in as the admin), and the next answer in the widget is the model's —
// streamed: the AI typing, then the first sentence once the server's guard has passed it, then the
// stored answer with its citation — in English, in Chinese and at phone width. The inbox sees the
// same answer being written. The model is a stand-in speaking the OpenAI chat-completions
// streaming protocol (server-sent `chat.completion.chunk` events ending in `data: [DONE]`, as the
// API reference documents), answering from the article the server sent it, slowly enough to watch.
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { env, useServerAndBrowser, newPage, shot, openWidget, say, widgetMsgs, assertNoJsErrors, e2e, login, WAIT, modelStandIn, setTenantModel } from "./support.mjs";

useServerAndBrowser("server-streaming.log");

let model, modelUrl;
let asked = [];

/** The first two sentences of the article in the last user message, cited `[1]`. */
function answerFrom(body) {
  const user = [...body.messages].reverse().find((m) => m.role === "user")?.content || "";
  const article = (user.split("Article [1]: ")[1] || "").split("\n\n")[0];
  const text = article.split("\n").slice(1).join(" ");
  const sentences = text.match(/[^。！？.!?]+[。！？.!?]+/g) || [text];
  return sentences.slice(0, 2).map((s) => s.trim().replace(/[。.]$/, (p) => (p === "。" ? "[1]。" : " [1]."))).join(" ");
}

before(async () => {
  model = await modelStandIn(answerFrom, { piece: 3, delayMs: 45 });
  modelUrl = model.url;
  asked = model.asked;
});
after(() => model && model.close());

/** The admin sets the tenant's model through the API (the page's own session and header). */
async function pointTenantAtModel() {
  const { admin, saved } = await setTenantModel(modelUrl);
  assert.equal(saved.api_key_hint, "…0000", "the key comes back as its hint only");
  return admin;
}

/** Asks, catches the answer while it is written, then the stored one; returns both texts. */
async function streamedAnswer(page, question, name) {
  const before = asked.length;
  await say(page, question);
  const writing = page.getByTestId("bs-writing");
  await writing.waitFor({ state: "visible" });
  // The first checked sentence shows before the answer is stored.
  await writing.locator(".b:not(.ty)").waitFor({ timeout: WAIT });
  const partial = await writing.locator(".b").innerText();
  await shot(page.getByTestId("bs-panel"), `${name}-writing.png`);
  const answer = widgetMsgs(page, "ai").last();
  await answer.locator(".ch").first().waitFor();
  assert.equal(await writing.count(), 0, "the stored answer replaces what was being written");
  const body = await answer.locator(".b").innerText();
  await shot(page.getByTestId("bs-panel"), `${name}-answer.png`);
  assert.ok(asked.length > before, "the model was asked");
  return { partial, body, cite: await answer.locator(".ch").first().innerText() };
}

e2e("English: the admin sets the model, the next answer streams sentence by sentence, then cites its article", async () => {
  const admin = await pointTenantAtModel();
  await admin.goto(env.base + "/inbox");
  const page = await newPage("en-US");
  const conv = await openWidget(page);
  const { partial, body, cite } = await streamedAnswer(page, "What is your return window?", "streaming-en");
  assert.ok(partial.length > 10 && body.startsWith(partial), `the shown sentence begins the answer:\n${partial}\n--\n${body}`);
  assert.match(body, /30 days/);
  assert.match(body, /\[1\]/);
  assert.match(cite, /return policy/i);
  // The model's request kept the customer's words apart from the instructions.
  const last = asked[asked.length - 1];
  assert.equal(last.messages[0].role, "system");
  assert.ok(!last.messages[0].content.includes("return window"));
  // The inbox, open on the conversation, sees the next answer being written, then stored.
  await admin.goto(`${env.base}/inbox#/ai/${conv}`);
  await admin.locator('[data-testid="msg"][data-author="ai"]', { hasText: "30 days" }).first().waitFor();
  await say(page, "How long does delivery take?");
  const live = admin.getByTestId("writing");
  await live.locator(".msg-bubble:not(.is-typing)").waitFor();
  await shot(admin, "streaming-inbox-writing.png");
  await live.waitFor({ state: "detached" });
  assert.equal(await admin.locator('[data-testid="msg"][data-author="ai"]').count(), 2);
  assertNoJsErrors(page, admin);
});

e2e("Chinese at phone width: 流式回答，先显示第一句，再显示带来源的完整回答", async () => {
  await pointTenantAtModel();
  const page = await newPage("zh-CN");
  await page.setViewportSize({ width: 390, height: 780 });
  await openWidget(page);
  const { partial, body, cite } = await streamedAnswer(page, "几天内可以退货？", "streaming-zh-phone");
  assert.ok(body.startsWith(partial), `${partial}\n--\n${body}`);
  assert.match(body, /30天/);
  assert.match(cite, /来源/);
  assertNoJsErrors(page);
});
