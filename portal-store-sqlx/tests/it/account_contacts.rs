//! An account's contacts as their manager changes them
//! ([`AccountContactStore`]): scoped to the account, every change with its
//! messages in one transaction, the last manager never taken away (also
//! under concurrency), and access per membership, which a session needs.

use portal_core::access::{AccountScope, Role};
use portal_core::contacts::{ContactChange, ContactDetails, ContactsConflict, NewAccountContact};
use portal_core::identity::TokenPurpose;
use portal_core::outbox::{DomainEvent, OutboxMessage};
use portal_core::ports::{Store, StoreError};
use portal_core::shared::{Conflict, ContactId, ExternalId, PageRequest, Unique};

use crate::harness::{TestDb, World, conformance, now, tenant, token_for};

conformance!(
    an_accounts_contacts_are_its_members_with_role_access_and_password_only,
    adding_a_contact_writes_the_person_the_membership_and_its_messages,
    adding_with_a_taken_email_is_a_conflict_and_writes_nothing,
    a_contact_of_another_account_is_not_found_and_nothing_is_written,
    switching_access_off_ends_that_accounts_sessions_and_keeps_the_others,
    a_session_whose_membership_access_is_off_is_refused,
    the_last_manager_is_never_demoted_switched_off_or_removed,
    two_concurrent_demotions_of_the_last_two_managers_never_both_succeed,
    an_edit_changes_details_and_role_and_a_new_email_spends_old_links,
    editing_to_another_contacts_email_is_a_conflict_and_writes_nothing,
    an_edit_keeps_other_numbers_but_the_one_made_the_log_in_phone,
);

// PostgreSQL's JSONB text puts a space after the colon, so these match the
// event's quoted name alone.
const ADDED: &str =
    "SELECT COUNT(*) FROM outbox WHERE CAST(payload AS TEXT) LIKE '%\"contact_added\"%'";
const ANY_CONTACT_EVENT: &str =
    "SELECT COUNT(*) FROM outbox WHERE CAST(payload AS TEXT) LIKE '%\"contact\\_%' ESCAPE '\\'";

/// The first page, 25 rows.
fn first_page() -> PageRequest {
    PageRequest::new(1, 25)
}

fn scope(world: &World) -> AccountScope {
    AccountScope::unchecked(world.tenant.id, world.account.id)
}

fn new_contact(name: &str, email: &str, role: Role) -> NewAccountContact {
    let id = ContactId::new();
    NewAccountContact {
        id,
        external_id: ExternalId::parse(&format!("portal-{}", id.as_uuid())).unwrap(),
        details: ContactDetails::parse(name, email, "").unwrap(),
        role,
    }
}

fn added(new: &NewAccountContact, world: &World) -> OutboxMessage {
    OutboxMessage::Event(DomainEvent::ContactAdded {
        account: world.account.id,
        contact: new.id,
        external_id: new.external_id.clone(),
        name: new.details.name.clone(),
        email: new.details.email.clone(),
        phone: None,
        role: new.role,
        by: world.contact.id,
    })
}

fn role_changed(world: &World, contact: ContactId) -> OutboxMessage {
    OutboxMessage::Event(DomainEvent::ContactRoleChanged {
        account: world.account.id,
        contact,
        external_id: ExternalId::parse("x").unwrap(),
        role: Role::Member,
        by: world.contact.id,
    })
}

/// Adds a second manager (Primary) to the world's first account.
async fn second_manager(db: &TestDb, world: &World) -> ContactId {
    let carol = new_contact("Carol", "carol@example.com", Role::Primary);
    db.add_account_contact(scope(world), &carol, &[])
        .await
        .unwrap();
    carol.id
}

