//! The dashboard page, and the portal's root that leads to it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;

use portal_core::AuthContext;
use portal_core::dashboard::Dashboard;
use portal_core::tickets::TicketStatus;

use super::{Layout, PageError, render};
use crate::AppState;
use crate::context::RequestContext;
use crate::security::{Csrf, PageUser};

use super::accounts::layout;

/// The portal's root: straight to the dashboard (which sends strangers on
/// to the log-in page).
pub async fn home(context: RequestContext) -> Response {
    Redirect::to(&format!("{}/dashboard", context.base)).into_response()
}

#[derive(Template)]
#[template(path = "dashboard/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    contact_name: String,
    account_number: String,
    account_name: String,
    dashboard: Dashboard,
    /// The account summary, when the contact may see billing.
    billing: Option<super::billing::Summary>,
    /// Autopay's state, when the contact may manage it.
    autopay: Option<AutopayNote>,
    /// Whether the account's autopay is active, by the jobs' rule
    /// (`portal_core::jobs::autopay_is_active`) over the consent the
    /// autopay card read: only for a contact who may manage autopay, never
    /// when the tenant runs none. Each open job says "Paid by autopay" by
    /// `JobRow::paid_by_autopay` on it.
    autopay_active: bool,
    /// How the tenant writes money and dates.
    formats: std::sync::Arc<portal_core::shared::Formats>,
}

/// What the dashboard says about autopay.
struct AutopayNote {
    /// The card autopay charges; `None` when autopay is off (the page
    /// offers to turn it on).
    card: Option<String>,
    /// When autopay next charges (the earliest unpaid invoice's due day,
    /// or today for one already due), when anything is unpaid.
    next_charge: Option<String>,
    /// Whether autopay is active ([`portal_core::jobs::autopay_is_active`]).
    active: bool,
}

impl AutopayNote {
    /// Autopay for the dashboard, read only when the contact may manage
    /// it (a read of the consent and the cards, whatever the rows shown).
    /// `first_due` is the earliest unpaid invoice's due day.
    async fn of(
        state: &AppState,
        auth: &AuthContext,
        today: NaiveDate,
        first_due: Option<NaiveDate>,
        formats: &portal_core::shared::Formats,
        t: portal_i18n::Messages,
    ) -> Result<Self, PageError> {
        let status = state
            .portal
            .billing()
            .autopay(&auth.actor, &t.msg("autopay-terms-standard"))
            .await?;
        let card = status.consent.as_ref().map(|consent| {
            status
                .methods
                .iter()
                .find(|method| method.id == consent.method)
                .map_or_else(
                    || t.msg("dashboard-autopay-any-card"),
                    |method| super::billing::card_label(t, method),
                )
        });
        Ok(Self {
            active: portal_core::jobs::autopay_is_active(
                &auth.tenant.settings.features,
                status.consent.as_ref(),
            ),
            next_charge: card
                .as_ref()
                .and(first_due)
                .map(|due| formats.dates.day(due.max(today))),
            card,
        })
    }
}

pub async fn dashboard(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    PageUser(auth): PageUser,
) -> Result<Response, PageError> {
    let formats = context.tenant.settings.formats(context.t().language());
    let dashboard = state.portal.dashboard().show(&auth.actor).await?;
    let title = context.t().msg("dashboard-title");
    let layout = layout(&state, &title, "dashboard", &context, &csrf, &auth);
    let autopay = if layout.billing.autopay {
        let today = state.portal.billing().today(&context.tenant);
        let first_due = dashboard
            .unpaid_invoices
            .as_ref()
            .and_then(|panel| panel.rows.first())
            .map(|row| row.due_on);
        Some(AutopayNote::of(&state, &auth, today, first_due, &formats, context.t()).await?)
    } else {
        None
    };
    let autopay_active = autopay.as_ref().is_some_and(|note| note.active);
    let page = DashboardPage {
        layout,
        autopay_active,
        contact_name: auth.contact.name.clone(),
        account_number: auth.membership.account_number.clone(),
        account_name: auth.membership.account_name.clone(),
        billing: dashboard
            .account_summary
            .as_ref()
            .map(|summary| super::billing::Summary::of(summary, &formats)),
        autopay,
        dashboard,
        formats,
    };
    render(StatusCode::OK, &page)
}
