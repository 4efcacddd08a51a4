//! Printable invoices and statements, rendered as PDF when the host gave
//! no document of its own.
//!
//! The files use the built-in Helvetica Type1 fonts (every PDF reader has
//! them, so nothing is embedded and the files stay a few kilobytes) with
//! `WinAnsiEncoding`; characters outside it print as `?`. Content streams
//! are left uncompressed: they are small, and tests (and curious
//! customers) can find the text in the bytes. Rows that do not fit flow
//! onto further pages, each numbered "Page n of m". Every word comes from
//! the message catalog (`pdf-*` keys) in the [`Heading`]'s language;
//! WinAnsiEncoding covers Spanish's letters.

use chrono::NaiveDate;
use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str};
use rust_decimal::Decimal;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use portal_core::billing::{EntryKind, InvoiceDetail, InvoiceStatus, Statement};
use portal_core::shared::Money;
use portal_i18n::Messages;

/// The paper a document is laid out on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paper {
    /// 210 x 297 mm.
    A4,
    /// 8.5 x 11 in.
    Letter,
}

impl Paper {
    /// Letter where it is the custom (the US, Canada, Mexico and a few
    /// more), A4 everywhere else.
    pub fn for_locale(locale: &str) -> Self {
        let region = locale
            .rsplit(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        if matches!(
            region.as_str(),
            "US" | "CA" | "MX" | "PH" | "CL" | "CO" | "VE"
        ) {
            Paper::Letter
        } else {
            Paper::A4
        }
    }

    fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.0, 842.0),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

/// Who the document is from and for, printed at the top of every page.
pub struct Heading<'a> {
    /// The business (the tenant's display name).
    pub business: &'a str,
    /// The account, as "Name (number)".
    pub account: &'a str,
    /// The catalog in the reader's language.
    pub t: Messages,
}

const MARGIN: f32 = 50.0;
const BODY: f32 = 9.5;
const LEADING: f32 = 13.0;
/// Room kept free at the bottom of each page for its footer.
const FOOTER_ROOM: f32 = 40.0;

const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// Helvetica's advance widths (1/1000 em) for ASCII 32..=126, from the
/// font's AFM; enough to right-align amounts and wrap descriptions.
const WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ' '../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0..9
    278, 278, 584, 584, 584, 556, 1015, // :..@
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667,
    611, 722, 667, 944, 667, 667, 611, // A..Z
    278, 278, 278, 469, 556, 333, // [..`
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500,
    278, 556, 500, 722, 500, 500, 500, // a..z
    334, 260, 334, 584, // {..~
];

/// The width of `text` in points at `size`.
fn text_width(text: &str, size: f32) -> f32 {
    let units: u32 = text
        .chars()
        .map(|c| {
            let code = c as u32;
            if (32..=126).contains(&code) {
                u32::from(WIDTHS[(code - 32) as usize])
            } else {
                556
            }
        })
        .sum();
    units as f32 * size / 1000.0
}

/// `text` in WinAnsiEncoding (Latin-1 plus a few typographic marks).
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            _ => b'?',
        })
        .collect()
}

