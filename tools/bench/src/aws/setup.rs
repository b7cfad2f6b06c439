//! The measured deployer and the emulator's network.

use super::{GATEWAY, Sample, timer::HttpTimer};
use anyhow::{Context, Result, bail};
use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use gantry_deploy::Deployer;
use gantry_model::{LoadBalancerType, Stack};
use gantry_snapshot::Snapshot;
use gantry_translate::{Settings, translate};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

pub(super) struct Bench {
    pub(super) deployer: Deployer,
    pub(super) timer: HttpTimer,
    pub(super) settings: Settings,
}

impl Bench {
    /// Translates `snapshot` and returns `gateway`'s stack and the time it took.
    pub(super) fn stack(&self, snapshot: &Snapshot, gateway: &str) -> Result<(Stack, Duration)> {
        let start = Instant::now();
        let t = translate(snapshot, &self.settings);
        let took = start.elapsed();
        if !t.problems.is_empty() {
            bail!("the workload translates with problems: {:?}", t.problems);
        }
        let stack = t
            .stacks
            .into_iter()
            .find(|s| s.gateway == gateway)
            .with_context(|| format!("no stack for {gateway}"))?;
        Ok((stack, took))
    }

    /// Applies `snapshot`'s stack (or deletes the Gateway for None) and measures it.
    pub(super) async fn measure(&self, snapshot: Option<&Snapshot>) -> Result<Sample> {
        let planned = snapshot.map(|s| self.stack(s, GATEWAY)).transpose()?;
        let calls_before = self.deployer.call_counts();
        let attempts_before = self.deployer.calls().attempts();
        let (http_before, requests_before) = self.timer.read();
        let start = Instant::now();
        let result = match &planned {
            Some((stack, _)) => self.deployer.apply(stack).await,
            None => {
                self.deployer
                    .delete(GATEWAY, LoadBalancerType::Application)
                    .await
            }
        };
        let apply = start.elapsed();
        result.context("the deployer failed")?;
        let (http_after, requests_after) = self.timer.read();
        let mut calls = BTreeMap::new();
        for ((_, op), n) in self.deployer.call_counts() {
            let before = calls_before
                .iter()
                .find(|((_, o), _)| *o == op)
                .map_or(0, |(_, b)| *b);
            if n > before {
                *calls.entry(op).or_default() += n - before;
            }
        }
        Ok(Sample {
            calls,
            attempts: self.deployer.calls().attempts() - attempts_before,
            translate: planned.map(|(_, t)| t).unwrap_or_default(),
            apply,
            http: http_after - http_before,
            requests: requests_after - requests_before,
        })
    }
}

/// A VPC with two subnets in two zones, tagged for both load balancer schemes, as subnet
/// discovery expects them.
pub async fn create_network(
    ec2: &aws_sdk_ec2::Client,
    cluster: &str,
    region: &str,
) -> Result<String> {
    // A second octet per process: moto keeps VPCs apart by id anyway, but distinct ranges
    // keep a reused emulator's state readable.
    let octet = std::process::id() % 200 + 20;
    let vpc = ec2
        .create_vpc()
        .cidr_block(format!("10.{octet}.0.0/16"))
        .send()
        .await
        .context("CreateVpc")?
        .vpc
        .and_then(|v| v.vpc_id)
        .context("CreateVpc returned no id")?;
    for (i, zone) in ["a", "b"].iter().enumerate() {
        let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build();
        let spec = TagSpecification::builder()
            .resource_type(ResourceType::Subnet)
            .tags(tag("kubernetes.io/role/elb", "1"))
            .tags(tag("kubernetes.io/role/internal-elb", "1"))
            .tags(tag("Name", &format!("{cluster}-{zone}")))
            .build();
        ec2.create_subnet()
            .vpc_id(&vpc)
            .cidr_block(format!("10.{octet}.{i}.0/24"))
            .availability_zone(format!("{region}{zone}"))
            .tag_specifications(spec)
            .send()
            .await
            .context("CreateSubnet")?;
    }
    Ok(vpc)
}
