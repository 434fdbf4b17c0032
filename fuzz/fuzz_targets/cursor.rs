//! (d) The cursor decoder, `CursorKey::open`, on the server's three list positions.
//!
//! Each input is used twice:
//! 1. as the `?cursor=` text a client sends. Nobody without the key can make a cursor, so
//!    every such text must be refused (an `Err`), never a panic and never a position;
//! 2. as the plaintext inside a cursor, sealed with the key in the server's cursor format
//!    (the target's own copy of that format, checked against `seal` once at start), so that
//!    the JSON decoding behind the authentication is fuzzed too. Whatever opens must seal and
//!    open again to the same position.
#![no_main]

use std::fmt::Debug;
use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;
use skolflyt::pagination::{CursorKey, ListScope};
use skolflyt::store::cases::CasePosition;
use skolflyt::store::register::{PupilPosition, UnitPosition};
use uuid::Uuid;

const SECRET: [u8; 32] = [7; 32];
const LIST: &str = "cases";
const READER: Uuid = Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);

struct Fixture {
    key: CursorKey,
    list: ListScope,
    cipher: ChaCha20Poly1305,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let fixture = Fixture {
        key: CursorKey::from_secret(SECRET),
        list: ListScope::new(LIST, READER),
        cipher: ChaCha20Poly1305::new(Key::from_slice(&SECRET)),
    };
    // The target's copy of the format must open what the server seals, or half of this
    // target would only ever test a failed authentication.
    let sealed = fixture.key.seal(&fixture.list, &"format check");
    let bytes = URL_SAFE_NO_PAD
        .decode(&sealed)
        .expect("a cursor is base64url");
    let (nonce, ciphertext) = bytes.split_at(12);
    let plain = fixture
        .cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: aad().as_bytes(),
            },
        )
        .expect("the fuzz target's copy of the cursor format is out of date (pagination.rs)");
    assert_eq!(plain, br#""format check""#);
    fixture
});

/// `ListScope::new(LIST, READER)` as associated data.
fn aad() -> String {
    format!("{LIST}\u{0}{READER}")
}

fn seal_raw(plaintext: &[u8], nonce: [u8; 12]) -> String {
    let sealed = FIXTURE
        .cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: aad().as_bytes(),
            },
        )
        .expect("ChaCha20-Poly1305 seals any fuzz input");
    let mut bytes = nonce.to_vec();
    bytes.extend_from_slice(&sealed);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A client's text: refused, whatever it is.
fn forged<K: DeserializeOwned + Debug>(text: &str) {
    match FIXTURE.key.open::<K>(&FIXTURE.list, Some(text)) {
        Err(_) => {}
        Ok(opened) => panic!("a made-up cursor {text:?} opened as {opened:?}"),
    }
}

/// A sealed plaintext: opens exactly when it is that position's JSON, and round-trips.
fn sealed<K: DeserializeOwned + Serialize + Debug + PartialEq>(cursor: &str, plaintext: &[u8]) {
    let opened = FIXTURE.key.open::<K>(&FIXTURE.list, Some(cursor));
    let expected = serde_json::from_slice::<K>(plaintext).ok();
    match opened {
        Ok(Some(position)) => {
            assert_eq!(Some(&position), expected.as_ref());
            let again = FIXTURE.key.seal(&FIXTURE.list, &position);
            let reopened = FIXTURE.key.open::<K>(&FIXTURE.list, Some(&again));
            if again.len() <= 4096 {
                assert_eq!(
                    reopened.ok().flatten().as_ref(),
                    Some(&position),
                    "no round trip"
                );
            } else {
                // The decoder's length limit: a position this long does not survive.
                assert!(reopened.is_err());
            }
            // Bound to its list: another reader's list refuses it.
            let other = ListScope::new(LIST, Uuid::nil());
            assert!(FIXTURE.key.open::<K>(&other, Some(&again)).is_err());
        }
        Ok(None) => panic!("a cursor text opened as no cursor"),
        // Long plaintexts make cursors over the 4096-character limit.
        Err(_) => assert!(expected.is_none() || cursor.len() > 4096, "{cursor}"),
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        forged::<CasePosition>(text);
        forged::<PupilPosition>(text);
        forged::<UnitPosition>(text);
        forged::<serde_json::Value>(text);
    }
    let mut nonce = [0u8; 12];
    for (n, b) in nonce.iter_mut().zip(data) {
        *n = *b;
    }
    let cursor = seal_raw(data, nonce);
    sealed::<CasePosition>(&cursor, data);
    sealed::<PupilPosition>(&cursor, data);
    sealed::<UnitPosition>(&cursor, data);
});
