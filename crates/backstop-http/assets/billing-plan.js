// The plan editor of the billing page: the name, currency and monthly fee, and per billable item whether it is charged, the units included, the graduated price tiers beyond them and the soft and hard limits — amounts typed in major units (yuan, dollars), kept in minor units — with each bad field named at its input (the server's paths, `pricing.0.tiers.1.up_to`); the same plan as JSON for those who prefer it.
import { t } from "/assets/i18n.js";
import { h } from "/assets/ui.js";

/** The billable items, in the statement's order. */
export const ITEMS = ["ai_resolution", "assisted", "human_resolved", "messages", "model_tokens", "action_calls"];

/** Typed money (major units) → minor units; "" → null; anything else → NaN. */
function minor(text) {
  const v = String(text).trim().replace(/,/g, "");
  if (v === "") return null;
  const n = Number(v);
  return /^\d+(\.\d{0,2})?$/.test(v) && Number.isFinite(n) ? Math.round(n * 100) : NaN;
}
const major = (n) => (n == null ? "" : (n / 100).toFixed(2));
/** A typed count → a whole number; "" → null; anything else → NaN. */
function whole(text) {
  const v = String(text).trim().replace(/,/g, "");
  if (v === "") return null;
  return /^\d+$/.test(v) ? Number(v) : NaN;
}

const input = (attrs) => h("input", { class: "input input-sm", autocomplete: "off", ...attrs });
const labelled = (key, control, hint) => h("label", { class: "ad-field" }, h("span", {}, t(key), hint ? h("span", { class: "ad-hint" }, ` ${hint}`) : null), control);

/** One price tier's row: up to how many billable units (empty: all the rest) at what price. */
function tierRow(tier, onRemove) {
  const row = h("div", { class: "pf-tier", "data-role": "tier" },
    labelled("plan.upTo", input({ "data-part": "up_to", inputmode: "numeric", placeholder: t("plan.rest"), value: tier.up_to ?? "" })),
    labelled("plan.price", input({ "data-part": "price", inputmode: "decimal", value: major(tier.price ?? 0) })),
    h("button", { type: "button", class: "btn btn-ghost btn-sm pf-remove", "aria-label": t("plan.removeTier"), title: t("plan.removeTier"), onclick: () => { row.remove(); onRemove(); } }, "×"));
  return row;
}

/** One item's box: charged or not, and how. */
function itemBox(item, p) {
  const charged = !!p;
  p = p || { included: 0, per: item === "model_tokens" ? 1000 : 1, tiers: [{ price: 0 }] };
  const tiers = h("div", { class: "pf-tiers" });
  const renumber = () => tiers.querySelectorAll(".pf-remove").forEach((b) => { b.hidden = tiers.children.length <= 1; });
  for (const tier of p.tiers && p.tiers.length ? p.tiers : [{ price: 0 }]) tiers.append(tierRow(tier, renumber));
  renumber();
  const body = h("div", { class: "pf-body" },
    h("div", { class: "pf-row" },
      labelled("plan.included", input({ "data-part": "included", inputmode: "numeric", value: p.included || 0 })),
      labelled("plan.per", input({ "data-part": "per", inputmode: "numeric", value: p.per || 1 }))),
    h("div", { class: "pf-sub" }, t("plan.tiers")),
    tiers,
    h("button", { type: "button", class: "btn btn-ghost btn-sm", "data-testid": `plan-add-tier-${item}`, onclick: () => { tiers.append(tierRow({ price: 0 }, renumber)); renumber(); } }, t("plan.addTier")),
    h("div", { class: "pf-row" },
      labelled("plan.soft", input({ "data-part": "soft_limit", inputmode: "numeric", placeholder: t("plan.none"), value: p.soft_limit ?? "" })),
      labelled("plan.hard", input({ "data-part": "hard_limit", inputmode: "numeric", placeholder: t("plan.none"), value: p.hard_limit ?? "" }))));
  body.hidden = !charged;
  const off = h("p", { class: "pf-off" }, t("plan.notCharged"));
  off.hidden = charged;
  const box = h("fieldset", { class: "pf-item", "data-item": item, "data-testid": `plan-item-${item}` },
    h("legend", {}, h("label", { class: "pf-charge" },
      h("input", { type: "checkbox", "data-part": "charged", checked: charged, onchange: (e) => { body.hidden = !e.target.checked; off.hidden = e.target.checked; } }),
      h("strong", {}, t(`bill.item.${item}`)))),
    off, body);
  return box;
}

