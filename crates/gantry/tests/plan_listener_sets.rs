//! `gantry plan` prints each ListenerSet with the status gantry would write, as it does for
//! Gateways and routes: in the JSON/YAML `objects` and in the table's statuses.

mod offline;

use gantry_testkit::objects::{docs, gateway_class};
use gantry_testkit::route_builders::{gateway_allowing_sets, listener_set};
use serde_json::Value;

/// Gateway `apps/web` (HTTP 80 for `a.example.com`) allowing ListenerSets of its namespace;
/// `apps/extra` adds a valid listener and one whose port and hostname conflict with the
/// Gateway's; `apps/clash` only the conflicting one.
fn manifests() -> String {
    docs([
        gateway_class("alb", "alb"),
        gateway_allowing_sets("apps/web", "alb", "{from: Same}", &[("http", 80, "HTTP")]),
        listener_set(
            "apps/extra",
            "web",
            &[("more", 8080, "HTTP"), ("again", 80, "HTTP")],
        ),
        listener_set("apps/clash", "web", &[("again", 80, "HTTP")]),
    ])
}

fn plan(format: &str) -> String {
    let dir = std::env::temp_dir().join(format!("gantry-plan-sets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join(format!("{format}.yaml"));
    std::fs::write(&file, manifests()).expect("write manifests");
    offline::plan_stdout(&["-f", file.to_str().unwrap(), "-o", format])
}

fn condition<'a>(status: &'a Value, kind: &str) -> (&'a str, &'a str) {
    let c = offline::element(&status["conditions"], kind, |c| c["type"] == kind);
    (
        c["status"].as_str().unwrap_or_default(),
        c["reason"].as_str().unwrap_or_default(),
    )
}

#[test]
fn the_json_plan_has_every_listener_set_with_its_status() {
    let plan: Value = serde_json::from_str(&plan("json")).expect("JSON plan");
    let set = |name: &str| {
        offline::element(&plan["objects"], name, |o| {
            o["kind"] == "ListenerSet" && o["metadata"]["name"] == name
        })
        .clone()
    };

    let extra = set("extra");
    assert_eq!(
        condition(&extra["status"], "Accepted"),
        ("True", "ListenersNotValid")
    );
    let listeners = &extra["status"]["listeners"];
    let again = offline::element(listeners, "again", |l| l["name"] == "again");
    assert_eq!(condition(again, "Conflicted").0, "True");
    assert_eq!(condition(again, "Accepted").0, "False");
    // Not programmed for the reason it is not accepted.
    assert_eq!(
        condition(again, "Programmed"),
        ("False", condition(again, "Accepted").1)
    );
    let more = offline::element(listeners, "more", |l| l["name"] == "more");
    assert_eq!(condition(more, "Accepted"), ("True", "Accepted"));

    let clash = set("clash");
    assert_eq!(
        condition(&clash["status"], "Accepted"),
        ("False", "ListenersNotValid")
    );
}

#[test]
fn the_table_lists_listener_sets_and_their_listeners() {
    let table = plan("table");
    assert!(
        table.contains("  ListenerSet apps/clash: Accepted=False ListenersNotValid"),
        "{table}"
    );
    assert!(
        table.contains("  ListenerSet apps/extra: Accepted=True ListenersNotValid"),
        "{table}"
    );
    assert!(
        table.contains("    listener more: attachedRoutes=0\n"),
        "{table}"
    );
}
