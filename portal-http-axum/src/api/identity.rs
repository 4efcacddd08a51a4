//! Identity over JSON: registration, log-in, log-out, set-password links,
//! and the logged-in contact (who they are, their password, their active
//! account).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use portal_core::identity::MAX_OTHER_PHONES;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use portal_core::identity::{LoginClient, RawToken, SessionKind, TokenPurpose};
use portal_core::shared::AccountId;
use portal_core::{KnownFacts, LinkRequest};

use super::{ApiJson, wire};
use crate::AppState;
use crate::context::RequestContext;
use crate::error::{ApiError, Problem};
use crate::security::{ApiUser, check_rate};

/// Log-in by e-mail or phone number.
#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    /// E-mail address or phone number.
    pub login: String,
    /// Password.
    pub password: String,
    /// The `device_token` of this client's last successful log-in as this
    /// contact, if it kept one: locks that other clients' failures engaged
    /// do not stop it (its own failures lock it alone).
    #[serde(default)]
    pub device_token: Option<String>,
}

/// A new session's bearer token.
#[derive(Serialize, ToSchema)]
pub struct SessionResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// When the session ends at the latest.
    pub expires_at: DateTime<Utc>,
    /// Keep it (a secret, like a password) and send it as `device_token`
    /// with this contact's next log-in: it recognises this client, so
    /// others' wrong guesses cannot lock it out. Replaced at every log-in;
    /// recognised for a year.
    pub device_token: String,
}

/// Log in and get a bearer token.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "identity", request_body = LoginRequest,
    responses((status = 201, body = SessionResponse), (status = 401, body = Problem, description = "wrong log-in name or password, or locked"), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn create_session(
    State(state): State<AppState>,
    context: RequestContext,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<(StatusCode, Json<SessionResponse>), ApiError> {
    check_rate(&state, &context)?;
    let password = SecretString::from(body.password);
    let session = state
        .portal
        .identity()
        .log_in(
            &context.tenant,
            &body.login,
            &password,
            SessionKind::Bearer,
            &context.login_client(body.device_token),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(SessionResponse {
            token: session.token.expose().to_owned(),
            expires_at: session.expires_at,
            device_token: session.device.expose().to_owned(),
        }),
    ))
}

/// End the current session.
#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "identity", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn delete_session(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
) -> Result<StatusCode, ApiError> {
    state.portal.identity().log_out(&auth).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An e-mail address.
#[derive(Deserialize, ToSchema)]
pub struct EmailRequest {
    /// The e-mail on file.
    #[schema(value_type = wire::Email)]
    pub email: String,
}

/// Who forgot their password.
#[derive(Deserialize, ToSchema)]
pub struct ResetRequest {
    /// The e-mail on file, or the phone number used to log in (the link
    /// still goes to the e-mail on file).
    #[schema(value_type = wire::EmailOrPhone)]
    pub email: String,
}

/// Accepted; the same answer whether or not the e-mail is known.
#[derive(Serialize, ToSchema)]
pub struct Accepted {
    /// What happens next.
    pub message: String,
}

/// Asks for a link and answers the same whether or not the e-mail is known.
async fn request_link(
    state: &AppState,
    context: &RequestContext,
    email: &str,
    request: LinkRequest,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    check_rate(state, context)?;
    state
        .portal
        .identity()
        .request_password_link(&context.tenant, email, request)
        .await?;
    let message =
        "If that email belongs to an account that can use this portal, a link has been sent to it.";
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            message: message.into(),
        }),
    ))
}

