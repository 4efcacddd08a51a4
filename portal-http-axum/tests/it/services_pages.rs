//! The service contract and equipment pages: the lists and their
//! filters, a contract of either kind, an asset with its details and
//! service history, Spanish, the navigation, the switches, and
//! isolation (another account's is 404, also by guessed ids).

use axum::http::StatusCode;

use crate::harness::*;
use crate::services_api::{quarterly, services_settings, twenty_hours};

#[tokio::test]
async fn the_contract_pages_show_visits_price_and_hours() {
    let app = TestApp::with_settings(services_settings()).await;
    app.register("ada@example.com").await;
    let a = app.seeded.account_a;
    let visits = app.contract(a, "SC-1", quarterly()).await;
    let block = app.contract(a, "TB-1", twenty_hours()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let list = ada.get("/portal/service-contracts").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("2 contracts"), "{}", list.body);
    assert!(list.body.contains("Recurring service") && list.body.contains("Block of hours"));
    assert!(list.body.contains("12.5 of 20 hours left"));
    assert!(
        list.body.contains("data-label=\"Contract\""),
        "phone captions"
    );

    let detail = ada
        .get(&format!("/portal/service-contracts/{}", visits.id))
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.body.contains("First Monday of every quarter"));
    assert!(detail.body.contains("$120.00"), "{}", detail.body);
    let detail = ada
        .get(&format!("/portal/service-contracts/{}", block.id))
        .await;
    assert!(detail.body.contains("12.5 h") && detail.body.contains("7.5 h"));

    let ended = ada.get("/portal/service-contracts?status=ended").await;
    assert!(ended.body.contains("No contracts match this filter."));
    let wrong = ada.get("/portal/service-contracts?status=open").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!error_at(&wrong.body, "status").is_empty());
    let nav = ada.get("/portal/dashboard").await;
    assert!(nav.body.contains("/portal/service-contracts\">Contracts<"));
    assert!(nav.body.contains("/portal/assets\">Equipment<"));
}

#[tokio::test]
async fn the_equipment_pages_list_per_property_and_show_an_asset() {
    let app = TestApp::with_settings(services_settings()).await;
    app.register("ada@example.com").await;
    let a = app.seeded.account_a;
    app.property(a, "p-home", "Casa Lovelace").await;
    let shop = app.property(a, "p-shop", "Shop").await;
    let boiler = app.asset(a, "p-home", "a-1", "Boiler").await;
    app.asset(a, "p-shop", "a-2", "Rooftop unit").await;
    let mut ada = app.logged_in("ada@example.com").await;
    let list = ada.get("/portal/assets").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("2 items") && list.body.contains("Rooftop unit"));
    assert!(list.body.contains("Viessmann Vitodens 200"));
    let shop_only = ada
        .get(&format!("/portal/assets?property={}", shop.id))
        .await;
    assert!(shop_only.body.contains("1 item") && !shop_only.body.contains(">Boiler<"));
    let wrong = ada.get("/portal/assets?property=basement").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!error_at(&wrong.body, "property").is_empty());

    let detail = ada.get(&format!("/portal/assets/{}", boiler.id)).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    for text in [
        "SN-a-1",
        "Basement plant room",
        "Casa Lovelace",
        "Service history",
    ] {
        assert!(detail.body.contains(text), "{text}");
    }
    assert!(
        detail
            .body
            .contains("No jobs have touched this equipment yet.")
    );
}

#[tokio::test]
async fn hostile_text_from_the_host_is_escaped() {
    let app = TestApp::with_settings(services_settings()).await;
    app.register("ada@example.com").await;
    let a = app.seeded.account_a;
    app.property(a, "p-home", "<b>Casa Lovelace</b>").await;
    let asset = app
        .asset(a, "p-home", "a-1", "<script>alert(1)</script>")
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    for path in [
        "/portal/assets".to_owned(),
        format!("/portal/assets/{}", asset.id),
    ] {
        let page = ada.get(&path).await;
        assert!(!page.body.contains("<script>alert(1)</script>"), "{path}");
        // Askama writes `<` as `&#60;` (0.16); either entity is escaped.
        assert!(
            page.body.contains("&lt;script&gt;") || page.body.contains("&#60;script&#62;"),
            "{path}: {}",
            page.body
        );
        assert!(!page.body.contains("<b>Casa Lovelace</b>"), "{path}");
    }
}

#[tokio::test]
async fn another_accounts_pages_are_404_also_by_guessed_ids() {
    let app = TestApp::with_settings(services_settings()).await;
    app.register("ada@example.com").await;
    let b = app.seeded.account_b;
    let contract = app.contract(b, "SC-B", quarterly()).await;
    app.property(b, "p-bob", "Garage").await;
    let asset = app.asset(b, "p-bob", "a-bob", "Lift").await;
    let mut ada = app.logged_in("ada@example.com").await;
    let guessed = uuid::Uuid::now_v7();
    for path in [
        format!("/portal/service-contracts/{}", contract.id),
        format!("/portal/service-contracts/{guessed}"),
        "/portal/service-contracts/42".to_owned(),
        format!("/portal/assets/{}", asset.id),
        format!("/portal/assets/{guessed}"),
        "/portal/assets/42".to_owned(),
    ] {
        assert_eq!(ada.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let list = ada.get("/portal/assets").await;
    assert!(!list.body.contains("Lift"));
    let list = ada.get("/portal/service-contracts").await;
    assert!(!list.body.contains("SC-B"));
}

#[tokio::test]
async fn equipment_off_hides_its_link_and_forbids_its_pages() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut ada = app.logged_in("ada@example.com").await;
    let dashboard = ada.get("/portal/dashboard").await;
    assert!(!dashboard.body.contains("/portal/assets\""));
    assert_eq!(
        ada.get("/portal/assets").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_pages_speak_spanish() {
    let mut settings = services_settings();
    settings.language = portal_i18n::Language::Spanish;
    let app = TestApp::with_settings(settings).await;
    app.register("ada@example.com").await;
    let a = app.seeded.account_a;
    app.contract(a, "TB-1", twenty_hours()).await;
    app.property(a, "p-home", "Casa").await;
    app.asset(a, "p-home", "a-1", "Caldera").await;
    let mut ada = app.logged_in("ada@example.com").await;
    let list = ada.get("/portal/service-contracts").await;
    assert!(list.body.contains("Contratos de servicio"), "{}", list.body);
    assert!(list.body.contains("Bolsa de horas"));
    let assets = ada.get("/portal/assets").await;
    assert!(assets.body.contains("Número de serie"), "{}", assets.body);
}
