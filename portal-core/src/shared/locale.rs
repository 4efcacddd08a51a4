//! Money and dates the customer's way: a tenant's [`Locale`] (a BCP 47
//! tag) and the formatters every page, PDF, mail and the dashboard use.
//!
//! Nothing here is a hand-written pattern: the currency symbol, where it
//! goes, the digits, the grouping (`1,00,000.00` in India) and the
//! separators come from CLDR through ICU4X (`icu_experimental`'s currency
//! formatter, `icu_decimal` under it); date patterns from `icu_datetime`.
//! The data is compiled into the binary, so there is nothing to load.
//!
//! Making a formatter reads that data, so [`Formats::of`] keeps one per
//! locale and time zone for the life of the process: cheap to reuse, and
//! there are only as many as the tenants' distinct settings.
//!
//! The JSON API never uses these: it keeps machine amounts (a decimal
//! string and a currency code) and RFC 3339 times.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use fixed_decimal::Decimal as FixedDecimal;
use icu_calendar::cal::Gregorian;
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets::{YMD, YMDE, YMDET};
use icu_datetime::input::{Date, DateTime as IcuDateTime, Time};
use icu_experimental::dimension::currency::CurrencyCode;
use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Currency, Language, Money, ParseError, Reason, Shape};

/// A well-formed BCP 47 language tag, kept in its canonical spelling
/// (`en-US`, `es-ES`, `ja-JP`, `en-IN`).
///
/// ```
/// use portal_core::shared::Locale;
/// assert_eq!(Locale::parse("es_es").unwrap().as_str(), "es-ES");
/// assert!(Locale::parse("not a locale").is_err());
/// assert_eq!(Locale::default().as_str(), "en-US");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Locale {
    // Only the canonical tag is kept (it travels with every queued mail);
    // ICU's parsed form is made again when a formatter is made.
    tag: String,
}

impl Locale {
    /// Accepts a BCP 47 tag (an underscore is read as a dash, as POSIX
    /// writes them); refuses anything else and the undetermined `und`.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let malformed = || ParseError::new("locale", Reason::Malformed(Shape::Locale));
        let text = text.trim();
        if text.is_empty() || text.len() > 64 {
            return Err(malformed());
        }
        let parsed = icu_locale_core::Locale::try_from_str(&text.replace('_', "-"))
            .map_err(|_| malformed())?;
        if parsed.id.language.is_unknown() {
            return Err(malformed());
        }
        Ok(Self {
            tag: parsed.to_string(),
        })
    }

    /// ICU's form of the tag (checked when it was parsed).
    fn icu(&self) -> icu_locale_core::Locale {
        icu_locale_core::Locale::try_from_str(&self.tag)
            .unwrap_or(icu_locale_core::locale!("en-US"))
    }

    /// The tag (`en-US`).
    pub fn as_str(&self) -> &str {
        &self.tag
    }

    /// The same region in `language`: how a Spanish reader of an `en-US`
    /// business writes dates (`es-US`). The script goes with the old
    /// language; the region and extensions stay.
    ///
    /// ```
    /// use portal_core::shared::{Language, Locale};
    /// let en_us = Locale::default();
    /// assert_eq!(en_us.in_language(Language::Spanish).as_str(), "es-US");
    /// assert_eq!(en_us.in_language(Language::English), en_us);
    /// ```
    pub fn in_language(&self, language: Language) -> Locale {
        let mut icu = self.icu();
        let Ok(subtag) = icu_locale_core::subtags::Language::try_from_str(language.code()) else {
            return self.clone();
        };
        if icu.id.language == subtag {
            return self.clone();
        }
        icu.id.language = subtag;
        icu.id.script = None;
        Self {
            tag: icu.to_string(),
        }
    }
}

impl Default for Locale {
    /// `en-US`, what a tenant starts with.
    fn default() -> Self {
        Self {
            tag: "en-US".to_owned(),
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tag)
    }
}

impl FromStr for Locale {
    type Err = ParseError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl Serialize for Locale {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.tag)
    }
}

