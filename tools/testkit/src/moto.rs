//! The moto AWS emulator as tests meet it: its endpoint (a test needing it fails without it),
//! an SDK config for it, and a VPC with subnets tagged for load balancers.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_ec2::config::Credentials;
use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use std::sync::atomic::{AtomicU32, Ordering};

/// The emulator endpoint from `AWS_ENDPOINT_URL`. Without one the test `test` fails, naming
/// what to do: a test that needs AWS never passes by skipping.
pub fn endpoint(test: &str) -> String {
    match std::env::var("AWS_ENDPOINT_URL") {
        Ok(e) if !e.is_empty() => e,
        _ => panic!(
            "{test} needs the moto AWS emulator: run ./scripts/test.sh, or start it with \
             `scripts/moto.sh start` and export the AWS_ENDPOINT_URL it prints"
        ),
    }
}

/// `AWS_REGION`, or us-east-1.
pub fn region() -> String {
    std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".to_string())
}

/// An SDK config for the emulator at `endpoint` in `region`, with moto's test credentials and
/// the given HTTP client (gantry's own, so tests use the TLS stack gantry ships).
pub async fn sdk_config(endpoint: &str, region: &str, http: SharedHttpClient) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .http_client(http)
        .load()
        .await
}

/// A VPC and its subnets, one per zone.
pub struct Vpc {
    pub id: String,
    pub subnets: Vec<String>,
    /// The second octet of the VPC's CIDR `10.n.0.0/16`.
    n: u32,
}

impl Vpc {
    /// The address `host` in the VPC's subnet number `subnet` (counted from 0).
    pub fn address(&self, subnet: u8, host: u8) -> String {
        format!("10.{}.{subnet}.{host}", self.n)
    }
}

static NEXT_CIDR: AtomicU32 = AtomicU32::new(0);

/// A fresh VPC `10.n.0.0/16` (n distinct within the process) with a subnet in each of
/// `zones` (letters after the config's region), tagged for internet-facing and internal load
/// balancers and named `<name>-<zone>`.
pub async fn vpc(config: &SdkConfig, name: &str, zones: &[&str]) -> Vpc {
    let ec2 = aws_sdk_ec2::Client::new(config);
    // CIDRs of their own per test and run; moto keeps VPCs apart by id anyway.
    let n = (NEXT_CIDR.fetch_add(1, Ordering::Relaxed) + std::process::id()) % 240 + 10;
    let id = ec2
        .create_vpc()
        .cidr_block(format!("10.{n}.0.0/16"))
        .send()
        .await
        .expect("create VPC")
        .vpc
        .and_then(|v| v.vpc_id)
        .expect("VPC id");
    let region = config.region().map(|r| r.to_string()).unwrap_or_default();
    let mut subnets = Vec::new();
    for (i, zone) in zones.iter().enumerate() {
        let tag = |k: &str, v: String| Tag::builder().key(k).value(v).build();
        let tags = TagSpecification::builder()
            .resource_type(ResourceType::Subnet)
            .tags(tag("kubernetes.io/role/elb", "1".into()))
            .tags(tag("kubernetes.io/role/internal-elb", "1".into()))
            .tags(tag("Name", format!("{name}-{zone}")))
            .build();
        let subnet = ec2
            .create_subnet()
            .vpc_id(&id)
            .cidr_block(format!("10.{n}.{i}.0/24"))
            .availability_zone(format!("{region}{zone}"))
            .tag_specifications(tags)
            .send()
            .await
            .expect("create subnet")
            .subnet
            .and_then(|s| s.subnet_id)
            .expect("subnet id");
        subnets.push(subnet);
    }
    Vpc { id, subnets, n }
}
