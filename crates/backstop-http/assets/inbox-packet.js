// The inbox's handoff packet, as a view: the model's summary when one was written, why the AI handed over (the rule, its signals, other rules that held), the AI's draft to approve, the facts, the tags and the action proposed to a person, what the AI tried, the customer's emotions and anger. Built from the packet alone; the inbox owns the state and passes callbacks.
import { t, relTime, clock, topicLabel } from "/assets/i18n.js";
import { h } from "/assets/ui.js";

/** The customer's language: any of them by its code, named in the page's language. */
function languageName(p) {
  const code = p.language_code;
  if (code && code !== "zh" && code !== "en") {
    try {
      const names = new Intl.DisplayNames([document.documentElement.lang || "en"], { type: "language" });
      return names.of(code) || code;
    } catch (_) { return code; }
  }
  return p.language && t(`lang.${p.language}`);
}

function field(label, value) {
  if (value == null || value === "") return null;
  return h("div", { class: "pk-field" }, h("dt", {}, label), h("dd", {}, value));
}

/**
 * The packet's content: its head (reason, priority, tier, time, collapse toggle) and, unless
 * `collapsed`, its body. `onToggle()` collapses or expands it; `onDecide(decision, edited)` approves
 * or rejects the AI's draft.
 */
export function packetView(p, { collapsed, onToggle, onDecide }) {
  const reasonText = p.reason ? t(`reason.${p.reason}`) : p.reason_text;

  const head = h("div", { class: "pk-head" },
    h("span", { class: "pk-icon", "aria-hidden": "true" }, "✦"),
    h("strong", { class: "pk-title" }, t("packet.title")),
    reasonText ? h("span", { class: `chip chip-reason reason-${p.reason}`, title: p.reason_text || reasonText }, reasonText) : null,
    p.priority ? h("span", { class: `chip chip-prio prio-${p.priority}` }, t(`priority.${p.priority}`)) : null,
    p.tier === "vip" && p.reason !== "vip" ? h("span", { class: "badge badge-vip" }, t("tier.vip")) : null,
    h("span", { class: "pk-spacer" }),
    p.created_at ? h("time", { class: "pk-time", title: clock(p.created_at).full }, relTime(p.created_at)) : null,
    h("button", {
      type: "button", class: "link-btn", "aria-expanded": String(!collapsed),
      onclick: onToggle
    }, t(collapsed ? "packet.expand" : "packet.collapse")));

  if (collapsed) return [head];

  const body = h("div", { class: "pk-body" });
  if (p.ai_summary) {
    body.append(h("div", { class: "pk-ai-summary", "data-testid": "packet-ai-summary" },
      h("span", { class: "pk-ai-label", title: t("packet.aiSummaryBy", { model: p.ai_summary.model }) }, t("packet.aiSummary")),
      h("p", { class: "pk-summary" }, p.ai_summary.text)));
    if (p.summary) body.append(h("p", { class: "pk-summary pk-words" }, p.summary));
  } else if (p.summary) {
    body.append(h("p", { class: "pk-summary" }, p.summary));
  }

  body.append(h("dl", { class: "pk-grid" },
    field(t("packet.team"), p.team_name),
    field(t("packet.tier"), p.tier && t(`tier.${p.tier}`)),
    field(t("packet.topic"), topicLabel(p.topic)),
    field(t("packet.language"), languageName(p))));

  if (p.facts && p.facts.length) {
    body.append(h("div", { class: "pk-row" },
      h("div", { class: "pk-label" }, t("packet.facts")),
      h("div", { class: "pk-chips" }, p.facts.map((f) => {
        const key = `fact.${f.kind}`;
        const label = t(key) === key ? f.kind : t(key);
        return h("span", { class: "chip chip-fact", "data-kind": f.kind }, h("span", { class: "fact-kind" }, label), h("span", { class: "fact-value" }, f.value));
      }))));
  }

  if (p.tags && p.tags.length) {
    body.append(h("div", { class: "pk-row", "data-testid": "packet-tags" },
      h("div", { class: "pk-label" }, t("packet.tags")),
      h("div", { class: "pk-chips" }, p.tags.map((tag) => h("span", { class: "chip chip-topic" }, `#${tag}`)))));
  }

  if (p.action) body.append(actionRow(p.action));

  if (p.ai_attempts && p.ai_attempts.length) {
    body.append(h("div", { class: "pk-row" },
      h("div", { class: "pk-label" }, t("packet.tried")),
      h("ol", { class: "pk-tried" }, p.ai_attempts.map((a) => h("li", {},
        h("span", { class: "tried-q" }, `“${a.question}”`),
        h("span", { class: "tried-arrow", "aria-hidden": "true" }, "→"),
        a.answer_title
          ? h("span", { class: "tried-a" }, a.answer_title)
          : h("span", { class: "tried-a tried-none" }, t("packet.noArticle")),
        h("span", { class: `conf ${a.confident ? "conf-yes" : "conf-no"}` }, t(a.confident ? "packet.confident" : "packet.unsure")))))));
  }

  // The reasons first, then — the most pressing thing to do — the AI's draft to approve.
  const why = whyRow(p);
  if (p.draft) body.prepend(draftRow(p, onDecide));
  if (why) body.prepend(why);
  const emo = emotionRow(p);
  if (emo) body.append(emo);

  const anger = p.anger;
  if (anger && ((anger.cues && anger.cues.length) || anger.score >= 0.3)) {
    const score = Math.max(0, Math.min(1, Number(anger.score) || 0));
    body.append(h("div", { class: "pk-row pk-anger" },
      h("div", { class: "pk-label" }, t("packet.anger")),
      h("div", { class: "pk-chips" },
        h("span", { class: "anger-meter", title: t("packet.angerScore", { score: score.toFixed(2) }) },
          h("span", { class: "anger-fill", style: `width:${Math.round(score * 100)}%` })),
        h("span", { class: "anger-score" }, t("packet.angerScore", { score: score.toFixed(2) })),
        (anger.cues || []).map((c) => h("span", { class: "chip chip-anger" }, c)))));
  }

  return [head, body];
}

