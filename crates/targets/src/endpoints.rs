//! ip targets: the endpoint addresses of a Service's EndpointSlices.
//!
//! * **Which slices:** those in the Service's namespace labelled
//!   `kubernetes.io/service-name: <service>` whose `addressType` is the target group's IP
//!   family (`IPv4` / `IPv6`; a dual-stack Service has a slice set per family).
//! * **Which port:** per slice, the slice port named like the Service port. The endpoint
//!   controller resolves a named `targetPort` per pod and groups pods by the result, so two
//!   slices can carry two different numbers for one name; a slice without a port of that name
//!   falls back to the numeric `targetPort` (hand-written slices often leave ports unnamed), and
//!   is skipped when `targetPort` is a name its pods don't have.
//! * **Which endpoints:** ready ones (`conditions.ready` true, or unset, which the API says to
//!   read as ready), by their first address (the API makes the others interchangeable); and
//!   those whose pod is unready only for want of the binding's readiness gate
//!   ([`crate::readiness`]).
//!
//! **Terminating endpoints (a choice):** an endpoint that is terminating but still serving is
//! a target only while no endpoint of the port is ready, i.e. while the whole Service is being
//! deregistered (kube-proxy's rule, KEP-1669). Otherwise a terminating endpoint is deregistered
//! at once: the load balancer stops sending it new requests and drains the open ones for the
//! target group's deregistration delay, while the pod is still serving. Keeping it registered
//! longer would send new requests to a pod that is shutting down; dropping it when nothing else
//! is ready would turn a rolling restart of every replica into 503s.

use crate::{Desired, Problem, readiness};
use gantry_api::k8s::{EndpointSlice, IntOrString, Service, ServicePort};
use gantry_model::{Target, TargetIpAddressType};
use gantry_snapshot::{ObjectKey, Snapshot};
use std::collections::BTreeMap;

/// The label that ties an EndpointSlice to its Service.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// How an endpoint may serve, best first (the derived order picks the best of duplicates).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum State {
    Ready,
    TerminatingServing,
}

/// One endpoint of a Service port, as its slices list it.
pub(crate) struct SliceEndpoint<'a> {
    pub target: Target,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
    /// The pod behind the endpoint (`targetRef` of kind Pod), in the Service's namespace.
    pub pod: Option<&'a str>,
}

/// Every endpoint of `port` of `service` in the slices of its IP family, in slice order (a
/// target may appear twice while the endpoint controller moves it between slices).
pub(crate) fn slice_endpoints<'a>(
    ip_address_type: TargetIpAddressType,
    service: &Service,
    port: &ServicePort,
    snapshot: &'a Snapshot,
) -> Vec<SliceEndpoint<'a>> {
    let namespace = service.metadata.namespace.as_deref().unwrap_or_default();
    let name = service.metadata.name.as_deref().unwrap_or_default();
    let family = match ip_address_type {
        TargetIpAddressType::Ipv4 => "IPv4",
        TargetIpAddressType::Ipv6 => "IPv6",
    };
    let slices = snapshot
        .endpoint_slices
        .range(ObjectKey::new(namespace, "")..)
        .take_while(|(k, _)| k.namespace == namespace)
        .map(|(_, s)| s)
        .filter(|s| {
            s.address_type == family
                && s.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(SERVICE_NAME_LABEL))
                    .is_some_and(|v| v == name)
        });
    let mut out = Vec::new();
    for slice in slices {
        let Some(target_port) = slice_port(slice, port) else {
            continue;
        };
        for endpoint in &slice.endpoints {
            let Some(address) = endpoint.addresses.first() else {
                continue;
            };
            let conditions = endpoint.conditions.as_ref();
            let ready = conditions.and_then(|c| c.ready).unwrap_or(true);
            out.push(SliceEndpoint {
                target: Target {
                    id: address.clone(),
                    port: target_port,
                },
                ready,
                // `serving` unset means "same as ready"; `terminating` unset means false.
                serving: conditions.and_then(|c| c.serving).unwrap_or(ready),
                terminating: conditions.and_then(|c| c.terminating).unwrap_or(false),
                pod: endpoint
                    .target_ref
                    .as_ref()
                    .filter(|r| r.kind.as_deref() == Some("Pod"))
                    .and_then(|r| r.name.as_deref()),
            });
        }
    }
    out
}

/// The ip targets of `port`. `gate` is the readiness gate condition type of the binding
/// asking: an endpoint that is not ready only because its pod waits for that gate (the
/// pod's containers are ready) is a target too, or the gate could never turn true.
pub(crate) fn ip_targets(
    ip_address_type: TargetIpAddressType,
    service: &Service,
    port: &ServicePort,
    snapshot: &Snapshot,
    gate: Option<&str>,
    out: &mut Desired,
) {
    let namespace = service.metadata.namespace.as_deref().unwrap_or_default();
    let name = service.metadata.name.as_deref().unwrap_or_default();
    // A target listed by two slices (they overlap while the controller moves endpoints
    // between them) keeps its best state.
    let mut found: BTreeMap<Target, State> = BTreeMap::new();
    for endpoint in slice_endpoints(ip_address_type, service, port, snapshot) {
        let waits_for_gate = || {
            gate.zip(endpoint.pod)
                .is_some_and(|(gate, pod)| readiness::waits_for(snapshot, namespace, pod, gate))
        };
        let state = if endpoint.terminating {
            if !endpoint.serving {
                continue;
            }
            State::TerminatingServing
        } else if endpoint.ready || waits_for_gate() {
            State::Ready
        } else {
            continue;
        };
        found
            .entry(endpoint.target)
            .and_modify(|s| *s = (*s).min(state))
            .or_insert(state);
    }
    let any_ready = found.values().any(|s| *s == State::Ready);
    let draining = found
        .values()
        .filter(|s| **s == State::TerminatingServing)
        .count();
    if !any_ready && draining > 0 {
        out.problems.push(Problem {
            object: format!("Service {namespace}/{name}"),
            message: format!(
                "port {}: no ready endpoint; keeping {draining} terminating endpoint(s) that still serve",
                port.port
            ),
        });
    }
    out.targets.extend(
        found
            .into_iter()
            .filter(|(_, s)| *s == State::Ready || !any_ready)
            .map(|(t, _)| t),
    );
}

/// The container port behind `port` for the endpoints of `slice`, if they have it.
fn slice_port(slice: &EndpointSlice, port: &ServicePort) -> Option<i32> {
    let name = port.name.as_deref().unwrap_or_default();
    let named = slice
        .ports
        .iter()
        .flatten()
        .find(|p| p.name.as_deref().unwrap_or_default() == name)
        .and_then(|p| p.port);
    match (named, &port.target_port) {
        (Some(p), _) => Some(p),
        (None, Some(IntOrString::Int(p))) => Some(*p),
        // Unset targetPort means the Service port itself.
        (None, None) => Some(port.port),
        (None, Some(IntOrString::String(_))) => None,
    }
}
