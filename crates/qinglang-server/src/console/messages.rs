//! The sentences the governance service writes (reasons in the audit trail and on sanctions,
//! error messages) as the console shows them: zh-CN, English under the switch (#22).
//!
//! The stored text stays as it was written (it is part of the hash-chained audit trail and
//! of the API); the console recognises the service's own sentences and says them in the
//! viewer's language. Text a person wrote (a moderator's note, a reporter's complaint) and
//! anything not recognised is shown as written.

use qinglang_governance::Error;

use super::html::{action_label, role_name, Lang};
use super::labels::{category_name, decision_name, sanction_name};

/// `content:12` → `内容 #12`; other targets as written.
fn target_words(l: Lang, target: &str) -> String {
    let Some((kind, id)) = target.split_once(':') else {
        return target.to_owned();
    };
    let kind = match kind {
        "content" => l.t("内容", "content"),
        "user" => l.t("用户", "user"),
        "account" => l.t("公众号", "account"),
        "group" => l.t("群组", "group"),
        "report" => l.t("举报", "report"),
        "appeal" => l.t("申诉", "appeal"),
        "principal" => l.t("控制台用户", "operator"),
        "queue" => l.t("审核条目", "review item"),
        "image_list" => l.t("违规图片库", "image list"),
        "term" => return format!("{} {id}", l.t("词条", "term")),
        "model" => return format!("{} {id}", l.t("模型", "model")),
        _ => return target.to_owned(),
    };
    format!("{kind} #{id}")
}

/// A target label for the audit table (`content:12` → `内容 #12`; a sweep's `content`, a
/// retention sweep's `records`).
pub fn target_text(l: Lang, target: &str) -> String {
    match target {
        "content" => l.t("内容", "content").to_owned(),
        "records" => l.t("记录", "records").to_owned(),
        _ => target_words(l, target),
    }
}

/// Who acted, as the audit trail names them (`lead:lin#3`, `system`): the role in words and
/// the name (`内容安全负责人 lin`); a name alone (`alice`) as written.
pub fn actor_text(l: Lang, actor: &str) -> String {
    if actor == "system" {
        return l.t("系统", "system").to_owned();
    }
    let Some((role, rest)) = actor.split_once(':') else {
        return actor.to_owned();
    };
    let Some(role) = qinglang_governance::authz::Role::parse(role) else {
        return actor.to_owned();
    };
    // The principal's id after `#` is for the audit trail; the name is what people know.
    let name = rest.rsplit_once('#').map_or(rest, |(name, _)| name);
    format!("{} {name}", role_name(l, role))
}

