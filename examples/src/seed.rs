//! The demo tenant: a lawn and pest-care business with a handful of
//! accounts, contacts (one of them on two accounts) and communications.
//! Seeding is idempotent: every record is upserted by its external id, so
//! the demo can restart on the same database.

use anyhow::Context;
use bytes::Bytes;
use chrono::{Duration, Utc};
use portal_core::identity::LoginClient;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use portal_core::access::Role;
use portal_core::accounts::Account;
use portal_core::accounts::{AccountUpsert, Address};
use portal_core::assets::AssetUpsert;
use portal_core::billing::{ExternalPayment, InvoiceLine, InvoiceUpsert, PaymentKind};
use portal_core::blobs::{FileName, Upload};
use portal_core::documents::DocumentDraft;
use portal_core::identity::{ContactUpsert, OtherPhone, PhoneKind, SessionKind};
use portal_core::jobs::{JobNoteUpsert, JobStatus, JobUpsert, JobWindow};
use portal_core::properties::PropertyUpsert;
use portal_core::quotes::{ApproveQuote, DecisionClient, QuoteLine, QuoteStatus, QuoteUpsert};
use portal_core::rentals::{
    CallOffLine, CallOffRequest, ContractLine, ContractStatus as RentalStatus,
    RentalContractUpsert, ReservationItem, ReservationStatus, ReservationUpsert,
};
use portal_core::requests::{
    CALL_OFF, FieldInput, FieldSpec, KindKey, RequestKind, RequestQuery, RequestStatus, SERVICE,
    ServiceAsk,
};
use portal_core::service_contracts::{
    ContractStatus, ContractTerms, ContractUpsert, Hours, HoursBlock,
};
use portal_core::shared::{Currency, Money};
use portal_core::shared::{EmailAddress, ExternalId, PhoneNumber, PostalCode};
use portal_core::tenancy::{PortalSettings, SocialLink, Tenant};
use portal_core::tickets::{StaffReply, TicketCategory, TicketDraft, TicketQuery, TicketStatus};
use portal_core::{AuthContext, KnownFacts, Portal, PortalError};
use rust_decimal::Decimal;

/// The password every demo contact gets.
pub const DEMO_PASSWORD: &str = "demo-portal-2026";

/// A demo log-in to print.
pub struct DemoLogin {
    /// E-mail to log in with.
    pub email: &'static str,
    /// What is special about this contact.
    pub note: &'static str,
}

/// The contacts with a password, for the start-up banner.
pub const DEMO_LOGINS: [DemoLogin; 3] = [
    DemoLogin {
        email: "ada@example.com",
        note: "primary contact of two accounts (use the account switcher)",
    },
    DemoLogin {
        email: "bob@example.com",
        note: "primary contact of one account",
    },
    DemoLogin {
        email: "carol@example.com",
        note: "her own firm, and billing contact of Builder Garage",
    },
];

struct DemoAccount {
    external_id: &'static str,
    number: &'static str,
    name: &'static str,
    email: &'static str,
    phone: &'static str,
    postal_code: &'static str,
    street: &'static str,
}

const ACCOUNTS: [DemoAccount; 7] = [
    DemoAccount {
        external_id: "acct-1001",
        number: "1001",
        name: "Lovelace Bakery",
        email: "ada@example.com",
        phone: "555-010-1001",
        postal_code: "62701",
        street: "12 Analytical Way",
    },
    DemoAccount {
        external_id: "acct-1002",
        number: "1002",
        name: "Lovelace Lake House",
        email: "ada@example.com",
        phone: "555-010-1002",
        postal_code: "62702",
        street: "4 Shoreline Rd",
    },
    DemoAccount {
        external_id: "acct-1003",
        number: "1003",
        name: "Builder Garage",
        email: "bob@example.com",
        phone: "555-010-1003",
        postal_code: "62703",
        street: "88 Wrench Ave",
    },
    DemoAccount {
        external_id: "acct-1004",
        number: "1004",
        name: "Diner on Main",
        email: "dan@example.com",
        phone: "555-010-1004",
        postal_code: "62704",
        street: "1 Main St",
    },
    DemoAccount {
        external_id: "acct-1005",
        number: "1005",
        name: "Evergreen Apartments",
        email: "erin@example.com",
        phone: "555-010-1005",
        postal_code: "62705",
        street: "300 Evergreen Ter",
    },
    DemoAccount {
        external_id: "acct-1006",
        number: "1006",
        name: "Frank's Farm Supply",
        email: "frank@example.com",
        phone: "555-010-1006",
        postal_code: "62706",
        street: "9 County Rd",
    },
    DemoAccount {
        external_id: "acct-1007",
        number: "1007",
        name: "Counts Bookkeeping",
        email: "carol@example.com",
        phone: "555-020-0003",
        postal_code: "62707",
        street: "5 Ledger Ln",
    },
];

/// (external id, name, e-mail, phone, [(account external id, role)])
type DemoContact = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, Role)],
);

/// The demo contacts' numbers besides their log-in phone: Ada has two,
/// the rest none, so the account page shows both states.
fn other_phones_of(external_id: &str) -> anyhow::Result<Vec<OtherPhone>> {
    let numbers: &[(PhoneKind, &str)] = match external_id {
        "ct-ada" => &[
            (PhoneKind::Work, "555-010-2001"),
            (PhoneKind::Home, "555-010-2002"),
        ],
        _ => &[],
    };
    numbers
        .iter()
        .map(|(kind, number)| {
            Ok(OtherPhone {
                kind: *kind,
                number: PhoneNumber::parse(number)?,
            })
        })
        .collect()
}

