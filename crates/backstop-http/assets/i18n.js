// Shared zh/en UI strings for the agent login and inbox pages, so both speak the same words in either language.

export const STRINGS = {
  en: {
    "app.name": "Backstop",
    "app.tagline": "Agent workspace",
    "lang.switch": "中文",
    "lang.switchTitle": "Switch language",

    "login.title": "Sign in to your inbox",
    "login.subtitle": "Pick up where the AI left off.",
    "login.tenant": "Workspace",
    "login.email": "Email",
    "login.password": "Password",
    "login.submit": "Sign in",
    "login.busy": "Signing in…",
    "login.store": "Open the demo store",
    "login.footer": "Open-source, self-hosted customer service",
    "error.invalid_credentials": "That email and password don't match. Please try again.",
    "error.tenant_not_found": "We couldn't find that workspace.",
    "error.network": "Can't reach the server. Check your connection and try again.",
    "error.generic": "Something went wrong. Please try again.",

    "view.queue": "Waiting",
    "view.queueHint": "Queue",
    "view.mine": "Mine",
    "view.ai": "AI handling",
    "view.resolved": "Resolved",
    "nav.views": "Inbox",
    "nav.logout": "Sign out",
    "nav.live": "Live",
    "nav.reconnecting": "Reconnecting…",

    "role.agent": "Agent",
    "role.supervisor": "Supervisor",
    "role.admin": "Admin",

    "list.search": "Filter conversations",
    "list.empty.queue": "No one is waiting. Nice work!",
    "list.empty.mine": "Nothing assigned to you right now.",
    "list.empty.ai": "The AI isn't handling any conversations.",
    "list.empty.resolved": "No resolved conversations yet.",
    "list.loading": "Loading…",
    "list.noMessages": "No messages yet",
    "list.waiting": "waiting {time}",

    "customer.visitor": "Visitor",
    "customer.unverified": "e-mail unverified",
    "customer.unverifiedHint": "The visitor typed this e-mail; the shop did not confirm it. Check who they are before sharing account details.",
    "tag.vip": "VIP",

    "reason.customer_request": "Asked for a person",
    "reason.no_answer": "AI couldn't answer",
    "reason.out_of_scope": "Outside what the AI knows",
    "reason.anger": "Frustrated customer",
    "reason.vip": "VIP",
    "reason.complaint": "Threatens to complain",
    "reason.sensitive": "Sensitive matter",
    "reason.review": "AI draft to approve",
    "reason.policy": "Tenant rule",

    "priority.normal": "Normal",
    "priority.high": "High",
    "priority.urgent": "Urgent",

    "tier.vip": "VIP",
    "tier.standard": "Standard",

    "status.open": "Open",
    "status.snoozed": "Snoozed",
    "status.resolved": "Resolved",
    "status.closed": "Closed",

    "owner.ai": "AI is handling this",
    "owner.queue": "Waiting for a person",
    "owner.queueTeam": "Waiting in {team}",
    "owner.me": "Assigned to you",
    "owner.agent": "Assigned to {agent}",

    "conv.empty": "Select a conversation",
    "conv.emptyHint": "Pick one from the list to read the handoff and reply.",
    "conv.loading": "Loading conversation…",
    "conv.lang": "Language: {lang}",
    "conv.queuePos": "#{n} in queue",

    "action.take": "Take",
    "action.handback": "Hand back to AI",
    "action.resolve": "Resolve",
    "action.reopen": "Reopen",

    "packet.title": "Handoff from AI",
    "packet.reason": "Reason",
    "packet.team": "Team",
    "packet.priority": "Priority",
    "packet.tier": "Tier",
    "packet.topic": "Topic",
    "packet.language": "Language",
    "packet.summary": "Summary",
    "packet.facts": "Facts",
    "packet.tried": "What the AI tried",
    "packet.noArticle": "No matching article",
    "packet.confident": "confident",
    "packet.unsure": "not confident",
    "packet.anger": "Anger cues",
    "packet.angerScore": "score {score}",
    "packet.collapse": "Hide",
    "packet.expand": "Show",
    "packet.why": "Why it came to you",
    "packet.rule": "Rule {rule}",
    "packet.policyVersion": "policy v{v}",
    "packet.policyDefault": "built-in policy",
    "packet.alsoMatched": "Also matched: {rules}",
    "packet.emotion": "Emotion",
    "packet.trajectory": "Anger by turn",
    "packet.draft": "AI draft (approve, edit or discard)",
    "packet.serviceTier": "Service",
    "tierlevel.L2": "L2 · person + AI",
    "tierlevel.L3": "L3 · specialist",
    "feeling.anger": "Anger",
    "feeling.frustration": "Frustration",
    "feeling.anxiety": "Anxiety",
    "feeling.sadness": "Sadness",
    "feeling.satisfaction": "Satisfaction",
    "inflection.rising": "Anger rising turn after turn",
    "inflection.drop_after_answer": "Mood fell right after an AI answer",
    "signal.explicit": "asked for a person",
    "signal.threat": "threat to complain",
    "signal.profanity": "profanity",
    "signal.vip": "VIP",
    "signal.outOfScope": "out of scope",
    "signal.turn": "turn {n}",
    "signal.failed": "{n} unanswered",
    "signal.sensitive": "sensitive: {what}",
    "signal.amount": "amount {amount}",
    "nav.policy": "Policy",
    "nav.knowledge": "Knowledge",
    "draft.approve": "Approve & send",
    "draft.edit": "Edit",
    "draft.sendEdited": "Send edited",
    "draft.reject": "Reject",
    "draft.sent": "Sent as the AI's answer; the AI carries on.",
    "draft.rejected": "Draft rejected: the conversation is yours.",
    "copilot.title": "Copilot",
    "copilot.insert": "Insert",
    "copilot.match": "{n}% match",
    "copilot.source": "Source: {title}",
    "copilot.pastTitle": "Answered before: “{question}”",
    "copilot.pastSource": "{agent}'s answer, {time}",
    "copilot.pastOpen": "see that conversation",
    "copilot.none": "No matching article for the latest messages.",
    "nav.supervisor": "Supervisor",
    "sup.title": "Supervisor",
    "sup.updated": "updated {time}",
    "sup.denied": "Only supervisors and admins see this page.",
    "sup.queues": "Queues",
    "sup.team": "Team",
    "sup.waiting": "Waiting",
    "sup.urgent": "Urgent / high",
    "sup.oldest": "Longest wait",
    "sup.strategy": "Assignment",
    "sup.strategy.manual": "agents take",
    "sup.strategy.round_robin": "round-robin",
    "sup.strategy.least_loaded": "least loaded",
    "sup.strategy.skills": "by skills",
    "sup.agents": "Agents",
    "sup.agent": "Agent",
    "sup.presence": "Presence",
    "sup.load": "Load",
    "sup.skills": "Skills",
    "sup.ratings": "Ratings flagged for review",
    "sup.noRatings": "No low ratings. 🎉",
    "sup.noComment": "(no comment)",
    "sup.open": "open",
    "sup.live": "Live",
    "sup.alerts": "Missed first-reply targets",
    "sup.noAlerts": "Every hand-over was answered in time.",
    "sup.alert.breaches": "missed ×{n}",
    "sup.alert.target": "target {target}",
    "sup.alert.with": "now with {agent}",
    "sup.alert.queued": "waiting in {team}",
    "sup.alert.ticket": "ticket, reply promised by {time}",
    "sup.alert.anon": "Visitor",
    "sup.tickets": "Tickets",
    "sup.hours": "Hours",
    "sup.target": "First-reply target",
    "sup.targets": "VIP {vip} · others {std}",
    "sup.open_now": "open",
    "sup.closed_now": "closed",
    "sup.always": "around the clock",
    "sup.seconds": "{n} s",
    "sup.minutes": "{n} min",
    "action.transfer": "Transfer",
    "transfer.title": "Transfer the conversation",
    "transfer.to": "To",
    "transfer.teams": "Teams",
    "transfer.colleagues": "Colleagues",
    "transfer.note": "Note for them (only agents see it)",
    "transfer.cancel": "Cancel",
    "transfer.submit": "Transfer",
    "transfer.done": "Transferred.",
    "presence.online": "online",
    "presence.away": "away",
    "presence.offline": "offline",
    "nav.settings": "Settings",
    "policy.back": "← Inbox",
    "policy.title": "Escalation policy",
    "policy.intro": "Rules are tried in order for every customer message; the first whose conditions all hold decides whether the AI answers, asks, drafts for approval or hands over — to which team, how urgently and at which tier.",
    "policy.rules": "Rules in force",
    "policy.rule": "Rule",
    "policy.when": "When",
    "policy.then": "Then",
    "policy.always": "always",
    "policy.edit": "Edit (TOML)",
    "policy.readonly": "Only admins can change the policy.",
    "policy.check": "Check",
    "policy.save": "Save as new version",
    "policy.versions": "Versions",
    "policy.noVersions": "No saved versions: the built-in policy is in force.",
    "policy.load": "Load into editor",
    "policy.loaded": "Version {v} is in the editor; save it to restore it.",
    "policy.valid": "Valid: {n} rules.",
    "policy.saved": "Saved as version {v}. The next customer message follows it.",
    "policy.answer": "AI answers",
    "policy.clarify": "AI asks to clarify",
    "policy.handoff": "Hand over",
    "policy.draft": "AI drafts, a person approves",
    "policy.team.general": "General support",
    "policy.team.escalation": "Complaints & VIP",
    "fact.order_number": "Order",
    "fact.email": "Email",
    "fact.phone": "Phone",
    "fact.amount": "Amount",

    "msg.ai": "AI assistant",
    "msg.agent": "Agent",
    "msg.you": "You",
    "msg.note": "Private note",
    "msg.source": "Source: {title}",

    "sys.handoff": "Handed off to a person",
    "sys.handoffTeam": "Handed off to {team}",
    "sys.ticket": "Kept as a ticket: nobody could answer then",
    "sys.ticketTeam": "Kept as a ticket for {team}: nobody could answer then",
    "sla.left": "reply within {time}",
    "sla.overdue": "reply overdue · {time}",
    "sla.ticket": "ticket · reply by {time}",
    "sys.agent_joined": "{agent} joined the conversation",
    "sys.handed_back": "Handed back to the AI assistant",
    "sys.resolved": "Conversation resolved",
    "sys.reopened": "Conversation reopened",

    "compose.reply": "Reply",
    "compose.note": "Private note",
    "compose.replyPh": "Reply to the customer…",
    "compose.notePh": "Write a private note — only your team can see it",
    "compose.send": "Send",
    "compose.addNote": "Add note",
    "compose.hint": "Enter to send · Shift+Enter for a new line",
    "compose.notOwner": "Take this conversation to reply to the customer.",
    "compose.resolved": "This conversation is resolved. Reopen it to reply.",

    "topic.orders": "Orders",
    "topic.shipping": "Shipping",
    "topic.returns": "Returns",
    "topic.refunds": "Refunds",
    "topic.payment": "Payment",
    "topic.invoices": "Invoices",
    "topic.account": "Account",
    "topic.warranty": "Warranty",
    "topic.promotions": "Promotions",

    "lang.zh": "Chinese",
    "lang.en": "English"
  },
  zh: {
    "app.name": "Backstop",
    "app.tagline": "客服工作台",
    "lang.switch": "English",
    "lang.switchTitle": "切换语言",

    "login.title": "登录收件箱",
    "login.subtitle": "从 AI 停下的地方接着服务客户。",
    "login.tenant": "工作区",
    "login.email": "邮箱",
    "login.password": "密码",
    "login.submit": "登录",
    "login.busy": "正在登录…",
    "login.store": "打开演示商城",
    "login.footer": "开源、可自托管的客户服务平台",
    "error.invalid_credentials": "邮箱或密码不正确，请重试。",
    "error.tenant_not_found": "找不到该工作区。",
    "error.network": "无法连接服务器，请检查网络后重试。",
    "error.generic": "出了点问题，请重试。",

    "view.queue": "排队中",
    "view.queueHint": "队列",
    "view.mine": "我的",
    "view.ai": "AI 处理中",
    "view.resolved": "已解决",
    "nav.views": "收件箱",
    "nav.logout": "退出登录",
    "nav.live": "实时",
    "nav.reconnecting": "正在重新连接…",

    "role.agent": "客服",
    "role.supervisor": "主管",
    "role.admin": "管理员",

    "list.search": "筛选会话",
    "list.empty.queue": "没有客户在排队，干得漂亮！",
    "list.empty.mine": "目前没有分配给你的会话。",
    "list.empty.ai": "AI 当前没有正在处理的会话。",
    "list.empty.resolved": "还没有已解决的会话。",
    "list.loading": "加载中…",
    "list.noMessages": "暂无消息",
    "list.waiting": "已等待 {time}",

    "customer.visitor": "访客",
    "customer.unverified": "邮箱未验证",
    "customer.unverifiedHint": "该邮箱由访客自行填写，商家未确认。透露账户信息前请先核实对方身份。",
    "tag.vip": "VIP",

    "reason.customer_request": "客户要求转人工",
    "reason.no_answer": "AI 无法回答",
    "reason.out_of_scope": "超出 AI 知识范围",
    "reason.anger": "客户情绪不满",
    "reason.vip": "VIP",
    "reason.complaint": "扬言投诉",
    "reason.sensitive": "敏感事项",
    "reason.review": "AI 草稿待审核",
    "reason.policy": "租户规则",

    "priority.normal": "普通",
    "priority.high": "高",
    "priority.urgent": "紧急",

    "tier.vip": "VIP",
    "tier.standard": "标准",

    "status.open": "进行中",
    "status.snoozed": "已暂停",
    "status.resolved": "已解决",
    "status.closed": "已关闭",

    "owner.ai": "AI 正在处理",
    "owner.queue": "等待人工接待",
    "owner.queueTeam": "在「{team}」排队",
    "owner.me": "已分配给你",
    "owner.agent": "已分配给 {agent}",

    "conv.empty": "选择一个会话",
    "conv.emptyHint": "从列表中选择会话，查看转接信息并回复。",
    "conv.loading": "正在加载会话…",
    "conv.lang": "语言：{lang}",
    "conv.queuePos": "排队第 {n} 位",

    "action.take": "接待",
    "action.handback": "交还给 AI",
    "action.resolve": "标记解决",
    "action.reopen": "重新打开",

    "packet.title": "AI 转接信息",
    "packet.reason": "原因",
    "packet.team": "团队",
    "packet.priority": "优先级",
    "packet.tier": "客户等级",
    "packet.topic": "主题",
    "packet.language": "语言",
    "packet.summary": "摘要",
    "packet.facts": "关键信息",
    "packet.tried": "AI 已尝试",
    "packet.noArticle": "未找到匹配文章",
    "packet.confident": "有把握",
    "packet.unsure": "没把握",
    "packet.anger": "不满信号",
    "packet.angerScore": "评分 {score}",
    "packet.collapse": "收起",
    "packet.expand": "展开",
    "packet.why": "为何转给你",
    "packet.rule": "规则 {rule}",
    "packet.policyVersion": "策略 v{v}",
    "packet.policyDefault": "内置策略",
    "packet.alsoMatched": "同时命中：{rules}",
    "packet.emotion": "情绪",
    "packet.trajectory": "各轮愤怒值",
    "packet.draft": "AI 草稿（批准、修改或放弃）",
    "packet.serviceTier": "服务层级",
    "tierlevel.L2": "L2 · 人工 + AI 辅助",
    "tierlevel.L3": "L3 · 专家人工",
    "feeling.anger": "愤怒",
    "feeling.frustration": "不满",
    "feeling.anxiety": "焦虑",
    "feeling.sadness": "失落",
    "feeling.satisfaction": "满意",
    "inflection.rising": "愤怒逐轮上升（情绪拐点）",
    "inflection.drop_after_answer": "AI 回答后情绪骤降（情绪拐点）",
    "signal.explicit": "要求人工",
    "signal.threat": "扬言投诉",
    "signal.profanity": "粗口",
    "signal.vip": "VIP",
    "signal.outOfScope": "超出范围",
    "signal.turn": "第 {n} 轮",
    "signal.failed": "{n} 次未答",
    "signal.sensitive": "敏感：{what}",
    "signal.amount": "金额 {amount}",
    "nav.policy": "转人工策略",
    "nav.knowledge": "知识库",
    "draft.approve": "批准并发送",
    "draft.edit": "修改",
    "draft.sendEdited": "发送修改版",
    "draft.reject": "驳回",
    "draft.sent": "已作为 AI 回复发送，AI 继续服务。",
    "draft.rejected": "已驳回草稿：由你继续处理。",
    "copilot.title": "AI 助手建议",
    "copilot.insert": "插入",
    "copilot.match": "匹配度 {n}%",
    "copilot.source": "来源：{title}",
    "copilot.pastTitle": "相似问题的回复：“{question}”",
    "copilot.pastSource": "{agent} 的回复，{time}",
    "copilot.pastOpen": "查看该会话",
    "copilot.none": "最新消息暂无匹配的知识库文章。",
    "nav.supervisor": "主管视图",
    "sup.title": "主管视图",
    "sup.updated": "{time} 更新",
    "sup.denied": "只有主管和管理员可以查看此页面。",
    "sup.queues": "队列",
    "sup.team": "团队",
    "sup.waiting": "等待中",
    "sup.urgent": "紧急 / 高",
    "sup.oldest": "最长等待",
    "sup.strategy": "分配方式",
    "sup.strategy.manual": "坐席自取",
    "sup.strategy.round_robin": "轮流分配",
    "sup.strategy.least_loaded": "最空闲优先",
    "sup.strategy.skills": "按技能",
    "sup.agents": "坐席",
    "sup.agent": "坐席",
    "sup.presence": "状态",
    "sup.load": "负载",
    "sup.skills": "技能",
    "sup.ratings": "待复核的低评分",
    "sup.noRatings": "暂无低评分。🎉",
    "sup.noComment": "（无评论）",
    "sup.open": "查看",
    "sup.live": "实时",
    "sup.alerts": "超出首次响应时限",
    "sup.noAlerts": "所有转人工都已按时响应。",
    "sup.alert.breaches": "超时 ×{n}",
    "sup.alert.target": "时限 {target}",
    "sup.alert.with": "当前由 {agent} 处理",
    "sup.alert.queued": "在「{team}」排队",
    "sup.alert.ticket": "已转工单，承诺 {time} 前回复",
    "sup.alert.anon": "访客",
    "sup.tickets": "工单",
    "sup.hours": "服务时间",
    "sup.target": "首次响应时限",
    "sup.targets": "VIP {vip} · 其他 {std}",
    "sup.open_now": "服务中",
    "sup.closed_now": "已下班",
    "sup.always": "全天候",
    "sup.seconds": "{n} 秒",
    "sup.minutes": "{n} 分钟",
    "action.transfer": "转接",
    "transfer.title": "转接会话",
    "transfer.to": "转给",
    "transfer.teams": "团队",
    "transfer.colleagues": "同事",
    "transfer.note": "给接手人的备注（仅坐席可见）",
    "transfer.cancel": "取消",
    "transfer.submit": "转接",
    "transfer.done": "已转接。",
    "presence.online": "在线",
    "presence.away": "离开",
    "presence.offline": "离线",
    "nav.settings": "设置",
    "policy.back": "← 收件箱",
    "policy.title": "转人工策略",
    "policy.intro": "每条客户消息都按顺序逐条匹配规则；第一条条件全部满足的规则决定 AI 是回答、追问、起草待审，还是转人工——转给哪个团队、多紧急、哪一层级。",
    "policy.rules": "生效中的规则",
    "policy.rule": "规则",
    "policy.when": "条件",
    "policy.then": "动作",
    "policy.always": "总是",
    "policy.edit": "编辑（TOML）",
    "policy.readonly": "只有管理员可以修改策略。",
    "policy.check": "检查",
    "policy.save": "保存为新版本",
    "policy.versions": "历史版本",
    "policy.noVersions": "尚无保存的版本：正在使用内置策略。",
    "policy.load": "载入编辑器",
    "policy.loaded": "版本 {v} 已载入编辑器；保存即可恢复。",
    "policy.valid": "有效：共 {n} 条规则。",
    "policy.saved": "已保存为版本 {v}，下一条客户消息即按此执行。",
    "policy.answer": "AI 回答",
    "policy.clarify": "AI 追问",
    "policy.handoff": "转人工",
    "policy.draft": "AI 起草，人工审核",
    "policy.team.general": "综合客服",
    "policy.team.escalation": "投诉与 VIP 专席",
    "fact.order_number": "订单",
    "fact.email": "邮箱",
    "fact.phone": "电话",
    "fact.amount": "金额",

    "msg.ai": "AI 助手",
    "msg.agent": "客服",
    "msg.you": "你",
    "msg.note": "内部备注",
    "msg.source": "来源：{title}",

    "sys.handoff": "已转接人工",
    "sys.handoffTeam": "已转接至「{team}」",
    "sys.ticket": "已转为工单：当时无人可接待",
    "sys.ticketTeam": "已转为「{team}」的工单：当时无人可接待",
    "sla.left": "请在 {time} 内回复",
    "sla.overdue": "回复已超时 · {time}",
    "sla.ticket": "工单 · {time} 前回复",
    "sys.agent_joined": "{agent} 加入了会话",
    "sys.handed_back": "已交还给 AI 助手",
    "sys.resolved": "会话已解决",
    "sys.reopened": "会话已重新打开",

    "compose.reply": "回复",
    "compose.note": "内部备注",
    "compose.replyPh": "回复客户…",
    "compose.notePh": "写一条内部备注，仅团队成员可见",
    "compose.send": "发送",
    "compose.addNote": "添加备注",
    "compose.hint": "Enter 发送 · Shift+Enter 换行",
    "compose.notOwner": "接待此会话后即可回复客户。",
    "compose.resolved": "此会话已解决，重新打开后才能回复。",

    "topic.orders": "订单",
    "topic.shipping": "物流配送",
    "topic.returns": "退换货",
    "topic.refunds": "退款",
    "topic.payment": "支付",
    "topic.invoices": "发票",
    "topic.account": "账户",
    "topic.warranty": "保修",
    "topic.promotions": "优惠活动",

    "lang.zh": "中文",
    "lang.en": "英文"
  }
};

