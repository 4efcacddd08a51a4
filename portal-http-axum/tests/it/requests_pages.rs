//! Service requests on pages: "request service" (what and where, refused
//! at its field and writing nothing), a kind the business declared drawn
//! from its declaration and its answers checked, the list of every kind
//! with the business's answer, isolation, the switch, Spanish, and files
//! sent with a request (where its kind takes them) and downloaded.

use axum::http::StatusCode;
use axum::http::header;
use portal_core::blobs::{FileKind, sample};
use portal_core::requests::{FieldInput, FieldSpec, KindKey, RequestKind, RequestStatus};
use portal_core::shared::{Language, ServiceRequestId};
use portal_core::tenancy::PortalSettings;
use portal_i18n::testing::english_left;

use crate::harness::*;
use crate::jobs::{jobs_settings, main_of, upcoming_window};

fn key(text: &str) -> KindKey {
    KindKey::parse(text).unwrap()
}

/// "Skip a visit": which visit (required), why (optional), and when to
/// come instead (a choice).
fn skip_visit() -> RequestKind {
    RequestKind {
        key: key("skip_visit"),
        name: "Skip a visit".into(),
        description: "We will skip that visit; the next stays as planned.".into(),
        fields: vec![
            FieldSpec {
                name: key("visit"),
                label: "Which visit".into(),
                help: String::new(),
                required: true,
                input: FieldInput::Job,
            },
            FieldSpec {
                name: key("reason"),
                label: "Why".into(),
                help: "A word helps us plan.".into(),
                required: false,
                input: FieldInput::LongText { max_chars: 200 },
            },
            FieldSpec {
                name: key("next"),
                label: "Next visit".into(),
                help: String::new(),
                required: true,
                input: FieldInput::Choice {
                    options: vec!["As planned".into(), "One week later".into()],
                },
            },
        ],
        active: true,
        attachments: false,
    }
}

/// A kind with one field of every input, for the browser walk (the
/// business's words in Spanish, so the Spanish walk reads no English).
pub fn every_control() -> RequestKind {
    let field = |name: &str, label: &str, required, input| FieldSpec {
        name: key(name),
        label: label.into(),
        help: String::new(),
        required,
        input,
    };
    RequestKind {
        key: key("every_control"),
        name: "Cuéntenos más".into(),
        description: "Cada tipo de pregunta que un negocio puede hacer.".into(),
        fields: vec![
            field("visit", "Visita a saltar", true, FieldInput::Job),
            field("where", "Sitio", false, FieldInput::Property),
            field("invoice", "Factura en cuestión", false, FieldInput::Invoice),
            field(
                "day",
                "Día preferido",
                true,
                FieldInput::Date { from_today: true },
            ),
            field(
                "when",
                "Franja",
                true,
                FieldInput::Choice {
                    options: vec!["Mañana".into(), "Tarde".into()],
                },
            ),
            field(
                "people",
                "Personas",
                false,
                FieldInput::WholeNumber { min: 1, max: 9 },
            ),
            field(
                "subject",
                "Asunto breve",
                false,
                FieldInput::Text { max_chars: 80 },
            ),
            field(
                "details",
                "Más datos",
                false,
                FieldInput::LongText { max_chars: 500 },
            ),
        ],
        active: true,
        attachments: false,
    }
}

async fn app_with(settings: PortalSettings) -> TestApp {
    let app = TestApp::with_settings(settings).await;
    let a = app.seeded.account_a;
    app.property(a, "p-home", "Casa Lovelace").await;
    app.property(a, "p-cabin", "Lake cabin").await;
    app.portal
        .host()
        .declare_request_kind(app.tenant_id(), &skip_visit())
        .await
        .unwrap();
    app.register("ada@example.com").await;
    app.register("bob@example.com").await;
    app
}

/// The request id a successful form's redirect names.
fn request_id(reply: &Reply) -> ServiceRequestId {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    ServiceRequestId::parse(
        reply
            .location()
            .trim_start_matches("/portal/requests/")
            .trim_end_matches("?done=requested"),
    )
    .unwrap()
}

