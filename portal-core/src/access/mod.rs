//! Access: who may do what. [`authorize`] is the one choke point every use
//! case passes first; what it hands back, an [`AccountScope`], is what the
//! store's account-scoped reads require, so a query without an authorization
//! does not compile.

use serde::{Deserialize, Serialize};

use crate::shared::{AccountId, ContactId, SessionId, TenantId};
use crate::tenancy::{Feature, Features};

/// One thing a customer may be allowed to do. Fine-grained so a host can
/// build roles that fit its customers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// See the dashboard and the communications log.
    ViewDashboard,
    /// See the account's details.
    ViewAccount,
    /// Change the account's editable details and custom fields.
    EditAccount,
    /// Invite colleagues, change their roles, revoke their access.
    ManageContacts,
    /// See invoices, payments and the balance.
    ViewBilling,
    /// Pay invoices.
    PayInvoices,
    /// Pay invoices from the account's credit (works with online payment
    /// switched off: no card is charged).
    ApplyCredit,
    /// Add and remove cards on file, manage autopay.
    ManagePaymentMethods,
    /// See statements.
    ViewStatements,
    /// See quotes.
    ViewQuotes,
    /// Approve or decline quotes.
    ApproveQuotes,
    /// See jobs, visits and service contracts.
    ViewServices,
    /// Ask for service.
    RequestService,
    /// See tickets.
    ViewTickets,
    /// Open tickets and reply to them.
    CreateTickets,
    /// Download documents.
    ViewDocuments,
    /// See equipment and its service history.
    ViewAssets,
    /// See rental contracts and items out.
    ViewRentals,
    /// Ask for rented items to be called off rent.
    CallOffRent,
}

impl Permission {
    /// Every permission, for listing and tests.
    pub const ALL: [Permission; 19] = [
        Permission::ViewDashboard,
        Permission::ViewAccount,
        Permission::EditAccount,
        Permission::ManageContacts,
        Permission::ViewBilling,
        Permission::PayInvoices,
        Permission::ApplyCredit,
        Permission::ManagePaymentMethods,
        Permission::ViewStatements,
        Permission::ViewQuotes,
        Permission::ApproveQuotes,
        Permission::ViewServices,
        Permission::RequestService,
        Permission::ViewTickets,
        Permission::CreateTickets,
        Permission::ViewDocuments,
        Permission::ViewAssets,
        Permission::ViewRentals,
        Permission::CallOffRent,
    ];

    /// The feature switch this permission depends on, if any.
    pub fn feature(self) -> Option<Feature> {
        use Permission::*;
        match self {
            ViewDashboard | ViewAccount | EditAccount => None,
            ManageContacts => Some(Feature::ContactManagement),
            ViewBilling | ApplyCredit => Some(Feature::Billing),
            PayInvoices => Some(Feature::OnlinePayment),
            ManagePaymentMethods => Some(Feature::CardOnFile),
            ViewStatements => Some(Feature::Statements),
            ViewQuotes | ApproveQuotes => Some(Feature::Quotes),
            ViewServices | RequestService => Some(Feature::Services),
            ViewTickets => Some(Feature::TicketsView),
            CreateTickets => Some(Feature::TicketsSubmit),
            ViewDocuments => Some(Feature::Downloads),
            ViewAssets => Some(Feature::Assets),
            ViewRentals | CallOffRent => Some(Feature::Rentals),
        }
    }

    /// Whether the permission only reads. Staff viewing a customer's portal
    /// get exactly the read-only ones.
    pub fn is_read_only(self) -> bool {
        use Permission::*;
        matches!(
            self,
            ViewDashboard
                | ViewAccount
                | ViewBilling
                | ViewStatements
                | ViewQuotes
                | ViewServices
                | ViewTickets
                | ViewDocuments
                | ViewAssets
                | ViewRentals
        )
    }
}

/// A named set of permissions a contact holds on one account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The account's main contact: everything.
    Primary,
    /// Pays and sees the money side, plus the everyday views.
    Billing,
    /// Everyday use: services, tickets, quotes to see, documents.
    Member,
    /// Looks, never changes anything.
    Viewer,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [Role::Primary, Role::Billing, Role::Member, Role::Viewer];

    /// Whether this role includes `permission` (before feature switches).
    pub fn grants(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Primary => true,
            Role::Billing => !matches!(permission, ManageContacts | ApproveQuotes | CallOffRent),
            Role::Member => !matches!(
                permission,
                ManageContacts
                    | EditAccount
                    | PayInvoices
                    | ApplyCredit
                    | ManagePaymentMethods
                    | ViewBilling
                    | ViewStatements
            ),
            Role::Viewer => {
                permission.is_read_only() && !matches!(permission, ViewBilling | ViewStatements)
            }
        }
    }

    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Primary => "primary",
            Role::Billing => "billing",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    /// How the role is named to customers.
    pub fn label(self) -> &'static str {
        match self {
            Role::Primary => "Primary contact",
            Role::Billing => "Billing contact",
            Role::Member => "Member",
            Role::Viewer => "Viewer",
        }
    }

    /// Reads a stored name back.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }
}

