//! deploy/ against the code: the chart's RBAC grants exactly what the controller uses, the
//! IAM policy exactly the AWS operations the deployer calls, the chart's CRDs are
//! `gantry crds`, and the image runs as non-root.

use gantry_controller::access::{ACCESS, LISTENER_SET_ACCESS, TIERED_ACCESS, access};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A Helm template whose templating is only in values: `{{ … }}` becomes a plain word.
fn untemplate(text: &str) -> Value {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("closed") + start + 2;
        out.push('x');
        rest = &rest[end..];
    }
    out.push_str(rest);
    serde_norway::from_str(&out).expect("template is YAML once untemplated")
}

type Grant = (String, String, String);

fn grants(rules: &Value) -> BTreeSet<Grant> {
    let mut out = BTreeSet::new();
    for rule in rules.as_array().expect("rules") {
        for g in rule["apiGroups"].as_array().unwrap() {
            for r in rule["resources"].as_array().unwrap() {
                for v in rule["verbs"].as_array().unwrap() {
                    out.insert((
                        g.as_str().unwrap().to_string(),
                        r.as_str().unwrap().to_string(),
                        v.as_str().unwrap().to_string(),
                    ));
                }
            }
        }
    }
    out
}

/// The template with its `{{- if .Values.tiered.enabled }}` and
/// `{{- if .Values.listenerSets.enabled }}` … `{{- end }}` blocks kept or dropped as Helm would
/// for those values (the chart's RBAC has no other conditionals).
fn with_values(text: &str, tiered: bool, listener_sets: bool) -> String {
    let mut out = String::new();
    let mut keep = true;
    for line in text.lines() {
        match line.trim() {
            "{{- if .Values.tiered.enabled }}" => keep = tiered,
            "{{- if .Values.listenerSets.enabled }}" => keep = listener_sets,
            "{{- end }}" => keep = true,
            _ if keep => {
                out.push_str(line);
                out.push('\n');
            }
            _ => {}
        }
    }
    assert!(keep, "an if block is closed");
    out
}

fn chart_grants(tiered: bool, listener_sets: bool) -> (BTreeSet<Grant>, BTreeSet<Grant>) {
    let cluster = with_values(
        &read("deploy/chart/gantry/templates/clusterrole.yaml"),
        tiered,
        listener_sets,
    );
    let role = with_values(
        &read("deploy/chart/gantry/templates/role.yaml"),
        tiered,
        listener_sets,
    );
    (
        grants(&untemplate(&cluster)["rules"]),
        grants(&untemplate(&role)["rules"]),
    )
}

#[test]
fn chart_rbac_grants_exactly_what_the_controller_uses_with_tiered_and_listener_sets_on_and_off() {
    for (tiered, listener_sets) in [(false, false), (false, true), (true, false), (true, true)] {
        let (cluster, role) = chart_grants(tiered, listener_sets);
        let used: BTreeSet<Grant> = access(tiered, listener_sets)
            .flat_map(|a| {
                a.verbs
                    .iter()
                    .map(|v| (a.group.to_string(), a.resource.to_string(), v.to_string()))
            })
            .collect();
        let granted: BTreeSet<Grant> = cluster.union(&role).cloned().collect();
        let missing: Vec<_> = used.difference(&granted).collect();
        let extra: Vec<_> = granted.difference(&used).collect();
        assert!(
            missing.is_empty(),
            "tiered={tiered} listener_sets={listener_sets}: used but not granted: {missing:?}"
        );
        assert!(
            extra.is_empty(),
            "tiered={tiered} listener_sets={listener_sets}: granted but not used: {extra:?}"
        );
        // ListenerSets are granted exactly when their gate is on.
        assert_eq!(
            cluster
                .iter()
                .any(|(g, r, _)| g == "gateway.networking.k8s.io" && r.starts_with("listenersets")),
            listener_sets
        );
        // The lease is only reachable in the release's namespace.
        assert!(role.iter().all(|(_, r, _)| r == "leases"));
        assert!(cluster.iter().all(|(_, r, _)| r != "leases"));
    }
}

#[test]
fn without_the_tiered_class_nothing_but_statuses_and_bindings_is_written() {
    let (cluster, _) = chart_grants(false, true);
    let writes: BTreeSet<&Grant> = cluster
        .iter()
        .filter(|(_, _, verb)| ["create", "patch", "delete", "update"].contains(&verb.as_str()))
        .collect();
    for (group, resource, verb) in &writes {
        let allowed = resource.ends_with("/status")
            || ["targetgroupbindings", "events"].contains(&resource.as_str())
            // Finalizers on the Gateways and GatewayClasses gantry programs.
            || (group == "gateway.networking.k8s.io"
                && ["gateways", "gatewayclasses"].contains(&resource.as_str())
                && verb == "patch");
        assert!(
            allowed,
            "without tiered: {verb} {group}/{resource} is granted"
        );
    }
    assert!(
        !cluster
            .iter()
            .any(|(g, _, _)| g.contains("crossplane") || g.contains("upbound")),
        "no Crossplane access without the tiered class"
    );
    let (tiered_cluster, _) = chart_grants(true, true);
    assert!(tiered_cluster.contains(&(
        "elbv2.aws.m.upbound.io".to_string(),
        "lbs".to_string(),
        "create".to_string()
    )));
}

