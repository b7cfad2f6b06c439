//! Loaded objects read as the API server would store them: schema defaults and a first
//! generation are filled in before the typed object is made.

mod support;

use gantry_snapshot::ObjectKey;
use support::load_clean;

#[test]
fn routes_get_their_reference_and_match_defaults_and_generation_one() {
    let loaded = load_clean(
        "\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {value: /api}}, {headers: [{name: x, value: y}]}]
    backendRefs: [{name: svc, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: t, namespace: ns, generation: 7}
spec:
  parentRefs: [{name: gw, sectionName: tcp}]
  rules: [{backendRefs: [{name: svc, port: 80}]}]
",
    );
    let route = &loaded.snapshot.http_routes[&ObjectKey::new("ns", "r")];
    assert_eq!(route.metadata.generation, Some(1));
    let parent = &route.spec.parent_refs.as_ref().expect("parentRefs")[0];
    assert_eq!(parent.group.as_deref(), Some("gateway.networking.k8s.io"));
    assert_eq!(parent.kind.as_deref(), Some("Gateway"));
    assert_eq!(parent.namespace, None, "namespace has no schema default");
    let rule = &route.spec.rules.as_ref().expect("rules")[0];
    let backend = &rule.backend_refs.as_ref().expect("backendRefs")[0];
    assert_eq!(
        (
            backend.group.as_deref(),
            backend.kind.as_deref(),
            backend.weight
        ),
        (Some(""), Some("Service"), Some(1))
    );
    let matches = rule.matches.as_ref().expect("matches");
    let path = matches[0].path.as_ref().expect("path");
    assert_eq!(
        serde_json::to_value(path).expect("serializes"),
        serde_json::json!({"type": "PathPrefix", "value": "/api"})
    );
    // A match without a path matches every path, as its default says.
    let path = matches[1].path.as_ref().expect("path defaulted");
    assert_eq!(
        serde_json::to_value(path).expect("serializes"),
        serde_json::json!({"type": "PathPrefix", "value": "/"})
    );

    let tcp = &loaded.snapshot.tcp_routes[&ObjectKey::new("ns", "t")];
    assert_eq!(tcp.metadata.generation, Some(7), "a given generation stays");
    let parent = &tcp.spec.parent_refs.as_ref().expect("parentRefs")[0];
    assert_eq!(parent.kind.as_deref(), Some("Gateway"));
}

#[test]
fn listeners_get_allowed_routes_and_tls_mode() {
    let loaded = load_clean(
        "\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: ns}
spec:
  gatewayClassName: alb
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    tls: {certificateRefs: [{name: cert}]}
",
    );
    let gateway = &loaded.snapshot.gateways[&ObjectKey::new("ns", "gw")];
    assert_eq!(gateway.metadata.generation, Some(1));
    let listener = serde_json::to_value(&gateway.spec.listeners[0]).expect("serializes");
    assert_eq!(
        listener["allowedRoutes"],
        serde_json::json!({"namespaces": {"from": "Same"}})
    );
    assert_eq!(listener["tls"]["mode"], "Terminate");
    assert_eq!(
        listener["tls"]["certificateRefs"][0],
        serde_json::json!({"group": "", "kind": "Secret", "name": "cert"})
    );
}
