// End-to-end browser test: an AI answer in the widget is the passage that answers the question,
// not the whole article body, with the citation and the whole article one tap away — in English,
// in Chinese, and at phone width. Screenshots land in tests/browser/artifacts/.
import assert from "node:assert/strict";
import { env, useServerAndBrowser, newPage, shot, openWidget, say, widgetMsgs, assertNoJsErrors, e2e } from "./support.mjs";

useServerAndBrowser("server-answers.log");

/** Asks `question`, waits for the AI's answer, checks it is a passage of the cited article. */
async function passageAnswer(page, question, name) {
  await say(page, question);
  const answer = widgetMsgs(page, "ai").last();
  await answer.locator(".ch").first().waitFor();
  const body = await answer.locator(".b").innerText();
  const open = answer.locator("button.wa");
  await open.waitFor();
  const article = answer.locator(".art");
  assert.equal(await article.isHidden(), true, "the whole article starts folded");
  await shot(page.getByTestId("bs-panel"), `${name}-passage.png`);
  await open.click();
  await article.waitFor({ state: "visible" });
  assert.equal(await open.getAttribute("aria-expanded"), "true");
  const whole = await article.innerText();
  // The reply quotes part of the article (the passage, with the AI's closing question) …
  const quoted = body.split("\n\n")[0].trim();
  assert.ok(whole.includes(quoted), `the reply quotes the article:\n${quoted}\n--\n${whole}`);
  // … and is clearly shorter than the whole body.
  assert.ok(quoted.length < whole.length * 0.8, `a passage, not the whole article (${quoted.length} of ${whole.length})`);
  await shot(page.getByTestId("bs-panel"), `${name}-whole-article.png`);
  await open.click();
  await article.waitFor({ state: "hidden" });
  return quoted;
}

e2e("English: the answer is the passage about faulty items, the whole article opens from the citation", async () => {
  const page = await newPage("en-US");
  await openWidget(page);
  const quoted = await passageAnswer(page, "Do I have to pay return shipping if the item arrived broken?", "answers-en");
  assert.match(quoted, /faulty|damaged/i, "the passage about faulty or damaged items");
  assert.match(await page.locator("button.wa").first().innerText(), /Read the whole article/);
  assertNoJsErrors(page);
});

e2e("Chinese: 发票 answered with the passage, 查看全文 opens the article", async () => {
  const page = await newPage("zh-CN");
  await openWidget(page);
  await passageAnswer(page, "发票抬头写错了能重开吗", "answers-zh");
  assert.match(await page.locator("button.wa").first().innerText(), /查看全文/);
  assertNoJsErrors(page);
});

e2e("Phone width: the passage and the whole article fit the screen", async () => {
  const context = await env.browser.newContext({ locale: "en-US", viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, timezoneId: "UTC" });
  const page = await context.newPage();
  page.jsErrors = [];
  page.on("pageerror", (e) => page.jsErrors.push(String(e)));
  await openWidget(page);
  await passageAnswer(page, "Why was my card declined?", "answers-phone");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, "nothing wider than the phone");
  assertNoJsErrors(page);
  await context.close();
});
