//! Listener certificates from a cert-manager style `kubernetes.io/tls` Secret, in a cluster,
//! with the real deployer against the moto emulator (AWS_ENDPOINT_URL; this test fails without
//! it): the missing Secret is reported with the spec's reason, a Secret created later programs
//! the HTTPS listener with the certificate imported into ACM, rotating it re-imports under the
//! same ARN without a listener call, and deleting the Gateway leaves no certificate gantry
//! imported (a certificate the test imported itself is untouched). Only the referenced Secret
//! is watched, by name and type; the private key never reaches a log line, an Event or a
//! status.

mod support;

use gantry_api::k8s::Secret;
use gantry_deploy::ownership::CLUSTER as CLUSTER_TAG;
use gantry_deploy::{FINGERPRINT_TAG, SECRET_TAG};
use gantry_testkit::acm::{self, certificate_fixture as fixture, domain_name, import_tagged};
use gantry_testkit::calls;
use k8s_openapi::ByteString;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::apiserver::FakeApi;
use support::aws::certificate_tags as tags;
use support::*;

const LIMIT: Duration = Duration::from_secs(90);

/// The HTTPS listener of `apps/web`: `app.example.com`, its certificate the Secret `web-tls`.
const LISTENER: &str = "{name: https, port: 443, protocol: HTTPS, hostname: app.example.com, \
    tls: {mode: Terminate, certificateRefs: [{kind: Secret, name: web-tls}]}}";

/// The Gateway `apps/web` of [`LISTENER`], its Service and a route to it: an ALB listener
/// exists for a port with routes only.
fn gateway_and_route() -> String {
    let route = objects::http_route("apps/shop", &["web"], Some("/shop"), &[("echo", 80)]);
    let gateway = route_builders::gateway_of("apps/web", "alb", &[LISTENER.to_string()], "");
    with_alb_class(&objects::docs([
        gateway,
        route_builders::node_port("apps/echo", 80, 30080),
        route,
    ]))
}

/// `apps/web-tls` as cert-manager writes it: its annotations and label, `ca.crt` beside
/// `tls.crt` and `tls.key`.
fn secret(secret_type: &str, crt: &str, key: &str) -> Value {
    let data: BTreeMap<String, ByteString> = [
        ("tls.crt", fixture(crt)),
        ("tls.key", fixture(key)),
        ("ca.crt", fixture("ca.crt")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), ByteString(v.into_bytes())))
    .collect();
    let s = Secret {
        data: Some(data),
        type_: Some(secret_type.to_string()),
        ..Secret::default()
    };
    let mut v = serde_json::to_value(s).unwrap();
    v["apiVersion"] = "v1".into();
    v["kind"] = "Secret".into();
    v["metadata"] = serde_json::json!({
        "name": "web-tls", "namespace": "apps",
        "labels": {"controller.cert-manager.io/fao": "true"},
        "annotations": {"cert-manager.io/certificate-name": "web",
                        "cert-manager.io/issuer-name": "selfsigned",
                        "cert-manager.io/common-name": "app.example.com"},
    });
    v
}

/// The conditions of the Gateway's `https` listener.
fn listener(api: &FakeApi) -> Value {
    listener_status(api, "apps", "web", "https")
}

/// Everything the controller wrote to its log, as text.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// The moto SDK config; this scenario fails (never skips) without the emulator.
async fn sdk() -> aws_config::SdkConfig {
    support::aws::sdk(&support::aws::endpoint("listener_certificates")).await
}

/// ARNs of the ACM certificates tagged as imported by gantry for `cluster`.
async fn gantry_imported(acm: &aws_sdk_acm::Client, cluster: &str) -> Vec<String> {
    acm::certificates_tagged(acm, |tags| {
        tags.get(CLUSTER_TAG).map(String::as_str) == Some(cluster) && tags.contains_key(SECRET_TAG)
    })
    .await
}

/// The certificate ARNs of the load balancer's listener on `port`.
async fn listener_certificates(
    elbv2: &aws_sdk_elasticloadbalancingv2::Client,
    lb: &str,
    port: i32,
) -> Vec<String> {
    let Some(arn) = support::aws::listeners(elbv2, lb)
        .await
        .into_iter()
        .find(|l| l.port == Some(port))
        .and_then(|l| l.listener_arn)
    else {
        return vec![];
    };
    support::aws::listener_certificate_arns(elbv2, &arn).await
}

