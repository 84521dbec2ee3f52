//! The tenant's generative model choosing the action a turn asks for, by tool calling: the
//! actions the AI may run are offered as tools (their description and a plain JSON Schema of
//! their parameters), with the last few turns; the tool it calls is the turn's action, and its
//! arguments are only hints for slot filling (taken when the customer wrote them). It answers
//! `NONE`, or any text, when no action fits. It is asked only when the rules found no action, and
//! offered only the actions the turn shows a request for (`choose::admits`) — none, and it is not
//! asked —; its call is not taken when it fails (an error, another language, the budget spent, a
//! name that is none of those offered). So the model can only add an action the rules missed — never change how one runs:
//! slots, the schema, identity, the action rules and the customer's yes all follow as without it.

use std::collections::BTreeMap;
use std::time::Instant;

use backstop_core::action::Action;
use backstop_core::generation::{ActionPick, PickedBy};
use backstop_core::message::Author;
use backstop_llm::{ChatRequest, Message, Tool, ToolChoice};
use backstop_nlp::prompt;
use backstop_store::ConversationRecord;

use crate::conversations::assess::{customer_code, Understanding};
use crate::{Engine, Result};

/// Earlier turns the model reads besides the latest message.
const HISTORY: usize = 6;
/// A turn is clipped to this many characters for the model.
const TURN_CHARS: usize = 500;
/// A hint longer than this is no value.
const HINT_CHARS: usize = 200;

/// What the model's choice came to.
#[derive(Debug)]
pub(crate) struct Pick {
    /// The action the turn runs (the model's; none when it chose none or its choice is not used).
    pub action: Option<String>,
    /// The model's arguments, by parameter, for slot filling.
    pub hints: BTreeMap<String, String>,
    pub record: ActionPick,
}

fn clip(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

/// The actions as tools.
pub(crate) fn tools(actions: &[&Action]) -> Vec<Tool> {
    actions
        .iter()
        .map(|a| Tool {
            name: a.name().to_string(),
            description: a.spec.description.clone(),
            parameters: a.schema.for_model(),
        })
        .collect()
}

/// The arguments the model gave for `a`, as raw values for slot filling: only `a`'s parameters,
/// scalars only, each short and on one line.
pub(crate) fn hints(a: &Action, arguments: &serde_json::Map<String, serde_json::Value>) -> BTreeMap<String, String> {
    arguments
        .iter()
        .filter(|(k, _)| a.schema.get(k).is_some())
        .filter_map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s.trim().to_string(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            let ok = !text.is_empty() && text.chars().count() <= HINT_CHARS && !text.chars().any(char::is_control);
            ok.then(|| (k.clone(), text))
        })
        .collect()
}

impl Engine {
    /// Asks the tenant's model which of `actions` (those the turn shows a request for) it asks
    /// for ([`Pick`]); `None` when the tenant has no model on.
    pub(crate) async fn model_pick(
        &self,
        conv: &ConversationRecord,
        u: &Understanding,
        actions: &[&Action],
    ) -> Result<Option<Pick>> {
        let Some(model) = self.tenant_model(&conv.tenant).await? else {
            return Ok(None);
        };
        let s = &model.settings;
        let mut record = ActionPick {
            model: model.answers.model().to_string(),
            called: None,
            arguments: Vec::new(),
            used: PickedBy::Rules,
            problem: None,
            total_ms: 0,
            prompt_tokens: 0,
            completion_tokens: 0,
        };
        let by_rules = |record: ActionPick, problem: &str| {
            Ok(Some(Pick {
                action: None,
                hints: BTreeMap::new(),
                record: ActionPick {
                    problem: Some(problem.to_string()),
                    ..record
                },
            }))
        };
        let history = self.recent_messages(&conv.tenant, conv.id, 30).await?;
        let said: Vec<&str> = history
            .iter()
            .filter(|m| m.author == Author::Customer && m.handled)
            .map(|m| m.body.as_str())
            .collect();
        if !s.serves(&customer_code(&u.text, &said, u.lang), None) {
            return by_rules(record, "language");
        }
        if !self.model_budget_left(&conv.tenant, s).await? {
            return by_rules(record, "budget");
        }

        let mut messages = vec![Message::system(prompt::tools::choose(&s.persona))];
        let earlier: Vec<Message> = history
            .iter()
            .filter(|m| m.handled || m.author != Author::Customer)
            .filter(|m| matches!(m.author, Author::Customer | Author::Ai) && m.system.is_none())
            .map(|m| match m.author {
                Author::Customer => Message::user(clip(&m.body, TURN_CHARS)),
                _ => Message::assistant(clip(&m.body, TURN_CHARS)),
            })
            .collect();
        messages.extend(earlier[earlier.len().saturating_sub(HISTORY)..].iter().cloned());
        messages.push(Message::user(clip(&u.text, TURN_CHARS * 4)));
        let mut request = ChatRequest::new(messages);
        request.temperature = 0.0;
        request.max_tokens = 160;
        request.tools = tools(actions);
        request.tool_choice = ToolChoice::Auto;
        let started = Instant::now();
        let done = model.answers.chat(&request, None).await;
        record.total_ms = started.elapsed().as_millis().min(u128::from(u32::MAX)) as u32;
        let done = match done {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(tenant = %conv.tenant, conversation = %conv.id, error = %e, "the model did not choose an action; the rules do");
                return by_rules(record, e.code());
            }
        };
        self.count_tokens(&conv.tenant, model.answers.model(), &done.usage)
            .await;
        record.prompt_tokens = done.usage.prompt_tokens;
        record.completion_tokens = done.usage.completion_tokens;
        let Some(call) = done.tool_calls.first() else {
            // It answered in words: no action fits.
            record.used = PickedBy::Model;
            return Ok(Some(Pick {
                action: None,
                hints: BTreeMap::new(),
                record,
            }));
        };
        record.called = Some(clip(&call.name, 64));
        let Some(action) = actions.iter().find(|a| a.name() == call.name) else {
            tracing::info!(tenant = %conv.tenant, conversation = %conv.id, tool = %clip(&call.name, 64), "the model called no action of the turn's; the rules choose");
            return by_rules(record, "unknown_tool");
        };
        record.used = PickedBy::Model;
        let hints = match call.arguments_object() {
            Ok(args) => {
                record.arguments = args.keys().map(|k| clip(k, 40)).collect();
                hints(action, &args)
            }
            Err(_) => {
                record.problem = Some("bad_arguments".into());
                BTreeMap::new()
            }
        };
        Ok(Some(Pick {
            action: Some(action.name().to_string()),
            hints,
            record,
        }))
    }
}
