//! The review queue: the list, working an item with the keyboard, bulk decisions, and a piece
//! of content on its own page. An article is shown as the text a reader sees, with its hits
//! marked (#22), its HTML source folded away beneath; a picture as itself with its hits'
//! boxes over it, and "remove and block similar" beside the other decisions (REV-10).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use qinglang_governance::casework::{ItemOutcome, Lane, QueueDecision, QueueEntry};
use qinglang_governance::images::ImageListView;
use qinglang_governance::model::Id;
use qinglang_governance::Error;
use serde::Deserialize;

use super::{act, excerpt, html_page, overdue_mark, reports_table, run, scene_meta, Msg};
use crate::console::article::article_view;
use crate::console::html::{
    action_label, highlighted, hit_table, table, target_label, target_link, when, Lang,
};
use crate::console::labels::{category_name, decision_name, kind_name, sanction_name};
use crate::console::messages::{actor_text, error_text};
use crate::console::picture::picture_view;
use crate::console::{back_with, Console, Form};
use crate::AppState;

#[derive(Deserialize)]
pub(crate) struct QueueQuery {
    lane: Option<String>,
}

fn entry_summary(l: Lang, e: &QueueEntry) -> Markup {
    html! {
        a href={ "/queue/" (e.id) } {
            @match &e.content {
                // A picture says so, then what was read from it (often nothing).
                Some(c) if c.kind == "image" => {
                    "[" (l.t("图片", "picture")) "] " (excerpt(&c.text.replace('\n', " "), 50))
                }
                Some(c) => (excerpt(&readable(&c.kind, &c.text), 60)),
                None => (target_label(l, e.target)),
            }
        }
    }
}

/// The text a reader sees: an article's words without its tags, other content as written.
fn readable(kind: &str, text: &str) -> String {
    if kind == "article" {
        qinglang_article::Article::parse(text)
            .text
            .split('\n')
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        text.to_owned()
    }
}

/// A content's text with its hits marked: an article as its readable parts, a picture as
/// itself with its hits' boxes and the texts read from it.
fn content_text(l: Lang, id: Id, kind: &str, text: &str, verdict: &serde_json::Value) -> Markup {
    match kind {
        "article" => article_view(l, text, verdict),
        "image" => picture_view(l, id, verdict),
        _ => html! { div.text #item-text { (highlighted(l, text, verdict)) } },
    }
}

pub(crate) async fn queue(
    State(s): State<AppState>,
    Console(v): Console,
    Query(q): Query<QueueQuery>,
    Query(m): Query<Msg>,
) -> Response {
    let lane = q.lane.as_deref().and_then(Lane::parse);
    let items = match run(&s, &v, move |g, p, now| g.queue(p, lane, false, 200, now)).await {
        Ok(i) => i,
        Err(r) => return r,
    };
    let l = v.lang;
    let rows: Vec<Vec<Markup>> = items
        .iter()
        .map(|e| {
            let labels = e
                .content
                .as_ref()
                .and_then(|c| c.verdict["labels"].as_array())
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str().map(|c| category_name(l, c)))
                .collect::<Vec<_>>()
                .join(l.t("、", ", "));
            let cats = e
                .reports
                .iter()
                .map(|r| category_name(l, &r.category))
                .collect::<Vec<_>>()
                .join(l.t("、", ", "));
            vec![
                html! {
                    input type="checkbox" name="items" value=(e.id) form="bulk" aria-label={ (l.t("选择", "select")) " " (e.id) };
                },
                html! { (format!("{:.0}", e.priority)) },
                entry_summary(l, e),
                html! { @if e.held { (l.t("待审", "held")) " " } (labels) },
                html! {
                    @if let Some(r) = e.reports.first() {
                        (l.t("举报", "reported")) " " (r.filings) " (" (cats) ")"
                    }
                },
                html! { (e.reach) },
                html! { (when(&e.deadline_at)) (overdue_mark(l, e.overdue)) },
                html! { (e.claimed_by.as_deref().unwrap_or("")) },
                html! { @if e.lane == Lane::Low { (l.t("低", "low")) } },
            ]
        })
        .collect();
    let body = html! {
        (m.flash())
        @if v.can_moderate() {
            form.inline method="post" action="/queue/next" {
                (v.csrf_field())
                button #work-next type="submit" data-key="n" { (l.t("领取下一条", "Work the next item")) " " kbd { "n" } }
            }
            " "
        }
        a href="/queue" { (l.t("全部", "all")) } " · "
        a href="/queue?lane=normal" { (l.t("普通通道", "normal lane")) } " · "
        a href="/queue?lane=low" { (l.t("低优先通道", "low lane")) }
        (table(
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
        ))
        @if v.can_moderate() && !items.is_empty() {
            form #bulk.bulk method="post" action="/queue/decide" {
                (v.csrf_field())
                // Enter in the note field submits nothing: a decision is a button's.
                button type="submit" disabled hidden {}
                label { (l.t("批量处理所选；备注", "Decide the selection; note")) " " input name="note" maxlength="2000"; }
                button name="decision" value="approve" { (l.t("通过", "Approve")) }
                button name="decision" value="remove" { (l.t("删除", "Remove")) }
                button.danger name="decision" value="remove_and_sanction" { (l.t("删除并处罚", "Remove and sanction")) }
            }
        }
    };
    html_page(&v, v.t("审核队列", "Review queue"), "queue", body)
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
                v.lang,
                "/queue",
                Ok(v.t("没有可领取的条目", "Nothing left to claim").to_owned()),
            ),
        },
        Err(r) => r,
    }
}

