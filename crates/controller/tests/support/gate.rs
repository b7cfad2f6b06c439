//! A deployer whose applies block until the test releases them: an AWS call in flight, held
//! open for as long as a test needs (e.g. across a shutdown request).

use futures::future::BoxFuture;
use gantry_controller::Deploy;
use gantry_deploy::{BackendRule, Report, TargetChanges};
use gantry_model::{LoadBalancerType, Stack, Target};
use gantry_targets::Deployed;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tokio::sync::Semaphore;

pub struct GatedDeploy<D> {
    pub inner: Arc<D>,
    /// While set, every apply waits for a permit.
    closed: AtomicBool,
    permits: Semaphore,
    started: AtomicUsize,
    finished: AtomicUsize,
}

impl<D: Deploy> GatedDeploy<D> {
    pub fn new(inner: Arc<D>) -> Self {
        GatedDeploy {
            inner,
            closed: AtomicBool::new(false),
            permits: Semaphore::new(0),
            started: AtomicUsize::new(0),
            finished: AtomicUsize::new(0),
        }
    }

    /// From now on applies wait for [`GatedDeploy::release`].
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }

    /// Lets every apply through, the waiting ones included.
    pub fn open(&self) {
        self.closed.store(false, Ordering::SeqCst);
        self.permits.add_permits(Semaphore::MAX_PERMITS / 2);
    }

    /// Applies begun / returned.
    pub fn started(&self) -> usize {
        self.started.load(Ordering::SeqCst)
    }

    pub fn finished(&self) -> usize {
        self.finished.load(Ordering::SeqCst)
    }
}

impl<D: Deploy> Deploy for GatedDeploy<D> {
    fn apply<'a>(&'a self, stack: &'a Stack) -> BoxFuture<'a, gantry_deploy::Result<Report>> {
        Box::pin(async move {
            self.started.fetch_add(1, Ordering::SeqCst);
            if self.closed.load(Ordering::SeqCst) {
                let _permit = self.permits.acquire().await.expect("gate open");
            }
            let r = self.inner.apply(stack).await;
            self.finished.fetch_add(1, Ordering::SeqCst);
            r
        })
    }

    fn delete<'a>(
        &'a self,
        gateway: &'a str,
        kind: LoadBalancerType,
    ) -> BoxFuture<'a, gantry_deploy::Result<Report>> {
        self.inner.delete(gateway, kind)
    }

    fn deployed<'a>(&'a self, stack: &'a Stack) -> BoxFuture<'a, gantry_deploy::Result<Deployed>> {
        self.inner.deployed(stack)
    }

    fn sync_targets<'a>(
        &'a self,
        arn: &'a str,
        targets: &'a [Target],
    ) -> BoxFuture<'a, gantry_deploy::Result<TargetChanges>> {
        self.inner.sync_targets(arn, targets)
    }

    fn target_group_arn_by_name<'a>(
        &'a self,
        name: &'a str,
    ) -> BoxFuture<'a, gantry_deploy::Result<Option<String>>> {
        self.inner.target_group_arn_by_name(name)
    }

    fn sync_worker_rules<'a>(
        &'a self,
        rules: &'a [BackendRule],
    ) -> BoxFuture<'a, gantry_deploy::Result<()>> {
        self.inner.sync_worker_rules(rules)
    }

    fn issued_certificates(
        &self,
    ) -> BoxFuture<'_, gantry_deploy::Result<gantry_controller::IssuedCertificates>> {
        self.inner.issued_certificates()
    }

    fn import_secret_certificates<'a>(
        &'a self,
        user: &'a str,
        wanted: &'a [gantry_model::SecretCertificate],
    ) -> BoxFuture<'a, gantry_deploy::Result<std::collections::BTreeMap<String, String>>> {
        self.inner.import_secret_certificates(user, wanted)
    }

    fn delete_secret_certificates<'a>(
        &'a self,
        user: &'a str,
        secrets: &'a [String],
    ) -> BoxFuture<'a, gantry_deploy::Result<()>> {
        self.inner.delete_secret_certificates(user, secrets)
    }
}
