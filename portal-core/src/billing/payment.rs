//! Payments and credits, the cards on file, autopay and the account's
//! summary.
//!
//! A payment's life: the portal records it as `Pending` and holds the
//! invoices' amounts it will pay (so a concurrent payment cannot take the
//! same balance), then asks the gateway to charge. Success applies the
//! held amounts; a decline or error releases them and the payment is
//! `Failed` with the customer's message; a timeout leaves it `Pending`,
//! holding, until a webhook or a reconcile call settles it one way or the
//! other. Nothing is ever half applied.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::PortalError;
use crate::shared::{
    AccountId, AutopayId, ContactId, Currency, ExternalId, InvoiceId, Money, PaymentId,
    PaymentMethodId,
};

/// The method label of a card payment whose card the gateway did not
/// describe (no brand or last four). Stored as is; pages word it in the
/// reader's language.
pub const UNDESCRIBED_CARD: &str = "Card";

/// The stored method label of an autopay charge names the card after this.
const AUTOPAY_PREFIX: &str = "Autopay, ";
/// Between a card's brand and its last four in a stored label.
const CARD_ENDING: &str = " ending ";

/// A payment's stored method label, read back so each edge (page, mail,
/// PDF) words it in the reader's language. The portal writes its own labels
/// only through [`PaymentMethod::label`], [`MethodLabel::autopay`] and
/// [`UNDESCRIBED_CARD`], and reads them only here; anything else is the
/// host's own text ("Check 1042"), shown as it is.
///
/// ```
/// use portal_core::billing::payment::MethodLabel;
/// assert_eq!(
///     MethodLabel::read("Autopay, Visa ending 4242"),
///     MethodLabel::Autopay { brand: "Visa", last4: "4242" }
/// );
/// assert_eq!(MethodLabel::read("Check 1042"), MethodLabel::Other("Check 1042"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodLabel<'a> {
    /// A card the portal charged at the customer's request.
    Card {
        /// "Visa".
        brand: &'a str,
        /// "4242".
        last4: &'a str,
    },
    /// A card charged by autopay.
    Autopay {
        /// "Visa".
        brand: &'a str,
        /// "4242".
        last4: &'a str,
    },
    /// A card the gateway did not describe.
    UndescribedCard,
    /// The host's own words.
    Other(&'a str),
}

impl<'a> MethodLabel<'a> {
    /// What an autopay charge with `method` stores.
    pub fn autopay(method: &PaymentMethod) -> String {
        format!("{AUTOPAY_PREFIX}{}", method.label())
    }

    /// Reads a stored label.
    pub fn read(stored: &'a str) -> Self {
        if stored == UNDESCRIBED_CARD {
            return Self::UndescribedCard;
        }
        let (autopay, card) = match stored.strip_prefix(AUTOPAY_PREFIX) {
            Some(card) => (true, card),
            None => (false, stored),
        };
        let described = card.split_once(CARD_ENDING).filter(|(brand, last4)| {
            !brand.is_empty() && last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_digit())
        });
        match (described, autopay) {
            (Some((brand, last4)), false) => Self::Card { brand, last4 },
            (Some((brand, last4)), true) => Self::Autopay { brand, last4 },
            (None, _) => Self::Other(stored),
        }
    }
}

/// Money in: a payment, or a credit the host granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// Money the customer paid.
    Payment,
    /// A credit memo: money the business owes back or forgave.
    Credit,
}

impl PaymentKind {
    /// How stores spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Payment => "payment",
            Self::Credit => "credit",
        }
    }

    /// The kind a store spelled with [`PaymentKind::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Payment, Self::Credit]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// Where a payment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Sent to the gateway, answer not known yet; its amounts are held.
    Pending,
    /// Charged and applied.
    Succeeded,
    /// Declined or failed; nothing was applied.
    Failed,
}

impl PaymentStatus {
    /// How stores spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    /// The status a store spelled with [`PaymentStatus::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Succeeded, Self::Failed]
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

/// Who recorded a payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentSource {
    /// A customer, in the portal.
    Portal,
    /// The host, for money taken outside the portal (cash, check, phone).
    Host,
    /// The portal's autopay run.
    Autopay,
}

