//! What WhatsApp, Messenger and Instagram share: Meta's webhook subscription challenge, the
//! `X-Hub-Signature-256` header (HMAC-SHA256 of the raw body with the app secret, lower-case hex
//! after `sha256=`), and the Graph API's error envelope.

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use crate::{same_bytes, InboundError, SendFailure};

/// The header Meta signs every event notification with.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// Answers Meta's subscription check (`GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`):
/// the challenge to echo back when the token is the one configured, else `None` (refuse with 403).
/// An empty configured token matches nothing.
pub fn challenge<'a>(
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&'a str>,
    verify_token: &str,
) -> Option<&'a str> {
    let token = token?;
    let ok =
        mode == Some("subscribe") && !verify_token.is_empty() && same_bytes(token.as_bytes(), verify_token.as_bytes());
    ok.then_some(challenge?)
}

/// Checks `X-Hub-Signature-256` against the raw body (never a re-serialised one).
pub fn verify_signature(app_secret: &[u8], header: Option<&str>, body: &[u8]) -> Result<(), InboundError> {
    let header = header
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .ok_or(InboundError::MissingSignature)?;
    let hex_sig = header.strip_prefix("sha256=").ok_or(InboundError::BadSignature)?;
    let sig = hex::decode(hex_sig).map_err(|_| InboundError::BadSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret).expect("HMAC takes any key length");
    mac.update(body);
    mac.verify_slice(&sig).map_err(|_| InboundError::BadSignature)
}

/// The header value Meta would send for `body` (for the stand-ins and tests).
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[derive(Deserialize)]
struct Envelope {
    error: GraphError,
}

#[derive(Deserialize)]
struct GraphError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    code: i64,
    #[serde(default)]
    error_subcode: Option<i64>,
    #[serde(default)]
    is_transient: Option<bool>,
    #[serde(default)]
    error_data: Option<ErrorData>,
}

#[derive(Deserialize)]
struct ErrorData {
    #[serde(default)]
    details: Option<String>,
}

/// Reads a Graph API error answer (`{"error": {"code", "error_subcode", "message", …}}`) by its
/// code and subcode, as Meta asks — not by the HTTP status or the words. `retry_after` is the
/// answer's `Retry-After`, if it had one.
pub fn classify(status: u16, body: &[u8], retry_after: Option<Duration>) -> SendFailure {
    let Ok(Envelope { error }) = serde_json::from_slice::<Envelope>(body) else {
        return by_status(status, body, retry_after);
    };
    let message = match error.error_data.and_then(|d| d.details) {
        Some(details) if !details.is_empty() => format!("{} — {details}", error.message),
        _ => error.message,
    };
    let code = error.code;
    match (code, error.error_subcode) {
        // WhatsApp: more than 24 hours since the customer last wrote.
        (131047, _) | (470, _) => SendFailure::WindowClosed { code, message },
        // Messenger and Instagram: outside the allowed window.
        (10, Some(2018278 | 2018065 | 2534022 | 2018108)) => SendFailure::WindowClosed { code, message },
        // Throughput, the pair limit, the account's, and the Graph API's call limits.
        (130429 | 131056 | 80007 | 4 | 17 | 32 | 613, _) => SendFailure::RateLimited { retry_after },
        // Not a WhatsApp user, blocked, or the person is not available.
        (131026 | 551, _) | (200, Some(1545041)) => SendFailure::Unreachable { code, message },
        (190 | 0, _) | (102, _) => SendFailure::Unauthorized { code, message },
        (1 | 2 | 131000 | 131016 | 1200, _) => SendFailure::Transient { code, message },
        _ if error.is_transient == Some(true) || status >= 500 => SendFailure::Transient { code, message },
        _ => SendFailure::Rejected { code, message },
    }
}

