//! One-time tokens: issued with their mail in one transaction, only the
//! newest of a purpose works, live until they expire, redeemed once by a
//! conditional update that, when it refuses, writes nothing.

use chrono::Duration;
use portal_core::identity::{LoginName, TokenPurpose};
use portal_core::outbox::OutboxMessage;
use portal_core::ports::StoreError;
use portal_core::shared::ContactId;
use portal_core::tenancy::LockoutPolicy;

use crate::harness::{TestDb, World, conformance, event, mail, now, token_for};

conformance!(
    issuing_a_token_writes_its_mail_in_the_same_transaction,
    a_token_is_live_until_it_expires,
    a_token_redeems_once_setting_the_password_lifting_the_lock_and_ending_sessions,
    an_expired_or_spent_token_is_not_found_and_redeeming_it_writes_nothing,
    only_the_newest_token_of_a_purpose_works,
    another_tenants_token_is_not_found,
    concurrent_redemptions_spend_a_token_once,
);

async fn issuing_a_token_writes_its_mail_in_the_same_transaction(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let other = World::new(&*db, "other").await;
    let (token, _) = world.token(TokenPurpose::ResetPassword);
    db.issue_token(&token, &[mail("ada@people.test")])
        .await
        .unwrap();
    assert_eq!(db.count("SELECT COUNT(*) FROM one_time_tokens").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);

    // For a contact of another tenant: not found, no token, no mail.
    let (foreign, _) = token_for(world.tenant.id, other.contact.id, TokenPurpose::Invitation);
    let refused = db.issue_token(&foreign, &[mail("ada@people.test")]).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    let (unknown, _) = token_for(world.tenant.id, ContactId::new(), TokenPurpose::Invitation);
    let refused = db.issue_token(&unknown, &[mail("ada@people.test")]).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM one_time_tokens").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
}

