//! The console's pages and forms, one file per area. Each handler asks the governance service
//! (on the blocking pool, as the API does) and renders HTML with maud; forms answer with a
//! redirect that carries a message (`?ok=` / `?err=`), so a reload never repeats a decision.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use qinglang_governance::casework::{Lane, ReportView};
use qinglang_governance::model::{Principal, StrikeRecord, Timestamp};
use qinglang_governance::{Error, Governance, SanctionView};
use qinglang_store::Database;
use serde::Deserialize;

use super::html::{page, table, target_link, when, Lang, Viewer};
use super::labels::{category_name, decision_name, outcome_name, sanction_name};
use super::messages::{actor_text, error_text, reason_text};
use super::{back_with, error_page};
use crate::{ApiError, AppState};

mod annual;
mod appeals;
mod audit;
mod dashboard;
mod emergency;
mod image_lists;
mod learning;
mod lexicons;
mod queue;
mod reports;
mod subjects;

pub(crate) use annual::annual;
pub use annual::{annual_body, annual_document};
pub(crate) use appeals::{appeals, decide_appeal};
pub(crate) use audit::{audit, audit_export};
pub(crate) use dashboard::dashboard;
pub(crate) use emergency::{emergency, emergency_change, sweep};
pub(crate) use image_lists::{create_image_list, image_list, image_lists, remove_image_list_entry};
pub(crate) use learning::{forget_learned, learning, reset_learning, teach};
pub(crate) use lexicons::{edit_lexicon, lexicons};
pub(crate) use queue::{
    content, content_image, queue, queue_block_similar, queue_bulk, queue_decide, queue_item,
    queue_next,
};
pub(crate) use reports::{reopen, report, reports};
pub(crate) use subjects::{account, group, reveal, user};

type Gov = Governance<Database>;

/// Runs a governance call for the viewer; a failure becomes an error page in their language.
async fn run<T: Send + 'static>(
    s: &AppState,
    v: &Viewer,
    f: impl FnOnce(&Gov, &Principal, Timestamp) -> Result<T, Error> + Send + 'static,
) -> Result<T, Response> {
    let gov = Arc::clone(&s.gov);
    let p = v.principal.clone();
    match tokio::task::spawn_blocking(move || f(&gov, &p, Timestamp::now())).await {
        Ok(Ok(x)) => Ok(x),
        Ok(Err(e)) => {
            let status = ApiError::from(e.clone()).status;
            Err(error_page(v.lang, status, &error_text(v.lang, &e)))
        }
        Err(_) => Err(internal_error(v.lang)),
    }
}

fn internal_error(l: Lang) -> Response {
    error_page(
        l,
        StatusCode::INTERNAL_SERVER_ERROR,
        l.t(
            "内部错误，详见服务器日志。",
            "Internal error; see the server log.",
        ),
    )
}

/// Like `run`, for a form: the outcome goes back to `back` as a message.
async fn act(
    s: &AppState,
    v: &Viewer,
    back: &str,
    f: impl FnOnce(&Gov, &Principal, Timestamp) -> Result<String, Error> + Send + 'static,
) -> Response {
    let gov = Arc::clone(&s.gov);
    let p = v.principal.clone();
    match tokio::task::spawn_blocking(move || f(&gov, &p, Timestamp::now())).await {
        Ok(r) => back_with(v.lang, back, r),
        Err(_) => internal_error(v.lang),
    }
}

/// A whole console page.
fn html_page(v: &Viewer, title: &str, active: &str, body: Markup) -> Response {
    Html(page(v, title, active, body).into_string()).into_response()
}

/// The first `n` characters of a text, `…` where it was cut.
fn excerpt(text: &str, n: usize) -> String {
    let mut out: String = text.chars().take(n).collect();
    if text.chars().count() > n {
        out.push('…');
    }
    out
}

/// The flash a form's redirect carried (`ok`, `err`, and their signature `fs`).
#[derive(Deserialize, Default)]
pub(crate) struct Msg {
    ok: Option<String>,
    err: Option<String>,
    /// The flash's signature (see `html::flash`).
    fs: Option<String>,
}

impl Msg {
    fn flash(&self) -> Markup {
        super::html::flash(self.ok.as_deref(), self.err.as_deref(), self.fs.as_deref())
    }
}

