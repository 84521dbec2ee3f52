//! Group commit for the hot writes — storing a customer message and applying a turn. Requests
//! from every conversation queue for one writer task, which applies as many as are waiting (up to
//! [`MAX_BATCH`]) in one transaction, each inside its own savepoint (a failing one is rolled back
//! alone and gets its error), and answers them all after the one commit: one journal sync for the
//! whole batch instead of one per write. Nothing is answered before it is durable.

use backstop_store::codec::*;
use backstop_store::*;

use crate::shared::turns;
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
                let r = in_savepoint(&mut tx, |c| Box::pin(async move { turns::append_in(c, &m).await })).await;
                done.push(Done::Append(Box::new(r), reply));
            }
            Job::Turn(t, reply) => {
                let r = in_savepoint(&mut tx, |c| Box::pin(async move { turns::apply_turn_in(c, &t).await })).await;
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
