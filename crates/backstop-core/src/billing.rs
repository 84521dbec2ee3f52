//! Billing: what a tenant pays for a month's usage under its plan. A plan has a monthly fee and,
//! per billable item (AI resolutions, assisted and human-handled conversations, messages, model
//! tokens, action calls), a volume included and graduated tiers of unit prices for what goes
//! beyond; soft and hard limits say when the admin is warned and when a use stops. Money is in
//! minor units (cents, fen) as integers; a price is per `per` units (per 1,000 tokens), rounded
//! half up once per tier. Written once here for the statement page, its API and its CSV.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{FieldError, Fields};

/// A billable item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    /// A conversation the AI resolved (confirmed by the customer or assumed after the window).
    AiResolution,
    /// The AI helped, a person finished.
    Assisted,
    /// Handled by a person from the start.
    HumanResolved,
    /// Customer messages, every channel.
    Messages,
    /// Model tokens, prompt and completion.
    ModelTokens,
    /// Calls to the merchant's systems (actions).
    ActionCalls,
}

impl Item {
    pub const ALL: &'static [Item] = &[
        Item::AiResolution,
        Item::Assisted,
        Item::HumanResolved,
        Item::Messages,
        Item::ModelTokens,
        Item::ActionCalls,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Item::AiResolution => "ai_resolution",
            Item::Assisted => "assisted",
            Item::HumanResolved => "human_resolved",
            Item::Messages => "messages",
            Item::ModelTokens => "model_tokens",
            Item::ActionCalls => "action_calls",
        }
    }
}

/// One tier: units up to `up_to` (counted from the first billable unit; `None`: all the rest)
/// cost `price` minor units per `per` units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    #[serde(default)]
    pub up_to: Option<u64>,
    pub price: u64,
}

/// How one item is charged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pricing {
    pub item: Item,
    /// Units included in the monthly fee.
    #[serde(default)]
    pub included: u64,
    /// Prices are per this many units (1 for resolutions, 1,000 for tokens).
    #[serde(default = "one")]
    pub per: u64,
    /// Graduated tiers for the units beyond those included; the last one has no `up_to`.
    #[serde(default)]
    pub tiers: Vec<Tier>,
    /// At this many units the admin is told (a share of a budget, say).
    #[serde(default)]
    pub soft_limit: Option<u64>,
    /// At this many units the use stops (model tokens: extractive answers only).
    #[serde(default)]
    pub hard_limit: Option<u64>,
}

fn one() -> u64 {
    1
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub name: String,
    /// ISO 4217 code of every amount (`CNY`, `USD`).
    pub currency: String,
    /// Minor units a month, whatever the usage.
    #[serde(default)]
    pub monthly_fee: u64,
    #[serde(default)]
    pub pricing: Vec<Pricing>,
}

/// Where a use stands against its limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitState {
    Within,
    /// At or past the soft limit: tell the admin.
    Warned,
    /// At or past the hard limit: stop.
    Reached,
}

impl Pricing {
    /// Where `used` units stand against the limits.
    pub fn limit_state(&self, used: u64) -> LimitState {
        if self.hard_limit.is_some_and(|h| used >= h) {
            LimitState::Reached
        } else if self.soft_limit.is_some_and(|s| used >= s) {
            LimitState::Warned
        } else {
            LimitState::Within
        }
    }
}

impl Plan {
    pub const MAX_AMOUNT: u64 = 1_000_000_000_000;

