//! List pagination (`limit` and `continue`), as reflectors ask for it. The continue token is
//! the offset of the next page: a page boundary may shift when objects come or go between
//! pages (a real API server lists every page from one snapshot); no caller here relies on it.

use std::collections::BTreeMap;

pub(crate) struct Page {
    pub(crate) offset: usize,
    pub(crate) limit: usize,
}

impl Page {
    /// The page a list request's query asks for; everything when it gives no limit.
    pub(crate) fn of(query: &BTreeMap<String, String>) -> Page {
        Page {
            offset: query
                .get("continue")
                .and_then(|c| c.parse().ok())
                .unwrap_or(0),
            limit: query
                .get("limit")
                .and_then(|l| l.parse().ok())
                .filter(|l| *l > 0)
                .unwrap_or(usize::MAX),
        }
    }

    /// The continue token of the page after this one.
    pub(crate) fn next(&self) -> usize {
        self.offset.saturating_add(self.limit)
    }
}
