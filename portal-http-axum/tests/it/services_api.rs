//! Service contracts and assets over JSON and through the host API:
//! lists, details, the asset's service history, switches and
//! permissions, isolation (another account's is 404, also by guessed
//! ids), and host upserts that refuse bad input writing nothing.

use axum::http::StatusCode;
use chrono::NaiveDate;
use portal_core::PortalError;
use portal_core::accounts::Address;
use portal_core::assets::{Asset, AssetUpsert};
use portal_core::properties::{Property, PropertyUpsert};
use portal_core::service_contracts::{
    ContractStatus, ContractTerms, ContractUpsert, Hours, HoursBlock, ServiceContract,
};
use portal_core::shared::{AccountId, Currency, ExternalId, Money};
use rust_decimal::Decimal;

use crate::harness::*;

pub fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// The demo settings with equipment switched on (it is off by default).
pub fn services_settings() -> portal_core::tenancy::PortalSettings {
    let mut settings = demo_settings();
    settings.features.assets = true;
    settings
}

impl TestApp {
    /// Gives `account` a property through the host API.
    pub async fn property(&self, account: AccountId, external: &str, name: &str) -> Property {
        self.portal
            .host()
            .upsert_property(
                self.tenant_id(),
                &PropertyUpsert {
                    external_id: ExternalId::parse(external).unwrap(),
                    account,
                    name: name.into(),
                    address: Address {
                        line1: "1 Shore Rd".into(),
                        city: "Springfield".into(),
                        ..Address::default()
                    },
                },
            )
            .await
            .unwrap()
    }

    /// The asset `external` named `name` at the property `property`
    /// (host ids) of `account`, as the host sends it.
    pub fn asset_upsert(
        &self,
        account: AccountId,
        property: &str,
        external: &str,
        name: &str,
    ) -> AssetUpsert {
        AssetUpsert {
            external_id: ExternalId::parse(external).unwrap(),
            account,
            property: ExternalId::parse(property).unwrap(),
            name: name.into(),
            make: "Viessmann".into(),
            model: "Vitodens 200".into(),
            serial_number: format!("SN-{external}"),
            location: "Basement plant room".into(),
            installed_on: Some(day("2021-03-09")),
            next_maintenance_on: Some(day("2026-12-01")),
        }
    }

    /// Gives `account` an asset at its property `property` (host id).
    pub async fn asset(
        &self,
        account: AccountId,
        property: &str,
        external: &str,
        name: &str,
    ) -> Asset {
        let upsert = self.asset_upsert(account, property, external, name);
        self.portal
            .host()
            .upsert_asset(self.tenant_id(), &upsert)
            .await
            .unwrap()
    }

    /// A service contract `number` (also its host id) of `account`.
    pub fn contract_upsert(
        &self,
        account: AccountId,
        number: &str,
        terms: ContractTerms,
    ) -> ContractUpsert {
        ContractUpsert {
            external_id: ExternalId::parse(number).unwrap(),
            account,
            number: number.into(),
            name: format!("Maintenance plan {number}"),
            description: "Filters, belts and a safety check.".into(),
            status: ContractStatus::Active,
            starts_on: day("2026-01-01"),
            ends_on: Some(day("2026-12-31")),
            terms,
        }
    }

    /// Gives `account` the contract `number` with `terms`.
    pub async fn contract(
        &self,
        account: AccountId,
        number: &str,
        terms: ContractTerms,
    ) -> ServiceContract {
        let upsert = self.contract_upsert(account, number, terms);
        self.portal
            .host()
            .upsert_service_contract(self.tenant_id(), &upsert)
            .await
            .unwrap()
    }

    /// Rows in `table` (one of this suite's).
    pub async fn rows_in(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(self.store.pool())
            .await
            .unwrap()
    }
}

/// Quarterly visits at 120.00 a quarter.
pub fn quarterly() -> ContractTerms {
    ContractTerms::Recurring {
        schedule: "First Monday of every quarter".into(),
        next_visit_on: Some(day("2027-01-04")),
        price_per_period: Some(Money::from_minor(12_000, Currency::USD)),
    }
}

/// 20 hours bought, 7.5 used.
pub fn twenty_hours() -> ContractTerms {
    let hours = |text: &str| Hours::parse("hours", text.parse::<Decimal>().unwrap()).unwrap();
    ContractTerms::TimeBlock(HoursBlock::new(hours("20"), hours("7.5"), false).unwrap())
}

