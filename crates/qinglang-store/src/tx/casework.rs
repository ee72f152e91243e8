//! SQL for reports, the review queue and appeals (migration 0008).

use crate::sql::{params, Conn, Dialect, Row};
use qinglang_governance::casework::{
    Appeal, AppealStatus, CaseTarget, Filing, Lane, QueueDecision, QueueItem, QueueQuery, Report,
    ReportFilter, ReportStatus, PRIORITY_PER_WINDOW,
};
use qinglang_governance::model::{AuditEntry, Id, Timestamp};
use qinglang_governance::stats::{AuditFilter, QueueDepth, ReportHandling, WAIT_BANDS_MINUTES};
use qinglang_governance::Error;

fn ts(v: Option<i64>) -> Option<Timestamp> {
    v.map(Timestamp)
}

/// A value the schema constrains but a hand-edited database might not honour.
fn bad(what: &str, value: &str) -> Error {
    Error::Storage(format!("unknown {what} {value:?}"))
}

fn target_from(r: &Row<'_, '_>) -> Result<CaseTarget, Error> {
    let kind: String = r.get("target_kind")?;
    CaseTarget::from_parts(&kind, r.get("target_id")?).ok_or_else(|| bad("target kind", &kind))
}

fn report_from(r: &Row<'_, '_>) -> Result<Report, Error> {
    let status: String = r.get("status")?;
    let lane: String = r.get("lane")?;
    Ok(Report {
        id: r.get("id")?,
        target: target_from(r)?,
        category: r.get("category")?,
        status: ReportStatus::parse(&status).ok_or_else(|| bad("report status", &status))?,
        lane: Lane::parse(&lane).ok_or_else(|| bad("lane", &lane))?,
        deadline_at: Timestamp(r.get("deadline_at")?),
        assignee: r.get("assignee")?,
        created_at: Timestamp(r.get("created_at")?),
        resolved_at: ts(r.get("resolved_at")?),
        resolved_by: r.get("resolved_by")?,
        action: r.get("action")?,
        feedback: r.get("feedback")?,
    })
}

fn item_from(r: &Row<'_, '_>) -> Result<QueueItem, Error> {
    let lane: String = r.get("lane")?;
    let decision: Option<String> = r.get("decision")?;
    let decision = match decision {
        Some(d) => Some(QueueDecision::parse(&d).ok_or_else(|| bad("decision", &d))?),
        None => None,
    };
    Ok(QueueItem {
        id: r.get("id")?,
        target: target_from(r)?,
        held: r.get("held")?,
        severity: r.get("severity")?,
        reach: r.get::<_, i64>("reach")?.max(0) as u64,
        lane: Lane::parse(&lane).ok_or_else(|| bad("lane", &lane))?,
        created_at: Timestamp(r.get("created_at")?),
        deadline_at: Timestamp(r.get("deadline_at")?),
        claimed_by: r.get("claimed_by")?,
        claimed_at: ts(r.get("claimed_at")?),
        decision,
        decided_by: r.get("decided_by")?,
        decided_at: ts(r.get("decided_at")?),
        note: r.get("note")?,
    })
}

fn appeal_from(r: &Row<'_, '_>) -> Result<Appeal, Error> {
    let status: String = r.get("status")?;
    Ok(Appeal {
        id: r.get("id")?,
        sanction: r.get("sanction")?,
        appellant: r.get("appellant")?,
        reason: r.get("reason")?,
        filed_at: Timestamp(r.get("filed_at")?),
        status: AppealStatus::parse(&status).ok_or_else(|| bad("appeal status", &status))?,
        decided_by: r.get("decided_by")?,
        decided_at: ts(r.get("decided_at")?),
        note: r.get("note")?,
    })
}

pub(crate) fn insert_report(c: &mut dyn Conn, r: &Report) -> Result<Id, Error> {
    c.insert(
        "INSERT INTO reports (target_kind, target_id, category, status, lane, deadline_at,
         assignee, created_at, resolved_at, resolved_by, action, feedback)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id",
        params![
            r.target.kind(),
            r.target.id(),
            r.category,
            r.status.as_str(),
            r.lane.as_str(),
            r.deadline_at.0,
            r.assignee,
            r.created_at.0,
            r.resolved_at.map(|t| t.0),
            r.resolved_by,
            r.action,
            r.feedback
        ],
    )
}

