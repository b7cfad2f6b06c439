//! The moto AWS emulator for controller scenarios: the endpoint (failing when unset unless
//! GANTRY_SKIP_AWS_TESTS=1, as every moto test), an SDK config, a VPC with tagged subnets, and
//! a real deployer for a cluster name.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_ec2::config::Credentials;
use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use gantry_deploy::client::{ClientSettings, https_client};
use gantry_deploy::{DeploySettings, Deployer};
use std::time::Duration;

pub fn endpoint(scenario: &str) -> Option<String> {
    match std::env::var("AWS_ENDPOINT_URL") {
        Ok(e) if !e.is_empty() => Some(e),
        _ if std::env::var("GANTRY_SKIP_AWS_TESTS").as_deref() == Ok("1") => {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {scenario}: GANTRY_SKIP_AWS_TESTS=1 and AWS_ENDPOINT_URL is not set"
            );
            None
        }
        _ => panic!(
            "{scenario} needs the moto AWS emulator: run ./scripts/test.sh, or start it with \
             `scripts/moto.sh start` and export the AWS_ENDPOINT_URL it prints \
             (GANTRY_SKIP_AWS_TESTS=1 skips the tests that need AWS)"
        ),
    }
}

pub async fn sdk(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .http_client(https_client())
        .load()
        .await
}

/// A VPC `10.n.0.0/16` with two subnets tagged for load balancers; returns the VPC id.
pub async fn vpc(config: &SdkConfig, n: u32) -> String {
    let ec2 = aws_sdk_ec2::Client::new(config);
    let vpc = ec2
        .create_vpc()
        .cidr_block(format!("10.{n}.0.0/16"))
        .send()
        .await
        .expect("create VPC")
        .vpc
        .and_then(|v| v.vpc_id)
        .expect("VPC id");
    for (i, zone) in ["a", "b"].iter().enumerate() {
        let tag = |k: &str| Tag::builder().key(k).value("1").build();
        let tags = TagSpecification::builder()
            .resource_type(ResourceType::Subnet)
            .tags(tag("kubernetes.io/role/internal-elb"))
            .tags(tag("kubernetes.io/role/elb"))
            .build();
        ec2.create_subnet()
            .vpc_id(&vpc)
            .cidr_block(format!("10.{n}.{i}.0/24"))
            .availability_zone(format!("us-east-1{zone}"))
            .tag_specifications(tags)
            .send()
            .await
            .expect("create subnet");
    }
    vpc
}

/// The real deployer for `cluster` in `vpc_id`, retrying briefly (moto answers at once).
pub fn deployer(config: &SdkConfig, vpc_id: &str, cluster: &str) -> Deployer {
    Deployer::new(
        config,
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
        },
    )
}
