//! A contact's own details: name, phone and other numbers, changed at
//! once (only while they are as the session read them); e-mail,
//! changed once the new address confirms it from a mailed link (the old
//! address is told). Each change reaches the host as
//! `ContactDetailsChanged` and the audit log as `DetailsChanged`.
//!
//! Enumeration: asking for an address another contact has answers like
//! any other (the link goes to that address); only confirming it, which
//! needs that mailbox, finds the clash.

use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::access::ClientInfo;
use crate::audit::{AuditAction, AuditEntry};
use crate::error::PortalError;
use crate::identity::{
    AuthContext, Contact, EMAIL_CHANGE_LIFETIME, EmailChange, IdentityConflict, LoginClient,
    OtherPhone, ProfileChange, RawToken, check_contact_name,
};
use crate::outbox::{DomainEvent, Email, EmailKind, OutboxMessage};
use crate::ports::StoreError;
use crate::shared::{Conflict, EmailAddress, Reason};
use crate::tenancy::Tenant;

use super::{IdentityService, contact_actor};

/// What the host hears when a contact's details change.
fn details_changed(contact: &Contact) -> OutboxMessage {
    OutboxMessage::Event(DomainEvent::ContactDetailsChanged {
        contact: contact.id,
        name: contact.name.clone(),
        email: contact.email.clone(),
        phone: contact.phone.clone(),
        other_phones: contact.other_phones.clone(),
    })
}

