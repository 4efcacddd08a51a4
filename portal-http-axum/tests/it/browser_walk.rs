//! The browser walk behind `browser.rs`: every page at a phone's width
//! (390 px) and a desktop's (1366 px), in headless Chromium, checked for
//!
//! - no sideways scrolling (`scrollWidth <= clientWidth`) and no element
//!   reaching past the viewport;
//! - tap targets: every visible link, button, input, select and summary at
//!   least 44 px tall (a checkbox's target is its label). Exception: links
//!   inside running text (a `p`, `dd` or `.hint`), which WCAG 2.5.8 exempts
//!   as inline;
//! - axe-core (PORTAL_TEST_AXE, fetched from npm by `scripts/test.sh`):
//!   no violation of WCAG 2.2 AA (tags wcag2a, wcag2aa, wcag21a, wcag21aa,
//!   wcag22aa).
//!
//! - the language: `<html lang>` is the walk's, and a page walked in
//!   Spanish has no English left in it (`english_left`: no phrase of the
//!   English catalog), its navigation and footer included.
//!
//! Every problem of every page is collected, then the test fails listing
//! them all. It also saves screenshots of the dashboard, the invoice
//! list, the pay form, the review, the receipt and a quote at both widths
//! into `docs/screenshots/{lang}-{width}-{page}.png`.
//!
//! The walk runs once per language (`browser.rs`): Chromium asks for the
//! language (`Accept-Language`), the tenant's default is it, and the
//! contact chooses it on the account page after logging in.

use fantoccini::error::CmdError;
use fantoccini::{Client, Locator};
use std::path::PathBuf;

use portal_core::shared::{InvoiceId, Language, QuoteId};
use portal_i18n::testing::english_left;

use crate::browser_flow::{open_chromium_in, required};
use crate::harness::{PASSWORD, TestApp};

/// The two widths every page is checked at, with a height to match.
const SIZES: [(u32, u32); 2] = [(390, 844), (1366, 900)];

/// axe-core's tags for WCAG 2.2 level AA.
const WCAG_TAGS: &str = r#"["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]"#;

/// The measurements of one page, as problems in words.
const MEASURE: &str = r#"
const root = document.documentElement;
const width = root.clientWidth;
const problems = [];
const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '')
    + ' "' + (el.textContent || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 40) + '"';
// Rendered: not display:none, not in a closed <details>, not invisible.
const visible = el => el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true });
// Cut off by an ancestor that clips (a visually hidden table header), which
// itself fits: nothing of it shows past the viewport. A box that scrolls
// sideways (overflow auto or scroll) does not count as clipping.
const clipped = el => {
  for (let up = el.parentElement; up; up = up.parentElement) {
    const overflow = getComputedStyle(up).overflowX;
    const box = up.getBoundingClientRect();
    if ((overflow === 'hidden' || overflow === 'clip') && box.left >= -0.5 && box.right <= width + 0.5) return true;
  }
  return false;
};
if (root.scrollWidth > width) problems.push(`scrolls sideways: ${root.scrollWidth} px in ${width} px`);
for (const el of document.body.querySelectorAll('*')) {
  if (!visible(el) || el.closest('.skip')) continue;
  const box = el.getBoundingClientRect();
  if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5) && !clipped(el)) {
    problems.push(`wider than the viewport (${Math.round(box.left)}..${Math.round(box.right)} of ${width}): ${name(el)}`);
  }
}
for (const el of document.body.querySelectorAll('a[href], button, input:not([type=hidden]), select, summary, textarea')) {
  if (!visible(el) || el.closest('.skip')) continue;
  if (el.tagName === 'A' && el.closest('p, dd, .hint')) continue;
  const target = (el.type === 'checkbox' || el.type === 'radio') ? (el.closest('label') || el) : el;
  const height = target.getBoundingClientRect().height;
  if (height < 43.5) problems.push(`tap target ${Math.round(height)} px tall: ${name(el)}`);
}
return problems;
"#;

