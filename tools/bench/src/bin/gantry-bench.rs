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
use gantry_bench::markdown::{cores, load_average, measure_row, ms, today};
use gantry_bench::plot::{Series, svg};
use gantry_bench::speed::{growth_markdown, shape_markdown, translation, write_translation_plot};
use gantry_bench::workload::{Size, generate, one_gateway, with_one_route_changed};
use gantry_translate::translate;
use std::fmt::Write;

const SEED: u64 = 42;

const USAGE: &str = "\
usage: gantry-bench                      every benchmark; writes docs/benchmarks.md and its plots
       gantry-bench --speed              translation, propagation and failover; their sections
       gantry-bench --speed-failover-only | --speed-propagation-only
                                         one of them; prints its section
       gantry-bench --controller-memory-only [LABEL...]
                                         the controller memory benchmark (only the clusters
                                         LABEL names, e.g. large); prints its section
The AWS benchmarks run when AWS_ENDPOINT_URL points at an emulator; scripts/bench.sh builds
gantry and gantry-bench in release and runs them against moto.
";

/// Refuses what this command does not know before anything is measured or written.
fn check_arguments(args: &[String]) -> Result<()> {
    const FLAGS: &[&str] = &[
        "--speed",
        "--speed-failover-only",
        "--speed-propagation-only",
        "--controller-memory-only",
    ];
    let labels_allowed = args
        .first()
        .is_some_and(|a| a == "--controller-memory-only");
    for (i, a) in args.iter().enumerate() {
        let known = FLAGS.contains(&a.as_str()) || (labels_allowed && i > 0 && !a.starts_with('-'));
        if !known {
            anyhow::bail!("gantry-bench: unexpected argument {a:?}\n{USAGE}");
        }
    }
    Ok(())
}

/// Peak resident memory of this process so far (VmHWM), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
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
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{USAGE}");
        return Ok(());
    }
    if let Err(e) = check_arguments(&args) {
        eprint!("{e}");
        std::process::exit(2);
    }
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
    let cores = cores();
    let out_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    std::fs::create_dir_all(&out_dir)?;
    let settings = translation::settings();

    // 1. Growth with routes: 20 Gateways, 1× / 10× / 100× routes each. 2. The shape of the
    // translation issue's benchmark. (The speed part at the end measures both again and puts
    // its figures in their sections.)
    let growth = translation::growth(SEED, &settings);
    for (routes, wall, _) in &growth {
        eprintln!("growth: {routes} routes: {:.2} ms", ms(*wall));
    }
    let shape = translation::shape(&settings);
    eprintln!("100x50x4x2: {:.1} ms", ms(shape.0));

    // 3. The large cluster: whole translation, one Gateway after a one-route change, memory.
    let rss_before = peak_rss_mib();
    let large = generate(Size::LARGE, SEED);
    let rss_snapshot = peak_rss_mib();
    let whole = translation::time(&large, &settings, 3);
    let changed = with_one_route_changed(&large);
    let first_gateway = changed.gateways.keys().next().cloned().expect("a gateway");
    let view = one_gateway(&changed, &first_gateway);
    let (incremental, _) = translation::time(&view, &settings, 21);
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
        ms(whole.0),
        ms(incremental)
    );
    let translation = translation::Figures {
        growth,
        shape,
        large: whole,
    };

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
        today()
    );
    doc.push_str(&growth_markdown(&translation));
    doc.push_str(&shape_markdown(&translation));
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
    doc.push_str("| measure | figure | goal | met |\n|---|---:|---:|:-:|\n");
    let whole_ms = ms(translation.large.0);
    measure_row(
        &mut doc,
        "translate the whole cluster (one core)",
        format_args!("{whole_ms:.0} ms"),
        Some(("< 1000 ms", whole_ms < 1000.0)),
    );
    measure_row(
        &mut doc,
        "translate one Gateway after a one-route change",
        format_args!("{:.2} ms", ms(incremental)),
        None,
    );
    if let Some(large_run) = memory.as_ref().and_then(|m| m.large()) {
        measure_row(
            &mut doc,
            "peak RSS of `gantry controller` holding it (see [Controller memory](#controller-memory))",
            format_args!("{:.0} MiB", large_run.peak_mib),
            Some((
                &format!("< {:.0} MiB", controller_memory::GOAL_MIB),
                large_run.peak_mib < controller_memory::GOAL_MIB,
            )),
        );
    }
    if let (Some(b), Some(s), Some(a)) = (rss_before, rss_snapshot, rss_after) {
        measure_row(
            &mut doc,
            "peak RSS of this benchmark process: before / holding the snapshot / after translating",
            format_args!("{b:.0} / {s:.0} / {a:.0} MiB"),
            None,
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
    write_translation_plot(&out_dir, &translation)?;
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
