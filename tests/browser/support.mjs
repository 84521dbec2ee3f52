// Shared by the browser test files: each file starts its own `backstop demo` server (fresh data
// directory, random port) and one Chromium, and uses the page helpers below.
import { createServer } from "node:http";
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, createWriteStream, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = join(HERE, "artifacts");
const BIN = process.env.BACKSTOP_BIN || resolve(HERE, "../../target/debug/backstop");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const WAIT = 15_000; // every single wait is bounded by this
export const TENANT = "demo";

/** Filled in by `useServerAndBrowser()` before the first test runs. */
export const env = { base: null, browser: null };

let server, dataDir;
let pagesOfTest = []; // the pages the running test opened: screenshotted if it fails, closed after it

function startServer(logName) {
  return new Promise((resolveStart, rejectStart) => {
    dataDir = mkdtempSync(join(tmpdir(), "backstop-e2e-"));
    const log = createWriteStream(join(ARTIFACTS, logName));
    server = spawn(BIN, ["demo", "--no-history", "--listen", "127.0.0.1:0", "--data-dir", dataDir], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", RUST_LOG: process.env.RUST_LOG || "info" }
    });
    let out = "";
    // A fresh data directory embeds the demo knowledge base first (~20 s on two idle cores, far
    // longer on a busy machine): generous, since this is set-up, not a measurement.
    const timer = setTimeout(() => rejectStart(new Error(`backstop demo printed no store URL within 180 s:\n${out}`)), 180_000);
    server.stdout.on("data", (chunk) => {
      log.write(chunk);
      out += chunk;
      const m = out.match(/Demo store with the chat widget:\s+(http:\/\/[^\s/]+)\/demo\/store/);
      if (m && !env.base) {
        env.base = m[1];
        clearTimeout(timer);
        resolveStart();
      }
    });
    server.stderr.on("data", (chunk) => log.write(chunk));
    server.on("error", (e) => { clearTimeout(timer); rejectStart(e); });
    server.on("exit", (code, sig) => {
      clearTimeout(timer);
      if (!env.base) rejectStart(new Error(`backstop demo exited early (code ${code}, signal ${sig}):\n${out}`));
    });
  });
}

/** Registers the file's before/after hooks: a fresh `backstop demo` (its log in artifacts/<logName>) and a Chromium. */
export function useServerAndBrowser(logName) {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    assert.ok(existsSync(BIN), `backstop binary not found at ${BIN} (set BACKSTOP_BIN)`);
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}`);
    await startServer(logName);
    env.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
    });
  });

  after(async () => {
    if (env.browser) await env.browser.close().catch(() => {});
    if (server && server.exitCode === null) {
      const gone = new Promise((r) => server.once("exit", r));
      server.kill("SIGTERM");
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      if (server.exitCode === null) server.kill("SIGKILL");
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
}

/** A page in a fresh browser context (own cookies and localStorage) that records JS errors and failed requests. */
export async function newPage(locale) {
  const context = await env.browser.newContext({
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

export const shot = (target, name) => target.screenshot({ path: join(ARTIFACTS, name), animations: "disabled" });

/** Open the widget on the store page; resolves to the conversation id the server handed out. */
export async function openWidget(page, path = "/demo/store") {
  await page.goto(env.base + path);
  const session = page.waitForResponse((r) => r.url().endsWith("/session") && r.request().method() === "POST");
  await page.getByTestId("bs-launcher").click();
  const res = await session;
  assert.equal(res.status(), 200, "widget session should be created");
  const { conversation_id } = await res.json();
  assert.ok(conversation_id, "session response carries a conversation id");
  await page.getByTestId("bs-panel").waitFor({ state: "visible" });
  return conversation_id;
}

export async function say(page, text) {
  const input = page.getByTestId("bs-input");
  await input.fill(text);
  await page.getByTestId("bs-send").click();
  // our own bubble is confirmed by the server (no longer pending)
  await page.locator('[data-testid="bs-msg"][data-author="customer"]:not([data-pending])', { hasText: text }).last().waitFor();
}

export const widgetMsgs = (page, author) => page.locator(`[data-testid="bs-msg"][data-author="${author}"]`);

export function assertNoJsErrors(...pages) {
  for (const p of pages) assert.deepEqual(p.jsErrors, [], `no JavaScript errors or failed requests on ${p.url()}`);
}

/** A test that leaves a FAILED-… screenshot of every page it opened when it fails, and always closes them. */
export function e2e(name, fn) {
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

/** Signs `email` in (demo password) on `page` and waits for the inbox. */
export async function login(page, email) {
  await page.goto(env.base + "/login");
  await page.getByTestId("login-email").fill(email);
  await page.getByTestId("login-password").fill("backstop-demo");
  await page.getByTestId("login-submit").click();
  await page.waitForURL(/\/inbox/);
  await page.getByTestId("me-name").filter({ hasText: /\S/ }).waitFor();
}

/** Runs a `backstop` admin command against the test server's database (SQLite allows it alongside). */
export function admin(...args) {
  const r = spawnSync(BIN, args, {
    env: { ...process.env, BACKSTOP__STORAGE__DATA_DIR: dataDir, BACKSTOP__MODELS__EMBEDDINGS: "false" },
    encoding: "utf8"
  });
  assert.equal(r.status, 0, `backstop ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * A stand-in of an OpenAI-compatible model server, speaking the chat-completions streaming
 * protocol as the API reference documents it (server-sent `chat.completion.chunk` events, the
 * first with the assistant role, then the content in pieces, then `finish_reason: "stop"` and
 * `data: [DONE]`). `answer(body)` writes each reply; `piece` characters go out every `delayMs`.
 * Resolves to `{ url, asked, close }` — `asked` holds every request body.
 */
export async function modelStandIn(answer, { piece = 3, delayMs = 45 } = {}) {
  const asked = [];
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", async () => {
      if (req.url !== "/v1/chat/completions" || req.method !== "POST") { res.writeHead(404).end(); return; }
      const body = JSON.parse(raw);
      asked.push(body);
      const text = answer(body);
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const chunk = (delta, finish = null) => `data: ${JSON.stringify({
        id: "chatcmpl-e2e", object: "chat.completion.chunk", created: 0, model: body.model,
        choices: [{ index: 0, delta, finish_reason: finish }]
      })}\n\n`;
      res.write(chunk({ role: "assistant", content: "" }));
      const chars = [...text];
      for (let i = 0; i < chars.length; i += piece) {
        await new Promise((r) => setTimeout(r, delayMs));
        res.write(chunk({ content: chars.slice(i, i + piece).join("") }));
      }
      res.write(chunk({}, "stop"));
      res.end("data: [DONE]\n\n");
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}/v1`, asked, close: () => server.close() };
}

/**
 * The admin sets the demo tenant's model to the endpoint at `url` through the API, signed in in a
 * page of their own (its session and the page's header); returns that page and the saved settings.
 */
export async function setTenantModel(url) {
  const admin = await newPage("en-US");
  await login(admin, "chen@maple.example");
  const saved = await admin.evaluate(async (base) => {
    const r = await fetch("/api/v1/model", {
      method: "PUT",
      headers: { "Content-Type": "application/json", "X-Requested-With": "backstop" },
      body: JSON.stringify({ enabled: true, base_url: base, model: "e2e-standin", api_key: "sk-e2e-00000000000000", temperature: 0 })
    });
    return { status: r.status, body: await r.json() };
  }, url);
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  return { admin, saved: saved.body };
}
