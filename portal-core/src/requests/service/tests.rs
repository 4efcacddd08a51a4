//! Request use cases with every port mocked: what a request writes, and
//! what a refusal must never touch (a mock without an expectation fails
//! the test when called).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::*;
use crate::access::{ContactActor, Role};
use crate::accounts::Address;
use crate::blobs::RecordingBlobs;
use crate::outbox::OutboxMessage;
use crate::ports::{MockJobStore, MockPropertyStore, MockRequestStore, MockTenantStore};
use crate::properties::Property;
use crate::requests::{FieldSpec, KindKey};
use crate::shared::{
    AccountId, Conflict, ContactId, ExternalId, FixedClock, Item, JobId, PropertyId, SessionId,
    TenantId,
};
use crate::tenancy::{PortalSettings, TenantSlug};
use crate::{Portal, Stores};

/// What `submit_request` was given: each request with its messages.
type Written = Arc<Mutex<Vec<(ServiceRequest, Vec<OutboxMessage>)>>>;

struct Fixture {
    tenant: Tenant,
    account: AccountId,
    requests: MockRequestStore,
    properties: MockPropertyStore,
    jobs: MockJobStore,
}

impl Fixture {
    fn new() -> Self {
        Self {
            tenant: Tenant {
                id: TenantId::new(),
                slug: TenantSlug::parse("acme").unwrap(),
                base_url: "https://acme.test/portal/".parse().unwrap(),
                settings: PortalSettings::default(),
            },
            account: AccountId::new(),
            requests: MockRequestStore::new(),
            properties: MockPropertyStore::new(),
            jobs: MockJobStore::new(),
        }
    }

    fn actor(&self) -> Actor {
        Actor::Contact(ContactActor {
            tenant: self.tenant.id,
            contact: ContactId::new(),
            account: self.account,
            role: Role::Member,
            session: SessionId::new(),
            client: Default::default(),
        })
    }

    fn property(&self, name: &str) -> Property {
        Property {
            id: PropertyId::new(),
            account: self.account,
            external_id: ExternalId::parse(&format!("p-{name}")).unwrap(),
            name: name.into(),
            address: Address::default(),
        }
    }

    fn has_properties(&mut self, properties: Vec<Property>) {
        self.properties
            .expect_properties()
            .returning(move |_, page| {
                Ok(Page::of(properties.clone(), properties.len() as u64, page))
            });
    }

    /// Records what `submit_request` is given.
    fn records(&mut self) -> Written {
        let written = Arc::new(Mutex::new(Vec::new()));
        let record = written.clone();
        self.requests
            .expect_submit_request()
            .returning(move |_, request, messages| {
                record
                    .lock()
                    .unwrap()
                    .push((request.clone(), messages.to_vec()));
                Ok(request.clone())
            });
        written
    }

    fn portal(self) -> Portal {
        self.portal_keeping(Arc::new(RecordingBlobs::default()))
    }

    /// The portal with `blobs` as its blob store.
    fn portal_keeping(self, blobs: Arc<RecordingBlobs>) -> Portal {
        let mut tenants = MockTenantStore::new();
        let tenant = self.tenant.clone();
        tenants
            .expect_tenant()
            .returning(move |_| Ok(Some(tenant.clone())));
        let stores = Stores {
            tenants: Arc::new(tenants),
            requests: Arc::new(self.requests),
            properties: Arc::new(self.properties),
            jobs: Arc::new(self.jobs),
            ..Stores::mocks()
        };
        Portal::builder_with(stores, Arc::new(crate::identity::MockPasswordHasher::new()))
            .clock(Arc::new(FixedClock::at(
                "2026-12-04T09:00:00Z".parse().unwrap(),
            )))
            .blobs(blobs)
            .build()
    }

