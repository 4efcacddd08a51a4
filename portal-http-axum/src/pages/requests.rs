//! The customer's service requests, every kind in one place: the list
//! (all, open or closed, in pages), choosing what to ask ("request
//! service", "call off rent" from a contract, the business's own kinds),
//! the form of a kind (with a file input when the kind takes files), and
//! one request with the business's answer and the files sent with it.
//!
//! A kind the business declared is drawn from its declaration: one input
//! per field, of the field's type, labelled with the business's words; the
//! answers go to the core as typed and come back refused at their field.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use portal_core::access::{Permission, authorize};
use portal_core::requests::{
    AnswerValue, FieldInput, KindChoice, MAX_DESCRIPTION, RequestDetails, RequestFilter,
    RequestForm, RequestKind, RequestStatus, SERVICE, ServiceRequest,
};
use portal_core::shared::{AttachmentId, Formats, Item, ServiceRequestId};
use portal_i18n::Messages;

use super::billing::{Done, Visit};
use super::form::{Choice, Form, Input, Refusal};
use super::list::{Listing, list_url};
use super::tickets::{FileRules, FileView, read_parts};
use super::{Layout, PageError, render};
use crate::params::{self, RequestFilterText, Source};
use crate::route_table::{PageRoutes, form_post, get};
use crate::security::{CsrfForm, CsrfFormOrFiles};
use crate::uploads::{self, FILE_PART, FilesFor};

/// The request routes, under the portal's prefix.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .route("/requests", get(list))
        .route("/requests/new", get(choose))
        .route(
            "/requests/new/{kind}",
            get(form)
                .post(submit)
                .layer(DefaultBodyLimit::max(uploads::MAX_UPLOAD_BODY)),
        )
        .route("/requests/{id}", get(detail))
        .route("/requests/{id}/cancel", form_post(cancel, "/requests"))
        .route("/requests/{id}/attachments/{attachment}", get(download))
}

/// The list's query string, as typed.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct RequestFilters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

impl RequestFilters {
    /// This list's URL at another page.
    fn link(&self, base: &str, page: u32) -> String {
        let filters = RequestFilters {
            status: params::given(self.status.as_deref()).map(str::to_owned),
            page: (page > 1).then(|| page.to_string()),
        };
        list_url(base, "requests", &filters)
    }
}

/// A list filter in the customer's words.
fn filter_label(t: Messages, filter: RequestFilter) -> String {
    t.msg(match filter {
        RequestFilter::All => "requests-filter-all",
        RequestFilter::Open => "requests-filter-open",
        RequestFilter::Closed => "requests-filter-closed",
    })
}

/// A request's status in the customer's words.
fn status_label(t: Messages, status: RequestStatus) -> String {
    crate::messages::request_status(t, status)
}

/// What a request is, in the customer's words: the portal's own kinds
/// from the catalog, the business's by the name it gave.
fn kind_name(t: Messages, details: &RequestDetails) -> String {
    match details {
        RequestDetails::Service { .. } => t.msg("request-kind-service"),
        RequestDetails::CallOff { .. } => t.msg("request-kind-call-off"),
        RequestDetails::Custom { name, .. } => name.clone(),
    }
}

/// The longest summary a list row shows (characters).
const SUMMARY_CHARS: usize = 80;

/// One line saying what was asked.
fn summary(t: Messages, formats: &Formats, details: &RequestDetails) -> String {
    let text = match details {
        RequestDetails::Service { description, .. } => description.clone(),
        RequestDetails::CallOff {
            contract, items, ..
        } => t.msg_with(
            "request-summary-call-off",
            t.arg("number", &contract.label)
                .count("count", items.iter().map(|item| item.quantity).sum::<u32>()),
        ),
        RequestDetails::Custom { answers, .. } => answers
            .first()
            .map(|answer| format!("{}: {}", answer.label, answer_text(formats, &answer.value)))
            .unwrap_or_default(),
    };
    let mut chars = text.chars();
    let short: String = chars.by_ref().take(SUMMARY_CHARS).collect();
    if chars.next().is_some() {
        format!("{short}…")
    } else {
        short
    }
}

/// An answer as the customer reads it.
fn answer_text(formats: &Formats, value: &AnswerValue) -> String {
    match value {
        AnswerValue::Text(text) | AnswerValue::Choice(text) => text.clone(),
        AnswerValue::Date(day) => formats.dates.day(*day),
        AnswerValue::WholeNumber(number) => number.to_string(),
        AnswerValue::Property(reference) => reference.label.clone(),
        AnswerValue::Job(reference) => reference.label.clone(),
        AnswerValue::Invoice(reference) => reference.label.clone(),
    }
}

