//! Admin commands for a real install: create a tenant (and its widget secret), teams and agent
//! accounts, and load a knowledge base from JSON — what `backstop demo` does for the demo store.
//! Changing an existing account is `accounts`.

use std::collections::BTreeMap;
use std::io::BufRead;

use anyhow::{bail, Context};
use backstop_core::assignment::Strategy;
use backstop_core::directory::{Agent, AgentProfile, AgentRole, Team, Tenant};
use backstop_core::ids::TenantId;
use backstop_core::message::Lang;
use backstop_core::routing::TeamRole;
use backstop_core::Timestamp;
use backstop_engine::people::directory::{AgentEdit, NewAgent, TeamForm};
use backstop_engine::Engine;
use backstop_store::{Store, StoreError};
use rand::RngCore;

/// Creates a tenant; returns its widget secret (shown once, for the host site's `data-user-hash`).
pub async fn add_tenant(store: &dyn Store, id: &str, name: &str) -> anyhow::Result<String> {
    let id = TenantId::parse(id).context("tenant id")?;
    anyhow::ensure!(!name.trim().is_empty(), "the tenant name is empty");
    let mut secret = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut secret);
    let secret: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    match store
        .create_tenant(&Tenant {
            id: id.clone(),
            name: name.trim().into(),
            widget_secret: secret.clone(),
        })
        .await
    {
        Err(StoreError::Conflict(_)) => bail!("tenant {id} already exists"),
        r => r?,
    }
    Ok(secret)
}

pub async fn tenant(store: &dyn Store, id: &str) -> anyhow::Result<TenantId> {
    let id = TenantId::parse(id).context("tenant id")?;
    store
        .get_tenant(&id)
        .await?
        .with_context(|| format!("no tenant {id}; create it with `backstop tenant add`"))?;
    Ok(id)
}

/// The tenant `id`, through the engine (an error naming the command that creates it).
async fn engine_tenant(engine: &Engine, id: &str) -> anyhow::Result<TenantId> {
    let id = TenantId::parse(id).context("tenant id")?;
    match engine.tenant(&id).await {
        Ok(t) => Ok(t.id),
        Err(backstop_engine::EngineError::TenantNotFound) => {
            bail!("no tenant {id}; create it with `backstop tenant add`")
        }
        Err(e) => Err(e.into()),
    }
}

/// Names per language from `LANG=NAME` arguments (`example` shows one in the error).
fn names_by_lang(pairs: &[String], example: &str) -> anyhow::Result<BTreeMap<Lang, String>> {
    let mut out = BTreeMap::new();
    for n in pairs {
        let (lang, value) = n
            .split_once('=')
            .with_context(|| format!("{n:?}: write LANG=NAME, e.g. {example}"))?;
        let lang = Lang::parse(lang).with_context(|| format!("{n:?}: unknown language {lang:?} (zh or en)"))?;
        out.insert(lang, value.trim().to_string());
    }
    Ok(out)
}

/// Names a knowledge-base topic (`names`: `LANG=NAME`, replacing what it had; none forgets them).
pub async fn name_topic(
    store: &dyn Store,
    engine: &backstop_engine::Engine,
    tenant_id: &str,
    slug: &str,
    names: &[String],
) -> anyhow::Result<backstop_engine::knowledge::topics::Topic> {
    let tenant = tenant(store, tenant_id).await?;
    let names = names_by_lang(names, "zh=物流配送")?;
    let topic = backstop_core::kb::TopicNames {
        slug: slug.to_owned(),
        names,
    };
    Ok(engine.name_topic(&tenant, topic).await?)
}

