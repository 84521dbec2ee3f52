//! Tests of the channels' limits, reply windows, cutting and formatting.

use time::macros::datetime;
use time::Duration;

use super::text::{prepare, render, split};
use super::*;

#[test]
fn names_round_trip_and_serde_agrees() {
    for c in Channel::ALL {
        assert_eq!(Channel::parse(c.as_str()), Some(c));
        assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{}\"", c.as_str()));
    }
    assert_eq!(Channel::parse("WhatsApp"), None);
    assert_eq!(Channel::parse("sms"), None);
}

#[test]
fn whatsapp_allows_text_for_24_hours_then_only_templates() {
    let now = datetime!(2026-12-07 12:00 UTC);
    let w = |ago: Duration, who| Channel::WhatsApp.window(Some(now - ago), now, who);
    assert_eq!(w(Duration::hours(23), Sender::Ai), Window::Open);
    assert_eq!(w(Duration::hours(24), Sender::Person), Window::Open);
    assert_eq!(
        w(Duration::hours(24) + Duration::seconds(1), Sender::Person),
        Window::TemplateOnly
    );
    assert_eq!(
        Channel::WhatsApp.window(None, now, Sender::Person),
        Window::TemplateOnly
    );
    assert!(!Window::TemplateOnly.allows_text());
}

#[test]
fn messenger_and_instagram_let_only_a_person_answer_after_24_hours_up_to_7_days() {
    let now = datetime!(2026-12-07 12:00 UTC);
    for ch in [Channel::Messenger, Channel::Instagram] {
        let w = |ago: Duration, who| ch.window(Some(now - ago), now, who);
        assert_eq!(w(Duration::hours(2), Sender::Ai), Window::Open);
        assert_eq!(w(Duration::hours(30), Sender::Ai), Window::Closed);
        assert_eq!(w(Duration::hours(30), Sender::Person), Window::HumanAgentTag);
        assert_eq!(w(Duration::days(7), Sender::Person), Window::HumanAgentTag);
        assert_eq!(w(Duration::days(8), Sender::Person), Window::Closed);
        assert!(Window::HumanAgentTag.allows_text());
        assert_eq!(ch.window(None, now, Sender::Person), Window::Closed);
    }
}

