//! Messages that carry files (a ticket's message, a service request), as
//! both front ends receive them: a `multipart/form-data` body of text
//! parts and `file` parts. Text parts are read into memory up to a small
//! cap; each file part is streamed straight into the blob store through
//! the core (`attach` of the context the message is for, which checks its
//! kind and size as it goes), never held whole. When anything fails half-way, the files
//! already stored are removed before the error is answered, so a refused
//! message leaves no stray blob.

use std::collections::BTreeMap;
use std::io;

use axum::extract::Multipart;
use axum::extract::multipart::Field;
use axum::http::StatusCode;
use futures::StreamExt;
use portal_core::PortalError;
use portal_core::access::Actor;
use portal_core::blobs::StagedFile;
use portal_core::blobs::{FileName, Upload};
use portal_core::requests::RequestsService;
use portal_core::shared::Reason;
use portal_core::tickets::{MAX_ATTACHMENTS_LIMIT, TicketThread, TicketsService};

use crate::params::{self, Source};

/// The name of the parts that carry files.
pub const FILE_PART: &str = "file";

/// The most bytes a text part may have (a message is at most 10,000
/// characters, 40 KB in UTF-8).
const MAX_TEXT_BYTES: usize = 64 * 1024;

/// The most parts of any kind a body may have.
const MAX_PARTS: usize = 32;

/// The largest body an upload route accepts: the most files a tenant may
/// allow, each as large as it may allow, and the text around them. Each
/// file is held to the tenant's own (smaller) limits while it streams.
pub const MAX_UPLOAD_BODY: usize = MAX_ATTACHMENTS_LIMIT as usize
    * portal_core::tickets::MAX_ATTACHMENT_BYTES_LIMIT as usize
    + 1024 * 1024;

/// The context a message's files are stored for: its `attach` checks
/// them, its `discard` removes them when the message is refused.
#[derive(Clone, Copy)]
pub enum FilesFor<'a> {
    /// A ticket's opening message or a reply.
    Ticket(TicketsService<'a>),
    /// A service request.
    Request(RequestsService<'a>),
}

impl FilesFor<'_> {
    async fn attach(self, actor: &Actor, upload: Upload<'_>) -> Result<StagedFile, PortalError> {
        match self {
            Self::Ticket(tickets) => tickets.attach(actor, upload).await,
            Self::Request(requests) => requests.attach(actor, upload).await,
        }
    }

    /// Removes files stored for a message that will not be written.
    pub async fn discard(self, actor: &Actor, files: Vec<StagedFile>) {
        match self {
            Self::Ticket(tickets) => tickets.discard(actor, files).await,
            Self::Request(requests) => requests.discard(actor, files).await,
        }
    }
}

/// A message's text parts by name (the last of a repeated name wins) and
/// its files, stored and waiting for the message.
#[derive(Debug, Default)]
pub struct MessageParts {
    /// Text parts.
    pub fields: BTreeMap<String, String>,
    /// Files stored for the message.
    pub files: Vec<StagedFile>,
}

impl MessageParts {
    /// A text part, or `""`.
    pub fn text(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    /// A text part, or `None` when the body has none of that name.
    pub fn given(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// Why a multipart body could not be read.
#[derive(Debug)]
pub enum PartsError {
    /// Not a multipart body the portal reads (cut short, too many parts, a
    /// text part too long or not UTF-8, a file under another name).
    Malformed(&'static str),
    /// The body is larger than the route's limit
    /// ([`MAX_UPLOAD_BODY`]).
    TooLarge,
    /// A file the core refused (too large, of a kind not allowed, a bad
    /// name), or the actor may not attach files.
    Refused(PortalError),
}

/// A text part's content, up to `max` bytes; `None` when longer, cut
/// short or not UTF-8.
pub async fn text_of(mut field: Field<'_>, max: usize) -> Option<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.ok()? {
        if bytes.len() + chunk.len() > max {
            return None;
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).ok()
}

/// Reads the rest of `multipart`: text parts into memory, `file` parts
/// into the blob store for `actor`'s message, through `context`. On any
/// error the files stored so far are removed.
pub async fn read_message(
    mut multipart: Multipart,
    context: FilesFor<'_>,
    actor: &Actor,
) -> Result<MessageParts, PartsError> {
    let mut parts = MessageParts::default();
    let read = read_into(&mut multipart, context, actor, &mut parts).await;
    match read {
        Ok(()) => Ok(parts),
        Err(error) => {
            context.discard(actor, parts.files).await;
            Err(error)
        }
    }
}

async fn read_into(
    multipart: &mut Multipart,
    context: FilesFor<'_>,
    actor: &Actor,
    parts: &mut MessageParts,
) -> Result<(), PartsError> {
    let mut count = 0;
    loop {
        let field = multipart.next_field().await.map_err(|error| {
            if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
                PartsError::TooLarge
            } else {
                PartsError::Malformed("the form did not arrive whole")
            }
        })?;
        let Some(field) = field else {
            return Ok(());
        };
        count += 1;
        if count > MAX_PARTS {
            return Err(PartsError::Malformed("the form has too many parts"));
        }
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            None => {
                let text = text_of(field, MAX_TEXT_BYTES)
                    .await
                    .ok_or(PartsError::Malformed("a field is too long or not text"))?;
                parts.fields.insert(name, text);
            }
            Some(_) if name != FILE_PART => {
                return Err(PartsError::Malformed("files go in parts named `file`"));
            }
            // A file input left empty: browsers send a part with no name
            // and no content.
            Some(file_name) if file_name.is_empty() => {
                if text_of(field, 0).await.is_none() {
                    return Err(PartsError::Malformed("a file was sent without a name"));
                }
            }
            Some(file_name) => {
                if parts.files.len() >= usize::from(MAX_ATTACHMENTS_LIMIT) {
                    let max = usize::from(MAX_ATTACHMENTS_LIMIT);
                    return Err(PartsError::Refused(PortalError::invalid(
                        FILE_PART,
                        Reason::Count { min: 0, max },
                    )));
                }
                let name = FileName::parse(&file_name)
                    .map_err(|error| PartsError::Refused(error.into()))?;
                let content = field.map(|chunk| chunk.map_err(io::Error::other));
                let upload = Upload {
                    name,
                    content: Box::pin(content),
                };
                let staged = context
                    .attach(actor, upload)
                    .await
                    .map_err(PartsError::Refused)?;
                parts.files.push(staged);
            }
        }
    }
}

/// Opens a ticket from a message's parts, for both front ends: the text
/// parts `category`, `body` and `job` (absent or blank for none) and the
/// files stored for it, which go with the ticket or, when anything is
/// refused, are removed (by the core, or here when the text does not even
/// parse), so a refused ticket leaves no stray blob.
pub async fn open_ticket(
    tickets: TicketsService<'_>,
    actor: &Actor,
    parts: &mut MessageParts,
    source: Source,
) -> Result<TicketThread, PortalError> {
    let files = std::mem::take(&mut parts.files);
    let draft = params::ticket_draft(
        parts.text("category"),
        parts.text("body"),
        parts.given("job"),
        source,
    );
    match draft {
        Ok(draft) => tickets.open(actor, &draft, files).await,
        Err(error) => {
            tickets.discard(actor, files).await;
            Err(error.into())
        }
    }
}
