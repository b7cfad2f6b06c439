//! The public entry point: apply a stack, delete a Gateway's resources, count the calls.

use crate::client::{CallCounter, Clients, RateLimit, load_config};
use crate::diff::rule::PriorityMode;
use crate::discover;
use crate::error::Result;
use crate::heap_step::heap_step;
use crate::ownership::{self, Owner};
use crate::report::Report;
use crate::run::Run;
use crate::settings::DeploySettings;
use crate::sync;
use aws_config::SdkConfig;
use gantry_model::{ArnRef, LoadBalancerType, Stack, TargetType};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};

/// Everything tagged for the cluster, by kind (ARNs or ids).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inventory {
    pub load_balancers: Vec<String>,
    pub target_groups: Vec<String>,
    pub security_groups: Vec<String>,
}

impl Inventory {
    pub fn is_empty(&self) -> bool {
        self.load_balancers.is_empty()
            && self.target_groups.is_empty()
            && self.security_groups.is_empty()
    }
}

pub struct Deployer {
    clients: Clients,
    settings: DeploySettings,
    strict_priorities: AtomicBool,
}

impl Deployer {
    /// Service clients from `config` (see [`crate::client::load_config`]), behind the rate
    /// limit of `settings.client`.
    pub fn new(config: &SdkConfig, settings: DeploySettings) -> Self {
        let limit = RateLimit::new(settings.client.requests_per_second, settings.client.burst);
        Deployer {
            clients: Clients::new(config, &limit),
            strict_priorities: AtomicBool::new(
                settings.priority_mode == Some(PriorityMode::Strict),
            ),
            settings,
        }
    }

    /// Loads the AWS configuration from the standard chain and the environment.
    pub async fn from_env(settings: DeploySettings) -> Self {
        let config = load_config(&settings.client).await;
        Self::new(&config, settings)
    }

    pub fn settings(&self) -> &DeploySettings {
        &self.settings
    }

    /// For the deployer's other entry points (target registration).
    pub(crate) fn clients(&self) -> &Clients {
        &self.clients
    }

    /// Makes AWS match `stack`: creates, modifies and deletes what the stack's ownership tags
    /// cover, and nothing else.
    pub async fn apply(&self, stack: &Stack) -> Result<Report> {
        let owner = Owner::new(
            &self.settings.cluster_name,
            &stack.gateway,
            stack.load_balancer.kind,
        );
        // Boxed: the run's state machine is large (every sync step inline) and would otherwise
        // sit on the caller's stack, which overflowed 2 MiB test threads in debug builds.
        Box::pin(self.run(owner, Some(stack))).await
    }

    /// Applies several stacks, each after the stacks it depends on (a chained NLB after its
    /// ALB). A stack whose dependency failed is not attempted.
    pub async fn apply_all(&self, stacks: &[Stack]) -> Vec<(String, Result<Report>)> {
        let mut out = Vec::new();
        let mut failed: BTreeSet<String> = BTreeSet::new();
        for stack in dependency_order(stacks) {
            let deps = dependencies(stack);
            if let Some(d) = deps.iter().find(|d| failed.contains(*d)) {
                failed.insert(stack.gateway.clone());
                out.push((
                    stack.gateway.clone(),
                    Err(crate::Error::DependencyNotReady {
                        gateway: stack.gateway.clone(),
                        dependency: d.clone(),
                    }),
                ));
                continue;
            }
            let result = self.apply(stack).await;
            if result.is_err() {
                failed.insert(stack.gateway.clone());
            }
            out.push((stack.gateway.clone(), result));
        }
        out
    }

    /// Deletes the resources of several stacks, dependents first (a chained NLB before its
    /// ALB).
    pub async fn delete_all(&self, stacks: &[Stack]) -> Vec<(String, Result<Report>)> {
        let mut out = Vec::new();
        for stack in dependency_order(stacks).into_iter().rev() {
            let result = self.delete(&stack.gateway, stack.load_balancer.kind).await;
            out.push((stack.gateway.clone(), result));
        }
        out
    }

    /// Deletes everything gantry owns for the Gateway `gateway` (`namespace/name`).
    pub async fn delete(&self, gateway: &str, kind: LoadBalancerType) -> Result<Report> {
        let owner = Owner::new(&self.settings.cluster_name, gateway, kind);
        Box::pin(self.run(owner, None)).await
    }

