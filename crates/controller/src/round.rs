//! A new leader's round: every Gateway, GatewayClass and TargetGroupBinding reconciled once,
//! first the Gateways this replica saw change shortly before it took over (crate::missed) —
//! alone, the rest waiting until they are done — and the bindings it saw change, then the
//! Gateways whose status is behind their spec, then the other Gateways, classes and bindings.
//!
//! The round's Gateways are paced: it keeps at most a controller's concurrency of them waiting
//! or running ([`Outstanding`]). Handed over all at once, the requests would fill the kube
//! controller's queue, which, once every slot is busy, gives out waiting objects in no
//! particular order (a hash set) — the Gateway changed during the failover, and any change
//! made during the round, would wait behind a random share of hundreds of full reconciles,
//! each slowed by the client-side AWS rate limit.

use crate::mapper::Queues;
use crate::metrics::Metrics;
use crate::missed::Missed;
use crate::stores::Stores;
use crate::watch::Readiness;
use gantry_api::gateway::Gateway;
use gantry_snapshot::ObjectKey;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How long the round waits for one of its requests to finish before it sends the next
/// anyway (a request for an object deleted meanwhile is never reconciled).
pub const STALL: Duration = Duration::from_secs(60);

/// The round's requests not yet reconciled, by kind (only its Gateways are paced; the kind keeps
/// another kind's reconcile of the same key from freeing a slot).
#[derive(Clone)]
pub struct Outstanding(watch::Sender<HashSet<(&'static str, ObjectKey)>>);

impl Default for Outstanding {
    fn default() -> Self {
        Outstanding(watch::Sender::new(HashSet::new()))
    }
}

impl Outstanding {
    /// A reconcile of `key` finished (or was abandoned).
    pub fn done(&self, kind: &'static str, key: &ObjectKey) {
        self.0.send_if_modified(|s| s.remove(&(kind, key.clone())));
    }

    fn add(&self, kind: &'static str, key: &ObjectKey) {
        self.0.send_modify(|s| {
            s.insert((kind, key.clone()));
        });
    }

    fn count(set: &HashSet<(&'static str, ObjectKey)>, kind: &str) -> usize {
        set.iter().filter(|(k, _)| *k == kind).count()
    }

    /// Waits until fewer than `window` requests of `kind` are outstanding; after [`STALL`]
    /// without that, forgets them (they will not finish) and returns.
    async fn below(&self, kind: &'static str, window: usize) {
        let mut rx = self.0.subscribe();
        let waited =
            tokio::time::timeout(STALL, rx.wait_for(|s| Self::count(s, kind) < window)).await;
        if waited.is_err() {
            tracing::debug!(kind, "round: no reconcile finished for a while; going on");
            self.0.send_modify(|s| s.retain(|(k, _)| *k != kind));
        }
    }
}

/// What the round needs from the running controller.
pub struct Round {
    pub missed: Missed,
    pub outstanding: Outstanding,
    pub stores: Stores,
    pub ready: Arc<Readiness>,
    pub leader: watch::Receiver<bool>,
    pub queues: Queues,
    pub metrics: Arc<Metrics>,
    /// Reconciles of one kind at once: the round keeps this many of its requests ahead.
    pub window: usize,
    /// Objects noted as missed this long before the takeover go first (crate::missed).
    pub missed_horizon: Duration,
}

/// Each time this replica becomes the leader (and once the caches are filled), runs a round.
pub async fn on_leading(mut r: Round) {
    loop {
        if r.leader.wait_for(|l| *l).await.is_err() {
            return;
        }
        r.metrics.set_leader(true);
        while !r.ready.is_ready() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        run(&r).await;
        if r.leader.wait_for(|l| !*l).await.is_err() {
            return;
        }
        r.metrics.set_leader(false);
    }
}

async fn run(r: &Round) {
    let missed = r.missed.take(r.missed_horizon);
    let of_kind = |kind: &str| -> Vec<ObjectKey> {
        missed
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, key)| key.clone())
            .collect()
    };
    let (missed_gateways, missed_bindings) = (of_kind("Gateway"), of_kind("TargetGroupBinding"));
    let mut rest: Vec<Arc<Gateway>> = r.stores.gateways.state();
    rest.retain(|g| !missed_gateways.contains(&ObjectKey::of(&g.metadata)));
    rest.sort_by_key(|g| !is_behind(g));
    let first = !missed_gateways.is_empty();
    if !send_gateways(r, missed_gateways).await {
        return;
    }
    if first {
        // The changed Gateways have the client-side AWS rate limit to themselves: the round's
        // other reconciles would take most of its tokens.
        r.outstanding.below("Gateway", 1).await;
    }
    // Bindings have a controller of their own and cost a call or two each: not paced (their
    // debounce would hold each paced request a second). Those changed around the takeover
    // go now, the others after the Gateways.
    for key in &missed_bindings {
        r.queues.binding(key).await;
    }
    let rest = rest.iter().map(|g| ObjectKey::of(&g.metadata)).collect();
    if !send_gateways(r, rest).await {
        return;
    }
    for c in r.stores.gateway_classes.state() {
        r.queues
            .class(c.metadata.name.as_deref().unwrap_or_default())
            .await;
    }
    for b in r.stores.target_group_bindings.state() {
        let key = ObjectKey::of(&b.metadata);
        if !missed_bindings.contains(&key) {
            r.queues.binding(&key).await;
        }
    }
}

/// Requests reconciles of `keys`, paced; false once this replica no longer leads.
async fn send_gateways(r: &Round, keys: Vec<ObjectKey>) -> bool {
    for key in keys {
        r.outstanding.below("Gateway", r.window).await;
        if !*r.leader.borrow() {
            return false;
        }
        r.outstanding.add("Gateway", &key);
        r.queues.gateway(&key).await;
    }
    true
}

/// Whether a Gateway's `Programmed` condition is missing, not true, or older than its spec.
fn is_behind(g: &Gateway) -> bool {
    let generation = g.metadata.generation;
    !g.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Programmed"))
        .is_some_and(|c| {
            c.status == "True" && Some(c.observed_generation.unwrap_or(0)) == generation
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gateway(name: &str, generation: i64, programmed: Option<(&str, i64)>) -> Gateway {
        let mut g: Gateway = serde_json::from_value(serde_json::json!({
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": {"name": name, "namespace": "ns", "generation": generation},
            "spec": {"gatewayClassName": "alb", "listeners": []},
        }))
        .unwrap();
        if let Some((status, observed)) = programmed {
            g.status = serde_json::from_value(serde_json::json!({
                "conditions": [{"type": "Programmed", "status": status, "reason": "Programmed",
                                "message": "", "observedGeneration": observed,
                                "lastTransitionTime": "2024-01-01T00:00:00Z"}],
            }))
            .unwrap();
        }
        g
    }

    #[test]
    fn gateways_behind_their_spec_are_reconciled_first_after_a_failover() {
        let mut all = [
            gateway("current", 2, Some(("True", 2))),
            gateway("edited", 3, Some(("True", 2))),
            gateway("failed", 1, Some(("False", 1))),
            gateway("new", 1, None),
        ];
        all.sort_by_key(|g| !is_behind(g));
        let order: Vec<_> = all
            .iter()
            .map(|g| g.metadata.name.clone().unwrap())
            .collect();
        assert_eq!(order, ["edited", "failed", "new", "current"]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_round_waits_for_a_slot_and_gives_up_on_requests_that_never_finish() {
        let o = Outstanding::default();
        let key = |n: &str| ObjectKey::new("ns", n);
        o.add("Gateway", &key("a"));
        o.add("Gateway", &key("b"));
        o.add("TargetGroupBinding", &key("a"));
        // Bindings are counted apart: one of two slots is free for them.
        tokio::time::timeout(Duration::from_secs(1), o.below("TargetGroupBinding", 2))
            .await
            .expect("a binding slot is free");
        let start = tokio::time::Instant::now();
        let waiting = tokio::spawn({
            let o = o.clone();
            async move { o.below("Gateway", 2).await }
        });
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert!(!waiting.is_finished(), "both Gateway slots are taken");
        o.done("Gateway", &key("a"));
        waiting.await.unwrap();
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(5),
            "free once one finished"
        );

        o.add("Gateway", &key("c"));
        let start = tokio::time::Instant::now();
        o.below("Gateway", 2).await;
        assert_eq!(start.elapsed(), STALL, "never finished: the round goes on");
        assert_eq!(Outstanding::count(&o.0.borrow(), "Gateway"), 0);
        assert_eq!(Outstanding::count(&o.0.borrow(), "TargetGroupBinding"), 1);
    }
}
