//! The manifests in `examples/` load cleanly and are consistent: every reference an example
//! makes (GatewayClass, LoadBalancerConfiguration, parent Gateway and listener, backend) names an
//! object that the same example defines.

use gantry_manifests::{Loaded, Loader, load_paths};
use gantry_snapshot::{ObjectKey, Snapshot};
use std::path::{Path, PathBuf};

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn example_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(examples_dir())
        .expect("examples/ exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn assert_clean(loaded: &Loaded, what: &str) {
    let diagnostics: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
    assert!(
        diagnostics.is_empty(),
        "{what}:\n{}",
        diagnostics.join("\n")
    );
}

#[test]
fn all_examples_load_at_once_without_any_diagnostic() {
    let loaded = load_paths(&[examples_dir()]);
    assert_clean(&loaded, "examples/");
    let snapshot = &loaded.snapshot;
    assert_eq!(snapshot.gateway_classes.len(), 3);
    assert_eq!(snapshot.gateways.len(), 9);
    assert!(snapshot.namespaces.len() >= 8);
    assert_eq!(snapshot.reference_grants.len(), 1);
    assert_eq!(snapshot.listener_rule_configurations.len(), 1);
    assert_eq!(snapshot.target_group_configurations.len(), 2);
    assert_eq!(snapshot.tcp_routes.len(), 5);
}

#[test]
fn every_example_directory_loads_with_the_shared_gateway_classes() {
    let dirs = example_dirs();
    let names: Vec<String> = dirs
        .iter()
        .map(|dir| dir.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "alb-basic",
            "alb-request-header-attributes",
            "alb-source-ip-rule",
            "chaining",
            "chaining-cross-namespace",
            "nlb-tcp",
            "tiered",
        ]
    );
    for dir in dirs {
        let mut loader = Loader::new();
        loader.load_path(&examples_dir().join("gatewayclasses.yaml"));
        loader.load_path(&dir);
        let loaded = loader.finish();
        assert_clean(&loaded, &dir.display().to_string());
        assert!(!loaded.snapshot.gateways.is_empty(), "{}", dir.display());
        assert_references_resolve(&loaded.snapshot, &dir);
    }
}

/// Each example is a complete set: its references all resolve within it.
fn assert_references_resolve(snapshot: &Snapshot, dir: &Path) {
    let dir = dir.display();
    for (key, gateway) in &snapshot.gateways {
        let class = ObjectKey::cluster(&gateway.spec.gateway_class_name);
        assert!(
            snapshot.gateway_classes.contains_key(&class),
            "{dir}: class of {key}"
        );
        if let Some(params) = gateway
            .spec
            .infrastructure
            .as_ref()
            .and_then(|i| i.parameters_ref.as_ref())
        {
            let config = ObjectKey::new(&key.namespace, &params.name);
            assert!(
                snapshot.load_balancer_configurations.contains_key(&config),
                "{dir}: parametersRef of {key}"
            );
        }
    }
    // A route's parentRefs as (namespace, name, sectionName), whichever kind the route is.
    macro_rules! parents {
        ($route:expr) => {
            $route
                .spec
                .parent_refs
                .iter()
                .flatten()
                .map(|p| {
                    (
                        p.namespace.as_deref(),
                        p.name.as_str(),
                        p.section_name.as_ref(),
                    )
                })
                .collect::<Vec<_>>()
        };
    }
    // Each parent of a route is a Gateway of the examples, with the listener it names.
    let check_parents = |key: &ObjectKey, parents: &[(Option<&str>, &str, Option<&String>)]| {
        for (namespace, name, section) in parents {
            let gateway = ObjectKey::new(namespace.unwrap_or(&key.namespace), *name);
            let listener_exists = snapshot.gateways.get(&gateway).is_some_and(|g| {
                section.is_none_or(|section| g.spec.listeners.iter().any(|l| &l.name == section))
            });
            assert!(listener_exists, "{dir}: parent {gateway} of {key}");
        }
    };
    for (key, route) in &snapshot.http_routes {
        check_parents(key, &parents!(route));
        for rule in route.spec.rules.iter().flatten() {
            for backend in rule.backend_refs.iter().flatten() {
                assert!(backend.kind.as_deref().is_none_or(|k| k == "Service"));
                let ns = backend.namespace.as_deref().unwrap_or(&key.namespace);
                let service = ObjectKey::new(ns, &backend.name);
                assert!(
                    snapshot.services.contains_key(&service),
                    "{dir}: backend {service} of {key}"
                );
            }
        }
    }
    for (key, route) in &snapshot.tcp_routes {
        check_parents(key, &parents!(route));
        for rule in &route.spec.rules {
            for backend in &rule.backend_refs {
                let ns = backend.namespace.as_deref().unwrap_or(&key.namespace);
                let target = ObjectKey::new(ns, &backend.name);
                let found = match backend.kind.as_deref() {
                    Some("Gateway") => snapshot.gateways.contains_key(&target),
                    _ => snapshot.services.contains_key(&target),
                };
                assert!(found, "{dir}: backend {target} of {key}");
            }
        }
    }
    for key in snapshot.services.keys() {
        let namespace = ObjectKey::cluster(&key.namespace);
        assert!(
            snapshot.namespaces.contains_key(&namespace),
            "{dir}: namespace of {key}"
        );
    }
}

#[test]
fn seed_fixes_are_in_place() {
    let loaded = load_paths(&[examples_dir()]);
    let snapshot = &loaded.snapshot;
    // Seed 002 attached these routes to `my-http-gateway`, which no example defines.
    for ns in ["alb-request-header-attributes", "alb-source-ip-rule"] {
        let route = &snapshot.http_routes[&ObjectKey::new(ns, "my-http-app-route")];
        let parents: Vec<&str> = route
            .spec
            .parent_refs
            .iter()
            .flatten()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(parents, ["my-alb-gateway"], "{ns}");
    }
    let tiered = &snapshot.gateway_classes[&ObjectKey::cluster("public-gw-gateway-class")];
    assert_eq!(tiered.spec.controller_name, "gateway.k8s.aws/tiered");
}
