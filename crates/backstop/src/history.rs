//! Believable past conversations, generated: the demo's few weeks of history (so the reports are
//! alive on first start) and the analytics benchmark's million come from this one generator.
//!
//! Every conversation is played as the engine would have recorded it — the customer's and the
//! AI's messages, the AI's decision events, a hand-over with its reason, a person taking it and
//! answering, the resolution, sometimes the customer's confirmation or rating — along one of the
//! outcome paths, in proportions like an AI-first desk's (most resolved by the AI, some assisted,
//! a few by people alone, some abandoned), over the days with a working-hours rhythm. It is then
//! stored whole ([`Store::import_conversations`]); the rollups are folded from those events by the
//! engine's own code (`rebuild_analytics`), as for live conversations. Customers are named
//! "Demo customer …" with `@example.invalid` addresses and the tag `demo-history`: demo data,
//! never mistaken for a real customer.

use backstop_core::conversation::{Actor, Command, Conversation, Owner, Priority, Status};
use backstop_core::directory::Customer;
use backstop_core::event::{Event, EventData, EventKind};
use backstop_core::ids::{AgentId, ConversationId, CustomerId, MessageId, TeamId, TenantId};
use backstop_core::message::{Author, Lang, MessageKind, SystemCode, SystemNote};
use backstop_core::policy::{Policy, PolicyState};
use backstop_core::routing::{Decision, DecisionTrace, HandoffReason, ServiceTier, Signals, TeamRole};
use backstop_core::Timestamp;
use backstop_store::{ConversationRecord, ImportedConversation, NewMessage, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::Duration;

/// One tenant's part of a history.
#[derive(Clone, Debug)]
pub struct TenantPlan {
    pub tenant: TenantId,
    /// Teams a hand-over may go to (the first is the default).
    pub teams: Vec<TeamId>,
    /// People who answer, with their names.
    pub agents: Vec<(AgentId, String)>,
    pub topics: Vec<String>,
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct Plan {
    pub tenants: Vec<TenantPlan>,
    pub conversations: u64,
    /// Days back from `end` the history covers.
    pub days: u32,
    /// The last moment of the history.
    pub end: Timestamp,
    /// Channels to spread conversations over (the first most).
    pub channels: Vec<String>,
    pub seed: u64,
}

/// What was written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Generated {
    pub conversations: u64,
    pub messages: u64,
    pub events: u64,
}

/// Conversations written per transaction.
const BATCH: usize = 500;
/// Customers per tenant, at most (conversations share them).
const MAX_CUSTOMERS: u64 = 2000;

const EN_Q: &[&str] = &[
    "How long does delivery take?",
    "Where is my order?",
    "Can I return a jacket I bought last week?",
    "Do you ship to Canada?",
    "How do I change my delivery address?",
    "My discount code does not work",
    "When will my refund arrive?",
    "Is the thermos dishwasher safe?",
];
const ZH_Q: &[&str] = &[
    "多久能到货？",
    "我的订单到哪了？",
    "上周买的外套可以退吗？",
    "可以寄到加拿大吗？",
    "怎么修改收货地址？",
    "优惠码用不了",
    "退款什么时候到账？",
    "保温杯可以用洗碗机洗吗？",
];
const EN_A: &str = "Orders ship from our warehouse within two business days; tracking follows by e-mail.";
const ZH_A: &str = "订单会在两个工作日内从仓库发出，物流单号会通过邮件发送给您。";
const EN_P: &str = "Thanks for waiting — I've checked your order and it is on its way.";
const ZH_P: &str = "久等了，我查了您的订单，已经在路上了。";
const REASONS: &[(HandoffReason, u32)] = &[
    (HandoffReason::CustomerRequest, 35),
    (HandoffReason::NoAnswer, 20),
    (HandoffReason::Anger, 12),
    (HandoffReason::OutOfScope, 10),
    (HandoffReason::Vip, 6),
    (HandoffReason::Complaint, 5),
    (HandoffReason::Sensitive, 5),
    (HandoffReason::ActionFailed, 4),
    (HandoffReason::Guard, 3),
];

fn pick<T: Copy>(rng: &mut StdRng, weighted: &[(T, u32)]) -> T {
    let total: u32 = weighted.iter().map(|w| w.1).sum();
    let mut x = rng.gen_range(0..total);
    for (v, w) in weighted {
        if x < *w {
            return *v;
        }
        x -= w;
    }
    weighted[0].0
}

/// The outcome path a generated conversation takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    Ai,
    AiConfirmed,
    Assisted,
    Human,
    AbandonedClarify,
    AbandonedQueue,
}

