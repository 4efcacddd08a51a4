//! A tenant's settings as the JSON document the host sends and the store
//! keeps. No panic (reading, checking, the currency and time zone they
//! name); settings survive writing and reading back; settings that pass
//! the check name a real currency and a locale in its canonical spelling,
//! whose formatter writes an amount without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_core::shared::{Currency, Money, MoneyFormatter};
use portal_core::tenancy::PortalSettings;

fuzz_target!(|data: &[u8]| {
    let Ok(settings) = serde_json::from_slice::<PortalSettings>(data) else {
        return;
    };
    let written = serde_json::to_vec(&settings).expect("settings serialise");
    let read: PortalSettings = serde_json::from_slice(&written).expect("and read back");
    assert_eq!(read, settings);
    let _ = settings.time_zone();
    let currency = settings.currency();
    if settings.validate().is_ok() {
        assert_eq!(Currency::parse(&settings.currency), Ok(currency));
        assert_eq!(currency.as_str(), settings.currency);
        let locale = settings.locale();
        assert_eq!(locale.as_str(), settings.locale);
        let written = MoneyFormatter::new(&locale).format(Money::from_minor(123_456, currency));
        assert!(!written.is_empty());
    }
});
