//! Translation time of the shapes, as wall time and as this thread's CPU time: on a
//! machine shared with other work, the CPU time is what one core spends, without the waits
//! for a core that the wall time includes.

use crate::workload::{Size, fixed_shape, generate};
use gantry_snapshot::Snapshot;
use gantry_translate::{Settings, translate};
use std::time::{Duration, Instant};

/// CPU time this thread has run so far (`/proc/thread-self/schedstat`, nanoseconds).
pub fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(
        s.split_whitespace().next()?.parse().ok()?,
    ))
}

/// Median wall and CPU time of `runs` translations of `snapshot` (the result dropped inside
/// the timing, as the criterion benchmark does).
pub fn time(snapshot: &Snapshot, settings: &Settings, runs: usize) -> (Duration, Duration) {
    let mut wall = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..runs {
        let (c, t) = (thread_cpu(), Instant::now());
        drop(translate(snapshot, settings));
        wall.push(t.elapsed());
        cpu.push(match (c, thread_cpu()) {
            // The kernel updates the figure at ticks and switches: a run shorter than a tick
            // may read as zero, so such a run counts its wall time.
            (Some(a), Some(b)) if b > a => b - a,
            _ => t.elapsed(),
        });
    }
    wall.sort();
    cpu.sort();
    (wall[runs / 2], cpu[runs / 2])
}

#[derive(Clone, Debug)]
pub struct Figures {
    /// (routes, wall, cpu) for 20 Gateways with 1×, 10×, 100× routes.
    pub growth: Vec<(usize, Duration, Duration)>,
    pub shape: (Duration, Duration),
    pub large: (Duration, Duration),
}

/// The translation settings of every timing: rules beyond the default per-ALB quota are
/// translated too (users of these sizes raise it).
pub fn settings() -> Settings {
    let mut settings = Settings::new("bench");
    settings.max_rules_per_alb = 100_000;
    settings
}

/// (routes, wall, cpu) for 20 Gateways with 1×, 10×, 100× routes.
pub fn growth(seed: u64, settings: &Settings) -> Vec<(usize, Duration, Duration)> {
    [1usize, 10, 100]
        .into_iter()
        .map(|per_gateway| {
            let size = Size {
                gateways: 20,
                routes_per_gateway: per_gateway,
                services: 500,
                endpoints_per_service: 5,
            };
            let runs = if per_gateway >= 100 { 5 } else { 15 };
            let (wall, cpu) = time(&generate(size, seed), settings, runs);
            (size.routes(), wall, cpu)
        })
        .collect()
}

/// The translation issue's shape: 100 Gateways × 50 HTTPRoutes × 4 rules × 2 matches.
pub fn shape(settings: &Settings) -> (Duration, Duration) {
    time(&fixed_shape(100, 50, 4, 2), settings, 7)
}

pub fn measure(seed: u64) -> Figures {
    let settings = settings();
    Figures {
        growth: growth(seed, &settings),
        shape: shape(&settings),
        large: time(&generate(Size::LARGE, seed), &settings, 3),
    }
}
