//! What gantry's tests share, in one dev-only crate: the moto emulator fixture ([`moto`]), the
//! golden-file harness ([`golden`]) and builders of the manifests scenarios start from
//! ([`objects`]) and whole scenes shared across crates ([`scenes`]). Nothing here is built into gantry itself.

pub mod golden;
#[cfg(feature = "moto")]
pub mod moto;
pub mod objects;
pub mod scenes;
