//! How fast a running controller reacts: propagation of a route change to AWS, and a leader
//! failover; both with release `gantry controller` processes against the API server stand-in
//! and the AWS emulator, timed from outside through a logging proxy ([`proxy`]).

pub mod failover;
mod harness;
pub mod propagation;
pub mod proxy;

mod report;
mod summary;

pub use report::{growth_markdown, shape_markdown};

use crate::markdown::{cores, load_average, ms, today};
use report::{bursts_markdown, failover_markdown, large_cluster_row, propagation_markdown};
use std::time::Duration;

pub mod translation;

/// Where the translation benchmark's time went (perf, 2026-12-06; see the section's text).
const PROFILE: &str = include_str!("profile.md");

/// `gantry-bench --speed`: measures translation, and propagation and failover when
/// `AWS_ENDPOINT_URL` names an emulator; puts those sections into docs/benchmarks.md in place
/// of the ones there (other sections are left as they are) and redraws the translation plot.
pub fn main(seed: u64) -> anyhow::Result<()> {
    let load = || load_average().map_or_else(|| "unknown".into(), |(_, all)| all);
    let load_before = load();
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
    let load_after = load();
    let out_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    let path = out_dir.join("benchmarks.md");
    let mut doc =
        std::fs::read_to_string(&path).unwrap_or_else(|_| "# gantry benchmarks\n\n".into());
    let today = today();
    let note = format!(
        "The translation, propagation and failover sections are from `gantry-bench`'s speed part (`gantry-bench --speed` runs it alone; date {today}; load average {load_before} at its start and {load_after} at its end on {} cores: wall times move with the machine's load, so translation is given as CPU time too).\n",
        cores()
    );
    doc = replace_line(
        &doc,
        "The translation, propagation and failover sections",
        &note,
        "## ",
    );
    doc = replace_line(
        &doc,
        "| translate the whole cluster (one core) |",
        &large_cluster_row(&t),
        "",
    );
    let run = summary::Run {
        date: &today,
        cores: cores(),
        load_before: &load_before,
        load_after: &load_after,
    };
    // In this order: a section the document does not have yet goes before the plot.
    let sections = [
        ("## Translation time as routes grow", growth_markdown(&t)),
        (
            "## 100 Gateways × 50 HTTPRoutes × 4 rules × 2 matches",
            shape_markdown(&t),
        ),
        (
            summary::HEADING,
            summary::markdown(&run, &t, &propagation, &failover),
        ),
        ("## Translation: where the time goes", PROFILE.to_string()),
        (
            "## Propagation: a route change to AWS",
            propagation_markdown(&propagation),
        ),
        (
            "## Bursts: many changes to one Gateway",
            bursts_markdown(&propagation),
        ),
        ("## Failover: a new leader", failover_markdown(&failover)),
    ];
    for (heading, section) in sections {
        doc = splice(&doc, heading, &section);
    }
    std::fs::write(&path, doc)?;
    write_translation_plot(&out_dir, &t)?;
    eprintln!("wrote the speed sections of docs/benchmarks.md");
    Ok(())
}

/// docs/benchmarks-translation.svg: CPU and wall time as routes grow.
pub fn write_translation_plot(
    out_dir: &std::path::Path,
    t: &translation::Figures,
) -> std::io::Result<()> {
    let points = |time: fn(&(usize, Duration, Duration)) -> Duration| {
        t.growth.iter().map(|g| (g.0 as f64, ms(time(g)))).collect()
    };
    let plot = crate::plot::svg(
        "Translation time vs routes (20 Gateways)",
        "routes",
        "milliseconds",
        &[
            crate::plot::Series {
                name: "CPU time (median)",
                points: points(|(_, _, cpu)| *cpu),
            },
            crate::plot::Series {
                name: "wall time (median)",
                points: points(|(_, wall, _)| *wall),
            },
        ],
    );
    std::fs::write(out_dir.join("benchmarks-translation.svg"), plot)
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
