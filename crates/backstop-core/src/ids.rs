//! Typed identifiers, so a conversation id can never be passed where an agent id is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A tenant: one client company. Every stored row carries one.
///
/// Tenant ids are short slugs (`demo`, `acme-eu`) because they appear in widget snippets and URLs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("tenant id must be 2 to 40 characters of a-z, 0-9 and '-', starting with a letter")]
    BadTenant,
    #[error("not a valid id: {0}")]
    BadUuid(String),
}

impl TenantId {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let ok = (2..=40).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(IdError::BadTenant)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TenantId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Self::parse(&s)
    }
}

impl From<TenantId> for String {
    fn from(t: TenantId) -> String {
        t.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered id (UUIDv7), given the current time from the caller.
            pub fn new_at(now: time::OffsetDateTime) -> Self {
                let nanos = now.unix_timestamp_nanos();
                let secs = (nanos / 1_000_000_000) as u64;
                let sub = (nanos % 1_000_000_000) as u32;
                let ts = uuid::Timestamp::from_unix(uuid::NoContext, secs, sub);
                Self(Uuid::new_v7(ts))
            }

            pub fn parse(s: &str) -> Result<Self, IdError> {
                Uuid::parse_str(s).map(Self).map_err(|_| IdError::BadUuid(s.to_owned()))
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// One conversation between a customer and the tenant.
    ConversationId
);
uuid_id!(
    /// One stored message.
    MessageId
);
uuid_id!(
    /// An end customer (a widget visitor or a known contact).
    CustomerId
);
uuid_id!(
    /// A human agent account.
    AgentId
);
uuid_id!(
    /// A team of agents with its own queue.
    TeamId
);
uuid_id!(
    /// A knowledge-base article.
    ArticleId
);
uuid_id!(
    /// A labelled example for a tenant's intent classifier.
    IntentExampleId
);
uuid_id!(
    /// A knowledge-base entry drafted from a human's answer, waiting for a trainer.
    CandidateId
);
uuid_id!(
    /// An API key of a tenant.
    ApiKeyId
);
uuid_id!(
    /// A tenant's connection to a channel's provider (one business account on one channel).
    ConnectionId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_are_slugs() {
        assert!(TenantId::parse("demo").is_ok());
        assert!(TenantId::parse("acme-eu-2").is_ok());
        for bad in ["", "a", "Demo", "1shop", "shop_x", "shop x", &"a".repeat(41)] {
            assert_eq!(TenantId::parse(bad), Err(IdError::BadTenant), "{bad:?}");
        }
    }

    #[test]
    fn uuid_ids_parse_and_order_by_time() {
        let t0 = time::macros::datetime!(2026-01-01 0:00 UTC);
        let a = ConversationId::new_at(t0);
        let b = ConversationId::new_at(t0 + time::Duration::seconds(1));
        assert!(a < b);
        assert_eq!(ConversationId::parse(&a.to_string()), Ok(a));
        assert!(ConversationId::parse("nope").is_err());
    }
}