/// What a decision did, in the viewer's language: how many decided, which sanctions followed,
/// which items were skipped and why.
fn outcome_message(l: Lang, outcomes: &[ItemOutcome]) -> Result<String, Error> {
    let decided = outcomes.iter().filter(|o| o.ok).count();
    let skipped: Vec<String> = outcomes
        .iter()
        .filter_map(|o| {
            let message = o.error.clone()?;
            let why = error_text(
                l,
                &Error::Conflict {
                    code: o.code.unwrap_or("skipped"),
                    message,
                },
            );
            Some(format!("#{} {}", o.item, why.trim_end_matches('。')))
        })
        .collect();
    let sanctions: Vec<String> = outcomes
        .iter()
        .flat_map(|o| {
            o.sanctions
                .iter()
                .map(|s| sanction_name(l, s.kind.as_str()))
        })
        .collect();
    let mut msg = match l {
        Lang::Zh => format!("已处理 {decided} 条"),
        Lang::En => format!("Decided {decided}"),
    };
    if !sanctions.is_empty() {
        msg.push_str(&format!(
            "{}{}",
            l.t("；处罚：", "; sanctions: "),
            sanctions.join(l.t("、", ", "))
        ));
    }
    if !skipped.is_empty() {
        msg.push_str(&match l {
            Lang::Zh => format!("；跳过 {} 条：{}", skipped.len(), skipped.join("；")),
            Lang::En => format!("; skipped {}: {}", skipped.len(), skipped.join("; ")),
        });
    }
    if decided == 0 && !skipped.is_empty() {
        return Err(Error::Conflict {
            code: "skipped",
            message: msg,
        });
    }
    Ok(msg)
}

