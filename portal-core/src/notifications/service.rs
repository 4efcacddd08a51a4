//! The feed and preferences of a logged-in contact, turning a kind off
//! from a mail's link, and [`notify`], which host use cases call when
//! something happens on an account.

use crate::access::{Actor, Permission};
use crate::error::PortalError;
use crate::notifications::triggers::Keyed;
use crate::notifications::{
    Channel, Feed, Notification, NotificationKind, Preferences, unsubscribe,
};
use crate::outbox::{Email, EmailKind, NoticeMail, OutboxMessage};
use crate::portal::{Portal, acting_contact};
use crate::shared::{AccountId, ContactId, NotificationId, PageRequest, TenantId};

crate::portal::service! {
    /// A contact's notification feed and their choices of what reaches
    /// them where. Get one from the [`Portal`](crate::Portal) facade.
    NotificationsService
}

impl NotificationsService<'_> {
    /// One page of the contact's feed for the active account, newest
    /// first, with the number unread. Staff viewing as the customer see an
    /// empty feed: it is the contact's own.
    pub async fn feed(self, actor: &Actor, page: PageRequest) -> Result<Feed, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewDashboard).await?;
        let Some(contact) = actor.contact() else {
            return Ok(Feed {
                page: crate::shared::Page::of(Vec::new(), 0, page),
                unread: 0,
            });
        };
        Ok(self
            .stores()
            .notifications
            .feed(&scope, contact, page)
            .await?)
    }

    /// Marks the contact's whole feed for the active account read;
    /// returns how many entries changed.
    pub async fn mark_read(self, actor: &Actor) -> Result<u64, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewDashboard).await?;
        let contact = acting_contact(actor)?;
        let now = self.portal.inner.clock.now();
        Ok(self
            .stores()
            .notifications
            .mark_read(&scope, contact, now)
            .await?)
    }

    /// What the contact switched off.
    pub async fn preferences(self, actor: &Actor) -> Result<Preferences, PortalError> {
        self.authorize(actor, Permission::ViewDashboard).await?;
        let Some(contact) = actor.contact() else {
            return Ok(Preferences::all_on());
        };
        Ok(self
            .stores()
            .notifications
            .preferences(actor.tenant(), contact)
            .await?)
    }

    /// Replaces the contact's choices. Staff viewing as the customer may
    /// not.
    pub async fn set_preferences(
        self,
        actor: &Actor,
        preferences: &Preferences,
    ) -> Result<(), PortalError> {
        self.authorize(actor, Permission::ViewDashboard).await?;
        let contact = acting_contact(actor)?;
        Ok(self
            .stores()
            .notifications
            .set_preferences(actor.tenant(), contact, preferences)
            .await?)
    }

    /// Turns off the mails of the kind a mail's unsubscribe token names,
    /// for the contact it names, without a session; returns the kind.
    /// [`PortalError::LinkInvalid`] for a token that is forged, altered,
    /// of another tenant, or of a contact that is gone.
    pub async fn unsubscribe(
        self,
        tenant: TenantId,
        token: &str,
    ) -> Result<NotificationKind, PortalError> {
        let (contact, kind) = unsubscribe::verify(&self.portal.inner.secret_key, tenant, token)
            .ok_or(PortalError::LinkInvalid)?;
        match self
            .stores()
            .notifications
            .switch_off(tenant, contact, kind, Channel::Email)
            .await
        {
            Ok(()) => Ok(kind),
            Err(crate::shared::StoreError::NotFound) => Err(PortalError::LinkInvalid),
            Err(error) => Err(error.into()),
        }
    }

    /// Whether an unsubscribe token is good, without using it (what the
    /// link's page shows before the button is pressed): its kind.
    pub fn check_unsubscribe(self, tenant: TenantId, token: &str) -> Option<NotificationKind> {
        unsubscribe::verify(&self.portal.inner.secret_key, tenant, token).map(|(_, kind)| kind)
    }
}

/// Tells `account`'s contacts about `notice`, once per `key` in the
/// tenant: one feed entry for each contact whose role may see its kind (in
/// the tenant's switched-on features) and who wants it in the feed, one
/// mail for each such contact with an e-mail address who wants it by
/// mail, all written in one transaction. Calling it again with the same
/// key writes nothing, so host use cases call it after every write that
/// may cause the notice and let the key say whether it is new.
///
/// `mailed` is a contact who was already sent this news another way (the
/// payer, who gets the receipt): they get the feed entry but no second
/// mail.
pub(crate) async fn notify(
    portal: &Portal,
    tenant: TenantId,
    account: AccountId,
    (key, notice): Keyed,
    mailed: Option<ContactId>,
) -> Result<(), PortalError> {
    let tenant = portal.tenant(tenant).await?;
    let kind = notice.kind();
    let permission = kind.permission();
    if let Some(feature) = permission.feature()
        && !tenant.settings.features.is_on(feature)
    {
        return Ok(());
    }
    let stores = portal.stores();
    let recipients = stores.notifications.recipients(tenant.id, account).await?;
    let now = portal.inner.clock.now();
    let mut feed = Vec::new();
    let mut mails = Vec::new();
    for recipient in recipients
        .iter()
        .filter(|recipient| recipient.role.grants(permission))
    {
        let contact = &recipient.contact;
        if recipient.preferences.wants(kind, Channel::Feed) {
            feed.push(Notification {
                id: NotificationId::new(),
                contact: contact.id,
                account,
                notice: notice.clone(),
                created_at: now,
                read_at: None,
            });
        }
        if let Some(email) = contact
            .email
            .clone()
            .filter(|_| recipient.preferences.wants(kind, Channel::Email))
            .filter(|_| mailed != Some(contact.id))
        {
            let token = unsubscribe::token(&portal.inner.secret_key, tenant.id, contact.id, kind);
            let mail = NoticeMail {
                link: tenant.link(&notice.path()),
                unsubscribe: tenant.link(&format!("notifications/unsubscribe?token={token}")),
                notice: notice.clone(),
            };
            mails.push(OutboxMessage::Mail(Email::for_contact(
                &tenant,
                contact,
                email,
                EmailKind::Notice(Box::new(mail)),
            )));
        }
    }
    let written = stores
        .notifications
        .notify(tenant.id, &key, &feed, &mails, now)
        .await?;
    if written {
        // Notices told, by kind (each reaches one or more contacts).
        metrics::counter!("portal_notices_total", "kind" => kind.as_str()).increment(1);
    }
    Ok(())
}
