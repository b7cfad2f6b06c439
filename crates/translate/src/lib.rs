//! Pure translation: a [`Snapshot`] of cluster state in; the desired AWS [`Stack`] of every
//! Gateway gantry owns, and the status of every GatewayClass, Gateway and route, out.
//!
//! ```text
//!  Snapshot ──► classes ──► per Gateway: config ─► listeners ─► attach ─► alb | nlb ─► Stack
//!                                                                  └──────────────► statuses
//! ```
//!
//! No I/O, no async, no clock, no randomness; maps are ordered, so the same snapshot always
//! gives byte-identical output. User mistakes never become `Err`: they become status
//! conditions and [`Problem`]s, and one bad route never stops its Gateway's other routes.
#![forbid(unsafe_code)]

mod classes;
pub mod config;
mod context;
mod findings;
pub mod frontend;
mod gateway;
pub mod names;
mod tags;

mod alb;
mod load_balancer;
mod nlb;
mod target_groups;

use gantry_model::{Scheme, Stack, TargetType};
use gantry_snapshot::Snapshot;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

// What Gateway API objects mean is `gantry_gateway`'s; imported at the root so that every
// module here names it as `crate::routes`, `crate::status`, ….
pub use gantry_gateway::{LbKind, Problem, certificates, secrets};
use gantry_gateway::{attach, features, listener_sets, refs, routes, status};

pub use alb::limits;
pub use status::Statuses;

/// Target type of a Service's target group when no TargetGroupConfiguration sets one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DefaultTargetType {
    /// `instance` when the Service port has a nodePort (NodePort and LoadBalancer Services:
    /// the AWS Load Balancer Controller's default), else `ip` (ClusterIP and headless
    /// Services, Services whose EndpointSlices are managed by hand), so that every Service
    /// is reachable.
    #[default]
    Auto,
    /// Always `instance`: a Service port without a nodePort is an unresolved backend.
    Instance,
    /// Always `ip`.
    Ip,
}

impl DefaultTargetType {
    /// The target type for a Service port with `node_port`.
    pub fn for_port(self, node_port: Option<i32>) -> TargetType {
        match self {
            DefaultTargetType::Instance => TargetType::Instance,
            DefaultTargetType::Ip => TargetType::Ip,
            DefaultTargetType::Auto if node_port.is_some_and(|p| p > 0) => TargetType::Instance,
            DefaultTargetType::Auto => TargetType::Ip,
        }
    }
}

/// Controller-wide settings (command-line flags).
#[derive(Clone, Debug)]
pub struct Settings {
    pub cluster_name: String,
    /// Scheme when no LoadBalancerConfiguration sets one.
    pub default_scheme: Scheme,
    /// Target type when no TargetGroupConfiguration sets one.
    pub default_target_type: DefaultTargetType,
    /// SSL policy of HTTPS/TLS listeners when none is configured.
    pub default_ssl_policy: String,
    /// Tags added to every resource (tracking tags still win).
    pub default_tags: BTreeMap<String, String>,
    /// Tag keys managed outside gantry: users may not set them and gantry never removes them.
    pub external_managed_tags: BTreeSet<String>,
    /// Which load balancer kinds this instance serves.
    pub enabled: BTreeSet<LbKind>,
    /// Attach the cluster's shared backend security group to load balancers.
    pub backend_security_group: bool,
    /// Listener rules per ALB (an adjustable AWS quota; 100 by default).
    pub max_rules_per_alb: usize,
    /// The current time (seconds since the Unix epoch), supplied by the caller because
    /// translation reads no clock: listener certificates outside their validity period are
    /// refused. None leaves validity unchecked.
    pub now: Option<i64>,
    /// Target groups named by `TargetGroupName` backendRefs that the deployer found missing
    /// (translation reads no AWS): backendRefs to them do not resolve (`BackendNotFound`).
    pub absent_target_groups: BTreeSet<String>,
    /// Whether the target groups of `TargetGroupName` backendRefs not in
    /// `absent_target_groups` are known to exist: a deploy looked them up before the statuses
    /// are published. False in `gantry plan`, which calls no AWS API, and after a failed
    /// deploy: a route whose other references resolve then reports `ResolvedRefs=Unknown`
    /// naming those target groups, never a `True` nobody checked.
    pub target_group_names_checked: bool,
    /// ListenerSets are read (`crate::listener_sets`; the feature gate `GatewayListenerSet`,
    /// on by default as in the established controller).
    pub listener_sets: bool,
}

