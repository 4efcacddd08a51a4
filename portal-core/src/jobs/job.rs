//! Jobs (work orders, visits): the statuses and the timeline rule, what
//! the host sends (checked before anything is stored), and what customers
//! read: the job, its status timeline, the notes the host shares, the
//! invoices it was billed on, the equipment it touched and its property.

use std::collections::HashSet;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::PortalError;
use crate::shared::{
    AccountId, AssetId, ExternalId, InvoiceId, JobId, PageRequest, PropertyId, Reason,
    check_one_line, check_text,
};

/// The longest job number (characters).
pub const MAX_JOB_NUMBER: usize = 64;

/// The longest job title (characters).
pub const MAX_JOB_TITLE: usize = 200;

/// The longest job description (characters).
pub const MAX_JOB_DESCRIPTION: usize = 20_000;

/// The most technicians one job names: a crew, not a roster.
pub const MAX_TECHNICIANS: usize = 20;

/// The longest technician name (characters).
pub const MAX_TECHNICIAN_NAME: usize = 100;

/// The most invoices, and separately the most assets, one job links to.
pub const MAX_JOB_LINKS: usize = 50;

/// The longest note author name (characters).
pub const MAX_NOTE_AUTHOR: usize = 200;

/// The longest note (characters).
pub const MAX_NOTE_BODY: usize = 10_000;

/// Where a job stands. The host moves it; the portal only records each
/// change in the job's timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting to be scheduled.
    Unscheduled,
    /// Scheduled for a window (a scheduled job always has one).
    Scheduled,
    /// Being done.
    InProgress,
    /// Done.
    Completed,
    /// Called off.
    Cancelled,
}

impl JobStatus {
    /// Every status, in the order a job usually moves through them.
    pub const ALL: [Self; 5] = [
        Self::Unscheduled,
        Self::Scheduled,
        Self::InProgress,
        Self::Completed,
        Self::Cancelled,
    ];

    /// How stores spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unscheduled => "unscheduled",
            Self::Scheduled => "scheduled",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }

    /// The status spelled by [`JobStatus::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// Whether the job is still to be done (the dashboard's open jobs).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Unscheduled | Self::Scheduled | Self::InProgress)
    }

    /// Whether the account's autopay will pay for a job in this status:
    /// autopay is active ([`autopay_is_active`](crate::jobs::autopay_is_active))
    /// and the job is not called off. The one rule behind every "Paid by
    /// autopay" (the jobs' list and page, the dashboard's open jobs).
    pub fn paid_by_autopay(self, autopay_active: bool) -> bool {
        autopay_active && self != Self::Cancelled
    }
}

/// The timeline rule stores apply on an upsert: a job whose status is
/// `current` (none for a new job) sent with `next` gets a timeline entry
/// only when the status changes, so the same upsert twice appends nothing
/// and the timeline is exactly the job's status changes.
pub fn status_change(current: Option<JobStatus>, next: JobStatus) -> Option<JobStatus> {
    (current != Some(next)).then_some(next)
}

/// When a job is to be done: a start strictly before an end. Made only
/// by [`JobWindow::new`], so every window anywhere is in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct JobWindow {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl JobWindow {
    /// The window from `start` to `end`; `InvalidInput` on `window`
    /// (`AfterEnd`) unless the start is before the end.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, PortalError> {
        if start >= end {
            return Err(PortalError::invalid("window", Reason::AfterEnd));
        }
        Ok(Self { start, end })
    }

    /// When the visit may begin.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// When the visit will be over.
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }
}

/// The property a job is at, named for lists and pages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobProperty {
    /// The property (its page is the customer's property page).
    pub id: PropertyId,
    /// Its name.
    pub name: String,
}

/// A job as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Job {
    /// Our id.
    pub id: JobId,
    /// The account it is for.
    pub account: AccountId,
    /// The host's id.
    pub external_id: ExternalId,
    /// Its number (`J-1042`).
    pub number: String,
    /// What is to be done, in one line.
    pub title: String,
    /// Where it stands.
    pub status: JobStatus,
    /// Where it is done, when the host said.
    pub property: Option<JobProperty>,
    /// When it is to be done, once scheduled.
    pub window: Option<JobWindow>,
    /// Who is coming, by name, in the host's order.
    pub technicians: Vec<String>,
    /// When the portal first heard of it.
    pub created_at: DateTime<Utc>,
    /// When the host last changed it.
    pub updated_at: DateTime<Utc>,
    /// When it was completed (only while it is completed).
    pub completed_at: Option<DateTime<Utc>>,
}

