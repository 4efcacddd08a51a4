//! A contact's own details on the account page and the API: name and
//! phone change at once (the business is told, the audit log records
//! it); bad input is refused next to its field and writes nothing; the
//! e-mail changes only once the new address confirms it from the mailed
//! link, the old address is told, and the link works once. Other numbers
//! (up to three, with their kind) are kept and replaced whole.

use axum::http::StatusCode;
use portal_core::outbox::EmailKind;

use crate::harness::*;

async fn details_events(app: &TestApp) -> i64 {
    app.outbox_rows("\"event\":\"contact_details_changed").await
}

#[tokio::test]
async fn a_contact_changes_their_name_and_phone_and_bad_input_writes_nothing() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut ada = app.logged_in("ada@example.com").await;
    let page = ada.get("/portal/account").await;
    assert!(page.body.contains("action=\"/portal/account/profile\""));
    assert!(page.body.contains("/portal/notifications/settings"));

    let saved = ada
        .post_form(
            "/portal/account/profile",
            &[("name", "Ada Lovelace"), ("phone", "555 0100 42")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = ada.get("/portal/account?done=profile").await;
    assert!(
        page.body.contains("value=\"Ada Lovelace\""),
        "{}",
        page.body
    );
    assert_eq!(details_events(&app).await, 1);

    for (name, phone, field) in [("   ", "", "name"), ("Ada", "call me", "phone")] {
        let refused = ada
            .post_form(
                "/portal/account/profile",
                &[("name", name), ("phone", phone)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        error_at(&refused.body, field);
    }
    // Bob's phone is Bob's.
    let taken = ada
        .post_form(
            "/portal/account/profile",
            &[("name", "Ada"), ("phone", "555 0100 02")],
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    assert!(
        taken.body.contains("value=\"555 0100 02\""),
        "what was typed stays"
    );
    assert_eq!(details_events(&app).await, 1, "nothing more written");
    let log = ada.get("/portal/security/audit").await;
    assert!(log.body.contains("Changed their details"));
}

#[tokio::test]
async fn the_email_changes_once_the_new_address_confirms_and_the_old_one_is_told() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut ada = app.logged_in("ada@example.com").await;
    let same = ada
        .post_form(
            "/portal/account/email",
            &[("email", "ada@example.com"), ("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    error_at(&same.body, "email");
    let bad = ada
        .post_form(
            "/portal/account/email",
            &[("email", "not an address"), ("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("value=\"not an address\""));

    // The email is a log-in name: the password is asked first.
    let wrong = ada
        .post_form(
            "/portal/account/email",
            &[
                ("email", "ada@lovelace.example"),
                ("current_password", "guess"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    error_at(&wrong.body, "email_current_password");
    app.deliver_mail().await;
    assert!(app.mailbox.to("ada@lovelace.example").is_empty());
    let asked = ada
        .post_form(
            "/portal/account/email",
            &[
                ("email", "ada@lovelace.example"),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    app.deliver_mail().await;
    let mail = app
        .mailbox
        .to("ada@lovelace.example")
        .pop()
        .expect("a confirmation mail to the new address");
    let path = path_of(&link_of(&mail));
    // Nothing changed yet, and opening the link changes nothing either.
    let page = ada.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("ada@lovelace.example"));
    let me = ada.get("/portal/account").await;
    assert!(me.body.contains("<strong>ada@example.com</strong>"));

    let token = token_in(&path);
    let mut anyone = app.browser();
    anyone.get(&path).await;
    let done = anyone
        .post_form("/portal/confirm-email", &[("token", &token)])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    app.deliver_mail().await;
    let told = app.mailbox.to("ada@example.com");
    assert!(
        told.iter()
            .any(|mail| matches!(&mail.kind, EmailKind::EmailChanged { new_email, .. } if new_email.as_str() == "ada@lovelace.example")),
        "the old address is told"
    );
    // The new address logs in; the old one no longer does.
    let mut fresh = app.browser();
    fresh.get("/portal/login").await;
    let new_login = fresh.submit_login("ada@lovelace.example", PASSWORD).await;
    assert_eq!(new_login.status, StatusCode::SEE_OTHER);
    let mut old = app.browser();
    old.get("/portal/login").await;
    let old_login = old.submit_login("ada@example.com", PASSWORD).await;
    assert_eq!(old_login.status, StatusCode::UNAUTHORIZED);
    // The link works once.
    let again = anyone
        .post_form("/portal/confirm-email", &[("token", &token)])
        .await;
    assert_eq!(again.status, StatusCode::GONE, "{}", again.body);
    assert_eq!(details_events(&app).await, 1);
}

#[tokio::test]
async fn over_the_api_name_phone_and_email_change_the_same_way() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let token = app.api_token("ada@example.com").await;
    let changed = app
        .send(json_request(
            "PATCH",
            "/portal/api/v1/me",
            Some(&token),
            &serde_json::json!({"name": "Ada L.", "phone": null}),
        ))
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.json()["name"], "Ada L.");
    assert_eq!(changed.json()["phone"], serde_json::Value::Null);
    let refused = app
        .send(json_request(
            "PATCH",
            "/portal/api/v1/me",
            Some(&token),
            &serde_json::json!({"name": "", "phone": null}),
        ))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["field"], "name");
    // On the API only null removes the phone: "" is not a phone number.
    let blank = app
        .send(json_request(
            "PATCH",
            "/portal/api/v1/me",
            Some(&token),
            &serde_json::json!({"name": "Ada", "phone": ""}),
        ))
        .await;
    assert_eq!(
        blank.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        blank.body
    );
    assert_eq!(blank.json()["field"], "phone");
    let asked = app
        .send(json_request(
            "POST",
            "/portal/api/v1/me/email",
            Some(&token),
            &serde_json::json!({"email": "ada@new.example", "current_password": PASSWORD}),
        ))
        .await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
    app.deliver_mail().await;
    let mail = app.mailbox.to("ada@new.example").pop().unwrap();
    let link_token = token_in(&path_of(&link_of(&mail)));
    let confirm = |token: String| {
        json_request(
            "POST",
            "/portal/api/v1/email-changes/confirm",
            None,
            &serde_json::json!({ "token": token }),
        )
    };
    let done = app.send(confirm(link_token.clone())).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.body);
    let me = app
        .send(get_request("/portal/api/v1/me", Some(&token)))
        .await;
    assert_eq!(me.json()["email"], "ada@new.example");
    let again = app.send(confirm(link_token)).await;
    assert_eq!(again.status, StatusCode::GONE);
}

#[tokio::test]
async fn other_numbers_are_saved_from_the_page_shown_and_refused_at_their_row() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut ada = app.logged_in("ada@example.com").await;
    let page = ada.get("/portal/account").await;
    for input in ["other_kind_1", "other_phone_1", "other_phone_3"] {
        assert!(page.body.contains(&format!("id=\"{input}\"")), "{input}");
    }
    let saved = ada
        .post_form(
            "/portal/account/profile",
            &[
                ("name", "Ada"),
                ("phone", ""),
                ("other_kind_1", "work"),
                ("other_phone_1", "555 0100 71"),
                // A blank row is no number, whatever its kind says.
                ("other_kind_2", "home"),
                ("other_phone_2", ""),
                ("other_kind_3", "mobile"),
                ("other_phone_3", "+44 20 7946 0958"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = ada.get("/portal/account").await;
    assert!(page.body.contains("value=\"555010071\""), "{}", page.body);
    assert!(page.body.contains("value=\"+442079460958\""));
    assert_eq!(details_events(&app).await, 1);
    let event = app
        .outbox_payloads("\"event\":\"contact_details_changed")
        .await
        .pop()
        .unwrap();
    assert!(
        event.contains(
            "\"other_phones\":[{\"kind\":\"work\",\"number\":\"555010071\"},{\"kind\":\"mobile\""
        ),
        "{event}"
    );

    // A malformed number, or a kind the form never offers, is refused at
    // its own input; one given twice or the log-in phone among them, at
    // the group; nothing is written.
    let typed = |row2_kind: &'static str, row2: &'static str| {
        vec![
            ("name", "Ada"),
            ("phone", ""),
            ("other_kind_1", "work"),
            ("other_phone_1", "555 0100 71"),
            ("other_kind_2", row2_kind),
            ("other_phone_2", row2),
        ]
    };
    let malformed = ada
        .post_form("/portal/account/profile", &typed("home", "call me"))
        .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    error_at(&malformed.body, "other_phone_2");
    assert!(
        malformed.body.contains("value=\"call me\""),
        "what was typed stays"
    );
    let unknown = ada
        .post_form("/portal/account/profile", &typed("fax", "555 0100 73"))
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    error_at(&unknown.body, "other_kind_2");
    let twice = ada
        .post_form("/portal/account/profile", &typed("home", "555-0100-71"))
        .await;
    assert_eq!(
        twice.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        twice.body
    );
    group_error_at(
        &twice.body,
        "other_phones",
        &[
            "other_kind_1",
            "other_phone_1",
            "other_kind_3",
            "other_phone_3",
        ],
    );
    let login_phone = ada
        .post_form(
            "/portal/account/profile",
            &[
                ("name", "Ada"),
                ("phone", "555 0100 74"),
                ("other_kind_1", "work"),
                ("other_phone_1", "555-0100-74"),
            ],
        )
        .await;
    assert_eq!(login_phone.status, StatusCode::UNPROCESSABLE_ENTITY);
    let said = group_error_at(
        &login_phone.body,
        "other_phones",
        &["other_kind_1", "other_phone_3"],
    );
    assert!(said.contains("log-in phone"), "{said}");
    assert_eq!(details_events(&app).await, 1, "nothing more written");
}

#[tokio::test]
async fn over_the_api_other_numbers_are_replaced_whole_kept_when_absent_and_checked() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let token = app.api_token("ada@example.com").await;
    let patch =
        |body: serde_json::Value| json_request("PATCH", "/portal/api/v1/me", Some(&token), &body);
    let changed = app
        .send(patch(serde_json::json!({
            "name": "Ada",
            "other_phones": [{"kind": "mobile", "number": "555 0100 81"}, {"kind": "other", "number": "555 0100 82"}],
        })))
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(
        changed.json()["other_phones"],
        serde_json::json!([{"kind": "mobile", "number": "555010081"}, {"kind": "other", "number": "555010082"}])
    );
    let kept = app.send(patch(serde_json::json!({"name": "Ada K."}))).await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.body);
    assert_eq!(
        kept.json()["other_phones"].as_array().unwrap().len(),
        2,
        "absent keeps them"
    );
    let four = serde_json::json!([
        {"kind": "mobile", "number": "555 0100 91"},
        {"kind": "work", "number": "555 0100 92"},
        {"kind": "home", "number": "555 0100 93"},
        {"kind": "other", "number": "555 0100 94"},
    ]);
    for (others, why) in [
        (four, "more than three"),
        (
            serde_json::json!([{"kind": "pager", "number": "555 0100 91"}]),
            "an unknown kind",
        ),
        (
            serde_json::json!([{"kind": "work", "number": ""}]),
            "a blank number",
        ),
        (
            serde_json::json!([{"kind": "work", "number": "555 0100 91"}, {"kind": "home", "number": "555-0100-91"}]),
            "the same number twice",
        ),
    ] {
        let refused = app
            .send(patch(
                serde_json::json!({"name": "Ada", "other_phones": others}),
            ))
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{why}: {}",
            refused.body
        );
        assert_eq!(refused.json()["field"], "other_phones", "{why}");
    }
    let cleared = app
        .send(patch(
            serde_json::json!({"name": "Ada", "other_phones": []}),
        ))
        .await;
    assert_eq!(cleared.json()["other_phones"], serde_json::json!([]));
    let me = app
        .send(get_request("/portal/api/v1/me", Some(&token)))
        .await;
    assert_eq!(me.json()["name"], "Ada");
    assert_eq!(me.json()["other_phones"], serde_json::json!([]));
}
