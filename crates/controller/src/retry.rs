//! When a failed reconcile runs again, by the class of its error:
//!
//! | class | examples | retry |
//! |---|---|---|
//! | [`Retry::Now`] | a status write conflicting (409), an AWS conflict (`PriorityInUse`) | at once, for the first [`IMMEDIATE_RETRIES`] failures in a row; then as `Backoff` |
//! | [`Retry::Backoff`] | throttling (AWS or 429), 5xx, the API server unreachable | `backoff_min` doubling per failure in a row up to `backoff_max`, with jitter: a delay in [d/2, d] |
//! | [`Retry::Slow`] | AWS refusing the request as invalid, a missing target group name, 403 | after `backoff_max`, or at once when an object it reads changes |
//!
//! An error that retrying cannot cure (an invalid spec) is never retried hot; one that waiting
//! cures (throttling) waits longer each time, and replicas retrying together drift apart (the
//! jitter); one caused by a concurrent writer is retried at once, re-reading first.

use crate::error::Error;
use gantry_deploy::ErrorClass;
use std::time::Duration;

/// Failures in a row retried at once before a conflict backs off like any other error.
pub const IMMEDIATE_RETRIES: u32 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    Now,
    Backoff,
    Slow,
}

impl Error {
    /// How this error is retried.
    pub fn retry(&self) -> Retry {
        match self {
            Error::Deploy { source, .. }
            | Error::DeleteStack { source, .. }
            | Error::SyncTargets { source, .. } => match source.class() {
                ErrorClass::Conflict => Retry::Now,
                ErrorClass::Invalid => Retry::Slow,
                ErrorClass::Throttled | ErrorClass::Transient | ErrorClass::NotFound => {
                    Retry::Backoff
                }
            },
            Error::UpdateStatus { source, .. }
            | Error::AddFinalizer { source, .. }
            | Error::RemoveFinalizer { source, .. }
            | Error::WriteBinding { source, .. }
            | Error::UpdatePodCondition { source, .. }
            | Error::Lease { source, .. }
            | Error::Connect { source } => kube_retry(source),
            Error::StatusConflict { .. } => Retry::Now,
            Error::TargetGroupNotFound { .. } | Error::ClassInUse { .. } => Retry::Slow,
            Error::Translate(_) | Error::Runtime(_) | Error::Serve { .. } => Retry::Backoff,
        }
    }
}

/// A Kubernetes API error by its status code; no code (no answer) is transient.
fn kube_retry(e: &kube::Error) -> Retry {
    match e {
        kube::Error::Api(s) => match s.code {
            409 => Retry::Now,
            // Refused as it is: bad request, forbidden, unprocessable.
            400 | 403 | 422 => Retry::Slow,
            _ => Retry::Backoff,
        },
        _ => Retry::Backoff,
    }
}

/// The delay before retrying after the `failures`th failure in a row (from 1). `jitter` in
/// [0, 1) picks the point in the jitter range.
pub fn delay(retry: Retry, failures: u32, min: Duration, max: Duration, jitter: f64) -> Duration {
    let backoff = |n: u32| {
        let ceiling = (min * 2u32.saturating_pow(n.saturating_sub(1).min(20))).min(max);
        ceiling.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
    };
    match retry {
        Retry::Now if failures <= IMMEDIATE_RETRIES => Duration::ZERO,
        Retry::Now => backoff(failures - IMMEDIATE_RETRIES),
        Retry::Backoff => backoff(failures),
        Retry::Slow => max,
    }
}

