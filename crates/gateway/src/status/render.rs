//! Turns computed statuses into Gateway API `.status` JSON, stamping `lastTransitionTime`.
//!
//! A condition keeps its previous `lastTransitionTime` unless its `status` changed, as
//! Kubernetes' own condition helpers do; so re-rendering an unchanged status is a no-op.

use super::{
    Condition, GatewayClassStatus, GatewayStatus, ListenerSetStatus, ListenerStatus, RouteStatus,
};
use serde_json::{Value, json};

/// The entries of the list `field` of a previous status (none without one).
fn previous_entries<'v>(previous: Option<&'v Value>, field: &str) -> &'v [Value] {
    previous
        .and_then(|v| v.get(field))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn render_conditions(conditions: &[Condition], previous: Option<&Value>, now: &str) -> Value {
    let previous = previous_entries(previous, "conditions");
    Value::Array(
        conditions
            .iter()
            .map(|c| {
                let Condition {
                    kind,
                    status,
                    reason,
                    message,
                    observed_generation,
                } = c;
                render_condition(
                    kind,
                    status,
                    reason,
                    message,
                    *observed_generation,
                    previous,
                    now,
                )
            })
            .collect(),
    )
}

/// One condition as `.status` JSON. Its `lastTransitionTime` is that of the condition of the
/// same type in `previous` when the status is unchanged, `now` otherwise.
pub fn render_condition(
    kind: &str,
    status: &str,
    reason: &str,
    message: &str,
    observed_generation: i64,
    previous: &[Value],
    now: &str,
) -> Value {
    let kept = previous
        .iter()
        .find(|p| p.get("type").and_then(Value::as_str) == Some(kind))
        .filter(|p| p.get("status").and_then(Value::as_str) == Some(status))
        .and_then(|p| p.get("lastTransitionTime").and_then(Value::as_str));
    json!({
        "type": kind,
        "status": status,
        "reason": reason,
        "message": message,
        "observedGeneration": observed_generation,
        "lastTransitionTime": kept.unwrap_or(now),
    })
}

/// `.status` of a GatewayClass.
pub fn render_gateway_class(
    status: &GatewayClassStatus,
    previous: Option<&Value>,
    now: &str,
) -> Value {
    let mut out = previous.cloned().unwrap_or_else(|| json!({}));
    out["conditions"] = render_conditions(&status.conditions, previous, now);
    if status.supported_features.is_empty() {
        // A class that is no longer accepted promises nothing.
        if let Some(o) = out.as_object_mut() {
            o.remove("supportedFeatures");
        }
    } else {
        out["supportedFeatures"] = status
            .supported_features
            .iter()
            .map(|name| json!({ "name": name }))
            .collect();
    }
    out
}

/// `.status` of a Gateway.
pub fn render_gateway(status: &GatewayStatus, previous: Option<&Value>, now: &str) -> Value {
    let mut out = json!({
        "conditions": render_conditions(&status.conditions, previous, now),
        "listeners": render_listeners(&status.listeners, previous, now),
    });
    if !status.addresses.is_empty() {
        out["addresses"] = Value::Array(
            status
                .addresses
                .iter()
                .map(|a| json!({"type": "Hostname", "value": a}))
                .collect(),
        );
    }
    if let Some(n) = status.attached_listener_sets {
        out["attachedListenerSets"] = json!(n);
    }
    out
}

/// `.status` of a ListenerSet: its conditions and its listeners' (ListenerEntryStatus, the
/// shape of a Gateway's listener status).
pub fn render_listener_set(
    status: &ListenerSetStatus,
    previous: Option<&Value>,
    now: &str,
) -> Value {
    json!({
        "conditions": render_conditions(&status.conditions, previous, now),
        "listeners": render_listeners(&status.listeners, previous, now),
    })
}

/// `status.listeners` of a Gateway or ListenerSet; each listener keeps the transition times
/// of its unchanged conditions from its previous entry of the same name.
fn render_listeners(listeners: &[ListenerStatus], previous: Option<&Value>, now: &str) -> Value {
    let previous_listeners = previous_entries(previous, "listeners");
    listeners
        .iter()
        .map(|l| {
            let prev = previous_listeners
                .iter()
                .find(|p| p.get("name").and_then(Value::as_str) == Some(l.name.as_str()));
            json!({
                "name": l.name,
                "supportedKinds": l.supported_kinds.iter()
                    .map(|k| json!({"group": gantry_api::gateway::GROUP, "kind": k.as_str()}))
                    .collect::<Vec<_>>(),
                "attachedRoutes": l.attached_routes,
                "conditions": render_conditions(&l.conditions, prev, now),
            })
        })
        .collect()
}

