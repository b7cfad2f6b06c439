//! The watches: one reflector per kind, trimmed before caching, each change turned into a
//! [`Change`] for the trigger mapper. A kind whose CRD is not installed is left out, with a
//! log line, until it appears.

use crate::compact::{Compact, CompactWriter, Held};
use crate::metrics::Metrics;
use crate::triggers::Change;
use futures::StreamExt;
use gantry_api::k8s::Resource;
use gantry_snapshot::ObjectKey;
use kube::Client;
use kube::api::Api;
use kube::runtime::WatchStreamExt;
use kube::runtime::reflector::store::Writer;
use kube::runtime::watcher::{self, Event, watcher};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::mpsc::Sender;
use tokio::task::JoinHandle;

/// Ready once every watch has listed its kind once (or found its CRD missing).
#[derive(Debug)]
pub struct Readiness {
    pending: AtomicUsize,
}

impl Readiness {
    pub fn new(watches: usize) -> Arc<Self> {
        Arc::new(Readiness {
            pending: AtomicUsize::new(watches),
        })
    }

    pub fn is_ready(&self) -> bool {
        self.pending.load(Ordering::Acquire) == 0
    }

    /// Watches not yet synced.
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::Acquire)
    }

    pub(crate) fn done(&self) {
        let _ = self
            .pending
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
    }
}

/// What the watches share.
#[derive(Clone)]
pub struct WatchContext {
    pub client: Client,
    pub namespace: Option<String>,
    pub changes: Sender<Change>,
    pub ready: Arc<Readiness>,
    pub crd_recheck: Duration,
    pub metrics: Arc<Metrics>,
}

/// Whether the API server serves `K` (its group/version lists its plural).
pub async fn is_served<K: Resource<DynamicType = ()>>(
    client: &Client,
) -> Result<bool, kube::Error> {
    let version = K::api_version(&());
    let list = if K::group(&()).is_empty() {
        client.list_core_api_resources(&version).await
    } else {
        client.list_api_group_resources(&version).await
    };
    match list {
        Ok(list) => Ok(list.resources.iter().any(|r| r.name == K::plural(&()))),
        Err(kube::Error::Api(e)) if e.code == 404 => Ok(false),
        Err(e) => Err(e),
    }
}

/// (spec, status) fingerprints of an object.
pub type Fingerprint<K> = fn(&K) -> (u64, u64);

/// For kinds whose every field may matter.
pub fn keep_all<K>(_: &mut K) {}

/// How a kind's changes become [`Change`]s, and which updates matter.
pub struct KindWatch<K> {
    pub api: Api<K>,
    /// CRDs may be missing; core kinds are always served.
    pub optional: bool,
    /// Drops the parts of this kind translation never reads, before caching.
    pub trim: fn(&mut K),
    /// Which objects are cached at all (None: every one). Must not change over an object's
    /// life, as a dropped object's deletion is dropped too.
    pub keep: Option<fn(&K) -> bool>,
    /// The change, told whether the spec part of the fingerprint moved (or only the status
    /// part).
    pub change: fn(&K, bool) -> Option<Change>,
    /// (spec, status) fingerprints: an update with the same ones as the last is not passed on
    /// (status writes, ours included, would otherwise trigger reconciles of their own).
    /// None: pass every update on.
    pub fingerprint: Option<Fingerprint<K>>,
}

/// Where a watch caches its kind: a kube reflector store, or a compact cache.
pub trait Cache<K>: Send + 'static {
    /// An object as the cache holds it, kept over a relist.
    type Held: Send;
    fn apply(&mut self, event: &Event<K>);
    /// Every object held now.
    fn held(&self) -> Vec<(ObjectKey, Self::Held)>;
    /// The object `held` is.
    fn recall(key: &ObjectKey, held: &Self::Held) -> Option<Arc<K>>;
}

