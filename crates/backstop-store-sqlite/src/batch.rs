//! Group commit for the hot writes — storing a customer message and applying a turn. Requests
//! from every conversation queue for one writer task, which applies as many as are waiting (up to
//! [`MAX_BATCH`]) in one transaction, each inside its own savepoint (a failing one is rolled back
//! alone and gets its error), and answers them all after the one commit: one journal sync for the
//! whole batch instead of one per write. Nothing is answered before it is durable.

use backstop_store::codec::*;
use backstop_store::*;
use sqlx::{Acquire, SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

/// Writes applied in one transaction at most.
const MAX_BATCH: usize = 128;

enum Job {
    Append(Box<NewMessage>, oneshot::Sender<Result<Appended>>),
    Turn(Box<Turn>, oneshot::Sender<Result<Vec<MessageRecord>>>),
}

/// The queue to the writer task.
#[derive(Clone)]
pub(crate) struct Batcher {
    tx: mpsc::UnboundedSender<Job>,
}

impl Batcher {
    /// Starts the writer task on `writer` (the one-connection pool).
    pub(crate) fn start(writer: SqlitePool) -> Batcher {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(writer, rx));
        Batcher { tx }
    }

    pub(crate) async fn append(&self, m: NewMessage) -> Result<Appended> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Job::Append(Box::new(m), tx))
            .map_err(|_| StoreError::Database("the store is closed".into()))?;
        rx.await
            .map_err(|_| StoreError::Database("the writer stopped".into()))?
    }

    pub(crate) async fn turn(&self, t: Turn) -> Result<Vec<MessageRecord>> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Job::Turn(Box::new(t), tx))
            .map_err(|_| StoreError::Database("the store is closed".into()))?;
        rx.await
            .map_err(|_| StoreError::Database("the writer stopped".into()))?
    }
}

/// What a job produced, kept until the commit.
enum Done {
    Append(Box<Result<Appended>>, oneshot::Sender<Result<Appended>>),
    Turn(Result<Vec<MessageRecord>>, oneshot::Sender<Result<Vec<MessageRecord>>>),
}

async fn run(writer: SqlitePool, mut rx: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let mut done = Vec::with_capacity(jobs.len());
        let committed = apply(&writer, jobs, &mut done).await;
        for d in done {
            match (d, &committed) {
                (Done::Append(r, reply), Ok(())) => reply.send(*r).ok(),
                (Done::Turn(r, reply), Ok(())) => reply.send(r).ok(),
                (Done::Append(_, reply), Err(e)) => reply.send(Err(StoreError::Database(e.clone()))).ok(),
                (Done::Turn(_, reply), Err(e)) => reply.send(Err(StoreError::Database(e.clone()))).ok(),
            };
        }
    }
}

/// Applies the jobs in one transaction, each in a savepoint; `Err` when the batch did not commit
/// (then none of it is stored).
async fn apply(writer: &SqlitePool, jobs: Vec<Job>, done: &mut Vec<Done>) -> Result<(), String> {
    let mut tx = match writer.begin().await {
        Ok(tx) => tx,
        Err(e) => {
            for j in jobs {
                done.push(match j {
                    Job::Append(_, reply) => Done::Append(Box::new(Err(db_err(&e))), reply),
                    Job::Turn(_, reply) => Done::Turn(Err(db_err(&e)), reply),
                });
            }
            return Err(e.to_string());
        }
    };
    for job in jobs {
        match job {
            Job::Append(m, reply) => {
                let r = in_savepoint(&mut tx, |c| Box::pin(async move { append(c, &m).await })).await;
                done.push(Done::Append(Box::new(r), reply));
            }
            Job::Turn(t, reply) => {
                let r = in_savepoint(&mut tx, |c| Box::pin(async move { turn(c, &t).await })).await;
                done.push(Done::Turn(r, reply));
            }
        }
    }
    tx.commit().await.map_err(|e| e.to_string())
}

fn db_err(e: &sqlx::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

type Op<'c, T> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<T>> + Send + 'c>>;

/// Runs `op` inside a savepoint: kept if it succeeds, undone alone if it fails.
async fn in_savepoint<T>(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    op: impl for<'c> FnOnce(&'c mut SqliteConnection) -> Op<'c, T>,
) -> Result<T> {
    let mut sp = tx.begin().await.map_err(db)?;
    match op(&mut sp).await {
        Ok(v) => {
            sp.commit().await.map_err(db)?;
            Ok(v)
        }
        Err(e) => {
            sp.rollback().await.map_err(db)?;
            Err(e)
        }
    }
}

