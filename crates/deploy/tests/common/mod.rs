//! Test fixtures against the moto server: a VPC with role-tagged subnets per test, builders of
//! small stacks, and readers of what AWS holds.
#![allow(dead_code)]

pub mod fault;
pub mod lbc;

use aws_config::SdkConfig;
use aws_sdk_ec2::types::Filter;
use gantry_deploy::client::{ClientSettings, https_client, retry_config};
use gantry_deploy::{DeploySettings, Deployer, PriorityMode};
use gantry_model::*;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub const CLUSTER_TAG: &str = "elbv2.k8s.aws/cluster";

#[allow(unused_imports)] // not every test binary uses it
pub use gantry_testkit::moto::{endpoint, region};

pub fn fast_client() -> ClientSettings {
    ClientSettings {
        max_attempts: 5,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(50),
        requests_per_second: 0.0,
        burst: 1,
        region: None,
    }
}

pub async fn sdk_config(
    endpoint: &str,
    http: aws_smithy_runtime_api::client::http::SharedHttpClient,
) -> SdkConfig {
    gantry_testkit::moto::sdk_config(endpoint, &region(), http)
        .await
        .to_builder()
        .retry_config(retry_config(&fast_client()))
        .build()
}

/// The rules of the listener `listener_arn` but its default one, by priority.
pub async fn listener_rules(
    elbv2: &aws_sdk_elasticloadbalancingv2::Client,
    listener_arn: &str,
) -> Vec<aws_sdk_elasticloadbalancingv2::types::Rule> {
    let mut rules = elbv2
        .describe_rules()
        .listener_arn(listener_arn)
        .send()
        .await
        .expect("describe rules")
        .rules
        .unwrap_or_default();
    rules.retain(|r| r.is_default != Some(true));
    rules.sort_by_key(|r| r.priority.as_deref().and_then(|p| p.parse::<u32>().ok()));
    rules
}

/// Deletes the stacks `stacks` with `d`; panics naming the Gateway of one that fails.
pub async fn delete_stacks(d: &Deployer, stacks: &[Stack]) {
    for (gateway, r) in d.delete_all(stacks).await {
        r.unwrap_or_else(|e| panic!("delete {gateway}: {e}"));
    }
}

/// One test's world: its own cluster name and VPC with three subnets tagged for both schemes.
pub struct Fixture {
    pub cluster: String,
    pub vpc: String,
    pub subnets: Vec<String>,
    pub config: SdkConfig,
    pub ec2: aws_sdk_ec2::Client,
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
}

static NEXT_CLUSTER: AtomicU32 = AtomicU32::new(0);

/// The ARN of the one resource a Create call answers with (`arn_of` reads it from what
/// `answer` lists); panics naming `what` without one.
pub fn created_arn<T>(
    answer: Option<Vec<T>>,
    arn_of: impl FnOnce(T) -> Option<String>,
    what: &str,
) -> String {
    let first = answer.and_then(|all| all.into_iter().next());
    first
        .and_then(arn_of)
        .unwrap_or_else(|| panic!("{what} ARN"))
}

impl Fixture {
    /// The fixture of the test `test` (its cluster named after `name`); the test fails
    /// without the emulator (see [`endpoint`]).
    pub async fn start(test: &str, name: &str) -> Fixture {
        Fixture::new(&endpoint(test), name).await
    }

