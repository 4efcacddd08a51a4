//! Passwords: a change keeps only the given session and writes its
//! messages in the same transaction; a first password is set only once.

use chrono::Duration;
use portal_core::identity::LoginName;
use portal_core::ports::{Store, StoreError};
use portal_core::shared::ContactId;

use crate::harness::{TestDb, World, conformance, contact, event, mail, now, tenant};

conformance!(
    changing_the_password_keeps_only_the_given_session,
    changing_the_password_without_a_session_to_keep_ends_them_all,
    changing_another_tenants_contacts_password_is_not_found_and_writes_nothing,
    a_first_password_is_set_once,
);

async fn password_hash(db: &dyn Store, world: &World) -> String {
    let login = LoginName::Email(world.contact.email.clone().unwrap());
    db.login_candidate(world.tenant.id, &login)
        .await
        .unwrap()
        .unwrap()
        .credential
        .unwrap()
        .password_hash
}

async fn changing_the_password_keeps_only_the_given_session(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let tenant = world.tenant.id;
    let (kept, kept_token) = world.log_in(&*db).await;
    let (_, other_token) = world.log_in(&*db).await;
    let (on_second, second_token) = world.session_on(world.second_account.id, now());
    db.start_session(&on_second).await.unwrap();
    let messages = [event(world.contact.id), mail("ada@people.test")];

    db.change_password(tenant, world.contact.id, "hash-1", Some(kept.id), &messages)
        .await
        .unwrap();

    assert_eq!(password_hash(&*db, &world).await, "hash-1");
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
    db.change_password(world.tenant.id, world.contact.id, "hash-1", None, &[])
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
                "hash-x",
                None,
                &[mail("a@b.test")],
            )
            .await;
        assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    }
    assert_eq!(password_hash(&*db, &world).await, "hash-0");
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
