//! The rendered `.status` of a Gateway with ListenerSets and of a ListenerSet: the fields the
//! Gateway API CRDs define, none dropped.

use gantry_gateway::routes::RouteKind;
use gantry_gateway::status::reasons::{ACCEPTED, PROGRAMMED, Reason};
use gantry_gateway::status::{
    Condition, GatewayStatus, ListenerSetStatus, ListenerStatus, render_gateway,
    render_listener_set,
};
use serde_json::json;

fn listener(name: &str) -> ListenerStatus {
    ListenerStatus {
        name: name.into(),
        supported_kinds: vec![RouteKind::Http],
        attached_routes: 1,
        conditions: vec![Condition::new(ACCEPTED, true, Reason::Accepted, "ok").at(2)],
    }
}

/// "AttachedListenerSets represents the total number of ListenerSets that have been
/// successfully attached to this Gateway": written when computed, including zero.
#[test]
fn the_gateway_status_carries_attached_listener_sets() {
    let mut status = GatewayStatus {
        conditions: vec![Condition::new(ACCEPTED, true, Reason::Accepted, "ok").at(1)],
        listeners: vec![listener("http")],
        addresses: vec![],
        attached_listener_sets: Some(2),
    };
    let v = render_gateway(&status, None, "2026-01-01T00:00:00Z");
    assert_eq!(v["attachedListenerSets"], json!(2));
    status.attached_listener_sets = Some(0);
    let v = render_gateway(&status, None, "2026-01-01T00:00:00Z");
    assert_eq!(v["attachedListenerSets"], json!(0));
    status.attached_listener_sets = None;
    let v = render_gateway(&status, None, "2026-01-01T00:00:00Z");
    assert!(v.get("attachedListenerSets").is_none(), "{v}");
}

#[test]
fn a_listener_set_status_has_its_conditions_and_listener_entries() {
    let status = ListenerSetStatus {
        conditions: vec![
            Condition::new(ACCEPTED, true, Reason::Accepted, "ListenerSet is accepted").at(2),
            Condition::unknown(PROGRAMMED, Reason::Pending, "waiting").at(2),
        ],
        listeners: vec![listener("extra")],
    };
    let first = render_listener_set(&status, None, "2026-01-01T00:00:00Z");
    assert_eq!(first["conditions"][0]["type"], "Accepted");
    assert_eq!(first["conditions"][0]["observedGeneration"], 2);
    assert_eq!(first["conditions"][1]["status"], "Unknown");
    assert_eq!(
        first["listeners"][0],
        json!({
            "name": "extra",
            "supportedKinds": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}],
            "attachedRoutes": 1,
            "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted",
                "message": "ok", "observedGeneration": 2,
                "lastTransitionTime": "2026-01-01T00:00:00Z"}],
        })
    );
    // Rendering again later over the written status changes nothing (a write is skipped).
    let again = render_listener_set(&status, Some(&first), "2026-02-02T00:00:00Z");
    assert_eq!(again, first);
}
