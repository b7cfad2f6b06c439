//! The LoadBalancerConfiguration and TargetGroupConfiguration that apply to a Gateway and its
//! backends, resolved and merged as the AWS Load Balancer Controller does.

pub mod load_balancer;
pub mod target_group;

use crate::context::Context;
use gantry_api::crds::ListenerConfiguration;
use gantry_model::{Certificate, SecretCertificate};

/// Listener configurations whose `protocolPort` names no listener of the Gateway apply to
/// nothing: said so in the Gateway's status. NLB listeners merged or upgraded by gantry
/// (`TCP_UDP`, `QUIC`, `TCP_QUIC`) match a TCP or UDP listener on their port.
pub fn unmatched_listener_configurations(ctx: &mut Context<'_>) {
    let unmatched: Vec<String> = ctx
        .config
        .listener_configurations
        .iter()
        .flatten()
        .map(|c| c.protocol_port.clone())
        .filter(|pp| {
            let Some((protocol, port)) = pp.split_once(':') else {
                return true;
            };
            let protocol = protocol.to_ascii_uppercase();
            !ctx.listeners.iter().any(|l| {
                l.port.to_string() == port
                    && (l.protocol.eq_ignore_ascii_case(&protocol)
                        || (matches!(protocol.as_str(), "TCP_UDP" | "QUIC" | "TCP_QUIC")
                            && matches!(l.protocol.as_str(), "TCP" | "UDP")))
            })
        })
        .collect();
    if ctx.lb == crate::LbKind::Alb {
        let configs = ctx
            .config
            .listener_configurations
            .clone()
            .unwrap_or_default();
        for c in &configs {
            nlb_only_listener_fields(ctx, Some(c));
        }
    }
    for pp in unmatched {
        ctx.found.ignored(format!(
            "LoadBalancerConfiguration listenerConfigurations protocolPort {pp}: no listener of this Gateway is on {pp}; ignored"
        ));
    }
}

/// Listener configuration fields of NLB listeners, named in the status when set on an ALB.
pub fn nlb_only_listener_fields(
    ctx: &mut Context<'_>,
    c: Option<&gantry_api::crds::ListenerConfiguration>,
) {
    let Some(c) = c else {
        return;
    };
    // `None` is the schema default, stored in every configuration: nothing is dropped.
    let alpn = c
        .alpn_policy
        .is_some_and(|a| a != gantry_api::crds::AlpnPolicy::None);
    let fields = [
        (alpn, "alpnPolicy"),
        (c.quic_enabled.is_some(), "quicEnabled"),
        (c.target_group_stickiness.is_some(), "targetGroupStickiness"),
    ];
    for (_, field) in fields.iter().filter(|(set, _)| *set) {
        ctx.found.ignored(format!(
            "LoadBalancerConfiguration listenerConfigurations {}: {field} applies to NLB listeners only; ignored",
            c.protocol_port
        ));
    }
}

/// `mergingMode` is read on a GatewayClass's configuration only.
pub fn merging_mode_on_gateway(
    ctx: &mut Context<'_>,
    gateway_config: Option<&load_balancer::Found<'_>>,
) {
    if let Some(f) = gateway_config.filter(|f| f.spec.merging_mode.is_some()) {
        ctx.found.ignored(format!(
            "LoadBalancerConfiguration {}: mergingMode is read only on a GatewayClass's configuration; ignored",
            f.key
        ));
    }
}

/// Attributes of an ELB listener, from its listener configuration.
pub fn listener_attributes(
    cfg: Option<&gantry_api::crds::ListenerConfiguration>,
) -> Vec<gantry_model::Attribute> {
    attributes(cfg.and_then(|c| c.listener_attributes.as_ref()))
}

/// The ELB attributes a configuration lists (none when it lists none).
pub fn attributes(
    listed: Option<&Vec<gantry_api::crds::Attribute>>,
) -> Vec<gantry_model::Attribute> {
    listed
        .into_iter()
        .flatten()
        .map(|a| gantry_model::Attribute {
            key: a.key.clone(),
            value: a.value.clone(),
        })
        .collect()
}

/// defaultCertificate first (AWS takes the first as the listener's default), then the rest.
fn certificates_of(cfg: Option<&ListenerConfiguration>) -> Vec<Certificate> {
    let mut out: Vec<Certificate> = Vec::new();
    for arn in cfg.into_iter().flat_map(|c| {
        c.default_certificate
            .iter()
            .chain(c.certificates.iter().flatten())
    }) {
        let cert = Certificate {
            certificate_arn: arn.clone(),
        };
        if !out.contains(&cert) {
            out.push(cert);
        }
    }
    out
}

/// Where a TLS-terminating listener gets its certificates.
#[derive(Debug, Default)]
pub struct CertificateSources {
    /// The ARNs of its listener configuration.
    pub arns: Vec<Certificate>,
    /// The Secrets of its Gateway listeners' certificateRefs.
    pub secrets: Vec<SecretCertificate>,
    /// With neither given: the hostnames for the deployer to find certificates by in ACM.
    pub hostnames: Vec<String>,
}

/// The certificate sources of a listener with the configuration `cfg` serving the Gateway
/// listeners `listeners`; None when it has none at all.
pub fn certificate_sources(
    ctx: &Context<'_>,
    cfg: Option<&ListenerConfiguration>,
    listeners: &[usize],
) -> Option<CertificateSources> {
    let arns = certificates_of(cfg);
    let (secrets, any_refs) = ctx.secret_certificates(listeners);
    let hostnames = if arns.is_empty() && !any_refs {
        ctx.certificate_hostnames(listeners)
    } else {
        Vec::new()
    };
    let none = arns.is_empty() && secrets.is_empty() && hostnames.is_empty();
    (!none).then_some(CertificateSources {
        arns,
        secrets,
        hostnames,
    })
}

/// The listener's SSL policy: its configuration's, else the default setting.
pub fn ssl_policy(ctx: &Context<'_>, cfg: Option<&ListenerConfiguration>) -> String {
    cfg.and_then(|c| c.ssl_policy.clone())
        .unwrap_or_else(|| ctx.settings.default_ssl_policy.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_certificate_comes_first_and_duplicates_go() {
        let cfg = ListenerConfiguration {
            protocol_port: "TLS:443".to_string(),
            default_certificate: Some("arn:b".to_string()),
            certificates: Some(vec!["arn:a".to_string(), "arn:b".to_string()]),
            ssl_policy: None,
            alpn_policy: None,
            target_group_stickiness: None,
            mutual_authentication: None,
            listener_attributes: None,
            quic_enabled: None,
        };
        let arns: Vec<String> = certificates_of(Some(&cfg))
            .into_iter()
            .map(|c| c.certificate_arn)
            .collect();
        assert_eq!(arns, ["arn:b", "arn:a"]);
        assert!(certificates_of(None).is_empty());
    }
}
