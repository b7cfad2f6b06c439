//! `gantry-bench`: measures translation time and memory as clusters grow and, when
//! `AWS_ENDPOINT_URL` points at an emulator, AWS calls per change and the time to converge;
//! measures the resident memory of a `gantry controller` process (the release `gantry` binary
//! next to this one) holding growing clusters; writes `docs/benchmarks.md` (plus SVG plots).
//! `scripts/bench.sh` builds both binaries and runs it against moto.
//!
//! `gantry-bench --controller-memory-only [LABEL...]` runs only the controller memory benchmark
//! (only the clusters with those labels, e.g. `large` or `4× large`, when given) and prints its
//! section instead of writing the document. `gantry-bench --speed` runs only the translation,
//! propagation and failover benchmarks and puts their sections into the document
//! (gantry_bench::speed); `--speed-failover-only` and `--speed-propagation-only` run one of
//! them and print its section (the controllers' logs stay in target/bench/).

use anyhow::Result;
use gantry_bench::controller_memory;
use gantry_bench::plot::{Series, svg};
use gantry_bench::workload::{Size, generate, one_gateway, with_one_route_changed};
use gantry_translate::{Settings, translate};
use std::fmt::Write;
use std::time::{Duration, Instant};

const SEED: u64 = 42;

/// Median of `runs` timed calls.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// Peak resident memory of this process so far (VmHWM), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The 1-, 5- and 15-minute load averages, as /proc/loadavg has them.
fn load_average() -> Option<(f64, String)> {
    let s = std::fs::read_to_string("/proc/loadavg").ok()?;
    let parts: Vec<&str> = s.split_whitespace().take(3).collect();
    Some((parts.first()?.parse().ok()?, parts.join(" ")))
}

/// The controller memory benchmark, or why it was skipped.
fn measure_controller_memory(
    large: &gantry_snapshot::Snapshot,
    only: &[String],
) -> Result<Option<controller_memory::Figures>> {
    let Some(gantry) = controller_memory::gantry_binary() else {
        eprintln!(
            "skipped the controller memory benchmark: no `gantry` binary next to gantry-bench (scripts/bench.sh builds both)"
        );
        return Ok(None);
    };
    controller_memory::run(&gantry, large, SEED, only).map(Some)
}

