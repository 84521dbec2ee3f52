//! An action's result told to the customer: the action's own template in their language, or —
//! when the tenant's model is on — the model's words, grounded in the result as an answer is in
//! its article: the template's sentence and the fields the action may say (never the contact
//! fields it checks identity with) are its only source — not even the customer's own words — and
//! the same pre-send guard reads the reply before anyone sees it, which must also keep every
//! value the template states and speak to the customer. A finding the model can fix is asked for once more; anything
//! else — a failure, a spent budget, another language, a finding it may not fix — sends the
//! template, which is always true.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use backstop_core::action::Action;
use backstop_core::directory::Customer;
use backstop_core::generation::{Attempt, Generation, Outcome};
use backstop_core::guard::{verdict, Check, Finding, Verdict};
use backstop_llm::{ChatRequest, Message};
use backstop_nlp::prompt;
use backstop_store::ConversationRecord;
use serde_json::Value;

use crate::conversations::assess::Understanding;
use crate::conversations::generate::describe;
use crate::conversations::stream::Checker;
use crate::{Engine, Result};

/// The longest told result.
const MAX_TOLD_CHARS: usize = 800;

/// The fields the model may read: the action's mapped fields, without its contact fields and
/// empty ones, each as the customer is told it (labels in their language).
fn sayable(
    action: &Action,
    fields: &BTreeMap<String, Value>,
    lang: backstop_core::message::Lang,
) -> Vec<(String, String)> {
    fields
        .iter()
        .filter(|(k, v)| !v.is_null() && !action.spec.contact.iter().any(|c| c == *k))
        .filter(|(_, v)| !matches!(v, Value::Array(_) | Value::Object(_)))
        .map(|(k, v)| (k.clone(), action.label(k, v, lang)))
        .filter(|(_, v)| !v.trim().is_empty())
        .collect()
}

/// What a told result must hold besides passing the guard: every value the template states (the
/// order number, the status in the customer's words, the carrier, the tracking number, dates,
/// amounts) as written, and the customer spoken to rather than about ("The customer asked …", a
/// small model's habit).
fn unfaithful(reply: &str, template: &str, details: &[(String, String)]) -> Vec<Finding> {
    let lower = reply.to_lowercase();
    let mut out: Vec<Finding> = details
        .iter()
        .filter(|(_, v)| template.contains(v.as_str()) && !lower.contains(&v.to_lowercase()))
        .map(|(k, _)| Finding {
            check: Check::Support,
            detail: format!("left out the {k} the result states"),
        })
        .collect();
    if ["the customer", "customer's", "客户", "顾客", "用户"]
        .iter()
        .any(|w| lower.contains(w))
    {
        out.push(Finding {
            check: Check::Support,
            detail: "speaks about the customer instead of to them".into(),
        });
    }
    out
}

