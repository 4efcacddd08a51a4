//! Tenancy: a [`Tenant`] is one service business running a portal, and its
//! [`PortalSettings`] say how that portal looks and what it offers.
//!
//! Settings are one value stored as a document: the host edits them as a
//! whole and the portal reads them on every request (cached briefly by the
//! facade), so there is no reason to spread them over many columns.

mod ports;
mod service;
mod web;
#[cfg(any(test, feature = "mocks"))]
pub use ports::MockTenantStore;
pub use ports::TenantStore;
pub use web::{Colour, SafeUrl};

use crate::shared::{Reason, Shape};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::shared::{Currency, EmailAddress, Formats, Language, Locale, ParseError, TenantId};

/// A service business that runs a portal for its customers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tenant {
    /// Our id.
    pub id: TenantId,
    /// A short, URL-safe name, unique across tenants (`acme-pest`).
    pub slug: TenantSlug,
    /// Where this tenant's portal is reachable, ending in `/`; every link in
    /// a mail is built from it, never from a request's `Host` header.
    pub base_url: Url,
    /// How the portal looks and what it offers.
    pub settings: PortalSettings,
}

impl Tenant {
    /// An absolute link into this tenant's portal, e.g. `set-password?token=...`.
    pub fn link(&self, relative: &str) -> String {
        self.base_url
            .join(relative)
            .map(String::from)
            .unwrap_or_else(|_| format!("{}{}", self.base_url, relative))
    }
}

/// A tenant's short name: 1 to 63 lower-case letters, digits and dashes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantSlug(String);

impl TenantSlug {
    /// ```
    /// use portal_core::tenancy::TenantSlug;
    /// assert!(TenantSlug::parse("acme-pest").is_ok());
    /// assert!(TenantSlug::parse("Acme Pest").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let ok = (1..=63).contains(&text.len())
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !text.starts_with('-');
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(ParseError::new("slug", Reason::Malformed(Shape::Slug)))
        }
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TenantSlug {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TenantSlug> for String {
    fn from(value: TenantSlug) -> Self {
        value.0
    }
}

/// Everything a tenant configures about its portal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PortalSettings {
    /// The name shown in the header and in mails ("Acme Pest Control").
    pub display_name: String,
    /// Colours and logo.
    pub branding: Branding,
    /// How customers reach the business: shown in the contact menu.
    pub contact: BusinessContact,
    /// ISO 4217 code of the currency amounts are shown in.
    pub currency: String,
    /// IANA time zone dates are shown in (`America/Chicago`).
    pub time_zone: String,
    /// BCP 47 locale (`en-US`) money and dates are written in (validated
    /// by [`PortalSettings::validate`]; read it through
    /// [`PortalSettings::locale`]).
    pub locale: String,
    /// The language pages and mails use for a person who has not chosen
    /// one and whose browser asks for none the catalog has.
    pub language: Language,
    /// Which parts of the portal are switched on.
    pub features: Features,
    /// Who may register, and how.
    pub registration: RegistrationPolicy,
    /// Lockout after repeated failed log-ins.
    pub lockout: LockoutPolicy,
    /// How many link mails (registration, reset, invitation) one contact
    /// is sent at most.
    pub link_mails: LinkMailPolicy,
    /// Session lifetimes.
    pub sessions: SessionPolicy,
    /// Account custom fields customers may see; the listed ones in
    /// `editable_custom_fields` they may also change.
    pub visible_custom_fields: Vec<String>,
    /// Custom fields customers may change (a subset of the visible ones).
    pub editable_custom_fields: Vec<String>,
    /// The business's own terms a customer agrees to when enrolling in
    /// autopay, in the business's words. `None` (the default) shows the
    /// portal's standard terms in the customer's language (the catalog's
    /// `autopay-terms-standard`). Either is recorded word for word with
    /// each consent.
    #[serde(default)]
    pub autopay_terms: Option<String>,
    /// Ticket categories, who they are assigned to, the message limit,
    /// reopening and attachments.
    #[serde(default)]
    pub tickets: crate::tickets::TicketPolicy,
    /// Whether a "request service" may carry files (photos of the
    /// problem), held to the attachment limits of `tickets`. Declared
    /// kinds say it of themselves (`RequestKind::attachments`).
    pub service_request_attachments: bool,
}