/// Splits `text` into lines no wider than `width` at `size`, breaking at
/// spaces where it can and inside long words where it must.
fn wrap(text: &str, width: f32, size: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if text_width(&candidate, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the column is cut into pieces that fit.
            for c in word.chars() {
                line.push(c);
                if text_width(&line, size) > width {
                    line.pop();
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                }
            }
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// A document being laid out page by page, top to bottom.
struct Layout {
    paper: Paper,
    pages: Vec<Content>,
    /// The baseline of the next row.
    y: f32,
    /// Printed at the top of every page.
    title: String,
    heading_business: String,
    heading_account: String,
    t: Messages,
}

impl Layout {
    fn new(paper: Paper, title: String, heading: &Heading<'_>) -> Self {
        let mut layout = Self {
            paper,
            pages: Vec::new(),
            y: 0.0,
            title,
            heading_business: heading.business.to_owned(),
            heading_account: heading.account.to_owned(),
            t: heading.t,
        };
        layout.new_page();
        layout
    }

    fn width(&self) -> f32 {
        self.paper.size().0
    }

    fn right_edge(&self) -> f32 {
        self.width() - MARGIN
    }

    fn page(&mut self) -> &mut Content {
        // `new` always starts a page, so there is a last one.
        if self.pages.is_empty() {
            self.pages.push(Content::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = self.paper.size().1 - MARGIN;
        let business = self.heading_business.clone();
        let title = self.title.clone();
        let account = self.heading_account.clone();
        self.text(MARGIN, 16.0, true, &business);
        let right = self.right_edge();
        self.right(right, 14.0, true, &title);
        self.y -= 20.0;
        let account = self
            .t
            .msg_with("pdf-account", self.t.arg("account", account));
        self.text(MARGIN, BODY, false, &account);
        self.y -= 10.0;
        self.rule();
        self.y -= LEADING;
    }

    /// Starts a new page unless `height` more points fit on this one.
    fn room_for(&mut self, height: f32) -> bool {
        if self.y - height < MARGIN + FOOTER_ROOM {
            self.new_page();
            true
        } else {
            false
        }
    }

    fn text(&mut self, x: f32, size: f32, bold: bool, text: &str) {
        let y = self.y;
        let bytes = win_ansi(text);
        self.page()
            .begin_text()
            .set_font(if bold { BOLD } else { REGULAR }, size)
            .next_line(x, y)
            .show(Str(&bytes))
            .end_text();
    }

    /// Text whose right end is at `x`.
    fn right(&mut self, x: f32, size: f32, bold: bool, text: &str) {
        self.text(x - text_width(text, size), size, bold, text);
    }

    /// A thin line across the page just under the current row.
    fn rule(&mut self) {
        let (y, right) = (self.y - 4.0, self.right_edge());
        self.page()
            .set_line_width(0.5)
            .move_to(MARGIN, y)
            .line_to(right, y)
            .stroke();
    }

    /// A label and a value on one row, the value right-aligned.
    fn fact(&mut self, label: &str, value: &str, bold: bool) {
        self.room_for(LEADING);
        let right = self.right_edge();
        self.text(right - 220.0, BODY, bold, label);
        self.right(right, BODY, bold, value);
        self.y -= LEADING;
    }

    fn finish(mut self) -> Vec<u8> {
        let count = self.pages.len();
        let (width, height) = self.paper.size();
        for index in 0..count {
            let label = self.t.msg_with(
                "pdf-page",
                self.t.count("page", index + 1).count("pages", count),
            );
            let x = width - MARGIN - text_width(&label, 8.0);
            let bytes = win_ansi(&label);
            self.pages[index]
                .begin_text()
                .set_font(REGULAR, 8.0)
                .next_line(x, MARGIN - 20.0)
                .show(Str(&bytes))
                .end_text();
        }

        let catalog = Ref::new(1);
        let tree = Ref::new(2);
        let regular = Ref::new(3);
        let bold = Ref::new(4);
        let info = Ref::new(5);
        let first_page = 6;
        let page_ref = |index: usize| Ref::new(first_page + 2 * index as i32);
        let content_ref = |index: usize| Ref::new(first_page + 2 * index as i32 + 1);

        let mut pdf = Pdf::new();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree)
            .kids((0..count).map(page_ref))
            .count(count as i32);
        pdf.type1_font(regular)
            .base_font(Name(b"Helvetica"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.type1_font(bold)
            .base_font(Name(b"Helvetica-Bold"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        let title = win_ansi(&format!("{} - {}", self.title, self.heading_business));
        pdf.document_info(info)
            .title(pdf_writer::TextStr(&String::from_utf8_lossy(&title)))
            .producer(pdf_writer::TextStr("Portal"));
        for (index, content) in self.pages.into_iter().enumerate() {
            let mut page = pdf.page(page_ref(index));
            page.media_box(Rect::new(0.0, 0.0, width, height))
                .parent(tree)
                .contents(content_ref(index));
            page.resources()
                .fonts()
                .pair(REGULAR, regular)
                .pair(BOLD, bold);
            drop(page);
            pdf.stream(content_ref(index), &content.finish());
        }
        pdf.finish()
    }
}

fn date(day: NaiveDate) -> String {
    day.format("%b %-d, %Y").to_string()
}

/// A quantity or rate without trailing zeros (`1.5`, not `1.5000`).
fn plain(number: Decimal) -> String {
    number.normalize().to_string()
}

/// An invoice: who, when, its lines with quantity, unit price, tax and
/// amount, then subtotal, tax, total, paid and balance.
pub fn invoice(heading: &Heading<'_>, detail: &InvoiceDetail, paper: Paper) -> Vec<u8> {
    let invoice = &detail.invoice;
    let currency = invoice.currency();
    let money = |amount: Money| amount.format();
    let t = heading.t;
    let title = t.msg_with("pdf-invoice-title", t.arg("number", &invoice.number));
    let mut doc = Layout::new(paper, title, heading);

    let issued = t.msg_with("pdf-issued", t.arg("date", date(invoice.issued_on)));
    doc.text(MARGIN, BODY, false, &issued);
    doc.y -= LEADING;
    let due = t.msg_with("pdf-due", t.arg("date", date(invoice.due_on)));
    doc.text(MARGIN, BODY, false, &due);
    doc.y -= LEADING;
    let status = t.msg_with(
        "pdf-status",
        t.arg("status", status_label(t, invoice.status)),
    );
    doc.text(MARGIN, BODY, false, &status);
    doc.y -= LEADING * 1.5;

    // Columns: description on the left, numbers right-aligned.
    let right = doc.right_edge();
    let columns = [right - 250.0, right - 170.0, right - 100.0, right];
    let description_width = columns[0] - 40.0 - MARGIN;
    let labels = ["pdf-quantity", "pdf-unit-price", "pdf-tax", "pdf-amount"].map(|key| t.msg(key));
    let header = |doc: &mut Layout| {
        doc.text(MARGIN, BODY, true, &t.msg("pdf-description"));
        for (x, label) in columns.iter().zip(&labels) {
            doc.right(*x, BODY, true, label);
        }
        doc.rule();
        doc.y -= LEADING;
    };
    header(&mut doc);
    for line in &detail.lines {
        let wrapped = wrap(&line.description, description_width, BODY);
        if doc.room_for(LEADING * wrapped.len() as f32) {
            header(&mut doc);
        }
        let values = [
            plain(line.quantity),
            currency.format_unit_price(line.unit_price),
            format!("{}%", plain(line.tax_rate)),
            money(line.amount(currency)),
        ];
        for (x, value) in columns.iter().zip(&values) {
            doc.right(*x, BODY, false, value);
        }
        for text in wrapped {
            doc.text(MARGIN, BODY, false, &text);
            doc.y -= LEADING;
        }
    }
    doc.y -= LEADING / 2.0;
    doc.fact(&t.msg("pdf-subtotal"), &money(invoice.subtotal), false);
    doc.fact(&t.msg("pdf-tax"), &money(invoice.tax), false);
    doc.fact(&t.msg("pdf-total"), &money(invoice.total), true);
    doc.fact(&t.msg("pdf-paid"), &money(invoice.amount_paid), false);
    doc.fact(&t.msg("pdf-balance-due"), &money(invoice.balance()), true);
    if let Some(memo) = &invoice.memo {
        doc.y -= LEADING;
        for text in wrap(memo, doc.right_edge() - MARGIN, BODY) {
            doc.room_for(LEADING);
            doc.text(MARGIN, BODY, false, &text);
            doc.y -= LEADING;
        }
    }
    doc.finish()
}

/// What an invoice's status is called.
pub fn status_label(t: Messages, status: InvoiceStatus) -> String {
    t.msg(match status {
        InvoiceStatus::Open => "invoice-status-open",
        InvoiceStatus::PartiallyPaid => "invoice-status-partially-paid",
        InvoiceStatus::Paid => "invoice-status-paid",
        InvoiceStatus::Void => "invoice-status-void",
    })
}

/// What a statement calls each kind of entry.
pub fn entry_label(t: Messages, kind: EntryKind) -> String {
    t.msg(match kind {
        EntryKind::Charge => "entry-charge",
        EntryKind::Payment => "entry-payment",
        EntryKind::Credit => "entry-credit",
    })
}

/// The aging buckets with their labels, oldest last.
pub fn aging_buckets(t: Messages, statement: &Statement) -> [(String, Money); 5] {
    let aging = &statement.aging;
    [
        (t.msg("aging-current"), aging.current),
        (t.msg("aging-1-30"), aging.days_1_30),
        (t.msg("aging-31-60"), aging.days_31_60),
        (t.msg("aging-61-90"), aging.days_61_90),
        (t.msg("aging-over-90"), aging.over_90),
    ]
}

/// A statement: the range, the opening balance, every entry with the
/// running balance, the totals, the closing balance and the aging.
pub fn statement(heading: &Heading<'_>, statement: &Statement, paper: Paper) -> Vec<u8> {
    let money = |amount: Money| amount.format();
    let t = heading.t;
    let mut doc = Layout::new(paper, t.msg("pdf-statement-title"), heading);
    let range = t.msg_with(
        "pdf-period",
        t.arg("from", date(statement.range.from))
            .arg("to", date(statement.range.to)),
    );
    doc.text(MARGIN, BODY, false, &range);
    doc.y -= LEADING * 1.5;

    let right = doc.right_edge();
    let columns = [MARGIN, MARGIN + 80.0, MARGIN + 140.0, right - 90.0, right];
    let labels = [
        "pdf-date",
        "pdf-type",
        "pdf-reference",
        "pdf-amount",
        "pdf-balance",
    ]
    .map(|key| t.msg(key));
    let header = |doc: &mut Layout| {
        doc.text(columns[0], BODY, true, &labels[0]);
        doc.text(columns[1], BODY, true, &labels[1]);
        doc.text(columns[2], BODY, true, &labels[2]);
        doc.right(columns[3], BODY, true, &labels[3]);
        doc.right(columns[4], BODY, true, &labels[4]);
        doc.rule();
        doc.y -= LEADING;
    };
    header(&mut doc);
    doc.text(columns[2], BODY, false, &t.msg("pdf-opening-balance"));
    doc.right(columns[4], BODY, false, &money(statement.opening_balance));
    doc.y -= LEADING;
    let reference_width = columns[3] - 80.0 - columns[2];
    for line in &statement.lines {
        if doc.room_for(LEADING) {
            header(&mut doc);
        }
        let entry = &line.entry;
        let reference = wrap(&entry.reference, reference_width, BODY)
            .into_iter()
            .next()
            .unwrap_or_default();
        doc.text(columns[0], BODY, false, &date(entry.date));
        doc.text(columns[1], BODY, false, &entry_label(t, entry.kind));
        doc.text(columns[2], BODY, false, &reference);
        doc.right(columns[3], BODY, false, &money(entry.signed()));
        doc.right(columns[4], BODY, false, &money(line.balance));
        doc.y -= LEADING;
    }
    doc.y -= LEADING / 2.0;
    let opening = money(statement.opening_balance);
    doc.fact(&t.msg("pdf-opening-balance"), &opening, false);
    doc.fact(&t.msg("pdf-charges"), &money(statement.charges), false);
    let payments = money(statement.payments.negated());
    doc.fact(&t.msg("pdf-payments"), &payments, false);
    doc.fact(
        &t.msg("pdf-credits"),
        &money(statement.credits.negated()),
        false,
    );
    let closing = money(statement.closing_balance);
    doc.fact(&t.msg("pdf-closing-balance"), &closing, true);
    if !statement.unapplied_credit.is_zero() {
        doc.fact(
            &t.msg("pdf-unapplied-credit"),
            &money(statement.unapplied_credit),
            false,
        );
    }

    doc.y -= LEADING;
    doc.room_for(LEADING * 3.0);
    doc.text(MARGIN, BODY, true, &t.msg("pdf-aging"));
    doc.y -= LEADING;
    let buckets = aging_buckets(t, statement);
    let step = (doc.right_edge() - MARGIN) / buckets.len() as f32;
    for (index, (label, _)) in buckets.iter().enumerate() {
        let x = MARGIN + step * (index as f32 + 1.0);
        doc.right(x, BODY, true, label);
    }
    doc.y -= LEADING;
    for (index, (_, amount)) in buckets.iter().enumerate() {
        let x = MARGIN + step * (index as f32 + 1.0);
        doc.right(x, BODY, false, &money(*amount));
    }
    doc.finish()
}

/// A PDF as a download: `attachment` with a file name of safe characters
/// only (`name` plus `.pdf`); private data, so never cached.
pub(crate) fn download(bytes: Vec<u8>, name: &str) -> Response {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{safe}.pdf\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_core::billing::{
        Invoice, InvoiceLine, InvoiceStatus, InvoiceTotals, LedgerEntry, StatementParts,
        StatementRange,
    };
    use portal_core::shared::{AccountId, Currency, ExternalId, InvoiceId, Language, PaymentId};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn detail(lines: usize) -> InvoiceDetail {
        let lines: Vec<InvoiceLine> = (0..lines)
            .map(|i| InvoiceLine {
                description: format!("Quarterly pest treatment :) visit {i}"),
                quantity: Decimal::new(15, 1),
                unit_price: Decimal::new(3333, 2),
                tax_rate: Decimal::new(825, 2),
            })
            .collect();
        let totals = InvoiceTotals::of(&lines, Currency::USD);
        InvoiceDetail {
            invoice: Invoice {
                id: InvoiceId::new(),
                account: AccountId::new(),
                external_id: ExternalId::parse("INV-4711").unwrap(),
                number: "INV-4711".into(),
                issued_on: day(1),
                due_on: day(30),
                subtotal: totals.subtotal,
                tax: totals.tax,
                total: totals.total,
                amount_paid: Money::zero(Currency::USD),
                amount_pending: Money::zero(Currency::USD),
                status: InvoiceStatus::Open,
                has_host_pdf: false,
                memo: Some("Thank you for your business — see you in spring.".into()),
                voided_at: None,
            },
            lines,
            applied: Vec::new(),
        }
    }

    fn heading(language: Language) -> Heading<'static> {
        Heading {
            business: "Acme Pest Control",
            account: "Ada's Bakery (1001)",
            t: Messages::new(language),
        }
    }

    #[test]
    fn an_invoice_is_a_pdf_with_its_number_and_totals_as_text() {
        let detail = detail(3);
        let pdf = invoice(&heading(Language::English), &detail, Paper::A4);
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("(Invoice INV-4711) Tj"), "{text}");
        assert!(text.contains("/BaseFont /Helvetica"));
        assert!(text.contains(&format!("({}) Tj", detail.invoice.total.format())));
        assert!(text.contains("(Page 1 of 1) Tj"));
        // An unbalanced parenthesis is escaped, so the string stays one
        // token; text beyond ASCII is written as WinAnsi hex (0x97: em dash).
        assert!(
            text.contains("(Quarterly pest treatment :\\) visit 0) Tj"),
            "{text}"
        );
        assert!(text.contains("20972073"), "the memo's em dash: {text}");
        assert!(text.trim_end().ends_with("%%EOF"));
    }

    #[test]
    fn long_invoices_flow_onto_more_pages_with_the_heading_on_each() {
        let pdf = invoice(&heading(Language::English), &detail(150), Paper::Letter);
        let text = String::from_utf8_lossy(&pdf);
        let pages = text.matches("(Invoice INV-4711) Tj").count();
        assert!(pages >= 3, "{pages} pages");
        assert!(text.contains(&format!("(Page {pages} of {pages}) Tj")));
        assert!(text.contains(&format!("/Count {pages}")));
        assert!(text.contains("/MediaBox [0 0 612 792]"));
    }

    #[test]
    fn a_statement_lists_entries_balances_and_aging() {
        let entries: Vec<LedgerEntry> = (0..120)
            .map(|i| LedgerEntry {
                date: day(1 + (i % 28) as u32),
                kind: if i % 2 == 0 {
                    EntryKind::Charge
                } else {
                    EntryKind::Payment
                },
                reference: format!("INV-{i}"),
                amount: Money::new(Decimal::new(1000, 2), Currency::USD),
                invoice: None,
                payment: (i % 2 == 1).then(PaymentId::new),
            })
            .collect();
        let statement = Statement::build(
            StatementRange::new(day(1), day(30)).unwrap(),
            Currency::USD,
            StatementParts {
                opening_balance: Money::new(Decimal::new(5000, 2), Currency::USD),
                entries,
                owed_at_end: vec![(day(1), Money::new(Decimal::new(5000, 2), Currency::USD))],
                unapplied_at_end: Money::zero(Currency::USD),
            },
        );
        let pdf = super::statement(&heading(Language::English), &statement, Paper::A4);
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("(Statement) Tj"));
        assert!(text.contains("(INV-119) Tj"));
        assert!(text.contains("(Over 90 days) Tj"));
        assert!(text.contains("(Closing balance) Tj"));
        assert!(
            text.contains("(Page 2 of"),
            "120 entries need a second page"
        );
    }

    /// The text the PDF shows, one `(string)` a line: literal strings as
    /// written, hex strings (how text beyond ASCII is written) decoded,
    /// both read as Latin-1.
    fn readable(pdf: &[u8]) -> String {
        let raw: String = pdf.iter().map(|&b| char::from(b)).collect();
        raw.lines()
            .filter_map(|line| line.strip_suffix(" Tj"))
            .map(
                |token| match token.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
                    Some(hex) => {
                        let text: String = (0..hex.len())
                            .step_by(2)
                            .map(|i| char::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()))
                            .collect();
                        format!("({text})")
                    }
                    None => token.to_owned(),
                },
            )
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_spanish_invoice_and_statement_have_no_english_left() {
        let spanish = heading(Language::Spanish);
        let text = readable(&invoice(&spanish, &detail(3), Paper::A4));
        for expected in [
            "(Factura INV-4711)",
            "(P\u{e1}gina 1 de 1)",
            "(Saldo pendiente)",
            "(Estado: Sin pagar)",
        ] {
            assert!(text.contains(expected), "{expected}: {text}");
        }
        assert_eq!(
            portal_i18n::testing::english_left(&text),
            Vec::<String>::new()
        );

        let statement = Statement::build(
            StatementRange::new(day(1), day(30)).unwrap(),
            Currency::USD,
            StatementParts {
                opening_balance: Money::zero(Currency::USD),
                entries: Vec::new(),
                owed_at_end: Vec::new(),
                unapplied_at_end: Money::new(Decimal::new(500, 2), Currency::USD),
            },
        );
        let text = readable(&super::statement(&spanish, &statement, Paper::A4));
        assert!(text.contains("(Estado de cuenta)"), "{text}");
        assert!(text.contains("(M\u{e1}s de 90 d\u{ed}as)"), "{text}");
        assert_eq!(
            portal_i18n::testing::english_left(&text),
            Vec::<String>::new()
        );
    }

    #[test]
    fn text_outside_win_ansi_prints_as_a_question_mark_and_long_words_wrap() {
        assert_eq!(win_ansi("Café €5 日"), b"Caf\xe9 \x805 ?".to_vec());
        let lines = wrap(&"x".repeat(300), 100.0, 10.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|line| text_width(line, 10.0) <= 100.0));
        assert_eq!(wrap("", 100.0, 10.0), vec![String::new()]);
    }

    #[test]
    fn letter_paper_where_it_is_the_custom() {
        assert_eq!(Paper::for_locale("en-US"), Paper::Letter);
        assert_eq!(Paper::for_locale("fr_CA"), Paper::Letter);
        assert_eq!(Paper::for_locale("en-GB"), Paper::A4);
        assert_eq!(Paper::for_locale("de"), Paper::A4);
    }
}
