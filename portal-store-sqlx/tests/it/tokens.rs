//! One-time tokens: issued with their mail in one transaction, only the
//! newest of a contact works whatever its purpose (also when issued
//! concurrently), live until they expire, redeemed once by a conditional
//! update that, when it refuses, writes nothing, and redeeming one spends
//! the contact's others.

use chrono::Duration;
use portal_core::identity::{LinkIssue, LoginName, TokenPurpose};
use portal_core::outbox::OutboxMessage;
use portal_core::ports::StoreError;
use portal_core::shared::ContactId;
use portal_core::tenancy::{LinkMailPolicy, LockoutPolicy};

use crate::harness::{
    TestDb, UNLIMITED, World, address, conformance, contact, event, mail, now, token_at, token_for,
};

conformance!(
    issuing_a_token_writes_its_mail_in_the_same_transaction,
    a_token_is_live_until_it_expires,
    a_token_redeems_once_setting_the_password_lifting_the_lock_and_ending_sessions,
    an_expired_or_spent_token_is_not_found_and_redeeming_it_writes_nothing,
    only_the_newest_token_of_a_contact_works_whatever_its_purpose,
    concurrent_issues_for_one_contact_leave_exactly_one_live_token,
    redeeming_a_token_spends_the_contacts_other_tokens,
    another_tenants_token_is_not_found,
    concurrent_redemptions_spend_a_token_once,
    link_mails_past_the_limit_are_throttled_writing_nothing,
    concurrent_link_mails_never_pass_the_limit,
);

async fn issuing_a_token_writes_its_mail_in_the_same_transaction(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let other = World::new(&*db, "other").await;
    let (token, _) = world.token(TokenPurpose::ResetPassword);
    db.issue_token(&token, &[mail("ada@people.test")], &UNLIMITED)
        .await
        .unwrap();
    assert_eq!(db.count("SELECT COUNT(*) FROM one_time_tokens").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);

    // For a contact of another tenant: not found, no token, no mail.
    let (foreign, _) = token_for(world.tenant.id, other.contact.id, TokenPurpose::Invitation);
    let refused = db
        .issue_token(&foreign, &[mail("ada@people.test")], &UNLIMITED)
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    let (unknown, _) = token_for(world.tenant.id, ContactId::new(), TokenPurpose::Invitation);
    let refused = db
        .issue_token(&unknown, &[mail("ada@people.test")], &UNLIMITED)
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM one_time_tokens").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
}

