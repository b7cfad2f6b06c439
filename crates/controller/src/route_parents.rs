//! The parents a route names, Gateways and ListenerSets, read from its spec and its
//! `status.parents` (a route a Gateway no longer serves still names it there), for any route
//! type: what a route change means to the Gateways it touches.

use gantry_snapshot::ObjectKey;
use std::collections::BTreeSet;

/// The parents a route names: Gateways and ListenerSets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Parents {
    pub gateways: BTreeSet<ObjectKey>,
    pub listener_sets: BTreeSet<ObjectKey>,
}

/// A route's parent Gateways and ListenerSets from its spec and its `status.parents`, from
/// the raw object.
pub fn route_parents(
    namespace: &str,
    spec: impl Iterator<Item = ParentRefParts>,
    status: impl Iterator<Item = ParentRefParts>,
) -> Parents {
    let mut out = Parents::default();
    for p in spec.chain(status) {
        if p.group.as_deref().unwrap_or(gantry_api::gateway::GROUP) != gantry_api::gateway::GROUP {
            continue;
        }
        let key = ObjectKey::new(p.namespace.unwrap_or_else(|| namespace.to_string()), p.name);
        match p.kind.as_deref().unwrap_or("Gateway") {
            "Gateway" => out.gateways.insert(key),
            "ListenerSet" => out.listener_sets.insert(key),
            _ => false,
        };
    }
    out
}

/// What the route caches keep decoded of each route (`crate::compact`): the Gateways and
/// ListenerSets it names, in a flat boxed slice (a `Parents` of one Gateway is a B-tree node
/// of several hundred bytes), and whether the tiered controller made it.
#[derive(Clone, Debug)]
pub struct RouteIndex {
    /// Gateways first, then ListenerSets (`gateways` counts the former).
    parents: Box<[ObjectKey]>,
    gateways: usize,
    pub tiered: bool,
}

impl RouteIndex {
    pub fn of<R: crate::kinds::RouteObject + gantry_api::k8s::Resource>(route: &R) -> Self {
        let Parents {
            gateways,
            listener_sets,
        } = route.parents();
        let tiered = route
            .meta()
            .labels
            .as_ref()
            .and_then(|l| l.get(gantry_tiered::names::MANAGED_BY.0))
            .is_some_and(|v| v == gantry_tiered::names::MANAGED_BY.1);
        RouteIndex {
            gateways: gateways.len(),
            parents: gateways.into_iter().chain(listener_sets).collect(),
            tiered,
        }
    }

    pub fn gateways(&self) -> &[ObjectKey] {
        &self.parents[..self.gateways]
    }

    pub fn listener_sets(&self) -> &[ObjectKey] {
        &self.parents[self.gateways..]
    }
}

/// The fields of a parentRef that identify a Gateway, whatever the route kind.
pub struct ParentRefParts {
    pub group: Option<String>,
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: String,
}

/// The route kinds and the field names of their parentRefs are the same; this reads them from
/// any route type.
#[macro_export]
#[doc(hidden)]
macro_rules! route_change {
    ($route:expr) => {{
        let r = $route;
        let ns = r.metadata.namespace.clone().unwrap_or_default();
        let spec =
            r.spec
                .parent_refs
                .iter()
                .flatten()
                .map(|p| $crate::route_parents::ParentRefParts {
                    group: p.group.clone(),
                    kind: p.kind.clone(),
                    namespace: p.namespace.clone(),
                    name: p.name.clone(),
                });
        let status = r.status.iter().flat_map(|s| &s.parents).map(|p| {
            $crate::route_parents::ParentRefParts {
                group: p.parent_ref.group.clone(),
                kind: p.parent_ref.kind.clone(),
                namespace: p.parent_ref.namespace.clone(),
                name: p.parent_ref.name.clone(),
            }
        });
        $crate::triggers::Change::Route($crate::route_parents::route_parents(&ns, spec, status))
    }};
}
