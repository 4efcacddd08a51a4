//! The dashboard page, and the portal's root that leads to it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use portal_core::dashboard::Dashboard;

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
    /// How the tenant writes money and dates.
    formats: std::sync::Arc<portal_core::shared::Formats>,
}

pub async fn dashboard(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    PageUser(auth): PageUser,
) -> Result<Response, PageError> {
    let formats = context.tenant.settings.formats();
    let dashboard = state.portal.dashboard().show(&auth.actor).await?;
    let page = DashboardPage {
        layout: layout(&state, "Dashboard", "dashboard", &context, &csrf, &auth),
        contact_name: auth.contact.name.clone(),
        account_number: auth.membership.account_number.clone(),
        account_name: auth.membership.account_name.clone(),
        billing: dashboard
            .account_summary
            .as_ref()
            .map(|summary| super::billing::Summary::of(summary, &formats)),
        dashboard,
        formats,
    };
    render(StatusCode::OK, &page)
}
