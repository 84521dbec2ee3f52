//! Which fact a figure belongs to: the answer's clause that gives a number is set beside the
//! sources' clauses giving a number in the same unit, by their words (same language). A number
//! the sources give for another fact is a finding even though it appears in them ("refunds within
//! 30 days" when 30 days is the return window).

use std::collections::HashSet;

use backstop_core::message::Lang;

use super::analyzer;
use super::figures::{self, Figure};

/// A figure is judged against the source clause its own clause reads most like when they share
/// at least this share of its terms, and this much more than any clause that gives the figure.
const ALIGN_MIN: f32 = 0.3;
const ALIGN_LEAD: f32 = 0.15;

/// The clause of `sentence` around byte `at` (between commas, colons and their Chinese forms).
pub(super) fn clause_at(sentence: &str, at: usize) -> &str {
    let is_mark = |c: char| matches!(c, ',' | '，' | '、' | ':' | '：' | ';' | '；');
    let start = sentence[..at]
        .rfind(is_mark)
        .map_or(0, |i| i + sentence[i..].chars().next().map_or(1, char::len_utf8));
    let end = sentence[at..].find(is_mark).map_or(sentence.len(), |i| at + i);
    &sentence[start..end]
}

/// A sentence cut at its commas and semicolons (both languages'), for telling its facts apart.
pub(super) fn clauses(sentence: &str) -> Vec<String> {
    sentence
        .split([',', '，', ';', '；'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// A sentence's analysed terms without numbers: what it is about.
pub(super) fn content_terms(sentence: &str) -> HashSet<String> {
    analyzer()
        .terms(sentence)
        .into_iter()
        .filter(|t| t.chars().any(|c| c.is_alphabetic()))
        .collect()
}

fn overlap(a: &HashSet<String>, b: &HashSet<String>) -> f32 {
    if a.is_empty() {
        0.0
    } else {
        a.intersection(b).count() as f32 / a.len() as f32
    }
}

/// A number that the sources hold, but for another fact: the source sentence the answer's
/// sentence reads most like gives a different value in the same unit, clearly more like it than
/// any sentence giving this value ("验证码30分钟内有效" when the codes last 10 minutes and it is the
/// lock that lasts 30). Judged only between sentences of one language. Returns what the source
/// says.
pub(super) fn misaligned(
    figure: &Figure,
    terms: &HashSet<String>,
    lang: Lang,
    sources: &[SourceClause],
) -> Option<String> {
    let Figure::Number(v, unit) = figure else {
        return None;
    };
    if *unit == figures::Unit::None {
        return None;
    }
    let same_unit = |f: &Figure| matches!(f, Figure::Number(_, u) if u == unit);
    let holds = |f: &Figure| matches!(f, Figure::Number(w, u) if u == unit && (w - v).abs() < 1e-6);
    let mut best_other: Option<(f32, f64)> = None;
    let mut best_holding = 0.0f32;
    for s in sources {
        let (figs, source_terms) = (&s.figs, &s.terms);
        if s.lang != lang || !figs.iter().any(same_unit) {
            continue;
        }
        let o = overlap(terms, source_terms);
        if figs.iter().any(holds) {
            best_holding = best_holding.max(o);
        } else if best_other.is_none_or(|(b, _)| o > b) {
            let said = figs
                .iter()
                .find(|f| same_unit(f))
                .and_then(figures::value)
                .unwrap_or(0.0);
            best_other = Some((o, said));
        }
    }
    match best_other {
        Some((o, said)) if o >= ALIGN_MIN && o >= best_holding + ALIGN_LEAD => Some(format!("{said}")),
        _ => None,
    }
}

/// A source clause that gives a number, with what alignment compares.
pub(super) struct SourceClause {
    pub figs: Vec<Figure>,
    pub terms: HashSet<String>,
    pub lang: Lang,
}
