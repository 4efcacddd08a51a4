//! Sessions: `session_context` is the one query every request runs, and
//! returns nothing for an expired session, another tenant's token, a
//! disabled contact, a revoked membership or an account whose portal is
//! off. Plus touching, switching accounts, and ending sessions; and a
//! session starts only while the password verified is still the stored one
//! and the contact is not locked.

use chrono::Duration;
use portal_core::access::Role;
use portal_core::identity::RawToken;
use portal_core::ports::StoreError;
use portal_core::shared::{AccountId, Language, SessionId};
use portal_core::tenancy::LockoutPolicy;

use portal_core::identity::UNTRUSTED_SCOPE;

use crate::harness::{
    PASSWORD, TestDb, UNLIMITED, World, account, address, conformance, contact, contact_upsert,
    now, tenant, token_at,
};

conformance!(
    a_live_session_gives_its_contact_and_active_membership,
    a_session_reads_its_contacts_chosen_language,
    a_session_brings_all_its_contacts_memberships_as_the_memberships_list_has_them,
    a_session_ends_at_its_idle_expiry,
    touching_pushes_the_idle_expiry_out_but_never_past_the_absolute_one,
    a_session_ends_at_its_absolute_expiry,
    touching_never_revives_an_expired_session,
    a_session_token_is_nothing_in_another_tenant,
    disabling_the_contact_ends_its_sessions,
    switching_the_portal_off_ends_the_sessions_on_that_account,
    revoking_a_membership_ends_the_sessions_on_that_account_only,
    switching_needs_a_membership_of_an_account_with_the_portal_on,
    ending_a_session_ends_only_that_session,
    starting_a_session_deletes_expired_ones_and_clears_the_failure_count,
    a_session_can_only_start_on_an_account_the_contact_belongs_to,
    a_session_starts_only_while_the_password_hash_is_the_one_verified,
    a_session_does_not_start_while_the_contact_is_locked,
    starting_a_session_deletes_the_contacts_tokens_spent_or_expired_over_a_day_ago,
);

async fn a_session_reads_its_contacts_chosen_language(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (_, token) = world.log_in(&*db).await;
    let hash = token.hash();
    let read = || db.session_context(world.tenant.id, &hash, now());
    let before = read().await.unwrap().expect("a live session");
    assert_eq!(before.contact.language, None);
    db.set_contact_language(world.tenant.id, world.contact.id, Some(Language::Spanish))
        .await
        .unwrap();
    let after = read().await.unwrap().expect("a live session");
    assert_eq!(after.contact.language, Some(Language::Spanish));
}

async fn a_live_session_gives_its_contact_and_active_membership(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (session, token) = world.log_in(&*db).await;

    let context = db
        .session_context(world.tenant.id, &token.hash(), now())
        .await
        .unwrap()
        .expect("a live session");
    assert_eq!(context.session, session);
    assert_eq!(context.contact, world.contact);
    assert_eq!(context.membership.account, world.account.id);
    assert_eq!(context.membership.account_name, world.account.name);
    assert_eq!(context.membership.account_number, world.account.number);
    assert_eq!(context.membership.role, Role::Primary);
    assert!(context.membership.portal_enabled && context.membership.has_history);

    let unknown = RawToken::from_client("not-a-token");
    assert_eq!(
        db.session_context(world.tenant.id, &unknown.hash(), now())
            .await
            .unwrap(),
        None
    );
}

async fn a_session_brings_all_its_contacts_memberships_as_the_memberships_list_has_them(
    db: TestDb,
) {
    let world = World::new(&*db, "acme").await;
    let tenant = world.tenant.id;
    // A third account, first by name, with its portal off: listed all the
    // same (the portal decides what the switcher offers).
    let first_by_name = account(&*db, tenant, "0").await;
    db.grant_membership(tenant, world.contact.id, first_by_name.id, Role::Member)
        .await
        .unwrap();
    db.set_portal_enabled(tenant, first_by_name.id, false, &[])
        .await
        .unwrap();
    // Someone else's membership, and the same contact id's in another
    // tenant, never show.
    let bob = contact(&*db, tenant, "bob").await;
    db.grant_membership(tenant, bob.id, world.account.id, Role::Member)
        .await
        .unwrap();
    World::new(&*db, "other").await;
    let (_, token) = world.log_in(&*db).await;

    let context = db
        .session_context(tenant, &token.hash(), now())
        .await
        .unwrap()
        .expect("a live session");

    assert_eq!(
        context.memberships,
        db.memberships(tenant, world.contact.id).await.unwrap()
    );
    let listed: Vec<_> = context
        .memberships
        .iter()
        .map(|m| (m.account, m.role, m.portal_enabled))
        .collect();
    assert_eq!(
        listed,
        vec![
            (first_by_name.id, Role::Member, false),
            (world.account.id, Role::Primary, true),
            (world.second_account.id, Role::Member, true),
        ]
    );
    assert_eq!(context.memberships[1], context.membership);
}