impl<'de> Deserialize<'de> for Locale {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Writes amounts of money as a locale writes them, from CLDR: `$518.47`
/// (en-US), `518,47 €` (es-ES), `￥5,000` (ja-JP), `₹1,00,000.00` (en-IN).
///
/// The amount keeps its currency's minor unit whatever the locale
/// (`Money` is already rounded to it), so a yen amount has no decimals
/// and a dinar amount three.
///
/// ```
/// use portal_core::shared::{Currency, Locale, Money, MoneyFormatter};
/// let en_us = MoneyFormatter::new(&Locale::default());
/// assert_eq!(en_us.format(Money::from_minor(51_847, Currency::USD)), "$518.47");
/// ```
#[derive(Debug)]
pub struct MoneyFormatter {
    formatter: CurrencyFormatter,
}

impl MoneyFormatter {
    /// The formatter for `locale`. A locale CLDR does not know falls back
    /// to its language, then to the root data (never an error).
    pub fn new(locale: &Locale) -> Self {
        let formatter = CurrencyFormatter::try_new((&locale.icu()).into(), Default::default())
            .or_else(|error| {
                tracing::warn!(locale = %locale, %error, "no currency data for the locale");
                CurrencyFormatter::try_new(
                    (&icu_locale_core::locale!("en-US")).into(),
                    Default::default(),
                )
            });
        Self {
            // en-US is compiled in, so the fallback cannot fail; the
            // Result only says data could be missing in general.
            formatter: formatter.unwrap_or_else(|_| unreachable_data()),
        }
    }

    /// `money` as the locale writes it, with the currency's minor-unit
    /// decimals. (Takes a reference too: templates hand over fields by
    /// reference.)
    pub fn format(&self, money: impl Borrow<Money>) -> String {
        let money = money.borrow();
        self.format_decimal(money.amount(), money.currency())
    }

    /// A unit price: not rounded (a price per litre may have more
    /// decimals than the currency), with at least the minor unit's.
    ///
    /// ```
    /// use portal_core::shared::{Currency, Locale, MoneyFormatter};
    /// use rust_decimal::Decimal;
    /// let en_us = MoneyFormatter::new(&Locale::default());
    /// assert_eq!(en_us.format_unit_price(Decimal::new(125, 3), Currency::USD), "$0.125");
    /// assert_eq!(en_us.format_unit_price(Decimal::new(5, 0), Currency::USD), "$5.00");
    /// ```
    pub fn format_unit_price(&self, unit_price: Decimal, currency: Currency) -> String {
        let mut shown = unit_price.normalize();
        if shown.scale() < currency.minor_digits() {
            shown.rescale(currency.minor_digits());
        }
        self.format_decimal(shown, currency)
    }

    fn format_decimal(&self, amount: Decimal, currency: Currency) -> String {
        // A rust_decimal's text is exactly what fixed_decimal reads
        // (digits, one point, a sign), trailing zeros included.
        let Ok(fixed) = FixedDecimal::try_from_str(&amount.to_string()) else {
            return format!("{amount} {currency}");
        };
        let Ok(code) = tinystr::TinyAsciiStr::<3>::try_from_str(currency.as_str()) else {
            return format!("{amount} {currency}");
        };
        self.formatter
            .format_fixed_decimal(&fixed, &CurrencyCode(code))
            .to_string()
    }
}

/// Writes dates and times as a locale writes them, in a tenant's time
/// zone: `Dec 4, 2026` (en-US), `4 dic 2026` (es-ES), `2026/12/04` (ja-JP);
/// a moment with its weekday, time and the zone's abbreviation
/// (`Friday, December 4, 2026 at 7:00 AM CST`), never in UTC unless the
/// tenant's zone is UTC.
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use portal_core::shared::{DateFormatter, Locale};
/// let dates = DateFormatter::new(&Locale::default(), chrono_tz::America::Chicago);
/// assert_eq!(dates.day(NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()), "Dec 4, 2026");
/// // 02:00 UTC on the 5th is still the 4th in Chicago.
/// let at = Utc.with_ymd_and_hms(2026, 12, 5, 2, 0, 0).unwrap();
/// assert_eq!(dates.day_of(at), "Dec 4, 2026");
/// ```
#[derive(Debug)]
pub struct DateFormatter {
    day: FixedCalendarDateTimeFormatter<Gregorian, YMD>,
    moment: FixedCalendarDateTimeFormatter<Gregorian, YMDET>,
    zone: chrono_tz::Tz,
}

impl DateFormatter {
    /// The formatter for `locale`, showing moments in `zone`.
    pub fn new(locale: &Locale, zone: chrono_tz::Tz) -> Self {
        let en_us = icu_locale_core::locale!("en-US");
        let icu = locale.icu();
        let day = FixedCalendarDateTimeFormatter::try_new((&icu).into(), YMD::medium())
            .or_else(|_| FixedCalendarDateTimeFormatter::try_new((&en_us).into(), YMD::medium()))
            .unwrap_or_else(|_| unreachable_data());
        let moment_fields = YMDE::long().with_time_hm();
        let moment = FixedCalendarDateTimeFormatter::try_new((&icu).into(), moment_fields)
            .or_else(|_| FixedCalendarDateTimeFormatter::try_new((&en_us).into(), moment_fields))
            .unwrap_or_else(|_| unreachable_data());
        Self { day, moment, zone }
    }

