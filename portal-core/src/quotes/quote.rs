//! Quotes: the host's lines (some of them optional), the totals computed
//! by billing's one rule, the state machine a decision moves, and the
//! canonical content whose SHA-256 an approval keeps as evidence.
//!
//! The state machine: a stored quote is `pending`, `approved` or
//! `declined`. Expired is not stored: a pending quote whose valid-until
//! day is before today (in the tenant's time zone) *is* expired
//! ([`Quote::state`]), so a host that extends the date revives it. Only a
//! pending, unexpired quote can be decided, once ([`QuoteState::decide`]);
//! stores repeat the rule in their conditional update, so two concurrent
//! decisions give one success and one conflict.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::QuotesConflict;
use crate::billing::{InvoiceLine, InvoiceTotals};
use crate::error::PortalError;
use crate::shared::{
    AccountId, ContactId, Currency, ExternalId, Money, PageRequest, QuoteId, Reason,
    check_one_line, check_text,
};

/// The most lines one quote may have.
pub const MAX_QUOTE_LINES: usize = 500;

/// The longest scope of work or terms text (characters).
pub const MAX_QUOTE_TEXT: usize = 20_000;

/// The longest signer name (characters).
pub const MAX_SIGNER_NAME: usize = 200;

/// The longest comment or decline reason (characters).
pub const MAX_DECISION_TEXT: usize = 2_000;

/// The longest purchase-order number (characters).
pub const MAX_PO_NUMBER: usize = 64;

/// One line of a quote as the host sends it: an invoice line (the same
/// totals rule) that the host may mark optional, for the customer to tick.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteLine {
    /// What is offered, how many, at what price and tax.
    #[serde(flatten)]
    pub line: InvoiceLine,
    /// Whether the customer chooses it (ticked when approving) rather than
    /// it being part of the quote.
    #[serde(default)]
    pub optional: bool,
}

/// What the host sends to create or update a quote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuoteUpsert {
    /// The host's id of the quote; upserts are keyed by it.
    pub external_id: ExternalId,
    /// The account the quote is for.
    pub account: AccountId,
    /// The number printed on it (`Q-2041`).
    pub number: String,
    /// A one-line title (`Spring lawn renovation`).
    pub title: String,
    /// The scope of work, as plain text (paragraphs kept).
    pub scope_of_work: String,
    /// The terms the customer agrees to by approving (plain text; may be
    /// empty).
    pub terms: String,
    /// When it was issued.
    pub issued_on: NaiveDate,
    /// The last day it can be approved.
    pub valid_until: NaiveDate,
    /// Its currency; must be the tenant's.
    pub currency: Currency,
    /// Its lines, in the host's order.
    pub lines: Vec<QuoteLine>,
}

impl QuoteUpsert {
    /// Checks the upsert against the tenant's currency and the line
    /// rules; the totals of its required lines.
    pub fn validate(&self, tenant_currency: Currency) -> Result<InvoiceTotals, PortalError> {
        check_one_line("number", &self.number, 1, 64)?;
        check_one_line("title", &self.title, 1, 200)?;
        check_text("scope_of_work", &self.scope_of_work, 0, MAX_QUOTE_TEXT)?;
        check_text("terms", &self.terms, 0, MAX_QUOTE_TEXT)?;
        if self.currency != tenant_currency {
            return Err(PortalError::invalid(
                "currency",
                Reason::WrongCurrency {
                    expected: tenant_currency,
                },
            ));
        }
        if self.valid_until < self.issued_on {
            return Err(PortalError::invalid("valid_until", Reason::BeforeIssueDate));
        }
        if self.lines.is_empty() || self.lines.len() > MAX_QUOTE_LINES {
            return Err(PortalError::invalid(
                "lines",
                Reason::Count {
                    min: 1,
                    max: MAX_QUOTE_LINES,
                },
            ));
        }
        for line in &self.lines {
            line.line.validate()?;
        }
        // Every choice of optional lines must total within the books; the
        // largest sum is all of them (a negative line only lowers it).
        let all = totals(&self.lines, &all_optional(&self.lines), self.currency);
        let required = totals(&self.lines, &[], self.currency);
        for value in [all, required] {
            let representable = [value.subtotal, value.tax, value.total]
                .iter()
                .all(|amount| amount.to_minor().is_some());
            if !representable {
                return Err(PortalError::invalid("lines", Reason::TooLarge));
            }
            if value.total.is_negative() {
                return Err(PortalError::invalid("lines", Reason::NegativeTotal));
            }
        }
        Ok(required)
    }

