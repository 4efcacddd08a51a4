//! What makes the OpenAPI document exactly true, applied to every
//! operation in one place so a new endpoint cannot drift: the answers the
//! API's shared machinery gives (the extractors in [`super::extract`], the
//! bearer check, the tenant middleware), every error as
//! `application/problem+json` with the one `Problem` schema whose `type`
//! is one of [`ProblemType::ALL`], the headers of 401 and 429, the bearer
//! scheme, and the links between operations that clients (and the
//! schemathesis run in `scripts/test.sh`) follow.
//!
//! Handlers declare only what is theirs: success, and the refusals of
//! their use case (403, 404, 409, 422, 429 where they check the rate
//! limit), with their own descriptions, which are kept.

use serde_json::json;
use utoipa::openapi::content::Content;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::response::Response;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi, Ref, RefOr};

use super::extract::MAX_JSON_BYTES;
use crate::error::{PROBLEM_JSON, ProblemType};
use crate::uploads::MAX_UPLOAD_BODY;

/// The [`utoipa::Modify`] that applies this module's rules.
pub struct Contract;

impl utoipa::Modify for Contract {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        if let Some(RefOr::T(Schema::Object(problem))) = components.schemas.get_mut("Problem")
            && let Some(RefOr::T(Schema::Object(kind))) = problem.properties.get_mut("type")
        {
            kind.enum_values = Some(ProblemType::ALL.iter().map(|t| json!(t.uri())).collect());
        }
        close_variants(components, "MethodInput");
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                blank_means_absent(operation);
                add_common_answers(operation);
                errors_as_problems(operation);
            }
        }
        add_links(openapi);
    }
}

/// Request bodies refuse unknown members (`deny_unknown_fields`, 400); an
/// enum's variants say so too, which utoipa leaves out.
fn close_variants(components: &mut utoipa::openapi::Components, name: &str) {
    if let Some(RefOr::T(Schema::OneOf(one_of))) = components.schemas.get_mut(name) {
        for variant in &mut one_of.items {
            if let RefOr::T(Schema::Object(object)) = variant {
                object.additional_properties =
                    Some(Box::new(AdditionalProperties::FreeForm(false)));
            }
        }
    }
}

/// The answers an operation gets from the shared machinery, unless the
/// handler declared them with a description of its own.
fn add_common_answers(operation: &mut Operation) {
    let reads_json = operation
        .request_body
        .as_ref()
        .is_some_and(|body: &RequestBody| body.content.contains_key("application/json"));
    let reads_multipart = operation
        .request_body
        .as_ref()
        .is_some_and(|body: &RequestBody| body.content.contains_key("multipart/form-data"));
    let reads_query = operation
        .parameters
        .iter()
        .flatten()
        .any(|parameter| matches!(parameter.parameter_in, ParameterIn::Query));
    let needs_bearer = operation
        .security
        .as_ref()
        .is_some_and(|requirements| !requirements.is_empty());
    let mut add = |status: &str, description: &str| {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(Response::new(description)));
    };
    if reads_json {
        add(
            "400",
            "the body is not well-formed JSON of the shape this operation reads",
        );
        add(
            "413",
            &format!("the body is larger than {} KiB", MAX_JSON_BYTES / 1024),
        );
        add(
            "415",
            "the body is not sent as `application/json` (any case, charset UTF-8 if given)",
        );
    }
    if reads_multipart {
        add(
            "400",
            "the body is not a well-formed `multipart/form-data` body of the parts this operation reads (a part it does not read, a file in a part not named `file`, a text part over 64 KiB, more than 32 parts)",
        );
        add(
            "413",
            &format!(
                "the body is larger than {} MB (each file is held to the business's own limit: 422)",
                MAX_UPLOAD_BODY / 1_000_000
            ),
        );
        add("415", "the body is not sent as `multipart/form-data`");
    }
    if reads_query {
        add("400", "an unknown or repeated query parameter");
    }
    if needs_bearer {
        add(
            "401",
            "no bearer token, or one that is not (or no longer) valid",
        );
    }
    add(
        "404",
        "no portal here (the tenant is unknown), or what the path names does not exist",
    );
    add(
        "500",
        "an internal error; quote the problem's `request_id` when reporting it",
    );
}

/// A blank optional query parameter (`?status=`) counts as not given
/// (`params::given_in`): each one's schema says so.
fn blank_means_absent(operation: &mut Operation) {
    let optional_query = |parameter: &&mut utoipa::openapi::path::Parameter| {
        matches!(parameter.parameter_in, ParameterIn::Query)
            && matches!(parameter.required, utoipa::openapi::Required::False)
    };
    let parameters = operation.parameters.iter_mut().flatten();
    for parameter in parameters.filter(optional_query) {
        if let Some(schema) = parameter.schema.take() {
            let blank = ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(0))
                .description(Some("blank: not given"));
            let either = OneOfBuilder::new().item(blank).item(schema).build();
            parameter.schema = Some(RefOr::T(Schema::OneOf(either)));
        }
    }
}