const CONTACTS: [DemoContact; 8] = [
    (
        "ct-ada",
        "Ada Lovelace",
        "ada@example.com",
        "555-010-1001",
        &[("acct-1001", Role::Primary), ("acct-1002", Role::Primary)],
    ),
    // Ada's colleagues at Maple Street, for her Portal users page.
    (
        "ct-grace",
        "Grace Groundskeeper",
        "grace@example.com",
        "555-010-1011",
        &[("acct-1001", Role::Member)],
    ),
    (
        "ct-hank",
        "Hank Ledger",
        "hank@example.com",
        "555-010-1012",
        &[("acct-1001", Role::Billing)],
    ),
    (
        "ct-bob",
        "Bob Builder",
        "bob@example.com",
        "555-010-1003",
        &[("acct-1003", Role::Primary)],
    ),
    (
        "ct-carol",
        "Carol Counts",
        "carol@example.com",
        "555-020-0003",
        &[("acct-1007", Role::Primary), ("acct-1003", Role::Billing)],
    ),
    (
        "ct-dan",
        "Dan Diner",
        "dan@example.com",
        "555-010-1004",
        &[("acct-1004", Role::Primary)],
    ),
    (
        "ct-erin",
        "Erin Evergreen",
        "erin@example.com",
        "555-010-1005",
        &[("acct-1005", Role::Primary)],
    ),
    (
        "ct-frank",
        "Frank Farmer",
        "frank@example.com",
        "555-010-1006",
        &[("acct-1006", Role::Primary)],
    ),
];

fn settings() -> anyhow::Result<PortalSettings> {
    let mut settings = PortalSettings {
        display_name: "Greenleaf Lawn & Pest".into(),
        time_zone: "America/Chicago".into(),
        visible_custom_fields: vec!["Gate code".into(), "Preferred day".into()],
        editable_custom_fields: vec!["Preferred day".into()],
        ..PortalSettings::default()
    };
    // Show every billing feature in the demo.
    settings.features.prepayment = true;
    settings.features.partial_payment = true;
    settings.features.autopay = true;
    // And equipment and rentals, off by default.
    settings.features.assets = true;
    settings.features.rentals = true;
    settings.branding.primary_color = "#1d5c3a".into();
    settings.branding.accent_color = "#0b5cad".into();
    // Ticket categories in the business's words, each with who answers it.
    settings.tickets.categories = vec![
        category(
            "pests",
            "Pests or lawn problem",
            Some("Ana Ruiz (field lead)"),
        ),
        category("visit", "A visit or the schedule", Some("Dispatch")),
        category("billing", "Billing question", Some("Office")),
        category("other", "Something else", None),
    ];
    settings.tickets.default_assignee = Some("Office".into());
    settings.contact.email = Some(EmailAddress::parse("office@greenleaf.example")?);
    settings.contact.phone = Some("+1 555 010 0000".into());
    settings.contact.social_links = vec![SocialLink {
        label: "Facebook".into(),
        url: "https://facebook.example/greenleaf".parse()?,
    }];
    Ok(settings)
}

fn category(key: &str, name: &str, assignee: Option<&str>) -> TicketCategory {
    TicketCategory {
        key: key.into(),
        name: name.into(),
        assignee: assignee.map(str::to_owned),
    }
}

/// The demo as seeded: its tenant and accounts (for the staff page's
/// "view as customer" links).
pub struct Demo {
    /// The demo tenant.
    pub tenant: Tenant,
    /// Its accounts, by number.
    pub accounts: Vec<Account>,
}

/// Creates or refreshes the demo tenant at `base_url` and returns it with
/// its accounts.
pub async fn seed_demo(portal: &Portal, base_url: &str) -> anyhow::Result<Demo> {
    let host = portal.host();
    let (tenant, is_new) = match portal.tenant_by_slug("demo").await {
        Ok(existing) => (
            host.update_tenant(existing.id, base_url, settings()?)
                .await?,
            false,
        ),
        Err(PortalError::NotFound) => (
            host.create_tenant("demo", base_url, settings()?).await?,
            true,
        ),
        Err(other) => return Err(other.into()),
    };
    let mut ids = BTreeMap::new();
    for demo in &ACCOUNTS {
        let account = host
            .upsert_account(
                tenant.id,
                &AccountUpsert {
                    external_id: ExternalId::parse(demo.external_id)?,
                    number: demo.number.into(),
                    name: demo.name.into(),
                    address: Address {
                        line1: demo.street.into(),
                        city: "Springfield".into(),
                        region: "IL".into(),
                        postal_code: demo.postal_code.into(),
                        country: "US".into(),
                        ..Address::default()
                    },
                    phone: Some(PhoneNumber::parse(demo.phone)?),
                    email: Some(EmailAddress::parse(demo.email)?),
                    postal_code: Some(PostalCode::parse(demo.postal_code)?),
                    custom_fields: BTreeMap::from([
                        ("Gate code".to_owned(), format!("#{}", demo.number)),
                        ("Preferred day".to_owned(), "Tuesday".to_owned()),
                    ]),
                    portal_enabled: true,
                    has_history: true,
                },
            )
            .await
            .with_context(|| format!("account {}", demo.number))?;
        ids.insert(demo.external_id, account);
    }
    for (external_id, name, email, phone, memberships) in CONTACTS {
        let contact = host
            .upsert_contact(
                tenant.id,
                &ContactUpsert {
                    external_id: ExternalId::parse(external_id)?,
                    name: name.into(),
                    email: Some(EmailAddress::parse(email)?),
                    phone: Some(PhoneNumber::parse(phone)?),
                    other_phones: Some(other_phones_of(external_id)?),
                    enabled: true,
                },
            )
            .await
            .with_context(|| format!("contact {email}"))?;
        for (account, role) in memberships {
            let account = ids.get(account).context("unknown demo account")?;
            host.grant_membership(tenant.id, contact.id, account.id, *role)
                .await?;
        }
    }
    // Passwords are set the way a customer sets one, by known facts; on a
    // restart the contacts already have one and the refusal is expected.
    for login in DEMO_LOGINS {
        let account = ACCOUNTS
            .iter()
            .find(|a| a.email == login.email)
            .context("a demo log-in's own account")?;
        let facts = KnownFacts {
            phone: account.phone.into(),
            email: account.email.into(),
            postal_code: account.postal_code.into(),
        };
        match portal
            .identity()
            .register_by_facts(
                &tenant,
                &facts,
                DEMO_PASSWORD,
                &LoginClient::at(Ipv4Addr::LOCALHOST.into()),
            )
            .await
        {
            Ok(()) | Err(PortalError::RegistrationRefused) => {}
            Err(other) => return Err(other.into()),
        }
    }
    seed_billing(portal, &tenant, &ids).await?;
    seed_quotes(portal, &tenant, &ids).await?;
    seed_services(portal, &tenant, &ids).await?;
    seed_rentals(portal, &tenant, &ids).await?;
    seed_jobs(portal, &tenant, &ids).await?;
    seed_requests(portal, &tenant, &ids).await?;
    seed_tickets(portal, &tenant, &ids).await?;
    seed_documents(portal, &tenant, &ids).await?;
    if !is_new {
        // The communications log is append-only: seed it once.
        return Ok(Demo {
            tenant,
            accounts: ids.into_values().collect(),
        });
    }
    let now = Utc::now();
    let notes = [
        (
            "acct-1001",
            "email",
            "Spring pre-emergent treatment booked",
            "Our technician will visit on Tuesday between 8 and 10.",
        ),
        (
            "acct-1001",
            "call",
            "Called about ant activity in the kitchen",
            "Scheduled a follow-up inspection.",
        ),
        (
            "acct-1002",
            "note",
            "Dock spider treatment completed",
            "Treated the dock and boathouse.",
        ),
        (
            "acct-1003",
            "email",
            "Welcome to Greenleaf",
            "Thanks for choosing us for your garage's pest control.",
        ),
    ];
    for (account, channel, subject, body) in notes {
        let account = ids.get(account).context("unknown demo account")?;
        host.record_communication(
            tenant.id,
            &portal_core::communications::CommunicationRecord::new(
                ExternalId::parse(&format!("{}-{channel}", account.external_id.as_str()))?,
                account.id,
                channel,
                subject,
                body,
                now - Duration::days(2),
            ),
        )
        .await?;
    }
    Ok(Demo {
        tenant,
        accounts: ids.into_values().collect(),
    })
}