/// One conversation being written: the state machine, its messages and events, the clock.
struct Play<'a> {
    rec: ConversationRecord,
    machine: Conversation,
    messages: Vec<NewMessage>,
    events: Vec<Event>,
    at: Timestamp,
    rng: &'a mut StdRng,
    base: &'a DecisionTrace,
    channel: &'a str,
}

impl Play<'_> {
    fn wait(&mut self, min_secs: i64, max_secs: i64) {
        self.at += Duration::seconds(self.rng.gen_range(min_secs..=max_secs));
    }

    fn message(&mut self, author: Author, body: &str, system: Option<SystemNote>) {
        self.wait(1, 4);
        self.messages.push(NewMessage {
            id: MessageId::new_at(self.at),
            tenant: self.rec.tenant.clone(),
            conversation: self.rec.id,
            author,
            kind: MessageKind::Text,
            body: body.into(),
            client_id: None,
            citations: vec![],
            system,
            handled: true,
            created_at: self.at,
        });
    }

    fn trace(&mut self, decision: Decision) -> EventData {
        let mut t = self.base.clone();
        t.decision = decision;
        t.signals.channel = self.channel.into();
        let angry = matches!(
            decision,
            Decision::Handoff {
                reason: HandoffReason::Anger | HandoffReason::Complaint,
                ..
            }
        );
        t.signals.emotion.anger = if angry {
            self.rng.gen_range(0.55..0.95)
        } else {
            self.rng.gen_range(0.0..0.3)
        };
        t.signals.emotion.satisfaction = self.rng.gen_range(0.0..0.7);
        if self.rng.gen_bool(0.1) {
            t.signals.emotion.frustration = self.rng.gen_range(0.5..0.8);
        }
        EventData::decision(&t, "")
    }

    fn customer(&mut self, question: &str) {
        self.message(Author::Customer, question, None);
    }

    fn ai(&mut self, kind: EventKind, decision: Decision, body: &str) {
        let data = self.trace(decision);
        self.message(Author::Ai, body, None);
        self.events.push(Event::note(kind, Actor::Ai, None, data, self.at));
    }

    fn command(&mut self, cmd: Command, data: EventData, reason: Option<String>) {
        if let Ok(t) = self.machine.apply(cmd) {
            self.machine = t.to;
            self.events.push(Event::transition(&t, reason, data, self.at));
        }
    }

    fn handoff(&mut self, team: TeamId, reason: HandoffReason, zh: bool) {
        let d = Decision::Handoff {
            reason,
            role: TeamRole::General,
            priority: Priority::Normal,
            tier: ServiceTier::L2,
        };
        let data = self.trace(d);
        let note = SystemNote {
            code: SystemCode::Handoff,
            team_name: None,
            agent_name: None,
        };
        self.message(
            Author::System,
            if zh {
                "已为您转接人工客服"
            } else {
                "Transferred to a person"
            },
            Some(note),
        );
        self.command(
            Command::Handoff {
                team,
                priority: Priority::Normal,
                reason,
            },
            data,
            Some(reason.as_str().into()),
        );
        self.rec.handoff_reason = Some(reason);
    }

    fn person(&mut self, agent: &(AgentId, String), zh: bool, replies: u32) {
        self.wait(20, 900);
        self.command(Command::Take { agent: agent.0 }, EventData::None, None);
        for i in 0..replies {
            if i > 0 {
                self.customer(if zh {
                    "好的，谢谢"
                } else {
                    "Thanks, one more thing"
                });
                self.wait(30, 300);
            }
            let author = Author::Agent {
                id: agent.0,
                name: agent.1.clone(),
            };
            self.message(author, if zh { ZH_P } else { EN_P }, None);
            let message = self
                .messages
                .last()
                .map(|m| m.id)
                .unwrap_or(MessageId(uuid::Uuid::nil()));
            self.events.push(Event::note(
                EventKind::AgentReply,
                Actor::Agent(agent.0),
                None,
                EventData::Reply { message },
                self.at,
            ));
        }
        self.wait(60, 600);
        self.command(
            Command::Resolve {
                actor: Actor::Agent(agent.0),
            },
            EventData::None,
            None,
        );
    }

    fn rate(&mut self, good: bool) {
        if !self.rng.gen_bool(0.3) {
            return;
        }
        let rating = if good {
            pick(self.rng, &[(5u8, 55), (4, 27), (3, 10), (2, 5), (1, 3)])
        } else {
            pick(self.rng, &[(5u8, 25), (4, 25), (3, 20), (2, 15), (1, 15)])
        };
        self.wait(5, 120);
        self.events.push(Event::note(
            EventKind::Csat,
            Actor::Customer,
            None,
            EventData::Csat { rating, comment: None },
            self.at,
        ));
    }
}

