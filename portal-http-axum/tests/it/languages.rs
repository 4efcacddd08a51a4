//! Pages in the reader's language: the contact's choice first, then the
//! browser's `Accept-Language`, then the tenant's default; the language
//! select; Spanish pages with no English left; every key the templates and
//! handlers use is in the catalog.

use std::path::Path;

use axum::http::StatusCode;
use portal_core::shared::Language;
use portal_i18n::testing::{english_left, unknown_keys, used_keys};

use crate::harness::{TestApp, demo_settings, error_at};

/// The page's own content: what is inside `<main>`. The frame around it
/// (`base.html`, `form.html`) is converted once the phone layout and the
/// field errors have landed; until then it is checked in English only.
fn main_of(body: &str) -> &str {
    let start = body.find("<main").expect("a <main>");
    let end = body.rfind("</main>").expect("a </main>");
    &body[start..end]
}

fn lang_of(body: &str) -> &str {
    let start = body.find("<html lang=\"").expect("<html lang>") + "<html lang=\"".len();
    let end = body[start..].find('"').unwrap();
    &body[start..start + end]
}

fn spanish_app_settings() -> portal_core::tenancy::PortalSettings {
    let mut settings = demo_settings();
    settings.language = Language::Spanish;
    settings
}

fn sources_under(folder: &Path, found: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources_under(&path, found);
        } else {
            let text = std::fs::read_to_string(&path).unwrap();
            found.push((path.display().to_string(), text));
        }
    }
}

#[test]
fn every_key_the_templates_and_handlers_use_is_in_the_catalog() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    sources_under(&root.join("templates"), &mut sources);
    sources_under(&root.join("src"), &mut sources);
    let unknown: Vec<String> = sources
        .iter()
        .flat_map(|(name, text)| unknown_keys(name, text))
        .collect();
    assert_eq!(unknown, Vec::<String>::new());
    let used: usize = sources.iter().map(|(_, text)| used_keys(text).len()).sum();
    assert!(
        used > 80,
        "only {used} lookups found: is the scanner blind?"
    );
}

#[tokio::test]
async fn a_logged_out_page_follows_the_browser_by_q_value_and_region() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    browser.languages = Some("fr;q=1, en;q=0.4, es-MX;q=0.8");
    let page = browser.get("/portal/login").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(lang_of(&page.body), "es");
    assert!(
        page.body.contains("<h1>Iniciar sesión</h1>"),
        "{}",
        page.body
    );

    browser.languages = Some("fr, de");
    let page = browser.get("/portal/login").await;
    assert_eq!(lang_of(&page.body), "en", "the tenant's default, English");
    assert!(page.body.contains("<h1>Log in</h1>"));
}

#[tokio::test]
async fn without_a_browser_language_the_tenants_default_applies_and_the_browser_beats_it() {
    let app = TestApp::with_settings(spanish_app_settings()).await;
    let mut browser = app.browser();
    let page = browser.get("/portal/forgot-password").await;
    assert_eq!(lang_of(&page.body), "es");
    assert!(page.body.contains("¿Olvidó su contraseña?"));

    browser.languages = Some("en-GB");
    let page = browser.get("/portal/forgot-password").await;
    assert_eq!(lang_of(&page.body), "en");
    assert!(page.body.contains("Forgot your password?"));
}

