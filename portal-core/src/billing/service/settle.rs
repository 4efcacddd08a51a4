//! Settling payments with the gateway's answer: after a charge, from the
//! provider's webhook, by the reconcile sweep, and the daily autopay run.

use chrono::NaiveDate;

use crate::access::AccountScope;
use crate::audit::{AuditAction, AuditActor, AuditEntry};
use crate::billing::{
    Allocation, AutopayConsent, IdempotencyKey, MethodChoice, PaymentDetail, PaymentGateway,
    PaymentIntent, PaymentSource, PaymentStart, PaymentStatus, Settlement,
};
use crate::error::PortalError;
use crate::identity::Contact;
use crate::outbox::{DomainEvent, Email, EmailKind, MessageAllocation, OutboxMessage, Receipt};
use crate::shared::{Money, PaymentId, Reason, TenantId};
use crate::tenancy::{Feature, Tenant};

use super::*;

impl BillingService<'_> {
    /// Settles a pending payment with the gateway's answer, writing the
    /// receipt and the host's event in the same transaction.
    pub(crate) async fn settle(
        self,
        tenant: &Tenant,
        id: PaymentId,
        settlement: &Settlement,
        payer: Option<&Payer<'_>>,
    ) -> Result<PaymentDetail, PortalError> {
        let pending = self
            .stores()
            .payments
            .tenant_payment(tenant.id, id)
            .await?
            .ok_or(PortalError::NotFound)?;
        let late_success = pending.payment.status == PaymentStatus::Failed
            && matches!(settlement, Settlement::Succeeded { .. });
        if pending.payment.status != PaymentStatus::Pending && !late_success {
            // Settled before; tell again in case that call failed after
            // the settlement (the notice's key keeps it to once).
            self.notify_settled(tenant, &pending, payer).await?;
            return Ok(pending);
        }
        let now = self.portal.inner.clock.now();
        let messages = if late_success {
            // The portal gave up on it, but the money was taken: it becomes
            // account credit, and the host hears of it.
            tracing::warn!(payment = %id, "a failed payment succeeded late; kept as account credit");
            let mut credited = pending.clone();
            credited.allocations.clear();
            self.settlement_messages(tenant, &credited, settlement, now, payer)
                .await?
        } else {
            self.settlement_messages(tenant, &pending, settlement, now, payer)
                .await?
        };
        let settled = self
            .stores()
            .payments
            .settle_payment(tenant.id, id, settlement, now, &messages)
            .await?;
        self.notify_settled(tenant, &settled, payer).await?;
        Ok(settled)
    }

    /// Tells the account's contacts a payment went through or failed; the
    /// contact who paid (who was mailed a receipt, or saw the outcome
    /// while paying) gets no second mail.
    async fn notify_settled(
        self,
        tenant: &Tenant,
        detail: &PaymentDetail,
        payer: Option<&Payer<'_>>,
    ) -> Result<(), PortalError> {
        let Some(notice) = crate::notifications::triggers::payment_settled(detail) else {
            return Ok(());
        };
        let mailed = match detail.payment.status {
            PaymentStatus::Succeeded => detail.payment.contact,
            _ => payer.map(|payer| payer.auth.contact.id),
        };
        crate::notifications::notify(
            self.portal,
            tenant.id,
            detail.payment.account,
            notice,
            mailed,
        )
        .await
    }

    pub(super) async fn settlement_messages(
        self,
        tenant: &Tenant,
        pending: &PaymentDetail,
        settlement: &Settlement,
        now: chrono::DateTime<chrono::Utc>,
        payer: Option<&Payer<'_>>,
    ) -> Result<Vec<OutboxMessage>, PortalError> {
        let payment = &pending.payment;
        let reference = match settlement {
            Settlement::Failed { failure } => {
                return Ok(vec![OutboxMessage::Event(DomainEvent::PaymentFailed {
                    account: payment.account,
                    payment: payment.id,
                    failure: failure.clone(),
                })]);
            }
            Settlement::Succeeded { reference } => reference,
        };
        let mut messages = Vec::with_capacity(3);
        if let (false, Some(contact)) = (pending.credit.is_empty(), payment.contact) {
            // The credit was applied when the payment started; the host
            // hears of it once the payment it came with went through.
            messages.push(OutboxMessage::Event(DomainEvent::CreditApplied {
                account: payment.account,
                contact,
                allocations: pending.credit.iter().map(MessageAllocation::from).collect(),
            }));
        }
        messages.push(OutboxMessage::Event(DomainEvent::PaymentSucceeded {
            account: payment.account,
            payment: payment.id,
            amount: payment.amount.amount(),
            currency: payment.amount.currency(),
            allocations: pending
                .allocations
                .iter()
                .map(MessageAllocation::from)
                .collect(),
            reference: reference.clone(),
        }));
        // The audit log: the contact paying in the portal, else (autopay,
        // a provider's late answer) the host.
        let audited = match payer {
            Some(payer) => AuditEntry::by(payer.auth, AuditAction::PaymentMade, now),
            None => AuditEntry::new(tenant.id, AuditAction::PaymentMade, AuditActor::Host, now)
                .on(payment.account),
        };
        messages.push(
            audited
                .with_detail(format!(
                    "{} {}",
                    payment.amount.amount(),
                    payment.amount.currency()
                ))
                .message(),
        );
        let payer = match payer {
            Some(payer) => Some((payer.auth.contact.clone(), payer.account_label())),
            None => self.read_payer(tenant, payment).await?,
        };
        if let Some((contact, account)) = payer {
            if let Some(to) = contact.email.clone() {
                let credit = Money::checked_sum(
                    pending.allocations.iter().map(|a| a.amount),
                    payment.amount.currency(),
                )
                .and_then(|allocated| payment.amount.checked_sub(allocated))
                .map_err(|error| PortalError::Internal(error.to_string()))?;
                // What is left to pay once this payment is applied: its
                // holds are still part of the balance (the credit it uses
                // was applied already).
                let scope = crate::access::AccountScope::for_host(tenant.id, payment.account);
                let currency = payment.amount.currency();
                let balance_after = self
                    .stores()
                    .ledger
                    .account_summary(&scope, currency, self.today(tenant))
                    .await?
                    .current_balance
                    .checked_sub(payment.amount)
                    .ok();
                messages.push(OutboxMessage::Mail(Email::for_contact(
                    tenant,
                    &contact,
                    to,
                    EmailKind::PaymentReceipt(Box::new(Receipt {
                        payment: payment.id,
                        account,
                        amount: payment.amount,
                        method_label: payment.method_label.clone().unwrap_or_else(|| {
                            crate::billing::payment::UNDESCRIBED_CARD.to_owned()
                        }),
                        reference: reference.clone(),
                        paid_at: now,
                        allocations: pending.allocations.clone(),
                        credit,
                        credit_used: pending.credit.clone(),
                        balance_after,
                        link: receipt_link(tenant, payment.id),
                    })),
                )));
            }
        }
        Ok(messages)
    }

    /// Who a receipt goes to and the account it names, read for payments
    /// made without a session (autopay, webhooks, reconciling).
    async fn read_payer(
        self,
        tenant: &Tenant,
        payment: &crate::billing::Payment,
    ) -> Result<Option<(Contact, String)>, PortalError> {
        let Some(contact) = payment.contact else {
            return Ok(None);
        };
        let stores = self.stores();
        let contact = stores.contacts.contact(tenant.id, contact).await?;
        let account = stores.accounts.account(tenant.id, payment.account).await?;
        Ok(contact
            .zip(account)
            .map(|(contact, account)| (contact, format!("{} ({})", account.name, account.number))))
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
            .stores()
            .payments
            .pending_payments(tenant.id, before, 100)
            .await?;
        let mut settled = 0;
        for payment in pending {
            let settlement = match gateway.charge_status(&payment.id.to_string()).await {
                Ok(Some(outcome)) => settlement_of(outcome),
                Ok(None) if payment.received_at < abandon_before => Settlement::Failed {
                    failure: PaymentFailure::Abandoned,
                },
                Ok(None) => continue,
                Err(error) => {
                    tracing::warn!(payment = %payment.id, cause = %error, "reconcile: gateway failed");
                    continue;
                }
            };
            // One payment's trouble must not stall the others.
            match self.settle(&tenant, payment.id, &settlement, None).await {
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
    pub(super) async fn charge_autopay(
        self,
        tenant: &Tenant,
        gateway: &dyn PaymentGateway,
        consent: &AutopayConsent,
        today: NaiveDate,
    ) -> Result<Option<PaymentDetail>, PortalError> {
        let scope = AccountScope::for_host(tenant.id, consent.account);
        let Some(method) = self
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
            .stores()
            .invoices
            .unpaid_invoices(&scope, MAX_PAYABLE_INVOICES)
            .await?
            .iter()
            .filter(|invoice| invoice.due_on <= today && invoice.payable().is_positive())
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
            .map(|a| (a.invoice, Some(a.amount.amount())))
            .collect();
        let currency = tenant.settings.currency();
        let amount = Money::checked_sum(allocations.iter().map(|a| a.amount), currency)
            .map_err(|error| PortalError::Internal(error.to_string()))?;
        let intent = PaymentIntent {
            id: PaymentId::new(),
            idempotency_key: IdempotencyKey::parse(&format!("autopay-{}-{today}", consent.id))?,
            fingerprint: PaymentIntent::fingerprint_of(&asked, None, &choice),
            amount,
            allocations,
            // Autopay never spends credit: it stays until the customer
            // applies it.
            credit: Vec::new(),
            method: Some(method.id),
            method_label: Some(crate::billing::payment::MethodLabel::autopay(&method)),
            contact: Some(consent.contact),
            source: PaymentSource::Autopay,
            at: self.portal.inner.clock.now(),
        };
        match self
            .stores()
            .payments
            .begin_payment(&scope, &intent)
            .await?
        {
            PaymentStart::Started => self
                .charge_and_settle(tenant, gateway, &intent, Ok(method.gateway_token), None)
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
            .map_err(|error| {
                tracing::info!(%error, "webhook signature refused");
                PortalError::invalid("signature", Reason::BadSignature)
            })?;
        let Ok(id) = PaymentId::parse(&event.idempotency_key) else {
            tracing::info!(event = %event.id, "webhook about a charge that is not ours");
            return Ok(());
        };
        match self
            .settle(&tenant, id, &settlement_of(event.outcome), None)
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

/// The receipt page of a payment, from the tenant's base URL.
pub(super) fn receipt_link(tenant: &Tenant, payment: PaymentId) -> String {
    tenant
        .base_url
        .join(&format!("billing/payments/{payment}"))
        .map(String::from)
        .unwrap_or_else(|_| tenant.base_url.to_string())
}
