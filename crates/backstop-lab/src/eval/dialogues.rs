//! `backstop-lab eval dialogues`: replays whole conversations' customer turns through a tenant's
//! understanding (knowledge base, embeddings, emotion radar) and escalation policy, and measures
//! the hand-over decision against each dialogue's `escalate` label — precision, recall, F1, and at
//! which customer turn the hand-over came.
//!
//! File: JSONL `{"id","lang","turns":[{"role":"customer"|"agent","text"}],"escalate":bool}`, and
//! optionally `"class"` (any name: figures are then reported per class and language), `"article"`
//! (the slug that answers a dialogue the AI should keep: it is "kept with the right article" when
//! the AI keeps it and one of its answers cites that article), `"article": null` with `"escalate":
//! false` (a question the knowledge base does not cover: any answer is a wrong article), and
//! `"team"` / `"priority"` (what a hand-over should carry).
//! Consecutive customer messages form one turn (as in the live product, where the AI answers the
//! messages that arrived since its last reply); agent turns only separate them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use backstop_core::conversation::Priority;
use backstop_core::message::Lang;
use backstop_core::routing::{Decision, TeamRole};
use backstop_engine::insight::replay::{ReplayStep, Replayer};
use backstop_nlp::metrics;
use serde_json::{Map, Value};

use backstop::jsonl::{read_dialogues, Labels};
use backstop::{admin, seed, Config};
use backstop_report::{pct, r4, report};

/// A labelled dialogue ready to replay.
struct Dialogue {
    id: String,
    lang: Lang,
    turns: Vec<Vec<String>>,
    escalate: bool,
    labels: Labels,
}

fn dialogues(path: &Path) -> anyhow::Result<Vec<Dialogue>> {
    read_dialogues(path)?
        .into_iter()
        .map(|(d, labels, line)| {
            let escalate = labels.escalate.with_context(|| {
                format!(
                    "{}:{line}: \"escalate\": true or false is needed to score",
                    path.display()
                )
            })?;
            Ok(Dialogue {
                id: d.id,
                lang: d.lang,
                turns: d.turns,
                escalate,
                labels,
            })
        })
        .collect()
}

/// What one dialogue's replay decided.
struct Outcome {
    handoff_turn: Option<u32>,
    rule: String,
    reason: Option<&'static str>,
    /// L2 or L3 for a hand-over.
    tier: Option<&'static str>,
    team: Option<TeamRole>,
    priority: Option<Priority>,
    /// The slugs the AI's answers cited, in order.
    answered: Vec<String>,
    /// The AI's actions, turn by turn ("answer", "clarify", "small_talk", "handoff").
    actions: Vec<&'static str>,
    /// Each clarifying question: the topic it named (`None`: asked openly).
    clarified: Vec<Option<String>>,
    /// The uncovered topics the turns asked about.
    uncovered: Vec<String>,
}

fn outcome(steps: &[ReplayStep]) -> Outcome {
    let last = steps.last();
    let reason = last.and_then(|s| match s.trace.decision {
        Decision::Handoff { reason, .. } => Some(reason.as_str()),
        Decision::Draft { .. } => Some("review"),
        _ => None,
    });
    let tier = last.and_then(|s| match s.trace.decision {
        Decision::Handoff { tier, .. } => Some(tier.as_str()),
        Decision::Draft { .. } => Some("L2"),
        _ => None,
    });
    let (team, priority) = match last.map(|s| s.trace.decision) {
        Some(Decision::Handoff { role, priority, .. }) | Some(Decision::Draft { role, priority }) => {
            (Some(role), Some(priority))
        }
        _ => (None, None),
    };
    Outcome {
        handoff_turn: reason.and(last.map(|s| s.turn)),
        rule: last.map(|s| s.trace.rule.clone()).unwrap_or_default(),
        reason,
        tier,
        team,
        priority,
        answered: steps.iter().filter_map(|s| s.article.clone()).collect(),
        uncovered: steps.iter().filter_map(|s| s.uncovered.clone()).collect(),
        actions: steps
            .iter()
            .map(|s| if s.action.is_empty() { "handoff" } else { s.action })
            .collect(),
        clarified: steps
            .iter()
            .filter(|s| s.action == "clarify")
            .map(|s| s.clarify_topic.clone())
            .collect(),
    }
}

