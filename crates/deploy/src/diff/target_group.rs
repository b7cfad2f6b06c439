//! Target group differences.

use crate::discover::target_group::ActualTargetGroup;
use gantry_model::{HealthCheck, TargetGroup};

/// Why an existing target group can't become the desired one in place, if it can't: these
/// fields are fixed at creation.
pub fn replacement_reason(
    actual: &ActualTargetGroup,
    desired: &TargetGroup,
    vpc: &str,
) -> Option<String> {
    let mut why = Vec::new();
    if actual.protocol != Some(desired.protocol) {
        why.push("protocol");
    }
    if desired.target_type != gantry_model::TargetType::Alb && actual.port != Some(desired.port) {
        why.push("port");
    }
    if actual.target_type != desired.target_type.as_str() {
        why.push("target type");
    }
    let version = desired.protocol_version.map(|v| v.as_str());
    if version.is_some() && actual.protocol_version.as_deref() != version {
        why.push("protocol version");
    }
    let ip = match desired.ip_address_type {
        gantry_model::TargetIpAddressType::Ipv4 => "ipv4",
        gantry_model::TargetIpAddressType::Ipv6 => "ipv6",
    };
    if actual.ip_address_type != ip {
        why.push("IP address type");
    }
    if !vpc.is_empty() && !actual.vpc_id.is_empty() && actual.vpc_id != vpc {
        why.push("VPC");
    }
    (!why.is_empty()).then(|| format!("{} cannot be changed in place", why.join(", ")))
}

/// Whether the health check differs in a field the plan sets.
pub fn health_check_changed(actual: Option<&HealthCheck>, desired: &HealthCheck) -> bool {
    let Some(a) = actual else { return true };
    let matcher_differs = match (&desired.matcher, &a.matcher) {
        (None, _) => false,
        (Some(d), None) => d.http_code.is_some() || d.grpc_code.is_some(),
        (Some(d), Some(a)) => {
            (d.http_code.is_some() && d.http_code != a.http_code)
                || (d.grpc_code.is_some() && d.grpc_code != a.grpc_code)
        }
    };
    a.protocol != desired.protocol
        || a.port != desired.port
        || (desired.path.is_some() && a.path != desired.path)
        || a.interval_seconds != desired.interval_seconds
        || a.timeout_seconds != desired.timeout_seconds
        || a.healthy_threshold_count != desired.healthy_threshold_count
        || a.unhealthy_threshold_count != desired.unhealthy_threshold_count
        || matcher_differs
}

/// A name for a replacement target group: names are unique per region, and the old group keeps
/// its name until it is deleted after the switch. Alternates between the plain name and a
/// `-r` variant, so a later replacement can take the plain name back.
pub fn replacement_name(desired: &str, taken: &str) -> String {
    if desired != taken {
        return desired.to_string();
    }
    let base: String = desired.chars().take(30).collect();
    format!("{}-r", base.trim_end_matches('-'))
}
