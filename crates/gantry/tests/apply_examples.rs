//! `gantry apply` / `gantry delete` of every example against the moto emulator, through the
//! command line: all example load balancers are created and their addresses printed, a second
//! apply changes nothing with no mutating call, delete leaves nothing tagged for the cluster,
//! and look-alike load balancers gantry does not own survive.
//!
//! Needs `AWS_ENDPOINT_URL` (scripts/moto.sh starts moto and sets it); fails without it.

use aws_sdk_ec2::types::Filter;
use aws_sdk_elasticloadbalancingv2::types::{LoadBalancerTypeEnum, Tag as ElbTag};
mod common;

use common::{Aws, aws, gantry};
use gantry_deploy::client::block_on;
use gantry_model::Stack;
use gantry_testkit::elb;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Instant;

const CLUSTER: &str = "demo";
const CLUSTER_TAG: &str = "elbv2.k8s.aws/cluster";
/// The certificate the examples name; replaced by one that exists in the emulator's ACM.
const PLACEHOLDER_CERT: &str =
    "arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-0000-0000-000000000000";
/// moto issues a requested certificate at once when a private CA signs it.
const TEST_CA: &str = "arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/gantry-e2e";

/// A VPC of its own with one subnet per zone in two zones, each tagged for internet-facing
/// and internal load balancers. Returns (vpc, subnets).
async fn vpc(aws: &Aws) -> (String, Vec<String>) {
    let vpc = gantry_testkit::moto::vpc(&aws.config, CLUSTER, &["a", "b"]).await;
    (vpc.id, vpc.subnets)
}

async fn issued_certificate(aws: &Aws, domain: &str) -> String {
    aws.acm
        .request_certificate()
        .domain_name(domain)
        .certificate_authority_arn(TEST_CA)
        .send()
        .await
        .expect("request certificate")
        .certificate_arn
        .expect("certificate ARN")
}

/// Copies `from` into `to`, replacing the placeholder certificate ARN in YAML files.
fn copy_examples(from: &Path, to: &Path, certificate: &str) {
    std::fs::create_dir_all(to).expect("create directory");
    for entry in std::fs::read_dir(from).expect("read examples") {
        let path = entry.expect("directory entry").path();
        let target = to.join(path.file_name().expect("file name"));
        if path.is_dir() {
            copy_examples(&path, &target, certificate);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            let text = std::fs::read_to_string(&path).expect("read example");
            std::fs::write(&target, text.replace(PLACEHOLDER_CERT, certificate))
                .expect("write example");
        }
    }
}

/// One more Gateway, beside the examples, whose HTTPS listener names no certificate: gantry
/// finds it in ACM by the listener's hostname.
fn discovery_example(host: &str) -> String {
    format!(
        r#"apiVersion: v1
kind: Namespace
metadata:
  name: cert-discovery
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: secure
  namespace: cert-discovery
spec:
  gatewayClassName: aws-alb-gateway-class
  listeners:
  - name: https
    protocol: HTTPS
    port: 443
    hostname: {host}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: app
  namespace: cert-discovery
spec:
  parentRefs:
  - name: secure
  rules:
  - backendRefs:
    - name: echoserver
      port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: echoserver
  namespace: cert-discovery
spec:
  type: NodePort
  selector:
    app: echoserver
  ports:
  - port: 80
    targetPort: 8080
    nodePort: 30977
"#
    )
}

/// `(total, mutating)` from the `AWS calls: N (M mutating, …)` line `-v` makes a run print.
fn call_counts(run: &Output) -> (u64, u64) {
    let stderr = String::from_utf8_lossy(&run.stderr);
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("AWS calls: "))
        .expect("-v prints the AWS call counts");
    let mut numbers = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<u64>().expect("a number"));
    (numbers.next().unwrap(), numbers.next().unwrap())
}

/// Each Gateway's address as printed: `  address: <dns>` under its `<ns/name>:` heading.
fn addresses(stdout: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut gateway = None;
    for line in stdout.lines() {
        if !line.starts_with(' ')
            && let Some((g, _)) = line.split_once(':')
        {
            gateway = Some(g.to_string());
        } else if let (Some(g), Some(dns)) = (&gateway, line.trim().strip_prefix("address: ")) {
            out.insert(g.clone(), dns.to_string());
        }
    }
    out
}

