//! The certificate of each load balancer listener that terminates TLS (an `HTTPS` or `TLS`
//! load balancer protocol): the class's `certificateARN`, else the ACM certificate covering
//! the hostnames of the Gateway listeners on that port.
//!
//! Neither provider family can find an existing ACM certificate by name (Upbound's
//! `LBListener` takes `certificateArn` and has no reference field for it; its ACM
//! `Certificate` kind requests or imports a certificate, it does not look one up), so the
//! controller reads ACM's ISSUED certificates and passes them in [`crate::Observed`]; the
//! plan stays pure and says when it needs them ([`crate::TieredPlan::needs_acm`]). The
//! listener objects take one certificate (`certificateArn`; additional ones would need a
//! listener-certificate kind gantry does not write), so one certificate must cover every
//! hostname of the port: the lowest ARN of those that do.

use crate::config::ClassConfig;
use gantry_api::gateway::GatewayListeners;
use gantry_gateway::attach::Listener;
use gantry_gateway::attach::listeners::ListenerProblem;
use gantry_gateway::status::reasons::Reason;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// An ISSUED ACM certificate and the names it covers (domain name and SANs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcmCertificate {
    pub arn: String,
    pub names: Vec<String>,
}

/// Whether the load balancer protocol terminates TLS and so needs a certificate.
pub(crate) fn terminates_tls(lb_protocol: &str) -> bool {
    matches!(lb_protocol, "HTTPS" | "TLS")
}

/// Why a Gateway listener terminating TLS on the load balancer cannot get a certificate
/// there, when the class has no `certificateARN` and the listener no hostname to look one up
/// by. A listener's own `certificateRefs` serve the in-cluster gateway (the shadow keeps
/// them); they are not imported for the load balancer, and the message says so.
pub(crate) fn missing(
    l: &Listener,
    spec: &GatewayListeners,
    lb: &str,
    config: &ClassConfig,
) -> Option<ListenerProblem> {
    if config.certificate_arn.is_some() || l.hostname.as_deref().is_some_and(|h| !h.is_empty()) {
        return None;
    }
    let secrets: Vec<String> = spec
        .tls
        .iter()
        .flat_map(|t| t.certificate_refs.iter().flatten())
        .map(|r| r.name.clone())
        .collect();
    let refs = if secrets.is_empty() {
        String::new()
    } else {
        format!(
            "; its certificateRefs ({}) serve the in-cluster gateway only: the tiered class does not import a Secret's certificate for the load balancer (none of the provider kinds gantry writes is an ACM certificate)",
            secrets.join(", ")
        )
    };
    Some(ListenerProblem {
        reason: Reason::InvalidCertificateRef,
        message: format!(
            "Listener {} needs a {lb} load balancer listener, which needs a certificate: certificateARN in ConfigMap {}, or a hostname to find an ISSUED ACM certificate by{refs}",
            l.name, config.source
        ),
    })
}

/// Whether the certificate name `name` covers `host`: a wildcard `*.d` covers every host of
/// exactly one label more than `d`, any other name only itself; DNS names ignore case. (The
/// same rule as the deployer's ACM discovery for ALB and NLB Gateways.)
pub(crate) fn covers(name: &str, host: &str) -> bool {
    if name.eq_ignore_ascii_case(host) {
        return true;
    }
    let Some(domain) = name.strip_prefix("*.") else {
        return false;
    };
    host.split_once('.')
        .is_some_and(|(first, rest)| !first.is_empty() && rest.eq_ignore_ascii_case(domain))
}

/// The lowest ARN of the certificates covering every one of `hosts`, or why there is none.
pub(crate) fn choose(certificates: &[AcmCertificate], hosts: &[String]) -> Result<String, String> {
    let covers_all =
        |c: &&AcmCertificate| hosts.iter().all(|h| c.names.iter().any(|n| covers(n, h)));
    if let Some(c) = certificates
        .iter()
        .filter(covers_all)
        .min_by(|a, b| a.arn.cmp(&b.arn))
    {
        return Ok(c.arn.clone());
    }
    let uncovered: Vec<&str> = hosts
        .iter()
        .filter(|h| {
            !certificates
                .iter()
                .any(|c| c.names.iter().any(|n| covers(n, h)))
        })
        .map(String::as_str)
        .collect();
    Err(if uncovered.is_empty() {
        format!(
            "no single ISSUED ACM certificate covers all of {} (the load balancer listener takes one certificate)",
            hosts.join(", ")
        )
    } else {
        format!("no ISSUED ACM certificate covers {}", uncovered.join(", "))
    })
}