/// What the replay knows.
#[derive(Clone, Debug, PartialEq)]
pub enum Knowledge {
    /// Every question counts as answered: only the customer's side (requests, emotion, threats,
    /// stakes) can hand over. The default for dialogues of any domain: a knowledge base that does
    /// not cover their questions would measure its coverage, not the escalation.
    Assumed,
    /// The demo tenant's knowledge base (e-commerce, 50 articles).
    Demo,
    /// A knowledge base in `backstop kb import`'s JSON format.
    File(PathBuf),
}

/// Options of the command.
pub struct Options {
    pub test: PathBuf,
    pub knowledge: Knowledge,
    /// A policy file instead of the built-in one.
    pub policy: Option<PathBuf>,
    pub lexical: bool,
    /// Print each dialogue's outcome.
    pub details: bool,
}

pub async fn run(mut config: Config, o: Options) -> anyhow::Result<()> {
    let rows = dialogues(&o.test)?;
    let dir = tempfile::tempdir().context("a scratch directory")?;
    config.storage.data_dir = dir.path().to_path_buf();
    config.storage.database_url = String::new();
    config.models.embeddings = !o.lexical;
    if let Some(p) = &o.policy {
        config.engine.policy_file = p.clone();
    }
    let store = backstop::open_store(&config).await?;
    let engine = backstop::engine(&config, store.clone()).await?;
    let tenant = match &o.knowledge {
        Knowledge::Assumed | Knowledge::Demo => {
            seed::demo(store.as_ref()).await?;
            seed::demo_tenant_id()
        }
        Knowledge::File(path) => {
            admin::add_tenant(store.as_ref(), "replay", "Replay").await?;
            let report = admin::import_kb_files(
                &engine,
                "replay",
                std::slice::from_ref(path),
                &indicatif::ProgressBar::hidden(),
            )
            .await?;
            if let Some(r) = report.rejected.first() {
                anyhow::bail!(
                    "{} rows of {} were rejected, the first: {r}",
                    report.rejected.len(),
                    path.display()
                );
            }
            backstop_core::ids::TenantId::parse("replay").expect("a valid slug")
        }
    };
    eprintln!("building the tenant's understanding …");
    let replayer: Replayer = engine
        .replayer(&tenant)
        .await?
        .assume_answered(o.knowledge == Knowledge::Assumed);
    if o.details {
        if let Some(c) = replayer.coverage() {
            eprintln!("{c:?}");
        }
    }
    let pb = super::bar(rows.len() as u64, "dialogues");
    let rows = Arc::new(rows);
    let results: Arc<Mutex<Vec<Option<Outcome>>>> = Arc::new(Mutex::new((0..rows.len()).map(|_| None).collect()));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut tasks = Vec::new();
    for _ in 0..threads {
        let (rows, results, next, replayer, pb) = (
            rows.clone(),
            results.clone(),
            next.clone(),
            replayer.clone(),
            pb.clone(),
        );
        tasks.push(tokio::task::spawn_blocking(move || loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(d) = rows.get(i) else { break };
            let o = outcome(&replayer.replay(&d.turns, d.lang));
            results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(o);
            pb.inc(1);
        }));
    }
    for t in tasks {
        t.await?;
    }
    pb.finish_and_clear();
    let results: Vec<Outcome> = std::mem::take(&mut *results.lock().unwrap_or_else(|p| p.into_inner()))
        .into_iter()
        .map(|o| o.expect("every dialogue replayed"))
        .collect();

    let gold: Vec<bool> = rows.iter().map(|d| d.escalate).collect();
    let predicted: Vec<bool> = results.iter().map(|o| o.handoff_turn.is_some()).collect();
    let all = metrics::prf(&gold, &predicted, &true);
    let mean = |v: Vec<f64>| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let handoff_turns: Vec<f64> = results.iter().filter_map(|o| o.handoff_turn.map(f64::from)).collect();
    let tp_turns: Vec<f64> = results
        .iter()
        .zip(&gold)
        .filter(|(_, g)| **g)
        .filter_map(|(o, _)| o.handoff_turn.map(f64::from))
        .collect();
    let mean_handoff_turn = mean(handoff_turns.clone());
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for o in &results {
        if let Some(r) = o.reason {
            *reasons.entry(r).or_default() += 1;
        }
    }
    if o.details {
        for (d, r) in rows.iter().zip(&results) {
            let mark = if d.escalate == r.handoff_turn.is_some() {
                " "
            } else {
                "✗"
            };
            let article = match &d.labels.article {
                Some(Some(slug)) if r.handoff_turn.is_none() && !r.answered.contains(slug) => {
                    format!(" ✗article want {slug}")
                }
                Some(None) if !d.escalate && !r.answered.is_empty() => " ✗answered uncovered".to_string(),
                _ => String::new(),
            };
            let uncovered = if r.uncovered.is_empty() {
                String::new()
            } else {
                format!(" (uncovered: {})", r.uncovered.join(","))
            };
            eprintln!(
                "{mark} {:<12} {} {:<15} gold {:<5} → {} ({}) [{}] {}{article}{uncovered}",
                d.id,
                d.lang.as_str(),
                d.labels.class.as_deref().unwrap_or("-"),
                d.escalate,
                r.handoff_turn
                    .map_or("AI kept it".to_string(), |t| format!("handoff at turn {t}")),
                r.rule,
                r.actions.join(","),
                r.answered.join(","),
            );
        }
    }
    let mut table = vec![
        ("dialogues", rows.len().to_string()),
        ("labelled escalate", gold.iter().filter(|g| **g).count().to_string()),
        ("handed over", predicted.iter().filter(|p| **p).count().to_string()),
        ("escalation precision", pct(all.precision)),
        ("escalation recall", pct(all.recall)),
        ("escalation F1", pct(all.f1)),
        ("mean handoff turn", format!("{mean_handoff_turn:.2}")),
        ("… when right to", format!("{:.2}", mean(tp_turns.clone()))),
    ];
    let mut json = Map::new();
    json.insert("escalation_precision".into(), r4(all.precision));
    json.insert("escalation_recall".into(), r4(all.recall));
    json.insert("escalation_f1".into(), r4(all.f1));
    json.insert("mean_handoff_turn".into(), r4(mean_handoff_turn));
    json.insert("mean_handoff_turn_true_positive".into(), r4(mean(tp_turns)));
    let per_lang: Vec<(Lang, String)> = [Lang::En, Lang::Zh]
        .into_iter()
        .map(|l| (l, format!("escalation F1 ({})", l.as_str())))
        .collect();
    for (lang, name) in &per_lang {
        let idx: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].lang == *lang).collect();
        if idx.is_empty() {
            continue;
        }
        let g: Vec<bool> = idx.iter().map(|&i| gold[i]).collect();
        let p: Vec<bool> = idx.iter().map(|&i| predicted[i]).collect();
        let prf = metrics::prf(&g, &p, &true);
        table.push((name.as_str(), pct(prf.f1)));
        json.insert(format!("escalation_f1_{}", lang.as_str()), r4(prf.f1));
    }
    let reason_rows: Vec<String> = reasons.keys().map(|r| format!("reason {r}")).collect();
    for ((_, n), name) in reasons.iter().zip(&reason_rows) {
        table.push((name.as_str(), n.to_string()));
    }
    json.insert(
        "reasons".into(),
        Value::Object(reasons.iter().map(|(r, n)| (r.to_string(), Value::from(*n))).collect()),
    );
    let mut tiers: BTreeMap<&str, usize> = BTreeMap::from([("L1", 0), ("L2", 0), ("L3", 0)]);
    for o in &results {
        *tiers.entry(o.tier.unwrap_or("L1")).or_default() += 1;
    }
    let share = |n: usize| format!("{:.1}%", 100.0 * n as f64 / rows.len() as f64);
    table.push((
        "AI kept (L1) / L2 / L3",
        format!(
            "{} / {} / {}",
            share(tiers["L1"]),
            share(tiers["L2"]),
            share(tiers["L3"])
        ),
    ));
    json.insert(
        "tiers".into(),
        Value::Object(tiers.iter().map(|(t, n)| (t.to_string(), Value::from(*n))).collect()),
    );
    json.insert("dialogues".into(), Value::from(rows.len()));
    // Clarifying questions: how many named a topic, and — where the dialogue's answering article is
    // known — how many named a topic other than that article's (a guess about something the
    // customer did not ask). For a question the knowledge base does not cover, any named topic is
    // such a guess.
    let (mut asked, mut named, mut misleading) = (0usize, 0usize, 0usize);
    for (d, r) in rows.iter().zip(&results) {
        let gold = match &d.labels.article {
            Some(Some(slug)) => Some(replayer.topic_of(slug)),
            Some(None) => Some(None),
            None => None,
        };
        for topic in &r.clarified {
            asked += 1;
            if let Some(t) = topic {
                named += 1;
                if gold.as_ref().is_some_and(|g| g.as_deref() != Some(t.as_str())) {
                    misleading += 1;
                }
            }
        }
    }
    if asked > 0 {
        table.push((
            "clarifying questions / naming a topic / naming a wrong one",
            format!("{asked} / {named} / {misleading}"),
        ));
        json.insert("clarifying_questions".into(), Value::from(asked));
        json.insert("clarifying_named_topic".into(), Value::from(named));
        json.insert("clarifying_wrong_topic".into(), Value::from(misleading));
    }
    let labelled = by_class(&rows, &results);
    for (name, value) in &labelled.rows {
        table.push((name.as_str(), value.clone()));
    }
    json.extend(labelled.json);
    json.insert(
        "knowledge".into(),
        Value::from(match &o.knowledge {
            Knowledge::Assumed => "assumed answered",
            Knowledge::Demo => "demo knowledge base",
            Knowledge::File(_) => "given knowledge base",
        }),
    );
    json.insert(
        "model".into(),
        Value::from(if o.lexical {
            "lexical+lexicon-radar"
        } else {
            "e5-small+emotion-head"
        }),
    );
    report(&format!("dialogues: {}", o.test.display()), &table, json);
    Ok(())
}

