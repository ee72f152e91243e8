//! Reports (CMP-1), the review queue and appeals (CMP-2) on the real SQLite store, with the
//! clock under the test's control (deadlines, lapsing claims, the appeal window).

mod common;

use common::*;
use qinglang_governance::authz::Role;
use qinglang_governance::casework::{
    AppealStatus, CaseTarget, Lane, NewReport, QueueDecision, QueueItem, QueueQuery, ReportFilter,
    ReportStatus,
};
use qinglang_governance::model::*;
use qinglang_governance::policy::SanctionKind;
use qinglang_governance::{Governance, SanctionView};
use qinglang_store::Database;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

fn staff(role: Role, id: Id, name: &str) -> Principal {
    Principal {
        id,
        name: name.into(),
        role,
    }
}

fn alice() -> Principal {
    staff(Role::Moderator, 11, "alice")
}

fn bob() -> Principal {
    staff(Role::Moderator, 12, "bob")
}

fn lead() -> Principal {
    staff(Role::Lead, 13, "lin")
}

fn at(minutes: i64) -> Timestamp {
    Timestamp(T0.0 + minutes * MINUTE)
}

/// A published message by `author`; returns its content id.
fn publish(g: &Governance<Database>, author: Id, text: &str, now: Timestamp) -> Id {
    let r = g
        .submit_content(&svc(), &message(author, None, text), now)
        .expect("submit");
    r.enforcement.content_id
}

fn report(target: CaseTarget, reporter: Option<Id>, category: &str) -> NewReport {
    NewReport {
        target,
        category: category.into(),
        note: "请核查".into(),
        reporter,
    }
}

qinglang_store::both_backends! {
    fn reports_on_one_target_merge_and_the_decision_answers_every_reporter() {
        let g = service();
        let author = verified_user(&g, "author", &resident_id(1));
        let r1 = verified_user(&g, "r1", &resident_id(2));
        let r2 = verified_user(&g, "r2", &resident_id(3));
        let content = publish(&g, author, "今天去公园散步了", at(0));

        let first = g
            .file_report(
                &svc(),
                &report(CaseTarget::Content(content), Some(r1), "abuse"),
                at(1),
            )
            .expect("file");
        assert!(!first.merged);
        assert_eq!(first.report.status, ReportStatus::Open);
        assert_eq!(
            first.report.deadline_at,
            Timestamp(at(1).0 + 24 * HOUR).to_rfc3339()
        );
        let second = g
            .file_report(
                &svc(),
                &report(CaseTarget::Content(content), Some(r2), "rumour"),
                at(2),
            )
            .expect("file");
        assert!(second.merged, "a second complaint joins the open report");
        assert_eq!(second.report.id, first.report.id);
        // The same reporter again is the same complaint.
        let again = g
            .file_report(
                &svc(),
                &report(CaseTarget::Content(content), Some(r1), "abuse"),
                at(3),
            )
            .expect("file");
        assert_eq!((again.report.filings, again.report.reporters), (2, 2));
        // The same reporter with new evidence: kept for the moderator, still two people.
        let more = g
            .file_report(
                &svc(),
                &NewReport {
                    note: "补充：他在另外三个群也发了".into(),
                    ..report(CaseTarget::Content(content), Some(r1), "abuse")
                },
                at(3),
            )
            .expect("file");
        assert_eq!((more.report.filings, more.report.reporters), (3, 2));

        // One piece of work in the queue for the target, with the report on it.
        let queue = g.queue(&alice(), None, false, 50, at(4)).expect("queue");
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].target, CaseTarget::Content(content));
        assert_eq!(queue[0].reports[0].id, first.report.id);

        let outcome = g
            .resolve_report(&alice(), first.report.id, false, None, None, at(30))
            .expect("resolve");
        assert!(outcome.ok);
        let detail = g.get_report(&svc(), first.report.id, at(31)).expect("get");
        assert_eq!(detail.report.status, ReportStatus::Rejected);
        assert_eq!(detail.report.handling_minutes, Some(29));
        assert!(detail
            .report
            .feedback
            .as_deref()
            .is_some_and(|f| f.contains("未发现")));
        assert!(g
            .queue(&alice(), None, false, 50, at(31))
            .expect("queue")
            .is_empty());

        // Reopening is the lead's: it goes back into the queue with a new deadline.
        let e = g
            .reopen_report(&alice(), first.report.id, "复核", at(40))
            .unwrap_err();
        assert_eq!(e.code(), "role_forbidden");
        let reopened = g
            .reopen_report(&lead(), first.report.id, "复核：举报人补充了截图", at(40))
            .expect("reopen");
        assert_eq!(reopened.status, ReportStatus::Open);
        assert_eq!(
            g.queue(&alice(), None, false, 50, at(41))
                .expect("queue")
                .len(),
            1
        );
        // Upheld this time: the content is removed and the reporters are told.
        g.resolve_report(&bob(), first.report.id, true, None, Some("已删除"), at(50))
            .expect("resolve");
        let detail = g.get_report(&svc(), first.report.id, at(51)).expect("get");
        assert_eq!(detail.report.status, ReportStatus::Upheld);
        assert_eq!(detail.report.feedback.as_deref(), Some("已删除"));
        assert_eq!(detail.report.action.as_deref(), Some("remove"));
    }
}