pub(crate) fn report(c: &mut dyn Conn, id: Id) -> Result<Option<Report>, Error> {
    c.first(
        "SELECT * FROM reports WHERE id = ?1",
        params![id],
        report_from,
    )
}

pub(crate) fn open_report(c: &mut dyn Conn, t: CaseTarget) -> Result<Option<Report>, Error> {
    c.first(
        "SELECT * FROM reports WHERE target_kind = ?1 AND target_id = ?2 AND status = 'open'
         ORDER BY id LIMIT 1",
        params![t.kind(), t.id()],
        report_from,
    )
}

pub(crate) fn update_report(c: &mut dyn Conn, r: &Report) -> Result<(), Error> {
    c.execute(
        "UPDATE reports SET status = ?2, lane = ?3, deadline_at = ?4, assignee = ?5,
         resolved_at = ?6, resolved_by = ?7, action = ?8, feedback = ?9 WHERE id = ?1",
        params![
            r.id,
            r.status.as_str(),
            r.lane.as_str(),
            r.deadline_at.0,
            r.assignee,
            r.resolved_at.map(|t| t.0),
            r.resolved_by,
            r.action,
            r.feedback
        ],
    )?;
    Ok(())
}

pub(crate) fn reports(c: &mut dyn Conn, f: &ReportFilter) -> Result<Vec<Report>, Error> {
    c.rows(
        "SELECT * FROM reports
         WHERE (CAST(?1 AS TEXT) IS NULL OR status = ?1)
           AND (CAST(?2 AS TEXT) IS NULL OR lane = ?2)
           AND (CAST(?3 AS TEXT) IS NULL OR target_kind = ?3)
           AND (CAST(?4 AS BIGINT) IS NULL
                OR id IN (SELECT report FROM report_filings WHERE reporter = ?4))
           AND (CAST(?5 AS TEXT) IS NULL OR (target_kind = ?5 AND target_id = ?6))
         ORDER BY id DESC LIMIT ?7",
        params![
            f.status.map(ReportStatus::as_str),
            f.lane.map(Lane::as_str),
            f.target_kind,
            f.reporter,
            f.target.map(CaseTarget::kind),
            f.target.map(CaseTarget::id),
            f.limit.clamp(1, 1000)
        ],
        report_from,
    )
}

pub(crate) fn insert_filing(c: &mut dyn Conn, f: &Filing) -> Result<Id, Error> {
    c.insert(
        "INSERT INTO report_filings (report, reporter, category, note, at)
         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        params![f.report, f.reporter, f.category, f.note, f.at.0],
    )
}

pub(crate) fn filings(c: &mut dyn Conn, report: Id) -> Result<Vec<Filing>, Error> {
    c.rows(
        "SELECT * FROM report_filings WHERE report = ?1 ORDER BY id",
        params![report],
        |r| {
            Ok(Filing {
                id: r.get("id")?,
                report: r.get("report")?,
                reporter: r.get("reporter")?,
                category: r.get("category")?,
                note: r.get("note")?,
                at: Timestamp(r.get("at")?),
            })
        },
    )
}

pub(crate) fn reporter_record(c: &mut dyn Conn, reporter: Id) -> Result<(u32, u32), Error> {
    c.one(
        "SELECT count(*) FILTER (WHERE status = 'upheld'), count(*) FILTER (WHERE status = 'rejected')
         FROM reports WHERE id IN (SELECT report FROM report_filings WHERE reporter = ?1)",
        params![reporter],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

pub(crate) fn insert_queue_item(c: &mut dyn Conn, i: &QueueItem) -> Result<Id, Error> {
    c.insert(
        "INSERT INTO queue (target_kind, target_id, held, severity, reach, lane, created_at,
         deadline_at, claimed_by, claimed_at, decision, decided_by, decided_at, note, rank_base)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) RETURNING id",
        params![
            i.target.kind(),
            i.target.id(),
            i.held,
            i.severity,
            i.reach.min(i64::MAX as u64) as i64,
            i.lane.as_str(),
            i.created_at.0,
            i.deadline_at.0,
            i.claimed_by,
            i.claimed_at.map(|t| t.0),
            i.decision.map(QueueDecision::as_str),
            i.decided_by,
            i.decided_at.map(|t| t.0),
            i.note,
            i.rank_base()
        ],
    )
}

