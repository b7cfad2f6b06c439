//! The `gantry plan` rendering of tiered plans (crates/gantry/src/output/tiered.rs), checked
//! here against the bundled example so that it compiles and prints the seed's resources
//! before the binary hooks it in.

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
fn the_example_prints_the_seed_resources_with_pending_arns() {
    let (snapshot, observed) = support::load("examples", &example());
    let plan = plan(&snapshot, &observed, &TieredSettings::new("example"));
    let text = output::render(&snapshot, &plan, "1970-01-01T00:00:00Z");
    for want in [
        "# Gateway tiered/foo-gateway-istio: waiting for uid of Gateway tiered/foo-gateway",
        "gatewayClassName: istio",
        "# HTTPRoute tiered/foo-site-istio:",
        "name: foo-gateway-istio",
        "# LoadBalancer tiered.foo-gateway: creatable now",
        "- subnetID: public-subnet-3",
        "scheme: internet-facing",
        "# TargetGroup tiered.foo-gateway.80: creatable now",
        "# Listener tiered.foo-gateway.80: waiting for ARN of LoadBalancer tiered.foo-gateway, ARN of TargetGroup tiered.foo-gateway.80",
        "loadBalancerArn: '<pending: LoadBalancer tiered.foo-gateway>'",
        "targetGroupArn: '<pending: TargetGroup tiered.foo-gateway.80>'",
        "# TargetGroupBinding tiered/foo-gateway-80:",
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
