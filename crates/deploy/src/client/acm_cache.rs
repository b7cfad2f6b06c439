//! What ACM certificate discovery (`crate::acm`) has learnt, kept with the clients so that a
//! controller reconciling many Gateways lists ACM about once a minute, not per Gateway.

use aws_sdk_acm::types::CertificateSummary;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// What discovery has learnt from ACM, shared by the clones of one [`super::Clients`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Cache(Arc<Mutex<CacheState>>);

#[derive(Debug, Default)]
pub(crate) struct CacheState {
    /// The ISSUED certificates' summaries, and when the list was read.
    pub list: Option<(Instant, Vec<CertificateSummary>)>,
    /// Names (SANs and domain name) per certificate ARN, until the instant given.
    pub names: BTreeMap<String, (Instant, Vec<String>)>,
}

impl Cache {
    pub fn lock(&self) -> std::sync::MutexGuard<'_, CacheState> {
        // A poisoned lock only means a panic elsewhere; the cached data is still consistent.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}
