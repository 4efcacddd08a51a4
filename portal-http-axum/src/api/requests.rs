//! Service requests over JSON: which kinds the contact may ask (the
//! portal's "request service" and "call off rent", and the kinds the
//! business declared, with their fields), the account's requests of every
//! kind (in pages, by `all`, `open` or `closed`), one request, asking, and
//! downloading the files attached to one.
//!
//! `POST /requests` takes `{"kind": "service", "description", "property"}`
//! or `{"kind": "<a declared kind's key>", "answers": {"<field>": "<text>"}}`
//! as JSON, or the same as the text parts of a `multipart/form-data` body
//! (`kind`, `description`, `property`, `answers` as JSON text) with files as
//! parts named `file`, for a kind that takes files (its `files.max_files`
//! in `GET /request-kinds`); a file the kind does not take is 422 naming
//! `file`, and a refused request keeps none of its files.
//! A call-off is asked of its contract
//! (`POST /rentals/contracts/{id}/call-offs`), so `"kind": "call_off"` is
//! 422 naming `kind`. An empty description, an unknown property, a missing
//! or broken answer, or a member the kind does not take is 422 naming the
//! `field` (an answer as `answers.<field key>`), and nothing is written. A
//! kind the business has not declared (or has retired) is 404, as an
//! unknown invoice or card named in a payment's body is. A malformed,
//! unknown or another account's request id is 404.

use std::collections::BTreeMap;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use portal_core::PortalError;
use portal_core::access::Actor;
use portal_core::blobs::StagedFile;
use portal_core::requests::{
    AnswerValue, CALL_OFF, FieldInput, FieldSpec, KindChoice, Reference, RequestDetails,
    RequestsService, SERVICE, ServiceRequest,
};
use portal_core::shared::{AttachmentId, Item, ServiceRequestId};
use portal_core::tenancy::PortalSettings;

use crate::AppState;
use crate::api::rentals::CallOffItemView;
use crate::api::tickets::{AttachmentView, FileRulesView};
use crate::api::{ApiJsonOrMultipart, ApiPath, ApiQuery, read_parts, wire};
use crate::context::RequestContext;
use crate::error::{ApiError, Problem, ProblemType};
use crate::params::{self, RequestFilterText, Source};
use crate::security::ApiUser;
use crate::uploads::{self, FilesFor};

/// The request routes, mounted under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/request-kinds", get(list_request_kinds))
        .route(
            "/requests",
            get(list_requests)
                .post(create_request)
                .layer(DefaultBodyLimit::max(uploads::MAX_UPLOAD_BODY)),
        )
        .route("/requests/{id}", get(get_request))
        .route("/requests/{id}/cancel", post(cancel_request))
        .route(
            "/requests/{id}/attachments/{attachment}",
            get(download_attachment),
        )
}

/// The filter and page of the request list; unknown parameters are
/// refused (400).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RequestListParams {
    /// Which requests (default `all`; `open`: pending, scheduled or in
    /// progress; `closed`: completed, declined or canceled).
    #[param(value_type = Option<wire::RequestFilter>)]
    status: Option<String>,
    /// Page, from 1.
    #[param(value_type = Option<wire::Count>)]
    page: Option<String>,
    /// Page size, 1 to 100 (default 25; larger is capped).
    #[param(value_type = Option<wire::Count>)]
    per_page: Option<String>,
}

/// What a field of a declared kind asks for.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InputType {
    /// One line of text.
    Text,
    /// Free text with line breaks.
    LongText,
    /// A day, `YYYY-MM-DD`.
    Date,
    /// One of `options`, as written.
    Choice,
    /// A whole number from `min` to `max`.
    WholeNumber,
    /// The id of one of the account's properties.
    Property,
    /// The id of one of the account's jobs.
    Job,
    /// The id of one of the account's invoices.
    Invoice,
}

