//! Fixed-shape clusters for the translation and AWS-call benchmarks, and the one-change
//! variants they compare against.

use super::{NAMESPACES, Size, generate, ns, typed};
use gantry_snapshot::{ObjectKey, Snapshot};
use serde_json::{Value, json};

/// A fixed-shape cluster: `gateways` ALB Gateways, each with `routes` HTTPRoutes of `rules`
/// rules × `matches` matches (path prefix + header) and a weighted pair of backends.
pub fn fixed_shape(gateways: usize, routes: usize, rules: usize, matches: usize) -> Snapshot {
    let mut s = services_only();
    s.http_routes.clear();
    for g in 0..gateways {
        let (namespace, name) = add_alb_gateway(&mut s, g);
        let svc = format!("svc-{}", g % NAMESPACES);
        for r in 0..routes {
            let rules: Vec<Value> = (0..rules)
                .map(|k| {
                    let ms: Vec<Value> = (0..matches)
                        .map(|m| json!({"path": {"type": "PathPrefix", "value": format!("/r{r}/k{k}/m{m}")},
                                        "headers": [{"name": "x-v", "value": format!("{m}")}]}))
                        .collect();
                    json!({"matches": ms, "backendRefs": [{"name": svc, "port": 80, "weight": 80}, {"name": svc, "port": 80, "weight": 20}]})
                })
                .collect();
            // Unique per Gateway: several Gateways share a namespace.
            let route = format!("route-{g}-{r}");
            s.http_routes.insert(
                ObjectKey::new(&namespace, &route),
                typed(json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
                    "metadata": {"name": route, "namespace": namespace, "generation": 1},
                    "spec": {"parentRefs": [{"name": name}], "hostnames": [format!("h{r}.example.com")], "rules": rules}})),
            );
        }
    }
    s
}

/// The AWS-calls benchmark's cluster: one ALB Gateway (`team-00/gw-0`, HTTP on 80) with
/// `routes` HTTPRoutes; see [`gateways_with_routes`].
pub fn gateway_with_routes(routes: usize) -> Snapshot {
    gateways_with_routes(1, routes)
}

/// `gateways` ALB Gateways (`team-0g/gw-g`, HTTP on 80), each with `routes` HTTPRoutes of one
/// rule × one match (path prefix and a header) in its namespace. Route `r` sends 90 % to its
/// own Service `app-r` and 10 % to the next route's, so every route has target groups of its
/// own, as in a real cluster. One rule per route keeps 50 routes within the default quota of
/// 100 rules per ALB.
///
/// Hostnames are of one length (`app-007.example.com`), so that no route outranks another on
/// its hostname, and route `r` was created `r` seconds after the first: a route added with
/// [`with_route`] and a higher number is the newest and, in Gateway API precedence, the last.
pub fn gateways_with_routes(gateways: usize, routes: usize) -> Snapshot {
    let mut s = services_only();
    for g in 0..gateways {
        add_alb_gateway(&mut s, g);
        for r in 0..routes {
            route_on(
                &mut s,
                g,
                r,
                &format!("app-{r:03}.example.com"),
                (r + 1) % routes,
            );
        }
    }
    s
}

/// A cluster of Services only (one per namespace), for the fixed shapes to add Gateways to.
fn services_only() -> Snapshot {
    generate(
        Size {
            gateways: 0,
            routes_per_gateway: 0,
            services: NAMESPACES,
            endpoints_per_service: 1,
        },
        1,
    )
}

/// Adds ALB Gateway `gw-<g>` (HTTP on 80) in namespace [`ns`]`(g)`; returns (namespace, name).
fn add_alb_gateway(s: &mut Snapshot, g: usize) -> (String, String) {
    let namespace = ns(g);
    let name = format!("gw-{g}");
    s.gateways.insert(
        ObjectKey::new(&namespace, &name),
        typed(json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
            "metadata": {"name": name, "namespace": namespace, "generation": 1},
            "spec": {"gatewayClassName": "alb", "listeners": [{"name": "http", "protocol": "HTTP", "port": 80}]}})),
    );
    (namespace, name)
}

/// `s` plus route `route-<r>` (and its Service `app-<r>`) on `team-00/gw-0`, for `host`, with
/// 10 % of its traffic to `app-<canary>`.
pub fn with_route(s: &Snapshot, r: usize, host: &str, canary: usize) -> Snapshot {
    let mut out = s.clone();
    route_on(&mut out, 0, r, host, canary);
    out
}