    /// Checks the plan, naming each field (`pricing.0.tiers.1.up_to`).
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut f = Fields::default();
        f.text("name", &self.name, 80);
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            f.bad("currency", "must be an ISO 4217 code such as CNY or USD");
        }
        if self.monthly_fee > Self::MAX_AMOUNT {
            f.bad("monthly_fee", "is too large");
        }
        let mut seen = Vec::new();
        for (i, p) in self.pricing.iter().enumerate() {
            let at = |x: &str| format!("pricing.{i}.{x}");
            if seen.contains(&p.item) {
                f.bad(at("item"), format!("{} is priced twice", p.item.as_str()));
            }
            seen.push(p.item);
            if p.per == 0 {
                f.bad(at("per"), "must be at least 1");
            }
            let mut last = 0;
            for (j, t) in p.tiers.iter().enumerate() {
                let last_tier = j + 1 == p.tiers.len();
                match t.up_to {
                    None if !last_tier => {
                        f.bad(at(&format!("tiers.{j}.up_to")), "only the last tier may be open-ended")
                    }
                    Some(_) if last_tier => f.bad(at(&format!("tiers.{j}.up_to")), "the last tier must be open-ended"),
                    Some(u) if u <= last => f.bad(at(&format!("tiers.{j}.up_to")), "must be above the tier before"),
                    Some(u) => last = u,
                    None => {}
                }
                if t.price > Self::MAX_AMOUNT {
                    f.bad(at(&format!("tiers.{j}.price")), "is too large");
                }
            }
            if let (Some(s), Some(h)) = (p.soft_limit, p.hard_limit) {
                if s > h {
                    f.bad(at("soft_limit"), "cannot be above the hard limit");
                }
            }
        }
        f.done()
    }

    pub fn pricing_of(&self, item: Item) -> Option<&Pricing> {
        self.pricing.iter().find(|p| p.item == item)
    }
}

/// A month's usage, item by item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage(pub std::collections::BTreeMap<Item, u64>);

impl Usage {
    pub fn get(&self, item: Item) -> u64 {
        self.0.get(&item).copied().unwrap_or(0)
    }

    /// The usage in a rollup total (the conversations' outcomes as they stand, their messages,
    /// tokens and action calls).
    pub fn of(totals: &crate::analytics::Contribution) -> Usage {
        use crate::analytics::Sum;
        let n = |s: Sum| totals.get(s).max(0) as u64;
        Usage(
            [
                (Item::AiResolution, n(Sum::AiResolved)),
                (Item::Assisted, n(Sum::Assisted)),
                (Item::HumanResolved, n(Sum::HumanResolved)),
                (Item::Messages, n(Sum::CustomerMessages)),
                (Item::ModelTokens, n(Sum::PromptTokens) + n(Sum::CompletionTokens)),
                (Item::ActionCalls, n(Sum::ActionCalls)),
            ]
            .into_iter()
            .collect(),
        )
    }
}

impl Plan {
    /// What a tenant without a plan gets: every item listed, nothing charged.
    pub fn usage_only(currency: &str) -> Plan {
        Plan {
            name: "usage only".into(),
            currency: currency.to_owned(),
            monthly_fee: 0,
            pricing: Item::ALL
                .iter()
                .map(|&item| Pricing {
                    item,
                    included: 0,
                    per: if item == Item::ModelTokens { 1_000 } else { 1 },
                    tiers: Vec::new(),
                    soft_limit: None,
                    hard_limit: None,
                })
                .collect(),
        }
    }
}

/// The part of a line charged at one tier's price.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TierCharge {
    pub units: u64,
    pub price: u64,
    pub amount: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Line {
    pub item: Item,
    pub used: u64,
    pub included: u64,
    /// Units beyond those included.
    pub billable: u64,
    pub per: u64,
    pub tiers: Vec<TierCharge>,
    pub amount: u64,
    pub limit: LimitState,
    /// Whether the plan prices the item (else its usage is listed, uncharged).
    pub priced: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub plan: String,
    pub currency: String,
    pub monthly_fee: u64,
    pub lines: Vec<Line>,
    pub total: u64,
}

/// `units × price / per`, rounded half up.
fn charge(units: u64, price: u64, per: u64) -> u64 {
    let n = u128::from(units) * u128::from(price);
    let per = u128::from(per.max(1));
    ((n + per / 2) / per).min(u128::from(u64::MAX)) as u64
}

