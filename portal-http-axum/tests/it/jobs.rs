//! Jobs on pages and over JSON: the lists by filter and a job with its
//! window in the tenant's zone, technicians, timeline, notes, invoice and
//! equipment links; the autopay note only for an enrolled account; the
//! dashboard's open jobs linking to their pages; Spanish; the switch; and
//! isolation (another account's job is 404, also by guessed ids).

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use portal_core::jobs::{Job, JobNoteUpsert, JobStatus, JobUpsert, JobWindow};
use portal_core::shared::{AccountId, ExternalId, Language};
use portal_core::tenancy::PortalSettings;
use portal_i18n::testing::english_left;

use crate::harness::*;
use crate::services_api::services_settings;

/// Services and equipment on, autopay on, dates in Chicago.
pub fn jobs_settings() -> PortalSettings {
    let mut settings = services_settings();
    settings.features.autopay = true;
    settings.time_zone = "America/Chicago".into();
    settings
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// The upcoming visit's window: 8:00 to 12:00 in Chicago the day after
/// the frozen clock's today.
pub fn upcoming_window() -> JobWindow {
    JobWindow::new(at("2026-11-24T14:00:00Z"), at("2026-11-24T18:00:00Z")).unwrap()
}

impl TestApp {
    /// Gives `account` the job `number` (also its host id) in `status`.
    pub async fn job(
        &self,
        account: AccountId,
        number: &str,
        status: JobStatus,
        window: Option<JobWindow>,
        property: Option<&str>,
        links: (&[&str], &[&str]),
    ) -> Job {
        let ids = |texts: &[&str]| {
            texts
                .iter()
                .map(|text| ExternalId::parse(text).unwrap())
                .collect()
        };
        self.portal
            .host()
            .upsert_job(
                self.tenant_id(),
                &JobUpsert {
                    external_id: ExternalId::parse(number).unwrap(),
                    account,
                    number: number.into(),
                    title: format!("Boiler service {number}"),
                    description: "Service the boiler and test the flue.".into(),
                    status,
                    property: property.map(|id| ExternalId::parse(id).unwrap()),
                    window,
                    technicians: vec!["Ana Ruiz".into(), "Ben Okafor".into()],
                    invoices: ids(links.0),
                    assets: ids(links.1),
                },
            )
            .await
            .unwrap()
    }

    /// One job in every status for `account`; the upcoming and the
    /// completed one are at its property `p-home` (which must exist), and
    /// the completed one has a note, an invoice (`INV-J`) and the boiler
    /// (`a-1`) linked.
    pub async fn jobs_in_every_status(&self, account: AccountId) -> [Job; 5] {
        let upcoming = self
            .job(
                account,
                "J-1",
                JobStatus::Scheduled,
                Some(upcoming_window()),
                Some("p-home"),
                (&[], &[]),
            )
            .await;
        let waiting = self
            .job(
                account,
                "J-2",
                JobStatus::Unscheduled,
                None,
                None,
                (&[], &[]),
            )
            .await;
        let today = JobWindow::new(at("2026-11-23T08:00:00Z"), at("2026-11-23T12:00:00Z")).unwrap();
        let in_progress = self
            .job(
                account,
                "J-3",
                JobStatus::InProgress,
                Some(today),
                None,
                (&[], &[]),
            )
            .await;
        let done_window =
            JobWindow::new(at("2026-11-10T15:00:00Z"), at("2026-11-10T17:00:00Z")).unwrap();
        self.job(
            account,
            "J-4",
            JobStatus::Scheduled,
            Some(done_window),
            Some("p-home"),
            (&["INV-J"], &["a-1"]),
        )
        .await;
        let completed = self
            .job(
                account,
                "J-4",
                JobStatus::Completed,
                Some(done_window),
                Some("p-home"),
                (&["INV-J"], &["a-1"]),
            )
            .await;
        self.portal
            .host()
            .add_job_note(
                self.tenant_id(),
                &ExternalId::parse("J-4").unwrap(),
                &JobNoteUpsert {
                    external_id: ExternalId::parse("note-1").unwrap(),
                    author_name: "Ana Ruiz".into(),
                    body: "Replaced the pressure valve.".into(),
                },
            )
            .await
            .unwrap();
        let cancelled = self
            .job(account, "J-5", JobStatus::Cancelled, None, None, (&[], &[]))
            .await;
        [upcoming, waiting, in_progress, completed, cancelled]
    }
}

/// A Chicago moment as the pages write it.
fn moment(app: &TestApp, at: DateTime<Utc>, language: Language) -> String {
    app.seeded
        .tenant
        .settings
        .formats(language)
        .dates
        .moment(at)
}

async fn seeded_app(settings: PortalSettings) -> (TestApp, [Job; 5]) {
    let app = TestApp::with_settings(settings).await;
    app.register("ada@example.com").await;
    let a = app.seeded.account_a;
    app.property(a, "p-home", "Casa Lovelace").await;
    app.asset(a, "p-home", "a-1", "Boiler").await;
    app.invoice(
        a,
        "INV-J",
        12_000,
        chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
    )
    .await;
    let jobs = app.jobs_in_every_status(a).await;
    (app, jobs)
}

#[tokio::test]
async fn the_lists_filter_by_status_and_write_windows_in_the_tenants_zone() {
    let (app, [upcoming, waiting, in_progress, completed, cancelled]) =
        seeded_app(jobs_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let list = ada.get("/portal/jobs").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("1 job"), "{}", list.body);
    assert!(list.body.contains(&format!("/portal/jobs/{}", upcoming.id)));
    assert!(!list.body.contains(&format!("/portal/jobs/{}", waiting.id)));
    let start = moment(&app, upcoming_window().start(), Language::English);
    assert!(start.contains("CST"), "{start}");
    assert!(list.body.contains(&start), "{start}: {}", list.body);
    assert!(list.body.contains("Ana Ruiz, Ben Okafor"));
    assert!(list.body.contains(">Casa Lovelace<"), "the property");
    assert!(
        list.body.contains("data-label=\"Technicians\""),
        "phone captions"
    );
    assert!(!list.body.contains("Paid by autopay"), "not enrolled");

    for (filter, job) in [
        ("waiting", &waiting),
        ("in_progress", &in_progress),
        ("completed", &completed),
        ("cancelled", &cancelled),
    ] {
        let page = ada.get(&format!("/portal/jobs?status={filter}")).await;
        assert_eq!(page.status, StatusCode::OK, "{filter}");
        assert!(page.body.contains("1 job"), "{filter}: {}", page.body);
        assert!(
            page.body.contains(&format!("/portal/jobs/{}", job.id)),
            "{filter}"
        );
    }
    let all = ada.get("/portal/jobs?status=all").await;
    assert!(all.body.contains("5 jobs"), "{}", all.body);
    let wrong = ada.get("/portal/jobs?status=soon").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!error_at(&wrong.body, "status").is_empty());

    let nav = ada.get("/portal/dashboard").await;
    assert!(nav.body.contains("/portal/jobs\">Jobs<"), "{}", nav.body);
}

