//! The customer's assets and equipment: the list (all, or one
//! property's, in pages) and one asset with its serial number, make and
//! model, location on site, install and next maintenance dates, and its
//! service history (the jobs that touched it, newest first, each linking
//! to its job page). Read-only: the business keeps them through its host
//! API.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use portal_core::assets::{Asset, AssetJob, JobStatus};
use portal_core::shared::{AssetId, Formats, PageRequest};
use portal_i18n::Messages;

use super::billing::Visit;
use super::form::{Choice, Form, Input, Refusal};
use super::list::{Listing, list_url};
use super::{Layout, PageError, render};
use crate::params::{self, AssetFilterText, Source};
use crate::route_table::{PageRoutes, get};

/// The asset routes, under the portal's prefix.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .route("/assets", get(list))
        .route("/assets/{id}", get(detail))
}

/// The most properties the list's filter offers; an account with more
/// still lists every asset unfiltered.
const FILTER_PROPERTIES: u32 = 100;

/// The list's query string, as typed.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct AssetFilters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    property: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

impl AssetFilters {
    /// This list's URL at another page.
    fn link(&self, base: &str, page: u32) -> String {
        let filters = AssetFilters {
            property: params::given(self.property.as_deref()).map(str::to_owned),
            page: (page > 1).then(|| page.to_string()),
        };
        list_url(base, "assets", &filters)
    }
}

/// An asset as a list row, in text.
pub struct AssetRow {
    id: String,
    name: String,
    property: String,
    make_model: String,
    serial_number: String,
    location: String,
    next_maintenance_on: String,
}

/// Make and model as one phrase ("Viessmann Vitodens 200").
fn make_model(asset: &Asset) -> String {
    [asset.make.as_str(), asset.model.as_str()]
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

impl AssetRow {
    fn of(asset: &Asset, t: Messages, formats: &Formats) -> Self {
        Self {
            id: asset.id.to_string(),
            name: asset.name.clone(),
            property: asset.property_name.clone(),
            make_model: make_model(asset),
            serial_number: asset.serial_number.clone(),
            location: asset.location.clone(),
            next_maintenance_on: asset
                .next_maintenance_on
                .map_or_else(|| t.msg("asset-not-planned"), |day| formats.dates.day(day)),
        }
    }
}

#[derive(Template)]
#[template(path = "assets/list.html")]
struct ListPage {
    layout: Layout,
    form: Form,
    properties: Vec<Choice>,
    list: Listing<AssetRow>,
    is_filtered: bool,
}

fn filter_form(t: Messages) -> Form {
    Form::new(
        t,
        vec![Input::new("property", t.msg("assets-filter-property"))],
    )
}

/// The property filter's choices: every property, when the contact may
/// see properties (the services switch and permission); otherwise none,
/// and the list shows every asset.
async fn property_choices(visit: &Visit, current: &str) -> Vec<Choice> {
    let t = visit.t();
    let Ok(properties) = visit
        .portal()
        .properties()
        .properties(visit.actor(), PageRequest::new(1, FILTER_PROPERTIES))
        .await
    else {
        return Vec::new();
    };
    let mut choices = vec![Choice::new(
        "",
        t.msg("assets-any-property"),
        current.is_empty(),
    )];
    choices.extend(properties.items.iter().map(|property| {
        let id = property.id.to_string();
        let selected = id == current;
        Choice::new(id, property.name.clone(), selected)
    }));
    choices
}

/// `/assets`: by property then name, in pages.
pub async fn list(
    visit: Visit,
    Query(filters): Query<AssetFilters>,
) -> Result<Response, PageError> {
    let t = visit.t();
    let text = AssetFilterText {
        property: filters.property.as_deref(),
        page: filters.page.as_deref(),
        per_page: None,
    };
    let listed: Result<_, PageError> = async {
        let query = text.parse(Source::Page)?;
        Ok(visit
            .portal()
            .assets()
            .assets(visit.actor(), &query)
            .await?)
    }
    .await;
    let current = params::given(filters.property.as_deref()).unwrap_or("");
    let mut page = ListPage {
        layout: visit.layout(&t.msg("assets-title"), "assets"),
        form: filter_form(t),
        properties: property_choices(&visit, current).await,
        list: Listing::empty(),
        is_filtered: !current.is_empty(),
    };
    match listed {
        Ok(assets) => {
            let formats = visit.formats();
            let base = visit.context().base.clone();
            page.list = Listing::of(
                t,
                &assets,
                |asset| AssetRow::of(asset, t, &formats),
                |n| filters.link(&base, n),
            );
        }
        Err(error) => {
            page.form = filter_form(t).showing(Some(Refusal::of(error)?));
        }
    }
    render(page.form.status(), &page)
}

/// A job of the history, in text.
pub struct HistoryRow {
    id: String,
    number: String,
    title: String,
    status: String,
    when: String,
}

impl HistoryRow {
    fn of(job: &AssetJob, t: Messages, formats: &Formats) -> Self {
        Self {
            id: job.job.to_string(),
            number: job.number.clone(),
            title: job.title.clone(),
            status: job_status_label(t, job.status),
            when: job.scheduled_for.map_or_else(
                || t.msg("asset-not-scheduled"),
                |at| formats.dates.day_of(at),
            ),
        }
    }
}

/// A job's status in the customer's words.
fn job_status_label(t: Messages, status: JobStatus) -> String {
    t.msg(match status {
        JobStatus::Unscheduled => "asset-job-unscheduled",
        JobStatus::Scheduled => "asset-job-scheduled",
        JobStatus::InProgress => "asset-job-in-progress",
        JobStatus::Completed => "asset-job-completed",
        JobStatus::Cancelled => "asset-job-cancelled",
    })
}

/// The history's query string, as typed.
#[derive(Deserialize, Default)]
pub struct HistoryFilters {
    #[serde(default)]
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "assets/detail.html")]
struct DetailPage {
    layout: Layout,
    name: String,
    property: String,
    make: String,
    model: String,
    serial_number: String,
    location: String,
    installed_on: Option<String>,
    next_maintenance_on: Option<String>,
    history: Listing<HistoryRow>,
}