/// A field's input and its limits; members not of its type are absent.
#[derive(Serialize, ToSchema)]
pub struct FieldInputView {
    /// What it asks for.
    #[serde(rename = "type")]
    pub kind: InputType,
    /// The most characters (`text`, `long_text`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_chars: Option<usize>,
    /// Whether the day may not be before today (`date`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_today: Option<bool>,
    /// The options, in the order shown (`choice`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
    /// The least (`whole_number`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    /// The most (`whole_number`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

impl From<&FieldInput> for FieldInputView {
    fn from(input: &FieldInput) -> Self {
        let of = |kind| Self {
            kind,
            max_chars: None,
            from_today: None,
            options: None,
            min: None,
            max: None,
        };
        match input {
            FieldInput::Text { max_chars } => Self {
                max_chars: Some(*max_chars),
                ..of(InputType::Text)
            },
            FieldInput::LongText { max_chars } => Self {
                max_chars: Some(*max_chars),
                ..of(InputType::LongText)
            },
            FieldInput::Date { from_today } => Self {
                from_today: Some(*from_today),
                ..of(InputType::Date)
            },
            FieldInput::Choice { options } => Self {
                options: Some(options.clone()),
                ..of(InputType::Choice)
            },
            FieldInput::WholeNumber { min, max } => Self {
                min: Some(*min),
                max: Some(*max),
                ..of(InputType::WholeNumber)
            },
            FieldInput::Property => of(InputType::Property),
            FieldInput::Job => of(InputType::Job),
            FieldInput::Invoice => of(InputType::Invoice),
        }
    }
}

/// One field of a declared kind: send its answer as `answers.<name>`.
#[derive(Serialize, ToSchema)]
pub struct FieldView {
    /// Its key.
    #[schema(example = "new_date")]
    pub name: String,
    /// What the customer reads above it.
    pub label: String,
    /// A hint under it (may be empty).
    pub help: String,
    /// Whether an answer is needed.
    pub required: bool,
    /// What it asks for.
    pub input: FieldInputView,
}

impl From<&FieldSpec> for FieldView {
    fn from(field: &FieldSpec) -> Self {
        Self {
            name: field.name.to_string(),
            label: field.label.clone(),
            help: field.help.clone(),
            required: field.required,
            input: FieldInputView::from(&field.input),
        }
    }
}

/// A kind of request the contact may ask.
#[derive(Serialize, ToSchema)]
pub struct RequestKindView {
    /// `service`, `call_off` or a declared kind's key: what `POST
    /// /requests` takes as `kind` (a call-off is asked of its contract,
    /// `POST /rentals/contracts/{id}/call-offs`).
    #[schema(example = "service")]
    pub key: String,
    /// Whether it is one of the portal's own kinds (`service`,
    /// `call_off`), which have no name, description or fields here.
    pub built_in: bool,
    /// A declared kind's name.
    pub name: Option<String>,
    /// What a declared kind is for (may be empty).
    pub description: Option<String>,
    /// A declared kind's fields, in the order asked.
    pub fields: Vec<FieldView>,
    /// What files a request of it may carry (`max_files` 0: none).
    pub files: FileRulesView,
}

impl RequestKindView {
    /// The kind `choice`, with the files it takes under `settings`.
    fn of(choice: &KindChoice, settings: &PortalSettings) -> Self {
        let mut view = Self {
            key: String::new(),
            built_in: true,
            name: None,
            description: None,
            fields: Vec::new(),
            files: FileRulesView::of(
                choice.max_attachments(settings),
                &settings.tickets.attachment_limits(),
            ),
        };
        match choice {
            KindChoice::Service => view.key = SERVICE.to_owned(),
            KindChoice::CallOff => view.key = CALL_OFF.to_owned(),
            KindChoice::Custom(kind) => {
                view.key = kind.key.to_string();
                view.built_in = false;
                view.name = Some(kind.name.clone());
                view.description = Some(kind.description.clone());
                view.fields = kind.fields.iter().map(FieldView::from).collect();
            }
        }
        view
    }
}

/// The kinds the contact may ask.
#[derive(Serialize, ToSchema)]
pub struct RequestKindListView {
    /// "Request service" first, then "call off rent", then the declared
    /// kinds by name.
    pub items: Vec<RequestKindView>,
}

/// A record of the account a request names, with the words it was shown
/// by when asked.
#[derive(Serialize, ToSchema)]
pub struct ReferenceView {
    /// Its id.
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// A property's name, a contract's or invoice's number, a job's number
    /// and title.
    pub label: String,
}

impl ReferenceView {
    /// The reference as sent.
    pub(super) fn of<Id: std::fmt::Display>(reference: &Reference<Id>) -> Self {
        Self {
            id: reference.id.to_string(),
            label: reference.label.clone(),
        }
    }
}

/// What a "request service" asks.
#[derive(Serialize, ToSchema)]
pub struct ServiceDetailsView {
    /// What is needed.
    pub description: String,
    /// Where, when the account has properties.
    pub property: Option<ReferenceView>,
}

/// What a call-off asks.
#[derive(Serialize, ToSchema)]
pub struct CallOffDetailsView {
    /// The rental contract.
    pub contract: ReferenceView,
    /// The items and quantities.
    pub items: Vec<CallOffItemView>,
    /// When the items can be picked up.
    pub pickup_on: NaiveDate,
    /// The customer's notes (may be empty).
    pub notes: String,
}

/// An answer's value: text (`text`, `long_text`, `choice`, and a `date`
/// as `YYYY-MM-DD`), a whole number, or a record of the account.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum AnswerValueView {
    /// Text, an option or a day.
    Text(String),
    /// A whole number.
    Number(u32),
    /// A property, job or invoice.
    Record(ReferenceView),
}

