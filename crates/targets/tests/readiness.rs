//! Pod readiness gates: an endpoint held unready only by its binding's gate is registered,
//! and each gated pod's condition follows the target's health.

mod fixtures;

use fixtures::*;
use gantry_api::crds::TargetGroupBinding;
use gantry_api::k8s::Pod;
use gantry_model::TargetHealth;
use gantry_snapshot::{ObjectKey, Snapshot};
use gantry_targets::{binding_targets, gate_conditions, gated_bindings, readiness_gate};
use serde_json::{Value, json};
use std::sync::Arc;

const GATE: &str = "target-health.elbv2.k8s.aws/web-tg";

fn binding(target_type: &str) -> TargetGroupBinding {
    serde_json::from_value(json!({
        "apiVersion": "elbv2.k8s.aws/v1beta1",
        "kind": "TargetGroupBinding",
        "metadata": {"name": "web-tg", "namespace": "demo"},
        "spec": {
            "targetGroupARN": "arn:tg",
            "targetType": target_type,
            "serviceRef": {"name": "web", "port": 80},
        },
    }))
    .expect("binding")
}

/// An endpoint of pod `pod` with the given ready / terminating conditions.
fn pod_ep(ip: &str, pod: &str, ready: bool, terminating: bool) -> Value {
    json!({
        "addresses": [ip],
        "conditions": {"ready": ready, "serving": ready, "terminating": terminating},
        "targetRef": {"kind": "Pod", "namespace": "demo", "name": pod},
    })
}

/// A pod with readiness gates `gates` and conditions `(type, status)`.
fn mk_pod(s: &mut Snapshot, name: &str, gates: &[&str], conditions: &[(&str, &str)]) {
    let pod: Pod = serde_json::from_value(json!({
        "metadata": {"namespace": "demo", "name": name},
        "spec": {
            "containers": [],
            "readinessGates": gates.iter().map(|g| json!({"conditionType": g})).collect::<Vec<_>>(),
        },
        "status": {
            "conditions": conditions
                .iter()
                .map(|(t, st)| json!({"type": t, "status": st}))
                .collect::<Vec<_>>(),
        },
    }))
    .expect("pod");
    s.pods.insert(ObjectKey::new("demo", name), Arc::new(pod));
}

fn cluster(endpoints: Value) -> Snapshot {
    let mut s = Snapshot::default();
    mk_web_service(&mut s, false);
    mk_web_slice(&mut s, "web-1", endpoints);
    s
}

fn health(ip: &str, state: &str, reason: Option<&str>) -> TargetHealth {
    TargetHealth {
        target: target(ip, 8080),
        state: state.to_string(),
        reason: reason.map(str::to_string),
        description: reason.map(|r| format!("because {r}")),
    }
}

#[test]
fn the_gate_is_named_after_the_binding_and_read_back_from_pods() {
    assert_eq!(readiness_gate("web-tg"), GATE);
    let mut s = Snapshot::default();
    mk_pod(
        &mut s,
        "p",
        &[
            GATE,
            "other.example.com/gate",
            "target-health.elbv2.k8s.aws/",
        ],
        &[],
    );
    let pod = &s.pods[&ObjectKey::new("demo", "p")];
    assert_eq!(gated_bindings(pod), ["web-tg"]);
}

#[test]
fn an_endpoint_held_back_by_the_gate_alone_is_registered() {
    let mut s = cluster(json!([
        pod_ep("10.0.0.1", "ready", true, false),
        // Containers ready, gate pending: must be registered for the gate to ever pass.
        pod_ep("10.0.0.2", "gated", false, false),
        // Containers not ready: not a target.
        pod_ep("10.0.0.3", "starting", false, false),
        // Gated by another binding's gate only: not this binding's business.
        pod_ep("10.0.0.4", "other", false, false),
        // Not ready and no gate at all.
        pod_ep("10.0.0.5", "plain", false, false),
        // Gated but terminating and not serving: leaving.
        pod_ep("10.0.0.6", "leaving", false, true),
    ]));
    mk_pod(
        &mut s,
        "gated",
        &[GATE],
        &[("ContainersReady", "True"), ("Ready", "False")],
    );
    mk_pod(&mut s, "starting", &[GATE], &[("ContainersReady", "False")]);
    mk_pod(
        &mut s,
        "other",
        &["target-health.elbv2.k8s.aws/api-tg"],
        &[("ContainersReady", "True")],
    );
    mk_pod(&mut s, "leaving", &[GATE], &[("ContainersReady", "True")]);
    let got = binding_targets(&binding("ip"), &s).targets;
    assert_eq!(got, targets(&[("10.0.0.1", 8080), ("10.0.0.2", 8080)]));
}

