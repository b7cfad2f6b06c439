//! Frontend client-certificate validation (Gateway `spec.tls.frontend`): which validation each
//! HTTPS listener gets (`perPort` for its port, else `default`), its `caCertificateRefs`
//! checked as the Gateway API says (core ConfigMap with a PEM `ca.crt`, ReferenceGrant across
//! namespaces), and the ALB mutual authentication that carries it out.
//!
//! The ALB verifies client certificates against a trust store, which gantry does not create:
//! `AllowValidOnly` needs one named in the LoadBalancerConfiguration (`mutualAuthentication`
//! mode `verify` of the listener's `HTTPS:<port>`); without it the listener is not programmed
//! rather than served without verification. `AllowInsecureFallback` becomes mode
//! `passthrough`: the ALB asks for the client certificate and hands it to the targets
//! unverified, which is what the mode delegates to the backend.

mod references;

pub use references::{config_map_references, gateways_using_config_map};

use crate::attach::Listener;
use crate::attach::listeners::ListenerProblem;
use crate::certificates::DerError;
use crate::refs::{CheckedRefs, check_reference, group_kind, is_core};
use crate::status::Condition;
use crate::status::reasons::{INSECURE_FRONTEND_VALIDATION_MODE, Reason};
use gantry_api::crds::{ListenerConfiguration, MutualAuthenticationMode};
use gantry_api::gateway::{
    Gateway, GatewayTlsFrontendDefaultValidationMode as DefaultMode,
    GatewayTlsFrontendPerPortTlsValidationMode as PerPortMode,
};
use gantry_model::MutualAuthentication;
use gantry_snapshot::{ObjectKey, Snapshot};
use thiserror::Error;

/// One `validation` block of `spec.tls.frontend`, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Validation {
    /// Where it is written, for messages: `spec.tls.frontend.default` or
    /// `spec.tls.frontend.perPort[port 8443]`.
    at: String,
    insecure_fallback: bool,
    /// (group, kind, namespace or None, name).
    refs: Vec<(String, String, Option<String>, String)>,
}

/// The frontend validation of one Gateway listener.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerValidation {
    /// Where the validation is configured (see [`Validation::at`]).
    pub at: String,
    pub insecure_fallback: bool,
    /// Its caCertificateRefs: the valid ones are ConfigMaps, `namespace/name`. None valid:
    /// the spec refuses the listener (`NoValidCACertificate`).
    pub ca_certificates: CheckedRefs<String>,
}

/// The validation of each listener of `gateway` (by index of `listeners`): only valid HTTPS
/// listeners get one ("all Listeners handling HTTPS traffic"); `perPort` replaces `default`
/// for its port, and a `perPort` entry without `validation` turns validation off there.
pub fn resolve(
    snapshot: &Snapshot,
    key: &ObjectKey,
    gateway: &Gateway,
    listeners: &[Listener],
) -> Vec<Option<ListenerValidation>> {
    listeners
        .iter()
        .map(|l| {
            if l.protocol != "HTTPS" || !l.is_valid() {
                return None;
            }
            let v = validation_for_port(gateway, l.port)?;
            Some(check(snapshot, key, &l.name, v))
        })
        .collect()
}

/// Refuses every listener none of whose caCertificateRefs is valid (spec: "If ALL
/// CACertificateRefs are invalid, the implementation MUST also ensure the `Accepted`
/// condition on the listener is set to `status: False`, with the Reason
/// `NoValidCACertificate`"), so that no route is served on it.
pub fn refuse_unvalidated(listeners: &mut [Listener], validations: &[Option<ListenerValidation>]) {
    for (l, v) in listeners.iter_mut().zip(validations) {
        if let Some(v) = v.as_ref().filter(|v| v.ca_certificates.none_valid())
            && l.problem.is_none()
        {
            l.problem = Some(ListenerProblem {
                reason: Reason::NoValidCACertificate,
                message: format!(
                    "Listener {} has no valid CA certificate for client certificate validation ({}): {}",
                    l.name,
                    v.at,
                    v.ca_certificates.joined_problems()
                ),
            });
        }
    }
}

/// The Gateway's `InsecureFrontendValidationMode` condition: True (reason
/// `ConfigurationChanged`) while `spec.tls.frontend` sets mode `AllowInsecureFallback`
/// anywhere; absent otherwise.
pub fn insecure_condition(gateway: &Gateway) -> Option<Condition> {
    let at: Vec<String> = validations(gateway)
        .into_iter()
        .filter(|v| v.insecure_fallback)
        .map(|v| v.at)
        .collect();
    (!at.is_empty()).then(|| {
        Condition::new(
            INSECURE_FRONTEND_VALIDATION_MODE,
            true,
            Reason::ConfigurationChanged,
            format!(
                "Client certificate validation mode AllowInsecureFallback is set in {}: connections without a valid client certificate are accepted (the ALB passes client certificates to the targets unverified, mutualAuthentication mode passthrough)",
                at.join(", ")
            ),
        )
    })
}

