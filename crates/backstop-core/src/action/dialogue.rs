//! An action in a conversation: what the AI remembers between turns while it gathers an action's
//! values, checks who the customer is and waits for their yes ([`PendingAction`], kept in the
//! conversation's policy state), what each step leaves in the event log ([`ActionEvent`]) and
//! what a person is handed when a rule or a failure stops the action ([`ProposedAction`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::rules::ActionJudgement;
use super::Effect;

/// A parameter is asked for at most this often (missing, then malformed) before a person helps.
pub const MAX_ASKS: u8 = 2;
/// Contact details that do not match the order are accepted this often, then a person takes over.
pub const MAX_CONTACT_TRIES: u8 = 2;

/// Where an action under way stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Gathering the parameters (`asking` names the one asked for).
    #[default]
    Values,
    /// Waiting for the e-mail or phone the order holds (an unverified customer).
    Contact,
    /// Waiting for the customer's yes or no to the summary.
    Confirm,
}

/// An action under way in a conversation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAction {
    pub action: String,
    #[serde(default)]
    pub stage: Stage,
    /// Raw values found so far, by parameter (checked again before every use).
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// The parameter the AI last asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asking: Option<String>,
    /// How often each parameter was asked for.
    #[serde(default)]
    pub asks: BTreeMap<String, u8>,
    /// The e-mail or phone the customer gave to show the order is theirs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(default)]
    pub contact_tries: u8,
    /// The summary the customer was asked to confirm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The confirmed change's idempotency key, made when the summary is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Replies to the summary that were neither yes nor no.
    #[serde(default)]
    pub unclear: u8,
    /// Values a generative model read from the conversation when it chose the action (its tool
    /// call's arguments): hints for slot filling, never used unless the customer wrote them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hints: BTreeMap<String, String>,
}

impl PendingAction {
    pub fn new(action: &str) -> PendingAction {
        PendingAction {
            action: action.to_string(),
            ..PendingAction::default()
        }
    }
}

/// What came of a call to the merchant, as the event log keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum CallResult {
    Done,
    /// The merchant said no (its error code, when it gave one; the status is the call's).
    Refused {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
    },
    /// No usable answer (timeout, server error, unexpected shape …).
    Failed {
        failure: String,
    },
}

/// One step of an action in a conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// The AI asked for a parameter (`problem`: why the value given was refused).
    Asked {
        parameter: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        problem: Option<String>,
    },
    /// The AI asked for the e-mail or phone on the order.
    Verify,
    /// The details given did not match (nothing of the order was said).
    NotVerified,
    /// The action is for signed-in customers and this one is not.
    SignInNeeded,
    /// The action rules' judgement before a change.
    Judged { judgement: ActionJudgement },
    /// The summary the customer was asked to confirm.
    Confirming { summary: String },
    /// The customer said no (or never said yes).
    Declined,
    /// The merchant was called.
    Called {
        #[serde(flatten)]
        result: CallResult,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        latency_ms: u32,
        attempts: u32,
    },
    /// The result belongs to someone else: withheld, told as "not found".
    Withheld,
}

/// An action's step in the conversation's events (`action`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionEvent {
    pub action: String,
    pub effect: Effect,
    /// The values it ran (or would run) with, personal ones masked.
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
    pub step: Step,
}

/// The action a person is handed: what the customer asked to have done and why the AI did not.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProposedAction {
    pub action: String,
    pub description: String,
    pub effect: Effect,
    /// The values found, as the customer gave them (the agent may run it for them).
    pub values: BTreeMap<String, String>,
    /// The summary the customer would confirm, in the conversation's language.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// The action rule that sent it to a person, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// What went wrong, when the call failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<CallResult>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_round_trip_as_tagged_objects() {
        let e = ActionEvent {
            action: "cancel_order".into(),
            effect: Effect::Change,
            parameters: BTreeMap::from([("order_number".into(), "MM-20261205-0002".into())]),
            step: Step::Called {
                result: CallResult::Refused {
                    code: Some("already_shipped".into()),
                },
                status: Some(409),
                latency_ms: 12,
                attempts: 1,
            },
        };
        let text = serde_json::to_string(&e).unwrap();
        assert!(
            text.contains(r#""step":"called""#) && text.contains(r#""result":"refused""#),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<ActionEvent>(&text).unwrap(), e);
        let p = PendingAction::new("lookup_order");
        let back: PendingAction = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
    }
}
