//! Whether the tiered loop has anything to do at all.

use super::pass::Ctx;
use crate::finalizer;
use gantry_api::k8s::Resource;
use gantry_tiered::names;
use kube::runtime::reflector::Store;

/// Nothing for a pass to plan or clean up: no GatewayClass of the tiered controller, no
/// Gateway holding its finalizer, nothing it made (shadow Gateways and routes, labelled
/// managed-by), no Crossplane object. The plan of such a cluster is empty and every step of
/// the pass a no-op; skipping it spares converting every route of the cluster after each
/// change, which on a large cluster without tiered Gateways was a third of the
/// controller's peak memory (docs/benchmarks.md, "Controller memory").
pub(super) fn idle(ctx: &Ctx) -> bool {
    let ours = |m: &gantry_api::k8s::ObjectMeta| {
        m.labels
            .as_ref()
            .and_then(|l| l.get(names::MANAGED_BY.0))
            .is_some_and(|v| v == names::MANAGED_BY.1)
    };
    fn none<K: Resource + Clone>(store: &Store<K>, made: impl Fn(&K) -> bool) -> bool
    where
        K::DynamicType: Eq + std::hash::Hash + Clone,
    {
        !store.state().iter().any(|o| made(o))
    }
    let s = &ctx.stores;
    none(&s.gateway_classes, |c| {
        c.spec.controller_name == names::CONTROLLER_NAME
    }) && none(&s.gateways, |g| {
        finalizer::has(g, names::FINALIZER) || ours(&g.metadata)
    }) && !s.any_route(|r| r.tiered)
        && ctx.tiered.crossplane.iter().all(|(_, s)| s.is_empty())
}
