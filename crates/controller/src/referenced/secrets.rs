//! Referenced Secrets. The references are the union of [`Source`]s: the OIDC client Secrets
//! of ListenerRuleConfigurations, and the `kubernetes.io/tls` Secrets of the listener
//! `tls.certificateRefs` of Gateways of gantry's classes (also narrowed by a `type` field
//! selector, so a Secret of another type is never transferred). Each cached Secret keeps only
//! the data keys its sources name: for a certificate, `tls.crt` and `tls.key` — the key stays
//! cached only while a listener references the Secret, because translation checks it against
//! the certificate and the deployer imports it into ACM whenever the certificate changes or
//! is missing there (crate::certificates). Secret values are never logged, nor put in events
//! or statuses.

use super::{keys_kept, name_only};
use crate::triggers::Change;
use crate::watch::WatchContext;
use gantry_api::k8s::Secret;
use gantry_snapshot::{ObjectKey, Snapshot};
use gantry_translate::secrets::SecretReferences;
use std::collections::{BTreeMap, BTreeSet};

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

/// [`SOURCES`] and the tiered class's: the `kubernetes.io/tls` Secrets whose certificates
/// may be imported for its load balancer listeners (`gantry_tiered::listener_certificate_secrets`).
pub const WITH_TIERED: &[Source] = &[
    SOURCES[0],
    SOURCES[1],
    Source {
        references: gantry_tiered::listener_certificate_secrets,
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

/// The cache of referenced Secrets (trimmed to the keys read).
pub type SecretCache = super::Cache<Secret>;

impl super::Referenced for Secret {
    const KIND: &'static str = "Secret";
    type Read = Wanted;

    fn field_selector(key: &ObjectKey, read: &Wanted) -> String {
        field_selector(key, read)
    }

    fn trim(self, read: &Wanted) -> Self {
        trim(self, &read.keys)
    }

    fn same_data(a: &Self, b: &Self) -> bool {
        a.data == b.data
    }

    fn change(key: ObjectKey) -> Change {
        Change::Secret(key)
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
    Secret {
        metadata: name_only(secret.metadata),
        data: keys_kept(secret.data, |k| keys.contains(k)),
        type_: secret.type_,
        ..Secret::default()
    }
}

/// Keeps one watch per referenced Secret until the controller stops ([`super::run`]); starts
/// once every other watch has listed.
/// `objects`: the objects whose references are followed.
pub async fn run(
    ctx: WatchContext,
    cache: SecretCache,
    objects: impl Fn() -> Snapshot + Send + Sync + 'static,
    sources: &'static [Source],
) {
    super::run(ctx, cache, 1, move || references(&objects(), sources)).await
}

/// The field selector of the watch of Secret `key`.
pub fn field_selector(key: &ObjectKey, read: &Wanted) -> String {
    match read.secret_type {
        Some(t) => format!("metadata.name={},type={t}", key.name),
        None => format!("metadata.name={}", key.name),
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
