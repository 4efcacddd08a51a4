//! Paying: what can be paid, previewing and reviewing a payment, and
//! paying (hold, charge, settle; see [`crate::billing::payment`]). A
//! retried request with the same key never reaches the gateway twice: the
//! store answers it from the first payment.

use crate::shared::{Reason, Shape};
use rust_decimal::Decimal;

use crate::access::{AccessError, AccountScope, Actor, Permission};
use crate::billing::{AccountSummary, CreditSplit};
use crate::billing::{
    ChargeOutcome, ChargeRequest, GatewayError, MethodChoice, PayRequest, PayableInvoice,
    PaymentDetail, PaymentGateway, PaymentIntent, PaymentMethod, PaymentSource, PaymentStart,
    PaymentStatus, Settlement, allocate_oldest_first, allocate_selection, split_credit,
};
use crate::error::PortalError;
use crate::identity::AuthContext;
use crate::outbox::{DomainEvent, OutboxMessage};
use crate::portal::acting_contact;
use crate::shared::{AtLeast, ContactId, Currency, Money, PaymentId, PaymentMethodId};
use crate::tenancy::{Feature, Tenant};

use super::*;

impl BillingService<'_> {
    /// Everything the pay page needs.
    pub async fn payment_options(self, actor: &Actor) -> Result<PaymentOptions, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::PayInvoices).await?;
        let features = &tenant.settings.features;
        let today = self.today(&tenant);
        let currency = tenant.settings.currency();
        let (summary, unpaid) = self.summary_and_unpaid(&scope, currency, today).await?;
        let methods = if features.is_on(Feature::CardOnFile) {
            self.stores()
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
                .authorize(actor, Permission::ManagePaymentMethods)
                .await
                .is_ok(),
            today,
        })
    }

    /// The account's summary and its unpaid invoices: what the pay and
    /// credit pages start from.
    pub(super) async fn summary_and_unpaid(
        self,
        scope: &AccountScope,
        currency: Currency,
        today: NaiveDate,
    ) -> Result<(AccountSummary, Vec<Invoice>), PortalError> {
        let summary = self
            .stores()
            .ledger
            .account_summary(scope, currency, today)
            .await?;
        let unpaid = self
            .stores()
            .invoices
            .unpaid_invoices(scope, MAX_PAYABLE_INVOICES)
            .await?;
        Ok((summary, unpaid))
    }

    /// How `amount` charged to a card (by default the whole payable
    /// balance, less the credit when `use_credit`) would pay the unpaid
    /// invoices, oldest first, with account credit first when
    /// `use_credit`. More than is owed is refused unless the tenant takes
    /// prepayments, in which case the rest shows as account credit.
    /// Nothing is applied or charged.
    pub async fn preview_payment(
        self,
        actor: &Actor,
        amount: Option<Decimal>,
        use_credit: bool,
    ) -> Result<PaymentPreview, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::PayInvoices).await?;
        let currency = tenant.settings.currency();
        let summary = self
            .stores()
            .ledger
            .account_summary(&scope, currency, self.today(&tenant))
            .await?;
        let payable = self.payable_invoices(&scope).await?;
        let owed = Money::new(
            payable.iter().map(|invoice| invoice.payable.amount()).sum(),
            currency,
        );
        if !owed.is_positive() && amount.is_none() {
            return Err(BillingConflict::NothingOwed.into());
        }
        // The credit this payment may use: what there is, up to what is owed.
        let credit = if use_credit && summary.credit.is_positive() {
            Money::new(summary.credit.amount().min(owed.amount()), currency)
        } else {
            Money::zero(currency)
        };
        let amount = match amount {
            Some(amount) => positive_amount("amount", amount, currency)?,
            None => Money::new(owed.amount() - credit.amount(), currency),
        };
        let total = Money::new(amount.amount() + credit.amount(), currency);
        let whole_invoices = !tenant.settings.features.is_on(Feature::PartialPayment);
        let mut plan = allocate_oldest_first(total, &payable, whole_invoices);
        let split = split_credit(&plan.allocations, credit);
        let used = split.credit_used(currency);
        // What the plan left over counted credit it did not use; only card
        // money is left over for a prepayment.
        plan.unallocated = Money::new(
            (plan.unallocated.amount() - (credit.amount() - used.amount())).max(Decimal::ZERO),
            currency,
        );
        if plan.unallocated.is_positive() && !tenant.settings.features.is_on(Feature::Prepayment) {
            if total.amount() > owed.amount() {
                let owed = Money::new(owed.amount() - credit.amount(), currency);
                return Err(PortalError::invalid("amount", Reason::OverOwed { owed }));
            }
            // Whole invoices only, and the amount stops inside one: offer
            // the card amounts on either side that pay whole invoices.
            let below = plan.allocated();
            let next = payable
                .iter()
                .filter(|invoice| !plan.allocations.iter().any(|a| a.invoice == invoice.id))
                .min_by_key(|invoice| (invoice.due_on, invoice.issued_on, invoice.number.clone()))
                .map_or(below, |invoice| {
                    Money::new(below.amount() + invoice.payable.amount(), currency)
                });
            let card = |total: Money| {
                Money::new(
                    (total.amount() - credit.amount()).max(Decimal::ZERO),
                    currency,
                )
            };
            return Err(PortalError::invalid(
                "amount",
                Reason::WholeInvoices {
                    below: card(below),
                    above: card(next),
                },
            ));
        }
        Ok(PaymentPreview {
            balance_after: Money::new(summary.current_balance.amount() - amount.amount(), currency),
            amount,
            plan,
            credit: split.credit,
            credit_available: summary.credit,
        })
    }

    /// What `request` would charge and to which card, checked exactly as
    /// [`BillingService::pay`] checks it, with the credit it uses and the
    /// balance left; nothing is written or charged.
    pub async fn review_payment(
        self,
        actor: &Actor,
        request: &PayRequest,
    ) -> Result<PaymentReview, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::PayInvoices).await?;
        let checked = self
            .check_payment(actor, &tenant, &scope, request, true)
            .await?;
        let summary = checked.summary;
        Ok(PaymentReview {
            balance_after: Money::new(
                summary.current_balance.amount() - checked.amount.amount(),
                checked.amount.currency(),
            ),
            allocations: checked.shares,
            credit: checked.split.credit,
            credit_available: summary.credit,
            prepayment: checked.prepayment,
            amount: checked.amount,
            saved_method: checked.saved.clone(),
        })
    }

    /// The checks paying makes before anything is written: the features,
    /// the amounts against what is payable, the credit, the card (unless
    /// credit pays everything). The summary is read when credit is used
    /// or `with_summary` asks for it (a zero summary otherwise).
    pub(super) async fn check_payment(
        self,
        actor: &Actor,
        tenant: &Tenant,
        scope: &AccountScope,
        request: &PayRequest,
        with_summary: bool,
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
            _ => Money::zero(currency),
        };
        if request.invoices.is_empty() && prepayment.is_zero() {
            return Err(PortalError::invalid(
                "invoices",
                Reason::NothingChosen { or_prepay: true },
            ));
        }
        let payable = self.payable_invoices(scope).await?;
        let shares = allocate_selection(
            &request.invoices,
            &payable,
            currency,
            features.is_on(Feature::PartialPayment),
        )?;
        let summary = if request.use_credit || with_summary {
            self.stores()
                .ledger
                .account_summary(scope, currency, self.today(tenant))
                .await?
        } else {
            AccountSummary::zero(currency)
        };
        let split = if request.use_credit {
            split_credit(&shares, summary.credit)
        } else {
            CreditSplit {
                credit: Vec::new(),
                card: shares.clone(),
            }
        };
        let amount = Money::checked_sum(
            split.card.iter().map(|a| a.amount).chain([prepayment]),
            currency,
        )
        .ok()
        .filter(|amount| amount.to_minor().is_some());
        let Some(amount) = amount else {
            return Err(PortalError::invalid("amount", Reason::TooLarge));
        };

        // Credit paying everything needs no card: whatever the form sent
        // for one is not looked at.
        let saved = match &request.method {
            _ if amount.is_zero() => None,
            MethodChoice::Saved { id } => Some(self.usable_method(tenant, scope, *id).await?),
            MethodChoice::NewToken { token, save } => {
                check_gateway_token(token)?;
                if *save {
                    self.authorize(actor, Permission::ManagePaymentMethods)
                        .await?;
                    self.check_room_for_card(tenant, scope).await?;
                }
                None
            }
        };
        Ok(CheckedPayment {
            shares,
            split,
            prepayment,
            amount,
            saved,
            summary,
        })
    }

    /// Pays the chosen invoices (and a prepayment, if asked and allowed)
    /// in one charge. Returns the payment: `Succeeded` with its receipt
    /// mailed, `Failed` with the customer's message and nothing applied,
    /// or `Pending` when the gateway did not answer in time (it holds its
    /// invoices until a webhook or [`crate::HostApi::reconcile_payments`]
    /// settles it). A repeated idempotency key answers with the first
    /// payment; a key reused for something else is refused.
    ///
    /// It takes the session's [`AuthContext`] rather than only the actor:
    /// the receipt's recipient and the account it names are what the
    /// session read already, so settling reads neither again.
    pub async fn pay(
        self,
        auth: &AuthContext,
        request: PayRequest,
    ) -> Result<PaymentDetail, PortalError> {
        let actor = &auth.actor;
        // The session's contact and membership name the receipt's recipient
        // and account only when they are the actor's (a host may build an
        // `AuthContext` itself); otherwise settling reads them.
        let payer = (actor.contact() == Some(auth.contact.id)
            && auth.membership.account == actor.account())
        .then_some(Payer { auth });
        let (tenant, scope) = self.authorize(actor, Permission::PayInvoices).await?;
        let contact = acting_contact(actor)?;
        let gateway = self.gateway()?.clone();

        // A retry is answered from the first attempt before any balance is
        // read: after a success the invoices are paid, and re-validating
        // them would refuse the very request that paid them.
        let fingerprint = PaymentIntent::fingerprint_with_credit(
            &request.invoices,
            request.prepayment,
            &request.method,
            request.use_credit,
        );
        if let Some(earlier) = self
            .stores()
            .payments
            .payment_attempt(&scope, &request.idempotency_key, &fingerprint)
            .await?
        {
            return answer_from_earlier(earlier);
        }

        let checked = match self
            .check_payment(actor, &tenant, &scope, &request, false)
            .await
        {
            Ok(checked) => checked,
            // A concurrent request with this key may have paid (or held) the
            // invoices since the lookup above: then it, not the balances,
            // has the answer.
            Err(error @ (PortalError::NotFound | PortalError::Conflict(_))) => {
                return match self
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
            split,
            amount,
            saved,
            ..
        } = checked;
        if amount.is_zero() {
            // Nothing to charge: the customer applies the credit instead,
            // which needs no card and no payment record.
            return Err(PortalError::invalid("use_credit", Reason::CoveredByCredit));
        }
        // A card to keep is put on file before the payment starts, so the
        // payment (and its receipt) names it: "Visa ending 4242", not "Card".
        let mut saved_now = None;
        let (token, method_label) = match (&request.method, &saved) {
            (_, Some(method)) => (Ok(method.gateway_token.clone()), method.label()),
            (MethodChoice::NewToken { token, save: true }, None) => {
                match self.save_new_method(&scope, contact, token, false).await {
                    Ok(method) => {
                        saved_now = Some(method.id);
                        (Ok(method.gateway_token.clone()), method.label())
                    }
                    // Nothing was charged when saving fails, even by
                    // timeout: the payment is recorded as failed rather
                    // than left holding.
                    Err(error) => (
                        Err(match error {
                            GatewayError::Timeout => {
                                GatewayError::Failed("saving the card timed out".to_owned())
                            }
                            other => other,
                        }),
                        crate::billing::payment::UNDESCRIBED_CARD.to_owned(),
                    ),
                }
            }
            (MethodChoice::NewToken { token, .. }, None) => (
                Ok(token.clone()),
                crate::billing::payment::UNDESCRIBED_CARD.to_owned(),
            ),
            (MethodChoice::Saved { .. }, None) => (
                Err(GatewayError::InvalidMethod(
                    "saved method vanished".to_owned(),
                )),
                crate::billing::payment::UNDESCRIBED_CARD.to_owned(),
            ),
        };
        let intent = PaymentIntent {
            id: PaymentId::new(),
            idempotency_key: request.idempotency_key.clone(),
            fingerprint,
            amount,
            allocations: split.card,
            credit: split.credit,
            method: saved.as_ref().map(|method| method.id).or(saved_now),
            method_label: Some(method_label),
            contact: Some(contact),
            source: PaymentSource::Portal,
            at: self.portal.inner.clock.now(),
        };
        // A concurrent request with the same key may have started first;
        // a card saved for this attempt goes again then.
        let started = self.stores().payments.begin_payment(&scope, &intent).await;
        match started {
            Ok(PaymentStart::Started) => {}
            other => {
                if let Some(id) = saved_now {
                    self.forget_saved_card(&scope, contact, id).await;
                }
                return answer_from_earlier(other?);
            }
        }

        // The payment is recorded and its invoices held: from here on every
        // way out settles it (or leaves it pending on a timeout).
        let detail = self
            .charge_and_settle(&tenant, gateway.as_ref(), &intent, token, payer.as_ref())
            .await?;
        // A card saved for this payment is kept only if it paid (or may
        // yet): one that was just declined is not one to keep on file.
        if let (Some(id), PaymentStatus::Failed) = (saved_now, detail.payment.status) {
            self.forget_saved_card(&scope, contact, id).await;
        }
        Ok(detail)
    }

    /// Removes a card saved for a payment that did not go through (or
    /// never started); a failure is logged, the payment's answer stands.
    async fn forget_saved_card(
        self,
        scope: &AccountScope,
        contact: ContactId,
        id: PaymentMethodId,
    ) {
        let event = OutboxMessage::Event(DomainEvent::PaymentMethodRemoved {
            account: scope.account(),
            method: id,
            contact,
        });
        if let Err(error) = self
            .stores()
            .payment_methods
            .remove_payment_method(scope, id, None, self.portal.inner.clock.now(), &[event])
            .await
        {
            tracing::warn!(%error, method = %id, "could not remove a card saved for a failed payment");
        }
    }

    /// Charges a started (pending, holding) payment with `token` and
    /// settles it with the answer; a timeout leaves it pending. Every way
    /// out of a started payment goes through here.
    pub(crate) async fn charge_and_settle(
        self,
        tenant: &Tenant,
        gateway: &dyn PaymentGateway,
        intent: &PaymentIntent,
        token: Result<CardToken, GatewayError>,
        payer: Option<&Payer<'_>>,
    ) -> Result<PaymentDetail, PortalError> {
        let charged = match token {
            Ok(token) => {
                gateway
                    .charge(&ChargeRequest {
                        amount: intent.amount,
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
                record_payment(PaymentStatus::Pending);
                return self
                    .stores()
                    .payments
                    .tenant_payment(tenant.id, intent.id)
                    .await?
                    .ok_or(PortalError::NotFound);
            }
            Err(GatewayError::InvalidMethod(cause)) => {
                tracing::info!(payment = %intent.id, %cause, "gateway refused the method");
                Settlement::Failed {
                    failure: PaymentFailure::MethodRefused,
                }
            }
            Err(GatewayError::Failed(cause)) => {
                tracing::warn!(payment = %intent.id, %cause, "gateway failed");
                Settlement::Failed {
                    failure: PaymentFailure::ProviderFailed,
                }
            }
        };
        let detail = self.settle(tenant, intent.id, &settlement, payer).await?;
        record_payment(detail.payment.status);
        Ok(detail)
    }

    pub(super) async fn payable_invoices(
        self,
        scope: &AccountScope,
    ) -> Result<Vec<PayableInvoice>, PortalError> {
        Ok(self
            .stores()
            .invoices
            .unpaid_invoices(scope, MAX_PAYABLE_INVOICES)
            .await?
            .iter()
            .map(PayableInvoice::from)
            .collect())
    }

    /// A card on file of the account that has not expired.
    pub(super) async fn usable_method(
        self,
        tenant: &Tenant,
        scope: &AccountScope,
        id: PaymentMethodId,
    ) -> Result<PaymentMethod, PortalError> {
        if !tenant.settings.features.is_on(Feature::CardOnFile) {
            return Err(AccessError::FeatureOff.into());
        }
        let method = self
            .stores()
            .payment_methods
            .payment_methods(scope)
            .await?
            .into_iter()
            .find(|method| method.id == id)
            .ok_or(PortalError::NotFound)?;
        if method.is_expired(self.today(tenant)) {
            return Err(PortalError::invalid("method", Reason::CardExpired));
        }
        Ok(method)
    }

    /// Refuses a new card on file before anything is saved or charged:
    /// the feature is off, or the account keeps the most cards it may.
    pub(super) async fn check_room_for_card(
        self,
        tenant: &Tenant,
        scope: &AccountScope,
    ) -> Result<(), PortalError> {
        if !tenant.settings.features.is_on(Feature::CardOnFile) {
            return Err(AccessError::FeatureOff.into());
        }
        let on_file = self.stores().payment_methods.payment_methods(scope).await?;
        if on_file.len() >= MAX_PAYMENT_METHODS {
            return Err(BillingConflict::TooManyCards {
                max: MAX_PAYMENT_METHODS,
            }
            .into());
        }
        Ok(())
    }

    /// Saves a one-time token with the gateway and puts the card on file
    /// (after [`Self::check_room_for_card`]).
    pub(super) async fn save_new_method(
        self,
        scope: &AccountScope,
        contact: ContactId,
        token: &CardToken,
        make_default: bool,
    ) -> Result<PaymentMethod, GatewayError> {
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
        self.stores()
            .payment_methods
            .add_payment_method(scope, &method, &[event])
            .await
            .map_err(|error| GatewayError::Failed(error.to_string()))?;
        Ok(method)
    }
}

/// What a retried payment request gets: the first attempt's result, or why
/// it cannot have one.
pub(super) fn answer_from_earlier(earlier: PaymentStart) -> Result<PaymentDetail, PortalError> {
    match earlier {
        PaymentStart::Replay(detail) => Ok(detail),
        PaymentStart::InProgress(_) => Err(BillingConflict::PaymentInProgress.into()),
        PaymentStart::KeyReused => Err(crate::billing::payment::key_reused()),
        PaymentStart::Started => Err(PortalError::Internal(
            "a payment attempt was reported as started".to_owned(),
        )),
    }
}

pub(super) fn settlement_of(outcome: ChargeOutcome) -> Settlement {
    match outcome {
        ChargeOutcome::Succeeded { reference } => Settlement::Succeeded { reference },
        ChargeOutcome::Declined { message, .. } => Settlement::Failed {
            failure: PaymentFailure::Declined { message },
        },
    }
}

/// Checks an amount a customer typed ([`Money::exact`]): above zero,
/// whole minor units.
pub(super) fn positive_amount(
    field: &'static str,
    amount: Decimal,
    currency: Currency,
) -> Result<Money, PortalError> {
    Money::exact(amount, currency, AtLeast::MoreThanZero).map_err(|_| {
        PortalError::invalid(
            field,
            Reason::NotPositiveAmount {
                decimals: currency.minor_digits(),
            },
        )
    })
}

/// A gateway token is opaque, but never a card number and never huge.
pub(super) fn check_gateway_token(token: &CardToken) -> Result<(), PortalError> {
    let token = token.expose();
    let digits = token.chars().filter(char::is_ascii_digit).count();
    if token.is_empty() {
        return Err(PortalError::invalid("token", Reason::CardMissing));
    }
    if token.len() > 200 || token.chars().any(char::is_whitespace) {
        return Err(PortalError::invalid(
            "token",
            Reason::Malformed(Shape::PaymentToken),
        ));
    }
    if digits >= 12 && digits * 10 >= token.len() * 8 {
        // Looks like a card number: refuse it so it is never sent or stored.
        return Err(PortalError::invalid("token", Reason::CardNumber));
    }
    Ok(())
}

/// Counts a charge the gateway answered (or left pending) in the
/// `portal_payments_total` metric, by outcome.
fn record_payment(status: PaymentStatus) {
    let outcome = match status {
        PaymentStatus::Succeeded => "succeeded",
        PaymentStatus::Failed => "failed",
        PaymentStatus::Pending => "pending",
    };
    metrics::counter!("portal_payments_total", "outcome" => outcome).increment(1);
}
