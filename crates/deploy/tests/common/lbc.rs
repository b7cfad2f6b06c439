//! Builds in moto what the AWS Load Balancer Controller (LBC, v3.x Gateway support) makes for
//! one ALB Gateway, with the same calls, names, tags and shapes — computed here from the LBC's
//! Go source, independently of gantry's translation, so that an adoption test compares gantry
//! against the LBC and not against itself:
//!
//! - names: `k8s-<ns:8>-<name:8>-<sha256 hex:10>` with the LBC's hash inputs
//!   (`pkg/gateway/model/model_build_loadbalancer.go` `buildLoadBalancerName`,
//!   `model_build_security_group.go` `buildManagedSecurityGroupName`,
//!   `model_build_target_group.go` `buildTargetGroupName`), and the shared backend group
//!   `k8s-traffic-<cluster>-<hash>` (`pkg/networking/backend_sg_provider.go`);
//! - tags: `elbv2.k8s.aws/cluster`, `gateway.k8s.aws.alb/stack` = `<ns>/<name>`,
//!   `gateway.k8s.aws.alb/resource` = the resource id (`pkg/deploy/tracking/provider.go`):
//!   `LoadBalancer`, `ManagedLBSecurityGroup`, the listener port, `<port>:<priority>` for
//!   rules, `<gwns>/<gw>:<routens>-<route>:<kind>-<svcns>-<svc>:<targetPort>` for target
//!   groups (`buildTargetGroupResourceID`); listeners and rules tagged too (feature gate
//!   `ListenerRulesTagging`, on by default);
//! - shapes: listener default action fixed-response 404 `text/plain` without body; rules with
//!   priorities 1…N, a `path-pattern` condition (`/p`, `/p/*` for PathPrefix `/p`; `/*` for
//!   `/`) and a `ForwardConfig` of weighted target groups without stickiness; target groups
//!   with the LBC's health check defaults (HTTP, `traffic-port`, `/`, 15 s, 5 s, 3, 3,
//!   `200-399`), HTTP/HTTP1, instance targets on the nodePort (`--default-target-type`
//!   instance); the managed group allowing the listener port from `0.0.0.0/0` (IPv4 load
//!   balancer: `::/0` is skipped), described as the LBC describes it.

use super::{Fixture, created_arn};
use aws_sdk_ec2::types::{IpPermission, IpRange, ResourceType, Tag as Ec2Tag, TagSpecification};
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, FixedResponseActionConfig, ForwardActionConfig, LoadBalancerSchemeEnum,
    LoadBalancerTypeEnum, Matcher, PathPatternConditionConfig, ProtocolEnum, RuleCondition, Tag,
    TargetGroupTuple, TargetTypeEnum,
};
use sha2::{Digest, Sha256};

const STACK_KEY: &str = "gateway.k8s.aws.alb/stack";
const RESOURCE_KEY: &str = "gateway.k8s.aws.alb/resource";

/// The LBC's `k8s-%.8s-%.8s-%.10s` over `[[:^alnum:]]`-stripped namespace and name.
fn k8s_name(namespace: &str, name: &str, hash_parts: &[&str]) -> String {
    let strip = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect()
    };
    let mut h = Sha256::new();
    for p in hash_parts {
        h.update(p.as_bytes());
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("k8s-{}-{}-{}", strip(namespace), strip(name), &hex[..10])
}

/// The Gateway, as the LBC reads it.
pub struct Gateway<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
    pub uid: &'a str,
}

/// One Service backendRef of an HTTPRoute, reached through instance targets.
pub struct Backend<'a> {
    pub route_namespace: &'a str,
    pub route_name: &'a str,
    pub service: &'a str,
    /// The Service port's targetPort (the LBC's identifier port).
    pub target_port: i32,
    pub node_port: i32,
}

/// One listener rule: PathPrefix values and the backends (index, weight) it forwards to.
pub struct Rule<'a> {
    pub path_prefix: &'a str,
    pub forward: Vec<(usize, i32)>,
}

/// What was built: ARNs and ids, for assertions.
pub struct Built {
    pub load_balancer: String,
    pub listener: String,
    /// By priority (1…N).
    pub rules: Vec<String>,
    pub target_groups: Vec<String>,
    pub target_group_names: Vec<String>,
    pub managed_security_group: String,
    pub backend_security_group: String,
}

