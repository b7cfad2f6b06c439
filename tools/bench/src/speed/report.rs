//! The speed sections of docs/benchmarks.md, from the figures measured.

use super::{failover, propagation, translation};
use crate::markdown::{goal_row, measure_row, ms, unmeasured_goal_row};
use propagation::percentile;
use std::fmt::Write;
use std::time::Duration;

/// A section: its heading, then what `body` writes of the figures, or why there are none.
fn section<T>(
    heading: &str,
    figures: &anyhow::Result<T>,
    body: impl FnOnce(&mut String, &T),
) -> String {
    let mut doc = format!("{heading}\n\n");
    match figures {
        Ok(f) => body(&mut doc, f),
        Err(e) => {
            let _ = writeln!(doc, "Not measured in this run: {e:#}.\n");
        }
    }
    doc
}

/// The "Propagation" section.
pub fn propagation_markdown(f: &anyhow::Result<propagation::Figures>) -> String {
    section("## Propagation: a route change to AWS", f, |doc, f| {
        let _ = writeln!(
            doc,
            "{} ALB Gateways with {} HTTPRoutes each ({} routes, one rule × one match and one backend each: {} listener rules and as many target groups), in the API server stand-in served on loopback; the release `gantry controller` (leader election off, its defaults: 3 reconciles at a time, the client-side AWS rate limit of {} requests/s with bursts of {}) against the emulator behind a logging proxy. AWS was brought to the cluster's state before the controller started, and the controller's first round of reconciles had settled. Then {} changes, one after the other, each to the path of one route, Gateways in turn: the time runs from the bench storing the change in the stand-in (so the watch's delivery over loopback is counted as controller time) to the controller's first mutating call for it reaching the proxy, whichever call that is. AWS time is the time with one of the controller's calls for that change in flight at the proxy before that call (the reads of the reconcile); the rate limit's time is what the controller's calls waited for its client-side rate limit (its own count, `gantry_aws_rate_limit_wait_seconds_total`, read as soon as the bench saw the mutating call: it may include a few milliseconds of waits just after it); controller time is the rest.\n",
            propagation::GATEWAYS,
            propagation::ROUTES_PER_GATEWAY,
            f.routes,
            f.routes,
            propagation::RATE,
            propagation::BURST,
            f.samples.len()
        );
        let reads: Vec<usize> = f.samples.iter().map(|s| s.reads).collect();
        let measures: [(String, TimeOf); 5] = [
            (
                "controller time (watch → reconcile → translate → plan, and its share of the AWS client)".into(),
                propagation::Sample::controller,
            ),
            (
                "waits for the client-side rate limit before the mutating call".into(),
                |s| s.rate_limited,
            ),
            (
                "controller time and rate limit waits together".into(),
                propagation::Sample::controller_and_rate_limit,
            ),
            (
                format!(
                    "AWS time before the mutating call (the emulator answering {}–{} reads)",
                    reads.iter().min().unwrap_or(&0),
                    reads.iter().max().unwrap_or(&0)
                ),
                |s| s.aws,
            ),
            (
                "change stored → first mutating AWS call, in all".into(),
                |s| s.total,
            ),
        ];
        doc.push_str("| measure | p50 (ms) | p99 (ms) |\n|---|---:|---:|\n");
        for (i, (measure, of)) in measures.iter().enumerate() {
            let [p50, p99] = p50_p99(f.samples.iter().map(of));
            // The controller's own time, first, is what the goal is about.
            if i == 0 {
                let _ = writeln!(doc, "| {measure} | **{p50:.1}** | **{p99:.1}** |");
            } else {
                let _ = writeln!(doc, "| {measure} | {p50:.1} | {p99:.1} |");
            }
        }
        let _ = writeln!(
            doc,
            "\nClient-side rate limit ({} requests/s, bursts of {}): the controller's calls waited {:.1} s for it in all over the {} changes; a replay of its token bucket over the send times of all {} calls of the run finds {} call(s) sent with less than 1.5 tokens left.\n",
            propagation::RATE,
            propagation::BURST,
            f.rate_limited.as_secs_f64(),
            f.samples.len(),
            f.calls,
            f.possibly_limited,
        );
        doc.push_str(&controller_time_by_step(&f.samples));
        let [_, c99] = p50_p99(f.samples.iter().map(propagation::Sample::controller));
        doc.push_str("| goal | figure | met |\n|---|---:|:-:|\n");
        goal_row(
            doc,
            "p99 of controller time under 100 ms",
            format_args!("{c99:.1} ms"),
            c99 < 100.0,
        );
        doc.push('\n');
    })
}

