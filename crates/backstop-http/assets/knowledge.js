// Knowledge page for AI trainers: articles (search, edit, publish, archive/restore, history with line diffs and revert, and "replay first": the draft against recent conversations before publishing), the review queue of people's answers (publish, merge, reject) and the knowledge gaps (grouped unanswered questions, "create an article from this gap", and each new topic's hand-overs before and after it was published).
import { STRINGS, t, applyI18n, toggleLang, onLangChange, relTime, clock, topicLabel } from "/assets/i18n.js";

Object.assign(STRINGS.en, {
  "kn.title": "Knowledge", "kn.tab.articles": "Articles", "kn.tab.review": "Review queue", "kn.tab.gaps": "Gaps",
  "kn.denied": "Only supervisors and admins (the AI trainers) can change the knowledge base.",
  "kn.search": "Search titles, questions, topics", "kn.archived": "Archived", "kn.new": "New article",
  "kn.count": "{n} articles", "kn.count1": "1 article", "kn.f.title": "Title", "kn.f.lang": "Language", "kn.f.slug": "Slug (shared by translations)",
  "kn.f.topic": "Topic", "kn.f.body": "Answer", "kn.f.questions": "How customers ask it (one per line)",
  "kn.replay": "Replay first", "kn.save": "Publish", "kn.archive": "Archive", "kn.restore": "Restore",
  "kn.history": "History", "kn.newTitle": "New article", "kn.editTitle": "Edit · version {v}",
  "kn.saved": "Published as version {v}. The AI answers from it now.", "kn.created": "Published. The AI answers from it now.",
  "kn.archivedNow": "Archived: the AI no longer uses it.", "kn.restored": "Restored.",
  "kn.reverted": "Version {v} is back as version {n}.", "kn.isArchived": "archived",
  "kn.change.create": "created", "kn.change.update": "edited", "kn.change.archive": "archived", "kn.change.restore": "restored",
  "kn.change.revert": "reverted", "kn.change.import": "imported", "kn.change.merge": "merged",
  "kn.diffBtn": "Changes", "kn.revertBtn": "Revert to this", "kn.diffTitle": "Version {from} → {to}", "kn.noChange": "No change in the content.",
  "kn.questionsAdded": "Questions added", "kn.questionsRemoved": "Questions removed",
  "kn.replaying": "Replaying the last {n} conversations…",
  "kn.replay.title": "Replay of {n} recent conversations", "kn.replay.current": "Now", "kn.replay.draft": "With this draft",
  "kn.replay.answered": "AI answers", "kn.replay.handoff": "Handed over", "kn.replay.unanswered": "Kept, no answer",
  "kn.replay.changed": "{n} conversations change", "kn.replay.none": "No conversation changes outcome.",
  "kn.out.answered": "AI answers", "kn.out.unanswered": "no answer", "kn.out.handoff": "hand-over: {reason}",
  "kn.review.intro": "When a person resolves a conversation the AI handed over, their answer comes here — personal data taken out. Publish it, merge it into the article it is close to, or reject it.",
  "kn.review.none": "Nothing to review. People's answers to handed-over questions arrive here.",
  "kn.review.question": "Customer asked", "kn.review.answer": "Answer (edit before publishing)",
  "kn.review.by": "Answered by {agent}", "kn.review.near": "Close to “{title}” ({pct}%)", "kn.review.conflict": "Check: {note}",
  "kn.review.approve": "Publish as article", "kn.review.merge": "Merge into “{title}”", "kn.review.reject": "Reject",
  "kn.review.conversation": "Conversation", "kn.review.approved": "Published.", "kn.review.merged": "Merged.", "kn.review.rejected": "Rejected.",
  "kn.gaps.intro": "Questions of the last 30 days that the AI could not answer or handed over, which today's knowledge base still does not answer, grouped by meaning.",
  "kn.gaps.summary": "{questions} questions read · {open} still without an answer · {covered} answered since by new articles",
  "kn.gaps.none": "No gaps: every question of the period is answered by today's knowledge base.",
  "kn.gaps.volume": "Asked {n}× · conversations: {c} · handed over: {e}", "kn.gaps.nearest": "Nearest articles",
  "kn.gaps.create": "Create an article from this gap", "kn.gaps.noNearest": "none",
  "kn.trend.new": "new", "kn.trend.rising": "rising", "kn.trend.falling": "falling", "kn.trend.steady": "steady",
  "kn.impact": "Did publishing help?", "kn.impact.topic": "Topic", "kn.impact.published": "Published",
  "kn.impact.before": "Before: handed over or unanswered", "kn.impact.after": "After",
  "kn.impact.none": "No topic got a new article for questions asked before it.", "kn.impact.rate": "{pct}% of {n}",
  "kn.error": "Could not save: {msg}",
});
Object.assign(STRINGS.zh, {
  "kn.title": "知识库", "kn.tab.articles": "文章", "kn.tab.review": "待审核", "kn.tab.gaps": "知识缺口",
  "kn.denied": "只有主管和管理员（AI 训练师）可以修改知识库。",
  "kn.search": "搜索标题、问法、主题", "kn.archived": "已归档", "kn.new": "新建文章",
  "kn.count": "共 {n} 篇", "kn.count1": "共 1 篇", "kn.f.title": "标题", "kn.f.lang": "语言", "kn.f.slug": "标识（译文共用）",
  "kn.f.topic": "主题", "kn.f.body": "答案", "kn.f.questions": "顾客的问法（每行一个）",
  "kn.replay": "先回放验证", "kn.save": "发布", "kn.archive": "归档", "kn.restore": "恢复",
  "kn.history": "版本历史", "kn.newTitle": "新建文章", "kn.editTitle": "编辑 · 第 {v} 版",
  "kn.saved": "已发布为第 {v} 版，AI 现在就用它回答。", "kn.created": "已发布，AI 现在就用它回答。",
  "kn.archivedNow": "已归档：AI 不再使用。", "kn.restored": "已恢复。",
  "kn.reverted": "第 {v} 版的内容已恢复为第 {n} 版。", "kn.isArchived": "已归档",
  "kn.change.create": "创建", "kn.change.update": "编辑", "kn.change.archive": "归档", "kn.change.restore": "恢复",
  "kn.change.revert": "回滚", "kn.change.import": "导入", "kn.change.merge": "合并",
  "kn.diffBtn": "查看改动", "kn.revertBtn": "回滚到此版", "kn.diffTitle": "第 {from} 版 → 第 {to} 版", "kn.noChange": "内容没有变化。",
  "kn.questionsAdded": "新增问法", "kn.questionsRemoved": "删除问法",
  "kn.replaying": "正在回放最近 {n} 个会话…",
  "kn.replay.title": "最近 {n} 个会话的回放", "kn.replay.current": "当前", "kn.replay.draft": "使用此草稿",
  "kn.replay.answered": "AI 解答", "kn.replay.handoff": "转人工", "kn.replay.unanswered": "未转人工但未解答",
  "kn.replay.changed": "{n} 个会话结果改变", "kn.replay.none": "没有会话的结果改变。",
  "kn.out.answered": "AI 解答", "kn.out.unanswered": "未解答", "kn.out.handoff": "转人工：{reason}",
  "kn.review.intro": "人工解决了 AI 转交的会话后，其答案会出现在这里（已去除个人信息）。可以发布为文章、合并到相近的文章，或驳回。",
  "kn.review.none": "暂无待审核内容。人工对转交问题的答复会出现在这里。",
  "kn.review.question": "顾客的问题", "kn.review.answer": "答案（发布前可编辑）",
  "kn.review.by": "由 {agent} 答复", "kn.review.near": "与“{title}”相近（{pct}%）", "kn.review.conflict": "请核对：{note}",
  "kn.review.approve": "发布为文章", "kn.review.merge": "合并到“{title}”", "kn.review.reject": "驳回",
  "kn.review.conversation": "查看会话", "kn.review.approved": "已发布。", "kn.review.merged": "已合并。", "kn.review.rejected": "已驳回。",
  "kn.gaps.intro": "最近 30 天 AI 未能解答或转人工、且当前知识库仍无法解答的问题，按语义归类。",
  "kn.gaps.summary": "共读取 {questions} 个问题 · {open} 个仍无答案 · {covered} 个已由新文章解答",
  "kn.gaps.none": "没有知识缺口：这段时间的问题，当前知识库都能解答。",
  "kn.gaps.volume": "{n} 个问题 · {c} 个会话 · {e} 个转人工", "kn.gaps.nearest": "最接近的文章",
  "kn.gaps.create": "根据此缺口新建文章", "kn.gaps.noNearest": "无",
  "kn.trend.new": "新出现", "kn.trend.rising": "上升", "kn.trend.falling": "下降", "kn.trend.steady": "平稳",
  "kn.impact": "发布后有效果吗？", "kn.impact.topic": "主题", "kn.impact.published": "发布时间",
  "kn.impact.before": "发布前：转人工或未解答", "kn.impact.after": "发布后",
  "kn.impact.none": "还没有为此前被问到的问题新发布的主题。", "kn.impact.rate": "{n} 个中的 {pct}%",
  "kn.error": "保存失败：{msg}",
});

