// Backstop customer chat widget: one dependency-free script any site embeds with <script src="…/widget.js" data-tenant="…">.
(function () {
  "use strict";
  if (window.__backstopWidget) return;
  var script = document.currentScript || document.querySelector("script[data-tenant][src*='widget.js']");
  if (!script) return;
  window.__backstopWidget = true;

  var ds = script.dataset, tenant = ds.tenant || "demo", MAX = 4000;
  var origin = location.origin;
  try { origin = new URL(script.src, location.href).origin; } catch (e) { /* keep page origin */ }
  var wsOrigin = origin.replace(/^http/, "ws");
  var lang = /^zh/i.test(ds.lang || navigator.language || "") ? "zh" : "en";
  var KEY = "backstop:" + tenant + ":";

  var T = {
    en: {
      open: "Open chat", close: "Close chat", ai: "AI assistant", aiSub: "Replies instantly",
      waiting: "Connecting you to a person", queue: "A person is coming · you are #{n} in the queue",
      queueNoPos: "A person is coming · please stay on this page",
      human: "Talk to a human", solved: "That solved it", ph: "Type your message…", send: "Send", sending: "Sending…",
      failed: "Not sent", reconnecting: "Reconnecting…", connecting: "Connecting…",
      greeting: "Hi! I'm {name}'s AI assistant. Ask me about orders, shipping, returns…",
      greetingAnon: "Hi! I'm the AI assistant. Ask me about orders, shipping, returns…",
      typing: "The AI assistant is typing…", source: "Source: {t}", wholeArticle: "Read the whole article", hideArticle: "Hide the article", resolvedNote: "This conversation is resolved. Write again any time.",
      support: "Support", powered: "Powered by Backstop",
      handoff: "Transferred to a person", handoffTeam: "Transferred to {team}",
      agent_joined: "{agent} joined the conversation", handed_back: "You're chatting with the AI assistant again",
      resolved: "Conversation resolved", reopened: "Conversation reopened",
      message_too_long: "That message is too long (max 4000 characters).", empty_message: "Please type a message first.",
      rate_limited: "You're sending messages very quickly · we'll send yours in a moment.",
      too_many_sockets: "This chat is open in too many tabs · close one and try again.",
      generic: "Something went wrong. Please try again.",
      eta: "about {m} min", etaSoon: "any moment now",
      ticketTitle: "A person will get back to you",
      ticketClosed: "We're offline now · a person will reply by {time}",
      ticketBusy: "Everyone is busy · a person will reply by {time}",
      newReply: "({n}) New reply", 
      rateQ: "How did we do?", rateStar: "{n} of 5", rateComment: "Anything we could do better? (optional)",
      rateSend: "Send rating", ratePerson: "Not satisfied? Talk to a person", rateThanks: "Thank you for your feedback!"
    },
    zh: {
      open: "打开聊天", close: "关闭聊天", ai: "AI 助手", aiSub: "即时回复",
      waiting: "正在为您转接人工", queue: "人工客服马上就来 · 您当前排在第 {n} 位",
      queueNoPos: "人工客服马上就来 · 请不要离开本页面",
      human: "转人工客服", solved: "问题已解决", ph: "输入消息…", send: "发送", sending: "发送中…",
      failed: "未发送", reconnecting: "正在重新连接…", connecting: "正在连接…",
      greeting: "您好！我是 {name} 的 AI 助手，可以帮您查询订单、物流、退换货等问题…",
      greetingAnon: "您好！我是 AI 助手，可以帮您查询订单、物流、退换货等问题…",
      typing: "AI 助手正在输入…", source: "来源：{t}", wholeArticle: "查看全文", hideArticle: "收起全文", resolvedNote: "本次会话已解决，如有需要可随时再次留言。",
      support: "客服", powered: "由 Backstop 提供支持",
      handoff: "已为您转接人工客服", handoffTeam: "已为您转接至「{team}」",
      agent_joined: "{agent} 已加入会话", handed_back: "已切换回 AI 助手为您服务",
      resolved: "会话已解决", reopened: "会话已重新打开",
      message_too_long: "消息过长（最多 4000 字）。", empty_message: "请先输入消息。",
      rate_limited: "发送得太快了 · 稍后会自动为您发送。",
      too_many_sockets: "此对话在太多标签页中打开 · 请关闭一个后重试。",
      generic: "出了点问题，请重试。",
      eta: "预计约 {m} 分钟", etaSoon: "马上就好",
      ticketTitle: "人工客服稍后回复您",
      ticketClosed: "现在是非服务时间 · 人工客服将在 {time} 前回复",
      ticketBusy: "客服暂时都不在线 · 人工客服将在 {time} 前回复",
      newReply: "({n}) 新回复", 
      rateQ: "您对本次服务满意吗？", rateStar: "{n} 星（满分 5 星）", rateComment: "还有哪里可以改进？（选填）",
      rateSend: "提交评价", ratePerson: "不满意？转人工客服", rateThanks: "感谢您的评价！"
    }
  }[lang];
  function t(k, v) {
    return String(T[k] || k).replace(/\{(\w+)\}/g, function (_, n) { return v && v[n] != null ? v[n] : ""; });
  }

  // ---- storage (may be unavailable: private mode, blocked third-party storage) ----
  function lsGet(k) { try { return localStorage.getItem(KEY + k); } catch (e) { return null; } }
  function lsSet(k, v) { try { if (v == null) localStorage.removeItem(KEY + k); else localStorage.setItem(KEY + k, v); } catch (e) { /* ignore */ } }
  function ssGet(k) { try { return sessionStorage.getItem(KEY + k); } catch (e) { return null; } }
  function ssSet(k, v) { try { sessionStorage.setItem(KEY + k, v); } catch (e) { /* ignore */ } }

  function uuid() {
    var c = window.crypto;
    if (c && c.randomUUID) { try { return c.randomUUID(); } catch (e) { /* insecure context */ } }
    var b = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(b); else for (var i = 0; i < 16; i++) b[i] = Math.random() * 256 | 0;
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // ---- state ----
  var token = lsGet("token"), tenantName = lsGet("name"), conv = null;
  var outbox = [];
  try { outbox = JSON.parse(lsGet("outbox") || "[]") || []; } catch (e) { outbox = []; }
  var byId = {}, pendingEl = {}, maxSeq = 0;
  var wstate = { owner: "ai", agent_name: null, team_name: null, status: "open", queue_position: null, rated: false };
  var rateEl = null, rateStars = [], rateComment = null, rateSend = null, rating = 0, thanksTimer = null;
  var ws = null, live = false, started = false, starting = false, attempts = 0, timer = null, lastFrame = 0;
  var isOpen = false, unread = 0, firstSync = true, errTimer = null, connTimer = null;

  // The page the visitor is on (path and query): the tenant's automation rules may match it when
  // the first message starts the conversation.
  function page() { return (location.pathname + location.search).slice(0, 2000); }
  function saveOutbox() { lsSet("outbox", outbox.length ? JSON.stringify(outbox) : null); }

  // ---- DOM ----
  var CSS = ":host{all:initial}" +
    "*{box-sizing:border-box}[hidden]{display:none!important}" +
    ".r{--a:var(--backstop-accent,#3452db);--ink:#1d2330;--mut:#6b7385;--line:#e6e8ee;font:14px/1.45 -apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue','PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC',sans-serif;color:var(--ink);-webkit-font-smoothing:antialiased}" +
    "button{font:inherit;cursor:pointer}" +
    ".l{position:fixed;right:20px;bottom:20px;width:58px;height:58px;border-radius:50%;border:0;background:var(--a);color:#fff;box-shadow:0 6px 20px rgba(20,30,60,.28);display:flex;align-items:center;justify-content:center;z-index:2147483000;transition:transform .15s}" +
    ".l:hover{transform:scale(1.06)}.l:focus-visible{outline:3px solid rgba(52,84,219,.4);outline-offset:2px}.l svg{width:26px;height:26px}" +
    ".bd{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 5px;border-radius:10px;background:#e5484d;color:#fff;font-size:12px;font-weight:600;line-height:20px;text-align:center;border:2px solid #fff}" +
    ".p{position:fixed;right:20px;bottom:90px;width:370px;height:600px;max-height:calc(100vh - 110px);background:#fff;border-radius:16px;box-shadow:0 12px 48px rgba(20,30,60,.22),0 0 0 1px rgba(20,30,60,.06);display:flex;flex-direction:column;overflow:hidden;z-index:2147483000;animation:in .18s ease-out}" +
    "@keyframes in{from{opacity:0;transform:translateY(12px)}}" +
    ".h{display:flex;align-items:center;gap:10px;padding:14px 14px 14px 16px;background:var(--a);color:#fff}" +
    ".who{display:flex;align-items:center;gap:10px;flex:1;min-width:0}" +
    ".av{flex:none;width:36px;height:36px;border-radius:50%;background:rgba(255,255,255,.2);display:flex;align-items:center;justify-content:center;font-weight:600;font-size:14px;letter-spacing:.02em}.av svg{width:20px;height:20px}" +
    ".nm{font-weight:600;font-size:15px;display:flex;align-items:center;gap:6px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}" +
    ".sub{font-size:12px;opacity:.85;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}" +
    ".ai{font-size:10px;font-weight:700;padding:1px 5px;border-radius:4px;background:#fff;color:var(--a);letter-spacing:.04em}" +
    ".x{border:0;background:transparent;color:#fff;width:32px;height:32px;border-radius:8px;display:flex;align-items:center;justify-content:center;opacity:.9}.x:hover{background:rgba(255,255,255,.15)}" +
    ".q{padding:9px 14px;background:#fff7e0;color:#7a5200;font-size:13px;border-bottom:1px solid #f3e2b3;display:flex;gap:8px;align-items:center}" +
    ".dot{width:8px;height:8px;border-radius:50%;background:#f0a000;flex:none;animation:pl 1.4s infinite}@keyframes pl{50%{opacity:.3}}" +
    ".cn{padding:4px 14px;font-size:12px;color:var(--mut);background:#f6f7f9;text-align:center;border-bottom:1px solid var(--line)}" +
    ".lg{flex:1;overflow-y:auto;padding:16px 14px 8px;background:#fafbfc;overscroll-behavior:contain;-webkit-mask-image:linear-gradient(transparent,#000 14px);mask-image:linear-gradient(transparent,#000 14px)}" +
    ".gr{background:#fff;border:1px solid var(--line);border-radius:14px;border-bottom-left-radius:4px;padding:8px 12px;margin:0 0 14px;max-width:82%}" +
    ".m{display:flex;flex-direction:column;margin:0 0 10px;max-width:82%}" +
    ".m .b{padding:8px 12px;border-radius:14px;white-space:pre-wrap;word-wrap:break-word;overflow-wrap:anywhere}" +
    ".mc{margin-left:auto;align-items:flex-end}.mc .b{background:var(--a);color:#fff;border-bottom-right-radius:4px}" +
    ".mo .b{background:#fff;border:1px solid var(--line);border-bottom-left-radius:4px}" +
    ".au{font-size:12px;color:var(--mut);margin:0 0 3px 4px;display:flex;align-items:center;gap:5px}.au .ai{background:var(--a);color:#fff;font-size:9px}" +
    ".cs{display:flex;flex-wrap:wrap;gap:4px;margin-top:5px}" +
    ".ch{font-size:11px;color:#3d4658;background:#eef0f5;border-radius:10px;padding:2px 8px;max-width:100%;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}" +
    ".wa{font:inherit;font-size:11px;color:#2459c7;background:none;border:0;padding:2px 4px;cursor:pointer;text-decoration:underline}" +
    ".art{margin-top:6px;padding:8px 10px;border-left:3px solid #c9d3e6;background:#f7f8fb;font-size:12.5px;line-height:1.5;white-space:pre-wrap;color:#2b3240}" +
    ".ty{display:inline-flex;gap:4px;padding:12px 14px}.ty i{width:6px;height:6px;border-radius:50%;background:var(--mut);animation:ty 1.2s infinite}.ty i:nth-child(2){animation-delay:.2s}.ty i:nth-child(3){animation-delay:.4s}@keyframes ty{30%{opacity:.25;transform:translateY(-2px)}}" +
    ".wr .b{border-style:dashed}" +
    ".st{font-size:11px;color:var(--mut);margin:3px 4px 0}.pd .b{opacity:.65}.fl .b{background:#fbe9ea;color:#9b1c22}.fl .st{color:#c4323a}" +
    ".ms{max-width:100%;align-items:center;text-align:center;font-size:12px;color:var(--mut);margin:6px 0 12px}.ms span{background:#eef0f5;border-radius:10px;padding:3px 10px}" +
    ".f{border-top:1px solid var(--line);padding:10px 12px 8px;background:#fff}" +
    ".er{font-size:12px;color:#b42318;background:#fdecec;border-radius:8px;padding:6px 10px;margin:0 0 8px}" +
    ".acts{display:flex;justify-content:center;gap:8px;flex-wrap:wrap}.acts .hu{margin:0 0 8px}" +
    ".hu{display:flex;align-items:center;gap:6px;margin:0 auto 8px;border:1px solid var(--a);background:#fff;color:var(--a);border-radius:16px;padding:5px 14px;font-size:13px;font-weight:600}" +
    ".hu:hover{background:var(--a);color:#fff}.hu:disabled{opacity:.5;cursor:default}.hu svg{width:15px;height:15px}" +
    ".cp{display:flex;align-items:flex-end;gap:8px;border:1px solid var(--line);border-radius:12px;padding:6px 6px 6px 12px}.cp:focus-within{border-color:var(--a)}" +
    "textarea{flex:1;border:0;outline:0;resize:none;font:inherit;color:inherit;background:transparent;max-height:120px;min-height:22px;padding:4px 0;line-height:1.45}" +
    ".sd{flex:none;width:34px;height:34px;border:0;border-radius:9px;background:var(--a);color:#fff;display:flex;align-items:center;justify-content:center}.sd:disabled{background:#c9cedb;cursor:default}.sd svg{width:17px;height:17px}" +
    ".rt{border:1px solid var(--line);border-radius:12px;padding:10px 12px;margin:0 0 8px;background:#fafbfc;text-align:center}" +
    ".rt .rq{font-weight:600;margin:0 0 6px}.rt .ss{display:flex;justify-content:center;gap:4px;margin:0 0 6px}" +
    ".rt .s{border:0;background:none;font-size:24px;line-height:1;color:#c9cedb;padding:0 2px}.rt .s.on{color:#f5a623}" +
    ".rt textarea{width:100%;box-sizing:border-box;border:1px solid var(--line);border-radius:8px;padding:6px 8px;background:#fff;margin:0 0 6px}" +
    ".rt .go{border:0;border-radius:8px;background:var(--a);color:#fff;padding:6px 14px;font-weight:600}.rt .go:disabled{background:#c9cedb}" +
    ".rt .pp{display:block;margin:6px auto 0;border:0;background:none;color:var(--a);font-size:12px;text-decoration:underline}" +
    ".rt .ok{color:#1a7f45;font-weight:600}" +
    ".mt{display:flex;justify-content:space-between;font-size:11px;color:#9aa1b0;margin-top:6px;padding:0 2px}.ct.w{color:#b42318;font-weight:600}" +
    ".lf .l,.lf .p{right:auto;left:20px}" +
    "@media (max-width:480px){.p,.lf .p{right:0;left:0;bottom:0;width:100%;height:100%;max-height:none;border-radius:0}.p:not([hidden])~.l,.op .l{display:none}}";

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }
  function svg(d) {
    return '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">' + d + "</svg>";
  }
  var IC = {
    chat: svg('<path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z"/>'),
    close: svg('<path d="M6 6l12 12M18 6L6 18"/>'),
    down: svg('<path d="M6 9l6 6 6-6"/>'),
    send: svg('<path d="M5 12h13M13 6l6 6-6 6"/>'),
    check: svg('<path d="M5 12.5l4.5 4.5L19 7.5"/>'),
    spark: svg('<path d="M12 3l1.8 5.2L19 10l-5.2 1.8L12 17l-1.8-5.2L5 10l5.2-1.8z"/><path d="M19 17l.7 1.8 1.8.7-1.8.7L19 22l-.7-1.8-1.8-.7 1.8-.7z"/>'),
    person: svg('<circle cx="12" cy="8" r="4"/><path d="M4 21a8 8 0 0 1 16 0"/>')
  };

  var host, root, launcher, badge, panel, who, avatar, nameEl, subEl, queueEl, connEl, logEl, greetEl, list, errEl, humanBtn, solvedBtn, input, sendBtn, countEl;
  // The AI has answered in this conversation: the customer may say it solved it.
  var aiAnswered = false;

  function build() {
    host = document.createElement("div");
    host.id = "backstop-widget";
    var sr = host.attachShadow({ mode: "open" });
    var st = document.createElement("style");
    st.textContent = CSS;
    sr.appendChild(st);
    root = el("div", "r");
    sr.appendChild(root);
    paintLook();

    panel = el("section", "p");
    panel.setAttribute("data-testid", "bs-panel");
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", t("ai"));
    panel.hidden = true;

    var head = el("header", "h");
    who = el("div", "who");
    who.setAttribute("data-testid", "bs-status");
    who.setAttribute("aria-live", "polite");
    avatar = el("div", "av");
    var txt = el("div");
    txt.style.minWidth = "0";
    nameEl = el("div", "nm");
    subEl = el("div", "sub");
    txt.appendChild(nameEl); txt.appendChild(subEl);
    who.appendChild(avatar); who.appendChild(txt);
    var x = el("button", "x");
    x.type = "button";
    x.setAttribute("aria-label", t("close"));
    x.innerHTML = IC.down;
    x.onclick = function () { toggle(false); };
    head.appendChild(who); head.appendChild(x);

    queueEl = el("div", "q");
    queueEl.setAttribute("data-testid", "bs-queue");
    queueEl.setAttribute("role", "status");
    queueEl.hidden = true;

    connEl = el("div", "cn");
    connEl.setAttribute("data-testid", "bs-conn");
    connEl.hidden = true;

    logEl = el("div", "lg");
    logEl.setAttribute("role", "log");
    logEl.setAttribute("aria-live", "polite");
    greetEl = el("div", "gr");
    greetEl.setAttribute("data-testid", "bs-greeting");
    list = el("div");
    logEl.appendChild(greetEl); logEl.appendChild(list);

    var foot = el("div", "f");
    errEl = el("div", "er");
    errEl.setAttribute("data-testid", "bs-error");
    errEl.setAttribute("role", "alert");
    errEl.hidden = true;
    humanBtn = el("button", "hu");
    humanBtn.type = "button";
    humanBtn.setAttribute("data-testid", "bs-human");
    humanBtn.innerHTML = IC.person;
    humanBtn.appendChild(document.createTextNode(t("human")));
    humanBtn.onclick = askHuman;
    solvedBtn = el("button", "hu");
    solvedBtn.type = "button";
    solvedBtn.setAttribute("data-testid", "bs-solved");
    solvedBtn.innerHTML = IC.check;
    solvedBtn.appendChild(document.createTextNode(t("solved")));
    solvedBtn.onclick = markSolved;
    solvedBtn.hidden = true;
    var acts = el("div", "acts");
    acts.appendChild(solvedBtn); acts.appendChild(humanBtn);
    var cp = el("div", "cp");
    input = el("textarea");
    input.rows = 1;
    input.maxLength = MAX;
    input.placeholder = t("ph");
    input.setAttribute("aria-label", t("ph"));
    input.setAttribute("data-testid", "bs-input");
    sendBtn = el("button", "sd");
    sendBtn.type = "button";
    sendBtn.setAttribute("data-testid", "bs-send");
    sendBtn.setAttribute("aria-label", t("send"));
    sendBtn.title = t("send");
    sendBtn.innerHTML = IC.send;
    sendBtn.disabled = true;
    sendBtn.onclick = send;
    cp.appendChild(input); cp.appendChild(sendBtn);
    var mt = el("div", "mt");
    countEl = el("span", "ct");
    mt.appendChild(countEl); mt.appendChild(el("span", "", t("powered")));
    rateEl = buildRating();
    foot.appendChild(errEl); foot.appendChild(rateEl); foot.appendChild(acts); foot.appendChild(cp); foot.appendChild(mt);

    panel.appendChild(head); panel.appendChild(queueEl); panel.appendChild(connEl); panel.appendChild(logEl); panel.appendChild(foot);

    launcher = el("button", "l");
    launcher.type = "button";
    launcher.setAttribute("data-testid", "bs-launcher");
    launcher.setAttribute("aria-expanded", "false");
    launcher.onclick = function () { toggle(!isOpen); };
    badge = el("span", "bd");
    badge.setAttribute("data-testid", "bs-badge");
    badge.hidden = true;

    root.appendChild(panel); root.appendChild(launcher);

    input.addEventListener("input", onInput);
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) { e.preventDefault(); send(); }
    });
    panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { toggle(false); launcher.focus(); } });

    renderLauncher(); renderGreeting(); renderState();
    document.body.appendChild(host);
  }

  // The satisfaction card: shown once the conversation is resolved and not yet rated.
  function buildRating() {
    var box = el("div", "rt");
    box.setAttribute("data-testid", "bs-rating");
    box.hidden = true;
    box.appendChild(el("div", "rq", t("rateQ")));
    var row = el("div", "ss");
    rateStars = [];
    for (var i = 1; i <= 5; i++) {
      (function (n) {
        var b = el("button", "s", "\u2605");
        b.type = "button";
        b.setAttribute("aria-label", t("rateStar", { n: n }));
        b.setAttribute("data-testid", "bs-star-" + n);
        b.onclick = function () { rating = n; paintStars(); };
        rateStars.push(b);
        row.appendChild(b);
      })(i);
    }
    box.appendChild(row);
    rateComment = el("textarea");
    rateComment.rows = 2;
    rateComment.maxLength = 2000;
    rateComment.placeholder = t("rateComment");
    rateComment.setAttribute("aria-label", t("rateComment"));
    rateComment.setAttribute("data-testid", "bs-rate-comment");
    box.appendChild(rateComment);
    rateSend = el("button", "go", t("rateSend"));
    rateSend.type = "button";
    rateSend.disabled = true;
    rateSend.setAttribute("data-testid", "bs-rate-send");
    rateSend.onclick = function () { sendRating(false); };
    box.appendChild(rateSend);
    var person = el("button", "pp", t("ratePerson"));
    person.type = "button";
    person.setAttribute("data-testid", "bs-rate-person");
    person.onclick = function () { sendRating(true); };
    box.appendChild(person);
    return box;
  }

  function paintStars() {
    rateStars.forEach(function (b, i) { b.classList.toggle("on", i < rating); });
    rateSend.disabled = !rating;
  }

  function sendRating(person) {
    if (!conv) return;
    var body = { rating: rating || 1, person: person };
    var c = rateComment.value.trim();
    if (c) body.comment = c;
    rateSend.disabled = true;
    api("POST", "/conversations/" + encodeURIComponent(conv) + "/rating", body).then(function (r) {
      rateEl.textContent = "";
      rateEl.appendChild(el("div", "ok", t("rateThanks")));
      clearTimeout(thanksTimer);
      thanksTimer = setTimeout(function () {
        var fresh = buildRating();
        rateEl.parentNode.replaceChild(fresh, rateEl);
        rateEl = fresh;
        renderState();
      }, 4000);
      applyState(r.state);
      rateEl.hidden = false;
    }, function (e) { rateSend.disabled = !rating; showErr(errText(e)); });
  }

  function renderLauncher() {
    launcher.innerHTML = isOpen ? IC.close : IC.chat;
    launcher.setAttribute("aria-label", t(isOpen ? "close" : "open"));
    launcher.setAttribute("aria-expanded", String(isOpen));
    badge.textContent = unread > 9 ? "9+" : String(unread);
    badge.hidden = isOpen || !unread;
    launcher.appendChild(badge);
    root.classList.toggle("op", isOpen);
  }

  function renderGreeting() {
    var own = look && look.greeting && look.greeting[lang];
    greetEl.textContent = own || (tenantName ? t("greeting", { name: tenantName }) : t("greetingAnon"));
  }

  // The tenant's look (colour, corner, greetings, languages offered), as its admin set it.
  var look = null;
  try { look = JSON.parse(lsGet("look") || "null"); } catch (e) { look = null; }
  function offeredLang() {
    var offered = (look && look.languages) || [];
    if (offered.length && offered.indexOf(lang) < 0 && T[offered[0]]) lang = offered[0];
  }
  function paintLook() {
    if (!root || !look) return;
    if (/^#[0-9a-f]{6}$/i.test(look.color || "")) root.style.setProperty("--a", look.color);
    root.classList.toggle("lf", look.corner === "left");
    if (look.tenant_name && !tenantName) tenantName = look.tenant_name;
    if (greetEl) renderGreeting();
  }
  // Read the look: a returning visitor's page draws at once with the one kept from last time
  // (and keeps the new one for next time); a first visit waits for it a moment (at most 1.5 s).
  function loadLook(then) {
    var done = false;
    function go() { if (!done) { done = true; offeredLang(); then(); } }
    api("GET", "/look").then(function (l) {
      look = l; lsSet("look", JSON.stringify(l)); paintLook(); go();
    }, go);
    if (look) go(); else setTimeout(go, 1500);
  }

  function initials(name) {
    var s = String(name || "").trim();
    if (!s) return "?";
    var parts = s.split(/\s+/);
    if (/^[\u3000-\u9fff]/.test(s)) return s.charAt(0);
    return ((parts[0] || "").charAt(0) + (parts.length > 1 ? parts[parts.length - 1].charAt(0) : "")).toUpperCase();
  }

  function renderState() {
    var s = wstate, o = s.owner;
    nameEl.textContent = "";
    if (o === "agent") {
      avatar.textContent = initials(s.agent_name);
      nameEl.appendChild(document.createTextNode(s.agent_name || t("support")));
      subEl.textContent = s.team_name || (tenantName ? tenantName + " · " : "") + t("support");
    } else if (o === "queue") {
      avatar.innerHTML = IC.person;
      nameEl.appendChild(document.createTextNode(t(s.ticket ? "ticketTitle" : "waiting")));
      subEl.textContent = s.team_name || tenantName || "";
    } else {
      avatar.innerHTML = IC.spark;
      nameEl.appendChild(document.createTextNode(t("ai")));
      nameEl.appendChild(el("span", "ai", "AI"));
      subEl.textContent = (tenantName ? tenantName + " · " : "") + t(/resolved|closed/.test(s.status) ? "resolved" : "aiSub");
    }
    who.setAttribute("data-owner", o);
    queueEl.hidden = o !== "queue";
    if (o === "queue") {
      queueEl.textContent = "";
      queueEl.appendChild(el("span", "dot"));
      var line = s.queue_position ? t("queue", { n: s.queue_position }) : t("queueNoPos");
      if (s.eta_seconds) line += " · " + (s.eta_seconds < 60 ? t("etaSoon") : t("eta", { m: Math.round(s.eta_seconds / 60) }));
      // Nobody can answer now: the promised reply time, in the customer's own time zone.
      if (s.ticket) line = t(s.ticket.reason === "outside_hours" ? "ticketClosed" : "ticketBusy", { time: fmtTime(s.ticket.promised_by) });
      queueEl.setAttribute("data-ticket", s.ticket ? s.ticket.reason : "");
      queueEl.appendChild(el("span", "", line));
    }
    humanBtn.hidden = o === "queue" || o === "agent";
    humanBtn.disabled = false;
    solvedBtn.hidden = !(o === "ai" && s.status === "open" && aiAnswered);
    solvedBtn.disabled = false;
    // Ask for a rating once the conversation is resolved (a thank-you stays up briefly after).
    var ask = s.status === "resolved" && !s.rated;
    if (ask && rateEl.hidden) { rating = 0; paintStars(); rateComment.value = ""; }
    if (ask || !rateEl.querySelector(".ok")) rateEl.hidden = !ask;
  }

  function setConn(mode) {
    clearTimeout(connTimer);
    if (mode === "live") { connEl.hidden = true; return; }
    connEl.textContent = t(mode);
    // a first connection usually takes a moment: only say so if it lingers
    connTimer = setTimeout(function () { connEl.hidden = false; }, mode === "connecting" ? 1500 : 300);
  }

  function showErr(msg) {
    errEl.textContent = msg;
    errEl.hidden = false;
    clearTimeout(errTimer);
    errTimer = setTimeout(function () { errEl.hidden = true; }, 8000);
  }

  function onInput() {
    var n = input.value.length;
    sendBtn.disabled = !input.value.trim();
    countEl.textContent = n >= MAX - 500 ? n + " / " + MAX : "";
    countEl.classList.toggle("w", n >= MAX);
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  }

  function nearBottom() { return logEl.scrollHeight - logEl.scrollTop - logEl.clientHeight < 80; }
  function scrollDown() { logEl.scrollTop = logEl.scrollHeight; }
  // Scroll to the end, but never past the start of a long reply: people read it from the top.
  function reveal(n) {
    scrollDown();
    if (!isOpen) return;
    var d = n.getBoundingClientRect().top - logEl.getBoundingClientRect().top;
    if (d < 12) logEl.scrollTop += d - 12;
  }

  function fmtTime(iso) {
    try { return new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en", { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso)); } catch (e) { return ""; }
  }

  function systemText(m) {
    var s = m.system || {};
    if (s.code === "handoff") return s.team_name ? t("handoffTeam", { team: s.team_name }) : t("handoff");
    if (s.code === "agent_joined") return t("agent_joined", { agent: s.agent_name || (m.author && m.author.name) || t("support") });
    if (s.code && T[s.code]) return t(s.code);
    return m.body || "";
  }

  function msgNode(m) {
    var a = (m.author && m.author.kind) || "system";
    if (a === "ai" && m.citations && m.citations.length && !aiAnswered) {
      aiAnswered = true;
      setTimeout(renderState, 0);
    }
    var n = el("div", "m");
    n.setAttribute("data-testid", "bs-msg");
    n.setAttribute("data-author", a);
    if (a === "system") {
      n.className = "m ms";
      n.appendChild(el("span", "", systemText(m)));
      return n;
    }
    n.className = "m " + (a === "customer" ? "mc" : "mo");
    if (a !== "customer") {
      var au = el("div", "au", (m.author && m.author.name) || (a === "ai" ? t("ai") : t("support")));
      if (a === "ai") au.appendChild(el("span", "ai", "AI"));
      n.appendChild(au);
    }
    var b = el("div", "b", m.body);
    n.appendChild(b);
    var cites = m.citations || [];
    if (cites.length) {
      var cs = el("div", "cs");
      var whole = null;
      cites.forEach(function (c) {
        var ch = el("span", "ch", t("source", { t: c.title || "" }));
        ch.title = c.title || "";
        cs.appendChild(ch);
        if (c.article && !whole) {
          // The reply quotes the passage that answers; the whole article opens here.
          var btn = el("button", "wa", t("wholeArticle"));
          btn.type = "button";
          btn.setAttribute("aria-expanded", "false");
          whole = el("div", "art", c.article);
          whole.hidden = true;
          btn.addEventListener("click", function () {
            whole.hidden = !whole.hidden;
            btn.textContent = t(whole.hidden ? "wholeArticle" : "hideArticle");
            btn.setAttribute("aria-expanded", String(!whole.hidden));
            if (!whole.hidden && whole.scrollIntoView) whole.scrollIntoView({ block: "nearest" });
          });
          cs.appendChild(btn);
        }
      });
      n.appendChild(cs);
      if (whole) n.appendChild(whole);
    }
    return n;
  }

  function place(node, seq) {
    var kids = list.children, before = null;
    for (var i = 0; i < kids.length; i++) {
      var ks = kids[i].__seq;
      if (ks == null || ks > seq) { before = kids[i]; break; }
    }
    list.insertBefore(node, before);
  }

  // `own`: the server's answer to our own send (a WebSocket ack or the POST reply). It must not move the
  // catch-up cursor (maxSeq): messages stored before ours may not have reached us yet.
  function addMessage(m, fresh, own) {
    if (!m || !m.id || m.kind === "note") return;
    if (m.client_id) dropOutbox(m.client_id);
    if (!own && m.seq > maxSeq) maxSeq = m.seq;
    if (byId[m.id]) return;
    if (m.author && m.author.kind !== "customer") dropWriting();
    var stick = nearBottom();
    var n = msgNode(m);
    n.__seq = m.seq || 0;
    n.setAttribute("data-id", m.id);
    if (m.created_at) n.title = fmtTime(m.created_at);
    byId[m.id] = n;
    place(n, n.__seq);
    var a = m.author && m.author.kind;
    if (fresh && !isOpen && (a === "ai" || a === "agent")) { unread++; renderLauncher(); }
    if (fresh && a === "agent") notifyHidden();
    if (isOpen) markSeen();
    if (a === "customer" || a === "system") scrollDown();
    else if (stick || (fresh && a === "agent")) reveal(n);
  }

  // ---- the AI's answer while it is written: typing dots, then the sentences the server's guard
  // has passed; the stored message that follows replaces it (it is never kept) ----
  var writingEl = null;
  function showWriting(w) {
    if (!w || w.withdrawn) { dropWriting(); return; }
    var stick = nearBottom();
    if (!writingEl) {
      writingEl = el("div", "m mo wr");
      writingEl.setAttribute("data-testid", "bs-writing");
      writingEl.setAttribute("aria-live", "polite");
      var au = el("div", "au", t("ai"));
      au.appendChild(el("span", "ai", "AI"));
      writingEl.appendChild(au);
      writingEl.appendChild(el("div", "b"));
      list.appendChild(writingEl);
    }
    var b = writingEl.lastChild;
    b.textContent = "";
    if (w.text) { b.className = "b"; b.textContent = w.text; }
    else {
      b.className = "b ty";
      b.setAttribute("aria-label", t("typing"));
      for (var i = 0; i < 3; i++) b.appendChild(el("i"));
    }
    if (stick) scrollDown();
  }
  function dropWriting() {
    if (writingEl && writingEl.parentNode) writingEl.parentNode.removeChild(writingEl);
    writingEl = null;
  }

  // ---- a person's answer reaches a customer who is not looking ----
  var baseTitle = document.title, titled = 0;
  function markSeen() { if (maxSeq > (+lsGet("seen") || 0)) lsSet("seen", String(maxSeq)); }
  // Another tab in front: say so in this tab's title until the customer comes back.
  function notifyHidden() {
    if (!document.hidden) return;
    if (!titled) baseTitle = document.title;
    titled++;
    document.title = t("newReply", { n: titled }) + " " + baseTitle;
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && titled) { document.title = baseTitle; titled = 0; }
  });

  function addPending(item) {
    if (pendingEl[item.client_id]) return;
    var n = el("div", "m mc pd");
    n.setAttribute("data-testid", "bs-msg");
    n.setAttribute("data-author", "customer");
    n.setAttribute("data-pending", "true");
    n.setAttribute("data-client-id", item.client_id);
    n.appendChild(el("div", "b", item.body));
    n.appendChild(el("div", "st", t("sending")));
    pendingEl[item.client_id] = n;
    list.appendChild(n);
    scrollDown();
  }

  function dropOutbox(cid) {
    var before = outbox.length;
    outbox = outbox.filter(function (o) { return o.client_id !== cid; });
    if (outbox.length !== before) saveOutbox();
    var n = pendingEl[cid];
    if (n) { delete pendingEl[cid]; if (n.parentNode) n.parentNode.removeChild(n); }
  }

  function failPending(cid, msg) {
    outbox = outbox.filter(function (o) { return o.client_id !== cid; });
    saveOutbox();
    var n = pendingEl[cid];
    if (!n) return;
    delete pendingEl[cid];
    n.className = "m mc fl";
    n.removeAttribute("data-pending");
    n.setAttribute("data-failed", "true");
    n.lastChild.textContent = t("failed") + " · " + msg;
  }

  function clearConversation() {
    list.textContent = "";
    byId = {}; pendingEl = {}; maxSeq = 0;
    outbox.forEach(addPending);
  }

  function applyState(s) {
    if (!s) return;
    wstate = s;
    renderState();
  }

  // ---- network ----
  function api(method, path, body) {
    var h = { "Content-Type": "application/json", "X-Requested-With": "backstop-widget" };
    if (token) h["X-Visitor-Token"] = token;
    return fetch(origin + "/api/widget/v1/" + encodeURIComponent(tenant) + path, {
      method: method, headers: h, credentials: "omit", body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) throw (j && j.error) || { code: "http_" + r.status, message: t("generic") };
        return j;
      });
    });
  }

  function start() {
    if (starting) return;
    starting = true; started = true;
    if (!live) setConn(attempts ? "reconnecting" : "connecting");
    api("POST", "/session", {
      token: token || null, lang: lang, name: ds.name || null, email: ds.email || null, user_hash: ds.userHash || null
    }).then(function (r) {
      starting = false;
      token = r.token; lsSet("token", token);
      if (r.tenant_name) { tenantName = r.tenant_name; lsSet("name", tenantName); renderGreeting(); renderState(); }
      if (conv && r.conversation_id !== conv) clearConversation();
      if (conv !== r.conversation_id) aiAnswered = false;
      conv = r.conversation_id;
      // The socket seems unreachable: deliver what we can over plain HTTP meanwhile.
      return attempts > 2 ? restSync() : null;
    }).then(function () {
      connect();
    }, function () {
      starting = false;
      retry();
    });
  }

  function restSync() {
    var base = "/conversations/" + encodeURIComponent(conv);
    var chain = Promise.resolve();
    outbox.slice().forEach(function (o) {
      chain = chain.then(function () {
        return api("POST", base + "/messages", { client_id: o.client_id, body: o.body, page: page() }).then(function (r) {
          addMessage(r.message, false, true);
        }, function (e) {
          // Over the rate: it stays in the outbox and goes with the next sync.
          if (e && e.code === "rate_limited") { showErr(errText(e)); return; }
          if (e && e.code && !/^http_5|internal/.test(e.code)) failPending(o.client_id, errText(e));
        });
      });
    });
    return chain.then(function () {
      return api("GET", base + "/messages?after=" + maxSeq);
    }).then(function (r) {
      (r.messages || []).forEach(function (m) { addMessage(m, true); });
      applyState(r.state);
    }).catch(function () { /* the socket attempt follows anyway */ });
  }

  function connect() {
    if (!conv) return;
    if (ws) { try { ws.close(); } catch (e) { /* ignore */ } }
    // The token goes in the first frame, never in the URL (URLs end up in logs).
    var url = wsOrigin + "/api/widget/v1/" + encodeURIComponent(tenant) + "/ws";
    var s;
    try { s = new WebSocket(url); } catch (e) { retry(); return; }
    ws = s;
    var after = maxSeq;
    s.onopen = function () {
      if (ws !== s) return;
      try { s.send(JSON.stringify({ type: "hello", token: token, conversation_id: conv, after: after, page: page() })); } catch (e) { /* onclose retries */ }
    };
    s.onmessage = function (ev) {
      if (ws !== s) return;
      lastFrame = Date.now();
      var f;
      try { f = JSON.parse(ev.data); } catch (e) { return; }
      onFrame(f);
    };
    s.onclose = function () {
      if (ws !== s) return;
      ws = null; live = false;
      retry();
    };
  }

  function retry() {
    if (timer) return;
    var delay = Math.min(10000, 1000 * Math.pow(2, attempts));
    attempts++;
    setConn("reconnecting");
    timer = setTimeout(function () {
      timer = null;
      // after a couple of failures, re-check the session (the token or conversation may have changed)
      if (attempts > 2 || !conv) start(); else connect();
    }, delay);
  }

  function reconnectNow() {
    if (live || !started) return;
    clearTimeout(timer); timer = null;
    attempts = 0;
    if (conv) connect(); else start();
  }

  function wsSend(o) {
    if (!ws || ws.readyState !== 1) return false;
    try { ws.send(JSON.stringify(o)); return true; } catch (e) { return false; }
  }

  function flush() {
    outbox.forEach(function (o) { wsSend({ type: "message", client_id: o.client_id, body: o.body }); });
  }

  function errText(f) {
    if (f && T[f.code]) return t(f.code);
    return (f && f.code && f.message) || t("generic");
  }

  function onFrame(f) {
    switch (f.type) {
      case "hello":
        live = true; attempts = 0; lastFrame = Date.now();
        setConn("live");
        // A returning customer with the chat closed: what people answered meanwhile shows on the launcher.
        if (firstSync && !isOpen) {
          var seen = +lsGet("seen") || 0;
          unread += (f.messages || []).filter(function (m) { return m.seq > seen && m.author && m.author.kind === "agent"; }).length;
          renderLauncher();
        }
        dropWriting();
        (f.messages || []).forEach(function (m) { addMessage(m, !firstSync); });
        firstSync = false;
        applyState(f.state);
        flush();
        if (isOpen) scrollDown();
        break;
      case "ack":
        if (f.message) addMessage(f.message, false, true);
        if (f.client_id) dropOutbox(f.client_id);
        break;
      case "message":
        addMessage(f.message, true);
        break;
      case "state":
        applyState(f.state);
        if (f.state && f.state.owner !== "ai") dropWriting();
        break;
      case "writing":
        showWriting(f.writing);
        break;
      case "error":
        var msg = errText(f);
        if (f.client_id && /^(message_too_long|empty_message|invalid_input|invalid_json|payload_too_large)$/.test(f.code)) failPending(f.client_id, msg);
        // Over the rate: the message waits in the outbox and is sent again when the server says.
        if (f.code === "rate_limited") setTimeout(flush, Math.max(1, f.retry_after || 1) * 1000);
        showErr(msg);
        humanBtn.disabled = false;
        break;
    }
  }

  // ---- actions ----
  function send() {
    var body = input.value.trim();
    if (!body) return;
    if (body.length > MAX) { showErr(t("message_too_long")); return; }
    var item = { client_id: uuid(), body: body };
    outbox.push(item);
    saveOutbox();
    addPending(item);
    input.value = "";
    onInput();
    if (live) wsSend({ type: "message", client_id: item.client_id, body: body });
    else if (!started) start();
    input.focus();
  }

  // "That solved it": the customer resolves the AI's conversation; the rating follows.
  function markSolved() {
    if (!conv) return;
    solvedBtn.disabled = true;
    api("POST", "/conversations/" + encodeURIComponent(conv) + "/solved").then(function (r) {
      applyState(r.state);
    }, function (e) { solvedBtn.disabled = false; showErr(errText(e)); });
  }

  function askHuman() {
    humanBtn.disabled = true;
    setTimeout(function () { humanBtn.disabled = false; }, 5000);
    if (live && wsSend({ type: "request_human" })) return;
    if (!conv) { start(); return; }
    api("POST", "/conversations/" + encodeURIComponent(conv) + "/human").then(function (r) {
      applyState(r.state);
    }, function (e) { humanBtn.disabled = false; showErr(errText(e)); });
  }

  function toggle(open) {
    isOpen = open;
    panel.hidden = !open;
    if (open) { unread = 0; markSeen(); scrollDown(); if (!started) start(); if (window.innerWidth > 480) input.focus(); }
    ssSet("open", open ? "1" : "0");
    renderLauncher();
  }

  function init() {
    build();
    outbox.forEach(addPending);
    // returning visitors (and unsent messages) connect right away; first-timers on first open
    if (token || outbox.length) start();
    if (ssGet("open") === "1") toggle(true);
    setInterval(function () {
      if (!live) return;
      if (Date.now() - lastFrame > 60000 && ws) { ws.close(); return; }
      wsSend({ type: "ping" });
    }, 25000);
    window.addEventListener("online", reconnectNow);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) reconnectNow(); });
    window.Backstop = {
      open: function () { toggle(true); },
      close: function () { toggle(false); },
      toggle: function () { toggle(!isOpen); }
    };
  }

  function boot() { loadLook(init); }
  if (document.body) boot(); else document.addEventListener("DOMContentLoaded", boot);
})();
