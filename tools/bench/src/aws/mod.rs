//! The AWS side of the benchmarks, against an emulator (moto) at `AWS_ENDPOINT_URL`: AWS calls
//! per change made through the real [`Deployer`], each beside the minimum possible, and the
//! time from a change to AWS converged with the emulator's own time taken out.
//!
//! The emulator's time is measured, not estimated: the deployer's HTTP client is wrapped by
//! [`HttpTimer`], which reads every response body inside the timed section and adds up the
//! time during which at least one request is in flight.
//!
//! Files: [`timer`] (the HTTP timer), `setup` (the measured deployer and the VPC), `report`
//! (the document's section).

mod report;
mod setup;
mod timer;

use crate::markdown::ms;
pub use report::{markdown, skipped};
pub use timer::HttpTimer;

use crate::workload::{gateway_with_routes, gateways_with_routes, with_route, with_weight};
use anyhow::{Context, Result, bail};
use gantry_deploy::client::{ClientSettings, https_client, is_mutating, load_config};
use gantry_deploy::{DeploySettings, Deployer, PriorityMode};
use gantry_model::Stack;
use gantry_snapshot::Snapshot;
use gantry_translate::{Settings, translate};
use setup::Bench;
use std::collections::BTreeMap;
use std::time::Duration;

/// HTTPRoutes on the benchmark's Gateway (one rule × one match each: 50 rules, within the
/// default quota of 100 rules per ALB, so translate runs with its default settings).
pub const ROUTES: usize = 50;
/// The Gateway the workload's routes attach to.
const GATEWAY: &str = "team-00/gw-0";
/// Timed repetitions of each change; the tables give medians.
pub const REPEATS: usize = 5;
/// Other Gateways like the benchmark's, put in the same VPC for one measurement: discovery
/// lists every load balancer and target group of the VPC, not only the Gateway's.
pub const NEIGHBOURS: usize = 4;

/// The minimum calls a change needs, by operation, and why.
#[derive(Clone, Debug)]
pub struct Minimum {
    pub calls: BTreeMap<String, u64>,
    pub why: &'static str,
}

impl Minimum {
    fn new(why: &'static str, calls: &[(&str, usize)]) -> Self {
        Minimum {
            calls: calls
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(op, n)| (op.to_string(), *n as u64))
                .collect(),
            why,
        }
    }

    pub fn mutating(&self) -> u64 {
        mutating(&self.calls)
    }

    pub fn reads(&self) -> u64 {
        self.calls.values().sum::<u64>() - self.mutating()
    }
}

fn mutating(calls: &BTreeMap<String, u64>) -> u64 {
    calls
        .iter()
        .filter(|(op, _)| is_mutating(op))
        .map(|(_, n)| n)
        .sum()
}

/// One apply (or delete): what it cost.
#[derive(Clone, Debug, Default)]
pub struct Sample {
    /// AWS calls by operation (the SDK's retries not counted; see `attempts`).
    pub calls: BTreeMap<String, u64>,
    pub attempts: u64,
    /// Translating the snapshot that holds the change.
    pub translate: Duration,
    /// `Deployer::apply` (or `delete`) from call to return.
    pub apply: Duration,
    /// Of `apply`, the time with a request at the emulator.
    pub http: Duration,
    pub requests: u64,
}

impl Sample {
    pub fn total(&self) -> u64 {
        self.calls.values().sum()
    }
    pub fn mutating(&self) -> u64 {
        mutating(&self.calls)
    }
    pub fn reads(&self) -> u64 {
        self.total() - self.mutating()
    }
    /// gantry's own time from the change to AWS converged: translation plus the apply less
    /// the time spent waiting on the emulator.
    pub fn overhead(&self) -> Duration {
        self.translate + self.apply.saturating_sub(self.http)
    }
}

/// A change measured for its calls.
#[derive(Clone, Debug)]
pub struct Change {
    /// A column header.
    pub label: &'static str,
    pub name: &'static str,
    pub sample: Sample,
    pub minimum: Minimum,
}

/// A change repeated for its time.
#[derive(Clone, Debug)]
pub struct Timing {
    pub name: &'static str,
    pub samples: Vec<Sample>,
}

impl Timing {
    /// The sample with the median overhead.
    pub fn median(&self) -> &Sample {
        let mut s: Vec<&Sample> = self.samples.iter().collect();
        s.sort_by_key(|s| s.overhead());
        s[s.len() / 2]
    }
}

