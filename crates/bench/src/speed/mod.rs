//! How fast a running controller reacts: propagation of a route change to AWS, and a leader
//! failover; both with release `gantry controller` processes against the API server stand-in
//! and the AWS emulator, timed from outside through a logging proxy ([`proxy`]).

pub mod failover;
mod harness;
mod load;
pub mod propagation;
pub mod proxy;

use propagation::percentile;
use std::fmt::Write;
use std::time::Duration;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The "Propagation" section.
pub fn propagation_markdown(f: &anyhow::Result<propagation::Figures>) -> String {
    let mut doc = String::from("## Propagation: a route change to AWS\n\n");
    let f = match f {
        Ok(f) => f,
        Err(e) => {
            let _ = writeln!(doc, "Not measured in this run: {e:#}.\n");
            return doc;
        }
    };
    let _ = writeln!(
        doc,
        "{} ALB Gateways with {} HTTPRoutes each ({} routes, one rule × one match and one backend each: {} listener rules and as many target groups), in the API server stand-in served on loopback; the release `gantry controller` (leader election off, its defaults: 3 reconciles at a time, the client-side AWS rate limit of {} requests/s with bursts of {}) against the emulator behind a logging proxy. AWS was brought to the cluster's state before the controller started, and the controller's first round of reconciles had settled. Then {} changes, one after the other, each to the path of one route, Gateways in turn: the time runs from the bench storing the change in the stand-in (so the watch's delivery over loopback is counted as controller time) to the controller's first mutating call (the ModifyRule) reaching the proxy. AWS time is the time with one of the controller's calls for that change in flight at the proxy before the ModifyRule (the reads of the reconcile); controller time is the rest.\n",
        propagation::GATEWAYS,
        propagation::ROUTES_PER_GATEWAY,
        f.routes,
        f.routes,
        propagation::RATE,
        propagation::BURST,
        f.samples.len()
    );
    let pick = |g: fn(&propagation::Sample) -> Duration| -> (Duration, Duration) {
        let mut v: Vec<Duration> = f.samples.iter().map(g).collect();
        (percentile(&mut v, 50.0), percentile(&mut v, 99.0))
    };
    let (c50, c99) = pick(propagation::Sample::controller);
    let (a50, a99) = pick(|s| s.aws);
    let (t50, t99) = pick(|s| s.total);
    let mut reads: Vec<usize> = f.samples.iter().map(|s| s.reads).collect();
    reads.sort();
    let _ = writeln!(doc, "| measure | p50 (ms) | p99 (ms) |");
    let _ = writeln!(doc, "|---|---:|---:|");
    let _ = writeln!(
        doc,
        "| controller time (watch → reconcile → translate → plan, and its share of the AWS client) | **{:.1}** | **{:.1}** |",
        ms(c50),
        ms(c99)
    );
    let _ = writeln!(
        doc,
        "| AWS time before the mutating call (the emulator answering {}–{} reads) | {:.1} | {:.1} |",
        reads.first().unwrap_or(&0),
        reads.last().unwrap_or(&0),
        ms(a50),
        ms(a99)
    );
    let _ = writeln!(
        doc,
        "| change stored → first mutating AWS call, in all | {:.1} | {:.1} |\n",
        ms(t50),
        ms(t99)
    );
    let _ = writeln!(
        doc,
        "Client-side rate limit: a replay of the controller's token bucket ({} requests/s, bursts of {}) over the send times of all {} calls of the run finds {} call(s) that may have waited for a token; the limit's time is therefore inside neither figure above except through those calls{}.\n",
        propagation::RATE,
        propagation::BURST,
        f.calls,
        f.possibly_limited,
        if f.possibly_limited == 0 {
            " (none: it held nothing back)"
        } else {
            " (their waits count as controller time)"
        }
    );
    let _ = writeln!(doc, "| goal | figure | met |");
    let _ = writeln!(doc, "|---|---:|:-:|");
    let _ = writeln!(
        doc,
        "| p99 of controller time under 100 ms | {:.1} ms | {} |",
        ms(c99),
        yes(ms(c99) < 100.0)
    );
    let _ = writeln!(
        doc,
        "| a burst of 100 changes to one Gateway within a second costs at most 2 reconciles | checked by `crates/controller/tests/burst.rs` (counts reconciles; paused clock) | yes |\n"
    );
    doc
}

