//! Paying: the pay form (chosen invoices, amounts, prepayment, card),
//! "pay the statement balance" (preview oldest first, then confirm), and
//! applying account credit.
//!
//! Each render of a payment form carries a fresh idempotency key in a
//! hidden field, so submitting the same form twice (a double click, a
//! retried request) charges once: the facade answers the second submit
//! with the first payment. A declined card re-renders the form with the
//! gateway's message and a new key, so the next try is a new payment.

use portal_i18n::Messages;
use std::collections::{HashMap, HashSet};
use std::fmt::Display;

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use portal_core::PaymentOptions;
use portal_core::billing::{
    IdempotencyKey, PayRequest, PaymentDetail, PaymentFailure, PaymentMethod, PaymentStatus,
};
use portal_core::shared::{Formats, Item};

use super::{InvoiceRow, Summary, Visit};
use crate::pages::form::{Form, Input, Refusal};
use crate::pages::{Layout, PageError, render};
use crate::params::{self, Field, InvoiceChoiceText, MethodText, PayText, Source};
use crate::security::{CsrfForm, PAY_TOTAL};

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

    /// The invoices ticked (`invoice`) with the amount typed for each
    /// (`amount_<id>`, blank for "all of it"). Pay and credit share it.
    fn chosen(&self) -> Vec<InvoiceChoiceText<'_>> {
        self.all("invoice")
            .map(|id| InvoiceChoiceText {
                id,
                amount: self.get(&amount_input(&id)),
            })
            .collect()
    }
}

/// The key (`id` and `name`) of an invoice's amount input.
pub(in crate::pages) fn amount_input(id: &dyn Display) -> String {
    format!("amount_{id}")
}

/// The form showing `refusal` with its amount errors at their invoice's
/// input (the core names the invoice an amount error is about); one that
/// names none (not above zero, more than the credit, too large in all)
/// is about the one amount typed, when only one was.
fn amounts_form(
    t: Messages,
    inputs: Vec<Input>,
    rows: &[PayRow],
    refusal: Option<Refusal>,
) -> Form {
    let input_of = |item: &Item| match item {
        Item::Invoice { id, .. } => {
            let key = amount_input(id);
            rows.iter().any(|row| row.key == key).then_some(key)
        }
        Item::CustomField(_) | Item::RentalItem { .. } => None,
    };
    let refusal = refusal.map(|refusal| refusal.at_item("amount", input_of));
    let mut typed = rows
        .iter()
        .filter(|row| row.checked && !row.amount.trim().is_empty());
    let only_typed = match (typed.next(), typed.next()) {
        (Some(row), None) => Some(row.key.clone()),
        _ => None,
    };
    Form::new(t, inputs).showing_located(refusal, |error| {
        (error.field == "amount")
            .then(|| only_typed.clone())
            .flatten()
    })
}

/// What the customer chose on a pay form, to show it again after an error.
struct Prefill {
    /// Only these invoices ticked (`None`: all).
    only: Option<HashSet<String>>,
    amounts: HashMap<String, String>,
    prepayment: String,
    method: Option<String>,
    /// The new card's token, kept when the form comes back ("Change" on
    /// the review, a mistake elsewhere on the form).
    token: String,
    /// A saved card that was just declined: not chosen again for the
    /// customer (another saved card is, else a new one).
    declined_card: Option<String>,
    save_card: bool,
    /// "Use my account credit", ticked on a fresh form.
    use_credit: bool,
}

