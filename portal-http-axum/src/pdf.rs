//! Printable invoices, statements, receipts, quotes, quote approval
//! certificates and rental contracts, rendered as PDF (invoices only when the host gave no
//! document of its own).
//!
//! The files use the built-in Helvetica Type1 fonts (every PDF reader has
//! them, so nothing is embedded and the files stay a few kilobytes) with
//! `WinAnsiEncoding`; characters outside it print as `?`. Content streams
//! are left uncompressed: they are small, and tests (and curious
//! customers) can find the text in the bytes. Rows that do not fit flow
//! onto further pages, each numbered "Page n of m". Every word comes from
//! the message catalog (`pdf-*` keys) in the [`Heading`]'s language;
//! WinAnsiEncoding covers Spanish's letters.

use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str};
use rust_decimal::Decimal;

use axum::response::Response;
use portal_core::AuthContext;
use portal_core::billing::{
    EntryKind, InvoiceDetail, InvoiceLine, InvoiceStatus, PaymentDetail, PaymentKind,
    PaymentStatus, Statement,
};
use portal_core::quotes::{QuoteDetail, QuoteState};
use portal_core::rentals::{ContractDetail, ContractStatus};
use portal_core::requests::RequestStatus;
use portal_core::shared::{Currency, Formats, Money};
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
    /// How the tenant writes money and dates.
    pub formats: &'a Formats,
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
            // CLDR puts narrow and thin spaces in some locales' numbers.
            '\u{202f}' | '\u{2009}' => 0xa0,
            '\u{2212}' => b'-',
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

/// An amount as the tenant's locale writes it, in what the PDF's fonts
/// can print: a symbol outside WinAnsiEncoding (`₹`, `￥`) becomes the
/// currency's ISO code, so a rupee amount never prints as `?1,00,000.00`.
fn pdf_money(formats: &Formats, amount: Money) -> String {
    let text = formats.money.format(amount);
    if text.chars().all(is_win_ansi) {
        return text;
    }
    let code = amount.currency();
    let mut shown = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if is_win_ansi(c) {
            shown.push(c);
            continue;
        }
        while chars.peek().is_some_and(|next| !is_win_ansi(*next)) {
            chars.next();
        }
        if shown.ends_with(|c: char| c.is_ascii_digit()) {
            shown.push('\u{a0}');
        }
        shown.push_str(code.as_str());
        if chars.peek().is_some_and(char::is_ascii_digit) {
            shown.push('\u{a0}');
        }
    }
    shown
}

fn is_win_ansi(c: char) -> bool {
    c == '?' || win_ansi(c.encode_utf8(&mut [0; 4])) != b"?"
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
    let money = |amount: Money| pdf_money(heading.formats, amount);
    let t = heading.t;
    let title = t.msg_with("pdf-invoice-title", t.arg("number", &invoice.number));
    let mut doc = Layout::new(paper, title, heading);

    let issued = t.msg_with(
        "pdf-issued",
        t.arg("date", heading.formats.dates.day(invoice.issued_on)),
    );
    doc.text(MARGIN, BODY, false, &issued);
    doc.y -= LEADING;
    let due = t.msg_with(
        "pdf-due",
        t.arg("date", heading.formats.dates.day(invoice.due_on)),
    );
    doc.text(MARGIN, BODY, false, &due);
    doc.y -= LEADING;
    let status = t.msg_with(
        "pdf-status",
        t.arg("status", status_label(t, invoice.status)),
    );
    doc.text(MARGIN, BODY, false, &status);
    doc.y -= LEADING * 1.5;

    line_table(
        &mut doc,
        detail.lines.iter().map(|line| (line, None)),
        currency,
        heading.formats,
        t,
    );
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

/// What a quote's state is called.
pub fn quote_state_label(t: Messages, state: QuoteState) -> String {
    t.msg(match state {
        QuoteState::Pending => "quote-status-pending",
        QuoteState::Approved => "quote-status-approved",
        QuoteState::Declined => "quote-status-declined",
        QuoteState::Expired => "quote-status-expired",
    })
}

/// Lines as a table: description on the left (with `note` after it, such
/// as "optional"), quantity, unit price, tax and amount right-aligned; the
/// header again on each new page.
fn line_table<'a>(
    doc: &mut Layout,
    lines: impl Iterator<Item = (&'a InvoiceLine, Option<&'a str>)>,
    currency: Currency,
    formats: &Formats,
    t: Messages,
) {
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
    header(doc);
    for (line, note) in lines {
        let description = match note {
            Some(note) => format!("{} ({note})", line.description),
            None => line.description.clone(),
        };
        let wrapped = wrap(&description, description_width, BODY);
        if doc.room_for(LEADING * wrapped.len() as f32) {
            header(doc);
        }
        let values = [
            plain(line.quantity),
            formats.money.format_unit_price(line.unit_price, currency),
            format!("{}%", plain(line.tax_rate)),
            pdf_money(formats, line.amount(currency)),
        ];
        for (x, value) in columns.iter().zip(&values) {
            doc.right(*x, BODY, false, value);
        }
        for text in wrapped {
            doc.text(MARGIN, BODY, false, &text);
            doc.y -= LEADING;
        }
    }
}

