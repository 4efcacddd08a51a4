//! The profile port's contracts: a contact changes their own name and
//! phone (a phone another contact has is a conflict that writes nothing);
//! an e-mail change waits for the new address, only its newest link
//! works, it is spent once, an expired or foreign one is nothing, and
//! confirming sets the e-mail, kills links mailed to the old address and
//! writes its messages — unless another contact took the address
//! meanwhile, or the contact's details changed since the messages were
//! built, which write nothing.

use chrono::Duration;
use portal_core::identity::{
    EmailChange, IdentityConflict, OtherPhone, PhoneKind, ProfileChange, RawToken, TokenPurpose,
};
use portal_core::ports::StoreError;
use portal_core::shared::{Conflict, EmailAddress, PhoneNumber};
use uuid::Uuid;

use crate::harness::{TestDb, World, conformance, contact, event, mail, now, token_for};

conformance!(
    a_contact_changes_their_name_and_phone_but_not_to_a_taken_phone,
    only_the_newest_email_change_confirms_once_and_kills_old_links,
    an_email_taken_meanwhile_is_a_conflict_that_writes_nothing,
    an_expired_or_foreign_change_is_nothing,
    a_password_change_kills_a_pending_email_change,
    a_contact_changed_meanwhile_is_a_conflict_that_writes_nothing,
    other_numbers_are_kept_with_the_contact_replaced_whole_and_only_when_unchanged,
);

fn change(world: &World, to: &str, created_minutes_ago: i64) -> (EmailChange, RawToken) {
    let raw = RawToken::from_client(&Uuid::new_v4().simple().to_string());
    let created_at = now() - Duration::minutes(created_minutes_ago);
    (
        EmailChange {
            hash: raw.hash(),
            tenant: world.tenant.id,
            contact: world.contact.id,
            new_email: EmailAddress::parse(to).unwrap(),
            created_at,
            expires_at: created_at + Duration::hours(24),
        },
        raw,
    )
}