pub(crate) fn queue_item(c: &mut dyn Conn, id: Id) -> Result<Option<QueueItem>, Error> {
    c.first("SELECT * FROM queue WHERE id = ?1", params![id], item_from)
}

pub(crate) fn open_queue_item(c: &mut dyn Conn, t: CaseTarget) -> Result<Option<QueueItem>, Error> {
    c.first(
        "SELECT * FROM queue WHERE target_kind = ?1 AND target_id = ?2 AND decision IS NULL
         ORDER BY id LIMIT 1",
        params![t.kind(), t.id()],
        item_from,
    )
}

pub(crate) fn update_queue_item(c: &mut dyn Conn, i: &QueueItem) -> Result<(), Error> {
    c.execute(
        "UPDATE queue SET held = ?2, severity = ?3, reach = ?4, lane = ?5, deadline_at = ?6,
         claimed_by = ?7, claimed_at = ?8, decision = ?9, decided_by = ?10, decided_at = ?11,
         note = ?12, rank_base = ?13 WHERE id = ?1",
        params![
            i.id,
            i.held,
            i.severity,
            i.reach.min(i64::MAX as u64) as i64,
            i.lane.as_str(),
            i.deadline_at.0,
            i.claimed_by,
            i.claimed_at.map(|t| t.0),
            i.decision.map(QueueDecision::as_str),
            i.decided_by,
            i.decided_at.map(|t| t.0),
            i.note,
            i.rank_base()
        ],
    )?;
    Ok(())
}

pub(crate) fn ranked_queue(c: &mut dyn Conn, q: &QueueQuery<'_>) -> Result<Vec<QueueItem>, Error> {
    // QueueItem::priority at ?1, in SQL: rank_base plus the share of the time to deadline
    // that has passed. CASE rather than max(), which the two dialects spell differently.
    c.rows(
        "SELECT * FROM queue WHERE decision IS NULL
           AND (CAST(?2 AS TEXT) IS NULL OR lane = ?2)
           AND (CAST(?3 AS TEXT) IS NULL
                OR (claimed_by = ?3 AND claimed_at IS NOT NULL AND ?1 < claimed_at + ?5))
           AND (CAST(?4 AS TEXT) IS NULL OR claimed_by IS NULL OR claimed_by = ?4
                OR claimed_at IS NULL OR ?1 >= claimed_at + ?5)
         ORDER BY coalesce(rank_base, severity)
                  + ?6 * CAST(CASE WHEN ?1 > created_at THEN ?1 - created_at ELSE 0 END
                              AS DOUBLE PRECISION)
                  / CASE WHEN deadline_at > created_at THEN deadline_at - created_at ELSE 1 END
                  DESC,
                  id
         LIMIT ?7",
        params![
            q.now.0,
            q.lane.map(Lane::as_str),
            q.held_by,
            q.not_held_by_others_than,
            q.claim_ms,
            PRIORITY_PER_WINDOW,
            i64::try_from(q.limit).unwrap_or(i64::MAX)
        ],
        item_from,
    )
}

/// Stores the time-independent priority of open items written before it was stored
/// (migration 0015 on SQLite, 0002 on PostgreSQL).
pub(crate) fn backfill_rank(c: &mut dyn Conn) -> Result<(), Error> {
    let items = c.rows(
        "SELECT * FROM queue WHERE decision IS NULL AND rank_base IS NULL",
        params![],
        item_from,
    )?;
    for i in items {
        c.execute(
            "UPDATE queue SET rank_base = ?2 WHERE id = ?1",
            params![i.id, i.rank_base()],
        )?;
    }
    Ok(())
}

pub(crate) fn insert_appeal(c: &mut dyn Conn, a: &Appeal) -> Result<Id, Error> {
    c.insert(
        "INSERT INTO appeals (sanction, appellant, reason, filed_at, status, decided_by,
         decided_at, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
        params![
            a.sanction,
            a.appellant,
            a.reason,
            a.filed_at.0,
            a.status.as_str(),
            a.decided_by,
            a.decided_at.map(|t| t.0),
            a.note
        ],
    )
}

