// The reports page's unanswered questions: the knowledge gaps (what the AI could not answer or handed over, grouped by meaning, read again with today's articles) from the range's first day to today, the five largest with their trend — loaded after the report, since mining them reads the questions again — and a link to the knowledge page where each becomes an article.
import { t, onLangChange } from "/assets/i18n.js";
import { $, h, api } from "/assets/ui.js";

const G = { days: 0, data: null, state: "idle", seq: 0 };

function render() {
  const box = $("gaps");
  $("gaps-period").textContent = G.days ? t("rep.gaps.period", { n: G.days }) : "";
  $("gaps-card").hidden = G.state === "forbidden";
  box.setAttribute("aria-busy", G.state === "loading" ? "true" : "false");
  if (G.state === "loading") return box.replaceChildren(h("li", { class: "pk-muted" }, t("adm.loading")));
  if (G.state === "error") return box.replaceChildren(h("li", { class: "pk-muted" }, t("rep.gaps.failed")));
  const gaps = G.data ? G.data.gaps.slice(0, 5) : [];
  box.replaceChildren(...(gaps.length ? gaps.map((g) => h("li", { class: "rp-gap", "data-testid": "rep-gap" },
    h("span", { class: "rp-gap-label", title: g.label }, g.label),
    h("span", { class: "sup-num rp-gap-n" }, t("rep.gaps.asked", { n: g.volume })),
    h("span", { class: `chip kn-trend-${g.trend.direction}` }, t(`kn.trend.${g.trend.direction}`))))
    : [h("li", { class: "pk-muted", "data-testid": "rep-gaps-none" }, t("rep.gaps.none"))]));
}

/** Loads the gaps of the days from `from` (YYYY-MM-DD) to today, unless they are those shown. */
export async function loadGaps(from) {
  const today = new Date().toISOString().slice(0, 10);
  const days = Math.min(365, Math.max(1, Math.round((Date.parse(today) - Date.parse(from)) / 86400000) + 1));
  if (days === G.days && G.state !== "error") return;
  Object.assign(G, { days, data: null, state: "loading" });
  const seq = ++G.seq;
  render();
  try {
    const d = await api("GET", `/api/v1/gaps?days=${days}`);
    if (seq !== G.seq) return;
    Object.assign(G, { data: d, state: "ready" });
  } catch (e) {
    if (seq !== G.seq || e.silent) return;
    G.state = e.code === "forbidden" ? "forbidden" : "error";
  }
  render();
}

onLangChange(() => { if (G.days) render(); });
