//! Passwords: a change needs the stored hash to still be the one the caller
//! verified, keeps only the given session, spends the contact's unused
//! links and writes its messages in the same transaction; a first password
//! is set only once, and spends the links too.

use chrono::Duration;
use portal_core::identity::{LoginName, TokenPurpose};
use portal_core::ports::StoreError;
use portal_core::shared::ContactId;

use crate::harness::{
    PASSWORD, TestDb, UNLIMITED, World, address, conformance, contact, event, mail, now, tenant,
    token_for,
};

conformance!(
    changing_the_password_keeps_only_the_given_session,
    changing_the_password_without_a_session_to_keep_ends_them_all,
    changing_another_tenants_contacts_password_is_not_found_and_writes_nothing,
    a_first_password_is_set_once,
    changing_the_password_needs_the_current_hash_and_otherwise_writes_nothing,
    changing_the_password_spends_the_contacts_unused_tokens,
    setting_the_first_password_spends_the_contacts_unused_tokens,
);

async fn changing_the_password_keeps_only_the_given_session(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let tenant = world.tenant.id;
    let (kept, kept_token) = world.log_in(&*db).await;
    let (_, other_token) = world.log_in(&*db).await;
    let (on_second, second_token) = world.session_on(world.second_account.id, now());
    db.start_session(&on_second, PASSWORD, &address(), &[])
        .await
        .unwrap();
    let messages = [event(world.contact.id), mail("ada@people.test")];

    db.change_password(
        tenant,
        world.contact.id,
        PASSWORD,
        "hash-1",
        Some(kept.id),
        &messages,
    )
    .await
    .unwrap();

    assert_eq!(world.credential(&*db).await.password_hash, "hash-1");
    assert!(
        db.session_context(tenant, &kept_token.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
    for ended in [&other_token, &second_token] {
        assert_eq!(
            db.session_context(tenant, &ended.hash(), now())
                .await
                .unwrap(),
            None
        );
    }
    let claimed = db
        .claim_outbox(now(), now() + Duration::minutes(2), 10)
        .await
        .unwrap();
    let mut delivered: Vec<_> = claimed.into_iter().map(|item| item.message).collect();
    delivered.sort_by_key(|message| format!("{message:?}"));
    let mut expected = messages.to_vec();
    expected.sort_by_key(|message| format!("{message:?}"));
    assert_eq!(delivered, expected);
}

async fn changing_the_password_without_a_session_to_keep_ends_them_all(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (_, first) = world.log_in(&*db).await;
    let (_, second) = world.log_in(&*db).await;
    db.change_password(
        world.tenant.id,
        world.contact.id,
        PASSWORD,
        "hash-1",
        None,
        &[],
    )
    .await
    .unwrap();
    for token in [first, second] {
        assert_eq!(
            db.session_context(world.tenant.id, &token.hash(), now())
                .await
                .unwrap(),
            None
        );
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM sessions").await, 0);
}

async fn changing_another_tenants_contacts_password_is_not_found_and_writes_nothing(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let other = World::new(&*db, "other").await;
    let (_, token) = world.log_in(&*db).await;
    for contact in [world.contact.id, ContactId::new()] {
        let refused = db
            .change_password(
                other.tenant.id,
                contact,
                PASSWORD,
                "hash-x",
                None,
                &[mail("a@b.test")],
            )
            .await;
        assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    }
    assert_eq!(world.credential(&*db).await.password_hash, "hash-0");
    assert!(
        db.session_context(world.tenant.id, &token.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 0);
}

async fn a_first_password_is_set_once(db: TestDb) {
    let acme = tenant(&*db, "acme").await;
    let other = tenant(&*db, "other").await;
    let ada = contact(&*db, acme.id, "ada").await;

    let refused = db
        .set_first_password(other.id, ada.id, "hash-x", &[mail("a@b.test")])
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");

    db.set_first_password(acme.id, ada.id, "hash-1", &[event(ada.id)])
        .await
        .unwrap();
    let refused = db
        .set_first_password(acme.id, ada.id, "hash-2", &[event(ada.id)])
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );

    let login = LoginName::Email(ada.email.clone().unwrap());
    let credential = db
        .login_candidate(acme.id, &login)
        .await
        .unwrap()
        .unwrap()
        .credential
        .unwrap();
    assert_eq!(credential.password_hash, "hash-1");
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
}

async fn changing_the_password_needs_the_current_hash_and_otherwise_writes_nothing(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let tenant = world.tenant.id;
    let (_, session) = world.log_in(&*db).await;
    let (token, raw) = world.token(TokenPurpose::ResetPassword);
    db.issue_token(&token, &[], &UNLIMITED).await.unwrap();

    // Another change (or a reset) won the race: the hash verified is stale.
    let refused = db
        .change_password(
            tenant,
            world.contact.id,
            "hash-verified-before-the-other-change",
            "hash-1",
            None,
            &[mail("ada@people.test")],
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );

    assert_eq!(world.credential(&*db).await.password_hash, PASSWORD);
    assert!(
        db.session_context(tenant, &session.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        db.live_token(tenant, &raw.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 0);

    // The same change with the current hash goes through.
    db.change_password(tenant, world.contact.id, PASSWORD, "hash-1", None, &[])
        .await
        .unwrap();
    assert_eq!(world.credential(&*db).await.password_hash, "hash-1");
}

async fn changing_the_password_spends_the_contacts_unused_tokens(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let tenant = world.tenant.id;
    let (token, raw) = world.token(TokenPurpose::ResetPassword);
    db.issue_token(&token, &[], &UNLIMITED).await.unwrap();
    let bob = contact(&*db, tenant, "bob").await;
    let (bobs, bobs_raw) = token_for(tenant, bob.id, TokenPurpose::Invitation);
    db.issue_token(&bobs, &[], &UNLIMITED).await.unwrap();

    db.change_password(tenant, world.contact.id, PASSWORD, "hash-1", None, &[])
        .await
        .unwrap();

    // A reset link mailed before the change no longer works...
    assert_eq!(
        db.live_token(tenant, &raw.hash(), now()).await.unwrap(),
        None
    );
    let refused = db
        .redeem_token(tenant, &raw.hash(), now(), "hash-attacker", &[])
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert_eq!(world.credential(&*db).await.password_hash, "hash-1");
    // ...and another contact's link is not touched.
    assert!(
        db.live_token(tenant, &bobs_raw.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
}

async fn setting_the_first_password_spends_the_contacts_unused_tokens(db: TestDb) {
    let acme = tenant(&*db, "acme").await;
    let ada = contact(&*db, acme.id, "ada").await;
    let (invitation, raw) = token_for(acme.id, ada.id, TokenPurpose::Invitation);
    db.issue_token(&invitation, &[], &UNLIMITED).await.unwrap();

    db.set_first_password(acme.id, ada.id, "hash-1", &[])
        .await
        .unwrap();

    assert_eq!(
        db.live_token(acme.id, &raw.hash(), now()).await.unwrap(),
        None
    );
    let refused = db
        .redeem_token(acme.id, &raw.hash(), now(), "hash-2", &[])
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
}