qinglang_store::both_backends! {
    fn reporters_whose_reports_are_mostly_rejected_are_screened_not_dropped() {
        let g = service();
        let author = verified_user(&g, "author", &resident_id(1));
        let troll = verified_user(&g, "troll", &resident_id(2));
        let honest = verified_user(&g, "honest", &resident_id(3));
        // Five rejected reports make a record of 0% upheld.
        for i in 0..5 {
            let c = publish(&g, author, &format!("第{i}篇游记：山里的早晨"), at(i));
            let filed = g
                .file_report(
                    &svc(),
                    &report(CaseTarget::Content(c), Some(troll), "porn"),
                    at(i),
                )
                .expect("file");
            g.resolve_report(&alice(), filed.report.id, false, None, None, at(10 + i))
                .expect("resolve");
        }
        let rep = g.reputation(&alice(), troll).expect("reputation");
        assert_eq!((rep.upheld, rep.rejected, rep.screened), (0, 5, true));

        let screened_target = publish(&g, author, "晚饭吃了饺子", at(20));
        let screened = g
            .file_report(
                &svc(),
                &report(
                    CaseTarget::Content(screened_target),
                    Some(troll),
                    "terrorism",
                ),
                at(21),
            )
            .expect("file");
        assert_eq!(screened.report.lane, Lane::Low);
        let normal_target = publish(&g, author, "周末去看展", at(22));
        g.file_report(
            &svc(),
            &report(CaseTarget::Content(normal_target), Some(honest), "other"),
            at(23),
        )
        .expect("file");
        // The screened report is still in the queue, after the normal one though it is graver.
        let queue = g.queue(&alice(), None, false, 50, at(24)).expect("queue");
        let order: Vec<CaseTarget> = queue.iter().map(|e| e.target).collect();
        assert_eq!(
            order,
            [
                CaseTarget::Content(normal_target),
                CaseTarget::Content(screened_target)
            ]
        );
        let low = g.list_reports(
            &alice(),
            &ReportFilter {
                lane: Some(Lane::Low),
                limit: 10,
                ..ReportFilter::default()
            },
            at(24),
        );
        assert_eq!(low.expect("list").len(), 1);
        // An honest reporter joining the screened report lifts it into the normal lane.
        let merged = g
            .file_report(
                &svc(),
                &report(CaseTarget::Content(screened_target), Some(honest), "other"),
                at(25),
            )
            .expect("file");
        assert_eq!(merged.report.lane, Lane::Normal);
    }
}

qinglang_store::both_backends! {
    fn claims_are_exclusive_until_they_lapse_and_bulk_decisions_climb_the_ladder() {
        let g = service();
        let author = verified_user(&g, "author", &resident_id(1));
        let mut held = Vec::new();
        for i in 0..3 {
            let r = g
                .submit_content(
                    &svc(),
                    &message(
                        author,
                        None,
                        &format!("第{i}批货到了，加微信 wx88{i}1234 详聊"),
                    ),
                    at(i),
                )
                .expect("submit");
            assert_eq!(r.enforcement.decision, Decision::Held, "{:?}", r.verdict);
            held.push(r.enforcement.content_id);
        }
        let queue = g.queue(&alice(), None, false, 50, at(5)).expect("queue");
        assert_eq!(queue.len(), 3);
        assert!(queue.iter().all(|e| e.held && e.content.is_some()));

        let mine = g.claim_next(&alice(), 2, None, at(6)).expect("claim");
        assert_eq!(mine.len(), 2);
        let theirs = g.claim_next(&bob(), 5, None, at(6)).expect("claim");
        assert_eq!(theirs.len(), 1, "bob gets only what alice does not hold");
        assert!(mine.iter().all(|e| e.id != theirs[0].id));
        let e = g.claim(&bob(), mine[0].id, at(7)).unwrap_err();
        assert_eq!(e.code(), "claimed");
        let skipped = g
            .decide(
                &bob(),
                &[mine[0].id],
                QueueDecision::Approve,
                None,
                None,
                at(7),
            )
            .expect("decide");
        assert_eq!(skipped[0].code, Some("claimed"));

        // Alice removes both of hers as violations in one action: two strikes, two ladder steps.
        let ids: Vec<Id> = mine.iter().map(|e| e.id).collect();
        let outcomes = g
            .decide(
                &alice(),
                &ids,
                QueueDecision::RemoveAndSanction,
                Some("引流广告"),
                None,
                at(8),
            )
            .expect("decide");
        assert!(outcomes.iter().all(|o| o.ok), "{outcomes:?}");
        let kinds: Vec<SanctionKind> = outcomes
            .iter()
            .flat_map(|o| o.sanctions.iter().map(|s| s.kind))
            .collect();
        assert_eq!(
            kinds,
            [SanctionKind::Warning, SanctionKind::RestrictPublishing]
        );
        assert!(outcomes[0].sanctions[0].imposed_by == "alice");
        let user = g.get_user(&alice(), author, at(9)).expect("user");
        assert_eq!((user.strikes_in_window, user.credit.score), (2, 80));
        let item = g.queue_item(&alice(), ids[0], at(9)).expect("item");
        assert_eq!(item.content.expect("content").decision, "removed");
        let again = g
            .decide(
                &alice(),
                &ids[..1],
                QueueDecision::Approve,
                None,
                None,
                at(9),
            )
            .expect("decide");
        assert_eq!(again[0].code, Some("already_decided"));

        // Bob's claim lapses after the policy's 15 minutes; then alice may take it.
        assert_eq!(
            g.claim(&alice(), theirs[0].id, at(10)).unwrap_err().code(),
            "claimed"
        );
        let taken = g
            .claim(&alice(), theirs[0].id, at(6 + 16))
            .expect("lapsed claim");
        assert_eq!(taken.claimed_by.as_deref(), Some("alice"));

        // Every decision is on the chain.
        let trail = g.audit_export(&lead(), T0, at(60)).expect("export");
        assert_eq!(
            trail.iter().filter(|e| e.action == "queue.decide").count(),
            2
        );
        assert!(g.verify_chain(at(60)).expect("verify").ok);
    }
}

qinglang_store::both_backends! {
    /// Who held a case when is on the record (AUD-1): taking an item and giving it back are
    /// audited; renewing one's own claim is not a new holder.
    fn claims_and_releases_are_audited() {
        let g = service();
        let author = verified_user(&g, "author", &resident_id(1));
        let r = g
            .submit_content(
                &svc(),
                &message(author, None, "货到了，加微信 wx8881234 详聊"),
                at(0),
            )
            .expect("submit");
        assert_eq!(r.enforcement.decision, Decision::Held);
        let item = g.claim_next(&alice(), 1, None, at(1)).expect("claim")[0].id;
        g.claim(&alice(), item, at(2)).expect("renew");
        g.release(&alice(), item, at(3)).expect("release");
        g.claim(&bob(), item, at(4)).expect("claim");
        let trail: Vec<(String, String)> = g
            .audit_export(&principal(Role::Auditor), at(0), at(10))
            .expect("audit")
            .into_iter()
            .filter(|e| e.action.starts_with("queue."))
            .map(|e| (e.action, e.actor))
            .collect();
        let expected: Vec<(String, String)> = [
            ("queue.claim", alice().label()),
            ("queue.release", alice().label()),
            ("queue.claim", bob().label()),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b))
        .collect();
        assert_eq!(trail, expected);
    }
}

