//! Rendering: an outbox [`Email`] becomes a subject, a plain-text body and
//! an HTML body.
//!
//! Each [`EmailKind`] has two askama templates in `portal-mail/templates/`,
//! `<kind>.txt` and `<kind>.html`, which extend `layout.txt` and
//! `layout.html` (greeting, business name, who to reply to). The HTML ones
//! are auto-escaped by askama (the `.html` extension decides), so a contact
//! named `<script>` is shown, never run; the text ones are not escaped,
//! because plain text has nothing to escape.
//!
//! Wording is kept short and literal: what happened, the one thing to do
//! (a button in HTML, the bare link on its own line in text), when the link
//! stops working, and what to do if the mail was not expected. Every
//! sentence comes from the message catalog (`portal-i18n`, the `mail-*`
//! keys) in the mail's [`Email::language`]; templates look them up through
//! the frame's `t`. Money and times are written the tenant's way
//! ([`Email::formats`]): its locale, and its time zone with the zone's
//! abbreviation.

use askama::Template;
use portal_core::outbox::{Email, EmailKind};
use portal_core::shared::{Formats, Money};
use portal_i18n::Messages;

/// A mail ready to be put in an envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedMail {
    /// The subject line, on one line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body (a complete document with inline styles).
    pub html: String,
}

/// Why a mail could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The link is not an absolute `http`/`https` URL. Links are built from
    /// the tenant's base URL, so this means a misconfigured tenant; refusing
    /// keeps a `javascript:` or relative link out of a customer's inbox.
    #[error("the link in a {kind} mail is not an absolute http(s) URL")]
    InvalidLink {
        /// Which kind of mail carried it.
        kind: &'static str,
    },
    /// A template failed to render.
    #[error("could not render the {kind} mail: {source}")]
    Template {
        /// Which kind of mail.
        kind: &'static str,
        /// What askama said.
        source: askama::Error,
    },
}

