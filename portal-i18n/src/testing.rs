//! Checks for test suites: the catalog is complete in every language, the
//! keys code and templates use exist, and a page or mail rendered in
//! Spanish has no English left in it.
//!
//! Code and templates look messages up as `t.msg("key")` or
//! `t.msg_with("key", ...)` with the key written out, so [`unknown_keys`]
//! finds every use by reading the sources.

use std::collections::BTreeSet;

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use portal_core::shared::Language;

use crate::catalog::CATALOG;

/// The message keys defined in `language`.
pub fn keys(language: Language) -> BTreeSet<String> {
    CATALOG
        .bundle(language)
        .resources
        .iter()
        .flat_map(|(_, resource)| resource.entries())
        .filter_map(|entry| match entry {
            Entry::Message(message) => Some(message.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

/// What is wrong with the catalog: syntax errors, keys defined twice, and
/// keys one language has and another lacks. Empty when all is well.
pub fn problems() -> Vec<String> {
    let mut problems = Vec::new();
    let english = keys(Language::English);
    for language in Language::ALL {
        problems.extend(CATALOG.bundle(language).problems.iter().cloned());
        let theirs = keys(language);
        for missing in english.difference(&theirs) {
            problems.push(format!("`{missing}` is missing in {language}"));
        }
        for extra in theirs.difference(&english) {
            problems.push(format!("`{extra}` is in {language} but not in en"));
        }
    }
    problems
}

/// Every lookup in this process so far that found no message, or one
/// whose arguments were not all given (`"es some-key"`). Empty when every
/// page, PDF and mail rendered so far was worded in full; a suite checks
/// it after rendering them, which also covers keys chosen at run time
/// (`t.msg(match status { ... })`) that [`unknown_keys`] cannot read.
pub fn misses() -> Vec<String> {
    crate::catalog::MISSES
        .lock()
        .map(|misses| misses.iter().cloned().collect())
        .unwrap_or_default()
}

/// The keys `source` (a template or a Rust file) looks up with `msg("...")`
/// or `msg_with("...")` that the catalog does not have, each with the
/// source's `name`.
pub fn unknown_keys(name: &str, source: &str) -> Vec<String> {
    let known = keys(Language::English);
    used_keys(source)
        .into_iter()
        .filter(|key| !known.contains(key))
        .map(|key| format!("{name}: `{key}`"))
        .collect()
}

/// Every key written out after `msg(` or `msg_with(` in `source`.
pub fn used_keys(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for call in ["msg(\"", "msg_with(\""] {
        let mut rest = source;
        while let Some(start) = rest.find(call) {
            rest = &rest[start + call.len()..];
            if let Some(end) = rest.find('"') {
                found.push(rest[..end].to_owned());
            }
        }
    }
    found
}

/// The English phrases (literal text of English messages, at least four
/// characters) found in `rendered`, a page or mail rendered in another
/// language. Phrases that also occur in the Spanish catalog ("Total",
/// "PDF") are not counted. Addresses (`href`, `action`, `src`: paths
/// like `/billing/invoices` are no words), style sheets, scripts and
/// comments (no reader sees them) are left out and HTML's escapes undone
/// first.
pub fn english_left(rendered: &str) -> Vec<String> {
    let unread = ["<style", "<script", "<!--"]
        .iter()
        .zip(["</style>", "</script>", "-->"])
        .fold(rendered.to_owned(), |html, (open, close)| {
            without_blocks(&html, open, close)
        });
    let text = unescape(&without_addresses(&unread));
    let spanish = literal_text(Language::Spanish).join("\n");
    let mut left: Vec<String> = literal_text(Language::English)
        .into_iter()
        .filter(|phrase| phrase.chars().filter(|c| c.is_alphabetic()).count() >= 4)
        .filter(|phrase| !spanish.contains(phrase.as_str()))
        .filter(|phrase| contains_word(&text, phrase))
        .collect();
    left.sort();
    left.dedup();
    left
}

/// The literal text pieces of every message of `language`, line by line.
fn literal_text(language: Language) -> Vec<String> {
    let mut pieces = Vec::new();
    for (_, resource) in CATALOG.bundle(language).resources {
        for entry in resource.entries() {
            if let Entry::Message(message) = entry {
                if let Some(pattern) = &message.value {
                    collect_text(pattern, &mut pieces);
                }
            }
        }
    }
    pieces
}

fn collect_text(pattern: &Pattern<&str>, pieces: &mut Vec<String>) {
    for element in &pattern.elements {
        match element {
            PatternElement::TextElement { value } => pieces.extend(
                value
                    .lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty())
                    .map(str::to_owned),
            ),
            PatternElement::Placeable {
                expression: Expression::Select { variants, .. },
            } => {
                for variant in variants {
                    collect_text(&variant.value, pieces);
                }
            }
            PatternElement::Placeable {
                expression: Expression::Inline(InlineExpression::StringLiteral { value }),
            } => pieces.push((*value).to_owned()),
            PatternElement::Placeable { .. } => {}
        }
    }
}

/// Whether `phrase` occurs in `text` with no letter, digit, `_` or `-`
/// or `/` right before or after it ("Paid" is not found in "Unpaid", nor
/// "quotes" in an id such as `quotes-h` or "optional" in the name
/// `optional_line`, or a word of a path such as `/portal/quotes/1`).
fn contains_word(text: &str, phrase: &str) -> bool {
    let joins = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '/');
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        !before.is_some_and(joins) && !after.is_some_and(joins)
    })
}

