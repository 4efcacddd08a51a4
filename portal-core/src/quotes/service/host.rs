//! The host's quotes API: it pushes quotes in by its own ids.

use crate::access::AccountScope;
use crate::error::PortalError;
use crate::host::HostApi;
use crate::quotes::{Quote, QuoteDetail, QuoteUpsert};
use crate::shared::{ExternalId, TenantId};

impl HostApi<'_> {
    /// Creates or updates a quote by the host's id, idempotently: the same
    /// quote twice is one quote; a changed quote that is still pending is
    /// updated (its customers then see, and approve, the new content); a
    /// decided quote is not rewritten (`Conflict` when the upsert differs,
    /// the quote as it is when it does not). The portal computes the
    /// totals by billing's rule, optional lines left out of the quote's
    /// total.
    ///
    /// ```
    /// # async fn demo(portal: &portal_core::Portal, tenant: portal_core::shared::TenantId, account: portal_core::shared::AccountId) -> Result<(), portal_core::PortalError> {
    /// use portal_core::billing::InvoiceLine;
    /// use portal_core::quotes::{QuoteLine, QuoteUpsert};
    /// use portal_core::shared::{Currency, ExternalId};
    /// use rust_decimal::Decimal;
    /// let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    /// let line = |description: &str, cents, optional| QuoteLine {
    ///     line: InvoiceLine {
    ///         description: description.into(),
    ///         quantity: Decimal::ONE,
    ///         unit_price: Decimal::new(cents, 2),
    ///         tax_rate: Decimal::ZERO,
    ///     },
    ///     optional,
    /// };
    /// let quote = portal.host().upsert_quote(tenant, &QuoteUpsert {
    ///     external_id: ExternalId::parse("q-2041")?,
    ///     account,
    ///     number: "Q-2041".into(),
    ///     title: "Spring lawn renovation".into(),
    ///     scope_of_work: "Aerate, overseed and top-dress the front lawn.".into(),
    ///     terms: "Half on approval, half on completion.".into(),
    ///     issued_on: day(1),
    ///     valid_until: day(30),
    ///     currency: Currency::USD,
    ///     lines: vec![line("Aeration and overseeding", 45000, false), line("Starter fertiliser", 6000, true)],
    /// }).await?;
    /// assert_eq!(quote.total.amount(), Decimal::new(45000, 2)); // the optional line is the customer's choice
    /// # Ok(()) }
    /// ```
    pub async fn upsert_quote(
        &self,
        tenant: TenantId,
        quote: &QuoteUpsert,
    ) -> Result<Quote, PortalError> {
        let settings = &self.portal.tenant(tenant).await?.settings;
        let totals = quote.validate(settings.currency())?;
        let digest = quote.digest();
        let now = self.portal.inner.clock.now();
        let quote = self
            .stores()
            .quotes
            .upsert_quote(tenant, quote, &totals, &digest, now)
            .await?;
        if let Some(notice) = crate::notifications::triggers::quote_issued(&quote, now) {
            crate::notifications::notify(self.portal, tenant, quote.account, notice, None).await?;
        }
        Ok(quote)
    }

    /// The quote with the host's id with its lines and decision: the
    /// approval's evidence, for the host's records or its copy of the
    /// certificate (`portal_http_axum::quote_certificate` draws it).
    pub async fn quote_detail(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<QuoteDetail>, PortalError> {
        let Some(quote) = self
            .stores()
            .quotes
            .quote_by_external_id(tenant, id)
            .await?
        else {
            return Ok(None);
        };
        // The host is trusted with every account of its tenant.
        let scope = AccountScope::for_host(tenant, quote.account);
        Ok(self.stores().quotes.quote(&scope, quote.id).await?)
    }

    /// The quote with the host's id, with its status (and so whether it
    /// was approved or declined).
    pub async fn quote_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Quote>, PortalError> {
        Ok(self
            .stores()
            .quotes
            .quote_by_external_id(tenant, id)
            .await?)
    }
}