/// Renders `mail` into its subject, text and HTML.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use portal_core::outbox::{Email, EmailKind};
/// use portal_core::shared::EmailAddress;
///
/// let mail = Email {
///     to: EmailAddress::parse("ada@example.com").unwrap(),
///     to_name: "Ada".into(),
///     business_name: "Acme Plumbing".into(),
///     reply_to: None,
///     language: portal_i18n::Language::English,
///     locale: Default::default(),
///     time_zone: "UTC".into(),
///     kind: EmailKind::ResetPassword {
///         link: "https://portal.example.com/reset?token=abc".into(),
///         expires_at: Utc.with_ymd_and_hms(2026, 11, 23, 13, 0, 0).unwrap(),
///     },
/// };
/// let rendered = portal_mail::render(&mail).unwrap();
/// assert_eq!(rendered.subject, "Reset your password for Acme Plumbing");
/// assert!(rendered.text.contains("\nhttps://portal.example.com/reset?token=abc\n"));
/// assert!(rendered.html.contains("Hello Ada,"));
/// ```
pub fn render(mail: &Email) -> Result<RenderedMail, RenderError> {
    let business_name = one_line(&mail.business_name);
    let to_name = one_line(&mail.to_name);
    let kind_name = kind_name(&mail.kind);
    let t = Messages::new(mail.language);
    // Money and times the tenant's way: its locale, its time zone.
    let formats = mail.formats();
    let subject = one_line(&subject(t, &mail.kind, &business_name, &formats));
    let frame = Frame {
        t,
        subject: &subject,
        to_name: (!to_name.is_empty()).then_some(to_name.as_str()),
        business_name: &business_name,
        reply_to: mail.reply_to.as_ref().map(|address| address.as_str()),
    };
    let template_error = |source| RenderError::Template {
        kind: kind_name,
        source,
    };

    let (text, html) = match &mail.kind {
        EmailKind::SetPassword { link, expires_at } => {
            let link = checked_link(link, kind_name)?;
            let expires = formats.dates.moment(expires_at);
            let view = LinkView {
                frame: &frame,
                link,
                expires: &expires,
            };
            (
                SetPasswordText { v: &view }.render(),
                SetPasswordHtml { v: &view }.render(),
            )
        }
        EmailKind::ResetPassword { link, expires_at } => {
            let link = checked_link(link, kind_name)?;
            let expires = formats.dates.moment(expires_at);
            let view = LinkView {
                frame: &frame,
                link,
                expires: &expires,
            };
            (
                ResetPasswordText { v: &view }.render(),
                ResetPasswordHtml { v: &view }.render(),
            )
        }
        EmailKind::Invitation {
            link,
            expires_at,
            invited_by,
        } => {
            let link = checked_link(link, kind_name)?;
            let expires = formats.dates.moment(expires_at);
            let inviter = invited_by
                .as_deref()
                .map(one_line)
                .filter(|name| !name.is_empty());
            let view = InvitationView {
                frame: &frame,
                link,
                expires: &expires,
                invited_by: inviter.as_deref(),
            };
            (
                InvitationText { v: &view }.render(),
                InvitationHtml { v: &view }.render(),
            )
        }
        EmailKind::PasswordChanged { changed_at } => {
            let changed = formats.dates.moment(changed_at);
            let view = ChangedView {
                frame: &frame,
                changed: &changed,
            };
            (
                PasswordChangedText { v: &view }.render(),
                PasswordChangedHtml { v: &view }.render(),
            )
        }
        EmailKind::ConfirmEmail { link, expires_at } => {
            let link = checked_link(link, kind_name)?;
            let expires = formats.dates.moment(expires_at);
            let view = LinkView {
                frame: &frame,
                link,
                expires: &expires,
            };
            (
                ConfirmEmailText { v: &view }.render(),
                ConfirmEmailHtml { v: &view }.render(),
            )
        }
        EmailKind::EmailChanged {
            new_email,
            changed_at,
        } => {
            let changed = formats.dates.moment(changed_at);
            let view = EmailChangedView {
                frame: &frame,
                changed: &changed,
                new_email: new_email.as_str(),
            };
            (
                EmailChangedText { v: &view }.render(),
                EmailChangedHtml { v: &view }.render(),
            )
        }
        EmailKind::PaymentReceipt(receipt) => {
            let link = checked_link(&receipt.link, kind_name)?;
            let view = ReceiptView {
                frame: &frame,
                link,
                account: one_line(&receipt.account),
                amount: formats.money.format(receipt.amount),
                method: one_line(&portal_i18n::words::payment_method(
                    t,
                    &receipt.method_label,
                )),
                reference: one_line(&receipt.reference),
                paid: formats.dates.moment(receipt.paid_at),
                lines: receipt
                    .allocations
                    .iter()
                    .map(|a| (one_line(&a.invoice_number), formats.money.format(a.amount)))
                    .collect(),
                credit: receipt
                    .credit
                    .is_positive()
                    .then(|| formats.money.format(receipt.credit)),
                credit_used: Money::checked_sum(
                    receipt.credit_used.iter().map(|a| a.amount),
                    receipt.amount.currency(),
                )
                .ok()
                .filter(Money::is_positive)
                .map(|used| formats.money.format(used)),
                balance_after: receipt
                    .balance_after
                    .map(|balance| formats.money.format(balance)),
            };
            (
                ReceiptText { v: &view }.render(),
                ReceiptHtml { v: &view }.render(),
            )
        }
        EmailKind::Notice(mail) => {
            let link = checked_link(&mail.link, kind_name)?;
            let unsubscribe = checked_link(&mail.unsubscribe, kind_name).ok();
            let words = portal_i18n::words::notice(t, &formats, &mail.notice, &business_name);
            let view = NoticeView {
                frame: &frame,
                link,
                unsubscribe,
                text: words.text,
                action: words.action,
            };
            (
                NoticeText { v: &view }.render(),
                NoticeHtml { v: &view }.render(),
            )
        }
    };
    Ok(RenderedMail {
        subject,
        text: text.map_err(template_error)?,
        html: html.map_err(template_error)?,
    })
}