/// One demo invoice: account, number, lines (description, quantity,
/// unit price in cents), days from today to its due date.
type DemoInvoice = (
    &'static str,
    &'static str,
    &'static [(&'static str, i64, i64)],
    i64,
);

/// Invoices in every state: overdue, due soon, partly paid, paid, void.
const INVOICES: [DemoInvoice; 9] = [
    (
        "acct-1001",
        "INV-2026-0101",
        &[
            ("Quarterly pest control", 1, 12_000),
            ("Ant bait stations", 4, 1_250),
        ],
        -45,
    ),
    (
        "acct-1001",
        "INV-2026-0142",
        &[("Lawn fertilisation, round 4", 1, 8_900)],
        -10,
    ),
    (
        "acct-1001",
        "INV-2026-0177",
        &[("Aeration and overseeding", 1, 24_500)],
        14,
    ),
    (
        "acct-1001",
        "INV-2026-0180",
        &[("Mosquito barrier treatment", 2, 6_500)],
        21,
    ),
    (
        "acct-1001",
        "INV-2026-0090",
        &[("Termite inspection", 1, 9_500)],
        -70,
    ),
    (
        "acct-1001",
        "INV-2026-0095",
        &[("Duplicate: termite inspection", 1, 9_500)],
        -65,
    ),
    (
        "acct-1002",
        "INV-2026-0150",
        &[("Dock spider treatment", 1, 15_000)],
        -5,
    ),
    (
        "acct-1002",
        "INV-2026-0188",
        &[("Boathouse wasp removal", 1, 7_500)],
        25,
    ),
    (
        "acct-1003",
        "INV-2026-0160",
        &[("Garage rodent exclusion", 1, 31_000)],
        10,
    ),
];

/// A demo quote: account, number, title, lines (description, cents,
/// optional), valid for so many days from today (negative: expired).
type DemoQuote = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, i64, bool)],
    i64,
);

const QUOTES: [DemoQuote; 5] = [
    (
        "acct-1001",
        "Q-2026-0041",
        "Spring lawn renovation",
        &[
            ("Core aeration, front and back lawn", 18_500, false),
            ("Overseeding with sun and shade mix", 24_000, false),
            ("Starter fertiliser", 6_000, true),
            ("Irrigation check and adjustment", 8_500, true),
        ],
        21,
    ),
    (
        "acct-1001",
        "Q-2026-0044",
        "Quarterly perimeter pest plan",
        &[("Perimeter treatment, four visits", 52_000, false)],
        5,
    ),
    (
        "acct-1001",
        "Q-2026-0012",
        "Gutter guard installation",
        &[("Gutter guards, 120 ft", 96_000, false)],
        -10,
    ),
    (
        "acct-1003",
        "Q-2026-0030",
        "Garage rodent-proofing",
        &[
            ("Seal entry points", 22_000, false),
            ("Bait stations, one year", 9_000, true),
        ],
        30,
    ),
    (
        "acct-1003",
        "Q-2026-0031",
        "Wasp nest removal",
        &[("Remove two nests under the eaves", 14_000, false)],
        30,
    ),
];

