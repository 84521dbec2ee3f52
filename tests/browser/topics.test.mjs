// End-to-end browser test of topics by name: the knowledge page's Topics tab lists every topic the
// articles use with its English and Chinese names; a trainer renames one and the article list shows
// the new name at once, in either language; an agent reads the names but cannot change them; and
// the tab works at phone width.
import assert from "node:assert/strict";
import { env, useServerAndBrowser, newPage, shot, assertNoJsErrors, e2e, login } from "./support.mjs";

useServerAndBrowser("server-topics.log");

const topicRow = (page, slug) => page.locator(`[data-testid="kb-topics"] tr[data-topic="${slug}"]`);
const chipOf = (page, slug, lang) =>
  page.locator(`[data-testid="kb-list"] li[data-slug="${slug}"][data-lang="${lang}"] .chip-topic`);

e2e("A trainer renames a topic and every list shows the new name, in English and in Chinese", async () => {
  const zhao = await newPage("en-US");
  await login(zhao, "zhao@maple.example");
  await zhao.goto(`${env.base}/knowledge#topics`);
  const rows = zhao.locator('[data-testid="kb-topics"] tr[data-topic]');
  await rows.nth(8).waitFor();
  assert.equal(await rows.count(), 9, "every topic of the demo's articles");
  const shipping = topicRow(zhao, "shipping");
  assert.equal(await shipping.getByTestId("topic-en").inputValue(), "Shipping");
  assert.equal(await shipping.getByTestId("topic-zh").inputValue(), "物流配送");
  assert.match(await shipping.innerText(), /\b11\b/, "eleven articles use it");
  await shot(zhao, "70-topics-en.png");

  // Renamed: the toast, the row, and the article list's chips use the new name.
  await shipping.getByTestId("topic-en").fill("Delivery");
  await shipping.getByTestId("topic-zh").fill("配送");
  await shipping.getByTestId("topic-save").click();
  await zhao.locator("#toasts").getByText("Saved: Delivery").waitFor();
  assert.match(await shipping.locator("strong").innerText(), /^Delivery$/);
  await zhao.getByTestId("tab-articles").click();
  await zhao.getByTestId("kb-list").locator("li").nth(49).waitFor();
  assert.equal(await chipOf(zhao, "shipping-times", "en").innerText(), "Delivery");

  // In Chinese the same topic reads by its Chinese name, and the tab speaks Chinese.
  await zhao.getByTestId("lang-toggle").click();
  await zhao.locator("h1").getByText("知识库").waitFor();
  assert.equal(await chipOf(zhao, "shipping-times", "en").innerText(), "配送");
  await zhao.getByTestId("tab-topics").click();
  assert.match(await zhao.locator('[data-testid="kb-topics"] thead').innerText(), /中文名称/);
  assert.equal(await topicRow(zhao, "returns").locator("strong").innerText(), "退换货");
  await shot(zhao, "71-topics-zh.png");

  // A name taken away: that language shows the slug, tidied.
  await topicRow(zhao, "returns").getByTestId("topic-zh").fill("");
  await topicRow(zhao, "returns").getByTestId("topic-save").click();
  await zhao.locator("#toasts").getByText("已保存：returns").waitFor();
  assertNoJsErrors(zhao);
});

e2e("An agent reads topic names but cannot change them; the tab fits a phone", async () => {
  const lin = await newPage("en-US");
  await login(lin, "lin@maple.example");
  await lin.setViewportSize({ width: 390, height: 844 });
  await lin.goto(`${env.base}/knowledge#topics`);
  const row = topicRow(lin, "warranty");
  await row.waitFor();
  assert.equal(await row.getByTestId("topic-en").inputValue(), "Warranty");
  assert.ok(await row.getByTestId("topic-en").isDisabled(), "an agent cannot rename");
  assert.ok(await row.getByTestId("topic-save").isDisabled());
  const overflow = await lin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling at phone width (${overflow}px)`);
  await shot(lin, "72-topics-phone-en.png");
  await lin.getByTestId("lang-toggle").click();
  await row.locator("strong").getByText("保修").waitFor();
  assert.ok(await lin.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "nor in Chinese");
  await shot(lin, "73-topics-phone-zh.png");
  assertNoJsErrors(lin);
});
