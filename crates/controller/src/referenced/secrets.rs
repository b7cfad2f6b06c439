//! Secrets other objects reference, and only those: one watch per referenced Secret, narrowed
//! to it by a `metadata.name` field selector in its namespace, started and stopped as the
//! references change. Clusters hold thousands of Secrets; caching them all is what makes
//! controllers run out of memory, so no watch of every Secret is ever made.
//!
//! The set of references is the union of [`Source`]s: the OIDC client Secrets of
//! ListenerRuleConfigurations, and the `kubernetes.io/tls` Secrets of the listener
//! `tls.certificateRefs` of Gateways of gantry's classes (also narrowed by a `type` field
//! selector, so a Secret of another type is never transferred). Each cached Secret keeps only
//! the data keys its sources name: for a certificate, `tls.crt` and `tls.key` — the key stays
//! cached only while a listener references the Secret, because translation checks it against
//! the certificate and the deployer imports it into ACM whenever the certificate changes or
//! is missing there (crate::certificates). Secret values are never logged, nor put in events
//! or statuses.

use crate::stores::Stores;
use crate::triggers::Change;
use crate::watch::WatchContext;
use futures::StreamExt;
use gantry_api::k8s::{ObjectMeta, Secret};
use gantry_snapshot::{ObjectKey, Objects, Snapshot};
use gantry_translate::secrets::SecretReferences;
use kube::api::Api;
use kube::runtime::watcher::{self, Event};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// Where references come from: a pure function of the objects translation reads, and the one
/// Secret type that source reads (None: any type).
#[derive(Clone, Copy)]
pub struct Source {
    pub references: fn(&Snapshot) -> SecretReferences,
    pub secret_type: Option<&'static str>,
}

/// The sources the controller watches Secrets for.
pub const SOURCES: &[Source] = &[
    Source {
        references: gantry_translate::secrets::rule_configuration_secrets,
        secret_type: None,
    },
    Source {
        references: gantry_translate::secrets::listener_certificate_secrets,
        secret_type: Some(gantry_translate::certificates::TLS_SECRET_TYPE),
    },
];

/// What the watch of one referenced Secret reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wanted {
    /// The data keys kept.
    pub keys: BTreeSet<&'static str>,
    /// A `type` field selector: set when every source naming the Secret reads that one type.
    pub secret_type: Option<&'static str>,
}

/// The cache of referenced Secrets (trimmed to the keys read), and the signal that the
/// references may have changed.
#[derive(Clone, Default)]
pub struct SecretCache {
    objects: Arc<RwLock<Objects<Secret>>>,
    references_changed: Arc<Notify>,
}

