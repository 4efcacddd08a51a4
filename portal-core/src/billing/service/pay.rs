//! Paying: what can be paid, previewing and reviewing a payment, and
//! paying (hold, charge, settle; see [`crate::billing::payment`]). A
//! retried request with the same key never reaches the gateway twice: the
//! store answers it from the first payment.

use crate::shared::{Reason, Shape};
use rust_decimal::Decimal;

use crate::access::{AccessError, AccountScope, Actor, Permission};
use crate::billing::{
    ChargeOutcome, ChargeRequest, GatewayError, MethodChoice, PayRequest, PayableInvoice,
    PaymentDetail, PaymentGateway, PaymentIntent, PaymentMethod, PaymentSource, PaymentStart,
    PaymentStatus, Settlement, allocate_oldest_first, allocate_selection,
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
        let summary = self
            .stores()
            .ledger
            .account_summary(&scope, currency, today)
            .await?;
        let unpaid = self
            .stores()
            .invoices
            .unpaid_invoices(&scope, MAX_PAYABLE_INVOICES)
            .await?;
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

    /// How `amount` (the whole payable balance when `None`) would pay the
    /// unpaid invoices, oldest first. More than is owed is refused unless
    /// the tenant takes prepayments, in which case the rest shows as
    /// account credit.
    pub async fn preview_payment(
        self,
        actor: &Actor,
        amount: Option<Decimal>,
    ) -> Result<PaymentPreview, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::PayInvoices).await?;
        let currency = tenant.settings.currency();
        let payable = self.payable_invoices(&scope).await?;
        let owed = Money::new(
            payable.iter().map(|invoice| invoice.payable.amount()).sum(),
            currency,
        );
        let amount = match amount {
            Some(amount) => positive_amount("amount", amount, currency)?,
            None if owed.is_positive() => owed,
            None => {
                return Err(BillingConflict::NothingOwed.into());
            }
        };
        let whole_invoices = !tenant.settings.features.is_on(Feature::PartialPayment);
        let plan = allocate_oldest_first(amount, &payable, whole_invoices);
        if plan.unallocated.is_positive() && !tenant.settings.features.is_on(Feature::Prepayment) {
            if amount.amount() > owed.amount() {
                return Err(PortalError::invalid("amount", Reason::OverOwed { owed }));
            }
            // Whole invoices only, and the amount stops inside one: offer
            // the amounts on either side that pay whole invoices.
            let below = plan.allocated();
            let next = payable
                .iter()
                .filter(|invoice| !plan.allocations.iter().any(|a| a.invoice == invoice.id))
                .min_by_key(|invoice| (invoice.due_on, invoice.issued_on, invoice.number.clone()))
                .map_or(below, |invoice| {
                    Money::new(below.amount() + invoice.payable.amount(), currency)
                });
            return Err(PortalError::invalid(
                "amount",
                Reason::WholeInvoices { below, above: next },
            ));
        }
        Ok(PaymentPreview { amount, plan })
    }

    /// What `request` would charge and to which card, checked exactly as
    /// [`BillingService::pay`] checks it; nothing is written or charged.
    pub async fn review_payment(
        self,
        actor: &Actor,
        request: &PayRequest,
    ) -> Result<PaymentReview, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::PayInvoices).await?;
        let checked = self.check_payment(actor, &tenant, &scope, request).await?;
        Ok(PaymentReview {
            allocations: checked.allocations,
            prepayment: checked.prepayment,
            amount: checked.amount,
            saved_method: checked.saved.as_ref().map(PaymentMethod::label),
        })
    }

    /// The checks paying makes before anything is written: the features,
    /// the amounts against what is payable, the card.
    pub(super) async fn check_payment(
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
            _ => Money::zero(currency),
        };
        if request.invoices.is_empty() && prepayment.is_zero() {
            return Err(PortalError::invalid(
                "invoices",
                Reason::NothingChosen { or_prepay: true },
            ));
        }
        let payable = self.payable_invoices(scope).await?;
        let allocations = allocate_selection(
            &request.invoices,
            &payable,
            currency,
            features.is_on(Feature::PartialPayment),
        )?;
        let amount = Money::checked_sum(
            allocations.iter().map(|a| a.amount).chain([prepayment]),
            currency,
        )
        .ok()
        .filter(|amount| amount.to_minor().is_some());
        let Some(amount) = amount else {
            return Err(PortalError::invalid("amount", Reason::TooLarge));
        };

        let saved = match &request.method {
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
        .then_some(Payer {
            contact: &auth.contact,
            membership: &auth.membership,
        });
        let (tenant, scope) = self.authorize(actor, Permission::PayInvoices).await?;
        let contact = acting_contact(actor)?;
        let gateway = self.gateway()?.clone();

        // A retry is answered from the first attempt before any balance is
        // read: after a success the invoices are paid, and re-validating
        // them would refuse the very request that paid them.
        let fingerprint =
            PaymentIntent::fingerprint_of(&request.invoices, request.prepayment, &request.method);
        if let Some(earlier) = self
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
                .save_new_method(&scope, contact, token, false)
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
            .charge_and_settle(&tenant, gateway.as_ref(), &intent, token, payer.as_ref())
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
