// The knowledge page's Topics tab: every topic the articles use (and any named ahead of its articles), how many articles use it, and its name in English and Chinese, which trainers edit; every agent page shows a topic by these names, and the AI says them when it offers a topic.
import { t, topicLabel, setTopics } from "/assets/i18n.js";
import { $, h, api, toast } from "/assets/ui.js";

let topics = [];
let loaded = false;

/** Shows the topics as last loaded (the list comes with the page; `loadTopicsPane` reads it again). */
export function renderTopics(canEdit) {
  const rows = topics.map((x) => {
    const input = (lang) => {
      const i = h("input", {
        class: "kn-input", maxlength: 60, lang: lang === "zh" ? "zh-CN" : "en",
        "data-testid": `topic-${lang}`, "aria-label": t(`kn.topics.name.${lang}`),
        placeholder: x.slug.replace(/[-_]+/g, " "), disabled: !canEdit
      });
      i.value = (x.names && x.names[lang]) || "";
      return i;
    };
    const en = input("en");
    const zh = input("zh");
    const label = h("strong", {}, topicLabel(x.slug));
    const save = h("button", { class: "btn btn-sm", type: "button", "data-testid": "topic-save", disabled: !canEdit }, t("kn.topics.save"));
    save.addEventListener("click", async () => {
      save.disabled = true;
      try {
        const names = {};
        if (en.value.trim()) names.en = en.value.trim();
        if (zh.value.trim()) names.zh = zh.value.trim();
        const saved = await api("PUT", `/api/v1/topics/${encodeURIComponent(x.slug)}`, { names });
        Object.assign(x, saved);
        setTopics(topics);
        label.textContent = topicLabel(x.slug);
        toast(t("kn.topics.saved", { topic: topicLabel(x.slug) }), "ok");
        document.dispatchEvent(new CustomEvent("backstop:topics"));
      } catch (e) {
        if (!e.silent) toast(t("kn.error", { msg: e.message || e.code }));
      } finally {
        save.disabled = !canEdit;
      }
    });
    return h("tr", { "data-topic": x.slug },
      h("td", {}, label, h("div", { class: "pol-desc" }, x.slug)),
      h("td", { class: "kn-num" }, String(x.articles)),
      h("td", {}, en), h("td", {}, zh), h("td", {}, save));
  });
  $("topics").replaceChildren(...(rows.length ? rows
    : [h("tr", {}, h("td", { colspan: 5, class: "pk-muted" }, loaded ? t("kn.topics.none") : t("list.loading")))]));
}

/** Reads the topics (with their article counts) and shows them. */
export async function loadTopicsPane(canEdit) {
  const d = await api("GET", "/api/v1/topics");
  topics = d.topics;
  loaded = true;
  setTopics(topics);
  renderTopics(canEdit);
}