qinglang_store::both_backends! {
    fn one_appeal_per_sanction_decided_by_someone_else_restores_what_it_cost() {
        let g = service();
        let author = verified_user(&g, "author", &resident_id(1));
        let other = verified_user(&g, "other", &resident_id(2));
        let r = g
            .submit_content(
                &svc(),
                &message(author, None, "加微信 wx5551234 领红包"),
                at(0),
            )
            .expect("submit");
        let content = r.enforcement.content_id;
        let item = g.queue(&alice(), None, false, 1, at(1)).expect("queue")[0].id;
        let out = g
            .decide(
                &alice(),
                &[item],
                QueueDecision::RemoveAndSanction,
                None,
                None,
                at(2),
            )
            .expect("decide");
        let sanction = out[0].sanctions[0].id;
        assert_eq!(
            g.get_user(&alice(), author, at(3))
                .expect("user")
                .credit
                .score,
            90
        );

        // Only the sanctioned user, once, within the window.
        let e = g
            .file_appeal(&svc(), sanction, other, "不是我", at(3))
            .unwrap_err();
        assert_eq!(e.code(), "not_the_sanctioned");
        let late = Timestamp(at(2).0 + 31 * 24 * HOUR);
        let e = g
            .file_appeal(&svc(), sanction, author, "误判", late)
            .unwrap_err();
        assert_eq!(e.code(), "appeal_window_closed");
        let appeal = g
            .file_appeal(
                &svc(),
                sanction,
                author,
                "这是我自己的店铺微信，不是引流",
                at(4),
            )
            .expect("appeal");
        assert_eq!(appeal.status, AppealStatus::Pending);
        let e = g
            .file_appeal(&svc(), sanction, author, "再申诉", at(5))
            .unwrap_err();
        assert_eq!(e.code(), "already_appealed");

        // Alice imposed it; Bob decides.
        let e = g
            .decide_appeal(&alice(), appeal.id, true, "", at(6))
            .unwrap_err();
        assert_eq!(e.code(), "same_moderator");
        let decided = g
            .decide_appeal(&bob(), appeal.id, true, "经复核，属误判", at(7))
            .expect("decide");
        assert_eq!(decided.status, AppealStatus::Upheld);
        assert!(decided.sanction.revoked_at.is_some());
        let user = g.get_user(&alice(), author, at(8)).expect("user");
        assert_eq!(user.credit.score, 100, "credit restored");
        assert_eq!(user.strikes_in_window, 0, "strike voided");
        assert!(user.sanctions.is_empty(), "{:?}", user.sanctions);
        let item = g.queue_item(&alice(), item, at(8)).expect("item");
        assert_eq!(item.content.expect("content").decision, "published");
        assert_eq!(
            g.get_appeal(&svc(), appeal.id)
                .expect("get")
                .note
                .as_deref(),
            Some("经复核，属误判")
        );
        let _ = content;
    }
}

qinglang_store::both_backends! {
    fn reports_on_users_and_groups_are_upheld_with_a_sanction() {
        let g = service();
        let target = verified_user(&g, "spammer", &resident_id(1));
        let reporter = verified_user(&g, "r", &resident_id(2));
        let filed = g
            .file_report(
                &svc(),
                &report(CaseTarget::User(target), Some(reporter), "fraud"),
                at(0),
            )
            .expect("file");
        let item = g.queue(&alice(), None, false, 1, at(1)).expect("queue")[0].id;
        let e = g
            .decide(&alice(), &[item], QueueDecision::Remove, None, None, at(2))
            .expect("decide");
        assert_eq!(e[0].code, Some("nothing_to_remove"));
        let outcome = g
            .resolve_report(&alice(), filed.report.id, true, None, None, at(3))
            .expect("resolve");
        assert_eq!(outcome.sanctions[0].kind, SanctionKind::Warning);
        assert_eq!(
            g.get_report(&svc(), filed.report.id, at(4))
                .expect("get")
                .report
                .action
                .as_deref(),
            Some("remove_and_sanction")
        );
        // Bad input is named.
        let e = g
            .file_report(&svc(), &report(CaseTarget::Group(999), None, "spam"), at(5))
            .unwrap_err();
        assert_eq!(e.code(), "not_found");
        let e = g
            .file_report(
                &svc(),
                &report(CaseTarget::User(target), None, "annoying"),
                at(5),
            )
            .unwrap_err();
        assert!(e.to_string().contains("annoying"), "{e}");
    }
}

