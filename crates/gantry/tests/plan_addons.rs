//! `gantry plan` shows the WAFv2 web ACL and Shield Advanced protection a
//! LoadBalancerConfiguration asks for, in every output format.

use std::process::Command;

fn plan(format: &str) -> String {
    let input = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../translate/tests/golden/alb-waf-shield/input.yaml"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_gantry"))
        .args(["plan", "-f", input, "-o", format, "--cluster-name", "test"])
        .env_remove("RUST_LOG")
        .output()
        .expect("run gantry");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "gantry plan -o {format} failed");
    text
}

const ACL: &str = "arn:aws:wafv2:us-west-2:111122223333:regional/webacl/edge/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111";

#[test]
fn the_table_and_json_plans_show_the_addons() {
    let table = plan("table");
    assert!(table.contains(&format!("WAFv2 web ACL: {ACL}")), "{table}");
    assert!(table.contains("Shield Advanced: protected"), "{table}");
    // The NLB's are refused by name.
    assert!(
        table.contains("wafV2 is not supported on an NLB"),
        "{table}"
    );

    let json: serde_json::Value = serde_json::from_str(&plan("json")).unwrap();
    let shop = json["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["gateway"] == "web/shop")
        .expect("the ALB's stack");
    assert_eq!(shop["loadBalancer"]["Addons"]["WebACLArn"], ACL);
    assert_eq!(shop["loadBalancer"]["Addons"]["ShieldAdvanced"], true);
    let plain = json["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["gateway"] == "web/plain")
        .expect("the unprotected ALB's stack");
    assert!(plain["loadBalancer"].get("Addons").is_none());
}