/// Everything the AWS benchmarks measured.
#[derive(Clone, Debug)]
pub struct Figures {
    pub endpoint: String,
    pub changes: Vec<Change>,
    pub timings: Vec<Timing>,
    /// Resources in the Gateway's stack.
    pub target_groups: usize,
    pub rules: usize,
}
/// Runs the AWS benchmarks against the endpoint in `AWS_ENDPOINT_URL`.
pub async fn run(endpoint: &str) -> Result<Figures> {
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "us-west-2".into());
    // The client-side rate limit is off: it only paces calls (their number is the same), and
    // its waits would hide gantry's own time. Retries stay as in production.
    let client = ClientSettings {
        requests_per_second: 0.0,
        region: Some(region.clone()),
        ..ClientSettings::default()
    };
    let base = load_config(&client).await;
    let timer = HttpTimer::default();
    let config = base
        .to_builder()
        .http_client(timer.wrap(base.http_client().unwrap_or_else(https_client)))
        .build();
    let cluster = format!("bench-{}", std::process::id());
    // Subnets in two zones tagged for both schemes, as subnet discovery expects them.
    let vpc = gantry_testkit::moto::vpc(&config, &cluster, &["a", "b"])
        .await
        .id;
    let bench = Bench {
        deployer: Deployer::new(
            &config,
            DeploySettings {
                vpc_id: Some(vpc),
                client,
                // moto refuses AWS's atomic reorder (SetRulePriorities to priorities in use);
                // production tries it once, then falls back to this. Set from the start so
                // that the fallback's refused call doesn't land in one change's count.
                priority_mode: Some(PriorityMode::Strict),
                ..DeploySettings::new(&cluster)
            },
        ),
        timer,
        settings: Settings::new(&cluster),
    };

    let created = gateway_with_routes(ROUTES);
    let (stack, _) = bench.stack(&created, GATEWAY)?;
    let (tgs, listeners) = (stack.target_groups.len(), stack.listeners.len());
    let rules: usize = stack.listeners.iter().map(|l| l.rules.len()).sum();
    let ingress = usize::from(
        stack
            .security_group
            .as_ref()
            .is_some_and(|sg| !sg.ingress.is_empty()),
    );
    // The Gateway's managed group, and the cluster's shared backend group, which the first
    // Gateway of a cluster creates and the last one deletes.
    let sgs = usize::from(stack.security_group.is_some())
        + usize::from(
            stack
                .load_balancer
                .security_groups
                .contains(&gantry_model::SecurityGroupRef::SharedBackend),
        );
    // What any controller must read to know where a Gateway stands: one list per kind.
    let one_read_per_kind = [
        ("DescribeSubnets", 1),
        ("DescribeSecurityGroups", 1),
        ("DescribeLoadBalancers", 1),
        ("DescribeListeners", 1),
        ("DescribeRules", 1),
        ("DescribeTargetGroups", 1),
    ];
    let with_reads = |extra: &[(&'static str, usize)]| -> Vec<(&'static str, usize)> {
        let mut v = one_read_per_kind.to_vec();
        v.extend_from_slice(extra);
        v
    };

    let weight = with_weight(&created, 0, 50);
    let added = with_route(&weight, ROUTES, &format!("app-{ROUTES:03}.example.com"), 0);
    // More labels rank first in Gateway API precedence: this route's rule takes priority 1.
    let added_first = with_route(&added, ROUTES + 1, "first.app-000.example.com", 0);
    let new_tgs = bench.stack(&added, GATEWAY)?.0.target_groups.len() - tgs;

    let mut changes = Vec::new();
    let mut change = async |(label, name), snapshot: Option<&Snapshot>, minimum| -> Result<()> {
        let sample = bench.measure(snapshot).await?;
        eprintln!(
            "aws: {name}: {} calls, {} mutating ({:.0} ms, {:.0} ms at the emulator)",
            sample.total(),
            sample.mutating(),
            ms(sample.apply),
            ms(sample.http)
        );
        changes.push(Change {
            label,
            name,
            sample,
            minimum,
        });
        Ok(())
    };
    change(
        ("create", "create the Gateway with 50 HTTPRoutes from empty"),
        Some(&created),
        Minimum::new(
            "every resource created once with its tags (the security groups: the Gateway's and the cluster's shared backend group); from empty only the lists that find nothing",
            &[
                ("DescribeSubnets", 1),
                ("DescribeSecurityGroups", 1),
                ("DescribeLoadBalancers", 1),
                ("DescribeTargetGroups", 1),
                ("CreateSecurityGroup", sgs),
                ("AuthorizeSecurityGroupIngress", ingress),
                ("CreateTargetGroup", tgs),
                ("CreateLoadBalancer", 1),
                ("CreateListener", listeners),
                ("CreateRule", rules),
            ],
        ),
    )
    .await?;
    change(
        ("unchanged", "re-reconcile it unchanged"),
        Some(&created),
        Minimum::new(
            "nothing to change; one read per resource kind",
            &with_reads(&[]),
        ),
    )
    .await?;

    // The same, with other Gateways' load balancers and target groups in the VPC.
    let neighbours = gateways_with_routes(NEIGHBOURS + 1, ROUTES);
    let others: Vec<Stack> = translate(&neighbours, &bench.settings)
        .stacks
        .into_iter()
        .filter(|s| s.gateway != GATEWAY)
        .collect();
    for s in &others {
        bench
            .deployer
            .apply(s)
            .await
            .context("a neighbour Gateway")?;
    }
    change(
        (
            "unchanged, 4 more Gateways",
            "re-reconcile it unchanged, with 4 more such Gateways in the VPC",
        ),
        Some(&created),
        Minimum::new(
            "as above: the other Gateways' resources are none of this one's business",
            &with_reads(&[]),
        ),
    )
    .await?;
    for s in &others {
        bench
            .deployer
            .delete(&s.gateway, s.load_balancer.kind)
            .await
            .context("deleting a neighbour Gateway")?;
    }

    // Changes one after the other, each from the state the one before left.
    let edits = [
        (
            ("weight", "change one route's backend weight"),
            &weight,
            Minimum::new(
                "the weights live in the rule's forward action: one ModifyRule",
                &with_reads(&[("ModifyRule", 1)]),
            ),
        ),
        (
            ("add last", "add one route (the newest: sorts last)"),
            &added,
            Minimum::new(
                "its target groups (one per backend: gantry keeps a target group per route and Service, as the AWS LBC does) and one rule at the next free priority",
                &with_reads(&[("CreateTargetGroup", new_tgs), ("CreateRule", 1)]),
            ),
        ),
        (
            ("add first", "add one route that sorts first"),
            &added_first,
            Minimum::new(
                "as above: rules for distinct hostnames never match the same request, so the new rule may take any free priority",
                &with_reads(&[("CreateTargetGroup", new_tgs), ("CreateRule", 1)]),
            ),
        ),
    ];
    for (names, snapshot, minimum) in edits {
        change(names, Some(snapshot), minimum).await?;
    }

    // Time: back to 50 routes, then weight changes and route additions and removals in turn.
    let _ = bench.measure(Some(&weight)).await?;
    let mut timings = [
        "change one route's backend weight",
        "add one route",
        "remove that route",
    ]
    .map(|name| Timing {
        name,
        samples: Vec::new(),
    });
    for i in 0..REPEATS {
        let w = with_weight(&created, 0, if i % 2 == 0 { 90 } else { 50 });
        let plus = with_route(&w, ROUTES, &format!("app-{ROUTES:03}.example.com"), 0);
        for (t, s) in [(0, &w), (1, &plus), (2, &w)] {
            let sample = bench.measure(Some(s)).await?;
            timings[t].samples.push(sample);
        }
    }

    change(
        ("delete", "delete the Gateway"),
        None,
        Minimum::new(
            "the load balancer (its listeners and rules go with it), each target group and the security groups once each, after one list per kind",
            &[
                ("DescribeSecurityGroups", 1),
                ("DescribeLoadBalancers", 1),
                ("DescribeTargetGroups", 1),
                ("DeleteLoadBalancer", 1),
                ("DeleteTargetGroup", tgs),
                ("DeleteSecurityGroup", sgs),
            ],
        ),
    )
    .await?;
    let left = bench.deployer.inventory().await?;
    if !left.is_empty() {
        bail!("the delete left resources behind: {left:?}");
    }
    Ok(Figures {
        endpoint: endpoint.to_string(),
        changes,
        timings: timings.into(),
        target_groups: tgs,
        rules,
    })
}
