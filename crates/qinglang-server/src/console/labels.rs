//! What moderators read instead of the codes the API and the audit trail store (issue #22):
//! audit actions, sanction kinds, statuses and categories in zh-CN, English under the
//! switch. A code with no name here (an operator's own category) is shown as written.

use super::html::Lang;

/// The name of an audit action (`sanction.apply` → 处罚).
pub fn action_name(l: Lang, action: &str) -> String {
    let (zh, en) = match action {
        "user.create" => ("创建用户", "user created"),
        "identity.verify" => ("实名核验", "identity verified"),
        "identity.refused" => ("实名核验未通过", "identity refused"),
        "identity.reveal" => ("查看实名信息", "identity revealed"),
        "account.open" => ("开通公众号", "account opened"),
        "account.close_inactive" => ("注销长期不活跃公众号", "inactive account closed"),
        "group.create" => ("建群", "group created"),
        "group.join" => ("入群", "member joined"),
        "group.join_pending" => ("入群待审批", "join awaiting approval"),
        "group.notice" => ("修改群公告", "group notice changed"),
        "group.member.remove" => ("移出群成员", "member removed"),
        "group.member.mute" => ("群内禁言", "member muted"),
        "group.member.unmute" => ("解除禁言", "member unmuted"),
        "group.member.promote" => ("设为群管理员", "member promoted"),
        "group.member.demote" => ("取消群管理员", "manager demoted"),
        "content.publish" => ("内容发布", "content published"),
        "content.hold" => ("内容待审", "content held"),
        "content.reject" => ("内容拦截", "content rejected"),
        "content.approve" => ("审核通过", "content approved"),
        "content.remove" => ("删除内容", "content removed"),
        "content.reinstate" => ("恢复内容", "content reinstated"),
        "content.sweep" => ("回扫处置", "content swept"),
        "credit.change" => ("信用分变动", "credit changed"),
        "sanction.apply" => ("处罚", "sanction applied"),
        "sanction.revoke" => ("撤销处罚", "sanction revoked"),
        "report.file" => ("收到举报", "report filed"),
        "report.merge" => ("举报合并", "report merged"),
        "report.assign" => ("分派举报", "report assigned"),
        "report.resolve" => ("举报处理", "report resolved"),
        "report.reopen" => ("重新打开举报", "report reopened"),
        "appeal.file" => ("收到申诉", "appeal filed"),
        "appeal.decide" => ("申诉裁决", "appeal decided"),
        "queue.claim" => ("领取审核", "item claimed"),
        "queue.release" => ("释放审核", "item released"),
        "queue.decide" => ("审核决定", "item decided"),
        "policy.emergency" => ("应急变更", "emergency change"),
        "policy.sweep" => ("应急回扫", "emergency sweep"),
        "lexicon.add" => ("新增词条", "term added"),
        "lexicon.demote" => ("词条降级为人审", "term demoted"),
        "lexicon.remove" => ("删除词条", "term removed"),
        "model.learn" => ("模型学习", "model taught"),
        "model.forget" => ("模型遗忘样本", "example forgotten"),
        "model.reset" => ("模型重置", "model reset"),
        "scene.assign" => ("设置默认场景", "default scene set"),
        "image_list.create" => ("新建违规图片库", "image list created"),
        "image_list.add" => ("图片加入违规图片库", "picture listed"),
        "image_list.remove" => ("图片移出违规图片库", "picture delisted"),
        "retention.sweep" => ("到期数据清理", "retention sweep"),
        "token.create" => ("创建令牌", "token created"),
        "token.revoke" => ("吊销令牌", "token revoked"),
        "operator.create" => ("创建控制台用户", "operator created"),
        "operator.password" => ("重设密码", "password reset"),
        "session.sign_in" => ("登录", "signed in"),
        "session.sign_in_failed" => ("登录失败", "sign-in failed"),
        other => return other.to_owned(),
    };
    l.t(zh, en).to_owned()
}

/// The name of a sanction kind (`suspend_updates` → 暂停更新).
pub fn sanction_name(l: Lang, kind: &str) -> String {
    let (zh, en) = match kind {
        "warning" => ("警示", "warning"),
        "restrict_publishing" => ("限制发布", "publishing restricted"),
        "suspend_updates" => ("暂停更新", "updates suspended"),
        "close" => ("关闭账号", "closed"),
        "blacklist" => ("列入黑名单", "blacklisted"),
        "suspend_posting" => ("暂停群内发言", "posting suspended"),
        "dissolve" => ("解散群组", "dissolved"),
        "credit_reduction" => ("扣减信用分", "credit reduced"),
        "suspend_admin" => ("暂停管理权限", "admin rights suspended"),
        "ban_group_creation" => ("禁止建群", "group creation banned"),
        other => return other.to_owned(),
    };
    l.t(zh, en).to_owned()
}

/// The name of a user's, a group's or an account's status.
pub fn status_name(l: Lang, status: &str) -> String {
    let (zh, en) = match status {
        "active" => ("正常", "active"),
        "closed" => ("已关闭", "closed"),
        "blacklisted" => ("黑名单", "blacklisted"),
        "dissolved" => ("已解散", "dissolved"),
        other => return other.to_owned(),
    };
    l.t(zh, en).to_owned()
}

