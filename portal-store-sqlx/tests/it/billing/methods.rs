//! Cards on file (the first is the default, one default at a time, the
//! newest inherits it, the card autopay uses stays) and autopay (one active
//! consent, withdrawn by whom and when).

use chrono::Duration;
use portal_core::accounts::Account;
use portal_core::billing::{AutopayConsent, PaymentMethod};
use portal_core::ports::StoreError;
use portal_core::shared::{AutopayId, PaymentMethodId};

use super::{Books, invoice};
use crate::harness::date;
use crate::harness::{TestDb, conformance, contact, mail, now};

conformance!(
    the_first_card_is_the_default_and_a_removed_default_passes_only_to_the_card_named,
    the_card_autopay_uses_cannot_be_removed,
    an_account_has_at_most_one_active_autopay_consent,
    the_autopay_run_finds_active_consents_with_something_due,
);

/// A Visa card ending `last4` for `account`, added at [`now`].
pub fn card(account: &Account, last4: &str) -> PaymentMethod {
    PaymentMethod {
        id: PaymentMethodId::new(),
        account: account.id,
        gateway_token: portal_core::billing::CardToken::new(format!("pm_{last4}")),
        brand: "Visa".into(),
        last4: last4.into(),
        exp_month: Some(12),
        exp_year: Some(2031),
        is_default: false,
        added_by: None,
        added_at: now(),
    }
}

fn consent(books: &Books, method: PaymentMethodId, minutes: i64) -> AutopayConsent {
    AutopayConsent {
        id: AutopayId::new(),
        account: books.account.id,
        method,
        contact: books.contact.id,
        terms: "Charge my card on each due date.".into(),
        consented_at: now() + Duration::minutes(minutes),
        withdrawn_at: None,
        withdrawn_by: None,
    }
}

async fn the_first_card_is_the_default_and_a_removed_default_passes_only_to_the_card_named(
    db: TestDb,
) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let listed = |db: &TestDb| {
        let db = db.store.clone();
        async move {
            db.payment_methods(&scope)
                .await
                .unwrap()
                .into_iter()
                .map(|m| (m.last4, m.is_default))
                .collect::<Vec<_>>()
        }
    };
    let first = card(&books.account, "1111");
    db.add_payment_method(&scope, &first, &[mail("a@b.test")])
        .await
        .unwrap();
    assert_eq!(listed(&db).await, [("1111".to_owned(), true)]);
    let mut second = card(&books.account, "2222");
    second.added_at = now() + Duration::minutes(1);
    db.add_payment_method(&scope, &second, &[]).await.unwrap();
    let mut third = card(&books.account, "3333");
    third.added_at = now() + Duration::minutes(2);
    third.is_default = true;
    db.add_payment_method(&scope, &third, &[]).await.unwrap();
    assert_eq!(
        listed(&db).await,
        [
            ("3333".into(), true),
            ("2222".into(), false),
            ("1111".into(), false)
        ]
    );
    let stored = db.payment_methods(&scope).await.unwrap();
    assert_eq!(
        stored[0],
        PaymentMethod {
            is_default: true,
            ..third.clone()
        }
    );

    db.set_default_payment_method(&scope, first.id, &[])
        .await
        .unwrap();
    assert_eq!(
        listed(&db).await,
        [
            ("1111".into(), true),
            ("3333".into(), false),
            ("2222".into(), false)
        ]
    );
    // Removing the default with no card named leaves no default.
    db.remove_payment_method(&scope, first.id, None, now(), &[])
        .await
        .unwrap();
    assert_eq!(
        listed(&db).await,
        [("3333".into(), false), ("2222".into(), false)]
    );
    let gone = db
        .remove_payment_method(&scope, first.id, None, now(), &[])
        .await;
    assert!(matches!(gone, Err(StoreError::NotFound)), "{gone:?}");
    let gone = db.set_default_payment_method(&scope, first.id, &[]).await;
    assert!(matches!(gone, Err(StoreError::NotFound)), "{gone:?}");
    // A new default that is not on file (the removed one, another
    // account's) writes nothing: the card stays.
    for unknown in [second.id, PaymentMethodId::new()] {
        let refused = db
            .remove_payment_method(&scope, second.id, Some(unknown), now(), &[mail("x@b.test")])
            .await;
        assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    }
    assert_eq!(listed(&db).await.len(), 2);
    // The card named becomes the default in the same change.
    db.set_default_payment_method(&scope, second.id, &[])
        .await
        .unwrap();
    db.remove_payment_method(&scope, second.id, Some(third.id), now(), &[])
        .await
        .unwrap();
    assert_eq!(listed(&db).await, [("3333".into(), true)]);
    db.remove_payment_method(&scope, third.id, None, now(), &[])
        .await
        .unwrap();
    assert!(listed(&db).await.is_empty());
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM payment_methods WHERE gateway_token <> ''")
            .await,
        0,
        "removed cards keep no gateway token"
    );
}

