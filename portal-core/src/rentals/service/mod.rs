//! Rental use cases of a logged-in customer: contracts, one contract
//! (also as a document), items out, reservations, and calling items off
//! rent. The host's side is in `host.rs`.

mod host;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;

use crate::access::{Actor, Permission};
use crate::error::PortalError;
use crate::outbox::{DomainEvent, OutboxMessage};
use crate::portal::acting_contact;
use crate::rentals::{
    CallOff, CallOffRequest, Contract, ContractDetail, ContractQuery, ItemOut, Reservation,
};
use crate::requests::{Reference, RequestDetails, RequestStatus, ServiceRequest};
use crate::shared::{Page, PageRequest, RentalContractId, ServiceRequestId};
use crate::tenancy::Tenant;

crate::portal::service! {
    /// A customer's rentals: contracts, items out, reservations and
    /// call-offs. Get one from the [`Portal`](crate::Portal) facade.
    RentalsService
}

impl RentalsService<'_> {
    /// Today in the tenant's time zone: what pickup dates are judged by.
    pub fn today(self, tenant: &Tenant) -> NaiveDate {
        self.portal
            .inner
            .clock
            .now()
            .with_timezone(&tenant.settings.time_zone())
            .date_naive()
    }

    /// One page of the active account's rental contracts.
    pub async fn contracts(
        self,
        actor: &Actor,
        query: &ContractQuery,
    ) -> Result<Page<Contract>, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewRentals).await?;
        Ok(self
            .stores()
            .rentals
            .rental_contracts(&scope, query)
            .await?)
    }

    /// One contract with its items and call-offs; `NotFound` for another
    /// account's. Also what its PDF is drawn from.
    pub async fn contract(
        self,
        actor: &Actor,
        id: RentalContractId,
    ) -> Result<ContractDetail, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewRentals).await?;
        self.stores()
            .rentals
            .rental_contract(&scope, id)
            .await?
            .ok_or(PortalError::NotFound)
    }

    /// One page of the items still out on the account's open contracts.
    pub async fn items_out(
        self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<ItemOut>, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewRentals).await?;
        Ok(self.stores().rentals.items_out(&scope, page).await?)
    }

    /// One page of the account's reservations.
    pub async fn reservations(
        self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<Reservation>, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewRentals).await?;
        Ok(self.stores().rentals.reservations(&scope, page).await?)
    }

    /// One call-off of the account, with its status as the host set it.
    pub async fn call_off(
        self,
        actor: &Actor,
        id: ServiceRequestId,
    ) -> Result<CallOff, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewRentals).await?;
        self.stores()
            .requests
            .request(&scope, id)
            .await?
            .and_then(CallOff::of)
            .ok_or(PortalError::NotFound)
    }

    /// Asks the host to collect items of a contract. The request is
    /// checked against the contract as read ([`CallOffRequest::check`]:
    /// never more than can still be called off, whole numbers from 1,
    /// items of this contract, a pickup from today); nothing is written
    /// when it breaks a rule. The call-off is stored pending with a
    /// `RentalCallOffRequested` host event in one transaction, the store
    /// checking the quantities again under the account's lock.
    pub async fn request_call_off(
        self,
        actor: &Actor,
        request: &CallOffRequest,
    ) -> Result<CallOff, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::CallOffRent).await?;
        let contact = acting_contact(actor)?;
        let detail = self
            .stores()
            .rentals
            .rental_contract(&scope, request.contract)
            .await?
            .ok_or(PortalError::NotFound)?;
        let items = request.check(&detail, self.today(&tenant))?;
        let now = self.portal.inner.clock.now();
        let id = ServiceRequestId::new();
        let notes = request.notes.trim().to_owned();
        let event = OutboxMessage::Event(DomainEvent::RentalCallOffRequested {
            account: scope.account(),
            contract: detail.contract.id,
            external_id: detail.contract.external_id.clone(),
            number: detail.contract.number.clone(),
            call_off: id,
            contact,
            items: items.clone(),
            pickup_on: request.pickup_on,
            notes: notes.clone(),
        });
        let call_off = ServiceRequest {
            id,
            account: scope.account(),
            details: RequestDetails::CallOff {
                contract: Reference {
                    id: detail.contract.id,
                    label: detail.contract.number,
                },
                items,
                pickup_on: request.pickup_on,
                notes,
            },
            status: RequestStatus::Pending,
            host_note: String::new(),
            requested_by: contact,
            requested_at: now,
            updated_at: now,
            attachments: Vec::new(),
        };
        let written = self
            .stores()
            .rentals
            .request_call_off(&scope, &call_off, &[event])
            .await?;
        CallOff::of(written)
            .ok_or_else(|| PortalError::Internal("a call-off came back as another kind".into()))
    }
}
