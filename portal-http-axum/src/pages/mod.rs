//! The HTML portal. Pages work without JavaScript: every action is a form
//! POST protected by [`crate::security::CsrfForm`], answered with a redirect
//! (post/redirect/get) or the same form re-rendered with its error next to
//! the input it concerns.
//!
//! Handlers return `Result<Response, PageError>`: input is read through
//! [`crate::params`], use cases are called with `?`, a form shows what
//! went wrong through a [`form::Form`], and every other error becomes its
//! page in one place ([`error`]).
//!
//! - `identity.rs`: log in/out, both registrations, set and forgot password
//! - `dashboard.rs`: the dashboard; `accounts.rs`: account, change password,
//!   account switcher, the signed-in layout
//! - `billing/`: invoices, paying, payments, credit, statements, cards on
//!   file and autopay
//! - `quotes/`: quotes, approving (with a typed signature) and declining
//!   them, their PDF and approval certificate
//! - `service_contracts.rs`: service contracts (recurring and blocks of
//!   hours); `assets.rs`: equipment and its service history;
//!   `jobs.rs`: jobs, their timeline, notes and links
//!   `requests.rs`: service requests of every kind: the list, asking, one request
//! - `rentals.rs`: rental contracts, items out, reservations, their PDF,
//!   and calling items off rent
//! - `error.rs`: [`PageError`] and the layer that renders it
//! - `form.rs`: forms with their errors at the inputs
//! - `list.rs`: a list page's rows, total and pager ([`list::Listing`])

mod accounts;
mod assets;
mod billing;
mod communications;
mod contacts;
mod dashboard;
mod documents;
mod error;
mod form;
mod identity;
mod jobs;
mod list;
mod notifications;
mod quotes;
pub(crate) mod redirect;
mod rentals;
mod requests;
mod security;
mod service_contracts;
mod tickets;

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use portal_core::AuthContext;
use portal_core::access::{Actor, Permission};
use portal_core::identity::Membership;
use portal_core::tenancy::{Branding, Colour, Feature, SafeUrl, Tenant};

use portal_i18n::{Language, Messages};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;
use crate::context::RequestContext;
use crate::route_table::{PageRoutes, form_post, get};
use crate::security::{Csrf, check_rate};

pub use error::PageError;
pub(crate) use error::{method_not_allowed_page, render_errors, to_login};

/// The page routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .route("/", get(dashboard::home))
        .route("/dashboard", get(dashboard::dashboard))
        .route(
            "/login",
            get(identity::login_page).post(identity::login_submit),
        )
        .route("/logout", form_post(identity::logout, "/login"))
        .route(
            "/register",
            get(identity::register_page).post(identity::register_submit),
        )
        .route(
            "/register/details",
            get(identity::register_details_page).post(identity::register_details_submit),
        )
        .route(
            "/set-password",
            // The URL carries the token: never send it on, not even to us
            // (access logs keep Referers); see `auth`.
            get(identity::set_password_page)
                .post(identity::set_password_submit)
                .layer(SetResponseHeaderLayer::overriding(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("strict-origin"),
                )),
        )
        .route(
            "/forgot-password",
            get(identity::forgot_page).post(identity::forgot_submit),
        )
        .route("/account", get(accounts::account))
        .route(
            "/account/password",
            form_post(accounts::change_password, "/account"),
        )
        .route(
            "/account/language",
            form_post(accounts::set_language, "/account"),
        )
        .route(
            "/account/fields",
            form_post(accounts::update_fields, "/account"),
        )
        .route(
            "/account/profile",
            form_post(accounts::update_profile, "/account"),
        )
        .route(
            "/account/email",
            form_post(accounts::change_email, "/account"),
        )
        .route(
            "/confirm-email",
            // The URL carries the token, as `/set-password`'s does.
            get(identity::confirm_email_page)
                .post(identity::confirm_email_submit)
                .layer(SetResponseHeaderLayer::overriding(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("strict-origin"),
                )),
        )
        .route(
            "/switch-account",
            form_post(accounts::switch_account, "/dashboard"),
        )
        .merge(billing::routes())
        .merge(quotes::routes())
        .merge(service_contracts::routes())
        .merge(assets::routes())
        .merge(rentals::routes())
        .merge(jobs::routes())
        .merge(requests::routes())
        .merge(tickets::routes())
        .merge(notifications::routes())
        .merge(communications::routes())
        .merge(documents::routes())
        .merge(security::routes())
        .merge(contacts::routes())
}

/// The tenant's branding, as the layout shows it. Colours and URLs come
/// only through core's checked types, so a value stored before the rules
/// (or behind the host API's back) never reaches the `<style>` block, an
/// `href` or a `src`.
pub struct Brand {
    name: String,
    primary: Colour,
    accent: Colour,
    logo: Option<SafeUrl>,
    email: Option<String>,
    phone: Option<String>,
    /// Each profile's label, and its URL when it may be linked.
    socials: Vec<(String, Option<SafeUrl>)>,
    /// No tenant's: an address no portal answers to.
    plain: bool,
}