impl<K> Cache<K> for Writer<K>
where
    K: Resource<DynamicType = ()> + Clone + Send + Sync + 'static,
{
    type Held = Arc<K>;

    fn apply(&mut self, event: &Event<K>) {
        self.apply_watcher_event(event);
    }

    fn held(&self) -> Vec<(ObjectKey, Arc<K>)> {
        let state = self.as_reader().state();
        state
            .into_iter()
            .map(|o| (ObjectKey::of(o.meta()), o))
            .collect()
    }

    fn recall(_: &ObjectKey, held: &Arc<K>) -> Option<Arc<K>> {
        Some(held.clone())
    }
}

impl<K, I> Cache<K> for CompactWriter<K, I>
where
    K: Resource + Serialize + DeserializeOwned + 'static,
    I: Send + Sync + 'static,
{
    type Held = Held;

    fn apply(&mut self, event: &Event<K>) {
        self.apply_watcher_event(event);
    }

    fn held(&self) -> Vec<(ObjectKey, Held)> {
        self.as_reader().held()
    }

    fn recall(key: &ObjectKey, held: &Held) -> Option<Arc<K>> {
        Compact::<K, I>::decode(key, held)
    }
}

/// Starts the watch of one kind. After a relist (the watch expired or was down), cached
/// objects the list no longer has are passed on as deletions: their delete events happened
/// while the watch was down, and the reflector drops them without a word.
pub fn spawn<K, C>(ctx: &WatchContext, mut cache: C, kind: KindWatch<K>) -> JoinHandle<()>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    C: Cache<K>,
{
    let ctx = ctx.clone();
    tokio::spawn(async move {
        let name = K::kind(&()).to_string();
        // A kind installed after start: what its first list finds is new to the controller.
        let late = kind.optional && !wait_until_served::<K>(&ctx, &name).await;
        let keep = kind.keep;
        let mut stream = relisting(kind.api, watcher::Config::default())
            .filter(move |event| {
                let kept = match (keep, event) {
                    (Some(keep), Ok(Event::Apply(o) | Event::InitApply(o) | Event::Delete(o))) => {
                        keep(o)
                    }
                    _ => true,
                };
                std::future::ready(kept)
            })
            .modify(move |o: &mut K| {
                crate::trim::strip(o);
                (kind.trim)(o);
            })
            .boxed();
        let mut synced = false;
        // By a hash of the object's key, not the key: one entry per object of the kind for
        // its whole life, and two strings per entry were megabytes on a large cluster. Two
        // keys of one hash (odds of about 1e-10 among 100,000 objects) would share an entry.
        let mut seen: HashMap<u64, (u64, u64)> = HashMap::new();
        // What the cache held when a relist began, and what the list has returned so far
        // (only while a relist runs).
        let mut before: Vec<(ObjectKey, C::Held)> = Vec::new();
        let mut listed: HashSet<ObjectKey> = HashSet::new();
        // Between a relist's Init and InitDone. A status changed while the watch was down
        // counts as a spec change then: the status a reconcile compared against may have been
        // this stale copy (status::write skips a write the cache says is not needed).
        let mut relisting = false;
        // Changes of one event, sent after it is handled (the channel is bounded: sending waits).
        let mut out: Vec<Change> = Vec::new();
        let change = kind.change;
        while let Some(event) = stream.next().await {
            if let Ok(e) = &event {
                cache.apply(e);
            }
            match event {
                Ok(Event::Apply(obj)) | Ok(Event::InitApply(obj)) => {
                    let key = ObjectKey::of(obj.meta());
                    let hashed = key_hash(&key);
                    if !before.is_empty() {
                        listed.insert(key);
                    }
                    let mut spec = true;
                    if let Some(fp) = kind.fingerprint {
                        let fp = fp(&obj);
                        match seen.insert(hashed, fp) {
                            Some(old) if old == fp => continue,
                            Some(old) => spec = old.0 != fp.0 || relisting,
                            None => {}
                        }
                    }
                    // The first list is not a change: every Gateway is reconciled at start.
                    if synced || late {
                        out.extend(change(&obj, spec));
                    }
                }
                Ok(Event::Delete(obj)) => {
                    seen.remove(&key_hash(&ObjectKey::of(obj.meta())));
                    out.extend(change(&obj, true));
                }
                // The store swaps the new list in only at InitDone: it holds the old state here.
                Ok(Event::Init) => {
                    relisting = synced;
                    before = cache.held();
                    listed = HashSet::new();
                }
                Ok(Event::InitDone) => {
                    relisting = false;
                    for (key, old) in std::mem::take(&mut before) {
                        if !listed.contains(&key) {
                            seen.remove(&key_hash(&key));
                            if let Some(old) = C::recall(&key, &old) {
                                out.extend(change(&old, true));
                            }
                        }
                    }
                    listed = HashSet::new();
                    // The list's pages are decoded and dropped: their memory back to the
                    // system (crate::memory).
                    crate::memory::release();
                    if !synced {
                        synced = true;
                        ctx.ready.done();
                        tracing::info!(kind = %name, "watch synced");
                    }
                }
                Err(e) => {
                    ctx.metrics.watch_error(&name);
                    tracing::warn!(kind = %name, error = %e, "watch failed; retrying with backoff");
                }
            }
            for c in out.drain(..) {
                if ctx.changes.send(c).await.is_err() {
                    return;
                }
            }
        }
    })
}

