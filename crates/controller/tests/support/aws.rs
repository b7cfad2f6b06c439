//! The moto AWS emulator for controller scenarios: the endpoint (failing when unset, as every
//! moto test), an SDK config, a VPC with tagged subnets, and
//! a real deployer for a cluster name.

use aws_config::SdkConfig;
use gantry_controller::referenced::SecretCache;
use gantry_deploy::client::{ClientSettings, https_client};
use gantry_deploy::{DeploySettings, Deployer};
pub use gantry_testkit::moto::Vpc;
use std::time::Duration;

#[allow(unused_imports)] // not every test binary uses them
pub use gantry_testkit::acm::certificate_tags;
#[allow(unused_imports)] // not every test binary uses them
pub use gantry_testkit::elb::{listener_certificate_arns, listeners};
#[allow(unused_imports)] // not every test binary uses it
pub use gantry_testkit::moto::endpoint;

/// What a controller scenario against moto starts from: the SDK config, a fresh VPC and the
/// cluster name `<prefix>-<pid>`.
pub struct Moto {
    pub sdk: SdkConfig,
    pub vpc_id: String,
    pub cluster: String,
}

/// [`Moto`] for the scenario `what`; it fails without the emulator (see [`endpoint`]).
#[allow(dead_code)] // not every test binary uses it
pub async fn moto(what: &str, prefix: &str) -> Moto {
    let sdk = sdk(&endpoint(what)).await;
    let vpc_id = vpc(&sdk).await.id;
    let cluster = format!("{prefix}-{}", std::process::id());
    Moto {
        sdk,
        vpc_id,
        cluster,
    }
}

impl Moto {
    /// The real deployer of [`deployer`] for this cluster and VPC.
    #[allow(dead_code)] // not every test binary uses it
    pub fn deployer(&self) -> std::sync::Arc<Deployer> {
        std::sync::Arc::new(deployer(&self.sdk, &self.vpc_id, &self.cluster))
    }
}

pub async fn sdk(endpoint: &str) -> SdkConfig {
    gantry_testkit::moto::sdk_config(endpoint, "us-east-1", https_client()).await
}

/// A VPC with two subnets tagged for load balancers.
pub async fn vpc(config: &SdkConfig) -> Vpc {
    gantry_testkit::moto::vpc(config, "controller", &["a", "b"]).await
}

/// The real deployer for `cluster` in `vpc_id`, retrying briefly (moto answers at once).
pub fn deployer(config: &SdkConfig, vpc_id: &str, cluster: &str) -> Deployer {
    Deployer::new(config, settings(vpc_id, cluster))
}

/// [`deployer`], reading the certificates of Secrets from the controller's cache, as in a
/// cluster.
#[allow(dead_code)] // not every test binary uses it
pub fn deployer_with_secrets(
    config: &SdkConfig,
    vpc_id: &str,
    cluster: &str,
    secrets: &SecretCache,
) -> Deployer {
    Deployer::new(
        config,
        DeploySettings {
            certificates: Some(gantry_controller::certificates::from_cache(secrets)),
            ..settings(vpc_id, cluster)
        },
    )
}

fn settings(vpc_id: &str, cluster: &str) -> DeploySettings {
    DeploySettings {
        vpc_id: Some(vpc_id.to_string()),
        client: ClientSettings {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(100),
            requests_per_second: 0.0,
            burst: 1,
            region: None,
        },
        ..DeploySettings::new(cluster)
    }
}
