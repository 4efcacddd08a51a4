//! The billing port's contracts: invoices (`invoices`), payments and
//! credits (`payments`), cards on file and autopay (`methods`), statements
//! and the ledger rule under random histories (`ledger`), and concurrent
//! payments (`concurrency`). Amounts in these tests are US cents.

mod concurrency;
mod credit;
mod invoices;
mod ledger;
mod methods;
mod payments;

use chrono::{DateTime, NaiveDate, Utc};
use portal_core::access::AccountScope;
use portal_core::accounts::Account;
use portal_core::billing::{
    Allocation, ExternalPayment, Invoice, InvoiceLine, InvoiceQuery, InvoiceStatus, InvoiceUpsert,
    MethodChoice, PaymentDetail, PaymentIntent, PaymentKind, PaymentSource, StatementRange,
};
use portal_core::identity::Contact;
use portal_core::ports::{Store, StoreError};
use portal_core::shared::{
    Currency, ExternalId, InvoiceId, Money, PageRequest, PaymentId, PaymentMethodId,
};
use portal_core::tenancy::Tenant;
use rust_decimal::Decimal;

use crate::harness::{account, contact, date, now, tenant};

/// An amount in cents as dollars.
pub fn usd(cents: i64) -> Money {
    Money::from_minor(cents, Currency::USD)
}

/// The suite's today (the day of [`now`]).
pub fn today() -> NaiveDate {
    now().date_naive()
}

/// One tenant with two accounts and a contact, and a second tenant with an
/// account: what billing tests start from.
pub struct Books {
    pub tenant: Tenant,
    pub account: Account,
    pub second: Account,
    pub contact: Contact,
    pub foreign: Account,
}

impl Books {
    pub async fn new(store: &dyn Store) -> Self {
        let acme = tenant(store, "acme").await;
        let other = tenant(store, "other").await;
        Self {
            account: account(store, acme.id, "A").await,
            second: account(store, acme.id, "B").await,
            contact: contact(store, acme.id, "ada").await,
            foreign: account(store, other.id, "X").await,
            tenant: acme,
        }
    }

    /// An invoice of the first account issued on 2030-02-01.
    pub async fn invoice(
        &self,
        store: &dyn Store,
        external: &str,
        due: &str,
        cents: i64,
    ) -> Invoice {
        invoice(store, &self.account, external, "2030-02-01", due, cents).await
    }

    /// The first account's scope.
    pub fn scope(&self) -> AccountScope {
        AccountScope::unchecked(self.tenant.id, self.account.id)
    }

    /// The second account's scope.
    pub fn second_scope(&self) -> AccountScope {
        AccountScope::unchecked(self.tenant.id, self.second.id)
    }

    /// The other tenant's account's scope.
    pub fn foreign_scope(&self) -> AccountScope {
        AccountScope::unchecked(self.foreign.tenant, self.foreign.id)
    }
}

/// An invoice upsert with one untaxed line of `cents`.
pub fn upsert(
    external: &str,
    account: &Account,
    number: &str,
    issued: &str,
    due: &str,
    cents: i64,
) -> InvoiceUpsert {
    InvoiceUpsert {
        external_id: ExternalId::parse(external).unwrap(),
        account: account.id,
        number: number.to_owned(),
        issued_on: date(issued),
        due_on: date(due),
        currency: Currency::USD,
        lines: vec![InvoiceLine {
            description: format!("Service {number}"),
            quantity: Decimal::ONE,
            unit_price: usd(cents).amount(),
            tax_rate: Decimal::ZERO,
        }],
        memo: None,
        pdf: None,
    }
}

/// Stores an invoice of `cents` issued on `issued`, due `due`, numbered as
/// its external id.
pub async fn invoice(
    store: &dyn Store,
    account: &Account,
    external: &str,
    issued: &str,
    due: &str,
    cents: i64,
) -> Invoice {
    store_upsert(
        store,
        account,
        &upsert(external, account, external, issued, due, cents),
    )
    .await
}

/// Stores an upsert with the totals core computes.
pub async fn store_upsert(store: &dyn Store, account: &Account, upsert: &InvoiceUpsert) -> Invoice {
    let totals = upsert.validate(Currency::USD).unwrap();
    store
        .upsert_invoice(account.tenant, upsert, &totals, now())
        .await
        .unwrap()
}

/// A payment (or credit) the host recorded, applied as `applied` says.
pub fn external(
    external: &str,
    account: &Account,
    kind: PaymentKind,
    cents: i64,
    received_at: DateTime<Utc>,
    applied: &[(&Invoice, i64)],
) -> ExternalPayment {
    ExternalPayment {
        external_id: ExternalId::parse(external).unwrap(),
        account: account.id,
        kind,
        amount: usd(cents),
        received_at,
        method_label: Some(format!("Check {external}")),
        memo: None,
        applied_to: applied
            .iter()
            .map(|(invoice, cents)| (invoice.id, usd(*cents)))
            .collect(),
    }
}

/// Records an external payment or credit at [`now`].
pub async fn record(
    store: &dyn Store,
    account: &Account,
    id: &str,
    kind: PaymentKind,
    cents: i64,
    applied: &[(&Invoice, i64)],
) -> Result<PaymentDetail, StoreError> {
    let payment = external(id, account, kind, cents, now(), applied);
    store
        .record_external_payment(account.tenant, PaymentId::new(), &payment, &[])
        .await
}

