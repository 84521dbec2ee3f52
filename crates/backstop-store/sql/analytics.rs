//! The analytics tables: each conversation's facts row, replaced whole, and the rollups — kept at
//! each grain (hour, day, week; `backstop_store::Grain`) — moved by the difference in the same
//! transaction (`backstop_core::analytics::Contribution`), so the rollups are always the sum of the
//! stored contributions. The dashboard's questions are sums over a tenant's rows of the few
//! pieces that cover a range (`backstop_store::pieces`) — never a scan of conversations or events.

use std::collections::BTreeMap;

use backstop_core::analytics::{Contribution, MessageCounts, Sum, AGENT_SUMS};
use backstop_core::ids::{AgentId, ConversationId, TenantId};
use backstop_core::outcome::Outcome;
use backstop_core::Timestamp;
use backstop_store::codec::*;
use backstop_store::*;

use crate::dialect;
use crate::Backend;

/// The backend's database and row types.
type Db = <dialect::Conn as sqlx::Connection>::Database;
type Row = <Db as sqlx::Database>::Row;

/// Where a rollup row is: tenant, grain, first hour; then its dimensions.
type At = (String, i64, i64);
type Cell = (At, String, String, String, String);

const KEY_COLS: &str = "tenant_id, grain, hour, team, channel, lang, topic";

