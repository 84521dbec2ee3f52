//! Knowledge-base entries as trainers write them: what makes an article valid, and what a change
//! to one is (for the version history). Pure: the store keeps the versions, the engine applies.
//!
//! An article is one answer in one language; articles sharing a `slug` are translations of each
//! other. `questions` are ways customers ask it (they weigh more than the body in retrieval). The
//! limits keep one article within an API request (64 KB), Chinese included.

use std::collections::BTreeMap;

use crate::message::Lang;

pub const MAX_SLUG: usize = 80;
pub const MAX_TOPIC: usize = 60;
pub const MAX_TITLE: usize = 200;
pub const MAX_BODY: usize = 10_000;
pub const MAX_QUESTIONS: usize = 30;
pub const MAX_QUESTION: usize = 200;
pub const MAX_TOPIC_NAME: usize = 60;

/// The content of an article, before it is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArticleDraft {
    pub slug: String,
    pub lang: Lang,
    pub topic: String,
    pub title: String,
    pub body: String,
    pub questions: Vec<String>,
}

/// Why an article is refused; each names the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KbError {
    #[error("slug: 1-{MAX_SLUG} characters of a-z, 0-9 and '-' (got {0:?})")]
    Slug(String),
    #[error("topic: 1-{MAX_TOPIC} characters of a-z, 0-9, '-' and '_' (got {0:?})")]
    Topic(String),
    #[error("title: 1-{MAX_TITLE} characters")]
    Title,
    #[error("body: 1-{MAX_BODY} characters")]
    Body,
    #[error("questions: at most {MAX_QUESTIONS}, each 1-{MAX_QUESTION} characters")]
    Questions,
    #[error("unknown language {0:?} (zh or en)")]
    Lang(String),
    #[error("topic name: 1-{MAX_TOPIC_NAME} characters, no control characters")]
    TopicName,
}

/// What a stored version records about how it came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Create,
    Update,
    Archive,
    Restore,
    /// Content brought back from an earlier version.
    Revert {
        to: u32,
    },
}

impl Change {
    pub fn as_str(&self) -> &'static str {
        match self {
            Change::Create => "create",
            Change::Update => "update",
            Change::Archive => "archive",
            Change::Restore => "restore",
            Change::Revert { .. } => "revert",
        }
    }
}

fn slug_ok(s: &str, extra: &[char], max: usize) -> bool {
    !s.is_empty()
        && s.chars().count() <= max
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || extra.contains(&c))
        && !s.starts_with('-')
        && !s.ends_with('-')
}

impl ArticleDraft {
    /// Trims every field, drops empty and repeated questions, and checks the limits.
    pub fn normalized(mut self) -> Result<ArticleDraft, KbError> {
        self.slug = self.slug.trim().to_ascii_lowercase();
        self.topic = self.topic.trim().to_ascii_lowercase();
        self.title = self.title.trim().to_string();
        self.body = self.body.trim().to_string();
        let mut seen = std::collections::HashSet::new();
        self.questions = self
            .questions
            .iter()
            .map(|q| q.trim().to_string())
            .filter(|q| !q.is_empty() && seen.insert(q.to_lowercase()))
            .collect();
        if !slug_ok(&self.slug, &[], MAX_SLUG) {
            return Err(KbError::Slug(self.slug));
        }
        if !slug_ok(&self.topic, &['_'], MAX_TOPIC) {
            return Err(KbError::Topic(self.topic));
        }
        if self.title.is_empty() || self.title.chars().count() > MAX_TITLE {
            return Err(KbError::Title);
        }
        if self.body.is_empty() || self.body.chars().count() > MAX_BODY {
            return Err(KbError::Body);
        }
        if self.questions.len() > MAX_QUESTIONS || self.questions.iter().any(|q| q.chars().count() > MAX_QUESTION) {
            return Err(KbError::Questions);
        }
        Ok(self)
    }
}

/// A topic's names as people read them, per language. A topic is the `topic` slug its articles
/// share; the tenant names it (the demo names its own), and a topic without a name in a language
/// reads as its slug tidied.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TopicNames {
    pub slug: String,
    pub names: BTreeMap<Lang, String>,
}

