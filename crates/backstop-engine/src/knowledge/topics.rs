//! A tenant's topics: the `topic` slugs its articles share, with the names the tenant gives them
//! per language. The AI names a topic in its own words only when it offers one ("Is this about
//! shipping?"), every page shows a topic by its name, and a topic nobody named reads as its slug.

use std::collections::BTreeMap;

use backstop_core::ids::TenantId;
use backstop_core::kb::{TopicNames, Topics};
use backstop_core::message::Lang;

use crate::{Engine, EngineError, Result};

/// A topic with its names and the articles (not archived) that use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topic {
    pub slug: String,
    pub names: BTreeMap<Lang, String>,
    pub articles: u32,
}

impl Engine {
    /// Every topic of the tenant — those its articles use and those it named — by slug.
    pub async fn topics(&self, tenant: &TenantId) -> Result<Vec<Topic>> {
        let store = &self.inner.store;
        let (articles, named) = tokio::try_join!(store.list_articles(tenant), store.list_topics(tenant))?;
        let mut out: BTreeMap<String, Topic> = named
            .into_iter()
            .map(|t| {
                let topic = Topic {
                    slug: t.slug.clone(),
                    names: t.names,
                    articles: 0,
                };
                (t.slug, topic)
            })
            .collect();
        for a in articles.into_iter().filter(|a| !a.archived) {
            out.entry(a.topic.clone())
                .or_insert_with(|| Topic {
                    slug: a.topic,
                    names: BTreeMap::new(),
                    articles: 0,
                })
                .articles += 1;
        }
        Ok(out.into_values().collect())
    }

    /// Names a topic (its names replaced; none forgets them). The caller checks the permission.
    pub async fn name_topic(&self, tenant: &TenantId, names: TopicNames) -> Result<Topic> {
        let names = names
            .normalized()
            .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
        self.inner.store.save_topic(tenant, &names).await?;
        let topics = self.topics(tenant).await?;
        Ok(topics.into_iter().find(|t| t.slug == names.slug).unwrap_or(Topic {
            slug: names.slug,
            names: names.names,
            articles: 0,
        }))
    }

    /// The tenant's topic names, for what the AI says (read when it offers a topic).
    pub(crate) async fn topic_names(&self, tenant: &TenantId) -> Result<Topics> {
        Ok(Topics::new(self.inner.store.list_topics(tenant).await?))
    }
}
