//! `gantry plan` output for tiered Gateways (class `gateway.k8s.aws/tiered`): the Kubernetes
//! objects gantry would create — shadow Gateways and routes, the Crossplane resources of the
//! class's provider family, TargetGroupBindings — then the user's objects with the status
//! gantry would write. Values not known yet (ARNs, uids of objects read from manifests) show
//! as `<pending: …>`.
//!
//! [`render`] is the table format's multi-document YAML, a comment above each object saying
//! whether it can be applied now or what it waits for (the `tiered` member of the `-o json` /
//! `-o yaml` plan document is `gantry_plan`'s).

use gantry_snapshot::Snapshot;
use gantry_tiered::TieredPlan;
use serde_json::Value;

/// Multi-document YAML; empty when the plan holds nothing tiered.
pub fn render(snapshot: &Snapshot, plan: &TieredPlan, now: &str) -> String {
    let mut documents: Vec<String> = Vec::new();
    for p in &plan.objects {
        let state = if p.creatable() {
            "creatable now".to_string()
        } else {
            format!("waiting for {}", p.waiting_for.join(", "))
        };
        documents.push(format!(
            "# {} {}: {state}\n{}",
            p.kind(),
            p.key(),
            yaml(&p.object)
        ));
    }
    for object in gantry_tiered::status::objects_with_status(snapshot, plan, now) {
        documents.push(format!(
            "# with the status gantry would write\n{}",
            yaml(&object)
        ));
    }
    let mut out = documents.join("---\n");
    for problem in &plan.problems {
        out.push_str(&format!(
            "# problem: {}: {}\n",
            problem.object, problem.message
        ));
    }
    out
}

fn yaml(value: &Value) -> String {
    // A serde_json::Value always serializes; the fallback only keeps this function total.
    serde_norway::to_string(value).unwrap_or_else(|e| format!("# not serializable: {e}\n"))
}
