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

use crate::slices::slice_endpoints;
use crate::{Desired, Problem, readiness};
use gantry_api::k8s::{Service, ServicePort};
use gantry_model::{Target, TargetIpAddressType};
use gantry_snapshot::Snapshot;
use std::collections::BTreeMap;

/// How an endpoint may serve, best first (the derived order picks the best of duplicates).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum State {
    Ready,
    TerminatingServing,
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