/// What `usage` costs under `plan` (a checked plan): one line per priced item, in the plan's order,
/// then one per item the plan leaves out (its usage, uncharged) — every item is in the ledger.
pub fn statement(plan: &Plan, usage: &Usage) -> Statement {
    let mut lines: Vec<Line> = plan
        .pricing
        .iter()
        .map(|p| {
            let used = usage.get(p.item);
            let billable = used.saturating_sub(p.included);
            let mut left = billable;
            let mut from = 0;
            let mut tiers = Vec::new();
            for t in &p.tiers {
                if left == 0 {
                    break;
                }
                let room = t.up_to.map_or(u64::MAX, |u| u - from);
                let units = left.min(room);
                tiers.push(TierCharge {
                    units,
                    price: t.price,
                    amount: charge(units, t.price, p.per),
                });
                left -= units;
                from = t.up_to.unwrap_or(from);
            }
            let amount = tiers.iter().map(|t| t.amount).sum();
            Line {
                item: p.item,
                used,
                included: p.included,
                billable,
                per: p.per,
                tiers,
                amount,
                limit: p.limit_state(used),
                priced: true,
            }
        })
        .collect();
    for &item in Item::ALL {
        if plan.pricing_of(item).is_none() {
            lines.push(Line {
                item,
                used: usage.get(item),
                included: 0,
                billable: 0,
                per: if item == Item::ModelTokens { 1_000 } else { 1 },
                tiers: Vec::new(),
                amount: 0,
                limit: LimitState::Within,
                priced: false,
            });
        }
    }
    let total = plan.monthly_fee + lines.iter().map(|l| l.amount).sum::<u64>();
    Statement {
        plan: plan.name.clone(),
        currency: plan.currency.clone(),
        monthly_fee: plan.monthly_fee,
        lines,
        total,
    }
}

/// An amount in minor units as decimal text (`12345` → `123.45`).
pub fn decimal(minor: u64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// Where a month's usage came from, per item: customer messages by channel (`web`, `email`…),
/// model tokens by model. The ledger's detail: the price is of the item's whole usage.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown(pub BTreeMap<Item, BTreeMap<String, u64>>);

impl Breakdown {
    /// Adds `n` units of `item` from `source` (zero adds nothing).
    pub fn add(&mut self, item: Item, source: &str, n: u64) {
        if n > 0 {
            *self.0.entry(item).or_default().entry(source.to_owned()).or_default() += n;
        }
    }

    /// The sources of `item`, by name.
    pub fn of(&self, item: Item) -> impl Iterator<Item = (&str, u64)> {
        self.0.get(&item).into_iter().flatten().map(|(k, v)| (k.as_str(), *v))
    }
}

/// What a breakdown row calls its source: `channel` for messages, `model` for tokens.
fn source_kind(item: Item) -> &'static str {
    match item {
        Item::ModelTokens => "model",
        Item::Messages => "channel",
        _ => "source",
    }
}

/// A CSV cell: quoted when it holds a comma, quote or line break.
fn cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

