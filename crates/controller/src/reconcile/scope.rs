//! The part of the cluster one Gateway's reconcile translates: the Gateway, the routes that
//! name it (in their spec, or in a status entry that may have to go), the Gateways those
//! routes send traffic to (chaining), and the shared kinds lookups read (classes, Services,
//! grants, namespaces, configurations, Secrets). Translating the whole cluster for every
//! Gateway would cost time and memory in proportion to the cluster, per reconcile.
//!
//! What translation computes for the Gateway does not depend on other Gateways' routes:
//! listeners, attachment, precedence and limits are per Gateway. A GatewayClass's status
//! reads even less (`Stores::class_snapshot`).

use crate::kinds::RouteObject;
use gantry_snapshot::{ObjectKey, Objects, Snapshot};

/// Narrows `snapshot` to what the translation of Gateway `gateway` reads.
pub fn gateway_scope(mut snapshot: Snapshot, gateway: &ObjectKey) -> Snapshot {
    keep_routes_of(&mut snapshot.http_routes, gateway);
    keep_routes_of(&mut snapshot.grpc_routes, gateway);
    keep_routes_of(&mut snapshot.tcp_routes, gateway);
    keep_routes_of(&mut snapshot.udp_routes, gateway);
    keep_routes_of(&mut snapshot.tls_routes, gateway);
    // A chained NLB reads the ALB Gateways its TCPRoutes name as backends.
    let backends: Vec<ObjectKey> = snapshot
        .tcp_routes
        .iter()
        .flat_map(|(k, r)| {
            r.spec
                .rules
                .iter()
                .flat_map(|rule| rule.backend_refs.iter())
                .filter(|b| b.kind.as_deref() == Some("Gateway"))
                .map(|b| {
                    ObjectKey::new(
                        b.namespace.clone().unwrap_or_else(|| k.namespace.clone()),
                        b.name.clone(),
                    )
                })
        })
        .collect();
    snapshot
        .gateways
        .retain(|k, _| k == gateway || backends.contains(k));
    snapshot
}

fn keep_routes_of<K: RouteObject>(routes: &mut Objects<K>, gateway: &ObjectKey) {
    routes.retain(|_, r| r.parent_gateways().contains(gateway));
}