/// A portal payment of `cents` by card token, with key `key`, paying
/// `shares` (the rest prepays).
pub fn intent(
    key: &str,
    cents: i64,
    shares: &[(&Invoice, i64)],
    at: DateTime<Utc>,
) -> PaymentIntent {
    let method = MethodChoice::NewToken {
        token: portal_core::billing::CardToken::new("tok_visa"),
        save: false,
    };
    let asked: Vec<(InvoiceId, Option<Decimal>)> = shares
        .iter()
        .map(|(invoice, cents)| (invoice.id, Some(usd(*cents).amount())))
        .collect();
    let allocated: i64 = shares.iter().map(|(_, cents)| cents).sum();
    PaymentIntent {
        id: PaymentId::new(),
        idempotency_key: portal_core::billing::IdempotencyKey::parse(key).unwrap(),
        fingerprint: PaymentIntent::fingerprint_of(
            &asked,
            Some(usd(cents - allocated).amount()),
            &method,
        ),
        amount: usd(cents),
        allocations: shares
            .iter()
            .map(|(invoice, cents)| Allocation {
                invoice: invoice.id,
                invoice_number: invoice.number.clone(),
                amount: usd(*cents),
            })
            .collect(),
        credit: Vec::new(),
        method: None::<PaymentMethodId>,
        method_label: Some("Visa ending 4242".into()),
        contact: None,
        source: PaymentSource::Portal,
        at,
    }
}

/// A credit allocation of `cents` to `invoice`.
pub fn share(invoice: &Invoice, cents: i64) -> Allocation {
    Allocation {
        invoice: invoice.id,
        invoice_number: invoice.number.clone(),
        amount: usd(cents),
    }
}

/// The account's invoice by id, as the customer reads it.
pub async fn reread(store: &dyn Store, scope: &AccountScope, invoice: &Invoice) -> Invoice {
    store
        .invoice(scope, invoice.id)
        .await
        .unwrap()
        .expect("the invoice")
        .invoice
}

/// Every invoice of the account (lists are capped at 100 a page).
pub async fn all_invoices(store: &dyn Store, scope: &AccountScope) -> Vec<Invoice> {
    let mut all = Vec::new();
    for page in 1.. {
        let query = InvoiceQuery {
            page: PageRequest::new(page, 100),
            ..InvoiceQuery::default()
        };
        let page = store.invoices(scope, &query, today()).await.unwrap();
        let done = page.items.len() < 100;
        all.extend(page.items);
        if done {
            return all;
        }
    }
    unreachable!()
}

/// Every payment and credit of the account.
pub async fn all_payments(store: &dyn Store, scope: &AccountScope) -> Vec<PaymentDetail> {
    store
        .payments(scope, PageRequest::new(1, 100))
        .await
        .unwrap()
        .items
}

/// Checks every money rule of one account: each invoice's status is
/// `from_amounts` (or void), paid plus held never exceeds its total; each
/// payment's allocations never exceed it; the ledger (charges less
/// succeeded payments and credits) equals the summary's balance; and a
/// statement over all of it closes at that balance, with aging less
/// unapplied credit equal to the closing balance.
pub async fn check_books(store: &dyn Store, scope: &AccountScope) {
    use portal_core::billing::{PaymentStatus, Statement};
    let invoices = all_invoices(store, scope).await;
    let payments = all_payments(store, scope).await;
    let zero = usd(0);
    for invoice in &invoices {
        assert!(!invoice.amount_paid.is_negative() && !invoice.amount_pending.is_negative());
        assert!(
            invoice.amount_paid.amount() + invoice.amount_pending.amount()
                <= invoice.total.amount(),
            "{invoice:?}"
        );
        if invoice.status != InvoiceStatus::Void {
            let expected =
                InvoiceStatus::from_amounts(invoice.total.amount(), invoice.amount_paid.amount());
            assert_eq!(invoice.status, expected, "{invoice:?}");
        } else {
            assert_eq!((invoice.amount_paid, invoice.amount_pending), (zero, zero));
        }
    }
    for detail in &payments {
        let allocated =
            Money::checked_sum(detail.allocations.iter().map(|a| a.amount), Currency::USD).unwrap();
        assert!(
            allocated.amount() <= detail.payment.amount.amount(),
            "{detail:?}"
        );
        if detail.payment.status == PaymentStatus::Succeeded {
            assert_eq!(allocated, detail.payment.applied, "{detail:?}");
        }
    }
    let charges: Decimal = invoices
        .iter()
        .filter(|i| i.status != InvoiceStatus::Void)
        .map(|i| i.total.amount())
        .sum();
    let received: Decimal = payments
        .iter()
        .filter(|d| d.payment.status == PaymentStatus::Succeeded)
        .map(|d| d.payment.amount.amount())
        .sum();
    let summary = store
        .account_summary(scope, Currency::USD, today())
        .await
        .unwrap();
    assert_eq!(
        summary.current_balance.amount(),
        charges - received,
        "ledger vs summary"
    );
    let owed: Decimal = invoices.iter().map(|i| i.balance().amount()).sum();
    let credit: Decimal = payments
        .iter()
        .map(|d| d.payment.unapplied().amount())
        .sum();
    assert_eq!(summary.credit.amount(), credit);
    assert_eq!(summary.current_balance.amount(), owed - credit);

    let range = StatementRange::new(date("2025-01-01"), date("2034-12-31")).unwrap();
    let parts = store
        .statement_parts(scope, range, chrono_tz::America::New_York)
        .await
        .unwrap();
    let statement = Statement::build(range, Currency::USD, parts);
    assert_eq!(statement.opening_balance, zero);
    assert_eq!(statement.closing_balance.amount(), charges - received);
    assert_eq!(
        statement
            .aging
            .total()
            .checked_sub(statement.unapplied_credit)
            .unwrap(),
        statement.closing_balance,
        "aging less unapplied credit"
    );
}
