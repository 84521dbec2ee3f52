//! Showing a generated answer while it is written, without letting anything unchecked through.
//! The model's tokens gather until a sentence ends; then everything written so far passes the
//! pre-send guard and only then shows in the widget and the inbox (a `Writing`). After the first
//! finding nothing more shows: the whole answer is judged when it is complete, as before, and
//! what shows was never sent — the stored message that follows replaces it.
//!
//! Why sentence by sentence and not token by token, and not held to the end: a token can be half
//! a figure or half a promise, so tokens cannot be checked; holding the whole answer makes the
//! customer wait for its last token (about a second more on the local model). A sentence is the
//! smallest unit the guard can judge; the cost is the wait for its end plus one guard pass per
//! sentence (`Attempt::stream_guard_us` keeps it, `first_shown_ms` when the first one showed).

use std::sync::Arc;
use std::time::Instant;

use backstop_core::guard::Finding;
use backstop_core::ids::{ConversationId, TenantId};
use backstop_core::message::Lang;
use backstop_nlp::guard::{check, settled, GuardInput};
use backstop_nlp::prompt::{is_no_answer, NO_ANSWER};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::knowledge::brain::blocking;
use crate::model::Writing;
use crate::{Engine, Result};

/// What the guard reads beside the answer, owned so each check can run on a blocking thread.
pub(crate) struct Checker {
    pub sources: Vec<String>,
    pub customer: Vec<String>,
    pub known: Vec<String>,
    pub instructions: Vec<String>,
    pub lang: Lang,
    pub code: String,
    pub max_chars: usize,
}

impl Checker {
    /// The guard's findings on `text` (off the async executor).
    pub(crate) async fn findings(self: &Arc<Self>, text: String) -> Result<Vec<Finding>> {
        let me = self.clone();
        blocking(move || {
            fn refs(v: &[String]) -> Vec<&str> {
                v.iter().map(String::as_str).collect()
            }
            let (sources, customer, known, instructions) = (
                refs(&me.sources),
                refs(&me.customer),
                refs(&me.known),
                refs(&me.instructions),
            );
            Ok(check(&GuardInput {
                answer: &text,
                sources: &sources,
                customer: &customer,
                known: &known,
                instructions: &instructions,
                lang: me.lang,
                code: &me.code,
                max_chars: me.max_chars,
            }))
        })
        .await
    }
}

/// What streaming showed of one attempt.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Shown {
    /// From the model call to the first sentence shown.
    pub first_ms: Option<u32>,
    /// Time the guard took on the sentences as they came.
    pub guard_us: u32,
}

/// Could `text` still turn out to be the model's "the sources do not answer" reply? Nothing of
/// it shows then.
fn may_decline(text: &str) -> bool {
    let t = text.trim_start();
    let n = t.len().min(NO_ANSWER.len());
    t.is_char_boundary(n) && t[..n].eq_ignore_ascii_case(&NO_ANSWER[..n])
}

impl Engine {
    /// Tells the widget and the inbox what of the answer they may show (`text` empty: typing).
    pub(crate) fn show_writing(&self, tenant: &TenantId, conversation: ConversationId, text: &str, withdrawn: bool) {
        self.inner.hub.publish_writing(Writing {
            tenant: tenant.clone(),
            conversation,
            text: text.to_string(),
            withdrawn,
        });
    }

    /// Relays the model's tokens from `rx` as checked sentences until the stream ends.
    pub(crate) async fn relay_writing(
        &self,
        tenant: &TenantId,
        conversation: ConversationId,
        checker: Arc<Checker>,
        mut rx: UnboundedReceiver<String>,
        started: Instant,
    ) -> Shown {
        let mut shown = Shown::default();
        let mut text = String::new();
        let mut upto = 0;
        let mut stopped = false;
        while let Some(delta) = rx.recv().await {
            text.push_str(&delta);
            if stopped || may_decline(&text) {
                continue;
            }
            if is_no_answer(&text) {
                // The model is saying the article does not answer: the policy will ask instead.
                stopped = true;
                continue;
            }
            let end = settled(&text);
            if end <= upto {
                continue;
            }
            let prefix = text[..end].trim().to_string();
            let t = Instant::now();
            let findings = checker.findings(prefix.clone()).await;
            shown.guard_us += t.elapsed().as_micros() as u32;
            match findings {
                Ok(f) if f.is_empty() => {
                    upto = end;
                    shown.first_ms.get_or_insert(started.elapsed().as_millis() as u32);
                    self.show_writing(tenant, conversation, &prefix, false);
                }
                // Held from here on: the whole answer is judged when it is complete.
                _ => stopped = true,
            }
        }
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::may_decline;

    #[test]
    fn the_decline_marker_never_shows() {
        for t in ["", "N", "no_", " NO_ANSW", "NO_ANSWER", "NO_ANSWER."] {
            assert!(may_decline(t), "{t:?}");
        }
        for t in ["No, returns", "Returns are free", "您好"] {
            assert!(!may_decline(t), "{t:?}");
        }
    }
}
