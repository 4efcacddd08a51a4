//! The manager's use cases: the account's contacts, adding one (invited at
//! once), editing, changing a role, switching access on or off, removing.
//! Each authorizes [`Permission::ManageContacts`] first, builds its outbox
//! messages in one place (its `*_messages` function below, where more
//! messages about the change, an audit entry say, belong too) and hands
//! them to the store, which writes them in the change's transaction.

use crate::access::{AccountScope, Actor, Permission, Role};
use crate::audit::{AuditAction, AuditEntry};
use crate::contacts::{
    AccountContact, ContactChange, ContactDetails, ContactsConflict, NewAccountContact,
    PORTAL_EXTERNAL_ID_PREFIX,
};
use crate::error::PortalError;
use crate::identity::TokenPurpose;
use crate::outbox::{DomainEvent, OutboxMessage};
use crate::portal::acting_contact;
use crate::shared::{
    AccountId, Conflict, ContactId, ExternalId, Page, PageRequest, StoreError, Unique,
};
use crate::tenancy::Tenant;

#[cfg(test)]
mod tests;

crate::portal::service! {
    /// An account's contacts and their access, managed by a contact with
    /// [`Permission::ManageContacts`]. Get one from the
    /// [`Portal`](crate::Portal) facade.
    ContactsService
}

