//! Tenants: slugs are unique, settings round-trip whole, updates need an
//! existing tenant.

use portal_core::ports::StoreError;
use portal_core::shared::{Conflict, TenantId, Unique};
use portal_core::tenancy::{Tenant, TenantSlug};

use crate::harness::{TestDb, conformance, tenant};

conformance!(
    a_tenant_reads_back_as_stored_by_id_and_by_slug,
    a_taken_slug_is_a_conflict,
    updating_replaces_base_url_and_settings_and_an_unknown_tenant_is_not_found,
);

async fn a_tenant_reads_back_as_stored_by_id_and_by_slug(db: TestDb) {
    let mut stored = tenant(&*db, "acme").await;
    stored.settings.features.assets = true;
    stored.settings.visible_custom_fields = vec!["Gate code".into()];
    stored.settings.lockout.max_failures = 7;
    db.update_tenant(&stored).await.unwrap();

    assert_eq!(db.tenant(stored.id).await.unwrap(), Some(stored.clone()));
    assert_eq!(db.tenant_by_slug(&stored.slug).await.unwrap(), Some(stored));
    assert_eq!(db.tenant(TenantId::new()).await.unwrap(), None);
    let unknown = TenantSlug::parse("nobody").unwrap();
    assert_eq!(db.tenant_by_slug(&unknown).await.unwrap(), None);
}

async fn a_taken_slug_is_a_conflict(db: TestDb) {
    let first = tenant(&*db, "acme").await;
    let second = Tenant {
        id: TenantId::new(),
        ..first.clone()
    };
    match db.insert_tenant(&second).await {
        Err(StoreError::Conflict(conflict)) => {
            assert_eq!(conflict, Conflict::Taken(Unique::TenantSlug))
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(db.tenant(second.id).await.unwrap(), None);
}

async fn updating_replaces_base_url_and_settings_and_an_unknown_tenant_is_not_found(db: TestDb) {
    let mut stored = tenant(&*db, "acme").await;
    stored.base_url = "https://portal.acme.test/".parse().unwrap();
    stored.settings.display_name = "Acme Pest Control".into();
    db.update_tenant(&stored).await.unwrap();
    assert_eq!(db.tenant(stored.id).await.unwrap(), Some(stored.clone()));

    let unknown = Tenant {
        id: TenantId::new(),
        slug: TenantSlug::parse("ghost").unwrap(),
        ..stored
    };
    assert!(matches!(
        db.update_tenant(&unknown).await,
        Err(StoreError::NotFound)
    ));
}