impl Engine {
    /// What the customer is told of `action`'s result `fields`: the template's words, or the
    /// tenant's model's when it is on and the guard passes them (see the module documentation);
    /// with what the model did, for the trace.
    pub(crate) async fn tell_result(
        &self,
        conv: &ConversationRecord,
        u: &Understanding,
        action: &Action,
        fields: &BTreeMap<String, Value>,
        customer: Option<&Customer>,
    ) -> Result<(String, Option<Generation>)> {
        let template = action.tell(u.lang, fields);
        let Some(model) = self.tenant_model(&conv.tenant).await? else {
            return Ok((template, None));
        };
        let s = &model.settings;
        let code = self.language_code(conv, &u.text, u.lang).await?;
        // The template speaks Chinese or English: another language is told in the template's.
        if !s.serves(&code, None) || (code != "zh" && code != "en") {
            return Ok((template, None));
        }
        let mut record = Generation {
            model: model.answers.model().to_string(),
            outcome: Outcome::Fallback,
            attempts: Vec::new(),
            skipped: None,
            before_call_ms: None,
        };
        if !self.model_budget_left(&conv.tenant, s).await? {
            record.skipped = Some("monthly token budget spent".into());
            return Ok((template, Some(record)));
        }
        let details = sayable(action, fields, u.lang);
        let source = std::iter::once(template.clone())
            .chain(details.iter().map(|(k, v)| format!("{k}: {v}")))
            .collect::<Vec<_>>()
            .join("\n");
        let system = prompt::tools::tell(&s.persona, s.tone, &code);
        let known: Vec<String> = customer
            .filter(|c| c.email_verified)
            .and_then(|c| c.email.clone())
            .into_iter()
            .collect();
        // The result is the only source: what the customer wrote is no fact about their order
        // ("can I still cancel it?" must not come back as "you can still cancel it").
        let checker = Arc::new(Checker {
            sources: vec![source],
            customer: Vec::new(),
            known,
            instructions: vec![system.clone()],
            lang: u.lang,
            code: code.clone(),
            max_chars: MAX_TOLD_CHARS,
        });
        let mut messages = vec![
            Message::system(system),
            Message::user(prompt::tools::tell_message(&u.text, &template, &details)),
        ];
        for attempt in 0..2u32 {
            let mut request = ChatRequest::new(messages.clone());
            request.temperature = s.temperature.min(0.3);
            request.max_tokens = s.max_tokens.min(300);
            let started = Instant::now();
            let done = match model.answers.chat(&request, None).await {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!(tenant = %conv.tenant, conversation = %conv.id, error = %e, "the model did not tell the result; the template does");
                    record.attempts.push(Attempt {
                        verdict: None,
                        findings: Vec::new(),
                        error: Some(e.code().to_string()),
                        first_token_ms: None,
                        total_ms: started.elapsed().as_millis() as u32,
                        prompt_tokens: 0,
                        completion_tokens: 0,
                        first_shown_ms: None,
                        stream_guard_us: 0,
                    });
                    return Ok((template, Some(record)));
                }
            };
            self.count_tokens(&conv.tenant, model.answers.model(), &done.usage)
                .await;
            let text = prompt::without_markers(done.text.trim()).trim().to_string();
            let mut findings = checker.findings(text.clone()).await?;
            findings.extend(unfaithful(&text, &template, &details));
            let v = verdict(&findings, attempt, true);
            record.attempts.push(Attempt {
                verdict: Some(v),
                findings: findings.clone(),
                error: None,
                first_token_ms: done.first_token.map(|d| d.as_millis() as u32),
                total_ms: done.elapsed.as_millis() as u32,
                prompt_tokens: done.usage.prompt_tokens,
                completion_tokens: done.usage.completion_tokens,
                first_shown_ms: None,
                stream_guard_us: 0,
            });
            match v {
                Verdict::Send => {
                    record.outcome = Outcome::Sent;
                    return Ok((text, Some(record)));
                }
                Verdict::Rewrite => {
                    messages.push(Message::assistant(text));
                    messages.push(Message::user(format!(
                        "That reply has problems: {}. Write it again from the result only.",
                        describe(&findings)
                    )));
                }
                Verdict::Fallback | Verdict::Handoff => {
                    tracing::info!(tenant = %conv.tenant, conversation = %conv.id, findings = %describe(&findings), "the guard stopped the model's telling of a result; the template tells it");
                    return Ok((template, Some(record)));
                }
            }
        }
        Ok((template, Some(record)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_told_result_keeps_the_templates_values_and_speaks_to_the_customer() {
        let template = "Order MM-20261120-0003 is delivered. Carrier DHL, tracking number JD0146.";
        let details = vec![
            ("number".to_string(), "MM-20261120-0003".to_string()),
            ("status".to_string(), "delivered".to_string()),
            ("carrier".to_string(), "DHL".to_string()),
            ("tracking".to_string(), "JD0146".to_string()),
            ("note".to_string(), "fragile".to_string()),
        ];
        assert!(unfaithful(
            "Good news: your order MM-20261120-0003 was delivered by DHL (tracking JD0146).",
            template,
            &details
        )
        .is_empty());
        let f = unfaithful("Your order MM-20261120-0003 was delivered by DHL.", template, &details);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].detail.contains("tracking"));
        let f = unfaithful(
            "The customer asked about MM-20261120-0003: delivered by DHL, tracking JD0146.",
            template,
            &details,
        );
        assert!(f.iter().any(|f| f.detail.contains("speaks about")), "{f:?}");
        assert!(!unfaithful("顾客的订单 MM-20261120-0003 delivered DHL JD0146", template, &details).is_empty());
    }
}
