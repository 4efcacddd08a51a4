//! The customer's rentals: the contract list (by status, in pages), one
//! contract with its items (out, returned, since when, still out) and the
//! call-offs asked on it, its PDF, the items still out across every open
//! contract, the reservations, and "call off rent": a form on the
//! contract (how many of each item, a pickup date, notes) and the
//! call-off's own page, where its status shows as the host moves it.
//!
//! What may be called off is the core's rule (`CallOffRequest::check`,
//! repeated by the store under the account's lock); the form offers each
//! item up to what is available and shows the core's refusal at the item
//! it is about. The form is at `/rentals/{id}/call-off` for `GET` and
//! `POST` alike, so a reload after a refusal shows the form again.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use portal_core::access::{Permission, authorize};
use portal_core::rentals::{
    CallOff, CallOffItem, CallOffLine, CallOffRequest, Contract, ContractDetail, ContractLine,
    ContractStatus, ItemOut, Reservation, ReservationStatus,
};
use portal_core::requests::RequestStatus;
use portal_core::shared::{Formats, Item, RentalContractId, ServiceRequestId};
use portal_i18n::Messages;

use super::billing::{Done, Visit};
use super::form::{Choice, Form, Input, Refusal};
use super::list::{Listing, list_url};
use super::{Layout, PageError, render};
use crate::params::{self, RentalFilterText, Source};
use crate::pdf;
use crate::route_table::{PageRoutes, get};
use crate::security::CsrfForm;

/// The rental routes, under the portal's prefix.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .route("/rentals", get(list))
        .route("/rentals/items-out", get(items_out))
        .route("/rentals/reservations", get(reservations))
        .route("/rentals/call-offs/{id}", get(call_off))
        .route("/rentals/{id}", get(detail))
        .route("/rentals/{id}/pdf", get(contract_pdf))
        .route(
            "/rentals/{id}/call-off",
            get(call_off_form).post(call_off_submit),
        )
}

/// The key (`id` and `name`) of the call-off form's input for its
/// `index`th item; ours, never the host's item code.
pub(super) fn quantity_input(index: usize) -> String {
    format!("quantity_{index}")
}

fn reservation_status_label(t: Messages, status: ReservationStatus) -> String {
    t.msg(match status {
        ReservationStatus::Pending => "reservation-status-pending",
        ReservationStatus::Confirmed => "reservation-status-confirmed",
        ReservationStatus::Fulfilled => "reservation-status-fulfilled",
        ReservationStatus::Cancelled => "reservation-status-cancelled",
    })
}

fn call_off_items_text(t: Messages, items: &[CallOffItem]) -> String {
    pdf::rental_items_text(
        t,
        items.iter().map(|item| (item.quantity, item.name.as_str())),
    )
}

/// Whether the contact may ask for call-offs here (role, the rentals
/// switch, staff viewing read-only): the core's own rule.
fn may_call_off(visit: &Visit) -> bool {
    visit.actor().can(
        Permission::CallOffRent,
        &visit.context().tenant.settings.features,
    )
}

// ---- the contract list -----------------------------------------------

/// The list's query string, as typed.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct RentalFilters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

impl RentalFilters {
    /// This list's URL at another page.
    fn link(&self, base: &str, page: u32) -> String {
        let filters = RentalFilters {
            status: params::given(self.status.as_deref()).map(str::to_owned),
            page: (page > 1).then(|| page.to_string()),
        };
        list_url(base, "rentals", &filters)
    }
}

/// A contract as a list row, in text.
pub struct ContractRow {
    id: String,
    number: String,
    status: String,
    is_open: bool,
    started_on: String,
    site: String,
    items_out: u64,
}

impl ContractRow {
    fn of(contract: &Contract, t: Messages, formats: &Formats) -> Self {
        Self {
            id: contract.id.to_string(),
            number: contract.number.clone(),
            status: pdf::rental_status_label(t, contract.status),
            is_open: contract.status == ContractStatus::Open,
            started_on: formats.dates.day(contract.started_on),
            site: contract
                .site
                .clone()
                .filter(|site| !site.trim().is_empty())
                .unwrap_or_else(|| t.msg("rentals-no-site")),
            items_out: contract.items_out,
        }
    }
}

#[derive(Template)]
#[template(path = "rentals/list.html")]
struct ListPage {
    layout: Layout,
    section: &'static str,
    form: Form,
    statuses: Vec<Choice>,
    list: Listing<ContractRow>,
    is_filtered: bool,
}

fn filter_form(t: Messages) -> Form {
    Form::new(t, vec![Input::new("status", t.msg("field-status"))])
}