fn route_on(s: &mut Snapshot, g: usize, r: usize, host: &str, canary: usize) {
    let namespace = ns(g);
    let svc = format!("app-{r}");
    s.services.insert(
        ObjectKey::new(&namespace, &svc),
        typed(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": svc, "namespace": namespace},
            "spec": {"type": "NodePort", "ports": [{"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30000 + r}]}})),
    );
    let route = format!("route-{r}");
    s.http_routes.insert(
        ObjectKey::new(&namespace, &route),
        typed(json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": route, "namespace": namespace, "generation": 1,
                         "creationTimestamp": format!("2026-01-01T{:02}:{:02}:{:02}Z", r / 3600 % 24, r / 60 % 60, r % 60)},
            "spec": {"parentRefs": [{"name": format!("gw-{g}")}], "hostnames": [host],
                "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/api"},
                                        "headers": [{"name": "x-tenant", "value": "blue"}]}],
                           "backendRefs": [{"name": svc, "port": 80, "weight": 90},
                                           {"name": format!("app-{canary}"), "port": 80, "weight": 10}]}]}})),
    );
}

/// `s` with the weight of the first backend of the first rule of `team-00/route-<r>` set.
pub fn with_weight(s: &Snapshot, r: usize, weight: i32) -> Snapshot {
    with_first_weight(s, &ObjectKey::new(ns(0), format!("route-{r}")), weight)
}

/// The same cluster with one route changed (a backend weight), for incremental timing.
pub fn with_one_route_changed(s: &Snapshot) -> Snapshot {
    match s.http_routes.keys().next() {
        Some(key) => with_first_weight(s, key, 50),
        None => s.clone(),
    }
}

/// `s` with the weight of the first backend of the first rule of route `key` set.
fn with_first_weight(s: &Snapshot, key: &ObjectKey, weight: i32) -> Snapshot {
    let mut out = s.clone();
    if let Some(route) = s.http_routes.get(key) {
        let mut v = serde_json::to_value(route.as_ref()).expect("serializable");
        if let Some(w) = v.pointer_mut("/spec/rules/0/backendRefs/0/weight") {
            *w = json!(weight);
        }
        out.http_routes.insert(key.clone(), typed(v));
    }
    out
}

/// Only the objects one Gateway's translation needs: its class, itself, its routes and the
/// Services, grants and namespaces they name — what a controller hands translate for one
/// reconcile.
pub fn one_gateway(s: &Snapshot, gateway: &ObjectKey) -> Snapshot {
    let mut out = Snapshot {
        gateway_classes: s.gateway_classes.clone(),
        namespaces: s.namespaces.clone(),
        reference_grants: s.reference_grants.clone(),
        ..Snapshot::default()
    };
    if let Some(gw) = s.gateways.get(gateway) {
        out.gateways.insert(gateway.clone(), gw.clone());
    }
    for (k, r) in &s.http_routes {
        let parents = r.spec.parent_refs.iter().flatten();
        if parents.into_iter().any(|p| {
            p.name == gateway.name
                && p.namespace.as_deref().unwrap_or(&k.namespace) == gateway.namespace
        }) {
            out.http_routes.insert(k.clone(), r.clone());
            for rule in r.spec.rules.iter().flatten() {
                for b in rule.backend_refs.iter().flatten() {
                    let key = ObjectKey::new(
                        b.namespace.clone().unwrap_or_else(|| k.namespace.clone()),
                        b.name.clone(),
                    );
                    if let Some(svc) = s.services.get(&key) {
                        out.services.insert(key, svc.clone());
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards the benchmark's size: route names once collided across Gateways sharing a
    /// namespace, so the benchmark silently translated a fifth of the routes.
    #[test]
    fn fixed_shape_has_every_route() {
        let s = fixed_shape(100, 5, 1, 1);
        assert_eq!(s.gateways.len(), 100);
        assert_eq!(s.http_routes.len(), 500);
    }

    #[test]
    fn the_aws_workload_adds_its_newest_route_last_and_changes_one_weight() {
        let settings = gantry_translate::Settings::new("b");
        let rules = |s: &Snapshot| {
            let t = gantry_translate::translate(s, &settings);
            assert!(t.problems.is_empty(), "{:?}", t.problems);
            assert_eq!(t.stacks.len(), 1);
            t.stacks[0].listeners[0].rules.clone()
        };
        let base = gateway_with_routes(50);
        let before = rules(&base);
        assert_eq!(before.len(), 50);
        let added = rules(&with_route(&base, 50, "app-050.example.com", 0));
        assert_eq!(added.len(), 51);
        assert_eq!(added[50].source.route, "HTTPRoute team-00/route-50");
        for (a, b) in before.iter().zip(&added) {
            assert_eq!(a.conditions, b.conditions);
        }
        let weighted = rules(&with_weight(&base, 0, 50));
        let changed = before.iter().zip(&weighted).filter(|(a, b)| a != b).count();
        assert_eq!(changed, 1);
    }
}
