//! Console sign-in (OPS-1): operators with a password (argon2id), and sessions.
//!
//! An operator is a principal like a token holder — one id space, one audit label, revoked
//! the same way (`qinglang token revoke NAME` ends their sign-ins too). A session is a random
//! cookie value stored hashed, with its own CSRF token, for `SESSION_HOURS`.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::authz::{Permission, Role};
use crate::crypto;
use crate::error::Error;
use crate::model::{Principal, Timestamp};
use crate::policy::hex;
use crate::service::Governance;
use crate::store::Store;

/// How long a console session lasts.
pub const SESSION_HOURS: i64 = 12;
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Failed sign-ins per operator name per minute before further attempts are refused.
const FAILURES_PER_MINUTE: u32 = 10;

/// A signed-in console session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The cookie value (shown to the browser once; stored hashed).
    pub cookie: String,
    /// The token every form of this session must carry.
    pub csrf: String,
    pub principal: Principal,
    pub expires_at: Timestamp,
}

fn random_hex<const N: usize>() -> Result<String, Error> {
    crypto::random_bytes::<N>()
        .map(|b| hex(&b))
        .map_err(|e| Error::Storage(e.to_string()))
}

fn hash_password(password: &str) -> Result<String, Error> {
    let salt_bytes = crypto::random_bytes::<16>().map_err(|e| Error::Storage(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| Error::Storage(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Storage(format!("password hashing failed: {e}")))
}

fn password_matches(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A console operator as `qinglang user list` shows them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OperatorView {
    pub name: String,
    pub role: Role,
    pub created_at: String,
    /// Revoked (`qinglang user disable` or `token revoke`): can no longer sign in.
    pub disabled: bool,
}

/// A password is 10 to 1,024 characters.
fn check_password(password: &str) -> Result<(), Error> {
    let n = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=1024).contains(&n) {
        return Err(Error::invalid(
            "weak_password",
            format!("a password needs at least {MIN_PASSWORD_CHARS} characters (got {n})"),
        ));
    }
    Ok(())
}

impl<S: Store> Governance<S> {
    /// Every console operator, disabled ones too, oldest first.
    pub fn operators(&self, actor: &Principal) -> Result<Vec<OperatorView>, Error> {
        self.require(actor, Permission::ManageTokens)?;
        let rows = self.store.read(|tx| tx.operators())?;
        Ok(rows
            .into_iter()
            .map(|(p, at, revoked)| OperatorView {
                name: p.name,
                role: p.role,
                created_at: at.to_rfc3339(),
                disabled: revoked,
            })
            .collect())
    }

    /// Gives an operator a new password and ends their sessions (a password is changed
    /// because the old one may be known to someone else). Audited as `operator.password`.
    pub fn set_operator_password(
        &self,
        actor: &Principal,
        name: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<(), Error> {
        self.require(actor, Permission::ManageTokens)?;
        let name = name.trim();
        check_password(password)?;
        let phc = hash_password(password)?;
        self.store.write(|tx| {
            let Some((principal, _)) = tx.operator_credentials(name)? else {
                return Err(Error::not_found("operator", name));
            };
            tx.set_operator_password(name, &phc)?;
            let sessions = tx.delete_sessions_of(principal.id)?;
            self.audit(
                tx,
                actor,
                now,
                "operator.password",
                &format!("principal:{}", principal.id),
                &format!("new password for {name}"),
                serde_json::json!({"name": name, "sessions_ended": sessions}),
            )
        })
    }

    /// Creates an operator who signs in with a name and password (`qinglang user create`).
    pub fn create_operator(
        &self,
        actor: &Principal,
        name: &str,
        role: Role,
        password: &str,
        now: Timestamp,
    ) -> Result<Principal, Error> {
        self.require(actor, Permission::ManageTokens)?;
        let name = name.trim();
        let valid_name = !name.is_empty()
            && name.chars().count() <= 64
            && !name.eq_ignore_ascii_case("system")
            && name.chars().all(|c| !c.is_control() && !c.is_whitespace());
        if !valid_name {
            return Err(Error::invalid(
                "invalid_name",
                "an operator name has 1 to 64 characters, no spaces, and is not \"system\"",
            ));
        }
        check_password(password)?;
        let phc = hash_password(password)?;
        self.store.write(|tx| {
            // Names identify people in claims, sanctions and appeals: unique across tokens
            // and operators alike.
            if tx.principal_named(name)?.is_some() {
                return Err(Error::Conflict {
                    code: "name_taken",
                    message: format!("a principal named {name:?} exists"),
                });
            }
            let id = tx.insert_operator(name, role, &phc, now)?;
            let principal = Principal {
                id,
                name: name.to_owned(),
                role,
            };
            self.audit(
                tx,
                actor,
                now,
                "operator.create",
                &format!("principal:{id}"),
                &format!("{} {name}", role.as_str()),
                serde_json::json!({"role": role, "name": name}),
            )?;
            Ok(principal)
        })
    }

    /// Seconds until the operator `name` may try a password again after too many failures
    /// (the console says so instead of failing silently); `None` when they may now.
    pub fn sign_in_paused(&self, name: &str, now: Timestamp) -> Option<i64> {
        self.throttled(&format!("operator:{}", name.trim()), now)
    }

    /// When `key` failed too often this minute (then nothing is checked or audited): the
    /// seconds until attempts are checked again.
    fn throttled(&self, key: &str, now: Timestamp) -> Option<i64> {
        let failures = crate::service::lock(&self.sign_in_failures);
        failures
            .get(key)
            .filter(|(n, since)| now.0 - since.0 < 60_000 && *n >= FAILURES_PER_MINUTE)
            .map(|(_, since)| (60_000 - (now.0 - since.0) + 999) / 1000)
    }

    /// Counts a failure; returns whether it is still worth an audit entry (the first ten a
    /// minute per name: an attacker cannot flood the trail).
    fn count_failure(&self, key: &str, now: Timestamp) -> bool {
        let mut failures = crate::service::lock(&self.sign_in_failures);
        if failures.len() > 10_000 {
            failures.retain(|_, (_, since)| now.0 - since.0 < 60_000);
        }
        let entry = failures.entry(key.to_owned()).or_insert((0, now));
        if now.0 - entry.1 .0 >= 60_000 {
            *entry = (0, now);
        }
        entry.0 += 1;
        entry.0 <= FAILURES_PER_MINUTE
    }

    fn audit_failure(&self, target: &str, now: Timestamp) -> Result<(), Error> {
        self.store.write(|tx| {
            self.audit(
                tx,
                &Principal::system(),
                now,
                "session.sign_in_failed",
                target,
                "wrong name, password or token",
                serde_json::json!({}),
            )
        })
    }

    /// Signs an operator in with their password. Failures are audited; after ten in a
    /// minute for one name, attempts are refused unchecked until the minute is over.
    pub fn sign_in_password(
        &self,
        name: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<Session, Error> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 || password.len() > 4096 {
            return Err(Error::Unauthenticated);
        }
        let key = format!("operator:{name}");
        if let Some(seconds) = self.throttled(&key, now) {
            return Err(Error::forbidden(
                "rate_limited",
                format!(
                    "too many failed sign-ins for this name: sign-in is paused for {seconds} s \
                     ({seconds_max} failures a minute)",
                    seconds_max = FAILURES_PER_MINUTE
                ),
            ));
        }
        let found = self.store.read(|tx| tx.operator_credentials(name))?;
        // Verify against something even for an unknown name, so that timing does not tell
        // which names exist.
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let dummy = DUMMY.get_or_init(|| hash_password("no such operator").unwrap_or_default());
        let ok = password_matches(
            password,
            found.as_ref().map_or(dummy.as_str(), |(_, h)| h.as_str()),
        );
        match found.filter(|_| ok) {
            Some((principal, _)) => self.open_session(principal, "password", now),
            None => {
                if self.count_failure(&key, now) {
                    self.audit_failure(&key, now)?;
                }
                Err(Error::Unauthenticated)
            }
        }
    }

    /// Signs in with an API token (the same principal, in the browser).
    pub fn sign_in_token(&self, token: &str, now: Timestamp) -> Result<Session, Error> {
        match self.authenticate(token.trim()) {
            Ok(principal) => self.open_session(principal, "token", now),
            Err(Error::Unauthenticated) => {
                if self.count_failure("token", now) {
                    self.audit_failure("token", now)?;
                }
                Err(Error::Unauthenticated)
            }
            Err(e) => Err(e),
        }
    }

    fn open_session(
        &self,
        principal: Principal,
        how: &str,
        now: Timestamp,
    ) -> Result<Session, Error> {
        let cookie = random_hex::<32>()?;
        let csrf = random_hex::<32>()?;
        let expires_at = Timestamp(now.0 + SESSION_HOURS * 3_600_000);
        self.store.write(|tx| {
            tx.insert_session(
                &crypto::token_hash(&cookie),
                principal.id,
                &csrf,
                now,
                expires_at,
            )?;
            self.audit(
                tx,
                &principal,
                now,
                "session.sign_in",
                &format!("principal:{}", principal.id),
                how,
                serde_json::json!({"expires_at": expires_at.to_rfc3339()}),
            )
        })?;
        Ok(Session {
            cookie,
            csrf,
            principal,
            expires_at,
        })
    }

    /// The principal and CSRF token of a live session.
    pub fn session(
        &self,
        cookie: &str,
        now: Timestamp,
    ) -> Result<Option<(Principal, String)>, Error> {
        self.store
            .read(|tx| tx.session(&crypto::token_hash(cookie), now))
    }

    pub fn sign_out(&self, cookie: &str) -> Result<(), Error> {
        self.store
            .write(|tx| tx.delete_session(&crypto::token_hash(cookie)))
    }
}
