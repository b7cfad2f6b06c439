//! The ConfigMaps Gateways name in `spec.tls.frontend`: what the controller must watch, and
//! which Gateways a ConfigMap change concerns.

use super::validations;
use gantry_snapshot::{ObjectKey, Snapshot};
use std::collections::BTreeSet;

/// The ConfigMaps the ALB and NLB Gateways of `snapshot` name in `spec.tls.frontend`
/// caCertificateRefs (core ConfigMaps only): what a cluster cache must hold for translation to
/// see them. Pure, so that the controller's targeted ConfigMap watches and translation agree.
pub fn config_map_references(snapshot: &Snapshot) -> BTreeSet<ObjectKey> {
    snapshot
        .gateways
        .iter()
        .filter(|(_, g)| crate::LbKind::of_gateway(snapshot, g).is_some())
        .flat_map(|(key, g)| {
            validations(g)
                .into_iter()
                .flat_map(|v| v.refs)
                .filter(|(group, kind, _, _)| {
                    (group.is_empty() || group == "core") && kind == "ConfigMap"
                })
                .map(|(_, _, namespace, name)| {
                    ObjectKey::new(namespace.unwrap_or_else(|| key.namespace.clone()), name)
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The Gateways (of `snapshot`, any class) whose `spec.tls.frontend` names ConfigMap `key`.
pub fn gateways_using_config_map(snapshot: &Snapshot, key: &ObjectKey) -> BTreeSet<ObjectKey> {
    snapshot
        .gateways
        .iter()
        .filter(|(gk, g)| {
            validations(g)
                .iter()
                .flat_map(|v| &v.refs)
                .any(|(_, kind, ns, name)| {
                    kind == "ConfigMap"
                        && ns.as_deref().unwrap_or(&gk.namespace) == key.namespace
                        && *name == key.name
                })
        })
        .map(|(k, _)| k.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use gantry_testkit::objects::{docs, gateway_class};
    use gantry_testkit::route_builders::{foreign_gateway_class, gateway_of, plain};

    fn snapshot(yaml: &str) -> Snapshot {
        let loaded = gantry_manifests::load_text("gateways.yaml", yaml);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        loaded.snapshot
    }

    /// GatewayClass `alb`, and what the tests look for among these.
    fn gateways() -> String {
        let https = [plain(("https", 443, "HTTPS"))];
        docs([
            gateway_class("alb", "alb"),
            foreign_gateway_class("other"),
            gateway_of("apps/web", "alb", &https, WEB_FRONTEND),
            gateway_of("apps/theirs", "other", &https, THEIR_FRONTEND),
        ])
    }

    /// Client certificates of `apps/web`: a ConfigMap and a Secret by default, a ConfigMap of
    /// `pki` on port 8443.
    const WEB_FRONTEND: &str = r#"  tls:
    frontend:
      default:
        validation:
          caCertificateRefs:
          - {group: "", kind: ConfigMap, name: ca}
          - {group: "", kind: Secret, name: not-a-configmap}
      perPort:
      - port: 8443
        tls:
          validation:
            caCertificateRefs: [{group: "", kind: ConfigMap, name: ca, namespace: pki}]
"#;

    const THEIR_FRONTEND: &str = r#"  tls:
    frontend:
      default:
        validation:
          caCertificateRefs: [{group: "", kind: ConfigMap, name: their-ca}]
"#;

    #[test]
    fn only_configmaps_of_gantry_gateways_are_referenced() {
        let s = snapshot(&gateways());
        let refs: Vec<String> = config_map_references(&s)
            .iter()
            .map(|k| k.to_string())
            .collect();
        assert_eq!(refs, ["apps/ca", "pki/ca"]);
    }

    #[test]
    fn a_configmap_change_finds_the_gateways_naming_it() {
        let s = snapshot(&gateways());
        let users = |ns: &str, name: &str| -> Vec<String> {
            gateways_using_config_map(&s, &ObjectKey::new(ns, name))
                .iter()
                .map(|k| k.to_string())
                .collect()
        };
        assert_eq!(users("pki", "ca"), ["apps/web"]);
        assert_eq!(users("apps", "ca"), ["apps/web"]);
        assert!(users("apps", "not-a-configmap").is_empty());
        assert!(users("other", "ca").is_empty());
    }
}
