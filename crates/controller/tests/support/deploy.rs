//! A fake AWS: remembers the last stack applied per Gateway and the targets of every target
//! group, counts register/deregister calls, and fails on demand.

use futures::future::BoxFuture;
use gantry_controller::Deploy;
use gantry_deploy::targets::TARGETS_PER_CALL;
use gantry_deploy::{
    Address, Change, ChangeKind, Error, ErrorClass, Operation, Report, ResourceKind,
};
use gantry_deploy::{BackendRule, TargetChanges};
use gantry_model::{LoadBalancerType, Stack, Target, TargetHealth};
use gantry_targets::Deployed;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use tokio::time::Instant;

#[derive(Default)]
pub struct FakeDeploy {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    stacks: BTreeMap<String, Stack>,
    /// Applies still to fail (an AWS outage), and the class of their error.
    failing: u32,
    failing_class: Option<ErrorClass>,
    /// (gateway, when, succeeded) of every apply.
    applies: Vec<(String, Instant, bool)>,
    deletes: Vec<String>,
    /// `apply <gateway>` / `delete <gateway>`, in order.
    ops: Vec<String>,
    /// Registered targets by target group ARN.
    targets: BTreeMap<String, BTreeSet<Target>>,
    /// (arn, register calls, deregister calls) of every sync.
    syncs: Vec<(String, u64, u64)>,
    /// gantry's rules on the worker security groups.
    worker_rules: Vec<BackendRule>,
    /// Health state of registered targets by id; `initial` when not set.
    health: BTreeMap<String, String>,
    /// Target groups that can be found by name.
    named: BTreeSet<String>,
    /// ACM's ISSUED certificates (ARN, names), and how often they were read.
    certificates: Vec<(String, Vec<String>)>,
    certificate_reads: usize,
    /// Certificates imported from Secrets: Secret → (fingerprint, ARN).
    imported: BTreeMap<String, (String, String)>,
}

impl FakeDeploy {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An ISSUED ACM certificate covering `names`.
    pub fn add_certificate(&self, arn: &str, names: &[&str]) {
        let names = names.iter().map(|n| n.to_string()).collect();
        self.lock().certificates.push((arn.to_string(), names));
    }

    /// The certificates imported from Secrets: Secret → (fingerprint, ARN).
    pub fn imported(&self) -> BTreeMap<String, (String, String)> {
        self.lock().imported.clone()
    }

    /// How often ACM's certificates were read.
    pub fn certificate_reads(&self) -> usize {
        self.lock().certificate_reads
    }

    pub fn stack(&self, gateway: &str) -> Option<Stack> {
        self.lock().stacks.get(gateway).cloned()
    }

    pub fn fail_next(&self, n: u32) {
        self.fail_next_as(n, ErrorClass::Transient);
    }

    /// The next `n` applies fail with an error of `class` (throttled, invalid, …).
    pub fn fail_next_as(&self, n: u32, class: ErrorClass) {
        let mut st = self.lock();
        st.failing = n;
        st.failing_class = Some(class);
    }

    pub fn applies(&self, gateway: &str) -> Vec<(Instant, bool)> {
        self.lock()
            .applies
            .iter()
            .filter(|(g, _, _)| g == gateway)
            .map(|(_, t, ok)| (*t, *ok))
            .collect()
    }

    pub fn apply_count(&self) -> usize {
        self.lock().applies.len()
    }

    pub fn ops(&self) -> Vec<String> {
        self.lock().ops.clone()
    }

    pub fn deletes(&self) -> Vec<String> {
        self.lock().deletes.clone()
    }

    /// The ARN the fake gives the target group named `name`.
    pub fn tg_arn(name: &str) -> String {
        format!(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/{name}/0123456789abcdef"
        )
    }

    /// Registered targets of a target group, as `id:port`, sorted.
    pub fn targets(&self, arn: &str) -> Vec<String> {
        self.lock()
            .targets
            .get(arn)
            .map(|t| t.iter().map(|t| format!("{}:{}", t.id, t.port)).collect())
            .unwrap_or_default()
    }

