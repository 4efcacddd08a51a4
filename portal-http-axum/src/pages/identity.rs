//! Log-in, log-out, registration (e-mail on file and known facts), the
//! set-password link and forgot password.
//!
//! The link's GET only shows the form; the token is spent by the POST, so
//! mail scanners that open links do not burn them. Token pages send
//! `Referrer-Policy: strict-origin` (a layer on their route, so their error
//! pages do too): a Referer carries our origin only, never the URL with its
//! token, not even to our own access logs. Not `no-referrer`: under it
//! browsers send `Origin: null` with the page's form, which the
//! cross-origin check must refuse.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use secrecy::SecretString;
use serde::Deserialize;

use portal_core::identity::{RawToken, SessionKind, TokenPurpose};
use portal_core::{KnownFacts, LinkRequest, PortalError};

use super::form::{Form, Input, Refusal};
use super::{Layout, PageError, rate_limit, render};
use crate::AppState;
use crate::context::RequestContext;
use crate::security::{Csrf, CsrfForm, PageUser};
use portal_i18n::Messages;

#[derive(Template)]
#[template(path = "identity/login.html")]
struct LoginPage {
    layout: Layout,
    form: Form,
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
        refusal: Option<Refusal>,
        notice: Option<String>,
    ) -> Self {
        let registration = context.tenant.settings.registration;
        let t = context.t();
        Self {
            layout: Layout::public(&t.msg("login-title"), context, csrf),
            form: Form::new(
                t,
                vec![
                    Input::new("login", t.msg("login-name")),
                    Input::new("password", t.msg("login-password")),
                ],
            )
            .showing(refusal),
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
) -> Result<Response, PageError> {
    if user.is_ok() {
        return Ok(Redirect::to(&format!("{}/dashboard", context.base)).into_response());
    }
    let t = context.t();
    let notice = match query.done.as_deref() {
        Some("password") => Some(t.msg("login-password-set")),
        Some("registered") => Some(t.msg("login-registered")),
        Some("logout") => Some(t.msg("login-logged-out")),
        _ => None,
    };
    let page = LoginPage::new(
        &context,
        &csrf,
        String::new(),
        query.next.as_deref(),
        None,
        notice,
    );
    render(StatusCode::OK, &page)
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
) -> Result<Response, PageError> {
    let cookies = state.cookies;
    let attempt: Result<_, PageError> = async {
        rate_limit(&state, &context)?;
        let password = SecretString::from(form.password.clone());
        let client = cookies.page_client(&context, &jar);
        Ok(state
            .portal
            .identity()
            .log_in(
                &context.tenant,
                &form.login,
                &password,
                SessionKind::Cookie,
                &client,
            )
            .await?)
    }
    .await;
    let session = match attempt {
        Ok(session) => session,
        Err(error) => {
            let refusal = Refusal::of(error)?;
            let page = LoginPage::new(
                &context,
                &csrf,
                form.login,
                form.next.as_deref(),
                Some(refusal),
                None,
            );
            return render(page.form.status(), &page);
        }
    };
    let session_cookie = cookies.build(cookies.session, session.token.expose().to_owned());
    // A fresh CSRF token with the fresh session: a token planted before
    // log-in is worthless after it.
    let csrf_cookie = cookies.build(cookies.csrf, crate::security::new_csrf_token());
    let target = super::local_target(&context, form.next.as_deref())
        .unwrap_or_else(|| format!("{}/dashboard", context.base));
    Ok((
        jar.add(session_cookie)
            .add(csrf_cookie)
            .add(cookies.device_cookie(&session.device)),
        Redirect::to(&target),
    )
        .into_response())
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
#[template(path = "identity/register.html")]
struct LinkRequestPage {
    layout: Layout,
    form: Form,
    notice: Option<String>,
    heading: String,
    explanation: String,
    action: &'static str,
    /// The field's type and autocomplete hint: an e-mail to register, an
    /// e-mail or phone number (as at log-in) to reset.
    input_type: &'static str,
    autocomplete: &'static str,
    email: String,
}

impl LinkRequestPage {
    fn new(
        context: &RequestContext,
        csrf: &Csrf,
        request: LinkRequest,
        refusal: Option<Refusal>,
    ) -> Self {
        let t = context.t();
        let (heading, explanation, action) = match request {
            LinkRequest::Register => (
                t.msg("register-title"),
                t.msg("register-explanation"),
                "register",
            ),
            LinkRequest::Reset => (
                t.msg("forgot-title"),
                t.msg("forgot-explanation"),
                "forgot-password",
            ),
        };
        let (label, input_type, autocomplete) = match request {
            LinkRequest::Register => (t.msg("identity-email"), "email", "email"),
            LinkRequest::Reset => (t.msg("login-name"), "text", "username"),
        };
        Self {
            layout: Layout::public(&heading, context, csrf),
            // A reset takes a log-in name, which the core calls `login`.
            form: Form::new(t, vec![Input::new("email", label).alias(&["login"])]).showing(refusal),
            notice: None,
            heading,
            explanation,
            action,
            input_type,
            autocomplete,
            email: String::new(),
        }
    }
}

pub async fn register_page(context: RequestContext, csrf: Csrf) -> Result<Response, PageError> {
    if !context.tenant.settings.registration.email_on_file {
        return Ok(super::message_page_for(
            Some(&context),
            StatusCode::NOT_FOUND,
            &context.t().msg("identity-not-available"),
            &context.t().msg("register-email-off"),
        ));
    }
    render(
        StatusCode::OK,
        &LinkRequestPage::new(&context, &csrf, LinkRequest::Register, None),
    )
}

pub async fn forgot_page(context: RequestContext, csrf: Csrf) -> Result<Response, PageError> {
    render(
        StatusCode::OK,
        &LinkRequestPage::new(&context, &csrf, LinkRequest::Reset, None),
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
) -> Result<Response, PageError> {
    let asked: Result<(), PageError> = async {
        rate_limit(&state, &context)?;
        Ok(state
            .portal
            .identity()
            .request_password_link(&context.tenant, &form.email, request)
            .await?)
    }
    .await;
    let page = match asked {
        Ok(()) => LinkRequestPage {
            notice: Some(context.t().msg("link-sent")),
            ..LinkRequestPage::new(&context, &csrf, request, None)
        },
        Err(error) => LinkRequestPage {
            email: form.email,
            ..LinkRequestPage::new(&context, &csrf, request, Some(Refusal::of(error)?))
        },
    };
    render(page.form.status(), &page)
}

pub async fn register_submit(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Result<Response, PageError> {
    link_request(state, context, csrf, form, LinkRequest::Register).await
}

pub async fn forgot_submit(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Result<Response, PageError> {
    link_request(state, context, csrf, form, LinkRequest::Reset).await
}

#[derive(Template)]
#[template(path = "identity/register_details.html")]
struct FactsPage {
    layout: Layout,
    form: Form,
    notice: Option<String>,
    phone: String,
    email: String,
    postal_code: String,
}

impl FactsPage {
    fn new(context: &RequestContext, csrf: &Csrf, refusal: Option<Refusal>) -> Self {
        let t = context.t();
        Self {
            layout: Layout::public(&t.msg("register-title"), context, csrf),
            form: Form::new(
                t,
                vec![
                    Input::new("phone", t.msg("identity-phone")),
                    Input::new("email", t.msg("identity-email")),
                    Input::new("postal_code", t.msg("identity-postal-code")),
                    Input::new("password", t.msg("identity-new-password")),
                    Input::new("password_confirm", t.msg("identity-new-password-confirm")),
                ],
            )
            .showing(refusal),
            notice: None,
            phone: String::new(),
            email: String::new(),
            postal_code: String::new(),
        }
    }
}

pub async fn register_details_page(
    context: RequestContext,
    csrf: Csrf,
) -> Result<Response, PageError> {
    if !context.tenant.settings.registration.known_facts {
        return Ok(super::message_page_for(
            Some(&context),
            StatusCode::NOT_FOUND,
            &context.t().msg("identity-not-available"),
            &context.t().msg("register-details-off"),
        ));
    }
    render(StatusCode::OK, &FactsPage::new(&context, &csrf, None))
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
    jar: CookieJar,
    CsrfForm(form): CsrfForm<FactsForm>,
) -> Result<Response, PageError> {
    let registered: Result<(), PageError> = async {
        rate_limit(&state, &context)?;
        if form.password != form.password_confirm {
            return Err(PageError::at(
                "password_confirm",
                &context.t().msg("identity-passwords-differ"),
            ));
        }
        let facts = KnownFacts {
            phone: form.phone.clone(),
            email: form.email.clone(),
            postal_code: form.postal_code.clone(),
        };
        Ok(state
            .portal
            .identity()
            .register_by_facts(
                &context.tenant,
                &facts,
                &form.password,
                &state.cookies.page_client(&context, &jar),
            )
            .await?)
    }
    .await;
    match registered {
        Ok(()) => {
            Ok(Redirect::to(&format!("{}/login?done=registered", context.base)).into_response())
        }
        Err(error) => {
            let page = FactsPage {
                phone: form.phone,
                email: form.email,
                postal_code: form.postal_code,
                ..FactsPage::new(&context, &csrf, Some(Refusal::of(error)?))
            };
            render(page.form.status(), &page)
        }
    }
}

#[derive(Template)]
#[template(path = "identity/set_password.html")]
struct SetPasswordPage {
    layout: Layout,
    form: Form,
    notice: Option<String>,
    heading: String,
    show_form: bool,
    token: String,
    /// Who the link is for, as they log in (shown, and a hidden username
    /// field for password managers).
    login: Option<String>,
}

impl SetPasswordPage {
    /// The form for `token`, headed for what the link is for.
    fn new(
        context: &RequestContext,
        csrf: &Csrf,
        heading: String,
        token: String,
        refusal: Option<Refusal>,
    ) -> Self {
        let t = context.t();
        Self {
            layout: Layout::public(&heading, context, csrf),
            form: Form::new(
                t,
                vec![
                    Input::new("password", t.msg("identity-new-password")),
                    Input::new("password_confirm", t.msg("identity-new-password-confirm")),
                ],
            )
            .showing(refusal),
            notice: None,
            heading,
            show_form: true,
            token,
            login: None,
        }
    }
}

fn heading_for(t: Messages, purpose: TokenPurpose) -> String {
    match purpose {
        TokenPurpose::SetPassword => t.msg("set-password-title"),
        TokenPurpose::ResetPassword => t.msg("set-password-reset-title"),
        TokenPurpose::Invitation => t.msg("set-password-welcome-title"),
    }
}

/// The page for a link that no longer works (410), without its form.
fn link_invalid_page(context: &RequestContext, csrf: &Csrf) -> Result<Response, PageError> {
    let refusal = Refusal::of(PortalError::LinkInvalid)?;
    let t = context.t();
    let page = SetPasswordPage {
        layout: Layout::public(&t.msg("link-expired-title"), context, csrf),
        show_form: false,
        ..SetPasswordPage::new(
            context,
            csrf,
            t.msg("link-expired-heading"),
            String::new(),
            Some(refusal),
        )
    };
    render(page.form.status(), &page)
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// `GET /set-password?token=`: the form, if the link still works. Token
/// pages are served with `Referrer-Policy: strict-origin` (see the module).
pub async fn set_password_page(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let token = RawToken::from_client(&query.token);
    match state
        .portal
        .identity()
        .inspect_token(&context.tenant, &token)
        .await
    {
        Ok(info) => {
            let heading = heading_for(context.t(), info.purpose);
            let page = SetPasswordPage {
                login: info.login,
                ..SetPasswordPage::new(&context, &csrf, heading, query.token, None)
            };
            render(StatusCode::OK, &page)
        }
        Err(PortalError::LinkInvalid) => link_invalid_page(&context, &csrf),
        Err(error) => Err(error.into()),
    }
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

/// `POST /set-password`: spends the link and sets the password.
pub async fn set_password_submit(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    CsrfForm(form): CsrfForm<SetPasswordForm>,
) -> Result<Response, PageError> {
    let set: Result<(), PageError> = async {
        rate_limit(&state, &context)?;
        if form.password != form.password_confirm {
            return Err(PageError::at(
                "password_confirm",
                &context.t().msg("identity-passwords-differ"),
            ));
        }
        let token = RawToken::from_client(&form.token);
        Ok(state
            .portal
            .identity()
            .set_password_with_token(
                &context.tenant,
                &token,
                &form.password,
                &context.client_info(),
            )
            .await?)
    }
    .await;
    let refusal = match set {
        Ok(()) => {
            return Ok(
                Redirect::to(&format!("{}/login?done=password", context.base)).into_response(),
            );
        }
        // Gone is only ever the link (used or expired meanwhile): say so,
        // without the form.
        Err(PageError::Refused {
            status: StatusCode::GONE,
            ..
        }) => return link_invalid_page(&context, &csrf),
        Err(error) => Refusal::of(error)?,
    };
    let page = SetPasswordPage {
        // Only a hint for password managers, echoed from the form.
        login: (!form.login.is_empty()).then_some(form.login),
        ..SetPasswordPage::new(
            &context,
            &csrf,
            context.t().msg("set-password-title"),
            form.token,
            Some(refusal),
        )
    };
    render(page.form.status(), &page)
}

/// The page a confirmation link opens: the new address and a button that
/// confirms it (a GET changes nothing, so mail scanners that open links
/// confirm nothing).
#[derive(Template)]
#[template(path = "identity/confirm_email.html")]
struct ConfirmEmailPage {
    layout: Layout,
    token: String,
    new_email: String,
}

/// `GET /confirm-email?token=...`: the new address, to confirm.
pub async fn confirm_email_page(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let token = RawToken::from_client(&query.token);
    match state
        .portal
        .identity()
        .inspect_email_change(&context.tenant, &token)
        .await
    {
        Ok(new_email) => {
            let t = context.t();
            let page = ConfirmEmailPage {
                layout: Layout::public(&t.msg("confirm-email-title"), &context, &csrf),
                token: query.token,
                new_email: new_email.as_str().to_owned(),
            };
            render(StatusCode::OK, &page)
        }
        Err(PortalError::LinkInvalid) => link_invalid_page(&context, &csrf),
        Err(error) => Err(error.into()),
    }
}

/// `POST /confirm-email`: the new address becomes the contact's e-mail.
pub async fn confirm_email_submit(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    CsrfForm(form): CsrfForm<TokenQuery>,
) -> Result<Response, PageError> {
    rate_limit(&state, &context)?;
    let token = RawToken::from_client(&form.token);
    match state
        .portal
        .identity()
        .confirm_email_change(&context.tenant, &token, &context.client_info())
        .await
    {
        Ok(()) => {
            let t = context.t();
            Ok(super::message_page_for(
                Some(&context),
                StatusCode::OK,
                &t.msg("confirm-email-title"),
                &t.msg("confirm-email-done"),
            ))
        }
        Err(PortalError::LinkInvalid) => link_invalid_page(&context, &csrf),
        Err(error) => Err(error.into()),
    }
}
