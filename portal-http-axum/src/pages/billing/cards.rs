//! Cards on file (list, add from a gateway token, remove, make default)
//! and autopay (status, enrol with the terms shown word for word,
//! withdraw).
//!
//! Removing a card and turning autopay off each ask first, on a page of
//! their own (`GET` of the action's address shows it, its form posts to
//! the same address), so no single click destroys anything and nothing
//! needs JavaScript. Removing the default card asks which remaining card
//! becomes the default.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use portal_i18n::Messages;
use serde::Deserialize;

use portal_core::PortalError;
use portal_core::shared::{PaymentMethodId, Reason};

use super::pay::MethodRow;
use super::{Done, Visit};
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
    let t = visit.t();
    let layout = visit.layout(&t.msg("billing-nav-cards"), "billing/methods");
    let methods = visit
        .portal()
        .billing()
        .payment_methods(visit.actor())
        .await?;
    // Which card autopay charges, where the customer may see autopay.
    let autopay_card = if layout.billing.autopay {
        let autopay = visit
            .portal()
            .billing()
            .autopay(visit.actor(), &visit.t().msg("autopay-terms-standard"))
            .await?;
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
                Input::new("token", t.msg("cards-token")),
                Input::new("make_default", t.msg("cards-make-default-check")),
            ],
        )
        .showing(refusal),
        notice,
        methods: methods
            .iter()
            .map(|method| MethodRow::of(visit.t(), method, today))
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
    let t = visit.t();
    let notice = done.notice(&[
        ("added", t.msg("cards-done-added")),
        ("removed", t.msg("cards-done-removed")),
        ("default", t.msg("cards-done-default")),
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

#[derive(Template)]
#[template(path = "billing/confirm.html")]
struct ConfirmPage {
    layout: Layout,
    section: &'static str,
    form: Form,
    /// What is asked ("Remove Visa ending 4242?").
    heading: String,
    /// What happens on confirming.
    explanation: String,
    /// Where the form posts, under the portal's base.
    action: String,
    /// The confirm button.
    confirm: String,
    /// Where "Cancel" goes back to, under the portal's base.
    back: &'static str,
    /// The cards that may become the default (removing the default card
    /// with others left); the customer must choose one.
    successors: Vec<MethodRow>,
    /// Why it cannot be done now (autopay charges the card), in place of
    /// the button.
    blocked: Option<String>,
}

/// The form's one input: the card that becomes the default.
fn successor_form(t: Messages, refusal: Option<Refusal>) -> Form {
    Form::new(
        t,
        vec![Input::new("new_default", t.msg("cards-new-default")).fieldset()],
    )
    .showing(refusal)
}

/// The "remove this card?" page, fresh or with what went wrong.
async fn remove_page(
    visit: &Visit,
    id: PaymentMethodId,
    refusal: Option<Refusal>,
) -> Result<Response, PageError> {
    let methods = visit
        .portal()
        .billing()
        .payment_methods(visit.actor())
        .await?;
    let card = methods
        .iter()
        .find(|method| method.id == id)
        .ok_or(PageError::from(portal_core::PortalError::NotFound))?;
    let today = visit.today();
    let successors: Vec<MethodRow> = match card.is_default {
        true => methods
            .iter()
            .filter(|method| method.id != id)
            .map(|method| MethodRow::of(visit.t(), method, today))
            .filter(|row| !row.is_expired)
            .collect(),
        false => Vec::new(),
    };
    let t = visit.t();
    let layout = visit.layout(&t.msg("cards-remove-title"), "billing/methods");
    let blocked = match layout.billing.autopay {
        true => {
            visit
                .portal()
                .billing()
                .autopay(visit.actor(), &visit.t().msg("autopay-terms-standard"))
                .await?
                .consent
        }
        false => None,
    }
    .filter(|consent| consent.method == id)
    .map(|_| t.msg("cards-remove-blocked"));
    let label = super::pay::card_label(t, card);
    let explanation = t.msg_with(
        match (card.is_default, successors.is_empty()) {
            (true, false) => "cards-remove-default-choose",
            (true, true) => "cards-remove-default-last",
            (false, _) => "cards-remove-explain",
        },
        t.arg("card", &label),
    );
    let page = ConfirmPage {
        layout,
        section: "methods",
        form: successor_form(visit.t(), refusal),
        heading: t.msg_with("cards-remove-heading", t.arg("card", &label)),
        explanation,
        action: format!("billing/methods/{id}/remove"),
        confirm: t.msg("cards-remove-confirm"),
        back: "billing/methods",
        successors,
        blocked,
    };
    render(page.form.status(), &page)
}

/// `GET /billing/methods/{id}/remove`: asks before removing the card
/// (404 for another account's).
pub async fn confirm_remove(visit: Visit, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = params::id(&id, PaymentMethodId::parse)?;
    remove_page(&visit, id, None).await
}

#[derive(Deserialize)]
pub struct RemoveForm {
    /// The card that becomes the default, when the default is removed.
    #[serde(default)]
    new_default: Option<String>,
}

/// `POST /billing/methods/{id}/remove`: removes the card; removing the
/// default needs the card that takes its place when others are left.
pub async fn remove(
    visit: Visit,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RemoveForm>,
) -> Result<Response, PageError> {
    let id = params::id(&id, PaymentMethodId::parse)?;
    let removed: Result<(), PageError> = async {
        let new_default = match form.new_default.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(params::card_id(Field::NewDefault, text, Source::Page)?),
        };
        if new_default.is_none() && needs_successor(&visit, id).await? {
            return Err(PortalError::invalid("new_default", Reason::Required).into());
        }
        Ok(visit
            .portal()
            .billing()
            .remove_payment_method(visit.actor(), id, new_default)
            .await?)
    }
    .await;
    match removed {
        Ok(()) => Ok(visit.redirect("billing/methods?done=removed")),
        Err(error) => remove_page(&visit, id, Some(Refusal::of(error)?)).await,
    }
}

/// Whether removing card `id` needs another to become the default: it
/// is the default and other usable cards are on file.
async fn needs_successor(visit: &Visit, id: PaymentMethodId) -> Result<bool, PageError> {
    let methods = visit
        .portal()
        .billing()
        .payment_methods(visit.actor())
        .await?;
    let today = visit.today();
    let is_default = methods.iter().any(|m| m.id == id && m.is_default);
    let others = methods.iter().any(|m| m.id != id && !m.is_expired(today));
    Ok(is_default && others)
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
    let autopay = visit
        .portal()
        .billing()
        .autopay(visit.actor(), &visit.t().msg("autopay-terms-standard"))
        .await?;
    let today = visit.today();
    let formats = visit.formats();
    let mut methods: Vec<MethodRow> = autopay
        .methods
        .iter()
        .map(|method| MethodRow::of(visit.t(), method, today))
        .filter(|row| !row.is_expired)
        .collect();
    let active = autopay.consent.as_ref().map(|consent| {
        let card = autopay
            .methods
            .iter()
            .find(|method| method.id == consent.method)
            .map(|method| super::pay::card_label(visit.t(), method))
            .unwrap_or_else(|| visit.t().msg("dashboard-autopay-any-card"));
        (card, formats.dates.day_of(consent.consented_at))
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
        layout: visit.layout(&visit.t().msg("billing-nav-autopay"), "billing/autopay"),
        section: "autopay",
        form: Form::new(
            visit.t(),
            vec![
                Input::new("method", visit.t().msg("autopay-card")),
                Input::new("consent", visit.t().msg("autopay-consent")),
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
    let t = visit.t();
    let notice = done.notice(&[
        ("on", t.msg("autopay-done-on")),
        ("off", t.msg("autopay-done-off")),
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
        .enrol_autopay(
            visit.actor(),
            method,
            &visit.t().msg("autopay-terms-standard"),
            &form.terms_digest,
            agreed,
        )
        .await;
    match enrolled {
        Ok(_) => Ok(visit.redirect("billing/autopay?done=on")),
        Err(error) => autopay_page(&visit, Some(Refusal::of(error)?), None).await,
    }
}

/// `GET /billing/autopay/withdraw`: asks before turning autopay off.
pub async fn confirm_withdraw(visit: Visit) -> Result<Response, PageError> {
    let autopay = visit
        .portal()
        .billing()
        .autopay(visit.actor(), &visit.t().msg("autopay-terms-standard"))
        .await?;
    let Some(consent) = autopay.consent else {
        // Nothing to turn off (an old tab): the autopay page says so.
        return Ok(visit.redirect("billing/autopay"));
    };
    let card = autopay
        .methods
        .iter()
        .find(|method| method.id == consent.method)
        .map(|method| super::pay::card_label(visit.t(), method))
        .unwrap_or_else(|| visit.t().msg("autopay-your-card"));
    let t = visit.t();
    let page = ConfirmPage {
        layout: visit.layout(&t.msg("autopay-turn-off"), "billing/autopay"),
        section: "autopay",
        form: Form::new(t, Vec::new()),
        heading: t.msg("autopay-turn-off-heading"),
        explanation: t.msg_with("autopay-turn-off-explain", t.arg("card", &card)),
        action: "billing/autopay/withdraw".to_owned(),
        confirm: t.msg("autopay-turn-off"),
        back: "billing/autopay",
        successors: Vec::new(),
        blocked: None,
    };
    render(StatusCode::OK, &page)
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
