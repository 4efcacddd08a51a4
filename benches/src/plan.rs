//! The benchmark's dataset, as pure functions of the number of accounts N,
//! so the seeder and any later check agree on it without storing it:
//!
//! - accounts `A0000000`..: each with one primary contact `C...` whose
//!   e-mail and phone are also the account's facts on file;
//! - every fifth account has a second contact `D...` (role Member), so
//!   there are 1.2 N contacts;
//! - about one primary contact in fifty is also a Member of the next
//!   account (contacts on two accounts, with the account switcher);
//! - one account in ten, and every session account, has data: three
//!   communications;
//! - every account has [`TICKETS_PER_ACCOUNT`] tickets (one open, one
//!   closed), each a thread of [`MESSAGES_PER_TICKET`] messages, except a
//!   session account's open ticket, which has [`THREAD_MESSAGES`] (the
//!   ticket page scenario reads it), so 2 N tickets and about 10 N
//!   messages;
//! - every account has [`JOBS_PER_ACCOUNT`] jobs (one scheduled, one
//!   completed and billed on one of its invoices, and one waiting, in
//!   progress or scheduled by turns), so 3 N jobs, and one rental contract
//!   with one to three lines, so N contracts;
//! - every account has a billing history ([`crate::ledger`]): ten invoices
//!   with lines and three payments with their allocations, so 10 N
//!   invoices and 3 N payments;
//! - every account has [`QUOTES_PER_ACCOUNT`] quotes (one awaiting
//!   approval, one expired), so 2 N quotes, and every session account
//!   [`APPROVABLE_QUOTES`] more awaiting approval, which the approval
//!   scenario approves (each run puts them back to pending first);
//! - every account has [`AUDIT_PER_ACCOUNT`] audit log entries over the
//!   last 40 days (varied actions, actors and addresses), so 10 N;
//! - [`SESSIONS`] contacts spread evenly over the accounts get a session;
//! - [`LOGINS`] contacts spread evenly get the password [`PASSWORD`].

/// The tenant's slug.
pub const TENANT_SLUG: &str = "bench";
/// The password of the log-in contacts.
pub const PASSWORD: &str = "bench-portal-2026";
/// How many contacts get a session (the dashboard scenarios rotate over
/// them).
pub const SESSIONS: usize = 1_000;
/// How many contacts get a password (the log-in scenario rotates over
/// them).
pub const LOGINS: usize = 200;
/// Quotes per account: one pending, one expired.
pub const QUOTES_PER_ACCOUNT: usize = 2;
/// Quotes awaiting approval that each session account has besides, for
/// the approval scenario: [`SESSIONS`] times this many approvals per run
/// at most (60,000: 20 s at 3,000 a second).
pub const APPROVABLE_QUOTES: u8 = 60;
/// Jobs per account: one scheduled, one completed, one waiting, in
/// progress or scheduled.
pub const JOBS_PER_ACCOUNT: usize = 3;
/// Rental contracts per account (with one to three lines each).
pub const RENTAL_CONTRACTS_PER_ACCOUNT: usize = 1;
/// Tickets per account: one open, one closed.
pub const TICKETS_PER_ACCOUNT: usize = 2;
/// Messages in a ticket's thread: the opening text, then the business and
/// the customer by turns.
pub const MESSAGES_PER_TICKET: usize = 5;
/// Messages in a session account's open ticket (the ticket page scenario).
pub const THREAD_MESSAGES: usize = 50;
/// Audit log entries per account (sign-ins, a failed one, payments, a
/// quote approved, contact changes, a staff "view as" session).
pub const AUDIT_PER_ACCOUNT: usize = 10;
/// The default number of accounts.
pub const DEFAULT_ACCOUNTS: usize = 100_000;

/// The dataset for `accounts` accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    accounts: usize,
}

impl Plan {
    /// A plan for `accounts` accounts; at least [`SESSIONS`], so every
    /// session is on an account of its own.
    pub fn new(accounts: usize) -> anyhow::Result<Self> {
        anyhow::ensure!(
            accounts >= SESSIONS,
            "--accounts must be at least {SESSIONS} (one per session)"
        );
        Ok(Self { accounts })
    }

    /// How many accounts.
    pub fn accounts(&self) -> usize {
        self.accounts
    }

    /// How many contacts (1.2 N).
    pub fn contacts(&self) -> usize {
        self.accounts
            + (0..self.accounts)
                .filter(|&i| has_second_contact(i))
                .count()
    }

    fn session_step(&self) -> usize {
        self.accounts / SESSIONS
    }

    /// The accounts whose primary contact gets a session, in order.
    pub fn session_accounts(&self) -> impl Iterator<Item = usize> + use<> {
        let step = self.session_step();
        (0..SESSIONS).map(move |k| k * step)
    }

    /// Whether account `i`'s primary contact gets a session.
    pub fn is_session_account(&self, i: usize) -> bool {
        let step = self.session_step();
        i % step == 0 && i / step < SESSIONS
    }

    /// The accounts whose primary contact gets a password, in order.
    pub fn login_accounts(&self) -> impl Iterator<Item = usize> + use<> {
        let step = self.accounts / LOGINS;
        (0..LOGINS).map(move |k| k * step + step / 2)
    }

    /// How many invoices (10 N).
    pub fn invoices(&self) -> usize {
        self.accounts * crate::ledger::INVOICES_PER_ACCOUNT
    }

    /// How many payments (3 N).
    pub fn payments(&self) -> usize {
        self.accounts * crate::ledger::PAYMENTS_PER_ACCOUNT
    }

    /// How many jobs (3 N).
    pub fn jobs(&self) -> usize {
        self.accounts * JOBS_PER_ACCOUNT
    }

