//! The Crossplane provider families a tiered class can write, and the wire identity
//! (API group, version, kind, plural, scope) of each kind of cloud object in each family.
//!
//! | family (`providerFamily`) | API groups | scope |
//! |---|---|---|
//! | `upbound-namespaced` (default) | `elbv2.aws.m.upbound.io/v1beta1`, `ec2.aws.m.upbound.io/v1beta1` | namespaced (Crossplane v2) |
//! | `upbound-cluster` | `elbv2.aws.upbound.io/v1beta1`, `ec2.aws.upbound.io/v1beta1` | cluster (Crossplane v1) |
//! | `crossplane-contrib` | `elbv2.aws.crossplane.io/v1alpha1` (the proof of concept's provider, retired) | cluster |

use serde::Serialize;

/// A Crossplane provider family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Family {
    /// `crossplane-contrib/provider-aws`: the proof of concept's `elbv2.aws.crossplane.io`.
    #[serde(rename = "crossplane-contrib")]
    Contrib,
    /// Upbound's provider family, cluster-scoped managed resources (Crossplane v1).
    #[serde(rename = "upbound-cluster")]
    UpboundCluster,
    /// Upbound's provider family, namespaced managed resources (Crossplane v2).
    #[serde(rename = "upbound-namespaced")]
    UpboundNamespaced,
}

impl Family {
    pub const ALL: [Family; 3] = [
        Family::Contrib,
        Family::UpboundCluster,
        Family::UpboundNamespaced,
    ];

    /// The value of the class configuration's `providerFamily` key.
    pub fn config_value(self) -> &'static str {
        match self {
            Family::Contrib => "crossplane-contrib",
            Family::UpboundCluster => "upbound-cluster",
            Family::UpboundNamespaced => "upbound-namespaced",
        }
    }

    pub fn parse(value: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.config_value() == value)
    }

    /// Whether this family's managed resources live in the Gateway's namespace.
    pub fn namespaced(self) -> bool {
        self == Family::UpboundNamespaced
    }

    /// The kinds gantry writes in this family. The contrib family keeps the seed's three
    /// kinds: its load balancer uses the class's `securityGroups` (or the VPC default).
    pub fn kinds(self) -> &'static [CloudKind] {
        match self {
            Family::Contrib => &[
                CloudKind::LoadBalancer,
                CloudKind::TargetGroup,
                CloudKind::Listener,
            ],
            Family::UpboundCluster | Family::UpboundNamespaced => &CloudKind::ALL,
        }
    }
}

/// The role of a cloud object, whatever its family calls it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum CloudKind {
    LoadBalancer,
    TargetGroup,
    Listener,
    SecurityGroup,
    SecurityGroupIngressRule,
    SecurityGroupEgressRule,
}

impl CloudKind {
    pub const ALL: [CloudKind; 6] = [
        CloudKind::LoadBalancer,
        CloudKind::TargetGroup,
        CloudKind::Listener,
        CloudKind::SecurityGroup,
        CloudKind::SecurityGroupIngressRule,
        CloudKind::SecurityGroupEgressRule,
    ];
}

/// One kind of one family: what the API server knows it by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CloudType {
    pub family: Family,
    pub kind: CloudKind,
}

impl CloudType {
    pub fn new(family: Family, kind: CloudKind) -> Self {
        CloudType { family, kind }
    }

    /// Every kind gantry may write, family by family.
    pub fn all() -> Vec<CloudType> {
        Family::ALL
            .into_iter()
            .flat_map(|f| f.kinds().iter().map(move |k| CloudType::new(f, *k)))
            .collect()
    }

    pub fn group(self) -> &'static str {
        let ec2 = matches!(
            self.kind,
            CloudKind::SecurityGroup
                | CloudKind::SecurityGroupIngressRule
                | CloudKind::SecurityGroupEgressRule
        );
        match (self.family, ec2) {
            (Family::Contrib, _) => "elbv2.aws.crossplane.io",
            (Family::UpboundCluster, false) => "elbv2.aws.upbound.io",
            (Family::UpboundCluster, true) => "ec2.aws.upbound.io",
            (Family::UpboundNamespaced, false) => "elbv2.aws.m.upbound.io",
            (Family::UpboundNamespaced, true) => "ec2.aws.m.upbound.io",
        }
    }

    pub fn version(self) -> &'static str {
        match self.family {
            Family::Contrib => "v1alpha1",
            Family::UpboundCluster | Family::UpboundNamespaced => "v1beta1",
        }
    }

    pub fn api_version(self) -> String {
        format!("{}/{}", self.group(), self.version())
    }

    /// The `kind` on the wire.
    pub fn kind_name(self) -> &'static str {
        match (self.family, self.kind) {
            (Family::Contrib, CloudKind::LoadBalancer) => "LoadBalancer",
            (Family::Contrib, CloudKind::TargetGroup) => "TargetGroup",
            (Family::Contrib, CloudKind::Listener) => "Listener",
            (_, CloudKind::LoadBalancer) => "LB",
            (_, CloudKind::TargetGroup) => "LBTargetGroup",
            (_, CloudKind::Listener) => "LBListener",
            (_, CloudKind::SecurityGroup) => "SecurityGroup",
            (_, CloudKind::SecurityGroupIngressRule) => "SecurityGroupIngressRule",
            (_, CloudKind::SecurityGroupEgressRule) => "SecurityGroupEgressRule",
        }
    }

    /// The resource's plural (its URL path segment).
    pub fn plural(self) -> String {
        format!("{}s", self.kind_name().to_lowercase())
    }

    pub fn namespaced(self) -> bool {
        self.family.namespaced()
    }

    /// The type of an object with that `apiVersion` and `kind`, if gantry writes it.
    pub fn from_wire(api_version: &str, kind: &str) -> Option<CloudType> {
        CloudType::all()
            .into_iter()
            .find(|t| t.kind_name() == kind && t.api_version() == api_version)
    }

    /// The type of a kind name in the given scope: Upbound's cluster-scoped and namespaced
    /// families share kind names, and are told apart by scope.
    pub fn from_kind(kind: &str, namespaced: bool) -> Option<CloudType> {
        CloudType::all()
            .into_iter()
            .find(|t| t.kind_name() == kind && t.namespaced() == namespaced)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_one_wire_identity() {
        let all = CloudType::all();
        assert_eq!(all.len(), 3 + 6 + 6);
        for t in &all {
            assert_eq!(
                CloudType::from_wire(&t.api_version(), t.kind_name()),
                Some(*t)
            );
            assert_eq!(
                CloudType::from_kind(t.kind_name(), t.namespaced()),
                Some(*t)
            );
        }
        let lb = CloudType::new(Family::UpboundNamespaced, CloudKind::LoadBalancer);
        assert_eq!(lb.api_version(), "elbv2.aws.m.upbound.io/v1beta1");
        assert_eq!(lb.plural(), "lbs");
        let rule = CloudType::new(Family::UpboundCluster, CloudKind::SecurityGroupIngressRule);
        assert_eq!(rule.api_version(), "ec2.aws.upbound.io/v1beta1");
        assert_eq!(rule.plural(), "securitygroupingressrules");
        assert_eq!(
            Family::parse("upbound-namespaced"),
            Some(Family::UpboundNamespaced)
        );
        assert_eq!(Family::parse("upbound"), None);
        for f in Family::ALL {
            assert_eq!(serde_json::to_value(f).ok(), Some(f.config_value().into()));
        }
    }
}
