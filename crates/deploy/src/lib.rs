//! gantry-deploy: the only code that talks to AWS.
//!
//! [`Deployer::apply`] makes AWS match one Gateway's [`gantry_model::Stack`]:
//!
//! 1. **discover** ([`discover`]) what exists and carries the stack's ownership tags
//!    ([`ownership`]): load balancers and target groups by `DescribeTags`, security groups by
//!    EC2 tag filters, listeners and rules from the load balancer;
//! 2. **diff** ([`diff`]), pure and unit-tested: only what differs becomes a call;
//! 3. **sync** in a safe order (security groups → target groups → load balancer → listeners →
//!    rules, then deletions in a post pass), every call counted by service and operation.
//!
//! [`Deployer::sync_targets`] ([`targets`]) keeps a target group's targets equal to a given
//! set with only the difference as calls.
//!
//! A second apply of an unchanged stack makes no mutating call. [`Deployer::delete`] is the
//! same path with nothing wanted. Resources without this cluster's and this Gateway's tags are
//! never modified or deleted.
#![forbid(unsafe_code)]

mod acm;
mod certificate_source;
pub mod client;
mod convert;
mod deployer;
pub mod diff;
pub mod discover;
mod error;
mod heap_step;
mod imported;
mod named;
pub mod ownership;
mod report;
mod run;
mod settings;
mod sync;
pub mod targets;

pub use certificate_source::{
    CertificateSource, Certificates, FINGERPRINT_TAG, ImportMaterial, SECRET_TAG,
};
pub use deployer::{Deployer, Inventory};
pub use diff::rule::PriorityMode;
pub use error::{Error, ErrorClass, Operation, Result};
pub use report::{Address, Change, ChangeKind, Report, ResourceKind};
pub use settings::{DeploySettings, MutationHook};
pub use targets::{BackendRule, GroupTargets, RuleChanges, RuleSource, TargetChanges};
