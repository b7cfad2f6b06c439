//! `gantry plan -f examples/tiered/`: the tiered objects in every output format — the table's
//! YAML after it, and the `tiered` member of the `-o json` / `-o yaml` document — with
//! Upbound's namespaced kinds by default. No AWS or Kubernetes needed.

mod offline;

fn plan(format: &str) -> String {
    offline::plan_stdout(&[
        "-f",
        "examples/tiered",
        "--cluster-name",
        "demo",
        "-o",
        format,
    ])
}

fn planned_kinds(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["tiered"]["planned"]
        .as_array()
        .expect("tiered.planned")
        .iter()
        .map(|p| {
            (
                p["object"]["apiVersion"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                p["object"]["kind"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn assert_upbound_namespaced(doc: &serde_json::Value) {
    let kinds = planned_kinds(doc);
    for (api_version, kind) in [
        ("elbv2.aws.m.upbound.io/v1beta1", "LB"),
        ("elbv2.aws.m.upbound.io/v1beta1", "LBTargetGroup"),
        ("elbv2.aws.m.upbound.io/v1beta1", "LBListener"),
        ("ec2.aws.m.upbound.io/v1beta1", "SecurityGroup"),
        ("ec2.aws.m.upbound.io/v1beta1", "SecurityGroupIngressRule"),
        ("elbv2.k8s.aws/v1beta1", "TargetGroupBinding"),
        ("gateway.networking.k8s.io/v1", "Gateway"),
    ] {
        assert!(
            kinds.contains(&(api_version.to_string(), kind.to_string())),
            "{api_version} {kind} missing from {kinds:?}"
        );
    }
    let user_gateway = doc["tiered"]["objects"]
        .as_array()
        .and_then(|o| {
            o.iter()
                .find(|o| o["kind"] == "Gateway" && o["metadata"]["name"] == "foo-gateway")
        })
        .expect("the user Gateway with the status gantry would write");
    assert_eq!(user_gateway["status"]["conditions"][0]["status"], "True");
}

#[test]
fn json_and_yaml_carry_the_tiered_objects() {
    let json: serde_json::Value = serde_json::from_str(&plan("json")).expect("one JSON document");
    assert_upbound_namespaced(&json);
    let yaml: serde_json::Value = serde_norway::from_str(&plan("yaml")).expect("one YAML document");
    assert_upbound_namespaced(&yaml);
    assert_eq!(json, yaml, "both formats carry the same document");
}

#[test]
fn the_table_is_followed_by_the_upbound_namespaced_objects() {
    let text = plan("table");
    for want in [
        "Tiered Gateways — objects gantry would create:",
        "# LB tiered/foo-gateway:",
        "apiVersion: elbv2.aws.m.upbound.io/v1beta1",
        "# SecurityGroup tiered/foo-gateway-lb:",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
}
