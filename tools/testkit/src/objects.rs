//! Builders of the manifests scenarios start from, as YAML documents (what users write and
//! what the API stand-in and the manifest loader take). Names are `namespace/name`. Only the
//! shapes many tests repeat live here; a test's particular objects stay spelled out in it.

/// Joins documents into one multi-document YAML stream.
pub fn docs<I: IntoIterator<Item = String>>(documents: I) -> String {
    documents
        .into_iter()
        .map(|d| d.trim_matches('\n').to_string())
        .collect::<Vec<_>>()
        .join("\n---\n")
        + "\n"
}

/// `namespace/name` as its two parts.
pub(crate) fn split(key: &str) -> (&str, &str) {
    key.split_once('/')
        .unwrap_or_else(|| panic!("{key}: want namespace/name"))
}

/// A GatewayClass `name` of the controller `gateway.k8s.aws/<kind>` (alb, nlb, tiered).
pub fn gateway_class(name: &str, kind: &str) -> String {
    format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {{name: {name}}}\n\
         spec: {{controllerName: gateway.k8s.aws/{kind}}}\n"
    )
}

/// A GatewayClass `name` of the tiered controller whose configuration is the ConfigMap
/// `config` (`namespace/name`).
pub fn tiered_class(name: &str, config: &str) -> String {
    let (namespace, config) = split(config);
    format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {{name: {name}}}\n\
         spec:\n  controllerName: gateway.k8s.aws/tiered\n  \
         parametersRef: {{group: \"\", kind: ConfigMap, name: {config}, namespace: {namespace}}}\n"
    )
}

/// A listener of a Gateway: `(name, port, protocol)`.
pub type Listener<'a> = (&'a str, u16, &'a str);

/// A Gateway `namespace/name` of `class` with plain listeners (no hostname, no TLS).
pub fn gateway(key: &str, class: &str, listeners: &[Listener]) -> String {
    let (namespace, name) = split(key);
    let listeners: Vec<String> = listeners
        .iter()
        .map(|(n, port, protocol)| format!("{{name: {n}, port: {port}, protocol: {protocol}}}"))
        .collect();
    format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n\
         metadata: {{name: {name}, namespace: {namespace}}}\n\
         spec:\n  gatewayClassName: {class}\n  listeners: [{}]\n",
        listeners.join(", ")
    )
}

/// A NodePort Service `namespace/name` with one TCP port `port` → `node_port`, named `http`,
/// targeting 8080.
pub fn node_port_service(key: &str, port: u16, node_port: u16) -> String {
    let (namespace, name) = split(key);
    format!(
        "apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {namespace}}}\n\
         spec:\n  type: NodePort\n  ports: [{{name: http, port: {port}, targetPort: 8080, \
         nodePort: {node_port}, protocol: TCP}}]\n"
    )
}

/// An HTTPRoute `namespace/name` attached to the Gateways `parents` (names in its namespace),
/// with one rule: requests whose path starts with `path` (any path when None) go to the
/// Services `backends` as `(name, port)`.
pub fn http_route(
    key: &str,
    parents: &[&str],
    path: Option<&str>,
    backends: &[(&str, u16)],
) -> String {
    let (namespace, name) = split(key);
    let parents: Vec<String> = parents.iter().map(|p| format!("{{name: {p}}}")).collect();
    let backends: Vec<String> = backends
        .iter()
        .map(|(b, port)| format!("{{name: {b}, port: {port}}}"))
        .collect();
    let matches = path
        .map(|p| format!("matches: [{{path: {{type: PathPrefix, value: {p}}}}}]\n    "))
        .unwrap_or_default();
    format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n\
         metadata: {{name: {name}, namespace: {namespace}}}\n\
         spec:\n  parentRefs: [{}]\n  rules:\n  - {matches}backendRefs: [{}]\n",
        parents.join(", "),
        backends.join(", ")
    )
}

/// The scenario most tests start from: GatewayClass `alb`, Gateway `apps/web` with the
/// `listeners`, the NodePort Service `apps/echo` (80 → 30080) and the HTTPRoute `apps/shop`
/// sending `/shop` to it.
pub fn web_shop(listeners: &[Listener]) -> String {
    docs([
        gateway_class("alb", "alb"),
        gateway("apps/web", "alb", listeners),
        node_port_service("apps/echo", 80, 30080),
        http_route("apps/shop", &["web"], Some("/shop"), &[("echo", 80)]),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_join_with_separators_and_keep_their_fields() {
        let yaml = docs([
            gateway_class("alb", "alb"),
            gateway(
                "apps/web",
                "alb",
                &[("http", 80, "HTTP"), ("b", 8080, "HTTP")],
            ),
        ]);
        assert_eq!(
            yaml,
            "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\n\
             metadata: {name: alb}\nspec: {controllerName: gateway.k8s.aws/alb}\n---\n\
             apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n\
             metadata: {name: web, namespace: apps}\nspec:\n  gatewayClassName: alb\n  \
             listeners: [{name: http, port: 80, protocol: HTTP}, {name: b, port: 8080, protocol: HTTP}]\n"
        );
    }

    #[test]
    fn a_tiered_class_names_its_configmap() {
        assert_eq!(
            tiered_class("edge", "apps/tiered-config"),
            "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: edge}\n\
             spec:\n  controllerName: gateway.k8s.aws/tiered\n  \
             parametersRef: {group: \"\", kind: ConfigMap, name: tiered-config, namespace: apps}\n"
        );
    }

    #[test]
    fn a_route_without_a_path_has_no_matches() {
        let route = http_route("apps/shop", &["web"], None, &[("echo", 80)]);
        assert!(!route.contains("matches"), "{route}");
        assert!(
            route.contains("  - backendRefs: [{name: echo, port: 80}]\n"),
            "{route}"
        );
        let with_path = http_route("apps/shop", &["web"], Some("/shop"), &[("echo", 80)]);
        assert!(
            with_path.contains(
                "  - matches: [{path: {type: PathPrefix, value: /shop}}]\n    backendRefs:"
            ),
            "{with_path}"
        );
    }
}
