//! Pagination for every list: a page number and a size with a hard cap, so
//! no request can ask the database for an unbounded result.

use serde::{Deserialize, Serialize};

/// Which page of a list to read. Pages start at 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    page: u32,
    per_page: u32,
}

impl PageRequest {
    /// The largest page size anyone may ask for.
    pub const MAX_PER_PAGE: u32 = 100;
    /// The page size when none is given.
    pub const DEFAULT_PER_PAGE: u32 = 25;

    /// Clamps `page` to at least 1 and `per_page` to 1..=[`Self::MAX_PER_PAGE`].
    pub fn new(page: u32, per_page: u32) -> Self {
        Self {
            page: page.max(1),
            per_page: per_page.clamp(1, Self::MAX_PER_PAGE),
        }
    }

    /// The 1-based page number.
    pub fn page(&self) -> u32 {
        self.page
    }

    /// Rows per page.
    pub fn per_page(&self) -> u32 {
        self.per_page
    }

    /// Rows to skip.
    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::new(1, Self::DEFAULT_PER_PAGE)
    }
}

/// One page of a list and the total count.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Page<T> {
    /// The rows on this page.
    pub items: Vec<T>,
    /// Rows in the whole list.
    pub total: u64,
    /// The page that was read.
    pub page: u32,
    /// The page size used.
    pub per_page: u32,
}