qinglang_store::both_backends! {
    fn lexicon_edits_take_effect_at_once_and_are_audited() {
        use qinglang_engine::{default_lexicon, Policy};
        use qinglang_governance::{EngineRecipe, TermChange};
        let g = service().with_recipe(EngineRecipe {
            lexicons: vec![default_lexicon()],
            policy: Policy::default(),
        });
        let suggestion = |g: &Governance<Database>, text: &str| {
            g.scan(&lead(), text).expect("scan")["suggestion"]
                .as_str()
                .map(str::to_owned)
        };
        assert_eq!(suggestion(&g, "免费看成人视频").as_deref(), Some("block"));
        let e = g
            .edit_lexicon(&alice(), "成人视频", TermChange::Demote, "", at(0))
            .unwrap_err();
        assert_eq!(e.code(), "role_forbidden");
        let edited = g
            .edit_lexicon(
                &lead(),
                "成人视频",
                TermChange::Demote,
                "科普文章误伤",
                at(1),
            )
            .expect("demote");
        assert_eq!(edited.before.expect("was there").action, "block");
        assert_eq!(suggestion(&g, "免费看成人视频").as_deref(), Some("review"));
        g.edit_lexicon(&lead(), "成人视频", TermChange::Remove, "", at(2))
            .expect("remove");
        let e = g
            .edit_lexicon(&lead(), "成人视频", TermChange::Remove, "", at(3))
            .unwrap_err();
        assert_eq!(e.code(), "not_found");

        let add = TermChange::Add {
            category: "drugs".into(),
            action: "block".into(),
        };
        g.edit_lexicon(&lead(), "蓝莓冰沙", add.clone(), "新黑话", at(4))
            .expect("add");
        let v = g.scan(&lead(), "周末一起喝蓝莓冰沙").expect("scan");
        assert_eq!(v["suggestion"], "block");
        assert_eq!(v["hits"][0]["source"], "operator");
        let e = g
            .edit_lexicon(&lead(), "蓝莓冰沙", add, "", at(5))
            .unwrap_err();
        assert_eq!(e.code(), "unchanged");
        let bad = TermChange::Add {
            category: "Drugs!".into(),
            action: "block".into(),
        };
        assert_eq!(
            g.edit_lexicon(&lead(), "x", bad, "", at(5))
                .unwrap_err()
                .code(),
            "invalid_lexicon"
        );
        // Emergency terms can be taken back the same way.
        g.emergency_change(
            &lead(),
            "drill",
            "演习词\tpolitics\tblock\n",
            None,
            None,
            at(6),
        )
        .expect("emergency");
        assert_eq!(suggestion(&g, "这是演习词").as_deref(), Some("block"));
        g.edit_lexicon(&lead(), "演习词", TermChange::Remove, "演习结束", at(7))
            .expect("remove");
        assert_eq!(suggestion(&g, "这是演习词").as_deref(), Some("pass"));

        let terms = g.lexicon_terms(&alice(), "蓝莓", 10).expect("terms");
        assert_eq!(terms[0].source, "operator");
        let trail = g.audit_export(&lead(), T0, at(60)).expect("export");
        let actions: Vec<&str> = trail
            .iter()
            .filter(|e| e.action.starts_with("lexicon."))
            .map(|e| e.action.as_str())
            .collect();
        assert_eq!(
            actions,
            [
                "lexicon.demote",
                "lexicon.remove",
                "lexicon.add",
                "lexicon.remove"
            ]
        );
    }
}

qinglang_store::both_backends! {
    fn the_lead_assigns_reports_and_an_assignment_holds_until_the_deadline() {
        let g = service();
        let author = verified_user(&g, "author", &resident_id(1));
        let content = publish(&g, author, "转发这条消息可以领取补贴", at(0));
        let filed = g
            .file_report(
                &svc(),
                &report(CaseTarget::Content(content), None, "rumour"),
                at(1),
            )
            .expect("file");
        let id = filed.report.id;
        g.create_operator(
            &Principal::system(),
            "bob",
            Role::Moderator,
            "a long enough password",
            at(0),
        )
        .expect("bob");
        // A moderator may take a report, not hand it to someone else.
        assert_eq!(
            g.assign_report(&alice(), id, "bob", at(2))
                .unwrap_err()
                .code(),
            "role_forbidden"
        );
        g.assign_report(&alice(), id, "alice", at(2))
            .expect("take it");
        let view = g.assign_report(&lead(), id, "bob", at(3)).expect("assign");
        assert_eq!(view.assignee.as_deref(), Some("bob"));
        // Unlike a claim, the assignment does not lapse after 15 minutes.
        let item = g
            .queue(&bob(), None, true, 10, at(60))
            .expect("bob's items");
        assert_eq!(item.len(), 1);
        assert_eq!(
            g.claim(&alice(), item[0].id, at(60)).unwrap_err().code(),
            "claimed"
        );
        let out = g
            .resolve_report(&bob(), id, true, None, None, at(90))
            .expect("resolve");
        assert!(out.ok);
        assert_eq!(
            g.assign_report(&lead(), id, "alice", at(91))
                .unwrap_err()
                .code(),
            "report_resolved"
        );
    }
}

qinglang_store::both_backends! {
    fn review_findings_anonymous_reports_blocked_content_and_appeals_without_content() {
        let g = service();
        let author = verified_user(&g, "author", &resident_id(1));
        let target = verified_user(&g, "target", &resident_id(2));
        let reporter = verified_user(&g, "r", &resident_id(3));
        // A report without a reporter has no record to judge: the low lane.
        let content = publish(&g, author, "周末去看展", at(0));
        let anon = g
            .file_report(
                &svc(),
                &report(CaseTarget::Content(content), None, "terrorism"),
                at(1),
            )
            .expect("file");
        assert_eq!(anon.report.lane, Lane::Low);

        // Rejecting a report on content the engine blocked does not publish it.
        let blocked = g
            .submit_content(&svc(), &message(author, None, "免费看成人视频"), at(2))
            .expect("submit");
        assert_eq!(blocked.enforcement.decision, Decision::Rejected);
        let cid = blocked.enforcement.content_id;
        let filed = g
            .file_report(
                &svc(),
                &report(CaseTarget::Content(cid), Some(reporter), "porn"),
                at(3),
            )
            .expect("file");
        g.resolve_report(&alice(), filed.report.id, false, None, None, at(4))
            .expect("resolve");
        let (c, _) = g.content(&alice(), cid).expect("content");
        assert_eq!(c.decision, "rejected");

        // A violation found through a user report has no content; its appeal still voids the
        // strike and gives back exactly the credit it cost.
        let filed = g
            .file_report(
                &svc(),
                &report(CaseTarget::User(target), Some(reporter), "fraud"),
                at(5),
            )
            .expect("file");
        let out = g
            .resolve_report(&alice(), filed.report.id, true, None, None, at(6))
            .expect("resolve");
        let sanction = out.sanctions[0].id;
        let before = g.get_user(&alice(), target, at(7)).expect("user");
        assert_eq!((before.credit.score, before.strikes_in_window), (90, 1));
        let appeal = g
            .file_appeal(&svc(), sanction, target, "我没有诈骗", at(8))
            .expect("appeal");
        g.decide_appeal(&bob(), appeal.id, true, "证据不足", at(9))
            .expect("decide");
        let after = g.get_user(&alice(), target, at(10)).expect("user");
        assert_eq!((after.credit.score, after.strikes_in_window), (100, 0));

        assert_eq!(
            g.annual_report(&lead(), i32::MAX, at(11))
                .unwrap_err()
                .code(),
            "invalid_year"
        );
    }
}