/// The engine's summary of a verdict's hits (`加微信 (ad), 成人 (porn)`), categories named.
fn hit_summary(l: Lang, s: &str) -> String {
    if matches!(s, "block" | "review" | "pass") {
        return action_label(l, s);
    }
    s.split(", ")
        .map(|part| match part.rsplit_once(" (") {
            Some((term, cat)) if cat.ends_with(')') => {
                let cat = category_name(l, cat.trim_end_matches(')'));
                match l {
                    Lang::Zh => format!("{term}（{cat}）"),
                    Lang::En => format!("{term} ({cat})"),
                }
            }
            _ => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(l.t("，", ", "))
}

/// One clause of a submission's reasons (`blocked: …`, `held for review: …`).
fn submission_clause(l: Lang, clause: &str) -> Option<String> {
    if clause == "held for review: the author's publishing is restricted" {
        return Some(
            l.t(
                "送人审：作者处于限制发布期",
                "held for review: the author's publishing is restricted",
            )
            .to_owned(),
        );
    }
    if let Some(rest) = clause.strip_prefix("blocked: ") {
        return Some(format!(
            "{}{}",
            l.t("拦截：", "blocked: "),
            hit_summary(l, rest)
        ));
    }
    if let Some(rest) = clause.strip_prefix("held for review: ") {
        return Some(format!(
            "{}{}",
            l.t("送人审：", "held for review: "),
            hit_summary(l, rest)
        ));
    }
    None
}

/// A number at the start of `s` and what follows it.
fn leading_number(s: &str) -> Option<(u64, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    Some((s[..end].parse().ok()?, &s[end..]))
}

/// A reason as the console shows it: the service's own sentences in the viewer's language,
/// a person's words as written.
pub fn reason_text(l: Lang, reason: &str) -> String {
    known_reason(l, reason).unwrap_or_else(|| reason.to_owned())
}

fn known_reason(l: Lang, reason: &str) -> Option<String> {
    let fixed = match reason {
        "" => return Some(String::new()),
        "appeal upheld" => Some(("申诉成立", "appeal upheld")),
        "confirmed violation" => Some(("确认违规", "confirmed violation")),
        "created" => Some(("注册", "registered")),
        "password" => Some(("密码登录", "password")),
        "token" => Some(("令牌登录", "API token")),
        "identity is blacklisted" => Some(("身份信息已列入黑名单", "identity is blacklisted")),
        "wrong name, password or token" => {
            Some(("用户名、密码或令牌不正确", "wrong name, password or token"))
        }
        _ => None,
    };
    if let Some((zh, en)) = fixed {
        return Some(l.t(zh, en).to_owned());
    }
    // "2 strike(s) within 90 days reached the restrict_publishing step"
    if let Some((n, rest)) = leading_number(reason) {
        if let Some((days, kind)) = rest
            .strip_prefix(" strike(s) within ")
            .and_then(leading_number)
            .and_then(|(d, r)| {
                r.strip_prefix(" days reached the ")
                    .and_then(|k| k.strip_suffix(" step"))
                    .map(|k| (d, k))
            })
        {
            let kind = sanction_name(l, kind);
            return Some(match l {
                Lang::Zh => format!("{days} 天内违规 {n} 次，达到“{kind}”一档"),
                Lang::En => {
                    format!("{n} strike(s) within {days} days reached the “{kind}” step")
                }
            });
        }
    }
    if let Some(c) = reason.strip_prefix("violation in content:") {
        return Some(match l {
            Lang::Zh => format!("内容 #{c} 违规"),
            Lang::En => format!("violation in content #{c}"),
        });
    }
    if let Some(s) = reason.strip_prefix("appeal upheld against sanction ") {
        return Some(match l {
            Lang::Zh => format!("申诉成立，撤销处罚 #{s}"),
            Lang::En => format!("appeal upheld against sanction #{s}"),
        });
    }
    if let Some((was, now)) = reason
        .strip_prefix("emergency sweep: ")
        .and_then(|r| r.split_once(" → "))
    {
        return Some(format!(
            "{}{} → {}",
            l.t("应急回扫：", "emergency sweep: "),
            decision_name(l, was),
            decision_name(l, now)
        ));
    }
    if let Some(days) = reason
        .strip_prefix("no publication for ")
        .and_then(|r| r.strip_suffix(" days (PA-4)"))
    {
        return Some(match l {
            Lang::Zh => format!("连续 {days} 天未发布内容（PA-4）"),
            Lang::En => format!("no publication for {days} days (PA-4)"),
        });
    }
    if let Some(days) = reason
        .strip_prefix("older than ")
        .and_then(|r| r.strip_suffix(" days"))
    {
        return Some(match l {
            Lang::Zh => format!("超过 {days} 天的记录"),
            Lang::En => format!("older than {days} days"),
        });
    }
    if let Some(name) = reason.strip_prefix("new password for ") {
        return Some(match l {
            Lang::Zh => format!("为 {name} 重设密码"),
            Lang::En => format!("new password for {name}"),
        });
    }
    if let Some((target, category)) = reason.split_once(" reported: ") {
        if !target.contains(' ') && target.contains(':') {
            return Some(match l {
                Lang::Zh => format!(
                    "{} 被举报：{}",
                    target_words(l, target),
                    category_name(l, category)
                ),
                Lang::En => format!(
                    "{} reported: {}",
                    target_words(l, target),
                    category_name(l, category)
                ),
            });
        }
    }
    // "moderator alice": a principal created with its role.
    if let Some((role, name)) = reason.split_once(' ') {
        if let Some(role) = qinglang_governance::authz::Role::parse(role) {
            if !name.contains(' ') {
                return Some(format!("{} {name}", role_name(l, role)));
            }
        }
    }
    // A submission's clauses, joined with "; ".
    let clauses: Option<Vec<String>> = reason
        .split("; ")
        .map(|c| submission_clause(l, c))
        .collect();
    clauses.map(|c| c.join(l.t("；", "; ")))
}

/// A governance error as the console says it: a sentence for each refusal a console form
/// can meet, in the viewer's language; in English the service's own message, which names the
/// ids involved.
pub fn error_text(l: Lang, e: &Error) -> String {
    if l == Lang::En {
        return e.to_string();
    }
    let zh = match e {
        Error::NotFound { what, id } => {
            return format!("未找到{} #{id}", not_found_what(what));
        }
        Error::Unauthenticated => "登录已失效，请重新登录。",
        Error::Storage(_) => "存储出错，请稍后再试；详情见服务器日志。",
        Error::Forbidden { code, .. }
        | Error::Invalid { code, .. }
        | Error::Conflict { code, .. } => match *code {
            "role_forbidden" => "当前角色无权执行此操作。",
            "claimed" => "该条目已被其他审核员领取。",
            "already_decided" => "该条目已处理过。",
            "no_items" => "请至少选择一个条目。",
            "too_many_items" => "一次最多处理 500 个条目。",
            "invalid_decision" => "请选择处理结果。",
            "note_too_long" => "备注或理由过长。",
            "reason_required" => "请填写理由。",
            "report_open" => "该举报尚未办结，无需重新打开。",
            "report_resolved" => "该举报已办结。",
            "appeal_decided" => "该申诉已裁决。",
            "same_moderator" => "作出处罚的审核员不能复核自己的处罚，请由其他审核员复核。",
            "sanction_revoked" => "该处罚已撤销。",
            "already_appealed" => "每项处罚只能申诉一次。",
            "appeal_window_closed" => "已超过申诉期限。",
            "invalid_term" => "词条须为 1–64 个字符，单行，不含制表符。",
            "unchanged" => "词库中已有相同的词条设置，未作修改。",
            "not_blocking" => "只有“拦截”类词条可以降级为人审。",
            "unknown_category" => "类别不在分类体系中（自定义词条请用 custom）。",
            "invalid_lexicon" => "词条格式不正确。",
            "invalid_scene" => "场景不存在或配置有误。",
            "scene_unavailable" => "该场景有独立词库，但本服务启动时未加载引擎配方，无法修改。",
            "no_recipe" => "本服务启动时未加载引擎配方，无法修改引擎。",
            "invalid_name" => "名称格式不正确（小写字母、数字、- 和 _，1–64 个字符）。",
            "empty_change" => "应急变更至少需要词条或阈值之一。",
            "not_tighter" => "应急变更只能收紧阈值，不能放宽。",
            "invalid_threshold" => "阈值须为 0–100 的整数。",
            "invalid_emergency_change" => "应急变更内容有误，请检查每行“词条 ⇥ 类别 ⇥ 处置”。",
            "empty_text" => "文本为空。",
            "too_long_for_model" => "文本超出模型可判断的长度，学习它不会改变模型。",
            "no_model" => "引擎未加载训练好的模型，无可学习。",
            "invalid_label" => "结论须为“违规”或“误判”。",
            "not_confirmed" => "未勾选确认，未重置。",
            "invalid_range" => "结束时间早于开始时间。",
            "invalid_year" => "年份须在 2000–2100 之间。",
            "rate_limited" => "操作过于频繁，请稍后再试。",
            "invalid_list_name" => "图片库名称须为 1–64 个字符，不含控制字符。",
            "invalid_category" => "类别须为小写英文标识（如 porn、gambling、fraud）。",
            "name_taken" => "已有同名的图片库。",
            "already_listed" => "该图片已在此图片库中。",
            "not_a_picture" => "该条目不是图片，无法拦截相似图片。",
            "invalid_hash" => "图片指纹须为 16 位十六进制数。",
            "hash_required" => "请提供图片指纹或图片所属的内容编号。",
            "skipped" => return e.to_string(),
            _ => return format!("操作未完成：{e}"),
        },
    };
    zh.to_owned()
}

fn not_found_what(what: &str) -> &'static str {
    match what {
        "content" => "内容",
        "user" => "用户",
        "account" => "公众号",
        "group" => "群组",
        "report" => "举报",
        "appeal" => "申诉",
        "sanction" => "处罚",
        "queue item" => "审核条目",
        "example" => "学习示例",
        "image list" => "违规图片库",
        "image list entry" => "图片库条目",
        "content image" => "内容图片",
        _ => "对象",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_services_reasons_are_said_in_chinese() {
        let zh = |r: &str| reason_text(Lang::Zh, r);
        assert_eq!(
            zh("2 strike(s) within 90 days reached the restrict_publishing step"),
            "90 天内违规 2 次，达到“限制发布”一档"
        );
        assert_eq!(
            reason_text(
                Lang::En,
                "2 strike(s) within 90 days reached the restrict_publishing step"
            ),
            "2 strike(s) within 90 days reached the “publishing restricted” step"
        );
        assert_eq!(zh("violation in content:3"), "内容 #3 违规");
        assert_eq!(
            zh("blocked: 成人视频 (porn); held for review: the author's publishing is restricted"),
            "拦截：成人视频（色情）；送人审：作者处于限制发布期"
        );
        assert_eq!(
            zh("emergency sweep: published → held"),
            "应急回扫：已发布 → 待审"
        );
        assert_eq!(zh("content:4 reported: fraud"), "内容 #4 被举报：诈骗");
        assert_eq!(zh("moderator alice"), "审核员 alice");
        assert_eq!(actor_text(Lang::Zh, "lead:lin#3"), "内容安全负责人 lin");
        assert_eq!(actor_text(Lang::Zh, "system"), "系统");
        assert_eq!(actor_text(Lang::En, "alice"), "alice");
        assert_eq!(target_text(Lang::Zh, "queue:2"), "审核条目 #2");
        // A person's words are theirs.
        assert_eq!(zh("广告太多了"), "广告太多了");
        assert_eq!(zh("blocked by hand; see note"), "blocked by hand; see note");
    }

    #[test]
    fn a_refusal_is_said_in_chinese_with_english_under_the_switch() {
        let e = Error::Conflict {
            code: "claimed",
            message: "queue item 3 is claimed by bob".into(),
        };
        assert_eq!(error_text(Lang::Zh, &e), "该条目已被其他审核员领取。");
        assert_eq!(error_text(Lang::En, &e), "queue item 3 is claimed by bob");
        let missing = Error::NotFound {
            what: "report",
            id: "9".into(),
        };
        assert_eq!(error_text(Lang::Zh, &missing), "未找到举报 #9");
    }
}
