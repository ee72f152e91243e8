//! Reports: the filtered list, one report with its filings, and reopening a resolved one.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{html, Markup};
use qinglang_governance::casework::{Lane, ReportFilter, ReportStatus};
use qinglang_governance::model::Id;
use serde::Deserialize;

use super::{act, html_page, reports_table, run, Msg};
use crate::console::html::{table, when, Lang};
use crate::console::labels::category_name;
use crate::console::{Console, Form};
use crate::AppState;

#[derive(Deserialize)]
pub(crate) struct ReportQuery {
    status: Option<String>,
    lane: Option<String>,
    target_kind: Option<String>,
}

/// A `<select>` of a filter: `—` for any, then each value with its name.
fn select(name: &str, current: Option<&str>, options: &[(&str, &str)]) -> Markup {
    html! {
        select name=(name) {
            option value="" { "—" }
            @for (value, label) in options {
                option value=(value) selected[current == Some(*value)] { (label) }
            }
        }
    }
}

fn filters(l: Lang, q: &ReportQuery) -> Markup {
    html! {
        form.filters method="get" action="/reports" {
            label {
                (l.t("状态", "Status")) " "
                (select("status", q.status.as_deref(), &[
                    ("open", l.t("待处理", "open")),
                    ("upheld", l.t("成立", "upheld")),
                    ("rejected", l.t("不成立", "not upheld")),
                ]))
            }
            label {
                (l.t("通道", "Lane")) " "
                (select("lane", q.lane.as_deref(), &[
                    ("normal", l.t("普通", "normal")),
                    ("low", l.t("低优先", "low")),
                ]))
            }
            label {
                (l.t("对象", "Target")) " "
                (select("target_kind", q.target_kind.as_deref(), &[
                    ("content", l.t("内容", "content")),
                    ("user", l.t("用户", "user")),
                    ("account", l.t("公众号", "account")),
                    ("group", l.t("群组", "group")),
                ]))
            }
            button type="submit" { (l.t("筛选", "Filter")) }
        }
    }
}

pub(crate) async fn reports(
    State(s): State<AppState>,
    Console(v): Console,
    Query(q): Query<ReportQuery>,
) -> Response {
    let filter = ReportFilter {
        status: q.status.as_deref().and_then(ReportStatus::parse),
        lane: q.lane.as_deref().and_then(Lane::parse),
        target_kind: q.target_kind.clone().filter(|k| !k.is_empty()),
        limit: 500,
        ..ReportFilter::default()
    };
    let list = match run(&s, &v, move |g, p, now| g.list_reports(p, &filter, now)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = v.lang;
    let body = html! {
        (filters(l, &q))
        (reports_table(l, &list))
    };
    html_page(&v, v.t("举报", "Reports"), "reports", body)
}

pub(crate) async fn report(
    State(s): State<AppState>,
    Console(v): Console,
    Path(id): Path<Id>,
    Query(m): Query<Msg>,
) -> Response {
    let d = match run(&s, &v, move |g, p, now| g.get_report(p, id, now)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = v.lang;
    let rows: Vec<Vec<Markup>> = d
        .filings
        .iter()
        .map(|f| {
            vec![
                html! {
                    @match f.reporter {
                        Some(r) => a href={ "/users/" (r) } { "#" (r) },
                        None => (l.t("匿名", "anonymous")),
                    }
                },
                html! { (category_name(l, &f.category)) },
                html! { (f.note) },
                html! { (when(&f.at)) },
            ]
        })
        .collect();
    let body = html! {
        (m.flash())
        (reports_table(l, std::slice::from_ref(&d.report)))
        @if let Some(f) = &d.report.feedback {
            p { b { (l.t("给举报人的反馈：", "Feedback to the reporters:")) } " " (f) }
        }
        h2 { (l.t("举报记录", "Filings")) }
        (table(
            &[l.t("举报人", "Reporter"), l.t("类别", "Category"), l.t("说明", "Note"), l.t("时间", "Time")],
            &rows,
            "—",
        ))
        @if v.is_lead() && d.report.status != ReportStatus::Open {
            form method="post" action={ "/reports/" (id) "/reopen" } {
                (v.csrf_field())
                label { (l.t("重新打开的理由", "Reason to reopen")) " " input name="reason" required maxlength="2000"; }
                button type="submit" { (l.t("重新打开", "Reopen")) }
            }
        }
    };
    html_page(
        &v,
        &format!("{} #{id}", v.t("举报", "Report")),
        "reports",
        body,
    )
}

pub(crate) async fn reopen(
    State(s): State<AppState>,
    Console(v): Console,
    Path(id): Path<Id>,
    body: Bytes,
) -> Response {
    let form = match Form::parse(&v, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let reason = form.get("reason").unwrap_or("").to_owned();
    let ok = v
        .t(
            "已重新打开，回到审核队列",
            "Reopened; it is back in the queue",
        )
        .to_owned();
    act(&s, &v, &format!("/reports/{id}"), move |g, p, now| {
        g.reopen_report(p, id, &reason, now).map(|_| ok)
    })
    .await
}
