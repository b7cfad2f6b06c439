//! instance targets: the cluster's nodes, by EC2 instance id, on the target group's port (the
//! Service's NodePort).
//!
//! A node is a target when it is Ready, is not excluded from load balancers by label, and
//! matches the target group's `nodeSelector`. Cordoned (`unschedulable`) nodes stay: their
//! pods keep running and kube-proxy on them still forwards NodePort traffic. A node that
//! qualifies but has no AWS `providerID` is reported as a problem.

use crate::{Desired, Problem, selector};
use gantry_api::k8s::Node;
use gantry_model::{NodeSelector, Target};
use gantry_snapshot::Snapshot;

/// Node labels that keep a node out of every load balancer, whatever their value:
/// Kubernetes' own, its deprecated alpha spelling, and Fargate nodes (no instance to register).
pub const EXCLUDE_LABELS: &[&str] = &[
    "node.kubernetes.io/exclude-from-external-load-balancers",
    "alpha.service-controller.kubernetes.io/exclude-balancer",
];
const COMPUTE_TYPE_LABEL: &str = "eks.amazonaws.com/compute-type";

pub(crate) fn instance_targets(
    node_selector: Option<&NodeSelector>,
    port: i32,
    snapshot: &Snapshot,
    out: &mut Desired,
) {
    for (key, node) in &snapshot.nodes {
        if excluded(node) || !ready(node) {
            continue;
        }
        let labels = node.metadata.labels.clone().unwrap_or_default();
        if let Some(s) = node_selector
            && !selector::matches(s, &labels)
        {
            continue;
        }
        let provider_id = node.spec.as_ref().and_then(|s| s.provider_id.as_deref());
        match provider_id.and_then(instance_id) {
            Some(id) => out.targets.push(Target {
                id: id.to_string(),
                port,
            }),
            None => out.problems.push(Problem {
                object: format!("Node {key}"),
                message: format!(
                    "spec.providerID {:?} does not name an EC2 instance (aws:///<zone>/i-…); not registered",
                    provider_id.unwrap_or_default()
                ),
            }),
        }
    }
}

/// The instance id of an AWS `providerID` (`aws:///us-east-1a/i-0123…`; the zone may be
/// empty).
pub fn instance_id(provider_id: &str) -> Option<&str> {
    let path = provider_id.strip_prefix("aws://")?;
    let last = path.rsplit('/').find(|s| !s.is_empty())?;
    (last.starts_with("i-") && last.len() > 2).then_some(last)
}

fn excluded(node: &Node) -> bool {
    let Some(labels) = node.metadata.labels.as_ref() else {
        return false;
    };
    EXCLUDE_LABELS.iter().any(|l| labels.contains_key(*l))
        || labels
            .get(COMPUTE_TYPE_LABEL)
            .is_some_and(|v| v == "fargate")
}

/// The node's `Ready` condition is `True`. No condition (a node that never reported) is not
/// ready.
fn ready(node: &Node) -> bool {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True")
}
