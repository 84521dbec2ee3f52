// Channels in the one inbox: the admin connects WhatsApp through the API (signed in, in the page),
// Meta's signed webhook brings a customer's messages — the second asks for a person — and the
// conversation waits in the queue with its channel shown in the list and the header, beside the
// widget's own conversations; in English and in Chinese.
import { createHmac } from "node:crypto";
import assert from "node:assert/strict";
import { env, useServerAndBrowser, newPage, login, shot, e2e, assertNoJsErrors, openWidget, say } from "./support.mjs";

useServerAndBrowser("channels-server.log");

const APP_SECRET = "meta-app-secret-for-the-browser-test";
const PHONE_ID = "106540352242922";

function whatsapp(id, from, name, text) {
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{ id: "102290129340398", changes: [{ field: "messages", value: {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "15550783881", phone_number_id: PHONE_ID },
      contacts: [{ profile: { name }, wa_id: from }],
      messages: [{ from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: text } }]
    } }] }]
  });
}

async function deliver(path, body) {
  const signature = "sha256=" + createHmac("sha256", APP_SECRET).update(body).digest("hex");
  const r = await fetch(env.base + path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": signature },
    body
  });
  assert.equal(r.status, 200, await r.text());
}

let hookPath;

async function connect(page) {
  if (hookPath) return hookPath;
  const r = await page.request.post(env.base + "/api/v1/channels", {
    data: { channel: "whatsapp", account: PHONE_ID, name: "Support line",
      secrets: { access_token: "EAAG-test", app_secret: APP_SECRET, verify_token: "verify-me" } }
  });
  assert.equal(r.status(), 201, await r.text());
  hookPath = (await r.json()).webhook_path;
  return hookPath;
}

async function whatsappCustomerAsksForAPerson(path, from, name, lines) {
  for (const [i, text] of lines.entries()) {
    await deliver(path, whatsapp(`wamid.${from}.${i}`, from, name, text));
  }
}

e2e("English: a WhatsApp customer who asks for a person waits in the queue marked WhatsApp, beside a web chat", async () => {
  const inbox = await newPage("en-US");
  await login(inbox, "chen@maple.example");
  const path = await connect(inbox);

  // A web visitor too, so the list holds both channels.
  const shop = await newPage("en-US");
  const webConv = await openWidget(shop);
  await say(shop, "I want to talk to a human");

  await whatsappCustomerAsksForAPerson(path, "447700900123", "Sam Reed", ["Hi, my parcel is late", "talk to a human please"]);

  await inbox.getByTestId("view-queue").click();
  const wa = inbox.locator('[data-testid="conv-item"]', { hasText: "Sam Reed" });
  await wa.waitFor();
  assert.equal(await wa.getByTestId("conv-channel").innerText(), "WhatsApp");
  assert.equal(await wa.getByTestId("conv-channel").getAttribute("data-channel"), "whatsapp");
  const web = inbox.locator(`[data-testid="conv-item"][data-id="${webConv}"]`);
  await web.waitFor();
  assert.equal(await web.getByTestId("conv-channel").innerText(), "Web chat");

  await wa.click();
  await inbox.getByTestId("packet").waitFor({ state: "visible" });
  await inbox.getByTestId("transcript").getByText("Hi, my parcel is late").waitFor();
  const head = inbox.getByTestId("conv-meta").getByTestId("conv-channel");
  assert.equal(await head.innerText(), "WhatsApp");
  await shot(inbox, "channels-whatsapp-en.png");
  assertNoJsErrors(inbox, shop);
});

e2e("Chinese: the channel is named in the page's language", async () => {
  const inbox = await newPage("zh-CN");
  await login(inbox, "chen@maple.example");
  const path = await connect(inbox);
  await whatsappCustomerAsksForAPerson(path, "8613800138000", "林伟", ["我的快递还没到", "转人工"]);

  await inbox.getByTestId("view-queue").click();
  const wa = inbox.locator('[data-testid="conv-item"]', { hasText: "林伟" });
  await wa.waitFor();
  assert.equal(await wa.getByTestId("conv-channel").innerText(), "WhatsApp");
  const web = inbox.locator('[data-testid="conv-item"] [data-channel="web"]').first();
  await web.waitFor();
  assert.equal(await web.innerText(), "网页聊天");
  await wa.click();
  await inbox.getByTestId("transcript").getByText("我的快递还没到").waitFor();
  await shot(inbox, "channels-whatsapp-zh.png");
  assertNoJsErrors(inbox);
});
