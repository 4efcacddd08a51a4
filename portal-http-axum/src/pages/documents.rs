//! Downloads: the documents the business published for the account and
//! for all its customers (installers, guides), newest first in pages, the
//! account's above the business's, each a download with the portal's safe
//! headers ([`crate::downloads`]). Read-only: the business publishes them
//! through its host API.

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use portal_core::documents::Document;
use portal_core::shared::{DocumentId, Formats};
use portal_i18n::Messages;

use super::billing::Visit;
use super::list::{Listing, list_url};
use super::tickets::size_text;
use super::{Layout, PageError, render};
use crate::params::{self, Source};
use crate::route_table::{PageRoutes, get};

/// The document routes, under the portal's prefix.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .route("/documents", get(list))
        .route("/documents/{id}/download", get(download))
}

/// The list's query string, as typed.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct DocumentPages {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

impl DocumentPages {
    /// This list's URL at another page.
    fn link(base: &str, page: u32) -> String {
        let pages = DocumentPages {
            page: (page > 1).then(|| page.to_string()),
        };
        list_url(base, "documents", &pages)
    }
}

/// A document as a list row, in text.
pub struct DocumentRow {
    id: String,
    title: String,
    description: Option<String>,
    folder: Option<String>,
    /// "PDF, 2 MB".
    file: String,
    published_at: String,
}

impl DocumentRow {
    fn of(document: &Document, t: Messages, formats: &Formats) -> Self {
        Self {
            id: document.id.to_string(),
            title: document.title.clone(),
            description: document.description.clone(),
            folder: document.folder.clone(),
            file: t.msg_with(
                "documents-file",
                t.arg("kind", document.file.kind.label())
                    .arg("size", size_text(t, document.file.size)),
            ),
            published_at: formats.dates.day_of(document.published_at),
        }
    }
}

#[derive(Template)]
#[template(path = "documents/list.html")]
struct ListPage {
    layout: Layout,
    list: Listing<DocumentRow>,
    /// The rows of `list` for the account, then the business's for all.
    account: Vec<DocumentRow>,
    tenant_wide: Vec<DocumentRow>,
    /// "From Acme Pest Control".
    tenant_wide_heading: String,
}

/// `/documents`: the account's and the business's documents, newest
/// first, in pages.
pub async fn list(visit: Visit, Query(pages): Query<DocumentPages>) -> Result<Response, PageError> {
    let t = visit.t();
    let page = params::page_request(pages.page.as_deref(), None, Source::Page)?;
    let documents = visit.portal().documents().list(visit.actor(), page).await?;
    let formats = visit.formats();
    let base = visit.context().base.clone();
    let mut list = Listing::of(
        t,
        &documents,
        |document| DocumentRow::of(document, t, &formats),
        |n| DocumentPages::link(&base, n),
    );
    let (mut account, mut tenant_wide) = (Vec::new(), Vec::new());
    for (row, document) in std::mem::take(&mut list.rows)
        .into_iter()
        .zip(&documents.items)
    {
        if document.is_tenant_wide() {
            tenant_wide.push(row);
        } else {
            account.push(row);
        }
    }
    let business = visit.context().tenant.settings.display_name.clone();
    let page = ListPage {
        layout: visit.layout(&t.msg("documents-title"), "documents"),
        list,
        account,
        tenant_wide,
        tenant_wide_heading: t.msg_with("documents-from-business", t.arg("business", business)),
    };
    render(axum::http::StatusCode::OK, &page)
}

/// `/documents/{id}/download`: the file, as a download with safe headers;
/// 404 unless it is the account's or the business's for all.
pub async fn download(visit: Visit, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = params::id(&id, DocumentId::parse)?;
    let blob = visit
        .portal()
        .documents()
        .download(visit.actor(), id)
        .await?;
    Ok(crate::downloads::blob(blob))
}