async fn insert_message(conn: &mut SqliteConnection, m: &NewMessage) -> Result<MessageRecord> {
    let seq: Option<i64> = sqlx::query_scalar(
        "UPDATE conversations SET last_seq = last_seq + 1, last_message_at = ?3, updated_at = MAX(updated_at, ?3)
         WHERE tenant_id = ?1 AND id = ?2 RETURNING last_seq",
    )
    .bind(m.tenant.as_str())
    .bind(m.conversation.to_string())
    .bind(ts(m.created_at))
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    let seq = seq.ok_or(StoreError::NotFound("conversation"))?;
    let (akind, aid, aname) = author_cols(&m.author);
    sqlx::query(&format!(
        "INSERT INTO messages ({MSG_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
    ))
    .bind(m.tenant.as_str())
    .bind(m.id.to_string())
    .bind(m.conversation.to_string())
    .bind(seq)
    .bind(akind)
    .bind(aid)
    .bind(aname)
    .bind(m.kind.as_str())
    .bind(&m.body)
    .bind(&m.client_id)
    .bind(to_json(&m.citations))
    .bind(m.system.as_ref().map(to_json))
    .bind(m.handled as i64)
    .bind(ts(m.created_at))
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(MessageRecord {
        id: m.id,
        tenant: m.tenant.clone(),
        conversation: m.conversation,
        seq,
        author: m.author.clone(),
        kind: m.kind,
        body: m.body.clone(),
        client_id: m.client_id.clone(),
        citations: m.citations.clone(),
        system: m.system.clone(),
        handled: m.handled,
        created_at: m.created_at,
    })
}

async fn append(conn: &mut SqliteConnection, m: &NewMessage) -> Result<Appended> {
    if let Some(cid) = &m.client_id {
        let row = sqlx::query(&format!(
            "SELECT {MSG_COLS} FROM messages WHERE tenant_id = ?1 AND conversation_id = ?2 AND client_id = ?3"
        ))
        .bind(m.tenant.as_str())
        .bind(m.conversation.to_string())
        .bind(cid)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
        if let Some(row) = row {
            return Ok(Appended {
                message: message(&row)?,
                duplicate: true,
            });
        }
    }
    let stored = insert_message(conn, m).await?;
    Ok(Appended {
        message: stored,
        duplicate: false,
    })
}

async fn turn(conn: &mut SqliteConnection, turn: &Turn) -> Result<Vec<MessageRecord>> {
    let c = &turn.conversation;
    let (kind, team, agent, prio, rank) = owner_cols(&c.owner);
    let updated = sqlx::query(
        "UPDATE conversations SET owner_kind = ?3, owner_team = ?4, owner_agent = ?5, priority = ?6, priority_rank = ?7,
           status = ?8, lang = ?9, topic = ?10, failed_turns = ?11, handoff_reason = ?12, queued_at = ?13,
           packet = ?14, updated_at = ?15, mood = ?16, policy_state = ?17, csat = ?18,
           sla = ?19, sla_due_at = ?20
         WHERE tenant_id = ?1 AND id = ?2",
    )
    .bind(c.tenant.as_str())
    .bind(c.id.to_string())
    .bind(kind)
    .bind(team)
    .bind(agent)
    .bind(prio)
    .bind(rank)
    .bind(c.status.as_str())
    .bind(c.lang.as_str())
    .bind(&c.topic)
    .bind(c.failed_turns as i64)
    .bind(c.handoff_reason.map(|r| r.as_str()))
    .bind(c.queued_at.map(ts))
    .bind(c.packet.as_ref().map(to_json))
    .bind(ts(c.updated_at))
    .bind(to_json(&c.mood))
    .bind(to_json(&c.policy_state))
    .bind(c.csat.as_ref().map(to_json))
    .bind(c.sla.as_ref().map(to_json))
    .bind(sla_due(c))
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound("conversation"));
    }
    for e in &turn.events {
        sqlx::query(
            "INSERT INTO events (tenant_id, conversation_id, kind, actor, reason, from_owner, to_owner, from_status, to_status, data, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )
        .bind(c.tenant.as_str())
        .bind(c.id.to_string())
        .bind(&e.kind)
        .bind(&e.actor)
        .bind(&e.reason)
        .bind(e.from_owner.as_ref().map(to_json))
        .bind(e.to_owner.as_ref().map(to_json))
        .bind(e.from_status.map(|s| s.as_str()))
        .bind(e.to_status.map(|s| s.as_str()))
        .bind(e.data.to_string())
        .bind(ts(e.at))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    for id in &turn.handled {
        // Only a message no turn has handled yet: a second turn for the same message (a
        // worker that took over while the first was still running) fails as a whole here,
        // so no message is ever answered twice.
        let done = sqlx::query(
            "UPDATE messages SET handled = 1 WHERE tenant_id = ?1 AND conversation_id = ?2 AND id = ?3 AND handled = 0",
        )
        .bind(c.tenant.as_str())
        .bind(c.id.to_string())
        .bind(id.to_string())
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("message already handled"));
        }
    }
    let mut stored = Vec::with_capacity(turn.messages.len());
    for m in &turn.messages {
        if m.tenant != c.tenant || m.conversation != c.id {
            return Err(StoreError::NotFound("conversation"));
        }
        stored.push(insert_message(conn, m).await?);
    }
    Ok(stored)
}