impl PaymentSource {
    /// How stores spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Portal => "portal",
            Self::Host => "host",
            Self::Autopay => "autopay",
        }
    }

    /// The source a store spelled with [`PaymentSource::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Portal, Self::Host, Self::Autopay]
            .into_iter()
            .find(|source| source.as_str() == text)
    }
}

/// A payment or credit on an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Payment {
    /// Our id.
    pub id: PaymentId,
    /// The account it is for.
    pub account: AccountId,
    /// Payment or credit.
    pub kind: PaymentKind,
    /// Who recorded it.
    pub source: PaymentSource,
    /// Where it stands.
    pub status: PaymentStatus,
    /// How much, in what.
    pub amount: Money,
    /// How much of it is applied to invoices (in its currency); the rest
    /// is account credit.
    pub applied: Money,
    /// How it was paid ("Visa ending 4242", "Check 1042").
    pub method_label: Option<String>,
    /// The gateway's reference of the charge.
    pub gateway_reference: Option<String>,
    /// Why it failed.
    pub failure: Option<PaymentFailure>,
    /// The host's id, for payments and credits the host recorded.
    pub external_id: Option<ExternalId>,
    /// The contact who paid in the portal.
    pub contact: Option<ContactId>,
    /// A note (the host's memo, the customer's reference).
    pub memo: Option<String>,
    /// When it was received (or attempted).
    pub received_at: DateTime<Utc>,
}

impl Payment {
    /// What is not applied to any invoice: account credit once succeeded.
    /// (Zero, too, for a payment built with `applied` in another currency
    /// than `amount`, which no store reads.)
    pub fn unapplied(&self) -> Money {
        let zero = Money::zero(self.amount.currency());
        if self.status == PaymentStatus::Succeeded {
            self.amount.checked_sub(self.applied).unwrap_or(zero)
        } else {
            zero
        }
    }
}

/// A payment with the invoices it was (or, while pending, will be)
/// applied to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaymentDetail {
    /// The payment.
    pub payment: Payment,
    /// Its share of each invoice.
    pub allocations: Vec<Allocation>,
    /// Account credit applied together with it, per invoice (the pay
    /// form's "use my credit"); empty when none was, or the payment
    /// failed (the credit was given back).
    pub credit: Vec<Allocation>,
}

impl PaymentDetail {
    /// The account credit used with this payment, in its currency.
    pub fn credit_used(&self) -> Money {
        let currency = self.payment.amount.currency();
        Money::checked_sum(self.credit.iter().map(|a| a.amount), currency)
            .unwrap_or_else(|_| Money::zero(currency))
    }
}

/// A share of a payment applied to one invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Allocation {
    /// The invoice.
    pub invoice: InvoiceId,
    /// Its number, for people.
    pub invoice_number: String,
    /// How much, in the payment's currency.
    pub amount: Money,
}

/// An idempotency key: the client's name for one payment attempt. The
/// same key never charges twice; see [`crate::billing`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Accepts 8 to 100 characters from `[A-Za-z0-9_-]`.
    ///
    /// ```
    /// use portal_core::billing::IdempotencyKey;
    /// assert!(IdempotencyKey::parse("0b5c2a8e-2f43-4d5e-9a8b-3f1e2d4c5b6a").is_ok());
    /// assert!(IdempotencyKey::parse("short").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, crate::shared::ParseError> {
        let ok = (8..=100).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(crate::shared::ParseError::new(
                "idempotency_key",
                crate::shared::Reason::Malformed(crate::shared::Shape::IdempotencyKey),
            ))
        }
    }

    /// A fresh random key (for pages, which put one in each form).
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = crate::shared::ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<IdempotencyKey> for String {
    fn from(value: IdempotencyKey) -> Self {
        value.0
    }
}

/// A payment provider's card token: a one-time token from its card field,
/// or a card on file's reusable one. Whoever holds it can charge the card,
/// so it is a secret: `Debug` never shows it, and only [`CardToken::expose`]
/// hands it to the gateway. Whether it is usable (not empty, not a card
/// number) is checked where a payment or a card uses it.
#[derive(Clone, PartialEq, Eq)]
pub struct CardToken(String);

impl CardToken {
    /// Wraps a token as received.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token, for the gateway (never for logs).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for CardToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardToken(***)")
    }
}

