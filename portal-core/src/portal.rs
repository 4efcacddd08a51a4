//! The [`Portal`] facade. It holds the ports and hands out one service per
//! bounded context; each service lives in its context's folder with its
//! use cases:
//!
//! - [`Portal::identity`]: registration, log-in, sessions, passwords,
//!   account switch (`identity/service/`)
//! - [`Portal::accounts`]: what a customer reads and edits of their account
//!   (`accounts/service.rs`)
//! - [`Portal::dashboard`]: the dashboard (`dashboard/service.rs`)
//! - [`Portal::billing`]: invoices, payments, cards, autopay, statements
//!   (`billing/service/`)
//! - [`Portal::quotes`]: quotes, approving and declining them
//!   (`quotes/service/`)
//! - [`Portal::properties`]: the account's service locations
//!   (`properties/service.rs`)
//! - [`Portal::rentals`]: rental contracts, items out, reservations and
//!   call-offs (`rentals/service/`)
//! - [`Portal::requests`]: service requests of every kind (`requests/service/`)
//! - [`Portal::service_contracts`]: recurring agreements and blocks of
//!   hours (`service_contracts/service.rs`)
//! - [`Portal::assets`]: equipment and its service history
//!   (`assets/service.rs`)
//! - [`Portal::jobs`]: jobs and visits, their timeline, notes and links
//!   (`jobs/service/`)
//! - [`Portal::tickets`]: support tickets, their threads and attachments
//!   (`tickets/service/`)
//! - [`Portal::documents`]: the downloads page's documents
//!   (`documents/service/`)
//! - [`Portal::contacts`]: the account's contacts and their portal access,
//!   managed by a contact who may (`contacts/service/`)
//! - [`Portal::host`]: the host's own API; each context adds its host-side
//!   use cases to [`HostApi`] in its folder (`billing/service/host.rs`, ...)
//!
//! Pages and the JSON API both go through these services, so they can
//! never disagree on a rule.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::access::{AccountScope, Actor, Permission, authorize};
use crate::accounts::AccountService;
use crate::assets::AssetsService;
use crate::audit::AuditService;
use crate::billing::BillingService;
use crate::billing::PaymentGateway;
use crate::blobs::BlobStore;
use crate::communications::CommunicationsService;
use crate::contacts::ContactsService;
use crate::dashboard::DashboardService;
use crate::documents::DocumentsService;
use crate::error::PortalError;
use crate::host::HostApi;
use crate::identity::IdentityService;
use crate::identity::{OsTokens, PasswordHasher, SecretKey, TokenSource};
use crate::jobs::JobsService;
use crate::notifications::NotificationsService;
use crate::outbox::{EventSink, Mailer, OutboxWorker};
use crate::ports::{
    AccountContactStore, AccountStore, AssetStore, AuditStore, AutopayStore, CommunicationStore,
    ContactStore, CredentialStore, DashboardStore, DocumentStore, InvoiceStore, JobStore,
    LedgerStore, LockoutStore, NotificationStore, OutboxStore, PaymentMethodStore, PaymentStore,
    ProfileStore, PropertyStore, QuoteStore, RentalStore, RequestStore, ServiceContractStore,
    SessionStore, Store, TenantStore, TicketStore, TokenStore,
};
use crate::properties::PropertiesService;
use crate::quotes::QuotesService;
use crate::rentals::RentalsService;
use crate::requests::RequestsService;
use crate::service_contracts::ServiceContractsService;
use crate::shared::{Clock, SystemClock, TenantId};
use crate::tenancy::{Tenant, TenantSlug};
use crate::tickets::TicketsService;

/// Declares a context's service: a `Copy` handle on the [`Portal`] that its
/// use cases are methods of, with the two things every use case reaches
/// for (the stores, and `authorize` through the facade's tenant cache).
macro_rules! service {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy)]
        pub struct $name<'a> {
            pub(crate) portal: &'a $crate::portal::Portal,
        }

        #[allow(dead_code)] // not every context authorizes (identity works on sessions)
        impl<'a> $name<'a> {
            /// The store ports.
            fn stores(self) -> &'a $crate::portal::Stores {
                self.portal.stores()
            }

            /// Authorizes `actor` for `permission` (see [`$crate::access::authorize`]).
            async fn authorize(
                self,
                actor: &$crate::access::Actor,
                permission: $crate::access::Permission,
            ) -> Result<
                (std::sync::Arc<$crate::tenancy::Tenant>, $crate::access::AccountScope),
                $crate::PortalError,
            > {
                self.portal.authorize(actor, permission).await
            }
        }
    };
}
pub(crate) use service;

