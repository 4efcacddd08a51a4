//! The message catalog: one Fluent bundle per [`Language`], built once from
//! the `.ftl` files embedded in the binary, and [`Messages`], the lookup
//! handle pages, PDFs and mails carry.
//!
//! A message that fails to resolve (a key missing from a language, an
//! argument not passed) never takes a page down: the key itself is shown
//! and the problem logged. The crates' tests make sure that does not
//! happen ([`crate::testing`]).

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{LazyLock, Mutex};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::types::FluentNumber;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use portal_core::shared::Language;
use unic_langid::LanguageIdentifier;

/// The catalog's files: a name, then the English and the Spanish text. A new
/// file is one line here and one `.ftl` file per language.
macro_rules! catalog_files {
    ($($name:literal),+ $(,)?) => {
        &[$(
            (
                $name,
                include_str!(concat!("../locales/en/", $name, ".ftl")),
                include_str!(concat!("../locales/es/", $name, ".ftl")),
            )
        ),+]
    };
}

/// `(file, English, Spanish)`.
pub(crate) const FILES: &[(&str, &str, &str)] = catalog_files![
    "common",
    "identity",
    "accounts",
    "billing",
    "dashboard",
    "errors",
    "mail",
    "pdf",
    "quotes",
    "service_contracts",
    "requests",
    "assets",
    "rentals",
    "jobs",
    "tickets",
    "notifications",
    "documents",
    "security",
    "contacts",
];

/// The source of `file` in `language`.
fn source(file: &(&str, &'static str, &'static str), language: Language) -> &'static str {
    match language {
        Language::English => file.1,
        Language::Spanish => file.2,
    }
}

/// The parsed resources of one language (kept for the checks, which read
/// the syntax tree) and the bundle built from them.
pub(crate) struct Bundle {
    pub(crate) resources: &'static [(&'static str, FluentResource)],
    pub(crate) bundle: FluentBundle<&'static FluentResource>,
    /// What went wrong loading it: syntax errors, keys defined twice.
    pub(crate) problems: Vec<String>,
}

/// Both languages' bundles, built at first use.
pub(crate) struct Catalog {
    english: &'static Bundle,
    spanish: &'static Bundle,
}

impl Catalog {
    pub(crate) fn bundle(&self, language: Language) -> &'static Bundle {
        match language {
            Language::English => self.english,
            Language::Spanish => self.spanish,
        }
    }
}

pub(crate) static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog {
    english: load(Language::English),
    spanish: load(Language::Spanish),
});

/// Parses and bundles one language. Leaked on purpose: the catalog lives as
/// long as the process, and the bundle borrows its resources.
fn load(language: Language) -> &'static Bundle {
    let mut problems = Vec::new();
    let resources: &'static [(&'static str, FluentResource)] = Vec::leak(
        FILES
            .iter()
            .map(|file| {
                let resource = FluentResource::try_new(source(file, language).to_owned())
                    .unwrap_or_else(|(resource, errors)| {
                        for error in errors {
                            problems.push(format!("{}/{}.ftl: {error:?}", language.code(), file.0));
                        }
                        resource
                    });
                (file.0, resource)
            })
            .collect(),
    );
    let langid: LanguageIdentifier = language.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // No Unicode isolation marks around arguments: they would end up in
    // mail subjects and PDF text, and our arguments are short values.
    bundle.set_use_isolating(false);
    for (name, resource) in resources {
        if let Err(errors) = bundle.add_resource(resource) {
            for error in errors {
                problems.push(format!("{}/{name}.ftl: {error}", language.code()));
            }
        }
    }
    for problem in &problems {
        tracing::error!(%problem, "message catalog");
    }
    Box::leak(Box::new(Bundle {
        resources,
        bundle,
        problems,
    }))
}

/// Every lookup that did not resolve since the process started (`"es
/// key"`), for the test suites to check after rendering every page, PDF
/// and mail ([`crate::testing::misses`]): this covers keys chosen at run
/// time, which no reading of the sources can see.
pub(crate) static MISSES: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

fn record_miss(language: Language, key: &str) {
    if let Ok(mut misses) = MISSES.lock() {
        misses.insert(format!("{} {key}", language.code()));
    }
}

/// The arguments of a message: texts (amounts, dates, names, already
/// formatted) and counts (which the catalog's plural rules select on).
///
/// Made with [`Messages::arg`] / [`Messages::count`] and chained with the
/// methods of the same names, so a template writes
/// `t.msg_with("paid-on", t.arg("date", paid).count("count", n))`.
#[derive(Default)]
pub struct Args(FluentArgs<'static>);

impl Args {
    /// No arguments.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a text argument: `value` as it displays.
    pub fn arg(mut self, name: &'static str, value: impl fmt::Display) -> Self {
        self.0.set(name, FluentValue::from(value.to_string()));
        self
    }

    /// Adds a number the message selects a plural form on.
    pub fn count(mut self, name: &'static str, value: impl Into<FluentNumber>) -> Self {
        self.0.set(name, FluentValue::Number(value.into()));
        self
    }
}

impl fmt::Debug for Args {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

/// The catalog in one language: what a page, a PDF or a mail looks its
/// words up with. Cheap to copy; templates get it as `t`.
#[derive(Clone, Copy)]
pub struct Messages {
    language: Language,
    bundle: &'static Bundle,
}

impl fmt::Debug for Messages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Messages").field(&self.language).finish()
    }
}

impl Messages {
    /// The catalog in `language` (parsed at the first call in the process).
    pub fn new(language: Language) -> Self {
        Self {
            language,
            bundle: CATALOG.bundle(language),
        }
    }

    /// The language.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The language's code, for `<html lang>` and `Content-Language`.
    pub fn lang(&self) -> &'static str {
        self.language.code()
    }

    /// The message `key`, which takes no arguments.
    pub fn msg(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// The message `key` with its arguments.
    pub fn msg_with(&self, key: &str, args: Args) -> String {
        self.format(key, Some(&args.0))
    }

    /// Starts the arguments with a text (see [`Args::arg`]).
    pub fn arg(&self, name: &'static str, value: impl fmt::Display) -> Args {
        Args::new().arg(name, value)
    }

    /// Starts the arguments with a count (see [`Args::count`]).
    pub fn count(&self, name: &'static str, value: impl Into<FluentNumber>) -> Args {
        Args::new().count(name, value)
    }

    fn format(&self, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = &self.bundle.bundle;
        let Some(pattern) = bundle.get_message(key).and_then(|message| message.value()) else {
            tracing::error!(key, language = %self.language, "message missing from the catalog");
            record_miss(self.language, key);
            return key.to_owned();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::error!(key, language = %self.language, ?errors, "message did not resolve");
            record_miss(self.language, key);
        }
        text.into_owned()
    }
}
