//! A conversation's emotion over time: the radar's scores per customer turn (the trajectory), how
//! fast anger rises, and the inflection points ("情绪拐点") worth a person's attention — anger
//! climbing turn after turn, or the mood falling right after an AI answer (it did not help).

use serde::{Deserialize, Serialize};

/// The radar's five scores in [0, 1]; 0.5 is the radar's "yes" for each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EmotionScores {
    pub anger: f32,
    pub frustration: f32,
    pub anxiety: f32,
    pub sadness: f32,
    pub satisfaction: f32,
}

impl EmotionScores {
    /// Satisfaction minus the strongest negative feeling, in [-1, 1].
    pub fn valence(&self) -> f32 {
        let negative = self
            .anger
            .max(self.frustration)
            .max(self.sadness)
            .max(self.anxiety * 0.8);
        self.satisfaction - negative
    }
}

/// One customer turn on the trajectory.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MoodPoint {
    /// The customer's turn number, from 1.
    pub turn: u32,
    pub scores: EmotionScores,
    /// The AI's last message before this turn was a knowledge-base answer.
    pub after_answer: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub at: time::OffsetDateTime,
}

/// A change in the customer's mood that a person should see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inflection {
    /// Anger went up turn after turn.
    Rising,
    /// The mood fell sharply right after the AI answered.
    DropAfterAnswer,
}

impl Inflection {
    pub fn as_str(self) -> &'static str {
        match self {
            Inflection::Rising => "rising",
            Inflection::DropAfterAnswer => "drop_after_answer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "rising" => Some(Inflection::Rising),
            "drop_after_answer" => Some(Inflection::DropAfterAnswer),
            _ => None,
        }
    }
}

/// The trajectory keeps this many recent turns.
pub const KEEP: usize = 50;
/// A rise counts when each step adds at least this much anger …
const STEP: f32 = 0.05;
/// … the rise over the window is at least this …
const RISE: f32 = 0.25;
/// … and the last turn is at least this angry.
const FLOOR: f32 = 0.3;
/// A drop after an answer counts when the valence falls by at least this much …
const DROP: f32 = 0.4;
/// … to a clearly negative mood (not merely from thanks to a neutral follow-up question).
const LOW: f32 = -0.3;

/// Appends a point, keeping the last [`KEEP`].
pub fn push(trajectory: &mut Vec<MoodPoint>, point: MoodPoint) {
    trajectory.push(point);
    if trajectory.len() > KEEP {
        let extra = trajectory.len() - KEEP;
        trajectory.drain(..extra);
    }
}

/// How much anger rose from the lowest of the last three turns to the latest one (never negative).
pub fn anger_rise(trajectory: &[MoodPoint]) -> f32 {
    let Some(last) = trajectory.last() else {
        return 0.0;
    };
    let window = &trajectory[trajectory.len().saturating_sub(3)..];
    let low = window.iter().map(|p| p.scores.anger).fold(f32::INFINITY, f32::min);
    (last.scores.anger - low).max(0.0)
}

/// The inflection at the latest turn, if there is one.
pub fn inflection(trajectory: &[MoodPoint]) -> Option<Inflection> {
    let n = trajectory.len();
    let last = trajectory.last()?;
    if n >= 3 {
        let w = &trajectory[n - 3..];
        let climbing = w.windows(2).all(|p| p[1].scores.anger >= p[0].scores.anger + STEP);
        if climbing && last.scores.anger - w[0].scores.anger >= RISE && last.scores.anger >= FLOOR {
            return Some(Inflection::Rising);
        }
    }
    if n >= 2 && last.after_answer {
        let before = trajectory[n - 2].scores.valence();
        if before - last.scores.valence() >= DROP && last.scores.valence() <= LOW {
            return Some(Inflection::DropAfterAnswer);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(turn: u32, anger: f32, satisfaction: f32, after_answer: bool) -> MoodPoint {
        MoodPoint {
            turn,
            scores: EmotionScores {
                anger,
                satisfaction,
                ..EmotionScores::default()
            },
            after_answer,
            at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn anger_climbing_over_three_turns_is_an_inflection() {
        let t = vec![
            point(1, 0.1, 0.0, false),
            point(2, 0.25, 0.0, false),
            point(3, 0.42, 0.0, false),
        ];
        assert_eq!(inflection(&t), Some(Inflection::Rising));
        assert!((anger_rise(&t) - 0.32).abs() < 1e-6);
        // Not climbing at every step, or too little, or still calm: no inflection.
        let dip = vec![
            point(1, 0.1, 0.0, false),
            point(2, 0.5, 0.0, false),
            point(3, 0.45, 0.0, false),
        ];
        assert_eq!(inflection(&dip), None);
        let small = vec![
            point(1, 0.1, 0.0, false),
            point(2, 0.16, 0.0, false),
            point(3, 0.22, 0.0, false),
        ];
        assert_eq!(inflection(&small), None);
        assert_eq!(inflection(&t[..2]), None);
    }

    #[test]
    fn a_sharp_fall_after_an_answer_is_an_inflection() {
        let t = vec![point(1, 0.0, 0.6, false), point(2, 0.45, 0.0, true)];
        assert_eq!(inflection(&t), Some(Inflection::DropAfterAnswer));
        // The same fall without an AI answer before it is not this inflection …
        let t = vec![point(1, 0.0, 0.6, false), point(2, 0.45, 0.0, false)];
        assert_eq!(inflection(&t), None);
        // … nor is thanks followed by a calm new question.
        let t = vec![point(1, 0.0, 0.9, false), point(2, 0.2, 0.0, true)];
        assert_eq!(inflection(&t), None);
    }

    #[test]
    fn the_trajectory_is_bounded() {
        let mut t = Vec::new();
        for i in 0..(KEEP as u32 + 7) {
            push(&mut t, point(i + 1, 0.0, 0.0, false));
        }
        assert_eq!(t.len(), KEEP);
        assert_eq!(t[0].turn, 8);
    }
}
