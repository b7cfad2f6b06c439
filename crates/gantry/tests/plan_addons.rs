//! `gantry plan` shows the WAFv2 web ACL and Shield Advanced protection a
//! LoadBalancerConfiguration asks for, in every output format.

mod offline;

fn plan(format: &str) -> String {
    let input = "crates/translate/tests/golden/alb-waf-shield/input.yaml";
    offline::plan_stdout(&["-f", input, "-o", format, "--cluster-name", "test"])
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
    let shop = offline::element(&json["stacks"], "the ALB's stack", |s| {
        s["gateway"] == "web/shop"
    });
    assert_eq!(shop["loadBalancer"]["Addons"]["WebACLArn"], ACL);
    assert_eq!(shop["loadBalancer"]["Addons"]["ShieldAdvanced"], true);
    let plain = offline::element(&json["stacks"], "the unprotected ALB's stack", |s| {
        s["gateway"] == "web/plain"
    });
    assert!(plain["loadBalancer"].get("Addons").is_none());
}
