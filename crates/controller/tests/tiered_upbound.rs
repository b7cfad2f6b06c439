//! Tiered gateways with Upbound's provider families (issue 17) through the real controller
//! loop against the API server stand-in, one scenario per family: the user's Gateway goes
//! to Programmed with the load balancer's DNS name, a provider error shows in its status,
//! and deleting it leaves nothing behind. The test plays Crossplane (ARNs, IDs, DNS name,
//! conditions) and Istio (shadow Gateway Programmed, shadow route Accepted).

mod support;

use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::deploy::FakeDeploy;
use support::*;
use support::{istio, tiered_seed};

const LIMIT: Duration = Duration::from_secs(60);
const TIERED: &str = "gateway.k8s.aws/tiered";
const DNS: &str = "foo-gateway-1234.us-west-2.elb.amazonaws.com";

/// The tiered class the seeds' Gateways name, configured by `tiered/tiered-config`.
fn class() -> String {
    objects::tiered_class("public-gw-gateway-class", "tiered/tiered-config")
}

fn seed(family: &str) -> String {
    format!(
        r#"
apiVersion: v1
kind: Namespace
metadata: {{name: tiered}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: tiered-config, namespace: tiered}}
data:
  region: us-west-2
  vpcID: vpc-1
  subnets: public-subnet-1, public-subnet-2, public-subnet-3
  scheme: internet-facing
{family}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: foo-gateway, namespace: tiered}}
spec:
  gatewayClassName: public-gw-gateway-class
  listeners:
  - {{name: web, port: 80, protocol: HTTP, hostname: foo.example.com}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: foo-site, namespace: tiered}}
spec:
  parentRefs: [{{kind: Gateway, name: foo-gateway}}]
  rules:
  - backendRefs: [{{name: foo-site, port: 80}}]
"#
    )
}

/// What one family's objects are called in the stand-in.
struct Family {
    /// The ConfigMap line choosing it (empty: the default).
    config: &'static str,
    namespaced: bool,
    elbv2: &'static str,
    ec2: &'static str,
    lb: &'static str,
    port: &'static str,
    sg: &'static str,
    rule: &'static str,
    /// The egress rule from the load balancer's group to the targets (`targetCIDRs`).
    egress: &'static str,
}

const NAMESPACED: Family = Family {
    config: "",
    namespaced: true,
    elbv2: "elbv2.aws.m.upbound.io",
    ec2: "ec2.aws.m.upbound.io",
    lb: "foo-gateway",
    port: "foo-gateway-80",
    sg: "foo-gateway-lb",
    rule: "foo-gateway-lb-80-tcp-0",
    egress: "foo-gateway-lb-egress-0-tcp",
};

const CLUSTER: Family = Family {
    config: "  providerFamily: upbound-cluster",
    namespaced: false,
    elbv2: "elbv2.aws.upbound.io",
    ec2: "ec2.aws.upbound.io",
    lb: "tiered.foo-gateway",
    port: "tiered.foo-gateway.80",
    sg: "tiered.foo-gateway.lb",
    rule: "tiered.foo-gateway.lb.80.tcp.0",
    egress: "tiered.foo-gateway.lb.egress.0.tcp",
};

