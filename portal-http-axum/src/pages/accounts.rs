//! The account pages: the account and its custom fields, change password,
//! the account switcher for contacts with several accounts, and the layout
//! every signed-in page shares.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use secrecy::SecretString;
use serde::Deserialize;

use portal_core::access::{Permission, Role};
use portal_core::identity::{Contact, MAX_OTHER_PHONES, OtherPhone, PhoneKind};
use portal_core::shared::{AccountId, Item};
use portal_core::{AccountOverview, AuthContext};

use super::form::{Form, Input, Refusal};
use super::{Layout, PageError, rate_limit, render};
use crate::AppState;
use crate::context::RequestContext;
use crate::params::{self, ParamError};
use crate::security::{Csrf, CsrfForm, PageUser};
use portal_i18n::{Language, Messages};

/// The signed-in layout: header, account switcher (its memberships came
/// with the session) and navigation.
pub(super) fn layout(
    state: &AppState,
    title: &str,
    page: &str,
    context: &RequestContext,
    csrf: &Csrf,
    auth: &AuthContext,
) -> Layout {
    let memberships = state.portal.identity().memberships(auth);
    Layout::signed_in(title, page, context, csrf, auth, &memberships)
}

/// A custom field the customer may change, as the form shows it.
pub struct EditableField {
    /// The input's key (`field-1`, ...): its id.
    key: String,
    /// The field's name, which is also its label.
    name: String,
    value: String,
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    layout: Layout,
    /// The custom fields' form.
    fields_form: Form,
    /// The language form.
    language_form: Form,
    /// The contact's name, phone and other numbers.
    profile_form: Form,
    /// The contact's new e-mail.
    email_form: Form,
    /// Whether the page may offer changes (not to staff viewing).
    writable: bool,
    /// What the details forms show: as stored, or as typed when refused.
    typed: Typed,
    /// The change-password form, whose messages stay inside it (the page
    /// is long: a message at its top would be far from the form).
    password_form: Form,
    notice: Option<String>,
    overview: AccountOverview,
    address_lines: Vec<String>,
    contact: Contact,
    role: String,
    /// The kinds of other number, by name, with their labels.
    phone_kinds: [(&'static str, String); 4],
    /// The languages the select offers besides "as my browser asks".
    languages: [Language; 2],
    /// The custom fields the contact may change (none when the role may
    /// not edit the account).
    editable: Vec<EditableField>,
}

/// The contact's details as the forms show them.
pub struct Typed {
    name: String,
    phone: String,
    /// One row per other number the form offers ([`MAX_OTHER_PHONES`]).
    other_phones: Vec<TypedPhone>,
    email: String,
}

/// The key of the number input of other-number row `index` (from 1).
pub(super) fn other_phone_input(index: usize) -> String {
    format!("other_phone_{index}")
}

/// The key of the kind select of other-number row `index` (from 1).
pub(super) fn other_kind_input(index: usize) -> String {
    format!("other_kind_{index}")
}

/// One row of the other numbers: its inputs' keys and what they show.
pub struct TypedPhone {
    kind_key: String,
    number_key: String,
    kind: String,
    number: String,
}

impl TypedPhone {
    /// Row `index` (from 1) showing `kind` and `number`.
    fn new(index: usize, kind: &str, number: &str) -> Self {
        Self {
            kind_key: other_kind_input(index),
            number_key: other_phone_input(index),
            kind: kind.to_owned(),
            number: number.to_owned(),
        }
    }
}

impl Typed {
    /// As stored, the new e-mail blank.
    fn stored(contact: &Contact) -> Self {
        let rows = (1..=MAX_OTHER_PHONES).map(|index| match contact.other_phones.get(index - 1) {
            Some(other) => TypedPhone::new(index, other.kind.as_str(), other.number.as_str()),
            None => TypedPhone::new(index, PhoneKind::Mobile.as_str(), ""),
        });
        Self {
            name: contact.name.clone(),
            phone: contact
                .phone
                .as_ref()
                .map(|phone| phone.as_str().to_owned())
                .unwrap_or_default(),
            other_phones: rows.collect(),
            email: String::new(),
        }
    }
}

/// The account page's forms.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AccountForm {
    Fields,
    Language,
    Password,
    Profile,
    Email,
}

/// The account page, fresh or showing what went wrong with one of its
/// forms.
async fn account_page(
    state: &AppState,
    context: &RequestContext,
    csrf: &Csrf,
    auth: &AuthContext,
    refused: Option<(AccountForm, Refusal)>,
    notice: Option<String>,
    typed: Option<Typed>,
) -> Result<Response, PageError> {
    let overview = state
        .portal
        .accounts()
        .account_overview(&auth.actor)
        .await?;
    let may_edit = auth
        .actor
        .can(Permission::EditAccount, &context.tenant.settings.features);
    let editable: Vec<EditableField> = overview
        .custom_fields
        .iter()
        .filter(|(_, (_, editable))| may_edit && *editable)
        .enumerate()
        .map(|(index, (name, (value, _)))| EditableField {
            key: format!("field-{}", index + 1),
            name: name.clone(),
            value: value.clone(),
        })
        .collect();
    let t = context.t();
    let field_inputs = editable
        .iter()
        .map(|field| Input::new(field.key.clone(), field.name.clone()))
        .collect();
    let language_inputs = vec![Input::new("language", t.msg("account-language-label"))];
    let mut profile_inputs = vec![
        Input::new("name", t.msg("account-name")),
        Input::new("phone", t.msg("account-phone")),
        Input::new("other_phones", t.msg("account-other-phones")),
    ];
    for index in 1..=MAX_OTHER_PHONES {
        let n = || t.arg("n", index);
        profile_inputs.push(
            Input::new(
                other_kind_input(index),
                t.msg_with("account-other-kind", n()),
            )
            .in_group("other_phones"),
        );
        profile_inputs.push(
            Input::new(
                other_phone_input(index),
                t.msg_with("account-other-phone", n()),
            )
            .in_group("other_phones"),
        );
    }
    let email_inputs = vec![
        Input::new("email", t.msg("account-new-email")),
        Input::new("email_current_password", t.msg("account-current-password"))
            .alias(&["current_password"]),
    ];
    let password_inputs = vec![
        Input::new("current_password", t.msg("account-current-password")),
        // The core calls the new password `password`.
        Input::new("new_password", t.msg("account-new-password")).alias(&["password"]),
        Input::new(
            "new_password_confirm",
            t.msg("account-new-password-confirm"),
        ),
    ];
    let (which, refusal) = match refused {
        Some((which, refusal)) => (Some(which), Some(refusal)),
        None => (None, None),
    };
    let refusal_for = |form: AccountForm| refusal.clone().filter(|_| which == Some(form));
    let fields_refusal = refusal_for(AccountForm::Fields).map(|refusal| {
        refusal.at_item("custom_fields", |item| match item {
            Item::CustomField(name) => editable
                .iter()
                .find(|field| field.name == *name)
                .map(|field| field.key.clone()),
            Item::Invoice { .. } | Item::RentalItem { .. } => None,
        })
    });
    let fields_form = Form::new(t, field_inputs).showing(fields_refusal);
    let language_form = Form::new(t, language_inputs).showing(refusal_for(AccountForm::Language));
    let password_form = Form::new(t, password_inputs).showing(refusal_for(AccountForm::Password));
    let profile_form = Form::new(t, profile_inputs).showing(refusal_for(AccountForm::Profile));
    let email_form = Form::new(t, email_inputs).showing(refusal_for(AccountForm::Email));
    let status = match which {
        Some(AccountForm::Password) => password_form.status(),
        Some(AccountForm::Language) => language_form.status(),
        Some(AccountForm::Profile) => profile_form.status(),
        Some(AccountForm::Email) => email_form.status(),
        _ => fields_form.status(),
    };
    let page = AccountPage {
        layout: layout(
            state,
            &t.msg("account-title"),
            "account",
            context,
            csrf,
            auth,
        ),
        fields_form,
        language_form,
        password_form,
        profile_form,
        email_form,
        writable: auth.viewer().is_none(),
        typed: typed.unwrap_or_else(|| Typed::stored(&auth.contact)),
        notice,
        address_lines: overview.account.address.lines(),
        overview,
        contact: auth.contact.clone(),
        role: role_label(t, auth.membership.role),
        phone_kinds: PhoneKind::ALL.map(|kind| {
            (
                kind.as_str(),
                t.msg(&format!("phone-kind-{}", kind.as_str())),
            )
        }),
        languages: Language::ALL,
        editable,
    };
    render(status, &page)
}

#[derive(Deserialize)]
pub struct AccountQuery {
    #[serde(default)]
    done: Option<String>,
}

pub async fn account(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    PageUser(auth): PageUser,
    axum::extract::Query(query): axum::extract::Query<AccountQuery>,
) -> Result<Response, PageError> {
    let t = context.t();
    let notice = match query.done.as_deref() {
        Some("password") => Some(t.msg("account-password-changed")),
        Some("fields") => Some(t.msg("account-fields-saved")),
        Some("language") => Some(t.msg("account-language-saved")),
        Some("profile") => Some(t.msg("account-profile-saved")),
        Some("email") => Some(t.msg("account-email-link-sent")),
        _ => None,
    };
    account_page(&state, &context, &csrf, &auth, None, notice, None).await
}

/// `POST /account/fields`: the editable custom fields, as `field:<name>`.
pub async fn update_fields(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    PageUser(auth): PageUser,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let changes: BTreeMap<String, String> = form
        .into_iter()
        .filter_map(|(key, value)| Some((key.strip_prefix("field:")?.to_owned(), value)))
        .collect();
    match state
        .portal
        .accounts()
        .update_custom_fields(&auth.actor, &changes)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("{}/account?done=fields", context.base)).into_response()),
        Err(error) => {
            let refused = (AccountForm::Fields, Refusal::of(error)?);
            account_page(&state, &context, &csrf, &auth, Some(refused), None, None).await
        }
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    PageUser(auth): PageUser,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    let changed: Result<(), PageError> = async {
        rate_limit(&state, &context)?;
        if form.new_password != form.new_password_confirm {
            return Err(PageError::at(
                "new_password_confirm",
                &context.t().msg("account-passwords-differ"),
            ));
        }
        let current = SecretString::from(form.current_password);
        Ok(state
            .portal
            .identity()
            .change_password(
                &auth,
                &current,
                &form.new_password,
                &state.cookies.page_client(&context, &jar),
            )
            .await?)
    }
    .await;
    match changed {
        Ok(()) => {
            Ok(Redirect::to(&format!("{}/account?done=password", context.base)).into_response())
        }
        Err(error) => {
            let refused = (AccountForm::Password, Refusal::of(error)?);
            account_page(&state, &context, &csrf, &auth, Some(refused), None, None).await
        }
    }
}

