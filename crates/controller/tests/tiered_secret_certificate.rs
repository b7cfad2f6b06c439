//! The tiered class's HTTPS load balancer listener with its certificate from the listener's
//! Secret (issue 17), through the real controller loop against the API server stand-in and the
//! real deployer against the moto emulator (AWS_ENDPOINT_URL; this test fails without it):
//! while the Secret is missing the listener is refused naming it; once it exists, its
//! certificate is imported into ACM with gantry's ownership tags and the LBListener carries
//! the imported ARN; deleting the user Gateway deletes that certificate from ACM, after the
//! listener object is gone (the Gateway is held by the finalizer until then).

mod support;

use gantry_api::k8s::Secret;
use gantry_deploy::ownership::CLUSTER as CLUSTER_TAG;
use gantry_deploy::{FINGERPRINT_TAG, SECRET_TAG};
use gantry_testkit::acm::certificate_fixture as fixture;
use gantry_testkit::calls;
use k8s_openapi::ByteString;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::aws::certificate_tags as tags;
use support::*;

const LIMIT: Duration = Duration::from_secs(90);
const TIERED: &str = "gateway.k8s.aws/tiered";
const LISTENER: &str = "LBListener.elbv2.aws.m.upbound.io";

/// The default family (Upbound namespaced); the 443 listener has no hostname, so its
/// certificate can only come from its Secret. The class is [`objects::tiered_class`].
const CLUSTER_OBJECTS: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: tiered}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: tiered-config, namespace: tiered}
data:
  region: us-east-1
  vpcID: vpc-1
  subnets: public-subnet-1, public-subnet-2
  scheme: internet-facing
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: foo-gateway, namespace: tiered}
spec:
  gatewayClassName: public-gw-gateway-class
  listeners:
  - {name: web, port: 80, protocol: HTTP}
  - name: secure
    port: 443
    protocol: HTTPS
    tls:
      certificateRefs: [{name: foo-tls}]
"#;

/// `tiered/foo-tls`, a `kubernetes.io/tls` Secret.
fn secret() -> Value {
    let data: BTreeMap<String, ByteString> = [("tls.crt", "ec.crt"), ("tls.key", "ec.key")]
        .into_iter()
        .map(|(k, f)| (k.to_string(), ByteString(fixture(f).into_bytes())))
        .collect();
    let s = Secret {
        data: Some(data),
        type_: Some("kubernetes.io/tls".into()),
        ..Secret::default()
    };
    let mut v = serde_json::to_value(s).unwrap();
    v["apiVersion"] = "v1".into();
    v["kind"] = "Secret".into();
    v["metadata"] = json!({"name": "foo-tls", "namespace": "tiered"});
    v
}

/// The user Gateway's `secure` listener status.
fn secure(api: &FakeApi) -> Value {
    listener_status(api, "tiered", "foo-gateway", "secure")
}

/// The PEM body ACM holds for `arn`; None once it is deleted.
async fn body(acm: &aws_sdk_acm::Client, arn: &str) -> Option<String> {
    acm.get_certificate()
        .certificate_arn(arn)
        .send()
        .await
        .ok()?
        .certificate
}

