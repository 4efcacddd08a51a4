//! Where a blob is kept ([`BlobKey`], made by the portal) and what the
//! customer called it ([`FileName`], shown back on download only).

use std::fmt;

use crate::shared::{ParseError, Reason, Shape, TenantId};

/// A blob's storage key: `<tenant uuid>/<32 hex digits of randomness>`.
///
/// Made only by [`BlobKey::generate`] (or parsed back from what it made),
/// so a key never holds anything a client chose: no path separators, dots
/// or names. The tenant prefix lets stores refuse a key of another tenant
/// before touching storage.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BlobKey {
    tenant: TenantId,
    random: String,
}

impl BlobKey {
    /// A fresh key under `tenant`, with 128 bits from the operating
    /// system's random source (so keys cannot be guessed).
    pub fn generate(tenant: TenantId) -> Self {
        Self {
            tenant,
            random: uuid::Uuid::new_v4().simple().to_string(),
        }
    }

    /// Reads a key back from storage or a URL; anything but the exact shape
    /// [`generate`](Self::generate) makes is refused.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let malformed = || ParseError::new("key", Reason::Malformed(Shape::Id));
        let (tenant, random) = text.split_once('/').ok_or_else(malformed)?;
        let is_random = random.len() == 32
            && random
                .bytes()
                .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
        if !is_random {
            return Err(malformed());
        }
        let tenant = uuid::Uuid::try_parse(tenant).map_err(|_| malformed())?;
        if tenant.hyphenated().to_string() != tenant_text(text) {
            return Err(malformed());
        }
        Ok(Self {
            tenant: TenantId::from_uuid(tenant),
            random: random.to_owned(),
        })
    }

    /// The tenant whose prefix the key carries.
    pub const fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// The random part, unique within the tenant.
    pub fn random_part(&self) -> &str {
        &self.random
    }
}

/// The part before the slash, as written (the canonical form is checked
/// against it so one key has one spelling).
fn tenant_text(key: &str) -> &str {
    key.split_once('/').map_or(key, |(tenant, _)| tenant)
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.tenant.as_uuid().hyphenated(), self.random)
    }
}

/// The most characters a kept file name has (longer ones are shortened,
/// keeping their extension).
pub const FILE_NAME_MAX_CHARS: usize = 120;

/// A customer's name for an uploaded file, safe to offer back in a
/// download's `Content-Disposition`.
///
/// A name holding a path (`/`, `\`) or a `..` segment is refused: browsers
/// send a file input's bare name, so such a name was written to attack.
/// Anything else is cleaned rather than refused: control characters
/// dropped, leading dots and spaces dropped (no hidden files), trailing dots
/// and spaces dropped, length cut to [`FILE_NAME_MAX_CHARS`] keeping the
/// extension; what is left empty becomes `file`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct FileName(String);

impl FileName {
    /// Cleans `name` as the type's doc says, or refuses a path.
    pub fn parse(name: &str) -> Result<Self, ParseError> {
        if name.contains(['/', '\\']) || name.trim() == ".." {
            return Err(ParseError::new("file", Reason::Malformed(Shape::FileName)));
        }
        let printable: String = name.chars().filter(|c| !is_hidden_char(*c)).collect();
        let shortened = shorten(trim(&printable));
        let cleaned = trim(&shortened);
        Ok(Self(if cleaned.is_empty() {
            "file".to_owned()
        } else {
            cleaned.to_owned()
        }))
    }

    /// The cleaned name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The extension after the last dot, lower-cased (`None` without one).
    pub fn extension(&self) -> Option<String> {
        let (stem, extension) = self.0.rsplit_once('.')?;
        (!stem.is_empty() && !extension.is_empty()).then(|| extension.to_lowercase())
    }

    /// The same name with `extension` added (for names that had none).
    pub(crate) fn with_extension(&self, extension: &str) -> Self {
        let stem: String = self
            .0
            .chars()
            .take(FILE_NAME_MAX_CHARS - extension.chars().count() - 1)
            .collect();
        Self(format!("{stem}.{extension}"))
    }
}

/// Characters that would hide what a name says: control characters and the
/// bidirectional overrides that make `photo\u{202e}gpj.exe` read as
/// `photoexe.jpg`.
fn is_hidden_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Without leading dots (hidden files) and without spaces or dots at either
/// end (which some systems drop or refuse).
fn trim(name: &str) -> &str {
    name.trim_matches(|c: char| c == '.' || c.is_whitespace())
}