fn sum_cols() -> String {
    Sum::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

/// Binds a rollup row's key columns, in `KEY_COLS` order.
fn push_cell(b: &mut sqlx::query_builder::Separated<'_, '_, Db, &'static str>, cell: &Cell) {
    let ((tenant, grain, hour), team, channel, lang, topic) = cell.clone();
    b.push_bind(tenant)
        .push_bind(grain)
        .push_bind(hour)
        .push_bind(team)
        .push_bind(channel)
        .push_bind(lang)
        .push_bind(topic);
}

/// Rows per multi-row statement: well under both databases' limits on bound values (the widest
/// row, a rollup's, binds 7 keys and every sum).
const CHUNK: usize = 100;

/// Saves a batch of facts rows and moves the rollups by their differences, in one transaction and
/// in few statements: the conversations locked and their stored facts read in one query per
/// chunk, then the facts and the added-up differences written as multi-row upserts in key order
/// (each statement a round trip on PostgreSQL, where a fold of a million conversations used to
/// spend its time).
pub(crate) async fn save(store: &Backend, rows: &[FactsRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    // Conversations in key order (two nodes folding overlapping batches lock in the same order).
    let mut keys: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.tenant.as_str().to_owned(), r.conversation.to_string()))
        .collect();
    keys.sort();
    keys.dedup();
    let mut tx = store.writer().begin().await.map_err(db)?;
    // The facts stored now, per conversation; each row below replaces its conversation's.
    let mut current: BTreeMap<(String, String), (RollupKey, Contribution)> = BTreeMap::new();
    for chunk in keys.chunks(CHUNK) {
        // Two nodes folding the same conversation take turns on its row.
        dialect::lock_conversation_rows(&mut tx, chunk).await?;
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "SELECT tenant_id, conversation_id, hour, team, channel, lang, topic, contribution FROM conversation_facts
             WHERE (tenant_id, conversation_id) IN (",
        );
        let mut list = q.separated(", ");
        for (t, c) in chunk {
            list.push("(");
            list.push_bind_unseparated(t.clone());
            list.push_unseparated(", ");
            list.push_bind_unseparated(c.clone());
            list.push_unseparated(")");
        }
        q.push(")");
        for r in q.build().fetch_all(&mut *tx).await.map_err(db)? {
            let key = RollupKey {
                hour: r.int("hour")?,
                team: r.text("team")?,
                channel: r.text("channel")?,
                lang: r.text("lang")?,
                topic: r.text("topic")?,
            };
            current.insert(
                (r.text("tenant_id")?, r.text("conversation_id")?),
                (key, json::<Contribution>(&r, "contribution")?),
            );
        }
    }
    let mut sums_at: BTreeMap<Cell, Vec<i64>> = BTreeMap::new();
    let mut counts_at: BTreeMap<(Cell, String), i64> = BTreeMap::new();
    let mut agents_at: BTreeMap<(At, String), Vec<i64>> = BTreeMap::new();
    let mut facts: BTreeMap<(String, String), &FactsRow> = BTreeMap::new();
    for row in rows {
        let id = (row.tenant.as_str().to_owned(), row.conversation.to_string());
        let old = current.insert(id.clone(), (row.key.clone(), row.contribution.clone()));
        // The same rows: move them by the difference; other rows: take the old out, put the new in.
        let moves: Vec<(RollupKey, backstop_core::analytics::Delta)> = match old {
            Some((key, c)) if key == row.key => vec![(key, row.contribution.minus(Some(&c)))],
            Some((key, c)) => vec![
                (key, Contribution::default().minus(Some(&c))),
                (row.key.clone(), row.contribution.minus(None)),
            ],
            None => vec![(row.key.clone(), row.contribution.minus(None))],
        };
        for (key, delta) in &moves {
            for grain in GRAINS {
                let at = (row.tenant.as_str().to_string(), grain.code(), grain.start(key.hour));
                let cell = (
                    at.clone(),
                    key.team.clone(),
                    key.channel.clone(),
                    key.lang.clone(),
                    key.topic.clone(),
                );
                if delta.sums.iter().any(|x| *x != 0) {
                    add(
                        sums_at.entry(cell.clone()).or_insert_with(|| vec![0; delta.sums.len()]),
                        &delta.sums,
                    );
                }
                for (k, n) in &delta.counts {
                    *counts_at.entry((cell.clone(), k.clone())).or_insert(0) += n;
                }
                for (agent, v) in &delta.agents {
                    add(
                        agents_at
                            .entry((at.clone(), agent.to_string()))
                            .or_insert_with(|| vec![0; v.len()]),
                        v,
                    );
                }
            }
        }
        // A conversation twice in the batch keeps its last row.
        facts.insert(id, row);
    }
    let facts: Vec<&FactsRow> = facts.into_values().collect();
    for chunk in facts.chunks(CHUNK) {
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO conversation_facts (tenant_id, conversation_id, hour, team, channel, lang, topic, outcome, is_final, final_at, last_event_id, contribution) ",
        );
        q.push_values(chunk, |mut b, row| {
            b.push_bind(row.tenant.as_str().to_owned())
                .push_bind(row.conversation.to_string())
                .push_bind(row.key.hour)
                .push_bind(row.key.team.clone())
                .push_bind(row.key.channel.clone())
                .push_bind(row.key.lang.clone())
                .push_bind(row.key.topic.clone())
                .push_bind(row.outcome.map(Outcome::as_str))
                .push_bind(i64::from(row.is_final))
                .push_bind(ts(row.final_at))
                .push_bind(row.last_event_id)
                .push_bind(to_json(&row.contribution));
        });
        q.push(
            " ON CONFLICT (tenant_id, conversation_id) DO UPDATE SET hour = excluded.hour, team = excluded.team,
                 channel = excluded.channel, lang = excluded.lang, topic = excluded.topic, outcome = excluded.outcome,
                 is_final = excluded.is_final, final_at = excluded.final_at, last_event_id = excluded.last_event_id,
                 contribution = excluded.contribution",
        );
        q.build().execute(&mut *tx).await.map_err(db)?;
    }
    // The batch's differences, added up per rollup row and written in key order, each key once
    // per statement (an upsert may not touch a row twice).
    let sums: Vec<(Cell, Vec<i64>)> = sums_at.into_iter().filter(|(_, d)| d.iter().any(|x| *x != 0)).collect();
    let add_sums = Sum::ALL
        .iter()
        .map(|s| format!("{0} = rollups.{0} + excluded.{0}", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    for chunk in sums.chunks(CHUNK) {
        let mut q = sqlx::QueryBuilder::<Db>::new(format!("INSERT INTO rollups ({KEY_COLS}, {}) ", sum_cols()));
        q.push_values(chunk, |mut b, (cell, delta)| {
            push_cell(&mut b, cell);
            for v in delta {
                b.push_bind(*v);
            }
        });
        q.push(format!(" ON CONFLICT ({KEY_COLS}) DO UPDATE SET {add_sums}"));
        q.build().execute(&mut *tx).await.map_err(db)?;
    }
    let counts: Vec<((Cell, String), i64)> = counts_at.into_iter().filter(|(_, n)| *n != 0).collect();
    for chunk in counts.chunks(CHUNK) {
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO rollup_counts (tenant_id, grain, hour, team, channel, lang, topic, key, n) ",
        );
        q.push_values(chunk, |mut b, ((cell, key), n)| {
            push_cell(&mut b, cell);
            b.push_bind(key.clone()).push_bind(*n);
        });
        q.push(
            " ON CONFLICT (tenant_id, grain, hour, team, channel, lang, topic, key) DO UPDATE SET n = rollup_counts.n + excluded.n",
        );
        q.build().execute(&mut *tx).await.map_err(db)?;
    }
    let agents: Vec<((At, String), Vec<i64>)> = agents_at
        .into_iter()
        .filter(|(_, d)| d.iter().any(|x| *x != 0))
        .collect();
    let add_agents = AGENT_SUMS
        .iter()
        .map(|s| format!("{s} = agent_rollups.{s} + excluded.{s}"))
        .collect::<Vec<_>>()
        .join(", ");
    for chunk in agents.chunks(CHUNK) {
        let mut q = sqlx::QueryBuilder::<Db>::new(format!(
            "INSERT INTO agent_rollups (tenant_id, grain, hour, agent_id, {}) ",
            AGENT_SUMS.join(", ")
        ));
        q.push_values(chunk, |mut b, (((tenant, grain, hour), agent), delta)| {
            b.push_bind(tenant.clone())
                .push_bind(*grain)
                .push_bind(*hour)
                .push_bind(agent.clone());
            for v in delta {
                b.push_bind(*v);
            }
        });
        q.push(format!(
            " ON CONFLICT (tenant_id, grain, hour, agent_id) DO UPDATE SET {add_agents}"
        ));
        q.build().execute(&mut *tx).await.map_err(db)?;
    }
    tx.commit().await.map_err(db)?;
    Ok(())
}

