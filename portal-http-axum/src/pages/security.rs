//! The security page: the contact's own sessions (device, address, last
//! seen) with a button to end any of them, and their recent sign-ins and
//! failed sign-ins; and the account's audit log, for contacts who manage
//! contacts.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use portal_core::access::Permission;
use portal_core::audit::{AuditActor, AuditEntry};
use portal_core::identity::Session;
use portal_core::shared::SessionId;
use portal_i18n::Messages;

use super::billing::{Done, Visit};
use super::list::{Listing, list_url};
use super::{Layout, PageError, render};
use crate::params::{self, Source};
use crate::route_table::{PageRoutes, form_post, get};
use crate::security::CsrfForm;

/// How many sign-ins the page lists.
const SIGN_INS_SHOWN: u32 = 20;

/// The security pages' routes, under the portal's prefix.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .route("/security", get(index))
        .route(
            "/security/sessions/{id}/end",
            form_post(end_session, "/security"),
        )
        .route("/security/audit", get(audit_log))
}

/// A device in words, from its `User-Agent`: "Chrome on Android". Only
/// the common browsers and systems are told apart; anything else is an
/// unknown device (the raw text is long and means little to people).
pub fn device_label(t: Messages, user_agent: Option<&str>) -> String {
    let Some(agent) = user_agent else {
        return t.msg("security-device-unknown");
    };
    // Order matters: Edge and Chrome say "Safari" too, Edge says "Chrome".
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(mark, _)| agent.contains(mark))
    .map(|(_, name)| name);
    let system = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(mark, _)| agent.contains(mark))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(browser), Some(system)) => t.msg_with(
            "security-device",
            t.arg("browser", browser).arg("system", system),
        ),
        (Some(name), None) | (None, Some(name)) => name.to_owned(),
        (None, None) => t.msg("security-device-unknown"),
    }
}

/// A session as the page lists it.
pub struct SessionRow {
    id: String,
    device: String,
    address: String,
    last_seen: String,
    started: String,
    current: bool,
}

/// A sign-in as the page lists it.
pub struct SignInRow {
    at: String,
    outcome: String,
    failed: bool,
    device: String,
    address: String,
}

#[derive(Template)]
#[template(path = "security/index.html")]
struct SecurityPage {
    layout: Layout,
    notice: Option<String>,
    sessions: Vec<SessionRow>,
    sign_ins: Vec<SignInRow>,
    /// Whether the contact may read the account's audit log (its link).
    audit: bool,
    /// Whether this is staff viewing as the customer (no end buttons).
    read_only: bool,
}

fn address_text(t: Messages, address: Option<std::net::IpAddr>) -> String {
    address.map_or_else(|| t.msg("security-address-unknown"), |a| a.to_string())
}

fn session_row(visit: &Visit, session: &Session) -> SessionRow {
    let t = visit.t();
    let formats = visit.formats();
    SessionRow {
        id: session.id.to_string(),
        device: device_label(t, session.client.user_agent.as_deref()),
        address: address_text(t, session.client.address),
        last_seen: formats.dates.moment(session.last_seen_at),
        started: formats.dates.moment(session.created_at),
        current: session.id == visit.auth().session_id(),
    }
}

/// `/security`: the contact's sessions and sign-in history.
pub async fn index(visit: Visit, Query(done): Query<Done>) -> Result<Response, PageError> {
    let t = visit.t();
    let sessions = visit.portal().identity().sessions(visit.auth()).await?;
    let sign_ins = visit
        .portal()
        .audit()
        .sign_ins(visit.auth(), SIGN_INS_SHOWN)
        .await?;
    let formats = visit.formats();
    let page = SecurityPage {
        layout: visit.layout(&t.msg("security-title"), "security"),
        notice: done.notice(&[("ended", t.msg("security-session-ended"))]),
        sessions: sessions.iter().map(|s| session_row(&visit, s)).collect(),
        sign_ins: sign_ins
            .iter()
            .map(|entry| {
                let failed = entry.action == portal_core::audit::AuditAction::SignInFailed;
                SignInRow {
                    at: formats.dates.moment(entry.at),
                    outcome: t.msg(if failed {
                        "security-sign-in-failed"
                    } else {
                        "security-sign-in-ok"
                    }),
                    failed,
                    device: device_label(t, entry.user_agent.as_deref()),
                    address: address_text(t, entry.client_addr),
                }
            })
            .collect(),
        audit: visit.actor().can(
            Permission::ManageContacts,
            &visit.context().tenant.settings.features,
        ),
        read_only: visit.auth().viewer().is_some(),
    };
    render(StatusCode::OK, &page)
}

/// `POST /security/sessions/{id}/end`: ends one of the contact's sessions;
/// back to the page, or to the log-in page when it was this one. Another
/// contact's or an unknown session is 404.
pub async fn end_session(
    visit: Visit,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = params::id(&id, SessionId::parse)?;
    visit
        .portal()
        .identity()
        .end_session(visit.auth(), id)
        .await?;
    if id == visit.auth().session_id() {
        return Ok(visit.redirect("login"));
    }
    Ok(visit.redirect("security?done=ended"))
}

/// An audit entry as the log lists it.
pub struct AuditRow {
    at: String,
    action: String,
    actor: String,
    detail: String,
    address: String,
}

/// Who did it, in words: the contact's name, "Staff (kim@host) as Ada",
/// or the business.
fn actor_text(t: Messages, entry: &AuditEntry, business: &str) -> String {
    match &entry.actor {
        AuditActor::Contact { name, .. } => name.clone(),
        AuditActor::Staff { id } => t.msg_with("audit-actor-staff", t.arg("staff", id)),
        AuditActor::Host => business.to_owned(),
    }
}

/// The log's query string, as typed.
#[derive(Deserialize, Serialize, Default)]
pub struct AuditQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "security/audit.html")]
struct AuditPage {
    layout: Layout,
    list: Listing<AuditRow>,
}

/// `/security/audit`: the account's audit log, newest first (403 without
/// ManageContacts).
pub async fn audit_log(
    visit: Visit,
    Query(query): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let t = visit.t();
    let page = params::page_request(query.page.as_deref(), None, Source::Page)?;
    let log = visit
        .portal()
        .audit()
        .account_log(visit.actor(), page)
        .await?;
    let formats = visit.formats();
    let base = visit.context().base.clone();
    let business = visit.context().tenant.settings.display_name.clone();
    let page = AuditPage {
        layout: visit.layout(&t.msg("audit-title"), "security"),
        list: Listing::of(
            t,
            &log,
            |entry| AuditRow {
                at: formats.dates.moment(entry.at),
                action: t.msg(&format!("audit-action-{}", entry.action.as_str())),
                actor: actor_text(t, entry, &business),
                detail: entry.detail.clone().unwrap_or_default(),
                address: entry
                    .client_addr
                    .map(|address| address.to_string())
                    .unwrap_or_default(),
            },
            |n| {
                let query = AuditQuery {
                    page: (n > 1).then(|| n.to_string()),
                };
                list_url(&base, "security/audit", &query)
            },
        ),
    };
    render(StatusCode::OK, &page)
}
