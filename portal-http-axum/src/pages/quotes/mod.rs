//! The customer's quotes: the list (by status, in pages), one quote with
//! its scope of work, lines, totals and terms, approving it (the signer's
//! typed name, optional lines ticked, a comment and a PO number) or
//! declining it (a reason), its PDF and, once approved, its approval
//! certificate (PDF).
//!
//! The approval form carries the digest of the quote it shows
//! (`content_sha256`): a quote the host changed meanwhile is refused as a
//! conflict and shown again, so a customer only ever approves what they
//! read. Whether the contact may approve (role, the `quotes` switch, staff
//! viewing read-only) is the core's answer; the form is only drawn when
//! it would be allowed.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use portal_core::access::Permission;
use portal_core::quotes::{ApproveQuote, DecisionClient, Quote, QuoteDetail, QuoteState};
use portal_core::shared::QuoteId;

use super::billing::{Done, Visit};
use super::form::{Form, Input, Refusal};
use super::list::{Listing, list_url};
use super::{Layout, PageError, render};
use crate::params::{self, QuoteFilterText, Source};
use crate::pdf;
use crate::route_table::{PageRoutes, form_post, get};
use crate::security::CsrfForm;
use portal_core::shared::Formats;
use portal_i18n::Messages;

/// The quote routes, under the portal's prefix.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .route("/quotes", get(list))
        .route("/quotes/{id}", get(detail))
        // A GET of a form's address (reloaded after a refusal) goes to
        // the list: the form's own page is the quote's.
        .route("/quotes/{id}/approve", form_post(approve, "/quotes"))
        .route("/quotes/{id}/decline", form_post(decline, "/quotes"))
        .route("/quotes/{id}/pdf", get(quote_pdf))
        .route("/quotes/{id}/certificate", get(certificate_pdf))
}

/// The list's query string, as typed.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct QuoteFilters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

impl QuoteFilters {
    /// This list's URL at another page.
    fn link(&self, base: &str, page: u32) -> String {
        let filters = QuoteFilters {
            status: params::given(self.status.as_deref()).map(str::to_owned),
            page: (page > 1).then(|| page.to_string()),
        };
        list_url(base, "quotes", &filters)
    }
}

