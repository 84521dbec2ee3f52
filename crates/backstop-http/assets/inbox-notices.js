// The inbox's notices for those who read billing: a plan limit this month has been reached or is near (past a soft limit), with what it means and a link to the statement. Closing one hides it until its state changes.
import { t, onLangChange } from "/assets/i18n.js";
import { $, h, api } from "/assets/ui.js";

let shown = [];

const key = (month, l) => `backstop.notice.${month}.${l.item}.${l.limit}`;

function render() {
  const box = $("notices");
  const open = shown.filter((n) => !localStorage.getItem(n.key));
  box.replaceChildren(...open.map((n) => h("div", { class: `notice notice-${n.limit}`, "data-testid": `notice-${n.item}` },
    h("div", { class: "notice-text" },
      h("strong", {}, t(`bill.item.${n.item}`)), " · ",
      t(n.limit === "reached" ? `bill.reached.${n.item === "model_tokens" ? "tokens" : "other"}` : "bill.warned", { n: new Intl.NumberFormat().format(n.used) }),
      " ", h("a", { href: `/billing?month=${n.month}` }, t("notice.openBilling"))),
    h("button", {
      type: "button", class: "notice-close", "aria-label": t("notice.close"), title: t("notice.close"),
      onclick: () => { localStorage.setItem(n.key, "1"); render(); },
    }, "×"))));
  box.hidden = open.length === 0;
}

/** Reads this month's statement (when the role may) and shows the limits reached or near. */
export async function showNotices(permissions) {
  if (!permissions.includes("read_reports")) return;
  try {
    const d = await api("GET", "/api/v1/billing/statement");
    shown = d.statement.lines.filter((l) => l.limit !== "within")
      .map((l) => ({ item: l.item, limit: l.limit, used: l.used, month: d.month, key: key(d.month, l) }));
  } catch (_) {
    return; // the billing page says what went wrong; the inbox stays quiet
  }
  render();
  onLangChange(render);
}
