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
    a_tenants_locale_currency_and_zone_are_stored_and_loaded_with_it,
    migration_0008_gives_a_tenant_without_a_locale_en_us,
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

async fn a_tenants_locale_currency_and_zone_are_stored_and_loaded_with_it(db: TestDb) {
    let mut stored = tenant(&*db, "acme").await;
    assert_eq!(stored.settings.locale().as_str(), "en-US");
    stored.settings.locale = "es-ES".into();
    stored.settings.currency = "EUR".into();
    stored.settings.time_zone = "Europe/Madrid".into();
    db.update_tenant(&stored).await.unwrap();

    let loaded = db.tenant(stored.id).await.unwrap().unwrap();
    assert_eq!(loaded, stored);
    assert_eq!(loaded.settings.locale().as_str(), "es-ES");
    let euros = portal_core::shared::Money::from_minor(51_847, loaded.settings.currency());
    assert_eq!(
        loaded
            .settings
            .formats(loaded.settings.language)
            .money
            .format(euros),
        "518,47\u{a0}€"
    );
    let by_slug = db.tenant_by_slug(&stored.slug).await.unwrap().unwrap();
    assert_eq!(by_slug.settings.locale().as_str(), "es-ES");
}

async fn migration_0008_gives_a_tenant_without_a_locale_en_us(db: TestDb) {
    let blank = tenant(&*db, "blank").await;
    let mut spanish = tenant(&*db, "spanish").await;
    spanish.settings.locale = "es-ES".into();
    db.update_tenant(&spanish).await.unwrap();
    db.execute(
        "UPDATE tenants SET settings = json_set(settings, '$.locale', '') WHERE slug = 'blank'",
        "UPDATE tenants SET settings = jsonb_set(settings, '{locale}', '\"\"') WHERE slug = 'blank'",
    )
    .await;
    assert_eq!(
        db.tenant(blank.id).await.unwrap().unwrap().settings.locale,
        ""
    );

    db.execute(
        include_str!("../../migrations/sqlite/0008_tenant_locale.sql"),
        include_str!("../../migrations/postgres/0008_tenant_locale.sql"),
    )
    .await;
    assert_eq!(
        db.tenant(blank.id).await.unwrap().unwrap().settings.locale,
        "en-US"
    );
    assert_eq!(db.tenant(spanish.id).await.unwrap().unwrap(), spanish);
}