#[tokio::test]
async fn a_client_lists_and_reads_contracts_of_either_kind() {
    let app = TestApp::with_settings(services_settings()).await;
    app.register("ada@example.com").await;
    let visits = app
        .contract(app.seeded.account_a, "SC-1", quarterly())
        .await;
    let block = app
        .contract(app.seeded.account_a, "TB-1", twenty_hours())
        .await;
    let token = app.api_token("ada@example.com").await;
    let list = app
        .send(get_request(
            "/portal/api/v1/service-contracts",
            Some(&token),
        ))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.json()["total"], 2);

    let path = format!("/portal/api/v1/service-contracts/{}", visits.id);
    let detail = app.send(get_request(&path, Some(&token))).await.json();
    assert_eq!(detail["kind"], "recurring");
    assert_eq!(detail["schedule"], "First Monday of every quarter");
    assert_eq!(detail["next_visit_on"], "2027-01-04");
    assert_eq!(detail["price_per_period"], "120.00");
    assert_eq!(detail["currency"], "USD");
    assert!(detail["hours"].is_null());

    let path = format!("/portal/api/v1/service-contracts/{}", block.id);
    let detail = app.send(get_request(&path, Some(&token))).await.json();
    assert_eq!(detail["kind"], "time_block");
    assert_eq!(detail["hours"]["bought"], "20");
    assert_eq!(detail["hours"]["used"], "7.5");
    assert_eq!(detail["hours"]["remaining"], "12.5");
    assert_eq!(detail["hours"]["overage"], "0");

    let paused = app
        .send(get_request(
            "/portal/api/v1/service-contracts?status=paused",
            Some(&token),
        ))
        .await
        .json();
    assert_eq!(paused["total"], 0);
    let bad = app
        .send(get_request(
            "/portal/api/v1/service-contracts?status=open",
            Some(&token),
        ))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["field"], "status");
}

#[tokio::test]
async fn a_client_lists_assets_per_property_and_reads_one() {
    let app = TestApp::with_settings(services_settings()).await;
    app.register("ada@example.com").await;
    let home = app.property(app.seeded.account_a, "p-home", "Home").await;
    let shop = app.property(app.seeded.account_a, "p-shop", "Shop").await;
    let boiler = app
        .asset(app.seeded.account_a, "p-home", "a-1", "Boiler")
        .await;
    app.asset(app.seeded.account_a, "p-shop", "a-2", "Rooftop unit")
        .await;
    app.asset(app.seeded.account_a, "p-shop", "a-3", "Compressor")
        .await;
    let token = app.api_token("ada@example.com").await;

    let all = app
        .send(get_request("/portal/api/v1/assets", Some(&token)))
        .await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(all.json()["total"], 3);
    let at_shop = app
        .send(get_request(
            &format!("/portal/api/v1/assets?property={}", shop.id),
            Some(&token),
        ))
        .await
        .json();
    assert_eq!(at_shop["total"], 2);
    let names: Vec<_> = at_shop["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Compressor", "Rooftop unit"], "by name");
    assert_eq!(at_shop["items"][0]["property_name"], "Shop");

    let detail = app
        .send(get_request(
            &format!("/portal/api/v1/assets/{}", boiler.id),
            Some(&token),
        ))
        .await
        .json();
    assert_eq!(detail["serial_number"], "SN-a-1");
    assert_eq!(detail["make"], "Viessmann");
    assert_eq!(detail["location"], "Basement plant room");
    assert_eq!(detail["installed_on"], "2021-03-09");
    assert_eq!(detail["next_maintenance_on"], "2026-12-01");
    assert_eq!(detail["property_id"], home.id.to_string());
    let history = app
        .send(get_request(
            &format!("/portal/api/v1/assets/{}/history", boiler.id),
            Some(&token),
        ))
        .await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.body);
    assert_eq!(history.json()["total"], 0);

    let malformed = app
        .send(get_request(
            "/portal/api/v1/assets?property=boiler",
            Some(&token),
        ))
        .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(malformed.json()["field"], "property");
}

#[tokio::test]
async fn another_accounts_contracts_and_assets_are_404_also_by_guessed_ids() {
    let app = TestApp::with_settings(services_settings()).await;
    app.register("ada@example.com").await;
    let bobs_contract = app
        .contract(app.seeded.account_b, "SC-B", quarterly())
        .await;
    let bobs_property = app.property(app.seeded.account_b, "p-bob", "Garage").await;
    let bobs_asset = app
        .asset(app.seeded.account_b, "p-bob", "a-bob", "Lift")
        .await;
    let token = app.api_token("ada@example.com").await;
    let guessed = uuid::Uuid::now_v7();
    for path in [
        format!("/portal/api/v1/service-contracts/{}", bobs_contract.id),
        format!("/portal/api/v1/service-contracts/{guessed}"),
        "/portal/api/v1/service-contracts/not-an-id".to_owned(),
        format!("/portal/api/v1/assets/{}", bobs_asset.id),
        format!("/portal/api/v1/assets/{}/history", bobs_asset.id),
        format!("/portal/api/v1/assets/{guessed}"),
        format!("/portal/api/v1/assets/{guessed}/history"),
        "/portal/api/v1/assets/not-an-id".to_owned(),
    ] {
        let reply = app.send(get_request(&path, Some(&token))).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            reply.body
        );
    }
    let lists = [
        "/portal/api/v1/service-contracts".to_owned(),
        "/portal/api/v1/assets".to_owned(),
        format!("/portal/api/v1/assets?property={}", bobs_property.id),
    ];
    for path in lists {
        let reply = app.send(get_request(&path, Some(&token))).await;
        assert_eq!(reply.json()["total"], 0, "{path}");
    }
}

