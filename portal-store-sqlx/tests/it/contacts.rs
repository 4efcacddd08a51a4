//! Contacts and memberships: idempotent upserts, unique e-mail and phone
//! per tenant, tenant isolation, memberships only within a tenant.

use portal_core::access::Role;
use portal_core::identity::{LoginName, TokenPurpose};
use portal_core::ports::StoreError;
use portal_core::shared::{
    AccountId, Conflict, ContactId, EmailAddress, Language, PhoneNumber, Unique,
};

use crate::harness::{
    TestDb, UNLIMITED, account, conformance, contact, contact_upsert, now, tenant, token_for,
};

conformance!(
    upserting_a_contact_twice_leaves_one_row_and_keeps_its_id,
    another_contacts_email_is_a_conflict,
    another_contacts_phone_is_a_conflict,
    the_same_email_and_phone_in_another_tenant_are_no_conflict,
    another_tenants_contacts_are_invisible,
    a_membership_needs_a_contact_and_an_account_of_the_tenant,
    granting_again_changes_the_role_and_memberships_list_by_account_name,
    login_candidate_finds_by_email_or_phone_with_the_credential_once_set,
    changing_a_contacts_email_spends_its_unused_tokens,
    a_contacts_language_is_kept_until_changed_and_survives_host_upserts,
    setting_the_language_of_another_tenants_contact_is_not_found_and_changes_nothing,
);

async fn a_contacts_language_is_kept_until_changed_and_survives_host_upserts(db: TestDb) {
    let tenant = tenant(&*db, "acme").await;
    let upsert = contact_upsert("ada", "ada@example.com", None);
    let ada = db.upsert_contact(tenant.id, &upsert).await.unwrap();
    assert_eq!(ada.language, None);

    db.set_contact_language(tenant.id, ada.id, Some(Language::Spanish))
        .await
        .unwrap();
    let read = db.contact(tenant.id, ada.id).await.unwrap().unwrap();
    assert_eq!(read.language, Some(Language::Spanish));
    let email = upsert.email.clone().unwrap();
    let by_email = db.contact_by_email(tenant.id, &email).await.unwrap();
    assert_eq!(by_email.map(|c| c.language), Some(Some(Language::Spanish)));
    // The host's upsert does not own the contact's choice.
    let again = db.upsert_contact(tenant.id, &upsert).await.unwrap();
    assert_eq!(again.language, Some(Language::Spanish));
    assert_eq!(again.name, read.name);

    db.set_contact_language(tenant.id, ada.id, None)
        .await
        .unwrap();
    let cleared = db.contact(tenant.id, ada.id).await.unwrap().unwrap();
    assert_eq!(cleared.language, None);
}

async fn setting_the_language_of_another_tenants_contact_is_not_found_and_changes_nothing(
    db: TestDb,
) {
    let acme = tenant(&*db, "acme").await;
    let other = tenant(&*db, "other").await;
    let ada = contact(&*db, acme.id, "ada").await;
    assert!(matches!(
        db.set_contact_language(other.id, ada.id, Some(Language::Spanish))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        db.set_contact_language(acme.id, ContactId::new(), Some(Language::Spanish))
            .await,
        Err(StoreError::NotFound)
    ));
    let read = db.contact(acme.id, ada.id).await.unwrap().unwrap();
    assert_eq!(read.language, None);
}

async fn upserting_a_contact_twice_leaves_one_row_and_keeps_its_id(db: TestDb) {
    let tenant = tenant(&*db, "acme").await;
    let mut upsert = contact_upsert("ada", "ada@example.com", Some("555 010 0101"));
    let first = db.upsert_contact(tenant.id, &upsert).await.unwrap();
    let second = db.upsert_contact(tenant.id, &upsert).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(db.count("SELECT COUNT(*) FROM contacts").await, 1);
    assert_eq!(first.email, upsert.email);
    assert_eq!(first.phone, upsert.phone);

    upsert.name = "Ada King".into();
    upsert.email = Some(EmailAddress::parse("ada.king@example.com").unwrap());
    upsert.phone = None;
    upsert.enabled = false;
    let updated = db.upsert_contact(tenant.id, &upsert).await.unwrap();
    assert_eq!(updated.id, first.id);
    assert_eq!(
        (
            updated.name.as_str(),
            &updated.email,
            &updated.phone,
            updated.enabled
        ),
        ("Ada King", &upsert.email, &None, false)
    );
    assert_eq!(
        db.contact(tenant.id, first.id).await.unwrap(),
        Some(updated)
    );
}

