//! The asset model, the rules of the host's upsert, and a line of an
//! asset's service history.

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::PortalError;
use crate::jobs::JobStatus;
use crate::shared::{
    AccountId, AssetId, ExternalId, JobId, PageRequest, PropertyId, check_one_line,
};

/// The longest asset name (characters).
pub const MAX_ASSET_NAME: usize = 200;

/// The longest make, model, serial number or location on site
/// (characters).
pub const MAX_ASSET_DETAIL: usize = 200;

/// A piece of equipment at one of the account's properties.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asset {
    /// Our id.
    pub id: AssetId,
    /// The account it belongs to.
    pub account: AccountId,
    /// The host's id (what jobs name to say they touched it).
    pub external_id: ExternalId,
    /// The property it is at.
    pub property: PropertyId,
    /// That property's name, for lists.
    pub property_name: String,
    /// What the customer calls it ("Boiler", "Rooftop unit 2").
    pub name: String,
    /// Its maker (may be empty).
    pub make: String,
    /// Its model (may be empty).
    pub model: String,
    /// Its serial number (may be empty).
    pub serial_number: String,
    /// Where it is on site ("Basement plant room"; may be empty).
    pub location: String,
    /// When it was installed, when known.
    pub installed_on: Option<NaiveDate>,
    /// When it is next due for maintenance, when planned.
    pub next_maintenance_on: Option<NaiveDate>,
}

/// What the host sends to create or update an asset, keyed by its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetUpsert {
    /// The host's id of the asset; upserts are keyed by it, and jobs name
    /// it in their list of assets touched.
    pub external_id: ExternalId,
    /// The account it belongs to (for good).
    pub account: AccountId,
    /// The host's id of the property it is at (one of the account's).
    pub property: ExternalId,
    /// Its name: one line, 1 to [`MAX_ASSET_NAME`] characters.
    pub name: String,
    /// Its maker: one line, up to [`MAX_ASSET_DETAIL`] characters.
    pub make: String,
    /// Its model: one line, up to [`MAX_ASSET_DETAIL`] characters.
    pub model: String,
    /// Its serial number: one line, up to [`MAX_ASSET_DETAIL`] characters.
    pub serial_number: String,
    /// Where it is on site: one line, up to [`MAX_ASSET_DETAIL`] characters.
    pub location: String,
    /// When it was installed, when known.
    pub installed_on: Option<NaiveDate>,
    /// When it is next due for maintenance, when planned.
    pub next_maintenance_on: Option<NaiveDate>,
}

impl AssetUpsert {
    /// Checks the texts: each reaches the customer's pages, so each is one
    /// line and bounded.
    pub fn validate(&self) -> Result<(), PortalError> {
        check_one_line("name", &self.name, 1, MAX_ASSET_NAME)?;
        for (field, value) in [
            ("make", &self.make),
            ("model", &self.model),
            ("serial_number", &self.serial_number),
            ("location", &self.location),
        ] {
            check_one_line(field, value, 0, MAX_ASSET_DETAIL)?;
        }
        Ok(())
    }
}

/// Which assets a list shows: those at one property, or all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AssetQuery {
    /// Only the assets at this property.
    pub property: Option<PropertyId>,
    /// The page.
    pub page: PageRequest,
}

/// A job that touched an asset: a line of its service history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetJob {
    /// The job (its page is the customer's job page).
    pub job: JobId,
    /// Its number.
    pub number: String,
    /// Its title.
    pub title: String,
    /// Where it stands.
    pub status: JobStatus,
    /// When its window starts, once it was scheduled.
    pub scheduled_for: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::Reason;

    fn upsert() -> AssetUpsert {
        AssetUpsert {
            external_id: ExternalId::parse("a-1").unwrap(),
            account: AccountId::new(),
            property: ExternalId::parse("p-1").unwrap(),
            name: "Boiler".into(),
            make: "Viessmann".into(),
            model: "Vitodens 200".into(),
            serial_number: "7541-22".into(),
            location: "Basement".into(),
            installed_on: None,
            next_maintenance_on: None,
        }
    }

    #[test]
    fn an_asset_needs_a_name_and_one_line_bounded_details() {
        assert!(upsert().validate().is_ok());
        let mut nameless = upsert();
        nameless.name = String::new();
        assert!(matches!(
            nameless.validate(),
            Err(PortalError::InvalidInput {
                field: "name",
                reason: Reason::Length { .. },
                ..
            })
        ));
        let mut two_lines = upsert();
        two_lines.location = "Basement\r\nleft".into();
        assert!(matches!(
            two_lines.validate(),
            Err(PortalError::InvalidInput {
                field: "location",
                reason: Reason::OneLine { .. },
                ..
            })
        ));
        let mut long = upsert();
        long.serial_number = "9".repeat(MAX_ASSET_DETAIL + 1);
        assert!(matches!(
            long.validate(),
            Err(PortalError::InvalidInput {
                field: "serial_number",
                ..
            })
        ));
        let mut blank = upsert();
        blank.make = String::new();
        assert!(blank.validate().is_ok());
    }
}
