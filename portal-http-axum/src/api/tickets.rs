//! Support tickets over JSON: what the "open a ticket" form offers, the
//! account's tickets (open ones first, in pages), opening one with files,
//! one ticket with its thread and attachments, replying, reopening, and
//! downloading an attachment.
//!
//! Opening and replying take `multipart/form-data` (text parts and zero
//! or more `file` parts), read as the pages read it ([`crate::uploads`]):
//! each file streams into the blob store as it arrives, checked against
//! the business's limits (a file too large, of a kind not allowed, or
//! whose name says another kind: 422 naming `file`; a name holding a path:
//! 422 as well). When anything is refused the files already stored are
//! removed, so a refused message leaves nothing: no ticket, no message, no
//! host event, no file. A malformed, unknown or another account's ticket
//! or attachment id is 404.

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use portal_core::PortalError;
use portal_core::access::{Actor, Permission, authorize};
use portal_core::blobs::BlobLimits;
use portal_core::shared::{AttachmentId, TicketId};
use portal_core::tickets::{Attachment, Author, Ticket, TicketForm, TicketMessage, TicketThread};

use crate::AppState;
use crate::api::requests::ReferenceView;
use crate::api::{ApiMultipart, ApiPath, ApiQuery, read_parts, wire};
use crate::context::RequestContext;
use crate::error::{ApiError, Problem};
use crate::params::{self, Source, TicketFilterText};
use crate::security::ApiUser;
use crate::uploads::{self, FilesFor};

/// The ticket routes, mounted under `/api/v1`.
pub fn routes() -> Router<AppState> {
    let uploads = || DefaultBodyLimit::max(uploads::MAX_UPLOAD_BODY);
    Router::new()
        .route("/ticket-form", get(ticket_form))
        .route(
            "/tickets",
            get(list_tickets).post(create_ticket).layer(uploads()),
        )
        .route("/tickets/{id}", get(get_ticket))
        .route("/tickets/{id}/replies", post(reply_ticket).layer(uploads()))
        .route("/tickets/{id}/reopen", post(reopen_ticket))
        .route(
            "/tickets/{id}/attachments/{attachment}",
            get(download_attachment),
        )
}

/// The text parts a new ticket's body may have.
const TICKET_PARTS: &[&str] = &["category", "body", "job"];

/// The text parts a reply's body may have.
const REPLY_PARTS: &[&str] = &["body"];

/// A ticket category the customer picks from.
#[derive(Serialize, ToSchema)]
pub struct TicketCategoryView {
    /// What `POST /tickets` takes as `category`.
    #[schema(example = "billing")]
    pub key: String,
    /// What the customer reads.
    #[schema(example = "Billing question")]
    pub name: String,
}

/// What each file sent with a message is held to.
#[derive(Serialize, ToSchema)]
pub struct FileRulesView {
    /// The most `file` parts one message may have (0: none).
    pub max_files: u8,
    /// The most bytes one file may have.
    pub max_bytes: u64,
    /// The kinds accepted, told from the content (not the name or the
    /// part's `Content-Type`); a name's extension must suit its kind.
    #[schema(value_type = Vec<wire::FileKind>)]
    pub kinds: Vec<String>,
}

/// A job the ticket may be about.
#[derive(Serialize, ToSchema)]
pub struct TicketJobView {
    /// What `POST /tickets` takes as `job`.
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// The business's number for it.
    #[schema(example = "J-1042")]
    pub number: String,
    /// What is to be done.
    pub title: String,
}

/// What opening a ticket takes.
#[derive(Serialize, ToSchema)]
pub struct TicketFormView {
    /// The categories, in the business's order.
    pub categories: Vec<TicketCategoryView>,
    /// The longest message (the opening text or a reply), in characters.
    pub max_body_chars: u32,
    /// What files may be attached.
    pub files: FileRulesView,
    /// The account's upcoming and waiting jobs, to say which one the
    /// ticket is about (empty when services are off).
    pub jobs: Vec<TicketJobView>,
}

impl FileRulesView {
    /// At most `max_files` files, each held to `limits`.
    pub(super) fn of(max_files: u8, limits: &BlobLimits) -> Self {
        Self {
            max_files,
            max_bytes: limits.max_bytes,
            kinds: limits
                .allowed
                .iter()
                .map(|kind| kind.code().to_owned())
                .collect(),
        }
    }
}

impl From<&TicketForm> for TicketFormView {
    fn from(form: &TicketForm) -> Self {
        Self {
            categories: form
                .categories
                .iter()
                .map(|category| TicketCategoryView {
                    key: category.key.clone(),
                    name: category.name.clone(),
                })
                .collect(),
            max_body_chars: form.max_body_chars,
            files: FileRulesView::of(form.max_attachments, &form.limits),
            jobs: form
                .jobs
                .iter()
                .map(|job| TicketJobView {
                    id: job.id.to_string(),
                    number: job.number.clone(),
                    title: job.title.clone(),
                })
                .collect(),
        }
    }
}