/// `/rentals`: the contracts, open first, by status, in pages.
pub async fn list(
    visit: Visit,
    Query(filters): Query<RentalFilters>,
) -> Result<Response, PageError> {
    let t = visit.t();
    let text = RentalFilterText {
        status: filters.status.as_deref(),
        page: filters.page.as_deref(),
        per_page: None,
    };
    let listed: Result<_, PageError> = async {
        let query = text.parse(Source::Page)?;
        Ok(visit
            .portal()
            .rentals()
            .contracts(visit.actor(), &query)
            .await?)
    }
    .await;
    let current = params::given(filters.status.as_deref()).unwrap_or("");
    let mut statuses = vec![Choice::new(
        "",
        t.msg("filter-any-status"),
        current.is_empty(),
    )];
    statuses.extend(
        [ContractStatus::Open, ContractStatus::Closed].map(|status| {
            Choice::new(
                status.as_str(),
                pdf::rental_status_label(t, status),
                status.as_str() == current,
            )
        }),
    );
    let mut page = ListPage {
        layout: visit.layout(&t.msg("rentals-title"), "rentals"),
        section: "contracts",
        form: filter_form(t),
        statuses,
        list: Listing::empty(),
        is_filtered: !current.is_empty(),
    };
    match listed {
        Ok(contracts) => {
            let formats = visit.formats();
            let base = visit.context().base.clone();
            page.list = Listing::of(
                t,
                &contracts,
                |contract| ContractRow::of(contract, t, &formats),
                |n| filters.link(&base, n),
            );
        }
        Err(error) => {
            page.form = filter_form(t).showing(Some(Refusal::of(error)?));
        }
    }
    render(page.form.status(), &page)
}

// ---- one contract ------------------------------------------------------

/// A line of a contract, in text.
pub struct LineRow {
    name: String,
    code: String,
    quantity_out: u32,
    quantity_returned: u32,
    out_since: String,
    still_out: u32,
    rate: String,
}

impl LineRow {
    fn of(line: &ContractLine, t: Messages, formats: &Formats) -> Self {
        Self {
            name: line.name.clone(),
            code: line.code.clone(),
            quantity_out: line.quantity_out,
            quantity_returned: line.quantity_returned,
            out_since: formats.dates.day(line.out_since),
            still_out: line.still_out(),
            rate: line.rate.map_or_else(
                || t.msg("rental-no-rate"),
                |rate| formats.money.format(rate),
            ),
        }
    }
}

/// A call-off as a row of the contract's list, in text.
pub struct CallOffRow {
    id: String,
    requested_on: String,
    pickup_on: String,
    items: String,
    status: String,
    is_open: bool,
}

impl CallOffRow {
    fn of(call_off: &CallOff, t: Messages, formats: &Formats) -> Self {
        Self {
            id: call_off.id.to_string(),
            requested_on: formats.dates.day_of(call_off.requested_at),
            pickup_on: formats.dates.day(call_off.pickup_on),
            items: call_off_items_text(t, &call_off.items),
            status: pdf::call_off_status_label(t, call_off.status),
            is_open: call_off.status.is_open(),
        }
    }
}

#[derive(Template)]
#[template(path = "rentals/detail.html")]
struct DetailPage {
    layout: Layout,
    id: String,
    number: String,
    status: String,
    started_on: String,
    site: String,
    items_out: u64,
    lines: Vec<LineRow>,
    has_rates: bool,
    call_offs: Vec<CallOffRow>,
    may_call_off: bool,
}

/// `/rentals/{id}`: one contract, its items and its call-offs; another
/// account's is 404.
pub async fn detail(visit: Visit, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = params::id(&id, RentalContractId::parse)?;
    let detail = visit.portal().rentals().contract(visit.actor(), id).await?;
    let t = visit.t();
    let formats = visit.formats();
    let contract = &detail.contract;
    let row = ContractRow::of(contract, t, &formats);
    let page = DetailPage {
        layout: visit.layout(
            &t.msg_with("rental-title", t.arg("number", &contract.number)),
            &format!("rentals/{}", contract.id),
        ),
        id: row.id,
        number: row.number,
        status: row.status,
        started_on: row.started_on,
        site: row.site,
        items_out: row.items_out,
        lines: detail
            .lines
            .iter()
            .map(|line| LineRow::of(line, t, &formats))
            .collect(),
        has_rates: detail.lines.iter().any(|line| line.rate.is_some()),
        call_offs: detail
            .call_offs
            .iter()
            .map(|call_off| CallOffRow::of(call_off, t, &formats))
            .collect(),
        may_call_off: detail.can_call_off() && may_call_off(&visit),
    };
    render(StatusCode::OK, &page)
}

