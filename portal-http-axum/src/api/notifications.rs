//! Notifications over JSON: the contact's feed for the active account
//! (each entry with its kind, the id of what it is about, its words in
//! the contact's language and the portal path of its page), marking it
//! read, and the contact's choices of what reaches them where.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use portal_core::AuthContext;
use portal_core::notifications::{Channel, Notice, Notification, NotificationKind, Preferences};
use portal_core::shared::Formats;
use portal_i18n::{Messages, words};

use crate::AppState;
use crate::api::{ApiJson, ApiQuery};
use crate::error::{ApiError, Problem};
use crate::params::{self, Source};
use crate::security::ApiUser;

/// The notification routes, mounted under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list_notifications))
        .route("/notifications/read", post(mark_notifications_read))
        .route(
            "/notification-preferences",
            get(get_preferences).put(put_preferences),
        )
}

/// The feed's page; unknown parameters are refused (400).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// Page, from 1.
    #[param(value_type = Option<crate::api::wire::Count>)]
    page: Option<String>,
    /// Page size, 1 to 100 (default 25; larger is capped).
    #[param(value_type = Option<crate::api::wire::Count>)]
    per_page: Option<String>,
}

/// One entry of the feed.
#[derive(Serialize, ToSchema)]
pub struct NotificationView {
    /// Id.
    pub id: String,
    /// `invoice_issued`, `payment_received`, `payment_failed`,
    /// `quote_issued`, `job_scheduled`, `ticket_replied`, `ticket_closed`,
    /// `request_updated` or `call_off_updated`.
    #[schema(value_type = crate::api::wire::NotificationKind)]
    pub kind: String,
    /// The id of the invoice, payment, quote, job, ticket or request it
    /// is about.
    pub subject_id: String,
    /// One line, in the contact's language.
    #[schema(example = "New invoice INV-1042 for $120.50")]
    pub title: String,
    /// What happened, in a sentence.
    pub text: String,
    /// Its page in the portal, relative to the portal's address.
    #[schema(example = "billing/invoices/0190a1b2-0000-7000-8000-000000000000")]
    pub path: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When the contact marked it read, if they have.
    pub read_at: Option<DateTime<Utc>>,
}

/// One page of the feed, newest first, and the unread count.
#[derive(Serialize, ToSchema)]
pub struct FeedView {
    /// The entries on this page.
    pub items: Vec<NotificationView>,
    /// All entries.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
    /// Unread entries, on any page.
    pub unread: u64,
}

/// The id of what a notice is about.
fn subject_id(notice: &Notice) -> String {
    match notice {
        Notice::InvoiceIssued { invoice, .. } => invoice.to_string(),
        Notice::PaymentReceived { payment, .. } | Notice::PaymentFailed { payment, .. } => {
            payment.to_string()
        }
        Notice::QuoteIssued { quote, .. } => quote.to_string(),
        Notice::JobScheduled { job, .. } => job.to_string(),
        Notice::TicketReplied { ticket, .. } | Notice::TicketClosed { ticket, .. } => {
            ticket.to_string()
        }
        Notice::RequestUpdated { request, .. } => request.to_string(),
    }
}

/// The contact's catalog and formats: their language, else the tenant's.
fn reader(auth: &AuthContext) -> (Messages, std::sync::Arc<Formats>) {
    let settings = &auth.tenant.settings;
    let language = auth.contact.language.unwrap_or(settings.language);
    (Messages::new(language), settings.formats(language))
}

impl NotificationView {
    fn of(entry: &Notification, t: Messages, formats: &Formats, business: &str) -> Self {
        let words = words::notice(t, formats, &entry.notice, business);
        Self {
            id: entry.id.to_string(),
            kind: entry.notice.kind().as_str().to_owned(),
            subject_id: subject_id(&entry.notice),
            title: words.title,
            text: words.text,
            path: entry.notice.path(),
            created_at: entry.created_at,
            read_at: entry.read_at,
        }
    }
}

