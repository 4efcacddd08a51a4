//! Lockout: failed log-ins are counted by one conditional update, so
//! concurrent failures all count; reaching the limit locks the contact for
//! the policy's minutes, restarts the count and writes the lock's messages;
//! a lock ends by its time. The state is the contact's, apart from its
//! credential: failures count before a first password, which keeps them.

use chrono::Duration;
use portal_core::identity::Credential;
use portal_core::outbox::{DomainEvent, OutboxMessage};
use portal_core::tenancy::LockoutPolicy;

use crate::harness::{PASSWORD, TestDb, World, conformance, contact, now, tenant};

conformance!(
    failures_are_counted_and_the_limit_locks_until_the_policy_says,
    concurrent_failures_are_all_counted,
    a_lock_ends_by_its_time_and_counting_starts_again,
    another_tenants_failures_count_nothing,
    on_lock_messages_are_written_only_by_the_failure_that_engages_the_lock,
    failures_count_without_a_password_and_a_first_password_keeps_them,
    locked_until_is_the_locks_end_while_it_lasts_and_nothing_in_another_tenant,
    credential_is_the_password_hash_with_the_lockout_state_once_a_password_is_set,
);

async fn failures_are_counted_and_the_limit_locks_until_the_policy_says(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let policy = LockoutPolicy {
        max_failures: 3,
        lock_minutes: 15,
    };
    let (tenant, contact) = (world.tenant.id, world.contact.id);

    for expected in 1..=2 {
        let locked = db
            .record_login_failure(tenant, contact, now(), &policy, &[])
            .await
            .unwrap();
        assert_eq!(locked, None);
        assert_eq!(world.credential(&*db).await.failed_attempts, expected);
    }
    let locked = db
        .record_login_failure(tenant, contact, now(), &policy, &[])
        .await
        .unwrap();
    assert_eq!(locked, Some(now() + Duration::minutes(15)));
    let after = world.credential(&*db).await;
    assert_eq!(after.failed_attempts, 0, "the count restarts at the lock");
    assert_eq!(after.locked_until, Some(now() + Duration::minutes(15)));
}

async fn concurrent_failures_are_all_counted(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let policy = LockoutPolicy {
        max_failures: 100,
        lock_minutes: 15,
    };
    let (tenant, contact) = (world.tenant.id, world.contact.id);
    let second = db.another_store().await;
    let attempts = (0..24).map(|i| {
        let store = if i % 2 == 0 {
            db.store.clone()
        } else {
            second.clone()
        };
        async move {
            store
                .record_login_failure(tenant, contact, now(), &policy, &[])
                .await
                .unwrap()
        }
    });
    let locks = futures::future::join_all(attempts).await;
    assert!(locks.iter().all(Option::is_none));
    assert_eq!(world.credential(&*db).await.failed_attempts, 24);
}

async fn a_lock_ends_by_its_time_and_counting_starts_again(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let policy = LockoutPolicy {
        max_failures: 2,
        lock_minutes: 10,
    };
    let (tenant, contact) = (world.tenant.id, world.contact.id);
    for _ in 0..2 {
        db.record_login_failure(tenant, contact, now(), &policy, &[])
            .await
            .unwrap();
    }
    let until = world.credential(&*db).await.locked_until.unwrap();
    assert_eq!(until, now() + Duration::minutes(10));

    // Past the lock, log-in compares `locked_until` with its clock and lets
    // the contact try again; new failures count from zero towards a new lock.
    let later = until + Duration::minutes(1);
    assert!(until <= later);
    let locked = db
        .record_login_failure(tenant, contact, later, &policy, &[])
        .await
        .unwrap();
    assert_eq!(locked, None);
    assert_eq!(world.credential(&*db).await.failed_attempts, 1);
    let locked = db
        .record_login_failure(tenant, contact, later, &policy, &[])
        .await
        .unwrap();
    assert_eq!(locked, Some(later + Duration::minutes(10)));
}

async fn another_tenants_failures_count_nothing(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let other = World::new(&*db, "other").await;
    let policy = LockoutPolicy {
        max_failures: 1,
        lock_minutes: 10,
    };
    let locked = db
        .record_login_failure(other.tenant.id, world.contact.id, now(), &policy, &[])
        .await
        .unwrap();
    assert_eq!(locked, None);
    let untouched = world.credential(&*db).await;
    assert_eq!(
        (untouched.failed_attempts, untouched.locked_until),
        (0, None)
    );
}

