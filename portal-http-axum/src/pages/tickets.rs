//! Support tickets: the list (open ones first, closed ones below, as the
//! business shows them), opening one (a category, the message, the job it
//! is about, photos or PDFs), one ticket with its thread and a reply form,
//! reopening a closed one, and downloading an attachment.
//!
//! Forms with files are `multipart/form-data`: the CSRF token is their
//! first part ([`CsrfMultipart`]), and each file streams into the blob
//! store as it arrives ([`crate::uploads`]); a refused message shows the
//! form again with the refusal at its input and keeps nothing.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use portal_core::PortalError;
use portal_core::access::{Permission, authorize};
use portal_core::blobs::{Attachment, BlobLimits, FileKind};
use portal_core::shared::{AttachmentId, Formats, Reason, TicketId};
use portal_core::tickets::{Author, Ticket, TicketFilter, TicketForm, TicketStatus};
use portal_i18n::Messages;

use super::billing::{Done, Visit};
use super::form::{Choice, Form, Input, Refusal};
use super::list::{Listing, list_url};
use super::{Layout, PageError, render};
use crate::params::{self, Source, TicketFilterText};
use crate::route_table::{PageRoutes, form_post, get};
use crate::security::{CsrfForm, CsrfMultipart};
use crate::uploads::{self, FILE_PART, FilesFor, MessageParts, PartsError};

/// The ticket routes, under the portal's prefix.
pub fn routes() -> PageRoutes {
    let uploads = || DefaultBodyLimit::max(uploads::MAX_UPLOAD_BODY);
    PageRoutes::new()
        .route("/tickets", get(list))
        .route("/tickets/new", get(new).post(open).layer(uploads()))
        .route("/tickets/{id}", get(detail))
        .route(
            "/tickets/{id}/reply",
            form_post(reply, "/tickets").layer(uploads()),
        )
        .route("/tickets/{id}/reopen", form_post(reopen, "/tickets"))
        .route("/tickets/{id}/attachments/{attachment}", get(download))
}

/// The list's query string, as typed.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct TicketFilters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

impl TicketFilters {
    /// This list's URL at another page.
    fn link(&self, base: &str, page: u32) -> String {
        let filters = TicketFilters {
            status: params::given(self.status.as_deref()).map(str::to_owned),
            page: (page > 1).then(|| page.to_string()),
        };
        list_url(base, "tickets", &filters)
    }
}

/// A ticket's status in the customer's words.
pub(super) fn status_label(t: Messages, status: TicketStatus) -> String {
    t.msg(match status {
        TicketStatus::Open => "ticket-status-open",
        TicketStatus::Waiting => "ticket-status-waiting",
        TicketStatus::Closed => "ticket-status-closed",
    })
}

/// A list filter in the customer's words.
fn filter_label(t: Messages, filter: TicketFilter) -> String {
    t.msg(match filter {
        TicketFilter::All => "tickets-filter-all",
        TicketFilter::Open => "tickets-filter-open",
        TicketFilter::Closed => "tickets-filter-closed",
    })
}

/// A file size as people read it: bytes, KB or MB (decimal, whole).
pub(super) fn size_text(t: Messages, bytes: u64) -> String {
    match bytes {
        0..1_000 => t.msg_with("ticket-size-bytes", t.count("size", bytes)),
        1_000..1_000_000 => t.msg_with("ticket-size-kb", t.arg("size", bytes.div_ceil(1_000))),
        _ => t.msg_with("ticket-size-mb", t.arg("size", bytes.div_ceil(1_000_000))),
    }
}

/// A ticket as a list row, in text.
pub struct TicketRow {
    id: String,
    number: u64,
    subject: String,
    category: String,
    status: String,
    updated_at: String,
}

