//! Figures for people: the console's dashboard, a subject's history, the audit search, and
//! the yearly governance report (AUD-3). Aggregation happens in the store; this module
//! shapes it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::authz::Permission;
use crate::casework::{CaseTarget, ReportFilter, ReportView};
use crate::error::Error;
use crate::model::{AuditEntry, Id, Principal, Target, Timestamp};
use crate::service::{Governance, SanctionView};
use crate::store::{Store, Tx};

const DAY_MS: i64 = 86_400_000;

/// Which audit entries to list.
#[derive(Debug, Clone)]
pub struct AuditFilter {
    /// A part of the actor label (`alice`, `lead:`).
    pub actor: Option<String>,
    /// An action (`queue.decide`) or a family (`queue`).
    pub action: Option<String>,
    /// An exact target (`user:12`).
    pub target: Option<String>,
    pub from: Timestamp,
    pub to: Timestamp,
    pub limit: u32,
}

/// One period's submissions: a day on the dashboard, a month in the annual report.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Volume {
    /// `YYYY-MM-DD` for a day, `YYYY-MM` for a month (UTC).
    pub period: String,
    pub total: u64,
    /// Submissions carrying each label (a submission with two labels counts in both).
    pub by_category: BTreeMap<String, u64>,
    pub by_decision: BTreeMap<String, u64>,
}

/// How reports were handled against their deadlines.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportHandling {
    pub filed: u64,
    pub resolved: u64,
    pub upheld: u64,
    pub rejected: u64,
    /// Resolved before their deadline.
    pub on_time: u64,
    /// Still open and past their deadline.
    pub overdue_open: u64,
    pub median_minutes: Option<i64>,
    pub p90_minutes: Option<i64>,
    /// The deadline the policy sets, for comparison.
    pub deadline_minutes: i64,
    pub by_category: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueDepth {
    pub open: u64,
    pub low_lane: u64,
    pub claimed: u64,
    pub overdue: u64,
    /// Open items by how long they have waited: under each of [`WAIT_BANDS_MINUTES`], then
    /// longer than the last.
    pub waiting: Vec<u64>,
    /// How long the oldest open item has waited, in minutes.
    pub oldest_minutes: Option<i64>,
}

/// The upper bounds of the queue's waiting bands, in minutes: 1 h, 4 h, 12 h, 1 day, 3 days.
pub const WAIT_BANDS_MINUTES: [i64; 5] = [60, 240, 720, 1440, 4320];

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    pub days: Vec<Volume>,
    pub queue: QueueDepth,
    pub reports: ReportHandling,
    /// Audit actions in the period (decisions, sanctions, sign-ins…).
    pub actions: BTreeMap<String, u64>,
    pub appeals: BTreeMap<String, u64>,
}

/// The yearly governance report (AUD-3).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnnualReport {
    pub year: i32,
    pub from: String,
    pub to: String,
    pub generated_at: String,
    pub policy_version: String,
    pub submissions: u64,
    pub by_category: BTreeMap<String, u64>,
    pub by_decision: BTreeMap<String, u64>,
    /// Per month (`YYYY-MM`): submissions, flagged ones, and per category.
    pub months: Vec<Volume>,
    pub actions: BTreeMap<String, u64>,
    pub sanctions: BTreeMap<String, u64>,
    pub reports: ReportHandling,
    pub appeals: BTreeMap<String, u64>,
    pub audit_chain_ok: bool,
}

/// A point of a credit history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditPoint {
    pub at: String,
    pub at_ms: i64,
    pub score: i64,
    pub reason: String,
}

/// What the console's user page shows beyond `UserView`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserHistory {
    pub credit: Vec<CreditPoint>,
    /// Every strike, newest first (voided ones marked).
    pub strikes: Vec<crate::model::StrikeRecord>,
    /// Every sanction ever applied, newest first (revoked ones included).
    pub sanctions: Vec<SanctionView>,
    pub reports_against: Vec<ReportView>,
    pub reports_by: Vec<ReportView>,
    pub records: Vec<AuditEntry>,
}

