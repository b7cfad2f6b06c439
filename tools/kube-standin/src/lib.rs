//! An in-process stand-in for the Kubernetes API server. The controller's scenario tests build
//! a `kube::Client` on it directly ([`FakeApi::client`]); `gantry-bench` serves it over HTTP on
//! a loopback port ([`serve_loopback`]) to a `gantry controller` process given a
//! [`kubeconfig`].
#![forbid(unsafe_code)]

pub mod apiserver;
pub mod catalog;
pub mod faults;
mod fields;
mod kubeconfig;
mod page;
mod serve;
pub mod server;

pub use apiserver::FakeApi;
pub use kubeconfig::kubeconfig;
pub use serve::{Served, serve_loopback};
