//! Host events in the outbox: only the oldest undelivered event of each
//! account is claimable (so at most one is in flight per account, and a
//! later one never overtakes an earlier one that is failing), while mails
//! keep being claimed by due time; every event carries its id and the time
//! it was written; the delivery log keeps each attempt, newest first, per
//! tenant; a replay is a new delivery of the same event behind the
//! account's pending ones.

use chrono::{DateTime, Duration, Utc};
use portal_core::outbox::{DomainEvent, EventDelivery, OutboxItem, OutboxMessage};
use portal_core::ports::Store;
use portal_core::shared::{AccountId, ContactId, EventId, PageRequest, TenantId};

use crate::harness::{TestDb, World, conformance, mail, now, tenant};

conformance!(
    only_the_oldest_undelivered_event_of_an_account_is_claimed,
    a_later_event_waits_while_an_earlier_one_waits_for_its_retry_and_mail_does_not,
    an_event_given_up_on_lets_the_next_one_through,
    events_about_a_contact_alone_are_in_order_per_contact,
    claimed_events_carry_their_id_and_when_they_were_written,
    the_delivery_log_keeps_every_attempt_newest_first_per_tenant_and_event,
    a_replay_is_a_new_delivery_of_the_same_event_behind_the_accounts_pending_ones,
    replaying_an_unknown_or_another_tenants_event_writes_nothing,
    purging_the_delivery_log_deletes_only_attempts_before_the_cutoff_up_to_the_limit,
);

fn lease(at: DateTime<Utc>) -> DateTime<Utc> {
    at + Duration::minutes(2)
}

fn access(account: AccountId, enabled: bool) -> OutboxMessage {
    OutboxMessage::Event(DomainEvent::PortalAccessChanged { account, enabled })
}

/// Writes `messages` in one transaction (through a port method that
/// carries messages and may be called again and again).
async fn write(db: &dyn Store, world: &World, messages: &[OutboxMessage]) {
    db.set_portal_enabled(world.tenant.id, world.account.id, true, messages)
        .await
        .unwrap();
}

fn messages(items: &[OutboxItem]) -> Vec<OutboxMessage> {
    items.iter().map(|item| item.message.clone()).collect()
}

async fn deliver_all(db: &dyn Store, items: &[OutboxItem]) {
    for item in items {
        db.complete_outbox(item.id, item.lease, now())
            .await
            .unwrap();
    }
}

