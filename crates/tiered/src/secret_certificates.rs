//! Load balancer certificates from a listener's Secret (`tls.certificateRefs`): for a port
//! with a Gateway listener that has no hostname to look a certificate up in ACM by, when the
//! class names no `certificateARN`. The references are checked as for ALB and NLB Gateways
//! (translate's `certificates::resolve_listener`: core Secret, same namespace or a
//! ReferenceGrant, type `kubernetes.io/tls`, a key matching the certificate); the first valid
//! one becomes the load balancer listener's certificate (the provider's listener kinds take
//! one). Neither provider family imports a Secret gantry could reference, so the controller
//! imports it into ACM itself (the deployer's import, with its ownership tags) and passes the
//! ARNs back in [`crate::Observed`]; until then the listener object waits for the ARN.

use gantry_gateway::attach::Listener;
use gantry_gateway::attach::listeners::ListenerProblem;
use gantry_gateway::certificates::resolve_listener;
use gantry_gateway::secrets::{SecretReferences, add_permitted, certificate_secrets};
use gantry_gateway::status::reasons::Reason;
use gantry_snapshot::{ObjectKey, Snapshot};
use serde::{Deserialize, Serialize};

/// A Secret's certificate the load balancer needs in ACM: the Secret (`namespace/name`) and
/// the SHA-256 fingerprint of its leaf certificate (a new one is a rotation: re-imported in
/// place under the same ARN).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SecretCertificate {
    pub secret: String,
    pub fingerprint: String,
}

/// A certificate imported into ACM from a Secret, as the controller found or made it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedCertificate {
    pub secret: String,
    pub fingerprint: String,
    pub arn: String,
}

/// Whether a Gateway listener has a hostname to find an ACM certificate by.
pub(crate) fn has_hostname(l: &Listener) -> bool {
    l.hostname.as_deref().is_some_and(|h| !h.is_empty())
}

/// What the Secret-backed listeners of one port come to.
pub(crate) struct PortSecret {
    /// The certificate the load balancer listener takes: the first valid reference.
    pub certificate: SecretCertificate,
    /// Its imported ARN, once imported.
    pub arn: Option<String>,
}

/// The Secret certificate of the port whose hostname-less listeners are `hostless` (indices
/// into `listeners` and `sources.specs`). A listener none of whose references is valid
/// is refused (`ResolvedRefs=False` with the reason of its first problem, naming the Secret);
/// a served listener with some invalid references gets them in `refs`.
pub(crate) fn for_port(
    sources: &crate::certificates::Sources<'_>,
    listeners: &mut [Listener],
    hostless: &[usize],
    refs: &mut std::collections::BTreeMap<usize, (Reason, String)>,
) -> Option<PortSecret> {
    let mut chosen: Option<SecretCertificate> = None;
    for &i in hostless {
        let spec = &sources.specs[i];
        let lc = resolve_listener(
            sources.snapshot,
            sources.gateway,
            "Gateway",
            spec,
            sources.now,
        );
        let joined = lc.joined_problems();
        let first_reason = lc.problems.first().map(|(r, _)| *r);
        if let Some(c) = lc.valid.first() {
            chosen.get_or_insert_with(|| SecretCertificate {
                secret: c.secret.clone(),
                fingerprint: c.fingerprint.clone(),
            });
            if let Some(reason) = first_reason {
                refs.insert(i, (reason, joined));
            }
            continue;
        }
        let l = &mut listeners[i];
        l.problem = Some(ListenerProblem {
            reason: first_reason.unwrap_or(Reason::InvalidCertificateRef),
            message: format!(
                "Listener {} has no hostname to find an ACM certificate by and no valid certificateRef to import for the load balancer: {joined}",
                l.name
            ),
        });
    }
    let certificate = chosen?;
    let arn = sources
        .imported
        .into_iter()
        .flatten()
        .find(|c| c.secret == certificate.secret && c.fingerprint == certificate.fingerprint)
        .map(|c| c.arn.clone());
    Some(PortSecret { certificate, arn })
}

/// The Secrets the controller must cache for tiered Gateways: those named by the
/// certificateRefs of HTTPS and TLS listeners without hostname (the ones whose certificate
/// may be imported for the load balancer), where the reference is allowed (same namespace,
/// or a ReferenceGrant). Listeners with a hostname get theirs from ACM or the class, so their
/// Secrets' keys are never read by gantry.
pub fn listener_certificate_secrets(snapshot: &Snapshot) -> SecretReferences {
    let mut out = SecretReferences::new();
    for (key, gw) in &snapshot.gateways {
        let class = ObjectKey::cluster(gw.spec.gateway_class_name.clone());
        let tiered = snapshot
            .gateway_classes
            .get(&class)
            .is_some_and(|c| c.spec.controller_name == crate::names::CONTROLLER_NAME);
        if !tiered {
            continue;
        }
        let listeners = gw.spec.listeners.iter().filter(|l| {
            matches!(l.protocol.as_str(), "HTTPS" | "TLS")
                && l.hostname.as_deref().is_none_or(str::is_empty)
        });
        let secrets = certificate_secrets(&key.namespace, listeners);
        add_permitted(&mut out, snapshot, "Gateway", &key.namespace, secrets);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use gantry_gateway::secrets::TLS_KEYS;
    use gantry_testkit::objects::{docs, gateway_class};
    use gantry_testkit::route_builders::{
        foreign_gateway_class, gateway_of, https, reference_grant,
    };

    /// Only the Secrets of tiered Gateways' HTTPS/TLS listeners without hostname are read,
    /// and across namespaces only with a ReferenceGrant; other references' keys never are.
    #[test]
    fn the_secrets_read_are_those_a_load_balancer_listener_may_import() {
        let gw = [
            https("a", 443, &["own", "certs/shared", "elsewhere/denied"]),
            "{name: b, port: 8443, protocol: HTTPS, hostname: b.example.com, tls: {certificateRefs: [{name: by-hostname}]}}".to_string(),
        ];
        let yaml = docs([
            gateway_class("tiered", "tiered"),
            foreign_gateway_class("other"),
            gateway_of("apps/gw", "tiered", &gw, ""),
            gateway_of(
                "apps/theirs",
                "other",
                &[https("a", 443, &["their-tls"])],
                "",
            ),
            reference_grant("certs/g", "Gateway", "apps", "Secret"),
        ]);
        let mut loader = gantry_manifests::Loader::new();
        loader.load_str("test", &yaml);
        let loaded = loader.finish();
        let refs = listener_certificate_secrets(&loaded.snapshot);
        let keys: Vec<String> = refs.keys().map(|k| k.to_string()).collect();
        assert_eq!(keys, ["apps/own", "certs/shared"]);
        assert!(refs.values().all(|k| k.iter().eq(TLS_KEYS.iter())));
    }
}
