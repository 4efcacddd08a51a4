//! Cards on file (list, add from a gateway token, remove, make default)
//! and autopay (status, enrol with the terms shown word for word,
//! withdraw).

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::Deserialize;

use portal_core::shared::PaymentMethodId;

use super::pay::MethodRow;
use super::{Done, Visit, day_of};
use crate::pages::form::{Form, Input, Refusal};
use crate::pages::{Layout, PageError, render};
use crate::params::{self, Field, Source};
use crate::security::CsrfForm;

#[derive(Template)]
#[template(path = "billing/methods.html")]
struct MethodsPage {
    layout: Layout,
    section: &'static str,
    form: Form,
    notice: Option<String>,
    methods: Vec<MethodRow>,
    /// The id of the card autopay charges, if the account has autopay.
    autopay_card: Option<String>,
}

async fn methods_page(
    visit: &Visit,
    refusal: Option<Refusal>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let layout = visit.layout("Cards on file", "billing/methods");
    let methods = visit
        .portal()
        .billing()
        .payment_methods(visit.actor())
        .await?;
    // Which card autopay charges, where the customer may see autopay.
    let autopay_card = if layout.billing.autopay {
        let autopay = visit.portal().billing().autopay(visit.actor()).await?;
        autopay.consent.map(|consent| consent.method.to_string())
    } else {
        None
    };
    let today = visit.today();
    let page = MethodsPage {
        layout,
        section: "methods",
        form: Form::new(
            visit.t(),
            vec![
                Input::new("token", "Card token"),
                Input::new("make_default", "Make this my default card"),
            ],
        )
        .showing(refusal),
        notice,
        methods: methods
            .iter()
            .map(|method| MethodRow::of(method, today))
            .collect(),
        autopay_card,
    };
    render(page.form.status(), &page)
}

/// A change's outcome: back to the list with a notice, or the list again
/// with the reason it was refused (404 and 403 get their own page).
async fn after_change(
    visit: &Visit,
    done: Result<(), PageError>,
    key: &str,
) -> Result<Response, PageError> {
    match done {
        Ok(()) => Ok(visit.redirect(&format!("billing/methods?done={key}"))),
        Err(error) => methods_page(visit, Some(Refusal::of(error)?), None).await,
    }
}

/// `GET /billing/methods`.
pub async fn methods(visit: Visit, Query(done): Query<Done>) -> Result<Response, PageError> {
    let notice = done.notice(&[
        ("added", "The card was added."),
        ("removed", "The card was removed."),
        ("default", "That card is now your default."),
    ]);
    methods_page(&visit, None, notice).await
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    make_default: Option<String>,
}

/// `POST /billing/methods`: puts a card on file from a gateway token.
pub async fn add(visit: Visit, CsrfForm(form): CsrfForm<AddForm>) -> Result<Response, PageError> {
    let token = params::card_token(&form.token, Source::Page);
    let make_default = form.make_default.is_some();
    let added = visit
        .portal()
        .billing()
        .add_payment_method(visit.actor(), &token, make_default)
        .await;
    after_change(&visit, added.map(|_| ()).map_err(PageError::from), "added").await
}

/// The fields of a form that only carries its CSRF token.
#[derive(Deserialize)]
pub struct EmptyForm {}

/// A change to the card in the path (`change` calls its use case), then
/// back to the list.
async fn change_card(
    visit: Visit,
    id: &str,
    change: impl AsyncFnOnce(&Visit, PaymentMethodId) -> Result<(), portal_core::PortalError>,
    key: &str,
) -> Result<Response, PageError> {
    let id = params::id(id, PaymentMethodId::parse)?;
    let changed = change(&visit, id).await.map_err(PageError::from);
    after_change(&visit, changed, key).await
}

/// `POST /billing/methods/{id}/remove`.
pub async fn remove(
    visit: Visit,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, PageError> {
    let remove = async |visit: &Visit, id| {
        visit
            .portal()
            .billing()
            .remove_payment_method(visit.actor(), id)
            .await
    };
    change_card(visit, &id, remove, "removed").await
}

/// `POST /billing/methods/{id}/default`.
pub async fn make_default(
    visit: Visit,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, PageError> {
    let make_default = async |visit: &Visit, id| {
        visit
            .portal()
            .billing()
            .set_default_payment_method(visit.actor(), id)
            .await
    };
    change_card(visit, &id, make_default, "default").await
}

// ---- autopay ---------------------------------------------------------

#[derive(Template)]
#[template(path = "billing/autopay.html")]
struct AutopayPage {
    layout: Layout,
    section: &'static str,
    form: Form,
    notice: Option<String>,
    /// The card and the day of the active consent.
    active: Option<(String, String)>,
    terms: String,
    terms_digest: String,
    methods: Vec<MethodRow>,
}

async fn autopay_page(
    visit: &Visit,
    refusal: Option<Refusal>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let autopay = visit.portal().billing().autopay(visit.actor()).await?;
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
        layout: visit.layout("Autopay", "billing/autopay"),
        section: "autopay",
        form: Form::new(
            visit.t(),
            vec![
                Input::new("method", "Card to charge"),
                Input::new(
                    "consent",
                    "I have read and agree to the autopay terms above.",
                ),
            ],
        )
        .showing(refusal),
        notice,
        active,
        terms: autopay.terms,
        terms_digest: autopay.terms_digest,
        methods,
    };
    render(page.form.status(), &page)
}

/// `GET /billing/autopay`.
pub async fn autopay(visit: Visit, Query(done): Query<Done>) -> Result<Response, PageError> {
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
    autopay_page(&visit, None, notice).await
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
pub async fn enrol(
    visit: Visit,
    CsrfForm(form): CsrfForm<EnrolForm>,
) -> Result<Response, PageError> {
    let method = params::card_id(Field::MethodId, &form.method, Source::Page)?;
    let agreed = form.consent.is_some();
    let enrolled = visit
        .portal()
        .billing()
        .enrol_autopay(visit.actor(), method, &form.terms_digest, agreed)
        .await;
    match enrolled {
        Ok(_) => Ok(visit.redirect("billing/autopay?done=on")),
        Err(error) => autopay_page(&visit, Some(Refusal::of(error)?), None).await,
    }
}

/// `POST /billing/autopay/withdraw`.
pub async fn withdraw(
    visit: Visit,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, PageError> {
    visit
        .portal()
        .billing()
        .withdraw_autopay(visit.actor())
        .await?;
    Ok(visit.redirect("billing/autopay?done=off"))
}
