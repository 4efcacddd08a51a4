//! What a tenant decides about tickets: its categories and who each is
//! assigned to, how long a message may be, whether a closed ticket may be
//! reopened, and which files may be attached.

use serde::{Deserialize, Serialize};

use crate::blobs::{BlobLimits, FileKind};
use crate::shared::{ParseError, Reason, Shape, is_slug};

/// The most categories a tenant may offer.
pub const MAX_CATEGORIES: usize = 50;

/// The longest message a tenant may allow (characters).
pub const MAX_BODY_LIMIT: u32 = 10_000;

/// The most files one message may carry that a tenant may allow.
pub const MAX_ATTACHMENTS_LIMIT: u8 = 10;

/// The largest attachment a tenant may allow (100 MB).
pub const MAX_ATTACHMENT_BYTES_LIMIT: u64 = 100 * 1_000_000;

/// A ticket category the customer picks from, and who the host assigns
/// its tickets to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketCategory {
    /// The host's key for it (`billing`, `no-show`): 1 to 40 of `a-z`,
    /// `0-9`, `_`, `-`, starting with a letter.
    pub key: String,
    /// What the customer reads ("Billing question").
    pub name: String,
    /// Who its tickets are assigned to (a resource, a team), in the
    /// host's words; none takes the policy's default.
    #[serde(default)]
    pub assignee: Option<String>,
}

/// The tenant's ticket rules (`PortalSettings::tickets`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TicketPolicy {
    /// The categories offered, in the order shown.
    pub categories: Vec<TicketCategory>,
    /// Who a ticket is assigned to when its category names nobody.
    pub default_assignee: Option<String>,
    /// The longest message (the opening text or a reply), in characters.
    pub max_body_chars: u32,
    /// Whether a customer may reopen a closed ticket.
    pub allow_reopen: bool,
    /// The most files one message may carry (0: no attachments).
    pub max_attachments: u8,
    /// The largest file, in bytes.
    pub attachment_max_bytes: u64,
    /// The kinds of file accepted, told from their content.
    pub attachment_kinds: Vec<FileKind>,
}

impl Default for TicketPolicy {
    fn default() -> Self {
        let category = |key: &str, name: &str| TicketCategory {
            key: key.to_owned(),
            name: name.to_owned(),
            assignee: None,
        };
        let attachments = BlobLimits::attachments();
        Self {
            categories: vec![
                category("service", "Service question"),
                category("billing", "Billing question"),
                category("other", "Something else"),
            ],
            default_assignee: None,
            max_body_chars: 500,
            allow_reopen: true,
            max_attachments: 5,
            attachment_max_bytes: attachments.max_bytes,
            attachment_kinds: attachments.allowed,
        }
    }
}

impl TicketPolicy {
    /// The category with this key.
    pub fn category(&self, key: &str) -> Option<&TicketCategory> {
        self.categories.iter().find(|category| category.key == key)
    }

    /// Who a ticket of `category` is assigned to.
    pub fn assignee_of(&self, category: &TicketCategory) -> Option<String> {
        category
            .assignee
            .clone()
            .or_else(|| self.default_assignee.clone())
    }

    /// The limits an attachment is held to.
    pub fn attachment_limits(&self) -> BlobLimits {
        BlobLimits {
            max_bytes: self.attachment_max_bytes,
            allowed: self.attachment_kinds.clone(),
        }
    }