impl Default for PortalSettings {
    fn default() -> Self {
        Self {
            display_name: "Customer portal".to_owned(),
            branding: Branding::default(),
            contact: BusinessContact::default(),
            currency: "USD".to_owned(),
            time_zone: "UTC".to_owned(),
            locale: "en-US".to_owned(),
            language: Language::English,
            features: Features::default(),
            registration: RegistrationPolicy::default(),
            lockout: LockoutPolicy::default(),
            link_mails: LinkMailPolicy::default(),
            sessions: SessionPolicy::default(),
            visible_custom_fields: Vec::new(),
            editable_custom_fields: Vec::new(),
            autopay_terms: None,
            tickets: crate::tickets::TicketPolicy::default(),
            service_request_attachments: true,
        }
    }
}

impl PortalSettings {
    /// The currency amounts are in (validated by [`PortalSettings::validate`];
    /// `USD` if it was stored broken).
    pub fn currency(&self) -> Currency {
        Currency::parse(&self.currency).unwrap_or_else(|_| {
            tracing::warn!(currency = %self.currency, "tenant currency is not an ISO code");
            Currency::USD
        })
    }

    /// The tenant's time zone (UTC if it was stored broken).
    pub fn time_zone(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::UTC)
    }

    /// The tenant's locale (`en-US` if it was stored broken).
    pub fn locale(&self) -> Locale {
        Locale::parse(&self.locale).unwrap_or_else(|_| {
            tracing::warn!(locale = %self.locale, "tenant locale is not a BCP 47 tag");
            Locale::default()
        })
    }

    /// How the tenant's money and dates are written for a reader of
    /// `language`: its locale, its currency's symbol, its time zone, dates
    /// in the reader's language ([`Formats::for_reader`], shared).
    pub fn formats(&self, language: Language) -> std::sync::Arc<Formats> {
        Formats::for_reader(&self.locale(), language, self.time_zone())
    }

    /// Checks the values that have rules: the colours are `#rgb` or
    /// `#rrggbb`, every URL is a [`SafeUrl`], the time zone is a known IANA
    /// name, the currency is an ISO 4217 code with a minor unit, the locale
    /// a BCP 47 tag, and the policies are within sane bounds.
    pub fn validate(&self) -> Result<(), ParseError> {
        if self.display_name.trim().is_empty() || self.display_name.len() > 120 {
            return Err(ParseError::new(
                "display_name",
                Reason::Length { min: 1, max: 120 },
            ));
        }
        self.branding.validate()?;
        self.contact.validate()?;
        self.tickets.validate()?;
        if self.time_zone.parse::<chrono_tz::Tz>().is_err() {
            return Err(ParseError::new(
                "time_zone",
                Reason::Malformed(Shape::TimeZone),
            ));
        }
        if let Some(terms) = &self.autopay_terms
            && (terms.trim().is_empty() || terms.len() > 4000)
        {
            return Err(ParseError::new(
                "autopay_terms",
                Reason::Length { min: 1, max: 4000 },
            ));
        }
        // Written as ISO does (upper case), as it is stored and compared.
        if Currency::parse(&self.currency).map(|c| c.as_str() != self.currency) != Ok(false) {
            return Err(ParseError::new(
                "currency",
                Reason::Malformed(Shape::CurrencyCode),
            ));
        }
        // Stored as written: the canonical spelling (`es-ES`), so hosts and
        // the pages agree on it.
        if Locale::parse(&self.locale)?.as_str() != self.locale {
            return Err(ParseError::new("locale", Reason::Malformed(Shape::Locale)));
        }
        if !(1..=100).contains(&self.lockout.max_failures)
            || !(1..=1440).contains(&self.lockout.lock_minutes)
        {
            return Err(ParseError::new("lockout", Reason::LockoutPolicy));
        }
        if !(5..=1440).contains(&self.sessions.idle_minutes)
            || !(1..=720).contains(&self.sessions.absolute_hours)
        {
            return Err(ParseError::new("sessions", Reason::SessionPolicy));
        }
        Ok(())
    }
}