/// One answered field of a declared kind.
#[derive(Serialize, ToSchema)]
pub struct AnswerView {
    /// The field's key.
    pub field: String,
    /// Its label when asked.
    pub label: String,
    /// What the field asked for.
    #[serde(rename = "type")]
    pub kind: InputType,
    /// The answer.
    pub value: AnswerValueView,
}

impl AnswerView {
    fn of(answer: &portal_core::requests::Answer) -> Self {
        let (kind, value) = match &answer.value {
            // Text and long text read back alike.
            AnswerValue::Text(text) => (InputType::Text, AnswerValueView::Text(text.clone())),
            AnswerValue::Date(day) => (InputType::Date, AnswerValueView::Text(day.to_string())),
            AnswerValue::Choice(option) => {
                (InputType::Choice, AnswerValueView::Text(option.clone()))
            }
            AnswerValue::WholeNumber(number) => {
                (InputType::WholeNumber, AnswerValueView::Number(*number))
            }
            AnswerValue::Property(reference) => (
                InputType::Property,
                AnswerValueView::Record(ReferenceView::of(reference)),
            ),
            AnswerValue::Job(reference) => (
                InputType::Job,
                AnswerValueView::Record(ReferenceView::of(reference)),
            ),
            AnswerValue::Invoice(reference) => (
                InputType::Invoice,
                AnswerValueView::Record(ReferenceView::of(reference)),
            ),
        };
        Self {
            field: answer.field.to_string(),
            label: answer.label.clone(),
            kind,
            value,
        }
    }
}

