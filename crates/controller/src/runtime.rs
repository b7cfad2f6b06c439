//! Wiring: watches → trigger mapper → three controllers (Gateways, GatewayClasses,
//! TargetGroupBindings), gated by
//! the lease; the admin server beside them.

use crate::config::Config;
use crate::deploy::Deploy;
use crate::error::Result;
use crate::kinds;
use crate::mapper::{self, Queues};
use crate::metrics::Metrics;
use crate::reconcile::{self, Context};
use crate::referenced::SecretCache;
use crate::server::{self, Admin};
use crate::stores::Stores;
use crate::watch::{Readiness, WatchContext};
use futures::{FutureExt, StreamExt};
use k8s_openapi::api::coordination::v1::Lease;
use kube::Client;
use kube::Resource;
use kube::api::Api;
use kube::runtime::controller::{self, Action, Controller};
use kube::runtime::events::{Recorder, Reporter};
use kube::runtime::reflector::{ObjectRef, Store};
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::mpsc::Receiver;
use tokio::sync::watch as channel;

/// Handles to a running controller, for the binary and for tests.
#[derive(Clone)]
pub struct Handle {
    pub metrics: Arc<Metrics>,
    pub ready: Arc<Readiness>,
    pub stores: Stores,
    pub leader: channel::Receiver<bool>,
    /// Where the admin server listens, when it was asked for.
    pub admin_addr: Option<SocketAddr>,
}

/// Starts everything; `on_started` gets the handles; returns when `shutdown` resolves and the
/// reconciles in flight have finished.
pub async fn run<D: Deploy>(
    client: Client,
    config: Config,
    deploy: Arc<D>,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_started: impl FnOnce(Handle),
) -> Result<()> {
    run_with_secrets(
        client,
        config,
        deploy,
        SecretCache::default(),
        shutdown,
        on_started,
    )
    .await
}