impl Family {
    fn ns(&self) -> &'static str {
        if self.namespaced { "tiered" } else { "" }
    }

    /// (stand-in kind, name) of every cloud object of the Gateway.
    fn objects(&self) -> Vec<(String, &'static str)> {
        vec![
            (format!("SecurityGroup.{}", self.ec2), self.sg),
            (format!("SecurityGroupIngressRule.{}", self.ec2), self.rule),
            (format!("SecurityGroupEgressRule.{}", self.ec2), self.egress),
            (format!("LB.{}", self.elbv2), self.lb),
            (format!("LBTargetGroup.{}", self.elbv2), self.port),
            (format!("LBListener.{}", self.elbv2), self.port),
        ]
    }

    fn get(&self, api: &FakeApi, kind: &str, name: &str) -> Option<Value> {
        let group = if kind.starts_with("Security") {
            self.ec2
        } else {
            self.elbv2
        };
        api.get(&format!("{kind}.{group}"), self.ns(), name)
    }

    /// The provider reports on one object: its ARN (the LB its DNS name, the group its ID)
    /// and conditions.
    fn provider_reports(&self, api: &FakeApi, kind: &str, name: &str, conditions: Value) {
        let arn = format!("arn:aws:x:us-west-2:1:{}/{name}", kind.to_lowercase());
        let at_provider = if kind.starts_with("LB.") {
            json!({"arn": arn, "dnsName": DNS})
        } else if kind.starts_with("SecurityGroup.") {
            json!({"arn": arn, "id": "sg-0123"})
        } else {
            json!({"arn": arn})
        };
        api.modify(kind, self.ns(), name, |o| {
            o["status"] = json!({"atProvider": at_provider, "conditions": conditions});
        });
    }

    fn all_report(&self, api: &FakeApi, ready: bool) {
        let status = if ready { "True" } else { "False" };
        for (kind, name) in self.objects() {
            self.provider_reports(
                api,
                &kind,
                name,
                json!([{"type": "Ready", "status": status, "reason": "Available"},
                       {"type": "Synced", "status": "True", "reason": "ReconcileSuccess"}]),
            );
        }
    }
}

fn user_gateway(api: &FakeApi) -> Value {
    api.get("Gateway", "tiered", "foo-gateway")
        .expect("user Gateway")
}

fn programmed(gw: &Value) -> Option<Value> {
    condition(&gw["status"], "Programmed").cloned()
}

async fn until(what: &str, check: impl FnMut() -> bool) {
    eventually(what, LIMIT, check).await
}

