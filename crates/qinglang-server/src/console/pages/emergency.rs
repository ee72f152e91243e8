//! Emergencies (ENF-3): a lead's change of terms and thresholds in one audited step, and the
//! sweep of recent content under the tightened rules.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use qinglang_governance::model::Timestamp;
use qinglang_governance::Error;

use super::{act, html_page, run, Msg};
use crate::console::html::{action_label, table, when, Lang, Viewer};
use crate::console::labels::decision_name;
use crate::console::{error_page, Console, Form};
use crate::AppState;

/// The refusal of the emergency page and its forms to a role that may not change policy,
/// in the viewer's language (ENF-3: leads and admins).
fn emergency_refused(v: &Viewer) -> Response {
    error_page(
        v.lang,
        StatusCode::FORBIDDEN,
        v.t(
            "应急处置（新增词条、收紧阈值、回扫）仅限内容安全负责人和管理员使用；如需应急处置，请联系内容安全负责人。",
            "Emergency changes (terms, tighter thresholds, sweeps) are for content-security leads and admins; ask your lead.",
        ),
    )
}

pub(crate) async fn emergency(
    State(_s): State<AppState>,
    Console(v): Console,
    Query(m): Query<Msg>,
) -> Response {
    if !v.can_change_policy() {
        return emergency_refused(&v);
    }
    let l = v.lang;
    let body = html! {
        (m.flash())
        form.card #emergency-form method="post" action="/emergency" {
            (v.csrf_field())
            label {
                (l.t("名称（小写字母、数字、-、_）", "Name (a-z, 0-9, - and _)")) " "
                input name="name" required pattern="[a-z0-9_-]{1,64}" placeholder="incident-2026-11";
            }
            label {
                (l.t("新增词条（每行：词条 ⇥ 类别 ⇥ 处置，以制表符分隔）", "Terms to add (one per line: term ⇥ category ⇥ action, tab-separated)")) " "
                textarea name="terms" rows="6" placeholder=(l.t("例如：蓝莓冰沙\tdrugs\tblock", "e.g. 蓝莓冰沙\tdrugs\tblock")) {}
            }
            label {
                (l.t("人审阈值（只能收紧）", "Review threshold (may only tighten)")) " "
                input name="review_threshold" type="number" min="0" max="100";
            }
            label {
                (l.t("拦截阈值（只能收紧）", "Block threshold (may only tighten)")) " "
                input name="block_threshold" type="number" min="0" max="100";
            }
            button.danger type="submit" { (l.t("一键进入应急状态", "Switch to the emergency posture")) }
            p.muted { (l.t("词条与阈值作为一次变更同时生效，并写入审计。", "Terms and thresholds take effect together as one audited change.")) }
        }
        form.card #sweep-form method="post" action="/emergency/sweep" {
            (v.csrf_field())
            label {
                (l.t("回扫最近小时数", "Re-scan the last hours")) " "
                input name="hours" type="number" min="1" max="720" value="24";
            }
            label { input type="checkbox" name="act" value="1"; " " (l.t("同时处置（待审或拦截）", "and act on them (hold or reject)")) }
            button type="submit" { (l.t("回扫", "Sweep")) }
        }
    };
    html_page(&v, v.t("应急处置", "Emergency"), "emergency", body)
}

fn parse_threshold(l: Lang, raw: Option<&str>) -> Result<Option<u8>, Error> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<u8>()
            .ok()
            .filter(|t| *t <= 100)
            .map(Some)
            .ok_or_else(|| Error::Invalid {
                code: "invalid_threshold",
                message: match l {
                    Lang::Zh => format!("阈值 {s:?} 须为 0–100 的整数"),
                    Lang::En => format!("threshold {s:?} must be a whole number 0-100"),
                },
            }),
    }
}

pub(crate) async fn emergency_change(
    State(s): State<AppState>,
    Console(v): Console,
    body: Bytes,
) -> Response {
    if !v.can_change_policy() {
        return emergency_refused(&v);
    }
    let form = match Form::parse(&v, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let l = v.lang;
    let name = form.get("name").unwrap_or("").trim().to_owned();
    let terms = form.get("terms").unwrap_or("").replace("\r\n", "\n");
    let review = parse_threshold(l, form.get("review_threshold"));
    let block = parse_threshold(l, form.get("block_threshold"));
    act(&s, &v, "/emergency", move |g, p, now| {
        let a = g.emergency_change(p, &name, &terms, review?, block?, now)?;
        Ok(match l {
            Lang::Zh => format!(
                "应急变更已生效 {}：{} 个词条，人审阈值 {}，拦截阈值 {}",
                a.source, a.terms, a.review_threshold, a.block_threshold
            ),
            Lang::En => format!(
                "Emergency change in force {}: {} terms, review {}, block {}",
                a.source, a.terms, a.review_threshold, a.block_threshold
            ),
        })
    })
    .await
}

pub(crate) async fn sweep(State(s): State<AppState>, Console(v): Console, body: Bytes) -> Response {
    if !v.can_change_policy() {
        return emergency_refused(&v);
    }
    let form = match Form::parse(&v, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let hours: i64 = form
        .get("hours")
        .and_then(|h| h.parse().ok())
        .filter(|h| (1..=720).contains(h))
        .unwrap_or(24);
    let act_on = form.get("act") == Some("1");
    let report = match run(&s, &v, move |g, p, now| {
        g.sweep(p, Timestamp(now.0 - hours * 3_600_000), act_on, now)
    })
    .await
    {
        Ok(r) => r,
        Err(r) => return r,
    };
    let l = v.lang;
    let rows: Vec<Vec<Markup>> = report
        .caught
        .iter()
        .map(|c| {
            let terms = c.verdict["hits"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|h| h["term"].as_str())
                .collect::<Vec<_>>()
                .join(", ");
            vec![
                html! { a href={ "/content/" (c.content) } { "#" (c.content) } },
                html! { a href={ "/users/" (c.author) } { "#" (c.author) } },
                html! { (when(&c.at)) },
                html! { (decision_name(l, &c.was)) },
                html! { (action_label(l, c.now)) },
                html! { (terms) },
            ]
        })
        .collect();
    let body = html! {
        p #sweep-summary {
            (l.t("自", "since")) " " (when(&report.since)) " · "
            (l.t("回扫", "scanned")) " " (report.scanned) " · "
            (l.t("命中", "caught")) " " (report.caught.len()) " · "
            (l.t("已处置", "acted on")) " " (report.acted)
        }
        (table(
            &[
                l.t("内容", "Content"),
                l.t("作者", "Author"),
                l.t("时间", "Time"),
                l.t("原结果", "Was"),
                l.t("现结果", "Now"),
                l.t("命中", "Hits"),
            ],
            &rows,
            l.t("没有新命中", "Nothing new caught"),
        ))
    };
    html_page(&v, v.t("回扫结果", "Sweep result"), "emergency", body)
}
