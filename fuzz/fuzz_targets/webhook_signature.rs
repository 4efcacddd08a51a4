//! The payment provider's webhook: the signature header
//! (`t=<unix seconds>,v1=<hex HMAC>`, several `v1` allowed) over the raw
//! body, and the event in the body. No panic, whatever the header, body,
//! secret or time; a header signed for the body at a time verifies then
//! and only for that body and secret; events read back as written.
#![no_main]

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use portal_core::billing::{GatewayEvent, sign_webhook, verify_webhook_signature};
use portal_fuzz::{split, text};

fuzz_target!(|data: &[u8]| {
    let [secret, body, header, seconds] = split(data, 4)[..] else {
        return;
    };
    let header = text(header);
    let mut unix = [0u8; 8];
    for (slot, byte) in unix.iter_mut().zip(seconds) {
        *slot = *byte;
    }
    let now = DateTime::<Utc>::from_timestamp(i64::from_le_bytes(unix) % 100_000_000_000, 0)
        .unwrap_or_else(Utc::now);

    let _ = verify_webhook_signature(secret, body, &header, now);
    let signed = sign_webhook(secret, body, now);
    assert_eq!(verify_webhook_signature(secret, body, &signed, now), Ok(()));
    // A rotated secret: the header carries both signatures.
    let rotated = format!("{signed},{}", header.replace(['t', '='], ""));
    assert_eq!(
        verify_webhook_signature(secret, body, &rotated, now),
        Ok(())
    );
    let mut tampered = body.to_vec();
    tampered.push(b' ');
    assert!(verify_webhook_signature(secret, &tampered, &signed, now).is_err());
    let later = now + chrono::Duration::seconds(301);
    assert!(verify_webhook_signature(secret, body, &signed, later).is_err());

    if let Ok(event) = serde_json::from_slice::<GatewayEvent>(body) {
        let written = serde_json::to_vec(&event).expect("events serialise");
        assert_eq!(
            serde_json::from_slice::<GatewayEvent>(&written).ok(),
            Some(event)
        );
    }
});
