//! A Gateway's `spec.addresses`. AWS assigns a load balancer its IP addresses and its DNS name,
//! so entries of type IPAddress (the default) or Hostname without a value ask for what every
//! gantry class does anyway ("When a value is unspecified, an implementation SHOULD
//! automatically assign an address matching the requested type if possible"); other types are
//! not supported (`Accepted=False UnsupportedAddress`), and a requested value cannot be used
//! (`Accepted=True`, `Programmed=False AddressNotUsable`: the Gateway is valid, its address is
//! not available).

use gantry_api::gateway::Gateway;

/// Why a Gateway cannot have the addresses it asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddressProblem {
    /// A type other than IPAddress or Hostname: `Accepted=False UnsupportedAddress`.
    UnsupportedType(String),
    /// A value: `Programmed=False AddressNotUsable`.
    NotUsable(String),
}

/// The first address gantry cannot provide, if any.
pub fn check(gateway: &Gateway) -> Option<AddressProblem> {
    gateway.spec.addresses.iter().flatten().find_map(|a| {
        let kind = a.r#type.as_deref().unwrap_or("IPAddress");
        if !matches!(kind, "IPAddress" | "Hostname") {
            return Some(AddressProblem::UnsupportedType(format!(
                "spec.addresses type {kind} is not supported: AWS assigns IPAddress and Hostname addresses only"
            )));
        }
        let value = a.value.as_deref().filter(|v| !v.is_empty())?;
        Some(AddressProblem::NotUsable(format!(
            "spec.addresses {kind} {value} cannot be used: AWS assigns load balancer addresses; remove the value (an entry without one is assigned); fixed IPs come from the subnet settings (LoadBalancerConfiguration loadBalancerSubnets, or the tiered class's subnetMappings)"
        )))
    })
}