impl TicketRow {
    fn of(ticket: &Ticket, t: Messages, formats: &Formats) -> Self {
        Self {
            id: ticket.id.to_string(),
            number: ticket.number,
            subject: ticket.subject.clone(),
            category: ticket.category.name.clone(),
            status: status_label(t, ticket.status),
            updated_at: formats.dates.moment(ticket.updated_at),
        }
    }
}

#[derive(Template)]
#[template(path = "tickets/list.html")]
struct ListPage {
    layout: Layout,
    form: Form,
    choices: Vec<Choice>,
    list: Listing<TicketRow>,
    /// The rows of `list` not closed, then the closed ones.
    open: Vec<TicketRow>,
    closed: Vec<TicketRow>,
    may_open: bool,
}

fn filter_form(t: Messages) -> Form {
    Form::new(
        t,
        vec![Input::new("status", t.msg("tickets-filter-status"))],
    )
}

/// `/tickets`: the account's tickets, open ones first, in pages.
pub async fn list(
    visit: Visit,
    Query(filters): Query<TicketFilters>,
) -> Result<Response, PageError> {
    let t = visit.t();
    let text = TicketFilterText {
        status: filters.status.as_deref(),
        page: filters.page.as_deref(),
        per_page: None,
    };
    let listed: Result<_, PageError> = async {
        let query = text.parse(Source::Page)?;
        Ok(visit.portal().tickets().list(visit.actor(), &query).await?)
    }
    .await;
    let features = &visit.context().tenant.settings.features;
    let current = params::given(filters.status.as_deref())
        .and_then(TicketFilter::parse)
        .unwrap_or_default();
    let shown = [
        (
            TicketFilter::All,
            features.tickets_view_open && features.tickets_view_closed,
        ),
        (TicketFilter::Open, features.tickets_view_open),
        (TicketFilter::Closed, features.tickets_view_closed),
    ];
    let mut page = ListPage {
        layout: visit.layout(&t.msg("tickets-title"), "tickets"),
        form: filter_form(t),
        choices: shown
            .into_iter()
            .filter(|(_, shown)| *shown)
            .map(|(filter, _)| {
                Choice::new(filter.as_str(), filter_label(t, filter), filter == current)
            })
            .collect(),
        list: Listing::empty(),
        open: Vec::new(),
        closed: Vec::new(),
        may_open: visit.actor().can(Permission::CreateTickets, features),
    };
    match listed {
        Ok(tickets) => {
            let formats = visit.formats();
            let base = visit.context().base.clone();
            page.list = Listing::of(
                t,
                &tickets,
                |ticket| TicketRow::of(ticket, t, &formats),
                |n| filters.link(&base, n),
            );
            for (row, ticket) in std::mem::take(&mut page.list.rows)
                .into_iter()
                .zip(&tickets.items)
            {
                if ticket.status.is_open() {
                    page.open.push(row);
                } else {
                    page.closed.push(row);
                }
            }
        }
        Err(error) => {
            page.form = filter_form(t).showing(Some(Refusal::of(error)?));
        }
    }
    render(page.form.status(), &page)
}

/// What the file input says it takes, and its `accept` list.
pub(super) struct FileRules {
    pub(super) hint: String,
    pub(super) accept: String,
    pub(super) max_files: u8,
}

impl FileRules {
    pub(super) fn of(t: Messages, limits: &BlobLimits, max_files: u8) -> Self {
        let accept = limits
            .allowed
            .iter()
            .flat_map(|kind: &FileKind| kind.extensions().iter().map(|e| format!(".{e}")))
            .collect::<Vec<_>>()
            .join(",");
        Self {
            hint: t.msg_with(
                "ticket-files-hint",
                t.count("count", max_files)
                    .arg("kinds", limits.allowed_labels())
                    .arg("size", size_text(t, limits.max_bytes)),
            ),
            accept,
            max_files,
        }
    }
}

#[derive(Template)]
#[template(path = "tickets/new.html")]
struct NewPage {
    layout: Layout,
    form: Form,
    categories: Vec<Choice>,
    jobs: Vec<Choice>,
    body: String,
    body_hint: String,
    max_body: u32,
    files: FileRules,
}

