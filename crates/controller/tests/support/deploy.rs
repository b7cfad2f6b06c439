//! A fake AWS: remembers the last stack applied per Gateway, and fails on demand.

use futures::future::BoxFuture;
use gantry_controller::Deploy;
use gantry_deploy::{
    Address, Change, ChangeKind, Error, ErrorClass, Operation, Report, ResourceKind,
};
use gantry_model::{LoadBalancerType, Stack};
use std::collections::BTreeMap;
use std::sync::Mutex;
use tokio::time::Instant;

#[derive(Default)]
pub struct FakeDeploy {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    stacks: BTreeMap<String, Stack>,
    /// Applies still to fail (an AWS outage).
    failing: u32,
    /// (gateway, when, succeeded) of every apply.
    applies: Vec<(String, Instant, bool)>,
    deletes: Vec<String>,
    /// `apply <gateway>` / `delete <gateway>`, in order.
    ops: Vec<String>,
}

impl FakeDeploy {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn stack(&self, gateway: &str) -> Option<Stack> {
        self.lock().stacks.get(gateway).cloned()
    }

    pub fn fail_next(&self, n: u32) {
        self.lock().failing = n;
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
                return Err(Error::Call {
                    op: Operation::CreateLoadBalancer,
                    resource: stack.gateway.clone(),
                    class: ErrorClass::Transient,
                    code: Some("ServiceUnavailable".into()),
                    message: "ServiceUnavailable: try again".into(),
                    source: Box::new(std::io::Error::other("outage")),
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
