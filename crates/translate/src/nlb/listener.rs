//! One NLB listener from the Gateway listeners on its port: protocol, configuration, TLS.

use crate::attach::Listener as GatewayListener;
use crate::config::load_balancer::listener_configuration;
use crate::config::{self, CertificateSources, listener_attributes};
use crate::context::Context;
use crate::status::reasons::Reason;
use crate::tags::listener_tags;
use gantry_api::crds::{AlpnPolicy, ListenerConfiguration};
use gantry_model::{Action, Listener, Protocol};
use thiserror::Error;

/// Why the Gateway listeners on a port cannot share one NLB listener.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum PlanError {
    #[error(
        "TLS listeners {listeners} share port {port} but do not agree on tls.mode; one NLB listener either terminates TLS or passes it through"
    )]
    TlsModes { listeners: String, port: i32 },
}

/// What a port's NLB listener will be, decided before its backend is known.
pub struct Plan {
    pub protocol: Protocol,
    /// The `listenerConfigurations` entry that applies, if any.
    pub config: Option<ListenerConfiguration>,
    /// The `PROTOCOL:PORT` of that entry (for messages).
    pub config_key: String,
    /// From TLS listeners with `tls.mode: Passthrough`.
    pub passthrough: bool,
}

/// Protocol and configuration of the listener on `port`, made of the Gateway listeners
/// `gateway_listeners` (those on the port that carry a route). `Err` says why there can be none.
pub fn plan(
    ctx: &mut Context<'_>,
    port: i32,
    gateway_listeners: &[usize],
) -> Result<Plan, PlanError> {
    let ls: Vec<&GatewayListener> = gateway_listeners
        .iter()
        .map(|&i| &ctx.listeners[i])
        .collect();
    let tls: Vec<&&GatewayListener> = ls.iter().filter(|l| l.protocol == "TLS").collect();
    if tls.iter().any(|l| l.passthrough) && tls.iter().any(|l| !l.passthrough) {
        return Err(PlanError::TlsModes {
            listeners: tls
                .iter()
                .map(|l| l.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            port,
        });
    }
    let passthrough = tls.first().is_some_and(|l| l.passthrough);
    let has = |p: &str| ls.iter().any(|l| l.protocol == p);
    let base = base_protocol(has("TCP"), has("UDP"), has("TLS"), passthrough);
    let keys = config_keys(base, passthrough);
    let found = keys
        .iter()
        .find_map(|p| listener_configuration(&ctx.config, p, port).map(|c| (*p, c.clone())));
    let config_key = format!("{}:{port}", found.as_ref().map_or(keys[0], |(p, _)| p));
    let config = found.map(|(_, c)| c);
    let mut protocol = base;
    if config.as_ref().and_then(|c| c.quic_enabled) == Some(true) {
        match with_quic(base) {
            Some(p) => protocol = p,
            None => ctx.found.problem(format!(
                "listenerConfigurations {config_key}: quicEnabled is ignored; QUIC applies to UDP and TCP_UDP listeners only"
            )),
        }
    }
    Ok(Plan {
        protocol,
        config,
        config_key,
        passthrough,
    })
}

/// Builds the listener with its default action. `None` when it cannot exist (a TLS listener
/// without certificate nor hostname to discover one by); the Gateway listeners then report why.
pub fn build(
    ctx: &mut Context<'_>,
    port: i32,
    gateway_listeners: &[usize],
    plan: &Plan,
    forward: Action,
) -> Option<Listener> {
    let cfg = plan.config.as_ref();
    let key = &plan.config_key;
    let mut certificates = CertificateSources::default();
    let mut ssl_policy = None;
    let mut alpn_policy = None;
    if plan.protocol == Protocol::Tls {
        let Some(sources) = config::certificate_sources(ctx, cfg, gateway_listeners) else {
            let message = format!(
                "TLS listener on port {port} has no certificate and no hostname to discover one in ACM by: set defaultCertificate for TLS:{port} in the LoadBalancerConfiguration listenerConfigurations, or give the listener or its TLSRoutes hostnames"
            );
            ctx.found
                .listener_problem(gateway_listeners, Reason::InvalidCertificateRef, message);
            return None;
        };
        certificates = sources;
        ssl_policy = Some(config::ssl_policy(ctx, cfg));
        // AWS's own default, written out so that the plan shows it and drift is visible.
        let alpn = cfg
            .and_then(|c| c.alpn_policy)
            .map_or("None", |a| a.as_str());
        alpn_policy = Some(vec![alpn.to_string()]);
    } else if let Some(c) = cfg {
        let mut ignored = Vec::new();
        if c.default_certificate.is_some() || c.certificates.as_ref().is_some_and(|l| !l.is_empty())
        {
            ignored.push("certificates");
        }
        if c.ssl_policy.is_some() {
            ignored.push("sslPolicy");
        }
        // `None` is the schema default (every stored configuration has it) and what a
        // listener without TLS has anyway: nothing is dropped.
        if c.alpn_policy.is_some_and(|a| a != AlpnPolicy::None) {
            ignored.push("alpnPolicy");
        }
        if !ignored.is_empty() {
            let why = if plan.passthrough {
                " (TLS passthrough)"
            } else {
                ""
            };
            ctx.found.problem(format!(
                "listenerConfigurations {key}: {} ignored; the listener on port {port} is {}{why}, and only TLS listeners take them",
                ignored.join(", "),
                plan.protocol.as_str()
            ));
        }
    }
    if cfg.is_some_and(|c| c.mutual_authentication.is_some()) {
        ctx.found.problem(format!("listenerConfigurations {key}: mutualAuthentication is ignored; only ALB listeners take it"));
    }
    Some(Listener {
        id: port.to_string(),
        port,
        protocol: plan.protocol,
        default_actions: vec![forward],
        certificates: certificates.arns,
        certificate_hostnames: certificates.hostnames,
        certificate_secrets: certificates.secrets,
        ssl_policy,
        alpn_policy,
        mutual_authentication: None,
        attributes: listener_attributes(cfg),
        tags: listener_tags(ctx, port),
        rules: vec![],
    })
}

/// The NLB protocol of a port from the Gateway listener protocols on it. Listener validation
/// already refused every mix but TCP with UDP (and TLS listeners differing by hostname).
fn base_protocol(tcp: bool, udp: bool, tls: bool, passthrough: bool) -> Protocol {
    // A passthrough TLS listener forwards the bytes unterminated: a TCP listener.
    let tls_terminated = tls && !passthrough;
    let stream = tcp || (tls && passthrough);
    match (tls_terminated, stream, udp) {
        (true, _, _) => Protocol::Tls,
        (false, true, true) => Protocol::TcpUdp,
        (false, false, true) => Protocol::Udp,
        _ => Protocol::Tcp,
    }
}

/// `listenerConfigurations` keys that apply to a listener, best first: the Gateway listener
/// protocol it comes from, or for a merged TCP_UDP port the merged protocol, then either half.
fn config_keys(protocol: Protocol, passthrough: bool) -> &'static [&'static str] {
    match protocol {
        Protocol::TcpUdp => &["TCP_UDP", "TCP", "UDP"],
        Protocol::Tcp if passthrough => &["TLS", "TCP"],
        Protocol::Udp => &["UDP"],
        Protocol::Tls => &["TLS"],
        _ => &["TCP"],
    }
}

