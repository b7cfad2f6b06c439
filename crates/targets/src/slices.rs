//! The endpoints that a Service port's EndpointSlices list, read once for both the ip targets
//! ([`crate::endpoints`]) and the readiness gates of their pods ([`crate::readiness`]).

use gantry_api::k8s::{EndpointSlice, IntOrString, Service, ServicePort};
use gantry_model::{Target, TargetIpAddressType};
use gantry_snapshot::{ObjectKey, Snapshot};

/// The label that ties an EndpointSlice to its Service.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

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
