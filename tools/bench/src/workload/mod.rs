//! A reproducible generator of realistic clusters: ALB and NLB Gateways (some NLBs chained to
//! ALBs), HTTPRoutes with several rules and matches, hostnames, header and query matches,
//! weighted backends, Services with EndpointSlices, and ReferenceGrants across namespaces.

use gantry_snapshot::{ObjectKey, Snapshot};
use serde_json::{Value, json};
use std::sync::Arc;

mod fixed;

pub use fixed::{
    fixed_shape, gateway_with_routes, gateways_with_routes, one_gateway, with_one_route_changed,
    with_route, with_weight,
};

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

#[cfg(test)]
mod tests {
    use super::*;

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