/// A row's `tenant_id` and `conversation_id`.
fn tenant_conversation(r: &impl Columns) -> Result<(TenantId, ConversationId)> {
    Ok((
        TenantId::parse(&r.text("tenant_id")?).map_err(|_| corrupt("tenant_id"))?,
        r.text("conversation_id")?
            .parse()
            .map_err(|_| corrupt("conversation_id"))?,
    ))
}

fn facts_row(r: &impl Columns) -> Result<FactsRow> {
    let outcome = match r.opt_text("outcome")? {
        Some(o) => Some(Outcome::parse(&o).ok_or_else(|| corrupt("facts outcome"))?),
        None => None,
    };
    let (tenant, conversation) = tenant_conversation(r)?;
    Ok(FactsRow {
        tenant,
        conversation,
        key: RollupKey {
            hour: r.int("hour")?,
            team: r.text("team")?,
            channel: r.text("channel")?,
            lang: r.text("lang")?,
            topic: r.text("topic")?,
        },
        outcome,
        is_final: r.int("is_final")? != 0,
        final_at: from_ts(r.int("final_at")?)?,
        last_event_id: r.int("last_event_id")?,
        contribution: json(r, "contribution")?,
    })
}

pub(crate) async fn get(store: &Backend, tenant: &TenantId, conv: ConversationId) -> Result<Option<FactsRow>> {
    let row = sqlx::query("SELECT * FROM conversation_facts WHERE tenant_id = $1 AND conversation_id = $2")
        .bind(tenant.as_str())
        .bind(conv.to_string())
        .fetch_optional(store.reader())
        .await
        .map_err(db)?;
    row.as_ref().map(facts_row).transpose()
}

