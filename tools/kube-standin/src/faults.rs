//! Faults of the API server itself, for resilience tests: watch streams cut mid-stream,
//! history compacted under a client (`410 Gone` for a too-old resourceVersion), and outages
//! (503 to everything, or connections refused). Every request, refused or not, is counted in
//! [`FakeApi::requests`].

use crate::apiserver::FakeApi;
use crate::server::WatchFrom;
use bytes::Bytes;
use serde_json::json;

/// How a watch from a compacted resourceVersion is answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Expired {
    /// `200 OK`, then one `ERROR` event carrying a 410 Status, then the end (etcd's way).
    #[default]
    ErrorEvent,
    /// The watch request itself is answered `410 Gone` (the watch cache's way).
    Gone,
}

/// An API server that cannot be reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outage {
    /// Every request is answered `503 Service Unavailable`.
    Unavailable,
    /// Every request fails before an answer, as a refused connection does.
    Refused,
}

impl FakeApi {
    /// Ends every open watch stream now, as a dropped connection or an API server restart
    /// does; clients resume from the last resourceVersion they saw.
    pub fn cut_watches(&self) {
        self.lock().watch_epoch += 1;
        self.changed.notify_waiters();
    }

    /// Forgets the history up to now: a watch from any older resourceVersion is answered
    /// 410 Gone as `how` says, so its client must list again.
    pub fn compact(&self, how: Expired) {
        let mut st = self.lock();
        st.compacted = st.rv;
        st.expired = how;
    }

    /// Starts (Some) or ends (None) an outage; starting one also cuts the open watches.
    pub fn set_outage(&self, outage: Option<Outage>) {
        self.lock().outage = outage;
        if outage.is_some() {
            self.cut_watches();
        }
    }

    /// Counts the request; fails it when connections are refused.
    pub(crate) fn refuse(&self, parts: &http::request::Parts) -> Result<(), std::io::Error> {
        let mut st = self.lock();
        if st.outage != Some(Outage::Refused) {
            return Ok(());
        }
        st.requests
            .push(format!("{} {}", parts.method, parts.uri.path()));
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "injected outage: connection refused",
        ))
    }

    /// Events of `kind` after `from`, as watch lines; waits for some. Ends when the watches
    /// are cut; an expired start gets one ERROR event and ends.
    pub(crate) fn watch_stream(
        &self,
        w: WatchFrom,
    ) -> impl futures::Stream<Item = Bytes> + Send + 'static {
        let api = self.clone();
        let start = (api, w.rv, w.expired);
        futures::stream::unfold(start, move |(api, mut cursor, expired)| {
            let kind = w.kind;
            let namespace = w.namespace.clone();
            let fields = w.fields.clone();
            let epoch = w.epoch;
            async move {
                if expired {
                    let compacted = api.lock().compacted;
                    let status = json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
                        "status": "Failure", "reason": "Expired", "code": 410,
                        "message": format!("too old resource version: {cursor} ({compacted})")});
                    let line = json!({"type": "ERROR", "object": status}).to_string() + "\n";
                    // u64::MAX as the cursor: the next poll ends the stream.
                    return Some((Bytes::from(line), (api, u64::MAX, false)));
                }
                loop {
                    let notified = api.changed.notified();
                    {
                        let st = api.lock();
                        if cursor == u64::MAX || st.watch_epoch != epoch {
                            return None;
                        }
                        let mut out = Vec::new();
                        // The log is in resourceVersion order.
                        let first_unseen = st.log.partition_point(|l| l.rv <= cursor);
                        for l in &st.log[first_unseen..] {
                            cursor = l.rv;
                            if l.group == kind.group
                                && l.plural == kind.plural
                                && (namespace.is_empty() || l.namespace == namespace)
                                && fields.matches(&l.namespace, &l.object)
                            {
                                let line = json!({"type": l.kind, "object": l.object});
                                out.extend_from_slice(line.to_string().as_bytes());
                                out.push(b'\n');
                            }
                        }
                        if !out.is_empty() {
                            return Some((Bytes::from(out), (api.clone(), cursor, false)));
                        }
                    }
                    notified.await;
                }
            }
        })
    }
}
