//! Cards on file (list, add from a gateway token, remove, make default)
//! and autopay (status, enrol with the terms shown word for word,
//! withdraw).

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use portal_core::PortalError;
use portal_core::shared::PaymentMethodId;

use super::pay::MethodRow;
use super::{Done, Visit, day_of, parse_id, respond};
use crate::error::status_of;
use crate::pages::{Layout, render};
use crate::security::CsrfForm;

#[derive(Template)]
#[template(path = "billing/methods.html")]
struct MethodsPage {
    layout: Layout,
    section: &'static str,
    error: Option<String>,
    notice: Option<String>,
    methods: Vec<MethodRow>,
    /// The id of the card autopay charges, if the account has autopay.
    autopay_card: Option<String>,
}

async fn methods_page(
    visit: &Visit,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    respond(
        async {
            let layout = visit.layout("Cards on file", "billing/methods");
            let methods = visit
                .portal()
                .billing()
                .payment_methods(visit.actor())
                .await
                .map_err(|error| visit.fail(error))?;
            // Which card autopay charges, where the customer may see autopay.
            let autopay_card = if layout.billing.autopay {
                visit
                    .portal()
                    .billing()
                    .autopay(visit.actor())
                    .await
                    .map_err(|error| visit.fail(error))?
                    .consent
                    .map(|consent| consent.method.to_string())
            } else {
                None
            };
            let today = visit.today();
            let page = MethodsPage {
                layout,
                section: "methods",
                error,
                notice,
                methods: methods
                    .iter()
                    .map(|method| MethodRow::of(method, today))
                    .collect(),
                autopay_card,
            };
            Ok(render(status, &page))
        }
        .await,
    )
}

/// A change's outcome: back to the list with a notice, or the list again
/// with the reason it was refused (404 and 403 get their own page).
async fn after_change(visit: &Visit, done: Result<(), PortalError>, key: &str) -> Response {
    match done {
        Ok(()) => visit.redirect(&format!("billing/methods?done={key}")),
        Err(error @ (PortalError::InvalidInput { .. } | PortalError::Conflict(_))) => {
            methods_page(visit, status_of(&error), Some(error.to_string()), None).await
        }
        Err(error) => visit.fail(error),
    }
}

/// `GET /billing/methods`.
pub async fn methods(visit: Visit, Query(done): Query<Done>) -> Response {
    let notice = done.notice(&[
        ("added", "The card was added."),
        ("removed", "The card was removed."),
        ("default", "That card is now your default."),
    ]);
    methods_page(&visit, StatusCode::OK, None, notice).await
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    make_default: Option<String>,
}

/// `POST /billing/methods`: puts a card on file from a gateway token.
pub async fn add(visit: Visit, CsrfForm(form): CsrfForm<AddForm>) -> Response {
    let added = visit
        .portal()
        .billing()
        .add_payment_method(
            visit.actor(),
            form.token.trim(),
            form.make_default.is_some(),
        )
        .await
        .map(|_| ());
    after_change(&visit, added, "added").await
}

/// The fields of a form that only carries its CSRF token.
#[derive(Deserialize)]
pub struct EmptyForm {}

