//! The engine's clock. Every time the engine records or compares (hand-over, first reply, SLA
//! deadlines, sessions) comes from one [`Clock`], so tests can move time forward by hand
//! ([`ManualClock`]) instead of waiting for a 30-second target to pass.

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

/// The system clock plus an offset that only [`ManualClock::advance`] changes: time still flows,
/// and a test can skip ahead.
#[derive(Debug, Default)]
pub struct ManualClock {
    offset: Mutex<time::Duration>,
    jumped: tokio::sync::Notify,
}

impl ManualClock {
    /// Moves the clock forward by `by` and wakes whoever watches deadlines.
    pub fn advance(&self, by: time::Duration) {
        *self.offset.lock().unwrap_or_else(|p| p.into_inner()) += by;
        self.jumped.notify_waiters();
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::now_utc() + *self.offset.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn jumped(&self) -> Option<&tokio::sync::Notify> {
        Some(&self.jumped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_jumps_forward() {
        let c = ManualClock::default();
        let before = c.now();
        c.advance(time::Duration::minutes(5));
        let after = c.now();
        assert!(after - before >= time::Duration::minutes(5));
        assert!(after - before < time::Duration::minutes(6));
    }
}