fn fold_volume(rows: &[(i64, String, String, u64)], key: impl Fn(i64) -> String) -> Vec<Volume> {
    let mut out: BTreeMap<String, Volume> = BTreeMap::new();
    for (day, decision, labels, n) in rows {
        let k = key(*day);
        let v = out.entry(k.clone()).or_insert_with(|| Volume {
            period: k,
            ..Volume::default()
        });
        v.total += n;
        *v.by_decision.entry(decision.clone()).or_default() += n;
        let labels: Vec<String> = serde_json::from_str(labels).unwrap_or_default();
        for l in labels {
            *v.by_category.entry(l).or_default() += n;
        }
    }
    out.into_values().collect()
}

fn day_string(day: i64) -> String {
    Timestamp(day * DAY_MS).to_rfc3339()[..10].to_owned()
}

/// 1 January of `year`, 00:00 UTC.
/// Midnight of 1 January of `year` in `zone` (the annual report is by local year).
pub fn year_start(year: i32, zone: &jiff::tz::TimeZone) -> Option<Timestamp> {
    let date = jiff::civil::Date::new(i16::try_from(year).ok()?, 1, 1).ok()?;
    let t = date.to_zoned(zone.clone()).ok()?.timestamp();
    Some(Timestamp(t.as_millisecond()))
}

/// The zone's offset from UTC at `at`, in milliseconds (days and months are local).
fn offset_ms(zone: &jiff::tz::TimeZone, at: Timestamp) -> i64 {
    jiff::Timestamp::from_millisecond(at.0)
        .map_or(0, |t| i64::from(zone.to_offset(t).seconds()) * 1000)
}

impl<S: Store> Governance<S> {
    /// The dashboard over the last `days` days.
    pub fn dashboard(
        &self,
        actor: &Principal,
        days: u32,
        now: Timestamp,
    ) -> Result<Dashboard, Error> {
        self.require(actor, Permission::ReadCases)?;
        let days = days.clamp(1, 366);
        let zone = self.policy().policy.locale.zone();
        let offset = offset_ms(&zone, now);
        // Local days: the dashboard's "today" starts at local midnight.
        let today = (now.0 + offset).div_euclid(DAY_MS);
        let from = Timestamp((today - i64::from(days) + 1) * DAY_MS - offset);
        let cw = self.policy().policy.casework.clone();
        let claim_ms = i64::from(cw.claim_minutes) * 60_000;
        self.store.read(|tx| {
            let mut volume = fold_volume(&tx.content_volume(from, now, offset)?, day_string);
            // Every day of the window appears, quiet ones too.
            let mut all = Vec::new();
            for d in (today - i64::from(days) + 1)..=today {
                let key = day_string(d);
                match volume.iter().position(|v| v.period == key) {
                    Some(i) => all.push(std::mem::take(&mut volume[i])),
                    None => all.push(Volume {
                        period: key,
                        ..Volume::default()
                    }),
                }
            }
            let mut reports = tx.report_handling(from, now, now)?;
            reports.deadline_minutes = i64::from(cw.report_deadline_hours) * 60;
            Ok(Dashboard {
                days: all,
                queue: tx.queue_depth(now, claim_ms)?,
                reports,
                actions: tx.audit_action_counts(from, now)?.into_iter().collect(),
                appeals: tx.appeal_counts(from, now)?.into_iter().collect(),
            })
        })
    }