qinglang_store::both_backends! {
    fn an_emergency_change_after_a_lexicon_edit_adds_the_term_again() {
        use qinglang_engine::{default_lexicon, Policy};
        use qinglang_governance::{EngineRecipe, TermChange};
        let g = service().with_recipe(EngineRecipe {
            lexicons: vec![default_lexicon()],
            policy: Policy::default(),
        });
        let suggestion = |text: &str| g.scan(&lead(), text).expect("scan")["suggestion"].clone();
        let add = TermChange::Add {
            category: "drugs".into(),
            action: "block".into(),
        };
        g.edit_lexicon(&lead(), "蓝莓冰沙", add, "", at(0))
            .expect("add");
        g.edit_lexicon(&lead(), "蓝莓冰沙", TermChange::Remove, "误伤", at(1))
            .expect("remove");
        assert_eq!(suggestion("来杯蓝莓冰沙"), "pass");
        g.emergency_change(
            &lead(),
            "again",
            "蓝莓冰沙\tdrugs\tblock\n",
            None,
            None,
            at(2),
        )
        .expect("emergency");
        assert_eq!(suggestion("来杯蓝莓冰沙"), "block");
    }
}

qinglang_store::both_backends! {
    /// The emergency sweep reviews a stored article as a page, as at submission (REV-8): a
    /// term written as character references is read, not missed in the raw HTML (ENF-3).
    fn the_emergency_sweep_reviews_articles_as_pages() {
        use qinglang_engine::{default_lexicon, Policy};
        use qinglang_governance::EngineRecipe;
        let g = service().with_recipe(EngineRecipe {
            lexicons: vec![default_lexicon()],
            policy: Policy::default(),
        });
        let owner = verified_user(&g, "owner", &resident_id(1));
        let account = g
            .open_account(&svc(), &personal_account(owner, "夏日饮品", "food"), at(0))
            .expect("account")
            .id;
        let post = qinglang_governance::Submission {
            author: owner,
            group: None,
            account: Some(account),
            kind: ContentKind::Article,
            text: "<html><body><p>今天来杯&#x84DD;&#x8393;冰沙</p></body></html>".into(),
            scene: None,
        };
        let submitted = g.submit_content(&svc(), &post, at(1)).expect("submit");
        assert_eq!(submitted.enforcement.decision, Decision::Published);
        g.emergency_change(
            &lead(),
            "slang",
            "蓝莓冰沙\tdrugs\tblock\n",
            None,
            None,
            at(2),
        )
        .expect("emergency");
        let report = g.sweep(&lead(), at(0), true, at(3)).expect("sweep");
        assert_eq!(report.caught.len(), 1, "{report:?}");
        assert_eq!(report.caught[0].content, submitted.enforcement.content_id);
        assert_eq!(report.acted, 1);
        let (c, _) = g
            .content(&alice(), submitted.enforcement.content_id)
            .expect("content");
        assert_eq!(c.decision, "rejected");
    }
}

qinglang_store::both_backends! {
    /// Every decision names the rules it was taken under (OPS-2): after an emergency change the
    /// version is no longer the policy file's alone.
    fn decisions_after_an_emergency_change_name_a_new_rules_version() {
        use qinglang_engine::{default_lexicon, Policy};
        use qinglang_governance::EngineRecipe;
        let g = service().with_recipe(EngineRecipe {
            lexicons: vec![default_lexicon()],
            policy: Policy::default(),
        });
        let file = g.policy().version.clone();
        assert_eq!(g.policy_version(), file);
        let author = verified_user(&g, "author", &resident_id(1));
        publish(&g, author, "今天天气很好", at(0));
        g.emergency_change(&lead(), "tighten", "", Some(30), None, at(1))
            .expect("emergency");
        assert_eq!(g.policy_version(), format!("{file}+1"));
        publish(&g, author, "今天天气也很好", at(2));
        let versions: Vec<(String, String)> = g
            .audit_export(&principal(Role::Auditor), at(0), at(10))
            .expect("audit")
            .into_iter()
            .filter(|e| e.action.starts_with("content.") || e.action == "policy.emergency")
            .map(|e| (e.action, e.policy_version))
            .collect();
        assert_eq!(versions.first().map(|v| &v.1), Some(&file), "{versions:?}");
        assert_eq!(
            versions.last().map(|v| v.1.clone()),
            Some(format!("{file}+1")),
            "{versions:?}"
        );
    }
}

qinglang_store::both_backends! {
    fn failed_sign_ins_are_audited_and_throttled_per_name() {
        let g = service();
        g.create_operator(
            &Principal::system(),
            "lin",
            Role::Lead,
            "correct horse battery",
            at(0),
        )
        .expect("operator");
        // A token principal may not take an operator's name, nor the other way round.
        assert_eq!(
            g.create_token(&Principal::system(), Role::Service, "lin", at(0))
                .unwrap_err()
                .code(),
            "name_taken"
        );
        for _ in 0..10 {
            assert_eq!(
                g.sign_in_password("lin", "guess", at(1))
                    .unwrap_err()
                    .code(),
                "unauthenticated"
            );
        }
        // The eleventh attempt within the minute is refused unchecked, the right password too.
        assert_eq!(
            g.sign_in_password("lin", "correct horse battery", at(1))
                .unwrap_err()
                .code(),
            "rate_limited"
        );
        let session = g
            .sign_in_password("lin", "correct horse battery", at(3))
            .expect("a minute later");
        let (p, csrf) = g
            .session(&session.cookie, at(4))
            .expect("lookup")
            .expect("live");
        assert_eq!((p.name.as_str(), csrf.len()), ("lin", 64));
        // Sessions end: after 12 hours, and on sign-out.
        assert!(g
            .session(&session.cookie, at(12 * 60 + 4))
            .expect("lookup")
            .is_none());
        g.sign_out(&session.cookie).expect("sign out");
        assert!(g.session(&session.cookie, at(5)).expect("lookup").is_none());
        let trail = g.audit_export(&lead(), T0, at(60)).expect("export");
        let failed = trail
            .iter()
            .filter(|e| e.action == "session.sign_in_failed")
            .count();
        assert_eq!(failed, 10);
    }
}

