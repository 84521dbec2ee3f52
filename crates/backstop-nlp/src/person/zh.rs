//! Requests for a person in Chinese: homophone typos and pinyin folded, strong persons anywhere,
//! weak ones (客服, 经理, 人) in a frame, calls asked for, and complaints about the bot.

use crate::lang::is_han;

pub(super) use super::typing::fold_han;

/// Strong person words: asking for one of these is a request wherever it stands (unless a
/// known non-request use, checked by [`zh_blocked`]).
const ZH_STRONG: &[&str] = &[
    "人工",
    "真人",
    "活人",
    "大活人",
    "喘气",
    "工作人员",
    "客服人员",
    "客服专员",
    "客服小姐姐",
    "客服小哥",
    "客服妹",
    "客服mm",
    "小姐姐",
    "小哥哥",
    "人类",
    "值班的",
    "值班经理",
    "售后人员",
    "售后专员",
    "专员",
    "专人",
    "负责人",
    "负责的人",
    "能做主",
    "能拍板",
    "申请回电",
    "要求回电",
    "请回电",
    "给我回电",
    "回个电话",
    "管事的",
    "店里的人",
    "后台的人",
    "明白人",
    "正常人",
    "售后客服",
    "真的客服",
    "真客服",
];

/// Other parties' people: the warehouse's staff, the courier company's person in charge.
const THIRD_PARTIES: &[&str] = &[
    "仓库",
    "快递",
    "物流",
    "门店",
    "商场",
    "工厂",
    "银行",
    "配送",
    "驿站",
    "小区",
    "物业",
    "海关",
    "邮局",
    "机场",
    "酒店",
    "医院",
    "学校",
    "快递公司",
];

/// Uses of strong words that are not requests.
fn zh_blocked(s: &str, at: usize, word: &str) -> bool {
    let after = &s[at + word.len()..];
    let before = &s[..at];
    let owner = before.strip_suffix('的').unwrap_or(before);
    if matches!(
        word,
        "工作人员" | "客服人员" | "售后人员" | "专员" | "负责人" | "负责的人"
    ) && THIRD_PARTIES.iter().any(|p| owner.ends_with(p))
    {
        return true;
    }
    match word {
        // "能人工审核一下吗" asks for a person to look; "人工审核要多久" asks about the process.
        "人工"
            if ["审核", "检测", "处理", "核实", "查"]
                .iter()
                .any(|w| after.starts_with(w))
                && ["能", "可以", "请", "麻烦", "要求", "申请", "需要", "要"]
                    .iter()
                    .any(|b| before.ends_with(b)) =>
        {
            false
        }
        "人工" => {
            [
                "费", "智能", "成本", "湖", "合成", "养殖", "种植", "降雨", "呼吸", "皮", "革", "加工", "材料", "检测",
                "审核", "缝", "制作", "手工",
            ]
            .iter()
            .any(|w| after.starts_with(w))
                || before.ends_with('非')
        }
        "真人" => [
            "秀", "版", "cs", "照片", "图", "模特", "实拍", "同款", "尺寸", "试穿", "大小",
        ]
        .iter()
        .any(|w| after.starts_with(w)),
        "小姐姐" | "小哥哥" => {
            before.ends_with("快递")
                || before.ends_with("送货的")
                || before.ends_with("外卖")
                || before.ends_with("快递员")
        }
        "售后客服" | "真的客服" | "真客服" => weak_blocked(before, "客服", after),
        _ => false,
    }
}

/// Frames that ask for someone, before the person (within the clause) …
const ZH_FRAME_BEFORE: &[&str] = &[
    "找",
    "要",
    "叫",
    "让",
    "请",
    "换",
    "转",
    "接",
    "联系",
    "给我",
    "来个",
    "来一个",
    "派",
    "喊",
    "整",
    "有没有",
    "有冇",
    "搵",
    "跟",
    "和",
    "同",
    "求",
    "麻烦",
    "呼叫",
    "见",
    "把",
    "要求",
    "安排",
    "等",
];
/// … and right after it.
const ZH_FRAME_AFTER: &[&str] = &[
    "出来",
    "来",
    "呢",
    "在吗",
    "在不在",
    "在哪",
    "死哪",
    "去哪",
    "人呢",
    "电话",
    "热线",
    "快来",
    "回复",
    "回我",
    "出面",
    "出嚟",
    "处理",
    "跟我",
    "和我",
    "联系我",
    "打给我",
    "给我打",
    "打电话",
    "回电",
    "来电",
    "给我来电",
    "介入",
    "过来",
    "上线",
    "说话",
    "聊",
    "在线",
    "帮我",
    "查",
    "跟进",
    "喊出来",
    "叫来",
    "在么",
    "在嘛",
    "！",
    "!",
    "吗",
    "啊",
    "在不",
];

