//! [`HttpTimer`]: the time with at least one request at the emulator, measured around the
//! deployer's HTTP client.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Time during which at least one HTTP request was in flight, and how many were sent.
#[derive(Clone, Debug, Default)]
pub struct HttpTimer {
    state: Arc<Mutex<TimerState>>,
}

#[derive(Debug, Default)]
struct TimerState {
    in_flight: u32,
    since: Option<Instant>,
    busy: Duration,
    requests: u64,
}

impl HttpTimer {
    /// `inner`, with every request timed.
    pub fn wrap(&self, inner: SharedHttpClient) -> SharedHttpClient {
        SharedHttpClient::new(Timed {
            inner,
            timer: self.clone(),
        })
    }

    /// Busy time and requests so far.
    pub fn read(&self) -> (Duration, u64) {
        let s = self.lock();
        let open = s.since.map(|t| t.elapsed()).unwrap_or_default();
        (s.busy + open, s.requests)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, TimerState> {
        // Poisoned only if a thread panicked mid-update; the figures stay usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn start(&self) -> InFlight {
        let mut s = self.lock();
        s.requests += 1;
        if s.in_flight == 0 {
            s.since = Some(Instant::now());
        }
        s.in_flight += 1;
        InFlight(self.clone())
    }
}

/// Ends a request's time when dropped, so that a request cancelled by a timeout ends too.
struct InFlight(HttpTimer);

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut s = self.0.lock();
        s.in_flight -= 1;
        if s.in_flight == 0
            && let Some(t) = s.since.take()
        {
            s.busy += t.elapsed();
        }
    }
}

#[derive(Debug)]
struct Timed {
    inner: SharedHttpClient,
    timer: HttpTimer,
}

impl HttpClient for Timed {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(TimedConnector {
            inner: self.inner.http_connector(settings, components),
            timer: self.timer.clone(),
        })
    }
}

#[derive(Debug)]
struct TimedConnector {
    inner: SharedHttpConnector,
    timer: HttpTimer,
}

impl HttpConnector for TimedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (inner, timer) = (self.inner.clone(), self.timer.clone());
        HttpConnectorFuture::new(async move {
            let _in_flight = timer.start();
            let mut response = inner.call(request).await?;
            // The SDK reads the body after the connector returns; read it here so that the
            // emulator's time includes sending it.
            let body = ByteStream::new(response.take_body())
                .collect()
                .await
                .map_err(|e| ConnectorError::io(e.into()))?;
            *response.body_mut() = SdkBody::from(body.into_bytes());
            Ok(response)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_requests_count_once_and_idle_time_not_at_all() {
        let timer = HttpTimer::default();
        let a = timer.start();
        let b = timer.start();
        std::thread::sleep(Duration::from_millis(20));
        drop(a);
        std::thread::sleep(Duration::from_millis(20));
        drop(b);
        let (busy, requests) = timer.read();
        assert_eq!(requests, 2);
        assert!(busy >= Duration::from_millis(40), "{busy:?}");
        assert!(busy < Duration::from_millis(200), "{busy:?}");
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(timer.read().0, busy);
    }
}
