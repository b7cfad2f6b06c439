//! A reproducible generator of realistic clusters: ALB and NLB Gateways (some NLBs chained to
//! ALBs), HTTPRoutes with several rules and matches, hostnames, header and query matches,
//! weighted backends, Services with EndpointSlices, and ReferenceGrants across namespaces.

use gantry_snapshot::{ObjectKey, Snapshot};
use serde_json::{Value, json};
use std::sync::Arc;

/// How big a cluster to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    pub gateways: usize,
    pub routes_per_gateway: usize,
    pub services: usize,
    pub endpoints_per_service: usize,
}

impl Size {
    pub const SMALL: Size = Size {
        gateways: 1,
        routes_per_gateway: 10,
        services: 20,
        endpoints_per_service: 3,
    };
    pub const MEDIUM: Size = Size {
        gateways: 20,
        routes_per_gateway: 100,
        services: 500,
        endpoints_per_service: 20,
    };
    pub const LARGE: Size = Size {
        gateways: 200,
        routes_per_gateway: 100,
        services: 5_000,
        endpoints_per_service: 20,
    };

    /// Four times [`Size::LARGE`] in every dimension but the routes per Gateway (so four times
    /// the routes too): the benchmark's check that memory grows linearly.
    pub const LARGE_X4: Size = Size {
        gateways: 800,
        routes_per_gateway: 100,
        services: 20_000,
        endpoints_per_service: 20,
    };

    pub fn routes(&self) -> usize {
        self.gateways * self.routes_per_gateway
    }
}

/// xorshift64*: small, fast and good enough to vary a workload; the same seed always gives
/// the same cluster.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

/// Namespaces the workload spreads over.
const NAMESPACES: usize = 20;

fn ns(i: usize) -> String {
    format!("team-{:02}", i % NAMESPACES)
}

fn typed<T: serde::de::DeserializeOwned>(v: Value) -> Arc<T> {
    Arc::new(serde_json::from_value(v).expect("generated objects match their schema"))
}

/// Every 10th Gateway is an NLB; every other NLB is chained to the ALB before it.
pub fn is_nlb(gateway: usize) -> bool {
    gateway % 10 == 9
}

