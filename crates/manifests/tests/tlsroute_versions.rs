//! TLSRoute v1alpha2 objects may omit `hostnames`, which v1 requires; both must load.

#[test]
fn v1alpha2_tlsroute_without_hostnames_loads_with_none() {
    let text = "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TLSRoute\nmetadata: {name: t, namespace: x}\nspec:\n  parentRefs: [{name: gw}]\n  rules: [{backendRefs: [{name: s, port: 443}]}]\n";
    let mut loader = gantry_manifests::Loader::new();
    loader.load_str("tls.yaml", text);
    let loaded = loader.finish();
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let route = loaded.snapshot.tls_routes.values().next().expect("loaded");
    assert!(route.spec.hostnames.is_empty());
}

#[test]
fn v1_tlsroute_keeps_its_hostnames() {
    let text = "apiVersion: gateway.networking.k8s.io/v1\nkind: TLSRoute\nmetadata: {name: t, namespace: x}\nspec:\n  hostnames: [a.example.com]\n  parentRefs: [{name: gw}]\n  rules: [{backendRefs: [{name: s, port: 443}]}]\n";
    let mut loader = gantry_manifests::Loader::new();
    loader.load_str("tls.yaml", text);
    let loaded = loader.finish();
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    assert_eq!(
        loaded
            .snapshot
            .tls_routes
            .values()
            .next()
            .unwrap()
            .spec
            .hostnames,
        vec!["a.example.com"]
    );
}
