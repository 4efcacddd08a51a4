//! The communications log: every mail, call, text, letter, visit and note
//! the business recorded for the account, latest first, in pages. Host
//! text is shown escaped.

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use portal_core::communications::LoggedCommunication;
use portal_i18n::Messages;

use super::billing::Visit;
use super::list::{Listing, list_url};
use super::{Layout, PageError, render};
use crate::params::{self, Source};
use crate::route_table::{PageRoutes, get};

/// The log's route, under the portal's prefix.
pub fn routes() -> PageRoutes {
    PageRoutes::new().route("/communications", get(list))
}

/// A channel in the reader's words ("Phone call"); a channel this
/// version does not know is shown as the host wrote it.
pub fn channel_label(t: Messages, channel: &str) -> String {
    if portal_core::communications::CHANNELS.contains(&channel) {
        t.msg(&format!("communication-channel-{channel}"))
    } else {
        channel.to_owned()
    }
}

/// An entry as the page shows it.
pub struct EntryRow {
    subject: String,
    body: String,
    /// Channel, way and who, in words: "Phone call · from you".
    meta: String,
    at: String,
}

/// The log's query string, as typed.
#[derive(Deserialize, Serialize, Default)]
pub struct LogQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "communications/list.html")]
struct ListPage {
    layout: Layout,
    list: Listing<EntryRow>,
}

fn row(t: Messages, entry: &LoggedCommunication, at: String) -> EntryRow {
    let mut meta = vec![channel_label(t, &entry.communication.channel)];
    if let Some(direction) = entry.direction.as_deref() {
        meta.push(t.msg(match direction {
            "inbound" => "communication-inbound",
            _ => "communication-outbound",
        }));
    }
    if let Some(name) = &entry.staff_name {
        meta.push(name.clone());
    }
    EntryRow {
        subject: entry.communication.subject.clone(),
        body: entry.communication.body.clone(),
        meta: meta.join(" · "),
        at,
    }
}

/// `/communications`: the account's log, latest first.
pub async fn list(visit: Visit, Query(query): Query<LogQuery>) -> Result<Response, PageError> {
    let t = visit.t();
    let page = params::page_request(query.page.as_deref(), None, Source::Page)?;
    let log = visit
        .portal()
        .communications()
        .list(visit.actor(), page)
        .await?;
    let formats = visit.formats();
    let base = visit.context().base.clone();
    let page = ListPage {
        layout: visit.layout(&t.msg("communications-title"), "dashboard"),
        list: Listing::of(
            t,
            &log,
            |entry| {
                row(
                    t,
                    entry,
                    formats.dates.moment(entry.communication.occurred_at),
                )
            },
            |n| {
                let query = LogQuery {
                    page: (n > 1).then(|| n.to_string()),
                };
                list_url(&base, "communications", &query)
            },
        ),
    };
    render(StatusCode::OK, &page)
}
