//! Use-case tests with every port mocked: they pin down which port calls a
//! use case makes, and, as importantly, which it must not make (a mock with
//! no expectation fails the test when called).

use secrecy::SecretString;
use std::sync::Arc;

use super::*;
use crate::access::Role;
use crate::identity::{
    Contact, Credential, LoginCandidate, LoginClient, LoginSource, Membership, MockPasswordHasher,
    RawToken, Session, SessionContext, SessionKind,
};
use crate::ports::{
    MockAccountStore, MockAuditStore, MockContactStore, MockCredentialStore, MockLockoutStore,
    MockProfileStore, MockSessionStore, MockTokenStore,
};
use crate::shared::TenantId;
use crate::shared::{AccountId, ContactId, ExternalId, FixedClock, SessionId};
use crate::tenancy::PortalSettings;
use crate::tenancy::TenantSlug;
use crate::{DEFAULT_RESPONSE_FLOOR, Portal, Stores};

fn tenant() -> Tenant {
    Tenant {
        id: TenantId::new(),
        slug: TenantSlug::parse("acme").unwrap(),
        base_url: "https://acme.test/portal/".parse().unwrap(),
        settings: PortalSettings::default(),
    }
}

fn contact(tenant: &Tenant) -> Contact {
    Contact {
        id: ContactId::new(),
        tenant: tenant.id,
        external_id: ExternalId::parse("c-1").unwrap(),
        name: "Ada".into(),
        email: Some(crate::shared::EmailAddress::parse("ada@example.com").unwrap()),
        phone: None,
        other_phones: Vec::new(),
        enabled: true,
        language: None,
    }
}

fn membership(portal_enabled: bool) -> Membership {
    Membership {
        account: AccountId::new(),
        account_number: "1001".into(),
        account_name: "Ada's".into(),
        role: Role::Primary,
        portal_enabled,
        has_history: true,
    }
}

struct Mocks {
    contacts: MockContactStore,
    credentials: MockCredentialStore,
    lockouts: MockLockoutStore,
    sessions: MockSessionStore,
    tokens: MockTokenStore,
    accounts: MockAccountStore,
    audit: MockAuditStore,
    profiles: MockProfileStore,
    hasher: MockPasswordHasher,
}

impl Mocks {
    fn new() -> Self {
        Self {
            contacts: MockContactStore::new(),
            credentials: MockCredentialStore::new(),
            lockouts: MockLockoutStore::new(),
            sessions: MockSessionStore::new(),
            tokens: MockTokenStore::new(),
            accounts: MockAccountStore::new(),
            audit: MockAuditStore::new(),
            profiles: MockProfileStore::new(),
            hasher: MockPasswordHasher::new(),
        }
    }

    /// `person` is found by e-mail, has no password yet and one membership
    /// whose account has the portal `portal_enabled`.
    fn registering(&mut self, person: Contact, portal_enabled: bool) {
        self.contacts
            .expect_contact_by_email()
            .returning(move |_, _| Ok(Some(person.clone())));
        self.contacts
            .expect_memberships()
            .returning(move |_, _| Ok(vec![membership(portal_enabled)]));
        self.credentials
            .expect_credential()
            .returning(|_, _| Ok(None));
    }

    /// `person` logs in with a password whose hash is `hash`, locked
    /// until `locked_until` (if given) for the source the attempt is from.
    fn registered(
        &mut self,
        person: Contact,
        hash: &'static str,
        locked_until: Option<chrono::DateTime<chrono::Utc>>,
    ) {
        self.credentials
            .expect_login_candidate()
            .returning(move |_, _| {
                Ok(Some(LoginCandidate {
                    contact: person.clone(),
                    credential: Some(Credential {
                        password_hash: hash.into(),
                    }),
                }))
            });
        self.lockouts
            .expect_locked_until()
            .returning(move |_, _, _, _| Ok(locked_until));
    }

