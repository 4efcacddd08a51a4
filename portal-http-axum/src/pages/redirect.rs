//! Where a redirect may go when the target came from the request: `next`
//! after log-in, `return_to` after switching account. One function,
//! [`local_target`], normalises the target the way a browser will resolve
//! it and only then checks that it stays inside the portal's mount, so
//! `/portal/./../../evil.example`, `/portal/%2e%2e/x`, `/\evil.example` or a
//! tab hidden in `//` cannot lead elsewhere.

use percent_encoding::percent_decode_str;
use url::Url;

/// The origin targets are resolved against. Any would do: only the path and
/// query of the result are kept, after checking the origin did not change.
const ORIGIN: &str = "https://portal.invalid/";

/// Longer targets are not ours (the portal's own paths are short).
const MAX_TARGET_LEN: usize = 2048;

/// `next` normalised (dot segments resolved, backslashes as slashes, `%2e`
/// as a dot, as browsers do), as a path and query inside the mount `base`
/// (`/portal`, or empty at the root), or `None` when it would leave it.
///
/// The check runs twice over: on the URL as a browser resolves it (same
/// origin, path under `base/`), and on its path percent-decoded, as a
/// server or proxy may read it (no `.`/`..` segment, no `//`, no backslash,
/// no control character). Whitespace and control characters are refused
/// before parsing, since browsers silently drop some of them (`/\t/evil`
/// is `//evil` to them). The fragment is dropped.
pub(crate) fn local_target(base: &str, next: &str) -> Option<String> {
    if !next.starts_with('/')
        || next.len() > MAX_TARGET_LEN
        || next.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return None;
    }
    let origin = Url::parse(ORIGIN).ok()?;
    let resolved = origin.join(next).ok()?;
    if resolved.origin() != origin.origin()
        || !resolved.username().is_empty()
        || resolved.password().is_some()
    {
        return None;
    }
    let path = resolved.path();
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    let hidden = decoded.contains("//")
        || decoded.contains('\\')
        || decoded.chars().any(char::is_control)
        || decoded
            .split('/')
            .any(|segment| segment == "." || segment == "..");
    let mount = format!("{base}/");
    if hidden || !path.starts_with(&mount) || !decoded.starts_with(&mount) {
        return None;
    }
    Some(match resolved.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn paths_inside_the_mount_are_kept() {
        for (next, kept) in [
            ("/portal/account", "/portal/account"),
            ("/portal/", "/portal/"),
            (
                "/portal/billing/invoices?page=2&sort=due",
                "/portal/billing/invoices?page=2&sort=due",
            ),
            ("/portal/account#fields", "/portal/account"),
            ("/portal/../portal/account", "/portal/account"),
            ("/portal/./billing/./invoices", "/portal/billing/invoices"),
            ("/portal/billing/x/../invoices", "/portal/billing/invoices"),
        ] {
            assert_eq!(
                local_target("/portal", next).as_deref(),
                Some(kept),
                "{next}"
            );
        }
    }

    #[test]
    fn targets_that_leave_the_mount_once_normalised_are_refused() {
        for next in [
            "/portal/./../../evil.example",
            "/portal/../../evil.example",
            "/portal/..",
            "/portal/%2e%2e/evil.example",
            "/portal/%2E%2e/%2e%2E/evil.example",
            "/portal/.%2e/evil.example",
            "/portal\\..\\..\\evil.example",
            "/portal/..\\evil.example",
            "/portal/..%2f..%2fevil.example",
            "/portal/..%5c..%5cevil.example",
            "/portal/%2f%2fevil.example",
            "/portal//evil.example",
            "/portal/a/..//evil.example",
            "//evil.example/portal/",
            "/\\evil.example/portal/",
            "\\\\evil.example/portal/",
            "/%5cevil.example",
            "https://evil.example/portal/",
            "http:/evil.example/portal/",
            "javascript:alert(1)//portal/",
            "portal/account",
            "",
            "/portal/\t/evil.example",
            "/\t/evil.example/portal/",
            "/portal/\n",
            "/portal/%00",
            "/portal/%0d%0aSet-Cookie:x=y",
            "/portal/%ff",
            "/portalx/account",
            "/elsewhere",
            "/portal",
        ] {
            assert_eq!(local_target("/portal", next), None, "{next:?}");
        }
    }

    #[test]
    fn at_the_root_mount_only_single_slash_paths_pass() {
        assert_eq!(
            local_target("", "/dashboard").as_deref(),
            Some("/dashboard")
        );
        for next in ["//evil.example", "/a/..//evil.example", "/%2f/evil.example"] {
            assert_eq!(local_target("", next), None, "{next}");
        }
    }

    /// What any output must be: a path under `base/` that a browser
    /// resolves on our own origin to itself, with nothing a decoding
    /// server could read as leaving it.
    fn assert_inside(base: &str, target: &str) {
        let here = Url::parse("https://portal.test/portal/login").unwrap();
        let resolved = here.join(target).unwrap();
        assert_eq!(resolved.origin(), here.origin(), "{target}");
        assert!(target.starts_with(&format!("{base}/")), "{target}");
        assert!(resolved.path().starts_with(&format!("{base}/")), "{target}");
        let decoded = percent_decode_str(resolved.path()).decode_utf8_lossy();
        assert!(
            !decoded.contains("//") && !decoded.contains('\\'),
            "{target}"
        );
        assert!(
            decoded.split('/').all(|s| s != "." && s != ".."),
            "{target}"
        );
        assert_eq!(local_target(base, target).as_deref(), Some(target));
    }

    /// Pieces attackers combine: separators, dot segments and their
    /// escapes, hosts, and characters browsers drop.
    fn tricky_target() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("/"),
            Just("\\"),
            Just("."),
            Just(".."),
            Just("%2e"),
            Just("%2E%2e"),
            Just("%2f"),
            Just("%5c"),
            Just("//"),
            Just("portal"),
            Just("evil.example"),
            Just("@"),
            Just(":"),
            Just("?"),
            Just("#"),
            Just("%00"),
            Just("\t"),
            Just("a"),
        ];
        (
            prop_oneof![Just("/portal/"), Just("/"), Just("")],
            proptest::collection::vec(piece, 0..12),
        )
            .prop_map(|(start, pieces)| format!("{start}{}", pieces.concat()))
    }

    proptest! {
        #[test]
        fn any_accepted_target_stays_inside_the_mount(next in tricky_target()) {
            if let Some(target) = local_target("/portal", &next) {
                assert_inside("/portal", &target);
            }
        }

        #[test]
        fn any_string_at_all_is_either_refused_or_inside(next in any::<String>()) {
            for base in ["/portal", ""] {
                if let Some(target) = local_target(base, &next) {
                    assert_inside(base, &target);
                }
            }
        }

        #[test]
        fn plain_paths_inside_the_mount_survive(path in "[a-z0-9/_-]{0,40}") {
            let next = format!("/portal/{path}");
            if let Some(target) = local_target("/portal", &next) {
                assert_inside("/portal", &target);
            } else {
                prop_assert!(next.contains("//"), "{next} refused");
            }
        }
    }
}