/// One page of the contact's notifications for the active account,
/// newest first, with the number unread.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = [])), params(FeedParams),
    responses((status = 200, body = FeedView), (status = 400, body = Problem, description = "an unknown parameter"),
        (status = 401, body = Problem),
        (status = 422, body = Problem, description = "a malformed page; `field` names it")))]
pub async fn list_notifications(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiQuery(params): ApiQuery<FeedParams>,
) -> Result<Json<FeedView>, ApiError> {
    let page = params::page_request(
        params.page.as_deref(),
        params.per_page.as_deref(),
        Source::Api,
    )?;
    let feed = state.portal.notifications().feed(&auth.actor, page).await?;
    let (t, formats) = reader(&auth);
    let business = &auth.tenant.settings.display_name;
    Ok(Json(FeedView {
        items: feed
            .page
            .items
            .iter()
            .map(|entry| NotificationView::of(entry, t, &formats, business))
            .collect(),
        total: feed.page.total,
        page: feed.page.page,
        per_page: feed.page.per_page,
        unread: feed.unread,
    }))
}

/// How many entries were marked read.
#[derive(Serialize, ToSchema)]
pub struct MarkedView {
    /// Entries that were unread and now are read.
    pub marked: u64,
}

/// Marks every notification of the contact for the active account read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = MarkedView), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "staff viewing as the customer")))]
pub async fn mark_notifications_read(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
) -> Result<Json<MarkedView>, ApiError> {
    let marked = state.portal.notifications().mark_read(&auth.actor).await?;
    Ok(Json(MarkedView { marked }))
}

/// One kind's choice.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChoiceView {
    /// The kind, as in a notification's `kind`.
    #[schema(value_type = crate::api::wire::NotificationKind)]
    pub kind: String,
    /// Whether it appears in the portal's feed.
    pub feed: bool,
    /// Whether it is sent by email.
    pub email: bool,
}

/// The contact's choices, one per kind their role lets them see.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesView {
    /// Each kind's choice.
    pub choices: Vec<ChoiceView>,
}

fn view_of(auth: &AuthContext, choices: &Preferences) -> PreferencesView {
    let features = &auth.tenant.settings.features;
    PreferencesView {
        choices: NotificationKind::seen_by(&auth.actor, features)
            .map(|kind| ChoiceView {
                kind: kind.as_str().to_owned(),
                feed: choices.wants(kind, Channel::Feed),
                email: choices.wants(kind, Channel::Email),
            })
            .collect(),
    }
}

/// What reaches the contact where.
#[utoipa::path(get, path = "/api/v1/notification-preferences", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = PreferencesView), (status = 401, body = Problem)))]
pub async fn get_preferences(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
) -> Result<Json<PreferencesView>, ApiError> {
    let choices = state
        .portal
        .notifications()
        .preferences(&auth.actor)
        .await?;
    Ok(Json(view_of(&auth, &choices)))
}

/// Changes the contact's choices: each kind listed takes the choice
/// given (a kind listed twice, the last); kinds not listed keep theirs. Answers the choices as they now
/// are.
#[utoipa::path(put, path = "/api/v1/notification-preferences", tag = "notifications", security(("bearer" = [])),
    request_body = PreferencesView,
    responses((status = 200, body = PreferencesView), (status = 400, body = Problem, description = "not JSON of this shape"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "staff viewing as the customer"),
        (status = 422, body = Problem, description = "an unknown kind; `field` is `kind` and nothing is written")))]
pub async fn put_preferences(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiJson(body): ApiJson<PreferencesView>,
) -> Result<Json<PreferencesView>, ApiError> {
    let service = state.portal.notifications();
    let mut choices = service.preferences(&auth.actor).await?;
    let kinds = params::notification_kinds(body.choices.iter().map(|c| c.kind.as_str()))?;
    for (kind, choice) in kinds.into_iter().zip(&body.choices) {
        choices.set(kind, Channel::Feed, choice.feed);
        choices.set(kind, Channel::Email, choice.email);
    }
    service.set_preferences(&auth.actor, &choices).await?;
    Ok(Json(view_of(&auth, &choices)))
}