fn pem_der(pem: &str) -> String {
    pem.lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<String>()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_only_https_listener_gets_the_imported_certificate_and_deletion_removes_it() {
    // Fails without the emulator.
    let endpoint = support::aws::endpoint("tiered_secret_certificate");
    let sdk = support::aws::sdk(&endpoint).await;
    let acm = aws_sdk_acm::Client::new(&sdk);
    let cluster = format!("tiered-certs-{}", std::process::id());

    // The deployer reads the Secret's certificate and key from the controller's cache, as in
    // a cluster (crate::certificates::from_cache).
    let secrets = gantry_controller::referenced::SecretCache::default();
    let deployer = Arc::new(support::aws::deployer_with_secrets(
        &sdk,
        "vpc-unused",
        &cluster,
        &secrets,
    ));
    let api = FakeApi::new();
    let mut c = moto_config(&cluster);
    c.backoff_max = Duration::from_secs(2);
    let running = start_with_secrets(&api, deployer.clone(), c, secrets.clone()).await;
    api.apply_yaml(&objects::docs([
        objects::tiered_class("public-gw-gateway-class", "tiered/tiered-config"),
        CLUSTER_OBJECTS.to_string(),
    ]));

    // Missing: the listener is refused naming the Secret (ResolvedRefs=False,
    // InvalidCertificateRef), no 443 listener object, nothing imported.
    eventually("the missing Secret is reported", LIMIT, || {
        condition(&secure(&api), "ResolvedRefs")
            .is_some_and(|c| is_false_naming(c, "InvalidCertificateRef", "Secret tiered/foo-tls"))
    })
    .await;
    assert!(api.get(LISTENER, "tiered", "foo-gateway-80").is_some());
    assert!(api.get(LISTENER, "tiered", "foo-gateway-443").is_none());

    // The Secret appears (cert-manager issues it): imported into ACM, and the LBListener
    // carries the imported certificate's ARN.
    api.apply(secret());
    let mut arn = String::new();
    eventually("LBListener 443 with an ACM certificate ARN", LIMIT, || {
        let found = api
            .get(LISTENER, "tiered", "foo-gateway-443")
            .and_then(|l| {
                l["spec"]["forProvider"]["certificateArn"]
                    .as_str()
                    .map(str::to_string)
            });
        match found {
            Some(a) if a.starts_with("arn:aws:acm:") => {
                arn = a;
                true
            }
            _ => false,
        }
    })
    .await;
    let listener = api.get(LISTENER, "tiered", "foo-gateway-443").unwrap();
    assert_eq!(listener["spec"]["forProvider"]["protocol"], "HTTPS");
    let imported = body(&acm, &arn).await.expect("the certificate is in ACM");
    assert_eq!(
        pem_der(&imported),
        pem_der(&fixture("ec.crt")),
        "ACM holds the Secret's certificate"
    );
    let t = tags(&acm, &arn).await;
    assert_eq!(t.get(CLUSTER_TAG), Some(&cluster));
    assert_eq!(
        t.get(SECRET_TAG).map(String::as_str),
        Some("tiered/foo-tls")
    );
    let cached = secrets
        .get(&gantry_snapshot::ObjectKey::new("tiered", "foo-tls"))
        .expect("the Secret is cached for the tiered listener");
    let fingerprint = gantry_translate::certificates::material(&cached, None)
        .unwrap()
        .fingerprint;
    assert_eq!(t.get(FINGERPRINT_TAG), Some(&fingerprint));
    eventually("listener secure's refs resolved", LIMIT, || {
        is_true(&secure(&api), "ResolvedRefs")
    })
    .await;
    let gw = api.get("Gateway", "tiered", "foo-gateway").unwrap();
    assert!(
        has_finalizer(&gw, TIERED),
        "held until the imported certificate is deleted"
    );
    // The shadow keeps the listener's certificateRefs: the in-cluster gateway uses them.
    let shadow = api.get("Gateway", "tiered", "foo-gateway-istio").unwrap();
    assert_eq!(
        shadow["spec"]["listeners"][1]["tls"]["certificateRefs"][0]["name"],
        "foo-tls"
    );
    // A settled pass imports nothing again: the same fingerprint keeps the certificate.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let imports = calls::count(&deployer.call_counts(), &["ImportCertificate"]);
    assert_eq!(imports, 1);

    // Deleting the user Gateway: its listener objects go, then the imported certificate,
    // then the Gateway itself.
    api.delete("Gateway", "tiered", "foo-gateway");
    eventually("the Gateway and its objects are gone", LIMIT, || {
        api.get("Gateway", "tiered", "foo-gateway").is_none() && api.list(LISTENER).is_empty()
    })
    .await;
    assert!(
        body(&acm, &arn).await.is_none(),
        "{arn} is still in ACM after the Gateway was deleted"
    );
    let deletes = calls::count(&deployer.call_counts(), &["DeleteCertificate"]);
    assert_eq!(deletes, 1, "deleted by gantry, once");
    running.stop().await;
}
