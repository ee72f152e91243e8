//! Who may call the API and the console: service tokens, TC3 key pairs, operators with
//! passwords, and console sessions.

use qinglang_governance::authz::Role;
use qinglang_governance::model::*;
use qinglang_governance::Error;

use crate::sql::{params, Conn, FromValue, Row};

/// A principal from the columns `id, name, role` of a row, if its role is known.
fn principal(r: &Row<'_, '_>) -> Result<Option<Principal>, Error> {
    let role: String = r.get(2)?;
    let Some(role) = Role::parse(&role) else {
        return Ok(None);
    };
    Ok(Some(Principal {
        id: r.get(0)?,
        name: r.get(1)?,
        role,
    }))
}

/// [`principal`] with the fourth column beside it.
fn principal_with<T: FromValue>(r: &Row<'_, '_>) -> Result<Option<(Principal, T)>, Error> {
    Ok(match principal(r)? {
        Some(p) => Some((p, r.get(3)?)),
        None => None,
    })
}

pub(crate) fn insert_token(
    c: &mut dyn Conn,
    token_hash: &str,
    name: &str,
    role: Role,
    at: Timestamp,
) -> Result<Id, Error> {
    c.insert(
        "INSERT INTO principals (token_hash, name, role, created_at) VALUES (?1, ?2, ?3, ?4)
         RETURNING id",
        params![token_hash, name, role.as_str(), at.0],
    )
}

pub(crate) fn principal_by_token(
    c: &mut dyn Conn,
    token_hash: &str,
) -> Result<Option<Principal>, Error> {
    Ok(c.first(
        "SELECT id, name, role FROM principals WHERE token_hash = ?1 AND revoked = 0",
        params![token_hash],
        principal,
    )?
    .flatten())
}

pub(crate) fn principal_named(
    c: &mut dyn Conn,
    name: &str,
) -> Result<Option<(Principal, bool)>, Error> {
    Ok(c.first(
        "SELECT id, name, role, password_hash IS NOT NULL FROM principals
             WHERE name = ?1 AND revoked = 0 ORDER BY id LIMIT 1",
        params![name],
        principal_with::<bool>,
    )?
    .flatten())
}

pub(crate) fn revoke_tokens(c: &mut dyn Conn, name: &str) -> Result<u64, Error> {
    c.execute(
        "UPDATE principals SET revoked = 1 WHERE name = ?1 AND revoked = 0",
        params![name],
    )
}

pub(crate) fn token_count(c: &mut dyn Conn) -> Result<u64, Error> {
    c.scalar(
        "SELECT count(*) FROM principals WHERE revoked = 0",
        params![],
    )
}

pub(crate) fn insert_tc3_key(
    c: &mut dyn Conn,
    secret_id: &str,
    principal: Id,
    sealed_key: &[u8],
    at: Timestamp,
) -> Result<(), Error> {
    c.execute(
        "INSERT INTO tc3_keys (secret_id, principal_id, sealed_key, created_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![secret_id, principal, sealed_key, at.0],
    )?;
    Ok(())
}

pub(crate) fn tc3_key(
    c: &mut dyn Conn,
    secret_id: &str,
) -> Result<Option<(Principal, Vec<u8>)>, Error> {
    Ok(c.first(
        "SELECT p.id, p.name, p.role, k.sealed_key FROM tc3_keys k
             JOIN principals p ON p.id = k.principal_id
             WHERE k.secret_id = ?1 AND p.revoked = 0",
        params![secret_id],
        principal_with::<Vec<u8>>,
    )?
    .flatten())
}

pub(crate) fn insert_operator(
    c: &mut dyn Conn,
    name: &str,
    role: Role,
    password_hash: &str,
    at: Timestamp,
) -> Result<Id, Error> {
    c.insert(
        "INSERT INTO principals (token_hash, name, role, created_at, password_hash)
         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        params![
            format!("password:{name}"),
            name,
            role.as_str(),
            at.0,
            password_hash
        ],
    )
}

pub(crate) fn operator_credentials(
    c: &mut dyn Conn,
    name: &str,
) -> Result<Option<(Principal, String)>, Error> {
    Ok(c.first(
        "SELECT id, name, role, password_hash FROM principals
             WHERE token_hash = ?1 AND revoked = 0 AND password_hash IS NOT NULL",
        params![format!("password:{name}")],
        principal_with::<String>,
    )?
    .flatten())
}

pub(crate) fn operators(c: &mut dyn Conn) -> Result<Vec<(Principal, Timestamp, bool)>, Error> {
    let rows = c.rows(
        "SELECT id, name, role, created_at, revoked FROM principals
         WHERE password_hash IS NOT NULL ORDER BY id",
        params![],
        |r| {
            let at: i64 = r.get(3)?;
            let revoked: bool = r.get(4)?;
            Ok(principal(r)?.map(|p| (p, Timestamp(at), revoked)))
        },
    )?;
    Ok(rows.into_iter().flatten().collect())
}

pub(crate) fn set_operator_password(
    c: &mut dyn Conn,
    name: &str,
    password_hash: &str,
) -> Result<bool, Error> {
    Ok(c.execute(
        "UPDATE principals SET password_hash = ?2
         WHERE token_hash = ?1 AND revoked = 0 AND password_hash IS NOT NULL",
        params![format!("password:{name}"), password_hash],
    )? > 0)
}

pub(crate) fn insert_session(
    c: &mut dyn Conn,
    id_hash: &str,
    principal: Id,
    csrf: &str,
    at: Timestamp,
    expires_at: Timestamp,
) -> Result<(), Error> {
    c.execute("DELETE FROM sessions WHERE expires_at <= ?1", params![at.0])?;
    c.execute(
        "INSERT INTO sessions (id_hash, principal, csrf, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id_hash, principal, csrf, at.0, expires_at.0],
    )?;
    Ok(())
}

pub(crate) fn session(
    c: &mut dyn Conn,
    id_hash: &str,
    now: Timestamp,
) -> Result<Option<(Principal, String)>, Error> {
    Ok(c.first(
        "SELECT p.id, p.name, p.role, s.csrf FROM sessions s
             JOIN principals p ON p.id = s.principal
             WHERE s.id_hash = ?1 AND s.expires_at > ?2 AND p.revoked = 0",
        params![id_hash, now.0],
        principal_with::<String>,
    )?
    .flatten())
}

pub(crate) fn delete_session(c: &mut dyn Conn, id_hash: &str) -> Result<(), Error> {
    c.execute("DELETE FROM sessions WHERE id_hash = ?1", params![id_hash])?;
    Ok(())
}

pub(crate) fn delete_sessions_of(c: &mut dyn Conn, principal: Id) -> Result<u64, Error> {
    c.execute(
        "DELETE FROM sessions WHERE principal = ?1",
        params![principal],
    )
}
