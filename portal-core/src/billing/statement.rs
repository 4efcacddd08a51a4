//! Statements: an account's ledger over a date range.
//!
//! Charges are invoices by issue date (void invoices are not charges);
//! payments and credits count on the day they were received (in the
//! tenant's time zone), when they succeeded. So for any range:
//! `closing = opening + charges - payments - credits`, and the opening
//! balance is the same sum over everything before the range. Aging sorts
//! what the invoices still owed at the end of the range by how many days
//! past due they were on that day; the aging total less the account's
//! unapplied credit is the closing balance.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::PortalError;
use crate::shared::{Currency, InvoiceId, PaymentId};

/// The longest range a statement may cover (about ten years).
pub const MAX_STATEMENT_DAYS: i64 = 3660;

/// A statement's first and last day, both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementRange {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl StatementRange {
    /// A range; `from` must not be after `to`, and it may span at most
    /// [`MAX_STATEMENT_DAYS`].
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, PortalError> {
        if from > to {
            return Err(PortalError::invalid(
                "from",
                "must not be after the end of the range",
            ));
        }
        if (to - from).num_days() > MAX_STATEMENT_DAYS {
            return Err(PortalError::invalid(
                "to",
                "must be within ten years of the start",
            ));
        }
        Ok(Self { from, to })
    }
}

/// What a ledger entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// An invoice: raises the balance.
    Charge,
    /// A payment: lowers it.
    Payment,
    /// A credit: lowers it.
    Credit,
}

/// One ledger entry as the store reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    /// The day it counts on.
    pub date: NaiveDate,
    /// Charge, payment or credit.
    pub kind: EntryKind,
    /// The invoice number, or how the payment was made.
    pub reference: String,
    /// How much; always positive, `kind` gives the direction.
    pub amount: Decimal,
    /// The invoice, for a charge.
    pub invoice: Option<InvoiceId>,
    /// The payment, for a payment or credit.
    pub payment: Option<PaymentId>,
}

impl LedgerEntry {
    /// The entry's effect on the balance.
    pub fn signed(&self) -> Decimal {
        match self.kind {
            EntryKind::Charge => self.amount,
            EntryKind::Payment | EntryKind::Credit => -self.amount,
        }
    }
}

/// An entry on a statement, with the balance after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    /// The entry.
    pub entry: LedgerEntry,
    /// The running balance after it.
    pub balance: Decimal,
}

/// What unpaid invoices owe, by days past due on the statement's last day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Aging {
    /// Not yet due.
    pub current: Decimal,
    /// 1 to 30 days past due.
    pub days_1_30: Decimal,
    /// 31 to 60 days.
    pub days_31_60: Decimal,
    /// 61 to 90 days.
    pub days_61_90: Decimal,
    /// More than 90 days.
    pub over_90: Decimal,
}

impl Aging {
    /// Sorts `(due date, amount owed)` pairs into buckets as of `on`.
    ///
    /// ```
    /// use portal_core::billing::Aging;
    /// use rust_decimal::Decimal;
    /// let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    /// let aging = Aging::of(&[(day(3, 31), Decimal::TEN), (day(1, 1), Decimal::ONE)], day(3, 31));
    /// assert_eq!(aging.current, Decimal::TEN);
    /// assert_eq!(aging.days_61_90, Decimal::ONE); // 89 days past due
    /// ```
    pub fn of(owed: &[(NaiveDate, Decimal)], on: NaiveDate) -> Self {
        let mut aging = Self::default();
        for &(due_on, amount) in owed {
            let bucket = match (on - due_on).num_days() {
                ..=0 => &mut aging.current,
                1..=30 => &mut aging.days_1_30,
                31..=60 => &mut aging.days_31_60,
                61..=90 => &mut aging.days_61_90,
                _ => &mut aging.over_90,
            };
            *bucket += amount;
        }
        aging
    }

    /// All buckets together.
    pub fn total(&self) -> Decimal {
        self.current + self.days_1_30 + self.days_31_60 + self.days_61_90 + self.over_90
    }
}

/// What a store reads for a statement; [`Statement::build`] does the sums.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatementParts {
    /// Charges less payments and credits before the range.
    pub opening_balance: Decimal,
    /// Entries in the range, by date (charges before payments on a day).
    pub entries: Vec<LedgerEntry>,
    /// For each invoice issued by the range's end and unpaid then: its due
    /// date and what it owed at the end of the last day.
    pub owed_at_end: Vec<(NaiveDate, Decimal)>,
    /// Payments and credits received by the range's end and not applied
    /// to invoices by then.
    pub unapplied_at_end: Decimal,
}