/// Runs the walk in `lang` ("en" or "es"): the browser's language, the
/// tenant's default and the contact's choice.
pub async fn walk_in(lang: &str) {
    let webdriver = required("PORTAL_TEST_WEBDRIVER");
    let chromium = required("PORTAL_TEST_CHROMIUM");
    let axe = std::fs::read_to_string(required("PORTAL_TEST_AXE"))
        .expect("PORTAL_TEST_AXE names axe.min.js (scripts/test.sh fetches it)");
    let language = Language::ALL
        .into_iter()
        .find(|language| language.code() == lang)
        .expect("a language of the catalog");

    // A demo-like account: invoices due and overdue, to pay at each width,
    // a quote to decide at each width, service contracts of both kinds,
    // equipment at two properties, and jobs in every status.
    let mut settings = crate::services_api::services_settings();
    settings.features.rentals = true;
    settings.language = language;
    // The business's words for its ticket categories, read in both walks.
    settings.tickets.categories = vec![portal_core::tickets::TicketCategory {
        key: "fugas".into(),
        name: "Fugas y goteras".into(),
        assignee: Some("Ana".into()),
    }];
    let app = TestApp::with_settings(settings).await;
    app.register("ada@example.com").await;
    let a = app.seeded.account_a;
    let visits = app
        .contract(a, "SC-1", crate::services_api::quarterly())
        .await;
    let hours = app
        .contract(a, "TB-1", crate::services_api::twenty_hours())
        .await;
    app.property(a, "p-home", "Casa Lovelace").await;
    app.property(a, "p-shop", "Bakery").await;
    let boiler = app.asset(a, "p-home", "a-1", "Boiler").await;
    app.asset(a, "p-shop", "a-2", "Walk-in cooler").await;
    // Rentals: a contract with items out, a reservation, a call-off.
    let rental = app
        .rental_contract(a, "RC-1", portal_core::rentals::ContractStatus::Open)
        .await;
    app.reservation(a, "RS-1").await;
    let call_off = app
        .portal
        .rentals()
        .request_call_off(
            &ada_actor(&app).await,
            &portal_core::rentals::CallOffRequest {
                contract: rental.id,
                items: vec![portal_core::rentals::CallOffLine {
                    code: "SPR-4".into(),
                    quantity: 1,
                }],
                pickup_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
                notes: "Gate 4".into(),
            },
        )
        .await
        .unwrap();
    let [upcoming, _, _, completed, _] = app.jobs_in_every_status(a).await;
    // Requests: the call-off above, and a kind of the business's whose
    // form has every control.
    app.portal
        .host()
        .declare_request_kind(app.tenant_id(), &crate::requests_pages::every_control())
        .await
        .unwrap();
    // A service request with a photo.
    let with_photo = service_request_with_a_photo(&app).await;
    // Tickets: one open with a photo and the business's answer, one closed.
    let (open_ticket, closed_ticket) = tickets_of(&app).await;
    // Downloads: a guide for every account and a file of Ada's account, in
    // the business's words.
    let pdf = portal_core::blobs::sample(portal_core::blobs::FileKind::Pdf);
    crate::documents::publish(&app, "guia", None, "Guía de inicio", "guia.pdf", &pdf).await;
    crate::documents::publish(
        &app,
        "notas",
        Some(a),
        "Notas de servicio",
        "notas.txt",
        b"Notas\n",
    )
    .await;
    // Security: a failed sign-in and a second session (a phone) to list.
    let mut wrong = app.browser_at("198.51.100.4");
    wrong.get("/portal/login").await;
    wrong
        .submit_login("ada@example.com", "not the password")
        .await;
    app.api_token("ada@example.com").await;
    // Portal users: Ada manages account A; a colleague she added shows
    // as invited.
    let ada = app.seeded.ada;
    let colleague =
        portal_core::contacts::ContactDetails::parse("Grace Hopper", "grace@example.com", "")
            .unwrap();
    let actor = crate::contacts::primary(&app, ada, a);
    let grace = app
        .portal
        .contacts()
        .add(&actor, colleague, portal_core::access::Role::Billing)
        .await
        .unwrap()
        .contact
        .id;
    let services = [
        "security".to_owned(),
        "security/audit".to_owned(),
        "contacts".to_owned(),
        "contacts/new".to_owned(),
        format!("contacts/{ada}"),
        format!("contacts/{ada}/remove"),
        format!("contacts/{grace}"),
        format!("contacts/{grace}/remove"),
        "notifications".to_owned(),
        "notifications/settings".to_owned(),
        "communications".to_owned(),
        "documents".to_owned(),
        "tickets".to_owned(),
        "tickets?status=closed".to_owned(),
        "tickets/new".to_owned(),
        format!("tickets/{open_ticket}"),
        format!("tickets/{closed_ticket}"),
        "jobs".to_owned(),
        "jobs?status=all".to_owned(),
        format!("jobs/{}", upcoming.id),
        format!("jobs/{}", completed.id),
        "rentals".to_owned(),
        "rentals?status=open".to_owned(),
        format!("rentals/{}", rental.id),
        format!("rentals/{}/call-off", rental.id),
        "rentals/items-out".to_owned(),
        "rentals/reservations".to_owned(),
        format!("rentals/call-offs/{}", call_off.id),
        "requests".to_owned(),
        "requests?status=open".to_owned(),
        "requests/new".to_owned(),
        "requests/new/service".to_owned(),
        "requests/new/every_control".to_owned(),
        format!("requests/{}", call_off.id),
        format!("requests/{with_photo}"),
        "service-contracts".to_owned(),
        "service-contracts?status=active".to_owned(),
        format!("service-contracts/{}", visits.id),
        format!("service-contracts/{}", hours.id),
        "assets".to_owned(),
        format!("assets/{}", boiler.id),
    ];
    let due = |month, day| chrono::NaiveDate::from_ymd_opt(2026, month, day).unwrap();
    let mut to_pay = Vec::new();
    for (number, cents, due_on) in [
        ("INV-1001", 12_050, due(10, 20)),
        ("INV-1002", 8_999, due(11, 10)),
        ("INV-1003", 24_328, due(12, 5)),
        ("INV-1004", 51_847, due(12, 20)),
    ] {
        to_pay.push(app.invoice(a, number, cents, due_on).await.id);
    }
    let mut to_decide = Vec::new();
    for number in ["Q-2001", "Q-2002"] {
        to_decide.push(app.quote(a, number, due(12, 31)).await.id);
    }
    // A confirmation link for a new email (a public page with a live
    // token), and a staff member's "view as" session to walk with its
    // banner.
    let confirm_email = {
        let auth = ada_auth(&app).await;
        app.portal
            .identity()
            .request_email_change(
                &auth,
                "ada.nueva@example.com",
                &secrecy::SecretString::from(PASSWORD),
                &portal_core::identity::LoginClient::at(std::net::Ipv4Addr::LOCALHOST.into()),
            )
            .await
            .unwrap();
        app.deliver_mail().await;
        let mail = app.mailbox.to("ada.nueva@example.com").pop().unwrap();
        crate::harness::path_of(&crate::harness::link_of(&mail))
            .trim_start_matches("/portal/")
            .to_owned()
    };
    let view_as = app
        .portal
        .host()
        .view_as(
            app.tenant_id(),
            a,
            "kim@greenleaf.example",
            portal_core::identity::SessionKind::Cookie,
            &portal_core::access::ClientInfo::default(),
        )
        .await
        .unwrap()
        .token
        .expose()
        .to_owned();
    let base = crate::browser_flow::serve(&app).await;

    let (browser, _profile) = open_chromium_in(&webdriver, &chromium, lang).await;
    let walker = Walker {
        browser: &browser,
        base: &base,
        axe: &axe,
        lang,
    };
    let outcome = walker
        .every_page(&to_pay, &to_decide, &services, &confirm_email, &view_as)
        .await;
    browser.close().await.ok();
    let problems = outcome.expect("the walk reaches every page");
    assert!(
        problems.is_empty(),
        "{} problem(s) on the pages:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Ada's two tickets: one open, with a photo and an answer from the
/// business, and one closed. Their ids.
/// "Request service" with a photo attached, in the customer's words.
async fn service_request_with_a_photo(app: &TestApp) -> portal_core::shared::ServiceRequestId {
    use portal_core::blobs::{FileKind, FileName, Upload, sample};
    let ada = ada_actor(app).await;
    let requests = app.portal.requests();
    let content = bytes::Bytes::from(sample(FileKind::Jpeg));
    let photo = requests
        .attach(
            &ada,
            Upload {
                name: FileName::parse("avispero-del-porche-con-un-nombre-largo.jpg").unwrap(),
                content: Box::pin(futures::stream::iter([Ok(content)])),
            },
        )
        .await
        .unwrap();
    let ask = portal_core::requests::ServiceAsk {
        description: "Un avispero bajo el techo del porche.".into(),
        property: Some(
            app.property(app.seeded.account_a, "p-home", "Casa Lovelace")
                .await
                .id,
        ),
    };
    requests
        .request_service(&ada, &ask, vec![photo])
        .await
        .unwrap()
        .id
}

async fn tickets_of(
    app: &TestApp,
) -> (portal_core::shared::TicketId, portal_core::shared::TicketId) {
    use portal_core::blobs::{FileKind, FileName, Upload, sample};
    use portal_core::tickets::{StaffReply, TicketDraft, TicketStatus};
    let ada = ada_actor(app).await;
    let tickets = app.portal.tickets();
    let content = bytes::Bytes::from(sample(FileKind::Jpeg));
    let photo = tickets
        .attach(
            &ada,
            Upload {
                name: FileName::parse("fregadero.jpg").unwrap(),
                content: Box::pin(futures::stream::iter([Ok(content)])),
            },
        )
        .await
        .unwrap();
    let draft = |body: &str| TicketDraft {
        category: "fugas".into(),
        body: body.into(),
        job: None,
    };
    let open = tickets
        .open(
            &ada,
            &draft("Gotea el fregadero de la cocina desde el lunes."),
            vec![photo],
        )
        .await
        .unwrap();
    let host = app.portal.host();
    host.reply_to_ticket(
        app.tenant_id(),
        open.ticket.id,
        &StaffReply {
            external_id: portal_core::shared::ExternalId::parse("walk-1").unwrap(),
            author_name: "Ana".into(),
            body: "¿Podemos pasar el jueves por la mañana?".into(),
            status: None,
        },
    )
    .await
    .unwrap();
    let closed = tickets
        .open(
            &ada,
            &draft("La valla del jardín quedó abierta."),
            Vec::new(),
        )
        .await
        .unwrap();
    host.set_ticket_status(app.tenant_id(), closed.ticket.id, TicketStatus::Closed)
        .await
        .unwrap();
    (open.ticket.id, closed.ticket.id)
}

/// Ada's session as the core sees it, to act as her through a use case.
async fn ada_actor(app: &TestApp) -> portal_core::access::Actor {
    ada_auth(app).await.actor
}

/// Ada's whole session context.
async fn ada_auth(app: &TestApp) -> portal_core::AuthContext {
    let session = app
        .portal
        .identity()
        .log_in(
            &app.seeded.tenant,
            "ada@example.com",
            &secrecy::SecretString::from(PASSWORD),
            portal_core::identity::SessionKind::Bearer,
            &portal_core::identity::LoginClient::at(std::net::Ipv4Addr::LOCALHOST.into()),
        )
        .await
        .unwrap();
    let tenant = app.portal.tenant(app.tenant_id()).await.unwrap();
    app.portal
        .identity()
        .authenticate(&tenant, &session.token)
        .await
        .unwrap()
}

struct Walker<'a> {
    browser: &'a Client,
    base: &'a str,
    axe: &'a str,
    lang: &'a str,
}

impl Walker<'_> {
    async fn every_page(
        &self,
        to_pay: &[InvoiceId],
        to_decide: &[QuoteId],
        services: &[String],
        confirm_email: &str,
        view_as: &str,
    ) -> Result<Vec<String>, CmdError> {
        let mut problems = Vec::new();
        // Public pages first, then log in.
        for &(width, height) in &SIZES {
            self.browser.set_window_size(width, height).await?;
            for page in [
                "login",
                "register",
                "forgot-password",
                "set-password?token=0",
                confirm_email,
            ] {
                self.visit(page, width, &mut problems).await?;
            }
        }
        self.log_in().await?;
        self.choose_language().await?;
        for ((&(width, height), invoice), quote) in SIZES.iter().zip(to_pay).zip(to_decide) {
            self.browser.set_window_size(width, height).await?;
            let actual = self.width().await?;
            assert!(
                actual <= i64::from(width),
                "the viewport is {actual} px wide, not {width}"
            );
            self.visit("dashboard", width, &mut problems).await?;
            self.screenshot("dashboard", width).await?;
            if width < 640 {
                // The phone's menu, opened, with the contact details.
                self.open(".menu-phone > summary").await?;
                self.open(".menu-phone .contact > summary").await?;
                self.check_here("dashboard, menu open", width, &mut problems)
                    .await?;
                self.screenshot("menu", width).await?;
            }
            self.visit("billing", width, &mut problems).await?;
            self.visit("billing/invoices", width, &mut problems).await?;
            self.screenshot("invoices", width).await?;
            self.open("details.filter > summary").await?;
            self.check_here("billing/invoices, filter open", width, &mut problems)
                .await?;
            self.visit(
                "billing/invoices?status=unpaid&sort=due_asc",
                width,
                &mut problems,
            )
            .await?;
            self.visit(&format!("billing/invoices/{invoice}"), width, &mut problems)
                .await?;
            // Pay one invoice: the form, the review, the receipt.
            self.visit(
                &format!("billing/pay?invoice={invoice}"),
                width,
                &mut problems,
            )
            .await?;
            self.screenshot("pay", width).await?;
            self.browser
                .find(Locator::Id("token"))
                .await?
                .send_keys("tok_sandbox_visa")
                .await?;
            self.click(Locator::Css("button[name=step][value=review]"))
                .await?;
            self.browser
                .wait()
                .for_element(Locator::Id("review-h"))
                .await?;
            self.check_here("review", width, &mut problems).await?;
            self.screenshot("review", width).await?;
            self.browser
                .find(Locator::Css("button[name=step][value=pay]"))
                .await?
                .click()
                .await?;
            self.browser
                .wait()
                .for_element(Locator::Css(".alert.ok"))
                .await?;
            self.check_here("receipt", width, &mut problems).await?;
            self.screenshot("receipt", width).await?;
            for page in [
                "billing/pay",
                "billing/pay/balance",
                "billing/payments",
                "billing/statement",
                "billing/methods",
                "billing/autopay",
                "billing/credit",
                "account",
                // Error pages, with the navigation kept.
                "billing/invoices/00000000-0000-0000-0000-000000000000",
                "no/such/page",
            ] {
                self.visit(page, width, &mut problems).await?;
            }
            self.quote_pages(*quote, width, &mut problems).await?;
            for page in services {
                self.visit(page, width, &mut problems).await?;
                if page.ends_with("/call-off") {
                    // Sent with nothing chosen: the message at the items.
                    self.click(Locator::Css(
                        "form[action$='/call-off'] button[type=submit]",
                    ))
                    .await?;
                    self.browser
                        .wait()
                        .for_element(Locator::Id("items-error"))
                        .await?;
                    self.check_here(&format!("{page}, refused"), width, &mut problems)
                        .await?;
                }
            }
        }
        // Staff viewing as Ada: her pages, read-only, under the banner.
        // Ada's own cookie out of the way (HttpOnly: only WebDriver may
        // delete it), then the staff session's, as the host's
        // `view_as_response` would set it.
        self.browser.delete_cookie("__Host-portal_session").await?;
        self.browser
            .execute(
                "document.cookie = '__Host-portal_session=' + arguments[0] + '; path=/; secure';",
                vec![serde_json::Value::String(view_as.to_owned())],
            )
            .await?;
        for &(width, height) in &SIZES {
            self.browser.set_window_size(width, height).await?;
            for page in ["dashboard", "account", "security"] {
                self.visit(page, width, &mut problems).await?;
            }
            self.browser
                .goto(&format!("{}dashboard", self.base))
                .await?;
            self.screenshot("view-as", width).await?;
        }
        Ok(problems)
    }

    /// The quote list and one quote in each of its states: pending with
    /// its forms, each form refused (its message at the field), approved.
    async fn quote_pages(
        &self,
        quote: QuoteId,
        width: u32,
        problems: &mut Vec<String>,
    ) -> Result<(), CmdError> {
        self.visit("quotes", width, problems).await?;
        self.visit("quotes?status=pending", width, problems).await?;
        let page = format!("quotes/{quote}");
        self.visit(&page, width, problems).await?;
        self.screenshot("quote", width).await?;
        // Declining without a reason: the message at the reason.
        self.click(Locator::Css("form[action$='/decline'] button[type=submit]"))
            .await?;
        self.browser
            .wait()
            .for_element(Locator::Id("reason-error"))
            .await?;
        self.check_here(&format!("{page}, decline refused"), width, problems)
            .await?;
        // Approving without a name: the message at the name.
        self.browser.goto(&format!("{}{page}", self.base)).await?;
        self.click(Locator::Css("form[action$='/approve'] button[type=submit]"))
            .await?;
        self.browser
            .wait()
            .for_element(Locator::Id("signer_name-error"))
            .await?;
        self.check_here(&format!("{page}, approval refused"), width, problems)
            .await?;
        // Approved, with an optional line chosen.
        self.browser.goto(&format!("{}{page}", self.base)).await?;
        self.click(Locator::Css("input[name=optional_line]"))
            .await?;
        self.browser
            .find(Locator::Id("signer_name"))
            .await?
            .send_keys("Ada Lovelace")
            .await?;
        self.click(Locator::Css("form[action$='/approve'] button[type=submit]"))
            .await?;
        self.browser
            .wait()
            .for_element(Locator::Css(".alert.ok"))
            .await?;
        self.check_here(&format!("{page}, approved"), width, problems)
            .await?;
        self.visit("quotes?status=approved", width, problems).await
    }

    /// Chooses the walk's language on the account page (the contact's
    /// choice, which beats the browser's and the tenant's).
    async fn choose_language(&self) -> Result<(), CmdError> {
        self.browser.goto(&format!("{}account", self.base)).await?;
        self.click(Locator::Css(&format!(
            "select#language option[value='{}']",
            self.lang
        )))
        .await?;
        self.click(Locator::Css(
            "form[action$='/account/language'] button[type=submit]",
        ))
        .await?;
        self.browser
            .wait()
            .for_element(Locator::Css(".alert.ok"))
            .await
            .map(drop)
    }

    async fn click(&self, locator: Locator<'_>) -> Result<(), CmdError> {
        self.browser.find(locator).await?.click().await
    }

    async fn log_in(&self) -> Result<(), CmdError> {
        crate::browser_flow::log_in(self.browser, self.base, "ada@example.com").await
    }

    /// Opens a `<details>` by its summary, as a tap would.
    async fn open(&self, summary: &str) -> Result<(), CmdError> {
        self.browser
            .find(Locator::Css(summary))
            .await?
            .click()
            .await
    }

    async fn width(&self) -> Result<i64, CmdError> {
        let value = self
            .browser
            .execute("return document.documentElement.clientWidth;", vec![])
            .await?;
        Ok(value.as_i64().unwrap_or_default())
    }

    /// Opens `page` (under the portal) and checks it.
    async fn visit(
        &self,
        page: &str,
        width: u32,
        problems: &mut Vec<String>,
    ) -> Result<(), CmdError> {
        self.browser.goto(&format!("{}{page}", self.base)).await?;
        self.check_here(page, width, problems).await
    }

    /// Measures the page the browser shows and runs axe-core on it.
    async fn check_here(
        &self,
        page: &str,
        width: u32,
        problems: &mut Vec<String>,
    ) -> Result<(), CmdError> {
        let at = format!("{} {width} px {page}", self.lang);
        let html = self.browser.source().await?;
        let lang = self
            .browser
            .execute("return document.documentElement.lang;", vec![])
            .await?;
        if lang.as_str() != Some(self.lang) {
            problems.push(format!("{at}: <html lang={lang}>"));
        }
        if self.lang != "en" {
            for phrase in english_left(&html) {
                problems.push(format!("{at}: English left: {phrase:?}"));
            }
        }
        let measured = self.browser.execute(MEASURE, vec![]).await?;
        for problem in measured.as_array().into_iter().flatten() {
            problems.push(format!("{at}: {}", problem.as_str().unwrap_or_default()));
        }
        self.browser
            .execute(&format!("{}\nreturn true;", self.axe), vec![])
            .await?;
        let script = format!(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {{ runOnly: {{ type: 'tag', values: {WCAG_TAGS} }} }})
               .then(result => done(result.violations.map(v =>
                 `${{v.id}} (${{v.impact}}): ${{v.help}} at ${{v.nodes.map(n => n.target.join(' ')).join(', ')}}`)))
               .catch(error => done(['axe-core failed: ' + error]));"
        );
        let violations = self.browser.execute_async(&script, vec![]).await?;
        for violation in violations.as_array().into_iter().flatten() {
            problems.push(format!(
                "{at}: axe {}",
                violation.as_str().unwrap_or_default()
            ));
        }
        Ok(())
    }

    /// Saves what the browser shows as `docs/screenshots/{lang}-{width}-{name}.png`.
    async fn screenshot(&self, name: &str, width: u32) -> Result<(), CmdError> {
        let png = self.browser.screenshot().await?;
        let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join(format!("{}-{width}-{name}.png", self.lang)),
            png,
        )
        .unwrap();
        Ok(())
    }
}
