//! Billing use cases of a logged-in customer: invoices, the account
//! summary, paying (invoices, prepayments, the statement balance), account
//! credit, history, statements, cards on file and autopay.
//!
//! Paying runs in three steps (see [`crate::billing::payment`]): the store
//! holds the amounts and records a pending payment, the gateway charges
//! with the payment's id as its idempotency key, and the store settles the
//! payment with the answer. A retried request with the same key never
//! reaches the gateway twice: the store answers it from the first payment.

use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::access::{AccessError, AccountScope, Actor, Permission};
use crate::billing::{
    AccountSummary, Allocation, AllocationPlan, AutopayConsent, ChargeOutcome, ChargeRequest,
    GatewayError, IdempotencyKey, Invoice, InvoiceDetail, InvoiceQuery, MethodChoice, PayRequest,
    PayableInvoice, PaymentDetail, PaymentGateway, PaymentIntent, PaymentMethod, PaymentSource,
    PaymentStart, PaymentStatus, Settlement, Statement, StatementRange, allocate_oldest_first,
    allocate_selection,
};
use crate::error::PortalError;
use crate::outbox::{DomainEvent, Email, EmailKind, OutboxMessage, Receipt};
use crate::portal::{Portal, acting_contact};
use crate::shared::{
    ContactId, Currency, InvoiceId, Page, PageRequest, PaymentId, PaymentMethodId, TenantId,
};
use crate::tenancy::{Feature, Tenant};

mod host;
#[cfg(test)]
mod tests;

/// A customer's billing: invoices, paying, credit, history, statements,
/// cards on file and autopay.
/// Get one from the [`Portal`] facade.
#[derive(Clone, Copy)]
pub struct BillingService<'a> {
    pub(crate) portal: &'a Portal,
}

/// How many unpaid invoices a payment can choose from. Accounts with more
/// pay the oldest ones first and come back for the rest.
pub const MAX_PAYABLE_INVOICES: u32 = 500;

/// How many cards one account may keep on file.
pub const MAX_PAYMENT_METHODS: usize = 20;

/// What customers are told when the gateway failed without an answer.
const GATEWAY_FAILED: &str =
    "The payment provider had a problem, and nothing was charged. Please try again in a moment.";

/// Why a card cannot be added.
const TOO_MANY_CARDS: &str = "An account can keep at most 20 cards on file; remove one first.";

/// What customers are told when the gateway refused the card token.
const METHOD_REFUSED: &str =
    "This card was not accepted. Check its details or use another card; nothing was charged.";

/// One page of invoices, with the day overdue is judged against.
#[derive(Clone, Debug, PartialEq)]
pub struct InvoiceList {
    /// The page.
    pub invoices: Page<Invoice>,
    /// Today in the tenant's time zone.
    pub today: NaiveDate,
}

/// An invoice's printable form: the host's own PDF, or the data for the
/// portal to render one.
#[derive(Clone, Debug, PartialEq)]
pub enum InvoiceDocument {
    /// The host's PDF, as it gave it.
    HostPdf(Vec<u8>),
    /// No host PDF: render this.
    Render(Box<InvoiceDetail>),
}

/// What the pay page offers.
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentOptions {
    /// The account's summary.
    pub summary: AccountSummary,
    /// Unpaid invoices, oldest due first (all preselected).
    pub unpaid: Vec<Invoice>,
    /// Cards on file (empty when the feature is off).
    pub methods: Vec<PaymentMethod>,
    /// Whether an invoice may be paid in part.
    pub partial_allowed: bool,
    /// Whether an amount beyond the invoices may be paid as credit.
    pub prepayment_allowed: bool,
    /// Whether a new card may be kept on file.
    pub may_save_card: bool,
    /// Today in the tenant's time zone.
    pub today: NaiveDate,
}

/// "Pay the statement balance": how an amount would be applied, shown
/// before the customer confirms.
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentPreview {
    /// The amount.
    pub amount: Decimal,
    /// Oldest invoices first; `unallocated` becomes account credit.
    pub plan: AllocationPlan,
    /// The currency.
    pub currency: Currency,
}

/// What a pay request would charge, checked as [`Portal::pay`] checks it:
/// the page a customer confirms before paying.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentReview {
    /// Each chosen invoice with what it gets.
    pub allocations: Vec<Allocation>,
    /// What becomes account credit.
    pub prepayment: Decimal,
    /// The total to charge.
    pub amount: Decimal,
    /// The currency.
    pub currency: Currency,
    /// The card on file to charge, or `None` for the new card entered.
    pub saved_method: Option<String>,
}

/// A pay request checked against the balances and the card on file.
struct CheckedPayment {
    allocations: Vec<Allocation>,
    prepayment: Decimal,
    amount: Decimal,
    saved: Option<PaymentMethod>,
}

/// What an autopay run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AutopayRun {
    /// Accounts charged successfully.
    pub paid: usize,
    /// Accounts whose charge was declined or failed (the invoices stay
    /// open; the host gets a `PaymentFailed` event).
    pub failed: usize,
    /// Accounts whose charge is pending (the gateway did not answer).
    pub pending: usize,
    /// Accounts skipped: the card is gone or expired, or today's charge
    /// was already made.
    pub skipped: usize,
}

/// The autopay page: the active consent and the terms a new one agrees to.
#[derive(Clone, Debug, PartialEq)]
pub struct AutopayStatus {
    /// The active consent.
    pub consent: Option<AutopayConsent>,
    /// The tenant's current terms.
    pub terms: String,
    /// Their digest; enrolling must quote it, so a consent is always to
    /// the words that were shown.
    pub terms_digest: String,
    /// Cards that autopay can use.
    pub methods: Vec<PaymentMethod>,
}

