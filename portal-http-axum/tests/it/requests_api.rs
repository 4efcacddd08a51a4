//! Service requests over JSON: the kinds a contact may ask (the host's
//! declared kinds with their fields), asking for service and for a
//! declared kind and reading it back (list and by id, with `Location`),
//! refusals that name their field and write nothing (neither request nor
//! host event), a call-off pointed to its contract, an undeclared kind,
//! the host's answer in the status and note, isolation (another account's
//! request is 404 and not listed), and the role and the switch (403).

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use portal_core::access::Role;
use portal_core::requests::{FieldInput, FieldSpec, KindKey, RequestKind, RequestStatus};
use portal_core::shared::ServiceRequestId;

use crate::harness::*;
use crate::services_api::services_settings;

const REQUESTS: &str = "/portal/api/v1/requests";

fn key(text: &str) -> KindKey {
    KindKey::parse(text).unwrap()
}

fn field(name: &str, label: &str, required: bool, input: FieldInput) -> FieldSpec {
    FieldSpec {
        name: key(name),
        label: label.into(),
        help: String::new(),
        required,
        input,
    }
}

/// "Reschedule a visit": a day from today (required), a time of day
/// (optional choice) and how many people (optional, 1 to 5).
fn reschedule() -> RequestKind {
    RequestKind {
        key: key("reschedule"),
        name: "Reschedule a visit".into(),
        description: "Pick another day.".into(),
        fields: vec![
            field(
                "new_date",
                "New day",
                true,
                FieldInput::Date { from_today: true },
            ),
            field(
                "time",
                "Time of day",
                false,
                FieldInput::Choice {
                    options: vec!["Morning".into(), "Afternoon".into()],
                },
            ),
            field(
                "people",
                "People home",
                false,
                FieldInput::WholeNumber { min: 1, max: 5 },
            ),
        ],
        active: true,
        attachments: false,
    }
}

impl TestApp {
    /// The account's requests as `token`'s contact lists them.
    async fn requests_of(&self, token: &str) -> Value {
        let reply = self
            .send(get_request(&format!("{REQUESTS}?status=all"), Some(token)))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()
    }

    /// The kinds `token`'s contact may ask.
    async fn request_kinds(&self, token: &str) -> Value {
        let reply = self
            .send(get_request("/portal/api/v1/request-kinds", Some(token)))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()
    }

    async fn post_request(&self, token: &str, body: &Value) -> Reply {
        self.send(json_request("POST", REQUESTS, Some(token), body))
            .await
    }
}

fn assert_invalid(reply: &Reply, field: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{field}: {}",
        reply.body
    );
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let problem = reply.json();
    assert_eq!(problem["field"], field, "{problem}");
    assert_eq!(problem["status"], 422);
}

/// Ada, registered on account A with one property, and her token.
async fn ada() -> (TestApp, String) {
    let app = TestApp::with_settings(services_settings()).await;
    app.register("ada@example.com").await;
    app.property(app.seeded.account_a, "P-1", "Lake house")
        .await;
    let token = app.api_token("ada@example.com").await;
    (app, token)
}

#[tokio::test]
async fn a_service_request_is_made_and_read_back_in_the_list_and_by_id() {
    let (app, token) = ada().await;
    let made = app
        .post_request(
            &token,
            &json!({"kind": "service", "description": "  The boiler knocks  "}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let request = made.json();
    let id = request["id"].as_str().unwrap().to_owned();
    assert_eq!(
        made.headers[header::LOCATION],
        format!("{REQUESTS}/{id}").as_str()
    );
    assert_eq!(request["kind"], "service");
    assert_eq!(request["kind_name"], Value::Null);
    assert_eq!(request["status"], "pending");
    assert_eq!(request["host_note"], "");
    assert_eq!(request["service"]["description"], "The boiler knocks");
    assert_eq!(
        request["service"]["property"]["label"], "Lake house",
        "the account's only property"
    );
    assert!(request.get("answers").is_none() && request.get("call_off").is_none());
    assert_eq!(app.outbox_rows("service_requested").await, 1);

    let list = app.requests_of(&token).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["page"], 1);
    assert_eq!(list["items"][0]["id"], id.as_str());
    assert_eq!(list["items"][0], request);
    let open = app
        .send(get_request(
            &format!("{REQUESTS}?status=open"),
            Some(&token),
        ))
        .await
        .json();
    assert_eq!(open["total"], 1);
    let closed = app
        .send(get_request(
            &format!("{REQUESTS}?status=closed&page=1&per_page=10"),
            Some(&token),
        ))
        .await
        .json();
    assert_eq!(closed["total"], 0);
    let unknown = app
        .send(get_request(
            &format!("{REQUESTS}?status=soon"),
            Some(&token),
        ))
        .await;
    assert_invalid(&unknown, "status");

    let read = app
        .send(get_request(&format!("{REQUESTS}/{id}"), Some(&token)))
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.json(), request);
}

