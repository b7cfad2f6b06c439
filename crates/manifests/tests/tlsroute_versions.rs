//! TLSRoute v1alpha2 objects may omit `hostnames`, which v1 requires; both must load.

mod support;

/// The hostnames of the one TLSRoute of `text`, which must load.
fn hostnames(text: &str) -> Vec<String> {
    let loaded = support::load_clean(text);
    let route = loaded.snapshot.tls_routes.values().next().expect("loaded");
    route.spec.hostnames.clone()
}

#[test]
fn v1alpha2_tlsroute_without_hostnames_loads_with_none() {
    let text = "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TLSRoute\nmetadata: {name: t, namespace: x}\nspec:\n  parentRefs: [{name: gw}]\n  rules: [{backendRefs: [{name: s, port: 443}]}]\n";
    assert!(hostnames(text).is_empty());
}

#[test]
fn v1_tlsroute_keeps_its_hostnames() {
    let text = "apiVersion: gateway.networking.k8s.io/v1\nkind: TLSRoute\nmetadata: {name: t, namespace: x}\nspec:\n  hostnames: [a.example.com]\n  parentRefs: [{name: gw}]\n  rules: [{backendRefs: [{name: s, port: 443}]}]\n";
    assert_eq!(hostnames(text), vec!["a.example.com"]);
}