#[tokio::test]
async fn logged_out_pages_in_spanish_have_no_english_left() {
    let app = TestApp::with_settings(spanish_app_settings()).await;
    let mut browser = app.browser();
    browser.languages = Some("es");
    for path in [
        "/portal/login",
        "/portal/login?done=logout",
        "/portal/login?done=password",
        "/portal/register",
        "/portal/register/details",
        "/portal/forgot-password",
        "/portal/set-password?token=no-such-token",
    ] {
        let page = browser.get(path).await;
        assert_eq!(lang_of(&page.body), "es", "{path}");
        let main = main_of(&page.body);
        assert_eq!(english_left(main), Vec::<String>::new(), "{path}: {main}");
    }
    let sent = browser
        .post_form(
            "/portal/forgot-password",
            &[("email", "nobody@example.com")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    let main = main_of(&sent.body);
    assert!(main.contains("enviamos un enlace"), "{main}");
    assert_eq!(english_left(main), Vec::<String>::new(), "{main}");
}

#[tokio::test]
async fn the_contacts_choice_beats_the_browser_on_pages_and_in_mail() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.logged_in("ada@example.com").await;
    browser.languages = Some("en-US,en;q=0.9");
    let page = browser.get("/portal/account").await;
    assert_eq!(lang_of(&page.body), "en");
    assert!(page.body.contains("As my browser asks"));

    let saved = browser
        .post_form("/portal/account/language", &[("language", "es")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), "/portal/account?done=language");
    let page = browser.get(saved.location()).await;
    assert_eq!(
        lang_of(&page.body),
        "es",
        "the choice beats Accept-Language"
    );
    let main = main_of(&page.body);
    assert!(main.contains("Se guardó su idioma."), "{main}");
    assert!(main.contains("<option value=\"es\" lang=\"es\" selected>Español</option>"));
    assert_eq!(english_left(main), Vec::<String>::new(), "{main}");

    // Mail follows the contact's choice, whoever asks for it.
    let mut stranger = app.browser();
    stranger.languages = Some("en");
    stranger.get("/portal/forgot-password").await;
    stranger
        .post_form("/portal/forgot-password", &[("email", "ada@example.com")])
        .await;
    app.deliver_mail().await;
    let mail = app
        .mailbox
        .to("ada@example.com")
        .pop()
        .expect("a reset mail");
    assert_eq!(mail.language, Language::Spanish);

    // Choosing nothing gives the browser its say again.
    let cleared = browser
        .post_form("/portal/account/language", &[("language", "")])
        .await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER);
    let page = browser.get("/portal/account").await;
    assert_eq!(lang_of(&page.body), "en");
}