/// Adds a team. `names` are display names per language, e.g. `zh=综合客服`.
pub async fn add_team(
    store: &dyn Store,
    engine: &Engine,
    tenant_id: &str,
    name: &str,
    role: &str,
    names: &[String],
) -> anyhow::Result<Team> {
    let tenant = tenant(store, tenant_id).await?;
    let role = TeamRole::parse(role).with_context(|| format!("team role {role:?}: use general or escalation"))?;
    let form = TeamForm {
        name: name.into(),
        names: names_by_lang(names, "zh=综合客服")?,
        role,
        strategy: Strategy::default(),
        timezone: "UTC".into(),
        open: "always".into(),
        sla: Default::default(),
        languages: Vec::new(),
    };
    Ok(engine.create_team(&tenant, form, "cli").await?)
}

/// Adds an agent to the named teams with a password read from `password_source`.
pub async fn add_agent(
    engine: &Engine,
    tenant_id: &str,
    email: &str,
    name: &str,
    role: &str,
    teams: &[String],
    password_source: impl BufRead,
) -> anyhow::Result<Agent> {
    let tenant = engine_tenant(engine, tenant_id).await?;
    let role =
        AgentRole::parse(role).with_context(|| format!("agent role {role:?}: use agent, supervisor or admin"))?;
    let all = engine.teams(&tenant).await?;
    let mut team_ids = Vec::new();
    for t in teams {
        let team = all.iter().find(|x| x.name.eq_ignore_ascii_case(t)).with_context(|| {
            let known: Vec<&str> = all.iter().map(|x| x.name.as_str()).collect();
            format!("no team {t:?} in {tenant} (teams: {known:?})")
        })?;
        team_ids.push(team.id);
    }
    let password = crate::accounts::read_password(password_source, &[email, name])?;
    let new = NewAgent {
        name: name.into(),
        email: email.into(),
        role,
        teams: team_ids,
        profile: AgentProfile::default(),
        password: Some(password.as_str().to_owned()),
    };
    Ok(engine.create_agent(&tenant, new, "cli").await?.0)
}

/// Sets how a team's queue is assigned: manual, round_robin, least_loaded or skills.
/// What `backstop team set` changes; `None` keeps the team's current value.
#[derive(Clone, Debug, Default)]
pub struct TeamChanges {
    pub strategy: Option<String>,
    /// Business hours, e.g. `mon-fri 09:00-18:00, sat 10:00-14:00` or `always`.
    pub hours: Option<String>,
    /// IANA time zone of the hours, e.g. `Asia/Shanghai`.
    pub timezone: Option<String>,
    pub vip_target_secs: Option<u32>,
    pub standard_target_secs: Option<u32>,
    pub ticket_reply_mins: Option<u32>,
    /// The customer languages the team serves, comma-separated ISO 639-1 codes (`fr,es,de`), or
    /// `all`.
    pub languages: Option<String>,
}

/// Changes a team's assignment strategy, business hours and service targets.
pub async fn set_team(
    store: &dyn Store,
    engine: &Engine,
    tenant_id: &str,
    name: &str,
    changes: &TeamChanges,
) -> anyhow::Result<Team> {
    let tenant = tenant(store, tenant_id).await?;
    let team = engine
        .teams(&tenant)
        .await?
        .into_iter()
        .find(|t| t.name.eq_ignore_ascii_case(name.trim()))
        .with_context(|| format!("tenant {tenant} has no team named {name:?}"))?;
    let mut form = TeamForm::of(&team);
    if let Some(s) = &changes.strategy {
        form.strategy = Strategy::parse(s)
            .with_context(|| format!("strategy {s:?}: use manual, round_robin, least_loaded or skills"))?;
    }
    if let Some(tz) = &changes.timezone {
        form.timezone = tz.clone();
    }
    if let Some(h) = &changes.hours {
        form.open = h.clone();
    }
    form.sla.vip_secs = changes.vip_target_secs.unwrap_or(form.sla.vip_secs);
    form.sla.standard_secs = changes.standard_target_secs.unwrap_or(form.sla.standard_secs);
    form.sla.ticket_reply_mins = changes.ticket_reply_mins.unwrap_or(form.sla.ticket_reply_mins);
    if let Some(list) = &changes.languages {
        form.languages = if list.trim().eq_ignore_ascii_case("all") {
            Vec::new()
        } else {
            list.split(',').map(str::to_owned).collect()
        };
    }
    Ok(engine.update_team(&tenant, team.id, form, "cli").await?)
}

