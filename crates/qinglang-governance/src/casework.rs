//! Casework (issue 4): reports (CMP-1), the review queue, and appeals (CMP-2).
//!
//! One queue holds everything a person must look at: content a `review` verdict held, and
//! every reported target. There is at most one open item per target, so a report on held
//! content, or ten reports on one account, are one piece of work. A moderator claims items
//! (the claim lapses), decides them alone or in bulk, and the decision resolves the reports on
//! the target, applies the ladder through the governance rules, and teaches the model.

use serde::{Deserialize, Serialize};

use crate::authz::{allows, Permission, Role};
use crate::error::Error;
use crate::model::{Decision, Id, Principal, Sanction, Target, Timestamp, UserStatus};
use crate::service::{Governance, SanctionView};
use crate::store::{Store, Tx};

/// Report categories a platform can offer its users (REV-2 categories, plus the complaint
/// grounds the content-ecosystem rules name: rumours, privacy, minors; and `other`).
pub const REPORT_CATEGORIES: &[&str] = &[
    "politics",
    "porn",
    "gambling",
    "drugs",
    "violence",
    "terrorism",
    "fraud",
    "abuse",
    "discrimination",
    "ad",
    "spam",
    "rumour",
    "privacy",
    "minors",
    "other",
];

/// Longest report note or appeal reason, in characters.
pub const MAX_NOTE_CHARS: usize = 2_000;

/// What a report or a queue item is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum CaseTarget {
    Content(Id),
    User(Id),
    Account(Id),
    Group(Id),
}

impl CaseTarget {
    pub fn kind(self) -> &'static str {
        match self {
            CaseTarget::Content(_) => "content",
            CaseTarget::User(_) => "user",
            CaseTarget::Account(_) => "account",
            CaseTarget::Group(_) => "group",
        }
    }

    pub fn id(self) -> Id {
        match self {
            CaseTarget::Content(i)
            | CaseTarget::User(i)
            | CaseTarget::Account(i)
            | CaseTarget::Group(i) => i,
        }
    }

    pub fn from_parts(kind: &str, id: Id) -> Option<CaseTarget> {
        Some(match kind {
            "content" => CaseTarget::Content(id),
            "user" => CaseTarget::User(id),
            "account" => CaseTarget::Account(id),
            "group" => CaseTarget::Group(id),
            _ => return None,
        })
    }

    /// `content:12`, as written in audit records.
    pub fn label(self) -> String {
        format!("{}:{}", self.kind(), self.id())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Open,
    Upheld,
    Rejected,
}

impl ReportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Open => "open",
            ReportStatus::Upheld => "upheld",
            ReportStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<ReportStatus> {
        [
            ReportStatus::Open,
            ReportStatus::Upheld,
            ReportStatus::Rejected,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// Which lane of the queue: reports filed only by reporters whose reports are mostly
/// rejected are screened into the low lane — looked at after the rest, never dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    Normal,
    Low,
}

impl Lane {
    pub fn as_str(self) -> &'static str {
        match self {
            Lane::Normal => "normal",
            Lane::Low => "low",
        }
    }

    pub fn parse(s: &str) -> Option<Lane> {
        [Lane::Normal, Lane::Low]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// A report: one target under complaint, with every filing merged into it.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub id: Id,
    pub target: CaseTarget,
    /// The first filing's category.
    pub category: String,
    pub status: ReportStatus,
    pub lane: Lane,
    pub deadline_at: Timestamp,
    /// Name of the moderator it is assigned to.
    pub assignee: Option<String>,
    pub created_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
    pub resolved_by: Option<String>,
    /// What was done (`remove`, `remove_and_sanction`; `approve` when rejected).
    pub action: Option<String>,
    /// What the reporters are told.
    pub feedback: Option<String>,
}

/// One complaint.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Filing {
    pub id: Id,
    pub report: Id,
    /// The platform user who reported; `None` for an anonymous report.
    pub reporter: Option<Id>,
    pub category: String,
    pub note: String,
    pub at: Timestamp,
}

/// What a moderator decides about a queue item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QueueDecision {
    /// No violation: held content is published, reports are rejected.
    Approve,
    /// The content is taken down; no strike.
    Remove,
    /// The content is taken down (if any) and the violation counts: credit, strike, ladder.
    RemoveAndSanction,
}

impl QueueDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            QueueDecision::Approve => "approve",
            QueueDecision::Remove => "remove",
            QueueDecision::RemoveAndSanction => "remove_and_sanction",
        }
    }

    pub fn parse(s: &str) -> Option<QueueDecision> {
        [
            QueueDecision::Approve,
            QueueDecision::Remove,
            QueueDecision::RemoveAndSanction,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// A piece of work in the review queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueItem {
    pub id: Id,
    pub target: CaseTarget,
    /// The content is held by a `review` verdict (not published until decided).
    pub held: bool,
    /// 0–100: the verdict's score, or what the reports' categories and numbers suggest.
    pub severity: u32,
    /// How many people would see it: the group's members, the account's followers.
    pub reach: u64,
    pub lane: Lane,
    pub created_at: Timestamp,
    pub deadline_at: Timestamp,
    pub claimed_by: Option<String>,
    pub claimed_at: Option<Timestamp>,
    pub decision: Option<QueueDecision>,
    pub decided_by: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub note: Option<String>,
}

/// What an item's priority gains over its whole time to deadline.
pub const PRIORITY_PER_WINDOW: f64 = 50.0;

/// Which open items to list, most urgent first (the store orders by [`QueueItem::priority`]
/// at `now` and stops at `limit`, so a long queue is never read whole).
#[derive(Debug, Clone)]
pub struct QueueQuery<'a> {
    pub now: Timestamp,
    pub lane: Option<Lane>,
    /// Only items this person holds (a claim younger than `claim_ms`).
    pub held_by: Option<&'a str>,
    /// Leave out items someone other than this person holds.
    pub not_held_by_others_than: Option<&'a str>,
    pub claim_ms: i64,
    pub limit: usize,
}

impl QueueItem {
    /// Who holds the item now: a claim lapses after `claim_ms` (an assignment by the lead is
    /// stamped to hold until the deadline).
    pub fn holder(&self, now: Timestamp, claim_ms: i64) -> Option<&str> {
        match (&self.claimed_by, self.claimed_at) {
            (Some(who), Some(at)) if now.0 < at.0.saturating_add(claim_ms) => Some(who),
            _ => None,
        }
    }

    /// The order of work: severe, widely seen and close to (or past) its deadline first;
    /// the low lane after everything else. The store orders by the same formula in SQL
    /// ([`QueueItem::rank_base`] is stored with the item; the time part is computed there).
    pub fn priority(&self, now: Timestamp) -> f64 {
        let window = (self.deadline_at.0 - self.created_at.0).max(1) as f64;
        let elapsed = ((now.0 - self.created_at.0).max(0) as f64) / window;
        self.rank_base() + PRIORITY_PER_WINDOW * elapsed
    }

