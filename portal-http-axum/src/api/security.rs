//! Security over JSON: the contact's own sessions (ending any of them),
//! their recent sign-ins, and the account's audit log for contacts who
//! manage contacts.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use portal_core::audit::{AuditActor, AuditEntry};
use portal_core::identity::Session;
use portal_core::shared::SessionId;

use crate::AppState;
use crate::api::{ApiPath, ApiQuery, wire};
use crate::error::{ApiError, Problem};
use crate::params::{self, Source};
use crate::security::ApiUser;

/// How many sign-ins `GET /me/sign-ins` lists.
const SIGN_INS_LISTED: u32 = 20;

/// The routes, mounted under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me/sessions", get(list_sessions))
        .route("/me/sessions/{id}", delete(end_session))
        .route("/me/sign-ins", get(list_sign_ins))
        .route("/audit-log", get(audit_log))
}

/// One of the contact's live sessions.
#[derive(Serialize, ToSchema)]
pub struct SessionView {
    /// Id (to end it with `DELETE /me/sessions/{id}`).
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// `cookie` (a browser) or `bearer` (an API client).
    #[schema(example = "bearer")]
    pub kind: String,
    /// The client's `User-Agent` when it signed in.
    pub user_agent: Option<String>,
    /// The client's address when it signed in.
    pub address: Option<String>,
    /// When it signed in.
    pub created_at: DateTime<Utc>,
    /// When it was last used (to the minute).
    pub last_seen_at: DateTime<Utc>,
    /// Whether it is the session of this request.
    pub current: bool,
}

/// The contact's sessions.
#[derive(Serialize, ToSchema)]
pub struct SessionListView {
    /// Most recently used first.
    pub items: Vec<SessionView>,
}

fn session_view(session: &Session, current: SessionId) -> SessionView {
    SessionView {
        id: session.id.to_string(),
        kind: session.kind.as_str().to_owned(),
        user_agent: session.client.user_agent.clone(),
        address: session.client.address.map(|a| a.to_string()),
        created_at: session.created_at,
        last_seen_at: session.last_seen_at,
        current: session.id == current,
    }
}

/// The contact's live sessions, in browsers and API clients (a staff
/// member's "view as" session is not theirs and is not listed).
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "identity", security(("bearer" = [])),
    responses((status = 200, body = SessionListView), (status = 401, body = Problem)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
) -> Result<Json<SessionListView>, ApiError> {
    let sessions = state.portal.identity().sessions(&auth).await?;
    Ok(Json(SessionListView {
        items: sessions
            .iter()
            .map(|session| session_view(session, auth.session_id()))
            .collect(),
    }))
}

/// End one of the contact's sessions (this one included); the audit log
/// records it.
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "identity", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "session id")),
    responses((status = 204, description = "ended"), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "staff viewing as the customer"),
        (status = 404, body = Problem, description = "unknown, malformed, or not one of the contact's live sessions")))]
pub async fn end_session(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let id = params::id(&id, SessionId::parse)?;
    state.portal.identity().end_session(&auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A sign-in or a failed one.
#[derive(Serialize, ToSchema)]
pub struct SignInView {
    /// When.
    pub at: DateTime<Utc>,
    /// Whether the password was right.
    pub succeeded: bool,
    /// The client's `User-Agent`.
    pub user_agent: Option<String>,
    /// The client's address.
    pub address: Option<String>,
}

/// The contact's recent sign-ins.
#[derive(Serialize, ToSchema)]
pub struct SignInListView {
    /// Newest first, at most 20.
    pub items: Vec<SignInView>,
}

/// The contact's latest sign-ins and failed sign-ins (wrong password).
#[utoipa::path(get, path = "/api/v1/me/sign-ins", tag = "identity", security(("bearer" = [])),
    responses((status = 200, body = SignInListView), (status = 401, body = Problem)))]
pub async fn list_sign_ins(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
) -> Result<Json<SignInListView>, ApiError> {
    let entries = state
        .portal
        .audit()
        .sign_ins(&auth, SIGN_INS_LISTED)
        .await?;
    Ok(Json(SignInListView {
        items: entries
            .iter()
            .map(|entry| SignInView {
                at: entry.at,
                succeeded: entry.action == portal_core::audit::AuditAction::SignedIn,
                user_agent: entry.user_agent.clone(),
                address: entry.client_addr.map(|a| a.to_string()),
            })
            .collect(),
    }))
}

