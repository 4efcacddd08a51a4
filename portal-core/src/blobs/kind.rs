//! Which kinds of file the portal keeps, told from their first bytes, and
//! the limits an upload is held to.

use serde::{Deserialize, Serialize};

use super::FileName;

/// A kind of file uploads may be: decided from the content's first bytes
/// ([`FileKind::sniff`]), never from the name or the client's header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")] // the same as `code`
pub enum FileKind {
    /// A JPEG photo.
    Jpeg,
    /// A PNG image.
    Png,
    /// A WebP image.
    Webp,
    /// A HEIC/HEIF photo (what phones take).
    Heic,
    /// A PDF document.
    Pdf,
    /// Plain text in UTF-8.
    Text,
}

impl FileKind {
    /// Every kind, in the order lists name them.
    pub const ALL: [FileKind; 6] = [
        FileKind::Jpeg,
        FileKind::Png,
        FileKind::Webp,
        FileKind::Heic,
        FileKind::Pdf,
        FileKind::Text,
    ];

    /// The media type a download is served as.
    pub const fn media_type(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Webp => "image/webp",
            FileKind::Heic => "image/heic",
            FileKind::Pdf => "application/pdf",
            FileKind::Text => "text/plain; charset=utf-8",
        }
    }

    /// The kind's code where it is stored beside a blob (`jpeg`, `pdf`).
    pub const fn code(self) -> &'static str {
        match self {
            FileKind::Jpeg => "jpeg",
            FileKind::Png => "png",
            FileKind::Webp => "webp",
            FileKind::Heic => "heic",
            FileKind::Pdf => "pdf",
            FileKind::Text => "text",
        }
    }

    /// The kind of a stored [`code`](Self::code).
    pub fn from_code(code: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// How people name the kind ("JPEG", "PDF") in a list of what is allowed.
    pub const fn label(self) -> &'static str {
        match self {
            FileKind::Jpeg => "JPEG",
            FileKind::Png => "PNG",
            FileKind::Webp => "WebP",
            FileKind::Heic => "HEIC",
            FileKind::Pdf => "PDF",
            FileKind::Text => "TXT",
        }
    }

    /// The extensions a file of this kind may be named with, the usual one
    /// first (given to a name that has none).
    pub const fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Jpeg => &["jpg", "jpeg", "jpe"],
            FileKind::Png => &["png"],
            FileKind::Webp => &["webp"],
            FileKind::Heic => &["heic", "heif"],
            FileKind::Pdf => &["pdf"],
            FileKind::Text => &["txt", "text", "log"],
        }
    }

    /// The kind `head` (the content's first bytes, up to
    /// [`SNIFF_BYTES`](super::SNIFF_BYTES)) is, or `None` when it is none of
    /// ours. `complete` says `head` is the whole content (so a text cut
    /// inside a character at its end is not a cut). A signature of a kind we
    /// do not keep (HTML, an executable, a ZIP) is never taken for text.
    pub fn sniff(head: &[u8], complete: bool) -> Option<FileKind> {
        match infer::get(head) {
            Some(found) => match found.mime_type() {
                "image/jpeg" => Some(FileKind::Jpeg),
                "image/png" => Some(FileKind::Png),
                "image/webp" => Some(FileKind::Webp),
                "image/heif" | "image/heic" => Some(FileKind::Heic),
                "application/pdf" => Some(FileKind::Pdf),
                _ => None,
            },
            None => is_plain_text(head, complete).then_some(FileKind::Text),
        }
    }

    /// Whether `name`'s extension suits this kind (a name without one
    /// does: it is given [`the usual one`](Self::extensions)).
    pub fn suits(self, name: &FileName) -> bool {
        name.extension()
            .is_none_or(|extension| self.extensions().contains(&extension.as_str()))
    }
}

/// UTF-8 with no control characters but tab, line feed, form feed and
/// carriage return. A character cut by the end of a partial head counts.
fn is_plain_text(head: &[u8], complete: bool) -> bool {
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        // At most 3 bytes of a character cut off by the window's end.
        Err(error) if !complete && error.error_len().is_none() => {
            match std::str::from_utf8(&head[..error.valid_up_to()]) {
                Ok(text) => text,
                Err(_) => return false,
            }
        }
        Err(_) => return false,
    };
    !text.is_empty()
        && !text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
}