/// The "open a ticket" form with what was typed and the refusal, if any.
async fn new_page(
    visit: &Visit,
    typed: &MessageParts,
    refusal: Option<Refusal>,
) -> Result<Response, PageError> {
    let t = visit.t();
    let offer: TicketForm = visit.portal().tickets().form(visit.actor()).await?;
    let chosen = typed.text("category");
    let categories = std::iter::once(Choice::new(
        "",
        t.msg("ticket-pick-category"),
        chosen.is_empty(),
    ))
    .chain(
        offer
            .categories
            .iter()
            .map(|c| Choice::new(c.key.clone(), c.name.clone(), c.key == chosen)),
    )
    .collect();
    let job = typed.text("job");
    let jobs = std::iter::once(Choice::new("", t.msg("ticket-no-job"), job.is_empty()))
        .chain(offer.jobs.iter().map(|j| {
            let id = j.id.to_string();
            let selected = id == job;
            Choice::new(id, format!("{} · {}", j.number, j.title), selected)
        }))
        .collect();
    let mut inputs = vec![
        Input::new("category", t.msg("ticket-category")),
        Input::new("body", t.msg("ticket-body")),
    ];
    if !offer.jobs.is_empty() {
        inputs.push(Input::new("job", t.msg("ticket-job")));
    }
    if offer.max_attachments > 0 {
        inputs.push(Input::new(FILE_PART, t.msg("ticket-files")));
    }
    let page = NewPage {
        layout: visit.layout(&t.msg("tickets-new-title"), "tickets/new"),
        form: Form::new(t, inputs).showing(refusal),
        categories,
        jobs,
        body: typed.text("body").to_owned(),
        body_hint: t.msg_with("ticket-body-hint", t.count("max", offer.max_body_chars)),
        max_body: offer.max_body_chars,
        files: FileRules::of(t, &offer.limits, offer.max_attachments),
    };
    render(page.form.status(), &page)
}

/// Refuses a contact who may not open tickets (role, the switch, staff
/// viewing) before any input is read.
fn check_may_write(visit: &Visit) -> Result<(), PageError> {
    authorize(
        visit.actor(),
        Permission::CreateTickets,
        &visit.context().tenant.settings.features,
    )
    .map(drop)
    .map_err(PageError::Forbidden)
}

/// A multipart body's text and its files stored for `files`' context, or
/// the refusal to show at its input (a body that did not arrive whole is
/// refused at the file input).
pub(super) async fn read_parts(
    visit: &Visit,
    multipart: Multipart,
    files: FilesFor<'_>,
) -> Result<MessageParts, PageError> {
    match uploads::read_message(multipart, files, visit.actor()).await {
        Ok(parts) => Ok(parts),
        Err(PartsError::Refused(error)) => Err(error.into()),
        Err(PartsError::TooLarge) => {
            tracing::info!("a multipart form was over the upload limit");
            Err(PortalError::invalid(FILE_PART, Reason::UploadBroken).into())
        }
        Err(PartsError::Malformed(why)) => {
            tracing::info!(why, "a multipart form was refused");
            Err(PortalError::invalid(FILE_PART, Reason::UploadBroken).into())
        }
    }
}

/// `GET /tickets/new`: the form; `?job=` chooses the job it is about.
pub async fn new(visit: Visit, Query(query): Query<JobQuery>) -> Result<Response, PageError> {
    check_may_write(&visit)?;
    let mut typed = MessageParts::default();
    if let Some(job) = params::given(query.job.as_deref()) {
        typed.fields.insert("job".into(), job.to_owned());
    }
    new_page(&visit, &typed, None).await
}

/// The new-ticket form's query string.
#[derive(Deserialize, Default)]
pub struct JobQuery {
    #[serde(default)]
    job: Option<String>,
}