/// Person words that are requests only in a frame.
const ZH_WEAK: &[&str] = &[
    "客服",
    "经理",
    "店长",
    "主管",
    "领导",
    "老板",
    "掌柜",
    "小二",
    "同事",
    "员工",
    "你们的人",
    "销售",
    "售后",
    "店家",
    "店主",
    "上级",
    "客服部",
    "组长",
    "职员",
    "店员",
    "导购",
    "客服代表",
];

/// The clause around byte `at` (between punctuation marks), split at `at`.
fn clause(s: &str, at: usize, len: usize) -> (&str, &str) {
    let stop = |c: char| "，。！？；,.!?;\n".contains(c);
    let start = s[..at]
        .rfind(stop)
        .map_or(0, |i| i + s[i..].chars().next().map_or(1, char::len_utf8));
    let end = s[at + len..].find(stop).map_or(s.len(), |i| at + len + i);
    (&s[start..at], &s[at + len..end])
}

pub(super) fn zh(s: &str) -> Option<&'static str> {
    if !s.chars().any(is_han) {
        return None;
    }
    // Strong words.
    for w in ZH_STRONG {
        let mut from = 0;
        while let Some(p) = s[from..].find(w) {
            let at = from + p;
            from = at + w.len();
            if zh_blocked(s, at, w) || *w == "真人" && is_bot_identity_question(s, at) {
                continue;
            }
            return Some("a person asked for");
        }
    }
    // 转 + person: 转人工 is above; 转客服, 转接, 帮我转一下, 转售后.
    if [
        "转接",
        "帮我转",
        "给我转",
        "转一下",
        "转个",
        "转给",
        "转到",
        "转售后",
        "转客服",
    ]
    .iter()
    .any(|f| {
        s.find(f).is_some_and(|at| {
            let after = &s[at + f.len()..];
            ![
                "账", "运", "发", "卖", "寄", "让", "换", "钱", "款", "手", "单", "货", "朋友", "别人", "家人", "他人",
                "她", "他", "我",
            ]
            .iter()
            .any(|x| after.starts_with(x))
        })
    }) {
        return Some("a transfer asked for");
    }
    // Weak persons in a frame.
    for w in ZH_WEAK {
        let mut from = 0;
        while let Some(p) = s[from..].find(w) {
            let at = from + p;
            from = at + w.len();
            let (before, after) = clause(s, at, w.len());
            let whole_after = &s[at + w.len()..];
            if weak_blocked(&s[..at], w, whole_after) {
                continue;
            }
            let near_before: String = before
                .chars()
                .rev()
                .take(7)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let framed_before = ZH_FRAME_BEFORE.iter().any(|f| near_before.contains(f));
            // 掌柜的在吗, 售后部门给我来电: a 的 or a 部门 between the person and the frame.
            let tail = whole_after.trim_start();
            let tail = tail
                .strip_prefix('的')
                .or_else(|| tail.strip_prefix("部门"))
                .unwrap_or(tail);
            let framed_after = ZH_FRAME_AFTER.iter().any(|f| tail.starts_with(f));
            let after = after.strip_prefix('的').unwrap_or(after);
            let alone = bare(before) && bare(after);
            // The person word and nothing else: a one-word demand ("客服！", "掌柜的", "店家").
            let repeated =
                *w == "客服" && s.matches("客服").count() >= 2 && s.replace("客服", "").chars().all(|c| !is_han(c));
            if framed_before
                || framed_after
                || repeated
                || alone && matches!(*w, "客服" | "掌柜" | "店家" | "小二" | "售后")
            {
                return Some("someone asked for");
            }
        }
    }
    // A person, as 人 on its own: 找人, 叫人, 来人, 有没有人能…, 让人给我打电话, 叫个能听懂的人来.
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c != '人' {
            continue;
        }
        let prev = if i > 0 { chars[i - 1] } else { ' ' };
        let next: String = chars[i + 1..].iter().take(3).collect();
        let before: String = chars[i.saturating_sub(8)..i].iter().collect();
        let clause_before: String = before
            .rsplit(|c: char| "，。！？,.!?".contains(c))
            .next()
            .unwrap_or("")
            .to_owned();
        let ends = next.is_empty() || next.starts_with(|c: char| "，。！？,.!?～~ 吧啊呀嘛吗呢不没么".contains(c));
        let helping = [
            "给我", "打", "联系", "帮", "来", "处理", "跟", "管", "回", "理", "能", "可以", "在", "看", "查", "说",
            "聊", "问",
        ]
        .iter()
        .any(|h| next.starts_with(h));
        let request = match prev {
            '找' | '叫' | '喊' | '派' | '要' | '换' | '排' => {
                (ends || helping) && !next.starts_with('代') && !next.starts_with("帮我收") && !next.starts_with("收")
            }
            '来' => ends || clause_before.is_empty(),
            '让' => helping,
            '有' => {
                let asking = ["有没有", "能不能有", "能有", "可不可以有", "可以有"]
                    .iter()
                    .any(|f| clause_before.ends_with(f));
                // 有人吗, 有人在线吗, 有人没啊, 有人值班吗, 后台有人看吗, 店里有人没.
                asking && (ends || helping)
                    || [
                        "在吗",
                        "在么",
                        "在不在",
                        "在线",
                        "吗",
                        "么",
                        "没",
                        "不",
                        "嘛",
                        "值班",
                        "看吗",
                        "回",
                    ]
                    .iter()
                    .any(|h| next.starts_with(h))
            }
            '跟' | '和' | '同' => {
                ["说", "聊", "讲", "谈", "对接", "沟通", "直接"]
                    .iter()
                    .any(|h| next.starts_with(h))
                    && !clause_before.ends_with("别")
            }
            '的' => {
                next.starts_with('来')
                    || next.starts_with("出来")
                    || clause_before.contains('叫')
                    || clause_before.contains("找个")
            }
            '个' => {
                ["找", "叫", "来", "派", "换", "要", "喊", "跟", "和", "整", "安排", "搵"]
                    .iter()
                    .any(|f| clause_before.ends_with(&format!("{f}个")))
                    || next.starts_with('来')
                    || next.starts_with('儿')
                    || next.starts_with('嚟')
            }
            // 人呢？ as a clause of its own ("垃圾机器人，浪费我时间，人呢？").
            _ => clause_before.is_empty() && next.starts_with('呢'),
        };
        if request {
            return Some("someone asked for");
        }
        // 叫个能听懂的人来 / 找个明白的人: a frame earlier in the clause and 人 at its end.
        if (clause_before.contains("叫个")
            || clause_before.contains("找个")
            || clause_before.contains("换个")
            || clause_before.contains("来个"))
            && (ends || next.starts_with('来'))
        {
            return Some("someone asked for");
        }
    }
    // Someone described by what they know or can do: 找个懂行的来, 叫个能说上话的来.
    if let Some(c) = capable_someone(s) {
        return Some(c);
    }
    // A call asked for with haste: 请尽快回电, 麻烦马上联系我.
    for call in ["回电", "联系我", "给我打电话", "打给我"] {
        if let Some(at) = s.find(call) {
            let before: String = s[..at]
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if ["请", "麻烦", "尽快", "马上", "赶紧", "速"]
                .iter()
                .any(|h| before.contains(h))
                && !s[at + call.len()..].starts_with('了')
            {
                return Some("a call asked for");
            }
        }
    }
    // A call asked for: 给我打个电话, 打电话给我, 回个电话.
    if [
        "给我打电话",
        "给我打个电话",
        "打电话给我",
        "打个电话给我",
        "给我回电",
        "回个电话",
        "来电话",
        "给我来个电话",
        "电话联系我",
    ]
    .iter()
    .any(|w| s.contains(w))
    {
        return Some("a call asked for");
    }
    // Bot complaints that ask for someone, and "不要机器人".
    let bot = [
        "机器人",
        "机器",
        "程序",
        "ai",
        "自动回复",
        "智能客服",
        "人工智障",
        "智障",
    ]
    .iter()
    .any(|w| s.contains(w));
    if bot {
        let refusing = [
            "不要",
            "别",
            "不想",
            "不跟",
            "不和",
            "换",
            "听不懂",
            "没用",
            "用都没有",
            "废物",
            "不是人",
            "智障",
            "答非所问",
            "一样的",
            "复制",
            "傻",
            "笨",
            "有人吗",
            "有没有人",
        ];
        if refusing.iter().any(|w| s.contains(w)) {
            return Some("the bot refused");
        }
    }
    None
}