async fn an_accounts_contacts_are_its_members_with_role_access_and_password_only(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let bob = new_contact("Bob", "bob@example.com", Role::Member);
    let on_b = AccountScope::unchecked(world.tenant.id, world.second_account.id);
    db.add_account_contact(on_b, &bob, &[]).await.unwrap();

    let listed = db
        .account_contacts(scope(&world), first_page())
        .await
        .unwrap()
        .items;
    assert_eq!(listed.len(), 1, "only the first account's members");
    assert_eq!(listed[0].contact, world.contact);
    assert_eq!(listed[0].role, Role::Primary);
    assert!(listed[0].has_access && listed[0].has_password);
    let on_b = db.account_contacts(on_b, first_page()).await.unwrap().items;
    let names: Vec<_> = on_b.iter().map(|c| c.contact.name.as_str()).collect();
    assert_eq!(names.len(), 2);
    let bob_listed = on_b.iter().find(|c| c.contact.id == bob.id).unwrap();
    assert!(bob_listed.has_access && !bob_listed.has_password);
    // In pages, in the same order, each page with the total.
    let on_b_scope = AccountScope::unchecked(world.tenant.id, world.second_account.id);
    let second = db
        .account_contacts(on_b_scope, PageRequest::new(2, 1))
        .await
        .unwrap();
    assert_eq!((second.total, second.items.len()), (2, 1));
    assert_eq!(second.items[0].contact.id, on_b[1].contact.id);
    let past_the_end = db
        .account_contacts(on_b_scope, PageRequest::new(5, 1))
        .await
        .unwrap();
    assert_eq!((past_the_end.total, past_the_end.items.len()), (2, 0));

    let other = tenant(&*db, "other").await;
    let elsewhere = AccountScope::unchecked(other.id, world.account.id);
    assert!(
        db.account_contacts(elsewhere, first_page())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        db.account_contact(elsewhere, world.contact.id)
            .await
            .unwrap()
            .is_none()
    );
}

async fn adding_a_contact_writes_the_person_the_membership_and_its_messages(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let bob = new_contact("Bob", "bob@example.com", Role::Billing);
    let added_bob = db
        .add_account_contact(scope(&world), &bob, &[added(&bob, &world)])
        .await
        .unwrap();
    assert_eq!(added_bob.contact.id, bob.id);
    assert_eq!(added_bob.contact.external_id, bob.external_id);
    assert_eq!(added_bob.role, Role::Billing);
    assert!(added_bob.has_access && !added_bob.has_password);
    assert_eq!(db.count(ADDED).await, 1);
    let memberships = db.memberships(world.tenant.id, bob.id).await.unwrap();
    assert_eq!(memberships.len(), 1);
    assert!(memberships[0].portal_enabled);
}

async fn adding_with_a_taken_email_is_a_conflict_and_writes_nothing(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let email = world.contact.email.clone().unwrap();
    let twin = new_contact("Twin", email.as_str(), Role::Member);
    let refused = db
        .add_account_contact(scope(&world), &twin, &[added(&twin, &world)])
        .await;
    assert!(matches!(
        refused,
        Err(StoreError::Conflict(Conflict::Taken(Unique::Email)))
    ));
    assert_eq!(db.count("SELECT COUNT(*) FROM contacts").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 0);
}

async fn a_contact_of_another_account_is_not_found_and_nothing_is_written(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let bob = new_contact("Bob", "bob@example.com", Role::Member);
    let on_b = AccountScope::unchecked(world.tenant.id, world.second_account.id);
    db.add_account_contact(on_b, &bob, &[]).await.unwrap();
    for change in [
        ContactChange::Role(Role::Viewer),
        ContactChange::Access(false),
        ContactChange::Remove,
    ] {
        let refused = db
            .change_account_contact(
                scope(&world),
                bob.id,
                &change,
                &[role_changed(&world, bob.id)],
            )
            .await;
        assert!(matches!(refused, Err(StoreError::NotFound)), "{change:?}");
    }
    assert!(
        db.account_contact(scope(&world), bob.id)
            .await
            .unwrap()
            .is_none()
    );
    let bob_on_b = db.account_contact(on_b, bob.id).await.unwrap().unwrap();
    assert_eq!(bob_on_b.role, Role::Member);
    assert!(bob_on_b.has_access);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 0);
}

