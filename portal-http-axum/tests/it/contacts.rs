//! Portal users through the router: a manager adds, edits, switches off
//! and removes colleagues on pages and the API; bad input, a taken
//! e-mail, the last manager and a contact without the permission are each
//! a clear 4xx with nothing written; another account's contacts are 404;
//! a switched-off contact's session is refused on its very next request.

use axum::http::StatusCode;
use serde_json::json;

use crate::harness::{
    PASSWORD, TestApp, error_at, get_request, json_request, link_of, path_of, token_in,
};

/// The host events a manager's changes write (`contact_registered`, which
/// registering writes, is not one).
const CHANGE_EVENTS: [&str; 5] = [
    "\"event\":\"contact_added",
    "\"event\":\"contact_updated",
    "\"event\":\"contact_role_changed",
    "\"event\":\"contact_portal_access_changed",
    "\"event\":\"contact_removed",
];

/// How many contact-change events the outbox holds.
async fn change_events(app: &TestApp) -> i64 {
    let mut rows = 0;
    for event in CHANGE_EVENTS {
        rows += app.outbox_rows(event).await;
    }
    rows
}

/// `contact` acting as a primary contact of `account` (what a session
/// would make), for seeding through the use cases.
pub fn primary(
    app: &TestApp,
    contact: portal_core::shared::ContactId,
    account: portal_core::shared::AccountId,
) -> portal_core::access::Actor {
    portal_core::access::Actor::Contact(portal_core::access::ContactActor {
        tenant: app.tenant_id(),
        contact,
        account,
        role: portal_core::access::Role::Primary,
        session: portal_core::shared::SessionId::new(),
        client: Default::default(),
    })
}

/// The app with Ada (primary on account A, member on C) registered.
async fn app() -> TestApp {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    app
}

/// Accepts the invitation mailed to `email`: follows the link and sets
/// [`PASSWORD`].
async fn accept_invitation(app: &TestApp, email: &str) {
    app.deliver_mail().await;
    let mail = app.mailbox.to(email).pop().expect("an invitation mail");
    assert!(
        matches!(mail.kind, portal_core::outbox::EmailKind::Invitation { .. }),
        "{:?}",
        mail.kind
    );
    let path = path_of(&link_of(&mail));
    let mut browser = app.browser();
    assert_eq!(browser.get(&path).await.status, StatusCode::OK);
    let done = browser
        .submit_new_password(&token_in(&path), PASSWORD, PASSWORD)
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
}

