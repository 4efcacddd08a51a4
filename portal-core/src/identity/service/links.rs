//! Set-password links: asking for one (the same answer whether or not the
//! e-mail exists), mailing them, inspecting and spending them.

use tokio::time::Instant;

use crate::error::PortalError;
use crate::identity::{
    Contact, LinkIssue, LoginName, OneTimeToken, Password, RawToken, TokenPurpose,
};
use crate::outbox::{DomainEvent, Email, EmailKind, OutboxMessage};
use crate::ports::StoreError;
use crate::shared::EmailAddress;
use crate::tenancy::Tenant;

use super::*;

impl IdentityService<'_> {
    /// Mails a set-password (or reset) link to the e-mail on file if an
    /// enabled contact with this e-mail (or, for a reset, this e-mail or
    /// phone number, as log-in takes either) may use the portal; otherwise
    /// does nothing. Answers the same either way. Only a malformed e-mail
    /// or phone number is an error.
    pub async fn request_password_link(
        self,
        tenant: &Tenant,
        login: &str,
        request: LinkRequest,
    ) -> Result<(), PortalError> {
        let login = match request {
            LinkRequest::Register => LoginName::Email(EmailAddress::parse(login)?),
            LinkRequest::Reset => LoginName::parse(login)?,
        };
        let email_on_file = tenant.settings.registration.email_on_file;
        if request == LinkRequest::Register && !email_on_file {
            return Err(PortalError::Forbidden(
                crate::access::AccessError::FeatureOff,
            ));
        }
        // Known and unknown addresses answer after the same floor, so the
        // extra reads and the write of a known one cannot be timed.
        let started = Instant::now();
        let outcome = self.link_for(tenant, login, email_on_file).await;
        pad_to_floor(started, self.portal.inner.response_floor).await;
        outcome
    }

    pub(super) async fn link_for(
        self,
        tenant: &Tenant,
        login: LoginName,
        email_on_file: bool,
    ) -> Result<(), PortalError> {
        let contact = match &login {
            LoginName::Email(email) => {
                self.stores()
                    .contacts
                    .contact_by_email(tenant.id, email)
                    .await?
            }
            LoginName::Phone(_) => self
                .stores()
                .credentials
                .login_candidate(tenant.id, &login)
                .await?
                .map(|candidate| candidate.contact),
        };
        // The link goes to the e-mail on file, never to what was typed.
        let Some((contact, email)) =
            contact.and_then(|contact| contact.email.clone().map(|email| (contact, email)))
        else {
            return Ok(());
        };
        if !contact.enabled {
            return Ok(());
        }
        let memberships = self
            .stores()
            .contacts
            .memberships(tenant.id, contact.id)
            .await?;
        let has_password = self
            .stores()
            .credentials
            .credential(tenant.id, contact.id)
            .await?
            .is_some();
        // A reset needs a usable account; a first password also needs the
        // tenant's registration rules (a "forgot password" from someone who
        // never registered is a registration in disguise).
        let purpose = if has_password {
            if !memberships.iter().any(|m| m.portal_enabled) {
                return Ok(());
            }
            TokenPurpose::ResetPassword
        } else {
            if !email_on_file || !memberships.iter().any(|m| may_register(tenant, m)) {
                return Ok(());
            }
            TokenPurpose::SetPassword
        };
        self.mail_token(tenant, &contact, email, purpose, None)
            .await
    }

    /// Issues a one-time token for `contact` and mails its link, in one
    /// store transaction, unless the contact was sent the tenant's limit of
    /// link mails lately ([`LinkMailPolicy`](crate::tenancy::LinkMailPolicy)):
    /// then nothing is written and the caller answers exactly as if the
    /// mail went out (so the throttle reveals nothing, and the portal's
    /// sender cannot be used to bomb an inbox). Counted in the store, so
    /// every process shares the throttle.
    pub(crate) async fn mail_token(
        self,
        tenant: &Tenant,
        contact: &Contact,
        to: EmailAddress,
        purpose: TokenPurpose,
        invited_by: Option<String>,
    ) -> Result<(), PortalError> {
        let now = self.portal.inner.clock.now();
        let raw = self.portal.inner.tokens.new_token();
        let token = OneTimeToken {
            hash: raw.hash(),
            tenant: tenant.id,
            contact: contact.id,
            purpose,
            created_at: now,
            expires_at: now + purpose.lifetime(),
        };
        let link = tenant.link(&format!("set-password?token={}", raw.expose()));
        let expires_at = token.expires_at;
        let kind = match purpose {
            TokenPurpose::SetPassword => EmailKind::SetPassword { link, expires_at },
            TokenPurpose::ResetPassword => EmailKind::ResetPassword { link, expires_at },
            TokenPurpose::Invitation => EmailKind::Invitation {
                link,
                expires_at,
                invited_by,
            },
        };
        let mail = self.mail_to(tenant, contact, to, kind);
        let limit = tenant.settings.link_mails;
        let issued = self
            .stores()
            .tokens
            .issue_token(&token, &[mail], &limit)
            .await?;
        let outcome = match issued {
            LinkIssue::Issued => "sent",
            LinkIssue::Throttled => {
                tracing::info!(contact = %contact.id, purpose = purpose.as_str(), "link mail throttled");
                "throttled"
            }
        };
        metrics::counter!("portal_link_mails_total", "outcome" => outcome).increment(1);
        Ok(())
    }

    pub(super) fn mail_to(
        self,
        tenant: &Tenant,
        contact: &Contact,
        to: EmailAddress,
        kind: EmailKind,
    ) -> OutboxMessage {
        OutboxMessage::Mail(Email::for_contact(tenant, contact, to, kind))
    }

    /// Whether a set-password link is still good, without spending it: a
    /// GET of the link only shows the form, so mail scanners that open
    /// links cannot burn them.
    pub async fn inspect_token(
        self,
        tenant: &Tenant,
        token: &RawToken,
    ) -> Result<TokenInfo, PortalError> {
        let now = self.portal.inner.clock.now();
        let token = self
            .stores()
            .tokens
            .live_token(tenant.id, &token.hash(), now)
            .await?
            .ok_or(PortalError::LinkInvalid)?;
        let contact = self
            .stores()
            .contacts
            .contact(tenant.id, token.contact)
            .await?;
        let login = contact.and_then(|contact| {
            contact
                .email
                .map(|email| email.to_string())
                .or_else(|| contact.phone.map(|phone| phone.to_string()))
        });
        Ok(TokenInfo {
            purpose: token.purpose,
            expires_at: token.expires_at,
            login,
        })
    }

    /// Spends a set-password link and sets the password. Ends every session
    /// of the contact and lifts any lock; does not log in (the customer logs
    /// in with the new password, which proves they know it). The audit log
    /// records it, from `client`.
    pub async fn set_password_with_token(
        self,
        tenant: &Tenant,
        token: &RawToken,
        password: &str,
        client: &ClientInfo,
    ) -> Result<(), PortalError> {
        let password = Password::parse(password)?;
        let now = self.portal.inner.clock.now();
        let hash = token.hash();
        let live = self
            .stores()
            .tokens
            .live_token(tenant.id, &hash, now)
            .await?
            .ok_or(PortalError::LinkInvalid)?;
        let new_hash = self.portal.inner.hasher.hash(&password).await?;
        let now = self.portal.inner.clock.now();
        let event = match live.purpose {
            TokenPurpose::ResetPassword => DomainEvent::PasswordChanged {
                contact: live.contact,
                at: now,
            },
            TokenPurpose::SetPassword | TokenPurpose::Invitation => {
                DomainEvent::ContactRegistered {
                    contact: live.contact,
                    at: now,
                }
            }
        };
        let audited = self
            .password_set_entry(tenant, live.contact, now, client)
            .await?;
        match self
            .stores()
            .tokens
            .redeem_token(
                tenant.id,
                &hash,
                now,
                &new_hash,
                &[OutboxMessage::Event(event), audited.message()],
            )
            .await
        {
            Ok(_) => Ok(()),
            // Spent or expired between the check and the write: another
            // request won the race, and this one wrote nothing.
            Err(StoreError::NotFound) => Err(PortalError::LinkInvalid),
            Err(other) => Err(other.into()),
        }
    }

    /// The audit entry of `contact` setting a password from a link, on the
    /// account a log-in would open.
    async fn password_set_entry(
        self,
        tenant: &Tenant,
        contact: ContactId,
        now: DateTime<Utc>,
        client: &ClientInfo,
    ) -> Result<AuditEntry, PortalError> {
        let person = self
            .stores()
            .contacts
            .contact(tenant.id, contact)
            .await?
            .ok_or(PortalError::LinkInvalid)?;
        let memberships = self
            .stores()
            .contacts
            .memberships(tenant.id, contact)
            .await?;
        let mut entry = AuditEntry::new(
            tenant.id,
            AuditAction::PasswordSet,
            super::contact_actor(&person),
            now,
        )
        .about(contact)
        .from_client(client);
        entry.account = memberships
            .iter()
            .find(|m| m.portal_enabled)
            .map(|m| m.account);
        Ok(entry)
    }
}
