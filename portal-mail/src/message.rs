//! The envelope both adapters share: an outbox [`Email`] rendered and put
//! into an RFC 5322 message (multipart/alternative, text first, HTML
//! second, so clients that cannot show HTML show the text).

use lettre::Address;
use lettre::Message;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use portal_core::outbox::{DeliveryError, Email, EmailKind};

use crate::render::{one_line, render};

/// Renders `mail` and builds the message. The From line shows the
/// business's name with the configured sending address (`Acme Plumbing
/// <noreply@portal.example>`), so customers recognise who writes without the
/// portal sending as the business's own domain.
pub(crate) fn build(mail: &Email, from: &Address) -> Result<Message, DeliveryError> {
    let rendered = render(mail).map_err(|error| DeliveryError(error.to_string()))?;
    let to_address: Address =
        mail.to.as_str().parse().map_err(|error| {
            DeliveryError(format!("the recipient address is not usable: {error}"))
        })?;
    let mut builder = Message::builder()
        .from(Mailbox::new(
            display_name(&mail.business_name),
            from.clone(),
        ))
        .to(Mailbox::new(display_name(&mail.to_name), to_address))
        .subject(rendered.subject)
        // Our own id on the sending domain: lettre's default would put this
        // machine's host name in every customer's inbox.
        .message_id(Some(format!(
            "<{}@{}>",
            uuid::Uuid::now_v7().simple(),
            from.domain()
        )));
    if let Some(reply_to) = &mail.reply_to {
        let reply_address: Address = reply_to.as_str().parse().map_err(|error| {
            DeliveryError(format!("the reply-to address is not usable: {error}"))
        })?;
        builder = builder.reply_to(Mailbox::new(
            display_name(&mail.business_name),
            reply_address,
        ));
    }
    if let EmailKind::Notice(notice) = &mail.kind
        && notice.unsubscribe.starts_with("http")
    {
        // RFC 2369 and RFC 8058: mail clients offer one-click
        // unsubscribing, which POSTs to the link (redacted rows have none).
        builder = builder
            .header(ListUnsubscribe(format!("<{}>", notice.unsubscribe)))
            .header(ListUnsubscribePost);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            rendered.text,
            rendered.html,
        ))
        .map_err(|error| DeliveryError(format!("could not build the message: {error}")))
}

/// A header display name: one line, `None` when empty (lettre then writes
/// the bare address).
fn display_name(name: &str) -> Option<String> {
    let name = one_line(name);
    (!name.is_empty()).then_some(name)
}

/// `List-Unsubscribe: <https://...>` (RFC 2369).
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(text: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(text.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}
