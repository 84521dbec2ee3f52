//! Knowledge on the wire: articles and their versions, candidate entries from people's answers,
//! replays, the understanding's rebuild report, the escalation policy.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{json_of, time};

/// A knowledge-base article.
#[derive(Serialize, ToSchema)]
pub struct Article {
    #[schema(value_type = String, format = Uuid)]
    pub id: backstop_core::ids::ArticleId,
    pub slug: String,
    #[schema(example = "en")]
    pub lang: String,
    pub topic: String,
    pub title: String,
    pub body: String,
    /// Sample questions it answers.
    pub questions: Vec<String>,
    pub version: u32,
    pub archived: bool,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

pub fn article(a: &backstop_store::ArticleRecord) -> Article {
    Article {
        id: a.id,
        slug: a.slug.clone(),
        lang: a.lang.as_str().to_owned(),
        topic: a.topic.clone(),
        title: a.title.clone(),
        body: a.body.clone(),
        questions: a.questions.clone(),
        version: a.version,
        archived: a.archived,
        updated_at: time(a.updated_at),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ArticleOut {
    pub article: Article,
}

#[derive(Serialize, ToSchema)]
pub struct ArticleList {
    pub articles: Vec<Article>,
}

/// One stored version of an article: its content then, how it changed and by whom.
#[derive(Serialize, ToSchema)]
pub struct ArticleVersion {
    #[serde(flatten)]
    pub article: Article,
    /// `create`, `update`, `archive`, `restore`, `revert` or `import`.
    pub change: String,
    pub author: String,
}

pub fn article_version(v: &backstop_store::ArticleVersion) -> ArticleVersion {
    ArticleVersion {
        article: article(&v.article),
        change: v.change.clone(),
        author: v.author.clone(),
    }
}

/// An article with its history, newest version first.
#[derive(Serialize, ToSchema)]
pub struct ArticleHistory {
    pub article: Article,
    pub versions: Vec<ArticleVersion>,
}

/// How one version of an article differs from another.
#[derive(Serialize, ToSchema)]
pub struct ArticleDiff {
    pub from: u32,
    pub to: u32,
    pub diff: Diff,
}

/// Changed fields, the body line by line, questions added and removed.
#[derive(Serialize, ToSchema)]
pub struct Diff {
    /// Each changed one-line field (`slug`, `lang`, `topic`, `title`).
    pub fields: Vec<FieldChange>,
    /// The body line by line, unchanged lines included for context.
    pub body: Vec<DiffLine>,
    pub questions_added: Vec<String>,
    pub questions_removed: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// One line of the body: `same`, `removed` or `added`.
#[derive(Serialize, ToSchema)]
pub struct DiffLine {
    #[schema(example = "added")]
    pub op: String,
    pub text: String,
}

pub fn article_diff(from: u32, to: u32, diff: &backstop_core::kb::Diff) -> ArticleDiff {
    use backstop_core::kb::Line;
    let line = |l: &Line| {
        let (op, text) = match l {
            Line::Same(t) => ("same", t),
            Line::Removed(t) => ("removed", t),
            Line::Added(t) => ("added", t),
        };
        DiffLine {
            op: op.to_owned(),
            text: text.clone(),
        }
    };
    ArticleDiff {
        from,
        to,
        diff: Diff {
            fields: diff
                .fields
                .iter()
                .map(|f| FieldChange {
                    field: f.field.clone(),
                    before: f.before.clone(),
                    after: f.after.clone(),
                })
                .collect(),
            body: diff.body.iter().map(line).collect(),
            questions_added: diff.questions_added.clone(),
            questions_removed: diff.questions_removed.clone(),
        },
    }
}

/// A candidate knowledge-base entry drafted from a person's answer (personal data taken out).
#[derive(Serialize, ToSchema)]
pub struct Candidate {
    #[schema(value_type = String, format = Uuid)]
    pub id: backstop_core::ids::CandidateId,
    #[schema(value_type = String, format = Uuid)]
    pub conversation_id: backstop_core::ids::ConversationId,
    pub lang: String,
    pub topic: Option<String>,
    pub question: String,
    pub answer: String,
    pub agent_name: String,
    /// The nearest existing article.
    pub near: Option<Near>,
    /// Figures that contradict the nearest article.
    pub conflict: Option<String>,
    /// `pending`, `approved`, `merged` or `rejected`.
    pub status: String,
    pub decided_by: Option<String>,
    #[schema(format = DateTime)]
    pub decided_at: Option<String>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub article_id: Option<backstop_core::ids::ArticleId>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct Near {
    #[schema(value_type = String, format = Uuid)]
    pub article_id: backstop_core::ids::ArticleId,
    pub title: String,
    pub confidence: f32,
}

pub fn candidate(c: &backstop_core::learn::Candidate) -> Candidate {
    Candidate {
        id: c.id,
        conversation_id: c.conversation,
        lang: c.lang.as_str().to_owned(),
        topic: c.topic.clone(),
        question: c.question.clone(),
        answer: c.answer.clone(),
        agent_name: c.agent_name.clone(),
        near: c.near.as_ref().map(|n| Near {
            article_id: n.article,
            title: n.title.clone(),
            confidence: n.confidence,
        }),
        conflict: c.conflict.clone(),
        status: c.status.as_str().to_owned(),
        decided_by: c.decided_by.clone(),
        decided_at: c.decided_at.map(time),
        article_id: c.article,
        created_at: time(c.created_at),
    }
}

#[derive(Serialize, ToSchema)]
pub struct CandidateList {
    pub candidates: Vec<Candidate>,
}

#[derive(Serialize, ToSchema)]
pub struct CandidateOut {
    pub candidate: Candidate,
}

/// A decided candidate and the article it became (or was merged into).
#[derive(Serialize, ToSchema)]
pub struct CandidateDecided {
    pub candidate: Candidate,
    pub article: Article,
}

/// Past conversations replayed against the current and a draft knowledge base and policy.
#[derive(Serialize, ToSchema)]
pub struct Replay {
    pub conversations: usize,
    pub current: ReplaySide,
    pub draft: ReplaySide,
    /// The conversations whose outcome changes, with both outcomes.
    pub changed: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct ReplaySide {
    /// Kept by the AI, which ran one of the tenant's actions.
    pub acted: usize,
    pub answered: usize,
    pub unanswered: usize,
    pub handoff: usize,
    pub answered_share: f64,
    pub handoff_rate: f64,
    /// Hand-overs by reason.
    pub reasons: std::collections::BTreeMap<String, usize>,
}

pub fn replay(cmp: &backstop_engine::insight::whatif::Comparison) -> Replay {
    let side = |t: &backstop_engine::insight::whatif::Tally| ReplaySide {
        acted: t.acted,
        answered: t.answered,
        unanswered: t.unanswered,
        handoff: t.handoff,
        answered_share: t.answered_share(),
        handoff_rate: t.handoff_rate(),
        reasons: t.reasons.clone(),
    };
    Replay {
        conversations: cmp.current.dialogues,
        current: side(&cmp.current),
        draft: side(&cmp.draft),
        changed: json_of(&cmp.changed),
    }
}

/// What rebuilding a tenant's understanding did.
#[derive(Serialize, ToSchema)]
pub struct KbReport {
    pub articles: usize,
    pub vectors: usize,
    /// Vectors embedded now (the rest came from the cache).
    pub embedded: usize,
    pub intents: usize,
    pub examples: usize,
    /// The classifier's out-of-scope threshold.
    pub threshold: Option<f32>,
    pub seconds: f64,
}

pub fn kb_report(r: &backstop_engine::KbReport) -> KbReport {
    KbReport {
        articles: r.articles,
        vectors: r.vectors,
        embedded: r.embedded,
        intents: r.intents,
        examples: r.examples,
        threshold: r.threshold,
        seconds: r.seconds,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ExamplesAdded {
    pub added: usize,
    /// Already known (same text and intent).
    pub skipped: usize,
}

/// The policy in force: its version (0 = the built-in default), its TOML, and each rule in order.
#[derive(Serialize, ToSchema)]
pub struct Policy {
    pub version: u32,
    pub default: bool,
    pub source: String,
    pub settings: serde_json::Value,
    pub rules: Vec<PolicyRule>,
    /// The automation rules (`[[automation]]` tables), in order.
    pub automations: Vec<PolicyAutomation>,
}

#[derive(Serialize, ToSchema)]
pub struct PolicyAutomation {
    pub name: String,
    pub description: Option<String>,
    /// What it fires on: `conversation_started`, `message`, `handoff`, `assigned`, `resolved`,
    /// `idle` or `rated`.
    pub on: String,
    /// The conditions given (all must hold).
    pub when: serde_json::Value,
    /// What it does (`greet`, `note`, `tag`, `priority`, `assign_team`, `run_action`, `close`).
    pub then: serde_json::Value,
    /// Fires on every matching event, not only the conversation's first.
    pub repeat: bool,
    /// The line of its table in `source`.
    pub line: usize,
}

#[derive(Serialize, ToSchema)]
pub struct PolicyRule {
    pub name: String,
    pub description: Option<String>,
    /// The conditions given (all must hold).
    pub when: serde_json::Value,
    /// What it decides.
    pub then: serde_json::Value,
}

pub fn policy(version: u32, source: &str, p: &backstop_core::policy::Policy) -> Policy {
    Policy {
        version,
        default: version == 0,
        source: source.to_owned(),
        settings: json_of(&p.settings),
        rules: p
            .rules
            .iter()
            .map(|r| PolicyRule {
                name: r.name.clone(),
                description: r.description.clone(),
                when: without_nulls(json_of(&r.when)),
                then: json_of(&r.then),
            })
            .collect(),
        automations: p
            .automations
            .iter()
            .map(|r| PolicyAutomation {
                name: r.name.clone(),
                description: r.description.clone(),
                on: r.on.as_str().to_owned(),
                when: without_nulls(json_of(&r.when)),
                then: without_empty(json_of(&r.then)),
                repeat: r.repeat,
                line: r.line,
            })
            .collect(),
    }
}

/// An object without its null members and empty lists (what a rule does not do).
fn without_empty(v: serde_json::Value) -> serde_json::Value {
    match without_nulls(v) {
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.as_array().is_some_and(Vec::is_empty))
                .collect(),
        ),
        other => other,
    }
}

/// An object without its null members (conditions not given).
fn without_nulls(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => {
            serde_json::Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).collect())
        }
        other => other,
    }
}

#[derive(Serialize, ToSchema)]
pub struct PolicyChecked {
    pub ok: bool,
    pub rules: usize,
}

#[derive(Serialize, ToSchema)]
pub struct PolicyVersion {
    pub version: u32,
    pub author: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub source: String,
}

#[derive(Serialize, ToSchema)]
pub struct PolicyVersions {
    pub versions: Vec<PolicyVersion>,
}

pub fn policy_version(p: &backstop_store::PolicyRecord) -> PolicyVersion {
    PolicyVersion {
        version: p.version,
        author: p.author.clone(),
        created_at: time(p.created_at),
        source: p.source.clone(),
    }
}

/// A topic's names per language (absent: not named in that language, shown as the slug).
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TopicNames {
    #[schema(example = "Shipping")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
    #[schema(example = "物流配送")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh: Option<String>,
}

/// A knowledge-base topic: the slug its articles share, its names, and how many articles (not
/// archived) use it.
#[derive(Serialize, ToSchema)]
pub struct Topic {
    #[schema(example = "shipping")]
    pub slug: String,
    pub names: TopicNames,
    pub articles: u32,
}

#[derive(Serialize, ToSchema)]
pub struct TopicList {
    pub topics: Vec<Topic>,
}

pub fn topic(t: &backstop_engine::knowledge::topics::Topic) -> Topic {
    use backstop_core::message::Lang;
    Topic {
        slug: t.slug.clone(),
        names: TopicNames {
            en: t.names.get(&Lang::En).cloned(),
            zh: t.names.get(&Lang::Zh).cloned(),
        },
        articles: t.articles,
    }
}

/// Questions of a period the AI could not answer or handed over, grouped by meaning, and each
/// newly published topic's hand-overs before and after.
#[derive(Serialize, ToSchema)]
pub struct GapReport {
    pub days: u32,
    #[schema(format = DateTime)]
    pub since: String,
    /// Customer questions the AI read in the period (small talk and bare requests for a person left out).
    pub questions: usize,
    /// Of those, handed over or unanswered then and still without an answer.
    pub open: usize,
    /// Handed over or unanswered then, answered by the knowledge base now.
    pub covered_since: usize,
    pub gaps: Vec<Gap>,
    pub topics: Vec<TopicImpact>,
}

/// Questions the knowledge base does not answer, alike in meaning.
#[derive(Serialize, ToSchema)]
pub struct Gap {
    /// The most typical question.
    pub label: String,
    pub volume: usize,
    pub conversations: usize,
    pub escalated: usize,
    /// `zh`, `en`.
    pub langs: Vec<String>,
    pub trend: GapTrend,
    /// Questions per day, oldest first, one entry per day of the period.
    pub daily: Vec<u32>,
    /// The most typical first, distinct texts.
    pub examples: Vec<GapExample>,
    /// Existing articles near the gap.
    pub nearest: Vec<GapNearest>,
    #[schema(format = DateTime)]
    pub last_seen: String,
}

/// A gap's questions in the second half of the period against the first.
#[derive(Serialize, ToSchema)]
pub struct GapTrend {
    pub earlier: usize,
    pub recent: usize,
    /// `new`, `rising`, `falling` or `steady`.
    #[schema(example = "rising")]
    pub direction: String,
}

#[derive(Serialize, ToSchema)]
pub struct GapExample {
    pub question: String,
    #[schema(value_type = String, format = Uuid)]
    pub conversation: backstop_core::ids::ConversationId,
    #[schema(format = DateTime)]
    pub at: String,
    /// `answered`, `unanswered` (a clarifying question) or `escalated`.
    pub handled: String,
}

#[derive(Serialize, ToSchema)]
pub struct GapNearest {
    #[schema(value_type = String, format = Uuid)]
    pub article_id: backstop_core::ids::ArticleId,
    pub slug: String,
    pub title: String,
    pub lang: String,
    pub confidence: f32,
}

/// A topic with an article published in the period, asked about before it was.
#[derive(Serialize, ToSchema)]
pub struct TopicImpact {
    pub topic: String,
    /// When the topic's newest article was first published.
    #[schema(format = DateTime)]
    pub published_at: String,
    /// Its articles' slugs.
    pub articles: Vec<String>,
    pub before: GapRate,
    pub after: GapRate,
}

/// How a set of questions was handled.
#[derive(Serialize, ToSchema)]
pub struct GapRate {
    pub questions: usize,
    pub escalated: usize,
    pub unanswered: usize,
}

pub fn gap_report(r: &backstop_engine::insight::gaps::GapReport) -> GapReport {
    use backstop_engine::insight::gaps::{Handled, Rate};
    let rate = |x: &Rate| GapRate {
        questions: x.questions,
        escalated: x.escalated,
        unanswered: x.unanswered,
    };
    GapReport {
        days: r.days,
        since: time(r.since),
        questions: r.questions,
        open: r.open,
        covered_since: r.covered_since,
        gaps: r
            .gaps
            .iter()
            .map(|g| Gap {
                label: g.label.clone(),
                volume: g.volume,
                conversations: g.conversations,
                escalated: g.escalated,
                langs: g.langs.iter().map(|l| l.as_str().to_owned()).collect(),
                trend: GapTrend {
                    earlier: g.trend.earlier,
                    recent: g.trend.recent,
                    direction: g.trend.direction.to_owned(),
                },
                daily: g.daily.clone(),
                examples: g
                    .examples
                    .iter()
                    .map(|e| GapExample {
                        question: e.question.clone(),
                        conversation: e.conversation,
                        at: time(e.at),
                        handled: match e.handled {
                            Handled::Answered => "answered",
                            Handled::Unanswered => "unanswered",
                            Handled::Escalated => "escalated",
                        }
                        .to_owned(),
                    })
                    .collect(),
                nearest: g
                    .nearest
                    .iter()
                    .map(|n| GapNearest {
                        article_id: n.article_id,
                        slug: n.slug.clone(),
                        title: n.title.clone(),
                        lang: n.lang.as_str().to_owned(),
                        confidence: n.confidence,
                    })
                    .collect(),
                last_seen: time(g.last_seen),
            })
            .collect(),
        topics: r
            .topics
            .iter()
            .map(|t| TopicImpact {
                topic: t.topic.clone(),
                published_at: time(t.published_at),
                articles: t.articles.clone(),
                before: rate(&t.before),
                after: rate(&t.after),
            })
            .collect(),
    }
}
