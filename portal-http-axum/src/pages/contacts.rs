//! "Portal users": the account's contacts for a contact who may manage
//! them (their role and portal status, switching access on or off),
//! adding one (invited at once), editing one (name, e-mail, phone, role)
//! and removing one after a confirmation page. Every handler refuses a
//! contact without the permission before reading any input; a refused
//! change shows its page again with the reason, at the input it concerns.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use portal_core::PortalError;
use portal_core::access::{Permission, Role, authorize};
use portal_core::contacts::{AccountContact, ContactsConflict};
use portal_core::shared::{Conflict, ContactId};
use portal_i18n::Messages;

use super::accounts::role_label;
use super::billing::{Done, Visit};
use super::error::FieldError;
use super::form::{Choice, Form, Input, Refusal};
use super::list::{Listing, list_url};
use super::{Layout, PageError, render};
use crate::params::{self, ContactText, Source};
use crate::route_table::{PageRoutes, form_post, get};
use crate::security::CsrfForm;

/// The contacts routes, under the portal's prefix.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .route("/contacts", get(list))
        .route("/contacts/new", get(new).post(add))
        .route("/contacts/{id}", get(edit).post(save))
        .route("/contacts/{id}/access", form_post(set_access, "/contacts"))
        .route("/contacts/{id}/remove", get(confirm_remove).post(remove))
}

/// Refuses a contact who may not manage contacts (role, the switch,
/// staff viewing) before any input is read.
fn check_may_manage(visit: &Visit) -> Result<(), PageError> {
    authorize(
        visit.actor(),
        Permission::ManageContacts,
        &visit.context().tenant.settings.features,
    )
    .map(drop)
    .map_err(PageError::Forbidden)
}

/// An id in the path; a malformed one is not found, like another
/// account's.
fn contact_id(text: &str) -> Result<ContactId, PageError> {
    Ok(params::id(text, ContactId::parse)?)
}

/// A contact's standing in the reader's words.
fn status_label(t: Messages, contact: &AccountContact) -> String {
    t.msg(match contact.status() {
        portal_core::contacts::PortalStatus::Active => "contacts-status-active",
        portal_core::contacts::PortalStatus::Invited => "contacts-status-invited",
        portal_core::contacts::PortalStatus::NoAccess => "contacts-status-no-access",
    })
}

/// A refused change as its form shows it: a taken e-mail or phone at its
/// input, other refusals at the top.
fn refusal(t: Messages, error: PortalError) -> Result<Refusal, PageError> {
    let field = match &error {
        PortalError::Conflict(Conflict::Contacts(
            ContactsConflict::EmailUnavailable | ContactsConflict::OwnEmail,
        )) => Some("email"),
        PortalError::Conflict(Conflict::Contacts(ContactsConflict::PhoneUnavailable)) => {
            Some("phone")
        }
        _ => None,
    };
    match field {
        Some(field) => {
            let text = crate::messages::error_message(t, &error);
            Refusal::of(PageError::Invalid(Box::new(FieldError::sentence(
                field, &text,
            ))))
        }
        None => Refusal::of(error),
    }
}

/// A contact as the pages show them.
pub struct ContactRow {
    id: String,
    name: String,
    email: String,
    role: String,
    status: String,
    has_access: bool,
    /// Whether it is the reader themself.
    is_self: bool,
}

impl ContactRow {
    fn of(t: Messages, contact: &AccountContact, visit: &Visit) -> Self {
        Self {
            id: contact.contact.id.to_string(),
            name: contact.contact.name.clone(),
            email: contact
                .contact
                .email
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            role: role_label(t, contact.role),
            status: status_label(t, contact),
            has_access: contact.has_access,
            is_self: visit.actor().contact() == Some(contact.contact.id),
        }
    }
}

#[derive(Template)]
#[template(path = "contacts/list.html")]
struct ListPage {
    layout: Layout,
    notice: Option<String>,
    problem: Option<String>,
    list: Listing<ContactRow>,
}

/// The list's query string, as typed.
#[derive(Deserialize, serde::Serialize, Default)]
pub struct ListQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

