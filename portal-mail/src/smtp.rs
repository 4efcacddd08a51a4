//! [`SmtpMailer`]: the production [`Mailer`], over lettre's async SMTP
//! transport on tokio.
//!
//! Three ways to reach a server, chosen by [`SmtpTls`]: plain SMTP (only
//! for a server on loopback, such as the test server or a local relay),
//! STARTTLS on the submission port (587), or implicit TLS (465).
//! Certificates are checked against Mozilla's roots (webpki-roots), so the
//! trust store does not depend on the host's OpenSSL.
//!
//! Every failure (server down, refused login, rejected recipient, a server
//! that stops answering) is returned as a [`DeliveryError`]: the outbox
//! worker then retries with backoff, and nothing is lost. Connections are
//! pooled by lettre and reused between mails.

use std::time::Duration;

use async_trait::async_trait;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use portal_core::outbox::{DeliveryError, Email, Mailer};
use secrecy::{ExposeSecret, SecretString};

use crate::message;
use crate::render::kind_name;

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// No encryption. Only for a server on loopback (development, tests, a
    /// local relay): passwords and mails cross the wire in the clear.
    None,
    /// Plain connect, then STARTTLS, which is required: the mailer refuses
    /// to send if the server does not offer it. Usually port 587.
    StartTls,
    /// TLS from the first byte ("SMTPS", implicit TLS). Usually port 465.
    Tls,
}

/// Where and how [`SmtpMailer`] sends.
///
/// `Debug` masks the password.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    /// The server's host name (checked against its certificate with TLS).
    pub host: String,
    /// The server's port: 587 for STARTTLS, 465 for TLS, 25 or any for a
    /// plain loopback server.
    pub port: u16,
    /// How the connection is protected.
    pub tls: SmtpTls,
    /// The login, when the server wants one.
    pub username: Option<String>,
    /// The login's password.
    pub password: Option<SecretString>,
    /// The sending address. The From line shows it with the business's name
    /// from each mail: `Acme Plumbing <noreply@portal.example>`.
    pub from: Address,
    /// How long to wait for the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// How long one mail may take as a whole, connecting, greeting,
    /// logging in and sending included. lettre's async transport has no
    /// per-command timeout, so this is what stops a server that accepts the
    /// connection and then never answers from holding the worker forever.
    pub send_timeout: Duration,
}

impl SmtpConfig {
    /// A configuration without login, with a 5-second connect timeout and a
    /// 30-second limit per mail.
    pub fn new(host: impl Into<String>, port: u16, tls: SmtpTls, from: Address) -> Self {
        Self {
            host: host.into(),
            port,
            tls,
            username: None,
            password: None,
            from,
            connect_timeout: Duration::from_secs(5),
            send_timeout: Duration::from_secs(30),
        }
    }

    /// Logs in with `username` and `password` (PLAIN or LOGIN, whichever
    /// the server offers).
    pub fn with_credentials(mut self, username: impl Into<String>, password: SecretString) -> Self {
        self.username = Some(username.into());
        self.password = Some(password);
        self
    }

    /// Sets both timeouts.
    pub fn with_timeouts(mut self, connect: Duration, send: Duration) -> Self {
        self.connect_timeout = connect;
        self.send_timeout = send;
        self
    }
}

/// Why an [`SmtpMailer`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SmtpConfigError {
    /// The TLS settings for the host could not be prepared.
    #[error("could not prepare TLS for {host}: {source}")]
    Tls {
        /// The configured host.
        host: String,
        /// What lettre said.
        source: lettre::transport::smtp::Error,
    },
    /// A username was given without a password, or the other way round.
    #[error("SMTP credentials need both a username and a password")]
    IncompleteCredentials,
    /// The mailer was built outside a tokio runtime; lettre's connection
    /// pool needs one to run its clean-up task.
    #[error("SmtpMailer::new must be called inside a tokio runtime")]
    NoRuntime,
}

/// Sends mails over SMTP. Cheap to share: hold it as `Arc<dyn Mailer>`.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Address,
    send_timeout: Duration,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("from", &self.from)
            .field("send_timeout", &self.send_timeout)
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// Builds the mailer. Does not connect: a server that is down shows up
    /// as a [`DeliveryError`] on the first send (or from [`Self::check`]),
    /// so a portal can start while its mail server is away.
    ///
    /// Must be called inside a tokio runtime.
    pub fn new(config: SmtpConfig) -> Result<Self, SmtpConfigError> {
        tokio::runtime::Handle::try_current().map_err(|_| SmtpConfigError::NoRuntime)?;
        let tls_error = |source| SmtpConfigError::Tls {
            host: config.host.clone(),
            source,
        };
        let builder = match config.tls {
            SmtpTls::None => {
                if !is_loopback(&config.host) {
                    tracing::warn!(
                        host = %config.host,
                        "SMTP without TLS to a host that is not loopback: mails and passwords travel in the clear"
                    );
                }
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
            }
            SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                .map_err(tls_error)?,
            SmtpTls::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host).map_err(tls_error)?
            }
        };
        let mut builder = builder
            .port(config.port)
            .timeout(Some(config.connect_timeout));
        match (config.username, config.password) {
            (Some(username), Some(password)) => {
                builder = builder.credentials(Credentials::new(
                    username,
                    password.expose_secret().to_owned(),
                ));
            }
            (None, None) => {}
            _ => return Err(SmtpConfigError::IncompleteCredentials),
        }
        Ok(Self {
            transport: builder.build(),
            from: config.from,
            send_timeout: config.send_timeout,
        })
    }

    /// Connects, greets and logs in, then hangs up: for a health check at
    /// start-up. An error says why the server cannot be used.
    pub async fn check(&self) -> Result<(), DeliveryError> {
        match tokio::time::timeout(self.send_timeout, self.transport.test_connection()).await {
            Ok(Ok(true)) => Ok(()),
            Ok(Ok(false)) => Err(DeliveryError(
                "the SMTP server did not accept a connection test".into(),
            )),
            Ok(Err(error)) => Err(smtp_error(&error)),
            Err(_) => Err(timed_out(self.send_timeout)),
        }
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &Email) -> Result<(), DeliveryError> {
        let message = message::build(mail, &self.from)?;
        match tokio::time::timeout(self.send_timeout, self.transport.send(message)).await {
            Ok(Ok(_response)) => {
                tracing::debug!(
                    kind = kind_name(&mail.kind),
                    "mail handed to the SMTP server"
                );
                Ok(())
            }
            Ok(Err(error)) => Err(smtp_error(&error)),
            Err(_) => Err(timed_out(self.send_timeout)),
        }
    }
}

/// lettre's error, with its cause chain: "Connection error: Connection
/// refused" says more to whoever reads the outbox than "Connection error".
fn smtp_error(error: &lettre::transport::smtp::Error) -> DeliveryError {
    let mut text = format!("SMTP: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    DeliveryError(text)
}

fn timed_out(limit: Duration) -> DeliveryError {
    DeliveryError(format!(
        "SMTP: the server did not finish within {} s",
        limit.as_secs_f32()
    ))
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_masks_the_password() {
        let config = SmtpConfig::new(
            "smtp.example.com",
            587,
            SmtpTls::StartTls,
            "noreply@example.com".parse().unwrap(),
        )
        .with_credentials("portal", SecretString::from("hunter2-secret"));
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(shown.contains("portal"));
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        assert!(is_loopback("localhost"));
        assert!(is_loopback("127.0.0.1"));
        assert!(is_loopback("[::1]"));
        assert!(!is_loopback("smtp.example.com"));
        assert!(!is_loopback("10.0.0.1"));
    }
}
