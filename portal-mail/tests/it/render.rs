//! What each kind of mail says.

use portal_core::outbox::EmailKind;
use portal_mail::{RenderError, render};

use crate::support::{
    EXPIRY_TEXT, LINK, every_kind, expiry, mail_to, notice_kind, receipt_kind, request_notice_kind,
    set_password_mail,
};

fn link_of(kind: &EmailKind) -> Option<&str> {
    match kind {
        EmailKind::SetPassword { link, .. }
        | EmailKind::ResetPassword { link, .. }
        | EmailKind::Invitation { link, .. }
        | EmailKind::ConfirmEmail { link, .. } => Some(link),
        EmailKind::Notice(mail) => Some(&mail.link),
        EmailKind::PasswordChanged { .. }
        | EmailKind::EmailChanged { .. }
        | EmailKind::PaymentReceipt(_) => None,
    }
}

#[test]
fn a_notice_says_what_happened_links_to_it_and_offers_to_stop_escaping_host_text() {
    let mail = render(&mail_to("ada@example.com", notice_kind())).unwrap();
    assert_eq!(mail.subject, "New reply on ticket #12");
    for body in [&mail.text, &mail.html] {
        assert!(
            body.contains("Acme Plumbing replied to your ticket #12"),
            "{body}"
        );
        assert!(body.contains("View ticket"), "{body}");
        assert!(
            body.contains("https://acme.example/portal/notifications/unsubscribe?token=v1.x"),
            "{body}"
        );
    }
    // The host's text is shown, never run: escaped in HTML, as it is in text.
    assert!(mail.text.contains("<script>alert(1)</script>"));
    assert!(!mail.html.contains("<script>"), "{}", mail.html);
    assert!(mail.html.contains("&#60;script&#62;") || mail.html.contains("&lt;script&gt;"));
    assert!(
        mail.text
            .lines()
            .any(|line| line == "https://acme.example/portal/tickets/1")
    );
}

#[test]
fn a_redacted_notice_still_renders_without_its_unsubscribe_link() {
    let mut kind = notice_kind();
    if let EmailKind::Notice(mail) = &mut kind {
        mail.unsubscribe = "[redacted]".into();
    }
    let mail = render(&mail_to("ada@example.com", kind)).unwrap();
    assert!(!mail.text.contains("[redacted]"));
    assert!(!mail.html.contains("[redacted]"));
}

#[test]
fn a_receipt_lists_the_amount_method_invoices_and_credit_and_links_to_the_portal() {
    let mail = render(&mail_to("ada@example.com", receipt_kind())).unwrap();
    assert_eq!(
        mail.subject,
        "Receipt for your $150.00 payment to Acme Plumbing"
    );
    for body in [&mail.text, &mail.html] {
        for expected in [
            "$150.00",
            "Visa ending 4242",
            "ch_sandbox_1",
            "INV-1",
            "$100.00",
            "INV-2",
            "$25.00",
            "Account credit",
            "Paid from your account credit",
            "$12.00",
            "Left to pay on the account",
            "$43.21",
        ] {
            assert!(body.contains(expected), "missing {expected}: {body}");
        }
    }
    assert!(
        mail.text
            .lines()
            .any(|line| line == format!("{LINK}/billing/payments/1"))
    );
    assert!(
        mail.html.contains("Ada&#39;s &#60;Bakery&#62;")
            || mail.html.contains("Ada&#x27;s &lt;Bakery&gt;"),
        "{}",
        mail.html
    );
}

#[test]
fn every_kind_greets_by_name_and_names_the_business_in_text_and_html() {
    for kind in every_kind() {
        let mail = render(&mail_to("ada@example.com", kind.clone())).unwrap();
        for body in [&mail.text, &mail.html] {
            assert!(body.contains("Hello Ada Lovelace,"), "{kind:?}: {body}");
            assert!(body.contains("Acme Plumbing"), "{kind:?}: {body}");
            assert!(body.contains(EXPIRY_TEXT), "{kind:?}: {body}");
            assert!(
                body.contains("office@acme-plumbing.example"),
                "{kind:?}: {body}"
            );
        }
        assert!(mail.subject.contains("Acme Plumbing"), "{kind:?}");
        assert!(!mail.subject.contains('\n'));
    }
}

#[test]
fn mails_with_a_link_show_it_on_its_own_line_in_text_and_as_a_button_in_html() {
    for kind in every_kind() {
        let Some(link) = link_of(&kind) else { continue };
        let mail = render(&mail_to("ada@example.com", kind.clone())).unwrap();
        assert!(
            mail.text.lines().any(|line| line == link),
            "{kind:?}: the link is not alone on a line:\n{}",
            mail.text
        );
        assert!(
            mail.html.contains(&format!("<a href=\"{link}\"")),
            "{kind:?}"
        );
        assert!(mail.text.contains("expires on"), "{kind:?}");
        assert!(
            mail.text
                .contains("If you did not ask for this, ignore this mail"),
            "{kind:?}"
        );
        assert!(
            mail.html
                .contains("If you did not ask for this, ignore this mail"),
            "{kind:?}"
        );
    }
}

