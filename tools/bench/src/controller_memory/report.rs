//! The controller memory section of docs/benchmarks.md.

use super::{Figures, MemoryRun};
use std::fmt::Write;

/// The goal, from the benchmarks issue.
pub const GOAL_MIB: f64 = 100.0;

pub fn markdown(f: &Figures) -> String {
    let mut d = String::new();
    let _ = writeln!(d, "## Controller memory\n");
    let _ = writeln!(
        d,
        "Resident memory of the release `gantry controller` process (`/proc/<pid>/status`: VmRSS, and VmHWM for the peak) holding each cluster in its caches. The cluster is loaded into the in-process API server stand-in (`tools/kube-standin`), which `gantry-bench` serves over HTTP on 127.0.0.1 (lists in pages of the size the reflectors ask for, 500, as a real API server does); the controller reaches it through a kubeconfig, so the stand-in's memory is not counted. Leader election is off. AWS is pointed at a closed loopback port: every AWS call is refused at once, so each Gateway reconcile translates, fails at its first AWS call and backs off; memory the deployer would hold for real AWS answers is not in these figures. Timeline of a run: start → every watch listed (`/readyz`) → as many Gateway reconciles as Gateways (`/metrics`) → VmRSS sampled every {} ms for {} s (failed Gateways are retried with a backoff from 1 s doubling, so translations go on during that window). The controller runs with its defaults: 3 reconciles at a time, and the default quota of 100 rules per ALB (the large cluster's ALBs ask for about 700 each; the translation benchmarks above raise the quota). The last rows are the large cluster with one part taken away, to show what each part costs.\n",
        super::SAMPLE_EVERY.as_millis(),
        super::STEADY_WINDOW.as_secs()
    );
    let _ = writeln!(
        d,
        "| cluster | objects | Gateways | synced after (s) | first reconcile round done after (s) | RSS when synced (MiB) | steady RSS: median (MiB) | peak RSS (MiB) |"
    );
    let _ = writeln!(d, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in f.sizes.iter().chain(f.breakdown.iter().map(|(_, r)| r)) {
        row(&mut d, r);
    }
    if let Some(large) = f.large() {
        let _ = writeln!(d, "\n{}", verdict(large));
        let _ = writeln!(d, "| goal | figure | met |");
        let _ = writeln!(d, "|---|---:|:-:|");
        for (what, mib) in [("peak", large.peak_mib), ("steady", large.steady_mib)] {
            let _ = writeln!(
                d,
                "| controller RSS under {GOAL_MIB:.0} MiB for the large cluster ({what}) | {mib:.0} MiB | {} |",
                if mib < GOAL_MIB { "yes" } else { "no" }
            );
        }
        if let Some(x4) = f.four_times() {
            // Linear growth: 4× the cluster should cost at most 4× the memory above the
            // process's own (the no-workload run).
            let base = f.bare().map_or(0.0, |r| r.peak_mib);
            let ratio = (x4.peak_mib - base) / (large.peak_mib - base).max(1.0);
            let _ = writeln!(
                d,
                "| memory grows at most linearly (≤ 4×): peak above the bare process at 4× the large cluster, over the large cluster's | {ratio:.1}× | {} |",
                if ratio <= 4.0 { "yes" } else { "no" }
            );
            let _ = writeln!(
                d,
                "| 4× the large cluster: peak RSS | {:.0} MiB | — |",
                x4.peak_mib
            );
            let _ = writeln!(
                d,
                "| 4× the large cluster: start-up with no fixed timeout — synced (`/readyz` answers from then), first reconcile round done | {:.1} s, {} | — |",
                x4.synced_after.as_secs_f64(),
                x4.reconciled_after
                    .map(|t| format!("{:.1} s", t.as_secs_f64()))
                    .unwrap_or_else(|| format!(
                        "not within {} s",
                        super::RECONCILE_LIMIT.as_secs()
                    ))
            );
        }
        let _ = writeln!(d);
        d.push_str(&shares(f, large));
    }
    let _ = writeln!(
        d,
        "Where the memory goes (heaptrack), what each change bought and the gaps left: [controller-memory.md](controller-memory.md).\n"
    );
    let _ = writeln!(
        d,
        "![controller memory](benchmarks-controller-memory.svg)\n"
    );
    d
}

/// The goal in one sentence, from the large cluster's figures.
fn verdict(large: &MemoryRun) -> String {
    let met = |mib: f64| if mib < GOAL_MIB { "met" } else { "**not met**" };
    format!(
        "The large cluster's peak is {:.0} MiB and its steady median {:.0} MiB: the goal of staying under {GOAL_MIB:.0} MiB is {} at the peak and {} in the steady state ({:.0} MiB of the peak above the caches when synced, {:.0} MiB).\n",
        large.peak_mib,
        large.steady_mib,
        met(large.peak_mib),
        met(large.steady_mib),
        large.peak_mib - large.rss_at_sync_mib,
        large.rss_at_sync_mib,
    )
}

fn row(d: &mut String, r: &MemoryRun) {
    let _ = writeln!(
        d,
        "| {} | {} | {} | {:.1} | {} | {:.0} | {:.0} | {:.0} |",
        r.label,
        r.objects,
        r.gateways,
        r.synced_after.as_secs_f64(),
        r.reconciled_after
            .map(|t| format!("{:.1}", t.as_secs_f64()))
            .unwrap_or_else(|| format!("not within {} s", super::RECONCILE_LIMIT.as_secs())),
        r.rss_at_sync_mib,
        r.steady_mib,
        r.peak_mib
    );
}

/// What the large cluster's memory goes to: the process without a workload, and what taking
/// one part of the cluster away saves, at each point of the run.
fn shares(f: &Figures, large: &MemoryRun) -> String {
    let mut d = String::new();
    let Some(base) = f.bare() else {
        return d;
    };
    let _ = writeln!(
        d,
        "What the large cluster's memory goes to. With no workload the process holds {:.0} MiB (runtime, HTTP and AWS SDK clients, code). When every watch has listed it holds {:.0} MiB: the caches, before reconciles add to them. Taking one part of the cluster away saves:\n",
        base.steady_mib, large.rss_at_sync_mib
    );
    let _ = writeln!(
        d,
        "| taken away | when synced (MiB) | steady (MiB) | peak (MiB) |"
    );
    let _ = writeln!(d, "|---|---:|---:|---:|");
    for (what, r) in &f.breakdown {
        let _ = writeln!(
            d,
            "| {what} | {:.0} | {:.0} | {:.0} |",
            large.rss_at_sync_mib - r.rss_at_sync_mib,
            large.steady_mib - r.steady_mib,
            large.peak_mib - r.peak_mib
        );
    }
    let _ = writeln!(
        d,
        "\nWhile reconciles translate, steady figures move with how many translations are in flight when sampled, so small or negative differences there are noise; the synced and peak columns are the firmer ones."
    );
    // Taking the HTTPRoutes away also takes away most translation work, so the reconciles'
    // own row is the one that says what translating costs.
    if let Some((_, untranslated)) = f.breakdown.iter().find(|(w, _)| w.starts_with(RECONCILES)) {
        let translating = large.peak_mib - untranslated.peak_mib;
        let _ = writeln!(
            d,
            "\nOf the large cluster's peak of {:.0} MiB, {translating:.0} MiB go away when no Gateway is translated; the caches when synced are {:.0} MiB, and without translations the process holds {:.0} MiB steady ({}).",
            large.peak_mib,
            large.rss_at_sync_mib,
            untranslated.steady_mib,
            match untranslated.steady_mib - untranslated.rss_at_sync_mib {
                more if more >= 0.0 => format!("{more:.0} MiB more than when synced"),
                less => format!("{:.0} MiB less than when synced", -less),
            }
        );
        if translating > large.peak_mib / 2.0 {
            let _ = writeln!(
                d,
                "So translating in Gateway reconciles dominates (up to 3 run at once, each holding its translation until it ends).{}",
                if large.rss_at_sync_mib >= GOAL_MIB {
                    " The caches alone are above the goal too."
                } else {
                    ""
                }
            );
        }
    }
    let _ = writeln!(d);
    d
}

/// How the breakdown names the run without translations.
pub const RECONCILES: &str = "Gateway reconciles";

pub fn skipped(why: &str) -> String {
    format!("## Controller memory\n\nSkipped: {why}\n\n")
}