#[tokio::test]
async fn the_switches_and_permissions_guard_contracts_and_assets() {
    // Equipment is off by default; services are on.
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let token = app.api_token("ada@example.com").await;
    let assets = app
        .send(get_request("/portal/api/v1/assets", Some(&token)))
        .await;
    assert_eq!(assets.status, StatusCode::FORBIDDEN);
    let contracts = app
        .send(get_request(
            "/portal/api/v1/service-contracts",
            Some(&token),
        ))
        .await;
    assert_eq!(contracts.status, StatusCode::OK);

    let mut settings = services_settings();
    settings.features.services = false;
    let app = TestApp::with_settings(settings).await;
    app.register("ada@example.com").await;
    let token = app.api_token("ada@example.com").await;
    let contracts = app
        .send(get_request(
            "/portal/api/v1/service-contracts",
            Some(&token),
        ))
        .await;
    assert_eq!(contracts.status, StatusCode::FORBIDDEN);
    let anonymous = app.send(get_request("/portal/api/v1/assets", None)).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn host_upserts_are_idempotent_and_bad_input_writes_nothing() {
    let app = TestApp::with_settings(services_settings()).await;
    let (a, b) = (app.seeded.account_a, app.seeded.account_b);
    let host = app.portal.host();
    let tenant = app.tenant_id();

    let contract = app.contract(a, "SC-1", quarterly()).await;
    assert_eq!(app.contract(a, "SC-1", quarterly()).await, contract);
    let mut bad = app.contract_upsert(a, "SC-2", quarterly());
    bad.name = "Two\nlines".into();
    let refused = host.upsert_service_contract(tenant, &bad).await;
    assert!(matches!(
        refused,
        Err(PortalError::InvalidInput { field: "name", .. })
    ));
    let euros = app.contract_upsert(
        a,
        "SC-3",
        ContractTerms::Recurring {
            schedule: "Weekly".into(),
            next_visit_on: None,
            price_per_period: Some(Money::from_minor(100, Currency::parse("EUR").unwrap())),
        },
    );
    let refused = host.upsert_service_contract(tenant, &euros).await;
    assert!(matches!(
        refused,
        Err(PortalError::InvalidInput {
            field: "price_per_period",
            ..
        })
    ));
    let moved = app.contract_upsert(b, "SC-1", quarterly());
    assert!(matches!(
        host.upsert_service_contract(tenant, &moved).await,
        Err(PortalError::Conflict(_))
    ));
    assert_eq!(
        app.rows_in("SELECT COUNT(*) FROM service_contracts").await,
        1
    );
    assert_eq!(
        host.service_contract_by_external_id(tenant, &contract.external_id)
            .await
            .unwrap()
            .map(|stored| stored.account),
        Some(a)
    );

    app.property(a, "p-a", "Home").await;
    app.property(b, "p-b", "Garage").await;
    let asset = app.asset(a, "p-a", "a-1", "Boiler").await;
    assert_eq!(app.asset(a, "p-a", "a-1", "Boiler").await, asset);
    let mut nameless = app.asset_upsert(a, "p-a", "a-2", "");
    let refused = host.upsert_asset(tenant, &nameless).await;
    assert!(matches!(
        refused,
        Err(PortalError::InvalidInput { field: "name", .. })
    ));
    nameless.name = "Boiler".into();
    nameless.serial_number = "9".repeat(201);
    let refused = host.upsert_asset(tenant, &nameless).await;
    assert!(matches!(
        refused,
        Err(PortalError::InvalidInput {
            field: "serial_number",
            ..
        })
    ));
    let at_bobs = app.asset_upsert(a, "p-b", "a-3", "Lift");
    assert!(matches!(
        host.upsert_asset(tenant, &at_bobs).await,
        Err(PortalError::Conflict(_))
    ));
    let nowhere = app.asset_upsert(a, "p-unknown", "a-4", "Lift");
    assert!(matches!(
        host.upsert_asset(tenant, &nowhere).await,
        Err(PortalError::NotFound)
    ));
    let taken = app.asset_upsert(b, "p-b", "a-1", "Boiler");
    assert!(matches!(
        host.upsert_asset(tenant, &taken).await,
        Err(PortalError::Conflict(_))
    ));
    assert_eq!(app.rows_in("SELECT COUNT(*) FROM assets").await, 1);
    let mut moved = app.asset_upsert(a, "p-a", "a-1", "Boiler");
    moved.next_maintenance_on = Some(day("2027-06-01"));
    let updated = host.upsert_asset(tenant, &moved).await.unwrap();
    assert_eq!(updated.id, asset.id);
    assert_eq!(updated.next_maintenance_on, Some(day("2027-06-01")));
}
