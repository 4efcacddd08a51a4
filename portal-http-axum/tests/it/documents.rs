//! Downloads on pages and over JSON: the account's documents and the
//! business's tenant-wide ones listed together (the account's first),
//! files downloaded byte for byte with safe headers, republishing and
//! unpublishing seen at once, isolation by account (on the page, the API
//! and by a guessed id), the business's switch, and hostile text shown as
//! text.

use axum::http::{StatusCode, header};
use portal_core::blobs::{FileKind, FileName, Upload, sample};
use portal_core::documents::{Document, DocumentDraft};
use portal_core::shared::{AccountId, DocumentId, ExternalId};

use crate::harness::*;

async fn app() -> TestApp {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    app.register("bob@example.com").await;
    app
}

/// Publishes `content` named `name` as `external`, for `account` or (none)
/// every account (the browser walk's too).
pub async fn publish(
    app: &TestApp,
    external: &str,
    account: Option<AccountId>,
    title: &str,
    name: &str,
    content: &[u8],
) -> Document {
    app.portal
        .host()
        .publish_document(
            app.tenant_id(),
            &DocumentDraft {
                external_id: ExternalId::parse(external).unwrap(),
                account,
                title: title.into(),
                description: Some(format!("About {title}")),
                folder: Some("Guides".into()),
            },
            Upload::of(FileName::parse(name).unwrap(), content.to_vec()),
        )
        .await
        .unwrap()
}

const NOTES: &[u8] = "Service notes for account A. ¡Gracias!\n".as_bytes();

fn download_path(id: DocumentId) -> String {
    format!("/portal/documents/{id}/download")
}

#[tokio::test]
async fn the_list_shows_the_accounts_and_the_businesss_documents_and_they_download_safely() {
    let app = app().await;
    let a = app.seeded.account_a;
    let guide = publish(
        &app,
        "guide",
        None,
        "Getting started",
        "guide.pdf",
        &sample(FileKind::Pdf),
    )
    .await;
    let notes = publish(
        &app,
        "notes-a",
        Some(a),
        "Service notes",
        "notes.txt",
        NOTES,
    )
    .await;
    let mut ada = app.logged_in("ada@example.com").await;

    let dashboard = ada.get("/portal/dashboard").await;
    assert!(
        dashboard
            .body
            .contains("href=\"/portal/documents\">Downloads</a>")
    );
    let list = ada.get("/portal/documents").await;
    assert_eq!(list.status, StatusCode::OK);
    let body = &list.body;
    assert!(body.contains("For your account") && body.contains("From Acme Pest Control"));
    assert!(
        body.find("Service notes").unwrap() < body.find("Getting started").unwrap(),
        "the account's first"
    );
    assert!(body.contains(&download_path(guide.id)) && body.contains(&download_path(notes.id)));
    assert!(body.contains("About Getting started") && body.contains("Guides"));
    assert!(body.contains("TXT, 40 bytes"), "{body}");

    let download = ada.get(&download_path(notes.id)).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body.as_bytes(), NOTES);
    let headers = &download.headers;
    assert_eq!(headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"notes.txt\"; filename*=UTF-8''notes.txt"
    );
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
    let pdf = ada.get(&download_path(guide.id)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
}

#[tokio::test]
async fn an_empty_list_says_so() {
    let app = app().await;
    let mut ada = app.logged_in("ada@example.com").await;
    let list = ada.get("/portal/documents").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body
            .contains("There are no documents to download yet.")
    );
    assert!(!list.body.contains("For your account"));
}

