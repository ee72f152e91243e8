//! Identity data at rest (ID-3): AES-256-GCM for the clear value, a keyed hash (HMAC-SHA256)
//! for de-duplication and blacklist look-ups, and random bearer tokens.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub use crate::policy::hex;

/// Why the data key cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the data key must be 64 hex characters (32 bytes), got {0} characters")]
    Length(usize),
    #[error("the data key is not hexadecimal")]
    NotHex,
    #[error("stored identity data cannot be decrypted with this key (wrong key or damaged row)")]
    Decrypt,
    #[error("the system random generator failed: {0}")]
    Random(String),
}

/// The deployment's secret: encrypts identity data and keys the look-up hash. Derived
/// sub-keys keep the two uses apart.
#[derive(Clone)]
pub struct DataKey {
    cipher: Aes256Gcm,
    mac_key: [u8; 32],
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    /// Parses a key written as 64 hex characters (surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> Result<DataKey, KeyError> {
        let text = text.trim();
        if text.len() != 64 {
            return Err(KeyError::Length(text.len()));
        }
        let mut key = [0u8; 32];
        for (i, pair) in text.as_bytes().chunks(2).enumerate() {
            let s = std::str::from_utf8(pair).map_err(|_| KeyError::NotHex)?;
            key[i] = u8::from_str_radix(s, 16).map_err(|_| KeyError::NotHex)?;
        }
        Ok(DataKey::from_bytes(&key))
    }

    /// A fresh random key, as hex.
    pub fn generate_hex() -> Result<String, KeyError> {
        Ok(hex(&random_bytes::<32>()?))
    }

    fn from_bytes(master: &[u8; 32]) -> DataKey {
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut mac =
                <Hmac<Sha256> as Mac>::new_from_slice(master).expect("HMAC takes any key length");
            mac.update(label);
            mac.finalize().into_bytes().into()
        };
        let enc = derive(b"qinglang identity encryption v1");
        DataKey {
            cipher: Aes256Gcm::new(&enc.into()),
            mac_key: derive(b"qinglang identity lookup v1"),
        }
    }

    /// Encrypts `plain`, bound to `context` (the owning row, e.g. `user:12:value`), so a
    /// sealed value copied onto another row no longer opens. Output: nonce ‖ ciphertext ‖ tag.
    pub fn seal(&self, plain: &[u8], context: &[u8]) -> Result<Vec<u8>, KeyError> {
        let nonce = random_bytes::<12>()?;
        let mut out = nonce.to_vec();
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: context,
                },
            )
            .map_err(|_| KeyError::Decrypt)?;
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, KeyError> {
        if sealed.len() < 12 + 16 {
            return Err(KeyError::Decrypt);
        }
        let (nonce, body) = sealed.split_at(12);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context,
                },
            )
            .map_err(|_| KeyError::Decrypt)
    }

    /// A keyed MAC over `parts` (the audit chain head and anchor): without the key, a
    /// consistent head cannot be forged after entries are removed.
    pub fn mac(&self, parts: &[&[u8]]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.mac_key)
            .expect("HMAC takes any key length");
        mac.update(b"audit:");
        for p in parts {
            mac.update(&(p.len() as u64).to_le_bytes());
            mac.update(p);
        }
        hex(&mac.finalize().into_bytes())
    }

    /// Keyed hash of a canonical identity value: equal identities give equal hashes, and
    /// without the key the hash reveals nothing (ID numbers are a small search space).
    pub fn lookup_hash(&self, kind: &str, canonical: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.mac_key)
            .expect("HMAC takes any key length");
        mac.update(kind.as_bytes());
        mac.update(b":");
        mac.update(canonical.as_bytes());
        hex(&mac.finalize().into_bytes())
    }
}

pub fn random_bytes<const N: usize>() -> Result<[u8; N], KeyError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(b)
}

/// A new bearer token (`qlt_` and 32 random bytes in hex) and the hash that is stored.
pub fn new_token() -> Result<(String, String), KeyError> {
    let token = format!("qlt_{}", hex(&random_bytes::<32>()?));
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// Tokens are stored hashed: a leaked database does not leak working credentials.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_and_tamper() {
        let key = DataKey::from_hex(&DataKey::generate_hex().unwrap()).unwrap();
        let sealed = key
            .seal("11010519491231002X".as_bytes(), b"user:1")
            .unwrap();
        assert!(
            !sealed.windows(4).any(|w| w == b"1101"),
            "clear text must not appear"
        );
        assert_eq!(key.open(&sealed, b"user:1").unwrap(), b"11010519491231002X");
        assert_eq!(
            key.open(&sealed, b"user:2"),
            Err(KeyError::Decrypt),
            "bound to its row"
        );
        let mut bad = sealed.clone();
        bad[20] ^= 1;
        assert_eq!(key.open(&bad, b"user:1"), Err(KeyError::Decrypt));
        let other = DataKey::from_hex(&DataKey::generate_hex().unwrap()).unwrap();
        assert_eq!(other.open(&sealed, b"user:1"), Err(KeyError::Decrypt));
    }

    #[test]
    fn lookup_hash_is_keyed_and_stable() {
        let a = DataKey::from_hex(&"11".repeat(32)).unwrap();
        let b = DataKey::from_hex(&"22".repeat(32)).unwrap();
        assert_eq!(
            a.lookup_hash("mobile", "13800138000"),
            a.lookup_hash("mobile", "13800138000")
        );
        assert_ne!(
            a.lookup_hash("mobile", "13800138000"),
            b.lookup_hash("mobile", "13800138000")
        );
    }

    #[test]
    fn bad_keys_are_explained() {
        assert_eq!(DataKey::from_hex("abc").unwrap_err(), KeyError::Length(3));
        assert_eq!(
            DataKey::from_hex(&"zz".repeat(32)).unwrap_err(),
            KeyError::NotHex
        );
    }
}
