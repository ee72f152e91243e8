//! The audit trail: searching it, verifying its hash chain, and exporting it as JSON Lines
//! for an inspection.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use qinglang_governance::model::Timestamp;
use qinglang_governance::stats::AuditFilter;
use serde::Deserialize;

use super::{html_page, run};
use crate::console::html::{table, urlencode, when};
use crate::console::labels::action_name;
use crate::console::messages::{actor_text, reason_text, target_text};
use crate::console::Console;
use crate::AppState;

#[derive(Deserialize)]
pub(crate) struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    target: Option<String>,
    from: Option<String>,
    to: Option<String>,
    verify: Option<String>,
}

impl AuditQuery {
    fn filter(&self, limit: u32) -> AuditFilter {
        let some = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
        AuditFilter {
            actor: some(&self.actor),
            action: some(&self.action),
            target: some(&self.target),
            from: self
                .from
                .as_deref()
                .and_then(Timestamp::parse)
                .unwrap_or(Timestamp(0)),
            to: self
                .to
                .as_deref()
                .and_then(Timestamp::parse)
                .unwrap_or(Timestamp(i64::MAX / 2)),
            limit,
        }
    }
}

pub(crate) async fn audit(
    State(s): State<AppState>,
    Console(v): Console,
    Query(q): Query<AuditQuery>,
) -> Response {
    let filter = q.filter(500);
    let verify = q.verify.is_some();
    let (entries, report) = match run(&s, &v, move |g, p, now| {
        let entries = g.audit_search(p, &filter)?;
        let report = if verify {
            Some(g.audit_verify(p, now)?)
        } else {
            None
        };
        Ok((entries, report))
    })
    .await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = v.lang;
    let val = |s: &Option<String>| s.clone().unwrap_or_default();
    let export = format!(
        "/audit/export?from={}&to={}&actor={}&action={}&target={}",
        urlencode(q.from.as_deref().unwrap_or("2000-01-01")),
        urlencode(q.to.as_deref().unwrap_or("2100-01-01")),
        urlencode(q.actor.as_deref().unwrap_or("")),
        urlencode(q.action.as_deref().unwrap_or("")),
        urlencode(q.target.as_deref().unwrap_or(""))
    );
    let rows: Vec<Vec<Markup>> = entries
        .iter()
        .map(|e| {
            vec![
                html! { (e.seq) },
                html! { (when(&e.at.to_rfc3339())) },
                html! { span title=(e.actor) { (actor_text(l, &e.actor)) } },
                html! { span title=(e.action) { (action_name(l, &e.action)) } },
                html! { span title=(e.target) { (target_text(l, &e.target)) } },
                html! { (reason_text(l, &e.reason)) },
                html! { code title=(e.hash) { (e.hash.get(..10).unwrap_or(&e.hash)) } },
            ]
        })
        .collect();
    let body = html! {
        form.filters method="get" action="/audit" {
            label { (l.t("操作人", "Actor")) " " input name="actor" value=(val(&q.actor)); }
            label { (l.t("操作", "Action")) " " input name="action" value=(val(&q.action)) placeholder="queue.decide"; }
            label { (l.t("对象", "Target")) " " input name="target" value=(val(&q.target)) placeholder="user:12"; }
            label { (l.t("自", "From")) " " input name="from" value=(val(&q.from)) placeholder="2026-01-01"; }
            label { (l.t("至", "To")) " " input name="to" value=(val(&q.to)) placeholder="2027-01-01"; }
            button type="submit" { (l.t("筛选", "Filter")) }
            " "
            button #verify type="submit" name="verify" value="1" { (l.t("校验哈希链", "Verify the chain")) }
        }
        @if let Some(r) = &report {
            @if r.ok {
                p.flash.ok #chain-status {
                    (l.t("哈希链完整", "The chain is intact")) " (" (r.entries) " " (l.t("条", "entries")) ")"
                }
            } @else {
                p.flash.err #chain-status {
                    (l.t("哈希链已损坏", "The chain is BROKEN")) ": " (r.problem.as_deref().unwrap_or(""))
                }
            }
        }
        p { a href=(export) download { (l.t("导出 JSON Lines（供监管检查）", "Export as JSON Lines (for an inspection)")) } }
        (table(
            &[
                "#",
                l.t("时间", "Time"),
                l.t("操作人", "Actor"),
                l.t("操作", "Action"),
                l.t("对象", "Target"),
                l.t("原因", "Reason"),
                l.t("哈希", "Hash"),
            ],
            &rows,
            l.t("没有记录", "No entries"),
        ))
    };
    html_page(&v, v.t("审计记录", "Audit trail"), "audit", body)
}

pub(crate) async fn audit_export(
    State(s): State<AppState>,
    Console(v): Console,
    Query(q): Query<AuditQuery>,
) -> Response {
    let from = q
        .from
        .as_deref()
        .and_then(Timestamp::parse)
        .unwrap_or(Timestamp(0));
    let to =
        q.to.as_deref()
            .and_then(Timestamp::parse)
            .unwrap_or(Timestamp(i64::MAX / 2));
    // The same filters as the page: an inspection may ask for one actor's or one target's.
    let filter = q.filter(u32::MAX);
    let entries = match run(&s, &v, move |g, p, _| {
        let all = g.audit_export(p, from, to)?;
        Ok(all
            .into_iter()
            .filter(|e| filter.actor.as_deref().is_none_or(|a| e.actor.contains(a)))
            .filter(|e| {
                filter.action.as_deref().is_none_or(|a| {
                    e.action == a || e.action.strip_prefix(a).is_some_and(|r| r.starts_with('.'))
                })
            })
            .filter(|e| filter.target.as_deref().is_none_or(|t| e.target == t))
            .collect::<Vec<_>>())
    })
    .await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut out = String::new();
    for e in &entries {
        if let Ok(line) = serde_json::to_string(e) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    (
        [
            (header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"qinglang-audit.jsonl\"",
            ),
        ],
        out,
    )
        .into_response()
}