#[test]
fn the_chart_turns_the_tiered_gate_off_with_its_rbac() {
    chart_sets_gate_after_the_users("tiered", "TieredGatewayAPI", false);
    let deployment = read("deploy/chart/gantry/templates/deployment.yaml");
    assert!(deployment.contains("value: {{ include \"gantry.featureGates\" . | quote }}"));
}

/// Asserts that the chart's `<key>.enabled` is `default` and sets the controller's gate `gate`
/// after the user's `featureGates`, so that it wins (the last setting of a gate wins in the
/// controller's parser).
fn chart_sets_gate_after_the_users(key: &str, gate: &str, default: bool) {
    let values = read("deploy/chart/gantry/values.yaml");
    let values: Value = serde_norway::from_str(&values).expect("values.yaml");
    assert_eq!(
        values[key]["enabled"],
        Value::Bool(default),
        "{key} default"
    );
    let helpers = read("deploy/chart/gantry/templates/_helpers.tpl");
    let define = helpers
        .split("{{- define \"gantry.featureGates\" -}}")
        .nth(1)
        .expect("_helpers.tpl defines gantry.featureGates");
    assert!(
        define.contains(&format!("printf \"{gate}=%t\" (.Values.{key}.enabled")),
        "{define}"
    );
    let with_user_gates = define.find("featureGates").expect("user gates first");
    assert!(with_user_gates < define.find(gate).unwrap(), "{define}");
}

/// The chart's `listenerSets.enabled` (on by default, as the gate) sets the controller's
/// `GatewayListenerSet` gate after the user's gates, so the controller never watches what the
/// ClusterRole does not grant.
#[test]
fn the_chart_sets_the_listener_set_gate_with_its_rbac() {
    chart_sets_gate_after_the_users("listenerSets", "GatewayListenerSet", true);
    for a in LISTENER_SET_ACCESS {
        assert!(!ACCESS.contains(a), "{a:?} is needed only with the gate");
    }
    let set = LISTENER_SET_ACCESS
        .iter()
        .find(|a| a.resource == "listenersets")
        .expect("listenersets");
    assert!(set.verbs.contains(&"list") && set.verbs.contains(&"watch"));
    let status = LISTENER_SET_ACCESS
        .iter()
        .find(|a| a.resource == "listenersets/status")
        .expect("listenersets/status");
    assert!(status.verbs.contains(&"patch"));
}

#[test]
fn every_watched_kind_is_in_the_access_list() {
    // The watches (kinds.rs) list and watch these; the access list must say so.
    for resource in [
        "gatewayclasses",
        "gateways",
        "httproutes",
        "grpcroutes",
        "tcproutes",
        "udproutes",
        "tlsroutes",
        "referencegrants",
        "namespaces",
        "services",
        "loadbalancerconfigurations",
        "targetgroupconfigurations",
        "listenerruleconfigurations",
        "secrets",
        "configmaps",
        "endpointslices",
        "nodes",
        "targetgroupbindings",
    ] {
        let a = ACCESS
            .iter()
            .find(|a| a.resource == resource)
            .expect(resource);
        assert!(
            a.verbs.contains(&"list") && a.verbs.contains(&"watch"),
            "{resource}"
        );
    }
}

#[test]
fn every_crossplane_kind_the_tiered_class_writes_is_in_the_access_list() {
    for ty in gantry_tiered::CloudType::all() {
        let a = TIERED_ACCESS
            .iter()
            .find(|a| a.group == ty.group() && a.resource == ty.plural())
            .unwrap_or_else(|| panic!("{} {} missing", ty.group(), ty.plural()));
        for verb in ["list", "watch", "create", "patch", "delete"] {
            assert!(
                a.verbs.contains(&verb),
                "{} {}: {verb}",
                ty.group(),
                ty.plural()
            );
        }
    }
}

