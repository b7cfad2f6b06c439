//! `gantry plan` / `apply -f` / `delete -f` of an HTTPS Gateway whose only certificate is a
//! cert-manager style `kubernetes.io/tls` Secret, against the moto emulator: the plan names
//! the Secret and its fingerprint, apply imports it into ACM and the listener serves it,
//! rotating the Secret re-imports under the same ARN, delete leaves no imported certificate.
//! Needs AWS_ENDPOINT_URL (scripts/moto.sh); fails without it.

mod common;

use common::{Aws, aws, gantry};
use gantry_deploy::client::block_on;
use gantry_testkit::acm::{self, certificate_fixture as fixture};
use gantry_testkit::elb;

const SECRET_TAG: &str = "gateway.k8s.aws/secret";
const CLUSTER_TAG: &str = "elbv2.k8s.aws/cluster";

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}\n"))
        .collect::<String>()
}

fn manifests(crt: &str, key: &str) -> String {
    format!(
        r#"apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: gantry-alb
spec:
  controllerName: gateway.k8s.aws/alb
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: secure
  namespace: shop
spec:
  gatewayClassName: gantry-alb
  listeners:
  - name: https
    protocol: HTTPS
    port: 443
    hostname: app.example.com
    tls:
      certificateRefs:
      - name: app-tls
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: app
  namespace: shop
spec:
  parentRefs:
  - name: secure
  rules:
  - backendRefs:
    - name: app
      port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: app
  namespace: shop
spec:
  type: NodePort
  ports:
  - port: 80
    targetPort: 8080
    nodePort: 30981
---
apiVersion: v1
kind: Secret
metadata:
  name: app-tls
  namespace: shop
  annotations:
    cert-manager.io/certificate-name: app
type: kubernetes.io/tls
stringData:
  tls.crt: |
{}  tls.key: |
{}"#,
        indent(crt),
        indent(key)
    )
}

async fn vpc(aws: &Aws) -> String {
    gantry_testkit::moto::vpc(&aws.config, "secret-certificate", &["a", "b"])
        .await
        .id
}

/// The certificates on the 443 listener of the load balancer named `name`.
async fn listener_certificates(aws: &Aws, name: &str) -> Vec<String> {
    let lb = elb::load_balancer_arn(&aws.elbv2, name).await;
    let listener = elb::listener_on(&aws.elbv2, &lb, 443)
        .await
        .listener_arn
        .expect("listener ARN");
    elb::listener_certificate_arns(&aws.elbv2, &listener).await
}

/// Certificates in ACM tagged as imported by gantry for `cluster` from `shop/app-tls`.
async fn imported(aws: &Aws, cluster: &str) -> Vec<String> {
    acm::certificates_tagged(&aws.acm, |tags| {
        tags.get(CLUSTER_TAG).map(String::as_str) == Some(cluster)
            && tags.get(SECRET_TAG).map(String::as_str) == Some("shop/app-tls")
    })
    .await
}

#[test]
fn a_secret_certificate_is_served_rotated_in_place_and_removed_with_its_gateway() {
    let endpoint = gantry_testkit::moto::endpoint("apply with a Secret certificate");
    let aws = block_on(aws(&endpoint)).expect("runtime");
    let vpc = block_on(vpc(&aws)).expect("runtime");
    let cluster = format!("certs-{}", std::process::id());
    let dir =
        std::env::temp_dir().join(format!("gantry-secret-certificate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("gateway.yaml");
    let path = file.to_str().expect("UTF-8 path").to_string();
    let rsa_chain = fixture("rsa.crt") + &fixture("ca.crt");
    std::fs::write(&file, manifests(&rsa_chain, &fixture("rsa.key"))).expect("write");

    // The plan carries the Secret and its certificate's fingerprint, and the listener's refs
    // resolve.
    let (plan, stacks) = common::planned(&endpoint, &path, &cluster);
    let listener = &stacks[0].listeners[0];
    assert!(listener.certificates.is_empty());
    assert!(
        listener.certificate_hostnames.is_empty(),
        "no ACM discovery"
    );
    assert_eq!(listener.certificate_secrets.len(), 1);
    assert_eq!(listener.certificate_secrets[0].secret, "shop/app-tls");
    let plan_text = plan.to_string();
    assert!(!plan_text.contains("PRIVATE KEY"), "no key in the plan");
    let name = stacks[0].load_balancer.name.clone();

    let common = ["--cluster-name", cluster.as_str(), "--vpc-id", vpc.as_str()];
    let apply: Vec<&str> = ["apply", "-f", &path].into_iter().chain(common).collect();
    let first = gantry(&endpoint, &apply);
    assert!(!String::from_utf8_lossy(&first.stdout).contains("PRIVATE KEY"));
    let served = block_on(listener_certificates(&aws, &name)).expect("runtime");
    let ours = block_on(imported(&aws, &cluster)).expect("runtime");
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_eq!(served, ours, "the listener serves the imported certificate");

    // Rotation: cert-manager renews into the same Secret (here: another key and certificate).
    std::fs::write(&file, manifests(&fixture("ec.crt"), &fixture("ec.key"))).expect("write");
    gantry(&endpoint, &apply);
    assert_eq!(
        block_on(listener_certificates(&aws, &name)).expect("runtime"),
        ours,
        "same ARN after rotation"
    );
    let domain = block_on(acm::domain_name(&aws.acm, &ours[0])).expect("runtime");
    assert_eq!(domain.as_deref(), Some("ec.example.com"));

    // Delete: nothing gantry imported is left.
    let delete: Vec<&str> = ["delete", "-f", &path].into_iter().chain(common).collect();
    gantry(&endpoint, &delete);
    assert_eq!(
        block_on(imported(&aws, &cluster)).expect("runtime"),
        Vec::<String>::new()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