/// Who is making a call. Every use case takes one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A logged-in customer contact, acting on their active account.
    Contact(ContactActor),
    /// Host staff viewing a customer's portal: read-only, and audited.
    Staff(StaffActor),
}

impl Actor {
    /// The tenant the actor belongs to.
    pub fn tenant(&self) -> TenantId {
        match self {
            Actor::Contact(contact) => contact.tenant,
            Actor::Staff(staff) => staff.tenant,
        }
    }

    /// The account the actor is looking at.
    pub fn account(&self) -> AccountId {
        match self {
            Actor::Contact(contact) => contact.account,
            Actor::Staff(staff) => staff.account,
        }
    }

    /// The contact acting, when a customer is (not staff).
    pub fn contact(&self) -> Option<ContactId> {
        match self {
            Actor::Contact(contact) => Some(contact.contact),
            Actor::Staff(_) => None,
        }
    }

    /// Whether [`authorize`] would let this actor use `permission` with the
    /// tenant's `features`: the same rule, for front ends that only show
    /// what will work (a link, a button) and need no scope.
    ///
    /// ```
    /// use portal_core::access::{Actor, ContactActor, Permission, Role};
    /// use portal_core::shared::{AccountId, ContactId, SessionId, TenantId};
    /// use portal_core::tenancy::Features;
    ///
    /// let member = Actor::Contact(ContactActor {
    ///     tenant: TenantId::new(),
    ///     contact: ContactId::new(),
    ///     account: AccountId::new(),
    ///     role: Role::Member,
    ///     session: SessionId::new(),
    ///     client: Default::default(),
    /// });
    /// assert!(member.can(Permission::ViewServices, &Features::default()));
    /// assert!(!member.can(Permission::PayInvoices, &Features::default()));
    /// ```
    pub fn can(&self, permission: Permission, features: &Features) -> bool {
        check(self, permission, features).is_ok()
    }
}

/// A customer contact acting through a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactActor {
    /// The contact's tenant.
    pub tenant: TenantId,
    /// The contact.
    pub contact: ContactId,
    /// The active account (one of the contact's memberships).
    pub account: AccountId,
    /// The contact's role on that account.
    pub role: Role,
    /// The session the request came with.
    pub session: SessionId,
    /// Where the request came from (for the audit log).
    pub client: ClientInfo,
}

/// Host staff viewing a customer's portal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffActor {
    /// The tenant.
    pub tenant: TenantId,
    /// The staff member, as the host identifies them (for the audit log).
    pub staff: String,
    /// The account being viewed.
    pub account: AccountId,
    /// Where the request came from (for the audit log).
    pub client: ClientInfo,
}

/// The client a request came from, as the HTTP layer saw it: what the
/// audit log keeps of it. Unknown (the default) off the web.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientInfo {
    /// The client's address.
    pub address: Option<std::net::IpAddr>,
    /// Its `User-Agent`.
    pub user_agent: Option<String>,
}

/// Proof that an actor may act on one account of one tenant. Only
/// [`authorize`] makes one, and account-scoped store reads take it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountScope {
    tenant: TenantId,
    account: AccountId,
}

impl AccountScope {
    /// The tenant.
    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// The account.
    pub fn account(&self) -> AccountId {
        self.account
    }

    /// Makes a scope without authorizing, for adapters' conformance tests
    /// (the `testing` feature, enabled only in their dev-dependencies);
    /// use cases always go through [`authorize`].
    #[cfg(any(test, feature = "testing"))]
    pub fn unchecked(tenant: TenantId, account: AccountId) -> Self {
        Self { tenant, account }
    }

    /// The scope of the host's own jobs on an account (autopay runs): the
    /// host is trusted, and no customer is acting.
    pub(crate) fn for_host(tenant: TenantId, account: AccountId) -> Self {
        Self { tenant, account }
    }
}

/// Why an actor may not do something.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// The actor's role does not include the permission.
    #[error("the role does not include the permission")]
    NotPermitted,
    /// The tenant has switched the feature off.
    #[error("the feature is switched off")]
    FeatureOff,
    /// Staff viewing a customer's portal tried to change something.
    #[error("staff viewing as a customer may not change anything")]
    ReadOnly,
}