/// The name of a category of the taxonomy (REQUIREMENTS.md REV-2).
pub fn category_name(l: Lang, category: &str) -> String {
    let (zh, en) = match category {
        "politics" => ("涉政", "politics"),
        "terror" => ("暴恐", "terror"),
        "discrimination" => ("歧视", "discrimination"),
        "cult" => ("邪教迷信", "cult"),
        "rumor" => ("谣言", "rumour"),
        "porn" => ("色情", "porn"),
        "gambling" => ("赌博", "gambling"),
        "drugs" => ("毒品", "drugs"),
        "weapons" => ("枪支管制刀具", "weapons"),
        "violence" => ("暴力", "violence"),
        "abuse" => ("辱骂", "abuse"),
        "privacy" => ("侵犯隐私", "privacy"),
        "fraud" => ("诈骗", "fraud"),
        "contraband" => ("违禁品", "contraband"),
        "sexual_innuendo" => ("性暗示", "sexual innuendo"),
        "gore" => ("血腥恐怖", "gore"),
        "vulgar" => ("低俗", "vulgar"),
        "ad" => ("广告引流", "ads / diversion"),
        "spam" => ("刷屏", "spam"),
        "custom" => ("自定义", "custom"),
        other => return other.to_owned(),
    };
    l.t(zh, en).to_owned()
}

/// Whether an audit action is governance — what moderators and leads act on and what a
/// regulator asks about: decisions on content, sanctions, reports, appeals, lexicon and
/// emergency changes, the model's teaching, identities revealed — rather than operator
/// housekeeping (sign-ins, tokens, console users) or the platform's bookkeeping (users
/// created, groups joined, items claimed), which the dashboard and the annual report leave
/// out (#22).
pub fn is_governance_action(action: &str) -> bool {
    let family = action.split('.').next().unwrap_or("");
    match family {
        "content" => action != "content.publish",
        "sanction" | "appeal" | "lexicon" | "policy" | "model" | "image_list" => true,
        "report" => action != "report.assign",
        "queue" => action == "queue.decide",
        _ => matches!(
            action,
            "identity.reveal" | "identity.refused" | "account.close_inactive" | "retention.sweep"
        ),
    }
}

/// The name of a content decision or a queue decision (`remove_and_sanction` → 删除并处罚).
pub fn decision_name(l: Lang, d: &str) -> String {
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
pub fn outcome_name(l: Lang, s: &str) -> String {
    match s {
        "open" => l.t("待处理", "open"),
        "pending" => l.t("待复核", "pending"),
        "upheld" => l.t("成立", "upheld"),
        "rejected" => l.t("不成立", "not upheld"),
        other => other,
    }
    .to_owned()
}

/// The name of a kind of content (`comment` → 评论).
pub fn kind_name(l: Lang, kind: &str) -> String {
    let (zh, en) = match kind {
        "comment" => ("评论", "comment"),
        "message" => ("消息", "message"),
        "post" => ("帖子", "post"),
        "article" => ("公众号文章", "article"),
        "nickname" => ("昵称", "nickname"),
        "group_name" => ("群名", "group name"),
        "bio" => ("简介", "bio"),
        "image" => ("图片", "picture"),
        other => return other.to_owned(),
    };
    l.t(zh, en).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Housekeeping stays off the dashboard and out of the annual report (#22).
    #[test]
    fn housekeeping_is_not_governance() {
        for a in [
            "token.create",
            "token.revoke",
            "operator.create",
            "operator.password",
            "session.sign_in",
            "user.create",
            "queue.claim",
            "content.publish",
        ] {
            assert!(!is_governance_action(a), "{a}");
        }
        for a in [
            "content.remove",
            "sanction.apply",
            "report.resolve",
            "appeal.decide",
            "lexicon.add",
            "policy.emergency",
            "identity.reveal",
        ] {
            assert!(is_governance_action(a), "{a}");
        }
    }

    /// Every action the governance service audits has a name: a new one without a name
    /// would reach moderators as a code.
    #[test]
    fn every_audited_action_has_a_name() {
        let source = concat!(
            include_str!("../../../qinglang-governance/src/service.rs"),
            include_str!("../../../qinglang-governance/src/casework.rs"),
            include_str!("../../../qinglang-governance/src/emergency.rs"),
            include_str!("../../../qinglang-governance/src/learning.rs"),
            include_str!("../../../qinglang-governance/src/operators.rs"),
            include_str!("../../../qinglang-governance/src/tokens.rs"),
            include_str!("../../../qinglang-governance/src/images.rs"),
            include_str!("../../../qinglang-governance/src/submission.rs"),
        );
        // The action is the first string literal of every `audit(` call.
        let mut missing = Vec::new();
        let mut seen = 0;
        for call in source.split("audit(").skip(1) {
            let Some(action) = call.split('"').nth(1) else {
                continue;
            };
            if !action.contains('.') || action.contains(' ') {
                continue;
            }
            // `group.member.{}`: one action per member action.
            if let Some(prefix) = action.strip_suffix("{}") {
                for each in ["remove", "mute", "unmute", "promote", "demote"] {
                    let full = format!("{prefix}{each}");
                    assert_ne!(action_name(Lang::Zh, &full), full, "no name for {full}");
                }
                continue;
            }
            seen += 1;
            if action_name(Lang::Zh, action) == action && !missing.contains(&action) {
                missing.push(action);
            }
        }
        assert!(
            seen >= 30,
            "found only {seen} audited actions: the scan is broken"
        );
        assert!(
            missing.is_empty(),
            "audit actions without a name: {missing:?}"
        );
    }
}