/// [`run`], caching referenced Secrets in `secrets`: the cache a deployer built with
/// [`crate::certificates::from_cache`] reads listener certificates from.
pub async fn run_with_secrets<D: Deploy>(
    client: Client,
    config: Config,
    deploy: Arc<D>,
    secrets: SecretCache,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_started: impl FnOnce(Handle),
) -> Result<()> {
    let shutdown = shutdown.shared();
    let (calls, waited) = (deploy.clone(), deploy.clone());
    let metrics = Arc::new(
        Metrics::new(Some(Box::new(move || calls.call_counts())))
            .with_rate_limit_waited(Box::new(move || waited.rate_limit_waited())),
    );
    let (stores, writers) = Stores::with_secrets(secrets);
    // The kind watches, and the watchers of referenced Secrets and ConfigMaps.
    let listener_sets = config.translate.listener_sets;
    let ready = Readiness::new(kinds::watches(listener_sets) + 2);
    // Bounded: a burst of watch events waits in the watches (backpressure) rather than
    // growing a queue; the mapper drains it in batches (crate::mapper).
    let (change_tx, change_rx) = tokio::sync::mpsc::channel(crate::mapper::CHANGES);
    // Everything spawned stops when this future is dropped (or returns).
    let mut tasks = Tasks(Vec::new());
    let mut lease_task: Option<Tasks> = None;
    let watch_context = WatchContext {
        client: client.clone(),
        namespace: config.watch_namespace.clone(),
        changes: change_tx,
        ready: ready.clone(),
        crd_recheck: config.crd_recheck,
        metrics: metrics.clone(),
    };
    tasks.0 = kinds::spawn_all(&watch_context, writers, listener_sets);
    tasks
        .0
        .push(tokio::spawn(crate::referenced::config_maps::run(
            watch_context.clone(),
            stores.config_maps.clone(),
            {
                let stores = stores.clone();
                move || stores.trigger_snapshot()
            },
        )));
    // The tiered class also reads the Secrets its load balancer listeners import.
    let sources = if config.tiered {
        crate::referenced::WITH_TIERED
    } else {
        crate::referenced::SOURCES
    };
    tasks.0.push(tokio::spawn(crate::referenced::secrets::run(
        watch_context,
        stores.secrets.clone(),
        {
            let stores = stores.clone();
            move || stores.base_snapshot()
        },
        sources,
    )));

    let (leader_tx, leader_rx) = channel::channel(!config.lease.enabled);
    // The lease is held (and renewed) until the reconciles in flight have finished: released
    // at the shutdown request, it would stop this replica leading, which abandons them
    // mid-way (reconcile::gated) — AWS calls cut off, statuses unwritten.
    let (drained_tx, drained_rx) = tokio::sync::oneshot::channel::<()>();
    if config.lease.enabled {
        let api: Api<Lease> = Api::namespaced(client.clone(), &config.lease.namespace);
        lease_task = Some(Tasks(vec![tokio::spawn(crate::lease::run(
            api,
            config.lease.clone(),
            leader_tx,
            async move {
                let _ = drained_rx.await;
            },
        ))]));
    } else {
        // Keep the sender alive: a closed channel would read as a change.
        std::mem::forget(leader_tx);
    }
    metrics.set_leader(*leader_rx.borrow());
    // Tiered gateways: their own watches and loop, woken by every change (crate::tiered);
    // nothing of them runs when the class is off.
    let change_rx = if config.tiered {
        let (change_rx, tiered_tasks) = crate::tiered::spawn(
            crate::tiered::Wiring {
                client: &client,
                deploy: deploy.clone(),
                config: &config,
                stores: &stores,
                ready: ready.clone(),
                leader: leader_rx.clone(),
                metrics: metrics.clone(),
            },
            change_rx,
        );
        tasks.0.extend(tiered_tasks);
        change_rx
    } else {
        change_rx
    };

    let (gw_tx, gw_rx) = tokio::sync::mpsc::channel(mapper::CHANGES);
    let (class_tx, class_rx) = tokio::sync::mpsc::channel(mapper::CHANGES);
    let (binding_tx, binding_rx) = tokio::sync::mpsc::channel(mapper::CHANGES);
    let queues = Queues {
        gateways: gw_tx,
        classes: class_tx,
        bindings: binding_tx,
        metrics: metrics.clone(),
    };
    tasks.0.push(tokio::spawn(mapper::run(
        stores.clone(),
        change_rx,
        queues.clone(),
    )));
    let missed = crate::missed::Missed::default();
    let outstanding = crate::round::Outstanding::default();
    tasks.0.push(tokio::spawn(crate::round::on_leading(
        crate::round::Round {
            missed: missed.clone(),
            outstanding: outstanding.clone(),
            stores: stores.clone(),
            ready: ready.clone(),
            leader: leader_rx.clone(),
            queues,
            metrics: metrics.clone(),
            window: usize::from(config.concurrency.max(1)),
            // The old leader renewed within a lease duration before the takeover; what changed
            // in the duration before that it may not have reached either.
            missed_horizon: config.lease.duration * 2,
        },
    )));

    let mut admin_addr = None;
    if let Some(addr) = config.admin_addr {
        let admin = Admin {
            metrics: metrics.clone(),
            ready: ready.clone(),
        };
        let (local, serve) = server::bind(addr, admin).await?;
        tracing::info!(%local, "admin server listening");
        admin_addr = Some(local);
        tasks.0.push(tokio::spawn(serve));
    }

    let reporter = Reporter {
        controller: "gantry".to_string(),
        instance: Some(config.lease.identity.clone()),
    };
    let debounce = config.debounce;
    let controller_config = controller::Config::default()
        .concurrency(config.concurrency)
        .debounce(config.debounce);
    let mut ctx = Context::new(
        client.clone(),
        stores.clone(),
        config,
        deploy,
        metrics.clone(),
        Recorder::new(client, reporter),
        leader_rx.clone(),
    );
    ctx.missed = missed;
    ctx.outstanding = outstanding;
    let ctx = Arc::new(ctx);
    on_started(Handle {
        metrics,
        ready,
        stores: stores.clone(),
        leader: leader_rx,
        admin_addr,
    });

    // Triggers come only from the mapper: the watches feed the caches, so no second watch.
    // Gateways are throttled rather than debounced: a lone change is reconciled at once, a
    // burst costs two reconciles (crate::throttle).
    let (gw_rx, throttle_task) = crate::throttle::throttled(gw_rx, debounce);
    tasks.0.push(throttle_task);
    let gateways = reconciler(
        stores.gateways.clone(),
        gw_rx,
        controller_config
            .clone()
            .debounce(std::time::Duration::ZERO),
        shutdown.clone(),
        reconcile::reconcile_gateway,
        ctx.clone(),
    );
    let classes = reconciler(
        stores.gateway_classes.clone(),
        class_rx,
        controller_config.clone(),
        shutdown.clone(),
        reconcile::reconcile_class,
        ctx.clone(),
    );
    // The debounce matters most here: a rollout changes endpoints many times a second, and
    // each binding should be synced once the burst settles, not once per change.
    let bindings = reconciler(
        stores.target_group_bindings.clone(),
        binding_rx,
        controller_config,
        shutdown,
        reconcile::reconcile_binding,
        ctx,
    );
    futures::join!(gateways, classes, bindings);
    tracing::info!("reconciles in flight finished");
    drop(tasks);
    // Now the lease loop may stop: let it release the lease.
    let _ = drained_tx.send(());
    if let Some(mut lease) = lease_task
        && let Some(task) = lease.0.pop()
    {
        let _ = task.await;
    }
    Ok(())
}

/// A kube controller over the objects of `store`: reconciles each request `requests` brings
/// with `reconcile` (failures through [`reconcile::error_policy`]) until `shutdown`.
fn reconciler<K, D, Fut>(
    store: Store<K>,
    requests: Receiver<ObjectRef<K>>,
    config: controller::Config,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
    reconcile: impl FnMut(Arc<K>, Arc<Context<D>>) -> Fut,
    ctx: Arc<Context<D>>,
) -> impl Future<Output = ()>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    D: Deploy,
    Fut: Future<Output = Result<Action>> + Send + 'static,
{
    Controller::for_stream(futures::stream::pending(), store)
        .reconcile_on(mapper::requests(requests))
        .with_config(config)
        .graceful_shutdown_on(shutdown)
        .run(reconcile, reconcile::error_policy, ctx)
        .for_each(|_| futures::future::ready(()))
}

/// Aborts its tasks when dropped, so that a stopped or dropped controller leaves nothing
/// running (a lease loop left behind would keep renewing).
struct Tasks(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Tasks {
    fn drop(&mut self) {
        for t in &self.0 {
            t.abort();
        }
    }
}
