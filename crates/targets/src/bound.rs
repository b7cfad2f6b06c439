//! The targets of a TargetGroupBinding, read from the binding itself rather than from a
//! planned target group: what the binding controller works from, so that bindings written
//! by hand (no Gateway behind them) behave like the ones gantry writes.
//!
//! Same rules as [`crate::desired_targets`]: the Service port is the one `serviceRef.port`
//! names (by number or by name); ip targets are its endpoints, instance targets the nodes on
//! its NodePort.

use crate::{Desired, Problem, endpoints, nodes, readiness};
use gantry_api::crds::{TargetGroupBinding, TargetGroupIpAddressType, TargetType};
use gantry_api::k8s::{IntOrString, LabelSelector, Service, ServicePort};
use gantry_model::{NodeSelector, SelectorRequirement, TargetIpAddressType};
use gantry_snapshot::{ObjectKey, Snapshot};

/// The targets `binding` asks for in `snapshot`. A binding without `targetType` gets none,
/// with a problem: the reference infers it from the target group, which needs AWS.
pub fn binding_targets(binding: &TargetGroupBinding, snapshot: &Snapshot) -> Desired {
    let mut out = Desired::default();
    let namespace = binding.metadata.namespace.as_deref().unwrap_or_default();
    let name = binding.metadata.name.as_deref().unwrap_or_default();
    let spec = &binding.spec;
    let (service, port) = match service_port(binding, snapshot) {
        Ok(found) => found,
        Err(problem) => {
            out.problems.push(problem);
            return out;
        }
    };
    match spec.target_type {
        Some(TargetType::Ip) => {
            let gate = readiness::readiness_gate(name);
            let family = ip_family(binding);
            endpoints::ip_targets(family, service, port, snapshot, Some(&gate), &mut out);
        }
        Some(TargetType::Instance) => match port.node_port {
            Some(node_port) => {
                let selector = spec.node_selector.as_ref().map(node_selector);
                nodes::instance_targets(selector.as_ref(), node_port, snapshot, &mut out);
            }
            None => out.problems.push(Problem {
                object: format!("Service {namespace}/{}", spec.service_ref.name),
                message: format!(
                    "port {} has no nodePort; instance targets need one",
                    port.port
                ),
            }),
        },
        None => out.problems.push(Problem {
            object: format!("TargetGroupBinding {namespace}/{name}"),
            message: "spec.targetType is not set; no targets".to_string(),
        }),
    }
    out.targets.sort();
    out.targets.dedup();
    out.problems.sort();
    out
}

/// The Service `binding.spec.serviceRef` names and its port (by number or name), or why
/// there are none.
pub(crate) fn service_port<'s>(
    binding: &TargetGroupBinding,
    snapshot: &'s Snapshot,
) -> Result<(&'s Service, &'s ServicePort), Problem> {
    let namespace = binding.metadata.namespace.as_deref().unwrap_or_default();
    let service_ref = &binding.spec.service_ref;
    let key = ObjectKey::new(namespace, &service_ref.name);
    let problem = |message: String| Problem {
        object: format!("Service {key}"),
        message,
    };
    let Some(service) = snapshot.services.get(&key) else {
        return Err(problem("not found; no targets".to_string()));
    };
    let port = service
        .spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .and_then(|ports| {
            ports.iter().find(|p| match &service_ref.port {
                IntOrString::Int(n) => p.port == *n,
                IntOrString::String(s) => p.name.as_deref() == Some(s.as_str()),
            })
        });
    match port {
        Some(port) => Ok((service, port)),
        None => Err(problem(format!(
            "has no port {:?}; no targets",
            service_ref.port
        ))),
    }
}

/// The IP family of an ip binding's targets (IPv4 unless it says IPv6).
pub(crate) fn ip_family(binding: &TargetGroupBinding) -> TargetIpAddressType {
    match binding.spec.ip_address_type {
        Some(TargetGroupIpAddressType::Ipv6) => TargetIpAddressType::Ipv6,
        _ => TargetIpAddressType::Ipv4,
    }
}

fn node_selector(s: &LabelSelector) -> NodeSelector {
    NodeSelector {
        match_labels: s.match_labels.clone().unwrap_or_default(),
        match_expressions: s
            .match_expressions
            .iter()
            .flatten()
            .map(|e| SelectorRequirement {
                key: e.key.clone(),
                operator: e.operator.clone(),
                values: e.values.clone().unwrap_or_default(),
            })
            .collect(),
    }
}