/// A request as a list row, in text.
pub struct RequestRow {
    id: String,
    kind: String,
    summary: String,
    status: String,
    requested_at: String,
}

impl RequestRow {
    fn of(request: &ServiceRequest, t: Messages, formats: &Formats) -> Self {
        Self {
            id: request.id.to_string(),
            kind: kind_name(t, &request.details),
            summary: summary(t, formats, &request.details),
            status: status_label(t, request.status),
            requested_at: formats.dates.moment(request.requested_at),
        }
    }
}

#[derive(Template)]
#[template(path = "requests/list.html")]
struct ListPage {
    layout: Layout,
    form: Form,
    choices: Vec<Choice>,
    list: Listing<RequestRow>,
}

fn filter_form(t: Messages) -> Form {
    Form::new(
        t,
        vec![Input::new("status", t.msg("requests-filter-status"))],
    )
}

/// `/requests`: every request of the account, newest first, in pages.
pub async fn list(
    visit: Visit,
    Query(filters): Query<RequestFilters>,
) -> Result<Response, PageError> {
    let t = visit.t();
    let text = RequestFilterText {
        status: filters.status.as_deref(),
        page: filters.page.as_deref(),
        per_page: None,
    };
    let listed: Result<_, PageError> = async {
        let query = text.parse(Source::Page)?;
        Ok(visit
            .portal()
            .requests()
            .list(visit.actor(), &query)
            .await?)
    }
    .await;
    let current = params::given(filters.status.as_deref())
        .and_then(RequestFilter::parse)
        .unwrap_or_default();
    let mut page = ListPage {
        layout: visit.layout(&t.msg("requests-title"), "requests"),
        form: filter_form(t),
        choices: RequestFilter::ALL
            .into_iter()
            .map(|filter| Choice::new(filter.as_str(), filter_label(t, filter), filter == current))
            .collect(),
        list: Listing::empty(),
    };
    match listed {
        Ok(requests) => {
            let formats = visit.formats();
            let base = visit.context().base.clone();
            page.list = Listing::of(
                t,
                &requests,
                |request| RequestRow::of(request, t, &formats),
                |n| filters.link(&base, n),
            );
        }
        Err(error) => {
            page.form = filter_form(t).showing(Some(Refusal::of(error)?));
        }
    }
    render(page.form.status(), &page)
}

/// A kind on the chooser: where its form is, its name and what it is for.
pub struct KindRow {
    href: String,
    name: String,
    description: String,
}

#[derive(Template)]
#[template(path = "requests/choose.html")]
struct ChoosePage {
    layout: Layout,
    kinds: Vec<KindRow>,
}

/// `/requests/new`: what the contact may ask for.
pub async fn choose(visit: Visit) -> Result<Response, PageError> {
    let t = visit.t();
    let base = visit.context().base.clone();
    let kinds = visit.portal().requests().kinds(visit.actor()).await?;
    let page = ChoosePage {
        layout: visit.layout(&t.msg("requests-new-title"), "requests/new"),
        kinds: kinds
            .into_iter()
            .map(|kind| match kind {
                KindChoice::Service => KindRow {
                    href: format!("{base}/requests/new/{SERVICE}"),
                    name: t.msg("request-kind-service"),
                    description: t.msg("request-kind-service-about"),
                },
                KindChoice::CallOff => KindRow {
                    href: format!("{base}/rentals"),
                    name: t.msg("request-kind-call-off"),
                    description: t.msg("request-kind-call-off-about"),
                },
                KindChoice::Custom(kind) => KindRow {
                    href: format!("{base}/requests/new/{}", kind.key),
                    name: kind.name,
                    description: kind.description,
                },
            })
            .collect(),
    };
    render(StatusCode::OK, &page)
}

/// One input of a form, ready to draw: `kind` says which control.
pub struct FieldView {
    key: String,
    kind: &'static str,
    hint: String,
    required: bool,
    value: String,
    max: String,
    min: String,
    options: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "requests/ask.html")]
struct FormPage {
    layout: Layout,
    form: Form,
    action: String,
    heading: String,
    description: String,
    fields: Vec<FieldView>,
    /// The file input, when the kind takes files.
    files: Option<FileRules>,
}

/// The input key of a declared field (its own key could clash with the
/// form's own names, such as `csrf_token`).
fn answer_key(field: &str) -> String {
    format!("a_{field}")
}

/// What was typed, by input key.
type Typed = BTreeMap<String, String>;