pub(crate) fn appeal(c: &mut dyn Conn, id: Id) -> Result<Option<Appeal>, Error> {
    c.first(
        "SELECT * FROM appeals WHERE id = ?1",
        params![id],
        appeal_from,
    )
}

pub(crate) fn appeal_for_sanction(c: &mut dyn Conn, sanction: Id) -> Result<Option<Appeal>, Error> {
    c.first(
        "SELECT * FROM appeals WHERE sanction = ?1",
        params![sanction],
        appeal_from,
    )
}

pub(crate) fn update_appeal(c: &mut dyn Conn, a: &Appeal) -> Result<(), Error> {
    c.execute(
        "UPDATE appeals SET status = ?2, decided_by = ?3, decided_at = ?4, note = ?5
         WHERE id = ?1",
        params![
            a.id,
            a.status.as_str(),
            a.decided_by,
            a.decided_at.map(|t| t.0),
            a.note
        ],
    )?;
    Ok(())
}

pub(crate) fn appeals(
    c: &mut dyn Conn,
    status: Option<AppealStatus>,
    limit: u32,
) -> Result<Vec<Appeal>, Error> {
    c.rows(
        "SELECT * FROM appeals WHERE (CAST(?1 AS TEXT) IS NULL OR status = ?1)
         ORDER BY status <> 'pending', CASE WHEN status = 'pending' THEN id ELSE -id END
         LIMIT ?2",
        params![status.map(AppealStatus::as_str), limit.clamp(1, 1000)],
        appeal_from,
    )
}

