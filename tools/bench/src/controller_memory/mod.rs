//! Resident memory of a `gantry controller` process holding a generated cluster in its caches.
//!
//! The cluster is loaded into the API server stand-in (`gantry-kube-standin`), served over HTTP
//! on 127.0.0.1 from this process, so the stand-in's own memory is not in the figures. The
//! controller is the release `gantry` binary next to this one, started with a kubeconfig
//! pointing at the stand-in, leader election off, and AWS pointed at a closed loopback port:
//! every AWS call fails at once, so reconciles fail and back off (no emulator answers for
//! hundreds of Gateways in reasonable time).

mod proc_status;
mod report;

pub use crate::controller_process::gantry_binary;
pub use report::{GOAL_MIB, markdown, skipped};

use crate::controller_process::{ControllerProcess, free_port};
use crate::workload::{Size, generate};
use anyhow::{Context, Result, bail};
use gantry_snapshot::Snapshot;
use proc_status::rss;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long to wait for the watches to list everything.
const SYNC_LIMIT: Duration = Duration::from_secs(300);
/// How long to wait for the first round of Gateway reconciles (the 4× cluster's 800 Gateways
/// included).
const RECONCILE_LIMIT: Duration = Duration::from_secs(600);
/// How long memory is sampled once the first round is done.
const STEADY_WINDOW: Duration = Duration::from_secs(10);
const SAMPLE_EVERY: Duration = Duration::from_millis(100);

/// One controller run against one cluster.
#[derive(Clone, Debug)]
pub struct MemoryRun {
    pub label: String,
    /// Objects in the stand-in: what the controller lists and caches.
    pub objects: usize,
    pub gateways: usize,
    /// From start until /readyz: every watch has listed its kind.
    pub synced_after: Duration,
    pub rss_at_sync_mib: f64,
    /// From start until there had been as many Gateway reconciles as Gateways; `None` when
    /// that took longer than [`RECONCILE_LIMIT`].
    pub reconciled_after: Option<Duration>,
    /// Median VmRSS over [`STEADY_WINDOW`] after that.
    pub steady_mib: f64,
    /// VmHWM at the end: the peak over the process's whole life.
    pub peak_mib: f64,
}

/// Every run of the benchmark.
#[derive(Clone, Debug)]
pub struct Figures {
    /// Growing clusters, from no workload to four times the large cluster (last).
    pub sizes: Vec<MemoryRun>,
    /// The large cluster with one kind left out, and what was left out: what that kind costs.
    pub breakdown: Vec<(String, MemoryRun)>,
}

impl Figures {
    /// The large cluster's run, when it was measured.
    pub fn large(&self) -> Option<&MemoryRun> {
        self.sizes.iter().find(|r| r.label == "large")
    }

    /// The run with no workload (the bare process), when it was measured.
    pub fn bare(&self) -> Option<&MemoryRun> {
        self.sizes.iter().find(|r| r.label == BARE)
    }

    /// The 4× cluster's run, when it was measured.
    pub fn four_times(&self) -> Option<&MemoryRun> {
        self.sizes.iter().find(|r| r.label == FOUR_TIMES)
    }
}

/// Measures the controller against growing clusters generated from `seed`, then against
/// `large` with one part taken away at a time: its reconciles, its EndpointSlices, its
/// HTTPRoutes.
///
/// `only`: when given, just the runs with these labels (for experiments; the
/// document wants every run).
pub fn run(gantry: &Path, large: &Snapshot, seed: u64, only: &[String]) -> Result<Figures> {
    let wanted = |label: &str| only.is_empty() || only.iter().any(|o| o == label);
    let none = Size {
        gateways: 0,
        routes_per_gateway: 0,
        services: 0,
        endpoints_per_service: 0,
    };
    let quarter = Size {
        gateways: Size::LARGE.gateways / 4,
        services: Size::LARGE.services / 4,
        ..Size::LARGE
    };
    let mut sizes = Vec::new();
    for (label, size) in [
        (BARE, none),
        ("small", Size::SMALL),
        ("medium", Size::MEDIUM),
        ("a quarter of large", quarter),
    ] {
        if wanted(label) {
            sizes.push(measure_logged(gantry, label, &generate(size, seed))?);
        }
    }
    if wanted("large") {
        sizes.push(measure_logged(gantry, "large", large)?);
    }
    // Linear growth: four times the large cluster (Gateways, routes, Services, endpoints).
    if wanted(FOUR_TIMES) {
        sizes.push(measure_logged(
            gantry,
            FOUR_TIMES,
            &generate(Size::LARGE_X4, seed),
        )?);
    }
    let mut without_slices = large.clone();
    let slices = std::mem::take(&mut without_slices.endpoint_slices).len();
    let mut without_routes = large.clone();
    let routes = std::mem::take(&mut without_routes.http_routes).len();
    // Gateways of a class gantry does not own are never translated: the caches alone.
    let mut not_ours = large.clone();
    for class in not_ours.gateway_classes.values_mut() {
        let mut foreign = class.as_ref().clone();
        foreign.spec.controller_name = "example.com/another-controller".to_string();
        *class = Arc::new(foreign);
    }
    let breakdown = vec![
        (
            format!(
                "{} (the GatewayClasses given to another controller, so that no Gateway is translated)",
                report::RECONCILES
            ),
            "large, classes of another controller",
            &not_ours,
        ),
        (
            format!("EndpointSlices ({slices} objects)"),
            "large without EndpointSlices",
            &without_slices,
        ),
        (
            format!("HTTPRoutes ({routes} objects)"),
            "large without HTTPRoutes",
            &without_routes,
        ),
    ]
    .into_iter()
    .filter(|(_, label, _)| wanted(label))
    .map(|(what, label, cluster)| Ok((what, measure_logged(gantry, label, cluster)?)))
    .collect::<Result<Vec<_>>>()?;
    Ok(Figures { sizes, breakdown })
}