impl ContactsService<'_> {
    /// One page of the active account's contacts, by name, with role and
    /// status.
    pub async fn list(
        self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<AccountContact>, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ManageContacts).await?;
        Ok(self
            .stores()
            .account_contacts
            .account_contacts(scope, page)
            .await?)
    }

    /// One contact of the active account; `NotFound` for anyone else.
    pub async fn contact(
        self,
        actor: &Actor,
        contact: ContactId,
    ) -> Result<AccountContact, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ManageContacts).await?;
        self.member(scope, contact).await
    }

    /// Adds a new person to the active account with `role` and access on,
    /// under a portal-made external id, and mails them an invitation.
    /// `Conflict(Contacts(EmailUnavailable))` when another contact of the
    /// tenant has the e-mail (nothing written).
    pub async fn add(
        self,
        actor: &Actor,
        details: ContactDetails,
        role: Role,
    ) -> Result<AccountContact, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::ManageContacts).await?;
        let by = acting_contact(actor)?;
        let id = ContactId::new();
        let new = NewAccountContact {
            id,
            external_id: ExternalId::parse(&format!(
                "{PORTAL_EXTERNAL_ID_PREFIX}{}",
                id.as_uuid()
            ))?,
            details,
            role,
        };
        let manager = self.manager_name(actor).await?;
        let mut messages = add_messages(scope.account(), by, &new);
        messages.push(self.audited(
            actor,
            &manager,
            AuditAction::ContactAdded,
            new.id,
            &new.details.name,
        ));
        let added = self
            .stores()
            .account_contacts
            .add_account_contact(scope, &new, &messages)
            .await
            .map_err(unavailable)?;
        self.invite(&tenant, &manager, &added).await?;
        Ok(added)
    }

    /// Changes a contact's name, e-mail, phone and role. A contact still
    /// invited whose e-mail changed is invited again at the new address
    /// (the old link died with the change). A manager's own e-mail is not
    /// changed here (`Conflict(Contacts(OwnEmail))`): it is their log-in
    /// name, changed only with the new address's confirmation.
    pub async fn edit(
        self,
        actor: &Actor,
        contact: ContactId,
        details: ContactDetails,
        role: Role,
    ) -> Result<AccountContact, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::ManageContacts).await?;
        let by = acting_contact(actor)?;
        let before = self.member(scope, contact).await?;
        let email_changed = before.contact.email.as_ref() != Some(&details.email);
        if email_changed && before.contact.id == by {
            return Err(ContactsConflict::OwnEmail.into());
        }
        let phone_changed = before.contact.phone != details.phone;
        if (email_changed || phone_changed) && before.contact.id != by {
            // Their log-in names: only while nobody but this account's
            // managers could be relying on them.
            let elsewhere = before.has_password
                || self
                    .stores()
                    .contacts
                    .memberships(tenant.id, contact)
                    .await?
                    .len()
                    > 1;
            if elsewhere {
                return Err(ContactsConflict::TheirLogIn.into());
            }
        }
        let manager = self.manager_name(actor).await?;
        let mut messages = edit_messages(scope.account(), by, &before, &details, role);
        messages.push(self.audited(
            actor,
            &manager,
            AuditAction::ContactUpdated,
            contact,
            &details.name,
        ));
        let change = ContactChange::Edit { details, role };
        let after = self.change(scope, &before, &change, &messages).await?;
        if email_changed && !after.has_password && after.has_access {
            self.invite(&tenant, &manager, &after).await?;
        }
        Ok(after)
    }

    /// Gives a contact another role on the active account.
    pub async fn change_role(
        self,
        actor: &Actor,
        contact: ContactId,
        role: Role,
    ) -> Result<AccountContact, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ManageContacts).await?;
        let by = acting_contact(actor)?;
        let before = self.member(scope, contact).await?;
        let change = ContactChange::Role(role);
        let manager = self.manager_name(actor).await?;
        let mut messages = role_messages(scope.account(), by, &before, role);
        messages.push(self.audited(
            actor,
            &manager,
            AuditAction::RoleChanged,
            contact,
            &before.contact.name,
        ));
        self.change(scope, &before, &change, &messages).await
    }

    /// Switches a contact's access to the active account on (mailing an
    /// invitation when they have no password yet; switching on again
    /// re-sends it) or off (their sessions on the account end at once).
    /// Not their own (`Conflict(Contacts(Yourself))`).
    pub async fn set_access(
        self,
        actor: &Actor,
        contact: ContactId,
        on: bool,
    ) -> Result<AccountContact, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::ManageContacts).await?;
        let by = acting_contact(actor)?;
        if !on && contact == by {
            return Err(ContactsConflict::Yourself.into());
        }
        let before = self.member(scope, contact).await?;
        let change = ContactChange::Access(on);
        let manager = self.manager_name(actor).await?;
        let mut messages = access_messages(scope.account(), by, &before, on);
        let action = if on {
            AuditAction::AccessOn
        } else {
            AuditAction::AccessOff
        };
        messages.push(self.audited(actor, &manager, action, contact, &before.contact.name));
        let after = self.change(scope, &before, &change, &messages).await?;
        if on && !after.has_password {
            self.invite(&tenant, &manager, &after).await?;
        }
        Ok(after)
    }

    /// Takes a contact off the active account (the person and their other
    /// accounts stay); their sessions on it end. Not oneself
    /// (`Conflict(Contacts(Yourself))`).
    pub async fn remove(self, actor: &Actor, contact: ContactId) -> Result<(), PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ManageContacts).await?;
        let by = acting_contact(actor)?;
        if contact == by {
            return Err(ContactsConflict::Yourself.into());
        }
        let before = self.member(scope, contact).await?;
        let manager = self.manager_name(actor).await?;
        let mut messages = remove_messages(scope.account(), by, &before);
        messages.push(self.audited(
            actor,
            &manager,
            AuditAction::ContactRemoved,
            contact,
            &before.contact.name,
        ));
        self.stores()
            .account_contacts
            .change_account_contact(scope, contact, &ContactChange::Remove, &messages)
            .await?;
        Ok(())
    }

    /// The manager's name, read once per change: the audit log keeps it
    /// and an invitation names them.
    async fn manager_name(self, actor: &Actor) -> Result<String, PortalError> {
        let by = acting_contact(actor)?;
        Ok(self
            .stores()
            .contacts
            .contact(actor.tenant(), by)
            .await?
            .map(|manager| manager.name)
            .unwrap_or_default())
    }

    /// The audit log's entry of the manager `actor` (called `manager`)
    /// doing `action` to `contact` (called `name`), on the active account,
    /// from their client.
    fn audited(
        self,
        actor: &Actor,
        manager: &str,
        action: AuditAction,
        contact: ContactId,
        name: &str,
    ) -> OutboxMessage {
        let now = self.portal.inner.clock.now();
        AuditEntry::by_actor(actor, manager, action, now)
            .about(contact)
            .with_detail(name)
            .message()
    }

    async fn member(
        self,
        scope: AccountScope,
        contact: ContactId,
    ) -> Result<AccountContact, PortalError> {
        self.stores()
            .account_contacts
            .account_contact(scope, contact)
            .await?
            .ok_or(PortalError::NotFound)
    }

    /// Applies a change that keeps the membership, returning the contact
    /// after it.
    async fn change(
        self,
        scope: AccountScope,
        before: &AccountContact,
        change: &ContactChange,
        messages: &[OutboxMessage],
    ) -> Result<AccountContact, PortalError> {
        self.stores()
            .account_contacts
            .change_account_contact(scope, before.contact.id, change, messages)
            .await
            .map_err(unavailable)?
            .ok_or(PortalError::NotFound)
    }

    /// Mails `invitee` an invitation link through identity's one-time
    /// token flow (single use, a week, the tenant's link-mail throttle),
    /// naming the manager who invited them.
    async fn invite(
        self,
        tenant: &Tenant,
        inviter: &str,
        invitee: &AccountContact,
    ) -> Result<(), PortalError> {
        let Some(email) = invitee.contact.email.clone() else {
            return Ok(());
        };
        self.portal
            .identity()
            .mail_token(
                tenant,
                &invitee.contact,
                email,
                TokenPurpose::Invitation,
                Some(inviter.to_owned()).filter(|name| !name.is_empty()),
            )
            .await
    }
}