impl Gateway<'_> {
    fn stack(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    pub fn load_balancer_name(&self, cluster: &str) -> String {
        k8s_name(self.namespace, self.name, &[cluster, self.uid, "internal"])
    }

    fn security_group_name(&self, cluster: &str) -> String {
        k8s_name(
            self.namespace,
            self.name,
            &[cluster, self.name, self.namespace, self.uid],
        )
    }

    fn target_group_name(&self, cluster: &str, b: &Backend<'_>) -> String {
        // Instance targets hash the nodePort; protocol HTTP, version HTTP1 (HTTP listener).
        k8s_name(
            b.route_namespace,
            b.route_name,
            &[
                cluster,
                self.namespace,
                self.name,
                b.route_namespace,
                b.route_name,
                "HTTPRoute",
                b.route_namespace,
                b.service,
                &b.node_port.to_string(),
                "instance",
                "HTTP",
                "HTTP1",
            ],
        )
    }

    fn target_group_id(&self, b: &Backend<'_>) -> String {
        format!(
            "{}/{}:{}-{}:HTTPRoute-{}-{}:{}",
            self.namespace,
            self.name,
            b.route_namespace,
            b.route_name,
            b.route_namespace,
            b.service,
            b.target_port
        )
    }

    fn tags(&self, cluster: &str, resource: &str) -> Vec<Tag> {
        [
            ("elbv2.k8s.aws/cluster", cluster),
            (STACK_KEY, self.stack().as_str()),
            (RESOURCE_KEY, resource),
        ]
        .iter()
        .map(|(k, v)| Tag::builder().key(*k).value(*v).build())
        .collect()
    }
}

fn ec2_tags(pairs: &[(&str, &str)]) -> TagSpecification {
    let mut spec = TagSpecification::builder().resource_type(ResourceType::SecurityGroup);
    for (k, v) in pairs {
        spec = spec.tags(Ec2Tag::builder().key(*k).value(*v).build());
    }
    spec.build()
}

