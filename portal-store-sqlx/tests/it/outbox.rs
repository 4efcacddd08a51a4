//! The outbox: rows are claimed under a lease by one worker only, oldest
//! due first; completed rows are done; failed rows come back at their retry
//! time or are given up on; a lost worker's lease runs out, and then its
//! lease id no longer completes or fails the row; rows done with keep no
//! link; finished rows are purged after the cutoff, rows still being
//! retried never are.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use portal_core::outbox::{OutboxItem, OutboxMessage};
use portal_core::ports::Store;
use portal_core::shared::OutboxId;

use crate::harness::{TestDb, World, conformance, link_mail, mail, now};

conformance!(
    messages_come_back_as_written_with_their_tenant,
    claiming_takes_due_rows_oldest_first_up_to_the_limit,
    a_claimed_row_is_not_claimed_again_until_its_lease_runs_out,
    a_completed_row_is_never_claimed_again,
    a_failed_row_is_retried_at_its_retry_time_with_the_attempt_counted,
    a_row_given_up_on_is_never_claimed_again,
    two_workers_never_claim_the_same_row_and_together_claim_all,
    every_claim_has_a_lease_of_its_own,
    a_stale_lease_can_neither_complete_nor_fail_a_row_claimed_again,
    delivered_and_given_up_rows_keep_no_link,
    purging_deletes_only_rows_finished_before_the_cutoff,
    purging_deletes_at_most_the_limit,
    the_backlog_counts_rows_waiting_for_delivery_and_no_others,
);

fn lease(at: DateTime<Utc>) -> DateTime<Utc> {
    at + Duration::minutes(2)
}

/// Writes `count` mails for the world's tenant through a port method that
/// carries messages and may be called again and again (switching an
/// account's portal on).
async fn write_mails(db: &dyn Store, world: &World, count: usize) -> Vec<OutboxMessage> {
    let messages: Vec<_> = (0..count)
        .map(|i| mail(&format!("customer{i}@example.com")))
        .collect();
    db.set_portal_enabled(world.tenant.id, world.account.id, true, &messages)
        .await
        .unwrap();
    messages
}

fn ids(items: &[OutboxItem]) -> Vec<OutboxId> {
    items.iter().map(|item| item.id).collect()
}

async fn messages_come_back_as_written_with_their_tenant(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let written = write_mails(&*db, &world, 2).await;
    let claimed = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    assert_eq!(claimed.len(), 2);
    assert!(claimed.iter().all(|item| item.tenant == world.tenant.id));
    assert!(claimed.iter().all(|item| item.attempts == 0));
    let messages: Vec<_> = claimed.into_iter().map(|item| item.message).collect();
    assert_eq!(messages, written, "oldest first, as written");
}

async fn claiming_takes_due_rows_oldest_first_up_to_the_limit(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let written = write_mails(&*db, &world, 5).await;
    let first = db.claim_outbox(now(), lease(now()), 3).await.unwrap();
    let rest = db.claim_outbox(now(), lease(now()), 3).await.unwrap();
    assert_eq!((first.len(), rest.len()), (3, 2));
    let messages: Vec<_> = first
        .iter()
        .chain(&rest)
        .map(|i| i.message.clone())
        .collect();
    assert_eq!(messages, written);
    assert!(
        db.claim_outbox(now(), lease(now()), 3)
            .await
            .unwrap()
            .is_empty()
    );

    // A row failed until later is not due before then, and a fresh row
    // (due at once) goes first.
    let retry_at = now() + Duration::minutes(5);
    db.fail_outbox(
        first[0].id,
        first[0].lease,
        "mail server down",
        now(),
        Some(retry_at),
    )
    .await
    .unwrap();
    let later = retry_at + Duration::minutes(1);
    let fresh = write_mails(&*db, &world, 1).await;
    let claimed = db.claim_outbox(later, lease(later), 10).await.unwrap();
    // The others' leases ran out by now too: all six are due.
    assert_eq!(claimed.len(), 6);
    assert_eq!(
        claimed[0].message, written[1],
        "the fresh and unfailed first"
    );
    assert!(claimed.iter().any(|item| item.message == fresh[0]));
    assert_eq!(claimed.last().map(|item| item.id), Some(first[0].id));
}

