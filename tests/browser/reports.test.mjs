// End-to-end browser test of the reports page: after a few demo conversations (one the AI answers and the customer confirms, one a person answers in English, one in Chinese), a manager reads the figures, filters by team and by language, drills into a number, exports CSV, and sees the page in Chinese and at phone width; an agent is refused; bad dates are named inline.
import assert from "node:assert/strict";
import { join } from "node:path";
import { useServerAndBrowser, newPage, shot, openWidget, say, widgetMsgs, assertNoJsErrors, e2e, login, env, ARTIFACTS } from "./support.mjs";

/** The whole page, not only what the window shows. */
const full = (page, name) => page.screenshot({ path: join(ARTIFACTS, name), fullPage: true, animations: "disabled" });

useServerAndBrowser("server-reports.log");

/** A customer asks for a person; Lin takes it from the queue and answers. */
async function answeredByLin(locale, question, answer) {
  const shop = await newPage(locale);
  const convId = await openWidget(shop);
  await say(shop, question);
  await shop.getByTestId("bs-queue").waitFor();
  const lin = await newPage("en-US");
  await login(lin, "lin@maple.example");
  await lin.getByTestId("view-queue").click();
  await lin.locator(`[data-testid="conv-item"][data-id="${convId}"]`).click();
  await lin.getByTestId("take-btn").click();
  await lin.getByTestId("reply-input").fill(answer);
  await lin.getByTestId("reply-send").click();
  await widgetMsgs(shop, "agent").filter({ hasText: answer.slice(0, 12) }).waitFor();
  return { shop, lin, convId };
}