/// The kind's name in `snake_case`, as the outbox stores it; used in file
/// names and errors.
pub(crate) fn kind_name(kind: &EmailKind) -> &'static str {
    match kind {
        EmailKind::SetPassword { .. } => "set_password",
        EmailKind::ResetPassword { .. } => "reset_password",
        EmailKind::Invitation { .. } => "invitation",
        EmailKind::PasswordChanged { .. } => "password_changed",
        EmailKind::ConfirmEmail { .. } => "confirm_email",
        EmailKind::EmailChanged { .. } => "email_changed",
        EmailKind::PaymentReceipt(_) => "payment_receipt",
        EmailKind::Notice(_) => "notice",
    }
}

fn subject(t: Messages, kind: &EmailKind, business: &str, formats: &Formats) -> String {
    let from = t.arg("business", business);
    match kind {
        EmailKind::SetPassword { .. } => t.msg_with("mail-set-password-subject", from),
        EmailKind::ResetPassword { .. } => t.msg_with("mail-reset-subject", from),
        EmailKind::Invitation {
            invited_by: Some(inviter),
            ..
        } if !inviter.trim().is_empty() => {
            t.msg_with("mail-invitation-subject-by", from.arg("inviter", inviter))
        }
        EmailKind::Invitation { .. } => t.msg_with("mail-invitation-subject", from),
        EmailKind::PasswordChanged { .. } => t.msg_with("mail-password-changed-subject", from),
        EmailKind::ConfirmEmail { .. } => t.msg_with("mail-confirm-email-subject", from),
        EmailKind::EmailChanged { .. } => t.msg_with("mail-email-changed-subject", from),
        EmailKind::PaymentReceipt(receipt) => t.msg_with(
            "mail-receipt-subject",
            from.arg("amount", formats.money.format(receipt.amount)),
        ),
        EmailKind::Notice(mail) => {
            portal_i18n::words::notice(t, formats, &mail.notice, business).title
        }
    }
}

/// Collapses line breaks, tabs and other control characters into single
/// spaces: names end up in headers and one-line greetings, where a line
/// break would be a header injection or a broken layout.
pub(crate) fn one_line(text: &str) -> String {
    text.split(char::is_control)
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

fn checked_link<'a>(link: &'a str, kind: &'static str) -> Result<&'a str, RenderError> {
    let (scheme, rest) = link.split_once("://").unwrap_or(("", ""));
    let absolute = (scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http"))
        && !rest.is_empty()
        && !rest.starts_with('/');
    let clean = !link.chars().any(|c| c.is_whitespace() || c.is_control());
    if absolute && clean {
        Ok(link)
    } else {
        Err(RenderError::InvalidLink { kind })
    }
}

/// What every mail's layout shows.
struct Frame<'a> {
    /// The catalog in the mail's language.
    t: Messages,
    subject: &'a str,
    /// `None` when the contact has no name on file: the greeting is then a
    /// plain "Hello,".
    to_name: Option<&'a str>,
    business_name: &'a str,
    reply_to: Option<&'a str>,
}

/// A mail whose point is one link that expires.
struct LinkView<'a> {
    frame: &'a Frame<'a>,
    link: &'a str,
    expires: &'a str,
}

struct InvitationView<'a> {
    frame: &'a Frame<'a>,
    link: &'a str,
    expires: &'a str,
    invited_by: Option<&'a str>,
}

struct ChangedView<'a> {
    frame: &'a Frame<'a>,
    changed: &'a str,
}

