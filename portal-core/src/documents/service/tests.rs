//! Document use cases with every port mocked: what the list and a
//! download read (and what a refusal must not touch), and what the host's
//! publishing keeps and removes in the blob store.

use std::sync::{Arc, Mutex};

use super::*;
use crate::access::{AccessError, ContactActor, Role, StaffActor};
use crate::blobs::{
    BlobError, BlobKey, BlobLimits, BlobStore, FileKind, FileName, StoredBlob, Upload,
};
use crate::documents::{DocumentDraft, Published};
use crate::ports::{MockDocumentStore, MockTenantStore};
use crate::shared::{AccountId, ExternalId, FixedClock, Reason, SessionId, StoreError, TenantId};
use crate::tenancy::{PortalSettings, Tenant, TenantSlug};
use crate::{Portal, Stores};

/// A blob store that keeps nothing and remembers what it was asked.
#[derive(Default)]
struct Blobs {
    put: Mutex<Vec<BlobKey>>,
    read: Mutex<Vec<BlobKey>>,
    deleted: Mutex<Vec<BlobKey>>,
}

#[async_trait::async_trait]
impl BlobStore for Blobs {
    async fn put(
        &self,
        key: &BlobKey,
        upload: Upload<'_>,
        limits: &BlobLimits,
    ) -> Result<StoredBlob, BlobError> {
        assert_eq!(limits, &BlobLimits::documents());
        self.put.lock().unwrap().push(key.clone());
        Ok(StoredBlob {
            key: key.clone(),
            name: upload.name,
            kind: FileKind::Pdf,
            size: 9,
        })
    }

    async fn get(&self, _tenant: TenantId, key: &BlobKey) -> Result<Blob, BlobError> {
        self.read.lock().unwrap().push(key.clone());
        Ok(Blob {
            meta: StoredBlob {
                key: key.clone(),
                name: FileName::parse("guide.pdf").unwrap(),
                kind: FileKind::Pdf,
                size: 9,
            },
            content: Box::pin(futures::stream::empty()),
        })
    }

    async fn delete(&self, _tenant: TenantId, key: &BlobKey) -> Result<(), BlobError> {
        self.deleted.lock().unwrap().push(key.clone());
        Ok(())
    }
}