async fn a_session_ends_at_its_idle_expiry(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (session, token) = world.log_in(&*db).await;
    let hash = token.hash();
    let tenant = world.tenant.id;

    let just_before = session.idle_expires_at - Duration::seconds(1);
    assert!(
        db.session_context(tenant, &hash, just_before)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        db.session_context(tenant, &hash, session.idle_expires_at)
            .await
            .unwrap(),
        None
    );
}

async fn touching_pushes_the_idle_expiry_out_but_never_past_the_absolute_one(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (session, token) = world.log_in(&*db).await;
    let tenant = world.tenant.id;

    let later = now() + Duration::minutes(20);
    db.touch_session(tenant, session.id, later, later + Duration::minutes(30))
        .await
        .unwrap();
    let past_old_idle = session.idle_expires_at + Duration::minutes(5);
    let context = db
        .session_context(tenant, &token.hash(), past_old_idle)
        .await
        .unwrap()
        .expect("touched, so still live");
    assert_eq!(context.session.last_seen_at, later);
    assert_eq!(
        context.session.idle_expires_at,
        later + Duration::minutes(30)
    );

    // Asked to go past the absolute expiry, the idle expiry stops at it.
    let (mut short, short_token) = world.session_on(world.account.id, now());
    short.absolute_expires_at = now() + Duration::minutes(40);
    db.start_session(&short, PASSWORD, &address(), &[])
        .await
        .unwrap();
    db.touch_session(tenant, short.id, later, later + Duration::minutes(30))
        .await
        .unwrap();
    let context = db
        .session_context(tenant, &short_token.hash(), later)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(context.session.idle_expires_at, short.absolute_expires_at);
}

async fn a_session_ends_at_its_absolute_expiry(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (session, token) = world.log_in(&*db).await;
    let tenant = world.tenant.id;
    // Used every 20 minutes all day long...
    let mut at = now();
    while at + Duration::minutes(20) < session.absolute_expires_at {
        at += Duration::minutes(20);
        db.touch_session(tenant, session.id, at, at + Duration::minutes(30))
            .await
            .unwrap();
        assert!(
            db.session_context(tenant, &token.hash(), at)
                .await
                .unwrap()
                .is_some()
        );
    }
    // ...it still ends at its absolute expiry.
    assert_eq!(
        db.session_context(tenant, &token.hash(), session.absolute_expires_at)
            .await
            .unwrap(),
        None
    );
}

async fn touching_never_revives_an_expired_session(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (session, token) = world.log_in(&*db).await;
    let late = session.idle_expires_at + Duration::minutes(1);
    db.touch_session(
        world.tenant.id,
        session.id,
        late,
        late + Duration::minutes(30),
    )
    .await
    .unwrap();
    assert_eq!(
        db.session_context(world.tenant.id, &token.hash(), late)
            .await
            .unwrap(),
        None
    );
}

async fn a_session_token_is_nothing_in_another_tenant(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let other = World::new(&*db, "other").await;
    let (session, token) = world.log_in(&*db).await;

    assert_eq!(
        db.session_context(other.tenant.id, &token.hash(), now())
            .await
            .unwrap(),
        None
    );
    // Nor can another tenant touch, switch or end it.
    let later = now() + Duration::minutes(25);
    db.touch_session(
        other.tenant.id,
        session.id,
        later,
        later + Duration::minutes(30),
    )
    .await
    .unwrap();
    let refused = db
        .switch_account(other.tenant.id, session.id, other.account.id)
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    db.end_session(other.tenant.id, session.id).await.unwrap();

    let context = db
        .session_context(world.tenant.id, &token.hash(), now())
        .await
        .unwrap()
        .expect("untouched by the other tenant");
    assert_eq!(context.session, session);
}

async fn disabling_the_contact_ends_its_sessions(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (_, token) = world.log_in(&*db).await;
    let mut upsert = contact_upsert("ada", "ada@people.test", None);
    upsert.enabled = false;
    db.upsert_contact(world.tenant.id, &upsert).await.unwrap();

    assert_eq!(
        db.session_context(world.tenant.id, &token.hash(), now())
            .await
            .unwrap(),
        None
    );
}