    /// The part of [`QueueItem::priority`] that does not change with time: severity, reach
    /// (logarithmic: a million readers is not a thousand times one thousand) and lane.
    pub fn rank_base(&self) -> f64 {
        let reach = 15.0 * (1.0 + self.reach as f64).log10();
        let lane = if self.lane == Lane::Low {
            -1_000.0
        } else {
            0.0
        };
        f64::from(self.severity) + reach + lane
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AppealStatus {
    Pending,
    Upheld,
    Rejected,
}

impl AppealStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AppealStatus::Pending => "pending",
            AppealStatus::Upheld => "upheld",
            AppealStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<AppealStatus> {
        [
            AppealStatus::Pending,
            AppealStatus::Upheld,
            AppealStatus::Rejected,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// An appeal against one sanction (CMP-2).
#[derive(Debug, Clone, PartialEq)]
pub struct Appeal {
    pub id: Id,
    pub sanction: Id,
    pub appellant: Id,
    pub reason: String,
    pub filed_at: Timestamp,
    pub status: AppealStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<Timestamp>,
    /// The decision's explanation, as the appellant is told it.
    pub note: Option<String>,
}

// ----- views -----

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportView {
    pub id: Id,
    pub target: CaseTarget,
    pub category: String,
    pub status: ReportStatus,
    pub lane: Lane,
    /// How many filings the report merges (a report's detail lists them as `filings`).
    #[serde(rename = "filing_count")]
    pub filings: usize,
    pub reporters: usize,
    pub deadline_at: String,
    pub overdue: bool,
    pub assignee: Option<String>,
    pub created_at: String,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
    pub action: Option<String>,
    /// The reply the platform shows the reporters.
    pub feedback: Option<String>,
    /// Minutes from the first filing to the resolution.
    pub handling_minutes: Option<i64>,
}

/// A filed report, and whether it joined one already open on the target.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportFiled {
    pub report: ReportView,
    pub merged: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportDetail {
    #[serde(flatten)]
    pub report: ReportView,
    pub filings: Vec<FilingView>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FilingView {
    pub reporter: Option<Id>,
    pub category: String,
    pub note: String,
    pub at: String,
}

/// A reporter's record: the share of their resolved reports that were upheld.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reputation {
    pub upheld: u32,
    pub rejected: u32,
    /// `None` until enough reports are resolved to judge.
    pub share_upheld: Option<f32>,
    pub screened: bool,
}

/// A queue item as a moderator sees it: the item, its priority, and what to judge.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueEntry {
    pub id: Id,
    pub target: CaseTarget,
    pub held: bool,
    pub severity: u32,
    pub reach: u64,
    pub lane: Lane,
    pub priority: f64,
    pub created_at: String,
    pub deadline_at: String,
    pub overdue: bool,
    /// Who holds it now (a lapsed claim is not shown).
    pub claimed_by: Option<String>,
    pub decision: Option<QueueDecision>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// For content: the text, its author, group, account and stored verdict (hits with
    /// spans and sources).
    pub content: Option<ContentContext>,
    /// Open reports on the target.
    pub reports: Vec<ReportView>,
    /// The complaints' notes, newest first (at most 5).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContentContext {
    pub id: Id,
    pub author: Id,
    pub group: Option<Id>,
    pub account: Option<Id>,
    pub kind: String,
    pub text: String,
    pub decision: String,
    pub verdict: serde_json::Value,
    pub campaign: Option<u64>,
    pub at: String,
}

/// What happened to one item of a (bulk) decision.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemOutcome {
    pub item: Id,
    pub ok: bool,
    /// Why it was skipped (claimed by someone else, already decided, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    pub reports_resolved: Vec<Id>,
    pub sanctions: Vec<SanctionView>,
    /// The model learned the text (REV-9): `spam` or `ham`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learned: Option<&'static str>,
}

/// A decision the platform must pass on to its users.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Outcome {
    /// The cursor: ask for outcomes after the last one delivered.
    pub seq: i64,
    pub at: String,
    /// `report` or `appeal`.
    pub kind: &'static str,
    pub id: Id,
    /// The platform users to tell: a report's reporters, an appeal's appellant.
    pub notify: Vec<Id>,
    /// `upheld` or `rejected`.
    pub status: String,
    /// The text to show them: the report's feedback, the appeal decision's note.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<CaseTarget>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppealView {
    pub id: Id,
    pub sanction: SanctionView,
    pub appellant: Id,
    pub reason: String,
    pub filed_at: String,
    pub status: AppealStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub note: Option<String>,
}

/// Which reports to list.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub status: Option<ReportStatus>,
    pub lane: Option<Lane>,
    pub target_kind: Option<String>,
    pub reporter: Option<Id>,
    pub target: Option<CaseTarget>,
    pub limit: u32,
}

/// A new complaint.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    pub target: CaseTarget,
    pub category: String,
    #[serde(default)]
    pub note: String,
    /// The platform user who reports; omitted for an anonymous report.
    #[serde(default)]
    pub reporter: Option<Id>,
}

pub(crate) fn check_note(field: &str, text: &str) -> Result<(), Error> {
    let n = text.chars().count();
    if n > MAX_NOTE_CHARS {
        return Err(Error::invalid(
            "note_too_long",
            format!("{field} has {n} characters; the limit is {MAX_NOTE_CHARS}"),
        ));
    }
    Ok(())
}

/// Severity a report suggests before anyone looked: the category's gravity, plus a little for
/// every further complaint.
fn report_severity(category: &str, filings: usize) -> u32 {
    let base = match category {
        "terrorism" | "minors" | "politics" | "porn" | "drugs" => 70,
        "gambling" | "fraud" | "violence" => 60,
        "abuse" | "discrimination" | "privacy" | "rumour" => 50,
        _ => 40,
    };
    (base + 5 * (filings.saturating_sub(1) as u32)).min(100)
}

/// The default reply to reporters (Simplified Chinese: the platform shows it to its users).
fn default_feedback(upheld: bool) -> &'static str {
    if upheld {
        "经核查，您举报的内容违反平台规定，已依规处理。感谢您的举报。"
    } else {
        "经核查，暂未发现您举报的内容违反平台规定。感谢您的反馈。"
    }
}

const HOUR_MS: i64 = 3_600_000;

/// A decided text the model learns after the decision commits: (item, text, label).
pub(crate) type ToLearn = (Id, String, qinglang_engine::Label);

impl<S: Store> Governance<S> {
    pub(crate) fn claim_ms(&self) -> i64 {
        i64::from(self.policy().policy.casework.claim_minutes) * 60_000
    }

    fn target_exists(&self, tx: &mut dyn Tx, target: CaseTarget) -> Result<(), Error> {
        let found = match target {
            CaseTarget::Content(id) => tx.content(id)?.is_some(),
            CaseTarget::User(id) => tx.user(id)?.is_some(),
            CaseTarget::Account(id) => tx.account(id)?.is_some(),
            CaseTarget::Group(id) => tx.group(id)?.is_some(),
        };
        if found {
            Ok(())
        } else {
            Err(Error::not_found(target.kind(), target.id()))
        }
    }

    /// How many people see the target: a group's members, an account's followers.
    fn reach_of(&self, tx: &mut dyn Tx, target: CaseTarget) -> Result<u64, Error> {
        Ok(match target {
            CaseTarget::Content(id) => match tx.content(id)? {
                Some(c) => match (c.group, c.account) {
                    (Some(g), _) => u64::from(tx.active_members(g)?),
                    (None, Some(a)) => tx.account(a)?.map_or(1, |a| a.followers),
                    _ => 1,
                },
                None => 1,
            },
            CaseTarget::Group(g) => u64::from(tx.active_members(g)?),
            CaseTarget::Account(a) => tx.account(a)?.map_or(1, |a| a.followers),
            CaseTarget::User(_) => 1,
        })
    }

