//! End-to-end suite against a real cluster — off by default.
//!
//! Ignored unless asked for (`--ignored`): it never passes without a cluster, it is reported as
//! ignored. The cluster is the one `KUBECONFIG` names, and it must serve the
//! Gateway API CRDs (standard channel, v1.6). The suite installs gantry's CRDs, runs the real
//! controller loop in this process and drives the scenarios of the stand-in tests through the
//! real API server. AWS is the fake of the stand-in tests, so no AWS account is needed.
//!
//! ```sh
//! KUBECONFIG=~/.kube/config cargo test -p gantry-controller --test e2e -- --ignored --test-threads=1
//! ```

mod support;

use gantry_api::wire::{ALB_CONTROLLER_NAME, ALB_GATEWAY_FINALIZER};
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use kube::core::GroupVersionKind;
use kube::discovery::Discovery;
use kube::{Client, ResourceExt};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use support::deploy::FakeDeploy;
use support::{example, is_true, parent_entry};

const LIMIT: Duration = Duration::from_secs(120);

/// The cluster's client; the test fails when `KUBECONFIG` names none it can reach.
async fn cluster() -> Client {
    Client::try_default()
        .await
        .expect("KUBECONFIG names a reachable cluster")
}

/// Server-side applies every document of `yaml` (CRDs first, when given).
async fn apply(client: &Client, yaml: &str) {
    let discovery = Discovery::new(client.clone())
        .run()
        .await
        .expect("discovery");
    for doc in serde_norway::Deserializer::from_str(yaml) {
        let value: Value = match serde::Deserialize::deserialize(doc) {
            Ok(Value::Null) | Err(_) => continue,
            Ok(v) => v,
        };
        let obj: DynamicObject = serde_json::from_value(value).expect("a Kubernetes object");
        let types = obj.types.clone().expect("apiVersion and kind");
        let gvk = GroupVersionKind::try_from(&types).expect("a valid apiVersion");
        let (resource, caps) = discovery
            .resolve_gvk(&gvk)
            .expect("the cluster serves this kind");
        let api: Api<DynamicObject> = match (&caps.scope, obj.namespace()) {
            (kube::discovery::Scope::Namespaced, Some(ns)) => {
                Api::namespaced_with(client.clone(), &ns, &resource)
            }
            (kube::discovery::Scope::Namespaced, None) => {
                Api::default_namespaced_with(client.clone(), &resource)
            }
            _ => Api::all_with(client.clone(), &resource),
        };
        api.patch(
            &obj.name_any(),
            &PatchParams::apply("gantry-e2e").force(),
            &Patch::Apply(&obj),
        )
        .await
        .unwrap_or_else(|e| panic!("applying {} {}: {e}", types.kind, obj.name_any()));
    }
}

/// The Gateway API kind `kind` (v1) in the namespace `ns`, as the cluster serves it.
async fn gateway_api(client: &Client, kind: &str, ns: &str) -> kube::Result<Api<DynamicObject>> {
    let gvk = GroupVersionKind::gvk("gateway.networking.k8s.io", "v1", kind);
    let (resource, _) = kube::discovery::pinned_kind(client, &gvk).await?;
    Ok(Api::namespaced_with(client.clone(), ns, &resource))
}

async fn get(client: &Client, kind: &str, ns: &str, name: &str) -> Option<Value> {
    let api = gateway_api(client, kind, ns).await.ok()?;
    api.get_opt(name)
        .await
        .ok()
        .flatten()
        .map(|o| serde_json::to_value(o).expect("json"))
}

async fn eventually_get(
    client: &Client,
    what: &str,
    kind: &str,
    ns: &str,
    name: &str,
    check: impl Fn(&Value) -> bool,
) {
    let start = std::time::Instant::now();
    loop {
        if get(client, kind, ns, name).await.is_some_and(|v| check(&v)) {
            return;
        }
        assert!(start.elapsed() < LIMIT, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a real cluster: KUBECONFIG=… cargo test -p gantry-controller --test e2e -- --ignored"]
async fn alb_example_is_programmed_edited_and_deleted_on_a_real_cluster() {
    let client = cluster().await;
    apply(&client, &gantry_api::crds::crd_yaml()).await;
    let deploy = Arc::new(FakeDeploy::default());
    let mut config = support::config();
    config.translate.cluster_name = "gantry-e2e".to_string();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let controller = tokio::spawn({
        let client = client.clone();
        let deploy = deploy.clone();
        async move {
            gantry_controller::run(
                client,
                config,
                deploy,
                async move {
                    let _ = stop_rx.await;
                },
                |_| {},
            )
            .await
            .expect("controller runs")
        }
    });

    // From empty to Programmed, with the address and the route's conditions.
    apply(&client, &example("gatewayclasses.yaml")).await;
    apply(&client, &example("alb-basic")).await;
    let (ns, gw) = ("alb-basic", "my-alb-gateway");
    eventually_get(&client, "Gateway programmed", "Gateway", ns, gw, |g| {
        is_true(&g["status"], "Programmed")
    })
    .await;
    eventually_get(
        &client,
        "route accepted",
        "HTTPRoute",
        ns,
        "my-http-app-route",
        |r| {
            parent_entry(r, ALB_CONTROLLER_NAME, gw, Some("http"))
                .is_some_and(|p| is_true(p, "Accepted"))
        },
    )
    .await;
    let g = get(&client, "Gateway", ns, gw).await.expect("gateway");
    assert_eq!(
        g["status"]["addresses"][0]["value"],
        FakeDeploy::dns(&format!("{ns}/{gw}"))
    );
    assert!(
        g["metadata"]["finalizers"]
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x == ALB_GATEWAY_FINALIZER))
    );

    // The route is deleted: no route on the listeners any more.
    let routes = gateway_api(&client, "HTTPRoute", ns)
        .await
        .expect("HTTPRoute served");
    routes
        .delete("my-http-app-route", &DeleteParams::default())
        .await
        .expect("route deleted");
    eventually_get(&client, "no attached routes", "Gateway", ns, gw, |g| {
        g["status"]["listeners"]
            .as_array()
            .is_some_and(|ls| ls.iter().all(|l| l["attachedRoutes"] == 0))
    })
    .await;

    // The Gateway is deleted: AWS is cleaned and the finalizer released.
    let gateways = gateway_api(&client, "Gateway", ns)
        .await
        .expect("Gateway served");
    gateways
        .delete(gw, &DeleteParams::default())
        .await
        .expect("gateway deleted");
    let start = std::time::Instant::now();
    while gateways.get_opt(gw).await.expect("get").is_some() {
        assert!(
            start.elapsed() < LIMIT,
            "Gateway still present: finalizer not released"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(
        deploy.deletes().iter().any(|d| d.contains(gw)),
        "AWS resources deleted: {:?}",
        deploy.deletes()
    );

    let _ = stop_tx.send(());
    let _ = controller.await;
}
