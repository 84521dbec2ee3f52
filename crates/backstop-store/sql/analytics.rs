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
type Query<'q> = sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>;

/// Where a rollup row is: tenant, grain, first hour; then its dimensions.
type At = (String, i64, i64);
type Cell = (At, String, String, String, String);

/// Binds a rollup row's key columns, in `KEY_COLS` order.
fn bind_cell(q: Query<'_>, ((tenant, grain, hour), team, channel, lang, topic): Cell) -> Query<'_> {
    q.bind(tenant)
        .bind(grain)
        .bind(hour)
        .bind(team)
        .bind(channel)
        .bind(lang)
        .bind(topic)
}

const KEY_COLS: &str = "tenant_id, grain, hour, team, channel, lang, topic";

fn sum_cols() -> String {
    Sum::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

/// `$from..$to` placeholders.
fn marks(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

pub(crate) async fn save(store: &Backend, rows: &[FactsRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let sums = sum_cols();
    let rollup_sql = format!(
        "INSERT INTO rollups ({KEY_COLS}, {sums}) VALUES ({}) ON CONFLICT ({KEY_COLS}) DO UPDATE SET {}",
        marks(1, 7 + Sum::ALL.len()),
        Sum::ALL
            .iter()
            .map(|s| format!("{0} = rollups.{0} + excluded.{0}", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let agent_sql = format!(
        "INSERT INTO agent_rollups (tenant_id, grain, hour, agent_id, {}) VALUES ({}) ON CONFLICT (tenant_id, grain, hour, agent_id) DO UPDATE SET {}",
        AGENT_SUMS.join(", "),
        marks(1, 4 + AGENT_SUMS.len()),
        AGENT_SUMS
            .iter()
            .map(|s| format!("{s} = agent_rollups.{s} + excluded.{s}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut sums_at: BTreeMap<Cell, Vec<i64>> = BTreeMap::new();
    let mut counts_at: BTreeMap<(Cell, String), i64> = BTreeMap::new();
    let mut agents_at: BTreeMap<(At, String), Vec<i64>> = BTreeMap::new();
    let mut tx = store.writer().begin().await.map_err(db)?;
    for row in rows {
        // Two nodes folding the same conversation take turns on its row.
        dialect::lock_conversation_row(&mut tx, &row.tenant, row.conversation).await?;
        let old = sqlx::query(
            "SELECT hour, team, channel, lang, topic, contribution FROM conversation_facts WHERE tenant_id = $1 AND conversation_id = $2",
        )
        .bind(row.tenant.as_str())
        .bind(row.conversation.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let old = match old {
            Some(r) => Some((
                RollupKey {
                    hour: r.int("hour")?,
                    team: r.text("team")?,
                    channel: r.text("channel")?,
                    lang: r.text("lang")?,
                    topic: r.text("topic")?,
                },
                json::<Contribution>(&r, "contribution")?,
            )),
            None => None,
        };
        // The same rows: move them by the difference; other rows: take the old out, put the new in.
        let moves: Vec<(&RollupKey, backstop_core::analytics::Delta)> = match &old {
            Some((key, c)) if *key == row.key => vec![(key, row.contribution.minus(Some(c)))],
            Some((key, c)) => vec![
                (key, Contribution::default().minus(Some(c))),
                (&row.key, row.contribution.minus(None)),
            ],
            None => vec![(&row.key, row.contribution.minus(None))],
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
        sqlx::query(
            "INSERT INTO conversation_facts (tenant_id, conversation_id, hour, team, channel, lang, topic, outcome, is_final, final_at, last_event_id, contribution)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (tenant_id, conversation_id) DO UPDATE SET hour = excluded.hour, team = excluded.team,
                 channel = excluded.channel, lang = excluded.lang, topic = excluded.topic, outcome = excluded.outcome,
                 is_final = excluded.is_final, final_at = excluded.final_at, last_event_id = excluded.last_event_id,
                 contribution = excluded.contribution",
        )
        .bind(row.tenant.as_str())
        .bind(row.conversation.to_string())
        .bind(row.key.hour)
        .bind(&row.key.team)
        .bind(&row.key.channel)
        .bind(&row.key.lang)
        .bind(&row.key.topic)
        .bind(row.outcome.map(Outcome::as_str))
        .bind(i64::from(row.is_final))
        .bind(ts(row.final_at))
        .bind(row.last_event_id)
        .bind(to_json(&row.contribution))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    }
    // The batch's differences, added up per rollup row and written in key order.
    for (cell, delta) in sums_at {
        if delta.iter().all(|x| *x == 0) {
            continue;
        }
        let mut q = bind_cell(sqlx::query(&rollup_sql), cell);
        for v in delta {
            q = q.bind(v);
        }
        q.execute(&mut *tx).await.map_err(db)?;
    }
    for ((cell, key), n) in counts_at {
        if n == 0 {
            continue;
        }
        bind_cell(
            sqlx::query(
                "INSERT INTO rollup_counts (tenant_id, grain, hour, team, channel, lang, topic, key, n) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (tenant_id, grain, hour, team, channel, lang, topic, key) DO UPDATE SET n = rollup_counts.n + excluded.n",
            ),
            cell,
        )
        .bind(key)
        .bind(n)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    }
    for (((tenant, grain, hour), agent), delta) in agents_at {
        if delta.iter().all(|x| *x == 0) {
            continue;
        }
        let mut q = sqlx::query(&agent_sql).bind(tenant).bind(grain).bind(hour).bind(agent);
        for v in delta {
            q = q.bind(v);
        }
        q.execute(&mut *tx).await.map_err(db)?;
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
