use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A reference to an AWS resource: either an ARN that exists, or a resource of the same plan
/// that is created first and whose ARN is known only at deploy time.
///
/// Serialized as a plain string: real ARNs start with `arn:`, target groups named by a
/// `TargetGroupName` backendRef with [`NAMED_PREFIX`], planned ones are the resource id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ArnRef {
    Existing(String),
    Planned(String),
    /// A target group managed outside gantry, by name (a `TargetGroupName` backendRef): the
    /// deployer looks its ARN up and never modifies nor deletes it.
    TargetGroupName(String),
}

/// How a [`ArnRef::TargetGroupName`] serializes: `TargetGroupName:<name>` (no planned id
/// starts so: they start with a namespace, which is lower case).
pub const NAMED_PREFIX: &str = "TargetGroupName:";

impl ArnRef {
    /// The ARN, the planned id, or the target group name.
    pub fn as_str(&self) -> &str {
        match self {
            ArnRef::Existing(s) | ArnRef::Planned(s) | ArnRef::TargetGroupName(s) => s,
        }
    }
}

impl fmt::Display for ArnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let ArnRef::TargetGroupName(_) = self {
            f.write_str(NAMED_PREFIX)?;
        }
        f.write_str(self.as_str())
    }
}

impl Serialize for ArnRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ArnRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(if s.starts_with("arn:") {
            ArnRef::Existing(s)
        } else if let Some(name) = s.strip_prefix(NAMED_PREFIX) {
            ArnRef::TargetGroupName(name.to_string())
        } else {
            ArnRef::Planned(s)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_reference_round_trips() {
        for r in [
            ArnRef::Existing("arn:aws:elasticloadbalancing:x".into()),
            ArnRef::Planned("ns/gw:tg".into()),
            ArnRef::TargetGroupName("legacy-tg".into()),
        ] {
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(serde_json::from_str::<ArnRef>(&json).unwrap(), r, "{json}");
        }
        assert_eq!(
            ArnRef::TargetGroupName("t".into()).to_string(),
            "TargetGroupName:t"
        );
    }
}