pub(crate) fn report_handling(
    c: &mut dyn Conn,
    from: Timestamp,
    to: Timestamp,
    now: Timestamp,
) -> Result<ReportHandling, Error> {
    let mut h = ReportHandling::default();
    let by_category: Vec<(String, u64)> = c.rows(
        "SELECT category, count(*) FROM reports WHERE created_at >= ?1 AND created_at < ?2
         GROUP BY category",
        params![from.0, to.0],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    for (category, n) in by_category {
        h.filed += n;
        h.by_category.insert(category, n);
    }
    // Resolved: a decision and its time; open: past its deadline at `now`.
    let (resolved, upheld, rejected, on_time, overdue_open): (i64, u64, u64, u64, u64) = c.one(
        "SELECT
           count(*) FILTER (WHERE status <> 'open' AND resolved_at IS NOT NULL),
           count(*) FILTER (WHERE status = 'upheld' AND resolved_at IS NOT NULL),
           count(*) FILTER (WHERE status = 'rejected' AND resolved_at IS NOT NULL),
           count(*) FILTER (WHERE status <> 'open' AND resolved_at <= deadline_at),
           count(*) FILTER (WHERE status = 'open' AND ?3 > deadline_at)
         FROM reports WHERE created_at >= ?1 AND created_at < ?2",
        params![from.0, to.0, now.0],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    h.resolved = resolved.max(0) as u64;
    h.upheld = upheld;
    h.rejected = rejected;
    h.on_time = on_time;
    h.overdue_open = overdue_open;
    // The handling time at a rank, in whole minutes, read from the index order.
    let mut minutes_at = |rank: i64| -> Result<Option<i64>, Error> {
        c.first(
            "SELECT (resolved_at - created_at) / 60000 AS m FROM reports
             WHERE created_at >= ?1 AND created_at < ?2 AND status <> 'open'
               AND resolved_at IS NOT NULL
             ORDER BY m LIMIT 1 OFFSET ?3",
            params![from.0, to.0, rank],
            |r| r.get(0),
        )
    };
    if resolved > 0 {
        let rank = |q: i64| (resolved * q / 100).min(resolved - 1);
        h.median_minutes = minutes_at(rank(50))?;
        h.p90_minutes = minutes_at(rank(90))?;
    }
    Ok(h)
}

pub(crate) fn queue_depth(
    c: &mut dyn Conn,
    now: Timestamp,
    claim_ms: i64,
) -> Result<QueueDepth, Error> {
    let [b1, b2, b3, b4, b5] = WAIT_BANDS_MINUTES.map(|m| m * 60_000);
    c.one(
        "SELECT count(*),
           count(*) FILTER (WHERE lane = 'low'),
           count(*) FILTER (WHERE claimed_by IS NOT NULL AND claimed_at IS NOT NULL
                              AND ?1 < claimed_at + ?2),
           count(*) FILTER (WHERE ?1 > deadline_at),
           count(*) FILTER (WHERE ?1 - created_at < ?3),
           count(*) FILTER (WHERE ?1 - created_at >= ?3 AND ?1 - created_at < ?4),
           count(*) FILTER (WHERE ?1 - created_at >= ?4 AND ?1 - created_at < ?5),
           count(*) FILTER (WHERE ?1 - created_at >= ?5 AND ?1 - created_at < ?6),
           count(*) FILTER (WHERE ?1 - created_at >= ?6 AND ?1 - created_at < ?7),
           count(*) FILTER (WHERE ?1 - created_at >= ?7),
           min(created_at)
         FROM queue WHERE decision IS NULL",
        params![now.0, claim_ms, b1, b2, b3, b4, b5],
        |r| {
            let oldest: Option<i64> = r.get(10)?;
            Ok(QueueDepth {
                open: r.get(0)?,
                low_lane: r.get(1)?,
                claimed: r.get(2)?,
                overdue: r.get(3)?,
                waiting: (4..10).map(|i| r.get(i)).collect::<Result<_, _>>()?,
                oldest_minutes: oldest.map(|t| ((now.0 - t) / 60_000).max(0)),
            })
        },
    )
}

fn counts(
    c: &mut dyn Conn,
    sql: &str,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<(String, u64)>, Error> {
    c.rows(sql, params![from.0, to.0], |r| Ok((r.get(0)?, r.get(1)?)))
}

pub(crate) fn audit_action_counts(
    c: &mut dyn Conn,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<(String, u64)>, Error> {
    // From the quarter-hour counts (migration 0016), not the trail itself.
    c.rows(
        "SELECT action, CAST(sum(n) AS BIGINT) FROM audit_buckets
         WHERE bucket >= ?1 AND bucket < ?2 GROUP BY action ORDER BY action",
        // Whole quarter hours from `from` up to the one `to` falls in.
        params![
            from.0.div_euclid(900_000),
            (to.0 + 899_999).div_euclid(900_000)
        ],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

pub(crate) fn appeal_counts(
    c: &mut dyn Conn,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<(String, u64)>, Error> {
    counts(
        c,
        "SELECT status, count(*) FROM appeals WHERE filed_at >= ?1 AND filed_at < ?2 GROUP BY status ORDER BY status",
        from,
        to,
    )
}

pub(crate) fn sanction_counts(
    c: &mut dyn Conn,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<(String, u64)>, Error> {
    counts(
        c,
        "SELECT kind, count(*) FROM sanctions WHERE starts_at >= ?1 AND starts_at < ?2 GROUP BY kind ORDER BY kind",
        from,
        to,
    )
}

pub(crate) fn audit_search(c: &mut dyn Conn, f: &AuditFilter) -> Result<Vec<AuditEntry>, Error> {
    let sql = match c.dialect() {
        // `+at`: walk the trail newest first by `seq` and stop at the limit. Through the
        // `at` index SQLite would sort every entry in the range first: seconds, and a
        // sorter's worth of memory, once the trail holds millions (the soak, #23).
        Dialect::Sqlite => {
            "SELECT * FROM audit
             WHERE (?1 IS NULL OR instr(actor, ?1) > 0)
               AND (?2 IS NULL OR action = ?2 OR action LIKE ?2 || '.%')
               AND (?3 IS NULL OR target = ?3)
               AND +at >= ?4 AND +at < ?5
             ORDER BY seq DESC LIMIT ?6"
        }
        // PostgreSQL's planner costs the two plans itself.
        Dialect::Postgres => {
            "SELECT * FROM audit
             WHERE (CAST(?1 AS TEXT) IS NULL OR strpos(actor, ?1) > 0)
               AND (CAST(?2 AS TEXT) IS NULL OR action = ?2 OR action LIKE ?2 || '.%')
               AND (CAST(?3 AS TEXT) IS NULL OR target = ?3)
               AND at >= ?4 AND at < ?5
             ORDER BY seq DESC LIMIT ?6"
        }
    };
    c.rows(
        sql,
        params![
            f.actor,
            f.action,
            f.target,
            f.from.0,
            f.to.0,
            f.limit.clamp(1, 10_000)
        ],
        super::audit::audit_from_row,
    )
}