async fn another_contacts_email_is_a_conflict(db: TestDb) {
    let tenant = tenant(&*db, "acme").await;
    db.upsert_contact(tenant.id, &contact_upsert("ada", "ada@example.com", None))
        .await
        .unwrap();
    let bob = db
        .upsert_contact(tenant.id, &contact_upsert("bob", "bob@example.com", None))
        .await
        .unwrap();

    // A new contact with Ada's e-mail, and Bob taking it in an update.
    for external in ["eve", "bob"] {
        let refused = db
            .upsert_contact(
                tenant.id,
                &contact_upsert(external, "ada@example.com", None),
            )
            .await;
        match refused {
            Err(StoreError::Conflict(conflict)) => {
                assert_eq!(conflict, Conflict::Taken(Unique::Email))
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
    }
    assert_eq!(db.contact(tenant.id, bob.id).await.unwrap(), Some(bob));
    assert_eq!(db.count("SELECT COUNT(*) FROM contacts").await, 2);
}

async fn another_contacts_phone_is_a_conflict(db: TestDb) {
    let tenant = tenant(&*db, "acme").await;
    db.upsert_contact(
        tenant.id,
        &contact_upsert("ada", "ada@example.com", Some("555 010 0101")),
    )
    .await
    .unwrap();
    // Written differently, the same number.
    let refused = db
        .upsert_contact(
            tenant.id,
            &contact_upsert("bob", "bob@example.com", Some("(555) 010-0101")),
        )
        .await;
    match refused {
        Err(StoreError::Conflict(conflict)) => {
            assert_eq!(conflict, Conflict::Taken(Unique::Phone))
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Contacts without a phone never clash with each other.
    for external in ["carl", "dora"] {
        let email = format!("{external}@example.com");
        db.upsert_contact(tenant.id, &contact_upsert(external, &email, None))
            .await
            .unwrap();
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM contacts").await, 3);
}

async fn the_same_email_and_phone_in_another_tenant_are_no_conflict(db: TestDb) {
    let acme = tenant(&*db, "acme").await;
    let other = tenant(&*db, "other").await;
    let upsert = contact_upsert("ada", "ada@example.com", Some("555 010 0101"));
    let ours = db.upsert_contact(acme.id, &upsert).await.unwrap();
    let theirs = db.upsert_contact(other.id, &upsert).await.unwrap();
    assert_ne!(ours.id, theirs.id);
}

async fn another_tenants_contacts_are_invisible(db: TestDb) {
    let acme = tenant(&*db, "acme").await;
    let other = tenant(&*db, "other").await;
    let ada = db
        .upsert_contact(
            acme.id,
            &contact_upsert("ada", "ada@example.com", Some("555 010 0101")),
        )
        .await
        .unwrap();
    db.set_first_password(acme.id, ada.id, "hash", &[])
        .await
        .unwrap();
    let email = ada.email.clone().unwrap();
    let phone = ada.phone.clone().unwrap();

    assert_eq!(db.contact(other.id, ada.id).await.unwrap(), None);
    assert_eq!(
        db.contact_by_external_id(other.id, &ada.external_id)
            .await
            .unwrap(),
        None
    );
    assert_eq!(db.contact_by_email(other.id, &email).await.unwrap(), None);
    assert_eq!(
        db.login_candidate(other.id, &LoginName::Email(email.clone()))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        db.login_candidate(other.id, &LoginName::Phone(phone))
            .await
            .unwrap(),
        None
    );
    assert!(db.memberships(other.id, ada.id).await.unwrap().is_empty());

    assert_eq!(
        db.contact_by_external_id(acme.id, &ada.external_id)
            .await
            .unwrap(),
        Some(ada.clone())
    );
    assert_eq!(
        db.contact_by_email(acme.id, &email).await.unwrap(),
        Some(ada)
    );
}

async fn a_membership_needs_a_contact_and_an_account_of_the_tenant(db: TestDb) {
    let acme = tenant(&*db, "acme").await;
    let other = tenant(&*db, "other").await;
    let ours = (
        contact(&*db, acme.id, "ada").await,
        account(&*db, acme.id, "A").await,
    );
    let theirs = (
        contact(&*db, other.id, "bob").await,
        account(&*db, other.id, "B").await,
    );

    for (tenant, contact, account) in [
        (acme.id, ours.0.id, theirs.1.id),
        (acme.id, theirs.0.id, ours.1.id),
        (other.id, ours.0.id, ours.1.id),
        (acme.id, ContactId::new(), ours.1.id),
        (acme.id, ours.0.id, AccountId::new()),
    ] {
        let refused = db
            .grant_membership(tenant, contact, account, Role::Primary)
            .await;
        assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM memberships").await, 0);

    db.grant_membership(acme.id, ours.0.id, ours.1.id, Role::Billing)
        .await
        .unwrap();
    let memberships = db.memberships(acme.id, ours.0.id).await.unwrap();
    assert_eq!(memberships.len(), 1);
    assert_eq!(
        (memberships[0].account, memberships[0].role),
        (ours.1.id, Role::Billing)
    );
}

async fn granting_again_changes_the_role_and_memberships_list_by_account_name(db: TestDb) {
    let tenant = tenant(&*db, "acme").await;
    let ada = contact(&*db, tenant.id, "ada").await;
    let zoo = db
        .upsert_account(
            tenant.id,
            &crate::harness::account_upsert("Z", "Zoo Supplies", "zoo@example.com", "5550100001"),
        )
        .await
        .unwrap();
    let mut off = crate::harness::account_upsert("M", "Main Street", "m@example.com", "5550100002");
    off.portal_enabled = false;
    off.has_history = false;
    let main = db.upsert_account(tenant.id, &off).await.unwrap();

    db.grant_membership(tenant.id, ada.id, zoo.id, Role::Viewer)
        .await
        .unwrap();
    db.grant_membership(tenant.id, ada.id, main.id, Role::Member)
        .await
        .unwrap();
    db.grant_membership(tenant.id, ada.id, zoo.id, Role::Primary)
        .await
        .unwrap();

    let memberships = db.memberships(tenant.id, ada.id).await.unwrap();
    let seen: Vec<_> = memberships
        .iter()
        .map(|m| {
            (
                m.account_name.as_str(),
                m.account_number.as_str(),
                m.role,
                m.portal_enabled,
                m.has_history,
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("Main Street", "N-M", Role::Member, false, false),
            ("Zoo Supplies", "N-Z", Role::Primary, true, true),
        ]
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM memberships").await, 2);
}

async fn login_candidate_finds_by_email_or_phone_with_the_credential_once_set(db: TestDb) {
    let tenant = tenant(&*db, "acme").await;
    let ada = db
        .upsert_contact(
            tenant.id,
            &contact_upsert("ada", "ada@example.com", Some("555 010 0101")),
        )
        .await
        .unwrap();
    let by_email = LoginName::Email(EmailAddress::parse("ADA@example.com").unwrap());
    let by_phone = LoginName::Phone(PhoneNumber::parse("555-010-0101").unwrap());

    let candidate = db
        .login_candidate(tenant.id, &by_email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (candidate.contact, candidate.credential),
        (ada.clone(), None)
    );

    db.set_first_password(tenant.id, ada.id, "$argon2id$hash", &[])
        .await
        .unwrap();
    for login in [&by_email, &by_phone] {
        let candidate = db.login_candidate(tenant.id, login).await.unwrap().unwrap();
        assert_eq!(candidate.contact, ada);
        let credential = candidate.credential.unwrap();
        assert_eq!(credential.password_hash, "$argon2id$hash");
    }
    let stranger = LoginName::Email(EmailAddress::parse("eve@example.com").unwrap());
    assert_eq!(
        db.login_candidate(tenant.id, &stranger).await.unwrap(),
        None
    );
}

async fn changing_a_contacts_email_spends_its_unused_tokens(db: TestDb) {
    let acme = tenant(&*db, "acme").await;
    let mut upsert = contact_upsert("ada", "ada@example.com", None);
    let ada = db.upsert_contact(acme.id, &upsert).await.unwrap();
    let (token, raw) = token_for(acme.id, ada.id, TokenPurpose::Invitation);
    db.issue_token(&token, &[], &UNLIMITED).await.unwrap();
    let bob = contact(&*db, acme.id, "bob").await;
    let (bobs, bobs_raw) = token_for(acme.id, bob.id, TokenPurpose::Invitation);
    db.issue_token(&bobs, &[], &UNLIMITED).await.unwrap();

    // Other changes leave the link alone.
    upsert.name = "Ada King".into();
    upsert.phone = Some(PhoneNumber::parse("555 010 0101").unwrap());
    db.upsert_contact(acme.id, &upsert).await.unwrap();
    assert!(
        db.live_token(acme.id, &raw.hash(), now())
            .await
            .unwrap()
            .is_some()
    );

    // A new address: the link mailed to the old one dies.
    upsert.email = Some(EmailAddress::parse("ada.king@example.com").unwrap());
    db.upsert_contact(acme.id, &upsert).await.unwrap();
    assert_eq!(
        db.live_token(acme.id, &raw.hash(), now()).await.unwrap(),
        None
    );
    let refused = db
        .redeem_token(acme.id, &raw.hash(), now(), "hash", &[])
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert!(
        db.live_token(acme.id, &bobs_raw.hash(), now())
            .await
            .unwrap()
            .is_some()
    );

    // So does removing the address.
    let (again, again_raw) = token_for(acme.id, ada.id, TokenPurpose::ResetPassword);
    db.issue_token(&again, &[], &UNLIMITED).await.unwrap();
    upsert.email = None;
    db.upsert_contact(acme.id, &upsert).await.unwrap();
    assert_eq!(
        db.live_token(acme.id, &again_raw.hash(), now())
            .await
            .unwrap(),
        None
    );
}