#[tokio::test]
async fn an_unknown_language_is_refused_at_its_field_and_nothing_changes() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.logged_in("ada@example.com").await;
    let refused = browser
        .post_form("/portal/account/language", &[("language", "fr")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!error_at(&refused.body, "language").is_empty());
    let forged = browser
        .post_raw("/portal/account/language", &[("language", "es")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let page = browser.get("/portal/account").await;
    assert_eq!(lang_of(&page.body), "en");
    assert!(page.body.contains("<option value=\"\" selected>"));
}

#[tokio::test]
async fn the_statement_and_payments_pages_in_spanish_have_no_english_left() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.logged_in("ada@example.com").await;
    browser
        .post_form("/portal/account/language", &[("language", "es")])
        .await;
    let due = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
    let invoice = app
        .invoice(app.seeded.account_a, "INV-77", 12_345, due)
        .await;
    let invoice_page = format!("/portal/billing/invoices/{}", invoice.id);
    for path in [
        invoice_page.as_str(),
        "/portal/billing/payments",
        "/portal/billing/payments?page=9",
        "/portal/billing/statement",
        "/portal/billing/statement?from=2026-01-01&to=2026-12-31",
        "/portal/billing/statement?from=2026-12-31&to=2026-01-01",
    ] {
        let page = browser.get(path).await;
        assert_eq!(lang_of(&page.body), "es", "{path}");
        let main = main_of(&page.body);
        assert!(main.contains("Estado de cuenta"), "{path}: {main}");
        assert!(!main.contains("Page "), "{path}: {main}");
        assert_eq!(english_left(main), Vec::<String>::new(), "{path}: {main}");
    }
}

/// Every page a logged-in contact reaches, quotes included, read in
/// Spanish as a whole (navigation, footer, captions of stacked tables),
/// with no English phrase of the catalog left and no lookup that did not
/// resolve.
#[tokio::test]
async fn every_signed_in_page_in_spanish_has_no_english_left() {
    let app = crate::billing_pages::ada_app(crate::billing_pages::settings(true, true, true)).await;
    let mut ada = app.logged_in("ada@example.com").await;
    ada.post_form("/portal/account/language", &[("language", "es")])
        .await;
    let a = app.seeded.account_a;
    let due = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let overdue = app.invoice(a, "INV-77", 12_345, due(10, 1)).await;
    app.invoice(a, "INV-78", 5_000, due(12, 20)).await;
    let quote = app.quote(a, "Q-77", due(12, 31)).await;
    ada.post_form("/portal/billing/methods", &[("token", "tok_sandbox_visa")])
        .await;
    let (paid, _) = crate::billing_pages::pay(
        &mut ada,
        &[overdue.id],
        &[crate::billing_pages::VISA, ("step", "pay")],
    )
    .await;
    let receipt = paid.location().trim_start_matches("/portal/").to_owned();
    let review = crate::billing_pages::pay(
        &mut ada,
        &[overdue.id],
        &[crate::billing_pages::VISA, ("step", "review")],
    )
    .await
    .0;
    let methods = ada.get("/portal/billing/methods").await;
    let card = methods
        .body
        .split("/portal/billing/methods/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("a card on file")
        .to_owned();
    let refused = ada
        .post_form(
            &format!("/portal/quotes/{}/decline", quote.id),
            &[("reason", "")],
        )
        .await;
    let mut pages = vec![
        ("review".to_owned(), review.body),
        ("decline refused".to_owned(), refused.body),
    ];
    for path in [
        "dashboard".to_owned(),
        "billing".to_owned(),
        "billing/invoices".to_owned(),
        "billing/invoices?status=overdue&sort=due_asc".to_owned(),
        "billing/invoices?min_total=x".to_owned(),
        format!("billing/invoices/{}", overdue.id),
        "billing/pay".to_owned(),
        "billing/pay/balance".to_owned(),
        "billing/credit".to_owned(),
        "billing/payments".to_owned(),
        "billing/statement".to_owned(),
        "billing/methods".to_owned(),
        format!("billing/methods/{card}/remove"),
        "billing/autopay".to_owned(),
        "account".to_owned(),
        "quotes".to_owned(),
        "quotes?status=expired".to_owned(),
        format!("quotes/{}", quote.id),
        "billing/invoices/00000000-0000-0000-0000-000000000000".to_owned(),
        // Left out: an unknown address answers in the browser's or the
        // tenant's language, not the contact's choice (the session is not
        // read there), which is left to do (issue 11).
    ] {
        let page = ada.get(&format!("/portal/{path}")).await;
        pages.push((path, page.body));
    }
    // The receipt names the card the core recorded, worded in Spanish.
    let receipt_page = ada.get(&format!("/portal/{receipt}")).await;
    pages.push(("receipt".to_owned(), receipt_page.body));
    for (path, body) in &pages {
        assert_eq!(lang_of(body), "es", "{path}");
        assert_eq!(english_left(body), Vec::<String>::new(), "{path}: {body}");
    }
    // The PDFs too: the receipt, the invoice, the statement and the quote.
    for path in [
        format!("{receipt}/receipt.pdf"),
        format!("billing/invoices/{}/pdf", overdue.id),
        "billing/statement.pdf".to_owned(),
        format!("quotes/{}/pdf", quote.id),
    ] {
        let pdf = ada.get(&format!("/portal/{path}")).await;
        assert!(pdf.body.starts_with("%PDF-"), "{path}: {}", pdf.body);
        assert_eq!(english_left(&pdf.body), Vec::<String>::new(), "{path}");
    }
    assert!(
        pages
            .iter()
            .any(|(_, body)| body.contains("data-label=\"Factura\""))
    );
    assert!(
        pages
            .iter()
            .any(|(_, body)| body.contains("Visa terminada en 4242"))
    );
    assert!(pages.iter().any(|(_, body)| body.contains("Por aprobar")));
    let misses: Vec<String> = portal_i18n::testing::misses()
        .into_iter()
        .filter(|miss| !miss.ends_with("no-such-key"))
        .collect();
    assert_eq!(misses, Vec::<String>::new());
}
