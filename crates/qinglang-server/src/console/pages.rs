//! The console's pages and forms. Each handler asks the governance service (on the blocking
//! pool, as the API does) and renders HTML; forms answer with a redirect that carries a
//! message (`?ok=` / `?err=`), so a reload never repeats a decision.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use qinglang_engine::Label;
use qinglang_governance::casework::{
    AppealStatus, CaseTarget, Lane, QueueDecision, QueueEntry, ReportFilter, ReportStatus,
    ReportView,
};
use qinglang_governance::model::{Id, Principal, Timestamp};
use qinglang_governance::stats::{AnnualReport, AuditFilter, Dashboard, Volume};
use qinglang_governance::{Error, Governance, SanctionView, TermChange};
use qinglang_store::Database;
use serde::Deserialize;

use super::html::{
    esc, flash, highlighted, hit_table, page, short_time, target_link, urlencode, Lang, Viewer,
};
use super::labels::{action_name, category_name, sanction_name, status_name};
use super::{back_with, error_page, svg, Console, Form};
use crate::{blocking, ApiError, AppState};

type Gov = Governance<Database>;

/// Runs a governance call for the viewer; a failure becomes an error page.
async fn run<T: Send + 'static>(
    s: &AppState,
    v: &Viewer,
    f: impl FnOnce(&Gov, &Principal, Timestamp) -> Result<T, Error> + Send + 'static,
) -> Result<T, Response> {
    let gov = Arc::clone(&s.gov);
    let p = v.principal.clone();
    blocking(move || f(&gov, &p, Timestamp::now()))
        .await
        .map_err(|e: ApiError| error_page(v.lang, e.status, &e.message))
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
    let result = tokio::task::spawn_blocking(move || f(&gov, &p, Timestamp::now())).await;
    match result {
        Ok(r) => back_with(back, r),
        Err(_) => error_page(v.lang, StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
    }
}

fn html(v: &Viewer, title: &str, active: &str, body: &str) -> Response {
    Html(page(v, title, active, body)).into_response()
}

fn table(headers: &[&str], rows: &[Vec<String>], empty: &str) -> String {
    if rows.is_empty() {
        return format!("<p class=muted>{}</p>", esc(empty));
    }
    let mut s = String::from("<table><thead><tr>");
    for h in headers {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr></thead><tbody>");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            let _ = write!(s, "<td>{c}</td>");
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

fn excerpt(text: &str, n: usize) -> String {
    let mut out: String = text.chars().take(n).collect();
    if text.chars().count() > n {
        out.push('…');
    }
    esc(&out)
}

fn decision_name(l: Lang, d: &str) -> String {
    match d {
        "approve" => l.t("通过", "approve"),
        "remove" => l.t("删除", "remove"),
        "remove_and_sanction" => l.t("删除并处罚", "remove and sanction"),
        "published" => l.t("已发布", "published"),
        "held" => l.t("待审", "held"),
        "rejected" => l.t("已拦截", "rejected"),
        "removed" => l.t("已删除", "removed"),
        "open" => l.t("待处理", "open"),
        "upheld" => l.t("成立", "upheld"),
        "pending" => l.t("待复核", "pending"),
        other => other,
    }
    .to_owned()
}

/// A report's or an appeal's outcome (not a content decision: `rejected` means "not upheld").
fn outcome_name(l: Lang, s: &str) -> String {
    match s {
        "open" => l.t("待处理", "open"),
        "pending" => l.t("待复核", "pending"),
        "upheld" => l.t("成立", "upheld"),
        "rejected" => l.t("不成立", "not upheld"),
        other => other,
    }
    .to_owned()
}

fn strikes_table(l: Lang, strikes: &[qinglang_governance::model::StrikeRecord]) -> String {
    let rows: Vec<Vec<String>> = strikes
        .iter()
        .map(|s| {
            vec![
                format!("#{}", s.id),
                short_time(&s.at.to_rfc3339()),
                s.content.map_or_else(String::new, |c| {
                    format!(
                        r#"<a href="/content/{c}">{} #{c}</a>"#,
                        l.t("内容", "content")
                    )
                }),
                if s.voided {
                    l.t("已撤销（申诉成立）", "voided (appeal upheld)")
                        .to_owned()
                } else {
                    String::new()
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

fn sanctions_table(l: Lang, sanctions: &[SanctionView]) -> String {
    let rows: Vec<Vec<String>> = sanctions
        .iter()
        .map(|s| {
            vec![
                format!("#{}", s.id),
                esc(&sanction_name(l, s.kind.as_str())),
                esc(&s.reason),
                short_time(&s.starts_at),
                s.ends_at
                    .as_deref()
                    .map_or_else(|| l.t("长期", "indefinite").to_owned(), short_time),
                esc(&s.imposed_by),
                s.revoked_at.as_deref().map_or_else(String::new, |t| {
                    format!("{} {}", l.t("已撤销", "revoked"), short_time(t))
                }),
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

fn reports_table(l: Lang, reports: &[ReportView]) -> String {
    let rows: Vec<Vec<String>> = reports
        .iter()
        .map(|r| {
            vec![
                format!(r#"<a href="/reports/{0}">#{0}</a>"#, r.id),
                target_link(l, r.target),
                esc(&r.category),
                format!(
                    r#"<span class="status {}">{}</span>"#,
                    r.status.as_str(),
                    outcome_name(l, r.status.as_str())
                ),
                match r.lane {
                    Lane::Low => format!(
                        r#"<span class="lane-low">{}</span>"#,
                        l.t("低优先（已筛选）", "low (screened)")
                    ),
                    Lane::Normal => String::new(),
                },
                r.filings.to_string(),
                format!(
                    "{}{}",
                    short_time(&r.deadline_at),
                    if r.overdue {
                        format!(r#" <b class="overdue">{}</b>"#, l.t("已超时", "overdue"))
                    } else {
                        String::new()
                    }
                ),
                r.handling_minutes
                    .map_or_else(String::new, |m| format!("{m} min")),
                r.action
                    .as_deref()
                    .map_or_else(String::new, |a| decision_name(l, a)),
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

#[derive(Deserialize, Default)]
pub(crate) struct Msg {
    ok: Option<String>,
    err: Option<String>,
    /// The flash's signature (see `html::flash`).
    fs: Option<String>,
}

// ----- dashboard -----

#[derive(Deserialize)]
pub(crate) struct DashQuery {
    days: Option<u32>,
}

/// Stacked bars per period; `name` gives each series (a category, a decision) its name.
fn per_day_chart(
    title: &str,
    days: &[Volume],
    pick: impl Fn(&Volume) -> &std::collections::BTreeMap<String, u64>,
    name: impl Fn(&str) -> String,
) -> String {
    let names: BTreeSet<&String> = days.iter().flat_map(|d| pick(d).keys()).collect();
    let labels: Vec<String> = days.iter().map(|d| d.period.clone()).collect();
    let series: Vec<(String, Vec<u64>)> = names
        .into_iter()
        .map(|n| {
            (
                name(n),
                days.iter()
                    .map(|d| pick(d).get(n).copied().unwrap_or(0))
                    .collect(),
            )
        })
        .collect();
    svg::stacked_bars(title, &labels, &series)
}

fn dashboard_body(l: Lang, d: &Dashboard) -> String {
    let q = &d.queue;
    let r = &d.reports;
    let on_time = if r.resolved > 0 {
        format!("{:.0}%", 100.0 * r.on_time as f64 / r.resolved as f64)
    } else {
        "—".to_owned()
    };
    let mut s = format!(
        r#"<section class="cards">
<div class="card"><b id="queue-depth">{}</b><span>{}</span></div>
<div class="card"><b>{}</b><span>{}</span></div>
<div class="card"><b>{}</b><span>{}</span></div>
<div class="card"><b>{}</b><span>{}</span></div>
<div class="card"><b>{}</b><span>{}</span></div>
</section>"#,
        q.open,
        l.t("队列中待审", "items in the queue"),
        q.overdue,
        l.t("已超时", "past their deadline"),
        q.low_lane,
        l.t("低优先通道", "in the low lane"),
        on_time,
        l.t("举报按时办结率", "reports handled on time"),
        r.median_minutes.map_or_else(
            || "—".to_owned(),
            |m| format!("{m} / {} min", r.deadline_minutes)
        ),
        l.t(
            "举报处理用时中位数 / 时限",
            "median report handling / deadline"
        ),
    );
    let _ = write!(
        s,
        "<h2>{}</h2>{}",
        l.t("每日送审量（按类别）", "Submissions per day, by category"),
        per_day_chart(
            l.t("每日送审量", "Submissions per day"),
            &d.days,
            |d| &d.by_category,
            |c| category_name(l, c)
        )
    );
    let _ = write!(
        s,
        "<h2>{}</h2>{}",
        l.t("每日处置结果", "Decisions per day"),
        per_day_chart(
            l.t("每日处置结果", "Decisions per day"),
            &d.days,
            |d| &d.by_decision,
            |d| decision_name(l, d)
        )
    );
    let actions: Vec<(String, u64)> = d
        .actions
        .iter()
        .filter(|(k, _)| !k.starts_with("session.") && !k.starts_with("content.publish"))
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    let _ = write!(
        s,
        "<h2>{}</h2>{}",
        l.t("操作记录（按类型）", "Recorded actions, by type"),
        svg::hbars(l.t("操作记录", "Actions"), &actions)
    );
    let handled: Vec<(String, u64)> = vec![
        (l.t("按时办结", "on time").to_owned(), r.on_time),
        (l.t("超时办结", "late").to_owned(), r.resolved - r.on_time),
        (l.t("超时未办", "open, overdue").to_owned(), r.overdue_open),
    ];
    let _ = write!(
        s,
        "<h2>{}</h2>{}<p class=muted>{}: {} · p90 {}</p>",
        l.t("举报处理与时限", "Report handling against the deadline"),
        svg::hbars(l.t("举报处理", "Report handling"), &handled),
        l.t("时限", "deadline"),
        format_args!("{} min", r.deadline_minutes),
        r.p90_minutes
            .map_or_else(|| "—".to_owned(), |m| format!("{m} min"))
    );
    s
}

pub(crate) async fn dashboard(
    State(s): State<AppState>,
    Console(v): Console,
    Query(q): Query<DashQuery>,
) -> Response {
    let days = q.days.unwrap_or(14);
    let d = match run(&s, &v, move |g, p, now| g.dashboard(p, days, now)).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let body = dashboard_body(v.lang, &d);
    html(&v, v.t("概览", "Dashboard"), "dashboard", &body)
}

// ----- the queue -----

#[derive(Deserialize)]
pub(crate) struct QueueQuery {
    lane: Option<String>,
    ok: Option<String>,
    err: Option<String>,
    /// The flash's signature (see `html::flash`).
    fs: Option<String>,
}

fn entry_summary(l: Lang, e: &QueueEntry) -> String {
    match &e.content {
        Some(c) => format!(r#"<a href="/queue/{}">{}</a>"#, e.id, excerpt(&c.text, 60)),
        None => format!(
            r#"<a href="/queue/{}">{}</a>"#,
            e.id,
            target_link(l, e.target)
                .replace("<a ", "<span ")
                .replace("</a>", "</span>")
        ),
    }
}

pub(crate) async fn queue(
    State(s): State<AppState>,
    Console(v): Console,
    Query(q): Query<QueueQuery>,
) -> Response {
    let lane = q.lane.as_deref().and_then(Lane::parse);
    let items = match run(&s, &v, move |g, p, now| g.queue(p, lane, false, 200, now)).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let l = v.lang;
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|e| {
            let labels = e
                .content
                .as_ref()
                .and_then(|c| c.verdict["labels"].as_array().cloned())
                .unwrap_or_default()
                .iter()
                .filter_map(|x| x.as_str().map(esc))
                .collect::<Vec<_>>()
                .join(", ");
            let cats = e.reports.iter().map(|r| esc(&r.category)).collect::<Vec<_>>().join(", ");
            vec![
                format!(r#"<input type="checkbox" name="items" value="{}" form="bulk" aria-label="select {}">"#, e.id, e.id),
                format!("{:.0}", e.priority),
                entry_summary(l, e),
                if e.held { format!("{} {labels}", l.t("待审", "held")) } else { labels },
                if e.reports.is_empty() { String::new() } else { format!("{} {} ({})", l.t("举报", "reported"), e.reports[0].filings, cats) },
                e.reach.to_string(),
                format!("{}{}", short_time(&e.deadline_at), if e.overdue { format!(r#" <b class="overdue">{}</b>"#, l.t("已超时", "overdue")) } else { String::new() }),
                esc(e.claimed_by.as_deref().unwrap_or("")),
                if e.lane == Lane::Low { l.t("低", "low").to_owned() } else { String::new() },
            ]
        })
        .collect();
    let mut body = flash(q.ok.as_deref(), q.err.as_deref(), q.fs.as_deref());
    if v.can_moderate() {
        let _ = write!(
            body,
            r#"<form method="post" action="/queue/next" class="inline">{}<button type="submit" data-key="n" id="work-next">{} <kbd>n</kbd></button></form> "#,
            v.csrf_field(),
            l.t("领取下一条", "Work the next item")
        );
    }
    let _ = write!(
        body,
        r#"<a href="/queue">{}</a> · <a href="/queue?lane=normal">{}</a> · <a href="/queue?lane=low">{}</a>"#,
        l.t("全部", "all"),
        l.t("普通通道", "normal lane"),
        l.t("低优先通道", "low lane")
    );
    body.push_str(&table(
        &[
            "",
            l.t("优先级", "Priority"),
            l.t("内容 / 对象", "Content / target"),
            l.t("机审", "Verdict"),
            l.t("举报", "Reports"),
            l.t("触达", "Reach"),
            l.t("时限", "Deadline"),
            l.t("领取人", "Claimed by"),
            l.t("通道", "Lane"),
        ],
        &rows,
        l.t("队列已清空", "The queue is empty"),
    ));
    if v.can_moderate() && !items.is_empty() {
        let _ = write!(
            body,
            r#"<form method="post" action="/queue/decide" id="bulk" class="bulk">{}<button type="submit" disabled hidden></button><label>{} <input name="note" maxlength="2000"></label>
<button name="decision" value="approve">{}</button>
<button name="decision" value="remove">{}</button>
<button name="decision" value="remove_and_sanction" class="danger">{}</button></form>"#,
            v.csrf_field(),
            l.t("批量处理所选；备注", "Decide the selection; note"),
            l.t("通过", "Approve"),
            l.t("删除", "Remove"),
            l.t("删除并处罚", "Remove and sanction"),
        );
    }
    html(&v, v.t("审核队列", "Review queue"), "queue", &body)
}

pub(crate) async fn queue_next(
    State(s): State<AppState>,
    Console(v): Console,
    body: Bytes,
) -> Response {
    if let Err(r) = Form::parse(&v, &body) {
        return r;
    }
    let next = run(&s, &v, |g, p, now| g.claim_next(p, 1, None, now)).await;
    match next {
        Ok(items) => match items.first() {
            Some(e) => Redirect::to(&format!("/queue/{}", e.id)).into_response(),
            None => back_with(
                "/queue",
                Ok(v.t("没有可领取的条目", "Nothing left to claim").to_owned()),
            ),
        },
        Err(r) => r,
    }
}

fn outcome_message(
    l: Lang,
    outcomes: &[qinglang_governance::casework::ItemOutcome],
) -> Result<String, Error> {
    let decided = outcomes.iter().filter(|o| o.ok).count();
    let skipped: Vec<String> = outcomes.iter().filter_map(|o| o.error.clone()).collect();
    let sanctions: Vec<String> = outcomes
        .iter()
        .flat_map(|o| {
            o.sanctions
                .iter()
                .map(|s| sanction_name(l, s.kind.as_str()))
        })
        .collect();
    let mut msg = format!("{} {decided}", l.t("已处理", "Decided"));
    if !sanctions.is_empty() {
        let _ = write!(
            msg,
            "; {}: {}",
            l.t("处罚", "sanctions"),
            sanctions.join(", ")
        );
    }
    if !skipped.is_empty() {
        let _ = write!(
            msg,
            "; {} {}: {}",
            l.t("跳过", "skipped"),
            skipped.len(),
            skipped.join("; ")
        );
    }
    if decided == 0 && !skipped.is_empty() {
        return Err(Error::Conflict {
            code: "skipped",
            message: msg,
        });
    }
    Ok(msg)
}

pub(crate) async fn queue_bulk(
    State(s): State<AppState>,
    Console(v): Console,
    body: Bytes,
) -> Response {
    let form = match Form::parse(&v, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some(decision) = form.get("decision").and_then(QueueDecision::parse) else {
        return back_with(
            "/queue",
            Err(Error::Invalid {
                code: "invalid_decision",
                message: "choose a decision".into(),
            }),
        );
    };
    let items: Vec<Id> = form.all("items").filter_map(|i| i.parse().ok()).collect();
    let note = form
        .get("note")
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let l = v.lang;
    act(&s, &v, "/queue", move |g, p, now| {
        let outcomes = g.decide(p, &items, decision, note.as_deref(), None, now)?;
        outcome_message(l, &outcomes)
    })
    .await
}

pub(crate) async fn queue_item(
    State(s): State<AppState>,
    Console(v): Console,
    Path(id): Path<Id>,
    Query(m): Query<Msg>,
) -> Response {
    // Opening an open item nobody holds is starting work on it: the moderator claims it, so
    // that two people never work one item (someone else's claim is shown, not taken).
    let moderator = v.can_moderate();
    let e = match run(&s, &v, move |g, p, now| {
        let e = g.queue_item(p, id, now)?;
        if moderator && e.decision.is_none() && e.claimed_by.is_none() {
            return g.claim(p, id, now);
        }
        Ok(e)
    })
    .await
    {
        Ok(e) => e,
        Err(r) => return r,
    };
    let l = v.lang;
    let mut body = flash(m.ok.as_deref(), m.err.as_deref(), m.fs.as_deref());
    let _ = write!(
        body,
        r#"<p class="meta">{} · {} {:.0} · {} {} · {} {}{}</p>"#,
        target_link(l, e.target),
        l.t("优先级", "priority"),
        e.priority,
        l.t("时限", "deadline"),
        short_time(&e.deadline_at),
        l.t("领取人", "claimed by"),
        esc(e.claimed_by.as_deref().unwrap_or("—")),
        if e.overdue {
            format!(r#" <b class="overdue">{}</b>"#, l.t("已超时", "overdue"))
        } else {
            String::new()
        }
    );
    if let Some(c) = &e.content {
        let _ = write!(
            body,
            r#"<p class="meta">{} <a href="/users/{}">#{}</a>{}{} · {} · {}{}</p><div class="text" id="item-text">{}</div>{}"#,
            l.t("作者", "author"),
            c.author,
            c.author,
            c.group.map_or_else(String::new, |g| format!(
                r#" · <a href="/groups/{g}">{} #{g}</a>"#,
                l.t("群", "group")
            )),
            c.account.map_or_else(String::new, |a| format!(
                r#" · <a href="/accounts/{a}">{} #{a}</a>"#,
                l.t("公众号", "account")
            )),
            esc(&c.kind),
            decision_name(l, &c.decision),
            c.campaign.map_or_else(String::new, |k| format!(
                " · {} {k}",
                l.t("刷屏活动", "campaign")
            )) + &scene_meta(l, &c.verdict),
            highlighted(&c.text, &c.verdict),
            hit_table(l, &c.verdict)
        );
    }
    if !e.reports.is_empty() {
        let _ = write!(
            body,
            "<h2>{}</h2>{}",
            l.t("举报", "Reports"),
            reports_table(l, &e.reports)
        );
        for n in &e.notes {
            let _ = write!(body, r#"<blockquote>{}</blockquote>"#, esc(n));
        }
    }
    match (&e.decision, v.can_moderate()) {
        (Some(d), _) => {
            let _ = write!(
                body,
                r#"<p class="flash ok">{} {} · {}</p>"#,
                l.t("已处理：", "Decided:"),
                decision_name(l, d.as_str()),
                esc(e.decided_by.as_deref().unwrap_or(""))
            );
        }
        (None, true) => {
            let held_by_other = e
                .claimed_by
                .as_deref()
                .is_some_and(|w| w != v.principal.name);
            let disabled = if held_by_other { " disabled" } else { "" };
            if held_by_other {
                let _ = write!(
                    body,
                    r#"<p class="flash err">{}</p>"#,
                    l.t(
                        "该条目已被他人领取。",
                        "Someone else has claimed this item."
                    )
                );
            }
            let _ = write!(
                body,
                r#"<form method="post" action="/queue/{id}/decide" class="decide">{csrf}
<label>{note} <input name="note" maxlength="2000"></label>
<button type="submit" disabled hidden></button>
<button name="decision" value="approve" data-key="a" id="approve"{disabled}>{approve} <kbd>a</kbd></button>
<button name="decision" value="remove" data-key="r" id="remove"{disabled}>{remove} <kbd>r</kbd></button>
<button name="decision" value="remove_and_sanction" data-key="s" id="sanction" class="danger"{disabled}>{sanction} <kbd>s</kbd></button>
</form><p class="muted">{help}</p>"#,
                id = e.id,
                csrf = v.csrf_field(),
                note = l.t("备注", "Note"),
                approve = l.t("通过", "Approve"),
                remove = l.t("删除", "Remove"),
                sanction = l.t("删除并处罚", "Remove and sanction"),
                help = l.t("快捷键：a 通过 · r 删除 · s 删除并处罚；处理后自动领取下一条。", "Keys: a approve · r remove · s remove and sanction; the next item opens after a decision."),
            );
        }
        (None, false) => {}
    }
    html(
        &v,
        &format!("{} #{}", v.t("审核条目", "Review item"), e.id),
        "queue",
        &body,
    )
}

pub(crate) async fn queue_decide(
    State(s): State<AppState>,
    Console(v): Console,
    Path(id): Path<Id>,
    body: Bytes,
) -> Response {
    let form = match Form::parse(&v, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some(decision) = form.get("decision").and_then(QueueDecision::parse) else {
        return back_with(
            &format!("/queue/{id}"),
            Err(Error::Invalid {
                code: "invalid_decision",
                message: "choose a decision".into(),
            }),
        );
    };
    let note = form
        .get("note")
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let l = v.lang;
    let result = run(&s, &v, move |g, p, now| {
        let outcomes = g.decide(p, &[id], decision, note.as_deref(), None, now)?;
        let msg = outcome_message(l, &outcomes);
        // The next item opens at once: working the queue is one key per item.
        let next = if msg.is_ok() {
            g.claim_next(p, 1, None, now)?
        } else {
            Vec::new()
        };
        Ok((msg, next.first().map(|e| e.id)))
    })
    .await;
    match result {
        Ok((Ok(msg), Some(next))) => back_with(&format!("/queue/{next}"), Ok(msg)),
        Ok((Ok(msg), None)) => back_with("/queue", Ok(msg)),
        Ok((Err(e), _)) => back_with(&format!("/queue/{id}"), Err(e)),
        Err(r) => r,
    }
}

pub(crate) async fn content(
    State(s): State<AppState>,
    Console(v): Console,
    Path(id): Path<Id>,
) -> Response {
    let (c, item) = match run(&s, &v, move |g, p, _| g.content(p, id)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = v.lang;
    let body = format!(
        r#"<p class="meta">{} <a href="/users/{}">#{}</a> · {} · {} · {}{}</p><div class="text">{}</div>{}"#,
        l.t("作者", "author"),
        c.author,
        c.author,
        esc(&c.kind),
        short_time(&c.at),
        decision_name(l, &c.decision),
        item.map_or_else(String::new, |i| format!(
            r#" · <a href="/queue/{i}">{}</a>"#,
            l.t("审核条目", "review item")
        )),
        highlighted(&c.text, &c.verdict),
        hit_table(l, &c.verdict)
    );
    html(
        &v,
        &format!("{} #{id}", v.t("内容", "Content")),
        "queue",
        &body,
    )
}

// ----- users, accounts, groups -----

pub(crate) async fn user(
    State(s): State<AppState>,
    Console(v): Console,
    Path(id): Path<Id>,
    Query(m): Query<Msg>,
) -> Response {
    user_page(s, v, id, m, None).await
}

async fn user_page(
    s: AppState,
    v: Viewer,
    id: Id,
    m: Msg,
    revealed: Option<qinglang_governance::RevealedIdentity>,
) -> Response {
    let (u, h) = match run(&s, &v, move |g, p, now| {
        Ok((g.get_user(p, id, now)?, g.user_history(p, id, now)?))
    })
    .await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = v.lang;
    let max = s.gov.policy().policy.credit.max.into();
    let mut body = flash(m.ok.as_deref(), m.err.as_deref(), m.fs.as_deref());
    let identity = match (&u.identity, &revealed) {
        (_, Some(r)) => format!(
            r#"<b id="revealed">{} {}</b> <span class="muted">({})</span>"#,
            esc(&r.value),
            esc(&r.name),
            l.t("已记录查看", "this view is audited")
        ),
        (Some(i), None) => format!("{} {}", esc(&i.masked), esc(&i.name)),
        (None, None) => l.t("未实名", "not verified").to_owned(),
    };
    let _ = write!(
        body,
        r#"<dl class="facts"><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd id="credit">{} ({})</dd><dt>{}</dt><dd id="strikes">{}</dd><dt>{}</dt><dd>{}</dd></dl>"#,
        l.t("昵称", "Nickname"),
        esc(&u.nickname),
        l.t("实名信息", "Identity"),
        identity,
        l.t("信用分", "Credit"),
        u.credit.score,
        esc(&u.credit.level),
        l.t("窗口期内违规", "Strikes in window"),
        u.strikes_in_window,
        l.t("状态", "Status"),
        esc(&status_name(l, u.status.as_str())),
    );
    if v.is_lead() && u.identity.is_some() && revealed.is_none() {
        let _ = write!(
            body,
            r#"<form method="post" action="/users/{id}/reveal" class="inline">{}<label>{} <input name="reason" required maxlength="500"></label><button type="submit">{}</button></form>"#,
            v.csrf_field(),
            l.t(
                "查看实名（须填写事由，将被审计）",
                "Reveal the identity (reason required; audited)"
            ),
            l.t("查看", "Reveal")
        );
    }
    let points: Vec<(i64, i64, String)> = h
        .credit
        .iter()
        .map(|p| (p.at_ms, p.score, p.reason.clone()))
        .collect();
    let _ = write!(
        body,
        "<h2>{}</h2>{}<h2>{}</h2>{}<h2>{}</h2><div id=\"sanctions\">{}</div><h2>{}</h2>{}<h2>{}</h2>{}",
        l.t("信用分变化", "Credit history"),
        svg::step_line(l.t("信用分", "Credit"), &points, max, Timestamp::now().0),
        l.t("违规记录", "Strikes"),
        strikes_table(l, &h.strikes),
        l.t("处罚", "Sanctions"),
        sanctions_table(l, &h.sanctions),
        l.t("被举报", "Reports against them"),
        reports_table(l, &h.reports_against),
        l.t("其发起的举报", "Reports they filed"),
        reports_table(l, &h.reports_by),
    );
    let rows: Vec<Vec<String>> = h
        .records
        .iter()
        .map(|e| {
            vec![
                short_time(&e.at.to_rfc3339()),
                esc(&e.actor),
                format!(
                    r#"<span title="{}">{}</span>"#,
                    esc(&e.action),
                    esc(&action_name(l, &e.action))
                ),
                esc(&e.reason),
            ]
        })
        .collect();
    let _ = write!(
        body,
        "<h2>{}</h2>{}",
        l.t("记录", "Records"),
        table(
            &[
                l.t("时间", "Time"),
                l.t("操作人", "Actor"),
                l.t("操作", "Action"),
                l.t("原因", "Reason")
            ],
            &rows,
            "—"
        )
    );
    html(&v, &format!("{} #{id}", v.t("用户", "User")), "", &body)
}

pub(crate) async fn reveal(
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
    match run(&s, &v, move |g, p, now| {
        g.reveal_identity(p, id, &reason, now)
    })
    .await
    {
        Ok(r) => user_page(s, v, id, Msg::default(), Some(r)).await,
        Err(r) => r,
    }
}

pub(crate) async fn account(
    State(s): State<AppState>,
    Console(v): Console,
    Path(id): Path<Id>,
) -> Response {
    let a = match run(&s, &v, move |g, p, _| g.get_account(p, id)).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let l = v.lang;
    let reports = run(&s, &v, move |g, p, now| {
        g.list_reports(
            p,
            &ReportFilter {
                target: Some(CaseTarget::Account(id)),
                limit: 100,
                ..ReportFilter::default()
            },
            now,
        )
    })
    .await
    .unwrap_or_default();
    // Sanctions for what an account publishes fall on its owner (PA Art. 16).
    let owner = a.owner;
    let owner_sanctions = run(&s, &v, move |g, p, now| {
        g.user_history(p, owner, now).map(|h| h.sanctions)
    })
    .await
    .unwrap_or_default();
    let body = format!(
        r#"<dl class="facts"><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd><a href="/users/{}">#{}</a></dd><dt>{}</dt><dd>{} · {}</dd><dt>{}</dt><dd>{} / {}</dd><dt>{}</dt><dd>{}</dd></dl><h2>{}</h2>{}<h2>{}</h2>{}"#,
        l.t("名称", "Name"),
        esc(&a.name),
        l.t("主体", "Owner"),
        a.owner,
        a.owner,
        l.t("类别", "Category"),
        esc(&a.category),
        esc(&a.tier.name),
        l.t("粉丝 / 月阅读", "Followers / monthly reads"),
        a.followers,
        a.monthly_reads,
        l.t("状态", "Status"),
        if a.closed {
            l.t("已关闭", "closed")
        } else {
            l.t("正常", "open")
        },
        l.t("主体的处罚", "The owner's sanctions"),
        sanctions_table(l, &owner_sanctions),
        l.t("被举报", "Reports"),
        reports_table(l, &reports)
    );
    html(
        &v,
        &format!("{} #{id}", v.t("公众号", "Account")),
        "",
        &body,
    )
}

pub(crate) async fn group(
    State(s): State<AppState>,
    Console(v): Console,
    Path(id): Path<Id>,
) -> Response {
    let grp = match run(&s, &v, move |g, p, now| g.get_group(p, id, now)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = v.lang;
    let reports = run(&s, &v, move |g, p, now| {
        g.list_reports(
            p,
            &ReportFilter {
                target: Some(CaseTarget::Group(id)),
                limit: 100,
                ..ReportFilter::default()
            },
            now,
        )
    })
    .await
    .unwrap_or_default();
    let strikes = run(&s, &v, move |g, p, _| {
        g.strikes(p, qinglang_governance::model::Target::Group(id))
    })
    .await
    .unwrap_or_default();
    let body = format!(
        r#"<dl class="facts"><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd><a href="/users/{}">#{}</a></dd><dt>{}</dt><dd>{} / {}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl><h2>{}</h2>{}<h2>{}</h2>{}<h2>{}</h2>{}"#,
        l.t("群名", "Name"),
        esc(&grp.name),
        l.t("群主", "Creator"),
        grp.owner,
        grp.owner,
        l.t("成员 / 上限", "Members / cap"),
        grp.members,
        grp.max_members,
        l.t("群公告", "Notice"),
        esc(&grp.notice),
        l.t("状态", "Status"),
        esc(&status_name(l, grp.status.as_str())),
        l.t("违规记录", "Strikes"),
        strikes_table(l, &strikes),
        l.t("处罚", "Sanctions"),
        sanctions_table(l, &grp.sanctions),
        l.t("被举报", "Reports"),
        reports_table(l, &reports)
    );
    html(&v, &format!("{} #{id}", v.t("群组", "Group")), "", &body)
}

// ----- reports and appeals -----

#[derive(Deserialize)]
pub(crate) struct ReportQuery {
    status: Option<String>,
    lane: Option<String>,
    target_kind: Option<String>,
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
    let sel = |cur: &Option<String>, val: &str| {
        if cur.as_deref() == Some(val) {
            " selected"
        } else {
            ""
        }
    };
    let mut body = format!(
        r#"<form method="get" action="/reports" class="filters"><label>{} <select name="status"><option value="">—</option><option value="open"{}>{}</option><option value="upheld"{}>{}</option><option value="rejected"{}>{}</option></select></label>
<label>{} <select name="lane"><option value="">—</option><option value="normal"{}>{}</option><option value="low"{}>{}</option></select></label>
<label>{} <select name="target_kind"><option value="">—</option><option value="content"{}>content</option><option value="user"{}>user</option><option value="account"{}>account</option><option value="group"{}>group</option></select></label>
<button type="submit">{}</button></form>"#,
        l.t("状态", "Status"),
        sel(&q.status, "open"),
        l.t("待处理", "open"),
        sel(&q.status, "upheld"),
        l.t("成立", "upheld"),
        sel(&q.status, "rejected"),
        l.t("不成立", "rejected"),
        l.t("通道", "Lane"),
        sel(&q.lane, "normal"),
        l.t("普通", "normal"),
        sel(&q.lane, "low"),
        l.t("低优先", "low"),
        l.t("对象", "Target"),
        sel(&q.target_kind, "content"),
        sel(&q.target_kind, "user"),
        sel(&q.target_kind, "account"),
        sel(&q.target_kind, "group"),
        l.t("筛选", "Filter"),
    );
    body.push_str(&reports_table(l, &list));
    html(&v, v.t("举报", "Reports"), "reports", &body)
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
    let mut body = flash(m.ok.as_deref(), m.err.as_deref(), m.fs.as_deref());
    body.push_str(&reports_table(l, std::slice::from_ref(&d.report)));
    if let Some(f) = &d.report.feedback {
        let _ = write!(
            body,
            r#"<p><b>{}</b> {}</p>"#,
            l.t("给举报人的反馈：", "Feedback to the reporters:"),
            esc(f)
        );
    }
    let rows: Vec<Vec<String>> = d
        .filings
        .iter()
        .map(|f| {
            vec![
                f.reporter.map_or_else(
                    || l.t("匿名", "anonymous").to_owned(),
                    |r| format!(r#"<a href="/users/{r}">#{r}</a>"#),
                ),
                esc(&f.category),
                esc(&f.note),
                short_time(&f.at),
            ]
        })
        .collect();
    let _ = write!(
        body,
        "<h2>{}</h2>{}",
        l.t("举报记录", "Filings"),
        table(
            &[
                l.t("举报人", "Reporter"),
                l.t("类别", "Category"),
                l.t("说明", "Note"),
                l.t("时间", "Time")
            ],
            &rows,
            "—"
        )
    );
    if v.is_lead() && d.report.status != ReportStatus::Open {
        let _ = write!(
            body,
            r#"<form method="post" action="/reports/{id}/reopen">{}<label>{} <input name="reason" required maxlength="2000"></label><button type="submit">{}</button></form>"#,
            v.csrf_field(),
            l.t("重新打开的理由", "Reason to reopen"),
            l.t("重新打开", "Reopen")
        );
    }
    html(
        &v,
        &format!("{} #{id}", v.t("举报", "Report")),
        "reports",
        &body,
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

#[derive(Deserialize)]
pub(crate) struct AppealQuery {
    status: Option<String>,
    ok: Option<String>,
    err: Option<String>,
    /// The flash's signature (see `html::flash`).
    fs: Option<String>,
}

pub(crate) async fn appeals(
    State(s): State<AppState>,
    Console(v): Console,
    Query(q): Query<AppealQuery>,
) -> Response {
    let status = q.status.as_deref().and_then(AppealStatus::parse);
    let list = match run(&s, &v, move |g, p, _| g.list_appeals(p, status, 500)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = v.lang;
    let mut body = flash(q.ok.as_deref(), q.err.as_deref(), q.fs.as_deref());
    let _ = write!(
        body,
        r#"<p><a href="/appeals">{}</a> · <a href="/appeals?status=pending">{}</a> · <a href="/appeals?status=upheld">{}</a> · <a href="/appeals?status=rejected">{}</a></p>"#,
        l.t("全部", "all"),
        l.t("待复核", "pending"),
        l.t("成立", "upheld"),
        l.t("驳回", "rejected")
    );
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|a| {
            let decide = if a.status == AppealStatus::Pending && v.can_moderate() {
                let own = a.sanction.imposed_by == v.principal.name;
                if own {
                    format!(r#"<span class="muted">{}</span>"#, l.t("由他人复核", "another moderator decides"))
                } else {
                    format!(
                        r#"<form method="post" action="/appeals/{}/decide" class="inline">{}<button type="submit" disabled hidden></button><input name="note" placeholder="{}" maxlength="2000"><button name="outcome" value="upheld">{}</button><button name="outcome" value="rejected">{}</button></form>"#,
                        a.id,
                        v.csrf_field(),
                        l.t("复核意见", "note"),
                        l.t("申诉成立", "Uphold"),
                        l.t("驳回", "Reject")
                    )
                }
            } else {
                esc(a.note.as_deref().unwrap_or(""))
            };
            vec![
                format!("#{}", a.id),
                format!(r#"<a href="/users/{0}">#{0}</a>"#, a.appellant),
                format!("#{} {}", a.sanction.id, esc(&sanction_name(l, a.sanction.kind.as_str()))),
                esc(&a.sanction.imposed_by),
                esc(&a.reason),
                short_time(&a.filed_at),
                outcome_name(l, a.status.as_str()),
                decide,
            ]
        })
        .collect();
    body.push_str(&table(
        &[
            "#",
            l.t("申诉人", "Appellant"),
            l.t("处罚", "Sanction"),
            l.t("决定人", "Imposed by"),
            l.t("理由", "Reason"),
            l.t("提交", "Filed"),
            l.t("状态", "Status"),
            "",
        ],
        &rows,
        l.t("没有申诉", "No appeals"),
    ));
    html(&v, v.t("申诉", "Appeals"), "appeals", &body)
}

pub(crate) async fn decide_appeal(
    State(s): State<AppState>,
    Console(v): Console,
    Path(id): Path<Id>,
    body: Bytes,
) -> Response {
    let form = match Form::parse(&v, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let upheld = form.get("outcome") == Some("upheld");
    let note = form.get("note").unwrap_or("").to_owned();
    let l = v.lang;
    act(&s, &v, "/appeals", move |g, p, now| {
        g.decide_appeal(p, id, upheld, &note, now).map(|a| {
            format!(
                "{} #{}: {}",
                l.t("申诉", "Appeal"),
                a.id,
                outcome_name(l, a.status.as_str())
            )
        })
    })
    .await
}

// ----- lexicons and emergencies -----

#[derive(Deserialize)]
pub(crate) struct LexQuery {
    q: Option<String>,
    ok: Option<String>,
    err: Option<String>,
    /// The flash's signature (see `html::flash`).
    fs: Option<String>,
    /// A scene of the policy (issue #25); the main engine when absent.
    scene: Option<String>,
}

pub(crate) async fn lexicons(
    State(s): State<AppState>,
    Console(v): Console,
    Query(q): Query<LexQuery>,
) -> Response {
    let query = q.q.clone().unwrap_or_default();
    let scene = q.scene.clone().filter(|x| !x.is_empty());
    let asked = scene.clone();
    let (terms, edits, scenes) = match run(&s, &v, move |g, p, _| {
        let scenes: Vec<String> = g.policy().policy.scenes.keys().cloned().collect();
        Ok((
            g.scene_lexicon_terms(p, asked.as_deref(), &query, 200)?,
            g.lexicon_edits(p)?,
            scenes,
        ))
    })
    .await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = v.lang;
    let mut body = flash(q.ok.as_deref(), q.err.as_deref(), q.fs.as_deref());
    // The policy's scenes: each has the main terms, its own and its edits (issue #25).
    if !scenes.is_empty() {
        let mut links = format!(
            r#"<a href="/lexicons"{}>{}</a>"#,
            if scene.is_none() {
                r#" class="current""#
            } else {
                ""
            },
            l.t("主策略", "main policy")
        );
        for name in &scenes {
            let _ = write!(
                links,
                r#" · <a href="/lexicons?scene={}"{}>{}</a>"#,
                urlencode(name),
                if scene.as_deref() == Some(name) {
                    r#" class="current""#
                } else {
                    ""
                },
                esc(name)
            );
        }
        let _ = write!(
            body,
            r#"<p class="scenes" id="scenes">{}: {links}</p>"#,
            l.t("场景", "Scene")
        );
    }
    let scene_field = scene.as_deref().map_or_else(String::new, |x| {
        format!(r#"<input type="hidden" name="scene" value="{}">"#, esc(x))
    });
    if v.can_change_policy() {
        let _ = write!(
            body,
            r#"<form method="post" action="/lexicons" class="card" id="lexicon-form">{}{scene_field}
<label>{} <input name="term" id="term" required maxlength="64"></label>
<label>{} <select name="op" id="op"><option value="add">{}</option><option value="demote">{}</option><option value="remove">{}</option></select></label>
<label>{} <input name="category" id="category" value="custom" pattern="[a-z][a-z0-9_]*"></label>
<label>{} <select name="action" id="action"><option value="block">block</option><option value="review">review</option><option value="allow">allow</option></select></label>
<label>{} <input name="reason" maxlength="2000"></label>
<button type="submit" id="lexicon-submit">{}</button><p class="muted">{}</p></form>"#,
            v.csrf_field(),
            l.t("词条", "Term"),
            l.t("操作", "Change"),
            l.t("新增 / 修改", "add / set"),
            l.t("降级为人审", "demote to review"),
            l.t("删除", "remove"),
            l.t("类别", "Category"),
            l.t("处置", "Action"),
            l.t("理由", "Reason"),
            l.t("立即生效", "Apply now"),
            l.t("修改即时生效：引擎重建后原子切换，进行中的请求不受影响；每次修改都写入审计。", "Takes effect at once: the engine is rebuilt and swapped atomically, requests in flight are unaffected; every change is audited."),
        );
    }
    let _ = write!(
        body,
        r#"<form method="get" action="/lexicons" class="filters"><label>{} <input name="q" value="{}"></label><button type="submit">{}</button></form>"#,
        l.t("查找词条", "Find terms"),
        esc(q.q.as_deref().unwrap_or("")),
        l.t("查找", "Find")
    );
    let rows: Vec<Vec<String>> = terms
        .iter()
        .map(|t| {
            vec![
                esc(&t.term),
                esc(&t.category),
                esc(t.action),
                format!("<code>{}</code>", esc(&t.source)),
            ]
        })
        .collect();
    body.push_str(&table(
        &[
            l.t("词条", "Term"),
            l.t("类别", "Category"),
            l.t("处置", "Action"),
            l.t("来源", "Source"),
        ],
        &rows,
        "—",
    ));
    // The edits in force here: the main ones, and in a scene its own.
    let rows: Vec<Vec<String>> = edits
        .iter()
        .filter(|e| e.scene.is_none() || e.scene == scene)
        .take(100)
        .map(|e| {
            vec![
                short_time(&e.at.to_rfc3339()),
                esc(&e.term),
                esc(e.action.as_deref().unwrap_or(l.t("删除", "removed"))),
                esc(e.category.as_deref().unwrap_or("")),
                esc(e.scene.as_deref().unwrap_or(l.t("全部", "all"))),
                esc(&e.actor),
                esc(&e.reason),
            ]
        })
        .collect();
    let _ = write!(
        body,
        "<h2>{}</h2>{}",
        l.t("修改记录", "Changes"),
        table(
            &[
                l.t("时间", "Time"),
                l.t("词条", "Term"),
                l.t("处置", "Action"),
                l.t("类别", "Category"),
                l.t("场景", "Scene"),
                l.t("操作人", "Actor"),
                l.t("理由", "Reason")
            ],
            &rows,
            "—"
        )
    );
    html(&v, v.t("词库", "Lexicons"), "lexicons", &body)
}

pub(crate) async fn edit_lexicon(
    State(s): State<AppState>,
    Console(v): Console,
    body: Bytes,
) -> Response {
    let form = match Form::parse(&v, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let term = form.get("term").unwrap_or("").to_owned();
    let change = match form.get("op") {
        Some("demote") => TermChange::Demote,
        Some("remove") => TermChange::Remove,
        _ => TermChange::Add {
            category: form.get("category").unwrap_or("custom").trim().to_owned(),
            action: form.get("action").unwrap_or("block").to_owned(),
        },
    };
    let reason = form.get("reason").unwrap_or("").to_owned();
    let scene = form
        .get("scene")
        .filter(|x| !x.is_empty())
        .map(str::to_owned);
    let l = v.lang;
    let back = match &scene {
        Some(x) => format!("/lexicons?scene={}&q={}", urlencode(x), urlencode(&term)),
        None => format!("/lexicons?q={}", urlencode(&term)),
    };
    act(&s, &v, &back, move |g, p, now| {
        g.edit_scene_lexicon(p, scene.as_deref(), &term, change, &reason, now)
            .map(|e| {
                format!(
                    "{} {}: {}",
                    l.t("已生效", "In force"),
                    e.edit.term,
                    e.edit.action.as_deref().unwrap_or(l.t("已删除", "removed"))
                )
            })
    })
    .await
}

// ----- model learning (REV-9) -----

/// The examples the learning page lists (newest first).
const LEARNED_SHOWN: usize = 200;

#[derive(Deserialize)]
pub(crate) struct LearningQuery {
    ok: Option<String>,
    err: Option<String>,
    /// The flash's signature (see `html::flash`).
    fs: Option<String>,
    /// Older examples: those with an id below this one.
    before: Option<Id>,
}

pub(crate) async fn learning(
    State(s): State<AppState>,
    Console(v): Console,
    Query(m): Query<LearningQuery>,
) -> Response {
    let before = m.before;
    let (status, examples, max_chars) = match run(&s, &v, move |g, p, _| {
        Ok((
            g.learning_status(p)?,
            // One more than shown: whether there are older ones to link to. A service
            // token's session sees the counts only.
            if qinglang_governance::authz::allows(
                p.role,
                qinglang_governance::authz::Permission::ReadLearned,
            ) {
                g.recent_learned(p, LEARNED_SHOWN + 1, before)?
            } else {
                Vec::new()
            },
            g.engine().policy().model_max_chars,
        ))
    })
    .await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = v.lang;
    let mut body = flash(m.ok.as_deref(), m.err.as_deref(), m.fs.as_deref());
    let _ = write!(
        body,
        r#"<section class="card" id="learning-status"><p>{} <code>model:{}</code> ({}) · {} <strong id="learned-spam">{}</strong> · {} <strong id="learned-ham">{}</strong></p><p class="muted">{}</p></section>"#,
        l.t("模型", "Model"),
        esc(&status.model),
        esc(&status.category),
        l.t("已学违规", "learned violations"),
        status.spam,
        l.t("已学误判", "learned false positives"),
        status.ham,
        l.t(
            "审核队列中对模型标记的内容（以及辱骂、歧视类举报）作出的确认与驳回会自动教给模型；也可在此直接教。每条示例把该文本推到判定边界另一侧一个校准对数几率（违规约 73%，误判约 27%），相近的文本随之移动；训练数据中常见的字词几乎不动。重置后回到随产品发布的模型。",
            "Confirmations and dismissals in the queue of what the model flagged (and of abuse or discrimination reports) teach the model automatically; you can also teach it here. Each example moves its text one calibrated logit past the boundary (about 73% for a violation, 27% for a false positive), and near copies move with it; n-grams common in the training data barely move. Resetting returns to the shipped model.",
        ),
    );
    if v.can_learn() {
        let _ = write!(
            body,
            r#"<form method="post" action="/learning" class="card" id="teach-form">{}
<label>{}{max_chars}{} <textarea name="text" id="teach-text" required rows="3" maxlength="{max_chars}"></textarea></label>
<label>{} <select name="label" id="teach-label"><option value="spam">{}</option><option value="ham">{}</option></select></label>
<button type="submit" id="teach-submit">{}</button></form>"#,
            v.csrf_field(),
            l.t(
                "文本（模型只判断不超过 ",
                "Text (the model judges texts of up to "
            ),
            l.t(" 个字的文本）", " characters)"),
            l.t("结论", "Decision"),
            l.t("确认违规（spam）", "confirmed violation (spam)"),
            l.t("确认误判（ham）", "confirmed false positive (ham)"),
            l.t("教给模型", "Teach the model"),
        );
    }
    if v.can_change_policy() {
        let _ = write!(
            body,
            r#"<form method="post" action="/learning/reset" class="card" id="reset-form">{}
<label><input type="checkbox" name="confirm" value="yes" required> {}</label>
<button type="submit" id="reset-submit" class="danger">{}</button></form>"#,
            v.csrf_field(),
            l.t(
                "我明白：将删除全部已学示例，模型回到发布时的状态（写入审计）",
                "I understand: every learned example is deleted and the model returns to the shipped one (audited)",
            ),
            l.t("重置学习", "Reset learning"),
        );
    }
    let more = examples.len() > LEARNED_SHOWN;
    let examples = &examples[..examples.len().min(LEARNED_SHOWN)];
    let rows: Vec<Vec<String>> = examples
        .iter()
        .map(|e| {
            let mut row = vec![
                short_time(&e.at.to_rfc3339()),
                esc(match e.label {
                    Label::Spam => l.t("违规", "violation"),
                    Label::Ham => l.t("误判", "false positive"),
                }),
                esc(&e.actor),
                // `excerpt` escapes.
                excerpt(&e.text, 120),
            ];
            if v.can_change_policy() {
                row.push(format!(
                    r#"<form method="post" action="/learning/{id}/forget" class="inline">{}<button type="submit" class="link" id="forget-{id}">{}</button></form>"#,
                    v.csrf_field(),
                    esc(l.t("忘记", "Forget")),
                    id = e.id,
                ));
            }
            row
        })
        .collect();
    let _ = write!(
        body,
        "<h2>{}</h2>",
        esc(match before {
            None => l.t("最近学习的示例", "Recently learned examples"),
            Some(_) => l.t("更早学习的示例", "Earlier learned examples"),
        })
    );
    if before.is_some() {
        let _ = write!(
            body,
            r#"<p><a href="/learning" id="newest">{}</a></p>"#,
            esc(l.t("回到最新", "Back to the newest"))
        );
    }
    let mut headers = vec![
        l.t("时间", "Time"),
        l.t("结论", "Decision"),
        l.t("确认人", "Confirmed by"),
        l.t("文本", "Text"),
    ];
    if v.can_change_policy() {
        headers.push("");
    }
    body.push_str(&table(
        &headers,
        &rows,
        l.t("尚未学习任何示例。", "Nothing learned yet."),
    ));
    if let (true, Some(last)) = (more, examples.last()) {
        let _ = write!(
            body,
            r#"<p><a href="/learning?before={}" id="older">{}</a></p>"#,
            last.id,
            esc(l.t("更早的示例", "Older examples"))
        );
    }
    html(&v, v.t("模型学习", "Model learning"), "learning", &body)
}

pub(crate) async fn teach(State(s): State<AppState>, Console(v): Console, body: Bytes) -> Response {
    let form = match Form::parse(&v, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    // Browsers send a textarea's line breaks as CRLF; the text as written has LF.
    let text = form.get("text").unwrap_or("").replace("\r\n", "\n");
    let label = match form.get("label") {
        Some("spam") => Label::Spam,
        Some("ham") => Label::Ham,
        _ => {
            return back_with(
                "/learning",
                Err(Error::Invalid {
                    code: "invalid_label",
                    message: v
                        .t("结论须为违规或误判", "the decision must be spam or ham")
                        .into(),
                }),
            )
        }
    };
    let l = v.lang;
    act(&s, &v, "/learning", move |g, p, now| {
        g.learn(p, &text, label, now).map(|r| {
            format!(
                "{} {:.2} → {:.2}",
                l.t("已学习；该文本的概率", "Learned; the text's probability"),
                r.probability_before,
                r.probability_after
            )
        })
    })
    .await
}

pub(crate) async fn forget_learned(
    State(s): State<AppState>,
    Console(v): Console,
    Path(id): Path<Id>,
    body: Bytes,
) -> Response {
    if let Err(r) = Form::parse(&v, &body) {
        return r;
    }
    let l = v.lang;
    act(&s, &v, "/learning", move |g, p, now| {
        g.forget_learned(p, id, now).map(|()| {
            format!(
                "{} #{id}{}",
                l.t("已忘记示例", "Forgot example"),
                l.t("；其余示例已重新应用", "; the others were applied again")
            )
        })
    })
    .await
}

pub(crate) async fn reset_learning(
    State(s): State<AppState>,
    Console(v): Console,
    body: Bytes,
) -> Response {
    let form = match Form::parse(&v, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let l = v.lang;
    if form.get("confirm") != Some("yes") {
        return back_with(
            "/learning",
            Err(Error::Invalid {
                code: "not_confirmed",
                message: l
                    .t("未确认，未重置", "not confirmed; nothing was reset")
                    .into(),
            }),
        );
    }
    act(&s, &v, "/learning", move |g, p, now| {
        g.reset_learning(p, now).map(|n| {
            format!(
                "{} {n}",
                l.t(
                    "已回到发布的模型；删除示例",
                    "Back to the shipped model; examples removed:"
                )
            )
        })
    })
    .await
}

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
    let body = format!(
        r#"{}<form method="post" action="/emergency" class="card" id="emergency-form">{}
<label>{} <input name="name" required pattern="[a-z0-9_-]{{1,64}}" placeholder="incident-2026-11"></label>
<label>{} <textarea name="terms" rows="6" placeholder="{}"></textarea></label>
<label>{} <input name="review_threshold" type="number" min="0" max="100"></label>
<label>{} <input name="block_threshold" type="number" min="0" max="100"></label>
<button type="submit" class="danger">{}</button><p class="muted">{}</p></form>
<form method="post" action="/emergency/sweep" class="card" id="sweep-form">{}
<label>{} <input name="hours" type="number" min="1" max="720" value="24"></label>
<label><input type="checkbox" name="act" value="1"> {}</label>
<button type="submit">{}</button></form>"#,
        flash(m.ok.as_deref(), m.err.as_deref(), m.fs.as_deref()),
        v.csrf_field(),
        l.t("名称（小写字母、数字、-、_）", "Name (a-z, 0-9, - and _)"),
        l.t(
            "新增词条（每行：词条 ⇥ 类别 ⇥ 处置，以制表符分隔）",
            "Terms to add (one per line: term ⇥ category ⇥ action, tab-separated)"
        ),
        l.t(
            "例如：蓝莓冰沙\tdrugs\tblock",
            "e.g. 蓝莓冰沙\tdrugs\tblock"
        ),
        l.t(
            "人审阈值（只能收紧）",
            "Review threshold (may only tighten)"
        ),
        l.t("拦截阈值（只能收紧）", "Block threshold (may only tighten)"),
        l.t("一键进入应急状态", "Switch to the emergency posture"),
        l.t(
            "词条与阈值作为一次变更同时生效，并写入审计。",
            "Terms and thresholds take effect together as one audited change."
        ),
        v.csrf_field(),
        l.t("回扫最近小时数", "Re-scan the last hours"),
        l.t("同时处置（待审或拦截）", "and act on them (hold or reject)"),
        l.t("回扫", "Sweep"),
    );
    html(&v, v.t("应急处置", "Emergency"), "emergency", &body)
}

fn parse_threshold(raw: Option<&str>) -> Result<Option<u8>, Error> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<u8>()
            .ok()
            .filter(|t| *t <= 100)
            .map(Some)
            .ok_or_else(|| Error::Invalid {
                code: "invalid_threshold",
                message: format!("threshold {s:?} must be a whole number 0-100"),
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
    let name = form.get("name").unwrap_or("").trim().to_owned();
    let terms = form.get("terms").unwrap_or("").replace("\r\n", "\n");
    let review = parse_threshold(form.get("review_threshold"));
    let block = parse_threshold(form.get("block_threshold"));
    let l = v.lang;
    act(&s, &v, "/emergency", move |g, p, now| {
        let a = g.emergency_change(p, &name, &terms, review?, block?, now)?;
        Ok(format!(
            "{} {}: {} {}, review {}, block {}",
            l.t("应急变更已生效", "Emergency change in force"),
            a.source,
            a.terms,
            l.t("个词条", "terms"),
            a.review_threshold,
            a.block_threshold
        ))
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
    let rows: Vec<Vec<String>> = report
        .caught
        .iter()
        .map(|c| {
            vec![
                format!(r#"<a href="/content/{0}">#{0}</a>"#, c.content),
                format!(r#"<a href="/users/{0}">#{0}</a>"#, c.author),
                short_time(&c.at),
                decision_name(l, &c.was),
                esc(c.now),
                c.verdict["hits"].as_array().map_or_else(String::new, |h| {
                    h.iter()
                        .filter_map(|h| h["term"].as_str())
                        .map(esc)
                        .collect::<Vec<_>>()
                        .join(", ")
                }),
            ]
        })
        .collect();
    let body = format!(
        r#"<p id="sweep-summary">{} {} · {} {} · {} {} · {} {}</p>{}"#,
        l.t("自", "since"),
        short_time(&report.since),
        l.t("回扫", "scanned"),
        report.scanned,
        l.t("命中", "caught"),
        report.caught.len(),
        l.t("已处置", "acted on"),
        report.acted,
        table(
            &[
                l.t("内容", "Content"),
                l.t("作者", "Author"),
                l.t("时间", "Time"),
                l.t("原结果", "Was"),
                l.t("现结果", "Now"),
                l.t("命中", "Hits")
            ],
            &rows,
            l.t("没有新命中", "Nothing new caught")
        ),
    );
    html(&v, v.t("回扫结果", "Sweep result"), "emergency", &body)
}

// ----- audit and the annual report -----

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
    let val = |s: &Option<String>| esc(s.as_deref().unwrap_or(""));
    let mut body = format!(
        r#"<form method="get" action="/audit" class="filters"><label>{} <input name="actor" value="{}"></label><label>{} <input name="action" value="{}" placeholder="queue.decide"></label><label>{} <input name="target" value="{}" placeholder="user:12"></label><label>{} <input name="from" value="{}" placeholder="2026-01-01"></label><label>{} <input name="to" value="{}" placeholder="2027-01-01"></label><button type="submit">{}</button> <button type="submit" name="verify" value="1" id="verify">{}</button></form>"#,
        l.t("操作人", "Actor"),
        val(&q.actor),
        l.t("操作", "Action"),
        val(&q.action),
        l.t("对象", "Target"),
        val(&q.target),
        l.t("自", "From"),
        val(&q.from),
        l.t("至", "To"),
        val(&q.to),
        l.t("筛选", "Filter"),
        l.t("校验哈希链", "Verify the chain"),
    );
    if let Some(r) = report {
        let (cls, text) = if r.ok {
            (
                "ok",
                format!(
                    "{} ({} {})",
                    l.t("哈希链完整", "The chain is intact"),
                    r.entries,
                    l.t("条", "entries")
                ),
            )
        } else {
            (
                "err",
                format!(
                    "{}: {}",
                    l.t("哈希链已损坏", "The chain is BROKEN"),
                    r.problem.unwrap_or_default()
                ),
            )
        };
        let _ = write!(
            body,
            r#"<p class="flash {cls}" id="chain-status">{}</p>"#,
            esc(&text)
        );
    }
    let export = format!(
        "/audit/export?from={}&to={}&actor={}&action={}&target={}",
        urlencode(q.from.as_deref().unwrap_or("2000-01-01")),
        urlencode(q.to.as_deref().unwrap_or("2100-01-01")),
        urlencode(q.actor.as_deref().unwrap_or("")),
        urlencode(q.action.as_deref().unwrap_or("")),
        urlencode(q.target.as_deref().unwrap_or(""))
    );
    let _ = write!(
        body,
        r#"<p><a href="{}" download>{}</a></p>"#,
        esc(&export),
        l.t(
            "导出 JSON Lines（供监管检查）",
            "Export as JSON Lines (for an inspection)"
        )
    );
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.seq.to_string(),
                short_time(&e.at.to_rfc3339()),
                esc(&e.actor),
                format!(
                    r#"<span title="{}">{}</span>"#,
                    esc(&e.action),
                    esc(&action_name(l, &e.action))
                ),
                esc(&e.target),
                esc(&e.reason),
                format!(
                    r#"<code title="{}">{}</code>"#,
                    esc(&e.hash),
                    esc(e.hash.get(..10).unwrap_or(&e.hash))
                ),
            ]
        })
        .collect();
    body.push_str(&table(
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
    ));
    html(&v, v.t("审计记录", "Audit trail"), "audit", &body)
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

/// A rules version for people: the file hash cut to 12 hex digits, with the `+N` of the
/// emergency changes and lexicon edits in force kept (OPS-2).
fn short_version(version: &str) -> String {
    let (file, changes) = version.split_once('+').unwrap_or((version, ""));
    let file = file.get(..19).unwrap_or(file);
    if changes.is_empty() {
        file.to_owned()
    } else {
        format!("{file}+{changes}")
    }
}

/// The annual report's body (AUD-3): shared by the console page and `qinglang report`.
pub fn annual_body(l: Lang, r: &AnnualReport) -> String {
    let mut s = format!(
        r#"<p class="meta">{} {} — {} · {} {} · {} <code>{}</code> · {}</p>"#,
        l.t("统计期间", "Period"),
        short_time(&r.from),
        short_time(&r.to),
        l.t("生成于", "generated"),
        short_time(&r.generated_at),
        l.t("策略版本", "policy"),
        esc(&short_version(&r.policy_version)),
        if r.audit_chain_ok {
            l.t("审计哈希链完整", "audit chain intact")
        } else {
            l.t("审计哈希链已损坏", "audit chain BROKEN")
        },
    );
    let _ = write!(
        s,
        r#"<section class="cards"><div class="card"><b id="annual-submissions">{}</b><span>{}</span></div><div class="card"><b>{}</b><span>{}</span></div><div class="card"><b>{}</b><span>{}</span></div><div class="card"><b>{}</b><span>{}</span></div></section>"#,
        r.submissions,
        l.t("送审内容", "submissions reviewed"),
        r.reports.filed,
        l.t("收到举报", "reports received"),
        r.reports
            .median_minutes
            .map_or_else(|| "—".to_owned(), |m| format!("{m} min")),
        l.t("举报处理用时中位数", "median report handling time"),
        r.appeals.values().sum::<u64>(),
        l.t("申诉", "appeals"),
    );
    let months: Vec<Volume> = r.months.clone();
    let _ = write!(
        s,
        "<h2>{}</h2>{}",
        l.t("各月送审量（按类别）", "Submissions per month, by category"),
        per_day_chart(
            l.t("各月送审量", "Submissions per month"),
            &months,
            |d| &d.by_category,
            |c| category_name(l, c)
        )
    );
    let cats: Vec<(String, u64)> = r
        .by_category
        .iter()
        .map(|(k, v)| (category_name(l, k), *v))
        .collect();
    let _ = write!(
        s,
        "<h2>{}</h2>{}",
        l.t("违规类别", "Violations by category"),
        svg::hbars(l.t("违规类别", "Categories"), &cats)
    );
    let decisions: Vec<(String, u64)> = r
        .by_decision
        .iter()
        .map(|(k, v)| (decision_name(l, k), *v))
        .collect();
    let _ = write!(
        s,
        "<h2>{}</h2>{}",
        l.t("处置结果", "Decisions"),
        svg::hbars(l.t("处置结果", "Decisions"), &decisions)
    );
    let sanctions: Vec<(String, u64)> = r.sanctions.iter().map(|(k, v)| (k.clone(), *v)).collect();
    let _ = write!(
        s,
        "<h2>{}</h2>{}",
        l.t("处罚（按类型）", "Sanctions by type"),
        svg::hbars(l.t("处罚", "Sanctions"), &sanctions)
    );
    let actions: Vec<(String, u64)> = r
        .actions
        .iter()
        .filter(|(k, _)| !k.starts_with("session."))
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    let _ = write!(
        s,
        "<h2>{}</h2>{}",
        l.t("操作（按类型）", "Actions by type"),
        svg::hbars(l.t("操作", "Actions"), &actions)
    );
    let h = &r.reports;
    let _ = write!(
        s,
        "<h2>{}</h2>{}",
        l.t("举报处理", "Report handling"),
        table(
            &[
                l.t("收到", "Received"),
                l.t("办结", "Resolved"),
                l.t("成立", "Upheld"),
                l.t("不成立", "Rejected"),
                l.t("按时办结", "On time"),
                l.t("超时未办", "Open, overdue"),
                l.t("用时中位数 / p90", "Median / p90"),
                l.t("时限", "Deadline")
            ],
            &[vec![
                h.filed.to_string(),
                h.resolved.to_string(),
                h.upheld.to_string(),
                h.rejected.to_string(),
                h.on_time.to_string(),
                h.overdue_open.to_string(),
                format!(
                    "{} / {}",
                    h.median_minutes
                        .map_or_else(|| "—".into(), |m| format!("{m} min")),
                    h.p90_minutes
                        .map_or_else(|| "—".into(), |m| format!("{m} min"))
                ),
                format!("{} min", h.deadline_minutes),
            ]],
            "—",
        )
    );
    let appeals: Vec<(String, u64)> = r
        .appeals
        .iter()
        .map(|(k, v)| (outcome_name(l, k), *v))
        .collect();
    let _ = write!(
        s,
        "<h2>{}</h2>{}",
        l.t("申诉结果", "Appeal outcomes"),
        svg::hbars(l.t("申诉", "Appeals"), &appeals)
    );
    s
}

/// A standalone HTML document of the annual report (styles inline: it is sent on its own).
pub fn annual_document(l: Lang, r: &AnnualReport) -> String {
    format!(
        r#"<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>{} {}</title><style>{}</style></head><body><main><h1>{} {}</h1>{}</main></body></html>"#,
        l.code(),
        r.year,
        l.t("年度内容治理报告", "governance report"),
        super::CSS,
        r.year,
        l.t("年度内容治理报告", "governance report"),
        annual_body(l, r)
    )
}

#[derive(Deserialize)]
pub(crate) struct YearQuery {
    year: Option<i32>,
}

pub(crate) async fn annual(
    State(s): State<AppState>,
    Console(v): Console,
    Query(q): Query<YearQuery>,
) -> Response {
    let now = Timestamp::now();
    // The local year: the report counts by the deployment's zone.
    let this_year: i32 = short_time(&now.to_rfc3339())[..4].parse().unwrap_or(2026);
    let year = q.year.unwrap_or(this_year);
    let r = match run(&s, &v, move |g, p, now| g.annual_report(p, year, now)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = v.lang;
    let mut body = format!(
        r#"<form method="get" action="/annual" class="filters"><label>{} <input name="year" type="number" value="{year}" min="2000" max="2100"></label><button type="submit">{}</button></form>"#,
        l.t("年份", "Year"),
        l.t("生成", "Show")
    );
    body.push_str(&annual_body(l, &r));
    html(
        &v,
        &format!("{year} {}", v.t("年度内容治理报告", "governance report")),
        "annual",
        &body,
    )
}

/// The scene a verdict was given in (issue #25), for the item's meta line; nothing for the
/// main policy.
fn scene_meta(l: Lang, verdict: &serde_json::Value) -> String {
    verdict["scene"].as_str().map_or_else(String::new, |scene| {
        format!(
            r#" · {} <code class="scene">{}</code>"#,
            l.t("场景", "scene"),
            esc(scene)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::short_version;

    /// The report names tightened rules as such: the `+N` survives the shortening.
    #[test]
    fn a_short_rules_version_keeps_the_changes_in_force() {
        let file = format!("sha256:{}", "ab".repeat(32));
        assert_eq!(short_version(&file), "sha256:abababababab");
        assert_eq!(short_version(&format!("{file}+3")), "sha256:abababababab+3");
        assert_eq!(short_version("v1"), "v1");
    }
}
