//! Customer messages in: stored durably before anything answers, published live, and the
//! conversation's actor kicked to take its turn; after a restart, every stored message not yet
//! handled is kicked again.

use backstop_core::conversation::Status;
use backstop_core::ids::{ConversationId, MessageId, TenantId};
use backstop_core::message::{Author, MessageBody, MessageKind};
use backstop_store::{Appended, ConversationRecord, NewMessage};

use crate::{parse_client_id, Engine, EngineError, Result};

impl Engine {
    /// Re-queues every customer message that was stored but not yet handled (after a crash or
    /// restart), so no acknowledged message goes unanswered.
    pub async fn recover(&self) -> Result<usize> {
        let pending = self.inner.store.conversations_with_pending(10_000).await?;
        for (tenant, conv) in &pending {
            self.kick(tenant, *conv);
        }
        if !pending.is_empty() {
            tracing::info!(conversations = pending.len(), "resuming unhandled customer messages");
        }
        Ok(pending.len())
    }

    /// Stores a customer message (durably, before returning) and schedules the conversation's turn.
    /// Resending the same `client_id` returns the stored message and triggers nothing new.
    pub async fn ingest_customer_message(
        &self,
        tenant: &TenantId,
        conversation: ConversationId,
        client_id: Option<&str>,
        body: &str,
    ) -> Result<Appended> {
        let client_id = client_id.map(parse_client_id).transpose()?;
        // Bad input is refused before anything is read.
        MessageBody::parse(body)?;
        let conv = self.conversation(tenant, conversation).await?;
        self.ingest_into(&conv, client_id.as_ref().map(|c| c.as_str()), body)
            .await
    }

    /// [`Engine::ingest_customer_message`] into a conversation the caller has just read (the
    /// widget's REST call checks the visitor against it first, so it is not read again).
    pub async fn ingest_into(
        &self,
        conv: &ConversationRecord,
        client_id: Option<&str>,
        body: &str,
    ) -> Result<Appended> {
        let client_id = client_id.map(parse_client_id).transpose()?;
        let body = MessageBody::parse(body)?;
        let (tenant, conversation) = (&conv.tenant, conv.id);
        if conv.status == Status::Closed {
            return Err(EngineError::ConversationClosed);
        }
        let now = self.now();
        let appended = self
            .inner
            .store
            .append_message(&NewMessage {
                id: MessageId::new_at(now),
                tenant: tenant.clone(),
                conversation,
                author: Author::Customer,
                kind: MessageKind::Text,
                body: body.into_string(),
                client_id: client_id.map(|c| c.as_str().to_owned()),
                citations: vec![],
                system: None,
                handled: false,
                created_at: now,
            })
            .await?;
        if !appended.duplicate {
            self.inner.meter.customer_message();
            self.inner.hub.publish_message(&appended.message);
        }
        if !appended.message.handled {
            self.kick(tenant, conversation);
        }
        Ok(appended)
    }
}
