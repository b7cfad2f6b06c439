//! What the scenario tests share: the API server stand-in, a fake AWS, and a controller
//! started against them.
#![allow(dead_code)]

pub mod aws;
pub mod deploy;
pub mod endpoints;
pub mod gate;
pub mod istio;
pub mod scene;
pub mod tiered_seed;

pub use gantry_kube_standin::apiserver;
#[allow(unused_imports)] // not every test binary uses it
pub use gantry_testkit::objects;
#[allow(unused_imports)] // not every test binary uses it
pub use gantry_testkit::route_builders;

use apiserver::FakeApi;
use gantry_controller::referenced::SecretCache;
use gantry_controller::{Config, Deploy, Handle};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A controller running in the test's runtime.
pub struct Running {
    pub handle: Handle,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Running {
    /// Stops gracefully (a lease holder releases its lease).
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(30), &mut self.task).await;
    }

    /// Asks for a graceful stop (SIGTERM) without waiting for it.
    pub fn request_stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }

    /// Whether the controller has returned.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Stops at once, as a crash would: nothing is released.
    pub fn kill(mut self) {
        // Dropping the sender would read as a shutdown request.
        std::mem::forget(self.stop.take());
        self.task.abort();
    }
}

/// Settings for tests: no lease, quick debounce and backoff.
pub fn config() -> Config {
    let mut c = Config::new("test-cluster");
    c.lease.enabled = false;
    c.debounce = Duration::from_millis(50);
    c.backoff_min = Duration::from_secs(1);
    c.backoff_max = Duration::from_secs(30);
    c.crd_recheck = Duration::from_secs(5);
    c.sync_period = Duration::from_secs(3600);
    c
}

/// [`config`] for a replica that elects its leader: a lease held as `identity`.
pub fn leased(identity: &str) -> Config {
    let mut c = config();
    c.lease.enabled = true;
    c.lease.identity = identity.into();
    c
}

/// [`leased`], the lease in the namespace `gantry`.
pub fn leased_in_gantry(identity: &str) -> Config {
    let mut c = leased(identity);
    c.lease.namespace = "gantry".into();
    c
}

/// [`config`] for a scenario against moto as the cluster `cluster`: a quicker first retry (moto
/// answers in milliseconds).
pub fn moto_config(cluster: &str) -> Config {
    let mut c = config();
    c.translate.cluster_name = cluster.to_string();
    c.backoff_min = Duration::from_millis(200);
    c
}

pub async fn start<D: Deploy>(api: &FakeApi, deploy: Arc<D>, config: Config) -> Running {
    start_with_secrets(api, deploy, config, SecretCache::default()).await
}

/// [`start`], with the referenced-Secret cache `secrets` (the one a real deployer's
/// certificate source reads).
pub async fn start_with_secrets<D: Deploy>(
    api: &FakeApi,
    deploy: Arc<D>,
    config: Config,
    secrets: SecretCache,
) -> Running {
    let (stop_tx, stop_rx) = oneshot::channel();
    let (handle_tx, handle_rx) = oneshot::channel();
    let client = api.client();
    let task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stop_rx.await;
        };
        gantry_controller::run_with_secrets(client, config, deploy, secrets, shutdown, move |h| {
            let _ = handle_tx.send(h);
        })
        .await
        .expect("controller runs");
    });
    let handle = handle_rx.await.expect("controller started");
    Running {
        handle,
        stop: Some(stop_tx),
        task,
    }
}

/// The stand-in holding `apps/unrelated`, a `kind` (ConfigMap or Secret) of `data` that nothing
/// references: watches of referenced objects must never read it.
pub fn api_with_unrelated(kind: &str, data: &str) -> FakeApi {
    let api = FakeApi::new();
    api.apply_yaml(&format!(
        "apiVersion: v1\nkind: {kind}\nmetadata: {{name: unrelated, namespace: apps}}\ndata: {data}\n"
    ));
    api
}

