//! Rentals through the router: the contract list, one contract and its
//! PDF, items out, reservations, calling items off rent (pages and API),
//! refusals that write nothing, isolation (another account's contract or
//! call-off is 404, also by guessed ids), the switch and the role, and
//! the pages in Spanish.

use axum::http::{StatusCode, header};
use chrono::NaiveDate;
use serde_json::json;

use portal_core::access::Role;
use portal_core::rentals::{
    Contract, ContractLine, ContractStatus, RentalContractUpsert, ReservationItem,
    ReservationStatus, ReservationUpsert,
};
use portal_core::shared::{AccountId, Currency, ExternalId, Language, Money};
use portal_i18n::testing::english_left;

use crate::harness::*;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// The demo settings with rentals switched on (off by default).
pub fn rental_settings() -> portal_core::tenancy::PortalSettings {
    let mut settings = demo_settings();
    settings.features.rentals = true;
    settings
}

impl TestApp {
    /// Gives `account` the rental contract `number` (also its host id):
    /// 2 generators out (none back), 4 spreaders out (1 back, 18.00 each),
    /// and a trailer out and back.
    pub async fn rental_contract(
        &self,
        account: AccountId,
        number: &str,
        status: ContractStatus,
    ) -> Contract {
        let line = |code: &str, name: &str, out, returned, rate: Option<i64>| ContractLine {
            code: code.into(),
            name: name.into(),
            quantity_out: out,
            quantity_returned: returned,
            out_since: day("2026-11-02"),
            rate: rate.map(|cents| Money::from_minor(cents, Currency::USD)),
        };
        self.portal
            .host()
            .upsert_contract(
                self.tenant_id(),
                &RentalContractUpsert {
                    external_id: ExternalId::parse(number).unwrap(),
                    account,
                    number: number.into(),
                    status,
                    started_on: day("2026-11-02"),
                    site: Some("14 Dock Road".into()),
                    lines: vec![
                        line("GEN-20", "Generator 20 kVA", 2, 0, None),
                        line("SPR-4", "Walk-behind spreader", 4, 1, Some(1_800)),
                        line("TRL-6", "Utility trailer", 1, 1, None),
                    ],
                },
            )
            .await
            .unwrap()
    }

    /// Gives `account` a confirmed reservation `number` of one sod cutter.
    pub async fn reservation(&self, account: AccountId, number: &str) {
        self.portal
            .host()
            .upsert_reservation(
                self.tenant_id(),
                &ReservationUpsert {
                    external_id: ExternalId::parse(number).unwrap(),
                    account,
                    number: number.into(),
                    status: ReservationStatus::Confirmed,
                    starts_on: day("2026-12-10"),
                    ends_on: day("2026-12-12"),
                    items: vec![ReservationItem {
                        code: "SOD-18".into(),
                        name: "Sod cutter".into(),
                        quantity: 1,
                    }],
                },
            )
            .await
            .unwrap();
    }

    /// How many call-offs the contract `number` has, as the host reads it.
    pub async fn call_offs_on(&self, number: &str) -> usize {
        self.portal
            .host()
            .contract_detail(self.tenant_id(), &ExternalId::parse(number).unwrap())
            .await
            .unwrap()
            .unwrap()
            .call_offs
            .len()
    }
}

/// Ada, registered, with contract RC-1 on account A.
async fn ada_with_a_contract(
    settings: portal_core::tenancy::PortalSettings,
) -> (TestApp, Contract) {
    let app = TestApp::with_settings(settings).await;
    app.register("ada@example.com").await;
    let contract = app
        .rental_contract(app.seeded.account_a, "RC-1", ContractStatus::Open)
        .await;
    (app, contract)
}

