//! Notifications: the contact's feed (newest first, unread marked, "mark
//! all as read"), their settings (each kind in the portal and by mail),
//! and the page a mail's "stop these emails" link opens, which works
//! without a session (the link's signed token says who and what).

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use tower_http::set_header::SetResponseHeaderLayer;

use portal_core::PortalError;
use portal_core::notifications::{Channel, Notification, NotificationKind, Preferences};
use portal_core::shared::Formats;
use portal_i18n::{Messages, words};

use super::billing::{Done, Visit};
use super::list::{Listing, list_url};
use super::{Layout, PageError, render};
use crate::AppState;
use crate::context::RequestContext;
use crate::params::{self, Source};
use crate::route_table::{PageRoutes, form_post, get};
use crate::security::{Csrf, CsrfForm};

/// The notification routes, under the portal's prefix.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .route("/notifications", get(feed))
        .route(
            "/notifications/read",
            form_post(mark_read, "/notifications"),
        )
        .route("/notifications/settings", get(settings).post(save_settings))
        .route(
            "/notifications/unsubscribe",
            // The URL carries the token: never send it on.
            get(unsubscribe_page)
                .post(unsubscribe)
                .layer(SetResponseHeaderLayer::overriding(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("no-referrer"),
                )),
        )
}

/// A kind in the reader's words ("A new invoice").
pub(crate) fn kind_label(t: Messages, kind: NotificationKind) -> String {
    t.msg(&format!("notifications-kind-{}", kind.as_str()))
}

/// A feed entry as the page shows it.
pub struct EntryRow {
    title: String,
    text: String,
    action: String,
    href: String,
    at: String,
    unread: bool,
}

impl EntryRow {
    fn of(
        entry: &Notification,
        t: Messages,
        formats: &Formats,
        base: &str,
        business: &str,
    ) -> Self {
        let words = words::notice(t, formats, &entry.notice, business);
        Self {
            title: words.title,
            text: words.text,
            action: words.action,
            href: format!("{base}/{}", entry.notice.path()),
            at: formats.dates.moment(entry.created_at),
            unread: entry.read_at.is_none(),
        }
    }
}

/// The feed's query string, as typed.
#[derive(Deserialize, serde::Serialize, Default)]
pub struct FeedQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "notifications/feed.html")]
struct FeedPage {
    layout: Layout,
    notice: Option<String>,
    list: Listing<EntryRow>,
    unread: String,
    has_unread: bool,
}

/// `/notifications`: the feed, newest first, in pages.
pub async fn feed(
    visit: Visit,
    Query(query): Query<FeedQuery>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let t = visit.t();
    let page = params::page_request(query.page.as_deref(), None, Source::Page)?;
    let feed = visit
        .portal()
        .notifications()
        .feed(visit.actor(), page)
        .await?;
    let formats = visit.formats();
    let base = visit.context().base.clone();
    let business = visit.context().tenant.settings.display_name.clone();
    let list = Listing::of(
        t,
        &feed.page,
        |entry| EntryRow::of(entry, t, &formats, &base, &business),
        |n| {
            let page = FeedQuery {
                page: (n > 1).then(|| n.to_string()),
            };
            list_url(&base, "notifications", &page)
        },
    );
    let page = FeedPage {
        layout: visit.layout(&t.msg("notifications-title"), "notifications"),
        notice: done.notice(&[("read", t.msg("notifications-marked"))]),
        list,
        unread: t.msg_with("notifications-unread", t.count("count", feed.unread)),
        has_unread: feed.unread > 0,
    };
    render(StatusCode::OK, &page)
}

/// `POST /notifications/read`: marks the feed read.
pub async fn mark_read(
    visit: Visit,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    visit
        .portal()
        .notifications()
        .mark_read(visit.actor())
        .await?;
    Ok(visit.redirect("notifications?done=read"))
}

/// One row of the settings table.
pub struct SettingRow {
    kind: &'static str,
    label: String,
    feed: bool,
    email: bool,
}

#[derive(Template)]
#[template(path = "notifications/settings.html")]
struct SettingsPage {
    layout: Layout,
    notice: Option<String>,
    rows: Vec<SettingRow>,
}

