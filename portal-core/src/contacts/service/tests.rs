//! The manager's use cases with every port mocked: what each writes, that
//! a contact without the permission touches nothing, and that refusals
//! write nothing (a mock without an expectation fails the test when
//! called).

use std::sync::{Arc, Mutex};

use super::*;
use crate::access::{AccessError, ContactActor, StaffActor};
use crate::identity::{Contact, LinkIssue, MockContactStore, MockTokenStore};
use crate::outbox::EmailKind;
use crate::ports::{MockAccountContactStore, MockTenantStore};
use crate::shared::{EmailAddress, FixedClock, SessionId, TenantId};
use crate::tenancy::{PortalSettings, TenantSlug};
use crate::{Portal, Stores};

struct Fixture {
    tenant: Tenant,
    account: AccountId,
    manager: ContactId,
    store: MockAccountContactStore,
    contacts: MockContactStore,
    tokens: MockTokenStore,
}

impl Fixture {
    fn new() -> Self {
        let tenant = TenantId::new();
        let manager = ContactId::new();
        // The manager's name is read for the audit log's entry.
        let mut contacts = MockContactStore::new();
        contacts
            .expect_contact()
            .withf(move |_, id| *id == manager)
            .returning(move |_, id| {
                Ok(Some(Contact {
                    id,
                    tenant,
                    external_id: ExternalId::parse("host-1").unwrap(),
                    name: "Ada Lovelace".into(),
                    email: None,
                    phone: None,
                    other_phones: Vec::new(),
                    enabled: true,
                    language: None,
                }))
            });
        Self {
            tenant: Tenant {
                id: tenant,
                slug: TenantSlug::parse("acme").unwrap(),
                base_url: "https://acme.test/portal/".parse().unwrap(),
                settings: PortalSettings::default(),
            },
            account: AccountId::new(),
            manager,
            store: MockAccountContactStore::new(),
            contacts,
            tokens: MockTokenStore::new(),
        }
    }

    fn actor(&self, role: Role) -> Actor {
        Actor::Contact(ContactActor {
            tenant: self.tenant.id,
            contact: self.manager,
            account: self.account,
            role,
            session: SessionId::new(),
            client: Default::default(),
        })
    }

    fn colleague(&self, has_password: bool) -> AccountContact {
        AccountContact {
            contact: Contact {
                id: ContactId::new(),
                tenant: self.tenant.id,
                external_id: ExternalId::parse("host-7").unwrap(),
                name: "Grace Hopper".into(),
                email: Some(EmailAddress::parse("grace@example.com").unwrap()),
                phone: None,
                other_phones: Vec::new(),
                enabled: true,
                language: None,
            },
            role: Role::Member,
            has_access: true,
            has_password,
        }
    }

    /// The manager's name is read for the invitation, and one invitation
    /// mail is issued; its messages are kept in `mails`.
    fn invites(&mut self, mails: Arc<Mutex<Vec<OutboxMessage>>>) {
        let tenant = self.tenant.id;
        let manager = self.manager;
        self.contacts.expect_contact().returning(move |_, id| {
            Ok(Some(Contact {
                id,
                tenant,
                external_id: ExternalId::parse("host-1").unwrap(),
                name: "Ada Lovelace".into(),
                email: None,
                phone: None,
                other_phones: Vec::new(),
                enabled: id == manager,
                language: None,
            }))
        });
        self.tokens
            .expect_issue_token()
            .withf(|token, _, _| token.purpose == TokenPurpose::Invitation)
            .times(1)
            .returning(move |_, messages, _| {
                mails.lock().unwrap().extend_from_slice(messages);
                Ok(LinkIssue::Issued)
            });
    }

