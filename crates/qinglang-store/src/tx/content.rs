//! Reviewed content and flood campaigns, and what changes the engine at run time: lexicon
//! edits, emergency changes and learned examples. The last three only grow (or are
//! deleted whole), so their counts and largest ids make a generation every node can poll.

use qinglang_governance::model::*;
use qinglang_governance::Error;

use crate::sql::{params, Conn, Row};
use crate::storage;

/// A quarter hour: the dashboard's counts are kept per bucket (migration 0015).
const BUCKET_MS: i64 = 900_000;

/// Counts one message more (or, with `by` −1, less) in its bucket.
fn count(c: &mut dyn Conn, at: i64, decision: &str, labels: &str, by: i64) -> Result<(), Error> {
    c.execute(
        "INSERT INTO content_buckets (bucket, decision, labels, n) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (bucket, decision, labels) DO UPDATE SET n = content_buckets.n + ?4",
        params![at.div_euclid(BUCKET_MS), decision, labels, by],
    )?;
    Ok(())
}

pub(crate) fn insert_content(c: &mut dyn Conn, r: &ContentRecord) -> Result<Id, Error> {
    let labels = serde_json::to_string(&r.labels).map_err(storage)?;
    count(c, r.at.0, r.decision.as_str(), &labels, 1)?;
    c.insert(
        "INSERT INTO content (author, group_id, account_id, kind, text, decision, suggestion,
         score, labels, verdict, policy_version, at, campaign)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) RETURNING id",
        params![
            r.author,
            r.group,
            r.account,
            r.kind.as_str(),
            r.text,
            r.decision.as_str(),
            r.suggestion,
            r.score,
            labels,
            r.verdict_json,
            r.policy_version,
            r.at.0,
            r.campaign.map(|k| k as i64)
        ],
    )
}

pub(crate) fn content_since(
    c: &mut dyn Conn,
    since: Timestamp,
) -> Result<Vec<StoredContent>, Error> {
    c.rows(
        "SELECT id, author, group_id, text, decision, at, kind FROM content
         WHERE at >= ?1 ORDER BY at, id",
        params![since.0],
        |r| {
            let kind: String = r.get(6)?;
            Ok(StoredContent {
                id: r.get(0)?,
                author: r.get(1)?,
                group: r.get(2)?,
                kind: ContentKind::parse(&kind).unwrap_or(ContentKind::Message),
                text: r.get(3)?,
                decision: r.get(4)?,
                at: Timestamp(r.get(5)?),
            })
        },
    )
}

pub(crate) fn set_content_decision(
    c: &mut dyn Conn,
    id: Id,
    decision: Decision,
) -> Result<(), Error> {
    let was: Option<(i64, String, String)> = c.first(
        "SELECT at, decision, labels FROM content WHERE id = ?1",
        params![id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if let Some((at, old, labels)) = was {
        if old != decision.as_str() {
            count(c, at, &old, &labels, -1)?;
            count(c, at, decision.as_str(), &labels, 1)?;
        }
    }
    c.execute(
        "UPDATE content SET decision = ?1 WHERE id = ?2",
        params![decision.as_str(), id],
    )?;
    Ok(())
}

pub(crate) fn content(c: &mut dyn Conn, id: Id) -> Result<Option<ContentRecord>, Error> {
    c.first("SELECT * FROM content WHERE id = ?1", params![id], |r| {
        let kind: String = r.get("kind")?;
        let decision: String = r.get("decision")?;
        let labels: String = r.get("labels")?;
        Ok(ContentRecord {
            author: r.get("author")?,
            group: r.get("group_id")?,
            account: r.get("account_id")?,
            kind: ContentKind::parse(&kind).unwrap_or(ContentKind::Message),
            text: r.get("text")?,
            decision: Decision::parse(&decision).unwrap_or(Decision::Held),
            suggestion: r.get("suggestion")?,
            score: r.get("score")?,
            labels: serde_json::from_str(&labels).unwrap_or_default(),
            verdict_json: r.get("verdict")?,
            policy_version: r.get("policy_version")?,
            at: Timestamp(r.get("at")?),
            campaign: r.get::<_, Option<i64>>("campaign")?.map(|k| k as u64),
        })
    })
}

pub(crate) fn campaign_members(
    c: &mut dyn Conn,
    campaign: u64,
) -> Result<Vec<CampaignMember>, Error> {
    c.rows(
        "SELECT id, author, group_id, account_id, decision, at FROM content
         WHERE campaign = ?1 ORDER BY id",
        params![campaign as i64],
        |r| {
            Ok(CampaignMember {
                content: r.get(0)?,
                author: r.get(1)?,
                group: r.get(2)?,
                account: r.get(3)?,
                decision: r.get(4)?,
                at: Timestamp(r.get(5)?),
            })
        },
    )
}

pub(crate) fn prune_content(c: &mut dyn Conn, before: Timestamp) -> Result<u64, Error> {
    c.execute(
        // Content under open casework stays until the case is decided: the queue item
        // or report needs it (and the evidence), however old it is.
        "DELETE FROM content WHERE at < ?1
         AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.target_kind = 'content'
             AND q.target_id = content.id AND q.decision IS NULL)
         AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.target_kind = 'content'
             AND r.target_id = content.id AND r.status = 'open')",
        params![before.0],
    )
}

