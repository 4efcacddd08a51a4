//! Applying account credit to invoices.

use crate::shared::Reason;
use rust_decimal::Decimal;

use crate::access::{Actor, Permission};
use crate::billing::{AccountSummary, allocate_selection};
use crate::error::PortalError;
use crate::outbox::{DomainEvent, MessageAllocation, OutboxMessage};
use crate::portal::acting_contact;
use crate::shared::InvoiceId;

use super::*;

impl BillingService<'_> {
    /// What the credit page needs: the summary and the unpaid invoices
    /// (no cards: applying credit charges none, so it works with online
    /// payment switched off).
    pub async fn credit_options(self, actor: &Actor) -> Result<PaymentOptions, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::ApplyCredit).await?;
        let today = self.today(&tenant);
        let (summary, unpaid) = self
            .summary_and_unpaid(&scope, tenant.settings.currency(), today)
            .await?;
        Ok(PaymentOptions {
            summary,
            unpaid,
            methods: Vec::new(),
            partial_allowed: true,
            prepayment_allowed: false,
            may_save_card: false,
            today,
        })
    }

    /// Applies account credit to chosen invoices (`None`: as much of the
    /// invoice as it can take). Credit is never applied otherwise.
    pub async fn apply_credit(
        self,
        actor: &Actor,
        chosen: &[(InvoiceId, Option<Decimal>)],
    ) -> Result<AccountSummary, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::ApplyCredit).await?;
        let contact = acting_contact(actor)?;
        let currency = tenant.settings.currency();
        let today = self.today(&tenant);
        let summary = self
            .stores()
            .ledger
            .account_summary(&scope, currency, today)
            .await?;
        if chosen.is_empty() {
            return Err(PortalError::invalid(
                "invoices",
                Reason::NothingChosen { or_prepay: false },
            ));
        }
        let payable = self.payable_invoices(&scope).await?;
        // Without an amount, an invoice takes what credit is left, in the
        // order chosen; once it is used up, the rest take nothing and are
        // left out (an unknown invoice still goes on, to be refused).
        let mut left = summary.credit.amount();
        let mut resolved = Vec::with_capacity(chosen.len());
        for (id, amount) in chosen {
            let amount = match amount {
                // Checked before any arithmetic: a client's huge number
                // must be a 422, not an overflow.
                Some(amount) => positive_amount("amount", *amount, currency)?.amount(),
                None => match payable.iter().find(|invoice| invoice.id == *id) {
                    Some(_) if left <= Decimal::ZERO => continue,
                    Some(invoice) => invoice.payable.amount().min(left),
                    None => Decimal::ZERO,
                },
            };
            left -= amount;
            resolved.push((*id, Some(amount)));
        }
        let no_credit = || PortalError::invalid("credit", Reason::NoCredit);
        if resolved.is_empty() {
            return Err(no_credit());
        }
        // Another account's invoice is NotFound before anything about credit.
        let allocations = allocate_selection(&resolved, &payable, currency, true)?;
        if !summary.credit.is_positive() {
            return Err(no_credit());
        }
        let total: Decimal = allocations.iter().map(|a| a.amount.amount()).sum();
        if total > summary.credit.amount() {
            return Err(PortalError::invalid(
                "amount",
                Reason::OverCredit {
                    credit: summary.credit,
                },
            ));
        }
        let event = OutboxMessage::Event(DomainEvent::CreditApplied {
            account: scope.account(),
            contact,
            allocations: allocations.iter().map(MessageAllocation::from).collect(),
        });
        self.stores()
            .payments
            .apply_credit(
                &scope,
                &allocations,
                self.portal.inner.clock.now(),
                &[event],
            )
            .await?;
        Ok(self
            .stores()
            .ledger
            .account_summary(&scope, currency, today)
            .await?)
    }
}