    /// gantry's worker rules as `protocol/port from group`.
    pub fn worker_rules(&self) -> Vec<String> {
        self.lock()
            .worker_rules
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// What the load balancer will report of target `id` from now on (`healthy`, …).
    pub fn set_health(&self, id: &str, state: &str) {
        self.lock().health.insert(id.to_string(), state.to_string());
    }

    /// Makes a target group named `name` (ARN [`Self::tg_arn`]) findable by name.
    pub fn add_named_target_group(&self, name: &str) {
        self.lock().named.insert(name.to_string());
    }

    /// (register, deregister) calls made so far for `arn`.
    pub fn target_calls(&self, arn: &str) -> (u64, u64) {
        self.lock()
            .syncs
            .iter()
            .filter(|(a, _, _)| a == arn)
            .fold((0, 0), |(r, d), (_, r2, d2)| (r + r2, d + d2))
    }

    pub fn arn(gateway: &str, kind: LoadBalancerType) -> String {
        let t = match kind {
            LoadBalancerType::Application => "app",
            LoadBalancerType::Network => "net",
        };
        let name = gateway.replace('/', "-");
        format!(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/{t}/{name}/0123456789abcdef"
        )
    }

    pub fn dns(gateway: &str) -> String {
        format!("{}.elb.us-east-1.amazonaws.com", gateway.replace('/', "-"))
    }
}

impl Deploy for FakeDeploy {
    fn apply<'a>(&'a self, stack: &'a Stack) -> BoxFuture<'a, gantry_deploy::Result<Report>> {
        Box::pin(async move {
            let mut st = self.lock();
            if st.failing > 0 {
                st.failing -= 1;
                st.applies
                    .push((stack.gateway.clone(), Instant::now(), false));
                let class = st.failing_class.unwrap_or(ErrorClass::Transient);
                let code = match class {
                    ErrorClass::Throttled => "Throttling",
                    ErrorClass::Invalid => "ValidationError",
                    _ => "ServiceUnavailable",
                };
                return Err(Error::Call {
                    op: Operation::CreateLoadBalancer,
                    resource: stack.gateway.clone(),
                    class,
                    code: Some(code.into()),
                    message: format!("{code}: injected"),
                    source: Box::new(std::io::Error::other("outage")),
                });
            }
            // Target groups named by TargetGroupName backendRefs are looked up as AWS would.
            let missing: BTreeSet<String> = stack
                .listeners
                .iter()
                .flat_map(|l| {
                    l.default_actions
                        .iter()
                        .chain(l.rules.iter().flat_map(|r| &r.actions))
                })
                .flat_map(|a| a.target_groups())
                .filter_map(|r| match r {
                    gantry_model::ArnRef::TargetGroupName(n) if !st.named.contains(n) => {
                        Some(n.clone())
                    }
                    _ => None,
                })
                .collect();
            if !missing.is_empty() {
                st.applies
                    .push((stack.gateway.clone(), Instant::now(), false));
                return Err(Error::TargetGroupNameNotFound {
                    gateway: stack.gateway.clone(),
                    names: missing.into_iter().collect(),
                });
            }
            st.applies
                .push((stack.gateway.clone(), Instant::now(), true));
            st.ops.push(format!("apply {}", stack.gateway));
            let changed = st.stacks.get(&stack.gateway) != Some(stack);
            st.stacks.insert(stack.gateway.clone(), stack.clone());
            Ok(Report {
                gateway: stack.gateway.clone(),
                changes: if changed {
                    vec![Change {
                        change: ChangeKind::Modified,
                        kind: ResourceKind::LoadBalancer,
                        resource: stack.gateway.clone(),
                        detail: String::new(),
                    }]
                } else {
                    vec![]
                },
                load_balancer: Some(Address {
                    arn: Self::arn(&stack.gateway, stack.load_balancer.kind),
                    dns_name: Self::dns(&stack.gateway),
                }),
                planned_calls: vec![],
                mutating_calls: u64::from(changed),
            })
        })
    }

    fn deployed<'a>(&'a self, stack: &'a Stack) -> BoxFuture<'a, gantry_deploy::Result<Deployed>> {
        Box::pin(async move {
            Ok(Deployed {
                target_group_arns: stack
                    .target_groups
                    .iter()
                    .map(|tg| (tg.id.clone(), Self::tg_arn(&tg.name)))
                    .collect(),
                source_security_group: Some("sg-0123456789abcdef0".into()),
                vpc_id: Some("vpc-0123456789abcdef0".into()),
            })
        })
    }

