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

use crate::shared::Reason;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::PortalError;
use crate::shared::{Currency, InvoiceId, Money, PaymentId};

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
            return Err(PortalError::invalid("from", Reason::AfterEnd));
        }
        if (to - from).num_days() > MAX_STATEMENT_DAYS {
            return Err(PortalError::invalid(
                "to",
                Reason::RangeTooLong { years: 10 },
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
    /// The invoice number, or how the payment was made as stored (empty
    /// when nothing was recorded: the kind says what it was).
    pub reference: String,
    /// How much; always positive, `kind` gives the direction.
    pub amount: Money,
    /// The invoice, for a charge.
    pub invoice: Option<InvoiceId>,
    /// The payment, for a payment or credit.
    pub payment: Option<PaymentId>,
}

impl LedgerEntry {
    /// The entry's effect on the balance.
    pub fn signed(&self) -> Money {
        match self.kind {
            EntryKind::Charge => self.amount,
            EntryKind::Payment | EntryKind::Credit => self.amount.negated(),
        }
    }
}

/// An entry on a statement, with the balance after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    /// The entry.
    pub entry: LedgerEntry,
    /// The running balance after it.
    pub balance: Money,
}

/// What unpaid invoices owe, by days past due on the statement's last day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Aging {
    /// Not yet due.
    pub current: Money,
    /// 1 to 30 days past due.
    pub days_1_30: Money,
    /// 31 to 60 days.
    pub days_31_60: Money,
    /// 61 to 90 days.
    pub days_61_90: Money,
    /// More than 90 days.
    pub over_90: Money,
}

impl Aging {
    /// Sorts `(due date, amount owed)` pairs into buckets as of `on`, in
    /// `currency` (an amount in another is left out: it is not owed in
    /// this one).
    ///
    /// ```
    /// use portal_core::billing::Aging;
    /// use portal_core::shared::{Currency, Money};
    /// let usd = |cents| Money::from_minor(cents, Currency::USD);
    /// let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    /// let aging = Aging::of(&[(day(3, 31), usd(1000)), (day(1, 1), usd(100))], day(3, 31), Currency::USD);
    /// assert_eq!(aging.current, usd(1000));
    /// assert_eq!(aging.days_61_90, usd(100)); // 89 days past due
    /// ```
    pub fn of(owed: &[(NaiveDate, Money)], on: NaiveDate, currency: Currency) -> Self {
        let mut buckets = [Decimal::ZERO; 5];
        for &(due_on, amount) in owed {
            if amount.currency() != currency {
                continue;
            }
            let bucket = match (on - due_on).num_days() {
                ..=0 => 0,
                1..=30 => 1,
                31..=60 => 2,
                61..=90 => 3,
                _ => 4,
            };
            buckets[bucket] += amount.amount();
        }
        let [current, days_1_30, days_31_60, days_61_90, over_90] =
            buckets.map(|amount| Money::new(amount, currency));
        Self {
            current,
            days_1_30,
            days_31_60,
            days_61_90,
            over_90,
        }
    }

    /// All buckets together.
    pub fn total(&self) -> Money {
        let buckets = [
            self.current,
            self.days_1_30,
            self.days_31_60,
            self.days_61_90,
            self.over_90,
        ];
        Money::new(
            buckets.iter().map(Money::amount).sum(),
            self.current.currency(),
        )
    }
}

/// What a store reads for a statement, every amount in the tenant's
/// currency; [`Statement::build`] does the sums.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementParts {
    /// Charges less payments and credits before the range.
    pub opening_balance: Money,
    /// Entries in the range, by date (charges before payments on a day).
    pub entries: Vec<LedgerEntry>,
    /// For each invoice issued by the range's end and unpaid then: its due
    /// date and what it owed at the end of the last day.
    pub owed_at_end: Vec<(NaiveDate, Money)>,
    /// Payments and credits received by the range's end and not applied
    /// to invoices by then.
    pub unapplied_at_end: Money,
}

impl StatementParts {
    /// No entries and nothing owed, in `currency`.
    pub fn empty(currency: Currency) -> Self {
        Self {
            opening_balance: Money::zero(currency),
            entries: Vec::new(),
            owed_at_end: Vec::new(),
            unapplied_at_end: Money::zero(currency),
        }
    }
}