async fn switching_access_off_ends_that_accounts_sessions_and_keeps_the_others(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    second_manager(&db, &world).await;
    let (_, on_a) = world.log_in(&*db).await;
    let (session_b, on_b) = world.session_on(world.second_account.id, now());
    db.start_session(
        &session_b,
        crate::harness::PASSWORD,
        &crate::harness::address(),
        &[],
    )
    .await
    .unwrap();

    let after = db
        .change_account_contact(
            scope(&world),
            world.contact.id,
            &ContactChange::Access(false),
            &[],
        )
        .await
        .unwrap()
        .unwrap();
    assert!(!after.has_access);
    let tenant = world.tenant.id;
    assert!(
        db.session_context(tenant, &on_a.hash(), now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        db.session_context(tenant, &on_b.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
    // Not usable for log-in or the switcher either, until switched on.
    let memberships = db.memberships(tenant, world.contact.id).await.unwrap();
    let usable: Vec<_> = memberships.iter().filter(|m| m.portal_enabled).collect();
    assert_eq!(usable.len(), 1);
    assert_eq!(usable[0].account, world.second_account.id);
    assert!(matches!(
        db.switch_account(tenant, session_b.id, world.account.id)
            .await,
        Err(StoreError::NotFound)
    ));

    db.change_account_contact(
        scope(&world),
        world.contact.id,
        &ContactChange::Access(true),
        &[],
    )
    .await
    .unwrap();
    db.switch_account(tenant, session_b.id, world.account.id)
        .await
        .unwrap();
}

async fn a_session_whose_membership_access_is_off_is_refused(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (_, token) = world.log_in(&*db).await;
    // Switched off by a writer that left the session in place: the lookup
    // itself must refuse it.
    db.execute(
        "UPDATE memberships SET portal_access = 0",
        "UPDATE memberships SET portal_access = FALSE",
    )
    .await;
    let read = db
        .session_context(world.tenant.id, &token.hash(), now())
        .await
        .unwrap();
    assert!(read.is_none());
}

async fn the_last_manager_is_never_demoted_switched_off_or_removed(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (_, token) = world.log_in(&*db).await;
    let details = ContactDetails::parse("Ada", "ada2@example.com", "").unwrap();
    for change in [
        ContactChange::Role(Role::Member),
        ContactChange::Access(false),
        ContactChange::Remove,
        ContactChange::Edit {
            details,
            role: Role::Billing,
        },
    ] {
        let refused = db
            .change_account_contact(
                scope(&world),
                world.contact.id,
                &change,
                &[role_changed(&world, world.contact.id)],
            )
            .await;
        assert!(
            matches!(
                refused,
                Err(StoreError::Conflict(Conflict::Contacts(
                    ContactsConflict::LastManager
                )))
            ),
            "{change:?}: {refused:?}"
        );
    }
    let ada = db
        .account_contact(scope(&world), world.contact.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ada.contact, world.contact, "the edit wrote nothing");
    assert_eq!(ada.role, Role::Primary);
    assert!(ada.has_access);
    assert!(
        db.session_context(world.tenant.id, &token.hash(), now())
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(db.count(ANY_CONTACT_EVENT).await, 0);

    // With a second manager, the first may step down.
    second_manager(&db, &world).await;
    db.change_account_contact(
        scope(&world),
        world.contact.id,
        &ContactChange::Role(Role::Member),
        &[],
    )
    .await
    .unwrap();
}

async fn two_concurrent_demotions_of_the_last_two_managers_never_both_succeed(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let carol = second_manager(&db, &world).await;
    let other = db.another_store().await;
    for round in 0..4 {
        let demote = |store: std::sync::Arc<dyn Store>, who: ContactId| {
            let scope = scope(&world);
            tokio::spawn(async move {
                store
                    .change_account_contact(scope, who, &ContactChange::Role(Role::Member), &[])
                    .await
            })
        };
        let first = demote(db.store.clone(), world.contact.id);
        let second = demote(other.clone(), carol);
        let results = [first.await.unwrap(), second.await.unwrap()];
        let won = results.iter().filter(|r| r.is_ok()).count();
        let lost = results
            .iter()
            .filter(|r| {
                matches!(
                    r,
                    Err(StoreError::Conflict(Conflict::Contacts(
                        ContactsConflict::LastManager
                    )))
                )
            })
            .count();
        assert_eq!((won, lost), (1, 1), "round {round}: {results:?}");
        let managers = db
            .account_contacts(scope(&world), first_page())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|c| c.role == Role::Primary)
            .count();
        assert_eq!(managers, 1);
        // Both managers again for the next round.
        for who in [world.contact.id, carol] {
            db.change_account_contact(scope(&world), who, &ContactChange::Role(Role::Primary), &[])
                .await
                .unwrap();
        }
    }
}

async fn an_edit_changes_details_and_role_and_a_new_email_spends_old_links(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let bob = new_contact("Bob", "bob@example.com", Role::Member);
    db.add_account_contact(scope(&world), &bob, &[])
        .await
        .unwrap();
    let (token, _) = token_for(world.tenant.id, bob.id, TokenPurpose::Invitation);
    db.seed_token(&token).await;

    let details = ContactDetails::parse("Robert", "robert@example.com", "555 010 0199").unwrap();
    let after = db
        .change_account_contact(
            scope(&world),
            bob.id,
            &ContactChange::Edit {
                details: details.clone(),
                role: Role::Billing,
            },
            &[role_changed(&world, bob.id)],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.contact.name, "Robert");
    assert_eq!(after.contact.email, Some(details.email));
    assert_eq!(after.contact.phone, details.phone);
    assert_eq!(after.role, Role::Billing);
    assert!(
        db.live_token(world.tenant.id, &token.hash, now())
            .await
            .unwrap()
            .is_none(),
        "the link mailed to the old address died"
    );
    assert_eq!(db.count(ANY_CONTACT_EVENT).await, 1);
}

async fn editing_to_another_contacts_email_is_a_conflict_and_writes_nothing(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let bob = new_contact("Bob", "bob@example.com", Role::Member);
    db.add_account_contact(scope(&world), &bob, &[])
        .await
        .unwrap();
    let taken = world.contact.email.clone().unwrap();
    let details = ContactDetails::parse("Robert", taken.as_str(), "").unwrap();
    let refused = db
        .change_account_contact(
            scope(&world),
            bob.id,
            &ContactChange::Edit {
                details,
                role: Role::Viewer,
            },
            &[role_changed(&world, bob.id)],
        )
        .await;
    assert!(matches!(
        refused,
        Err(StoreError::Conflict(Conflict::Taken(Unique::Email)))
    ));
    let unchanged = db
        .account_contact(scope(&world), bob.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged.contact.name, "Bob");
    assert_eq!(unchanged.role, Role::Member);
    assert_eq!(db.count(ANY_CONTACT_EVENT).await, 0);
}

async fn an_edit_keeps_other_numbers_but_the_one_made_the_log_in_phone(db: TestDb) {
    use portal_core::identity::{OtherPhone, PhoneKind, ProfileChange};
    use portal_core::shared::PhoneNumber;
    let world = World::new(&*db, "acme").await;
    let bob = new_contact("Bob", "bob@example.com", Role::Member);
    db.add_account_contact(scope(&world), &bob, &[])
        .await
        .unwrap();
    let stored = db.contact(world.tenant.id, bob.id).await.unwrap().unwrap();
    let other = |kind, number| OtherPhone {
        kind,
        number: PhoneNumber::parse(number).unwrap(),
    };
    let numbers = vec![
        other(PhoneKind::Mobile, "555 010 0301"),
        other(PhoneKind::Work, "555 010 0302"),
    ];
    db.update_profile(
        world.tenant.id,
        &stored,
        &ProfileChange {
            name: stored.name.clone(),
            phone: None,
            other_phones: numbers.clone(),
        },
        &[],
    )
    .await
    .unwrap();
    let edit = |phone: &str| ContactChange::Edit {
        details: ContactDetails::parse("Bob", "bob@example.com", phone).unwrap(),
        role: Role::Member,
    };
    let after = db
        .change_account_contact(scope(&world), bob.id, &edit("555 010 0399"), &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.contact.other_phones, numbers, "left as they are");
    let after = db
        .change_account_contact(scope(&world), bob.id, &edit("555-010-0301"), &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        after.contact.phone,
        Some(PhoneNumber::parse("5550100301").unwrap())
    );
    assert_eq!(
        after.contact.other_phones,
        vec![other(PhoneKind::Work, "555 010 0302")],
        "the log-in phone is no longer another number"
    );
}
