//! The LoadBalancerConfiguration and TargetGroupConfiguration that apply to a Gateway and its
//! backends, resolved and merged as the AWS Load Balancer Controller does.

pub mod load_balancer;
pub mod target_group;
