//! Gateways whose changes a standby replica saw but could not reconcile (it did not hold the
//! lease). A replica that becomes the leader reconciles them before anything else: the changes
//! made around a failover are the ones most likely waiting, and a full round of every Gateway
//! behind the client-side AWS rate limit takes minutes at scale.

use gantry_snapshot::ObjectKey;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct Missed(Arc<Mutex<BTreeSet<ObjectKey>>>);

impl Missed {
    pub fn note(&self, key: &ObjectKey) {
        self.lock().insert(key.clone());
    }

    /// Every Gateway noted so far, forgetting them.
    pub fn take(&self) -> Vec<ObjectKey> {
        std::mem::take(&mut *self.lock()).into_iter().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<ObjectKey>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noted_gateways_are_taken_once_each() {
        let m = Missed::default();
        m.note(&ObjectKey::new("a", "x"));
        m.note(&ObjectKey::new("a", "x"));
        m.note(&ObjectKey::new("b", "y"));
        assert_eq!(
            m.take(),
            [ObjectKey::new("a", "x"), ObjectKey::new("b", "y")]
        );
        assert!(m.take().is_empty());
    }
}
