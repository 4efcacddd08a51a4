//! The billing context's conflicts: which rule refused a money move, and
//! for which invoice, so front ends can say so next to it.

use rust_decimal::Decimal;

use crate::shared::{Currency, InvoiceId};

/// Billing rules a change can break.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BillingConflict {
    /// "Pay the balance" when nothing is owed.
    #[error("nothing is owed")]
    NothingOwed,
    /// A chosen invoice has nothing left to pay (paid, or held by a
    /// payment in progress).
    #[error("invoice {number} has nothing left to pay")]
    NothingLeftToPay {
        /// The invoice.
        invoice: InvoiceId,
        /// Its number.
        number: String,
    },
    /// An invoice has less payable than the amount taken from it.
    #[error("invoice {number} has less than that payable")]
    InvoiceShort {
        /// The invoice.
        invoice: InvoiceId,
        /// Its number.
        number: String,
    },
    /// An upsert names an invoice of another account.
    #[error("the invoice belongs to another account")]
    InvoiceOfAnotherAccount,
    /// The invoice is void.
    #[error("invoice {number} is void")]
    InvoiceVoid {
        /// Its number.
        number: String,
    },
    /// An upsert's new total is below what is paid and held.
    #[error("the new total of invoice {number} is below what is paid and held")]
    TotalBelowPaid {
        /// Its number.
        number: String,
    },
    /// A pending payment holds part of the invoice.
    #[error("a payment in progress holds part of invoice {number}")]
    InvoiceHeld {
        /// Its number.
        number: String,
    },
    /// The idempotency key's first payment is still pending.
    #[error("the payment with this key is still being processed")]
    PaymentInProgress,
    /// An external payment's allocations exceed it.
    #[error("the amounts applied exceed the payment")]
    AmountsExceedPayment,
    /// The account has less credit than the allocations' sum.
    #[error("the account has less credit than that")]
    NotEnoughCredit,
    /// The account's credit changed while it was being applied.
    #[error("the account's credit changed meanwhile")]
    CreditChanged,
    /// An allocation or payment of nothing (or less).
    #[error("amount {amount} must be more than zero")]
    AmountNotPositive {
        /// The amount.
        amount: Decimal,
    },
    /// An amount with more decimals than its currency has.
    #[error("amount {amount} is not a whole number of {currency} minor units")]
    AmountNotInMinorUnits {
        /// The amount.
        amount: Decimal,
        /// Its currency.
        currency: Currency,
    },
    /// An amount in another currency than the account's.
    #[error("an amount in {got} where {expected} was expected")]
    WrongCurrency {
        /// The account's currency.
        expected: Currency,
        /// The amount's.
        got: Currency,
    },
    /// The active autopay consent uses the card.
    #[error("autopay uses this card")]
    CardUsedByAutopay,
    /// The account keeps the most cards it may.
    #[error("the account keeps {max} cards already")]
    TooManyCards {
        /// How many an account may keep.
        max: usize,
    },
    /// The payment provider failed (nothing was charged or saved).
    #[error("the payment provider failed")]
    ProviderFailed,
    /// The autopay terms changed since they were shown.
    #[error("the autopay terms changed")]
    AutopayTermsChanged,
}
