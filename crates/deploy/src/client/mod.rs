//! AWS clients: configuration from the standard chain, retries, a client-side rate limit, and
//! a count of every call.

pub(crate) mod acm_cache;
mod metrics;
mod rate_limit;
pub(crate) mod remembered;
pub(crate) mod remembered_listing;

pub use metrics::{CallCounter, is_mutating};
pub use rate_limit::RateLimit;

use aws_config::{BehaviorVersion, SdkConfig, retry::RetryConfig, timeout::TimeoutConfig};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use std::time::Duration;

/// How the SDK retries and how fast gantry may call AWS.
#[derive(Clone, Debug)]
pub struct ClientSettings {
    /// Attempts per call, the first one included (SDK standard retry mode).
    pub max_attempts: u32,
    /// First backoff; doubles per attempt with jitter, up to `max_backoff`.
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// Client-side limit on requests per second (each attempt counts), with bursts up to
    /// `burst`. ELBv2's API allows a few requests per second per account and operation; staying
    /// under it avoids spending retries on throttling.
    pub requests_per_second: f64,
    pub burst: u32,
    /// Region; None: from the standard chain (`AWS_REGION`, profile …).
    pub region: Option<String>,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(20),
            requests_per_second: 10.0,
            burst: 20,
            region: None,
        }
    }
}

/// An HTTPS client on rustls with the ring provider, trusting the system's roots.
pub fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// Loads region and credentials from the standard chain (environment, profile, web identity,
/// container and instance metadata). `AWS_ENDPOINT_URL` (or a service-specific
/// `AWS_ENDPOINT_URL_<SERVICE>`) redirects the calls, e.g. to an emulator.
pub async fn load_config(settings: &ClientSettings) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = &settings.region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    loader
        .http_client(https_client())
        .retry_config(retry_config(settings))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(30))
                .build(),
        )
        .load()
        .await
}

pub fn retry_config(settings: &ClientSettings) -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(settings.max_attempts)
        .with_initial_backoff(settings.initial_backoff)
        .with_max_backoff(settings.max_backoff)
}

/// Runs a future to completion on a new single-threaded runtime, for callers without one
/// (the CLI).
pub fn block_on<F: std::future::Future>(future: F) -> std::io::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(runtime.block_on(future))
}

/// The service clients of one deployer, sharing a rate limit and a call counter.
#[derive(Clone, Debug)]
pub struct Clients {
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    pub ec2: aws_sdk_ec2::Client,
    /// Certificate discovery only (see [`crate::acm`]).
    pub acm: aws_sdk_acm::Client,
    /// Web ACL associations of ALBs (see [`crate::sync`]'s addons).
    pub wafv2: aws_sdk_wafv2::Client,
    /// Shield Advanced protections of ALBs.
    pub shield: aws_sdk_shield::Client,
    pub(crate) acm_cache: acm_cache::Cache,
    /// ELBv2 tags and listener attributes already read (discovery).
    pub(crate) remembered_tags: remembered::Remembered<gantry_model::Tags>,
    pub(crate) remembered_listener_attributes:
        remembered::Remembered<std::collections::BTreeMap<String, String>>,
    /// The account's target groups as last listed (discovery).
    pub(crate) remembered_target_groups:
        remembered_listing::RememberedListing<aws_sdk_elasticloadbalancingv2::types::TargetGroup>,
    pub calls: CallCounter,
    /// The limit the clients share (its waits are summed).
    pub rate_limit: RateLimit,
}

/// One client of the SDK crate `$sdk` on `$config`, its calls counted by `$calls`. A macro
/// because every SDK crate has its own config and client types.
macro_rules! counted_client {
    ($sdk:ident, $config:expr, $calls:expr) => {
        $sdk::Client::from_conf(
            $sdk::config::Builder::from($config)
                .interceptor($calls.clone())
                .build(),
        )
    };
}

impl Clients {
    pub fn new(config: &SdkConfig, limit: &RateLimit) -> Self {
        let calls = CallCounter::default();
        let http = limit.wrap(config.http_client().unwrap_or_else(https_client));
        let config = &config.to_builder().http_client(http).build();
        Clients {
            elbv2: counted_client!(aws_sdk_elasticloadbalancingv2, config, calls),
            ec2: counted_client!(aws_sdk_ec2, config, calls),
            acm: counted_client!(aws_sdk_acm, config, calls),
            wafv2: counted_client!(aws_sdk_wafv2, config, calls),
            shield: counted_client!(aws_sdk_shield, config, calls),
            acm_cache: Default::default(),
            remembered_tags: Default::default(),
            remembered_listener_attributes: Default::default(),
            remembered_target_groups: Default::default(),
            calls,
            rate_limit: limit.clone(),
        }
    }
}