/// The refusal of a form that named no decision.
fn no_decision(l: Lang) -> Error {
    Error::Invalid {
        code: "invalid_decision",
        message: l.t("请选择处理结果", "choose a decision").into(),
    }
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
        return back_with(v.lang, "/queue", Err(no_decision(v.lang)));
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
    let (e, lists) = match run(&s, &v, move |g, p, now| {
        let mut e = g.queue_item(p, id, now)?;
        if moderator && e.decision.is_none() && e.claimed_by.is_none() {
            e = g.claim(p, id, now)?;
        }
        // The lists a picture can be blocked into, for the moderator who decides it.
        let picture = e.content.as_ref().is_some_and(|c| c.kind == "image");
        let lists = if moderator && picture && e.decision.is_none() {
            g.image_lists(p)?
        } else {
            Vec::new()
        };
        Ok((e, lists))
    })
    .await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = v.lang;
    let held_by_other = e
        .claimed_by
        .as_deref()
        .is_some_and(|w| w != v.principal.name);
    let body = html! {
        (m.flash())
        p.meta {
            (target_link(l, e.target)) " · "
            (l.t("优先级", "priority")) " " (format!("{:.0}", e.priority)) " · "
            (l.t("时限", "deadline")) " " (when(&e.deadline_at)) " · "
            (l.t("领取人", "claimed by")) " " (e.claimed_by.as_deref().unwrap_or("—"))
            (overdue_mark(l, e.overdue))
        }
        @if let Some(c) = &e.content {
            p.meta {
                (l.t("作者", "author")) " " a href={ "/users/" (c.author) } { "#" (c.author) }
                @if let Some(g) = c.group {
                    " · " a href={ "/groups/" (g) } { (l.t("群", "group")) " #" (g) }
                }
                @if let Some(a) = c.account {
                    " · " a href={ "/accounts/" (a) } { (l.t("公众号", "account")) " #" (a) }
                }
                " · " (kind_name(l, &c.kind)) " · " (decision_name(l, &c.decision))
                @if let Some(k) = c.campaign { " · " (l.t("刷屏活动", "campaign")) " " (k) }
                (scene_meta(l, &c.verdict))
            }
            (content_text(l, c.id, &c.kind, &c.text, &c.verdict))
            (hit_table(l, &c.verdict))
        }
        @if !e.reports.is_empty() {
            h2 { (l.t("举报", "Reports")) }
            (reports_table(l, &e.reports))
            @for n in &e.notes { blockquote { (n) } }
        }
        @match (&e.decision, v.can_moderate()) {
            (Some(d), _) => {
                p.flash.ok {
                    (l.t("已处理：", "Decided:")) " " (decision_name(l, d.as_str())) " · "
                    (actor_text(l, e.decided_by.as_deref().unwrap_or("")))
                }
            }
            (None, true) => {
                @if held_by_other {
                    p.flash.err { (l.t("该条目已被他人领取。", "Someone else has claimed this item.")) }
                }
                form.decide method="post" action={ "/queue/" (e.id) "/decide" } {
                    (v.csrf_field())
                    label { (l.t("备注", "Note")) " " input name="note" maxlength="2000"; }
                    // Enter in the note field submits nothing: a decision is a button's.
                    button type="submit" disabled hidden {}
                    button #approve name="decision" value="approve" data-key="a" disabled[held_by_other] {
                        (l.t("通过", "Approve")) " " kbd { "a" }
                    }
                    button #remove name="decision" value="remove" data-key="r" disabled[held_by_other] {
                        (l.t("删除", "Remove")) " " kbd { "r" }
                    }
                    button #sanction.danger name="decision" value="remove_and_sanction" data-key="s" disabled[held_by_other] {
                        (l.t("删除并处罚", "Remove and sanction")) " " kbd { "s" }
                    }
                }
                p.muted {
                    (l.t("快捷键：a 通过 · r 删除 · s 删除并处罚；处理后自动领取下一条。", "Keys: a approve · r remove · s remove and sanction; the next item opens after a decision."))
                }
                @if e.content.as_ref().is_some_and(|c| c.kind == "image") {
                    (block_similar_form(&v, e.id, &lists, held_by_other))
                }
            }
            (None, false) => {}
        }
    };
    html_page(
        &v,
        &format!("{} #{}", v.t("审核条目", "Review item"), e.id),
        "queue",
        body,
    )
}

/// "Remove and block similar": the picture is taken down and its hash put on the chosen
/// list, so that copies of it are blocked with the list's category from now on.
fn block_similar_form(
    v: &crate::console::html::Viewer,
    item: Id,
    lists: &[ImageListView],
    held_by_other: bool,
) -> Markup {
    let l = v.lang;
    html! {
        h2 { (l.t("删除并拦截相似图片", "Remove and block similar pictures")) }
        @if lists.is_empty() {
            p.muted {
                (l.t("还没有违规图片库；请内容安全负责人先在", "There is no image list yet; a content-security lead creates one on the"))
                " " a href="/image-lists" { (l.t("违规图片库", "image lists")) } " "
                (l.t("页面新建。", "page."))
            }
        } @else {
            form.decide #block-similar method="post" action={ "/queue/" (item) "/block-similar" } {
                (v.csrf_field())
                label {
                    (l.t("加入图片库", "Add to list")) " "
                    select name="list" required {
                        @for list in lists {
                            option value=(list.id) {
                                (list.name) " · " (category_name(l, &list.category)) " · " (action_label(l, list.action.as_str()))
                            }
                        }
                    }
                }
                label { input type="checkbox" name="sanction" value="1" checked; " " (l.t("计入违规（处罚）", "counts as a violation (sanction)")) }
                label { (l.t("备注", "Note")) " " input name="note" maxlength="2000"; }
                button #remove-block-similar.danger type="submit" disabled[held_by_other] {
                    (l.t("删除并拦截相似图片", "Remove and block similar"))
                }
            }
            p.muted {
                (l.t("图片的感知哈希加入所选图片库：此后缩放、重新压缩的副本将按该库的类别拦截。", "The picture's perceptual hash goes on the chosen list: resized or recompressed copies are then blocked with its category."))
            }
        }
    }
}