/// Gives the demo accounts quotes in every state: Ada's account pending
/// ones (one with optional lines) and an expired one; Bob's account one he
/// approved and one he declined, decided the way a customer decides (a
/// session of his). Idempotent: on a restart decided quotes refuse the
/// upsert (their dates moved) and the decisions are already made.
async fn seed_quotes(
    portal: &Portal,
    tenant: &Tenant,
    accounts: &BTreeMap<&str, Account>,
) -> anyhow::Result<()> {
    let host = portal.host();
    let today = Utc::now().date_naive();
    let usd = Currency::USD;
    let mut quotes = BTreeMap::new();
    for (account, number, title, lines, valid_for) in QUOTES {
        let account = accounts.get(account).context("unknown demo account")?;
        let valid_until = today + Duration::days(valid_for);
        let upsert = QuoteUpsert {
            external_id: ExternalId::parse(number)?,
            account: account.id,
            number: number.into(),
            title: title.into(),
            scope_of_work: format!(
                "{title}, as discussed on site. Work is done on weekdays between 8 am and 5 pm; \
                 we call the day before each visit."
            ),
            terms: "Prices include materials and labour. Half is invoiced on approval and the \
                    rest on completion, due in 30 days. Rescheduling is free with 48 hours' notice."
                .into(),
            issued_on: valid_until - Duration::days(30),
            valid_until,
            currency: usd,
            lines: lines
                .iter()
                .map(|(description, cents, optional)| QuoteLine {
                    line: InvoiceLine {
                        description: (*description).into(),
                        quantity: Decimal::ONE,
                        unit_price: usd.from_minor(*cents),
                        tax_rate: Decimal::new(625, 2),
                    },
                    optional: *optional,
                })
                .collect(),
        };
        match host.upsert_quote(tenant.id, &upsert).await {
            Ok(quote) => {
                quotes.insert(number, quote);
            }
            Err(PortalError::Conflict(_)) => {}
            Err(other) => return Err(other).context(format!("quote {number}")),
        }
    }
    let pending = |number: &str| {
        quotes
            .get(number)
            .filter(|quote| quote.status == QuoteStatus::Pending)
    };
    let (Some(approve), Some(decline)) = (pending("Q-2026-0030"), pending("Q-2026-0031")) else {
        return Ok(());
    };
    // Bob decides his two, through a session as he would.
    let client = LoginClient::at(Ipv4Addr::LOCALHOST.into());
    let password = secrecy::SecretString::from(DEMO_PASSWORD);
    let session = portal
        .identity()
        .log_in(
            tenant,
            "bob@example.com",
            &password,
            SessionKind::Bearer,
            &client,
        )
        .await?;
    let tenant = portal.tenant(tenant.id).await?;
    let bob = portal
        .identity()
        .authenticate(&tenant, &session.token)
        .await?;
    let evidence = DecisionClient {
        ip: Ipv4Addr::LOCALHOST.into(),
        user_agent: Some("Portal demo seed".into()),
    };
    let approval = ApproveQuote {
        quote: approve.id,
        signer_name: "Bob Builder".into(),
        comment: Some("Please start after the 15th.".into()),
        po_number: Some("PO-3301".into()),
        optional_lines: vec![1],
        shown_sha256: approve.content_sha256.clone(),
    };
    portal.quotes().approve(&bob, &approval, &evidence).await?;
    portal
        .quotes()
        .decline(&bob, decline.id, "We removed the nests ourselves.")
        .await?;
    portal.identity().log_out(&bob).await?;
    Ok(())
}

/// Gives the demo accounts invoices in every state, and the payments and
/// credits that put them there. Idempotent like the rest of the seed.
async fn seed_billing(
    portal: &Portal,
    tenant: &Tenant,
    accounts: &BTreeMap<&str, Account>,
) -> anyhow::Result<()> {
    let host = portal.host();
    let today = Utc::now().date_naive();
    let usd = Currency::USD;
    let mut invoices = BTreeMap::new();
    for (account, number, lines, due_in) in INVOICES {
        let account = accounts.get(account).context("unknown demo account")?;
        let due_on = today + Duration::days(due_in);
        let upsert = InvoiceUpsert {
            external_id: ExternalId::parse(number)?,
            account: account.id,
            number: number.into(),
            issued_on: due_on - Duration::days(30),
            due_on,
            currency: usd,
            lines: lines
                .iter()
                .map(|(description, quantity, cents)| InvoiceLine {
                    description: (*description).into(),
                    quantity: Decimal::from(*quantity),
                    unit_price: usd.from_minor(*cents),
                    tax_rate: Decimal::new(625, 2),
                })
                .collect(),
            memo: Some("Thank you for choosing Greenleaf.".into()),
            pdf: None,
        };
        match host.upsert_invoice(tenant.id, &upsert).await {
            Ok(invoice) => {
                invoices.insert(number, invoice);
            }
            // The voided one refuses changes on a restart.
            Err(PortalError::Conflict(_)) => {}
            Err(other) => return Err(other).context(format!("invoice {number}")),
        }
    }
    let ada = accounts.get("acct-1001").context("unknown demo account")?;
    let now = Utc::now();
    let mut payments = Vec::new();
    if let Some(paid) = invoices.get("INV-2026-0090") {
        payments.push((
            "pay-check-0090",
            PaymentKind::Payment,
            paid.total,
            "Check 2207",
            vec![(paid.id, paid.total)],
            60,
        ));
    }
    if let Some(partly) = invoices.get("INV-2026-0177") {
        let half = Money::new(partly.total.amount() / Decimal::TWO, usd);
        payments.push((
            "pay-phone-0177",
            PaymentKind::Payment,
            half,
            "Card by phone",
            vec![(partly.id, half)],
            3,
        ));
    }
    // A goodwill credit left unapplied: account credit the customer can use.
    payments.push((
        "credit-goodwill-1",
        PaymentKind::Credit,
        Money::from_minor(2_500, usd),
        "Goodwill credit",
        Vec::new(),
        20,
    ));
    for (external_id, kind, amount, label, applied_to, days_ago) in payments {
        host.record_payment(
            tenant.id,
            &ExternalPayment {
                external_id: ExternalId::parse(external_id)?,
                account: ada.id,
                kind,
                amount,
                received_at: now - Duration::days(days_ago),
                method_label: Some(label.into()),
                memo: None,
                applied_to,
            },
        )
        .await
        .with_context(|| format!("payment {external_id}"))?;
    }
    if let Some(duplicate) = invoices.get("INV-2026-0095") {
        host.void_invoice(tenant.id, duplicate.id).await?;
    }
    Ok(())
}

