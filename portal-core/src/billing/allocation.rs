//! How money is spread over invoices. Two rules, both pure functions:
//!
//! - **Chosen invoices** ([`allocate_selection`]): the customer names the
//!   invoices and, where the tenant allows partial payment, an amount for
//!   each; every amount must be more than zero and at most what is payable
//!   on that invoice. Without partial payment, each chosen invoice is paid
//!   in full.
//! - **Oldest first** ([`allocate_oldest_first`], "pay the statement
//!   balance"): an amount pays the invoice due first, then the next, each
//!   up to what is payable; what is left over is returned as `unallocated`
//!   so the caller must decide (account credit where prepayment is on, an
//!   error where it is not). Where the tenant does not allow partial
//!   payment, only whole invoices are taken, oldest first, stopping at the
//!   first one the rest does not cover. Nothing is ever dropped: the
//!   allocations plus `unallocated` always equal the amount.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{Allocation, BillingConflict, Invoice};
use crate::error::PortalError;
use crate::shared::{AtLeast, Currency, InvoiceId, Item, Money, Reason};

/// An unpaid invoice as allocation sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PayableInvoice {
    /// The invoice.
    pub id: InvoiceId,
    /// Its number.
    pub number: String,
    /// Issue date (second key of "oldest").
    pub issued_on: NaiveDate,
    /// Due date (first key of "oldest").
    pub due_on: NaiveDate,
    /// What may be paid on it now.
    pub payable: Money,
}

/// The invoice an input error is about.
fn item(invoice: &PayableInvoice) -> Item {
    Item::Invoice {
        id: invoice.id,
        number: invoice.number.clone(),
    }
}

impl From<&Invoice> for PayableInvoice {
    fn from(invoice: &Invoice) -> Self {
        Self {
            id: invoice.id,
            number: invoice.number.clone(),
            issued_on: invoice.issued_on,
            due_on: invoice.due_on,
            payable: invoice.payable(),
        }
    }
}

/// An amount spread over invoices, and what did not fit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AllocationPlan {
    /// Each invoice's share, oldest first; never more than its payable
    /// amount, never zero.
    pub allocations: Vec<Allocation>,
    /// What no invoice took.
    pub unallocated: Money,
}

impl AllocationPlan {
    /// The sum of the allocations, in the plan's currency.
    pub fn allocated(&self) -> Money {
        let currency = self.unallocated.currency();
        Money::new(
            self.allocations
                .iter()
                .filter(|allocation| allocation.amount.currency() == currency)
                .map(|allocation| allocation.amount.amount())
                .sum(),
            currency,
        )
    }
}

/// Spreads `amount` over `invoices` oldest first (by due date, then issue
/// date, then number); with `whole_invoices`, an invoice is paid in full
/// or not at all, and allocation stops at the first that does not fit.
///
/// ```
/// use portal_core::billing::{PayableInvoice, allocate_oldest_first};
/// use portal_core::shared::{Currency, InvoiceId, Money};
/// use rust_decimal::Decimal;
/// let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
/// let invoice = |n: &str, due, payable| PayableInvoice {
///     id: InvoiceId::new(), number: n.into(), issued_on: day(1), due_on: day(due),
///     payable: Money::new(payable, Currency::USD),
/// };
/// let plan = allocate_oldest_first(
///     Money::new(Decimal::new(150, 0), Currency::USD),
///     &[invoice("B", 20, Decimal::new(100, 0)), invoice("A", 10, Decimal::new(100, 0))],
///     false,
/// );
/// assert_eq!(plan.allocations[0].invoice_number, "A");
/// assert_eq!(plan.allocations[0].amount.amount(), Decimal::new(100, 0));
/// assert_eq!(plan.allocations[1].amount.to_string(), "50.00 USD");
/// assert!(plan.unallocated.is_zero());
/// ```
pub fn allocate_oldest_first(
    amount: Money,
    invoices: &[PayableInvoice],
    whole_invoices: bool,
) -> AllocationPlan {
    let currency = amount.currency();
    // An invoice in another currency takes nothing of this amount.
    let mut ordered: Vec<&PayableInvoice> = invoices
        .iter()
        .filter(|invoice| invoice.payable.currency() == currency)
        .collect();
    ordered.sort_by(|a, b| {
        (a.due_on, a.issued_on, &a.number, a.id).cmp(&(b.due_on, b.issued_on, &b.number, b.id))
    });
    let mut left = amount.amount().max(Decimal::ZERO);
    let mut allocations = Vec::new();
    for invoice in ordered {
        if left <= Decimal::ZERO {
            break;
        }
        let payable = invoice.payable.amount();
        if whole_invoices && payable > left {
            break;
        }
        let share = left.min(payable);
        if share > Decimal::ZERO {
            allocations.push(Allocation {
                invoice: invoice.id,
                invoice_number: invoice.number.clone(),
                amount: Money::new(share, currency),
            });
            left -= share;
        }
    }
    AllocationPlan {
        allocations,
        unallocated: Money::new(left, currency),
    }
}