async fn a_contact_changes_their_name_and_phone_but_not_to_a_taken_phone(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let other = contact(&*db, world.tenant.id, "bob").await;
    let taken = PhoneNumber::parse("555 0100 99").unwrap();
    db.upsert_contact(
        world.tenant.id,
        &portal_core::identity::ContactUpsert {
            phone: Some(taken.clone()),
            ..crate::harness::contact_upsert("bob", other.email.as_ref().unwrap().as_str(), None)
        },
    )
    .await
    .unwrap();
    let changed = db
        .update_profile(
            world.tenant.id,
            &world.contact,
            &ProfileChange {
                name: "Ada Lovelace".into(),
                phone: Some(PhoneNumber::parse("555 0100 42").unwrap()),
                other_phones: Vec::new(),
            },
            &[event(world.contact.id)],
        )
        .await
        .unwrap();
    assert_eq!(changed.name, "Ada Lovelace");
    assert_eq!(changed.email, world.contact.email, "the e-mail stays");
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
    let refused = db
        .update_profile(
            world.tenant.id,
            &changed,
            &ProfileChange {
                name: "Someone else".into(),
                phone: Some(taken),
                other_phones: Vec::new(),
            },
            &[event(world.contact.id)],
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    let stored = db
        .contact(world.tenant.id, world.contact.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.name, "Ada Lovelace", "nothing written");
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
    // Another tenant's contact id is not found.
    let globex = World::new(&*db, "globex").await;
    assert!(matches!(
        db.update_profile(
            globex.tenant.id,
            &world.contact,
            &ProfileChange {
                name: "x".into(),
                phone: None,
                other_phones: Vec::new(),
            },
            &[],
        )
        .await,
        Err(StoreError::NotFound)
    ));
}

async fn only_the_newest_email_change_confirms_once_and_kills_old_links(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (reset, reset_raw) = token_for(
        world.tenant.id,
        world.contact.id,
        TokenPurpose::ResetPassword,
    );
    db.seed_token(&reset).await;
    let (first, first_raw) = change(&world, "ada@new.example", 10);
    let (second, second_raw) = change(&world, "ada@newer.example", 5);
    db.start_email_change(&first, &[mail("ada@new.example")])
        .await
        .unwrap();
    db.start_email_change(&second, &[mail("ada@newer.example")])
        .await
        .unwrap();
    assert_eq!(
        db.pending_email_change(world.tenant.id, &first_raw.hash(), now())
            .await
            .unwrap(),
        None,
        "the newer request spent the first"
    );
    assert_eq!(
        db.pending_email_change(world.tenant.id, &second_raw.hash(), now())
            .await
            .unwrap(),
        Some(second.clone())
    );
    // Asking does not spend a password link.
    assert!(
        db.live_token(world.tenant.id, &reset_raw.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
    db.complete_email_change(
        world.tenant.id,
        &second_raw.hash(),
        &world.contact,
        now(),
        &[event(world.contact.id)],
    )
    .await
    .unwrap();
    let stored = db
        .contact(world.tenant.id, world.contact.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.email.unwrap().as_str(), "ada@newer.example");
    assert!(
        db.live_token(world.tenant.id, &reset_raw.hash(), now())
            .await
            .unwrap()
            .is_none(),
        "a link mailed to the old address dies"
    );
    assert!(matches!(
        db.complete_email_change(
            world.tenant.id,
            &second_raw.hash(),
            &world.contact,
            now(),
            &[]
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 3);
}

async fn an_email_taken_meanwhile_is_a_conflict_that_writes_nothing(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (pending, raw) = change(&world, "grace@example.com", 1);
    db.start_email_change(&pending, &[]).await.unwrap();
    db.upsert_contact(
        world.tenant.id,
        &crate::harness::contact_upsert("grace", "grace@example.com", None),
    )
    .await
    .unwrap();
    let refused = db
        .complete_email_change(
            world.tenant.id,
            &raw.hash(),
            &world.contact,
            now(),
            &[event(world.contact.id)],
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    let stored = db
        .contact(world.tenant.id, world.contact.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.email, world.contact.email);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 0);
    assert!(
        db.pending_email_change(world.tenant.id, &raw.hash(), now())
            .await
            .unwrap()
            .is_some(),
        "not spent either"
    );
}

async fn an_expired_or_foreign_change_is_nothing(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let globex = World::new(&*db, "globex").await;
    let (old, old_raw) = change(&world, "ada@new.example", 60 * 25);
    db.start_email_change(&old, &[]).await.unwrap();
    assert_eq!(
        db.pending_email_change(world.tenant.id, &old_raw.hash(), now())
            .await
            .unwrap(),
        None
    );
    assert!(matches!(
        db.complete_email_change(world.tenant.id, &old_raw.hash(), &world.contact, now(), &[])
            .await,
        Err(StoreError::NotFound)
    ));
    let (live, raw) = change(&world, "ada@new.example", 1);
    db.start_email_change(&live, &[]).await.unwrap();
    assert_eq!(
        db.pending_email_change(globex.tenant.id, &raw.hash(), now())
            .await
            .unwrap(),
        None
    );
    assert!(matches!(
        db.complete_email_change(globex.tenant.id, &raw.hash(), &world.contact, now(), &[])
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn a_password_change_kills_a_pending_email_change(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (pending, raw) = change(&world, "thief@example.com", 1);
    db.start_email_change(&pending, &[]).await.unwrap();
    db.change_password(
        world.tenant.id,
        world.contact.id,
        crate::harness::PASSWORD,
        "hash-1",
        None,
        &[],
    )
    .await
    .unwrap();
    assert_eq!(
        db.pending_email_change(world.tenant.id, &raw.hash(), now())
            .await
            .unwrap(),
        None
    );
    assert!(matches!(
        db.complete_email_change(world.tenant.id, &raw.hash(), &world.contact, now(), &[])
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn a_contact_changed_meanwhile_is_a_conflict_that_writes_nothing(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (pending, raw) = change(&world, "ada@new.example", 1);
    db.start_email_change(&pending, &[]).await.unwrap();
    // The host renames the contact after the confirmation read them.
    let renamed = db
        .update_profile(
            world.tenant.id,
            &world.contact,
            &ProfileChange {
                name: "Ada King".into(),
                phone: world.contact.phone.clone(),
                other_phones: Vec::new(),
            },
            &[],
        )
        .await
        .unwrap();
    let refused = db
        .complete_email_change(
            world.tenant.id,
            &raw.hash(),
            &world.contact,
            now(),
            &[event(world.contact.id)],
        )
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Conflict(Conflict::Identity(
                IdentityConflict::DetailsChanged
            )))
        ),
        "{refused:?}"
    );
    let stored = db
        .contact(world.tenant.id, world.contact.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.email, world.contact.email, "nothing written");
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 0);
    assert!(
        db.pending_email_change(world.tenant.id, &raw.hash(), now())
            .await
            .unwrap()
            .is_some(),
        "not spent either"
    );
    // Built on the contact as it now is, it goes through.
    db.complete_email_change(
        world.tenant.id,
        &raw.hash(),
        &renamed,
        now(),
        &[event(world.contact.id)],
    )
    .await
    .unwrap();
    let stored = db
        .contact(world.tenant.id, world.contact.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.email.unwrap().as_str(), "ada@new.example");
    assert_eq!(stored.name, "Ada King");
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
}

fn other(kind: PhoneKind, number: &str) -> OtherPhone {
    OtherPhone {
        kind,
        number: PhoneNumber::parse(number).unwrap(),
    }
}

async fn other_numbers_are_kept_with_the_contact_replaced_whole_and_only_when_unchanged(
    db: TestDb,
) {
    let world = World::new(&*db, "acme").await;
    let email = world.contact.email.clone().unwrap();
    let numbers = vec![
        other(PhoneKind::Work, "555 0100 71"),
        other(PhoneKind::Home, "+44 20 7946 0958"),
    ];
    let upserted = db
        .upsert_contact(
            world.tenant.id,
            &portal_core::identity::ContactUpsert {
                other_phones: Some(numbers.clone()),
                ..crate::harness::contact_upsert(
                    world.contact.external_id.as_str(),
                    email.as_str(),
                    None,
                )
            },
        )
        .await
        .unwrap();
    assert_eq!(upserted.other_phones, numbers, "as the upsert returns it");
    let read = db
        .contact_by_email(world.tenant.id, &email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.other_phones, numbers, "in the order given");
    // Another contact may have the same other number: not a log-in name.
    let bob = contact(&*db, world.tenant.id, "bob").await;
    db.upsert_contact(
        world.tenant.id,
        &portal_core::identity::ContactUpsert {
            other_phones: Some(vec![other(PhoneKind::Work, "555 0100 71")]),
            ..crate::harness::contact_upsert("bob", bob.email.as_ref().unwrap().as_str(), None)
        },
    )
    .await
    .unwrap();
    let changed = db
        .update_profile(
            world.tenant.id,
            &read,
            &ProfileChange {
                name: read.name.clone(),
                phone: None,
                other_phones: vec![other(PhoneKind::Mobile, "555 0100 72")],
            },
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        changed.other_phones,
        vec![other(PhoneKind::Mobile, "555 0100 72")]
    );
    let read = db
        .contact(world.tenant.id, world.contact.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.other_phones, changed.other_phones, "replaced whole");
    // A change built on the contact as it was before that is refused.
    let stale = db
        .update_profile(
            world.tenant.id,
            &upserted,
            &ProfileChange {
                name: "Ada".into(),
                phone: None,
                other_phones: Vec::new(),
            },
            &[event(world.contact.id)],
        )
        .await;
    assert!(
        matches!(
            stale,
            Err(StoreError::Conflict(Conflict::Identity(
                IdentityConflict::DetailsChanged
            )))
        ),
        "{stale:?}"
    );
    // A host upsert without other numbers keeps them; an empty list
    // removes them.
    let upsert =
        crate::harness::contact_upsert(world.contact.external_id.as_str(), email.as_str(), None);
    let kept = db.upsert_contact(world.tenant.id, &upsert).await.unwrap();
    assert_eq!(kept.other_phones, changed.other_phones);
    let emptied = db
        .upsert_contact(
            world.tenant.id,
            &portal_core::identity::ContactUpsert {
                other_phones: Some(Vec::new()),
                ..upsert
            },
        )
        .await
        .unwrap();
    assert_eq!(emptied.other_phones, Vec::new());
    assert_eq!(
        db.count("SELECT COUNT(*) FROM outbox").await,
        0,
        "nothing written by the stale change"
    );
}
