//! Tiered gateways (docs/tiered.md): Gateways of class `gateway.k8s.aws/tiered` become an
//! in-cluster shadow Gateway behind Crossplane load balancer resources. What to create is
//! computed by the pure `gantry_tiered::plan` over the whole cluster; this module feeds it
//! and carries it out (see `pass.rs`).
//!
//! Unlike the ALB/NLB controllers, it runs one loop over the whole cluster instead of one
//! reconcile per Gateway: the plan is global (a shadow route serves every Gateway its user
//! route names, pruning needs the complete set of planned objects), and it is cheap (no AWS
//! calls — Crossplane makes those — but for ACM, when a load balancer listener's certificate
//! is found by hostname or imported from a listener's Secret, see `certificates.rs`). The loop runs on every change any watch reports (the
//! main watches' changes are teed to it), after the debounce, and every `sync_period`.

mod certificates;
mod idle;
mod pass;
pub mod watches;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::stores::Stores;
use crate::triggers::Change;
use crate::watch::Readiness;
use kube::Client;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{Receiver, channel};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// What the tiered loop needs from the runtime.
pub struct Wiring<'a> {
    pub client: &'a Client,
    /// Only for ACM: listener certificates found by hostname or imported from Secrets.
    pub deploy: Arc<dyn crate::deploy::Deploy>,
    pub config: &'a Config,
    pub stores: &'a Stores,
    /// Readiness of the main watches (Gateways, routes, classes, Namespaces).
    pub ready: Arc<Readiness>,
    pub leader: watch::Receiver<bool>,
    pub metrics: Arc<Metrics>,
}

/// Starts the tiered watches and loop. `changes` are the main watches' changes: they are
/// passed on unchanged in the returned receiver (to the trigger mapper) and also wake the
/// tiered loop, so that the main watches need no second subscriber.
pub fn spawn(
    w: Wiring<'_>,
    mut changes: Receiver<Change>,
) -> (Receiver<Change>, Vec<JoinHandle<()>>) {
    let kick = Arc::new(Notify::new());
    let (own_tx, mut own_rx) = channel(crate::mapper::CHANGES);
    let (tiered, mut tasks) = watches::spawn(
        w.client,
        w.config.watch_namespace.as_deref(),
        w.config.crd_recheck,
        w.metrics.clone(),
        own_tx,
    );
    let (forward_tx, forward_rx) = channel(crate::mapper::CHANGES);
    let k = kick.clone();
    tasks.push(tokio::spawn(async move {
        while let Some(c) = changes.recv().await {
            k.notify_one();
            if forward_tx.send(c).await.is_err() {
                return;
            }
        }
    }));
    let k = kick.clone();
    tasks.push(tokio::spawn(async move {
        while own_rx.recv().await.is_some() {
            k.notify_one();
        }
    }));
    let ctx = pass::Ctx {
        client: w.client.clone(),
        stores: w.stores.clone(),
        tiered,
        deploy: w.deploy,
        settings: gantry_tiered::TieredSettings {
            cluster_name: w.config.translate.cluster_name.clone(),
            region: None,
            // Set by each pass (crate::certificates::unix_now).
            now: None,
        },
    };
    tasks.push(tokio::spawn(run(
        ctx,
        kick,
        w.ready,
        w.leader,
        Timing {
            debounce: w.config.debounce,
            resync: w.config.sync_period,
            backoff_min: w.config.backoff_min,
            backoff_max: w.config.backoff_max,
        },
    )));
    (forward_rx, tasks)
}

struct Timing {
    debounce: Duration,
    resync: Duration,
    backoff_min: Duration,
    backoff_max: Duration,
}

async fn run(
    ctx: pass::Ctx,
    kick: Arc<Notify>,
    ready: Arc<Readiness>,
    mut leader: watch::Receiver<bool>,
    t: Timing,
) {
    let mut backoff = t.backoff_min;
    loop {
        // Only the leader writes; a new leader passes at once (on_leading's counterpart).
        if leader.wait_for(|l| *l).await.is_err() {
            return;
        }
        // Pruning and finalizer removal read "absent from the cache" as "absent": never
        // before every cache has been filled once.
        while !(ready.is_ready() && ctx.tiered.is_ready()) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Let a burst of changes (our own writes included) settle into one pass.
        tokio::time::sleep(t.debounce).await;
        let failures = ctx.pass().await;
        let wait = if failures.is_empty() {
            backoff = t.backoff_min;
            t.resync
        } else {
            for f in &failures {
                tracing::warn!(error = %f, "tiered pass: a write failed; retrying with backoff");
            }
            let wait = backoff;
            backoff = (backoff * 2).min(t.backoff_max);
            wait
        };
        tokio::select! {
            _ = kick.notified() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = leader.changed() => {}
        }
    }
}