#[tokio::test]
async fn refused_requests_name_their_field_and_write_nothing() {
    let (app, token) = ada().await;
    app.portal
        .host()
        .declare_request_kind(app.tenant_id(), &reschedule())
        .await
        .unwrap();
    let stranger = uuid::Uuid::now_v7().to_string();
    for (body, field) in [
        (json!({"kind": "service", "description": ""}), "description"),
        (
            json!({"kind": "service", "description": "   "}),
            "description",
        ),
        (json!({"kind": "service"}), "description"),
        (
            json!({"kind": "service", "description": "x".repeat(2001)}),
            "description",
        ),
        (
            json!({"kind": "service", "description": "Mow", "property": stranger}),
            "property",
        ),
        (
            json!({"kind": "service", "description": "Mow", "property": "nope"}),
            "property",
        ),
        (
            json!({"kind": "service", "description": "Mow", "answers": {}}),
            "answers",
        ),
        (
            json!({"kind": "call_off", "description": "Collect the generator"}),
            "kind",
        ),
        (
            json!({"kind": "reschedule", "answers": {}}),
            "answers.new_date",
        ),
        (
            json!({"kind": "reschedule", "answers": {"new_date": "2026-11-01"}}),
            "answers.new_date",
        ),
        (
            json!({"kind": "reschedule", "answers": {"new_date": "2026-12-09", "people": "9"}}),
            "answers.people",
        ),
        (
            json!({"kind": "reschedule", "description": "x", "answers": {"new_date": "2026-12-09"}}),
            "description",
        ),
    ] {
        let refused = app.post_request(&token, &body).await;
        assert_invalid(&refused, field);
    }
    let call_off = app.post_request(&token, &json!({"kind": "call_off"})).await;
    assert!(
        call_off.json()["detail"]
            .as_str()
            .unwrap()
            .contains("/api/v1/rentals/contracts/{id}/call-offs"),
        "{}",
        call_off.body
    );
    // A kind the business never declared: 404, as an unknown invoice in a
    // payment's body.
    let undeclared = app
        .post_request(&token, &json!({"kind": "skip_visit", "answers": {}}))
        .await;
    assert_eq!(
        undeclared.status,
        StatusCode::NOT_FOUND,
        "{}",
        undeclared.body
    );
    assert_eq!(
        undeclared.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    // Not JSON of the body's shape: 400.
    let extra = app
        .post_request(
            &token,
            &json!({"kind": "service", "description": "x", "extra": 1}),
        )
        .await;
    assert_eq!(extra.status, StatusCode::BAD_REQUEST, "{}", extra.body);
    let typed = app
        .post_request(
            &token,
            &json!({"kind": "reschedule", "answers": {"people": 2}}),
        )
        .await;
    assert_eq!(typed.status, StatusCode::BAD_REQUEST, "{}", typed.body);

    assert_eq!(app.requests_of(&token).await["total"], 0);
    assert_eq!(app.outbox_rows("service_requested").await, 0);
}

/// The problem's `detail` names the field in words, not "This value": a
/// client that shows the sentence tells its user what to fix.
#[tokio::test]
async fn a_refusal_detail_names_the_field_it_is_about() {
    let (app, token) = ada().await;
    app.portal
        .host()
        .declare_request_kind(app.tenant_id(), &reschedule())
        .await
        .unwrap();
    for (body, detail) in [
        (
            json!({"kind": "service", "description": ""}),
            "Description must be 1 to 2000 characters.",
        ),
        (
            json!({"kind": "service", "description": "Mow", "property": "nope"}),
            "Property ",
        ),
        (
            json!({"kind": "reschedule", "answers": {}}),
            "Answer \"new_date\" is required.",
        ),
    ] {
        let refused = app.post_request(&token, &body).await;
        let problem = refused.json();
        let said = problem["detail"].as_str().unwrap_or_default();
        assert!(said.starts_with(detail), "{body}: {problem}");
        assert!(!said.contains("This value"), "{body}: {problem}");
    }
    assert_eq!(app.requests_of(&token).await["total"], 0);
}

#[tokio::test]
async fn a_declared_kind_is_listed_with_its_fields_and_answered() {
    let (app, token) = ada().await;
    let before = app.request_kinds(&token).await;
    let keys: Vec<_> = before["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|kind| kind["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys, ["service"], "rentals are off: no call-off");
    assert_eq!(before["items"][0]["built_in"], true);

    app.portal
        .host()
        .declare_request_kind(app.tenant_id(), &reschedule())
        .await
        .unwrap();
    let listed = app.request_kinds(&token).await;
    let kind = &listed["items"][1];
    assert_eq!(kind["key"], "reschedule");
    assert_eq!(kind["built_in"], false);
    assert_eq!(kind["name"], "Reschedule a visit");
    assert_eq!(kind["description"], "Pick another day.");
    assert_eq!(
        kind["fields"][0],
        json!({"name": "new_date", "label": "New day", "help": "", "required": true,
            "input": {"type": "date", "from_today": true}})
    );
    assert_eq!(
        kind["fields"][1]["input"],
        json!({"type": "choice", "options": ["Morning", "Afternoon"]})
    );
    assert_eq!(
        kind["fields"][2]["input"],
        json!({"type": "whole_number", "min": 1, "max": 5})
    );

    let made = app
        .post_request(
            &token,
            &json!({"kind": "reschedule", "answers": {"new_date": "2026-12-09", "time": "Morning", "people": "2", "unknown": "ignored"}}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let request = made.json();
    assert_eq!(request["kind"], "reschedule");
    assert_eq!(request["kind_name"], "Reschedule a visit");
    assert_eq!(
        request["answers"],
        json!([
            {"field": "new_date", "label": "New day", "type": "date", "value": "2026-12-09"},
            {"field": "time", "label": "Time of day", "type": "choice", "value": "Morning"},
            {"field": "people", "label": "People home", "type": "whole_number", "value": 2},
        ])
    );
    assert!(request.get("service").is_none());
    assert_eq!(app.outbox_rows("service_requested").await, 1);
    let id = request["id"].as_str().unwrap();
    let read = app
        .send(get_request(&format!("{REQUESTS}/{id}"), Some(&token)))
        .await;
    assert_eq!(read.json(), request);

    // A missing required answer: 422 at it, nothing more written.
    let refused = app
        .post_request(
            &token,
            &json!({"kind": "reschedule", "answers": {"time": "Morning"}}),
        )
        .await;
    assert_invalid(&refused, "answers.new_date");
    assert_eq!(app.requests_of(&token).await["total"], 1);
    assert_eq!(app.outbox_rows("service_requested").await, 1);

    // A retired kind is no longer listed nor asked.
    let mut retired = reschedule();
    retired.active = false;
    app.portal
        .host()
        .declare_request_kind(app.tenant_id(), &retired)
        .await
        .unwrap();
    assert_eq!(
        app.request_kinds(&token).await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let gone = app
        .post_request(
            &token,
            &json!({"kind": "reschedule", "answers": {"new_date": "2026-12-09"}}),
        )
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "{}", gone.body);
}

#[tokio::test]
async fn the_hosts_answer_shows_in_status_and_note() {
    let (app, token) = ada().await;
    let made = app
        .post_request(&token, &json!({"kind": "service", "description": "Wasps"}))
        .await
        .json();
    let id = ServiceRequestId::parse(made["id"].as_str().unwrap()).unwrap();
    app.portal
        .host()
        .set_request_status(
            app.tenant_id(),
            id,
            RequestStatus::Scheduled,
            "Booked for Tuesday morning",
        )
        .await
        .unwrap();
    let read = app
        .send(get_request(&format!("{REQUESTS}/{id}"), Some(&token)))
        .await
        .json();
    assert_eq!(read["status"], "scheduled");
    assert_eq!(read["host_note"], "Booked for Tuesday morning");
    let listed = app.requests_of(&token).await;
    assert_eq!(listed["items"][0]["status"], "scheduled");
    app.portal
        .host()
        .set_request_status(app.tenant_id(), id, RequestStatus::Completed, "")
        .await
        .unwrap();
    let closed = app
        .send(get_request(
            &format!("{REQUESTS}?status=closed"),
            Some(&token),
        ))
        .await
        .json();
    assert_eq!(closed["total"], 1);
    assert_eq!(closed["items"][0]["status"], "completed");
    let open = app
        .send(get_request(
            &format!("{REQUESTS}?status=open"),
            Some(&token),
        ))
        .await
        .json();
    assert_eq!(open["total"], 0);
}

#[tokio::test]
async fn another_accounts_request_is_404_and_not_listed() {
    let (app, token) = ada().await;
    app.register("bob@example.com").await;
    let bob = app.api_token("bob@example.com").await;
    let bobs = app
        .post_request(
            &bob,
            &json!({"kind": "service", "description": "Bob's gutters"}),
        )
        .await;
    assert_eq!(bobs.status, StatusCode::CREATED, "{}", bobs.body);
    let bobs = bobs.json()["id"].as_str().unwrap().to_owned();
    for id in [
        bobs.clone(),
        uuid::Uuid::now_v7().to_string(),
        "42".to_owned(),
    ] {
        let reply = app
            .send(get_request(&format!("{REQUESTS}/{id}"), Some(&token)))
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{id}");
        assert!(!reply.body.contains("gutters"));
    }
    assert_eq!(app.requests_of(&token).await["total"], 0);
    assert_eq!(app.requests_of(&bob).await["total"], 1);
}

#[tokio::test]
async fn a_contact_who_may_not_request_service_or_with_services_off_gets_403() {
    let (app, _) = ada().await;
    let host = app.portal.host();
    let vic = host
        .upsert_contact(
            app.tenant_id(),
            &contact("vic", "Vic Viewer", "vic@example.com", None),
        )
        .await
        .unwrap();
    host.grant_membership(app.tenant_id(), vic.id, app.seeded.account_a, Role::Viewer)
        .await
        .unwrap();
    app.register("vic@example.com").await;
    let viewer = app.api_token("vic@example.com").await;
    for reply in [
        app.send(get_request("/portal/api/v1/request-kinds", Some(&viewer)))
            .await,
        app.send(get_request(REQUESTS, Some(&viewer))).await,
        app.post_request(&viewer, &json!({"kind": "service", "description": "Mow"}))
            .await,
    ] {
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
        assert_eq!(
            reply.headers[header::CONTENT_TYPE],
            "application/problem+json"
        );
    }
    assert_eq!(app.outbox_rows("service_requested").await, 0);

    let mut settings = services_settings();
    settings.features.services = false;
    let off = TestApp::with_settings(settings).await;
    off.register("ada@example.com").await;
    let token = off.api_token("ada@example.com").await;
    for reply in [
        off.send(get_request("/portal/api/v1/request-kinds", Some(&token)))
            .await,
        off.send(get_request(REQUESTS, Some(&token))).await,
        off.send(get_request(
            &format!("{REQUESTS}/{}", uuid::Uuid::now_v7()),
            Some(&token),
        ))
        .await,
        off.send(json_request(
            "POST",
            REQUESTS,
            Some(&token),
            &json!({"kind": "service", "description": "Mow"}),
        ))
        .await,
    ] {
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    }
    assert_eq!(off.outbox_rows("service_requested").await, 0);
    let anonymous = off.send(get_request(REQUESTS, None)).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_openapi_document_describes_the_request_operations() {
    let app = TestApp::new().await;
    let doc = app
        .send(get_request("/portal/api/v1/openapi.json", None))
        .await
        .json();
    let paths = &doc["paths"];
    let create = &paths["/api/v1/requests"]["post"];
    assert_eq!(create["tags"], json!(["services"]));
    let responses = create["responses"].as_object().unwrap();
    for status in ["201", "400", "401", "403", "404", "422"] {
        assert!(responses.contains_key(status), "POST {status}");
    }
    assert!(responses["201"]["headers"]["Location"].is_object());
    assert_eq!(
        responses["201"]["links"]["GetRequest"]["operationId"],
        "get_request"
    );
    for (path, statuses) in [
        ("/api/v1/requests", &["200", "400", "401", "403", "422"][..]),
        ("/api/v1/requests/{id}", &["200", "401", "403", "404"][..]),
        ("/api/v1/request-kinds", &["200", "401", "403"][..]),
    ] {
        let get = &paths[path]["get"];
        assert_eq!(get["tags"], json!(["services"]), "{path}");
        for status in statuses {
            assert!(get["responses"].get(*status).is_some(), "{path} {status}");
        }
    }
    let statuses = &doc["components"]["schemas"]["RequestStatus"]["enum"];
    assert_eq!(statuses.as_array().unwrap().len(), RequestStatus::ALL.len());
}

impl TestApp {
    async fn cancel_request(&self, token: &str, id: &str) -> Reply {
        self.send(json_request(
            "POST",
            &format!("{REQUESTS}/{id}/cancel"),
            Some(token),
            &json!({}),
        ))
        .await
    }
}

#[tokio::test]
async fn a_pending_request_is_canceled_once_and_an_answered_one_is_409() {
    let (app, token) = ada().await;
    let asked = app
        .post_request(&token, &json!({"kind": "service", "description": "Wasps"}))
        .await
        .json();
    let id = asked["id"].as_str().unwrap().to_owned();
    let canceled = app.cancel_request(&token, &id).await;
    assert_eq!(canceled.status, StatusCode::OK, "{}", canceled.body);
    let canceled = canceled.json();
    assert_eq!(canceled["id"], asked["id"]);
    assert_eq!(canceled["status"], "canceled");
    assert_eq!(canceled["service"], asked["service"]);
    assert_eq!(app.outbox_rows("service_request_canceled").await, 1);

    let again = app.cancel_request(&token, &id).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(
        again.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(
        again.json()["detail"],
        "This request can no longer be canceled (status: Canceled)."
    );

    let answered = app
        .post_request(&token, &json!({"kind": "service", "description": "Mow"}))
        .await
        .json();
    let answered_id = answered["id"].as_str().unwrap().to_owned();
    app.portal
        .host()
        .set_request_status(
            app.tenant_id(),
            ServiceRequestId::parse(&answered_id).unwrap(),
            RequestStatus::InProgress,
            "On our way",
        )
        .await
        .unwrap();
    let refused = app.cancel_request(&token, &answered_id).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    let read = app
        .send(get_request(
            &format!("{REQUESTS}/{answered_id}"),
            Some(&token),
        ))
        .await
        .json();
    assert_eq!(read["status"], "in_progress");
    assert_eq!(read["host_note"], "On our way");
    assert_eq!(app.outbox_rows("service_request_canceled").await, 1);
}

#[tokio::test]
async fn another_accounts_request_cannot_be_canceled_nor_by_a_viewer_and_nothing_is_written() {
    let (app, token) = ada().await;
    app.register("bob@example.com").await;
    let bob = app.api_token("bob@example.com").await;
    let bobs = app
        .post_request(&bob, &json!({"kind": "service", "description": "Gutters"}))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for id in [
        bobs.clone(),
        uuid::Uuid::now_v7().to_string(),
        "42".to_owned(),
    ] {
        let reply = app.cancel_request(&token, &id).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{id}: {}", reply.body);
        assert!(!reply.body.contains("Gutters"));
    }

    let host = app.portal.host();
    let vic = host
        .upsert_contact(
            app.tenant_id(),
            &contact("vic", "Vic Viewer", "vic@example.com", None),
        )
        .await
        .unwrap();
    host.grant_membership(app.tenant_id(), vic.id, app.seeded.account_b, Role::Viewer)
        .await
        .unwrap();
    app.register("vic@example.com").await;
    let viewer = app.api_token("vic@example.com").await;
    let reply = app.cancel_request(&viewer, &bobs).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);

    let read = app
        .send(get_request(&format!("{REQUESTS}/{bobs}"), Some(&bob)))
        .await
        .json();
    assert_eq!(read["status"], "pending");
    assert_eq!(app.outbox_rows("service_request_canceled").await, 0);
}

const LEAK: &[u8] = b"Water under the sink since Monday.\n";

#[tokio::test]
async fn a_request_with_files_lists_them_and_only_its_account_downloads_them() {
    let (app, token) = ada().await;
    let kinds = app
        .send(get_request("/portal/api/v1/request-kinds", Some(&token)))
        .await
        .json();
    let service = &kinds["items"][0];
    assert_eq!(service["key"], "service");
    assert_eq!(service["files"]["max_files"], 5, "{kinds}");
    assert!(
        service["files"]["kinds"]
            .as_array()
            .unwrap()
            .contains(&json!("pdf"))
    );

    let made = app
        .send(post_parts(
            REQUESTS,
            &token,
            &[("kind", "service"), ("description", "Water under the sink")],
            &[("leak.txt", LEAK)],
        ))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let request = made.json();
    let id = request["id"].as_str().unwrap().to_owned();
    assert_eq!(request["service"]["description"], "Water under the sink");
    let file = &request["attachments"][0];
    assert_eq!(file["name"], "leak.txt");
    assert_eq!(file["kind"], "text");
    assert_eq!(file["size"], LEAK.len());
    let url = file["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("{REQUESTS}/{id}/attachments/")),
        "{url}"
    );
    assert_eq!(app.requests_of(&token).await["items"][0], request);

    let download = app.send(get_request(&url, Some(&token))).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body.as_bytes(), LEAK);
    assert_eq!(download.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");

    // Another account's contact, a guessed id, a malformed one: 404.
    app.register("bob@example.com").await;
    let bob = app.api_token("bob@example.com").await;
    let attachment = url.rsplit('/').next().unwrap();
    for (path, who) in [
        (url.clone(), &bob),
        (
            format!("{REQUESTS}/{id}/attachments/{}", ServiceRequestId::new()),
            &token,
        ),
        (
            format!(
                "{REQUESTS}/{}/attachments/{attachment}",
                ServiceRequestId::new()
            ),
            &token,
        ),
        (format!("{REQUESTS}/{id}/attachments/nope"), &token),
    ] {
        let reply = app.send(get_request(&path, Some(who))).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn a_multipart_request_refused_keeps_nothing() {
    let (app, token) = ada().await;
    app.portal
        .host()
        .declare_request_kind(app.tenant_id(), &reschedule())
        .await
        .unwrap();
    let file: &[(&str, &[u8])] = &[("leak.txt", LEAK)];
    // A kind that takes no files, a broken answer, answers that are not a
    // JSON object of text, an empty description, a call-off: 422 naming
    // the field, nothing written, no file kept.
    for (fields, field) in [
        (
            &[
                ("kind", "reschedule"),
                ("answers", r#"{"new_date": "2026-12-09"}"#),
            ][..],
            "file",
        ),
        (
            &[
                ("kind", "reschedule"),
                ("answers", r#"{"new_date": "soon"}"#),
            ][..],
            "answers.new_date",
        ),
        (
            &[("kind", "reschedule"), ("answers", r#"{"new_date": 9}"#)][..],
            "answers",
        ),
        (
            &[("kind", "reschedule"), ("answers", "soon")][..],
            "answers",
        ),
        (
            &[("kind", "service"), ("description", " ")][..],
            "description",
        ),
        (&[("kind", "call_off")][..], "kind"),
    ] {
        let refused = app.send(post_parts(REQUESTS, &token, fields, file)).await;
        assert_invalid(&refused, field);
    }
    // A part the operation does not read: 400.
    let unknown = app
        .send(post_parts(
            REQUESTS,
            &token,
            &[
                ("kind", "service"),
                ("description", "Mow"),
                ("colour", "red"),
            ],
            file,
        ))
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "{}", unknown.body);
    // No `kind`, or an answer as a part of its own: 400.
    for fields in [
        &[("description", "Mow")][..],
        &[("kind", "reschedule"), ("answers.new_date", "2026-12-09")][..],
    ] {
        let refused = app.send(post_parts(REQUESTS, &token, fields, file)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    }
    // Neither JSON nor multipart: 415.
    let text = Request::builder()
        .method("POST")
        .uri(REQUESTS)
        .header(header::CONTENT_TYPE, "text/plain")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from("kind=service"))
        .unwrap();
    assert_eq!(
        app.send(text).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(app.outbox_rows("service_requested").await, 0);
    assert_eq!(stored_files(&app), 0);

    // A declared kind's answers as parts, with files when it takes them.
    let photos = RequestKind {
        attachments: true,
        ..reschedule()
    };
    app.portal
        .host()
        .declare_request_kind(app.tenant_id(), &photos)
        .await
        .unwrap();
    let made = app
        .send(post_parts(
            REQUESTS,
            &token,
            &[
                ("kind", "reschedule"),
                ("answers", r#"{"new_date": "2026-12-09"}"#),
            ],
            file,
        ))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let request = made.json();
    assert_eq!(request["answers"][0]["field"], "new_date");
    assert_eq!(request["attachments"].as_array().unwrap().len(), 1);
}