struct Fixture {
    tenant: Tenant,
    account: AccountId,
    documents: MockDocumentStore,
    blobs: Arc<Blobs>,
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
            documents: MockDocumentStore::new(),
            blobs: Arc::new(Blobs::default()),
        }
    }

    fn actor(&self) -> Actor {
        Actor::Contact(ContactActor {
            tenant: self.tenant.id,
            contact: crate::shared::ContactId::new(),
            account: self.account,
            role: Role::Viewer,
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

    /// A tenant-wide document of this tenant.
    fn document(&self) -> Document {
        Document {
            id: DocumentId::new(),
            account: None,
            external_id: ExternalId::parse("guide").unwrap(),
            title: "Guide".into(),
            description: None,
            folder: None,
            file: StoredBlob {
                key: BlobKey::generate(self.tenant.id),
                name: FileName::parse("guide.pdf").unwrap(),
                kind: FileKind::Pdf,
                size: 9,
            },
            published_at: "2026-12-01T09:00:00Z".parse().unwrap(),
        }
    }

    fn portal(self) -> (Portal, Arc<Blobs>) {
        let mut tenants = MockTenantStore::new();
        let tenant = self.tenant.clone();
        tenants
            .expect_tenant()
            .returning(move |_| Ok(Some(tenant.clone())));
        let stores = Stores {
            tenants: Arc::new(tenants),
            documents: Arc::new(self.documents),
            ..Stores::mocks()
        };
        let portal =
            Portal::builder_with(stores, Arc::new(crate::identity::MockPasswordHasher::new()))
                .clock(Arc::new(FixedClock::at(
                    "2026-12-06T09:00:00Z".parse().unwrap(),
                )))
                .blobs(self.blobs.clone())
                .build();
        (portal, self.blobs)
    }
}

fn draft(title: &str) -> DocumentDraft {
    DocumentDraft {
        external_id: ExternalId::parse("guide").unwrap(),
        account: None,
        title: title.into(),
        description: Some("  ".into()),
        folder: Some(" Guides ".into()),
    }
}

fn upload() -> Upload<'static> {
    Upload::of(
        FileName::parse("guide.pdf").unwrap(),
        b"%PDF-1.7\n".to_vec(),
    )
}

#[tokio::test]
async fn the_list_reads_the_actors_account_and_staff_may_read_it() {
    let mut fixture = Fixture::new();
    let account = fixture.account;
    let tenant = fixture.tenant.id;
    let document = fixture.document();
    fixture
        .documents
        .expect_documents()
        .times(2)
        .returning(move |scope, page| {
            assert_eq!((scope.tenant(), scope.account()), (tenant, account));
            Ok(Page::of(vec![document.clone()], 1, page))
        });
    let (actor, staff) = (fixture.actor(), fixture.staff());
    let (portal, _) = fixture.portal();
    for who in [actor, staff] {
        let page = portal
            .documents()
            .list(&who, PageRequest::default())
            .await
            .unwrap();
        assert_eq!(page.total, 1);
    }
}

#[tokio::test]
async fn downloads_switched_off_refuse_everything_and_read_nothing() {
    // No expectation on the document store: touching it fails the test.
    let mut fixture = Fixture::new();
    fixture.tenant.settings.features.downloads = false;
    let actor = fixture.actor();
    let (portal, blobs) = fixture.portal();
    let documents = portal.documents();
    let refused =
        |error: PortalError| matches!(error, PortalError::Forbidden(AccessError::FeatureOff));
    assert!(refused(
        documents
            .list(&actor, PageRequest::default())
            .await
            .unwrap_err()
    ));
    assert!(refused(
        documents
            .document(&actor, DocumentId::new())
            .await
            .unwrap_err()
    ));
    assert!(refused(
        documents
            .download(&actor, DocumentId::new())
            .await
            .err()
            .unwrap()
    ));
    assert!(blobs.read.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_document_the_account_does_not_see_is_not_found_and_its_file_never_read() {
    let mut fixture = Fixture::new();
    fixture
        .documents
        .expect_document()
        .returning(|_, _| Ok(None));
    let actor = fixture.actor();
    let (portal, blobs) = fixture.portal();
    let error = portal
        .documents()
        .download(&actor, DocumentId::new())
        .await
        .err()
        .unwrap();
    assert!(matches!(error, PortalError::NotFound));
    assert!(blobs.read.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_download_streams_the_documents_file() {
    let mut fixture = Fixture::new();
    let document = fixture.document();
    let (id, key) = (document.id, document.file.key.clone());
    fixture
        .documents
        .expect_document()
        .returning(move |_, asked| Ok((asked == document.id).then(|| document.clone())));
    let actor = fixture.actor();
    let (portal, blobs) = fixture.portal();
    let blob = portal.documents().download(&actor, id).await.ok().unwrap();
    assert_eq!(blob.meta.key, key);
    assert_eq!(*blobs.read.lock().unwrap(), vec![key]);
}

#[tokio::test]
async fn publishing_again_removes_the_replaced_file_after_the_write() {
    let mut fixture = Fixture::new();
    let old = BlobKey::generate(fixture.tenant.id);
    let replaced = old.clone();
    let written = Arc::new(Mutex::new(Vec::new()));
    let record = written.clone();
    fixture
        .documents
        .expect_publish_document()
        .returning(move |_, document| {
            record.lock().unwrap().push(document.clone());
            Ok(Published {
                document: document.clone(),
                replaced: Some(replaced.clone()),
            })
        });
    let tenant = fixture.tenant.id;
    let (portal, blobs) = fixture.portal();
    let document = portal
        .host()
        .publish_document(tenant, &draft("  Guide "), upload())
        .await
        .unwrap();
    assert_eq!(document.title, "Guide");
    assert_eq!(document.description, None, "blank is none");
    assert_eq!(document.folder.as_deref(), Some("Guides"));
    assert_eq!(
        document.published_at,
        "2026-12-06T09:00:00Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    );
    assert_eq!(
        written.lock().unwrap()[0].file.key,
        blobs.put.lock().unwrap()[0]
    );
    assert_eq!(
        *blobs.deleted.lock().unwrap(),
        vec![old],
        "only the old file"
    );
}

#[tokio::test]
async fn a_refused_publish_keeps_no_file() {
    // A bad title: the file is never stored, the store never asked.
    let fixture = Fixture::new();
    let tenant = fixture.tenant.id;
    let (portal, blobs) = fixture.portal();
    let error = portal
        .host()
        .publish_document(tenant, &draft(""), upload())
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        PortalError::InvalidInput {
            field: "title",
            reason: Reason::Length { .. },
            ..
        }
    ));
    assert!(blobs.put.lock().unwrap().is_empty());

    // An account not the tenant's: the stored file is removed again.
    let mut fixture = Fixture::new();
    fixture
        .documents
        .expect_publish_document()
        .returning(|_, _| Err(StoreError::NotFound));
    let tenant = fixture.tenant.id;
    let (portal, blobs) = fixture.portal();
    let mut foreign = draft("Guide");
    foreign.account = Some(AccountId::new());
    let error = portal
        .host()
        .publish_document(tenant, &foreign, upload())
        .await
        .unwrap_err();
    assert!(matches!(error, PortalError::NotFound));
    assert_eq!(*blobs.deleted.lock().unwrap(), *blobs.put.lock().unwrap());
    assert_eq!(blobs.deleted.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn unpublishing_removes_the_file_and_twice_is_not_an_error() {
    let mut fixture = Fixture::new();
    let key = BlobKey::generate(fixture.tenant.id);
    let mut answers = vec![Some(key.clone()), None].into_iter();
    fixture
        .documents
        .expect_unpublish_document()
        .times(2)
        .returning(move |_, _| Ok(answers.next().flatten()));
    let tenant = fixture.tenant.id;
    let (portal, blobs) = fixture.portal();
    let id = ExternalId::parse("guide").unwrap();
    portal.host().unpublish_document(tenant, &id).await.unwrap();
    portal.host().unpublish_document(tenant, &id).await.unwrap();
    assert_eq!(*blobs.deleted.lock().unwrap(), vec![key]);
}