impl Default for Prefill {
    fn default() -> Self {
        Self {
            only: None,
            amounts: HashMap::new(),
            prepayment: String::new(),
            method: None,
            token: String::new(),
            declined_card: None,
            save_card: false,
            use_credit: true,
        }
    }
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
            token: fields.get("token").unwrap_or("").trim().to_owned(),
            declined_card: None,
            save_card: fields.is_on("save_card"),
            use_credit: fields.is_on("use_credit"),
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

/// How a customer knows a card on file: "Visa ending 4242", in `t`'s
/// language, from the brand and last four digits the core hands over.
pub(in crate::pages) fn card_label(t: Messages, method: &PaymentMethod) -> String {
    portal_i18n::words::card(t, &method.brand, &method.last4)
}

impl MethodRow {
    pub(super) fn of(t: Messages, method: &PaymentMethod, today: chrono::NaiveDate) -> Self {
        Self {
            id: method.id.to_string(),
            label: card_label(t, method),
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
    /// The new card's token as typed.
    token: String,
}

impl MethodChoiceView {
    /// The usable cards with the chosen one (else the default) selected,
    /// or a new card when there are none. After a decline the declined
    /// card gives way to another saved card, else a new one.
    fn of(t: Messages, options: &PaymentOptions, prefill: &Prefill) -> Self {
        let mut methods: Vec<MethodRow> = options
            .methods
            .iter()
            .map(|method| MethodRow::of(t, method, options.today))
            .filter(|row| !row.is_expired)
            .collect();
        let declined = prefill.declined_card.as_deref();
        let chosen = match declined {
            Some(card) => Some(
                methods
                    .iter()
                    .find(|row| row.id != card)
                    .map_or("new".to_owned(), |row| row.id.clone()),
            ),
            None => prefill.method.clone(),
        };
        let chosen = chosen.as_deref();
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
            save_card: prefill.save_card,
            token: prefill.token.clone(),
        }
    }

    /// The inputs of the "how to pay" part, for the form that shows it.
    fn inputs(t: Messages) -> [Input; 2] {
        [
            Input::new("method", t.msg("pay-how")).fieldset(),
            Input::new("token", t.msg("cards-token")),
        ]
    }
}

/// The method a pay form chose: a saved card, or a gateway token. A new
/// card's details given while a saved card is chosen are refused, not
/// ignored: which card the customer meant is not ours to guess.
fn method_of(t: Messages, fields: &Fields) -> Result<MethodText<'_>, PageError> {
    let token = fields.get("token").unwrap_or("");
    match fields.get("method").unwrap_or("new") {
        "new" => Ok(MethodText::New {
            token,
            save: fields.is_on("save_card"),
        }),
        _ if !token.trim().is_empty() => {
            Err(PageError::at("method", &t.msg("pay-saved-and-new-card")))
        }
        id => Ok(MethodText::Saved { id }),
    }
}

/// A pay form as the request for [`portal_core::billing::BillingService::pay`].
fn pay_request(t: Messages, fields: &Fields) -> Result<PayRequest, PageError> {
    let key = params::idempotency_key(fields.get("idempotency_key").unwrap_or(""), Source::Page)?;
    let text = PayText {
        invoices: fields.chosen(),
        prepayment: fields.get("prepayment"),
        method: method_of(t, fields)?,
        use_credit: fields.is_on("use_credit"),
    };
    Ok(text.parse(key, Source::Page)?)
}

/// An unpaid invoice on a pay or credit form.
pub struct PayRow {
    invoice: InvoiceRow,
    /// Its amount input's key.
    key: String,
    /// What may be paid now, as a plain number for the amount field.
    payable: String,
    payable_text: String,
    checked: bool,
    amount: String,
}

impl PayRow {
    /// The amount input of this row, labelled for its invoice.
    fn input(&self, t: Messages) -> Input {
        Input::new(
            self.key.clone(),
            t.msg_with("pay-amount-for", t.arg("number", &self.invoice.number)),
        )
    }

