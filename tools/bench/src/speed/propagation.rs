//! Propagation: from a route change stored in the API server to the controller's first
//! mutating AWS call for it, over many changes, with the AWS time and the time calls waited
//! for the client-side rate limit taken out.

use super::harness::{cluster, settle, start_controller, wait_for};
use super::proxy::Call;
use crate::controller_process::ControllerProcess;
use crate::workload::gateways_with_routes;
use anyhow::{Context, Result};
use gantry_snapshot::{ObjectKey, Objects, Snapshot};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const GATEWAYS: usize = 30;
pub const ROUTES_PER_GATEWAY: usize = 100;
pub const CHANGES: usize = 200;
/// The client-side rate limit of `gantry controller` (gantry-deploy's defaults).
pub const RATE: f64 = 10.0;
pub const BURST: f64 = 20.0;

/// One change's timeline.
#[derive(Clone, Debug)]
pub struct Sample {
    /// From the change to the first mutating call reaching AWS.
    pub total: Duration,
    /// Of which AWS was answering a call of the controller.
    pub aws: Duration,
    /// Calls the controller made before the mutating one.
    pub reads: usize,
    /// Of which calls waited for the client-side rate limit (the controller's own count,
    /// `gantry_aws_rate_limit_wait_seconds_total`, read as soon as the mutating call was seen:
    /// it may hold a few milliseconds of waits just after that call).
    pub rate_limited: Duration,
    /// The controller's time between the change and its first call, and after each read until
    /// its next call (answers parsed, the next request built), summed by [`gap_label`].
    pub gaps: BTreeMap<String, Duration>,
}

/// The label of the controller's time after `previous` (a read's operation; None: after the
/// change).
pub fn gap_label(previous: Option<&str>) -> String {
    match previous {
        None => "the change → its first call (watch, queue, scoped snapshot, translation)".into(),
        Some(op) => format!("after {op}"),
    }
}

impl Sample {
    /// The rest: the controller's own time. A wait overlapping a call in flight would be taken
    /// out twice; the reconcile's calls before the first mutating one go one at a time.
    pub fn controller(&self) -> Duration {
        self.total
            .saturating_sub(self.aws)
            .saturating_sub(self.rate_limited)
    }

    /// The controller's time with the rate limit's waits counted in (as measured before the
    /// waits were counted apart).
    pub fn controller_and_rate_limit(&self) -> Duration {
        self.total.saturating_sub(self.aws)
    }
}

#[derive(Clone, Debug)]
pub struct Figures {
    pub samples: Vec<Sample>,
    pub routes: usize,
    /// Calls the client-side rate limit may have held back: a replay of its token bucket over
    /// the calls' send times found less than one token and a half left before them.
    pub possibly_limited: usize,
    pub calls: usize,
    /// The controller's rate limit waits over the changes (from before the first to after the
    /// last settled).
    pub rate_limited: Duration,
    pub burst: Burst,
}

/// [`BURST_CHANGES`] changes to one route within a second, after the timed changes.
#[derive(Clone, Debug)]
pub struct Burst {
    pub changes: usize,
    /// How long storing them took.
    pub within: Duration,
    /// Gateway reconciles from the first change until AWS calls stopped.
    pub reconciles: u64,
    /// Whether a mutating call carried the last change's path.
    pub last_deployed: bool,
}

pub const BURST_CHANGES: usize = 100;

impl Burst {
    /// The goal: the changes stored within a second, at most 2 reconciles, the last deployed.
    pub fn met(&self) -> bool {
        self.reconciles <= 2 && self.last_deployed && self.within < Duration::from_secs(1)
    }

    /// What became of the last change.
    pub fn last_change(&self) -> &'static str {
        if self.last_deployed {
            "deployed"
        } else {
            "not seen in a mutating call"
        }
    }
}

