//! Security group ingress differences.

use gantry_model::IngressRule;
use std::collections::BTreeSet;

/// Rules to authorize and to revoke; rules already present are left alone.
pub fn ingress_changes(
    actual: &BTreeSet<IngressRule>,
    desired: &[IngressRule],
) -> (Vec<IngressRule>, Vec<IngressRule>) {
    let desired: BTreeSet<IngressRule> = desired.iter().cloned().collect();
    (
        desired.difference(actual).cloned().collect(),
        actual.difference(&desired).cloned().collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use gantry_model::IngressSource;

    fn rule(port: i32, cidr: &str) -> IngressRule {
        IngressRule {
            ip_protocol: "tcp".into(),
            from_port: port,
            to_port: port,
            source: IngressSource::CidrIpv4(cidr.into()),
        }
    }

    #[test]
    fn only_missing_rules_are_added_and_extra_ones_removed() {
        let actual: BTreeSet<_> = [rule(80, "0.0.0.0/0"), rule(8080, "0.0.0.0/0")].into();
        let (add, remove) =
            ingress_changes(&actual, &[rule(80, "0.0.0.0/0"), rule(443, "0.0.0.0/0")]);
        assert_eq!(add, [rule(443, "0.0.0.0/0")]);
        assert_eq!(remove, [rule(8080, "0.0.0.0/0")]);
    }
}