/// One time of a change's timeline.
type TimeOf = fn(&propagation::Sample) -> Duration;

/// The median and the 99th percentile of `times`, in milliseconds.
fn p50_p99(times: impl Iterator<Item = Duration>) -> [f64; 2] {
    let mut v: Vec<Duration> = times.collect();
    [ms(percentile(&mut v, 50.0)), ms(percentile(&mut v, 99.0))]
}

/// The "Failover" section.
pub fn failover_markdown(f: &anyhow::Result<failover::Figures>) -> String {
    section("## Failover: a new leader", f, |doc, f| {
        let (gateways, lease, retry) = (
            f.gateways,
            f.lease_duration.as_secs(),
            f.standby_retry.as_secs(),
        );
        let _ = writeln!(
            doc,
            "Two release `gantry controller` processes with leader election on a Lease in the stand-in, {gateways} ALB Gateways (one HTTPRoute each) converged in the emulator, the first replica leading and done with its first round. The leader is killed with SIGKILL (nothing released: the standby must wait for the lease to expire) and a route is changed right after. Lease settings: duration {lease} s, the holder renews every 5 s, a standby looks every {retry} s, so a standby takes over between {lease} and {} s after the holder's last renewal. A new leader reconciles first the Gateways whose changes it saw while standing by in the two lease durations before it took over (latest first), then those whose status is behind their spec, then the rest; it keeps at most its reconcile concurrency (3) of these requests queued or running, so a change made meanwhile is not queued behind the whole round (`crates/controller/src/round.rs`).\n",
            lease + retry
        );
        doc.push_str("| after the kill | seconds |\n|---|---:|\n");
        if let Some(l) = f.leader_after {
            let _ = writeln!(
                doc,
                "| the standby reports itself leader (`gantry_leader`, polled every 50 ms) | {:.1} |",
                l.as_secs_f64()
            );
        }
        let _ = writeln!(
            doc,
            "| the new leader's first AWS call | {:.1} |",
            f.first_call_after.as_secs_f64()
        );
        let _ = writeln!(
            doc,
            "| its mutating call for the route changed after the kill | **{:.1}** |\n",
            f.change_after.as_secs_f64()
        );
        let minimum = first_minute_minimum(f);
        let _ = writeln!(
            doc,
            "In its first minute the new leader made {} AWS calls in {} Gateway reconciles (with their TargetGroupBindings'). The per-reconcile minimum is what the first leader's own first round cost, a process that remembers nothing of AWS as a new leader does: {} calls for {} reconciles, {:.1} a reconcile, so {} for the new leader's {}. The busiest second held {} calls; the client-side limit allows bursts of {} and {} requests/s after, so at most {} in any one second (a full bucket and a second's refill).\n",
            f.calls_first_minute,
            f.reconciles_first_minute,
            f.first_round_calls,
            f.first_round_reconciles,
            per_reconcile(f),
            minimum,
            f.reconciles_first_minute,
            f.busiest_second,
            propagation::BURST,
            propagation::RATE,
            busiest_second_allowed()
        );
        doc.push_str("| goal | figure | met |\n|---|---:|:-:|\n");
        goal_row(
            doc,
            "the new leader's first AWS call for a route changed after the kill, under 20 s including lease expiry",
            format_args!("{:.1} s", f.change_after.as_secs_f64()),
            change_within_goal(f),
        );
        goal_row(
            doc,
            format_args!(
                "no throttling burst: calls in any one second within what the client-side limit lets through ({})",
                busiest_second_allowed()
            ),
            f.busiest_second,
            no_throttling_burst(f),
        );
        goal_row(
            doc,
            "calls in the first minute against the per-reconcile minimum (+1 for the change, + the reads of up to 3 reconciles still running at the minute's end)",
            format_args!("{} vs {minimum}", f.calls_first_minute),
            f.calls_first_minute <= first_minute_allowance(f),
        );
        doc.push('\n');
    })
}