/// The kinds the contact may be told about: those their role and the
/// tenant's features let them see.
fn kinds_for(visit: &Visit) -> Vec<NotificationKind> {
    NotificationKind::seen_by(visit.actor(), &visit.context().tenant.settings.features).collect()
}

/// `/notifications/settings`: each kind, in the portal and by mail.
pub async fn settings(visit: Visit, Query(done): Query<Done>) -> Result<Response, PageError> {
    let t = visit.t();
    let choices = visit
        .portal()
        .notifications()
        .preferences(visit.actor())
        .await?;
    let page = SettingsPage {
        layout: visit.layout(&t.msg("notifications-preferences-title"), "notifications"),
        notice: done.notice(&[("saved", t.msg("notifications-saved"))]),
        rows: kinds_for(&visit)
            .into_iter()
            .map(|kind| SettingRow {
                kind: kind.as_str(),
                label: kind_label(t, kind),
                feed: choices.wants(kind, Channel::Feed),
                email: choices.wants(kind, Channel::Email),
            })
            .collect(),
    };
    render(StatusCode::OK, &page)
}

/// `POST /notifications/settings`: a checkbox `<kind>.<channel>` for each
/// choice switched on; the kinds the contact may not see keep what they
/// had.
pub async fn save_settings(
    visit: Visit,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let service = visit.portal().notifications();
    let mut choices: Preferences = service.preferences(visit.actor()).await?;
    let ticked = params::notification_choices(fields.iter().map(|(name, _)| name.as_str()));
    for kind in kinds_for(&visit) {
        for channel in Channel::ALL {
            choices.set(kind, channel, ticked.contains(&(kind, channel)));
        }
    }
    service.set_preferences(visit.actor(), &choices).await?;
    Ok(visit.redirect("notifications/settings?done=saved"))
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Template)]
#[template(path = "notifications/unsubscribe.html")]
struct UnsubscribePage {
    layout: Layout,
    token: String,
    heading: String,
    message: String,
    /// Whether the button is shown (a good token, not yet used).
    confirm: bool,
}

fn unsubscribe_view(
    context: &RequestContext,
    csrf: &Csrf,
    token: String,
    state: Result<(NotificationKind, bool), PortalError>,
) -> Result<Response, PageError> {
    let t = context.t();
    let (status, heading, message, confirm) = match state {
        Ok((kind, false)) => (
            StatusCode::OK,
            t.msg("unsubscribe-title"),
            t.msg_with("unsubscribe-confirm", t.arg("kind", kind_label(t, kind))),
            true,
        ),
        Ok((kind, true)) => (
            StatusCode::OK,
            t.msg("unsubscribe-done-title"),
            t.msg_with("unsubscribe-done", t.arg("kind", kind_label(t, kind))),
            false,
        ),
        Err(PortalError::LinkInvalid) => (
            StatusCode::GONE,
            t.msg("unsubscribe-invalid-title"),
            t.msg("unsubscribe-invalid"),
            false,
        ),
        Err(error) => return Err(error.into()),
    };
    let page = UnsubscribePage {
        layout: Layout::public(&heading, context, csrf),
        token,
        heading,
        message,
        confirm,
    };
    render(status, &page)
}

/// `GET /notifications/unsubscribe?token=`: asks before turning the kind
/// off (mail scanners open links; only the button, or a mail client's
/// one-click POST, changes anything).
pub async fn unsubscribe_page(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let kind = state
        .portal
        .notifications()
        .check_unsubscribe(context.tenant.id, &query.token)
        .ok_or(PortalError::LinkInvalid);
    unsubscribe_view(&context, &csrf, query.token, kind.map(|kind| (kind, false)))
}

/// `POST /notifications/unsubscribe`: turns the kind off. The token comes
/// in the form (the page's button) or in the query (RFC 8058 one-click
/// from a mail client, whose body is `List-Unsubscribe=One-Click`); it is
/// what authenticates, so no session or form token is asked for.
pub async fn unsubscribe(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    Query(query): Query<TokenQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let token = form
        .into_iter()
        .find_map(|(name, value)| (name == "token").then_some(value))
        .unwrap_or(query.token);
    let done = state
        .portal
        .notifications()
        .unsubscribe(context.tenant.id, &token)
        .await;
    unsubscribe_view(
        &context,
        &csrf,
        String::new(),
        done.map(|kind| (kind, true)),
    )
}