    /// A new open item on `target`, its reach looked up now.
    #[allow(clippy::too_many_arguments)]
    fn enqueue(
        &self,
        tx: &mut dyn Tx,
        target: CaseTarget,
        held: bool,
        severity: u32,
        lane: Lane,
        deadline_at: Timestamp,
        now: Timestamp,
    ) -> Result<Id, Error> {
        let reach = self.reach_of(tx, target)?;
        tx.insert_queue_item(&QueueItem {
            id: 0,
            target,
            held,
            severity,
            reach,
            lane,
            created_at: now,
            deadline_at,
            claimed_by: None,
            claimed_at: None,
            decision: None,
            decided_by: None,
            decided_at: None,
            note: None,
        })
    }

    /// Puts content a `review` verdict held into the queue (called inside the submission's
    /// transaction, so a held message is never outside the queue).
    pub(crate) fn enqueue_held(
        &self,
        tx: &mut dyn Tx,
        content: Id,
        score: u8,
        now: Timestamp,
    ) -> Result<Id, Error> {
        let target = CaseTarget::Content(content);
        if let Some(mut item) = tx.open_queue_item(target)? {
            item.held = true;
            item.severity = item.severity.max(u32::from(score));
            tx.update_queue_item(&item)?;
            return Ok(item.id);
        }
        let hours = i64::from(self.policy().policy.casework.review_deadline_hours);
        self.enqueue(
            tx,
            target,
            true,
            u32::from(score),
            Lane::Normal,
            Timestamp(now.0 + hours * HOUR_MS),
            now,
        )
    }

    fn reputation_in(&self, tx: &mut dyn Tx, reporter: Id) -> Result<Reputation, Error> {
        let cw = &self.policy().policy.casework;
        let (upheld, rejected) = tx.reporter_record(reporter)?;
        let resolved = upheld + rejected;
        let share = (resolved >= cw.reputation_min_resolved && resolved > 0)
            .then(|| upheld as f32 / resolved as f32);
        Ok(Reputation {
            upheld,
            rejected,
            share_upheld: share,
            screened: share.is_some_and(|s| s < cw.low_reputation_share),
        })
    }

    /// A reporter's record (CMP-1: malicious reporters are recognised).
    pub fn reputation(&self, actor: &Principal, reporter: Id) -> Result<Reputation, Error> {
        self.require(actor, Permission::ReadCases)?;
        self.store.read(|tx| self.reputation_in(tx, reporter))
    }

    /// Files a complaint (CMP-1). Complaints about a target with an open report are merged
    /// into it; the report and the queue item take the more urgent lane.
    pub fn file_report(
        &self,
        actor: &Principal,
        new: &NewReport,
        now: Timestamp,
    ) -> Result<ReportFiled, Error> {
        self.require(actor, Permission::FileCases)?;
        if !REPORT_CATEGORIES.contains(&new.category.as_str()) {
            return Err(Error::invalid(
                "unknown_category",
                format!(
                    "category {:?} is not one of: {}",
                    new.category,
                    REPORT_CATEGORIES.join(", ")
                ),
            ));
        }
        check_note("note", &new.note)?;
        let cw = self.policy().policy.casework.clone();
        let (view, merged) = self.store.write(|tx| {
            self.target_exists(tx, new.target)?;
            let lane = match new.reporter {
                Some(r) => {
                    if tx.user(r)?.is_none() {
                        return Err(Error::not_found("user", r));
                    }
                    if self.reputation_in(tx, r)?.screened {
                        Lane::Low
                    } else {
                        Lane::Normal
                    }
                }
                // Without a reporter there is no record to judge: screened like a poor one.
                None => Lane::Low,
            };
            let (mut report, merged) = match tx.open_report(new.target)? {
                Some(r) => (r, true),
                None => {
                    let mut r = Report {
                        id: 0,
                        target: new.target,
                        category: new.category.clone(),
                        status: ReportStatus::Open,
                        lane,
                        deadline_at: Timestamp(
                            now.0 + i64::from(cw.report_deadline_hours) * HOUR_MS,
                        ),
                        assignee: None,
                        created_at: now,
                        resolved_at: None,
                        resolved_by: None,
                        action: None,
                        feedback: None,
                    };
                    r.id = tx.insert_report(&r)?;
                    (r, false)
                }
            };
            // A reporter filing the same complaint twice about one open report is one
            // complaint; coming back with another note or category is new evidence the
            // moderator should see, so it is kept (severity counts people either way).
            let filings = tx.filings(report.id)?;
            let repeat = new.reporter.is_some()
                && filings.iter().any(|f| {
                    f.reporter == new.reporter
                        && f.note == new.note
                        && f.category == new.category
                });
            if !repeat {
                tx.insert_filing(&Filing {
                    id: 0,
                    report: report.id,
                    reporter: new.reporter,
                    category: new.category.clone(),
                    note: new.note.clone(),
                    at: now,
                })?;
            }
            if lane == Lane::Normal && report.lane == Lane::Low {
                report.lane = Lane::Normal;
                tx.update_report(&report)?;
            }
            // Severity grows with the number of people complaining.
            let reporters = filings.iter().map(|f| f.reporter).chain([new.reporter]);
            let severity = report_severity(&new.category, people(reporters));
            match tx.open_queue_item(new.target)? {
                Some(mut item) => {
                    item.severity = item.severity.max(severity);
                    if report.lane == Lane::Normal {
                        item.lane = Lane::Normal;
                    }
                    // A report can only shorten the time an item may wait.
                    if report.deadline_at < item.deadline_at {
                        item.deadline_at = report.deadline_at;
                    }
                    tx.update_queue_item(&item)?;
                }
                None => {
                    self.enqueue(tx, new.target, false, severity, report.lane, report.deadline_at, now)?;
                }
            }
            self.audit(
                tx,
                actor,
                now,
                if merged { "report.merge" } else { "report.file" },
                &format!("report:{}", report.id),
                &format!("{} reported: {}", new.target.label(), new.category),
                serde_json::json!({"target": new.target, "category": new.category, "note": new.note, "reporter": new.reporter, "lane": lane.as_str(), "repeat": repeat}),
            )?;
            Ok((report_view(tx, &report, now)?, merged))
        })?;
        Ok(ReportFiled {
            report: view,
            merged,
        })
    }

    pub fn get_report(
        &self,
        actor: &Principal,
        id: Id,
        now: Timestamp,
    ) -> Result<ReportDetail, Error> {
        self.require(actor, Permission::ReadCases)?;
        self.store.read(|tx| {
            let report = tx
                .report(id)?
                .ok_or_else(|| Error::not_found("report", id))?;
            let filings = tx
                .filings(id)?
                .into_iter()
                .map(|f| FilingView {
                    reporter: f.reporter,
                    category: f.category,
                    note: f.note,
                    at: f.at.to_rfc3339(),
                })
                .collect();
            Ok(ReportDetail {
                report: report_view(tx, &report, now)?,
                filings,
            })
        })
    }

    pub fn list_reports(
        &self,
        actor: &Principal,
        filter: &ReportFilter,
        now: Timestamp,
    ) -> Result<Vec<ReportView>, Error> {
        self.require(actor, Permission::ReadCases)?;
        self.store.read(|tx| {
            let reports = tx.reports(filter)?;
            reports.iter().map(|r| report_view(tx, r, now)).collect()
        })
    }