    /// A file staged for this tenant (or another).
    fn file(&self, tenant: TenantId) -> StagedFile {
        StagedFile(crate::blobs::StoredBlob {
            key: crate::blobs::BlobKey::generate(tenant),
            name: crate::blobs::FileName::parse("leak.jpg").unwrap(),
            kind: crate::blobs::FileKind::Jpeg,
            size: 10,
        })
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

fn ask(description: &str, property: Option<PropertyId>) -> ServiceAsk {
    ServiceAsk {
        description: description.into(),
        property,
    }
}

#[tokio::test]
async fn a_service_request_is_written_pending_with_its_host_event() {
    let mut fixture = Fixture::new();
    let home = fixture.property("Home");
    fixture.has_properties(vec![home.clone()]);
    let written = fixture.records();
    let actor = fixture.actor();
    let portal = fixture.portal();
    let request = portal
        .requests()
        .request_service(&actor, &ask("  Wasps by the back door  ", None), Vec::new())
        .await
        .unwrap();
    assert_eq!(request.status, RequestStatus::Pending);
    // The only property is where.
    let RequestDetails::Service {
        description,
        property,
    } = &request.details
    else {
        panic!("not a service request");
    };
    assert_eq!(description, "Wasps by the back door");
    assert_eq!(property.as_ref().map(|p| p.id), Some(home.id));
    let written = written.lock().unwrap();
    let [(stored, messages)] = written.as_slice() else {
        panic!("not one write");
    };
    assert_eq!(stored, &request);
    assert!(matches!(
        messages.as_slice(),
        [OutboxMessage::Event(DomainEvent::ServiceRequested { request: id, .. })] if *id == request.id
    ));
}

#[tokio::test]
async fn a_service_request_carries_its_files_and_tells_the_host_how_many() {
    let mut fixture = Fixture::new();
    fixture.has_properties(Vec::new());
    let written = fixture.records();
    let actor = fixture.actor();
    let files = vec![
        fixture.file(fixture.tenant.id),
        fixture.file(fixture.tenant.id),
    ];
    let keys: Vec<_> = files.iter().map(|f| f.stored().key.clone()).collect();
    let blobs = Arc::new(RecordingBlobs::default());
    let portal = fixture.portal_keeping(blobs.clone());
    let request = portal
        .requests()
        .request_service(&actor, &ask("Water under the sink", None), files)
        .await
        .unwrap();
    let stored: Vec<_> = request.attachments.iter().map(|a| a.key.clone()).collect();
    assert_eq!(stored, keys);
    assert_eq!(request.attachments[0].name.as_str(), "leak.jpg");
    assert_ne!(request.attachments[0].id, request.attachments[1].id);
    let written = written.lock().unwrap();
    assert!(matches!(
        written[0].1.as_slice(),
        [OutboxMessage::Event(DomainEvent::ServiceRequested {
            attachments: 2,
            ..
        })]
    ));
    assert!(blobs.deleted.lock().unwrap().is_empty(), "kept");
}

#[tokio::test]
async fn files_beyond_what_the_kind_takes_are_refused_at_file_and_removed() {
    // (tenant setting, files sent, the most allowed)
    let cases = [(false, 1, 0), (true, 6, 5)];
    for (service_files, sent, max) in cases {
        let mut fixture = Fixture::new();
        fixture.tenant.settings.service_request_attachments = service_files;
        fixture.has_properties(Vec::new());
        let actor = fixture.actor();
        let files: Vec<_> = (0..sent).map(|_| fixture.file(fixture.tenant.id)).collect();
        let blobs = Arc::new(RecordingBlobs::default());
        // No `submit_request` expectation: writing would fail the test.
        let refused = fixture
            .portal_keeping(blobs.clone())
            .requests()
            .request_service(&actor, &ask("Mow", None), files)
            .await
            .unwrap_err();
        assert_eq!(
            refusal(refused),
            ("file", None, Reason::Count { min: 0, max })
        );
        assert_eq!(blobs.deleted.lock().unwrap().len(), sent, "removed");
    }
}

#[tokio::test]
async fn a_declared_kind_takes_files_only_when_it_says_so_and_another_tenants_file_is_refused() {
    let mut values = BTreeMap::new();
    values.insert("visit".to_owned(), JobId::new().to_string());
    let fixture = Fixture::new();
    let stranger = fixture.file(TenantId::new());
    for (attachments, file, refused_at_file) in [
        (false, fixture.file(fixture.tenant.id), true),
        (true, stranger, false),
    ] {
        let mut fixture = Fixture::new();
        let kind = RequestKind {
            attachments,
            ..skip_visit()
        };
        fixture
            .requests
            .expect_request_kind()
            .returning(move |_, _| Ok(Some(kind.clone())));
        let actor = fixture.actor();
        let blobs = Arc::new(RecordingBlobs::default());
        let refused = fixture
            .portal_keeping(blobs.clone())
            .requests()
            .submit_custom(&actor, "skip_visit", &values, vec![file])
            .await
            .unwrap_err();
        if refused_at_file {
            assert_eq!(
                refusal(refused),
                ("file", None, Reason::Count { min: 0, max: 0 })
            );
        } else {
            assert!(matches!(refused, PortalError::NotFound), "{refused:?}");
        }
        assert_eq!(blobs.deleted.lock().unwrap().len(), 1, "removed");
    }
}

#[tokio::test]
async fn a_file_is_downloaded_only_from_the_accounts_request_that_has_it() {
    let mut fixture = Fixture::new();
    let mut asked = pending(&fixture);
    let file = fixture.file(fixture.tenant.id);
    asked.attachments = crate::blobs::attachments_of(std::slice::from_ref(&file));
    let (id, on_it) = (asked.id, asked.attachments[0].id);
    fixture
        .requests
        .expect_request()
        .returning(move |_, wanted| Ok((wanted == id).then(|| asked.clone())));
    let actor = fixture.actor();
    let blobs = Arc::new(RecordingBlobs::default());
    let portal = fixture.portal_keeping(blobs.clone());
    for (request, attachment) in [(ServiceRequestId::new(), on_it), (id, AttachmentId::new())] {
        let refused = portal
            .requests()
            .download(&actor, request, attachment)
            .await;
        assert!(matches!(refused, Err(PortalError::NotFound)));
    }
    assert!(blobs.read.lock().unwrap().is_empty(), "nothing read");
    // The one on it is read from the blob store, by its key.
    let _ = portal.requests().download(&actor, id, on_it).await;
    assert_eq!(*blobs.read.lock().unwrap(), [file.stored().key.clone()]);
}

#[tokio::test]
async fn an_empty_or_long_description_is_refused_before_anything_is_read_or_written() {
    for description in ["", "   \n ", &"x".repeat(MAX_DESCRIPTION + 1)] {
        let fixture = Fixture::new();
        let actor = fixture.actor();
        let refused = fixture
            .portal()
            .requests()
            .request_service(&actor, &ask(description, None), Vec::new())
            .await
            .unwrap_err();
        let (field, _, reason) = refusal(refused);
        assert_eq!(field, "description");
        assert!(matches!(reason, Reason::Length { min: 1, .. }));
    }
}

#[tokio::test]
async fn with_several_properties_one_must_be_picked_and_it_must_be_the_accounts() {
    let mut fixture = Fixture::new();
    let (home, cabin) = (fixture.property("Home"), fixture.property("Cabin"));
    fixture.has_properties(vec![home, cabin]);
    let actor = fixture.actor();
    let refused = fixture
        .portal()
        .requests()
        .request_service(&actor, &ask("Mow", None), Vec::new())
        .await
        .unwrap_err();
    assert_eq!(refusal(refused), ("property", None, Reason::Required));

    let mut fixture = Fixture::new();
    fixture
        .properties
        .expect_property()
        .returning(|_, _| Ok(None));
    let actor = fixture.actor();
    let refused = fixture
        .portal()
        .requests()
        .request_service(&actor, &ask("Mow", Some(PropertyId::new())), Vec::new())
        .await
        .unwrap_err();
    assert_eq!(refusal(refused), ("property", None, Reason::UnknownRecord));
}

fn skip_visit() -> RequestKind {
    let key = |k: &str| KindKey::parse(k).unwrap();
    RequestKind {
        key: key("skip_visit"),
        name: "Skip a visit".into(),
        description: String::new(),
        fields: vec![FieldSpec {
            name: key("visit"),
            label: "Which visit".into(),
            help: String::new(),
            required: true,
            input: FieldInput::Job,
        }],
        active: true,
        attachments: false,
    }
}

#[tokio::test]
async fn a_custom_request_naming_another_accounts_job_is_refused_at_that_field() {
    let mut fixture = Fixture::new();
    fixture
        .requests
        .expect_request_kind()
        .returning(|_, _| Ok(Some(skip_visit())));
    // The job is not in the account's scope.
    fixture.jobs.expect_job().returning(|_, _| Ok(None));
    let actor = fixture.actor();
    let values = BTreeMap::from([("visit".to_owned(), JobId::new().to_string())]);
    let refused = fixture
        .portal()
        .requests()
        .submit_custom(&actor, "skip_visit", &values, Vec::new())
        .await
        .unwrap_err();
    assert_eq!(
        refusal(refused),
        (
            "answers",
            Some(Item::CustomField("visit".into())),
            Reason::UnknownRecord
        )
    );
}

#[tokio::test]
async fn a_retired_or_unknown_kind_is_not_found() {
    for stored in [
        None,
        Some(RequestKind {
            active: false,
            ..skip_visit()
        }),
    ] {
        let mut fixture = Fixture::new();
        fixture
            .requests
            .expect_request_kind()
            .returning(move |_, _| Ok(stored.clone()));
        let actor = fixture.actor();
        let refused = fixture
            .portal()
            .requests()
            .submit_custom(&actor, "skip_visit", &BTreeMap::new(), Vec::new())
            .await
            .unwrap_err();
        assert!(matches!(refused, PortalError::NotFound));
    }
}

#[tokio::test]
async fn kinds_follow_permissions_and_feature_switches() {
    let mut fixture = Fixture::new();
    fixture.tenant.settings.features.rentals = true;
    fixture
        .requests
        .expect_request_kinds()
        .returning(|_, active_only| {
            assert!(active_only);
            Ok(vec![skip_visit()])
        });
    let actor = fixture.actor();
    let kinds = fixture.portal().requests().kinds(&actor).await.unwrap();
    assert_eq!(
        kinds,
        [
            KindChoice::Service,
            KindChoice::CallOff,
            KindChoice::Custom(skip_visit())
        ]
    );

    let mut fixture = Fixture::new();
    fixture.tenant.settings.features.services = false;
    let actor = fixture.actor();
    assert!(matches!(
        fixture.portal().requests().kinds(&actor).await,
        Err(PortalError::Forbidden(_))
    ));
}

fn pending(fixture: &Fixture) -> ServiceRequest {
    let at = "2026-12-03T09:00:00Z".parse().unwrap();
    ServiceRequest {
        id: ServiceRequestId::new(),
        account: fixture.account,
        details: RequestDetails::Service {
            description: "Wasps".into(),
            property: None,
        },
        status: RequestStatus::Pending,
        host_note: String::new(),
        requested_by: ContactId::new(),
        requested_at: at,
        updated_at: at,
        attachments: Vec::new(),
    }
}

#[tokio::test]
async fn a_pending_request_is_canceled_with_its_host_event_in_one_write() {
    let mut fixture = Fixture::new();
    let asked = pending(&fixture);
    let stored = asked.clone();
    fixture
        .requests
        .expect_request()
        .returning(move |_, _| Ok(Some(stored.clone())));
    let written = Arc::new(Mutex::new(Vec::new()));
    let record = written.clone();
    let canceled = ServiceRequest {
        status: RequestStatus::Canceled,
        ..asked.clone()
    };
    let answer = canceled.clone();
    fixture
        .requests
        .expect_cancel_request()
        .times(1)
        .returning(move |scope, id, messages, at| {
            record
                .lock()
                .unwrap()
                .push((scope.account(), id, messages.to_vec(), at));
            Ok(answer.clone())
        });
    let actor = fixture.actor();
    let contact = actor.contact().unwrap();
    let account = fixture.account;
    let result = fixture
        .portal()
        .requests()
        .cancel(&actor, asked.id)
        .await
        .unwrap();
    assert_eq!(result, canceled);
    let written = written.lock().unwrap();
    let [(on, id, messages, at)] = written.as_slice() else {
        panic!("not one write");
    };
    assert_eq!((*on, *id), (account, asked.id));
    assert_eq!(
        *at,
        "2026-12-04T09:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(
        messages.as_slice(),
        [OutboxMessage::Event(DomainEvent::ServiceRequestCanceled {
            account,
            request: asked.id,
            contact,
            kind: "service".into(),
        })]
    );
}

#[tokio::test]
async fn only_a_pending_request_is_canceled_and_a_refusal_writes_nothing() {
    for status in RequestStatus::ALL {
        if status == RequestStatus::Pending {
            continue;
        }
        let mut fixture = Fixture::new();
        let answered = ServiceRequest {
            status,
            ..pending(&fixture)
        };
        let id = answered.id;
        fixture
            .requests
            .expect_request()
            .returning(move |_, _| Ok(Some(answered.clone())));
        // No `cancel_request` expectation: calling it fails the test.
        let actor = fixture.actor();
        let refused = fixture.portal().requests().cancel(&actor, id).await;
        assert!(
            matches!(
                refused,
                Err(PortalError::Conflict(Conflict::Requests(RequestsConflict::NotPending { status: now }))) if now == status
            ),
            "{status:?}: {refused:?}"
        );
    }

    // Unknown or another account's: not found, nothing written.
    let mut fixture = Fixture::new();
    fixture.requests.expect_request().returning(|_, _| Ok(None));
    let actor = fixture.actor();
    assert!(matches!(
        fixture
            .portal()
            .requests()
            .cancel(&actor, ServiceRequestId::new())
            .await,
        Err(PortalError::NotFound)
    ));
}

#[tokio::test]
async fn staff_and_roles_without_request_service_may_not_cancel_and_nothing_is_read() {
    let fixture = Fixture::new();
    let staff = Actor::Staff(crate::access::StaffActor {
        tenant: fixture.tenant.id,
        staff: "sam".into(),
        account: fixture.account,
        client: Default::default(),
    });
    let viewer = Actor::Contact(ContactActor {
        tenant: fixture.tenant.id,
        contact: ContactId::new(),
        account: fixture.account,
        role: Role::Viewer,
        session: SessionId::new(),
        client: Default::default(),
    });
    let portal = fixture.portal();
    for actor in [staff, viewer] {
        assert!(matches!(
            portal
                .requests()
                .cancel(&actor, ServiceRequestId::new())
                .await,
            Err(PortalError::Forbidden(_))
        ));
    }
}

use crate::notifications::{MockNotificationStore, Notice, Notification, Preferences, Recipient};

/// What the notification store wrote: each key once, with its feed
/// entries and mails (what the real store's once-per-key insert keeps).
type Told = Arc<Mutex<Vec<(String, Vec<Notification>, Vec<OutboxMessage>)>>>;

/// The store's answer to the host: it moves the request's status, note
/// and time, except when both are what it has (then it is returned as
/// it was).
fn host_answers(fixture: &mut Fixture, asked: ServiceRequest) {
    let stored = Arc::new(Mutex::new(asked));
    fixture
        .requests
        .expect_set_request_status()
        .returning(move |_, id, status, note, at| {
            let mut request = stored.lock().unwrap();
            assert_eq!(id, request.id);
            if request.status != status || request.host_note != note {
                request.status = status;
                request.host_note = note.to_owned();
                request.updated_at = at;
            }
            Ok(request.clone())
        });
}

/// The portal over the fixture's stores with its account's contacts as
/// recipients (a primary contact, a member and a viewer), a notification
/// store that writes each key once, and a clock the test moves.
fn portal_telling(fixture: Fixture) -> (Portal, Told, Arc<FixedClock>) {
    let person = |name: &str| crate::identity::Contact {
        id: ContactId::new(),
        tenant: fixture.tenant.id,
        external_id: ExternalId::parse(name).unwrap(),
        name: name.into(),
        email: Some(crate::shared::EmailAddress::parse(&format!("{name}@example.com")).unwrap()),
        phone: None,
        other_phones: Vec::new(),
        enabled: true,
        language: None,
    };
    let recipients: Vec<Recipient> = [
        ("ada", Role::Primary),
        ("linus", Role::Member),
        ("vera", Role::Viewer),
    ]
    .into_iter()
    .map(|(name, role)| Recipient {
        contact: person(name),
        role,
        preferences: Preferences::all_on(),
    })
    .collect();
    let mut notifications = MockNotificationStore::new();
    notifications
        .expect_recipients()
        .returning(move |_, _| Ok(recipients.clone()));
    let told: Told = Arc::default();
    let record = told.clone();
    notifications
        .expect_notify()
        .returning(move |_, key, feed, mails, _| {
            let mut told = record.lock().unwrap();
            if told.iter().any(|(known, _, _)| known == key) {
                return Ok(false);
            }
            told.push((key.to_owned(), feed.to_vec(), mails.to_vec()));
            Ok(true)
        });
    let mut tenants = MockTenantStore::new();
    let tenant = fixture.tenant.clone();
    tenants
        .expect_tenant()
        .returning(move |_| Ok(Some(tenant.clone())));
    let clock = Arc::new(FixedClock::at("2026-12-04T09:00:00Z".parse().unwrap()));
    let stores = Stores {
        tenants: Arc::new(tenants),
        requests: Arc::new(fixture.requests),
        notifications: Arc::new(notifications),
        ..Stores::mocks()
    };
    let portal = Portal::builder_with(stores, Arc::new(crate::identity::MockPasswordHasher::new()))
        .clock(clock.clone())
        .build();
    (portal, told, clock)
}

#[tokio::test]
async fn the_hosts_status_change_is_told_once_to_who_may_ask_for_service() {
    let mut fixture = Fixture::new();
    let asked = pending(&fixture);
    let id = asked.id;
    host_answers(&mut fixture, asked);
    let tenant = fixture.tenant.id;
    let (portal, told, clock) = portal_telling(fixture);
    let host = portal.host();

    let answered = host
        .set_request_status(
            tenant,
            id,
            RequestStatus::Scheduled,
            " Booked for Thursday ",
        )
        .await
        .unwrap();
    assert_eq!(answered.host_note, "Booked for Thursday");
    // The same answer again (a host's retry): nothing new is told.
    host.set_request_status(tenant, id, RequestStatus::Scheduled, "Booked for Thursday")
        .await
        .unwrap();
    {
        let told = told.lock().unwrap();
        let [(key, feed, mails)] = told.as_slice() else {
            panic!("not told once: {told:?}");
        };
        assert_eq!(
            *key,
            format!(
                "request-status:{id}:scheduled:{}",
                answered.updated_at.timestamp_micros()
            )
        );
        let notice = Notice::RequestUpdated {
            request: id,
            request_kind: "service".into(),
            kind_name: None,
            status: RequestStatus::Scheduled,
            note: "Booked for Thursday".into(),
        };
        // The primary contact and the member; the viewer may not ask for
        // service, so is not told.
        assert_eq!(feed.len(), 2, "{feed:?}");
        assert!(feed.iter().all(|entry| entry.notice == notice));
        let to: Vec<_> = mails
            .iter()
            .map(|mail| match mail {
                OutboxMessage::Mail(mail) => mail.to.to_string(),
                other => panic!("not a mail: {other:?}"),
            })
            .collect();
        assert_eq!(to, ["ada@example.com", "linus@example.com"]);
        let OutboxMessage::Mail(mail) = &mails[0] else {
            unreachable!()
        };
        let crate::outbox::EmailKind::Notice(mail) = &mail.kind else {
            panic!("not a notice: {mail:?}");
        };
        assert_eq!(mail.link, format!("https://acme.test/portal/requests/{id}"));
    }

    // A later change is its own news, to the same status or another.
    clock.advance(chrono::Duration::hours(1));
    host.set_request_status(tenant, id, RequestStatus::Scheduled, "Moved to Friday")
        .await
        .unwrap();
    clock.advance(chrono::Duration::hours(1));
    host.set_request_status(tenant, id, RequestStatus::Completed, "")
        .await
        .unwrap();
    // Back to pending: the host's business, not news to the customer.
    clock.advance(chrono::Duration::hours(1));
    host.set_request_status(tenant, id, RequestStatus::Pending, "")
        .await
        .unwrap();
    let told = told.lock().unwrap();
    let statuses: Vec<_> = told
        .iter()
        .map(|(_, feed, _)| match &feed[0].notice {
            Notice::RequestUpdated { status, note, .. } => (*status, note.as_str()),
            other => panic!("another notice: {other:?}"),
        })
        .collect();
    assert_eq!(
        statuses,
        [
            (RequestStatus::Scheduled, "Booked for Thursday"),
            (RequestStatus::Scheduled, "Moved to Friday"),
            (RequestStatus::Completed, ""),
        ]
    );
}

#[tokio::test]
async fn a_host_kinds_request_is_told_by_its_name_and_nobody_is_told_with_services_off() {
    let mut fixture = Fixture::new();
    let asked = ServiceRequest {
        details: RequestDetails::Custom {
            key: KindKey::parse("skip_visit").unwrap(),
            name: "Skip a visit".into(),
            answers: Vec::new(),
        },
        ..pending(&fixture)
    };
    let id = asked.id;
    host_answers(&mut fixture, asked.clone());
    let tenant = fixture.tenant.id;
    let (portal, told, _) = portal_telling(fixture);
    portal
        .host()
        .set_request_status(tenant, id, RequestStatus::Declined, "That week is full")
        .await
        .unwrap();
    let first = told.lock().unwrap()[0].1[0].notice.clone();
    assert_eq!(
        first,
        Notice::RequestUpdated {
            request: id,
            request_kind: "skip_visit".into(),
            kind_name: Some("Skip a visit".into()),
            status: RequestStatus::Declined,
            note: "That week is full".into(),
        }
    );

    // With services off nobody may see requests: the notification store
    // (a mock without expectations) is not even asked.
    let mut fixture = Fixture::new();
    fixture.tenant.settings.features.services = false;
    host_answers(&mut fixture, asked);
    let tenant = fixture.tenant.id;
    let answered = fixture
        .portal()
        .host()
        .set_request_status(tenant, id, RequestStatus::Declined, "")
        .await
        .unwrap();
    assert_eq!(answered.status, RequestStatus::Declined);
}

#[tokio::test]
async fn a_call_off_answered_is_told_to_who_may_call_off_also_with_services_off() {
    let mut fixture = Fixture::new();
    fixture.tenant.settings.features.services = false;
    fixture.tenant.settings.features.rentals = true;
    let asked = ServiceRequest {
        details: RequestDetails::CallOff {
            contract: Reference {
                id: crate::shared::RentalContractId::new(),
                label: "RC-7".into(),
            },
            items: Vec::new(),
            pickup_on: "2026-12-10".parse().unwrap(),
            notes: String::new(),
        },
        ..pending(&fixture)
    };
    let id = asked.id;
    host_answers(&mut fixture, asked);
    let tenant = fixture.tenant.id;
    let (portal, told, _) = portal_telling(fixture);
    portal
        .host()
        .set_request_status(tenant, id, RequestStatus::Completed, "Collected")
        .await
        .unwrap();
    let told = told.lock().unwrap();
    let [(_, feed, mails)] = told.as_slice() else {
        panic!("not told once: {told:?}");
    };
    let notice = &feed[0].notice;
    assert_eq!(
        notice.kind(),
        crate::notifications::NotificationKind::CallOffUpdated
    );
    assert_eq!(notice.path(), format!("rentals/call-offs/{id}"));
    // The primary contact and the member may call off rent; the viewer
    // may not.
    assert_eq!(feed.len(), 2, "{feed:?}");
    assert_eq!(mails.len(), 2);
}