/// `gateways` ALB Gateways with `routes` HTTPRoutes each, one backend per route (one target
/// group per route, as few as a route can have). Each Gateway with its routes and Services in
/// a namespace of its own: the generator's `gateways_with_routes` puts Gateways in 20
/// namespaces by turn with route names per Gateway, so beyond 20 Gateways their routes would
/// replace each other's.
pub fn workload(gateways: usize, routes: usize) -> Snapshot {
    let template = gateways_with_routes(1, routes);
    let mut s = template.clone();
    s.gateways.clear();
    s.http_routes.clear();
    s.services.clear();
    for g in 0..gateways {
        let namespace = format!("speed-{g:03}");
        s.gateways
            .extend(moved(&template.gateways, &namespace, |_| {}));
        s.services
            .extend(moved(&template.services, &namespace, |_| {}));
        s.http_routes
            .extend(moved(&template.http_routes, &namespace, |route| {
                // One backend, the first, with its weight.
                if let Some(refs) = route
                    .pointer_mut("/spec/rules/0/backendRefs")
                    .and_then(|r| r.as_array_mut())
                {
                    refs.truncate(1);
                    refs[0]["weight"] = json!(1);
                }
            }));
    }
    s
}

/// `objects` moved into `namespace`, each changed by `adjust` on the way.
fn moved<'a, K>(
    objects: &'a Objects<K>,
    namespace: &'a str,
    adjust: impl Fn(&mut serde_json::Value) + 'a,
) -> impl Iterator<Item = (ObjectKey, Arc<K>)> + 'a
where
    K: Serialize + DeserializeOwned,
{
    objects.iter().map(move |(key, object)| {
        let mut value = serde_json::to_value(object.as_ref()).expect("serializes");
        value["metadata"]["namespace"] = json!(namespace);
        adjust(&mut value);
        let object = serde_json::from_value(value).expect("still the same kind");
        (ObjectKey::new(namespace, &key.name), Arc::new(object))
    })
}

pub fn run(endpoint: &str) -> Result<Figures> {
    let snapshot = workload(GATEWAYS, ROUTES_PER_GATEWAY);
    let routes: Vec<(String, String)> = snapshot
        .http_routes
        .keys()
        .map(|k| (k.namespace.clone(), k.name.clone()))
        .collect();
    let cluster = cluster("propagation", &snapshot, endpoint)?;
    let mut controller = start_controller(&cluster, "propagation", false)?;
    wait_for(
        "the first round of reconciles",
        Duration::from_secs(900),
        || controller.reconciled(GATEWAYS),
    )?;
    settle(&cluster, Duration::from_secs(3), Duration::from_secs(600))?;
    eprintln!(
        "propagation: converged; {} calls so far",
        cluster.proxy.log.len()
    );

    let waited = |c: &ControllerProcess| {
        c.metric(WAITED)
            .map(Duration::from_secs_f64)
            .context("the controller's rate limit waits (gantry_aws_rate_limit_wait_seconds_total)")
    };
    let waited_at_start = waited(&controller)?;
    let mut samples = Vec::new();
    for i in 0..CHANGES {
        // Every Gateway in turn, a different route each time round.
        let (ns, name) =
            &routes[(i % GATEWAYS) * ROUTES_PER_GATEWAY + (i * 7) % ROUTES_PER_GATEWAY];
        // As long as the generator's `/api`, so the rule keeps its place in precedence order
        // (path length first): a longer path would move it ahead of all its Gateway's rules,
        // and the emulator takes such a reorder only rule by rule (strict priorities), about
        // 200 calls behind the rate limit before the next change could start.
        let path = format!("/{i:03}");
        let before = cluster.proxy.log.len();
        let waited_before = waited(&controller)?;
        let t0 = Instant::now();
        cluster.stand_in.api.modify("HTTPRoute", ns, name, |r| {
            r["spec"]["rules"][0]["matches"][0]["path"]["value"] = json!(path);
        });
        // Polled closely, so that the waits read belong to the calls before the mutating one.
        loop {
            if cluster.proxy.log.calls()[before..]
                .iter()
                .any(Call::is_mutating)
            {
                break;
            }
            if t0.elapsed() > Duration::from_secs(60) {
                anyhow::bail!("change {i} of {ns}/{name}: no mutating call within 60 s");
            }
            controller.alive()?;
            std::thread::sleep(Duration::from_millis(2));
        }
        let rate_limited = waited(&controller)?.saturating_sub(waited_before);
        settle(
            &cluster,
            // Long enough for a re-reconcile its own status writes may cause (held for the
            // 1 s window) to happen here, not in the next change's timeline.
            Duration::from_millis(1200),
            Duration::from_secs(60),
        )?;
        let calls = cluster.proxy.log.calls();
        samples.push(Sample {
            rate_limited,
            ..sample(t0, &calls[before..])
        });
    }
    let rate_limited = waited(&controller)?.saturating_sub(waited_at_start);
    let burst = burst(&cluster, &controller, &routes[0])?;
    let calls = cluster.proxy.log.calls();
    Ok(Figures {
        samples,
        routes: routes.len(),
        possibly_limited: possibly_limited(&calls),
        calls: calls.len(),
        rate_limited,
        burst,
    })
}