/// A moment in the history: recent days a little busier, weekdays busier than weekends, the
/// hours of the day in a working rhythm (UTC).
fn moment(rng: &mut StdRng, plan: &Plan) -> Timestamp {
    let days = plan.days.max(1) as f64;
    // More volume lately: a day's weight grows linearly by half across the period.
    let u: f64 = rng.gen();
    let back = days * (1.0 - ((1.0 + 3.0 * u).sqrt() - 1.0));
    let day_start = plan.end - Duration::seconds((back * 86_400.0) as i64);
    let date = day_start.date();
    let weekend = matches!(date.weekday(), time::Weekday::Saturday | time::Weekday::Sunday);
    let hours: [u32; 24] = [
        1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 10, 8, 9, 10, 10, 9, 8, 7, 8, 9, 7, 4, 2,
    ];
    let weighted: Vec<(u32, u32)> = hours
        .iter()
        .enumerate()
        .map(|(h, w)| (h as u32, if weekend { (w * 7).div_ceil(10) } else { *w }))
        .collect();
    let hour = pick(rng, &weighted);
    let at = date.midnight().assume_utc() + Duration::hours(hour.into()) + Duration::seconds(rng.gen_range(0..3600));
    at.min(plan.end - Duration::minutes(30))
}

/// Writes `plan`'s conversations into `store`; `progress` is told how many are written so far.
pub async fn generate(store: &dyn Store, plan: &Plan, progress: &(dyn Fn(u64) + Sync)) -> anyhow::Result<Generated> {
    anyhow::ensure!(!plan.tenants.is_empty(), "a history needs a tenant");
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let base = Policy::builtin().decide(&Signals::quiet(), &PolicyState::default());
    let per_tenant = (plan.conversations / plan.tenants.len() as u64).max(1);
    let mut customers: Vec<Vec<CustomerId>> = Vec::new();
    for tp in &plan.tenants {
        anyhow::ensure!(
            !tp.teams.is_empty() && !tp.agents.is_empty(),
            "tenant {} needs a team and an agent",
            tp.tenant
        );
        let n = per_tenant.div_ceil(4).clamp(1, MAX_CUSTOMERS);
        let mut ids = Vec::with_capacity(n as usize);
        for i in 0..n {
            let id = CustomerId::new_at(plan.end - Duration::days(plan.days.into()) - Duration::seconds(i as i64));
            let zh = i % 2 == 1;
            store
                .upsert_customer(&Customer {
                    id,
                    tenant: tp.tenant.clone(),
                    name: Some(format!("Demo customer {}", i + 1)),
                    email: Some(format!("demo-customer-{}@example.invalid", i + 1)),
                    email_verified: false,
                    tags: vec!["demo-history".into()],
                    lang: Some(if zh { Lang::Zh } else { Lang::En }),
                })
                .await?;
            ids.push(id);
        }
        customers.push(ids);
    }
    let mut out = Generated::default();
    let mut batch: Vec<ImportedConversation> = Vec::with_capacity(BATCH);
    for n in 0..plan.conversations {
        let ti = (n % plan.tenants.len() as u64) as usize;
        let tp = &plan.tenants[ti];
        let at = moment(&mut rng, plan);
        let zh = rng.gen_bool(0.45);
        let lang = if zh { Lang::Zh } else { Lang::En };
        let customer = customers[ti][rng.gen_range(0..customers[ti].len())];
        let channel = if plan.channels.len() > 1 && rng.gen_bool(0.3) {
            &plan.channels[rng.gen_range(1..plan.channels.len())]
        } else {
            &plan.channels[0]
        };
        let mut rec = ConversationRecord::new(ConversationId::new_at(at), tp.tenant.clone(), customer, lang, at);
        rec.topic = (!tp.topics.is_empty()).then(|| tp.topics[rng.gen_range(0..tp.topics.len())].clone());
        let path = pick(
            &mut rng,
            &[
                (Path::Ai, 46),
                (Path::AiConfirmed, 16),
                (Path::Assisted, 14),
                (Path::Human, 9),
                (Path::AbandonedClarify, 6),
                (Path::AbandonedQueue, 5),
            ],
        );
        let team = tp.teams[rng.gen_range(0..tp.teams.len())];
        let agent = tp.agents[rng.gen_range(0..tp.agents.len())].clone();
        let questions = if zh { ZH_Q } else { EN_Q };
        let mut p = Play {
            rec,
            machine: Conversation::new(),
            messages: vec![],
            events: vec![],
            at,
            rng: &mut rng,
            base: &base,
            channel,
        };
        let answer = if zh { ZH_A } else { EN_A };
        let q = questions[p.rng.gen_range(0..questions.len())];
        match path {
            Path::Ai | Path::AiConfirmed => {
                let turns = p.rng.gen_range(3..=7);
                for _ in 0..turns {
                    p.customer(q);
                    p.ai(EventKind::AiAnswer, Decision::Answer, answer);
                }
                p.customer(if zh { "好的，谢谢！" } else { "Great, thanks!" });
                p.ai(
                    EventKind::AiSmallTalk,
                    Decision::Answer,
                    if zh { "不客气！" } else { "You're welcome!" },
                );
                if path == Path::AiConfirmed {
                    p.wait(5, 60);
                    p.command(Command::Resolve { actor: Actor::Customer }, EventData::None, None);
                    p.rate(true);
                }
            }
            Path::Assisted => {
                p.customer(q);
                p.ai(EventKind::AiAnswer, Decision::Answer, answer);
                p.customer(if zh {
                    "还是不行，我要找人工"
                } else {
                    "That didn't help, I need a person"
                });
                let reason = pick(p.rng, REASONS);
                p.handoff(team, reason, zh);
                let replies = p.rng.gen_range(2..=4);
                p.person(&agent, zh, replies);
                p.rate(true);
            }
            Path::Human => {
                p.customer(if zh { "转人工" } else { "I want to talk to a person" });
                let reason = if p.rng.gen_bool(0.7) {
                    HandoffReason::CustomerRequest
                } else {
                    HandoffReason::Vip
                };
                p.handoff(team, reason, zh);
                let replies = p.rng.gen_range(3..=5);
                p.person(&agent, zh, replies);
                p.rate(false);
            }
            Path::AbandonedClarify => {
                p.customer(if zh { "那个东西" } else { "the thing" });
                p.ai(
                    EventKind::AiClarify,
                    Decision::Clarify,
                    if zh {
                        "能再说详细一点吗？"
                    } else {
                        "Could you tell me a bit more?"
                    },
                );
                p.customer(if zh { "算了" } else { "never mind" });
                p.ai(
                    EventKind::AiClarify,
                    Decision::Clarify,
                    if zh {
                        "您想了解哪方面？"
                    } else {
                        "What would you like to know?"
                    },
                );
            }
            Path::AbandonedQueue => {
                p.customer(q);
                p.ai(EventKind::AiAnswer, Decision::Answer, answer);
                p.customer(if zh {
                    "人工客服在吗"
                } else {
                    "Is anyone there? A person please"
                });
                p.handoff(team, HandoffReason::CustomerRequest, zh);
            }
        }
        // Resolved more than a day before the end: closed by the system a day later.
        let last = p.at;
        if p.machine.status == Status::Resolved && last < plan.end - Duration::days(1) {
            p.at = last + Duration::days(1);
            p.command(Command::Close { actor: Actor::System }, EventData::None, None);
        }
        let Play {
            mut rec,
            machine,
            messages,
            events,
            ..
        } = p;
        rec.owner = machine.owner;
        rec.status = machine.status;
        if let Owner::Queue { .. } = rec.owner {
            rec.queued_at = Some(at);
        }
        rec.updated_at = last;
        rec.last_message_at = messages.last().map(|m| m.created_at);
        out.conversations += 1;
        out.messages += messages.len() as u64;
        out.events += events.len() as u64;
        batch.push(ImportedConversation {
            record: rec,
            messages,
            events,
        });
        if batch.len() == BATCH {
            store.import_conversations(&batch).await?;
            batch.clear();
            progress(out.conversations);
        }
    }
    store.import_conversations(&batch).await?;
    progress(out.conversations);
    Ok(out)
}