/// AWS operations the deployer's source calls: SDK fluent calls `.operation_name()`, with
/// the service told by the client the call is made on (the nearest `elbv2`, `ec2`, `acm`,
/// `wafv2` or `shield` before it).
fn deployer_operations() -> BTreeSet<String> {
    const VERBS: &[&str] = &[
        "describe",
        "create",
        "delete",
        "modify",
        "set",
        "add",
        "remove",
        "register",
        "deregister",
        "authorize",
        "revoke",
        "list",
        "get",
        "import",
        "associate",
        "disassociate",
    ];
    let mut out = BTreeSet::new();
    let mut files = vec![repo().join("crates/deploy/src")];
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if p.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        for (i, _) in text.match_indices('.') {
            let ident: String = text[i + 1..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
                .collect();
            let after = i + 1 + ident.len();
            if !text[after..].starts_with("()") || ident.contains("__") {
                continue;
            }
            let Some((verb, _)) = ident.split_once('_') else {
                continue;
            };
            if !VERBS.contains(&verb) {
                continue;
            }
            let before = &text[..i];
            let service = [
                ("elbv2", "elasticloadbalancing"),
                ("ec2", "ec2"),
                ("acm", "acm"),
                ("wafv2", "wafv2"),
                ("shield", "shield"),
            ]
            .iter()
            .filter_map(|(k, s)| before.rfind(k).map(|at| (at, *s)))
            .max()
            .map(|(_, s)| s);
            let Some(service) = service else { continue };
            let action: String = ident
                .split('_')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect();
            out.insert(format!("{service}:{action}"));
        }
    }
    // Helpers of the deployer named like operations, not AWS calls.
    out.retain(|a| !a.ends_with(":DeleteEarly"));
    out
}

#[test]
fn iam_policy_allows_exactly_the_operations_the_deployer_calls() {
    let policy: Value = serde_json::from_str(&read("deploy/iam-policy.json")).unwrap();
    let allowed: BTreeSet<String> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap().iter())
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    assert!(
        allowed.iter().all(|a| !a.contains('*')),
        "no wildcard actions"
    );
    // IAM action names are case-insensitive (`wafv2:GetWebACLForResource` is the SDK's
    // `get_web_acl_for_resource`).
    let allowed: BTreeSet<String> = allowed.iter().map(|a| a.to_ascii_lowercase()).collect();
    let mut called: BTreeSet<String> = deployer_operations()
        .iter()
        .map(|a| a.to_ascii_lowercase())
        .collect();
    // Not called directly, but checked by AWS on the caller: associating or disassociating a
    // web ACL with an ALB also needs permission to set it on the load balancer.
    if called.contains("wafv2:associatewebacl") {
        called.insert("elasticloadbalancing:setwebacl".to_string());
    }
    let missing: Vec<_> = called.difference(&allowed).collect();
    let extra: Vec<_> = allowed.difference(&called).collect();
    assert!(missing.is_empty(), "called but not allowed: {missing:?}");
    assert!(extra.is_empty(), "allowed but not called: {extra:?}");
}

#[test]
fn chart_crds_are_the_ones_gantry_prints() {
    let path = repo().join("deploy/chart/gantry/crds/gantry.yaml");
    let expected = gantry_api::crds::crd_yaml();
    if std::env::var_os("GANTRY_BLESS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let found = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        found == expected,
        "deploy/chart/gantry/crds/gantry.yaml differs from `gantry crds`; GANTRY_BLESS=1 rewrites it"
    );
}

#[test]
fn image_is_multi_stage_and_runs_as_non_root() {
    let dockerfile = read("deploy/Dockerfile");
    assert!(
        dockerfile.matches("\nFROM ").count() + usize::from(dockerfile.starts_with("FROM ")) >= 2
    );
    assert!(dockerfile.contains("USER 65532"));
    let deployment = read("deploy/chart/gantry/templates/deployment.yaml");
    assert!(deployment.contains("runAsNonRoot: true"));
    let values: Value = serde_norway::from_str(&read("deploy/chart/gantry/values.yaml")).unwrap();
    assert_eq!(values["replicaCount"], 2);
}

/// MiB in a Kubernetes quantity of the binary kind the chart uses ("768Mi", "1Gi").
fn mib(quantity: &str) -> f64 {
    if let Some(n) = quantity.strip_suffix("Gi") {
        return n.parse::<f64>().expect("a number") * 1024.0;
    }
    quantity
        .strip_suffix("Mi")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{quantity}: Mi or Gi expected"))
}

#[test]
fn the_charts_memory_follows_the_benchmarked_large_cluster() {
    // The "large" row of docs/benchmarks.md's controller memory table: its last two columns
    // are the steady and peak RSS in MiB.
    let doc = read("docs/benchmarks.md");
    let row = doc
        .lines()
        .find(|l| l.starts_with("| large |"))
        .expect("the large cluster's row in docs/benchmarks.md");
    let cells: Vec<f64> = row
        .split('|')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    let (steady, peak) = (cells[cells.len() - 2], cells[cells.len() - 1]);
    let values: Value = serde_norway::from_str(&read("deploy/chart/gantry/values.yaml")).unwrap();
    let limit = mib(values["resources"]["limits"]["memory"].as_str().unwrap());
    let request = mib(values["resources"]["requests"]["memory"].as_str().unwrap());
    // The limit must not OOM-kill the controller at the measured peak; the request reserves
    // the steady figure.
    assert!(limit >= peak, "limit {limit} MiB below the peak {peak} MiB");
    assert!(
        request >= steady,
        "request {request} MiB below steady {steady} MiB"
    );
    assert!(request <= limit);
}
