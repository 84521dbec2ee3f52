//! Knowledge-base management: trainers create, edit, archive, restore and revert articles; every
//! change is a stored version (who, when, how) and the AI uses it at once — the tenant's
//! understanding is rebuilt from the store right after the change, re-embedding only new text
//! (vectors are cached by content). And the import of many articles at once (`backstop kb import`).

use std::collections::HashMap;

use backstop_core::ids::{ArticleId, TenantId};
use backstop_core::kb::{ArticleDraft, Change};
use backstop_core::message::Lang;
use backstop_store::{ArticleRecord, ArticleVersion};

use crate::{Engine, EngineError, Result};

/// An article's content as a draft.
pub(crate) fn draft_of(a: &ArticleRecord) -> ArticleDraft {
    ArticleDraft {
        slug: a.slug.clone(),
        lang: a.lang,
        topic: a.topic.clone(),
        title: a.title.clone(),
        body: a.body.clone(),
        questions: a.questions.clone(),
    }
}

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    pub created: usize,
    pub updated: usize,
    /// Drafts identical to the stored article: no new version.
    pub unchanged: usize,
}

impl Engine {
    /// Imports `drafts` into the tenant's knowledge base in one transaction (change `import`, by
    /// `author`): a draft with the slug and language of a stored article is its next version (an
    /// archived one stays archived), one identical to it changes nothing, the others are new
    /// articles. `progress` is called once per draft. The understanding is rebuilt by whoever
    /// serves the tenant next ([`Engine::reload_kb`]).
    pub async fn import_articles(
        &self,
        tenant: &TenantId,
        drafts: Vec<ArticleDraft>,
        author: &str,
        progress: &(dyn Fn() + Sync),
    ) -> Result<Imported> {
        self.tenant(tenant).await?;
        let store = &self.inner.store;
        let existing: HashMap<(String, Lang), ArticleRecord> = store
            .list_articles(tenant)
            .await?
            .into_iter()
            .map(|a| ((a.slug.clone(), a.lang), a))
            .collect();
        let at = self.now();
        let mut counts = Imported::default();
        let mut batch = Vec::new();
        for (i, d) in drafts.into_iter().enumerate() {
            let old = existing.get(&(d.slug.clone(), d.lang));
            progress();
            match old {
                Some(o) if draft_of(o) == d => counts.unchanged += 1,
                Some(o) => {
                    counts.updated += 1;
                    batch.push(o.clone().with_draft(d, at));
                }
                None => {
                    counts.created += 1;
                    let id = ArticleId::new_at(at + time::Duration::microseconds(i as i64));
                    batch.push(ArticleRecord::from_draft(id, tenant.clone(), d, at));
                }
            }
        }
        store.save_articles(&batch, "import", author).await?;
        Ok(counts)
    }

    /// Every article of the tenant, archived ones included.
    pub async fn articles(&self, tenant: &TenantId) -> Result<Vec<ArticleRecord>> {
        Ok(self.inner.store.list_articles(tenant).await?)
    }

    /// One article with its versions, newest first.
    pub async fn article(&self, tenant: &TenantId, id: ArticleId) -> Result<(ArticleRecord, Vec<ArticleVersion>)> {
        let a = self.find_article(tenant, id).await?;
        let versions = self.inner.store.article_versions(tenant, id).await?;
        Ok((a, versions))
    }

    async fn find_article(&self, tenant: &TenantId, id: ArticleId) -> Result<ArticleRecord> {
        self.inner
            .store
            .get_article(tenant, id)
            .await?
            .ok_or(EngineError::ArticleNotFound)
    }

    /// No other article of the tenant may have the same slug and language.
    async fn check_unique(&self, tenant: &TenantId, d: &ArticleDraft, except: Option<ArticleId>) -> Result<()> {
        let clash = self
            .inner
            .store
            .list_articles(tenant)
            .await?
            .into_iter()
            .find(|a| a.slug == d.slug && a.lang == d.lang && Some(a.id) != except);
        match clash {
            Some(a) if a.archived => Err(EngineError::Conflict(format!(
                "an archived article already has slug {:?} in {}: restore it instead",
                d.slug,
                d.lang.as_str()
            ))),
            Some(_) => Err(EngineError::Conflict(format!(
                "an article already has slug {:?} in {}",
                d.slug,
                d.lang.as_str()
            ))),
            None => Ok(()),
        }
    }

