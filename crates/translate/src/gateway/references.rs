//! Every backendRef of every route naming this Gateway is checked, whether or not a listener
//! serves the route: `ResolvedRefs=True` says gantry looked and each one resolved, also for
//! routes whose listeners are not programmed (e.g. an invalid certificate), whose rules were
//! dropped, or that no listener accepted.

use crate::LbKind;
use crate::context::Context;
use crate::findings::RouteId;
use crate::refs::{self, Resolved};
use crate::routes::Route;
use std::collections::BTreeSet;

/// Records each route's backendRefs that do not resolve (the load balancer's build records
/// the same ones again only once).
pub(super) fn check_all(ctx: &mut Context<'_>) {
    let mut seen = BTreeSet::new();
    let routes: Vec<&Route> = ctx
        .attachments
        .iter()
        .map(|a| a.route)
        .filter(|r| seen.insert(RouteId::of(r)))
        .collect();
    // Gateway backends (chaining) are meaningful only on NLBs, as in the build.
    let allow_gateway = ctx.lb == LbKind::Nlb;
    for route in routes {
        for backend in route.rules.iter().flat_map(|r| &r.backend_refs) {
            let absent = &ctx.settings.absent_target_groups;
            match refs::resolve(ctx.snapshot, absent, route, backend, allow_gateway) {
                Ok(Resolved::TargetGroupName { name }) => ctx.found.target_group_name(route, &name),
                Ok(_) => {}
                Err(unresolved) => ctx.found.unresolved(route, unresolved),
            }
        }
    }
}
