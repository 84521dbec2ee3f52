// Knowledge page for AI trainers: articles (search, edit, publish, archive/restore, history with line diffs and revert, and "replay first": the draft against recent conversations before publishing), the review queue of people's answers (publish, merge, reject) and the knowledge gaps (grouped unanswered questions, "create an article from this gap", and each new topic's hand-overs before and after it was published), and the topics' names (knowledge-topics.js).
import { t, applyI18n, toggleLang, onLangChange, relTime, clock, topicLabel } from "/assets/i18n.js";
import { $, h, api, toast, loadTopics } from "/assets/ui.js";
import { loadTopicsPane, renderTopics } from "/assets/knowledge-topics.js";

const S = { trainer: true, tab: "articles", articles: [], selected: null, versions: [], candidates: [], gaps: null, filter: "", archived: false, replay: null };
const REPLAY_LIMIT = 200;

const fail = (e) => { if (!e.silent) toast(t("kn.error", { msg: e.message || e.code })); };
const pct = (x) => Math.round(100 * x);

// ---- Articles ----

function matches(a) {
  const q = S.filter.trim().toLowerCase();
  if (!S.archived && a.archived) return false;
  if (!q) return true;
  return [a.title, a.slug, a.topic, ...a.questions].some((s) => s.toLowerCase().includes(q));
}

function renderList() {
  const shown = S.articles.filter(matches);
  $("count").textContent = t(shown.length === 1 ? "kn.count1" : "kn.count", { n: shown.length });
  $("articles").replaceChildren(...shown.map((a) => h("li", {
    class: `kn-item${S.selected && S.selected.id === a.id ? " active" : ""}${a.archived ? " archived" : ""}`,
    "data-slug": a.slug, "data-lang": a.lang, onclick: () => select(a.id),
  },
  h("span", { class: "kn-item-title" }, a.title),
  h("span", { class: "kn-item-meta" },
    h("span", { class: "chip chip-topic" }, topicLabel(a.topic)),
    h("span", { class: "chip chip-muted" }, a.lang === "zh" ? "中文" : "EN"),
    a.archived ? h("span", { class: "chip chip-muted" }, t("kn.isArchived")) : null,
    h("span", { class: "pk-muted" }, `v${a.version}`)))));
}

function fill(d) {
  $("f-title").value = d.title || "";
  $("f-lang").value = d.lang || "en";
  $("f-slug").value = d.slug || "";
  $("f-topic").value = d.topic || "";
  $("f-body").value = d.body || "";
  $("f-questions").value = (d.questions || []).join("\n");
}

function draft() {
  return {
    title: $("f-title").value, lang: $("f-lang").value, slug: $("f-slug").value, topic: $("f-topic").value,
    body: $("f-body").value, questions: $("f-questions").value.split("\n").map((s) => s.trim()).filter(Boolean),
  };
}

const slugify = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60);

function renderEditor() {
  const a = S.selected;
  $("editor").hidden = false;
  $("editor-title").textContent = a ? t("kn.editTitle", { v: a.version }) : t("kn.newTitle");
  $("archive").hidden = !a;
  if (a) $("archive").textContent = t(a.archived ? "kn.restore" : "kn.archive");
  $("history-box").hidden = !a;
  $("history").replaceChildren(...S.versions.map((v) => h("li", { class: "kn-version", "data-version": v.version },
    h("strong", {}, `v${v.version}`),
    h("span", {}, t(`kn.change.${v.change.split(":")[0]}`)),
    h("span", { class: "pk-muted" }, v.author),
    h("time", { title: clock(v.updated_at).full }, relTime(v.updated_at)),
    h("span", { class: "pk-spacer" }),
    h("button", { type: "button", class: "btn btn-sm", "data-testid": "kb-diff-btn", onclick: () => showDiff(v.version) }, t("kn.diffBtn")),
    v.version !== a.version ? h("button", { type: "button", class: "btn btn-sm", onclick: () => revert(v.version) }, t("kn.revertBtn")) : null)));
  renderReplay();
}

async function select(id) {
  try {
    const d = await api("GET", `/api/v1/articles/${id}`);
    S.selected = d.article;
    S.versions = d.versions;
    S.replay = null;
    fill(d.article);
    $("status").textContent = "";
    $("diff").hidden = true;
    renderEditor();
    renderList();
  } catch (e) { fail(e); }
}

function startNew(prefill) {
  S.selected = null;
  S.versions = [];
  S.replay = null;
  fill(prefill || { lang: "en" });
  $("status").textContent = "";
  renderEditor();
  renderList();
  $("f-title").focus();
}

