//! Objects other objects reference, and only those: one watch per referenced object, narrowed
//! to it by a `metadata.name` field selector in its namespace, started and stopped as the
//! references change. Clusters hold thousands of Secrets and ConfigMaps; caching them all is
//! what makes controllers run out of memory, so no watch of every one is ever made. Each
//! cached object is trimmed to what translation reads.
//!
//! One generic watcher ([`run`]) serves every kind; a kind says what it reads through
//! [`Referenced`]: [`secrets`] (OIDC client Secrets, listener certificates) and
//! [`config_maps`] (client-certificate CAs).

pub mod config_maps;
pub mod secrets;

pub use config_maps::ConfigMapCache;
pub use secrets::{SOURCES, SecretCache, Source, WITH_TIERED, Wanted};

use crate::triggers::Change;
use crate::watch::WatchContext;
use futures::StreamExt;
use gantry_api::k8s::ObjectMeta;
use gantry_snapshot::{ObjectKey, Objects};
use k8s_openapi::NamespaceResourceScope;
use kube::Resource;
use kube::api::Api;
use kube::runtime::watcher::{self, Event};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// A kind watched only where referenced.
pub trait Referenced:
    Resource<DynamicType = (), Scope = NamespaceResourceScope>
    + Clone
    + DeserializeOwned
    + Debug
    + Send
    + Sync
    + 'static
{
    /// The kind, for logs and metrics.
    const KIND: &'static str;
    /// What one watch reads of its object (the data keys kept, a type selector); watches are
    /// restarted when it changes.
    type Read: Clone + PartialEq + Debug + Send + Sync + 'static;

    /// The field selector of the watch of `key`.
    fn field_selector(key: &ObjectKey, read: &Self::Read) -> String;
    /// The object reduced to its name and what `read` names: nothing else is kept in memory.
    fn trim(self, read: &Self::Read) -> Self;
    /// Whether two trimmed objects hold the same data (a change re-reconciles).
    fn same_data(a: &Self, b: &Self) -> bool;
    /// The change that re-reconciles the objects referencing `key`.
    fn change(key: ObjectKey) -> Change;
}

/// What a trimmed object keeps of its metadata: its name and namespace.
fn name_only(metadata: ObjectMeta) -> ObjectMeta {
    ObjectMeta {
        name: metadata.name,
        namespace: metadata.namespace,
        ..ObjectMeta::default()
    }
}

/// `data` with only the keys `keep` picks.
fn keys_kept<V>(
    data: Option<BTreeMap<String, V>>,
    keep: impl Fn(&str) -> bool,
) -> Option<BTreeMap<String, V>> {
    data.map(|d| d.into_iter().filter(|(k, _)| keep(k)).collect())
}

/// The cache of one referenced kind (trimmed objects), and the signal that the references may
/// have changed.
pub struct Cache<K> {
    objects: Arc<RwLock<Objects<K>>>,
    references_changed: Arc<Notify>,
}

impl<K> Clone for Cache<K> {
    fn clone(&self) -> Self {
        Self {
            objects: self.objects.clone(),
            references_changed: self.references_changed.clone(),
        }
    }
}

impl<K> Default for Cache<K> {
    fn default() -> Self {
        Self {
            objects: Arc::default(),
            references_changed: Arc::default(),
        }
    }
}

