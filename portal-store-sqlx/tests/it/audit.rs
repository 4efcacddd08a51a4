//! The audit log's contracts and the security page's sessions: entries
//! commit with the change they record (and not without it), each
//! account reads only its own log, newest first; a contact's sign-in
//! history holds only sign-ins; a contact lists and ends only their own
//! sessions, never a staff member's "view as" session; a "view as"
//! session starts only on an account its contact is a member of.

use chrono::Duration;
use portal_core::access::{AccountScope, ClientInfo};
use portal_core::audit::{AuditAction, AuditActor, AuditEntry};
use portal_core::identity::Session;
use portal_core::ports::StoreError;
use portal_core::shared::{PageRequest, SessionId};

use crate::harness::{PASSWORD, TestDb, World, address, conformance, now};

conformance!(
    a_sign_in_is_audited_with_its_session_and_not_when_the_session_is_refused,
    each_account_reads_its_own_log_newest_first,
    the_sign_in_history_is_the_contacts_sign_ins_only,
    a_contact_lists_and_ends_only_their_own_sessions,
    a_view_as_session_needs_a_membership_and_is_audited_with_it,
);

fn entry(world: &World, action: AuditAction, minutes_ago: i64) -> AuditEntry {
    AuditEntry::new(
        world.tenant.id,
        action,
        AuditActor::Contact {
            id: world.contact.id,
            name: world.contact.name.clone(),
        },
        now() - Duration::minutes(minutes_ago),
    )
    .about(world.contact.id)
    .on(world.account.id)
    .from_client(&ClientInfo {
        address: Some("203.0.113.9".parse().unwrap()),
        user_agent: Some("Mozilla/5.0 (iPhone)".into()),
    })
}

fn scope(world: &World, second: bool) -> AccountScope {
    let account = if second {
        world.second_account.id
    } else {
        world.account.id
    };
    AccountScope::unchecked(world.tenant.id, account)
}