/// How a customer pays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MethodChoice {
    /// A card on file.
    Saved {
        /// Which one.
        id: PaymentMethodId,
    },
    /// A new card, as the gateway's one-time token (the card number never
    /// reaches the portal).
    NewToken {
        /// The gateway's token.
        token: CardToken,
        /// Keep it on file (needs the card-on-file feature).
        save: bool,
    },
}

/// A customer's request to pay invoices, or to prepay when `invoices` is
/// empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayRequest {
    /// The client's key for this attempt.
    pub idempotency_key: IdempotencyKey,
    /// Which invoices, each with the amount to pay (`None`: what is
    /// payable). Order does not matter.
    pub invoices: Vec<(InvoiceId, Option<Decimal>)>,
    /// An amount beyond the invoices that becomes account credit (needs
    /// the prepayment feature).
    pub prepayment: Option<Decimal>,
    /// How.
    pub method: MethodChoice,
    /// Pay from the account's credit first, the card the rest (the pages
    /// offer it ticked; nothing is applied unless the payment goes
    /// through).
    pub use_credit: bool,
}

/// What a store records when a payment starts: the parts that make two
/// requests "the same" are hashed into `fingerprint`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentIntent {
    /// The new payment's id.
    pub id: PaymentId,
    /// The client's key.
    pub idempotency_key: IdempotencyKey,
    /// Hash of the request's parameters ([`PaymentIntent::fingerprint_of`]).
    pub fingerprint: String,
    /// The total to charge, in what.
    pub amount: Money,
    /// What to apply to which invoice; the rest is account credit.
    pub allocations: Vec<Allocation>,
    /// Account credit to apply with the payment, per invoice: applied
    /// when the payment starts, given back if it fails.
    pub credit: Vec<Allocation>,
    /// Card on file used, if one was.
    pub method: Option<PaymentMethodId>,
    /// How it is paid, for people.
    pub method_label: Option<String>,
    /// Who pays.
    pub contact: Option<ContactId>,
    /// Portal or autopay.
    pub source: PaymentSource,
    /// When.
    pub at: DateTime<Utc>,
}

impl PaymentIntent {
    /// A stable hash of what was asked, as it was asked: the invoices
    /// with their requested amounts (in a fixed order; `None` is "what is
    /// payable"), the prepayment and the method. It is computed before any
    /// balance is read, so a retry after the first attempt paid the
    /// invoices still matches it. A reused key with a different
    /// fingerprint is refused.
    ///
    /// ```
    /// use portal_core::billing::{CardToken, MethodChoice, PaymentIntent};
    /// use portal_core::shared::InvoiceId;
    /// let (a, b) = (InvoiceId::new(), InvoiceId::new());
    /// let card = MethodChoice::NewToken { token: CardToken::new("tok"), save: false };
    /// assert_eq!(
    ///     PaymentIntent::fingerprint_of(&[(a, None), (b, None)], None, &card),
    ///     PaymentIntent::fingerprint_of(&[(b, None), (a, None)], None, &card),
    /// );
    /// ```
    pub fn fingerprint_of(
        invoices: &[(InvoiceId, Option<Decimal>)],
        prepayment: Option<Decimal>,
        method: &MethodChoice,
    ) -> String {
        Self::fingerprint_with_credit(invoices, prepayment, method, false)
    }

    /// [`PaymentIntent::fingerprint_of`] with whether credit is used: a
    /// request that uses credit is another request. One that does not
    /// hashes as before, so keys of earlier payments still match.
    pub fn fingerprint_with_credit(
        invoices: &[(InvoiceId, Option<Decimal>)],
        prepayment: Option<Decimal>,
        method: &MethodChoice,
        use_credit: bool,
    ) -> String {
        let amount = |amount: Option<Decimal>| {
            amount.map_or_else(|| "all".to_owned(), |a| a.normalize().to_string())
        };
        let mut sorted: Vec<_> = invoices
            .iter()
            .map(|(id, requested)| format!("{id}={}", amount(*requested)))
            .collect();
        sorted.sort();
        let method = match method {
            MethodChoice::Saved { id } => format!("saved:{id}"),
            MethodChoice::NewToken { token, save } => format!("token:{}:{save}", token.expose()),
        };
        let credit = if use_credit { "|credit" } else { "" };
        let text = format!(
            "{}|prepay={}|{method}{credit}",
            sorted.join(","),
            amount(prepayment)
        );
        hex::encode(Sha256::digest(text.as_bytes()))
    }
}