    /// What the pay form says after the amount's label.
    fn hint(&self, t: &Messages, currency: &str) -> String {
        t.msg_with(
            "pay-amount-hint",
            t.arg("currency", currency)
                .arg("amount", &self.payable_text),
        )
    }
}

fn pay_rows(
    t: Messages,
    options: &PaymentOptions,
    prefill: &Prefill,
    checked_by_default: bool,
    formats: &Formats,
) -> Vec<PayRow> {
    options
        .unpaid
        .iter()
        .filter(|invoice| invoice.payable().is_positive())
        .map(|invoice| {
            let id = invoice.id.to_string();
            PayRow {
                checked: prefill
                    .only
                    .as_ref()
                    .map_or(checked_by_default, |only| only.contains(&id)),
                amount: prefill.amounts.get(&id).cloned().unwrap_or_default(),
                key: amount_input(&id),
                payable: invoice.payable().amount().to_string(),
                payable_text: formats.money.format(invoice.payable()),
                invoice: InvoiceRow::of(t, invoice, options.today, formats),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "billing/pay.html")]
struct PayPage {
    layout: Layout,
    section: &'static str,
    form: Form,
    summary: Summary,
    rows: Vec<PayRow>,
    partial_allowed: bool,
    prepayment_allowed: bool,
    prepayment: String,
    prepayment_hint: String,
    currency: String,
    choice: MethodChoiceView,
    /// The account's credit, offered (ticked unless the customer
    /// unticked it) when there is any.
    credit: Option<String>,
    /// The credit as a plain number, for the running total.
    credit_value: String,
    use_credit: bool,
    /// The currency's minor-unit digits, for the running total.
    decimals: u32,
    /// The tenant's locale (BCP 47), which the running total is written
    /// in by the browser.
    locale: String,
    /// The running total's script, written inline (its hash is in the
    /// page's Content-Security-Policy).
    script: &'static str,
    idempotency_key: String,
}

/// The pay form, fresh or again with what went wrong.
async fn pay_page(
    visit: &Visit,
    refusal: Option<Refusal>,
    prefill: Prefill,
) -> Result<Response, PageError> {
    let options = visit
        .portal()
        .billing()
        .payment_options(visit.actor())
        .await?;
    let formats = visit.formats();
    let rows = pay_rows(visit.t(), &options, &prefill, true, &formats);
    let t = visit.t();
    let mut inputs = vec![Input::new("invoices", t.msg("pay-invoices")).fieldset()];
    if options.partial_allowed {
        inputs.extend(rows.iter().map(|row| row.input(t)));
    }
    if options.prepayment_allowed {
        inputs.push(Input::new("prepayment", t.msg("pay-ahead")));
    }
    inputs.push(Input::new("use_credit", t.msg("summary-credit")).fieldset());
    inputs.extend(MethodChoiceView::inputs(visit.t()));
    let form = match options.partial_allowed {
        true => amounts_form(visit.t(), inputs, &rows, refusal),
        // Without amount inputs an amount error keeps its invoice's number.
        false => Form::new(visit.t(), inputs).showing(refusal),
    };
    let page = PayPage {
        layout: visit.layout(&t.msg("nav-pay"), "billing/pay"),
        section: "pay",
        form,
        summary: Summary::of(&options.summary, &formats),
        rows,
        partial_allowed: options.partial_allowed,
        prepayment_allowed: options.prepayment_allowed,
        prepayment: prefill.prepayment.clone(),
        prepayment_hint: t.msg_with("pay-ahead-hint", t.arg("currency", visit.currency())),
        currency: visit.currency().to_string(),
        choice: MethodChoiceView::of(visit.t(), &options, &prefill),
        credit: options
            .summary
            .credit
            .is_positive()
            .then(|| formats.money.format(options.summary.credit)),
        use_credit: prefill.use_credit,
        credit_value: options.summary.credit.amount().to_string(),
        decimals: visit.currency().minor_digits(),
        locale: formats.locale.as_str().to_owned(),
        script: PAY_TOTAL.source,
        // A new key per render: see the module docs.
        idempotency_key: IdempotencyKey::generate().as_str().to_owned(),
    };
    let mut response = render(page.form.status(), &page)?;
    PAY_TOTAL.allow_on(&mut response);
    Ok(response)
}

#[derive(Deserialize, Default)]
pub struct PayQuery {
    /// Tick only this invoice ("Pay now" on one invoice).
    #[serde(default)]
    invoice: Option<String>,
    /// The card to choose: a saved card's id, or `new` ("try again with
    /// another card" after a failed payment).
    #[serde(default)]
    method: Option<String>,
}

/// `GET /billing/pay`: every unpaid invoice ticked (or the one asked for).
pub async fn form(visit: Visit, Query(query): Query<PayQuery>) -> Result<Response, PageError> {
    let prefill = Prefill {
        only: query
            .invoice
            .map(|id| HashSet::from([id.trim().to_owned()])),
        method: query.method,
        ..Prefill::default()
    };
    pay_page(&visit, None, prefill).await
}

/// What a failed payment tells the customer, with the way on: another
/// card (the form comes back with the same invoices and amounts).
fn declined(t: Messages, detail: PaymentDetail) -> Refusal {
    let failure = detail
        .payment
        .failure
        .unwrap_or(PaymentFailure::ProviderFailed);
    Refusal::whole(
        StatusCode::PAYMENT_REQUIRED,
        format!(
            "{} {}",
            crate::messages::payment_failure(t, &failure),
            t.msg("pay-declined-try-another")
        ),
    )
}

/// `POST /billing/pay`: pays and lands on the receipt; a decline or a
/// mistake shows the form again with nothing changed.
pub async fn submit(
    visit: Visit,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(fields);
    match fields.get("step") {
        Some("review") => return review(&visit, &fields).await,
        Some("edit") => return pay_page(&visit, None, Prefill::of(&fields)).await,
        _ => {}
    }
    let paid: Result<PaymentDetail, PageError> = async {
        let request = pay_request(visit.t(), &fields)?;
        Ok(visit.portal().billing().pay(&visit.auth, request).await?)
    }
    .await;
    let mut prefill = Prefill::of(&fields);
    let refusal = match paid {
        Ok(detail) if detail.payment.status == PaymentStatus::Failed => {
            // The card that failed is not offered as the choice again.
            prefill.token.clear();
            prefill.declined_card = prefill.method.take().filter(|method| method != "new");
            declined(visit.t(), detail)
        }
        // Succeeded, or pending (the receipt says "being processed").
        Ok(detail) => return Ok(visit.redirect(&format!("billing/payments/{}", detail.payment.id))),
        Err(error) => Refusal::of(error)?,
    };
    pay_page(&visit, Some(refusal), prefill).await
}

#[derive(Template)]
#[template(path = "billing/review.html")]
struct ReviewPage {
    layout: Layout,
    section: &'static str,
    /// Invoice id, number and amount.
    rows: Vec<(String, String, String)>,
    /// What becomes account credit (a prepayment).
    credit: Option<String>,
    /// The account credit this payment uses.
    credit_used: Option<String>,
    /// What the card is charged; `None` when credit pays everything (the
    /// confirm then applies the credit, no card).
    total: Option<String>,
    /// The balance left once paid.
    balance_after: String,
    /// The saved card's label, or `None` for the new card entered.
    card: Option<String>,
    /// The form's fields to post again on confirming (all but the CSRF
    /// token and the step).
    carried: Vec<(String, String)>,
}

/// `POST /billing/pay` with `step=review`: what the form would charge and
/// to which card, checked as paying checks it, with a button to confirm
/// (the same form again) or change it. Nothing is charged or written.
async fn review(visit: &Visit, fields: &Fields) -> Result<Response, PageError> {
    let reviewed: Result<_, PageError> = async {
        let request = pay_request(visit.t(), fields)?;
        Ok(visit
            .portal()
            .billing()
            .review_payment(visit.actor(), &request)
            .await?)
    }
    .await;
    let review = match reviewed {
        Ok(review) => review,
        Err(error) => return pay_page(visit, Some(Refusal::of(error)?), Prefill::of(fields)).await,
    };
    let formats = visit.formats();
    let page = ReviewPage {
        layout: visit.layout(&visit.t().msg("review-title"), "billing/pay"),
        section: "pay",
        rows: super::allocation_rows(&review.allocations, &formats),
        credit: review
            .prepayment
            .is_positive()
            .then(|| formats.money.format(review.prepayment)),
        credit_used: review
            .credit_used()
            .is_positive()
            .then(|| formats.money.format(review.credit_used())),
        total: (!review.amount.is_zero()).then(|| formats.money.format(review.amount)),
        balance_after: formats.money.format(review.balance_after),
        card: review
            .saved_method
            .as_ref()
            .map(|method| card_label(visit.t(), method)),
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
    form: Form,
    amount: String,
    may_change_amount: bool,
    total: String,
    plan: Vec<PlanRow>,
    credit: Option<(String, String)>,
    /// Account credit the customer has: offered, ticked unless unticked.
    credit_on_account: Option<String>,
    use_credit: bool,
    /// The credit the plan uses.
    credit_used: Option<String>,
    /// The balance left once paid.
    balance_after: String,
    /// Whether credit pays everything: the confirm applies it, no card.
    credit_only: bool,
    choice: Option<MethodChoiceView>,
    idempotency_key: String,
}

#[derive(Deserialize, Default)]
pub struct BalanceQuery {
    #[serde(default)]
    amount: Option<String>,
    /// The credit box (`on` when ticked; absent when unticked).
    #[serde(default)]
    use_credit: Option<String>,
    /// Present when the page's own form was sent: only then does an
    /// absent `use_credit` mean unticked (a fresh visit offers it ticked).
    #[serde(default)]
    credit_choice: Option<String>,
}

/// `GET /billing/pay/balance?amount=`: how the amount (the whole balance
/// by default) would pay the invoices, oldest first, and a form to
/// confirm exactly that.
pub async fn balance(
    visit: Visit,
    Query(query): Query<BalanceQuery>,
) -> Result<Response, PageError> {
    let options = visit
        .portal()
        .billing()
        .payment_options(visit.actor())
        .await?;
    let typed = query.amount.clone().unwrap_or_default();
    let use_credit = query.credit_choice.is_none()
        || query.use_credit.as_deref().is_some_and(|on| !on.is_empty());
    let preview: Result<_, PageError> = async {
        let amount = params::amount(Field::Amount, Some(&typed), Source::Page)?;
        Ok(visit
            .portal()
            .billing()
            .preview_payment(visit.actor(), amount, use_credit)
            .await?)
    }
    .await;
    let may_change_amount = options.partial_allowed || options.prepayment_allowed;
    let formats = visit.formats();
    let mut inputs = Vec::from(MethodChoiceView::inputs(visit.t()));
    if may_change_amount {
        inputs.push(Input::new("amount", visit.t().msg("pay-amount")));
    }
    let mut page = BalancePage {
        layout: visit.layout(
            &visit.t().msg("billing-pay-statement-balance"),
            "billing/pay/balance",
        ),
        section: "pay",
        form: Form::new(visit.t(), Vec::new()),
        amount: typed,
        may_change_amount,
        total: String::new(),
        plan: Vec::new(),
        credit: None,
        credit_on_account: options
            .summary
            .credit
            .is_positive()
            .then(|| formats.money.format(options.summary.credit)),
        use_credit,
        credit_used: None,
        balance_after: String::new(),
        credit_only: false,
        choice: None,
        idempotency_key: IdempotencyKey::generate().as_str().to_owned(),
    };
    match preview {
        Ok(preview) => {
            page.total = formats.money.format(preview.amount);
            page.amount = preview.amount.amount().to_string();
            let used = preview.credit_used();
            page.credit_used = used.is_positive().then(|| formats.money.format(used));
            page.balance_after = formats.money.format(preview.balance_after);
            page.credit_only = preview.amount.is_zero() && used.is_positive();
            page.plan = preview
                .plan
                .allocations
                .iter()
                .map(|a| PlanRow {
                    id: a.invoice.to_string(),
                    number: a.invoice_number.clone(),
                    amount: formats.money.format(a.amount),
                    value: a.amount.amount().to_string(),
                })
                .collect();
            page.credit = preview.plan.unallocated.is_positive().then(|| {
                (
                    formats.money.format(preview.plan.unallocated),
                    preview.plan.unallocated.amount().to_string(),
                )
            });
            page.choice = Some(MethodChoiceView::of(
                visit.t(),
                &options,
                &Prefill::default(),
            ));
            page.form = Form::new(visit.t(), inputs);
        }
        Err(error) => page.form = Form::new(visit.t(), inputs).showing(Some(Refusal::of(error)?)),
    }
    render(page.form.status(), &page)
}

// ---- account credit --------------------------------------------------

#[derive(Template)]
#[template(path = "billing/credit.html")]
struct CreditPage {
    layout: Layout,
    section: &'static str,
    form: Form,
    summary: Summary,
    rows: Vec<PayRow>,
}

/// The credit form, fresh or again with what went wrong.
async fn credit_page(
    visit: &Visit,
    refusal: Option<Refusal>,
    prefill: Prefill,
) -> Result<Response, PageError> {
    let options = visit
        .portal()
        .billing()
        .credit_options(visit.actor())
        .await?;
    let formats = visit.formats();
    let rows = pay_rows(visit.t(), &options, &prefill, false, &formats);
    let t = visit.t();
    let inputs = [Input::new("invoices", t.msg("billing-nav-invoices")).fieldset()]
        .into_iter()
        .chain(rows.iter().map(|row| row.input(t)))
        .collect();
    let page = CreditPage {
        layout: visit.layout(&t.msg("billing-use-credit"), "billing/credit"),
        section: "pay",
        form: amounts_form(visit.t(), inputs, &rows, refusal),
        summary: Summary::of(&options.summary, &formats),
        rows,
    };
    render(page.form.status(), &page)
}

/// `GET /billing/credit`: the credit and the invoices it could pay.
pub async fn credit_form(visit: Visit) -> Result<Response, PageError> {
    credit_page(&visit, None, Prefill::default()).await
}

/// `POST /billing/credit`: applies credit to the ticked invoices.
pub async fn credit_submit(
    visit: Visit,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(fields);
    let applied: Result<_, PageError> = async {
        let chosen = params::invoice_choices(fields.chosen(), Source::Page)?;
        Ok(visit
            .portal()
            .billing()
            .apply_credit(visit.actor(), &chosen)
            .await?)
    }
    .await;
    match applied {
        Ok(_) => Ok(visit.redirect("billing?done=credit")),
        Err(error) => credit_page(&visit, Some(Refusal::of(error)?), Prefill::of(&fields)).await,
    }
}