#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    other_kind_1: String,
    #[serde(default)]
    other_phone_1: String,
    #[serde(default)]
    other_kind_2: String,
    #[serde(default)]
    other_phone_2: String,
    #[serde(default)]
    other_kind_3: String,
    #[serde(default)]
    other_phone_3: String,
}

impl ProfileForm {
    /// The other-number rows as typed: (index from 1, kind, number).
    fn other_rows(&self) -> [(usize, &str, &str); MAX_OTHER_PHONES] {
        [
            (1, &self.other_kind_1, &self.other_phone_1),
            (2, &self.other_kind_2, &self.other_phone_2),
            (3, &self.other_kind_3, &self.other_phone_3),
        ]
    }

    /// The other numbers given (rows with a blank number are none).
    fn other_phones(&self) -> Result<Vec<OtherPhone>, ParamError> {
        self.other_rows()
            .into_iter()
            .filter(|(_, _, number)| params::given(Some(number)).is_some())
            .map(|(index, kind, number)| params::other_phone(index, kind, number))
            .collect()
    }
}

/// `POST /account/profile`: the contact's own name, phone and other
/// numbers.
pub async fn update_profile(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    PageUser(auth): PageUser,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<Response, PageError> {
    let changed: Result<_, PageError> = async {
        let change = params::profile_change(
            &form.name,
            params::given(Some(&form.phone)),
            form.other_phones()?,
        )?;
        Ok(state
            .portal
            .identity()
            .update_profile(&auth, &change)
            .await?)
    }
    .await;
    match changed {
        Ok(_) => {
            Ok(Redirect::to(&format!("{}/account?done=profile", context.base)).into_response())
        }
        Err(error) => {
            let refused = (AccountForm::Profile, Refusal::of(error)?);
            let other_phones = form
                .other_rows()
                .into_iter()
                .map(|(index, kind, number)| TypedPhone::new(index, kind, number))
                .collect();
            let typed = Typed {
                name: form.name,
                phone: form.phone,
                other_phones,
                email: String::new(),
            };
            account_page(
                &state,
                &context,
                &csrf,
                &auth,
                Some(refused),
                None,
                Some(typed),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    current_password: String,
}

/// `POST /account/email`: mails a confirmation link to the new address;
/// the e-mail changes once it is followed.
pub async fn change_email(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    PageUser(auth): PageUser,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Result<Response, PageError> {
    let asked: Result<_, PageError> = async {
        rate_limit(&state, &context)?;
        let current = SecretString::from(form.current_password.clone());
        Ok(state
            .portal
            .identity()
            .request_email_change(
                &auth,
                &form.email,
                &current,
                &state.cookies.page_client(&context, &jar),
            )
            .await?)
    }
    .await;
    match asked {
        Ok(_) => Ok(Redirect::to(&format!("{}/account?done=email", context.base)).into_response()),
        Err(error) => {
            let refused = (AccountForm::Email, Refusal::of(error)?);
            let typed = Typed {
                email: form.email,
                ..Typed::stored(&auth.contact)
            };
            account_page(
                &state,
                &context,
                &csrf,
                &auth,
                Some(refused),
                None,
                Some(typed),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    language: String,
}

/// `POST /account/language`: the contact's language for pages and mails,
/// or none (their browser's, then the tenant's, apply again).
pub async fn set_language(
    State(state): State<AppState>,
    context: RequestContext,
    csrf: Csrf,
    PageUser(auth): PageUser,
    CsrfForm(form): CsrfForm<LanguageForm>,
) -> Result<Response, PageError> {
    match params::language(&form.language) {
        Ok(language) => {
            state
                .portal
                .identity()
                .set_language(&auth, language)
                .await?;
            Ok(Redirect::to(&format!("{}/account?done=language", context.base)).into_response())
        }
        Err(error) => {
            let refused = (AccountForm::Language, Refusal::of(error)?);
            account_page(&state, &context, &csrf, &auth, Some(refused), None, None).await
        }
    }
}

/// What a role is called.
pub(super) fn role_label(t: Messages, role: Role) -> String {
    t.msg(match role {
        Role::Primary => "role-primary",
        Role::Billing => "role-billing",
        Role::Member => "role-member",
        Role::Viewer => "role-viewer",
    })
}

#[derive(Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    account_id: String,
    #[serde(default)]
    return_to: Option<String>,
}

pub async fn switch_account(
    State(state): State<AppState>,
    context: RequestContext,
    PageUser(auth): PageUser,
    CsrfForm(form): CsrfForm<SwitchForm>,
) -> Result<Response, PageError> {
    let account = params::id(&form.account_id, AccountId::parse)?;
    state
        .portal
        .identity()
        .switch_account(&auth, account)
        .await?;
    let target = super::local_target(&context, form.return_to.as_deref())
        .unwrap_or_else(|| format!("{}/dashboard", context.base));
    Ok(Redirect::to(&target).into_response())
}
