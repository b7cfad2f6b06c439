//! A token bucket in front of the HTTP client: every attempt, retries included, takes a token.
//! The time calls spent waiting for a token is summed, so that it can be told apart from the
//! controller's own time and AWS's.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// A shared token bucket; clones share the bucket.
#[derive(Clone, Debug)]
pub struct RateLimit {
    bucket: Option<Arc<Mutex<Bucket>>>,
    /// Nanoseconds calls waited for a token, summed over all calls.
    waited: Arc<AtomicU64>,
}

#[derive(Debug)]
struct Bucket {
    per_second: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl RateLimit {
    /// No limit when `per_second` is not positive.
    pub fn new(per_second: f64, burst: u32) -> Self {
        let bucket = (per_second > 0.0).then(|| {
            let burst = f64::from(burst.max(1));
            Arc::new(Mutex::new(Bucket {
                per_second,
                burst,
                tokens: burst,
                last: Instant::now(),
            }))
        });
        RateLimit {
            bucket,
            waited: Arc::default(),
        }
    }

    pub fn unlimited() -> Self {
        RateLimit {
            bucket: None,
            waited: Arc::default(),
        }
    }

    /// The time calls have waited for a token so far, summed over calls.
    pub fn waited(&self) -> Duration {
        Duration::from_nanos(self.waited.load(Ordering::Relaxed))
    }

    /// Waits until a request may be sent.
    pub async fn acquire(&self) {
        let Some(bucket) = &self.bucket else { return };
        let start = Instant::now();
        loop {
            let wait = {
                let mut b = bucket.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                let refill = now.duration_since(b.last).as_secs_f64() * b.per_second;
                b.tokens = (b.tokens + refill).min(b.burst);
                b.last = now;
                if b.tokens >= 1.0 {
                    b.tokens -= 1.0;
                    let waited = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
                    self.waited.fetch_add(waited, Ordering::Relaxed);
                    return;
                }
                Duration::from_secs_f64((1.0 - b.tokens) / b.per_second)
            };
            tokio::time::sleep(wait).await;
        }
    }

    pub fn wrap(&self, inner: SharedHttpClient) -> SharedHttpClient {
        if self.bucket.is_none() {
            return inner;
        }
        SharedHttpClient::new(Limited {
            inner,
            limit: self.clone(),
        })
    }
}

#[derive(Debug)]
struct Limited {
    inner: SharedHttpClient,
    limit: RateLimit,
}

impl HttpClient for Limited {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(LimitedConnector {
            inner: self.inner.http_connector(settings, components),
            limit: self.limit.clone(),
        })
    }
}

#[derive(Debug)]
struct LimitedConnector {
    inner: SharedHttpConnector,
    limit: RateLimit,
}

impl HttpConnector for LimitedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (inner, limit) = (self.inner.clone(), self.limit.clone());
        HttpConnectorFuture::new(async move {
            limit.acquire().await;
            inner.call(request).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn bucket_allows_the_burst_then_the_rate() {
        let limit = RateLimit::new(10.0, 5);
        let start = Instant::now();
        for _ in 0..5 {
            limit.acquire().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        for _ in 0..10 {
            limit.acquire().await;
        }
        let elapsed = start.elapsed().as_secs_f64();
        assert!((0.95..1.1).contains(&elapsed), "{elapsed}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_waits_for_tokens_are_summed() {
        let limit = RateLimit::new(10.0, 2);
        limit.acquire().await;
        limit.acquire().await;
        assert_eq!(limit.waited(), Duration::ZERO, "within the burst");
        limit.acquire().await;
        limit.acquire().await;
        let waited = limit.waited().as_secs_f64();
        assert!(
            (0.19..0.21).contains(&waited),
            "two calls a tenth each: {waited}"
        );
        assert_eq!(RateLimit::unlimited().waited(), Duration::ZERO);
    }
}
