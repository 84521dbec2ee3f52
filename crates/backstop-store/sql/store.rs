//! `Store` for this backend: every method, written once for both databases. What differs
//! between them (turn and append writes, the conversation lock, a few SQL functions) comes from the
//! backend's own `dialect` module.

use async_trait::async_trait;
use backstop_core::conversation::Status;
use backstop_core::directory::{Agent, Customer, Team, Tenant};
use backstop_core::ids::{AgentId, ConversationId, CustomerId, TenantId};
use backstop_core::Timestamp;
use backstop_store::codec::{self, *};
use backstop_store::*;
use sqlx::Row;

use super::{actions, analytics, conversations, directory, history, kb, models, policies, understanding};
use crate::dialect;
use crate::Backend;

#[async_trait]
impl Store for Backend {
    async fn create_tenant(&self, t: &Tenant) -> Result<()> {
        directory::create_tenant(self, t).await
    }

    async fn get_tenant(&self, id: &TenantId) -> Result<Option<Tenant>> {
        directory::get_tenant(self, id).await
    }

    async fn upsert_team(&self, t: &Team) -> Result<()> {
        directory::upsert_team(self, t).await
    }

    async fn list_teams(&self, tenant: &TenantId) -> Result<Vec<Team>> {
        directory::list_teams(self, tenant).await
    }

    async fn upsert_agent(&self, a: &Agent, password_hash: &str) -> Result<()> {
        directory::upsert_agent(self, a, password_hash).await
    }

    async fn get_agent(&self, tenant: &TenantId, id: AgentId) -> Result<Option<Agent>> {
        directory::get_agent(self, tenant, id).await
    }

    async fn list_agents(&self, tenant: &TenantId) -> Result<Vec<Agent>> {
        directory::list_agents(self, tenant).await
    }

    async fn find_agent_by_email(&self, tenant: &TenantId, email: &str) -> Result<Option<AgentCredentials>> {
        directory::find_agent_by_email(self, tenant, email).await
    }

    async fn set_agent_password(&self, tenant: &TenantId, agent: AgentId, hash: &str) -> Result<()> {
        directory::set_agent_password(self, tenant, agent, hash).await
    }

    async fn note_login_failure(&self, tenant: &TenantId, agent: AgentId) -> Result<u32> {
        directory::note_login_failure(self, tenant, agent).await
    }

    async fn set_login_lock(&self, tenant: &TenantId, agent: AgentId, until: Option<Timestamp>) -> Result<()> {
        directory::set_login_lock(self, tenant, agent, until).await
    }

    async fn clear_login_failures(&self, tenant: &TenantId, agent: AgentId) -> Result<()> {
        directory::clear_login_failures(self, tenant, agent).await
    }

    async fn touch_session(&self, token_hash: &str, at: Timestamp) -> Result<()> {
        directory::touch_session(self, token_hash, at).await
    }

    async fn delete_agent_sessions(&self, tenant: &TenantId, agent: AgentId, at: Timestamp) -> Result<u64> {
        directory::delete_agent_sessions(self, tenant, agent, at).await
    }

    async fn update_agent(&self, agent: &Agent) -> Result<()> {
        directory::update_agent(self, agent).await
    }

    async fn set_widget_secret(&self, tenant: &TenantId, secret: &str) -> Result<()> {
        directory::set_widget_secret(self, tenant, secret).await
    }

    async fn create_session(&self, s: &SessionRecord) -> Result<bool> {
        directory::create_session(self, s).await
    }

    async fn get_session(&self, token_hash: &str) -> Result<Option<SessionRecord>> {
        directory::get_session(self, token_hash).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        directory::delete_session(self, token_hash).await
    }

    async fn upsert_customer(&self, c: &Customer) -> Result<()> {
        directory::upsert_customer(self, c).await
    }

    async fn get_customer(&self, tenant: &TenantId, id: CustomerId) -> Result<Option<Customer>> {
        directory::get_customer(self, tenant, id).await
    }

    async fn find_verified_customer(&self, tenant: &TenantId, email: &str) -> Result<Option<Customer>> {
        directory::find_verified_customer(self, tenant, email).await
    }