#[test]
fn subjects_say_what_the_mail_is_about() {
    let subjects: Vec<String> = every_kind()
        .into_iter()
        .map(|kind| render(&mail_to("ada@example.com", kind)).unwrap().subject)
        .collect();
    assert_eq!(
        subjects,
        [
            "Set your password for Acme Plumbing",
            "Reset your password for Acme Plumbing",
            "Grace Hopper invited you to the Acme Plumbing customer portal",
            "Your password for Acme Plumbing was changed",
            "Confirm your new email address for Acme Plumbing",
            "Your email address for Acme Plumbing was changed",
        ]
    );
}

#[test]
fn names_are_escaped_in_html_and_kept_verbatim_in_text() {
    let mut mail = mail_to("ada@example.com", every_kind().remove(2));
    mail.to_name = "<script>alert('to')</script>".into();
    mail.business_name = "Acme & Sons <b>".into();
    if let EmailKind::Invitation { invited_by, .. } = &mut mail.kind {
        *invited_by = Some("<img src=x onerror=alert(1)>".into());
    }
    let rendered = render(&mail).unwrap();
    assert!(!rendered.html.contains("<script>"), "{}", rendered.html);
    assert!(!rendered.html.contains("<img"), "{}", rendered.html);
    assert!(!rendered.html.contains("<b>"), "{}", rendered.html);
    assert!(
        rendered.html.contains("&#60;script&#62;"),
        "{}",
        rendered.html
    );
    assert!(
        rendered.html.contains("Acme &#38; Sons"),
        "{}",
        rendered.html
    );
    assert!(
        rendered
            .text
            .contains("Hello <script>alert('to')</script>,")
    );
}

#[test]
fn a_link_with_an_ampersand_is_escaped_inside_the_html_attribute() {
    let mail = mail_to(
        "ada@example.com",
        EmailKind::ResetPassword {
            link: "https://portal.example.com/reset?token=a&tenant=b".into(),
            expires_at: expiry(),
        },
    );
    let rendered = render(&mail).unwrap();
    assert!(
        rendered
            .html
            .contains("href=\"https://portal.example.com/reset?token=a&#38;tenant=b\"")
    );
    assert!(
        rendered
            .text
            .contains("\nhttps://portal.example.com/reset?token=a&tenant=b\n")
    );
}

#[test]
fn a_link_that_is_not_absolute_http_is_refused() {
    for link in [
        "javascript:alert(1)",
        "/set-password?token=x",
        "data:text/html,hi",
    ] {
        let mail = mail_to(
            "ada@example.com",
            EmailKind::SetPassword {
                link: link.into(),
                expires_at: expiry(),
            },
        );
        assert!(
            matches!(
                render(&mail),
                Err(RenderError::InvalidLink {
                    kind: "set_password"
                })
            ),
            "{link}"
        );
    }
}

#[test]
fn without_a_reply_to_the_mail_says_replies_are_not_read() {
    let mut mail = mail_to("ada@example.com", every_kind().remove(0));
    mail.reply_to = None;
    let rendered = render(&mail).unwrap();
    assert!(rendered.text.contains("replies to it are not read"));
    assert!(rendered.html.contains("replies to it are not read"));
    assert!(!rendered.html.contains("mailto:"));
}

#[test]
fn an_invitation_without_an_inviter_comes_from_the_business() {
    let mail = mail_to(
        "ada@example.com",
        EmailKind::Invitation {
            link: LINK.into(),
            expires_at: expiry(),
            invited_by: None,
        },
    );
    let rendered = render(&mail).unwrap();
    assert_eq!(
        rendered.subject,
        "You are invited to the Acme Plumbing customer portal"
    );
    assert!(
        rendered
            .text
            .contains("Acme Plumbing invited you to its customer portal,")
    );
    assert!(
        rendered
            .html
            .contains("Acme Plumbing invited you to its customer portal,")
    );
}

#[test]
fn a_password_change_notice_says_what_to_do_if_it_was_not_them() {
    let mail = mail_to(
        "ada@example.com",
        EmailKind::PasswordChanged {
            changed_at: expiry(),
        },
    );
    let rendered = render(&mail).unwrap();
    assert!(
        rendered
            .text
            .contains("If you did not, reset your password")
    );
    assert!(
        rendered
            .html
            .contains("If you did not, reset your password")
    );
    assert!(!rendered.html.contains("<a href=\"http"));
}

#[test]
fn a_contact_without_a_name_is_greeted_plainly() {
    let mut mail = mail_to("ada@example.com", every_kind().remove(0));
    mail.to_name = "  ".into();
    let rendered = render(&mail).unwrap();
    assert!(rendered.text.starts_with("Hello,\n"), "{}", rendered.text);
    assert!(rendered.html.contains(">Hello,</p>"));
}

