//! [`WebhookSink`]: an [`EventSink`] that delivers every host event as a
//! signed HTTP POST, so a host written in any language hears about every
//! change.
//!
//! The body is [`WebhookPayload`] as JSON; the `Portal-Signature` header
//! is `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`
//! ([`portal_core::webhook`]). A 2xx answer delivers the event; any other
//! status, a timeout, a refused connection or a redirect is a failed
//! attempt, which the outbox worker retries with backoff while the
//! account's later events wait. Every attempt lands in the delivery log
//! (`portal.host().event_deliveries(..)`).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use portal_core::outbox::{EventSink, HostEvent, SinkAnswer, SinkError};
use portal_core::shared::{Clock, SystemClock};
use portal_core::webhook::{SIGNATURE_HEADER, WebhookPayload, sign};
use reqwest::header::{CONTENT_TYPE, USER_AGENT};
use secrecy::{ExposeSecret, SecretSlice};

/// How long one delivery may take before it counts as failed.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How much of a receiver's answer is read (and thrown away) so the
/// connection can be used again; a longer answer closes it.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The header that repeats the event id, for receivers that dedupe before
/// parsing the body.
pub const EVENT_ID_HEADER: &str = "Portal-Event-Id";

/// A webhook sink could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum WebhookSinkError {
    /// The URL is not an absolute `http` or `https` URL.
    #[error("the webhook URL must be an absolute http or https URL")]
    InvalidUrl,
    /// The secret is empty.
    #[error("the webhook secret must not be empty")]
    EmptySecret,
    /// The HTTP client could not be built (the TLS setup failed).
    #[error("the webhook client could not be built: {0}")]
    Client(#[from] reqwest::Error),
}

/// Delivers host events as signed HTTP POSTs to one URL (every tenant's;
/// the body names the tenant). Give it to `Portal::outbox_worker`.
///
/// ```no_run
/// # async fn wire(portal: portal_core::Portal, mailer: std::sync::Arc<dyn portal_core::outbox::Mailer>) -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use portal_runtime::WebhookSink;
///
/// let events = WebhookSink::new("https://host.example/portal-events", b"whsec_...".to_vec())?;
/// let worker = portal.outbox_worker(mailer, Arc::new(events)).with_batch(100);
/// let shutdown = async { let _ = tokio::signal::ctrl_c().await; };
/// portal_runtime::run_outbox(&worker, std::time::Duration::from_secs(2), shutdown).await;
/// # Ok(()) }
/// ```
pub struct WebhookSink {
    client: reqwest::Client,
    url: reqwest::Url,
    secret: SecretSlice<u8>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for WebhookSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSink")
            .field("url", &self.url.as_str())
            .field("secret", &"***")
            .finish_non_exhaustive()
    }
}

impl WebhookSink {
    /// Posts to `url`, signing with `secret`, each delivery bounded by
    /// [`DEFAULT_TIMEOUT`]. Redirects are not followed (a receiver that
    /// moved is a failed attempt, not a body sent elsewhere).
    pub fn new(url: &str, secret: Vec<u8>) -> Result<Self, WebhookSinkError> {
        Self::with_timeout(url, secret, DEFAULT_TIMEOUT)
    }

    /// [`Self::new`] with another timeout per delivery (connecting,
    /// sending and the answer together).
    pub fn with_timeout(
        url: &str,
        secret: Vec<u8>,
        timeout: Duration,
    ) -> Result<Self, WebhookSinkError> {
        let url = reqwest::Url::parse(url).map_err(|_| WebhookSinkError::InvalidUrl)?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(WebhookSinkError::InvalidUrl);
        }
        if secret.is_empty() {
            return Err(WebhookSinkError::EmptySecret);
        }
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            client,
            url,
            secret: SecretSlice::from(secret),
            clock: Arc::new(SystemClock),
        })
    }

    /// Signs with `clock`'s time instead of the system's (tests).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

#[async_trait]
impl EventSink for WebhookSink {
    async fn publish(&self, event: &HostEvent) -> Result<SinkAnswer, SinkError> {
        let body = serde_json::to_vec(&WebhookPayload::of(event)).map_err(|error| SinkError {
            status: None,
            error: format!("the event could not be written as JSON: {error}"),
        })?;
        let signature = sign(self.secret.expose_secret(), &body, self.clock.now());
        let sent = self
            .client
            .post(self.url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(
                USER_AGENT,
                concat!("portal-webhooks/", env!("CARGO_PKG_VERSION")),
            )
            .header(SIGNATURE_HEADER, signature)
            .header(EVENT_ID_HEADER, event.id.to_string())
            .body(body)
            .send()
            .await;
        let mut response = match sent {
            Ok(response) => response,
            Err(error) => {
                return Err(SinkError {
                    status: None,
                    error: describe(&error),
                });
            }
        };
        let status = response.status();
        // Read a short answer to its end so the connection is kept.
        let mut read = 0;
        while let Ok(Some(chunk)) = response.chunk().await {
            read += chunk.len();
            if read > MAX_ANSWER_BYTES {
                break;
            }
        }
        if status.is_success() {
            Ok(SinkAnswer {
                status: Some(status.as_u16()),
            })
        } else {
            Err(SinkError {
                status: Some(status.as_u16()),
                error: format!("the receiver answered HTTP {}", status.as_u16()),
            })
        }
    }
}

/// Why a request got no answer, in words for the delivery log; never the
/// URL (it may carry a token).
fn describe(error: &reqwest::Error) -> String {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "the request failed"
    };
    match std::error::Error::source(error) {
        Some(cause) => format!("{what}: {cause}"),
        None => what.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_urls_and_a_secret_make_a_sink() {
        for url in [
            "",
            "not a url",
            "ftp://host.example/x",
            "file:///etc/passwd",
            "mailto:a@b.c",
        ] {
            assert!(matches!(
                WebhookSink::new(url, b"s".to_vec()),
                Err(WebhookSinkError::InvalidUrl)
            ));
        }
        assert!(matches!(
            WebhookSink::new("https://host.example/hook", Vec::new()),
            Err(WebhookSinkError::EmptySecret)
        ));
        let sink = WebhookSink::new("https://host.example/hook", b"whsec".to_vec()).unwrap();
        assert!(
            !format!("{sink:?}").contains("whsec"),
            "the secret is masked"
        );
    }
}