/// A user with a public account, and a reporter.
fn account_owner(g: &Governance<Database>) -> (Id, Id, Id) {
    let owner = verified_user(g, "owner", &resident_id(1));
    let reporter = verified_user(g, "r", &resident_id(2));
    let account = g
        .open_account(
            &svc(),
            &personal_account(owner, "山野手记", "travel"),
            at(0),
        )
        .expect("account")
        .id;
    (owner, reporter, account)
}

/// Upholds reports on `owner` one after another until `until` says stop (or ten); returns
/// the sanctions each step applied, in order.
fn uphold_reports_until(
    g: &Governance<Database>,
    owner: Id,
    reporter: Id,
    until: impl Fn(&[SanctionView]) -> bool,
) -> Vec<SanctionView> {
    let mut sanctions = Vec::new();
    for i in 0..10 {
        let filed = g
            .file_report(
                &svc(),
                &report(CaseTarget::User(owner), Some(reporter), "fraud"),
                at(1 + i),
            )
            .expect("file");
        sanctions.extend(
            g.resolve_report(&alice(), filed.report.id, true, None, None, at(20 + i))
                .expect("resolve")
                .sanctions,
        );
        if until(&sanctions) {
            break;
        }
    }
    sanctions
}

qinglang_store::both_backends! {
    fn an_upheld_appeal_against_closing_reopens_the_accounts_it_closed() {
        let g = service();
        let (owner, reporter, account) = account_owner(&g);
        // Upheld reports until a strike closes the user (and their accounts): the fifth.
        let sanctions = uphold_reports_until(&g, owner, reporter, |s| {
            s.iter().any(|s| s.kind == SanctionKind::Close)
        });
        let close = sanctions.last().expect("a sanction");
        assert_eq!(close.kind, SanctionKind::Close);
        assert!(g.get_account(&alice(), account).expect("account").closed);
        let appeal = g
            .file_appeal(&svc(), close.id, owner, "账号被盗用", at(40))
            .expect("appeal");
        g.decide_appeal(&bob(), appeal.id, true, "核实被盗", at(41))
            .expect("decide");
        let a = g.get_account(&alice(), account).expect("account");
        assert!(!a.closed, "the account is open again, under its own name");
        assert_eq!(a.name, "山野手记");
    }
}

qinglang_store::both_backends! {
    /// An appeal upheld against the close, after the ladder went on to blacklist the user, does
    /// not reopen the accounts: the blacklist still in force closed them too (ENF-2, CMP-2).
    /// Upheld against the blacklist as well, they come back.
    fn an_upheld_appeal_against_closing_leaves_a_blacklisted_users_accounts_closed() {
        let g = service();
        let (owner, reporter, account) = account_owner(&g);
        let sanctions = uphold_reports_until(&g, owner, reporter, |s| {
            s.iter().any(|s| s.kind == SanctionKind::Blacklist)
        });
        let close = sanctions
            .iter()
            .find(|s| s.kind == SanctionKind::Close)
            .expect("the ladder closed the user");
        let blacklist = sanctions
            .iter()
            .find(|s| s.kind == SanctionKind::Blacklist)
            .expect("then blacklisted them");
        let appeal = g
            .file_appeal(&svc(), close.id, owner, "账号被盗用", at(40))
            .expect("appeal");
        g.decide_appeal(&bob(), appeal.id, true, "核实被盗", at(41))
            .expect("decide");
        assert!(
            g.get_account(&alice(), account).expect("account").closed,
            "still closed: the blacklist is in force"
        );
        let appeal = g
            .file_appeal(&svc(), blacklist.id, owner, "账号被盗用", at(42))
            .expect("appeal");
        g.decide_appeal(&bob(), appeal.id, true, "核实被盗", at(43))
            .expect("decide");
        assert!(!g.get_account(&alice(), account).expect("account").closed);
    }
}

qinglang_store::both_backends! {
    /// The retention sweep (AUD-2) keeps content that an open queue item or report is about:
    /// before, it deleted it, and deciding the item (with every other item in the same batch)
    /// or resolving the report failed with "content not found" for good (CMP-1).
    fn the_retention_sweep_keeps_content_under_open_casework() {
        let g = service();
        let author = verified_user(&g, "author", &resident_id(1));
        let reporter = verified_user(&g, "reporter", &resident_id(2));
        let held = g
            .submit_content(
                &svc(),
                &message(author, None, "货到了，加微信 wx8881234 详聊"),
                at(0),
            )
            .expect("submit");
        assert_eq!(held.enforcement.decision, Decision::Held);
        let reported = publish(&g, author, "今天去公园散步了", at(1));
        let filed = g
            .file_report(
                &svc(),
                &report(CaseTarget::Content(reported), Some(reporter), "rumour"),
                at(2),
            )
            .expect("file");
        let plain = publish(&g, author, "晚饭吃了面条", at(3));

        let later = T0.plus_days(200);
        let (pruned, _) = g.retention_sweep(later).expect("sweep");
        assert_eq!(pruned, 1, "only the content with no open case goes");
        assert_eq!(g.content(&alice(), plain).unwrap_err().code(), "not_found");
        assert!(g.content(&alice(), reported).is_ok());

        let queue = g.queue(&alice(), None, false, 50, later).expect("queue");
        let item = queue
            .iter()
            .find(|e| e.target == CaseTarget::Content(held.enforcement.content_id))
            .expect("the held content's item");
        let outcomes = g
            .decide(
                &alice(),
                &[item.id],
                QueueDecision::Remove,
                None,
                None,
                later,
            )
            .expect("decide");
        assert!(outcomes.iter().all(|o| o.ok), "{outcomes:?}");
        let outcome = g
            .resolve_report(&alice(), filed.report.id, false, None, None, later)
            .expect("resolve");
        assert!(outcome.ok);

        // Decided, the cases no longer hold their content back.
        let (pruned, _) = g.retention_sweep(T0.plus_days(201)).expect("sweep");
        assert_eq!(pruned, 2);
    }
}

