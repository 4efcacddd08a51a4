//! Paying: the pay form (chosen invoices, amounts, prepayment, card),
//! "pay the statement balance" (preview oldest first, then confirm), and
//! applying account credit.
//!
//! Each render of a payment form carries a fresh idempotency key in a
//! hidden field, so submitting the same form twice (a double click, a
//! retried request) charges once: the facade answers the second submit
//! with the first payment. A declined card re-renders the form with the
//! gateway's message and a new key, so the next try is a new payment.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use rust_decimal::Decimal;
use serde::Deserialize;

use portal_core::billing::{
    IdempotencyKey, MethodChoice, PayRequest, PaymentMethod, PaymentStatus,
};
use portal_core::shared::{InvoiceId, PaymentMethodId};
use portal_core::{PaymentOptions, PortalError};

use super::{InvoiceRow, Summary, Visit, parse_amount, parse_id, respond};
use crate::error::status_of;
use crate::pages::{Layout, render};
use crate::security::CsrfForm;

/// A form's fields in order, repeats kept (`invoice=a&invoice=b`).
pub struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn is_on(&self, name: &str) -> bool {
        self.get(name).is_some_and(|value| !value.is_empty())
    }
}

/// The name of an invoice's amount field.
fn amount_field(id: &str) -> String {
    format!("amount_{id}")
}

/// The invoices ticked on a form (`invoice`) with the amount typed for
/// each (`amount_<id>`, blank for "all of it"). Pay and credit share it.
fn chosen_invoices(fields: &Fields) -> Result<Vec<(InvoiceId, Option<Decimal>)>, PortalError> {
    fields
        .all("invoice")
        .map(|text| {
            let id = parse_id(text, InvoiceId::parse)?;
            let amount = parse_amount("amount", fields.get(&amount_field(text)).unwrap_or(""))?;
            Ok((id, amount))
        })
        .collect()
}

/// What the customer chose on a pay form, to show it again after an error.
#[derive(Default)]
struct Prefill {
    /// Only these invoices ticked (`None`: all).
    only: Option<HashSet<String>>,
    amounts: HashMap<String, String>,
    prepayment: String,
    method: Option<String>,
    save_card: bool,
}

impl Prefill {
    fn of(fields: &Fields) -> Self {
        Self {
            only: Some(fields.all("invoice").map(str::to_owned).collect()),
            amounts: fields
                .0
                .iter()
                .filter_map(|(key, value)| {
                    key.strip_prefix("amount_")
                        .map(|id| (id.to_owned(), value.clone()))
                })
                .collect(),
            prepayment: fields.get("prepayment").unwrap_or("").to_owned(),
            method: fields.get("method").map(str::to_owned),
            save_card: fields.is_on("save_card"),
        }
    }
}

/// A card on file as a choice.
pub struct MethodRow {
    pub(super) id: String,
    pub(super) label: String,
    pub(super) expires: String,
    pub(super) is_expired: bool,
    pub(super) is_default: bool,
    pub(super) selected: bool,
}

impl MethodRow {
    pub(super) fn of(method: &PaymentMethod, today: chrono::NaiveDate) -> Self {
        Self {
            id: method.id.to_string(),
            label: method.label(),
            expires: match (method.exp_month, method.exp_year) {
                (Some(month), Some(year)) => format!("{month:02}/{year}"),
                _ => String::new(),
            },
            is_expired: method.is_expired(today),
            is_default: method.is_default,
            selected: false,
        }
    }
}

/// The "how to pay" part shared by the pay and balance forms.
pub struct MethodChoiceView {
    methods: Vec<MethodRow>,
    may_save_card: bool,
    new_selected: bool,
    save_card: bool,
}

impl MethodChoiceView {
    /// The usable cards with the chosen one (else the default) selected,
    /// or a new card when there are none.
    fn of(options: &PaymentOptions, chosen: Option<&str>, save_card: bool) -> Self {
        let mut methods: Vec<MethodRow> = options
            .methods
            .iter()
            .map(|method| MethodRow::of(method, options.today))
            .filter(|row| !row.is_expired)
            .collect();
        let wanted = chosen
            .filter(|id| methods.iter().any(|row| row.id == *id))
            .map(str::to_owned)
            .or_else(|| {
                (chosen != Some("new"))
                    .then(|| {
                        methods
                            .iter()
                            .find(|row| row.is_default)
                            .or(methods.first())
                            .map(|row| row.id.clone())
                    })
                    .flatten()
            });
        for row in &mut methods {
            row.selected = wanted.as_deref() == Some(row.id.as_str());
        }
        Self {
            new_selected: wanted.is_none(),
            methods,
            may_save_card: options.may_save_card,
            save_card,
        }
    }
}