/// `POST /tickets/new`: opens the ticket; on success to its page (303),
/// else the form again with the refusal at its input and nothing kept.
pub async fn open(visit: Visit, multipart: CsrfMultipart) -> Result<Response, PageError> {
    check_may_write(&visit)?;
    let CsrfMultipart(multipart) = multipart;
    let files = FilesFor::Ticket(visit.portal().tickets());
    let mut parts = match read_parts(&visit, multipart, files).await {
        Ok(parts) => parts,
        Err(error) => {
            let refusal = Refusal::of(error)?;
            return new_page(&visit, &MessageParts::default(), Some(refusal)).await;
        }
    };
    let opened = uploads::open_ticket(
        visit.portal().tickets(),
        visit.actor(),
        &mut parts,
        Source::Page,
    )
    .await;
    match opened {
        Ok(thread) => Ok(visit.redirect(&format!("tickets/{}?done=opened", thread.ticket.id))),
        Err(error) => {
            let refusal = Refusal::of(error)?;
            new_page(&visit, &parts, Some(refusal)).await
        }
    }
}

/// One message of the thread, in text.
pub struct MessageView {
    author: String,
    staff: bool,
    at: String,
    body: String,
    files: Vec<FileView>,
}

/// One attachment: its download link, name and size.
pub struct FileView {
    pub(super) href: String,
    pub(super) name: String,
    pub(super) size: String,
}

impl FileView {
    /// `file`, downloaded from under `files` (its record's attachments'
    /// address).
    pub(super) fn of(t: Messages, file: &Attachment, files: &str) -> Self {
        Self {
            href: format!("{files}/{}", file.id),
            name: file.name.as_str().to_owned(),
            size: size_text(t, file.size),
        }
    }
}

#[derive(Template)]
#[template(path = "tickets/detail.html")]
struct DetailPage {
    layout: Layout,
    notice: Option<String>,
    number: u64,
    subject: String,
    status: String,
    category: String,
    job: Option<(String, String)>,
    opened_at: String,
    messages: Vec<MessageView>,
    /// The reply form's inputs and refusal (a refusal about no input,
    /// such as replying to a ticket closed meanwhile, shows at the top).
    form: Form,
    /// Whether the reply form shows (the contact may write, the ticket is
    /// open).
    writable: bool,
    body: String,
    body_hint: String,
    max_body: u32,
    files: Option<FileRules>,
    /// Whether a "reopen" button shows (closed, allowed, may write).
    reopen: bool,
    action: String,
}

/// The ticket's page, with what was typed in the reply form and the
/// refusal, if any.
async fn detail_page(
    visit: &Visit,
    id: TicketId,
    notice: Option<String>,
    typed: &str,
    refusal: Option<Refusal>,
) -> Result<Response, PageError> {
    let thread = visit.portal().tickets().ticket(visit.actor(), id).await?;
    let t = visit.t();
    let formats = visit.formats();
    let settings = &visit.context().tenant.settings;
    let may_write = visit
        .actor()
        .can(Permission::CreateTickets, &settings.features);
    let policy = &settings.tickets;
    let base = &visit.context().base;
    let ticket = &thread.ticket;
    let files = format!("{base}/tickets/{}/attachments", ticket.id);
    let messages = thread
        .messages
        .iter()
        .map(|message| {
            let (author, staff) = match &message.author {
                Author::Customer { name, .. } => (name.clone(), false),
                Author::Staff { name } => (name.clone(), true),
            };
            MessageView {
                author,
                staff,
                at: formats.dates.moment(message.at),
                body: message.body.clone(),
                files: message
                    .attachments
                    .iter()
                    .map(|file| FileView::of(t, file, &files))
                    .collect(),
            }
        })
        .collect();
    let writable = may_write && ticket.status.is_open();
    let mut inputs = Vec::new();
    if writable {
        inputs.push(Input::new("body", t.msg("ticket-reply")));
        if policy.max_attachments > 0 {
            inputs.push(Input::new(FILE_PART, t.msg("ticket-files")));
        }
    }
    let form = Form::new(t, inputs).showing(refusal);
    let page = DetailPage {
        layout: visit.layout(
            &t.msg_with("ticket-title", t.arg("number", ticket.number)),
            &format!("tickets/{}", ticket.id),
        ),
        notice,
        number: ticket.number,
        subject: ticket.subject.clone(),
        status: status_label(t, ticket.status),
        category: ticket.category.name.clone(),
        job: ticket
            .job
            .as_ref()
            .map(|job| (format!("{base}/jobs/{}", job.id), job.label.clone())),
        opened_at: formats.dates.moment(ticket.opened_at),
        messages,
        body: typed.to_owned(),
        body_hint: t.msg_with("ticket-body-hint", t.count("max", policy.max_body_chars)),
        max_body: policy.max_body_chars,
        files: (writable && policy.max_attachments > 0)
            .then(|| FileRules::of(t, &policy.attachment_limits(), policy.max_attachments)),
        reopen: may_write && !ticket.status.is_open() && policy.allow_reopen,
        action: format!("{base}/tickets/{}", ticket.id),
        form,
        writable,
    };
    render(page.form.status(), &page)
}