    /// The SHA-256 (hex) of the quote's canonical content as a customer
    /// is shown it, before choosing optional lines ([`content_sha256`]).
    pub fn digest(&self) -> String {
        content_sha256(&QuoteContent::of_upsert(self), &[])
    }
}

fn all_optional(lines: &[QuoteLine]) -> Vec<u32> {
    (0u32..)
        .zip(lines)
        .filter(|(_, line)| line.optional)
        .map(|(position, _)| position)
        .collect()
}

/// The totals of the required lines and the `chosen` optional ones
/// (positions from 0), by billing's rule ([`InvoiceTotals::of`]).
pub fn totals(lines: &[QuoteLine], chosen: &[u32], currency: Currency) -> InvoiceTotals {
    let included: Vec<InvoiceLine> = (0u32..)
        .zip(lines)
        .filter(|(position, line)| !line.optional || chosen.contains(position))
        .map(|(_, line)| line.line.clone())
        .collect();
    InvoiceTotals::of(&included, currency)
}

/// A quote as it is stored: pending, or decided once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteStatus {
    /// Waiting for the customer (expired once its valid-until day passed).
    Pending,
    /// The customer approved it.
    Approved,
    /// The customer declined it.
    Declined,
}

impl QuoteStatus {
    /// How stores spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Declined => "declined",
        }
    }

    /// The status a store spelled with [`QuoteStatus::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Approved, Self::Declined]
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

/// Where a quote stands for the customer today: its stored status, with
/// a pending quote past its valid-until day shown as expired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteState {
    /// Can be approved or declined.
    Pending,
    /// Approved.
    Approved,
    /// Declined.
    Declined,
    /// Not decided in time; can no longer be decided (unless the host
    /// extends it).
    Expired,
}

/// A customer's decision on a quote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Approve it.
    Approve,
    /// Decline it.
    Decline,
}

impl QuoteState {
    /// The state of a quote stored as `status`, valid until `valid_until`,
    /// on `today`.
    pub fn of(status: QuoteStatus, valid_until: NaiveDate, today: NaiveDate) -> Self {
        match status {
            QuoteStatus::Pending if valid_until < today => Self::Expired,
            QuoteStatus::Pending => Self::Pending,
            QuoteStatus::Approved => Self::Approved,
            QuoteStatus::Declined => Self::Declined,
        }
    }

    /// The status `decision` moves a quote in this state to; only a
    /// pending quote moves, and only once.
    pub fn decide(self, decision: Decision, number: &str) -> Result<QuoteStatus, QuotesConflict> {
        match self {
            Self::Pending => Ok(match decision {
                Decision::Approve => QuoteStatus::Approved,
                Decision::Decline => QuoteStatus::Declined,
            }),
            Self::Expired => Err(QuotesConflict::Expired {
                number: number.to_owned(),
            }),
            Self::Approved | Self::Declined => Err(QuotesConflict::AlreadyDecided {
                number: number.to_owned(),
                approved: self == Self::Approved,
            }),
        }
    }

    /// How stores and URLs spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Declined => "declined",
            Self::Expired => "expired",
        }
    }

    /// How customers read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Awaiting approval",
            Self::Approved => "Approved",
            Self::Declined => "Declined",
            Self::Expired => "Expired",
        }
    }
}

/// A quote as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// Our id.
    pub id: QuoteId,
    /// The account it is for.
    pub account: AccountId,
    /// The host's id.
    pub external_id: ExternalId,
    /// Its number.
    pub number: String,
    /// Its title.
    pub title: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// The last day it can be approved.
    pub valid_until: NaiveDate,
    /// Its stored status ([`Quote::state`] says whether it expired).
    pub status: QuoteStatus,
    /// What the required lines come to (optional lines not included).
    pub total: Money,
    /// What was approved: required lines plus the optional ones chosen.
    pub approved_total: Option<Money>,
    /// Whether it has lines the customer may choose.
    pub has_optional_lines: bool,
    /// When it was approved or declined.
    pub decided_at: Option<DateTime<Utc>>,
    /// The SHA-256 of its content as shown ([`QuoteUpsert::digest`]).
    pub content_sha256: String,
}

impl Quote {
    /// The quote's currency.
    pub fn currency(&self) -> Currency {
        self.total.currency()
    }

    /// Where it stands on `today`.
    pub fn state(&self, today: NaiveDate) -> QuoteState {
        QuoteState::of(self.status, self.valid_until, today)
    }
}