/// A request of the account, of any kind.
#[derive(Serialize, ToSchema)]
pub struct RequestView {
    /// Id.
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// `service`, `call_off` or a declared kind's key.
    #[schema(example = "service")]
    pub kind: String,
    /// A declared kind's name when asked (none for `service` and
    /// `call_off`).
    pub kind_name: Option<String>,
    /// Where it stands, as the business moves it.
    #[schema(value_type = wire::RequestStatus)]
    pub status: String,
    /// The business's word on its status (may be empty).
    pub host_note: String,
    /// When it was asked.
    pub requested_at: DateTime<Utc>,
    /// When its status last changed.
    pub updated_at: DateTime<Utc>,
    /// What a `service` request asks (absent for other kinds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceDetailsView>,
    /// What a `call_off` asks (absent for other kinds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_off: Option<CallOffDetailsView>,
    /// A declared kind's answers, in the kind's order; an optional field
    /// left empty is left out (absent for `service` and `call_off`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answers: Option<Vec<AnswerView>>,
    /// The files the customer attached, in the order sent.
    pub attachments: Vec<AttachmentView>,
}

impl RequestView {
    /// `request`, its files' URLs under `base` (the mount path).
    pub fn of(request: &ServiceRequest, base: &str) -> Self {
        let files = format!("{base}/api/v1/requests/{}/attachments", request.id);
        let mut view = Self {
            id: request.id.to_string(),
            kind: request.details.kind().to_owned(),
            kind_name: None,
            status: request.status.as_str().to_owned(),
            host_note: request.host_note.clone(),
            requested_at: request.requested_at,
            updated_at: request.updated_at,
            service: None,
            call_off: None,
            answers: None,
            attachments: request
                .attachments
                .iter()
                .map(|file| AttachmentView::of(file, files.clone()))
                .collect(),
        };
        match &request.details {
            RequestDetails::Service {
                description,
                property,
            } => {
                view.service = Some(ServiceDetailsView {
                    description: description.clone(),
                    property: property.as_ref().map(ReferenceView::of),
                });
            }
            RequestDetails::CallOff {
                contract,
                items,
                pickup_on,
                notes,
            } => {
                view.call_off = Some(CallOffDetailsView {
                    contract: ReferenceView::of(contract),
                    items: items
                        .iter()
                        .map(|item| CallOffItemView {
                            code: item.code.clone(),
                            name: item.name.clone(),
                            quantity: item.quantity,
                        })
                        .collect(),
                    pickup_on: *pickup_on,
                    notes: notes.clone(),
                });
            }
            RequestDetails::Custom { name, answers, .. } => {
                view.kind_name = Some(name.clone());
                view.answers = Some(answers.iter().map(AnswerView::of).collect());
            }
        }
        view
    }
}

/// One page of requests.
#[derive(Serialize, ToSchema)]
pub struct RequestPageView {
    /// The requests on this page, newest first.
    pub items: Vec<RequestView>,
    /// All requests on this list.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

/// A new request: `kind` with the members that kind takes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequestBody {
    /// `service`, or the key of a kind `GET /request-kinds` lists.
    #[schema(pattern = r"^[a-z][a-z0-9_-]{0,39}$", example = "service")]
    pub kind: String,
    /// `service`: what is needed, 1 to 2000 characters (not only spaces).
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "The boiler makes a knocking noise"
    )]
    pub description: Option<String>,
    /// `service`: one of the account's properties; needed when the account
    /// has more than one.
    #[schema(value_type = Option<wire::Id>)]
    pub property: Option<String>,
    /// A declared kind: the answers by field name, as text (a day as
    /// `YYYY-MM-DD`, a number in digits, a property, job or invoice by
    /// id). An empty optional answer may be left out.
    #[schema(example = json!({"new_date": "2026-12-09", "reason": "Away that week"}))]
    pub answers: Option<BTreeMap<String, String>>,
}

/// The text parts a multipart request reads (besides its `file` parts).
const REQUEST_PARTS: &[&str] = &["kind", "description", "property", "answers"];