/// Generates a cluster of `size` from `seed`.
pub fn generate(size: Size, seed: u64) -> Snapshot {
    let mut rng = Rng::new(seed);
    let mut s = Snapshot::default();
    for (name, controller) in [
        ("alb", "gateway.k8s.aws/alb"),
        ("nlb", "gateway.k8s.aws/nlb"),
    ] {
        s.gateway_classes.insert(
            ObjectKey::cluster(name),
            typed(json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
                "metadata": {"name": name, "generation": 1}, "spec": {"controllerName": controller}})),
        );
    }
    for n in 0..NAMESPACES {
        let name = ns(n);
        s.namespaces.insert(
            ObjectKey::cluster(&name),
            typed(json!({"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": name, "labels": {"gateway-access": if n % 2 == 0 { "shared" } else { "private" }}}})),
        );
        // Each namespace lets HTTPRoutes of the next one reach its Services.
        s.reference_grants.insert(
            ObjectKey::new(&name, "allow-neighbour"),
            typed(json!({"apiVersion": "gateway.networking.k8s.io/v1beta1", "kind": "ReferenceGrant",
                "metadata": {"name": "allow-neighbour", "namespace": name},
                "spec": {"from": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": ns(n + 1)}],
                         "to": [{"group": "", "kind": "Service"}]}})),
        );
    }
    for i in 0..size.services {
        let namespace = ns(i);
        let name = format!("svc-{i}");
        s.services.insert(
            ObjectKey::new(&namespace, &name),
            typed(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": namespace},
                "spec": {"type": "NodePort", "ports": [{"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30000 + (i % 2000)}]}})),
        );
        let endpoints: Vec<Value> = (0..size.endpoints_per_service)
            .map(|e| {
                json!({"addresses": [format!("10.{}.{}.{}", i / 250 % 250, i % 250, e % 250)],
                             "conditions": {"ready": rng.chance(95)}})
            })
            .collect();
        let slice = format!("{name}-abc12");
        s.endpoint_slices.insert(
            ObjectKey::new(&namespace, &slice),
            typed(json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": {"name": slice, "namespace": namespace, "labels": {"kubernetes.io/service-name": name}},
                "addressType": "IPv4", "endpoints": endpoints, "ports": [{"name": "http", "port": 8080}]})),
        );
    }
    for g in 0..size.gateways {
        let namespace = ns(g);
        let name = format!("gw-{g}");
        if is_nlb(g) {
            s.gateways.insert(
                ObjectKey::new(&namespace, &name),
                typed(json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
                    "metadata": {"name": name, "namespace": namespace, "generation": 1},
                    "spec": {"gatewayClassName": "nlb", "listeners": [{"name": "tcp", "protocol": "TCP", "port": 80}]}})),
            );
            let target = if g % 20 == 19 {
                // Chained: forward to the ALB Gateway before this one.
                json!({"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": format!("gw-{}", g - 1),
                       "namespace": ns(g - 1), "port": 80})
            } else {
                json!({"name": format!("svc-{}", (g * 7) % size.services.max(1)), "port": 80})
            };
            let route = format!("tcp-{g}");
            if g % 20 == 19 && ns(g - 1) != namespace {
                s.reference_grants.insert(
                    ObjectKey::new(ns(g - 1), format!("chain-{g}")),
                    typed(json!({"apiVersion": "gateway.networking.k8s.io/v1beta1", "kind": "ReferenceGrant",
                        "metadata": {"name": format!("chain-{g}"), "namespace": ns(g - 1)},
                        "spec": {"from": [{"group": "gateway.networking.k8s.io", "kind": "TCPRoute", "namespace": namespace}],
                                 "to": [{"group": "gateway.networking.k8s.io", "kind": "Gateway"}]}})),
                );
            }
            s.tcp_routes.insert(
                ObjectKey::new(&namespace, &route),
                typed(json!({"apiVersion": "gateway.networking.k8s.io/v1alpha2", "kind": "TCPRoute",
                    "metadata": {"name": route, "namespace": namespace, "generation": 1},
                    "spec": {"parentRefs": [{"name": name}], "rules": [{"backendRefs": [target]}]}})),
            );
            continue;
        }
        s.gateways.insert(
            ObjectKey::new(&namespace, &name),
            typed(json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
                "metadata": {"name": name, "namespace": namespace, "generation": 1},
                "spec": {"gatewayClassName": "alb", "listeners": [
                    {"name": "http", "protocol": "HTTP", "port": 80, "allowedRoutes": {"namespaces": {"from": "All"}}},
                    {"name": "internal", "protocol": "HTTP", "port": 8080, "hostname": "*.internal.example.com",
                     "allowedRoutes": {"namespaces": {"from": "Selector", "selector": {"matchLabels": {"gateway-access": "shared"}}}}}]}})),
        );
        for r in 0..size.routes_per_gateway {
            let route_ns = ns(g + r % 3);
            let route = format!("route-{g}-{r}");
            s.http_routes.insert(
                ObjectKey::new(&route_ns, &route),
                typed(http_route(
                    &mut rng, size, g, r, &route_ns, &route, &namespace, &name,
                )),
            );
        }
    }
    s
}

#[allow(clippy::too_many_arguments)]
fn http_route(
    rng: &mut Rng,
    size: Size,
    g: usize,
    r: usize,
    route_ns: &str,
    route: &str,
    gw_ns: &str,
    gw: &str,
) -> Value {
    let hostnames: Vec<String> = (0..1 + rng.below(2))
        .map(|h| {
            if rng.chance(30) {
                format!("app{r}-{h}.internal.example.com")
            } else {
                format!("app{r}-{h}.example.com")
            }
        })
        .collect();
    let rules: Vec<Value> = (0..2 + rng.below(3))
        .map(|k| {
            let matches: Vec<Value> = (0..1 + rng.below(2))
                .map(|m| {
                    let mut mv = json!({"path": {"type": if rng.chance(25) { "Exact" } else { "PathPrefix" }, "value": format!("/api/v{k}/s{m}")}});
                    if rng.chance(30) {
                        mv["headers"] = json!([{"name": "x-tenant", "value": format!("t{}", rng.below(9))}]);
                    }
                    if rng.chance(20) {
                        mv["queryParams"] = json!([{"name": "canary", "value": "true"}]);
                    }
                    if rng.chance(15) {
                        mv["method"] = json!("GET");
                    }
                    mv
                })
                .collect();
            // Backends in the route's own namespace, sometimes one in the neighbour namespace
            // (allowed by a ReferenceGrant) for a weighted split.
            let own = svc_in(size, route_ns, rng);
            let mut backends = vec![json!({"name": own, "port": 80, "weight": 90})];
            if rng.chance(40) {
                let neighbour_ns = ns(ns_index(route_ns) + NAMESPACES - 1);
                backends.push(json!({"name": svc_in(size, &neighbour_ns, rng), "namespace": neighbour_ns, "port": 80, "weight": 10}));
            }
            json!({"matches": matches, "backendRefs": backends})
        })
        .collect();
    let _ = g;
    json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": route, "namespace": route_ns, "generation": 1,
                     "creationTimestamp": format!("2026-01-01T00:{:02}:{:02}Z", r / 60 % 60, r % 60)},
        "spec": {"parentRefs": [{"name": gw, "namespace": gw_ns}], "hostnames": hostnames, "rules": rules}})
}

