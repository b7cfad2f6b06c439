//! Target groups named by `TargetGroupName` backendRefs: managed outside Kubernetes, looked up
//! by name before anything changes, and only ever forwarded to — never created, modified,
//! tagged or deleted (they carry no ownership tags, so nothing else here touches them either).

use crate::client::Clients;
use crate::convert::protocol;
use crate::discover::target_group;
use crate::error::{Error, Result};
use gantry_model::{ArnRef, LoadBalancerType, Protocol, Stack};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A target group found by name: its ARN and protocol (None for Lambda target groups).
#[derive(Clone, Debug)]
struct Found {
    arn: String,
    protocol: Option<Protocol>,
}

/// `stack` with every [`ArnRef::TargetGroupName`] replaced by the target group's ARN; one
/// `DescribeTargetGroups` per distinct name. Names that match no target group fail the run
/// before any change, all of them named ([`Error::TargetGroupNameNotFound`]); so do target
/// groups whose protocol the listener cannot forward to ([`Error::TargetGroupNameIncompatible`]),
/// which AWS would refuse halfway through the run.
pub(crate) async fn resolve<'s>(aws: &Clients, stack: &'s Stack) -> Result<Cow<'s, Stack>> {
    let mut names: BTreeMap<String, Option<Found>> = BTreeMap::new();
    for r in stack.forwarded_target_groups() {
        if let ArnRef::TargetGroupName(name) = r {
            names.insert(name.clone(), None);
        }
    }
    if names.is_empty() {
        return Ok(Cow::Borrowed(stack));
    }
    for (name, arn) in names.iter_mut() {
        *arn = lookup(aws, name).await?;
    }
    let missing: Vec<String> = names
        .iter()
        .filter(|(_, arn)| arn.is_none())
        .map(|(n, _)| n.clone())
        .collect();
    if !missing.is_empty() {
        return Err(Error::TargetGroupNameNotFound {
            gateway: stack.gateway.clone(),
            names: missing,
        });
    }
    let mut incompatible = Vec::new();
    let mut out = stack.clone();
    for l in &mut out.listeners {
        let listener_protocol = l.protocol;
        let port = l.port;
        let actions = l
            .default_actions
            .iter_mut()
            .chain(l.rules.iter_mut().flat_map(|r| r.actions.iter_mut()));
        for a in actions {
            for t in a
                .forward_config
                .iter_mut()
                .flat_map(|f| f.target_groups.iter_mut())
            {
                if let ArnRef::TargetGroupName(name) = &t.target_group_arn
                    && let Some(Some(found)) = names.get(name)
                {
                    if !compatible(stack.load_balancer.kind, listener_protocol, found.protocol) {
                        let problem = format!(
                            "target group {name} ({}) cannot take traffic from the {} listener on port {port}; {}",
                            found.protocol.map_or("no protocol", |p| p.as_str()),
                            listener_protocol.as_str(),
                            accepted(stack.load_balancer.kind, listener_protocol)
                        );
                        if !incompatible.contains(&problem) {
                            incompatible.push(problem);
                        }
                    }
                    t.target_group_arn = ArnRef::Existing(found.arn.clone());
                }
            }
        }
    }
    if !incompatible.is_empty() {
        return Err(Error::TargetGroupNameIncompatible {
            gateway: stack.gateway.clone(),
            problems: incompatible,
        });
    }
    Ok(Cow::Owned(out))
}

/// The target group protocols a listener forwards to, as ELBv2 allows them: an ALB listener to
/// HTTP / HTTPS target groups (or Lambda ones, which have no protocol); an NLB listener of
/// TCP to TCP / TCP_UDP, TLS to TCP / TLS, UDP to UDP / TCP_UDP, and TCP_UDP, QUIC, TCP_QUIC
/// each to their own protocol.
fn allowed(kind: LoadBalancerType, listener: Protocol) -> &'static [Protocol] {
    use Protocol::*;
    match (kind, listener) {
        (LoadBalancerType::Application, _) => &[Http, Https],
        (LoadBalancerType::Network, Tcp) => &[Tcp, TcpUdp],
        (LoadBalancerType::Network, Tls) => &[Tcp, Tls],
        (LoadBalancerType::Network, Udp) => &[Udp, TcpUdp],
        (LoadBalancerType::Network, TcpUdp) => &[TcpUdp],
        (LoadBalancerType::Network, Quic) => &[Quic],
        (LoadBalancerType::Network, TcpQuic) => &[TcpQuic],
        (LoadBalancerType::Network, Http | Https) => &[],
    }
}

fn compatible(kind: LoadBalancerType, listener: Protocol, target: Option<Protocol>) -> bool {
    match target {
        Some(p) => allowed(kind, listener).contains(&p),
        // Lambda target groups: only an ALB forwards to them.
        None => kind == LoadBalancerType::Application,
    }
}

/// What the listener would accept, for the message.
fn accepted(kind: LoadBalancerType, listener: Protocol) -> String {
    let names: Vec<&str> = allowed(kind, listener).iter().map(|p| p.as_str()).collect();
    match names.as_slice() {
        [] => "it forwards to no target group".to_string(),
        [one] => format!("it forwards to {one} target groups only"),
        [a, b] => format!("it forwards to {a} or {b} target groups only"),
        _ => format!("it forwards to {} target groups only", names.join(", ")),
    }
}

async fn lookup(aws: &Clients, name: &str) -> Result<Option<Found>> {
    Ok(target_group::by_name(aws, name).await?.map(|t| Found {
        protocol: protocol(t.protocol.as_ref()),
        arn: t.target_group_arn.unwrap_or_default(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use LoadBalancerType::{Application, Network};
    use Protocol::*;

    #[test]
    fn nlb_listeners_forward_to_the_protocols_elbv2_allows() {
        assert!(compatible(Network, Tcp, Some(Tcp)));
        assert!(compatible(Network, Tcp, Some(TcpUdp)));
        assert!(!compatible(Network, Tcp, Some(Udp)));
        assert!(!compatible(Network, Tcp, Some(Tls)));
        assert!(compatible(Network, Tls, Some(Tcp)));
        assert!(compatible(Network, Tls, Some(Tls)));
        assert!(compatible(Network, Udp, Some(Udp)));
        assert!(compatible(Network, Udp, Some(TcpUdp)));
        assert!(!compatible(Network, Udp, Some(Tcp)));
        assert!(compatible(Network, TcpUdp, Some(TcpUdp)));
        assert!(!compatible(Network, TcpUdp, Some(Tcp)));
        assert!(compatible(Network, Quic, Some(Quic)));
        assert!(!compatible(Network, Quic, Some(Udp)));
        assert!(!compatible(Network, Tcp, Some(Http)));
        assert!(!compatible(Network, Tcp, None));
    }

    #[test]
    fn alb_listeners_forward_to_http_https_and_lambda_target_groups() {
        assert!(compatible(Application, Http, Some(Http)));
        assert!(compatible(Application, Http, Some(Https)));
        assert!(compatible(Application, Https, None));
        assert!(!compatible(Application, Http, Some(Tcp)));
    }

    #[test]
    fn the_message_names_what_the_listener_accepts() {
        assert_eq!(
            accepted(Network, Udp),
            "it forwards to UDP or TCP_UDP target groups only"
        );
        assert_eq!(
            accepted(Network, TcpUdp),
            "it forwards to TCP_UDP target groups only"
        );
    }
}
