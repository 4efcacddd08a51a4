//! The service contract model: a recurring agreement (a schedule in the
//! host's words, the next visit, a price per period) or a block of time
//! (hours bought and used), and the rules of the host's upsert.
//!
//! A block's remaining hours and its overage are derived in one place,
//! [`HoursBlock`], from what was bought and used: nothing else subtracts.
//! Used hours never exceed the hours bought unless the host says the
//! contract allows overage (then the excess is shown as overage and the
//! remaining hours are zero); without that flag an upsert that would use
//! more than was bought is refused (`hours_used`, [`Reason::OverBlock`]).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::PortalError;
use crate::shared::{
    AccountId, Currency, ExternalId, Money, PageRequest, Reason, ServiceContractId, check_one_line,
    check_text,
};

/// The longest contract number (characters).
pub const MAX_CONTRACT_NUMBER: usize = 64;

/// The longest contract name (characters).
pub const MAX_CONTRACT_NAME: usize = 200;

/// The longest schedule, in the host's words (characters).
pub const MAX_SCHEDULE: usize = 500;

/// The longest description of what a contract covers (characters).
pub const MAX_CONTRACT_DESCRIPTION: usize = 5_000;

/// The most hours one block may hold (bought or used).
pub const MAX_BLOCK_HOURS: u32 = 100_000;

/// A contract's state, as the host says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    /// Running: visits happen, hours can be used.
    Active,
    /// On hold for a while (a season, an unpaid invoice).
    Paused,
    /// Ran its term.
    Ended,
    /// Stopped before its term.
    Cancelled,
}

impl ContractStatus {
    /// Every status, in the order lists show them.
    pub const ALL: [Self; 4] = [Self::Active, Self::Paused, Self::Ended, Self::Cancelled];

    /// How stores and the API spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Ended => "ended",
            Self::Cancelled => "cancelled",
        }
    }

    /// The status spelled by [`ContractStatus::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }
}

/// A number of hours: from 0 to [`MAX_BLOCK_HOURS`], at most two
/// decimals (a quarter of an hour is 0.25). Stores keep hundredths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hours(Decimal);

impl Hours {
    /// Zero hours.
    pub const ZERO: Self = Self(Decimal::ZERO);

    /// `value` as hours, or [`Reason::Hours`] for `field`.
    pub fn parse(field: &'static str, value: Decimal) -> Result<Self, PortalError> {
        let refused = || {
            PortalError::invalid(
                field,
                Reason::Hours {
                    max: MAX_BLOCK_HOURS,
                },
            )
        };
        let normal = value.normalize();
        if normal.is_sign_negative() && !normal.is_zero()
            || normal.scale() > 2
            || normal > Decimal::from(MAX_BLOCK_HOURS)
        {
            return Err(refused());
        }
        Ok(Self(normal.abs()))
    }

    /// The hours as a decimal.
    pub fn value(self) -> Decimal {
        self.0
    }

    /// Whole hundredths of an hour, as stores keep them.
    pub fn hundredths(self) -> i64 {
        // At most 100,000.00 hours: 10,000,000 hundredths, exact.
        (self.0 * Decimal::ONE_HUNDRED)
            .trunc()
            .try_into()
            .unwrap_or(i64::MAX)
    }

    /// Hours from stored hundredths.
    pub fn from_hundredths(hundredths: i64) -> Self {
        Self(Decimal::new(hundredths, 2).normalize())
    }

    fn saturating_sub(self, other: Self) -> Self {
        Self((self.0 - other.0).max(Decimal::ZERO))
    }
}

impl std::fmt::Display for Hours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A block of time: hours bought, hours used, and whether using more than
/// was bought is allowed. Its only constructor checks the rule, and it
/// derives what is left ([`HoursBlock::remaining`]) and what went over
/// ([`HoursBlock::overage`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HoursBlock {
    bought: Hours,
    used: Hours,
    overage_allowed: bool,
}

impl HoursBlock {
    /// A block of `bought` hours (more than zero) of which `used` were
    /// used; `used` above `bought` only when `overage_allowed`
    /// ([`Reason::OverBlock`] on `hours_used` otherwise).
    pub fn new(bought: Hours, used: Hours, overage_allowed: bool) -> Result<Self, PortalError> {
        if bought == Hours::ZERO {
            return Err(PortalError::invalid(
                "hours_bought",
                Reason::NotPositiveAmount { decimals: 2 },
            ));
        }
        if used > bought && !overage_allowed {
            return Err(PortalError::invalid("hours_used", Reason::OverBlock));
        }
        Ok(Self {
            bought,
            used,
            overage_allowed,
        })
    }

    /// The hours bought.
    pub fn bought(&self) -> Hours {
        self.bought
    }

    /// The hours used (above [`HoursBlock::bought`] only with overage).
    pub fn used(&self) -> Hours {
        self.used
    }

