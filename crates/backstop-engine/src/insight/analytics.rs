//! Keeping the rollups current: each conversation whose log grew, or whose outcome has become
//! final, is folded again from its events (`backstop_core::outcome::Facts`) and its facts row
//! replaced, the store moving the rollups by the difference. A sweep runs every few seconds (and
//! when a test's clock jumps); `rebuild_analytics` clears a tenant's rollups and folds every
//! conversation again from the log, with the same code.

use std::sync::Arc;

use backstop_core::analytics::{Contribution, Costs};
use backstop_core::ids::{ConversationId, TenantId};
use backstop_core::outcome::{Facts, SettleRule};
use backstop_store::{FactsRow, RollupKey};

use futures::{StreamExt, TryStreamExt};

use crate::{Engine, Result};

/// How the rollups are kept: how often the sweep runs, the settlement window, the costs.
#[derive(Clone, Debug)]
pub struct AnalyticsSettings {
    pub every: std::time::Duration,
    pub settle: SettleRule,
    pub costs: Costs,
}

impl Default for AnalyticsSettings {
    fn default() -> Self {
        AnalyticsSettings {
            every: std::time::Duration::from_secs(2),
            settle: SettleRule::default(),
            costs: Costs::default(),
        }
    }
}

/// The sweep's place in the event log, shared by this node's sweeps (one at a time).
#[derive(Default)]
pub(crate) struct AnalyticsState {
    /// The newest event id folded by this node (None until the first sweep reads the store's).
    cursor: tokio::sync::Mutex<Option<i64>>,
    pub(crate) wake: tokio::sync::Notify,
}

/// Ids read again behind the cursor each sweep: on PostgreSQL an event id can commit after a
/// higher one, so the newest ids are looked at twice (a conversation already folded up to its
/// newest event is skipped).
const OVERLAP_IDS: i64 = 500;
/// Conversations made final per transaction.
const BATCH: u32 = 200;
/// Conversations read at once while folding a window.
const FOLD_READS: usize = 4;
/// Event ids read per window (a transaction of the conversations they belong to).
const WINDOW_IDS: i64 = 2000;

