//! Password hashing with Argon2id (PHC string format, parameters stored in the hash).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Hashes `password` with Argon2id, `memory_kib` KiB, two passes, one lane.
pub fn hash(password: &str, memory_kib: u32) -> anyhow::Result<String> {
    let params = Params::new(memory_kib, 2, 1, None)
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the stored PHC `hash` (with the parameters the hash names).
pub fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the username is unknown, so that both cases take as long.
pub fn dummy_hash(memory_kib: u32) -> String {
    hash("not a real password", memory_kib).expect("fixed parameters are valid")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_hash_verifies_only_its_own_password() {
        let hash = super::hash("korrekt häst batteri", 1024).unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(super::verify("korrekt häst batteri", &hash));
        assert!(!super::verify("korrekt hast batteri", &hash));
        assert!(!super::verify("anything", "not a phc string"));
    }
}