async fn a_sign_in_is_audited_with_its_session_and_not_when_the_session_is_refused(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let (session, _) = world.session_on(world.account.id, now());
    let signed_in = entry(&world, AuditAction::SignedIn, 0);
    db.start_session(
        &session,
        PASSWORD,
        &address(),
        &[signed_in.clone().message()],
    )
    .await
    .unwrap();
    let log = db
        .account_log(&scope(&world, false), PageRequest::new(1, 10))
        .await
        .unwrap();
    assert_eq!(log.items, vec![signed_in]);
    // A password changed meanwhile: no session, and no entry either.
    let (refused, _) = world.session_on(world.account.id, now());
    let lost = entry(&world, AuditAction::SignedIn, 0);
    assert!(matches!(
        db.start_session(&refused, "an old hash", &address(), &[lost.message()])
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(db.count("SELECT COUNT(*) FROM audit_log").await, 1);
}

async fn each_account_reads_its_own_log_newest_first(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let other = World::new(&*db, "globex").await;
    let older = entry(&world, AuditAction::PasswordChanged, 10);
    let newer = entry(&world, AuditAction::PaymentMade, 1).with_detail("USD 125.00");
    let on_second = entry(&world, AuditAction::QuoteApproved, 5).on(world.second_account.id);
    let elsewhere = entry(&other, AuditAction::SignedIn, 0);
    db.record_audit(&[older.clone(), newer.clone(), on_second.clone(), elsewhere])
        .await
        .unwrap();
    let first = db
        .account_log(&scope(&world, false), PageRequest::new(1, 1))
        .await
        .unwrap();
    assert_eq!((first.items, first.total), (vec![newer], 2));
    let second_page = db
        .account_log(&scope(&world, false), PageRequest::new(2, 1))
        .await
        .unwrap();
    assert_eq!(second_page.items, vec![older]);
    let second = db
        .account_log(&scope(&world, true), PageRequest::new(1, 10))
        .await
        .unwrap();
    assert_eq!(second.items, vec![on_second]);
    // Another tenant's scope on this account's id reads nothing.
    let foreign = AccountScope::unchecked(other.tenant.id, world.account.id);
    assert!(
        db.account_log(&foreign, PageRequest::new(1, 10))
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

async fn the_sign_in_history_is_the_contacts_sign_ins_only(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let ok = entry(&world, AuditAction::SignedIn, 3);
    let failed = entry(&world, AuditAction::SignInFailed, 2);
    let changed = entry(&world, AuditAction::PasswordChanged, 1);
    let mut stranger = entry(&world, AuditAction::SignedIn, 0);
    stranger.contact = None;
    db.record_audit(&[ok.clone(), failed.clone(), changed, stranger])
        .await
        .unwrap();
    let history = db
        .sign_ins(world.tenant.id, world.contact.id, 10)
        .await
        .unwrap();
    assert_eq!(history, vec![failed.clone(), ok]);
    assert_eq!(
        db.sign_ins(world.tenant.id, world.contact.id, 1)
            .await
            .unwrap(),
        vec![failed]
    );
}

fn view_as(world: &World, on: portal_core::shared::AccountId) -> Session {
    let (mut session, _) = world.session_on(on, now());
    session.viewer = Some("kim@host".into());
    session.token_hash = portal_core::identity::RawToken::from_client("x")
        .into_view_as()
        .hash();
    session
}

async fn a_contact_lists_and_ends_only_their_own_sessions(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let other = World::new(&*db, "globex").await;
    let (mine, _) = world.log_in(&*db).await;
    let (mut phone, _) = world.session_on(world.second_account.id, now() + Duration::minutes(1));
    phone.client = ClientInfo {
        address: Some("2001:db8::7".parse().unwrap()),
        user_agent: Some("Mozilla/5.0 (Android)".into()),
    };
    phone.last_seen_at = now() + Duration::minutes(1);
    db.start_session(&phone, PASSWORD, &address(), &[])
        .await
        .unwrap();
    let staff = view_as(&world, world.account.id);
    db.start_view_as_session(&staff, &[]).await.unwrap();
    let (theirs, _) = other.log_in(&*db).await;
    let listed = db
        .contact_sessions(
            world.tenant.id,
            world.contact.id,
            now() + Duration::minutes(2),
        )
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![phone.id, mine.id]
    );
    assert_eq!(listed[0].client, phone.client);
    // Expired sessions are not listed.
    assert!(
        db.contact_sessions(world.tenant.id, world.contact.id, now() + Duration::days(1))
            .await
            .unwrap()
            .is_empty()
    );
    // Not another contact's, not a staff member's, not an unknown one.
    for id in [theirs.id, staff.id, SessionId::new()] {
        let ended = entry(&world, AuditAction::SessionEnded, 0);
        assert!(matches!(
            db.end_contact_session(world.tenant.id, world.contact.id, id, &[ended.message()])
                .await,
            Err(StoreError::NotFound)
        ));
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM audit_log").await, 0);
    let ended = entry(&world, AuditAction::SessionEnded, 0);
    db.end_contact_session(
        world.tenant.id,
        world.contact.id,
        phone.id,
        &[ended.message()],
    )
    .await
    .unwrap();
    assert_eq!(db.count("SELECT COUNT(*) FROM sessions").await, 3);
    assert_eq!(db.count("SELECT COUNT(*) FROM audit_log").await, 1);
}

async fn a_view_as_session_needs_a_membership_and_is_audited_with_it(db: TestDb) {
    let world = World::new(&*db, "acme").await;
    let other = World::new(&*db, "globex").await;
    let started = entry(&world, AuditAction::ViewAsStarted, 0);
    // Another tenant's account: nothing written.
    let foreign = view_as(&world, other.account.id);
    assert!(matches!(
        db.start_view_as_session(&foreign, &[started.clone().message()])
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(db.count("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(db.count("SELECT COUNT(*) FROM audit_log").await, 0);
    let session = view_as(&world, world.account.id);
    db.start_view_as_session(&session, &[started.message()])
        .await
        .unwrap();
    let context = db
        .session_context(world.tenant.id, &session.token_hash, now())
        .await
        .unwrap()
        .expect("the view-as session is live");
    assert_eq!(context.session.viewer.as_deref(), Some("kim@host"));
    assert_eq!(context.contact.id, world.contact.id);
    assert_eq!(db.count("SELECT COUNT(*) FROM audit_log").await, 1);
    // The account's primary contact is whom staff see.
    assert_eq!(
        db.primary_contact(world.tenant.id, world.account.id)
            .await
            .unwrap(),
        Some(world.contact.id)
    );
    assert_eq!(
        db.primary_contact(world.tenant.id, world.second_account.id)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        db.primary_contact(other.tenant.id, world.account.id)
            .await
            .unwrap(),
        None
    );
}