    /// How many quotes (2 N, plus the session accounts' ones to approve).
    pub fn quotes(&self) -> usize {
        self.accounts * QUOTES_PER_ACCOUNT + SESSIONS * usize::from(APPROVABLE_QUOTES)
    }

    /// How many rental contracts (N).
    pub fn rental_contracts(&self) -> usize {
        self.accounts * RENTAL_CONTRACTS_PER_ACCOUNT
    }

    /// How many audit log entries (10 N).
    pub fn audit_entries(&self) -> usize {
        self.accounts * AUDIT_PER_ACCOUNT
    }

    /// How many tickets (2 N).
    pub fn tickets(&self) -> usize {
        self.accounts * TICKETS_PER_ACCOUNT
    }

    /// How many messages the tickets' threads hold.
    pub fn ticket_messages(&self) -> usize {
        self.tickets() * MESSAGES_PER_TICKET + SESSIONS * (THREAD_MESSAGES - MESSAGES_PER_TICKET)
    }

    /// How many messages account `i`'s ticket `k` (1: open, 2: closed) has.
    pub fn messages_of(&self, i: usize, k: u8) -> usize {
        if k == 1 && self.is_session_account(i) {
            THREAD_MESSAGES
        } else {
            MESSAGES_PER_TICKET
        }
    }

    /// Whether account `i` has communications.
    pub fn has_data(&self, i: usize) -> bool {
        i % 10 == 0 || self.is_session_account(i)
    }

    /// The second account of account `i`'s primary contact, if it has one.
    /// One in fifty of the session contacts and of the others, so the
    /// share is the same whatever N is.
    pub fn second_account(&self, i: usize) -> Option<usize> {
        let multi = if self.is_session_account(i) {
            (i / self.session_step()) % 50 == 0
        } else {
            i % 50 == 25
        };
        multi.then_some((i + 1) % self.accounts)
    }

    /// The tenant's display name once seeding finished: seeding writes it
    /// last, so finding it means the dataset is complete. The dataset's
    /// version is part of it, so a cached database from an older schema
    /// (v1: invoices before billing's migration; v2: three invoices for
    /// one account in ten, no payments; v3: no quotes; v4: no quotes to
    /// approve; v5: two jobs for one account in ten, no rentals; v6: no
    /// tickets; v7: no audit log) is seeded again.
    pub fn marker(&self) -> String {
        format!("Bench Lawn & Pest ({} accounts, data v8)", self.accounts)
    }
}

/// Whether account `i` has a second contact (one in five).
pub fn has_second_contact(i: usize) -> bool {
    i % 5 == 0
}

/// Account `i`'s external id.
pub fn account_external_id(i: usize) -> String {
    format!("A{i:07}")
}

/// Account `i`'s number, as customers see it.
pub fn account_number(i: usize) -> String {
    format!("{}", 1_000_000 + i)
}

/// Account `i`'s postal code.
pub fn postal_code(i: usize) -> String {
    format!("{:05}", 10_000 + i % 90_000)
}

/// The external id of account `i`'s primary contact.
pub fn primary_external_id(i: usize) -> String {
    format!("C{i:07}")
}

/// The e-mail of account `i`'s primary contact (also the account's).
pub fn primary_email(i: usize) -> String {
    format!("c{i}@bench.example")
}

/// The phone of account `i`'s primary contact (also the account's).
pub fn primary_phone(i: usize) -> String {
    format!("555{i:07}")
}

/// The external id of account `i`'s second contact.
pub fn second_external_id(i: usize) -> String {
    format!("D{i:07}")
}

/// The e-mail of account `i`'s second contact.
pub fn second_email(i: usize) -> String {
    format!("d{i}@bench.example")
}

/// The phone of account `i`'s second contact.
pub fn second_phone(i: usize) -> String {
    format!("556{i:07}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shape_matches_the_issue() -> anyhow::Result<()> {
        let plan = Plan::new(100_000)?;
        assert_eq!(plan.contacts(), 120_000);
        assert_eq!(plan.invoices(), 1_000_000);
        assert_eq!(plan.payments(), 300_000);
        assert_eq!(plan.jobs(), 300_000);
        assert_eq!(plan.rental_contracts(), 100_000);
        assert_eq!(plan.quotes(), 260_000);
        assert_eq!(plan.tickets(), 200_000);
        assert_eq!(plan.ticket_messages(), 1_045_000);
        assert_eq!(plan.audit_entries(), 1_000_000);
        let counted: usize = (0..100_000)
            .map(|i| plan.messages_of(i, 1) + plan.messages_of(i, 2))
            .sum();
        assert_eq!(counted, plan.ticket_messages());
        assert_eq!(plan.session_accounts().count(), SESSIONS);
        assert!(plan.session_accounts().all(|i| plan.is_session_account(i)));
        assert_eq!(
            (0..100_000).filter(|&i| plan.is_session_account(i)).count(),
            SESSIONS
        );
        assert_eq!(plan.login_accounts().count(), LOGINS);
        assert!(plan.login_accounts().all(|i| i < 100_000));
        let multi = plan
            .session_accounts()
            .filter(|&i| plan.second_account(i).is_some())
            .count();
        assert_eq!(multi, SESSIONS / 50);
        assert!(Plan::new(999).is_err());
        Ok(())
    }

    #[test]
    fn the_small_plan_has_the_same_session_mix() -> anyhow::Result<()> {
        let plan = Plan::new(1_000)?;
        assert_eq!(plan.contacts(), 1_200);
        assert_eq!(plan.invoices(), 10_000);
        let multi = plan
            .session_accounts()
            .filter(|&i| plan.second_account(i).is_some())
            .count();
        assert_eq!(multi, SESSIONS / 50);
        assert!(plan.session_accounts().all(|i| plan.has_data(i)));
        Ok(())
    }
}