async function save() {
  const d = draft();
  if (!d.slug) d.slug = slugify(d.title) || `article-${Date.now()}`;
  try {
    const res = S.selected
      ? await api("PUT", `/api/v1/articles/${S.selected.id}`, d)
      : await api("POST", "/api/v1/articles", d);
    $("status").textContent = S.selected ? t("kn.saved", { v: res.article.version }) : t("kn.created");
    await loadArticles();
    await select(res.article.id);
    $("status").textContent = res.article.version > 1 ? t("kn.saved", { v: res.article.version }) : t("kn.created");
  } catch (e) { fail(e); }
}

async function toggleArchive() {
  const a = S.selected;
  try {
    await api("POST", `/api/v1/articles/${a.id}/${a.archived ? "restore" : "archive"}`, {});
    await loadArticles();
    await select(a.id);
    $("status").textContent = t(a.archived ? "kn.restored" : "kn.archivedNow");
  } catch (e) { fail(e); }
}

async function revert(version) {
  try {
    const res = await api("POST", `/api/v1/articles/${S.selected.id}/revert`, { version });
    await loadArticles();
    await select(res.article.id);
    $("status").textContent = t("kn.reverted", { v: version, n: res.article.version });
  } catch (e) { fail(e); }
}

async function showDiff(version) {
  try {
    const d = await api("GET", `/api/v1/articles/${S.selected.id}/diff?to=${version}`);
    const box = $("diff");
    const df = d.diff;
    const empty = !df.fields.length && !df.questions_added.length && !df.questions_removed.length && df.body.every((l) => l.op === "same");
    box.replaceChildren(...[
      h("h4", {}, t("kn.diffTitle", { from: d.from, to: d.to })),
      ...df.fields.map((f) => h("p", { class: "kn-field-change" }, h("strong", {}, `${f.field}: `), h("del", {}, f.before), " → ", h("ins", {}, f.after))),
      h("pre", { class: "kn-diff-body" }, ...df.body.map((l) => h("span", { class: `kn-line kn-${l.op}` }, `${l.op === "added" ? "+ " : l.op === "removed" ? "− " : "  "}${l.text}\n`))),
      df.questions_added.length ? h("p", {}, h("strong", {}, `${t("kn.questionsAdded")}: `), df.questions_added.join(" · ")) : null,
      df.questions_removed.length ? h("p", {}, h("strong", {}, `${t("kn.questionsRemoved")}: `), df.questions_removed.join(" · ")) : null,
      empty ? h("p", { class: "pk-muted" }, t("kn.noChange")) : null
    ].filter(Boolean));
    box.hidden = false;
  } catch (e) { fail(e); }
}

function outcome(o) {
  if (o.kind === "handoff") return t("kn.out.handoff", { reason: t(`reason.${o.reason}`) });
  return t(`kn.out.${o.kind}`);
}

function renderReplay() {
  const box = $("replay-result");
  const r = S.replay;
  box.hidden = !r;
  if (!r) return;
  if (r.running) { box.replaceChildren(h("p", { class: "pk-muted" }, t("kn.replaying", { n: REPLAY_LIMIT }))); return; }
  const row = (key, field, share) => h("tr", {},
    h("td", {}, t(key)),
    h("td", { class: "sup-num" }, share ? `${pct(r.current[share])}% (${r.current[field]})` : String(r.current[field])),
    h("td", { class: "sup-num" }, share ? `${pct(r.draft[share])}% (${r.draft[field]})` : String(r.draft[field])));
  box.replaceChildren(
    h("h4", {}, t("kn.replay.title", { n: r.conversations })),
    h("table", { class: "pol-rules" },
      h("thead", {}, h("tr", {}, h("th", {}), h("th", {}, t("kn.replay.current")), h("th", {}, t("kn.replay.draft")))),
      h("tbody", {},
        row("kn.replay.answered", "answered", "answered_share"),
        row("kn.replay.handoff", "handoff", "handoff_rate"),
        row("kn.replay.unanswered", "unanswered"))),
    h("p", { class: "kn-replay-changed" }, r.changed.length ? t("kn.replay.changed", { n: r.changed.length }) : t("kn.replay.none")),
    h("ul", { class: "kn-changes" }, ...r.changed.slice(0, 20).map((c) => h("li", {},
      h("a", { href: `/inbox#/all/${c.id}` }, `“${c.opening.slice(0, 80)}”`), " ",
      h("span", { class: "pk-muted" }, `${outcome(c.current)} → `), h("strong", {}, outcome(c.draft))))));
}