// The action the customer asked for that a person must now decide or run: its values, the summary
// the customer would confirm, and why the AI did not run it (a rule, or what the shop's system did).
function actionRow(a) {
  const f = a.failure;
  const why = a.rule ? t("packet.actionRule", { rule: a.rule })
    : f && f.result === "refused" ? t("packet.actionRefused", { code: f.code || "" })
    : f ? t("packet.actionFailed", { why: f.failure || "" })
    : null;
  return h("div", { class: "pk-row pk-action", "data-testid": "packet-action" },
    h("div", { class: "pk-label" }, t("packet.action")),
    h("div", {},
      h("div", {}, h("code", {}, a.action), " ",
        h("span", { class: `chip ${a.effect === "change" ? "chip-reason" : "chip-muted"}` }, t(`actions.effect.${a.effect}`))),
      a.summary ? h("p", { class: "pk-summary" }, a.summary) : null,
      h("div", { class: "pk-chips" }, Object.entries(a.values || {}).map(([k, v]) =>
        h("span", { class: "chip chip-fact" }, h("span", { class: "fact-kind" }, k), h("span", { class: "fact-value" }, v)))),
      why ? h("div", { class: "pol-desc" }, why) : null));
}

// The policy's reasons: the rule that fired (and its version), the signals that made it fire,
// the service tier, and the other rules that also matched.
function whyRow(p) {
  const tr = p.trace;
  if (!tr) return null;
  const sg = tr.signals || {};
  const chips = [];
  const sig = (text, cls = "") => chips.push(h("span", { class: `chip chip-signal ${cls}` }, text));
  if (sg.explicit_request) sig(t("signal.explicit"));
  if (sg.threat) sig(t("signal.threat"), "sig-hot");
  if (sg.profanity) sig(t("signal.profanity"), "sig-hot");
  if (sg.vip) sig(t("signal.vip"));
  if (sg.inflection) sig(t(`inflection.${sg.inflection}`), "sig-hot");
  if (sg.scope === "out_of_scope") sig(t("signal.outOfScope"));
  for (const x of sg.sensitive || []) sig(t("signal.sensitive", { what: x }));
  if (sg.amount != null) sig(t("signal.amount", { amount: sg.amount }));
  const e = sg.emotion || {};
  for (const f of ["anger", "frustration", "anxiety", "sadness"]) {
    if ((e[f] || 0) >= 0.5) sig(`${t("feeling." + f)} ${Number(e[f]).toFixed(2)}`, "sig-hot");
  }
  if (sg.failed_turns) sig(t("signal.failed", { n: sg.failed_turns }));
  if (sg.turn) sig(t("signal.turn", { n: sg.turn }));
  const version = tr.policy_version ? t("packet.policyVersion", { v: tr.policy_version }) : t("packet.policyDefault");
  const also = (tr.alternatives || []).filter((a) => a.decision && a.decision.action === "handoff").map((a) => a.rule);
  return h("div", { class: "pk-row pk-why", "data-testid": "packet-why" },
    h("div", { class: "pk-label" }, t("packet.why")),
    h("div", { class: "pk-chips" },
      h("span", { class: "chip chip-rule", "data-testid": "packet-rule" }, t("packet.rule", { rule: tr.rule })),
      h("span", { class: "pk-muted" }, version),
      p.service_tier ? h("span", { class: `chip chip-tier tier-${p.service_tier}` }, t(`tierlevel.${p.service_tier}`)) : null,
      chips),
    also.length ? h("div", { class: "pk-muted" }, t("packet.alsoMatched", { rules: also.join(", ") })) : null);
}

