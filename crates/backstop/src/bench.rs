//! Benchmarks of the server's own paths on this machine: `backstop bench store` (the storage write
//! path alone, see [`store`]) and `backstop bench sla` (how late a missed first-reply target is
//! noticed, see [`sla`]) and `backstop bench analytics` (the reports' questions over a generated
//! history, see [`analytics`]). The models' benchmarks are `backstop-lab bench`; the whole server under
//! load is `backstop-load`.

mod analytics;
mod sla;
mod store;
pub use analytics::{analytics, Options as AnalyticsOptions};
pub use sla::sla;
pub use store::store;
