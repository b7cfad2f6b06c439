//! The Gateway API objects of a snapshot, each with the `.status` the ALB/NLB translation
//! would write.

use gantry_gateway::routes::RouteKind;
use gantry_gateway::status::{
    merge_route_parents, render_gateway, render_gateway_class, render_listener_set,
    render_route_parents,
};
use gantry_snapshot::{ObjectKey, Objects, Snapshot};
use gantry_translate::Translation;
use serde::Serialize;
use serde_json::Value;

/// Every GatewayClass, Gateway, ListenerSet and route of `snapshot`, with the status of `t` rendered at
/// `now` (routes keep the entries of other controllers).
pub fn with_status(snapshot: &Snapshot, t: &Translation, now: &str) -> Vec<Value> {
    let mut objects = Vec::new();
    for (key, class) in &snapshot.gateway_classes {
        let mut v = to_value(class.as_ref());
        if let Some(s) = t.statuses.gateway_classes.get(&key.name) {
            let rendered =
                render_gateway_class(s, class.status.as_ref().map(to_value).as_ref(), now);
            v["status"] = rendered;
        }
        objects.push(v);
    }
    for (key, gw) in &snapshot.gateways {
        let mut v = to_value(gw.as_ref());
        if let Some(s) = t.statuses.gateways.get(key) {
            v["status"] = render_gateway(s, gw.status.as_ref().map(to_value).as_ref(), now);
        }
        objects.push(v);
    }
    for (key, set) in &snapshot.listener_sets {
        let mut v = to_value(set.as_ref());
        if let Some(s) = t.statuses.listener_sets.get(key) {
            v["status"] = render_listener_set(s, set.status.as_ref().map(to_value).as_ref(), now);
        }
        objects.push(v);
    }
    routes(&mut objects, t, RouteKind::Http, &snapshot.http_routes, now);
    routes(&mut objects, t, RouteKind::Grpc, &snapshot.grpc_routes, now);
    routes(&mut objects, t, RouteKind::Tcp, &snapshot.tcp_routes, now);
    routes(&mut objects, t, RouteKind::Udp, &snapshot.udp_routes, now);
    routes(&mut objects, t, RouteKind::Tls, &snapshot.tls_routes, now);
    objects
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

const OURS: [&str; 2] = [
    gantry_api::wire::ALB_CONTROLLER_NAME,
    gantry_api::wire::NLB_CONTROLLER_NAME,
];

fn routes<K>(
    objects: &mut Vec<Value>,
    t: &Translation,
    kind: RouteKind,
    list: &Objects<K>,
    now: &str,
) where
    K: Serialize,
{
    for (key, route) in list {
        let mut v = to_value(route.as_ref());
        let previous = v.get("status").cloned();
        let ours = t.statuses.routes.get(&(kind, ObjectKey::clone(key)));
        let rendered = ours
            .map(|s| render_route_parents(s, previous.as_ref(), now))
            .unwrap_or_default();
        if ours.is_some() || previous.is_some() {
            v["status"] = merge_route_parents(previous.as_ref(), &OURS, rendered);
        }
        objects.push(v);
    }
}