/// Every error answer as `application/problem+json`: the `Problem`
/// schema, or the one the handler gave (402's problem with the payment).
/// 401 says how to authenticate, 429 when to try again.
fn errors_as_problems(operation: &mut Operation) {
    for (status, response) in operation.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if !(status.starts_with('4') || status.starts_with('5')) {
            continue;
        }
        let schema = response
            .content
            .swap_remove("application/json")
            .and_then(|content| content.schema)
            .unwrap_or_else(|| RefOr::Ref(Ref::from_schema_name("Problem")));
        response.content.clear();
        response
            .content
            .insert(PROBLEM_JSON.to_owned(), Content::new(Some(schema)));
        let header = |description: &str, schema: Schema| {
            HeaderBuilder::new()
                .schema(schema)
                .description(Some(description))
                .build()
        };
        match status.as_str() {
            "401" => {
                response.headers.insert(
                    "WWW-Authenticate".to_owned(),
                    header(
                        "`Bearer`",
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .build()
                            .into(),
                    ),
                );
            }
            "429" => {
                response.headers.insert(
                    "Retry-After".to_owned(),
                    header(
                        "seconds until the limit lets this client try again",
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .minimum(Some(1))
                            .build()
                            .into(),
                    ),
                );
            }
            _ => {}
        }
    }
}

/// The links a client follows from one answer to the next (log in, list
/// the invoices, read one, pay it, read the payment; and the ids that
/// other operations take). Written as JSON into the response: utoipa 5.5
/// serialises its `Link` type's fields in snake case (`operation_id`),
/// which no OpenAPI reader understands.
fn add_links(openapi: &mut OpenApi) {
    let pay_token = json!({"type": "new_token", "token": "tok_sandbox_visa"});
    let links = [
        (
            "/api/v1/sessions",
            "201",
            json!({"ListInvoices": {"operationId": "list_invoices",
                "description": "the invoices of the account the new session is on"}}),
        ),
        (
            "/api/v1/invoices",
            "200",
            json!({
                "GetInvoice": {"operationId": "get_invoice",
                    "parameters": {"id": "$response.body#/items/0/id"},
                    "description": "the first invoice of the page"},
                "ApplyCredit": {"operationId": "apply_credit",
                    "requestBody": {"invoices": [{"id": "$response.body#/items/0/id"}]},
                    "description": "pay the first invoice of the page from account credit"}
            }),
        ),
        (
            "/api/v1/invoices/{id}",
            "200",
            json!({"PayInvoice": {"operationId": "create_payment",
                "requestBody": {"invoices": [{"id": "$response.body#/id"}], "method": pay_token},
                "description": "pay what this invoice owes"}}),
        ),
        (
            "/api/v1/payments",
            "201",
            json!({"GetPayment": {"operationId": "get_payment",
                "parameters": {"id": "$response.body#/id"},
                "description": "the payment just made"}}),
        ),
        (
            "/api/v1/payments",
            "402",
            json!({"GetFailedPayment": {"operationId": "get_payment",
                "parameters": {"id": "$response.body#/payment/id"},
                "description": "the failed payment, as recorded"}}),
        ),
        (
            "/api/v1/payments",
            "200",
            json!({"GetListedPayment": {"operationId": "get_payment",
                "parameters": {"id": "$response.body#/items/0/id"},
                "description": "the newest payment of the page"}}),
        ),
        (
            "/api/v1/me",
            "200",
            json!({"SwitchAccount": {"operationId": "switch_account",
                "requestBody": {"account_id": "$response.body#/accounts/1/id"},
                "description": "make another of the contact's accounts active"}}),
        ),
        (
            "/api/v1/payment-methods",
            "201",
            json!({
                "MakeDefault": {"operationId": "set_default",
                    "parameters": {"id": "$response.body#/id"},
                    "description": "make the new card the default"},
                "RemoveCard": {"operationId": "remove_method",
                    "parameters": {"id": "$response.body#/id"},
                    "description": "remove the new card"},
                "EnrolAutopay": {"operationId": "enrol_autopay",
                    "requestBody": {"method_id": "$response.body#/id", "consent": true},
                    "description": "pay by autopay with the new card"}
            }),
        ),
        (
            "/api/v1/rentals/contracts",
            "200",
            json!({"GetRentalContract": {"operationId": "get_rental_contract",
                "parameters": {"id": "$response.body#/items/0/id"},
                "description": "the first rental contract of the page"}}),
        ),
        (
            "/api/v1/rentals/contracts/{id}/call-offs",
            "201",
            json!({"GetCallOff": {"operationId": "get_call_off",
                "parameters": {"id": "$response.body#/id"},
                "description": "the call-off just asked for"}}),
        ),
        (
            "/api/v1/requests",
            "201",
            json!({"GetRequest": {"operationId": "get_request",
                "parameters": {"id": "$response.body#/id"},
                "description": "the request just made"}}),
        ),
        (
            "/api/v1/requests",
            "200",
            json!({"GetListedRequest": {"operationId": "get_request",
                "parameters": {"id": "$response.body#/items/0/id"},
                "description": "the newest request of the page"}}),
        ),
        (
            "/api/v1/tickets",
            "201",
            json!({"GetTicket": {"operationId": "get_ticket",
                "parameters": {"id": "$response.body#/ticket/id"},
                "description": "the ticket just opened"}}),
        ),
        (
            "/api/v1/tickets",
            "200",
            json!({"GetListedTicket": {"operationId": "get_ticket",
                "parameters": {"id": "$response.body#/items/0/id"},
                "description": "the first ticket of the page"}}),
        ),
        (
            "/api/v1/autopay",
            "200",
            json!({"WithdrawAutopay": {"operationId": "withdraw_autopay",
                "description": "withdraw the consent"}}),
        ),
    ];
    for (path, status, links) in links {
        let Some(item) = openapi.paths.paths.get_mut(path) else {
            continue;
        };
        let operations = [&mut item.get, &mut item.post, &mut item.put];
        for operation in operations.into_iter().flatten() {
            if let Some(RefOr::T(response)) = operation.responses.responses.get_mut(status) {
                response
                    .extensions
                    .get_or_insert_with(Default::default)
                    .insert("links".to_owned(), links.clone());
            }
        }
    }
}
