//! The `gantry plan` rendering of tiered plans (crates/gantry/src/output/tiered.rs), checked
//! here against the bundled example: the table format's YAML and the `tiered` member of the
//! JSON / YAML plan document (`gantry_tiered::status::document`).

mod support;

#[path = "../../gantry/src/output/tiered.rs"]
mod output;

use gantry_tiered::{TieredSettings, plan};
use std::path::Path;

fn example() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut text = std::fs::read_to_string(root.join("gatewayclasses.yaml")).expect("classes");
    let mut files: Vec<_> = std::fs::read_dir(root.join("tiered"))
        .expect("examples/tiered")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    for f in files {
        text.push_str("\n---\n");
        text.push_str(&std::fs::read_to_string(f).expect("readable"));
    }
    text
}

#[test]
fn the_example_prints_upbound_namespaced_resources_with_pending_values() {
    let (snapshot, observed) = support::load("examples", &example());
    let plan = plan(&snapshot, &observed, &TieredSettings::new("example"));
    let text = output::render(&snapshot, &plan, "1970-01-01T00:00:00Z");
    for want in [
        "# Gateway tiered/foo-gateway-istio: waiting for uid of Gateway tiered/foo-gateway",
        "gatewayClassName: istio",
        "# HTTPRoute tiered/foo-site-istio:",
        "name: foo-gateway-istio",
        // Upbound's namespaced kinds by default, references left to Crossplane.
        "apiVersion: elbv2.aws.m.upbound.io/v1beta1",
        "# LB tiered/foo-gateway: waiting for uid of Gateway tiered/foo-gateway",
        "- subnetId: public-subnet-3",
        "internal: false",
        "# SecurityGroup tiered/foo-gateway-lb:",
        "# SecurityGroupIngressRule tiered/foo-gateway-lb-80-tcp-0:",
        "cidrIpv4: 0.0.0.0/0",
        "# LBTargetGroup tiered/foo-gateway-80:",
        "# LBListener tiered/foo-gateway-80:",
        "loadBalancerArnRef:",
        "targetGroupArnRef:",
        "# TargetGroupBinding tiered/foo-gateway-80:",
        "targetGroupARN: '<pending: ARN of LBTargetGroup tiered/foo-gateway-80>'",
        "groupID: '<pending: ID of SecurityGroup tiered/foo-gateway-lb>'",
        "targetType: ip",
        "controllerName: gateway.k8s.aws/tiered",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    assert!(!text.contains("# problem"), "{text}");
    // Every document is YAML a loader reads back.
    for document in serde_norway::Deserializer::from_str(&text) {
        let _: serde_json::Value = serde::Deserialize::deserialize(document).expect("valid YAML");
    }
}

#[test]
fn the_structured_document_carries_the_planned_objects() {
    let (snapshot, observed) = support::load("examples", &example());
    let plan = plan(&snapshot, &observed, &TieredSettings::new("example"));
    let doc = gantry_tiered::status::document(&snapshot, &plan, "1970-01-01T00:00:00Z")
        .expect("tiered objects");
    let planned = doc["planned"].as_array().expect("planned list");
    assert_eq!(planned.len(), plan.objects.len());
    let kinds: Vec<&str> = planned
        .iter()
        .filter_map(|p| p["object"]["kind"].as_str())
        .collect();
    for kind in [
        "Gateway",
        "HTTPRoute",
        "SecurityGroup",
        "SecurityGroupIngressRule",
        "LB",
        "LBTargetGroup",
        "LBListener",
        "TargetGroupBinding",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    let waiting = planned
        .iter()
        .find(|p| p["object"]["kind"] == "TargetGroupBinding")
        .and_then(|p| p["waitingFor"].as_array())
        .expect("the binding waits");
    assert!(
        waiting
            .iter()
            .any(|w| w == "ARN of LBTargetGroup tiered/foo-gateway-80")
    );
    let user_gateway = doc["objects"]
        .as_array()
        .and_then(|o| o.iter().find(|o| o["kind"] == "Gateway"))
        .expect("the user Gateway with its status");
    assert_eq!(user_gateway["status"]["conditions"][0]["type"], "Accepted");
    // Nothing tiered: no member at all.
    let empty = gantry_snapshot::Snapshot::default();
    let none = plan_of(&empty);
    assert!(gantry_tiered::status::document(&empty, &none, "t").is_none());
}

fn plan_of(snapshot: &gantry_snapshot::Snapshot) -> gantry_tiered::TieredPlan {
    plan(
        snapshot,
        &gantry_tiered::Observed::default(),
        &TieredSettings::new("x"),
    )
}