/// A statement for a date range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// The range.
    pub range: StatementRange,
    /// The currency.
    pub currency: Currency,
    /// The balance before the first day.
    pub opening_balance: Decimal,
    /// Invoices issued in the range.
    pub charges: Decimal,
    /// Payments received in the range.
    pub payments: Decimal,
    /// Credits granted in the range.
    pub credits: Decimal,
    /// The balance after the last day.
    pub closing_balance: Decimal,
    /// The entries with running balances.
    pub lines: Vec<StatementLine>,
    /// What was owed at the end, by age.
    pub aging: Aging,
    /// Account credit at the end (payments and credits not applied).
    pub unapplied_credit: Decimal,
}

impl Statement {
    /// Sums `parts` into a statement.
    pub fn build(range: StatementRange, currency: Currency, parts: StatementParts) -> Self {
        let zero = currency.round(Decimal::ZERO);
        let (mut charges, mut payments, mut credits) = (zero, zero, zero);
        let mut balance = parts.opening_balance;
        let lines = parts
            .entries
            .into_iter()
            .map(|entry| {
                match entry.kind {
                    EntryKind::Charge => charges += entry.amount,
                    EntryKind::Payment => payments += entry.amount,
                    EntryKind::Credit => credits += entry.amount,
                }
                balance += entry.signed();
                StatementLine { entry, balance }
            })
            .collect();
        Self {
            range,
            currency,
            opening_balance: parts.opening_balance,
            charges,
            payments,
            credits,
            closing_balance: parts.opening_balance + charges - payments - credits,
            lines,
            aging: Aging::of(&parts.owed_at_end, range.to),
            unapplied_credit: parts.unapplied_at_end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entries() -> impl Strategy<Value = Vec<LedgerEntry>> {
        prop::collection::vec((0u32..3, 1u32..28, 1i64..1_000_000), 0..40).prop_map(|rows| {
            let mut entries: Vec<LedgerEntry> = rows
                .into_iter()
                .map(|(kind, day, minor)| LedgerEntry {
                    date: NaiveDate::from_ymd_opt(2026, 3, day).unwrap(),
                    kind: [EntryKind::Charge, EntryKind::Payment, EntryKind::Credit][kind as usize],
                    reference: "x".into(),
                    amount: Currency::USD.from_minor(minor),
                    invoice: None,
                    payment: None,
                })
                .collect();
            entries.sort_by_key(|e| e.date);
            entries
        })
    }

    proptest! {
        #[test]
        fn closing_is_opening_plus_charges_less_payments_and_credits(
            opening in -1_000_000i64..1_000_000,
            entries in entries(),
            split in 1u32..28,
        ) {
            let usd = Currency::USD;
            let range = StatementRange::new(
                NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
            ).unwrap();
            let opening = usd.from_minor(opening);
            let statement = Statement::build(range, usd, StatementParts {
                opening_balance: opening,
                entries: entries.clone(),
                ..Default::default()
            });
            prop_assert_eq!(
                statement.closing_balance,
                statement.opening_balance + statement.charges - statement.payments - statement.credits
            );
            let last = statement.lines.last().map_or(opening, |line| line.balance);
            prop_assert_eq!(last, statement.closing_balance);

            // Two adjacent statements chain: the first's closing opens the second.
            let split = NaiveDate::from_ymd_opt(2026, 3, split).unwrap();
            let (first, second): (Vec<_>, Vec<_>) = entries.into_iter().partition(|e| e.date < split);
            let a = Statement::build(range, usd, StatementParts { opening_balance: opening, entries: first, ..Default::default() });
            let b = Statement::build(range, usd, StatementParts { opening_balance: a.closing_balance, entries: second, ..Default::default() });
            prop_assert_eq!(b.closing_balance, statement.closing_balance);
        }

        #[test]
        fn aging_keeps_every_amount_in_one_bucket(
            owed in prop::collection::vec((0i64..400, 1i64..1_000_000), 0..30),
        ) {
            let on = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
            let owed: Vec<_> = owed
                .into_iter()
                .map(|(days, minor)| (on - chrono::Duration::days(days - 30), Currency::USD.from_minor(minor)))
                .collect();
            let aging = Aging::of(&owed, on);
            prop_assert_eq!(aging.total(), owed.iter().map(|(_, a)| *a).sum::<Decimal>());
        }
    }

    #[test]
    fn bucket_edges() {
        let on = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let past = |days| (on - chrono::Duration::days(days), Decimal::ONE);
        let aging = Aging::of(
            &[
                past(0),
                past(1),
                past(30),
                past(31),
                past(60),
                past(61),
                past(90),
                past(91),
            ],
            on,
        );
        assert_eq!(aging.current, Decimal::ONE);
        assert_eq!(aging.days_1_30, Decimal::TWO);
        assert_eq!(aging.days_31_60, Decimal::TWO);
        assert_eq!(aging.days_61_90, Decimal::TWO);
        assert_eq!(aging.over_90, Decimal::ONE);
        assert!(StatementRange::new(on, on.pred_opt().unwrap()).is_err());
    }
}