    /// A failed sign-in of a member of one usable account is written to
    /// the audit log once, on that account, from the client at 192.0.2.1.
    fn failed_sign_in_audited(&mut self) {
        let usable = membership(true);
        let account = usable.account;
        self.contacts
            .expect_memberships()
            .returning(move |_, _| Ok(vec![membership(false), usable.clone()]));
        self.audit
            .expect_record_audit()
            .withf(move |entries| {
                matches!(entries, [entry] if entry.action == crate::audit::AuditAction::SignInFailed
                    && entry.account == Some(account)
                    && entry.client_addr == Some("192.0.2.1".parse().unwrap()))
            })
            .times(1)
            .returning(|_| Ok(()));
    }

    fn portal(self) -> Portal {
        let stores = Stores {
            accounts: Arc::new(self.accounts),
            contacts: Arc::new(self.contacts),
            credentials: Arc::new(self.credentials),
            lockouts: Arc::new(self.lockouts),
            sessions: Arc::new(self.sessions),
            tokens: Arc::new(self.tokens),
            audit: Arc::new(self.audit),
            profiles: Arc::new(self.profiles),
            ..Stores::mocks()
        };
        Portal::builder_with(stores, Arc::new(self.hasher))
            .secret_key(key())
            .clock(Arc::new(FixedClock::at(
                "2026-11-23T09:00:00Z".parse().unwrap(),
            )))
            .build()
    }
}

fn password() -> SecretString {
    SecretString::from("correct horse battery")
}

fn key() -> crate::identity::SecretKey {
    crate::identity::SecretKey::from_bytes(&[42; 32]).unwrap()
}

/// A client at 192.0.2.1, with `device` as its device token.
fn client(device: Option<&str>) -> LoginClient {
    LoginClient {
        address: "192.0.2.1".parse().unwrap(),
        device: device.map(str::to_owned),
        user_agent: None,
    }
}

#[tokio::test]
async fn an_unknown_login_costs_a_dummy_verification_and_starts_nothing() {
    let mut mocks = Mocks::new();
    mocks
        .credentials
        .expect_login_candidate()
        .returning(|_, _| Ok(None));
    mocks.hasher.expect_verify_dummy().times(1).return_const(());
    let portal = mocks.portal();
    let result = portal
        .identity()
        .log_in(
            &tenant(),
            "zed@example.com",
            &password(),
            SessionKind::Cookie,
            &client(None),
        )
        .await;
    assert!(matches!(result, Err(PortalError::InvalidCredentials)));
}

#[tokio::test]
async fn a_locked_contact_is_refused_without_checking_the_password() {
    let t = tenant();
    let person = contact(&t);
    let mut mocks = Mocks::new();
    // The attempt is in the contact's history all the same.
    mocks.failed_sign_in_audited();
    mocks.registered(
        person,
        "$argon2id$...",
        Some("2026-11-23T09:10:00Z".parse().unwrap()),
    );
    mocks.hasher.expect_verify_dummy().times(1).return_const(());
    let result = mocks
        .portal()
        .identity()
        .log_in(
            &t,
            "ada@example.com",
            &password(),
            SessionKind::Cookie,
            &client(None),
        )
        .await;
    assert!(matches!(result, Err(PortalError::InvalidCredentials)));
}

#[tokio::test]
async fn a_wrong_password_is_counted_towards_the_lockout() {
    let t = tenant();
    let person = contact(&t);
    let id = person.id;
    let mut mocks = Mocks::new();
    mocks.failed_sign_in_audited();
    mocks.registered(person, "hash", None);
    mocks.hasher.expect_verify().returning(|_, _| Ok(false));
    mocks
        .lockouts
        .expect_record_login_failure()
        .withf(move |_, contact, source, _, policy, on_lock| {
            *contact == id
                && *source == LoginSource::Address("192.0.2.1".parse().unwrap())
                && policy.max_failures == 5
                && matches!(
                    on_lock,
                    [crate::outbox::OutboxMessage::Event(
                        crate::outbox::DomainEvent::ContactLockedOut { .. }
                    )]
                )
        })
        .times(1)
        .returning(|_, _, _, _, _, _| Ok(None));
    let result = mocks
        .portal()
        .identity()
        .log_in(
            &t,
            "ada@example.com",
            &password(),
            SessionKind::Cookie,
            &client(None),
        )
        .await;
    assert!(matches!(result, Err(PortalError::InvalidCredentials)));
}