#[test]
fn line_breaks_in_names_cannot_reach_the_subject() {
    let mut mail = mail_to("ada@example.com", every_kind().remove(1));
    mail.business_name = "Acme\r\nBcc: victim@example.com".into();
    let rendered = render(&mail).unwrap();
    assert_eq!(
        rendered.subject,
        "Reset your password for Acme Bcc: victim@example.com"
    );
}

#[test]
fn html_is_a_complete_accessible_document_without_images() {
    let rendered = render(&mail_to("ada@example.com", every_kind().remove(0))).unwrap();
    assert!(
        rendered.html.starts_with("<!DOCTYPE html>"),
        "{}",
        &rendered.html[..80]
    );
    assert!(rendered.html.contains("<html lang=\"en\">"));
    assert!(
        rendered
            .html
            .contains("<title>Set your password for Acme Plumbing</title>")
    );
    assert!(!rendered.html.contains("<img"));
    assert!(rendered.html.contains("role=\"presentation\""));
}

/// A Spanish tenant in Madrid: amounts in euros as Spain writes them,
/// dates in the reader's language, times in the tenant's zone with its
/// abbreviation.
#[test]
fn a_receipt_writes_money_and_time_the_tenants_way() {
    use portal_core::outbox::Receipt;
    use portal_core::shared::{Currency, Locale, Money, PaymentId};
    let eur = |cents| Money::from_minor(cents, Currency::parse("EUR").unwrap());
    let receipt = Receipt {
        payment: PaymentId::new(),
        account: "Panadería Ada (1001)".into(),
        amount: eur(1_234_567),
        method_label: "Visa ending 4242".into(),
        reference: "ch_sandbox_1".into(),
        paid_at: expiry(),
        allocations: Vec::new(),
        credit: eur(1_234_567),
        credit_used: Vec::new(),
        balance_after: Some(eur(0)),
        link: format!("{LINK}/billing/payments/1"),
    };
    let mut mail = mail_to(
        "ada@example.com",
        EmailKind::PaymentReceipt(Box::new(receipt)),
    );
    mail.locale = Locale::parse("es-ES").unwrap();
    mail.time_zone = "Europe/Madrid".into();
    mail.language = portal_core::shared::Language::Spanish;
    // An English reader of the same business: its amounts, English dates.
    let mut english = mail.clone();
    english.language = portal_core::shared::Language::English;
    let english = render(&english).unwrap();
    assert!(
        english.text.contains("12.345,67\u{a0}€")
            && english
                .text
                .contains("Monday, 23 November 2026 at 14:00 CET"),
        "{}",
        english.text
    );
    let mail = render(&mail).unwrap();
    // The subject is one line of plain spaces.
    assert!(mail.subject.contains("12.345,67 €"), "{}", mail.subject);
    for body in [&mail.text, &mail.html] {
        assert!(body.contains("12.345,67\u{a0}€"), "{body}");
        assert!(!body.contains("USD") && !body.contains("EUR"), "{body}");
        // 13:00 UTC is 14:00 in Madrid, in November.
        assert!(
            body.contains("23 de noviembre de 2026 a las 14:00 CET"),
            "{body}"
        );
        assert!(!body.contains("UTC"), "{body}");
    }
}

/// A link's expiry in the tenant's zone: never "... UTC" for a tenant in
/// Chicago.
#[test]
fn a_link_mail_says_when_it_expires_in_the_tenants_zone() {
    let mut mail = set_password_mail("ada@example.com");
    mail.time_zone = "America/Chicago".into();
    let mail = render(&mail).unwrap();
    for body in [&mail.text, &mail.html] {
        assert!(
            body.contains("Monday, November 23, 2026 at 7:00\u{202f}AM CST"),
            "{body}"
        );
        assert!(!body.contains("UTC"), "{body}");
    }
}

#[test]
fn a_request_notice_names_the_request_its_status_and_the_hosts_note() {
    let kind = request_notice_kind("Booked for Thursday <9am>");
    let EmailKind::Notice(notice) = &kind else {
        unreachable!()
    };
    let link = notice.link.clone();
    let mail = render(&mail_to("ada@example.com", kind)).unwrap();
    assert_eq!(mail.subject, "Your request “Request service”: Scheduled");
    for body in [&mail.text, &mail.html] {
        assert!(
            body.contains(
                "Acme Plumbing set the status of your request “Request service” to “Scheduled”"
            ),
            "{body}"
        );
        assert!(body.contains("View request"), "{body}");
    }
    assert!(mail.text.contains("and wrote: Booked for Thursday <9am>"));
    assert!(!mail.html.contains("<9am>"), "{}", mail.html);
    assert!(mail.text.lines().any(|line| line == link), "{}", mail.text);
}