/// How long a tenant read from the store is reused. Settings changed by
/// another process show up within this time; changes made through this
/// facade show up at once.
const TENANT_CACHE_TTL: Duration = Duration::from_secs(10);

/// The portal: holds the ports and offers the use cases. Cheap to clone.
///
/// ```
/// use std::sync::Arc;
/// use portal_core::{identity::PasswordHasher, ports::Store, Portal};
///
/// // `hasher` is usually `portal_runtime::Argon2Hasher::owasp()?`.
/// fn wire(store: Arc<dyn Store>, hasher: Arc<dyn PasswordHasher>) -> Portal {
///     Portal::builder(store, hasher).build()
/// }
/// ```
#[derive(Clone)]
pub struct Portal {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) stores: Stores,
    pub(crate) hasher: Arc<dyn PasswordHasher>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) tokens: Arc<dyn TokenSource>,
    pub(crate) gateway: Option<Arc<dyn PaymentGateway>>,
    pub(crate) blobs: Option<Arc<dyn BlobStore>>,
    pub(crate) response_floor: Duration,
    pub(crate) secret_key: SecretKey,
    tenants: RwLock<HashMap<TenantId, (Arc<Tenant>, Instant)>>,
    slugs: RwLock<HashMap<String, TenantId>>,
}

/// Builds a [`Portal`]; every port but the store and the password hasher
/// has a production default.
pub struct PortalBuilder {
    stores: Stores,
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
    tokens: Arc<dyn TokenSource>,
    gateway: Option<Arc<dyn PaymentGateway>>,
    blobs: Option<Arc<dyn BlobStore>>,
    response_floor: Duration,
    secret_key: Option<SecretKey>,
}

/// How long failed log-ins, refused registrations and every link request
/// take at least, so their timing says nothing about which e-mails exist.
pub const DEFAULT_RESPONSE_FLOOR: Duration = Duration::from_millis(250);

impl PortalBuilder {
    /// Replaces the system clock.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Replaces the OS token source.
    pub fn tokens(mut self, tokens: Arc<dyn TokenSource>) -> Self {
        self.tokens = tokens;
        self
    }

    /// The payment gateway online payments, cards on file and refunds go
    /// through. Without one, paying fails with an internal error (and is
    /// logged), so a host that switches online payment on must set it.
    pub fn gateway(mut self, gateway: Arc<dyn PaymentGateway>) -> Self {
        self.gateway = Some(gateway);
        self
    }

    /// Where files (ticket attachments, published documents) are kept: in production
    /// `portal_blobs::FsBlobStore` or `portal_blobs::S3BlobStore`. Without
    /// one, uploading fails with an internal error (and is logged), so a
    /// host that lets customers attach files must set it.
    pub fn blobs(mut self, blobs: Arc<dyn BlobStore>) -> Self {
        self.blobs = Some(blobs);
        self
    }

    /// Replaces [`DEFAULT_RESPONSE_FLOOR`]; it should stay above what a
    /// known e-mail's work takes under load.
    pub fn response_floor(mut self, floor: Duration) -> Self {
        self.response_floor = floor;
        self
    }

    /// The portal's secret key, which signs device cookies (browsers the
    /// lockout recognises). Give every process of a deployment the same
    /// one; without it each process makes a random key, so a browser is
    /// recognised only by the process that logged it in, and not after a
    /// restart.
    pub fn secret_key(mut self, key: SecretKey) -> Self {
        self.secret_key = Some(key);
        self
    }

    /// The portal.
    pub fn build(self) -> Portal {
        let secret_key = self.secret_key.unwrap_or_else(|| {
            tracing::warn!(
                "no secret key set (PortalBuilder::secret_key): device cookies are recognised \
                 only by this process until it restarts"
            );
            SecretKey::random()
        });
        Portal {
            inner: Arc::new(Inner {
                stores: self.stores,
                hasher: self.hasher,
                clock: self.clock,
                tokens: self.tokens,
                gateway: self.gateway,
                blobs: self.blobs,
                response_floor: self.response_floor,
                secret_key,
                tenants: RwLock::default(),
                slugs: RwLock::default(),
            }),
        }
    }
}

