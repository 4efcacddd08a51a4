//! What a tenant's settings and a request's redirect target may put into a
//! page: URLs only https (http to loopback), colours only hex, redirects
//! only inside the mount once normalised.

use axum::http::StatusCode;
use portal_core::PortalError;
use portal_core::ports::TenantStore;
use portal_core::tenancy::{PortalSettings, SocialLink, TenantSlug};

use crate::harness::*;

fn with_logo(logo: &str) -> PortalSettings {
    let mut settings = demo_settings();
    settings.branding.logo_url = Some(logo.parse().unwrap());
    settings
}

fn with_social(url: &str) -> PortalSettings {
    let mut settings = demo_settings();
    settings.contact.social_links = vec![SocialLink {
        label: "Facebook".into(),
        url: url.parse().unwrap(),
    }];
    settings
}

fn refused_field(result: Result<impl std::fmt::Debug, PortalError>) -> &'static str {
    match result {
        Err(PortalError::InvalidInput { field, .. }) => field,
        other => panic!("not refused as invalid input: {other:?}"),
    }
}

#[tokio::test]
async fn the_host_api_refuses_unsafe_urls_and_stores_nothing() {
    let app = TestApp::new().await;
    let host = app.portal.host();
    let tenant = app.seeded.tenant.clone();
    let base = tenant.base_url.as_str();
    for url in [
        "javascript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "http://cdn.acme.test/logo.png",
        "https://user:secret@cdn.acme.test/logo.png",
        "file:///etc/passwd",
    ] {
        let logo = host.update_tenant(tenant.id, base, with_logo(url)).await;
        assert_eq!(refused_field(logo), "branding.logo_url", "{url}");
        let social = host.update_tenant(tenant.id, base, with_social(url)).await;
        assert_eq!(refused_field(social), "contact.social_links.url", "{url}");
        let created = host.create_tenant("other", base, with_logo(url)).await;
        assert_eq!(refused_field(created), "branding.logo_url", "{url}");
    }
    // Nothing was written: the stored tenant is the seeded one, and no
    // second tenant exists.
    assert_eq!(app.store.tenant(tenant.id).await.unwrap(), Some(tenant));
    let other = TenantSlug::parse("other").unwrap();
    assert_eq!(app.store.tenant_by_slug(&other).await.unwrap(), None);
}

#[tokio::test]
async fn the_host_api_takes_https_and_loopback_http_urls() {
    let app = TestApp::new().await;
    let host = app.portal.host();
    let tenant = &app.seeded.tenant;
    for url in [
        "https://cdn.acme.test/logo.png",
        "http://127.0.0.1:3000/logo.png",
    ] {
        let mut settings = with_social(url);
        settings.branding.logo_url = Some(url.parse().unwrap());
        let updated = host
            .update_tenant(tenant.id, tenant.base_url.as_str(), settings)
            .await
            .unwrap();
        assert_eq!(updated.settings.branding.logo().unwrap().as_str(), url);
    }
}

#[tokio::test]
async fn the_host_api_refuses_colours_that_are_not_hex() {
    let app = TestApp::new().await;
    let host = app.portal.host();
    let tenant = app.seeded.tenant.clone();
    for colour in [
        "red",
        "#12345",
        "#123456;}body{display:none",
        "#fff</style>",
    ] {
        let mut settings = demo_settings();
        settings.branding.primary_color = colour.into();
        let refused = host
            .update_tenant(tenant.id, tenant.base_url.as_str(), settings)
            .await;
        assert_eq!(refused_field(refused), "branding.primary_color", "{colour}");
        let mut settings = demo_settings();
        settings.branding.accent_color = colour.into();
        let refused = host
            .update_tenant(tenant.id, tenant.base_url.as_str(), settings)
            .await;
        assert_eq!(refused_field(refused), "branding.accent_color", "{colour}");
    }
    let mut short = demo_settings();
    short.branding.primary_color = "#abc".into();
    host.update_tenant(tenant.id, tenant.base_url.as_str(), short)
        .await
        .unwrap();
    assert_eq!(
        app.store
            .tenant(tenant.id)
            .await
            .unwrap()
            .unwrap()
            .settings
            .branding
            .primary_color,
        "#abc"
    );
}

