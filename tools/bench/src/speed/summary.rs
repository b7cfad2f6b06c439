//! The speed part's summary section of docs/benchmarks.md: every goal of issue #18's speed part
//! beside this run's figure, met or not decided from the figure.

use super::report::{
    busiest_second_allowed, first_minute_allowance, first_minute_minimum, ms, per_reconcile, yes,
};
use super::{failover, propagation, translation};
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
    let _ = writeln!(
        doc,
        "| translate 100 Gateways × 50 HTTPRoutes × 4 rules × 2 matches (40,000 ALB rules) in under 100 ms, one core | {:.0} ms CPU ({:.0} ms wall) | {} |",
        ms(t.shape.1),
        ms(t.shape.0),
        yes(ms(t.shape.1) < 100.0)
    );
    let _ = writeln!(
        doc,
        "| translate the large cluster (200 Gateways, 18k HTTPRoutes) in under 1 s, one core | {:.0} ms CPU ({:.0} ms wall) | {} |",
        ms(t.large.1),
        ms(t.large.0),
        yes(ms(t.large.1) < 1000.0)
    );
    match p {
        Ok(p) => {
            let mut controller: Vec<Duration> = p
                .samples
                .iter()
                .map(propagation::Sample::controller)
                .collect();
            let mut aws: Vec<Duration> = p.samples.iter().map(|s| s.aws).collect();
            let mut limited: Vec<Duration> = p.samples.iter().map(|s| s.rate_limited).collect();
            let c99 = percentile(&mut controller, 99.0);
            let _ = writeln!(
                doc,
                "| propagation: a route change at the watch → the first mutating AWS call, p99 of controller time under 100 ms ({} changes, {} routes on {} Gateways) | p50 {:.1} ms, p99 {:.1} ms of controller time; apart: AWS time p50 {:.1} ms, p99 {:.1} ms, client-side rate limit waits p50 {:.1} ms, p99 {:.1} ms | {} |",
                p.samples.len(),
                p.routes,
                propagation::GATEWAYS,
                ms(percentile(&mut controller, 50.0)),
                ms(c99),
                ms(percentile(&mut aws, 50.0)),
                ms(percentile(&mut aws, 99.0)),
                ms(percentile(&mut limited, 50.0)),
                ms(percentile(&mut limited, 99.0)),
                yes(ms(c99) < 100.0)
            );
        }
        Err(e) => {
            let _ = writeln!(
                doc,
                "| propagation: p99 of controller time under 100 ms | not measured in this run: {} | unknown |",
                one_line(e)
            );
        }
    }
    match f {
        Ok(f) => {
            let _ = writeln!(
                doc,
                "| failover: SIGKILL of the leader → the new leader's first AWS call for a route changed after the kill, under 20 s including lease expiry ({} Gateways) | {:.1} s (its first AWS call of any kind: {:.1} s) | {} |",
                f.gateways,
                f.change_after.as_secs_f64(),
                f.first_call_after.as_secs_f64(),
                yes(f.change_after < Duration::from_secs(20))
            );
            let _ = writeln!(
                doc,
                "| failover: no throttling burst — the new leader's AWS calls in its first minute against the per-reconcile minimum ({} reconciles × {:.1} calls, a fresh leader's cost of an unchanged Gateway) | {} calls vs {} (at most {} allowed for reconciles still running at the minute's end and the change); busiest second {} calls (the client-side limit lets through at most {}) | {} |",
                f.reconciles_first_minute,
                per_reconcile(f),
                f.calls_first_minute,
                first_minute_minimum(f),
                first_minute_allowance(f),
                f.busiest_second,
                busiest_second_allowed(),
                yes(f.calls_first_minute <= first_minute_allowance(f)
                    && f.busiest_second as f64 <= busiest_second_allowed())
            );
        }
        Err(e) => {
            let _ = writeln!(
                doc,
                "| failover: the new leader's first AWS call for a route changed after the kill under 20 s, and its first minute's calls | not measured in this run: {} | unknown |",
                one_line(e)
            );
        }
    }
    match p {
        Ok(p) => {
            let b = &p.burst;
            let _ = writeln!(
                doc,
                "| bursts: 100 changes to one Gateway within a second cost at most 2 reconciles | {} changes in {:.0} ms: {} reconcile(s), the last change {} (this run; `crates/controller/tests/burst.rs` too) | {} |",
                b.changes,
                ms(b.within),
                b.reconciles,
                b.last_change(),
                yes(b.met())
            );
        }
        Err(e) => {
            let _ = writeln!(
                doc,
                "| bursts: 100 changes to one Gateway within a second cost at most 2 reconciles | not measured in this run: {} | unknown |",
                one_line(e)
            );
        }
    }
    doc.push('\n');
    doc
}

/// An error's chain on one line, without characters that would break the table.
fn one_line(e: &anyhow::Error) -> String {
    format!("{e:#}").replace(['\n', '|'], " ")
}
