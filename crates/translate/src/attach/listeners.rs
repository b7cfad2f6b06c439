//! Gateway listener validation: kinds, port, protocol, conflicts. Earlier listeners win.

use super::namespaces::{From, Selector};
use crate::LbKind;
use crate::routes::RouteKind;
use crate::status::reasons::Reason;
use gantry_api::gateway::{self as gw, GROUP};
use std::collections::BTreeMap;

/// A Gateway listener after validation.
#[derive(Clone, Debug)]
pub struct Listener {
    pub name: String,
    pub port: i32,
    pub protocol: String,
    pub hostname: Option<String>,
    /// TLS passthrough (`tls.mode: Passthrough`).
    pub passthrough: bool,
    pub from: From,
    /// Route kinds this listener accepts (`supportedKinds`).
    pub kinds: Vec<RouteKind>,
    /// Set when `allowedRoutes.kinds` named a kind this listener cannot serve.
    pub invalid_kinds: bool,
    pub problem: Option<ListenerProblem>,
}

/// Why a listener is not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerProblem {
    pub reason: Reason,
    pub message: String,
}

impl Listener {
    /// Whether the listener can be programmed at all.
    pub fn is_valid(&self) -> bool {
        self.problem.is_none() && !self.kinds.is_empty()
    }
    /// Whether a conflict with another listener made this one lose.
    pub fn is_conflicted(&self) -> bool {
        matches!(
            self.problem.as_ref().map(|p| p.reason),
            Some(Reason::HostnameConflict | Reason::ProtocolConflict)
        )
    }
}

/// Route kinds a listener protocol can carry, and the ones it carries by default.
fn kinds_for(protocol: &str) -> (&'static [RouteKind], &'static [RouteKind]) {
    use RouteKind::*;
    match protocol {
        "HTTP" => (&[Http, Grpc], &[Http]),
        "HTTPS" => (&[Http, Grpc], &[Http, Grpc]),
        "TLS" => (&[Tls, Tcp], &[Tls, Tcp]),
        "TCP" => (&[Tcp], &[Tcp]),
        "UDP" => (&[Udp], &[Udp]),
        _ => (&[], &[]),
    }
}

fn protocol_supported(lb: LbKind, protocol: &str) -> bool {
    match lb {
        LbKind::Alb => matches!(protocol, "HTTP" | "HTTPS"),
        LbKind::Nlb => matches!(protocol, "TCP" | "UDP" | "TLS"),
    }
}

/// Validates the listeners of a Gateway in spec order.
pub fn validate(lb: LbKind, listeners: &[gw::GatewayListeners]) -> Vec<Listener> {
    let mut port_protocols: BTreeMap<i32, Vec<String>> = BTreeMap::new();
    let mut claimed: Vec<(i32, String, String)> = Vec::new();
    listeners
        .iter()
        .map(|l| {
            let protocol = l.protocol.clone();
            let hostname = l.hostname.clone().filter(|h| !h.is_empty());
            let (allowed, defaults) = kinds_for(&protocol);
            let mut invalid_kinds = false;
            let kinds: Vec<RouteKind> = match l.allowed_routes.as_ref().and_then(|a| a.kinds.as_ref()) {
                Some(requested) if !requested.is_empty() => {
                    let mut kinds = Vec::new();
                    for k in requested {
                        let group_ok = k.group.as_deref().is_none_or(|g| g == GROUP);
                        match RouteKind::parse(&k.kind).filter(|rk| group_ok && allowed.contains(rk)) {
                            Some(rk) if protocol_supported(lb, &protocol) => {
                                if !kinds.contains(&rk) {
                                    kinds.push(rk)
                                }
                            }
                            _ => invalid_kinds = true,
                        }
                    }
                    kinds
                }
                _ if protocol_supported(lb, &protocol) => defaults.to_vec(),
                _ => vec![],
            };
            let problem = if !(1..=65535).contains(&l.port) {
                Some(ListenerProblem {
                    reason: Reason::PortUnavailable,
                    message: format!("Port {} is not available (listener name {})", l.port, l.name),
                })
            } else if !protocol_supported(lb, &protocol) {
                Some(ListenerProblem {
                    reason: Reason::UnsupportedProtocol,
                    message: format!(
                        "Unsupported protocol {protocol} for listener {}: {} load balancers serve {}",
                        l.name,
                        lb.display(),
                        lb.protocols()
                    ),
                })
            } else if port_protocols.get(&l.port).is_some_and(|ps| {
                ps.iter().any(|p| p != &protocol && !is_tcp_udp_pair(p, &protocol))
            }) {
                Some(ListenerProblem {
                    reason: Reason::ProtocolConflict,
                    message: format!("Protocol conflict for port {}", l.port),
                })
            } else {
                let host = hostname.clone().unwrap_or_default();
                if claimed.contains(&(l.port, protocol.clone(), host.clone())) {
                    Some(ListenerProblem {
                        reason: Reason::HostnameConflict,
                        message: if host.is_empty() {
                            format!("Hostname conflict for port {}: another listener on this port and protocol has no hostname either", l.port)
                        } else {
                            format!("Hostname conflict for port {} with hostname {}", l.port, host)
                        },
                    })
                } else {
                    None
                }
            };
            if problem.is_none() {
                port_protocols.entry(l.port).or_default().push(protocol.clone());
                claimed.push((l.port, protocol.clone(), hostname.clone().unwrap_or_default()));
            }
            Listener {
                name: l.name.clone(),
                port: l.port,
                protocol,
                hostname,
                passthrough: matches!(
                    l.tls.as_ref().and_then(|t| t.mode.as_ref()),
                    Some(gw::GatewayListenersTlsMode::Passthrough)
                ),
                from: from_of(l),
                kinds,
                invalid_kinds,
                problem,
            }
        })
        .collect()
}

fn is_tcp_udp_pair(a: &str, b: &str) -> bool {
    matches!((a, b), ("TCP", "UDP") | ("UDP", "TCP"))
}

fn from_of(l: &gw::GatewayListeners) -> From {
    let Some(ns) = l
        .allowed_routes
        .as_ref()
        .and_then(|a| a.namespaces.as_ref())
    else {
        return From::Same;
    };
    match ns.from {
        None | Some(gw::GatewayListenersAllowedRoutesNamespacesFrom::Same) => From::Same,
        Some(gw::GatewayListenersAllowedRoutesNamespacesFrom::All) => From::All,
        Some(gw::GatewayListenersAllowedRoutesNamespacesFrom::Selector) => match &ns.selector {
            Some(s) => From::Selector(Selector {
                match_labels: s.match_labels.clone().unwrap_or_default(),
                match_expressions: s
                    .match_expressions
                    .iter()
                    .flatten()
                    .map(|e| {
                        (
                            e.key.clone(),
                            e.operator.clone(),
                            e.values.clone().unwrap_or_default(),
                        )
                    })
                    .collect(),
            }),
            // A Selector without a selector selects nothing.
            None => From::None,
        },
    }
}
