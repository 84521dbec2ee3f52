//! Chinese key words as customers type them: homophone typos folded to the word meant (转认工,
//! 人攻, 克服 / 刻服 / 客副 asked for) and pinyin, whole or by initials (rengong, zrg, kf).

use crate::lang::is_han;

/// Homophone typos of the key words, folded to the word meant (转认工 → 转人工, 人攻 → 人工,
/// 克服 → 客服 when asked for, 活任 → 活人), and pinyin spellings.
pub(super) fn fold_han(text: &str) -> String {
    let mut s: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for (from, to) in [
        ("zhuan rengong", "转人工"),
        ("zhuanrengong", "转人工"),
        ("转rg", "转人工"),
        ("ren gong", "人工"),
        ("rengong", "人工"),
        ("renggong", "人工"),
        ("kefu", "客服"),
        ("ke fu", "客服"),
        ("客fu", "客服"),
        ("客 服", "客服"),
        ("人 工", "人工"),
        ("真 人", "真人"),
    ] {
        s = s.replace(from, to);
    }
    let s = pinyin_initials(&s);
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let prev = if i > 0 { Some(chars[i - 1]) } else { None };
        // 人工 typed by sound: 认工 仁工 任工 人公 人攻 人功 人宫.
        if matches!(c, '人' | '认' | '仁' | '任')
            && matches!(next, Some('工' | '公' | '攻' | '功' | '宫' | '共'))
            && prev != Some('主')
        {
            out.push_str("人工");
            i += 2;
            continue;
        }
        // 真人 / 活人: 真仁 真任 活任 活仁.
        if matches!(c, '真' | '活') && matches!(next, Some('仁' | '任' | '认')) {
            out.push(c);
            out.push('人');
            i += 2;
            continue;
        }
        // 客服: 克服 可服 刻服 客福 客副 when it is asked for (followed by a frame word, or alone).
        if matches!(c, '克' | '可' | '客' | '刻' | '课' | '科')
            && matches!(next, Some('服' | '福' | '府' | '副' | '付'))
        {
            let after = chars.get(i + 2).copied();
            if c == '客' || after.is_none_or(|a| !is_han(a) || "呢吗在出来人小电热".contains(a)) {
                out.push_str("客服");
                i += 2;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Chat shorthand by pinyin initials, as whole Latin runs: rg (人工), zrg (转人工), rgkf (人工客服),
/// kf (客服), zr (真人), zhenren (真人), and ren after a classifier (叫个ren来).
fn pinyin_initials(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let word = match run.as_str() {
            "rg" => "人工",
            "zrg" => "转人工",
            "rgkf" => "人工客服",
            "kf" => "客服",
            "zr" | "zhenren" => "真人",
            "ren" if out.ends_with('个') || out.ends_with('叫') || out.ends_with('找') => "人",
            _ => run.as_str(),
        };
        out.push_str(word);
        run.clear();
    };
    for c in s.chars() {
        if c.is_ascii_alphabetic() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out.replace("真人 客服", "真人客服").replace("zhen ren", "真人")
}