#[tokio::test]
async fn the_rental_pages_show_contracts_items_out_and_reservations() {
    let (app, contract) = ada_with_a_contract(rental_settings()).await;
    let a = app.seeded.account_a;
    app.rental_contract(a, "RC-0", ContractStatus::Closed).await;
    app.reservation(a, "RS-1").await;
    let mut ada = app.logged_in("ada@example.com").await;

    let list = ada.get("/portal/rentals").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("2 rental contracts"), "{}", list.body);
    assert!(list.body.contains("14 Dock Road") && list.body.contains("Nov 2, 2026"));
    assert!(
        list.body.contains("data-label=\"Rental contract\""),
        "phone captions"
    );
    assert!(
        list.body.contains("<details class=\"card filter\">"),
        "folded filter"
    );
    let closed = ada.get("/portal/rentals?status=closed").await;
    assert!(closed.body.contains("1 rental contract<") && closed.body.contains("RC-0"));
    assert!(closed.body.contains("<details class=\"card filter\" open>"));
    let wrong = ada.get("/portal/rentals?status=active").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!error_at(&wrong.body, "status").is_empty());

    let detail = ada.get(&format!("/portal/rentals/{}", contract.id)).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    for text in [
        "Rental contract RC-1",
        "Walk-behind spreader",
        "$18.00",
        "<strong>3</strong>",
        "<span class=\"big\">5</span>",
        "Nothing has been called off on this contract.",
        &format!("/portal/rentals/{}/call-off\"", contract.id),
        &format!("/portal/rentals/{}/pdf\"", contract.id),
    ] {
        assert!(detail.body.contains(text), "{text}: {}", detail.body);
    }

    let pdf = ada
        .get(&format!("/portal/rentals/{}/pdf", contract.id))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(pdf.body.starts_with("%PDF"));
    for text in [
        "Rental contract RC-1",
        "Walk-behind spreader",
        "$18.00",
        "Site: 14 Dock Road",
    ] {
        assert!(pdf.body.contains(text), "{text}");
    }

    let out = ada.get("/portal/rentals/items-out").await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    assert!(
        out.body.contains("2 lines of items still out"),
        "{}",
        out.body
    );
    assert!(out.body.contains("Generator 20 kVA") && !out.body.contains("Utility trailer"));
    assert!(
        !out.body.contains("RC-0"),
        "closed contracts have nothing out"
    );

    let booked = ada.get("/portal/rentals/reservations").await;
    assert_eq!(booked.status, StatusCode::OK, "{}", booked.body);
    for text in [
        "RS-1",
        "Dec 10, 2026 to Dec 12, 2026",
        "1 × Sod cutter",
        "Confirmed",
    ] {
        assert!(booked.body.contains(text), "{text}: {}", booked.body);
    }

    let dashboard = ada.get("/portal/dashboard").await;
    assert!(dashboard.body.contains("/portal/rentals\">Rentals<"));
    assert!(dashboard.body.contains("id=\"rentals-h\""));
}