/// Load balancers in `vpc` by name: (ARN, DNS name, tags).
async fn load_balancers(aws: &Aws, vpc: &str) -> BTreeMap<String, (String, String, Vec<ElbTag>)> {
    let lbs = elb::load_balancers(&aws.elbv2).await;
    let mut out = BTreeMap::new();
    for lb in lbs.into_iter().filter(|l| l.vpc_id.as_deref() == Some(vpc)) {
        let arn = lb.load_balancer_arn.expect("ARN");
        let tags = elb::tags(&aws.elbv2, &arn).await;
        out.insert(
            lb.load_balancer_name.expect("name"),
            (arn, lb.dns_name.unwrap_or_default(), tags),
        );
    }
    out
}

fn has_tag(tags: &[ElbTag], key: &str, value: &str) -> bool {
    tags.iter()
        .any(|t| t.key.as_deref() == Some(key) && t.value.as_deref() == Some(value))
}

/// Target groups and security groups in `vpc` tagged for the cluster.
async fn tagged_leftovers(aws: &Aws, vpc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let tgs = aws
        .elbv2
        .describe_target_groups()
        .send()
        .await
        .expect("describe target groups")
        .target_groups
        .unwrap_or_default();
    for tg in tgs.into_iter().filter(|t| t.vpc_id.as_deref() == Some(vpc)) {
        let arn = tg.target_group_arn.expect("ARN");
        if has_tag(&elb::tags(&aws.elbv2, &arn).await, CLUSTER_TAG, CLUSTER) {
            out.push(arn);
        }
    }
    let sgs = aws
        .ec2
        .describe_security_groups()
        .filters(Filter::builder().name("vpc-id").values(vpc).build())
        .filters(
            Filter::builder()
                .name(format!("tag:{CLUSTER_TAG}"))
                .values(CLUSTER)
                .build(),
        )
        .send()
        .await
        .expect("describe security groups")
        .security_groups
        .unwrap_or_default();
    out.extend(sgs.into_iter().filter_map(|s| s.group_id));
    out
}