impl Brand {
    fn of(tenant: &Tenant) -> Self {
        let settings = &tenant.settings;
        Self {
            name: settings.display_name.clone(),
            primary: settings.branding.primary(),
            accent: settings.branding.accent(),
            logo: settings.branding.logo(),
            email: settings
                .contact
                .email
                .as_ref()
                .map(|email| email.to_string()),
            phone: settings.contact.phone.clone(),
            socials: settings
                .contact
                .social_links
                .iter()
                .map(|link| (link.label.clone(), link.safe_url()))
                .collect(),
            plain: false,
        }
    }

    fn plain(t: Messages) -> Self {
        let branding = Branding::default();
        Self {
            name: t.msg("brand-plain"),
            primary: branding.primary(),
            accent: branding.accent(),
            logo: None,
            email: None,
            phone: None,
            socials: Vec::new(),
            plain: true,
        }
    }

    /// The footer's words: the business's portal, or just a portal.
    fn footer(&self, t: &Messages) -> String {
        if self.plain {
            self.name.clone()
        } else {
            t.msg_with("brand-footer", t.arg("name", &self.name))
        }
    }

    /// The business's phone as a `tel:` link wants it: `+` and digits.
    fn phone_link(&self) -> Option<String> {
        self.phone.as_ref().map(|phone| {
            phone
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect()
        })
    }

    fn has_contact(&self) -> bool {
        self.email.is_some() || self.phone.is_some() || !self.socials.is_empty()
    }
}

/// The logged-in part of the header.
pub struct UserNav {
    name: String,
    accounts: Vec<AccountOption>,
    /// The staff member viewing the portal as this contact (the banner).
    viewer: Option<String>,
}

/// One entry of the account switcher.
pub struct AccountOption {
    id: String,
    label: String,
    selected: bool,
}

/// Which billing pages the contact may use, so the navigation only links
/// to pages that will open. Asked of the core ([`Actor::can`], the rule
/// `authorize` applies in every use case), so a link is shown exactly when
/// its page would not be refused.
#[derive(Clone, Copy, Debug, Default)]
pub struct BillingNav {
    /// Invoices, payments and the summary.
    view: bool,
    /// Paying.
    pay: bool,
    /// Applying account credit (also with online payment off).
    credit: bool,
    /// Statements.
    statements: bool,
    /// Cards on file.
    cards: bool,
    /// Autopay (managing cards, with the autopay switch on).
    autopay: bool,
}

impl BillingNav {
    fn of(actor: &Actor, tenant: &Tenant) -> Self {
        let features = &tenant.settings.features;
        let cards = actor.can(Permission::ManagePaymentMethods, features);
        Self {
            view: actor.can(Permission::ViewBilling, features),
            pay: actor.can(Permission::PayInvoices, features),
            credit: actor.can(Permission::ApplyCredit, features),
            statements: actor.can(Permission::ViewStatements, features),
            cards,
            // The same two checks `Portal::autopay` makes.
            autopay: cards && features.is_on(Feature::Autopay),
        }
    }
}

/// What the base template needs.
pub struct Layout {
    title: String,
    base: String,
    /// This page's path, for forms that come back to it.
    current_path: String,
    brand: Brand,
    csrf: String,
    user: Option<UserNav>,
    billing: BillingNav,
    /// The catalog in the page's language, which templates look their
    /// words up in (`layout.t`); `<html lang>` is its language.
    t: Messages,
    /// Whether the contact may see quotes (the Quotes link).
    quotes: bool,
    /// Whether the contact may see service contracts (their link).
    service_contracts: bool,
    /// Whether the contact may see equipment (its link).
    assets: bool,
    /// Whether the contact may see rentals (their link and the
    /// dashboard's card).
    rentals: bool,
    /// Whether the contact may see jobs (their link; the services
    /// feature and permission, as service contracts).
    jobs: bool,
    /// Whether the contact may ask for service (the Requests link).
    requests: bool,
    /// Whether the contact may see tickets (the Support link).
    tickets: bool,
    /// Whether the contact may download documents (the Downloads link).
    documents: bool,
    /// Whether the contact may manage the account's contacts (the Portal
    /// users link).
    contacts: bool,
}

impl Layout {
    /// A page without forms or a session: the tenant's branding when
    /// known, else a plain portal's.
    fn branded(title: &str, context: Option<&RequestContext>) -> Self {
        let t = context.map_or(Messages::new(Language::English), |c| c.t());
        Self {
            title: title.to_owned(),
            base: context.map(|c| c.base.clone()).unwrap_or_default(),
            current_path: String::new(),
            brand: context
                .map(|c| Brand::of(&c.tenant))
                .unwrap_or_else(|| Brand::plain(t)),
            csrf: String::new(),
            user: None,
            billing: BillingNav::default(),
            t,
            quotes: false,
            service_contracts: false,
            assets: false,
            rentals: false,
            jobs: false,
            requests: false,
            tickets: false,
            documents: false,
            contacts: false,
        }
    }