qinglang_store::both_backends! {
    /// Operators are listed, given a new password (their sessions end, the old password stops
    /// working) and disabled (#22).
    fn operators_are_listed_given_new_passwords_and_disabled() {
        let g = service();
        let admin = Principal::system();
        g.create_operator(&admin, "lin", Role::Lead, "correct horse battery", at(0))
            .expect("operator");
        g.create_operator(&admin, "wu", Role::Moderator, "another long one", at(0))
            .expect("operator");
        let session = g
            .sign_in_password("lin", "correct horse battery", at(1))
            .expect("signed in");
        assert!(matches!(
            g.set_operator_password(&admin, "lin", "short", at(2))
                .unwrap_err()
                .code(),
            "weak_password"
        ));
        assert_eq!(
            g.set_operator_password(&admin, "nobody", "long enough password", at(2))
                .unwrap_err()
                .code(),
            "not_found"
        );
        g.set_operator_password(&admin, "lin", "a brand new passphrase", at(2))
            .expect("new password");
        assert!(g.session(&session.cookie, at(3)).expect("lookup").is_none());
        assert!(g
            .sign_in_password("lin", "correct horse battery", at(3))
            .is_err());
        g.sign_in_password("lin", "a brand new passphrase", at(3))
            .expect("the new password works");
        g.revoke_tokens(&admin, "wu", at(4)).expect("disabled");
        let listed: Vec<(String, Role, bool)> = g
            .operators(&admin)
            .expect("list")
            .into_iter()
            .map(|o| (o.name, o.role, o.disabled))
            .collect();
        assert_eq!(
            listed,
            [
                ("lin".to_owned(), Role::Lead, false),
                ("wu".to_owned(), Role::Moderator, true)
            ]
        );
        let moderator = Principal {
            id: 99,
            name: "m".into(),
            role: Role::Moderator,
        };
        assert_eq!(
            g.operators(&moderator).unwrap_err().code(),
            "role_forbidden"
        );
    }
}

qinglang_store::both_backends! {
    /// The annual report and the dashboard count by local days and years (Asia/Shanghai, the
    /// default `[locale]`): a message at 17:00 UTC on 31 December is New Year's Day in Beijing.
    fn reports_count_local_days_and_years() {
        let g = service();
        let author = verified_user(&g, "author", &resident_id(9));
        let new_year_in_beijing = Timestamp::parse("2026-12-31T17:00:00Z").expect("time");
        publish(&g, author, "新年快乐", new_year_in_beijing);
        let later = Timestamp::parse("2027-01-01T06:00:00Z").expect("time");
        let y2026 = g.annual_report(&lead(), 2026, later).expect("2026");
        let y2027 = g.annual_report(&lead(), 2027, later).expect("2027");
        assert_eq!((y2026.submissions, y2027.submissions), (0, 1));
        assert_eq!(y2027.months[0].period, "2027-01");
        assert_eq!(y2027.from, "2026-12-31T16:00:00.000Z", "local midnight");
        let dash = g.dashboard(&lead(), 1, later).expect("dashboard");
        assert_eq!(dash.days.len(), 1);
        assert_eq!(
            (dash.days[0].period.as_str(), dash.days[0].total),
            ("2027-01-01", 1)
        );
    }
}

qinglang_store::both_backends! {
    /// The dashboard's report figures (CMP-1, AUD-3) are counted by the store, not by reading
    /// every report: filed by category, resolved on time or late, the median and 90th
    /// percentile handling times, and open reports past their deadline; the queue's depth
    /// agrees with the queue itself.
    fn the_dashboard_counts_report_handling_in_the_store() {
        let g = service();
        let author = verified_user(&g, "author", &resident_id(11));
        let file = |text: &str, category: &str| {
            let content = publish(&g, author, text, at(0));
            g.file_report(
                &svc(),
                &report(CaseTarget::Content(content), None, category),
                at(0),
            )
            .expect("file")
            .report
            .id
        };
        let quick = file("第一条消息", "abuse");
        let slower = file("第二条消息", "abuse");
        let late = file("第三条消息", "rumour");
        let _open = file("第四条消息", "porn");
        g.resolve_report(&alice(), quick, true, None, None, at(10))
            .expect("uphold");
        g.resolve_report(&alice(), slower, false, None, None, at(30))
            .expect("reject");
        // Past the 24-hour deadline.
        g.resolve_report(&alice(), late, false, None, None, at(25 * 60))
            .expect("reject late");
        let now = at(26 * 60);
        let dash = g.dashboard(&lead(), 7, now).expect("dashboard");
        let r = &dash.reports;
        assert_eq!((r.filed, r.resolved, r.upheld, r.rejected), (4, 3, 1, 2));
        assert_eq!((r.on_time, r.overdue_open), (2, 1));
        assert_eq!((r.median_minutes, r.p90_minutes), (Some(30), Some(1500)));
        assert_eq!(r.deadline_minutes, 24 * 60);
        assert_eq!(
            r.by_category
                .iter()
                .map(|(k, v)| (k.as_str(), *v))
                .collect::<Vec<_>>(),
            [("abuse", 2), ("porn", 1), ("rumour", 1)]
        );
        let queue = g.queue(&alice(), None, false, 500, now).expect("queue");
        let count = |f: &dyn Fn(&qinglang_governance::casework::QueueEntry) -> bool| {
            queue.iter().filter(|e| f(e)).count() as u64
        };
        assert!(!queue.is_empty());
        assert_eq!(dash.queue.open, queue.len() as u64);
        assert_eq!(dash.queue.claimed, count(&|e| e.claimed_by.is_some()));
        assert_eq!(dash.queue.overdue, count(&|e| e.overdue));
        assert_eq!(dash.queue.low_lane, count(&|e| e.lane == Lane::Low));
    }
}

