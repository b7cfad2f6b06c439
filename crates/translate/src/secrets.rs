//! The Secrets translation reads, and which of their keys: what a cluster cache must hold for
//! translation to see them. Pure, so that the controller's targeted Secret watches and
//! translation agree on the set.

use gantry_api::crds::ListenerRuleConfiguration;
use gantry_snapshot::{ObjectKey, Snapshot};
use std::collections::{BTreeMap, BTreeSet};

/// The keys an OIDC client Secret is read by (`clientId` is accepted as a spelling of
/// `clientID`).
pub const OIDC_CLIENT_KEYS: &[&str] = &["clientID", "clientId", "clientSecret"];

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn oidc_secrets_are_named_in_the_configuration_namespace() {
        let lrc: ListenerRuleConfiguration = serde_json::from_value(serde_json::json!({
            "apiVersion": "gateway.k8s.aws/v1",
            "kind": "ListenerRuleConfiguration",
            "metadata": {"name": "auth", "namespace": "apps"},
            "spec": {"actions": [{
                "type": "authenticate-oidc",
                "authenticateOIDCConfig": {
                    "issuer": "https://idp.example.com",
                    "authorizationEndpoint": "https://idp.example.com/auth",
                    "tokenEndpoint": "https://idp.example.com/token",
                    "userInfoEndpoint": "https://idp.example.com/userinfo",
                    "secret": {"name": "oidc-client"},
                },
            }]},
        }))
        .unwrap();
        let fixed: ListenerRuleConfiguration = serde_json::from_value(serde_json::json!({
            "apiVersion": "gateway.k8s.aws/v1",
            "kind": "ListenerRuleConfiguration",
            "metadata": {"name": "fixed", "namespace": "apps"},
            "spec": {"actions": [{"type": "fixed-response",
                                  "fixedResponseConfig": {"statusCode": 404}}]},
        }))
        .unwrap();
        let mut snapshot = Snapshot::default();
        for l in [lrc, fixed] {
            snapshot
                .listener_rule_configurations
                .insert(ObjectKey::of(&l.metadata), Arc::new(l));
        }
        let refs = rule_configuration_secrets(&snapshot);
        assert_eq!(
            refs.into_iter().collect::<Vec<_>>(),
            vec![(
                ObjectKey::new("apps", "oidc-client"),
                OIDC_CLIENT_KEYS.iter().copied().collect()
            )]
        );
    }
}
