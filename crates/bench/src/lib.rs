//! Benchmarks of gantry's cost as clusters grow. [`workload`] generates realistic clusters
//! from a seed; the `gantry-bench` binary measures and writes `docs/benchmarks.md`.
#![forbid(unsafe_code)]

pub mod plot;
pub mod workload;
