//! Whole scenes that tests of more than one crate start from, kept as YAML files under
//! `scenes/` so that each is written once.

/// An HTTPS ALB Gateway `apps/web` and the route `apps/shop` whose rule authenticates with the
/// OIDC client Secret `apps/oidc-client` (not part of the scene).
pub const OIDC_SHOP: &str = include_str!("../scenes/oidc-shop.yaml");

/// Seed 003 of the tiered class (crossplane-contrib family): the ConfigMap
/// `tiered/tiered-config`, the Gateway `tiered/foo-gateway` of the class
/// `public-gw-gateway-class` (not part of the scene) and its HTTPRoute `tiered/foo-site`.
pub const TIERED_SEED_003: &str = include_str!("../scenes/tiered-seed-003.yaml");