#[tokio::test]
async fn a_good_password_starts_a_session_on_the_first_usable_account() {
    let t = tenant();
    let person = contact(&t);
    let usable = membership(true);
    let usable_id = usable.account;
    let mut mocks = Mocks::new();
    mocks.registered(person, "hash", None);
    mocks.hasher.expect_verify().returning(|_, _| Ok(true));
    mocks
        .contacts
        .expect_memberships()
        .returning(move |_, _| Ok(vec![membership(false), usable.clone()]));
    mocks
        .sessions
        .expect_start_session()
        .withf(move |session, verified, source, messages| {
            // The sign-in's audit entry is written with the session.
            let audited = matches!(
                messages,
                [OutboxMessage::Audit(entry)]
                    if entry.action == crate::audit::AuditAction::SignedIn
                        && entry.account == Some(usable_id)
                        && entry.client_addr == Some("192.0.2.1".parse().unwrap())
            );
            audited
                && verified == "hash"
                && source.is_untrusted()
                && session.active_account == usable_id
                && session.idle_expires_at
                    == "2026-11-23T09:30:00Z"
                        .parse::<chrono::DateTime<chrono::Utc>>()
                        .unwrap()
                && session.absolute_expires_at
                    == "2026-11-23T21:00:00Z"
                        .parse::<chrono::DateTime<chrono::Utc>>()
                        .unwrap()
        })
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let session = mocks
        .portal()
        .identity()
        .log_in(
            &t,
            "ada@example.com",
            &password(),
            SessionKind::Bearer,
            &client(None),
        )
        .await
        .unwrap();
    assert_eq!(session.token.expose().len(), 64);
}

#[tokio::test]
async fn a_session_brings_its_memberships_and_the_switcher_offers_only_usable_ones() {
    let t = tenant();
    let person = contact(&t);
    let active = membership(true);
    let other = Membership {
        account_name: "Ada's second".into(),
        ..membership(true)
    };
    let portal_off = membership(false);
    let now: chrono::DateTime<chrono::Utc> = "2026-11-23T09:00:00Z".parse().unwrap();
    let token = RawToken::from_client("a-session-token");
    let context = SessionContext {
        session: Session {
            id: SessionId::new(),
            tenant: t.id,
            contact: person.id,
            active_account: active.account,
            token_hash: token.hash(),
            kind: SessionKind::Cookie,
            created_at: now,
            // Seen just now: no touch is due.
            last_seen_at: now,
            idle_expires_at: now + chrono::Duration::minutes(30),
            absolute_expires_at: now + chrono::Duration::hours(12),
            client: Default::default(),
            viewer: None,
        },
        contact: person,
        membership: active.clone(),
        memberships: vec![active.clone(), portal_off, other.clone()],
    };
    let mut mocks = Mocks::new();
    let hash = token.hash();
    // The only port call: no separate memberships query (the mock would
    // fail the test on any other call).
    mocks
        .sessions
        .expect_session_context()
        .withf(move |_, token, _| *token == hash)
        .times(1)
        .returning(move |_, _, _| Ok(Some(context.clone())));
    let portal = mocks.portal();

    let auth = portal
        .identity()
        .authenticate(&Arc::new(t), &token)
        .await
        .unwrap();

    assert_eq!(auth.membership, active);
    assert_eq!(portal.identity().memberships(&auth), vec![active, other]);
}

#[tokio::test]
async fn a_link_request_for_an_unknown_email_writes_nothing() {
    let mut mocks = Mocks::new();
    mocks
        .contacts
        .expect_contact_by_email()
        .returning(|_, _| Ok(None));
    mocks.tokens.expect_issue_token().never();
    let result = mocks
        .portal()
        .identity()
        .request_password_link(&tenant(), "zed@example.com", LinkRequest::Register)
        .await;
    assert!(result.is_ok());
}