#[tokio::test]
async fn calling_off_rent_redirects_to_the_pending_call_off_and_tells_the_host() {
    let (app, contract) = ada_with_a_contract(rental_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let form_path = format!("/portal/rentals/{}/call-off", contract.id);
    let form = ada.get(&form_path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("max=\"2\"") && form.body.contains("max=\"3\""));
    assert!(
        !form.body.contains("Utility trailer"),
        "nothing of it is out"
    );

    let sent = ada
        .post_form(
            &form_path,
            &[
                ("code_0", "GEN-20"),
                ("quantity_0", "2"),
                ("code_1", "SPR-4"),
                ("quantity_1", "0"),
                ("pickup_on", "2026-11-25"),
                ("notes", "By the back gate"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert!(sent.location().starts_with("/portal/rentals/call-offs/"));
    assert!(sent.location().ends_with("?done=requested"));
    assert_eq!(app.outbox_rows("rental_call_off_requested").await, 1);

    let page = ada.get(sent.location()).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for text in [
        "Your call-off was sent.",
        "Requested",
        "2",
        "Generator 20 kVA",
        "Nov 25, 2026",
        "By the back gate",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }
    let detail = ada.get(&format!("/portal/rentals/{}", contract.id)).await;
    assert!(detail.body.contains("2 × Generator 20 kVA"));

    // The generators are held: the form offers only the spreaders now.
    let form = ada.get(&form_path).await;
    assert!(!form.body.contains("Generator 20 kVA") && form.body.contains("Walk-behind spreader"));

    // The host schedules it; the page follows.
    let id = portal_core::shared::ServiceRequestId::parse(
        sent.location()
            .trim_start_matches("/portal/rentals/call-offs/")
            .trim_end_matches("?done=requested"),
    )
    .unwrap();
    app.portal
        .host()
        .set_request_status(
            app.tenant_id(),
            id,
            portal_core::requests::RequestStatus::Scheduled,
            "Tuesday 8-10",
        )
        .await
        .unwrap();
    let page = ada.get(&format!("/portal/rentals/call-offs/{id}")).await;
    assert!(page.body.contains("Pickup scheduled"), "{}", page.body);
    assert!(page.body.contains("Tuesday 8-10"), "the host's note");
    // A call-off is one of the account's requests, listed with the others.
    let requests = ada.get("/portal/requests?status=open").await;
    assert!(requests.body.contains("Call off rent") && requests.body.contains("RC-1: 2 items"));
    let request = ada.get(&format!("/portal/requests/{id}")).await;
    assert!(request.body.contains("Scheduled") && request.body.contains("2 × Generator 20 kVA"));

    // A reload of the form's address after sending shows the form.
    assert_eq!(ada.get(&form_path).await.status, StatusCode::OK);
}

#[tokio::test]
async fn what_the_host_wrote_on_a_contract_is_shown_as_text() {
    let (app, _) = ada_with_a_contract(rental_settings()).await;
    let hostile = "<script>alert(1)</script>";
    let contract = app
        .portal
        .host()
        .upsert_contract(
            app.tenant_id(),
            &RentalContractUpsert {
                external_id: ExternalId::parse("rc-x").unwrap(),
                account: app.seeded.account_a,
                number: format!("RC-{hostile}"),
                status: ContractStatus::Open,
                started_on: day("2026-11-02"),
                site: Some(format!("<img src=x onerror=alert(2)> {hostile}")),
                lines: vec![ContractLine {
                    code: "X\"><b>".into(),
                    name: format!("Pump {hostile}"),
                    quantity_out: 1,
                    quantity_returned: 0,
                    out_since: day("2026-11-02"),
                    rate: None,
                }],
            },
        )
        .await
        .unwrap();
    let mut ada = app.logged_in("ada@example.com").await;
    for path in [
        "/portal/rentals".to_owned(),
        "/portal/rentals/items-out".to_owned(),
        format!("/portal/rentals/{}", contract.id),
        format!("/portal/rentals/{}/call-off", contract.id),
    ] {
        let page = ada.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.body.contains("<script>alert"), "{path}");
        assert!(!page.body.contains("<img src=x"), "{path}");
        assert!(!page.body.contains("\"><b>"), "{path}");
        assert!(page.body.contains("&#60;script&#62;alert(1)"), "{path}");
    }
}

#[tokio::test]
async fn a_refused_call_off_shows_its_field_and_writes_nothing() {
    let (app, contract) = ada_with_a_contract(rental_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let form_path = format!("/portal/rentals/{}/call-off", contract.id);
    let post = |quantity_0: &'static str,
                quantity_1: &'static str,
                pickup: &'static str,
                notes: String| {
        vec![
            ("code_0", "GEN-20".to_owned()),
            ("quantity_0", quantity_0.to_owned()),
            ("code_1", "SPR-4".to_owned()),
            ("quantity_1", quantity_1.to_owned()),
            ("pickup_on", pickup.to_owned()),
            ("notes", notes),
        ]
    };
    let cases = [
        // More than is out names the item's own input.
        (
            post("3", "0", "2026-11-25", String::new()),
            "quantity_0",
            "still out",
        ),
        (
            post("0", "4", "2026-11-25", String::new()),
            "quantity_1",
            "Walk-behind spreader",
        ),
        (
            post("1.5", "0", "2026-11-25", String::new()),
            "quantity_0",
            "whole number",
        ),
        (
            post("0", "0", "2026-11-25", String::new()),
            "items",
            "required",
        ),
        (
            post("1", "0", "2026-11-22", String::new()),
            "pickup_on",
            "today or later",
        ),
        (post("1", "0", "31/12/2026", String::new()), "pickup_on", ""),
        (post("1", "0", "", String::new()), "pickup_on", "required"),
        (
            post("1", "0", "2026-11-25", "x".repeat(2_001)),
            "notes",
            "at most",
        ),
    ];
    for (fields, key, words) in cases {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = ada.post_form(&form_path, &fields).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{key}: {}",
            refused.body
        );
        let message = if key == "items" {
            let body = &refused.body;
            assert!(body.contains("aria-describedby=\"items-error\""), "{body}");
            let at = body
                .find("<p class=\"field-error\" id=\"items-error\">")
                .unwrap();
            body[at..at + body[at..].find("</p>").unwrap()].to_owned()
        } else {
            error_at(&refused.body, key)
        };
        assert!(message.contains(words), "{key}: {message}");
        assert!(refused.body.contains("id=\"form-problem\""), "a summary");
        assert_eq!(invalid_inputs(&refused.body), usize::from(key != "items"));
        assert_eq!(
            app.outbox_rows("rental_call_off_requested").await,
            0,
            "{key}"
        );
        assert_eq!(app.call_offs_on("RC-1").await, 0, "{key}");
    }
    // What was typed is kept.
    let refused = ada
        .post_form(
            &form_path,
            &[
                ("code_0", "GEN-20"),
                ("quantity_0", "3"),
                ("pickup_on", "2026-11-26"),
                ("notes", "Gate 4"),
            ],
        )
        .await;
    assert!(refused.body.contains("value=\"3\"") && refused.body.contains("value=\"2026-11-26\""));
    assert!(refused.body.contains(">Gate 4</textarea>"));

    // A closed contract: nothing to call off, said on the form's page.
    let closed = app
        .rental_contract(app.seeded.account_a, "RC-9", ContractStatus::Closed)
        .await;
    let path = format!("/portal/rentals/{}/call-off", closed.id);
    assert!(
        ada.get(&path)
            .await
            .body
            .contains("This contract is closed")
    );
    let refused = ada
        .post_form(
            &path,
            &[
                ("code_0", "GEN-20"),
                ("quantity_0", "1"),
                ("pickup_on", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(app.outbox_rows("rental_call_off_requested").await, 0);

    // A forged form without the token writes nothing either.
    let forged = ada
        .post_raw(
            &form_path,
            &[
                ("code_0", "GEN-20"),
                ("quantity_0", "1"),
                ("pickup_on", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(app.call_offs_on("RC-1").await, 0);
}

#[tokio::test]
async fn a_client_reads_rentals_and_calls_off_over_the_api() {
    let (app, contract) = ada_with_a_contract(rental_settings()).await;
    app.reservation(app.seeded.account_a, "RS-1").await;
    let token = app.api_token("ada@example.com").await;
    let list = app
        .send(get_request(
            "/portal/api/v1/rentals/contracts?status=open",
            Some(&token),
        ))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let list = list.json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["number"], "RC-1");
    assert_eq!(list["items"][0]["items_out"], 5);

    let path = format!("/portal/api/v1/rentals/contracts/{}", contract.id);
    let detail = app.send(get_request(&path, Some(&token))).await.json();
    assert_eq!(detail["lines"][1]["still_out"], 3);
    assert_eq!(detail["lines"][1]["available"], 3);
    assert_eq!(detail["lines"][1]["rate"], "18.00");
    assert_eq!(detail["lines"][1]["currency"], "USD");
    assert_eq!(detail["can_call_off"], true);

    let out = app
        .send(get_request(
            "/portal/api/v1/rentals/items-out",
            Some(&token),
        ))
        .await
        .json();
    assert_eq!(out["total"], 2);
    let booked = app
        .send(get_request(
            "/portal/api/v1/rentals/reservations",
            Some(&token),
        ))
        .await
        .json();
    assert_eq!(booked["items"][0]["items"][0]["name"], "Sod cutter");

    let call_offs = format!("{path}/call-offs");
    let ask = |items: serde_json::Value, pickup: &str| json!({"items": items, "pickup_on": pickup, "notes": "Gate 4"});
    for (body, status, field) in [
        (
            ask(json!([{"code": "GEN-20", "quantity": 3}]), "2026-11-25"),
            422,
            Some("quantity"),
        ),
        (
            ask(json!([{"code": "NOPE", "quantity": 1}]), "2026-11-25"),
            422,
            Some("quantity"),
        ),
        (
            ask(json!([{"code": "GEN-20", "quantity": 1.5}]), "2026-11-25"),
            422,
            Some("quantity"),
        ),
        (ask(json!([]), "2026-11-25"), 422, Some("items")),
        (
            ask(json!([{"code": "GEN-20", "quantity": 1}]), "2026-11-01"),
            422,
            Some("pickup_on"),
        ),
        (
            ask(json!([{"code": "GEN-20", "quantity": 1}]), "25/11/2026"),
            422,
            Some("pickup_on"),
        ),
        (
            json!({"items": [], "pickup_on": "2026-11-25", "extra": 1}),
            400,
            None,
        ),
    ] {
        let refused = app
            .send(json_request("POST", &call_offs, Some(&token), &body))
            .await;
        assert_eq!(refused.status.as_u16(), status, "{body}: {}", refused.body);
        assert_eq!(
            refused.headers[header::CONTENT_TYPE],
            "application/problem+json"
        );
        if let Some(field) = field {
            assert_eq!(refused.json()["field"], field, "{body}");
        }
    }
    assert_eq!(app.call_offs_on("RC-1").await, 0);

    let made = app
        .send(json_request(
            "POST",
            &call_offs,
            Some(&token),
            &ask(json!([{"code": "GEN-20", "quantity": 2}]), "2026-11-25"),
        ))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let made = made.json();
    assert_eq!(made["status"], "pending");
    assert_eq!(made["items"][0]["quantity"], 2);
    assert_eq!(app.outbox_rows("rental_call_off_requested").await, 1);
    let read = app
        .send(get_request(
            &format!(
                "/portal/api/v1/rentals/call-offs/{}",
                made["id"].as_str().unwrap()
            ),
            Some(&token),
        ))
        .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json()["notes"], "Gate 4");

    // Nothing more of the generators is available: 422 at the quantity.
    let again = app
        .send(json_request(
            "POST",
            &call_offs,
            Some(&token),
            &ask(json!([{"code": "GEN-20", "quantity": 1}]), "2026-11-25"),
        ))
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    assert_eq!(again.json()["field"], "quantity");

    // A closed contract is a conflict.
    let closed = app
        .rental_contract(app.seeded.account_a, "RC-9", ContractStatus::Closed)
        .await;
    let refused = app
        .send(json_request(
            "POST",
            &format!("/portal/api/v1/rentals/contracts/{}/call-offs", closed.id),
            Some(&token),
            &ask(json!([{"code": "GEN-20", "quantity": 1}]), "2026-11-25"),
        ))
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(app.outbox_rows("rental_call_off_requested").await, 1);
}

#[tokio::test]
async fn another_accounts_contract_and_call_off_are_404_on_pages_and_api() {
    let (app, _) = ada_with_a_contract(rental_settings()).await;
    let b = app.seeded.account_b;
    let bobs = app.rental_contract(b, "RC-B", ContractStatus::Open).await;
    // Bob calls one off, through his own session.
    app.register("bob@example.com").await;
    let bob_token = app.api_token("bob@example.com").await;
    let made = app
        .send(json_request(
            "POST",
            &format!("/portal/api/v1/rentals/contracts/{}/call-offs", bobs.id),
            Some(&bob_token),
            &json!({"items": [{"code": "GEN-20", "quantity": 1}], "pickup_on": "2026-11-25"}),
        ))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let bobs_call_off = made.json()["id"].as_str().unwrap().to_owned();

    let mut ada = app.logged_in("ada@example.com").await;
    let guessed = uuid::Uuid::now_v7();
    for path in [
        format!("/portal/rentals/{}", bobs.id),
        format!("/portal/rentals/{}/pdf", bobs.id),
        format!("/portal/rentals/{}/call-off", bobs.id),
        format!("/portal/rentals/{guessed}"),
        "/portal/rentals/42".to_owned(),
        format!("/portal/rentals/call-offs/{bobs_call_off}"),
        format!("/portal/rentals/call-offs/{guessed}"),
    ] {
        assert_eq!(ada.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let posted = ada
        .post_form(
            &format!("/portal/rentals/{}/call-off", bobs.id),
            &[
                ("code_0", "GEN-20"),
                ("quantity_0", "1"),
                ("pickup_on", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::NOT_FOUND);
    let list = ada.get("/portal/rentals").await;
    assert!(!list.body.contains("RC-B"));
    let out = ada.get("/portal/rentals/items-out").await;
    assert!(!out.body.contains("RC-B"));

    let token = app.api_token("ada@example.com").await;
    for path in [
        format!("/portal/api/v1/rentals/contracts/{}", bobs.id),
        format!("/portal/api/v1/rentals/call-offs/{bobs_call_off}"),
        "/portal/api/v1/rentals/call-offs/42".to_owned(),
    ] {
        let reply = app.send(get_request(&path, Some(&token))).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
    }
    let posted = app
        .send(json_request(
            "POST",
            &format!("/portal/api/v1/rentals/contracts/{}/call-offs", bobs.id),
            Some(&token),
            &json!({"items": [{"code": "GEN-20", "quantity": 1}], "pickup_on": "2026-11-25"}),
        ))
        .await;
    assert_eq!(posted.status, StatusCode::NOT_FOUND, "{}", posted.body);
    assert_eq!(app.call_offs_on("RC-B").await, 1, "only Bob's own");
}

#[tokio::test]
async fn rentals_off_hides_the_link_and_refuses_the_pages_and_api() {
    let (app, contract) = ada_with_a_contract(demo_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let dashboard = ada.get("/portal/dashboard").await;
    assert!(!dashboard.body.contains("/portal/rentals\""));
    assert!(!dashboard.body.contains("id=\"rentals-h\""));
    for path in [
        "/portal/rentals".to_owned(),
        "/portal/rentals/items-out".to_owned(),
        "/portal/rentals/reservations".to_owned(),
        format!("/portal/rentals/{}", contract.id),
        format!("/portal/rentals/{}/call-off", contract.id),
    ] {
        // As every switched-off part of the portal: 403 with the reason.
        assert_eq!(ada.get(&path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let token = app.api_token("ada@example.com").await;
    let reply = app
        .send(get_request(
            "/portal/api/v1/rentals/contracts",
            Some(&token),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(app.call_offs_on("RC-1").await, 0);
}

#[tokio::test]
async fn a_contact_whose_role_may_not_call_off_sees_no_form_and_is_refused() {
    let (app, contract) = ada_with_a_contract(rental_settings()).await;
    let host = app.portal.host();
    let cat = host
        .upsert_contact(
            app.tenant_id(),
            &contact("cat", "Cat Billing", "cat@example.com", None),
        )
        .await
        .unwrap();
    host.grant_membership(app.tenant_id(), cat.id, app.seeded.account_a, Role::Billing)
        .await
        .unwrap();
    app.register("cat@example.com").await;
    let mut cat = app.logged_in("cat@example.com").await;
    let detail = cat.get(&format!("/portal/rentals/{}", contract.id)).await;
    assert_eq!(detail.status, StatusCode::OK, "she may read");
    assert!(!detail.body.contains("/call-off\""), "no call-off link");
    let path = format!("/portal/rentals/{}/call-off", contract.id);
    assert_eq!(cat.get(&path).await.status, StatusCode::FORBIDDEN);
    let posted = cat
        .post_form(
            &path,
            &[("code_0", "GEN-20"), ("quantity_0", "x"), ("pickup_on", "")],
        )
        .await;
    assert_eq!(
        posted.status,
        StatusCode::FORBIDDEN,
        "refused before reading input"
    );
    let token = app.api_token("cat@example.com").await;
    let posted = app
        .send(json_request(
            "POST",
            &format!("/portal/api/v1/rentals/contracts/{}/call-offs", contract.id),
            Some(&token),
            &json!({"items": [{"code": "GEN-20", "quantity": 1}], "pickup_on": "2026-11-25"}),
        ))
        .await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN, "{}", posted.body);
    assert_eq!(app.call_offs_on("RC-1").await, 0);
}

#[tokio::test]
async fn the_rental_pages_in_spanish_have_no_english_left() {
    let mut settings = rental_settings();
    settings.language = Language::Spanish;
    let (app, contract) = ada_with_a_contract(settings).await;
    app.reservation(app.seeded.account_a, "RS-1").await;
    let mut ada = app.logged_in("ada@example.com").await;
    ada.post_form("/portal/account/language", &[("language", "es")])
        .await;
    let form_path = format!("/portal/rentals/{}/call-off", contract.id);
    let refused = ada
        .post_form(
            &form_path,
            &[
                ("code_0", "GEN-20"),
                ("quantity_0", "3"),
                ("pickup_on", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let sent = ada
        .post_form(
            &form_path,
            &[
                ("code_0", "GEN-20"),
                ("quantity_0", "1"),
                ("pickup_on", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let mut pages = vec![("refused".to_owned(), refused.body)];
    for path in [
        "/portal/dashboard".to_owned(),
        "/portal/rentals".to_owned(),
        "/portal/rentals/items-out".to_owned(),
        "/portal/rentals/reservations".to_owned(),
        format!("/portal/rentals/{}", contract.id),
        form_path.clone(),
        sent.location().to_owned(),
    ] {
        let page = ada.get(&path).await;
        pages.push((path, page.body));
    }
    for (path, body) in &pages {
        assert!(body.contains("<html lang=\"es\""), "{path}");
        assert_eq!(english_left(body), Vec::<String>::new(), "{path}: {body}");
    }
    assert!(
        pages
            .iter()
            .any(|(_, body)| body.contains("Contratos de alquiler"))
    );
    assert!(
        pages
            .iter()
            .any(|(_, body)| body.contains("Se envió su solicitud de retirada"))
    );
    let pdf = ada
        .get(&format!("/portal/rentals/{}/pdf", contract.id))
        .await;
    assert!(pdf.body.contains("Contrato de alquiler RC-1"));
    let shown: Vec<&str> = pdf
        .body
        .lines()
        .filter(|line| line.ends_with(" Tj"))
        .collect();
    assert!(!shown.is_empty());
    assert_eq!(english_left(&shown.join("\n")), Vec::<String>::new());
    let misses: Vec<String> = portal_i18n::testing::misses()
        .into_iter()
        .filter(|miss| !miss.ends_with("no-such-key"))
        .collect();
    assert_eq!(misses, Vec::<String>::new());
}

/// A call-off is a request like any other: canceled while pending, from
/// its request's page, and its items are no longer held.
#[tokio::test]
async fn a_pending_call_off_is_canceled_and_frees_its_items() {
    let (app, contract) = ada_with_a_contract(rental_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let form_path = format!("/portal/rentals/{}/call-off", contract.id);
    let sent = ada
        .post_form(
            &form_path,
            &[
                ("code_0", "GEN-20"),
                ("quantity_0", "2"),
                ("code_1", "SPR-4"),
                ("quantity_1", "0"),
                ("pickup_on", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let id = sent
        .location()
        .trim_start_matches("/portal/rentals/call-offs/")
        .trim_end_matches("?done=requested")
        .to_owned();
    assert!(!ada.get(&form_path).await.body.contains("Generator 20 kVA"));

    let canceled = ada
        .post_form(&format!("/portal/requests/{id}/cancel"), &[])
        .await;
    assert_eq!(canceled.status, StatusCode::SEE_OTHER, "{}", canceled.body);
    let page = ada.get(canceled.location()).await;
    assert!(
        page.body.contains("Your request is canceled."),
        "{}",
        page.body
    );
    assert_eq!(app.outbox_rows("service_request_canceled").await, 1);
    assert!(
        ada.get(&form_path).await.body.contains("Generator 20 kVA"),
        "a canceled call-off holds nothing"
    );
}