/// How the customer approved a quote: the evidence the certificate shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Approval {
    /// The contact who approved.
    pub contact: ContactId,
    /// Their name on file when they approved.
    pub contact_name: String,
    /// The full name they typed as their signature.
    pub signer_name: String,
    /// Their comment.
    pub comment: Option<String>,
    /// Their purchase-order number.
    pub po_number: Option<String>,
    /// The optional lines they chose (positions from 0).
    pub chosen_lines: Vec<u32>,
    /// When.
    pub approved_at: DateTime<Utc>,
    /// The client's address, as the portal saw it.
    pub client_ip: String,
    /// The client's user agent.
    pub user_agent: String,
    /// SHA-256 (hex) of the exact content approved, chosen lines included
    /// ([`content_sha256`]).
    pub content_sha256: String,
}

/// How the customer declined a quote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decline {
    /// The contact who declined.
    pub contact: ContactId,
    /// Their name on file when they declined.
    pub contact_name: String,
    /// Why.
    pub reason: String,
    /// When.
    pub declined_at: DateTime<Utc>,
}

/// A quote with its scope of work, terms, lines and decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QuoteDetail {
    /// The quote.
    pub quote: Quote,
    /// The scope of work.
    pub scope_of_work: String,
    /// The terms approving agrees to.
    pub terms: String,
    /// Its lines, in the host's order.
    pub lines: Vec<QuoteLine>,
    /// The approval, once approved.
    pub approval: Option<Approval>,
    /// The decline, once declined.
    pub decline: Option<Decline>,
}

impl QuoteDetail {
    /// The totals of the required lines and the `chosen` optional ones.
    pub fn totals(&self, chosen: &[u32]) -> InvoiceTotals {
        totals(&self.lines, chosen, self.quote.currency())
    }

    /// The SHA-256 (hex) of the content with `chosen` optional lines: what
    /// an approval of that selection keeps as evidence.
    pub fn content_sha256(&self, chosen: &[u32]) -> String {
        content_sha256(&QuoteContent::of_detail(self), chosen)
    }

    /// The canonical text that [`QuoteDetail::content_sha256`] digests (the
    /// certificate prints it, so anyone can check the digest).
    pub fn canonical_content(&self, chosen: &[u32]) -> String {
        canonical_content(&QuoteContent::of_detail(self), chosen)
    }
}

/// The parts of a quote its digest covers, borrowed from an upsert or a
/// stored quote so both give the same digest.
#[derive(Clone, Copy)]
struct QuoteContent<'a> {
    number: &'a str,
    title: &'a str,
    scope_of_work: &'a str,
    terms: &'a str,
    issued_on: NaiveDate,
    valid_until: NaiveDate,
    currency: Currency,
    lines: &'a [QuoteLine],
}

impl<'a> QuoteContent<'a> {
    fn of_upsert(upsert: &'a QuoteUpsert) -> Self {
        Self {
            number: &upsert.number,
            title: &upsert.title,
            scope_of_work: &upsert.scope_of_work,
            terms: &upsert.terms,
            issued_on: upsert.issued_on,
            valid_until: upsert.valid_until,
            currency: upsert.currency,
            lines: &upsert.lines,
        }
    }

    fn of_detail(detail: &'a QuoteDetail) -> Self {
        Self {
            number: &detail.quote.number,
            title: &detail.quote.title,
            scope_of_work: &detail.scope_of_work,
            terms: &detail.terms,
            issued_on: detail.quote.issued_on,
            valid_until: detail.quote.valid_until,
            currency: detail.quote.currency(),
            lines: &detail.lines,
        }
    }
}