#[test]
fn web_email_telegram_and_api_have_no_window() {
    let now = datetime!(2026-12-07 12:00 UTC);
    for ch in [Channel::Web, Channel::Email, Channel::Telegram, Channel::Api] {
        assert_eq!(
            ch.window(Some(now - Duration::days(400)), now, Sender::Ai),
            Window::Open
        );
        assert_eq!(ch.window(None, now, Sender::Ai), Window::Open);
    }
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn a_short_answer_is_one_piece() {
    assert_eq!(split("  Hello there.  ", 10_000, Unit::Chars), vec!["Hello there."]);
    assert!(split("   ", 100, Unit::Chars).is_empty());
}

#[test]
fn a_long_answer_is_cut_at_paragraphs_first() {
    let a = "First paragraph, which explains the refund rule. ".repeat(3);
    let b = "Second paragraph about shipping times and carriers. ".repeat(3);
    let text = format!("{}\n\n{}", a.trim(), b.trim());
    let pieces = split(&text, a.len() + 20, Unit::Chars);
    assert_eq!(pieces, vec![a.trim().to_owned(), b.trim().to_owned()]);
}

#[test]
fn english_is_cut_after_a_sentence_and_never_inside_a_word() {
    let text = "Returns are free within thirty days. Bring the receipt to any store. \
                Refunds reach your card in five working days."
        .to_owned();
    let pieces = split(&text, 50, Unit::Chars);
    assert!(pieces.len() >= 3, "{pieces:?}");
    for p in &pieces {
        assert!(p.chars().count() <= 50, "{p}");
        assert!(p.ends_with('.'), "cut mid-sentence: {p:?}");
    }
    assert_eq!(squash(&pieces.concat()), squash(&text));
}

#[test]
fn chinese_is_cut_after_a_full_stop_or_a_comma() {
    let text = "七天内可以无理由退货，请保留好小票和包装。退款会在五个工作日内原路返回到您的账户。\
                如有疑问请随时联系我们的客服团队，我们会尽快为您处理。";
    let pieces = split(text, 30, Unit::Chars);
    for p in &pieces {
        assert!(p.chars().count() <= 30, "{p}");
        let last = p.chars().last().unwrap();
        assert!("。，".contains(last), "cut mid-clause: {p:?}");
    }
    assert_eq!(pieces.concat(), text);
}

#[test]
fn text_without_any_break_is_cut_hard_at_the_limit() {
    let url = format!("https://example.com/{}", "a".repeat(100));
    let pieces = split(&url, 40, Unit::Chars);
    assert!(pieces.iter().all(|p| p.chars().count() <= 40));
    assert_eq!(pieces.concat(), url);
    let zh = "退".repeat(95);
    let pieces = split(&zh, 40, Unit::Chars);
    assert_eq!(
        pieces.iter().map(|p| p.chars().count()).collect::<Vec<_>>(),
        vec![40, 40, 15]
    );
}

#[test]
fn instagram_counts_bytes_so_chinese_pieces_are_a_third_as_long() {
    let limits = Channel::Instagram.limits();
    let zh = "您的订单已经发货，预计三天内送达。".repeat(100);
    let pieces = prepare(&zh, limits);
    assert!(pieces.iter().all(|p| p.len() <= 999), "{:?}", pieces[0].len());
    assert!(pieces[0].chars().count() <= 333);
    assert_eq!(pieces.concat(), zh);
}

#[test]
fn whatsapp_formatting() {
    let md = "## Your order\n\n**Shipped** on Monday, *tracking* below:\n- carrier: `SF Express`\n- [track it](https://t.example/1)\n\n~~old~~ new, snake_case_name stays.";
    assert_eq!(
        render(md, Format::WhatsApp),
        "*Your order*\n\n*Shipped* on Monday, _tracking_ below:\n- carrier: `SF Express`\n- track it (https://t.example/1)\n\n~old~ new, snake_case_name stays."
    );
}

#[test]
fn plain_formatting_drops_markers_and_writes_links_out() {
    let md = "# Hours\n**Mon–Fri** 9:00–18:00 (see [our page](https://shop.example/hours)) or https://shop.example\n1. first\n2) second";
    assert_eq!(
        render(md, Format::Plain),
        "Hours\nMon–Fri 9:00–18:00 (see our page (https://shop.example/hours)) or https://shop.example\n1. first\n2. second"
    );
    assert_eq!(
        render("[https://a.example](https://a.example)", Format::Plain),
        "https://a.example"
    );
}

#[test]
fn telegram_html_escapes_text_and_keeps_tags_balanced() {
    let md = "**5 < 6 & 7 > 3** for _you_ — `a<b>` [x](https://e.example/?a=1&b=\"2\")";
    assert_eq!(
        render(md, Format::TelegramHtml),
        "<b>5 &lt; 6 &amp; 7 &gt; 3</b> for <i>you</i> — <code>a&lt;b&gt;</code> \
         <a href=\"https://e.example/?a=1&amp;b=&quot;2&quot;\">x</a>"
    );
    // A customer's text with stray markup is text, not tags.
    assert_eq!(
        render("<script>alert(1)</script> *", Format::TelegramHtml),
        "&lt;script&gt;alert(1)&lt;/script&gt; *"
    );
}

#[test]
fn html_formatting_for_email() {
    let md = "Hello,\nthanks for waiting.\n\n- one\n- two\n\n1. a\n2. b";
    assert_eq!(
        render(md, Format::Html),
        "<p>Hello,<br>\nthanks for waiting.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol>\n<li>a</li>\n<li>b</li>\n</ol>"
    );
}

#[test]
fn unmatched_or_spaced_markers_are_text() {
    for s in [
        "5 * 3 = 15",
        "a ** b",
        "price_list and file_name",
        "**unclosed",
        "`open",
        "[x](not a url)",
        "2 * 3 * 4",
    ] {
        assert_eq!(render(s, Format::WhatsApp), s, "{s}");
        assert_eq!(render(s, Format::Plain), s, "{s}");
    }
}

#[test]
fn markdown_channels_get_the_text_as_written() {
    let md = "**bold** and [x](https://e.example)";
    assert_eq!(render(md, Format::Markdown), md);
}

/// Deterministic text made of the constructs the renderer reads, to check that no piece grows
/// past the limit once rendered.
fn generated(seed: u64) -> String {
    let parts = [
        "**bold** ",
        "*it* ",
        "_u_ ",
        "`c` ",
        "[link](https://x.example/p) ",
        "word ",
        "退款。",
        "Sentence. ",
        "\n",
        "\n\n",
        "- item\n",
        "1. step\n",
        "# Head\n",
        "~~s~~ ",
        "5 * 3 ",
        "a_b ",
    ];
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    let mut s = String::new();
    for _ in 0..(20 + seed % 80) {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        s.push_str(parts[(x >> 33) as usize % parts.len()]);
    }
    s
}

#[test]
fn a_rendered_piece_never_grows_past_the_channels_limit() {
    for seed in 0..300 {
        let text = generated(seed);
        for max in [15, 40, 120] {
            for format in [Format::Plain, Format::WhatsApp] {
                for unit in [Unit::Chars, Unit::Utf8Bytes] {
                    for piece in prepare(&text, Limits { max, unit, format }) {
                        assert!(
                            unit.len(&piece) <= max,
                            "{format:?} {max} {unit:?}: {piece:?} from {text:?}"
                        );
                        assert!(!piece.trim().is_empty());
                    }
                }
            }
        }
    }
}
