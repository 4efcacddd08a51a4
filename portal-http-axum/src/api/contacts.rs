//! Contacts over JSON: the active account's contacts for a contact who may
//! manage them (role and portal status), adding one (invited at once),
//! changing one's details or role, switching their access on or off, and
//! removing them from the account. The same use cases as the pages; a
//! contact without `ManageContacts` is refused (403) before any input is
//! read.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::routing::{get, put};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use portal_core::access::{Permission, authorize};
use portal_core::contacts::AccountContact;
use portal_core::shared::ContactId;
use portal_core::shared::{Reason, Shape};
use portal_core::{AuthContext, PortalError};

use crate::AppState;
use crate::api::wire;
use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::context::RequestContext;
use crate::error::{ApiError, Problem};
use crate::params::{self, ContactText, Source};
use crate::security::ApiUser;

/// The contacts routes, mounted under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(list_contacts).post(add_contact))
        .route(
            "/contacts/{id}",
            get(get_contact)
                .patch(update_contact)
                .delete(remove_contact),
        )
        .route("/contacts/{id}/access", put(set_contact_access))
}

/// One contact of the account.
#[derive(Serialize, ToSchema)]
pub struct ContactView {
    /// Our id.
    pub id: String,
    /// The business's id for the person (`portal-<uuid>` when added in
    /// the portal).
    pub external_id: String,
    /// Full name.
    pub name: String,
    /// E-mail, if any.
    pub email: Option<String>,
    /// Phone, if any.
    pub phone: Option<String>,
    /// Role on the account.
    #[schema(value_type = wire::Role)]
    pub role: String,
    /// Whether their access to this account's portal is on.
    pub portal_access: bool,
    /// `active` (access on, password set), `invited` (access on, no
    /// password yet) or `no_access`.
    #[schema(value_type = wire::PortalStatus)]
    pub status: String,
}

impl From<&AccountContact> for ContactView {
    fn from(contact: &AccountContact) -> Self {
        Self {
            id: contact.contact.id.to_string(),
            external_id: contact.contact.external_id.as_str().to_owned(),
            name: contact.contact.name.clone(),
            email: contact.contact.email.as_ref().map(ToString::to_string),
            phone: contact.contact.phone.as_ref().map(ToString::to_string),
            role: contact.role.as_str().to_owned(),
            portal_access: contact.has_access,
            status: contact.status().as_str().to_owned(),
        }
    }
}

/// One page of the account's contacts.
#[derive(Serialize, ToSchema)]
pub struct ContactListView {
    /// By name.
    pub items: Vec<ContactView>,
    /// All the account's contacts.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

/// The list's page; unknown parameters are refused (400).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Page, from 1.
    #[param(value_type = Option<wire::Count>)]
    page: Option<String>,
    /// Page size, 1 to 100 (default 25; larger is capped).
    #[param(value_type = Option<wire::Count>)]
    per_page: Option<String>,
}

/// A contact to add.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContactBody {
    /// Full name, one line of 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// E-mail: the invitation goes there.
    #[schema(value_type = wire::Email)]
    pub email: String,
    /// Phone (optional).
    #[schema(value_type = Option<wire::Phone>)]
    pub phone: Option<String>,
    /// Role on the account.
    #[schema(value_type = wire::Role)]
    pub role: String,
}

/// What to change of a contact; what is left out stays as it is.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    /// Full name, one line of 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// E-mail.
    #[schema(value_type = Option<wire::Email>)]
    pub email: Option<String>,
    /// Phone; an empty string removes it.
    #[schema(value_type = Option<String>)]
    pub phone: Option<String>,
    /// Role on the account.
    #[schema(value_type = Option<wire::Role>)]
    pub role: Option<String>,
}

/// A contact's access to the account's portal.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessBody {
    /// On (they are invited if they have no password yet) or off (their
    /// sessions on the account end at once).
    pub enabled: bool,
}

/// Refuses a contact who may not manage contacts before any input is
/// read.
fn check_may_manage(auth: &AuthContext) -> Result<(), ApiError> {
    authorize(
        &auth.actor,
        Permission::ManageContacts,
        &auth.tenant.settings.features,
    )
    .map(drop)
    .map_err(|why| PortalError::Forbidden(why).into())
}

fn contact_id(text: &str) -> Result<ContactId, ApiError> {
    Ok(params::id(text, ContactId::parse)?)
}

/// One page of the active account's contacts with their role and portal
/// status, by name.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = ContactListView), (status = 400, body = Problem, description = "an unknown parameter"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "contact management is off, or the contact may not manage contacts"),
        (status = 422, body = Problem, description = "a malformed page; `field` names it")))]
pub async fn list_contacts(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<ContactListView>, ApiError> {
    check_may_manage(&auth)?;
    let page = params::page_request(
        params.page.as_deref(),
        params.per_page.as_deref(),
        Source::Api,
    )?;
    let contacts = state.portal.contacts().list(&auth.actor, page).await?;
    Ok(Json(ContactListView {
        items: contacts.items.iter().map(ContactView::from).collect(),
        total: contacts.total,
        page: contacts.page,
        per_page: contacts.per_page,
    }))
}

/// One contact of the active account.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "contact id")),
    responses((status = 200, body = ContactView), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "contact management is off, or the contact may not manage contacts"),
        (status = 404, body = Problem, description = "unknown, malformed, or not a member of this account")))]