impl Settings {
    pub fn new(cluster_name: impl Into<String>) -> Self {
        Settings {
            cluster_name: cluster_name.into(),
            default_scheme: Scheme::Internal,
            default_target_type: DefaultTargetType::Auto,
            default_ssl_policy: "ELBSecurityPolicy-2016-08".to_string(),
            default_tags: BTreeMap::new(),
            external_managed_tags: BTreeSet::new(),
            enabled: [LbKind::Alb, LbKind::Nlb].into_iter().collect(),
            backend_security_group: true,
            max_rules_per_alb: 100,
            now: None,
            absent_target_groups: BTreeSet::new(),
            target_group_names_checked: true,
            listener_sets: true,
        }
    }
}

/// Everything translation computed.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Translation {
    /// One stack per owned, accepted Gateway, in namespace/name order.
    pub stacks: Vec<Stack>,
    pub statuses: Statuses,
    pub problems: Vec<Problem>,
}

/// Translates a snapshot.
pub fn translate(snapshot: &Snapshot, settings: &Settings) -> Translation {
    let mut out = Translation::default();
    let classes = classes::owned(snapshot, settings, &mut out);
    let routes = routes::all_routes(snapshot);
    // Routes by the (namespace, name) of the Gateways their parentRefs name, so each Gateway
    // only looks at its own.
    let mut by_gateway: BTreeMap<(&str, &str), Vec<&routes::Route>> = BTreeMap::new();
    for route in &routes {
        for (i, p) in route.parent_refs.iter().enumerate() {
            let parent = (p.namespace.as_str(), p.name.as_str());
            let first_naming_it = !route.parent_refs[..i]
                .iter()
                .any(|q| names_gateway(q) && (q.namespace.as_str(), q.name.as_str()) == parent);
            if names_gateway(p) && first_naming_it {
                by_gateway.entry(parent).or_default().push(route);
            }
        }
    }
    // Routes whose parentRefs name a ListenerSet go to that ListenerSet's Gateway as well.
    if settings.listener_sets {
        for route in &routes {
            for p in &route.parent_refs {
                if p.group != gantry_api::gateway::GROUP || p.kind != "ListenerSet" {
                    continue;
                }
                let set_key = gantry_snapshot::ObjectKey::new(p.namespace.clone(), p.name.clone());
                let Some(gw) = snapshot
                    .listener_sets
                    .get(&set_key)
                    .and_then(|s| listener_sets::parent_of(&set_key, s))
                    .and_then(|g| snapshot.gateways.get_key_value(&g).map(|(k, _)| k))
                else {
                    continue;
                };
                let list = by_gateway
                    .entry((gw.namespace.as_str(), gw.name.as_str()))
                    .or_default();
                if !list.iter().any(|r| std::ptr::eq(*r, route)) {
                    list.push(route);
                }
            }
        }
    }
    for (key, gw) in &snapshot.gateways {
        let Some(class) = classes.get(gw.spec.gateway_class_name.as_str()) else {
            continue;
        };
        let own = by_gateway
            .get(&(key.namespace.as_str(), key.name.as_str()))
            .map(Vec::as_slice)
            .unwrap_or_default();
        gateway::translate(snapshot, settings, key, gw, class, own, &mut out);
    }
    report_orphan_parents(snapshot, &routes, &mut out);
    out.problems.sort();
    out.problems.dedup();
    out
}

fn names_gateway(p: &routes::ParentRef) -> bool {
    p.group == gantry_api::gateway::GROUP && p.kind == "Gateway"
}

/// parentRefs to Gateways that do not exist get no status (no controller owns them), but a
/// person reading the plan should hear about them.
fn report_orphan_parents(snapshot: &Snapshot, routes: &[routes::Route], out: &mut Translation) {
    let gateways: BTreeSet<(&str, &str)> = snapshot
        .gateways
        .keys()
        .map(|k| (k.namespace.as_str(), k.name.as_str()))
        .collect();
    for route in routes {
        for p in &route.parent_refs {
            if names_gateway(p) && !gateways.contains(&(p.namespace.as_str(), p.name.as_str())) {
                let key = gantry_snapshot::ObjectKey::new(p.namespace.clone(), p.name.clone());
                out.problems.push(Problem {
                    object: route.display(),
                    message: format!(
                        "parentRef names Gateway {key}, which does not exist; no status is written for it"
                    ),
                });
            }
        }
    }
}
