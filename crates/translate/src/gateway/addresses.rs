//! A Gateway's `spec.addresses`. AWS assigns a load balancer its IP addresses and its DNS name,
//! so entries of type IPAddress (the default) or Hostname without a value ask for what gantry
//! does anyway ("When a value is unspecified, an implementation SHOULD automatically assign an
//! address matching the requested type if possible"); other types are not supported
//! (`Accepted=False UnsupportedAddress`), and a requested value cannot be used (`Accepted=True`,
//! `Programmed=False AddressNotUsable`: the Gateway is valid, its address is not available).

use crate::Translation;
use crate::status::Condition;
use crate::status::reasons::{PROGRAMMED, Reason};
use gantry_api::gateway::Gateway;
use gantry_snapshot::ObjectKey;

pub(super) enum Problem {
    UnsupportedType(String),
    NotUsable(String),
}

/// The first address gantry cannot provide, if any.
pub(super) fn check(gateway: &Gateway) -> Option<Problem> {
    gateway.spec.addresses.iter().flatten().find_map(|a| {
        let kind = a.r#type.as_deref().unwrap_or("IPAddress");
        if !matches!(kind, "IPAddress" | "Hostname") {
            return Some(Problem::UnsupportedType(format!(
                "spec.addresses type {kind} is not supported: AWS assigns IPAddress and Hostname addresses only"
            )));
        }
        let value = a.value.as_deref().filter(|v| !v.is_empty())?;
        Some(Problem::NotUsable(format!(
            "spec.addresses {kind} {value} cannot be used: AWS assigns load balancer addresses; remove the value (an entry without one is assigned), or pin IPs with LoadBalancerConfiguration loadBalancerSubnets (privateIPv4Address, allocationID)"
        )))
    })
}

/// The Gateway `key`, translated but with an address it cannot have: not programmed, its
/// listeners neither, the reason named as a problem too.
pub(super) fn not_programmed(out: &mut Translation, key: &ObjectKey, message: String) {
    out.problems.push(crate::Problem {
        object: format!("Gateway {key}"),
        message: message.clone(),
    });
    let Some(status) = out.statuses.gateways.get_mut(key) else {
        return;
    };
    let programmed = |reason, message: &str| Condition::new(PROGRAMMED, false, reason, message);
    for c in status
        .conditions
        .iter_mut()
        .filter(|c| c.kind == PROGRAMMED)
    {
        *c = programmed(Reason::AddressNotUsable, &message).at(c.observed_generation);
    }
    for l in &mut status.listeners {
        for c in l.conditions.iter_mut() {
            if c.kind == PROGRAMMED && c.status != "False" {
                let why = format!("The Gateway is not programmed: {message}");
                *c = programmed(Reason::Pending, &why).at(c.observed_generation);
            }
        }
    }
}
