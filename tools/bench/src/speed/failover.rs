//! Failover: two `gantry controller` processes electing a leader on a Lease in the stand-in,
//! the leader killed (SIGKILL) once its Gateways are converged, a route changed right after;
//! how long until the new leader's first AWS call and until it applies the change, and how
//! many AWS calls it makes in its first minute.

use super::harness::{cluster, settle, start_controller, wait_for};
use super::propagation::workload;
use anyhow::{Context, Result};
use serde_json::json;
use std::time::{Duration, Instant};

pub const GATEWAYS: usize = 200;

#[derive(Clone, Debug)]
pub struct Figures {
    pub gateways: usize,
    /// From the kill until the standby reported itself leader (`gantry_leader`, polled).
    pub leader_after: Option<Duration>,
    /// From the kill until the new leader's first AWS call.
    pub first_call_after: Duration,
    /// From the kill until the changed route's mutating call.
    pub change_after: Duration,
    /// In the minute from the new leader's first call.
    pub calls_first_minute: usize,
    pub reconciles_first_minute: u64,
    /// The first leader's first round, a process starting as the new leader does (nothing
    /// remembered of AWS): its AWS calls (its Gateways' TargetGroupBindings' included) and its
    /// Gateway reconciles; their ratio is the per-reconcile minimum of a fresh leader.
    pub first_round_calls: usize,
    pub first_round_reconciles: u64,
    /// The most calls within any one second of that minute.
    pub busiest_second: usize,
    pub lease_duration: Duration,
    pub standby_retry: Duration,
}

pub fn run(endpoint: &str) -> Result<Figures> {
    let snapshot = workload(GATEWAYS, 1);
    let cluster = cluster("failover", &snapshot, endpoint)?;
    let mut a = start_controller(&cluster, "replica-a", true)?;
    wait_for("replica-a to lead", Duration::from_secs(120), || {
        a.alive()?;
        Ok(a.metric("gantry_leader") == Some(1.0))
    })?;
    let mut b = start_controller(&cluster, "replica-b", true)?;
    wait_for(
        "replica-a's first round and replica-b's caches",
        Duration::from_secs(1200),
        || {
            b.alive()?;
            Ok(a.reconciled(GATEWAYS)? && b.ready())
        },
    )?;
    settle(&cluster, Duration::from_secs(3), Duration::from_secs(600))?;
    let first_round_calls = cluster.proxy.log.len();
    let first_round_reconciles = a.reconciles("Gateway").unwrap_or(0);
    eprintln!("failover: converged; {first_round_calls} calls so far");

    let before = cluster.proxy.log.len();
    let killed = Instant::now();
    a.kill();
    // A route of a Gateway in the middle of the name order.
    let key = snapshot
        .http_routes
        .keys()
        .nth(GATEWAYS / 2)
        .context("a route")?
        .clone();
    cluster
        .stand_in
        .api
        .modify("HTTPRoute", &key.namespace, &key.name, |r| {
            r["spec"]["rules"][0]["matches"][0]["path"]["value"] = json!("/after-failover");
        });
    let mut leader_after = None;
    wait_for(
        "the change after the failover",
        Duration::from_secs(300),
        || {
            b.alive()?;
            if leader_after.is_none() && b.metric("gantry_leader") == Some(1.0) {
                leader_after = Some(killed.elapsed());
            }
            Ok(cluster.proxy.log.calls()[before..]
                .iter()
                .any(|c| c.is_mutating() && c.body.contains("after-failover")))
        },
    )?;
    let calls = cluster.proxy.log.calls();
    let after = &calls[before..];
    let first = after.first().context("the new leader made no call")?.start;
    let change = after
        .iter()
        .find(|c| c.is_mutating() && c.body.contains("after-failover"))
        .context("no call for the change")?
        .start;
    // The rest of the new leader's first minute.
    let minute = first + Duration::from_secs(60);
    while Instant::now() < minute {
        b.alive()?;
        std::thread::sleep(Duration::from_millis(200));
    }
    let reconciles = b.reconciles("Gateway").unwrap_or(0);
    let in_minute: Vec<Instant> = cluster.proxy.log.calls()[before..]
        .iter()
        .map(|c| c.start)
        .filter(|t| *t < minute)
        .collect();
    let busiest_second = in_minute
        .iter()
        .map(|t| {
            in_minute
                .iter()
                .filter(|u| **u >= *t && **u < *t + Duration::from_secs(1))
                .count()
        })
        .max()
        .unwrap_or(0);
    Ok(Figures {
        gateways: GATEWAYS,
        leader_after,
        first_call_after: first - killed,
        change_after: change - killed,
        calls_first_minute: in_minute.len(),
        reconciles_first_minute: reconciles,
        first_round_calls,
        first_round_reconciles,
        busiest_second,
        // gantry-controller's LeaseConfig defaults, which `gantry controller` runs with.
        lease_duration: Duration::from_secs(15),
        standby_retry: Duration::from_secs(2),
    })
}
