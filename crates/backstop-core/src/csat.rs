//! Customer satisfaction: the 1–5 rating (and comment) a customer gives a resolved conversation.
//! Ratings of 2 or less are flagged for a supervisor's review.

use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// Ratings at or below this are flagged for review.
pub const LOW: u8 = 2;
/// The longest comment kept, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Csat {
    /// 1 (very unhappy) to 5 (very happy).
    pub rating: u8,
    pub comment: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CsatError {
    #[error("a rating is a whole number from 1 to 5")]
    Rating,
    #[error("a comment is at most {MAX_COMMENT_CHARS} characters")]
    Comment,
}

impl Csat {
    /// Validates a rating and its comment (trimmed; empty means none).
    pub fn new(rating: u8, comment: Option<&str>, at: Timestamp) -> Result<Csat, CsatError> {
        if !(1..=5).contains(&rating) {
            return Err(CsatError::Rating);
        }
        let comment = comment.map(crate::message::strip_hidden_controls);
        let comment = comment.as_deref().map(str::trim).filter(|c| !c.is_empty());
        if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
            return Err(CsatError::Comment);
        }
        Ok(Csat {
            rating,
            comment: comment.map(str::to_owned),
            at,
        })
    }

    pub fn is_low(&self) -> bool {
        self.rating <= LOW
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_checked_and_low_ones_flagged() {
        let at = time::OffsetDateTime::UNIX_EPOCH;
        assert_eq!(Csat::new(0, None, at), Err(CsatError::Rating));
        assert_eq!(Csat::new(6, None, at), Err(CsatError::Rating));
        let c = Csat::new(2, Some("  slow  "), at).unwrap();
        assert_eq!(c.comment.as_deref(), Some("slow"));
        assert!(c.is_low());
        assert!(!Csat::new(3, Some("   "), at).unwrap().is_low());
        assert_eq!(Csat::new(3, Some("   "), at).unwrap().comment, None);
        assert_eq!(Csat::new(5, Some(&"x".repeat(2001)), at), Err(CsatError::Comment));
    }
}