impl Portal {
    /// Starts building a portal over `store`, hashing passwords with
    /// `hasher` (in production `portal_runtime::Argon2Hasher`, which keeps
    /// hashing off the async executor).
    pub fn builder(store: Arc<dyn Store>, hasher: Arc<dyn PasswordHasher>) -> PortalBuilder {
        Self::builder_with(Stores::from_store(store), hasher)
    }

    /// Starts building a portal over one store per port (tests give each
    /// its own mock).
    pub fn builder_with(stores: Stores, hasher: Arc<dyn PasswordHasher>) -> PortalBuilder {
        PortalBuilder {
            stores,
            hasher,
            clock: Arc::new(SystemClock),
            tokens: Arc::new(OsTokens),
            gateway: None,
            blobs: None,
            response_floor: DEFAULT_RESPONSE_FLOOR,
            secret_key: None,
        }
    }

    /// The host's API: tenants, accounts, contacts, invitations, and
    /// each context's host-side use cases (invoices, payments, ...).
    pub fn host(&self) -> HostApi<'_> {
        HostApi::new(self)
    }

    /// Registration, log-in, sessions, passwords and the account switch.
    pub fn identity(&self) -> IdentityService<'_> {
        IdentityService { portal: self }
    }

    /// What a customer reads and edits of their account.
    pub fn accounts(&self) -> AccountService<'_> {
        AccountService { portal: self }
    }

    /// The customer's dashboard.
    pub fn dashboard(&self) -> DashboardService<'_> {
        DashboardService { portal: self }
    }

    /// A customer's invoices, payments, cards, autopay and statements.
    pub fn billing(&self) -> BillingService<'_> {
        BillingService { portal: self }
    }

    /// A customer's quotes: reading, approving and declining them.
    pub fn quotes(&self) -> QuotesService<'_> {
        QuotesService { portal: self }
    }

    /// The active account's properties (service locations).
    pub fn properties(&self) -> PropertiesService<'_> {
        PropertiesService { portal: self }
    }

    /// A customer's rentals: contracts, items out, reservations and
    /// call-offs.
    pub fn rentals(&self) -> RentalsService<'_> {
        RentalsService { portal: self }
    }

    /// The active account's service contracts.
    pub fn service_contracts(&self) -> ServiceContractsService<'_> {
        ServiceContractsService { portal: self }
    }

    /// The active account's assets and equipment.
    pub fn assets(&self) -> AssetsService<'_> {
        AssetsService { portal: self }
    }

    /// The active account's jobs and visits.
    pub fn jobs(&self) -> JobsService<'_> {
        JobsService { portal: self }
    }

    /// The active account's communications log.
    pub fn communications(&self) -> CommunicationsService<'_> {
        CommunicationsService { portal: self }
    }

    /// The audit log: the account's, and a contact's sign-in history.
    pub fn audit(&self) -> AuditService<'_> {
        AuditService { portal: self }
    }

    /// The acting contact's notification feed and preferences.
    pub fn notifications(&self) -> NotificationsService<'_> {
        NotificationsService { portal: self }
    }

    /// The active account's support tickets.
    pub fn tickets(&self) -> TicketsService<'_> {
        TicketsService { portal: self }
    }

    /// The active account's service requests of every kind.
    pub fn requests(&self) -> RequestsService<'_> {
        RequestsService { portal: self }
    }

    /// The active account's contacts and their portal access.
    pub fn contacts(&self) -> ContactsService<'_> {
        ContactsService { portal: self }
    }

    /// The documents the active account may download.
    pub fn documents(&self) -> DocumentsService<'_> {
        DocumentsService { portal: self }
    }

    /// Whether a blob store is set ([`PortalBuilder::blobs`]): without
    /// one, files cannot be attached, published or downloaded.
    pub fn has_blob_store(&self) -> bool {
        self.inner.blobs.is_some()
    }

    /// The blob store; an internal error (logged) when none is set.
    pub(crate) fn blob_store(&self) -> Result<&dyn BlobStore, PortalError> {
        match &self.inner.blobs {
            Some(blobs) => Ok(blobs.as_ref()),
            None => {
                tracing::error!(
                    "a file was to be stored or read but no blob store is set (PortalBuilder::blobs)"
                );
                Err(PortalError::Internal("no blob store".into()))
            }
        }
    }

    /// The store ports, one per aggregate.
    pub(crate) fn stores(&self) -> &Stores {
        &self.inner.stores
    }

    /// A worker that delivers this portal's outbox through `mailer` and
    /// `events`. Run one per process; they share the work safely.
    pub fn outbox_worker(
        &self,
        mailer: Arc<dyn Mailer>,
        events: Arc<dyn EventSink>,
    ) -> OutboxWorker {
        OutboxWorker::new(
            self.inner.stores.outbox.clone(),
            mailer,
            events,
            self.inner.clock.clone(),
        )
    }

    /// The clock the portal runs on.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// The tenant with this id (cached briefly).
    pub async fn tenant(&self, id: TenantId) -> Result<Arc<Tenant>, PortalError> {
        if let Some(tenant) = self.cached_tenant(id) {
            return Ok(tenant);
        }
        let tenant = self
            .stores()
            .tenants
            .tenant(id)
            .await?
            .ok_or(PortalError::NotFound)?;
        Ok(self.remember(tenant))
    }

    /// The tenant with this slug (cached briefly); `NotFound` for an
    /// unknown or malformed slug.
    pub async fn tenant_by_slug(&self, slug: &str) -> Result<Arc<Tenant>, PortalError> {
        let known = self.read_slugs().get(slug).copied();
        if let Some(tenant) = known.and_then(|id| self.cached_tenant(id)) {
            return Ok(tenant);
        }
        let slug = TenantSlug::parse(slug).map_err(|_| PortalError::NotFound)?;
        let tenant = self
            .stores()
            .tenants
            .tenant_by_slug(&slug)
            .await?
            .ok_or(PortalError::NotFound)?;
        Ok(self.remember(tenant))
    }

    fn read_slugs(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, TenantId>> {
        self.inner
            .slugs
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn cached_tenant(&self, id: TenantId) -> Option<Arc<Tenant>> {
        let tenants = self
            .inner
            .tenants
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        tenants
            .get(&id)
            .filter(|(_, fetched)| fetched.elapsed() < TENANT_CACHE_TTL)
            .map(|(tenant, _)| tenant.clone())
    }

    fn remember(&self, tenant: Tenant) -> Arc<Tenant> {
        let tenant = Arc::new(tenant);
        self.inner
            .slugs
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(tenant.slug.as_str().to_owned(), tenant.id);
        self.inner
            .tenants
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(tenant.id, (tenant.clone(), Instant::now()));
        tenant
    }

    pub(crate) fn forget(&self, id: TenantId) {
        self.inner
            .tenants
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&id);
    }

    /// Authorizes `actor` for `permission` against its tenant's features.
    pub(crate) async fn authorize(
        &self,
        actor: &Actor,
        permission: Permission,
    ) -> Result<(Arc<Tenant>, AccountScope), PortalError> {
        let tenant = self.tenant(actor.tenant()).await?;
        let scope = authorize(actor, permission, &tenant.settings.features)?;
        Ok((tenant, scope))
    }
}