#[tokio::test]
async fn request_service_is_refused_at_its_field_and_writes_nothing_until_it_is_right() {
    let app = app_with(jobs_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let form = ada.get("/portal/requests/new/service").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Lake cabin"), "both properties offered");

    // Nothing described: the message sits at the description.
    let empty = ada
        .post_form("/portal/requests/new/service", &[("description", "   ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!error_at(&empty.body, "description").is_empty());
    // Two properties and none chosen: at the property, what was typed kept.
    let nowhere = ada
        .post_form(
            "/portal/requests/new/service",
            &[("description", "Wasps by the back door"), ("property", "")],
        )
        .await;
    assert_eq!(nowhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!error_at(&nowhere.body, "property").is_empty());
    assert!(nowhere.body.contains("Wasps by the back door"));
    assert_eq!(app.outbox_rows("service_requested").await, 0);
    let list = ada.get("/portal/requests").await;
    assert!(list.body.contains("You have not made any requests yet."));

    // Right: the request's page, and its host event.
    let cabin = form
        .body
        .split("<option value=\"")
        .find(|option| option.contains(">Lake cabin<"))
        .and_then(|option| option.split('"').next())
        .unwrap()
        .to_owned();
    let sent = ada
        .post_form(
            "/portal/requests/new/service",
            &[
                ("description", "<script>alert(1)</script> wasps"),
                ("property", &cabin),
            ],
        )
        .await;
    let id = request_id(&sent);
    assert_eq!(app.outbox_rows("service_requested").await, 1);
    let page = ada.get(sent.location()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("We have your request"));
    assert!(page.body.contains("Lake cabin") && page.body.contains("Received"));
    // What the customer typed is shown as text, never run.
    assert!(!page.body.contains("<script>alert(1)</script>"));
    assert!(
        page.body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62; wasps")
    );

    // The business answers; the list and the page follow.
    app.portal
        .host()
        .set_request_status(
            app.tenant_id(),
            id,
            RequestStatus::Scheduled,
            "Tuesday morning",
        )
        .await
        .unwrap();
    let page = ada.get(&format!("/portal/requests/{id}")).await;
    assert!(page.body.contains("Scheduled") && page.body.contains("Tuesday morning"));
    let open = ada.get("/portal/requests?status=open").await;
    assert!(open.body.contains("1 request") && open.body.contains("Request service"));
    let closed = ada.get("/portal/requests?status=closed").await;
    assert!(closed.body.contains("0 requests"), "{}", closed.body);
    let bad = ada.get("/portal/requests?status=soon").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!error_at(&bad.body, "status").is_empty());
}

#[tokio::test]
async fn a_declared_kind_is_drawn_from_its_declaration_and_its_answers_are_checked() {
    let app = app_with(jobs_settings()).await;
    let a = app.seeded.account_a;
    let visit = app
        .job(
            a,
            "J-1",
            portal_core::jobs::JobStatus::Scheduled,
            Some(upcoming_window()),
            None,
            (&[], &[]),
        )
        .await;
    let theirs = app
        .job(
            app.seeded.account_b,
            "J-9",
            portal_core::jobs::JobStatus::Scheduled,
            Some(upcoming_window()),
            None,
            (&[], &[]),
        )
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    let kinds = ada.get("/portal/requests/new").await;
    assert!(kinds.body.contains("Skip a visit") && kinds.body.contains("Request service"));
    let form = ada.get("/portal/requests/new/skip_visit").await;
    assert_eq!(form.status, StatusCode::OK);
    for words in [
        "Which visit",
        "J-1",
        "(optional) A word helps us plan.",
        "One week later",
    ] {
        assert!(form.body.contains(words), "{words}: {}", form.body);
    }
    assert!(
        !form.body.contains("J-9"),
        "another account's job is not offered"
    );

    let path = "/portal/requests/new/skip_visit";
    let missing = ada.post_form(path, &[("a_next", "As planned")]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!error_at(&missing.body, "a_visit").is_empty());
    let foreign = theirs.id.to_string();
    let tampered = ada
        .post_form(path, &[("a_visit", &foreign), ("a_next", "As planned")])
        .await;
    assert_eq!(tampered.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_at(&tampered.body, "a_visit").contains("choices"));
    let off_list = ada
        .post_form(
            path,
            &[("a_visit", &visit.id.to_string()), ("a_next", "Never")],
        )
        .await;
    assert_eq!(off_list.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_at(&off_list.body, "a_next").contains("One week later"));
    assert_eq!(app.outbox_rows("service_requested").await, 0);

    let sent = ada
        .post_form(
            path,
            &[
                ("a_visit", &visit.id.to_string()),
                ("a_reason", "Away that week"),
                ("a_next", "One week later"),
            ],
        )
        .await;
    request_id(&sent);
    let page = ada.get(sent.location()).await;
    for words in [
        "Skip a visit",
        "J-1 · Boiler service J-1",
        "Away that week",
        "One week later",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    assert_eq!(app.outbox_rows("service_requested").await, 1);

    // Retired, the kind is gone from the chooser and its form.
    app.portal
        .host()
        .declare_request_kind(
            app.tenant_id(),
            &RequestKind {
                active: false,
                ..skip_visit()
            },
        )
        .await
        .unwrap();
    assert!(
        !ada.get("/portal/requests/new")
            .await
            .body
            .contains("Skip a visit")
    );
    assert_eq!(ada.get(path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        ada.post_form(path, &[("a_visit", &visit.id.to_string())])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The request made stays listed under the name it was asked by.
    assert!(
        ada.get("/portal/requests")
            .await
            .body
            .contains("Skip a visit")
    );
}

#[tokio::test]
async fn another_accounts_request_is_not_found_and_the_switch_closes_the_pages() {
    let app = app_with(jobs_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let sent = ada
        .post_form(
            "/portal/requests/new/service",
            &[("description", "Mow"), ("property", "")],
        )
        .await;
    // Two properties: refused; with one chosen it goes through.
    assert_eq!(sent.status, StatusCode::UNPROCESSABLE_ENTITY);
    let form = ada.get("/portal/requests/new/service").await;
    let home = form
        .body
        .split("<option value=\"")
        .find(|option| option.contains(">Casa Lovelace<"))
        .and_then(|option| option.split('"').next())
        .unwrap()
        .to_owned();
    let sent = ada
        .post_form(
            "/portal/requests/new/service",
            &[("description", "Mow"), ("property", &home)],
        )
        .await;
    let id = request_id(&sent);
    let mut bob = app.logged_in("bob@example.com").await;
    for path in [
        format!("/portal/requests/{id}"),
        format!("/portal/requests/{}", ServiceRequestId::new()),
        "/portal/requests/not-an-id".to_owned(),
        "/portal/requests/new/unknown".to_owned(),
    ] {
        assert_eq!(bob.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert!(
        bob.get("/portal/requests")
            .await
            .body
            .contains("You have not made any requests yet.")
    );
    // A property of another account is refused at its field.
    let stolen = bob
        .post_form(
            "/portal/requests/new/service",
            &[("description", "Mow"), ("property", &home)],
        )
        .await;
    assert_eq!(
        stolen.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        stolen.body
    );
    assert_eq!(app.outbox_rows("service_requested").await, 1);

    let mut settings = jobs_settings();
    settings.features.services = false;
    let off = TestApp::with_settings(settings).await;
    off.register("ada@example.com").await;
    let mut ada = off.logged_in("ada@example.com").await;
    for path in ["/portal/requests", "/portal/requests/new/service"] {
        assert_eq!(ada.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert!(
        !ada.get("/portal/dashboard")
            .await
            .body
            .contains("/portal/requests\"")
    );
}

#[tokio::test]
async fn the_request_pages_in_spanish_have_no_english_left() {
    let mut settings = jobs_settings();
    settings.language = Language::Spanish;
    let app = app_with(settings).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let form = ada.get("/portal/requests/new/service").await;
    let home = form
        .body
        .split("<option value=\"")
        .find(|option| option.contains(">Casa Lovelace<"))
        .and_then(|option| option.split('"').next())
        .unwrap()
        .to_owned();
    let sent = ada
        .post_form(
            "/portal/requests/new/service",
            &[("description", "Avispas"), ("property", &home)],
        )
        .await;
    let id = request_id(&sent);
    for path in [
        "/portal/requests".to_owned(),
        "/portal/requests/new".to_owned(),
        "/portal/requests/new/service".to_owned(),
        format!("/portal/requests/{id}"),
    ] {
        let page = ada.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        // The business's own words are not ours to translate.
        let main = main_of(&page.body)
            .replace("Skip a visit", "")
            .replace("We will skip that visit; the next stays as planned.", "")
            .replace("Lake cabin", "")
            .replace("Casa Lovelace", "");
        assert_eq!(english_left(&main), Vec::<String>::new(), "{path}: {main}");
    }
}

/// Ada's service request at her home, by the form; its id.
async fn ask_for_mowing(ada: &mut Browser<'_>) -> ServiceRequestId {
    let form = ada.get("/portal/requests/new/service").await;
    let home = form
        .body
        .split("<option value=\"")
        .find(|option| option.contains(">Casa Lovelace<"))
        .and_then(|option| option.split('"').next())
        .unwrap()
        .to_owned();
    let sent = ada
        .post_form(
            "/portal/requests/new/service",
            &[("description", "Mow"), ("property", &home)],
        )
        .await;
    request_id(&sent)
}

#[tokio::test]
async fn a_pending_request_is_canceled_from_its_page_once_and_an_answered_one_is_not() {
    let app = app_with(jobs_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let id = ask_for_mowing(&mut ada).await;
    let page = ada.get(&format!("/portal/requests/{id}")).await;
    assert!(
        page.body
            .contains(&format!("action=\"/portal/requests/{id}/cancel\"")),
        "{}",
        page.body
    );
    assert!(page.body.contains("Cancel request"));

    let canceled = ada
        .post_form(&format!("/portal/requests/{id}/cancel"), &[])
        .await;
    assert_eq!(canceled.status, StatusCode::SEE_OTHER, "{}", canceled.body);
    assert_eq!(
        canceled.location(),
        format!("/portal/requests/{id}?done=canceled")
    );
    let page = ada.get(canceled.location()).await;
    assert!(
        page.body.contains("Your request is canceled."),
        "{}",
        page.body
    );
    assert!(page.body.contains("Canceled"));
    assert!(!page.body.contains("/cancel\""), "no second cancel offered");
    assert_eq!(app.outbox_rows("service_request_canceled").await, 1);

    // Again (a stale page): the reason, 409, nothing more written.
    let again = ada
        .post_form(&format!("/portal/requests/{id}/cancel"), &[])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(
        again
            .body
            .contains("This request can no longer be canceled (status: Canceled)."),
        "{}",
        again.body
    );
    assert_eq!(app.outbox_rows("service_request_canceled").await, 1);

    // The business has answered: refused, the answer stands.
    let answered = ask_for_mowing(&mut ada).await;
    app.portal
        .host()
        .set_request_status(app.tenant_id(), answered, RequestStatus::Scheduled, "Tue")
        .await
        .unwrap();
    let page = ada.get(&format!("/portal/requests/{answered}")).await;
    assert!(!page.body.contains("/cancel\""), "{}", page.body);
    let refused = ada
        .post_form(&format!("/portal/requests/{answered}/cancel"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(
        refused.body.contains("(status: Scheduled)"),
        "{}",
        refused.body
    );
    let request = app
        .portal
        .host()
        .request(app.tenant_id(), answered)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(request.status, RequestStatus::Scheduled);
    assert_eq!(app.outbox_rows("service_request_canceled").await, 1);
}

#[tokio::test]
async fn another_accounts_request_cannot_be_canceled_nor_by_a_viewer() {
    let app = app_with(jobs_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let id = ask_for_mowing(&mut ada).await;
    let mut bob = app.logged_in("bob@example.com").await;
    for path in [
        format!("/portal/requests/{id}/cancel"),
        format!("/portal/requests/{}/cancel", ServiceRequestId::new()),
        "/portal/requests/not-an-id/cancel".to_owned(),
    ] {
        let refused = bob.post_form(&path, &[]).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{path}");
    }

    // A viewer of Ada's own account may look, not cancel.
    let host = app.portal.host();
    let vic = host
        .upsert_contact(
            app.tenant_id(),
            &contact("vic", "Vic Viewer", "vic@example.com", None),
        )
        .await
        .unwrap();
    host.grant_membership(
        app.tenant_id(),
        vic.id,
        app.seeded.account_a,
        portal_core::access::Role::Viewer,
    )
    .await
    .unwrap();
    app.register("vic@example.com").await;
    let mut vic = app.logged_in("vic@example.com").await;
    let refused = vic
        .post_form(&format!("/portal/requests/{id}/cancel"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    let request = host.request(app.tenant_id(), id).await.unwrap().unwrap();
    assert_eq!(request.status, RequestStatus::Pending);
    assert_eq!(app.outbox_rows("service_request_canceled").await, 0);
}

/// The first attachment link on a request's page.
fn first_file(page: &str) -> String {
    let start = page.find("/attachments/").expect("an attachment link");
    let href_start = page[..start].rfind("href=\"").unwrap() + 6;
    let end = start + page[start..].find('"').unwrap();
    page[href_start..end].to_owned()
}

/// The id of the option labelled `label` in a form.
fn option_value(form: &str, label: &str) -> String {
    form.split("<option value=\"")
        .find(|option| option.contains(&format!(">{label}<")))
        .and_then(|option| option.split('"').next())
        .unwrap()
        .to_owned()
}

const LEAK: &[u8] = "Water under the sink since Monday. ¿Pueden venir?\n".as_bytes();

#[tokio::test]
async fn a_service_request_carries_files_its_page_lists_and_only_its_account_downloads() {
    let app = app_with(jobs_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let form = ada.get("/portal/requests/new/service").await;
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    assert!(form.body.contains("type=\"file\""));
    let home = option_value(&form.body, "Casa Lovelace");
    let png = sample(FileKind::Png);

    // Refused at its field: nothing written and no file kept.
    let refused = ada
        .post_multipart(
            "/portal/requests/new/service",
            &[("description", " "), ("property", &home)],
            &[("leak.txt", LEAK)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!error_at(&refused.body, "description").is_empty());
    assert_eq!(
        stored_files(&app),
        0,
        "the refused request's file is removed"
    );
    assert_eq!(app.outbox_rows("service_requested").await, 0);

    let sent = ada
        .post_multipart(
            "/portal/requests/new/service",
            &[("description", "Water under the sink"), ("property", &home)],
            &[("leak.txt", LEAK), ("sink.png", &png)],
        )
        .await;
    let id = request_id(&sent);
    assert_eq!(
        stored_files(&app),
        2 * 2,
        "each file and what is kept about it"
    );
    let event = app.outbox_payloads("service_requested").await;
    assert!(event[0].contains("\"attachments\":2"), "{event:?}");

    let page = ada.get(sent.location()).await;
    assert!(page.body.contains("Photos and files"));
    assert!(page.body.contains("leak.txt") && page.body.contains("sink.png"));
    let link = first_file(&page.body);
    assert!(link.starts_with(&format!("/portal/requests/{id}/attachments/")));
    let download = ada.get(&link).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body.as_bytes(), LEAK);
    let headers = &download.headers;
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"leak.txt\"; filename*=UTF-8''leak.txt"
    );
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");

    // Another account's contact: the file is not found; nor is a file
    // named under another request, or a malformed id.
    let mut bob = app.logged_in("bob@example.com").await;
    assert_eq!(bob.get(&link).await.status, StatusCode::NOT_FOUND);
    let attachment = link.rsplit('/').next().unwrap();
    let other = ada
        .post_form(
            "/portal/requests/new/service",
            &[("description", "Mow"), ("property", &home)],
        )
        .await;
    let other = request_id(&other);
    for path in [
        format!("/portal/requests/{other}/attachments/{attachment}"),
        format!("/portal/requests/{id}/attachments/not-an-id"),
        format!(
            "/portal/requests/{id}/attachments/{}",
            ServiceRequestId::new()
        ),
    ] {
        assert_eq!(ada.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn a_kind_that_takes_no_files_offers_no_input_and_refuses_a_file_keeping_none() {
    let mut settings = jobs_settings();
    settings.service_request_attachments = false;
    let app = app_with(settings).await;
    let mut ada = app.logged_in("ada@example.com").await;
    for kind in ["service", "skip_visit"] {
        let form = ada.get(&format!("/portal/requests/new/{kind}")).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(!form.body.contains("type=\"file\""), "{kind}");
        assert!(!form.body.contains("multipart/form-data"), "{kind}");
    }
    let form = ada.get("/portal/requests/new/service").await;
    let home = option_value(&form.body, "Casa Lovelace");
    let refused = ada
        .post_multipart(
            "/portal/requests/new/service",
            &[("description", "Water under the sink"), ("property", &home)],
            &[("leak.txt", LEAK)],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Water under the sink"),
        "what was typed is kept"
    );
    assert_eq!(stored_files(&app), 0);
    assert_eq!(app.outbox_rows("service_requested").await, 0);

    // A declared kind that takes files offers them.
    let photos = RequestKind {
        attachments: true,
        ..skip_visit()
    };
    app.portal
        .host()
        .declare_request_kind(app.tenant_id(), &photos)
        .await
        .unwrap();
    let form = ada.get("/portal/requests/new/skip_visit").await;
    assert!(form.body.contains("type=\"file\""));
}
