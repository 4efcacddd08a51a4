//! What a logged-in customer reads and edits of their account: the
//! account page and the custom fields the business marks editable.

use std::collections::BTreeMap;

use crate::access::{Actor, Permission};
use crate::accounts::Account;
use crate::error::PortalError;
use crate::outbox::{DomainEvent, OutboxMessage};
use crate::shared::{Item, Reason};

crate::portal::service! {
    /// What a customer reads and edits of their account.
    /// Get one from the [`Portal`](crate::Portal) facade.
    AccountService
}

/// The account page: the account's details and the custom fields the tenant
/// lets customers see.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountOverview {
    /// The account.
    pub account: Account,
    /// Visible custom fields, with whether each may be edited.
    pub custom_fields: BTreeMap<String, (String, bool)>,
}

impl AccountService<'_> {
    /// Changes custom fields of the active account: only those the tenant
    /// lists as editable, each at most 500 characters on one line. The host
    /// gets a [`DomainEvent::CustomFieldsChanged`].
    pub async fn update_custom_fields(
        self,
        actor: &Actor,
        changes: &BTreeMap<String, String>,
    ) -> Result<AccountOverview, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::EditAccount).await?;
        let contact = crate::portal::acting_contact(actor)?;
        let editable = &tenant.settings.editable_custom_fields;
        let mut cleaned = BTreeMap::new();
        for (name, value) in changes {
            if !editable.contains(name) {
                return Err(PortalError::invalid_item(
                    "custom_fields",
                    Item::CustomField(name.clone()),
                    Reason::NotEditable,
                ));
            }
            let value = value.trim();
            if value.chars().count() > 500 || value.chars().any(char::is_control) {
                return Err(PortalError::invalid_item(
                    "custom_fields",
                    Item::CustomField(name.clone()),
                    Reason::OneLine { max: 500 },
                ));
            }
            cleaned.insert(name.clone(), value.to_owned());
        }
        if !cleaned.is_empty() {
            let event = OutboxMessage::Event(DomainEvent::CustomFieldsChanged {
                account: scope.account(),
                contact,
                fields: cleaned.clone(),
            });
            self.stores()
                .accounts
                .update_custom_fields(&scope, &cleaned, &[event])
                .await?;
        }
        self.account_overview(actor).await
    }

    /// The active account's details.
    pub async fn account_overview(self, actor: &Actor) -> Result<AccountOverview, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::ViewAccount).await?;
        let account = self
            .stores()
            .accounts
            .account(scope.tenant(), scope.account())
            .await?
            .ok_or(PortalError::NotFound)?;
        let settings = &tenant.settings;
        let custom_fields = settings
            .visible_custom_fields
            .iter()
            .map(|name| {
                let value = account.custom_fields.get(name).cloned().unwrap_or_default();
                (
                    name.clone(),
                    (value, settings.editable_custom_fields.contains(name)),
                )
            })
            .collect();
        Ok(AccountOverview {
            account,
            custom_fields,
        })
    }
}
