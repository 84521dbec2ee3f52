//! A tenant's plan and its monthly statement: the month's usage read from the rollups (the
//! conversations' outcomes as they stand — an outcome still inside its settlement window is
//! counted as it is and marked provisional —, customer messages by channel, action calls) and the
//! model tokens of the month's calls by model as the budget counts them (the copilot's too),
//! priced by the plan in effect when the month ends (`backstop_core::billing`): a plan saved now
//! prices this month and those after, and a month already over keeps the plan it ended with. A
//! month without a plan lists its usage, uncharged.

use backstop_core::analytics::{Contribution, Sum};
use backstop_core::billing::{self, Breakdown, Item, Plan, Statement, Usage};
use backstop_core::ids::TenantId;
use backstop_store::{RollupFilter, RollupGroup};
use time::{Date, Month};

use crate::{Engine, EngineError, Result};

/// One month's statement.
#[derive(Clone, Debug)]
pub struct MonthStatement {
    /// `2026-11`.
    pub month: String,
    pub plan: Plan,
    pub usage: Usage,
    /// Customer messages by channel, model tokens by model.
    pub breakdown: Breakdown,
    pub statement: Statement,
    /// Conversations of the month whose outcome may still change (still going, or inside the
    /// settlement window): the statement is final once this is zero.
    pub provisional: u64,
    /// Whether a plan was in effect when the month ended (else the usage is listed uncharged).
    pub has_plan: bool,
}

/// `2026-11` → the first day of the month and of the next.
pub fn month_range(month: &str) -> Result<(Date, Date)> {
    let bad = || EngineError::InvalidInput(format!("month {month:?}: write it as YYYY-MM, e.g. 2026-11"));
    let (y, m) = month.trim().split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let (y, m): (i32, u8) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(2000..=2999).contains(&y) {
        return Err(bad());
    }
    let month = Month::try_from(m).map_err(|_| bad())?;
    let first = Date::from_calendar_date(y, month, 1).map_err(|_| bad())?;
    let next = match month {
        Month::December => Date::from_calendar_date(y + 1, Month::January, 1),
        m => Date::from_calendar_date(y, m.next(), 1),
    }
    .map_err(|_| bad())?;
    Ok((first, next))
}

impl Engine {
    /// The tenant's saved plan, or `None`.
    pub async fn saved_plan(&self, tenant: &TenantId) -> Result<Option<Plan>> {
        Ok(self.inner.store.get_plan(tenant).await?)
    }

    /// Checks and saves a new version of the tenant's plan: it prices this month and those after;
    /// a month already over keeps the plan in effect when it ended.
    pub async fn save_plan(&self, tenant: &TenantId, plan: Plan, by: &str) -> Result<Plan> {
        if self.inner.store.get_tenant(tenant).await?.is_none() {
            return Err(EngineError::TenantNotFound);
        }
        plan.validate().map_err(EngineError::Invalid)?;
        self.inner.store.save_plan(tenant, &plan, by, self.now()).await?;
        tracing::info!(%tenant, by, plan = %plan.name, "billing plan saved");
        Ok(plan)
    }

    /// The statement of `month` (`YYYY-MM`, UTC).
    pub async fn statement(&self, tenant: &TenantId, month: &str) -> Result<MonthStatement> {
        let (first, next) = month_range(month)?;
        let hour = |d: Date| d.midnight().assume_utc().unix_timestamp().div_euclid(3600);
        let filter = RollupFilter {
            from_hour: hour(first),
            to_hour: hour(next),
            team: None,
            channel: None,
            lang: None,
            topic: None,
        };
        // One read by channel: the month's totals are the channels' sums.
        let by_channel = self
            .inner
            .store
            .rollup_sums(tenant, &filter, RollupGroup::Channel, Sum::ALL)
            .await?;
        let mut sums = vec![0; Sum::ALL.len()];
        let mut breakdown = Breakdown::default();
        for (channel, s) in &by_channel {
            for (total, v) in sums.iter_mut().zip(s) {
                *total += v;
            }
            let c = Contribution {
                sums: s.clone(),
                ..Default::default()
            };
            breakdown.add(Item::Messages, channel, c.get(Sum::CustomerMessages).max(0) as u64);
        }
        let totals = Contribution {
            sums,
            ..Default::default()
        };
        let month_end = next.midnight().assume_utc();
        let saved = self.inner.store.plan_in_effect(tenant, month_end).await?;
        let has_plan = saved.is_some();
        let plan = saved.unwrap_or_else(|| Plan::usage_only(&self.inner.config.analytics.costs.currency));
        let mut usage = Usage::of(&totals);
        // Model tokens as the budget counts them: every call of the month, the copilot's too.
        let month = format!("{}-{:02}", first.year(), u8::from(first.month()));
        let tokens = self.inner.store.model_usage(tenant, &month).await?;
        usage.0.insert(Item::ModelTokens, tokens.total());
        for m in &tokens.by_model {
            breakdown.add(Item::ModelTokens, &m.model, m.total());
        }
        let statement = billing::statement(&plan, &usage);
        let provisional = (totals.get(Sum::Conversations) - totals.get(Sum::Final)).max(0) as u64;
        Ok(MonthStatement {
            month,
            plan,
            usage,
            breakdown,
            statement,
            provisional,
            has_plan,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_is_read_strictly() {
        let (a, b) = month_range("2026-12").unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2026-12-01".into(), "2027-01-01".into())
        );
        let (a, b) = month_range(" 2026-02 ").unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2026-02-01".into(), "2026-03-01".into())
        );
        for bad in [
            "2026-13", "2026-00", "26-11", "2026/11", "", "november", "1999-01", "02026-01",
        ] {
            assert!(month_range(bad).is_err(), "{bad:?}");
        }
    }
}