const LISTENER_CALLS: &[&str] = &[
    "CreateListener",
    "ModifyListener",
    "DeleteListener",
    "AddListenerCertificates",
    "RemoveListenerCertificates",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_certificate_is_served_rotated_in_place_and_cleaned_up() {
    let logs = Logs::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "info,gantry_controller=trace,gantry_deploy=trace,gantry_translate=trace",
        ))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let sdk = sdk().await;
    let acm = aws_sdk_acm::Client::new(&sdk);
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&sdk);
    let cluster = format!("certs-{}", std::process::id());
    let vpc_id = support::aws::vpc(&sdk).await.id;

    // A certificate gantry did not import, though it carries the cluster tag: never touched.
    let foreign = import_tagged(&acm, "ec384.crt", "ec384.key", (CLUSTER_TAG, &cluster)).await;

    // The deployer reads certificates from the controller's Secret cache, as in a cluster.
    let secrets = gantry_controller::referenced::SecretCache::default();
    let deployer = Arc::new(support::aws::deployer_with_secrets(
        &sdk, &vpc_id, &cluster, &secrets,
    ));
    let api = FakeApi::new();
    // Secrets the controller must never read: another one in the namespace, and later an
    // Opaque one under the referenced name.
    api.apply_yaml(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: unrelated, namespace: apps}\ndata: {k: dg==}\n",
    );
    let mut c = moto_config(&cluster);
    c.backoff_max = Duration::from_secs(2);
    let running = start_with_secrets(&api, deployer.clone(), c, secrets.clone()).await;
    api.apply_yaml(&gateway_and_route());

    // Missing: ResolvedRefs=False InvalidCertificateRef, naming the Secret; not programmed.
    eventually("the missing Secret is reported", LIMIT, || {
        condition(&listener(&api), "ResolvedRefs")
            .is_some_and(|c| is_false_naming(c, "InvalidCertificateRef", "Secret apps/web-tls"))
    })
    .await;
    let l = listener(&api);
    println!("listener while the Secret is missing: {l:#}");
    assert_eq!(condition(&l, "Programmed").unwrap()["status"], "False");

    // An Opaque Secret of that name is not a listener certificate, and is not even read.
    api.apply(secret("Opaque", "rsa.crt", "rsa.key"));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(secrets.objects().is_empty(), "an Opaque Secret was cached");
    assert_eq!(
        condition(&listener(&api), "ResolvedRefs").unwrap()["status"],
        "False"
    );
    api.delete("Secret", "apps", "web-tls");

    // Created later (cert-manager issues it): programmed without a restart, serving the
    // certificate imported into ACM.
    api.apply(secret("kubernetes.io/tls", "rsa.crt", "rsa.key"));
    eventually("the listener is programmed", LIMIT, || {
        let l = listener(&api);
        is_true(&l, "ResolvedRefs") && is_true(&l, "Programmed")
    })
    .await;
    let gw = api.get("Gateway", "apps", "web").unwrap();
    assert!(is_true(&gw["status"], "Programmed"), "{gw:#}");
    let lb = condition(&gw["status"], "Programmed").unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    let imported = gantry_imported(&acm, &cluster).await;
    assert_eq!(imported.len(), 1, "{imported:?}");
    let arn = imported[0].clone();
    assert_eq!(
        listener_certificates(&elbv2, &lb, 443).await,
        vec![arn.clone()]
    );
    let t = tags(&acm, &arn).await;
    assert_eq!(t.get(SECRET_TAG).map(String::as_str), Some("apps/web-tls"));
    assert_eq!(
        domain_name(&acm, &arn).await.as_deref(),
        Some("app.example.com")
    );
    let cached = secrets.get(&gantry_snapshot::ObjectKey::new("apps", "web-tls"));
    let cached = cached.expect("the referenced Secret is cached");
    let fingerprint = |s: &Secret| {
        gantry_translate::certificates::material(s, None)
            .unwrap()
            .fingerprint
    };
    assert_eq!(
        t.get(FINGERPRINT_TAG).map(String::as_str),
        Some(fingerprint(&cached).as_str())
    );
    // The cache holds the name and the two keys translation reads; no ca.crt, labels or
    // annotations.
    assert_eq!(
        cached.data.as_ref().unwrap().keys().collect::<Vec<_>>(),
        ["tls.crt", "tls.key"]
    );
    assert!(cached.metadata.annotations.is_none() && cached.metadata.labels.is_none());
    assert_eq!(
        calls::count(&deployer.call_counts(), &["ImportCertificate"]),
        1
    );

    // Rotation: cert-manager renews into the same Secret. Re-imported under the same ARN,
    // no listener call.
    let listener_calls = calls::count(&deployer.call_counts(), LISTENER_CALLS);
    api.apply(secret("kubernetes.io/tls", "ec.crt", "ec.key"));
    let start = tokio::time::Instant::now();
    while domain_name(&acm, &arn).await.as_deref() != Some("ec.example.com") {
        assert!(
            start.elapsed() < LIMIT,
            "the rotated certificate is imported"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let rotated = secrets
        .get(&gantry_snapshot::ObjectKey::new("apps", "web-tls"))
        .unwrap();
    let start = tokio::time::Instant::now();
    while tags(&acm, &arn).await.get(FINGERPRINT_TAG) != Some(&fingerprint(&rotated)) {
        assert!(start.elapsed() < LIMIT, "the fingerprint tag follows");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(gantry_imported(&acm, &cluster).await, vec![arn.clone()]);
    assert_eq!(
        listener_certificates(&elbv2, &lb, 443).await,
        vec![arn.clone()]
    );
    assert_eq!(
        calls::count(&deployer.call_counts(), LISTENER_CALLS),
        listener_calls,
        "no listener call on rotation: {:?}",
        deployer.call_counts()
    );
    assert_eq!(
        calls::count(&deployer.call_counts(), &["ImportCertificate"]),
        2
    );
    assert!(is_true(&listener(&api), "Programmed"));

    // Only the referenced Secret was listed or watched, by name and type.
    assert_watched_by_name(
        &api,
        "secrets",
        "apps",
        "web-tls",
        &["type%3Dkubernetes.io%2Ftls"],
    );

    let statuses: Vec<String> = api
        .list("Gateway")
        .iter()
        .map(|g| g["status"].to_string())
        .collect();

    // The Gateway goes: its load balancer, then the certificate gantry imported; the foreign
    // one stays.
    delete_until_gone(&api, "Gateway", "apps", "web", LIMIT).await;
    assert!(
        gantry_imported(&acm, &cluster).await.is_empty(),
        "an imported certificate was left behind"
    );
    assert!(
        domain_name(&acm, &arn).await.is_none(),
        "{arn} still exists"
    );
    assert!(
        domain_name(&acm, &foreign).await.is_some(),
        "the foreign certificate was touched"
    );

    // No private key in any log line, Event or status: neither a PEM body line nor its
    // base64 form as the Secret's data carries it.
    let mut key_pieces: Vec<String> = Vec::new();
    for key in ["rsa.key", "ec.key"] {
        let pem = fixture(key);
        key_pieces.extend(
            pem.lines()
                .filter(|l| !l.starts_with("-----") && l.len() > 20)
                .map(str::to_string),
        );
        let b64 = serde_json::to_value(ByteString(pem.into_bytes())).unwrap();
        key_pieces.push(b64.as_str().unwrap()[..40].to_string());
    }
    let mut written: Vec<(String, String)> = vec![("log".into(), logs.text())];
    written.extend(
        statuses
            .into_iter()
            .map(|s| ("Gateway status".to_string(), s)),
    );
    for kind in ["Event", "Gateway", "GatewayClass"] {
        for o in api.list(kind) {
            written.push((kind.to_string(), o.to_string()));
        }
    }
    assert!(
        logs.text().contains("referenced; watching it"),
        "logs captured"
    );
    for (what, text) in &written {
        for piece in &key_pieces {
            assert!(
                !text.contains(piece.as_str()),
                "{what} shows the key: {piece}"
            );
        }
    }
    running.stop().await;
}
