//! The hand-over service level, live: the clock starts at the AI's hand-over (or the hand-over
//! becomes an offline ticket at once — outside the team's hours, or with nobody of the team
//! online), the first human reply stops it, and a sweep escalates every clock that runs out.
//!
//! The sweep wakes at the soonest deadline set since it last ran (so an alert comes within
//! milliseconds of it), at least every `EngineConfig::sla_sweep`, and at once when a test's clock
//! jumps; it reads the due deadlines from the store, so a restart loses nothing; each breach runs on the conversation's
//! actor: the breach is recorded, the priority raised, the conversation taken back from an agent
//! who had not answered, the supervisors alerted, and the next way to reach a person tried
//! (`backstop_core::sla::Fallback`). When nobody can be reached it becomes a ticket with a
//! promised reply time, so a handed-off conversation is never a silent dead end.

use std::collections::HashMap;
use std::sync::Arc;

use backstop_core::assignment::{Presence, Strategy};
use backstop_core::conversation::Actor;
use backstop_core::conversation::{Command, Owner, Priority, Status};
use backstop_core::directory::{Agent, Team};
use backstop_core::event::{Event, EventData, EventKind};
use backstop_core::ids::{ConversationId, TenantId};
use backstop_core::message::{SystemCode, SystemNote};
use backstop_core::sla::{Fallback, SlaClock, Ticket, TicketReason};
use backstop_core::Timestamp;
use backstop_nlp::replies;
use backstop_store::{ConversationRecord, NewMessage, Turn};

use crate::conversations::assign::Route;
use crate::model::SlaAlert;
use crate::{Engine, Result};

/// A conversation sent for escalation is sent again only if still due after this long (its actor
/// failed or is far behind).
const RESEND: std::time::Duration = std::time::Duration::from_secs(10);
/// How often conversations are looked at for the idle automation rules.
const IDLE_SWEEP: std::time::Duration = std::time::Duration::from_secs(30);