pub(crate) async fn cursor(store: &Backend) -> Result<i64> {
    let row = sqlx::query("SELECT CAST(COALESCE(MAX(last_event_id), 0) AS BIGINT) AS m FROM conversation_facts")
        .fetch_one(store.reader())
        .await
        .map_err(db)?;
    row.int("m")
}

pub(crate) async fn with_events_in(
    store: &Backend,
    after_id: i64,
    up_to_id: i64,
) -> Result<Vec<(TenantId, ConversationId, i64)>> {
    let rows = sqlx::query(
        "SELECT tenant_id, conversation_id, CAST(MAX(id) AS BIGINT) AS m FROM events WHERE id > $1 AND id <= $2
         GROUP BY tenant_id, conversation_id ORDER BY m",
    )
    .bind(after_id)
    .bind(up_to_id)
    .fetch_all(store.reader())
    .await
    .map_err(db)?;
    rows.iter()
        .map(|r| {
            let (t, c) = tenant_conversation(r)?;
            Ok((t, c, r.int("m")?))
        })
        .collect()
}

pub(crate) async fn max_event_id(store: &Backend) -> Result<i64> {
    let row = sqlx::query("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS m FROM events")
        .fetch_one(store.reader())
        .await
        .map_err(db)?;
    row.int("m")
}

pub(crate) async fn due(store: &Backend, at: Timestamp, limit: u32) -> Result<Vec<(TenantId, ConversationId)>> {
    let rows = sqlx::query(
        "SELECT tenant_id, conversation_id FROM conversation_facts WHERE is_final = 0 AND final_at <= $1 ORDER BY final_at LIMIT $2",
    )
    .bind(ts(at))
    .bind(i64::from(limit))
    .fetch_all(store.reader())
    .await
    .map_err(db)?;
    rows.iter().map(tenant_conversation).collect()
}

pub(crate) async fn message_counts(store: &Backend, tenant: &TenantId, conv: ConversationId) -> Result<MessageCounts> {
    let rows = sqlx::query(
        "SELECT author_kind, CAST(COUNT(*) AS BIGINT) AS n FROM messages
         WHERE tenant_id = $1 AND conversation_id = $2 AND kind = 'text' GROUP BY author_kind",
    )
    .bind(tenant.as_str())
    .bind(conv.to_string())
    .fetch_all(store.reader())
    .await
    .map_err(db)?;
    let mut m = MessageCounts::default();
    for r in &rows {
        let n = r.int("n")?;
        match r.text("author_kind")?.as_str() {
            "customer" => m.customer = n,
            "ai" => m.ai = n,
            "agent" => m.agent = n,
            _ => {}
        }
    }
    Ok(m)
}

/// The `WHERE` of a filter's dimensions, their placeholders from `$first` on, and the values to
/// bind.
fn dims_sql(f: &RollupFilter, first: usize) -> (String, Vec<String>) {
    let mut sql = String::new();
    let mut binds = vec![];
    for (col, v) in [
        ("team", &f.team),
        ("channel", &f.channel),
        ("lang", &f.lang),
        ("topic", &f.topic),
    ] {
        if let Some(v) = v {
            sql.push_str(&format!(" AND {col} = ${}", first + binds.len()));
            binds.push(v.clone());
        }
    }
    (sql, binds)
}

/// The rollup rows of one piece of a range: `$1` the tenant, `$2` the grain, `$3..$4` the hours,
/// then the dimensions from `$5`.
fn piece_sql(f: &RollupFilter) -> (String, Vec<String>) {
    let (dims, binds) = dims_sql(f, 5);
    (
        format!("tenant_id = $1 AND grain = $2 AND hour >= $3 AND hour < $4{dims}"),
        binds,
    )
}