/// Colours (`#rgb` or `#rrggbb`) and an optional logo. Pages read them
/// through [`Branding::primary`], [`Branding::accent`] and
/// [`Branding::logo`], which pass only values that meet the rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Branding {
    /// Header and button colour; white text must be readable on it.
    pub primary_color: String,
    /// Links and highlights.
    pub accent_color: String,
    /// The logo image's URL: https (http only for localhost), see
    /// [`SafeUrl`].
    pub logo_url: Option<Url>,
}

impl Branding {
    /// The header and button colour, the default if the stored one breaks
    /// the rule (settings stored before it was checked).
    pub fn primary(&self) -> Colour {
        Colour::or_default(&self.primary_color, DEFAULT_PRIMARY)
    }

    /// The link colour, the default if the stored one breaks the rule.
    pub fn accent(&self) -> Colour {
        Colour::or_default(&self.accent_color, DEFAULT_ACCENT)
    }

    /// The logo's URL if it may be shown: `None` when unset or when a value
    /// stored before the rule breaks it.
    pub fn logo(&self) -> Option<SafeUrl> {
        self.logo_url.as_ref().and_then(shown)
    }

    fn validate(&self) -> Result<(), ParseError> {
        for (field, colour) in [
            ("branding.primary_color", &self.primary_color),
            ("branding.accent_color", &self.accent_color),
        ] {
            if Colour::parse(colour).is_none() {
                return Err(ParseError::new(field, Reason::Malformed(Shape::Colour)));
            }
        }
        if let Some(logo) = &self.logo_url {
            SafeUrl::check(logo).map_err(|reason| ParseError::new("branding.logo_url", reason))?;
        }
        Ok(())
    }
}

/// The primary colour a tenant starts with.
const DEFAULT_PRIMARY: &str = "#1f4e79";
/// The accent colour a tenant starts with.
const DEFAULT_ACCENT: &str = "#0b6e4f";

/// `url` as a [`SafeUrl`], or `None` (logged) for a stored value that
/// breaks the rule.
fn shown(url: &Url) -> Option<SafeUrl> {
    SafeUrl::check(url)
        .map_err(|reason| tracing::warn!(%url, ?reason, "stored settings URL is not shown"))
        .ok()
}

impl Default for Branding {
    fn default() -> Self {
        Self {
            primary_color: DEFAULT_PRIMARY.to_owned(),
            accent_color: DEFAULT_ACCENT.to_owned(),
            logo_url: None,
        }
    }
}

/// The business's own contact details, shown in the contact menu.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BusinessContact {
    /// The business's e-mail address.
    pub email: Option<EmailAddress>,
    /// The business's phone number, as it should be shown.
    pub phone: Option<String>,
    /// Social media profiles.
    pub social_links: Vec<SocialLink>,
}

impl BusinessContact {
    fn validate(&self) -> Result<(), ParseError> {
        for link in &self.social_links {
            SafeUrl::check(&link.url)
                .map_err(|reason| ParseError::new("contact.social_links.url", reason))?;
        }
        Ok(())
    }
}

/// A link to one of the business's social media profiles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SocialLink {
    /// The network's name as shown ("Facebook").
    pub label: String,
    /// The profile's address: https (http only for localhost), see
    /// [`SafeUrl`].
    pub url: Url,
}

impl SocialLink {
    /// The profile's address if it may be linked: `None` when a value
    /// stored before the rule breaks it (the label is then shown unlinked).
    pub fn safe_url(&self) -> Option<SafeUrl> {
        shown(&self.url)
    }
}

