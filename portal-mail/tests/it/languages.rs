//! Mails in the contact's language: Spanish mails carry no English, and the
//! templates use only keys the catalog has.

use portal_core::shared::Language;
use portal_i18n::testing::{english_left, unknown_keys};
use portal_mail::render;

use crate::support::{every_kind, mail_to, receipt_kind, request_notice_kind};

fn spanish(kind: portal_core::outbox::EmailKind) -> portal_core::outbox::Email {
    let mut mail = mail_to("ada@example.com", kind);
    mail.language = Language::Spanish;
    mail
}

#[test]
fn every_mail_in_spanish_has_no_english_left_in_subject_text_or_html() {
    for kind in every_kind().into_iter().chain([receipt_kind()]) {
        let rendered = render(&spanish(kind.clone())).unwrap();
        for (part, body) in [
            ("subject", &rendered.subject),
            ("text", &rendered.text),
            ("html", &rendered.html),
        ] {
            assert_eq!(
                english_left(body),
                Vec::<String>::new(),
                "{kind:?} {part}: {body}"
            );
        }
        assert!(rendered.html.contains("<html lang=\"es\">"), "{kind:?}");
        assert!(
            rendered.text.starts_with("Hola, Ada Lovelace:\n"),
            "{kind:?}"
        );
    }
}

#[test]
// Amounts are written the tenant's way (its locale, en-US here), whatever
// the language.
fn a_spanish_receipt_says_it_in_spanish_with_the_figures_it_was_given() {
    let rendered = render(&spanish(receipt_kind())).unwrap();
    assert_eq!(
        rendered.subject,
        "Recibo de su pago de $150.00 a Acme Plumbing"
    );
    for expected in [
        "Gracias: recibimos su pago de $150.00",
        "Factura INV-1",
        "Queda por pagar en la cuenta: $43.21",
        "Pagado con el saldo a favor de su cuenta: $12.00",
        "Medio de pago: Visa terminada en 4242",
        "Fecha de pago: lunes, 23 de noviembre de 2026",
    ] {
        assert!(
            rendered.text.contains(expected),
            "{expected}: {}",
            rendered.text
        );
    }
}

#[test]
fn the_english_mail_is_unchanged_by_a_spanish_one_rendered_before_it() {
    let kind = receipt_kind();
    render(&spanish(kind.clone())).unwrap();
    let english = render(&mail_to("ada@example.com", kind)).unwrap();
    assert!(english.text.starts_with("Hello Ada Lovelace,\n"));
}

#[test]
fn every_key_the_mail_templates_and_code_use_is_in_the_catalog() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut unknown = Vec::new();
    let mut seen = 0;
    for folder in ["templates", "src"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let path = entry.unwrap().path();
            let source = std::fs::read_to_string(&path).unwrap();
            seen += portal_i18n::testing::used_keys(&source).len();
            unknown.extend(unknown_keys(&path.display().to_string(), &source));
        }
    }
    assert_eq!(unknown, Vec::<String>::new());
    assert!(seen > 40, "the templates look up only {seen} keys");
}

#[test]
fn a_spanish_request_notice_says_it_in_spanish() {
    let rendered = render(&spanish(request_notice_kind("Reservado para el jueves"))).unwrap();
    assert_eq!(
        rendered.subject,
        "Su solicitud «Solicitar servicio»: Programada"
    );
    for (part, body) in [
        ("subject", &rendered.subject),
        ("text", &rendered.text),
        ("html", &rendered.html),
    ] {
        assert_eq!(english_left(body), Vec::<String>::new(), "{part}: {body}");
    }
    assert!(
        rendered.text.contains(
            "Acme Plumbing cambió el estado de su solicitud «Solicitar servicio» a «Programada» \
             y escribió: Reservado para el jueves"
        ),
        "{}",
        rendered.text
    );
    assert!(rendered.text.contains("Ver solicitud"), "{}", rendered.text);
}