/// The "Failover" section.
pub fn failover_markdown(f: &anyhow::Result<failover::Figures>) -> String {
    let mut doc = String::from("## Failover: a new leader\n\n");
    let f = match f {
        Ok(f) => f,
        Err(e) => {
            let _ = writeln!(doc, "Not measured in this run: {e:#}.\n");
            return doc;
        }
    };
    let _ = writeln!(
        doc,
        "Two release `gantry controller` processes with leader election on a Lease in the stand-in, {} ALB Gateways (one HTTPRoute each) converged in the emulator, the first replica leading and done with its first round. The leader is killed with SIGKILL (nothing released: the standby must wait for the lease to expire) and a route is changed right after. Lease settings: duration {} s, the holder renews every 5 s, a standby looks every {} s, so a standby takes over between {} and {} s after the holder's last renewal. A new leader reconciles first the Gateways whose changes it saw while standing by, then the rest.\n",
        f.gateways,
        f.lease_duration.as_secs(),
        f.standby_retry.as_secs(),
        f.lease_duration.as_secs(),
        f.lease_duration.as_secs() + f.standby_retry.as_secs()
    );
    let _ = writeln!(doc, "| after the kill | seconds |");
    let _ = writeln!(doc, "|---|---:|");
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
    let minimum = f.reconciles_first_minute as usize * failover::READS_PER_RECONCILE;
    let _ = writeln!(
        doc,
        "In its first minute the new leader made {} AWS calls ({} Gateway reconciles: at {} reads each the minimum is {}; the one change adds its mutating call); the busiest second held {} calls, within the client-side limit's burst of {}. A full round of {} Gateways takes {} reads: the rate limit spreads them over about {:.0} s rather than sending them at once.\n",
        f.calls_first_minute,
        f.reconciles_first_minute,
        failover::READS_PER_RECONCILE,
        minimum,
        f.busiest_second,
        propagation::BURST,
        f.gateways,
        f.gateways * failover::READS_PER_RECONCILE,
        (f.gateways * failover::READS_PER_RECONCILE) as f64 / propagation::RATE
    );
    let _ = writeln!(doc, "| goal | figure | met |");
    let _ = writeln!(doc, "|---|---:|:-:|");
    let _ = writeln!(
        doc,
        "| the new leader's first AWS call for a route changed after the kill, under 20 s including lease expiry | {:.1} s | {} |",
        f.change_after.as_secs_f64(),
        yes(f.change_after < Duration::from_secs(20))
    );
    let _ = writeln!(
        doc,
        "| no throttling burst: calls in any second within the rate limit's burst ({}) | {} | {} |",
        propagation::BURST,
        f.busiest_second,
        yes(f.busiest_second as f64 <= propagation::BURST)
    );
    let _ = writeln!(
        doc,
        "| calls in the first minute against the per-reconcile minimum (+1 for the change, + the reads of up to 3 reconciles still running at the minute's end) | {} vs {} | {} |\n",
        f.calls_first_minute,
        minimum,
        // Reconciles still running when the minute ends have made some of their reads: up
        // to the 3 at a time the controller runs.
        yes(f.calls_first_minute <= minimum + 1 + 3 * failover::READS_PER_RECONCILE)
    );
    doc
}

pub mod translation;

/// Where the translation benchmark's time went (perf, 2026-12-06; see the section's text).
const PROFILE: &str = include_str!("profile.md");

/// `gantry-bench --speed`: measures translation, and propagation and failover when
/// `AWS_ENDPOINT_URL` names an emulator; puts those sections into docs/benchmarks.md in place
/// of the ones there (other sections are left as they are) and redraws the translation plot.
pub fn main(seed: u64) -> anyhow::Result<()> {
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into());
    let t = translation::measure(seed);
    eprintln!("translation: {t:?}");
    let (propagation, failover) = match std::env::var("AWS_ENDPOINT_URL") {
        Ok(endpoint) if !endpoint.is_empty() => {
            let p = propagation::run(&endpoint);
            eprintln!("propagation: {:?}", p.as_ref().map(|f| f.samples.len()));
            let f = failover::run(&endpoint);
            eprintln!("failover: {f:?}");
            (p, f)
        }
        _ => {
            let why = || {
                anyhow::anyhow!(
                    "AWS_ENDPOINT_URL is not set (scripts/bench.sh runs these against moto)"
                )
            };
            (Err(why()), Err(why()))
        }
    };
    let load_after = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into());
    let out_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    let path = out_dir.join("benchmarks.md");
    let mut doc =
        std::fs::read_to_string(&path).unwrap_or_else(|_| "# gantry benchmarks\n\n".into());
    let note = format!(
        "The translation, propagation and failover sections are from `gantry-bench`'s speed part (run alone with `gantry-bench --speed`; date {}; load average {load} at its start and {load_after} at its end on {} cores: other work was running, so wall times are higher than on an idle machine, and translation is given as CPU time too).\n",
        crate::speed::today(),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    doc = replace_line(
        &doc,
        "The translation, propagation and failover sections",
        &note,
        "## ",
    );
    doc = splice(
        &doc,
        "## Translation time as routes grow",
        &growth_markdown(&t),
    );
    doc = splice(
        &doc,
        "## 100 Gateways × 50 HTTPRoutes × 4 rules × 2 matches",
        &shape_markdown(&t),
    );
    doc = replace_line(
        &doc,
        "| translate the whole cluster (one core) |",
        &format!(
            "| translate the whole cluster (one core): CPU time (wall time) | {:.0} ms ({:.0} ms) | < 1000 ms | {} |\n",
            ms(t.large.1),
            ms(t.large.0),
            yes(ms(t.large.1) < 1000.0)
        ),
        "",
    );
    doc = splice(&doc, "## Translation: where the time goes", PROFILE);
    doc = splice(
        &doc,
        "## Propagation: a route change to AWS",
        &propagation_markdown(&propagation),
    );
    doc = splice(
        &doc,
        "## Failover: a new leader",
        &failover_markdown(&failover),
    );
    std::fs::write(&path, doc)?;
    let plot = crate::plot::svg(
        "Translation time vs routes (20 Gateways)",
        "routes",
        "milliseconds",
        &[
            crate::plot::Series {
                name: "CPU time (median)",
                points: t
                    .growth
                    .iter()
                    .map(|(r, _, c)| (*r as f64, ms(*c)))
                    .collect(),
            },
            crate::plot::Series {
                name: "wall time (median)",
                points: t
                    .growth
                    .iter()
                    .map(|(r, w, _)| (*r as f64, ms(*w)))
                    .collect(),
            },
        ],
    );
    std::fs::write(out_dir.join("benchmarks-translation.svg"), plot)?;
    eprintln!("wrote the speed sections of docs/benchmarks.md");
    Ok(())
}