fn typed_of(fields: Vec<(String, String)>) -> Typed {
    fields
        .into_iter()
        .filter(|(key, _)| key != "csrf_token")
        .collect()
}

/// Options of the account's records for a picker: a blank first unless
/// the field is required and only one record is offered.
fn record_options(
    records: impl Iterator<Item = (String, String)>,
    typed: &str,
    t: Messages,
) -> Vec<Choice> {
    std::iter::once(Choice::new("", t.msg("request-pick-one"), typed.is_empty()))
        .chain(records.map(|(id, label)| {
            let selected = id == typed;
            Choice::new(id, label, selected)
        }))
        .collect()
}

/// The "request service" form's inputs and controls.
fn service_form(t: Messages, offers: &RequestForm, typed: &Typed) -> (Form, Vec<FieldView>) {
    let typed_of = |key: &str| typed.get(key).cloned().unwrap_or_default();
    let mut inputs = vec![Input::new(
        "description",
        t.msg("request-service-description"),
    )];
    let mut fields = vec![FieldView {
        key: "description".into(),
        kind: "long",
        hint: t.msg("request-service-description-hint"),
        required: true,
        value: typed_of("description"),
        max: MAX_DESCRIPTION.to_string(),
        min: String::new(),
        options: Vec::new(),
    }];
    if offers.properties.len() > 1 {
        inputs.push(Input::new("property", t.msg("request-service-property")));
        let chosen = typed_of("property");
        fields.push(FieldView {
            key: "property".into(),
            kind: "choice",
            hint: String::new(),
            required: true,
            options: record_options(
                offers
                    .properties
                    .iter()
                    .map(|p| (p.id.to_string(), p.name.clone())),
                &chosen,
                t,
            ),
            value: chosen,
            max: String::new(),
            min: String::new(),
        });
    }
    (Form::new(t, inputs), fields)
}

/// The words beside a declared field's label: its help, after
/// "(optional)" when it is.
fn hint(t: Messages, required: bool, help: &str) -> String {
    match (required, help.is_empty()) {
        (true, _) => help.to_owned(),
        (false, true) => t.msg("request-optional"),
        (false, false) => format!("{} {help}", t.msg("request-optional")),
    }
}

/// A declared kind's inputs and controls.
fn custom_form(
    t: Messages,
    kind: &RequestKind,
    offers: &RequestForm,
    typed: &Typed,
    today: &str,
) -> (Form, Vec<FieldView>) {
    let mut inputs = Vec::with_capacity(kind.fields.len());
    let mut fields = Vec::with_capacity(kind.fields.len());
    for field in &kind.fields {
        let key = answer_key(field.name.as_str());
        let value = typed.get(&key).cloned().unwrap_or_default();
        inputs.push(Input::new(key.clone(), field.label.clone()));
        let (control, max, min, options) = match &field.input {
            FieldInput::Text { max_chars } => {
                ("text", max_chars.to_string(), String::new(), vec![])
            }
            FieldInput::LongText { max_chars } => {
                ("long", max_chars.to_string(), String::new(), vec![])
            }
            FieldInput::Date { from_today } => (
                "date",
                String::new(),
                if *from_today {
                    today.to_owned()
                } else {
                    String::new()
                },
                vec![],
            ),
            FieldInput::WholeNumber { min, max } => {
                ("number", max.to_string(), min.to_string(), vec![])
            }
            FieldInput::Choice { options } => (
                "choice",
                String::new(),
                String::new(),
                std::iter::once(Choice::new("", t.msg("request-pick-one"), value.is_empty()))
                    .chain(options.iter().map(|option| {
                        Choice::new(option.clone(), option.clone(), *option == value)
                    }))
                    .collect(),
            ),
            FieldInput::Property => (
                "choice",
                String::new(),
                String::new(),
                record_options(
                    offers
                        .properties
                        .iter()
                        .map(|p| (p.id.to_string(), p.name.clone())),
                    &value,
                    t,
                ),
            ),
            FieldInput::Job => (
                "choice",
                String::new(),
                String::new(),
                record_options(
                    offers.jobs.iter().map(|job| {
                        (
                            job.id.to_string(),
                            format!("{} · {}", job.number, job.title),
                        )
                    }),
                    &value,
                    t,
                ),
            ),
            FieldInput::Invoice => (
                "choice",
                String::new(),
                String::new(),
                record_options(
                    offers
                        .invoices
                        .iter()
                        .map(|invoice| (invoice.id.to_string(), invoice.number.clone())),
                    &value,
                    t,
                ),
            ),
        };
        fields.push(FieldView {
            key,
            kind: control,
            hint: hint(t, field.required, &field.help),
            required: field.required,
            value,
            max,
            min,
            options,
        });
    }
    (Form::new(t, inputs), fields)
}