impl SecretCache {
    /// The cached Secrets, for a snapshot.
    pub fn objects(&self) -> Objects<Secret> {
        self.objects
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// One cached Secret (trimmed).
    pub fn get(&self, key: &ObjectKey) -> Option<Arc<Secret>> {
        self.objects
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    /// Tells the watcher to look at the references again (an object that may name Secrets
    /// changed).
    pub fn references_changed(&self) {
        self.references_changed.notify_one();
    }

    /// Stores `secret` under `key`; whether the cached data changed.
    fn put(&self, key: &ObjectKey, secret: Secret) -> bool {
        let mut objects = self.objects.write().unwrap_or_else(|e| e.into_inner());
        let changed = objects.get(key).is_none_or(|old| old.data != secret.data);
        objects.insert(key.clone(), Arc::new(secret));
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

/// The union of what `sources` reference in `snapshot`.
pub fn references(snapshot: &Snapshot, sources: &[Source]) -> BTreeMap<ObjectKey, Wanted> {
    let mut out: BTreeMap<ObjectKey, Wanted> = BTreeMap::new();
    for source in sources {
        for (key, keys) in (source.references)(snapshot) {
            match out.get_mut(&key) {
                Some(w) => {
                    w.keys.extend(keys);
                    // Sources that disagree on the type: the watch must see every type.
                    if w.secret_type != source.secret_type {
                        w.secret_type = None;
                    }
                }
                None => {
                    out.insert(
                        key,
                        Wanted {
                            keys,
                            secret_type: source.secret_type,
                        },
                    );
                }
            }
        }
    }
    out
}

/// A Secret reduced to its name and the data keys read: nothing else is kept in memory.
pub fn trim(secret: Secret, keys: &BTreeSet<&'static str>) -> Secret {
    let data = secret.data.map(|d| {
        d.into_iter()
            .filter(|(k, _)| keys.contains(k.as_str()))
            .collect::<BTreeMap<_, _>>()
    });
    Secret {
        metadata: ObjectMeta {
            name: secret.metadata.name,
            namespace: secret.metadata.namespace,
            ..ObjectMeta::default()
        },
        data,
        type_: secret.type_,
        ..Secret::default()
    }
}

/// Keeps one watch per referenced Secret until the controller stops. Counts as one watch for
/// readiness: ready once the other caches are filled and every Secret referenced then has
/// been listed once, so that a first reconcile does not report a Secret missing that exists.
pub async fn run(ctx: WatchContext, stores: Stores, sources: &'static [Source]) {
    // Every other watch first: the references are read from their caches.
    while ctx.ready.pending() > 1 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let cache = stores.secrets.clone();
    let mut running: BTreeMap<ObjectKey, (Wanted, JoinHandle<()>)> = BTreeMap::new();
    let mut first = true;
    loop {
        let wanted = references(&stores.snapshot(), sources);
        running.retain(|key, (read, task)| {
            let keep = wanted.get(key) == Some(read);
            if !keep {
                task.abort();
                cache.remove(key);
                tracing::info!(secret = %key, "no longer referenced; watch stopped");
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
            tracing::info!(secret = %key, secret_type = read.secret_type, "referenced; watching it");
            running.insert(key, (read, task));
        }
        if first {
            first = false;
            for synced in initial {
                // A watch that cannot list (no such namespace, no permission) retries on its
                // own; readiness does not wait for it forever.
                let _ = tokio::time::timeout(Duration::from_secs(10), synced).await;
            }
            ctx.ready.done();
            tracing::info!(secrets = running.len(), "referenced Secrets synced");
        }
        cache.references_changed.notified().await;
    }
}

/// The field selector of the watch of Secret `key`.
pub fn field_selector(key: &ObjectKey, read: &Wanted) -> String {
    match read.secret_type {
        Some(t) => format!("metadata.name={},type={t}", key.name),
        None => format!("metadata.name={}", key.name),
    }
}

/// Watches the one Secret `key`; every change to the data keys read is a [`Change::Secret`].
async fn watch_one(
    ctx: WatchContext,
    cache: SecretCache,
    key: ObjectKey,
    read: Wanted,
    synced: tokio::sync::oneshot::Sender<()>,
) {
    let api: Api<Secret> = Api::namespaced(ctx.client.clone(), &key.namespace);
    let config = watcher::Config::default().fields(&field_selector(&key, &read));
    let keys = read.keys;
    let mut stream = crate::watch::relisting(api, config).boxed();
    let mut synced = Some(synced);
    // Whether the Secret was in the current (re)list: one deleted while the watch was
    // disconnected is only noticed by its absence.
    let mut listed = false;
    let changed = |ctx: &WatchContext| {
        let (tx, c) = (ctx.changes.clone(), Change::Secret(key.clone()));
        async move { tx.send(c).await }
    };
    while let Some(event) = stream.next().await {
        match event {
            Ok(Event::Init) => listed = false,
            Ok(Event::InitApply(secret)) | Ok(Event::Apply(secret)) => {
                listed = true;
                if cache.put(&key, trim(secret, &keys)) {
                    tracing::debug!(secret = %key, "referenced Secret changed");
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
            // The error names the request, never the Secret's data.
            Err(e) => {
                ctx.metrics.watch_error("Secret");
                tracing::warn!(secret = %key, error = %e, "Secret watch failed; retrying with backoff");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::ByteString;

    #[test]
    fn trimming_keeps_only_the_keys_read_and_the_name() {
        let secret: Secret = serde_json::from_value(serde_json::json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "s", "namespace": "ns", "labels": {"a": "b"},
                         "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
            "data": {"clientID": "aWQ=", "clientSecret": "c2VjcmV0", "other": "eA=="},
        }))
        .unwrap();
        let keys = ["clientID", "clientSecret"].into_iter().collect();
        let t = trim(secret, &keys);
        assert_eq!(t.metadata.name.as_deref(), Some("s"));
        assert_eq!(t.metadata.namespace.as_deref(), Some("ns"));
        assert!(t.metadata.labels.is_none() && t.metadata.annotations.is_none());
        let data = t.data.unwrap();
        assert_eq!(
            data.keys().collect::<Vec<_>>(),
            ["clientID", "clientSecret"]
        );
        assert_eq!(data["clientID"], ByteString(b"id".to_vec()));
    }

    #[test]
    fn references_of_all_sources_are_merged() {
        fn a(_: &Snapshot) -> SecretReferences {
            [(ObjectKey::new("ns", "s"), ["x"].into_iter().collect())].into()
        }
        fn b(_: &Snapshot) -> SecretReferences {
            [
                (ObjectKey::new("ns", "s"), ["y"].into_iter().collect()),
                (ObjectKey::new("ns", "t"), ["z"].into_iter().collect()),
            ]
            .into()
        }
        let sources = [
            Source {
                references: a,
                secret_type: None,
            },
            Source {
                references: b,
                secret_type: Some("kubernetes.io/tls"),
            },
        ];
        let refs = references(&Snapshot::default(), &sources);
        let s = ObjectKey::new("ns", "s");
        let t = ObjectKey::new("ns", "t");
        assert_eq!(refs[&s].keys, ["x", "y"].into_iter().collect());
        // Named by an any-type source too: no type selector, or `a` would miss an Opaque one.
        assert_eq!(refs[&s].secret_type, None);
        assert_eq!(field_selector(&s, &refs[&s]), "metadata.name=s");
        assert_eq!(refs[&t].secret_type, Some("kubernetes.io/tls"));
        assert_eq!(
            field_selector(&t, &refs[&t]),
            "metadata.name=t,type=kubernetes.io/tls"
        );
        assert_eq!(refs.len(), 2);
    }
}
