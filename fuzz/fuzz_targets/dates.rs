//! Statement ranges: the `from` and `to` days of the statement page (a
//! missing end is today, a missing start the first of last month) and of
//! the API (both required). No panic; a range is in order, its days are
//! the days sent, and printed back as `YYYY-MM-DD` they read as the same
//! range.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use portal_fuzz::{split, text};
use portal_http_axum::fuzzing::{MissingDates, statement_range};

fuzz_target!(|data: &[u8]| {
    let [from, to, today] = split(data, 3)[..] else {
        return;
    };
    let (from, to) = (text(from), text(to));
    let given = |text: &str| Some(text.to_owned()).filter(|t| !t.trim().is_empty());
    let (from, to) = (given(&from), given(&to));
    let today = NaiveDate::parse_from_str(&text(today), "%Y-%m-%d")
        .unwrap_or(NaiveDate::from_ymd_opt(2026, 3, 15).expect("a day"));
    for missing in [MissingDates::Required, MissingDates::LastMonthTo(today)] {
        let Ok(range) = statement_range(from.as_deref(), to.as_deref(), missing) else {
            continue;
        };
        assert!(range.from <= range.to, "{range:?}");
        if let Some(to) = &to {
            assert_eq!(
                NaiveDate::parse_from_str(to.trim(), "%Y-%m-%d"),
                Ok(range.to)
            );
        }
        let printed = |day: NaiveDate| day.format("%Y-%m-%d").to_string();
        let again = statement_range(
            Some(&printed(range.from)),
            Some(&printed(range.to)),
            MissingDates::Required,
        );
        assert_eq!(again, Ok(range), "printed back");
    }
});