/// The demo's equipment: account, property (host id), asset id, name,
/// make, model, serial number, location on site, installed, next
/// maintenance (days from today).
type DemoAsset = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<(i32, u32, u32)>,
    Option<i64>,
);

const DEMO_ASSETS: [DemoAsset; 5] = [
    (
        "acct-1001",
        "site-1001",
        "asset-1001-sprinkler",
        "Sprinkler controller",
        "Rain Bird",
        "ESP-TM2",
        "RB-22-81734",
        "Garage wall, left of the door",
        Some((2022, 4, 12)),
        Some(21),
    ),
    (
        "acct-1001",
        "site-1001",
        "asset-1001-backflow",
        "Backflow preventer",
        "Watts",
        "LF009",
        "W-009-55120",
        "Front bed by the hose bib",
        Some((2019, 6, 3)),
        Some(95),
    ),
    (
        "acct-1001",
        "site-1001-shop",
        "asset-1001-traps",
        "Rodent bait stations (6)",
        "Protecta",
        "LP",
        "",
        "Along the back fence",
        None,
        Some(9),
    ),
    (
        "acct-1002",
        "site-1002",
        "asset-1002-pump",
        "Irrigation pump",
        "Grundfos",
        "MQ3-45",
        "GF-MQ3-90412",
        "Boathouse",
        Some((2020, 5, 20)),
        None,
    ),
    (
        "acct-1003",
        "site-1003",
        "asset-1003-fogger",
        "Mosquito misting system",
        "MistAway",
        "Gen 3",
        "MA-3-11873",
        "Behind the service bay",
        Some((2023, 3, 1)),
        Some(30),
    ),
];

/// Gives the demo accounts service contracts (a recurring plan with its
/// next visit and price, a block of hours partly used, one that ran
/// out) and equipment at their sites, by the host's ids (idempotent).
async fn seed_services(
    portal: &Portal,
    tenant: &Tenant,
    ids: &BTreeMap<&'static str, Account>,
) -> anyhow::Result<()> {
    let host = portal.host();
    let today = Utc::now().date_naive();
    let account = |external: &str| {
        ids.get(external)
            .map(|account| account.id)
            .context("unknown demo account")
    };
    for (account_id, site, name, line1) in [
        ("acct-1001", "site-1001", "Bakery", "12 Market St"),
        ("acct-1001", "site-1001-shop", "Storage unit", "4 Depot Rd"),
        ("acct-1002", "site-1002", "Lake house", "88 Shore Dr"),
        ("acct-1003", "site-1003", "Garage", "301 Elm St"),
    ] {
        host.upsert_property(
            tenant.id,
            &PropertyUpsert {
                external_id: ExternalId::parse(site)?,
                account: account(account_id)?,
                name: name.into(),
                address: Address {
                    line1: line1.into(),
                    city: "Springfield".into(),
                    region: "IL".into(),
                    country: "US".into(),
                    ..Address::default()
                },
            },
        )
        .await
        .with_context(|| format!("property {site}"))?;
    }
    let hours = |text: &str| -> anyhow::Result<Hours> {
        Ok(Hours::parse("hours", text.parse::<Decimal>()?)?)
    };
    let contracts = [
        (
            "acct-1001",
            "SC-1001",
            "Lawn and pest care plan",
            ContractStatus::Active,
            ContractTerms::Recurring {
                schedule: "Every other Tuesday, April to October".into(),
                next_visit_on: Some(today + Duration::days(6)),
                price_per_period: Some(Money::from_minor(8_900, Currency::USD)),
            },
        ),
        (
            "acct-1001",
            "TB-1001",
            "Landscaping hours, 2026",
            ContractStatus::Active,
            ContractTerms::TimeBlock(HoursBlock::new(hours("20")?, hours("7.5")?, false)?),
        ),
        (
            "acct-1002",
            "TB-1002",
            "Dock and shoreline hours",
            ContractStatus::Ended,
            ContractTerms::TimeBlock(HoursBlock::new(hours("10")?, hours("11.25")?, true)?),
        ),
        (
            "acct-1003",
            "SC-1003",
            "Quarterly perimeter treatment",
            ContractStatus::Paused,
            ContractTerms::Recurring {
                schedule: "First Monday of every quarter".into(),
                next_visit_on: None,
                price_per_period: None,
            },
        ),
    ];
    for (account_id, number, name, status, terms) in contracts {
        host.upsert_service_contract(
            tenant.id,
            &ContractUpsert {
                external_id: ExternalId::parse(number)?,
                account: account(account_id)?,
                number: number.into(),
                name: name.into(),
                description: "Visits, materials and a written report after each one.".into(),
                status,
                starts_on: today - Duration::days(120),
                ends_on: Some(today + Duration::days(245)),
                terms,
            },
        )
        .await
        .with_context(|| format!("contract {number}"))?;
    }
    for (account_id, site, external, name, make, model, serial, location, installed, next) in
        DEMO_ASSETS
    {
        host.upsert_asset(
            tenant.id,
            &AssetUpsert {
                external_id: ExternalId::parse(external)?,
                account: account(account_id)?,
                property: ExternalId::parse(site)?,
                name: name.into(),
                make: make.into(),
                model: model.into(),
                serial_number: serial.into(),
                location: location.into(),
                installed_on: installed.and_then(|(year, month, day)| {
                    chrono::NaiveDate::from_ymd_opt(year, month, day)
                }),
                next_maintenance_on: next.map(|days| today + Duration::days(days)),
            },
        )
        .await
        .with_context(|| format!("asset {external}"))?;
    }
    Ok(())
}

