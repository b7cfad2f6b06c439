//! The desired AWS resources of one Gateway — a [`Stack`] — in the ELBv2 API's own vocabulary.
//!
//! Plain data with serde, no SDK types: translation builds it, the deployer diffs it against
//! what exists, and `gantry plan` prints it. Field names serialize as the ELBv2 API spells them
//! (`Name`, `Scheme`, `Conditions[].Field`, `ForwardConfig.TargetGroups[].Weight` …), so the plan
//! reads like the calls it will become. Where the API takes the ARN of a resource of the same
//! stack, the model holds an [`ArnRef::Planned`] with that resource's stable id.
#![forbid(unsafe_code)]

mod actions;
mod arn;
pub mod certificate_names;
mod conditions;
mod load_balancer;
mod security_group;
mod stack;
mod tags;
mod target_group;

pub use actions::*;
pub use arn::ArnRef;
pub use conditions::*;
pub use load_balancer::*;
pub use security_group::*;
pub use stack::*;
pub use tags::{Attribute, Tags};
pub use target_group::*;
