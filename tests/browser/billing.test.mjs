// End-to-end browser test of the billing page: after a demo conversation the AI resolved, an admin opens the month's statement (usage only, no plan yet), saves a plan (a bad field named first), reads the priced statement with its messages by channel, exports it as CSV, and sees it in Chinese and at phone width; an agent is refused.
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

  // A plan with a mistake: named; then the example plan, saved.
  await adm.getByRole("button", { name: "Start from an example" }).click();
  const json = adm.getByTestId("plan-json");
  await json.fill((await json.inputValue()).replace('"CNY"', '"yuan"'));
  await adm.getByTestId("plan-save").click();
  await adm.getByTestId("plan-error").filter({ hasText: /^currency: / }).waitFor();
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

  const lin = await newPage("en-US");
  await login(lin, "lin@maple.example");
  await lin.goto(env.base + "/billing");
  await lin.getByTestId("bill-denied").waitFor();

  adm.jsErrors.splice(0, adm.jsErrors.length, ...adm.jsErrors.filter((e) => !e.endsWith("→ 422")));
  assertNoJsErrors(adm, lin);
});