    fn portal(self) -> Portal {
        let mut tenants = MockTenantStore::new();
        let tenant = self.tenant.clone();
        tenants
            .expect_tenant()
            .returning(move |_| Ok(Some(tenant.clone())));
        let stores = Stores {
            tenants: Arc::new(tenants),
            account_contacts: Arc::new(self.store),
            contacts: Arc::new(self.contacts),
            tokens: Arc::new(self.tokens),
            ..Stores::mocks()
        };
        Portal::builder_with(stores, Arc::new(crate::identity::MockPasswordHasher::new()))
            .clock(Arc::new(FixedClock::at(
                "2026-11-15T09:00:00Z".parse().unwrap(),
            )))
            .build()
    }
}

fn details() -> ContactDetails {
    ContactDetails::parse("Grace Hopper", "grace@example.com", "").unwrap()
}

fn kinds(messages: &[OutboxMessage]) -> Vec<String> {
    messages
        .iter()
        .map(|message| match message {
            OutboxMessage::Event(event) => event.kind(),
            OutboxMessage::Mail(_) => "mail".into(),
            OutboxMessage::Audit(entry) => format!("audit:{}", entry.action.as_str()),
        })
        .collect()
}

#[tokio::test]
async fn adding_a_contact_writes_it_under_a_portal_external_id_with_its_event_then_invites_them() {
    let mut f = Fixture::new();
    let written = Arc::new(Mutex::new(Vec::new()));
    let mails = Arc::new(Mutex::new(Vec::new()));
    let (account, tenant) = (f.account, f.tenant.id);
    let keep = written.clone();
    let template = f.colleague(false);
    f.store
        .expect_add_account_contact()
        .withf(move |scope, new, _| {
            scope.account() == account
                && scope.tenant() == tenant
                && new.external_id.as_str() == format!("portal-{}", new.id.as_uuid())
                && new.role == Role::Billing
        })
        .times(1)
        .returning(move |_, new, messages| {
            keep.lock().unwrap().extend_from_slice(messages);
            let mut added = template.clone();
            added.contact.id = new.id;
            added.contact.external_id = new.external_id.clone();
            Ok(added)
        });
    f.invites(mails.clone());
    let actor = f.actor(Role::Primary);
    let added = f
        .portal()
        .contacts()
        .add(&actor, details(), Role::Billing)
        .await
        .unwrap();

    let written = written.lock().unwrap();
    assert_eq!(kinds(&written), ["contact_added", "audit:contact_added"]);
    let OutboxMessage::Event(DomainEvent::ContactAdded { contact, by, .. }) = &written[0] else {
        panic!("not a contact_added event");
    };
    assert_eq!(
        (*contact, *by),
        (added.contact.id, actor.contact().unwrap())
    );
    let mails = mails.lock().unwrap();
    let [OutboxMessage::Mail(mail)] = mails.as_slice() else {
        panic!("one invitation mail expected");
    };
    assert!(matches!(
        &mail.kind,
        EmailKind::Invitation { link, invited_by: Some(by), .. }
            if link.starts_with("https://acme.test/portal/set-password?token=") && by == "Ada Lovelace"
    ));
}

#[tokio::test]
async fn a_taken_email_is_refused_as_unavailable_and_no_invitation_goes_out() {
    let mut f = Fixture::new();
    f.store
        .expect_add_account_contact()
        .returning(|_, _, _| Err(StoreError::Conflict(Conflict::Taken(Unique::Email))));
    let actor = f.actor(Role::Primary);
    let refused = f
        .portal()
        .contacts()
        .add(&actor, details(), Role::Member)
        .await;
    assert!(matches!(
        refused,
        Err(PortalError::Conflict(Conflict::Contacts(
            ContactsConflict::EmailUnavailable
        )))
    ));
}