/// [`BURST_CHANGES`] changes to the path of `route`, as fast as the stand-in takes them; the
/// Gateway reconciles they cost.
fn burst(
    cluster: &super::harness::Cluster,
    controller: &ControllerProcess,
    (ns, name): &(String, String),
) -> Result<Burst> {
    let reconciles = || {
        controller
            .reconciles("Gateway")
            .context("the controller's Gateway reconciles")
    };
    let at_start = reconciles()?;
    let before = cluster.proxy.log.len();
    let t0 = Instant::now();
    // Of the generator's `/api`'s length, as the timed changes (see there).
    let path = |i: usize| format!("/b{i:02}");
    for i in 0..BURST_CHANGES {
        cluster.stand_in.api.modify("HTTPRoute", ns, name, |r| {
            r["spec"]["rules"][0]["matches"][0]["path"]["value"] = json!(path(i));
        });
    }
    let within = t0.elapsed();
    wait_for("the burst's first call", Duration::from_secs(60), || {
        Ok(cluster.proxy.log.len() > before)
    })?;
    settle(cluster, Duration::from_secs(3), Duration::from_secs(120))?;
    let last = path(BURST_CHANGES - 1);
    Ok(Burst {
        changes: BURST_CHANGES,
        within,
        reconciles: reconciles()? - at_start,
        last_deployed: cluster.proxy.log.calls()[before..].iter().any(|c| {
            c.is_mutating()
                && (c.body.contains(&last) || c.body.contains(&last.replace('/', "%2F")))
        }),
    })
}

const WAITED: &str = "gantry_aws_rate_limit_wait_seconds_total";