/// The audit log's page; unknown parameters are refused (400).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Page, from 1.
    #[param(value_type = Option<wire::Count>)]
    page: Option<String>,
    /// Page size, 1 to 100 (default 25; larger is capped).
    #[param(value_type = Option<wire::Count>)]
    per_page: Option<String>,
}

/// Who did it.
#[derive(Serialize, ToSchema)]
pub struct AuditActorView {
    /// `contact`, `staff` (of the business) or `host` (the business's
    /// own system).
    #[schema(example = "contact")]
    pub kind: String,
    /// The contact's id, or the staff member's id as the business gave it.
    pub id: Option<String>,
    /// The contact's name at the time (empty for the host).
    pub name: String,
}

/// One entry of the audit log.
#[derive(Serialize, ToSchema)]
pub struct AuditEntryView {
    /// Id.
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// What happened: `signed_in`, `sign_in_failed`, `password_changed`,
    /// `password_set`, `session_ended`, `payment_made`, `quote_approved`,
    /// `quote_declined`, `contact_added`, `contact_updated`,
    /// `contact_removed`, `role_changed`, `access_on`, `access_off`,
    /// `details_changed`, `view_as_started` (more may come: show unknown
    /// ones as they are).
    #[schema(example = "payment_made")]
    pub action: String,
    /// Who did it.
    pub actor: AuditActorView,
    /// The contact it is about (who signed in, whose access changed).
    #[schema(value_type = Option<wire::Id>)]
    pub contact: Option<String>,
    /// The contact whose portal staff were viewing.
    #[schema(value_type = Option<wire::Id>)]
    pub on_behalf_of: Option<String>,
    /// What it was about: a quote's number, an amount.
    pub detail: Option<String>,
    /// The client's address.
    pub address: Option<String>,
    /// The client's `User-Agent`.
    pub user_agent: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

impl From<&AuditEntry> for AuditEntryView {
    fn from(entry: &AuditEntry) -> Self {
        Self {
            id: entry.id.to_string(),
            action: entry.action.as_str().to_owned(),
            actor: AuditActorView {
                kind: entry.actor.kind().to_owned(),
                id: entry.actor.id(),
                name: match &entry.actor {
                    AuditActor::Contact { name, .. } => name.clone(),
                    AuditActor::Staff { .. } | AuditActor::Host => String::new(),
                },
            },
            contact: entry.contact.map(|id| id.to_string()),
            on_behalf_of: entry.on_behalf_of.map(|id| id.to_string()),
            detail: entry.detail.clone(),
            address: entry.client_addr.map(|a| a.to_string()),
            user_agent: entry.user_agent.clone(),
            at: entry.at,
        }
    }
}

/// One page of the audit log.
#[derive(Serialize, ToSchema)]
pub struct AuditPageView {
    /// The entries, newest first.
    pub items: Vec<AuditEntryView>,
    /// All entries.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

/// One page of the active account's audit log, newest first: sign-ins,
/// payments, approvals, contact changes, staff viewing as the customer.
#[utoipa::path(get, path = "/api/v1/audit-log", tag = "customer", security(("bearer" = [])), params(AuditParams),
    responses((status = 200, body = AuditPageView), (status = 400, body = Problem, description = "an unknown parameter"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "the contact may not manage contacts, or contact management is off"),
        (status = 422, body = Problem, description = "a malformed page; `field` names it")))]
pub async fn audit_log(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> Result<Json<AuditPageView>, ApiError> {
    let page = params::page_request(
        params.page.as_deref(),
        params.per_page.as_deref(),
        Source::Api,
    )?;
    let log = state.portal.audit().account_log(&auth.actor, page).await?;
    Ok(Json(AuditPageView {
        items: log.items.iter().map(AuditEntryView::from).collect(),
        total: log.total,
        page: log.page,
        per_page: log.per_page,
    }))
}
