// End-to-end browser test of the admin settings page: an admin creates a team with hours and targets (bad fields named inline first), adds an agent who signs in with the password made once, deactivates them, sets the widget's look (which the widget on the shop then wears), copies the snippet, rotates the secret and makes and revokes an API key; in Chinese and at phone width; an agent is refused.
import assert from "node:assert/strict";
import { join } from "node:path";
import { useServerAndBrowser, newPage, shot, assertNoJsErrors, e2e, login, env, ARTIFACTS } from "./support.mjs";

/** The whole page from its top (the sticky bar in its place), without the passing notices. */
async function full(page, name) {
  await page.evaluate(() => { window.scrollTo(0, 0); document.querySelectorAll(".toast").forEach((n) => n.remove()); });
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true, animations: "disabled" });
}

useServerAndBrowser("server-admin.log");

/** Leaves out of a page's failures the refusals the test asked for (the forms' 422s). */
function forgetExpected(page, status) {
  const kept = page.jsErrors.filter((e) => !e.endsWith(`→ ${status}`));
  page.jsErrors.splice(0, page.jsErrors.length, ...kept);
}

e2e("Admin: teams, agents, the widget and API keys set up from the page (en, zh, phone); agents are refused", async () => {
  const adm = await newPage("en-US");
  await adm.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: env.base });
  await login(adm, "chen@maple.example");
  await adm.getByTestId("nav-admin").click();
  await adm.waitForURL(/\/admin/);
  const teams = adm.getByTestId("teams-list");
  await teams.locator("tr[data-team]").first().waitFor();
  await full(adm, "95-admin-teams-en.png");

  // A new team: the bad fields are named beside them, then fixed.
  await adm.getByTestId("team-new").click();
  await adm.getByTestId("team-name").fill("Night shift");
  await adm.getByTestId("team-name-zh").fill("夜班");
  await adm.getByTestId("team-timezone").fill("Moon/Base");
  await adm.getByTestId("team-hours").fill("mon-fri 18:00-24:00");
  await adm.getByTestId("team-vip").fill("600");
  await adm.getByTestId("team-strategy").selectOption("least_loaded");
  await adm.getByTestId("team-save").click();
  const errors = adm.getByTestId("team-form").getByTestId("field-error");
  await errors.first().waitFor();
  const said = await errors.allInnerTexts();
  assert.equal(said.length, 2, `two fields named: ${said}`);
  assert.match(said.join(" "), /time zone/i);
  assert.match(said.join(" "), /VIP target/i);
  await full(adm, "96-admin-team-errors-en.png");
  await adm.getByTestId("team-timezone").fill("Asia/Shanghai");
  await adm.getByTestId("team-vip").fill("20");
  await adm.getByTestId("team-save").click();
  const night = teams.locator('tr[data-team="Night shift"]');
  await night.waitFor();
  assert.match(await night.innerText(), /mon-fri 18:00-24:00/);
  assert.match(await night.innerText(), /Asia\/Shanghai/);
  assert.match(await night.innerText(), /VIP 20 s/);

  // A new agent, with a password made for her and shown once.
  await adm.getByTestId("tab-agents").click();
  await adm.getByTestId("agent-new").click();
  await adm.getByTestId("agent-name").fill("Mia Park");
  await adm.getByTestId("agent-email").fill("mia@maple.example");
  await adm.getByTestId("agent-teams").getByLabel("Night shift").check();
  await adm.getByTestId("agent-capacity").fill("3");
  await adm.getByTestId("agent-languages").fill("ko, en");
  await adm.getByTestId("agent-save").click();
  const once = adm.getByTestId("agent-once");
  await once.waitFor();
  const password = (await adm.getByTestId("agent-password-value").innerText()).trim();
  assert.match(password, /^[0-9a-f]{6}(-[0-9a-f]{6}){3}$/);
  const mia = adm.getByTestId("agents-list").locator('tr[data-agent="mia@maple.example"]');
  await mia.waitFor();
  assert.match(await mia.innerText(), /Night shift/);
  assert.match(await mia.innerText(), /0 of 3/);
  await full(adm, "97-admin-agent-added-en.png");

  const miaPage = await newPage("en-US");
  await miaPage.goto(env.base + "/login");
  await miaPage.getByTestId("login-email").fill("mia@maple.example");
  await miaPage.getByTestId("login-password").fill(password);
  await miaPage.getByTestId("login-submit").click();
  await miaPage.waitForURL(/\/inbox/);
  await miaPage.getByTestId("me-name").filter({ hasText: "Mia Park" }).waitFor();

  await mia.getByTestId("agent-deactivate").click();
  await mia.getByTestId("agent-inactive").waitFor();
  await miaPage.reload();
  await miaPage.waitForURL(/\/login/);

  // The widget: copy the snippet, set a colour, the left corner and a Chinese greeting.
  await adm.getByTestId("tab-widget").click();
  const snippet = (await adm.getByTestId("widget-snippet").innerText()).trim();
  assert.match(snippet, /<script src="http:\/\/127\.0\.0\.1:\d+\/widget\.js" data-tenant="demo" async><\/script>/);
  await adm.getByTestId("widget-copy").click();
  assert.equal(await adm.evaluate(() => navigator.clipboard.readText()), snippet, "the snippet is on the clipboard");
  await adm.getByTestId("widget-origins").fill("shop.example");
  await adm.getByTestId("widget-save").click();
  await adm.getByTestId("widget-form").getByTestId("field-error").waitFor();
  await adm.getByTestId("widget-origins").fill("");
  await adm.getByTestId("widget-color").fill("#0f766e");
  await adm.getByTestId("widget-left").check();
  await adm.getByTestId("widget-greeting-zh").fill("您好，欢迎来到枫叶商城，有什么可以帮您？");
  await adm.getByTestId("widget-save").click();
  await adm.getByTestId("widget-status").filter({ hasText: /Saved/ }).waitFor();

  // The secret: a new one, after the admin's own password, shown once.
  await adm.getByTestId("secret-rotate").click();
  await adm.getByTestId("confirm-pw").fill("backstop-demo");
  await adm.getByTestId("confirm-ok").click();
  await adm.getByTestId("secret-once").waitFor();
  assert.match((await adm.getByTestId("secret-value").innerText()).trim(), /^[0-9a-f]{64}$/);
  await full(adm, "98-admin-widget-en.png");

  // The shop's widget wears the new look: teal, bottom left, the Chinese greeting.
  const shop = await newPage("zh-CN");
  await shop.goto(env.base + "/demo/store");
  const launcher = shop.getByTestId("bs-launcher");
  await launcher.waitFor();
  const look = await launcher.evaluate((n) => { const s = getComputedStyle(n); return { bg: s.backgroundColor, left: s.left }; });
  assert.equal(look.bg, "rgb(15, 118, 110)");
  assert.equal(look.left, "20px");
  await launcher.click();
  await shop.getByTestId("bs-greeting").filter({ hasText: "欢迎来到枫叶商城" }).waitFor();
  await shot(shop, "99-widget-own-look-zh.png");

  // An API key for reports: the token works once made and is refused once revoked.
  await adm.getByTestId("tab-keys").click();
  await adm.getByTestId("keys-empty").waitFor();
  await adm.getByTestId("key-create").click();
  await adm.getByTestId("key-form").getByTestId("field-error").first().waitFor();
  await adm.getByTestId("key-name").fill("BI export");
  await adm.getByTestId("key-scope-reports").check();
  await adm.getByTestId("key-create").click();
  const token = (await adm.getByTestId("key-value").innerText()).trim();
  assert.match(token, /^bsk_[0-9a-f]{48}$/);
  const reports = () => fetch(`${env.base}/api/v1/reports?from=2026-11-01&to=2026-11-30`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal((await reports()).status, 200);
  assert.equal((await fetch(`${env.base}/api/v1/conversations`, { headers: { authorization: `Bearer ${token}` } })).status, 403);
  await full(adm, "100-admin-keys-en.png");
  adm.once("dialog", (d) => d.accept());
  await adm.getByTestId("keys-list").locator('tr[data-key="BI export"]').getByTestId("key-revoke").click();
  await adm.getByTestId("keys-list").locator('tr[data-key="BI export"]').filter({ hasText: "revoked" }).waitFor();
  assert.equal((await reports()).status, 401);

  // The generative model: a bad endpoint is named beside its field; the key comes back only as its hint.
  await adm.getByTestId("tab-model").click();
  await adm.getByTestId("model-enabled").check();
  await adm.getByTestId("model-base-url").fill("ftp://models.example");
  await adm.getByTestId("model-save").click();
  const modelErrors = adm.getByTestId("model-form").getByTestId("field-error");
  await modelErrors.first().waitFor();
  assert.equal(await modelErrors.count(), 2, "the endpoint and the missing model");
  await adm.getByTestId("model-enabled").uncheck();
  await adm.getByTestId("model-base-url").fill("https://models.example/v1");
  await adm.getByTestId("model-model").fill("qwen2.5-7b-instruct");
  await adm.getByTestId("model-key").fill("sk-test-0123456789abcd");
  await adm.getByTestId("model-save").click();
  await adm.getByTestId("model-status").filter({ hasText: /Saved/ }).waitFor();
  assert.equal(await adm.getByTestId("model-key").inputValue(), "", "the key is not shown again");
  assert.match(await adm.locator("#model-key-hint").innerText(), /abcd/);
  await full(adm, "109-admin-model-en.png");

  // Chinese, and a phone.
  await adm.getByTestId("lang-toggle").click();
  await adm.getByTestId("tab-teams").click();
  await adm.getByTestId("teams-list").getByText("夜班").waitFor();
  await full(adm, "101-admin-teams-zh.png");
  await adm.getByTestId("tab-agents").click();
  await adm.getByTestId("agent-new").click();
  await adm.getByTestId("agent-email").fill("not-an-email");
  await adm.getByTestId("agent-save").click();
  await adm.getByTestId("agent-form").getByTestId("field-error").filter({ hasText: "邮箱格式不正确" }).waitFor();
  await full(adm, "102-admin-agent-errors-zh.png");
  await adm.setViewportSize({ width: 390, height: 844 });
  await adm.getByTestId("tab-widget").click();
  await full(adm, "103-admin-widget-phone-zh.png");
  const overflow = await adm.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no sideways scrolling at phone width (${overflow} px)`);

  // An agent is told the page is for admins.
  const lin = await newPage("en-US");
  await login(lin, "lin@maple.example");
  await lin.goto(env.base + "/admin");
  await lin.getByTestId("adm-denied").waitFor();
  await shot(lin, "104-admin-denied-en.png");

  forgetExpected(adm, 422);
  assertNoJsErrors(adm, shop, lin);
});
