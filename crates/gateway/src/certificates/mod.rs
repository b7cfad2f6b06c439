//! Listener certificates from Kubernetes Secrets (`tls.certificateRefs`): each reference is
//! checked as the Gateway API says — core `Secret` only, same namespace or allowed by a
//! ReferenceGrant, the Secret exists, is `kubernetes.io/tls`, holds `tls.crt` and `tls.key`
//! that parse as PEM, the key belongs to the certificate, and the certificate is valid now.

mod error;
mod keys;
pub mod x509;

use crate::refs::{CheckedRefs, check_reference, group_kind, is_core};
use crate::status::reasons::Reason;
use gantry_api::gateway::GatewayListeners;
use gantry_api::k8s::Secret;
use gantry_model::SecretCertificate;
use gantry_snapshot::{ObjectKey, Snapshot};
use sha2::{Digest, Sha256};
use std::fmt;

pub use error::{CertificateError, DerError};

/// The Secret type whose certificates gantry serves (the Gateway API's core support).
pub const TLS_SECRET_TYPE: &str = "kubernetes.io/tls";

/// The certificate and key of a Secret, in the shapes ACM imports. The key is never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct CertificateMaterial {
    /// Lower-case hex SHA-256 of the leaf certificate's DER.
    pub fingerprint: String,
    /// The leaf certificate, PEM.
    pub certificate: String,
    /// The intermediate certificates after the leaf, PEM; None when there are none.
    pub chain: Option<String>,
    /// The private key, PEM as the Secret holds it.
    pub private_key: String,
}

impl fmt::Debug for CertificateMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateMaterial")
            .field("fingerprint", &self.fingerprint)
            .field("private_key", &"(redacted)")
            .finish()
    }
}

/// What one Gateway listener's certificateRefs come to: the valid ones' certificates.
pub type ListenerCertificates = CheckedRefs<SecretCertificate>;

/// Resolves the certificateRefs of a listener written in `gateway` (a Gateway, or a
/// ListenerSet when `owner_kind` says so: ReferenceGrants are checked for that kind). `now`
/// (seconds since the Unix epoch) checks the certificates' validity period; None leaves it
/// unchecked.
pub fn resolve_listener(
    snapshot: &Snapshot,
    gateway: &ObjectKey,
    owner_kind: &str,
    listener: &GatewayListeners,
    now: Option<i64>,
) -> ListenerCertificates {
    let refs = listener
        .tls
        .as_ref()
        .and_then(|t| t.certificate_refs.as_deref())
        .unwrap_or_default();
    let mut out = ListenerCertificates::new(refs.len());
    for (i, r) in refs.iter().enumerate() {
        let group = r.group.as_deref().unwrap_or("");
        let kind = r.kind.as_deref().unwrap_or("Secret");
        let namespace = r.namespace.as_deref().unwrap_or(&gateway.namespace);
        let key = ObjectKey::new(namespace.to_string(), r.name.clone());
        let at = format!("listener {} certificateRefs[{i}]", listener.name);
        if !is_core(group, kind, "Secret") {
            let gk = group_kind(group, kind);
            out.refuse(
                Reason::InvalidCertificateRef,
                format!("{at}: {gk} {key} is not supported; only core Secrets of type {TLS_SECRET_TYPE} are"),
            );
            continue;
        }
        let from = &gateway.namespace;
        if let Err(why) = check_reference(snapshot, owner_kind, from, "", "Secret", &key) {
            out.refuse(Reason::RefNotPermitted, format!("{at}: {why}"));
            continue;
        }
        // "of type": the controller lists only kubernetes.io/tls Secrets, so one of another
        // type is absent from its snapshot, not reported by its type.
        let Some(secret) = snapshot.secrets.get(&key) else {
            out.refuse(
                Reason::InvalidCertificateRef,
                format!("{at}: Secret {key} of type {TLS_SECRET_TYPE} not found"),
            );
            continue;
        };
        match material(secret, now) {
            Ok(m) => out.accept(SecretCertificate {
                secret: key.to_string(),
                fingerprint: m.fingerprint,
            }),
            Err(why) => out.refuse(
                Reason::InvalidCertificateRef,
                format!("{at}: Secret {key}: {why}"),
            ),
        }
    }
    out
}

/// The certificate and key of a `kubernetes.io/tls` Secret, checked; or why it cannot serve.
pub fn material(
    secret: &Secret,
    now: Option<i64>,
) -> Result<CertificateMaterial, CertificateError> {
    let kind = secret.type_.as_deref().unwrap_or("Opaque");
    if kind != TLS_SECRET_TYPE {
        return Err(CertificateError::NotTls(kind.to_string()));
    }
    let crt = value(secret, "tls.crt")?;
    let key = value(secret, "tls.key")?;
    let crt = std::str::from_utf8(&crt).map_err(|_| CertificateError::NotText("tls.crt"))?;
    let key = std::str::from_utf8(&key).map_err(|_| CertificateError::NotText("tls.key"))?;
    let blocks = pem::parse_many(crt).map_err(|e| invalid_pem("tls.crt", e))?;
    let certs: Vec<&pem::Pem> = blocks.iter().filter(|p| p.tag() == "CERTIFICATE").collect();
    let Some(leaf) = certs.first() else {
        return Err(CertificateError::NoCertificate);
    };
    let info = x509::parse(leaf.contents()).map_err(CertificateError::NotX509)?;
    let key_blocks = pem::parse_many(key).map_err(|e| invalid_pem("tls.key", e))?;
    let Some(private) = key_blocks.iter().find(|p| p.tag().ends_with("PRIVATE KEY")) else {
        return Err(CertificateError::NoPrivateKey);
    };
    if private.tag() == "ENCRYPTED PRIVATE KEY" {
        return Err(CertificateError::EncryptedKey);
    }
    keys::check(&info, private.tag(), private.contents())?;
    if let Some(now) = now {
        if info.not_after < now {
            return Err(CertificateError::Expired(x509::format_time(info.not_after)));
        }
        if info.not_before > now {
            return Err(CertificateError::NotYetValid(x509::format_time(
                info.not_before,
            )));
        }
    }
    let pem_config = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
    let chain: Vec<String> = certs[1..]
        .iter()
        .map(|c| pem::encode_config(c, pem_config))
        .collect();
    Ok(CertificateMaterial {
        fingerprint: fingerprint(leaf.contents()),
        certificate: pem::encode_config(leaf, pem_config),
        chain: (!chain.is_empty()).then(|| chain.concat()),
        private_key: pem::encode_config(private, pem_config),
    })
}

/// The material of `secret` for import, when its leaf certificate still has `fingerprint`
/// (validity was checked when the listener was planned).
pub fn import_material(secret: &Secret, fingerprint: &str) -> Option<CertificateMaterial> {
    material(secret, None)
        .ok()
        .filter(|m| m.fingerprint == fingerprint)
}

/// Lower-case hex SHA-256 of `der`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn value(secret: &Secret, name: &'static str) -> Result<Vec<u8>, CertificateError> {
    secret
        .data
        .as_ref()
        .and_then(|d| d.get(name))
        .map(|b| b.0.clone())
        .or_else(|| {
            secret
                .string_data
                .as_ref()
                .and_then(|d| d.get(name))
                .map(|s| s.clone().into_bytes())
        })
        .filter(|v| !v.is_empty())
        .ok_or(CertificateError::Missing(name))
}

fn invalid_pem(key: &'static str, e: pem::PemError) -> CertificateError {
    CertificateError::InvalidPem {
        key,
        why: e.to_string(),
    }
}