/// This controller's `status.parents` entries of a route, rendered.
pub fn render_route_parents(
    status: &RouteStatus,
    previous: Option<&Value>,
    now: &str,
) -> Vec<Value> {
    let previous_parents = previous_entries(previous, "parents");
    status
        .parents
        .iter()
        .map(|p| {
            let parent_ref = serde_json::to_value(&p.parent_ref).unwrap_or(Value::Null);
            let prev = previous_parents.iter().find(|e| {
                e.get("controllerName").and_then(Value::as_str) == Some(p.controller_name)
                    && e.get("parentRef") == Some(&parent_ref)
            });
            json!({
                "parentRef": parent_ref,
                "controllerName": p.controller_name,
                "conditions": render_conditions(&p.conditions, prev, now),
            })
        })
        .collect()
}

/// Like [`merge_route_parents`], for a writer that owns only the entries for one Gateway
/// (`gateway_namespace/gateway_name`, a route in `route_namespace`): our entries for other
/// Gateways are kept as they are, ours for this Gateway are replaced by those of `rendered`
/// that name it. Each Gateway's reconcile then writes its own entries, and two Gateways
/// sharing a route never take each other's out.
pub fn merge_route_parents_for_gateway(
    previous: Option<&Value>,
    ours: &[&str],
    route_namespace: &str,
    gateway: (&str, &str),
    rendered: Vec<Value>,
) -> Value {
    merge_route_parents_for_parents(
        previous,
        ours,
        route_namespace,
        |kind, namespace, name| kind == "Gateway" && (namespace, name) == gateway,
        rendered,
    )
}

/// Like [`merge_route_parents_for_gateway`], for a writer that owns the entries of every
/// parent `owns(kind, namespace, name)` says yes to (a Gateway and its ListenerSets): our
/// entries for those parents are replaced by those of `rendered` that name one of them; every
/// other entry is kept as it is. Parents outside the Gateway API group are never owned.
pub fn merge_route_parents_for_parents(
    previous: Option<&Value>,
    ours: &[&str],
    route_namespace: &str,
    owns: impl Fn(&str, &str, &str) -> bool,
    rendered: Vec<Value>,
) -> Value {
    let owned = |entry: &Value| {
        let r = &entry["parentRef"];
        let group = r["group"].as_str().unwrap_or("gateway.networking.k8s.io");
        let kind = r["kind"].as_str().unwrap_or("Gateway");
        let namespace = r["namespace"].as_str().unwrap_or(route_namespace);
        group == "gateway.networking.k8s.io"
            && owns(kind, namespace, r["name"].as_str().unwrap_or_default())
    };
    replace_our_parents(previous, ours, owned, rendered)
}

/// A route's full `.status`: the entries of other controllers are kept as they are (the
/// `parents` list is atomic, so whoever writes it must carry theirs along); this controller's
/// entries — those whose `controllerName` is in `ours` — are replaced by `rendered`.
pub fn merge_route_parents(previous: Option<&Value>, ours: &[&str], rendered: Vec<Value>) -> Value {
    replace_our_parents(previous, ours, |_| true, rendered)
}

/// `previous` with, in `status.parents`, our entries (by `controllerName`) for the parents
/// `owned` says yes to replaced by the entries of `rendered` for those parents.
fn replace_our_parents(
    previous: Option<&Value>,
    ours: &[&str],
    owned: impl Fn(&Value) -> bool,
    rendered: Vec<Value>,
) -> Value {
    let is_ours = |entry: &Value| {
        entry
            .get("controllerName")
            .and_then(Value::as_str)
            .is_some_and(|c| ours.contains(&c))
    };
    let mut parents: Vec<Value> = previous_entries(previous, "parents")
        .iter()
        .filter(|e| !(is_ours(e) && owned(e)))
        .cloned()
        .collect();
    parents.extend(rendered.into_iter().filter(|e| owned(e)));
    let mut out = previous.cloned().unwrap_or_else(|| json!({}));
    out["parents"] = Value::Array(parents);
    out
}
