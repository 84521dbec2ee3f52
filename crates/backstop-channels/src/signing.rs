//! The signature on Backstop's outbound webhooks, following the Standard Webhooks scheme so a
//! tenant can verify it with any of its libraries: three headers — `webhook-id` (the delivery's
//! id, the same on every retry: the receiver's idempotency key), `webhook-timestamp` (Unix
//! seconds of this attempt) and `webhook-signature` (`v1,` + base64 of HMAC-SHA256 over
//! `{id}.{timestamp}.{body}`), the key being the endpoint's secret, `whsec_` + base64 of 32
//! random bytes. A receiver refuses a timestamp more than five minutes away from its clock, so a
//! captured request cannot be replayed later, and remembers ids it has seen within that time.

use backstop_core::Timestamp;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const ID_HEADER: &str = "webhook-id";
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
pub const SIGNATURE_HEADER: &str = "webhook-signature";
/// How far a timestamp may be from the receiver's clock, either way.
pub const TOLERANCE: time::Duration = time::Duration::minutes(5);

const PREFIX: &str = "whsec_";

/// An endpoint's signing secret. Shown to the tenant once; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SigningError {
    #[error("a webhook secret starts with whsec_ followed by base64 of 24 to 64 bytes")]
    BadSecret,
    #[error("the request lacks the {0} header")]
    Missing(&'static str),
    #[error("the webhook-timestamp header is not a number of seconds")]
    BadTimestamp,
    #[error("the webhook-timestamp is more than five minutes from now")]
    Stale,
    #[error("no signature in webhook-signature matches the body")]
    NoMatch,
}

impl Secret {
    /// A secret from 32 random bytes (the caller brings the randomness).
    pub fn from_bytes(bytes: [u8; 32]) -> Secret {
        Secret(bytes.to_vec())
    }

    pub fn parse(text: &str) -> Result<Secret, SigningError> {
        let key = text
            .trim()
            .strip_prefix(PREFIX)
            .and_then(|b| STANDARD.decode(b).ok())
            .filter(|k| (24..=64).contains(&k.len()))
            .ok_or(SigningError::BadSecret)?;
        Ok(Secret(key))
    }

    /// `whsec_` + base64, as the tenant copies it.
    pub fn encoded(&self) -> String {
        format!("{PREFIX}{}", STANDARD.encode(&self.0))
    }

    /// The `webhook-signature` value for one attempt.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        format!("v1,{}", STANDARD.encode(self.mac(id, timestamp, body)))
    }

    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.finalize().into_bytes().to_vec()
    }
}

/// A receiver's check of one request: the timestamp within [`TOLERANCE`] of `now`, and any of
/// the space-separated `v1` signatures matching (several during a secret's rotation).
pub fn verify(
    secret: &Secret,
    id: Option<&str>,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: Timestamp,
) -> Result<(), SigningError> {
    let id = id.ok_or(SigningError::Missing(ID_HEADER))?;
    let ts = timestamp.ok_or(SigningError::Missing(TIMESTAMP_HEADER))?;
    let signature = signature.ok_or(SigningError::Missing(SIGNATURE_HEADER))?;
    let ts: i64 = ts.trim().parse().map_err(|_| SigningError::BadTimestamp)?;
    let skew = (now.unix_timestamp() - ts).abs();
    if skew > TOLERANCE.whole_seconds() {
        return Err(SigningError::Stale);
    }
    let expected = secret.mac(id, ts, body);
    let matched = signature
        .split_whitespace()
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|b| STANDARD.decode(b).ok())
        .any(|sig| crate::same_bytes(&sig, &expected));
    if matched {
        Ok(())
    } else {
        Err(SigningError::NoMatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_standard_webhooks_test_vector() {
        // The scheme's published example: secret, id, timestamp, body → signature.
        let secret = Secret::parse("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").unwrap();
        let body = br#"{"email":"test@example.com","username":"test_user"}"#;
        let sig = secret.sign("msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", 1_649_367_553, body);
        assert_eq!(sig, "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=");
    }

    #[test]
    fn a_receiver_accepts_only_a_fresh_matching_signature() {
        let secret = Secret::from_bytes([7; 32]);
        let other = Secret::from_bytes([8; 32]);
        let now = Timestamp::from_unix_timestamp(1_800_000_000).unwrap();
        let ts = now.unix_timestamp();
        let body = br#"{"type":"message.created"}"#;
        let sig = secret.sign("dlv_1", ts, body);
        let check = |id, t: i64, s: &str, b: &[u8]| verify(&secret, Some(id), Some(&t.to_string()), Some(s), b, now);
        assert_eq!(check("dlv_1", ts, &sig, body), Ok(()));
        assert_eq!(check("dlv_2", ts, &sig, body), Err(SigningError::NoMatch));
        assert_eq!(check("dlv_1", ts, &sig, b"{}"), Err(SigningError::NoMatch));
        assert_eq!(
            check("dlv_1", ts, &other.sign("dlv_1", ts, body), body),
            Err(SigningError::NoMatch)
        );
        // A replay an hour later is refused even with a valid signature.
        let old = ts - 3600;
        assert_eq!(
            check("dlv_1", old, &secret.sign("dlv_1", old, body), body),
            Err(SigningError::Stale)
        );
        // During a rotation both signatures are sent; either matches.
        let both = format!("{} {}", other.sign("dlv_1", ts, body), sig);
        assert_eq!(check("dlv_1", ts, &both, body), Ok(()));
        assert_eq!(
            verify(&secret, Some("dlv_1"), None, Some(&sig), body, now),
            Err(SigningError::Missing(TIMESTAMP_HEADER))
        );
    }

    #[test]
    fn secrets_round_trip_and_bad_ones_are_refused() {
        let s = Secret::from_bytes([42; 32]);
        assert_eq!(Secret::parse(&s.encoded()), Ok(s.clone()));
        assert!(s.encoded().starts_with("whsec_"));
        assert_eq!(format!("{s:?}"), "Secret(…)");
        for bad in ["", "whsec_", "whsec_!!!", "sk_AAAA", "whsec_AAAA"] {
            assert_eq!(Secret::parse(bad), Err(SigningError::BadSecret), "{bad}");
        }
    }
}