/// A number in [0, 1) that differs between calls and processes (no RNG dependency: std's
/// randomly keyed hasher).
pub fn jitter() -> f64 {
    use std::hash::BuildHasher;
    let r = std::collections::hash_map::RandomState::new().hash_one(std::time::Instant::now());
    (r >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(1);
    const MAX: Duration = Duration::from_secs(300);

    fn kube_error(code: u16) -> kube::Error {
        kube::Error::Api(
            kube::core::Status::failure("injected", "Injected")
                .with_code(code)
                .boxed(),
        )
    }

    fn aws(class: ErrorClass) -> Error {
        Error::Deploy {
            gateway: "ns/gw".into(),
            source: gantry_deploy::Error::Call {
                op: gantry_deploy::Operation::CreateRule,
                resource: "rule".into(),
                class,
                code: None,
                message: "injected".into(),
                source: Box::new(std::io::Error::other("injected")),
            },
        }
    }

    #[test]
    fn errors_are_retried_by_class() {
        assert_eq!(aws(ErrorClass::Invalid).retry(), Retry::Slow);
        assert_eq!(aws(ErrorClass::Throttled).retry(), Retry::Backoff);
        assert_eq!(aws(ErrorClass::Transient).retry(), Retry::Backoff);
        assert_eq!(aws(ErrorClass::NotFound).retry(), Retry::Backoff);
        assert_eq!(aws(ErrorClass::Conflict).retry(), Retry::Now);
        let status = |code| Error::UpdateStatus {
            object: "Gateway gw".into(),
            source: kube_error(code),
        };
        assert_eq!(status(409).retry(), Retry::Now);
        assert_eq!(status(429).retry(), Retry::Backoff);
        assert_eq!(status(503).retry(), Retry::Backoff);
        assert_eq!(status(422).retry(), Retry::Slow);
        assert_eq!(status(403).retry(), Retry::Slow);
        let conflict = Error::StatusConflict {
            object: "Gateway gw".into(),
            attempts: 5,
        };
        assert_eq!(conflict.retry(), Retry::Now);
        let missing = Error::TargetGroupNotFound {
            binding: "ns/b".into(),
            name: "tg".into(),
        };
        assert_eq!(missing.retry(), Retry::Slow);
    }

    #[test]
    fn an_invalid_request_is_never_retried_hot() {
        for n in 1..10 {
            assert_eq!(delay(Retry::Slow, n, MIN, MAX, 0.0), MAX);
        }
    }

    #[test]
    fn backoff_grows_within_its_jitter_range_and_is_bounded() {
        let mut previous_ceiling = Duration::ZERO;
        for n in 1..=20 {
            let low = delay(Retry::Backoff, n, MIN, MAX, 0.0);
            let high = delay(Retry::Backoff, n, MIN, MAX, 0.999_999);
            let ceiling = (MIN * 2u32.pow((n - 1).min(20))).min(MAX);
            assert!(
                low >= ceiling / 2 && high <= ceiling,
                "failure {n}: {low:?}..{high:?}"
            );
            // Growing: the shortest delay after a failure is no shorter than the longest one
            // after the failure before it, until the bound.
            assert!(low >= previous_ceiling.min(MAX / 2), "failure {n}");
            previous_ceiling = ceiling;
        }
        assert!(delay(Retry::Backoff, 40, MIN, MAX, 0.999) <= MAX);
    }

    #[test]
    fn jitter_spreads_the_delays() {
        let draws: Vec<f64> = (0..64).map(|_| jitter()).collect();
        assert!(draws.iter().all(|j| (0.0..1.0).contains(j)));
        let delays: std::collections::BTreeSet<Duration> = draws
            .iter()
            .map(|j| delay(Retry::Backoff, 4, MIN, MAX, *j))
            .collect();
        assert!(delays.len() > 32, "{} distinct delays of 64", delays.len());
    }

    #[test]
    fn a_conflict_is_retried_at_once_then_backs_off() {
        for n in 1..=IMMEDIATE_RETRIES {
            assert_eq!(delay(Retry::Now, n, MIN, MAX, 0.5), Duration::ZERO);
        }
        let after = delay(Retry::Now, IMMEDIATE_RETRIES + 1, MIN, MAX, 0.0);
        assert!(after >= MIN / 2);
    }
}
