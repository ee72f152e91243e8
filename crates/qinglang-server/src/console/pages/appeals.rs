//! Appeals against sanctions: the list, and the decision by a moderator other than the one
//! who imposed the sanction (CMP-2).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{html, Markup};
use qinglang_governance::casework::AppealStatus;
use qinglang_governance::model::Id;
use serde::Deserialize;

use super::{act, html_page, run, Msg};
use crate::console::html::{table, when, Lang};
use crate::console::labels::{outcome_name, sanction_name};
use crate::console::messages::actor_text;
use crate::console::{Console, Form};
use crate::AppState;

#[derive(Deserialize)]
pub(crate) struct AppealQuery {
    status: Option<String>,
}

pub(crate) async fn appeals(
    State(s): State<AppState>,
    Console(v): Console,
    Query(q): Query<AppealQuery>,
    Query(m): Query<Msg>,
) -> Response {
    let status = q.status.as_deref().and_then(AppealStatus::parse);
    let list = match run(&s, &v, move |g, p, _| g.list_appeals(p, status, 500)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = v.lang;
    let rows: Vec<Vec<Markup>> = list
        .iter()
        .map(|a| {
            let pending = a.status == AppealStatus::Pending && v.can_moderate();
            let own = a.sanction.imposed_by == v.principal.name;
            vec![
                html! { "#" (a.id) },
                html! { a href={ "/users/" (a.appellant) } { "#" (a.appellant) } },
                html! { "#" (a.sanction.id) " " (sanction_name(l, a.sanction.kind.as_str())) },
                html! { (actor_text(l, &a.sanction.imposed_by)) },
                html! { (a.reason) },
                html! { (when(&a.filed_at)) },
                html! { (outcome_name(l, a.status.as_str())) },
                html! {
                    @if pending && own {
                        span.muted { (l.t("由他人复核", "another moderator decides")) }
                    } @else if pending {
                        form.inline method="post" action={ "/appeals/" (a.id) "/decide" } {
                            (v.csrf_field())
                            // Enter in the note field submits nothing: an outcome is a button's.
                            button type="submit" disabled hidden {}
                            input name="note" placeholder=(l.t("复核意见", "note")) maxlength="2000";
                            button name="outcome" value="upheld" { (l.t("申诉成立", "Uphold")) }
                            button name="outcome" value="rejected" { (l.t("驳回", "Reject")) }
                        }
                    } @else {
                        (a.note.as_deref().unwrap_or(""))
                    }
                },
            ]
        })
        .collect();
    let body = html! {
        (m.flash())
        p {
            a href="/appeals" { (l.t("全部", "all")) } " · "
            a href="/appeals?status=pending" { (l.t("待复核", "pending")) } " · "
            a href="/appeals?status=upheld" { (l.t("成立", "upheld")) } " · "
            a href="/appeals?status=rejected" { (l.t("驳回", "rejected")) }
        }
        (table(
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
        ))
    };
    html_page(&v, v.t("申诉", "Appeals"), "appeals", body)
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
        g.decide_appeal(p, id, upheld, &note, now).map(|a| match l {
            Lang::Zh => format!("申诉 #{}：{}", a.id, outcome_name(l, a.status.as_str())),
            Lang::En => format!("Appeal #{}: {}", a.id, outcome_name(l, a.status.as_str())),
        })
    })
    .await
}
