//! One actor per conversation: a task that owns every change to its conversation, so customer
//! turns and agent commands are applied in order, one at a time, with no lost updates.
//!
//! Actors are created on demand and stop after [`crate::EngineConfig::actor_idle`] without work.
//! The registry lock is held while an idle actor checks its mailbox and deregisters, so a job is
//! never sent to an actor that is about to stop.

use backstop_core::ids::{ConversationId, TenantId};
use tokio::sync::{mpsc, oneshot};

use crate::conversations::commands::{AgentAction, CommandOutcome};
use crate::{Engine, Result};

pub(crate) enum Job {
    /// Handle the conversation's unhandled customer messages.
    Kick,
    /// The same, for a work item taken from the cluster's queue: `done` is dropped when the turn
    /// is over, and the item is acknowledged then.
    Turn { done: oneshot::Sender<()> },
    /// Offer the conversation, if it waits in a queue, to an available agent.
    Assign,
    /// Its SLA clock may have run out: escalate if so.
    Sla,
    /// Nobody wrote for a while: run the idle automation rules.
    Idle,
    Command {
        /// Boxed: an action carries the agent's whole record.
        action: Box<AgentAction>,
        reply: oneshot::Sender<Result<CommandOutcome>>,
    },
}

impl Engine {
    /// Schedules the conversation's turn: on this node's actor, or — in a cluster — on whichever
    /// node takes it from the work queue.
    pub(crate) fn kick(&self, tenant: &TenantId, conv: ConversationId) {
        if !self.queue_turn(tenant, conv) {
            self.send(tenant, conv, Job::Kick);
        }
    }

    pub(crate) fn send_sla(&self, tenant: &TenantId, conv: ConversationId) {
        self.send(tenant, conv, Job::Sla);
    }

    pub(crate) fn send_idle(&self, tenant: &TenantId, conv: ConversationId) {
        self.send(tenant, conv, Job::Idle);
    }

    pub(crate) fn send_assign(&self, tenant: &TenantId, conv: ConversationId) {
        self.send(tenant, conv, Job::Assign);
    }

    /// Runs `action` on the conversation's actor and waits for its outcome.
    pub(crate) async fn run(
        &self,
        tenant: &TenantId,
        conv: ConversationId,
        action: AgentAction,
    ) -> Result<CommandOutcome> {
        let (tx, rx) = oneshot::channel();
        self.send(
            tenant,
            conv,
            Job::Command {
                action: Box::new(action),
                reply: tx,
            },
        );
        rx.await
            .map_err(|_| crate::EngineError::Internal("conversation actor stopped".into()))?
    }

    pub(crate) fn send(&self, tenant: &TenantId, conv: ConversationId, job: Job) {
        let mut actors = self.inner.actors.lock().expect("actor registry");
        let job = match actors.get(&conv) {
            Some(tx) => match tx.send(job) {
                Ok(()) => return,
                Err(mpsc::error::SendError(job)) => job,
            },
            None => job,
        };
        let (tx, rx) = mpsc::unbounded_channel();
        tx.send(job).ok();
        actors.insert(conv, tx);
        let engine = self.clone();
        let tenant = tenant.clone();
        tokio::spawn(async move { engine.actor_loop(tenant, conv, rx).await });
    }

    async fn actor_loop(self, tenant: TenantId, conv: ConversationId, mut rx: mpsc::UnboundedReceiver<Job>) {
        let idle = self.inner.config.actor_idle;
        loop {
            let job = match tokio::time::timeout(idle, rx.recv()).await {
                Ok(Some(job)) => job,
                Ok(None) => break,
                Err(_) => {
                    let mut actors = self.inner.actors.lock().expect("actor registry");
                    match rx.try_recv() {
                        Ok(job) => {
                            drop(actors);
                            job
                        }
                        Err(_) => {
                            actors.remove(&conv);
                            break;
                        }
                    }
                }
            };
            // In a cluster, one node at a time works on a conversation: hold it for this job.
            let _hold = match self.cluster() {
                Some(_) => match self.inner.store.lock_conversation(&tenant, conv).await {
                    Ok(hold) => Some(hold),
                    Err(e) => {
                        tracing::error!(tenant = %tenant, conversation = %conv, error = %e, "cannot hold the conversation; working on it anyway");
                        None
                    }
                },
                None => None,
            };
            match job {
                Job::Kick => {
                    if let Err(e) = self.ai_turn(&tenant, conv).await {
                        tracing::error!(tenant = %tenant, conversation = %conv, error = %e, "conversation turn failed");
                    }
                }
                Job::Turn { done } => {
                    if let Err(e) = self.ai_turn(&tenant, conv).await {
                        tracing::error!(tenant = %tenant, conversation = %conv, error = %e, "conversation turn failed");
                    }
                    drop(done);
                }
                Job::Assign => {
                    if let Err(e) = self.assign(&tenant, conv).await {
                        tracing::error!(tenant = %tenant, conversation = %conv, error = %e, "assignment failed");
                    }
                }
                Job::Sla => {
                    if let Err(e) = self.sla_breach(&tenant, conv).await {
                        tracing::error!(tenant = %tenant, conversation = %conv, error = %e, "SLA escalation failed");
                    }
                }
                Job::Idle => {
                    if let Err(e) = self.automate_idle(&tenant, conv).await {
                        tracing::error!(tenant = %tenant, conversation = %conv, error = %e, "idle automation failed");
                    }
                }
                Job::Command { action, reply } => {
                    let outcome = self.command(&tenant, conv, *action).await;
                    reply.send(outcome).ok();
                }
            }
        }
    }
}