async fn gateway_to_programmed_and_back_to_nothing(family: Family) {
    let api = FakeApi::new();
    let running = start(&api, Arc::new(FakeDeploy::default()), config()).await;
    api.apply_yaml(&class());
    api.apply_yaml(&seed(family.config));

    // 1. Every cloud object at once: references are the provider's `*Ref` fields.
    until("shadows and the six cloud objects", || {
        api.get("Gateway", "tiered", "foo-gateway-istio").is_some()
            && api.get("HTTPRoute", "tiered", "foo-site-istio").is_some()
            && family
                .objects()
                .iter()
                .all(|(kind, name)| api.get(kind, family.ns(), name).is_some())
    })
    .await;
    let lb = family.get(&api, "LB", family.lb).expect("LB");
    assert_eq!(
        lb["spec"]["forProvider"]["securityGroupRefs"][0]["name"],
        family.sg
    );
    assert_eq!(lb["spec"]["forProvider"]["internal"], false);
    let listener = family
        .get(&api, "LBListener", family.port)
        .expect("listener");
    let fp = &listener["spec"]["forProvider"];
    assert_eq!(fp["loadBalancerArnRef"]["name"], family.lb);
    assert_eq!(
        fp["defaultAction"][0]["targetGroupArnRef"]["name"],
        family.port
    );
    let rule = family
        .get(&api, "SecurityGroupIngressRule", family.rule)
        .expect("rule");
    assert_eq!(
        rule["spec"]["forProvider"]["securityGroupIdRef"]["name"],
        family.sg
    );
    assert_eq!(rule["spec"]["forProvider"]["cidrIpv4"], "0.0.0.0/0");
    // The load balancer's group may reach the pods: Upbound's SecurityGroup drops AWS's
    // default egress, so gantry writes it (every port, to targetCIDRs' default).
    let egress = family
        .get(&api, "SecurityGroupEgressRule", family.egress)
        .expect("egress rule");
    let fp = &egress["spec"]["forProvider"];
    assert_eq!(fp["securityGroupIdRef"]["name"], family.sg);
    assert_eq!(fp["cidrIpv4"], "0.0.0.0/0");
    assert_eq!(
        (fp["fromPort"].clone(), fp["toPort"].clone()),
        (json!(0), json!(65535))
    );
    // Namespaced objects are owned by the Gateway (every one of them); cluster-scoped ones
    // carry its labels and hold it by finalizer.
    let uid = user_gateway(&api)["metadata"]["uid"].clone();
    for (kind, name) in family.objects() {
        let o = api.get(&kind, family.ns(), name).expect("cloud object");
        let owner = &o["metadata"]["ownerReferences"][0];
        if family.namespaced {
            assert_eq!(owner["kind"], "Gateway", "{kind} {name}");
            assert_eq!(owner["name"], "foo-gateway", "{kind} {name}");
            assert_eq!(owner["uid"], uid, "{kind} {name}");
        } else {
            assert!(owner.is_null(), "{kind} {name}: {owner}");
            let labels = &o["metadata"]["labels"];
            assert_eq!(labels["gateway.k8s.aws/tiered-gateway-namespace"], "tiered");
            assert_eq!(labels["gateway.k8s.aws/tiered-gateway-name"], "foo-gateway");
        }
    }
    if !family.namespaced {
        until("the finalizer on the user Gateway", || {
            has_finalizer(&user_gateway(&api), TIERED)
        })
        .await;
    }
    assert!(
        api.get("TargetGroupBinding", "tiered", "foo-gateway-80")
            .is_none(),
        "the binding waits for the target group's ARN and the group's ID"
    );

    // 2. The provider reports ARNs and IDs: the binding follows, opening the targets to
    //    the load balancer's group.
    family.all_report(&api, false);
    until("TargetGroupBinding with ARN and networking", || {
        api.get("TargetGroupBinding", "tiered", "foo-gateway-80")
            .is_some_and(|b| {
                b["spec"]["targetGroupARN"]
                    .as_str()
                    .is_some_and(|a| a.ends_with(&format!("/{}", family.port)))
                    && b["spec"]["networking"]["ingress"][0]["from"][0]["securityGroup"]["groupID"]
                        == "sg-0123"
                    && b["spec"]["serviceRef"]["name"] == "foo-gateway-istio"
            })
    })
    .await;

    // 3. A provider error is the Gateway's Programmed message.
    family.all_report(&api, true);
    family.provider_reports(
        &api,
        &format!("LB.{}", family.elbv2),
        family.lb,
        json!([{"type": "Ready", "status": "False", "reason": "Creating"},
               {"type": "Synced", "status": "False", "reason": "ReconcileError",
                "message": "AccessDenied: not authorized to CreateLoadBalancer"}]),
    );
    until("the provider's message in Programmed", || {
        programmed(&user_gateway(&api)).is_some_and(|c| {
            c["status"] == "Unknown"
                && c["message"].as_str().is_some_and(|m| {
                    m.contains(&format!(
                        "LB {}",
                        if family.namespaced {
                            "tiered/foo-gateway"
                        } else {
                            family.lb
                        }
                    )) && m.contains("Synced=False (ReconcileError): AccessDenied")
                })
        })
    })
    .await;

    // 4. Everything ready and the shadow programmed: Programmed with the DNS name.
    family.all_report(&api, true);
    istio::reports(&api);
    until("Programmed with the load balancer's DNS name", || {
        let gw = user_gateway(&api);
        programmed(&gw).is_some_and(|c| c["status"] == "True")
            && gw["status"]["addresses"][0]["value"] == DNS
    })
    .await;
    until("the user route mirrors the shadow's conditions", || {
        api.get("HTTPRoute", "tiered", "foo-site").is_some_and(|r| {
            parent_entry(&r, TIERED, "foo-gateway", None).is_some_and(|p| is_true(p, "Accepted"))
        })
    })
    .await;

    // 5. Deleting the Gateway leaves nothing behind.
    api.delete("Gateway", "tiered", "foo-gateway");
    until("everything made for the Gateway gone", || {
        tiered_seed::gone_from_the_cluster(&api)
            && family
                .objects()
                .iter()
                .all(|(kind, _)| api.list(kind).is_empty())
    })
    .await;
    assert!(api.get("HTTPRoute", "tiered", "foo-site").is_some());
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn upbound_namespaced_gateway_to_programmed_and_deleted() {
    gateway_to_programmed_and_back_to_nothing(NAMESPACED).await;
}

#[tokio::test(start_paused = true)]
async fn upbound_cluster_gateway_to_programmed_and_deleted() {
    gateway_to_programmed_and_back_to_nothing(CLUSTER).await;
}

#[tokio::test(start_paused = true)]
async fn without_the_familys_crds_the_status_names_them() {
    let api = FakeApi::new();
    for plural in ["lbs", "lbtargetgroups", "lblisteners"] {
        api.uninstall("elbv2.aws.m.upbound.io", plural);
    }
    for plural in ["securitygroups", "securitygroupingressrules"] {
        api.uninstall("ec2.aws.m.upbound.io", plural);
    }
    let running = start(&api, Arc::new(FakeDeploy::default()), config()).await;
    api.apply_yaml(&class());
    api.apply_yaml(&seed(""));
    until("Programmed names the missing namespaced kinds only", || {
        programmed(&user_gateway(&api)).is_some_and(|c| {
            c["message"].as_str().is_some_and(|m| {
                m.contains("LB (elbv2.aws.m.upbound.io/v1beta1)")
                    && m.contains("not installed")
                    && !m.contains("elbv2.aws.crossplane.io")
            })
        })
    })
    .await;
    running.stop().await;
}

/// HTTPS on the load balancer with its certificate found in ACM by the listener's hostname
/// (the class names no `certificateARN`; the controller reads ACM's ISSUED certificates only
/// because a listener needs one). While none covers the host, the listener is refused naming
/// it and no 443 listener object exists; with one issued, the next pass writes the
/// LBListener with its ARN, and the refusal is gone.
#[tokio::test(start_paused = true)]
async fn https_certificate_found_in_acm_by_hostname() {
    let api = FakeApi::new();
    let deploy = Arc::new(FakeDeploy::default());
    deploy.add_certificate(
        "arn:aws:acm:us-west-2:1:certificate/org",
        &["*.example.org"],
    );
    let running = start(&api, deploy.clone(), config()).await;
    api.apply_yaml(&class());
    api.apply_yaml(&seed(""));
    api.modify("Gateway", "tiered", "foo-gateway", |g| {
        g["spec"]["listeners"] = json!([
            {"name": "web", "port": 80, "protocol": "HTTP", "hostname": "foo.example.com"},
            {"name": "secure", "port": 443, "protocol": "HTTPS", "hostname": "foo.example.com",
             "tls": {"certificateRefs": [{"name": "foo-example-com"}]}},
        ]);
    });
    let listener_status = |api: &FakeApi| {
        user_gateway(api)["status"]["listeners"]
            .as_array()
            .and_then(|ls| ls.iter().find(|l| l["name"] == "secure").cloned())
    };
    until("listener secure refused naming the uncovered host", || {
        listener_status(&api).is_some_and(|l| {
            condition(&l, "ResolvedRefs").is_some_and(|c| {
                let uncovered = "no ISSUED ACM certificate covers foo.example.com";
                is_false_naming(c, "InvalidCertificateRef", uncovered)
            })
        })
    })
    .await;
    assert!(deploy.certificate_reads() >= 1);
    assert!(
        NAMESPACED
            .get(&api, "LBListener", "foo-gateway-443")
            .is_none()
    );

    // A certificate is issued; the next pass (here: a change to the Gateway) finds it.
    deploy.add_certificate(
        "arn:aws:acm:us-west-2:1:certificate/foo",
        &["*.example.com"],
    );
    api.modify("Gateway", "tiered", "foo-gateway", |g| {
        g["metadata"]["annotations"] = json!({"touched": "1"});
    });
    until("LBListener 443 with the ACM certificate", || {
        NAMESPACED
            .get(&api, "LBListener", "foo-gateway-443")
            .is_some_and(|l| {
                l["spec"]["forProvider"]["certificateArn"]
                    == "arn:aws:acm:us-west-2:1:certificate/foo"
                    && l["spec"]["forProvider"]["protocol"] == "HTTPS"
            })
    })
    .await;
    until("listener secure's refs resolved", || {
        listener_status(&api)
            .is_some_and(|l| condition(&l, "ResolvedRefs").is_some_and(|c| c["status"] == "True"))
    })
    .await;
    // The shadow keeps the listener's own certificateRefs: the in-cluster gateway uses them.
    let shadow = api
        .get("Gateway", "tiered", "foo-gateway-istio")
        .expect("shadow");
    assert_eq!(
        shadow["spec"]["listeners"][1]["tls"]["certificateRefs"][0]["name"],
        "foo-example-com"
    );
    running.stop().await;
}
