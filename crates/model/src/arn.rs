use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A reference to an AWS resource: either an ARN that exists, or a resource of the same plan
/// that is created first and whose ARN is known only at deploy time.
///
/// Serialized as a plain string: real ARNs start with `arn:`, planned ones are the resource id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ArnRef {
    Existing(String),
    Planned(String),
}

impl ArnRef {
    pub fn as_str(&self) -> &str {
        match self {
            ArnRef::Existing(s) | ArnRef::Planned(s) => s,
        }
    }
}

impl fmt::Display for ArnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ArnRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ArnRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(if s.starts_with("arn:") {
            ArnRef::Existing(s)
        } else {
            ArnRef::Planned(s)
        })
    }
}
