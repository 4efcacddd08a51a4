//! Every port, implemented once for both stores: every method takes what
//! it needs from the store's [`Backend`] (a transaction, a writer or a
//! reader connection) and runs the shared operation in [`tenancy`],
//! [`accounts`], [`identity`], [`outbox`], [`dashboard`] or [`billing`]. A macro writes
//! the two stores' `impl` blocks, as the ports are core's traits and cannot
//! be implemented for "any backend".

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use portal_core::access::{AccountScope, Role};
use portal_core::accounts::{Account, AccountUpsert, Communication};
use portal_core::billing::{
    AccountSummary, Allocation, AutopayConsent, ExternalPayment, IdempotencyKey, Invoice,
    InvoiceDetail, InvoiceQuery, InvoiceTotals, InvoiceUpsert, Payment, PaymentDetail,
    PaymentIntent, PaymentMethod, PaymentStart, Settlement, StatementParts, StatementRange,
};
use portal_core::dashboard::{Dashboard, PanelSelection};
use portal_core::identity::{
    Contact, ContactUpsert, Credential, LoginCandidate, LoginName, Membership, OneTimeToken,
    Session, SessionContext, TokenHash,
};
use portal_core::outbox::{OutboxItem, OutboxMessage};
use portal_core::ports::{
    AccountStore, AutopayStore, ContactStore, CredentialStore, DashboardStore, InvoiceStore,
    LedgerStore, LockoutStore, OutboxStore, PaymentMethodStore, PaymentStore, SessionStore,
    StoreError, TenantStore, TokenStore,
};
use portal_core::shared::{
    AccountId, ContactId, Currency, EmailAddress, ExternalId, InvoiceId, LeaseId, OutboxId, Page,
    PageRequest, PaymentId, PaymentMethodId, PhoneNumber, PostalCode, SessionId, TenantId,
};
use portal_core::tenancy::{LockoutPolicy, Tenant, TenantSlug};

use super::outbox::{self, Outcome};
use super::{Backend, accounts, billing, dashboard, identity, tenancy};
use crate::{PgStore, SqliteStore};

