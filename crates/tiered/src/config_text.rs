//! The text forms of the class ConfigMap's values: lists (commas or newlines), `key=value`
//! maps, CIDR blocks.

use std::collections::BTreeMap;
use thiserror::Error;

/// Why a `key=value` map does not parse; the message names the ConfigMap key.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum MapError {
    #[error("{key}: entry {entry:?} is not key=value")]
    NotKeyValue { key: String, entry: String },
    #[error("{key}: entry {entry:?} has an empty key")]
    EmptyKey { key: String, entry: String },
    #[error("{key}: {entry_key} is given twice")]
    Twice { key: String, entry_key: String },
}

/// `a.b.c.d/n` or an IPv6 address with a prefix length.
pub(crate) fn is_cidr(text: &str) -> bool {
    let Some((address, prefix)) = text.split_once('/') else {
        return false;
    };
    match (address.parse::<std::net::IpAddr>(), prefix.parse::<u8>()) {
        (Ok(std::net::IpAddr::V4(_)), Ok(p)) => p <= 32,
        (Ok(std::net::IpAddr::V6(_)), Ok(p)) => p <= 128,
        _ => false,
    }
}

pub(crate) fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

pub(crate) fn parse_map(key: &str, text: &str) -> Result<BTreeMap<String, String>, MapError> {
    let mut out = BTreeMap::new();
    for entry in split_list(text) {
        let Some((k, v)) = entry.split_once('=') else {
            return Err(MapError::NotKeyValue {
                key: key.to_string(),
                entry: entry.to_string(),
            });
        };
        let k = k.trim();
        if k.is_empty() {
            return Err(MapError::EmptyKey {
                key: key.to_string(),
                entry: entry.to_string(),
            });
        }
        if out.insert(k.to_string(), v.trim().to_string()).is_some() {
            return Err(MapError::Twice {
                key: key.to_string(),
                entry_key: k.to_string(),
            });
        }
    }
    Ok(out)
}
