//! Model learning (REV-9): what the model has been taught, teaching it, forgetting one
//! example, and a lead's reset to the shipped model.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{html, Markup};
use qinglang_engine::Label;
use qinglang_governance::authz::{allows, Permission};
use qinglang_governance::model::Id;
use qinglang_governance::Error;
use serde::Deserialize;

use super::{act, excerpt, html_page, run, Msg};
use crate::console::html::{table, when};
use crate::console::labels::category_name;
use crate::console::messages::actor_text;
use crate::console::{back_with, Console, Form};
use crate::AppState;

/// The examples the learning page lists (newest first).
const LEARNED_SHOWN: usize = 200;

#[derive(Deserialize)]
pub(crate) struct LearningQuery {
    /// Older examples: those with an id below this one.
    before: Option<Id>,
}

pub(crate) async fn learning(
    State(s): State<AppState>,
    Console(v): Console,
    Query(q): Query<LearningQuery>,
    Query(m): Query<Msg>,
) -> Response {
    let before = q.before;
    let (status, examples, max_chars) = match run(&s, &v, move |g, p, _| {
        Ok((
            g.learning_status(p)?,
            // One more than shown: whether there are older ones to link to. A service
            // token's session sees the counts only.
            if allows(p.role, Permission::ReadLearned) {
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
    let more = examples.len() > LEARNED_SHOWN;
    let examples = &examples[..examples.len().min(LEARNED_SHOWN)];
    let rows: Vec<Vec<Markup>> = examples
        .iter()
        .map(|e| {
            let mut row = vec![
                html! { (when(&e.at.to_rfc3339())) },
                html! {
                    (match e.label {
                        Label::Spam => l.t("违规", "violation"),
                        Label::Ham => l.t("误判", "false positive"),
                    })
                },
                html! { (actor_text(l, &e.actor)) },
                html! { (excerpt(&e.text, 120)) },
            ];
            if v.can_change_policy() {
                row.push(html! {
                    form.inline method="post" action={ "/learning/" (e.id) "/forget" } {
                        (v.csrf_field())
                        button.link type="submit" id={ "forget-" (e.id) } { (l.t("忘记", "Forget")) }
                    }
                });
            }
            row
        })
        .collect();
    let mut headers = vec![
        l.t("时间", "Time"),
        l.t("结论", "Decision"),
        l.t("确认人", "Confirmed by"),
        l.t("文本", "Text"),
    ];
    if v.can_change_policy() {
        headers.push("");
    }
    let body = html! {
        (m.flash())
        section.card #learning-status {
            p {
                (l.t("模型", "Model")) " " code { "model:" (status.model) }
                " (" (category_name(l, &status.category)) ") · "
                (l.t("已学违规", "learned violations")) " " strong #learned-spam { (status.spam) } " · "
                (l.t("已学误判", "learned false positives")) " " strong #learned-ham { (status.ham) }
            }
            p.muted {
                (l.t(
                    "审核队列中对模型标记的内容（以及辱骂、歧视类举报）作出的确认与驳回会自动教给模型；也可在此直接教。每条示例把该文本推到判定边界另一侧一个校准对数几率（违规约 73%，误判约 27%），相近的文本随之移动；训练数据中常见的字词几乎不动。重置后回到随产品发布的模型。",
                    "Confirmations and dismissals in the queue of what the model flagged (and of abuse or discrimination reports) teach the model automatically; you can also teach it here. Each example moves its text one calibrated logit past the boundary (about 73% for a violation, 27% for a false positive), and near copies move with it; n-grams common in the training data barely move. Resetting returns to the shipped model.",
                ))
            }
        }
        @if v.can_learn() {
            form.card #teach-form method="post" action="/learning" {
                (v.csrf_field())
                label {
                    (l.t("文本（模型只判断不超过 ", "Text (the model judges texts of up to ")) (max_chars) (l.t(" 个字的文本）", " characters)"))
                    " " textarea #teach-text name="text" required rows="3" maxlength=(max_chars) {}
                }
                label {
                    (l.t("结论", "Decision")) " "
                    select #teach-label name="label" {
                        option value="spam" { (l.t("确认违规（spam）", "confirmed violation (spam)")) }
                        option value="ham" { (l.t("确认误判（ham）", "confirmed false positive (ham)")) }
                    }
                }
                button #teach-submit type="submit" { (l.t("教给模型", "Teach the model")) }
            }
        }
        @if v.can_change_policy() {
            form.card #reset-form method="post" action="/learning/reset" {
                (v.csrf_field())
                label {
                    input type="checkbox" name="confirm" value="yes" required;
                    " " (l.t("我明白：将删除全部已学示例，模型回到发布时的状态（写入审计）", "I understand: every learned example is deleted and the model returns to the shipped one (audited)"))
                }
                button #reset-submit.danger type="submit" { (l.t("重置学习", "Reset learning")) }
            }
        }
        h2 {
            @if before.is_none() { (l.t("最近学习的示例", "Recently learned examples")) }
            @else { (l.t("更早学习的示例", "Earlier learned examples")) }
        }
        @if before.is_some() {
            p { a href="/learning" id="newest" { (l.t("回到最新", "Back to the newest")) } }
        }
        (table(&headers, &rows, l.t("尚未学习任何示例。", "Nothing learned yet.")))
        @if let (true, Some(last)) = (more, examples.last()) {
            p { a href={ "/learning?before=" (last.id) } id="older" { (l.t("更早的示例", "Older examples")) } }
        }
    };
    html_page(&v, v.t("模型学习", "Model learning"), "learning", body)
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
                v.lang,
                "/learning",
                Err(Error::Invalid {
                    code: "invalid_label",
                    message: "the decision must be spam or ham".into(),
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
            l,
            "/learning",
            Err(Error::Invalid {
                code: "not_confirmed",
                message: "not confirmed; nothing was reset".into(),
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
