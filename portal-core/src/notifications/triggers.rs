//! Which writes cause which notice, and the key that makes each happen
//! once. Host data arrives in bulk when a host first connects (years of
//! paid invoices, finished visits), so only what is news is told: an
//! unpaid invoice issued lately, a pending quote, a visit still ahead.

use chrono::{DateTime, Duration, Utc};

use crate::billing::{Invoice, InvoiceStatus, PaymentDetail, PaymentStatus};
use crate::jobs::{Job, JobStatus};
use crate::notifications::Notice;
use crate::quotes::{Quote, QuoteState};
use crate::requests::{RequestDetails, RequestStatus, ServiceRequest};
use crate::tickets::{Ticket, TicketStatus};

/// How old an invoice may be and still be told as new.
const FRESH_INVOICE_DAYS: i64 = 30;

/// A notice and the key that names it.
pub(crate) type Keyed = (String, Notice);

/// An unpaid invoice issued in the last 30 days.
pub(crate) fn invoice_issued(invoice: &Invoice, now: DateTime<Utc>) -> Option<Keyed> {
    let unpaid = matches!(
        invoice.status,
        InvoiceStatus::Open | InvoiceStatus::PartiallyPaid
    );
    let fresh = invoice.issued_on >= (now - Duration::days(FRESH_INVOICE_DAYS)).date_naive();
    (unpaid && fresh).then(|| {
        (
            format!("invoice-issued:{}", invoice.id),
            Notice::InvoiceIssued {
                invoice: invoice.id,
                number: invoice.number.clone(),
                total: invoice.total,
                due_on: invoice.due_on,
            },
        )
    })
}

/// A payment that went through or failed.
pub(crate) fn payment_settled(detail: &PaymentDetail) -> Option<Keyed> {
    let payment = &detail.payment;
    match payment.status {
        PaymentStatus::Succeeded => Some((
            format!("payment-received:{}", payment.id),
            Notice::PaymentReceived {
                payment: payment.id,
                amount: payment.amount,
            },
        )),
        PaymentStatus::Failed => Some((
            format!("payment-failed:{}", payment.id),
            Notice::PaymentFailed {
                payment: payment.id,
                amount: payment.amount,
            },
        )),
        PaymentStatus::Pending => None,
    }
}

/// A quote the customer can still approve.
pub(crate) fn quote_issued(quote: &Quote, now: DateTime<Utc>) -> Option<Keyed> {
    (quote.state(now.date_naive()) == QuoteState::Pending).then(|| {
        (
            format!("quote-issued:{}", quote.id),
            Notice::QuoteIssued {
                quote: quote.id,
                number: quote.number.clone(),
                title: quote.title.clone(),
                total: quote.total,
                valid_until: quote.valid_until,
            },
        )
    })
}

/// A visit scheduled (or moved) to a window still ahead, or cancelled
/// before its window ended. The key holds the window, so each new window
/// is told once.
pub(crate) fn job_scheduled(job: &Job, now: DateTime<Utc>) -> Option<Keyed> {
    let window = job.window.as_ref().filter(|window| window.end() > now)?;
    let key = match job.status {
        JobStatus::Scheduled => format!(
            "job-scheduled:{}:{}:{}",
            job.id,
            window.start().timestamp(),
            window.end().timestamp()
        ),
        JobStatus::Cancelled => format!("job-cancelled:{}", job.id),
        _ => return None,
    };
    Some((
        key,
        Notice::JobScheduled {
            job: job.id,
            number: job.number.clone(),
            title: job.title.clone(),
            status: job.status,
            start: Some(window.start()),
            end: Some(window.end()),
        },
    ))
}

/// Staff answered: one notice per reply, named by the host's id for it.
pub(crate) fn ticket_replied(ticket: &Ticket, reply: &crate::shared::ExternalId) -> Keyed {
    (
        format!("ticket-replied:{}:{}", ticket.id, reply.as_str()),
        Notice::TicketReplied {
            ticket: ticket.id,
            number: ticket.number,
            subject: ticket.subject.clone(),
        },
    )
}

/// A ticket closed; each closing (after a reopening) is its own.
pub(crate) fn ticket_closed(ticket: &Ticket) -> Option<Keyed> {
    (ticket.status == TicketStatus::Closed).then(|| {
        (
            format!(
                "ticket-closed:{}:{}",
                ticket.id,
                ticket.updated_at.timestamp_micros()
            ),
            Notice::TicketClosed {
                ticket: ticket.id,
                number: ticket.number,
                subject: ticket.subject.clone(),
            },
        )
    })
}

/// A status the host set on a request (any but pending), or a new note
/// on it. The key holds the time of the change: the store keeps that time
/// when the host sets the same status and note again, so a retry tells
/// nothing new, while each real change is told once.
pub(crate) fn request_updated(request: &ServiceRequest) -> Option<Keyed> {
    (request.status != RequestStatus::Pending).then(|| {
        let kind_name = match &request.details {
            RequestDetails::Custom { name, .. } => Some(name.clone()),
            RequestDetails::Service { .. } | RequestDetails::CallOff { .. } => None,
        };
        (
            format!(
                "request-status:{}:{}:{}",
                request.id,
                request.status.as_str(),
                request.updated_at.timestamp_micros()
            ),
            Notice::RequestUpdated {
                request: request.id,
                request_kind: request.details.kind().to_owned(),
                kind_name,
                status: request.status,
                note: request.host_note.clone(),
            },
        )
    })
}