async function replay() {
  S.replay = { running: true };
  renderReplay();
  try {
    const d = draft();
    if (!d.slug) d.slug = slugify(d.title) || "draft";
    S.replay = await api("POST", "/api/v1/replay", { articles: [d], limit: REPLAY_LIMIT });
  } catch (e) { S.replay = null; fail(e); }
  renderReplay();
}

async function loadArticles() {
  const d = await api("GET", "/api/v1/articles?archived=true");
  S.articles = d.articles.sort((a, b) => a.topic.localeCompare(b.topic) || a.slug.localeCompare(b.slug) || a.lang.localeCompare(b.lang));
  renderList();
}

// ---- Review queue ----

function renderCandidates() {
  $("review-count").textContent = String(S.candidates.length);
  $("candidates").replaceChildren(...(S.candidates.length ? S.candidates.map((c) => {
    const answer = h("textarea", { class: "pol-source kn-body", rows: 4, "data-testid": "cand-answer" });
    answer.value = c.answer;
    const decide = async (what, body, done) => {
      try {
        await api("POST", `/api/v1/candidates/${c.id}/${what}`, body);
        toast(t(done), "ok");
        await Promise.all([loadCandidates(), loadArticles()]);
      } catch (e) { fail(e); }
    };
    return h("li", { class: "pol-card kn-card", "data-candidate": c.id },
      h("div", { class: "pk-label" }, t("kn.review.question")),
      h("p", { class: "kn-question" }, c.question),
      h("div", { class: "pk-label" }, t("kn.review.answer")),
      answer,
      h("div", { class: "pk-chips" },
        h("span", { class: "chip chip-muted" }, c.lang === "zh" ? "中文" : "EN"),
        c.topic ? h("span", { class: "chip chip-topic" }, topicLabel(c.topic)) : null,
        h("span", { class: "pk-muted" }, t("kn.review.by", { agent: c.agent_name })),
        h("a", { href: `/inbox#/resolved/${c.conversation_id}` }, t("kn.review.conversation")),
        h("time", { class: "pk-muted", title: clock(c.created_at).full }, relTime(c.created_at))),
      c.near ? h("p", { class: "kn-near" }, t("kn.review.near", { title: c.near.title, pct: pct(c.near.confidence) })) : null,
      c.conflict ? h("p", { class: "pol-note" }, t("kn.review.conflict", { note: c.conflict })) : null,
      h("div", { class: "pol-bar" },
        h("span", { class: "pk-spacer" }),
        h("button", { type: "button", class: "btn", "data-testid": "cand-reject", onclick: () => decide("reject", {}, "kn.review.rejected") }, t("kn.review.reject")),
        c.near ? h("button", { type: "button", class: "btn", "data-testid": "cand-merge", onclick: () => decide("merge", { article_id: c.near.article_id, body: answer.value }, "kn.review.merged") }, t("kn.review.merge", { title: c.near.title })) : null,
        h("button", { type: "button", class: "btn btn-primary", "data-testid": "cand-approve", onclick: () => decide("approve", { body: answer.value }, "kn.review.approved") }, t("kn.review.approve"))));
  }) : [h("li", { class: "pk-muted" }, t("kn.review.none"))]));
}

async function loadCandidates() {
  const d = await api("GET", "/api/v1/candidates");
  S.candidates = d.candidates;
  renderCandidates();
}

// ---- Gaps ----

function spark(daily) {
  const max = Math.max(1, ...daily);
  return h("span", { class: "kn-spark", "aria-hidden": "true" }, ...daily.map((n) => h("span", { style: `height:${Math.max(2, Math.round((22 * n) / max))}px`, class: n ? "on" : "" })));
}

