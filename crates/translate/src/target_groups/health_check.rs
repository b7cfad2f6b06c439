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
    let mut hc = HealthCheck {
        protocol: hc_protocol,
        port: "traffic-port".to_string(),
        path: None,
        interval_seconds: 15,
        timeout_seconds: 5,
        healthy_threshold_count: 3,
        unhealthy_threshold_count: 3,
        matcher: None,
    };
    if let Some(c) = config {
        apply_health_overrides(&mut hc, c);
        if let Some(p) = &c.health_check_port {
            hc.port = p.clone();
        }
    }
    if hc.port != "traffic-port" && hc.port.parse::<u16>().is_err() {
        hc.port = named_health_check_port(&hc.port, port, target_type)
            .unwrap_or_else(|| "traffic-port".to_string());
    }
    if matches!(hc.protocol, Protocol::Http | Protocol::Https) {
        if hc.path.is_none() {
            hc.path = Some(if grpc {
                "/AWS.ALB/healthcheck".to_string()
            } else {
                "/".to_string()
            });
        }
        if hc.matcher.is_none() {
            hc.matcher = Some(if grpc {
                Matcher {
                    http_code: None,
                    grpc_code: Some("12".to_string()),
                }
            } else {
                Matcher {
                    http_code: Some("200-399".to_string()),
                    grpc_code: None,
                }
            });
        }
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