async fn on_lock_messages_are_written_only_by_the_failure_that_engages_the_lock(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (tenant, contact) = (world.tenant.id, world.contact.id);
    let policy = LockoutPolicy {
        max_failures: 3,
        lock_minutes: 15,
    };
    let on_lock = [OutboxMessage::Event(DomainEvent::ContactLockedOut {
        contact,
        until: now() + Duration::minutes(15),
    })];

    for _ in 0..2 {
        let locked = db
            .record_login_failure(tenant, contact, now(), &policy, &on_lock)
            .await
            .unwrap();
        assert_eq!(locked, None);
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 0);

    let locked = db
        .record_login_failure(tenant, contact, now(), &policy, &on_lock)
        .await
        .unwrap();
    assert_eq!(locked, Some(now() + Duration::minutes(15)));
    let claimed = db
        .claim_outbox(now(), now() + Duration::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].message, on_lock[0]);

    // Counting on from the lock writes nothing until it locks again.
    let locked = db
        .record_login_failure(tenant, contact, now(), &policy, &on_lock)
        .await
        .unwrap();
    assert_eq!(locked, None);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
}

async fn failures_count_without_a_password_and_a_first_password_keeps_them(db: TestDb) {
    let acme = tenant(&*db, "acme").await;
    let ada = contact(&*db, acme.id, "ada").await;
    let policy = LockoutPolicy {
        max_failures: 3,
        lock_minutes: 10,
    };
    // Known-facts guesses for a contact who has not registered yet.
    for _ in 0..2 {
        let locked = db
            .record_login_failure(acme.id, ada.id, now(), &policy, &[])
            .await
            .unwrap();
        assert_eq!(locked, None);
    }
    assert_eq!(db.credential(acme.id, ada.id).await.unwrap(), None);

    db.set_first_password(acme.id, ada.id, PASSWORD, &[])
        .await
        .unwrap();
    let credential = db.credential(acme.id, ada.id).await.unwrap().unwrap();
    assert_eq!(credential.failed_attempts, 2, "registering keeps the count");

    let locked = db
        .record_login_failure(acme.id, ada.id, now(), &policy, &[])
        .await
        .unwrap();
    assert_eq!(locked, Some(now() + Duration::minutes(10)));

    // A lock engaged before registering outlasts the first password too.
    let bob = contact(&*db, acme.id, "bob").await;
    let lock_at_once = LockoutPolicy {
        max_failures: 1,
        lock_minutes: 10,
    };
    db.record_login_failure(acme.id, bob.id, now(), &lock_at_once, &[])
        .await
        .unwrap();
    db.set_first_password(acme.id, bob.id, PASSWORD, &[])
        .await
        .unwrap();
    assert_eq!(
        db.locked_until(acme.id, bob.id, now()).await.unwrap(),
        Some(now() + Duration::minutes(10))
    );
}

async fn locked_until_is_the_locks_end_while_it_lasts_and_nothing_in_another_tenant(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let other = World::new(&*db, "other").await;
    let (tenant, contact) = (world.tenant.id, world.contact.id);
    assert_eq!(db.locked_until(tenant, contact, now()).await.unwrap(), None);
    let policy = LockoutPolicy {
        max_failures: 1,
        lock_minutes: 10,
    };
    let until = db
        .record_login_failure(tenant, contact, now(), &policy, &[])
        .await
        .unwrap()
        .unwrap();

    assert_eq!(
        db.locked_until(tenant, contact, now()).await.unwrap(),
        Some(until)
    );
    let just_before = until - Duration::seconds(1);
    assert_eq!(
        db.locked_until(tenant, contact, just_before).await.unwrap(),
        Some(until)
    );
    assert_eq!(db.locked_until(tenant, contact, until).await.unwrap(), None);
    assert_eq!(
        db.locked_until(other.tenant.id, contact, now())
            .await
            .unwrap(),
        None
    );
}

async fn credential_is_the_password_hash_with_the_lockout_state_once_a_password_is_set(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let other = World::new(&*db, "other").await;
    let (tenant, contact) = (world.tenant.id, world.contact.id);
    assert_eq!(
        db.credential(tenant, contact).await.unwrap(),
        Some(Credential {
            password_hash: PASSWORD.to_owned(),
            failed_attempts: 0,
            locked_until: None,
        })
    );
    let policy = LockoutPolicy {
        max_failures: 2,
        lock_minutes: 10,
    };
    db.record_login_failure(tenant, contact, now(), &policy, &[])
        .await
        .unwrap();
    assert_eq!(world.credential(&*db).await.failed_attempts, 1);
    assert_eq!(
        db.credential(tenant, contact).await.unwrap(),
        Some(world.credential(&*db).await)
    );
    db.record_login_failure(tenant, contact, now(), &policy, &[])
        .await
        .unwrap();
    let locked = db.credential(tenant, contact).await.unwrap().unwrap();
    assert_eq!(
        (locked.failed_attempts, locked.locked_until),
        (0, Some(now() + Duration::minutes(10)))
    );

    // Nothing in another tenant, nothing for a contact without a password.
    assert_eq!(db.credential(other.tenant.id, contact).await.unwrap(), None);
    let bob = crate::harness::contact(&*db, tenant, "bob").await;
    assert_eq!(db.credential(tenant, bob.id).await.unwrap(), None);
}
