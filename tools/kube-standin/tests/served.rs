//! The stand-in served over real HTTP answers a `kube::Client` built from a kubeconfig, as a
//! `gantry controller` process would build it.

use gantry_kube_standin::{FakeApi, kubeconfig, serve_loopback};
use k8s_openapi::api::core::v1::Service;
use kube::api::{Api, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};

fn service(namespace: &str, name: &str) -> String {
    format!(
        "apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  ports: [{{port: 80}}]
---
"
    )
}

async fn client_from_kubeconfig(text: &str) -> kube::Client {
    let kubeconfig = Kubeconfig::from_yaml(text).expect("kubeconfig parses");
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("kubeconfig is usable");
    kube::Client::try_from(config).expect("client")
}

fn names(services: &[Service]) -> Vec<String> {
    services
        .iter()
        .map(|s| s.metadata.name.clone().unwrap_or_default())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_from_a_kubeconfig_lists_over_http() {
    let api = FakeApi::new();
    api.apply_yaml(&(service("shop", "web") + &service("shop", "db") + &service("blog", "web")));
    let served = serve_loopback(api).await.expect("serves on loopback");
    let client = client_from_kubeconfig(&kubeconfig(served.addr)).await;

    let all: Api<Service> = Api::all(client.clone());
    let listed = all.list(&ListParams::default()).await.expect("lists");
    assert_eq!(names(&listed.items), ["web", "db", "web"]);

    let shop: Api<Service> = Api::namespaced(client, "shop");
    let listed = shop.list(&ListParams::default()).await.expect("lists");
    assert_eq!(names(&listed.items), ["db", "web"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_come_in_pages_when_asked() {
    let api = FakeApi::new();
    api.apply_yaml(
        &(0..5)
            .map(|i| service("shop", &format!("svc-{i}")))
            .collect::<String>(),
    );
    let served = serve_loopback(api).await.expect("serves on loopback");
    let services: Api<Service> = Api::all(client_from_kubeconfig(&kubeconfig(served.addr)).await);

    let mut pages = Vec::new();
    let mut params = ListParams::default().limit(2);
    loop {
        let page = services.list(&params).await.expect("lists a page");
        pages.push(names(&page.items));
        match page.metadata.continue_ {
            Some(token) if !token.is_empty() => params = params.continue_token(&token),
            _ => break,
        }
    }
    assert_eq!(
        pages,
        [
            vec!["svc-0", "svc-1"],
            vec!["svc-2", "svc-3"],
            vec!["svc-4"]
        ]
    );
}