/// The status filter's choices: the query's value and the label.
fn status_choices(t: Messages) -> [(&'static str, String); 5] {
    [
        ("", t.msg("filter-any-status")),
        ("pending", pdf::quote_state_label(t, QuoteState::Pending)),
        ("approved", pdf::quote_state_label(t, QuoteState::Approved)),
        ("declined", pdf::quote_state_label(t, QuoteState::Declined)),
        ("expired", pdf::quote_state_label(t, QuoteState::Expired)),
    ]
}

/// One `<option>`: value, label, selected.
pub struct Choice {
    value: &'static str,
    label: String,
    selected: bool,
}

/// A quote as a list row, in text.
pub struct QuoteRow {
    id: String,
    number: String,
    title: String,
    issued_on: String,
    valid_until: String,
    total: String,
    state: QuoteState,
    /// The state, in words.
    label: String,
}

impl QuoteRow {
    fn of(quote: &Quote, today: NaiveDate, formats: &Formats, t: Messages) -> Self {
        let state = quote.state(today);
        Self {
            id: quote.id.to_string(),
            number: quote.number.clone(),
            title: quote.title.clone(),
            issued_on: formats.dates.day(quote.issued_on),
            valid_until: formats.dates.day(quote.valid_until),
            total: formats
                .money
                .format(quote.approved_total.unwrap_or(quote.total)),
            state,
            label: pdf::quote_state_label(t, state),
        }
    }

    fn is_pending(&self) -> bool {
        self.state == QuoteState::Pending
    }
}

#[derive(Template)]
#[template(path = "quotes/list.html")]
struct ListPage {
    layout: Layout,
    form: Form,
    statuses: Vec<Choice>,
    list: Listing<QuoteRow>,
    is_filtered: bool,
}

/// `/quotes`: by status, newest first, in pages.
pub async fn list(
    visit: Visit,
    Query(filters): Query<QuoteFilters>,
) -> Result<Response, PageError> {
    let text = QuoteFilterText {
        status: filters.status.as_deref(),
        page: filters.page.as_deref(),
        per_page: None,
    };
    let listed: Result<_, PageError> = async {
        let query = text.parse(Source::Page)?;
        Ok(visit
            .portal()
            .quotes()
            .quotes(visit.actor(), &query)
            .await?)
    }
    .await;
    let current = params::given(filters.status.as_deref()).unwrap_or("");
    let mut page = ListPage {
        layout: visit.layout(&visit.t().msg("nav-quotes"), "quotes"),
        form: status_form(visit.t()),
        statuses: status_choices(visit.t())
            .into_iter()
            .map(|(value, label)| Choice {
                value,
                label,
                selected: value == current,
            })
            .collect(),
        list: Listing::empty(),
        is_filtered: !current.is_empty(),
    };
    match listed {
        Ok(list) => {
            let formats = visit.formats();
            let base = visit.context().base.clone();
            page.list = Listing::of(
                visit.t(),
                &list.quotes,
                |quote| QuoteRow::of(quote, list.today, &formats, visit.t()),
                |n| filters.link(&base, n),
            );
        }
        Err(error) => {
            page.form = status_form(visit.t()).showing(Some(Refusal::of(error)?));
        }
    }
    render(page.form.status(), &page)
}

/// The list's filter form.
fn status_form(t: Messages) -> Form {
    Form::new(t, vec![Input::new("status", t.msg("field-status"))])
}

/// One line of a quote, in text.
pub struct LineRow {
    position: u32,
    description: String,
    quantity: String,
    unit_price: String,
    tax_rate: String,
    amount: String,
    optional: bool,
    /// Ticked on the form (a refused attempt's choice), or chosen when
    /// approved.
    chosen: bool,
}

/// An approval, in text.
pub struct ApprovalText {
    signer_name: String,
    contact_name: String,
    approved_at: String,
    po_number: Option<String>,
    comment: Option<String>,
    content_sha256: String,
}

/// What the approval form had typed, to show again after a refusal.
#[derive(Default)]
pub struct Typed {
    signer_name: String,
    comment: String,
    po_number: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "quotes/detail.html")]
struct DetailPage {
    layout: Layout,
    notice: Option<String>,
    approve_form: Form,
    decline_form: Form,
    id: String,
    number: String,
    title: String,
    state: QuoteState,
    /// The state, in words.
    state_label: String,
    issued_on: String,
    valid_until: String,
    scope_of_work: String,
    terms: String,
    lines: Vec<LineRow>,
    subtotal: String,
    tax: String,
    total: String,
    /// The total with every optional line, when there are any.
    total_with_options: Option<String>,
    content_sha256: String,
    may_decide: bool,
    approval: Option<ApprovalText>,
    decline_reason: Option<String>,
    typed: Typed,
}

impl DetailPage {
    fn is_pending(&self) -> bool {
        self.state == QuoteState::Pending
    }

    fn has_optional_lines(&self) -> bool {
        self.lines.iter().any(|line| line.optional)
    }
}

/// The approval form's inputs, labelled as the page shows them.
fn approve_form(t: Messages, refusal: Option<Refusal>) -> Form {
    Form::new(
        t,
        vec![
            Input::new("optional_lines", t.msg("quote-optional-items")),
            Input::new("signer_name", t.msg("quote-signer-name")),
            Input::new("po_number", t.msg("quote-po-optional")),
            Input::new("comment", t.msg("quote-comment-optional")),
        ],
    )
    .showing(refusal)
}

/// The decline form's input.
fn decline_form(t: Messages, refusal: Option<Refusal>) -> Form {
    Form::new(t, vec![Input::new("reason", t.msg("quote-decline-reason"))]).showing(refusal)
}

/// What a refused attempt brings back to the page.
#[derive(Default)]
struct Attempt {
    approve: Option<Refusal>,
    decline: Option<Refusal>,
    typed: Typed,
    ticked: Vec<u32>,
}

