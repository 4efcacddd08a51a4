//! Micro-benchmarks of core's per-request work: parsing what customers
//! type, the `authorize` choke point, hashing a session token for its
//! lookup and making a new one. `cargo bench -p portal-benches --bench core`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use portal_core::access::{Actor, ContactActor, Permission, Role, authorize};
use portal_core::identity::{LoginName, OsTokens, RawToken, TokenSource};
use portal_core::shared::{AccountId, ContactId, EmailAddress, PhoneNumber, SessionId, TenantId};
use portal_core::tenancy::Features;

fn parsing(c: &mut Criterion) {
    c.bench_function("parse e-mail", |b| {
        b.iter(|| EmailAddress::parse(black_box(" Pat.Customer@Example.COM ")))
    });
    c.bench_function("parse phone", |b| {
        b.iter(|| PhoneNumber::parse(black_box("+1 (555) 123-4567")))
    });
    c.bench_function("parse log-in name", |b| {
        b.iter(|| LoginName::parse(black_box("pat.customer@example.com")))
    });
}

fn access(c: &mut Criterion) {
    let actor = Actor::Contact(ContactActor {
        tenant: TenantId::new(),
        contact: ContactId::new(),
        account: AccountId::new(),
        role: Role::Member,
        session: SessionId::new(),
        client: Default::default(),
    });
    let features = Features::default();
    c.bench_function("authorize (granted)", |b| {
        b.iter(|| authorize(black_box(&actor), Permission::ViewServices, &features))
    });
    c.bench_function("authorize (refused)", |b| {
        b.iter(|| authorize(black_box(&actor), Permission::PayInvoices, &features))
    });
}

fn tokens(c: &mut Criterion) {
    let token = RawToken::from_client(&"ab".repeat(32));
    c.bench_function("hash a session token (SHA-256, hex)", |b| {
        b.iter(|| black_box(&token).hash())
    });
    c.bench_function("new session token (OS random, hex)", |b| {
        b.iter(|| OsTokens.new_token())
    });
}

criterion_group!(benches, parsing, access, tokens);
criterion_main!(benches);