/// The one choke point: may `actor` use `permission` on its account, given
/// the tenant's `features`? Returns the scope to read and write with.
///
/// ```
/// use portal_core::access::{authorize, Actor, ContactActor, Permission, Role};
/// use portal_core::shared::{AccountId, ContactId, SessionId, TenantId};
/// use portal_core::tenancy::Features;
///
/// let actor = Actor::Contact(ContactActor {
///     tenant: TenantId::new(),
///     contact: ContactId::new(),
///     account: AccountId::new(),
///     role: Role::Member,
///     session: SessionId::new(),
///     client: Default::default(),
/// });
/// assert!(authorize(&actor, Permission::ViewServices, &Features::default()).is_ok());
/// assert!(authorize(&actor, Permission::PayInvoices, &Features::default()).is_err());
/// ```
pub fn authorize(
    actor: &Actor,
    permission: Permission,
    features: &Features,
) -> Result<AccountScope, AccessError> {
    check(actor, permission, features)?;
    Ok(AccountScope {
        tenant: actor.tenant(),
        account: actor.account(),
    })
}

/// The rule itself, shared by [`authorize`] and [`Actor::can`] so the two
/// can never disagree: the feature first (switched off for everyone), then
/// the role, and staff only read.
fn check(actor: &Actor, permission: Permission, features: &Features) -> Result<(), AccessError> {
    if let Some(feature) = permission.feature()
        && !features.is_on(feature)
    {
        return Err(AccessError::FeatureOff);
    }
    match actor {
        Actor::Contact(contact) if !contact.role.grants(permission) => {
            Err(AccessError::NotPermitted)
        }
        Actor::Staff(_) if !permission.is_read_only() => Err(AccessError::ReadOnly),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(role: Role) -> Actor {
        Actor::Contact(ContactActor {
            tenant: TenantId::new(),
            contact: ContactId::new(),
            account: AccountId::new(),
            role,
            session: SessionId::new(),
            client: Default::default(),
        })
    }

    fn staff() -> Actor {
        Actor::Staff(StaffActor {
            tenant: TenantId::new(),
            staff: "kim@host".into(),
            account: AccountId::new(),
            client: Default::default(),
        })
    }

    #[test]
    fn primary_may_do_everything_that_is_switched_on() {
        let features = Features {
            assets: true,
            rentals: true,
            ..Features::default()
        };
        for permission in Permission::ALL {
            assert!(
                authorize(&contact(Role::Primary), permission, &features).is_ok(),
                "{permission:?}"
            );
        }
    }

    #[test]
    fn a_switched_off_feature_is_refused_even_to_the_primary_contact() {
        let features = Features {
            billing: false,
            ..Features::default()
        };
        for permission in [
            Permission::ViewBilling,
            Permission::PayInvoices,
            Permission::ApplyCredit,
            Permission::ViewStatements,
        ] {
            assert_eq!(
                authorize(&contact(Role::Primary), permission, &features),
                Err(AccessError::FeatureOff)
            );
        }
    }

    /// Paying from credit charges no card, so it needs billing, not
    /// online payment.
    #[test]
    fn credit_can_be_applied_with_online_payment_off() {
        let features = Features {
            online_payment: false,
            ..Features::default()
        };
        for role in [Role::Primary, Role::Billing] {
            assert!(authorize(&contact(role), Permission::ApplyCredit, &features).is_ok());
            assert_eq!(
                authorize(&contact(role), Permission::PayInvoices, &features),
                Err(AccessError::FeatureOff)
            );
        }
    }

    #[test]
    fn staff_get_read_only_permissions_and_nothing_else() {
        let features = Features {
            assets: true,
            rentals: true,
            ..Features::default()
        };
        for permission in Permission::ALL {
            let result = authorize(&staff(), permission, &features);
            assert_eq!(result.is_ok(), permission.is_read_only(), "{permission:?}");
        }
    }

    #[test]
    fn members_cannot_pay_or_manage_contacts_and_viewers_change_nothing() {
        let features = Features::default();
        for denied in [
            Permission::PayInvoices,
            Permission::ApplyCredit,
            Permission::ManageContacts,
            Permission::ViewBilling,
        ] {
            assert_eq!(
                authorize(&contact(Role::Member), denied, &features),
                Err(AccessError::NotPermitted)
            );
        }
        for permission in Permission::ALL.into_iter().filter(|p| !p.is_read_only()) {
            assert!(authorize(&contact(Role::Viewer), permission, &features).is_err());
        }
    }

    #[test]
    fn the_scope_is_the_actors_own_tenant_and_account() {
        let actor = contact(Role::Billing);
        let scope = authorize(&actor, Permission::ViewBilling, &Features::default()).unwrap();
        assert_eq!(
            (scope.tenant(), scope.account()),
            (actor.tenant(), actor.account())
        );
    }

    #[test]
    fn can_answers_exactly_what_authorize_decides() {
        let switched = [
            Features::default(),
            Features {
                billing: false,
                card_on_file: false,
                assets: true,
                rentals: true,
                ..Features::default()
            },
        ];
        let actors = Role::ALL.map(contact).into_iter().chain([staff()]);
        for actor in actors {
            for features in &switched {
                for permission in Permission::ALL {
                    assert_eq!(
                        actor.can(permission, features),
                        authorize(&actor, permission, features).is_ok(),
                        "{actor:?} {permission:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
