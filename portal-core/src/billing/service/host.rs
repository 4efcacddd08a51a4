//! The host's billing API: it pushes invoices in, records payments and
//! credits taken outside the portal, voids invoices, and settles payments
//! whose gateway answer was lost.

use crate::shared::Reason;
use chrono::Duration;
use rust_decimal::Decimal;

use super::AutopayRun;
use crate::billing::{
    ExternalPayment, Invoice, InvoiceUpsert, PayableInvoice, PaymentDetail, allocate_selection,
};
use crate::error::PortalError;
use crate::host::HostApi;
use crate::notifications::{notify, triggers};
use crate::shared::{AtLeast, InvoiceId, Money, PaymentId, TenantId};

impl HostApi<'_> {
    /// Creates or updates an invoice by the host's id (idempotent); the
    /// portal computes its totals by the rule in [`crate::billing`].
    /// `Conflict` when it is void or its new total is below what is
    /// already paid on it.
    ///
    /// ```
    /// # async fn demo(portal: &portal_core::Portal, tenant: portal_core::shared::TenantId, account: portal_core::shared::AccountId) -> Result<(), portal_core::PortalError> {
    /// use portal_core::billing::{InvoiceLine, InvoiceUpsert};
    /// use portal_core::shared::{Currency, ExternalId};
    /// use rust_decimal::Decimal;
    /// let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    /// let invoice = portal.host().upsert_invoice(tenant, &InvoiceUpsert {
    ///     external_id: ExternalId::parse("inv-1042")?,
    ///     account,
    ///     number: "INV-1042".into(),
    ///     issued_on: day(1),
    ///     due_on: day(30),
    ///     currency: Currency::USD,
    ///     lines: vec![InvoiceLine {
    ///         description: "Quarterly pest control".into(),
    ///         quantity: Decimal::ONE,
    ///         unit_price: Decimal::new(12000, 2),
    ///         tax_rate: Decimal::new(825, 2),
    ///     }],
    ///     memo: None,
    ///     pdf: None,
    /// }).await?;
    /// assert_eq!(invoice.total.amount(), Decimal::new(12990, 2));
    /// # Ok(()) }
    /// ```
    pub async fn upsert_invoice(
        &self,
        tenant: TenantId,
        invoice: &InvoiceUpsert,
    ) -> Result<Invoice, PortalError> {
        let settings = &self.portal.tenant(tenant).await?.settings;
        let totals = invoice.validate(settings.currency())?;
        let now = self.portal.inner.clock.now();
        let invoice = self
            .stores()
            .invoices
            .upsert_invoice(tenant, invoice, &totals, now)
            .await?;
        if let Some(notice) = triggers::invoice_issued(&invoice, now) {
            notify(self.portal, tenant, invoice.account, notice, None).await?;
        }
        Ok(invoice)
    }

    /// Voids an invoice; what was paid on it becomes account credit.
    pub async fn void_invoice(
        &self,
        tenant: TenantId,
        invoice: InvoiceId,
    ) -> Result<Invoice, PortalError> {
        let now = self.portal.inner.clock.now();
        Ok(self
            .stores()
            .invoices
            .void_invoice(tenant, invoice, now)
            .await?)
    }

    /// Records a payment or credit taken outside the portal (cash, check,
    /// phone, a credit memo), applied to the invoices it names; the rest
    /// stays as account credit. Idempotent by the host's id.
    pub async fn record_payment(
        &self,
        tenant: TenantId,
        payment: &ExternalPayment,
    ) -> Result<PaymentDetail, PortalError> {
        let settings = &self.portal.tenant(tenant).await?.settings;
        let currency = settings.currency();
        if payment.amount.currency() != currency
            || payment
                .applied_to
                .iter()
                .any(|(_, amount)| amount.currency() != currency)
        {
            return Err(PortalError::invalid(
                "currency",
                Reason::WrongCurrency { expected: currency },
            ));
        }
        if Money::exact(payment.amount.amount(), currency, AtLeast::MoreThanZero).is_err() {
            return Err(PortalError::invalid(
                "amount",
                Reason::NotPositiveAmount {
                    decimals: currency.minor_digits(),
                },
            ));
        }
        // The shape of `applied_to` is checked here; the balances, which
        // can change under us, by the store's conditional updates.
        if payment
            .applied_to
            .iter()
            .any(|(_, amount)| !amount.is_positive())
        {
            return Err(PortalError::invalid(
                "applied_to",
                Reason::NotPositiveAmount {
                    decimals: currency.minor_digits(),
                },
            ));
        }
        let shaped: Vec<PayableInvoice> = payment
            .applied_to
            .iter()
            .map(|(id, amount)| PayableInvoice {
                id: *id,
                number: id.to_string(),
                issued_on: chrono::NaiveDate::MIN,
                due_on: chrono::NaiveDate::MIN,
                payable: *amount,
            })
            .collect();
        let chosen: Vec<_> = payment
            .applied_to
            .iter()
            .map(|(id, a)| (*id, Some(a.amount())))
            .collect();
        allocate_selection(&chosen, &shaped, currency, true)?;
        let applied: Decimal = payment
            .applied_to
            .iter()
            .map(|(_, amount)| amount.amount())
            .sum();
        if applied > payment.amount.amount() {
            return Err(PortalError::invalid("applied_to", Reason::OverPayment));
        }
        let detail = self
            .stores()
            .payments
            .record_external_payment(tenant, PaymentId::new(), payment, &[])
            .await?;
        if let Some(notice) = triggers::payment_settled(&detail) {
            notify(self.portal, tenant, detail.payment.account, notice, None).await?;
        }
        Ok(detail)
    }

    /// Charges autopay: for each account enrolled in the tenant (at most
    /// 100 a run; run it again until it finds nothing), pays every unpaid
    /// invoice due by today with the card the consent names, one payment
    /// per account, receipts mailed to the contact who consented. The
    /// idempotency key is the consent and the day, so running it twice a
    /// day never charges twice (an invoice that falls due after the day's
    /// charge waits for the next day). Run it daily; it does nothing while
    /// the tenant has autopay off.
    pub async fn run_autopay(&self, tenant: TenantId) -> Result<AutopayRun, PortalError> {
        self.portal.billing().run_autopay(tenant).await
    }

    /// Settles the tenant's payments left pending by a gateway timeout for
    /// more than a minute: asks the gateway what became of each charge;
    /// a charge the gateway never saw, after 15 minutes, is failed (nothing
    /// was charged, and the invoices it held are released). Run it every
    /// few minutes; returns how many payments it settled.
    pub async fn reconcile_payments(&self, tenant: TenantId) -> Result<usize, PortalError> {
        let now = self.portal.inner.clock.now();
        self.portal
            .billing()
            .reconcile(
                tenant,
                now - Duration::minutes(1),
                now - Duration::minutes(15),
            )
            .await
    }
}
