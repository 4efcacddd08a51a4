//! [`run_outbox`]: the loop that drives an [`OutboxWorker`] on tokio,
//! delivering mails and host events until shutdown and purging finished
//! rows on the worker's schedule.

use std::future::Future;
use std::time::Duration;

use portal_core::outbox::OutboxWorker;
use tokio::time::Instant;

/// Delivers with `worker` until `shutdown` resolves, polling every
/// `interval` when idle, and purges finished rows at start and then as
/// [`OutboxWorker::next_purge_after`] says. Store errors are logged and
/// retried, never fatal. Run one per process; several processes share the
/// work safely (rows are leased).
///
/// ```no_run
/// # async fn run(worker: portal_core::outbox::OutboxWorker) {
/// let shutdown = async { let _ = tokio::signal::ctrl_c().await; };
/// portal_runtime::run_outbox(&worker, std::time::Duration::from_secs(2), shutdown).await;
/// # }
/// ```
pub async fn run_outbox(
    worker: &OutboxWorker,
    interval: Duration,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut next_purge = Instant::now();
    loop {
        if Instant::now() >= next_purge {
            let wait = match worker.purge_finished().await {
                Ok(purged) => OutboxWorker::next_purge_after(purged),
                Err(error) => {
                    tracing::error!(%error, "outbox worker could not purge finished rows");
                    OutboxWorker::PURGE_EVERY
                }
            };
            next_purge = Instant::now() + wait;
        }
        let busy = match worker.run_once(worker.batch()).await {
            Ok(delivered) => delivered > 0,
            Err(error) => {
                tracing::error!(%error, "outbox worker could not read the outbox");
                false
            }
        };
        // After every batch, so the gauge follows a backlog as it drains.
        if let Err(error) = worker.report_backlog().await {
            tracing::warn!(%error, "outbox worker could not count the backlog");
        }
        if busy {
            continue;
        }
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tokio::time::sleep(interval) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use portal_core::outbox::{MockEventSink, MockMailer};
    use portal_core::ports::MockOutboxStore;
    use portal_core::shared::FixedClock;

    use super::*;

    fn clock() -> Arc<FixedClock> {
        Arc::new(FixedClock::at("2026-11-23T09:00:00Z".parse().unwrap()))
    }

    #[tokio::test(start_paused = true)]
    async fn the_run_loop_purges_at_start_and_then_hourly() {
        let clock = clock();
        let mut store = MockOutboxStore::new();
        // Two purges in 90 minutes of (paused, auto-advancing) time.
        store.expect_purge_outbox().times(2).returning(|_, _| Ok(0));
        store
            .expect_purge_event_deliveries()
            .times(2)
            .returning(|_, _| Ok(0));
        store
            .expect_claim_outbox()
            .returning(|_, _, _| Ok(Vec::new()));
        store.expect_outbox_backlog().returning(|| Ok(0));
        let worker = OutboxWorker::new(
            Arc::new(store),
            Arc::new(MockMailer::new()),
            Arc::new(MockEventSink::new()),
            clock,
        );
        run_outbox(
            &worker,
            std::time::Duration::from_secs(60),
            tokio::time::sleep(std::time::Duration::from_secs(90 * 60)),
        )
        .await;
    }
}
