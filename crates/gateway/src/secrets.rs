//! The Secrets translation reads, and which of their keys: what a cluster cache must hold for
//! translation to see them. Pure, so that the controller's targeted Secret watches and
//! translation agree on the set.

use crate::LbKind;
use gantry_api::crds::ListenerRuleConfiguration;
use gantry_api::gateway::{GROUP, Gateway, GatewayListeners, ListenerSet};
use gantry_snapshot::{ObjectKey, Snapshot};
use std::collections::{BTreeMap, BTreeSet};

/// The keys an OIDC client Secret is read by (`clientId` is accepted as a spelling of
/// `clientID`).
pub const OIDC_CLIENT_KEYS: &[&str] = &["clientID", "clientId", "clientSecret"];

/// The keys a listener certificate Secret is read by (`kubernetes.io/tls`).
pub const TLS_KEYS: &[&str] = &["tls.crt", "tls.key"];

/// Secrets by key, each with the data keys translation reads from it.
pub type SecretReferences = BTreeMap<ObjectKey, BTreeSet<&'static str>>;

/// The Secrets the ListenerRuleConfigurations of `snapshot` name: the client credentials of
/// their authenticate-oidc actions, in the configuration's namespace.
pub fn rule_configuration_secrets(snapshot: &Snapshot) -> SecretReferences {
    let mut out = SecretReferences::new();
    for (key, lrc) in &snapshot.listener_rule_configurations {
        for name in rule_configuration_secret_names(lrc) {
            out.entry(ObjectKey::new(&key.namespace, name))
                .or_default()
                .extend(OIDC_CLIENT_KEYS);
        }
    }
    out
}

/// Names of the Secrets (in its own namespace) one ListenerRuleConfiguration reads.
pub fn rule_configuration_secret_names(
    lrc: &ListenerRuleConfiguration,
) -> impl Iterator<Item = &str> {
    lrc.spec
        .actions
        .iter()
        .flatten()
        .filter_map(|a| a.authenticate_oidc_config.as_ref())
        .map(|oidc| oidc.secret.name.as_str())
}

/// The Secrets the listeners of Gateways of gantry's classes (ALB, NLB) name in
/// `tls.certificateRefs`, with the keys translation reads. References translation refuses
/// without reading the Secret (another kind, another namespace without a ReferenceGrant) are
/// left out: nothing needs them.
pub fn listener_certificate_secrets(snapshot: &Snapshot) -> SecretReferences {
    let mut out = SecretReferences::new();
    for (key, gw) in &snapshot.gateways {
        if LbKind::of_gateway(snapshot, gw).is_some() {
            let secrets = gateway_certificate_secrets(key, gw);
            add_permitted(&mut out, snapshot, "Gateway", &key.namespace, secrets);
        }
    }
    // ListenerSet listeners' certificateRefs, for ListenerSets naming a Gateway of ours;
    // grants are checked `from` kind ListenerSet.
    for (key, set) in &snapshot.listener_sets {
        let ours = crate::listener_sets::parent_of(key, set)
            .and_then(|parent| snapshot.gateways.get(&parent))
            .is_some_and(|gw| LbKind::of_gateway(snapshot, gw).is_some());
        if ours {
            let secrets = listener_set_certificate_secrets(key, set);
            add_permitted(&mut out, snapshot, "ListenerSet", &key.namespace, secrets);
        }
    }
    out
}

/// Adds to `out`, for their TLS keys, the `secrets` an object of kind `from_kind` in
/// `namespace` may read: those of its own namespace and those a ReferenceGrant allows.
pub fn add_permitted(
    out: &mut SecretReferences,
    snapshot: &Snapshot,
    from_kind: &str,
    namespace: &str,
    secrets: impl IntoIterator<Item = ObjectKey>,
) {
    for secret in secrets {
        let permitted = secret.namespace == namespace
            || crate::refs::is_granted_from(
                snapshot, GROUP, from_kind, namespace, "", "Secret", &secret,
            );
        if permitted {
            out.entry(secret).or_default().extend(TLS_KEYS);
        }
    }
}

/// The core Secrets the listeners of ListenerSet `key` name in `tls.certificateRefs` (the
/// namespace defaults to the ListenerSet's), whether or not a grant allows them.
pub fn listener_set_certificate_secrets(key: &ObjectKey, set: &ListenerSet) -> Vec<ObjectKey> {
    let listeners: Vec<_> = set
        .spec
        .listeners
        .iter()
        .map(crate::listener_sets::as_gateway_listener)
        .collect();
    certificate_secrets(&key.namespace, &listeners).collect()
}

/// The core Secrets the listeners of Gateway `key` name in `tls.certificateRefs` (the
/// namespace defaults to the Gateway's), whether or not a grant allows them.
pub fn gateway_certificate_secrets<'a>(
    key: &'a ObjectKey,
    gw: &'a Gateway,
) -> impl Iterator<Item = ObjectKey> + 'a {
    certificate_secrets(&key.namespace, &gw.spec.listeners)
}

