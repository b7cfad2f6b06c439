//! At most one Gateway reconcile request per object per window, the first one at once.
//!
//! A trailing debounce (kube's `debounce`) delays every change by the whole window, even a lone
//! one; this passes a request on at once when its object had none in the last window, and
//! holds later ones until the window since the last one passed, keeping one per object. A burst
//! of changes to one Gateway within a window therefore costs two reconciles: one for the first
//! change, one for everything after it.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::Hash;
use std::time::Duration;
use tokio::sync::mpsc::{Receiver, channel};
use tokio::time::Instant;

/// The bookkeeping, apart from channels and clocks, so that it can be tested alone.
pub struct Throttle<T> {
    window: Duration,
    /// When each object's last request was passed on (entries older than the window are
    /// dropped now and then: they no longer hold anything back).
    last: HashMap<T, Instant>,
    /// Requests held back, by when they are due; each object at most once.
    held: BTreeSet<(Instant, u64)>,
    held_items: HashMap<u64, T>,
    holding: HashSet<T>,
    next_id: u64,
}

impl<T: Hash + Eq + Clone> Throttle<T> {
    pub fn new(window: Duration) -> Self {
        Throttle {
            window,
            last: HashMap::new(),
            held: BTreeSet::new(),
            held_items: HashMap::new(),
            holding: HashSet::new(),
            next_id: 0,
        }
    }

    /// A request for `item` at `now`: Some when it is to be passed on at once; otherwise it is
    /// held (or joins the request already held for the same object).
    pub fn offer(&mut self, item: T, now: Instant) -> Option<T> {
        if self.holding.contains(&item) {
            return None;
        }
        match self.last.get(&item) {
            Some(&at) if now < at + self.window => {
                let id = self.next_id;
                self.next_id += 1;
                self.held.insert((at + self.window, id));
                self.held_items.insert(id, item.clone());
                self.holding.insert(item);
                None
            }
            _ => {
                self.last.insert(item.clone(), now);
                Some(item)
            }
        }
    }

    /// The held requests due at `now`, in the order they fell due.
    pub fn due(&mut self, now: Instant) -> Vec<T> {
        let mut out = Vec::new();
        while let Some(&(at, id)) = self.held.first() {
            if at > now {
                break;
            }
            self.held.pop_first();
            if let Some(item) = self.held_items.remove(&id) {
                self.holding.remove(&item);
                self.last.insert(item.clone(), now);
                out.push(item);
            }
        }
        // Forget objects quiet for a window; only then, so that this stays cheap.
        if self.last.len() > 2 * self.holding.len() + 64 {
            let window = self.window;
            self.last.retain(|_, at| now < *at + window);
        }
        out
    }

    /// When the next held request falls due.
    pub fn next_due(&self) -> Option<Instant> {
        self.held.first().map(|(at, _)| *at)
    }
}

/// `requests`, throttled per object to one per `window` (see the module text). A zero window
/// passes everything through. The task ends when `requests` closes or the receiver is dropped.
pub fn throttled<T: Hash + Eq + Clone + Send + 'static>(
    mut requests: Receiver<T>,
    window: Duration,
) -> (Receiver<T>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = channel(crate::mapper::CHANGES);
    let task = tokio::spawn(async move {
        let mut throttle = Throttle::new(window);
        loop {
            let wake = throttle.next_due();
            let item = tokio::select! {
                item = requests.recv() => match item {
                    Some(item) => throttle.offer(item, Instant::now()).into_iter().collect(),
                    None => return,
                },
                () = sleep_until(wake) => throttle.due(Instant::now()),
            };
            for i in item {
                if tx.send(i).await.is_err() {
                    return;
                }
            }
        }
    });
    (rx, task)
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: Duration = Duration::from_secs(1);

    #[test]
    fn a_lone_request_passes_at_once() {
        let mut t = Throttle::new(W);
        let now = Instant::now();
        assert_eq!(t.offer("a", now), Some("a"));
        assert_eq!(t.next_due(), None);
    }

    #[test]
    fn a_burst_passes_the_first_at_once_and_the_rest_as_one_after_the_window() {
        let mut t = Throttle::new(W);
        let start = Instant::now();
        let mut passed = Vec::new();
        // 100 requests for one object within a second, 9 ms apart.
        for i in 0..100u64 {
            let now = start + Duration::from_millis(9 * i);
            passed.extend(t.due(now));
            passed.extend(t.offer("gw", now));
        }
        assert_eq!(passed, ["gw"], "only the first passes within the window");
        assert_eq!(t.next_due(), Some(start + W));
        assert_eq!(
            t.due(start + W - Duration::from_millis(1)),
            Vec::<&str>::new()
        );
        assert_eq!(t.due(start + W), ["gw"]);
        assert_eq!(t.next_due(), None, "the held requests were one");
    }

    #[test]
    fn objects_are_throttled_apart() {
        let mut t = Throttle::new(W);
        let now = Instant::now();
        assert_eq!(t.offer("a", now), Some("a"));
        assert_eq!(t.offer("b", now), Some("b"));
        assert_eq!(t.offer("a", now), None);
        assert_eq!(t.offer("c", now), Some("c"));
    }

    #[test]
    fn after_a_quiet_window_a_request_passes_at_once_again() {
        let mut t = Throttle::new(W);
        let start = Instant::now();
        assert_eq!(t.offer("a", start), Some("a"));
        assert_eq!(t.offer("a", start + W), Some("a"));
        // A request held and passed at the window's end starts the next window there.
        assert_eq!(t.offer("a", start + W + Duration::from_millis(10)), None);
        assert_eq!(t.due(start + 2 * W), ["a"]);
        assert_eq!(t.offer("a", start + 2 * W + Duration::from_millis(1)), None);
    }

    #[tokio::test(start_paused = true)]
    async fn the_stream_holds_a_burst_to_two_requests() {
        let (tx, rx) = channel(16);
        let (mut out, _task) = throttled(rx, W);
        for _ in 0..100 {
            tx.send("gw").await.unwrap();
        }
        let start = Instant::now();
        assert_eq!(out.recv().await, Some("gw"));
        assert_eq!(start.elapsed(), Duration::ZERO, "the first passes at once");
        assert_eq!(out.recv().await, Some("gw"));
        assert!(start.elapsed() >= W - Duration::from_millis(1));
        drop(tx);
        assert_eq!(out.recv().await, None, "nothing more: the burst was two");
    }
}