impl NewRequestBody {
    /// A multipart body's text parts as the JSON body would give them:
    /// `answers` is the JSON body's object as text. A body without `kind`
    /// is 400 (as a JSON body without it is); `answers` that is not a JSON
    /// object of text is 422 naming it.
    fn of_parts(fields: &BTreeMap<String, String>) -> Result<Self, ApiError> {
        let text = |name: &str| fields.get(name).cloned();
        let kind = text("kind")
            .ok_or_else(|| ApiError::bad_request("the body has no part named `kind`"))?;
        let answers = fields
            .get("answers")
            .map(|json| {
                serde_json::from_str::<BTreeMap<String, String>>(json).map_err(|_| {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        ProblemType::InvalidInput,
                        "`answers` must be a JSON object of text by field name",
                    )
                    .at_field("answers")
                })
            })
            .transpose()?;
        Ok(Self {
            kind,
            description: text("description"),
            property: text("property"),
            answers,
        })
    }
}

/// A new request with files, as the parts of a `multipart/form-data`
/// body: the JSON body's members as text parts (`answers` as the text of
/// its JSON object) and the files. Other parts are refused (400).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Only its schema is used: the body is read part by part.
pub struct NewRequestForm {
    /// `service`, or the key of a kind `GET /request-kinds` lists.
    #[schema(pattern = r"^[a-z][a-z0-9_-]{0,39}$", example = "service")]
    kind: String,
    /// `service`: what is needed, 1 to 2000 characters (not only spaces).
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "Water under the kitchen sink"
    )]
    description: Option<String>,
    /// `service`: one of the account's properties by id; needed when the
    /// account has more than one.
    #[schema(value_type = Option<wire::Id>)]
    property: Option<String>,
    /// A declared kind: its answers as the text of a JSON object by field
    /// name, as the JSON body's `answers` (`{"new_date": "2026-12-09"}`).
    #[schema(example = r#"{"new_date": "2026-12-09", "reason": "Away that week"}"#)]
    answers: Option<String>,
    /// Files, each a part named `file` with a file name: at most the
    /// kind's `files.max_files` (`GET /request-kinds`), each of its
    /// `files.kinds` and at most `files.max_bytes`.
    #[schema(value_type = Vec<String>, format = Binary, required = false)]
    file: Option<Vec<Vec<u8>>>,
}

/// 422 naming `field`: a member of the body the kind does not take.
fn not_of_kind(field: &str, kind: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        ProblemType::InvalidInput,
        format!("a request of kind `{kind}` does not take `{field}`"),
    )
    .at_field(field)
}

/// The kinds the contact may ask: `service` and the declared kinds with
/// services on and the role's permission to request service, `call_off`
/// with rentals on and the permission to call off rent.
#[utoipa::path(get, path = "/api/v1/request-kinds", tag = "services", security(("bearer" = [])),
    responses((status = 200, body = RequestKindListView), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "services and rentals are off, or the contact may ask for neither")))]
pub async fn list_request_kinds(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    context: RequestContext,
) -> Result<Json<RequestKindListView>, ApiError> {
    let kinds = state.portal.requests().kinds(&auth.actor).await?;
    let settings = &context.tenant.settings;
    Ok(Json(RequestKindListView {
        items: kinds
            .iter()
            .map(|kind| RequestKindView::of(kind, settings))
            .collect(),
    }))
}

/// One page of the active account's requests of every kind (call-offs
/// too), newest first.
#[utoipa::path(get, path = "/api/v1/requests", tag = "services", security(("bearer" = [])), params(RequestListParams),
    responses((status = 200, body = RequestPageView), (status = 400, body = Problem, description = "an unknown parameter"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "services are off, or the contact may not request service"),
        (status = 422, body = Problem, description = "an unknown filter or a malformed page; `field` names it")))]
