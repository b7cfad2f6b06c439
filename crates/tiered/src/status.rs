//! Statuses of the user's objects: the tiered GatewayClass, the user's Gateway and its
//! listeners (gantry's own conditions, reusing translate's types and renderers), and the user's
//! routes, whose conditions are mirrored from the in-cluster controller's status of their
//! shadow copies.

use crate::TieredPlan;
use crate::names::CONTROLLER_NAME;
use crate::observed::route_json;
use gantry_gateway::routes::{OriginalParentRef, RouteKind};
use gantry_gateway::status::reasons::{ACCEPTED, RESOLVED_REFS, Reason};
use gantry_gateway::status::render_condition;
pub use gantry_gateway::status::{
    Condition, GatewayClassStatus, GatewayStatus, ListenerStatus, merge_route_parents,
    render_gateway, render_gateway_class,
};
use gantry_snapshot::{ObjectKey, Snapshot};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// A condition of a user route. Owned strings: mirrored conditions carry the in-cluster
/// controller's reasons, which are not gantry's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteCondition {
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    pub reason: String,
    pub message: String,
    pub observed_generation: i64,
}

impl From<Condition> for RouteCondition {
    fn from(c: Condition) -> Self {
        RouteCondition {
            kind: c.kind.to_string(),
            status: c.status.to_string(),
            reason: c.reason.to_string(),
            message: c.message,
            observed_generation: c.observed_generation,
        }
    }
}

/// gantry's entry for one parentRef of a user route.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteParentStatus {
    pub parent_ref: OriginalParentRef,
    pub conditions: Vec<RouteCondition>,
}

/// Every status the tiered plan computed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TieredStatuses {
    pub gateway_classes: BTreeMap<String, GatewayClassStatus>,
    pub gateways: BTreeMap<ObjectKey, GatewayStatus>,
    /// gantry's `status.parents` entries of each user route, in parentRef order.
    pub routes: BTreeMap<(RouteKind, ObjectKey), Vec<RouteParentStatus>>,
}

/// Serialized with string keys (`ns/name`, `<Kind> ns/name`), as JSON and YAML maps need.
impl Serialize for TieredStatuses {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let gateways: BTreeMap<String, &GatewayStatus> = self
            .gateways
            .iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let routes: BTreeMap<String, &Vec<RouteParentStatus>> = self
            .routes
            .iter()
            .map(|((kind, key), v)| (format!("{kind} {key}"), v))
            .collect();
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("gatewayClasses", &self.gateway_classes)?;
        m.serialize_entry("gateways", &gateways)?;
        m.serialize_entry("routes", &routes)?;
        m.end()
    }
}

/// The entry of a parentRef whose shadow has not been reported on yet.
pub(crate) fn route_pending(generation: i64, message: &str) -> Vec<RouteCondition> {
    [ACCEPTED, RESOLVED_REFS]
        .into_iter()
        .map(|kind| {
            Condition::unknown(kind, Reason::Pending, message)
                .at(generation)
                .into()
        })
        .collect()
}

/// The entry of a parentRef gantry refuses.
pub(crate) fn route_refused(
    generation: i64,
    reason: Reason,
    message: String,
) -> Vec<RouteCondition> {
    vec![
        Condition::new(ACCEPTED, false, reason, message)
            .at(generation)
            .into(),
        Condition::new(
            RESOLVED_REFS,
            true,
            Reason::ResolvedRefs,
            "References were not checked: the parentRef is refused",
        )
        .at(generation)
        .into(),
    ]
}