impl BillingService<'_> {
    /// The payment gateway, when the host configured one.
    fn gateway(&self) -> Result<&Arc<dyn PaymentGateway>, PortalError> {
        self.portal.inner.gateway.as_ref().ok_or_else(|| {
            tracing::error!("online payment is switched on but no payment gateway is configured");
            PortalError::Internal("no payment gateway configured".to_owned())
        })
    }

    /// Today in the tenant's time zone, by the portal's clock: what
    /// "overdue" and card expiry are judged against, so front ends that
    /// show them use this one.
    pub fn today(self, tenant: &Tenant) -> NaiveDate {
        self.portal
            .inner
            .clock
            .now()
            .with_timezone(&tenant.settings.time_zone())
            .date_naive()
    }

    /// The active account's balance, past-due amount, credit and last
    /// payment.
    pub async fn account_summary(self, actor: &Actor) -> Result<AccountSummary, PortalError> {
        let (tenant, scope) = self
            .portal
            .authorize(actor, Permission::ViewBilling)
            .await?;
        let today = self.today(&tenant);
        Ok(self
            .portal
            .stores()
            .ledger
            .account_summary(&scope, tenant.settings.currency(), today)
            .await?)
    }

    /// One page of the active account's invoices.
    pub async fn invoices(
        self,
        actor: &Actor,
        query: &InvoiceQuery,
    ) -> Result<InvoiceList, PortalError> {
        let (tenant, scope) = self
            .portal
            .authorize(actor, Permission::ViewBilling)
            .await?;
        query.validate(tenant.settings.currency())?;
        let today = self.today(&tenant);
        let invoices = self
            .portal
            .stores()
            .invoices
            .invoices(&scope, query, today)
            .await?;
        Ok(InvoiceList { invoices, today })
    }

    /// One invoice with its lines and payments; `NotFound` for another
    /// account's.
    pub async fn invoice(self, actor: &Actor, id: InvoiceId) -> Result<InvoiceDetail, PortalError> {
        let (_, scope) = self
            .portal
            .authorize(actor, Permission::ViewBilling)
            .await?;
        self.portal
            .stores()
            .invoices
            .invoice(&scope, id)
            .await?
            .ok_or(PortalError::NotFound)
    }

    /// An invoice as a document: the host's PDF when it gave one.
    pub async fn invoice_document(
        self,
        actor: &Actor,
        id: InvoiceId,
    ) -> Result<InvoiceDocument, PortalError> {
        let (_, scope) = self
            .portal
            .authorize(actor, Permission::ViewBilling)
            .await?;
        let detail = self
            .portal
            .stores()
            .invoices
            .invoice(&scope, id)
            .await?
            .ok_or(PortalError::NotFound)?;
        if detail.invoice.has_host_pdf {
            if let Some(pdf) = self
                .portal
                .stores()
                .invoices
                .invoice_pdf(&scope, id)
                .await?
            {
                return Ok(InvoiceDocument::HostPdf(pdf));
            }
        }
        Ok(InvoiceDocument::Render(Box::new(detail)))
    }

    /// Everything the pay page needs.
    pub async fn payment_options(self, actor: &Actor) -> Result<PaymentOptions, PortalError> {
        let (tenant, scope) = self
            .portal
            .authorize(actor, Permission::PayInvoices)
            .await?;
        let features = &tenant.settings.features;
        let today = self.today(&tenant);
        let currency = tenant.settings.currency();
        let summary = self
            .portal
            .stores()
            .ledger
            .account_summary(&scope, currency, today)
            .await?;
        let unpaid = self
            .portal
            .stores()
            .invoices
            .unpaid_invoices(&scope, MAX_PAYABLE_INVOICES)
            .await?;
        let methods = if features.is_on(Feature::CardOnFile) {
            self.portal
                .stores()
                .payment_methods
                .payment_methods(&scope)
                .await?
        } else {
            Vec::new()
        };
        Ok(PaymentOptions {
            summary,
            unpaid,
            methods,
            partial_allowed: features.is_on(Feature::PartialPayment),
            prepayment_allowed: features.is_on(Feature::Prepayment),
            may_save_card: self
                .portal
                .authorize(actor, Permission::ManagePaymentMethods)
                .await
                .is_ok(),
            today,
        })
    }

    /// How `amount` (the whole payable balance when `None`) would pay the
    /// unpaid invoices, oldest first. More than is owed is refused unless
    /// the tenant takes prepayments, in which case the rest shows as
    /// account credit.
    pub async fn preview_payment(
        self,
        actor: &Actor,
        amount: Option<Decimal>,
    ) -> Result<PaymentPreview, PortalError> {
        let (tenant, scope) = self
            .portal
            .authorize(actor, Permission::PayInvoices)
            .await?;
        let currency = tenant.settings.currency();
        let payable = self.payable_invoices(&scope).await?;
        let owed: Decimal = payable.iter().map(|invoice| invoice.payable).sum();
        let amount = match amount {
            Some(amount) => positive_amount("amount", amount, currency)?,
            None if owed > Decimal::ZERO => owed,
            None => {
                return Err(PortalError::Conflict(
                    "Nothing is owed right now.".to_owned(),
                ));
            }
        };
        let whole_invoices = !tenant.settings.features.is_on(Feature::PartialPayment);
        let plan = allocate_oldest_first(amount, &payable, currency, whole_invoices);
        if plan.unallocated > Decimal::ZERO && !tenant.settings.features.is_on(Feature::Prepayment)
        {
            if amount > owed {
                return Err(PortalError::invalid(
                    "amount",
                    format!("is more than the {} owed", currency.format(owed)),
                ));
            }
            // Whole invoices only, and the amount stops inside one: offer
            // the amounts on either side that pay whole invoices.
            let below = plan.allocated();
            let next = payable
                .iter()
                .filter(|invoice| !plan.allocations.iter().any(|a| a.invoice == invoice.id))
                .min_by_key(|invoice| (invoice.due_on, invoice.issued_on, invoice.number.clone()))
                .map_or(below, |invoice| below + invoice.payable);
            return Err(PortalError::invalid(
                "amount",
                format!(
                    "must pay whole invoices, oldest first: {} or {} would",
                    currency.format(below),
                    currency.format(next)
                ),
            ));
        }
        Ok(PaymentPreview {
            amount,
            plan,
            currency,
        })
    }

    /// What `request` would charge and to which card, checked exactly as
    /// [`Portal::pay`] checks it; nothing is written or charged.
    pub async fn review_payment(
        self,
        actor: &Actor,
        request: &PayRequest,
    ) -> Result<PaymentReview, PortalError> {
        let (tenant, scope) = self
            .portal
            .authorize(actor, Permission::PayInvoices)
            .await?;
        let checked = self.check_payment(actor, &tenant, &scope, request).await?;
        Ok(PaymentReview {
            allocations: checked.allocations,
            prepayment: checked.prepayment,
            amount: checked.amount,
            currency: tenant.settings.currency(),
            saved_method: checked.saved.as_ref().map(PaymentMethod::label),
        })
    }

    /// The checks paying makes before anything is written: the features,
    /// the amounts against what is payable, the card.
    async fn check_payment(
        self,
        actor: &Actor,
        tenant: &Tenant,
        scope: &AccountScope,
        request: &PayRequest,
    ) -> Result<CheckedPayment, PortalError> {
        let features = tenant.settings.features;
        let currency = tenant.settings.currency();
        let prepayment = match request.prepayment {
            Some(amount) if !amount.is_zero() => {
                if !features.is_on(Feature::Prepayment) {
                    return Err(AccessError::FeatureOff.into());
                }
                positive_amount("prepayment", amount, currency)?
            }
            _ => currency.round(Decimal::ZERO),
        };
        if request.invoices.is_empty() && prepayment.is_zero() {
            return Err(PortalError::invalid(
                "invoices",
                "must include at least one invoice, or an amount to prepay",
            ));
        }
        let payable = self.payable_invoices(scope).await?;
        let allocations = allocate_selection(
            &request.invoices,
            &payable,
            currency,
            features.is_on(Feature::PartialPayment),
        )?;
        let amount = allocations.iter().map(|a| a.amount).sum::<Decimal>() + prepayment;
        if currency.to_minor(amount).is_none() {
            return Err(PortalError::invalid(
                "amount",
                "is too large to pay at once",
            ));
        }

        let saved = match &request.method {
            MethodChoice::Saved { id } => Some(self.usable_method(tenant, scope, *id).await?),
            MethodChoice::NewToken { token, save } => {
                check_gateway_token(token)?;
                if *save {
                    self.portal
                        .authorize(actor, Permission::ManagePaymentMethods)
                        .await?;
                }
                None
            }
        };
        Ok(CheckedPayment {
            allocations,
            prepayment,
            amount,
            saved,
        })
    }

    /// Pays the chosen invoices (and a prepayment, if asked and allowed)
    /// in one charge. Returns the payment: `Succeeded` with its receipt
    /// mailed, `Failed` with the customer's message and nothing applied,
    /// or `Pending` when the gateway did not answer in time (it holds its
    /// invoices until a webhook or [`crate::HostApi::reconcile_payments`]
    /// settles it). A repeated idempotency key answers with the first
    /// payment; a key reused for something else is refused.
    pub async fn pay(
        self,
        actor: &Actor,
        request: PayRequest,
    ) -> Result<PaymentDetail, PortalError> {
        let (tenant, scope) = self
            .portal
            .authorize(actor, Permission::PayInvoices)
            .await?;
        let contact = acting_contact(actor)?;
        let currency = tenant.settings.currency();
        let gateway = self.gateway()?.clone();

        // A retry is answered from the first attempt before any balance is
        // read: after a success the invoices are paid, and re-validating
        // them would refuse the very request that paid them.
        let fingerprint =
            PaymentIntent::fingerprint_of(&request.invoices, request.prepayment, &request.method);
        if let Some(earlier) = self
            .portal
            .stores()
            .payments
            .payment_attempt(&scope, &request.idempotency_key, &fingerprint)
            .await?
        {
            return answer_from_earlier(earlier);
        }

        let checked = match self.check_payment(actor, &tenant, &scope, &request).await {
            Ok(checked) => checked,
            // A concurrent request with this key may have paid (or held) the
            // invoices since the lookup above: then it, not the balances,
            // has the answer.
            Err(error @ (PortalError::NotFound | PortalError::Conflict(_))) => {
                return match self
                    .portal
                    .stores()
                    .payments
                    .payment_attempt(&scope, &request.idempotency_key, &fingerprint)
                    .await?
                {
                    Some(earlier) => answer_from_earlier(earlier),
                    None => Err(error),
                };
            }
            Err(error) => return Err(error),
        };
        let CheckedPayment {
            allocations,
            amount,
            saved,
            ..
        } = checked;
        let intent = PaymentIntent {
            id: PaymentId::new(),
            idempotency_key: request.idempotency_key.clone(),
            fingerprint,
            amount,
            currency,
            allocations,
            method: saved.as_ref().map(|method| method.id),
            method_label: Some(
                saved
                    .as_ref()
                    .map_or_else(|| "Card".to_owned(), PaymentMethod::label),
            ),
            contact: Some(contact),
            source: PaymentSource::Portal,
            at: self.portal.inner.clock.now(),
        };
        // A concurrent request with the same key may have started first.
        match self
            .portal
            .stores()
            .payments
            .begin_payment(&scope, &intent)
            .await?
        {
            PaymentStart::Started => {}
            earlier => return answer_from_earlier(earlier),
        }

        // The payment is recorded and its invoices held: from here on every
        // way out settles it (or leaves it pending on a timeout).
        let mut saved_now = None;
        let token = match (&request.method, saved) {
            (_, Some(method)) => Ok(method.gateway_token),
            (MethodChoice::NewToken { token, save: true }, None) => self
                .save_new_method(&tenant, &scope, contact, token, false)
                .await
                .map(|method| {
                    saved_now = Some(method.id);
                    method.gateway_token
                })
                // Nothing was charged when saving fails, even by timeout:
                // fail the payment rather than leave it holding.
                .map_err(|error| match error {
                    GatewayError::Timeout => {
                        GatewayError::Failed("saving the card timed out".to_owned())
                    }
                    other => other,
                }),
            (MethodChoice::NewToken { token, .. }, None) => Ok(token.clone()),
            (MethodChoice::Saved { .. }, None) => Err(GatewayError::InvalidMethod(
                "saved method vanished".to_owned(),
            )),
        };
        let detail = self
            .charge_and_settle(&tenant, gateway.as_ref(), &intent, token)
            .await?;
        // A card saved for this payment is kept only if it paid (or may
        // yet): one that was just declined is not one to keep on file.
        if let (Some(id), PaymentStatus::Failed) = (saved_now, detail.payment.status) {
            let event = OutboxMessage::Event(DomainEvent::PaymentMethodRemoved {
                account: scope.account(),
                method: id,
                contact,
            });
            if let Err(error) = self
                .portal
                .stores()
                .payment_methods
                .remove_payment_method(&scope, id, self.portal.inner.clock.now(), &[event])
                .await
            {
                tracing::warn!(%error, method = %id, "could not remove a declined card");
            }
        }
        Ok(detail)
    }

    /// Charges a started (pending, holding) payment with `token` and
    /// settles it with the answer; a timeout leaves it pending. Every way
    /// out of a started payment goes through here.
    pub(crate) async fn charge_and_settle(
        self,
        tenant: &Tenant,
        gateway: &dyn PaymentGateway,
        intent: &PaymentIntent,
        token: Result<String, GatewayError>,
    ) -> Result<PaymentDetail, PortalError> {
        let charged = match token {
            Ok(token) => {
                gateway
                    .charge(&ChargeRequest {
                        amount: intent.amount,
                        currency: intent.currency,
                        method_token: token,
                        idempotency_key: intent.id.to_string(),
                        description: format!("{} payment", tenant.settings.display_name),
                    })
                    .await
            }
            Err(error) => Err(error),
        };
        let settlement = match charged {
            Ok(outcome) => settlement_of(outcome),
            Err(GatewayError::Timeout) => {
                tracing::warn!(payment = %intent.id, "gateway timed out; payment left pending");
                return self
                    .portal
                    .stores()
                    .payments
                    .tenant_payment(tenant.id, intent.id)
                    .await?
                    .ok_or(PortalError::NotFound);
            }
            Err(GatewayError::InvalidMethod(cause)) => {
                tracing::info!(payment = %intent.id, %cause, "gateway refused the method");
                Settlement::Failed {
                    message: METHOD_REFUSED.to_owned(),
                }
            }
            Err(GatewayError::Failed(cause)) => {
                tracing::warn!(payment = %intent.id, %cause, "gateway failed");
                Settlement::Failed {
                    message: GATEWAY_FAILED.to_owned(),
                }
            }
        };
        self.settle(tenant, intent.id, &settlement).await
    }

    /// Applies account credit to chosen invoices (`None`: as much of the
    /// invoice as it can take). Credit is never applied otherwise.
    pub async fn apply_credit(
        self,
        actor: &Actor,
        chosen: &[(InvoiceId, Option<Decimal>)],
    ) -> Result<AccountSummary, PortalError> {
        let (tenant, scope) = self
            .portal
            .authorize(actor, Permission::PayInvoices)
            .await?;
        let contact = acting_contact(actor)?;
        let currency = tenant.settings.currency();
        let today = self.today(&tenant);
        let summary = self
            .portal
            .stores()
            .ledger
            .account_summary(&scope, currency, today)
            .await?;
        if chosen.is_empty() {
            return Err(PortalError::invalid(
                "invoices",
                "must include at least one invoice",
            ));
        }
        let payable = self.payable_invoices(&scope).await?;
        // Without an amount, an invoice takes what credit is left, in the
        // order chosen; once it is used up, the rest take nothing and are
        // left out (an unknown invoice still goes on, to be refused).
        let mut left = summary.credit;
        let mut resolved = Vec::with_capacity(chosen.len());
        for (id, amount) in chosen {
            let amount = match amount {
                // Checked before any arithmetic: a client's huge number
                // must be a 422, not an overflow.
                Some(amount) => positive_amount("amount", *amount, currency)?,
                None => match payable.iter().find(|invoice| invoice.id == *id) {
                    Some(_) if left <= Decimal::ZERO => continue,
                    Some(invoice) => invoice.payable.min(left),
                    None => Decimal::ZERO,
                },
            };
            left -= amount;
            resolved.push((*id, Some(amount)));
        }
        let no_credit = || PortalError::invalid("credit", "there is no account credit to apply");
        if resolved.is_empty() {
            return Err(no_credit());
        }
        // Another account's invoice is NotFound before anything about credit.
        let allocations = allocate_selection(&resolved, &payable, currency, true)?;
        if summary.credit <= Decimal::ZERO {
            return Err(no_credit());
        }
        let total: Decimal = allocations.iter().map(|a| a.amount).sum();
        if total > summary.credit {
            return Err(PortalError::invalid(
                "amount",
                format!(
                    "is more than your account credit of {}",
                    currency.format(summary.credit)
                ),
            ));
        }
        let event = OutboxMessage::Event(DomainEvent::CreditApplied {
            account: scope.account(),
            contact,
            allocations: allocations.clone(),
        });
        self.portal
            .stores()
            .payments
            .apply_credit(
                &scope,
                &allocations,
                self.portal.inner.clock.now(),
                &[event],
            )
            .await?;
        Ok(self
            .portal
            .stores()
            .ledger
            .account_summary(&scope, currency, today)
            .await?)
    }

    /// One page of the active account's payments and credits, newest first.
    pub async fn payments(
        self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<PaymentDetail>, PortalError> {
        let (_, scope) = self
            .portal
            .authorize(actor, Permission::ViewBilling)
            .await?;
        Ok(self.portal.stores().payments.payments(&scope, page).await?)
    }

    /// One payment or credit (a receipt); `NotFound` for another account's.
    pub async fn payment(self, actor: &Actor, id: PaymentId) -> Result<PaymentDetail, PortalError> {
        let (_, scope) = self
            .portal
            .authorize(actor, Permission::ViewBilling)
            .await?;
        self.portal
            .stores()
            .payments
            .payment(&scope, id)
            .await?
            .ok_or(PortalError::NotFound)
    }

    /// The active account's statement for a date range.
    pub async fn statement(
        self,
        actor: &Actor,
        range: StatementRange,
    ) -> Result<Statement, PortalError> {
        let (tenant, scope) = self
            .portal
            .authorize(actor, Permission::ViewStatements)
            .await?;
        let parts = self
            .portal
            .stores()
            .ledger
            .statement_parts(&scope, range, tenant.settings.time_zone())
            .await?;
        Ok(Statement::build(range, tenant.settings.currency(), parts))
    }

    /// The active account's cards on file (for paying or managing them).
    pub async fn payment_methods(self, actor: &Actor) -> Result<Vec<PaymentMethod>, PortalError> {
        let scope = match self
            .portal
            .authorize(actor, Permission::ManagePaymentMethods)
            .await
        {
            Ok((_, scope)) => scope,
            Err(_) => {
                let (tenant, scope) = self
                    .portal
                    .authorize(actor, Permission::PayInvoices)
                    .await?;
                if !tenant.settings.features.is_on(Feature::CardOnFile) {
                    return Ok(Vec::new());
                }
                scope
            }
        };
        Ok(self
            .portal
            .stores()
            .payment_methods
            .payment_methods(&scope)
            .await?)
    }

    /// Puts a card on file from the gateway's one-time token.
    pub async fn add_payment_method(
        self,
        actor: &Actor,
        token: &str,
        make_default: bool,
    ) -> Result<PaymentMethod, PortalError> {
        let (tenant, scope) = self
            .portal
            .authorize(actor, Permission::ManagePaymentMethods)
            .await?;
        let contact = acting_contact(actor)?;
        check_gateway_token(token)?;
        self.save_new_method(&tenant, &scope, contact, token, make_default)
            .await
            .map_err(|error| match error {
                GatewayError::InvalidMethod(reason) if reason == TOO_MANY_CARDS => {
                    PortalError::Conflict(TOO_MANY_CARDS.to_owned())
                }
                GatewayError::InvalidMethod(_) => PortalError::invalid("token", METHOD_REFUSED),
                other => {
                    tracing::warn!(cause = %other, "saving a card failed");
                    PortalError::Conflict(GATEWAY_FAILED.to_owned())
                }
            })
    }

    /// Removes a card on file (not the one autopay uses).
    pub async fn remove_payment_method(
        self,
        actor: &Actor,
        id: PaymentMethodId,
    ) -> Result<(), PortalError> {
        let (_, scope) = self
            .portal
            .authorize(actor, Permission::ManagePaymentMethods)
            .await?;
        let contact = acting_contact(actor)?;
        let event = OutboxMessage::Event(DomainEvent::PaymentMethodRemoved {
            account: scope.account(),
            method: id,
            contact,
        });
        self.portal
            .stores()
            .payment_methods
            .remove_payment_method(&scope, id, self.portal.inner.clock.now(), &[event])
            .await
            .map_err(|error| match error {
                crate::ports::StoreError::Conflict(_) => PortalError::Conflict(
                    "Autopay uses this card. Choose another card for autopay, or leave autopay, \
                     before removing it."
                        .to_owned(),
                ),
                other => other.into(),
            })
    }

    /// Makes a card on file the default.
    pub async fn set_default_payment_method(
        self,
        actor: &Actor,
        id: PaymentMethodId,
    ) -> Result<(), PortalError> {
        let (_, scope) = self
            .portal
            .authorize(actor, Permission::ManagePaymentMethods)
            .await?;
        let contact = acting_contact(actor)?;
        let event = OutboxMessage::Event(DomainEvent::DefaultPaymentMethodChanged {
            account: scope.account(),
            method: id,
            contact,
        });
        self.portal
            .stores()
            .payment_methods
            .set_default_payment_method(&scope, id, &[event])
            .await?;
        Ok(())
    }

    /// The autopay page's data.
    pub async fn autopay(self, actor: &Actor) -> Result<AutopayStatus, PortalError> {
        let (tenant, scope) = self.authorize_autopay(actor).await?;
        let terms = tenant.settings.autopay_terms.clone();
        Ok(AutopayStatus {
            consent: self.portal.stores().autopay.autopay(&scope).await?,
            terms_digest: terms_digest(&terms),
            terms,
            methods: self
                .portal
                .stores()
                .payment_methods
                .payment_methods(&scope)
                .await?,
        })
    }

    /// Enrols the active account in autopay with a card on file, recording
    /// the consent (who, when, which card, the terms shown). `terms_digest`
    /// must be the one [`Portal::autopay`] gave: if the terms changed since,
    /// the customer is asked to read them again. `agreed` is the customer's
    /// explicit "I agree" (a tick box, a consent flag): without it nothing
    /// is recorded. Replaces an active enrolment (to change the card).
    pub async fn enrol_autopay(
        self,
        actor: &Actor,
        method: PaymentMethodId,
        terms_digest_shown: &str,
        agreed: bool,
    ) -> Result<AutopayConsent, PortalError> {
        let (tenant, scope) = self.authorize_autopay(actor).await?;
        let contact = acting_contact(actor)?;
        if !agreed {
            return Err(PortalError::invalid(
                "consent",
                "is needed: agree to the terms to turn on autopay",
            ));
        }
        let terms = tenant.settings.autopay_terms.clone();
        if terms_digest(&terms) != terms_digest_shown {
            return Err(PortalError::Conflict(
                "The autopay terms have changed. Please read them again and confirm.".to_owned(),
            ));
        }
        self.usable_method(&tenant, &scope, method).await?;
        let consent = AutopayConsent {
            id: crate::shared::AutopayId::new(),
            account: scope.account(),
            method,
            contact,
            terms,
            consented_at: self.portal.inner.clock.now(),
            withdrawn_at: None,
            withdrawn_by: None,
        };
        let mut events = Vec::with_capacity(2);
        // Enrolling again (another card) withdraws the active consent.
        if let Some(replaced) = self.portal.stores().autopay.autopay(&scope).await? {
            events.push(OutboxMessage::Event(DomainEvent::AutopayWithdrawn {
                account: scope.account(),
                consent: replaced.id,
                contact,
            }));
        }
        events.push(OutboxMessage::Event(DomainEvent::AutopayEnrolled {
            account: scope.account(),
            consent: consent.id,
            method,
            contact,
        }));
        self.portal
            .stores()
            .autopay
            .enrol_autopay(&scope, &consent, &events)
            .await?;
        Ok(consent)
    }

    /// Withdraws the active account's autopay consent.
    pub async fn withdraw_autopay(self, actor: &Actor) -> Result<AutopayConsent, PortalError> {
        let (_, scope) = self.authorize_autopay(actor).await?;
        let contact = acting_contact(actor)?;
        let current = self
            .portal
            .stores()
            .autopay
            .autopay(&scope)
            .await?
            .ok_or(PortalError::NotFound)?;
        let event = OutboxMessage::Event(DomainEvent::AutopayWithdrawn {
            account: scope.account(),
            consent: current.id,
            contact,
        });
        Ok(self
            .portal
            .stores()
            .autopay
            .withdraw_autopay(&scope, contact, self.portal.inner.clock.now(), &[event])
            .await?)
    }

    async fn authorize_autopay(
        self,
        actor: &Actor,
    ) -> Result<(Arc<Tenant>, AccountScope), PortalError> {
        let (tenant, scope) = self
            .portal
            .authorize(actor, Permission::ManagePaymentMethods)
            .await?;
        if !tenant.settings.features.is_on(Feature::Autopay) {
            return Err(AccessError::FeatureOff.into());
        }
        Ok((tenant, scope))
    }

    async fn payable_invoices(
        self,
        scope: &AccountScope,
    ) -> Result<Vec<PayableInvoice>, PortalError> {
        Ok(self
            .portal
            .stores()
            .invoices
            .unpaid_invoices(scope, MAX_PAYABLE_INVOICES)
            .await?
            .iter()
            .map(PayableInvoice::from)
            .collect())
    }

    /// A card on file of the account that has not expired.
    async fn usable_method(
        self,
        tenant: &Tenant,
        scope: &AccountScope,
        id: PaymentMethodId,
    ) -> Result<PaymentMethod, PortalError> {
        if !tenant.settings.features.is_on(Feature::CardOnFile) {
            return Err(AccessError::FeatureOff.into());
        }
        let method = self
            .portal
            .stores()
            .payment_methods
            .payment_methods(scope)
            .await?
            .into_iter()
            .find(|method| method.id == id)
            .ok_or(PortalError::NotFound)?;
        if method.is_expired(self.today(tenant)) {
            return Err(PortalError::invalid(
                "method",
                format!("{} has expired; use another card", method.label()),
            ));
        }
        Ok(method)
    }

    /// Saves a one-time token with the gateway and puts the card on file.
    async fn save_new_method(
        self,
        tenant: &Tenant,
        scope: &AccountScope,
        contact: ContactId,
        token: &str,
        make_default: bool,
    ) -> Result<PaymentMethod, GatewayError> {
        if !tenant.settings.features.is_on(Feature::CardOnFile) {
            return Err(GatewayError::InvalidMethod(
                "cards on file are off".to_owned(),
            ));
        }
        let on_file = self
            .portal
            .stores()
            .payment_methods
            .payment_methods(scope)
            .await
            .map_err(|error| GatewayError::Failed(error.to_string()))?;
        if on_file.len() >= MAX_PAYMENT_METHODS {
            return Err(GatewayError::InvalidMethod(TOO_MANY_CARDS.to_owned()));
        }
        let gateway = self
            .gateway()
            .map_err(|_| GatewayError::Failed("no gateway".to_owned()))?;
        let saved = gateway.save_method(token).await?;
        let method = PaymentMethod {
            id: PaymentMethodId::new(),
            account: scope.account(),
            gateway_token: saved.token,
            brand: saved.brand,
            last4: saved.last4,
            exp_month: saved.exp_month,
            exp_year: saved.exp_year,
            is_default: make_default,
            added_by: Some(contact),
            added_at: self.portal.inner.clock.now(),
        };
        let event = OutboxMessage::Event(DomainEvent::PaymentMethodAdded {
            account: scope.account(),
            method: method.id,
            contact,
        });
        self.portal
            .stores()
            .payment_methods
            .add_payment_method(scope, &method, &[event])
            .await
            .map_err(|error| GatewayError::Failed(error.to_string()))?;
        Ok(method)
    }

    /// Settles a pending payment with the gateway's answer, writing the
    /// receipt and the host's event in the same transaction.
    pub(crate) async fn settle(
        self,
        tenant: &Tenant,
        id: PaymentId,
        settlement: &Settlement,
    ) -> Result<PaymentDetail, PortalError> {
        let pending = self
            .portal
            .stores()
            .payments
            .tenant_payment(tenant.id, id)
            .await?
            .ok_or(PortalError::NotFound)?;
        let late_success = pending.payment.status == PaymentStatus::Failed
            && matches!(settlement, Settlement::Succeeded { .. });
        if pending.payment.status != PaymentStatus::Pending && !late_success {
            return Ok(pending);
        }
        let now = self.portal.inner.clock.now();
        let messages = if late_success {
            // The portal gave up on it, but the money was taken: it becomes
            // account credit, and the host hears of it.
            tracing::warn!(payment = %id, "a failed payment succeeded late; kept as account credit");
            let mut credited = pending.clone();
            credited.allocations.clear();
            self.settlement_messages(tenant, &credited, settlement, now)
                .await?
        } else {
            self.settlement_messages(tenant, &pending, settlement, now)
                .await?
        };
        Ok(self
            .portal
            .stores()
            .payments
            .settle_payment(tenant.id, id, settlement, now, &messages)
            .await?)
    }

    async fn settlement_messages(
        self,
        tenant: &Tenant,
        pending: &PaymentDetail,
        settlement: &Settlement,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<OutboxMessage>, PortalError> {
        let payment = &pending.payment;
        let reference = match settlement {
            Settlement::Failed { message } => {
                return Ok(vec![OutboxMessage::Event(DomainEvent::PaymentFailed {
                    account: payment.account,
                    payment: payment.id,
                    message: message.clone(),
                })]);
            }
            Settlement::Succeeded { reference } => reference,
        };
        let mut messages = vec![OutboxMessage::Event(DomainEvent::PaymentSucceeded {
            account: payment.account,
            payment: payment.id,
            amount: payment.amount,
            currency: payment.currency,
            allocations: pending.allocations.clone(),
            reference: reference.clone(),
        })];
        let contact = match payment.contact {
            Some(contact) => {
                self.portal
                    .stores()
                    .contacts
                    .contact(tenant.id, contact)
                    .await?
            }
            None => None,
        };
        let account = self
            .portal
            .stores()
            .accounts
            .account(tenant.id, payment.account)
            .await?;
        if let (Some(contact), Some(account)) = (contact, account) {
            if let Some(to) = contact.email.clone() {
                let allocated: Decimal = pending.allocations.iter().map(|a| a.amount).sum();
                messages.push(OutboxMessage::Mail(Email {
                    to,
                    to_name: contact.name.clone(),
                    business_name: tenant.settings.display_name.clone(),
                    reply_to: tenant.settings.contact.email.clone(),
                    kind: EmailKind::PaymentReceipt(Receipt {
                        payment: payment.id,
                        account: format!("{} ({})", account.name, account.number),
                        amount: payment.amount,
                        currency: payment.currency,
                        method_label: payment
                            .method_label
                            .clone()
                            .unwrap_or_else(|| "Card".to_owned()),
                        reference: reference.clone(),
                        paid_at: now,
                        allocations: pending.allocations.clone(),
                        credit: payment.amount - allocated,
                        link: receipt_link(tenant, payment.id),
                    }),
                }));
            }
        }
        Ok(messages)
    }

    /// Settles every payment of `tenant` pending since before `before`
    /// whose charge the gateway knows; those it does not know and that
    /// are older than `abandon_before` failed to reach it and are failed.
    /// Returns how many were settled.
    pub(crate) async fn reconcile(
        self,
        tenant: TenantId,
        before: chrono::DateTime<chrono::Utc>,
        abandon_before: chrono::DateTime<chrono::Utc>,
    ) -> Result<usize, PortalError> {
        let tenant = self.portal.tenant(tenant).await?;
        let gateway = self.gateway()?.clone();
        let pending = self
            .portal
            .stores()
            .payments
            .pending_payments(tenant.id, before, 100)
            .await?;
        let mut settled = 0;
        for payment in pending {
            let settlement = match gateway.charge_status(&payment.id.to_string()).await {
                Ok(Some(outcome)) => settlement_of(outcome),
                Ok(None) if payment.received_at < abandon_before => Settlement::Failed {
                    message: "The payment did not go through, and nothing was charged.".to_owned(),
                },
                Ok(None) => continue,
                Err(error) => {
                    tracing::warn!(payment = %payment.id, cause = %error, "reconcile: gateway failed");
                    continue;
                }
            };
            // One payment's trouble must not stall the others.
            match self.settle(&tenant, payment.id, &settlement).await {
                Ok(_) => settled += 1,
                Err(error) => {
                    tracing::error!(payment = %payment.id, %error, "reconcile: settling failed");
                }
            }
        }
        Ok(settled)
    }

    /// The autopay run of [`crate::HostApi::run_autopay`].
    pub(crate) async fn run_autopay(self, tenant: TenantId) -> Result<AutopayRun, PortalError> {
        let tenant = self.portal.tenant(tenant).await?;
        let mut run = AutopayRun::default();
        if !tenant.settings.features.is_on(Feature::Autopay) {
            return Ok(run);
        }
        let gateway = self.gateway()?.clone();
        let today = self.today(&tenant);
        let due = self
            .portal
            .stores()
            .autopay
            .autopay_due(tenant.id, today, 100)
            .await?;
        for consent in due {
            match self
                .charge_autopay(&tenant, gateway.as_ref(), &consent, today)
                .await
            {
                Ok(Some(detail)) => match detail.payment.status {
                    PaymentStatus::Succeeded => run.paid += 1,
                    PaymentStatus::Failed => run.failed += 1,
                    PaymentStatus::Pending => run.pending += 1,
                },
                Ok(None) => run.skipped += 1,
                Err(error) => {
                    // One account's trouble must not stop the others.
                    tracing::warn!(account = %consent.account, %error, "autopay: not charged");
                    run.skipped += 1;
                }
            }
        }
        Ok(run)
    }

    /// One account's autopay charge: its invoices due by `today`, whole,
    /// with the consent's card. `None` when there is nothing to do (the
    /// card is gone or expired, or today's charge was made).
    async fn charge_autopay(
        self,
        tenant: &Tenant,
        gateway: &dyn PaymentGateway,
        consent: &AutopayConsent,
        today: NaiveDate,
    ) -> Result<Option<PaymentDetail>, PortalError> {
        let scope = AccountScope::for_host(tenant.id, consent.account);
        let Some(method) = self
            .portal
            .stores()
            .payment_methods
            .payment_methods(&scope)
            .await?
            .into_iter()
            .find(|method| method.id == consent.method && !method.is_expired(today))
        else {
            tracing::warn!(account = %consent.account, "autopay: the card is gone or expired");
            return Ok(None);
        };
        let allocations: Vec<Allocation> = self
            .portal
            .stores()
            .invoices
            .unpaid_invoices(&scope, MAX_PAYABLE_INVOICES)
            .await?
            .iter()
            .filter(|invoice| invoice.due_on <= today && invoice.payable() > Decimal::ZERO)
            .map(|invoice| Allocation {
                invoice: invoice.id,
                invoice_number: invoice.number.clone(),
                amount: invoice.payable(),
            })
            .collect();
        if allocations.is_empty() {
            return Ok(None);
        }
        let choice = MethodChoice::Saved { id: method.id };
        let asked: Vec<_> = allocations
            .iter()
            .map(|a| (a.invoice, Some(a.amount)))
            .collect();
        let intent = PaymentIntent {
            id: PaymentId::new(),
            idempotency_key: IdempotencyKey::parse(&format!("autopay-{}-{today}", consent.id))?,
            fingerprint: PaymentIntent::fingerprint_of(&asked, None, &choice),
            amount: allocations.iter().map(|a| a.amount).sum(),
            currency: tenant.settings.currency(),
            allocations,
            method: Some(method.id),
            method_label: Some(format!("Autopay, {}", method.label())),
            contact: Some(consent.contact),
            source: PaymentSource::Autopay,
            at: self.portal.inner.clock.now(),
        };
        match self
            .portal
            .stores()
            .payments
            .begin_payment(&scope, &intent)
            .await?
        {
            PaymentStart::Started => self
                .charge_and_settle(tenant, gateway, &intent, Ok(method.gateway_token))
                .await
                .map(Some),
            // Today's charge was made (or is under way) already.
            PaymentStart::Replay(_) | PaymentStart::InProgress(_) | PaymentStart::KeyReused => {
                Ok(None)
            }
        }
    }

    /// Handles a payment provider's webhook for `tenant`: checks the
    /// signature and settles the payment it is about. Repeats of an event
    /// change nothing (settling is conditional on the payment being
    /// pending); events about unknown payments are ignored.
    pub async fn handle_payment_webhook(
        self,
        tenant: TenantId,
        body: &[u8],
        signature_header: &str,
    ) -> Result<(), PortalError> {
        let tenant = self.portal.tenant(tenant).await?;
        let gateway = self.gateway()?.clone();
        let event = gateway
            .verify_webhook(body, signature_header, self.portal.inner.clock.now())
            .map_err(|error| PortalError::invalid("signature", error.to_string()))?;
        let Ok(id) = PaymentId::parse(&event.idempotency_key) else {
            tracing::info!(event = %event.id, "webhook about a charge that is not ours");
            return Ok(());
        };
        match self
            .settle(&tenant, id, &settlement_of(event.outcome))
            .await
        {
            Err(PortalError::NotFound) => {
                tracing::info!(event = %event.id, "webhook about an unknown payment");
                Ok(())
            }
            other => other.map(|_| ()),
        }
    }
}

/// What a retried payment request gets: the first attempt's result, or why
/// it cannot have one.
fn answer_from_earlier(earlier: PaymentStart) -> Result<PaymentDetail, PortalError> {
    match earlier {
        PaymentStart::Replay(detail) => Ok(detail),
        PaymentStart::InProgress(_) => Err(PortalError::Conflict(
            "This payment is still being processed. Check your payment history in a moment \
             before trying again."
                .to_owned(),
        )),
        PaymentStart::KeyReused => Err(crate::billing::payment::key_reused()),
        PaymentStart::Started => Err(PortalError::Internal(
            "a payment attempt was reported as started".to_owned(),
        )),
    }
}

fn settlement_of(outcome: ChargeOutcome) -> Settlement {
    match outcome {
        ChargeOutcome::Succeeded { reference } => Settlement::Succeeded { reference },
        ChargeOutcome::Declined { message, .. } => Settlement::Failed {
            message: format!("{message} Nothing was charged."),
        },
    }
}

/// The receipt page of a payment, from the tenant's base URL.
fn receipt_link(tenant: &Tenant, payment: PaymentId) -> String {
    tenant
        .base_url
        .join(&format!("billing/payments/{payment}"))
        .map(String::from)
        .unwrap_or_else(|_| tenant.base_url.to_string())
}

/// The digest of autopay terms a consent quotes.
fn terms_digest(terms: &str) -> String {
    hex::encode(Sha256::digest(terms.as_bytes()))
}

/// Checks an amount a customer typed: above zero, whole minor units.
fn positive_amount(
    field: &'static str,
    amount: Decimal,
    currency: Currency,
) -> Result<Decimal, PortalError> {
    if amount <= Decimal::ZERO || currency.to_minor(amount).is_none() {
        return Err(PortalError::invalid(
            field,
            format!(
                "must be more than zero, with at most {} decimals",
                currency.minor_digits()
            ),
        ));
    }
    Ok(currency.round(amount))
}

/// A gateway token is opaque, but never a card number and never huge.
fn check_gateway_token(token: &str) -> Result<(), PortalError> {
    let digits = token.chars().filter(char::is_ascii_digit).count();
    if token.is_empty() {
        return Err(PortalError::invalid(
            "token",
            "is missing: enter the new card, or choose a saved one",
        ));
    }
    if token.len() > 200 || token.chars().any(char::is_whitespace) {
        return Err(PortalError::invalid("token", "is not a payment token"));
    }
    if digits >= 12 && digits * 10 >= token.len() * 8 {
        // Looks like a card number: refuse it so it is never sent or stored.
        return Err(PortalError::invalid(
            "token",
            "looks like a card number; the portal only takes the payment provider's token",
        ));
    }
    Ok(())
}