/// The figures per class and language, when the dialogues carry classes and article, team or
/// priority labels.
struct ByClass {
    rows: Vec<(String, String)>,
    json: Map<String, Value>,
}

fn by_class(rows: &[Dialogue], results: &[Outcome]) -> ByClass {
    let mut out = ByClass {
        rows: Vec::new(),
        json: Map::new(),
    };
    let frac = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    // Routine questions with an answering article: kept by the AI, and kept with that article.
    let kept = |label: String, idx: &[usize], out: &mut ByClass| {
        let with: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|&i| !rows[i].escalate && matches!(rows[i].labels.article, Some(Some(_))))
            .collect();
        if !with.is_empty() {
            let kept: Vec<usize> = with
                .iter()
                .copied()
                .filter(|&i| results[i].handoff_turn.is_none())
                .collect();
            let right = kept
                .iter()
                .filter(|&&i| matches!(&rows[i].labels.article, Some(Some(s)) if results[i].answered.contains(s)))
                .count();
            out.rows.push((
                format!("{label}kept by the AI"),
                format!("{} ({}/{})", pct(frac(kept.len(), with.len())), kept.len(), with.len()),
            ));
            out.rows.push((
                format!("{label}… with the right article"),
                format!("{} ({right}/{})", pct(frac(right, kept.len())), kept.len()),
            ));
            let key = label.trim().trim_end_matches(':').replace([' ', ','], "_");
            out.json.insert(format!("{key}kept"), r4(frac(kept.len(), with.len())));
            out.json
                .insert(format!("{key}right_article"), r4(frac(right, kept.len())));
        }
        let uncovered: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|&i| !rows[i].escalate && matches!(rows[i].labels.article, Some(None)))
            .collect();
        if !uncovered.is_empty() {
            let wrong = uncovered.iter().filter(|&&i| !results[i].answered.is_empty()).count();
            out.rows.push((
                format!("{label}uncovered answered with an article"),
                format!("{} ({wrong}/{})", pct(frac(wrong, uncovered.len())), uncovered.len()),
            ));
            let key = label.trim().trim_end_matches(':').replace([' ', ','], "_");
            out.json.insert(
                format!("{key}uncovered_wrong_article"),
                r4(frac(wrong, uncovered.len())),
            );
        }
    };
    let all: Vec<usize> = (0..rows.len()).collect();
    kept(String::new(), &all, &mut out);
    for lang in [Lang::En, Lang::Zh] {
        let idx: Vec<usize> = all.iter().copied().filter(|&i| rows[i].lang == lang).collect();
        kept(format!("({}) ", lang.as_str()), &idx, &mut out);
    }
    // Hand-overs with a team or priority label: how often both are right.
    let routed: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| rows[i].escalate && results[i].handoff_turn.is_some())
        .filter(|&i| rows[i].labels.team.is_some() || rows[i].labels.priority.is_some())
        .collect();
    if !routed.is_empty() {
        let team_ok = routed
            .iter()
            .filter(|&&i| rows[i].labels.team.is_none_or(|t| results[i].team == Some(t)))
            .count();
        let prio_ok = routed
            .iter()
            .filter(|&&i| rows[i].labels.priority.is_none_or(|p| results[i].priority == Some(p)))
            .count();
        out.rows.push((
            "hand-overs with the right team".into(),
            format!("{} ({team_ok}/{})", pct(frac(team_ok, routed.len())), routed.len()),
        ));
        out.rows.push((
            "hand-overs with the right priority".into(),
            format!("{} ({prio_ok}/{})", pct(frac(prio_ok, routed.len())), routed.len()),
        ));
        out.json.insert("right_team".into(), r4(frac(team_ok, routed.len())));
        out.json
            .insert("right_priority".into(), r4(frac(prio_ok, routed.len())));
    }
    // Per class and language: how many were handed over, against how many should have been.
    let mut classes: BTreeMap<(String, &str), Vec<usize>> = BTreeMap::new();
    for (i, d) in rows.iter().enumerate() {
        if let Some(c) = &d.labels.class {
            classes.entry((c.clone(), d.lang.as_str())).or_default().push(i);
        }
    }
    let mut per_class = Map::new();
    for ((class, lang), idx) in &classes {
        let gold = idx.iter().filter(|&&i| rows[i].escalate).count();
        let over = idx.iter().filter(|&&i| results[i].handoff_turn.is_some()).count();
        let right = idx
            .iter()
            .filter(|&&i| rows[i].escalate == results[i].handoff_turn.is_some())
            .count();
        out.rows.push((
            format!("class {class} ({lang}): handed over / should"),
            format!("{over}/{gold} of {} ({} right)", idx.len(), pct(frac(right, idx.len()))),
        ));
        per_class.insert(
            format!("{class}_{lang}"),
            serde_json::json!({"n": idx.len(), "should": gold, "handed_over": over, "right": r4(frac(right, idx.len()))}),
        );
    }
    if !per_class.is_empty() {
        out.json.insert("classes".into(), Value::Object(per_class));
    }
    // Escalation recall and precision per language.
    for lang in [Lang::En, Lang::Zh] {
        let idx: Vec<usize> = all.iter().copied().filter(|&i| rows[i].lang == lang).collect();
        if idx.is_empty() || rows[idx[0]].labels.class.is_none() {
            continue;
        }
        let g: Vec<bool> = idx.iter().map(|&i| rows[i].escalate).collect();
        let p: Vec<bool> = idx.iter().map(|&i| results[i].handoff_turn.is_some()).collect();
        let prf = metrics::prf(&g, &p, &true);
        out.rows.push((
            format!("escalation recall / precision ({})", lang.as_str()),
            format!("{} / {}", pct(prf.recall), pct(prf.precision)),
        ));
        out.json
            .insert(format!("escalation_recall_{}", lang.as_str()), r4(prf.recall));
        out.json
            .insert(format!("escalation_precision_{}", lang.as_str()), r4(prf.precision));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_customer_messages_form_one_turn_and_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.jsonl");
        std::fs::write(
            &p,
            r#"{"id":1,"lang":"zh","turns":[{"role":"customer","text":"在吗"},{"role":"customer","text":"我的快递呢"},{"role":"agent","text":"亲，请稍等"},{"role":"customer","text":"快点"}],"escalate":false}
"#,
        )
        .unwrap();
        let d = dialogues(&p).unwrap();
        assert_eq!(d[0].id, "1");
        assert_eq!(
            d[0].turns,
            vec![vec!["在吗".to_string(), "我的快递呢".into()], vec!["快点".into()]]
        );
        std::fs::write(
            &p,
            "{\"id\":\"a\",\"turns\":[{\"role\":\"customer\",\"text\":\"hi\"}],\"escalate\":true}\n{\"id\":\"b\",\"turns\":[{\"role\":\"robot\",\"text\":\"x\"}],\"escalate\":true}\n",
        )
        .unwrap();
        let e = format!("{:#}", dialogues(&p).err().unwrap());
        assert!(e.contains("d.jsonl:2") && e.contains("robot"), "{e}");
        // No lang: read from the text. A dialogue without customer text is left out.
        std::fs::write(
            &p,
            "{\"id\":\"c\",\"turns\":[{\"role\":\"system\",\"text\":\"x\"},{\"role\":\"customer\",\"text\":\"我的快递呢 @MapleMarket\"}],\"escalate\":false}\n{\"id\":\"d\",\"turns\":[{\"role\":\"agent\",\"text\":\"hello\"}],\"escalate\":false}\n",
        )
        .unwrap();
        let d = dialogues(&p).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].lang, Lang::Zh);
    }
}