const $ = (id) => document.getElementById(id);
const S = { tab: "articles", articles: [], selected: null, versions: [], candidates: [], gaps: null, filter: "", archived: false, replay: null };
const REPLAY_LIMIT = 200;

function h(tag, attrs, ...kids) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === "class") n.className = v;
    else if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
    else n.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat(Infinity)) if (k != null && k !== false) n.append(k instanceof Node ? k : String(k));
  return n;
}

async function api(path, body, method) {
  const init = {
    credentials: "same-origin",
    method: method || (body ? "POST" : "GET"),
    headers: { "X-Requested-With": "backstop" }
  };
  if (body) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  const res = await fetch(path, init);
  if (res.status === 401) { location.href = "/login"; throw { silent: true }; }
  const data = await res.json().catch(() => null);
  if (!res.ok) throw (data && data.error) || { code: `http_${res.status}`, message: res.statusText };
  return data;
}

function toast(text, kind = "") {
  const n = h("div", { class: `toast ${kind}`, role: "status" }, text);
  $("toasts").append(n);
  setTimeout(() => n.remove(), 4000);
}
const fail = (e) => { if (!e.silent) toast(t("kn.error", { msg: e.message || e.code }), "toast-error"); };
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
    const d = await api(`/api/v1/articles/${id}`);
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
      ? await api(`/api/v1/articles/${S.selected.id}`, d, "PUT")
      : await api("/api/v1/articles", d);
    $("status").textContent = S.selected ? t("kn.saved", { v: res.article.version }) : t("kn.created");
    await loadArticles();
    await select(res.article.id);
    $("status").textContent = res.article.version > 1 ? t("kn.saved", { v: res.article.version }) : t("kn.created");
  } catch (e) { fail(e); }
}