/// The timeline of one change from the calls made after it.
fn sample(t0: Instant, calls: &[Call]) -> Sample {
    let first = calls
        .iter()
        .position(Call::is_mutating)
        .expect("waited for a mutating call");
    let m = calls[first].start;
    // Union of the intervals with a call in flight, clipped to [t0, m].
    let mut spans: Vec<(Instant, Instant)> = calls[..first]
        .iter()
        .map(|c| (c.start.max(t0), c.end.unwrap_or(m).min(m)))
        .filter(|(a, b)| a < b)
        .collect();
    spans.sort();
    let mut aws = Duration::ZERO;
    let mut open: Option<(Instant, Instant)> = None;
    for (a, b) in spans {
        open = match open {
            Some((s, e)) if a <= e => Some((s, e.max(b))),
            Some((s, e)) => {
                aws += e - s;
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    if let Some((s, e)) = open {
        aws += e - s;
    }
    Sample {
        total: m.saturating_duration_since(t0),
        aws,
        reads: first,
        rate_limited: Duration::ZERO,
        gaps: gaps(t0, &calls[..=first]),
    }
}

/// The time from `t0` to the first call, and from each call's end to the next call's start,
/// by [`gap_label`].
fn gaps(t0: Instant, calls: &[Call]) -> BTreeMap<String, Duration> {
    let mut out: BTreeMap<String, Duration> = BTreeMap::new();
    let mut previous: Option<(&str, Instant)> = None;
    for c in calls {
        let (label, since) = match previous {
            None => (gap_label(None), t0),
            Some((op, end)) => (gap_label(Some(op)), end),
        };
        *out.entry(label).or_default() += c.start.saturating_duration_since(since);
        previous = Some((&c.operation, c.end.unwrap_or(c.start).max(c.start)));
    }
    out
}

/// Replays the controller's token bucket over the calls' send times: calls before which less
/// than 1.5 tokens were left may have waited for the limit (a call that waited is sent the
/// moment its token is there).
fn possibly_limited(calls: &[Call]) -> usize {
    let mut tokens = BURST;
    let mut last: Option<Instant> = None;
    let mut starts: Vec<Instant> = calls.iter().map(|c| c.start).collect();
    starts.sort();
    let mut limited = 0;
    for t in starts {
        if let Some(l) = last {
            tokens = (tokens + (t - l).as_secs_f64() * RATE).min(BURST);
        }
        last = Some(t);
        if tokens < 1.5 {
            limited += 1;
        }
        tokens = (tokens - 1.0).max(0.0);
    }
    limited
}

/// The `p`th percentile (nearest rank) of `values`, sorted here.
pub fn percentile(values: &mut [Duration], p: f64) -> Duration {
    values.sort();
    let rank = ((p / 100.0) * values.len() as f64).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(t0: Instant, start_ms: u64, end_ms: u64, op: &str) -> Call {
        Call {
            start: t0 + Duration::from_millis(start_ms),
            end: Some(t0 + Duration::from_millis(end_ms)),
            operation: op.into(),
            body: String::new(),
        }
    }

    #[test]
    fn aws_time_is_the_union_of_the_calls_before_the_mutating_one() {
        let t0 = Instant::now();
        let calls = [
            call(t0, 10, 30, "DescribeLoadBalancers"),
            call(t0, 20, 40, "DescribeListeners"),
            call(t0, 50, 60, "DescribeRules"),
            call(t0, 70, 90, "ModifyRule"),
        ];
        let s = sample(t0, &calls);
        assert_eq!(s.total, Duration::from_millis(70));
        assert_eq!(s.aws, Duration::from_millis(40));
        assert_eq!(s.controller(), Duration::from_millis(30));
        assert_eq!(s.reads, 3);
        let ms = Duration::from_millis;
        assert_eq!(s.gaps[&gap_label(None)], ms(10));
        assert_eq!(s.gaps[&gap_label(Some("DescribeLoadBalancers"))], ms(0));
        assert_eq!(s.gaps[&gap_label(Some("DescribeListeners"))], ms(10));
        assert_eq!(s.gaps[&gap_label(Some("DescribeRules"))], ms(10));
        assert_eq!(s.gaps.len(), 4, "nothing after the mutating call");
        let limited = Sample {
            rate_limited: Duration::from_millis(20),
            ..s
        };
        assert_eq!(limited.controller(), Duration::from_millis(10));
        assert_eq!(
            limited.controller_and_rate_limit(),
            Duration::from_millis(30)
        );
    }

    #[test]
    fn a_bucket_never_emptied_held_nothing_back() {
        let t0 = Instant::now();
        let slow: Vec<Call> = (0..50)
            .map(|i| call(t0, i * 200, i * 200 + 1, "DescribeRules"))
            .collect();
        assert_eq!(possibly_limited(&slow), 0);
        let fast: Vec<Call> = (0..50)
            .map(|i| call(t0, i, i + 1, "DescribeRules"))
            .collect();
        assert!(possibly_limited(&fast) > 20);
    }

    #[test]
    fn a_burst_meets_its_goal_only_within_a_second_in_two_reconciles_with_the_last_deployed() {
        let burst = Burst {
            changes: BURST_CHANGES,
            within: Duration::from_millis(7),
            reconciles: 2,
            last_deployed: true,
        };
        assert!(burst.met());
        assert_eq!(burst.last_change(), "deployed");
        assert!(
            !Burst {
                reconciles: 3,
                ..burst.clone()
            }
            .met()
        );
        assert!(
            !Burst {
                within: Duration::from_millis(1200),
                ..burst.clone()
            }
            .met()
        );
        let lost = Burst {
            last_deployed: false,
            ..burst
        };
        assert!(!lost.met());
        assert_eq!(lost.last_change(), "not seen in a mutating call");
    }

    #[test]
    fn nearest_rank_percentiles() {
        let mut v: Vec<Duration> = (1..=200).map(Duration::from_millis).collect();
        assert_eq!(percentile(&mut v, 50.0), Duration::from_millis(100));
        assert_eq!(percentile(&mut v, 99.0), Duration::from_millis(198));
    }
}
