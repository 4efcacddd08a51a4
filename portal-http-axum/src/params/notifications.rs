//! Notifications' inputs: the choices of the
//! settings form (checkboxes named `<kind>.<channel>`) and of the API
//! (a list of `{kind, channel, on}`).

use std::collections::BTreeSet;

use portal_core::notifications::{Channel, NotificationKind};
use portal_core::shared::Reason;

use super::{Field, ParamError};

/// The kind and channel a settings checkbox is named after
/// (`invoice_issued.email`); `None` for any other name (the form token).
pub fn notification_choice(name: &str) -> Option<(NotificationKind, Channel)> {
    let (kind, channel) = name.split_once('.')?;
    Some((NotificationKind::parse(kind)?, Channel::parse(channel)?))
}

/// The choices ticked on the settings form, from its field names.
pub fn notification_choices<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> BTreeSet<(NotificationKind, Channel)> {
    names.into_iter().filter_map(notification_choice).collect()
}

/// The kinds an API client names, in order: each must be a kind (`kind`
/// is invalid otherwise).
pub fn notification_kinds<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<NotificationKind>, ParamError> {
    names
        .into_iter()
        .map(|name| {
            NotificationKind::parse(name).ok_or_else(|| {
                ParamError::invalid(
                    Field::Kind,
                    Reason::NotAChoice {
                        choices: NotificationKind::ALL
                            .map(NotificationKind::as_str)
                            .join(", "),
                    },
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkbox_names_its_kind_and_channel_and_anything_else_is_ignored() {
        assert_eq!(
            notification_choice("quote_issued.email"),
            Some((NotificationKind::QuoteIssued, Channel::Email))
        );
        for other in [
            "csrf_token",
            "quote_issued",
            "quote_issued.fax",
            "nope.feed",
            ".feed",
            "",
        ] {
            assert_eq!(notification_choice(other), None, "{other}");
        }
        let ticked =
            notification_choices(["csrf_token", "ticket_closed.feed", "ticket_closed.feed"]);
        assert_eq!(
            ticked.into_iter().collect::<Vec<_>>(),
            [(NotificationKind::TicketClosed, Channel::Feed)]
        );
        assert_eq!(
            notification_choice("request_updated.email"),
            Some((NotificationKind::RequestUpdated, Channel::Email))
        );
    }

    #[test]
    fn api_kinds_are_known() {
        assert_eq!(
            notification_kinds(["quote_issued", "ticket_closed"]).unwrap(),
            [
                NotificationKind::QuoteIssued,
                NotificationKind::TicketClosed
            ]
        );
        assert_eq!(
            notification_kinds(["quote_issued", "quote_issued"])
                .unwrap()
                .len(),
            2
        );
        for bad in [vec!["quote"], vec!["quote_issued", ""]] {
            let error = notification_kinds(bad).unwrap_err();
            assert!(format!("{error:?}").contains("Kind"), "{error:?}");
        }
    }
}
