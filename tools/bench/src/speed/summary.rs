//! The speed part's summary section of docs/benchmarks.md: every goal of issue #18's speed part
//! beside this run's figure, met or not decided from the figure.

use super::report::{
    busiest_second_allowed, change_within_goal, first_minute_allowance, first_minute_minimum,
    large_within_goal, no_throttling_burst, per_reconcile, shape_within_goal,
};
use super::{failover, propagation, translation};
use crate::markdown::{goal_row, ms, one_line, unmeasured_goal_row};
use propagation::percentile;
use std::fmt::Write;
use std::time::Duration;

pub const HEADING: &str =
    "## Speed: translation CPU time, propagation, failover, bursts (issue #18)";

/// When and where the run was made.
pub struct Run<'a> {
    pub date: &'a str,
    pub cores: usize,
    pub load_before: &'a str,
    pub load_after: &'a str,
}

pub fn markdown(
    run: &Run,
    t: &translation::Figures,
    p: &anyhow::Result<propagation::Figures>,
    f: &anyhow::Result<failover::Figures>,
) -> String {
    let mut doc = format!("{HEADING}\n\n");
    let _ = writeln!(
        doc,
        "Measured {} by the speed part of `gantry-bench` (release build; `--speed` runs it alone) on {} cores, load average {} at the start and {} at the end (the machine is shared: wall times are higher than on an idle one, and translation is given as CPU time too). The sections below hold the details.\n",
        run.date, run.cores, run.load_before, run.load_after
    );
    doc.push_str("| goal | figure | met |\n|---|---|:-:|\n");
    let translations = [
        (
            "translate 100 Gateways × 50 HTTPRoutes × 4 rules × 2 matches (40,000 ALB rules) in under 100 ms, one core",
            t.shape,
            shape_within_goal(t),
        ),
        (
            "translate the large cluster (200 Gateways, 18k HTTPRoutes) in under 1 s, one core",
            t.large,
            large_within_goal(t),
        ),
    ];
    for (goal, (wall, cpu), met) in translations {
        goal_row(
            &mut doc,
            goal,
            format_args!("{:.0} ms CPU ({:.0} ms wall)", ms(cpu), ms(wall)),
            met,
        );
    }
    match p {
        Ok(p) => {
            let of = |time: fn(&propagation::Sample) -> Duration| {
                let mut v: Vec<Duration> = p.samples.iter().map(time).collect();
                [percentile(&mut v, 50.0), percentile(&mut v, 99.0)].map(ms)
            };
            let [c50, c99] = of(propagation::Sample::controller);
            let [a50, a99] = of(|s| s.aws);
            let [l50, l99] = of(|s| s.rate_limited);
            goal_row(
                &mut doc,
                format_args!(
                    "propagation: a route change at the watch → the first mutating AWS call, p99 of controller time under 100 ms ({} changes, {} routes on {} Gateways)",
                    p.samples.len(),
                    p.routes,
                    propagation::GATEWAYS
                ),
                format_args!(
                    "p50 {c50:.1} ms, p99 {c99:.1} ms of controller time; apart: AWS time p50 {a50:.1} ms, p99 {a99:.1} ms, client-side rate limit waits p50 {l50:.1} ms, p99 {l99:.1} ms"
                ),
                c99 < 100.0,
            );
        }
        Err(e) => unmeasured_goal_row(
            &mut doc,
            "propagation: p99 of controller time under 100 ms",
            one_line(e),
        ),
    }
    match f {
        Ok(f) => {
            goal_row(
                &mut doc,
                format_args!(
                    "failover: SIGKILL of the leader → the new leader's first AWS call for a route changed after the kill, under 20 s including lease expiry ({} Gateways)",
                    f.gateways
                ),
                format_args!(
                    "{:.1} s (its first AWS call of any kind: {:.1} s)",
                    f.change_after.as_secs_f64(),
                    f.first_call_after.as_secs_f64()
                ),
                change_within_goal(f),
            );
            goal_row(
                &mut doc,
                format_args!(
                    "failover: no throttling burst — the new leader's AWS calls in its first minute against the per-reconcile minimum ({} reconciles × {:.1} calls, a fresh leader's cost of an unchanged Gateway)",
                    f.reconciles_first_minute,
                    per_reconcile(f)
                ),
                format_args!(
                    "{} calls vs {} (at most {} allowed for reconciles still running at the minute's end and the change); busiest second {} calls (the client-side limit lets through at most {})",
                    f.calls_first_minute,
                    first_minute_minimum(f),
                    first_minute_allowance(f),
                    f.busiest_second,
                    busiest_second_allowed()
                ),
                f.calls_first_minute <= first_minute_allowance(f) && no_throttling_burst(f),
            );
        }
        Err(e) => unmeasured_goal_row(
            &mut doc,
            "failover: the new leader's first AWS call for a route changed after the kill under 20 s, and its first minute's calls",
            one_line(e),
        ),
    }
    const BURSTS: &str =
        "bursts: 100 changes to one Gateway within a second cost at most 2 reconciles";
    match p {
        Ok(p) => {
            let b = &p.burst;
            goal_row(
                &mut doc,
                BURSTS,
                format_args!(
                    "{} changes in {:.0} ms: {} reconcile(s), the last change {} (this run; `crates/controller/tests/burst.rs` too)",
                    b.changes,
                    ms(b.within),
                    b.reconciles,
                    b.last_change()
                ),
                b.met(),
            );
        }
        Err(e) => unmeasured_goal_row(&mut doc, BURSTS, one_line(e)),
    }
    doc.push('\n');
    doc
}
