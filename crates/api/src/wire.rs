//! Names that appear on the wire and that users and other tools depend on.
//!
//! Tag keys and controller names match the AWS Load Balancer Controller, so that users can move
//! between the two and their tooling keeps working.

/// `spec.controllerName` of GatewayClasses whose Gateways become Application Load Balancers.
pub const ALB_CONTROLLER_NAME: &str = "gateway.k8s.aws/alb";
/// `spec.controllerName` of GatewayClasses whose Gateways become Network Load Balancers.
pub const NLB_CONTROLLER_NAME: &str = "gateway.k8s.aws/nlb";

/// Field manager for every write gantry makes to the API server.
pub const FIELD_MANAGER: &str = "gantry";

/// Finalizer on a GatewayClass while Gateways use it.
pub const GATEWAY_CLASS_FINALIZER: &str = "gateway.k8s.aws/gatewayclass";
/// Finalizer on an ALB Gateway while it owns AWS resources.
pub const ALB_GATEWAY_FINALIZER: &str = "gateway.k8s.aws/alb";
/// Finalizer on an NLB Gateway while it owns AWS resources.
pub const NLB_GATEWAY_FINALIZER: &str = "gateway.k8s.aws/nlb";

/// AWS tag keys: the ownership contract. gantry only modifies or deletes AWS resources that
/// carry both [`tags::CLUSTER`] (= the cluster name) and the stack tag of the Gateway.
///
/// | key                              | value                                           |
/// |----------------------------------|-------------------------------------------------|
/// | `elbv2.k8s.aws/cluster`          | `--cluster-name`                                |
/// | `gateway.k8s.aws.alb/stack`      | `<gateway namespace>/<gateway name>` (ALB)      |
/// | `gateway.k8s.aws.nlb/stack`      | `<gateway namespace>/<gateway name>` (NLB)      |
/// | `gateway.k8s.aws.{alb,nlb}/resource` | the resource id within the stack            |
pub mod tags {
    pub const CLUSTER: &str = "elbv2.k8s.aws/cluster";
    pub const ALB_STACK: &str = "gateway.k8s.aws.alb/stack";
    pub const NLB_STACK: &str = "gateway.k8s.aws.nlb/stack";
    pub const ALB_RESOURCE: &str = "gateway.k8s.aws.alb/resource";
    pub const NLB_RESOURCE: &str = "gateway.k8s.aws.nlb/resource";
}

/// Group of the CRDs gantry shares with the AWS Load Balancer Controller's Gateway support.
pub const GATEWAY_AWS_GROUP: &str = "gateway.k8s.aws";
/// Group of TargetGroupBinding.
pub const ELBV2_GROUP: &str = "elbv2.k8s.aws";
