//! The jobs port's contracts: idempotent upserts by the host's id, the
//! status timeline, notes, isolation between accounts, a job that would
//! move account, the lists' filters and pages, and links to invoices,
//! assets and a property resolved (or refused) as the port says.

use chrono::{DateTime, Duration, Utc};
use portal_core::access::AccountScope;
use portal_core::accounts::Address;
use portal_core::assets::AssetUpsert;
use portal_core::jobs::{
    Job, JobFilter, JobNoteUpsert, JobQuery, JobStatus, JobUpsert, JobWindow, JobsConflict,
};
use portal_core::ports::{Store, StoreError};
use portal_core::properties::PropertyUpsert;
use portal_core::shared::{AccountId, Conflict, ExternalId, PageRequest};

use crate::billing::{Books, invoice};
use crate::harness::{TestDb, conformance, now};

conformance!(
    upserting_the_same_job_twice_makes_one_and_the_second_writes_nothing,
    each_status_change_and_only_a_change_is_added_to_the_timeline,
    notes_are_one_per_id_and_kept_oldest_first,
    another_accounts_job_is_not_found_and_not_listed,
    a_job_named_for_another_account_is_refused_and_nothing_is_written,
    unknown_or_foreign_references_are_refused_and_nothing_is_written,
    the_lists_filter_by_status_and_window_in_pages,
    links_show_the_accounts_invoices_assets_and_property_once_they_exist,
);

fn id(text: &str) -> ExternalId {
    ExternalId::parse(text).unwrap()
}

/// A window of two hours from `start`.
fn window(start: DateTime<Utc>) -> Option<JobWindow> {
    Some(JobWindow::new(start, start + Duration::hours(2)).unwrap())
}

/// A job of `account` with no property or links.
fn upsert(account: AccountId, external: &str, status: JobStatus) -> JobUpsert {
    JobUpsert {
        external_id: id(external),
        account,
        number: external.to_uppercase(),
        title: format!("Job {external}"),
        description: "Service the boiler.".into(),
        status,
        property: None,
        window: (status == JobStatus::Scheduled)
            .then(|| window(now()))
            .flatten(),
        technicians: vec!["Ana Ruiz".into(), "Sam Lee".into()],
        invoices: Vec::new(),
        assets: Vec::new(),
    }
}

async fn put(
    store: &dyn Store,
    books: &Books,
    job: &JobUpsert,
    at: DateTime<Utc>,
) -> Result<Job, StoreError> {
    job.validate().unwrap();
    store
        .upsert_job(books.tenant.id, job, &job.digest(), at)
        .await
}

fn refused_as(result: Result<Job, StoreError>, conflict: JobsConflict) {
    match result {
        Err(StoreError::Conflict(Conflict::Jobs(refused))) => assert_eq!(refused, conflict),
        other => panic!("expected {conflict:?}, got {other:?}"),
    }
}

async fn statuses(store: &dyn Store, scope: &AccountScope, job: &Job) -> Vec<JobStatus> {
    let detail = store.job(scope, job.id).await.unwrap().unwrap();
    detail.timeline.iter().map(|entry| entry.status).collect()
}

async fn property(store: &dyn Store, books: &Books, account: AccountId, external: &str) {
    store
        .upsert_property(
            books.tenant.id,
            &PropertyUpsert {
                external_id: id(external),
                account,
                name: format!("Site {external}"),
                address: Address::default(),
            },
            now(),
        )
        .await
        .unwrap();
}

async fn asset(
    store: &dyn Store,
    books: &Books,
    account: AccountId,
    property: &str,
    external: &str,
) {
    store
        .upsert_asset(
            books.tenant.id,
            &AssetUpsert {
                external_id: id(external),
                account,
                property: id(property),
                name: format!("Asset {external}"),
                make: String::new(),
                model: String::new(),
                serial_number: String::new(),
                location: String::new(),
                installed_on: None,
                next_maintenance_on: None,
            },
            now(),
        )
        .await
        .unwrap();
}