/// Register by e-mail on file: mails a set-password link.
#[utoipa::path(post, path = "/api/v1/registrations/email", tag = "identity", request_body = EmailRequest,
    responses((status = 202, body = Accepted, description = "the same whether or not the e-mail is known"), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn register_by_email(
    State(state): State<AppState>,
    context: RequestContext,
    ApiJson(body): ApiJson<EmailRequest>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    request_link(&state, &context, &body.email, LinkRequest::Register).await
}

/// Forgot password: mails a reset link.
#[utoipa::path(post, path = "/api/v1/password-resets", tag = "identity", request_body = ResetRequest,
    responses((status = 202, body = Accepted, description = "the same whether or not the e-mail is known"), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn request_reset(
    State(state): State<AppState>,
    context: RequestContext,
    ApiJson(body): ApiJson<ResetRequest>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    request_link(&state, &context, &body.email, LinkRequest::Reset).await
}

/// Known-facts registration.
#[derive(Deserialize, ToSchema)]
pub struct FactsRequest {
    /// The account's phone number.
    #[schema(value_type = wire::Phone)]
    pub phone: String,
    /// The e-mail on file.
    #[schema(value_type = wire::Email)]
    pub email: String,
    /// The postal code on file.
    #[schema(value_type = wire::PostalCode)]
    pub postal_code: String,
    /// The new password (8 to 128 characters).
    #[schema(value_type = wire::NewPassword)]
    pub password: String,
}

/// Register by known facts: phone, e-mail and postal code must all match.
#[utoipa::path(post, path = "/api/v1/registrations/facts", tag = "identity", request_body = FactsRequest,
    responses((status = 201, body = Accepted), (status = 422, body = Problem, description = "details do not match (never says which), or invalid input"), (status = 429, body = Problem)))]
pub async fn register_by_facts(
    State(state): State<AppState>,
    context: RequestContext,
    ApiJson(body): ApiJson<FactsRequest>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    check_rate(&state, &context)?;
    let facts = KnownFacts {
        phone: body.phone,
        email: body.email,
        postal_code: body.postal_code,
    };
    state
        .portal
        .identity()
        .register_by_facts(
            &context.tenant,
            &facts,
            &body.password,
            &LoginClient::at(context.client),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Accepted {
            message: "Registered. Log in with your new password.".into(),
        }),
    ))
}

/// A token from a set-password link.
#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    /// The `token` parameter of the link.
    pub token: String,
}

/// What a live link is for.
#[derive(Serialize, ToSchema)]
pub struct LinkInfo {
    /// `set_password`, `reset_password` or `invitation`.
    pub purpose: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// Who the link is for, as they log in (the e-mail on file, else the
    /// phone), for the client's form and password managers.
    pub login: Option<String>,
}

fn purpose_name(purpose: TokenPurpose) -> String {
    purpose.as_str().to_owned()
}

/// Check a link without spending it.
#[utoipa::path(post, path = "/api/v1/password-links/inspect", tag = "identity", request_body = TokenRequest,
    responses((status = 200, body = LinkInfo), (status = 410, body = Problem, description = "unknown, used or expired")))]
