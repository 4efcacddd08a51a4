//! Which language a person is spoken to in.
//!
//! In order: the language the contact chose (stored with the contact), the
//! languages their browser asks for (`Accept-Language`, best q-value
//! first), the tenant's default. Pages nobody is logged in to (log-in,
//! registration, setting a password) skip the first.

use fluent_langneg::{NegotiationStrategy, negotiate_languages};
use portal_core::shared::Language;
use unic_langid::LanguageIdentifier;

/// How many languages of one header are looked at; browsers send a handful,
/// so a longer list is noise (or an attempt to make us work).
const MOST_RANGES: usize = 20;

/// The languages a browser asks for, best first: an `Accept-Language`
/// header, read once.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AcceptLanguage(Vec<LanguageIdentifier>);

impl AcceptLanguage {
    /// Reads a header value (`es-MX,es;q=0.9,en;q=0.5`). Entries are
    /// ordered by q-value (1 when absent), ties keeping the order sent;
    /// `q=0` ("not this one"), `*`, malformed tags and malformed q-values
    /// are dropped. Never fails: a header we cannot read asks for nothing.
    pub fn parse(header: &str) -> Self {
        let mut ranges: Vec<(u16, LanguageIdentifier)> = header
            .split(',')
            .take(MOST_RANGES)
            .filter_map(|entry| {
                let mut parts = entry.split(';');
                let tag = parts.next()?.trim();
                let mut quality = 1000;
                for parameter in parts {
                    let (name, value) = parameter.trim().split_once('=')?;
                    if name.trim().eq_ignore_ascii_case("q") {
                        quality = thousandths(value.trim())?;
                    }
                }
                if quality == 0 || tag == "*" {
                    return None;
                }
                Some((quality, tag.parse().ok()?))
            })
            .collect();
        // Stable: equal q-values keep the browser's order.
        ranges.sort_by_key(|(quality, _)| std::cmp::Reverse(*quality));
        Self(ranges.into_iter().map(|(_, tag)| tag).collect())
    }

    /// The catalog's language that best matches what the browser asks for
    /// (a region or script variant finds its language: `es-MX` is `es`), or
    /// `None` when it asks for none of them.
    pub fn best(&self) -> Option<Language> {
        let available: Vec<LanguageIdentifier> = Language::ALL
            .iter()
            .filter_map(|language| language.code().parse().ok())
            .collect();
        let matched = negotiate_languages(&self.0, &available, None, NegotiationStrategy::Lookup);
        let best = matched.first()?;
        Language::ALL
            .into_iter()
            .find(|language| best.language.as_str() == language.code())
    }
}

/// A q-value (`0`, `0.5`, `1.000`) in thousandths, or `None` when it is not
/// one (RFC 9110: at most three decimals, from 0 to 1).
fn thousandths(value: &str) -> Option<u16> {
    let (whole, decimals) = value.split_once('.').unwrap_or((value, ""));
    if decimals.len() > 3 || !decimals.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match whole {
        "0" => 0,
        "1" => 1,
        _ => return None,
    };
    let padded = format!("{decimals:0<3}");
    let fraction: u16 = padded.parse().ok()?;
    let total = whole * 1000 + fraction;
    (total <= 1000).then_some(total)
}

/// The language to speak to someone in: their own choice, else the best
/// their browser asks for, else the tenant's default.
pub fn negotiate(
    chosen: Option<Language>,
    browser: &AcceptLanguage,
    tenant_default: Language,
) -> Language {
    chosen.or_else(|| browser.best()).unwrap_or(tenant_default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Language::{English, Spanish};

    fn browser(header: &str) -> AcceptLanguage {
        AcceptLanguage::parse(header)
    }

    #[test]
    fn the_contacts_choice_wins_over_the_browser_and_the_tenant() {
        assert_eq!(negotiate(Some(English), &browser("es"), Spanish), English);
        assert_eq!(
            negotiate(Some(Spanish), &browser("en-US"), English),
            Spanish
        );
    }

    #[test]
    fn without_a_choice_the_browser_wins_over_the_tenant() {
        assert_eq!(negotiate(None, &browser("es"), English), Spanish);
        assert_eq!(negotiate(None, &browser("en"), Spanish), English);
    }

    #[test]
    fn the_tenant_default_applies_when_the_browser_asks_for_nothing_we_have() {
        assert_eq!(negotiate(None, &browser(""), Spanish), Spanish);
        assert_eq!(
            negotiate(None, &browser("fr-CA, de;q=0.8"), Spanish),
            Spanish
        );
        assert_eq!(negotiate(None, &browser("*"), Spanish), Spanish);
        assert_eq!(negotiate(None, &browser("garbage;;;==="), English), English);
    }

    #[test]
    fn a_region_finds_its_language() {
        assert_eq!(browser("es-MX").best(), Some(Spanish));
        assert_eq!(browser("es-419").best(), Some(Spanish));
        assert_eq!(browser("en-GB").best(), Some(English));
        assert_eq!(browser("ES-mx").best(), Some(Spanish));
    }

    #[test]
    fn q_values_order_the_languages_not_their_place_in_the_header() {
        assert_eq!(browser("en;q=0.5, es-MX;q=0.9").best(), Some(Spanish));
        assert_eq!(browser("es;q=0.1, fr, en;q=0.2").best(), Some(English));
        // Equal weights keep the browser's order.
        assert_eq!(browser("es;q=0.8, en;q=0.8").best(), Some(Spanish));
        assert_eq!(browser("en, es").best(), Some(English));
    }

    #[test]
    fn q_zero_refuses_a_language_and_bad_q_values_drop_their_entry() {
        assert_eq!(browser("es;q=0, en;q=0.1").best(), Some(English));
        assert_eq!(browser("es;q=0.000").best(), None);
        assert_eq!(browser("es;q=2, en;q=0.5").best(), Some(English));
        assert_eq!(browser("es;q=0.5555, en;q=0.1").best(), Some(English));
        assert_eq!(browser("es;q=abc").best(), None);
    }

    #[test]
    fn q_values_read_exactly() {
        assert_eq!(thousandths("1"), Some(1000));
        assert_eq!(thousandths("1.000"), Some(1000));
        assert_eq!(thousandths("0.5"), Some(500));
        assert_eq!(thousandths("0.125"), Some(125));
        assert_eq!(thousandths("1.001"), None);
        assert_eq!(thousandths(".5"), None);
        assert_eq!(thousandths("0.-1"), None);
    }
}
