//! Objects (Gateways, TargetGroupBindings, by kind) whose changes a standby replica saw but
//! could not reconcile (it did not hold the lease). A replica that becomes the leader reconciles first those it saw change shortly
//! before (crate::round), latest first: the changes made around a failover are the ones most
//! likely waiting, and a full round of every Gateway behind the client-side AWS rate limit
//! takes minutes at scale.
//!
//! A standby sees every change the leader handles too (a status the leader writes is a change
//! of its own), so over a standby's life nearly every Gateway gets noted; only those noted
//! within a horizon before the takeover go first, or the "first" would be everything, in name
//! order.

use gantry_snapshot::ObjectKey;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

#[derive(Clone, Default)]
pub struct Missed(Arc<Mutex<HashMap<Noted, Instant>>>);

/// An object's kind and key.
pub type Noted = (&'static str, ObjectKey);

impl Missed {
    pub fn note(&self, kind: &'static str, key: &ObjectKey) {
        self.lock().insert((kind, key.clone()), Instant::now());
    }

    /// The objects noted within `horizon` before now, latest first, forgetting every note.
    pub fn take(&self, horizon: Duration) -> Vec<Noted> {
        let now = Instant::now();
        let mut recent: Vec<(Instant, Noted)> = std::mem::take(&mut *self.lock())
            .into_iter()
            .filter(|(_, at)| now.duration_since(*at) <= horizon)
            .map(|(noted, at)| (at, noted))
            .collect();
        recent.sort_by(|a, b| b.cmp(a));
        recent.into_iter().map(|(_, noted)| noted).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Noted, Instant>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn recent_notes_are_taken_once_latest_first() {
        let m = Missed::default();
        m.note("Gateway", &ObjectKey::new("a", "old"));
        tokio::time::sleep(Duration::from_secs(60)).await;
        m.note("Gateway", &ObjectKey::new("a", "x"));
        tokio::time::sleep(Duration::from_secs(1)).await;
        m.note("TargetGroupBinding", &ObjectKey::new("b", "y"));
        tokio::time::sleep(Duration::from_secs(1)).await;
        m.note("Gateway", &ObjectKey::new("a", "x"));
        assert_eq!(
            m.take(Duration::from_secs(30)),
            [
                ("Gateway", ObjectKey::new("a", "x")),
                ("TargetGroupBinding", ObjectKey::new("b", "y"))
            ]
        );
        assert!(m.take(Duration::from_secs(3600)).is_empty());
    }
}