async fn switching_the_portal_off_ends_the_sessions_on_that_account(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (_, on_first) = world.log_in(&*db).await;
    let (second, on_second) = world.session_on(world.second_account.id, now());
    db.start_session(&second, PASSWORD, &address(), &[])
        .await
        .unwrap();

    db.set_portal_enabled(world.tenant.id, world.account.id, false, &[])
        .await
        .unwrap();
    let tenant = world.tenant.id;
    assert_eq!(
        db.session_context(tenant, &on_first.hash(), now())
            .await
            .unwrap(),
        None
    );
    assert!(
        db.session_context(tenant, &on_second.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
}

async fn revoking_a_membership_ends_the_sessions_on_that_account_only(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let tenant = world.tenant.id;
    let (first, on_first) = world.log_in(&*db).await;
    let (second, on_second) = world.session_on(world.second_account.id, now());
    db.start_session(&second, PASSWORD, &address(), &[])
        .await
        .unwrap();

    db.revoke_membership(tenant, world.contact.id, world.account.id)
        .await
        .unwrap();
    assert_eq!(
        db.session_context(tenant, &on_first.hash(), now())
            .await
            .unwrap(),
        None
    );
    assert!(
        db.session_context(tenant, &on_second.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
    let memberships = db.memberships(tenant, world.contact.id).await.unwrap();
    assert_eq!(
        memberships.iter().map(|m| m.account).collect::<Vec<_>>(),
        vec![world.second_account.id]
    );
    // The session row itself is gone, not just hidden.
    let refused = db
        .switch_account(tenant, first.id, world.second_account.id)
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
}

async fn switching_needs_a_membership_of_an_account_with_the_portal_on(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let tenant = world.tenant.id;
    let (session, token) = world.log_in(&*db).await;
    let stranger_account = account(&*db, tenant, "C").await;
    let other = World::new(&*db, "other").await;

    for account in [stranger_account.id, other.account.id, AccountId::new()] {
        let refused = db.switch_account(tenant, session.id, account).await;
        assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    }
    let refused = db
        .switch_account(tenant, SessionId::new(), world.second_account.id)
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");

    db.switch_account(tenant, session.id, world.second_account.id)
        .await
        .unwrap();
    let context = db
        .session_context(tenant, &token.hash(), now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(context.session.active_account, world.second_account.id);
    assert_eq!(context.membership.account, world.second_account.id);
    assert_eq!(context.membership.role, Role::Member);

    // A member of it, but its portal is off.
    db.set_portal_enabled(tenant, world.account.id, false, &[])
        .await
        .unwrap();
    let refused = db
        .switch_account(tenant, session.id, world.account.id)
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
}

async fn ending_a_session_ends_only_that_session(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let tenant = world.tenant.id;
    let (first, on_first) = world.log_in(&*db).await;
    let (_, on_second) = world.log_in(&*db).await;

    db.end_session(tenant, first.id).await.unwrap();
    assert_eq!(
        db.session_context(tenant, &on_first.hash(), now())
            .await
            .unwrap(),
        None
    );
    assert!(
        db.session_context(tenant, &on_second.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
}

async fn starting_a_session_deletes_expired_ones_and_clears_the_failure_count(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let tenant = world.tenant.id;
    // Started before the other, so its own clean-up cannot remove it.
    let (recent, still_live) = world.session_on(world.account.id, now() - Duration::minutes(10));
    db.start_session(&recent, PASSWORD, &address(), &[])
        .await
        .unwrap();
    let (yesterday, _) = world.session_on(world.account.id, now() - Duration::days(1));
    db.start_session(&yesterday, PASSWORD, &address(), &[])
        .await
        .unwrap();
    let policy = world.tenant.settings.lockout;
    for _ in 0..2 {
        db.record_login_failure(tenant, world.contact.id, &address(), now(), &policy, &[])
            .await
            .unwrap();
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM sessions").await, 2);

    world.log_in(&*db).await;
    assert_eq!(db.count("SELECT COUNT(*) FROM sessions").await, 2);
    assert!(
        db.session_context(tenant, &still_live.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        db.lock_row(world.contact.id, &address().scope()).await,
        (0, None)
    );
    assert_eq!(
        db.lock_row(world.contact.id, UNTRUSTED_SCOPE).await,
        (0, None)
    );
}

async fn a_session_can_only_start_on_an_account_the_contact_belongs_to(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let stranger_account = account(&*db, world.tenant.id, "C").await;
    let other = tenant(&*db, "other").await;
    let (session, _) = world.session_on(stranger_account.id, now());
    let refused = db.start_session(&session, PASSWORD, &address(), &[]).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    let (mut foreign, _) = world.session_on(world.account.id, now());
    foreign.tenant = other.id;
    let refused = db.start_session(&foreign, PASSWORD, &address(), &[]).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM sessions").await, 0);
}

async fn a_session_starts_only_while_the_password_hash_is_the_one_verified(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let tenant = world.tenant.id;
    // Things a started session would change: an expired session it would
    // delete, a failure count it would clear.
    let (old, _) = world.session_on(world.account.id, now() - Duration::days(1));
    db.start_session(&old, PASSWORD, &address(), &[])
        .await
        .unwrap();
    let policy = world.tenant.settings.lockout;
    db.record_login_failure(tenant, world.contact.id, &address(), now(), &policy, &[])
        .await
        .unwrap();

    // The password was changed while this log-in checked the old one.
    let (session, token) = world.session_on(world.account.id, now());
    let refused = db
        .start_session(&session, "hash-before-the-reset", &address(), &[])
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );

    assert_eq!(
        db.session_context(tenant, &token.hash(), now())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM sessions").await,
        1,
        "nothing deleted"
    );
    assert_eq!(
        db.lock_row(world.contact.id, &address().scope()).await.0,
        1,
        "failures not cleared"
    );

    // A contact who has no password at all cannot start one either.
    let bob = contact(&*db, tenant, "bob").await;
    db.grant_membership(tenant, bob.id, world.account.id, Role::Member)
        .await
        .unwrap();
    let (mut bobs, _) = world.session_on(world.account.id, now());
    bobs.contact = bob.id;
    let refused = db.start_session(&bobs, PASSWORD, &address(), &[]).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );

    db.start_session(&session, PASSWORD, &address(), &[])
        .await
        .unwrap();
    assert!(
        db.session_context(tenant, &token.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
}

async fn a_session_does_not_start_while_the_contact_is_locked(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let tenant = world.tenant.id;
    let policy = LockoutPolicy {
        max_failures: 1,
        lock_minutes: 10,
        ..LockoutPolicy::default()
    };
    let until = db
        .record_login_failure(tenant, world.contact.id, &address(), now(), &policy, &[])
        .await
        .unwrap()
        .unwrap();

    // The lock was engaged while this log-in checked the (right) password.
    let (during, _) = world.session_on(world.account.id, until - Duration::seconds(1));
    let refused = db.start_session(&during, PASSWORD, &address(), &[]).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM sessions").await, 0);

    let (after, token) = world.session_on(world.account.id, until);
    db.start_session(&after, PASSWORD, &address(), &[])
        .await
        .unwrap();
    assert!(
        db.session_context(tenant, &token.hash(), until)
            .await
            .unwrap()
            .is_some()
    );
}

async fn starting_a_session_deletes_the_contacts_tokens_spent_or_expired_over_a_day_ago(
    db: TestDb,
) {
    let world = World::new(&*db, "acme").await;
    let (tenant, ada) = (world.tenant.id, world.contact.id);
    let day = Duration::days(1);
    let hour = Duration::hours(1);
    // Issued in turn, each spending the one before:
    // spent 3 days ago (long-lived, not expired) ............ deleted
    let (spent_long_ago, _) = token_at(tenant, ada, now() - day * 5, now() + day * 5);
    // expired 3 days ago, spent 2 hours ago .................. deleted
    let (expired_long_ago, _) = token_at(tenant, ada, now() - day * 3, now() - day * 3 + hour);
    // spent an hour ago ...................................... kept
    let (spent_recently, _) = token_at(tenant, ada, now() - hour * 2, now() + hour);
    // live ................................................... kept
    let (live, live_raw) = token_at(tenant, ada, now() - hour, now() + hour);
    for token in [&spent_long_ago, &expired_long_ago, &spent_recently, &live] {
        db.issue_token(token, &[], &UNLIMITED).await.unwrap();
    }
    // Another contact's old token is not this log-in's business.
    let bob = contact(&*db, tenant, "bob").await;
    let (bobs, _) = token_at(tenant, bob.id, now() - day * 3, now() - day * 3 + hour);
    db.issue_token(&bobs, &[], &UNLIMITED).await.unwrap();
    assert_eq!(db.count("SELECT COUNT(*) FROM one_time_tokens").await, 5);

    world.log_in(&*db).await;

    assert_eq!(db.count("SELECT COUNT(*) FROM one_time_tokens").await, 3);
    assert!(
        db.live_token(tenant, &live_raw.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
}
