// The inbox's customer panel: what the tenant's panel action (the customer's orders, in the demo) says about the open conversation's customer — a compact, collapsible table; a line saying why when there is nothing to show.
import { t } from "/assets/i18n.js";
import { h } from "/assets/ui.js";

// A cell in words: numbers as the shop wrote them, a time as a date, a status through its label.
function cell(column, value) {
  if (value == null || value === "") return "—";
  if (column === "status") {
    const key = `panel.status.${value}`;
    return t(key) === key ? String(value) : t(key);
  }
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value)) return value.slice(0, 10);
  return String(value);
}

/** Fills `box` with `d` (GET /api/v1/conversations/{id}/panel); `open` says whether the table shows. */
export function panelView(box, d, { open, onToggle }) {
  if (!d || d.state === "no_action") { box.hidden = true; return; }
  box.hidden = false;
  const rows = d.rows || [];
  const head = h("div", { class: "cp-head" },
    h("strong", {}, t("panel.title")),
    d.state === "shown" ? h("span", { class: "count-pill" }, String(rows.length)) : null,
    h("span", { class: "pk-spacer" }),
    d.state === "shown" && rows.length ? h("button", { type: "button", class: "link-btn", "aria-expanded": String(open), onclick: onToggle },
      t(open ? "packet.collapse" : "packet.expand")) : null);
  let body = null;
  if (d.state === "not_verified") body = h("p", { class: "cp-note" }, t("panel.notVerified"));
  else if (d.state === "failed") body = h("p", { class: "cp-note cp-bad" }, t("panel.failed", { why: d.failure || "" }));
  else if (!rows.length) body = h("p", { class: "cp-note" }, t("panel.none"));
  else if (open) {
    body = h("div", { class: "cp-scroll" }, h("table", { class: "cp-table", "data-testid": "customer-panel-rows" },
      h("thead", {}, h("tr", {}, d.columns.map((c) => {
        const key = `panel.col.${c}`;
        return h("th", {}, t(key) === key ? c : t(key));
      }))),
      h("tbody", {}, rows.map((r) => h("tr", {}, r.map((v, i) => h("td", {}, cell(d.columns[i], v))))))));
  }
  box.replaceChildren(head, body || "");
}