impl TopicNames {
    /// Trims the slug and the names, drops empty names, and checks the limits.
    pub fn normalized(mut self) -> Result<TopicNames, KbError> {
        self.slug = self.slug.trim().to_ascii_lowercase();
        if !slug_ok(&self.slug, &['_'], MAX_TOPIC) {
            return Err(KbError::Topic(self.slug));
        }
        let mut names = BTreeMap::new();
        for (lang, name) in self.names {
            let name = name.trim().to_string();
            if name.is_empty() {
                continue;
            }
            if name.chars().count() > MAX_TOPIC_NAME || name.chars().any(char::is_control) {
                return Err(KbError::TopicName);
            }
            names.insert(lang, name);
        }
        self.names = names;
        Ok(self)
    }
}

/// A topic slug as words, for a topic nobody has named: "gift-cards" reads "gift cards".
pub fn tidy_topic(slug: &str) -> String {
    slug.replace(['-', '_'], " ")
}

/// A tenant's named topics, by slug: what the AI says when it offers a topic, and what every page
/// shows for one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Topics(BTreeMap<String, BTreeMap<Lang, String>>);

impl Topics {
    pub fn new(named: impl IntoIterator<Item = TopicNames>) -> Topics {
        Topics(named.into_iter().map(|t| (t.slug, t.names)).collect())
    }

    /// The topic's name in `lang`, or its slug tidied.
    pub fn label(&self, lang: Lang, slug: &str) -> String {
        self.0
            .get(slug)
            .and_then(|names| names.get(&lang))
            .cloned()
            .unwrap_or_else(|| tidy_topic(slug))
    }
}

/// Reads a language code for an article (`zh`, `en`, regional tags allowed).
pub fn lang(code: &str) -> Result<Lang, KbError> {
    Lang::parse(code.trim()).ok_or_else(|| KbError::Lang(code.to_string()))
}

/// One line of a line-by-line comparison.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "op", content = "text", rename_all = "snake_case")]
pub enum Line {
    Same(String),
    Removed(String),
    Added(String),
}

/// A one-line field before and after.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// How one version of an article differs from another, field by field.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Diff {
    /// Each changed one-line field: slug, lang, topic, title.
    pub fields: Vec<FieldChange>,
    /// The body, line by line (unchanged lines included, for context).
    pub body: Vec<Line>,
    pub questions_added: Vec<String>,
    pub questions_removed: Vec<String>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
            && self.questions_added.is_empty()
            && self.questions_removed.is_empty()
            && self.body.iter().all(|l| matches!(l, Line::Same(_)))
    }
}

/// What changed from `old` to `new`.
pub fn diff(old: &ArticleDraft, new: &ArticleDraft) -> Diff {
    let mut fields = Vec::new();
    for (name, a, b) in [
        ("slug", old.slug.as_str(), new.slug.as_str()),
        ("lang", old.lang.as_str(), new.lang.as_str()),
        ("topic", old.topic.as_str(), new.topic.as_str()),
        ("title", old.title.as_str(), new.title.as_str()),
    ] {
        if a != b {
            fields.push(FieldChange {
                field: name.into(),
                before: a.into(),
                after: b.into(),
            });
        }
    }
    Diff {
        fields,
        body: lines(&old.body, &new.body),
        questions_added: new
            .questions
            .iter()
            .filter(|q| !old.questions.contains(q))
            .cloned()
            .collect(),
        questions_removed: old
            .questions
            .iter()
            .filter(|q| !new.questions.contains(q))
            .cloned()
            .collect(),
    }
}

