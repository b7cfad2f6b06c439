//! instance targets from Nodes.

mod fixtures;

use fixtures::*;
use gantry_model::{NodeSelector, SelectorRequirement, TargetGroup, TargetType};
use gantry_snapshot::Snapshot;
use gantry_targets::{desired_targets, instance_id};
use serde_json::json;

fn nodes() -> (Snapshot, TargetGroup) {
    let mut s = Snapshot::default();
    mk_web_service(&mut s, true);
    mk_node(
        &mut s,
        "a",
        Some(true),
        Some("aws:///us-east-1a/i-0000000000000000a"),
        json!({"pool": "web"}),
    );
    mk_node(
        &mut s,
        "b",
        Some(true),
        Some("aws:///us-east-1b/i-0000000000000000b"),
        json!({"pool": "batch"}),
    );
    (s, mk_tg(TargetType::Instance, "demo", "web", 80, 30080))
}

fn ids(s: &Snapshot, tg: &TargetGroup) -> Vec<String> {
    let d = desired_targets(tg, s).expect("service-backed");
    assert!(
        d.targets.iter().all(|t| t.port == tg.port),
        "NodePort: {:?}",
        d.targets
    );
    d.targets.into_iter().map(|t| t.id).collect()
}

#[test]
fn ready_nodes_are_targets_on_the_node_port() {
    let (s, tg) = nodes();
    assert_eq!(ids(&s, &tg), ["i-0000000000000000a", "i-0000000000000000b"]);
}

#[test]
fn not_ready_and_unreported_nodes_are_left_out_but_cordoned_ones_stay() {
    let (mut s, tg) = nodes();
    mk_node(
        &mut s,
        "c",
        Some(false),
        Some("aws:///us-east-1c/i-0000000000000000c"),
        json!({}),
    );
    mk_node(
        &mut s,
        "d",
        None,
        Some("aws:///us-east-1c/i-0000000000000000d"),
        json!({}),
    );
    mk_node(
        &mut s,
        "e",
        Some(true),
        Some("aws:///us-east-1c/i-0000000000000000e"),
        json!({}),
    );
    let mut cordoned = (*s.nodes[&gantry_snapshot::ObjectKey::cluster("e")]).clone();
    cordoned.spec.as_mut().unwrap().unschedulable = Some(true);
    s.nodes
        .insert(gantry_snapshot::ObjectKey::cluster("e"), cordoned.into());
    assert_eq!(
        ids(&s, &tg),
        [
            "i-0000000000000000a",
            "i-0000000000000000b",
            "i-0000000000000000e"
        ]
    );
}

#[test]
fn nodes_excluded_from_load_balancers_are_left_out_whatever_the_label_value() {
    let (mut s, tg) = nodes();
    mk_node(
        &mut s,
        "c",
        Some(true),
        Some("aws:///us-east-1c/i-0000000000000000c"),
        json!({"node.kubernetes.io/exclude-from-external-load-balancers": ""}),
    );
    mk_node(
        &mut s,
        "d",
        Some(true),
        Some("aws:///us-east-1c/i-0000000000000000d"),
        json!({"alpha.service-controller.kubernetes.io/exclude-balancer": "true"}),
    );
    mk_node(
        &mut s,
        "f",
        Some(true),
        Some("aws:///us-east-1c/fargate-10.0.0.1"),
        json!({"eks.amazonaws.com/compute-type": "fargate"}),
    );
    let d = desired_targets(&tg, &s).unwrap();
    assert_eq!(d.targets.len(), 2);
    assert!(
        d.problems.is_empty(),
        "excluded nodes are not problems: {:?}",
        d.problems
    );
}

#[test]
fn node_selector_keeps_matching_nodes_only() {
    let (mut s, mut tg) = nodes();
    mk_node(
        &mut s,
        "c",
        Some(true),
        Some("aws:///us-east-1c/i-0000000000000000c"),
        json!({"pool": "web", "spot": "true"}),
    );
    tg.node_selector = Some(NodeSelector {
        match_labels: [("pool".to_string(), "web".to_string())].into(),
        match_expressions: vec![],
    });
    assert_eq!(ids(&s, &tg), ["i-0000000000000000a", "i-0000000000000000c"]);
    tg.node_selector.as_mut().unwrap().match_expressions = vec![SelectorRequirement {
        key: "spot".into(),
        operator: "DoesNotExist".into(),
        values: vec![],
    }];
    assert_eq!(ids(&s, &tg), ["i-0000000000000000a"]);
    tg.node_selector = Some(NodeSelector {
        match_labels: Default::default(),
        match_expressions: vec![SelectorRequirement {
            key: "pool".into(),
            operator: "In".into(),
            values: vec!["batch".into(), "web".into()],
        }],
    });
    assert_eq!(ids(&s, &tg).len(), 3);
}

#[test]
fn selector_operators_follow_kubernetes() {
    let labels = [("a".to_string(), "1".to_string())].into();
    let req = |operator: &str, values: &[&str]| NodeSelector {
        match_labels: Default::default(),
        match_expressions: vec![SelectorRequirement {
            key: "a".into(),
            operator: operator.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }],
    };
    for (sel, want) in [
        (req("In", &["1", "2"]), true),
        (req("In", &["2"]), false),
        (req("NotIn", &["2"]), true),
        (req("NotIn", &["1"]), false),
        (req("Exists", &[]), true),
        (req("DoesNotExist", &[]), false),
        (req("Gt", &["0"]), false),
        (NodeSelector::default(), true),
    ] {
        assert_eq!(gantry_targets::matches(&sel, &labels), want, "{sel:?}");
    }
}

#[test]
fn a_node_without_an_instance_provider_id_is_reported_and_the_others_still_register() {
    let (mut s, tg) = nodes();
    mk_node(&mut s, "kind-worker", Some(true), None, json!({}));
    mk_node(
        &mut s,
        "gce",
        Some(true),
        Some("gce://project/zone/vm"),
        json!({}),
    );
    let d = desired_targets(&tg, &s).unwrap();
    assert_eq!(d.targets.len(), 2);
    let problems: Vec<String> = d.problems.iter().map(|p| p.object.clone()).collect();
    assert_eq!(problems, ["Node gce", "Node kind-worker"]);
}

#[test]
fn provider_ids_parse_to_instance_ids() {
    for (input, want) in [
        ("aws:///us-east-1a/i-0abc", Some("i-0abc")),
        ("aws:////i-0abc", Some("i-0abc")),
        ("aws:///us-east-1a/i-0abc/", Some("i-0abc")),
        ("aws:///us-east-1a/", None),
        ("aws:///us-east-1a/i-", None),
        ("aws:///us-east-1a/fargate-ip-10-0-0-1", None),
        ("i-0abc", None),
        ("", None),
    ] {
        assert_eq!(instance_id(input), want, "{input}");
    }
}
