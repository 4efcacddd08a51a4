//! Service contract use cases: the customer's reads, and the host's
//! upsert.

use crate::access::{AccountScope, Actor, Permission};
use crate::error::PortalError;
use crate::host::HostApi;
use crate::service_contracts::{ContractQuery, ContractUpsert, ServiceContract};
use crate::shared::{AccountId, ExternalId, Page, ServiceContractId, TenantId};

crate::portal::service! {
    /// The active account's service contracts. Get one from the
    /// [`Portal`](crate::Portal) facade.
    ServiceContractsService
}

impl ServiceContractsService<'_> {
    /// One page of the active account's contracts, latest start first.
    pub async fn contracts(
        self,
        actor: &Actor,
        query: &ContractQuery,
    ) -> Result<Page<ServiceContract>, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewServices).await?;
        Ok(self
            .stores()
            .service_contracts
            .contracts(&scope, query)
            .await?)
    }

    /// One contract of the active account; `NotFound` for another's.
    pub async fn contract(
        self,
        actor: &Actor,
        id: ServiceContractId,
    ) -> Result<ServiceContract, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewServices).await?;
        self.stores()
            .service_contracts
            .contract(&scope, id)
            .await?
            .ok_or(PortalError::NotFound)
    }
}

impl HostApi<'_> {
    /// Creates or updates a service contract by the host's id,
    /// idempotently. A contract is with one account for good: naming it
    /// for another account is a `Conflict`. A block's hours are checked
    /// when the host builds its [`HoursBlock`](crate::service_contracts::HoursBlock).
    ///
    /// ```
    /// # async fn demo(portal: &portal_core::Portal, tenant: portal_core::shared::TenantId, account: portal_core::shared::AccountId) -> Result<(), portal_core::PortalError> {
    /// use portal_core::service_contracts::{ContractStatus, ContractTerms, ContractUpsert, Hours, HoursBlock};
    /// use portal_core::shared::ExternalId;
    /// use rust_decimal::Decimal;
    /// let block = HoursBlock::new(
    ///     Hours::parse("hours_bought", Decimal::from(20))?,
    ///     Hours::parse("hours_used", Decimal::new(75, 1))?,
    ///     false,
    /// )?;
    /// let contract = portal.host().upsert_service_contract(tenant, &ContractUpsert {
    ///     external_id: ExternalId::parse("block-9")?,
    ///     account,
    ///     number: "TB-9".into(),
    ///     name: "IT support, 20 hours".into(),
    ///     description: String::new(),
    ///     status: ContractStatus::Active,
    ///     starts_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    ///     ends_on: None,
    ///     terms: ContractTerms::TimeBlock(block),
    /// }).await?;
    /// assert_eq!(contract.number, "TB-9");
    /// assert_eq!(block.remaining().value(), Decimal::new(125, 1));
    /// # Ok(()) }
    /// ```
    pub async fn upsert_service_contract(
        &self,
        tenant: TenantId,
        contract: &ContractUpsert,
    ) -> Result<ServiceContract, PortalError> {
        let settings = &self.portal.tenant(tenant).await?.settings;
        contract.validate(settings.currency())?;
        let now = self.portal.inner.clock.now();
        Ok(self
            .stores()
            .service_contracts
            .upsert_contract(tenant, contract, now)
            .await?)
    }

    /// The service contract with the host's id.
    pub async fn service_contract_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<ServiceContract>, PortalError> {
        Ok(self
            .stores()
            .service_contracts
            .contract_by_external_id(tenant, id)
            .await?)
    }

    /// One page of an account's service contracts, as the host's tools
    /// list them.
    pub async fn service_contracts(
        &self,
        tenant: TenantId,
        account: AccountId,
        query: &ContractQuery,
    ) -> Result<Page<ServiceContract>, PortalError> {
        let scope = AccountScope::for_host(tenant, account);
        Ok(self
            .stores()
            .service_contracts
            .contracts(&scope, query)
            .await?)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::access::{AccessError, ContactActor, Role};
    use crate::ports::{MockServiceContractStore, MockTenantStore};
    use crate::service_contracts::contract::tests::{recurring, upsert};
    use crate::shared::{FixedClock, SessionId};
    use crate::tenancy::{PortalSettings, Tenant, TenantSlug};
    use crate::{Portal, Stores};

    /// A tenant with `settings`.
    pub(crate) fn tenant(settings: PortalSettings) -> Tenant {
        Tenant {
            id: TenantId::new(),
            slug: TenantSlug::parse("acme").unwrap(),
            base_url: "https://acme.test/portal/".parse().unwrap(),
            settings,
        }
    }

    /// A member of `account` in `tenant`.
    pub(crate) fn member(tenant: &Tenant, account: AccountId) -> Actor {
        Actor::Contact(ContactActor {
            tenant: tenant.id,
            contact: crate::shared::ContactId::new(),
            account,
            role: Role::Member,
            session: SessionId::new(),
            client: Default::default(),
        })
    }

    /// A portal over `stores` (every other port a mock expecting nothing)
    /// that knows `tenant`.
    pub(crate) fn portal_for(tenant: &Tenant, stores: Stores) -> Portal {
        let mut tenants = MockTenantStore::new();
        let known = tenant.clone();
        tenants
            .expect_tenant()
            .returning(move |_| Ok(Some(known.clone())));
        let stores = Stores {
            tenants: Arc::new(tenants),
            ..stores
        };
        Portal::builder_with(stores, Arc::new(crate::identity::MockPasswordHasher::new()))
            .clock(Arc::new(FixedClock::at(
                "2026-11-15T09:00:00Z".parse().unwrap(),
            )))
            .build()
    }

    #[tokio::test]
    async fn with_services_off_nothing_is_read() {
        let mut settings = PortalSettings::default();
        settings.features.services = false;
        let tenant = tenant(settings);
        // A store mock with no expectations: any read fails the test.
        let portal = portal_for(&tenant, Stores::mocks());
        let actor = member(&tenant, AccountId::new());
        let listed = portal
            .service_contracts()
            .contracts(&actor, &ContractQuery::default())
            .await;
        assert!(matches!(
            listed,
            Err(PortalError::Forbidden(AccessError::FeatureOff))
        ));
        let read = portal
            .service_contracts()
            .contract(&actor, ServiceContractId::new())
            .await;
        assert!(matches!(read, Err(PortalError::Forbidden(_))));
    }

    #[tokio::test]
    async fn a_contract_outside_the_scope_is_not_found_and_the_read_is_scoped() {
        let tenant = tenant(PortalSettings::default());
        let account = AccountId::new();
        let mut contracts = MockServiceContractStore::new();
        let tenant_id = tenant.id;
        contracts
            .expect_contract()
            .withf(move |scope, _| scope.tenant() == tenant_id && scope.account() == account)
            .times(1)
            .returning(|_, _| Ok(None));
        let stores = Stores {
            service_contracts: Arc::new(contracts),
            ..Stores::mocks()
        };
        let portal = portal_for(&tenant, stores);
        let read = portal
            .service_contracts()
            .contract(&member(&tenant, account), ServiceContractId::new())
            .await;
        assert!(matches!(read, Err(PortalError::NotFound)));
    }

    #[tokio::test]
    async fn a_bad_upsert_never_reaches_the_store() {
        let tenant = tenant(PortalSettings::default());
        let portal = portal_for(&tenant, Stores::mocks());
        let mut bad = upsert(recurring(None));
        bad.number = String::new();
        let refused = portal.host().upsert_service_contract(tenant.id, &bad).await;
        assert!(matches!(
            refused,
            Err(PortalError::InvalidInput {
                field: "number",
                ..
            })
        ));
    }
}