#[tokio::test]
async fn a_job_shows_its_timeline_notes_invoice_and_equipment() {
    let (app, [_, _, _, completed, _]) = seeded_app(jobs_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let page = ada.get(&format!("/portal/jobs/{}", completed.id)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for text in [
        "Job J-4",
        "Service the boiler and test the flue.",
        "Completed",
        "Scheduled",
        "Ana Ruiz, Ben Okafor",
        "Replaced the pressure valve.",
        ">Casa Lovelace<",
        "INV-J",
        "Boiler",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }
    let window = completed.window.unwrap();
    assert!(
        page.body
            .contains(&moment(&app, window.start(), Language::English))
    );
    assert!(
        page.body
            .contains(&moment(&app, window.end(), Language::English))
    );
    let invoice = app
        .portal
        .host()
        .job(app.tenant_id(), &ExternalId::parse("J-4").unwrap())
        .await
        .unwrap()
        .unwrap()
        .detail
        .invoices[0]
        .id;
    assert!(
        page.body
            .contains(&format!("/portal/billing/invoices/{invoice}"))
    );
    assert!(page.body.contains("/portal/assets/"));
    assert!(!page.body.contains("id=\"job-autopay\""));
}

#[tokio::test]
async fn the_autopay_note_shows_only_when_the_account_is_enrolled() {
    let (app, [upcoming, ..]) = seeded_app(jobs_settings()).await;
    let token = app.api_token("ada@example.com").await;
    let before = app
        .send(get_request(
            &format!("/portal/api/v1/jobs/{}", upcoming.id),
            Some(&token),
        ))
        .await
        .json();
    assert_eq!(before["job"]["paid_by_autopay"], false);
    crate::billing_api::enrol_autopay(&app, &token).await;

    let mut ada = app.logged_in("ada@example.com").await;
    let page = ada.get(&format!("/portal/jobs/{}", upcoming.id)).await;
    assert!(page.body.contains("id=\"job-autopay\""), "{}", page.body);
    let list = ada.get("/portal/jobs").await;
    assert!(list.body.contains("Paid by autopay"));
    let cancelled = ada.get("/portal/jobs?status=cancelled").await;
    assert!(
        !cancelled.body.contains("Paid by autopay"),
        "never a cancelled job"
    );
    let dashboard = ada.get("/portal/dashboard").await;
    assert!(
        dashboard.body.contains("Paid by autopay"),
        "{}",
        dashboard.body
    );
    let after = app
        .send(get_request(
            &format!("/portal/api/v1/jobs/{}", upcoming.id),
            Some(&token),
        ))
        .await
        .json();
    assert_eq!(after["job"]["paid_by_autopay"], true);
}

/// The dashboard's open jobs say "Paid by autopay" by the jobs' rule, and
/// only to a contact who may manage autopay: a member (services, no cards)
/// of the same enrolled account sees the jobs without it, the primary
/// contact with it; once the business stops running autopay, nobody does.
#[tokio::test]
async fn the_dashboards_autopay_badge_shows_only_to_contacts_who_may_manage_autopay() {
    let (app, [upcoming, ..]) = seeded_app(jobs_settings()).await;
    let host = app.portal.host();
    let max = host
        .upsert_contact(
            app.tenant_id(),
            &contact("max", "Max Member", "max@example.com", None),
        )
        .await
        .unwrap();
    host.grant_membership(
        app.tenant_id(),
        max.id,
        app.seeded.account_a,
        portal_core::access::Role::Member,
    )
    .await
    .unwrap();
    app.register("max@example.com").await;
    let token = app.api_token("ada@example.com").await;
    crate::billing_api::enrol_autopay(&app, &token).await;
    let job_link = format!("/portal/jobs/{}", upcoming.id);

    let mut ada = app.logged_in("ada@example.com").await;
    let dashboard = ada.get("/portal/dashboard").await;
    assert!(dashboard.body.contains(&job_link), "{}", dashboard.body);
    assert!(
        dashboard.body.contains("Paid by autopay"),
        "{}",
        dashboard.body
    );

    let mut max = app.logged_in("max@example.com").await;
    let dashboard = max.get("/portal/dashboard").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.body.contains(&job_link), "{}", dashboard.body);
    assert!(
        !dashboard.body.contains("Paid by autopay"),
        "a member may not manage autopay: {}",
        dashboard.body
    );

    let tenant = &app.seeded.tenant;
    let mut settings = jobs_settings();
    settings.features.autopay = false;
    host.update_tenant(tenant.id, tenant.base_url.as_str(), settings)
        .await
        .unwrap();
    let dashboard = ada.get("/portal/dashboard").await;
    assert!(dashboard.body.contains(&job_link), "{}", dashboard.body);
    assert!(
        !dashboard.body.contains("Paid by autopay"),
        "the business runs no autopay: {}",
        dashboard.body
    );
}

#[tokio::test]
async fn the_dashboards_open_jobs_link_to_their_pages() {
    let (app, [upcoming, waiting, in_progress, completed, _]) = seeded_app(jobs_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let dashboard = ada.get("/portal/dashboard").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    for job in [&upcoming, &waiting, &in_progress] {
        assert!(
            dashboard.body.contains(&format!("/portal/jobs/{}", job.id)),
            "{}: {}",
            job.number,
            dashboard.body
        );
    }
    assert!(
        !dashboard
            .body
            .contains(&format!("/portal/jobs/{}", completed.id))
    );
    assert!(!dashboard.body.contains("Paid by autopay"), "not enrolled");
}

#[tokio::test]
async fn a_client_lists_and_reads_jobs_with_rfc3339_times() {
    let (app, [upcoming, _, _, completed, _]) = seeded_app(jobs_settings()).await;
    let token = app.api_token("ada@example.com").await;
    let list = app
        .send(get_request("/portal/api/v1/jobs", Some(&token)))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let list = list.json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], upcoming.id.to_string());
    assert_eq!(list["items"][0]["status"], "scheduled");
    assert_eq!(list["items"][0]["window"]["start"], "2026-11-24T14:00:00Z");
    assert_eq!(list["items"][0]["technicians"][1], "Ben Okafor");
    assert_eq!(list["items"][0]["paid_by_autopay"], false);
    let all = app
        .send(get_request(
            "/portal/api/v1/jobs?status=all&per_page=2",
            Some(&token),
        ))
        .await
        .json();
    assert_eq!(all["total"], 5);
    assert_eq!(all["items"].as_array().unwrap().len(), 2);

    let detail = app
        .send(get_request(
            &format!("/portal/api/v1/jobs/{}", completed.id),
            Some(&token),
        ))
        .await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    let detail = detail.json();
    assert_eq!(detail["job"]["status"], "completed");
    let timeline: Vec<_> = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(timeline, ["scheduled", "completed"]);
    assert_eq!(detail["notes"][0]["body"], "Replaced the pressure valve.");
    assert_eq!(detail["invoices"][0]["label"], "INV-J");
    assert_eq!(detail["assets"][0]["label"], "Boiler");

    for (query, status) in [
        ("status=soon", StatusCode::UNPROCESSABLE_ENTITY),
        ("page=nope", StatusCode::UNPROCESSABLE_ENTITY),
        ("colour=red", StatusCode::BAD_REQUEST),
    ] {
        let reply = app
            .send(get_request(
                &format!("/portal/api/v1/jobs?{query}"),
                Some(&token),
            ))
            .await;
        assert_eq!(reply.status, status, "{query}: {}", reply.body);
        assert!(
            reply.headers[axum::http::header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/problem+json"),
            "{query}"
        );
    }
}

#[tokio::test]
async fn another_accounts_job_is_404_on_pages_and_api_also_by_guessed_ids() {
    let app = TestApp::with_settings(jobs_settings()).await;
    app.register("ada@example.com").await;
    let bobs = app
        .job(
            app.seeded.account_b,
            "J-B",
            JobStatus::Scheduled,
            Some(upcoming_window()),
            None,
            (&[], &[]),
        )
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    let guessed = uuid::Uuid::now_v7();
    for id in [bobs.id.to_string(), guessed.to_string(), "42".to_owned()] {
        let page = ada.get(&format!("/portal/jobs/{id}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{id}");
        assert!(!page.body.contains("J-B") && !page.body.contains("Boiler service"));
    }
    let token = app.api_token("ada@example.com").await;
    for id in [bobs.id.to_string(), guessed.to_string(), "42".to_owned()] {
        let reply = app
            .send(get_request(
                &format!("/portal/api/v1/jobs/{id}"),
                Some(&token),
            ))
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{id}");
        assert!(!reply.body.contains("J-B"));
    }
    let list = ada.get("/portal/jobs?status=all").await;
    assert!(!list.body.contains("J-B"));
    let listed = app
        .send(get_request("/portal/api/v1/jobs?status=all", Some(&token)))
        .await
        .json();
    assert_eq!(listed["total"], 0);
}

#[tokio::test]
async fn services_off_hides_the_link_and_forbids_the_pages_and_api() {
    let mut settings = jobs_settings();
    settings.features.services = false;
    let app = TestApp::with_settings(settings).await;
    app.register("ada@example.com").await;
    let mut ada = app.logged_in("ada@example.com").await;
    let dashboard = ada.get("/portal/dashboard").await;
    assert!(!dashboard.body.contains("/portal/jobs\""));
    assert_eq!(ada.get("/portal/jobs").await.status, StatusCode::FORBIDDEN);
    let token = app.api_token("ada@example.com").await;
    let reply = app
        .send(get_request("/portal/api/v1/jobs", Some(&token)))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let anonymous = app.send(get_request("/portal/api/v1/jobs", None)).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

/// The page's own content: what is inside `<main>`.
pub fn main_of(body: &str) -> &str {
    let start = body.find("<main").expect("a <main>");
    let end = body.rfind("</main>").expect("a </main>");
    &body[start..end]
}

#[tokio::test]
async fn the_jobs_pages_in_spanish_have_no_english_left() {
    let mut settings = jobs_settings();
    settings.language = Language::Spanish;
    let (app, [upcoming, _, _, completed, _]) = seeded_app(settings).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let list = ada.get("/portal/jobs").await;
    assert!(list.body.contains("Trabajos"), "{}", list.body);
    assert!(
        list.body
            .contains(&moment(&app, upcoming_window().start(), Language::Spanish))
    );
    for path in [
        "/portal/jobs".to_owned(),
        "/portal/jobs?status=all".to_owned(),
        format!("/portal/jobs/{}", upcoming.id),
        format!("/portal/jobs/{}", completed.id),
    ] {
        let page = ada.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        // The host's own words (titles, description, note) are not ours
        // to translate; take them out before looking for English.
        let main = main_of(&page.body)
            .replace("Service the boiler and test the flue.", "")
            .replace("Replaced the pressure valve.", "")
            .replace("Boiler service", "")
            .replace("Boiler", "");
        assert_eq!(english_left(&main), Vec::<String>::new(), "{path}: {main}");
    }
}
