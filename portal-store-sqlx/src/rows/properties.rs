//! Property rows and their conversion into core's model.

use portal_core::accounts::Address;
use portal_core::ports::StoreError;
use portal_core::properties::Property;
use portal_core::shared::{AccountId, ExternalId, PropertyId};
use sqlx::FromRow;
use uuid::Uuid;

use super::stored;

/// The columns [`PropertyRow`] reads, from `properties`.
macro_rules! property_columns {
    () => {
        "id, account_id, external_id, name, address_line1, address_line2, address_city, \
         address_region, address_postal_code, address_country"
    };
}
pub(crate) use property_columns;

/// A property, selected with [`property_columns!`].
#[derive(FromRow)]
pub(crate) struct PropertyRow {
    id: Uuid,
    account_id: Uuid,
    external_id: String,
    name: String,
    address_line1: String,
    address_line2: String,
    address_city: String,
    address_region: String,
    address_postal_code: String,
    address_country: String,
}

impl TryFrom<PropertyRow> for Property {
    type Error = StoreError;
    fn try_from(row: PropertyRow) -> Result<Self, StoreError> {
        Ok(Property {
            id: PropertyId::from_uuid(row.id),
            account: AccountId::from_uuid(row.account_id),
            external_id: stored("external_id", ExternalId::parse(&row.external_id))?,
            name: row.name,
            address: Address {
                line1: row.address_line1,
                line2: row.address_line2,
                city: row.address_city,
                region: row.address_region,
                postal_code: row.address_postal_code,
                country: row.address_country,
            },
        })
    }
}
