//! The part of the cluster one Gateway's reconcile translates: the Gateway, the routes that
//! name it (in their spec, or in a status entry that may have to go), the Gateways those
//! routes send traffic to (chaining), and the shared kinds lookups read (classes, Services,
//! grants, namespaces, configurations, Secrets). Translating the whole cluster for every
//! Gateway would cost time and memory in proportion to the cluster, per reconcile.
//!
//! ListenerSets are all kept (few, and translation picks those naming the Gateway); routes
//! naming one of the Gateway's ListenerSets are kept as the Gateway's own.
//!
//! What translation computes for the Gateway does not depend on other Gateways' routes:
//! listeners, attachment, precedence and limits are per Gateway. A GatewayClass's status
//! reads even less (`Stores::class_snapshot`).

use crate::kinds::RouteObject;
use gantry_snapshot::{ObjectKey, Objects, Snapshot};

/// Narrows `snapshot` to what the translation of Gateway `gateway` reads.
/// `listener_sets`: the `GatewayListenerSet` gate.
pub fn gateway_scope(mut snapshot: Snapshot, gateway: &ObjectKey, listener_sets: bool) -> Snapshot {
    let sets = std::mem::take(&mut snapshot.listener_sets);
    let view = Snapshot {
        listener_sets: sets,
        ..Snapshot::default()
    };
    keep_routes_of(&mut snapshot.http_routes, &view, gateway, listener_sets);
    keep_routes_of(&mut snapshot.grpc_routes, &view, gateway, listener_sets);
    keep_routes_of(&mut snapshot.tcp_routes, &view, gateway, listener_sets);
    keep_routes_of(&mut snapshot.udp_routes, &view, gateway, listener_sets);
    keep_routes_of(&mut snapshot.tls_routes, &view, gateway, listener_sets);
    snapshot.listener_sets = view.listener_sets;
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

fn keep_routes_of<K: RouteObject>(
    routes: &mut Objects<K>,
    snapshot: &Snapshot,
    gateway: &ObjectKey,
    listener_sets: bool,
) {
    routes.retain(|_, r| names(snapshot, gateway, r.as_ref(), listener_sets));
}

/// Whether `route` names `gateway`, or a ListenerSet whose route entries the Gateway's
/// reconcile writes ([`owns_listener_set`]), in its spec or in its status.
pub fn names(
    snapshot: &Snapshot,
    gateway: &ObjectKey,
    route: &impl RouteObject,
    listener_sets: bool,
) -> bool {
    let parents = route.parents();
    parents.gateways.contains(gateway)
        || (listener_sets
            && parents
                .listener_sets
                .iter()
                .any(|s| owns_listener_set(snapshot, gateway, s)))
}

/// Whether the reconcile of `gateway` writes the route entries naming ListenerSet `set`: the
/// ListenerSet names the Gateway, or it is gone (then nothing says whose it was, and its
/// entries of ours must go). Only with the `GatewayListenerSet` gate on: off, no ListenerSet
/// is cached and none is owned.
pub fn owns_listener_set(snapshot: &Snapshot, gateway: &ObjectKey, set: &ObjectKey) -> bool {
    match snapshot.listener_sets.get(set) {
        Some(s) => gantry_gateway::listener_sets::parent_of(set, s).as_ref() == Some(gateway),
        None => true,
    }
}
