//! Log-in, log-out, registration (e-mail on file and known facts), the
//! set-password link and forgot password.
//!
//! The link's GET only shows the form; the token is spent by the POST, so
//! mail scanners that open links do not burn them. Token pages send
//! `Referrer-Policy: same-origin` so the token never leaks to another site.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use secrecy::SecretString;
use serde::Deserialize;

use portal_core::identity::{RawToken, SessionKind, TokenPurpose};
use portal_core::{KnownFacts, LinkRequest, PortalError};

use super::{Layout, render};
use crate::AppState;
use crate::context::RequestContext;
use crate::error::status_of;
use crate::security::{Csrf, CsrfForm, PageUser, check_rate};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    error: Option<String>,
    notice: Option<String>,
    login: String,
    next: String,
    offers_email: bool,
    offers_facts: bool,
}

impl LoginPage {
    fn new(
        context: &RequestContext,
        csrf: &Csrf,
        login: String,
        next: Option<&str>,
        error: Option<String>,
        notice: Option<String>,
    ) -> Self {
        let registration = context.tenant.settings.registration;
        Self {
            layout: Layout::public("Log in", context, csrf),
            error,
            notice,
            login,
            next: super::local_target(context, next).unwrap_or_default(),
            offers_email: registration.email_on_file,
            offers_facts: registration.known_facts,
        }
    }
}