/// The label of the run without a workload.
pub const BARE: &str = "no workload";

/// The label of the cluster four times the large one.
pub const FOUR_TIMES: &str = "4× large";

fn measure_logged(gantry: &Path, label: &str, cluster: &Snapshot) -> Result<MemoryRun> {
    let run = measure(gantry, label, cluster)?;
    eprintln!(
        "controller memory: {label}: {} objects, synced after {:.1} s, steady {:.0} MiB, peak {:.0} MiB",
        run.objects,
        run.synced_after.as_secs_f64(),
        run.steady_mib,
        run.peak_mib
    );
    Ok(run)
}

/// Starts `gantry` against `cluster` and measures its memory; stops it after.
pub fn measure(gantry: &Path, label: &str, cluster: &Snapshot) -> Result<MemoryRun> {
    let dir = std::env::temp_dir().join(format!("gantry-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let stand_in = crate::stand_in::serve(cluster, &dir)?;
    // Nothing listens here once the probe socket is closed: AWS calls are refused at once.
    let closed_aws = format!("http://127.0.0.1:{}", free_port()?);
    let log = dir.join(format!("controller-{label}.log"));
    let mut controller =
        ControllerProcess::start(gantry, &stand_in.kubeconfig, &closed_aws, log, |command| {
            command
                .args([
                    "--cluster-name=bench",
                    "--enable-leader-election=false",
                    // Given, so no AWS call is needed to discover it.
                    "--aws-vpc-id=vpc-bench",
                ])
                .env("AWS_ACCESS_KEY_ID", "bench")
                .env("AWS_SECRET_ACCESS_KEY", "bench")
        })?;
    let result = observe(&mut controller, cluster.gateways.len())
        .with_context(|| {
            format!(
                "controller run {label:?} (its log: {})",
                controller.log.display()
            )
        })
        .map(|o| MemoryRun {
            label: label.to_string(),
            objects: stand_in.objects,
            gateways: cluster.gateways.len(),
            synced_after: o.synced_after,
            rss_at_sync_mib: o.rss_at_sync_mib,
            reconciled_after: o.reconciled_after,
            steady_mib: o.steady_mib,
            peak_mib: o.peak_mib,
        });
    drop(controller);
    drop(stand_in);
    if result.is_ok() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

struct Observed {
    synced_after: Duration,
    rss_at_sync_mib: f64,
    reconciled_after: Option<Duration>,
    steady_mib: f64,
    peak_mib: f64,
}

fn observe(controller: &mut ControllerProcess, gateways: usize) -> Result<Observed> {
    let started = Instant::now();
    let pid = controller.child.id();
    let alive = |controller: &mut ControllerProcess| -> Result<proc_status::Rss> {
        controller.alive()?;
        rss(pid).context("the controller's /proc status is unreadable")
    };
    while !controller.ready() {
        alive(controller)?;
        if started.elapsed() > SYNC_LIMIT {
            bail!("watches not synced after {SYNC_LIMIT:?}");
        }
        std::thread::sleep(SAMPLE_EVERY);
    }
    let synced_after = started.elapsed();
    let rss_at_sync_mib = alive(controller)?.now_mib;
    // Every Gateway is reconciled once at start; wait for that round (failures count: AWS
    // refuses every call).
    let mut reconciled_after = None;
    while started.elapsed() < synced_after + RECONCILE_LIMIT {
        alive(controller)?;
        if controller.reconciles("Gateway").unwrap_or(0) >= gateways as u64 {
            reconciled_after = Some(started.elapsed());
            break;
        }
        std::thread::sleep(SAMPLE_EVERY);
    }
    let mut samples = Vec::new();
    let window = Instant::now();
    while window.elapsed() < STEADY_WINDOW {
        samples.push(alive(controller)?.now_mib);
        std::thread::sleep(SAMPLE_EVERY);
    }
    samples.sort_by(f64::total_cmp);
    Ok(Observed {
        synced_after,
        rss_at_sync_mib,
        reconciled_after,
        steady_mib: samples[samples.len() / 2],
        peak_mib: alive(controller)?.peak_mib,
    })
}