#[tokio::test]
async fn a_link_request_for_an_account_with_the_portal_off_writes_nothing() {
    let t = tenant();
    let person = contact(&t);
    let mut mocks = Mocks::new();
    mocks.registering(person, false);
    mocks.tokens.expect_issue_token().never();
    assert!(
        mocks
            .portal()
            .identity()
            .request_password_link(&t, "ada@example.com", LinkRequest::Register)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_link_is_mailed_in_the_same_write_as_its_token_and_built_from_the_base_url() {
    let t = tenant();
    let person = contact(&t);
    let mut mocks = Mocks::new();
    mocks.registering(person, true);
    mocks
        .tokens
        .expect_issue_token()
        .withf(|token, messages, limit| {
            let [crate::outbox::OutboxMessage::Mail(mail)] = messages else {
                return false;
            };
            let crate::outbox::EmailKind::SetPassword { link, expires_at } = &mail.kind else {
                return false;
            };
            link.starts_with("https://acme.test/portal/set-password?token=")
                && *expires_at == token.expires_at
                && token.expires_at - token.created_at == chrono::Duration::hours(1)
                && !link.contains(token.hash.as_str())
                && *limit == crate::tenancy::LinkMailPolicy::default()
        })
        .times(1)
        .returning(|_, _, _| Ok(crate::identity::LinkIssue::Issued));
    mocks
        .portal()
        .identity()
        .request_password_link(&t, "ADA@example.com", LinkRequest::Register)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_dead_link_is_refused_before_any_hashing() {
    let mut mocks = Mocks::new();
    mocks
        .tokens
        .expect_live_token()
        .returning(|_, _, _| Ok(None));
    mocks.hasher.expect_hash().never();
    mocks.tokens.expect_redeem_token().never();
    let result = mocks
        .portal()
        .identity()
        .set_password_with_token(
            &tenant(),
            &crate::identity::RawToken::from_client("abc"),
            "correct horse battery",
            &ClientInfo::default(),
        )
        .await;
    assert!(matches!(result, Err(PortalError::LinkInvalid)));
}

#[tokio::test]
async fn known_facts_that_match_no_account_are_refused_counted_and_set_nothing() {
    let t = tenant();
    let person = contact(&t);
    let mut mocks = Mocks::new();
    mocks
        .hasher
        .expect_hash()
        .times(1)
        .returning(|_| Ok("hash".into()));
    mocks
        .accounts
        .expect_accounts_matching_facts()
        .returning(|_, _, _, _| Ok(vec![]));
    mocks
        .contacts
        .expect_contact_by_email()
        .returning(move |_, _| Ok(Some(person.clone())));
    mocks
        .lockouts
        .expect_locked_until()
        .returning(|_, _, _, _| Ok(None));
    mocks
        .contacts
        .expect_memberships()
        .returning(|_, _| Ok(vec![membership(true)]));
    mocks
        .lockouts
        .expect_record_login_failure()
        .times(1)
        .returning(|_, _, _, _, _, _| Ok(None));
    mocks.credentials.expect_set_first_password().never();
    let facts = KnownFacts {
        phone: "555 0100".into(),
        email: "ada@example.com".into(),
        postal_code: "12345".into(),
    };
    let result = mocks
        .portal()
        .identity()
        .register_by_facts(&t, &facts, "correct horse battery", &client(None))
        .await;
    assert!(matches!(result, Err(PortalError::RegistrationRefused)));
}

#[tokio::test]
async fn malformed_input_is_refused_before_touching_any_port() {
    let portal = Mocks::new().portal();
    let t = tenant();
    let bad_email = portal
        .identity()
        .request_password_link(&t, "nope@", LinkRequest::Register)
        .await;
    assert!(matches!(
        bad_email,
        Err(PortalError::InvalidInput { field: "email", .. })
    ));
    // A reset takes an e-mail or a phone number, as log-in does.
    let bad_login = portal
        .identity()
        .request_password_link(&t, "nope", LinkRequest::Reset)
        .await;
    assert!(matches!(bad_login, Err(PortalError::InvalidInput { .. })));
    let bad_login = portal
        .identity()
        .log_in(
            &t,
            "not a login",
            &password(),
            SessionKind::Cookie,
            &client(None),
        )
        .await;
    assert!(matches!(
        bad_login,
        Err(PortalError::InvalidInput { field: "login", .. })
    ));
    let facts = KnownFacts {
        phone: "555 0100 00".into(),
        email: "ada@example.com".into(),
        postal_code: "1".into(),
    };
    let bad_postal = portal
        .identity()
        .register_by_facts(&t, &facts, "correct horse battery", &client(None))
        .await;
    assert!(matches!(
        bad_postal,
        Err(PortalError::InvalidInput {
            field: "postal_code",
            ..
        })
    ));
}

#[tokio::test(start_paused = true)]
async fn failures_and_link_requests_answer_after_the_same_floor() {
    let mut mocks = Mocks::new();
    mocks
        .credentials
        .expect_login_candidate()
        .returning(|_, _| Ok(None));
    mocks
        .contacts
        .expect_contact_by_email()
        .returning(|_, _| Ok(None));
    mocks.hasher.expect_verify_dummy().return_const(());
    let portal = mocks.portal();
    let started = tokio::time::Instant::now();
    let _ = portal
        .identity()
        .log_in(
            &tenant(),
            "zed@example.com",
            &password(),
            SessionKind::Cookie,
            &client(None),
        )
        .await;
    assert!(started.elapsed() >= DEFAULT_RESPONSE_FLOOR);
    let started = tokio::time::Instant::now();
    portal
        .identity()
        .request_password_link(&tenant(), "zed@example.com", LinkRequest::Reset)
        .await
        .unwrap();
    assert!(started.elapsed() >= DEFAULT_RESPONSE_FLOOR);
}

/// Logs Ada in through mocks that accept her password, and returns the
/// device token the session came with.
async fn device_token_of_a_log_in(t: &Tenant, person: &Contact) -> String {
    let mut mocks = Mocks::new();
    mocks.registered(person.clone(), "hash", None);
    mocks.hasher.expect_verify().returning(|_, _| Ok(true));
    mocks
        .contacts
        .expect_memberships()
        .returning(|_, _| Ok(vec![membership(true)]));
    mocks
        .sessions
        .expect_start_session()
        .returning(|_, _, _, _| Ok(()));
    let session = mocks
        .portal()
        .identity()
        .log_in(
            t,
            "ada@example.com",
            &password(),
            SessionKind::Cookie,
            &client(None),
        )
        .await
        .unwrap();
    session.device.expose().to_owned()
}

#[tokio::test]
async fn a_recognised_device_is_checked_and_counted_on_its_own() {
    let t = tenant();
    let person = contact(&t);
    let device = device_token_of_a_log_in(&t, &person).await;
    let mut mocks = Mocks::new();
    mocks.failed_sign_in_audited();
    mocks
        .credentials
        .expect_login_candidate()
        .returning(move |_, _| {
            Ok(Some(LoginCandidate {
                contact: person.clone(),
                credential: Some(Credential {
                    password_hash: "hash".into(),
                }),
            }))
        });
    mocks
        .lockouts
        .expect_locked_until()
        .withf(|_, _, source, _| matches!(source, LoginSource::Device(_)))
        .times(1)
        .returning(|_, _, _, _| Ok(None));
    mocks.hasher.expect_verify().returning(|_, _| Ok(false));
    mocks
        .lockouts
        .expect_record_login_failure()
        .withf(|_, _, source, _, _, _| !source.is_untrusted())
        .times(1)
        .returning(|_, _, _, _, _, _| Ok(None));
    let result = mocks
        .portal()
        .identity()
        .log_in(
            &t,
            "ada@example.com",
            &password(),
            SessionKind::Cookie,
            &client(Some(&device)),
        )
        .await;
    assert!(matches!(result, Err(PortalError::InvalidCredentials)));
}

#[tokio::test]
async fn another_contacts_or_a_forged_device_token_counts_as_the_address() {
    let t = tenant();
    let person = contact(&t);
    let other = contact(&t);
    let others_device = device_token_of_a_log_in(&t, &other).await;
    for presented in [others_device.as_str(), "v1.1.00.forged"] {
        let mut mocks = Mocks::new();
        mocks.failed_sign_in_audited();
        mocks.registered(person.clone(), "hash", None);
        mocks.hasher.expect_verify().returning(|_, _| Ok(false));
        mocks
            .lockouts
            .expect_record_login_failure()
            .withf(|_, _, source, _, _, _| {
                *source == LoginSource::Address("192.0.2.1".parse().unwrap())
            })
            .times(1)
            .returning(|_, _, _, _, _, _| Ok(None));
        let result = mocks
            .portal()
            .identity()
            .log_in(
                &t,
                "ada@example.com",
                &password(),
                SessionKind::Cookie,
                &client(Some(presented)),
            )
            .await;
        assert!(matches!(result, Err(PortalError::InvalidCredentials)));
    }
}

#[tokio::test(start_paused = true)]
async fn a_throttled_link_request_answers_like_a_sent_one() {
    let t = tenant();
    let person = contact(&t);
    let mut mocks = Mocks::new();
    mocks.registering(person, true);
    mocks
        .tokens
        .expect_issue_token()
        .times(1)
        .returning(|_, _, _| Ok(crate::identity::LinkIssue::Throttled));
    let started = tokio::time::Instant::now();
    let result = mocks
        .portal()
        .identity()
        .request_password_link(&t, "ada@example.com", LinkRequest::Register)
        .await;
    assert!(result.is_ok());
    assert!(started.elapsed() >= DEFAULT_RESPONSE_FLOOR);
}

#[tokio::test]
async fn an_email_confirmation_built_on_stale_details_is_rebuilt_from_the_contact_as_it_now_is() {
    let t = tenant();
    let person = contact(&t);
    let renamed = Contact {
        name: "Ada King".into(),
        ..person.clone()
    };
    let raw = RawToken::from_client("a-confirmation-token");
    let change = crate::identity::EmailChange {
        hash: raw.hash(),
        tenant: t.id,
        contact: person.id,
        new_email: crate::shared::EmailAddress::parse("ada@new.example").unwrap(),
        created_at: "2026-11-23T08:00:00Z".parse().unwrap(),
        expires_at: "2026-11-24T08:00:00Z".parse().unwrap(),
    };
    let mut mocks = Mocks::new();
    mocks
        .profiles
        .expect_pending_email_change()
        .times(2)
        .returning(move |_, _, _| Ok(Some(change.clone())));
    // The first read sees the contact before the host renamed them.
    let mut reads = vec![renamed.clone(), person.clone()];
    mocks
        .contacts
        .expect_contact()
        .times(2)
        .returning(move |_, _| Ok(reads.pop()));
    mocks
        .contacts
        .expect_memberships()
        .returning(|_, _| Ok(vec![membership(true)]));
    let mut calls = 0;
    mocks
        .profiles
        .expect_complete_email_change()
        .times(2)
        .returning(move |_, _, based_on, _, messages| {
            calls += 1;
            if calls == 1 {
                assert_eq!(based_on.name, "Ada");
                return Err(crate::ports::StoreError::Conflict(
                    crate::identity::IdentityConflict::DetailsChanged.into(),
                ));
            }
            assert_eq!(based_on.name, "Ada King");
            assert!(messages.iter().any(|m| matches!(
                m,
                crate::outbox::OutboxMessage::Event(
                    crate::outbox::DomainEvent::ContactDetailsChanged { name, .. }
                ) if name == "Ada King"
            )));
            Ok(())
        });
    mocks
        .portal()
        .identity()
        .confirm_email_change(&t, &raw, &crate::access::ClientInfo::default())
        .await
        .unwrap();
}