async fn a_claimed_row_is_not_claimed_again_until_its_lease_runs_out(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    write_mails(&*db, &world, 1).await;
    let claimed = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    assert_eq!(claimed.len(), 1);

    let during = now() + Duration::minutes(1);
    assert!(
        db.claim_outbox(during, lease(during), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // The worker died; once the lease ends, another worker takes the row.
    let after = lease(now());
    let again = db.claim_outbox(after, lease(after), 10).await.unwrap();
    assert_eq!(ids(&again), ids(&claimed));
    assert_eq!(again[0].attempts, 0);
}

async fn a_completed_row_is_never_claimed_again(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    write_mails(&*db, &world, 2).await;
    let claimed = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    db.complete_outbox(claimed[0].id, claimed[0].lease, now())
        .await
        .unwrap();

    let much_later = now() + Duration::days(30);
    let again = db
        .claim_outbox(much_later, lease(much_later), 10)
        .await
        .unwrap();
    assert_eq!(ids(&again), vec![claimed[1].id]);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NOT NULL")
            .await,
        1
    );
}

async fn a_failed_row_is_retried_at_its_retry_time_with_the_attempt_counted(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    write_mails(&*db, &world, 1).await;
    let claimed = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    let retry_at = now() + Duration::seconds(30);
    db.fail_outbox(
        claimed[0].id,
        claimed[0].lease,
        "421 try later",
        now(),
        Some(retry_at),
    )
    .await
    .unwrap();

    // The lease is cleared, but the row waits for its retry time.
    let before = retry_at - Duration::seconds(1);
    assert!(
        db.claim_outbox(before, lease(before), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let retried = db
        .claim_outbox(retry_at, lease(retry_at), 10)
        .await
        .unwrap();
    assert_eq!(ids(&retried), ids(&claimed));
    assert_eq!(retried[0].attempts, 1);

    let next = retry_at + Duration::seconds(60);
    db.fail_outbox(
        retried[0].id,
        retried[0].lease,
        "421 still busy",
        now(),
        Some(next),
    )
    .await
    .unwrap();
    let retried = db.claim_outbox(next, lease(next), 10).await.unwrap();
    assert_eq!(retried[0].attempts, 2);
}

async fn a_row_given_up_on_is_never_claimed_again(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    write_mails(&*db, &world, 1).await;
    let claimed = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    // A long error is kept, cut to a sane length.
    let error = "550 no such user ".repeat(500);
    db.fail_outbox(claimed[0].id, claimed[0].lease, &error, now(), None)
        .await
        .unwrap();

    let much_later = now() + Duration::days(30);
    assert!(
        db.claim_outbox(much_later, lease(much_later), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        db.count(
            "SELECT COUNT(*) FROM outbox WHERE gave_up AND attempts = 1 AND last_error IS NOT NULL"
        )
        .await,
        1
    );
}

async fn the_backlog_counts_rows_waiting_for_delivery_and_no_others(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    assert_eq!(db.outbox_backlog().await.unwrap(), 0);
    write_mails(&*db, &world, 4).await;
    assert_eq!(db.outbox_backlog().await.unwrap(), 4);
    let claimed = db.claim_outbox(now(), lease(now()), 3).await.unwrap();
    // Leased rows still wait; a delivered one and one given up on do not,
    // one being retried later does.
    assert_eq!(db.outbox_backlog().await.unwrap(), 4);
    db.complete_outbox(claimed[0].id, claimed[0].lease, now())
        .await
        .unwrap();
    db.fail_outbox(claimed[1].id, claimed[1].lease, "550", now(), None)
        .await
        .unwrap();
    let later = now() + Duration::minutes(5);
    db.fail_outbox(claimed[2].id, claimed[2].lease, "451", now(), Some(later))
        .await
        .unwrap();
    assert_eq!(db.outbox_backlog().await.unwrap(), 2);
}

async fn two_workers_never_claim_the_same_row_and_together_claim_all(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    const ROWS: usize = 200;
    write_mails(&*db, &world, ROWS).await;
    let stores = [db.store.clone(), db.another_store().await];

    // Each worker claims small batches until nothing is left, as the
    // outbox worker's loop does, both at once on separate pools.
    let workers = stores.map(|store| async move {
        let mut mine = Vec::new();
        loop {
            let batch = store.claim_outbox(now(), lease(now()), 7).await.unwrap();
            if batch.is_empty() {
                return mine;
            }
            mine.extend(ids(&batch));
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    });
    let [first, second] = workers;
    let (first, second) = tokio::join!(tokio::spawn(first), tokio::spawn(second));
    let (first, second) = (first.unwrap(), second.unwrap());

    let all: HashSet<_> = first.iter().chain(&second).copied().collect();
    assert_eq!(first.len() + second.len(), ROWS, "no row claimed twice");
    assert_eq!(all.len(), ROWS, "every row claimed");
    // How the rows split between the workers is up to the scheduler (on
    // SQLite one worker may hold the single writer throughout), so only
    // exclusivity and completeness are asserted.
}

async fn every_claim_has_a_lease_of_its_own(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    write_mails(&*db, &world, 3).await;
    let first = db.claim_outbox(now(), lease(now()), 2).await.unwrap();
    let second = db.claim_outbox(now(), lease(now()), 2).await.unwrap();
    assert_eq!((first.len(), second.len()), (2, 1));
    assert_eq!(first[0].lease, first[1].lease, "one lease per claim");
    assert_ne!(first[0].lease, second[0].lease);

    // Claimed again after the lease ran out: a new lease.
    let after = lease(now());
    let again = db.claim_outbox(after, lease(after), 1).await.unwrap();
    assert_eq!(again[0].id, first[0].id);
    assert_ne!(again[0].lease, first[0].lease);
}

async fn a_stale_lease_can_neither_complete_nor_fail_a_row_claimed_again(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    write_mails(&*db, &world, 1).await;
    let stale = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    // The first worker stalled past its lease; another process took over.
    let after = lease(now());
    let other = db.another_store().await;
    let current = other.claim_outbox(after, lease(after), 10).await.unwrap();
    assert_eq!(ids(&current), ids(&stale));
    let (id, old) = (stale[0].id, stale[0].lease);

    // The stalled worker's late outcomes change nothing, and are no error.
    db.complete_outbox(id, old, after).await.unwrap();
    db.fail_outbox(
        id,
        old,
        "timed out",
        after,
        Some(after + Duration::minutes(1)),
    )
    .await
    .unwrap();
    db.fail_outbox(id, old, "timed out", after, None)
        .await
        .unwrap();
    assert_eq!(
        db.count(
            "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND NOT gave_up \
                 AND attempts = 0 AND last_error IS NULL AND leased_until IS NOT NULL"
        )
        .await,
        1
    );
    // Still leased to the other worker, who completes it.
    assert!(
        db.claim_outbox(after, lease(after), 10)
            .await
            .unwrap()
            .is_empty()
    );
    other
        .complete_outbox(id, current[0].lease, after)
        .await
        .unwrap();
    assert_eq!(
        db.count("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NOT NULL")
            .await,
        1
    );
    // Completing twice, or failing after completing, changes nothing either.
    other
        .fail_outbox(id, current[0].lease, "late", now(), None)
        .await
        .unwrap();
    assert_eq!(
        db.count("SELECT COUNT(*) FROM outbox WHERE gave_up OR last_error IS NOT NULL")
            .await,
        0
    );
}

async fn delivered_and_given_up_rows_keep_no_link(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let link = "https://acme.portal.test/portal/set-password?token=5ec2e7-70ken-7ex7";
    let messages: Vec<_> = ["delivered", "given-up", "retried"]
        .iter()
        .map(|name| link_mail(&format!("{name}@example.com"), link))
        .collect();
    db.set_portal_enabled(world.tenant.id, world.account.id, true, &messages)
        .await
        .unwrap();
    const WITH_LINK: &str =
        "SELECT COUNT(*) FROM outbox WHERE CAST(payload AS TEXT) LIKE '%5ec2e7-70ken-7ex7%'";
    assert_eq!(db.count(WITH_LINK).await, 3);

    let claimed = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    let [delivered, given_up, retried] = &claimed[..] else {
        panic!("three rows, got {claimed:?}");
    };
    db.complete_outbox(delivered.id, delivered.lease, now())
        .await
        .unwrap();
    db.fail_outbox(given_up.id, given_up.lease, "550 no such user", now(), None)
        .await
        .unwrap();
    let retry_at = now() + Duration::minutes(1);
    db.fail_outbox(
        retried.id,
        retried.lease,
        "421 later",
        now(),
        Some(retry_at),
    )
    .await
    .unwrap();

    // Only the row still to be sent keeps its link, as it must.
    assert_eq!(db.count(WITH_LINK).await, 1);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM outbox WHERE CAST(payload AS TEXT) LIKE '%[redacted]%'")
            .await,
        2
    );
    let again = db
        .claim_outbox(retry_at, lease(retry_at), 10)
        .await
        .unwrap();
    assert_eq!(ids(&again), vec![retried.id]);
    assert_eq!(again[0].message, messages[2], "the retried mail is intact");
    // What is kept is the message redacted, still readable.
    assert_eq!(
        db.count(
            "SELECT COUNT(*) FROM outbox \
             WHERE CAST(payload AS TEXT) LIKE '%delivered@example.com%' \
               AND delivered_at IS NOT NULL"
        )
        .await,
        1
    );
}

async fn purging_deletes_only_rows_finished_before_the_cutoff(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    write_mails(&*db, &world, 7).await;
    let long_ago = now() - Duration::days(40);
    let yesterday = now() - Duration::days(1);
    let rows = db.claim_outbox(now(), lease(now()), 10).await.unwrap();
    // 0 and 1 delivered long ago, 2 yesterday.
    for (row, at) in rows.iter().zip([long_ago, long_ago, yesterday]) {
        db.complete_outbox(row.id, row.lease, at).await.unwrap();
    }
    // 3 still being retried, last due long ago.
    db.fail_outbox(
        rows[3].id,
        rows[3].lease,
        "421 try later",
        long_ago,
        Some(long_ago),
    )
    .await
    .unwrap();
    // 4 given up on long ago, 5 yesterday, and 6 today although it was
    // last due long ago (a worker that was down for weeks).
    for (row, at) in rows[4..].iter().zip([long_ago, yesterday, now()]) {
        db.fail_outbox(row.id, row.lease, "550 no such user", at, None)
            .await
            .unwrap();
    }

    let cutoff = now() - Duration::days(30);
    assert_eq!(db.purge_outbox(cutoff, 10).await.unwrap(), 3);
    assert_eq!(db.purge_outbox(cutoff, 10).await.unwrap(), 0);
    let delivered_yesterday = "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NOT NULL";
    assert_eq!(db.count(delivered_yesterday).await, 1);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM outbox WHERE gave_up").await,
        2
    );
    // The row still being retried stays, however old, and is claimed again.
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 4);
    let leased_until = lease(now()) + Duration::minutes(1);
    let again = db
        .claim_outbox(leased_until, lease(leased_until), 10)
        .await
        .unwrap();
    assert_eq!(ids(&again), vec![rows[3].id]);
}

async fn purging_deletes_at_most_the_limit(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    write_mails(&*db, &world, 3).await;
    let long_ago = now() - Duration::days(40);
    for row in db.claim_outbox(now(), lease(now()), 10).await.unwrap() {
        db.complete_outbox(row.id, row.lease, long_ago)
            .await
            .unwrap();
    }
    let cutoff = now() - Duration::days(30);
    assert_eq!(db.purge_outbox(cutoff, 2).await.unwrap(), 2);
    assert_eq!(db.purge_outbox(cutoff, 2).await.unwrap(), 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 0);
}
