//! `gantry plan` calls no AWS API, so it cannot know whether the target group of a
//! `TargetGroupName` backendRef exists: the route's ResolvedRefs is Unknown, naming it, never a
//! True nobody checked (the controller and `gantry apply` look the names up before they
//! publish statuses).

mod offline;

use serde_json::Value;

#[test]
fn plan_reports_target_group_names_as_not_looked_up() {
    let input = "crates/translate/tests/golden/alb-target-group-name/input.yaml";
    let text = offline::plan_stdout(&["-f", input, "-o", "json", "--cluster-name", "test"]);
    let json: Value = serde_json::from_str(&text).expect("plan JSON");
    let route = offline::element(&json["objects"], "HTTPRoute apps/legacy", |o| {
        o["kind"] == "HTTPRoute" && o["metadata"]["name"] == "legacy"
    });
    let parent = &route["status"]["parents"][0];
    let resolved = offline::element(&parent["conditions"], "its ResolvedRefs", |c| {
        c["type"] == "ResolvedRefs"
    });
    assert_eq!(resolved["status"], "Unknown", "{resolved}");
    assert_eq!(resolved["reason"], "Pending", "{resolved}");
    let message = resolved["message"].as_str().unwrap_or_default();
    assert!(message.contains("\"legacy-tg\""), "{message}");
}
