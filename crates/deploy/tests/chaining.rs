//! A chained NLB → ALB pair applied in one go: the ALB first, then the NLB whose target group
//! gets the ALB registered.

mod common;

use common::*;
use gantry_model::*;

fn nlb(cluster: &str, alb_gateway: &str, name: &str) -> Stack {
    let gateway = "demo/front";
    let kind = LoadBalancerType::Network;
    let mut s = alb(cluster, gateway, name);
    s.load_balancer.kind = kind;
    s.load_balancer.tags = tags(cluster, gateway, kind, "LoadBalancer");
    s.load_balancer.security_groups = vec![];
    s.security_group = None;
    let (ns, alb_name) = alb_gateway.split_once('/').unwrap();
    let mut tg = target_group(cluster, &s, "alb", 80);
    tg.protocol = Protocol::Tcp;
    tg.protocol_version = None;
    tg.target_type = TargetType::Alb;
    tg.backend = Backend {
        kind: "Gateway".into(),
        namespace: ns.into(),
        name: alb_name.into(),
        port: 80,
        load_balancer: Some(ArnRef::Planned(format!("{alb_gateway}/LoadBalancer"))),
    };
    let to_alb = forward(&[(&tg.id, 1)]);
    s.listeners = vec![listener(cluster, gateway, kind, 80, Protocol::Tcp, to_alb)];
    s.target_groups = vec![tg];
    s.depends_on = vec![alb_gateway.into()];
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chained_nlb_and_alb_are_created_in_one_apply() {
    let fx = Fixture::start("chaining", "chain").await;
    let back = web_stack(&fx.cluster, "demo/back", &format!("k8s-{}-b", fx.cluster));
    let front = nlb(&fx.cluster, "demo/back", &format!("k8s-{}-f", fx.cluster));
    let d = fx.deployer();
    // Given in the wrong order on purpose.
    let stacks = vec![front.clone(), back.clone()];
    let results = d.apply_all(&stacks).await;
    let order: Vec<&str> = results.iter().map(|(g, _)| g.as_str()).collect();
    assert_eq!(order, ["demo/back", "demo/front"]);
    let mut alb_arn = String::new();
    for (gateway, r) in &results {
        let report = r.as_ref().unwrap_or_else(|e| panic!("{gateway}: {e}"));
        println!("{report}");
        if gateway == "demo/back" {
            alb_arn = report.load_balancer.clone().unwrap().arn;
        }
    }
    let tgs = fx
        .elbv2
        .describe_target_groups()
        .names(&front.target_groups[0].name)
        .send()
        .await
        .unwrap()
        .target_groups
        .unwrap();
    let tg_arn = tgs[0].target_group_arn.as_deref().unwrap();
    let targets = gantry_testkit::elb::target_health(&fx.elbv2, tg_arn).await;
    let ids: Vec<_> = targets
        .iter()
        .filter_map(|t| t.target.as_ref()?.id.clone())
        .collect();
    assert_eq!(ids, [alb_arn]);

    let again = d.apply_all(&stacks).await;
    for (g, r) in &again {
        assert_eq!(r.as_ref().unwrap().mutating_calls, 0, "{g}");
    }
    delete_stacks(&d, &stacks).await;
    assert!(fx.tagged().await.is_empty(), "{:?}", fx.tagged().await);
}