/// The certificate of each port whose load balancer listener terminates TLS: `Ok(arn)`, or
/// `Err(what is awaited)` while ACM has not been read. Listeners on a port no ACM certificate
/// fits are refused here (`InvalidCertificateRef`), which removes the port. `needs_acm` is
/// set when a port waits for ACM.
pub(crate) fn resolve(
    listeners: &mut [Listener],
    config: &ClassConfig,
    acm: Option<&[AcmCertificate]>,
    needs_acm: &mut bool,
) -> BTreeMap<i32, Result<String, String>> {
    let mut hosts: BTreeMap<i32, BTreeSet<String>> = BTreeMap::new();
    for l in listeners.iter().filter(|l| l.is_valid()) {
        let terminating = config
            .protocols
            .get(&l.protocol)
            .is_some_and(|p| terminates_tls(p));
        if terminating {
            let entry = hosts.entry(l.port).or_default();
            entry.extend(l.hostname.iter().map(|h| h.to_ascii_lowercase()));
        }
    }
    let mut out = BTreeMap::new();
    for (port, hosts) in hosts {
        let hosts: Vec<String> = hosts.into_iter().collect();
        let certificate = match (&config.certificate_arn, acm) {
            (Some(arn), _) => Ok(arn.clone()),
            (None, None) => {
                *needs_acm = true;
                Err(format!("ACM certificate for {}", hosts.join(", ")))
            }
            (None, Some(acm)) => match choose(acm, &hosts) {
                Ok(arn) => Ok(arn),
                Err(why) => {
                    for l in listeners
                        .iter_mut()
                        .filter(|l| l.port == port && l.is_valid())
                    {
                        l.problem = Some(ListenerProblem {
                            reason: Reason::InvalidCertificateRef,
                            message: format!(
                                "Listener {} needs a certificate on the load balancer's port {port}: {why}; set certificateARN in ConfigMap {}",
                                l.name, config.source
                            ),
                        });
                    }
                    continue;
                }
            },
        };
        out.insert(port, certificate);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(arn: &str, names: &[&str]) -> AcmCertificate {
        AcmCertificate {
            arn: arn.into(),
            names: names.iter().map(|n| n.to_string()).collect(),
        }
    }

    fn hosts(h: &[&str]) -> Vec<String> {
        h.iter().map(|h| h.to_string()).collect()
    }

    #[test]
    fn wildcards_cover_one_label() {
        assert!(covers("*.example.com", "a.example.com"));
        assert!(covers("*.Example.com", "A.example.COM"));
        assert!(!covers("*.example.com", "a.b.example.com"));
        assert!(!covers("*.example.com", "example.com"));
        assert!(covers("a.example.com", "A.example.com"));
    }

    #[test]
    fn one_certificate_must_cover_every_host_of_the_port() {
        let acm = [
            cert("arn:c", &["*.example.com"]),
            cert("arn:b", &["a.example.com", "b.example.com"]),
            cert("arn:a", &["a.example.com"]),
        ];
        // Both b and c cover a and b: the lowest ARN wins.
        assert_eq!(
            choose(&acm, &hosts(&["a.example.com", "b.example.com"])),
            Ok("arn:b".into())
        );
        assert_eq!(choose(&acm, &hosts(&["a.example.com"])), Ok("arn:a".into()));
        let none = choose(&acm, &hosts(&["a.example.com", "x.other.org"])).unwrap_err();
        assert!(none.contains("covers x.other.org"), "{none}");
        let split = [
            cert("arn:a", &["a.example.com"]),
            cert("arn:b", &["b.other.org"]),
        ];
        let split = choose(&split, &hosts(&["a.example.com", "b.other.org"])).unwrap_err();
        assert!(split.contains("no single"), "{split}");
    }
}
