//! The account's target groups as DescribeTargetGroups last listed them, kept for a while so
//! that a reconcile that changes no target group does not list them all again.
//!
//! ELBv2 cannot list one Gateway's target groups: DescribeTargetGroups pages through every
//! target group of the account and region (400 a page), and ownership is read from their tags.
//! With thousands of routes that is thousands of target groups parsed on every reconcile of
//! every Gateway, the largest part of the time from a route change to its AWS call.
//!
//! What keeps it truthful, as for [`super::remembered`]: gantry forgets the listing whenever
//! it creates, modifies or deletes a target group ([`crate::run::Run::mutate`]) and whenever a
//! run fails (a retry reads afresh), a listing read while such a change was made is not kept
//! ([`RememberedListing::started`]), and it expires after [`TTL`], so that a change made by
//! someone else is seen within that time.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a listing is trusted (as long as remembered tags: [`super::remembered::TTL`]).
pub const TTL: Duration = super::remembered::TTL;

#[derive(Debug, Default)]
struct State<V> {
    /// The listing and the time it was read.
    listing: Option<(Instant, Arc<Vec<V>>)>,
    /// Bumped by every [`RememberedListing::forget`].
    generation: u64,
}

/// One listing of values of type `V`, shared by the reconciles of every Gateway.
#[derive(Clone, Debug)]
pub(crate) struct RememberedListing<V>(Arc<Mutex<State<V>>>);

impl<V> Default for RememberedListing<V> {
    fn default() -> Self {
        RememberedListing(Arc::new(Mutex::new(State {
            listing: None,
            generation: 0,
        })))
    }
}

/// A listing about to be read: [`RememberedListing::put`] keeps it only if nothing was
/// forgotten since.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Started(u64);

impl<V> RememberedListing<V> {
    fn lock(&self) -> std::sync::MutexGuard<'_, State<V>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The listing, if read less than [`TTL`] ago and not forgotten since.
    pub fn get(&self) -> Option<Arc<Vec<V>>> {
        self.lock()
            .listing
            .as_ref()
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, v)| v.clone())
    }

    /// Call before reading a listing; pass the result to [`RememberedListing::put`].
    pub fn started(&self) -> Started {
        Started(self.lock().generation)
    }

    /// Keeps `listing`, read since `started`, unless a change was made meanwhile (it may not
    /// show that change).
    pub fn put(&self, started: Started, listing: Vec<V>) -> Arc<Vec<V>> {
        let listing = Arc::new(listing);
        let mut state = self.lock();
        if state.generation == started.0 {
            state.listing = Some((Instant::now(), listing.clone()));
        }
        listing
    }

    /// Forgets the listing: what it shows is about to change, or may have.
    pub fn forget(&self) {
        let mut state = self.lock();
        state.listing = None;
        state.generation += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_is_kept_until_forgotten() {
        let cache: RememberedListing<&str> = RememberedListing::default();
        assert_eq!(cache.get(), None);
        let started = cache.started();
        cache.put(started, vec!["tg-a"]);
        assert_eq!(cache.get().as_deref(), Some(&vec!["tg-a"]));
        cache.forget();
        assert_eq!(cache.get(), None);
    }

    #[test]
    fn a_listing_read_while_a_change_was_made_is_not_kept() {
        let cache: RememberedListing<&str> = RememberedListing::default();
        let started = cache.started();
        // Another reconcile creates a target group while this one lists.
        cache.forget();
        let listing = cache.put(started, vec!["tg-a"]);
        assert_eq!(*listing, vec!["tg-a"], "the reader still gets what it read");
        assert_eq!(cache.get(), None);
    }
}