/// Why an HTTPS port cannot validate client certificates as the Gateway asks.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum MutualAuthenticationError {
    /// `at`: where the Gateway asks; `mode`: what the LoadBalancerConfiguration sets.
    #[error(
        "{at} sets mode AllowInsecureFallback, which the ALB carries out with mutualAuthentication mode passthrough, but the LoadBalancerConfiguration sets mode {mode} for HTTPS:{port}: remove it or set mode passthrough"
    )]
    NotPassthrough {
        at: String,
        mode: &'static str,
        port: i32,
    },
    /// `cas`: the CA ConfigMaps; `found`: what the configuration sets instead, if anything.
    #[error(
        "{at} asks the ALB to verify client certificates against the CA of ConfigMap {cas} (key ca.crt), but gantry cannot create an ALB trust store from a ConfigMap: create a trust store with that CA bundle and set listenerConfigurations HTTPS:{port} mutualAuthentication {{mode: verify, trustStore: <trust store ARN>}} in the Gateway's LoadBalancerConfiguration{found}"
    )]
    NoTrustStore {
        at: String,
        cas: String,
        port: i32,
        found: String,
    },
}

/// Why a ConfigMap's `ca.crt` is not a CA bundle.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
enum CaBundleError {
    #[error("has no key ca.crt")]
    NoKey,
    #[error("ca.crt is not valid PEM ({0})")]
    NotPem(String),
    #[error("ca.crt holds no PEM CERTIFICATE")]
    NoCertificate,
    #[error("ca.crt certificate {index} is not an X.509 certificate ({error})")]
    NotX509 { index: usize, error: DerError },
}

/// The ALB mutual authentication of HTTPS port `port`, whose listeners validate client
/// certificates as `v` says; `cfg` is the LoadBalancerConfiguration's `HTTPS:<port>` listener
/// configuration. Err: why the port cannot be programmed as the Gateway asks.
pub fn mutual_authentication(
    port: i32,
    v: &ListenerValidation,
    cfg: Option<&ListenerConfiguration>,
) -> Result<MutualAuthentication, MutualAuthenticationError> {
    let configured = cfg.and_then(|c| c.mutual_authentication.as_ref());
    let cas = v.ca_certificates.valid.join(", ");
    if v.insecure_fallback {
        return match configured {
            None => Ok(MutualAuthentication {
                mode: MutualAuthenticationMode::Passthrough.as_str().to_string(),
                trust_store_arn: None,
                ignore_client_certificate_expiry: None,
                advertise_trust_store_ca_names: None,
            }),
            Some(m) if m.mode == MutualAuthenticationMode::Passthrough => Ok(from_config(m)),
            Some(m) => Err(MutualAuthenticationError::NotPassthrough {
                at: v.at.clone(),
                mode: m.mode.as_str(),
                port,
            }),
        };
    }
    match configured {
        Some(m) if m.mode == MutualAuthenticationMode::Verify && m.trust_store.is_some() => {
            Ok(from_config(m))
        }
        other => {
            let found = match other {
                Some(m) => format!(
                    " (it sets mode {} without a trust store there)",
                    m.mode.as_str()
                ),
                None => String::new(),
            };
            Err(MutualAuthenticationError::NoTrustStore {
                at: v.at.clone(),
                cas,
                port,
                found,
            })
        }
    }
}

/// The mutual authentication a LoadBalancerConfiguration's listener configuration asks for
/// (its trust store only in `verify` mode).
pub(crate) fn from_config(
    m: &gantry_api::crds::MutualAuthenticationAttributes,
) -> MutualAuthentication {
    MutualAuthentication {
        mode: m.mode.as_str().to_string(),
        trust_store_arn: m
            .trust_store
            .clone()
            .filter(|_| m.mode == MutualAuthenticationMode::Verify),
        ignore_client_certificate_expiry: m.ignore_client_certificate_expiry,
        advertise_trust_store_ca_names: m
            .advertise_trust_store_ca_names
            .map(|a| a.as_str().to_string()),
    }
}