fn growth_markdown(t: &translation::Figures) -> String {
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

fn shape_markdown(t: &translation::Figures) -> String {
    let mut doc = String::from("## 100 Gateways × 50 HTTPRoutes × 4 rules × 2 matches\n\n");
    doc.push_str("| measure | figure | goal | met |\n|---|---:|---:|:-:|\n");
    let _ = writeln!(
        doc,
        "| translate all (one core, 40,000 ALB rules): CPU time (wall time) | {:.0} ms ({:.0} ms) | under 100 ms | {} |\n",
        ms(t.shape.1),
        ms(t.shape.0),
        yes(ms(t.shape.1) < 100.0)
    );
    doc.push_str("The criterion benchmark of the same shape: `cargo bench -p gantry-translate -- \"100 gateways\"`.\n\n");
    doc
}

/// `doc` with the section under `heading` (up to the next `## ` heading or the closing plot)
/// replaced by `section`; appended before the closing plot when there is none.
fn splice(doc: &str, heading: &str, section: &str) -> String {
    let end_marker = "![translation time]";
    if let Some(start) = doc.find(&format!("{heading}\n")) {
        let rest = &doc[start + heading.len()..];
        let end = [rest.find("\n## "), rest.find(&format!("\n{end_marker}"))]
            .into_iter()
            .flatten()
            .min()
            .map_or(doc.len(), |e| start + heading.len() + e + 1);
        format!("{}{section}{}", &doc[..start], &doc[end..])
    } else if let Some(at) = doc.find(end_marker) {
        format!("{}{section}{}", &doc[..at], &doc[at..])
    } else {
        format!("{doc}\n{section}")
    }
}

/// `doc` with the line starting `prefix` replaced by `line` (which ends in a newline); when
/// there is none and `before` is given, `line` goes before the first line starting `before`.
fn replace_line(doc: &str, prefix: &str, line: &str, before: &str) -> String {
    let mut out = String::new();
    let mut done = false;
    for l in doc.split_inclusive('\n') {
        if !done && l.starts_with(prefix) {
            out.push_str(line);
            done = true;
        } else if !done && !before.is_empty() && l.starts_with(before) {
            out.push_str(line);
            out.push('\n');
            out.push_str(l);
            done = true;
        } else {
            out.push_str(l);
        }
    }
    out
}

/// Today's date (UTC) as YYYY-MM-DD.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splices_replace_a_section_or_add_it_before_the_plot() {
        let doc = "# t\n\n## A\n\nold\n\n## B\n\nb\n\n![translation time](x.svg)\n";
        let out = splice(doc, "## A", "## A\n\nnew\n\n");
        assert_eq!(
            out,
            "# t\n\n## A\n\nnew\n\n## B\n\nb\n\n![translation time](x.svg)\n"
        );
        let out = splice(&out, "## C", "## C\n\nc\n\n");
        assert!(out.ends_with("## B\n\nb\n\n## C\n\nc\n\n![translation time](x.svg)\n"));
        let out = splice(&out, "## C", "## C\n\nc2\n\n");
        assert!(
            out.ends_with("## C\n\nc2\n\n![translation time](x.svg)\n"),
            "{out}"
        );
    }

    #[test]
    fn replaces_a_line_or_inserts_it() {
        let doc = "a\n| x | 1 |\n## h\n";
        assert_eq!(
            replace_line(doc, "| x |", "| x | 2 |\n", ""),
            "a\n| x | 2 |\n## h\n"
        );
        assert_eq!(
            replace_line(doc, "note", "note\n", "## "),
            "a\n| x | 1 |\nnote\n\n## h\n"
        );
    }
}