impl Job {
    /// Whether the account's autopay will pay for this job: an active
    /// consent (`autopay_active`, read once per request) and the job not
    /// called off. A front end shows it so nobody pays twice.
    pub fn paid_by_autopay(&self, autopay_active: bool) -> bool {
        self.status.paid_by_autopay(autopay_active)
    }
}

/// One entry of a job's timeline: the status it moved to, and when the
/// portal recorded the change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct JobEvent {
    /// The status the job moved to.
    pub status: JobStatus,
    /// When.
    pub at: DateTime<Utc>,
}

/// A note the host shares with the customer about a job ("Gate code
/// used", "Part on order").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobNote {
    /// The host's id of the note; its upserts are keyed by it.
    pub external_id: ExternalId,
    /// Who wrote it, as the host names them.
    pub author_name: String,
    /// The note, as plain text (paragraphs kept).
    pub body: String,
    /// When the portal first received it.
    pub created_at: DateTime<Utc>,
}

/// An invoice a job was billed on, for the link to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobInvoice {
    /// The invoice.
    pub id: InvoiceId,
    /// Its number.
    pub number: String,
}

/// A piece of equipment a job touched, for the link to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobAsset {
    /// The asset.
    pub id: AssetId,
    /// Its name.
    pub name: String,
}

/// A job with everything its page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobDetail {
    /// The job (its property included).
    pub job: Job,
    /// What is to be done, as plain text.
    pub description: String,
    /// Every status change, oldest first; the last is the job's status.
    pub timeline: Vec<JobEvent>,
    /// The notes the host shared, oldest first.
    pub notes: Vec<JobNote>,
    /// The account's invoices the host linked, by number. An invoice the
    /// host named but has not sent yet shows once it arrives.
    pub invoices: Vec<JobInvoice>,
    /// The account's equipment the job touched, by name. An asset the
    /// host named but has not sent yet shows once it arrives.
    pub assets: Vec<JobAsset>,
}

/// Which jobs a customer's list shows. Each is one status (so one range
/// of the list's index); the order is the one that list reads best in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum JobFilter {
    /// Scheduled jobs whose window has not ended by now: a visit that
    /// started an hour ago and runs till noon is still upcoming.
    /// Soonest window first. A scheduled job whose window is over but
    /// that the host has not moved on shows only under `All`.
    #[default]
    Upcoming,
    /// Unscheduled jobs, oldest first (the longest waiting on top).
    Waiting,
    /// Jobs in progress, soonest window first (no window last).
    InProgress,
    /// Completed jobs, latest completed first.
    Completed,
    /// Cancelled jobs, latest change first.
    Cancelled,
    /// Every job of the account, newest first (by when the portal first
    /// heard of it).
    All,
}

impl JobFilter {
    /// Every filter, in the order lists offer them.
    pub const ALL: [Self; 6] = [
        Self::Upcoming,
        Self::Waiting,
        Self::InProgress,
        Self::Completed,
        Self::Cancelled,
        Self::All,
    ];

    /// How URLs and stores spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upcoming => "upcoming",
            Self::Waiting => "waiting",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::All => "all",
        }
    }

    /// The filter spelled `text`.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|filter| filter.as_str() == text)
    }

    /// Whether a job is on this list at `now`, the same rule stores apply
    /// in SQL (for tests and for front ends that check one job).
    pub fn holds(self, job: &Job, now: DateTime<Utc>) -> bool {
        match self {
            Self::Upcoming => {
                job.status == JobStatus::Scheduled && job.window.is_some_and(|w| w.end() > now)
            }
            Self::Waiting => job.status == JobStatus::Unscheduled,
            Self::InProgress => job.status == JobStatus::InProgress,
            Self::Completed => job.status == JobStatus::Completed,
            Self::Cancelled => job.status == JobStatus::Cancelled,
            Self::All => true,
        }
    }
}

/// A customer's job list query: the filter and the page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JobQuery {
    /// Which jobs.
    pub filter: JobFilter,
    /// Which page.
    pub page: PageRequest,
}

