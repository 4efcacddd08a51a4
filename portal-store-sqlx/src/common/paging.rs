//! A list page from rows read with `COUNT(*) OVER () AS full_count`, the
//! way every paged list here reads its length with its rows: only a page
//! past the end (no rows to carry the count) costs a second query.

use portal_core::ports::StoreError;
use portal_core::shared::{Page, PageRequest};

use super::{Arg, Conn};
use crate::error::backend;

/// The page of `rows` (each with the list's length) at `page`; when there
/// are none past the first page, `count_sql` over `count_args` says how
/// many the list holds.
pub(crate) async fn counted_page<C: Conn, R, T>(
    conn: &mut C,
    page: PageRequest,
    rows: Vec<(R, i64)>,
    count_sql: &'static str,
    count_args: &[Arg<'_>],
) -> Result<Page<T>, StoreError>
where
    T: TryFrom<R, Error = StoreError>,
{
    let total = match rows.first() {
        Some((_, count)) => *count,
        None if page.offset() == 0 => 0,
        None => conn
            .fetch_optional::<(i64,)>(count_sql, count_args)
            .await?
            .map_or(0, |(count,)| count),
    };
    let items = rows
        .into_iter()
        .map(|(row, _)| T::try_from(row))
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        total: u64::try_from(total).map_err(backend)?,
        page: page.page(),
        per_page: page.per_page(),
    })
}

/// `page`'s `LIMIT` and `OFFSET` as bound values.
pub(crate) fn limit_offset(page: PageRequest) -> Result<(i64, i64), StoreError> {
    Ok((
        i64::from(page.per_page()),
        i64::try_from(page.offset()).map_err(backend)?,
    ))
}
