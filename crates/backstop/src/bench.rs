//! Benchmarks of the server's own paths on this machine: `backstop bench store` (the storage write
//! path alone, see [`store`]) and `backstop bench sla` (how late a missed first-reply target is
//! noticed, see [`sla`]). The models' benchmarks are `backstop-lab bench`; the whole server under
//! load is `backstop-load`.

mod sla;
mod store;
pub use sla::sla;
pub use store::store;