/// Checks a customer's choice of invoices and amounts against what is
/// payable, giving each chosen invoice its share (oldest first). `None` as
/// an amount means "what is payable". Errors: an invoice not among
/// `payable` is `NotFound` (another account's looks the same as none); a
/// duplicate, a zero or negative amount, one with more decimals than the
/// currency, one above what is payable, or one below it without
/// `partial_allowed` is `InvalidInput`; an invoice with nothing payable is
/// `Conflict` (already paid, or a payment in progress holds it).
pub fn allocate_selection(
    chosen: &[(InvoiceId, Option<Decimal>)],
    payable: &[PayableInvoice],
    currency: Currency,
    partial_allowed: bool,
) -> Result<Vec<Allocation>, PortalError> {
    // Linear in the invoices. For the usual few chosen a scan of what is
    // payable is cheapest (hashing all of up to 500 payable invoices cost
    // 7.9 µs against 0.23 µs for scanning them for two); above
    // `SCAN_UP_TO` a map (the first entry of an id wins, as a scan finds
    // it) keeps many chosen invoices from being quadratic.
    const SCAN_UP_TO: usize = 8;
    let by_id: Option<HashMap<InvoiceId, &PayableInvoice>> =
        (chosen.len() > SCAN_UP_TO).then(|| {
            let mut by_id = HashMap::with_capacity(payable.len());
            for invoice in payable {
                by_id.entry(invoice.id).or_insert(invoice);
            }
            by_id
        });
    let mut seen: HashSet<InvoiceId> = HashSet::with_capacity(chosen.len());
    let mut allocations: Vec<(&PayableInvoice, Money)> = Vec::with_capacity(chosen.len());
    for (id, amount) in chosen {
        let invoice = match &by_id {
            Some(by_id) => by_id.get(id).copied(),
            None => payable.iter().find(|invoice| invoice.id == *id),
        }
        // An invoice in another currency cannot be paid in this one.
        .filter(|invoice| invoice.payable.currency() == currency)
        .ok_or(PortalError::NotFound)?;
        if !seen.insert(*id) {
            return Err(PortalError::invalid_item(
                "invoices",
                item(invoice),
                Reason::ListedTwice,
            ));
        }
        if !invoice.payable.is_positive() {
            return Err(BillingConflict::NothingLeftToPay {
                invoice: *id,
                number: invoice.number.clone(),
            }
            .into());
        }
        let amount = amount.unwrap_or(invoice.payable.amount());
        let Ok(amount) = Money::exact(amount, currency, AtLeast::MoreThanZero) else {
            return Err(PortalError::invalid_item(
                "amount",
                item(invoice),
                Reason::NotPositiveAmount {
                    decimals: currency.minor_digits(),
                },
            ));
        };
        if amount.amount() > invoice.payable.amount() {
            return Err(PortalError::invalid_item(
                "amount",
                item(invoice),
                Reason::OverBalance {
                    balance: invoice.payable,
                },
            ));
        }
        if amount.amount() < invoice.payable.amount() && !partial_allowed {
            return Err(PortalError::invalid_item(
                "amount",
                item(invoice),
                Reason::NotFullBalance {
                    balance: invoice.payable,
                },
            ));
        }
        allocations.push((invoice, amount));
    }
    allocations.sort_by(|(a, _), (b, _)| {
        (a.due_on, a.issued_on, &a.number, a.id).cmp(&(b.due_on, b.issued_on, &b.number, b.id))
    });
    Ok(allocations
        .into_iter()
        .map(|(invoice, amount)| Allocation {
            invoice: invoice.id,
            invoice_number: invoice.number.clone(),
            amount,
        })
        .collect())
}

