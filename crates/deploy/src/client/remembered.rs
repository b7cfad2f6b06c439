//! What discovery read from AWS about a resource, kept for a while so that an unchanged
//! reconcile does not ask again: ELBv2 tags and listener attributes.
//!
//! ELBv2's Describe* answers carry neither: ownership is read with DescribeTags, 20 ARNs a
//! call, for every load balancer and target group in the VPC, and listener attributes with a
//! call per listener. Without this, an unchanged reconcile would pay those calls every time,
//! and more as the account fills.
//!
//! What keeps it truthful: gantry forgets an ARN before it changes what is remembered of it
//! ([`Remembered::forget`]), and every entry expires after [`TTL`], so a change made by
//! someone else is seen within that time (and the entries of resources deleted by others go
//! with it).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long what was read from AWS is trusted.
pub const TTL: Duration = Duration::from_secs(10 * 60);

/// Values of type `V` by ARN, each with the time it was read.
#[derive(Clone, Debug)]
pub(crate) struct Remembered<V>(Arc<Mutex<HashMap<String, (Instant, V)>>>);

impl<V> Default for Remembered<V> {
    fn default() -> Self {
        Remembered(Arc::default())
    }
}

impl<V: Clone> Remembered<V> {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, V)>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value of `arn`, if read less than [`TTL`] ago.
    pub fn get(&self, arn: &str) -> Option<V> {
        self.lock()
            .get(arn)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, v)| v.clone())
    }

    /// Remembers values just read, and drops expired entries.
    pub fn put(&self, read: impl IntoIterator<Item = (String, V)>) {
        let now = Instant::now();
        let mut cache = self.lock();
        cache.retain(|_, (at, _)| now.duration_since(*at) < TTL);
        cache.extend(read.into_iter().map(|(arn, v)| (arn, (now, v))));
    }

    /// Forgets these ARNs: what is remembered of them is about to change.
    pub fn forget<'a>(&self, arns: impl IntoIterator<Item = &'a str>) {
        let mut cache = self.lock();
        for arn in arns {
            cache.remove(arn);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_and_forgets() {
        let cache: Remembered<Vec<&str>> = Remembered::default();
        assert_eq!(cache.get("arn:a"), None);
        cache.put([("arn:a".to_string(), vec!["v"])]);
        assert_eq!(cache.get("arn:a"), Some(vec!["v"]));
        cache.forget(["arn:a"]);
        assert_eq!(cache.get("arn:a"), None);
    }
}
