//! Use-case tests with every port mocked: a use case that touches a port
//! it should not fails its test.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::Stores;
use crate::access::AccessError;
use crate::billing::{AutopayConsent, MockAutopayStore};
use crate::error::PortalError;
use crate::jobs::job::tests::{at, upsert};
use crate::jobs::{Job, JobDetail, JobEvent, JobQuery, JobStatus, MockJobStore};
use crate::service_contracts::{member, portal_for, tenant};
use crate::shared::{AccountId, AutopayId, ContactId, ExternalId, JobId, Page, PaymentMethodId};
use crate::tenancy::{PortalSettings, Tenant};

fn job(account: AccountId, status: JobStatus) -> Job {
    Job {
        id: JobId::new(),
        account,
        external_id: ExternalId::parse("job-1").unwrap(),
        number: "J-1".into(),
        title: "Boiler service".into(),
        status,
        property: None,
        window: None,
        technicians: vec!["Ana Ruiz".into()],
        created_at: at(7),
        updated_at: at(7),
        completed_at: None,
    }
}

fn detail(job: Job) -> JobDetail {
    JobDetail {
        timeline: vec![JobEvent {
            status: job.status,
            at: job.created_at,
        }],
        job,
        description: String::new(),
        notes: Vec::new(),
        invoices: Vec::new(),
        assets: Vec::new(),
    }
}

fn consent(account: AccountId, at: DateTime<Utc>) -> AutopayConsent {
    AutopayConsent {
        id: AutopayId::new(),
        account,
        method: PaymentMethodId::new(),
        contact: ContactId::new(),
        terms: "Charge my card on the due date.".into(),
        consented_at: at,
        withdrawn_at: None,
        withdrawn_by: None,
    }
}

/// A tenant that runs autopay (it needs billing and cards on file too).
fn autopay_tenant() -> Tenant {
    let mut settings = PortalSettings::default();
    settings.features.autopay = true;
    tenant(settings)
}

/// An autopay store answering the account's consent exactly once.
fn autopay_once(account: AccountId, active: bool) -> MockAutopayStore {
    let mut autopay = MockAutopayStore::new();
    autopay
        .expect_autopay()
        .times(1)
        .withf(move |scope| scope.account() == account)
        .returning(move |_| Ok(active.then(|| consent(account, at(1)))));
    autopay
}

#[tokio::test]
async fn with_services_off_no_job_is_read() {
    let mut settings = PortalSettings::default();
    settings.features.services = false;
    let tenant = tenant(settings);
    // Mocks with no expectations: any read fails the test.
    let portal = portal_for(&tenant, Stores::mocks());
    let actor = member(&tenant, AccountId::new());
    let listed = portal.jobs().list(&actor, &JobQuery::default()).await;
    assert!(matches!(
        listed,
        Err(PortalError::Forbidden(AccessError::FeatureOff))
    ));
    let one = portal.jobs().detail(&actor, JobId::new()).await;
    assert!(matches!(
        one,
        Err(PortalError::Forbidden(AccessError::FeatureOff))
    ));
}

#[tokio::test]
async fn a_list_reads_the_autopay_consent_once_and_a_cancelled_job_is_not_paid_by_it() {
    let tenant = autopay_tenant();
    let account = AccountId::new();
    let mut jobs = MockJobStore::new();
    jobs.expect_jobs()
        .times(1)
        .withf(move |scope, _, now| {
            scope.account() == account
                && *now == "2026-11-15T09:00:00Z".parse::<DateTime<Utc>>().unwrap()
        })
        .returning(move |_, query, _| {
            let items = JobStatus::ALL
                .into_iter()
                .map(|status| job(account, status))
                .collect();
            Ok(Page::of(items, 5, query.page))
        });
    let stores = Stores {
        jobs: Arc::new(jobs),
        autopay: Arc::new(autopay_once(account, true)),
        ..Stores::mocks()
    };
    let portal = portal_for(&tenant, stores);
    let list = portal
        .jobs()
        .list(&member(&tenant, account), &JobQuery::default())
        .await
        .unwrap();
    assert_eq!(list.jobs.total, 5);
    for listing in &list.jobs.items {
        assert_eq!(
            listing.paid_by_autopay,
            listing.job.status != JobStatus::Cancelled
        );
    }
}

#[tokio::test]
async fn without_a_consent_no_job_is_paid_by_autopay() {
    let tenant = autopay_tenant();
    let account = AccountId::new();
    let mut jobs = MockJobStore::new();
    jobs.expect_job()
        .times(1)
        .returning(move |_, _| Ok(Some(detail(job(account, JobStatus::Scheduled)))));
    let stores = Stores {
        jobs: Arc::new(jobs),
        autopay: Arc::new(autopay_once(account, false)),
        ..Stores::mocks()
    };
    let portal = portal_for(&tenant, stores);
    let view = portal
        .jobs()
        .detail(&member(&tenant, account), JobId::new())
        .await
        .unwrap();
    assert!(!view.paid_by_autopay);
}