// The AI's draft answer waiting for a person: approve (as is or edited: sent as the AI's answer,
// the conversation back with the AI) or reject (the agent keeps it).
function draftRow(p, decide) {
  const quote = h("blockquote", { class: "pk-draft", "data-testid": "packet-draft" }, p.draft);
  const editor = h("textarea", { class: "input pk-draft-edit", rows: "4", "data-testid": "draft-editor", hidden: true });
  editor.value = p.draft;
  const sendEdited = h("button", { type: "button", class: "btn btn-sm btn-primary", hidden: true, "data-testid": "draft-send-edited",
    onclick: () => decide("approve", editor.value) }, t("draft.sendEdited"));
  const editBtn = h("button", { type: "button", class: "btn btn-sm", "data-testid": "draft-edit", onclick: () => {
    quote.hidden = true; editor.hidden = false; sendEdited.hidden = false; editBtn.hidden = true; editor.focus();
  } }, t("draft.edit"));
  return h("div", { class: "pk-row" },
    h("div", { class: "pk-label" }, t("packet.draft")),
    p.draft_source ? h("div", { class: "pk-muted" }, t("copilot.source", { title: p.draft_source.title })) : null,
    quote, editor,
    h("div", { class: "pk-chips" },
      h("button", { type: "button", class: "btn btn-sm btn-success", "data-testid": "draft-approve", onclick: () => decide("approve") }, t("draft.approve")),
      editBtn, sendEdited,
      h("button", { type: "button", class: "btn btn-sm", "data-testid": "draft-reject", onclick: () => decide("reject") }, t("draft.reject"))));
}

// The radar's five scores at the handoff and anger over the conversation's turns.
function emotionRow(p) {
  const e = p.emotion;
  if (!e) return null;
  const bars = ["anger", "frustration", "anxiety", "sadness", "satisfaction"].map((f) => {
    const v = Math.max(0, Math.min(1, Number(e[f]) || 0));
    return h("div", { class: `emo emo-${f}`, title: `${t("feeling." + f)} ${v.toFixed(2)}` },
      h("span", { class: "emo-name" }, t("feeling." + f)),
      h("span", { class: "emo-meter" }, h("span", { class: "emo-fill", style: `width:${Math.round(v * 100)}%` })),
      h("span", { class: "emo-val" }, v.toFixed(2)));
  });
  const mood = p.mood || [];
  let spark = null;
  if (mood.length >= 2) {
    const W = 120, H = 32, n = mood.length;
    const pts = mood.map((m, i) => `${(i * (W - 8)) / (n - 1) + 4},${H - 4 - (Math.max(0, Math.min(1, m.anger)) * (H - 8))}`);
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.setAttribute("class", "spark");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", t("packet.trajectory"));
    const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
    line.setAttribute("points", pts.join(" "));
    svg.append(line);
    for (const pt of pts) {
      const c = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      const [x, y] = pt.split(",");
      c.setAttribute("cx", x); c.setAttribute("cy", y); c.setAttribute("r", "2.2");
      svg.append(c);
    }
    spark = h("div", { class: "spark-box", title: mood.map((m) => m.anger.toFixed(2)).join(" → ") },
      h("span", { class: "pk-muted" }, t("packet.trajectory")), svg);
  }
  return h("div", { class: "pk-row pk-emotion", "data-testid": "packet-emotion" },
    h("div", { class: "pk-label" }, t("packet.emotion")),
    h("div", { class: "emo-grid" }, bars, spark));
}