const KEY = "backstop:lang";
const listeners = new Set();

function detect() {
  let stored = null;
  try { stored = localStorage.getItem(KEY); } catch (e) { /* storage blocked */ }
  if (stored === "zh" || stored === "en") return stored;
  return /^zh/i.test(navigator.language || "") ? "zh" : "en";
}

let current = detect();

/** The active UI language: "zh" or "en". */
export function getLang() { return current; }

/** The BCP 47 locale to hand to Intl for the active language. */
export function locale() { return current === "zh" ? "zh-CN" : "en"; }

/** Translate a key, filling {name} placeholders from vars; unknown keys fall back to English, then to the key. */
export function t(key, vars) {
  const s = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, n) => (vars && vars[n] != null ? String(vars[n]) : ""));
}

/** A knowledge-base topic slug ("shipping") as a label in the active language; unknown slugs are shown tidied. */
export function topicLabel(slug) {
  if (!slug) return "";
  const key = `topic.${slug}`;
  const s = t(key);
  return s !== key ? s : String(slug).replace(/[-_]+/g, " ");
}

/** True when a key exists (used for server codes that may or may not have a local translation). */
export function has(key) { return key in STRINGS.en; }

/** Fill every [data-i18n], [data-i18n-placeholder], [data-i18n-title] and [data-i18n-aria-label] under root. */
export function applyI18n(root = document) {
  document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
  root.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
  root.querySelectorAll("[data-i18n-placeholder]").forEach((n) => { n.placeholder = t(n.dataset.i18nPlaceholder); });
  root.querySelectorAll("[data-i18n-title]").forEach((n) => { n.title = t(n.dataset.i18nTitle); });
  root.querySelectorAll("[data-i18n-aria-label]").forEach((n) => { n.setAttribute("aria-label", t(n.dataset.i18nAriaLabel)); });
}