impl Statement {
    /// The statement as CSV: one row per tier charge (and the fee and the total), amounts in
    /// major units with two decimals; after an item's charges, a row per source of its usage
    /// (`detail` is `channel:web`, `model:qwen2.5`; only `used` is filled).
    pub fn csv(&self, month: &str, breakdown: &Breakdown) -> String {
        let mut out = String::from("month,item,detail,used,included,billable,units,unit_price,per,amount,currency\n");
        let cur = &self.currency;
        out.push_str(&format!(
            "{month},monthly_fee,,,,,,,,{},{cur}\n",
            decimal(self.monthly_fee)
        ));
        for l in &self.lines {
            if l.tiers.is_empty() {
                out.push_str(&format!(
                    "{month},{},,{},{},{},0,,{},0.00,{cur}\n",
                    l.item.as_str(),
                    l.used,
                    l.included,
                    l.billable,
                    l.per
                ));
            }
            for t in &l.tiers {
                out.push_str(&format!(
                    "{month},{},,{},{},{},{},{},{},{},{cur}\n",
                    l.item.as_str(),
                    l.used,
                    l.included,
                    l.billable,
                    t.units,
                    decimal(t.price),
                    l.per,
                    decimal(t.amount)
                ));
            }
            for (source, n) in breakdown.of(l.item) {
                let detail = cell(&format!("{}:{source}", source_kind(l.item)));
                out.push_str(&format!("{month},{},{detail},{n},,,,,,,{cur}\n", l.item.as_str()));
            }
        }
        out.push_str(&format!("{month},total,,,,,,,,{},{cur}\n", decimal(self.total)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seeds' per-ticket tiers: 1,000 AI resolutions included, then ¥1.00, ¥0.80 past 10,000
    /// more, ¥0.60 past 50,000; people's conversations ¥5.00; tokens ¥0.02 per 1,000 with a
    /// budget.
    fn plan() -> Plan {
        Plan {
            name: "Growth".into(),
            currency: "CNY".into(),
            monthly_fee: 199_900,
            pricing: vec![
                Pricing {
                    item: Item::AiResolution,
                    included: 1_000,
                    per: 1,
                    tiers: vec![
                        Tier {
                            up_to: Some(10_000),
                            price: 100,
                        },
                        Tier {
                            up_to: Some(50_000),
                            price: 80,
                        },
                        Tier { up_to: None, price: 60 },
                    ],
                    soft_limit: None,
                    hard_limit: None,
                },
                Pricing {
                    item: Item::HumanResolved,
                    included: 0,
                    per: 1,
                    tiers: vec![Tier {
                        up_to: None,
                        price: 500,
                    }],
                    soft_limit: None,
                    hard_limit: None,
                },
                Pricing {
                    item: Item::ModelTokens,
                    included: 1_000_000,
                    per: 1_000,
                    tiers: vec![Tier { up_to: None, price: 2 }],
                    soft_limit: Some(8_000_000),
                    hard_limit: Some(10_000_000),
                },
            ],
        }
    }

    fn usage(pairs: &[(Item, u64)]) -> Usage {
        Usage(pairs.iter().copied().collect())
    }

    #[test]
    fn tiers_are_graduated_beyond_what_is_included() {
        let s = statement(
            &plan(),
            &usage(&[
                (Item::AiResolution, 61_000),
                (Item::HumanResolved, 3),
                (Item::ModelTokens, 2_500_499),
            ]),
        );
        let ai = &s.lines[0];
        assert_eq!((ai.used, ai.billable), (61_000, 60_000));
        let parts: Vec<(u64, u64)> = ai.tiers.iter().map(|t| (t.units, t.amount)).collect();
        assert_eq!(parts, [(10_000, 1_000_000), (40_000, 3_200_000), (10_000, 600_000)]);
        assert_eq!(ai.amount, 4_800_000);
        assert_eq!(s.lines[1].amount, 1_500);
        // 1,500,499 tokens beyond the included million at 2 fen per 1,000: 3,000.998 → 3,001.
        assert_eq!(s.lines[2].amount, 3_001);
        assert_eq!(s.total, 199_900 + 4_800_000 + 1_500 + 3_001);
        let csv = s.csv("2026-11", &Breakdown::default());
        assert!(
            csv.contains("2026-11,ai_resolution,,61000,1000,60000,40000,0.80,1,32000.00,CNY\n"),
            "{csv}"
        );
        assert!(csv.ends_with(&format!("2026-11,total,,,,,,,,{},CNY\n", decimal(s.total))));
    }

    #[test]
    fn items_the_plan_leaves_out_are_listed_uncharged() {
        let s = statement(&plan(), &usage(&[(Item::Messages, 40), (Item::ActionCalls, 3)]));
        let items: Vec<(Item, bool, u64, u64)> = s.lines.iter().map(|l| (l.item, l.priced, l.used, l.amount)).collect();
        assert_eq!(
            items,
            [
                (Item::AiResolution, true, 0, 0),
                (Item::HumanResolved, true, 0, 0),
                (Item::ModelTokens, true, 0, 0),
                (Item::Assisted, false, 0, 0),
                (Item::Messages, false, 40, 0),
                (Item::ActionCalls, false, 3, 0),
            ]
        );
        assert_eq!(s.total, 199_900, "nothing unpriced is charged");
    }

    #[test]
    fn the_csv_lists_each_items_sources_after_its_charges() {
        let mut b = Breakdown::default();
        b.add(Item::Messages, "web", 30);
        b.add(Item::Messages, "email", 12);
        b.add(Item::Messages, "web", 8);
        b.add(Item::Messages, "whatsapp", 0);
        b.add(Item::ModelTokens, "qwen2.5, small", 2_500_499);
        let s = statement(&plan(), &usage(&[(Item::Messages, 50), (Item::ModelTokens, 2_500_499)]));
        let csv = s.csv("2026-11", &b);
        let lines: Vec<&str> = csv.lines().collect();
        let header = lines[0].split(',').count();
        let at = |needle: &str| lines.iter().position(|l| l.starts_with(needle)).unwrap_or(usize::MAX);
        assert!(
            at("2026-11,messages,channel:email,12,") > at("2026-11,messages,,"),
            "{csv}"
        );
        assert_eq!(
            at("2026-11,messages,channel:web,38,"),
            at("2026-11,messages,channel:email") + 1,
            "{csv}"
        );
        assert!(
            !csv.contains("whatsapp"),
            "no row for a source that added nothing: {csv}"
        );
        assert!(
            csv.contains("2026-11,model_tokens,\"model:qwen2.5, small\",2500499,,,,,,,CNY\n"),
            "a comma in a model's name is quoted: {csv}"
        );
        for l in &lines {
            let cells = l.replace("\"model:qwen2.5, small\"", "x").split(',').count();
            assert_eq!(cells, header, "{l}");
        }
    }

    #[test]
    fn usage_within_the_included_volume_costs_only_the_fee() {
        for used in [0, 1, 999, 1_000] {
            let s = statement(&plan(), &usage(&[(Item::AiResolution, used)]));
            assert_eq!((s.lines[0].billable, s.lines[0].amount), (0, 0), "{used}");
            assert_eq!(s.total, 199_900);
        }
        let s = statement(&plan(), &usage(&[(Item::AiResolution, 1_001)]));
        assert_eq!(
            s.lines[0].tiers,
            [TierCharge {
                units: 1,
                price: 100,
                amount: 100
            }]
        );
    }

    #[test]
    fn the_amount_grows_with_usage_and_every_billable_unit_is_charged_once() {
        // Every usage from 0 to 70,000 in steps: amount is monotone and each step at most the
        // highest price.
        let p = plan();
        let mut last = 0;
        for used in (0..70_000).step_by(97) {
            let a = statement(&p, &usage(&[(Item::AiResolution, used)])).lines[0].amount;
            assert!(a >= last, "{used}");
            assert!(a - last <= 97 * 100, "{used}");
            let units: u64 = statement(&p, &usage(&[(Item::AiResolution, used)])).lines[0]
                .tiers
                .iter()
                .map(|t| t.units)
                .sum();
            assert_eq!(units, used.saturating_sub(1_000), "every billable unit is charged once");
            last = a;
        }
    }

    #[test]
    fn limits_warn_then_stop() {
        let p = plan();
        let tokens = p.pricing_of(Item::ModelTokens).unwrap();
        assert_eq!(tokens.limit_state(7_999_999), LimitState::Within);
        assert_eq!(tokens.limit_state(8_000_000), LimitState::Warned);
        assert_eq!(tokens.limit_state(10_000_000), LimitState::Reached);
        let s = statement(&p, &usage(&[(Item::ModelTokens, 9_000_000)]));
        assert_eq!(s.lines[2].limit, LimitState::Warned);
    }

    #[test]
    fn a_plan_is_checked_field_by_field() {
        assert!(plan().validate().is_ok());
        let mut bad = plan();
        bad.currency = "yuan".into();
        bad.pricing[0].tiers[1].up_to = Some(5_000);
        bad.pricing[0].tiers[2].up_to = Some(90_000);
        bad.pricing[1].item = Item::AiResolution;
        bad.pricing[2].soft_limit = Some(20_000_000);
        bad.pricing[2].per = 0;
        let fields: Vec<String> = bad.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "currency",
                "pricing.0.tiers.1.up_to",
                "pricing.0.tiers.2.up_to",
                "pricing.1.item",
                "pricing.2.per",
                "pricing.2.soft_limit"
            ]
        );
        let json = serde_json::to_string(&plan()).unwrap();
        let back: Plan = serde_json::from_str(&json).unwrap();
        assert_eq!(back, plan(), "a plan reads back as written");
    }
}