async fn a_token_is_live_until_it_expires(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (token, raw) = world.token(TokenPurpose::SetPassword);
    db.issue_token(&token, &[], &UNLIMITED).await.unwrap();
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
        ..LockoutPolicy::default()
    };
    db.record_login_failure(tenant, world.contact.id, &address(), now(), &policy, &[])
        .await
        .unwrap();
    let (token, raw) = world.token(TokenPurpose::ResetPassword);
    db.issue_token(&token, &[], &UNLIMITED).await.unwrap();

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
        db.lock_row(world.contact.id, &address().scope()).await,
        (0, None),
        "the lock is lifted"
    );
    assert_eq!(
        db.locked_until(tenant, world.contact.id, &address(), now())
            .await
            .unwrap(),
        None
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
    db.issue_token(&token, &[], &UNLIMITED).await.unwrap();
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

async fn only_the_newest_token_of_a_contact_works_whatever_its_purpose(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let tenant = world.tenant.id;
    let (first, first_raw) = world.token(TokenPurpose::ResetPassword);
    let (invitation, invitation_raw) = world.token(TokenPurpose::Invitation);
    db.issue_token(&first, &[], &UNLIMITED).await.unwrap();
    db.issue_token(&invitation, &[], &UNLIMITED).await.unwrap();
    let (second, second_raw) = world.token(TokenPurpose::ResetPassword);
    db.issue_token(&second, &[], &UNLIMITED).await.unwrap();

    // An invitation and a reset link are both a way to set the password:
    // a newer link of either purpose ends the older ones.
    for spent in [&first_raw, &invitation_raw] {
        assert_eq!(
            db.live_token(tenant, &spent.hash(), now()).await.unwrap(),
            None
        );
        let refused = db
            .redeem_token(tenant, &spent.hash(), now(), "h1", &[])
            .await;
        assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    }
    // Another contact's tokens are not affected.
    let other = contact(&*db, tenant, "bob").await;
    let (bobs, bobs_raw) = token_for(tenant, other.id, TokenPurpose::SetPassword);
    db.issue_token(&bobs, &[], &UNLIMITED).await.unwrap();
    let (third, third_raw) = world.token(TokenPurpose::SetPassword);
    db.issue_token(&third, &[], &UNLIMITED).await.unwrap();
    assert!(
        db.live_token(tenant, &bobs_raw.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        db.live_token(tenant, &second_raw.hash(), now())
            .await
            .unwrap(),
        None
    );

    db.redeem_token(tenant, &third_raw.hash(), now(), "h2", &[])
        .await
        .unwrap();
}

async fn concurrent_issues_for_one_contact_leave_exactly_one_live_token(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let second = db.another_store().await;
    const CALLS: usize = 40;

    // Two portal processes (two pools) issuing links for one contact at
    // once, e.g. a double-clicked "forgot password" on a busy site.
    let issues = (0..CALLS).map(|i| {
        let store = if i % 2 == 0 {
            db.store.clone()
        } else {
            second.clone()
        };
        let (token, _) = world.token(TokenPurpose::ResetPassword);
        let message = mail("ada@people.test");
        tokio::spawn(async move { store.issue_token(&token, &[message], &UNLIMITED).await })
    });
    for outcome in futures::future::join_all(issues).await {
        outcome.unwrap().unwrap();
    }

    assert_eq!(
        db.count("SELECT COUNT(*) FROM one_time_tokens WHERE used_at IS NULL")
            .await,
        1,
        "exactly one live token"
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM one_time_tokens").await,
        CALLS as i64
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, CALLS as i64);
}

async fn redeeming_a_token_spends_the_contacts_other_tokens(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let tenant = world.tenant.id;
    let (token, raw) = world.token(TokenPurpose::ResetPassword);
    db.issue_token(&token, &[], &UNLIMITED).await.unwrap();
    // A second live link (issue_token would have spent the first).
    let (other, other_raw) = world.token(TokenPurpose::Invitation);
    db.seed_token(&other).await;
    assert!(
        db.live_token(tenant, &other_raw.hash(), now())
            .await
            .unwrap()
            .is_some()
    );

    db.redeem_token(tenant, &raw.hash(), now(), "hash-new", &[])
        .await
        .unwrap();

    assert_eq!(
        db.live_token(tenant, &other_raw.hash(), now())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM one_time_tokens WHERE used_at IS NULL")
            .await,
        0
    );
}

async fn another_tenants_token_is_not_found(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let other = World::new(&*db, "other").await;
    let (token, raw) = world.token(TokenPurpose::SetPassword);
    db.issue_token(&token, &[], &UNLIMITED).await.unwrap();

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
    db.issue_token(&token, &[], &UNLIMITED).await.unwrap();
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

async fn link_mails_past_the_limit_are_throttled_writing_nothing(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let bob = contact(&*db, world.tenant.id, "bob").await;
    let (tenant, ada) = (world.tenant.id, world.contact.id);
    let limit = LinkMailPolicy {
        max_per_window: 3,
        window_minutes: 15,
    };
    let issue_at = |contact, minutes: i64| {
        let created = now() + Duration::minutes(minutes);
        let (token, raw) = token_at(tenant, contact, created, created + Duration::hours(1));
        let db = &db;
        async move {
            let issued = db
                .issue_token(&token, &[mail("ada@people.test")], &limit)
                .await
                .unwrap();
            (issued, raw)
        }
    };
    for minute in 0..3 {
        assert_eq!(issue_at(ada, minute).await.0, LinkIssue::Issued);
    }
    let (fourth, fourth_raw) = issue_at(ada, 3).await;
    assert_eq!(fourth, LinkIssue::Throttled);
    assert_eq!(db.count("SELECT COUNT(*) FROM one_time_tokens").await, 3);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 3);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM one_time_tokens WHERE used_at IS NULL")
            .await,
        1,
        "the third link still works: the throttled one spent nothing"
    );
    assert_eq!(
        db.live_token(tenant, &fourth_raw.hash(), now() + Duration::minutes(3))
            .await
            .unwrap(),
        None
    );

    // Another recipient has a throttle of its own.
    assert_eq!(issue_at(bob.id, 3).await.0, LinkIssue::Issued);
    // Once the first mail is 15 minutes old, there is room for one more.
    assert_eq!(issue_at(ada, 14).await.0, LinkIssue::Throttled);
    assert_eq!(issue_at(ada, 15).await.0, LinkIssue::Issued);
    assert_eq!(issue_at(ada, 15).await.0, LinkIssue::Throttled);
}

async fn concurrent_link_mails_never_pass_the_limit(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let second = db.another_store().await;
    let limit = LinkMailPolicy::default();
    // Two portal processes mailing one contact at once: a scripted
    // mail-bombing attempt spread over the fleet.
    let issues = (0..12).map(|i| {
        let store = if i % 2 == 0 {
            db.store.clone()
        } else {
            second.clone()
        };
        let (token, _) = world.token(TokenPurpose::ResetPassword);
        let message = mail("ada@people.test");
        tokio::spawn(async move { store.issue_token(&token, &[message], &limit).await })
    });
    let mut issued = 0;
    for outcome in futures::future::join_all(issues).await {
        if outcome.unwrap().unwrap() == LinkIssue::Issued {
            issued += 1;
        }
    }
    assert_eq!(issued, 3);
    assert_eq!(db.count("SELECT COUNT(*) FROM one_time_tokens").await, 3);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 3);
}