#[test]
fn a_gate_already_true_does_not_keep_an_unready_endpoint() {
    // The pod is unready for another reason than the gate (a second gate, say): the gate is
    // not what holds it back, so it is treated like any unready endpoint.
    let mut s = cluster(json!([pod_ep("10.0.0.2", "gated", false, false)]));
    mk_pod(
        &mut s,
        "gated",
        &[GATE, "example.com/other"],
        &[("ContainersReady", "True"), (GATE, "True")],
    );
    assert!(binding_targets(&binding("ip"), &s).targets.is_empty());
}

#[test]
fn conditions_follow_target_health() {
    let mut s = cluster(json!([
        pod_ep("10.0.0.1", "healthy", true, false),
        pod_ep("10.0.0.2", "unhealthy", false, false),
        pod_ep("10.0.0.3", "new", false, false),
        pod_ep("10.0.0.4", "ungated", true, false),
    ]));
    mk_pod(&mut s, "healthy", &[GATE], &[("ContainersReady", "True")]);
    mk_pod(&mut s, "unhealthy", &[GATE], &[("ContainersReady", "True")]);
    mk_pod(&mut s, "new", &[GATE], &[("ContainersReady", "True")]);
    let registered = targets(&[
        ("10.0.0.1", 8080),
        ("10.0.0.2", 8080),
        ("10.0.0.3", 8080),
        ("10.0.0.4", 8080),
    ]);
    let got = gate_conditions(
        &binding("ip"),
        &s,
        &registered,
        &[
            health("10.0.0.1", "healthy", None),
            health("10.0.0.2", "unhealthy", Some("Target.ResponseCodeMismatch")),
            health("10.0.0.4", "healthy", None),
        ],
    );
    let summary: Vec<(&str, &str, &str)> = got
        .changed
        .iter()
        .map(|c| (c.pod.name.as_str(), c.status(), c.reason.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("healthy", "True", "TargetHealthy"),
            ("new", "False", "Elb.RegistrationInProgress"),
            ("unhealthy", "False", "Target.ResponseCodeMismatch"),
        ]
    );
    assert!(got.changed.iter().all(|c| c.condition_type == GATE));
    assert_eq!(
        got.changed[2].message,
        "because Target.ResponseCodeMismatch"
    );
    assert_eq!(got.waiting, 2);
}

#[test]
fn a_condition_already_shown_is_not_written_again() {
    let mut s = cluster(json!([pod_ep("10.0.0.1", "p", true, false)]));
    let healthy = health("10.0.0.1", "healthy", None);
    let registered = targets(&[("10.0.0.1", 8080)]);
    let first = gate_conditions(
        &binding("ip"),
        &s,
        &registered,
        std::slice::from_ref(&healthy),
    );
    assert_eq!(
        first.changed.len(),
        0,
        "a pod without the gate gets nothing"
    );
    mk_pod(&mut s, "p", &[GATE], &[("ContainersReady", "True")]);
    let first = gate_conditions(
        &binding("ip"),
        &s,
        &registered,
        std::slice::from_ref(&healthy),
    );
    let c = &first.changed[0];
    // The pod now shows what was asked: nothing to write.
    let pod: Pod = serde_json::from_value(json!({
        "metadata": {"namespace": "demo", "name": "p"},
        "spec": {"containers": [], "readinessGates": [{"conditionType": GATE}]},
        "status": {"conditions": [
            {"type": "ContainersReady", "status": "True"},
            {"type": GATE, "status": "True", "reason": c.reason, "message": c.message},
        ]},
    }))
    .expect("pod");
    s.pods.insert(ObjectKey::new("demo", "p"), Arc::new(pod));
    let again = gate_conditions(&binding("ip"), &s, &registered, &[healthy]);
    assert_eq!(again, Default::default());
}

#[test]
fn a_pod_whose_endpoint_is_not_a_target_gets_no_condition() {
    let mut s = cluster(json!([pod_ep("10.0.0.3", "starting", false, false)]));
    mk_pod(&mut s, "starting", &[GATE], &[("ContainersReady", "False")]);
    let got = gate_conditions(&binding("ip"), &s, &[], &[]);
    assert_eq!(got, Default::default());
}

#[test]
fn instance_bindings_have_no_gates() {
    let mut s = cluster(json!([pod_ep("10.0.0.1", "p", true, false)]));
    mk_pod(&mut s, "p", &[GATE], &[("ContainersReady", "True")]);
    let got = gate_conditions(
        &binding("instance"),
        &s,
        &targets(&[("10.0.0.1", 8080)]),
        &[health("10.0.0.1", "healthy", None)],
    );
    assert_eq!(got, Default::default());
}
