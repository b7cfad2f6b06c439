//! ConfigMaps that Gateways name as client-certificate CAs (`spec.tls.frontend`
//! `caCertificateRefs`), and only those: one watch per referenced ConfigMap, narrowed to it by a
//! `metadata.name` field selector in its namespace, started and stopped as the references
//! change — the way `crate::referenced` watches Secrets, kept apart so that each can grow its
//! own sources. Each cached ConfigMap keeps only `ca.crt`, the one key translation reads.

use crate::stores::Stores;
use crate::triggers::Change;
use crate::watch::WatchContext;
use futures::StreamExt;
use gantry_api::k8s::{ConfigMap, ObjectMeta};
use gantry_snapshot::{ObjectKey, Objects};
use kube::api::Api;
use kube::runtime::watcher::{self, Event};
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// The one data key translation reads (`gantry_translate::frontend`).
pub const CA_KEY: &str = "ca.crt";

/// The cache of referenced ConfigMaps (trimmed to `ca.crt`), and the signal that the
/// references may have changed.
#[derive(Clone, Default)]
pub struct ConfigMapCache {
    objects: Arc<RwLock<Objects<ConfigMap>>>,
    references_changed: Arc<Notify>,
}

impl ConfigMapCache {
    /// The cached ConfigMaps, for a snapshot.
    pub fn objects(&self) -> Objects<ConfigMap> {
        self.objects
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Tells the watcher to look at the references again (a Gateway or class changed).
    pub fn references_changed(&self) {
        self.references_changed.notify_one();
    }

    /// Stores `cm` under `key`; whether the cached data changed.
    fn put(&self, key: &ObjectKey, cm: ConfigMap) -> bool {
        let mut objects = self.objects.write().unwrap_or_else(|e| e.into_inner());
        let changed = objects.get(key).is_none_or(|old| old.data != cm.data);
        objects.insert(key.clone(), Arc::new(cm));
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

/// A ConfigMap reduced to its name and `ca.crt`.
pub fn trim(cm: ConfigMap) -> ConfigMap {
    let data = cm.data.map(|d| {
        d.into_iter()
            .filter(|(k, _)| k == CA_KEY)
            .collect::<BTreeMap<_, _>>()
    });
    ConfigMap {
        metadata: ObjectMeta {
            name: cm.metadata.name,
            namespace: cm.metadata.namespace,
            ..ObjectMeta::default()
        },
        data,
        ..ConfigMap::default()
    }
}

/// Keeps one watch per referenced ConfigMap until the controller stops. Counts as one watch
/// for readiness, like the Secret watcher: it starts once only the two reference watchers are
/// pending (the references are read from the other caches), and is done once every ConfigMap
/// referenced then has been listed once — which lets the Secret watcher, waiting for itself
/// alone to be pending, go on.
pub async fn run(ctx: WatchContext, stores: Stores) {
    while ctx.ready.pending() > 2 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let cache = stores.config_maps.clone();
    let mut running: BTreeMap<ObjectKey, JoinHandle<()>> = BTreeMap::new();
    let mut first = true;
    loop {
        let wanted = gantry_translate::frontend::config_map_references(&stores.trigger_snapshot());
        running.retain(|key, task| {
            let keep = wanted.contains(key);
            if !keep {
                task.abort();
                cache.remove(key);
                tracing::info!(config_map = %key, "no longer referenced; watch stopped");
            }
            keep
        });
        let mut initial = Vec::new();
        for key in wanted {
            if running.contains_key(&key) {
                continue;
            }
            let (synced_tx, synced_rx) = tokio::sync::oneshot::channel();
            initial.push(synced_rx);
            let task = tokio::spawn(watch_one(
                ctx.clone(),
                cache.clone(),
                key.clone(),
                synced_tx,
            ));
            tracing::info!(config_map = %key, "referenced; watching it");
            running.insert(key, task);
        }
        if first {
            first = false;
            for synced in initial {
                // A watch that cannot list retries on its own; readiness does not wait forever.
                let _ = tokio::time::timeout(Duration::from_secs(10), synced).await;
            }
            ctx.ready.done();
            tracing::info!(config_maps = running.len(), "referenced ConfigMaps synced");
        }
        cache.references_changed.notified().await;
    }
}

/// Watches the one ConfigMap `key`; every change to its `ca.crt` is a [`Change::ConfigMap`].
async fn watch_one(
    ctx: WatchContext,
    cache: ConfigMapCache,
    key: ObjectKey,
    synced: tokio::sync::oneshot::Sender<()>,
) {
    let api: Api<ConfigMap> = Api::namespaced(ctx.client.clone(), &key.namespace);
    let config = watcher::Config::default().fields(&format!("metadata.name={}", key.name));
    let mut stream = crate::watch::relisting(api, config).boxed();
    let mut synced = Some(synced);
    // Whether the ConfigMap was in the current (re)list: one deleted while the watch was
    // disconnected is only noticed by its absence.
    let mut listed = false;
    let changed = |ctx: &WatchContext| {
        let (tx, c) = (ctx.changes.clone(), Change::ConfigMap(key.clone()));
        async move { tx.send(c).await }
    };
    while let Some(event) = stream.next().await {
        match event {
            Ok(Event::Init) => listed = false,
            Ok(Event::InitApply(cm)) | Ok(Event::Apply(cm)) => {
                listed = true;
                if cache.put(&key, trim(cm)) {
                    tracing::debug!(config_map = %key, "referenced ConfigMap changed");
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
            Err(e) => {
                ctx.metrics.watch_error("ConfigMap");
                tracing::warn!(config_map = %key, error = %e, "ConfigMap watch failed; retrying with backoff");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimming_keeps_only_ca_crt_and_the_name() {
        let cm: ConfigMap = serde_json::from_value(serde_json::json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "ca", "namespace": "pki", "labels": {"a": "b"}},
            "data": {"ca.crt": "PEM", "other": "large"},
            "binaryData": {"blob": "eA=="},
        }))
        .unwrap();
        let t = trim(cm);
        assert_eq!(t.metadata.name.as_deref(), Some("ca"));
        assert_eq!(t.metadata.namespace.as_deref(), Some("pki"));
        assert!(t.metadata.labels.is_none() && t.binary_data.is_none());
        let data = t.data.unwrap();
        assert_eq!(data.keys().collect::<Vec<_>>(), ["ca.crt"]);
    }
}