    /// The yearly governance report (AUD-3): volumes by category, actions by type, report
    /// handling times, appeal outcomes.
    pub fn annual_report(
        &self,
        actor: &Principal,
        year: i32,
        now: Timestamp,
    ) -> Result<AnnualReport, Error> {
        self.require(actor, Permission::ReadAudit)?;
        let zone = self.policy().policy.locale.zone();
        let range = (2000..=2100)
            .contains(&year)
            .then(|| (year_start(year, &zone), year_start(year + 1, &zone)));
        let Some((Some(from), Some(to))) = range else {
            return Err(Error::invalid(
                "invalid_year",
                format!("year {year} is outside 2000-2100"),
            ));
        };
        let cw = self.policy().policy.casework.clone();
        let chain = self.verify_chain(now)?;
        self.store.read(|tx| {
            let rows = tx.content_volume(from, to, offset_ms(&zone, from))?;
            let months = fold_volume(&rows, |d| day_string(d)[..7].to_owned());
            let mut by_category = BTreeMap::new();
            let mut by_decision = BTreeMap::new();
            let mut submissions = 0;
            for m in &months {
                submissions += m.total;
                for (k, v) in &m.by_category {
                    *by_category.entry(k.clone()).or_default() += v;
                }
                for (k, v) in &m.by_decision {
                    *by_decision.entry(k.clone()).or_default() += v;
                }
            }
            let mut reports = tx.report_handling(from, to, now.min(to))?;
            reports.deadline_minutes = i64::from(cw.report_deadline_hours) * 60;
            Ok(AnnualReport {
                year,
                from: from.to_rfc3339(),
                to: to.to_rfc3339(),
                generated_at: now.to_rfc3339(),
                policy_version: self.policy_version(),
                submissions,
                by_category,
                by_decision,
                months,
                actions: tx.audit_action_counts(from, to)?.into_iter().collect(),
                sanctions: tx.sanction_counts(from, to)?.into_iter().collect(),
                reports,
                appeals: tx.appeal_counts(from, to)?.into_iter().collect(),
                audit_chain_ok: chain.ok,
            })
        })
    }

    /// The strikes a target took, newest first (group pages).
    pub fn strikes(
        &self,
        actor: &Principal,
        target: Target,
    ) -> Result<Vec<crate::model::StrikeRecord>, Error> {
        self.require(actor, Permission::ReadSubjects)?;
        self.store.read(|tx| tx.strikes_of(target))
    }

    /// Audit entries for the console's audit page.
    pub fn audit_search(
        &self,
        actor: &Principal,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>, Error> {
        self.require(actor, Permission::ReadAudit)?;
        self.store.read(|tx| tx.audit_search(filter))
    }

    /// A user's credit history, sanctions and reports, for the console's user page.
    pub fn user_history(
        &self,
        actor: &Principal,
        user: Id,
        now: Timestamp,
    ) -> Result<UserHistory, Error> {
        self.require(actor, Permission::ReadSubjects)?;
        let initial = i64::from(self.policy().policy.credit.initial);
        self.store.read(|tx| {
            let u = tx
                .user(user)?
                .ok_or_else(|| Error::not_found("user", user))?;
            let label = Target::User(user).label();
            let mut records = tx.audit_search(&AuditFilter {
                actor: None,
                action: None,
                target: Some(label.clone()),
                from: Timestamp(0),
                to: Timestamp(now.0 + 1),
                limit: 500,
            })?;
            let mut credit = vec![CreditPoint {
                at: u.created_at.to_rfc3339(),
                at_ms: u.created_at.0,
                score: initial,
                reason: "created".into(),
            }];
            for e in records.iter().rev().filter(|e| e.action == "credit.change") {
                let after = serde_json::from_str::<serde_json::Value>(&e.evidence)
                    .ok()
                    .and_then(|v| v["after"].as_i64());
                if let Some(score) = after {
                    credit.push(CreditPoint {
                        at: e.at.to_rfc3339(),
                        at_ms: e.at.0,
                        score,
                        reason: e.reason.clone(),
                    });
                }
            }
            let mut sanctions: Vec<SanctionView> = tx
                .sanctions_of(Target::User(user))?
                .iter()
                .chain(tx.sanctions_of(Target::RoleHolder(user))?.iter())
                .map(SanctionView::from)
                .collect();
            sanctions.sort_by_key(|s| std::cmp::Reverse(s.id));
            let views = |tx: &mut dyn Tx, filter: ReportFilter| -> Result<Vec<ReportView>, Error> {
                let reports = tx.reports(&filter)?;
                reports
                    .iter()
                    .map(|r| crate::casework::report_view(tx, r, now))
                    .collect()
            };
            let reports_against = views(
                tx,
                ReportFilter {
                    target: Some(CaseTarget::User(user)),
                    limit: 100,
                    ..ReportFilter::default()
                },
            )?;
            let reports_by = views(
                tx,
                ReportFilter {
                    reporter: Some(user),
                    limit: 100,
                    ..ReportFilter::default()
                },
            )?;
            records.truncate(100);
            let strikes = tx.strikes_of(Target::User(user))?;
            Ok(UserHistory {
                credit,
                strikes,
                sanctions,
                reports_against,
                reports_by,
                records,
            })
        })
    }
}
