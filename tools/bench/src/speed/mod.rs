//! How fast a running controller reacts: propagation of a route change to AWS, and a leader
//! failover; both with release `gantry controller` processes against the API server stand-in
//! and the AWS emulator, timed from outside through a logging proxy ([`proxy`]).

pub mod failover;
mod harness;
pub mod propagation;
pub mod proxy;

mod report;
mod summary;

use report::{
    bursts_markdown, failover_markdown, growth_markdown, ms, propagation_markdown, shape_markdown,
    yes,
};

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
        "The translation, propagation and failover sections are from `gantry-bench`'s speed part (`gantry-bench --speed` runs it alone; date {}; load average {load} at its start and {load_after} at its end on {} cores: wall times move with the machine's load, so translation is given as CPU time too).\n",
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
    let today = crate::speed::today();
    let run = summary::Run {
        date: &today,
        cores: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        load_before: &load,
        load_after: &load_after,
    };
    doc = splice(
        &doc,
        summary::HEADING,
        &summary::markdown(&run, &t, &propagation, &failover),
    );
    doc = splice(&doc, "## Translation: where the time goes", PROFILE);
    doc = splice(
        &doc,
        "## Propagation: a route change to AWS",
        &propagation_markdown(&propagation),
    );
    doc = splice(
        &doc,
        "## Bursts: many changes to one Gateway",
        &bursts_markdown(&propagation),
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

/// `gantry-bench --speed-failover-only` / `--speed-propagation-only`: that one benchmark
/// against the emulator `AWS_ENDPOINT_URL` names, its section printed (the document is left
/// as it is).
pub fn only(which: &str) -> anyhow::Result<()> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|e| !e.is_empty())
        .ok_or_else(|| anyhow::anyhow!("AWS_ENDPOINT_URL is not set (an emulator's endpoint)"))?;
    let section = match which {
        "failover" => {
            let f = failover::run(&endpoint);
            eprintln!("failover: {f:?}");
            failover_markdown(&f)
        }
        _ => {
            let p = propagation::run(&endpoint);
            format!("{}{}", propagation_markdown(&p), bursts_markdown(&p))
        }
    };
    print!("{section}");
    Ok(())
}

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