/// `k8s-traffic-<cluster>-<hash>`: the cluster's shared backend security group.
fn backend_security_group_name(cluster: &str) -> String {
    let sanitized: String = cluster
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let hex: String = Sha256::digest(cluster.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("k8s-traffic-{sanitized}-{}", &hex[..10])
}

/// The LBC's stack for `gw` in `cluster` (the LBC's `--cluster-name`): an internal ALB in the
/// fixture's subnets with an HTTP listener on `port`, one rule per entry of `rules` (priority =
/// position + 1), a target group per backend. The shared backend group is created when the
/// cluster has none in the VPC yet.
pub async fn build_alb(
    fx: &Fixture,
    cluster: &str,
    gw: &Gateway<'_>,
    port: i32,
    backends: &[Backend<'_>],
    rules: &[Rule<'_>],
) -> Built {
    let backend_sg = match existing_backend_sg(fx, cluster).await {
        Some(id) => id,
        None => create_backend_sg(fx, cluster).await,
    };
    let managed_sg = fx
        .ec2
        .create_security_group()
        .group_name(gw.security_group_name(cluster))
        .description("[k8s] Managed SecurityGroup for LoadBalancer")
        .vpc_id(&fx.vpc)
        .tag_specifications(ec2_tags(&[
            ("elbv2.k8s.aws/cluster", cluster),
            (STACK_KEY, gw.stack().as_str()),
            (RESOURCE_KEY, "ManagedLBSecurityGroup"),
        ]))
        .send()
        .await
        .expect("create managed security group")
        .group_id
        .expect("managed group id");
    fx.ec2
        .authorize_security_group_ingress()
        .group_id(&managed_sg)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(port)
                .to_port(port)
                .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                .build(),
        )
        .send()
        .await
        .expect("authorize listener port");

    let mut target_groups = Vec::new();
    let mut target_group_names = Vec::new();
    for b in backends {
        let name = gw.target_group_name(cluster, b);
        let created = fx
            .elbv2
            .create_target_group()
            .name(&name)
            .target_type(TargetTypeEnum::Instance)
            .port(b.node_port)
            .protocol(ProtocolEnum::Http)
            .protocol_version("HTTP1")
            .ip_address_type("ipv4".into())
            .vpc_id(&fx.vpc)
            .health_check_enabled(true)
            .health_check_port("traffic-port")
            .health_check_protocol(ProtocolEnum::Http)
            .health_check_path("/")
            .matcher(Matcher::builder().http_code("200-399").build())
            .health_check_interval_seconds(15)
            .health_check_timeout_seconds(5)
            .healthy_threshold_count(3)
            .unhealthy_threshold_count(3)
            .set_tags(Some(gw.tags(cluster, &gw.target_group_id(b))))
            .send()
            .await
            .expect("create target group");
        let tg = created_arn(
            created.target_groups,
            |c| c.target_group_arn,
            "target group",
        );
        target_groups.push(tg);
        target_group_names.push(name);
    }

    let created = fx
        .elbv2
        .create_load_balancer()
        .name(gw.load_balancer_name(cluster))
        .r#type(LoadBalancerTypeEnum::Application)
        .scheme(LoadBalancerSchemeEnum::Internal)
        .ip_address_type("ipv4".into())
        .set_subnets(Some(fx.subnets.clone()))
        .security_groups(&managed_sg)
        .security_groups(&backend_sg)
        .set_tags(Some(gw.tags(cluster, "LoadBalancer")))
        .send()
        .await
        .expect("create load balancer");
    let lb = created_arn(
        created.load_balancers,
        |c| c.load_balancer_arn,
        "load balancer",
    );

    let not_found = Action::builder()
        .r#type(ActionTypeEnum::FixedResponse)
        .fixed_response_config(
            FixedResponseActionConfig::builder()
                .status_code("404")
                .content_type("text/plain")
                .build(),
        )
        .build();
    let created = fx
        .elbv2
        .create_listener()
        .load_balancer_arn(&lb)
        .port(port)
        .protocol(ProtocolEnum::Http)
        .default_actions(not_found)
        .set_tags(Some(gw.tags(cluster, &port.to_string())))
        .send()
        .await
        .expect("create listener");
    let listener = created_arn(created.listeners, |c| c.listener_arn, "listener");

    let mut rule_arns = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        let priority = i as i32 + 1;
        let rule = create_rule(
            fx,
            cluster,
            gw,
            &listener,
            port,
            priority,
            r,
            &target_groups,
        )
        .await;
        rule_arns.push(rule);
    }
    Built {
        load_balancer: lb,
        listener,
        rules: rule_arns,
        target_groups,
        target_group_names,
        managed_security_group: managed_sg,
        backend_security_group: backend_sg,
    }
}

/// The LBC finds the shared group by name in the VPC (`getBackendSGFromEC2`).
async fn existing_backend_sg(fx: &Fixture, cluster: &str) -> Option<String> {
    let name = backend_security_group_name(cluster);
    let named = fx.security_groups("group-name", &name).await;
    named.into_iter().find_map(|g| g.group_id)
}

async fn create_backend_sg(fx: &Fixture, cluster: &str) -> String {
    fx.ec2
        .create_security_group()
        .group_name(backend_security_group_name(cluster))
        .description("[k8s] Shared Backend SecurityGroup for LoadBalancer")
        .vpc_id(&fx.vpc)
        .tag_specifications(ec2_tags(&[
            ("elbv2.k8s.aws/cluster", cluster),
            ("elbv2.k8s.aws/resource", "backend-sg"),
        ]))
        .send()
        .await
        .expect("create backend security group")
        .group_id
        .expect("backend group id")
}

/// The LBC's `path-pattern` values of a PathPrefix match.
pub fn path_values(prefix: &str) -> Vec<String> {
    let p = prefix.trim_end_matches('/');
    if p.is_empty() {
        vec!["/*".to_string()]
    } else {
        vec![p.to_string(), format!("{p}/*")]
    }
}

#[allow(clippy::too_many_arguments)]
async fn create_rule(
    fx: &Fixture,
    cluster: &str,
    gw: &Gateway<'_>,
    listener: &str,
    port: i32,
    priority: i32,
    r: &Rule<'_>,
    target_groups: &[String],
) -> String {
    let condition = RuleCondition::builder()
        .field("path-pattern")
        .path_pattern_config(
            PathPatternConditionConfig::builder()
                .set_values(Some(path_values(r.path_prefix)))
                .build(),
        )
        .build();
    let mut forward = ForwardActionConfig::builder();
    for (i, w) in &r.forward {
        forward = forward.target_groups(
            TargetGroupTuple::builder()
                .target_group_arn(&target_groups[*i])
                .weight(*w)
                .build(),
        );
    }
    let action = Action::builder()
        .r#type(ActionTypeEnum::Forward)
        .forward_config(forward.build())
        .build();
    let created = fx
        .elbv2
        .create_rule()
        .listener_arn(listener)
        .priority(priority)
        .conditions(condition)
        .actions(action)
        .set_tags(Some(gw.tags(cluster, &format!("{port}:{priority}"))))
        .send()
        .await
        .expect("create rule");
    created_arn(created.rules, |c| c.rule_arn, "rule")
}
