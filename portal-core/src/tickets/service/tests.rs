//! Ticket use cases with every port mocked: what opening a ticket writes,
//! what a refusal must never touch (a mock without an expectation fails
//! the test when called), and that refused messages remove their files.

use std::sync::{Arc, Mutex};

use super::*;
use crate::access::{ContactActor, Role, StaffActor};
use crate::blobs::RecordingBlobs as Blobs;
use crate::blobs::{BlobKey, FileKind, FileName, StoredBlob};
use crate::ports::{MockTenantStore, MockTicketStore};
use crate::shared::{AccountId, FixedClock, Item, JobId, SessionId, TenantId};
use crate::tenancy::{PortalSettings, TenantSlug};
use crate::tickets::TicketCategory;
use crate::{Portal, Stores};

/// What `open_ticket` was given.
type Opened = Arc<Mutex<Vec<(Ticket, TicketMessage, Vec<OutboxMessage>)>>>;

struct Fixture {
    tenant: Tenant,
    account: AccountId,
    tickets: MockTicketStore,
    blobs: Arc<Blobs>,
}

impl Fixture {
    fn new() -> Self {
        let mut settings = PortalSettings::default();
        settings.tickets.categories.push(TicketCategory {
            key: "leak".into(),
            name: "A leak".into(),
            assignee: Some("Dispatch".into()),
        });
        settings.tickets.default_assignee = Some("Front desk".into());
        settings.tickets.max_attachments = 2;
        Self {
            tenant: Tenant {
                id: TenantId::new(),
                slug: TenantSlug::parse("acme").unwrap(),
                base_url: "https://acme.test/portal/".parse().unwrap(),
                settings,
            },
            account: AccountId::new(),
            tickets: MockTicketStore::new(),
            blobs: Arc::new(Blobs::default()),
        }
    }

    fn actor(&self) -> Actor {
        Actor::Contact(ContactActor {
            tenant: self.tenant.id,
            contact: crate::shared::ContactId::new(),
            account: self.account,
            role: Role::Member,
            session: SessionId::new(),
            client: Default::default(),
        })
    }

    fn staff(&self) -> Actor {
        Actor::Staff(StaffActor {
            tenant: self.tenant.id,
            account: self.account,
            staff: "staff-1".into(),
            client: Default::default(),
        })
    }

    /// A file staged for this tenant (or another).
    fn file(&self, tenant: TenantId) -> StagedFile {
        StagedFile(StoredBlob {
            key: BlobKey::generate(tenant),
            name: FileName::parse("photo.jpg").unwrap(),
            kind: FileKind::Jpeg,
            size: 10,
        })
    }

    /// Records what `open_ticket` is given; numbers start at 7.
    fn records(&mut self) -> Opened {
        self.tickets
            .expect_next_ticket_number()
            .returning(|_| Ok(7));
        let opened = Arc::new(Mutex::new(Vec::new()));
        let record = opened.clone();
        self.tickets
            .expect_open_ticket()
            .returning(move |_, ticket, message, messages| {
                record
                    .lock()
                    .unwrap()
                    .push((ticket.clone(), message.clone(), messages.to_vec()));
                Ok(TicketThread {
                    ticket: ticket.clone(),
                    messages: vec![message.clone()],
                })
            });
        opened
    }

    fn portal(self) -> (Portal, Arc<Blobs>) {
        let mut tenants = MockTenantStore::new();
        let tenant = self.tenant.clone();
        tenants
            .expect_tenant()
            .returning(move |_| Ok(Some(tenant.clone())));
        let stores = Stores {
            tenants: Arc::new(tenants),
            tickets: Arc::new(self.tickets),
            ..Stores::mocks()
        };
        let portal =
            Portal::builder_with(stores, Arc::new(crate::identity::MockPasswordHasher::new()))
                .clock(Arc::new(FixedClock::at(
                    "2026-12-04T09:00:00Z".parse().unwrap(),
                )))
                .blobs(self.blobs.clone())
                .build();
        (portal, self.blobs)
    }
}