/// Nothing but politeness and punctuation: "pls", "please", "谢谢", "啊", "在吗" are not content.
fn bare(s: &str) -> bool {
    let mut rest = s.to_owned();
    for p in [
        "please", "pls", "plz", "thanks", "thx", "asap", "now", "谢谢", "麻烦", "快点", "在吗", "啊", "呀", "吧", "哈",
        "了", "呢",
    ] {
        rest = rest.replace(p, "");
    }
    rest.chars().all(|c| !is_han(c) && !c.is_alphanumeric())
}

/// Words that describe a person by what they know or may decide (a thing is not 懂行).
const CAPABLE: &[&str] = &[
    "懂",
    "能说",
    "能听",
    "能做主",
    "能解决",
    "能处理",
    "能管",
    "会说",
    "会处理",
    "管事",
    "明白",
    "靠谱",
    "专业",
    "负责",
    "说了算",
    "说得上",
    "说上话",
    "能拍板",
    "有权限",
];

/// "找个懂行的来", "叫个能说上话的来", "换个明白的": a verb of fetching someone, 个, what they
/// know or can do, 的 — and then nothing, or 来 / 看看 / 帮 ….
fn capable_someone(s: &str) -> Option<&'static str> {
    for verb in [
        "找个",
        "叫个",
        "换个",
        "来个",
        "派个",
        "喊个",
        "整个",
        "请个",
        "找一个",
        "叫一个",
        "换一个",
    ] {
        for (at, _) in s.match_indices(verb) {
            let tail = &s[at + verb.len()..];
            let end = tail
                .find(|c: char| "，。！？；,.!?;\n".contains(c))
                .unwrap_or(tail.len());
            let tail = &tail[..end];
            let Some(de) = tail.find('的') else { continue };
            let (who, rest) = (&tail[..de], &tail[de + '的'.len_utf8()..]);
            if who.chars().count() > 8 {
                continue;
            }
            let people_verb = verb.starts_with('叫') || verb.starts_with('喊') || verb.starts_with('派');
            let capable = CAPABLE.iter().any(|w| who.contains(w));
            let then = rest.is_empty()
                || ["来", "过来", "出来", "看", "帮", "处理", "跟", "和", "吧", "啊", "行"]
                    .iter()
                    .any(|w| rest.starts_with(w));
            if (people_verb || capable) && then {
                return Some("someone asked for");
            }
        }
    }
    None
}