/// The method a pay form chose: a saved card, or a gateway token. A new
/// card's details given while a saved card is chosen are refused, not
/// ignored: which card the customer meant is not ours to guess.
fn method_of(fields: &Fields) -> Result<MethodChoice, PortalError> {
    let token = fields.get("token").unwrap_or("").trim();
    match fields.get("method").unwrap_or("new") {
        "new" => Ok(MethodChoice::NewToken {
            token: token.to_owned(),
            save: fields.is_on("save_card"),
        }),
        _ if !token.is_empty() => Err(PortalError::invalid(
            "method",
            "is a saved card, but a new card was entered too: choose \"A new card\" to pay \
             with it, or clear it to pay with the saved card",
        )),
        id => Ok(MethodChoice::Saved {
            id: parse_id(id, PaymentMethodId::parse)?,
        }),
    }
}

/// A pay form as the request for [`portal_core::Portal::pay`].
fn pay_request(fields: &Fields) -> Result<PayRequest, PortalError> {
    let idempotency_key = IdempotencyKey::parse(fields.get("idempotency_key").unwrap_or(""))
        .map_err(|_| {
            PortalError::invalid(
                "idempotency_key",
                "is missing from the form; reload the page and try again",
            )
        })?;
    Ok(PayRequest {
        idempotency_key,
        invoices: chosen_invoices(fields)?,
        prepayment: parse_amount("prepayment", fields.get("prepayment").unwrap_or(""))?,
        method: method_of(fields)?,
    })
}

/// An unpaid invoice on a pay or credit form.
pub struct PayRow {
    invoice: InvoiceRow,
    /// What may be paid now, as a plain number for the amount field.
    payable: String,
    payable_text: String,
    checked: bool,
    amount: String,
}