async fn detail_page(
    visit: &Visit,
    id: QuoteId,
    attempt: Attempt,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let detail = visit.portal().quotes().quote(visit.actor(), id).await?;
    let today = visit.portal().quotes().today(&visit.context().tenant);
    let page = detail_of(visit, &detail, today, attempt, notice);
    render(
        match page.approve_form.status() {
            StatusCode::OK => page.decline_form.status(),
            refused => refused,
        },
        &page,
    )
}

fn detail_of(
    visit: &Visit,
    detail: &QuoteDetail,
    today: NaiveDate,
    attempt: Attempt,
    notice: Option<String>,
) -> DetailPage {
    let quote = &detail.quote;
    let currency = quote.currency();
    let formats = visit.formats();
    let money = |amount| formats.money.format(amount);
    let state = quote.state(today);
    let chosen = detail
        .approval
        .as_ref()
        .map_or(attempt.ticked.as_slice(), |approval| {
            approval.chosen_lines.as_slice()
        });
    let totals = detail.totals(chosen);
    let all_optional: Vec<u32> = (0u32..)
        .zip(&detail.lines)
        .filter(|(_, line)| line.optional)
        .map(|(position, _)| position)
        .collect();
    let features = &visit.context().tenant.settings.features;
    DetailPage {
        layout: visit.layout(
            &visit
                .t()
                .msg_with("quote-title", visit.t().arg("number", &quote.number)),
            &format!("quotes/{}", quote.id),
        ),
        notice,
        approve_form: approve_form(visit.t(), attempt.approve),
        decline_form: decline_form(visit.t(), attempt.decline),
        id: quote.id.to_string(),
        number: quote.number.clone(),
        title: quote.title.clone(),
        state,
        state_label: pdf::quote_state_label(visit.t(), state),
        issued_on: formats.dates.day(quote.issued_on),
        valid_until: formats.dates.day(quote.valid_until),
        scope_of_work: detail.scope_of_work.clone(),
        terms: detail.terms.clone(),
        lines: (0u32..)
            .zip(&detail.lines)
            .map(|(position, line)| LineRow {
                position,
                description: line.line.description.clone(),
                quantity: line.line.quantity.normalize().to_string(),
                unit_price: formats
                    .money
                    .format_unit_price(line.line.unit_price, currency),
                tax_rate: format!("{}%", line.line.tax_rate.normalize()),
                amount: money(line.line.amount(currency)),
                optional: line.optional,
                chosen: chosen.contains(&position),
            })
            .collect(),
        subtotal: money(totals.subtotal),
        tax: money(totals.tax),
        total: money(totals.total),
        total_with_options: (!all_optional.is_empty() && detail.approval.is_none())
            .then(|| money(detail.totals(&all_optional).total)),
        content_sha256: quote.content_sha256.clone(),
        may_decide: state == QuoteState::Pending
            && visit.actor().can(Permission::ApproveQuotes, features),
        approval: detail.approval.as_ref().map(|approval| ApprovalText {
            signer_name: approval.signer_name.clone(),
            contact_name: approval.contact_name.clone(),
            approved_at: formats.dates.day_of(approval.approved_at),
            po_number: approval.po_number.clone(),
            comment: approval.comment.clone(),
            content_sha256: approval.content_sha256.clone(),
        }),
        decline_reason: detail
            .decline
            .as_ref()
            .map(|decline| decline.reason.clone()),
        typed: attempt.typed,
    }
}

/// `/quotes/{id}`: the quote, and the forms to approve or decline it.
pub async fn detail(
    visit: Visit,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let id = params::id(&id, QuoteId::parse)?;
    let t = visit.t();
    let notice = done.notice(&[
        ("approved", t.msg("quote-done-approved")),
        ("declined", t.msg("quote-done-declined")),
    ]);
    detail_page(&visit, id, Attempt::default(), notice).await
}

/// The approval form as posted: repeated `optional_line` checkboxes, so
/// read as pairs.
struct ApprovalFields {
    signer_name: String,
    comment: String,
    po_number: String,
    content_sha256: String,
    optional_lines: Vec<String>,
}