/// 客服/经理 … that are not asked for: hours, what someone said, the courier.
fn weak_blocked(before: &str, w: &str, after: &str) -> bool {
    let hours = ["工作时间", "上班时间", "几点", "时间", "营业", "休息日"];
    if hours.iter().any(|h| after.starts_with(h)) && !after.contains("找") {
        return true;
    }
    let said = [
        "说可以",
        "说能",
        "说会",
        "说过",
        "说的",
        "之前说",
        "告诉",
        "答应",
        "承诺",
        "讲过",
        "说要",
        "说给",
        "说了",
    ];
    if said.iter().any(|h| after.starts_with(h)) && !before.ends_with('叫') && !before.ends_with('让') {
        return true;
    }
    match w {
        "员工" => ["价", "福利", "折扣", "内购", "优惠"]
            .iter()
            .any(|x| after.starts_with(x)),
        "销售" => ["额", "量", "价", "渠道", "数据", "一空"]
            .iter()
            .any(|x| after.starts_with(x)),
        // 售后 is also the service itself (售后政策, 有售后吗): a person only when someone is
        // made to act ("让你们售后跟我联系", "售后的人呢").
        "售后" => {
            let owner = before
                .strip_suffix("你们的")
                .or_else(|| before.strip_suffix("你们"))
                .unwrap_or(before);
            !(["人员", "的人", "出来", "呢", "的同事", "来", "客服", "专员", "处理"]
                .iter()
                .any(|x| after.starts_with(x))
                || ZH_FRAME_AFTER
                    .iter()
                    .filter(|f| f.chars().count() >= 2)
                    .any(|f| after.starts_with(f))
                || ["转", "找", "让", "叫", "请", "要", "麻烦"]
                    .iter()
                    .any(|b| owner.ends_with(b)))
        }
        "同事" => before.ends_with('我') || before.ends_with("我的"),
        "客服" => {
            ["招聘", "招", "应聘", "兼职", "做"].iter().any(|x| before.ends_with(x))
                || before.ends_with("智能")
                || before.ends_with("机器人")
                || before.ends_with("ai")
                || after.starts_with("机器人")
                || before.ends_with("人工智能")
        }
        _ => false,
    }
}

/// "你是真人吗" asks what the assistant is; "有没有真人" asks for one.
fn is_bot_identity_question(s: &str, at: usize) -> bool {
    let before = &s[..at];
    let after = &s[at + "真人".len()..];
    (before.ends_with("你是") || before.ends_with("你是不是") || before.ends_with("是不是") && before.contains('你'))
        && !after.contains("叫")
        && !after.contains("找")
        && !after.contains("要")
        && !after.contains("来")
}
