//! The "AWS calls per change" and "Time from a change to AWS converged" sections.

use super::{Change, Figures, NEIGHBOURS, REPEATS, ROUTES};
use crate::markdown::{ms, yes};

/// Why gantry makes an operation more often than the minimum, for the operations where it
/// does on the benchmark's workload.
/// Why gantry made fewer calls of `op` than the minimum counts (one read per resource kind).
fn why_less(op: &str) -> &'static str {
    match op {
        "DescribeTargetGroups" => {
            "the listing of the account's target groups is shared by the runs until gantry changes a target group, and the change before changed none (crates/deploy/src/client/remembered_listing.rs)"
        }
        _ => "not analysed",
    }
}

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
    let under: Vec<String> = ops
        .iter()
        .flat_map(|op| {
            f.changes.iter().filter_map(move |c| {
                let n = c.sample.calls.get(*op).copied().unwrap_or(0);
                let m = c.minimum.calls.get(*op).copied().unwrap_or(0);
                (n < m).then(|| format!("- **{op}** ({} −{}): {}.", c.label, m - n, why_less(op)))
            })
        })
        .collect();
    if !under.is_empty() {
        let _ = writeln!(d, "\nWhere gantry is below the minimum, and why:\n");
        for line in under {
            let _ = writeln!(d, "{line}");
        }
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