    /// The time zone moments are shown in.
    pub fn zone(&self) -> chrono_tz::Tz {
        self.zone
    }

    /// A calendar day (a due date, an issue date).
    pub fn day(&self, date: impl Borrow<NaiveDate>) -> String {
        let date = *date.borrow();
        match gregorian(date) {
            Some(date) => self.day.format(&date).to_string(),
            None => date.to_string(),
        }
    }

    /// The day a moment falls on in the tenant's zone.
    pub fn day_of(&self, at: impl Borrow<DateTime<Utc>>) -> String {
        self.day(at.borrow().with_timezone(&self.zone).date_naive())
    }

    /// A moment (when a link expires, when a password changed): weekday,
    /// date and time in the tenant's zone, then the zone's abbreviation
    /// (`CST`, `CET`; an offset such as `-03` where the zone has none).
    pub fn moment(&self, at: impl Borrow<DateTime<Utc>>) -> String {
        let local = at.borrow().with_timezone(&self.zone);
        let abbreviation = local.format("%Z").to_string();
        let naive = local.naive_local();
        let shown = gregorian(naive.date()).and_then(|date| {
            let time = Time::try_new(naive.hour() as u8, naive.minute() as u8, 0, 0).ok()?;
            Some(self.moment.format(&IcuDateTime { date, time }).to_string())
        });
        match shown {
            Some(text) => format!("{text} {abbreviation}"),
            None => format!("{} {abbreviation}", naive.format("%Y-%m-%d %H:%M")),
        }
    }
}

fn gregorian(date: NaiveDate) -> Option<Date<Gregorian>> {
    let month = u8::try_from(date.month()).ok()?;
    let day = u8::try_from(date.day()).ok()?;
    Date::try_new_gregorian(date.year(), month, day).ok()
}

/// Everything a tenant's pages, PDFs and mails need to write money and
/// dates: one [`MoneyFormatter`] and one [`DateFormatter`], shared.
///
/// Amounts follow the tenant's locale whatever the reader's language (a
/// US business's Spanish reader still sees `$1,234.56`, as `es-US` writes
/// it too); dates are written in the reader's language in the tenant's
/// region ([`Formats::for_reader`]: `4 dic 2026` for an `en-US` business's
/// Spanish reader, not `Dec 4, 2026`).
#[derive(Debug)]
pub struct Formats {
    /// The tenant's locale.
    pub locale: Locale,
    /// Amounts.
    pub money: MoneyFormatter,
    /// Days and moments, in the tenant's zone.
    pub dates: DateFormatter,
}

impl Formats {
    /// The formats for `locale` in `zone`, dates in the locale's own
    /// language, made once per pair for the life of the process and shared
    /// after that.
    pub fn of(locale: &Locale, zone: chrono_tz::Tz) -> Arc<Formats> {
        Self::made(locale, locale.clone(), zone)
    }

    /// The formats of a tenant with `locale` and `zone` for a reader of
    /// `language`: amounts as the tenant writes them, dates in the
    /// reader's language ([`Locale::in_language`]).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use portal_core::shared::{Currency, Formats, Language, Locale, Money};
    /// let spanish = Formats::for_reader(&Locale::default(), Language::Spanish, chrono_tz::UTC);
    /// let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    /// assert_ne!(spanish.dates.day(day), "Dec 4, 2026");
    /// assert_eq!(spanish.money.format(Money::from_minor(51_847, Currency::USD)), "$518.47");
    /// ```
    pub fn for_reader(locale: &Locale, language: Language, zone: chrono_tz::Tz) -> Arc<Formats> {
        Self::made(locale, locale.in_language(language), zone)
    }

