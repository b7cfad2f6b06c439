//! Target groups for resolved backends (Services, and ALB Gateways for chaining).

pub(crate) mod error;
mod health_check;

pub use error::TargetGroupError;

use health_check::{apply_health_overrides, health_check};

use crate::config::target_group;
use crate::context::Context;
use crate::refs::Resolved;
use crate::routes::{Route, RouteKind};
use crate::{LbKind, names, tags};
use gantry_api::crds::{
    Protocol as CfgProtocol, ProtocolVersion as CfgVersion, TargetGroupIpAddressType,
    TargetGroupProps, TargetType as CfgTargetType,
};
use gantry_api::k8s::IntOrString;
use gantry_model::{
    Backend, HealthCheck, Protocol, ProtocolVersion, TargetGroup, TargetIpAddressType, TargetType,
};

/// The Kubernetes standard application protocol of HTTP/2 with prior knowledge (KEP-3726).
const H2C_APP_PROTOCOL: &str = "kubernetes.io/h2c";

/// Builds the target group of `resolved` for `route` behind a listener of `listener_protocol`.
pub fn build(
    ctx: &mut Context<'_>,
    route: &Route,
    resolved: &Resolved<'_>,
    listener_protocol: Protocol,
) -> Result<TargetGroup, TargetGroupError> {
    match resolved {
        Resolved::Service { service, key, port } => {
            let props =
                target_group::props_for_service(ctx.snapshot, ctx.default_tgc.as_ref(), key, route);
            let target_type = match props.target_type {
                Some(CfgTargetType::Ip) => TargetType::Ip,
                Some(CfgTargetType::Instance) => TargetType::Instance,
                None => ctx.settings.default_target_type.for_port(port.node_port),
            };
            let protocol = protocol(ctx.lb, route.kind, listener_protocol, &props)?;
            let protocol_version = match ctx.lb {
                LbKind::Nlb => None,
                LbKind::Alb if listener_protocol != Protocol::Https => {
                    if port.app_protocol.as_deref() == Some(H2C_APP_PROTOCOL) {
                        return Err(TargetGroupError::H2cBehindPlainListener {
                            service: key.clone(),
                            port: port.port,
                            listener: listener_protocol.as_str(),
                        });
                    }
                    Some(ProtocolVersion::Http1)
                }
                LbKind::Alb => Some(match props.protocol_version {
                    Some(CfgVersion::Http1) => ProtocolVersion::Http1,
                    Some(CfgVersion::Http2) => ProtocolVersion::Http2,
                    Some(CfgVersion::Grpc) => ProtocolVersion::Grpc,
                    None if route.kind == RouteKind::Grpc => ProtocolVersion::Grpc,
                    None if port.app_protocol.as_deref() == Some(H2C_APP_PROTOCOL) => {
                        ProtocolVersion::Http2
                    }
                    None => ProtocolVersion::Http1,
                }),
            };
            let (tg_port, id_port) = match target_type {
                TargetType::Instance => {
                    let node_port = port.node_port.filter(|p| *p > 0).ok_or_else(|| {
                        TargetGroupError::NoNodePort {
                            service: key.clone(),
                            port: port.port,
                        }
                    })?;
                    (node_port, target_port_string(port))
                }
                _ => match &port.target_port {
                    Some(IntOrString::Int(p)) => (*p, p.to_string()),
                    Some(IntOrString::String(name)) => (1, name.clone()),
                    None => (port.port, port.port.to_string()),
                },
            };
            // The configuration's ipAddressType wins; else inferred from the Service.
            let ipv6 = match props.ip_address_type {
                Some(t) => t == TargetGroupIpAddressType::Ipv6,
                None => service
                    .spec
                    .as_ref()
                    .and_then(|s| s.ip_families.as_ref())
                    .is_some_and(|f| f.iter().any(|x| x == "IPv6")),
            };
            if props.enable_multi_cluster == Some(true) {
                ctx.found.ignored(format!(
                    "TargetGroupConfiguration of Service {key}: enableMultiCluster is not applied (gantry registers and deregisters every target of the target groups it builds; sharing one between clusters is not built)"
                ));
            }
            let control = props.target_control_port;
            if control.is_some()
                && !(target_type == TargetType::Ip
                    && matches!(protocol, Protocol::Http | Protocol::Https))
            {
                return Err(TargetGroupError::TargetControlPort);
            }
            let health = health_check(
                ctx.lb,
                protocol,
                protocol_version,
                props.health_check_config.as_ref(),
                port,
                target_type,
            );
            Ok(finish(
                ctx,
                route,
                "Service",
                key.namespace.as_str(),
                key.name.as_str(),
                port.port,
                &id_port,
                tg_port,
                target_type,
                protocol,
                protocol_version,
                if ipv6 {
                    TargetIpAddressType::Ipv6
                } else {
                    TargetIpAddressType::Ipv4
                },
                health,
                &props,
                control,
            ))
        }
        Resolved::TargetGroupName { name } => Err(TargetGroupError::ManagedOutside(name.clone())),
        Resolved::Gateway { key, port, .. } => {
            let props = target_group::for_backend(ctx.snapshot, "Gateway", key)
                .map(|t| target_group::props_for_route(t, route))
                .unwrap_or_default();
            let protocol = match props.protocol {
                Some(CfgProtocol::Tls) => Protocol::Tls,
                _ => Protocol::Tcp,
            };
            let mut health = HealthCheck::defaults(Protocol::Http, false);
            if let Some(hc) = &props.health_check_config {
                apply_health_overrides(&mut health, hc);
                if health.port != HealthCheck::TRAFFIC_PORT {
                    health.port = port.to_string();
                }
            }
            let props = TargetGroupProps {
                target_group_attributes: None,
                ..props
            };
            Ok(finish(
                ctx,
                route,
                "Gateway",
                &key.namespace,
                &key.name,
                *port,
                &port.to_string(),
                *port,
                TargetType::Alb,
                protocol,
                None,
                TargetIpAddressType::Ipv4,
                health,
                &props,
                None,
            ))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn finish(
    ctx: &Context<'_>,
    route: &Route,
    backend_kind: &str,
    backend_ns: &str,
    backend_name: &str,
    backend_port: i32,
    id_port: &str,
    port: i32,
    target_type: TargetType,
    protocol: Protocol,
    protocol_version: Option<ProtocolVersion>,
    ip_address_type: TargetIpAddressType,
    health_check: HealthCheck,
    props: &TargetGroupProps,
    target_control_port: Option<i32>,
) -> TargetGroup {
    let mut id = format!(
        "{}:{}-{}:{}-{}-{}:{}",
        ctx.stack,
        route.key.namespace,
        route.key.name,
        route.kind,
        backend_ns,
        backend_name,
        id_port
    );
    if let Some(c) = target_control_port {
        id.push_str(&format!("-{c}"));
    }
    // One route can reach one Service through an HTTP and an HTTPS listener; gRPC and HTTP/2
    // only work behind HTTPS, so those need a target group of their own.
    if let Some(v @ (ProtocolVersion::Grpc | ProtocolVersion::Http2)) = protocol_version {
        id.push_str(&format!("-{}", v.as_str()));
    }
    let instance_port;
    let name_port = if target_type == TargetType::Instance {
        instance_port = port.to_string();
        instance_port.as_str()
    } else {
        id_port
    };
    let name = props.target_group_name.clone().unwrap_or_else(|| {
        names::target_group(&names::TargetGroupNameInput {
            cluster: &ctx.settings.cluster_name,
            gateway_namespace: &ctx.key.namespace,
            gateway_name: &ctx.key.name,
            route_namespace: &route.key.namespace,
            route_name: &route.key.name,
            route_kind: route.kind.as_str(),
            backend_namespace: backend_ns,
            backend_name,
            port: name_port,
            target_type: target_type.as_str(),
            protocol: protocol.as_str(),
            protocol_version: protocol_version.map(|v| v.as_str()),
            target_control_port,
        })
    });
    TargetGroup {
        tags: tags::build(ctx, id.as_str(), props.tags.as_ref()),
        id,
        name,
        protocol,
        protocol_version,
        port,
        target_type,
        ip_address_type,
        health_check,
        target_control_port,
        attributes: crate::config::attributes(props.target_group_attributes.as_ref()),
        backend: Backend {
            kind: backend_kind.to_string(),
            namespace: backend_ns.to_string(),
            name: backend_name.to_string(),
            port: backend_port,
            load_balancer: None,
        },
        // Only nodes are selected (§c.3: TGC nodeSelector, instance targets only).
        node_selector: props
            .node_selector
            .as_ref()
            .filter(|_| target_type == TargetType::Instance)
            .map(node_selector),
    }
}

fn node_selector(s: &gantry_api::k8s::LabelSelector) -> gantry_model::NodeSelector {
    gantry_model::NodeSelector {
        match_labels: s.match_labels.clone().unwrap_or_default(),
        match_expressions: s
            .match_expressions
            .iter()
            .flatten()
            .map(|e| gantry_model::SelectorRequirement {
                key: e.key.clone(),
                operator: e.operator.clone(),
                values: e.values.clone().unwrap_or_default(),
            })
            .collect(),
    }
}

fn target_port_string(port: &gantry_api::k8s::ServicePort) -> String {
    match &port.target_port {
        Some(IntOrString::Int(p)) => p.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => port.port.to_string(),
    }
}

fn protocol(
    lb: LbKind,
    kind: RouteKind,
    listener: Protocol,
    props: &TargetGroupProps,
) -> Result<Protocol, TargetGroupError> {
    match lb {
        LbKind::Alb => match props.protocol {
            None | Some(CfgProtocol::Http) => Ok(Protocol::Http),
            Some(CfgProtocol::Https) => Ok(Protocol::Https),
            Some(other) => Err(TargetGroupError::AlbProtocol(other.as_str())),
        },
        LbKind::Nlb => {
            if matches!(
                listener,
                Protocol::TcpUdp | Protocol::Quic | Protocol::TcpQuic
            ) {
                return Ok(listener);
            }
            match props.protocol {
                Some(CfgProtocol::Tcp) => Ok(Protocol::Tcp),
                Some(CfgProtocol::Tls) => Ok(Protocol::Tls),
                Some(CfgProtocol::Udp) => Ok(Protocol::Udp),
                Some(CfgProtocol::TcpUdp) => Ok(Protocol::TcpUdp),
                Some(other) => Err(TargetGroupError::NlbProtocol(other.as_str())),
                None => Ok(match kind {
                    RouteKind::Udp => Protocol::Udp,
                    // A passthrough listener forwards TLS unterminated: plain TCP to the targets.
                    RouteKind::Tls if listener == Protocol::Tls => Protocol::Tls,
                    _ => Protocol::Tcp,
                }),
            }
        }
    }
}
