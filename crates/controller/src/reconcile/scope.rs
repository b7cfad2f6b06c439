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

use crate::route_parents::RouteIndex;
use crate::stores::{RouteFilter, Stores};
use gantry_snapshot::{ObjectKey, Objects, Snapshot};
use std::collections::BTreeSet;

/// [`gateway_scope`] of the cached cluster, built without decoding the routes of other
/// Gateways or the Services no route of this Gateway sends to (a reconcile's working set
/// then follows its Gateway, not the cluster: the large benchmark cluster has 18,000 routes
/// and 5,000 Services, about 90 of each per Gateway).
pub fn gateway_snapshot(stores: &Stores, gateway: &ObjectKey, listener_sets: bool) -> Snapshot {
    let mut snapshot = stores.base_snapshot();
    stores.add_routes(
        &mut snapshot,
        RouteFilter {
            l4_only: false,
            keep: &|view, r| names(view, gateway, r, listener_sets),
        },
    );
    let mut snapshot = gateway_scope(snapshot, gateway, listener_sets);
    let services = backend_services(&snapshot);
    stores.add_services(&mut snapshot, &services);
    snapshot
}

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
    // Translation reads a Service only as the backend of a route it translates.
    let services = backend_services(&snapshot);
    snapshot.services.retain(|k, _| services.contains(k));
    snapshot
}

/// The Services the routes of `snapshot` name as backends.
fn backend_services(snapshot: &Snapshot) -> BTreeSet<ObjectKey> {
    gantry_gateway::routes::all_routes(snapshot)
        .into_iter()
        .flat_map(|r| r.rules)
        .flat_map(|rule| rule.backend_refs)
        .filter(|b| b.kind == "Service" && (b.group.is_empty() || b.group == "core"))
        .map(|b| ObjectKey::new(b.namespace, b.name))
        .collect()
}

fn keep_routes_of<K>(
    routes: &mut Objects<K>,
    snapshot: &Snapshot,
    gateway: &ObjectKey,
    listener_sets: bool,
) where
    K: crate::kinds::RouteObject + gantry_api::k8s::Resource,
{
    routes.retain(|_, r| {
        names(
            snapshot,
            gateway,
            &RouteIndex::of(r.as_ref()),
            listener_sets,
        )
    });
}

/// Whether a route (`route`: its index) names `gateway`, or a ListenerSet whose route entries
/// the Gateway's reconcile writes ([`owns_listener_set`]), in its spec or in its status.
pub fn names(
    snapshot: &Snapshot,
    gateway: &ObjectKey,
    route: &RouteIndex,
    listener_sets: bool,
) -> bool {
    route.gateways().contains(gateway)
        || (listener_sets
            && route
                .listener_sets()
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

#[cfg(test)]
mod tests {
    use super::*;
    use gantry_testkit::objects::{docs, gateway_class};
    use gantry_testkit::route_builders::{Route, gateway_allowing_sets, listener_set, service};

    /// Gateways `apps/web` and `apps/other`; ListenerSet `team/extra` of `web` and
    /// `team/spare` of `other`; a route on each Gateway, one on each ListenerSet, one on a
    /// ListenerSet that is gone, and one that left `web` (named only in its status). Every
    /// route sends to the Service `echo` of its namespace; `apps/unused` has no route.
    fn cluster() -> String {
        let http = [("http", 80, "HTTP")];
        let on_set = |key, set| Route::http(key).listener_set(set, None);
        docs([
            service("apps/echo", 80),
            service("team/echo", 80),
            service("apps/unused", 80),
            gateway_class("alb", "alb"),
            gateway_allowing_sets("apps/web", "alb", "{from: All}", &http),
            gateway_allowing_sets("apps/other", "alb", "{from: All}", &http),
            listener_set("team/extra", "apps/web", &[("alt", 8080, "HTTP")]),
            listener_set("team/spare", "apps/other", &[("alt", 8081, "HTTP")]),
            to_echo(Route::http("apps/on-web").gateway("web")),
            to_echo(Route::http("apps/on-other").gateway("other")),
            to_echo(on_set("team/on-extra", "extra")),
            to_echo(on_set("team/on-spare", "spare")),
            to_echo(on_set("team/on-gone-set", "gone")),
            to_echo(Route::http("apps/left-web").gateway("other")) + LEFT_WEB_STATUS,
        ])
    }

    /// The route's rule: everything to the Service `echo` of its namespace.
    fn to_echo(route: Route) -> String {
        route.to_services(None, &[("echo", 80)]).build()
    }

    /// `apps/left-web` left `web`: only its status still names it.
    const LEFT_WEB_STATUS: &str = "status:
  parents:
  - parentRef: {name: web}
    controllerName: gateway.k8s.aws/alb
    conditions: []
";

    fn stores() -> (Stores, Snapshot) {
        let mut loader = gantry_manifests::Loader::new();
        loader.load_str("cluster.yaml", &cluster());
        let loaded = loader.finish();
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        let (stores, mut writers) = Stores::new();
        writers.fill(&loaded.snapshot);
        (stores, loaded.snapshot)
    }

    fn names_of<K>(objects: &Objects<K>) -> Vec<String> {
        objects.keys().map(|k| k.to_string()).collect()
    }

    #[test]
    fn a_gateway_snapshot_holds_its_routes_those_of_its_listener_sets_and_every_listener_set() {
        let (stores, cluster) = stores();
        assert_eq!(cluster.http_routes.len(), 6);
        let web = ObjectKey::new("apps", "web");
        let s = gateway_snapshot(&stores, &web, true);
        assert_eq!(
            names_of(&s.http_routes),
            [
                "apps/left-web",
                "apps/on-web",
                "team/on-extra",
                "team/on-gone-set"
            ]
        );
        assert_eq!(names_of(&s.listener_sets), ["team/extra", "team/spare"]);
        assert_eq!(names_of(&s.gateways), ["apps/web"]);
        // The same objects as narrowing the whole cluster: translation sees no difference.
        let whole = gateway_scope(stores.snapshot(), &web, true);
        assert_eq!(names_of(&s.http_routes), names_of(&whole.http_routes));
        assert_eq!(names_of(&s.listener_sets), names_of(&whole.listener_sets));
        assert_eq!(names_of(&s.services), names_of(&whole.services));
        // Only the Services its routes send to.
        assert_eq!(names_of(&s.services), ["apps/echo", "team/echo"]);
        assert_eq!(cluster.services.len(), 3);
        let other = gateway_snapshot(&stores, &ObjectKey::new("apps", "other"), true);
        assert_eq!(
            names_of(&other.http_routes),
            [
                "apps/left-web",
                "apps/on-other",
                "team/on-gone-set",
                "team/on-spare"
            ]
        );
    }

    #[test]
    fn without_the_listener_set_gate_routes_on_listener_sets_are_no_gateways() {
        let (stores, _) = stores();
        let s = gateway_snapshot(&stores, &ObjectKey::new("apps", "web"), false);
        assert_eq!(names_of(&s.http_routes), ["apps/left-web", "apps/on-web"]);
        assert_eq!(names_of(&s.services), ["apps/echo"]);
    }
}
