//! The pre-send guard's vocabulary and its one rule: what a check can find in an AI message
//! before a customer sees it, and what the findings mean — send it, have it rewritten once,
//! send the extractive answer instead, or hand over with reason `guard`. The checks themselves
//! read text (`backstop_nlp::guard`); this is what the decision trace stores.

use serde::{Deserialize, Serialize};

/// One check of the guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// A figure, amount, date, duration, URL, e-mail or phone number that neither the cited
    /// sources nor the customer's own words contain.
    Grounding,
    /// A sentence the sources do not support.
    Support,
    /// A refund, compensation, exception, guarantee or deadline the sources do not grant.
    Promise,
    /// Personal data that is not the customer's own (or a card number, ever).
    PersonalData,
    /// Words of the instructions, the policy or the prompt's framing.
    InstructionLeak,
    /// Claiming to be a person, or insulting the customer.
    Conduct,
    /// Not in the language the customer is answered in.
    Language,
    /// Empty, or longer than an answer may be.
    Length,
}

impl Check {
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Grounding => "grounding",
            Check::Support => "support",
            Check::Promise => "promise",
            Check::PersonalData => "personal_data",
            Check::InstructionLeak => "instruction_leak",
            Check::Conduct => "conduct",
            Check::Language => "language",
            Check::Length => "length",
        }
    }

    /// Findings a second attempt is not allowed to fix: the model that wrote them is not asked
    /// again in this turn.
    pub fn is_severe(self) -> bool {
        matches!(self, Check::PersonalData | Check::InstructionLeak | Check::Conduct)
    }
}

/// What one check found, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub check: Check,
    /// The words that caused it (clipped; personal data masked).
    pub detail: String,
}

/// What happens to the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Send,
    /// Generate again once, told what was wrong.
    Rewrite,
    /// Send the extractive answer (the knowledge base's own passage) instead.
    Fallback,
    /// Nothing safe can be sent: hand over with reason `guard`.
    Handoff,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Send => "send",
            Verdict::Rewrite => "rewrite",
            Verdict::Fallback => "fallback",
            Verdict::Handoff => "handoff",
        }
    }
}

/// The rule: a clean message is sent; a first attempt with fixable findings is rewritten once;
/// otherwise the extractive answer goes out when there is one, else a person takes over.
pub fn verdict(findings: &[Finding], attempt: u32, fallback_available: bool) -> Verdict {
    if findings.is_empty() {
        return Verdict::Send;
    }
    let severe = findings.iter().any(|f| f.check.is_severe());
    if attempt == 0 && !severe {
        Verdict::Rewrite
    } else if fallback_available {
        Verdict::Fallback
    } else {
        Verdict::Handoff
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(check: Check) -> Finding {
        Finding {
            check,
            detail: String::new(),
        }
    }

    #[test]
    fn the_rule_over_every_case() {
        assert_eq!(verdict(&[], 0, false), Verdict::Send);
        assert_eq!(verdict(&[], 1, true), Verdict::Send);
        assert_eq!(verdict(&[f(Check::Grounding)], 0, true), Verdict::Rewrite);
        assert_eq!(verdict(&[f(Check::Grounding)], 0, false), Verdict::Rewrite);
        assert_eq!(verdict(&[f(Check::Grounding)], 1, true), Verdict::Fallback);
        assert_eq!(verdict(&[f(Check::Grounding)], 1, false), Verdict::Handoff);
        for severe in [Check::PersonalData, Check::InstructionLeak, Check::Conduct] {
            assert_eq!(verdict(&[f(Check::Language), f(severe)], 0, true), Verdict::Fallback);
            assert_eq!(verdict(&[f(severe)], 0, false), Verdict::Handoff);
        }
    }

    #[test]
    fn names_are_stable() {
        assert_eq!(Check::PersonalData.as_str(), "personal_data");
        assert_eq!(
            serde_json::to_string(&Check::InstructionLeak).unwrap(),
            "\"instruction_leak\""
        );
        assert_eq!(Verdict::Fallback.as_str(), "fallback");
    }
}
