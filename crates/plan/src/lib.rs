//! The plan of one snapshot, as `gantry plan` shows it: the desired AWS [`Stack`]s of the
//! ALB/NLB classes, the status of every Gateway API object, and the Kubernetes objects of the
//! tiered class. Pure, like the translations it joins.
//!
//! ```text
//!  Snapshot ─┬─► gantry_translate::translate ─► stacks + statuses ─┐
//!            └─► gantry_tiered::plan ─────────► tiered objects ────┴─► Plan ─► Document
//! ```
#![forbid(unsafe_code)]

mod objects;

use gantry_gateway::Problem;
use gantry_model::Stack;
use gantry_snapshot::Snapshot;
use gantry_tiered::{Observed, TieredPlan, TieredSettings};
use gantry_translate::{Settings, Translation};
use serde::Serialize;
use serde_json::Value;

/// Both translations of one snapshot.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The ALB/NLB classes: stacks, statuses, problems.
    pub translation: Translation,
    /// The tiered class, planned with nothing observed yet (no Crossplane resource read).
    pub tiered: TieredPlan,
}

/// The plan as a document: `{"stacks", "objects", "problems", "tiered"?}`.
#[derive(Serialize)]
pub struct Document<'p> {
    pub stacks: &'p [Stack],
    /// The Gateway API objects of the input, each with the `.status` gantry would write.
    pub objects: Vec<Value>,
    /// Things worth knowing that are not a status (or that no status can carry).
    pub problems: &'p [Problem],
    /// Tiered Gateways become Kubernetes objects rather than AWS stacks: `{"planned",
    /// "objects", "problems"}`, absent when the snapshot holds nothing tiered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tiered: Option<Value>,
}

impl Plan {
    pub fn new(snapshot: &Snapshot, settings: &Settings, tiered: &TieredSettings) -> Plan {
        Plan {
            translation: gantry_translate::translate(snapshot, settings),
            tiered: gantry_tiered::plan(snapshot, &Observed::default(), tiered),
        }
    }

    /// The document, with statuses rendered at `now` (their `lastTransitionTime`).
    pub fn document<'p>(&'p self, snapshot: &Snapshot, now: &str) -> Document<'p> {
        Document {
            stacks: &self.translation.stacks,
            objects: objects::with_status(snapshot, &self.translation, now),
            problems: &self.translation.problems,
            tiered: gantry_tiered::status::document(snapshot, &self.tiered, now),
        }
    }
}
