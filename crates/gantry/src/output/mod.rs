//! What `gantry plan` prints.

pub mod dot;
pub mod graph;
pub mod mermaid;
pub mod table;
pub mod tiered;