/// The parts of the portal a tenant switches on or off. A permission that
/// belongs to a switched-off feature is refused to everyone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Features {
    /// Invoices, payments history, balance.
    pub billing: bool,
    /// Paying invoices online.
    pub online_payment: bool,
    /// Paying ahead, as account credit.
    pub prepayment: bool,
    /// Saving cards on file.
    pub card_on_file: bool,
    /// Enrolling in autopay.
    pub autopay: bool,
    /// Paying part of an invoice.
    pub partial_payment: bool,
    /// Statements for a date range.
    pub statements: bool,
    /// Quotes to approve or decline.
    pub quotes: bool,
    /// Jobs, visits and service contracts.
    pub services: bool,
    /// Opening tickets.
    pub tickets_submit: bool,
    /// Seeing open tickets.
    pub tickets_view_open: bool,
    /// Seeing closed tickets.
    pub tickets_view_closed: bool,
    /// Equipment and its service history.
    pub assets: bool,
    /// Rental contracts and items out.
    pub rentals: bool,
    /// Downloads.
    pub downloads: bool,
    /// Customers managing their colleagues' access.
    pub contact_management: bool,
}

impl Default for Features {
    fn default() -> Self {
        Self {
            billing: true,
            online_payment: true,
            prepayment: false,
            card_on_file: true,
            autopay: false,
            partial_payment: false,
            statements: true,
            quotes: true,
            services: true,
            tickets_submit: true,
            tickets_view_open: true,
            tickets_view_closed: true,
            assets: false,
            rentals: false,
            downloads: true,
            contact_management: true,
        }
    }
}

/// Which registration methods are offered, and what an account needs
/// before anyone may register for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistrationPolicy {
    /// Enter the e-mail on file and receive a set-password link.
    pub email_on_file: bool,
    /// Phone number, e-mail and postal code must all match the account.
    pub known_facts: bool,
    /// Only accounts the host marked as having history (a contract or a
    /// quote, say) may register; see `AccountUpsert::has_history`.
    pub require_history: bool,
}

impl Default for RegistrationPolicy {
    fn default() -> Self {
        Self {
            email_on_file: true,
            known_facts: true,
            require_history: false,
        }
    }
}

/// Locks a contact's log-in for a while after repeated failures. Failures
/// count per client: a recognised browser (device cookie) on its own, any
/// other client per address, and all unrecognised clients together against
/// a higher limit (so a botnet's many addresses cannot guess for ever).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LockoutPolicy {
    /// Failures from one device or one address, each within `lock_minutes`
    /// of the one before, that lock that device or address out.
    pub max_failures: u32,
    /// Failures from all unrecognised clients together that lock every
    /// unrecognised client out (recognised browsers still get in).
    pub untrusted_max_failures: u32,
    /// How long a lock lasts (and how long a failure is remembered).
    pub lock_minutes: u32,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            untrusted_max_failures: 20,
            lock_minutes: 15,
        }
    }
}

/// The per-recipient throttle on link mails: past it, a request is
/// answered as if the mail went out, and none does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkMailPolicy {
    /// Link mails one contact is sent at most within `window_minutes`.
    pub max_per_window: u32,
    /// The window, in minutes (at most a day, see [`LinkMailPolicy::window`]).
    pub window_minutes: u32,
}

impl LinkMailPolicy {
    /// The window, at most a day: spent links are deleted a day after use,
    /// so a longer window could not be counted.
    pub fn window(&self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.window_minutes.min(24 * 60)))
    }
}

impl Default for LinkMailPolicy {
    fn default() -> Self {
        Self {
            max_per_window: 3,
            window_minutes: 15,
        }
    }
}

/// How long sessions live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionPolicy {
    /// A session unused this long ends.
    pub idle_minutes: u32,
    /// A session ends this long after log-in, however busy.
    pub absolute_hours: u32,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle_minutes: 30,
            absolute_hours: 12,
        }
    }
}

