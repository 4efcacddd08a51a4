//! The requests store port: the kinds a tenant declared, and the
//! account's requests with their status. A call-off is written by
//! [`crate::rentals::RentalStore::request_call_off`] (it checks the
//! contract under the account's lock) into the same requests.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{RequestKind, RequestQuery, RequestStatus, ServiceRequest};
use crate::access::AccountScope;
use crate::outbox::OutboxMessage;
use crate::shared::{Page, ServiceRequestId, StoreError, TenantId};

/// Declared kinds and requests.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait RequestStore: Send + Sync {
    /// Creates the tenant's kind with this key or replaces its
    /// declaration. Idempotent. MUST return `NotFound` for an unknown
    /// tenant.
    async fn declare_request_kind(
        &self,
        tenant: TenantId,
        kind: &RequestKind,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The tenant's declared kinds by name (then key); with `active_only`
    /// only those customers may use.
    async fn request_kinds(
        &self,
        tenant: TenantId,
        active_only: bool,
    ) -> Result<Vec<RequestKind>, StoreError>;

    /// The tenant's kind with this key (active or not); none for another
    /// tenant's.
    async fn request_kind(
        &self,
        tenant: TenantId,
        key: &str,
    ) -> Result<Option<RequestKind>, StoreError>;

    /// Writes `request` (of the scope's account) with `messages` in one
    /// transaction.
    async fn submit_request(
        &self,
        scope: &AccountScope,
        request: &ServiceRequest,
        messages: &[OutboxMessage],
    ) -> Result<ServiceRequest, StoreError>;

    /// One page of the account's requests of every kind (call-offs too)
    /// on `query`'s filter, newest first (then id), with the total; read
    /// as a range of an index led by tenant and account. MUST hold only
    /// the scope's account's.
    async fn requests(
        &self,
        scope: &AccountScope,
        query: &RequestQuery,
    ) -> Result<Page<ServiceRequest>, StoreError>;

    /// The account's request with this id; none for another account's.
    async fn request(
        &self,
        scope: &AccountScope,
        id: ServiceRequestId,
    ) -> Result<Option<ServiceRequest>, StoreError>;

    /// The tenant's request with this id (the host's read).
    async fn request_of_tenant(
        &self,
        tenant: TenantId,
        id: ServiceRequestId,
    ) -> Result<Option<ServiceRequest>, StoreError>;

    /// Cancels the scope's request `id` at the customer's word, writing
    /// `messages` with it, in one transaction: the status becomes
    /// `canceled` and `updated_at` `at`, the host's note stays. The update
    /// is conditional on the request being pending, so of two racing
    /// cancels, or a cancel racing the host's answer, only one wins. MUST
    /// return `NotFound` for an unknown or another account's request, and
    /// `Conflict(Requests(NotPending { status }))` with its current status
    /// when it is not pending; then nothing is written, messages neither.
    async fn cancel_request(
        &self,
        scope: &AccountScope,
        id: ServiceRequestId,
        messages: &[OutboxMessage],
        at: DateTime<Utc>,
    ) -> Result<ServiceRequest, StoreError>;

    /// Sets a request's status and the host's note (the host's answer).
    /// MUST return `NotFound` for a request not in this tenant; setting
    /// the status and note it has changes nothing (not even its time).
    async fn set_request_status(
        &self,
        tenant: TenantId,
        id: ServiceRequestId,
        status: RequestStatus,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<ServiceRequest, StoreError>;
}
