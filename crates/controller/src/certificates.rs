//! Listener certificates from Secrets, for the deployer: it asks for a Secret's certificate
//! and key only when it must import them into ACM (first use, rotation), and gets them from
//! the referenced-Secret cache (crate::referenced) at that moment. Nothing here copies or
//! keeps the key; the material lives for the one import call.

use crate::referenced::SecretCache;
use gantry_deploy::{CertificateSource, Certificates, ImportMaterial};
use gantry_snapshot::ObjectKey;
use std::sync::Arc;

/// The deployer's [`Certificates`] read from `cache`.
pub fn from_cache(cache: &SecretCache) -> Certificates {
    Certificates(Arc::new(Cached(cache.clone())))
}

struct Cached(SecretCache);

impl CertificateSource for Cached {
    fn material(&self, secret: &str, fingerprint: &str) -> Option<ImportMaterial> {
        let (namespace, name) = secret.split_once('/')?;
        let cached = self.0.get(&ObjectKey::new(namespace, name))?;
        // None when the Secret changed since the plan: the deployer fails this apply, and the
        // change has already queued a new reconcile with the new fingerprint.
        let m = gantry_translate::certificates::import_material(&cached, fingerprint)?;
        Some(ImportMaterial {
            certificate: m.certificate,
            chain: m.chain,
            private_key: m.private_key,
        })
    }
}

/// Seconds since the Unix epoch, for the certificates' validity period (translation itself
/// reads no clock).
pub fn unix_now() -> Option<i64> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs() as i64)
}
