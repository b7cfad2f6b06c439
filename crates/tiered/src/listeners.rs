//! Listeners of a tiered Gateway: validated with translate's rules, then checked against the
//! class's protocol mapping; and their status conditions.
//!
//! The in-cluster gateway serves HTTP and HTTPS (HTTPRoute, GRPCRoute) as well as TLS, TCP
//! and UDP (TLSRoute, TCPRoute, UDPRoute), so each listener is validated by the rules of the
//! load balancer kind that serves its protocol family. The cloud load balancer then has one
//! listener per port, so all listeners on a port must share one protocol.

use crate::certificates::AwaitedCertificate;
use crate::cloud::parts::Port;
use crate::config::ClassConfig;
use gantry_api::gateway::GatewayListeners;
use gantry_gateway::LbKind;
use gantry_gateway::attach::Listener;
use gantry_gateway::attach::listeners::{ListenerProblem, validate as validate_for};
use gantry_gateway::status::reasons::{PROGRAMMED, Reason};
use gantry_gateway::status::{Condition, listener_conditions};
use std::collections::BTreeMap;

pub(crate) fn validate(listeners: &[GatewayListeners], config: &ClassConfig) -> Vec<Listener> {
    let l7 = validate_for(LbKind::Alb, listeners);
    let l4 = validate_for(LbKind::Nlb, listeners);
    let mut port_protocols: BTreeMap<i32, String> = BTreeMap::new();
    l7.into_iter()
        .zip(l4)
        .zip(listeners)
        .map(|((l7, l4), spec)| {
            let mut l = if matches!(l7.protocol.as_str(), "HTTP" | "HTTPS") {
                l7
            } else {
                l4
            };
            if l.problem.is_some() {
                return l;
            }
            let problem = match config.protocols.get(&l.protocol) {
                None => Some(ListenerProblem {
                    reason: Reason::UnsupportedProtocol,
                    message: format!(
                        "Unsupported protocol {} for listener {}: the class configuration (ConfigMap {}) maps only {} to load balancer listeners",
                        l.protocol,
                        l.name,
                        config.source,
                        config.protocols.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                }),
                Some(lb) if crate::certificates::terminates_tls(lb)
                    && crate::certificates::missing(&l, spec, lb, config).is_some() =>
                {
                    crate::certificates::missing(&l, spec, lb, config)
                }
                Some(_) if port_protocols.get(&l.port).is_some_and(|p| p != &l.protocol) => {
                    Some(ListenerProblem {
                        reason: Reason::ProtocolConflict,
                        message: format!(
                            "Protocol conflict for port {}: the load balancer has one listener per port",
                            l.port
                        ),
                    })
                }
                Some(_) => {
                    port_protocols.insert(l.port, l.protocol.clone());
                    None
                }
            };
            if problem.is_some() {
                l.problem = problem;
            }
            l
        })
        .collect()
}

/// One load balancer port per port of the valid listeners, in port order, with the
/// certificate of those terminating TLS (`certificates`, from [`crate::certificates::resolve`]).
pub(crate) fn ports(
    listeners: &[Listener],
    config: &ClassConfig,
    certificates: &BTreeMap<i32, Result<String, AwaitedCertificate>>,
) -> Vec<Port> {
    let mut ports: BTreeMap<i32, String> = BTreeMap::new();
    for l in listeners.iter().filter(|l| l.is_valid()) {
        if let Some(lb) = config.protocols.get(&l.protocol) {
            ports.entry(l.port).or_insert_with(|| lb.clone());
        }
    }
    ports
        .into_iter()
        .map(|(port, protocol)| Port {
            port,
            certificate: crate::certificates::terminates_tls(&protocol)
                .then(|| certificates.get(&port).cloned())
                .flatten(),
            protocol,
        })
        .collect()
}

/// Conditions of one listener of the user's Gateway. Programmed waits for the shadow
/// Gateway's listener of the same name and the cloud listener of its port (`lb_listener`:
/// `<Kind> <key>`). `invalid_refs`: certificateRefs of a served listener that are invalid.
pub(crate) fn conditions(
    l: &Listener,
    invalid_refs: Option<&(Reason, String)>,
    shadow_programmed: bool,
    cloud_ready: bool,
    lb_listener: &str,
) -> Vec<Condition> {
    let refs = l
        .problem
        .as_ref()
        .filter(|p| {
            matches!(
                p.reason,
                Reason::InvalidCertificateRef | Reason::RefNotPermitted
            )
        })
        .map(|p| (p.reason, p.message.as_str()))
        .or(invalid_refs.map(|(r, m)| (*r, m.as_str())));
    listener_conditions(l, refs, || {
        if shadow_programmed && cloud_ready {
            return Condition::new(
                PROGRAMMED,
                true,
                Reason::Programmed,
                "Shadow listener and load balancer listener are programmed",
            );
        }
        let mut waiting = Vec::new();
        if !shadow_programmed {
            waiting.push(format!("shadow listener {} to be Programmed", l.name));
        }
        if !cloud_ready {
            waiting.push(format!("{lb_listener} to be Ready"));
        }
        Condition::unknown(
            PROGRAMMED,
            Reason::Pending,
            format!("Waiting for {}", waiting.join(" and ")),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gantry_snapshot::ObjectKey;

    fn listener(name: &str, port: i32, protocol: &str) -> GatewayListeners {
        serde_json::from_value(
            serde_json::json!({"name": name, "port": port, "protocol": protocol}),
        )
        .expect("valid listener")
    }

    fn config(pairs: &[(&str, &str)]) -> ClassConfig {
        let mut data: BTreeMap<String, String> =
            [("subnets", "s-1"), ("vpcID", "v"), ("region", "r")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        data.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        crate::config::parse(ObjectKey::new("ns", "cfg"), &data, None).expect("valid config")
    }

    fn reasons(ls: &[Listener]) -> Vec<Option<Reason>> {
        ls.iter()
            .map(|l| l.problem.as_ref().map(|p| p.reason))
            .collect()
    }

    #[test]
    fn protocols_must_be_mapped_and_one_per_port() {
        let c = config(&[("loadBalancerType", "NLB")]);
        let ls = validate(
            &[
                listener("web", 80, "HTTP"),
                listener("tcp", 80, "TCP"),
                listener("db", 5432, "TCP"),
                listener("dns", 53, "UDP"),
            ],
            &c,
        );
        assert_eq!(
            reasons(&ls),
            [
                None,
                Some(Reason::ProtocolConflict),
                None,
                Some(Reason::UnsupportedProtocol)
            ]
        );
        let ports = ports(&ls, &c, &BTreeMap::new());
        assert_eq!(
            ports,
            [
                Port {
                    port: 80,
                    protocol: "TCP".into(),
                    certificate: None,
                },
                Port {
                    port: 5432,
                    protocol: "TCP".into(),
                    certificate: None,
                }
            ]
        );
    }

    #[test]
    fn tls_load_balancer_listeners_need_a_certificate() {
        let without = validate(&[listener("https", 443, "HTTPS")], &config(&[]));
        assert_eq!(reasons(&without), [Some(Reason::InvalidCertificateRef)]);
        // A hostname is enough to plan: the certificate is looked up in ACM by it.
        let mut named = listener("https", 443, "HTTPS");
        named.hostname = Some("a.example.com".into());
        assert_eq!(reasons(&validate(&[named], &config(&[]))), [None]);
        let with = validate(
            &[listener("https", 443, "HTTPS")],
            &config(&[("certificateARN", "arn:c")]),
        );
        assert_eq!(reasons(&with), [None]);
    }

    #[test]
    fn translate_rules_still_apply() {
        let ls = validate(
            &[
                listener("a", 80, "HTTP"),
                listener("b", 80, "HTTP"),
                listener("c", 0, "HTTP"),
            ],
            &config(&[]),
        );
        // Both indistinct listeners are refused: "The implementation MUST NOT pick one
        // conflicting Listener as the winner."
        assert_eq!(
            reasons(&ls),
            [
                Some(Reason::HostnameConflict),
                Some(Reason::HostnameConflict),
                Some(Reason::PortUnavailable)
            ]
        );
    }
}
