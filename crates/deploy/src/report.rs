//! What an apply or delete changed, for people and for the status writer.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceKind {
    LoadBalancer,
    Listener,
    Rule,
    TargetGroup,
    SecurityGroup,
    Target,
    Certificate,
    /// A WAFv2 web ACL association of a load balancer.
    WebAclAssociation,
    /// A Shield Advanced protection of a load balancer.
    ShieldProtection,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::LoadBalancer => "load balancer",
            ResourceKind::Listener => "listener",
            ResourceKind::Rule => "rule",
            ResourceKind::TargetGroup => "target group",
            ResourceKind::SecurityGroup => "security group",
            ResourceKind::Certificate => "certificate",
            ResourceKind::Target => "target",
            ResourceKind::WebAclAssociation => "web ACL association",
            ResourceKind::ShieldProtection => "Shield protection",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    Created,
    Modified,
    /// Deleted and created anew because a field can't be changed in place.
    Replaced,
    Deleted,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Created => "created",
            ChangeKind::Modified => "modified",
            ChangeKind::Replaced => "replaced",
            ChangeKind::Deleted => "deleted",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub change: ChangeKind,
    pub kind: ResourceKind,
    /// Name, id, or `<port>` / `<port>:<priority>` for listeners and rules.
    pub resource: String,
    /// What changed, briefly (`health check`, `tags`, `scheme changes to internal` …).
    pub detail: String,
}

/// Where a Gateway's load balancer can be reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub arn: String,
    pub dns_name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// `<namespace>/<name>` of the Gateway.
    pub gateway: String,
    pub changes: Vec<Change>,
    pub load_balancer: Option<Address>,
    /// With `dry_run`: the mutating calls that would have been made, in order.
    pub planned_calls: Vec<String>,
    /// Mutating calls made by this run.
    pub mutating_calls: u64,
}

impl Report {
    pub fn is_unchanged(&self) -> bool {
        self.changes.is_empty() && self.planned_calls.is_empty()
    }

    pub(crate) fn push(
        &mut self,
        change: ChangeKind,
        kind: ResourceKind,
        resource: impl Into<String>,
        detail: impl Into<String>,
    ) {
        let (resource, detail) = (resource.into(), detail.into());
        // Several calls on one resource read as one line.
        if let Some(c) = self
            .changes
            .iter_mut()
            .find(|c| c.change == change && c.kind == kind && c.resource == resource)
        {
            if !detail.is_empty() && !c.detail.split(", ").any(|d| d == detail) {
                if !c.detail.is_empty() {
                    c.detail.push_str(", ");
                }
                c.detail.push_str(&detail);
            }
            return;
        }
        self.changes.push(Change {
            change,
            kind,
            resource,
            detail,
        });
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_unchanged() {
            writeln!(f, "{}: no change", self.gateway)?;
        } else {
            writeln!(f, "{}:", self.gateway)?;
        }
        for c in &self.changes {
            write!(
                f,
                "  {} {} {}",
                c.change.as_str(),
                c.kind.as_str(),
                c.resource
            )?;
            if !c.detail.is_empty() {
                write!(f, " ({})", c.detail)?;
            }
            writeln!(f)?;
        }
        for call in &self.planned_calls {
            writeln!(f, "  would call {call}")?;
        }
        if let Some(a) = &self.load_balancer {
            writeln!(f, "  address: {}", a.dns_name)?;
        }
        Ok(())
    }
}