e2e("Reports: the manager reads outcomes after demo conversations, filters by team and language, drills in and exports CSV (en, zh, phone)", async () => {
  // The AI answers; the customer says it solved it.
  const shop = await newPage("en-US");
  const aiConv = await openWidget(shop);
  await say(shop, "How long does delivery take?");
  await widgetMsgs(shop, "ai").first().waitFor();
  await shop.getByTestId("bs-solved").click();
  await shop.getByTestId("bs-rating").waitFor();
  await shot(shop, "89-widget-solved-rating-en.png");
  await shop.getByTestId("bs-solved").waitFor({ state: "hidden" });
  // Two go to a person: one in English, one in Chinese.
  const en = await answeredByLin("en-US", "Please connect me to a human agent", "Hi, Lin here: your parcel left today.");
  const zh = await answeredByLin("zh-CN", "我要找人工客服", "您好，我是 Lin，您的包裹今天已经发出。");

  // An agent has no reports.
  await en.lin.goto(env.base + "/reports");
  await en.lin.getByTestId("rep-state").waitFor({ state: "hidden" }).catch(() => {});
  await en.lin.getByText("Only supervisors and admins see the reports.").waitFor();

  // The manager opens the reports from the inbox menu.
  const sup = await newPage("en-US");
  await login(sup, "zhao@maple.example");
  await sup.getByTestId("nav-reports").click();
  await sup.waitForURL(/\/reports/);
  const kpis = sup.getByTestId("rep-kpis");
  // The rollups catch up within a sweep (two seconds): reload until Lin's second reply is in.
  for (let i = 0; ; i++) {
    await kpis.locator("[data-kpi]").first().waitFor();
    const three = (await kpis.locator('[data-kpi="conversations"]').getAttribute("data-value")) === "3";
    if (three && /Lin Wei\s*2\s*2/.test(await sup.getByTestId("rep-agents").innerText())) break;
    assert.ok(i < 30, "the rollups caught up");
    await sup.waitForTimeout(500);
    await sup.reload();
  }
  assert.match(await kpis.locator('[data-kpi="ai_rate"]').innerText(), /1 of 1 with an outcome · 1 confirmed by the customer/);
  assert.match(await kpis.locator('[data-kpi="handover"]').innerText(), /66\.7%/);
  assert.match(await sup.getByTestId("rep-reasons").innerText(), /Asked for a person\s*2/);
  assert.match(await sup.getByTestId("rep-agents").innerText(), /Lin Wei\s*2\s*2/);
  assert.equal(await sup.getByTestId("rep-trend").locator("polygon").count(), 5, "one area per outcome");
  assert.equal(await sup.getByTestId("rep-heatmap").locator("rect").count(), 7 * 24);
  // The questions the AI could not answer, mined after the report: listed, or "none" — never stuck loading.
  await sup.getByTestId("rep-gaps").locator('[data-testid="rep-gap"], [data-testid="rep-gaps-none"]').first().waitFor();
  console.log("gaps:", await sup.getByTestId("rep-gaps").innerText());
  await full(sup, "90-reports-en.png");

  // Filter by language: Chinese only.
  await sup.getByTestId("rep-lang").selectOption("zh");
  await kpis.locator('[data-kpi="conversations"][data-value="1"]').waitFor();
  assert.match(sup.url(), /lang=zh/, "the filter is in the address");
  assert.ok(await sup.getByTestId("rep-agents-unfiltered").isVisible(), "the people's figures say the filter does not narrow them");
  await sup.getByTestId("rep-lang").selectOption("");
  await kpis.locator('[data-kpi="conversations"][data-value="3"]').waitFor();
  assert.equal(await sup.getByTestId("rep-agents-unfiltered").isVisible(), false);
  // Filter by team: the team the hand-overs went to has both; the AI's conversation had none.
  const teamOptions = await sup.getByTestId("rep-team").locator("option").allInnerTexts();
  assert.ok(teamOptions.includes("General support"), `teams: ${teamOptions}`);
  const general = await sup.getByTestId("rep-team").locator("option", { hasText: "General support" }).getAttribute("value");
  await sup.getByTestId("rep-team").selectOption(general);
  await kpis.locator('[data-kpi="conversations"][data-value="2"]').waitFor();
  await sup.getByTestId("rep-team").selectOption("");
  await kpis.locator('[data-kpi="conversations"][data-value="3"]').waitFor();

  // Drill into a number: the AI-resolved one.
  await sup.locator('[data-testid="rep-mix"] li[data-outcome="ai_resolved"]').click();
  const drill = sup.getByTestId("rep-drill");
  await drill.locator(`tr[data-conversation="${aiConv}"]`).waitFor();
  assert.equal(await drill.locator("tr[data-conversation]").count(), 1);
  assert.match(await drill.innerText(), /Conversations: AI resolved/);
  const link = await drill.locator(`tr[data-conversation="${aiConv}"] a`).getAttribute("href");
  assert.equal(link, `/inbox#/all/${aiConv}`);
  await full(sup, "91-reports-drill-en.png");

  // CSV of the days.
  const [download] = await Promise.all([sup.waitForEvent("download"), sup.getByTestId("rep-export").click()]);
  assert.match(download.suggestedFilename(), /^reports-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString("utf8"));
  const lines = csv.trim().split("\n");
  assert.match(lines[0], /^day,conversations,ai_resolved,ai_confirmed,assisted,human_resolved,abandoned,unsettled,handed_over/);
  assert.equal(lines.length, 31, "a header and 30 days");
  assert.match(lines.at(-1), /^\d{4}-\d{2}-\d{2},3,1,1,/);

  // Bad dates are named inline and nothing is fetched.
  await sup.getByTestId("rep-from").fill("2030-01-01");
  await sup.getByTestId("rep-from").dispatchEvent("change");
  await sup.getByTestId("rep-invalid").filter({ hasText: "The start date is after the end date." }).waitFor();
  await sup.getByTestId("rep-range").selectOption("7");
  await sup.getByTestId("rep-invalid").waitFor({ state: "hidden" });
  await kpis.locator('[data-kpi="conversations"][data-value="3"]').waitFor();

  // In Chinese, and at phone width.
  await sup.getByTestId("lang-toggle").click();
  await sup.getByText("AI 转人工的原因").waitFor();
  assert.match(await sup.getByTestId("rep-reasons").innerText(), /客户要求转人工|要求|人工/);
  await full(sup, "92-reports-zh.png");
  const phone = sup;
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(env.base + "/reports");
  await phone.getByTestId("rep-kpis").locator('[data-kpi="conversations"]').waitFor();
  await full(phone, "93-reports-phone-zh.png");
  // An empty period says so.
  await phone.goto(env.base + "/reports?from=2020-01-01&to=2020-01-31");
  await phone.getByTestId("rep-state").filter({ hasText: /没有会话|No conversations/ }).waitFor();
  await shot(phone, "94-reports-empty-phone.png");

  // A question no article answers: it is listed among the unanswered questions.
  const asker = await newPage("en-US");
  await openWidget(asker);
  await say(asker, "Can I pay for my order in gold coins?");
  await widgetMsgs(asker, "ai").first().waitFor();
  await phone.setViewportSize({ width: 1280, height: 900 });
  await phone.goto(env.base + "/reports");
  await phone.getByTestId("rep-gap").first().waitFor();
  assert.match(await phone.getByTestId("rep-gaps").innerText(), /Can I pay for my order in gold coins\?\s+被问 1 次/);
  await phone.getByTestId("rep-gaps").scrollIntoViewIfNeeded();
  await shot(phone, "95-reports-gaps-zh.png");
  assertNoJsErrors(shop, sup, zh.shop, en.shop, asker);
});
