//! What `gantry plan` prints.

pub mod plan;
pub mod table;
pub mod tiered;
