//! The logged-in pages: dashboard, account, change password, and the
//! account switcher for contacts with several accounts.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use secrecy::SecretString;
use serde::Deserialize;

use portal_core::access::Permission;
use portal_core::dashboard::Dashboard;
use portal_core::identity::Contact;
use portal_core::shared::AccountId;
use portal_core::{AccountOverview, AuthContext, PortalError};

use super::{Layout, error_page, render};
use crate::AppState;
use crate::context::RequestContext;
use crate::error::status_of;
use crate::security::{Csrf, CsrfForm, PageUser, check_rate};

/// The signed-in layout: header, account switcher (its memberships came
/// with the session) and navigation.
pub(super) fn layout(
    state: &AppState,
    title: &str,
    page: &str,
    context: &RequestContext,
    csrf: &Csrf,
    auth: &AuthContext,
) -> Layout {
    let memberships = state.portal.identity().memberships(auth);
    Layout::signed_in(title, page, context, csrf, auth, &memberships)
}

/// The portal's root: straight to the dashboard (which sends strangers on
/// to the log-in page).
pub async fn home(context: RequestContext) -> Response {
    Redirect::to(&format!("{}/dashboard", context.base)).into_response()
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    contact_name: String,
    account_number: String,
    account_name: String,
    dashboard: Dashboard,
    /// The account summary, when the contact may see billing.
    billing: Option<super::billing::Summary>,
    zone: chrono_tz::Tz,
}

pub async fn dashboard(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    PageUser(auth): PageUser,
) -> Response {
    let zone = context.tenant.settings.time_zone();
    match state.portal.dashboard().show(&auth.actor).await {
        Ok(dashboard) => render(
            StatusCode::OK,
            &DashboardPage {
                layout: layout(&state, "Dashboard", "dashboard", &context, &csrf, &auth),
                contact_name: auth.contact.name.clone(),
                account_number: auth.membership.account_number.clone(),
                account_name: auth.membership.account_name.clone(),
                billing: dashboard
                    .account_summary
                    .as_ref()
                    .map(|summary| super::billing::Summary::of(summary, zone)),
                dashboard,
                zone,
            },
        ),
        Err(error) => error_page(&context, error),
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    error: Option<String>,
    notice: Option<String>,
    overview: AccountOverview,
    address_lines: Vec<String>,
    contact: Contact,
    role: &'static str,
    /// Whether the contact may change custom fields and there are any to
    /// change.
    may_edit: bool,
}

async fn account_page(
    state: &AppState,
    context: &RequestContext,
    csrf: &Csrf,
    auth: &AuthContext,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    match state.portal.accounts().account_overview(&auth.actor).await {
        Ok(overview) => render(
            status,
            &AccountPage {
                may_edit: auth.membership.role.grants(Permission::EditAccount)
                    && overview
                        .custom_fields
                        .values()
                        .any(|(_, editable)| *editable),
                layout: layout(state, "Account", "account", context, csrf, auth),
                error,
                notice,
                address_lines: overview.account.address.lines(),
                overview,
                contact: auth.contact.clone(),
                role: auth.membership.role.label(),
            },
        ),
        Err(error) => error_page(context, error),
    }
}

#[derive(Deserialize)]
pub struct AccountQuery {
    #[serde(default)]
    done: Option<String>,
}

pub async fn account(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    PageUser(auth): PageUser,
    axum::extract::Query(query): axum::extract::Query<AccountQuery>,
) -> Response {
    let notice = match query.done.as_deref() {
        Some("password") => {
            Some("Your password was changed. Your other sessions were logged out.".to_owned())
        }
        Some("fields") => Some("Your details were saved.".to_owned()),
        _ => None,
    };
    account_page(&state, &context, &csrf, &auth, StatusCode::OK, None, notice).await
}

/// `POST /account/fields`: the editable custom fields, as `field:<name>`.
pub async fn update_fields(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    PageUser(auth): PageUser,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> Response {
    let changes: BTreeMap<String, String> = form
        .into_iter()
        .filter_map(|(key, value)| Some((key.strip_prefix("field:")?.to_owned(), value)))
        .collect();
    match state
        .portal
        .accounts()
        .update_custom_fields(&auth.actor, &changes)
        .await
    {
        Ok(_) => Redirect::to(&format!("{}/account?done=fields", context.base)).into_response(),
        Err(error @ PortalError::InvalidInput { .. }) => {
            let status = status_of(&error);
            account_page(
                &state,
                &context,
                &csrf,
                &auth,
                status,
                Some(error.to_string()),
                None,
            )
            .await
        }
        Err(error) => error_page(&context, error),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    PageUser(auth): PageUser,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Response {
    if let Err(limited) = check_rate(&state, &context) {
        let message = Some(limited.detail().to_owned());
        return account_page(
            &state,
            &context,
            &csrf,
            &auth,
            limited.status(),
            message,
            None,
        )
        .await;
    }
    if form.new_password != form.new_password_confirm {
        let message = Some("The two new passwords do not match.".to_owned());
        return account_page(
            &state,
            &context,
            &csrf,
            &auth,
            StatusCode::UNPROCESSABLE_ENTITY,
            message,
            None,
        )
        .await;
    }
    let current = SecretString::from(form.current_password);
    match state
        .portal
        .identity()
        .change_password(&auth, &current, &form.new_password)
        .await
    {
        Ok(()) => Redirect::to(&format!("{}/account?done=password", context.base)).into_response(),
        Err(error) => {
            let status = status_of(&error);
            account_page(
                &state,
                &context,
                &csrf,
                &auth,
                status,
                Some(error.to_string()),
                None,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    account_id: String,
    #[serde(default)]
    return_to: Option<String>,
}

pub async fn switch_account(
    State(state): State<AppState>,
    context: RequestContext,
    PageUser(auth): PageUser,
    CsrfForm(form): CsrfForm<SwitchForm>,
) -> Response {
    let Ok(account) = AccountId::parse(&form.account_id) else {
        return error_page(&context, PortalError::NotFound);
    };
    match state.portal.identity().switch_account(&auth, account).await {
        Ok(()) => {
            let target = super::local_target(&context, form.return_to.as_deref())
                .unwrap_or_else(|| format!("{}/dashboard", context.base));
            Redirect::to(&target).into_response()
        }
        Err(error) => error_page(&context, error),
    }
}
