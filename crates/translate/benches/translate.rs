//! Translation time for G Gateways × R HTTPRoutes × 4 rules × 2 matches, whole cluster, and
//! the growth from 1× to 10× to 100× routes (should be close to linear).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use gantry_translate::{Settings, translate};
use std::fmt::Write;
use std::hint::black_box;

/// Manifests of `gateways` ALB Gateways with `routes` HTTPRoutes each; every route has 4 rules
/// of 2 matches (path prefix + header, exact path + query) and a weighted pair of backends.
fn cluster(gateways: usize, routes: usize) -> String {
    let mut y = String::from(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: alb}\nspec: {controllerName: gateway.k8s.aws/alb}\n",
    );
    for g in 0..gateways {
        let ns = format!("ns{g}");
        let _ = write!(
            y,
            "---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {{name: gw, namespace: {ns}}}\nspec:\n  gatewayClassName: alb\n  listeners:\n  - {{name: http, protocol: HTTP, port: 80}}\n"
        );
        for s in 0..2 {
            let _ = write!(
                y,
                "---\napiVersion: v1\nkind: Service\nmetadata: {{name: svc{s}, namespace: {ns}}}\nspec:\n  type: NodePort\n  ports: [{{port: 80, targetPort: 8080, nodePort: {}}}]\n",
                30000 + s
            );
        }
        for r in 0..routes {
            let _ = write!(
                y,
                "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: r{r}, namespace: {ns}}}\nspec:\n  parentRefs: [{{name: gw}}]\n  hostnames: [\"h{r}.example.com\"]\n  rules:\n"
            );
            for k in 0..4 {
                let _ = write!(
                    y,
                    "  - matches:\n    - {{path: {{type: PathPrefix, value: /p{k}}}, headers: [{{name: x-v, value: \"{k}\"}}]}}\n    - {{path: {{type: Exact, value: /e{k}}}, queryParams: [{{name: q, value: \"{k}\"}}]}}\n    backendRefs:\n    - {{name: svc0, port: 80, weight: 80}}\n    - {{name: svc1, port: 80, weight: 20}}\n"
                );
            }
        }
    }
    y
}

fn snapshot(gateways: usize, routes: usize) -> gantry_snapshot::Snapshot {
    let loaded = gantry_manifests::load_text("bench.yaml", &cluster(gateways, routes));
    assert!(!loaded.has_errors(), "benchmark manifests must load");
    loaded.snapshot
}

fn bench(c: &mut Criterion) {
    let mut settings = Settings::new("bench");
    // 50 routes × 8 matches = 400 rules per ALB, above the default quota of 100; raise the
    // quota as such a user would, so that every rule is translated and none is cut.
    settings.max_rules_per_alb = 100_000;

    let mut group = c.benchmark_group("translate");
    group.sample_size(10);
    let full = snapshot(100, 50);
    group.throughput(Throughput::Elements(100 * 50));
    group.bench_function("100 gateways x 50 routes x 4 rules x 2 matches", |b| {
        b.iter(|| black_box(translate(black_box(&full), &settings)))
    });
    for routes in [5usize, 50, 500] {
        let s = snapshot(1, routes);
        group.throughput(Throughput::Elements(routes as u64));
        group.bench_with_input(BenchmarkId::new("1 gateway, routes", routes), &s, |b, s| {
            b.iter(|| black_box(translate(black_box(s), &settings)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
