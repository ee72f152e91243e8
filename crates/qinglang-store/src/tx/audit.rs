//! The hash-chained audit trail (AUD-1, AUD-2). The chain's head lives in `audit_meta`;
//! entries are appended only inside a write transaction, which every backend serialises,
//! so two writers never link to the same head.

use qinglang_governance::model::*;
use qinglang_governance::Error;

use crate::sql::{params, Conn, Dialect, Row};
use crate::storage;

pub(crate) fn audit_from_row(r: &Row<'_, '_>) -> Result<AuditEntry, Error> {
    Ok(AuditEntry {
        seq: r.get("seq")?,
        at: Timestamp(r.get("at")?),
        actor: r.get("actor")?,
        action: r.get("action")?,
        target: r.get("target")?,
        reason: r.get("reason")?,
        evidence: r.get("evidence")?,
        policy_version: r.get("policy_version")?,
        prev_hash: r.get("prev_hash")?,
        hash: r.get("hash")?,
    })
}

pub(crate) fn audit_head(c: &mut dyn Conn) -> Result<Option<(i64, String)>, Error> {
    c.first(
        "SELECT head_seq, head_hash FROM audit_meta WHERE id = 1",
        params![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

pub(crate) fn audit_anchor(c: &mut dyn Conn) -> Result<Option<AuditAnchor>, Error> {
    type Anchor = (Option<i64>, Option<String>, Option<i64>, Option<String>);
    let row: Option<Anchor> = c.first(
        "SELECT anchor_seq, anchor_hash, anchor_at, anchor_mac FROM audit_meta WHERE id = 1",
        params![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    Ok(match row {
        Some((Some(seq), Some(hash), at, mac)) => Some(AuditAnchor {
            seq,
            hash,
            at: Timestamp(at.unwrap_or(i64::MAX)),
            mac: mac.unwrap_or_default(),
        }),
        _ => None,
    })
}

pub(crate) fn audit_head_mac(c: &mut dyn Conn) -> Result<Option<String>, Error> {
    Ok(c.first(
        "SELECT head_mac FROM audit_meta WHERE id = 1",
        params![],
        |r| r.get::<_, Option<String>>(0),
    )?
    .flatten())
}

pub(crate) fn set_anchor_mac(c: &mut dyn Conn, mac: &str) -> Result<(), Error> {
    c.execute(
        "UPDATE audit_meta SET anchor_mac = ?1 WHERE id = 1",
        params![mac],
    )?;
    Ok(())
}

pub(crate) fn insert_audit(
    c: &mut dyn Conn,
    d: &AuditDraft,
    seq: i64,
    prev_hash: &str,
    hash: &str,
    head_mac: &str,
) -> Result<(), Error> {
    c.execute(
        "INSERT INTO audit (seq, at, actor, action, target, reason, evidence, policy_version,
         prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            seq,
            d.at.0,
            d.actor,
            d.action,
            d.target,
            d.reason,
            d.evidence,
            d.policy_version,
            prev_hash,
            hash
        ],
    )?;
    c.execute(
        "INSERT INTO audit_buckets (bucket, action, n) VALUES (?1, ?2, 1)
         ON CONFLICT (bucket, action) DO UPDATE SET n = audit_buckets.n + 1",
        params![d.at.0.div_euclid(900_000), d.action],
    )?;
    c.execute(
        "INSERT INTO audit_meta (id, head_seq, head_hash, head_mac) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET head_seq = excluded.head_seq,
         head_hash = excluded.head_hash, head_mac = excluded.head_mac",
        params![seq, hash, head_mac],
    )?;
    Ok(())
}

pub(crate) fn audit_range(
    c: &mut dyn Conn,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<AuditEntry>, Error> {
    c.rows(
        "SELECT * FROM audit WHERE at >= ?1 AND at < ?2 ORDER BY seq",
        params![from.0, to.0],
        audit_from_row,
    )
}

pub(crate) fn audit_each(
    c: &mut dyn Conn,
    f: &mut dyn FnMut(AuditEntry) -> Result<(), Error>,
) -> Result<(), Error> {
    c.each("SELECT * FROM audit ORDER BY seq", params![], &mut |r| {
        f(audit_from_row(r)?)
    })
}

pub(crate) fn audit_after(
    c: &mut dyn Conn,
    seq: i64,
    actions: &[&str],
    limit: u32,
) -> Result<Vec<AuditEntry>, Error> {
    let list = serde_json::to_string(actions).map_err(storage)?;
    let sql = match c.dialect() {
        Dialect::Sqlite => {
            "SELECT * FROM audit WHERE seq > ?1
             AND action IN (SELECT value FROM json_each(?2)) ORDER BY seq LIMIT ?3"
        }
        Dialect::Postgres => {
            "SELECT * FROM audit WHERE seq > ?1
             AND action IN (SELECT jsonb_array_elements_text(CAST(CAST(?2 AS TEXT) AS JSONB)))
             ORDER BY seq LIMIT ?3"
        }
    };
    c.rows(
        sql,
        params![seq, list, limit.clamp(1, 1000)],
        audit_from_row,
    )
}

pub(crate) fn prune_audit(c: &mut dyn Conn, before: Timestamp) -> Result<u64, Error> {
    // The last entry removed becomes the anchor the retained chain links to.
    let last: Option<(i64, String, i64)> = c.first(
        "SELECT seq, hash, at FROM audit WHERE at < ?1 ORDER BY seq DESC LIMIT 1",
        params![before.0],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let Some((seq, hash, at)) = last else {
        return Ok(0);
    };
    let removed = c.execute("DELETE FROM audit WHERE seq <= ?1", params![seq])?;
    c.execute(
        "UPDATE audit_meta SET anchor_seq = ?1, anchor_hash = ?2, anchor_at = ?3 WHERE id = 1",
        params![seq, hash, at],
    )?;
    Ok(removed)
}