pub async fn inspect_link(
    State(state): State<AppState>,
    context: RequestContext,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<Json<LinkInfo>, ApiError> {
    let info = state
        .portal
        .identity()
        .inspect_token(&context.tenant, &RawToken::from_client(&body.token))
        .await?;
    Ok(Json(LinkInfo {
        purpose: purpose_name(info.purpose),
        expires_at: info.expires_at,
        login: info.login,
    }))
}

/// Spend a link and set the password.
#[derive(Deserialize, ToSchema)]
pub struct RedeemRequest {
    /// The `token` parameter of the link.
    pub token: String,
    /// The new password (8 to 128 characters).
    #[schema(value_type = wire::NewPassword)]
    pub password: String,
}

/// Spend a set-password link and set the password. Does not log in.
#[utoipa::path(post, path = "/api/v1/password-links/redeem", tag = "identity", request_body = RedeemRequest,
    responses((status = 204), (status = 410, body = Problem, description = "unknown, used or expired"), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn redeem_link(
    State(state): State<AppState>,
    context: RequestContext,
    ApiJson(body): ApiJson<RedeemRequest>,
) -> Result<StatusCode, ApiError> {
    check_rate(&state, &context)?;
    state
        .portal
        .identity()
        .set_password_with_token(
            &context.tenant,
            &RawToken::from_client(&body.token),
            &body.password,
            &context.client_info(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// --- the logged-in contact: who they are, their password, their active account

/// One of the contact's accounts.
#[derive(Serialize, ToSchema)]
pub struct AccountRef {
    /// Account id.
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// Account number.
    pub number: String,
    /// Account name.
    pub name: String,
    /// The contact's role there.
    pub role: String,
    /// Whether it is the active account.
    pub active: bool,
}

/// The logged-in contact.
#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    /// Contact id.
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// Name.
    pub name: String,
    /// Log-in e-mail.
    pub email: Option<String>,
    /// Log-in phone.
    pub phone: Option<String>,
    /// Other numbers (not log-in names), at most three.
    pub other_phones: Vec<OtherPhoneBody>,
    /// The accounts the contact may switch between.
    pub accounts: Vec<AccountRef>,
}

/// One of a contact's numbers besides the log-in phone.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OtherPhoneBody {
    /// Mobile, work, home or other.
    #[schema(value_type = wire::PhoneKind)]
    pub kind: String,
    /// The number.
    #[schema(value_type = wire::Phone)]
    pub number: String,
}

/// Who is logged in, and their accounts.
#[utoipa::path(get, path = "/api/v1/me", tag = "customer", security(("bearer" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, ApiUser(auth): ApiUser) -> Json<MeResponse> {
    Json(me_view(&state, &auth, &auth.contact))
}

/// `contact` (the session's, or as just changed) with the session's
/// accounts.
fn me_view(
    state: &AppState,
    auth: &portal_core::AuthContext,
    contact: &portal_core::identity::Contact,
) -> MeResponse {
    let memberships = state.portal.identity().memberships(auth);
    MeResponse {
        id: contact.id.to_string(),
        name: contact.name.clone(),
        email: contact.email.as_ref().map(ToString::to_string),
        phone: contact.phone.as_ref().map(ToString::to_string),
        other_phones: contact
            .other_phones
            .iter()
            .map(|other| OtherPhoneBody {
                kind: other.kind.as_str().to_owned(),
                number: other.number.to_string(),
            })
            .collect(),
        accounts: memberships
            .into_iter()
            .map(|m| AccountRef {
                id: m.account.to_string(),
                active: m.account == auth.membership.account,
                number: m.account_number,
                name: m.account_name,
                role: m.role.as_str().to_owned(),
            })
            .collect(),
    }
}

/// The contact's own name and phones.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    /// Full name (one line, at most 200 characters).
    #[schema(min_length = 1, max_length = 200, example = "Ada Lovelace")]
    pub name: String,
    /// Phone (also a log-in name); null or absent removes it, which needs
    /// an e-mail to log in with.
    #[schema(value_type = Option<wire::Phone>)]
    pub phone: Option<String>,
    /// Other numbers, replacing those on file: at most three, none twice
    /// nor the log-in phone; `[]` removes them, absent keeps them.
    #[schema(max_items = 3)]
    pub other_phones: Option<Vec<OtherPhoneBody>>,
}

/// Change the logged-in contact's name and phones; the business is told.
/// The e-mail changes through `POST /me/email`.
#[utoipa::path(patch, path = "/api/v1/me", tag = "customer", security(("bearer" = [])), request_body = UpdateMeRequest,
    responses((status = 200, body = MeResponse, description = "as changed"), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "staff viewing as the customer"),
        (status = 409, body = Problem, description = "another contact has the phone, or the details changed meanwhile (read them again)"),
        (status = 422, body = Problem, description = "a blank or too long name, a malformed phone, no phone and no e-mail, more than three other numbers, one given twice or an unknown kind; `field` names it")))]
pub async fn update_me(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiJson(body): ApiJson<UpdateMeRequest>,
) -> Result<Json<MeResponse>, ApiError> {
    let other_phones = match &body.other_phones {
        // One past the most is enough for the core to refuse too many,
        // without reading a long list.
        Some(others) => others
            .iter()
            .take(MAX_OTHER_PHONES + 1)
            .enumerate()
            .map(|(index, other)| crate::params::other_phone(index + 1, &other.kind, &other.number))
            .collect::<Result<_, _>>()?,
        None => auth.contact.other_phones.clone(),
    };
    let change = crate::params::profile_change(&body.name, body.phone.as_deref(), other_phones)?;
    let contact = state
        .portal
        .identity()
        .update_profile(&auth, &change)
        .await?;
    Ok(Json(me_view(&state, &auth, &contact)))
}

/// A new e-mail address.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEmailRequest {
    /// The address to change to.
    #[schema(value_type = wire::Email)]
    pub email: String,
    /// The contact's password (the e-mail is a log-in name).
    pub current_password: String,
    /// The device token from `POST /sessions`, if the client kept one.
    pub device_token: Option<String>,
}

