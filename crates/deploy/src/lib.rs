//! gantry-deploy: the only code that talks to AWS.
#![forbid(unsafe_code)]

pub mod diff;
mod error;
pub mod ownership;

pub use error::{Error, ErrorClass, Operation, Result};
