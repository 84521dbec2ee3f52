// End-to-end browser test of the billing page: after a demo conversation the AI resolved, an admin opens the month's statement (usage only, no plan yet), saves a plan (a bad field named first), reads the priced statement with its messages by channel, exports it as CSV, is told in the inbox when a limit is near (closing the notice keeps it closed), and sees it in Chinese and at phone width; an agent is refused.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { useServerAndBrowser, newPage, openWidget, say, widgetMsgs, assertNoJsErrors, e2e, login, env, ARTIFACTS } from "./support.mjs";

useServerAndBrowser("server-billing.log");

async function full(page, name) {
  await page.evaluate(() => { window.scrollTo(0, 0); document.querySelectorAll(".toast").forEach((n) => n.remove()); });
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true, animations: "disabled" });
}

e2e("Billing: the month's statement, a plan saved (bad field named first), CSV (en, zh, phone); agents are refused", async () => {
  // A conversation the AI resolves, confirmed by the customer.
  const shop = await newPage("en-US");
  await openWidget(shop);
  await say(shop, "How long does delivery take?");
  await widgetMsgs(shop, "ai").first().waitFor();
  await shop.getByTestId("bs-solved").click();
  await shop.getByTestId("bs-rating").waitFor();

  const adm = await newPage("en-US");
  await login(adm, "chen@maple.example");
  await adm.getByTestId("nav-billing").click();
  await adm.waitForURL(/\/billing/);
  await adm.getByTestId("bill-title").filter({ hasText: /Statement for/ }).waitFor();
  await adm.getByText("No plan yet: the usage is listed, nothing is charged.").waitFor();
  // The rollups catch up within a sweep: reload until the resolution is counted.
  const used = adm.locator('tr[data-item="ai_resolution"] td').nth(1);
  for (let i = 0; (await used.innerText()) !== "1"; i++) {
    assert.ok(i < 40, "the AI resolution was counted");
    await adm.waitForTimeout(500);
    await adm.reload();
    await adm.getByTestId("bill-title").filter({ hasText: /Statement for/ }).waitFor();
  }
  await full(adm, "105-billing-usage-only-en.png");

  // The plan form: mistakes named at their inputs (one found on the page, two by the server), then the example plan, saved.
  await adm.getByRole("button", { name: "Start from an example" }).click();
  const fields = adm.getByTestId("plan-fields");
  await fields.getByLabel("Currency").fill("¥");
  const fee = adm.getByTestId("plan-fee");
  await fee.fill("12,5x");
  await adm.getByTestId("plan-save").click();
  await fields.locator(".ad-bad").filter({ has: fee }).getByTestId("plan-field-error").filter({ hasText: "must be an amount such as 12.50" }).waitFor();
  await fee.fill("1999");
  const ai = adm.getByTestId("plan-item-ai_resolution");
  await ai.getByLabel("Up to (billed units)").first().fill("0");
  await adm.getByTestId("plan-save").click();
  await fields.getByTestId("plan-field-error").filter({ hasText: "ISO 4217" }).waitFor();
  await ai.getByTestId("plan-field-error").filter({ hasText: "must be above the tier before" }).waitFor();
  await full(adm, "104-billing-plan-errors-en.png");
  // The same plan as JSON, and back.
  await adm.getByTestId("plan-mode").click();
  const json = adm.getByTestId("plan-json");
  assert.match(await json.inputValue(), /"monthly_fee": 199900/);
  await json.fill((await json.inputValue()).replace('"name": "Growth"', '"name": "Growth 2027"'));
  await adm.getByTestId("plan-mode").click();
  assert.equal(await adm.getByTestId("plan-name").inputValue(), "Growth 2027");
  await adm.getByRole("button", { name: "Start from an example" }).click();
  await adm.getByTestId("plan-save").click();
  await adm.getByTestId("plan-status").filter({ hasText: /Plan saved/ }).waitFor();
  await adm.getByText("Plan Growth · monthly fee").waitFor();
  assert.equal(await adm.getByTestId("bill-total").innerText(), "CN¥1,999.00");
  assert.match(await adm.locator('tr[data-item="ai_resolution"]').innerText(), /AI resolutions\s+1\s+1,000\s+0/);
  // Where the messages came from: the widget.
  assert.match(await adm.locator('tr[data-source="messages:web"]').innerText(), /from Website chat\s+1/);
  await full(adm, "106-billing-statement-en.png");

  // The CSV.
  const download = adm.waitForEvent("download");
  await adm.getByTestId("bill-export").click();
  const file = await (await download).path();
  const csv = await readFile(file, "utf8");
  assert.match(csv, /^month,item,detail,used,included,billable,units,unit_price,per,amount,currency\n/);
  assert.match(csv, /,monthly_fee,,,,,,,,1999\.00,CNY\n/);
  assert.match(csv, /,ai_resolution,,1,1000,0,0,,1,0\.00,CNY\n/);
  assert.match(csv, /,messages,channel:web,1,,,,,,,CNY\n/);

  // Chinese, and a phone.
  await adm.getByTestId("lang-toggle").click();
  await adm.getByTestId("bill-title").filter({ hasText: /账单/ }).waitFor();
  assert.match(await adm.locator('tr[data-source="messages:web"]').innerText(), /来自网站聊天\s+1/);
  await full(adm, "107-billing-statement-zh.png");
  await adm.setViewportSize({ width: 390, height: 844 });
  await full(adm, "108-billing-phone-zh.png");
  const overflow = await adm.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no sideways scrolling at phone width (${overflow} px)`);

  // A limit near: the inbox tells those who read billing, until closed.
  const warned = await adm.evaluate(async () => {
    const r = await fetch("/api/v1/billing/plan", {
      method: "PUT", headers: { "Content-Type": "application/json", "X-Requested-With": "backstop" },
      body: JSON.stringify({ name: "Growth", currency: "CNY", pricing: [{ item: "messages", included: 100, tiers: [{ price: 1 }], soft_limit: 1 }] }),
    });
    return r.status;
  });
  assert.equal(warned, 200);
  await adm.setViewportSize({ width: 1280, height: 800 });
  await adm.goto(env.base + "/inbox");
  const notice = adm.getByTestId("notice-messages");
  await notice.waitFor();
  assert.match(await notice.innerText(), /客户消息 · 已超过软上限（已用 1）。 查看账单/);
  await adm.screenshot({ path: join(ARTIFACTS, "109-inbox-limit-notice-zh.png"), animations: "disabled" });
  await adm.getByTestId("lang-toggle").click();
  await notice.filter({ hasText: "Customer messages · past the soft limit (1 used). See the statement" }).waitFor();
  await adm.screenshot({ path: join(ARTIFACTS, "110-inbox-limit-notice-en.png"), animations: "disabled" });
  await notice.getByRole("button", { name: "Close" }).click();
  await notice.waitFor({ state: "detached" });
  await adm.reload();
  await adm.getByTestId("conv-list").waitFor();
  await adm.waitForTimeout(1000);
  assert.equal(await adm.getByTestId("notice-messages").count(), 0, "a closed notice stays closed");

  // An agent: no billing, and no link to the pages they may not use.
  const lin = await newPage("en-US");
  await login(lin, "lin@maple.example");
  await lin.getByTestId("conv-list").waitFor();
  for (const page of ["supervisor", "reports", "knowledge", "actions", "billing", "admin"]) {
    assert.equal(await lin.getByTestId(`nav-${page}`).isVisible(), false, `an agent has no link to ${page}`);
  }
  assert.equal(await lin.getByTestId("nav-policy").isVisible(), true, "the policy is theirs to read");
  await lin.waitForTimeout(1000);
  assert.equal(await lin.getByTestId("notice-messages").count(), 0, "agents are not told about billing");
  await lin.goto(env.base + "/billing");
  await lin.getByTestId("bill-denied").waitFor();

  adm.jsErrors.splice(0, adm.jsErrors.length, ...adm.jsErrors.filter((e) => !e.endsWith("→ 422")));
  assertNoJsErrors(adm, lin);
});