/// A statement for a date range, every amount in one currency
/// ([`Statement::currency`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// The range.
    pub range: StatementRange,
    /// The balance before the first day.
    pub opening_balance: Money,
    /// Invoices issued in the range.
    pub charges: Money,
    /// Payments received in the range.
    pub payments: Money,
    /// Credits granted in the range.
    pub credits: Money,
    /// The balance after the last day.
    pub closing_balance: Money,
    /// The entries with running balances.
    pub lines: Vec<StatementLine>,
    /// What was owed at the end, by age.
    pub aging: Aging,
    /// Account credit at the end (payments and credits not applied).
    pub unapplied_credit: Money,
}

impl Statement {
    /// Sums `parts` (amounts in `currency`, the tenant's) into a
    /// statement.
    pub fn build(range: StatementRange, currency: Currency, parts: StatementParts) -> Self {
        let money = |amount| Money::new(amount, currency);
        let (mut charges, mut payments, mut credits) =
            (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
        let opening = parts.opening_balance.amount();
        let mut balance = opening;
        let lines = parts
            .entries
            .into_iter()
            .map(|entry| {
                match entry.kind {
                    EntryKind::Charge => charges += entry.amount.amount(),
                    EntryKind::Payment => payments += entry.amount.amount(),
                    EntryKind::Credit => credits += entry.amount.amount(),
                }
                balance += entry.signed().amount();
                StatementLine {
                    entry,
                    balance: money(balance),
                }
            })
            .collect();
        Self {
            range,
            opening_balance: money(opening),
            charges: money(charges),
            payments: money(payments),
            credits: money(credits),
            closing_balance: money(opening + charges - payments - credits),
            lines,
            aging: Aging::of(&parts.owed_at_end, range.to, currency),
            unapplied_credit: money(parts.unapplied_at_end.amount()),
        }
    }

    /// The currency of its amounts.
    pub fn currency(&self) -> Currency {
        self.opening_balance.currency()
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
                    amount: Money::from_minor(minor, Currency::USD),
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
            let opening = Money::from_minor(opening, usd);
            let statement = Statement::build(range, usd, StatementParts {
                opening_balance: opening,
                entries: entries.clone(),
                ..StatementParts::empty(usd)
            });
            prop_assert_eq!(
                Ok(statement.closing_balance),
                statement
                    .opening_balance
                    .checked_add(statement.charges)
                    .and_then(|sum| sum.checked_sub(statement.payments))
                    .and_then(|sum| sum.checked_sub(statement.credits))
            );
            let last = statement.lines.last().map_or(opening, |line| line.balance);
            prop_assert_eq!(last, statement.closing_balance);

            // Two adjacent statements chain: the first's closing opens the second.
            let split = NaiveDate::from_ymd_opt(2026, 3, split).unwrap();
            let (first, second): (Vec<_>, Vec<_>) = entries.into_iter().partition(|e| e.date < split);
            let a = Statement::build(range, usd, StatementParts { opening_balance: opening, entries: first, ..StatementParts::empty(usd) });
            let b = Statement::build(range, usd, StatementParts { opening_balance: a.closing_balance, entries: second, ..StatementParts::empty(usd) });
            prop_assert_eq!(b.closing_balance, statement.closing_balance);
        }

        #[test]
        fn aging_keeps_every_amount_in_one_bucket(
            owed in prop::collection::vec((0i64..400, 1i64..1_000_000), 0..30),
        ) {
            let on = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
            let owed: Vec<_> = owed
                .into_iter()
                .map(|(days, minor)| (on - chrono::Duration::days(days - 30), Money::from_minor(minor, Currency::USD)))
                .collect();
            let aging = Aging::of(&owed, on, Currency::USD);
            prop_assert_eq!(aging.total().amount(), owed.iter().map(|(_, a)| a.amount()).sum::<Decimal>());
        }
    }

    #[test]
    fn bucket_edges() {
        let on = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let usd = Currency::USD;
        let dollars = |n| Money::new(Decimal::new(n, 0), usd);
        let past = |days| (on - chrono::Duration::days(days), dollars(1));
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
            usd,
        );
        assert_eq!(aging.current, dollars(1));
        assert_eq!(aging.days_1_30, dollars(2));
        assert_eq!(aging.days_31_60, dollars(2));
        assert_eq!(aging.days_61_90, dollars(2));
        assert_eq!(aging.over_90, dollars(1));
        // An amount in another currency is not owed in this one.
        let yen = Money::from_minor(5, Currency::parse("JPY").unwrap());
        assert_eq!(Aging::of(&[(on, yen)], on, usd).total(), Money::zero(usd));
        assert!(StatementRange::new(on, on.pred_opt().unwrap()).is_err());
    }
}
