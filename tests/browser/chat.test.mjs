// End-to-end browser test: a customer chats in the widget on the demo store, the AI answers, the
// customer asks for a person, an agent takes the conversation in the inbox and replies — all against
// a real `backstop demo` server and a real Chromium. Screenshots land in tests/browser/artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, createWriteStream, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = join(HERE, "artifacts");
const BIN = process.env.BACKSTOP_BIN || resolve(HERE, "../../target/debug/backstop");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const WAIT = 15_000; // every single wait is bounded by this
const PASSWORD = "backstop-demo";
const CJK = /[\u4e00-\u9fff]/;

let server, dataDir, base, browser;
let pagesOfTest = []; // the pages the running test opened: screenshotted if it fails, closed after it

function startServer() {
  return new Promise((resolveStart, rejectStart) => {
    dataDir = mkdtempSync(join(tmpdir(), "backstop-e2e-"));
    const log = createWriteStream(join(ARTIFACTS, "server.log"));
    server = spawn(BIN, ["demo", "--listen", "127.0.0.1:0", "--data-dir", dataDir], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", RUST_LOG: process.env.RUST_LOG || "info" }
    });
    let out = "";
    const timer = setTimeout(() => rejectStart(new Error(`backstop demo printed no store URL within 60 s:\n${out}`)), 60_000);
    server.stdout.on("data", (chunk) => {
      log.write(chunk);
      out += chunk;
      const m = out.match(/Demo store with the chat widget:\s+(http:\/\/[^\s/]+)\/demo\/store/);
      if (m && !base) {
        base = m[1];
        clearTimeout(timer);
        resolveStart();
      }
    });
    server.stderr.on("data", (chunk) => log.write(chunk));
    server.on("error", (e) => { clearTimeout(timer); rejectStart(e); });
    server.on("exit", (code, sig) => {
      clearTimeout(timer);
      if (!base) rejectStart(new Error(`backstop demo exited early (code ${code}, signal ${sig}):\n${out}`));
    });
  });
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  assert.ok(existsSync(BIN), `backstop binary not found at ${BIN} (set BACKSTOP_BIN)`);
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}`);
  await startServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"]
  });
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (server && server.exitCode === null) {
    const gone = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    if (server.exitCode === null) server.kill("SIGKILL");
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

// ---------- helpers ----------

async function newPage(locale) {
  const context = await browser.newContext({
    locale,
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    timezoneId: "UTC"
  });
  context.setDefaultTimeout(WAIT);
  const page = await context.newPage();
  pagesOfTest.push(page);
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    // failed requests are judged below, by URL
    if (m.type() === "error" && !/^Failed to load resource/.test(m.text())) errors.push(m.text());
  });
  page.on("response", (r) => {
    if (r.status() < 400) return;
    // the login page asks /api/v1/me whether the agent is already signed in: a 401 there is the normal answer
    if (r.status() === 401 && new URL(r.url()).pathname === "/api/v1/me" && /\/login$/.test(new URL(page.url()).pathname)) return;
    errors.push(`${r.request().method()} ${r.url()} → ${r.status()}`);
  });
  page.jsErrors = errors;
  return page;
}

const shot = (target, name) => target.screenshot({ path: join(ARTIFACTS, name), animations: "disabled" });

/** Open the widget on the store page; resolves to the conversation id the server handed out. */
async function openWidget(page, path = "/demo/store") {
  await page.goto(base + path);
  const session = page.waitForResponse((r) => r.url().endsWith("/session") && r.request().method() === "POST");
  await page.getByTestId("bs-launcher").click();
  const res = await session;
  assert.equal(res.status(), 200, "widget session should be created");
  const { conversation_id } = await res.json();
  assert.ok(conversation_id, "session response carries a conversation id");
  await page.getByTestId("bs-panel").waitFor({ state: "visible" });
  return conversation_id;
}

async function say(page, text) {
  const input = page.getByTestId("bs-input");
  await input.fill(text);
  await page.getByTestId("bs-send").click();
  // our own bubble is confirmed by the server (no longer pending)
  await page.locator('[data-testid="bs-msg"][data-author="customer"]:not([data-pending])', { hasText: text }).last().waitFor();
}

const widgetMsgs = (page, author) => page.locator(`[data-testid="bs-msg"][data-author="${author}"]`);

async function login(page, email) {
  await page.goto(base + "/login");
  await page.getByTestId("login-email").fill(email);
  await page.getByTestId("login-password").fill(PASSWORD);
  await page.getByTestId("login-submit").click();
  await page.waitForURL(/\/inbox/);
  await page.getByTestId("me-name").filter({ hasText: /\S/ }).waitFor();
}

async function openInQueue(page, convId) {
  await page.getByTestId("view-queue").click();
  const item = page.locator(`[data-testid="conv-item"][data-id="${convId}"]`);
  await item.waitFor();
  await item.click();
  await page.getByTestId("packet").waitFor({ state: "visible" });
  return item;
}

function assertNoJsErrors(...pages) {
  for (const p of pages) assert.deepEqual(p.jsErrors, [], `no JavaScript errors or failed requests on ${p.url()}`);
}

/** A test that leaves a FAILED-… screenshot of every page it opened when it fails, and always closes them. */
function e2e(name, fn) {
  test(name, async () => {
    pagesOfTest = [];
    try {
      await fn();
    } catch (e) {
      const slug = name.split(":")[0].toLowerCase().replace(/[^a-z0-9]+/g, "-");
      await Promise.all(pagesOfTest.map((p, i) => shot(p, `FAILED-${slug}-${i + 1}.png`).catch(() => {})));
      throw e;
    } finally {
      await Promise.all(pagesOfTest.map((p) => p.context().close().catch(() => {})));
    }
  });
}

// ---------- tests ----------

e2e("English: AI answers from the knowledge base, customer asks for a person, Lin takes over and replies", async () => {
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

  await shop.getByTestId("bs-human").click();
  const queue = shop.getByTestId("bs-queue");
  await queue.filter({ hasText: /#\d+/ }).waitFor();
  assert.match(await queue.innerText(), /you are #\d+ in the queue/);
  await shop.getByTestId("bs-human").waitFor({ state: "hidden" });
  await widgetMsgs(shop, "system").filter({ hasText: /Transferred to General support/ }).first().waitFor();
  await shot(shop.getByTestId("bs-panel"), "02-widget-queue-en.png");

  // --- context B: Lin in the inbox ---
  const inbox = await newPage("en-US");
  await inbox.goto(base + "/login");
  await inbox.getByTestId("login-email").waitFor();
  await inbox.getByTestId("login-email").fill("lin@maple.example");
  await shot(inbox, "03-login-en.png");
  await login(inbox, "lin@maple.example");
  assert.equal(await inbox.getByTestId("me-name").innerText(), "Lin Wei");

  await openInQueue(inbox, convId);
  const packet = inbox.getByTestId("packet");
  await packet.filter({ hasText: "Handoff" }).waitFor();
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

  // --- back to the customer: Lin's reply arrives live, with her name in the header ---
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

  await say(shop, "转人工");
  const queue = shop.getByTestId("bs-queue");
  await queue.filter({ hasText: /第 \d+ 位/ }).waitFor();
  await widgetMsgs(shop, "system").filter({ hasText: /已为您转接/ }).first().waitFor();
  await shot(shop.getByTestId("bs-panel"), "06-widget-zh.png");

  // An agent whose browser speaks Chinese sees the inbox — and the handoff packet — in Chinese.
  const inbox = await newPage("zh-CN");
  await login(inbox, "lin@maple.example");
  await inbox.getByTestId("view-queue").filter({ hasText: "排队中" }).waitFor();
  await openInQueue(inbox, convId);
  const packet = inbox.getByTestId("packet");
  assert.match(await packet.innerText(), CJK);
  assert.match(await packet.innerText(), /快递几天能到/);
  await inbox.getByTestId("transcript").locator('[data-author="customer"]', { hasText: "转人工" }).waitFor();
  await shot(inbox, "07-inbox-zh.png");

  assertNoJsErrors(shop, inbox);
});
