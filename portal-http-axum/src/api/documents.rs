//! Documents over JSON: the account's and the business's tenant-wide
//! documents (newest first, in pages), one document, and its file. A
//! malformed, unknown, unpublished or another account's document id is
//! 404, the same answer for each.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use portal_core::documents::Document;
use portal_core::shared::DocumentId;

use crate::AppState;
use crate::api::{ApiPath, ApiQuery, wire};
use crate::error::{ApiError, Problem};
use crate::params::{self, Source};
use crate::security::ApiUser;

/// The document routes, mounted under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/documents", get(list_documents))
        .route("/documents/{id}", get(get_document))
        .route("/documents/{id}/download", get(download_document))
}

/// The page of the document list; unknown parameters are refused (400).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DocumentListParams {
    /// Page, from 1.
    #[param(value_type = Option<wire::Count>)]
    page: Option<String>,
    /// Page size, 1 to 100 (default 25; larger is capped).
    #[param(value_type = Option<wire::Count>)]
    per_page: Option<String>,
}

/// A published document.
#[derive(Serialize, ToSchema)]
pub struct DocumentView {
    /// Our id (its file is `GET /api/v1/documents/{id}/download`).
    #[schema(value_type = wire::Id)]
    pub id: DocumentId,
    /// Whether it is the business's for all its customers (not the
    /// account's own).
    pub tenant_wide: bool,
    /// Its title.
    pub title: String,
    /// A line or two about it.
    pub description: Option<String>,
    /// The folder the business files it under.
    pub folder: Option<String>,
    /// The file's name.
    pub file_name: String,
    /// The file's media type.
    pub media_type: String,
    /// The file's size in bytes.
    pub size: u64,
    /// When its current file was published.
    pub published_at: DateTime<Utc>,
}

impl From<&Document> for DocumentView {
    fn from(document: &Document) -> Self {
        Self {
            id: document.id,
            tenant_wide: document.is_tenant_wide(),
            title: document.title.clone(),
            description: document.description.clone(),
            folder: document.folder.clone(),
            file_name: document.file.name.as_str().to_owned(),
            media_type: document.file.kind.media_type().to_owned(),
            size: document.file.size,
            published_at: document.published_at,
        }
    }
}

/// One page of documents.
#[derive(Serialize, ToSchema)]
pub struct DocumentPageView {
    /// The documents on this page, newest first.
    pub items: Vec<DocumentView>,
    /// Documents in the whole list.
    pub total: u64,
    /// The page that was read.
    pub page: u32,
    /// The page size used.
    pub per_page: u32,
}

/// One page of the documents the active account may download: its own
/// and the business's for all its customers, newest first.
#[utoipa::path(get, path = "/api/v1/documents", tag = "documents", security(("bearer" = [])), params(DocumentListParams),
    responses((status = 200, body = DocumentPageView), (status = 400, body = Problem, description = "an unknown parameter"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "downloads are off, or the contact may not see documents"),
        (status = 422, body = Problem, description = "a malformed page; `field` names it")))]
pub async fn list_documents(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiQuery(query): ApiQuery<DocumentListParams>,
) -> Result<Json<DocumentPageView>, ApiError> {
    let page = params::page_request(
        query.page.as_deref(),
        query.per_page.as_deref(),
        Source::Api,
    )?;
    let page = state.portal.documents().list(&auth.actor, page).await?;
    Ok(Json(DocumentPageView {
        items: page.items.iter().map(DocumentView::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// One document the account may download.
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "document id")),
    responses((status = 200, body = DocumentView), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "downloads are off, or the contact may not see documents"),
        (status = 404, body = Problem, description = "unknown, malformed, unpublished, or another account's")))]
pub async fn get_document(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DocumentView>, ApiError> {
    let id = params::id(&id, DocumentId::parse)?;
    let document = state.portal.documents().document(&auth.actor, id).await?;
    Ok(Json(DocumentView::from(&document)))
}

/// A document's file, as an attachment of the media type the portal read
/// from its content (`nosniff`, a sandboxing CSP, never cached).
#[utoipa::path(get, path = "/api/v1/documents/{id}/download", tag = "documents", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "document id")),
    responses((status = 200, description = "the file, as an attachment",
            content((String = "application/pdf"), (String = "image/jpeg"), (String = "image/png"),
                (String = "image/webp"), (String = "image/heic"), (String = "text/plain; charset=utf-8"))),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "downloads are off, or the contact may not see documents"),
        (status = 404, body = Problem, description = "unknown, malformed, unpublished, or another account's")))]
pub async fn download_document(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let id = params::id(&id, DocumentId::parse)?;
    let blob = state.portal.documents().download(&auth.actor, id).await?;
    Ok(crate::downloads::blob(blob))
}