/// What starting a payment found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaymentStart {
    /// A new pending payment, its amounts held; go and charge.
    Started,
    /// The key was used before with the same parameters and that payment
    /// is settled: its result.
    Replay(PaymentDetail),
    /// The key was used before with the same parameters and that payment
    /// is still pending.
    InProgress(PaymentDetail),
    /// The key was used before with different parameters.
    KeyReused,
}

/// What the gateway said about a pending payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// Charged: apply the held amounts.
    Succeeded {
        /// The gateway's reference.
        reference: String,
    },
    /// Declined or failed: release the held amounts.
    Failed {
        /// Why.
        failure: PaymentFailure,
    },
}

/// Why a payment failed; nothing was charged. Stored as a code and,
/// for a decline, the payment provider's own words for the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredFailure", tag = "reason", rename_all = "snake_case")]
pub enum PaymentFailure {
    /// The card or bank declined the charge.
    Declined {
        /// The provider's words for the customer ("Insufficient funds.").
        message: String,
    },
    /// The provider refused the card itself (wrong details, not usable).
    MethodRefused,
    /// The provider failed without an answer.
    ProviderFailed,
    /// The provider never answered, and the portal gave up waiting.
    Abandoned,
}

impl PaymentFailure {
    /// The code it is stored and sent under.
    pub fn code(&self) -> &'static str {
        match self {
            PaymentFailure::Declined { .. } => "declined",
            PaymentFailure::MethodRefused => "method_refused",
            PaymentFailure::ProviderFailed => "provider_failed",
            PaymentFailure::Abandoned => "abandoned",
        }
    }

    /// The failure stored as `code` (and `message`); an unknown code is a
    /// decline in the words kept with it.
    pub fn from_stored(code: &str, message: Option<String>) -> Self {
        match code {
            "method_refused" => PaymentFailure::MethodRefused,
            "provider_failed" => PaymentFailure::ProviderFailed,
            "abandoned" => PaymentFailure::Abandoned,
            _ => PaymentFailure::Declined {
                message: message.unwrap_or_default(),
            },
        }
    }

    /// The provider's words, for a decline.
    pub fn provider_message(&self) -> Option<&str> {
        match self {
            PaymentFailure::Declined { message } => Some(message),
            _ => None,
        }
    }
}

/// What a stored event may hold: the tagged failure, or (written before
/// failures were typed) the sentence the customer was shown.
#[derive(Deserialize)]
#[serde(untagged)]
enum StoredFailure {
    Tagged(TaggedFailure),
    Sentence(String),
}

#[derive(Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
enum TaggedFailure {
    Declined { message: String },
    MethodRefused,
    ProviderFailed,
    Abandoned,
}

impl From<StoredFailure> for PaymentFailure {
    fn from(stored: StoredFailure) -> Self {
        match stored {
            StoredFailure::Tagged(TaggedFailure::Declined { message }) => {
                PaymentFailure::Declined { message }
            }
            StoredFailure::Tagged(TaggedFailure::MethodRefused) => PaymentFailure::MethodRefused,
            StoredFailure::Tagged(TaggedFailure::ProviderFailed) => PaymentFailure::ProviderFailed,
            StoredFailure::Tagged(TaggedFailure::Abandoned) => PaymentFailure::Abandoned,
            StoredFailure::Sentence(message) => PaymentFailure::Declined { message },
        }
    }
}

/// A payment or credit taken outside the portal, recorded by the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalPayment {
    /// The host's id; recording the same id again changes nothing.
    pub external_id: ExternalId,
    /// The account.
    pub account: AccountId,
    /// Payment or credit.
    pub kind: PaymentKind,
    /// How much (more than zero), in what (the tenant's currency). Build
    /// it with [`Money::exact`] from what the host's system says, so an
    /// amount with more decimals than the currency is refused rather than
    /// rounded.
    pub amount: Money,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// How ("Check 1042", "Cash").
    pub method_label: Option<String>,
    /// A note.
    pub memo: Option<String>,
    /// Which invoices it pays, by our id, and how much of each (in the
    /// payment's currency). What is not applied stays as account credit.
    pub applied_to: Vec<(InvoiceId, Money)>,
}

