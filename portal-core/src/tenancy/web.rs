//! Values from a tenant's settings that pages put into markup: URLs that
//! become an `href` or `src` ([`SafeUrl`]) and brand colours that go into
//! the `<style>` block ([`Colour`]).
//!
//! The host API refuses settings that break these rules, but settings
//! stored by an older version were never checked, so the pages take these
//! values only through the types here: an unchecked URL is not linked, an
//! unchecked colour is replaced by the default.

use std::fmt;
use std::net::IpAddr;

use url::{Host, Url};

use crate::shared::{Reason, Shape};

/// The longest URL a setting may hold.
const MAX_URL_LEN: usize = 2048;

/// A URL that may be put into an `href` or `src`: `https`, or `http` to a
/// loopback host (`localhost`, `127.0.0.0/8`, `::1`, for development), with
/// a host and no user name or password. Made only by [`SafeUrl::check`] and
/// [`SafeUrl::parse`], so holding one means the check passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SafeUrl(Url);

impl SafeUrl {
    /// `url` if it meets the rule; otherwise what is wrong with it, phrased
    /// to follow the field's name.
    ///
    /// ```
    /// use portal_core::tenancy::SafeUrl;
    /// let ok = |text: &str| SafeUrl::check(&text.parse().unwrap()).is_ok();
    /// assert!(ok("https://cdn.acme.test/logo.png"));
    /// assert!(ok("http://127.0.0.1:3000/logo.png"));
    /// assert!(!ok("http://acme.test/logo.png"));
    /// assert!(!ok("javascript:alert(1)"));
    /// assert!(!ok("https://user:secret@acme.test/"));
    /// ```
    pub fn check(url: &Url) -> Result<Self, Reason> {
        let allowed = match url.scheme() {
            "https" => url.host().is_some(),
            "http" => url.host().is_some_and(|host| is_loopback(&host)),
            _ => false,
        };
        if !allowed {
            return Err(Reason::Malformed(Shape::SafeUrl));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Reason::UrlCredentials);
        }
        if url.as_str().len() > MAX_URL_LEN {
            return Err(Reason::Length {
                min: 0,
                max: MAX_URL_LEN,
            });
        }
        Ok(Self(url.clone()))
    }

    /// Parses `text` as an absolute URL and checks it; relative references
    /// and text with spaces or control characters (which a parser would
    /// silently drop) are refused.
    pub fn parse(text: &str) -> Result<Self, Reason> {
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Reason::Whitespace);
        }
        let url = Url::parse(text).map_err(|_| Reason::Malformed(Shape::AbsoluteUrl))?;
        Self::check(&url)
    }

    /// The URL, serialised (percent-encoded, so safe inside an attribute
    /// once HTML-escaped as templates do).
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The URL.
    pub fn url(&self) -> &Url {
        &self.0
    }
}

impl fmt::Display for SafeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// A brand colour that may go into CSS: `#rgb` or `#rrggbb`, hex digits of
/// either case, nothing else (no names, no functions, no `;` or `}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Colour(String);

impl Colour {
    /// `text` if it is `#rgb` or `#rrggbb`.
    ///
    /// ```
    /// use portal_core::tenancy::Colour;
    /// assert!(Colour::parse("#1f4e79").is_some());
    /// assert!(Colour::parse("#FFF").is_some());
    /// assert!(Colour::parse("red;} body{display:none").is_none());
    /// ```
    pub fn parse(text: &str) -> Option<Self> {
        let hex = text.strip_prefix('#')?;
        let ok = matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit());
        ok.then(|| Self(text.to_owned()))
    }

    /// `text` if it is a colour, else `fallback` (logged: the setting was
    /// stored before the rule, or behind the host API's back).
    pub fn or_default(text: &str, fallback: &'static str) -> Self {
        Self::parse(text).unwrap_or_else(|| {
            tracing::warn!(colour = %text, "stored brand colour is not #rgb or #rrggbb");
            Self(fallback.to_owned())
        })
    }

    /// The colour as CSS takes it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_and_loopback_http_urls_are_safe() {
        for good in [
            "https://cdn.acme.test/logo.png",
            "https://acme.test:8443/a?b=c#d",
            "HTTPS://ACME.TEST/",
            "http://localhost/logo.png",
            "http://LOCALHOST:3000/",
            "http://127.0.0.1/",
            "http://127.200.3.4:81/x",
            "http://[::1]:3000/",
        ] {
            assert!(SafeUrl::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "data:image/svg+xml;base64,PHN2Zz4=",
            "vbscript:msgbox",
            "file:///etc/passwd",
            "ftp://acme.test/logo.png",
            "mailto:a@acme.test",
            "http://acme.test/logo.png",
            "http://10.0.0.1/",
            "http://localhost.evil.example/",
            "http://128.0.0.1/",
            "http://[::2]/",
            "https://user@acme.test/",
            "https://user:secret@acme.test/",
            "/relative/logo.png",
            "//evil.example/logo.png",
            "logo.png",
            "",
            " https://acme.test/",
            "https://acme.test/\tx",
            "java\nscript:alert(1)",
        ] {
            assert!(SafeUrl::parse(bad).is_err(), "{bad}");
        }
        let long = format!("https://acme.test/{}", "a".repeat(2048));
        assert!(SafeUrl::parse(&long).is_err());
    }

    #[test]
    fn check_refuses_what_a_host_built_as_a_url_value() {
        let script: Url = "javascript:alert(document.cookie)".parse().unwrap();
        assert_eq!(
            SafeUrl::check(&script),
            Err(Reason::Malformed(Shape::SafeUrl))
        );
    }

    #[test]
    fn colours_are_short_or_long_hex_only() {
        for good in ["#fff", "#FFF", "#1f4e79", "#ABCDEF"] {
            assert_eq!(
                Colour::parse(good).map(|c| c.to_string()),
                Some(good.into())
            );
        }
        for bad in [
            "",
            "#",
            "fff",
            "#ff",
            "#ffff",
            "#fffffff",
            "#ggg",
            "red",
            "#fff;",
            "#fff}",
            "#1f4e79;}body{display:none",
            "rgb(0,0,0)",
            " #fff",
            "#fff ",
        ] {
            assert!(Colour::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_bad_stored_colour_gives_way_to_the_default() {
        assert_eq!(Colour::or_default("#abc", "#000000").as_str(), "#abc");
        assert_eq!(
            Colour::or_default("red;}</style><script>", "#000000").as_str(),
            "#000000"
        );
    }
}