/// The goal of failover: the changed route's call within 20 s of the kill.
pub(super) fn change_within_goal(f: &failover::Figures) -> bool {
    f.change_after < Duration::from_secs(20)
}

/// No second of the new leader's calls beyond what the client-side limit lets through.
pub(super) fn no_throttling_burst(f: &failover::Figures) -> bool {
    f.busiest_second as f64 <= busiest_second_allowed()
}

/// AWS calls of a fresh leader's reconcile of an unchanged Gateway, its bindings' included
/// (the first leader's first round).
pub(super) fn per_reconcile(f: &failover::Figures) -> f64 {
    f.first_round_calls as f64 / f.first_round_reconciles.max(1) as f64
}

/// The most calls the client-side token bucket lets through within any one second: a full
/// bucket ([`propagation::BURST`]) and what refills during that second.
pub(super) fn busiest_second_allowed() -> f64 {
    propagation::BURST + propagation::RATE
}

/// The fewest AWS calls the new leader's first-minute reconciles could have made.
pub(super) fn first_minute_minimum(f: &failover::Figures) -> usize {
    (f.reconciles_first_minute as f64 * per_reconcile(f)).round() as usize
}

/// The minimum plus the changed route's mutating call and the calls of reconciles still
/// running when the minute ends (up to the 3 the controller runs at a time).
pub(super) fn first_minute_allowance(f: &failover::Figures) -> usize {
    first_minute_minimum(f) + 1 + (3.0 * per_reconcile(f)).ceil() as usize
}

pub fn growth_markdown(t: &translation::Figures) -> String {
    let mut doc = String::from("## Translation time as routes grow\n\n");
    doc.push_str("20 Gateways (ALB, every 10th an NLB, some chained), routes with 2–4 rules of 1–2 matches, hostnames, header / query / method matches, weighted cross-namespace backends. Median of repeated runs, one thread; CPU time is the thread's own (`/proc/thread-self/schedstat`).\n\n");
    doc.push_str("| routes | CPU time (ms) | wall time (ms) | per route, CPU (µs) | growth vs previous (CPU) |\n|---:|---:|---:|---:|---:|\n");
    let mut prev: Option<(usize, Duration)> = None;
    for (routes, wall, cpu) in &t.growth {
        let ratio = prev
            .map(|(r, p)| {
                format!(
                    "{:.1}× time for {:.0}× routes",
                    cpu.as_secs_f64() / p.as_secs_f64(),
                    *routes as f64 / r as f64
                )
            })
            .unwrap_or_else(|| "—".into());
        let _ = writeln!(
            doc,
            "| {routes} | {:.2} | {:.2} | {:.1} | {ratio} |",
            ms(*cpu),
            ms(*wall),
            cpu.as_secs_f64() * 1e6 / *routes as f64
        );
        prev = Some((*routes, *cpu));
    }
    doc.push_str("\nGoal: close to linear growth.\n\n");
    doc
}

pub fn shape_markdown(t: &translation::Figures) -> String {
    let mut doc = String::from("## 100 Gateways × 50 HTTPRoutes × 4 rules × 2 matches\n\n");
    doc.push_str("| measure | figure | goal | met |\n|---|---:|---:|:-:|\n");
    measure_row(
        &mut doc,
        "translate all (one core, 40,000 ALB rules): CPU time (wall time)",
        cpu_then_wall(t.shape),
        Some(("under 100 ms", shape_within_goal(t))),
    );
    doc.push('\n');
    doc.push_str("The criterion benchmark of the same shape: `cargo bench -p gantry-translate -- \"100 gateways\"`.\n\n");
    doc
}

