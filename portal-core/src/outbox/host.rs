//! The host's side of event delivery: reading the delivery log and asking
//! for an event to be delivered again.

use crate::error::PortalError;
use crate::host::HostApi;
use crate::outbox::EventDelivery;
use crate::shared::{EventId, Page, PageRequest, TenantId};

impl HostApi<'_> {
    /// One page of the tenant's webhook delivery log, newest attempt first:
    /// every attempt at delivering an event (when, how long, the
    /// receiver's status or the error), of the one event `event` or of
    /// all. Entries are kept as long as the outbox keeps delivered rows
    /// (`OutboxWorker::with_retention`, 30 days by default).
    ///
    /// ```
    /// # async fn demo(portal: &portal_core::Portal, tenant: portal_core::shared::TenantId) -> Result<(), portal_core::PortalError> {
    /// use portal_core::shared::PageRequest;
    /// let log = portal.host().event_deliveries(tenant, None, PageRequest::default()).await?;
    /// for attempt in &log.items {
    ///     println!("{} {} {:?} {:?}", attempt.attempted_at, attempt.event, attempt.status, attempt.error);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn event_deliveries(
        &self,
        tenant: TenantId,
        event: Option<EventId>,
        page: PageRequest,
    ) -> Result<Page<EventDelivery>, PortalError> {
        Ok(self
            .stores()
            .outbox
            .event_deliveries(tenant, event, page)
            .await?)
    }

    /// Delivers the tenant's event `event` again, with the same id (a
    /// receiver that handled it dedupes it): queued behind the account's
    /// undelivered events, then retried like any other. `NotFound` when
    /// the tenant has no such event, or it was purged.
    pub async fn replay_event(&self, tenant: TenantId, event: EventId) -> Result<(), PortalError> {
        if self.stores().outbox.replay_event(tenant, event).await? {
            Ok(())
        } else {
            Err(PortalError::NotFound)
        }
    }
}