fn controller_memory_section(figures: &Option<controller_memory::Figures>) -> String {
    match figures {
        Some(f) => controller_memory::markdown(f),
        None => controller_memory::skipped(
            "no `gantry` binary next to `gantry-bench`; `scripts/bench.sh` builds both (`cargo build --release -p gantry -p gantry-bench`).",
        ),
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--speed-failover-only") {
        return gantry_bench::speed::only("failover");
    }
    if args.iter().any(|a| a == "--speed-propagation-only") {
        return gantry_bench::speed::only("propagation");
    }
    if args.iter().any(|a| a == "--speed") {
        return gantry_bench::speed::main(SEED);
    }
    if args
        .first()
        .is_some_and(|a| a == "--controller-memory-only")
    {
        let figures = measure_controller_memory(&generate(Size::LARGE, SEED), &args[1..])?;
        print!("{}", controller_memory_section(&figures));
        // Every cluster measured: the plot in docs/ is replaced too.
        if let Some(m) = figures.as_ref().filter(|_| args.len() == 1) {
            let out_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
            write_memory_plot(&out_dir, m)?;
        }
        return Ok(());
    }
    // Read first: the benchmarks themselves load the machine.
    let load = load_average();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let out_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    std::fs::create_dir_all(&out_dir)?;
    let mut settings = Settings::new("bench");
    // Users of this size raise the rules-per-ALB quota; measure translating every rule.
    settings.max_rules_per_alb = 100_000;

    // 1. Growth with routes: 20 Gateways, 1× / 10× / 100× routes each.
    let mut growth = Vec::new();
    for per_gateway in [1usize, 10, 100] {
        let size = Size {
            gateways: 20,
            routes_per_gateway: per_gateway,
            services: 500,
            endpoints_per_service: 5,
        };
        let snapshot = generate(size, SEED);
        let runs = if per_gateway >= 100 { 5 } else { 15 };
        let t = median(runs, || drop(translate(&snapshot, &settings)));
        growth.push((size.routes(), t));
        eprintln!("growth: {} routes: {:.2} ms", size.routes(), ms(t));
    }

    // 2. The shape of the translation issue's benchmark.
    let shape = gantry_bench::workload::fixed_shape(100, 50, 4, 2);
    let shape_time = median(5, || drop(translate(&shape, &settings)));
    eprintln!("100x50x4x2: {:.1} ms", ms(shape_time));

    // 3. The large cluster: whole translation, one Gateway after a one-route change, memory.
    let rss_before = peak_rss_mib();
    let large = generate(Size::LARGE, SEED);
    let rss_snapshot = peak_rss_mib();
    let whole = median(3, || drop(translate(&large, &settings)));
    let changed = with_one_route_changed(&large);
    let first_gateway = changed.gateways.keys().next().cloned().expect("a gateway");
    let view = one_gateway(&changed, &first_gateway);
    let incremental = median(21, || drop(translate(&view, &settings)));
    let t = translate(&large, &settings);
    let rules: usize = t
        .stacks
        .iter()
        .flat_map(|s| &s.listeners)
        .map(|l| l.rules.len())
        .sum();
    let rss_after = peak_rss_mib();
    eprintln!(
        "large: {:.1} ms whole, {:.3} ms one gateway",
        ms(whole),
        ms(incremental)
    );

    // The controller's own memory, holding growing clusters.
    let memory = measure_controller_memory(&large, &[])?;

    // AWS calls and convergence, against the emulator when there is one.
    let aws = match std::env::var("AWS_ENDPOINT_URL") {
        Ok(endpoint) if !endpoint.is_empty() => {
            let figures = gantry_deploy::client::block_on(gantry_bench::aws::run(&endpoint))??;
            Some(figures)
        }
        _ => {
            eprintln!(
                "skipped the AWS calls and convergence benchmarks: AWS_ENDPOINT_URL is not set (scripts/bench.sh runs them against moto)"
            );
            None
        }
    };

    let mut doc = String::new();
    let _ = writeln!(doc, "# gantry benchmarks\n");
    let _ = writeln!(
        doc,
        "Written by `gantry-bench` (seed {SEED}; `scripts/bench.sh` builds it and `gantry` in release and runs it against moto). Machine: {cores} cores, {}, {}; date: {}.\n",
        std::env::consts::ARCH,
        match &load {
            // Work on the machine just before (scripts/bench.sh's own release build, or other
            // builds) may slow the first figures; say so.
            Some((one, all)) if *one >= 1.0 => format!(
                "load average at start {all} (busy: what ran just before, such as the release build, may make the first times higher than on an idle machine)"
            ),
            Some((_, all)) => format!("load average at start {all}"),
            None => "load average unknown".into(),
        },
        date()
    );
    let _ = writeln!(doc, "## Translation time as routes grow\n");
    let _ = writeln!(
        doc,
        "20 Gateways (ALB, every 10th an NLB, some chained), routes with 2–4 rules of 1–2 matches, hostnames, header / query / method matches, weighted cross-namespace backends. Median of repeated runs, one thread.\n"
    );
    let _ = writeln!(
        doc,
        "| routes | time (ms) | per route (µs) | growth vs previous |"
    );
    let _ = writeln!(doc, "|---:|---:|---:|---:|");
    let mut prev: Option<(usize, Duration)> = None;
    for (routes, t) in &growth {
        let ratio = prev
            .map(|(r, p)| {
                format!(
                    "{:.1}× time for {:.0}× routes",
                    t.as_secs_f64() / p.as_secs_f64(),
                    *routes as f64 / r as f64
                )
            })
            .unwrap_or_else(|| "—".into());
        let _ = writeln!(
            doc,
            "| {routes} | {:.2} | {:.1} | {ratio} |",
            ms(*t),
            t.as_secs_f64() * 1e6 / *routes as f64
        );
        prev = Some((*routes, *t));
    }
    let _ = writeln!(doc, "\nGoal: close to linear growth.\n");
    let _ = writeln!(
        doc,
        "## 100 Gateways × 50 HTTPRoutes × 4 rules × 2 matches\n"
    );
    let _ = writeln!(doc, "| measure | figure | goal | met |");
    let _ = writeln!(doc, "|---|---:|---:|:-:|");
    let _ = writeln!(
        doc,
        "| translate all (one core, 40,000 ALB rules) | {:.0} ms | well under 100 ms | {} |\n",
        ms(shape_time),
        yes(ms(shape_time) < 100.0)
    );
    let _ = writeln!(doc, "## The large cluster\n");
    let _ = writeln!(
        doc,
        "{} Gateways, {} HTTPRoutes ({} ALB rules), {} Services, {} endpoints.\n",
        Size::LARGE.gateways,
        large.http_routes.len() + large.tcp_routes.len(),
        rules,
        Size::LARGE.services,
        Size::LARGE.services * Size::LARGE.endpoints_per_service
    );
    let _ = writeln!(doc, "| measure | figure | goal | met |");
    let _ = writeln!(doc, "|---|---:|---:|:-:|");
    let _ = writeln!(
        doc,
        "| translate the whole cluster (one core) | {:.0} ms | < 1000 ms | {} |",
        ms(whole),
        yes(ms(whole) < 1000.0)
    );
    let _ = writeln!(
        doc,
        "| translate one Gateway after a one-route change | {:.2} ms | — | |",
        ms(incremental)
    );
    if let Some(large_run) = memory.as_ref().and_then(|m| m.large()) {
        let _ = writeln!(
            doc,
            "| peak RSS of `gantry controller` holding it (see [Controller memory](#controller-memory)) | {:.0} MiB | < {:.0} MiB | {} |",
            large_run.peak_mib,
            controller_memory::GOAL_MIB,
            yes(large_run.peak_mib < controller_memory::GOAL_MIB)
        );
    }
    if let (Some(b), Some(s), Some(a)) = (rss_before, rss_snapshot, rss_after) {
        let _ = writeln!(
            doc,
            "| peak RSS of this benchmark process: before / holding the snapshot / after translating | {b:.0} / {s:.0} / {a:.0} MiB | — | |"
        );
    }
    let _ = writeln!(
        doc,
        "\nThe benchmark process's figure is the generated snapshot (objects as the controller's caches hold them, without managedFields) plus one translation of every Gateway at once, which the controller never does (it translates one Gateway per reconcile).\n"
    );
    doc.push_str(&controller_memory_section(&memory));
    match &aws {
        Some(figures) => doc.push_str(&gantry_bench::aws::markdown(figures)),
        None => doc.push_str(&gantry_bench::aws::skipped()),
    }
    let _ = writeln!(doc, "![translation time](benchmarks-translation.svg)");
    std::fs::write(out_dir.join("benchmarks.md"), doc)?;
    let plot = svg(
        "Translation time vs routes (20 Gateways)",
        "routes",
        "milliseconds",
        &[Series {
            name: "translate (median)",
            points: growth.iter().map(|(r, t)| (*r as f64, ms(*t))).collect(),
        }],
    );
    std::fs::write(out_dir.join("benchmarks-translation.svg"), plot)?;
    if let Some(m) = &memory {
        write_memory_plot(&out_dir, m)?;
    }
    eprintln!("wrote docs/benchmarks.md");
    // Translation again with CPU time, propagation and failover (their own sections).
    gantry_bench::speed::main(SEED)
}

/// The controller's memory against the cluster's size (the growing clusters, 4× included).
fn write_memory_plot(out_dir: &std::path::Path, m: &controller_memory::Figures) -> Result<()> {
    let points = |mib: fn(&controller_memory::MemoryRun) -> f64| -> Vec<(f64, f64)> {
        m.sizes.iter().map(|r| (r.objects as f64, mib(r))).collect()
    };
    let plot = svg(
        "gantry controller resident memory vs cluster size",
        "objects in the cluster",
        "MiB",
        &[
            Series {
                name: "peak RSS (VmHWM)",
                points: points(|r| r.peak_mib),
            },
            Series {
                name: "steady RSS (median VmRSS)",
                points: points(|r| r.steady_mib),
            },
        ],
    );
    std::fs::write(out_dir.join("benchmarks-controller-memory.svg"), plot)?;
    Ok(())
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Today's date (UTC) from the system clock, as YYYY-MM-DD.
fn date() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    format!("{}-{:02}-{:02}", if m <= 2 { y + 1 } else { y }, m, d)
}
