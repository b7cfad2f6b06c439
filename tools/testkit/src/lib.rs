//! What gantry's tests share, in one dev-only crate: the moto emulator fixture ([`moto`]),
//! reads of what tests left in it ([`elb`], [`acm`]) and counts of the calls that left it
//! ([`calls`]), the golden-file harness ([`golden`]), builders of the manifests scenarios start
//! from ([`objects`], [`route_builders`]) and whole scenes shared across crates ([`scenes`]).
//! Nothing here is built into gantry itself.

#[cfg(feature = "moto")]
pub mod acm;
pub mod calls;
#[cfg(feature = "moto")]
pub mod elb;
pub mod golden;
#[cfg(feature = "moto")]
pub mod moto;
pub mod objects;
pub mod route_builders;
pub mod scenes;