/// `html` without the blocks from `open` to `close` (both included).
fn without_blocks(html: &str, open: &str, close: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .find(close)
            .map_or("", |end| &rest[start + end + close.len()..]);
    }
    out.push_str(rest);
    out
}

/// `html` with the values of its address and identifier attributes
/// (`id`, `name`, `for`, `class`, `value`, ARIA references: no reader
/// sees them as words) emptied.
fn without_addresses(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    loop {
        let next = [
            "href=\"",
            "action=\"",
            "src=\"",
            " id=\"",
            " name=\"",
            " for=\"",
            " class=\"",
            " value=\"",
            "-labelledby=\"",
            "-describedby=\"",
        ]
        .iter()
        .filter_map(|attribute| rest.find(attribute).map(|at| (at, attribute.len())))
        .min();
        let Some((at, length)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..at + length]);
        rest = &rest[at + length..];
        rest = rest.find('"').map_or("", |end| &rest[end..]);
    }
}

fn unescape(html: &str) -> String {
    html.replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Messages;

    #[test]
    fn the_catalog_parses_and_every_key_is_in_every_language() {
        assert_eq!(problems(), Vec::<String>::new());
    }

    #[test]
    fn every_message_has_text_in_every_language() {
        for language in Language::ALL {
            let t = Messages::new(language);
            for key in keys(language) {
                assert_ne!(t.msg(&key), "", "{language} {key}");
            }
        }
    }

    #[test]
    fn plural_forms_come_from_the_catalog_per_language() {
        let en = Messages::new(Language::English);
        let es = Messages::new(Language::Spanish);
        assert_eq!(
            en.msg_with("invoices-count", en.count("count", 1)),
            "1 invoice"
        );
        assert_eq!(
            en.msg_with("invoices-count", en.count("count", 0)),
            "0 invoices"
        );
        assert_eq!(
            es.msg_with("invoices-count", es.count("count", 1)),
            "1 factura"
        );
        assert_eq!(
            es.msg_with("invoices-count", es.count("count", 2)),
            "2 facturas"
        );
    }

    #[test]
    fn a_missing_key_shows_the_key_rather_than_failing_and_is_recorded() {
        let t = Messages::new(Language::Spanish);
        assert_eq!(t.msg("no-such-key"), "no-such-key");
        assert!(misses().contains(&"es no-such-key".to_owned()));
        t.msg_with("invoice-title", crate::Args::new());
        assert!(
            misses().contains(&"es invoice-title".to_owned()),
            "an argument missing"
        );
    }

    #[test]
    fn used_keys_are_read_from_templates_and_code() {
        let source = r#"{{ t.msg("a-b") }} t.msg_with("c-d", t.arg("x", 1)) msg ("e")"#;
        assert_eq!(used_keys(source), vec!["a-b", "c-d"]);
        assert_eq!(
            unknown_keys("x.html", source),
            vec!["x.html: `a-b`", "x.html: `c-d`"]
        );
    }

    #[test]
    fn the_english_catalog_spells_the_us_way() {
        let british = [
            "authoris",
            "colour",
            "favour",
            "behaviour",
            "centre",
            "licence",
            "organis",
            "cancelled",
            "catalogue",
            "cheque",
            "honour",
            "recognis",
            "cancelling",
        ];
        for phrase in literal_text(Language::English) {
            let lower = phrase.to_lowercase();
            for word in british {
                assert!(!lower.contains(word), "{word}: {phrase}");
            }
        }
    }

    #[test]
    fn english_left_finds_whole_english_phrases_only() {
        let en = Messages::new(Language::English);
        let es = Messages::new(Language::Spanish);
        let english = en.msg("nav-log-out");
        assert_eq!(
            english_left(&format!("<p>{english}</p>")),
            vec![english.clone()]
        );
        assert!(english_left(&format!("<p>{}</p>", es.msg("nav-log-out"))).is_empty());
        let link = r#"<a href="/portal/billing/invoices">Facturas</a>"#;
        assert!(english_left(link).is_empty(), "an address is no word");
        let unread = format!(
            "<style>/* {english} */</style><script>// {english}</script><!-- {english} --><p>Hola</p>"
        );
        assert!(
            english_left(&unread).is_empty(),
            "styles, scripts, comments"
        );
        assert_eq!(
            english_left(&format!("<style></style><p>{english}</p>")),
            vec![english.clone()]
        );
    }
}
