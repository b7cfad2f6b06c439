//! The ownership contract: which tags make an AWS resource gantry's.
//!
//! | key                                  | value                                  | on                        |
//! |--------------------------------------|----------------------------------------|---------------------------|
//! | `elbv2.k8s.aws/cluster`              | the cluster name                       | everything gantry creates |
//! | `gateway.k8s.aws.{alb,nlb}/stack`    | `<gateway namespace>/<gateway name>`   | LB, listeners, rules, TGs, managed SG |
//! | `gateway.k8s.aws.{alb,nlb}/resource` | the resource id within the stack       | same                      |
//! | `elbv2.k8s.aws/resource`             | `backend-sg`                           | the shared backend SG     |
//!
//! A resource is touched only if it carries the cluster tag with this cluster's name *and* the
//! stack tag of the Gateway being deployed. The keys are the AWS Load Balancer Controller's, so
//! gantry and LBC recognise each other's resources. They mirror `gantry_api::wire::tags` (a test
//! checks it); they are repeated here so that the deployer does not pull in the Kubernetes types.

use gantry_model::{LoadBalancerType, Tags};

pub const CLUSTER: &str = "elbv2.k8s.aws/cluster";
/// Older LBC releases tagged the cluster with this key; discovery still accepts it.
pub const LEGACY_CLUSTER: &str = "ingress.k8s.aws/cluster";
pub const ALB_STACK: &str = "gateway.k8s.aws.alb/stack";
pub const NLB_STACK: &str = "gateway.k8s.aws.nlb/stack";
pub const ALB_RESOURCE: &str = "gateway.k8s.aws.alb/resource";
pub const NLB_RESOURCE: &str = "gateway.k8s.aws.nlb/resource";
/// Marks the cluster's shared backend security group (value [`BACKEND_SG_VALUE`]).
pub const CLUSTER_RESOURCE: &str = "elbv2.k8s.aws/resource";
pub const BACKEND_SG_VALUE: &str = "backend-sg";

/// Whose resources an operation may touch: one Gateway's stack in one cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub cluster: String,
    /// `<namespace>/<name>` of the Gateway.
    pub gateway: String,
    pub kind: LoadBalancerType,
}

impl Owner {
    pub fn new(cluster: &str, gateway: &str, kind: LoadBalancerType) -> Self {
        Owner {
            cluster: cluster.to_string(),
            gateway: gateway.to_string(),
            kind,
        }
    }

    pub fn stack_key(&self) -> &'static str {
        stack_key(self.kind)
    }

    pub fn resource_key(&self) -> &'static str {
        match self.kind {
            LoadBalancerType::Application => ALB_RESOURCE,
            LoadBalancerType::Network => NLB_RESOURCE,
        }
    }

    /// True when `tags` claim the resource for this cluster and this Gateway.
    pub fn owns(&self, tags: &Tags) -> bool {
        owned_by_cluster(tags, &self.cluster) && tags.get(self.stack_key()) == Some(&self.gateway)
    }

    /// The resource id a resource of this stack was created for.
    pub fn resource_id<'t>(&self, tags: &'t Tags) -> Option<&'t str> {
        tags.get(self.resource_key())
    }
}

pub fn stack_key(kind: LoadBalancerType) -> &'static str {
    match kind {
        LoadBalancerType::Application => ALB_STACK,
        LoadBalancerType::Network => NLB_STACK,
    }
}

/// True when `tags` carry this cluster's name under the cluster key (or its legacy spelling).
pub fn owned_by_cluster(tags: &Tags, cluster: &str) -> bool {
    tags.get(CLUSTER) == Some(cluster) || tags.get(LEGACY_CLUSTER) == Some(cluster)
}

/// Which gateway stack a cluster-owned resource belongs to, if any.
pub fn stack_of(tags: &Tags) -> Option<(LoadBalancerType, &str)> {
    if let Some(g) = tags.get(ALB_STACK) {
        return Some((LoadBalancerType::Application, g));
    }
    tags.get(NLB_STACK).map(|g| (LoadBalancerType::Network, g))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::tags::tags;

    #[test]
    fn ownership_needs_both_cluster_and_stack_tag() {
        let owner = Owner::new("demo", "ns/gw", LoadBalancerType::Application);
        assert!(owner.owns(&tags(&[(CLUSTER, "demo"), (ALB_STACK, "ns/gw")])));
        assert!(owner.owns(&tags(&[(LEGACY_CLUSTER, "demo"), (ALB_STACK, "ns/gw")])));
        assert!(!owner.owns(&tags(&[(ALB_STACK, "ns/gw")])));
        assert!(!owner.owns(&tags(&[(CLUSTER, "other"), (ALB_STACK, "ns/gw")])));
        assert!(!owner.owns(&tags(&[(CLUSTER, "demo"), (ALB_STACK, "ns/other")])));
        assert!(!owner.owns(&tags(&[(CLUSTER, "demo"), (NLB_STACK, "ns/gw")])));
        assert!(!owner.owns(&Tags::default()));
    }
}
