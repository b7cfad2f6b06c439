//! The plan document: `{"stacks": [...], "objects": [...]}`.

use gantry_model::Stack;
use gantry_snapshot::{ObjectKey, Objects, Snapshot};
use gantry_translate::Translation;
use gantry_translate::routes::RouteKind;
use gantry_translate::status::{
    merge_route_parents, render_gateway, render_gateway_class, render_route_parents,
};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
pub struct Plan<'t> {
    pub stacks: &'t [Stack],
    /// The Gateway API objects of the input, each with the `.status` gantry would write.
    pub objects: Vec<Value>,
    /// Things worth knowing that are not a status (or that no status can carry).
    pub problems: &'t [gantry_translate::Problem],
}

impl<'t> Plan<'t> {
    pub fn build(snapshot: &Snapshot, t: &'t Translation, now: &str) -> Plan<'t> {
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
        routes(&mut objects, t, RouteKind::Http, &snapshot.http_routes, now);
        routes(&mut objects, t, RouteKind::Grpc, &snapshot.grpc_routes, now);
        routes(&mut objects, t, RouteKind::Tcp, &snapshot.tcp_routes, now);
        routes(&mut objects, t, RouteKind::Udp, &snapshot.udp_routes, now);
        routes(&mut objects, t, RouteKind::Tls, &snapshot.tls_routes, now);
        Plan {
            stacks: &t.stacks,
            objects,
            problems: &t.problems,
        }
    }
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