/// The list, with a notice after a change or the reason one was refused.
async fn list_page(
    visit: &Visit,
    query: &ListQuery,
    notice: Option<String>,
    refused: Option<(StatusCode, String)>,
) -> Result<Response, PageError> {
    let t = visit.t();
    let page = params::page_request(query.page.as_deref(), None, Source::Page)?;
    let contacts = visit.portal().contacts().list(visit.actor(), page).await?;
    let base = visit.context().base.clone();
    let list = Listing::of(
        t,
        &contacts,
        |contact| ContactRow::of(t, contact, visit),
        |n| {
            let page = ListQuery {
                page: (n > 1).then(|| n.to_string()),
            };
            list_url(&base, "contacts", &page)
        },
    );
    let (status, problem) = match refused {
        Some((status, message)) => (status, Some(message)),
        None => (StatusCode::OK, None),
    };
    let page = ListPage {
        layout: visit.layout(&t.msg("contacts-title"), "contacts"),
        notice,
        problem,
        list,
    };
    render(status, &page)
}

/// `/contacts`: the account's contacts.
pub async fn list(
    visit: Visit,
    Query(query): Query<ListQuery>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let t = visit.t();
    let notice = done.notice(&[
        ("added", t.msg("contacts-added")),
        ("saved", t.msg("contacts-saved")),
        ("access-on", t.msg("contacts-access-on-done")),
        ("access-off", t.msg("contacts-access-off-done")),
        ("removed", t.msg("contacts-removed")),
    ]);
    list_page(&visit, &query, notice, None).await
}

/// What the add and edit forms were typed with.
#[derive(Deserialize, Default, Clone)]
pub struct ContactFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    role: String,
}

impl ContactFields {
    fn text(&self) -> ContactText<'_> {
        ContactText {
            name: &self.name,
            email: &self.email,
            phone: &self.phone,
            role: &self.role,
        }
    }

    fn of(contact: &AccountContact) -> Self {
        Self {
            name: contact.contact.name.clone(),
            email: contact
                .contact
                .email
                .as_ref()
                .map(|email| email.to_string())
                .unwrap_or_default(),
            phone: contact
                .contact
                .phone
                .as_ref()
                .map(|phone| phone.to_string())
                .unwrap_or_default(),
            role: contact.role.as_str().to_owned(),
        }
    }
}

#[derive(Template)]
#[template(path = "contacts/edit.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    submit: String,
    form: Form,
    typed: ContactFields,
    roles: Vec<Choice>,
    /// The contact being edited (its access form and remove link).
    editing: Option<ContactRow>,
}

/// The add or edit form with what was typed and the refusal, if any.
fn form_page(
    visit: &Visit,
    typed: ContactFields,
    editing: Option<&AccountContact>,
    refusal: Option<Refusal>,
) -> Result<Response, PageError> {
    let t = visit.t();
    let roles = Role::ALL
        .into_iter()
        .map(|role| {
            Choice::new(
                role.as_str(),
                role_label(t, role),
                role.as_str() == typed.role,
            )
        })
        .collect();
    let inputs = vec![
        Input::new("name", t.msg("contacts-name")),
        Input::new("email", t.msg("contacts-email")),
        Input::new("phone", t.msg("contacts-phone")),
        Input::new("role", t.msg("contacts-role")),
    ];
    let base = &visit.context().base;
    let (heading, action, submit, page) = match editing {
        Some(contact) => (
            t.msg_with(
                "contacts-edit-title",
                t.arg("name", contact.contact.name.clone()),
            ),
            format!("{base}/contacts/{}", contact.contact.id),
            t.msg("contacts-save"),
            format!("contacts/{}", contact.contact.id),
        ),
        None => (
            t.msg("contacts-new-title"),
            format!("{base}/contacts/new"),
            t.msg("contacts-add"),
            "contacts/new".to_owned(),
        ),
    };
    let page = FormPage {
        layout: visit.layout(&heading, &page),
        heading,
        action,
        submit,
        form: Form::new(t, inputs).showing(refusal),
        typed,
        roles,
        editing: editing.map(|contact| ContactRow::of(t, contact, visit)),
    };
    render(page.form.status(), &page)
}

/// `GET /contacts/new`: the form, a member by default.
pub async fn new(visit: Visit) -> Result<Response, PageError> {
    check_may_manage(&visit)?;
    let typed = ContactFields {
        role: Role::Member.as_str().to_owned(),
        ..ContactFields::default()
    };
    form_page(&visit, typed, None, None)
}

/// `POST /contacts/new`: adds the contact and invites them; on success
/// to the list (303), else the form again with the refusal at its input.
pub async fn add(
    visit: Visit,
    CsrfForm(typed): CsrfForm<ContactFields>,
) -> Result<Response, PageError> {
    check_may_manage(&visit)?;
    let added = match typed.text().parse() {
        Ok((details, role)) => {
            visit
                .portal()
                .contacts()
                .add(visit.actor(), details, role)
                .await
        }
        Err(error) => Err(error),
    };
    match added {
        Ok(_) => Ok(visit.redirect("contacts?done=added")),
        Err(error) => {
            let refusal = refusal(visit.t(), error)?;
            form_page(&visit, typed, None, Some(refusal))
        }
    }
}