async fn the_card_autopay_uses_cannot_be_removed(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let used = card(&books.account, "1111");
    let spare = card(&books.account, "2222");
    db.add_payment_method(&scope, &used, &[]).await.unwrap();
    db.add_payment_method(&scope, &spare, &[]).await.unwrap();
    db.enrol_autopay(&scope, &consent(&books, used.id, 0), &[])
        .await
        .unwrap();
    let refused = db
        .remove_payment_method(&scope, used.id, None, now(), &[mail("a@b.test")])
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    assert_eq!(db.payment_methods(&scope).await.unwrap().len(), 2);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 0);
    db.remove_payment_method(&scope, spare.id, None, now(), &[])
        .await
        .unwrap();
    db.withdraw_autopay(&scope, books.contact.id, now(), &[])
        .await
        .unwrap();
    db.remove_payment_method(&scope, used.id, None, now(), &[])
        .await
        .unwrap();
}

async fn an_account_has_at_most_one_active_autopay_consent(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    assert!(db.autopay(&scope).await.unwrap().is_none());
    let method = card(&books.account, "1111");
    db.add_payment_method(&scope, &method, &[]).await.unwrap();

    let first = consent(&books, method.id, 0);
    db.enrol_autopay(&scope, &first, &[mail("a@b.test")])
        .await
        .unwrap();
    assert_eq!(db.autopay(&scope).await.unwrap(), Some(first.clone()));
    let second = consent(&books, method.id, 10);
    db.enrol_autopay(&scope, &second, &[]).await.unwrap();
    assert_eq!(db.autopay(&scope).await.unwrap(), Some(second.clone()));
    // The first was withdrawn by the same contact when the second was given.
    assert_eq!(
        db.count("SELECT COUNT(*) FROM autopay_consents WHERE withdrawn_at IS NOT NULL")
            .await,
        1
    );

    // A method that is not the account's, or a contact of another tenant.
    let theirs = card(&books.second, "9999");
    db.add_payment_method(&books.second_scope(), &theirs, &[])
        .await
        .unwrap();
    let refused = db
        .enrol_autopay(&scope, &consent(&books, theirs.id, 20), &[])
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    let stranger = contact(&*db, books.foreign.tenant, "zed").await;
    let mut foreign = consent(&books, method.id, 20);
    foreign.contact = stranger.id;
    let refused = db.enrol_autopay(&scope, &foreign, &[]).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert_eq!(db.autopay(&scope).await.unwrap(), Some(second.clone()));

    let at = now() + Duration::hours(1);
    let withdrawn = db
        .withdraw_autopay(&scope, books.contact.id, at, &[mail("a@b.test")])
        .await
        .unwrap();
    assert_eq!(
        withdrawn,
        AutopayConsent {
            withdrawn_at: Some(at),
            withdrawn_by: Some(books.contact.id),
            ..second
        }
    );
    assert!(db.autopay(&scope).await.unwrap().is_none());
    let none = db.withdraw_autopay(&scope, books.contact.id, at, &[]).await;
    assert!(matches!(none, Err(StoreError::NotFound)), "{none:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 2);
    assert!(db.autopay(&books.second_scope()).await.unwrap().is_none());
}

async fn the_autopay_run_finds_active_consents_with_something_due(db: TestDb) {
    let books = Books::new(&*db).await;
    let tenant = books.tenant.id;
    let today = date("2030-03-01");
    // Enrolled, but nothing due yet: not listed.
    let method = card(&books.account, "1111");
    db.add_payment_method(&books.scope(), &method, &[])
        .await
        .unwrap();
    let enrolled = consent(&books, method.id, 0);
    db.enrol_autopay(&books.scope(), &enrolled, &[])
        .await
        .unwrap();
    invoice(
        &*db,
        &books.account,
        "LATER",
        "2030-02-20",
        "2030-03-20",
        5_000,
    )
    .await;
    assert!(db.autopay_due(tenant, today, 10).await.unwrap().is_empty());

    // Due today: listed.
    books.invoice(&*db, "NOW", "2030-03-01", 2_000).await;
    assert_eq!(
        db.autopay_due(tenant, today, 10).await.unwrap(),
        vec![enrolled.clone()]
    );

    // Due, but not enrolled (the second account): not listed; another
    // tenant's: never.
    invoice(
        &*db,
        &books.second,
        "OTHER",
        "2030-02-01",
        "2030-02-15",
        2_000,
    )
    .await;
    assert_eq!(db.autopay_due(tenant, today, 10).await.unwrap().len(), 1);
    assert!(
        db.autopay_due(books.foreign.tenant, today, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Withdrawn: not listed.
    db.withdraw_autopay(&books.scope(), books.contact.id, now(), &[])
        .await
        .unwrap();
    assert!(db.autopay_due(tenant, today, 10).await.unwrap().is_empty());
}