    async fn reserve_visitor_conversation(
        &self,
        tenant: &TenantId,
        token_hash: &str,
        conv: ConversationId,
    ) -> Result<()> {
        directory::reserve_visitor_conversation(self, tenant, token_hash, conv).await
    }

    async fn link_visitor(&self, tenant: &TenantId, token_hash: &str, customer: CustomerId) -> Result<()> {
        directory::link_visitor(self, tenant, token_hash, customer).await
    }

    async fn find_visitor(&self, tenant: &TenantId, token_hash: &str) -> Result<Option<VisitorRecord>> {
        directory::find_visitor(self, tenant, token_hash).await
    }

    async fn create_conversation(&self, c: &ConversationRecord) -> Result<()> {
        conversations::create(self, c).await
    }

    async fn get_conversation(&self, tenant: &TenantId, id: ConversationId) -> Result<Option<ConversationRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {CONV_COLS} FROM conversations WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.as_str())
        .bind(id.to_string())
        .fetch_optional(self.reader())
        .await
        .map_err(db)?;
        row.as_ref().map(conversation).transpose()
    }

    async fn latest_open_conversation(
        &self,
        tenant: &TenantId,
        customer: CustomerId,
    ) -> Result<Option<ConversationRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {CONV_COLS} FROM conversations WHERE tenant_id = $1 AND customer_id = $2 AND status != 'closed'
             ORDER BY created_at DESC, id DESC LIMIT 1"
        ))
        .bind(tenant.as_str())
        .bind(customer.to_string())
        .fetch_optional(self.reader())
        .await
        .map_err(db)?;
        row.as_ref().map(conversation).transpose()
    }

    async fn list_conversations(&self, tenant: &TenantId, f: &ConversationFilter) -> Result<Vec<ConversationRecord>> {
        let mut sql = format!("SELECT {CONV_COLS} FROM conversations WHERE tenant_id = $1");
        if f.owner_kind.is_some() {
            sql.push_str(" AND owner_kind = $2");
        }
        if f.agent.is_some() {
            sql.push_str(" AND owner_agent = $3");
        }
        if !f.statuses.is_empty() {
            let list: Vec<String> = f.statuses.iter().map(|s| format!("'{}'", s.as_str())).collect();
            sql.push_str(&format!(" AND status IN ({})", list.join(",")));
        }
        if f.with_messages {
            sql.push_str(" AND last_seq > 0");
        }
        if f.owner_kind == Some("queue") {
            sql.push_str(" ORDER BY priority_rank DESC, queued_at ASC, id ASC");
        } else {
            sql.push_str(" ORDER BY COALESCE(last_message_at, updated_at) DESC, id DESC");
        }
        sql.push_str(" LIMIT $4");
        let rows = sqlx::query(&sql)
            .bind(tenant.as_str())
            .bind(f.owner_kind)
            .bind(f.agent.map(|a| a.to_string()))
            .bind(if f.limit == 0 { 100 } else { f.limit as i64 })
            .fetch_all(self.reader())
            .await
            .map_err(db)?;
        rows.iter().map(conversation).collect()
    }

    async fn queue_position(&self, tenant: &TenantId, id: ConversationId) -> Result<Option<u32>> {
        let Some(c) = self.get_conversation(tenant, id).await? else {
            return Ok(None);
        };
        if c.owner.kind() != "queue" || !matches!(c.status, Status::Open | Status::Snoozed) {
            return Ok(None);
        }
        let (_, team, _, _, rank) = owner_cols(&c.owner);
        let ahead: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM conversations WHERE tenant_id = $1 AND owner_kind = 'queue' AND owner_team = $2
               AND status IN ('open', 'snoozed')
               AND (priority_rank > $3 OR (priority_rank = $3 AND (queued_at < $4 OR (queued_at = $4 AND id < $5))))",
        )
        .bind(tenant.as_str())
        .bind(team)
        .bind(rank)
        .bind(c.queued_at.map(ts))
        .bind(id.to_string())
        .fetch_one(self.reader())
        .await
        .map_err(db)?;
        Ok(Some(ahead as u32 + 1))
    }

    async fn lock_conversation(&self, tenant: &TenantId, conv: ConversationId) -> Result<ConversationLock> {
        dialect::lock_conversation(self, tenant, conv).await
    }

    async fn append_message(&self, m: &NewMessage) -> Result<Appended> {
        dialect::append_message(self, m).await
    }

    async fn list_messages(
        &self,
        tenant: &TenantId,
        conv: ConversationId,
        q: &MessageQuery,
    ) -> Result<Vec<MessageRecord>> {
        let notes = if q.include_notes { "" } else { " AND kind != 'note'" };
        let order = if q.newest { "DESC" } else { "ASC" };
        let limit = if q.limit == 0 {
            dialect::NO_LIMIT
        } else {
            Some(q.limit as i64)
        };
        let rows = sqlx::query(&format!(
            "SELECT {MSG_COLS} FROM messages WHERE tenant_id = $1 AND conversation_id = $2 AND seq > $3{notes}
             ORDER BY seq {order} LIMIT $4"
        ))
        .bind(tenant.as_str())
        .bind(conv.to_string())
        .bind(q.after_seq)
        .bind(limit)
        .fetch_all(self.reader())
        .await
        .map_err(db)?;
        let mut out: Vec<MessageRecord> = rows.iter().map(message).collect::<Result<_>>()?;
        if q.newest {
            out.reverse();
        }
        Ok(out)
    }

    async fn pending_customer_messages(&self, tenant: &TenantId, conv: ConversationId) -> Result<Vec<MessageRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {MSG_COLS} FROM messages WHERE handled = 0 AND tenant_id = $1 AND conversation_id = $2 ORDER BY seq"
        ))
        .bind(tenant.as_str())
        .bind(conv.to_string())
        .fetch_all(self.reader())
        .await
        .map_err(db)?;
        rows.iter().map(message).collect()
    }

    async fn conversations_with_pending(&self, limit: u32) -> Result<Vec<(TenantId, ConversationId)>> {
        let rows = sqlx::query(
            "SELECT DISTINCT tenant_id, conversation_id FROM messages WHERE handled = 0 ORDER BY tenant_id, conversation_id LIMIT $1",
        )
        .bind(limit as i64)
        .fetch_all(self.reader())
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| Ok((codec::tenant(r)?, ConversationId(codec::uuid(r, "conversation_id")?))))
            .collect()
    }

    async fn next_sla_due(&self) -> Result<Option<backstop_core::Timestamp>> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT MIN(sla_due_at) FROM conversations WHERE sla_due_at IS NOT NULL")
                .fetch_one(self.reader())
                .await
                .map_err(db)?;
        v.map(from_ts).transpose()
    }

    async fn past_answers(&self, tenant: &TenantId, limit: u32) -> Result<Vec<PastAnswer>> {
        let rows = sqlx::query(&format!(
            "SELECT a.conversation_id, a.id, a.body, a.author_name, a.created_at,
               (SELECT cu.name FROM conversations c JOIN customers cu
                 ON cu.tenant_id = c.tenant_id AND cu.id = c.customer_id
                 WHERE c.tenant_id = a.tenant_id AND c.id = a.conversation_id) AS customer_name,
               (SELECT {bodies} FROM messages q
                 WHERE q.tenant_id = a.tenant_id AND q.conversation_id = a.conversation_id
                   AND q.author_kind = 'customer' AND q.seq < a.seq
                   AND q.seq > COALESCE((SELECT MAX(p.seq) FROM messages p
                     WHERE p.tenant_id = a.tenant_id AND p.conversation_id = a.conversation_id
                       AND p.author_kind = 'agent' AND p.kind = 'text' AND p.seq < a.seq), 0)) AS questions
             FROM messages a
             WHERE a.tenant_id = $1 AND a.author_kind = 'agent' AND a.kind = 'text'
             ORDER BY a.created_at DESC, a.seq DESC LIMIT $2",
            bodies = dialect::JSON_ARRAY_OF_BODIES
        ))
        .bind(tenant.as_str())
        .bind(limit as i64)
        .fetch_all(self.reader())
        .await
        .map_err(db)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let questions: Vec<String> = json(r, "questions")?;
            if questions.is_empty() {
                continue;
            }
            out.push(PastAnswer {
                conversation: ConversationId(codec::uuid(r, "conversation_id")?),
                message: backstop_core::ids::MessageId(codec::uuid(r, "id")?),
                questions,
                answer: r.try_get("body").map_err(db)?,
                agent_name: r
                    .try_get::<Option<String>, _>("author_name")
                    .map_err(db)?
                    .unwrap_or_default(),
                customer_name: r.try_get("customer_name").map_err(db)?,
                at: from_ts(r.try_get("created_at").map_err(db)?)?,
            });
        }
        Ok(out)
    }

    async fn sla_due(&self, at: backstop_core::Timestamp, limit: u32) -> Result<Vec<(TenantId, ConversationId)>> {
        let rows = sqlx::query(
            "SELECT tenant_id, id FROM conversations WHERE sla_due_at IS NOT NULL AND sla_due_at <= $1
             ORDER BY sla_due_at LIMIT $2",
        )
        .bind(ts(at))
        .bind(limit as i64)
        .fetch_all(self.reader())
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| Ok((codec::tenant(r)?, ConversationId(codec::uuid(r, "id")?))))
            .collect()
    }

    async fn queued_count(&self, tenant: &TenantId) -> Result<u64> {
        directory::queued_count(self, tenant).await
    }

    async fn list_tenant_ids(&self) -> Result<Vec<TenantId>> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM tenants ORDER BY id")
            .fetch_all(self.reader())
            .await
            .map_err(db)?;
        ids.iter()
            .map(|id| TenantId::parse(id).map_err(|_| corrupt("tenant id")))
            .collect()
    }

    async fn idle_conversations(
        &self,
        tenant: &TenantId,
        before: backstop_core::Timestamp,
        limit: u32,
    ) -> Result<Vec<ConversationId>> {
        let rows = sqlx::query(
            "SELECT id FROM conversations WHERE tenant_id = $1 AND status = 'open'
               AND last_message_at IS NOT NULL AND last_message_at <= $2
             ORDER BY last_message_at DESC, id LIMIT $3",
        )
        .bind(tenant.as_str())
        .bind(ts(before))
        .bind(limit as i64)
        .fetch_all(self.reader())
        .await
        .map_err(db)?;
        rows.iter().map(|r| Ok(ConversationId(codec::uuid(r, "id")?))).collect()
    }

    async fn apply_turn(&self, turn: &Turn) -> Result<Vec<MessageRecord>> {
        dialect::apply_turn(self, turn).await
    }

    async fn list_events(&self, tenant: &TenantId, conv: ConversationId) -> Result<Vec<EventRecord>> {
        let rows = sqlx::query("SELECT * FROM events WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY id")
            .bind(tenant.as_str())
            .bind(conv.to_string())
            .fetch_all(self.reader())
            .await
            .map_err(db)?;
        rows.iter().map(event_row).collect()
    }

    async fn events_of_kinds(
        &self,
        tenant: &TenantId,
        kinds: &[backstop_core::event::EventKind],
        since: backstop_core::Timestamp,
        limit: u32,
    ) -> Result<Vec<EventRecord>> {
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 4)).collect();
        let sql = format!(
            "SELECT * FROM events WHERE tenant_id = $1 AND at >= $2 AND kind IN ({}) ORDER BY at DESC, id DESC LIMIT $3",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql)
            .bind(tenant.as_str())
            .bind(ts(since))
            .bind(i64::from(limit));
        for k in kinds {
            q = q.bind(k.as_str());
        }
        let rows = q.fetch_all(self.reader()).await.map_err(db)?;
        rows.iter().map(event_row).collect()
    }

    async fn upsert_article(&self, a: &ArticleRecord) -> Result<()> {
        kb::save_article(self, a, "import", "system").await.map(|_| ())
    }

    async fn save_article(&self, a: &ArticleRecord, change: &str, author: &str) -> Result<ArticleRecord> {
        kb::save_article(self, a, change, author).await
    }

    async fn save_articles(
        &self,
        articles: &[ArticleRecord],
        change: &str,
        author: &str,
    ) -> Result<Vec<ArticleRecord>> {
        kb::save_articles(self, articles, change, author).await
    }

    async fn list_topics(&self, tenant: &TenantId) -> Result<Vec<backstop_core::kb::TopicNames>> {
        kb::list_topics(self, tenant).await
    }

    async fn save_topic(&self, tenant: &TenantId, topic: &backstop_core::kb::TopicNames) -> Result<()> {
        kb::save_topic(self, tenant, topic).await
    }

    async fn list_articles(&self, tenant: &TenantId) -> Result<Vec<ArticleRecord>> {
        kb::list_articles(self, tenant).await
    }

    async fn put_candidate(&self, tenant: &TenantId, c: &backstop_core::learn::Candidate) -> Result<()> {
        kb::put_candidate(self, tenant, c).await
    }

    async fn list_candidates(
        &self,
        tenant: &TenantId,
        status: Option<backstop_core::learn::CandidateStatus>,
        limit: u32,
    ) -> Result<Vec<backstop_core::learn::Candidate>> {
        kb::list_candidates(self, tenant, status, limit).await
    }

    async fn get_candidate(
        &self,
        tenant: &TenantId,
        id: backstop_core::ids::CandidateId,
    ) -> Result<Option<backstop_core::learn::Candidate>> {
        kb::get_candidate(self, tenant, id).await
    }

    async fn get_article(&self, tenant: &TenantId, id: backstop_core::ids::ArticleId) -> Result<Option<ArticleRecord>> {
        kb::get_article(self, tenant, id).await
    }

    async fn article_versions(
        &self,
        tenant: &TenantId,
        id: backstop_core::ids::ArticleId,
    ) -> Result<Vec<ArticleVersion>> {
        kb::article_versions(self, tenant, id).await
    }

    async fn get_embeddings(
        &self,
        tenant: &TenantId,
        model: &str,
        keys: &[String],
    ) -> Result<std::collections::HashMap<String, Vec<f32>>> {
        understanding::get_embeddings(self, tenant, model, keys).await
    }

    async fn put_embeddings(&self, tenant: &TenantId, model: &str, items: &[EmbeddingRecord]) -> Result<()> {
        understanding::put_embeddings(self, tenant, model, items).await
    }

    async fn add_intent_examples(&self, examples: &[IntentExampleRecord]) -> Result<usize> {
        understanding::add_intent_examples(self, examples).await
    }

    async fn list_intent_examples(&self, tenant: &TenantId) -> Result<Vec<IntentExampleRecord>> {
        understanding::list_intent_examples(self, tenant).await
    }

    async fn rated_conversations(&self, tenant: &TenantId, at_most: u8, limit: u32) -> Result<Vec<ConversationRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {CONV_COLS} FROM conversations WHERE tenant_id = $1 AND csat IS NOT NULL
               AND {rating} <= $2
             ORDER BY {at} DESC, id DESC LIMIT $3",
            rating = dialect::CSAT_RATING,
            at = dialect::CSAT_AT
        ))
        .bind(tenant.as_str())
        .bind(at_most as i64)
        .bind(limit.clamp(1, 1000) as i64)
        .fetch_all(self.reader())
        .await
        .map_err(db)?;
        rows.iter().map(conversation).collect()
    }

    async fn save_policy(
        &self,
        tenant: &TenantId,
        source: &str,
        author: &str,
        at: backstop_core::Timestamp,
    ) -> Result<PolicyRecord> {
        policies::save(self, tenant, source, author, at).await
    }

    async fn current_policy(&self, tenant: &TenantId) -> Result<Option<PolicyRecord>> {
        Ok(policies::list(self, tenant, 1).await?.into_iter().next())
    }

    async fn list_policies(&self, tenant: &TenantId) -> Result<Vec<PolicyRecord>> {
        policies::list(self, tenant, u32::MAX).await
    }

    async fn get_model_settings(&self, tenant: &TenantId) -> Result<Option<ModelRecord>> {
        models::get(self, tenant).await
    }

    async fn save_model_settings(
        &self,
        tenant: &TenantId,
        settings: &backstop_core::generation::ModelSettings,
        key: &KeyChange,
        author: &str,
        at: Timestamp,
    ) -> Result<ModelRecord> {
        models::save(self, tenant, settings, key, author, at).await
    }

    async fn add_model_usage(
        &self,
        tenant: &TenantId,
        month: &str,
        model: &str,
        prompt_tokens: u64,
        completion_tokens: u64,
    ) -> Result<()> {
        models::add_usage(self, tenant, month, model, prompt_tokens, completion_tokens).await
    }

    async fn model_usage(&self, tenant: &TenantId, month: &str) -> Result<backstop_core::generation::ModelUsage> {
        models::usage(self, tenant, month).await
    }

    async fn save_action(
        &self,
        tenant: &TenantId,
        name: &str,
        spec: Option<&str>,
        secret: &KeyChange,
        author: &str,
        at: Timestamp,
    ) -> Result<ActionRecord> {
        actions::save(self, tenant, name, spec, secret, author, at).await
    }

    async fn current_actions(&self, tenant: &TenantId) -> Result<Vec<ActionRecord>> {
        actions::current(self, tenant).await
    }

    async fn action_versions(&self, tenant: &TenantId, name: &str) -> Result<Vec<ActionRecord>> {
        actions::versions(self, tenant, name, u32::MAX).await
    }

    async fn save_facts(&self, rows: &[FactsRow]) -> Result<()> {
        analytics::save(self, rows).await
    }

    async fn get_facts(&self, tenant: &TenantId, conv: ConversationId) -> Result<Option<FactsRow>> {
        analytics::get(self, tenant, conv).await
    }

    async fn facts_cursor(&self) -> Result<i64> {
        analytics::cursor(self).await
    }

    async fn conversations_with_events_in(
        &self,
        after_id: i64,
        up_to_id: i64,
    ) -> Result<Vec<(TenantId, ConversationId, i64)>> {
        analytics::with_events_in(self, after_id, up_to_id).await
    }

    async fn max_event_id(&self) -> Result<i64> {
        analytics::max_event_id(self).await
    }

    async fn facts_due(&self, at: Timestamp, limit: u32) -> Result<Vec<(TenantId, ConversationId)>> {
        analytics::due(self, at, limit).await
    }

    async fn message_counts(
        &self,
        tenant: &TenantId,
        conv: ConversationId,
    ) -> Result<backstop_core::analytics::MessageCounts> {
        analytics::message_counts(self, tenant, conv).await
    }

    async fn rollup_sums(
        &self,
        tenant: &TenantId,
        filter: &RollupFilter,
        group: RollupGroup,
        columns: &[backstop_core::analytics::Sum],
    ) -> Result<Vec<(String, Vec<i64>)>> {
        analytics::sums(self, tenant, filter, group, columns).await
    }

    async fn rollup_counts(
        &self,
        tenant: &TenantId,
        filter: &RollupFilter,
        group: RollupGroup,
        prefix: &str,
    ) -> Result<Vec<(String, String, i64)>> {
        analytics::counts(self, tenant, filter, group, prefix).await
    }

    async fn agent_rollups(&self, tenant: &TenantId, filter: &RollupFilter) -> Result<Vec<AgentRollup>> {
        analytics::agents(self, tenant, filter).await
    }

    async fn list_facts(&self, tenant: &TenantId, q: &FactsQuery) -> Result<Vec<FactsRow>> {
        analytics::list(self, tenant, q).await
    }

    async fn refresh_analytics_statistics(&self) -> Result<()> {
        dialect::refresh_analytics_statistics(self).await
    }

    async fn database_size(&self) -> Result<Option<u64>> {
        dialect::database_size(self).await.map(Some)
    }

    async fn import_conversations(&self, items: &[ImportedConversation]) -> Result<()> {
        history::import(self, items).await
    }

    async fn clear_analytics(&self, tenant: Option<&TenantId>) -> Result<()> {
        analytics::clear(self, tenant).await
    }
}
