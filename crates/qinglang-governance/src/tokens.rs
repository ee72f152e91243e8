//! Principals of the API: bearer tokens (stored hashed) and Tencent Cloud API 3.0 key pairs
//! (TC3-HMAC-SHA256, stored sealed), created, looked up and revoked together (OPS-1, OPS-4).

use crate::authz::{Permission, Role};
use crate::crypto;
use crate::error::Error;
use crate::model::{Id, Principal, Timestamp};
use crate::service::Governance;
use crate::store::Store;

/// A TC3 key pair as the official SDKs take it: `SecretId` (`AKID` and 32 letters and
/// digits) names the principal, `SecretKey` signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tc3Key {
    pub secret_id: String,
    pub secret_key: String,
}

/// What a sealed TC3 secret is bound to: a sealed value copied onto another SecretId's row
/// no longer opens.
fn tc3_context(secret_id: &str) -> Vec<u8> {
    format!("tc3:{secret_id}").into_bytes()
}

/// Random bytes as letters and digits (62 symbols; the small bias of `% 62` leaves each
/// character well over five bits of entropy, 160 bits for 32 of them).
fn alphanumeric(bytes: &[u8]) -> String {
    const SYMBOLS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    bytes
        .iter()
        .map(|b| char::from(SYMBOLS[usize::from(*b) % SYMBOLS.len()]))
        .collect()
}

impl<S: Store> Governance<S> {
    /// Resolves a bearer token to its principal.
    pub fn authenticate(&self, token: &str) -> Result<Principal, Error> {
        let hash = crypto::token_hash(token);
        self.store
            .read(|tx| tx.principal_by_token(&hash))?
            .ok_or(Error::Unauthenticated)
    }

    /// Creates a bearer token for a new principal and returns it (shown once).
    pub fn create_token(
        &self,
        actor: &Principal,
        role: Role,
        name: &str,
        now: Timestamp,
    ) -> Result<String, Error> {
        let (token, hash) = crypto::new_token().map_err(|e| Error::Storage(e.to_string()))?;
        self.new_principal(actor, role, name, &hash, None, now)?;
        Ok(token)
    }

    /// Creates a principal that signs its calls with a Tencent Cloud API 3.0 key pair
    /// (TC3-HMAC-SHA256, OPS-4) and returns the pair (shown once). The secret is needed
    /// again to check each signature, so it is kept sealed with the data key (bound to its
    /// SecretId), never in clear; the principal has no bearer token. Revoking the
    /// principal revokes the pair.
    pub fn create_tc3_key(
        &self,
        actor: &Principal,
        role: Role,
        name: &str,
        now: Timestamp,
    ) -> Result<Tc3Key, Error> {
        let random = |e: crypto::KeyError| Error::Storage(e.to_string());
        let key = Tc3Key {
            secret_id: format!(
                "AKID{}",
                alphanumeric(&crypto::random_bytes::<32>().map_err(random)?)
            ),
            secret_key: alphanumeric(&crypto::random_bytes::<32>().map_err(random)?),
        };
        let sealed = self
            .key
            .seal(key.secret_key.as_bytes(), &tc3_context(&key.secret_id))
            .map_err(random)?;
        // No bearer token opens this principal: its token hash is of a value never shown.
        let (_, unused_hash) = crypto::new_token().map_err(random)?;
        self.new_principal(
            actor,
            role,
            name,
            &unused_hash,
            Some((&key.secret_id, &sealed)),
            now,
        )?;
        Ok(key)
    }

    /// The principal and secret of an unrevoked TC3 key pair, to check a request's
    /// signature with; `None` when no such SecretId is live.
    pub fn tc3_secret(&self, secret_id: &str) -> Result<Option<(Principal, String)>, Error> {
        let Some((principal, sealed)) = self.store.read(|tx| tx.tc3_key(secret_id))? else {
            return Ok(None);
        };
        let secret = self
            .key
            .open(&sealed, &tc3_context(secret_id))
            .map_err(|e| Error::Storage(format!("TC3 key {secret_id}: {e}")))?;
        let secret = String::from_utf8(secret)
            .map_err(|_| Error::Storage(format!("TC3 key {secret_id} is not text")))?;
        Ok(Some((principal, secret)))
    }

    /// A new principal named `name` with a bearer token's hash and, for a TC3 key pair,
    /// its SecretId and sealed secret; audited as `token.create`.
    fn new_principal(
        &self,
        actor: &Principal,
        role: Role,
        name: &str,
        token_hash: &str,
        tc3: Option<(&str, &[u8])>,
        now: Timestamp,
    ) -> Result<Id, Error> {
        self.require(actor, Permission::ManageTokens)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(Error::invalid(
                "invalid_name",
                "principal name must have 1 to 64 characters",
            ));
        }
        if name.eq_ignore_ascii_case("system") && actor.id != 0 {
            return Err(Error::invalid(
                "invalid_name",
                "the name \"system\" is reserved",
            ));
        }
        self.store.write(|tx| {
            // A name is one person: a token may not borrow a console operator's.
            if let Some((_, true)) = tx.principal_named(name)? {
                return Err(Error::Conflict {
                    code: "name_taken",
                    message: format!("{name:?} is a console operator's name; choose another"),
                });
            }
            let id = tx.insert_token(token_hash, name, role, now)?;
            let mut details = serde_json::json!({"role": role, "name": name});
            if let Some((secret_id, sealed)) = tc3 {
                tx.insert_tc3_key(secret_id, id, sealed, now)?;
                details["tc3_secret_id"] = secret_id.into();
            }
            self.audit(
                tx,
                actor,
                now,
                "token.create",
                &format!("principal:{id}"),
                &format!("{} {name}", role.as_str()),
                details,
            )?;
            Ok(id)
        })
    }

    /// Revokes every token of the principal named `name`; returns how many.
    pub fn revoke_tokens(
        &self,
        actor: &Principal,
        name: &str,
        now: Timestamp,
    ) -> Result<u64, Error> {
        self.require(actor, Permission::ManageTokens)?;
        self.store.write(|tx| {
            let n = tx.revoke_tokens(name)?;
            if n == 0 {
                return Err(Error::not_found("principal", name));
            }
            self.audit(
                tx,
                actor,
                now,
                "token.revoke",
                &format!("principal:{name}"),
                "",
                serde_json::json!({"name": name, "tokens": n}),
            )?;
            Ok(n)
        })
    }

    /// On a store without any principal, creates the first admin token.
    pub fn bootstrap_admin(&self, now: Timestamp) -> Result<Option<String>, Error> {
        if self.store.read(|tx| tx.token_count())? > 0 {
            return Ok(None);
        }
        self.create_token(&Principal::system(), Role::Admin, "bootstrap-admin", now)
            .map(Some)
    }
}
