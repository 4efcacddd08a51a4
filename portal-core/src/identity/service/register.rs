//! Known-facts registration: phone, e-mail and postal code must all match
//! an account that may register; a refusal costs as long as a success.

use tokio::time::Instant;

use crate::error::PortalError;
use crate::identity::{LoginClient, Password};
use crate::outbox::{DomainEvent, OutboxMessage};
use crate::ports::StoreError;
use crate::shared::{EmailAddress, PhoneNumber, PostalCode};
use crate::tenancy::Tenant;

use super::*;

impl IdentityService<'_> {
    /// Registers by known facts: the phone number, e-mail and postal code
    /// must all match an account that may register, and the contact with
    /// that e-mail on it must not have a password yet. Any mismatch is the
    /// same [`PortalError::RegistrationRefused`]. Wrong guesses count
    /// towards the contact's lockout against `client`, as at log-in.
    pub async fn register_by_facts(
        self,
        tenant: &Tenant,
        facts: &KnownFacts,
        password: &str,
        client: &LoginClient,
    ) -> Result<(), PortalError> {
        if !tenant.settings.registration.known_facts {
            return Err(PortalError::Forbidden(
                crate::access::AccessError::FeatureOff,
            ));
        }
        let phone = PhoneNumber::parse(&facts.phone)?;
        let email = EmailAddress::parse(&facts.email)?;
        let postal_code = PostalCode::parse(&facts.postal_code)?;
        let password = Password::parse(password)?;
        let started = Instant::now();
        let outcome = self
            .register_matching(tenant, &phone, &email, &postal_code, &password, client)
            .await;
        if outcome.is_err() {
            pad_to_floor(started, self.portal.inner.response_floor).await;
        }
        outcome
    }

    pub(super) async fn register_matching(
        self,
        tenant: &Tenant,
        phone: &PhoneNumber,
        email: &EmailAddress,
        postal_code: &PostalCode,
        password: &Password,
        client: &LoginClient,
    ) -> Result<(), PortalError> {
        // Hash first, whatever the outcome, so a refusal takes as long as a
        // success and timing says nothing about which fact was wrong.
        let hash = self.portal.inner.hasher.hash(password).await?;
        let now = self.portal.inner.clock.now();
        let Some(contact) = self
            .stores()
            .contacts
            .contact_by_email(tenant.id, email)
            .await?
        else {
            return Err(PortalError::RegistrationRefused);
        };
        // Wrong guesses count towards the contact's lockout like wrong
        // passwords, so the postal code cannot be brute-forced.
        let source = self.source(tenant, contact.id, client, now);
        if !contact.enabled || self.is_locked(tenant, contact.id, &source, now).await? {
            return Err(PortalError::RegistrationRefused);
        }
        let accounts = self
            .stores()
            .accounts
            .accounts_matching_facts(tenant.id, phone, email, postal_code)
            .await?;
        let memberships = self
            .stores()
            .contacts
            .memberships(tenant.id, contact.id)
            .await?;
        let eligible = memberships
            .iter()
            .any(|m| may_register(tenant, m) && accounts.iter().any(|a| a.id == m.account));
        if !eligible {
            self.count_failure(tenant, contact.id, &source, now).await?;
            return Err(PortalError::RegistrationRefused);
        }
        let event = OutboxMessage::Event(DomainEvent::ContactRegistered {
            contact: contact.id,
            at: now,
        });
        match self
            .stores()
            .credentials
            .set_first_password(tenant.id, contact.id, &hash, &[event])
            .await
        {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict(_)) => Err(PortalError::RegistrationRefused),
            Err(other) => Err(other.into()),
        }
    }
}