/// The filter and page of the ticket list; unknown parameters are
/// refused (400).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TicketListParams {
    /// Which tickets (default `all`: open ones first, then closed ones,
    /// as far as the business shows each).
    #[param(value_type = Option<wire::TicketFilter>)]
    status: Option<String>,
    /// Page, from 1.
    #[param(value_type = Option<wire::Count>)]
    page: Option<String>,
    /// Page size, 1 to 100 (default 25; larger is capped).
    #[param(value_type = Option<wire::Count>)]
    per_page: Option<String>,
}

/// The category a ticket was opened in, as it was named then.
#[derive(Serialize, ToSchema)]
pub struct TicketCategoryRefView {
    /// Its key.
    #[schema(example = "billing")]
    pub key: String,
    /// Its name when the ticket was opened.
    pub name: String,
}

/// A ticket of the account, without its thread.
#[derive(Serialize, ToSchema)]
pub struct TicketView {
    /// Id.
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// Its number, counted per business from 1.
    pub number: u64,
    /// The opening text's first line (at most 80 characters).
    pub subject: String,
    /// The category picked.
    pub category: TicketCategoryRefView,
    /// Where it stands.
    #[schema(value_type = wire::TicketStatus)]
    pub status: String,
    /// The job it is about, if any.
    pub job: Option<ReferenceView>,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// When it last changed (a message, a status).
    pub updated_at: DateTime<Utc>,
    /// How many messages its thread holds (the opening text included).
    pub messages: u32,
}

impl From<&Ticket> for TicketView {
    fn from(ticket: &Ticket) -> Self {
        Self {
            id: ticket.id.to_string(),
            number: ticket.number,
            subject: ticket.subject.clone(),
            category: TicketCategoryRefView {
                key: ticket.category.key.clone(),
                name: ticket.category.name.clone(),
            },
            status: ticket.status.as_str().to_owned(),
            job: ticket.job.as_ref().map(ReferenceView::of),
            opened_at: ticket.opened_at,
            updated_at: ticket.updated_at,
            messages: ticket.messages,
        }
    }
}

/// One page of tickets.
#[derive(Serialize, ToSchema)]
pub struct TicketPageView {
    /// The tickets on this page: open ones first, then closed ones, each
    /// latest activity first.
    pub items: Vec<TicketView>,
    /// All tickets on this list.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

/// A file attached to a message.
#[derive(Serialize, ToSchema)]
pub struct AttachmentView {
    /// Id.
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// The sender's name for it, cleaned (the kind's extension added when
    /// it had none).
    #[schema(example = "photo.png")]
    pub name: String,
    /// Its kind, from its content.
    #[schema(value_type = wire::FileKind)]
    pub kind: String,
    /// The media type it downloads as.
    #[schema(example = "image/png")]
    pub media_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// Where to download it (with the bearer token):
    /// `GET /api/v1/tickets/{id}/attachments/{attachment}` or
    /// `GET /api/v1/requests/{id}/attachments/{attachment}`.
    pub url: String,
}

impl AttachmentView {
    /// `file`, downloaded from under `files` (its record's attachments'
    /// URL).
    pub(super) fn of(file: &Attachment, files: String) -> Self {
        Self {
            id: file.id.to_string(),
            name: file.name.as_str().to_owned(),
            kind: file.kind.code().to_owned(),
            media_type: file.kind.media_type().to_owned(),
            size: file.size,
            url: format!("{files}/{}", file.id),
        }
    }
}

/// Who wrote a message.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthorKind {
    /// A contact of the account.
    Customer,
    /// The business's staff.
    Staff,
}

/// One message of a thread: the opening text or a reply.
#[derive(Serialize, ToSchema)]
pub struct TicketMessageView {
    /// Id.
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// Who wrote it.
    pub author: AuthorKind,
    /// Their name.
    pub author_name: String,
    /// What they wrote, as written (plain text: show it as text).
    pub body: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The files attached to it.
    pub attachments: Vec<AttachmentView>,
}

/// A ticket with its thread, oldest message first.
#[derive(Serialize, ToSchema)]
pub struct TicketThreadView {
    /// The ticket.
    pub ticket: TicketView,
    /// Its messages, oldest first.
    pub messages: Vec<TicketMessageView>,
}