/** Switch language, remember it, re-apply static strings and notify listeners. */
export function setLang(lang) {
  current = lang === "zh" ? "zh" : "en";
  try { localStorage.setItem(KEY, current); } catch (e) { /* storage blocked */ }
  applyI18n();
  listeners.forEach((fn) => fn(current));
}

export function toggleLang() { setLang(current === "zh" ? "en" : "zh"); }

/** Run fn(lang) after every language switch. */
export function onLangChange(fn) { listeners.add(fn); }

/** "3 min ago" style relative time in the active language. */
export function relTime(iso, now = Date.now()) {
  const d = new Date(iso).getTime();
  if (!Number.isFinite(d)) return "";
  const s = Math.round((d - now) / 1000);
  const abs = Math.abs(s);
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: "auto", style: "short" });
  if (abs < 45) return rtf.format(0, "second");
  if (abs < 3600) return rtf.format(Math.round(s / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(s / 3600), "hour");
  if (abs < 7 * 86400) return rtf.format(Math.round(s / 86400), "day");
  return new Intl.DateTimeFormat(locale(), { month: "short", day: "numeric" }).format(new Date(d));
}

/** Compact duration ("4 min", "2 hr") used for queue waiting time. */
export function duration(iso, now = Date.now()) {
  const d = new Date(iso).getTime();
  if (!Number.isFinite(d)) return "";
  const mins = Math.max(0, Math.round((now - d) / 60000));
  if (mins < 1) return current === "zh" ? "不到 1 分钟" : "<1 min";
  const unit = mins < 60 ? ["minute", mins] : mins < 1440 ? ["hour", Math.round(mins / 60)] : ["day", Math.round(mins / 1440)];
  return new Intl.NumberFormat(locale(), { style: "unit", unit: unit[0], unitDisplay: "short" }).format(unit[1]);
}

/** Clock time for a message, with the full date kept for a tooltip. */
export function clock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return { short: "", full: "" };
  return {
    short: new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit" }).format(d),
    full: new Intl.DateTimeFormat(locale(), { dateStyle: "full", timeStyle: "short" }).format(d)
  };
}