    pub async fn new(endpoint: &str, name: &str) -> Fixture {
        let config = sdk_config(endpoint, https_client()).await;
        let ec2 = aws_sdk_ec2::Client::new(&config);
        let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&config);
        let cluster = format!(
            "{name}-{}-{}",
            std::process::id() % 1000,
            NEXT_CLUSTER.fetch_add(1, Ordering::Relaxed)
        );
        let vpc = gantry_testkit::moto::vpc(&config, &cluster, &["a", "b", "c"]).await;
        let (vpc, subnets) = (vpc.id, vpc.subnets);
        Fixture {
            cluster,
            vpc,
            subnets,
            config,
            ec2,
            elbv2,
        }
    }

    pub fn settings(&self) -> DeploySettings {
        DeploySettings {
            vpc_id: Some(self.vpc.clone()),
            client: fast_client(),
            priority_mode: Some(PriorityMode::Strict),
            ..DeploySettings::new(&self.cluster)
        }
    }

    /// [`web_stack`] of the Gateway `gateway` for this cluster, its load balancer named
    /// `k8s-<cluster>`.
    pub fn web_stack(&self, gateway: &str) -> Stack {
        web_stack(&self.cluster, gateway, &format!("k8s-{}", self.cluster))
    }

    pub fn deployer(&self) -> Deployer {
        Deployer::new(&self.config, self.settings())
    }

    /// Resources tagged for this cluster (LBs, TGs, SGs).
    pub async fn tagged(&self) -> gantry_deploy::Inventory {
        self.deployer().inventory().await.expect("inventory")
    }

    /// Rules of the listener on `port` of the load balancer named `lb`, as
    /// `(priority, conditions, target group ARNs with weights)`, by priority.
    pub async fn rules(
        &self,
        listener_arn: &str,
    ) -> Vec<aws_sdk_elasticloadbalancingv2::types::Rule> {
        listener_rules(&self.elbv2, listener_arn).await
    }

    /// The targets the target group `arn` holds, sorted.
    pub async fn held_targets(&self, arn: &str) -> Vec<Target> {
        let mut out: Vec<Target> = gantry_testkit::elb::target_health(&self.elbv2, arn)
            .await
            .into_iter()
            .filter_map(|d| {
                let t = d.target?;
                Some(Target {
                    id: t.id?,
                    port: t.port?,
                })
            })
            .collect();
        out.sort();
        out
    }

    /// The listeners of the load balancer `lb_arn`.
    pub async fn listeners(
        &self,
        lb_arn: &str,
    ) -> Vec<aws_sdk_elasticloadbalancingv2::types::Listener> {
        gantry_testkit::elb::listeners(&self.elbv2, lb_arn).await
    }

    pub async fn listener_arn(&self, lb_arn: &str, port: i32) -> String {
        let on_port = gantry_testkit::elb::listener_on(&self.elbv2, lb_arn, port).await;
        on_port.listener_arn.expect("listener ARN")
    }

    /// The certificate ARNs on the listener `arn`, sorted.
    pub async fn listener_certificates(&self, arn: &str) -> Vec<String> {
        gantry_testkit::elb::listener_certificate_arns(&self.elbv2, arn).await
    }

    /// The security groups of the test's VPC whose `filter` (an EC2 filter name, e.g.
    /// `group-name`) is `value`.
    pub async fn security_groups(
        &self,
        filter: &str,
        value: &str,
    ) -> Vec<aws_sdk_ec2::types::SecurityGroup> {
        let filter = Filter::builder().name(filter).values(value).build();
        let in_vpc = Filter::builder().name("vpc-id").values(&self.vpc).build();
        let request = self
            .ec2
            .describe_security_groups()
            .filters(filter)
            .filters(in_vpc);
        let described = request.send().await.expect("describe security groups");
        described.security_groups.unwrap_or_default()
    }

    pub async fn security_groups_named(&self, name: &str) -> usize {
        self.security_groups("group-name", name).await.len()
    }

    /// Whether the target group `arn` exists.
    pub async fn target_group_exists(&self, arn: &str) -> bool {
        let request = self.elbv2.describe_target_groups().target_group_arns(arn);
        let described = request.send().await;
        described.is_ok_and(|d| d.target_groups.unwrap_or_default().len() == 1)
    }

    /// The tags of the ELB resource `arn`, sorted.
    pub async fn tags_of(&self, arn: &str) -> Vec<(String, String)> {
        let tags = gantry_testkit::elb::tags(&self.elbv2, arn).await;
        let mut out: Vec<(String, String)> = tags
            .into_iter()
            .map(|t| (t.key.unwrap_or_default(), t.value.unwrap_or_default()))
            .collect();
        out.sort();
        out
    }
}

pub fn tags(cluster: &str, gateway: &str, kind: LoadBalancerType, resource: &str) -> Tags {
    let (stack, res) = match kind {
        LoadBalancerType::Application => {
            ("gateway.k8s.aws.alb/stack", "gateway.k8s.aws.alb/resource")
        }
        LoadBalancerType::Network => ("gateway.k8s.aws.nlb/stack", "gateway.k8s.aws.nlb/resource"),
    };
    let mut t = Tags::default();
    t.insert(CLUSTER_TAG, cluster);
    t.insert(stack, gateway);
    t.insert(res, resource);
    t
}

/// The default action of the listeners of these tests: a fixed 404.
pub fn not_found() -> Action {
    Action::fixed_response(404, "text/plain", None)
}

/// A listener of the `kind` load balancer of `gateway` on `port` with one default action; no
/// certificates, attributes nor rules; tagged as gantry tags it.
pub fn listener(
    cluster: &str,
    gateway: &str,
    kind: LoadBalancerType,
    port: i32,
    protocol: Protocol,
    default_action: Action,
) -> Listener {
    Listener {
        id: port.to_string(),
        port,
        protocol,
        default_actions: vec![default_action],
        certificates: vec![],
        certificate_hostnames: vec![],
        certificate_secrets: vec![],
        ssl_policy: None,
        alpn_policy: None,
        mutual_authentication: None,
        attributes: vec![],
        tags: tags(cluster, gateway, kind, &port.to_string()),
        rules: vec![],
    }
}

