//! The watches only tiered gateways need: ConfigMaps (class configurations),
//! TargetGroupBindings, and the Crossplane kinds of every provider family
//! (`gantry_tiered::CloudType::all`). All are optional: a cluster without the Crossplane or
//! TargetGroupBinding CRDs still gets shadow objects and statuses, and a cluster usually
//! serves one family only. The
//! Gateway API kinds come from the main stores, so nothing is watched twice.

use crate::metrics::Metrics;
use crate::triggers::Change;
use crate::watch::{self, KindWatch, Readiness, WatchContext};
use futures::StreamExt;
use gantry_api::crds::TargetGroupBinding;
use gantry_api::k8s::ConfigMap;
use gantry_snapshot::ObjectKey;
use gantry_tiered::CloudType;
use kube::Client;
use kube::api::{Api, ApiResource, DynamicObject};
use kube::runtime::WatchStreamExt;
use kube::runtime::reflector::{self, Store};
use kube::runtime::watcher::{self, Event};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::Sender;
use tokio::task::JoinHandle;

/// The caches of the tiered watches.
#[derive(Clone)]
pub struct TieredStores {
    pub config_maps: Store<ConfigMap>,
    pub target_group_bindings: Store<TargetGroupBinding>,
    /// One per [`CloudType::all`], in that order.
    pub crossplane: Vec<(CloudType, Store<DynamicObject>)>,
    /// The two typed watches (counted by `watch::spawn`).
    typed_ready: Arc<Readiness>,
    /// Crossplane watches not listed yet (nor found missing).
    dynamic_pending: Arc<AtomicUsize>,
    /// Crossplane kinds the API server does not serve (CRD not installed).
    missing: Arc<Mutex<BTreeSet<CloudType>>>,
}

impl TieredStores {
    /// Whether every tiered watch has listed its kind once (or found its CRD missing):
    /// before that, pruning could delete what is merely not cached yet.
    pub fn is_ready(&self) -> bool {
        self.typed_ready.is_ready() && self.dynamic_pending.load(Ordering::Acquire) == 0
    }

    /// The Crossplane kinds whose CRD is not installed: the statuses say so, as nothing
    /// else would tell why a load balancer never appears.
    pub fn missing_crossplane(&self) -> Vec<CloudType> {
        let missing = self.missing.lock().unwrap_or_else(|e| e.into_inner());
        missing.iter().copied().collect()
    }
}

/// The API resource of a Crossplane kind.
pub fn crossplane_resource(ty: CloudType) -> ApiResource {
    ApiResource {
        group: ty.group().to_string(),
        version: ty.version().to_string(),
        api_version: ty.api_version(),
        kind: ty.kind_name().to_string(),
        plural: ty.plural(),
    }
}

/// Starts the watches; every change is sent on `changes` (its content only says "something
/// tiered changed": the tiered loop plans the whole cluster each pass).
pub fn spawn(
    client: &Client,
    namespace: Option<&str>,
    crd_recheck: Duration,
    metrics: Arc<Metrics>,
    changes: Sender<Change>,
) -> (TieredStores, Vec<JoinHandle<()>>) {
    let typed_ready = Readiness::new(2);
    let dynamic_pending = Arc::new(AtomicUsize::new(CloudType::all().len()));
    let missing = Arc::new(Mutex::new(BTreeSet::new()));
    let ctx = WatchContext {
        client: client.clone(),
        namespace: namespace.map(str::to_string),
        changes,
        ready: typed_ready.clone(),
        crd_recheck,
        metrics,
    };
    let (config_maps, cm_writer) = reflector::store();
    let (bindings, tgb_writer) = reflector::store();
    let mut tasks = vec![
        watch::spawn(
            &ctx,
            cm_writer,
            KindWatch::<ConfigMap> {
                api: scoped(client, namespace),
                optional: false,
                keep: None,
                // Only `data` is read (class configurations); binaryData can be large.
                trim: |o| o.binary_data = None,
                change: |o, _| Some(kick(&o.metadata)),
                fingerprint: None,
            },
        ),
        watch::spawn(
            &ctx,
            tgb_writer,
            KindWatch::<TargetGroupBinding> {
                api: scoped(client, namespace),
                optional: true,
                keep: None,
                trim: watch::keep_all,
                change: |o, _| Some(kick(&o.metadata)),
                fingerprint: None,
            },
        ),
    ];
    let mut crossplane = Vec::new();
    for ty in CloudType::all() {
        let ar = crossplane_resource(ty);
        let writer = reflector::store::Writer::new(ar.clone());
        crossplane.push((ty, writer.as_reader()));
        tasks.push(tokio::spawn(watch_dynamic(
            ctx.clone(),
            dynamic_pending.clone(),
            missing.clone(),
            ty,
            ar,
            writer,
        )));
    }
    let stores = TieredStores {
        config_maps,
        target_group_bindings: bindings,
        crossplane,
        typed_ready,
        dynamic_pending,
        missing,
    };
    (stores, tasks)
}

