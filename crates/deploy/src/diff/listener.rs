//! Listener differences. Desired listeners come with their target group references already
//! resolved to ARNs.

use super::content;
use crate::discover::listener::ActualListener;
use gantry_model::Listener;

/// What `ModifyListener` and the certificate calls must change.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListenerChanges {
    /// Protocol, default actions, default certificate, SSL policy, ALPN or mutual TLS differ:
    /// one `ModifyListener` sets them all.
    pub modify: bool,
    pub add_certificates: Vec<String>,
    pub remove_certificates: Vec<String>,
}

impl ListenerChanges {
    pub fn is_empty(&self) -> bool {
        !self.modify && self.add_certificates.is_empty() && self.remove_certificates.is_empty()
    }
}

pub fn changes(actual: &ActualListener, desired: &Listener) -> ListenerChanges {
    let default_cert = desired.certificates.first().map(|c| &c.certificate_arn);
    let modify = actual.protocol != Some(desired.protocol)
        || content::actions(actual.default_actions.clone())
            != content::actions(desired.default_actions.clone())
        || (default_cert.is_some() && actual.default_certificate.as_ref() != default_cert)
        || (desired.ssl_policy.is_some() && actual.ssl_policy != desired.ssl_policy)
        || desired
            .alpn_policy
            .as_ref()
            .is_some_and(|a| *a != actual.alpn_policy)
        || desired
            .mutual_authentication
            .as_ref()
            .is_some_and(|m| actual.mutual_authentication.as_ref() != Some(m));
    // Extra (SNI) certificates: all but the default. DescribeListenerCertificates lists the
    // default one too, so it is excluded on both sides.
    let extra_desired: Vec<&String> = desired
        .certificates
        .iter()
        .skip(1)
        .map(|c| &c.certificate_arn)
        .filter(|c| Some(*c) != default_cert)
        .collect();
    let actual_extra: Vec<&String> = actual
        .certificates
        .iter()
        .filter(|c| Some(*c) != actual.default_certificate.as_ref() && Some(*c) != default_cert)
        .collect();
    ListenerChanges {
        modify,
        add_certificates: extra_desired
            .iter()
            .filter(|c| !actual_extra.contains(c))
            .map(|c| c.to_string())
            .collect(),
        remove_certificates: if desired.protocol.is_secure() {
            actual_extra
                .iter()
                .filter(|c| !extra_desired.contains(c))
                .map(|c| c.to_string())
                .collect()
        } else {
            Vec::new()
        },
    }
}