async fn upserting_the_same_job_twice_makes_one_and_the_second_writes_nothing(db: TestDb) {
    let books = Books::new(&*db).await;
    let job = upsert(books.account.id, "wo-1", JobStatus::Scheduled);
    let first = put(&*db, &books, &job, now()).await.unwrap();
    assert_eq!(first.external_id, id("wo-1"));
    assert_eq!(first.technicians, ["Ana Ruiz", "Sam Lee"]);
    assert_eq!(first.window, window(now()));
    assert_eq!((first.created_at, first.updated_at), (now(), now()));

    let later = now() + Duration::hours(1);
    let again = put(&*db, &books, &job, later).await.unwrap();
    assert_eq!(
        again, first,
        "the same upsert changes nothing, not even updated_at"
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM jobs").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM job_events").await, 1);

    let mut renamed = job.clone();
    renamed.title = "Boiler service and flue test".into();
    renamed.technicians = vec!["Sam Lee".into()];
    let changed = put(&*db, &books, &renamed, later).await.unwrap();
    assert_eq!(changed.id, first.id, "the job keeps its id");
    assert_eq!(changed.title, "Boiler service and flue test");
    assert_eq!(changed.technicians, ["Sam Lee"]);
    assert_eq!((changed.created_at, changed.updated_at), (now(), later));
    assert_eq!(
        db.count("SELECT COUNT(*) FROM job_events").await,
        1,
        "no status change, no timeline entry"
    );
    assert_eq!(
        db.job_by_external_id(books.tenant.id, &id("wo-1"))
            .await
            .unwrap(),
        Some(changed)
    );
    assert_eq!(
        db.job_by_external_id(books.foreign_scope().tenant(), &id("wo-1"))
            .await
            .unwrap(),
        None,
        "another tenant's id space"
    );
}

async fn each_status_change_and_only_a_change_is_added_to_the_timeline(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let hour = |n: i64| now() + Duration::hours(n);
    let mut job = upsert(books.account.id, "wo-1", JobStatus::Unscheduled);
    let sent = [
        (JobStatus::Unscheduled, "a"),
        (JobStatus::Unscheduled, "b"),
        (JobStatus::Scheduled, "b"),
        (JobStatus::Scheduled, "c"),
        (JobStatus::InProgress, "c"),
        (JobStatus::Completed, "c"),
        (JobStatus::Completed, "d"),
        (JobStatus::Completed, "d"),
    ];
    let mut stored = None;
    for (n, (status, title)) in (0..).zip(sent) {
        job.status = status;
        job.title = title.into();
        job.window = window(hour(48));
        stored = Some(put(&*db, &books, &job, hour(n)).await.unwrap());
    }
    let done = stored.unwrap();
    assert_eq!(done.status, JobStatus::Completed);
    assert_eq!(
        done.completed_at,
        Some(hour(5)),
        "completed when it became completed, kept while it stays so"
    );
    let detail = db.job(&scope, done.id).await.unwrap().unwrap();
    let timeline: Vec<_> = detail
        .timeline
        .iter()
        .map(|entry| (entry.status, entry.at))
        .collect();
    assert_eq!(
        timeline,
        [
            (JobStatus::Unscheduled, hour(0)),
            (JobStatus::Scheduled, hour(2)),
            (JobStatus::InProgress, hour(4)),
            (JobStatus::Completed, hour(5)),
        ]
    );

    // Reopened by the host: a change like any other, and no longer
    // completed.
    job.status = JobStatus::Scheduled;
    let reopened = put(&*db, &books, &job, hour(9)).await.unwrap();
    assert_eq!(reopened.completed_at, None);
    assert_eq!(
        statuses(&*db, &scope, &reopened).await,
        [
            JobStatus::Unscheduled,
            JobStatus::Scheduled,
            JobStatus::InProgress,
            JobStatus::Completed,
            JobStatus::Scheduled,
        ]
    );
}

