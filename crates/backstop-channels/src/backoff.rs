//! When to try a failed delivery again: exponential back-off with jitter, at least as long as
//! the provider's `Retry-After`, and a last attempt after which the delivery is given up (and
//! shown as failed in the delivery log).

use std::time::Duration;

/// A retry schedule: the `n`th failure waits `first × factorⁿ⁻¹`, capped at `max`, scattered by
/// ±20 % so that many deliveries failing together do not come back together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub factor: u32,
    pub max: Duration,
    /// How many attempts in all, the first included.
    pub attempts: u32,
}

impl Backoff {
    /// Outbound webhooks to a tenant's systems: 5 s, 30 s, 3 min, 18 min, 1.8 h, then every 6 h
    /// up to 10 attempts — about a day and a half before an attempt is given up.
    pub const WEBHOOKS: Backoff = Backoff {
        first: Duration::from_secs(5),
        factor: 6,
        max: Duration::from_secs(6 * 3600),
        attempts: 10,
    };

    /// A message to a customer through a provider: 1 s, 2 s, 4 s … up to 2 min, 8 attempts. An
    /// answer minutes late is still worth sending; hours late, a person should know instead.
    pub const MESSAGES: Backoff = Backoff {
        first: Duration::from_secs(1),
        factor: 2,
        max: Duration::from_secs(120),
        attempts: 8,
    };

    /// How long to wait after the `failures`th failed attempt (1 for the first), or `None` when
    /// that was the last attempt. `jitter` is a uniform draw in [0, 1); `retry_after` is what the
    /// provider asked for, never shortened.
    pub fn delay(&self, failures: u32, jitter: f64, retry_after: Option<Duration>) -> Option<Duration> {
        if failures == 0 || failures >= self.attempts {
            return None;
        }
        let grown = self.first.saturating_mul(self.factor.saturating_pow(failures - 1));
        let base = grown.min(self.max);
        let scattered = base.mul_f64(0.8 + 0.4 * jitter.clamp(0.0, 1.0));
        Some(retry_after.map_or(scattered, |r| scattered.max(r)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_caps_and_stops() {
        let b = Backoff::WEBHOOKS;
        let mid: Vec<u64> = (1..10).map(|n| b.delay(n, 0.5, None).unwrap().as_secs()).collect();
        assert_eq!(mid, [5, 30, 180, 1080, 6480, 21600, 21600, 21600, 21600]);
        assert_eq!(b.delay(10, 0.5, None), None);
        assert_eq!(b.delay(0, 0.5, None), None);
    }

    #[test]
    fn jitter_scatters_within_a_fifth_and_retry_after_is_honoured() {
        let b = Backoff::MESSAGES;
        assert_eq!(b.delay(3, 0.0, None), Some(Duration::from_millis(3200)));
        assert_eq!(b.delay(3, 1.0, None), Some(Duration::from_millis(4800)));
        assert_eq!(
            b.delay(1, 0.5, Some(Duration::from_secs(13))),
            Some(Duration::from_secs(13))
        );
        assert_eq!(
            b.delay(4, 0.5, Some(Duration::from_secs(1))),
            Some(Duration::from_secs(8))
        );
    }
}