/// Changes an agent's capacity and skills; what is not given stays as it was.
pub async fn set_agent_profile(
    store: &dyn Store,
    engine: &Engine,
    tenant_id: &str,
    email: &str,
    capacity: Option<u32>,
    languages: &[String],
    topics: &[String],
) -> anyhow::Result<Agent> {
    let tenant = tenant(store, tenant_id).await?;
    let agent = store
        .find_agent_by_email(&tenant, email)
        .await?
        .with_context(|| format!("tenant {tenant} has no agent {email:?}"))?
        .agent;
    let keep = |given: &[String], current: &[String]| {
        if given.is_empty() {
            current.to_vec()
        } else {
            given.to_vec()
        }
    };
    let edit = AgentEdit {
        name: agent.name.clone(),
        teams: agent.team_ids.clone(),
        profile: AgentProfile {
            capacity: capacity.unwrap_or(agent.profile.capacity),
            languages: keep(languages, &agent.profile.languages),
            topics: keep(topics, &agent.profile.topics),
        },
    };
    Ok(engine.edit_agent(&tenant, agent.id, edit, "cli").await?)
}

/// What `backstop kb import` did.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    /// Rows identical to the stored article: no new version.
    pub unchanged: usize,
    pub rejected: Vec<crate::kbfile::Rejected>,
}

