//! The words of the portal: every sentence a customer reads on a page, in a
//! mail or in a PDF comes from this crate's message catalog, written in
//! [Project Fluent](https://projectfluent.org) and complete in each
//! [`Language`] (English and Spanish).
//!
//! - [`catalog`]: the `.ftl` files (`locales/<code>/*.ftl`, embedded at
//!   compile time, parsed once) and [`Messages`], the handle a template
//!   or a handler looks words up with (`t.msg("invoices-title")`). Plural
//!   rules are the catalog's (`{ $count -> [one] ... *[other] ... }`),
//!   resolved with CLDR's rules for the language; amounts and dates are
//!   passed in already formatted.
//! - [`negotiate`]: which language a request gets: the contact's choice,
//!   then the browser's `Accept-Language` (by q-value, `es-MX` finding
//!   `es`), then the tenant's default.
//! - [`testing`]: checks the test suites of the crates that use the
//!   catalog run: every key in every language, every key a template
//!   uses in the catalog, no English left on a Spanish page.
//! - [`words`]: values the core stores neutrally (a payment's method)
//!   worded in the reader's language.
//!
//! ```
//! use portal_i18n::{Language, Messages};
//!
//! let t = Messages::new(Language::Spanish);
//! assert_eq!(t.msg("nav-log-out"), "Cerrar sesión");
//! assert_eq!(t.msg_with("invoices-count", t.count("count", 1)), "1 factura");
//! assert_eq!(t.msg_with("invoices-count", t.count("count", 3)), "3 facturas");
//! ```

pub mod catalog;
pub mod negotiate;
pub mod testing;
pub mod words;

pub use catalog::{Args, Messages};
pub use negotiate::{AcceptLanguage, negotiate};
pub use portal_core::shared::Language;