#[test]
fn apply_reapply_and_delete_every_example() {
    let endpoint = gantry_testkit::moto::endpoint("apply_reapply_and_delete_every_example");
    let started = Instant::now();
    let pid = std::process::id();
    let aws = block_on(aws(&endpoint)).expect("runtime");
    let (vpc, subnets) = block_on(vpc(&aws)).expect("runtime");

    // A certificate for the examples' HTTPS listeners, and one for the discovered listener.
    let domain = format!("e2e-{pid}.test");
    let host = format!("app.{domain}");
    let (example_cert, wildcard_cert) = block_on(async {
        (
            issued_certificate(&aws, "example.com").await,
            issued_certificate(&aws, &format!("*.{domain}")).await,
        )
    })
    .expect("runtime");
    let dir: PathBuf = std::env::temp_dir().join(format!("gantry-apply-examples-{pid}"));
    let _ = std::fs::remove_dir_all(&dir);
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    copy_examples(&examples, &dir, &example_cert);
    std::fs::create_dir_all(dir.join("cert-discovery")).expect("create directory");
    std::fs::write(
        dir.join("cert-discovery/secure.yaml"),
        discovery_example(&host),
    )
    .expect("write discovery example");
    let files = dir.to_str().expect("UTF-8 path").to_string();

    // Look-alikes in the same VPC: one without tags, one tagged like an example's load
    // balancer but for another cluster. Neither may be touched.
    let untagged = format!("k8s-albbasic-lookalike-{pid}");
    let other_cluster = format!("k8s-albbasic-othercluster-{pid}");
    block_on(async {
        for (name, tags) in [
            (&untagged, vec![]),
            (
                &other_cluster,
                vec![
                    ElbTag::builder().key(CLUSTER_TAG).value("other").build(),
                    ElbTag::builder()
                        .key("gateway.k8s.aws.alb/stack")
                        .value("alb-basic/my-alb-gateway")
                        .build(),
                    ElbTag::builder()
                        .key("gateway.k8s.aws.alb/resource")
                        .value("LoadBalancer")
                        .build(),
                ],
            ),
        ] {
            aws.elbv2
                .create_load_balancer()
                .name(name)
                .r#type(LoadBalancerTypeEnum::Application)
                .set_subnets(Some(subnets.clone()))
                .set_tags((!tags.is_empty()).then_some(tags))
                .send()
                .await
                .expect("create look-alike");
        }
    })
    .expect("runtime");

    // The load balancers the examples should become, with their tags.
    let plan = gantry(
        &endpoint,
        &[
            "plan",
            "-f",
            &files,
            "--cluster-name",
            CLUSTER,
            "-o",
            "json",
        ],
    );
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).expect("plan JSON");
    let stacks: Vec<Stack> =
        serde_json::from_value(plan["stacks"].clone()).expect("stacks in the plan");
    assert!(stacks.len() >= 8, "every example plans a stack");
    let discovered = stacks
        .iter()
        .find(|s| s.gateway == "cert-discovery/secure")
        .expect("the discovery example's stack");
    assert_eq!(
        discovered.listeners[0].certificate_hostnames,
        [host.as_str()]
    );

    let command = |verb| -> Vec<&str> {
        let common = ["--cluster-name", CLUSTER, "--vpc-id", &vpc];
        ["-v", verb, "-f", &files]
            .into_iter()
            .chain(common)
            .collect()
    };
    let apply = command("apply");

    // 1. From empty: every load balancer, tagged for the cluster and its Gateway, and its
    //    address printed.
    let first = gantry(&endpoint, &apply);
    let (calls, mutating) = call_counts(&first);
    let printed = addresses(&String::from_utf8_lossy(&first.stdout));
    let lbs = block_on(load_balancers(&aws, &vpc)).expect("runtime");
    for stack in &stacks {
        let lb = &stack.load_balancer;
        let (_, dns, tags) = lbs
            .get(&lb.name)
            .unwrap_or_else(|| panic!("no load balancer {} for {}", lb.name, stack.gateway));
        for (k, v) in &lb.tags.0 {
            assert!(has_tag(tags, k, v), "{}: tag {k}={v} missing", lb.name);
        }
        assert_eq!(printed.get(&stack.gateway), Some(dns), "{}", stack.gateway);
        assert!(!dns.is_empty());
    }
    println!("first apply: {calls} calls, {mutating} mutating");

    // The discovered certificate is the listener's default.
    block_on(async {
        let lb_arn = &lbs[&discovered.load_balancer.name].0;
        let listeners = elb::listeners(&aws.elbv2, lb_arn).await;
        let default = listeners
            .iter()
            .find(|l| l.port == Some(443))
            .and_then(|l| l.certificates().first())
            .and_then(|c| c.certificate_arn.clone());
        assert_eq!(default, Some(wildcard_cert.clone()));
    })
    .expect("runtime");

    // 2. Again: nothing to change, no mutating call.
    let second = gantry(&endpoint, &apply);
    let stdout = String::from_utf8_lossy(&second.stdout);
    let (reapply_calls, reapply_mutating) = call_counts(&second);
    assert_eq!(reapply_mutating, 0, "a second apply changes nothing");
    for stack in &stacks {
        assert!(
            stdout.contains(&format!("{}: no change", stack.gateway)),
            "{} reported a change",
            stack.gateway
        );
    }
    println!("second apply: {reapply_calls} calls, 0 mutating");

    // 3. Delete: nothing tagged for the cluster is left; the look-alikes are.
    let deleted = gantry(&endpoint, &command("delete"));
    let (delete_calls, delete_mutating) = call_counts(&deleted);
    println!("delete: {delete_calls} calls, {delete_mutating} mutating");
    let lbs = block_on(load_balancers(&aws, &vpc)).expect("runtime");
    let owned: Vec<&String> = lbs
        .iter()
        .filter(|(_, (_, _, tags))| has_tag(tags, CLUSTER_TAG, CLUSTER))
        .map(|(name, _)| name)
        .collect();
    assert!(owned.is_empty(), "still tagged for {CLUSTER}: {owned:?}");
    let leftovers = block_on(tagged_leftovers(&aws, &vpc)).expect("runtime");
    assert!(
        leftovers.is_empty(),
        "still tagged for {CLUSTER}: {leftovers:?}"
    );
    assert!(
        lbs[&untagged].2.is_empty(),
        "the untagged look-alike got tags"
    );
    assert!(
        has_tag(&lbs[&other_cluster].2, CLUSTER_TAG, "other"),
        "the other cluster's load balancer lost its tags"
    );

    // Tidy up what the test made itself.
    block_on(async {
        for name in [&untagged, &other_cluster] {
            let _ = aws
                .elbv2
                .delete_load_balancer()
                .load_balancer_arn(&lbs[name].0)
                .send()
                .await;
        }
    })
    .expect("runtime");
    let _ = std::fs::remove_dir_all(&dir);
    println!("total: {:.1} s", started.elapsed().as_secs_f64());
}