    /// Every AWS call made so far, by `(service, operation)`.
    pub fn call_counts(&self) -> BTreeMap<(String, String), u64> {
        self.clients.calls.counts()
    }

    /// The time AWS calls have waited for the client-side rate limit so far, summed over calls.
    pub fn rate_limit_waited(&self) -> std::time::Duration {
        self.clients.rate_limit.waited()
    }

    pub fn calls(&self) -> &CallCounter {
        &self.clients.calls
    }

    /// Load balancers, target groups and security groups tagged for this cluster.
    pub async fn inventory(&self) -> Result<Inventory> {
        let cluster = &self.settings.cluster_name;
        let mine = |t: &gantry_model::Tags| ownership::owned_by_cluster(t, cluster);
        let vpc = self.settings.vpc_id.as_deref();
        let lbs = discover::load_balancer::list(&self.clients, vpc, mine).await?;
        let tgs = discover::target_group::list(&self.clients, vpc, mine).await?;
        let mut filters = vec![discover::security_group::filter(
            &format!("tag:{}", ownership::CLUSTER),
            &[cluster],
        )];
        if let Some(v) = vpc {
            filters.push(discover::security_group::filter("vpc-id", &[v]));
        }
        let sgs = discover::security_group::list(&self.clients, filters).await?;
        Ok(Inventory {
            load_balancers: lbs.into_iter().map(|l| l.arn).collect(),
            target_groups: tgs.into_iter().map(|t| t.arn).collect(),
            security_groups: sgs.into_iter().map(|s| s.id).collect(),
        })
    }

    /// A run outside any stack, for `user` (a Gateway, or what names it in errors): ACM
    /// certificate imports for listeners gantry does not create itself. The load balancer
    /// kind of its owner is never read there.
    pub(crate) fn bare_run(&self, user: &str) -> Run<'_> {
        let owner = Owner::new(
            &self.settings.cluster_name,
            user,
            LoadBalancerType::Application,
        );
        Run::new(
            &self.clients,
            &self.settings,
            owner,
            &self.strict_priorities,
        )
    }

    async fn run(&self, owner: Owner, stack: Option<&Stack>) -> Result<Report> {
        let before = self.clients.calls.mutating();
        let mut run = Run::new(
            &self.clients,
            &self.settings,
            owner,
            &self.strict_priorities,
        );
        let result = heap_step(|| sync::apply(&mut run, stack)).await;
        if result.is_err() {
            // The retry reads the target groups afresh: the failure may come from a listing
            // that no longer holds (a target group changed by someone else).
            self.clients.remembered_target_groups.forget();
        }
        let mut report = run.into_report();
        report.mutating_calls = self.clients.calls.mutating() - before;
        result.map(|()| report)
    }

    /// Whether rule priorities are moved the strict way (after a refused atomic reorder).
    pub fn strict_priorities(&self) -> bool {
        self.strict_priorities.load(Ordering::Relaxed)
    }
}

/// Gateways (`ns/name`) a stack needs first: `depends_on`, and the ALBs its chained target
/// groups forward to.
fn dependencies(stack: &Stack) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = stack.depends_on.iter().cloned().collect();
    for tg in &stack.target_groups {
        if tg.target_type == TargetType::Alb
            && let Some(ArnRef::Planned(_)) = &tg.backend.load_balancer
        {
            out.insert(format!("{}/{}", tg.backend.namespace, tg.backend.name));
        }
    }
    out.remove(&stack.gateway);
    out
}

/// Stacks ordered so that each comes after its dependencies present in the list (stable
/// otherwise; a cycle is broken in input order).
fn dependency_order(stacks: &[Stack]) -> Vec<&Stack> {
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    let names: BTreeSet<&str> = stacks.iter().map(|s| s.gateway.as_str()).collect();
    while out.len() < stacks.len() {
        let ready = stacks.iter().find(|s| {
            !done.contains(s.gateway.as_str())
                && dependencies(s)
                    .iter()
                    .all(|d| done.contains(d.as_str()) || !names.contains(d.as_str()))
        });
        let next = ready.unwrap_or_else(|| {
            stacks
                .iter()
                .find(|s| !done.contains(s.gateway.as_str()))
                .expect("some stack is left")
        });
        done.insert(next.gateway.as_str());
        out.push(next);
    }
    out
}
