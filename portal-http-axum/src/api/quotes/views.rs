//! The JSON shapes of quotes. Money is a decimal string next to a
//! `currency` field, as everywhere in the API.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use portal_core::quotes::{Quote, QuoteDetail, QuoteList};

use crate::api::billing::views::money;

/// A quote as lists show it.
#[derive(Serialize, ToSchema)]
pub struct QuoteView {
    /// Id.
    #[schema(value_type = crate::api::wire::Id)]
    pub id: String,
    /// Number printed on it.
    #[schema(example = "Q-2041")]
    pub number: String,
    /// Its title.
    pub title: String,
    /// `pending`, `approved`, `declined` or `expired` (a pending quote
    /// past its valid-until day, judged in the business's time zone).
    #[schema(example = "pending")]
    pub status: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// The last day it can be approved.
    pub valid_until: NaiveDate,
    /// ISO 4217 code of every amount here.
    #[schema(example = "USD")]
    pub currency: String,
    /// What the required lines come to (optional lines not included).
    #[schema(example = "450.00")]
    pub total: String,
    /// What was approved (required lines and the optional ones chosen);
    /// `null` unless approved.
    pub approved_total: Option<String>,
    /// Whether it has lines the customer may choose when approving.
    pub has_optional_lines: bool,
    /// When it was approved or declined.
    pub decided_at: Option<DateTime<Utc>>,
    /// SHA-256 of its content as shown; send it back to approve it.
    #[schema(value_type = crate::api::wire::Sha256)]
    pub content_sha256: String,
}

impl QuoteView {
    /// The quote as it stands on `today`.
    pub fn of(quote: &Quote, today: NaiveDate) -> Self {
        Self {
            id: quote.id.to_string(),
            number: quote.number.clone(),
            title: quote.title.clone(),
            status: quote.state(today).as_str().to_owned(),
            issued_on: quote.issued_on,
            valid_until: quote.valid_until,
            currency: quote.currency().to_string(),
            total: money(quote.total),
            approved_total: quote.approved_total.map(money),
            has_optional_lines: quote.has_optional_lines,
            decided_at: quote.decided_at,
            content_sha256: quote.content_sha256.clone(),
        }
    }
}

/// One page of quotes.
#[derive(Serialize, ToSchema)]
pub struct QuotePageView {
    /// The quotes on this page, newest issued first.
    pub items: Vec<QuoteView>,
    /// All quotes matching the filter.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

impl From<&QuoteList> for QuotePageView {
    fn from(list: &QuoteList) -> Self {
        Self {
            items: list
                .quotes
                .items
                .iter()
                .map(|quote| QuoteView::of(quote, list.today))
                .collect(),
            total: list.quotes.total,
            page: list.quotes.page,
            per_page: list.quotes.per_page,
        }
    }
}

/// One line of a quote.
#[derive(Serialize, ToSchema)]
pub struct QuoteLineView {
    /// Its position, from 0: what `optional_lines` names when approving.
    pub position: u32,
    /// What is offered.
    pub description: String,
    /// How many (decimal string).
    #[schema(example = "1")]
    pub quantity: String,
    /// Price of one, before tax (decimal string).
    #[schema(example = "450.00")]
    pub unit_price: String,
    /// Tax in percent (decimal string).
    #[schema(example = "8.25")]
    pub tax_rate: String,
    /// Quantity times unit price, rounded.
    #[schema(example = "450.00")]
    pub amount: String,
    /// Whether the customer chooses it when approving.
    pub optional: bool,
    /// Whether it was chosen (optional lines of an approved quote; `null`
    /// otherwise).
    pub chosen: Option<bool>,
}

/// The approval's evidence.
#[derive(Serialize, ToSchema)]
pub struct ApprovalView {
    /// The full name typed as the signature.
    pub signer_name: String,
    /// The contact who approved, as named on file.
    pub contact_name: String,
    /// When.
    pub approved_at: DateTime<Utc>,
    /// The purchase-order number given.
    pub po_number: Option<String>,
    /// The comment given.
    pub comment: Option<String>,
    /// Positions of the optional lines chosen.
    pub chosen_lines: Vec<u32>,
    /// SHA-256 of the exact content approved (chosen lines included); the
    /// certificate prints that content.
    #[schema(value_type = crate::api::wire::Sha256)]
    pub content_sha256: String,
}

/// The decline.
#[derive(Serialize, ToSchema)]
pub struct DeclineView {
    /// Why.
    pub reason: String,
    /// The contact who declined, as named on file.
    pub contact_name: String,
    /// When.
    pub declined_at: DateTime<Utc>,
}

/// A quote with its scope of work, lines, totals, terms and decision.
#[derive(Serialize, ToSchema)]
pub struct QuoteDetailView {
    /// The quote.
    pub quote: QuoteView,
    /// The scope of work (plain text).
    pub scope_of_work: String,
    /// The terms approving agrees to (plain text).
    pub terms: String,
    /// Its lines, in order.
    pub lines: Vec<QuoteLineView>,
    /// Before tax: required lines (and, once approved, those chosen).
    #[schema(example = "450.00")]
    pub subtotal: String,
    /// Tax of the same.
    #[schema(example = "37.13")]
    pub tax: String,
    /// Subtotal plus tax.
    #[schema(example = "487.13")]
    pub total: String,
    /// The approval, once approved.
    pub approval: Option<ApprovalView>,
    /// The decline, once declined.
    pub decline: Option<DeclineView>,
}

impl QuoteDetailView {
    /// The quote as it stands on `today`.
    pub fn of(detail: &QuoteDetail, today: NaiveDate) -> Self {
        let currency = detail.quote.currency();
        let chosen = detail
            .approval
            .as_ref()
            .map(|approval| approval.chosen_lines.as_slice());
        let totals = detail.totals(chosen.unwrap_or_default());
        Self {
            quote: QuoteView::of(&detail.quote, today),
            scope_of_work: detail.scope_of_work.clone(),
            terms: detail.terms.clone(),
            lines: (0u32..)
                .zip(&detail.lines)
                .map(|(position, line)| QuoteLineView {
                    position,
                    description: line.line.description.clone(),
                    quantity: line.line.quantity.normalize().to_string(),
                    unit_price: line.line.unit_price.normalize().to_string(),
                    tax_rate: line.line.tax_rate.normalize().to_string(),
                    amount: money(line.line.amount(currency)),
                    optional: line.optional,
                    chosen: chosen
                        .filter(|_| line.optional)
                        .map(|chosen| chosen.contains(&position)),
                })
                .collect(),
            subtotal: money(totals.subtotal),
            tax: money(totals.tax),
            total: money(totals.total),
            approval: detail.approval.as_ref().map(|approval| ApprovalView {
                signer_name: approval.signer_name.clone(),
                contact_name: approval.contact_name.clone(),
                approved_at: approval.approved_at,
                po_number: approval.po_number.clone(),
                comment: approval.comment.clone(),
                chosen_lines: approval.chosen_lines.clone(),
                content_sha256: approval.content_sha256.clone(),
            }),
            decline: detail.decline.as_ref().map(|decline| DeclineView {
                reason: decline.reason.clone(),
                contact_name: decline.contact_name.clone(),
                declined_at: decline.declined_at,
            }),
        }
    }
}