/// Imports articles from files or directories (JSON, CSV, Markdown; see [`crate::kbfile`]): a row
/// with the slug and language of a stored article is a new version of it (archived ones stay
/// archived), identical rows change nothing, bad rows are reported with file and line. All the
/// good rows are saved in one transaction.
pub async fn import_kb_files(
    engine: &backstop_engine::Engine,
    tenant_id: &str,
    paths: &[std::path::PathBuf],
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<ImportReport> {
    let tenant = TenantId::parse(tenant_id).context("tenant id")?;
    let parsed = crate::kbfile::read_all(paths)?;
    progress.set_length(parsed.rows.len() as u64);
    let drafts = parsed.rows.into_iter().map(|r| r.draft).collect();
    let done = engine
        .import_articles(&tenant, drafts, "cli", &|| progress.inc(1))
        .await
        .map_err(|e| match e {
            backstop_engine::EngineError::TenantNotFound => {
                anyhow::anyhow!("no tenant {tenant}; create it with `backstop tenant add`")
            }
            e => e.into(),
        })?;
    Ok(ImportReport {
        created: done.created,
        updated: done.updated,
        unchanged: done.unchanged,
        rejected: parsed.rejected,
    })
}

/// `backstop kb export`: the tenant's articles (archived ones left out) as JSON or CSV, to `out`
/// or as the returned text; returns how many.
pub async fn kb_export(
    store: &dyn Store,
    tenant_id: &str,
    format: Option<&str>,
    out: Option<&std::path::Path>,
) -> anyhow::Result<(usize, Option<String>)> {
    let tenant = tenant(store, tenant_id).await?;
    let articles: Vec<_> = store
        .list_articles(&tenant)
        .await?
        .into_iter()
        .filter(|a| !a.archived)
        .collect();
    let ext = out
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let text = match format.map(str::to_ascii_lowercase).or(ext).as_deref().unwrap_or("json") {
        "json" => crate::kbfile::to_json(&articles),
        "csv" => crate::kbfile::to_csv(&articles)?,
        other => bail!("format {other:?}: use json or csv"),
    };
    match out {
        Some(p) => {
            std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?;
            Ok((articles.len(), None))
        }
        None => Ok((articles.len(), Some(text))),
    }
}

/// Imports intent examples from a JSONL file of `{"text","label"}`; returns (added, skipped).
pub async fn import_intents(
    store: &dyn Store,
    tenant_id: &str,
    path: &std::path::Path,
) -> anyhow::Result<(usize, usize)> {
    let tenant = tenant(store, tenant_id).await?;
    let rows: Vec<crate::jsonl::IntentRow> = crate::jsonl::read_jsonl(path)?;
    let pairs: Vec<(String, String)> = rows.into_iter().map(|r| (r.text, r.label)).collect();
    let records = backstop_engine::knowledge::brain::intent_examples(&tenant, &pairs, "import", Timestamp::now_utc())
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let added = store.add_intent_examples(&records).await?;
    Ok((added, records.len() - added))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store in a fresh directory, removed when the test drops it.
    async fn store() -> (std::sync::Arc<dyn Store>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let mut config = crate::Config::default();
        config.storage.data_dir = dir.path().to_path_buf();
        (crate::open_store(&config).await.unwrap(), dir)
    }

    #[tokio::test]
    async fn a_topic_is_named_from_the_command_line() {
        let (s, _dir) = store().await;
        add_tenant(s.as_ref(), "acme", "Acme Goods").await.unwrap();
        let engine = backstop_engine::Engine::new(s.clone(), backstop_engine::EngineConfig::default());
        let names = ["en=Gift cards".to_string(), "zh=礼品卡".into()];
        let t = name_topic(s.as_ref(), &engine, "acme", "gift-cards", &names)
            .await
            .unwrap();
        assert_eq!((t.names[&Lang::Zh].as_str(), t.articles), ("礼品卡", 0));
        let e = name_topic(s.as_ref(), &engine, "acme", "gift-cards", &["fr=x".into()]).await;
        assert!(e.unwrap_err().to_string().contains("unknown language"));
        let e = name_topic(s.as_ref(), &engine, "acme", "Gift Cards", &names).await;
        assert!(e.unwrap_err().to_string().contains("topic"));
        assert!(name_topic(s.as_ref(), &engine, "nobody", "x", &[]).await.is_err());
        let t = name_topic(s.as_ref(), &engine, "acme", "gift-cards", &[])
            .await
            .unwrap();
        assert!(t.names.is_empty(), "no names: forgotten");
    }

    #[tokio::test]
    async fn a_tenant_from_nothing() {
        let (s, _dir) = store().await;
        let secret = add_tenant(s.as_ref(), "acme", "Acme Goods").await.unwrap();
        assert_eq!(secret.len(), 64);
        let eng = backstop_engine::Engine::new(s.clone(), backstop_engine::EngineConfig::default());
        assert!(add_tenant(s.as_ref(), "acme", "Again")
            .await
            .unwrap_err()
            .to_string()
            .contains("already exists"));
        assert!(add_tenant(s.as_ref(), "Bad Id", "x").await.is_err());
        let team = add_team(s.as_ref(), &eng, "acme", "Support", "general", &["zh=客服部".into()])
            .await
            .unwrap();
        assert_eq!(team.display_name(Lang::Zh), "客服部");
        assert!(
            add_team(s.as_ref(), &eng, "acme", "support", "general", &[])
                .await
                .is_err(),
            "duplicate name"
        );
        assert!(
            add_team(s.as_ref(), &eng, "acme", "VIP", "vip-ish", &[]).await.is_err(),
            "bad role"
        );
        assert!(add_team(s.as_ref(), &eng, "nobody", "X", "general", &[])
            .await
            .unwrap_err()
            .to_string()
            .contains("no tenant"));

        let agent = add_agent(
            &eng,
            "acme",
            "ann@acme.example",
            "Ann",
            "agent",
            &["Support".into()],
            "correct horse battery\n".as_bytes(),
        )
        .await
        .unwrap();
        assert_eq!(agent.team_ids, vec![team.id]);
        let short = add_agent(
            &eng,
            "acme",
            "bo@acme.example",
            "Bo",
            "agent",
            &[],
            "short\n".as_bytes(),
        )
        .await;
        assert!(short.unwrap_err().to_string().contains("at least 10"));
        // Ten spaces, one letter ten times, a common password: refused, with the reason.
        for (weak, why) in [
            ("          \n", "at least 10"),
            ("aaaaaaaaaa\n", "too easy to guess"),
            ("Password123!\n", "too easy to guess"),
            ("1234567890\n", "too easy to guess"),
        ] {
            let e = add_agent(&eng, "acme", "bo@acme.example", "Bo", "agent", &[], weak.as_bytes())
                .await
                .unwrap_err()
                .to_string();
            assert!(e.contains(why), "{weak:?}: {e}");
        }
        let long = format!("{}\n", "plum-Orbit-".repeat(12));
        let e = add_agent(&eng, "acme", "bo@acme.example", "Bo", "agent", &[], long.as_bytes())
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("at most 128"), "{e}");
        let no_team = add_agent(
            &eng,
            "acme",
            "cy@acme.example",
            "Cy",
            "agent",
            &["Sales".into()],
            "long enough pw\n".as_bytes(),
        )
        .await;
        assert!(no_team.unwrap_err().to_string().contains("no team"));
        let dup = add_agent(
            &eng,
            "acme",
            "ANN@acme.example",
            "Ann",
            "agent",
            &[],
            "long enough pw\n".as_bytes(),
        )
        .await;
        assert!(dup
            .unwrap_err()
            .to_string()
            .contains("already signs in with this e-mail"));

        // Assignment settings: a team's strategy, an agent's capacity and skills.
        let change = |f: fn(&mut TeamChanges)| {
            let mut c = TeamChanges::default();
            f(&mut c);
            c
        };
        let team = set_team(
            s.as_ref(),
            &eng,
            "acme",
            "support",
            &change(|c| c.strategy = Some("skills".into())),
        )
        .await
        .unwrap();
        assert_eq!(team.strategy, Strategy::Skills);
        let err = |c: TeamChanges| {
            let (s, eng) = (s.clone(), eng.clone());
            async move {
                format!(
                    "{:#}",
                    set_team(s.as_ref(), &eng, "acme", "support", &c).await.unwrap_err()
                )
            }
        };
        assert!(err(change(|c| c.strategy = Some("random".into())))
            .await
            .contains("least_loaded"));
        // Business hours and service targets; what is not given stays.
        let team = set_team(
            s.as_ref(),
            &eng,
            "acme",
            "support",
            &change(|c| {
                c.hours = Some("mon-fri 09:00-18:00".into());
                c.timezone = Some("Asia/Shanghai".into());
                c.vip_target_secs = Some(20);
            }),
        )
        .await
        .unwrap();
        assert_eq!(
            (team.strategy, team.hours.spec().as_str(), team.hours.timezone()),
            (Strategy::Skills, "mon-fri 09:00-18:00", "Asia/Shanghai")
        );
        assert_eq!((team.sla.vip_secs, team.sla.standard_secs), (20, 120));
        assert!(err(change(|c| c.timezone = Some("Moon/Base".into())))
            .await
            .contains("unknown time zone"));
        assert!(err(change(|c| c.hours = Some("mon 18:00-09:00".into())))
            .await
            .contains("closes before it opens"));
        assert!(err(change(|c| c.vip_target_secs = Some(600)))
            .await
            .contains("VIP target cannot be longer"));
        let ann = set_agent_profile(
            s.as_ref(),
            &eng,
            "acme",
            "ann@acme.example",
            Some(2),
            &["zh".into()],
            &["Refunds".into()],
        )
        .await
        .unwrap();
        assert_eq!(
            ann.profile,
            AgentProfile {
                capacity: 2,
                languages: vec!["zh".into()],
                topics: vec!["refunds".into()]
            }
        );
        let kept = set_agent_profile(s.as_ref(), &eng, "acme", "ann@acme.example", Some(4), &[], &[])
            .await
            .unwrap();
        assert_eq!(
            (kept.profile.capacity, kept.profile.languages.clone()),
            (4, vec!["zh".to_string()])
        );
        for (capacity, langs) in [(Some(0), vec![]), (None, vec!["French".to_string()])] {
            assert!(
                set_agent_profile(s.as_ref(), &eng, "acme", "ann@acme.example", capacity, &langs, &[])
                    .await
                    .is_err()
            );
        }
        // The password is untouched: Ann can still sign in.
        let creds = s
            .find_agent_by_email(&TenantId::parse("acme").unwrap(), "ann@acme.example")
            .await
            .unwrap()
            .unwrap();
        assert!(creds.password_hash.starts_with("$argon2id$"));

        // Knowledge-base import: created, then unchanged, then updated; bad rows reported; an
        // archived article stays archived; all good rows in one go.
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("kb.csv");
        let md = dir.path().join("hours.md");
        std::fs::write(
            &csv,
            "slug,lang,topic,title,body,questions\nhours,en,account,Opening hours,We answer 9-21.,when are you open\nx,fr,t,t,b,\n",
        )
        .unwrap();
        std::fs::write(
            &md,
            "---\nslug: hours\nlang: zh\ntopic: account\ntitle: 营业时间\n---\n每天 9 点到 21 点。\n",
        )
        .unwrap();
        let pb = indicatif::ProgressBar::hidden();
        let engine = backstop_engine::Engine::new(s.clone(), backstop_engine::EngineConfig::default());
        let r = import_kb_files(&engine, "acme", &[csv.clone(), md.clone()], &pb)
            .await
            .unwrap();
        assert_eq!((r.created, r.updated, r.unchanged), (2, 0, 0));
        assert_eq!(r.rejected.len(), 1);
        assert_eq!(
            r.rejected[0].to_string(),
            format!("{}:3: unknown language \"fr\" (zh or en)", csv.display())
        );
        let r = import_kb_files(&engine, "acme", std::slice::from_ref(&csv), &pb)
            .await
            .unwrap();
        assert_eq!(
            (r.created, r.updated, r.unchanged),
            (0, 0, 1),
            "re-importing the same is no change"
        );
        let acme = TenantId::parse("acme").unwrap();
        let mut en = s
            .list_articles(&acme)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.lang == backstop_core::message::Lang::En)
            .unwrap();
        en.archived = true;
        s.save_article(&en, "archive", "test").await.unwrap();
        std::fs::write(
            &csv,
            "slug,lang,topic,title,body\nhours,en,account,Opening hours,We answer 8-22.\n",
        )
        .unwrap();
        let r = import_kb_files(&engine, "acme", &[dir.path().to_path_buf()], &pb)
            .await
            .unwrap();
        assert_eq!(
            (r.created, r.updated, r.unchanged),
            (0, 1, 1),
            "a directory: both files"
        );
        let after = s.get_article(&acme, en.id).await.unwrap().unwrap();
        assert_eq!(
            (after.body.as_str(), after.archived, after.version),
            ("We answer 8-22.", true, 3)
        );
        let (n, text) = kb_export(s.as_ref(), "acme", Some("csv"), None).await.unwrap();
        assert_eq!(n, 1, "archived articles are not exported");
        assert!(text.unwrap().contains("营业时间"));

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("intents.jsonl");
        std::fs::write(
            &file,
            "{\"text\":\"when do you open\",\"label\":\"hours\"}\n{\"text\":\"tell me a joke\",\"label\":\"oos\"}\n",
        )
        .unwrap();
        assert_eq!(import_intents(s.as_ref(), "acme", &file).await.unwrap(), (2, 0));
        assert_eq!(
            import_intents(s.as_ref(), "acme", &file).await.unwrap(),
            (0, 2),
            "idempotent"
        );
        std::fs::write(&file, "{\"text\":\"  \",\"label\":\"hours\"}\n").unwrap();
        assert!(import_intents(s.as_ref(), "acme", &file)
            .await
            .unwrap_err()
            .to_string()
            .contains("example 1"));
        std::fs::write(&file, "not json\n").unwrap();
        assert!(import_intents(s.as_ref(), "acme", &file)
            .await
            .unwrap_err()
            .to_string()
            .contains(":1: not a valid row"));
    }
}