/// A card or bank account on file: the gateway's reusable token and what
/// a customer recognises it by. Never a card number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaymentMethod {
    /// Our id.
    pub id: PaymentMethodId,
    /// The account it belongs to.
    pub account: AccountId,
    /// The gateway's reusable token.
    #[serde(skip)]
    pub gateway_token: CardToken,
    /// "Visa", "Mastercard", "Bank account".
    pub brand: String,
    /// The last four digits.
    pub last4: String,
    /// Expiry month (1-12), for cards.
    pub exp_month: Option<u8>,
    /// Expiry year, for cards.
    pub exp_year: Option<u16>,
    /// Whether payments use it unless told otherwise.
    pub is_default: bool,
    /// Who added it.
    pub added_by: Option<ContactId>,
    /// When.
    pub added_at: DateTime<Utc>,
}

impl PaymentMethod {
    /// How customers see it ("Visa ending 4242").
    pub fn label(&self) -> String {
        format!("{}{CARD_ENDING}{}", self.brand, self.last4)
    }

    /// Whether a card's expiry month is before `today`'s.
    pub fn is_expired(&self, today: NaiveDate) -> bool {
        use chrono::Datelike;
        match (self.exp_year, self.exp_month) {
            (Some(year), Some(month)) => {
                (i32::from(year), u32::from(month)) < (today.year(), today.month())
            }
            _ => false,
        }
    }
}

/// An autopay enrolment: the consent as given, and its withdrawal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AutopayConsent {
    /// Our id.
    pub id: AutopayId,
    /// The account.
    pub account: AccountId,
    /// The method autopay charges.
    pub method: PaymentMethodId,
    /// Who consented.
    pub contact: ContactId,
    /// The terms shown, word for word.
    pub terms: String,
    /// When.
    pub consented_at: DateTime<Utc>,
    /// When it was withdrawn.
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Who withdrew it.
    pub withdrawn_by: Option<ContactId>,
}

/// An account's money at a glance, every amount in the tenant's
/// currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountSummary {
    /// What the unpaid invoices still owe, less account credit; negative
    /// when the account is in credit.
    pub current_balance: Money,
    /// What unpaid invoices past their due date still owe.
    pub past_due: Money,
    /// Unapplied payments and credits.
    pub credit: Money,
    /// What payments the gateway has not answered yet hold on the unpaid
    /// invoices: part of the balance, but not to be paid again.
    pub processing: Money,
    /// How many invoices are unpaid.
    pub unpaid_invoices: u64,
    /// The last successful payment: amount and when.
    pub last_payment: Option<(Money, DateTime<Utc>)>,
}

impl AccountSummary {
    /// An account with nothing: no invoices, payments or credit.
    pub fn zero(currency: Currency) -> Self {
        let zero = Money::zero(currency);
        Self {
            current_balance: zero,
            past_due: zero,
            credit: zero,
            processing: zero,
            unpaid_invoices: 0,
            last_payment: None,
        }
    }

    /// What may be paid now: what unpaid invoices owe less what payments
    /// in progress hold (the "Pay" offers show only when it is above zero).
    pub fn payable(&self) -> Money {
        let currency = self.currency();
        Money::new(
            self.current_balance.amount() + self.credit.amount() - self.processing.amount(),
            currency,
        )
    }

    /// The currency of its amounts.
    pub fn currency(&self) -> Currency {
        self.current_balance.currency()
    }
}

