//! What connecting a channel takes: the business account, a name, and the secrets each provider
//! hands out — checked field by field, so the admin page shows each problem beside its field.

use std::collections::BTreeMap;

use super::Channel;
use crate::{FieldError, Fields};

/// The secrets a channel needs, by the name the settings use, with what each is for.
pub fn required_secrets(channel: Channel) -> &'static [&'static str] {
    match channel {
        // The token that sends, the app secret that signs the webhook, and the verify token
        // typed into the provider's dashboard.
        Channel::WhatsApp | Channel::Messenger | Channel::Instagram => &["access_token", "app_secret", "verify_token"],
        // The bot's token (sends) and the webhook's secret token (Backstop makes one if none is
        // given).
        Channel::Telegram => &["bot_token"],
        Channel::Web | Channel::Email | Channel::Api => &[],
    }
}

/// Secrets a channel may hold besides the required ones.
fn optional_secrets(channel: Channel) -> &'static [&'static str] {
    match channel {
        Channel::Telegram => &["webhook_secret"],
        _ => &[],
    }
}

/// A connection as an admin submits it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionDraft {
    pub channel: Channel,
    /// The provider's id of the business account: the WhatsApp phone number id, the Page or
    /// Instagram account id, the bot's user name.
    pub account: String,
    pub name: String,
    pub secrets: BTreeMap<String, String>,
}

impl ConnectionDraft {
    /// The draft tidied (trimmed; a Telegram bot's name without its `@`), or every problem.
    /// `keeping`: the secrets already stored, which a missing one falls back to.
    pub fn normalized(mut self, keeping: &BTreeMap<String, String>) -> Result<Self, Vec<FieldError>> {
        let mut errors = Fields::default();
        if !matches!(
            self.channel,
            Channel::WhatsApp | Channel::Messenger | Channel::Instagram | Channel::Telegram
        ) {
            errors.bad(
                "channel",
                "connect WhatsApp, Messenger, Instagram or Telegram here; the widget and the API channel need no connection",
            );
        }
        self.account = self.account.trim().trim_start_matches('@').to_owned();
        let account_ok = !self.account.is_empty()
            && self.account.len() <= 128
            && self
                .account
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c));
        if !account_ok {
            errors.bad(
                "account",
                match self.channel {
                    Channel::WhatsApp => "the phone number id from WhatsApp Manager (digits)",
                    Channel::Telegram => "the bot's user name, e.g. maple_market_bot",
                    _ => "the Page or Instagram account id (digits)",
                },
            );
        } else if matches!(
            self.channel,
            Channel::WhatsApp | Channel::Messenger | Channel::Instagram
        ) && !self.account.chars().all(|c| c.is_ascii_digit())
        {
            errors.bad("account", "Meta's account ids are digits only");
        }
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() {
            self.name = format!("{} {}", self.channel, self.account);
        }
        if self.name.chars().count() > 80 {
            errors.bad("name", "at most 80 characters");
        }
        let allowed: Vec<&str> = required_secrets(self.channel)
            .iter()
            .chain(optional_secrets(self.channel))
            .copied()
            .collect();
        let mut secrets = BTreeMap::new();
        for (key, value) in std::mem::take(&mut self.secrets) {
            let value = value.trim().to_owned();
            if !allowed.contains(&key.as_str()) {
                errors.bad(format!("secrets.{key}"), "not a secret of this channel");
            } else if value.len() > 2048 || value.chars().any(char::is_control) {
                errors.bad(format!("secrets.{key}"), "at most 2,048 characters, on one line");
            } else if !value.is_empty() {
                secrets.insert(key, value);
            }
        }
        for key in required_secrets(self.channel) {
            if !secrets.contains_key(*key) {
                match keeping.get(*key) {
                    Some(kept) => {
                        secrets.insert((*key).to_owned(), kept.clone());
                    }
                    None => errors.bad(format!("secrets.{key}"), "is required"),
                }
            }
        }
        for key in optional_secrets(self.channel) {
            if !secrets.contains_key(*key) {
                if let Some(kept) = keeping.get(*key) {
                    secrets.insert((*key).to_owned(), kept.clone());
                }
            }
        }
        if let Some(s) = secrets.get("webhook_secret") {
            // Telegram takes 1–256 of A–Z, a–z, 0–9, `_` and `-`.
            if s.len() > 256 || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                errors.bad(
                    "secrets.webhook_secret",
                    "1–256 letters, digits, _ or - (Telegram's rule)",
                );
            }
        }
        self.secrets = secrets;
        errors.done().map(|()| self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(channel: Channel, account: &str, secrets: &[(&str, &str)]) -> ConnectionDraft {
        ConnectionDraft {
            channel,
            account: account.into(),
            name: String::new(),
            secrets: secrets.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    fn fields(r: Result<ConnectionDraft, Vec<FieldError>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_whatsapp_connection_needs_its_three_secrets() {
        let none = BTreeMap::new();
        let ok = draft(
            Channel::WhatsApp,
            " 106540352242922 ",
            &[("access_token", "EAAG"), ("app_secret", "abc"), ("verify_token", " v ")],
        )
        .normalized(&none)
        .unwrap();
        assert_eq!(ok.account, "106540352242922");
        assert_eq!(ok.name, "whatsapp 106540352242922");
        assert_eq!(ok.secrets["verify_token"], "v");
        assert_eq!(
            fields(draft(Channel::WhatsApp, "12ab", &[("access_token", "x")]).normalized(&none)),
            ["account", "secrets.app_secret", "secrets.verify_token"]
        );
    }

    #[test]
    fn stored_secrets_fill_what_an_edit_leaves_out() {
        let kept: BTreeMap<String, String> = [("bot_token", "123:AAA"), ("webhook_secret", "s_1")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let ok = draft(Channel::Telegram, "@maple_bot", &[]).normalized(&kept).unwrap();
        assert_eq!(ok.account, "maple_bot");
        assert_eq!(ok.secrets, kept);
        assert_eq!(
            fields(draft(Channel::Telegram, "maple_bot", &[("webhook_secret", "no spaces!")]).normalized(&kept)),
            ["secrets.webhook_secret"]
        );
    }

    #[test]
    fn unknown_secrets_and_channels_without_connections_are_refused() {
        let none = BTreeMap::new();
        assert_eq!(
            fields(draft(Channel::Telegram, "b", &[("bot_token", "t"), ("password", "x")]).normalized(&none)),
            ["secrets.password"]
        );
        assert_eq!(fields(draft(Channel::Web, "site", &[]).normalized(&none)), ["channel"]);
    }
}