pub(crate) async fn queue_block_similar(
    State(s): State<AppState>,
    Console(v): Console,
    Path(id): Path<Id>,
    body: Bytes,
) -> Response {
    let form = match Form::parse(&v, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let back = format!("/queue/{id}");
    let Some(list) = form.get("list").and_then(|x| x.parse::<Id>().ok()) else {
        let e = Error::Invalid {
            code: "invalid_list",
            message: v.t("请选择图片库", "choose a list").into(),
        };
        return back_with(v.lang, &back, Err(e));
    };
    let sanction = form.get("sanction").is_some();
    let note = form
        .get("note")
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let l = v.lang;
    let result = run(&s, &v, move |g, p, now| {
        let done = g.remove_and_block_similar(p, id, list, sanction, note.as_deref(), None, now);
        let msg = done.map(|d| {
            let mut msg = outcome_message(l, std::slice::from_ref(&d.outcome)).unwrap_or_default();
            msg.push_str(&match l {
                Lang::Zh => format!("；图片已加入图片库（条目 #{}）", d.entry.id),
                Lang::En => format!("; the picture is on the list (entry #{})", d.entry.id),
            });
            msg
        });
        let next = if msg.is_ok() {
            g.claim_next(p, 1, None, now)?
        } else {
            Vec::new()
        };
        Ok((msg, next.first().map(|e| e.id)))
    })
    .await;
    match result {
        Ok((Ok(msg), Some(next))) => back_with(l, &format!("/queue/{next}"), Ok(msg)),
        Ok((Ok(msg), None)) => back_with(l, "/queue", Ok(msg)),
        Ok((Err(e), _)) => back_with(l, &back, Err(e)),
        Err(r) => r,
    }
}

/// The stored picture of a content item, for the console's `<image>`: the bytes as they
/// were submitted, with the type the decoder found (never the client's claim), never
/// sniffed, never run as a document.
pub(crate) async fn content_image(
    State(s): State<AppState>,
    Console(v): Console,
    Path(id): Path<Id>,
) -> Response {
    let picture = match run(&s, &v, move |g, p, _| g.content_image(p, id)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                crate::images::served_media_type(&picture.media_type),
            ),
            (axum::http::header::CACHE_CONTROL, "private, max-age=300"),
            (
                axum::http::header::CONTENT_SECURITY_POLICY,
                crate::images::PICTURE_CSP,
            ),
            (axum::http::header::CONTENT_DISPOSITION, "inline"),
        ],
        picture.bytes,
    )
        .into_response()
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
        return back_with(v.lang, &format!("/queue/{id}"), Err(no_decision(v.lang)));
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
        Ok((Ok(msg), Some(next))) => back_with(l, &format!("/queue/{next}"), Ok(msg)),
        Ok((Ok(msg), None)) => back_with(l, "/queue", Ok(msg)),
        Ok((Err(e), _)) => back_with(l, &format!("/queue/{id}"), Err(e)),
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
    let body = html! {
        p.meta {
            (l.t("作者", "author")) " " a href={ "/users/" (c.author) } { "#" (c.author) }
            " · " (kind_name(l, &c.kind)) " · " (when(&c.at)) " · " (decision_name(l, &c.decision))
            @if let Some(i) = item {
                " · " a href={ "/queue/" (i) } { (l.t("审核条目", "review item")) }
            }
        }
        (content_text(l, c.id, &c.kind, &c.text, &c.verdict))
        (hit_table(l, &c.verdict))
    };
    html_page(
        &v,
        &format!("{} #{id}", v.t("内容", "Content")),
        "queue",
        body,
    )
}