pub async fn get_contact(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ContactView>, ApiError> {
    check_may_manage(&auth)?;
    let id = contact_id(&id)?;
    let contact = state.portal.contacts().contact(&auth.actor, id).await?;
    Ok(Json(ContactView::from(&contact)))
}

/// Add a person to the active account with access on; they are emailed
/// an invitation to set their password. An e-mail (or phone) another
/// contact of the business has cannot be used: 409 naming the `field`,
/// saying no more. `Location` is the new contact's address.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", security(("bearer" = [])),
    request_body = NewContactBody,
    responses((status = 201, body = ContactView, description = "added and invited",
            headers(("Location" = String, description = "the new contact: `GET /api/v1/contacts/{id}`"))),
        (status = 400, body = Problem, description = "not JSON of this shape"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "contact management is off, or the contact may not manage contacts"),
        (status = 409, body = Problem, description = "the e-mail or phone cannot be used (`field` names it); nothing is written"),
        (status = 422, body = Problem, description = "a name of spaces only or with control characters, a malformed e-mail or phone, an unknown role; `field` names it, nothing is written")))]
pub async fn add_contact(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    context: RequestContext,
    ApiJson(body): ApiJson<NewContactBody>,
) -> Result<(StatusCode, HeaderMap, Json<ContactView>), ApiError> {
    check_may_manage(&auth)?;
    // A program leaves the phone out (or sends null) for none; an empty
    // string is no phone number.
    if body.phone.as_deref() == Some("") {
        return Err(PortalError::invalid("phone", Reason::Malformed(Shape::Phone)).into());
    }
    let (details, role) = ContactText {
        name: &body.name,
        email: &body.email,
        phone: body.phone.as_deref().unwrap_or_default(),
        role: &body.role,
    }
    .parse()?;
    let added = state
        .portal
        .contacts()
        .add(&auth.actor, details, role)
        .await?;
    let mut headers = HeaderMap::new();
    let location = format!("{}/api/v1/contacts/{}", context.base, added.contact.id);
    if let Ok(value) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, value);
    }
    Ok((
        StatusCode::CREATED,
        headers,
        Json(ContactView::from(&added)),
    ))
}

/// Change a contact's name, e-mail, phone or role; members left out stay
/// as they are. The account's last contact who can manage contacts
/// cannot be demoted (409). A new e-mail kills links mailed to the old
/// one; a contact still invited is invited again at the new one.
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "contact id")),
    request_body = ContactPatch,
    responses((status = 200, body = ContactView, description = "changed"),
        (status = 400, body = Problem, description = "not JSON of this shape"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "contact management is off, or the contact may not manage contacts"),
        (status = 404, body = Problem, description = "unknown, malformed, or not a member of this account"),
        (status = 409, body = Problem, description = "the last manager demoted, an e-mail or phone that cannot be used, or the manager's own e-mail (changed only on their account page; `field` names it); nothing is written"),
        (status = 422, body = Problem, description = "invalid input; `field` names it, nothing is written")))]
pub async fn update_contact(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<ContactPatch>,
) -> Result<Json<ContactView>, ApiError> {
    check_may_manage(&auth)?;
    let id = contact_id(&id)?;
    let contacts = state.portal.contacts();
    let current = contacts.contact(&auth.actor, id).await?;
    let only_role = patch.name.is_none() && patch.email.is_none() && patch.phone.is_none();
    let changed = match (only_role, patch.role.as_deref()) {
        (true, Some(role)) => {
            let role = params::contact_role(role)?;
            contacts.change_role(&auth.actor, id, role).await?
        }
        (true, None) => current,
        (false, _) => {
            let email = current.contact.email.as_ref().map(ToString::to_string);
            let phone = current.contact.phone.as_ref().map(ToString::to_string);
            let (details, role) = ContactText {
                name: patch.name.as_deref().unwrap_or(&current.contact.name),
                email: patch
                    .email
                    .as_deref()
                    .or(email.as_deref())
                    .unwrap_or_default(),
                phone: patch
                    .phone
                    .as_deref()
                    .or(phone.as_deref())
                    .unwrap_or_default(),
                role: patch.role.as_deref().unwrap_or(current.role.as_str()),
            }
            .parse()?;
            contacts.edit(&auth.actor, id, details, role).await?
        }
    };
    Ok(Json(ContactView::from(&changed)))
}

/// Switch a contact's access to the active account's portal on (an
/// invitation goes out if they have no password yet; switching on again
/// re-sends it) or off (their sessions on the account end at once; their
/// other accounts keep theirs). The account's last contact who can manage
/// contacts cannot be switched off (409).
#[utoipa::path(put, path = "/api/v1/contacts/{id}/access", tag = "contacts", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "contact id")),
    request_body = AccessBody,
    responses((status = 200, body = ContactView, description = "switched"),
        (status = 400, body = Problem, description = "not JSON of this shape"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "contact management is off, or the contact may not manage contacts"),
        (status = 404, body = Problem, description = "unknown, malformed, or not a member of this account"),
        (status = 409, body = Problem, description = "the account's last manager switched off; nothing is written")))]
pub async fn set_contact_access(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<AccessBody>,
) -> Result<Json<ContactView>, ApiError> {
    check_may_manage(&auth)?;
    let id = contact_id(&id)?;
    let changed = state
        .portal
        .contacts()
        .set_access(&auth.actor, id, body.enabled)
        .await?;
    Ok(Json(ContactView::from(&changed)))
}

/// Remove a contact from the active account (the person and their other
/// accounts stay); their sessions on it end. The account's last contact
/// who can manage contacts cannot be removed (409).
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "contact id")),
    responses((status = 204, description = "removed"), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "contact management is off, or the contact may not manage contacts"),
        (status = 404, body = Problem, description = "unknown, malformed, or not a member of this account"),
        (status = 409, body = Problem, description = "the account's last manager; nothing is written")))]
pub async fn remove_contact(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    check_may_manage(&auth)?;
    let id = contact_id(&id)?;
    state.portal.contacts().remove(&auth.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
