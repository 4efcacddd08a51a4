//! Assets' inputs: the list's property filter and page.

use portal_core::assets::AssetQuery;
use portal_core::shared::{PropertyId, Reason, Shape};

use super::billing::page_request;
use super::values::given_in;
use super::{Field, ParamError, Source};

/// The asset list's filter and page as received; a blank value is not
/// given.
#[derive(Clone, Copy, Debug, Default)]
pub struct AssetFilterText<'a> {
    /// The id of one of the account's properties.
    pub property: Option<&'a str>,
    /// Page, from 1.
    pub page: Option<&'a str>,
    /// Page size.
    pub per_page: Option<&'a str>,
}

impl AssetFilterText<'_> {
    /// The core's query. A malformed property id is invalid input on
    /// both front ends (the filter is a field the customer sees); a well
    /// formed id of another account's property lists nothing.
    pub fn parse(&self, source: Source) -> Result<AssetQuery, ParamError> {
        let property = given_in(self.property, source)
            .map(|text| {
                PropertyId::parse(text)
                    .map_err(|_| ParamError::invalid(Field::Property, Reason::Malformed(Shape::Id)))
            })
            .transpose()?;
        Ok(AssetQuery {
            property,
            page: page_request(self.page, self.per_page, source)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_property_filter_is_an_id_and_blank_is_every_property() {
        let parse = |property| {
            AssetFilterText {
                property,
                ..Default::default()
            }
            .parse(Source::Page)
        };
        let id = PropertyId::new();
        let text = id.to_string();
        assert_eq!(parse(Some(&text)).unwrap().property, Some(id));
        assert_eq!(parse(Some("")).unwrap().property, None);
        assert!(matches!(
            parse(Some("boiler")),
            Err(ParamError::Invalid {
                field: Field::Property,
                ..
            })
        ));
    }
}