fn draft(category: &str, body: &str) -> TicketDraft {
    TicketDraft {
        category: category.into(),
        body: body.into(),
        job: None,
    }
}

fn refusal(error: PortalError) -> (&'static str, Option<Item>, Reason) {
    match error {
        PortalError::InvalidInput {
            field,
            item,
            reason,
        } => (field, item, reason),
        other => panic!("not invalid input: {other:?}"),
    }
}

#[tokio::test]
async fn opening_writes_the_ticket_assigned_by_its_category_with_its_event() {
    let mut fixture = Fixture::new();
    let opened = fixture.records();
    let actor = fixture.actor();
    let tenant = fixture.tenant.id;
    let file = fixture.file(tenant);
    let key = file.stored().key.clone();
    let (portal, blobs) = fixture.portal();
    let thread = portal
        .tickets()
        .open(
            &actor,
            &draft("leak", "  Water everywhere\nplease come "),
            vec![file],
        )
        .await
        .unwrap();
    assert_eq!(thread.ticket.number, 7);
    let opened = opened.lock().unwrap();
    let (ticket, message, messages) = &opened[0];
    assert_eq!(ticket.assignee.as_deref(), Some("Dispatch"));
    assert_eq!(ticket.subject, "Water everywhere");
    assert_eq!(ticket.status, TicketStatus::Open);
    assert_eq!(message.body, "Water everywhere\nplease come", "trimmed");
    assert_eq!(message.attachments.len(), 1);
    assert_eq!(message.attachments[0].key, key);
    assert!(matches!(
        &messages[..],
        [OutboxMessage::Event(DomainEvent::TicketOpened { number: 7, attachments: 1, assignee: Some(a), .. })] if a == "Dispatch"
    ));
    assert!(blobs.deleted.lock().unwrap().is_empty(), "kept");
}

#[tokio::test]
async fn a_category_without_an_assignee_takes_the_default() {
    let mut fixture = Fixture::new();
    let opened = fixture.records();
    let actor = fixture.actor();
    let (portal, _) = fixture.portal();
    portal
        .tickets()
        .open(&actor, &draft("billing", "A question"), Vec::new())
        .await
        .unwrap();
    let opened = opened.lock().unwrap();
    assert_eq!(opened[0].0.assignee.as_deref(), Some("Front desk"));
}

#[tokio::test]
async fn a_refused_ticket_writes_nothing_and_removes_its_files() {
    let long = "x".repeat(501);
    let cases: [(&str, &str, usize, &str); 5] = [
        ("", "Hello", 0, "category"),
        ("vip", "Hello", 0, "category"),
        ("leak", "   ", 1, "body"),
        ("leak", &long, 1, "body"),
        ("leak", "Hello", 3, "file"),
    ];
    for (category, body, files, field) in cases {
        // No expectation on the ticket store: touching it fails the test.
        let fixture = Fixture::new();
        let actor = fixture.actor();
        let staged: Vec<_> = (0..files)
            .map(|_| fixture.file(fixture.tenant.id))
            .collect();
        let keys: Vec<_> = staged.iter().map(|f| f.stored().key.clone()).collect();
        let (portal, blobs) = fixture.portal();
        let error = portal
            .tickets()
            .open(&actor, &draft(category, body), staged)
            .await
            .unwrap_err();
        assert_eq!(refusal(error).0, field, "{category:?} {body:?}");
        assert_eq!(
            *blobs.deleted.lock().unwrap(),
            keys,
            "{field}: files removed"
        );
    }
}