#[tokio::test]
async fn a_contact_without_manage_contacts_touches_no_store_in_any_use_case() {
    for role in [Role::Billing, Role::Member, Role::Viewer] {
        let f = Fixture::new();
        let actor = f.actor(role);
        let portal = f.portal();
        let contacts = portal.contacts();
        let id = ContactId::new();
        let forbidden = |result: Result<(), PortalError>| {
            assert!(
                matches!(
                    result,
                    Err(PortalError::Forbidden(AccessError::NotPermitted))
                ),
                "{role:?}: {result:?}"
            )
        };
        forbidden(
            contacts
                .list(&actor, PageRequest::new(1, 25))
                .await
                .map(drop),
        );
        forbidden(contacts.contact(&actor, id).await.map(drop));
        forbidden(
            contacts
                .add(&actor, details(), Role::Member)
                .await
                .map(drop),
        );
        forbidden(
            contacts
                .edit(&actor, id, details(), Role::Member)
                .await
                .map(drop),
        );
        forbidden(
            contacts
                .change_role(&actor, id, Role::Viewer)
                .await
                .map(drop),
        );
        forbidden(contacts.set_access(&actor, id, false).await.map(drop));
        forbidden(contacts.remove(&actor, id).await);
    }
}

#[tokio::test]
async fn staff_viewing_as_the_customer_may_not_manage_contacts() {
    let f = Fixture::new();
    let staff = Actor::Staff(StaffActor {
        tenant: f.tenant.id,
        staff: "s-1".into(),
        account: f.account,
        client: Default::default(),
    });
    let refused = f
        .portal()
        .contacts()
        .list(&staff, PageRequest::new(1, 25))
        .await;
    assert!(matches!(refused, Err(PortalError::Forbidden(_))));
}

#[tokio::test]
async fn another_accounts_contact_is_not_found_and_nothing_is_changed() {
    let mut f = Fixture::new();
    f.store.expect_account_contact().returning(|_, _| Ok(None));
    f.store.expect_change_account_contact().never();
    let actor = f.actor(Role::Primary);
    let portal = f.portal();
    let id = ContactId::new();
    assert!(matches!(
        portal.contacts().set_access(&actor, id, false).await,
        Err(PortalError::NotFound)
    ));
    assert!(matches!(
        portal.contacts().remove(&actor, id).await,
        Err(PortalError::NotFound)
    ));
}

#[tokio::test]
async fn switching_access_off_writes_its_event_and_mails_nothing() {
    let mut f = Fixture::new();
    let colleague = f.colleague(true);
    let served = colleague.clone();
    f.store
        .expect_account_contact()
        .returning(move |_, _| Ok(Some(served.clone())));
    let after = AccountContact {
        has_access: false,
        ..colleague.clone()
    };
    f.store
        .expect_change_account_contact()
        .withf(|_, _, change, messages| {
            *change == ContactChange::Access(false)
                && kinds(messages) == ["contact_portal_access_changed", "audit:access_off"]
        })
        .times(1)
        .returning(move |_, _, _, _| Ok(Some(after.clone())));
    let actor = f.actor(Role::Primary);
    let changed = f
        .portal()
        .contacts()
        .set_access(&actor, colleague.contact.id, false)
        .await
        .unwrap();
    assert_eq!(changed.status(), crate::contacts::PortalStatus::NoAccess);
}

#[tokio::test]
async fn the_last_manager_refusal_from_the_store_reaches_the_caller() {
    let mut f = Fixture::new();
    let colleague = AccountContact {
        role: Role::Primary,
        ..f.colleague(true)
    };
    let served = colleague.clone();
    f.store
        .expect_account_contact()
        .returning(move |_, _| Ok(Some(served.clone())));
    f.store
        .expect_change_account_contact()
        .returning(|_, _, _, _| Err(StoreError::Conflict(ContactsConflict::LastManager.into())));
    let actor = f.actor(Role::Primary);
    let refused = f
        .portal()
        .contacts()
        .change_role(&actor, colleague.contact.id, Role::Member)
        .await;
    assert!(matches!(
        refused,
        Err(PortalError::Conflict(Conflict::Contacts(
            ContactsConflict::LastManager
        )))
    ));
}