/// Waits (in tokio time) until `check` holds; panics with `what` after `limit`.
pub async fn eventually(what: &str, limit: Duration, mut check: impl FnMut() -> bool) {
    let start = tokio::time::Instant::now();
    loop {
        if check() {
            return;
        }
        if start.elapsed() > limit {
            panic!("timed out after {limit:?} waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Deletes the `kind` `namespace/name` and waits (in tokio time, up to `limit`) until it is
/// gone, its finalizers released.
pub async fn delete_until_gone(
    api: &FakeApi,
    kind: &str,
    namespace: &str,
    name: &str,
    limit: Duration,
) {
    api.delete(kind, namespace, name);
    let what = format!("{kind} {namespace}/{name} gone");
    eventually(&what, limit, || api.get(kind, namespace, name).is_none()).await;
}

/// The condition of `type` in `obj.status.conditions`.
pub fn condition<'a>(status: &'a Value, kind: &str) -> Option<&'a Value> {
    status["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == kind)
}

/// Whether the Gateway `apps/web`, which most scenarios start from, says Programmed.
pub fn web_programmed(api: &FakeApi) -> bool {
    api.get("Gateway", "apps", "web")
        .is_some_and(|g| is_true(&g["status"], "Programmed"))
}

/// The status of the listener `listener` of the Gateway `namespace/gateway`; Null while the
/// Gateway or its listener status is missing.
pub fn listener_status(api: &FakeApi, namespace: &str, gateway: &str, listener: &str) -> Value {
    api.get("Gateway", namespace, gateway)
        .and_then(|g| {
            g["status"]["listeners"]
                .as_array()?
                .iter()
                .find(|l| l["name"] == listener)
                .cloned()
        })
        .unwrap_or_default()
}

/// Whether `status` (of a listener, or a route's parent entry) says Accepted and ResolvedRefs.
pub fn accepted_and_resolved(status: &Value) -> bool {
    is_true(status, "Accepted") && is_true(status, "ResolvedRefs")
}

/// Whether the condition `condition` is False for `reason` with a message containing `names`.
pub fn is_false_naming(condition: &Value, reason: &str, names: &str) -> bool {
    condition["status"] == "False"
        && condition["reason"] == reason
        && condition["message"]
            .as_str()
            .is_some_and(|m| m.contains(names))
}

pub fn is_true(status: &Value, kind: &str) -> bool {
    condition(status, kind).is_some_and(|c| c["status"] == "True")
}

/// The route's `status.parents` entries of controller `controller` for Gateway `gateway`.
pub fn parent_entry<'a>(
    route: &'a Value,
    controller: &str,
    gateway: &str,
    section: Option<&str>,
) -> Option<&'a Value> {
    route["status"]["parents"].as_array()?.iter().find(|p| {
        p["controllerName"] == controller
            && p["parentRef"]["name"] == gateway
            && section.is_none_or(|s| p["parentRef"]["sectionName"] == s)
    })
}

/// How many PATCH requests the stand-in saw whose path ends with `path_end` (such as
/// `httproutes/r1/status`; "" for every PATCH).
pub fn patches(api: &FakeApi, path_end: &str) -> usize {
    api.requests()
        .iter()
        .filter(|r| r.starts_with("PATCH") && r.ends_with(path_end))
        .count()
}

/// Asserts that the stand-in saw requests for `resource` (e.g. `secrets`) and that every one was
/// a GET in `namespace` narrowed by a field selector to the object `name` (plus `also`, further
/// encoded selector parts such as `type%3Dkubernetes.io%2Ftls`): a referenced-object watch never
/// lists a whole kind.
pub fn assert_watched_by_name(
    api: &apiserver::FakeApi,
    resource: &str,
    namespace: &str,
    name: &str,
    also: &[&str],
) {
    let requests: Vec<String> = api
        .requests_with_query()
        .into_iter()
        .filter(|r| r.contains(&format!("/{resource}")))
        .collect();
    assert!(!requests.is_empty(), "no request for {resource}");
    let prefix = format!("GET /api/v1/namespaces/{namespace}/{resource}?");
    let by_name = format!("metadata.name%3D{name}");
    for r in &requests {
        assert!(
            r.starts_with(&prefix)
                && r.contains("fieldSelector=")
                && r.contains(&by_name)
                && also.iter().all(|a| r.contains(a)),
            "a {resource} request not narrowed to {namespace}/{name} {also:?}: {r}"
        );
    }
}

/// The GatewayClass `alb` (of gantry's ALB controller) followed by the documents `rest`.
pub fn with_alb_class(rest: &str) -> String {
    objects::docs([objects::gateway_class("alb", "alb"), rest.to_string()])
}

pub fn has_finalizer(obj: &Value, finalizer: &str) -> bool {
    obj["metadata"]["finalizers"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x == finalizer))
}

/// The example manifests shipped in the repository.
pub fn example(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let p = root.join(path);
    if p.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(&p)
            .expect("example directory")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| std::fs::read_to_string(f).expect("example file"))
            .collect::<Vec<_>>()
            .join("\n---\n")
    } else {
        std::fs::read_to_string(p).expect("example file")
    }
}
