//! The AWS side of the benchmarks, against an emulator (moto) at `AWS_ENDPOINT_URL`: AWS calls
//! per change made through the real [`Deployer`], each beside the minimum possible, and the
//! time from a change to AWS converged with the emulator's own time taken out.
//!
//! The emulator's time is measured, not estimated: the deployer's HTTP client is wrapped by
//! [`HttpTimer`], which reads every response body inside the timed section and adds up the
//! time during which at least one request is in flight.

use crate::workload::{gateway_with_routes, gateways_with_routes, with_route, with_weight};
use anyhow::{Context, Result, bail};
use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use gantry_deploy::client::{ClientSettings, https_client, is_mutating, load_config};
use gantry_deploy::{DeploySettings, Deployer, PriorityMode};
use gantry_model::{LoadBalancerType, Stack};
use gantry_snapshot::Snapshot;
use gantry_translate::{Settings, translate};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

struct Bench {
    deployer: Deployer,
    timer: HttpTimer,
    settings: Settings,
}

impl Bench {
    /// Translates `snapshot` and returns `gateway`'s stack and the time it took.
    fn stack(&self, snapshot: &Snapshot, gateway: &str) -> Result<(Stack, Duration)> {
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
    async fn measure(&self, snapshot: Option<&Snapshot>) -> Result<Sample> {
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
    let vpc = create_network(&aws_sdk_ec2::Client::new(&config), &cluster, &region).await?;
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

    change(
        ("weight", "change one route's backend weight"),
        Some(&weight),
        Minimum::new(
            "the weights live in the rule's forward action: one ModifyRule",
            &with_reads(&[("ModifyRule", 1)]),
        ),
    )
    .await?;
    change(
        ("add last", "add one route (the newest: sorts last)"),
        Some(&added),
        Minimum::new(
            "its target groups (one per backend: gantry keeps a target group per route and Service, as the AWS LBC does) and one rule at the next free priority",
            &with_reads(&[("CreateTargetGroup", new_tgs), ("CreateRule", 1)]),
        ),
    )
    .await?;
    change(
        ("add first", "add one route that sorts first"),
        Some(&added_first),
        Minimum::new(
            "as above: rules for distinct hostnames never match the same request, so the new rule may take any free priority",
            &with_reads(&[("CreateTargetGroup", new_tgs), ("CreateRule", 1)]),
        ),
    )
    .await?;

    // Time: back to 50 routes, then weight changes and route additions and removals in turn.
    let _ = bench.measure(Some(&weight)).await?;
    let mut timings = vec![
        Timing {
            name: "change one route's backend weight",
            samples: Vec::new(),
        },
        Timing {
            name: "add one route",
            samples: Vec::new(),
        },
        Timing {
            name: "remove that route",
            samples: Vec::new(),
        },
    ];
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
        timings,
        target_groups: tgs,
        rules,
    })
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Why gantry makes an operation more often than the minimum, for the operations where it
/// does on the benchmark's workload.
fn why_more(op: &str) -> &'static str {
    match op {
        "DescribeTags" => {
            "ELBv2's Describe* answers carry no tags, so ownership is read with DescribeTags, 20 ARNs a call at most; the deployer remembers what it read for 10 minutes, so only resources it has not seen yet (those created since its last look, or in a new deployer) are described"
        }
        "DescribeRules" => {
            "DescribeRules is paged and the deployer sends no PageSize: moto answers 50 rules a page, so 50 rules and the default rule take two calls (PageSize 400, the maximum, would take one)"
        }
        "DescribeSecurityGroups" => {
            "besides the one listing of the cluster's groups, the backend rules or a deletion look at the groups again"
        }
        "DescribeLoadBalancers" => {
            "before deleting the cluster's shared backend security group, the load balancers are listed again to check that none still uses it"
        }
        "SetRulePriorities" => {
            "translate numbers the rules 1…n in precedence order and the deployer moves the existing rules to those numbers, although rules for distinct hostnames need no order; in strict mode (moto's) a reorder parks the rules above the used range and moves them back, 2 calls (1 on AWS)"
        }
        "DescribeTargetGroupAttributes" => {
            "target group attributes are not in DescribeTargetGroups: one call per target group to diff them"
        }
        "DescribeLoadBalancerAttributes" => {
            "load balancer attributes are not in DescribeLoadBalancers: one call per load balancer"
        }
        "DescribeListenerAttributes" => {
            "listener attributes are not in DescribeListeners: one call per listener the deployer has not read in the last 10 minutes"
        }
        _ => "not analysed",
    }
}