    /// Assigns an open report (and its queue item) to a moderator by name (the lead), or
    /// takes it oneself (a moderator).
    pub fn assign_report(
        &self,
        actor: &Principal,
        id: Id,
        assignee: &str,
        now: Timestamp,
    ) -> Result<ReportView, Error> {
        self.require(actor, Permission::Moderate)?;
        if assignee != actor.name {
            self.require(actor, Permission::Supervise)?;
        }
        if assignee.trim().is_empty() || assignee.len() > 100 {
            return Err(Error::invalid(
                "invalid_assignee",
                "assignee must be a principal's name (1–100 bytes)",
            ));
        }
        self.store.write(|tx| {
            let mut report = tx
                .report(id)?
                .ok_or_else(|| Error::not_found("report", id))?;
            if report.status != ReportStatus::Open {
                return Err(Error::Conflict {
                    code: "report_resolved",
                    message: format!("report {id} is already {}", report.status.as_str()),
                });
            }
            // Work goes to a person who can do it.
            match tx.principal_named(assignee)? {
                _ if assignee == actor.name => {}
                Some((p, _)) if matches!(p.role, Role::Moderator | Role::Lead) => {}
                _ => {
                    return Err(Error::invalid(
                        "invalid_assignee",
                        format!("{assignee:?} is not a moderator or lead"),
                    ))
                }
            }
            let item = tx.open_queue_item(report.target)?;
            if let Some(who) = item.as_ref().and_then(|i| i.holder(now, self.claim_ms())) {
                // Taking over someone's item is the lead's call.
                if who != actor.name && !allows(actor.role, Permission::Supervise) {
                    return Err(held_by(item.as_ref().map_or(0, |i| i.id), who));
                }
            }
            report.assignee = Some(assignee.to_owned());
            tx.update_report(&report)?;
            if let Some(mut item) = item {
                // An assignment holds the item until its deadline (a claim would lapse), and
                // at least a day when that has passed already.
                let until = item.deadline_at.0.max(now.0 + 24 * HOUR_MS);
                item.claimed_by = Some(assignee.to_owned());
                item.claimed_at = Some(Timestamp(until - self.claim_ms()));
                tx.update_queue_item(&item)?;
            }
            self.audit(
                tx,
                actor,
                now,
                "report.assign",
                &format!("report:{id}"),
                "",
                serde_json::json!({"assignee": assignee}),
            )?;
            report_view(tx, &report, now)
        })
    }

    /// Resolves a report through its queue item: `upheld` applies `action` (default: remove
    /// the content, or sanction a user, account or group), `rejected` approves.
    pub fn resolve_report(
        &self,
        actor: &Principal,
        id: Id,
        upheld: bool,
        action: Option<QueueDecision>,
        feedback: Option<&str>,
        now: Timestamp,
    ) -> Result<ItemOutcome, Error> {
        self.require(actor, Permission::Moderate)?;
        let decision = if upheld {
            match action {
                Some(QueueDecision::Approve) => {
                    return Err(Error::invalid(
                        "invalid_action",
                        "an upheld report needs action remove or remove_and_sanction",
                    ))
                }
                Some(a) => a,
                None => QueueDecision::Remove,
            }
        } else {
            QueueDecision::Approve
        };
        let item = self.store.read(|tx| {
            let report = tx
                .report(id)?
                .ok_or_else(|| Error::not_found("report", id))?;
            if report.status != ReportStatus::Open {
                return Err(Error::Conflict {
                    code: "report_resolved",
                    message: format!("report {id} is already {}", report.status.as_str()),
                });
            }
            tx.open_queue_item(report.target)?
                .ok_or_else(|| Error::Storage(format!("open report {id} has no queue item")))
        })?;
        let decision = match (decision, item.target) {
            (QueueDecision::Remove, t) if !matches!(t, CaseTarget::Content(_)) => {
                QueueDecision::RemoveAndSanction
            }
            (d, _) => d,
        };
        let mut outcomes = self.decide(actor, &[item.id], decision, None, feedback, now)?;
        let outcome = outcomes
            .pop()
            .ok_or_else(|| Error::Storage("no outcome".into()))?;
        match (&outcome.error, outcome.code) {
            (Some(message), Some(code)) => Err(Error::Conflict {
                code,
                message: message.clone(),
            }),
            _ => Ok(outcome),
        }
    }

    /// Reopens a resolved report (the lead): it goes back into the queue with a new deadline.
    pub fn reopen_report(
        &self,
        actor: &Principal,
        id: Id,
        reason: &str,
        now: Timestamp,
    ) -> Result<ReportView, Error> {
        self.require(actor, Permission::Supervise)?;
        check_note("reason", reason)?;
        if reason.trim().is_empty() {
            return Err(Error::invalid(
                "reason_required",
                "say why the report is reopened",
            ));
        }
        let cw = self.policy().policy.casework.clone();
        self.store.write(|tx| {
            let mut report = tx
                .report(id)?
                .ok_or_else(|| Error::not_found("report", id))?;
            if report.status == ReportStatus::Open {
                return Err(Error::Conflict {
                    code: "report_open",
                    message: format!("report {id} is open"),
                });
            }
            if let Some(other) = tx.open_report(report.target)? {
                return Err(Error::Conflict {
                    code: "report_open",
                    message: format!(
                        "report {} on {} is open; add to it instead",
                        other.id,
                        report.target.label()
                    ),
                });
            }
            let was = report.status;
            report.status = ReportStatus::Open;
            report.resolved_at = None;
            report.resolved_by = None;
            report.action = None;
            report.feedback = None;
            report.assignee = None;
            report.deadline_at = Timestamp(now.0 + i64::from(cw.report_deadline_hours) * HOUR_MS);
            tx.update_report(&report)?;
            if tx.open_queue_item(report.target)?.is_none() {
                // Severity counts people, as when the report was filed.
                let filings = tx.filings(id)?;
                let complainants = people(filings.iter().map(|f| f.reporter));
                self.enqueue(
                    tx,
                    report.target,
                    false,
                    report_severity(&report.category, complainants),
                    report.lane,
                    report.deadline_at,
                    now,
                )?;
            }
            self.audit(
                tx,
                actor,
                now,
                "report.reopen",
                &format!("report:{id}"),
                reason,
                serde_json::json!({"was": was.as_str()}),
            )?;
            report_view(tx, &report, now)
        })
    }

    // ----- the queue -----

    /// Open items in priority order (`lane` narrows; `mine`: only what the caller holds).
    pub fn queue(
        &self,
        actor: &Principal,
        lane: Option<Lane>,
        mine: bool,
        limit: usize,
        now: Timestamp,
    ) -> Result<Vec<QueueEntry>, Error> {
        self.require(actor, Permission::ReadCases)?;
        let claim_ms = self.claim_ms();
        self.store.read(|tx| {
            let items = tx.ranked_queue(&QueueQuery {
                now,
                lane,
                held_by: mine.then_some(actor.name.as_str()),
                not_held_by_others_than: None,
                claim_ms,
                limit,
            })?;
            items.iter().map(|i| self.entry(tx, i, now)).collect()
        })
    }

    /// One queue item, open or decided.
    pub fn queue_item(
        &self,
        actor: &Principal,
        id: Id,
        now: Timestamp,
    ) -> Result<QueueEntry, Error> {
        self.require(actor, Permission::ReadCases)?;
        self.store.read(|tx| {
            let item = tx
                .queue_item(id)?
                .ok_or_else(|| Error::not_found("queue item", id))?;
            self.entry(tx, &item, now)
        })
    }

