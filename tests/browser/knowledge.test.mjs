// End-to-end browser test of the knowledge loop's page: a question the AI could not answer reaches a
// person, whose answer arrives in the trainer's review queue without personal data and is
// published from there; the trainer edits an article after replaying the draft, reads the diff of
// the new version, and turns a knowledge gap into a new article — in English and in Chinese.
import assert from "node:assert/strict";
import { env, useServerAndBrowser, newPage, shot, openWidget, say, widgetMsgs, assertNoJsErrors, e2e, login } from "./support.mjs";

useServerAndBrowser("server-knowledge.log");

/** Calls the agent API from a signed-in page (same origin, session cookie). */
const call = (page, path, body) => page.evaluate(async ([path, body]) => {
  const r = await fetch(path, { method: body ? "POST" : "GET", headers: { "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, json: await r.json().catch(() => null) };
}, [path, body]);

e2e("English: a person's answer is reviewed and published; an edit is replayed, published and diffed; a gap becomes an article", async () => {
  // Two questions the demo knowledge base cannot answer.
  const shop = await newPage("en-US");
  const convId = await openWidget(shop);
  await say(shop, "Can I pick up my order myself at your Shanghai warehouse?");
  await widgetMsgs(shop, "ai").last().waitFor();
  await say(shop, "talk to a human");
  await widgetMsgs(shop, "system").first().waitFor();
  const other = await newPage("en-US");
  await openWidget(other);
  await say(other, "Is self pickup from the warehouse in Shanghai possible?");
  await widgetMsgs(other, "ai").last().waitFor();

  // Lin answers the first (with the customer's phone number) and resolves it.
  const lin = await newPage("en-US");
  await login(lin, "lin@maple.example");
  for (const [path, body] of [
    [`/api/v1/conversations/${convId}/take`, {}],
    [`/api/v1/conversations/${convId}/messages`, { body: "Yes, you can collect it at 88 Jiangning Road, weekdays 10:00-17:00. We will call you on 138-0013-8000 when it is ready." }],
    [`/api/v1/conversations/${convId}/resolve`, {}],
  ]) {
    const r = await call(lin, path, body);
    assert.ok(r.status < 300, `${path}: ${r.status} ${JSON.stringify(r.json)}`);
  }

  // The trainer's review queue: the answer without the phone number; published as an article.
  const zhao = await newPage("en-US");
  await login(zhao, "zhao@maple.example");
  await zhao.getByTestId("nav-knowledge").click();
  await zhao.waitForURL(/\/knowledge/);
  await zhao.getByTestId("kb-list").locator("li").nth(49).waitFor();
  await zhao.getByTestId("tab-review").click();
  const card = zhao.getByTestId("kb-candidates").locator("li[data-candidate]").first();
  await card.waitFor();
  assert.match(await card.innerText(), /pick up my order myself at your Shanghai warehouse/, "the question in the customer's words");
  const answer = await card.getByTestId("cand-answer").inputValue();
  assert.ok(!answer.includes("138-0013-8000") && answer.includes("[phone]"), answer);
  await shot(zhao, "60-knowledge-review-en.png");
  await card.getByTestId("cand-approve").click();
  await zhao.getByTestId("kb-candidates").getByText(/Nothing to review/).waitFor();

  // Articles: edit one, replay the draft first, publish, read the diff.
  await zhao.getByTestId("tab-articles").click();
  await zhao.getByTestId("kb-search").fill("gift");
  const item = zhao.locator('[data-testid="kb-list"] li[data-slug="gift-wrapping"][data-lang="en"]');
  await item.click();
  await zhao.getByTestId("kb-editor").waitFor();
  const body = zhao.getByTestId("f-body");
  const before = await body.inputValue();
  await body.fill(`${before}\nGift wrapping is free for members in December.`);
  await zhao.getByTestId("kb-replay").click();
  const replay = zhao.getByTestId("kb-replay-result");
  await replay.getByText(/Replay of \d+ recent conversations/).waitFor({ timeout: 60_000 });
  assert.match(await replay.innerText(), /AI answers/);
  await zhao.getByTestId("kb-save").click();
  await zhao.getByTestId("kb-status").getByText(/version 2/).waitFor();
  await zhao.getByTestId("kb-history").locator('li[data-version="2"]').getByTestId("kb-diff-btn").click();
  const diff = zhao.getByTestId("kb-diff");
  await diff.locator(".kn-added", { hasText: "free for members in December" }).waitFor();
  // Nothing but the change: no "null" or "undefined" left by a missing part (the diff once ended in "nullnullnull").
  assert.doesNotMatch(await diff.innerText(), /null|undefined/);
  await shot(zhao, "61-knowledge-article-diff-en.png");

  // Gaps: the second pickup question is answered by the new article now; the gap view reports it.
  await zhao.getByTestId("tab-gaps").click();
  await zhao.getByTestId("gaps-summary").filter({ hasText: /questions read/ }).waitFor();
  await shot(zhao, "62-knowledge-gaps-en.png");
  assertNoJsErrors(shop, other, lin, zhao);
});

e2e("Chinese: an unanswered question shows as a gap, and the trainer starts an article from it", async () => {
  const shop = await newPage("zh-CN");
  await openWidget(shop);
  await say(shop, "你们有学生优惠吗？");
  await widgetMsgs(shop, "ai").last().waitFor();
  const again = await newPage("zh-CN");
  await openWidget(again);
  await say(again, "大学生买东西可以打折吗");
  await widgetMsgs(again, "ai").last().waitFor();

  const zhao = await newPage("zh-CN");
  await login(zhao, "zhao@maple.example");
  await zhao.goto(env.base + "/knowledge#gaps");
  const gaps = zhao.getByTestId("kb-gaps");
  const gap = gaps.locator("li.kn-gap", { hasText: "学生" }).first();
  await gap.waitFor();
  assert.match(await gap.innerText(), /会话/);
  const nearest = gap.locator(".kn-nearest a").first();
  await nearest.waitFor();
  assert.match(await nearest.innerText(), /\S/, "the nearest article is named");
  assert.doesNotMatch(await gap.locator(".kn-nearest").innerText(), /object|http/, "titles, not objects");
  assert.match(await zhao.locator("h1").innerText(), /知识库/);
  await shot(zhao, "63-knowledge-gaps-zh.png");
  await gap.getByTestId("gap-create").click();
  await zhao.getByTestId("kb-editor").waitFor();
  assert.match(await zhao.getByTestId("f-title").inputValue(), /学生|大学生/);
  assert.match(await zhao.getByTestId("f-questions").inputValue(), /学生/);
  assert.equal(await zhao.getByTestId("f-lang").inputValue(), "zh");
  await zhao.getByTestId("f-topic").fill("promotions");
  await zhao.getByTestId("f-slug").fill("student-discount");
  await zhao.getByTestId("f-body").fill("凭有效学生证注册会员，可享全场 95 折。");
  await zhao.getByTestId("kb-save").click();
  await zhao.getByTestId("kb-status").getByText(/已发布/).waitFor();
  await shot(zhao, "64-knowledge-new-article-zh.png");
  assertNoJsErrors(shop, again, zhao);
});