pub async fn list_requests(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    context: RequestContext,
    ApiQuery(params): ApiQuery<RequestListParams>,
) -> Result<Json<RequestPageView>, ApiError> {
    let query = RequestFilterText {
        status: params.status.as_deref(),
        page: params.page.as_deref(),
        per_page: params.per_page.as_deref(),
    }
    .parse(Source::Api)?;
    let page = state.portal.requests().list(&auth.actor, &query).await?;
    Ok(Json(RequestPageView {
        items: page
            .items
            .iter()
            .map(|request| RequestView::of(request, &context.base))
            .collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// One request of the account, with its status and the business's note.
#[utoipa::path(get, path = "/api/v1/requests/{id}", tag = "services", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "request id")),
    responses((status = 200, body = RequestView), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "services are off, or the contact may not request service"),
        (status = 404, body = Problem, description = "unknown, malformed, or another account's")))]
pub async fn get_request(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    context: RequestContext,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<RequestView>, ApiError> {
    let id = params::id(&id, ServiceRequestId::parse)?;
    let request = state.portal.requests().request(&auth.actor, id).await?;
    Ok(Json(RequestView::of(&request, &context.base)))
}

/// Cancel a request of the account while it is still pending (any kind,
/// a call-off too, which then holds no items): the business is told, and
/// the request is answered with its `canceled` status. Once the business
/// has answered it (or it was canceled), it stays as it is: 409.
#[utoipa::path(post, path = "/api/v1/requests/{id}/cancel", tag = "services", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "request id")),
    responses((status = 200, body = RequestView, description = "canceled"), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "services are off, the contact may not request service, or staff viewing"),
        (status = 404, body = Problem, description = "unknown, malformed, or another account's"),
        (status = 409, body = Problem, description = "not pending: the business has answered it, or it was canceled already; nothing is written")))]
pub async fn cancel_request(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    context: RequestContext,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<RequestView>, ApiError> {
    let id = params::id(&id, ServiceRequestId::parse)?;
    let request = state.portal.requests().cancel(&auth.actor, id).await?;
    Ok(Json(RequestView::of(&request, &context.base)))
}

/// Ask the business for service (`"kind": "service"`) or make a request
/// of a kind it declared (`"kind": "<key>"` with `answers`), as JSON, or
/// as `multipart/form-data` with files for a kind that takes them. The
/// request is stored pending and the business is told; its status then
/// follows the business's answer. `Location` is the new request's
/// address.
#[utoipa::path(post, path = "/api/v1/requests", tag = "services", security(("bearer" = [])),
    request_body(content(
        (NewRequestBody = "application/json"),
        (NewRequestForm = "multipart/form-data"))),
    responses((status = 201, body = RequestView, description = "asked for",
            headers(("Location" = String, description = "the new request: `GET /api/v1/requests/{id}`"))),
        (status = 400, body = Problem, description = "a body that is not a JSON object of these members, or a multipart body cut short, without `kind` or with a part it does not read"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "services are off, or the contact may not request service"),
        (status = 404, body = Problem, description = "`kind` is no kind the business declared (or one it retired)"),
        (status = 413, body = Problem, description = "the multipart body is over the upload limit"),
        (status = 415, body = Problem, description = "neither JSON nor multipart/form-data"),
        (status = 422, body = Problem, description = "`kind` is `call_off` (ask it of the contract: `POST /api/v1/rentals/contracts/{id}/call-offs`); an empty or too long description; a property that is malformed, unknown or another account's, or missing when the account has several; a required answer missing or an answer breaking its field's rule (`field` is `answers.<field name>`); a member the kind does not take; a file the kind does not take, too many, too large or of a kind not accepted (`file`). `field` names it; nothing is written and no file is kept")))]
pub async fn create_request(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    context: RequestContext,
    body: ApiJsonOrMultipart<NewRequestBody>,
) -> Result<(StatusCode, HeaderMap, Json<RequestView>), ApiError> {
    let requests = state.portal.requests();
    let (body, files) = match body {
        ApiJsonOrMultipart::Json(body) => (body, Vec::new()),
        ApiJsonOrMultipart::Multipart(multipart) => {
            let files = FilesFor::Request(requests);
            let parts = read_parts(files, &auth.actor, multipart, |name| {
                REQUEST_PARTS.contains(&name)
            })
            .await?;
            match NewRequestBody::of_parts(&parts.fields) {
                Ok(body) => (body, parts.files),
                Err(refused) => {
                    requests.discard(&auth.actor, parts.files).await;
                    return Err(refused);
                }
            }
        }
    };
    let request = ask(requests, &auth.actor, body, files).await?;
    let mut headers = HeaderMap::new();
    let location = format!("{}/api/v1/requests/{}", context.base, request.id);
    if let Ok(value) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, value);
    }
    Ok((
        StatusCode::CREATED,
        headers,
        Json(RequestView::of(&request, &context.base)),
    ))
}