/// `quicEnabled`: UDP becomes QUIC and TCP_UDP becomes TCP_QUIC; nothing else can.
fn with_quic(protocol: Protocol) -> Option<Protocol> {
    match protocol {
        Protocol::Udp => Some(Protocol::Quic),
        Protocol::TcpUdp => Some(Protocol::TcpQuic),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_protocol_from_gateway_listener_protocols() {
        // (tcp, udp, tls, passthrough) → protocol
        let cases = [
            ((true, false, false, false), Protocol::Tcp),
            ((false, true, false, false), Protocol::Udp),
            ((true, true, false, false), Protocol::TcpUdp),
            ((false, false, true, false), Protocol::Tls),
            ((false, false, true, true), Protocol::Tcp),
        ];
        for ((tcp, udp, tls, passthrough), want) in cases {
            assert_eq!(
                base_protocol(tcp, udp, tls, passthrough),
                want,
                "{tcp} {udp} {tls} {passthrough}"
            );
        }
    }

    #[test]
    fn quic_upgrades_only_udp_and_tcp_udp() {
        assert_eq!(with_quic(Protocol::Udp), Some(Protocol::Quic));
        assert_eq!(with_quic(Protocol::TcpUdp), Some(Protocol::TcpQuic));
        assert_eq!(with_quic(Protocol::Tcp), None);
        assert_eq!(with_quic(Protocol::Tls), None);
    }

    #[test]
    fn passthrough_listeners_read_the_tls_configuration_first() {
        assert_eq!(config_keys(Protocol::Tcp, true), ["TLS", "TCP"]);
        assert_eq!(
            config_keys(Protocol::TcpUdp, false),
            ["TCP_UDP", "TCP", "UDP"]
        );
    }
}
