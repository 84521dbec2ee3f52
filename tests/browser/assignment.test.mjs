// End-to-end browser test of the human side: an agent takes a handed-over conversation and
// transfers it, with a private note, to a colleague, who finds it in their inbox with the note;
// the customer sees the colleague join.
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, shot, openWidget, say, widgetMsgs, assertNoJsErrors, e2e, login } from "./support.mjs";

useServerAndBrowser("server-assignment.log");

e2e("Transfer: Lin passes a conversation to Zhao with a note; Zhao has it with the note; the customer sees Zhao join", async () => {
  const shop = await newPage("en-US");
  const convId = await openWidget(shop);
  await say(shop, "I need to talk to a person about my warranty");
  await widgetMsgs(shop, "system").filter({ hasText: /General support/ }).first().waitFor();

  const lin = await newPage("en-US");
  await login(lin, "lin@maple.example");
  await lin.getByTestId("view-queue").click();
  await lin.locator(`[data-testid="conv-item"][data-id="${convId}"]`).click();
  await lin.getByTestId("take-btn").click();
  await lin.getByTestId("transfer-btn").waitFor();
  await lin.getByTestId("transfer-btn").click();
  const dialog = lin.getByTestId("transfer-dialog");
  await dialog.waitFor();
  const options = await lin.getByTestId("transfer-to").locator("option").allInnerTexts();
  assert.ok(options.some((o) => /^Zhao Min · offline · 0\/4$/.test(o)), `colleagues with presence and load: ${options}`);
  assert.ok(options.includes("Complaints & VIP"), `teams: ${options}`);
  const zhaoOption = await lin.getByTestId("transfer-to").locator("option", { hasText: "Zhao Min" }).getAttribute("value");
  await lin.getByTestId("transfer-to").selectOption(zhaoOption);
  await lin.getByTestId("transfer-note").fill("Warranty claim, order MM-20261101-0042 — photos already received.");
  await shot(lin, "30-transfer-dialog-en.png");
  await lin.getByTestId("transfer-submit").click();
  await dialog.waitFor({ state: "hidden" });
  await lin.getByTestId("toasts").filter({ hasText: "Transferred." }).waitFor();

  await widgetMsgs(shop, "system").filter({ hasText: /Zhao Min joined/ }).first().waitFor();
  const shopText = await shop.getByTestId("bs-panel").innerText();
  assert.ok(!shopText.includes("photos already received"), "the note stays private");

  const zhao = await newPage("en-US");
  await login(zhao, "zhao@maple.example");
  await zhao.getByTestId("view-mine").click();
  await zhao.locator(`[data-testid="conv-item"][data-id="${convId}"]`).click();
  await zhao.getByTestId("transcript").filter({ hasText: "photos already received" }).waitFor();
  await shot(zhao, "31-transferred-to-zhao-en.png");
  assertNoJsErrors(shop, lin, zhao);
});