async fn only_the_oldest_undelivered_event_of_an_account_is_claimed(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (a, b) = (world.account.id, world.second_account.id);
    // Interleaved: a1 b1 a2 a3 b2, written in two transactions.
    write(
        &*db,
        &world,
        &[access(a, true), access(b, true), access(a, false)],
    )
    .await;
    write(&*db, &world, &[access(a, true), access(b, false)]).await;

    let first = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    assert_eq!(messages(&first), [access(a, true), access(b, true)]);
    // While those are in flight, nothing of either account is claimable.
    assert!(
        db.claim_outbox(now(), lease(now()), 10)
            .await
            .unwrap()
            .is_empty()
    );

    deliver_all(&*db, &first).await;
    let second = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    assert_eq!(messages(&second), [access(a, false), access(b, false)]);
    deliver_all(&*db, &second).await;
    let third = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    assert_eq!(messages(&third), [access(a, true)]);
    deliver_all(&*db, &third).await;
    assert!(
        db.claim_outbox(now(), lease(now()), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_later_event_waits_while_an_earlier_one_waits_for_its_retry_and_mail_does_not(
    db: TestDb,
) {
    let world = World::new(&*db, "acme").await;
    let a = world.account.id;
    write(&*db, &world, &[access(a, true), access(a, false)]).await;
    let claimed = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    assert_eq!(messages(&claimed), [access(a, true)]);
    let retry_at = now() + Duration::minutes(1);
    db.fail_outbox(
        claimed[0].id,
        claimed[0].lease,
        "HTTP 503",
        now(),
        Some(retry_at),
    )
    .await
    .unwrap();

    // The failed event is not due yet, and the later one must not pass it;
    // a mail written meanwhile is claimed all the same.
    write(&*db, &world, &[mail("ada@example.com")]).await;
    let meanwhile = now() + Duration::seconds(30);
    let claimed_meanwhile = db
        .claim_outbox(meanwhile, lease(meanwhile), 10)
        .await
        .unwrap();
    assert_eq!(messages(&claimed_meanwhile), [mail("ada@example.com")]);

    let retried = db
        .claim_outbox(retry_at, lease(retry_at), 10)
        .await
        .unwrap();
    assert_eq!(messages(&retried), [access(a, true)]);
    assert_eq!(retried[0].attempts, 1);
    db.complete_outbox(retried[0].id, retried[0].lease, retry_at)
        .await
        .unwrap();
    let next = db
        .claim_outbox(retry_at, lease(retry_at), 10)
        .await
        .unwrap();
    assert_eq!(messages(&next), [access(a, false)]);
}

async fn an_event_given_up_on_lets_the_next_one_through(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let a = world.account.id;
    write(&*db, &world, &[access(a, true), access(a, false)]).await;
    let claimed = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    db.fail_outbox(claimed[0].id, claimed[0].lease, "HTTP 410", now(), None)
        .await
        .unwrap();
    let next = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    assert_eq!(messages(&next), [access(a, false)]);
}

async fn events_about_a_contact_alone_are_in_order_per_contact(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (ada, bob) = (ContactId::new(), ContactId::new());
    let changed =
        |contact| OutboxMessage::Event(DomainEvent::PasswordChanged { contact, at: now() });
    write(&*db, &world, &[changed(ada), changed(ada), changed(bob)]).await;
    let claimed = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    assert_eq!(messages(&claimed), [changed(ada), changed(bob)]);
    deliver_all(&*db, &claimed).await;
    let next = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    assert_eq!(messages(&next), [changed(ada)]);
}

async fn claimed_events_carry_their_id_and_when_they_were_written(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let before = Utc::now() - Duration::seconds(5);
    write(
        &*db,
        &world,
        &[access(world.account.id, true), mail("ada@example.com")],
    )
    .await;
    let after = Utc::now() + Duration::seconds(5);
    let claimed = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    assert_eq!(claimed.len(), 2);
    let (event, mail) = (&claimed[0], &claimed[1]);
    assert_eq!(
        event.event.map(|id| id.as_uuid()),
        Some(event.id.as_uuid()),
        "an event's id is its first row's"
    );
    assert_eq!(mail.event, None, "a mail is no event");
    // Written by the database's clock, not the worker's.
    assert!(
        (before..after).contains(&event.occurred_at),
        "{}",
        event.occurred_at
    );
}

fn attempt(tenant: TenantId, event: EventId, minute: i64, status: Option<u16>) -> EventDelivery {
    EventDelivery {
        event,
        tenant,
        kind: "portal_access_changed".into(),
        attempted_at: now() + Duration::minutes(minute),
        duration_ms: 12,
        status,
        error: (status != Some(200)).then(|| "the receiver answered HTTP 503".to_owned()),
    }
}

async fn the_delivery_log_keeps_every_attempt_newest_first_per_tenant_and_event(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let other = tenant(&*db, "other").await;
    let (first, second) = (EventId::new(), EventId::new());
    let t = world.tenant.id;
    let attempts = vec![
        attempt(t, first, 0, Some(503)),
        attempt(t, first, 1, None),
        attempt(t, first, 2, Some(200)),
        attempt(t, second, 3, Some(200)),
        attempt(other.id, first, 4, Some(200)),
    ];
    db.record_deliveries(&attempts).await.unwrap();
    // More than one insert's worth, in one call.
    let many: Vec<_> = (0..40)
        .map(|minute| attempt(other.id, EventId::new(), minute, Some(200)))
        .collect();
    db.record_deliveries(&many).await.unwrap();

    let log = db
        .event_deliveries(t, None, PageRequest::new(1, 3))
        .await
        .unwrap();
    assert_eq!(log.total, 4, "only the tenant's attempts");
    assert_eq!(
        log.items,
        vec![
            attempts[3].clone(),
            attempts[2].clone(),
            attempts[1].clone()
        ],
        "newest first, each as given"
    );
    let rest = db
        .event_deliveries(t, None, PageRequest::new(2, 3))
        .await
        .unwrap();
    assert_eq!(rest.items, vec![attempts[0].clone()]);

    let of_first = db
        .event_deliveries(t, Some(first), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(of_first.total, 3);
    assert!(
        of_first
            .items
            .iter()
            .all(|entry| entry.event == first && entry.tenant == t)
    );
    let past_the_end = db
        .event_deliveries(t, Some(first), PageRequest::new(5, 10))
        .await
        .unwrap();
    assert!(past_the_end.items.is_empty());
    assert_eq!(past_the_end.total, 3);
    let others = db
        .event_deliveries(other.id, None, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(others.total, 41);
}

async fn a_replay_is_a_new_delivery_of_the_same_event_behind_the_accounts_pending_ones(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let a = world.account.id;
    write(&*db, &world, &[access(a, true)]).await;
    let delivered = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    deliver_all(&*db, &delivered).await;
    let event = delivered[0].event.unwrap();
    write(&*db, &world, &[access(a, false)]).await;

    assert!(db.replay_event(world.tenant.id, event).await.unwrap());
    // The pending later event goes first; the replay after it.
    let next = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    assert_eq!(messages(&next), [access(a, false)]);
    deliver_all(&*db, &next).await;
    let replayed = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    assert_eq!(messages(&replayed), [access(a, true)]);
    assert_eq!(replayed[0].event, Some(event), "the same event id");
    assert_ne!(replayed[0].id, delivered[0].id, "a row of its own");
    assert_eq!(replayed[0].occurred_at, delivered[0].occurred_at);
    assert_eq!(replayed[0].attempts, 0);
}

async fn replaying_an_unknown_or_another_tenants_event_writes_nothing(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let other = tenant(&*db, "other").await;
    write(&*db, &world, &[access(world.account.id, true)]).await;
    let claimed = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    let event = claimed[0].event.unwrap();
    let rows = db.count("SELECT COUNT(*) FROM outbox").await;

    assert!(!db.replay_event(other.id, event).await.unwrap());
    assert!(
        !db.replay_event(world.tenant.id, EventId::new())
            .await
            .unwrap()
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, rows);
}

async fn purging_the_delivery_log_deletes_only_attempts_before_the_cutoff_up_to_the_limit(
    db: TestDb,
) {
    let world = World::new(&*db, "acme").await;
    let t = world.tenant.id;
    let attempts: Vec<_> = (0..5)
        .map(|minute| attempt(t, EventId::new(), minute, Some(200)))
        .collect();
    db.record_deliveries(&attempts).await.unwrap();
    let cutoff = now() + Duration::minutes(3);
    assert_eq!(db.purge_event_deliveries(cutoff, 2).await.unwrap(), 2);
    assert_eq!(db.purge_event_deliveries(cutoff, 2).await.unwrap(), 1);
    assert_eq!(db.purge_event_deliveries(cutoff, 2).await.unwrap(), 0);
    let left = db
        .event_deliveries(t, None, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(left.items, vec![attempts[4].clone(), attempts[3].clone()]);
}