/// `name` cut to [`FILE_NAME_MAX_CHARS`], keeping a short extension.
fn shorten(name: &str) -> String {
    if name.chars().count() <= FILE_NAME_MAX_CHARS {
        return name.to_owned();
    }
    let extension = name
        .rsplit_once('.')
        .map(|(_, extension)| extension)
        .filter(|extension| extension.chars().count() <= 10);
    match extension {
        Some(extension) => {
            let room = FILE_NAME_MAX_CHARS - extension.chars().count() - 1;
            let stem: String = name.chars().take(room).collect();
            format!("{stem}.{extension}")
        }
        None => name.chars().take(FILE_NAME_MAX_CHARS).collect(),
    }
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_generated_key_parses_back_to_itself_and_names_its_tenant() {
        let tenant = TenantId::new();
        let key = BlobKey::generate(tenant);
        let parsed = BlobKey::parse(&key.to_string()).unwrap();
        assert_eq!(parsed, key);
        assert_eq!(parsed.tenant(), tenant);
        assert_ne!(BlobKey::generate(tenant), key);
    }

    #[test]
    fn keys_not_of_our_shape_are_refused() {
        let tenant = TenantId::new().to_string();
        for text in [
            String::new(),
            "../etc/passwd".into(),
            format!("{tenant}/../../x"),
            format!("{tenant}/{}", "A".repeat(32)),
            format!("{tenant}/{}/x", "a".repeat(32)),
            format!("{}/{}", tenant.to_uppercase(), "a".repeat(32)),
            format!("{}/{}", tenant.replace('-', ""), "a".repeat(32)),
        ] {
            assert!(BlobKey::parse(&text).is_err(), "{text:?} was accepted");
        }
    }

    #[test]
    fn path_traversal_names_are_refused() {
        for name in [
            "../../etc/passwd",
            "a/b.png",
            "..\\boot.ini",
            "..",
            " .. ",
            "C:\\x.pdf",
        ] {
            assert_eq!(
                FileName::parse(name).unwrap_err().reason,
                Reason::Malformed(Shape::FileName),
                "{name:?}"
            );
        }
    }

    #[test]
    fn names_are_cleaned_not_refused() {
        assert_eq!(FileName::parse(".htaccess").unwrap().as_str(), "htaccess");
        assert_eq!(
            FileName::parse(" photo.jpg. ").unwrap().as_str(),
            "photo.jpg"
        );
        assert_eq!(
            FileName::parse("a\u{0}b\nc.pdf").unwrap().as_str(),
            "abc.pdf"
        );
        assert_eq!(FileName::parse("...").unwrap().as_str(), "file");
        assert_eq!(
            FileName::parse("photo\u{202e}gpj.exe").unwrap().as_str(),
            "photogpj.exe"
        );
        assert_eq!(FileName::parse("\u{7}").unwrap().as_str(), "file");
        assert_eq!(
            FileName::parse("résumé 2024.PDF")
                .unwrap()
                .extension()
                .as_deref(),
            Some("pdf")
        );
        assert_eq!(
            FileName::parse("version 1..2.txt").unwrap().as_str(),
            "version 1..2.txt"
        );
        let long = format!("{}.jpeg", "x".repeat(300));
        let short = FileName::parse(&long).unwrap();
        assert_eq!(short.as_str().chars().count(), FILE_NAME_MAX_CHARS);
        assert!(short.as_str().ends_with(".jpeg"));
    }

    proptest! {
        #[test]
        fn any_accepted_name_is_safe_for_a_header(name in "(?s).{0,300}") {
            if let Ok(clean) = FileName::parse(&name) {
                let text = clean.as_str();
                prop_assert!(!text.is_empty());
                prop_assert!(text.chars().count() <= FILE_NAME_MAX_CHARS);
                prop_assert!(!text.contains(['/', '\\']));
                prop_assert!(!text.chars().any(char::is_control));
                prop_assert!(!text.starts_with('.'));
                let again = FileName::parse(text);
                prop_assert_eq!(again.as_ref(), Ok(&clean));
            }
        }
    }
}