/** Fills `root` with the editor for `plan`. */
export function fillForm(root, plan) {
  const byItem = new Map((plan.pricing || []).map((p) => [p.item, p]));
  root.replaceChildren(
    h("div", { class: "pf-row pf-head" },
      labelled("plan.name", input({ "data-part": "name", value: plan.name || "", maxlength: "80", "data-testid": "plan-name" })),
      labelled("plan.currency", input({ "data-part": "currency", value: plan.currency || "CNY", maxlength: "3", class: "input input-sm pf-cur" }), t("plan.currencyHint")),
      labelled("plan.fee", input({ "data-part": "monthly_fee", inputmode: "decimal", value: major(plan.monthly_fee || 0), "data-testid": "plan-fee" }))),
    h("div", { class: "pf-items" }, ITEMS.map((item) => itemBox(item, byItem.get(item)))));
}

/**
 * The plan the form says, with each input given the server's path of its field (so the server's
 * errors land where they belong) and the errors found before asking: `{ plan, errors }`.
 */
export function readForm(root) {
  const errors = [];
  const at = (el, path, value, kind) => {
    el.dataset.path = path;
    if (Number.isNaN(value)) errors.push({ field: path, message: t(kind === "money" ? "plan.badMoney" : "plan.badCount") });
    return value;
  };
  const part = (scope, name) => scope.querySelector(`[data-part="${name}"]`);
  const head = root.querySelector(".pf-head");
  const plan = {
    name: at(part(head, "name"), "name", part(head, "name").value.trim()),
    currency: at(part(head, "currency"), "currency", part(head, "currency").value.trim().toUpperCase()),
    monthly_fee: at(part(head, "monthly_fee"), "monthly_fee", minor(part(head, "monthly_fee").value) ?? 0, "money"),
    pricing: [],
  };
  for (const box of root.querySelectorAll(".pf-item")) {
    if (!part(box, "charged").checked) continue;
    const i = plan.pricing.length;
    const num = (name, fallback) => at(part(box, name), `pricing.${i}.${name}`, whole(part(box, name).value) ?? fallback, "count");
    plan.pricing.push({
      item: box.dataset.item,
      included: num("included", 0),
      per: num("per", 1),
      tiers: [...box.querySelectorAll('[data-role="tier"]')].map((row, j) => ({
        up_to: at(part(row, "up_to"), `pricing.${i}.tiers.${j}.up_to`, whole(part(row, "up_to").value), "count"),
        price: at(part(row, "price"), `pricing.${i}.tiers.${j}.price`, minor(part(row, "price").value) ?? 0, "money"),
      })),
      soft_limit: num("soft_limit", null),
      hard_limit: num("hard_limit", null),
    });
  }
  return { plan, errors };
}

/** Clears the errors shown at the inputs. */
export function clearFormErrors(root) {
  root.querySelectorAll(".ad-bad").forEach((n) => n.classList.remove("ad-bad"));
  root.querySelectorAll(".pf-err").forEach((n) => n.remove());
}

/** Shows each error at the input with its path; returns the errors no input has. */
export function showFormErrors(root, errors) {
  const rest = [];
  for (const e of errors) {
    const el = root.querySelector(`[data-path="${CSS.escape(e.field)}"]`);
    const wrap = el && el.closest(".ad-field");
    if (!wrap) { rest.push(e); continue; }
    wrap.classList.add("ad-bad");
    wrap.append(h("span", { class: "ad-err pf-err", "data-testid": "plan-field-error" }, e.message));
  }
  const first = root.querySelector(".ad-bad input");
  if (first) first.focus();
  return rest;
}
