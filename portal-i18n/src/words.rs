//! Values the core stores in a neutral form, worded in the reader's
//! language: one place for pages, PDFs and mails alike.

use portal_core::billing::payment::MethodLabel;

use crate::Messages;

/// A card by brand and last four: "Visa ending 4242", "Visa terminada en
/// 4242".
///
/// ```
/// use portal_i18n::{Language, Messages, words};
/// let t = Messages::new(Language::Spanish);
/// assert_eq!(words::card(t, "Visa", "4242"), "Visa terminada en 4242");
/// ```
pub fn card(t: Messages, brand: &str, last4: &str) -> String {
    t.msg_with("card-label", t.arg("brand", brand).arg("last4", last4))
}

/// A payment's stored method label in `t`'s words: the portal's own
/// labels (a card, an autopay charge, an undescribed card) are worded from
/// the catalog; the host's own text ("Check 1042") is shown as it is.
///
/// ```
/// use portal_i18n::{Language, Messages, words};
/// let t = Messages::new(Language::Spanish);
/// assert_eq!(
///     words::payment_method(t, "Autopay, Visa ending 4242"),
///     "Pago automático, Visa terminada en 4242"
/// );
/// assert_eq!(words::payment_method(t, "Card"), "Tarjeta");
/// assert_eq!(words::payment_method(t, "Cheque 1042"), "Cheque 1042");
/// ```
pub fn payment_method(t: Messages, stored: &str) -> String {
    match MethodLabel::read(stored) {
        MethodLabel::Card { brand, last4 } => card(t, brand, last4),
        MethodLabel::Autopay { brand, last4 } => t.msg_with(
            "payment-method-autopay",
            t.arg("card", card(t, brand, last4)),
        ),
        MethodLabel::UndescribedCard => t.msg("payment-method-card"),
        MethodLabel::Other(text) => text.to_owned(),
    }
}

/// A notification in the reader's words: a one-line title, a sentence
/// saying what happened, and the label of the link to its page. The feed
/// and the mails both word notices through this.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeWords {
    /// One line: the feed entry's heading, the mail's subject.
    pub title: String,
    /// What happened, in a sentence.
    pub text: String,
    /// The link's label ("View invoice").
    pub action: String,
}

/// Words `notice` for a reader of `t` with `formats` (money and dates the
/// tenant's way); `business` names the business.
///
/// ```
/// use portal_core::notifications::Notice;
/// use portal_core::shared::{Currency, Formats, Money, TicketId};
/// use portal_i18n::{Language, Messages, words};
///
/// let notice = Notice::TicketClosed { ticket: TicketId::new(), number: 7, subject: "Leak".into() };
/// let words = words::notice(Messages::new(Language::English), &Formats::fallback(), &notice, "Acme");
/// assert_eq!(words.title, "Ticket #7 was closed");
/// ```
pub fn notice(
    t: Messages,
    formats: &portal_core::shared::Formats,
    notice: &portal_core::notifications::Notice,
    business: &str,
) -> NoticeWords {
    let (key, _) = notice_args(t, formats, notice, business);
    let words = |part: &str| {
        let (_, args) = notice_args(t, formats, notice, business);
        t.msg_with(&format!("{key}-{part}"), args)
    };
    NoticeWords {
        title: words("title"),
        text: words("text"),
        action: t.msg(&format!("{key}-action")),
    }
}

/// The catalog key's stem of `notice` and the values its messages use.
fn notice_args(
    t: Messages,
    formats: &portal_core::shared::Formats,
    notice: &portal_core::notifications::Notice,
    business: &str,
) -> (&'static str, crate::Args) {
    use portal_core::jobs::JobStatus;
    use portal_core::notifications::Notice;

    let from = t.arg("business", business);
    match notice {
        Notice::InvoiceIssued {
            number,
            total,
            due_on,
            ..
        } => (
            "notice-invoice-issued",
            from.arg("number", number.as_str())
                .arg("amount", formats.money.format(total))
                .arg("due", formats.dates.day(due_on)),
        ),
        Notice::PaymentReceived { amount, .. } => (
            "notice-payment-received",
            from.arg("amount", formats.money.format(amount)),
        ),
        Notice::PaymentFailed { amount, .. } => (
            "notice-payment-failed",
            from.arg("amount", formats.money.format(amount)),
        ),
        Notice::QuoteIssued {
            number,
            title,
            total,
            valid_until,
            ..
        } => (
            "notice-quote-issued",
            from.arg("number", number.as_str())
                .arg("title", title.as_str())
                .arg("amount", formats.money.format(total))
                .arg("until", formats.dates.day(valid_until)),
        ),
        Notice::JobScheduled {
            number,
            title,
            status,
            start,
            ..
        } => (
            if *status == JobStatus::Cancelled {
                "notice-job-cancelled"
            } else {
                "notice-job-scheduled"
            },
            from.arg("number", number.as_str())
                .arg("title", title.as_str())
                .arg(
                    "start",
                    start.map(|at| formats.dates.moment(at)).unwrap_or_default(),
                ),
        ),
        Notice::TicketReplied {
            number, subject, ..
        } => (
            "notice-ticket-replied",
            from.arg("number", number.to_string())
                .arg("subject", subject.as_str()),
        ),
        Notice::TicketClosed {
            number, subject, ..
        } => (
            "notice-ticket-closed",
            from.arg("number", number.to_string())
                .arg("subject", subject.as_str()),
        ),
        Notice::RequestUpdated {
            request_kind,
            kind_name,
            status,
            note,
            ..
        } => (
            "notice-request-updated",
            from.arg(
                "request",
                request_kind_name(t, request_kind, kind_name.as_deref()),
            )
            .arg("status", request_status(t, *status))
            .arg("note", note.as_str())
            .count("noted", u8::from(!note.is_empty())),
        ),
    }
}