fn pay_rows(options: &PaymentOptions, prefill: &Prefill, checked_by_default: bool) -> Vec<PayRow> {
    options
        .unpaid
        .iter()
        .filter(|invoice| invoice.payable() > Decimal::ZERO)
        .map(|invoice| {
            let id = invoice.id.to_string();
            PayRow {
                checked: prefill
                    .only
                    .as_ref()
                    .map_or(checked_by_default, |only| only.contains(&id)),
                amount: prefill.amounts.get(&id).cloned().unwrap_or_default(),
                payable: invoice.payable().to_string(),
                payable_text: invoice.currency.format(invoice.payable()),
                invoice: InvoiceRow::of(invoice, options.today),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "billing/pay.html")]
struct PayPage {
    layout: Layout,
    section: &'static str,
    error: Option<String>,
    summary: Summary,
    rows: Vec<PayRow>,
    partial_allowed: bool,
    prepayment_allowed: bool,
    prepayment: String,
    currency: String,
    choice: MethodChoiceView,
    idempotency_key: String,
}

/// The pay form, fresh or again with an error.
async fn pay_page(
    visit: &Visit,
    status: StatusCode,
    error: Option<String>,
    prefill: Prefill,
) -> Response {
    respond(
        async {
            let layout = visit.layout("Pay", "billing/pay");
            let options = visit
                .portal()
                .billing()
                .payment_options(visit.actor())
                .await
                .map_err(|error| visit.fail(error))?;
            let page = PayPage {
                layout,
                section: "pay",
                error,
                summary: Summary::of(&options.summary, visit.zone()),
                rows: pay_rows(&options, &prefill, true),
                partial_allowed: options.partial_allowed,
                prepayment_allowed: options.prepayment_allowed,
                prepayment: prefill.prepayment.clone(),
                currency: visit.currency().to_string(),
                choice: MethodChoiceView::of(
                    &options,
                    prefill.method.as_deref(),
                    prefill.save_card,
                ),
                // A new key per render: see the module docs.
                idempotency_key: IdempotencyKey::generate().as_str().to_owned(),
            };
            Ok(render(status, &page))
        }
        .await,
    )
}

#[derive(Deserialize, Default)]
pub struct PayQuery {
    /// Tick only this invoice ("Pay now" on one invoice).
    #[serde(default)]
    invoice: Option<String>,
}

/// `GET /billing/pay`: every unpaid invoice ticked (or the one asked for).
pub async fn form(visit: Visit, Query(query): Query<PayQuery>) -> Response {
    let prefill = Prefill {
        only: query
            .invoice
            .map(|id| HashSet::from([id.trim().to_owned()])),
        ..Prefill::default()
    };
    pay_page(&visit, StatusCode::OK, None, prefill).await
}

/// `POST /billing/pay`: pays and lands on the receipt; a decline or a
/// mistake shows the form again with nothing changed.
pub async fn submit(visit: Visit, CsrfForm(fields): CsrfForm<Vec<(String, String)>>) -> Response {
    let fields = Fields(fields);
    match fields.get("step") {
        Some("review") => return review(&visit, &fields).await,
        Some("edit") => return pay_page(&visit, StatusCode::OK, None, Prefill::of(&fields)).await,
        _ => {}
    }
    let paid = match pay_request(&fields) {
        Ok(request) => visit.portal().billing().pay(&visit.auth, request).await,
        Err(error) => Err(error),
    };
    match paid {
        Ok(detail) if detail.payment.status == PaymentStatus::Failed => {
            let message = detail
                .payment
                .failure_message
                .unwrap_or_else(|| "The payment did not go through; nothing was charged.".into());
            pay_page(
                &visit,
                StatusCode::PAYMENT_REQUIRED,
                Some(message),
                Prefill::of(&fields),
            )
            .await
        }
        // Succeeded, or pending (the receipt says "being processed").
        Ok(detail) => visit.redirect(&format!("billing/payments/{}", detail.payment.id)),
        Err(error @ (PortalError::InvalidInput { .. } | PortalError::Conflict(_))) => {
            let status = status_of(&error);
            pay_page(
                &visit,
                status,
                Some(error.to_string()),
                Prefill::of(&fields),
            )
            .await
        }
        Err(error) => visit.fail(error),
    }
}

#[derive(Template)]
#[template(path = "billing/review.html")]
struct ReviewPage {
    layout: Layout,
    section: &'static str,
    /// Invoice id, number and amount.
    rows: Vec<(String, String, String)>,
    credit: Option<String>,
    total: String,
    /// The saved card's label, or `None` for the new card entered.
    card: Option<String>,
    /// The form's fields to post again on confirming (all but the CSRF
    /// token and the step).
    carried: Vec<(String, String)>,
}

/// `POST /billing/pay` with `step=review`: what the form would charge and
/// to which card, checked as paying checks it, with a button to confirm
/// (the same form again) or change it. Nothing is charged or written.
async fn review(visit: &Visit, fields: &Fields) -> Response {
    let reviewed = match pay_request(fields) {
        Ok(request) => {
            visit
                .portal()
                .billing()
                .review_payment(visit.actor(), &request)
                .await
        }
        Err(error) => Err(error),
    };
    let review = match reviewed {
        Ok(review) => review,
        Err(error @ (PortalError::InvalidInput { .. } | PortalError::Conflict(_))) => {
            let status = status_of(&error);
            return pay_page(visit, status, Some(error.to_string()), Prefill::of(fields)).await;
        }
        Err(error) => return visit.fail(error),
    };
    let money = |amount| review.currency.format(amount);
    let page = ReviewPage {
        layout: visit.layout("Review your payment", "billing/pay"),
        section: "pay",
        rows: super::allocation_rows(&review.allocations, review.currency),
        credit: (review.prepayment > Decimal::ZERO).then(|| money(review.prepayment)),
        total: money(review.amount),
        card: review.saved_method,
        carried: fields
            .0
            .iter()
            .filter(|(name, _)| name != "csrf_token" && name != "step")
            .cloned()
            .collect(),
    };
    render(StatusCode::OK, &page)
}

// ---- pay the statement balance ---------------------------------------

/// One invoice of the oldest-first plan.
pub struct PlanRow {
    id: String,
    number: String,
    amount: String,
    /// The amount as a plain number, posted back on confirm.
    value: String,
}

#[derive(Template)]
#[template(path = "billing/balance.html")]
struct BalancePage {
    layout: Layout,
    section: &'static str,
    error: Option<String>,
    amount: String,
    may_change_amount: bool,
    total: String,
    plan: Vec<PlanRow>,
    credit: Option<(String, String)>,
    /// Account credit the customer has and could use before paying: the
    /// invoices owe more than the balance by that much.
    credit_on_account: Option<String>,
    choice: Option<MethodChoiceView>,
    idempotency_key: String,
}

#[derive(Deserialize, Default)]
pub struct BalanceQuery {
    #[serde(default)]
    amount: Option<String>,
}

/// `GET /billing/pay/balance?amount=`: how the amount (the whole balance
/// by default) would pay the invoices, oldest first, and a form to
/// confirm exactly that.
pub async fn balance(visit: Visit, Query(query): Query<BalanceQuery>) -> Response {
    respond(
        async {
            let layout = visit.layout("Pay the balance", "billing/pay/balance");
            let options = visit
                .portal()
                .billing()
                .payment_options(visit.actor())
                .await
                .map_err(|error| visit.fail(error))?;
            let typed = query.amount.clone().unwrap_or_default();
            let preview = match parse_amount("amount", &typed) {
                Ok(amount) => {
                    visit
                        .portal()
                        .billing()
                        .preview_payment(visit.actor(), amount)
                        .await
                }
                Err(error) => Err(error),
            };
            let mut page = BalancePage {
                layout,
                section: "pay",
                error: None,
                amount: typed,
                may_change_amount: options.partial_allowed || options.prepayment_allowed,
                total: String::new(),
                plan: Vec::new(),
                credit: None,
                credit_on_account: (options.summary.credit > Decimal::ZERO)
                    .then(|| options.summary.currency.format(options.summary.credit)),
                choice: None,
                idempotency_key: IdempotencyKey::generate().as_str().to_owned(),
            };
            match preview {
                Ok(preview) => {
                    let money = |amount| preview.currency.format(amount);
                    page.total = money(preview.amount);
                    page.amount = preview.amount.to_string();
                    page.plan = preview
                        .plan
                        .allocations
                        .iter()
                        .map(|a| PlanRow {
                            id: a.invoice.to_string(),
                            number: a.invoice_number.clone(),
                            amount: money(a.amount),
                            value: a.amount.to_string(),
                        })
                        .collect();
                    page.credit = (preview.plan.unallocated > Decimal::ZERO).then(|| {
                        (
                            money(preview.plan.unallocated),
                            preview.plan.unallocated.to_string(),
                        )
                    });
                    page.choice = Some(MethodChoiceView::of(&options, None, false));
                    Ok(render(StatusCode::OK, &page))
                }
                Err(error @ (PortalError::InvalidInput { .. } | PortalError::Conflict(_))) => {
                    let status = status_of(&error);
                    page.error = Some(error.to_string());
                    Ok(render(status, &page))
                }
                Err(error) => Err(visit.fail(error)),
            }
        }
        .await,
    )
}

// ---- account credit --------------------------------------------------

#[derive(Template)]
#[template(path = "billing/credit.html")]
struct CreditPage {
    layout: Layout,
    section: &'static str,
    error: Option<String>,
    summary: Summary,
    rows: Vec<PayRow>,
}

async fn credit_page(
    visit: &Visit,
    status: StatusCode,
    error: Option<String>,
    prefill: Prefill,
) -> Response {
    respond(
        async {
            let layout = visit.layout("Use account credit", "billing/credit");
            let options = visit
                .portal()
                .billing()
                .payment_options(visit.actor())
                .await
                .map_err(|error| visit.fail(error))?;
            let page = CreditPage {
                layout,
                section: "pay",
                error,
                summary: Summary::of(&options.summary, visit.zone()),
                rows: pay_rows(&options, &prefill, false),
            };
            Ok(render(status, &page))
        }
        .await,
    )
}

/// `GET /billing/credit`: the credit and the invoices it could pay.
pub async fn credit_form(visit: Visit) -> Response {
    credit_page(&visit, StatusCode::OK, None, Prefill::default()).await
}

/// `POST /billing/credit`: applies credit to the ticked invoices.
pub async fn credit_submit(
    visit: Visit,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let applied = match chosen_invoices(&fields) {
        Ok(chosen) => {
            visit
                .portal()
                .billing()
                .apply_credit(visit.actor(), &chosen)
                .await
        }
        Err(error) => Err(error),
    };
    match applied {
        Ok(_) => visit.redirect("billing?done=credit"),
        Err(error @ (PortalError::InvalidInput { .. } | PortalError::Conflict(_))) => {
            let status = status_of(&error);
            credit_page(
                &visit,
                status,
                Some(error.to_string()),
                Prefill::of(&fields),
            )
            .await
        }
        Err(error) => visit.fail(error),
    }
}
