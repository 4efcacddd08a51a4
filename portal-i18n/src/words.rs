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