fn ns_index(namespace: &str) -> usize {
    namespace.trim_start_matches("team-").parse().unwrap_or(0)
}

/// A Service that lives in `namespace` (services are spread round-robin over namespaces, so
/// sizes need at least one Service per namespace).
fn svc_in(size: Size, namespace: &str, rng: &mut Rng) -> String {
    assert!(
        size.services >= NAMESPACES,
        "workloads need at least {NAMESPACES} Services"
    );
    let n = ns_index(namespace);
    let per_ns = size.services.div_ceil(NAMESPACES);
    let mut i = rng.below(per_ns) * NAMESPACES + n;
    while i >= size.services {
        i -= NAMESPACES;
    }
    format!("svc-{i}")
}

/// A fixed-shape cluster: `gateways` ALB Gateways, each with `routes` HTTPRoutes of `rules`
/// rules × `matches` matches (path prefix + header) and a weighted pair of backends.
pub fn fixed_shape(gateways: usize, routes: usize, rules: usize, matches: usize) -> Snapshot {
    let mut s = generate(
        Size {
            gateways: 0,
            routes_per_gateway: 0,
            services: NAMESPACES,
            endpoints_per_service: 1,
        },
        1,
    );
    s.http_routes.clear();
    for g in 0..gateways {
        let namespace = ns(g);
        let name = format!("gw-{g}");
        s.gateways.insert(
            ObjectKey::new(&namespace, &name),
            typed(json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
                "metadata": {"name": name, "namespace": namespace, "generation": 1},
                "spec": {"gatewayClassName": "alb", "listeners": [{"name": "http", "protocol": "HTTP", "port": 80}]}})),
        );
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
    let mut s = generate(
        Size {
            gateways: 0,
            routes_per_gateway: 0,
            services: NAMESPACES,
            endpoints_per_service: 1,
        },
        1,
    );
    for g in 0..gateways {
        let namespace = ns(g);
        let name = format!("gw-{g}");
        s.gateways.insert(
            ObjectKey::new(&namespace, &name),
            typed(json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
                "metadata": {"name": name, "namespace": namespace, "generation": 1},
                "spec": {"gatewayClassName": "alb", "listeners": [{"name": "http", "protocol": "HTTP", "port": 80}]}})),
        );
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
    let mut out = s.clone();
    let key = ObjectKey::new(ns(0), format!("route-{r}"));
    if let Some(route) = s.http_routes.get(&key) {
        let mut v = serde_json::to_value(route.as_ref()).expect("serializable");
        if let Some(w) = v.pointer_mut("/spec/rules/0/backendRefs/0/weight") {
            *w = json!(weight);
        }
        out.http_routes.insert(key, typed(v));
    }
    out
}

/// The same cluster with one route changed (a backend weight), for incremental timing.
pub fn with_one_route_changed(s: &Snapshot) -> Snapshot {
    let mut out = s.clone();
    if let Some((key, route)) = s.http_routes.iter().next() {
        let mut v = serde_json::to_value(route.as_ref()).expect("serializable");
        if let Some(w) = v.pointer_mut("/spec/rules/0/backendRefs/0/weight") {
            *w = json!(50);
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

    #[test]
    fn the_same_seed_gives_the_same_cluster_and_it_translates_cleanly() {
        let a = generate(Size::SMALL, 7);
        let b = generate(Size::SMALL, 7);
        let ta = serde_json::to_string(&gantry_translate::translate(
            &a,
            &gantry_translate::Settings::new("b"),
        ))
        .unwrap();
        let tb = serde_json::to_string(&gantry_translate::translate(
            &b,
            &gantry_translate::Settings::new("b"),
        ))
        .unwrap();
        assert_eq!(ta, tb);
        assert_eq!(a.http_routes.len(), Size::SMALL.routes());
        let t = gantry_translate::translate(&a, &gantry_translate::Settings::new("b"));
        assert_eq!(t.stacks.len(), 1);
        // Every generated route attaches and resolves its backends.
        for (key, status) in &t.statuses.routes {
            for p in &status.parents {
                assert!(
                    p.conditions
                        .iter()
                        .all(|c| c.status == "True" || c.kind == "PartiallyInvalid"),
                    "{key:?}: {:?}",
                    p.conditions
                );
            }
        }
    }
}
