//! Lockout: failed log-ins are counted by one conditional update, so
//! concurrent failures all count; reaching the limit locks the contact for
//! the policy's minutes and restarts the count; a lock ends by its time.

use chrono::Duration;
use portal_core::identity::{Credential, LoginName};
use portal_core::ports::Store;
use portal_core::tenancy::LockoutPolicy;

use crate::harness::{TestDb, World, conformance, now};

conformance!(
    failures_are_counted_and_the_limit_locks_until_the_policy_says,
    concurrent_failures_are_all_counted,
    a_lock_ends_by_its_time_and_counting_starts_again,
    another_tenants_failures_count_nothing,
);

async fn credential(db: &dyn Store, world: &World) -> Credential {
    let login = LoginName::Email(world.contact.email.clone().unwrap());
    db.login_candidate(world.tenant.id, &login)
        .await
        .unwrap()
        .unwrap()
        .credential
        .unwrap()
}

async fn failures_are_counted_and_the_limit_locks_until_the_policy_says(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let policy = LockoutPolicy {
        max_failures: 3,
        lock_minutes: 15,
    };
    let (tenant, contact) = (world.tenant.id, world.contact.id);

    for expected in 1..=2 {
        let locked = db
            .record_login_failure(tenant, contact, now(), &policy)
            .await
            .unwrap();
        assert_eq!(locked, None);
        assert_eq!(credential(&*db, &world).await.failed_attempts, expected);
    }
    let locked = db
        .record_login_failure(tenant, contact, now(), &policy)
        .await
        .unwrap();
    assert_eq!(locked, Some(now() + Duration::minutes(15)));
    let after = credential(&*db, &world).await;
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
                .record_login_failure(tenant, contact, now(), &policy)
                .await
                .unwrap()
        }
    });
    let locks = futures::future::join_all(attempts).await;
    assert!(locks.iter().all(Option::is_none));
    assert_eq!(credential(&*db, &world).await.failed_attempts, 24);
}

async fn a_lock_ends_by_its_time_and_counting_starts_again(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let policy = LockoutPolicy {
        max_failures: 2,
        lock_minutes: 10,
    };
    let (tenant, contact) = (world.tenant.id, world.contact.id);
    for _ in 0..2 {
        db.record_login_failure(tenant, contact, now(), &policy)
            .await
            .unwrap();
    }
    let until = credential(&*db, &world).await.locked_until.unwrap();
    assert_eq!(until, now() + Duration::minutes(10));

    // Past the lock, log-in compares `locked_until` with its clock and lets
    // the contact try again; new failures count from zero towards a new lock.
    let later = until + Duration::minutes(1);
    assert!(until <= later);
    let locked = db
        .record_login_failure(tenant, contact, later, &policy)
        .await
        .unwrap();
    assert_eq!(locked, None);
    assert_eq!(credential(&*db, &world).await.failed_attempts, 1);
    let locked = db
        .record_login_failure(tenant, contact, later, &policy)
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
        .record_login_failure(other.tenant.id, world.contact.id, now(), &policy)
        .await
        .unwrap();
    assert_eq!(locked, None);
    let untouched = credential(&*db, &world).await;
    assert_eq!(
        (untouched.failed_attempts, untouched.locked_until),
        (0, None)
    );
}
