//! The AWS side, behind a trait so that the controller loop can be tested without AWS.

use futures::future::BoxFuture;
use gantry_deploy::{Deployer, Report};
use gantry_model::{LoadBalancerType, Stack};
use std::collections::BTreeMap;

/// Makes AWS match one Gateway's stack, or removes it.
pub trait Deploy: Send + Sync + 'static {
    fn apply<'a>(&'a self, stack: &'a Stack) -> BoxFuture<'a, gantry_deploy::Result<Report>>;

    /// Removes everything owned for the Gateway `gateway` (`namespace/name`).
    fn delete<'a>(
        &'a self,
        gateway: &'a str,
        kind: LoadBalancerType,
    ) -> BoxFuture<'a, gantry_deploy::Result<Report>>;

    /// AWS calls so far by (service, operation), for the metrics.
    fn call_counts(&self) -> BTreeMap<(String, String), u64> {
        BTreeMap::new()
    }
}

impl Deploy for Deployer {
    fn apply<'a>(&'a self, stack: &'a Stack) -> BoxFuture<'a, gantry_deploy::Result<Report>> {
        Box::pin(Deployer::apply(self, stack))
    }

    fn delete<'a>(
        &'a self,
        gateway: &'a str,
        kind: LoadBalancerType,
    ) -> BoxFuture<'a, gantry_deploy::Result<Report>> {
        Box::pin(Deployer::delete(self, gateway, kind))
    }

    fn call_counts(&self) -> BTreeMap<(String, String), u64> {
        Deployer::call_counts(self)
    }
}
