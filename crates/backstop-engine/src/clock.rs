//! The engine's clock. Every time the engine records or compares (hand-over, first reply, SLA
//! deadlines, sessions) comes from one [`Clock`], so tests can move time forward by hand
//! ([`ManualClock`]) instead of waiting for a 30-second target to pass.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

use backstop_core::Timestamp;

/// Where the engine reads the time.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;

    /// Wakes when the time jumps (a [`ManualClock`] advanced); the system clock never jumps.
    fn jumped(&self) -> Option<&tokio::sync::Notify> {
        None
    }
}

/// The system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now_utc()
    }
}

/// A clock that only moves when told: it starts at a fixed time and never reads the wall clock
/// again, so a test that advances it by 121 s knows the engine saw exactly 121 s pass. Each reading
/// is one microsecond after the last (the store keeps microseconds), so what happens in order is
/// still stamped in order.
#[derive(Debug)]
pub struct ManualClock {
    start: Timestamp,
    offset: Mutex<time::Duration>,
    ticks: AtomicI64,
    jumped: tokio::sync::Notify,
}

impl ManualClock {
    /// A clock at `start`.
    pub fn starting_at(start: Timestamp) -> ManualClock {
        ManualClock {
            start,
            offset: Mutex::new(time::Duration::ZERO),
            ticks: AtomicI64::new(0),
            jumped: tokio::sync::Notify::new(),
        }
    }

    /// Moves the clock forward by `by` and wakes whoever watches deadlines.
    pub fn advance(&self, by: time::Duration) {
        *self.offset.lock().unwrap_or_else(|p| p.into_inner()) += by;
        self.jumped.notify_waiters();
    }
}

impl ManualClock {
    /// Moves the clock forward to `t` if it is behind (never back): for a test that also runs the
    /// command line, whose writes carry the wall clock's time.
    pub fn advance_to(&self, t: Timestamp) {
        let behind = t - self.now();
        if behind > time::Duration::ZERO {
            self.advance(behind);
        }
    }
}

impl Default for ManualClock {
    /// A clock that starts at the moment it is made (so what a test stores has plausible dates).
    fn default() -> Self {
        ManualClock::starting_at(Timestamp::now_utc())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        let tick = self.ticks.fetch_add(1, Ordering::Relaxed);
        self.start + *self.offset.lock().unwrap_or_else(|p| p.into_inner()) + time::Duration::microseconds(tick)
    }

    fn jumped(&self) -> Option<&tokio::sync::Notify> {
        Some(&self.jumped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_advanced() {
        let start = time::macros::datetime!(2026-12-06 09:00 UTC);
        let c = ManualClock::starting_at(start);
        let first = c.now();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let second = c.now();
        // The wall clock moved 20 ms; this one moved one tick.
        assert_eq!(second - first, time::Duration::microseconds(1));
        c.advance(time::Duration::minutes(5));
        assert_eq!(
            c.now() - start,
            time::Duration::minutes(5) + time::Duration::microseconds(2)
        );
    }
}
