//! Targets of a TargetGroupBinding read from the binding itself (the binding controller's
//! adapter): serviceRef by number or name, ip and instance, nodeSelector.

mod fixtures;

use fixtures::*;
use gantry_api::crds::TargetGroupBinding;
use gantry_snapshot::Snapshot;
use gantry_targets::binding_targets;
use serde_json::{Value, json};

fn binding(target_type: &str, port: Value, extra: Value) -> TargetGroupBinding {
    let mut spec = json!({
        "targetGroupARN": "arn:tg",
        "targetType": target_type,
        "serviceRef": {"name": "web", "port": port},
    });
    if let (Some(s), Some(e)) = (spec.as_object_mut(), extra.as_object()) {
        s.extend(e.clone());
    }
    serde_json::from_value(json!({
        "apiVersion": "elbv2.k8s.aws/v1beta1",
        "kind": "TargetGroupBinding",
        "metadata": {"name": "b", "namespace": "demo"},
        "spec": spec,
    }))
    .expect("binding")
}

fn cluster() -> Snapshot {
    let mut s = Snapshot::default();
    mk_web_service(&mut s, true);
    mk_web_slice(
        &mut s,
        "web-1",
        json!([
            ready("10.0.0.2"),
            ready("10.0.0.1"),
            ep("10.0.0.3", Some(false), None, None)
        ]),
    );
    mk_node(
        &mut s,
        "a",
        Some(true),
        Some("aws:///us-east-1a/i-a"),
        json!({"pool": "web"}),
    );
    mk_node(
        &mut s,
        "b",
        Some(true),
        Some("aws:///us-east-1b/i-b"),
        json!({"pool": "batch"}),
    );
    s
}

#[test]
fn ip_binding_by_port_number_or_name_gets_the_ready_endpoints() {
    let s = cluster();
    let want = targets(&[("10.0.0.1", 8080), ("10.0.0.2", 8080)]);
    assert_eq!(
        binding_targets(&binding("ip", json!(80), json!({})), &s).targets,
        want
    );
    assert_eq!(
        binding_targets(&binding("ip", json!("http"), json!({})), &s).targets,
        want
    );
}

#[test]
fn instance_binding_gets_the_selected_nodes_on_the_node_port() {
    let s = cluster();
    let all = binding_targets(&binding("instance", json!(80), json!({})), &s);
    assert_eq!(all.targets, targets(&[("i-a", 30080), ("i-b", 30080)]));
    let selected = binding(
        "instance",
        json!(80),
        json!({"nodeSelector": {"matchLabels": {"pool": "web"}}}),
    );
    assert_eq!(
        binding_targets(&selected, &s).targets,
        targets(&[("i-a", 30080)])
    );
}

#[test]
fn a_missing_service_or_port_is_a_problem_not_an_error() {
    let s = cluster();
    let d = binding_targets(&binding("ip", json!(81), json!({})), &s);
    assert!(d.targets.is_empty());
    assert_eq!(d.problems.len(), 1, "{:?}", d.problems);
    let d = binding_targets(&binding("ip", json!(80), json!({})), &Snapshot::default());
    assert!(d.targets.is_empty() && d.problems[0].message.contains("not found"));
}