    async fn save_version(&self, a: ArticleRecord, change: Change, author: &str) -> Result<ArticleRecord> {
        let saved = self.inner.store.save_article(&a, change.as_str(), author).await?;
        self.reload_kb(&a.tenant).await?;
        tracing::info!(tenant = %a.tenant, article = %a.id, version = saved.version, change = change.as_str(), "article saved");
        Ok(saved)
    }

    pub async fn create_article(&self, tenant: &TenantId, draft: ArticleDraft, author: &str) -> Result<ArticleRecord> {
        let d = draft
            .normalized()
            .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
        self.check_unique(tenant, &d, None).await?;
        let at = self.now();
        let a = ArticleRecord::from_draft(ArticleId::new_at(at), tenant.clone(), d, at);
        self.save_version(a, Change::Create, author).await
    }

    pub async fn update_article(
        &self,
        tenant: &TenantId,
        id: ArticleId,
        draft: ArticleDraft,
        author: &str,
    ) -> Result<ArticleRecord> {
        let d = draft
            .normalized()
            .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
        let current = self.find_article(tenant, id).await?;
        self.check_unique(tenant, &d, Some(id)).await?;
        self.save_version(current.with_draft(d, self.now()), Change::Update, author)
            .await
    }

    /// Archives (the AI stops using it) or restores an article.
    pub async fn set_archived(
        &self,
        tenant: &TenantId,
        id: ArticleId,
        archived: bool,
        author: &str,
    ) -> Result<ArticleRecord> {
        let current = self.find_article(tenant, id).await?;
        if current.archived == archived {
            return Ok(current);
        }
        if !archived {
            self.check_unique(tenant, &draft_of(&current), Some(id)).await?;
        }
        let change = if archived { Change::Archive } else { Change::Restore };
        let a = ArticleRecord {
            archived,
            updated_at: self.now(),
            ..current
        };
        self.save_version(a, change, author).await
    }

    /// Brings back the content of an earlier version as a new version (the history is kept).
    pub async fn revert_article(
        &self,
        tenant: &TenantId,
        id: ArticleId,
        version: u32,
        author: &str,
    ) -> Result<ArticleRecord> {
        let current = self.find_article(tenant, id).await?;
        let old = self
            .inner
            .store
            .article_versions(tenant, id)
            .await?
            .into_iter()
            .find(|v| v.article.version == version)
            .ok_or_else(|| EngineError::InvalidInput(format!("the article has no version {version}")))?
            .article;
        let d = draft_of(&old);
        self.check_unique(tenant, &d, Some(id)).await?;
        self.save_version(
            current.with_draft(d, self.now()),
            Change::Revert { to: version },
            author,
        )
        .await
    }

    /// How version `to` (default: the newest) differs from version `from` (default: the one before
    /// `to`; version 1 is compared with an empty article).
    pub async fn article_diff(
        &self,
        tenant: &TenantId,
        id: ArticleId,
        from: Option<u32>,
        to: Option<u32>,
    ) -> Result<(u32, u32, backstop_core::kb::Diff)> {
        let current = self.find_article(tenant, id).await?;
        let versions = self.inner.store.article_versions(tenant, id).await?;
        let to = to.unwrap_or(current.version);
        let from = from.unwrap_or(to.saturating_sub(1));
        let find = |v: u32| {
            versions
                .iter()
                .find(|x| x.article.version == v)
                .map(|x| draft_of(&x.article))
                .ok_or_else(|| EngineError::InvalidInput(format!("the article has no version {v}")))
        };
        let new = find(to)?;
        let old = if from == 0 {
            ArticleDraft {
                slug: new.slug.clone(),
                lang: new.lang,
                topic: new.topic.clone(),
                title: String::new(),
                body: String::new(),
                questions: Vec::new(),
            }
        } else {
            find(from)?
        };
        Ok((from, to, backstop_core::kb::diff(&old, &new)))
    }
}
