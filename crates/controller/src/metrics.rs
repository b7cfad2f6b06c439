//! Prometheus metrics, in the text exposition format. Few enough series that a map behind a
//! mutex is simpler than a metrics library.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const BUCKETS: [f64; 11] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0];

#[derive(Debug, Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Debug, Default)]
struct Series {
    reconciles: BTreeMap<&'static str, u64>,
    errors: BTreeMap<(&'static str, &'static str), u64>,
    durations: BTreeMap<&'static str, Histogram>,
    watch_errors: BTreeMap<String, u64>,
    status_writes: BTreeMap<&'static str, u64>,
}

/// AWS calls by (service, operation), read at scrape time from the deployer.
pub type AwsCalls = Box<dyn Fn() -> BTreeMap<(String, String), u64> + Send + Sync>;

/// The time AWS calls waited for the client-side rate limit, read at scrape time.
pub type RateLimitWaited = Box<dyn Fn() -> std::time::Duration + Send + Sync>;

#[derive(Default)]
pub struct Metrics {
    series: Mutex<Series>,
    /// Objects triggered and not yet picked up by a reconcile (repeated triggers coalesce, as
    /// they do in the controller's queue).
    queued: Mutex<BTreeSet<String>>,
    leader: AtomicBool,
    aws_calls: Option<AwsCalls>,
    rate_limit_waited: Option<RateLimitWaited>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    pub fn new(aws_calls: Option<AwsCalls>) -> Self {
        Metrics {
            aws_calls,
            ..Metrics::default()
        }
    }

    pub fn with_rate_limit_waited(mut self, waited: RateLimitWaited) -> Self {
        self.rate_limit_waited = Some(waited);
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Series> {
        // Counters stay usable after a panic elsewhere.
        self.series.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A reconcile of `kind` finished after `took`, failing with `error` (a metric label).
    pub fn reconciled(&self, kind: &'static str, took: Duration, error: Option<&'static str>) {
        let mut s = self.lock();
        *s.reconciles.entry(kind).or_default() += 1;
        if let Some(e) = error {
            *s.errors.entry((kind, e)).or_default() += 1;
        }
        let h = s.durations.entry(kind).or_default();
        let secs = took.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                h.buckets[i] += 1;
            }
        }
        h.sum += secs;
        h.count += 1;
    }

    pub fn watch_error(&self, kind: &str) {
        *self
            .lock()
            .watch_errors
            .entry(kind.to_string())
            .or_default() += 1;
    }

    pub fn status_written(&self, kind: &'static str) {
        *self.lock().status_writes.entry(kind).or_default() += 1;
    }

    pub fn enqueued(&self, key: &str) {
        self.queued
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string());
    }

    pub fn dequeued(&self, key: &str) {
        self.queued
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }

    pub fn queue_depth(&self) -> usize {
        self.queued.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn set_leader(&self, leader: bool) {
        self.leader.store(leader, Ordering::Relaxed);
    }

    pub fn reconciles(&self, kind: &str) -> u64 {
        self.lock().reconciles.get(kind).copied().unwrap_or(0)
    }

    pub fn errors(&self, kind: &str) -> u64 {
        self.lock()
            .errors
            .iter()
            .filter(|((k, _), _)| *k == kind)
            .map(|(_, n)| n)
            .sum()
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let s = self.lock();
        counter_by_kind(
            &mut out,
            "gantry_reconciles_total",
            "Reconciles by kind.",
            &s.reconciles,
        );
        header(
            &mut out,
            "gantry_reconcile_errors_total",
            "counter",
            "Failed reconciles by kind and error.",
        );
        for ((kind, e), n) in &s.errors {
            let _ = writeln!(
                out,
                "gantry_reconcile_errors_total{{kind=\"{kind}\",error=\"{e}\"}} {n}"
            );
        }
        header(
            &mut out,
            "gantry_reconcile_duration_seconds",
            "histogram",
            "Reconcile duration by kind.",
        );
        for (kind, h) in &s.durations {
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "gantry_reconcile_duration_seconds_bucket{{kind=\"{kind}\",le=\"{b}\"}} {}",
                    h.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "gantry_reconcile_duration_seconds_bucket{{kind=\"{kind}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "gantry_reconcile_duration_seconds_sum{{kind=\"{kind}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "gantry_reconcile_duration_seconds_count{{kind=\"{kind}\"}} {}",
                h.count
            );
        }
        counter_by_kind(
            &mut out,
            "gantry_status_writes_total",
            "Status writes by kind.",
            &s.status_writes,
        );
        counter_by_kind(
            &mut out,
            "gantry_watch_errors_total",
            "Watch failures by kind.",
            &s.watch_errors,
        );
        drop(s);
        one_series(
            &mut out,
            "gantry_queue_depth",
            "gauge",
            "Objects triggered and waiting for a reconcile.",
            self.queue_depth(),
        );
        one_series(
            &mut out,
            "gantry_leader",
            "gauge",
            "1 while this replica holds the lease.",
            u8::from(self.leader.load(Ordering::Relaxed)),
        );
        if let Some(calls) = &self.aws_calls {
            header(
                &mut out,
                "gantry_aws_calls_total",
                "counter",
                "AWS API calls by service and operation.",
            );
            for ((service, op), n) in calls() {
                let _ = writeln!(
                    out,
                    "gantry_aws_calls_total{{service=\"{service}\",operation=\"{op}\"}} {n}"
                );
            }
        }
        if let Some(waited) = &self.rate_limit_waited {
            one_series(
                &mut out,
                "gantry_aws_rate_limit_wait_seconds_total",
                "counter",
                "Time AWS calls waited for the client-side rate limit, summed over calls.",
                waited().as_secs_f64(),
            );
        }
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A metric of a single series.
fn one_series(out: &mut String, name: &str, kind: &str, help: &str, value: impl std::fmt::Display) {
    header(out, name, kind, help);
    let _ = writeln!(out, "{name} {value}");
}

/// A counter family with one series per kind.
fn counter_by_kind<K: std::fmt::Display>(
    out: &mut String,
    name: &str,
    help: &str,
    counts: &BTreeMap<K, u64>,
) {
    header(out, name, "counter", help);
    for (kind, n) in counts {
        let _ = writeln!(out, "{name}{{kind=\"{kind}\"}} {n}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_has_counters_histogram_and_aws_calls() {
        let m = Metrics::new(Some(Box::new(|| {
            [(("ELBv2".to_string(), "CreateLoadBalancer".to_string()), 2)]
                .into_iter()
                .collect()
        })))
        .with_rate_limit_waited(Box::new(|| Duration::from_millis(1500)));
        m.reconciled("Gateway", Duration::from_millis(300), None);
        m.reconciled("Gateway", Duration::from_secs(3), Some("aws_transient"));
        let text = m.render();
        assert!(
            text.contains("gantry_reconciles_total{kind=\"Gateway\"} 2"),
            "{text}"
        );
        assert!(
            text.contains(
                "gantry_reconcile_errors_total{kind=\"Gateway\",error=\"aws_transient\"} 1"
            )
        );
        assert!(
            text.contains(
                "gantry_reconcile_duration_seconds_bucket{kind=\"Gateway\",le=\"0.5\"} 1"
            )
        );
        assert!(text.contains("gantry_reconcile_duration_seconds_count{kind=\"Gateway\"} 2"));
        assert!(text.contains(
            "gantry_aws_calls_total{service=\"ELBv2\",operation=\"CreateLoadBalancer\"} 2"
        ));
        assert!(text.contains("gantry_aws_rate_limit_wait_seconds_total 1.5"));
    }
}
