//! The known-bad image lists (REV-10): every list with its category, action and number of
//! entries; a list's entries (who added each, when, from which content item); a lead's or
//! admin's forms to create a list and take an entry off one. Moderators add pictures from
//! the queue ("remove and block similar").

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use maud::{html, Markup};
use qinglang_governance::images::{ListAction, MAX_LIST_NAME_CHARS};
use qinglang_governance::model::Id;
use qinglang_governance::Error;

use super::{act, html_page, run, Msg};
use crate::console::html::{action_label, table, when};
use crate::console::labels::category_name;
use crate::console::messages::actor_text;
use crate::console::{Console, Form};
use crate::AppState;
use axum::extract::Query;

pub(crate) async fn image_lists(
    State(s): State<AppState>,
    Console(v): Console,
    Query(m): Query<Msg>,
) -> Response {
    let lists = match run(&s, &v, |g, p, _| g.image_lists(p)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = v.lang;
    let rows: Vec<Vec<Markup>> = lists
        .iter()
        .map(|list| {
            vec![
                html! { a href={ "/image-lists/" (list.id) } { (list.name) } },
                html! { (category_name(l, &list.category)) },
                html! { (action_label(l, list.action.as_str())) },
                html! { (list.entries) },
                html! { (actor_text(l, &list.created_by)) },
                html! { (when(&list.created_at)) },
            ]
        })
        .collect();
    let body = html! {
        (m.flash())
        p.muted {
            (l.t(
                "与库中图片感知哈希相差不超过 10 位的图片视为同一图片（缩放、重新压缩、加水印的副本），按库的类别与处置处理。",
                "A picture within 10 bits of a listed perceptual hash is the same picture (a resized, recompressed or watermarked copy) and is judged with the list's category and action.",
            ))
        }
        (table(
            &[
                l.t("名称", "Name"),
                l.t("类别", "Category"),
                l.t("处置", "Action"),
                l.t("图片数", "Pictures"),
                l.t("创建人", "Created by"),
                l.t("创建时间", "Created"),
            ],
            &rows,
            l.t("还没有违规图片库", "No image list yet"),
        ))
        @if v.can_manage_image_lists() {
            h2 { (l.t("新建图片库", "New list")) }
            form #new-image-list method="post" action="/image-lists" {
                (v.csrf_field())
                label { (l.t("名称", "Name")) " " input name="name" required maxlength=(MAX_LIST_NAME_CHARS); }
                " "
                label { (l.t("类别", "Category")) " " input name="category" required maxlength="32" placeholder="porn / gambling / fraud"; }
                " "
                label {
                    (l.t("处置", "Action")) " "
                    select name="action" {
                        option value="block" { (action_label(l, "block")) }
                        option value="review" { (action_label(l, "review")) }
                    }
                }
                " "
                button type="submit" { (l.t("新建", "Create")) }
            }
        }
    };
    html_page(&v, v.t("违规图片库", "Image lists"), "image-lists", body)
}

pub(crate) async fn create_image_list(
    State(s): State<AppState>,
    Console(v): Console,
    body: Bytes,
) -> Response {
    let form = match Form::parse(&v, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let name = form.get("name").unwrap_or("").to_owned();
    let category = form.get("category").unwrap_or("").trim().to_owned();
    let action = form.get("action").and_then(ListAction::parse);
    let l = v.lang;
    act(&s, &v, "/image-lists", move |g, p, now| {
        let action = action.ok_or_else(|| Error::Invalid {
            code: "invalid_action",
            message: "action: block or review".into(),
        })?;
        let list = g.create_image_list(p, &name, &category, action, now)?;
        Ok(match l {
            crate::console::html::Lang::Zh => format!("已新建图片库“{}”", list.name),
            crate::console::html::Lang::En => format!("List “{}” created", list.name),
        })
    })
    .await
}

pub(crate) async fn image_list(
    State(s): State<AppState>,
    Console(v): Console,
    Path(id): Path<Id>,
    Query(m): Query<Msg>,
) -> Response {
    let (list, entries) = match run(&s, &v, move |g, p, _| {
        g.image_list_entries(p, id, 500, None)
    })
    .await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = v.lang;
    let manage = v.can_manage_image_lists();
    let rows: Vec<Vec<Markup>> = entries
        .iter()
        .map(|e| {
            let mut row = vec![
                html! { code { (e.hash) } },
                html! {
                    @if let Some(c) = e.content { a href={ "/content/" (c) } { (l.t("内容", "content")) " #" (c) } }
                },
                html! { (e.note) },
                html! { (actor_text(l, &e.added_by)) },
                html! { (when(&e.added_at)) },
            ];
            if manage {
                row.push(html! {
                    form.inline method="post" action={ "/image-lists/" (id) "/entries/" (e.id) "/remove" } {
                        (v.csrf_field())
                        input name="reason" maxlength="500" placeholder=(l.t("移出理由", "reason")) aria-label=(l.t("移出理由", "reason"));
                        " "
                        button type="submit" { (l.t("移出", "Remove")) }
                    }
                });
            }
            row
        })
        .collect();
    let mut headers = vec![
        l.t("感知哈希", "Perceptual hash"),
        l.t("来源内容", "From content"),
        l.t("备注", "Note"),
        l.t("加入人", "Added by"),
        l.t("加入时间", "Added"),
    ];
    if manage {
        headers.push("");
    }
    let body = html! {
        (m.flash())
        p.meta {
            (category_name(l, &list.category)) " · " (action_label(l, list.action.as_str())) " · "
            (list.entries) " " (l.t("张图片", "pictures")) " · "
            a href="/image-lists" { (l.t("全部图片库", "all lists")) }
        }
        (table(&headers, &rows, l.t("库中还没有图片", "No picture on this list yet")))
    };
    html_page(
        &v,
        &format!("{} · {}", v.t("违规图片库", "Image list"), list.name),
        "image-lists",
        body,
    )
}

pub(crate) async fn remove_image_list_entry(
    State(s): State<AppState>,
    Console(v): Console,
    Path((id, entry)): Path<(Id, Id)>,
    body: Bytes,
) -> Response {
    let form = match Form::parse(&v, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let reason = form.get("reason").unwrap_or("").to_owned();
    let ok = v.t("已移出图片库", "Removed from the list").to_owned();
    act(&s, &v, &format!("/image-lists/{id}"), move |g, p, now| {
        g.remove_image_list_entry(p, id, entry, &reason, now)?;
        Ok(ok)
    })
    .await
}
