//! The host's rentals API: it pushes contracts and reservations in by its
//! own ids (call-offs are answered as service requests, `requests/`).

use crate::access::AccountScope;
use crate::error::PortalError;
use crate::host::HostApi;
use crate::rentals::{
    Contract, ContractDetail, RentalContractUpsert, Reservation, ReservationUpsert,
};
use crate::shared::{ExternalId, TenantId};

impl HostApi<'_> {
    /// Creates or updates a rental contract by the host's id, idempotently:
    /// the same contract twice is one contract; a changed one has its
    /// fields and lines replaced (call-offs keep naming items by code).
    ///
    /// ```
    /// # async fn demo(portal: &portal_core::Portal, tenant: portal_core::shared::TenantId, account: portal_core::shared::AccountId) -> Result<(), portal_core::PortalError> {
    /// use portal_core::rentals::{ContractLine, ContractStatus, RentalContractUpsert};
    /// use portal_core::shared::{Currency, ExternalId, Money};
    /// let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    /// let contract = portal.host().upsert_contract(tenant, &RentalContractUpsert {
    ///     external_id: ExternalId::parse("rc-1042")?,
    ///     account,
    ///     number: "RC-1042".into(),
    ///     status: ContractStatus::Open,
    ///     started_on: day,
    ///     site: Some("14 Dock Road".into()),
    ///     lines: vec![ContractLine {
    ///         code: "GEN-20".into(),
    ///         name: "Generator 20 kVA".into(),
    ///         quantity_out: 2,
    ///         quantity_returned: 0,
    ///         out_since: day,
    ///         rate: Some(Money::from_minor(8_500, Currency::USD)),
    ///     }],
    /// }).await?;
    /// assert_eq!(contract.items_out, 2);
    /// # Ok(()) }
    /// ```
    pub async fn upsert_contract(
        &self,
        tenant: TenantId,
        contract: &RentalContractUpsert,
    ) -> Result<Contract, PortalError> {
        let settings = &self.portal.tenant(tenant).await?.settings;
        contract.validate(settings.currency())?;
        let now = self.portal.inner.clock.now();
        Ok(self
            .stores()
            .rentals
            .upsert_rental_contract(tenant, contract, now)
            .await?)
    }

    /// The contract with the host's id, with its lines and call-offs.
    pub async fn contract_detail(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<ContractDetail>, PortalError> {
        let Some(contract) = self
            .stores()
            .rentals
            .rental_contract_by_external_id(tenant, id)
            .await?
        else {
            return Ok(None);
        };
        // The host is trusted with every account of its tenant.
        let scope = AccountScope::for_host(tenant, contract.account);
        Ok(self
            .stores()
            .rentals
            .rental_contract(&scope, contract.id)
            .await?)
    }

    /// Creates or updates a reservation by the host's id, idempotently.
    pub async fn upsert_reservation(
        &self,
        tenant: TenantId,
        reservation: &ReservationUpsert,
    ) -> Result<Reservation, PortalError> {
        self.portal.tenant(tenant).await?;
        reservation.validate()?;
        let now = self.portal.inner.clock.now();
        Ok(self
            .stores()
            .rentals
            .upsert_reservation(tenant, reservation, now)
            .await?)
    }
}
