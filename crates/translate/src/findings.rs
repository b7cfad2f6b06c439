//! What building one Gateway's load balancer finds wrong, for its statuses and the problem
//! list: per route, per listener, and configuration not applied.

use crate::Problem;
use crate::refs::Unresolved;
use crate::routes::{Route, RouteKind};
use crate::status::reasons::Reason;
use gantry_snapshot::ObjectKey;
use std::collections::{BTreeMap, BTreeSet};

/// Accumulated while building; turned into statuses once building is done.
pub struct Findings {
    /// `Gateway <namespace>/<name>`: the object the problems are about.
    object: String,
    pub reports: BTreeMap<RouteId, RouteReport>,
    /// Listener-level problems found while building, by Gateway listener index.
    pub listener_problems: BTreeMap<usize, (Reason, String)>,
    pub problems: Vec<Problem>,
    /// Configuration fields not applied, and why: also in the Gateway's status.
    pub ignored: Vec<String>,
}

/// A route, by kind and key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RouteId {
    pub kind: RouteKind,
    pub key: ObjectKey,
}

impl RouteId {
    pub fn of(route: &Route) -> Self {
        RouteId {
            kind: route.kind,
            key: route.key.clone(),
        }
    }
}

/// What building found wrong with one route on this Gateway.
#[derive(Clone, Debug, Default)]
pub struct RouteReport {
    /// The route is refused on this Gateway as a whole.
    pub rejected: Option<(Reason, String)>,
    /// backendRefs that did not resolve.
    pub unresolved: Vec<Unresolved>,
    /// Target groups of its `TargetGroupName` backendRefs, forwarded to by name.
    pub target_group_names: BTreeSet<String>,
    /// Rules or rule matches left out, and how many load balancer rules or listeners the
    /// route did produce: together they decide between `PartiallyInvalid` (some programmed)
    /// and `Accepted=False` (none).
    pub dropped: Vec<Dropped>,
    pub programmed: usize,
}

/// A rule, or one match of it, left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dropped {
    pub rule: usize,
    /// None: the whole rule.
    pub r#match: Option<usize>,
    pub why: String,
}

impl Findings {
    pub fn new(gateway: &ObjectKey) -> Self {
        Findings {
            object: format!("Gateway {gateway}"),
            reports: BTreeMap::new(),
            listener_problems: BTreeMap::new(),
            problems: Vec::new(),
            ignored: Vec::new(),
        }
    }

    pub fn report(&mut self, route: &Route) -> &mut RouteReport {
        self.reports.entry(RouteId::of(route)).or_default()
    }

    /// Records that one match of a rule cannot be programmed.
    pub fn drop_match(&mut self, route: &Route, rule: usize, m: Option<usize>, why: String) {
        let dropped = Dropped {
            rule,
            r#match: m,
            why,
        };
        let report = self.report(route);
        if !report.dropped.contains(&dropped) {
            report.dropped.push(dropped);
        }
    }

    /// Records that a whole rule cannot be programmed.
    pub fn drop_rule(&mut self, route: &Route, rule: usize, why: String) {
        self.drop_match(route, rule, None, why)
    }

    pub fn unresolved(&mut self, route: &Route, u: Unresolved) {
        let report = self.report(route);
        if !report.unresolved.contains(&u) {
            report.unresolved.push(u);
        }
    }

    /// `route` forwards to the target group named `name` (a `TargetGroupName` backendRef).
    pub fn target_group_name(&mut self, route: &Route, name: &str) {
        self.report(route)
            .target_group_names
            .insert(name.to_string());
    }

    pub fn reject(&mut self, route: &Route, reason: Reason, message: String) {
        let report = self.report(route);
        if report.rejected.is_none() {
            report.rejected = Some((reason, message));
        }
    }

    pub fn problem(&mut self, message: String) {
        self.problems.push(Problem {
            object: self.object.clone(),
            message,
        });
    }

    /// A problem with the Gateway listeners `listeners` (by index): in the status of each, and
    /// once in the problem list.
    pub fn listener_problem(&mut self, listeners: &[usize], reason: Reason, message: String) {
        for &li in listeners {
            self.listener_problems.insert(li, (reason, message.clone()));
        }
        self.problem(message);
    }

    /// A configuration field that is not applied: a problem, and named in the Gateway's
    /// `gateway.k8s.aws/ConfigurationApplied` condition (never dropped silently).
    pub fn ignored(&mut self, message: String) {
        if !self.ignored.contains(&message) {
            self.ignored.push(message.clone());
            self.problem(message);
        }
    }
}
