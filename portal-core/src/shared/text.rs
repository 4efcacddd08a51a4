//! Length and shape checks for text a host or customer typed, shared by
//! every context that keeps such text (quotes, properties, jobs,
//! requests), so one rule counts characters the same way everywhere.

use crate::error::PortalError;
use crate::shared::Reason;

/// `value` as one line: no control characters, `min` to `max`
/// characters (`min` counted after trimming, so spaces alone are empty).
pub fn check_one_line(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), PortalError> {
    let count = value.trim().chars().count();
    if value.chars().any(char::is_control) {
        return Err(PortalError::invalid(field, Reason::OneLine { max }));
    }
    if count < min || value.chars().count() > max {
        return Err(PortalError::invalid(field, Reason::Length { min, max }));
    }
    Ok(())
}

/// Whether `text` is a key a host gives its own things (a request kind, a
/// ticket category): 1 to 40 of `a-z`, `0-9`, `_` and `-`, starting with a
/// letter.
pub fn is_slug(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && text.len() <= 40
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// `value` as free text (line breaks allowed): `min` to `max` characters,
/// `min` counted after trimming.
pub fn check_text(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), PortalError> {
    let count = value.trim().chars().count();
    if count < min || value.chars().count() > max {
        return Err(PortalError::invalid(field, Reason::Length { min, max }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_refuses_control_characters_and_counts_characters_not_bytes() {
        assert!(check_one_line("name", "Élodie", 1, 6).is_ok());
        assert!(check_one_line("name", "a\nb", 1, 10).is_err());
        assert!(check_one_line("name", "   ", 1, 10).is_err());
        assert!(check_one_line("name", "abcdefg", 1, 6).is_err());
        assert!(check_text("notes", "a\nb", 1, 10).is_ok());
        assert!(check_text("notes", " ", 1, 10).is_err());
    }
}
