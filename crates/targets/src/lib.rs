//! gantry-targets: which targets a target group should hold, and the TargetGroupBinding that
//! says so (reference §c.3, §e.4).
//!
//! ```text
//!  TargetGroup.backend ─▶ Service ─▶ port (== backend.port)
//!     ip:       EndpointSlices labelled kubernetes.io/service-name ─▶ ready addresses
//!               on the slice's port named like the Service port (else the numeric targetPort)
//!     instance: Nodes ─ Ready, not excluded, matching nodeSelector ─▶ providerID instance ids
//!               on the target group's port (the NodePort)
//! ```
//!
//! Pure like translation: no I/O, no clock; the output is sorted, so the same snapshot always
//! gives the same targets. Problems (a node without an AWS providerID, a missing Service) are
//! values next to the targets, never errors: one bad node does not stop the others.
//! The deployer (`gantry_deploy::Deployer::sync_targets`) turns the difference with what is
//! registered into calls.
#![forbid(unsafe_code)]

mod binding;
mod bound;
mod endpoints;
mod nodes;
mod readiness;
mod selector;
mod slices;

pub use binding::{
    Deployed, PortProtocol, PortRule, STACK_NAME_LABEL_SUFFIX, STACK_NAMESPACE_LABEL_SUFFIX,
    backend_rules, source_security_group, target_group_binding, target_group_bindings,
};
pub use bound::binding_targets;
pub use nodes::{EXCLUDE_LABELS, instance_id};
pub use readiness::{
    GateCondition, GateConditions, READINESS_GATE_PREFIX, gate_conditions, gated_bindings,
    has_target_health_gate, pod_condition, readiness_gate,
};
pub use selector::matches;
pub use slices::SERVICE_NAME_LABEL;

use gantry_api::k8s::{Service, ServicePort};
use gantry_model::{Stack, TargetGroup, TargetType};
use gantry_snapshot::{ObjectKey, Snapshot};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The targets one target group should hold, and what was skipped on the way.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Desired {
    /// Sorted by id, then port; no duplicates.
    pub targets: Vec<gantry_model::Target>,
    pub problems: Vec<Problem>,
}

/// Something in the cluster that keeps a target out, for a log line or an event.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// `Kind namespace/name` of the object at fault.
    pub object: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.object, self.message)
    }
}

/// The targets of `tg` from the snapshot's EndpointSlices (ip) or Nodes (instance).
///
/// None when the target group's targets do not come from a Service: a chained `alb` target
/// group holds its ALB, which the deployer registers itself (callers must not sync those, or
/// an empty target list would deregister the ALB), and the target group that stands for
/// backendRefs that do not resolve never holds any.
pub fn desired_targets(tg: &TargetGroup, snapshot: &Snapshot) -> Option<Desired> {
    let ip = match tg.target_type {
        TargetType::Ip => true,
        TargetType::Instance => false,
        TargetType::Alb => return None,
    };
    if tg.backend.kind != "Service" {
        return None;
    }
    let mut out = Desired::default();
    let Some((service, port)) = service_port(tg, snapshot, &mut out.problems) else {
        return Some(out);
    };
    if ip {
        endpoints::ip_targets(tg.ip_address_type, service, port, snapshot, None, &mut out);
    } else {
        nodes::instance_targets(tg.node_selector.as_ref(), tg.port, snapshot, &mut out);
    }
    out.targets.sort();
    out.targets.dedup();
    out.problems.sort();
    Some(out)
}

/// The desired targets of every Service-backed target group of a stack, and the backend
/// rules they need: what a TargetGroupBinding controller (or `gantry apply`) works from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StackTargets {
    /// By target group resource id; chained `alb` target groups are absent.
    pub targets: BTreeMap<String, Vec<gantry_model::Target>>,
    /// Union of [`backend_rules`] over the target groups, sorted.
    pub rules: Vec<PortRule>,
    pub problems: Vec<Problem>,
}

pub fn stack_targets(stack: &Stack, snapshot: &Snapshot) -> StackTargets {
    let mut out = StackTargets::default();
    let mut rules = BTreeSet::new();
    for tg in &stack.target_groups {
        let Some(d) = desired_targets(tg, snapshot) else {
            continue;
        };
        rules.extend(backend_rules(tg, &d.targets));
        out.problems.extend(d.problems);
        out.targets.insert(tg.id.clone(), d.targets);
    }
    out.rules = rules.into_iter().collect();
    out.problems.sort();
    out.problems.dedup();
    out
}

/// The Service of `tg` and its port whose number is the backend port (first match, §c.2).
fn service_port<'s>(
    tg: &TargetGroup,
    snapshot: &'s Snapshot,
    problems: &mut Vec<Problem>,
) -> Option<(&'s Service, &'s ServicePort)> {
    let key = ObjectKey::new(&tg.backend.namespace, &tg.backend.name);
    let object = format!("Service {key}");
    let Some(service) = snapshot.services.get(&key) else {
        problems.push(Problem {
            object,
            message: "not found; no targets".to_string(),
        });
        return None;
    };
    let port = service
        .spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .and_then(|ports| ports.iter().find(|p| p.port == tg.backend.port));
    match port {
        Some(p) => Some((service, p)),
        None => {
            problems.push(Problem {
                object,
                message: format!("has no port {}; no targets", tg.backend.port),
            });
            None
        }
    }
}