/// What an upload may be: at most `max_bytes`, of one of the `allowed`
/// kinds. Tickets and documents take theirs from the tenant's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobLimits {
    /// The most bytes a file may have.
    pub max_bytes: u64,
    /// The kinds of file accepted.
    pub allowed: Vec<FileKind>,
}

impl BlobLimits {
    /// Attachments' defaults: 20 MB (decimal, as people count file sizes),
    /// photos, PDFs and plain text.
    pub fn attachments() -> Self {
        Self {
            max_bytes: 20 * 1_000_000,
            allowed: FileKind::ALL.to_vec(),
        }
    }

    /// Documents' limits (what the host publishes for download): 100 MB
    /// (decimal), every kind the portal keeps.
    pub fn documents() -> Self {
        Self {
            max_bytes: 100 * 1_000_000,
            allowed: FileKind::ALL.to_vec(),
        }
    }

    /// Whether `kind` is accepted.
    pub fn allows(&self, kind: FileKind) -> bool {
        self.allowed.contains(&kind)
    }

    /// The accepted kinds as people name them: `JPEG, PNG, PDF`.
    pub fn allowed_labels(&self) -> String {
        self.allowed
            .iter()
            .map(|kind| kind.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The first bytes of a file of `kind` (enough for [`FileKind::sniff`]),
/// for adapters' and routers' tests.
#[cfg(any(test, feature = "testing"))]
pub fn sample(kind: FileKind) -> Vec<u8> {
    match kind {
        FileKind::Jpeg => vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0],
        FileKind::Png => b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
        FileKind::Webp => b"RIFF\x24\0\0\0WEBPVP8 ".to_vec(),
        FileKind::Heic => b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec(),
        FileKind::Pdf => b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec(),
        FileKind::Text => "Hello, the boiler is leaking. ¿Mañana?\n"
            .as_bytes()
            .to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_told_from_its_first_bytes() {
        for kind in FileKind::ALL {
            assert_eq!(
                FileKind::sniff(&sample(kind), false),
                Some(kind),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn codes_read_back_as_their_kind() {
        for kind in FileKind::ALL {
            assert_eq!(FileKind::from_code(kind.code()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.code()));
        }
        assert_eq!(FileKind::from_code("html"), None);
    }

    #[test]
    fn other_kinds_are_none_of_ours() {
        for head in [
            &b"<!DOCTYPE html><html><script>alert(1)</script>"[..],
            b"<html><body>",
            b"MZ\x90\0\x03\0\0\0",
            b"PK\x03\x04\x14\0\0\0",
            b"\x7fELF\x02\x01\x01",
            b"GIF89a\x01\0\x01\0",
            b"plain until a NUL\0 appears",
            b"\xff\xfe\xfd not UTF-8",
            b"",
        ] {
            assert_eq!(FileKind::sniff(head, true), None, "{head:?}");
        }
    }

    #[test]
    fn a_character_cut_by_the_window_is_still_text_but_not_at_the_end() {
        let cut = &"año".as_bytes()[..2];
        assert_eq!(FileKind::sniff(cut, false), Some(FileKind::Text));
        assert_eq!(FileKind::sniff(cut, true), None);
    }

    #[test]
    fn a_name_must_carry_an_extension_of_its_kind_or_none() {
        let name = |text: &str| FileName::parse(text).unwrap();
        assert!(FileKind::Jpeg.suits(&name("IMG_0001.JPG")));
        assert!(FileKind::Jpeg.suits(&name("photo")));
        assert!(!FileKind::Jpeg.suits(&name("invoice.pdf")));
        assert!(!FileKind::Text.suits(&name("page.html")));
        assert!(FileKind::Pdf.suits(&name("scan.pdf")));
    }

    #[test]
    fn limits_list_what_they_allow() {
        let limits = BlobLimits {
            max_bytes: 10,
            allowed: vec![FileKind::Png, FileKind::Pdf],
        };
        assert!(limits.allows(FileKind::Pdf));
        assert!(!limits.allows(FileKind::Jpeg));
        assert_eq!(limits.allowed_labels(), "PNG, PDF");
        assert_eq!(BlobLimits::attachments().allowed.len(), 6);
    }
}
