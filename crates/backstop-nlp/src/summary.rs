//! The extractive summary at the top of a handoff packet: what the customer asked, in their own
//! words, shortened, newest last.

use backstop_core::message::Lang;

/// Summarizes the customer's turns in at most `max_chars` characters.
pub fn summarize(lang: Lang, customer_turns: &[&str], max_chars: usize) -> String {
    let turns: Vec<String> = customer_turns
        .iter()
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty())
        .collect();
    if turns.is_empty() {
        return match lang {
            Lang::En => "The customer has not written anything yet.".into(),
            Lang::Zh => "客户尚未发送任何消息。".into(),
        };
    }
    let (lead, sep) = match lang {
        Lang::En => ("Customer wrote: ", " / "),
        Lang::Zh => ("客户说：", " / "),
    };
    // Keep the first question (the goal) and as many of the latest turns as fit.
    let budget = max_chars.saturating_sub(lead.chars().count()).max(20);
    let first = clip(&turns[0], budget / 2);
    let mut tail: Vec<String> = Vec::new();
    let mut used = first.chars().count();
    for t in turns.iter().skip(1).rev() {
        let room = budget.saturating_sub(used + sep.len());
        if room < 12 {
            break;
        }
        let c = clip(t, room);
        used += c.chars().count() + sep.len();
        tail.push(c);
    }
    tail.reverse();
    let mut parts = vec![first];
    if tail.len() + 1 < turns.len() {
        parts.push("…".into());
    }
    parts.extend(tail);
    format!("{lead}{}", parts.join(sep))
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_first_and_latest_turns() {
        let s = summarize(
            Lang::En,
            &[
                "Where is my order MM-20261121-0042?",
                "it's been 10 days",
                "talk to a human",
            ],
            200,
        );
        assert!(s.starts_with("Customer wrote: Where is my order"), "{s}");
        assert!(s.contains("talk to a human"), "{s}");
        let zh = summarize(Lang::Zh, &["快递怎么还没到"], 200);
        assert_eq!(zh, "客户说：快递怎么还没到");
    }

    #[test]
    fn stays_within_budget() {
        let long = "x".repeat(500);
        let s = summarize(Lang::En, &[&long, &long, &long], 160);
        assert!(s.chars().count() <= 175, "{}", s.chars().count());
        assert_eq!(
            summarize(Lang::En, &[], 100),
            "The customer has not written anything yet."
        );
    }
}
