//! Lockout: failed log-ins are counted per client by one conditional
//! update per scope, so concurrent failures all count; reaching a scope's
//! limit locks it for the policy's minutes, restarts its count and writes
//! the lock's messages; a lock ends by its time. A recognised device counts
//! and is checked on its own; any other client by its address and,
//! together with all other unrecognised clients, in the untrusted scope.
//! The state is the contact's, apart from its credential: failures count
//! before a first password, which keeps them.

use chrono::Duration;
use portal_core::identity::{LoginClient, LoginSource, SecretKey, UNTRUSTED_SCOPE};
use portal_core::outbox::{DomainEvent, OutboxMessage};
use portal_core::ports::StoreError;
use portal_core::tenancy::LockoutPolicy;

use crate::harness::{PASSWORD, TestDb, World, address, conformance, contact, now, tenant};

conformance!(
    failures_are_counted_and_the_limit_locks_until_the_policy_says,
    concurrent_failures_are_all_counted,
    a_lock_ends_by_its_time_and_counting_starts_again,
    a_failure_long_after_the_last_one_starts_the_count_again,
    another_tenants_failures_count_nothing,
    on_lock_messages_are_written_only_by_the_failure_that_engages_the_lock,
    failures_count_without_a_password_and_a_first_password_keeps_them,
    locked_until_is_the_locks_end_while_it_lasts_and_nothing_in_another_tenant,
    an_address_lock_stops_that_address_only,
    unrecognised_clients_together_lock_all_unrecognised_clients_but_not_a_recognised_device,
    a_recognised_devices_failures_lock_that_device_only,
    a_session_starts_from_a_client_another_clients_lock_does_not_cover,
);

fn policy(max_failures: u32, lock_minutes: u32) -> LockoutPolicy {
    LockoutPolicy {
        max_failures,
        untrusted_max_failures: 1000,
        lock_minutes,
    }
}

fn address_at(ip: &str) -> LoginSource {
    LoginSource::Address(ip.parse().unwrap())
}

/// A recognised device of the world's contact, as the core makes it from
/// a valid device token.
fn device(world: &World) -> LoginSource {
    device_source(world, "0123456789abcdef0123456789abcdef")
}

fn device_source(world: &World, nonce: &str) -> LoginSource {
    let key = SecretKey::random();
    let (tenant, contact) = (world.tenant.id, world.contact.id);
    let token = key.device_token(tenant, contact, now(), nonce);
    let client = LoginClient {
        address: "192.0.2.200".parse().unwrap(),
        device: Some(token.expose().to_owned()),
        user_agent: None,
    };
    let source = LoginSource::of(&key, tenant, contact, &client, now());
    assert!(!source.is_untrusted());
    source
}

async fn failures_are_counted_and_the_limit_locks_until_the_policy_says(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let policy = policy(3, 15);
    let (tenant, contact) = (world.tenant.id, world.contact.id);
    let scope = address().scope();

    for expected in 1..=2 {
        let locked = db
            .record_login_failure(tenant, contact, &address(), now(), &policy, &[])
            .await
            .unwrap();
        assert_eq!(locked, None);
        assert_eq!(db.lock_row(contact, &scope).await, (expected, None));
    }
    let locked = db
        .record_login_failure(tenant, contact, &address(), now(), &policy, &[])
        .await
        .unwrap();
    assert_eq!(locked, Some(now() + Duration::minutes(15)));
    assert_eq!(
        db.lock_row(contact, &scope).await,
        (0, Some(now() + Duration::minutes(15))),
        "the count restarts at the lock"
    );
    assert_eq!(
        db.lock_row(contact, UNTRUSTED_SCOPE).await.0,
        3,
        "an address's failures also count for all unrecognised clients"
    );
}

async fn concurrent_failures_are_all_counted(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let policy = policy(100, 15);
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
                .record_login_failure(tenant, contact, &address(), now(), &policy, &[])
                .await
                .unwrap()
        }
    });
    let locks = futures::future::join_all(attempts).await;
    assert!(locks.iter().all(Option::is_none));
    assert_eq!(db.lock_row(contact, &address().scope()).await.0, 24);
    assert_eq!(db.lock_row(contact, UNTRUSTED_SCOPE).await.0, 24);
}