/// The group's expression and its `GROUP BY`.
fn group_expr(group: RollupGroup) -> (String, String) {
    match group {
        RollupGroup::All => ("''".into(), String::new()),
        RollupGroup::Hour => ("CAST(hour AS TEXT)".into(), " GROUP BY hour".into()),
        RollupGroup::Day => ("CAST(hour / 24 AS TEXT)".into(), " GROUP BY hour / 24".into()),
        RollupGroup::Dimensions => {
            let cols = "team, channel, lang, topic";
            let sep = DIMENSIONS_SEPARATOR;
            (
                format!("team || '{sep}' || channel || '{sep}' || lang || '{sep}' || topic"),
                format!(" GROUP BY {cols}"),
            )
        }
        g => {
            let c = g.column().unwrap_or("team");
            (c.into(), format!(" GROUP BY {c}"))
        }
    }
}

/// Runs `sql` (written by [`piece_sql`]) once per piece of the filter's range, at grains no
/// coarser than the group allows, and hands every row to `each`.
async fn per_piece(
    store: &Backend,
    tenant: &TenantId,
    f: &RollupFilter,
    group: RollupGroup,
    sql: &str,
    binds: &[String],
    mut each: impl FnMut(&Row) -> Result<()>,
) -> Result<()> {
    for (grain, from, to) in pieces(f.from_hour, f.to_hour, group.coarsest()) {
        let mut q = sqlx::query(sql)
            .bind(tenant.as_str())
            .bind(grain.code())
            .bind(from)
            .bind(to);
        for b in binds {
            q = q.bind(b);
        }
        for r in q.fetch_all(store.reader()).await.map_err(db)? {
            each(&r)?;
        }
    }
    Ok(())
}