/// The core Secrets `listeners` (of an object in `namespace`) name in `tls.certificateRefs`.
pub fn certificate_secrets<'a>(
    namespace: &'a str,
    listeners: impl IntoIterator<Item = &'a GatewayListeners> + 'a,
) -> impl Iterator<Item = ObjectKey> + 'a {
    listeners
        .into_iter()
        .filter_map(|l| l.tls.as_ref())
        .flat_map(|t| t.certificate_refs.iter().flatten())
        .filter(|r| {
            matches!(r.group.as_deref().unwrap_or(""), "" | "core")
                && r.kind.as_deref().unwrap_or("Secret") == "Secret"
        })
        .map(move |r| {
            ObjectKey::new(
                r.namespace.as_deref().unwrap_or(namespace).to_string(),
                r.name.clone(),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gantry_testkit::objects::{docs, gateway_class};
    use gantry_testkit::route_builders::{
        foreign_gateway_class, gateway_of, https, listener_set_of, oidc_rule_configuration,
        reference_grant,
    };

    /// The objects of `yaml`, read as the manifest loader reads them (with the API server's
    /// defaults).
    fn snapshot(yaml: &str) -> Snapshot {
        let loaded = gantry_manifests::load_text("test.yaml", yaml);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        loaded.snapshot
    }

    /// The Secrets `(namespace, name)`, each read for its TLS keys.
    fn tls_secrets(secrets: &[(&str, &str)]) -> SecretReferences {
        let tls: BTreeSet<&str> = TLS_KEYS.iter().copied().collect();
        secrets
            .iter()
            .map(|(namespace, name)| (ObjectKey::new(*namespace, *name), tls.clone()))
            .collect()
    }

    #[test]
    fn oidc_secrets_are_named_in_the_configuration_namespace() {
        let fixed = r#"apiVersion: gateway.k8s.aws/v1
kind: ListenerRuleConfiguration
metadata: {name: fixed, namespace: apps}
spec:
  actions:
  - {type: fixed-response, fixedResponseConfig: {statusCode: 404}}
"#;
        let snapshot = snapshot(&docs([
            oidc_rule_configuration("apps/auth", "oidc-client"),
            fixed.to_string(),
        ]));
        let refs = rule_configuration_secrets(&snapshot);
        assert_eq!(
            refs.into_iter().collect::<Vec<_>>(),
            vec![(
                ObjectKey::new("apps", "oidc-client"),
                OIDC_CLIENT_KEYS.iter().copied().collect()
            )]
        );
    }

    #[test]
    fn listener_certificate_secrets_are_those_of_our_gateways_that_may_be_read() {
        // Besides Secrets, a reference of another kind: never read.
        let web_listener = "{name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: \
            [{name: web-tls}, {name: shared, namespace: certs}, {name: denied, namespace: elsewhere}, \
            {group: example.com, kind: Vault, name: v}]}}";
        let theirs = https("https", 443, &["their-tls"]);
        let snapshot = snapshot(&docs([
            gateway_class("alb", "alb"),
            foreign_gateway_class("other"),
            gateway_of("apps/web", "alb", &[web_listener.to_string()], ""),
            gateway_of("apps/theirs", "other", &[theirs], ""),
            reference_grant("certs/g", "Gateway", "apps", "Secret"),
        ]));
        assert_eq!(
            listener_certificate_secrets(&snapshot),
            tls_secrets(&[("apps", "web-tls"), ("certs", "shared")])
        );
    }

    /// A ListenerSet's certificateRefs are read when its parent Gateway is ours, in its own
    /// namespace or where a ReferenceGrant `from` kind ListenerSet allows (a grant to the
    /// Gateway is not inherited: "ReferenceGrants applied to a Gateway are not inherited by
    /// child ListenerSets").
    #[test]
    fn listener_set_certificate_secrets_are_read_for_our_gateways_with_their_own_grants() {
        let gateway = "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: web, namespace: apps}\nspec: {gatewayClassName: alb, listeners: []}";
        let extra = https(
            "https",
            443,
            &["team-tls", "certs/shared", "gwcerts/gw-only"],
        );
        let snapshot = snapshot(&docs([
            gateway_class("alb", "alb"),
            gateway.to_string(),
            listener_set_of("team/extra", "apps/web", &[extra]),
            listener_set_of(
                "team/orphan",
                "apps/missing",
                &[https("https", 443, &["orphan-tls"])],
            ),
            reference_grant("certs/g", "ListenerSet", "team", "Secret"),
            reference_grant("gwcerts/g", "Gateway", "team", "Secret"),
        ]));
        assert_eq!(
            listener_certificate_secrets(&snapshot),
            tls_secrets(&[("certs", "shared"), ("team", "team-tls")])
        );
    }
}
