//! Reconcilers: one for Gateways (translate, deploy, statuses, finalizer), one for
//! GatewayClasses (status, finalizer). What they share: the [`Context`], leadership gating,
//! metrics, exponential backoff after errors, and Events.

mod binding;
mod bindings;
mod class;
mod gates;
mod gateway;
mod listener_sets;
mod routes;
pub mod rules;
mod scope;

pub use binding::reconcile as reconcile_binding;
pub use class::reconcile as reconcile_class;
pub use gateway::reconcile as reconcile_gateway;

use crate::config::Config;
use crate::deploy::Deploy;
use crate::error::{Error, Result};
use crate::metrics::Metrics;
use crate::stores::Stores;
use gantry_api::k8s::Resource;
use gantry_snapshot::{ObjectKey, Snapshot};
use gantry_translate::Translation;
use kube::Client;
use kube::runtime::controller::Action;
use kube::runtime::events::{Event, EventType, Recorder};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// What every reconcile reads.
pub struct Context<D> {
    pub client: Client,
    pub stores: Stores,
    pub config: Config,
    pub deploy: Arc<D>,
    pub metrics: Arc<Metrics>,
    pub recorder: Recorder,
    /// Whether this replica holds the lease.
    pub leader: watch::Receiver<bool>,
    /// Consecutive failures per object, for the backoff.
    failures: Mutex<HashMap<String, u32>>,
    /// `lastTransitionTime` of changed conditions; the wall clock outside tests.
    pub now: fn() -> String,
    /// Seconds since the Unix epoch, against which certificates from Secrets are checked
    /// (translation reads no clock; the controller hands it this one per reconcile).
    pub unix_now: fn() -> Option<i64>,
    /// The worker security group rules last synced (rules.rs).
    worker_rules: Mutex<Option<Vec<gantry_deploy::BackendRule>>>,
    /// Objects triggered while this replica did not lead (crate::missed).
    pub(crate) missed: crate::missed::Missed,
    /// The new leader's round waits for its requests' reconciles (crate::round).
    pub(crate) outstanding: crate::round::Outstanding,
}

impl<D: Deploy> Context<D> {
    pub fn new(
        client: Client,
        stores: Stores,
        config: Config,
        deploy: Arc<D>,
        metrics: Arc<Metrics>,
        recorder: Recorder,
        leader: watch::Receiver<bool>,
    ) -> Self {
        Context {
            client,
            stores,
            config,
            deploy,
            metrics,
            recorder,
            leader,
            failures: Mutex::new(HashMap::new()),
            now: wall_clock,
            unix_now: crate::certificates::unix_now,
            worker_rules: Mutex::new(None),
            missed: crate::missed::Missed::default(),
            outstanding: crate::round::Outstanding::default(),
        }
    }