pub(crate) async fn sums(
    store: &Backend,
    tenant: &TenantId,
    f: &RollupFilter,
    group: RollupGroup,
    columns: &[Sum],
) -> Result<Vec<(String, Vec<i64>)>> {
    let (cond, binds) = piece_sql(f);
    let (g, tail) = group_expr(group);
    let cols = columns
        .iter()
        .map(|s| format!("CAST(COALESCE(SUM({0}), 0) AS BIGINT) AS {0}", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT {g} AS g, {cols} FROM rollups WHERE {cond}{tail}");
    let mut out: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    per_piece(store, tenant, f, group, &sql, &binds, |r| {
        let sums = columns.iter().map(|s| r.int(s.as_str())).collect::<Result<Vec<_>>>()?;
        add(out.entry(r.text("g")?).or_insert_with(|| vec![0; sums.len()]), &sums);
        Ok(())
    })
    .await?;
    if group == RollupGroup::All && out.is_empty() {
        out.insert(String::new(), vec![0; columns.len()]);
    }
    Ok(sort_groups(group, out.into_iter().collect()))
}

fn add(to: &mut [i64], v: &[i64]) {
    for (a, b) in to.iter_mut().zip(v) {
        *a += b;
    }
}

/// Hours and days in time order (their text is a number), other groups by name.
fn sort_groups<T>(group: RollupGroup, mut rows: Vec<(String, T)>) -> Vec<(String, T)> {
    if matches!(group, RollupGroup::Hour | RollupGroup::Day) {
        rows.sort_by_key(|(g, _)| g.parse::<i64>().unwrap_or(i64::MIN));
    }
    rows
}

pub(crate) async fn counts(
    store: &Backend,
    tenant: &TenantId,
    f: &RollupFilter,
    group: RollupGroup,
    prefix: &str,
) -> Result<Vec<(String, String, i64)>> {
    let (cond, binds) = piece_sql(f);
    let (g, tail) = group_expr(group);
    let group_by = if tail.is_empty() {
        " GROUP BY key".to_string()
    } else {
        format!("{tail}, key")
    };
    // Keys run from the prefix up to the next character after its `:`.
    let p = 5 + binds.len();
    let sql = format!(
        "SELECT {g} AS g, key, CAST(SUM(n) AS BIGINT) AS n FROM rollup_counts WHERE {cond} AND key >= ${p} AND key < ${}{group_by}",
        p + 1
    );
    let mut binds = binds;
    binds.extend([prefix.to_string(), format!("{prefix}\u{10FFFF}")]);
    let mut out: BTreeMap<(String, String), i64> = BTreeMap::new();
    per_piece(store, tenant, f, group, &sql, &binds, |r| {
        *out.entry((r.text("g")?, r.text("key")?)).or_insert(0) += r.int("n")?;
        Ok(())
    })
    .await?;
    let rows = out
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .map(|((g, k), n)| (g, (k, n)))
        .collect();
    Ok(sort_groups(group, rows)
        .into_iter()
        .map(|(g, (k, n))| (g, k, n))
        .collect())
}

pub(crate) async fn agents(store: &Backend, tenant: &TenantId, f: &RollupFilter) -> Result<Vec<AgentRollup>> {
    let cols = AGENT_SUMS
        .iter()
        .map(|s| format!("CAST(SUM({s}) AS BIGINT) AS {s}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT agent_id, {cols} FROM agent_rollups WHERE tenant_id = $1 AND grain = $2 AND hour >= $3 AND hour < $4 GROUP BY agent_id"
    );
    let unfiltered = RollupFilter {
        from_hour: f.from_hour,
        to_hour: f.to_hour,
        ..Default::default()
    };
    let mut out: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    per_piece(store, tenant, &unfiltered, RollupGroup::All, &sql, &[], |r| {
        let sums = AGENT_SUMS.iter().map(|s| r.int(s)).collect::<Result<Vec<_>>>()?;
        add(
            out.entry(r.text("agent_id")?).or_insert_with(|| vec![0; sums.len()]),
            &sums,
        );
        Ok(())
    })
    .await?;
    out.into_iter()
        .map(|(agent, sums)| {
            Ok(AgentRollup {
                agent: AgentId(agent.parse().map_err(|_| corrupt("rollup agent"))?),
                sums,
            })
        })
        .collect()
}

pub(crate) async fn list(store: &Backend, tenant: &TenantId, q: &FactsQuery) -> Result<Vec<FactsRow>> {
    let (dims, mut binds) = dims_sql(&q.filter, 4);
    let mut cond = format!("tenant_id = $1 AND hour >= $2 AND hour < $3{dims}");
    match q.outcome.as_deref() {
        Some("unsettled") => cond.push_str(" AND outcome IS NULL"),
        Some(o) => {
            binds.push(o.to_string());
            cond.push_str(&format!(" AND outcome = ${}", 3 + binds.len()));
        }
        None => {}
    }
    let sql = format!(
        "SELECT * FROM conversation_facts WHERE {cond} ORDER BY hour DESC, conversation_id DESC LIMIT ${}",
        4 + binds.len()
    );
    let mut query = sqlx::query(&sql)
        .bind(tenant.as_str())
        .bind(q.filter.from_hour)
        .bind(q.filter.to_hour);
    for b in &binds {
        query = query.bind(b);
    }
    let rows = query
        .bind(i64::from(q.limit))
        .fetch_all(store.reader())
        .await
        .map_err(db)?;
    rows.iter().map(facts_row).collect()
}

pub(crate) async fn clear(store: &Backend, tenant: Option<&TenantId>) -> Result<()> {
    let mut tx = store.writer().begin().await.map_err(db)?;
    for table in ["conversation_facts", "rollups", "rollup_counts", "agent_rollups"] {
        let sql = match tenant {
            Some(_) => format!("DELETE FROM {table} WHERE tenant_id = $1"),
            None => format!("DELETE FROM {table}"),
        };
        let mut q = sqlx::query(&sql);
        if let Some(t) = tenant {
            q = q.bind(t.as_str());
        }
        q.execute(&mut *tx).await.map_err(db)?;
    }
    tx.commit().await.map_err(db)?;
    Ok(())
}