/// `/rentals/{id}/pdf`: the contract as a PDF, in the reader's language.
pub async fn contract_pdf(visit: Visit, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = params::id(&id, RentalContractId::parse)?;
    let detail = visit.portal().rentals().contract(visit.actor(), id).await?;
    Ok(visit.document(
        &format!("rental-contract-{}", detail.contract.number),
        |heading, paper| pdf::rental_contract(heading, &detail, paper),
    ))
}

// ---- items out and reservations ----------------------------------------

/// The query string of a paged list without filters.
#[derive(Deserialize, Default)]
pub struct PageOnly {
    #[serde(default)]
    page: Option<String>,
}

/// An item still out, in text.
pub struct ItemOutRow {
    contract: String,
    contract_number: String,
    site: String,
    name: String,
    out_since: String,
    still_out: u32,
}

impl ItemOutRow {
    fn of(item: &ItemOut, t: Messages, formats: &Formats) -> Self {
        Self {
            contract: item.contract.to_string(),
            contract_number: item.contract_number.clone(),
            site: item
                .site
                .clone()
                .filter(|site| !site.trim().is_empty())
                .unwrap_or_else(|| t.msg("rentals-no-site")),
            name: item.line.name.clone(),
            out_since: formats.dates.day(item.line.out_since),
            still_out: item.line.still_out(),
        }
    }
}

#[derive(Template)]
#[template(path = "rentals/items_out.html")]
struct ItemsOutPage {
    layout: Layout,
    section: &'static str,
    list: Listing<ItemOutRow>,
}

/// A page link of a list at `path` without filters.
fn page_link(base: &str, path: &str, page: u32) -> String {
    if page > 1 {
        format!("{base}/{path}?page={page}")
    } else {
        format!("{base}/{path}")
    }
}

/// `/rentals/items-out`: what is still out on every open contract, in
/// pages.
pub async fn items_out(visit: Visit, Query(query): Query<PageOnly>) -> Result<Response, PageError> {
    let request = params::page_request(query.page.as_deref(), None, Source::Page)?;
    let items = visit
        .portal()
        .rentals()
        .items_out(visit.actor(), request)
        .await?;
    let t = visit.t();
    let formats = visit.formats();
    let base = visit.context().base.clone();
    let page = ItemsOutPage {
        layout: visit.layout(&t.msg("rentals-items-out-title"), "rentals/items-out"),
        section: "items-out",
        list: Listing::of(
            t,
            &items,
            |item| ItemOutRow::of(item, t, &formats),
            |n| page_link(&base, "rentals/items-out", n),
        ),
    };
    render(StatusCode::OK, &page)
}

/// A reservation, in text.
pub struct ReservationRow {
    number: String,
    dates: String,
    items: String,
    status: String,
    is_pending: bool,
}

impl ReservationRow {
    fn of(reservation: &Reservation, t: Messages, formats: &Formats) -> Self {
        Self {
            number: reservation.number.clone(),
            dates: t.msg_with(
                "rentals-reservation-dates",
                t.arg("from", formats.dates.day(reservation.starts_on))
                    .arg("to", formats.dates.day(reservation.ends_on)),
            ),
            items: pdf::rental_items_text(
                t,
                reservation
                    .items
                    .iter()
                    .map(|item| (item.quantity, item.name.as_str())),
            ),
            status: reservation_status_label(t, reservation.status),
            is_pending: reservation.status == ReservationStatus::Pending,
        }
    }
}

#[derive(Template)]
#[template(path = "rentals/reservations.html")]
struct ReservationsPage {
    layout: Layout,
    section: &'static str,
    list: Listing<ReservationRow>,
}

/// `/rentals/reservations`: items and dates booked ahead, in pages.
pub async fn reservations(
    visit: Visit,
    Query(query): Query<PageOnly>,
) -> Result<Response, PageError> {
    let request = params::page_request(query.page.as_deref(), None, Source::Page)?;
    let reservations = visit
        .portal()
        .rentals()
        .reservations(visit.actor(), request)
        .await?;
    let t = visit.t();
    let formats = visit.formats();
    let base = visit.context().base.clone();
    let page = ReservationsPage {
        layout: visit.layout(&t.msg("rentals-reservations-title"), "rentals/reservations"),
        section: "reservations",
        list: Listing::of(
            t,
            &reservations,
            |reservation| ReservationRow::of(reservation, t, &formats),
            |n| page_link(&base, "rentals/reservations", n),
        ),
    };
    render(StatusCode::OK, &page)
}