async fn a_lock_ends_by_its_time_and_counting_starts_again(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let policy = policy(2, 10);
    let (tenant, contact) = (world.tenant.id, world.contact.id);
    for _ in 0..2 {
        db.record_login_failure(tenant, contact, &address(), now(), &policy, &[])
            .await
            .unwrap();
    }
    let until = db
        .locked_until(tenant, contact, &address(), now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(until, now() + Duration::minutes(10));

    // Past the lock the contact may try again; new failures count from
    // zero towards a new lock.
    let later = until + Duration::minutes(1);
    let locked = db
        .record_login_failure(tenant, contact, &address(), later, &policy, &[])
        .await
        .unwrap();
    assert_eq!(locked, None);
    assert_eq!(
        db.lock_row(contact, &address().scope()).await,
        (1, None),
        "the expired lock's row is forgotten"
    );
    let locked = db
        .record_login_failure(tenant, contact, &address(), later, &policy, &[])
        .await
        .unwrap();
    assert_eq!(locked, Some(later + Duration::minutes(10)));
}

async fn a_failure_long_after_the_last_one_starts_the_count_again(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let policy = policy(3, 15);
    let (tenant, contact) = (world.tenant.id, world.contact.id);
    for at in [now(), now() + Duration::minutes(14)] {
        db.record_login_failure(tenant, contact, &address(), at, &policy, &[])
            .await
            .unwrap();
    }
    // 14 minutes after the last one: still within the window.
    let later = now() + Duration::minutes(28);
    let locked = db
        .record_login_failure(tenant, contact, &address(), later, &policy, &[])
        .await
        .unwrap();
    assert_eq!(locked, Some(later + Duration::minutes(15)));

    let other = contact_with_failures(&db, &world, &policy).await;
    // 15 minutes or more after the last failure, the count starts again.
    let much_later = now() + Duration::minutes(30);
    let locked = db
        .record_login_failure(tenant, other, &address(), much_later, &policy, &[])
        .await
        .unwrap();
    assert_eq!(locked, None);
    assert_eq!(db.lock_row(other, &address().scope()).await, (1, None));
}

/// Bob, with two failures from [`address`] at `now()`.
async fn contact_with_failures(
    db: &TestDb,
    world: &World,
    policy: &LockoutPolicy,
) -> portal_core::shared::ContactId {
    let bob = contact(&**db, world.tenant.id, "bob").await;
    for _ in 0..2 {
        db.record_login_failure(world.tenant.id, bob.id, &address(), now(), policy, &[])
            .await
            .unwrap();
    }
    bob.id
}

async fn another_tenants_failures_count_nothing(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let other = World::new(&*db, "other").await;
    let policy = policy(1, 10);
    let locked = db
        .record_login_failure(
            other.tenant.id,
            world.contact.id,
            &address(),
            now(),
            &policy,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(locked, None);
    assert_eq!(
        db.lock_row(world.contact.id, &address().scope()).await,
        (0, None)
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM login_lockouts").await, 0);
}

async fn on_lock_messages_are_written_only_by_the_failure_that_engages_the_lock(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (tenant, contact) = (world.tenant.id, world.contact.id);
    let policy = policy(3, 15);
    let on_lock = [OutboxMessage::Event(DomainEvent::ContactLockedOut {
        contact,
        until: now() + Duration::minutes(15),
    })];

    for _ in 0..2 {
        let locked = db
            .record_login_failure(tenant, contact, &address(), now(), &policy, &on_lock)
            .await
            .unwrap();
        assert_eq!(locked, None);
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 0);

    let locked = db
        .record_login_failure(tenant, contact, &address(), now(), &policy, &on_lock)
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
        .record_login_failure(tenant, contact, &address(), now(), &policy, &on_lock)
        .await
        .unwrap();
    assert_eq!(locked, None);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
}

async fn failures_count_without_a_password_and_a_first_password_keeps_them(db: TestDb) {
    let acme = tenant(&*db, "acme").await;
    let ada = contact(&*db, acme.id, "ada").await;
    let policy = policy(3, 10);
    // Known-facts guesses for a contact who has not registered yet.
    for _ in 0..2 {
        let locked = db
            .record_login_failure(acme.id, ada.id, &address(), now(), &policy, &[])
            .await
            .unwrap();
        assert_eq!(locked, None);
    }
    assert_eq!(db.credential(acme.id, ada.id).await.unwrap(), None);

    db.set_first_password(acme.id, ada.id, PASSWORD, &[])
        .await
        .unwrap();
    assert_eq!(
        db.lock_row(ada.id, &address().scope()).await.0,
        2,
        "registering keeps the count"
    );

    let locked = db
        .record_login_failure(acme.id, ada.id, &address(), now(), &policy, &[])
        .await
        .unwrap();
    assert_eq!(locked, Some(now() + Duration::minutes(10)));

    // A lock engaged before registering outlasts the first password too.
    let bob = contact(&*db, acme.id, "bob").await;
    db.record_login_failure(acme.id, bob.id, &address(), now(), &policy_at_once(), &[])
        .await
        .unwrap();
    db.set_first_password(acme.id, bob.id, PASSWORD, &[])
        .await
        .unwrap();
    assert_eq!(
        db.locked_until(acme.id, bob.id, &address(), now())
            .await
            .unwrap(),
        Some(now() + Duration::minutes(10))
    );
}

fn policy_at_once() -> LockoutPolicy {
    policy(1, 10)
}

async fn locked_until_is_the_locks_end_while_it_lasts_and_nothing_in_another_tenant(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let other = World::new(&*db, "other").await;
    let (tenant, contact) = (world.tenant.id, world.contact.id);
    assert_eq!(
        db.locked_until(tenant, contact, &address(), now())
            .await
            .unwrap(),
        None
    );
    let until = db
        .record_login_failure(tenant, contact, &address(), now(), &policy_at_once(), &[])
        .await
        .unwrap()
        .unwrap();

    let just_before = until - Duration::seconds(1);
    for (at, expected) in [
        (now(), Some(until)),
        (just_before, Some(until)),
        (until, None),
    ] {
        assert_eq!(
            db.locked_until(tenant, contact, &address(), at)
                .await
                .unwrap(),
            expected,
            "at {at}"
        );
    }
    assert_eq!(
        db.locked_until(other.tenant.id, contact, &address(), now())
            .await
            .unwrap(),
        None
    );
}

async fn an_address_lock_stops_that_address_only(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (tenant, contact) = (world.tenant.id, world.contact.id);
    let attacker = address_at("203.0.113.7");
    let until = db
        .record_login_failure(tenant, contact, &attacker, now(), &policy(2, 15), &[])
        .await
        .unwrap();
    assert_eq!(until, None);
    let until = db
        .record_login_failure(tenant, contact, &attacker, now(), &policy(2, 15), &[])
        .await
        .unwrap();
    assert_eq!(until, Some(now() + Duration::minutes(15)));
    assert_eq!(
        db.locked_until(tenant, contact, &attacker, now())
            .await
            .unwrap(),
        until
    );
    for elsewhere in [address_at("198.51.100.1"), device(&world)] {
        assert_eq!(
            db.locked_until(tenant, contact, &elsewhere, now())
                .await
                .unwrap(),
            None,
            "{elsewhere:?}"
        );
    }
}

async fn unrecognised_clients_together_lock_all_unrecognised_clients_but_not_a_recognised_device(
    db: TestDb,
) {
    let world = World::new(&*db, "acme").await;
    let (tenant, contact) = (world.tenant.id, world.contact.id);
    let policy = LockoutPolicy {
        max_failures: 5,
        untrusted_max_failures: 4,
        lock_minutes: 15,
    };
    // One failure each from four addresses: no address reaches its limit,
    // together they reach the untrusted one.
    let mut engaged = Vec::new();
    for i in 1..=4 {
        let from = address_at(&format!("203.0.113.{i}"));
        engaged.push(
            db.record_login_failure(tenant, contact, &from, now(), &policy, &[])
                .await
                .unwrap(),
        );
    }
    let until = now() + Duration::minutes(15);
    assert_eq!(engaged, [None, None, None, Some(until)]);
    assert_eq!(
        db.locked_until(tenant, contact, &address_at("198.51.100.9"), now())
            .await
            .unwrap(),
        Some(until),
        "a new address is an unrecognised client too"
    );
    assert_eq!(
        db.locked_until(tenant, contact, &device(&world), now())
            .await
            .unwrap(),
        None,
        "the contact's recognised browser still gets in"
    );
}

async fn a_recognised_devices_failures_lock_that_device_only(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (tenant, contact) = (world.tenant.id, world.contact.id);
    let mine = device(&world);
    let until = db
        .record_login_failure(tenant, contact, &mine, now(), &policy_at_once(), &[])
        .await
        .unwrap();
    assert_eq!(until, Some(now() + Duration::minutes(10)));
    assert_eq!(
        db.locked_until(tenant, contact, &mine, now())
            .await
            .unwrap(),
        until
    );
    assert_eq!(
        db.lock_row(contact, UNTRUSTED_SCOPE).await,
        (0, None),
        "a device's failures do not count for unrecognised clients"
    );
    let another = device_source(&world, "fedcba9876543210fedcba9876543210");
    for elsewhere in [address(), another] {
        assert_eq!(
            db.locked_until(tenant, contact, &elsewhere, now())
                .await
                .unwrap(),
            None
        );
    }
}

async fn a_session_starts_from_a_client_another_clients_lock_does_not_cover(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (tenant, contact) = (world.tenant.id, world.contact.id);
    let attacker = address_at("203.0.113.7");
    db.record_login_failure(tenant, contact, &attacker, now(), &policy_at_once(), &[])
        .await
        .unwrap();
    let (refused, _) = world.session_on(world.account.id, now());
    assert!(matches!(
        db.start_session(&refused, PASSWORD, &attacker, &[]).await,
        Err(StoreError::Conflict(_))
    ));
    let (session, token) = world.session_on(world.account.id, now());
    db.start_session(&session, PASSWORD, &device(&world), &[])
        .await
        .unwrap();
    assert!(
        db.session_context(tenant, &token.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        db.locked_until(tenant, contact, &attacker, now())
            .await
            .unwrap(),
        Some(now() + Duration::minutes(10)),
        "another client's log-in leaves the attacker's lock"
    );
}
