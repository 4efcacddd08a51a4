//! The languages the portal speaks to people in.
//!
//! Core only names them (a contact's choice, a tenant's default); the words
//! themselves live in the message catalog (`portal-i18n`), which also
//! negotiates a language from a browser's `Accept-Language`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{ParseError, Reason, Shape};

/// A language the message catalog is complete in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Language {
    /// English (`en`), the catalog's reference.
    #[default]
    English,
    /// Spanish (`es`).
    Spanish,
}

impl Language {
    /// Every language, in the order a language select offers them.
    pub const ALL: [Language; 2] = [Language::English, Language::Spanish];

    /// The BCP 47 primary language subtag (`en`, `es`): what is stored, what
    /// a form sends and what `<html lang>` says.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Spanish => "es",
        }
    }

    /// The language's name in itself ("Español"), as a language select shows
    /// it whatever the page's language.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::Spanish => "Español",
        }
    }

    /// Reads a code back: exactly `en` or `es` (a form's value, a stored
    /// column). Region variants are the negotiation's business, not this.
    pub fn parse(code: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|language| language.code() == code)
            .ok_or_else(|| ParseError::new("language", Reason::Malformed(Shape::Language)))
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<String> for Language {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Language> for String {
    fn from(value: Language) -> Self {
        value.code().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_back_as_its_language_and_nothing_else_parses() {
        for language in Language::ALL {
            assert_eq!(Language::parse(language.code()), Ok(language));
        }
        for bad in ["", "EN", "es-MX", "fr", " en"] {
            assert!(Language::parse(bad).is_err(), "{bad:?}");
        }
    }
}