/// Gives Ada's bakery (acct-1001) rentals: an open contract with items
/// out (one line partly returned, one fully returned), a closed one, a
/// reservation ahead, and a pending call-off asked through a session of
/// Ada's as a customer would. Idempotent: upserts by the host's ids, and
/// the call-off only while the contract has none.
async fn seed_rentals(
    portal: &Portal,
    tenant: &Tenant,
    ids: &BTreeMap<&'static str, Account>,
) -> anyhow::Result<()> {
    let host = portal.host();
    let today = Utc::now().date_naive();
    let account = ids.get("acct-1001").context("unknown demo account")?.id;
    let usd = Currency::USD;
    let line = |code: &str, name: &str, out, returned, days_ago, cents| ContractLine {
        code: code.into(),
        name: name.into(),
        quantity_out: out,
        quantity_returned: returned,
        out_since: today - Duration::days(days_ago),
        rate: Some(Money::from_minor(cents, usd)),
    };
    let open = host
        .upsert_contract(
            tenant.id,
            &RentalContractUpsert {
                external_id: ExternalId::parse("rc-2026-0042")?,
                account,
                number: "RC-2026-0042".into(),
                status: RentalStatus::Open,
                started_on: today - Duration::days(21),
                site: Some("Bakery, 12 Market St".into()),
                lines: vec![
                    line("AER-1", "Core aerator", 2, 0, 21, 6_500),
                    line("SPR-4", "Walk-behind spreader", 4, 1, 21, 1_800),
                    line("TRL-6", "Utility trailer 6 ft", 1, 1, 14, 4_000),
                ],
            },
        )
        .await
        .context("rental contract RC-2026-0042")?;
    host.upsert_contract(
        tenant.id,
        &RentalContractUpsert {
            external_id: ExternalId::parse("rc-2026-0017")?,
            account,
            number: "RC-2026-0017".into(),
            status: RentalStatus::Closed,
            started_on: today - Duration::days(90),
            site: Some("Storage unit, 4 Depot Rd".into()),
            lines: vec![line("DTH-1", "Dethatcher", 1, 1, 90, 5_500)],
        },
    )
    .await
    .context("rental contract RC-2026-0017")?;
    host.upsert_reservation(
        tenant.id,
        &ReservationUpsert {
            external_id: ExternalId::parse("rs-2026-0008")?,
            account,
            number: "RS-2026-0008".into(),
            status: ReservationStatus::Confirmed,
            starts_on: today + Duration::days(30),
            ends_on: today + Duration::days(33),
            items: vec![ReservationItem {
                code: "SOD-18".into(),
                name: "Sod cutter 18 in".into(),
                quantity: 1,
            }],
        },
    )
    .await
    .context("reservation RS-2026-0008")?;
    let detail = host
        .contract_detail(tenant.id, &open.external_id)
        .await?
        .context("the contract just upserted")?;
    if !detail.call_offs.is_empty() {
        return Ok(());
    }
    // Ada calls off one aerator, through a session on the bakery's account.
    let ada = customer_session(portal, tenant, "ada@example.com", account).await?;
    portal
        .rentals()
        .request_call_off(
            &ada.actor,
            &CallOffRequest {
                contract: open.id,
                items: vec![CallOffLine {
                    code: "AER-1".into(),
                    quantity: 1,
                }],
                pickup_on: today + Duration::days(2),
                notes: "The aerator is by the back gate; code #1001.".into(),
            },
        )
        .await?;
    portal.identity().log_out(&ada).await?;
    Ok(())
}