async function toggleArchive() {
  const a = S.selected;
  try {
    await api(`/api/v1/articles/${a.id}/${a.archived ? "restore" : "archive"}`, {});
    await loadArticles();
    await select(a.id);
    $("status").textContent = t(a.archived ? "kn.restored" : "kn.archivedNow");
  } catch (e) { fail(e); }
}

async function revert(version) {
  try {
    const res = await api(`/api/v1/articles/${S.selected.id}/revert`, { version });
    await loadArticles();
    await select(res.article.id);
    $("status").textContent = t("kn.reverted", { v: version, n: res.article.version });
  } catch (e) { fail(e); }
}

async function showDiff(version) {
  try {
    const d = await api(`/api/v1/articles/${S.selected.id}/diff?to=${version}`);
    const box = $("diff");
    const df = d.diff;
    const empty = !df.fields.length && !df.questions_added.length && !df.questions_removed.length && df.body.every((l) => l.op === "same");
    box.replaceChildren(
      h("h4", {}, t("kn.diffTitle", { from: d.from, to: d.to })),
      ...df.fields.map((f) => h("p", { class: "kn-field-change" }, h("strong", {}, `${f.field}: `), h("del", {}, f.before), " → ", h("ins", {}, f.after))),
      h("pre", { class: "kn-diff-body" }, ...df.body.map((l) => h("span", { class: `kn-line kn-${l.op}` }, `${l.op === "added" ? "+ " : l.op === "removed" ? "− " : "  "}${l.text}\n`))),
      df.questions_added.length ? h("p", {}, h("strong", {}, `${t("kn.questionsAdded")}: `), df.questions_added.join(" · ")) : null,
      df.questions_removed.length ? h("p", {}, h("strong", {}, `${t("kn.questionsRemoved")}: `), df.questions_removed.join(" · ")) : null,
      empty ? h("p", { class: "pk-muted" }, t("kn.noChange")) : null);
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
    S.replay = await api("/api/v1/replay", { articles: [d], limit: REPLAY_LIMIT });
  } catch (e) { S.replay = null; fail(e); }
  renderReplay();
}

async function loadArticles() {
  const d = await api("/api/v1/articles?archived=true");
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
        await api(`/api/v1/candidates/${c.id}/${what}`, body);
        toast(t(done));
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
  const d = await api("/api/v1/candidates");
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
  S.gaps = await api("/api/v1/gaps?days=30");
  renderGaps();
}

// ---- Tabs ----

function show(tab) {
  S.tab = tab;
  for (const b of document.querySelectorAll(".kn-tab")) b.classList.toggle("active", b.dataset.tab === tab);
  for (const p of ["articles", "review", "gaps"]) $(`pane-${p}`).hidden = p !== tab;
  if (location.hash !== `#${tab}`) history.replaceState(null, "", `#${tab}`);
  if (tab === "gaps") loadGaps().catch(fail);
  if (tab === "review") loadCandidates().catch(fail);
}

function renderAll() {
  renderList();
  if (!$("editor").hidden) renderEditor();
  renderCandidates();
  renderGaps();
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
  try {
    await Promise.all([loadArticles(), loadCandidates()]);
  } catch (e) {
    if (e && e.code === "forbidden") $("denied").hidden = false;
  }
  const tab = location.hash.replace("#", "");
  show(["articles", "review", "gaps"].includes(tab) ? tab : "articles");
  document.body.classList.add("ready");
}

boot();