/// `/assets/{id}`: one asset and a page of its service history; another
/// account's is 404.
pub async fn detail(
    visit: Visit,
    Path(id): Path<String>,
    Query(filters): Query<HistoryFilters>,
) -> Result<Response, PageError> {
    let id = params::id(&id, AssetId::parse)?;
    let page_request = params::page_request(filters.page.as_deref(), None, Source::Page)?;
    let assets = visit.portal().assets();
    let asset = assets.asset(visit.actor(), id).await?;
    let history = assets.history(visit.actor(), id, page_request).await?;
    let t = visit.t();
    let formats = visit.formats();
    let base = visit.context().base.clone();
    let path = format!("assets/{}", asset.id);
    let mut listing = Listing::of(
        t,
        &history,
        |job| HistoryRow::of(job, t, &formats),
        |n| {
            if n > 1 {
                format!("{base}/{path}?page={n}")
            } else {
                format!("{base}/{path}")
            }
        },
    );
    // One page of history needs no pager.
    if history.total <= u64::from(history.per_page) {
        listing.pager = None;
    }
    let page = DetailPage {
        layout: visit.layout(
            &t.msg_with("asset-title", t.arg("name", &asset.name)),
            &path,
        ),
        name: asset.name.clone(),
        property: asset.property_name.clone(),
        make: asset.make.clone(),
        model: asset.model.clone(),
        serial_number: asset.serial_number.clone(),
        location: asset.location.clone(),
        installed_on: asset.installed_on.map(|day| formats.dates.day(day)),
        next_maintenance_on: asset.next_maintenance_on.map(|day| formats.dates.day(day)),
        history: listing,
    };
    render(StatusCode::OK, &page)
}