function renderGaps() {
  const g = S.gaps;
  if (!g) return;
  $("gaps-summary").textContent = t("kn.gaps.summary", { questions: g.questions, open: g.open, covered: g.covered_since });
  $("gaps").replaceChildren(...(g.gaps.length ? g.gaps.map((gap) => h("li", { class: "pol-card kn-card kn-gap" },
    h("div", { class: "kn-gap-head" },
      h("strong", { class: "kn-question" }, gap.label),
      h("span", { class: `chip kn-trend-${gap.trend.direction}` }, t(`kn.trend.${gap.trend.direction}`)),
      ...gap.langs.map((l) => h("span", { class: "chip chip-muted" }, l === "zh" ? "中文" : "EN")),
      h("span", { class: "pk-spacer" }),
      spark(gap.daily)),
    h("p", { class: "pk-muted" }, t("kn.gaps.volume", { n: gap.volume, c: gap.conversations, e: gap.escalated })),
    h("ul", { class: "kn-examples" }, ...gap.examples.map((e) => h("li", {}, h("a", { href: `/inbox#/all/${e.conversation}` }, e.question)))),
    h("p", { class: "kn-nearest" }, h("span", { class: "pk-label" }, `${t("kn.gaps.nearest")}: `),
      gap.nearest.length ? gap.nearest.map((n, i) => [i ? " · " : "", h("a", { href: "#", onclick: (ev) => { ev.preventDefault(); show("articles"); select(n.article_id); } }, n.title), h("span", { class: "pk-muted" }, ` ${pct(n.confidence)}%`)]) : t("kn.gaps.noNearest")),
    h("div", { class: "pol-bar" }, h("span", { class: "pk-spacer" }),
      h("button", { type: "button", class: "btn btn-primary btn-sm", "data-testid": "gap-create", onclick: () => {
        const zh = gap.langs.length === 1 && gap.langs[0] === "zh";
        show("articles");
        startNew({ title: gap.label, lang: zh ? "zh" : "en", questions: gap.examples.map((e) => e.question), body: "" });
      } }, t("kn.gaps.create")))))
    : [h("li", { class: "pk-muted" }, t("kn.gaps.none"))]));
  const rate = (r) => (r.questions ? t("kn.impact.rate", { pct: pct((r.escalated + r.unanswered) / r.questions), n: r.questions }) : "—");
  $("impact").replaceChildren(...(g.topics.length ? g.topics.map((x) => h("tr", {},
    h("td", {}, h("strong", {}, topicLabel(x.topic)), h("div", { class: "pol-desc" }, x.articles.join(", "))),
    h("td", {}, h("time", { title: clock(x.published_at).full }, relTime(x.published_at))),
    h("td", { class: "sup-num" }, rate(x.before)),
    h("td", { class: "sup-num" }, rate(x.after))))
    : [h("tr", {}, h("td", { colspan: 4, class: "pk-muted" }, t("kn.impact.none")))]));
}

async function loadGaps() {
  S.gaps = await api("GET", "/api/v1/gaps?days=30");
  renderGaps();
}

// ---- Tabs ----

function show(tab) {
  S.tab = tab;
  for (const b of document.querySelectorAll(".kn-tab")) b.classList.toggle("active", b.dataset.tab === tab);
  for (const p of ["articles", "review", "gaps", "topics"]) $(`pane-${p}`).hidden = p !== tab;
  if (location.hash !== `#${tab}`) history.replaceState(null, "", `#${tab}`);
  if (tab === "gaps" && S.trainer) loadGaps().catch(fail);
  if (tab === "review" && S.trainer) loadCandidates().catch(fail);
  if (tab === "topics") loadTopicsPane(S.trainer).catch(fail);
}

function renderAll() {
  renderList();
  if (!$("editor").hidden) renderEditor();
  renderCandidates();
  renderGaps();
  renderTopics(S.trainer);
}

async function boot() {
  applyI18n();
  $("lang").addEventListener("click", toggleLang);
  onLangChange(() => { applyI18n(); renderAll(); });
  for (const b of document.querySelectorAll(".kn-tab")) b.addEventListener("click", () => show(b.dataset.tab));
  $("search").addEventListener("input", (e) => { S.filter = e.target.value; renderList(); });
  $("show-archived").addEventListener("change", (e) => { S.archived = e.target.checked; renderList(); });
  $("new").addEventListener("click", () => startNew());
  $("save").addEventListener("click", save);
  $("archive").addEventListener("click", toggleArchive);
  $("replay").addEventListener("click", replay);
  // A topic renamed on the Topics tab shows by its new name everywhere on the page.
  document.addEventListener("backstop:topics", () => { renderList(); renderGaps(); });
  await loadTopics();
  try {
    const me = await api("GET", "/api/v1/me");
    S.trainer = me.permissions.includes("train_ai");
    $("denied").hidden = S.trainer;
    // The review queue is the trainers' (an agent would only be refused it).
    await Promise.all([loadArticles(), S.trainer ? loadCandidates() : null]);
  } catch (e) {
    fail(e);
  }
  const tab = location.hash.replace("#", "");
  show(["articles", "review", "gaps", "topics"].includes(tab) ? tab : "articles");
  document.body.classList.add("ready");
}

boot();
