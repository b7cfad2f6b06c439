//! Pod readiness gates: a pod that lists the readiness gate
//! `target-health.elbv2.k8s.aws/<binding>` is not Ready until its target is healthy in that
//! binding's target group, so a rolling update waits for the load balancer instead of only
//! for the pod.
//!
//! Two rules follow, both for ip bindings (an instance target is a node, not a pod):
//! * an endpoint that is unready only because its pod waits for the gate (its containers are
//!   ready) is registered, or the target could never become healthy ([`waits_for`]);
//! * each gated pod's condition of that type says what the load balancer says of its target
//!   ([`gate_conditions`]): True when healthy, else False with the health reason.

use crate::slices::slice_endpoints;
use gantry_api::crds::{TargetGroupBinding, TargetType};
use gantry_api::k8s::Pod;
use gantry_model::{Target, TargetHealth};
use gantry_snapshot::{ObjectKey, Snapshot};
use std::collections::BTreeMap;

/// The readiness gate condition types gantry answers start with this, followed by the
/// TargetGroupBinding's name (in the pod's namespace); the reference controller's spelling.
pub const READINESS_GATE_PREFIX: &str = "target-health.elbv2.k8s.aws/";

/// What AWS reports right after registering, used until the first health check.
const REGISTERING_REASON: &str = "Elb.RegistrationInProgress";

/// The readiness gate condition type of the binding named `binding`.
pub fn readiness_gate(binding: &str) -> String {
    format!("{READINESS_GATE_PREFIX}{binding}")
}

/// Names of the bindings (in the pod's namespace) whose readiness gates `pod` lists.
pub fn gated_bindings(pod: &Pod) -> Vec<&str> {
    pod.spec
        .iter()
        .flat_map(|s| s.readiness_gates.iter().flatten())
        .filter_map(|g| g.condition_type.strip_prefix(READINESS_GATE_PREFIX))
        .filter(|b| !b.is_empty())
        .collect()
}

/// Whether `pod` lists any target-health gate: the pods the controller caches.
pub fn has_target_health_gate(pod: &Pod) -> bool {
    !gated_bindings(pod).is_empty()
}

/// The status ("True"/"False"…) of the pod condition `kind`, if the pod has it.
pub fn pod_condition<'a>(pod: &'a Pod, kind: &str) -> Option<&'a str> {
    pod.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == kind)
        .map(|c| c.status.as_str())
}

/// Whether pod `namespace/pod` lists `gate` and is held back by the gate only: its
/// containers are ready and the gate's condition is not True.
pub(crate) fn waits_for(snapshot: &Snapshot, namespace: &str, pod: &str, gate: &str) -> bool {
    let Some(pod) = snapshot.pods.get(&ObjectKey::new(namespace, pod)) else {
        return false;
    };
    lists_gate(pod, gate)
        && pod_condition(pod, "ContainersReady") == Some("True")
        && pod_condition(pod, gate) != Some("True")
}

fn lists_gate(pod: &Pod, gate: &str) -> bool {
    pod.spec
        .iter()
        .flat_map(|s| s.readiness_gates.iter().flatten())
        .any(|g| g.condition_type == gate)
}

/// The readiness gate condition one pod should show.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct GateCondition {
    pub pod: ObjectKey,
    /// [`readiness_gate`] of the binding.
    pub condition_type: String,
    pub healthy: bool,
    pub reason: String,
    pub message: String,
}

impl GateCondition {
    pub fn status(&self) -> &'static str {
        if self.healthy { "True" } else { "False" }
    }
}

/// What a binding's gated pods should show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GateConditions {
    /// Conditions that differ from what the pods show now, sorted by pod.
    pub changed: Vec<GateCondition>,
    /// Gated pods whose target is not healthy yet: worth looking at again soon.
    pub waiting: usize,
}

/// The gate conditions of the pods behind `binding`'s endpoints that are targets
/// (`registered`: what the target group holds after this sync), given the health AWS
/// reported (`health`: of the targets registered before it; a target missing there is being
/// registered). A pod whose endpoint is not a target gets no condition; terminating
/// endpoints are left alone: their pods are leaving.
pub fn gate_conditions(
    binding: &TargetGroupBinding,
    snapshot: &Snapshot,
    registered: &[Target],
    health: &[TargetHealth],
) -> GateConditions {
    let mut out = GateConditions::default();
    if binding.spec.target_type != Some(TargetType::Ip) {
        return out;
    }
    let namespace = binding.metadata.namespace.as_deref().unwrap_or_default();
    let gate = readiness_gate(binding.metadata.name.as_deref().unwrap_or_default());
    let Ok((service, port)) = crate::bound::service_port(binding, snapshot) else {
        return out;
    };
    let family = crate::bound::ip_family(binding);
    let health: BTreeMap<&Target, &TargetHealth> = health.iter().map(|h| (&h.target, h)).collect();
    let mut wanted: BTreeMap<ObjectKey, GateCondition> = BTreeMap::new();
    for endpoint in slice_endpoints(family, service, port, snapshot) {
        let Some(pod_name) = endpoint.pod.filter(|_| !endpoint.terminating) else {
            continue;
        };
        if registered.binary_search(&endpoint.target).is_err() {
            continue;
        }
        let key = ObjectKey::new(namespace, pod_name);
        let Some(pod) = snapshot.pods.get(&key) else {
            continue;
        };
        if !lists_gate(pod, &gate) {
            continue;
        }
        let condition = match health.get(&endpoint.target) {
            Some(h) => GateCondition {
                pod: key.clone(),
                condition_type: gate.clone(),
                healthy: h.is_healthy(),
                reason: h.reason.clone().unwrap_or_else(|| {
                    if h.is_healthy() {
                        "TargetHealthy".to_string()
                    } else {
                        h.state.clone()
                    }
                }),
                message: h.description.clone().unwrap_or_else(|| {
                    format!("target {}:{} is {}", h.target.id, h.target.port, h.state)
                }),
            },
            None => GateCondition {
                pod: key.clone(),
                condition_type: gate.clone(),
                healthy: false,
                reason: REGISTERING_REASON.to_string(),
                message: format!(
                    "target {}:{} is being registered",
                    endpoint.target.id, endpoint.target.port
                ),
            },
        };
        // A pod listed twice (slices overlap while endpoints move) keeps its healthiest view.
        match wanted.get(&key) {
            Some(seen) if seen.healthy || !condition.healthy => {}
            _ => {
                wanted.insert(key, condition);
            }
        }
    }
    for (key, condition) in wanted {
        if !condition.healthy {
            out.waiting += 1;
        }
        let Some(pod) = snapshot.pods.get(&key) else {
            continue;
        };
        if !shows(pod, &condition) {
            out.changed.push(condition);
        }
    }
    out
}

/// Whether `pod` already shows `condition` (status, reason and message).
fn shows(pod: &Pod, condition: &GateCondition) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == condition.condition_type))
        .is_some_and(|c| {
            c.status == condition.status()
                && c.reason.as_deref().unwrap_or_default() == condition.reason
                && c.message.as_deref().unwrap_or_default() == condition.message
        })
}