macro_rules! impl_ports {
    ($store:ty) => {
        #[async_trait]
        impl TenantStore for $store {
            async fn insert_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
                tenancy::insert_tenant(&mut *self.writer().await?, tenant).await
            }

            async fn update_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
                tenancy::update_tenant(&mut *self.writer().await?, tenant).await
            }

            async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError> {
                tenancy::tenant(&mut *self.reader().await?, id).await
            }

            async fn tenant_by_slug(
                &self,
                slug: &TenantSlug,
            ) -> Result<Option<Tenant>, StoreError> {
                tenancy::tenant_by_slug(&mut *self.reader().await?, slug).await
            }
        }

        #[async_trait]
        impl AccountStore for $store {
            async fn upsert_account(
                &self,
                tenant: TenantId,
                account: &AccountUpsert,
            ) -> Result<Account, StoreError> {
                accounts::upsert_account(&mut *self.writer().await?, tenant, account).await
            }

            async fn account(
                &self,
                tenant: TenantId,
                id: AccountId,
            ) -> Result<Option<Account>, StoreError> {
                accounts::account(&mut *self.reader().await?, tenant, id).await
            }

            async fn account_by_external_id(
                &self,
                tenant: TenantId,
                id: &ExternalId,
            ) -> Result<Option<Account>, StoreError> {
                accounts::account_by_external_id(&mut *self.reader().await?, tenant, id).await
            }

            async fn set_portal_enabled(
                &self,
                tenant: TenantId,
                account: AccountId,
                enabled: bool,
                messages: &[OutboxMessage],
            ) -> Result<(), StoreError> {
                let tx = self.begin().await?;
                accounts::set_portal_enabled(tx, tenant, account, enabled, messages).await
            }

            async fn accounts_matching_facts(
                &self,
                tenant: TenantId,
                phone: &PhoneNumber,
                email: &EmailAddress,
                postal_code: &PostalCode,
            ) -> Result<Vec<Account>, StoreError> {
                let mut conn = self.reader().await?;
                accounts::accounts_matching_facts(&mut *conn, tenant, phone, email, postal_code)
                    .await
            }

            async fn update_custom_fields(
                &self,
                scope: &AccountScope,
                changes: &std::collections::BTreeMap<String, String>,
                messages: &[OutboxMessage],
            ) -> Result<(), StoreError> {
                let tx = self.begin().await?;
                accounts::update_custom_fields(tx, scope, changes, messages).await
            }

            async fn record_communication(
                &self,
                tenant: TenantId,
                communication: &Communication,
            ) -> Result<(), StoreError> {
                let mut conn = self.writer().await?;
                accounts::record_communication(&mut *conn, tenant, communication).await
            }
        }

        #[async_trait]
        impl ContactStore for $store {
            async fn upsert_contact(
                &self,
                tenant: TenantId,
                contact: &ContactUpsert,
            ) -> Result<Contact, StoreError> {
                identity::upsert_contact(self.begin().await?, tenant, contact).await
            }

            async fn contact(
                &self,
                tenant: TenantId,
                id: ContactId,
            ) -> Result<Option<Contact>, StoreError> {
                identity::contact(&mut *self.reader().await?, tenant, id).await
            }

            async fn contact_by_external_id(
                &self,
                tenant: TenantId,
                id: &ExternalId,
            ) -> Result<Option<Contact>, StoreError> {
                identity::contact_by_external_id(&mut *self.reader().await?, tenant, id).await
            }

            async fn contact_by_email(
                &self,
                tenant: TenantId,
                email: &EmailAddress,
            ) -> Result<Option<Contact>, StoreError> {
                identity::contact_by_email(&mut *self.reader().await?, tenant, email).await
            }

            async fn grant_membership(
                &self,
                tenant: TenantId,
                contact: ContactId,
                account: AccountId,
                role: Role,
            ) -> Result<(), StoreError> {
                let mut conn = self.writer().await?;
                identity::grant_membership(&mut *conn, tenant, contact, account, role).await
            }

            async fn revoke_membership(
                &self,
                tenant: TenantId,
                contact: ContactId,
                account: AccountId,
            ) -> Result<(), StoreError> {
                identity::revoke_membership(self.begin().await?, tenant, contact, account).await
            }

            async fn memberships(
                &self,
                tenant: TenantId,
                contact: ContactId,
            ) -> Result<Vec<Membership>, StoreError> {
                identity::memberships(&mut *self.reader().await?, tenant, contact).await
            }
        }

        #[async_trait]
        impl CredentialStore for $store {
            async fn credential(
                &self,
                tenant: TenantId,
                contact: ContactId,
            ) -> Result<Option<Credential>, StoreError> {
                identity::credential(&mut *self.reader().await?, tenant, contact).await
            }

            async fn login_candidate(
                &self,
                tenant: TenantId,
                login: &LoginName,
            ) -> Result<Option<LoginCandidate>, StoreError> {
                identity::login_candidate(&mut *self.reader().await?, tenant, login).await
            }

            async fn change_password(
                &self,
                tenant: TenantId,
                contact: ContactId,
                current_hash: &str,
                new_hash: &str,
                keep: Option<SessionId>,
                messages: &[OutboxMessage],
            ) -> Result<(), StoreError> {
                let tx = self.begin().await?;
                identity::change_password(
                    tx,
                    tenant,
                    contact,
                    current_hash,
                    new_hash,
                    keep,
                    messages,
                )
                .await
            }

            async fn set_first_password(
                &self,
                tenant: TenantId,
                contact: ContactId,
                hash: &str,
                messages: &[OutboxMessage],
            ) -> Result<(), StoreError> {
                let tx = self.begin().await?;
                identity::set_first_password(tx, tenant, contact, hash, messages).await
            }
        }

        #[async_trait]
        impl LockoutStore for $store {
            async fn locked_until(
                &self,
                tenant: TenantId,
                contact: ContactId,
                now: DateTime<Utc>,
            ) -> Result<Option<DateTime<Utc>>, StoreError> {
                identity::locked_until(&mut *self.reader().await?, tenant, contact, now).await
            }

            async fn record_login_failure(
                &self,
                tenant: TenantId,
                contact: ContactId,
                now: DateTime<Utc>,
                policy: &LockoutPolicy,
                on_lock: &[OutboxMessage],
            ) -> Result<Option<DateTime<Utc>>, StoreError> {
                let tx = self.begin().await?;
                identity::record_login_failure(tx, tenant, contact, now, policy, on_lock).await
            }
        }

        #[async_trait]
        impl SessionStore for $store {
            async fn start_session(
                &self,
                session: &Session,
                verified_hash: &str,
            ) -> Result<(), StoreError> {
                identity::start_session(self.begin().await?, session, verified_hash).await
            }

            async fn session_context(
                &self,
                tenant: TenantId,
                token: &TokenHash,
                now: DateTime<Utc>,
            ) -> Result<Option<SessionContext>, StoreError> {
                identity::session_context(&mut *self.reader().await?, tenant, token, now).await
            }

            async fn touch_session(
                &self,
                tenant: TenantId,
                session: SessionId,
                now: DateTime<Utc>,
                idle_expires_at: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                let mut conn = self.writer().await?;
                identity::touch_session(&mut *conn, tenant, session, now, idle_expires_at).await
            }

            async fn switch_account(
                &self,
                tenant: TenantId,
                session: SessionId,
                account: AccountId,
            ) -> Result<(), StoreError> {
                let mut conn = self.writer().await?;
                identity::switch_account(&mut *conn, tenant, session, account).await
            }

            async fn end_session(
                &self,
                tenant: TenantId,
                session: SessionId,
            ) -> Result<(), StoreError> {
                identity::end_session(&mut *self.writer().await?, tenant, session).await
            }
        }

        #[async_trait]
        impl TokenStore for $store {
            async fn issue_token(
                &self,
                token: &OneTimeToken,
                messages: &[OutboxMessage],
            ) -> Result<(), StoreError> {
                identity::issue_token(self.begin().await?, token, messages).await
            }

            async fn live_token(
                &self,
                tenant: TenantId,
                hash: &TokenHash,
                now: DateTime<Utc>,
            ) -> Result<Option<OneTimeToken>, StoreError> {
                identity::live_token(&mut *self.reader().await?, tenant, hash, now).await
            }

            async fn redeem_token(
                &self,
                tenant: TenantId,
                hash: &TokenHash,
                now: DateTime<Utc>,
                new_hash: &str,
                messages: &[OutboxMessage],
            ) -> Result<ContactId, StoreError> {
                let tx = self.begin().await?;
                identity::redeem_token(tx, tenant, hash, now, new_hash, messages).await
            }
        }

        #[async_trait]
        impl OutboxStore for $store {
            async fn claim_outbox(
                &self,
                now: DateTime<Utc>,
                lease_until: DateTime<Utc>,
                limit: u32,
            ) -> Result<Vec<OutboxItem>, StoreError> {
                let mut conn = self.writer().await?;
                outbox::claim_outbox(&mut *conn, now, lease_until, limit).await
            }

            async fn complete_outbox(
                &self,
                id: OutboxId,
                lease: LeaseId,
                at: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                let outcome = Outcome::Delivered(at);
                outbox::finish_outbox(self.begin().await?, id, lease, outcome).await
            }

            async fn fail_outbox(
                &self,
                id: OutboxId,
                lease: LeaseId,
                error: &str,
                failed_at: DateTime<Utc>,
                retry_at: Option<DateTime<Utc>>,
            ) -> Result<(), StoreError> {
                let outcome = Outcome::failed(error, failed_at, retry_at);
                outbox::finish_outbox(self.begin().await?, id, lease, outcome).await
            }

            async fn purge_outbox(
                &self,
                before: DateTime<Utc>,
                limit: u32,
            ) -> Result<u64, StoreError> {
                let mut conn = self.writer().await?;
                outbox::purge_outbox(&mut *conn, before, limit).await
            }
        }

        #[async_trait]
        impl DashboardStore for $store {
            async fn dashboard(
                &self,
                scope: &AccountScope,
                panels: PanelSelection,
                today: NaiveDate,
                currency: Currency,
            ) -> Result<Dashboard, StoreError> {
                let mut conn = self.reader().await?;
                dashboard::dashboard(&mut *conn, scope, panels, today, currency).await
            }
        }

        #[async_trait]
        impl InvoiceStore for $store {
            async fn upsert_invoice(
                &self,
                tenant: TenantId,
                invoice: &InvoiceUpsert,
                totals: &InvoiceTotals,
                at: DateTime<Utc>,
            ) -> Result<Invoice, StoreError> {
                let tx = self.begin().await?;
                billing::upsert_invoice(tx, tenant, invoice, totals, at).await
            }

            async fn invoice_by_external_id(
                &self,
                tenant: TenantId,
                id: &ExternalId,
            ) -> Result<Option<Invoice>, StoreError> {
                billing::invoice_by_external_id(&mut *self.reader().await?, tenant, id).await
            }

            async fn void_invoice(
                &self,
                tenant: TenantId,
                id: InvoiceId,
                at: DateTime<Utc>,
            ) -> Result<Invoice, StoreError> {
                billing::void_invoice(self.begin().await?, tenant, id, at).await
            }

            async fn invoices(
                &self,
                scope: &AccountScope,
                query: &InvoiceQuery,
                today: NaiveDate,
            ) -> Result<Page<Invoice>, StoreError> {
                billing::invoices(&mut *self.reader().await?, scope, query, today).await
            }

            async fn invoice(
                &self,
                scope: &AccountScope,
                id: InvoiceId,
            ) -> Result<Option<InvoiceDetail>, StoreError> {
                billing::invoice(&mut *self.reader().await?, scope, id).await
            }

            async fn invoice_pdf(
                &self,
                scope: &AccountScope,
                id: InvoiceId,
            ) -> Result<Option<Vec<u8>>, StoreError> {
                billing::invoice_pdf(&mut *self.reader().await?, scope, id).await
            }

            async fn unpaid_invoices(
                &self,
                scope: &AccountScope,
                limit: u32,
            ) -> Result<Vec<Invoice>, StoreError> {
                billing::unpaid_invoices(&mut *self.reader().await?, scope, limit).await
            }
        }

        #[async_trait]
        impl PaymentStore for $store {
            async fn record_external_payment(
                &self,
                tenant: TenantId,
                id: PaymentId,
                payment: &ExternalPayment,
                messages: &[OutboxMessage],
            ) -> Result<PaymentDetail, StoreError> {
                let tx = self.begin().await?;
                billing::record_external_payment(tx, tenant, id, payment, messages).await
            }

            async fn payments(
                &self,
                scope: &AccountScope,
                page: PageRequest,
            ) -> Result<Page<PaymentDetail>, StoreError> {
                billing::payments(&mut *self.reader().await?, scope, page).await
            }

            async fn payment(
                &self,
                scope: &AccountScope,
                id: PaymentId,
            ) -> Result<Option<PaymentDetail>, StoreError> {
                billing::payment(&mut *self.reader().await?, scope, id).await
            }

            async fn payment_attempt(
                &self,
                scope: &AccountScope,
                key: &IdempotencyKey,
                fingerprint: &str,
            ) -> Result<Option<PaymentStart>, StoreError> {
                let mut conn = self.reader().await?;
                billing::payment_attempt(&mut *conn, scope, key, fingerprint).await
            }

            async fn begin_payment(
                &self,
                scope: &AccountScope,
                intent: &PaymentIntent,
            ) -> Result<PaymentStart, StoreError> {
                billing::begin_payment(self.begin().await?, scope, intent).await
            }

            async fn settle_payment(
                &self,
                tenant: TenantId,
                id: PaymentId,
                settlement: &Settlement,
                at: DateTime<Utc>,
                messages: &[OutboxMessage],
            ) -> Result<PaymentDetail, StoreError> {
                let tx = self.begin().await?;
                billing::settle_payment(tx, tenant, id, settlement, at, messages).await
            }

            async fn tenant_payment(
                &self,
                tenant: TenantId,
                id: PaymentId,
            ) -> Result<Option<PaymentDetail>, StoreError> {
                billing::tenant_payment(&mut *self.reader().await?, tenant, id).await
            }

            async fn pending_payments(
                &self,
                tenant: TenantId,
                before: DateTime<Utc>,
                limit: u32,
            ) -> Result<Vec<Payment>, StoreError> {
                let mut conn = self.reader().await?;
                billing::pending_payments(&mut *conn, tenant, before, limit).await
            }

            async fn apply_credit(
                &self,
                scope: &AccountScope,
                allocations: &[Allocation],
                at: DateTime<Utc>,
                messages: &[OutboxMessage],
            ) -> Result<(), StoreError> {
                let tx = self.begin().await?;
                billing::apply_credit(tx, scope, allocations, at, messages).await
            }
        }

        #[async_trait]
        impl LedgerStore for $store {
            async fn account_summary(
                &self,
                scope: &AccountScope,
                currency: Currency,
                today: NaiveDate,
            ) -> Result<AccountSummary, StoreError> {
                let mut conn = self.reader().await?;
                billing::account_summary(&mut *conn, scope, currency, today).await
            }

            async fn statement_parts(
                &self,
                scope: &AccountScope,
                range: StatementRange,
                zone: chrono_tz::Tz,
            ) -> Result<StatementParts, StoreError> {
                billing::statement_parts(&mut *self.reader().await?, scope, range, zone).await
            }
        }

        #[async_trait]
        impl PaymentMethodStore for $store {
            async fn payment_methods(
                &self,
                scope: &AccountScope,
            ) -> Result<Vec<PaymentMethod>, StoreError> {
                billing::payment_methods(&mut *self.reader().await?, scope).await
            }

            async fn add_payment_method(
                &self,
                scope: &AccountScope,
                method: &PaymentMethod,
                messages: &[OutboxMessage],
            ) -> Result<(), StoreError> {
                let tx = self.begin().await?;
                billing::add_payment_method(tx, scope, method, messages).await
            }

            async fn remove_payment_method(
                &self,
                scope: &AccountScope,
                id: PaymentMethodId,
                at: DateTime<Utc>,
                messages: &[OutboxMessage],
            ) -> Result<(), StoreError> {
                let tx = self.begin().await?;
                billing::remove_payment_method(tx, scope, id, at, messages).await
            }

            async fn set_default_payment_method(
                &self,
                scope: &AccountScope,
                id: PaymentMethodId,
                messages: &[OutboxMessage],
            ) -> Result<(), StoreError> {
                let tx = self.begin().await?;
                billing::set_default_payment_method(tx, scope, id, messages).await
            }
        }

        #[async_trait]
        impl AutopayStore for $store {
            async fn autopay(
                &self,
                scope: &AccountScope,
            ) -> Result<Option<AutopayConsent>, StoreError> {
                billing::autopay(&mut *self.reader().await?, scope).await
            }

            async fn autopay_due(
                &self,
                tenant: TenantId,
                today: NaiveDate,
                limit: u32,
            ) -> Result<Vec<AutopayConsent>, StoreError> {
                billing::autopay_due(&mut *self.reader().await?, tenant, today, limit).await
            }

            async fn enrol_autopay(
                &self,
                scope: &AccountScope,
                consent: &AutopayConsent,
                messages: &[OutboxMessage],
            ) -> Result<(), StoreError> {
                let tx = self.begin().await?;
                billing::enrol_autopay(tx, scope, consent, messages).await
            }

            async fn withdraw_autopay(
                &self,
                scope: &AccountScope,
                by: ContactId,
                at: DateTime<Utc>,
                messages: &[OutboxMessage],
            ) -> Result<AutopayConsent, StoreError> {
                let tx = self.begin().await?;
                billing::withdraw_autopay(tx, scope, by, at, messages).await
            }
        }
    };
}

impl_ports!(SqliteStore);
impl_ports!(PgStore);