impl IdentityService<'_> {
    /// Changes the logged-in contact's name, phone and other numbers. The
    /// name as [`check_contact_name`] says; a contact without an e-mail keeps their phone (they log
    /// in with it); the other numbers as [`OtherPhone::check_list`] says.
    /// `Conflict` when another contact has the phone, or when the details
    /// changed since the session read them (`DetailsChanged`: the change,
    /// and what the host is told, were built on those).
    pub async fn update_profile(
        self,
        auth: &AuthContext,
        change: &ProfileChange,
    ) -> Result<Contact, PortalError> {
        auth.writable()?;
        let name = check_contact_name(&change.name)?;
        if change.phone.is_none() && auth.contact.email.is_none() {
            return Err(PortalError::invalid("phone", Reason::NoLoginName));
        }
        OtherPhone::check_list(&change.other_phones, change.phone.as_ref())?;
        let change = ProfileChange {
            name: name.to_owned(),
            ..change.clone()
        };
        let now = self.portal.inner.clock.now();
        let changed = Contact {
            name: change.name.clone(),
            phone: change.phone.clone(),
            other_phones: change.other_phones.clone(),
            ..auth.contact.clone()
        };
        let messages = [
            details_changed(&changed),
            AuditEntry::by(auth, AuditAction::DetailsChanged, now)
                .with_detail(change.name.clone())
                .message(),
        ];
        Ok(self
            .stores()
            .profiles
            .update_profile(auth.tenant.id, &auth.contact, &change, &messages)
            .await?)
    }

    /// Mails a link to `new_email` that makes it the logged-in contact's
    /// e-mail once followed (valid for [`EMAIL_CHANGE_LIFETIME`]); until
    /// then nothing changes, and a newer request replaces it (as does a
    /// password change or reset). The e-mail is a log-in name: `current`
    /// must be the contact's password, checked as a password change checks
    /// it (guesses count towards the lockout against `client`).
    pub async fn request_email_change(
        self,
        auth: &AuthContext,
        new_email: &str,
        current: &SecretString,
        client: &LoginClient,
    ) -> Result<EmailAddress, PortalError> {
        auth.writable()?;
        let new_email = EmailAddress::parse(new_email)?;
        if auth.contact.email.as_ref() == Some(&new_email) {
            return Err(PortalError::invalid("email", Reason::Unchanged));
        }
        self.check_current_password(auth, current, client).await?;
        let tenant = &auth.tenant;
        let now = self.portal.inner.clock.now();
        let raw = self.portal.inner.tokens.new_token();
        let change = EmailChange {
            hash: raw.hash(),
            tenant: tenant.id,
            contact: auth.contact.id,
            new_email: new_email.clone(),
            created_at: now,
            expires_at: now + EMAIL_CHANGE_LIFETIME,
        };
        let mail = OutboxMessage::Mail(Email::for_contact(
            tenant,
            &auth.contact,
            new_email.clone(),
            EmailKind::ConfirmEmail {
                link: tenant.link(&format!("confirm-email?token={}", raw.expose())),
                expires_at: change.expires_at,
            },
        ));
        self.stores()
            .profiles
            .start_email_change(&change, &[mail])
            .await?;
        Ok(new_email)
    }

    /// The address a confirmation link would make the contact's e-mail,
    /// without spending it (the link's page shows it and asks to confirm,
    /// so mail scanners that open links change nothing).
    pub async fn inspect_email_change(
        self,
        tenant: &Tenant,
        token: &RawToken,
    ) -> Result<EmailAddress, PortalError> {
        let now = self.portal.inner.clock.now();
        Ok(self
            .stores()
            .profiles
            .pending_email_change(tenant.id, &token.hash(), now)
            .await?
            .ok_or(PortalError::LinkInvalid)?
            .new_email)
    }

    /// Confirms an e-mail change from its link: the new address becomes
    /// the contact's e-mail (and log-in), links mailed to the old one die,
    /// the old address is told, the host hears of it and the audit log
    /// records it from `client`. `LinkInvalid` for a used, expired or
    /// unknown link; `Conflict` when another contact has taken the
    /// address meanwhile.
    ///
    /// The event and the notice are built from the contact as read; the
    /// store writes them only while the contact is still as read, so a
    /// concurrent change (by the host, say) makes this read again.
    pub async fn confirm_email_change(
        self,
        tenant: &Tenant,
        token: &RawToken,
        client: &ClientInfo,
    ) -> Result<(), PortalError> {
        const ATTEMPTS: usize = 3;
        let hash = token.hash();
        let mut attempt = 1;
        loop {
            let now = self.portal.inner.clock.now();
            let change = self
                .stores()
                .profiles
                .pending_email_change(tenant.id, &hash, now)
                .await?
                .ok_or(PortalError::LinkInvalid)?;
            let contact = self
                .stores()
                .contacts
                .contact(tenant.id, change.contact)
                .await?
                .ok_or(PortalError::LinkInvalid)?;
            let messages = self
                .email_confirmed_messages(tenant, &contact, &change, client, now)
                .await?;
            match self
                .stores()
                .profiles
                .complete_email_change(tenant.id, &hash, &contact, now, &messages)
                .await
            {
                Ok(()) => return Ok(()),
                Err(StoreError::NotFound) => return Err(PortalError::LinkInvalid),
                Err(StoreError::Conflict(Conflict::Identity(IdentityConflict::DetailsChanged)))
                    if attempt < ATTEMPTS =>
                {
                    attempt += 1;
                }
                Err(other) => return Err(other.into()),
            }
        }
    }

    /// What confirming `change` writes beside it: the host's event, the
    /// audit entry (on the first account the contact has access to) and
    /// the notice to the old address.
    async fn email_confirmed_messages(
        self,
        tenant: &Tenant,
        contact: &Contact,
        change: &EmailChange,
        client: &ClientInfo,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessage>, PortalError> {
        let changed = Contact {
            email: Some(change.new_email.clone()),
            ..contact.clone()
        };
        let memberships = self
            .stores()
            .contacts
            .memberships(tenant.id, contact.id)
            .await?;
        let mut audited = AuditEntry::new(
            tenant.id,
            AuditAction::DetailsChanged,
            contact_actor(contact),
            now,
        )
        .about(contact.id)
        .with_detail(change.new_email.as_str())
        .from_client(client);
        audited.account = memberships
            .iter()
            .find(|m| m.portal_enabled)
            .map(|m| m.account);
        let mut messages = vec![details_changed(&changed), audited.message()];
        if let Some(old) = contact.email.clone() {
            messages.push(OutboxMessage::Mail(Email::for_contact(
                tenant,
                contact,
                old,
                EmailKind::EmailChanged {
                    new_email: change.new_email.clone(),
                    changed_at: now,
                },
            )));
        }
        Ok(messages)
    }
}