/// The form of `key` showing `refusal` at its input and what was typed.
async fn form_page(
    visit: &Visit,
    key: &str,
    refusal: Option<Refusal>,
    typed: &Typed,
) -> Result<Response, PageError> {
    let t = visit.t();
    let offers = visit.portal().requests().form(visit.actor(), key).await?;
    let today = visit
        .portal()
        .rentals()
        .today(&visit.context().tenant)
        .to_string();
    let (mut form, fields, heading, description) = match &offers.kind {
        None => {
            let (form, fields) = service_form(t, &offers, typed);
            (
                form,
                fields,
                t.msg("request-kind-service"),
                t.msg("request-kind-service-about"),
            )
        }
        Some(kind) => {
            let (form, fields) = custom_form(t, kind, &offers, typed, &today);
            (form, fields, kind.name.clone(), kind.description.clone())
        }
    };
    let refusal = refusal.map(|refusal| {
        refusal.at_item("answers", |item| match item {
            Item::CustomField(name) => Some(answer_key(name)),
            _ => None,
        })
    });
    let files = (offers.max_attachments > 0).then(|| {
        form.add(Input::new(FILE_PART, t.msg("request-files")));
        FileRules::of(t, &offers.limits, offers.max_attachments)
    });
    let page = FormPage {
        layout: visit.layout(&heading, &format!("requests/new/{key}")),
        form: form.showing(refusal),
        action: format!("{}/requests/new/{key}", visit.context().base),
        heading,
        description,
        fields,
        files,
    };
    render(page.form.status(), &page)
}

/// Refuses a contact who may not ask for service (role, the services
/// switch, staff viewing) before any input is read.
fn check_may_request(visit: &Visit) -> Result<(), PageError> {
    authorize(
        visit.actor(),
        Permission::RequestService,
        &visit.context().tenant.settings.features,
    )
    .map(drop)
    .map_err(PageError::Forbidden)
}

/// `GET /requests/new/{kind}`: the form of "request service" or of an
/// active kind of the business's; any other kind is 404.
pub async fn form(visit: Visit, Path(kind): Path<String>) -> Result<Response, PageError> {
    check_may_request(&visit)?;
    form_page(&visit, &kind, None, &Typed::new()).await
}

/// `POST /requests/new/{kind}`: asks, as a plain form or, when the kind
/// takes files, a multipart one; on success to the request's page (303),
/// else the form again with the refusal at its input, nothing written and
/// no file kept.
pub async fn submit(
    visit: Visit,
    Path(kind): Path<String>,
    body: CsrfFormOrFiles,
) -> Result<Response, PageError> {
    check_may_request(&visit)?;
    let requests = visit.portal().requests();
    let (typed, files) = match body {
        CsrfFormOrFiles::Fields(fields) => (typed_of(fields), Vec::new()),
        CsrfFormOrFiles::Files(multipart) => {
            match read_parts(&visit, multipart, FilesFor::Request(requests)).await {
                Ok(parts) => (parts.fields, parts.files),
                Err(error) => {
                    let refusal = Refusal::of(error)?;
                    return form_page(&visit, &kind, Some(refusal), &Typed::new()).await;
                }
            }
        }
    };
    let asked: Result<ServiceRequest, PageError> = if kind == SERVICE {
        let ask = params::service_ask(
            typed.get("description").map_or("", String::as_str),
            typed.get("property").map(String::as_str),
            Source::Page,
        );
        match ask {
            Ok(ask) => requests
                .request_service(visit.actor(), &ask, files)
                .await
                .map_err(PageError::from),
            Err(error) => {
                requests.discard(visit.actor(), files).await;
                Err(error.into())
            }
        }
    } else {
        let answers: BTreeMap<String, String> = typed
            .iter()
            .filter_map(|(key, value)| {
                key.strip_prefix("a_")
                    .map(|field| (field.to_owned(), value.clone()))
            })
            .collect();
        requests
            .submit_custom(visit.actor(), &kind, &answers, files)
            .await
            .map_err(PageError::from)
    };
    match asked {
        Ok(request) => Ok(visit.redirect(&format!("requests/{}?done=requested", request.id))),
        Err(error) => {
            let refusal = Refusal::of(error)?;
            form_page(&visit, &kind, Some(refusal), &typed).await
        }
    }
}

/// One answered question, in text.
pub struct AnswerRow {
    label: String,
    value: String,
}