/// Turns a store's "not the same" into the customer's sentence.
pub(crate) fn key_reused() -> PortalError {
    PortalError::invalid("idempotency_key", crate::shared::Reason::KeyReused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portals_own_method_labels_read_back_as_written() {
        let method = PaymentMethod {
            id: PaymentMethodId::new(),
            account: AccountId::new(),
            gateway_token: CardToken::new("tok"),
            brand: "American Express".into(),
            last4: "0005".into(),
            exp_month: None,
            exp_year: None,
            is_default: true,
            added_by: None,
            added_at: Utc::now(),
        };
        assert_eq!(
            MethodLabel::read(&method.label()),
            MethodLabel::Card {
                brand: "American Express",
                last4: "0005"
            }
        );
        assert_eq!(
            MethodLabel::read(&MethodLabel::autopay(&method)),
            MethodLabel::Autopay {
                brand: "American Express",
                last4: "0005"
            }
        );
        assert_eq!(
            MethodLabel::read(UNDESCRIBED_CARD),
            MethodLabel::UndescribedCard
        );
        for host in [
            "Check 1042",
            "ACH ending soon",
            " ending 4242",
            "Autopay, Check 7",
        ] {
            assert_eq!(MethodLabel::read(host), MethodLabel::Other(host), "{host}");
        }
    }

    /// A failure event written before failures were typed held the
    /// customer's sentence; it reads as a decline in those words, and a
    /// typed one reads back as written.
    #[test]
    fn a_stored_failure_reads_in_either_shape() {
        let old: PaymentFailure = serde_json::from_value(serde_json::json!(
            "Your card was declined. Nothing was charged."
        ))
        .unwrap();
        assert_eq!(
            old,
            PaymentFailure::Declined {
                message: "Your card was declined. Nothing was charged.".into()
            }
        );
        for failure in [
            PaymentFailure::Declined {
                message: "Insufficient funds.".into(),
            },
            PaymentFailure::MethodRefused,
            PaymentFailure::ProviderFailed,
            PaymentFailure::Abandoned,
        ] {
            let json = serde_json::to_value(&failure).unwrap();
            assert_eq!(json["reason"], failure.code());
            assert_eq!(
                serde_json::from_value::<PaymentFailure>(json).unwrap(),
                failure
            );
            assert_eq!(
                PaymentFailure::from_stored(
                    failure.code(),
                    failure.provider_message().map(str::to_owned)
                ),
                failure
            );
        }
    }
    use proptest::prelude::*;

    fn request() -> impl Strategy<Value = (Vec<(InvoiceId, Option<Decimal>)>, Option<Decimal>)> {
        (
            prop::collection::vec(proptest::option::of(1i64..1_000_000), 1..6),
            proptest::option::of(1i64..1_000_000),
        )
            .prop_map(|(amounts, prepay)| {
                let invoices = amounts
                    .into_iter()
                    .map(|cents| (InvoiceId::new(), cents.map(|c| Decimal::new(c, 2))))
                    .collect();
                (invoices, prepay.map(|c| Decimal::new(c, 2)))
            })
    }

    proptest! {
        /// The same request, however its invoices are ordered or its
        /// amounts are written, has one fingerprint; any change of
        /// invoice, amount, prepayment or method gives another.
        #[test]
        fn a_fingerprint_is_the_request_and_only_the_request(
            (invoices, prepay) in request(),
            rotate in 0usize..6,
            which in 0usize..5,
        ) {
            let card = MethodChoice::NewToken { token: CardToken::new("tok_a"), save: false };
            let first = PaymentIntent::fingerprint_of(&invoices, prepay, &card);

            let mut reordered = invoices.clone();
            let len = reordered.len();
            reordered.rotate_left(rotate % len);
            // 12.5 and 12.50 are the same amount.
            let rescaled: Vec<_> = reordered
                .iter()
                .map(|(id, amount)| (*id, amount.map(|a| { let mut a = a; a.rescale(4); a })))
                .collect();
            prop_assert_eq!(&PaymentIntent::fingerprint_of(&rescaled, prepay, &card), &first);

            let mut changed = invoices.clone();
            let (other_prepay, other_card) = (prepay, card.clone());
            let other = match which {
                0 => {
                    changed[0].0 = InvoiceId::new();
                    PaymentIntent::fingerprint_of(&changed, other_prepay, &other_card)
                }
                1 => {
                    changed[0].1 = Some(changed[0].1.unwrap_or(Decimal::ZERO) + Decimal::new(1, 2));
                    PaymentIntent::fingerprint_of(&changed, other_prepay, &other_card)
                }
                2 => PaymentIntent::fingerprint_of(
                    &changed,
                    Some(prepay.unwrap_or(Decimal::ZERO) + Decimal::new(1, 2)),
                    &other_card,
                ),
                3 => PaymentIntent::fingerprint_with_credit(&changed, other_prepay, &other_card, true),
                _ => PaymentIntent::fingerprint_of(
                    &changed,
                    other_prepay,
                    &MethodChoice::NewToken { token: CardToken::new("tok_b"), save: false },
                ),
            };
            prop_assert_ne!(other, first);
        }
    }
}