async fn notes_are_one_per_id_and_kept_oldest_first(db: TestDb) {
    let books = Books::new(&*db).await;
    let job = put(
        &*db,
        &books,
        &upsert(books.account.id, "wo-1", JobStatus::InProgress),
        now(),
    )
    .await
    .unwrap();
    let note = |external: &str, body: &str| JobNoteUpsert {
        external_id: id(external),
        author_name: "Ana Ruiz".into(),
        body: body.into(),
    };
    let add = |note: JobNoteUpsert, at: DateTime<Utc>| {
        let store = db.store.clone();
        let tenant = books.tenant.id;
        async move { store.add_job_note(tenant, &id("wo-1"), &note, at).await }
    };
    let first = add(note("n-2", "Part on order."), now()).await.unwrap();
    assert_eq!(first.created_at, now());
    let again = add(note("n-2", "Part on order."), now() + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(again, first, "the same note again is the same note");
    let edited = add(
        note("n-2", "Part on order; back on Thursday."),
        now() + Duration::hours(2),
    )
    .await
    .unwrap();
    assert_eq!(edited.body, "Part on order; back on Thursday.");
    assert_eq!(edited.created_at, now(), "an edit keeps the note's place");
    add(note("n-1", "Gate code used."), now() + Duration::hours(3))
        .await
        .unwrap();

    let detail = db.job(&books.scope(), job.id).await.unwrap().unwrap();
    let notes: Vec<_> = detail
        .notes
        .iter()
        .map(|note| (note.external_id.as_str(), note.body.as_str()))
        .collect();
    assert_eq!(
        notes,
        [
            ("n-2", "Part on order; back on Thursday."),
            ("n-1", "Gate code used."),
        ],
        "oldest first"
    );
    assert!(matches!(
        db.add_job_note(books.tenant.id, &id("wo-9"), &note("n-1", "x"), now())
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        db.add_job_note(
            books.foreign_scope().tenant(),
            &id("wo-1"),
            &note("n-3", "x"),
            now()
        )
        .await,
        Err(StoreError::NotFound)
    ));
}

async fn another_accounts_job_is_not_found_and_not_listed(db: TestDb) {
    let books = Books::new(&*db).await;
    let job = put(
        &*db,
        &books,
        &upsert(books.account.id, "wo-1", JobStatus::Scheduled),
        now(),
    )
    .await
    .unwrap();
    assert!(db.job(&books.scope(), job.id).await.unwrap().is_some());
    let all = JobQuery {
        filter: JobFilter::All,
        page: PageRequest::default(),
    };
    for scope in [books.second_scope(), books.foreign_scope()] {
        assert_eq!(db.job(&scope, job.id).await.unwrap(), None);
        for filter in JobFilter::ALL {
            let query = JobQuery { filter, ..all };
            let listed = db.jobs(&scope, &query, now()).await.unwrap();
            assert_eq!((listed.items.len(), listed.total), (0, 0), "{filter:?}");
        }
    }
    let mine = db.jobs(&books.scope(), &all, now()).await.unwrap();
    assert_eq!(mine.total, 1);
}

async fn a_job_named_for_another_account_is_refused_and_nothing_is_written(db: TestDb) {
    let books = Books::new(&*db).await;
    let job = upsert(books.account.id, "wo-1", JobStatus::Unscheduled);
    let first = put(&*db, &books, &job, now()).await.unwrap();

    let mut moved = job.clone();
    moved.account = books.second.id;
    moved.status = JobStatus::Cancelled;
    refused_as(
        put(&*db, &books, &moved, now() + Duration::hours(1)).await,
        JobsConflict::JobOfAnotherAccount,
    );
    assert_eq!(
        db.job_by_external_id(books.tenant.id, &id("wo-1"))
            .await
            .unwrap(),
        Some(first.clone()),
        "the job is as it was"
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM job_events").await, 1);
    assert_eq!(db.job(&books.second_scope(), first.id).await.unwrap(), None);

    // An account of another tenant, or none at all, is not found.
    for account in [books.foreign.id, AccountId::new()] {
        let elsewhere = upsert(account, "wo-2", JobStatus::Unscheduled);
        assert!(matches!(
            put(&*db, &books, &elsewhere, now()).await,
            Err(StoreError::NotFound)
        ));
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM jobs").await, 1);
}

async fn unknown_or_foreign_references_are_refused_and_nothing_is_written(db: TestDb) {
    let books = Books::new(&*db).await;
    let (mine, theirs) = (books.account.id, books.second.id);
    property(&*db, &books, mine, "p-mine").await;
    property(&*db, &books, theirs, "p-theirs").await;
    asset(&*db, &books, theirs, "p-theirs", "a-theirs").await;
    invoice(
        &*db,
        &books.second,
        "inv-theirs",
        "2030-02-01",
        "2030-03-01",
        1000,
    )
    .await;

    let job = upsert(mine, "wo-1", JobStatus::Scheduled);
    let mut unknown_property = job.clone();
    unknown_property.property = Some(id("p-nowhere"));
    assert!(matches!(
        put(&*db, &books, &unknown_property, now()).await,
        Err(StoreError::NotFound)
    ));
    let mut their_property = job.clone();
    their_property.property = Some(id("p-theirs"));
    refused_as(
        put(&*db, &books, &their_property, now()).await,
        JobsConflict::PropertyOfAnotherAccount,
    );
    let mut their_invoice = job.clone();
    their_invoice.invoices = vec![id("inv-later"), id("inv-theirs")];
    refused_as(
        put(&*db, &books, &their_invoice, now()).await,
        JobsConflict::InvoiceOfAnotherAccount,
    );
    let mut their_asset = job.clone();
    their_asset.assets = vec![id("a-theirs")];
    refused_as(
        put(&*db, &books, &their_asset, now()).await,
        JobsConflict::AssetOfAnotherAccount,
    );
    for table in [
        "SELECT COUNT(*) FROM jobs",
        "SELECT COUNT(*) FROM job_events",
        "SELECT COUNT(*) FROM job_invoices",
        "SELECT COUNT(*) FROM job_assets",
    ] {
        assert_eq!(db.count(table).await, 0, "{table}");
    }

    // A stored job stays as it was when a change is refused.
    let mut good = job.clone();
    good.property = Some(id("p-mine"));
    good.invoices = vec![id("inv-later")];
    let stored = put(&*db, &books, &good, now()).await.unwrap();
    let mut bad = good.clone();
    bad.status = JobStatus::InProgress;
    bad.invoices = vec![id("inv-theirs")];
    refused_as(
        put(&*db, &books, &bad, now() + Duration::hours(1)).await,
        JobsConflict::InvoiceOfAnotherAccount,
    );
    assert_eq!(
        db.job_by_external_id(books.tenant.id, &id("wo-1"))
            .await
            .unwrap(),
        Some(stored)
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM job_events").await, 1);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM job_invoices WHERE invoice_external_id = 'inv-later'")
            .await,
        1,
        "the links are as they were"
    );
}

async fn the_lists_filter_by_status_and_window_in_pages(db: TestDb) {
    let books = Books::new(&*db).await;
    let account = books.account.id;
    let hour = |n: i64| now() + Duration::hours(n);
    // (external id, status, window start, when sent)
    let jobs = [
        ("over", JobStatus::Scheduled, Some(hour(-5)), hour(-10)),
        ("now", JobStatus::Scheduled, Some(hour(-1)), hour(-9)),
        ("soon", JobStatus::Scheduled, Some(hour(3)), hour(-8)),
        ("later", JobStatus::Scheduled, Some(hour(30)), hour(-7)),
        ("latest", JobStatus::Scheduled, Some(hour(50)), hour(-6)),
        ("wait-1", JobStatus::Unscheduled, None, hour(-5)),
        ("wait-2", JobStatus::Unscheduled, None, hour(-4)),
        ("going", JobStatus::InProgress, Some(hour(-2)), hour(-3)),
        ("walk-in", JobStatus::InProgress, None, hour(-3)),
        ("done-1", JobStatus::Completed, None, hour(-3)),
        ("done-2", JobStatus::Completed, Some(hour(-30)), hour(-2)),
        ("off", JobStatus::Cancelled, None, hour(-1)),
    ];
    for (external, status, start, sent) in jobs {
        let mut job = upsert(account, external, status);
        job.window = start.and_then(window);
        put(&*db, &books, &job, sent).await.unwrap();
    }
    // Another account's job is on none of these lists.
    put(
        &*db,
        &books,
        &upsert(books.second.id, "theirs", JobStatus::Scheduled),
        now(),
    )
    .await
    .unwrap();
    let list = |filter, page| {
        let store = db.store.clone();
        let scope = books.scope();
        async move {
            let query = JobQuery { filter, page };
            let page = store.jobs(&scope, &query, now()).await.unwrap();
            let ids: Vec<String> = page
                .items
                .iter()
                .map(|job| job.external_id.as_str().to_owned())
                .collect();
            (ids, page.total)
        }
    };
    let all = PageRequest::default();
    assert_eq!(
        list(JobFilter::Upcoming, all).await,
        (strings(&["now", "soon", "later", "latest"]), 4),
        "scheduled and not over, soonest first"
    );
    assert_eq!(
        list(JobFilter::Waiting, all).await,
        (strings(&["wait-1", "wait-2"]), 2),
        "oldest first"
    );
    assert_eq!(
        list(JobFilter::InProgress, all).await,
        (strings(&["going", "walk-in"]), 2),
        "soonest window first, none last"
    );
    assert_eq!(
        list(JobFilter::Completed, all).await,
        (strings(&["done-2", "done-1"]), 2),
        "latest completed first"
    );
    assert_eq!(
        list(JobFilter::Cancelled, all).await,
        (strings(&["off"]), 1)
    );
    let (everything, total) = list(JobFilter::All, all).await;
    assert_eq!(total, 12);
    assert_eq!(
        everything.first().map(String::as_str),
        Some("off"),
        "newest first"
    );
    assert_eq!(everything.last().map(String::as_str), Some("over"));

    assert_eq!(
        list(JobFilter::Upcoming, PageRequest::new(2, 3)).await,
        (strings(&["latest"]), 4)
    );
    assert_eq!(
        list(JobFilter::Upcoming, PageRequest::new(3, 3)).await,
        (Vec::new(), 4),
        "a page past the end still counts the list"
    );
    // The rule the SQL applies is core's.
    let page = db
        .jobs(
            &books.scope(),
            &JobQuery {
                filter: JobFilter::All,
                page: all,
            },
            now(),
        )
        .await
        .unwrap();
    for filter in JobFilter::ALL {
        let expected: Vec<String> = page
            .items
            .iter()
            .filter(|job| filter.holds(job, now()))
            .map(|job| job.external_id.as_str().to_owned())
            .collect();
        let (mut listed, _) = list(filter, all).await;
        let mut expected = expected;
        listed.sort();
        expected.sort();
        assert_eq!(listed, expected, "{filter:?}");
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

async fn links_show_the_accounts_invoices_assets_and_property_once_they_exist(db: TestDb) {
    let books = Books::new(&*db).await;
    let account = books.account.id;
    property(&*db, &books, account, "p-1").await;
    asset(&*db, &books, account, "p-1", "a-1").await;
    let billed = books.invoice(&*db, "inv-1", "2030-03-01", 1000).await;
    let mut job = upsert(account, "wo-1", JobStatus::Completed);
    job.property = Some(id("p-1"));
    job.invoices = vec![id("inv-1"), id("inv-2")];
    job.assets = vec![id("a-2"), id("a-1")];
    let stored = put(&*db, &books, &job, now()).await.unwrap();
    let property_name = stored.property.as_ref().map(|p| p.name.as_str());
    assert_eq!(property_name, Some("Site p-1"));

    let detail = db.job(&books.scope(), stored.id).await.unwrap().unwrap();
    assert_eq!(detail.description, "Service the boiler.");
    let invoices: Vec<_> = detail
        .invoices
        .iter()
        .map(|i| (i.id, i.number.clone()))
        .collect();
    assert_eq!(
        invoices,
        [(billed.id, billed.number.clone())],
        "inv-2 not sent yet"
    );
    let assets: Vec<_> = detail.assets.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(assets, ["Asset a-1"], "a-2 not sent yet");

    // Sent later, they show.
    asset(&*db, &books, account, "p-1", "a-2").await;
    let second = books.invoice(&*db, "inv-2", "2030-03-02", 500).await;
    let detail = db.job(&books.scope(), stored.id).await.unwrap().unwrap();
    assert_eq!(detail.invoices.len(), 2);
    assert!(detail.invoices.iter().any(|i| i.id == second.id));
    let assets: Vec<_> = detail.assets.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(assets, ["Asset a-1", "Asset a-2"]);

    // The asset's history names the job; the property can be dropped.
    let a1 = db
        .asset_by_external_id(books.tenant.id, &id("a-1"))
        .await
        .unwrap()
        .unwrap();
    let history = db
        .asset_history(&books.scope(), a1.id, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(history.items.len(), 1);
    assert_eq!(history.items[0].job, stored.id);
    assert_eq!(history.items[0].status, JobStatus::Completed);
    job.property = None;
    job.assets.clear();
    let unlinked = put(&*db, &books, &job, now()).await.unwrap();
    assert_eq!(unlinked.property, None);
    let history = db
        .asset_history(&books.scope(), a1.id, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(history.total, 0);
}