async fn a_token_is_live_until_it_expires(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (token, raw) = world.token(TokenPurpose::SetPassword);
    db.issue_token(&token, &[]).await.unwrap();
    let tenant = world.tenant.id;

    let live = db.live_token(tenant, &raw.hash(), now()).await.unwrap();
    assert_eq!(live, Some(token.clone()));
    let before_end = token.expires_at - Duration::seconds(1);
    assert!(
        db.live_token(tenant, &raw.hash(), before_end)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        db.live_token(tenant, &raw.hash(), token.expires_at)
            .await
            .unwrap(),
        None
    );
    // Looking does not spend it.
    assert!(
        db.live_token(tenant, &raw.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
}

async fn a_token_redeems_once_setting_the_password_lifting_the_lock_and_ending_sessions(
    db: TestDb,
) {
    let world = World::new(&*db, "acme").await;
    let tenant = world.tenant.id;
    let (_, session_token) = world.log_in(&*db).await;
    let policy = LockoutPolicy {
        max_failures: 1,
        lock_minutes: 60,
    };
    db.record_login_failure(tenant, world.contact.id, now(), &policy)
        .await
        .unwrap();
    let (token, raw) = world.token(TokenPurpose::ResetPassword);
    db.issue_token(&token, &[]).await.unwrap();

    let redeemed = db
        .redeem_token(
            tenant,
            &raw.hash(),
            now(),
            "hash-new",
            &[event(world.contact.id)],
        )
        .await
        .unwrap();
    assert_eq!(redeemed, world.contact.id);

    let login = LoginName::Email(world.contact.email.clone().unwrap());
    let credential = db
        .login_candidate(tenant, &login)
        .await
        .unwrap()
        .unwrap()
        .credential
        .unwrap();
    assert_eq!(credential.password_hash, "hash-new");
    assert_eq!(
        (credential.failed_attempts, credential.locked_until),
        (0, None)
    );
    assert_eq!(
        db.session_context(tenant, &session_token.hash(), now())
            .await
            .unwrap(),
        None
    );
    let claimed = db
        .claim_outbox(now(), now() + Duration::minutes(2), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].message, event(world.contact.id));

    // Spent: a second use is refused.
    let again = db
        .redeem_token(tenant, &raw.hash(), now(), "hash-again", &[])
        .await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
    assert_eq!(
        db.live_token(tenant, &raw.hash(), now()).await.unwrap(),
        None
    );
}

async fn an_expired_or_spent_token_is_not_found_and_redeeming_it_writes_nothing(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let tenant = world.tenant.id;
    let (_, session_token) = world.log_in(&*db).await;
    let (token, raw) = world.token(TokenPurpose::SetPassword);
    db.issue_token(&token, &[]).await.unwrap();
    let outbox_before = db.count("SELECT COUNT(*) FROM outbox").await;

    let refused = db
        .redeem_token(
            tenant,
            &raw.hash(),
            token.expires_at,
            "hash-late",
            &[mail("a@b.test")],
        )
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");

    // Nothing changed: password, sessions, outbox, the token itself.
    let login = LoginName::Email(world.contact.email.clone().unwrap());
    let credential = db
        .login_candidate(tenant, &login)
        .await
        .unwrap()
        .unwrap()
        .credential
        .unwrap();
    assert_eq!(credential.password_hash, "hash-0");
    assert!(
        db.session_context(tenant, &session_token.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, outbox_before);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM one_time_tokens WHERE used_at IS NULL")
            .await,
        1
    );
}

async fn only_the_newest_token_of_a_purpose_works(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let tenant = world.tenant.id;
    let (first, first_raw) = world.token(TokenPurpose::ResetPassword);
    let (invitation, invitation_raw) = world.token(TokenPurpose::Invitation);
    db.issue_token(&first, &[]).await.unwrap();
    db.issue_token(&invitation, &[]).await.unwrap();
    let (second, second_raw) = world.token(TokenPurpose::ResetPassword);
    db.issue_token(&second, &[]).await.unwrap();

    assert_eq!(
        db.live_token(tenant, &first_raw.hash(), now())
            .await
            .unwrap(),
        None
    );
    let refused = db
        .redeem_token(tenant, &first_raw.hash(), now(), "h1", &[])
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    // Another purpose is not affected.
    assert!(
        db.live_token(tenant, &invitation_raw.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
    db.redeem_token(tenant, &second_raw.hash(), now(), "h2", &[])
        .await
        .unwrap();
}

async fn another_tenants_token_is_not_found(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let other = World::new(&*db, "other").await;
    let (token, raw) = world.token(TokenPurpose::SetPassword);
    db.issue_token(&token, &[]).await.unwrap();

    assert_eq!(
        db.live_token(other.tenant.id, &raw.hash(), now())
            .await
            .unwrap(),
        None
    );
    let refused = db
        .redeem_token(
            other.tenant.id,
            &raw.hash(),
            now(),
            "hash",
            &[mail("x@y.test")],
        )
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 0);
    assert!(
        db.live_token(world.tenant.id, &raw.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
}

async fn concurrent_redemptions_spend_a_token_once(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let tenant = world.tenant.id;
    let (token, raw) = world.token(TokenPurpose::ResetPassword);
    db.issue_token(&token, &[]).await.unwrap();
    let second = db.another_store().await;
    let hash = raw.hash();
    let message: OutboxMessage = event(world.contact.id);

    let redemptions = (0..6).map(|i| {
        let store = if i % 2 == 0 {
            db.store.clone()
        } else {
            second.clone()
        };
        let (hash, message) = (hash.clone(), message.clone());
        async move {
            store
                .redeem_token(tenant, &hash, now(), &format!("hash-{i}"), &[message])
                .await
        }
    });
    let outcomes = futures::future::join_all(redemptions).await;
    let won = outcomes.iter().filter(|outcome| outcome.is_ok()).count();
    let lost = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, Err(StoreError::NotFound)))
        .count();
    assert_eq!((won, lost), (1, 5), "{outcomes:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
}