/// The change waiting for the new address.
#[derive(Serialize, ToSchema)]
pub struct PendingEmailView {
    /// Where the confirmation link went.
    #[schema(value_type = wire::Email)]
    pub pending_email: String,
}

/// Ask to change the logged-in contact's e-mail: a link goes to the new
/// address, and the e-mail changes once it is confirmed there
/// (`POST /email-changes/confirm`); the old address is then told.
#[utoipa::path(post, path = "/api/v1/me/email", tag = "customer", security(("bearer" = [])), request_body = ChangeEmailRequest,
    responses((status = 202, body = PendingEmailView, description = "the link is on its way"), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "staff viewing as the customer"),
        (status = 422, body = Problem, description = "a malformed address, the current one, or a wrong `current_password`; `field` names it"), (status = 429, body = Problem)))]
pub async fn change_email(
    State(state): State<AppState>,
    context: RequestContext,
    ApiUser(auth): ApiUser,
    ApiJson(body): ApiJson<ChangeEmailRequest>,
) -> Result<(StatusCode, Json<PendingEmailView>), ApiError> {
    check_rate(&state, &context)?;
    let current = SecretString::from(body.current_password);
    let pending = state
        .portal
        .identity()
        .request_email_change(
            &auth,
            &body.email,
            &current,
            &context.login_client(body.device_token),
        )
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(PendingEmailView {
            pending_email: pending.as_str().to_owned(),
        }),
    ))
}

/// A confirmation link's token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmEmailRequest {
    /// The `token` parameter of the link.
    pub token: String,
}

/// Confirm an e-mail change from its link: the new address becomes the
/// contact's e-mail and log-in. No session needed (the link proves the
/// mailbox).
#[utoipa::path(post, path = "/api/v1/email-changes/confirm", tag = "identity", request_body = ConfirmEmailRequest,
    responses((status = 204, description = "changed"), (status = 409, body = Problem, description = "another contact has taken the address meanwhile, or the contact's details kept changing while confirming"),
        (status = 410, body = Problem, description = "unknown, used or expired"), (status = 429, body = Problem)))]
pub async fn confirm_email(
    State(state): State<AppState>,
    context: RequestContext,
    ApiJson(body): ApiJson<ConfirmEmailRequest>,
) -> Result<StatusCode, ApiError> {
    check_rate(&state, &context)?;
    state
        .portal
        .identity()
        .confirm_email_change(
            &context.tenant,
            &RawToken::from_client(&body.token),
            &context.client_info(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A password change.
#[derive(Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    /// The current password.
    pub current_password: String,
    /// The new password (8 to 128 characters).
    #[schema(value_type = wire::NewPassword)]
    pub new_password: String,
    /// This client's device token (from `POST /sessions`), if it kept one:
    /// wrong guesses then count against this client alone.
    #[serde(default)]
    pub device_token: Option<String>,
}

/// Change the password; other sessions end.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "customer", security(("bearer" = [])), request_body = ChangePasswordRequest,
    responses((status = 204), (status = 401, body = Problem),
        (status = 422, body = Problem, description = "the current password is wrong (counts towards the lock), or the new one is not allowed"),
        (status = 429, body = Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    context: crate::context::RequestContext,
    ApiJson(body): ApiJson<ChangePasswordRequest>,
) -> Result<StatusCode, ApiError> {
    crate::security::check_rate(&state, &context)?;
    let current = SecretString::from(body.current_password);
    state
        .portal
        .identity()
        .change_password(
            &auth,
            &current,
            &body.new_password,
            &context.login_client(body.device_token),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which account to make active.
#[derive(Deserialize, ToSchema)]
pub struct SwitchAccountRequest {
    /// One of the ids from `GET /me`.
    #[schema(value_type = wire::Id)]
    pub account_id: String,
}

/// Switch the active account; everything follows it.
#[utoipa::path(put, path = "/api/v1/me/active-account", tag = "customer", security(("bearer" = [])), request_body = SwitchAccountRequest,
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem, description = "not one of the contact's accounts")))]
pub async fn switch_account(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiJson(body): ApiJson<SwitchAccountRequest>,
) -> Result<StatusCode, ApiError> {
    let account = crate::params::id(&body.account_id, AccountId::parse)?;
    state
        .portal
        .identity()
        .switch_account(&auth, account)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