/// What the host sends to create or update a job, keyed by its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobUpsert {
    /// The host's id of the job; upserts are keyed by it.
    pub external_id: ExternalId,
    /// The account it is for (for good: a job never moves account).
    pub account: AccountId,
    /// Its number: one line, 1 to [`MAX_JOB_NUMBER`] characters.
    pub number: String,
    /// Its title: one line, 1 to [`MAX_JOB_TITLE`] characters.
    pub title: String,
    /// What is to be done: plain text, up to [`MAX_JOB_DESCRIPTION`]
    /// characters (may be empty).
    pub description: String,
    /// Where it stands; a change is recorded in the timeline.
    pub status: JobStatus,
    /// The host's id of the property it is at (one of the account's).
    pub property: Option<ExternalId>,
    /// When it is to be done; required while scheduled.
    pub window: Option<JobWindow>,
    /// Who is coming: up to [`MAX_TECHNICIANS`] names, each one line of
    /// 1 to [`MAX_TECHNICIAN_NAME`] characters, none twice.
    pub technicians: Vec<String>,
    /// The host's ids of the invoices the job was billed on (up to
    /// [`MAX_JOB_LINKS`], none twice). Each must be the account's, or not
    /// sent yet.
    pub invoices: Vec<ExternalId>,
    /// The host's ids of the assets the job touched (up to
    /// [`MAX_JOB_LINKS`], none twice). Each must be the account's, or not
    /// sent yet.
    pub assets: Vec<ExternalId>,
}

impl JobUpsert {
    /// Checks the upsert's texts, lists and window; every refusal names
    /// its field, so the host can tell which value to fix.
    pub fn validate(&self) -> Result<(), PortalError> {
        check_one_line("number", &self.number, 1, MAX_JOB_NUMBER)?;
        check_one_line("title", &self.title, 1, MAX_JOB_TITLE)?;
        check_text("description", &self.description, 0, MAX_JOB_DESCRIPTION)?;
        if self.status == JobStatus::Scheduled && self.window.is_none() {
            return Err(PortalError::invalid("window", Reason::Required));
        }
        check_list("technicians", &self.technicians, MAX_TECHNICIANS)?;
        for name in &self.technicians {
            check_one_line("technicians", name, 1, MAX_TECHNICIAN_NAME)?;
        }
        check_list("invoices", &self.invoices, MAX_JOB_LINKS)?;
        check_list("assets", &self.assets, MAX_JOB_LINKS)?;
        Ok(())
    }

    /// The SHA-256 (hex) of everything the upsert sets: stores compare it
    /// with the stored job's, so the same upsert again writes nothing
    /// (not even `updated_at`).
    pub fn digest(&self) -> String {
        let mut text = String::from("portal-job-v1\n");
        let mut field = |name: &str, value: &str| {
            // The length first, so no value can pass for two.
            let _ = writeln!(text, "{name}={}:{value}", value.chars().count());
        };
        field("account", &self.account.to_string());
        field("number", &self.number);
        field("title", &self.title);
        field("description", &self.description);
        field("status", self.status.as_str());
        field(
            "property",
            self.property.as_ref().map_or("", ExternalId::as_str),
        );
        let window = self.window.map_or_else(String::new, |window| {
            format!(
                "{}/{}",
                window.start().timestamp_micros(),
                window.end().timestamp_micros()
            )
        });
        field("window", &window);
        for name in &self.technicians {
            field("technician", name);
        }
        for invoice in &self.invoices {
            field("invoice", invoice.as_str());
        }
        for asset in &self.assets {
            field("asset", asset.as_str());
        }
        hex::encode(Sha256::digest(text.as_bytes()))
    }
}

/// `items` within `max` and none twice.
fn check_list<T: std::hash::Hash + Eq>(
    field: &'static str,
    items: &[T],
    max: usize,
) -> Result<(), PortalError> {
    if items.len() > max {
        return Err(PortalError::invalid(field, Reason::Count { min: 0, max }));
    }
    let mut seen = HashSet::with_capacity(items.len());
    if !items.iter().all(|item| seen.insert(item)) {
        return Err(PortalError::invalid(field, Reason::ListedTwice));
    }
    Ok(())
}

/// A note the host shares about a job, keyed by the host's id of the note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobNoteUpsert {
    /// The host's id of the note: the same id again is the same note
    /// (its author and text updated, its time kept).
    pub external_id: ExternalId,
    /// Who wrote it: one line, 1 to [`MAX_NOTE_AUTHOR`] characters.
    pub author_name: String,
    /// The note: plain text, 1 to [`MAX_NOTE_BODY`] characters.
    pub body: String,
}