/// The AWS sections of `docs/benchmarks.md`.
pub fn markdown(f: &Figures) -> String {
    use std::fmt::Write;
    let mut d = String::new();
    // scripts/bench.sh names the emulator it started (moto and its version).
    let emulator = std::env::var("GANTRY_BENCH_EMULATOR").unwrap_or_else(|_| "the emulator".into());
    let _ = writeln!(d, "## AWS calls per change\n");
    let _ = writeln!(
        d,
        "Against {emulator} at `{}`. One ALB Gateway with {ROUTES} HTTPRoutes of one rule × one match (path prefix and header) each, every route sending 90 % to its own Service and 10 % to the next route's: {} listener rules and {} target groups, within the default quota of 100 rules per ALB, so translate runs with its default settings. Stacks come from translate on the generated snapshots; calls are made by the real `Deployer` (`apply`, `delete`) and counted by its SDK interceptor (a call the SDK retries counts once). Registering targets (`sync_targets`) is a separate path and not included.\n",
        f.endpoint, f.rules, f.target_groups
    );
    let _ = writeln!(
        d,
        "| change | calls | mutating | reads | minimum: mutating / reads | why that minimum | at the minimum |"
    );
    let _ = writeln!(d, "|---|---:|---:|---:|---:|---|---|");
    for c in &f.changes {
        let s = &c.sample;
        let m = &c.minimum;
        let gap = |a: u64, b: u64, what: &str| (a > b).then(|| format!("+{} {what}", a - b));
        let gaps: Vec<String> = [
            gap(s.mutating(), m.mutating(), "mutating"),
            gap(s.reads(), m.reads(), "reads"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let _ = writeln!(
            d,
            "| {} | {} | {} | {} | {} / {} | {} | {} |",
            c.name,
            s.total(),
            s.mutating(),
            s.reads(),
            m.mutating(),
            m.reads(),
            m.why,
            if gaps.is_empty() {
                "yes".to_string()
            } else {
                format!("no: {}", gaps.join(", "))
            }
        );
    }
    let retried: u64 = f
        .changes
        .iter()
        .map(|c| c.sample.attempts.saturating_sub(c.sample.total()))
        .sum();
    let _ = writeln!(
        d,
        "\nSDK retries during these changes: {retried}. Rule priorities are moved the strict way (`PriorityMode::Strict`: only to free priorities), because moto refuses AWS's atomic reorder; on AWS one `SetRulePriorities` does a reorder.\n"
    );

    let find = |prefix: &str| f.changes.iter().find(|c| c.name.starts_with(prefix));
    let _ = writeln!(d, "| goal | figure | met |");
    let _ = writeln!(d, "|---|---:|:-:|");
    if let Some(c) = find("re-reconcile") {
        let kinds = 6;
        let _ = writeln!(
            d,
            "| an unchanged reconcile makes zero mutating AWS calls | {} | {} |",
            c.sample.mutating(),
            yes(c.sample.mutating() == 0)
        );
        let _ = writeln!(
            d,
            "| … and at most one read per resource kind per Gateway ({kinds} kinds: subnets, security group, load balancer, listener, rule, target group) | {} reads | {} |",
            c.sample.reads(),
            yes(c.sample.reads() <= kinds)
        );
    }
    if let Some(c) = find("change one route") {
        let _ = writeln!(
            d,
            "| a one-rule change makes exactly one mutating call (the weight change) | {} | {} |",
            c.sample.mutating(),
            yes(c.sample.mutating() == 1)
        );
    }
    // The gaps in words, from the figures.
    if let (Some(u), Some(n)) = (
        find("re-reconcile it unchanged"),
        find("re-reconcile it unchanged, with"),
    ) {
        let tags = |c: &Change| c.sample.calls.get("DescribeTags").copied().unwrap_or(0);
        if u.sample.reads() > u.minimum.reads() {
            let _ = writeln!(
                d,
                "\nGap: an unchanged reconcile makes {} reads where one per resource kind is {} ({} of them DescribeTags), and more as the VPC fills: {} with {NEIGHBOURS} more Gateways ({} DescribeTags).",
                u.sample.reads(),
                u.minimum.reads(),
                tags(u),
                n.sample.reads(),
                tags(n)
            );
        }
    }
    let over: Vec<&str> = f
        .changes
        .iter()
        .filter(|c| c.sample.mutating() > c.minimum.mutating())
        .map(|c| c.name)
        .collect();
    let _ = writeln!(
        d,
        "\nMutating calls above the minimum: {}.",
        if over.is_empty() {
            "none".to_string()
        } else {
            over.join("; ")
        }
    );

    // Calls by operation, every change in a column; "(min n)" where gantry differs.
    let ops: std::collections::BTreeSet<&String> = f
        .changes
        .iter()
        .flat_map(|c| c.sample.calls.keys().chain(c.minimum.calls.keys()))
        .collect();
    let _ = writeln!(
        d,
        "\nCalls by operation (\"(min n)\" where the minimum differs):\n"
    );
    let _ = write!(d, "| operation |");
    for c in &f.changes {
        let _ = write!(d, " {} |", c.label);
    }
    let _ = write!(d, "\n|---|");
    for _ in &f.changes {
        let _ = write!(d, "---:|");
    }
    let _ = writeln!(d);
    for op in &ops {
        let _ = write!(d, "| {op} |");
        for c in &f.changes {
            let n = c.sample.calls.get(*op).copied().unwrap_or(0);
            let m = c.minimum.calls.get(*op).copied().unwrap_or(0);
            let cell = match (n, m) {
                (0, 0) => String::new(),
                _ if n == m => n.to_string(),
                _ => format!("{n} (min {m})"),
            };
            let _ = write!(d, " {cell} |");
        }
        let _ = writeln!(d);
    }

    let _ = writeln!(d, "\nWhere gantry is above the minimum, and why:\n");
    let mut any = false;
    for op in &ops {
        let over: Vec<String> = f
            .changes
            .iter()
            .filter_map(|c| {
                let n = c.sample.calls.get(*op).copied().unwrap_or(0);
                let m = c.minimum.calls.get(*op).copied().unwrap_or(0);
                (n > m).then(|| format!("{} +{}", c.label, n - m))
            })
            .collect();
        if !over.is_empty() {
            any = true;
            let _ = writeln!(d, "- **{op}** ({}): {}.", over.join(", "), why_more(op));
        }
    }
    if !any {
        let _ = writeln!(d, "- nowhere: every change is at its minimum.");
    }

    let _ = writeln!(d, "\n## Time from a change to AWS converged\n");
    let _ = writeln!(
        d,
        "gantry's side of a change on the same Gateway: translate the snapshot that holds it, then `Deployer::apply` until it returns (the emulator applies each call at once, so AWS has converged then). Median of {REPEATS} runs of each change. The emulator's time is measured, not estimated: a wrapper around the deployer's HTTP client times every request with its response body, and the time with a request in flight is taken out. The client-side rate limit is off here (in production 10 requests/s with bursts of 20: a reconcile of N calls waits a further (N − 20) / 10 s when N > 20). The controller's own latency (watch event to reconcile) is not included.\n"
    );
    let _ = writeln!(
        d,
        "| change | calls (mutating) | translate (ms) | apply (ms) | at the emulator (ms) | gantry overhead (ms) | emulator per call (ms) |"
    );
    let _ = writeln!(d, "|---|---:|---:|---:|---:|---:|---:|");
    for t in &f.timings {
        let s = t.median();
        let _ = writeln!(
            d,
            "| {} | {} ({}) | {:.2} | {:.1} | {:.1} | **{:.1}** | {:.1} |",
            t.name,
            s.total(),
            s.mutating(),
            ms(s.translate),
            ms(s.apply),
            ms(s.http),
            ms(s.overhead()),
            ms(s.http) / s.requests.max(1) as f64
        );
    }
    let _ = writeln!(
        d,
        "\ngantry overhead = translate + apply − time at the emulator: planning, request signing and (de)serialization in the SDK, and the deployer's own work. No goal is set for it; it is what gantry adds to AWS's own latency per change.\n"
    );
    d
}

/// What `docs/benchmarks.md` says when the AWS benchmarks did not run.
pub fn skipped() -> String {
    "## AWS calls per change, and time to converge\n\nSkipped: `AWS_ENDPOINT_URL` was not set. `scripts/bench.sh` starts the moto emulator and runs every benchmark, these included.\n\n".to_string()
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
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