/// `POST /billing/methods/{id}/remove`.
pub async fn remove(
    visit: Visit,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Response {
    let removed = match parse_id(&id, PaymentMethodId::parse) {
        Ok(id) => {
            visit
                .portal()
                .billing()
                .remove_payment_method(visit.actor(), id)
                .await
        }
        Err(error) => Err(error),
    };
    after_change(&visit, removed, "removed").await
}

/// `POST /billing/methods/{id}/default`.
pub async fn make_default(
    visit: Visit,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Response {
    let changed = match parse_id(&id, PaymentMethodId::parse) {
        Ok(id) => {
            visit
                .portal()
                .billing()
                .set_default_payment_method(visit.actor(), id)
                .await
        }
        Err(error) => Err(error),
    };
    after_change(&visit, changed, "default").await
}

// ---- autopay ---------------------------------------------------------

#[derive(Template)]
#[template(path = "billing/autopay.html")]
struct AutopayPage {
    layout: Layout,
    section: &'static str,
    error: Option<String>,
    notice: Option<String>,
    /// The card and the day of the active consent.
    active: Option<(String, String)>,
    terms: String,
    terms_digest: String,
    methods: Vec<MethodRow>,
}

async fn autopay_page(
    visit: &Visit,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    respond(
        async {
            let layout = visit.layout("Autopay", "billing/autopay");
            let autopay = visit
                .portal()
                .billing()
                .autopay(visit.actor())
                .await
                .map_err(|error| visit.fail(error))?;
            let today = visit.today();
            let mut methods: Vec<MethodRow> = autopay
                .methods
                .iter()
                .map(|method| MethodRow::of(method, today))
                .filter(|row| !row.is_expired)
                .collect();
            let active = autopay.consent.as_ref().map(|consent| {
                let card = autopay
                    .methods
                    .iter()
                    .find(|method| method.id == consent.method)
                    .map(|method| method.label())
                    .unwrap_or_else(|| "a card on file".to_owned());
                (card, day_of(consent.consented_at, visit.zone()))
            });
            // Preselect the card autopay uses, else the default one.
            let current = autopay.consent.as_ref().map(|c| c.method.to_string());
            let wanted = current.or_else(|| {
                methods
                    .iter()
                    .find(|row| row.is_default)
                    .map(|row| row.id.clone())
            });
            for row in &mut methods {
                row.selected = wanted.as_deref() == Some(row.id.as_str());
            }
            let page = AutopayPage {
                layout,
                section: "autopay",
                error,
                notice,
                active,
                terms: autopay.terms,
                terms_digest: autopay.terms_digest,
                methods,
            };
            Ok(render(status, &page))
        }
        .await,
    )
}

/// `GET /billing/autopay`.
pub async fn autopay(visit: Visit, Query(done): Query<Done>) -> Response {
    let notice = done.notice(&[
        (
            "on",
            "Autopay is on. We will charge the card you chose when invoices are due.",
        ),
        (
            "off",
            "Autopay is off. Nothing more will be charged automatically.",
        ),
    ]);
    autopay_page(&visit, StatusCode::OK, None, notice).await
}

#[derive(Deserialize)]
pub struct EnrolForm {
    #[serde(default)]
    method: String,
    #[serde(default)]
    terms_digest: String,
    #[serde(default)]
    consent: Option<String>,
}

/// `POST /billing/autopay`: enrols (or changes the card) with consent to
/// the terms that were shown.
pub async fn enrol(visit: Visit, CsrfForm(form): CsrfForm<EnrolForm>) -> Response {
    let enrolled = match parse_id(&form.method, PaymentMethodId::parse) {
        Ok(method) => {
            visit
                .portal()
                .billing()
                .enrol_autopay(
                    visit.actor(),
                    method,
                    &form.terms_digest,
                    form.consent.is_some(),
                )
                .await
        }
        Err(error) => Err(error),
    };
    match enrolled {
        Ok(_) => visit.redirect("billing/autopay?done=on"),
        Err(error @ (PortalError::InvalidInput { .. } | PortalError::Conflict(_))) => {
            autopay_page(&visit, status_of(&error), Some(error.to_string()), None).await
        }
        Err(error) => visit.fail(error),
    }
}

/// `POST /billing/autopay/withdraw`.
pub async fn withdraw(visit: Visit, CsrfForm(_): CsrfForm<EmptyForm>) -> Response {
    match visit
        .portal()
        .billing()
        .withdraw_autopay(visit.actor())
        .await
    {
        Ok(_) => visit.redirect("billing/autopay?done=off"),
        Err(error) => visit.fail(error),
    }
}