    fn public(title: &str, context: &RequestContext, csrf: &Csrf) -> Self {
        Self {
            t: context.t(),
            title: title.to_owned(),
            base: context.base.clone(),
            current_path: String::new(),
            brand: Brand::of(&context.tenant),
            csrf: csrf.0.clone(),
            user: None,
            billing: BillingNav::default(),
            quotes: false,
            service_contracts: false,
            assets: false,
            rentals: false,
            jobs: false,
            requests: false,
            tickets: false,
            documents: false,
            contacts: false,
        }
    }

    fn signed_in(
        title: &str,
        page: &str,
        context: &RequestContext,
        csrf: &Csrf,
        auth: &AuthContext,
        memberships: &[Membership],
    ) -> Self {
        let accounts = memberships
            .iter()
            .map(|m| AccountOption {
                id: m.account.to_string(),
                label: format!("{} · {}", m.account_number, m.account_name),
                selected: m.account == auth.membership.account,
            })
            .collect();
        Self {
            user: Some(UserNav {
                name: auth.contact.name.clone(),
                accounts,
                viewer: auth.viewer().map(str::to_owned),
            }),
            current_path: format!("{}/{page}", context.base),
            billing: BillingNav::of(&auth.actor, &context.tenant),
            t: context.t(),
            quotes: auth
                .actor
                .can(Permission::ViewQuotes, &context.tenant.settings.features),
            service_contracts: auth
                .actor
                .can(Permission::ViewServices, &context.tenant.settings.features),
            jobs: auth
                .actor
                .can(Permission::ViewServices, &context.tenant.settings.features),
            assets: auth
                .actor
                .can(Permission::ViewAssets, &context.tenant.settings.features),
            rentals: auth
                .actor
                .can(Permission::ViewRentals, &context.tenant.settings.features),
            requests: auth.actor.can(
                Permission::RequestService,
                &context.tenant.settings.features,
            ),
            tickets: auth
                .actor
                .can(Permission::ViewTickets, &context.tenant.settings.features),
            documents: auth
                .actor
                .can(Permission::ViewDocuments, &context.tenant.settings.features),
            contacts: auth.actor.can(
                Permission::ManageContacts,
                &context.tenant.settings.features,
            ),
            ..Self::public(title, context, csrf)
        }
    }
}

/// `next` when, normalised, it is a path inside this portal, so redirects
/// after log-in or an account switch can never lead to another site (see
/// [`redirect::local_target`]).
fn local_target(context: &RequestContext, next: Option<&str>) -> Option<String> {
    redirect::local_target(&context.base, next?)
}

/// The room a page's text is rendered into at first.
const PAGE_CAPACITY: usize = 32 * 1024;

/// Renders a template with a status; pages are never cached, since they
/// hold customer data or single-use tokens.
fn render(status: StatusCode, template: &impl Template) -> Result<Response, PageError> {
    // Room for a whole page (with the inline style sheet most are 15 to
    // 30 KiB), so the text is not copied as it grows.
    let mut body = String::with_capacity(PAGE_CAPACITY);
    template.render_into(&mut body)?;
    let mut response = (status, Html(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Refuses the request when its client is over the limit of the forms
/// that guess at credentials (log-in, registration, passwords).
fn rate_limit(state: &AppState, context: &RequestContext) -> Result<(), PageError> {
    check_rate(state, context).map_err(|limited| PageError::too_many_requests(&limited))
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    layout: Layout,
    heading: String,
    message: String,
}

/// A page with one message, in the tenant's branding when known.
pub(crate) fn message_page_for(
    context: Option<&RequestContext>,
    status: StatusCode,
    heading: &str,
    message: &str,
) -> Response {
    let layout = Layout::branded(heading, context);
    message_page_in(layout, status, heading, message)
}

/// What an error page says, and its status.
pub(crate) struct ErrorWords {
    /// The answer's status.
    pub(crate) status: StatusCode,
    /// The page's heading (and title).
    pub(crate) heading: String,
    /// The sentence under it.
    pub(crate) message: String,
}

/// An error page (not found, not allowed, failed) in the tenant's
/// branding when known, and with the navigation of the customer whose
/// live session the request carries (`headers`' cookie), so a wrong turn
/// is not a dead end. `csrf` is the token the page's forms (log out, the
/// account switcher) carry; without it the page has no navigation.
pub(crate) async fn error_page(
    state: &AppState,
    context: Option<&RequestContext>,
    headers: &HeaderMap,
    csrf: Option<&Csrf>,
    words: ErrorWords,
) -> Response {
    let mut layout = Layout::branded(&words.heading, context);
    if let (Some(context), Some(csrf)) = (context, csrf)
        && let Some(auth) = crate::security::session_of(state, context, headers).await
    {
        layout = accounts::layout(state, &words.heading, "dashboard", context, csrf, &auth);
    }
    message_page_in(layout, words.status, &words.heading, &words.message)
}

/// The one-message page in `layout`.
fn message_page_in(layout: Layout, status: StatusCode, heading: &str, message: &str) -> Response {
    let page = MessagePage {
        layout,
        heading: heading.to_owned(),
        message: message.to_owned(),
    };
    // The page that shows errors cannot show its own: plain text then.
    render(status, &page)
        .unwrap_or_else(|_| (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response())
}
