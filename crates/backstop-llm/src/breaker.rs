//! The circuit breaker in front of an endpoint: closed while calls succeed; open for a cool-down
//! after `threshold` failures in a row (no call is made: the caller falls back at once instead of
//! waiting for timeouts); then half-open, letting one trial call through, whose outcome closes or
//! re-opens it.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

#[derive(Debug)]
enum State {
    Closed {
        failures: u32,
    },
    Open {
        until: Instant,
        failures: u32,
    },
    /// One trial is in flight; others are refused until it ends.
    HalfOpen {
        failures: u32,
    },
}

#[derive(Debug)]
pub struct Breaker {
    state: Mutex<State>,
    threshold: u32,
    cool_down: Duration,
}

impl Breaker {
    pub fn new(threshold: u32, cool_down: Duration) -> Self {
        Breaker {
            state: Mutex::new(State::Closed { failures: 0 }),
            threshold: threshold.max(1),
            cool_down,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// May a call go out now? `Err(failures)` when the breaker refuses it.
    pub fn allow(&self) -> Result<(), u32> {
        let mut s = self.lock();
        match *s {
            State::Closed { .. } => Ok(()),
            State::Open { until, failures } => {
                if Instant::now() >= until {
                    *s = State::HalfOpen { failures };
                    Ok(())
                } else {
                    Err(failures)
                }
            }
            State::HalfOpen { failures } => Err(failures),
        }
    }

    pub fn success(&self) {
        *self.lock() = State::Closed { failures: 0 };
    }

    pub fn failure(&self) {
        let mut s = self.lock();
        let failures = match *s {
            State::Closed { failures } | State::Open { failures, .. } | State::HalfOpen { failures } => failures + 1,
        };
        let half_open = matches!(*s, State::HalfOpen { .. });
        *s = if half_open || failures >= self.threshold {
            State::Open {
                until: Instant::now() + self.cool_down,
                failures,
            }
        } else {
            State::Closed { failures }
        };
    }

    pub fn state(&self) -> BreakerState {
        match *self.lock() {
            State::Closed { .. } => BreakerState::Closed,
            State::Open { until, .. } if Instant::now() >= until => BreakerState::HalfOpen,
            State::Open { .. } => BreakerState::Open,
            State::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn opens_after_the_threshold_and_heals_through_one_trial() {
        let b = Breaker::new(3, Duration::from_secs(30));
        for _ in 0..2 {
            b.failure();
        }
        assert_eq!(b.state(), BreakerState::Closed);
        assert!(b.allow().is_ok());
        b.failure();
        assert_eq!(b.state(), BreakerState::Open);
        assert_eq!(b.allow(), Err(3));
        tokio::time::advance(Duration::from_secs(31)).await;
        // One trial goes out; a second caller waits for its outcome.
        assert!(b.allow().is_ok());
        assert_eq!(b.allow(), Err(3));
        // The trial fails: open again at once, for a whole cool-down.
        b.failure();
        assert_eq!(b.state(), BreakerState::Open);
        tokio::time::advance(Duration::from_secs(31)).await;
        assert!(b.allow().is_ok());
        b.success();
        assert_eq!(b.state(), BreakerState::Closed);
        assert!(b.allow().is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_success_resets_the_count() {
        let b = Breaker::new(2, Duration::from_secs(5));
        b.failure();
        b.success();
        b.failure();
        assert_eq!(b.state(), BreakerState::Closed);
    }
}
