//! Strikes and sanctions (ENF-1..ENF-4).

use qinglang_governance::model::*;
use qinglang_governance::policy::SanctionKind;
use qinglang_governance::Error;

use crate::sql::{params, Conn, Row};

fn sanction_from_row(r: &Row<'_, '_>) -> Result<Option<Sanction>, Error> {
    let kind: String = r.get("kind")?;
    let target_kind: String = r.get("target_kind")?;
    let (Some(kind), Some(target)) = (
        SanctionKind::parse(&kind),
        Target::from_parts(&target_kind, r.get("target_id")?),
    ) else {
        return Ok(None);
    };
    Ok(Some(Sanction {
        id: r.get("id")?,
        target,
        kind,
        reason: r.get("reason")?,
        starts_at: Timestamp(r.get("starts_at")?),
        ends_at: r.get::<_, Option<i64>>("ends_at")?.map(Timestamp),
        policy_version: r.get("policy_version")?,
        imposed_by: r.get("imposed_by")?,
        content: r.get("content")?,
        revoked_at: r.get::<_, Option<i64>>("revoked_at")?.map(Timestamp),
        strike: r.get("strike")?,
        credit_cost: r.get("credit_cost")?,
    }))
}

pub(crate) fn insert_strike(
    c: &mut dyn Conn,
    target: Target,
    content: Option<Id>,
    at: Timestamp,
) -> Result<Id, Error> {
    c.insert(
        "INSERT INTO strikes (target_kind, target_id, content, at) VALUES (?1, ?2, ?3, ?4)
         RETURNING id",
        params![target.kind(), target.id(), content, at.0],
    )
}

pub(crate) fn strikes_of(c: &mut dyn Conn, target: Target) -> Result<Vec<StrikeRecord>, Error> {
    c.rows(
        "SELECT id, content, at, voided FROM strikes
         WHERE target_kind = ?1 AND target_id = ?2 ORDER BY id DESC LIMIT 500",
        params![target.kind(), target.id()],
        |r| {
            Ok(StrikeRecord {
                id: r.get(0)?,
                content: r.get(1)?,
                at: Timestamp(r.get(2)?),
                voided: r.get(3)?,
            })
        },
    )
}

pub(crate) fn strikes_since(
    c: &mut dyn Conn,
    target: Target,
    since: Timestamp,
) -> Result<u32, Error> {
    c.scalar(
        "SELECT count(*) FROM strikes
         WHERE target_kind = ?1 AND target_id = ?2 AND at >= ?3 AND voided = 0",
        params![target.kind(), target.id(), since.0],
    )
}

pub(crate) fn void_strike(c: &mut dyn Conn, id: Id) -> Result<bool, Error> {
    Ok(c.execute(
        "UPDATE strikes SET voided = 1 WHERE id = ?1 AND voided = 0",
        params![id],
    )? > 0)
}

pub(crate) fn insert_sanction(c: &mut dyn Conn, s: &Sanction) -> Result<Id, Error> {
    c.insert(
        "INSERT INTO sanctions (target_kind, target_id, kind, reason, starts_at, ends_at,
         policy_version, imposed_by, content, strike, credit_cost)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id",
        params![
            s.target.kind(),
            s.target.id(),
            s.kind.as_str(),
            s.reason,
            s.starts_at.0,
            s.ends_at.map(|t| t.0),
            s.policy_version,
            s.imposed_by,
            s.content,
            s.strike,
            s.credit_cost
        ],
    )
}

pub(crate) fn sanction(c: &mut dyn Conn, id: Id) -> Result<Option<Sanction>, Error> {
    Ok(c.first(
        "SELECT * FROM sanctions WHERE id = ?1",
        params![id],
        sanction_from_row,
    )?
    .flatten())
}

pub(crate) fn sanctions_of(c: &mut dyn Conn, target: Target) -> Result<Vec<Sanction>, Error> {
    let rows = c.rows(
        "SELECT * FROM sanctions WHERE target_kind = ?1 AND target_id = ?2 ORDER BY id",
        params![target.kind(), target.id()],
        sanction_from_row,
    )?;
    Ok(rows.into_iter().flatten().collect())
}

pub(crate) fn revoke_sanction(c: &mut dyn Conn, id: Id, at: Timestamp) -> Result<(), Error> {
    c.execute(
        "UPDATE sanctions SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, at.0],
    )?;
    Ok(())
}

pub(crate) fn sanction_applied_since(
    c: &mut dyn Conn,
    target: Target,
    kind: SanctionKind,
    since: Timestamp,
) -> Result<bool, Error> {
    c.exists(
        "SELECT 1 FROM sanctions WHERE target_kind = ?1 AND target_id = ?2 AND kind = ?3
         AND starts_at >= ?4 AND revoked_at IS NULL LIMIT 1",
        params![target.kind(), target.id(), kind.as_str(), since.0],
    )
}
