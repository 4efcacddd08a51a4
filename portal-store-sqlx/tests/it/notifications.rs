//! The notification port's contracts: who is told (the account's enabled
//! members, with their roles and choices), a notice written once per key
//! even when two callers race, a contact's own feed per account with its
//! unread count and marking read, and preferences.

use chrono::Duration;
use portal_core::access::{AccountScope, Role};
use portal_core::notifications::{Channel, Notice, Notification, NotificationKind, Preferences};
use portal_core::outbox::{Email, EmailKind, NoticeMail, OutboxMessage};
use portal_core::ports::StoreError;
use portal_core::shared::{AccountId, ContactId, NotificationId, PageRequest, TicketId};

use crate::billing::Books;
use crate::harness::{TestDb, conformance, contact, contact_upsert, now};

conformance!(
    recipients_are_the_accounts_enabled_members_with_their_roles_and_choices,
    a_notice_is_written_once_per_key_even_when_two_race,
    a_feed_is_the_contacts_own_for_the_account_newest_first_with_its_unread_count,
    preferences_are_replaced_whole_and_switching_off_keeps_the_rest,
);

fn notice(number: u64) -> Notice {
    Notice::TicketClosed {
        ticket: TicketId::new(),
        number,
        subject: "Leak".into(),
    }
}

fn entry(contact: ContactId, account: AccountId, number: u64, minutes_ago: i64) -> Notification {
    Notification {
        id: NotificationId::new(),
        contact,
        account,
        notice: notice(number),
        created_at: now() - Duration::minutes(minutes_ago),
        read_at: None,
    }
}

fn mail(books: &Books) -> OutboxMessage {
    OutboxMessage::Mail(Email::for_contact(
        &books.tenant,
        &books.contact,
        books.contact.email.clone().unwrap(),
        EmailKind::Notice(Box::new(NoticeMail {
            notice: notice(1),
            link: "https://acme.test/portal/tickets/1".into(),
            unsubscribe: "https://acme.test/portal/notifications/unsubscribe?token=t".into(),
        })),
    ))
}