/// A small ALB stack: managed SG, HTTP listener on 80 with a 404 default, no rules yet.
pub fn alb(cluster: &str, gateway: &str, name: &str) -> Stack {
    let kind = LoadBalancerType::Application;
    let sg_id = format!("{gateway}/ManagedLBSecurityGroup");
    Stack {
        gateway: gateway.into(),
        load_balancer: LoadBalancer {
            id: "LoadBalancer".into(),
            name: name.into(),
            kind,
            scheme: Scheme::Internal,
            ip_address_type: IpAddressType::Ipv4,
            subnets: SubnetSelection::Discover,
            security_groups: vec![SecurityGroupRef::Managed(ArnRef::Planned(sg_id))],
            attributes: vec![],
            customer_owned_ipv4_pool: None,
            ipv4_ipam_pool_id: None,
            enforce_security_group_inbound_rules_on_private_link_traffic: None,
            minimum_capacity_units: None,
            addons: Addons::default(),
            tags: tags(cluster, gateway, kind, "LoadBalancer"),
        },
        security_group: Some(ManagedSecurityGroup {
            id: "ManagedLBSecurityGroup".into(),
            group_name: format!("{name}-sg"),
            description: "[k8s] Managed SecurityGroup for LoadBalancer".into(),
            ingress: vec![IngressRule {
                ip_protocol: "tcp".into(),
                from_port: 80,
                to_port: 80,
                source: IngressSource::CidrIpv4("0.0.0.0/0".into()),
            }],
            tags: tags(cluster, gateway, kind, "ManagedLBSecurityGroup"),
        }),
        listeners: vec![listener(
            cluster,
            gateway,
            kind,
            80,
            Protocol::Http,
            not_found(),
        )],
        target_groups: vec![],
        depends_on: vec![],
    }
}

pub fn target_group(cluster: &str, stack: &Stack, suffix: &str, port: i32) -> TargetGroup {
    let kind = stack.load_balancer.kind;
    let id = format!("{}:{suffix}:{port}", stack.gateway);
    let name = format!("{}-{suffix}", stack.load_balancer.name)
        .chars()
        .take(32)
        .collect();
    TargetGroup {
        tags: tags(cluster, &stack.gateway, kind, &id),
        id,
        name,
        protocol: if kind == LoadBalancerType::Application {
            Protocol::Http
        } else {
            Protocol::Tcp
        },
        protocol_version: (kind == LoadBalancerType::Application).then_some(ProtocolVersion::Http1),
        port,
        target_type: TargetType::Ip,
        ip_address_type: TargetIpAddressType::Ipv4,
        health_check: HealthCheck::defaults(Protocol::Http, false),
        target_control_port: None,
        attributes: vec![],
        backend: Backend {
            kind: "Service".into(),
            namespace: "default".into(),
            name: suffix.into(),
            port,
            load_balancer: None,
        },
        node_selector: None,
    }
}

pub fn forward(weights: &[(&str, i32)]) -> Action {
    Action::forward(ForwardConfig {
        target_groups: weights
            .iter()
            .map(|(id, w)| TargetGroupTuple {
                target_group_arn: ArnRef::Planned(id.to_string()),
                weight: Some(*w),
            })
            .collect(),
        target_group_stickiness_config: None,
    })
}

pub fn rule(
    cluster: &str,
    stack: &Stack,
    priority: u32,
    host: Option<&str>,
    path: &str,
    action: Action,
) -> Rule {
    let mut conditions = vec![RuleCondition::path_pattern(vec![path.into()])];
    if let Some(h) = host {
        conditions.push(RuleCondition::host_header(vec![h.into()]));
    }
    Rule {
        priority,
        conditions,
        actions: vec![action],
        transforms: vec![],
        tags: tags(
            cluster,
            &stack.gateway,
            stack.load_balancer.kind,
            &format!("80:{priority}"),
        ),
        source: RuleSource {
            route: "HTTPRoute default/r".into(),
            rule: priority as usize,
            r#match: None,
        },
    }
}

/// An ALB with two target groups and three rules.
pub fn web_stack(cluster: &str, gateway: &str, name: &str) -> Stack {
    let mut s = alb(cluster, gateway, name);
    let web = target_group(cluster, &s, "web", 8080);
    let api = target_group(cluster, &s, "api", 9090);
    let (w, a) = (web.id.clone(), api.id.clone());
    s.target_groups = vec![web, api];
    let rules = vec![
        rule(
            cluster,
            &s,
            1,
            Some("api.example.com"),
            "/v1/*",
            forward(&[(&a, 1)]),
        ),
        rule(cluster, &s, 2, None, "/static/*", forward(&[(&w, 1)])),
        rule(cluster, &s, 3, None, "/*", forward(&[(&w, 80), (&a, 20)])),
    ];
    s.listeners[0].rules = rules;
    s
}