impl TicketThreadView {
    /// The thread, its attachments' URLs under `base` (the mount path).
    fn of(thread: &TicketThread, base: &str) -> Self {
        let ticket = thread.ticket.id;
        let attachment = |file: &Attachment| {
            AttachmentView::of(file, format!("{base}/api/v1/tickets/{ticket}/attachments"))
        };
        let message = |message: &TicketMessage| {
            let (author, author_name) = match &message.author {
                Author::Customer { name, .. } => (AuthorKind::Customer, name.clone()),
                Author::Staff { name } => (AuthorKind::Staff, name.clone()),
            };
            TicketMessageView {
                id: message.id.to_string(),
                author,
                author_name,
                body: message.body.clone(),
                at: message.at,
                attachments: message.attachments.iter().map(attachment).collect(),
            }
        };
        Self {
            ticket: TicketView::from(&thread.ticket),
            messages: thread.messages.iter().map(message).collect(),
        }
    }
}

/// A new ticket, as the parts of a `multipart/form-data` body. Parts not
/// listed here are refused (400).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Only its schema is used: the body is read part by part.
pub struct NewTicketForm {
    /// The category's key, one of `GET /ticket-form`'s.
    #[schema(example = "billing", pattern = r"^[a-z][a-z0-9_-]{0,39}$")]
    category: String,
    /// The message: 1 to the business's `max_body_chars` characters (not
    /// only spaces); its first line becomes the subject.
    #[schema(
        min_length = 1,
        max_length = 10000,
        example = "The gate was left open after the visit"
    )]
    body: String,
    /// The job it is about, one of `GET /ticket-form`'s `jobs` by id
    /// (blank or absent for none).
    #[schema(
        value_type = Option<String>,
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$",
        example = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
    )]
    job: Option<String>,
    /// Files, each a part named `file` with a file name: at most the
    /// form's `files.max_files`, each of its `files.kinds` and at most
    /// `files.max_bytes`.
    #[schema(value_type = Vec<String>, format = Binary, required = false)]
    file: Option<Vec<Vec<u8>>>,
}

/// A reply, as the parts of a `multipart/form-data` body. Parts not
/// listed here are refused (400).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Only its schema is used: the body is read part by part.
pub struct NewReplyForm {
    /// The reply: 1 to the business's `max_body_chars` characters (not
    /// only spaces).
    #[schema(min_length = 1, max_length = 10000, example = "Yes, the side gate")]
    body: String,
    /// Files, as for a new ticket.
    #[schema(value_type = Vec<String>, format = Binary, required = false)]
    file: Option<Vec<Vec<u8>>>,
}

/// Refuses a contact who may not write tickets (role, the switch, staff
/// viewing) before any of the body is read.
fn check_may_write(context: &RequestContext, actor: &Actor) -> Result<(), ApiError> {
    authorize(
        actor,
        Permission::CreateTickets,
        &context.tenant.settings.features,
    )
    .map(drop)
    .map_err(|why| PortalError::Forbidden(why).into())
}

/// What opening a ticket takes: the categories, the longest message, the
/// files allowed and the jobs it may be about.
#[utoipa::path(get, path = "/api/v1/ticket-form", tag = "tickets", security(("bearer" = [])),
    responses((status = 200, body = TicketFormView), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "opening tickets is off, or the contact may not open tickets")))]
pub async fn ticket_form(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
) -> Result<Json<TicketFormView>, ApiError> {
    let form = state.portal.tickets().form(&auth.actor).await?;
    Ok(Json(TicketFormView::from(&form)))
}

/// One page of the active account's tickets: open ones first, then
/// closed ones, as far as the business shows each (a filter asking only
/// for what it hides is an empty page).
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", security(("bearer" = [])), params(TicketListParams),
    responses((status = 200, body = TicketPageView), (status = 400, body = Problem, description = "an unknown parameter"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "tickets are off, or the contact may not see them"),
        (status = 422, body = Problem, description = "an unknown filter or a malformed page; `field` names it")))]
pub async fn list_tickets(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiQuery(params): ApiQuery<TicketListParams>,
) -> Result<Json<TicketPageView>, ApiError> {
    let query = TicketFilterText {
        status: params.status.as_deref(),
        page: params.page.as_deref(),
        per_page: params.per_page.as_deref(),
    }
    .parse(Source::Api)?;
    let page = state.portal.tickets().list(&auth.actor, &query).await?;
    Ok(Json(TicketPageView {
        items: page.items.iter().map(TicketView::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// One ticket of the account with its thread and each message's
/// attachments.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "ticket id")),
    responses((status = 200, body = TicketThreadView), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "tickets are off, or the contact may not see them"),
        (status = 404, body = Problem, description = "unknown, malformed, another account's, or of a status the business does not show")))]
pub async fn get_ticket(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    context: RequestContext,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TicketThreadView>, ApiError> {
    let id = params::id(&id, TicketId::parse)?;
    let thread = state.portal.tickets().ticket(&auth.actor, id).await?;
    Ok(Json(TicketThreadView::of(&thread, &context.base)))
}

/// Open a ticket: a category, the message, optionally the job it is
/// about, and files. The business's policy assigns it and the business is
/// told. `Location` is the new ticket's address.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", security(("bearer" = [])),
    request_body(content = NewTicketForm, content_type = "multipart/form-data"),
    responses((status = 201, body = TicketThreadView, description = "opened",
            headers(("Location" = String, description = "the new ticket: `GET /api/v1/tickets/{id}`"))),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "opening tickets is off, the contact may not open tickets, or staff viewing"),
        (status = 422, body = Problem, description = "an unknown or missing category; an empty or too long body; a job that is malformed, unknown or another account's; a file too large, of a kind not allowed (told from its content), whose name says another kind or holds a path, or more files than allowed (`field` is `file`). `field` names it; nothing is kept")))]