/// `已超时` after a deadline that has passed.
fn overdue_mark(l: Lang, overdue: bool) -> Markup {
    html! {
        @if overdue { " " b.overdue { (l.t("已超时", "overdue")) } }
    }
}

fn strikes_table(l: Lang, strikes: &[StrikeRecord]) -> Markup {
    let rows: Vec<Vec<Markup>> = strikes
        .iter()
        .map(|s| {
            vec![
                html! { "#" (s.id) },
                html! { (when(&s.at.to_rfc3339())) },
                html! {
                    @if let Some(c) = s.content {
                        a href={ "/content/" (c) } { (l.t("内容", "content")) " #" (c) }
                    }
                },
                html! {
                    @if s.voided { (l.t("已撤销（申诉成立）", "voided (appeal upheld)")) }
                },
            ]
        })
        .collect();
    table(
        &["#", l.t("时间", "Time"), l.t("违规内容", "Content"), ""],
        &rows,
        l.t("无违规记录", "No strikes"),
    )
}

fn sanctions_table(l: Lang, sanctions: &[SanctionView]) -> Markup {
    let rows: Vec<Vec<Markup>> = sanctions
        .iter()
        .map(|s| {
            vec![
                html! { "#" (s.id) },
                html! { span title=(s.kind.as_str()) { (sanction_name(l, s.kind.as_str())) } },
                html! { (reason_text(l, &s.reason)) },
                html! { (when(&s.starts_at)) },
                html! {
                    @match &s.ends_at {
                        Some(t) => (when(t)),
                        None => (l.t("长期", "indefinite")),
                    }
                },
                html! { (actor_text(l, &s.imposed_by)) },
                html! {
                    @if let Some(t) = &s.revoked_at { (l.t("已撤销", "revoked")) " " (when(t)) }
                },
            ]
        })
        .collect();
    table(
        &[
            "#",
            l.t("处罚", "Sanction"),
            l.t("原因", "Reason"),
            l.t("开始", "From"),
            l.t("结束", "Until"),
            l.t("决定人", "Imposed by"),
            "",
        ],
        &rows,
        l.t("无处罚记录", "No sanctions"),
    )
}

fn reports_table(l: Lang, reports: &[ReportView]) -> Markup {
    let rows: Vec<Vec<Markup>> = reports
        .iter()
        .map(|r| {
            vec![
                html! { a href={ "/reports/" (r.id) } { "#" (r.id) } },
                target_link(l, r.target),
                html! { (category_name(l, &r.category)) },
                html! {
                    span class={ "status " (r.status.as_str()) } { (outcome_name(l, r.status.as_str())) }
                },
                html! {
                    @if r.lane == Lane::Low {
                        span.lane-low { (l.t("低优先（已筛选）", "low (screened)")) }
                    }
                },
                html! { (r.filings) },
                html! { (when(&r.deadline_at)) (overdue_mark(l, r.overdue)) },
                html! {
                    @if let Some(m) = r.handling_minutes { (minutes(l, m)) }
                },
                html! {
                    @if let Some(a) = &r.action { (decision_name(l, a)) }
                },
            ]
        })
        .collect();
    table(
        &[
            "#",
            l.t("对象", "Target"),
            l.t("类别", "Category"),
            l.t("状态", "Status"),
            l.t("通道", "Lane"),
            l.t("举报数", "Filings"),
            l.t("时限", "Deadline"),
            l.t("处理用时", "Handled in"),
            l.t("处置", "Action"),
        ],
        &rows,
        l.t("没有举报", "No reports"),
    )
}

/// A duration in minutes as people say it (`90 分钟`, `26 小时`, `3 天`).
fn minutes(l: Lang, m: i64) -> String {
    let (n, zh, en) = if m < 120 {
        (m, "分钟", "min")
    } else if m < 48 * 60 {
        (m / 60, "小时", "h")
    } else {
        (m / (24 * 60), "天", "d")
    };
    match l {
        Lang::Zh => format!("{n} {zh}"),
        Lang::En => format!("{n} {en}"),
    }
}

/// The scene a verdict was given in (issue #25), for the item's meta line; nothing for the
/// main policy.
fn scene_meta(l: Lang, verdict: &serde_json::Value) -> Markup {
    html! {
        @if let Some(scene) = verdict["scene"].as_str() {
            " · " (l.t("场景", "scene")) " " code.scene { (scene) }
        }
    }
}