#[tokio::test]
async fn a_job_that_is_not_the_accounts_is_refused_at_its_field() {
    let mut fixture = Fixture::new();
    let mut jobs = crate::ports::MockJobStore::new();
    jobs.expect_job().returning(|_, _| Ok(None));
    let actor = fixture.actor();
    let file = fixture.file(fixture.tenant.id);
    fixture.tickets = MockTicketStore::new();
    let mut tenants = MockTenantStore::new();
    let tenant = fixture.tenant.clone();
    tenants
        .expect_tenant()
        .returning(move |_| Ok(Some(tenant.clone())));
    let blobs = fixture.blobs.clone();
    let portal = Portal::builder_with(
        Stores {
            tenants: Arc::new(tenants),
            jobs: Arc::new(jobs),
            tickets: Arc::new(fixture.tickets),
            ..Stores::mocks()
        },
        Arc::new(crate::identity::MockPasswordHasher::new()),
    )
    .blobs(blobs.clone())
    .build();
    let mut asked = draft("leak", "About that visit");
    asked.job = Some(JobId::new());
    let error = portal
        .tickets()
        .open(&actor, &asked, vec![file])
        .await
        .unwrap_err();
    assert_eq!(refusal(error), ("job", None, Reason::UnknownRecord));
    assert_eq!(blobs.deleted.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_file_staged_for_another_tenant_is_not_attached() {
    let fixture = Fixture::new();
    let actor = fixture.actor();
    let foreign = fixture.file(TenantId::new());
    let (portal, blobs) = fixture.portal();
    let error = portal
        .tickets()
        .open(&actor, &draft("leak", "Hello"), vec![foreign])
        .await
        .unwrap_err();
    assert!(matches!(error, PortalError::NotFound), "{error:?}");
    assert_eq!(blobs.deleted.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn staff_viewing_may_read_but_never_write() {
    let fixture = Fixture::new();
    let staff = fixture.staff();
    let file = fixture.file(fixture.tenant.id);
    let (portal, blobs) = fixture.portal();
    let tickets = portal.tickets();
    let forbidden =
        |result: Result<_, PortalError>| matches!(result, Err(PortalError::Forbidden(_)));
    assert!(forbidden(
        tickets
            .open(&staff, &draft("leak", "Hello"), vec![file])
            .await
            .map(drop)
    ));
    assert_eq!(blobs.deleted.lock().unwrap().len(), 1);
    assert!(forbidden(
        tickets
            .reply(&staff, TicketId::new(), "Hi", Vec::new())
            .await
            .map(drop)
    ));
    assert!(forbidden(
        tickets.reopen(&staff, TicketId::new()).await.map(drop)
    ));
    assert!(forbidden(tickets.form(&staff).await.map(drop)));
}

#[tokio::test]
async fn the_list_shows_only_what_the_business_shows() {
    let mut fixture = Fixture::new();
    fixture.tenant.settings.features.tickets_view_closed = false;
    fixture
        .tickets
        .expect_tickets()
        .withf(|_, query| query.filter == TicketFilter::Open)
        .times(1)
        .returning(|_, query| Ok(Page::of(Vec::new(), 0, query.page)));
    let actor = fixture.actor();
    let (portal, _) = fixture.portal();
    let all = TicketQuery::default();
    portal.tickets().list(&actor, &all).await.unwrap();
    // Asking only for what is hidden reads nothing.
    let closed = TicketQuery {
        filter: TicketFilter::Closed,
        ..all
    };
    let page = portal.tickets().list(&actor, &closed).await.unwrap();
    assert_eq!(page.total, 0);
}

#[tokio::test]
async fn reopening_where_the_business_does_not_allow_it_is_a_conflict() {
    let mut fixture = Fixture::new();
    fixture.tenant.settings.tickets.allow_reopen = false;
    let actor = fixture.actor();
    let (portal, _) = fixture.portal();
    let error = portal
        .tickets()
        .reopen(&actor, TicketId::new())
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        PortalError::Conflict(crate::shared::Conflict::Tickets(
            TicketsConflict::ReopenNotAllowed
        ))
    ));
}

#[tokio::test]
async fn a_business_that_takes_no_files_refuses_an_attachment_before_storing_it() {
    let mut fixture = Fixture::new();
    fixture.tenant.settings.tickets.max_attachments = 0;
    let actor = fixture.actor();
    let (portal, _) = fixture.portal();
    let upload = Upload {
        name: FileName::parse("a.txt").unwrap(),
        content: Box::pin(futures::stream::empty()),
    };
    let error = portal.tickets().attach(&actor, upload).await.unwrap_err();
    assert_eq!(refusal(error).0, "file");
}