/// What `body` asks, of its kind.
enum Asked {
    Service(portal_core::requests::ServiceAsk),
    Custom(String, BTreeMap<String, String>),
}

/// The request `body` asks, checked for the members its kind takes.
fn asked(body: NewRequestBody) -> Result<Asked, ApiError> {
    match body.kind.as_str() {
        CALL_OFF => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ProblemType::InvalidInput,
            "a call-off is asked of its rental contract: POST /api/v1/rentals/contracts/{id}/call-offs",
        )
        .at_field("kind")),
        SERVICE => {
            if body.answers.is_some() {
                return Err(not_of_kind("answers", SERVICE));
            }
            let ask = params::service_ask(
                body.description.as_deref().unwrap_or_default(),
                body.property.as_deref(),
                Source::Api,
            )?;
            Ok(Asked::Service(ask))
        }
        key => {
            if body.description.is_some() {
                return Err(not_of_kind("description", key));
            }
            if body.property.is_some() {
                return Err(not_of_kind("property", key));
            }
            Ok(Asked::Custom(
                key.to_owned(),
                body.answers.unwrap_or_default(),
            ))
        }
    }
}

/// Makes the request `body` asks with the staged `files`; when it is
/// refused, here or by the core, the files are removed.
async fn ask(
    requests: RequestsService<'_>,
    actor: &Actor,
    body: NewRequestBody,
    files: Vec<StagedFile>,
) -> Result<ServiceRequest, ApiError> {
    match asked(body) {
        Ok(Asked::Service(ask)) => Ok(requests.request_service(actor, &ask, files).await?),
        Ok(Asked::Custom(key, answers)) => requests
            .submit_custom(actor, &key, &answers, files)
            .await
            .map_err(at_answer),
        Err(refused) => {
            requests.discard(actor, files).await;
            Err(refused)
        }
    }
}

/// A file attached to the account's request, as a download: always
/// `Content-Disposition: attachment`, the media type told from its
/// content, `nosniff`.
#[utoipa::path(get, path = "/api/v1/requests/{id}/attachments/{attachment}", tag = "services", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "request id"), ("attachment" = wire::Id, Path, description = "attachment id")),
    responses((status = 200, description = "the file, as an attachment, of its kind's media type", content(
            (String = "image/jpeg"), (String = "image/png"), (String = "image/webp"),
            (String = "image/heic"), (String = "application/pdf"), (String = "text/plain"))),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "services are off, or the contact may not request service"),
        (status = 404, body = Problem, description = "an unknown or malformed id, another account's request, or an attachment not on this request")))]
pub async fn download_attachment(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath((id, attachment)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let id = params::id(&id, ServiceRequestId::parse)?;
    let attachment = params::id(&attachment, AttachmentId::parse)?;
    let blob = state
        .portal
        .requests()
        .download(&auth.actor, id, attachment)
        .await?;
    Ok(crate::downloads::blob(blob))
}

/// The core's refusal of an answer names `answers` and the field as its
/// item: the problem names it `answers.<field>`.
fn at_answer(error: PortalError) -> ApiError {
    let field = match &error {
        PortalError::InvalidInput {
            item: Some(Item::CustomField(name)),
            ..
        } => Some(format!("answers.{name}")),
        _ => None,
    };
    let problem = ApiError::from(error);
    match field {
        Some(field) => problem.at_field(&field),
        None => problem,
    }
}