/// The conditions the in-cluster controller wrote for the shadow parentRef `shadow_ref` in
/// the shadow route's `status` (as JSON), restamped with the user route's generation.
/// `None` when it has not written them for the shadow's current generation yet.
pub(crate) fn mirror_route_parent(
    shadow_status: Option<&Value>,
    shadow_generation: Option<i64>,
    shadow_ref: &Value,
    user_generation: i64,
) -> Option<Vec<RouteCondition>> {
    let parents = shadow_status?.get("parents")?.as_array()?;
    let entry = parents.iter().find(|p| {
        p.get("parentRef")
            .is_some_and(|r| same_parent_ref(r, shadow_ref))
            && p.get("controllerName").and_then(Value::as_str) != Some(CONTROLLER_NAME)
    })?;
    let conditions = entry.get("conditions")?.as_array()?;
    let current = |c: &Value| {
        shadow_generation.is_none_or(|g| {
            c.get("observedGeneration")
                .and_then(Value::as_i64)
                .is_none_or(|o| o == g)
        })
    };
    if conditions.is_empty() || !conditions.iter().all(current) {
        return None;
    }
    let field = |c: &Value, k: &str| {
        c.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Some(
        conditions
            .iter()
            .map(|c| RouteCondition {
                kind: field(c, "type"),
                status: field(c, "status"),
                reason: field(c, "reason"),
                message: field(c, "message"),
                observed_generation: user_generation,
            })
            .collect(),
    )
}

/// parentRefs compare with their defaults applied (the API server may have filled them in).
fn same_parent_ref(a: &Value, b: &Value) -> bool {
    let get = |v: &Value, k: &str, default: &str| -> String {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string()
    };
    get(a, "group", gantry_api::gateway::GROUP) == get(b, "group", gantry_api::gateway::GROUP)
        && get(a, "kind", "Gateway") == get(b, "kind", "Gateway")
        && get(a, "name", "") == get(b, "name", "")
        && a.get("namespace") == b.get("namespace")
        && a.get("sectionName") == b.get("sectionName")
        && a.get("port") == b.get("port")
}

/// A user route's full `.status`: other controllers' `parents` entries kept as they are,
/// gantry's tiered entries replaced by `parents`. Transition times are kept unless the
/// condition's status changed.
pub fn render_route(parents: &[RouteParentStatus], previous: Option<&Value>, now: &str) -> Value {
    let previous_parents: &[Value] = previous
        .and_then(|p| p.get("parents"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let rendered = parents
        .iter()
        .map(|p| {
            let parent_ref = serde_json::to_value(&p.parent_ref).unwrap_or(Value::Null);
            let prev = previous_parents.iter().find(|e| {
                e.get("controllerName").and_then(Value::as_str) == Some(CONTROLLER_NAME)
                    && e.get("parentRef") == Some(&parent_ref)
            });
            let prev_conditions: &[Value] = prev
                .and_then(|e| e.get("conditions"))
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let conditions: Vec<Value> = p
                .conditions
                .iter()
                .map(|c| {
                    render_condition(
                        &c.kind,
                        &c.status,
                        &c.reason,
                        &c.message,
                        c.observed_generation,
                        prev_conditions,
                        now,
                    )
                })
                .collect();
            json!({
                "parentRef": parent_ref,
                "controllerName": CONTROLLER_NAME,
                "conditions": conditions,
            })
        })
        .collect();
    merge_route_parents(previous, &[CONTROLLER_NAME], rendered)
}

/// The plan as the `tiered` member of `gantry plan`'s document: `{"planned": [{"waitingFor"?,
/// "object"}], "objects": [user objects with status], "problems": [...]}`; `None` when the
/// plan holds nothing tiered.
pub fn document(snapshot: &Snapshot, plan: &TieredPlan, now: &str) -> Option<Value> {
    let objects = objects_with_status(snapshot, plan, now);
    if plan.objects.is_empty() && objects.is_empty() && plan.problems.is_empty() {
        return None;
    }
    Some(json!({
        "planned": plan.objects,
        "objects": objects,
        "problems": plan.problems,
    }))
}

/// The user's objects the plan has a status for (tiered GatewayClasses, Gateways, routes), as
/// JSON with the `.status` gantry would write; `now` stamps changed conditions.
pub fn objects_with_status(snapshot: &Snapshot, plan: &TieredPlan, now: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let previous = |v: &Value| v.get("status").filter(|s| !s.is_null()).cloned();
    for (name, s) in &plan.statuses.gateway_classes {
        if let Some(class) = snapshot
            .gateway_classes
            .get(&ObjectKey::cluster(name.clone()))
        {
            let mut v = serde_json::to_value(class.as_ref()).unwrap_or(Value::Null);
            v["status"] = render_gateway_class(s, previous(&v).as_ref(), now);
            out.push(v);
        }
    }
    for (key, s) in &plan.statuses.gateways {
        if let Some(gw) = snapshot.gateways.get(key) {
            let mut v = serde_json::to_value(gw.as_ref()).unwrap_or(Value::Null);
            v["status"] = render_gateway(s, previous(&v).as_ref(), now);
            out.push(v);
        }
    }
    for ((kind, key), parents) in &plan.statuses.routes {
        if let Some(mut v) = route_json(snapshot, *kind, key) {
            v["status"] = render_route(parents, previous(&v).as_ref(), now);
            out.push(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shadow_status(observed_generation: i64) -> Value {
        json!({"parents": [
            {"parentRef": {"name": "other"}, "controllerName": "istio.io/gateway-controller",
             "conditions": [{"type": "Accepted", "status": "False", "reason": "NoMatchingParent", "message": "x", "observedGeneration": 2}]},
            {"parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "gw-istio", "sectionName": "web"},
             "controllerName": "istio.io/gateway-controller",
             "conditions": [
                {"type": "Accepted", "status": "True", "reason": "Accepted", "message": "Route was valid", "observedGeneration": observed_generation},
                {"type": "ResolvedRefs", "status": "True", "reason": "ResolvedRefs", "message": "All references resolved", "observedGeneration": observed_generation}]},
        ]})
    }

    #[test]
    fn shadow_conditions_are_mirrored_with_the_user_generation() {
        let shadow_ref = json!({"name": "gw-istio", "sectionName": "web"});
        let got = mirror_route_parent(Some(&shadow_status(2)), Some(2), &shadow_ref, 7)
            .expect("reported");
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].kind.as_str(), got[0].status.as_str()),
            ("Accepted", "True")
        );
        assert!(got.iter().all(|c| c.observed_generation == 7));
    }

    #[test]
    fn stale_or_missing_shadow_conditions_are_not_mirrored() {
        let shadow_ref = json!({"name": "gw-istio", "sectionName": "web"});
        assert_eq!(
            mirror_route_parent(Some(&shadow_status(1)), Some(2), &shadow_ref, 7),
            None
        );
        assert_eq!(mirror_route_parent(None, Some(2), &shadow_ref, 7), None);
        let other_section = json!({"name": "gw-istio", "sectionName": "tls"});
        assert_eq!(
            mirror_route_parent(Some(&shadow_status(2)), Some(2), &other_section, 7),
            None
        );
    }

    #[test]
    fn rendering_keeps_other_controllers_entries_and_unchanged_transition_times() {
        let parent_ref = OriginalParentRef {
            group: None,
            kind: None,
            name: "gw".into(),
            namespace: None,
            port: None,
            section_name: None,
        };
        let parents = vec![RouteParentStatus {
            parent_ref,
            conditions: route_pending(3, "waiting"),
        }];
        let first = render_route(&parents, None, "T1");
        let with_other = {
            let mut v = first.clone();
            v["parents"]
                .as_array_mut()
                .expect("list")
                .push(json!({"controllerName": "other", "parentRef": {"name": "x"}}));
            v
        };
        let second = render_route(&parents, Some(&with_other), "T2");
        assert_eq!(second["parents"].as_array().map(Vec::len), Some(2));
        let ours = second["parents"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["controllerName"] == CONTROLLER_NAME))
            .expect("ours");
        assert_eq!(ours["conditions"][0]["lastTransitionTime"], "T1");
    }
}
