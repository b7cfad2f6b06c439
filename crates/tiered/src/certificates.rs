//! The certificate of each load balancer listener that terminates TLS (an `HTTPS` or `TLS`
//! load balancer protocol): the class's `certificateARN`; else a listener's Secret when the
//! port has a listener without hostname ([`crate::secret_certificates`]); else the ACM
//! certificate covering the hostnames of the Gateway listeners on that port.
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
use crate::secret_certificates::{ImportedCertificate, SecretCertificate, has_hostname};
use gantry_api::gateway::GatewayListeners;
use gantry_gateway::attach::Listener;
use gantry_gateway::attach::listeners::ListenerProblem;
use gantry_gateway::status::reasons::Reason;
use gantry_model::certificate_names::covers;
use gantry_snapshot::{ObjectKey, Snapshot};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

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
/// there: the class has no `certificateARN`, the listener no hostname to look one up by in
/// ACM and no certificateRefs to import (those are checked in [`resolve`]).
pub(crate) fn missing(
    l: &Listener,
    spec: &GatewayListeners,
    lb: &str,
    config: &ClassConfig,
) -> Option<ListenerProblem> {
    let refs = spec
        .tls
        .iter()
        .any(|t| t.certificate_refs.as_ref().is_some_and(|r| !r.is_empty()));
    if config.certificate_arn.is_some() || has_hostname(l) || refs {
        return None;
    }
    Some(ListenerProblem {
        reason: Reason::InvalidCertificateRef,
        message: format!(
            "Listener {} needs a {lb} load balancer listener, which needs a certificate: certificateARN in ConfigMap {}, a hostname to find an ISSUED ACM certificate by, or tls.certificateRefs naming a {} Secret to import",
            l.name,
            config.source,
            gantry_gateway::certificates::TLS_SECRET_TYPE
        ),
    })
}

/// Why no ACM certificate serves a port's hostnames.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub(crate) enum NoAcmCertificate {
    #[error(
        "no single ISSUED ACM certificate covers all of {0} (the load balancer listener takes one certificate)"
    )]
    NoSingle(String),
    #[error("no ISSUED ACM certificate covers {0}")]
    Uncovered(String),
}

/// What the certificate ARN of a port terminating TLS waits for.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub(crate) enum AwaitedCertificate {
    /// ACM's list of certificates, to find the one covering these hostnames.
    #[error("ACM certificate for {0}")]
    Acm(String),
    /// The import of this Secret's certificate into ACM.
    #[error("ARN of the ACM certificate imported from Secret {0}")]
    Imported(String),
}

/// The lowest ARN of the certificates covering every one of `hosts`, or why there is none.
pub(crate) fn choose(
    certificates: &[AcmCertificate],
    hosts: &[String],
) -> Result<String, NoAcmCertificate> {
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
        NoAcmCertificate::NoSingle(hosts.join(", "))
    } else {
        NoAcmCertificate::Uncovered(uncovered.join(", "))
    })
}

/// What a Gateway's certificates are read from, besides its listeners.
pub(crate) struct Sources<'a> {
    pub snapshot: &'a Snapshot,
    pub gateway: &'a ObjectKey,
    pub specs: &'a [GatewayListeners],
    /// Seconds since the Unix epoch, to check the Secrets' validity; None: unchecked.
    pub now: Option<i64>,
    pub acm: Option<&'a [AcmCertificate]>,
    pub imported: Option<&'a [ImportedCertificate]>,
}

/// The load balancer certificates of one Gateway.
#[derive(Default)]
pub(crate) struct Resolved {
    /// Per port terminating TLS: the certificate ARN, or what is awaited.
    pub ports: BTreeMap<i32, Result<String, AwaitedCertificate>>,
    /// Served listeners with some invalid certificateRefs: `ResolvedRefs=False`.
    pub refs: BTreeMap<usize, (Reason, String)>,
    /// The Secrets' certificates the ports take, to import into ACM.
    pub secrets: Vec<SecretCertificate>,
}

/// The certificate of each port whose load balancer listener terminates TLS: the class's
/// `certificateARN`; else, when a listener on the port has no hostname, the certificate of
/// its Secret (imported into ACM, [`crate::secret_certificates`]); else the ACM certificate
/// covering the port's hostnames. `Err(what is awaited)` while ACM has not been read or the
/// Secret's certificate not imported. Listeners on a port no certificate fits are refused
/// here (`InvalidCertificateRef` / `RefNotPermitted`), which removes the port. `needs_acm`
/// is set when a port waits for ACM's list.
pub(crate) fn resolve(
    listeners: &mut [Listener],
    config: &ClassConfig,
    sources: &Sources<'_>,
    needs_acm: &mut bool,
) -> Resolved {
    let mut hosts: BTreeMap<i32, BTreeSet<String>> = BTreeMap::new();
    let mut hostless: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
    for (i, l) in listeners.iter().enumerate().filter(|(_, l)| l.is_valid()) {
        let terminating = config
            .protocols
            .get(&l.protocol)
            .is_some_and(|p| terminates_tls(p));
        if terminating {
            let entry = hosts.entry(l.port).or_default();
            match l.hostname.as_deref().filter(|h| !h.is_empty()) {
                Some(h) => {
                    entry.insert(h.to_ascii_lowercase());
                }
                None => hostless.entry(l.port).or_default().push(i),
            }
        }
    }
    let mut out = Resolved::default();
    for (port, hosts) in hosts {
        if let Some(arn) = &config.certificate_arn {
            out.ports.insert(port, Ok(arn.clone()));
            continue;
        }
        if let Some(hostless) = hostless.get(&port) {
            let secret =
                crate::secret_certificates::for_port(sources, listeners, hostless, &mut out.refs);
            if let Some(s) = secret {
                let arn = s
                    .arn
                    .ok_or_else(|| AwaitedCertificate::Imported(s.certificate.secret.clone()));
                if !out.secrets.contains(&s.certificate) {
                    out.secrets.push(s.certificate);
                }
                out.ports.insert(port, arn);
                continue;
            }
            // Every hostname-less listener refused: the others still find theirs in ACM.
            if hosts.is_empty() {
                continue;
            }
        }
        let hosts: Vec<String> = hosts.into_iter().collect();
        let certificate = match sources.acm {
            None => {
                *needs_acm = true;
                Err(AwaitedCertificate::Acm(hosts.join(", ")))
            }
            Some(acm) => match choose(acm, &hosts) {
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
        out.ports.insert(port, certificate);
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
        let none = choose(&acm, &hosts(&["a.example.com", "x.other.org"]))
            .unwrap_err()
            .to_string();
        assert!(none.contains("covers x.other.org"), "{none}");
        let split = [
            cert("arn:a", &["a.example.com"]),
            cert("arn:b", &["b.other.org"]),
        ];
        let split = choose(&split, &hosts(&["a.example.com", "b.other.org"]))
            .unwrap_err()
            .to_string();
        assert!(split.contains("no single"), "{split}");
    }
}