    /// Like the deployer: the difference only, [`TARGETS_PER_CALL`] targets per call.
    fn sync_targets<'a>(
        &'a self,
        arn: &'a str,
        targets: &'a [Target],
    ) -> BoxFuture<'a, gantry_deploy::Result<TargetChanges>> {
        Box::pin(async move {
            let mut st = self.lock();
            let before = st.targets.get(arn).cloned().unwrap_or_default();
            let health = before
                .iter()
                .map(|t| {
                    let state = st.health.get(&t.id).map_or("initial", String::as_str);
                    TargetHealth {
                        target: t.clone(),
                        state: state.to_string(),
                        reason: (state != "healthy").then(|| "Target.FailedHealthChecks".into()),
                        description: None,
                    }
                })
                .collect();
            let current = st.targets.entry(arn.to_string()).or_default();
            let desired: BTreeSet<Target> = targets.iter().cloned().collect();
            let register: Vec<Target> = desired.difference(current).cloned().collect();
            let deregister: Vec<Target> = current.difference(&desired).cloned().collect();
            *current = desired;
            let calls = |n: usize| n.div_ceil(TARGETS_PER_CALL) as u64;
            let (r, d) = (calls(register.len()), calls(deregister.len()));
            st.syncs.push((arn.to_string(), r, d));
            Ok(TargetChanges {
                deregistered: deregister
                    .iter()
                    .map(|t| (t.id.clone(), Some(t.port)))
                    .collect(),
                registered: register,
                calls: r + d,
                dry_run: false,
                health,
            })
        })
    }

    fn target_group_arn_by_name<'a>(
        &'a self,
        name: &'a str,
    ) -> BoxFuture<'a, gantry_deploy::Result<Option<String>>> {
        Box::pin(async move { Ok(self.lock().named.contains(name).then(|| Self::tg_arn(name))) })
    }

    fn issued_certificates(
        &self,
    ) -> BoxFuture<'_, gantry_deploy::Result<gantry_controller::IssuedCertificates>> {
        Box::pin(async move {
            let mut st = self.lock();
            st.certificate_reads += 1;
            Ok(st.certificates.clone())
        })
    }

    fn import_secret_certificates<'a>(
        &'a self,
        _user: &'a str,
        wanted: &'a [gantry_model::SecretCertificate],
    ) -> BoxFuture<'a, gantry_deploy::Result<BTreeMap<String, String>>> {
        Box::pin(async move {
            let mut st = self.lock();
            let mut out = BTreeMap::new();
            for w in wanted {
                let n = st.imported.len();
                let entry = st.imported.entry(w.secret.clone()).or_insert_with(|| {
                    (
                        w.fingerprint.clone(),
                        format!("arn:aws:acm:us-west-2:1:certificate/imported-{n}"),
                    )
                });
                // A new fingerprint is re-imported under the same ARN.
                entry.0 = w.fingerprint.clone();
                out.insert(w.secret.clone(), entry.1.clone());
            }
            Ok(out)
        })
    }

    fn delete_secret_certificates<'a>(
        &'a self,
        _user: &'a str,
        secrets: &'a [String],
    ) -> BoxFuture<'a, gantry_deploy::Result<()>> {
        Box::pin(async move {
            let mut st = self.lock();
            st.imported.retain(|s, _| !secrets.contains(s));
            Ok(())
        })
    }

    fn sync_worker_rules<'a>(
        &'a self,
        rules: &'a [BackendRule],
    ) -> BoxFuture<'a, gantry_deploy::Result<()>> {
        Box::pin(async move {
            self.lock().worker_rules = rules.to_vec();
            Ok(())
        })
    }

    fn delete<'a>(
        &'a self,
        gateway: &'a str,
        _kind: LoadBalancerType,
    ) -> BoxFuture<'a, gantry_deploy::Result<Report>> {
        Box::pin(async move {
            let mut st = self.lock();
            st.stacks.remove(gateway);
            st.deletes.push(gateway.to_string());
            st.ops.push(format!("delete {gateway}"));
            Ok(Report {
                gateway: gateway.to_string(),
                ..Report::default()
            })
        })
    }
}