pub async fn create_ticket(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    context: RequestContext,
    multipart: ApiMultipart,
) -> Result<(StatusCode, HeaderMap, Json<TicketThreadView>), ApiError> {
    check_may_write(&context, &auth.actor)?;
    let tickets = state.portal.tickets();
    let mut parts = read_parts(
        FilesFor::Ticket(tickets),
        &auth.actor,
        multipart.0,
        |name| TICKET_PARTS.contains(&name),
    )
    .await?;
    let thread = uploads::open_ticket(tickets, &auth.actor, &mut parts, Source::Api).await?;
    let mut headers = HeaderMap::new();
    let location = format!("{}/api/v1/tickets/{}", context.base, thread.ticket.id);
    if let Ok(value) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, value);
    }
    Ok((
        StatusCode::CREATED,
        headers,
        Json(TicketThreadView::of(&thread, &context.base)),
    ))
}

/// Reply on a ticket of the account, with files: the ticket waits on the
/// business again and the business is told. Answered with the thread.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/replies", tag = "tickets", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "ticket id")),
    request_body(content = NewReplyForm, content_type = "multipart/form-data"),
    responses((status = 201, body = TicketThreadView, description = "replied: the thread with the reply"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "opening tickets is off, the contact may not write tickets, or staff viewing"),
        (status = 404, body = Problem, description = "unknown, malformed, or another account's"),
        (status = 409, body = Problem, description = "the ticket is closed: reopen it first; nothing is kept"),
        (status = 422, body = Problem, description = "an empty or too long body, or a file refused as for a new ticket; `field` names it; nothing is kept")))]
pub async fn reply_ticket(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    context: RequestContext,
    ApiPath(id): ApiPath<String>,
    multipart: ApiMultipart,
) -> Result<(StatusCode, Json<TicketThreadView>), ApiError> {
    let id = params::id(&id, TicketId::parse)?;
    check_may_write(&context, &auth.actor)?;
    let tickets = state.portal.tickets();
    let mut parts = read_parts(
        FilesFor::Ticket(tickets),
        &auth.actor,
        multipart.0,
        |name| REPLY_PARTS.contains(&name),
    )
    .await?;
    let files = std::mem::take(&mut parts.files);
    let thread = tickets
        .reply(&auth.actor, id, parts.text("body"), files)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TicketThreadView::of(&thread, &context.base)),
    ))
}

/// Reopen a closed ticket of the account, when the business lets
/// customers; the business is told.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/reopen", tag = "tickets", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "ticket id")),
    responses((status = 200, body = TicketView, description = "open again"), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "opening tickets is off, the contact may not write tickets, or staff viewing"),
        (status = 404, body = Problem, description = "unknown, malformed, or another account's"),
        (status = 409, body = Problem, description = "the ticket is not closed, or the business does not let customers reopen tickets")))]
pub async fn reopen_ticket(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TicketView>, ApiError> {
    let id = params::id(&id, TicketId::parse)?;
    let ticket = state.portal.tickets().reopen(&auth.actor, id).await?;
    Ok(Json(TicketView::from(&ticket)))
}

/// An attachment of the account's ticket, as a download: always
/// `Content-Disposition: attachment`, the media type told from its
/// content when it was stored, `nosniff`, a sandboxing CSP, no caching.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/attachments/{attachment}", tag = "tickets", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "ticket id"), ("attachment" = wire::Id, Path, description = "attachment id")),
    responses((status = 200, description = "the file, as an attachment, of its kind's media type", content(
            (String = "image/jpeg"), (String = "image/png"), (String = "image/webp"),
            (String = "image/heic"), (String = "application/pdf"), (String = "text/plain"))),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "tickets are off, or the contact may not see them"),
        (status = 404, body = Problem, description = "an unknown or malformed id, another account's ticket, or an attachment not on this ticket")))]
pub async fn download_attachment(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath((id, attachment)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let id = params::id(&id, TicketId::parse)?;
    let attachment = params::id(&attachment, AttachmentId::parse)?;
    let blob = state
        .portal
        .tickets()
        .download(&auth.actor, id, attachment)
        .await?;
    Ok(crate::downloads::blob(blob))
}