impl ApprovalFields {
    fn of(fields: Vec<(String, String)>) -> Self {
        let mut form = Self {
            signer_name: String::new(),
            comment: String::new(),
            po_number: String::new(),
            content_sha256: String::new(),
            optional_lines: Vec::new(),
        };
        for (key, value) in fields {
            match key.as_str() {
                "signer_name" => form.signer_name = value,
                "comment" => form.comment = value,
                "po_number" => form.po_number = value,
                "content_sha256" => form.content_sha256 = value,
                "optional_line" => form.optional_lines.push(value),
                _ => {}
            }
        }
        form
    }
}

/// The client's evidence: its address (as the portal resolves it, behind
/// a trusted proxy too) and its user agent.
fn client(visit: &Visit, headers: &HeaderMap) -> DecisionClient {
    DecisionClient {
        ip: visit.context().client,
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
    }
}

/// `POST /quotes/{id}/approve`.
pub async fn approve(
    visit: Visit,
    Path(id): Path<String>,
    headers: HeaderMap,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = params::id(&id, QuoteId::parse)?;
    let form = ApprovalFields::of(fields);
    let typed = Typed {
        signer_name: form.signer_name.clone(),
        comment: form.comment.clone(),
        po_number: form.po_number.clone(),
        reason: String::new(),
    };
    let ticked = params::optional_lines(form.optional_lines.iter().map(String::as_str));
    let approved: Result<_, PageError> = async {
        // A page renders the digest: a bad one is a stale or tampered
        // page, which the core calls a changed quote.
        let shown = params::content_sha256(&form.content_sha256).unwrap_or_default();
        let request = ApproveQuote {
            quote: id,
            signer_name: form.signer_name.clone(),
            comment: Some(form.comment.clone()),
            po_number: Some(form.po_number.clone()),
            optional_lines: ticked.clone()?,
            shown_sha256: shown,
        };
        Ok(visit
            .portal()
            .quotes()
            .approve(visit.auth(), &request, &client(&visit, &headers))
            .await?)
    }
    .await;
    match approved {
        Ok(_) => Ok(visit.redirect(&format!("quotes/{id}?done=approved"))),
        Err(error) => {
            let attempt = Attempt {
                approve: Some(Refusal::of(error)?),
                typed,
                ticked: ticked.unwrap_or_default(),
                ..Attempt::default()
            };
            detail_page(&visit, id, attempt, None).await
        }
    }
}

#[derive(Deserialize)]
pub struct DeclineFields {
    #[serde(default)]
    reason: String,
}

/// `POST /quotes/{id}/decline`.
pub async fn decline(
    visit: Visit,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DeclineFields>,
) -> Result<Response, PageError> {
    let id = params::id(&id, QuoteId::parse)?;
    let declined = visit
        .portal()
        .quotes()
        .decline(visit.auth(), id, &form.reason)
        .await;
    match declined {
        Ok(_) => Ok(visit.redirect(&format!("quotes/{id}?done=declined"))),
        Err(error) => {
            let attempt = Attempt {
                decline: Some(Refusal::of(error)?),
                typed: Typed {
                    reason: form.reason,
                    ..Typed::default()
                },
                ..Attempt::default()
            };
            detail_page(&visit, id, attempt, None).await
        }
    }
}

/// `/quotes/{id}/pdf`: the quote as a PDF.
pub async fn quote_pdf(visit: Visit, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = params::id(&id, QuoteId::parse)?;
    let detail = visit.portal().quotes().quote(visit.actor(), id).await?;
    let today = visit.portal().quotes().today(&visit.context().tenant);
    Ok(visit.document(
        &format!("quote-{}", detail.quote.number),
        |heading, paper| pdf::quote(heading, &detail, today, paper),
    ))
}

/// `/quotes/{id}/certificate`: an approved quote's approval certificate.
pub async fn certificate_pdf(visit: Visit, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = params::id(&id, QuoteId::parse)?;
    let detail = visit
        .portal()
        .quotes()
        .certificate(visit.actor(), id)
        .await?;
    let zone = visit.formats().dates.zone();
    Ok(visit.document(
        &format!("quote-{}-approval", detail.quote.number),
        |heading, paper| pdf::certificate(heading, &detail, zone, paper),
    ))
}
