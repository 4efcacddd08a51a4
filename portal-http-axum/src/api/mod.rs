//! The JSON API under `/api/v1`: the same use cases as the pages, with
//! bearer tokens from `POST /api/v1/sessions` instead of cookies. Errors
//! are RFC 9457 problem+json. The OpenAPI document is generated from these
//! handlers and served at `/api/v1/openapi.json`.

mod accounts;
mod assets;
mod billing;
mod communications;
mod contacts;
mod contract;
mod dashboard;
mod documents;
mod extract;
mod identity;
mod jobs;
mod notifications;
mod quotes;
mod rentals;
mod requests;
mod security;
mod service_contracts;
mod tickets;
mod wire;

use axum::http::header;
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::OpenApi;

use crate::AppState;
use crate::error::Problem;

pub use extract::{
    ApiJson, ApiJsonOrMultipart, ApiMultipart, ApiPath, ApiQuery, is_json, read_body, read_parts,
};

use contract::Contract;

/// The API routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/sessions", post(identity::create_session))
        .route("/sessions/current", delete(identity::delete_session))
        .route("/registrations/email", post(identity::register_by_email))
        .route("/registrations/facts", post(identity::register_by_facts))
        .route("/password-resets", post(identity::request_reset))
        .route("/password-links/inspect", post(identity::inspect_link))
        .route("/password-links/redeem", post(identity::redeem_link))
        .route("/me", get(identity::me).patch(identity::update_me))
        .route("/me/email", post(identity::change_email))
        .route("/email-changes/confirm", post(identity::confirm_email))
        .route("/me/password", post(identity::change_password))
        .route("/me/active-account", put(identity::switch_account))
        .route("/dashboard", get(dashboard::dashboard))
        .route(
            "/account",
            get(accounts::account).patch(accounts::update_account),
        )
        .merge(billing::routes())
        .merge(quotes::routes())
        .merge(service_contracts::routes())
        .merge(assets::routes())
        .merge(rentals::routes())
        .merge(jobs::routes())
        .merge(requests::routes())
        .merge(notifications::routes())
        .merge(communications::routes())
        .merge(documents::routes())
        .merge(tickets::routes())
        .merge(security::routes())
        .merge(contacts::routes())
        // Whatever the framework answers before a handler runs (405) is a
        // problem too.
        .layer(middleware::from_fn(extract::errors_as_problems))
        // Responses carry bearer tokens and customer data: never cached.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        ))
}