/// A request's status in the reader's words ("Scheduled", "Programada").
///
/// ```
/// use portal_core::requests::RequestStatus;
/// use portal_i18n::{Language, Messages, words};
/// let t = Messages::new(Language::Spanish);
/// assert_eq!(words::request_status(t, RequestStatus::InProgress), "En curso");
/// ```
pub fn request_status(t: Messages, status: portal_core::requests::RequestStatus) -> String {
    use portal_core::requests::RequestStatus;
    t.msg(match status {
        RequestStatus::Pending => "request-status-pending",
        RequestStatus::Scheduled => "request-status-scheduled",
        RequestStatus::InProgress => "request-status-in-progress",
        RequestStatus::Completed => "request-status-completed",
        RequestStatus::Declined => "request-status-declined",
        RequestStatus::Canceled => "request-status-canceled",
    })
}

/// What a request is, by its kind's key: the portal's own kinds from the
/// catalog ("Request service", "Call off rent"), the host's by the name it
/// gave (else by its key).
///
/// ```
/// use portal_i18n::{Language, Messages, words};
/// let t = Messages::new(Language::Spanish);
/// assert_eq!(words::request_kind_name(t, "service", None), "Solicitar servicio");
/// assert_eq!(words::request_kind_name(t, "skip_visit", Some("Saltar una visita")), "Saltar una visita");
/// ```
pub fn request_kind_name(t: Messages, kind: &str, name: Option<&str>) -> String {
    use portal_core::requests::{CALL_OFF, SERVICE};
    match (kind, name) {
        (SERVICE, _) => t.msg("request-kind-service"),
        (CALL_OFF, _) => t.msg("request-kind-call-off"),
        (_, Some(name)) => name.to_owned(),
        (key, None) => key.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use portal_core::notifications::Notice;
    use portal_core::requests::RequestStatus;
    use portal_core::shared::{Formats, ServiceRequestId};

    use super::*;
    use crate::Language;

    fn request_updated(
        kind: &str,
        name: Option<&str>,
        status: RequestStatus,
        note: &str,
    ) -> Notice {
        Notice::RequestUpdated {
            request: ServiceRequestId::new(),
            request_kind: kind.into(),
            kind_name: name.map(str::to_owned),
            status,
            note: note.into(),
        }
    }

    fn worded(language: Language, told: &Notice) -> NoticeWords {
        notice(Messages::new(language), &Formats::fallback(), told, "Acme")
    }

    #[test]
    fn a_request_update_names_the_kind_and_status_in_english_and_spanish() {
        let service = request_updated(
            "service",
            None,
            RequestStatus::Scheduled,
            "Booked for Thursday",
        );
        assert_eq!(
            worded(Language::English, &service),
            NoticeWords {
                title: "Your request “Request service”: Scheduled".into(),
                text: "Acme set the status of your request “Request service” to “Scheduled” \
                       and wrote: Booked for Thursday"
                    .into(),
                action: "View request".into(),
            }
        );
        assert_eq!(
            worded(Language::Spanish, &service),
            NoticeWords {
                title: "Su solicitud «Solicitar servicio»: Programada".into(),
                text: "Acme cambió el estado de su solicitud «Solicitar servicio» a «Programada» \
                       y escribió: Booked for Thursday"
                    .into(),
                action: "Ver solicitud".into(),
            }
        );

        // Without a note the sentence ends at the status.
        let call_off = request_updated("call_off", None, RequestStatus::Completed, "");
        assert_eq!(
            worded(Language::English, &call_off).text,
            "Acme set the status of your request “Call off rent” to “Done”."
        );
        assert_eq!(
            worded(Language::Spanish, &call_off).text,
            "Acme cambió el estado de su solicitud «Retirada de alquiler» a «Hecha»."
        );

        // The host's own kind goes by the name it gave.
        let skip = request_updated(
            "skip_visit",
            Some("Saltar una visita"),
            RequestStatus::Declined,
            "",
        );
        assert_eq!(
            worded(Language::Spanish, &skip).title,
            "Su solicitud «Saltar una visita»: Rechazada"
        );
    }

    #[test]
    fn every_request_status_is_worded_in_both_languages() {
        for language in [Language::English, Language::Spanish] {
            let t = Messages::new(language);
            for status in RequestStatus::ALL {
                let word = request_status(t, status);
                assert!(
                    !word.is_empty() && !word.contains("request-status"),
                    "{language:?} {status:?}: {word}"
                );
            }
        }
    }
}