/// Adds a contact through the API as `token`'s contact; their id.
async fn add(app: &TestApp, token: &str, name: &str, email: &str, role: &str) -> String {
    let reply = app
        .send(json_request(
            "POST",
            "/portal/api/v1/contacts",
            Some(token),
            &json!({"name": name, "email": email, "role": role}),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_manager_adds_a_colleague_on_the_page_who_accepts_the_invitation_and_logs_in() {
    let app = app().await;
    let mut ada = app.logged_in("ada@example.com").await;
    let list = ada.get("/portal/contacts").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("Ada Lovelace"));
    let dashboard = ada.get("/portal/dashboard").await;
    assert!(
        dashboard.body.contains("/portal/contacts\""),
        "the nav links it"
    );

    let form = ada.get("/portal/contacts/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let added = ada
        .post_form(
            "/portal/contacts/new",
            &[
                ("name", "Grace Hopper"),
                ("email", "grace@example.com"),
                ("phone", ""),
                ("role", "member"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(app.outbox_rows("\"event\":\"contact_added").await, 1);
    let list = ada.get("/portal/contacts?done=added").await;
    assert!(list.body.contains("Grace Hopper"));
    assert!(list.body.contains("Invited, no password yet"));

    accept_invitation(&app, "grace@example.com").await;
    let mut grace = app.logged_in("grace@example.com").await;
    assert_eq!(grace.get("/portal/dashboard").await.status, StatusCode::OK);
    // A member may not manage contacts, and is not offered the page.
    assert_eq!(
        grace.get("/portal/contacts").await.status,
        StatusCode::FORBIDDEN
    );
    let list = ada.get("/portal/contacts").await;
    assert!(list.body.contains("Active"));
}

#[tokio::test]
async fn bad_input_and_a_taken_email_are_shown_at_their_input_and_write_nothing() {
    let app = app().await;
    let mut ada = app.logged_in("ada@example.com").await;
    ada.get("/portal/contacts/new").await;
    let typed = |email: &'static str| {
        [
            ("name", "Grace Hopper"),
            ("email", email),
            ("phone", ""),
            ("role", "member"),
        ]
    };
    let invalid = ada.post_form("/portal/contacts/new", &typed("grace")).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!error_at(&invalid.body, "email").is_empty());
    let no_name = ada
        .post_form(
            "/portal/contacts/new",
            &[
                ("name", " "),
                ("email", "g@example.com"),
                ("role", "member"),
            ],
        )
        .await;
    assert_eq!(no_name.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!error_at(&no_name.body, "name").is_empty());
    // Bob is another account's contact: the answer says only that the
    // e-mail cannot be used.
    let taken = ada
        .post_form("/portal/contacts/new", &typed("bob@example.com"))
        .await;
    assert!(taken.status.is_client_error(), "{}", taken.status);
    let message = error_at(&taken.body, "email");
    assert!(message.contains("cannot be used"), "{message}");
    assert!(!taken.body.contains("Bob"));
    assert_eq!(change_events(&app).await, 0);

    let token = app.api_token("ada@example.com").await;
    let reply = app
        .send(json_request(
            "POST",
            "/portal/api/v1/contacts",
            Some(&token),
            &json!({"name": "Twin", "email": "bob@example.com", "role": "member"}),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(reply.json()["field"], "email");
    let reply = app
        .send(json_request(
            "POST",
            "/portal/api/v1/contacts",
            Some(&token),
            &json!({"name": "Grace", "email": "not-an-email", "role": "member"}),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json()["field"], "email");
    let reply = app
        .send(json_request(
            "POST",
            "/portal/api/v1/contacts",
            Some(&token),
            &json!({"name": "Grace", "email": "grace@example.com", "role": "boss"}),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json()["field"], "role");
    assert_eq!(change_events(&app).await, 0);
    let list = app
        .send(get_request("/portal/api/v1/contacts", Some(&token)))
        .await;
    assert_eq!(list.json()["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_last_manager_is_never_demoted_and_no_manager_switches_off_or_removes_themself() {
    let app = app().await;
    let ada_id = app.seeded.ada.to_string();
    let mut ada = app.logged_in("ada@example.com").await;
    ada.get("/portal/contacts").await;
    let off = ada
        .post_form(
            &format!("/portal/contacts/{ada_id}/access"),
            &[("access", "off")],
        )
        .await;
    assert_eq!(off.status, StatusCode::CONFLICT, "{}", off.body);
    assert!(off.body.contains("switch off or remove your own access"));
    let removed = ada
        .post_form(&format!("/portal/contacts/{ada_id}/remove"), &[])
        .await;
    assert_eq!(removed.status, StatusCode::CONFLICT);
    let demoted = ada
        .post_form(
            &format!("/portal/contacts/{ada_id}"),
            &[
                ("name", "Ada Lovelace"),
                ("email", "ada@example.com"),
                ("phone", ""),
                ("role", "member"),
            ],
        )
        .await;
    assert_eq!(demoted.status, StatusCode::CONFLICT, "{}", demoted.body);
    assert!(
        demoted
            .body
            .contains("Someone must be able to manage portal users")
    );

    let token = app.api_token("ada@example.com").await;
    let uri = format!("/portal/api/v1/contacts/{ada_id}");
    let patch = json_request("PATCH", &uri, Some(&token), &json!({"role": "viewer"}));
    assert_eq!(app.send(patch).await.status, StatusCode::CONFLICT);
    let access = json_request(
        "PUT",
        &format!("{uri}/access"),
        Some(&token),
        &json!({"enabled": false}),
    );
    assert_eq!(app.send(access).await.status, StatusCode::CONFLICT);
    let delete = json_request("DELETE", &uri, Some(&token), &json!({}));
    assert_eq!(app.send(delete).await.status, StatusCode::CONFLICT);
    assert_eq!(change_events(&app).await, 0);
    let me = app.send(get_request(&uri, Some(&token))).await;
    assert_eq!(me.json()["role"], "primary");
    assert_eq!(me.json()["portal_access"], true);
}

#[tokio::test]
async fn a_contact_without_manage_contacts_is_refused_on_every_route_and_nothing_is_written() {
    let app = app().await;
    // Ada is a member, not a manager, on account C.
    let token = app.api_token("ada@example.com").await;
    let switch = json_request(
        "PUT",
        "/portal/api/v1/me/active-account",
        Some(&token),
        &json!({"account_id": app.seeded.account_c.to_string()}),
    );
    let switched = app.send(switch).await;
    assert!(switched.status.is_success(), "{}", switched.body);
    let ada = app.seeded.ada.to_string();
    let one = format!("/portal/api/v1/contacts/{ada}");
    let body = json!({"name": "X", "email": "x@example.com", "role": "member"});
    for (method, uri, body) in [
        ("GET", "/portal/api/v1/contacts".to_owned(), json!({})),
        ("POST", "/portal/api/v1/contacts".to_owned(), body.clone()),
        ("GET", one.clone(), json!({})),
        ("PATCH", one.clone(), json!({"role": "viewer"})),
        ("PUT", format!("{one}/access"), json!({"enabled": false})),
        ("DELETE", one.clone(), json!({})),
    ] {
        let reply = app
            .send(json_request(method, &uri, Some(&token), &body))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{method} {uri}: {}",
            reply.body
        );
    }

    let mut browser = app.logged_in("ada@example.com").await;
    browser.get("/portal/dashboard").await;
    let switched = browser
        .post_form(
            "/portal/switch-account",
            &[("account_id", &app.seeded.account_c.to_string())],
        )
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER, "{}", switched.body);
    let dashboard = browser.get("/portal/dashboard").await;
    assert!(
        !dashboard.body.contains("/portal/contacts\""),
        "no nav entry"
    );
    for uri in [
        "/portal/contacts".to_owned(),
        "/portal/contacts/new".to_owned(),
        format!("/portal/contacts/{ada}"),
        format!("/portal/contacts/{ada}/remove"),
    ] {
        assert_eq!(
            browser.get(&uri).await.status,
            StatusCode::FORBIDDEN,
            "{uri}"
        );
    }
    let fields = [
        ("name", "X"),
        ("email", "x@example.com"),
        ("role", "member"),
        ("access", "off"),
    ];
    for uri in [
        "/portal/contacts/new".to_owned(),
        format!("/portal/contacts/{ada}"),
        format!("/portal/contacts/{ada}/access"),
        format!("/portal/contacts/{ada}/remove"),
    ] {
        let reply = browser.post_form(&uri, &fields).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{uri}");
    }
    assert_eq!(change_events(&app).await, 0);
}

#[tokio::test]
async fn another_accounts_contacts_are_not_found_for_a_manager() {
    let app = app().await;
    let bob = app.seeded.bob.to_string();
    let token = app.api_token("ada@example.com").await;
    let one = format!("/portal/api/v1/contacts/{bob}");
    for (method, uri, body) in [
        ("GET", one.clone(), json!({})),
        ("PATCH", one.clone(), json!({"role": "viewer"})),
        ("PUT", format!("{one}/access"), json!({"enabled": false})),
        ("DELETE", one.clone(), json!({})),
    ] {
        let reply = app
            .send(json_request(method, &uri, Some(&token), &body))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{method} {uri}: {}",
            reply.body
        );
    }
    let mut browser = app.logged_in("ada@example.com").await;
    browser.get("/portal/contacts").await;
    assert_eq!(
        browser.get(&format!("/portal/contacts/{bob}")).await.status,
        StatusCode::NOT_FOUND
    );
    let off = browser
        .post_form(
            &format!("/portal/contacts/{bob}/access"),
            &[("access", "off")],
        )
        .await;
    assert_eq!(off.status, StatusCode::NOT_FOUND);
    let list = app
        .send(get_request("/portal/api/v1/contacts", Some(&token)))
        .await;
    assert!(!list.body.contains("Bob"));
    assert_eq!(change_events(&app).await, 0);
}

#[tokio::test]
async fn a_switched_off_contacts_session_is_refused_on_its_very_next_request() {
    let app = app().await;
    let ada = app.api_token("ada@example.com").await;
    let grace_id = add(&app, &ada, "Grace Hopper", "grace@example.com", "billing").await;
    accept_invitation(&app, "grace@example.com").await;
    let grace_token = app.api_token("grace@example.com").await;
    let mut grace = app.logged_in("grace@example.com").await;
    assert_eq!(grace.get("/portal/dashboard").await.status, StatusCode::OK);
    let me = get_request("/portal/api/v1/me", Some(&grace_token));
    assert_eq!(app.send(me).await.status, StatusCode::OK);

    let off = app
        .send(json_request(
            "PUT",
            &format!("/portal/api/v1/contacts/{grace_id}/access"),
            Some(&ada),
            &json!({"enabled": false}),
        ))
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(off.json()["status"], "no_access");
    assert_eq!(
        app.outbox_rows("\"event\":\"contact_portal_access_changed")
            .await,
        1
    );
    let me = get_request("/portal/api/v1/me", Some(&grace_token));
    assert_eq!(app.send(me).await.status, StatusCode::UNAUTHORIZED);
    let page = grace.get("/portal/dashboard").await;
    assert!(
        page.status.is_redirection() || page.status == StatusCode::UNAUTHORIZED,
        "{}",
        page.status
    );
    // Nor can she log in again to this account.
    let mut again = app.browser();
    again.get("/portal/login").await;
    let reply = again.submit_login("grace@example.com", PASSWORD).await;
    assert_ne!(reply.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn api_changes_reach_the_host_as_events() {
    let app = app().await;
    let ada = app.api_token("ada@example.com").await;
    let grace = add(&app, &ada, "Grace Hopper", "grace@example.com", "member").await;
    let paged = app
        .send(get_request(
            "/portal/api/v1/contacts?per_page=1&page=2",
            Some(&ada),
        ))
        .await;
    assert_eq!(paged.status, StatusCode::OK, "{}", paged.body);
    assert_eq!(paged.json()["total"], 2);
    assert_eq!(paged.json()["items"].as_array().unwrap().len(), 1);
    let malformed = app
        .send(get_request("/portal/api/v1/contacts?page=x", Some(&ada)))
        .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(malformed.json()["field"], "page");
    let uri = format!("/portal/api/v1/contacts/{grace}");
    let one = app.send(get_request(&uri, Some(&ada))).await;
    assert!(
        one.json()["external_id"]
            .as_str()
            .unwrap()
            .starts_with("portal-")
    );
    let renamed = app
        .send(json_request(
            "PATCH",
            &uri,
            Some(&ada),
            &json!({"name": "Grace B. Hopper", "phone": "555 010 0199"}),
        ))
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    assert_eq!(renamed.json()["name"], "Grace B. Hopper");
    let promoted = app
        .send(json_request(
            "PATCH",
            &uri,
            Some(&ada),
            &json!({"role": "primary"}),
        ))
        .await;
    assert_eq!(promoted.json()["role"], "primary");
    let removed = app
        .send(json_request("DELETE", &uri, Some(&ada), &json!({})))
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    for event in [
        "contact_added",
        "contact_updated",
        "contact_role_changed",
        "contact_removed",
    ] {
        let rows = app.outbox_rows(&format!("\"event\":\"{event}")).await;
        assert_eq!(rows, 1, "{event}");
    }
    assert_eq!(
        app.send(get_request(&uri, Some(&ada))).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_manager_changes_their_own_email_only_on_their_account_page() {
    let app = app().await;
    let token = app.api_token("ada@example.com").await;
    let uri = format!("/portal/api/v1/contacts/{}", app.seeded.ada);
    let reply = app
        .send(json_request(
            "PATCH",
            &uri,
            Some(&token),
            &json!({"email": "mallory@example.com"}),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(reply.json()["field"], "email");
    // Their name is theirs to change here.
    let renamed = app
        .send(json_request(
            "PATCH",
            &uri,
            Some(&token),
            &json!({"name": "Ada King"}),
        ))
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    assert_eq!(renamed.json()["email"], "ada@example.com");
    let blank_phone = app
        .send(json_request(
            "POST",
            "/portal/api/v1/contacts",
            Some(&token),
            &json!({"name": "Grace", "email": "grace@example.com", "phone": "", "role": "member"}),
        ))
        .await;
    assert_eq!(blank_phone.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(blank_phone.json()["field"], "phone");
}