impl Engine {
    /// Starts the sweep that escalates missed first-reply targets (and runs the idle automation
    /// rules); abort the handle to stop it.
    pub fn spawn_sla_sweeper(&self) -> tokio::task::JoinHandle<()> {
        let engine = self.clone();
        tokio::spawn(async move {
            let every = engine.inner.config.sla_sweep;
            // Conversations sent to their actor and not yet escalated: not sent again for a while.
            let mut in_flight: HashMap<ConversationId, std::time::Instant> = HashMap::new();
            let mut last_idle = std::time::Instant::now();
            loop {
                let clock = engine.inner.config.clock.clone();
                let jumped = async {
                    match clock.jumped() {
                        Some(n) => n.notified().await,
                        None => std::future::pending().await,
                    }
                };
                // The soonest deadline: one set since the last sweep, or the store's.
                let hinted = *engine.inner.sla_next.lock().unwrap_or_else(|p| p.into_inner());
                let stored = engine.inner.store.next_sla_due().await.unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "reading the next SLA deadline failed");
                    None
                });
                let next = match (hinted, stored) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                // A deadline already passed is being escalated on its actor: look again shortly,
                // not in a busy loop.
                let nap = next.map_or(every, |d| {
                    std::time::Duration::try_from(d - clock.now())
                        .unwrap_or_default()
                        .max(std::time::Duration::from_millis(20))
                        .min(every)
                });
                let jumped = tokio::select! {
                    _ = tokio::time::sleep(nap) => false,
                    _ = jumped => true,
                    _ = engine.inner.sla_wake.notified() => continue,
                };
                // The idle automation rules ride on the same loop, every IDLE_SWEEP or when a
                // test's clock jumps.
                if jumped || last_idle.elapsed() >= IDLE_SWEEP {
                    last_idle = std::time::Instant::now();
                    if let Err(e) = engine.idle_sweep().await {
                        tracing::error!(error = %e, "idle sweep failed");
                    }
                }
                // Deadlines already passed are in the store; later ones re-arm below or on the tick.
                {
                    let mut n = engine.inner.sla_next.lock().unwrap_or_else(|p| p.into_inner());
                    if n.is_some_and(|d| d <= clock.now()) {
                        *n = None;
                    }
                }
                if let Err(e) = engine.sweep(&mut in_flight).await {
                    tracing::error!(error = %e, "SLA sweep failed");
                }
            }
        })
    }

    /// Tells the sweep about a deadline just set, so it wakes then rather than at its next tick.
    pub(crate) fn sla_deadline(&self, clock: &SlaClock) {
        let Some(due) = clock.due_at.filter(|_| clock.first_reply_at.is_none()) else {
            return;
        };
        let mut next = self.inner.sla_next.lock().unwrap_or_else(|p| p.into_inner());
        if next.is_none_or(|n| due < n) {
            *next = Some(due);
            self.inner.sla_wake.notify_one();
        }
    }

    /// Sends every conversation whose clock is due to its actor, except those sent less than
    /// [`RESEND`] ago and still being escalated; returns how many were sent.
    async fn sweep(&self, in_flight: &mut HashMap<ConversationId, std::time::Instant>) -> Result<usize> {
        let due = self.inner.store.sla_due(self.now(), 500).await?;
        in_flight.retain(|id, at| at.elapsed() < RESEND && due.iter().any(|(_, d)| d == id));
        let mut sent = 0;
        for (tenant, id) in &due {
            if let std::collections::hash_map::Entry::Vacant(e) = in_flight.entry(*id) {
                e.insert(std::time::Instant::now());
                self.send_sla(tenant, *id);
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// Whether an agent of the tenant who passes `which` is online (not away) to answer now.
    async fn anyone_online(&self, tenant: &TenantId, which: impl Fn(&Agent) -> bool) -> Result<bool> {
        Ok(self
            .inner
            .store
            .list_agents(tenant)
            .await?
            .iter()
            .any(|a| a.active && which(a) && self.inner.presence.presence(a.id) == Presence::Online))
    }

    /// The event recording that a hand-over became a ticket.
    pub(crate) fn ticket_event(team: &Team, ticket: Ticket, at: Timestamp) -> Event {
        Event::note(
            EventKind::Ticket,
            Actor::System,
            Some(format!(
                "{}: reply promised by {}",
                ticket.reason.as_str(),
                team.hours.local_label(ticket.promised_by)
            )),
            EventData::Ticket { ticket },
            at,
        )
    }

    /// Starts the clock of a hand-over to `team`; returns the ticket when nobody can answer now.
    pub(crate) async fn start_sla(
        &self,
        conv: &mut ConversationRecord,
        team: &Team,
        vip: bool,
        at: Timestamp,
    ) -> Result<Option<Ticket>> {
        let mut clock = SlaClock::start(team.id, &team.sla, vip, at);
        let reason = if !team.hours.is_open(at) {
            Some(TicketReason::OutsideHours)
        } else if !self
            .anyone_online(&conv.tenant, |a| a.team_ids.contains(&team.id))
            .await?
        {
            Some(TicketReason::NobodyAvailable)
        } else {
            None
        };
        if let Some(reason) = reason {
            clock.make_ticket(reason, team.sla.promise(&team.hours, at));
        }
        let ticket = clock.ticket;
        self.sla_deadline(&clock);
        conv.sla = Some(clock);
        Ok(ticket)
    }

    /// The customer's notice for a ticket: who will answer and by when (the team's local time).
    pub(crate) fn ticket_notice(conv: &ConversationRecord, team: &Team, ticket: Ticket, at: Timestamp) -> NewMessage {
        let name = team.display_name(conv.lang).to_string();
        let by = format!(
            "{} ({})",
            team.hours.local_label(ticket.promised_by),
            team.hours.timezone()
        );
        let body = match ticket.reason {
            TicketReason::OutsideHours => replies::ticket_closed(conv.lang, &name, &by),
            TicketReason::NobodyAvailable => replies::ticket_busy(conv.lang, &name, &by),
        };
        let note = SystemNote {
            code: SystemCode::Ticket,
            team_name: Some(name),
            agent_name: None,
        };
        NewMessage::system(conv, note, body, at)
    }

    /// One missed deadline, on the conversation's actor.
    pub(crate) async fn sla_breach(&self, tenant: &TenantId, id: ConversationId) -> Result<()> {
        let store = &self.inner.store;
        let at = self.now();
        let mut conv = self.conversation(tenant, id).await?;
        let Some(mut clock) = conv.sla.clone().filter(|c| c.is_due(at)) else {
            return Ok(());
        };
        let teams = store.list_teams(tenant).await?;
        let waiting = conv.status == Status::Open && conv.owner != Owner::Ai;
        let team = teams.iter().find(|t| t.id == clock.team).cloned();
        let (Some(team), true) = (team, waiting) else {
            // Nobody waits for a person any more (or the team is gone): stop watching.
            clock.stop();
            conv.sla = Some(clock);
            return self.save(conv, vec![], vec![]).await;
        };
        let (priority, silent) = match conv.owner {
            Owner::Queue { priority, .. } => (priority, None),
            Owner::Agent { agent } => (
                conv.packet.as_ref().map_or(Priority::Normal, |p| p.priority),
                Some(agent),
            ),
            Owner::Ai => (Priority::Normal, None),
        };
        let breach = clock.breach(at, priority);
        let mut events = vec![Event::note(
            EventKind::SlaBreach,
            Actor::System,
            Some(format!(
                "no human reply within {} s (breach {}, waited {} s)",
                clock.target_secs, breach.number, breach.waited_secs
            )),
            EventData::SlaBreach {
                breach,
                target_secs: clock.target_secs,
                team: team.id,
            },
            at,
        )];
        if breach.next != Fallback::Alert {
            // Back to the queue (from an agent who had not answered) one priority higher.
            let t = Self::machine(&conv).apply(Command::Escalate {
                team: team.id,
                priority: breach.priority,
            })?;
            conv.owner = t.to.owner;
            conv.queued_at = conv.queued_at.or(Some(clock.started_at));
            if let Some(p) = conv.packet.as_mut() {
                p.priority = breach.priority;
            }
            events.push(Event::transition(
                &t,
                Some("first-reply target missed".into()),
                EventData::None,
                at,
            ));
        }
        self.sla_deadline(&clock);
        conv.sla = Some(clock.clone());
        conv.updated_at = at;
        self.save(conv, events, vec![]).await?;
        tracing::warn!(%tenant, conversation = %id, breach = breach.number, waited = breach.waited_secs, "SLA breached");

        // The next way to reach a person.
        let route = match breach.next {
            Fallback::Team { strategy } => Some(Route {
                strategy: Some(strategy),
                any_team: false,
                exclude: silent,
            }),
            Fallback::AnyTeam => Some(Route {
                strategy: Some(Strategy::LeastLoaded),
                any_team: true,
                exclude: silent,
            }),
            Fallback::Ticket | Fallback::Alert => None,
        };
        let assigned = match route {
            Some(r) => self.assign_by(tenant, id, r).await?,
            None => None,
        };
        let assigned_to = match assigned {
            Some(a) => store.get_agent(tenant, a).await?.map(|a| a.name),
            None => None,
        };
        let mut ticket = clock.ticket;
        if assigned.is_none() && ticket.is_none() {
            let nobody = !self.anyone_online(tenant, |a| Some(a.id) != silent).await?;
            if breach.next == Fallback::Ticket || nobody {
                ticket = Some(self.make_ticket(tenant, id, &team).await?);
            }
        }
        let alert = SlaAlert {
            conversation: id,
            team: team.id,
            team_name: team.name.clone(),
            breach,
            target_secs: clock.target_secs,
            assigned_to,
            ticket,
            at,
        };
        self.inner.hub.publish_alert(tenant, Arc::new(alert));
        self.refresh_queue(tenant, team.id).await?;
        Ok(())
    }

    /// Nobody could be reached: the queued conversation becomes a ticket with a promised time.
    async fn make_ticket(&self, tenant: &TenantId, id: ConversationId, team: &Team) -> Result<Ticket> {
        let at = self.now();
        let mut conv = self.conversation(tenant, id).await?;
        let promised_by = team.sla.promise(&team.hours, at);
        let reason = if team.hours.is_open(at) {
            TicketReason::NobodyAvailable
        } else {
            TicketReason::OutsideHours
        };
        let clock = conv
            .sla
            .get_or_insert_with(|| SlaClock::start(team.id, &team.sla, false, at));
        clock.make_ticket(reason, promised_by);
        let ticket = Ticket { reason, promised_by };
        let event = Self::ticket_event(team, ticket, at);
        let notice = Self::ticket_notice(&conv, team, ticket, at);
        conv.updated_at = at;
        self.save(conv, vec![event], vec![notice]).await?;
        Ok(ticket)
    }

    /// Stores a change made here and announces it.
    async fn save(&self, conv: ConversationRecord, events: Vec<Event>, messages: Vec<NewMessage>) -> Result<()> {
        let turn = Turn {
            conversation: conv,
            events,
            messages,
            handled: vec![],
        };
        let stored = self.apply_turn(&turn).await?;
        for m in &stored {
            self.inner.hub.publish_message(m);
        }
        let view = self.view_of(turn.conversation).await?;
        self.inner.hub.publish_conversation(view);
        Ok(())
    }

    /// Open conversations whose hand-over clock ran out at least once, most breaches first: the
    /// supervisor's alert list.
    pub async fn sla_alerts(&self, tenant: &TenantId) -> Result<Vec<crate::model::ConversationView>> {
        let open = self
            .inner
            .store
            .list_conversations(
                tenant,
                &backstop_store::ConversationFilter {
                    statuses: vec![Status::Open],
                    limit: 1000,
                    ..Default::default()
                },
            )
            .await?;
        let mut late: Vec<ConversationRecord> = open
            .into_iter()
            .filter(|c| {
                c.owner != Owner::Ai
                    && c.sla
                        .as_ref()
                        .is_some_and(|s| s.breaches > 0 && s.first_reply_at.is_none())
            })
            .collect();
        late.sort_by_key(|c| std::cmp::Reverse(c.sla.as_ref().map_or(0, |s| s.breaches)));
        let mut views = Vec::with_capacity(late.len());
        for c in late {
            views.push(self.view_of(c).await?);
        }
        Ok(views)
    }
}