    /// Checks the policy as a host wrote it: 1 to [`MAX_CATEGORIES`]
    /// categories with distinct keys and one-line names, a body limit of 1
    /// to [`MAX_BODY_LIMIT`], at most [`MAX_ATTACHMENTS_LIMIT`] files of at
    /// most [`MAX_ATTACHMENT_BYTES_LIMIT`] bytes, and at least one kind
    /// when files are allowed.
    pub fn validate(&self) -> Result<(), ParseError> {
        let field = |name: &'static str, reason| Err(ParseError::new(name, reason));
        if self.categories.is_empty() || self.categories.len() > MAX_CATEGORIES {
            return field(
                "tickets.categories",
                Reason::Count {
                    min: 1,
                    max: MAX_CATEGORIES,
                },
            );
        }
        for (index, category) in self.categories.iter().enumerate() {
            if !is_slug(&category.key)
                || self.categories[..index]
                    .iter()
                    .any(|c| c.key == category.key)
            {
                return field("tickets.categories", Reason::Malformed(Shape::Slug));
            }
            let one_line = |text: &str| {
                !text.trim().is_empty()
                    && text.chars().count() <= 80
                    && !text.chars().any(char::is_control)
            };
            if !one_line(&category.name) || !category.assignee.as_deref().is_none_or(one_line) {
                return field("tickets.categories", Reason::OneLine { max: 80 });
            }
        }
        if !(1..=MAX_BODY_LIMIT).contains(&self.max_body_chars) {
            return field(
                "tickets.max_body_chars",
                Reason::Count {
                    min: 1,
                    max: MAX_BODY_LIMIT as usize,
                },
            );
        }
        if self.max_attachments > MAX_ATTACHMENTS_LIMIT {
            return field(
                "tickets.max_attachments",
                Reason::Count {
                    min: 0,
                    max: usize::from(MAX_ATTACHMENTS_LIMIT),
                },
            );
        }
        if !(1..=MAX_ATTACHMENT_BYTES_LIMIT).contains(&self.attachment_max_bytes) {
            return field(
                "tickets.attachment_max_bytes",
                Reason::FileTooLarge {
                    max_bytes: MAX_ATTACHMENT_BYTES_LIMIT,
                },
            );
        }
        if self.max_attachments > 0 && self.attachment_kinds.is_empty() {
            return field("tickets.attachment_kinds", Reason::Required);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_is_valid_and_assigns_by_category_then_default() {
        let mut policy = TicketPolicy::default();
        assert_eq!(policy.validate(), Ok(()));
        assert_eq!(policy.max_body_chars, 500);
        policy.default_assignee = Some("Front desk".into());
        policy.categories[0].assignee = Some("Dispatch".into());
        let first = policy.categories[0].clone();
        let second = policy.categories[1].clone();
        assert_eq!(policy.assignee_of(&first).as_deref(), Some("Dispatch"));
        assert_eq!(policy.assignee_of(&second).as_deref(), Some("Front desk"));
        assert_eq!(policy.category("billing"), Some(&second));
        assert_eq!(policy.category("nope"), None);
    }

    #[test]
    fn a_policy_breaking_a_rule_names_it() {
        let broken = |change: fn(&mut TicketPolicy)| {
            let mut policy = TicketPolicy::default();
            change(&mut policy);
            policy.validate().unwrap_err().field
        };
        assert_eq!(broken(|p| p.categories.clear()), "tickets.categories");
        assert_eq!(
            broken(|p| p.categories[1].key = p.categories[0].key.clone()),
            "tickets.categories"
        );
        assert_eq!(
            broken(|p| p.categories[0].key = "Bad Key".into()),
            "tickets.categories"
        );
        assert_eq!(
            broken(|p| p.categories[0].name = "a\nb".into()),
            "tickets.categories"
        );
        assert_eq!(broken(|p| p.max_body_chars = 0), "tickets.max_body_chars");
        assert_eq!(
            broken(|p| p.max_attachments = 11),
            "tickets.max_attachments"
        );
        assert_eq!(
            broken(|p| p.attachment_max_bytes = 0),
            "tickets.attachment_max_bytes"
        );
        assert_eq!(
            broken(|p| p.attachment_kinds.clear()),
            "tickets.attachment_kinds"
        );
    }

    #[test]
    fn a_stored_policy_without_the_newer_fields_reads_with_defaults() {
        let policy: TicketPolicy =
            serde_json::from_str(r#"{"categories":[{"key":"leak","name":"A leak"}]}"#).unwrap();
        assert_eq!(policy.categories[0].assignee, None);
        assert_eq!(policy.max_body_chars, 500);
        assert_eq!(policy.validate(), Ok(()));
    }
}