    fn made(locale: &Locale, dates_locale: Locale, zone: chrono_tz::Tz) -> Arc<Formats> {
        type Made = Mutex<HashMap<(String, String, chrono_tz::Tz), Arc<Formats>>>;
        static MADE: OnceLock<Made> = OnceLock::new();
        let key = (
            locale.as_str().to_owned(),
            dates_locale.as_str().to_owned(),
            zone,
        );
        let made = MADE.get_or_init(Default::default);
        if let Some(formats) = made.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return formats;
        }
        // Made outside the lock: two threads may both make one the first
        // time, and one of the two is kept.
        let formats = Arc::new(Formats {
            locale: locale.clone(),
            money: MoneyFormatter::new(locale),
            dates: DateFormatter::new(&dates_locale, zone),
        });
        match made.lock() {
            Ok(mut made) => made.entry(key).or_insert(formats).clone(),
            Err(_) => formats,
        }
    }

    /// `en-US` in UTC, for what has no tenant (tests, old queued mail).
    pub fn fallback() -> Arc<Formats> {
        Self::of(&Locale::default(), chrono_tz::UTC)
    }
}

/// Compiled-in CLDR data has `en-US`: a formatter for it cannot be
/// missing its data.
#[allow(clippy::panic)]
fn unreachable_data() -> ! {
    panic!("ICU4X compiled data lacks en-US")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn money(locale: &str, minor: i64, currency: &str) -> String {
        let locale = Locale::parse(locale).unwrap();
        MoneyFormatter::new(&locale)
            .format(Money::from_minor(minor, Currency::parse(currency).unwrap()))
    }

    #[test]
    fn dollars_in_the_united_states() {
        assert_eq!(money("en-US", 51_847, "USD"), "$518.47");
        assert_eq!(money("en-US", 123_456_789, "USD"), "$1,234,567.89");
        assert_eq!(money("en-US", -2_500, "USD"), "-$25.00");
        assert_eq!(money("en-US", 0, "USD"), "$0.00");
    }

    #[test]
    fn euros_in_spain_and_germany() {
        assert_eq!(money("es-ES", 51_847, "EUR"), "518,47\u{a0}€");
        assert_eq!(money("de-DE", 123_456_789, "EUR"), "1.234.567,89\u{a0}€");
    }

    #[test]
    fn yen_have_no_minor_unit() {
        let ja = money("ja-JP", 5_000, "JPY");
        assert!(ja == "￥5,000" || ja == "¥5,000", "{ja}");
        assert_eq!(money("en-US", 5_000, "JPY"), "¥5,000");
    }

    #[test]
    fn rupees_group_in_lakhs() {
        assert_eq!(money("en-IN", 10_000_000, "INR"), "₹1,00,000.00");
    }

    #[test]
    fn dinars_keep_three_decimals() {
        assert!(money("en-US", 1_250, "KWD").ends_with("1.250"));
    }

    #[test]
    fn days_and_moments_in_the_tenant_zone() {
        let at = Utc.with_ymd_and_hms(2026, 12, 4, 19, 0, 0).unwrap();
        let chicago = DateFormatter::new(&Locale::default(), chrono_tz::America::Chicago);
        assert_eq!(
            chicago.moment(at),
            "Friday, December 4, 2026 at 1:00\u{202f}PM CST"
        );
        let madrid =
            DateFormatter::new(&Locale::parse("es-ES").unwrap(), chrono_tz::Europe::Madrid);
        assert_eq!(madrid.day(at.date_naive()), "4 dic 2026");
        assert!(
            madrid.moment(at).ends_with("20:00 CET"),
            "{}",
            madrid.moment(at)
        );
    }

    #[test]
    fn locales_are_checked_and_kept_canonical() {
        assert_eq!(Locale::parse("EN-in").unwrap().as_str(), "en-IN");
        for bad in ["", "und", "en-", "e", "english please", "x-private"] {
            assert!(Locale::parse(bad).is_err(), "{bad}");
        }
        let json = serde_json::to_string(&Locale::parse("ja-JP").unwrap()).unwrap();
        assert_eq!(json, "\"ja-JP\"");
        assert!(serde_json::from_str::<Locale>("\"??\"").is_err());
    }

    #[test]
    fn formats_are_made_once_per_locale_and_zone() {
        let es = Locale::parse("es-ES").unwrap();
        let a = Formats::of(&es, chrono_tz::Europe::Madrid);
        let b = Formats::of(&es, chrono_tz::Europe::Madrid);
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &Formats::of(&es, chrono_tz::UTC)));
    }
}