    /// Claims the `n` most urgent items nobody holds (and keeps those the caller holds).
    pub fn claim_next(
        &self,
        actor: &Principal,
        n: usize,
        lane: Option<Lane>,
        now: Timestamp,
    ) -> Result<Vec<QueueEntry>, Error> {
        self.require(actor, Permission::Moderate)?;
        let claim_ms = self.claim_ms();
        let claimed = self.store.write(|tx| {
            let items = tx.ranked_queue(&QueueQuery {
                now,
                lane,
                held_by: None,
                not_held_by_others_than: Some(actor.name.as_str()),
                claim_ms,
                limit: n,
            })?;
            let mut out = Vec::new();
            for mut item in items {
                let was = match item.holder(now, claim_ms) {
                    Some(who) if who != actor.name => continue,
                    held => held.map(str::to_owned),
                };
                item.claimed_by = Some(actor.name.clone());
                item.claimed_at = Some(now);
                tx.update_queue_item(&item)?;
                if was.is_none() {
                    self.audit_queue(tx, actor, "queue.claim", item.id, now)?;
                }
                out.push(item);
            }
            Ok(out)
        })?;
        self.store
            .read(|tx| claimed.iter().map(|i| self.entry(tx, i, now)).collect())
    }

    /// Claims one item; refused while someone else holds it.
    pub fn claim(&self, actor: &Principal, id: Id, now: Timestamp) -> Result<QueueEntry, Error> {
        self.require(actor, Permission::Moderate)?;
        let claim_ms = self.claim_ms();
        let item = self.store.write(|tx| {
            let mut item = tx
                .queue_item(id)?
                .ok_or_else(|| Error::not_found("queue item", id))?;
            if item.decision.is_some() {
                return Err(decided(&item));
            }
            let was = item.holder(now, claim_ms).map(str::to_owned);
            if let Some(who) = &was {
                if *who != actor.name {
                    return Err(held_by(id, who));
                }
            }
            item.claimed_by = Some(actor.name.clone());
            item.claimed_at = Some(now);
            tx.update_queue_item(&item)?;
            if was.is_none() {
                self.audit_queue(tx, actor, "queue.claim", id, now)?;
            }
            Ok(item)
        })?;
        self.store.read(|tx| self.entry(tx, &item, now))
    }

    /// Records who took or gave back an item (AUD-1: who held which case when). Renewing
    /// one's own claim is not a new holder and is not recorded again.
    fn audit_queue(
        &self,
        tx: &mut dyn Tx,
        actor: &Principal,
        action: &str,
        id: Id,
        now: Timestamp,
    ) -> Result<(), Error> {
        let target = format!("queue:{id}");
        self.audit(tx, actor, now, action, &target, "", serde_json::Value::Null)
    }

    /// Gives an item back to the queue.
    pub fn release(&self, actor: &Principal, id: Id, now: Timestamp) -> Result<(), Error> {
        self.require(actor, Permission::Moderate)?;
        let claim_ms = self.claim_ms();
        self.store.write(|tx| {
            let mut item = tx
                .queue_item(id)?
                .ok_or_else(|| Error::not_found("queue item", id))?;
            match item.holder(now, claim_ms) {
                Some(who) if who == actor.name => {
                    item.claimed_by = None;
                    item.claimed_at = None;
                    tx.update_queue_item(&item)?;
                    self.audit_queue(tx, actor, "queue.release", id, now)
                }
                Some(who) => Err(held_by(id, who)),
                None => Ok(()),
            }
        })
    }

    /// Open items holding copies of a flood campaign (REV-7: acted on at once).
    pub fn campaign_items(&self, actor: &Principal, campaign: u64) -> Result<Vec<Id>, Error> {
        self.require(actor, Permission::ReadCases)?;
        self.store.read(|tx| {
            let members = tx.campaign_members(campaign)?;
            if members.is_empty() {
                return Err(Error::not_found("campaign", campaign));
            }
            let mut out = Vec::new();
            for m in members {
                if let Some(item) = tx.open_queue_item(CaseTarget::Content(m.content))? {
                    out.push(item.id);
                }
            }
            Ok(out)
        })
    }

    /// Decides items, one or a selection (bulk). Each item is checked on its own: one held by
    /// someone else or already decided is skipped with its reason, the others are decided in
    /// one transaction. Afterwards the model learns from the decided texts (REV-9).
    pub fn decide(
        &self,
        actor: &Principal,
        items: &[Id],
        decision: QueueDecision,
        note: Option<&str>,
        feedback: Option<&str>,
        now: Timestamp,
    ) -> Result<Vec<ItemOutcome>, Error> {
        self.require(actor, Permission::Moderate)?;
        if items.is_empty() {
            return Err(Error::invalid("no_items", "select at least one item"));
        }
        if items.len() > 500 {
            return Err(Error::invalid(
                "too_many_items",
                format!("{} items selected; decide at most 500 at once", items.len()),
            ));
        }
        if let Some(n) = note {
            check_note("note", n)?;
        }
        if let Some(f) = feedback {
            check_note("feedback", f)?;
        }
        let claim_ms = self.claim_ms();
        let (outcomes, to_learn) = self.store.write(|tx| {
            let mut outcomes = Vec::new();
            let mut to_learn = Vec::new();
            for &id in items {
                let (outcome, learn) =
                    self.decide_item(tx, actor, id, decision, note, feedback, now, claim_ms)?;
                if let Some(l) = learn {
                    to_learn.push(l);
                }
                outcomes.push(outcome);
            }
            Ok((outcomes, to_learn))
        })?;
        let mut outcomes = outcomes;
        self.learn_decided(actor, &mut outcomes, to_learn, now);
        Ok(outcomes)
    }

