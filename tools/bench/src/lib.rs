//! Benchmarks of gantry's cost as clusters grow. [`workload`] generates realistic clusters
//! from a seed; [`aws`] measures AWS calls and convergence time against an emulator;
//! [`controller_memory`] the resident memory of a `gantry controller` process; the
//! `gantry-bench` binary measures and writes `docs/benchmarks.md`; [`speed`] how fast a running
//! controller propagates a change and fails over.
#![forbid(unsafe_code)]

pub mod aws;
pub mod controller_memory;
pub mod controller_process;
pub mod markdown;
pub mod plot;
pub mod speed;
pub mod stand_in;
pub mod workload;