/// The contact behind a write; staff, who only read, never get this far
/// (`authorize` refuses them every write permission), but the type says so.
pub(crate) fn acting_contact(actor: &Actor) -> Result<crate::shared::ContactId, PortalError> {
    actor
        .contact()
        .ok_or(PortalError::Forbidden(crate::access::AccessError::ReadOnly))
}

/// The store ports the facade uses, one per aggregate. Usually all are
/// the same adapter ([`Stores::from_store`]); tests give each its own mock,
/// so a use case that touches a port it should not fails.
#[derive(Clone)]
pub struct Stores {
    /// Tenants.
    pub tenants: Arc<dyn TenantStore>,
    /// Accounts.
    pub accounts: Arc<dyn AccountStore>,
    /// Contacts and memberships.
    pub contacts: Arc<dyn ContactStore>,
    /// Password hashes.
    pub credentials: Arc<dyn CredentialStore>,
    /// Failed log-ins and locks.
    pub lockouts: Arc<dyn LockoutStore>,
    /// Sessions.
    pub sessions: Arc<dyn SessionStore>,
    /// One-time tokens.
    pub tokens: Arc<dyn TokenStore>,
    /// The outbox.
    pub outbox: Arc<dyn OutboxStore>,
    /// Dashboard reads.
    pub dashboard: Arc<dyn DashboardStore>,
    /// Invoices.
    pub invoices: Arc<dyn InvoiceStore>,
    /// Account summaries and statements.
    pub ledger: Arc<dyn LedgerStore>,
    /// Payments and credits.
    pub payments: Arc<dyn PaymentStore>,
    /// Cards on file.
    pub payment_methods: Arc<dyn PaymentMethodStore>,
    /// Autopay consents.
    pub autopay: Arc<dyn AutopayStore>,
    /// Quotes.
    pub quotes: Arc<dyn QuoteStore>,
    /// Properties (service locations).
    pub properties: Arc<dyn PropertyStore>,
    /// Rental contracts, reservations and call-offs.
    pub rentals: Arc<dyn RentalStore>,
    /// Service contracts.
    pub service_contracts: Arc<dyn ServiceContractStore>,
    /// Assets and equipment.
    pub assets: Arc<dyn AssetStore>,
    /// Jobs, their timeline and notes.
    pub jobs: Arc<dyn JobStore>,
    /// Declared request kinds and service requests.
    pub requests: Arc<dyn RequestStore>,
    /// Tickets and their threads.
    pub tickets: Arc<dyn TicketStore>,
    /// Notification feeds and preferences.
    pub notifications: Arc<dyn NotificationStore>,
    /// Accounts' communications logs.
    pub communications: Arc<dyn CommunicationStore>,
    /// Published documents.
    pub documents: Arc<dyn DocumentStore>,
    /// The audit log.
    pub audit: Arc<dyn AuditStore>,
    /// Contacts' own details and e-mail changes.
    pub profiles: Arc<dyn ProfileStore>,
    /// Accounts' contacts as their managers change them.
    pub account_contacts: Arc<dyn AccountContactStore>,
}