pub(crate) fn content_volume(
    c: &mut dyn Conn,
    from: Timestamp,
    to: Timestamp,
    offset_ms: i64,
) -> Result<Vec<(i64, String, String, u64)>, Error> {
    // From the quarter-hour counts, not the messages: a period of millions of messages is a
    // few thousand rows.
    c.rows(
        "SELECT (bucket * 900000 + ?3) / 86400000 AS day, decision, labels,
                CAST(sum(n) AS BIGINT)
         FROM content_buckets WHERE bucket >= ?1 AND bucket < ?2 AND n > 0
         GROUP BY day, decision, labels ORDER BY day",
        params![
            from.0.div_euclid(BUCKET_MS),
            to.0.div_euclid(BUCKET_MS),
            offset_ms
        ],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
}

pub(crate) fn insert_lexicon_edit(c: &mut dyn Conn, e: &LexiconEdit) -> Result<Id, Error> {
    c.insert(
        "INSERT INTO lexicon_edits (term, category, action, reason, actor, at, scene)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        params![e.term, e.category, e.action, e.reason, e.actor, e.at.0, e.scene],
    )
}

pub(crate) fn lexicon_edits(c: &mut dyn Conn) -> Result<Vec<LexiconEdit>, Error> {
    c.rows("SELECT * FROM lexicon_edits ORDER BY id", params![], |r| {
        Ok(LexiconEdit {
            id: r.get("id")?,
            term: r.get("term")?,
            category: r.get("category")?,
            action: r.get("action")?,
            reason: r.get("reason")?,
            actor: r.get("actor")?,
            at: Timestamp(r.get("at")?),
            scene: r.get("scene")?,
        })
    })
}

pub(crate) fn insert_emergency(c: &mut dyn Conn, e: &EmergencyChange) -> Result<Id, Error> {
    c.insert(
        "INSERT INTO emergency_changes
         (name, lexicon, review_threshold, block_threshold, actor, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
        params![
            e.name,
            e.lexicon,
            e.review_threshold,
            e.block_threshold,
            e.actor,
            e.at.0
        ],
    )
}

pub(crate) fn emergency_generation(c: &mut dyn Conn) -> Result<(u64, Id), Error> {
    c.one(
        // Both tables only grow, so the sums change whenever either does.
        "SELECT (SELECT count(*) FROM emergency_changes) + (SELECT count(*) FROM lexicon_edits),
                (SELECT coalesce(max(id), 0) FROM emergency_changes)
                + (SELECT coalesce(max(id), 0) FROM lexicon_edits)",
        params![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

pub(crate) fn emergency_changes(c: &mut dyn Conn) -> Result<Vec<EmergencyChange>, Error> {
    c.rows(
        "SELECT id, name, lexicon, review_threshold, block_threshold, actor, at
         FROM emergency_changes ORDER BY id",
        params![],
        |r| {
            Ok(EmergencyChange {
                id: r.get(0)?,
                name: r.get(1)?,
                lexicon: r.get(2)?,
                review_threshold: r.get(3)?,
                block_threshold: r.get(4)?,
                actor: r.get(5)?,
                at: Timestamp(r.get(6)?),
            })
        },
    )
}

/// A learned example from a row of `id, label, text, actor, at`.
fn learned_from_row(model: &str, r: &Row<'_, '_>) -> Result<LearnedExample, Error> {
    let label: String = r.get(1)?;
    Ok(LearnedExample {
        id: r.get(0)?,
        model: model.to_owned(),
        // The CHECK constraint admits only these two.
        label: Label::parse(&label).unwrap_or(Label::Ham),
        text: r.get(2)?,
        actor: r.get(3)?,
        at: Timestamp(r.get(4)?),
    })
}

pub(crate) fn insert_learned(c: &mut dyn Conn, example: &LearnedExample) -> Result<Id, Error> {
    c.insert(
        "INSERT INTO learned_examples (model, label, text, actor, at)
         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        params![
            example.model,
            example.label.as_str(),
            example.text,
            example.actor,
            example.at.0
        ],
    )
}

pub(crate) fn learned_examples(
    c: &mut dyn Conn,
    model: &str,
) -> Result<Vec<LearnedExample>, Error> {
    c.rows(
        "SELECT id, label, text, actor, at FROM learned_examples
         WHERE model = ?1 ORDER BY id",
        params![model],
        |r| learned_from_row(model, r),
    )
}

pub(crate) fn recent_learned(
    c: &mut dyn Conn,
    model: &str,
    limit: usize,
    before: Option<Id>,
) -> Result<Vec<LearnedExample>, Error> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    c.rows(
        "SELECT id, label, text, actor, at FROM learned_examples
         WHERE model = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
        params![model, before.unwrap_or(Id::MAX), limit],
        |r| learned_from_row(model, r),
    )
}

pub(crate) fn learned_counts(c: &mut dyn Conn, model: &str) -> Result<(u64, u64), Error> {
    c.one(
        "SELECT count(*) FILTER (WHERE label = 'spam'), count(*) FILTER (WHERE label = 'ham')
         FROM learned_examples WHERE model = ?1",
        params![model],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

pub(crate) fn learned_generation(c: &mut dyn Conn, model: &str) -> Result<(u64, Id), Error> {
    c.one(
        "SELECT count(*), coalesce(max(id), 0) FROM learned_examples WHERE model = ?1",
        params![model],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

pub(crate) fn clear_learned(c: &mut dyn Conn, model: &str) -> Result<u64, Error> {
    c.execute(
        "DELETE FROM learned_examples WHERE model = ?1",
        params![model],
    )
}

pub(crate) fn delete_learned(
    c: &mut dyn Conn,
    model: &str,
    id: Id,
) -> Result<Option<LearnedExample>, Error> {
    c.first(
        "DELETE FROM learned_examples WHERE model = ?1 AND id = ?2
         RETURNING id, label, text, actor, at",
        params![model, id],
        |r| learned_from_row(model, r),
    )
}