/// The large cluster's row of its section's table (the CPU time is what the goal is about).
pub fn large_cluster_row(t: &translation::Figures) -> String {
    let mut row = String::new();
    measure_row(
        &mut row,
        "translate the whole cluster (one core): CPU time (wall time)",
        cpu_then_wall(t.large),
        Some(("< 1000 ms", large_within_goal(t))),
    );
    row
}

/// A translation's (wall, CPU) medians as `CPU ms (wall ms)`.
fn cpu_then_wall((wall, cpu): (Duration, Duration)) -> String {
    format!("{:.0} ms ({:.0} ms)", ms(cpu), ms(wall))
}

/// The goal of translating the 100 × 50 × 4 × 2 shape: under 100 ms of one core.
pub(super) fn shape_within_goal(t: &translation::Figures) -> bool {
    ms(t.shape.1) < 100.0
}

/// The goal of translating the large cluster: under 1 s of one core.
pub(super) fn large_within_goal(t: &translation::Figures) -> bool {
    ms(t.large.1) < 1000.0
}

/// The "Bursts" section: what the burst test (not a measurement of this run) checks.
pub fn bursts_markdown(p: &anyhow::Result<propagation::Figures>) -> String {
    const BURST_GOAL: &str =
        "100 changes to one Gateway's route within a second cost at most 2 reconciles of it";
    let mut doc = String::from(
        "## Bursts: many changes to one Gateway\n\n\
A Gateway's first change is reconciled at once; changes within the next window (`--debounce`, 1 s by default) are held and reconciled together when it ends, so a burst costs two reconciles of the Gateway however many changes it holds, and a lone change waits for nothing (`crates/controller/src/throttle.rs`). GatewayClasses and TargetGroupBindings keep the debounce (after the last change).\n\n\
| goal | figure | met |\n|---|---:|:-:|\n",
    );
    match p {
        Ok(f) => {
            let b = &f.burst;
            goal_row(
                &mut doc,
                BURST_GOAL,
                format_args!(
                    "this run (after the propagation changes, same controller): {} changes stored in {:.0} ms cost {} Gateway reconcile(s); the last change {}",
                    b.changes,
                    ms(b.within),
                    b.reconciles,
                    b.last_change()
                ),
                b.met(),
            );
        }
        Err(e) => unmeasured_goal_row(&mut doc, BURST_GOAL, format_args!("{e:#}")),
    }
    doc.push_str("| the same, against the API stand-in with a paused clock | 2 reconciles and 2 applies, the last change deployed (`crates/controller/tests/burst.rs`) | yes |\n\
| a lone change is not held for the window | deployed within 5 s with a 60 s window (same test file) | yes |\n\n");
    doc
}

/// Where the controller's time goes: its time before the first call and after each read,
/// p50 and p99 over the changes (a change without that step counts 0), largest p99 first.
fn controller_time_by_step(samples: &[propagation::Sample]) -> String {
    let labels: std::collections::BTreeSet<&String> =
        samples.iter().flat_map(|s| s.gaps.keys()).collect();
    let mut rows: Vec<(Duration, Duration, &String)> = labels
        .into_iter()
        .map(|label| {
            let mut v: Vec<Duration> = samples
                .iter()
                .map(|s| s.gaps.get(label).copied().unwrap_or_default())
                .collect();
            (percentile(&mut v, 99.0), percentile(&mut v, 50.0), label)
        })
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.2.cmp(b.2)));
    let mut doc = String::from(
        "The controller's time by step: before its first call, and after each read until its next call (the answer parsed, the next request built and signed), summed over a change's calls of that operation:\n\n| step | p50 (ms) | p99 (ms) |\n|---|---:|---:|\n",
    );
    for (p99, p50, label) in rows {
        let _ = writeln!(doc, "| {label} | {:.1} | {:.1} |", ms(p50), ms(p99));
    }
    doc.push('\n');
    doc
}
