//! `backstop replay`: before a knowledge-base or policy change ships, replays past conversations
//! (the tenant's stored ones, or a dialogues JSONL file) against the current configuration and
//! against the draft, and prints them side by side — the share the AI would answer, the
//! hand-over rate and reasons, the conversations whose outcome changes — then one JSON line.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use backstop_engine::insight::whatif::{Comparison, Dialogue, Draft, Outcome, Tally};
use serde_json::{json, Value};

use crate::{admin, Config};
use backstop_report::{bar, r4};

/// Options of the command.
pub struct Options {
    pub tenant: String,
    /// A dialogues file instead of the tenant's stored conversations.
    pub dialogues: Option<PathBuf>,
    /// How many of the newest stored conversations.
    pub limit: u32,
    /// Draft articles (files or directories, as `backstop kb import` reads them).
    pub kb: Vec<PathBuf>,
    /// Slugs of current articles to leave out, as if archived.
    pub archive: Vec<String>,
    pub policy: Option<PathBuf>,
    /// The draft without the tenant's actions (what the AI did before it had any).
    pub without_actions: bool,
    pub lexical: bool,
    /// List every changed conversation (otherwise the first 20).
    pub details: bool,
}

/// The draft the options describe, and a one-line description of it.
async fn draft(
    o: &Options,
    engine: &backstop_engine::Engine,
    tenant: &backstop_core::ids::TenantId,
) -> anyhow::Result<(Draft, String)> {
    let mut draft = Draft::default();
    let mut what = Vec::new();
    if !o.kb.is_empty() {
        let parsed = crate::kbfile::read_all(&o.kb)?;
        if !parsed.rejected.is_empty() {
            let lines: Vec<String> = parsed.rejected.iter().map(|r| format!("  {r}")).collect();
            anyhow::bail!(
                "the draft knowledge base has {} rejected row(s); fix them first:\n{}",
                parsed.rejected.len(),
                lines.join("\n")
            );
        }
        let current = engine.articles(tenant).await?;
        let replaced = parsed
            .rows
            .iter()
            .filter(|r| {
                current
                    .iter()
                    .any(|a| !a.archived && a.slug == r.draft.slug && a.lang == r.draft.lang)
            })
            .count();
        what.push(format!(
            "{} new and {} changed article(s)",
            parsed.rows.len() - replaced,
            replaced
        ));
        draft.articles = parsed.rows.into_iter().map(|r| r.draft).collect();
    }
    if !o.archive.is_empty() {
        let current = engine.articles(tenant).await?;
        for slug in &o.archive {
            let ids: Vec<_> = current
                .iter()
                .filter(|a| &a.slug == slug && !a.archived)
                .map(|a| a.id)
                .collect();
            anyhow::ensure!(!ids.is_empty(), "--archive {slug}: the tenant has no such article");
            draft.archive.extend(ids);
        }
        what.push(format!("{} article(s) left out", o.archive.len()));
    }
    if let Some(p) = &o.policy {
        let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        let policy =
            backstop_core::policy::Policy::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
        draft.policy = Some(policy);
        what.push(format!("policy {}", p.display()));
    }
    if o.without_actions {
        draft.without_actions = true;
        what.push("without the tenant's actions".to_string());
    }
    anyhow::ensure!(
        !draft.is_empty(),
        "nothing to compare: give a draft with --kb FILE, --archive SLUG, --policy FILE or --without-actions"
    );
    Ok((draft, what.join(", ")))
}

pub async fn run(mut config: Config, o: Options) -> anyhow::Result<()> {
    config.models.embeddings = config.models.embeddings && !o.lexical;
    let store = crate::open_store(&config).await?;
    let tenant = admin::tenant(store.as_ref(), &o.tenant).await?;
    let (dialogues, source): (Vec<Dialogue>, String) = match &o.dialogues {
        Some(p) => (
            crate::jsonl::read_dialogues(p)?
                .into_iter()
                .map(|(d, _, _)| d)
                .collect(),
            p.display().to_string(),
        ),
        None => (Vec::new(), "stored conversations".into()),
    };
    let engine = crate::engine(&config, store).await?;
    let dialogues = match o.dialogues {
        Some(_) => dialogues,
        None => engine.stored_dialogues(&tenant, o.limit).await?,
    };
    anyhow::ensure!(
        !dialogues.is_empty(),
        "{} has no conversation with customer messages to replay",
        if o.dialogues.is_some() {
            source.as_str()
        } else {
            o.tenant.as_str()
        }
    );
    let (draft, what) = draft(&o, &engine, &tenant).await?;
    eprintln!("building the current and the draft understanding …");
    let pb = bar(dialogues.len() as u64, "replaying");
    let tick = pb.clone();
    let cmp = engine
        .replay_draft(&tenant, &draft, Some(dialogues), o.limit, Arc::new(move || tick.inc(1)))
        .await?;
    pb.finish_and_clear();
    print(
        &cmp,
        &format!("replay of {source} ({}): current vs draft ({what})", o.tenant),
        o.details,
    );
    Ok(())
}