#[tokio::test]
async fn an_edit_that_changes_the_role_writes_both_events() {
    let mut f = Fixture::new();
    let colleague = f.colleague(true);
    let served = colleague.clone();
    f.store
        .expect_account_contact()
        .returning(move |_, _| Ok(Some(served.clone())));
    let after = colleague.clone();
    f.store
        .expect_change_account_contact()
        .withf(|_, _, _, messages| {
            kinds(messages)
                == [
                    "contact_updated",
                    "contact_role_changed",
                    "audit:contact_updated",
                ]
        })
        .times(1)
        .returning(move |_, _, _, _| Ok(Some(after.clone())));
    let actor = f.actor(Role::Primary);
    f.portal()
        .contacts()
        .edit(&actor, colleague.contact.id, details(), Role::Viewer)
        .await
        .unwrap();
}

#[test]
fn details_name_the_field_that_is_wrong() {
    let field = |result: Result<ContactDetails, PortalError>| match result {
        Err(PortalError::InvalidInput { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(field(ContactDetails::parse(" ", "a@b.co", "")), "name");
    assert_eq!(field(ContactDetails::parse("A", "", "")), "email");
    assert_eq!(field(ContactDetails::parse("A", "nope", "")), "email");
    assert_eq!(field(ContactDetails::parse("A", "a@b.co", "x")), "phone");
}

#[tokio::test]
async fn a_manager_may_not_change_their_own_email_here() {
    let mut f = Fixture::new();
    let mut me = f.colleague(true);
    me.contact.id = f.manager;
    me.role = Role::Primary;
    let served = me.clone();
    f.store
        .expect_account_contact()
        .returning(move |_, _| Ok(Some(served.clone())));
    f.store.expect_change_account_contact().never();
    let actor = f.actor(Role::Primary);
    let other_email = ContactDetails::parse("Grace Hopper", "new@example.com", "").unwrap();
    let refused = f
        .portal()
        .contacts()
        .edit(&actor, me.contact.id, other_email, Role::Primary)
        .await;
    assert!(matches!(
        refused,
        Err(PortalError::Conflict(Conflict::Contacts(
            ContactsConflict::OwnEmail
        )))
    ));
}

#[tokio::test]
async fn a_manager_may_not_switch_off_or_remove_themself() {
    let mut f = Fixture::new();
    f.store.expect_change_account_contact().never();
    let actor = f.actor(Role::Primary);
    let me = f.manager;
    let portal = f.portal();
    let yourself = |result: Result<(), PortalError>| {
        assert!(matches!(
            result,
            Err(PortalError::Conflict(Conflict::Contacts(
                ContactsConflict::Yourself
            )))
        ))
    };
    yourself(
        portal
            .contacts()
            .set_access(&actor, me, false)
            .await
            .map(drop),
    );
    yourself(portal.contacts().remove(&actor, me).await);
}

#[tokio::test]
async fn a_colleague_who_signs_in_or_has_another_account_keeps_their_log_in_names() {
    for (has_password, accounts) in [(true, 1), (false, 2)] {
        let mut f = Fixture::new();
        let colleague = f.colleague(has_password);
        let id = colleague.contact.id;
        let served = colleague.clone();
        f.store
            .expect_account_contact()
            .returning(move |_, _| Ok(Some(served.clone())));
        f.store.expect_change_account_contact().never();
        f.contacts.expect_memberships().returning(move |_, _| {
            Ok((0..accounts)
                .map(|n| crate::identity::Membership {
                    account: AccountId::new(),
                    account_number: format!("{n}"),
                    account_name: "Elsewhere".into(),
                    role: Role::Primary,
                    portal_enabled: true,
                    has_history: true,
                })
                .collect())
        });
        let actor = f.actor(Role::Primary);
        let portal = f.portal();
        for details in [
            ContactDetails::parse("Grace Hopper", "attacker@example.com", "").unwrap(),
            ContactDetails::parse("Grace Hopper", "grace@example.com", "555 0100 77").unwrap(),
        ] {
            let refused = portal
                .contacts()
                .edit(&actor, id, details, Role::Member)
                .await;
            assert!(
                matches!(
                    refused,
                    Err(PortalError::Conflict(Conflict::Contacts(
                        ContactsConflict::TheirLogIn
                    )))
                ),
                "{has_password} {accounts}: {refused:?}"
            );
        }
    }
}