#[derive(Template)]
#[template(path = "requests/detail.html")]
struct DetailPage {
    layout: Layout,
    notice: Option<String>,
    kind: String,
    status: String,
    host_note: String,
    requested_at: String,
    updated_at: String,
    answers: Vec<AnswerRow>,
    call_off: Option<String>,
    /// The request's id, for the cancel form.
    id: String,
    /// Whether it can still be canceled (pending).
    may_cancel: bool,
    /// The cancel form: no inputs, only a refused attempt's message.
    cancel_form: Form,
    /// The files sent with it.
    files: Vec<FileView>,
}

/// `/requests/{id}`: one request, what was asked and where it stands; a
/// malformed, unknown or another account's id is 404.
pub async fn detail(
    visit: Visit,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let id = params::id(&id, ServiceRequestId::parse)?;
    let t = visit.t();
    let notice = done.notice(&[
        ("requested", t.msg("request-done")),
        ("canceled", t.msg("request-canceled")),
    ]);
    detail_page(&visit, id, notice, None).await
}

/// `POST /requests/{id}/cancel`: cancels a pending request and comes back
/// to it (303) with a notice; a request the business has answered is the
/// page again with the reason (409) and nothing written; another
/// account's or an unknown one is 404.
pub async fn cancel(
    visit: Visit,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = params::id(&id, ServiceRequestId::parse)?;
    match visit.portal().requests().cancel(visit.actor(), id).await {
        Ok(_) => Ok(visit.redirect(&format!("requests/{id}?done=canceled"))),
        Err(error) => {
            let refusal = Refusal::of(error)?;
            detail_page(&visit, id, None, Some(refusal)).await
        }
    }
}

/// The request's page, with a notice or a refused cancel's message.
async fn detail_page(
    visit: &Visit,
    id: ServiceRequestId,
    notice: Option<String>,
    refused: Option<Refusal>,
) -> Result<Response, PageError> {
    let request = visit.portal().requests().request(visit.actor(), id).await?;
    let t = visit.t();
    let formats = visit.formats();
    let answers = match &request.details {
        RequestDetails::Service {
            description,
            property,
        } => std::iter::once(AnswerRow {
            label: t.msg("request-service-description"),
            value: description.clone(),
        })
        .chain(property.iter().map(|property| AnswerRow {
            label: t.msg("request-service-property"),
            value: property.label.clone(),
        }))
        .collect(),
        RequestDetails::CallOff {
            contract,
            items,
            pickup_on,
            notes,
        } => [
            (t.msg("request-call-off-contract"), contract.label.clone()),
            (
                t.msg("request-call-off-items"),
                items
                    .iter()
                    .map(|item| format!("{} × {}", item.quantity, item.name))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            (
                t.msg("request-call-off-pickup"),
                formats.dates.day(*pickup_on),
            ),
            (t.msg("request-call-off-notes"), notes.clone()),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(label, value)| AnswerRow { label, value })
        .collect(),
        RequestDetails::Custom { answers, .. } => answers
            .iter()
            .map(|answer| AnswerRow {
                label: answer.label.clone(),
                value: answer_text(&formats, &answer.value),
            })
            .collect(),
    };
    let kind = kind_name(t, &request.details);
    let files = format!(
        "{}/requests/{}/attachments",
        visit.context().base,
        request.id
    );
    let cancel_form = Form::new(t, Vec::new()).showing(refused);
    let status = cancel_form.status();
    let page = DetailPage {
        layout: visit.layout(&kind, &format!("requests/{}", request.id)),
        notice,
        id: request.id.to_string(),
        may_cancel: request.status == RequestStatus::Pending,
        cancel_form,
        status: status_label(t, request.status),
        host_note: request.host_note.clone(),
        requested_at: formats.dates.moment(request.requested_at),
        updated_at: formats.dates.moment(request.updated_at),
        call_off: matches!(request.details, RequestDetails::CallOff { .. })
            .then(|| request.id.to_string()),
        files: request
            .attachments
            .iter()
            .map(|file| FileView::of(t, file, &files))
            .collect(),
        answers,
        kind,
    };
    render(status, &page)
}

/// `/requests/{id}/attachments/{attachment}`: the file, as a download with
/// safe headers; 404 unless it is on this account's request.
pub async fn download(
    visit: Visit,
    Path((id, attachment)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = params::id(&id, ServiceRequestId::parse)?;
    let attachment = params::id(&attachment, AttachmentId::parse)?;
    let blob = visit
        .portal()
        .requests()
        .download(visit.actor(), id, attachment)
        .await?;
    Ok(crate::downloads::blob(blob))
}
