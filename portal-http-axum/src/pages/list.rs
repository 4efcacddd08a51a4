//! What every list page shows under its filters: a page of rows, how
//! many there are in all, and the links to the other pages. Each list
//! turns its items into rows of its own; [`Listing::of`] does the rest
//! the same way for all of them.

use portal_core::shared::Page;
use portal_i18n::Messages;

/// One page of a list as its template shows it (`list.rows`,
/// `list.total`, `list.pager`).
pub struct Listing<R> {
    /// The page's items, in text.
    pub(in crate::pages) rows: Vec<R>,
    /// Rows in the whole list.
    pub(in crate::pages) total: u64,
    /// Links to the other pages; none while there is no page to show (a
    /// filter was refused).
    pub(in crate::pages) pager: Option<Pager>,
}

impl<R> Listing<R> {
    /// No rows and no pager: what a list shows when its filters were
    /// refused.
    pub(in crate::pages) fn empty() -> Self {
        Self {
            rows: Vec::new(),
            total: 0,
            pager: None,
        }
    }

    /// `page`'s items as rows (`row` turns one into text), its total, and
    /// its pager; `link(n)` is the URL of page n.
    pub(in crate::pages) fn of<T>(
        t: Messages,
        page: &Page<T>,
        row: impl FnMut(&T) -> R,
        link: impl Fn(u32) -> String,
    ) -> Self {
        Self {
            rows: page.items.iter().map(row).collect(),
            total: page.total,
            pager: Some(Pager::of(t, page.page, page.per_page, page.total, link)),
        }
    }
}

/// A list page's URL: `{base}/{path}`, with `filters` as its query string
/// when any is given (each list's filter struct leaves out what is blank).
pub(in crate::pages) fn list_url(
    base: &str,
    path: &str,
    filters: &impl serde::Serialize,
) -> String {
    let query = serde_urlencoded::to_string(filters).unwrap_or_default();
    if query.is_empty() {
        format!("{base}/{path}")
    } else {
        format!("{base}/{path}?{query}")
    }
}

/// Previous and next links of a paginated list.
pub struct Pager {
    pub(in crate::pages) previous: Option<String>,
    pub(in crate::pages) next: Option<String>,
    pub(in crate::pages) text: String,
}

impl Pager {
    /// Links for `page` of `total` rows; `link(n)` is the URL of page n.
    /// A page past the last (an old bookmark) links back to the last.
    pub(in crate::pages) fn of(
        t: Messages,
        page: u32,
        per_page: u32,
        total: u64,
        link: impl Fn(u32) -> String,
    ) -> Self {
        let pages = total.div_ceil(u64::from(per_page.max(1))).max(1);
        let last = u32::try_from(pages).unwrap_or(u32::MAX);
        if page > last {
            return Self {
                previous: Some(link(last)),
                next: None,
                text: t.msg_with("pager-past-last", t.count("page", page).count("last", last)),
            };
        }
        Self {
            previous: (page > 1).then(|| link(page - 1)),
            next: (page < last).then(|| link(page + 1)),
            text: t.msg_with("pager-page", t.count("page", page).count("pages", pages)),
        }
    }
}