/// A block of text (paragraphs kept), wrapped to the page, under a bold
/// heading when one is given.
fn paragraphs(doc: &mut Layout, heading: Option<&str>, text: &str) {
    if let Some(heading) = heading {
        doc.room_for(LEADING * 2.0);
        doc.text(MARGIN, BODY, true, heading);
        doc.y -= LEADING;
    }
    let width = doc.right_edge() - MARGIN;
    for line in wrap(text, width, BODY) {
        doc.room_for(LEADING);
        doc.text(MARGIN, BODY, false, &line);
        doc.y -= LEADING;
    }
}

/// A quote: its dates and status, scope of work, lines (optional ones
/// marked, and those chosen when approved), the totals and the terms.
pub fn quote(
    heading: &Heading<'_>,
    detail: &QuoteDetail,
    today: chrono::NaiveDate,
    paper: Paper,
) -> Vec<u8> {
    let quote = &detail.quote;
    let currency = quote.currency();
    let t = heading.t;
    let dates = &heading.formats.dates;
    let mut doc = Layout::new(
        paper,
        t.msg_with("quote-title", t.arg("number", &quote.number)),
        heading,
    );
    paragraphs(&mut doc, None, &quote.title);
    for fact in [
        t.msg_with("pdf-issued", t.arg("date", dates.day(quote.issued_on))),
        t.msg_with(
            "pdf-quote-valid-until",
            t.arg("date", dates.day(quote.valid_until)),
        ),
        t.msg_with(
            "pdf-status",
            t.arg("status", quote_state_label(t, quote.state(today))),
        ),
    ] {
        doc.text(MARGIN, BODY, false, &fact);
        doc.y -= LEADING;
    }
    doc.y -= LEADING / 2.0;
    if !detail.scope_of_work.trim().is_empty() {
        paragraphs(&mut doc, Some(&t.msg("quote-scope")), &detail.scope_of_work);
        doc.y -= LEADING / 2.0;
    }
    let chosen = detail
        .approval
        .as_ref()
        .map(|approval| approval.chosen_lines.clone());
    let notes: Vec<Option<String>> = (0u32..)
        .zip(&detail.lines)
        .map(|(position, line)| {
            line.optional.then(|| {
                t.msg(match &chosen {
                    Some(chosen) if chosen.contains(&position) => "pdf-quote-optional-chosen",
                    Some(_) => "pdf-quote-optional-not-chosen",
                    None => "pdf-quote-optional",
                })
            })
        })
        .collect();
    line_table(
        &mut doc,
        detail
            .lines
            .iter()
            .map(|line| &line.line)
            .zip(notes.iter().map(Option::as_deref)),
        currency,
        heading.formats,
        heading.t,
    );
    doc.y -= LEADING / 2.0;
    let totals = detail.totals(chosen.as_deref().unwrap_or_default());
    doc.fact(
        &t.msg("invoice-subtotal"),
        &pdf_money(heading.formats, totals.subtotal),
        false,
    );
    doc.fact(
        &t.msg("invoice-tax"),
        &pdf_money(heading.formats, totals.tax),
        false,
    );
    let label = if chosen.is_some() {
        t.msg("quote-total-approved")
    } else {
        t.msg("pdf-quote-total-without-options")
    };
    doc.fact(&label, &pdf_money(heading.formats, totals.total), true);
    if !detail.terms.trim().is_empty() {
        doc.y -= LEADING;
        paragraphs(&mut doc, Some(&t.msg("quote-terms")), &detail.terms);
    }
    doc.finish()
}