#[derive(Deserialize)]
pub struct LoginNotice {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

pub async fn login_page(
    context: RequestContext,
    csrf: Csrf,
    user: Result<PageUser, Response>,
    Query(query): Query<LoginNotice>,
) -> Response {
    if user.is_ok() {
        return Redirect::to(&format!("{}/dashboard", context.base)).into_response();
    }
    let notice = match query.done.as_deref() {
        Some("password") => Some("Your password is set. Log in with it now.".to_owned()),
        Some("registered") => Some("You are registered. Log in with your new password.".to_owned()),
        Some("logout") => Some("You have logged out.".to_owned()),
        _ => None,
    };
    render(
        StatusCode::OK,
        &LoginPage::new(
            &context,
            &csrf,
            String::new(),
            query.next.as_deref(),
            None,
            notice,
        ),
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Response {
    let fail = |status: StatusCode, message: String| {
        render(
            status,
            &LoginPage::new(
                &context,
                &csrf,
                form.login.clone(),
                form.next.as_deref(),
                Some(message),
                None,
            ),
        )
    };
    if let Err(limited) = check_rate(&state, &context) {
        return fail(limited.status(), limited.detail().to_owned());
    }
    let password = SecretString::from(form.password.clone());
    match state
        .portal
        .identity()
        .log_in(&context.tenant, &form.login, &password, SessionKind::Cookie)
        .await
    {
        Ok(session) => {
            let cookies = state.cookies;
            let session_cookie = cookies.build(cookies.session, session.token.expose().to_owned());
            // A fresh CSRF token with the fresh session: a token planted
            // before log-in is worthless after it.
            let csrf_cookie = cookies.build(cookies.csrf, crate::security::new_csrf_token());
            let target = super::local_target(&context, form.next.as_deref())
                .unwrap_or_else(|| format!("{}/dashboard", context.base));
            (
                jar.add(session_cookie).add(csrf_cookie),
                Redirect::to(&target),
            )
                .into_response()
        }
        Err(error) => fail(status_of(&error), error.to_string()),
    }
}

/// A form with nothing but its CSRF token.
#[derive(Deserialize)]
pub struct NoFields {}

pub async fn logout(
    State(state): State<AppState>,
    context: RequestContext,
    jar: CookieJar,
    user: Result<PageUser, Response>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Response {
    if let Ok(PageUser(auth)) = user
        && let Err(error) = state.portal.identity().log_out(&auth).await
    {
        tracing::error!(%error, "log-out failed");
    }
    let jar = jar.add(state.cookies.removal(state.cookies.session));
    (
        jar,
        Redirect::to(&format!("{}/login?done=logout", context.base)),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "register.html")]
struct LinkRequestPage {
    layout: Layout,
    error: Option<String>,
    notice: Option<String>,
    heading: &'static str,
    explanation: &'static str,
    action: &'static str,
    /// The field's label, type and autocomplete hint: an e-mail to
    /// register, an e-mail or phone number (as at log-in) to reset.
    label: &'static str,
    input_type: &'static str,
    autocomplete: &'static str,
    email: String,
}

impl LinkRequestPage {
    fn new(context: &RequestContext, csrf: &Csrf, request: LinkRequest) -> Self {
        let (heading, explanation, action) = match request {
            LinkRequest::Register => (
                "Register",
                "Enter the email address we have on file for you. We will email you a link to set your password.",
                "register",
            ),
            LinkRequest::Reset => (
                "Forgot your password?",
                "Enter the email address or phone number you log in with. We will email you a link to choose a new password.",
                "forgot-password",
            ),
        };
        let (label, input_type, autocomplete) = match request {
            LinkRequest::Register => ("Email", "email", "email"),
            LinkRequest::Reset => ("Email or phone number", "text", "username"),
        };
        Self {
            layout: Layout::public(heading, context, csrf),
            error: None,
            notice: None,
            heading,
            explanation,
            action,
            label,
            input_type,
            autocomplete,
            email: String::new(),
        }
    }
}

const LINK_SENT: &str = "If this matches an account that can use this portal, we have sent a link to the email address on file. \
     It works once and expires within an hour. Check your spam folder if it does not arrive.";

pub async fn register_page(context: RequestContext, csrf: Csrf) -> Response {
    if !context.tenant.settings.registration.email_on_file {
        return super::message_page_for(
            Some(&context),
            StatusCode::NOT_FOUND,
            "Not available",
            "Registration by email is not offered.",
        );
    }
    render(
        StatusCode::OK,
        &LinkRequestPage::new(&context, &csrf, LinkRequest::Register),
    )
}

pub async fn forgot_page(context: RequestContext, csrf: Csrf) -> Response {
    render(
        StatusCode::OK,
        &LinkRequestPage::new(&context, &csrf, LinkRequest::Reset),
    )
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

async fn link_request(
    state: AppState,
    context: RequestContext,
    csrf: Csrf,
    form: EmailForm,
    request: LinkRequest,
) -> Response {
    let mut page = LinkRequestPage::new(&context, &csrf, request);
    if let Err(limited) = check_rate(&state, &context) {
        page.error = Some(limited.detail().to_owned());
        page.email = form.email;
        return render(limited.status(), &page);
    }
    match state
        .portal
        .identity()
        .request_password_link(&context.tenant, &form.email, request)
        .await
    {
        Ok(()) => {
            page.notice = Some(LINK_SENT.to_owned());
            render(StatusCode::OK, &page)
        }
        Err(error) => {
            page.error = Some(error.to_string());
            page.email = form.email;
            render(status_of(&error), &page)
        }
    }
}

pub async fn register_submit(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Response {
    link_request(state, context, csrf, form, LinkRequest::Register).await
}

pub async fn forgot_submit(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Response {
    link_request(state, context, csrf, form, LinkRequest::Reset).await
}

#[derive(Template)]
#[template(path = "register_details.html")]
struct FactsPage {
    layout: Layout,
    error: Option<String>,
    notice: Option<String>,
    phone: String,
    email: String,
    postal_code: String,
}

pub async fn register_details_page(context: RequestContext, csrf: Csrf) -> Response {
    if !context.tenant.settings.registration.known_facts {
        return super::message_page_for(
            Some(&context),
            StatusCode::NOT_FOUND,
            "Not available",
            "Registration with account details is not offered.",
        );
    }
    render(
        StatusCode::OK,
        &FactsPage {
            layout: Layout::public("Register", &context, &csrf),
            error: None,
            notice: None,
            phone: String::new(),
            email: String::new(),
            postal_code: String::new(),
        },
    )
}

#[derive(Deserialize)]
pub struct FactsForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    postal_code: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

pub async fn register_details_submit(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    CsrfForm(form): CsrfForm<FactsForm>,
) -> Response {
    let fail = |status: StatusCode, message: String| {
        render(
            status,
            &FactsPage {
                layout: Layout::public("Register", &context, &csrf),
                error: Some(message),
                notice: None,
                phone: form.phone.clone(),
                email: form.email.clone(),
                postal_code: form.postal_code.clone(),
            },
        )
    };
    if let Err(limited) = check_rate(&state, &context) {
        return fail(limited.status(), limited.detail().to_owned());
    }
    if form.password != form.password_confirm {
        return fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The two passwords do not match.".into(),
        );
    }
    let facts = KnownFacts {
        phone: form.phone.clone(),
        email: form.email.clone(),
        postal_code: form.postal_code.clone(),
    };
    match state
        .portal
        .identity()
        .register_by_facts(&context.tenant, &facts, &form.password)
        .await
    {
        Ok(()) => Redirect::to(&format!("{}/login?done=registered", context.base)).into_response(),
        Err(error) => fail(status_of(&error), error.to_string()),
    }
}

#[derive(Template)]
#[template(path = "set_password.html")]
struct SetPasswordPage {
    layout: Layout,
    error: Option<String>,
    notice: Option<String>,
    heading: &'static str,
    show_form: bool,
    token: String,
    /// Who the link is for, as they log in (shown, and a hidden username
    /// field for password managers).
    login: Option<String>,
}

fn heading_for(purpose: TokenPurpose) -> &'static str {
    match purpose {
        TokenPurpose::SetPassword => "Set your password",
        TokenPurpose::ResetPassword => "Choose a new password",
        TokenPurpose::Invitation => "Welcome! Set your password",
    }
}

/// Token pages must not leak the token through the Referer header to
/// another site. Not `no-referrer`: under it browsers send `Origin: null`
/// with the page's own form, which the cross-origin check refuses.
fn without_referrer(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

fn link_invalid_page(context: &RequestContext, csrf: &Csrf) -> Response {
    let page = SetPasswordPage {
        layout: Layout::public("Link expired", context, csrf),
        error: Some(PortalError::LinkInvalid.to_string()),
        notice: None,
        heading: "This link no longer works",
        show_form: false,
        token: String::new(),
        login: None,
    };
    render(StatusCode::GONE, &page)
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

pub async fn set_password_page(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    Query(query): Query<TokenQuery>,
) -> Response {
    let token = RawToken::from_client(&query.token);
    let response = match state
        .portal
        .identity()
        .inspect_token(&context.tenant, &token)
        .await
    {
        Ok(info) => render(
            StatusCode::OK,
            &SetPasswordPage {
                layout: Layout::public(heading_for(info.purpose), &context, &csrf),
                error: None,
                notice: None,
                heading: heading_for(info.purpose),
                show_form: true,
                token: query.token,
                login: info.login,
            },
        ),
        Err(PortalError::LinkInvalid) => link_invalid_page(&context, &csrf),
        Err(error) => super::error_page(&context, error),
    };
    without_referrer(response)
}

#[derive(Deserialize)]
pub struct SetPasswordForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

pub async fn set_password_submit(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    CsrfForm(form): CsrfForm<SetPasswordForm>,
) -> Response {
    let retry = |status: StatusCode, message: String| {
        without_referrer(render(
            status,
            &SetPasswordPage {
                layout: Layout::public("Set your password", &context, &csrf),
                error: Some(message),
                notice: None,
                heading: "Set your password",
                show_form: true,
                token: form.token.clone(),
                // Only a hint for password managers, echoed from the form.
                login: (!form.login.is_empty()).then(|| form.login.clone()),
            },
        ))
    };
    if let Err(limited) = check_rate(&state, &context) {
        return retry(limited.status(), limited.detail().to_owned());
    }
    if form.password != form.password_confirm {
        return retry(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The two passwords do not match.".into(),
        );
    }
    let token = RawToken::from_client(&form.token);
    match state
        .portal
        .identity()
        .set_password_with_token(&context.tenant, &token, &form.password)
        .await
    {
        Ok(()) => Redirect::to(&format!("{}/login?done=password", context.base)).into_response(),
        Err(PortalError::LinkInvalid) => without_referrer(link_invalid_page(&context, &csrf)),
        Err(error) => retry(status_of(&error), error.to_string()),
    }
}