/// The canonical text of a quote's content with the `chosen` optional
/// lines: every field on a line of its own as `name=<chars>:<value>`, so
/// no value can pass for another (a length prefix, not an escape), and
/// decimals normalised (`1.50` and `1.5` are the same price). Lines carry
/// their position, whether they are optional and whether they are
/// included, then the totals that selection comes to. Versioned: a change
/// of format is `portal-quote-v2`.
fn canonical_content(content: &QuoteContent<'_>, chosen: &[u32]) -> String {
    let mut out = String::from("portal-quote-v1\n");
    let mut field = |name: &str, value: &str| {
        let _ = writeln!(out, "{name}={}:{value}", value.chars().count());
    };
    field("number", content.number);
    field("title", content.title);
    field("scope_of_work", content.scope_of_work);
    field("terms", content.terms);
    field("issued_on", &content.issued_on.to_string());
    field("valid_until", &content.valid_until.to_string());
    field("currency", content.currency.as_str());
    for (position, line) in (0u32..).zip(content.lines) {
        let included = !line.optional || chosen.contains(&position);
        field(
            "line",
            &format!(
                "{position}|{}|{}|{}|{}|{}|{}",
                u8::from(line.optional),
                u8::from(included),
                line.line.quantity.normalize(),
                line.line.unit_price.normalize(),
                line.line.tax_rate.normalize(),
                line.line.description,
            ),
        );
    }
    let totals = totals(content.lines, chosen, content.currency);
    field("subtotal", &totals.subtotal.amount().to_string());
    field("tax", &totals.tax.amount().to_string());
    field("total", &totals.total.amount().to_string());
    out
}

/// The SHA-256 (hex) of [`canonical_content`].
fn content_sha256(content: &QuoteContent<'_>, chosen: &[u32]) -> String {
    hex::encode(Sha256::digest(
        canonical_content(content, chosen).as_bytes(),
    ))
}

/// Which quotes a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteStatusFilter {
    /// Awaiting approval (pending, not expired).
    Pending,
    /// Approved.
    Approved,
    /// Declined.
    Declined,
    /// Expired.
    Expired,
}

impl QuoteStatusFilter {
    /// Every filter, in the order lists offer them.
    pub const ALL: [Self; 4] = [Self::Pending, Self::Approved, Self::Declined, Self::Expired];

    /// How URLs and stores spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Declined => "declined",
            Self::Expired => "expired",
        }
    }

    /// The filter spelled `text`.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|filter| filter.as_str() == text)
    }
}

/// A customer's quote list query: the status filter and the page. Lists
/// are newest issue first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuoteQuery {
    /// Status filter.
    pub status: Option<QuoteStatusFilter>,
    /// Which page.
    pub page: PageRequest,
}

/// Where a decision comes from: the evidence the client gives by being
/// there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionClient {
    /// The client's address.
    pub ip: std::net::IpAddr,
    /// Its `User-Agent`, if it sent one.
    pub user_agent: Option<String>,
}

/// The customer's approval of a quote, as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApproveQuote {
    /// The quote.
    pub quote: QuoteId,
    /// The signer's full name, typed (required).
    pub signer_name: String,
    /// A comment.
    pub comment: Option<String>,
    /// Their purchase-order number.
    pub po_number: Option<String>,
    /// The optional lines ticked (positions from 0).
    pub optional_lines: Vec<u32>,
    /// The digest of the quote as the page showed it
    /// ([`Quote::content_sha256`]); a quote changed since is a conflict.
    pub shown_sha256: String,
}

impl ApproveQuote {
    /// The typed values, trimmed and checked: the signer's name (required,
    /// one line), the comment and PO number (optional; blank is none).
    pub fn checked(&self) -> Result<CheckedApproval, PortalError> {
        let signer_name = self.signer_name.trim();
        if signer_name.is_empty() {
            return Err(PortalError::invalid("signer_name", Reason::Required));
        }
        check_one_line("signer_name", signer_name, 1, MAX_SIGNER_NAME)?;
        let comment = blank_is_none(self.comment.as_deref());
        if let Some(comment) = comment {
            check_text("comment", comment, 0, MAX_DECISION_TEXT)?;
        }
        let po_number = blank_is_none(self.po_number.as_deref());
        if let Some(po_number) = po_number {
            check_one_line("po_number", po_number, 1, MAX_PO_NUMBER)?;
        }
        let mut chosen = self.optional_lines.clone();
        chosen.sort_unstable();
        if chosen.windows(2).any(|pair| pair[0] == pair[1]) {
            return Err(PortalError::invalid("optional_lines", Reason::ListedTwice));
        }
        Ok(CheckedApproval {
            signer_name: signer_name.to_owned(),
            comment: comment.map(str::to_owned),
            po_number: po_number.map(str::to_owned),
            chosen,
        })
    }
}

/// An approval's typed values once checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedApproval {
    /// The signer's name, trimmed.
    pub signer_name: String,
    /// The comment, if any.
    pub comment: Option<String>,
    /// The PO number, if any.
    pub po_number: Option<String>,
    /// The chosen optional lines, in order, each once.
    pub chosen: Vec<u32>,
}