    /// Decides one item inside the caller's transaction; an item held by someone else,
    /// already decided or missing is skipped with its reason (`ok: false`), not an error.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn decide_item(
        &self,
        tx: &mut dyn Tx,
        actor: &Principal,
        id: Id,
        decision: QueueDecision,
        note: Option<&str>,
        feedback: Option<&str>,
        now: Timestamp,
        claim_ms: i64,
    ) -> Result<(ItemOutcome, Option<ToLearn>), Error> {
        let skip = |code: &'static str, message: String| {
            Ok((
                ItemOutcome {
                    item: id,
                    ok: false,
                    error: Some(message),
                    code: Some(code),
                    reports_resolved: Vec::new(),
                    sanctions: Vec::new(),
                    learned: None,
                },
                None,
            ))
        };
        let Some(item) = tx.queue_item(id)? else {
            return skip("not_found", format!("queue item {id} not found"));
        };
        if item.decision.is_some() {
            return skip("already_decided", decided_message(&item));
        }
        if let Some(who) = item.holder(now, claim_ms) {
            if who != actor.name {
                return skip("claimed", format!("queue item {id} is claimed by {who}"));
            }
        }
        if decision == QueueDecision::Remove && !matches!(item.target, CaseTarget::Content(_)) {
            return skip(
                "nothing_to_remove",
                format!(
                    "queue item {id} is about {}: approve it, or remove_and_sanction",
                    item.target.label()
                ),
            );
        }
        self.apply_decision(tx, actor, item, decision, note, feedback, now)
    }

    /// Teaches the model the decided texts (REV-9), best effort: the decisions stand even
    /// when a text is one the model does not judge (too long) or there is no model.
    pub(crate) fn learn_decided(
        &self,
        actor: &Principal,
        outcomes: &mut [ItemOutcome],
        to_learn: Vec<ToLearn>,
        now: Timestamp,
    ) {
        for (item, text, label) in to_learn {
            if self.learn(actor, &text, label, now).is_ok() {
                if let Some(o) = outcomes.iter_mut().find(|o| o.item == item) {
                    o.learned = Some(match label {
                        qinglang_engine::Label::Spam => "spam",
                        qinglang_engine::Label::Ham => "ham",
                    });
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn apply_decision(
        &self,
        tx: &mut dyn Tx,
        actor: &Principal,
        mut item: QueueItem,
        decision: QueueDecision,
        note: Option<&str>,
        feedback: Option<&str>,
        now: Timestamp,
    ) -> Result<(ItemOutcome, Option<ToLearn>), Error> {
        let violation = decision != QueueDecision::Approve;
        let reason = note.unwrap_or("").to_owned();
        let mut sanctions = Vec::new();
        let mut learn = None;
        let open_reports: Vec<Report> = tx.open_report(item.target)?.into_iter().collect();
        let evidence = serde_json::json!({
            "queue_item": item.id,
            "decision": decision.as_str(),
            "reports": open_reports.iter().map(|r| r.id).collect::<Vec<_>>(),
        });
        match item.target {
            CaseTarget::Content(cid) => {
                let c = tx
                    .content(cid)?
                    .ok_or_else(|| Error::not_found("content", cid))?;
                // Approving publishes what was held or taken down by a person; what the
                // engine blocked stays blocked (an appeal or a lexicon change undoes that).
                let new = match (violation, c.decision) {
                    (true, _) => Decision::Removed,
                    (false, Decision::Held | Decision::Removed) => Decision::Published,
                    (false, unchanged) => unchanged,
                };
                if c.decision != new {
                    tx.set_content_decision(cid, new)?;
                    let action = if violation {
                        "content.remove"
                    } else {
                        "content.approve"
                    };
                    self.audit(
                        tx,
                        actor,
                        now,
                        action,
                        &format!("content:{cid}"),
                        &reason,
                        serde_json::json!({"was": c.decision.as_str(), "queue_item": item.id}),
                    )?;
                }
                if decision == QueueDecision::RemoveAndSanction {
                    sanctions = self.record_violation(
                        tx,
                        actor,
                        Some(c.author),
                        c.group,
                        Some(cid),
                        &evidence,
                        now,
                    )?;
                }
                // REV-9: a decision on something the model flagged, or on a report of the
                // model's categories, is a confirmed example for it.
                let model_flagged = c.verdict_json.contains("\"model:");
                let model_category = open_reports
                    .iter()
                    .any(|r| matches!(r.category.as_str(), "abuse" | "discrimination"));
                if model_flagged || (violation && model_category) {
                    let label = if violation {
                        qinglang_engine::Label::Spam
                    } else {
                        qinglang_engine::Label::Ham
                    };
                    learn = Some((item.id, c.text.clone(), label));
                }
            }
            CaseTarget::User(u) if violation => {
                sanctions =
                    self.record_violation(tx, actor, Some(u), None, None, &evidence, now)?;
            }
            CaseTarget::Account(a) if violation => {
                let owner = tx.account(a)?.map(|a| a.owner);
                sanctions = self.record_violation(tx, actor, owner, None, None, &evidence, now)?;
            }
            CaseTarget::Group(g) if violation => {
                sanctions =
                    self.record_violation(tx, actor, None, Some(g), None, &evidence, now)?;
            }
            _ => {}
        }
        let mut resolved = Vec::new();
        for mut report in open_reports {
            report.status = if violation {
                ReportStatus::Upheld
            } else {
                ReportStatus::Rejected
            };
            report.resolved_at = Some(now);
            report.resolved_by = Some(actor.name.clone());
            report.action = Some(decision.as_str().to_owned());
            report.feedback = Some(feedback.unwrap_or(default_feedback(violation)).to_owned());
            tx.update_report(&report)?;
            self.audit(tx, actor, now, "report.resolve", &format!("report:{}", report.id), &reason, serde_json::json!({"status": report.status.as_str(), "action": decision.as_str(), "feedback": report.feedback}))?;
            resolved.push(report.id);
        }
        item.decision = Some(decision);
        item.decided_by = Some(actor.name.clone());
        item.decided_at = Some(now);
        item.note = note.map(str::to_owned);
        tx.update_queue_item(&item)?;
        self.audit(tx, actor, now, "queue.decide", &item.target.label(), &reason, serde_json::json!({"queue_item": item.id, "decision": decision.as_str(), "reports": resolved, "sanctions": sanctions.iter().map(|s| s.id).collect::<Vec<_>>()}))?;
        Ok((
            ItemOutcome {
                item: item.id,
                ok: true,
                error: None,
                code: None,
                reports_resolved: resolved,
                sanctions,
                learned: None,
            },
            learn,
        ))
    }

    /// A stored submission with its verdict, and the open queue item on it if any.
    pub fn content(
        &self,
        actor: &Principal,
        id: Id,
    ) -> Result<(ContentContext, Option<Id>), Error> {
        self.require(actor, Permission::ReadCases)?;
        self.store.read(|tx| {
            let c = content_context(tx, id)?.ok_or_else(|| Error::not_found("content", id))?;
            let item = tx.open_queue_item(CaseTarget::Content(id))?.map(|i| i.id);
            Ok((c, item))
        })
    }

    fn entry(
        &self,
        tx: &mut dyn Tx,
        item: &QueueItem,
        now: Timestamp,
    ) -> Result<QueueEntry, Error> {
        let content = match item.target {
            CaseTarget::Content(cid) => content_context(tx, cid)?,
            _ => None,
        };
        let mut reports = Vec::new();
        let mut notes = Vec::new();
        if let Some(r) = tx.open_report(item.target)? {
            let mut filings = tx.filings(r.id)?;
            filings.reverse();
            notes.extend(
                filings
                    .into_iter()
                    .filter(|f| !f.note.is_empty())
                    .take(5)
                    .map(|f| f.note),
            );
            reports.push(report_view(tx, &r, now)?);
        }
        Ok(QueueEntry {
            id: item.id,
            target: item.target,
            held: item.held,
            severity: item.severity,
            reach: item.reach,
            lane: item.lane,
            priority: (item.priority(now) * 10.0).round() / 10.0,
            created_at: item.created_at.to_rfc3339(),
            deadline_at: item.deadline_at.to_rfc3339(),
            overdue: item.decision.is_none() && now > item.deadline_at,
            claimed_by: item.holder(now, self.claim_ms()).map(str::to_owned),
            decision: item.decision,
            decided_by: item.decided_by.clone(),
            decided_at: item.decided_at.map(Timestamp::to_rfc3339),
            content,
            reports,
            notes,
        })
    }

    /// What the platform must tell its users, in order (CMP-1 feedback to reporters, CMP-2
    /// appeal outcomes): every report resolution and appeal decision after `after` (a
    /// cursor: the last `seq` the platform delivered).
    pub fn outcomes(
        &self,
        actor: &Principal,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Outcome>, Error> {
        // The feed is the platform service's, which files reports and appeals and tells
        // users the results: say that, not which filing the role may not do.
        self.require(actor, Permission::FileCases).map_err(|_| {
            Error::forbidden(
                "role_forbidden",
                format!(
                    "role {} may not read the outcome feed; it is read by the service that \
                     files reports and appeals and tells users the results",
                    actor.role.as_str()
                ),
            )
        })?;
        // One snapshot: the entries and the reports and appeals they name.
        self.store.read(|tx| {
            let entries = tx.audit_after(after, &["report.resolve", "appeal.decide"], limit)?;
            let mut out = Vec::new();
            for e in entries {
                let id = e
                    .target
                    .rsplit(':')
                    .next()
                    .and_then(|i| i.parse::<Id>().ok());
                let Some(id) = id else { continue };
                let outcome = if e.action == "report.resolve" {
                    let Some(r) = tx.report(id)? else { continue };
                    let reporters = distinct_reporters(&tx.filings(id)?);
                    let evidence: serde_json::Value =
                        serde_json::from_str(&e.evidence).unwrap_or_default();
                    Outcome {
                        seq: e.seq,
                        at: e.at.to_rfc3339(),
                        kind: "report",
                        id,
                        notify: reporters,
                        status: evidence["status"].as_str().unwrap_or("").to_owned(),
                        message: evidence["feedback"].as_str().unwrap_or("").to_owned(),
                        target: Some(r.target),
                    }
                } else {
                    let Some(a) = tx.appeal(id)? else { continue };
                    let evidence: serde_json::Value =
                        serde_json::from_str(&e.evidence).unwrap_or_default();
                    Outcome {
                        seq: e.seq,
                        at: e.at.to_rfc3339(),
                        kind: "appeal",
                        id,
                        notify: vec![a.appellant],
                        status: evidence["status"].as_str().unwrap_or("").to_owned(),
                        message: e.reason.clone(),
                        target: None,
                    }
                };
                out.push(outcome);
            }
            Ok(out)
        })
    }

    // ----- appeals (CMP-2) -----

    /// Files the one appeal a sanction allows, within the policy's window, by the sanctioned
    /// user (for a group: its creator; for an account: its owner).
    pub fn file_appeal(
        &self,
        actor: &Principal,
        sanction: Id,
        appellant: Id,
        reason: &str,
        now: Timestamp,
    ) -> Result<AppealView, Error> {
        self.require(actor, Permission::FileCases)?;
        check_note("reason", reason)?;
        if reason.trim().is_empty() {
            return Err(Error::invalid(
                "reason_required",
                "an appeal needs a reason",
            ));
        }
        let window = self.policy().policy.casework.appeal_window_days;
        self.store.write(|tx| {
            let s = tx.sanction(sanction)?.ok_or_else(|| Error::not_found("sanction", sanction))?;
            let subject = match s.target {
                Target::User(u) | Target::RoleHolder(u) => Some(u),
                Target::Group(g) => tx.group(g)?.map(|g| g.owner),
                Target::Account(a) => tx.account(a)?.map(|a| a.owner),
            };
            if subject != Some(appellant) {
                return Err(Error::forbidden("not_the_sanctioned", format!("sanction {sanction} is not on user {appellant}: only the sanctioned user (a group's creator, an account's owner) may appeal it")));
            }
            if s.revoked_at.is_some() {
                return Err(Error::Conflict { code: "sanction_revoked", message: format!("sanction {sanction} is already revoked") });
            }
            if now > s.starts_at.plus_days(window) {
                return Err(Error::forbidden("appeal_window_closed", format!("sanction {sanction} started {}; appeals close after {window} days (CMP-2)", s.starts_at.to_rfc3339())));
            }
            if tx.appeal_for_sanction(sanction)?.is_some() {
                return Err(Error::Conflict { code: "already_appealed", message: format!("sanction {sanction} has already been appealed; one appeal per sanction (CMP-2)") });
            }
            let mut appeal = Appeal {
                id: 0,
                sanction,
                appellant,
                reason: reason.to_owned(),
                filed_at: now,
                status: AppealStatus::Pending,
                decided_by: None,
                decided_at: None,
                note: None,
            };
            appeal.id = tx.insert_appeal(&appeal)?;
            self.audit(tx, actor, now, "appeal.file", &format!("appeal:{}", appeal.id), reason, serde_json::json!({"sanction": sanction, "appellant": appellant}))?;
            appeal_view(tx, &appeal)
        })
    }

    pub fn get_appeal(&self, actor: &Principal, id: Id) -> Result<AppealView, Error> {
        self.require(actor, Permission::ReadCases)?;
        self.store.read(|tx| {
            let a = tx
                .appeal(id)?
                .ok_or_else(|| Error::not_found("appeal", id))?;
            appeal_view(tx, &a)
        })
    }

    pub fn list_appeals(
        &self,
        actor: &Principal,
        status: Option<AppealStatus>,
        limit: u32,
    ) -> Result<Vec<AppealView>, Error> {
        self.require(actor, Permission::ReadCases)?;
        self.store.read(|tx| {
            let appeals = tx.appeals(status, limit)?;
            appeals.iter().map(|a| appeal_view(tx, a)).collect()
        })
    }

    /// Decides an appeal. The moderator who imposed the sanction may not; an upheld appeal
    /// revokes the sanction, undoes what it did, voids the strike and restores the credit the
    /// violation cost.
    pub fn decide_appeal(
        &self,
        actor: &Principal,
        id: Id,
        upheld: bool,
        note: &str,
        now: Timestamp,
    ) -> Result<AppealView, Error> {
        self.require(actor, Permission::Moderate)?;
        check_note("note", note)?;
        let p = self.policy().policy.clone();
        self.store.write(|tx| {
            let mut appeal = tx
                .appeal(id)?
                .ok_or_else(|| Error::not_found("appeal", id))?;
            if appeal.status != AppealStatus::Pending {
                return Err(Error::Conflict {
                    code: "appeal_decided",
                    message: format!("appeal {id} is already {}", appeal.status.as_str()),
                });
            }
            let s = tx
                .sanction(appeal.sanction)?
                .ok_or_else(|| Error::not_found("sanction", appeal.sanction))?;
            if s.imposed_by == actor.name && actor.id != 0 {
                return Err(Error::forbidden(
                    "same_moderator",
                    format!(
                        "{} imposed sanction {}; a different moderator decides its appeal (CMP-2)",
                        actor.name, s.id
                    ),
                ));
            }
            appeal.status = if upheld {
                AppealStatus::Upheld
            } else {
                AppealStatus::Rejected
            };
            appeal.decided_by = Some(actor.name.clone());
            appeal.decided_at = Some(now);
            appeal.note = Some(note.to_owned());
            tx.update_appeal(&appeal)?;
            self.audit(
                tx,
                actor,
                now,
                "appeal.decide",
                &format!("appeal:{id}"),
                note,
                serde_json::json!({"status": appeal.status.as_str(), "sanction": s.id}),
            )?;
            if upheld {
                self.revoke_sanction(tx, actor, &s, &p, now)?;
            }
            appeal_view(tx, &appeal)
        })
    }

    fn revoke_sanction(
        &self,
        tx: &mut dyn Tx,
        actor: &Principal,
        s: &Sanction,
        p: &crate::policy::Policy,
        now: Timestamp,
    ) -> Result<(), Error> {
        use crate::model::GroupStatus;
        use crate::policy::SanctionKind;
        tx.revoke_sanction(s.id, now)?;
        // What the revoked sanction did is undone only as far as no other sanction still in
        // force does the same: upholding an appeal against a close must not reopen the
        // accounts of a user blacklisted since, nor revive a group still blacklisted.
        let blacklisted = match s.target {
            Target::User(u) | Target::RoleHolder(u) => self
                .active_sanction(
                    tx,
                    &[Target::User(u), Target::RoleHolder(u)],
                    SanctionKind::Blacklist,
                    now,
                )?
                .is_some(),
            _ => false,
        };
        match (s.kind, s.target) {
            (SanctionKind::Blacklist, Target::User(u) | Target::RoleHolder(u)) if !blacklisted => {
                tx.set_user_status(u, UserStatus::Active)?;
                if let Some(ident) = tx.user(u)?.and_then(|x| x.identity) {
                    tx.unblacklist_identity(&ident.lookup_hash)?;
                }
                // Closing and blacklisting close the user's accounts at the moment of the
                // sanction: those come back, with their names, and so do those of a close
                // revoked while this blacklist kept them shut.
                tx.reopen_accounts_closed_at(u, s.starts_at)?;
                for close in tx.sanctions_of(Target::User(u))? {
                    if close.kind == SanctionKind::Close && close.revoked_at.is_some() {
                        tx.reopen_accounts_closed_at(u, close.starts_at)?;
                    }
                }
            }
            (SanctionKind::Close, Target::User(u)) if !blacklisted => {
                tx.reopen_accounts_closed_at(u, s.starts_at)?;
            }
            (SanctionKind::Dissolve | SanctionKind::Blacklist, Target::Group(g)) => {
                let still = |tx: &mut dyn Tx, kind| {
                    self.active_sanction(tx, &[Target::Group(g)], kind, now)
                };
                let status = if still(tx, SanctionKind::Blacklist)?.is_some() {
                    GroupStatus::Blacklisted
                } else if still(tx, SanctionKind::Dissolve)?.is_some() {
                    GroupStatus::Dissolved
                } else {
                    GroupStatus::Active
                };
                tx.set_group_status(g, status)?;
            }
            _ => {}
        }
        // The strike that counted is voided, and the credit the violation and the sanction
        // cost — as recorded when it was applied — comes back.
        if let Some(strike) = s.strike {
            tx.void_strike(strike)?;
        }
        let user = match s.target {
            Target::User(u) | Target::RoleHolder(u) => Some(u),
            _ => None,
        };
        if let (Some(content), Target::User(_)) = (s.content, s.target) {
            let c = tx.content(content)?;
            if let Some(c) =
                c.filter(|c| matches!(c.decision, Decision::Removed | Decision::Rejected))
            {
                tx.set_content_decision(content, Decision::Published)?;
                self.audit(
                    tx,
                    actor,
                    now,
                    "content.reinstate",
                    &format!("content:{content}"),
                    "appeal upheld",
                    serde_json::json!({"was": c.decision.as_str(), "sanction": s.id}),
                )?;
            }
        }
        if let (Some(u), true) = (user, s.credit_cost > 0) {
            if let Some(user) = tx.user(u)? {
                let before = crate::credit::effective(&p.credit, &user, now);
                let after = crate::credit::apply(&p.credit, before, s.credit_cost);
                tx.set_credit(u, after, now)?;
                self.audit(
                    tx,
                    actor,
                    now,
                    "credit.change",
                    &Target::User(u).label(),
                    &format!("appeal upheld against sanction {}", s.id),
                    serde_json::json!({"before": before, "after": after}),
                )?;
            }
        }
        self.audit(
            tx,
            actor,
            now,
            "sanction.revoke",
            &s.target.label(),
            "appeal upheld",
            serde_json::json!({"sanction": s.id, "kind": s.kind}),
        )?;
        Ok(())
    }
}

fn content_context(tx: &mut dyn Tx, id: Id) -> Result<Option<ContentContext>, Error> {
    Ok(tx.content(id)?.map(|c| ContentContext {
        id,
        author: c.author,
        group: c.group,
        account: c.account,
        kind: c.kind.as_str().to_owned(),
        text: c.text,
        decision: c.decision.as_str().to_owned(),
        verdict: serde_json::from_str(&c.verdict_json).unwrap_or(serde_json::Value::Null),
        campaign: c.campaign,
        at: c.at.to_rfc3339(),
    }))
}

fn decided_message(item: &QueueItem) -> String {
    format!(
        "queue item {} was decided ({}) by {}",
        item.id,
        item.decision.map_or("?", QueueDecision::as_str),
        item.decided_by.as_deref().unwrap_or("?")
    )
}

fn decided(item: &QueueItem) -> Error {
    Error::Conflict {
        code: "already_decided",
        message: decided_message(item),
    }
}

fn held_by(id: Id, who: &str) -> Error {
    Error::Conflict {
        code: "claimed",
        message: format!("queue item {id} is claimed by {who}"),
    }
}

/// The person who acted, as every view names them (`mod1`, like a sanction's `imposed_by`):
/// records written before 2026-12 kept the audit label (`moderator:mod1#3`), read back here
/// as the name; the audit trail keeps the full label.
fn person(recorded: &str) -> String {
    let label = recorded.split_once(':').and_then(|(role, rest)| {
        let (name, id) = rest.rsplit_once('#')?;
        let is_role = Role::parse(role).is_some();
        (is_role && !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())).then_some(name)
    });
    label.unwrap_or(recorded).to_owned()
}

/// How many people complained: each reporter once, however many filings (new evidence)
/// they made, and anonymous filings, however many, as one.
fn people(reporters: impl Iterator<Item = Option<Id>>) -> usize {
    let mut people: Vec<Option<Id>> = reporters.collect();
    people.sort_unstable();
    people.dedup();
    people.len()
}

/// The identified people who filed, each once.
fn distinct_reporters(filings: &[Filing]) -> Vec<Id> {
    let mut reporters: Vec<Id> = filings.iter().filter_map(|f| f.reporter).collect();
    reporters.sort_unstable();
    reporters.dedup();
    reporters
}

pub(crate) fn report_view(
    tx: &mut dyn Tx,
    r: &Report,
    now: Timestamp,
) -> Result<ReportView, Error> {
    let filings = tx.filings(r.id)?;
    let reporters = distinct_reporters(&filings);
    Ok(ReportView {
        id: r.id,
        target: r.target,
        category: r.category.clone(),
        status: r.status,
        lane: r.lane,
        filings: filings.len(),
        reporters: reporters.len(),
        deadline_at: r.deadline_at.to_rfc3339(),
        overdue: r.status == ReportStatus::Open && now > r.deadline_at,
        assignee: r.assignee.clone(),
        created_at: r.created_at.to_rfc3339(),
        resolved_at: r.resolved_at.map(Timestamp::to_rfc3339),
        resolved_by: r.resolved_by.as_deref().map(person),
        action: r.action.clone(),
        feedback: r.feedback.clone(),
        handling_minutes: r.resolved_at.map(|t| (t.0 - r.created_at.0) / 60_000),
    })
}

fn appeal_view(tx: &mut dyn Tx, a: &Appeal) -> Result<AppealView, Error> {
    let s = tx
        .sanction(a.sanction)?
        .ok_or_else(|| Error::not_found("sanction", a.sanction))?;
    Ok(AppealView {
        id: a.id,
        sanction: SanctionView::from(&s),
        appellant: a.appellant,
        reason: a.reason.clone(),
        filed_at: a.filed_at.to_rfc3339(),
        status: a.status,
        decided_by: a.decided_by.as_deref().map(person),
        decided_at: a.decided_at.map(Timestamp::to_rfc3339),
        note: a.note.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::person;

    /// Records written with the audit label read back as the person's name; names that only
    /// look like a label stay whole.
    #[test]
    fn old_labels_read_as_names() {
        assert_eq!(person("moderator:mod1#3"), "mod1");
        assert_eq!(person("lead:张三#12"), "张三");
        assert_eq!(person("mod1"), "mod1");
        assert_eq!(person("team:a#b"), "team:a#b");
        assert_eq!(person("moderator:x#"), "moderator:x#");
    }
}