#[tokio::test]
async fn settings_stored_before_the_rules_are_not_rendered_as_links_or_css() {
    let app = TestApp::new().await;
    // As an older version stored them, behind the host API's checks.
    let mut old = app.seeded.tenant.clone();
    old.settings.branding.logo_url = Some("javascript:alert('logo')".parse().unwrap());
    old.settings.branding.primary_color = "red;}</style><script>alert(1)</script>".into();
    old.settings.branding.accent_color = "#0b6e4f;background:url(//evil.example)".into();
    old.settings.contact.social_links = vec![
        SocialLink {
            label: "Facebook".into(),
            url: "javascript:alert('social')".parse().unwrap(),
        },
        SocialLink {
            label: "Instagram".into(),
            url: "https://instagram.example/acme".parse().unwrap(),
        },
    ];
    app.store.update_tenant(&old).await.unwrap();
    app.register("ada@example.com").await;
    let mut customer = app.logged_in("ada@example.com").await;
    for path in ["/portal/login", "/portal/dashboard", "/portal/account"] {
        // The log-in page as a visitor sees it (a customer is sent on).
        let page = if path.ends_with("login") {
            app.browser().get(path).await
        } else {
            customer.get(path).await
        };
        assert!(page.status.is_success(), "{path}: {}", page.status);
        let body = page.body.to_lowercase();
        assert!(!body.contains("javascript:"), "{path}: {}", page.body);
        assert!(!body.contains("evil.example"), "{path}");
        assert!(!body.contains("<script"), "{path}");
        assert!(!body.contains("<img"), "{path}: a logo without a safe URL");
        // The defaults take the bad colours' place.
        assert!(
            body.contains(":root { --primary: #1f4e79; --accent: #0b6e4f;"),
            "{path}"
        );
        // The bad link's label stays, as text; the good one is a link.
        assert!(body.contains("<li>facebook</li>"), "{path}");
        assert!(
            body.contains("<a href=\"https://instagram.example/acme\" rel=\"noopener noreferrer\">instagram</a>"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_safe_logo_is_shown() {
    let app = TestApp::with_settings(with_logo("https://cdn.acme.test/logo.png")).await;
    let page = app.browser().get("/portal/login").await;
    assert!(
        page.body
            .contains("<img src=\"https://cdn.acme.test/logo.png\"")
    );
}

#[tokio::test]
async fn log_in_never_follows_a_target_that_leaves_the_mount_once_normalised() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    for (next, wanted) in [
        ("/portal/./../../evil.example", "/portal/dashboard"),
        ("/portal/%2e%2e/%2e%2e/evil.example", "/portal/dashboard"),
        ("/portal/..\\..\\evil.example", "/portal/dashboard"),
        ("/\\evil.example/portal/", "/portal/dashboard"),
        ("/portal/\t/evil.example", "/portal/dashboard"),
        ("/portal/..%2f..%2fevil.example", "/portal/dashboard"),
        ("/portal/./billing/../account", "/portal/account"),
    ] {
        let mut browser = app.browser();
        let page = browser
            .get(&format!(
                "/portal/login?{}",
                serde_urlencoded::to_string([("next", next)]).unwrap()
            ))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            !page.body.contains("evil.example"),
            "{next}: kept in the form"
        );
        let login = browser
            .post_form(
                "/portal/login",
                &[
                    ("login", "ada@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(login.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(login.location(), wanted, "{next}");
    }
}

#[tokio::test]
async fn switching_account_never_returns_outside_the_mount() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.logged_in("ada@example.com").await;
    let account = app.seeded.account_c.to_string();
    let reply = browser
        .post_form(
            "/portal/switch-account",
            &[
                ("account_id", account.as_str()),
                ("return_to", "/portal/./../../evil.example"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/portal/dashboard");
}