impl JobNoteUpsert {
    /// Checks the note's texts (both reach the customer's page).
    pub fn validate(&self) -> Result<(), PortalError> {
        check_one_line("author_name", &self.author_name, 1, MAX_NOTE_AUTHOR)?;
        check_text("body", &self.body, 1, MAX_NOTE_BODY)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;

    pub(crate) fn at(hour: u32) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 20)
            .and_then(|day| day.and_hms_opt(hour, 0, 0))
            .map(|time| time.and_utc())
            .unwrap()
    }

    pub(crate) fn upsert() -> JobUpsert {
        JobUpsert {
            external_id: ExternalId::parse("job-1").unwrap(),
            account: AccountId::new(),
            number: "J-1".into(),
            title: "Boiler service".into(),
            description: "Annual service.\nBring the flue analyser.".into(),
            status: JobStatus::Scheduled,
            property: Some(ExternalId::parse("site-1").unwrap()),
            window: Some(JobWindow::new(at(8), at(12)).unwrap()),
            technicians: vec!["Ana Ruiz".into(), "Sam Lee".into()],
            invoices: vec![ExternalId::parse("inv-1").unwrap()],
            assets: vec![ExternalId::parse("boiler-1").unwrap()],
        }
    }

    fn refused_on(upsert: &JobUpsert) -> Option<(&'static str, Reason)> {
        match upsert.validate() {
            Err(PortalError::InvalidInput { field, reason, .. }) => Some((field, reason)),
            _ => None,
        }
    }

    #[test]
    fn a_window_must_start_before_it_ends() {
        assert!(JobWindow::new(at(8), at(9)).is_ok());
        for (start, end) in [(at(9), at(8)), (at(9), at(9))] {
            assert!(matches!(
                JobWindow::new(start, end),
                Err(PortalError::InvalidInput {
                    field: "window",
                    reason: Reason::AfterEnd,
                    ..
                })
            ));
        }
    }

    #[test]
    fn a_scheduled_job_needs_a_window_and_others_may_have_none() {
        assert_eq!(refused_on(&upsert()), None);
        let mut unwindowed = upsert();
        unwindowed.window = None;
        assert_eq!(refused_on(&unwindowed), Some(("window", Reason::Required)));
        unwindowed.status = JobStatus::Unscheduled;
        assert_eq!(refused_on(&unwindowed), None);
    }

    #[test]
    fn blank_or_multi_line_texts_are_refused_naming_their_field() {
        let mut blank_number = upsert();
        blank_number.number = "  ".into();
        assert_eq!(
            refused_on(&blank_number),
            Some((
                "number",
                Reason::Length {
                    min: 1,
                    max: MAX_JOB_NUMBER
                }
            ))
        );
        let mut blank_title = upsert();
        blank_title.title = String::new();
        assert!(matches!(refused_on(&blank_title), Some(("title", _))));
        let mut two_lines = upsert();
        two_lines.title = "Boiler\nservice".into();
        assert!(matches!(
            refused_on(&two_lines),
            Some(("title", Reason::OneLine { .. }))
        ));
        let mut long = upsert();
        long.description = "x".repeat(MAX_JOB_DESCRIPTION + 1);
        assert!(matches!(refused_on(&long), Some(("description", _))));
        let mut empty = upsert();
        empty.description = String::new();
        assert_eq!(refused_on(&empty), None);
    }

    #[test]
    fn technicians_are_bounded_one_line_names_listed_once() {
        let mut crowd = upsert();
        crowd.technicians = (0..=MAX_TECHNICIANS).map(|n| format!("Tech {n}")).collect();
        assert_eq!(
            refused_on(&crowd),
            Some((
                "technicians",
                Reason::Count {
                    min: 0,
                    max: MAX_TECHNICIANS
                }
            ))
        );
        let mut blank = upsert();
        blank.technicians = vec![" ".into()];
        assert!(matches!(refused_on(&blank), Some(("technicians", _))));
        let mut long = upsert();
        long.technicians = vec!["x".repeat(MAX_TECHNICIAN_NAME + 1)];
        assert!(matches!(refused_on(&long), Some(("technicians", _))));
        let mut twice = upsert();
        twice.technicians = vec!["Ana".into(), "Ana".into()];
        assert_eq!(
            refused_on(&twice),
            Some(("technicians", Reason::ListedTwice))
        );
        let mut none = upsert();
        none.technicians.clear();
        assert_eq!(refused_on(&none), None);
    }

    #[test]
    fn linked_invoices_and_assets_are_bounded_and_listed_once() {
        let id = |n: usize| ExternalId::parse(&format!("x-{n}")).unwrap();
        let mut many = upsert();
        many.invoices = (0..=MAX_JOB_LINKS).map(id).collect();
        assert!(matches!(
            refused_on(&many),
            Some(("invoices", Reason::Count { .. }))
        ));
        let mut twice = upsert();
        twice.assets = vec![id(1), id(1)];
        assert_eq!(refused_on(&twice), Some(("assets", Reason::ListedTwice)));
    }

    #[test]
    fn a_note_needs_an_author_and_a_body() {
        let note = JobNoteUpsert {
            external_id: ExternalId::parse("n-1").unwrap(),
            author_name: "Ana Ruiz".into(),
            body: "Gate code used.\nPart on order.".into(),
        };
        assert!(note.validate().is_ok());
        let mut anonymous = note.clone();
        anonymous.author_name = " ".into();
        assert!(matches!(
            anonymous.validate(),
            Err(PortalError::InvalidInput {
                field: "author_name",
                ..
            })
        ));
        let mut empty = note;
        empty.body = "\n".into();
        assert!(matches!(
            empty.validate(),
            Err(PortalError::InvalidInput { field: "body", .. })
        ));
    }

    #[test]
    fn the_digest_changes_with_any_field_and_only_then() {
        let base = upsert();
        assert_eq!(base.digest(), base.clone().digest());
        let mut changes: Vec<JobUpsert> = Vec::new();
        let mut status = base.clone();
        status.status = JobStatus::InProgress;
        changes.push(status);
        let mut window = base.clone();
        window.window = Some(JobWindow::new(at(9), at(12)).unwrap());
        changes.push(window);
        let mut techs = base.clone();
        techs.technicians.pop();
        changes.push(techs);
        let mut moved = base.clone();
        moved.property = None;
        changes.push(moved);
        // A value cannot pass for two: "a" + "b,c" is not "a,b" + "c".
        let mut split = base.clone();
        split.technicians = vec!["Ana Ruiz".into(), "Sam".into(), "Lee".into()];
        changes.push(split);
        for changed in changes {
            assert_ne!(changed.digest(), base.digest());
        }
    }

    #[test]
    fn autopay_pays_every_job_but_a_cancelled_one() {
        let job = |status| Job {
            id: JobId::new(),
            account: AccountId::new(),
            external_id: ExternalId::parse("j").unwrap(),
            number: "J".into(),
            title: "T".into(),
            status,
            property: None,
            window: None,
            technicians: Vec::new(),
            created_at: at(1),
            updated_at: at(1),
            completed_at: None,
        };
        for status in JobStatus::ALL {
            assert_eq!(
                job(status).paid_by_autopay(true),
                status != JobStatus::Cancelled
            );
            assert!(!job(status).paid_by_autopay(false));
        }
    }

    #[test]
    fn statuses_and_filters_spell_back() {
        for status in JobStatus::ALL {
            assert_eq!(JobStatus::parse(status.as_str()), Some(status));
        }
        for filter in JobFilter::ALL {
            assert_eq!(JobFilter::parse(filter.as_str()), Some(filter));
        }
        assert_eq!(JobFilter::parse("soon"), None);
    }

    fn statuses() -> impl Strategy<Value = Vec<JobStatus>> {
        prop::collection::vec(prop::sample::select(JobStatus::ALL.to_vec()), 0..40)
    }

    proptest! {
        /// Whatever the host sends, in whatever order and with whatever
        /// repeats, the timeline holds exactly the status changes: no two
        /// neighbours alike, the sent statuses with their repeats removed,
        /// and the last entry the job's status.
        #[test]
        fn the_timeline_is_exactly_the_status_changes(sent in statuses()) {
            let mut current = None;
            let mut timeline = Vec::new();
            for status in &sent {
                if let Some(next) = status_change(current, *status) {
                    timeline.push(next);
                }
                current = Some(*status);
            }
            let mut expected = sent.clone();
            expected.dedup();
            prop_assert_eq!(&timeline, &expected);
            prop_assert!(timeline.windows(2).all(|pair| pair[0] != pair[1]));
            prop_assert_eq!(timeline.last().copied(), current);
        }
    }
}