qinglang_store::both_backends! {
    /// The store orders and cuts the queue in SQL (#23, the soak): its order is
    /// `QueueItem::priority`'s at the moment asked, lanes, holders and limits included.
    fn the_store_orders_the_queue_by_priority_at_the_moment_asked() {
        use qinglang_governance::Store as _;
        let g = service();
        let mut expected = Vec::new();
        g.store()
            .write(|tx| {
                for n in 0..40i64 {
                    // Severity, reach, lane, age and time to deadline all vary.
                    let created = T0.0 + (n * 7919) % 50 * 60_000;
                    let mut item = QueueItem {
                        id: 0,
                        target: CaseTarget::Content(1000 + n),
                        held: n % 2 == 0,
                        severity: ((n * 37) % 100) as u32,
                        reach: [0, 9, 200, 50_000, 3_000_000][(n % 5) as usize],
                        lane: if n % 7 == 0 { Lane::Low } else { Lane::Normal },
                        created_at: Timestamp(created),
                        deadline_at: Timestamp(created + [2, 24, 72][(n % 3) as usize] * HOUR),
                        claimed_by: (n % 6 == 1).then(|| "alice".to_owned()),
                        claimed_at: (n % 6 == 1).then_some(Timestamp(created)),
                        decision: None,
                        decided_by: None,
                        decided_at: None,
                        note: None,
                    };
                    item.id = tx.insert_queue_item(&item)?;
                    expected.push(item);
                }
                Ok(())
            })
            .expect("items");
        for now in [at(0), at(90), at(30 * 60), at(80 * 60)] {
            let claim_ms = 15 * 60_000;
            let mut want: Vec<&QueueItem> = expected.iter().collect();
            want.sort_by(|a, b| b.priority(now).total_cmp(&a.priority(now)).then(a.id.cmp(&b.id)));
            let ids = |items: &[&QueueItem]| items.iter().map(|i| i.id).collect::<Vec<_>>();
            let ranked = |q: QueueQuery<'_>| {
                g.store()
                    .read(|tx| tx.ranked_queue(&q))
                    .expect("ranked")
                    .iter()
                    .map(|i| i.id)
                    .collect::<Vec<_>>()
            };
            let query = |limit| QueueQuery {
                now,
                lane: None,
                held_by: None,
                not_held_by_others_than: None,
                claim_ms,
                limit,
            };
            assert_eq!(ranked(query(100)), ids(&want), "at {now:?}");
            assert_eq!(ranked(query(5)), ids(&want[..5]), "cut at the limit");
            let low: Vec<&QueueItem> = want.iter().copied().filter(|i| i.lane == Lane::Low).collect();
            assert_eq!(ranked(QueueQuery { lane: Some(Lane::Low), ..query(100) }), ids(&low));
            let held: Vec<&QueueItem> = want
                .iter()
                .copied()
                .filter(|i| i.holder(now, claim_ms) == Some("alice"))
                .collect();
            assert_eq!(ranked(QueueQuery { held_by: Some("alice"), ..query(100) }), ids(&held));
            let free_for_bob: Vec<&QueueItem> = want
                .iter()
                .copied()
                .filter(|i| i.holder(now, claim_ms).is_none_or(|h| h == "bob"))
                .collect();
            assert_eq!(
                ranked(QueueQuery { not_held_by_others_than: Some("bob"), ..query(100) }),
                ids(&free_for_bob)
            );
            // The dashboard's waiting bands, counted by the store.
            let depth = g.store().read(|tx| tx.queue_depth(now, claim_ms)).expect("depth");
            let mut waiting = vec![0u64; 6];
            for i in &expected {
                let age = (now.0 - i.created_at.0) / 60_000;
                let band = qinglang_governance::stats::WAIT_BANDS_MINUTES
                    .iter()
                    .position(|&b| age < b)
                    .unwrap_or(5);
                waiting[band] += 1;
            }
            assert_eq!(depth.waiting, waiting, "at {now:?}");
            let oldest = expected.iter().map(|i| i.created_at.0).min().expect("items");
            assert_eq!(depth.oldest_minutes, Some(((now.0 - oldest) / 60_000).max(0)));
        }
    }
}

qinglang_store::both_backends! {
    /// The dashboard's volumes come from per-quarter-hour counts kept with every message and
    /// decision (#23): they equal a count over the messages themselves.
    fn volume_counts_follow_every_message_and_decision() {
        use qinglang_governance::Store as _;
        let g = service();
        let author = verified_user(&g, "author", &resident_id(1));
        let mut held = Vec::new();
        for (i, text) in ["今天天气不错", "免费毛片在线看", "周末去爬山吗", "加微信看裸聊", "河南人都是骗子"]
            .iter()
            .enumerate()
        {
            let r = g
                .submit_content(&svc(), &message(author, None, text), at(i as i64 * 400))
                .expect("submit");
            if r.enforcement.decision == Decision::Held {
                held.push(r.enforcement.content_id);
            }
        }
        assert!(!held.is_empty(), "a message was held for review");
        // A moderator's decision moves a message from one count to another.
        let items: Vec<i64> = g
            .queue(&alice(), None, false, 100, at(3000))
            .expect("queue")
            .iter()
            .map(|e| e.id)
            .collect();
        g.decide(&alice(), &items, QueueDecision::Remove, None, None, at(3001))
            .expect("decide");
        let counted: Vec<(i64, String, String, u64)> = g
            .store()
            .read(|tx| tx.content_volume(at(-100_000), at(100_000), 8 * HOUR))
            .expect("volume");
        let direct = g
            .store()
            .query_i64("SELECT count(*) FROM content")
            .expect("count");
        assert_eq!(counted.iter().map(|r| r.3).sum::<u64>() as i64, direct);
        // Audited actions, counted per quarter hour too, equal the trail's own count.
        let actions = g
            .store()
            .read(|tx| tx.audit_action_counts(at(-100_000), at(100_000)))
            .expect("actions");
        assert!(!actions.is_empty());
        for (action, n) in &actions {
            let in_trail = g
                .store()
                .query_i64(&format!("SELECT count(*) FROM audit WHERE action = '{action}'"))
                .expect("count");
            assert_eq!(*n as i64, in_trail, "{action}");
        }
        let total: u64 = actions.iter().map(|a| a.1).sum();
        assert_eq!(
            total as i64,
            g.store().query_i64("SELECT count(*) FROM audit").expect("count")
        );
        for decision in ["published", "rejected", "removed", "held"] {
            let in_buckets: u64 = counted.iter().filter(|r| r.1 == decision).map(|r| r.3).sum();
            let in_content = g
                .store()
                .query_i64(&format!("SELECT count(*) FROM content WHERE decision = '{decision}'"))
                .expect("count");
            assert_eq!(in_buckets as i64, in_content, "{decision}");
        }
    }
}