/// A line diff by longest common subsequence (bodies are at most 10,000 characters).
fn lines(old: &str, new: &str) -> Vec<Line> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(Line::Same(a[i].to_string()));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(Line::Removed(a[i].to_string()));
            i += 1;
        } else {
            out.push(Line::Added(b[j].to_string()));
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_topic_reads_as_its_name_or_its_slug_tidied() {
        let named = TopicNames {
            slug: " Gift-Cards ".into(),
            names: BTreeMap::from([(Lang::Zh, " 礼品卡 ".to_string()), (Lang::En, "  ".to_string())]),
        }
        .normalized()
        .unwrap();
        assert_eq!(named.slug, "gift-cards");
        assert_eq!(named.names.len(), 1, "an empty name is no name");
        let topics = Topics::new([named]);
        assert_eq!(topics.label(Lang::Zh, "gift-cards"), "礼品卡");
        assert_eq!(topics.label(Lang::En, "gift-cards"), "gift cards");
        assert_eq!(topics.label(Lang::Zh, "store_hours"), "store hours");
        let bad = |slug: &str, name: &str| {
            TopicNames {
                slug: slug.into(),
                names: BTreeMap::from([(Lang::En, name.to_string())]),
            }
            .normalized()
        };
        assert_eq!(bad("a b", "x"), Err(KbError::Topic("a b".into())));
        assert_eq!(bad("ok", &"x".repeat(MAX_TOPIC_NAME + 1)), Err(KbError::TopicName));
        assert_eq!(bad("ok", "line\nbreak"), Err(KbError::TopicName));
    }

    fn draft() -> ArticleDraft {
        ArticleDraft {
            slug: " Shipping-Times ".into(),
            lang: Lang::En,
            topic: "shipping".into(),
            title: "  How long delivery takes ".into(),
            body: "Two to three days.\n".into(),
            questions: vec![
                " How long? ".into(),
                "".into(),
                "how long?".into(),
                "When will it arrive?".into(),
            ],
        }
    }

    #[test]
    fn drafts_are_trimmed_and_deduplicated() {
        let d = draft().normalized().unwrap();
        assert_eq!(d.slug, "shipping-times");
        assert_eq!(d.title, "How long delivery takes");
        assert_eq!(d.body, "Two to three days.");
        assert_eq!(d.questions, ["How long?", "When will it arrive?"]);
    }

    #[test]
    fn each_field_is_checked() {
        let bad = |f: fn(&mut ArticleDraft)| {
            let mut d = draft();
            f(&mut d);
            d.normalized().unwrap_err()
        };
        assert_eq!(bad(|d| d.slug = "has space".into()), KbError::Slug("has space".into()));
        assert_eq!(bad(|d| d.slug = "-x".into()), KbError::Slug("-x".into()));
        assert_eq!(bad(|d| d.topic = "".into()), KbError::Topic("".into()));
        assert_eq!(bad(|d| d.title = " ".into()), KbError::Title);
        assert_eq!(bad(|d| d.body = "x".repeat(MAX_BODY + 1)), KbError::Body);
        assert_eq!(
            bad(|d| d.questions = vec!["q".repeat(MAX_QUESTION + 1)]),
            KbError::Questions
        );
        assert_eq!(lang("fr"), Err(KbError::Lang("fr".into())));
        assert_eq!(lang("zh-CN"), Ok(Lang::Zh));
        // Chinese titles and bodies are fine; topics keep underscores.
        let mut d = draft();
        d.title = "快递多久能到".into();
        d.topic = "after_sales".into();
        assert!(d.normalized().is_ok());
    }

    #[test]
    fn diffs_show_what_changed_line_by_line() {
        let old = ArticleDraft {
            slug: "returns".into(),
            lang: Lang::En,
            topic: "returns".into(),
            title: "Returns".into(),
            body: "Returns are free.\nWithin 30 days.\nKeep the receipt.".into(),
            questions: vec!["how do I return".into(), "return window".into()],
        };
        let mut new = old.clone();
        assert!(diff(&old, &new).is_empty());
        new.title = "Returning an item".into();
        new.body = "Returns are free.\nWithin 14 days.\nKeep the receipt.\nUse the label.".into();
        new.questions = vec!["how do I return".into(), "can I send it back".into()];
        let d = diff(&old, &new);
        assert_eq!(
            d.fields,
            vec![FieldChange {
                field: "title".into(),
                before: "Returns".into(),
                after: "Returning an item".into()
            }]
        );
        assert_eq!(
            d.body,
            vec![
                Line::Same("Returns are free.".into()),
                Line::Removed("Within 30 days.".into()),
                Line::Added("Within 14 days.".into()),
                Line::Same("Keep the receipt.".into()),
                Line::Added("Use the label.".into()),
            ]
        );
        assert_eq!(d.questions_added, vec!["can I send it back".to_string()]);
        assert_eq!(d.questions_removed, vec!["return window".to_string()]);
        assert!(!d.is_empty());
        // Chinese lines too; an empty body against a full one.
        let zh = |body: &str| ArticleDraft {
            body: body.into(),
            ..old.clone()
        };
        assert_eq!(
            diff(&zh(""), &zh("七天无理由退货")).body,
            vec![Line::Added("七天无理由退货".into())]
        );
    }
}
