//! The lexicons: finding terms, a lead's edits that take effect at once, and the record of
//! edits, for the main policy or one of its scenes (issue #25).

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::Response;
use maud::{html, Markup};
use qinglang_governance::TermChange;
use serde::Deserialize;

use super::{act, html_page, run, Msg};
use crate::console::html::{action_label, table, urlencode, when, Lang};
use crate::console::labels::category_name;
use crate::console::messages::{actor_text, reason_text};
use crate::console::{Console, Form};
use crate::AppState;

#[derive(Deserialize)]
pub(crate) struct LexQuery {
    q: Option<String>,
    /// A scene of the policy (issue #25); the main engine when absent.
    scene: Option<String>,
}

pub(crate) async fn lexicons(
    State(s): State<AppState>,
    Console(v): Console,
    Query(q): Query<LexQuery>,
    Query(m): Query<Msg>,
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
    let term_rows: Vec<Vec<Markup>> = terms
        .iter()
        .map(|t| {
            vec![
                html! { (t.term) },
                html! { (category_name(l, &t.category)) },
                html! { (action_label(l, t.action)) },
                html! { code { (t.source) } },
            ]
        })
        .collect();
    // The edits in force here: the main ones, and in a scene its own.
    let edit_rows: Vec<Vec<Markup>> = edits
        .iter()
        .filter(|e| e.scene.is_none() || e.scene == scene)
        .take(100)
        .map(|e| {
            vec![
                html! { (when(&e.at.to_rfc3339())) },
                html! { (e.term) },
                html! {
                    @match &e.action {
                        Some(a) => (action_label(l, a)),
                        None => (l.t("删除", "removed")),
                    }
                },
                html! { (e.category.as_deref().map(|c| category_name(l, c)).unwrap_or_default()) },
                html! { (e.scene.as_deref().unwrap_or(l.t("全部", "all"))) },
                html! { (actor_text(l, &e.actor)) },
                html! { (reason_text(l, &e.reason)) },
            ]
        })
        .collect();
    let body = html! {
        (m.flash())
        // The policy's scenes: each has the main terms, its own and its edits (issue #25).
        @if !scenes.is_empty() {
            p.scenes #scenes {
                (l.t("场景", "Scene")) ": "
                a href="/lexicons" class=[scene.is_none().then_some("current")] { (l.t("主策略", "main policy")) }
                @for name in &scenes {
                    " · "
                    a href={ "/lexicons?scene=" (urlencode(name)) } class=[(scene.as_deref() == Some(name.as_str())).then_some("current")] { (name) }
                }
            }
        }
        @if v.can_change_policy() {
            form.card #lexicon-form method="post" action="/lexicons" {
                (v.csrf_field())
                @if let Some(x) = &scene { input type="hidden" name="scene" value=(x); }
                label { (l.t("词条", "Term")) " " input #term name="term" required maxlength="64"; }
                label {
                    (l.t("操作", "Change")) " "
                    select #op name="op" {
                        option value="add" { (l.t("新增 / 修改", "add / set")) }
                        option value="demote" { (l.t("降级为人审", "demote to review")) }
                        option value="remove" { (l.t("删除", "remove")) }
                    }
                }
                label { (l.t("类别", "Category")) " " input #category name="category" value="custom" pattern="[a-z][a-z0-9_]*"; }
                label {
                    (l.t("处置", "Action")) " "
                    select #action name="action" {
                        @for a in ["block", "review", "allow"] {
                            option value=(a) { (action_label(l, a)) }
                        }
                    }
                }
                label { (l.t("理由", "Reason")) " " input name="reason" maxlength="2000"; }
                button #lexicon-submit type="submit" { (l.t("立即生效", "Apply now")) }
                p.muted {
                    (l.t("修改即时生效：引擎重建后原子切换，进行中的请求不受影响；每次修改都写入审计。", "Takes effect at once: the engine is rebuilt and swapped atomically, requests in flight are unaffected; every change is audited."))
                }
            }
        }
        form.filters method="get" action="/lexicons" {
            label { (l.t("查找词条", "Find terms")) " " input name="q" value=(q.q.as_deref().unwrap_or("")); }
            button type="submit" { (l.t("查找", "Find")) }
        }
        (table(
            &[l.t("词条", "Term"), l.t("类别", "Category"), l.t("处置", "Action"), l.t("来源", "Source")],
            &term_rows,
            "—",
        ))
        h2 { (l.t("修改记录", "Changes")) }
        (table(
            &[
                l.t("时间", "Time"),
                l.t("词条", "Term"),
                l.t("处置", "Action"),
                l.t("类别", "Category"),
                l.t("场景", "Scene"),
                l.t("操作人", "Actor"),
                l.t("理由", "Reason"),
            ],
            &edit_rows,
            "—",
        ))
    };
    html_page(&v, v.t("词库", "Lexicons"), "lexicons", body)
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
                let what = match e.edit.action.as_deref() {
                    Some(a) => action_label(l, a),
                    None => l.t("已删除", "removed").to_owned(),
                };
                match l {
                    Lang::Zh => format!("已生效：{}（{what}）", e.edit.term),
                    Lang::En => format!("In force: {} ({what})", e.edit.term),
                }
            })
    })
    .await
}
