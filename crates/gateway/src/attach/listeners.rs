//! Gateway listener validation: kinds, port, protocol, conflicts.

use super::namespaces::{From, Selector};
use crate::LbKind;
use crate::reasons::Reason;
use crate::routes::RouteKind;
use gantry_api::gateway::{self as gw, GROUP};
use gantry_snapshot::ObjectKey;

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
    /// The ListenerSet the listener comes from; None for the Gateway's own.
    pub origin: Option<ObjectKey>,
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

/// Validates the listeners of a Gateway. Conflicts are symmetric (Gateway API, Listeners:
/// "The implementation MUST NOT pick one conflicting Listener as the winner. ALL indistinct
/// Listeners must not be accepted for processing."): every listener of a conflicting set is
/// `Conflicted`, whatever its position.
pub fn validate(lb: LbKind, listeners: &[gw::GatewayListeners]) -> Vec<Listener> {
    let mut out: Vec<Listener> = listeners.iter().map(|l| validate_one(lb, l)).collect();
    let conflicts: Vec<Option<ListenerProblem>> =
        (0..out.len()).map(|i| conflict_of(&out, i)).collect();
    for (l, conflict) in out.iter_mut().zip(conflicts) {
        if l.problem.is_none() {
            l.problem = conflict;
        }
    }
    out
}

/// Validates the Gateway's own listeners, then those of its allowed ListenerSets (in
/// precedence order). Within one object conflicts are symmetric, as for a Gateway; a
/// ListenerSet listener that conflicts with one of higher precedence (the Gateway's, or an
/// earlier ListenerSet's) loses alone: the spec orders them so that one wins.
pub fn validate_with_sets(
    lb: LbKind,
    own: &[gw::GatewayListeners],
    sets: &[(ObjectKey, Vec<gw::GatewayListeners>)],
) -> Vec<Listener> {
    let mut out = validate(lb, own);
    for (key, specs) in sets {
        let mut batch = validate(lb, specs);
        for l in &mut batch {
            l.origin = Some(key.clone());
            if l.problem.is_some() {
                continue;
            }
            let mut before: Vec<Listener> = out
                .iter()
                .filter(|o| o.problem.is_none())
                .cloned()
                .collect();
            before.push(l.clone());
            l.problem = conflict_of(&before, before.len() - 1);
        }
        out.extend(batch);
    }
    out
}

/// The listener alone: kinds, port, protocol.
fn validate_one(lb: LbKind, l: &gw::GatewayListeners) -> Listener {
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
            message: format!(
                "Port {} is not available (listener name {})",
                l.port, l.name
            ),
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
    } else {
        None
    };
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
        origin: None,
    }
}

/// Why listener `i` conflicts with the other listeners on its port, if it does. Listeners
/// with a problem of their own (port, protocol) take no part.
fn conflict_of(all: &[Listener], i: usize) -> Option<ListenerProblem> {
    let l = &all[i];
    if l.problem.is_some() {
        return None;
    }
    let others: Vec<&Listener> = all
        .iter()
        .enumerate()
        .filter(|(j, o)| *j != i && o.port == l.port && o.problem.is_none())
        .map(|(_, o)| o)
        .collect();
    if let Some(o) = others
        .iter()
        .find(|o| o.protocol != l.protocol && !is_tcp_udp_pair(&o.protocol, &l.protocol))
    {
        return Some(ListenerProblem {
            reason: Reason::ProtocolConflict,
            message: format!(
                "Protocol conflict for port {}: listener {} is {} and listener {} is {}",
                l.port, l.name, l.protocol, o.name, o.protocol
            ),
        });
    }
    // Gateway API, Listeners: "Listeners that _only_ differ on TLS config will still conflict
    // in all cases"; and one load balancer listener either terminates TLS or passes it through.
    if let Some(o) = others
        .iter()
        .find(|o| o.protocol == "TLS" && l.protocol == "TLS" && o.passthrough != l.passthrough)
    {
        let mode = |x: &Listener| {
            if x.passthrough {
                "Passthrough"
            } else {
                "Terminate"
            }
        };
        return Some(ListenerProblem {
            reason: Reason::ProtocolConflict,
            message: format!(
                "Protocol conflict for port {}: TLS listener {} has tls.mode {} and listener {} has {}; one load balancer listener either terminates TLS or passes it through",
                l.port,
                l.name,
                mode(l),
                o.name,
                mode(o)
            ),
        });
    }
    let host = l.hostname.as_deref().unwrap_or_default();
    let same = others
        .iter()
        .find(|o| o.protocol == l.protocol && o.hostname.as_deref().unwrap_or_default() == host)?;
    Some(ListenerProblem {
        reason: Reason::HostnameConflict,
        message: if host.is_empty() {
            format!(
                "Hostname conflict for port {}: listeners {} and {} share the port and protocol and neither has a hostname",
                l.port, l.name, same.name
            )
        } else {
            format!(
                "Hostname conflict for port {}: listeners {} and {} both have hostname {host}",
                l.port, l.name, same.name
            )
        },
    })
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
            Some(s) => From::Selector(Selector::from(s)),
            // A Selector without a selector selects nothing.
            None => From::None,
        },
    }
}
