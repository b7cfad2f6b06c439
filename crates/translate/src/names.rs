//! Generated AWS names: bounded (ELBv2 names are at most 32 characters), deterministic, and
//! compatible with the AWS Load Balancer Controller's so that users recognise them.

use sha2::{Digest, Sha256};

/// Appends the `[A-Za-z0-9]` characters of `s`, at most `max` of them.
fn push_sanitized(out: &mut String, s: &str, max: usize) {
    out.extend(s.chars().filter(char::is_ascii_alphanumeric).take(max));
}

/// Appends the first 10 lowercase hex characters of the SHA-256 of the parts, concatenated.
fn push_hex10(out: &mut String, parts: &[&str]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
    }
    for b in h.finalize().iter().take(5) {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 0xf)] as char);
    }
}

/// `k8s-<ns:8>-<name:8>-<hash10>`, built in one string: target groups are named per route
/// and backend.
fn k8s_name(namespace: &str, name: &str, hash_parts: &[&str]) -> String {
    let mut out = String::with_capacity(32);
    out.push_str("k8s-");
    push_sanitized(&mut out, namespace, 8);
    out.push('-');
    push_sanitized(&mut out, name, 8);
    out.push('-');
    push_hex10(&mut out, hash_parts);
    out
}

/// Load balancer name. The scheme is part of the hash, so a scheme change (which forces a new
/// load balancer) also gives a new name. `uid` falls back to `ns/name` for manifests.
pub fn load_balancer(
    cluster: &str,
    namespace: &str,
    name: &str,
    uid: &str,
    scheme: &str,
) -> String {
    let fallback = format!("{namespace}/{name}");
    let uid = if uid.is_empty() { &fallback } else { uid };
    k8s_name(namespace, name, &[cluster, uid, scheme])
}

/// Managed security group name of a Gateway's load balancer.
pub fn security_group(cluster: &str, namespace: &str, name: &str, uid: &str) -> String {
    let fallback = format!("{namespace}/{name}");
    let uid = if uid.is_empty() { &fallback } else { uid };
    k8s_name(namespace, name, &[cluster, name, namespace, uid])
}

/// What makes a target group unique; every field that cannot be modified in place is part of
/// the hash, so changing one gives a new name (and a replacement without a name clash).
pub struct TargetGroupNameInput<'a> {
    pub cluster: &'a str,
    pub gateway_namespace: &'a str,
    pub gateway_name: &'a str,
    pub route_namespace: &'a str,
    pub route_name: &'a str,
    pub route_kind: &'a str,
    pub backend_namespace: &'a str,
    pub backend_name: &'a str,
    pub port: &'a str,
    pub target_type: &'a str,
    pub protocol: &'a str,
    pub protocol_version: Option<&'a str>,
    pub target_control_port: Option<i32>,
}

pub fn target_group(i: &TargetGroupNameInput<'_>) -> String {
    let control = i
        .target_control_port
        .map(|p| p.to_string())
        .unwrap_or_default();
    k8s_name(
        i.route_namespace,
        i.route_name,
        &[
            i.cluster,
            i.gateway_namespace,
            i.gateway_name,
            i.route_namespace,
            i.route_name,
            i.route_kind,
            i.backend_namespace,
            i.backend_name,
            i.port,
            i.target_type,
            i.protocol,
            i.protocol_version.unwrap_or(""),
            &control,
        ],
    )
}

/// The target group of a Gateway that holds no targets (the share of backendRefs that do not
/// resolve): named after the Gateway, one per protocol version and IP address type.
pub fn unavailable_target_group(
    cluster: &str,
    gateway_namespace: &str,
    gateway_name: &str,
    protocol_version: &str,
    ipv6: bool,
) -> String {
    k8s_name(
        gateway_namespace,
        gateway_name,
        &[
            cluster,
            gateway_namespace,
            gateway_name,
            "unavailable",
            protocol_version,
            if ipv6 { "ipv6" } else { "" },
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_bounded_and_sanitized() {
        let n = load_balancer(
            "demo",
            "very-long-namespace",
            "gateway.with_dots",
            "uid-1",
            "internal",
        );
        assert!(n.len() <= 32, "{n}");
        assert!(n.starts_with("k8s-verylong-gatewayw-"), "{n}");
        assert_eq!(n.len(), "k8s-verylong-gatewayw-".len() + 10);
    }

    #[test]
    fn scheme_changes_the_load_balancer_name() {
        let a = load_balancer("demo", "ns", "gw", "uid", "internal");
        let b = load_balancer("demo", "ns", "gw", "uid", "internet-facing");
        assert_ne!(a, b);
        assert_eq!(a, load_balancer("demo", "ns", "gw", "uid", "internal"));
    }
}