/// A payment receipt: every value already formatted for reading.
struct ReceiptView<'a> {
    frame: &'a Frame<'a>,
    link: &'a str,
    account: String,
    amount: String,
    method: String,
    reference: String,
    paid: String,
    /// Invoice number and the amount applied to it.
    lines: Vec<(String, String)>,
    /// What became account credit, if anything.
    credit: Option<String>,
    /// Account credit used with the payment, if any.
    credit_used: Option<String>,
    /// What is left to pay on the account (receipts queued by older
    /// versions do not know).
    balance_after: Option<String>,
}

/// A notification: what happened, a link to it, and the link that turns
/// this kind of mail off (none once redacted).
struct NoticeView<'a> {
    frame: &'a Frame<'a>,
    link: &'a str,
    unsubscribe: Option<&'a str>,
    text: String,
    action: String,
}

// One wrapper per template file: askama ties a struct to one path, and the
// text and HTML versions share the view they render.

#[derive(Template)]
#[template(path = "set_password.txt")]
struct SetPasswordText<'a> {
    v: &'a LinkView<'a>,
}

#[derive(Template)]
#[template(path = "set_password.html")]
struct SetPasswordHtml<'a> {
    v: &'a LinkView<'a>,
}

#[derive(Template)]
#[template(path = "reset_password.txt")]
struct ResetPasswordText<'a> {
    v: &'a LinkView<'a>,
}

#[derive(Template)]
#[template(path = "reset_password.html")]
struct ResetPasswordHtml<'a> {
    v: &'a LinkView<'a>,
}

#[derive(Template)]
#[template(path = "invitation.txt")]
struct InvitationText<'a> {
    v: &'a InvitationView<'a>,
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationHtml<'a> {
    v: &'a InvitationView<'a>,
}

/// The old address told of a new one.
struct EmailChangedView<'a> {
    frame: &'a Frame<'a>,
    changed: &'a str,
    new_email: &'a str,
}

#[derive(Template)]
#[template(path = "confirm_email.txt")]
struct ConfirmEmailText<'a> {
    v: &'a LinkView<'a>,
}

#[derive(Template)]
#[template(path = "confirm_email.html")]
struct ConfirmEmailHtml<'a> {
    v: &'a LinkView<'a>,
}

#[derive(Template)]
#[template(path = "email_changed.txt")]
struct EmailChangedText<'a> {
    v: &'a EmailChangedView<'a>,
}

#[derive(Template)]
#[template(path = "email_changed.html")]
struct EmailChangedHtml<'a> {
    v: &'a EmailChangedView<'a>,
}

#[derive(Template)]
#[template(path = "password_changed.txt")]
struct PasswordChangedText<'a> {
    v: &'a ChangedView<'a>,
}

#[derive(Template)]
#[template(path = "password_changed.html")]
struct PasswordChangedHtml<'a> {
    v: &'a ChangedView<'a>,
}

#[derive(Template)]
#[template(path = "payment_receipt.txt")]
struct ReceiptText<'a> {
    v: &'a ReceiptView<'a>,
}

#[derive(Template)]
#[template(path = "payment_receipt.html")]
struct ReceiptHtml<'a> {
    v: &'a ReceiptView<'a>,
}

#[derive(Template)]
#[template(path = "notice.txt")]
struct NoticeText<'a> {
    v: &'a NoticeView<'a>,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticeHtml<'a> {
    v: &'a NoticeView<'a>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_drops_line_breaks_and_extra_spaces() {
        assert_eq!(
            one_line(" Acme\r\nBcc: x@y.z \t Ltd "),
            "Acme Bcc: x@y.z Ltd"
        );
    }

    #[test]
    fn only_absolute_http_links_are_accepted() {
        assert!(checked_link("https://portal.example.com/a?b=c", "k").is_ok());
        assert!(checked_link("HTTP://localhost:8080/x", "k").is_ok());
        assert!(checked_link("javascript:alert(1)", "k").is_err());
        assert!(checked_link("/set-password?token=x", "k").is_err());
        assert!(checked_link("https://a.example/x y", "k").is_err());
        assert!(checked_link("https://", "k").is_err());
    }
}