/// The change a tiered watch reports: only its arrival matters (see [`spawn`]).
fn kick(meta: &gantry_api::k8s::ObjectMeta) -> Change {
    Change::Service(ObjectKey::of(meta))
}

fn scoped<K>(client: &Client, namespace: Option<&str>) -> Api<K>
where
    K: kube::Resource<Scope = kube::core::NamespaceResourceScope, DynamicType = ()>,
{
    match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

fn set_missing(missing: &Mutex<BTreeSet<CloudType>>, kind: CloudType, is_missing: bool) {
    let mut m = missing.lock().unwrap_or_else(|e| e.into_inner());
    if is_missing {
        m.insert(kind);
    } else {
        m.remove(&kind);
    }
}

/// Whether the API server serves `ar`.
async fn is_served(client: &Client, ar: &ApiResource) -> Result<bool, kube::Error> {
    match client.list_api_group_resources(&ar.api_version).await {
        Ok(list) => Ok(list.resources.iter().any(|r| r.name == ar.plural)),
        Err(kube::Error::Api(e)) if e.code == 404 => Ok(false),
        Err(e) => Err(e),
    }
}

/// `watch::spawn` for a kind known only at run time (DynamicObject): waits until its CRD is
/// served (not holding readiness back meanwhile), then reflects it.
async fn watch_dynamic(
    ctx: WatchContext,
    pending: Arc<AtomicUsize>,
    missing: Arc<Mutex<BTreeSet<CloudType>>>,
    kind: CloudType,
    ar: ApiResource,
    writer: reflector::store::Writer<DynamicObject>,
) {
    let mut announced = false;
    loop {
        match is_served(&ctx.client, &ar).await {
            Ok(true) => {
                set_missing(&missing, kind, false);
                break;
            }
            Ok(false) if !announced => {
                tracing::warn!(kind = %ar.kind, api_version = %ar.api_version,
                    "Crossplane CRD not installed: tiered Gateways get no cloud tier until it is");
                announced = true;
                set_missing(&missing, kind, true);
                pending.fetch_sub(1, Ordering::AcqRel);
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(kind = %ar.kind, error = %e, "API discovery failed"),
        }
        tokio::time::sleep(ctx.crd_recheck).await;
    }
    let api: Api<DynamicObject> = match ctx.namespace.as_deref() {
        Some(ns) if kind.namespaced() => Api::namespaced_with(ctx.client.clone(), ns, &ar),
        _ => Api::all_with(ctx.client.clone(), &ar),
    };
    let mut stream = crate::watch::relisting(api, watcher::Config::default())
        .modify(|o: &mut DynamicObject| o.metadata.managed_fields = None)
        .reflect(writer)
        .boxed();
    let mut synced = false;
    while let Some(event) = stream.next().await {
        match event {
            Ok(Event::Apply(o)) | Ok(Event::Delete(o)) => {
                let _ = ctx.changes.send(kick(&o.metadata)).await;
            }
            Ok(Event::InitDone) if !synced => {
                synced = true;
                if !announced {
                    pending.fetch_sub(1, Ordering::AcqRel);
                }
                // A kind installed late: what its first list found is new.
                let _ = ctx
                    .changes
                    .send(Change::Service(ObjectKey::cluster(ar.kind.clone())))
                    .await;
            }
            Ok(_) => {}
            Err(e) => {
                ctx.metrics.watch_error(&ar.kind);
                tracing::warn!(kind = %ar.kind, error = %e, "watch failed; retrying with backoff");
            }
        }
    }
}