/// The OpenAPI document of the API.
#[derive(OpenApi)]
#[openapi(
    info(title = "Portal customer API", version = "1", description = "Self-service API for a tenant's customers. Log in with POST /sessions and send the token as `Authorization: Bearer <token>`.\n\nErrors are RFC 9457 `application/problem+json`, their `type` one of the stable URIs the `Problem` schema lists: 400 a malformed request (a body that is not JSON of the operation's shape, unknown members or query parameters), 401 not logged in, 403 a feature the business switched off or something the contact's role may not do, 404 unknown or another account's, or a malformed id (always the same answer), 405 a method the path does not take (`Allow` lists those it does), 409 a conflict with the current state or a request still in flight, 413 a body over 64 KiB (a `multipart/form-data` upload: over its own limit), 415 a body not sent as `application/json` (or `multipart/form-data` where an operation takes files), 422 invalid input (`field` names it), 429 too many attempts (`Retry-After` says when to try again).\n\nMoney is a decimal string rounded to the currency's minor unit (`\"120.50\"`) next to a `currency` field, never a JSON number; send amounts the same way.\n\nPayments: `POST /payments` needs an `Idempotency-Key` header (Stripe semantics: the same key and body replay the first answer and never charge twice, a different body is 422, a key still in flight is 409). A payment that fails (declined, card refused, provider error) is answered **402** problem+json: `detail` is the message for the customer and `payment` the failed payment as recorded; nothing was charged or applied."),
    paths(
        identity::create_session,
        identity::delete_session,
        identity::register_by_email,
        identity::register_by_facts,
        identity::request_reset,
        identity::inspect_link,
        identity::redeem_link,
        identity::me,
        identity::change_password,
        identity::switch_account,
        dashboard::dashboard,
        accounts::account,
        accounts::update_account,
        billing::summary,
        billing::list_invoices,
        billing::get_invoice,
        billing::invoice_pdf,
        billing::payment_pdf,
        billing::statement,
        billing::statement_pdf,
        billing::list_payments,
        billing::get_payment,
        billing::create_payment,
        billing::preview_payment,
        billing::review_payment,
        billing::apply_credit,
        billing::payment_webhook,
        billing::list_methods,
        billing::add_method,
        billing::remove_method,
        billing::set_default,
        billing::autopay,
        billing::enrol_autopay,
        billing::withdraw_autopay,
        quotes::list_quotes,
        quotes::get_quote,
        quotes::quote_pdf,
        quotes::quote_certificate,
        quotes::approve_quote,
        quotes::decline_quote,
        service_contracts::list_contracts,
        service_contracts::get_contract,
        assets::list_assets,
        assets::get_asset,
        assets::asset_history,
        rentals::list_rental_contracts,
        rentals::get_rental_contract,
        rentals::list_items_out,
        rentals::list_reservations,
        rentals::request_call_off,
        rentals::get_call_off,
        jobs::list_jobs,
        jobs::get_job,
        requests::list_request_kinds,
        requests::list_requests,
        requests::get_request,
        requests::create_request,
        requests::cancel_request,
        requests::download_attachment,
        notifications::list_notifications,
        notifications::mark_notifications_read,
        notifications::get_preferences,
        notifications::put_preferences,
        contacts::list_contacts,
        contacts::get_contact,
        contacts::add_contact,
        contacts::update_contact,
        contacts::set_contact_access,
        contacts::remove_contact,
        communications::list_communications,
        documents::list_documents,
        documents::get_document,
        documents::download_document,
        tickets::ticket_form,
        tickets::list_tickets,
        tickets::get_ticket,
        tickets::create_ticket,
        tickets::reply_ticket,
        tickets::reopen_ticket,
        tickets::download_attachment,
        identity::update_me,
        identity::change_email,
        identity::confirm_email,
        security::list_sessions,
        security::end_session,
        security::list_sign_ins,
        security::audit_log,
    ),
    components(schemas(Problem, wire::Amount, wire::Email, wire::EmailOrPhone, wire::Phone, wire::PostalCode, wire::NewPassword, wire::IdempotencyKey, wire::Id, wire::Day, wire::Count, wire::InvoiceStatus, wire::InvoiceSort, wire::QuoteStatus, wire::Sha256, wire::ContractStatus, wire::RentalStatus, wire::JobFilter, wire::JobStatus, wire::RequestFilter, wire::RequestStatus, wire::TicketFilter, wire::TicketStatus, wire::FileKind, wire::Role, wire::PortalStatus, wire::PhoneKind)),
    modifiers(&Contract),
    tags((name = "identity", description = "Registration, log-in and passwords"), (name = "customer", description = "The logged-in customer's data"), (name = "billing", description = "Invoices, payments, credit, statements, cards on file and autopay"), (name = "quotes", description = "Quotes: reading, approving (with evidence) and declining them"), (name = "services", description = "Service contracts, jobs, assets with their service history, and service requests of every kind"), (name = "rentals", description = "Rental contracts, items out, reservations and call-offs"), (name = "tickets", description = "Support tickets: opening them with files, their threads, replying, reopening and downloading attachments"), (name = "documents", description = "Documents to download: the account's and the business's for all its customers"), (name = "notifications", description = "The contact's notification feed and what reaches them where"), (name = "contacts", description = "The account's portal users: their roles and access, managed by a contact who may manage contacts"))
)]
pub struct ApiDoc;

async fn openapi() -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(ApiDoc::openapi()),
    )
}