/// Chosen invoices' shares split between account credit and the card:
/// see [`split_credit`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CreditSplit {
    /// What credit pays on each invoice (never zero).
    pub credit: Vec<Allocation>,
    /// What the card pays on each invoice (never zero).
    pub card: Vec<Allocation>,
}

impl CreditSplit {
    /// The credit used, in `currency`.
    pub fn credit_used(&self, currency: Currency) -> Money {
        Money::checked_sum(self.credit.iter().map(|a| a.amount), currency)
            .unwrap_or_else(|_| Money::zero(currency))
    }
}

/// Spends `credit` on `shares` in their order (oldest first, as
/// [`allocate_selection`] and [`allocate_oldest_first`] give them): each
/// share takes what credit is left, the card pays the rest. The two
/// parts of an invoice always add up to its share, and credit is used
/// only as far as the shares go.
///
/// ```
/// use portal_core::billing::{Allocation, split_credit};
/// use portal_core::shared::{Currency, InvoiceId, Money};
/// let usd = |cents| Money::from_minor(cents, Currency::USD);
/// let share = |n: &str, cents| Allocation {
///     invoice: InvoiceId::new(), invoice_number: n.into(), amount: usd(cents),
/// };
/// let split = split_credit(&[share("A", 10_000), share("B", 16_828)], usd(2_500));
/// assert_eq!(split.credit.len(), 1);
/// assert_eq!(split.credit[0].amount, usd(2_500));
/// assert_eq!(split.card[0].amount, usd(7_500));
/// assert_eq!(split.card[1].amount, usd(16_828));
/// ```
pub fn split_credit(shares: &[Allocation], credit: Money) -> CreditSplit {
    let currency = credit.currency();
    let mut left = credit.amount().max(Decimal::ZERO);
    let mut split = CreditSplit::default();
    for share in shares {
        let from_credit = if share.amount.currency() == currency {
            left.min(share.amount.amount())
        } else {
            Decimal::ZERO
        };
        left -= from_credit;
        let from_card = share.amount.amount() - from_credit;
        let part = |amount| Allocation {
            invoice: share.invoice,
            invoice_number: share.invoice_number.clone(),
            amount: Money::new(amount, share.amount.currency()),
        };
        if from_credit > Decimal::ZERO {
            split.credit.push(part(from_credit));
        }
        if from_card > Decimal::ZERO {
            split.card.push(part(from_card));
        }
    }
    split
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn invoices() -> impl Strategy<Value = Vec<PayableInvoice>> {
        prop::collection::vec((1u32..28, 1u32..28, 0i64..500_000), 0..12).prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(n, (due, issued, payable))| PayableInvoice {
                    id: InvoiceId::new(),
                    number: format!("INV-{n:03}"),
                    issued_on: NaiveDate::from_ymd_opt(2026, 1, issued).unwrap(),
                    due_on: NaiveDate::from_ymd_opt(2026, 2, due).unwrap(),
                    payable: Money::from_minor(payable, Currency::USD),
                })
                .collect()
        })
    }

    proptest! {
        /// Credit and card together pay each share exactly; credit goes
        /// oldest first and never beyond what there is.
        #[test]
        fn a_credit_split_adds_up_to_the_shares(
            cents in prop::collection::vec(1i64..100_000, 0..8),
            credit in 0i64..300_000,
        ) {
            let usd = Currency::USD;
            let shares: Vec<Allocation> = cents
                .iter()
                .enumerate()
                .map(|(n, cents)| Allocation {
                    invoice: InvoiceId::new(),
                    invoice_number: format!("INV-{n}"),
                    amount: Money::from_minor(*cents, usd),
                })
                .collect();
            let split = split_credit(&shares, Money::from_minor(credit, usd));
            let of = |parts: &[Allocation], id| -> i64 {
                parts.iter().filter(|a| a.invoice == id).map(|a| a.amount.to_minor().unwrap()).sum()
            };
            for share in &shares {
                prop_assert_eq!(
                    of(&split.credit, share.invoice) + of(&split.card, share.invoice),
                    share.amount.to_minor().unwrap()
                );
            }
            let total: i64 = cents.iter().sum();
            prop_assert_eq!(split.credit_used(usd).to_minor().unwrap(), credit.min(total));
            // Oldest first: a share the card pays part of comes after
            // every share credit paid, or credit ran out on it.
            let first_card = shares.iter().position(|s| of(&split.card, s.invoice) > 0);
            if let Some(first) = first_card {
                prop_assert!(shares[first + 1..].iter().all(|s| of(&split.credit, s.invoice) == 0));
            }
            prop_assert!(split.credit.iter().chain(&split.card).all(|a| a.amount.is_positive()));
        }
    }

    proptest! {
        #[test]
        fn oldest_first_never_over_allocates_nor_loses_money(
            invoices in invoices(),
            amount in 0i64..3_000_000,
            whole_invoices in any::<bool>(),
        ) {
            let usd = Currency::USD;
            let amount = Money::from_minor(amount, usd);
            let plan = allocate_oldest_first(amount, &invoices, whole_invoices);
            // Nothing lost, nothing invented.
            prop_assert_eq!(plan.allocated().checked_add(plan.unallocated), Ok(amount));
            prop_assert!(!plan.unallocated.is_negative());
            for allocation in &plan.allocations {
                let invoice = invoices.iter().find(|i| i.id == allocation.invoice).unwrap();
                prop_assert!(allocation.amount.is_positive());
                prop_assert!(allocation.amount.amount() <= invoice.payable.amount());
            }
            // Money is left over only when every invoice is paid in full
            // (or, with whole invoices only, when the next one did not fit).
            let owed: Decimal = invoices.iter().map(|i| i.payable.amount()).sum();
            if plan.unallocated.is_positive() && !whole_invoices {
                prop_assert_eq!(plan.allocated().amount(), owed);
            }
            if whole_invoices {
                for allocation in &plan.allocations {
                    let invoice = invoices.iter().find(|i| i.id == allocation.invoice).unwrap();
                    prop_assert_eq!(allocation.amount, invoice.payable);
                }
            }
            // Oldest first: every invoice before the last one allocated is paid in full.
            if let Some((_, earlier)) = plan.allocations.split_last() {
                for allocation in earlier {
                    let invoice = invoices.iter().find(|i| i.id == allocation.invoice).unwrap();
                    prop_assert_eq!(allocation.amount, invoice.payable);
                }
            }
        }

        #[test]
        fn a_valid_selection_pays_exactly_what_was_asked(
            invoices in invoices(),
            // Up to 24 picks (12 invoices at most after duplicates), so both the
            // scan (up to 8 chosen) and the map are taken.
            picks in prop::collection::vec((any::<prop::sample::Index>(), 1i64..100), 0..24),
            partial in any::<bool>(),
        ) {
            let usd = Currency::USD;
            let mut chosen: Vec<(InvoiceId, Option<Decimal>)> = Vec::new();
            for (index, percent) in picks {
                if invoices.is_empty() { break; }
                let invoice = &invoices[index.index(invoices.len())];
                if chosen.iter().any(|(id, _)| *id == invoice.id) { continue; }
                let amount = usd.round(invoice.payable.amount() * Decimal::new(percent, 2));
                chosen.push((invoice.id, if partial { Some(amount) } else { None }));
            }
            match allocate_selection(&chosen, &invoices, usd, partial) {
                Ok(allocations) => {
                    prop_assert_eq!(allocations.len(), chosen.len());
                    for allocation in &allocations {
                        let invoice = invoices.iter().find(|i| i.id == allocation.invoice).unwrap();
                        prop_assert!(allocation.amount.is_positive());
                        prop_assert!(allocation.amount.amount() <= invoice.payable.amount());
                        if !partial {
                            prop_assert_eq!(allocation.amount, invoice.payable);
                        }
                    }
                }
                Err(error) => {
                    // Only zero payable or a rounded-away amount may refuse.
                    let refusable = chosen.iter().any(|(id, amount)| {
                        let invoice = invoices.iter().find(|i| i.id == *id).unwrap();
                        invoice.payable.is_zero() || amount.is_some_and(|a| a.is_zero())
                    });
                    prop_assert!(refusable, "refused a valid selection: {error}");
                }
            }
        }
    }

    #[test]
    fn many_chosen_invoices_are_refused_like_few() {
        let usd = Currency::USD;
        let invoices: Vec<_> = (1..=12).map(|n| invoice(n * 100)).collect();
        let mut chosen: Vec<_> = invoices.iter().map(|i| (i.id, None)).collect();
        assert_eq!(
            allocate_selection(&chosen, &invoices, usd, false)
                .unwrap()
                .len(),
            12
        );
        chosen.push((invoices[3].id, None));
        assert!(matches!(
            allocate_selection(&chosen, &invoices, usd, false),
            Err(PortalError::InvalidInput { .. })
        ));
        chosen.pop();
        chosen.push((InvoiceId::new(), None));
        assert!(matches!(
            allocate_selection(&chosen, &invoices, usd, false),
            Err(PortalError::NotFound)
        ));
    }

    fn invoice(payable: i64) -> PayableInvoice {
        PayableInvoice {
            id: InvoiceId::new(),
            number: "INV-1".into(),
            issued_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            due_on: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
            payable: Money::from_minor(payable, Currency::USD),
        }
    }

    #[test]
    fn bad_selections_are_refused() {
        let usd = Currency::USD;
        let open = invoice(10_000);
        let paid = invoice(0);
        let both = [open.clone(), paid.clone()];
        let refused = |chosen: &[(InvoiceId, Option<Decimal>)], partial| {
            allocate_selection(chosen, &both, usd, partial).unwrap_err()
        };
        assert!(matches!(
            refused(&[(InvoiceId::new(), None)], true),
            PortalError::NotFound
        ));
        assert!(matches!(
            refused(&[(paid.id, None)], true),
            PortalError::Conflict(_)
        ));
        assert!(matches!(
            refused(&[(open.id, None), (open.id, None)], true),
            PortalError::InvalidInput { .. }
        ));
        for amount in [Decimal::ZERO, Decimal::NEGATIVE_ONE, Decimal::new(1, 3)] {
            assert!(matches!(
                refused(&[(open.id, Some(amount))], true),
                PortalError::InvalidInput { .. }
            ));
        }
        assert!(matches!(
            refused(&[(open.id, Some(usd.from_minor(10_001)))], true),
            PortalError::InvalidInput { .. }
        ));
        assert!(matches!(
            refused(&[(open.id, Some(usd.from_minor(5_000)))], false),
            PortalError::InvalidInput { .. }
        ));
        let partial =
            allocate_selection(&[(open.id, Some(usd.from_minor(5_000)))], &both, usd, true);
        assert_eq!(partial.unwrap()[0].amount, Money::from_minor(5_000, usd));
    }
}