fn pct(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        100.0 * n as f64 / of as f64
    }
}

/// The side-by-side table, the changed conversations, and the final JSON line.
pub fn print(cmp: &Comparison, title: &str, all_changes: bool) {
    let (a, b) = (&cmp.current, &cmp.draft);
    let n = a.dialogues;
    let mut rows: Vec<(String, String, String, String)> = vec![(
        "conversations".into(),
        n.to_string(),
        b.dialogues.to_string(),
        String::new(),
    )];
    let share_row = |name: &str, x: usize, y: usize| {
        let (p, q) = (pct(x, n), pct(y, n));
        (
            name.to_string(),
            format!("{p:.1}% ({x})"),
            format!("{q:.1}% ({y})"),
            format!("{:+.1} pt", q - p),
        )
    };
    rows.push(share_row("AI runs an action", a.acted, b.acted));
    rows.push(share_row("AI answers", a.answered, b.answered));
    rows.push(share_row("AI kept, no answer", a.unanswered, b.unanswered));
    rows.push(share_row("handed over", a.handoff, b.handoff));
    let mut reasons: Vec<&String> = a.reasons.keys().chain(b.reasons.keys()).collect();
    reasons.sort();
    reasons.dedup();
    for r in reasons {
        let (x, y) = (
            a.reasons.get(r).copied().unwrap_or(0),
            b.reasons.get(r).copied().unwrap_or(0),
        );
        rows.push((
            format!("  reason {r}"),
            x.to_string(),
            y.to_string(),
            format!("{:+}", y as i64 - x as i64),
        ));
    }
    rows.push((
        "outcome changed".into(),
        String::new(),
        cmp.changed.len().to_string(),
        String::new(),
    ));
    println!("{title}");
    let w = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let line = "-".repeat(w + 44);
    println!("{line}");
    println!("{:<w$}  {:>13}  {:>13}  {:>12}", "", "current", "draft", "change");
    for (k, x, y, d) in &rows {
        println!("{k:<w$}  {x:>13}  {y:>13}  {d:>12}");
    }
    println!("{line}");
    let shown = if all_changes {
        cmp.changed.len()
    } else {
        cmp.changed.len().min(20)
    };
    for c in &cmp.changed[..shown] {
        let opening: String = c.opening.chars().take(60).collect();
        println!(
            "  {} {}  {} → {}  “{}”",
            c.id,
            c.lang.as_str(),
            describe(&c.current),
            describe(&c.draft),
            opening.replace('\n', " ")
        );
    }
    if shown < cmp.changed.len() {
        println!("  … and {} more (--details lists them all)", cmp.changed.len() - shown);
    }
    println!("{}", summary(cmp));
}

fn describe(o: &Outcome) -> String {
    match o {
        Outcome::Acted { turns } => format!("action ({turns})"),
        Outcome::Answered { turns } => format!("answered ({turns})"),
        Outcome::Unanswered => "no answer".into(),
        Outcome::Handoff { reason, turn } => format!("hand-over: {reason} (turn {turn})"),
    }
}

fn side(t: &Tally) -> Value {
    json!({
        "conversations": t.dialogues,
        "acted": t.acted,
        "answered": t.answered,
        "unanswered": t.unanswered,
        "handoff": t.handoff,
        "answered_share": r4(t.answered_share()),
        "handoff_rate": r4(t.handoff_rate()),
        "reasons": t.reasons,
    })
}

/// The final JSON line.
pub fn summary(cmp: &Comparison) -> Value {
    json!({
        "conversations": cmp.current.dialogues,
        "current": side(&cmp.current),
        "draft": side(&cmp.draft),
        "changed": cmp.changed.len(),
        "changed_ids": cmp.changed.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
    })
}