    fn last_worker_rules(&self) -> Option<Vec<gantry_deploy::BackendRule>> {
        self.worker_rules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn set_last_worker_rules(&self, rules: Vec<gantry_deploy::BackendRule>) {
        *self.worker_rules.lock().unwrap_or_else(|e| e.into_inner()) = Some(rules);
    }

    /// Delay before retrying `key` after its latest failure, by the error's class and the
    /// failures in a row (crate::retry).
    fn backoff(&self, key: &str, err: &Error) -> std::time::Duration {
        let mut f = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let n = f.entry(key.to_string()).or_default();
        *n = n.saturating_add(1);
        crate::retry::delay(
            err.retry(),
            *n,
            self.config.backoff_min,
            self.config.backoff_max,
            crate::retry::jitter(),
        )
    }

    fn succeeded(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }

    /// Translation runs off the async threads: it is pure but may take a while on big clusters.
    async fn translate(&self, snapshot: Snapshot) -> Result<(Snapshot, Translation)> {
        self.translate_with(snapshot, Default::default(), true)
            .await
    }

    /// Translation knowing that the target groups `absent` (named by `TargetGroupName`
    /// backendRefs) do not exist, and whether the deploy confirmed the others exist
    /// (`names_checked`, see `Settings::target_group_names_checked`).
    async fn translate_with(
        &self,
        snapshot: Snapshot,
        absent: std::collections::BTreeSet<String>,
        names_checked: bool,
    ) -> Result<(Snapshot, Translation)> {
        let mut settings = self.config.translate.clone();
        settings.now = (self.unix_now)();
        settings.absent_target_groups = absent;
        settings.target_group_names_checked = names_checked;
        tokio::task::spawn_blocking(move || {
            let t = gantry_translate::translate(&snapshot, &settings);
            (snapshot, t)
        })
        .await
        .map_err(|e| Error::Translate(e.to_string()))
    }

    /// Publishes an Event on `obj`; failures are only logged (events are best effort).
    async fn event<K: Resource<DynamicType = ()>>(
        &self,
        obj: &K,
        warning: bool,
        reason: &str,
        note: String,
    ) {
        let event = Event {
            type_: if warning {
                EventType::Warning
            } else {
                EventType::Normal
            },
            reason: reason.to_string(),
            note: Some(truncate(note, 1000)),
            action: "Reconcile".to_string(),
            secondary: None,
        };
        if let Err(e) = self.recorder.publish(&event, &obj.object_ref(&())).await {
            tracing::debug!(error = %e, "publishing an event failed");
        }
    }
}

fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

/// `lastTransitionTime` format of Kubernetes conditions.
pub fn wall_clock() -> String {
    condition_time(&k8s_openapi::jiff::Timestamp::now())
}

/// A time as Kubernetes conditions spell it (RFC 3339, whole seconds, UTC).
pub fn condition_time(t: &k8s_openapi::jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Runs a reconcile only while this replica leads, and abandons it the moment it stops
/// leading; records metrics and resets the backoff on success.
async fn gated<D: Deploy>(
    ctx: &Context<D>,
    kind: &'static str,
    key: &ObjectKey,
    work: impl Future<Output = Result<Action>>,
) -> Result<Action> {
    ctx.metrics.dequeued(&key.to_string());
    // However this ends, the request is no longer the round's to wait for.
    let _round = RoundDone(ctx, kind, key);
    if !*ctx.leader.borrow() {
        ctx.missed.note(kind, key);
        return Ok(Action::await_change());
    }
    let started = tokio::time::Instant::now();
    let mut leader = ctx.leader.clone();
    let result = tokio::select! {
        r = work => r,
        _ = leader.wait_for(|l| !*l) => {
            tracing::info!(%key, "lost the lease; reconcile abandoned");
            return Ok(Action::await_change());
        }
    };
    // What the reconcile allocated is free now: back to the system (crate::memory).
    crate::memory::release();
    ctx.metrics.reconciled(
        kind,
        started.elapsed(),
        result.as_ref().err().map(Error::metric_label),
    );
    match &result {
        Ok(_) => ctx.succeeded(&format!("{kind}/{key}")),
        Err(e) => tracing::warn!(%key, kind, error = %e, "reconcile failed"),
    }
    result
}

/// Tells the round (crate::round) that a reconcile finished when dropped.
struct RoundDone<'a, D>(&'a Context<D>, &'static str, &'a ObjectKey);

impl<D> Drop for RoundDone<'_, D> {
    fn drop(&mut self) {
        self.0.outstanding.done(self.1, self.2);
    }
}

/// After a failure: retry by the error's class (crate::retry). A change to anything the
/// object's reconcile reads triggers it earlier in every case.
pub fn error_policy<K: Resource, D: Deploy>(
    obj: Arc<K>,
    err: &Error,
    ctx: Arc<Context<D>>,
) -> Action {
    let key = ObjectKey::of(obj.meta());
    let delay = ctx.backoff(&format!("{}/{key}", kind_name::<K>()), err);
    tracing::debug!(%key, retry = ?err.retry(), ?delay, "retrying");
    Action::requeue(delay)
}

fn kind_name<K>() -> &'static str {
    let name = std::any::type_name::<K>()
        .rsplit("::")
        .next()
        .unwrap_or("object");
    match name {
        "Gateway" => "Gateway",
        "GatewayClass" => "GatewayClass",
        "TargetGroupBinding" => "TargetGroupBinding",
        _ => "object",
    }
}