#[tokio::test]
async fn another_accounts_document_is_not_found_on_pages_the_api_and_by_a_guessed_id() {
    let app = app().await;
    let bobs = publish(
        &app,
        "notes-b",
        Some(app.seeded.account_b),
        "Private to B",
        "notes.txt",
        NOTES,
    )
    .await;
    let wide = publish(&app, "guide", None, "Getting started", "guide.txt", NOTES).await;
    let mut ada = app.logged_in("ada@example.com").await;
    assert!(
        !ada.get("/portal/documents")
            .await
            .body
            .contains("Private to B")
    );
    for path in [
        download_path(bobs.id),
        download_path(DocumentId::new()),
        "/portal/documents/not-an-id/download".into(),
    ] {
        assert_eq!(ada.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let token = app.api_token("ada@example.com").await;
    let api = |path: String| get_request(&format!("/portal/api/v1/documents{path}"), Some(&token));
    let listed = app.send(api(String::new())).await;
    assert_eq!(listed.status, StatusCode::OK);
    let json = listed.json();
    assert_eq!(json["total"], 1);
    assert_eq!(json["items"][0]["id"], wide.id.to_string());
    assert_eq!(json["items"][0]["tenant_wide"], true);
    assert_eq!(json["items"][0]["media_type"], "text/plain; charset=utf-8");
    for path in [
        format!("/{}", bobs.id),
        format!("/{}/download", bobs.id),
        "/nope".into(),
    ] {
        let reply = app.send(api(path.clone())).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            reply.headers[header::CONTENT_TYPE],
            "application/problem+json"
        );
    }
    let one = app.send(api(format!("/{}", wide.id))).await;
    assert_eq!(one.json()["title"], "Getting started");
    let file = app.send(api(format!("/{}/download", wide.id))).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body.as_bytes(), NOTES);
    assert_eq!(file.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
}

#[tokio::test]
async fn republishing_replaces_the_file_and_unpublishing_takes_it_down() {
    let app = app().await;
    let first = publish(
        &app,
        "guide",
        None,
        "Guide",
        "guide.txt",
        b"first edition\n",
    )
    .await;
    let second = publish(
        &app,
        "guide",
        None,
        "Guide, second edition",
        "guide.txt",
        b"second edition\n",
    )
    .await;
    assert_eq!(first.id, second.id, "the link stays good");
    assert_eq!(
        stored_files(&app),
        2,
        "the first file and its record are gone"
    );
    let mut ada = app.logged_in("ada@example.com").await;
    assert!(
        ada.get("/portal/documents")
            .await
            .body
            .contains("Guide, second edition")
    );
    assert_eq!(
        ada.get(&download_path(first.id)).await.body,
        "second edition\n"
    );

    let id = ExternalId::parse("guide").unwrap();
    app.portal
        .host()
        .unpublish_document(app.tenant_id(), &id)
        .await
        .unwrap();
    app.portal
        .host()
        .unpublish_document(app.tenant_id(), &id)
        .await
        .unwrap();
    assert_eq!(stored_files(&app), 0);
    assert_eq!(
        ada.get(&download_path(first.id)).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!ada.get("/portal/documents").await.body.contains("Guide"));
}

#[tokio::test]
async fn with_downloads_switched_off_there_is_no_link_and_no_document() {
    let mut settings = demo_settings();
    settings.features.downloads = false;
    let app = TestApp::with_settings(settings).await;
    app.register("ada@example.com").await;
    let guide = publish(&app, "guide", None, "Guide", "guide.txt", NOTES).await;
    let mut ada = app.logged_in("ada@example.com").await;
    assert!(
        !ada.get("/portal/dashboard")
            .await
            .body
            .contains("/portal/documents")
    );
    assert_eq!(
        ada.get("/portal/documents").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ada.get(&download_path(guide.id)).await.status,
        StatusCode::FORBIDDEN
    );
    let token = app.api_token("ada@example.com").await;
    for path in [
        "/portal/api/v1/documents".to_owned(),
        format!("/portal/api/v1/documents/{}/download", guide.id),
    ] {
        assert_eq!(
            app.send(get_request(&path, Some(&token))).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
}

#[tokio::test]
async fn hostile_titles_and_descriptions_are_shown_as_text() {
    let app = app().await;
    publish(&app, "x", None, "<script>alert(1)</script>", "x.txt", NOTES).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let list = ada.get("/portal/documents").await;
    assert!(!list.body.contains("<script>alert(1)</script>"));
    assert!(
        list.body.contains("&#60;script&#62;alert(1)"),
        "shown as text"
    );
}
