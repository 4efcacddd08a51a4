//! Identity use cases: the two registrations, set-password links, log-in,
//! sessions, password changes and switching the active account.
//!
//! Enumeration: requesting a link answers the same whether or not the
//! e-mail exists; log-in failures are one error whatever the cause, and an
//! unknown name is verified against a dummy hash so it costs the same time.

use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use std::sync::Arc;
use tokio::time::Instant;

use crate::access::{Actor, ContactActor};
use crate::error::PortalError;
use crate::identity::{
    Contact, LoginName, Membership, OneTimeToken, Password, RawToken, Session, SessionKind,
    TokenPurpose,
};
use crate::outbox::{DomainEvent, Email, EmailKind, OutboxMessage};
use crate::portal::Portal;
use crate::ports::StoreError;
use crate::shared::{AccountId, ContactId, EmailAddress, PhoneNumber, PostalCode, SessionId};
use crate::tenancy::Tenant;

mod host;
#[cfg(test)]
mod tests;

/// Registration, log-in, sessions, passwords and the account switch.
/// Get one from the [`Portal`] facade.
#[derive(Clone, Copy)]
pub struct IdentityService<'a> {
    pub(crate) portal: &'a Portal,
}

/// A session is touched (its idle expiry pushed out) at most this often, so
/// reading pages does not turn every request into a write.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// Which link a customer asks for by e-mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkRequest {
    /// "Register": first password for an e-mail on file.
    Register,
    /// "Forgot password".
    Reset,
}

/// What known-facts registration asks for; all must match the account.
#[derive(Clone, Debug)]
pub struct KnownFacts {
    /// The account's phone number.
    pub phone: String,
    /// The e-mail on file.
    pub email: String,
    /// The postal code on file.
    pub postal_code: String,
}

/// What a set-password page shows before the form is posted.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenInfo {
    /// Registration, reset or invitation.
    pub purpose: TokenPurpose,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// What the contact logs in with (the e-mail on file, else the phone):
    /// the page names it, and password managers store the new password
    /// under it. Whoever holds the link was mailed it there.
    pub login: Option<String>,
}

/// A session just started: the token goes to the client, once.
#[derive(Debug)]
pub struct NewSession {
    /// The bearer token or cookie value.
    pub token: RawToken,
    /// The session's id.
    pub id: SessionId,
    /// When it ends at the latest.
    pub expires_at: DateTime<Utc>,
}

/// Who a request is from, once its session checked out.
#[derive(Clone, Debug)]
pub struct AuthContext {
    /// The tenant.
    pub tenant: Arc<Tenant>,
    /// The actor to pass to use cases.
    pub actor: Actor,
    /// The contact.
    pub contact: Contact,
    /// The contact's membership of the active account.
    pub membership: Membership,
    /// All the contact's memberships, read with the session; see
    /// [`Portal::memberships`] for those it may switch between.
    pub memberships: Vec<Membership>,
    /// The session.
    pub session: Session,
}

impl AuthContext {
    /// The session's id.
    pub fn session_id(self) -> SessionId {
        self.session.id
    }
}

/// Waits until `floor` has passed since `started`, so that answers whose
/// work differs (a known e-mail's writes, an unknown one's nothing) take
/// the same time from outside.
async fn pad_to_floor(started: Instant, floor: std::time::Duration) {
    tokio::time::sleep_until(started + floor).await;
}

