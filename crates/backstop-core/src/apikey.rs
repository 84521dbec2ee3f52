//! API keys: what a tenant's own systems use instead of a person's session. A key is a random
//! token shown once (`bsk_` and 48 hex digits), stored only as its SHA-256, and holds **scopes**:
//! each scope reaches a part of the API, and a key can never do more than the admin who made it.
//! No scope reaches the keys themselves or the sign-in routes, so a key cannot make another key.

use serde::{Deserialize, Serialize};

use crate::permission::Permission;
use crate::{FieldError, Fields};

/// What every key token starts with (so a key pasted where a session belongs is recognised).
pub const TOKEN_PREFIX: &str = "bsk_";

/// A part of the API a key may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Read and work conversations: list, read, reply, transfer, resolve, notes; the floor.
    Conversations,
    /// The knowledge base: articles, topics, candidates, intents, gaps.
    Knowledge,
    /// The reports and their exports.
    Reports,
    /// Settings: teams, agents, the widget, the policy, the model, actions.
    Settings,
}

impl Scope {
    pub const ALL: &'static [Scope] = &[Scope::Conversations, Scope::Knowledge, Scope::Reports, Scope::Settings];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Conversations => "conversations",
            Scope::Knowledge => "knowledge",
            Scope::Reports => "reports",
            Scope::Settings => "settings",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|x| x.as_str() == s)
    }

    /// Does a key with this scope carry `p` (its owner's role must hold it too)?
    pub fn grants(self, p: Permission) -> bool {
        matches!(
            (self, p),
            (Scope::Conversations, Permission::Supervise)
                | (Scope::Knowledge, Permission::TrainAi)
                | (Scope::Reports, Permission::ReadReports)
                | (Scope::Settings, Permission::ManageAccounts | Permission::EditPolicy)
        )
    }
}

/// What an admin asks for when making a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRequest {
    pub name: String,
    pub scopes: Vec<Scope>,
}

impl KeyRequest {
    pub const MAX_NAME: usize = 80;

    /// Trims the name, sorts and de-duplicates the scopes, and checks both.
    pub fn normalized(mut self) -> Result<Self, Vec<FieldError>> {
        self.name = self.name.trim().to_owned();
        self.scopes.sort();
        self.scopes.dedup();
        let mut f = Fields::default();
        f.text("name", &self.name, Self::MAX_NAME);
        if self.scopes.is_empty() {
            f.bad("scopes", "choose at least one scope");
        }
        f.done()?;
        Ok(self)
    }
}

/// Could `token` be a key (rather than a session token)?
pub fn is_key(token: &str) -> bool {
    token.len() == TOKEN_PREFIX.len() + 48
        && token.starts_with(TOKEN_PREFIX)
        && token[TOKEN_PREFIX.len()..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// The part of a key that may be shown again (in the list of keys): the prefix and 8 digits.
pub fn shown_part(token: &str) -> String {
    token.chars().take(TOKEN_PREFIX.len() + 8).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scope_carries_only_its_permissions() {
        let granted = |s: Scope| -> Vec<&str> {
            Permission::ALL
                .iter()
                .filter(|p| s.grants(**p))
                .map(|p| p.as_str())
                .collect()
        };
        assert_eq!(granted(Scope::Conversations), ["supervise"]);
        assert_eq!(granted(Scope::Knowledge), ["train_ai"]);
        assert_eq!(granted(Scope::Reports), ["read_reports"]);
        assert_eq!(granted(Scope::Settings), ["edit_policy", "manage_accounts"]);
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Scope::parse("admin"), None);
    }

    #[test]
    fn a_request_needs_a_name_and_a_scope() {
        let r = KeyRequest {
            name: "  Shop backend ".into(),
            scopes: vec![Scope::Reports, Scope::Knowledge, Scope::Reports],
        }
        .normalized()
        .unwrap();
        assert_eq!(
            (r.name.as_str(), r.scopes),
            ("Shop backend", vec![Scope::Knowledge, Scope::Reports])
        );
        let e = KeyRequest {
            name: " ".into(),
            scopes: vec![],
        }
        .normalized()
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "scopes"]);
    }

    #[test]
    fn keys_are_told_from_session_tokens() {
        let key = format!("bsk_{}", "0a".repeat(24));
        assert!(is_key(&key));
        assert_eq!(shown_part(&key), "bsk_0a0a0a0a");
        assert!(!is_key("bsk_short") && !is_key(&"0a".repeat(26)));
        assert!(!is_key(&format!("bsk_{}", "zz".repeat(24))));
    }
}