impl CheckedApproval {
    /// Refuses a chosen line that is not one of `lines`' optional ones.
    pub fn check_lines(&self, lines: &[QuoteLine]) -> Result<(), PortalError> {
        let is_optional = |position: &u32| {
            usize::try_from(*position)
                .ok()
                .and_then(|index| lines.get(index))
                .is_some_and(|line| line.optional)
        };
        if self.chosen.iter().all(is_optional) {
            Ok(())
        } else {
            Err(PortalError::invalid(
                "optional_lines",
                Reason::NotAnOptionalLine,
            ))
        }
    }
}

/// The customer's decline, as typed: the reason is required.
pub fn checked_reason(reason: &str) -> Result<String, PortalError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(PortalError::invalid("reason", Reason::Required));
    }
    check_text("reason", reason, 1, MAX_DECISION_TEXT)?;
    Ok(reason.to_owned())
}

fn blank_is_none(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|value| !value.is_empty())
}

/// What a store writes when a customer approves: the new status's
/// evidence and totals, conditional on the quote being as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovalRecord {
    /// The evidence.
    pub approval: Approval,
    /// What the approved selection comes to.
    pub approved_total: Money,
    /// The digest of the content as shown (no lines chosen): the store
    /// approves only while its quote still has it.
    pub shown_sha256: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    fn line(price: i64, optional: bool) -> QuoteLine {
        QuoteLine {
            line: InvoiceLine {
                description: format!("Item {price}"),
                quantity: Decimal::ONE,
                unit_price: Decimal::new(price, 2),
                tax_rate: Decimal::TEN,
            },
            optional,
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    pub(crate) fn upsert() -> QuoteUpsert {
        QuoteUpsert {
            external_id: ExternalId::parse("Q-1").unwrap(),
            account: AccountId::new(),
            number: "Q-1".into(),
            title: "Spring renovation".into(),
            scope_of_work: "Aerate and overseed.".into(),
            terms: "Half up front.".into(),
            issued_on: day(1),
            valid_until: day(30),
            currency: Currency::USD,
            lines: vec![line(10000, false), line(2500, true)],
        }
    }

    fn states() -> impl Strategy<Value = (QuoteStatus, i64)> {
        (
            prop::sample::select(vec![
                QuoteStatus::Pending,
                QuoteStatus::Approved,
                QuoteStatus::Declined,
            ]),
            -40i64..40,
        )
    }

    proptest! {
        /// Only a pending quote whose valid-until day is today or later
        /// can be decided, and deciding it gives the decision's status.
        #[test]
        fn only_a_pending_unexpired_quote_is_decided((status, offset) in states(), approve in any::<bool>()) {
            let today = day(15);
            let valid_until = today + chrono::Duration::days(offset);
            let state = QuoteState::of(status, valid_until, today);
            let decision = if approve { Decision::Approve } else { Decision::Decline };
            let decided = state.decide(decision, "Q-1");
            let open = status == QuoteStatus::Pending && valid_until >= today;
            prop_assert_eq!(decided.is_ok(), open);
            if let Ok(next) = decided {
                prop_assert_eq!(next, if approve { QuoteStatus::Approved } else { QuoteStatus::Declined });
                // Once decided, never again: the next decision is refused.
                let again = QuoteState::of(next, valid_until, today).decide(decision, "Q-1");
                let is_already_decided = matches!(again, Err(QuotesConflict::AlreadyDecided { .. }));
                prop_assert!(is_already_decided);
            }
            if status == QuoteStatus::Pending && valid_until < today {
                prop_assert_eq!(state, QuoteState::Expired);
                let is_expired = matches!(decided, Err(QuotesConflict::Expired { .. }));
                prop_assert!(is_expired);
            }
        }

        /// Any sequence of decisions moves a quote at most once.
        #[test]
        fn a_quote_is_decided_at_most_once(decisions in prop::collection::vec(any::<bool>(), 1..10)) {
            let today = day(15);
            let mut status = QuoteStatus::Pending;
            let mut moves = 0;
            for approve in decisions {
                let decision = if approve { Decision::Approve } else { Decision::Decline };
                if let Ok(next) = QuoteState::of(status, today, today).decide(decision, "Q") {
                    status = next;
                    moves += 1;
                }
            }
            prop_assert_eq!(moves, 1);
            prop_assert_ne!(status, QuoteStatus::Pending);
        }

        /// The total of a selection is the required lines plus exactly the
        /// chosen optional ones, and the digest tells selections apart.
        #[test]
        fn totals_and_digests_follow_the_chosen_lines(prices in prop::collection::vec((1i64..1_000_000, any::<bool>()), 1..12), pick in any::<u16>()) {
            let lines: Vec<QuoteLine> = prices.iter().map(|(price, optional)| line(*price, *optional)).collect();
            let optional = all_optional(&lines);
            let chosen: Vec<u32> = optional.iter().copied().filter(|p| pick & (1 << (p % 16)) != 0).collect();
            let got = totals(&lines, &chosen, Currency::USD);
            let expected: Vec<InvoiceLine> = (0u32..).zip(&lines)
                .filter(|(p, l)| !l.optional || chosen.contains(p))
                .map(|(_, l)| l.line.clone()).collect();
            prop_assert_eq!(got, InvoiceTotals::of(&expected, Currency::USD));
            let mut quote = upsert();
            quote.lines = lines;
            let content = QuoteContent::of_upsert(&quote);
            prop_assert_eq!(content_sha256(&content, &[]), quote.digest());
            if !chosen.is_empty() {
                prop_assert_ne!(content_sha256(&content, &chosen), quote.digest());
            }
        }
    }

    #[test]
    fn the_digest_changes_with_any_content() {
        let base = upsert().digest();
        assert_eq!(base.len(), 64);
        assert_eq!(upsert().digest(), base, "the same content, the same digest");
        let mut changed = upsert();
        changed.lines[0].line.unit_price = Decimal::new(10001, 2);
        assert_ne!(changed.digest(), base);
        let mut changed = upsert();
        changed.terms.push('.');
        assert_ne!(changed.digest(), base);
        let mut changed = upsert();
        changed.valid_until = day(29);
        assert_ne!(changed.digest(), base);
        // The same price written another way is the same content.
        let mut same = upsert();
        same.lines[0].line.unit_price = Decimal::new(1000000, 4);
        assert_eq!(same.digest(), base);
        // A value cannot pass for the next field.
        let mut a = upsert();
        a.title = "A\nscope_of_work=0:".into();
        a.scope_of_work = String::new();
        let mut b = upsert();
        b.title = "A".into();
        assert_ne!(
            QuoteContent::of_upsert(&a).title,
            QuoteContent::of_upsert(&b).title
        );
        assert_ne!(a.digest(), b.digest());
    }

    #[test]
    fn upserts_are_checked() {
        assert_eq!(
            upsert().validate(Currency::USD).unwrap().total.amount(),
            Decimal::new(11000, 2),
            "optional lines are not in the quote's total"
        );
        let mut early = upsert();
        early.valid_until = day(1).pred_opt().unwrap();
        assert!(early.validate(Currency::USD).is_err());
        let mut no_title = upsert();
        no_title.title = "  ".into();
        assert!(no_title.validate(Currency::USD).is_err());
        let mut no_lines = upsert();
        no_lines.lines.clear();
        assert!(no_lines.validate(Currency::USD).is_err());
        let eur = Currency::parse("EUR").unwrap();
        assert!(upsert().validate(eur).is_err());
    }

    #[test]
    fn approvals_need_a_name_and_real_optional_lines() {
        let approval = |name: &str, lines: Vec<u32>| ApproveQuote {
            quote: QuoteId::new(),
            signer_name: name.into(),
            comment: Some("  ".into()),
            po_number: Some(" PO-7 ".into()),
            optional_lines: lines,
            shown_sha256: String::new(),
        };
        assert!(matches!(
            approval("  ", vec![]).checked(),
            Err(PortalError::InvalidInput {
                field: "signer_name",
                reason: Reason::Required,
                ..
            })
        ));
        let checked = approval(" Ada Lovelace ", vec![1]).checked().unwrap();
        assert_eq!(checked.signer_name, "Ada Lovelace");
        assert_eq!(checked.comment, None);
        assert_eq!(checked.po_number.as_deref(), Some("PO-7"));
        assert!(checked.check_lines(&upsert().lines).is_ok());
        let required = approval("Ada", vec![0]).checked().unwrap();
        assert!(required.check_lines(&upsert().lines).is_err());
        let unknown = approval("Ada", vec![9]).checked().unwrap();
        assert!(unknown.check_lines(&upsert().lines).is_err());
        assert!(approval("Ada", vec![1, 1]).checked().is_err());
        assert!(approval("Ada\u{7}", vec![]).checked().is_err());
        assert!(checked_reason(" ").is_err());
        assert_eq!(checked_reason(" Too dear ").unwrap(), "Too dear");
    }
}