#[tokio::test]
async fn when_the_tenant_runs_no_autopay_the_consent_is_not_read() {
    // Autopay off by default: a consent on file would charge nothing.
    let tenant = tenant(PortalSettings::default());
    let account = AccountId::new();
    let mut jobs = MockJobStore::new();
    jobs.expect_jobs().times(1).returning(move |_, query, _| {
        Ok(Page::of(
            vec![job(account, JobStatus::Scheduled)],
            1,
            query.page,
        ))
    });
    // No autopay expectation: reading it fails the test.
    let stores = Stores {
        jobs: Arc::new(jobs),
        ..Stores::mocks()
    };
    let portal = portal_for(&tenant, stores);
    let list = portal
        .jobs()
        .list(&member(&tenant, account), &JobQuery::default())
        .await
        .unwrap();
    assert!(!list.jobs.items[0].paid_by_autopay);
}

#[tokio::test]
async fn another_accounts_job_is_not_found_and_autopay_is_not_read() {
    let tenant = autopay_tenant();
    let mut jobs = MockJobStore::new();
    jobs.expect_job().times(1).returning(|_, _| Ok(None));
    let stores = Stores {
        jobs: Arc::new(jobs),
        ..Stores::mocks()
    };
    let portal = portal_for(&tenant, stores);
    let one = portal
        .jobs()
        .detail(&member(&tenant, AccountId::new()), JobId::new())
        .await;
    assert!(matches!(one, Err(PortalError::NotFound)));
}

#[tokio::test]
async fn a_bad_upsert_or_note_never_reaches_the_store() {
    let tenant = tenant(PortalSettings::default());
    let portal = portal_for(&tenant, Stores::mocks());
    let mut bad = upsert();
    bad.window = None;
    let refused = portal.host().upsert_job(tenant.id, &bad).await;
    assert!(matches!(
        refused,
        Err(PortalError::InvalidInput {
            field: "window",
            ..
        })
    ));
    let note = crate::jobs::JobNoteUpsert {
        external_id: ExternalId::parse("n-1").unwrap(),
        author_name: String::new(),
        body: "Done".into(),
    };
    let refused = portal
        .host()
        .add_job_note(tenant.id, &ExternalId::parse("job-1").unwrap(), &note)
        .await;
    assert!(matches!(
        refused,
        Err(PortalError::InvalidInput {
            field: "author_name",
            ..
        })
    ));
}

#[tokio::test]
async fn the_host_upsert_hands_the_store_the_digest_and_the_clocks_time() {
    let tenant = tenant(PortalSettings::default());
    let sent = upsert();
    let (digest, account) = (sent.digest(), sent.account);
    let mut jobs = MockJobStore::new();
    jobs.expect_upsert_job()
        .times(1)
        .withf(move |_, _, given, now| {
            given == digest && *now == "2026-11-15T09:00:00Z".parse::<DateTime<Utc>>().unwrap()
        })
        .returning(move |_, _, _, _| Ok(job(account, JobStatus::Scheduled)));
    let stores = Stores {
        jobs: Arc::new(jobs),
        ..Stores::mocks()
    };
    let portal = portal_for(&tenant, stores);
    let stored = portal.host().upsert_job(tenant.id, &sent).await.unwrap();
    assert_eq!(stored.status, JobStatus::Scheduled);
}

#[tokio::test]
async fn the_host_sees_its_job_with_the_autopay_flag() {
    let tenant = autopay_tenant();
    let account = AccountId::new();
    let stored = job(account, JobStatus::Completed);
    let mut jobs = MockJobStore::new();
    let found = stored.clone();
    jobs.expect_job_by_external_id()
        .times(1)
        .returning(move |_, _| Ok(Some(found.clone())));
    let read = stored.clone();
    jobs.expect_job()
        .times(1)
        .withf(move |scope, id| scope.account() == account && *id == read.id)
        .returning(move |_, _| Ok(Some(detail(stored.clone()))));
    let stores = Stores {
        jobs: Arc::new(jobs),
        autopay: Arc::new(autopay_once(account, true)),
        ..Stores::mocks()
    };
    let portal = portal_for(&tenant, stores);
    let view = portal
        .host()
        .job(tenant.id, &ExternalId::parse("job-1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(view.paid_by_autopay);
    assert_eq!(view.detail.job.status, JobStatus::Completed);
}

#[tokio::test]
async fn an_unknown_job_is_none_for_the_host() {
    let tenant = tenant(PortalSettings::default());
    let mut jobs = MockJobStore::new();
    jobs.expect_job_by_external_id()
        .times(1)
        .returning(|_, _| Ok(None));
    let stores = Stores {
        jobs: Arc::new(jobs),
        ..Stores::mocks()
    };
    let portal = portal_for(&tenant, stores);
    let view = portal
        .host()
        .job(tenant.id, &ExternalId::parse("nope").unwrap())
        .await
        .unwrap();
    assert!(view.is_none());
}
