//! Accounts: idempotent upserts keyed by the host's id, tenant isolation,
//! the portal switch with its outbox message, known facts, communications.

use chrono::Duration;
use portal_core::accounts::Communication;
use portal_core::outbox::{DomainEvent, OutboxMessage};
use portal_core::ports::StoreError;
use portal_core::shared::{AccountId, CommunicationId, EmailAddress, PhoneNumber, PostalCode};

use crate::harness::{TestDb, account, account_upsert, conformance, mail, now, tenant};

conformance!(
    upserting_an_account_twice_leaves_one_row_and_keeps_its_id,
    an_upsert_updates_the_account_with_the_same_external_id,
    another_tenants_accounts_are_invisible,
    switching_the_portal_writes_its_message_in_the_same_transaction,
    known_facts_match_only_when_phone_email_and_postal_code_all_match,
    a_communication_needs_an_account_of_the_tenant,
    custom_field_edits_merge_into_the_account_with_their_message,
);

async fn upserting_an_account_twice_leaves_one_row_and_keeps_its_id(db: TestDb) {
    let tenant = tenant(&*db, "acme").await;
    let upsert = account_upsert("A-1", "Ada's Bakery", "ada@example.com", "555 010 0101");
    let first = db.upsert_account(tenant.id, &upsert).await.unwrap();
    let second = db.upsert_account(tenant.id, &upsert).await.unwrap();

    assert_eq!(first, second);
    assert_eq!(db.count("SELECT COUNT(*) FROM accounts").await, 1);
    assert_eq!(first.tenant, tenant.id);
    assert_eq!(first.external_id, upsert.external_id);
    assert_eq!(first.address, upsert.address);
    assert_eq!(first.custom_fields, upsert.custom_fields);
    assert_eq!(
        db.account(tenant.id, first.id).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(
        db.account_by_external_id(tenant.id, &upsert.external_id)
            .await
            .unwrap(),
        Some(first)
    );
}

async fn an_upsert_updates_the_account_with_the_same_external_id(db: TestDb) {
    let tenant = tenant(&*db, "acme").await;
    let mut upsert = account_upsert("A-1", "Ada's Bakery", "ada@example.com", "555 010 0101");
    let first = db.upsert_account(tenant.id, &upsert).await.unwrap();

    upsert.name = "Ada's Bakery & Cafe".into();
    upsert.phone = None;
    upsert.email = Some(EmailAddress::parse("cafe@example.com").unwrap());
    upsert.address.line2 = "Unit 4".into();
    upsert.custom_fields.insert("Dog".into(), "friendly".into());
    upsert.portal_enabled = false;
    upsert.has_history = false;
    let updated = db.upsert_account(tenant.id, &upsert).await.unwrap();

    assert_eq!(updated.id, first.id);
    assert_eq!(updated.name, upsert.name);
    assert_eq!(updated.phone, None);
    assert_eq!(updated.email, upsert.email);
    assert_eq!(updated.address, upsert.address);
    assert_eq!(updated.custom_fields, upsert.custom_fields);
    assert!(!updated.portal_enabled && !updated.has_history);
    assert_eq!(
        db.account(tenant.id, first.id).await.unwrap(),
        Some(updated)
    );
}

async fn another_tenants_accounts_are_invisible(db: TestDb) {
    let acme = tenant(&*db, "acme").await;
    let other = tenant(&*db, "other").await;
    let ours = account(&*db, acme.id, "A-1").await;
    // The same host id in another tenant is another account.
    let theirs = account(&*db, other.id, "A-1").await;
    assert_ne!(ours.id, theirs.id);

    assert_eq!(db.account(other.id, ours.id).await.unwrap(), None);
    assert_eq!(db.account(acme.id, theirs.id).await.unwrap(), None);
    assert_eq!(
        db.account_by_external_id(acme.id, &ours.external_id)
            .await
            .unwrap()
            .map(|a| a.id),
        Some(ours.id)
    );
    assert_eq!(
        db.account_by_external_id(other.id, &ours.external_id)
            .await
            .unwrap()
            .map(|a| a.id),
        Some(theirs.id)
    );
}

async fn switching_the_portal_writes_its_message_in_the_same_transaction(db: TestDb) {
    let acme = tenant(&*db, "acme").await;
    let other = tenant(&*db, "other").await;
    let account = account(&*db, acme.id, "A-1").await;
    let messages = [OutboxMessage::Event(DomainEvent::PortalAccessChanged {
        account: account.id,
        enabled: false,
    })];

    db.set_portal_enabled(acme.id, account.id, false, &messages)
        .await
        .unwrap();
    assert!(
        !db.account(acme.id, account.id)
            .await
            .unwrap()
            .unwrap()
            .portal_enabled
    );
    let claimed = db
        .claim_outbox(now(), now() + Duration::minutes(2), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        (claimed[0].tenant, &claimed[0].message),
        (acme.id, &messages[0])
    );

    // Another tenant's id for the account: not found, and nothing written.
    let refused = db
        .set_portal_enabled(other.id, account.id, true, &messages)
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert!(
        !db.account(acme.id, account.id)
            .await
            .unwrap()
            .unwrap()
            .portal_enabled
    );
    let refused = db
        .set_portal_enabled(acme.id, AccountId::new(), true, &messages)
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
}

async fn known_facts_match_only_when_phone_email_and_postal_code_all_match(db: TestDb) {
    let acme = tenant(&*db, "acme").await;
    let other = tenant(&*db, "other").await;
    let facts = account_upsert("A-1", "Ada's Bakery", "ada@example.com", "555 010 0101");
    let matching = db.upsert_account(acme.id, &facts).await.unwrap();
    // Same facts in another tenant must not be found from this one.
    db.upsert_account(other.id, &facts).await.unwrap();
    let phone = PhoneNumber::parse("(555) 010-0101").unwrap();
    let email = EmailAddress::parse("Ada@Example.com").unwrap();
    let postal_code = PostalCode::parse("12345").unwrap();

    let found = db
        .accounts_matching_facts(acme.id, &phone, &email, &postal_code)
        .await
        .unwrap();
    assert_eq!(found, vec![matching]);

    let wrong_phone = PhoneNumber::parse("555 010 0199").unwrap();
    let wrong_email = EmailAddress::parse("bob@example.com").unwrap();
    let wrong_code = PostalCode::parse("99999").unwrap();
    for (phone, email, code) in [
        (&wrong_phone, &email, &postal_code),
        (&phone, &wrong_email, &postal_code),
        (&phone, &email, &wrong_code),
    ] {
        let found = db
            .accounts_matching_facts(acme.id, phone, email, code)
            .await
            .unwrap();
        assert!(found.is_empty());
    }
}

async fn a_communication_needs_an_account_of_the_tenant(db: TestDb) {
    let acme = tenant(&*db, "acme").await;
    let other = tenant(&*db, "other").await;
    let account = account(&*db, acme.id, "A-1").await;
    let communication = Communication {
        id: CommunicationId::new(),
        account: account.id,
        channel: "email".into(),
        subject: "Your visit".into(),
        body: "We come on Tuesday.".into(),
        occurred_at: now(),
    };

    let refused = crate::dashboard::record(&db, other.id, &communication).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    let unknown = Communication {
        account: AccountId::new(),
        ..communication.clone()
    };
    let refused = crate::dashboard::record(&db, acme.id, &unknown).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM communications").await, 0);

    crate::dashboard::record(&db, acme.id, &communication)
        .await
        .unwrap();
    assert_eq!(db.count("SELECT COUNT(*) FROM communications").await, 1);
}

async fn custom_field_edits_merge_into_the_account_with_their_message(db: TestDb) {
    use portal_core::access::AccountScope;
    use std::collections::BTreeMap;
    let acme = tenant(&*db, "acme").await;
    let other = tenant(&*db, "other").await;
    let upsert = account_upsert("A-1", "Ada's Bakery", "ada@example.com", "555 010 0101");
    let created = db.upsert_account(acme.id, &upsert).await.unwrap();
    let scope = AccountScope::unchecked(acme.id, created.id);
    let change = BTreeMap::from([("Preferred day".to_owned(), "Friday".to_owned())]);

    db.update_custom_fields(&scope, &change, &[mail("host@acme.test")])
        .await
        .unwrap();

    let fields = db
        .account(acme.id, created.id)
        .await
        .unwrap()
        .unwrap()
        .custom_fields;
    // The edit is added; the host's other fields stay.
    assert_eq!(
        fields.get("Preferred day").map(String::as_str),
        Some("Friday")
    );
    assert_eq!(
        fields.get("Gate code"),
        upsert.custom_fields.get("Gate code")
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);

    // Another tenant's scope on the same account id finds nothing and
    // writes nothing.
    let foreign = AccountScope::unchecked(other.id, created.id);
    let refused = db
        .update_custom_fields(&foreign, &change, &[mail("x@y.test")])
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
}
