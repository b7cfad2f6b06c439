//! Referenced ConfigMaps: those Gateways name as client-certificate CAs
//! (`spec.tls.frontend` `caCertificateRefs`). Each cached ConfigMap keeps only `ca.crt`, the
//! one key translation reads.

use super::{keys_kept, name_only};
use crate::triggers::Change;
use crate::watch::WatchContext;
use gantry_api::k8s::ConfigMap;
use gantry_snapshot::{ObjectKey, Snapshot};

/// The one data key translation reads (`gantry_translate::frontend`).
pub const CA_KEY: &str = "ca.crt";

/// The cache of referenced ConfigMaps (trimmed to `ca.crt`).
pub type ConfigMapCache = super::Cache<ConfigMap>;

impl super::Referenced for ConfigMap {
    const KIND: &'static str = "ConfigMap";
    /// Every watch reads the same key.
    type Read = ();

    fn field_selector(key: &ObjectKey, _: &()) -> String {
        format!("metadata.name={}", key.name)
    }

    fn trim(self, _: &()) -> Self {
        trim(self)
    }

    fn same_data(a: &Self, b: &Self) -> bool {
        a.data == b.data
    }

    fn change(key: ObjectKey) -> Change {
        Change::ConfigMap(key)
    }
}

/// A ConfigMap reduced to its name and `ca.crt`.
pub fn trim(cm: ConfigMap) -> ConfigMap {
    ConfigMap {
        metadata: name_only(cm.metadata),
        data: keys_kept(cm.data, |k| k == CA_KEY),
        ..ConfigMap::default()
    }
}

/// Keeps one watch per referenced ConfigMap until the controller stops ([`super::run`]);
/// starts once only the two reference watchers are pending, and lets the Secret watcher,
/// waiting to be pending alone, go on once its ConfigMaps have listed.
/// `objects`: the objects whose references are followed (what the trigger rules read).
pub async fn run(
    ctx: WatchContext,
    cache: ConfigMapCache,
    objects: impl Fn() -> Snapshot + Send + Sync + 'static,
) {
    super::run(ctx, cache, 2, move || {
        gantry_translate::frontend::config_map_references(&objects())
            .into_iter()
            .map(|key| (key, ()))
            .collect()
    })
    .await
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