/// A demo job: account, number (also the host's id), title, status,
/// window (days from today, start and end hour UTC), technicians,
/// invoices and equipment (host ids).
type DemoJob = (
    &'static str,
    &'static str,
    &'static str,
    JobStatus,
    Option<(i64, u32, u32)>,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

/// One job in every status for the first account: an upcoming visit with
/// two technicians, one waiting to be scheduled, one in progress today, a
/// completed one with an invoice and equipment, a cancelled one.
const DEMO_JOBS: [DemoJob; 5] = [
    (
        "acct-1001",
        "WO-1001",
        "Spring sprinkler start-up",
        JobStatus::Scheduled,
        Some((3, 14, 18)),
        &["Ana Ruiz", "Ben Okafor"],
        &[],
        &["asset-1001-sprinkler"],
    ),
    (
        "acct-1001",
        "WO-1002",
        "Inspect the storage unit for rodents",
        JobStatus::Unscheduled,
        None,
        &[],
        &[],
        &[],
    ),
    (
        "acct-1001",
        "WO-1003",
        "Ant treatment, kitchen and loading bay",
        JobStatus::InProgress,
        Some((0, 13, 17)),
        &["Ana Ruiz"],
        &[],
        &[],
    ),
    (
        "acct-1001",
        "WO-1004",
        "Quarterly pest control visit",
        JobStatus::Completed,
        Some((-50, 14, 16)),
        &["Ben Okafor"],
        &["INV-2026-0101"],
        &["asset-1001-sprinkler"],
    ),
    (
        "acct-1001",
        "WO-1005",
        "Gutter cleaning",
        JobStatus::Cancelled,
        None,
        &[],
        &[],
        &[],
    ),
];

/// A session of the contact `email` on `account`, as a customer gets one
/// by logging in (the demo's customers ask for things through it). End it
/// with `portal.identity().log_out`.
async fn customer_session(
    portal: &Portal,
    tenant: &Tenant,
    email: &str,
    account: portal_core::shared::AccountId,
) -> anyhow::Result<AuthContext> {
    let client = LoginClient::at(Ipv4Addr::LOCALHOST.into());
    let password = secrecy::SecretString::from(DEMO_PASSWORD);
    let session = portal
        .identity()
        .log_in(tenant, email, &password, SessionKind::Bearer, &client)
        .await?;
    let tenant = portal.tenant(tenant.id).await?;
    let mut auth = portal
        .identity()
        .authenticate(&tenant, &session.token)
        .await?;
    if auth.membership.account != account {
        portal.identity().switch_account(&auth, account).await?;
        auth = portal
            .identity()
            .authenticate(&tenant, &session.token)
            .await?;
    }
    Ok(auth)
}

/// The business's own kinds of request: skipping or moving a visit, and
/// disputing an invoice.
fn demo_request_kinds() -> anyhow::Result<Vec<RequestKind>> {
    let key = |text: &str| KindKey::parse(text).context("a demo key");
    let field =
        |name: &str, label: &str, help: &str, required, input| -> anyhow::Result<FieldSpec> {
            Ok(FieldSpec {
                name: key(name)?,
                label: label.into(),
                help: help.into(),
                required,
                input,
            })
        };
    Ok(vec![
        RequestKind {
            key: key("skip_visit")?,
            name: "Skip a visit".into(),
            description: "We will not come that day; the visits after it stay as planned.".into(),
            fields: vec![
                field("visit", "Which visit", "", true, FieldInput::Job)?,
                field(
                    "reason",
                    "Why",
                    "A word helps us plan.",
                    false,
                    FieldInput::LongText { max_chars: 500 },
                )?,
            ],
            active: true,
            attachments: false,
        },
        RequestKind {
            key: key("reschedule_visit")?,
            name: "Reschedule a visit".into(),
            description: "Tell us when suits you better and we will confirm the new time.".into(),
            fields: vec![
                field("visit", "Which visit", "", true, FieldInput::Job)?,
                field(
                    "new_date",
                    "New date",
                    "",
                    true,
                    FieldInput::Date { from_today: true },
                )?,
                field(
                    "time_of_day",
                    "Time of day",
                    "",
                    true,
                    FieldInput::Choice {
                        options: vec!["Morning".into(), "Afternoon".into(), "Any time".into()],
                    },
                )?,
            ],
            active: true,
            attachments: false,
        },
        RequestKind {
            key: key("dispute_invoice")?,
            name: "Question an invoice".into(),
            description: "Tell us which charge looks wrong; we reply within two working days."
                .into(),
            fields: vec![
                field("invoice", "Invoice", "", true, FieldInput::Invoice)?,
                field(
                    "line",
                    "Which charge",
                    "As it reads on the invoice.",
                    true,
                    FieldInput::Text { max_chars: 200 },
                )?,
                field(
                    "explanation",
                    "What is wrong",
                    "",
                    true,
                    FieldInput::LongText { max_chars: 2_000 },
                )?,
            ],
            active: true,
            // A photo of the bill or a letter helps here.
            attachments: true,
        },
    ])
}

/// Declares the business's kinds of request, and gives Ada's bakery a
/// service request with a photo that the business has scheduled and a
/// request to skip a visit (made through her session, as a customer makes them). Kinds are
/// re-declared on every start; requests only once.
async fn seed_requests(
    portal: &Portal,
    tenant: &Tenant,
    ids: &BTreeMap<&'static str, Account>,
) -> anyhow::Result<()> {
    let host = portal.host();
    for kind in demo_request_kinds()? {
        host.declare_request_kind(tenant.id, &kind).await?;
    }
    let account = ids.get("acct-1001").context("unknown demo account")?.id;
    let ada = customer_session(portal, tenant, "ada@example.com", account).await?;
    let requests = portal.requests();
    let made = requests
        .list(&ada.actor, &RequestQuery::default())
        .await?
        .items;
    // The call-off counts: only requests of the other kinds mean a restart.
    if made
        .iter()
        .any(|request| request.details.kind() != CALL_OFF)
    {
        portal.identity().log_out(&ada).await?;
        return Ok(());
    }
    let form = requests.form(&ada.actor, SERVICE).await?;
    // A photo of the door, streamed into the blob store as an upload is.
    let photo = requests
        .attach(
            &ada.actor,
            Upload {
                name: FileName::parse("kitchen-door.png")?,
                content: Box::pin(futures::stream::once(async {
                    Ok(Bytes::from_static(GATE_LATCH_PNG))
                })),
            },
        )
        .await?;
    let asked = requests
        .request_service(
            &ada.actor,
            &ServiceAsk {
                description: "Ants coming in under the kitchen door, mostly in the morning.".into(),
                property: form.properties.first().map(|property| property.id),
            },
            vec![photo],
        )
        .await?;
    host.set_request_status(
        tenant.id,
        asked.id,
        RequestStatus::Scheduled,
        "Booked with Ana on Thursday morning; she will treat the door frame.",
    )
    .await?;
    let skip = requests.form(&ada.actor, "skip_visit").await?;
    if let Some(visit) = skip.jobs.first() {
        let answers = BTreeMap::from([
            ("visit".to_owned(), visit.id.to_string()),
            ("reason".to_owned(), "We are away that week.".to_owned()),
        ]);
        requests
            .submit_custom(&ada.actor, "skip_visit", &answers, Vec::new())
            .await?;
    }
    portal.identity().log_out(&ada).await?;
    Ok(())
}

/// The photo attached to Ada's ticket about the visit (a 16×16 PNG).
const GATE_LATCH_PNG: &[u8] = include_bytes!("../assets/gate-latch.png");

/// Ada's tickets on the demo account (once: skipped when she has any): one
/// about a visit, with a photo attached (the portal needs a blob store,
/// `PortalBuilder::blobs`), that the business answered and waits on her,
/// and a billing question answered and closed.
async fn seed_tickets(
    portal: &Portal,
    tenant: &Tenant,
    ids: &BTreeMap<&'static str, Account>,
) -> anyhow::Result<()> {
    let account = ids.get("acct-1001").context("unknown demo account")?.id;
    let ada = customer_session(portal, tenant, "ada@example.com", account).await?;
    let tickets = portal.tickets();
    let opened = tickets.list(&ada.actor, &TicketQuery::default()).await?;
    if opened.total > 0 {
        portal.identity().log_out(&ada).await?;
        return Ok(());
    }
    let form = tickets.form(&ada.actor).await?;
    // A photo of the latch, streamed into the blob store as an upload is.
    let photo = tickets
        .attach(
            &ada.actor,
            Upload {
                name: FileName::parse("gate-latch.png")?,
                content: Box::pin(futures::stream::once(async {
                    Ok(Bytes::from_static(GATE_LATCH_PNG))
                })),
            },
        )
        .await?;
    let visit = tickets
        .open(
            &ada.actor,
            &TicketDraft {
                category: "visit".into(),
                body: "The gate latch was left open after the last visit and the dog got out. \
                       Could the technician check it on the way out next time?"
                    .into(),
                job: form.jobs.first().map(|job| job.id),
            },
            vec![photo],
        )
        .await?;
    let host = portal.host();
    host.reply_to_ticket(
        tenant.id,
        visit.ticket.id,
        &StaffReply {
            external_id: ExternalId::parse("demo-reply-1")?,
            author_name: "Ana Ruiz".into(),
            body: "So sorry about that! I have added a note to your account: gate closed and \
                   latched on every visit. Is the side gate the one to use?"
                .into(),
            status: Some(TicketStatus::Waiting),
        },
    )
    .await?;
    let billing = tickets
        .open(
            &ada.actor,
            &TicketDraft {
                category: "billing".into(),
                body: "Could you send our invoices to accounts@adasbakery.example as well?".into(),
                job: None,
            },
            Vec::new(),
        )
        .await?;
    host.reply_to_ticket(
        tenant.id,
        billing.ticket.id,
        &StaffReply {
            external_id: ExternalId::parse("demo-reply-2")?,
            author_name: "Greenleaf office".into(),
            body: "Done: both addresses now get every invoice.".into(),
            status: Some(TicketStatus::Closed),
        },
    )
    .await?;
    portal.identity().log_out(&ada).await?;
    Ok(())
}

/// A one-page PDF: the demo's tenant-wide guide.
const DEMO_GUIDE_PDF: &[u8] = include_bytes!("demo-guide.pdf");

/// Publishes the demo's downloads: a getting-started guide for every
/// customer and service notes for Ada's account, by the host's ids (so
/// publishing again on a restart replaces them). Skipped, returning
/// `false`, when the portal has no blob store
/// ([`PortalBuilder::blobs`](portal_core::PortalBuilder::blobs)) to keep
/// the files in.
pub async fn seed_documents(
    portal: &Portal,
    tenant: &Tenant,
    ids: &BTreeMap<&'static str, Account>,
) -> anyhow::Result<bool> {
    if !portal.has_blob_store() {
        return Ok(false);
    }
    let ada = ids.get("acct-1001").context("unknown demo account")?.id;
    let host = portal.host();
    let documents = [
        (
            "demo-guide",
            None,
            "Getting started with Greenleaf",
            "What happens on your first visit, and how to get ready for it.",
            "Guides",
            "getting-started.pdf",
            DEMO_GUIDE_PDF.to_vec(),
        ),
        (
            "demo-notes-1001",
            Some(ada),
            "Service notes for your property",
            "Gate codes, the dog's name and where the hoses are, as our technicians keep them.",
            "Your property",
            "service-notes.txt",
            b"Side gate: code 4711, keep it latched.\nDog: Biscuit (friendly).\nHose: behind the shed.\n"
                .to_vec(),
        ),
    ];
    for (external_id, account, title, description, folder, file, content) in documents {
        host.publish_document(
            tenant.id,
            &DocumentDraft {
                external_id: ExternalId::parse(external_id)?,
                account,
                title: title.into(),
                description: Some(description.into()),
                folder: Some(folder.into()),
            },
            Upload::of(FileName::parse(file)?, content),
        )
        .await?;
    }
    Ok(true)
}

/// Gives the demo account jobs in every status, by the host's ids
/// (idempotent: a job the portal already has keeps its timeline; a new
/// completed job walks through scheduled and in progress first so its
/// timeline shows each step), and a note on the completed one.
async fn seed_jobs(
    portal: &Portal,
    tenant: &Tenant,
    ids: &BTreeMap<&'static str, Account>,
) -> anyhow::Result<()> {
    let host = portal.host();
    let today = Utc::now().date_naive();
    for (account, number, title, status, window, technicians, invoices, assets) in DEMO_JOBS {
        let account = ids.get(account).context("unknown demo account")?;
        let window = match window {
            Some((days, from, to)) => {
                let day = today + Duration::days(days);
                let at = |hour| {
                    day.and_hms_opt(hour, 0, 0)
                        .map(|time| time.and_utc())
                        .context("a demo job's hour")
                };
                Some(JobWindow::new(at(from)?, at(to)?)?)
            }
            None => None,
        };
        let external_id = ExternalId::parse(number)?;
        let ids_of = |texts: &[&str]| -> anyhow::Result<Vec<ExternalId>> {
            Ok(texts
                .iter()
                .map(|text| ExternalId::parse(text))
                .collect::<Result<_, _>>()?)
        };
        let mut upsert = JobUpsert {
            external_id: external_id.clone(),
            account: account.id,
            number: number.into(),
            title: title.into(),
            description: format!("{title}. The technician will call 30 minutes before arriving."),
            status,
            property: Some(ExternalId::parse("site-1001")?),
            window,
            technicians: technicians.iter().map(|name| (*name).to_owned()).collect(),
            invoices: ids_of(invoices)?,
            assets: ids_of(assets)?,
        };
        let is_new = host.job(tenant.id, &external_id).await?.is_none();
        if is_new && status == JobStatus::Completed {
            for step in [JobStatus::Scheduled, JobStatus::InProgress] {
                upsert.status = step;
                host.upsert_job(tenant.id, &upsert)
                    .await
                    .with_context(|| format!("job {number}"))?;
            }
            upsert.status = status;
        }
        host.upsert_job(tenant.id, &upsert)
            .await
            .with_context(|| format!("job {number}"))?;
    }
    host.add_job_note(
        tenant.id,
        &ExternalId::parse("WO-1004")?,
        &JobNoteUpsert {
            external_id: ExternalId::parse("WO-1004-note-1")?,
            author_name: "Ben Okafor".into(),
            body: "Treated the perimeter and replaced two bait stations. No activity inside."
                .into(),
        },
    )
    .await
    .context("job note WO-1004")?;
    Ok(())
}