impl Stores {
    /// A fresh mock for every port, none expecting a call: tests replace
    /// the ones their use case may touch (`Stores { quotes, ..Stores::mocks() }`),
    /// so touching any other fails the test.
    #[cfg(test)]
    pub(crate) fn mocks() -> Self {
        use crate::ports::*;
        Self {
            tenants: Arc::new(MockTenantStore::new()),
            accounts: Arc::new(MockAccountStore::new()),
            contacts: Arc::new(MockContactStore::new()),
            credentials: Arc::new(MockCredentialStore::new()),
            lockouts: Arc::new(MockLockoutStore::new()),
            sessions: Arc::new(MockSessionStore::new()),
            tokens: Arc::new(MockTokenStore::new()),
            outbox: Arc::new(MockOutboxStore::new()),
            dashboard: Arc::new(MockDashboardStore::new()),
            invoices: Arc::new(MockInvoiceStore::new()),
            ledger: Arc::new(MockLedgerStore::new()),
            payments: Arc::new(MockPaymentStore::new()),
            payment_methods: Arc::new(MockPaymentMethodStore::new()),
            autopay: Arc::new(MockAutopayStore::new()),
            quotes: Arc::new(MockQuoteStore::new()),
            properties: Arc::new(MockPropertyStore::new()),
            rentals: Arc::new(MockRentalStore::new()),
            service_contracts: Arc::new(MockServiceContractStore::new()),
            assets: Arc::new(MockAssetStore::new()),
            jobs: Arc::new(MockJobStore::new()),
            requests: Arc::new(MockRequestStore::new()),
            tickets: Arc::new(MockTicketStore::new()),
            notifications: Arc::new(MockNotificationStore::new()),
            communications: Arc::new(MockCommunicationStore::new()),
            documents: Arc::new(MockDocumentStore::new()),
            audit: Arc::new(MockAuditStore::new()),
            profiles: Arc::new(MockProfileStore::new()),
            account_contacts: Arc::new(MockAccountContactStore::new()),
        }
    }

    /// Every port served by one adapter.
    pub fn from_store(store: Arc<dyn Store>) -> Self {
        Self {
            tenants: store.clone(),
            accounts: store.clone(),
            contacts: store.clone(),
            credentials: store.clone(),
            lockouts: store.clone(),
            sessions: store.clone(),
            tokens: store.clone(),
            outbox: store.clone(),
            dashboard: store.clone(),
            invoices: store.clone(),
            ledger: store.clone(),
            payments: store.clone(),
            payment_methods: store.clone(),
            autopay: store.clone(),
            quotes: store.clone(),
            properties: store.clone(),
            rentals: store.clone(),
            service_contracts: store.clone(),
            assets: store.clone(),
            jobs: store.clone(),
            requests: store.clone(),
            tickets: store.clone(),
            notifications: store.clone(),
            communications: store.clone(),
            documents: store.clone(),
            audit: store.clone(),
            profiles: store.clone(),
            account_contacts: store,
        }
    }
}