/// A validation block's `caCertificateRefs` as (group, kind, namespace, name): the default and
/// the per-port blocks are two generated types with the same fields.
macro_rules! ca_refs {
    ($validation:expr) => {
        $validation
            .ca_certificate_refs
            .iter()
            .map(|r| {
                (
                    r.group.clone(),
                    r.kind.clone(),
                    r.namespace.clone(),
                    r.name.clone(),
                )
            })
            .collect()
    };
}

/// Every validation block of the Gateway: `default` first, then `perPort` in order.
fn validations(gateway: &Gateway) -> Vec<Validation> {
    let Some(f) = gateway.spec.tls.as_ref().and_then(|t| t.frontend.as_ref()) else {
        return vec![];
    };
    let mut out = Vec::new();
    if let Some(v) = &f.default.validation {
        out.push(Validation {
            at: "spec.tls.frontend.default".into(),
            insecure_fallback: v.mode == Some(DefaultMode::AllowInsecureFallback),
            refs: ca_refs!(v),
        });
    }
    for p in f.per_port.iter().flatten() {
        if let Some(v) = &p.tls.validation {
            out.push(Validation {
                at: format!("spec.tls.frontend.perPort[port {}]", p.port),
                insecure_fallback: v.mode == Some(PerPortMode::AllowInsecureFallback),
                refs: ca_refs!(v),
            });
        }
    }
    out
}

/// The validation that applies on `port`: its `perPort` entry's (possibly none), else the
/// default's.
fn validation_for_port(gateway: &Gateway, port: i32) -> Option<Validation> {
    let f = gateway.spec.tls.as_ref()?.frontend.as_ref()?;
    let per_port = f.per_port.iter().flatten().find(|p| p.port == port);
    let at = match per_port {
        Some(p) => format!("spec.tls.frontend.perPort[port {}]", p.port),
        None => "spec.tls.frontend.default".into(),
    };
    validations(gateway).into_iter().find(|v| v.at == at)
}

fn check(
    snapshot: &Snapshot,
    gateway: &ObjectKey,
    listener: &str,
    v: Validation,
) -> ListenerValidation {
    let mut out = CheckedRefs::new(v.refs.len());
    for (i, (group, kind, namespace, name)) in v.refs.iter().enumerate() {
        let namespace = namespace.as_deref().unwrap_or(&gateway.namespace);
        let key = ObjectKey::new(namespace.to_string(), name.clone());
        let at = format!(
            "listener {listener}: {}.validation.caCertificateRefs[{i}]",
            v.at
        );
        if !is_core(group, kind, "ConfigMap") {
            let gk = group_kind(group, kind);
            out.refuse(
                Reason::InvalidCACertificateKind,
                format!("{at}: kind {gk} ({key}) is not supported; only core ConfigMaps with the CA certificate in key ca.crt are"),
            );
            continue;
        }
        let from = &gateway.namespace;
        if let Err(why) = check_reference(snapshot, "Gateway", from, "", "ConfigMap", &key) {
            out.refuse(Reason::RefNotPermitted, format!("{at}: {why}"));
            continue;
        }
        let Some(cm) = snapshot.config_maps.get(&key) else {
            out.refuse(
                Reason::InvalidCACertificateRef,
                format!("{at}: ConfigMap {key} not found"),
            );
            continue;
        };
        match ca_bundle(cm) {
            Ok(()) => out.accept(key.to_string()),
            Err(why) => out.refuse(
                Reason::InvalidCACertificateRef,
                format!("{at}: ConfigMap {key}: {why}"),
            ),
        }
    }
    ListenerValidation {
        at: v.at,
        insecure_fallback: v.insecure_fallback,
        ca_certificates: out,
    }
}

/// Checks that a ConfigMap's `ca.crt` is a PEM bundle of X.509 certificates.
fn ca_bundle(cm: &gantry_api::k8s::ConfigMap) -> Result<(), CaBundleError> {
    let text = cm
        .data
        .as_ref()
        .and_then(|d| d.get("ca.crt"))
        .filter(|t| !t.trim().is_empty())
        .ok_or(CaBundleError::NoKey)?;
    let blocks = pem::parse_many(text).map_err(|e| CaBundleError::NotPem(e.to_string()))?;
    let certs: Vec<&pem::Pem> = blocks.iter().filter(|p| p.tag() == "CERTIFICATE").collect();
    if certs.is_empty() {
        return Err(CaBundleError::NoCertificate);
    }
    for (i, c) in certs.iter().enumerate() {
        crate::certificates::x509::parse(c.contents())
            .map_err(|error| CaBundleError::NotX509 { index: i, error })?;
    }
    Ok(())
}