/// One feature switch, named so a permission can say which it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Feature {
    /// [`Features::billing`]
    Billing,
    /// [`Features::online_payment`]
    OnlinePayment,
    /// [`Features::card_on_file`]
    CardOnFile,
    /// [`Features::prepayment`]
    Prepayment,
    /// [`Features::autopay`] (needs cards on file)
    Autopay,
    /// [`Features::partial_payment`]
    PartialPayment,
    /// [`Features::statements`]
    Statements,
    /// [`Features::quotes`]
    Quotes,
    /// [`Features::services`]
    Services,
    /// [`Features::tickets_submit`]
    TicketsSubmit,
    /// [`Features::tickets_view_open`] or [`Features::tickets_view_closed`]
    TicketsView,
    /// [`Features::assets`]
    Assets,
    /// [`Features::rentals`]
    Rentals,
    /// [`Features::downloads`]
    Downloads,
    /// [`Features::contact_management`]
    ContactManagement,
}

impl Features {
    /// Whether `feature` is switched on.
    pub fn is_on(&self, feature: Feature) -> bool {
        match feature {
            Feature::Billing => self.billing,
            Feature::OnlinePayment => self.billing && self.online_payment,
            Feature::CardOnFile => self.billing && self.card_on_file,
            Feature::Prepayment => self.billing && self.online_payment && self.prepayment,
            Feature::Autopay => self.billing && self.card_on_file && self.autopay,
            Feature::PartialPayment => self.billing && self.online_payment && self.partial_payment,
            Feature::Statements => self.billing && self.statements,
            Feature::Quotes => self.quotes,
            Feature::Services => self.services,
            Feature::TicketsSubmit => self.tickets_submit,
            Feature::TicketsView => self.tickets_view_open || self.tickets_view_closed,
            Feature::Assets => self.assets,
            Feature::Rentals => self.rentals,
            Feature::Downloads => self.downloads,
            Feature::ContactManagement => self.contact_management,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(change: impl FnOnce(&mut PortalSettings)) -> Result<(), ParseError> {
        let mut settings = PortalSettings::default();
        change(&mut settings);
        settings.validate()
    }

    #[test]
    fn a_tenants_currency_is_an_iso_4217_code_with_a_minor_unit() {
        for good in ["USD", "EUR", "JPY", "KWD", "INR"] {
            assert_eq!(with(|s| s.currency = good.into()), Ok(()), "{good}");
        }
        for bad in ["usd", "ABC", "XAU", "XXX", "US", "DOLLAR", ""] {
            let refused = with(|s| s.currency = bad.into()).unwrap_err();
            assert_eq!(refused.field, "currency", "{bad}");
        }
    }

    #[test]
    fn a_tenants_locale_is_a_bcp_47_tag_in_its_canonical_spelling() {
        for good in ["en-US", "es-ES", "ja-JP", "en-IN", "de", "sr-Latn-RS"] {
            assert_eq!(with(|s| s.locale = good.into()), Ok(()), "{good}");
        }
        for bad in ["", "und", "en_US", "en-us", "english", "es-ES-"] {
            let refused = with(|s| s.locale = bad.into()).unwrap_err();
            assert_eq!(refused.field, "locale", "{bad}");
        }
    }

    #[test]
    fn a_broken_stored_locale_reads_as_en_us_and_formats_follow_the_settings() {
        let mut settings = PortalSettings {
            locale: "??".into(),
            ..PortalSettings::default()
        };
        assert_eq!(settings.locale(), Locale::default());
        settings.locale = "es-ES".into();
        settings.time_zone = "Europe/Madrid".into();
        let formats = settings.formats(Language::Spanish);
        assert_eq!(formats.locale.as_str(), "es-ES");
        assert_eq!(formats.dates.zone(), chrono_tz::Europe::Madrid);
    }
}
