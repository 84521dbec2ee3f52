//! Maple Market's seeded orders: a few customers (the demo's VIP among them), orders in every
//! state an order question meets — paid and not shipped (cancellable), shipped with tracking
//! events, delivered (refundable), cancelled — in both languages' item names.

use serde::Serialize;

/// One line of an order.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    pub sku: String,
    pub name_en: String,
    pub name_zh: String,
    pub quantity: u32,
    /// In yuan.
    pub price: f64,
}

/// One scan of a parcel.
#[derive(Clone, Debug, Serialize)]
pub struct TrackingEvent {
    pub at: String,
    pub place: String,
    pub status: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Shipment {
    pub carrier: String,
    pub tracking_number: String,
    pub eta: String,
    pub events: Vec<TrackingEvent>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Paid,
    Shipped,
    Delivered,
    Cancelled,
}

#[derive(Clone, Debug, Serialize)]
pub struct Refund {
    pub id: String,
    pub amount: f64,
    pub reason: String,
    pub state: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Order {
    pub number: String,
    pub email: String,
    pub phone: String,
    pub status: Status,
    pub placed_at: String,
    pub currency: String,
    pub total: f64,
    pub items: Vec<Item>,
    pub address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipment: Option<Shipment>,
    pub refunds: Vec<Refund>,
}

fn item(sku: &str, en: &str, zh: &str, quantity: u32, price: f64) -> Item {
    Item {
        sku: sku.into(),
        name_en: en.into(),
        name_zh: zh.into(),
        quantity,
        price,
    }
}

fn event(at: &str, place: &str, status: &str) -> TrackingEvent {
    TrackingEvent {
        at: at.into(),
        place: place.into(),
        status: status.into(),
    }
}

#[allow(clippy::too_many_arguments)]
fn order(
    number: &str,
    email: &str,
    phone: &str,
    status: Status,
    placed_at: &str,
    address: &str,
    items: Vec<Item>,
    shipment: Option<Shipment>,
) -> Order {
    let total = items.iter().map(|i| i.price * f64::from(i.quantity)).sum();
    Order {
        number: number.into(),
        email: email.into(),
        phone: phone.into(),
        status,
        placed_at: placed_at.into(),
        currency: "CNY".into(),
        total,
        items,
        address: address.into(),
        shipment,
        refunds: Vec::new(),
    }
}

/// The demo's orders. Alice (alice@example.com) is the demo store's signed-in VIP customer.
pub fn seed() -> Vec<Order> {
    let alice = ("alice@example.com", "13800138000");
    let bob = ("bob@example.com", "13900139000");
    let chen = ("chen.jing@example.com", "13700137000");
    vec![
        order(
            "MM-20261128-0001",
            alice.0,
            alice.1,
            Status::Shipped,
            "2026-11-28T10:12:00+08:00",
            "上海市徐汇区漕溪北路 88 号",
            vec![item("SKU-1001", "Merino wool scarf", "美利奴羊毛围巾", 1, 199.0)],
            Some(Shipment {
                carrier: "SF Express".into(),
                tracking_number: "SF1402876543210".into(),
                eta: "2026-12-08".into(),
                events: vec![
                    event("2026-11-28T18:40:00+08:00", "Hangzhou warehouse", "picked up"),
                    event("2026-11-29T06:15:00+08:00", "Hangzhou hub", "in transit"),
                    event(
                        "2026-11-30T09:02:00+08:00",
                        "Shanghai hub",
                        "arrived at the destination city",
                    ),
                ],
            }),
        ),
        order(
            "MM-20261205-0002",
            alice.0,
            alice.1,
            Status::Paid,
            "2026-12-05T21:30:00+08:00",
            "上海市徐汇区漕溪北路 88 号",
            vec![
                item("SKU-2040", "Ceramic pour-over set", "陶瓷手冲咖啡套装", 1, 289.0),
                item("SKU-2041", "Coffee filters (100)", "咖啡滤纸（100 张）", 2, 50.0),
            ],
            None,
        ),
        order(
            "MM-20261120-0003",
            bob.0,
            bob.1,
            Status::Delivered,
            "2026-11-20T14:05:00+08:00",
            "Flat 2, 14 King Street, London",
            vec![item("SKU-3300", "Noise-cancelling headphones", "降噪耳机", 1, 1299.0)],
            Some(Shipment {
                carrier: "DHL".into(),
                tracking_number: "JD014600006281234567".into(),
                eta: "2026-11-27".into(),
                events: vec![
                    event("2026-11-21T08:00:00+08:00", "Hangzhou warehouse", "picked up"),
                    event("2026-11-26T16:20:00+00:00", "London", "delivered"),
                ],
            }),
        ),
        order(
            "MM-20261110-0004",
            alice.0,
            alice.1,
            Status::Delivered,
            "2026-11-10T09:00:00+08:00",
            "上海市徐汇区漕溪北路 88 号",
            vec![item("SKU-4100", "Smart watch", "智能手表", 1, 1899.0)],
            Some(Shipment {
                carrier: "SF Express".into(),
                tracking_number: "SF1402870000001".into(),
                eta: "2026-11-12".into(),
                events: vec![
                    event("2026-11-10T18:00:00+08:00", "Hangzhou warehouse", "picked up"),
                    event("2026-11-12T11:30:00+08:00", "Shanghai", "delivered"),
                ],
            }),
        ),
        order(
            "MM-20261206-0005",
            chen.0,
            chen.1,
            Status::Paid,
            "2026-12-06T08:45:00+08:00",
            "北京市朝阳区建国路 1 号",
            vec![item("SKU-5200", "Silk pillowcase", "真丝枕套", 2, 159.0)],
            None,
        ),
        order(
            "MM-20261101-0006",
            chen.0,
            chen.1,
            Status::Cancelled,
            "2026-11-01T12:00:00+08:00",
            "北京市朝阳区建国路 1 号",
            vec![item("SKU-6001", "Linen shirt", "亚麻衬衫", 1, 239.0)],
            None,
        ),
    ]
}