/// A taken e-mail or phone said as this context's conflict, which tells
/// no more than that the value cannot be used here.
fn unavailable(error: StoreError) -> PortalError {
    match error {
        StoreError::Conflict(Conflict::Taken(Unique::Email)) => {
            PortalError::Conflict(ContactsConflict::EmailUnavailable.into())
        }
        StoreError::Conflict(Conflict::Taken(Unique::Phone)) => {
            PortalError::Conflict(ContactsConflict::PhoneUnavailable.into())
        }
        other => other.into(),
    }
}

fn event(event: DomainEvent) -> OutboxMessage {
    OutboxMessage::Event(event)
}

/// What adding a contact writes to the outbox.
fn add_messages(account: AccountId, by: ContactId, new: &NewAccountContact) -> Vec<OutboxMessage> {
    vec![event(DomainEvent::ContactAdded {
        account,
        contact: new.id,
        external_id: new.external_id.clone(),
        name: new.details.name.clone(),
        email: new.details.email.clone(),
        phone: new.details.phone.clone(),
        role: new.role,
        by,
    })]
}

/// What an edit writes: the new details, and the new role when it differs.
fn edit_messages(
    account: AccountId,
    by: ContactId,
    before: &AccountContact,
    details: &ContactDetails,
    role: Role,
) -> Vec<OutboxMessage> {
    let mut messages = vec![event(DomainEvent::ContactUpdated {
        account,
        contact: before.contact.id,
        external_id: before.contact.external_id.clone(),
        name: details.name.clone(),
        email: details.email.clone(),
        phone: details.phone.clone(),
        by,
    })];
    if role != before.role {
        messages.extend(role_messages(account, by, before, role));
    }
    messages
}

/// What a role change writes.
fn role_messages(
    account: AccountId,
    by: ContactId,
    before: &AccountContact,
    role: Role,
) -> Vec<OutboxMessage> {
    vec![event(DomainEvent::ContactRoleChanged {
        account,
        contact: before.contact.id,
        external_id: before.contact.external_id.clone(),
        role,
        by,
    })]
}

/// What switching access writes.
fn access_messages(
    account: AccountId,
    by: ContactId,
    before: &AccountContact,
    enabled: bool,
) -> Vec<OutboxMessage> {
    vec![event(DomainEvent::ContactPortalAccessChanged {
        account,
        contact: before.contact.id,
        external_id: before.contact.external_id.clone(),
        enabled,
        by,
    })]
}

/// What removing a contact writes.
fn remove_messages(
    account: AccountId,
    by: ContactId,
    before: &AccountContact,
) -> Vec<OutboxMessage> {
    vec![event(DomainEvent::ContactRemoved {
        account,
        contact: before.contact.id,
        external_id: before.contact.external_id.clone(),
        by,
    })]
}