/// `GET /contacts/{id}`: the edit form, the access switch and the way to
/// remove them.
pub async fn edit(visit: Visit, Path(id): Path<String>) -> Result<Response, PageError> {
    check_may_manage(&visit)?;
    let id = contact_id(&id)?;
    let contact = visit.portal().contacts().contact(visit.actor(), id).await?;
    form_page(&visit, ContactFields::of(&contact), Some(&contact), None)
}

/// `POST /contacts/{id}`: saves name, e-mail, phone and role.
pub async fn save(
    visit: Visit,
    Path(id): Path<String>,
    CsrfForm(typed): CsrfForm<ContactFields>,
) -> Result<Response, PageError> {
    check_may_manage(&visit)?;
    let id = contact_id(&id)?;
    let contacts = visit.portal().contacts();
    let saved = match typed.text().parse() {
        Ok((details, role)) => contacts.edit(visit.actor(), id, details, role).await,
        Err(error) => Err(error),
    };
    match saved {
        Ok(_) => Ok(visit.redirect("contacts?done=saved")),
        Err(error) => {
            let refusal = refusal(visit.t(), error)?;
            let contact = contacts.contact(visit.actor(), id).await?;
            form_page(&visit, typed, Some(&contact), Some(refusal))
        }
    }
}

/// The access form: `access` is `on` or `off`.
#[derive(Deserialize)]
pub struct AccessFields {
    #[serde(default)]
    access: String,
}

/// `POST /contacts/{id}/access`: switches access on (inviting them if
/// they have no password) or off (their sessions end); back to the list.
pub async fn set_access(
    visit: Visit,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<AccessFields>,
) -> Result<Response, PageError> {
    check_may_manage(&visit)?;
    let id = contact_id(&id)?;
    let on = params::access_switch(&fields.access)?;
    match visit
        .portal()
        .contacts()
        .set_access(visit.actor(), id, on)
        .await
    {
        Ok(_) if on => Ok(visit.redirect("contacts?done=access-on")),
        Ok(_) => Ok(visit.redirect("contacts?done=access-off")),
        Err(error @ PortalError::Conflict(_)) => {
            let status = crate::error::status_of(&error);
            let message = crate::messages::error_message(visit.t(), &error);
            list_page(&visit, &ListQuery::default(), None, Some((status, message))).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "contacts/remove.html")]
struct RemovePage {
    layout: Layout,
    contact: ContactRow,
    problem: Option<String>,
}

fn remove_page(
    visit: &Visit,
    contact: &AccountContact,
    refused: Option<(StatusCode, String)>,
) -> Result<Response, PageError> {
    let t = visit.t();
    let (status, problem) = match refused {
        Some((status, message)) => (status, Some(message)),
        None => (StatusCode::OK, None),
    };
    let page = RemovePage {
        layout: visit.layout(
            &t.msg_with(
                "contacts-remove-title",
                t.arg("name", contact.contact.name.clone()),
            ),
            &format!("contacts/{}/remove", contact.contact.id),
        ),
        contact: ContactRow::of(t, contact, visit),
        problem,
    };
    render(status, &page)
}

/// `GET /contacts/{id}/remove`: asks before removing.
pub async fn confirm_remove(visit: Visit, Path(id): Path<String>) -> Result<Response, PageError> {
    check_may_manage(&visit)?;
    let id = contact_id(&id)?;
    let contact = visit.portal().contacts().contact(visit.actor(), id).await?;
    remove_page(&visit, &contact, None)
}

/// `POST /contacts/{id}/remove`: removes them from the account.
pub async fn remove(
    visit: Visit,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    check_may_manage(&visit)?;
    let id = contact_id(&id)?;
    let contacts = visit.portal().contacts();
    match contacts.remove(visit.actor(), id).await {
        Ok(()) => Ok(visit.redirect("contacts?done=removed")),
        Err(error @ PortalError::Conflict(_)) => {
            let status = crate::error::status_of(&error);
            let message = crate::messages::error_message(visit.t(), &error);
            let contact = contacts.contact(visit.actor(), id).await?;
            remove_page(&visit, &contact, Some((status, message)))
        }
        Err(error) => Err(error.into()),
    }
}