impl<K: Referenced> Cache<K> {
    /// The cached objects, for a snapshot.
    pub fn objects(&self) -> Objects<K> {
        self.objects
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// One cached object (trimmed).
    pub fn get(&self, key: &ObjectKey) -> Option<Arc<K>> {
        self.objects
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    /// Tells the watcher to look at the references again (an object that may reference this
    /// kind changed).
    pub fn references_changed(&self) {
        self.references_changed.notify_one();
    }

    /// Stores `object` under `key`; whether the cached data changed.
    fn put(&self, key: &ObjectKey, object: K) -> bool {
        let mut objects = self.objects.write().unwrap_or_else(|e| e.into_inner());
        let changed = objects
            .get(key)
            .is_none_or(|old| !K::same_data(old, &object));
        objects.insert(key.clone(), Arc::new(object));
        changed
    }

    /// Drops `key`; whether it was cached.
    fn remove(&self, key: &ObjectKey) -> bool {
        self.objects
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key)
            .is_some()
    }
}

/// Keeps one watch per referenced object until the controller stops. `wanted` reads the
/// references from the other caches; the watcher starts once no more than `pending_before`
/// watches are pending (those other reference watchers included, so the references are read
/// from filled caches). Counts as one watch for readiness: done once every object referenced
/// at the start has been listed once, so that a first reconcile does not report missing an
/// object that exists.
pub async fn run<K: Referenced>(
    ctx: WatchContext,
    cache: Cache<K>,
    pending_before: usize,
    wanted: impl Fn() -> BTreeMap<ObjectKey, K::Read>,
) {
    while ctx.ready.pending() > pending_before {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut running: BTreeMap<ObjectKey, (K::Read, JoinHandle<()>)> = BTreeMap::new();
    let mut first = true;
    loop {
        let wanted = wanted();
        running.retain(|key, (read, task)| {
            let keep = wanted.get(key) == Some(read);
            if !keep {
                task.abort();
                cache.remove(key);
                tracing::info!(kind = K::KIND, object = %key, "no longer referenced; watch stopped");
            }
            keep
        });
        let mut initial = Vec::new();
        for (key, read) in wanted {
            if running.contains_key(&key) {
                continue;
            }
            let (synced_tx, synced_rx) = tokio::sync::oneshot::channel();
            initial.push(synced_rx);
            let task = tokio::spawn(watch_one(
                ctx.clone(),
                cache.clone(),
                key.clone(),
                read.clone(),
                synced_tx,
            ));
            tracing::info!(kind = K::KIND, object = %key, ?read, "referenced; watching it");
            running.insert(key, (read, task));
        }
        if first {
            first = false;
            // Each watch answers once its first list has ended: listed, or failed (no such
            // namespace, no permission; it retries on its own). No fixed timeout: a large
            // cluster's slow first list is waited for, a failing one is not.
            for synced in initial {
                let _ = synced.await;
            }
            ctx.ready.done();
            tracing::info!(
                kind = K::KIND,
                objects = running.len(),
                "referenced objects synced"
            );
        }
        cache.references_changed.notified().await;
    }
}

/// Watches the one object `key`; every change to what `read` names is a [`Referenced::change`].
async fn watch_one<K: Referenced>(
    ctx: WatchContext,
    cache: Cache<K>,
    key: ObjectKey,
    read: K::Read,
    synced: tokio::sync::oneshot::Sender<()>,
) {
    let api: Api<K> = Api::namespaced(ctx.client.clone(), &key.namespace);
    let config = watcher::Config::default().fields(&K::field_selector(&key, &read));
    let mut stream = crate::watch::relisting(api, config).boxed();
    let mut synced = Some(synced);
    // Whether the object was in the current (re)list: one deleted while the watch was
    // disconnected is only noticed by its absence.
    let mut listed = false;
    let changed = |ctx: &WatchContext| {
        let (tx, c) = (ctx.changes.clone(), K::change(key.clone()));
        async move { tx.send(c).await }
    };
    while let Some(event) = stream.next().await {
        match event {
            Ok(Event::Init) => listed = false,
            Ok(Event::InitApply(object)) | Ok(Event::Apply(object)) => {
                listed = true;
                if cache.put(&key, object.trim(&read)) {
                    tracing::debug!(kind = K::KIND, object = %key, "referenced object changed");
                    let _ = changed(&ctx).await;
                }
            }
            Ok(Event::Delete(_)) => {
                if cache.remove(&key) {
                    let _ = changed(&ctx).await;
                }
            }
            Ok(Event::InitDone) => {
                if !listed && cache.remove(&key) {
                    let _ = changed(&ctx).await;
                }
                if let Some(s) = synced.take() {
                    let _ = s.send(());
                }
            }
            // The error names the request, never the object's data.
            Err(e) => {
                if let Some(s) = synced.take() {
                    let _ = s.send(());
                }
                ctx.metrics.watch_error(K::KIND);
                tracing::warn!(kind = K::KIND, object = %key, error = %e, "watch failed; retrying with backoff");
            }
        }
    }
}
