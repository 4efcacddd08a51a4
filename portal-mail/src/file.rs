//! [`FileMailer`]: a [`Mailer`] for development that writes each mail as an
//! `.eml` file instead of sending it.
//!
//! The file is the complete RFC 5322 message the SMTP mailer would send
//! (headers, text and HTML parts), so any mail client opens it and shows
//! exactly what a customer would see, links included. Files are named
//! `<UTC timestamp>-<recipient>-<kind>.eml`, which sorts them by time and
//! lets a developer find "the last set-password mail for ada@…" with `ls`.
//!
//! File names and the log line carry the recipient's address: fine for a
//! developer's folder, which is what this mailer is for, and one more
//! reason not to use it in production.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use lettre::Address;
use portal_core::outbox::{DeliveryError, Email, Mailer};

use crate::message;
use crate::render::kind_name;

/// Writes mails into a folder as `.eml` files.
///
/// ```no_run
/// use std::sync::Arc;
/// use portal_core::outbox::Mailer;
/// use portal_mail::FileMailer;
///
/// let mailer: Arc<dyn Mailer> = Arc::new(FileMailer::new("demo-data/mail"));
/// ```
#[derive(Clone, Debug)]
pub struct FileMailer {
    dir: PathBuf,
    from: Address,
}

impl FileMailer {
    /// A mailer writing into `dir`, which is created (with its parents) at
    /// the first mail, so building one never fails. Mails come from
    /// `noreply@portal.invalid` (a reserved domain, so nothing can be sent
    /// to it by mistake) unless [`Self::with_from`] says otherwise.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            from: Address::new_dangerous("noreply", "portal.invalid"),
        }
    }

    /// Mails come from `from`, shown with the business's name.
    pub fn with_from(mut self, from: Address) -> Self {
        self.from = from;
        self
    }

    /// The folder mails are written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Renders `mail`, writes it and returns the file's path.
    ///
    /// Never overwrites: two mails for the same recipient and kind in the
    /// same microsecond get `-1`, `-2`, … before `.eml`.
    pub async fn write(&self, mail: &Email) -> Result<PathBuf, DeliveryError> {
        let bytes = message::build(mail, &self.from)?.formatted();
        let io_error = |error: std::io::Error| {
            DeliveryError(format!(
                "could not write to {}: {error}",
                self.dir.display()
            ))
        };
        // At every mail, not once: a developer may delete the folder while
        // the portal runs.
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(io_error)?;
        let stem = format!(
            "{}-{}-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ"),
            file_safe(mail.to.as_str()),
            kind_name(&mail.kind),
        );
        for attempt in 0u32..100 {
            let name = match attempt {
                0 => format!("{stem}.eml"),
                n => format!("{stem}-{n}.eml"),
            };
            let path = self.dir.join(name);
            match write_new(&path, &bytes).await {
                Ok(()) => {
                    tracing::info!(path = %path.display(), "mail written to file");
                    return Ok(path);
                }
                Err(error) if error.kind() == ErrorKind::AlreadyExists => continue,
                Err(error) => return Err(io_error(error)),
            }
        }
        Err(DeliveryError(format!(
            "could not find a free file name for {stem}.eml in {}",
            self.dir.display()
        )))
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, mail: &Email) -> Result<(), DeliveryError> {
        self.write(mail).await.map(|_path| ())
    }
}

/// Creates `path` (failing if it exists) and writes all of `bytes`.
async fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .await?;
    file.write_all(bytes).await?;
    file.flush().await
}

/// Keeps letters, digits and `@._+-`; anything else (a `/` above all)
/// becomes `_`, so an address can never name a path outside the folder.
fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@._+-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::file_safe;

    #[test]
    fn file_names_keep_the_address_and_drop_path_separators() {
        assert_eq!(file_safe("ada+1@example.com"), "ada+1@example.com");
        assert_eq!(file_safe("../x/y@ex\\ample"), ".._x_y@ex_ample");
    }
}