fn may_register(tenant: &Tenant, membership: &Membership) -> bool {
    membership.portal_enabled
        && (!tenant.settings.registration.require_history || membership.has_history)
}

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

    async fn link_for(
        self,
        tenant: &Tenant,
        login: LoginName,
        email_on_file: bool,
    ) -> Result<(), PortalError> {
        let contact = match &login {
            LoginName::Email(email) => {
                self.portal
                    .stores()
                    .contacts
                    .contact_by_email(tenant.id, email)
                    .await?
            }
            LoginName::Phone(_) => self
                .portal
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
            .portal
            .stores()
            .contacts
            .memberships(tenant.id, contact.id)
            .await?;
        let has_password = self
            .portal
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
    /// store transaction.
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
        self.portal
            .stores()
            .tokens
            .issue_token(&token, &[mail])
            .await?;
        Ok(())
    }

    fn mail_to(
        self,
        tenant: &Tenant,
        contact: &Contact,
        to: EmailAddress,
        kind: EmailKind,
    ) -> OutboxMessage {
        OutboxMessage::Mail(Email {
            to,
            to_name: contact.name.clone(),
            business_name: tenant.settings.display_name.clone(),
            reply_to: tenant.settings.contact.email.clone(),
            kind,
        })
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
            .portal
            .stores()
            .tokens
            .live_token(tenant.id, &token.hash(), now)
            .await?
            .ok_or(PortalError::LinkInvalid)?;
        let contact = self
            .portal
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
    /// in with the new password, which proves they know it).
    pub async fn set_password_with_token(
        self,
        tenant: &Tenant,
        token: &RawToken,
        password: &str,
    ) -> Result<(), PortalError> {
        let password = Password::parse(password)?;
        let now = self.portal.inner.clock.now();
        let hash = token.hash();
        let live = self
            .portal
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
        match self
            .portal
            .stores()
            .tokens
            .redeem_token(
                tenant.id,
                &hash,
                now,
                &new_hash,
                &[OutboxMessage::Event(event)],
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

    /// Registers by known facts: the phone number, e-mail and postal code
    /// must all match an account that may register, and the contact with
    /// that e-mail on it must not have a password yet. Any mismatch is the
    /// same [`PortalError::RegistrationRefused`].
    pub async fn register_by_facts(
        self,
        tenant: &Tenant,
        facts: &KnownFacts,
        password: &str,
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
            .register_matching(tenant, &phone, &email, &postal_code, &password)
            .await;
        if outcome.is_err() {
            pad_to_floor(started, self.portal.inner.response_floor).await;
        }
        outcome
    }

    async fn register_matching(
        self,
        tenant: &Tenant,
        phone: &PhoneNumber,
        email: &EmailAddress,
        postal_code: &PostalCode,
        password: &Password,
    ) -> Result<(), PortalError> {
        // Hash first, whatever the outcome, so a refusal takes as long as a
        // success and timing says nothing about which fact was wrong.
        let hash = self.portal.inner.hasher.hash(password).await?;
        let now = self.portal.inner.clock.now();
        let Some(contact) = self
            .portal
            .stores()
            .contacts
            .contact_by_email(tenant.id, email)
            .await?
        else {
            return Err(PortalError::RegistrationRefused);
        };
        // Wrong guesses count towards the contact's lockout like wrong
        // passwords, so the postal code cannot be brute-forced.
        if !contact.enabled
            || self
                .portal
                .stores()
                .lockouts
                .locked_until(tenant.id, contact.id, now)
                .await?
                .is_some()
        {
            return Err(PortalError::RegistrationRefused);
        }
        let accounts = self
            .portal
            .stores()
            .accounts
            .accounts_matching_facts(tenant.id, phone, email, postal_code)
            .await?;
        let memberships = self
            .portal
            .stores()
            .contacts
            .memberships(tenant.id, contact.id)
            .await?;
        let eligible = memberships
            .iter()
            .any(|m| may_register(tenant, m) && accounts.iter().any(|a| a.id == m.account));
        if !eligible {
            self.count_failure(tenant, contact.id, now).await?;
            return Err(PortalError::RegistrationRefused);
        }
        let event = OutboxMessage::Event(DomainEvent::ContactRegistered {
            contact: contact.id,
            at: now,
        });
        match self
            .portal
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

    /// Counts a failed guess; the host hears when it locks the contact.
    async fn count_failure(
        self,
        tenant: &Tenant,
        contact: ContactId,
        now: DateTime<Utc>,
    ) -> Result<(), PortalError> {
        let policy = tenant.settings.lockout;
        let until = now + Duration::minutes(i64::from(policy.lock_minutes));
        let on_lock = [OutboxMessage::Event(DomainEvent::ContactLockedOut {
            contact,
            until,
        })];
        if let Some(until) = self
            .portal
            .stores()
            .lockouts
            .record_login_failure(tenant.id, contact, now, &policy, &on_lock)
            .await?
        {
            tracing::info!(%contact, %until, "log-in locked after repeated failures");
        }
        Ok(())
    }

    /// Logs in by e-mail or phone number. Every failure is the same
    /// [`PortalError::InvalidCredentials`]; failures count towards the
    /// tenant's lockout. A new session id every time.
    pub async fn log_in(
        self,
        tenant: &Tenant,
        login: &str,
        password: &SecretString,
        kind: SessionKind,
    ) -> Result<NewSession, PortalError> {
        let login = LoginName::parse(login)?;
        // Failures answer after the same floor whatever their cause, so the
        // failure counter's write for a known contact cannot be timed.
        let started = Instant::now();
        let outcome = self.attempt_log_in(tenant, &login, password, kind).await;
        if outcome.is_err() {
            pad_to_floor(started, self.portal.inner.response_floor).await;
        }
        outcome
    }

    async fn attempt_log_in(
        self,
        tenant: &Tenant,
        login: &LoginName,
        password: &SecretString,
        kind: SessionKind,
    ) -> Result<NewSession, PortalError> {
        let hasher = &self.portal.inner.hasher;
        let candidate = self
            .portal
            .stores()
            .credentials
            .login_candidate(tenant.id, login)
            .await?;
        let now = self.portal.inner.clock.now();
        let usable = candidate.filter(|c| c.contact.enabled).and_then(|c| {
            let credential = c.credential?;
            let locked = credential.locked_until.is_some_and(|until| until > now);
            (!locked).then_some((c.contact, credential))
        });
        let Some((contact, credential)) = usable else {
            hasher.verify_dummy(password).await;
            return Err(PortalError::InvalidCredentials);
        };
        if !hasher.verify(password, &credential.password_hash).await? {
            self.count_failure(tenant, contact.id, now).await?;
            return Err(PortalError::InvalidCredentials);
        }
        let memberships = self
            .portal
            .stores()
            .contacts
            .memberships(tenant.id, contact.id)
            .await?;
        let Some(active) = memberships.iter().find(|m| m.portal_enabled) else {
            return Err(PortalError::InvalidCredentials);
        };
        let now = self.portal.inner.clock.now();
        let policy = tenant.settings.sessions;
        let absolute = now + Duration::hours(i64::from(policy.absolute_hours));
        let token = self.portal.inner.tokens.new_token();
        let session = Session {
            id: SessionId::new(),
            tenant: tenant.id,
            contact: contact.id,
            active_account: active.account,
            token_hash: token.hash(),
            kind,
            created_at: now,
            last_seen_at: now,
            idle_expires_at: (now + Duration::minutes(i64::from(policy.idle_minutes)))
                .min(absolute),
            absolute_expires_at: absolute,
        };
        match self
            .portal
            .stores()
            .sessions
            .start_session(&session, &credential.password_hash)
            .await
        {
            Ok(()) => {}
            // The password was reset or changed, or the contact locked,
            // while this one was being checked.
            Err(StoreError::Conflict(_)) => return Err(PortalError::InvalidCredentials),
            Err(other) => return Err(other.into()),
        }
        Ok(NewSession {
            token,
            id: session.id,
            expires_at: absolute,
        })
    }

    /// Checks a session token and says who it belongs to. Expired, ended or
    /// foreign tokens, disabled contacts and accounts whose portal is off
    /// are all [`PortalError::Unauthenticated`].
    pub async fn authenticate(
        self,
        tenant: &Arc<Tenant>,
        token: &RawToken,
    ) -> Result<AuthContext, PortalError> {
        let now = self.portal.inner.clock.now();
        let context = self
            .portal
            .stores()
            .sessions
            .session_context(tenant.id, &token.hash(), now)
            .await?
            .ok_or(PortalError::Unauthenticated)?;
        let session = context.session;
        if now - session.last_seen_at >= TOUCH_EVERY {
            let idle = Duration::minutes(i64::from(tenant.settings.sessions.idle_minutes));
            let idle_expires_at = (now + idle).min(session.absolute_expires_at);
            // A missed touch only shortens the idle window; it must not fail
            // the page (SQLite's single writer may be busy).
            if let Err(error) = self
                .portal
                .stores()
                .sessions
                .touch_session(tenant.id, session.id, now, idle_expires_at)
                .await
            {
                tracing::warn!(%error, "session touch failed");
            }
        }
        let actor = Actor::Contact(ContactActor {
            tenant: tenant.id,
            contact: context.contact.id,
            account: context.membership.account,
            role: context.membership.role,
            session: session.id,
        });
        Ok(AuthContext {
            tenant: tenant.clone(),
            actor,
            contact: context.contact,
            membership: context.membership,
            memberships: context.memberships,
            session,
        })
    }

    /// Ends the session (log-out).
    pub async fn log_out(self, auth: &AuthContext) -> Result<(), PortalError> {
        self.portal
            .stores()
            .sessions
            .end_session(auth.tenant.id, auth.session.id)
            .await?;
        Ok(())
    }

    /// Changes the password: the current one must be right and the new one
    /// must meet the policy. Ends the contact's other sessions, mails a
    /// notice and tells the host.
    pub async fn change_password(
        self,
        auth: &AuthContext,
        current: &SecretString,
        new: &str,
    ) -> Result<(), PortalError> {
        let new = Password::parse(new)?;
        let tenant = &auth.tenant;
        let credential = self
            .portal
            .stores()
            .credentials
            .credential(tenant.id, auth.contact.id)
            .await?
            .ok_or(PortalError::Unauthenticated)?;
        let now = self.portal.inner.clock.now();
        // Guessing the current password from a stolen session counts
        // towards the lockout like guessing at the log-in form.
        if credential.locked_until.is_some_and(|until| until > now) {
            return Err(PortalError::InvalidCredentials);
        }
        if !self
            .portal
            .inner
            .hasher
            .verify(current, &credential.password_hash)
            .await?
        {
            self.count_failure(tenant, auth.contact.id, now).await?;
            return Err(PortalError::invalid("current_password", "isn't right"));
        }
        let new_hash = self.portal.inner.hasher.hash(&new).await?;
        let now = self.portal.inner.clock.now();
        let mut messages = vec![OutboxMessage::Event(DomainEvent::PasswordChanged {
            contact: auth.contact.id,
            at: now,
        })];
        if let Some(email) = auth.contact.email.clone() {
            messages.push(self.mail_to(
                tenant,
                &auth.contact,
                email,
                EmailKind::PasswordChanged { changed_at: now },
            ));
        }
        self.portal
            .stores()
            .credentials
            .change_password(
                tenant.id,
                auth.contact.id,
                &credential.password_hash,
                &new_hash,
                Some(auth.session.id),
                &messages,
            )
            .await?;
        Ok(())
    }

    /// The accounts the contact may switch between: its memberships of
    /// accounts whose portal is on, as read with the session (no query of
    /// its own).
    pub fn memberships(self, auth: &AuthContext) -> Vec<Membership> {
        auth.memberships
            .iter()
            .filter(|m| m.portal_enabled)
            .cloned()
            .collect()
    }

    /// Makes another of the contact's accounts the active one; everything
    /// shown follows it. `NotFound` for an account the contact is not a
    /// member of.
    pub async fn switch_account(
        self,
        auth: &AuthContext,
        account: AccountId,
    ) -> Result<(), PortalError> {
        self.portal
            .stores()
            .sessions
            .switch_account(auth.tenant.id, auth.session.id, account)
            .await?;
        Ok(())
    }
}
