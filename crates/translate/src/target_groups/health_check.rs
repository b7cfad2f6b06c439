//! A target group's health check: the defaults of its load balancer, protocol and target
//! type, with a TargetGroupConfiguration's overrides.

use crate::LbKind;
use gantry_api::crds::HealthCheckProtocol;
use gantry_api::k8s::IntOrString;
use gantry_model::{HealthCheck, Matcher, Protocol, ProtocolVersion, TargetType};

pub(super) fn health_check(
    lb: LbKind,
    protocol: Protocol,
    version: Option<ProtocolVersion>,
    config: Option<&gantry_api::crds::HealthCheckConfiguration>,
    port: &gantry_api::k8s::ServicePort,
    target_type: TargetType,
) -> HealthCheck {
    let grpc = version == Some(ProtocolVersion::Grpc);
    let hc_protocol = match lb {
        LbKind::Alb => protocol,
        LbKind::Nlb => Protocol::Tcp,
    };
    let mut hc = HealthCheck::defaults(hc_protocol, grpc);
    if let Some(c) = config {
        apply_health_overrides(&mut hc, c);
        if let Some(p) = &c.health_check_port {
            hc.port = p.clone();
        }
    }
    if hc.port != HealthCheck::TRAFFIC_PORT && hc.port.parse::<u16>().is_err() {
        hc.port = named_health_check_port(&hc.port, port, target_type)
            .unwrap_or_else(|| HealthCheck::TRAFFIC_PORT.to_string());
    }
    // A configuration may change the protocol: the path and matcher follow the one it ends with.
    if matches!(hc.protocol, Protocol::Http | Protocol::Https) {
        let defaults = HealthCheck::defaults(hc.protocol, grpc);
        hc.path = hc.path.or(defaults.path);
        hc.matcher = hc.matcher.or(defaults.matcher);
    } else {
        hc.path = None;
        hc.matcher = None;
    }
    hc
}

/// A named health check port is the Service port of that name: its NodePort for instance
/// targets, its numeric targetPort for ip targets. Only the backend's own port is known here,
/// so other names fall back to the traffic port.
fn named_health_check_port(
    name: &str,
    port: &gantry_api::k8s::ServicePort,
    target_type: TargetType,
) -> Option<String> {
    if port.name.as_deref() != Some(name) {
        return None;
    }
    match target_type {
        TargetType::Instance => port.node_port.map(|p| p.to_string()),
        _ => match &port.target_port {
            Some(IntOrString::Int(p)) => Some(p.to_string()),
            None => Some(port.port.to_string()),
            Some(IntOrString::String(_)) => None,
        },
    }
}

pub(super) fn apply_health_overrides(
    hc: &mut HealthCheck,
    c: &gantry_api::crds::HealthCheckConfiguration,
) {
    if let Some(p) = c.health_check_protocol {
        hc.protocol = match p {
            HealthCheckProtocol::Http => Protocol::Http,
            HealthCheckProtocol::Https => Protocol::Https,
            HealthCheckProtocol::Tcp => Protocol::Tcp,
        };
    }
    if let Some(v) = c.health_check_path.clone() {
        hc.path = Some(v);
    }
    if let Some(v) = c.health_check_interval {
        hc.interval_seconds = v;
    }
    if let Some(v) = c.health_check_timeout {
        hc.timeout_seconds = v;
    }
    if let Some(v) = c.healthy_threshold_count {
        hc.healthy_threshold_count = v;
    }
    if let Some(v) = c.unhealthy_threshold_count {
        hc.unhealthy_threshold_count = v;
    }
    if let Some(m) = &c.matcher {
        hc.matcher = Some(Matcher {
            http_code: m.http_code.clone(),
            grpc_code: m.grpc_code.clone(),
        });
    }
}