    /// Whether the host lets the block be used past what was bought.
    pub fn overage_allowed(&self) -> bool {
        self.overage_allowed
    }

    /// The hours left: bought less used, never below zero.
    pub fn remaining(&self) -> Hours {
        self.bought.saturating_sub(self.used)
    }

    /// The hours used beyond what was bought (zero without overage).
    pub fn overage(&self) -> Hours {
        self.used.saturating_sub(self.bought)
    }
}

/// What a contract agrees to: visits on a schedule, or a block of hours.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContractTerms {
    /// Visits on a schedule, for a price per period.
    Recurring {
        /// The schedule in the host's words ("First Monday of every
        /// month"): one line, 1 to [`MAX_SCHEDULE`] characters.
        schedule: String,
        /// The next visit, when one is planned.
        next_visit_on: Option<NaiveDate>,
        /// The price of each period, when the host gives one; in the
        /// tenant's currency, zero or more.
        price_per_period: Option<Money>,
    },
    /// Hours bought up front and drawn down by the work done.
    TimeBlock(HoursBlock),
}

impl ContractTerms {
    /// How stores spell the kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Recurring { .. } => "recurring",
            Self::TimeBlock(_) => "time_block",
        }
    }
}

/// A service contract as the customer sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceContract {
    /// Our id.
    pub id: ServiceContractId,
    /// The account it is with.
    pub account: AccountId,
    /// The host's id.
    pub external_id: ExternalId,
    /// The number printed on it (`SC-104`).
    pub number: String,
    /// What it is called ("Quarterly HVAC maintenance").
    pub name: String,
    /// What it covers, as plain text (may be empty).
    pub description: String,
    /// Its state.
    pub status: ContractStatus,
    /// The first day it runs.
    pub starts_on: NaiveDate,
    /// The last day it runs, when it has one.
    pub ends_on: Option<NaiveDate>,
    /// What it agrees to.
    pub terms: ContractTerms,
}

/// What the host sends to create or update a contract, keyed by its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractUpsert {
    /// The host's id of the contract; upserts are keyed by it.
    pub external_id: ExternalId,
    /// The account it is with (for good).
    pub account: AccountId,
    /// Its number: one line, 1 to [`MAX_CONTRACT_NUMBER`] characters.
    pub number: String,
    /// Its name: one line, 1 to [`MAX_CONTRACT_NAME`] characters.
    pub name: String,
    /// What it covers: up to [`MAX_CONTRACT_DESCRIPTION`] characters.
    pub description: String,
    /// Its state.
    pub status: ContractStatus,
    /// The first day it runs.
    pub starts_on: NaiveDate,
    /// The last day, when it has one: `starts_on` is not after it.
    pub ends_on: Option<NaiveDate>,
    /// What it agrees to.
    pub terms: ContractTerms,
}

impl ContractUpsert {
    /// Checks the texts, the dates and, for a recurring contract, that
    /// its price is in the tenant's currency, zero or more, and fits the
    /// books. (A block's hours were checked when it was made.)
    pub fn validate(&self, tenant_currency: Currency) -> Result<(), PortalError> {
        check_one_line("number", &self.number, 1, MAX_CONTRACT_NUMBER)?;
        check_one_line("name", &self.name, 1, MAX_CONTRACT_NAME)?;
        check_text(
            "description",
            &self.description,
            0,
            MAX_CONTRACT_DESCRIPTION,
        )?;
        if self.ends_on.is_some_and(|end| end < self.starts_on) {
            return Err(PortalError::invalid("starts_on", Reason::AfterEnd));
        }
        if let ContractTerms::Recurring {
            schedule,
            price_per_period,
            ..
        } = &self.terms
        {
            check_one_line("schedule", schedule, 1, MAX_SCHEDULE)?;
            if let Some(price) = price_per_period {
                let range = Reason::AmountRange {
                    currency: tenant_currency,
                };
                if price.currency() != tenant_currency
                    || price.is_negative()
                    || price.to_minor().is_none()
                {
                    return Err(PortalError::invalid("price_per_period", range));
                }
            }
        }
        Ok(())
    }
}

