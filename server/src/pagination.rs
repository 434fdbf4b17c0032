//! Pages of lists by cursor (docs/API.md "Pagination").
//!
//! A cursor carries the sort key of a page's last item, sealed with ChaCha20-Poly1305 under a
//! key every instance shares ([`CursorKey`]). The list, its filters and the reader are the
//! associated data: a client can neither read a cursor nor make one, and a cursor is refused
//! by any other list, filter or reader. An id from elsewhere (`/api/staff`, a case) is no
//! cursor at all, so a list never says where a name it did not show would sort.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::api::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use uuid::Uuid;

use crate::clock;
use crate::error::{AppError, AppResult};
use crate::store::{self, Db};

const NONCE_BYTES: usize = 12;

/// The key that seals cursors, the same on every instance (kept in `server_keys`).
#[derive(Clone)]
pub struct CursorKey(Arc<ChaCha20Poly1305>);

impl CursorKey {
    /// The database's cursor key, made at the first start.
    pub async fn load(db: &Db) -> anyhow::Result<CursorKey> {
        let mut fresh = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut fresh);
        let secret = store::keys::get_or_create(db, "cursor", &fresh, clock::now()).await?;
        anyhow::ensure!(secret.len() == 32, "the stored cursor key is not 32 bytes");
        Ok(CursorKey(Arc::new(ChaCha20Poly1305::new(Key::from_slice(
            &secret,
        )))))
    }

    /// A key from a known 32-byte secret. For tests and fuzzing only (`fuzz/`); the server
    /// takes its key from the database with [`CursorKey::load`].
    pub fn from_secret(bytes: [u8; 32]) -> CursorKey {
        CursorKey(Arc::new(ChaCha20Poly1305::new(Key::from_slice(&bytes))))
    }

    /// A cursor for `position` (the last item's sort key) in `list`.
    pub fn seal<K: Serialize>(&self, list: &ListScope, position: &K) -> String {
        let message = serde_json::to_vec(position).expect("sort keys serialize");
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .0
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &message,
                    aad: list.0.as_bytes(),
                },
            )
            .expect("ChaCha20-Poly1305 seals any message of this size");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The position a cursor of `list` names; anything else is a field error on `cursor`.
    pub fn open<K: DeserializeOwned>(
        &self,
        list: &ListScope,
        cursor: Option<&str>,
    ) -> AppResult<Option<K>> {
        let Some(text) = cursor else {
            return Ok(None);
        };
        self.unseal(list, text)
            .map(Some)
            .ok_or_else(|| AppError::field("cursor", "invalid", "not a cursor of this list"))
    }

    fn unseal<K: DeserializeOwned>(&self, list: &ListScope, text: &str) -> Option<K> {
        // A cursor is a few hundred bytes at most (a sort key of two names); refuse to decode
        // a long text at all.
        if text.len() > 4096 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        if bytes.len() <= NONCE_BYTES {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let message = self
            .0
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: list.0.as_bytes(),
                },
            )
            .ok()?;
        serde_json::from_slice(&message).ok()
    }
}

/// What a cursor is bound to: the list, the reader and every filter that shapes the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListScope(String);

impl ListScope {
    pub fn new(list: &str, reader: Uuid) -> ListScope {
        ListScope(format!("{list}\u{0}{reader}"))
    }

    /// Adds a filter's value (`None` and absent are the same filter).
    pub fn with(mut self, name: &str, value: Option<impl std::fmt::Display>) -> ListScope {
        if let Some(value) = value {
            self.0.push_str(&format!("\u{0}{name}={value}"));
        }
        self
    }
}

/// `limit` as asked, or the default; outside 1–200 a field error.
pub fn page_limit(limit: Option<u32>) -> AppResult<u32> {
    match limit.unwrap_or(DEFAULT_PAGE_SIZE) {
        n @ 1..=MAX_PAGE_SIZE => Ok(n),
        _ => Err(AppError::field(
            "limit",
            "out_of_range",
            format!("limit must be between 1 and {MAX_PAGE_SIZE}"),
        )),
    }
}

/// The cursor of the page after `items`, if the page is full.
pub fn next_cursor<T, K: Serialize>(
    key: &CursorKey,
    list: &ListScope,
    items: &[T],
    limit: u32,
    position: impl Fn(&T) -> K,
) -> Option<String> {
    (items.len() == limit as usize)
        .then(|| items.last().map(|item| key.seal(list, &position(item))))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> CursorKey {
        CursorKey(Arc::new(ChaCha20Poly1305::new(Key::from_slice(&[7; 32]))))
    }

    #[test]
    fn a_cursor_opens_in_its_own_list_only() {
        let key = key();
        let reader = Uuid::from_u128(1);
        let list = ListScope::new("pupils", reader).with("group", Some(5));
        let position = (false, "Holm".to_owned(), Uuid::from_u128(9));
        let cursor = key.seal(&list, &position);
        let opened: Option<(bool, String, Uuid)> = key.open(&list, Some(&cursor)).unwrap();
        assert_eq!(opened, Some(position));
        assert!(
            !cursor.contains("Holm")
                && !URL_SAFE_NO_PAD
                    .decode(&cursor)
                    .unwrap()
                    .windows(4)
                    .any(|w| w == b"Holm")
        );
        for other in [
            ListScope::new("pupils", reader),
            ListScope::new("pupils", Uuid::from_u128(2)).with("group", Some(5)),
            ListScope::new("units", reader).with("group", Some(5)),
            ListScope::new("pupils", reader).with("group", Some(6)),
        ] {
            let refused = key.open::<(bool, String, Uuid)>(&other, Some(&cursor));
            assert!(matches!(refused, Err(AppError::Validation(_))), "{other:?}");
        }
    }

    #[test]
    fn a_made_up_or_altered_cursor_is_refused() {
        let key = key();
        let list = ListScope::new("pupils", Uuid::from_u128(1));
        let raw_id = URL_SAFE_NO_PAD.encode(Uuid::from_u128(3).as_bytes());
        let mut altered = URL_SAFE_NO_PAD
            .decode(key.seal(&list, &(1, Uuid::from_u128(3))))
            .unwrap();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        let altered = URL_SAFE_NO_PAD.encode(altered);
        for cursor in [
            raw_id.as_str(),
            altered.as_str(),
            "",
            "!!",
            &"A".repeat(5000),
        ] {
            let refused = key.open::<(i32, Uuid)>(&list, Some(cursor));
            assert!(matches!(refused, Err(AppError::Validation(_))), "{cursor}");
        }
    }

    #[test]
    fn a_sealed_cursor_differs_each_time_for_the_same_position() {
        let key = key();
        let list = ListScope::new("cases", Uuid::from_u128(1));
        assert_ne!(key.seal(&list, &1), key.seal(&list, &1));
    }
}
