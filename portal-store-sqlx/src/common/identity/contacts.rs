//! Contacts and their memberships on either database ([`ContactStore`]).

use async_trait::async_trait;
use chrono::Utc;
use portal_core::access::Role;
use portal_core::identity::{Contact, ContactUpsert, Membership};
use portal_core::ports::{ContactStore, StoreError};
use portal_core::shared::{
    AccountId, ContactId, EmailAddress, ExternalId, Language, PhoneNumber, TenantId,
};

use super::{contact_sql, other_phones_json, returning_contact, spend_tokens};
use crate::common::{Arg, Backend, Conn, Dialect, DialectOf, SqlStore};
use crate::error::{backend, store_error};
use crate::rows::{ContactRow, MembershipRow};
use uuid::Uuid;

/// The contact in this tenant found by `$2` in the column `sql` names.
async fn contact_where<C: Conn>(
    conn: &mut C,
    sql: &'static str,
    tenant: TenantId,
    key: Arg<'_>,
) -> Result<Option<Contact>, StoreError> {
    conn.fetch_optional::<ContactRow>(sql, &[Arg::Id(tenant.as_uuid()), key])
        .await?
        .map(Contact::try_from)
        .transpose()
}

#[async_trait]
impl<B: Backend> ContactStore for SqlStore<B> {
    /// Creates or updates the contact by external id (other numbers left
    /// out keep those stored: `COALESCE`). A clash on the e-mail
    /// or phone index is not the upsert's conflict target, so it fails the
    /// statement and becomes a `Conflict` naming the field. When the e-mail
    /// changes, the contact's unused tokens are spent: a link mailed to the
    /// old address dies.
    async fn upsert_contact(
        &self,
        tenant: TenantId,
        upsert: &ContactUpsert,
    ) -> Result<Contact, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let email = upsert.email.as_ref().map(EmailAddress::as_str);
        let others = upsert
            .other_phones
            .as_deref()
            .map(other_phones_json)
            .transpose()?;
        let before = conn
            .fetch_optional::<(Option<String>,)>(
                DialectOf::<B>::LOCK_CONTACT_EMAIL_BY_EXTERNAL_ID,
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Text(upsert.external_id.as_str()),
                ],
            )
            .await?;
        let contact: Contact = conn
            .fetch_optional::<ContactRow>(
                concat!(
                    "INSERT INTO contacts \
                         (id, tenant_id, external_id, name, email, phone, other_phones, enabled) \
                     VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, '[]'), $8) \
                     ON CONFLICT (tenant_id, external_id) DO UPDATE SET \
                         name = excluded.name, email = excluded.email, phone = excluded.phone, \
                         other_phones = COALESCE($7, contacts.other_phones), \
                         enabled = excluded.enabled",
                    returning_contact!()
                ),
                &[
                    Arg::Id(ContactId::new().as_uuid()),
                    Arg::Id(tenant.as_uuid()),
                    Arg::Text(upsert.external_id.as_str()),
                    Arg::Text(&upsert.name),
                    Arg::OptText(email),
                    Arg::OptText(upsert.phone.as_ref().map(PhoneNumber::as_str)),
                    Arg::OptText(others.as_deref()),
                    Arg::Bool(upsert.enabled),
                ],
            )
            .await?
            .ok_or_else(|| backend("the contact upsert returned no row"))?
            .try_into()?;
        // A contact that was not there when we looked may have been created
        // since by a concurrent upsert; spending is then the safe side (a new
        // contact has no tokens anyway).
        let email_changed = before.is_none_or(|(old,)| old.as_deref() != email);
        if email_changed {
            // The port gives no time; the stamp only records that it is spent.
            spend_tokens(conn, tenant, contact.id, Utc::now()).await?;
        }
        tx.commit().await.map_err(store_error)?;
        Ok(contact)
    }

    async fn contact(
        &self,
        tenant: TenantId,
        id: ContactId,
    ) -> Result<Option<Contact>, StoreError> {
        let sql = contact_sql!(" FROM contacts c WHERE c.tenant_id = $1 AND c.id = $2");
        contact_where(
            &mut *self.reader().await?,
            sql,
            tenant,
            Arg::Id(id.as_uuid()),
        )
        .await
    }

    async fn contact_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Contact>, StoreError> {
        let sql = contact_sql!(" FROM contacts c WHERE c.tenant_id = $1 AND c.external_id = $2");
        contact_where(
            &mut *self.reader().await?,
            sql,
            tenant,
            Arg::Text(id.as_str()),
        )
        .await
    }

    async fn contact_by_email(
        &self,
        tenant: TenantId,
        email: &EmailAddress,
    ) -> Result<Option<Contact>, StoreError> {
        let sql = contact_sql!(" FROM contacts c WHERE c.tenant_id = $1 AND c.email = $2");
        contact_where(
            &mut *self.reader().await?,
            sql,
            tenant,
            Arg::Text(email.as_str()),
        )
        .await
    }

    async fn set_contact_language(
        &self,
        tenant: TenantId,
        contact: ContactId,
        language: Option<Language>,
    ) -> Result<(), StoreError> {
        let updated = self
            .writer()
            .await?
            .execute(
                "UPDATE contacts SET language = $3 WHERE tenant_id = $1 AND id = $2",
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Id(contact.as_uuid()),
                    Arg::OptText(language.map(Language::code)),
                ],
            )
            .await?;
        if updated == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Gives the contact a role on the account, or changes it. Selecting the
    /// pair from this tenant's contacts and accounts: when either is
    /// elsewhere (or nowhere) nothing is inserted, and that is `NotFound`.
    async fn grant_membership(
        &self,
        tenant: TenantId,
        contact: ContactId,
        account: AccountId,
        role: Role,
    ) -> Result<(), StoreError> {
        let granted = self
            .writer()
            .await?
            .execute(
                "INSERT INTO memberships (contact_id, account_id, tenant_id, role) \
                 SELECT c.id, a.id, c.tenant_id, $4 \
                 FROM contacts c JOIN accounts a ON a.tenant_id = c.tenant_id \
                 WHERE c.tenant_id = $1 AND c.id = $2 AND a.id = $3 \
                 ON CONFLICT (contact_id, account_id) DO UPDATE SET role = excluded.role",
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Id(contact.as_uuid()),
                    Arg::Id(account.as_uuid()),
                    Arg::Text(role.as_str()),
                ],
            )
            .await?;
        if granted == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Removes the membership and the contact's sessions on that account.
    async fn revoke_membership(
        &self,
        tenant: TenantId,
        contact: ContactId,
        account: AccountId,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let args = [
            Arg::Id(tenant.as_uuid()),
            Arg::Id(contact.as_uuid()),
            Arg::Id(account.as_uuid()),
        ];
        conn.execute(
            "DELETE FROM memberships \
             WHERE tenant_id = $1 AND contact_id = $2 AND account_id = $3",
            &args,
        )
        .await?;
        conn.execute(
            "DELETE FROM sessions \
             WHERE tenant_id = $1 AND contact_id = $2 AND active_account_id = $3",
            &args,
        )
        .await?;
        tx.commit().await.map_err(store_error)
    }

    /// The account's first primary member (by contact id, which is
    /// time-ordered) among its enabled contacts with access on.
    async fn primary_contact(
        &self,
        tenant: TenantId,
        account: AccountId,
    ) -> Result<Option<ContactId>, StoreError> {
        Ok(self
            .reader()
            .await?
            .fetch_optional::<(Uuid,)>(
                "SELECT m.contact_id FROM memberships m \
                 JOIN contacts c ON c.id = m.contact_id AND c.tenant_id = m.tenant_id \
                 WHERE m.tenant_id = $1 AND m.account_id = $2 AND m.role = 'primary' \
                   AND c.enabled AND m.portal_access \
                 ORDER BY m.contact_id LIMIT 1",
                &[Arg::Id(tenant.as_uuid()), Arg::Id(account.as_uuid())],
            )
            .await?
            .map(|(id,)| ContactId::from_uuid(id)))
    }

    /// The contact's memberships, by account name.
    async fn memberships(
        &self,
        tenant: TenantId,
        contact: ContactId,
    ) -> Result<Vec<Membership>, StoreError> {
        self.reader()
            .await?
            .fetch_all::<MembershipRow>(
                "SELECT m.account_id, a.number AS account_number, a.name AS account_name, \
                     m.role, (a.portal_enabled AND m.portal_access) AS portal_enabled, \
                     a.has_history \
                 FROM memberships m \
                 JOIN accounts a ON a.id = m.account_id AND a.tenant_id = m.tenant_id \
                 WHERE m.tenant_id = $1 AND m.contact_id = $2 \
                 ORDER BY a.name, a.number, a.id",
                &[Arg::Id(tenant.as_uuid()), Arg::Id(contact.as_uuid())],
            )
            .await?
            .into_iter()
            .map(Membership::try_from)
            .collect()
    }
}