/// Which contracts a list shows: one status, or all of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContractQuery {
    /// Only contracts in this state, or every one.
    pub status: Option<ContractStatus>,
    /// The page.
    pub page: PageRequest,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hours(hundredths: i64) -> Hours {
        Hours::from_hundredths(hundredths)
    }

    pub(crate) fn upsert(terms: ContractTerms) -> ContractUpsert {
        ContractUpsert {
            external_id: ExternalId::parse("sc-1").unwrap(),
            account: AccountId::new(),
            number: "SC-1".into(),
            name: "Quarterly maintenance".into(),
            description: String::new(),
            status: ContractStatus::Active,
            starts_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            ends_on: None,
            terms,
        }
    }

    pub(crate) fn recurring(price: Option<Money>) -> ContractTerms {
        ContractTerms::Recurring {
            schedule: "First Monday of every quarter".into(),
            next_visit_on: NaiveDate::from_ymd_opt(2026, 4, 6),
            price_per_period: price,
        }
    }

    #[test]
    fn hours_take_at_most_two_decimals_and_no_sign() {
        assert_eq!(
            Hours::parse("h", Decimal::new(125, 2))
                .unwrap()
                .hundredths(),
            125
        );
        assert!(Hours::parse("h", Decimal::new(1, 3)).is_err());
        assert!(Hours::parse("h", Decimal::new(-1, 0)).is_err());
        assert!(Hours::parse("h", Decimal::from(MAX_BLOCK_HOURS + 1)).is_err());
        assert_eq!(Hours::parse("h", Decimal::new(-0, 0)).unwrap(), Hours::ZERO);
    }

    #[test]
    fn a_block_needs_hours_and_stays_within_them_unless_overage_is_allowed() {
        assert!(matches!(
            HoursBlock::new(Hours::ZERO, Hours::ZERO, false),
            Err(PortalError::InvalidInput {
                field: "hours_bought",
                ..
            })
        ));
        assert!(matches!(
            HoursBlock::new(hours(1000), hours(1050), false),
            Err(PortalError::InvalidInput {
                field: "hours_used",
                reason: Reason::OverBlock,
                ..
            })
        ));
        let over = HoursBlock::new(hours(1000), hours(1050), true).unwrap();
        assert_eq!((over.remaining(), over.overage()), (Hours::ZERO, hours(50)));
    }

    #[test]
    fn an_upsert_checks_its_texts_dates_and_price() {
        let usd = |cents| Some(Money::from_minor(cents, Currency::USD));
        assert!(
            upsert(recurring(usd(12_000)))
                .validate(Currency::USD)
                .is_ok()
        );
        assert!(upsert(recurring(None)).validate(Currency::USD).is_ok());
        let field = |upsert: ContractUpsert| match upsert.validate(Currency::USD) {
            Err(PortalError::InvalidInput { field, .. }) => field,
            other => panic!("expected invalid input, got {other:?}"),
        };
        assert_eq!(field(upsert(recurring(usd(-1)))), "price_per_period");
        assert_eq!(
            field(upsert(recurring(Some(Money::from_minor(
                1,
                Currency::parse("EUR").unwrap()
            ))))),
            "price_per_period"
        );
        let mut nameless = upsert(recurring(None));
        nameless.name = " ".into();
        assert_eq!(field(nameless), "name");
        let mut backwards = upsert(recurring(None));
        backwards.ends_on = NaiveDate::from_ymd_opt(2025, 12, 31);
        assert_eq!(field(backwards), "starts_on");
        let no_schedule = upsert(ContractTerms::Recurring {
            schedule: "every\nmonth".into(),
            next_visit_on: None,
            price_per_period: None,
        });
        assert_eq!(field(no_schedule), "schedule");
    }

    proptest! {
        /// The block rule over any hours: a block exists exactly when it
        /// bought some hours and used no more (or overage is allowed);
        /// remaining and overage are never negative, never both above
        /// zero, and account for every hour: bought + overage = used +
        /// remaining.
        #[test]
        fn remaining_and_overage_account_for_every_hour(
            bought in 0i64..=10_000_000,
            used in 0i64..=10_000_000,
            overage_allowed: bool,
        ) {
            let (bought, used) = (hours(bought), hours(used));
            match HoursBlock::new(bought, used, overage_allowed) {
                Ok(block) => {
                    prop_assert!(bought > Hours::ZERO);
                    prop_assert!(used <= bought || overage_allowed);
                    let (remaining, overage) = (block.remaining(), block.overage());
                    prop_assert!(remaining >= Hours::ZERO && overage >= Hours::ZERO);
                    prop_assert!(remaining == Hours::ZERO || overage == Hours::ZERO);
                    prop_assert_eq!(
                        bought.value() + overage.value(),
                        used.value() + remaining.value()
                    );
                    prop_assert!(overage_allowed || overage == Hours::ZERO);
                }
                Err(_) => prop_assert!(bought == Hours::ZERO || (used > bought && !overage_allowed)),
            }
        }

        /// Hours survive the store's hundredths unchanged.
        #[test]
        fn hours_round_trip_through_hundredths(hundredths in 0i64..=10_000_000) {
            let parsed = Hours::parse("h", Decimal::new(hundredths, 2)).unwrap();
            prop_assert_eq!(parsed.hundredths(), hundredths);
            prop_assert_eq!(Hours::from_hundredths(hundredths), parsed);
        }
    }
}
