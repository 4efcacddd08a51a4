//! Quote rows and their conversion into core's models. Money comes back
//! as whole minor units through the row's currency, as billing's does;
//! line values as the decimal text they were stored as.

use std::str::FromStr;

use chrono::NaiveDate;
use portal_core::billing::InvoiceLine;
use portal_core::ports::StoreError;
use portal_core::quotes::{Approval, Decline, Quote, QuoteLine, QuoteStatus};
use portal_core::shared::{AccountId, ContactId, ExternalId, Money, QuoteId};
use rust_decimal::Decimal;
use sqlx::FromRow;
use uuid::Uuid;

use super::billing::currency;
use super::{Timestamp, stored};
use crate::error::backend;

/// The columns [`QuoteRow`] reads, from `quotes`.
macro_rules! quote_columns {
    () => {
        "id, account_id, external_id, number, title, issued_on, valid_until, currency, \
         total_minor, approved_total_minor, has_optional_lines, status, decided_at, content_sha256"
    };
}
pub(crate) use quote_columns;

/// The columns [`DecisionRow`] reads, from `quotes`, besides
/// [`quote_columns!`].
macro_rules! decision_columns {
    () => {
        "scope_of_work, terms, decided_by, decided_by_name, signer_name, comment, po_number, \
         chosen_lines, approved_sha256, client_ip, user_agent, decline_reason"
    };
}
pub(crate) use decision_columns;

/// A quote, selected with [`quote_columns!`].
#[derive(FromRow)]
pub(crate) struct QuoteRow {
    id: Uuid,
    account_id: Uuid,
    external_id: String,
    number: String,
    title: String,
    issued_on: NaiveDate,
    valid_until: NaiveDate,
    currency: String,
    total_minor: i64,
    approved_total_minor: Option<i64>,
    has_optional_lines: bool,
    status: String,
    decided_at: Option<Timestamp>,
    content_sha256: String,
}

impl TryFrom<QuoteRow> for Quote {
    type Error = StoreError;
    fn try_from(row: QuoteRow) -> Result<Self, StoreError> {
        let currency = currency(&row.currency)?;
        Ok(Quote {
            id: QuoteId::from_uuid(row.id),
            account: AccountId::from_uuid(row.account_id),
            external_id: stored("external_id", ExternalId::parse(&row.external_id))?,
            number: row.number,
            title: row.title,
            issued_on: row.issued_on,
            valid_until: row.valid_until,
            status: QuoteStatus::parse(&row.status).ok_or_else(|| {
                backend(format!("stored quote status is unknown: {}", row.status))
            })?,
            total: Money::from_minor(row.total_minor, currency),
            approved_total: row
                .approved_total_minor
                .map(|minor| Money::from_minor(minor, currency)),
            has_optional_lines: row.has_optional_lines,
            decided_at: row.decided_at.map(|at| at.0),
            content_sha256: row.content_sha256,
        })
    }
}

/// A quote with its texts and decision ([`decision_columns!`]).
#[derive(FromRow)]
pub(crate) struct QuoteDetailRow {
    #[sqlx(flatten)]
    pub(crate) quote: QuoteRow,
    pub(crate) scope_of_work: String,
    pub(crate) terms: String,
    decided_by: Option<Uuid>,
    decided_by_name: Option<String>,
    signer_name: Option<String>,
    comment: Option<String>,
    po_number: Option<String>,
    chosen_lines: Option<String>,
    approved_sha256: Option<String>,
    client_ip: Option<String>,
    user_agent: Option<String>,
    decline_reason: Option<String>,
}

impl QuoteDetailRow {
    /// The decision the row records: an approval or a decline (or
    /// neither, while pending).
    pub(crate) fn decision(&self) -> Result<(Option<Approval>, Option<Decline>), StoreError> {
        let decided = (
            self.decided_by,
            self.quote.decided_at,
            self.decided_by_name.clone(),
        );
        let (Some(contact), Some(at), Some(name)) = decided else {
            return Ok((None, None));
        };
        let contact = ContactId::from_uuid(contact);
        match self.quote.status.as_str() {
            "approved" => Ok((
                Some(Approval {
                    contact,
                    contact_name: name,
                    signer_name: self.signer_name.clone().unwrap_or_default(),
                    comment: self.comment.clone(),
                    po_number: self.po_number.clone(),
                    chosen_lines: chosen_lines(self.chosen_lines.as_deref())?,
                    approved_at: at.0,
                    client_ip: self.client_ip.clone().unwrap_or_default(),
                    user_agent: self.user_agent.clone().unwrap_or_default(),
                    content_sha256: self.approved_sha256.clone().unwrap_or_default(),
                }),
                None,
            )),
            "declined" => Ok((
                None,
                Some(Decline {
                    contact,
                    contact_name: name,
                    reason: self.decline_reason.clone().unwrap_or_default(),
                    declined_at: at.0,
                }),
            )),
            _ => Ok((None, None)),
        }
    }
}

/// Chosen optional lines as stored: positions, comma-separated.
pub(crate) fn chosen_lines_text(chosen: &[u32]) -> String {
    chosen
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn chosen_lines(text: Option<&str>) -> Result<Vec<u32>, StoreError> {
    text.unwrap_or_default()
        .split(',')
        .filter(|part| !part.is_empty())
        .map(|part| stored("chosen line", part.parse::<u32>()))
        .collect()
}

/// One line of a quote.
#[derive(FromRow)]
pub(crate) struct QuoteLineRow {
    description: String,
    quantity: String,
    unit_price: String,
    tax_rate: String,
    optional: bool,
}

impl TryFrom<QuoteLineRow> for QuoteLine {
    type Error = StoreError;
    fn try_from(row: QuoteLineRow) -> Result<Self, StoreError> {
        let decimal = |what, text: &str| stored(what, Decimal::from_str(text));
        Ok(QuoteLine {
            line: InvoiceLine {
                description: row.description,
                quantity: decimal("quantity", &row.quantity)?,
                unit_price: decimal("unit_price", &row.unit_price)?,
                tax_rate: decimal("tax_rate", &row.tax_rate)?,
            },
            optional: row.optional,
        })
    }
}