async fn recipients_are_the_accounts_enabled_members_with_their_roles_and_choices(db: TestDb) {
    let books = Books::new(&*db).await;
    let tenant = books.tenant.id;
    let ada = &books.contact;
    let bob = contact(&*db, tenant, "bob").await;
    let gone = db
        .upsert_contact(tenant, &{
            let mut upsert = contact_upsert("gone", "gone@people.test", None);
            upsert.enabled = false;
            upsert
        })
        .await
        .unwrap();
    let elsewhere = contact(&*db, tenant, "elsewhere").await;
    for (who, role) in [
        (ada.id, Role::Primary),
        (bob.id, Role::Billing),
        (gone.id, Role::Member),
    ] {
        db.grant_membership(tenant, who, books.account.id, role)
            .await
            .unwrap();
    }
    db.grant_membership(tenant, elsewhere.id, books.second.id, Role::Primary)
        .await
        .unwrap();
    let mut choices = Preferences::all_on();
    choices.set(NotificationKind::InvoiceIssued, Channel::Email, false);
    db.set_preferences(tenant, bob.id, &choices).await.unwrap();

    let told = db.recipients(tenant, books.account.id).await.unwrap();
    let who: Vec<_> = told
        .iter()
        .map(|r| (r.contact.id, r.role, r.preferences.clone()))
        .collect();
    assert_eq!(
        who,
        [
            (ada.id, Role::Primary, Preferences::all_on()),
            (bob.id, Role::Billing, choices),
        ],
        "by name, the disabled contact and other accounts' left out"
    );
    // Another tenant's account, an unknown one, an account with the portal off.
    assert!(
        db.recipients(tenant, books.foreign.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        db.recipients(tenant, AccountId::new())
            .await
            .unwrap()
            .is_empty()
    );
    db.set_portal_enabled(tenant, books.account.id, false, &[])
        .await
        .unwrap();
    assert!(
        db.recipients(tenant, books.account.id)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_notice_is_written_once_per_key_even_when_two_race(db: TestDb) {
    let books = Books::new(&*db).await;
    let tenant = books.tenant.id;
    let feed = [
        entry(books.contact.id, books.account.id, 1, 0),
        entry(books.contact.id, books.second.id, 1, 0),
    ];
    let mails = [mail(&books)];
    let outbox = db.count("SELECT COUNT(*) FROM outbox").await;

    assert!(
        db.notify(tenant, "ticket-closed:1", &feed, &mails, now())
            .await
            .unwrap()
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM notifications").await, 2);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, outbox + 1);

    // The same key again writes nothing, whatever it carries.
    let again = [entry(books.contact.id, books.account.id, 1, 0)];
    assert!(
        !db.notify(tenant, "ticket-closed:1", &again, &mails, now())
            .await
            .unwrap()
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM notifications").await, 2);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, outbox + 1);

    // Two callers with a new key at once: one writes.
    let (a, b) = (
        [entry(books.contact.id, books.account.id, 2, 0)],
        [entry(books.contact.id, books.account.id, 2, 0)],
    );
    let (first, second) = tokio::join!(
        db.notify(tenant, "ticket-closed:2", &a, &mails, now()),
        db.notify(tenant, "ticket-closed:2", &b, &mails, now()),
    );
    assert_eq!(
        [first.unwrap(), second.unwrap()]
            .iter()
            .filter(|w| **w)
            .count(),
        1
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM notifications").await, 3);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, outbox + 2);
}

async fn a_feed_is_the_contacts_own_for_the_account_newest_first_with_its_unread_count(db: TestDb) {
    let books = Books::new(&*db).await;
    let tenant = books.tenant.id;
    let ada = books.contact.id;
    let bob = contact(&*db, tenant, "bob").await.id;
    let ours = [
        entry(ada, books.account.id, 1, 30),
        entry(ada, books.account.id, 2, 10),
        entry(ada, books.account.id, 3, 20),
    ];
    let theirs = [
        entry(ada, books.second.id, 4, 5),
        entry(bob, books.account.id, 5, 5),
    ];
    db.notify(tenant, "k1", &ours, &[], now()).await.unwrap();
    db.notify(tenant, "k2", &theirs, &[], now()).await.unwrap();

    let feed = db
        .feed(&books.scope(), ada, PageRequest::default())
        .await
        .unwrap();
    let numbers: Vec<_> = feed
        .page
        .items
        .iter()
        .map(|n| match n.notice {
            Notice::TicketClosed { number, .. } => number,
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(numbers, [2, 3, 1]);
    assert_eq!((feed.page.total, feed.unread), (3, 3));
    assert_eq!(feed.page.items[0], ours[1], "read back as written");

    let paged = db
        .feed(&books.scope(), ada, PageRequest::new(2, 2))
        .await
        .unwrap();
    assert_eq!((paged.page.items.len(), paged.page.total), (1, 3));
    let past_end = db
        .feed(&books.scope(), ada, PageRequest::new(5, 2))
        .await
        .unwrap();
    assert_eq!((past_end.page.items.len(), past_end.page.total), (0, 3));

    // Another tenant's scope sees nothing of it.
    let foreign = AccountScope::unchecked(books.foreign.tenant, books.account.id);
    let none = db
        .feed(&foreign, ada, PageRequest::default())
        .await
        .unwrap();
    assert_eq!((none.page.total, none.unread), (0, 0));

    assert_eq!(db.mark_read(&books.scope(), ada, now()).await.unwrap(), 3);
    assert_eq!(db.mark_read(&books.scope(), ada, now()).await.unwrap(), 0);
    let read = db
        .feed(&books.scope(), ada, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(read.unread, 0);
    assert!(read.page.items.iter().all(|n| n.read_at.is_some()));
    // Bob's and the second account's entries stay unread.
    let bobs = db
        .feed(&books.scope(), bob, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(bobs.unread, 1);
    let second = db
        .feed(&books.second_scope(), ada, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(second.unread, 1);
}

async fn preferences_are_replaced_whole_and_switching_off_keeps_the_rest(db: TestDb) {
    let books = Books::new(&*db).await;
    let tenant = books.tenant.id;
    let ada = books.contact.id;
    assert_eq!(
        db.preferences(tenant, ada).await.unwrap(),
        Preferences::all_on()
    );

    let mut choices = Preferences::all_on();
    choices.set(NotificationKind::QuoteIssued, Channel::Feed, false);
    choices.set(NotificationKind::QuoteIssued, Channel::Email, false);
    db.set_preferences(tenant, ada, &choices).await.unwrap();
    assert_eq!(db.preferences(tenant, ada).await.unwrap(), choices);

    let mut fewer = Preferences::all_on();
    fewer.set(NotificationKind::TicketClosed, Channel::Email, false);
    db.set_preferences(tenant, ada, &fewer).await.unwrap();
    assert_eq!(
        db.preferences(tenant, ada).await.unwrap(),
        fewer,
        "replaced whole"
    );

    db.switch_off(tenant, ada, NotificationKind::InvoiceIssued, Channel::Email)
        .await
        .unwrap();
    db.switch_off(tenant, ada, NotificationKind::InvoiceIssued, Channel::Email)
        .await
        .unwrap();
    let mut expected = fewer.clone();
    expected.set(NotificationKind::InvoiceIssued, Channel::Email, false);
    assert_eq!(db.preferences(tenant, ada).await.unwrap(), expected);

    // Another tenant's contact, or nobody.
    let other_tenant = books.foreign.tenant;
    assert!(matches!(
        db.set_preferences(other_tenant, ada, &fewer).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        db.switch_off(
            other_tenant,
            ada,
            NotificationKind::InvoiceIssued,
            Channel::Feed
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        db.switch_off(
            tenant,
            ContactId::new(),
            NotificationKind::InvoiceIssued,
            Channel::Feed
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        db.preferences(other_tenant, ada).await.unwrap(),
        Preferences::all_on()
    );
}
