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

impl<T> Page<T> {
    /// The same page with its rows turned into another type all at once
    /// (a store converting its rows into models), the counts kept.
    ///
    /// ```
    /// use portal_core::shared::{Page, PageRequest};
    ///
    /// let page = Page::of(vec!["1", "2"], 7, PageRequest::new(2, 2));
    /// let numbers = page.map_items(|rows| rows.into_iter().map(str::parse::<u8>).collect());
    /// assert_eq!(numbers, Ok(Page::of(vec![1, 2], 7, PageRequest::new(2, 2))));
    /// ```
    pub fn map_items<U, E>(
        self,
        convert: impl FnOnce(Vec<T>) -> Result<Vec<U>, E>,
    ) -> Result<Page<U>, E> {
        Ok(Page {
            items: convert(self.items)?,
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        })
    }

    /// The page `request` asked for, holding `items`, of a list `total` long.
    pub fn of(items: Vec<T>, total: u64, request: PageRequest) -> Self {
        Self {
            items,
            total,
            page: request.page(),
            per_page: request.per_page(),
        }
    }
}