/// `/tickets/{id}`: one ticket with its thread; a malformed, unknown or
/// another account's id is 404.
pub async fn detail(
    visit: Visit,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let id = params::id(&id, TicketId::parse)?;
    let t = visit.t();
    let notice = done.notice(&[
        ("opened", t.msg("ticket-opened")),
        ("replied", t.msg("ticket-replied")),
        ("reopened", t.msg("ticket-reopened")),
    ]);
    detail_page(&visit, id, notice, "", None).await
}

/// `POST /tickets/{id}/reply`: adds the reply; on success back to the
/// ticket (303), else its page with the refusal at the reply and nothing
/// kept.
pub async fn reply(
    visit: Visit,
    Path(id): Path<String>,
    multipart: CsrfMultipart,
) -> Result<Response, PageError> {
    let id = params::id(&id, TicketId::parse)?;
    check_may_write(&visit)?;
    let CsrfMultipart(multipart) = multipart;
    let files = FilesFor::Ticket(visit.portal().tickets());
    let mut parts = match read_parts(&visit, multipart, files).await {
        Ok(parts) => parts,
        Err(error) => {
            let refusal = Refusal::of(error)?;
            return detail_page(&visit, id, None, "", Some(refusal)).await;
        }
    };
    let files = std::mem::take(&mut parts.files);
    let replied = visit
        .portal()
        .tickets()
        .reply(visit.actor(), id, parts.text("body"), files)
        .await;
    match replied {
        Ok(_) => Ok(visit.redirect(&format!("tickets/{id}?done=replied"))),
        Err(error) => {
            let refusal = Refusal::of(error)?;
            detail_page(&visit, id, None, parts.text("body"), Some(refusal)).await
        }
    }
}

/// `POST /tickets/{id}/reopen`: reopens a closed ticket; back to it.
pub async fn reopen(
    visit: Visit,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = params::id(&id, TicketId::parse)?;
    visit.portal().tickets().reopen(visit.actor(), id).await?;
    Ok(visit.redirect(&format!("tickets/{id}?done=reopened")))
}

/// `/tickets/{id}/attachments/{attachment}`: the file, as a download with
/// safe headers; 404 unless it is on this account's ticket.
pub async fn download(
    visit: Visit,
    Path((id, attachment)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = params::id(&id, TicketId::parse)?;
    let attachment = params::id(&attachment, AttachmentId::parse)?;
    let blob = visit
        .portal()
        .tickets()
        .download(visit.actor(), id, attachment)
        .await?;
    Ok(crate::downloads::blob(blob))
}
