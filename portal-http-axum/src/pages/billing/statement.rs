//! Statements for a date range, as a page and a PDF.

use axum::extract::Query;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;

use askama::Template;
use portal_core::billing::{EntryKind, Statement};
use portal_core::shared::{Formats, Money};

use crate::pages::form::{Form, Input, Refusal};
use crate::pages::{Layout, PageError, render};
use crate::params::{self, MissingDates};
use crate::pdf::{self};
use portal_i18n::Messages;

use super::*;

/// The statement's range as typed.
#[derive(Deserialize, Default)]
pub struct RangeQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

impl RangeQuery {
    /// The range asked for; without dates, the start of last month to
    /// today (a full month plus this month so far).
    fn range(&self, today: NaiveDate) -> Result<portal_core::billing::StatementRange, PageError> {
        let missing = MissingDates::LastMonthTo(today);
        Ok(params::statement_range(
            self.from.as_deref(),
            self.to.as_deref(),
            missing,
        )?)
    }
}

/// A statement line as text, with the page it links to.
pub struct EntryRow {
    date: String,
    kind: String,
    reference: String,
    link: Option<String>,
    amount: String,
    balance: String,
}

#[derive(Template)]
#[template(path = "billing/statement.html")]
pub(super) struct StatementPage {
    layout: Layout,
    section: &'static str,
    form: Form,
    from: String,
    to: String,
    pdf_link: Option<String>,
    statement: Option<StatementView>,
}

/// A statement as text.
pub struct StatementView {
    period: String,
    opening: String,
    charges: String,
    payments: String,
    credits: String,
    closing: String,
    unapplied: Option<String>,
    entries: Vec<EntryRow>,
    aging: Vec<(String, String)>,
}

impl StatementView {
    fn of(t: Messages, statement: &Statement, base: &str, formats: &Formats) -> Self {
        let money = |amount: Money| formats.money.format(amount);
        Self {
            period: t.msg_with(
                "statement-period",
                t.arg("from", formats.dates.day(statement.range.from))
                    .arg("to", formats.dates.day(statement.range.to)),
            ),
            opening: money(statement.opening_balance),
            charges: money(statement.charges),
            payments: money(statement.payments.negated()),
            credits: money(statement.credits.negated()),
            closing: money(statement.closing_balance),
            unapplied: statement
                .unapplied_credit
                .is_positive()
                .then(|| money(statement.unapplied_credit)),
            entries: statement
                .lines
                .iter()
                .map(|line| {
                    let entry = &line.entry;
                    let link = match entry.kind {
                        EntryKind::Charge => entry
                            .invoice
                            .map(|id| format!("{base}/billing/invoices/{id}")),
                        EntryKind::Payment | EntryKind::Credit => entry
                            .payment
                            .map(|id| format!("{base}/billing/payments/{id}")),
                    };
                    EntryRow {
                        date: formats.dates.day(entry.date),
                        kind: pdf::entry_label(t, entry.kind),
                        reference: crate::messages::entry_reference(t, entry),
                        link,
                        amount: money(entry.signed()),
                        balance: money(line.balance),
                    }
                })
                .collect(),
            aging: pdf::aging_buckets(t, statement)
                .into_iter()
                .map(|(label, amount)| (label, money(amount)))
                .collect(),
        }
    }
}

/// `/billing/statement?from=&to=`.
pub async fn statement(
    visit: Visit,
    Query(query): Query<RangeQuery>,
) -> Result<Response, PageError> {
    let built: Result<_, PageError> = async {
        let range = query.range(visit.today())?;
        Ok((
            range,
            visit
                .portal()
                .billing()
                .statement(visit.actor(), range)
                .await?,
        ))
    }
    .await;
    let t = visit.t();
    let inputs = || {
        vec![
            Input::new("from", t.msg("statement-from")),
            Input::new("to", t.msg("statement-to")),
        ]
    };
    let mut page = StatementPage {
        layout: visit.layout(&t.msg("statement-title"), "billing/statement"),
        section: "statement",
        form: Form::new(visit.t(), inputs()),
        from: InvoiceFilters::value(&query.from),
        to: InvoiceFilters::value(&query.to),
        pdf_link: None,
        statement: None,
    };
    match built {
        Ok((range, statement)) => {
            page.from = range.from.to_string();
            page.to = range.to.to_string();
            page.pdf_link = Some(format!(
                "{}/billing/statement.pdf?from={}&to={}",
                visit.context.base, range.from, range.to
            ));
            page.statement = Some(StatementView::of(
                visit.t(),
                &statement,
                &visit.context.base,
                &visit.formats(),
            ));
        }
        Err(error) => page.form = Form::new(visit.t(), inputs()).showing(Some(Refusal::of(error)?)),
    }
    render(page.form.status(), &page)
}

/// `/billing/statement.pdf?from=&to=`.
pub async fn statement_pdf(
    visit: Visit,
    Query(query): Query<RangeQuery>,
) -> Result<Response, PageError> {
    let range = query.range(visit.today())?;
    let statement = visit
        .portal()
        .billing()
        .statement(visit.actor(), range)
        .await?;
    let name = format!("statement-{}-{}", range.from, range.to);
    Ok(visit.document(&name, |heading, paper| {
        pdf::statement(heading, &statement, paper)
    }))
}