/// An answer without Meta's envelope (a proxy's page, a cut connection's status).
pub(crate) fn by_status(status: u16, body: &[u8], retry_after: Option<Duration>) -> SendFailure {
    let code = i64::from(status);
    let message = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
    match status {
        429 => SendFailure::RateLimited { retry_after },
        401 | 403 => SendFailure::Unauthorized { code, message },
        s if s >= 500 || s == 408 => SendFailure::Transient { code, message },
        _ => SendFailure::Rejected { code, message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_the_raw_body_in_lower_case_hex() {
        // HMAC-SHA256(key "secret", "test"), computed independently.
        assert_eq!(
            sign(b"secret", b"test"),
            "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914"
        );
        let body = br#"{"object":"page","entry":[]}"#;
        let header = sign(b"app-secret", body);
        assert_eq!(verify_signature(b"app-secret", Some(&header), body), Ok(()));
        assert_eq!(
            verify_signature(b"other", Some(&header), body),
            Err(InboundError::BadSignature)
        );
        assert_eq!(
            verify_signature(b"app-secret", Some(&header), b"{\"object\":\"page\" }"),
            Err(InboundError::BadSignature)
        );
        assert_eq!(
            verify_signature(b"app-secret", None, body),
            Err(InboundError::MissingSignature)
        );
        for bad in ["", "sha1=abc", "sha256=zz", "sha256="] {
            assert!(verify_signature(b"app-secret", Some(bad), body).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_challenge_is_echoed_only_for_the_configured_token() {
        let c = Some("1158201444");
        assert_eq!(challenge(Some("subscribe"), Some("tok"), c, "tok"), Some("1158201444"));
        assert_eq!(challenge(Some("subscribe"), Some("nope"), c, "tok"), None);
        assert_eq!(challenge(Some("unsubscribe"), Some("tok"), c, "tok"), None);
        assert_eq!(challenge(Some("subscribe"), Some(""), c, ""), None);
        assert_eq!(challenge(Some("subscribe"), None, c, "tok"), None);
        assert_eq!(challenge(Some("subscribe"), Some("tok"), None, "tok"), None);
    }

    fn graph(code: i64, subcode: Option<i64>) -> Vec<u8> {
        serde_json::json!({"error": {"message": format!("(#{code}) x"), "type": "OAuthException",
            "code": code, "error_subcode": subcode, "fbtrace_id": "A"}})
        .to_string()
        .into_bytes()
    }

    #[test]
    fn errors_are_read_by_code_not_by_status() {
        let wait = Some(Duration::from_secs(7));
        assert!(matches!(
            classify(400, &graph(131047, None), None),
            SendFailure::WindowClosed { code: 131047, .. }
        ));
        assert!(matches!(
            classify(400, &graph(10, Some(2018278)), None),
            SendFailure::WindowClosed { code: 10, .. }
        ));
        // Code 10 alone is a permission problem, not the window.
        assert!(matches!(
            classify(403, &graph(10, None), None),
            SendFailure::Rejected { code: 10, .. }
        ));
        for code in [130429, 131056, 80007, 4, 613, 32] {
            assert_eq!(
                classify(400, &graph(code, None), wait),
                SendFailure::RateLimited { retry_after: wait },
                "{code}"
            );
        }
        assert!(matches!(
            classify(400, &graph(131026, None), None),
            SendFailure::Unreachable { .. }
        ));
        assert!(matches!(
            classify(401, &graph(190, Some(463)), None),
            SendFailure::Unauthorized { .. }
        ));
        assert!(classify(500, &graph(131000, None), None).retryable());
        assert!(!classify(400, &graph(100, None), None).retryable());
        assert!(classify(502, b"<html>Bad gateway</html>", None).retryable());
        assert_eq!(classify(429, b"", wait), SendFailure::RateLimited { retry_after: wait });
    }

    #[test]
    fn whatsapps_details_join_the_message() {
        let body = br#"{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,"error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."},"fbtrace_id":"x"}}"#;
        let SendFailure::WindowClosed { message, .. } = classify(400, body, None) else {
            panic!("not a window error");
        };
        assert!(message.contains("Re-engagement") && message.contains("24 hours"));
    }
}