impl Engine {
    /// Starts the sweep that keeps the rollups current; abort the handle to stop it.
    pub fn spawn_analytics(&self) -> tokio::task::JoinHandle<()> {
        let engine = self.clone();
        tokio::spawn(async move {
            loop {
                let clock = engine.inner.config.clock.clone();
                let jumped = async {
                    match clock.jumped() {
                        Some(n) => n.notified().await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    _ = tokio::time::sleep(engine.inner.config.analytics.every) => {}
                    _ = jumped => {}
                    _ = engine.inner.analytics.wake.notified() => {}
                }
                if let Err(e) = engine.analytics_sweep().await {
                    tracing::error!(error = %e, "analytics sweep failed");
                }
            }
        })
    }

    /// Folds every conversation whose log grew since the last sweep and every one whose outcome
    /// has become final; returns how many facts rows were written.
    pub async fn analytics_sweep(&self) -> Result<usize> {
        let store = &self.inner.store;
        let mut cursor = self.inner.analytics.cursor.lock().await;
        let start = match *cursor {
            Some(c) => c,
            None => store.facts_cursor().await?,
        };
        let top = store.max_event_id().await?;
        let mut written = self
            .fold_events((start - OVERLAP_IDS).max(0), top, start, None, &|_| {})
            .await?;
        *cursor = Some(start.max(top));
        // Outcomes that became final since: nothing happened in them, so only the time moved.
        loop {
            let due = store.facts_due(self.now(), BATCH).await?;
            let mut rows = Vec::with_capacity(due.len());
            for (tenant, id) in &due {
                if let Some(row) = self.fold(tenant, *id).await? {
                    rows.push(row);
                }
            }
            written += rows.len();
            store.save_facts(&rows).await?;
            if due.len() < BATCH as usize {
                break;
            }
        }
        Ok(written)
    }

    /// Folds the conversations with events of ids in `(from, to]`, a window of ids at a time, one
    /// transaction each; a conversation already folded up to its newest event is skipped when
    /// that event is at or before `known`. Returns the rows written.
    async fn fold_events(
        &self,
        mut from: i64,
        to: i64,
        known: i64,
        tenant: Option<&TenantId>,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<usize> {
        let store = &self.inner.store;
        let mut written = 0;
        while from < to {
            let upto = (from + WINDOW_IDS).min(to);
            let changed = store.conversations_with_events_in(from, upto).await?;
            // The reads of several conversations at once (the store's readers are a pool); the
            // rows are kept in the window's order.
            type Fold<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Option<FactsRow>>> + Send + 'a>>;
            let reads: Vec<Fold<'_>> = changed
                .iter()
                .filter(|(t, _, _)| tenant.is_none_or(|want| want == t))
                .map(|(t, id, max_id)| Box::pin(self.fold_if_newer(t, *id, *max_id, known)) as Fold<'_>)
                .collect();
            let folded: Vec<Option<FactsRow>> = futures::stream::iter(reads).buffered(FOLD_READS).try_collect().await?;
            let rows: Vec<FactsRow> = folded.into_iter().flatten().collect();
            written += rows.len();
            store.save_facts(&rows).await?;
            progress(upto as u64);
            from = upto;
        }
        Ok(written)
    }

    /// [`Engine::fold`], unless the conversation is already folded up to `max_id` and that event
    /// is at or before `known`.
    async fn fold_if_newer(
        &self,
        tenant: &TenantId,
        id: ConversationId,
        max_id: i64,
        known: i64,
    ) -> Result<Option<FactsRow>> {
        if max_id <= known {
            let folded = self.inner.store.get_facts(tenant, id).await?.map(|f| f.last_event_id);
            if folded.is_some_and(|f| f >= max_id) {
                return Ok(None);
            }
        }
        self.fold(tenant, id).await
    }

    /// A conversation's facts row as of now, folded from its whole log.
    pub(crate) async fn fold(&self, tenant: &TenantId, id: ConversationId) -> Result<Option<FactsRow>> {
        let store = &self.inner.store;
        let Some(conv) = store.get_conversation(tenant, id).await? else {
            return Ok(None);
        };
        let events = store.list_events(tenant, id).await?;
        let Some(last_event_id) = events.last().map(|e| e.id) else {
            return Ok(None);
        };
        let facts = Facts::of(conv.created_at, events.iter().map(|e| &e.event));
        let settled = facts.settle(self.inner.config.analytics.settle, self.now());
        let messages = store.message_counts(tenant, id).await?;
        Ok(Some(FactsRow {
            tenant: tenant.clone(),
            conversation: id,
            key: RollupKey {
                hour: conv.created_at.unix_timestamp().div_euclid(3600),
                team: facts.team.map(|t| t.to_string()).unwrap_or_default(),
                channel: facts.channel.clone().unwrap_or_else(|| "web".into()),
                lang: conv.lang.as_str().into(),
                topic: conv.topic.clone().unwrap_or_default(),
            },
            outcome: settled.outcome,
            is_final: settled.is_final,
            final_at: settled.final_at,
            last_event_id,
            contribution: Contribution::of(&facts, &settled, messages),
        }))
    }

    /// Forgets a tenant's rollups (or every tenant's) and folds every conversation again from its
    /// events; `progress` is told the newest event id folded so far, of [`Engine::max_event_id`].
    /// Returns the facts rows written.
    pub async fn rebuild_analytics(
        &self,
        tenant: Option<&TenantId>,
        progress: Arc<dyn Fn(u64) + Send + Sync>,
    ) -> Result<usize> {
        let store = &self.inner.store;
        // One sweep at a time: the live sweep waits while the rollups are rebuilt.
        let mut cursor = self.inner.analytics.cursor.lock().await;
        store.clear_analytics(tenant).await?;
        let top = store.max_event_id().await?;
        let written = self.fold_events(0, top, 0, tenant, progress.as_ref()).await?;
        store.refresh_analytics_statistics().await?;
        *cursor = Some(cursor.map_or(top, |c| c.max(top)));
        Ok(written)
    }

    /// The newest event's id: how far a rebuild goes.
    pub async fn max_event_id(&self) -> Result<i64> {
        Ok(self.inner.store.max_event_id().await?)
    }
}
