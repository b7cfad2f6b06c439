//! Names on the wire: the controller name, labels and annotations of the objects gantry
//! creates, and the names of those objects (Kubernetes and AWS).

use gantry_snapshot::ObjectKey;
use sha2::{Digest, Sha256};

/// `spec.controllerName` of tiered GatewayClasses.
pub const CONTROLLER_NAME: &str = "gateway.k8s.aws/tiered";

/// Finalizer the controller puts on a tiered Gateway: the Crossplane resources are
/// cluster-scoped, so they cannot be owned by (garbage-collected with) the namespaced Gateway
/// and must be deleted explicitly before the Gateway goes.
pub const FINALIZER: &str = "gateway.k8s.aws/tiered";

/// Label on every object this crate plans; the controller prunes labelled objects that are no
/// longer planned, except those in `TieredPlan::kept`.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "gantry-tiered");
/// Labels naming the user's Gateway, on every object planned for one Gateway.
pub const GATEWAY_NAMESPACE_LABEL: &str = "gateway.k8s.aws/tiered-gateway-namespace";
pub const GATEWAY_NAME_LABEL: &str = "gateway.k8s.aws/tiered-gateway-name";
/// Label naming the user's route, on its shadow copies.
pub const ROUTE_NAME_LABEL: &str = "gateway.k8s.aws/tiered-route-name";
/// Annotation `<Kind> <namespace>/<name>` of the user object a planned object derives from:
/// tells gantry's objects apart from someone else's that happen to have the same name.
pub const SOURCE_ANNOTATION: &str = "gateway.k8s.aws/tiered-source";
/// Annotation holding the `metadata.generation` of the source a shadow was made from, so that
/// the shadow's status is only mirrored back once it describes the current source.
pub const SOURCE_GENERATION_ANNOTATION: &str = "gateway.k8s.aws/tiered-source-generation";
/// AWS tag holding `<namespace>/<name>` of the Gateway (next to `elbv2.k8s.aws/cluster`).
pub const STACK_TAG: &str = "gateway.k8s.aws.tiered/stack";

/// `<name><suffix>`.
pub fn shadow(name: &str, suffix: &str) -> String {
    format!("{name}{suffix}")
}

/// Kubernetes name of a Gateway's Crossplane LoadBalancer: `<namespace>.<name>`. Crossplane
/// managed resources are cluster-scoped, so the namespace is part of the name; a namespace
/// has no dot, so the first dot separates the two unambiguously.
pub fn load_balancer(gateway: &ObjectKey) -> String {
    format!("{}.{}", gateway.namespace, gateway.name)
}

/// Kubernetes name of a port's Crossplane TargetGroup and Listener: `<namespace>.<name>.<port>`.
pub fn port_resource(gateway: &ObjectKey, port: i32) -> String {
    format!("{}.{}.{port}", gateway.namespace, gateway.name)
}

/// Key of one of a Gateway's cloud objects: `<name>-<parts…>` in the Gateway's namespace
/// for a namespaced family, else cluster-scoped `<namespace>.<name>.<parts…>` (the
/// scheme of [`load_balancer`] and [`port_resource`]).
pub fn cloud(gateway: &ObjectKey, namespaced: bool, parts: &[&str]) -> ObjectKey {
    if namespaced {
        let name = std::iter::once(gateway.name.as_str())
            .chain(parts.iter().copied())
            .collect::<Vec<_>>()
            .join("-");
        ObjectKey::new(gateway.namespace.clone(), name)
    } else {
        let name = [gateway.namespace.as_str(), gateway.name.as_str()]
            .into_iter()
            .chain(parts.iter().copied())
            .collect::<Vec<_>>()
            .join(".");
        ObjectKey::cluster(name)
    }
}

/// Name of a port's TargetGroupBinding (in the Gateway's namespace): `<name>-<port>`.
pub fn binding(gateway: &ObjectKey, port: i32) -> String {
    format!("{}-{port}", gateway.name)
}

/// AWS name (at most 32 characters, letters, digits and `-`): `t8s-<ns:8>-<name:8>-<hash10>`.
/// Everything that cannot change in place is hashed, so that a change gets a fresh name and
/// the replacement does not clash with the resource it replaces.
pub fn aws(gateway: &ObjectKey, hashed: &[&str]) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect()
    };
    let mut h = Sha256::new();
    for part in [gateway.namespace.as_str(), gateway.name.as_str()]
        .iter()
        .chain(hashed)
    {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let hex: String = h.finalize()[..5]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "t8s-{}-{}-{hex}",
        clean(&gateway.namespace),
        clean(&gateway.name)
    )
}

/// A label value naming `name`: the name itself when it fits (63 characters), otherwise a
/// prefix and a hash, so the value stays unique.
pub fn label_value(name: &str) -> String {
    if name.len() <= 63 {
        return name.to_string();
    }
    let hex: String = Sha256::digest(name.as_bytes())[..5]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let prefix: String = name.chars().take(52).collect();
    let prefix = prefix.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
    format!("{prefix}-{hex}")
}

/// `<Kind> <namespace>/<name>`: the value of [`SOURCE_ANNOTATION`].
pub fn source(kind: &str, key: &ObjectKey) -> String {
    format!("{kind} {key}")
}

/// The placeholder shown where a value is not known yet.
pub fn pending(what: &str) -> String {
    format!("<pending: {what}>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_names_are_bounded_stable_and_change_with_the_hashed_parts() {
        let gw = ObjectKey::new("a-very-long-namespace", "gateway.with.dots");
        let a = aws(&gw, &["cluster", "uid", "internal"]);
        assert!(a.len() <= 32, "{a}");
        assert!(a.starts_with("t8s-averylon-gatewayw-"), "{a}");
        assert_eq!(a, aws(&gw, &["cluster", "uid", "internal"]));
        assert_ne!(a, aws(&gw, &["cluster", "uid", "internet-facing"]));
        // Parts are separated before hashing: moving a character between them matters.
        assert_ne!(aws(&gw, &["ab", "c"]), aws(&gw, &["a", "bc"]));
    }

    #[test]
    fn kubernetes_names_keep_gateways_of_different_namespaces_apart() {
        let a = ObjectKey::new("team-a", "web");
        let b = ObjectKey::new("team", "a-web");
        assert_ne!(load_balancer(&a), load_balancer(&b));
        assert_eq!(port_resource(&a, 443), "team-a.web.443");
        assert_eq!(binding(&a, 443), "web-443");
        assert_eq!(shadow("web", "-istio"), "web-istio");
        assert_eq!(
            cloud(&a, true, &["443"]),
            ObjectKey::new("team-a", "web-443")
        );
        assert_eq!(
            cloud(&a, false, &["443"]),
            ObjectKey::cluster(port_resource(&a, 443))
        );
        assert_eq!(cloud(&a, false, &[]), ObjectKey::cluster(load_balancer(&a)));
    }

    #[test]
    fn long_names_become_valid_unique_label_values() {
        assert_eq!(label_value("foo"), "foo");
        let long = format!("{}-x", "a".repeat(70));
        let other = format!("{}-y", "a".repeat(70));
        let v = label_value(&long);
        assert!(v.len() <= 63, "{v}");
        assert_ne!(v, label_value(&other));
        assert!(v.starts_with('a') && v.chars().last().is_some_and(|c| c.is_ascii_alphanumeric()));
    }
}