// ---- calling off rent ----------------------------------------------------

/// One item the call-off form offers: a line with something available.
pub struct OfferRow {
    /// The input's key (`quantity_<n>`).
    key: String,
    code: String,
    available: u32,
    /// What was typed (a refused attempt's), else empty.
    typed: String,
}

/// What the form had typed, to show again after a refusal: the quantity
/// per item code, the pickup day and the notes.
#[derive(Default)]
struct Typed {
    /// `(code, quantity text)` in the order posted.
    items: Vec<(String, String)>,
    pickup_on: String,
    notes: String,
}

impl Typed {
    /// The posted fields: `code_<n>` and `quantity_<n>` per item (read as
    /// pairs by `n`), `pickup_on`, `notes`.
    fn of(fields: Vec<(String, String)>) -> Self {
        let mut typed = Self::default();
        let mut codes = std::collections::BTreeMap::new();
        let mut quantities = std::collections::BTreeMap::new();
        for (key, value) in fields {
            if let Some(n) = key
                .strip_prefix("code_")
                .and_then(|n| n.parse::<usize>().ok())
            {
                codes.insert(n, value);
            } else if let Some(n) = key
                .strip_prefix("quantity_")
                .and_then(|n| n.parse::<usize>().ok())
            {
                quantities.insert(n, value);
            } else if key == "pickup_on" {
                typed.pickup_on = value;
            } else if key == "notes" {
                typed.notes = value;
            }
        }
        // Only as many items as a call-off may have are read: a forged
        // form of a million fields costs no more.
        typed.items = codes
            .into_iter()
            .take(portal_core::rentals::MAX_CALL_OFF_ITEMS + 1)
            .map(|(n, code)| (code, quantities.remove(&n).unwrap_or_default()))
            .collect();
        typed
    }

    fn quantity_of(&self, code: &str) -> String {
        self.items
            .iter()
            .find(|(typed, _)| typed == code)
            .map(|(_, quantity)| quantity.clone())
            .unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "rentals/call_off_form.html")]
struct CallOffFormPage {
    layout: Layout,
    form: Form,
    id: String,
    number: String,
    is_open: bool,
    offers: Vec<OfferRow>,
    today: String,
    pickup_on: String,
    notes: String,
    max_notes: usize,
}

/// The form's inputs, each labelled as the page shows it: the items as
/// one group (a message about no item in particular), each item's
/// quantity by the item's name, the pickup day and the notes.
fn call_off_form_of(t: Messages, offered: &[&ContractLine]) -> Form {
    let mut inputs = vec![Input::new("items", t.msg("call-off-items")).fieldset()];
    inputs.extend(
        offered
            .iter()
            .enumerate()
            .map(|(index, line)| Input::new(quantity_input(index), line.name.clone())),
    );
    inputs.push(Input::new("pickup_on", t.msg("call-off-pickup")));
    inputs.push(Input::new("notes", t.msg("call-off-notes")));
    Form::new(t, inputs)
}

/// The call-off form for `detail`, showing `refusal` (placed at the item
/// it names) and what was typed.
fn call_off_page(
    visit: &Visit,
    detail: &ContractDetail,
    refusal: Option<Refusal>,
    typed: &Typed,
) -> Result<Response, PageError> {
    let t = visit.t();
    let offered: Vec<&ContractLine> = detail
        .lines
        .iter()
        .filter(|line| detail.available(line) > 0)
        .collect();
    let refusal = refusal.map(|refusal| {
        refusal.at_item("quantity", |item| match item {
            Item::RentalItem { code, .. } => offered
                .iter()
                .position(|line| line.code == *code)
                .map(quantity_input),
            _ => None,
        })
    });
    let form = call_off_form_of(t, &offered).showing(refusal);
    let contract = &detail.contract;
    let today = visit.portal().rentals().today(&visit.context().tenant);
    let page = CallOffFormPage {
        layout: visit.layout(
            &t.msg_with("call-off-title", t.arg("number", &contract.number)),
            &format!("rentals/{}/call-off", contract.id),
        ),
        id: contract.id.to_string(),
        number: contract.number.clone(),
        is_open: contract.status == ContractStatus::Open,
        offers: offered
            .iter()
            .enumerate()
            .map(|(index, line)| OfferRow {
                key: quantity_input(index),
                code: line.code.clone(),
                available: detail.available(line),
                typed: typed.quantity_of(&line.code),
            })
            .collect(),
        today: today.to_string(),
        pickup_on: if typed.pickup_on.is_empty() {
            (today + chrono::Days::new(1)).to_string()
        } else {
            typed.pickup_on.clone()
        },
        notes: typed.notes.clone(),
        max_notes: portal_core::rentals::MAX_CALL_OFF_NOTES,
        form,
    };
    render(page.form.status(), &page)
}

