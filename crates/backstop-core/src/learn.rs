//! Learning from human answers: when a person resolves a conversation the AI handed over, what
//! they answered becomes a *candidate* knowledge-base entry (the customer's question in their own
//! words, the person's answer, both without personal data) that a trainer approves, edits, merges
//! into an existing entry or rejects. Pure: the engine drafts and stores them.

use serde::{Deserialize, Serialize};

use crate::ids::{ArticleId, CandidateId, ConversationId};
use crate::message::Lang;
use crate::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateStatus {
    Pending,
    /// Published as a new article.
    Approved,
    /// Added to an existing article.
    Merged,
    Rejected,
}

impl CandidateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CandidateStatus::Pending => "pending",
            CandidateStatus::Approved => "approved",
            CandidateStatus::Merged => "merged",
            CandidateStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Approved, Self::Merged, Self::Rejected]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// The knowledge-base entry closest to a candidate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Near {
    pub article: ArticleId,
    pub title: String,
    pub confidence: f32,
}

/// A drafted entry and what became of it (its provenance stays with it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: CandidateId,
    pub conversation: ConversationId,
    pub lang: Lang,
    pub topic: Option<String>,
    pub question: String,
    pub answer: String,
    /// Who answered the customer.
    pub agent_name: String,
    /// A knowledge-base entry that already says much the same (a near-duplicate: merge it there).
    pub near: Option<Near>,
    /// Where the answer and the near entry disagree (different figures), for the trainer to settle.
    pub conflict: Option<String>,
    pub status: CandidateStatus,
    pub decided_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub decided_at: Option<Timestamp>,
    /// The article it became or was merged into.
    pub article: Option<ArticleId>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
}

/// The figures a text states (numbers with what follows them: "3-5 days", "¥10", "7 天"), to
/// compare two answers.
pub fn figures(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i].is_ascii_digit()
            || (matches!(chars[i], '¥' | '$' | '€') && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() && (chars[j].is_ascii_digit() || matches!(chars[j], '.' | '-' | '–' | '~' | ',')) {
            j += 1;
        }
        // The unit: the next word (or CJK character), skipping one space.
        let mut k = j;
        if chars.get(k) == Some(&' ') {
            k += 1;
        }
        let unit: String = if chars.get(k).is_some_and(|c| !c.is_ascii()) {
            chars[k..(k + 1).min(chars.len())].iter().collect()
        } else {
            chars[k..].iter().take_while(|c| c.is_ascii_alphabetic()).collect()
        };
        let number: String = chars[i..j]
            .iter()
            .collect::<String>()
            .trim_end_matches(['.', ',', '-'])
            .to_string();
        let f = if unit.is_empty() {
            number
        } else {
            format!("{number} {}", unit.to_lowercase())
        };
        if !out.contains(&f) {
            out.push(f);
        }
        i = j;
    }
    out
}

/// When a candidate answer and an existing entry both state figures of the same kind (unit) but
/// none in common, says where they disagree.
pub fn conflict(answer: &str, existing_title: &str, existing: &str) -> Option<String> {
    let (a, b) = (figures(answer), figures(existing));
    let unit = |f: &String| f.split_once(' ').map(|(_, u)| u.to_string());
    let shared_units: Vec<String> = a
        .iter()
        .filter_map(unit)
        .filter(|u| b.iter().filter_map(unit).any(|v| &v == u))
        .collect();
    let u = shared_units.first()?;
    let of = |xs: &[String]| {
        xs.iter()
            .filter(|f| unit(f).as_ref() == Some(u))
            .cloned()
            .collect::<Vec<_>>()
    };
    let (fa, fb) = (of(&a), of(&b));
    if fa.iter().any(|f| fb.contains(f)) {
        return None;
    }
    Some(format!(
        "the answer says {}; “{existing_title}” says {}",
        fa.join(", "),
        fb.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_numbers_with_their_unit() {
        assert_eq!(
            figures("Refunds take 3-5 days, or 7 days abroad; the fee is ¥10."),
            ["3-5 days", "7 days", "¥10"]
        );
        assert_eq!(figures("退款 3-5 天到账，运费 10 元"), ["3-5 天", "10 元"]);
        assert!(figures("no numbers").is_empty());
    }

    #[test]
    fn a_different_figure_of_the_same_kind_is_a_conflict() {
        let kb = "Refunds reach your card 3-5 days after we receive the return.";
        assert_eq!(
            conflict("Your refund arrives within 10 days.", "Refund timing", kb).as_deref(),
            Some("the answer says 10 days; “Refund timing” says 3-5 days")
        );
        assert_eq!(
            conflict("It takes 3-5 days, sorry for the wait.", "Refund timing", kb),
            None,
            "same figure"
        );
        assert_eq!(
            conflict("Call us any time.", "Refund timing", kb),
            None,
            "nothing to compare"
        );
        assert!(conflict("退款 7 天到账", "退款多久到账", "退款 3-5 天原路退回").is_some());
    }

    #[test]
    fn statuses_round_trip() {
        for s in ["pending", "approved", "merged", "rejected"] {
            assert_eq!(CandidateStatus::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(CandidateStatus::parse("done"), None);
    }
}
