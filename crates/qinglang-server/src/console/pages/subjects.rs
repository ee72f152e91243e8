//! The pages of the subjects governance acts on: a user (identity, credit over time, strikes,
//! sanctions, reports, records), a public account and a group.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::html;
use qinglang_governance::casework::{CaseTarget, ReportFilter};
use qinglang_governance::model::{Id, Target, Timestamp};
use qinglang_governance::RevealedIdentity;

use super::{html_page, reports_table, run, sanctions_table, strikes_table, Msg};
use crate::console::html::{local_time, table, when, Viewer};
use crate::console::labels::{action_name, status_name};
use crate::console::messages::{actor_text, reason_text};
use crate::console::{svg, Console, Form};
use crate::AppState;

pub(crate) async fn user(
    State(s): State<AppState>,
    Console(v): Console,
    Path(id): Path<Id>,
    Query(m): Query<Msg>,
) -> Response {
    user_page(s, v, id, m, None).await
}

/// A time on the credit chart's axis: the local date, or the local time when the whole
/// history fits in two days (a new user's first violations).
fn credit_tick(ms: i64, span_ms: i64) -> String {
    if span_ms == 0 {
        local_time(ms, "%Y-%m-%d %H:%M")
    } else if span_ms < 2 * 86_400_000 {
        local_time(ms, "%m-%d %H:%M")
    } else if span_ms < 300 * 86_400_000 {
        local_time(ms, "%m-%d")
    } else {
        local_time(ms, "%Y-%m-%d")
    }
}

async fn user_page(
    s: AppState,
    v: Viewer,
    id: Id,
    m: Msg,
    revealed: Option<RevealedIdentity>,
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
    let points: Vec<(i64, i64, String)> = h
        .credit
        .iter()
        .map(|p| (p.at_ms, p.score, reason_text(l, &p.reason)))
        .collect();
    let records: Vec<Vec<maud::Markup>> = h
        .records
        .iter()
        .map(|e| {
            vec![
                html! { (when(&e.at.to_rfc3339())) },
                html! { span title=(e.actor) { (actor_text(l, &e.actor)) } },
                html! { span title=(e.action) { (action_name(l, &e.action)) } },
                html! { (reason_text(l, &e.reason)) },
            ]
        })
        .collect();
    let body = html! {
        (m.flash())
        dl.facts {
            dt { (l.t("昵称", "Nickname")) } dd { (u.nickname) }
            dt { (l.t("实名信息", "Identity")) }
            dd {
                @match (&u.identity, &revealed) {
                    (_, Some(r)) => {
                        b #revealed { (r.value) " " (r.name) } " "
                        span.muted { "(" (l.t("已记录查看", "this view is audited")) ")" }
                    }
                    (Some(i), None) => { (i.masked) " " (i.name) }
                    (None, None) => { (l.t("未实名", "not verified")) }
                }
            }
            dt { (l.t("信用分", "Credit")) } dd #credit { (u.credit.score) " (" (u.credit.level) ")" }
            dt { (l.t("窗口期内违规", "Strikes in window")) } dd #strikes { (u.strikes_in_window) }
            dt { (l.t("状态", "Status")) } dd { (status_name(l, u.status.as_str())) }
        }
        @if v.is_lead() && u.identity.is_some() && revealed.is_none() {
            form.inline method="post" action={ "/users/" (id) "/reveal" } {
                (v.csrf_field())
                label {
                    (l.t("查看实名（须填写事由，将被审计）", "Reveal the identity (reason required; audited)"))
                    " " input name="reason" required maxlength="500";
                }
                button type="submit" { (l.t("查看", "Reveal")) }
            }
        }
        h2 { (l.t("信用分变化", "Credit history")) }
        (svg::step_line(l.t("信用分", "Credit"), &points, max, Timestamp::now().0, credit_tick))
        h2 { (l.t("违规记录", "Strikes")) }
        (strikes_table(l, &h.strikes))
        h2 { (l.t("处罚", "Sanctions")) }
        div #sanctions { (sanctions_table(l, &h.sanctions)) }
        h2 { (l.t("被举报", "Reports against them")) }
        (reports_table(l, &h.reports_against))
        h2 { (l.t("其发起的举报", "Reports they filed")) }
        (reports_table(l, &h.reports_by))
        h2 { (l.t("记录", "Records")) }
        (table(
            &[l.t("时间", "Time"), l.t("操作人", "Actor"), l.t("操作", "Action"), l.t("原因", "Reason")],
            &records,
            "—",
        ))
    };
    html_page(&v, &format!("{} #{id}", v.t("用户", "User")), "", body)
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

/// Open reports and past ones about one target.
fn target_reports(target: CaseTarget) -> ReportFilter {
    ReportFilter {
        target: Some(target),
        limit: 100,
        ..ReportFilter::default()
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
        g.list_reports(p, &target_reports(CaseTarget::Account(id)), now)
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
    let body = html! {
        dl.facts {
            dt { (l.t("名称", "Name")) } dd { (a.name) }
            dt { (l.t("主体", "Owner")) } dd { a href={ "/users/" (a.owner) } { "#" (a.owner) } }
            dt { (l.t("类别", "Category")) } dd { (a.category) " · " (a.tier.name) }
            dt { (l.t("粉丝 / 月阅读", "Followers / monthly reads")) } dd { (a.followers) " / " (a.monthly_reads) }
            dt { (l.t("状态", "Status")) }
            dd { @if a.closed { (l.t("已关闭", "closed")) } @else { (l.t("正常", "open")) } }
        }
        h2 { (l.t("主体的处罚", "The owner's sanctions")) }
        (sanctions_table(l, &owner_sanctions))
        h2 { (l.t("被举报", "Reports")) }
        (reports_table(l, &reports))
    };
    html_page(&v, &format!("{} #{id}", v.t("公众号", "Account")), "", body)
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
        g.list_reports(p, &target_reports(CaseTarget::Group(id)), now)
    })
    .await
    .unwrap_or_default();
    let strikes = run(&s, &v, move |g, p, _| g.strikes(p, Target::Group(id)))
        .await
        .unwrap_or_default();
    let body = html! {
        dl.facts {
            dt { (l.t("群名", "Name")) } dd { (grp.name) }
            dt { (l.t("群主", "Creator")) } dd { a href={ "/users/" (grp.owner) } { "#" (grp.owner) } }
            dt { (l.t("成员 / 上限", "Members / cap")) } dd { (grp.members) " / " (grp.max_members) }
            dt { (l.t("群公告", "Notice")) } dd { (grp.notice) }
            dt { (l.t("状态", "Status")) } dd { (status_name(l, grp.status.as_str())) }
        }
        h2 { (l.t("违规记录", "Strikes")) }
        (strikes_table(l, &strikes))
        h2 { (l.t("处罚", "Sanctions")) }
        (sanctions_table(l, &grp.sanctions))
        h2 { (l.t("被举报", "Reports")) }
        (reports_table(l, &reports))
    };
    html_page(&v, &format!("{} #{id}", v.t("群组", "Group")), "", body)
}