fn key_hash(key: &ObjectKey) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// A kube watcher with its default backoff, that also lists again when a watch request is
/// answered `410 Gone` outright (the API server's watch cache does that for a too-old
/// resourceVersion). The kube watcher relists by itself after an `ERROR` event with code 410,
/// but retries a `410 Gone` answer from the same expired resourceVersion forever; here a fresh
/// watcher (which starts with a list) replaces it, after a growing pause.
pub fn relisting<K>(
    api: Api<K>,
    config: watcher::Config,
) -> impl futures::Stream<Item = watcher::Result<Event<K>>> + Send + 'static
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
{
    let fresh = move || {
        watcher(api.clone(), config.clone())
            .default_backoff()
            .boxed()
    };
    let first = fresh();
    futures::stream::unfold(
        (first, 0u32, false),
        move |(mut stream, mut restarts, restart)| {
            let fresh = fresh.clone();
            async move {
                if restart {
                    tokio::time::sleep(relist_pause(restarts)).await;
                    stream = fresh();
                }
                let item = stream.next().await?;
                let expired = item.as_ref().err().is_some_and(expired);
                if expired {
                    restarts = restarts.saturating_add(1);
                } else if matches!(item, Ok(Event::Apply(_) | Event::Delete(_))) {
                    // A live watch event: the watch works again.
                    restarts = 0;
                }
                Some((item, (stream, restarts, expired)))
            }
        },
    )
}

/// The pause before the `n`th relist in a row after `410 Gone` answers: 0.8 s doubling to 30 s,
/// as the kube watcher's own backoff.
pub fn relist_pause(n: u32) -> Duration {
    let exp = n.clamp(1, 7) - 1;
    (Duration::from_millis(800) * 2u32.pow(exp)).min(Duration::from_secs(30))
}

/// A watch answered `410 Gone` as an HTTP status (not as an `ERROR` event, which the kube
/// watcher handles itself).
pub fn expired(e: &watcher::Error) -> bool {
    matches!(
        e,
        watcher::Error::WatchFailed(kube::Error::Api(s))
            | watcher::Error::WatchStartFailed(kube::Error::Api(s)) if s.code == 410
    )
}

/// Returns once `K` is served: true if it was at the first look.
async fn wait_until_served<K: Resource<DynamicType = ()>>(ctx: &WatchContext, name: &str) -> bool {
    let mut announced = false;
    loop {
        match is_served::<K>(&ctx.client).await {
            Ok(true) => {
                if announced {
                    tracing::info!(kind = %name, "CRD installed; watching it now");
                }
                return !announced;
            }
            Ok(false) => {
                if !announced {
                    tracing::warn!(
                        kind = %name,
                        api_version = %K::api_version(&()),
                        "CRD not installed: {name} objects are ignored until it is"
                    );
                    announced = true;
                    // A missing kind does not hold readiness back.
                    ctx.ready.done();
                }
            }
            Err(e) => tracing::warn!(kind = %name, error = %e, "API discovery failed"),
        }
        tokio::time::sleep(ctx.crd_recheck).await;
    }
}