/// An approved quote's certificate: who approved what, when, from where,
/// and the SHA-256 of the exact content approved, with that content (the
/// canonical text the digest is of) printed so anyone can check it.
pub fn certificate(
    heading: &Heading<'_>,
    detail: &QuoteDetail,
    zone: chrono_tz::Tz,
    paper: Paper,
) -> Vec<u8> {
    let quote = &detail.quote;
    let t = heading.t;
    let mut doc = Layout::new(
        paper,
        t.msg_with("pdf-certificate-title", t.arg("number", &quote.number)),
        heading,
    );
    let Some(approval) = &detail.approval else {
        paragraphs(&mut doc, None, &t.msg("pdf-certificate-not-approved"));
        return doc.finish();
    };
    let total = quote
        .approved_total
        .map(|total| pdf_money(heading.formats, total))
        .unwrap_or_default();
    let facts = [
        (
            t.msg("col-quote"),
            format!("{} - {}", quote.number, quote.title),
        ),
        (
            t.msg("pdf-certificate-signed-by"),
            approval.signer_name.clone(),
        ),
        (t.msg("quote-contact"), approval.contact_name.clone()),
        (
            t.msg("pdf-certificate-approved-at"),
            format!(
                "{} ({zone})",
                heading.formats.dates.moment(approval.approved_at)
            ),
        ),
        (
            t.msg("pdf-certificate-approved-utc"),
            approval.approved_at.to_rfc3339(),
        ),
        (
            t.msg("pdf-certificate-client-address"),
            approval.client_ip.clone(),
        ),
        (t.msg("quote-total-approved"), total),
        (
            t.msg("quote-po"),
            approval.po_number.clone().unwrap_or_else(|| "-".into()),
        ),
    ];
    for (label, value) in facts {
        doc.room_for(LEADING);
        doc.text(MARGIN, BODY, true, &label);
        let width = doc.right_edge() - MARGIN - 140.0;
        let mut first = true;
        for line in wrap(&value, width, BODY) {
            if !first {
                doc.room_for(LEADING);
            }
            doc.text(MARGIN + 140.0, BODY, false, &line);
            doc.y -= LEADING;
            first = false;
        }
    }
    paragraphs(
        &mut doc,
        Some(&t.msg("pdf-certificate-browser")),
        &approval.user_agent,
    );
    if let Some(comment) = &approval.comment {
        paragraphs(&mut doc, Some(&t.msg("quote-comment")), comment);
    }
    doc.y -= LEADING / 2.0;
    paragraphs(
        &mut doc,
        Some(&t.msg("pdf-certificate-digest")),
        &approval.content_sha256,
    );
    doc.y -= LEADING / 2.0;
    paragraphs(
        &mut doc,
        Some(&t.msg("pdf-certificate-content")),
        &detail.canonical_content(&approval.chosen_lines),
    );
    doc.finish()
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
    let money = |amount: Money| pdf_money(heading.formats, amount);
    let t = heading.t;
    let mut doc = Layout::new(paper, t.msg("pdf-statement-title"), heading);
    let range = t.msg_with(
        "pdf-period",
        t.arg("from", heading.formats.dates.day(statement.range.from))
            .arg("to", heading.formats.dates.day(statement.range.to)),
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
        let reference = wrap(
            &crate::messages::entry_reference(t, entry),
            reference_width,
            BODY,
        )
        .into_iter()
        .next()
        .unwrap_or_default();
        doc.text(
            columns[0],
            BODY,
            false,
            &heading.formats.dates.day(entry.date),
        );
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

/// What a payment's page and PDF call it: a receipt once received.
pub fn receipt_title(t: Messages, status: PaymentStatus, kind: PaymentKind) -> String {
    t.msg(match (status, kind) {
        (PaymentStatus::Pending, _) => "payment-title-pending",
        (PaymentStatus::Failed, _) => "payment-title-failed",
        (PaymentStatus::Succeeded, PaymentKind::Credit) => "payment-title-credit",
        (PaymentStatus::Succeeded, PaymentKind::Payment) => "payment-title-receipt",
    })
}

/// Where a payment stands, in the customer's words.
pub fn payment_status_label(t: Messages, status: PaymentStatus) -> String {
    t.msg(match status {
        PaymentStatus::Pending => "payment-status-pending",
        PaymentStatus::Succeeded => "payment-status-succeeded",
        PaymentStatus::Failed => "payment-status-failed",
    })
}

/// A receipt: the amount, when, how (card brand and last four), the
/// invoices paid, the account credit used or kept, and `balance`, what
/// is left to pay on the account. `day` is the day it was received in
/// the tenant's zone.
pub fn receipt(
    heading: &Heading<'_>,
    detail: &PaymentDetail,
    day: chrono::NaiveDate,
    balance: Money,
    paper: Paper,
) -> Vec<u8> {
    let payment = &detail.payment;
    let money = |amount: Money| pdf_money(heading.formats, amount);
    let t = heading.t;
    let title = receipt_title(t, payment.status, payment.kind);
    let mut doc = Layout::new(paper, title, heading);
    let line = |doc: &mut Layout, text: String| {
        doc.text(MARGIN, BODY, false, &text);
        doc.y -= LEADING;
    };
    line(
        &mut doc,
        t.msg_with(
            "pdf-receipt-date",
            t.arg("date", heading.formats.dates.day(day)),
        ),
    );
    line(
        &mut doc,
        t.msg_with(
            "pdf-status",
            t.arg("status", payment_status_label(t, payment.status)),
        ),
    );
    if payment.method_label.is_some() {
        let method = crate::messages::payment_method(t, payment.method_label.as_deref());
        line(
            &mut doc,
            t.msg_with("pdf-receipt-method", t.arg("method", &method)),
        );
    }
    if let Some(reference) = &payment.gateway_reference {
        line(
            &mut doc,
            t.msg_with("pdf-receipt-reference", t.arg("reference", reference)),
        );
    }
    doc.y -= LEADING / 2.0;

    let right = doc.right_edge();
    doc.text(MARGIN, BODY, true, &t.msg("payments-applied-to"));
    doc.right(right, BODY, true, &t.msg("col-amount"));
    doc.rule();
    doc.y -= LEADING;
    if payment.status == PaymentStatus::Failed {
        doc.text(MARGIN, BODY, false, &t.msg("payment-not-charged"));
        doc.y -= LEADING;
    }
    for allocation in &detail.allocations {
        doc.room_for(LEADING);
        doc.text(
            MARGIN,
            BODY,
            false,
            &t.msg_with("invoice-title", t.arg("number", &allocation.invoice_number)),
        );
        doc.right(right, BODY, false, &money(allocation.amount));
        doc.y -= LEADING;
    }
    let kept = payment.unapplied();
    if kept.is_positive() {
        doc.room_for(LEADING);
        doc.text(MARGIN, BODY, false, &t.msg("review-kept-as-credit"));
        doc.right(right, BODY, false, &money(kept));
        doc.y -= LEADING;
    }
    doc.y -= LEADING / 2.0;
    let amount_label = t.msg(match payment.kind {
        PaymentKind::Payment => "pdf-receipt-amount-paid",
        PaymentKind::Credit => "payment-kind-credit",
    });
    doc.fact(&amount_label, &money(payment.amount), true);
    let used = detail.credit_used();
    if used.is_positive() {
        doc.fact(&t.msg("review-paid-from-credit"), &money(used), false);
    }
    doc.fact(&t.msg("receipt-left-to-pay"), &money(balance), true);
    doc.finish()
}

/// What a rental contract's status is called.
pub fn rental_status_label(t: Messages, status: ContractStatus) -> String {
    t.msg(match status {
        ContractStatus::Open => "rental-status-open",
        ContractStatus::Closed => "rental-status-closed",
    })
}

/// What a call-off's status is called.
pub fn call_off_status_label(t: Messages, status: RequestStatus) -> String {
    t.msg(match status {
        RequestStatus::Pending => "call-off-status-pending",
        RequestStatus::Scheduled => "call-off-status-scheduled",
        RequestStatus::InProgress => "call-off-status-in-progress",
        RequestStatus::Completed => "call-off-status-collected",
        RequestStatus::Declined => "call-off-status-declined",
        RequestStatus::Canceled => "call-off-status-cancelled",
    })
}

/// Items as one phrase: "2 × Generator 20 kVA, 1 × Light tower".
pub fn rental_items_text<'a>(t: Messages, items: impl Iterator<Item = (u32, &'a str)>) -> String {
    items
        .map(|(quantity, name)| {
            t.msg_with(
                "rental-item-quantity",
                t.arg("quantity", quantity).arg("name", name),
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A rental contract: its start, site and status, its items (quantity
/// out, returned, since when, still out, the rate where the host gave
/// one; the header again on each new page) and the call-offs asked on it.
pub fn rental_contract(heading: &Heading<'_>, detail: &ContractDetail, paper: Paper) -> Vec<u8> {
    let contract = &detail.contract;
    let t = heading.t;
    let dates = &heading.formats.dates;
    let mut doc = Layout::new(
        paper,
        t.msg_with("rental-title", t.arg("number", &contract.number)),
        heading,
    );
    let mut facts = vec![
        t.msg_with(
            "pdf-rental-started",
            t.arg("date", dates.day(contract.started_on)),
        ),
        t.msg_with(
            "pdf-status",
            t.arg("status", rental_status_label(t, contract.status)),
        ),
    ];
    if let Some(site) = contract
        .site
        .as_ref()
        .filter(|site| !site.trim().is_empty())
    {
        facts.insert(1, t.msg_with("pdf-rental-site", t.arg("site", site)));
    }
    for fact in facts {
        doc.text(MARGIN, BODY, false, &fact);
        doc.y -= LEADING;
    }
    doc.y -= LEADING / 2.0;

    let right = doc.right_edge();
    let columns = [
        right - 290.0,
        right - 230.0,
        right - 150.0,
        right - 90.0,
        right,
    ];
    let item_width = columns[0] - 30.0 - MARGIN;
    let labels = [
        "rental-col-out",
        "rental-col-returned",
        "rental-col-since",
        "rental-col-still-out",
        "rental-col-rate",
    ]
    .map(|key| t.msg(key));
    let header = |doc: &mut Layout| {
        doc.text(MARGIN, BODY, true, &t.msg("rental-col-item"));
        for (x, label) in columns.iter().zip(&labels) {
            doc.right(*x, BODY, true, label);
        }
        doc.rule();
        doc.y -= LEADING;
    };
    header(&mut doc);
    for line in &detail.lines {
        let wrapped = wrap(&format!("{} ({})", line.name, line.code), item_width, BODY);
        if doc.room_for(LEADING * wrapped.len() as f32) {
            header(&mut doc);
        }
        let values = [
            line.quantity_out.to_string(),
            line.quantity_returned.to_string(),
            dates.day(line.out_since),
            line.still_out().to_string(),
            line.rate.map_or_else(
                || t.msg("rental-no-rate"),
                |rate| pdf_money(heading.formats, rate),
            ),
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
    let still_out: u64 = detail
        .lines
        .iter()
        .map(|line| u64::from(line.still_out()))
        .sum();
    doc.fact(&t.msg("rental-col-still-out"), &still_out.to_string(), true);
    if !detail.call_offs.is_empty() {
        doc.y -= LEADING;
        let lines: Vec<String> = detail
            .call_offs
            .iter()
            .map(|call_off| {
                t.msg_with(
                    "pdf-rental-call-off",
                    t.arg("date", dates.day_of(call_off.requested_at))
                        .arg(
                            "items",
                            rental_items_text(
                                t,
                                call_off
                                    .items
                                    .iter()
                                    .map(|item| (item.quantity, item.name.as_str())),
                            ),
                        )
                        .arg("status", call_off_status_label(t, call_off.status))
                        .arg("pickup", dates.day(call_off.pickup_on)),
                )
            })
            .collect();
        paragraphs(
            &mut doc,
            Some(&t.msg("rental-call-offs")),
            &lines.join("\n"),
        );
    }
    doc.finish()
}

/// The active account as documents name it: "Ada's Bakery (1001)".
pub(crate) fn account_heading(auth: &AuthContext) -> String {
    let membership = &auth.membership;
    format!(
        "{} ({})",
        membership.account_name, membership.account_number
    )
}

/// A PDF of the active account drawn by `draw` on the tenant's paper,
/// headed with who it is from (the business) and for ("Ada's Bakery
/// (1001)") in the reader's words, as a download named `name`.
pub(crate) fn account_document(
    auth: &AuthContext,
    t: Messages,
    name: &str,
    draw: impl FnOnce(&Heading<'_>, Paper) -> Vec<u8>,
) -> Response {
    let settings = &auth.tenant.settings;
    let account = account_heading(auth);
    let formats = settings.formats(t.language());
    let heading = Heading {
        business: &settings.display_name,
        account: &account,
        t,
        formats: &formats,
    };
    download(draw(&heading, Paper::for_locale(&settings.locale)), name)
}

/// A PDF as a download: `attachment` with a file name of safe characters
/// only (`name` plus `.pdf`); private data, so never cached.
pub(crate) fn download(bytes: Vec<u8>, name: &str) -> Response {
    crate::downloads::pdf(bytes, name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
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

    static EN_US: std::sync::LazyLock<std::sync::Arc<Formats>> =
        std::sync::LazyLock::new(Formats::fallback);

    fn heading(language: Language) -> Heading<'static> {
        Heading {
            business: "Acme Pest Control",
            account: "Ada's Bakery (1001)",
            t: Messages::new(language),
            formats: &EN_US,
        }
    }

    #[test]
    fn amounts_print_in_the_locale_with_symbols_the_fonts_lack_as_codes() {
        use portal_core::shared::Locale;
        let dollars = Money::from_minor(51_847, Currency::USD);
        assert_eq!(pdf_money(&EN_US, dollars), "$518.47");
        let es = Formats::of(&Locale::parse("es-ES").unwrap(), chrono_tz::UTC);
        let euros = Money::from_minor(51_847, Currency::parse("EUR").unwrap());
        assert_eq!(pdf_money(&es, euros), "518,47\u{a0}€");
        assert_eq!(win_ansi(&pdf_money(&es, euros)), b"518,47\xa0\x80");
        let en_in = Formats::of(&Locale::parse("en-IN").unwrap(), chrono_tz::UTC);
        let rupees = Money::from_minor(10_000_000, Currency::parse("INR").unwrap());
        assert_eq!(pdf_money(&en_in, rupees), "INR\u{a0}1,00,000.00");
        let ja = Formats::of(&Locale::parse("ja-JP").unwrap(), chrono_tz::UTC);
        let yen = Money::from_minor(5_000, Currency::parse("JPY").unwrap());
        assert!(!win_ansi(&pdf_money(&ja, yen)).contains(&b'?'));
    }

    #[test]
    fn an_invoice_is_a_pdf_with_its_number_and_totals_as_text() {
        let detail = detail(3);
        let pdf = invoice(&heading(Language::English), &detail, Paper::A4);
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("(Invoice INV-4711) Tj"), "{text}");
        assert!(text.contains("/BaseFont /Helvetica"));
        assert!(text.contains(&format!("({}) Tj", pdf_money(&EN_US, detail.invoice.total))));
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
