//! A Gateway's reconcile writes only its own entries of a route's `status.parents`.

use gantry_gateway::status::merge_route_parents_for_gateway;
use serde_json::{Value, json};

const OURS: &[&str] = &["gateway.k8s.aws/alb"];

fn entry(controller: &str, parent: Value, status: &str) -> Value {
    json!({
        "parentRef": parent,
        "controllerName": controller,
        "conditions": [{"type": "Accepted", "status": status}],
    })
}

/// The `status.parents` entries of `merged` as (controller, parentRef, Accepted status).
fn parents(merged: &Value) -> Vec<(&str, &Value, &str)> {
    merged["parents"]
        .as_array()
        .expect("parents")
        .iter()
        .map(|e| {
            (
                e["controllerName"].as_str().unwrap_or_default(),
                &e["parentRef"],
                e["conditions"][0]["status"].as_str().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn only_the_gateways_own_entries_are_replaced() {
    let a = json!({"name": "a"});
    let a_section = json!({"name": "a", "sectionName": "https"});
    let b = json!({"name": "b"});
    let a_elsewhere = json!({"name": "a", "namespace": "other"});
    let previous = json!({"parents": [
        entry("gateway.k8s.aws/alb", a.clone(), "False"),
        entry("gateway.k8s.aws/alb", a_section.clone(), "False"),
        entry("gateway.k8s.aws/alb", b.clone(), "True"),
        entry("gateway.k8s.aws/alb", a_elsewhere.clone(), "True"),
        entry("example.com/other", a.clone(), "True"),
    ]});
    // Translation of Gateway apps/a also rendered an entry for b: not a's to write.
    let rendered = vec![
        entry("gateway.k8s.aws/alb", a.clone(), "True"),
        entry("gateway.k8s.aws/alb", b.clone(), "False"),
    ];
    let merged =
        merge_route_parents_for_gateway(Some(&previous), OURS, "apps", ("apps", "a"), rendered);
    assert_eq!(
        parents(&merged),
        [
            ("gateway.k8s.aws/alb", &b, "True"),
            ("gateway.k8s.aws/alb", &a_elsewhere, "True"),
            ("example.com/other", &a, "True"),
            ("gateway.k8s.aws/alb", &a, "True"),
        ]
    );
}

#[test]
fn a_gateway_the_route_left_loses_its_entries() {
    let previous = json!({"parents": [entry("gateway.k8s.aws/alb", json!({"name": "a"}), "True")]});
    let merged =
        merge_route_parents_for_gateway(Some(&previous), OURS, "apps", ("apps", "a"), vec![]);
    assert_eq!(merged["parents"], json!([]));
}

/// A Gateway's reconcile owns the entries of its ListenerSets too: they are replaced, and
/// entries naming a Gateway or ListenerSet of another owner are kept.
#[test]
fn a_writer_owning_a_gateway_and_its_listener_sets_replaces_only_their_entries() {
    let set = json!({"group": "gateway.networking.k8s.io", "kind": "ListenerSet", "name": "extra"});
    let other_set =
        json!({"group": "gateway.networking.k8s.io", "kind": "ListenerSet", "name": "theirs"});
    let b = json!({"name": "b"});
    let previous = json!({"parents": [
        entry("gateway.k8s.aws/alb", set.clone(), "False"),
        entry("gateway.k8s.aws/alb", other_set.clone(), "True"),
        entry("gateway.k8s.aws/alb", b.clone(), "True"),
    ]});
    let rendered = vec![
        entry("gateway.k8s.aws/alb", set.clone(), "True"),
        entry("gateway.k8s.aws/alb", other_set.clone(), "False"),
    ];
    let merged = gantry_gateway::status::merge_route_parents_for_parents(
        Some(&previous),
        OURS,
        "apps",
        |kind, ns, name| (kind, ns, name) == ("ListenerSet", "apps", "extra"),
        rendered,
    );
    assert_eq!(
        parents(&merged),
        [
            ("gateway.k8s.aws/alb", &other_set, "True"),
            ("gateway.k8s.aws/alb", &b, "True"),
            ("gateway.k8s.aws/alb", &set, "True"),
        ]
    );
}
