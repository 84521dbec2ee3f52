// The inbox's copilot panel, as a view: the reply the tenant's model drafted for the customer's latest message (asked for after the instant suggestions show, with its own loading, empty and error states), a calming opening when the customer is upset, and the knowledge-base articles and colleagues' past answers that match. "Insert" puts a text in the composer; the inbox owns the state.
import { t, relTime } from "/assets/i18n.js";
import { h, api } from "/assets/ui.js";

/** Renders the copilot `d` into `box`; returns the slot where the model's draft goes. */
export function copilotView(box, d, insert) {
  const past = (s) => s.source && s.source.kind === "past_answer";
  const items = d.suggestions.map((s) => h("li", { class: `cp-item${past(s) ? " cp-past" : ""}`, "data-testid": "copilot-suggestion", "data-source": s.source ? s.source.kind : "article" },
    h("div", { class: "cp-top" },
      h("strong", { class: "cp-title" }, past(s) ? t("copilot.pastTitle", { question: s.title }) : s.title),
      h("span", { class: "cp-conf" }, t("copilot.match", { n: Math.round(s.confidence * 100) })),
      h("button", { type: "button", class: "btn btn-sm", "data-testid": "copilot-insert", onclick: () => insert(s.text) }, t("copilot.insert"))),
    h("div", { class: "cp-text" }, s.text),
    h("div", { class: "cp-src" }, past(s)
      ? [t("copilot.pastSource", { agent: s.source.agent_name || t("msg.agent"), time: relTime(s.source.at) }), " · ",
        h("a", { href: `#/all/${s.source.conversation_id}` }, t("copilot.pastOpen"))]
      : t("copilot.source", { title: s.title }))));
  const slot = h("div", { class: "cp-draft-slot", "data-testid": "copilot-draft-slot" });
  box.replaceChildren(...[
    h("div", { class: "cp-head" }, h("span", { class: "pk-icon", "aria-hidden": "true" }, "✦"), h("strong", {}, t("copilot.title")),
      d.summary ? h("span", { class: "cp-summary", title: d.summary }, d.summary) : null),
    slot,
    d.de_escalation ? h("div", { class: "cp-calm", "data-testid": "copilot-calm" },
      h("span", {}, d.de_escalation),
      h("button", { type: "button", class: "btn btn-sm", onclick: () => insert(d.de_escalation) }, t("copilot.insert"))) : null,
    items.length ? h("ol", { class: "cp-list" }, items) : h("div", { class: "pk-muted" }, t("copilot.none"))
  ].filter(Boolean));
  return slot;
}

function note(kind, text) {
  return h("div", { class: `cp-draft cp-draft-${kind}`, "data-testid": "copilot-draft", "data-status": kind },
    h("span", { class: "cp-draft-label" }, t("copilot.draftTitle")), h("span", { class: "pk-muted" }, text));
}

/**
 * Asks the model for its draft of a reply in conversation `id` and shows it in `slot`.
 * `stillOpen()` says whether the conversation is still the one on screen; `insert(text)` puts the
 * draft in the composer. Resolves to true when a draft is shown.
 */
export async function fillDraft(slot, id, insert, stillOpen) {
  // Tenants without a model answer at once: the "writing" state shows only when it takes a while.
  const writing = setTimeout(() => slot.replaceChildren(
    h("div", { class: "cp-draft cp-draft-loading", "data-testid": "copilot-draft", "data-status": "loading" },
      h("span", { class: "cp-draft-label" }, t("copilot.draftTitle")),
      h("span", { class: "ty", "aria-hidden": "true" }, h("i"), h("i"), h("i")),
      h("span", { class: "pk-muted" }, t("copilot.drafting")))), 250);
  let d;
  try {
    d = await api("POST", `/api/v1/conversations/${encodeURIComponent(id)}/copilot/draft`, {});
  } catch (_) {
    clearTimeout(writing);
    if (stillOpen()) slot.replaceChildren(note("failed", t("copilot.draftFailed")));
    return false;
  }
  clearTimeout(writing);
  if (!stillOpen()) return false;
  switch (d.status) {
    case "written": {
      const sources = d.citations.map((c) => c.title).join(" · ");
      slot.replaceChildren(h("div", { class: "cp-draft", "data-testid": "copilot-draft", "data-status": "written" },
        h("div", { class: "cp-top" },
          h("strong", { class: "cp-title" }, t("copilot.draftTitle")),
          h("span", { class: "cp-conf", title: d.model || "" }, t("copilot.draftChecked")),
          h("button", { type: "button", class: "btn btn-sm btn-primary", "data-testid": "copilot-draft-insert", onclick: () => insert(d.text) }, t("copilot.insert"))),
        h("div", { class: "cp-draft-text" }, d.text),
        sources ? h("div", { class: "cp-src" }, t("copilot.draftSources", { titles: sources })) : null));
      return true;
    }
    case "no_answer": slot.replaceChildren(note("no_answer", t("copilot.draftNoAnswer"))); return false;
    case "stopped": slot.replaceChildren(note("stopped", t("copilot.draftStopped"))); return false;
    case "failed": slot.replaceChildren(note("failed", t("copilot.draftFailed"))); return false;
    default: slot.replaceChildren(); return false; // off, nothing asked: nothing to say
  }
}
