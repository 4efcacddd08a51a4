//! The document model and what the host gives to publish one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::blobs::{BlobKey, StoredBlob};
use crate::error::PortalError;
use crate::shared::{AccountId, DocumentId, ExternalId, check_one_line, check_text};

/// The longest title, in characters.
pub const TITLE_CHARS: usize = 200;
/// The longest description, in characters.
pub const DESCRIPTION_CHARS: usize = 2000;
/// The longest folder (category) name, in characters.
pub const FOLDER_CHARS: usize = 80;

/// A file published for customers to download.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// Our id (the download link is by it); kept when the host publishes
    /// the same external id again.
    pub id: DocumentId,
    /// The account it is for; `None` for every account of the tenant.
    pub account: Option<AccountId>,
    /// The host's id for it.
    pub external_id: ExternalId,
    /// What customers see it as ("Installation guide").
    pub title: String,
    /// A line or two about it.
    pub description: Option<String>,
    /// The folder or category the host files it under ("Manuals").
    pub folder: Option<String>,
    /// The file: its key in the blob store, name, kind and size.
    pub file: StoredBlob,
    /// When its current file was published.
    pub published_at: DateTime<Utc>,
}

impl Document {
    /// Whether it is for every account of the tenant (not one account's).
    pub fn is_tenant_wide(&self) -> bool {
        self.account.is_none()
    }
}

/// What the host says about a document it publishes; the file comes
/// beside it as an [`Upload`](crate::blobs::Upload).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentDraft {
    /// The host's id: publishing it again replaces the document.
    pub external_id: ExternalId,
    /// The account it is for; `None` for every account of the tenant.
    pub account: Option<AccountId>,
    /// 1 to [`TITLE_CHARS`] characters on one line.
    pub title: String,
    /// Up to [`DESCRIPTION_CHARS`] characters; blank is none.
    pub description: Option<String>,
    /// Up to [`FOLDER_CHARS`] characters on one line; blank is none.
    pub folder: Option<String>,
}

impl DocumentDraft {
    /// Checks the texts (refused naming `title`, `description` or
    /// `folder`) and returns them trimmed, blanks as none.
    pub(crate) fn checked(&self) -> Result<CheckedDraft, PortalError> {
        check_one_line("title", &self.title, 1, TITLE_CHARS)?;
        if let Some(description) = &self.description {
            check_text("description", description, 0, DESCRIPTION_CHARS)?;
        }
        if let Some(folder) = &self.folder {
            check_one_line("folder", folder, 0, FOLDER_CHARS)?;
        }
        let blank_is_none = |text: &Option<String>| {
            text.as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
        };
        Ok(CheckedDraft {
            title: self.title.trim().to_owned(),
            description: blank_is_none(&self.description),
            folder: blank_is_none(&self.folder),
        })
    }
}

/// A draft's texts once checked.
pub(crate) struct CheckedDraft {
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    pub(crate) folder: Option<String>,
}

/// What [`DocumentStore::publish_document`](super::DocumentStore::publish_document)
/// wrote: the document as stored and the file it replaced, if any, which
/// the caller removes from the blob store after the commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    /// The document as stored (with the id it had if it replaced one).
    pub document: Document,
    /// The replaced document's file, when there was one.
    pub replaced: Option<BlobKey>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::Reason;

    fn draft(title: &str, description: Option<&str>, folder: Option<&str>) -> DocumentDraft {
        DocumentDraft {
            external_id: ExternalId::parse("doc-1").unwrap(),
            account: None,
            title: title.into(),
            description: description.map(Into::into),
            folder: folder.map(Into::into),
        }
    }

    #[test]
    fn a_draft_is_trimmed_and_blank_texts_are_none() {
        let checked = draft("  Guide ", Some("  "), Some(" Manuals "))
            .checked()
            .unwrap();
        assert_eq!(checked.title, "Guide");
        assert_eq!(checked.description, None);
        assert_eq!(checked.folder.as_deref(), Some("Manuals"));
    }

    #[test]
    fn a_title_is_one_line_of_1_to_200_characters() {
        for bad in ["", "   ", "two\nlines", &"x".repeat(201)] {
            let refused = draft(bad, None, None).checked().err().unwrap();
            assert!(
                matches!(refused, PortalError::InvalidInput { field: "title", .. }),
                "{bad:?}: {refused:?}"
            );
        }
        let refused = draft("Guide", Some(&"x".repeat(2001)), None)
            .checked()
            .err()
            .unwrap();
        assert!(matches!(
            refused,
            PortalError::InvalidInput {
                field: "description",
                reason: Reason::Length { .. },
                ..
            }
        ));
    }
}