/// Refuses a contact who may not call off rent, with the core's reason
/// (role, the rentals switch, staff viewing), before any input is read.
fn check_may_call_off(visit: &Visit) -> Result<(), PageError> {
    authorize(
        visit.actor(),
        Permission::CallOffRent,
        &visit.context().tenant.settings.features,
    )
    .map(drop)
    .map_err(PageError::Forbidden)
}

/// `GET /rentals/{id}/call-off`: the form.
pub async fn call_off_form(visit: Visit, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = params::id(&id, RentalContractId::parse)?;
    check_may_call_off(&visit)?;
    let detail = visit.portal().rentals().contract(visit.actor(), id).await?;
    call_off_page(&visit, &detail, None, &Typed::default())
}

/// `POST /rentals/{id}/call-off`: asks for the call-off; on success to
/// its page (303), else the form again with the refusal at its input and
/// nothing written.
pub async fn call_off_submit(
    visit: Visit,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = params::id(&id, RentalContractId::parse)?;
    check_may_call_off(&visit)?;
    let typed = Typed::of(fields);
    let requested: Result<CallOff, PageError> = async {
        let mut items = Vec::new();
        for (index, (code, quantity)) in typed.items.iter().enumerate() {
            if let Some(quantity) = params::call_off_quantity(index, quantity)? {
                items.push(CallOffLine {
                    code: code.clone(),
                    quantity,
                });
            }
        }
        let request = CallOffRequest {
            contract: id,
            items,
            pickup_on: params::pickup_on(Some(&typed.pickup_on), Source::Page)?,
            notes: typed.notes.clone(),
        };
        Ok(visit
            .portal()
            .rentals()
            .request_call_off(visit.actor(), &request)
            .await?)
    }
    .await;
    match requested {
        Ok(call_off) => {
            Ok(visit.redirect(&format!("rentals/call-offs/{}?done=requested", call_off.id)))
        }
        Err(error) => {
            let refusal = Refusal::of(error)?;
            let detail = visit.portal().rentals().contract(visit.actor(), id).await?;
            call_off_page(&visit, &detail, Some(refusal), &typed)
        }
    }
}

#[derive(Template)]
#[template(path = "rentals/call_off.html")]
struct CallOffPage {
    layout: Layout,
    notice: Option<String>,
    contract: String,
    number: String,
    status: String,
    explanation: String,
    requested_at: String,
    pickup_on: String,
    notes: String,
    host_note: String,
    items: Vec<(String, u32)>,
}

/// `/rentals/call-offs/{id}`: one call-off and where it stands; another
/// account's is 404.
pub async fn call_off(
    visit: Visit,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let id = params::id(&id, ServiceRequestId::parse)?;
    let rentals = visit.portal().rentals();
    let call_off = rentals.call_off(visit.actor(), id).await?;
    let detail = rentals.contract(visit.actor(), call_off.contract).await?;
    let t = visit.t();
    let formats = visit.formats();
    let number = detail.contract.number.clone();
    let page = CallOffPage {
        layout: visit.layout(
            &t.msg_with("call-off-page-title", t.arg("number", &number)),
            &format!("rentals/call-offs/{}", call_off.id),
        ),
        notice: done.notice(&[("requested", t.msg("call-off-done"))]),
        contract: call_off.contract.to_string(),
        number,
        status: pdf::call_off_status_label(t, call_off.status),
        explanation: t.msg(match call_off.status {
            RequestStatus::Pending => "call-off-explain-pending",
            RequestStatus::Scheduled => "call-off-explain-scheduled",
            RequestStatus::InProgress => "call-off-explain-in-progress",
            RequestStatus::Completed => "call-off-explain-collected",
            RequestStatus::Declined => "call-off-explain-declined",
            RequestStatus::Canceled => "call-off-explain-cancelled",
        }),
        requested_at: formats.dates.moment(call_off.requested_at),
        pickup_on: formats.dates.day(call_off.pickup_on),
        notes: call_off.notes.clone(),
        host_note: call_off.host_note.clone(),
        items: call_off
            .items
            .iter()
            .map(|item| (item.name.clone(), item.quantity))
            .collect(),
    };
    render(StatusCode::OK, &page)
}
