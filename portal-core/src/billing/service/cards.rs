//! Cards on file and autopay consent.

use crate::shared::Reason;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::access::{AccessError, AccountScope, Actor, Permission};
use crate::billing::{AutopayConsent, GatewayError, PaymentMethod};
use crate::error::PortalError;
use crate::outbox::{DomainEvent, OutboxMessage};
use crate::portal::acting_contact;
use crate::shared::PaymentMethodId;
use crate::tenancy::{Feature, Tenant};

use super::*;

impl BillingService<'_> {
    /// The active account's cards on file (for paying or managing them).
    pub async fn payment_methods(self, actor: &Actor) -> Result<Vec<PaymentMethod>, PortalError> {
        let scope = match self
            .authorize(actor, Permission::ManagePaymentMethods)
            .await
        {
            Ok((_, scope)) => scope,
            Err(_) => {
                let (tenant, scope) = self.authorize(actor, Permission::PayInvoices).await?;
                if !tenant.settings.features.is_on(Feature::CardOnFile) {
                    return Ok(Vec::new());
                }
                scope
            }
        };
        Ok(self
            .stores()
            .payment_methods
            .payment_methods(&scope)
            .await?)
    }

    /// Puts a card on file from the gateway's one-time token.
    pub async fn add_payment_method(
        self,
        actor: &Actor,
        token: &CardToken,
        make_default: bool,
    ) -> Result<PaymentMethod, PortalError> {
        let (tenant, scope) = self
            .authorize(actor, Permission::ManagePaymentMethods)
            .await?;
        let contact = acting_contact(actor)?;
        check_gateway_token(token)?;
        self.check_room_for_card(&tenant, &scope).await?;
        self.save_new_method(&scope, contact, token, make_default)
            .await
            .map_err(|error| match error {
                GatewayError::InvalidMethod(_) => {
                    PortalError::invalid("token", Reason::CardRefused)
                }
                other => {
                    tracing::warn!(cause = %other, "saving a card failed");
                    BillingConflict::ProviderFailed.into()
                }
            })
    }

    /// Removes a card on file (not the one autopay uses). `new_default`,
    /// another card on file, becomes the default in the same change (the
    /// pages ask for one when the default goes; the removed card itself
    /// is `NotFound`); without it a removed default leaves the account
    /// with no default card.
    pub async fn remove_payment_method(
        self,
        actor: &Actor,
        id: PaymentMethodId,
        new_default: Option<PaymentMethodId>,
    ) -> Result<(), PortalError> {
        let (scope, removed) = self
            .card_change(actor, |account, contact| {
                DomainEvent::PaymentMethodRemoved {
                    account,
                    method: id,
                    contact,
                }
            })
            .await?;
        let mut events = vec![removed];
        if let Some(method) = new_default {
            events.push(OutboxMessage::Event(
                DomainEvent::DefaultPaymentMethodChanged {
                    account: scope.account(),
                    method,
                    contact: acting_contact(actor)?,
                },
            ));
        }
        let now = self.portal.inner.clock.now();
        let cards = &self.stores().payment_methods;
        Ok(cards
            .remove_payment_method(&scope, id, new_default, now, &events)
            .await?)
    }

    /// Makes a card on file the default.
    pub async fn set_default_payment_method(
        self,
        actor: &Actor,
        id: PaymentMethodId,
    ) -> Result<(), PortalError> {
        let (scope, event) = self
            .card_change(actor, |account, contact| {
                DomainEvent::DefaultPaymentMethodChanged {
                    account,
                    method: id,
                    contact,
                }
            })
            .await?;
        let cards = &self.stores().payment_methods;
        Ok(cards
            .set_default_payment_method(&scope, id, &[event])
            .await?)
    }

    /// Authorizes a change to the account's cards and builds the host's
    /// event about it (for the account and the contact making it).
    async fn card_change(
        self,
        actor: &Actor,
        event: impl FnOnce(crate::shared::AccountId, crate::shared::ContactId) -> DomainEvent,
    ) -> Result<(AccountScope, OutboxMessage), PortalError> {
        let (_, scope) = self
            .authorize(actor, Permission::ManagePaymentMethods)
            .await?;
        let contact = acting_contact(actor)?;
        let event = OutboxMessage::Event(event(scope.account(), contact));
        Ok((scope, event))
    }

    /// The autopay page's data. `standard_terms` are the portal's standard
    /// terms in the reader's language, shown when the business has not
    /// written its own.
    pub async fn autopay(
        self,
        actor: &Actor,
        standard_terms: &str,
    ) -> Result<AutopayStatus, PortalError> {
        let (tenant, scope) = self.authorize_autopay(actor).await?;
        let terms = terms_shown(&tenant, standard_terms);
        Ok(AutopayStatus {
            consent: self.stores().autopay.autopay(&scope).await?,
            terms_digest: terms_digest(&terms),
            terms,
            methods: self
                .stores()
                .payment_methods
                .payment_methods(&scope)
                .await?,
        })
    }

    /// Enrols the active account in autopay with a card on file, recording
    /// the consent (who, when, which card, the terms shown). `terms_digest`
    /// must be the one [`BillingService::autopay`] gave with the same
    /// `standard_terms`: if the terms changed since,
    /// the customer is asked to read them again. `agreed` is the customer's
    /// explicit "I agree" (a tick box, a consent flag): without it nothing
    /// is recorded. Replaces an active enrolment (to change the card).
    pub async fn enrol_autopay(
        self,
        actor: &Actor,
        method: PaymentMethodId,
        standard_terms: &str,
        terms_digest_shown: &str,
        agreed: bool,
    ) -> Result<AutopayConsent, PortalError> {
        let (tenant, scope) = self.authorize_autopay(actor).await?;
        let contact = acting_contact(actor)?;
        if !agreed {
            return Err(PortalError::invalid("consent", Reason::ConsentNeeded));
        }
        let terms = terms_shown(&tenant, standard_terms);
        if terms_digest(&terms) != terms_digest_shown {
            return Err(BillingConflict::AutopayTermsChanged.into());
        }
        self.usable_method(&tenant, &scope, method).await?;
        let consent = AutopayConsent {
            id: crate::shared::AutopayId::new(),
            account: scope.account(),
            method,
            contact,
            terms,
            consented_at: self.portal.inner.clock.now(),
            withdrawn_at: None,
            withdrawn_by: None,
        };
        let mut events = Vec::with_capacity(2);
        // Enrolling again (another card) withdraws the active consent.
        if let Some(replaced) = self.stores().autopay.autopay(&scope).await? {
            events.push(OutboxMessage::Event(DomainEvent::AutopayWithdrawn {
                account: scope.account(),
                consent: replaced.id,
                contact,
            }));
        }
        events.push(OutboxMessage::Event(DomainEvent::AutopayEnrolled {
            account: scope.account(),
            consent: consent.id,
            method,
            contact,
        }));
        self.stores()
            .autopay
            .enrol_autopay(&scope, &consent, &events)
            .await?;
        Ok(consent)
    }

    /// Withdraws the active account's autopay consent.
    pub async fn withdraw_autopay(self, actor: &Actor) -> Result<AutopayConsent, PortalError> {
        let (_, scope) = self.authorize_autopay(actor).await?;
        let contact = acting_contact(actor)?;
        let current = self
            .stores()
            .autopay
            .autopay(&scope)
            .await?
            .ok_or(PortalError::NotFound)?;
        let event = OutboxMessage::Event(DomainEvent::AutopayWithdrawn {
            account: scope.account(),
            consent: current.id,
            contact,
        });
        Ok(self
            .stores()
            .autopay
            .withdraw_autopay(&scope, contact, self.portal.inner.clock.now(), &[event])
            .await?)
    }

    pub(super) async fn authorize_autopay(
        self,
        actor: &Actor,
    ) -> Result<(Arc<Tenant>, AccountScope), PortalError> {
        let (tenant, scope) = self
            .authorize(actor, Permission::ManagePaymentMethods)
            .await?;
        if !tenant.settings.features.is_on(Feature::Autopay) {
            return Err(AccessError::FeatureOff.into());
        }
        Ok((tenant, scope))
    }
}

/// The digest of autopay terms a consent quotes.
pub(super) fn terms_digest(terms: &str) -> String {
    hex::encode(Sha256::digest(terms.as_bytes()))
}

/// The business's own autopay terms, or else the standard ones the reader
/// was shown.
fn terms_shown(tenant: &Tenant, standard_terms: &str) -> String {
    tenant
        .settings
        .autopay_terms
        .clone()
        .unwrap_or_else(|| standard_terms.to_owned())
}
