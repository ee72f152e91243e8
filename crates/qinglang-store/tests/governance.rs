//! Governance rules on the real stores, each test on SQLite and on PostgreSQL: identity, accounts, groups, the content flow
//! with its ladders, and the audit chain.

use qinglang_governance::authz::Role;
use qinglang_governance::identity::IdentityKind;
use qinglang_governance::model::*;
use qinglang_governance::policy::SanctionKind;
use qinglang_governance::{NewAccount, Submission};
use qinglang_store::Database;

mod common;

use common::*;

qinglang_store::both_backends! {
    fn identity_is_validated_sealed_masked_and_revealed_only_to_the_lead() {
        let g = service();
        let u = g.create_user(&svc(), "小明", T0).unwrap();
        let bad = g.verify_identity(
            &svc(),
            u.id,
            IdentityKind::ResidentId,
            "110105194912310029",
            "张三",
            T0,
        );
        assert_eq!(bad.map_err(code).unwrap_err(), "invalid_identity");

        let view = g
            .verify_identity(
                &svc(),
                u.id,
                IdentityKind::ResidentId,
                "11010519491231002X",
                "张三",
                T0,
            )
            .unwrap();
        let ident = view.identity.expect("identity shown");
        assert_eq!(ident.masked, "1101**********002X");
        assert_eq!(ident.name, "张*");
        // The clear value is not in the database file's rows.
        let clear_rows = g
            .store()
            .query_i64(match g.store() {
                Database::Sqlite(_) => "SELECT count(*) FROM users WHERE instr(id_sealed, CAST('11010519' AS BLOB)) > 0 OR instr(id_name_sealed, CAST('张三' AS BLOB)) > 0",
                Database::Postgres(_) => "SELECT count(*) FROM users WHERE position(convert_to('11010519', 'UTF8') in id_sealed) > 0 OR position(convert_to('张三', 'UTF8') in id_name_sealed) > 0",
            })
            .unwrap();
        assert_eq!(clear_rows, 0);
        assert_eq!(
            g.store()
                .query_i64("SELECT count(*) FROM users WHERE id_sealed IS NOT NULL")
                .unwrap(),
            1
        );

        for role in [Role::Service, Role::Moderator, Role::Auditor, Role::Admin] {
            let e = g
                .reveal_identity(&principal(role), u.id, "investigation", T0)
                .unwrap_err();
            assert_eq!(e.code(), "role_forbidden", "{role:?}");
        }
        let clear = g
            .reveal_identity(&principal(Role::Lead), u.id, "police request 17", T0)
            .unwrap();
        assert_eq!(clear.value, "11010519491231002X");
        assert_eq!(clear.name, "张三");
        let audit = g
            .audit_export(&principal(Role::Auditor), T0, T0.plus_days(1))
            .unwrap();
        assert!(audit
            .iter()
            .any(|e| e.action == "identity.reveal" && e.reason == "police request 17"));
    }
}

qinglang_store::both_backends! {
    fn unverified_users_cannot_publish_create_groups_or_open_accounts() {
        let g = service();
        let u = g.create_user(&svc(), "路人", T0).unwrap();
        let e = g
            .submit_content(&svc(), &message(u.id, None, "你好"), T0)
            .unwrap_err();
        assert_eq!(e.code(), "identity_unverified");
        assert_eq!(
            g.create_group(&svc(), u.id, "读书会", 50, T0)
                .unwrap_err()
                .code(),
            "identity_unverified"
        );
        let req = personal_account(u.id, "读书笔记", "culture");
        assert_eq!(
            g.open_account(&svc(), &req, T0).unwrap_err().code(),
            "identity_unverified"
        );
    }
}

qinglang_store::both_backends! {
    fn accounts_are_capped_per_identity_checked_and_tiered() {
        let g = service();
        let a = verified_user(&g, "甲", "11010519491231002X");
        // ID-4: the same person cannot verify a second user.
        let b = g.create_user(&svc(), "乙", T0).unwrap().id;
        let e = g
            .verify_identity(
                &svc(),
                b,
                IdentityKind::ResidentId,
                "11010519491231002X",
                "张三",
                T0,
            )
            .unwrap_err();
        assert_eq!(e.code(), "identity_in_use");
        let b = verified_user(&g, "丁", &resident_id(7));
        let req = |owner, name: &str| NewAccount {
            owner,
            name: name.into(),
            bio: "分享读书心得".into(),
            subject: AccountSubject::Individual,
            category: "culture".into(),
            news_licence: false,
            followers: 20_000,
            monthly_reads: 200_000,
        };
        let acc = g.open_account(&svc(), &req(a, "读书笔记"), T0).unwrap();
        assert_eq!(acc.tier.name, "established");
        // ID-4: one public account per person.
        assert_eq!(
            g.open_account(&svc(), &req(a, "读书笔记二"), T0)
                .unwrap_err()
                .code(),
            "account_cap_reached"
        );
        assert!(
            g.open_account(&svc(), &req(b, "读书笔记二"), T0).is_ok(),
            "another person may"
        );
        // PA-1: impersonation and news claims are refused with reasons.
        let c = verified_user(&g, "丙", "440308199901011234");
        let e = g
            .open_account(&svc(), &req(c, "人民日报精选"), T0)
            .unwrap_err();
        assert_eq!(e.code(), "profile_rejected");
        assert!(e.to_string().contains("人民日报"), "{e}");
        let e = g.open_account(&svc(), &req(c, "每日新闻"), T0).unwrap_err();
        assert!(e.to_string().contains("licence"), "{e}");
        // An organisation account needs an organisation identity.
        let mut org = req(c, "维创科技");
        org.subject = AccountSubject::Enterprise;
        assert_eq!(
            g.open_account(&svc(), &org, T0).unwrap_err().code(),
            "subject_mismatch"
        );
    }
}

qinglang_store::both_backends! {
    fn groups_check_credit_caps_and_approval() {
        let g = service();
        let owner = verified_user(&g, "群主", "11010519491231002X");
        assert_eq!(
            g.create_group(&svc(), owner, "大群", 501, T0)
                .unwrap_err()
                .code(),
            "group_too_large"
        );
        let group = g.create_group(&svc(), owner, "读书会", 500, T0).unwrap();
        assert_eq!(group.members, 1);
        // Fill to the approval threshold (40): members join directly.
        let mut last = 0;
        for i in 0..39 {
            let u = g.create_user(&svc(), &format!("成员{i}"), T0).unwrap();
            let m = g
                .join_group(&svc(), group.id, u.id, GroupRole::Member, None, T0)
                .unwrap();
            assert_eq!(m.status, MembershipStatus::Active);
            last = u.id;
        }
        // Above 40 members a join waits for approval by the creator or a manager.
        let u = g.create_user(&svc(), "新人", T0).unwrap();
        let m = g
            .join_group(&svc(), group.id, u.id, GroupRole::Member, None, T0)
            .unwrap();
        assert_eq!(m.status, MembershipStatus::Pending);
        let e = g
            .join_group(&svc(), group.id, u.id, GroupRole::Member, Some(last), T0)
            .unwrap_err();
        assert_eq!(e.code(), "not_a_manager");
        let m = g
            .join_group(&svc(), group.id, u.id, GroupRole::Member, Some(owner), T0)
            .unwrap();
        assert_eq!(m.status, MembershipStatus::Active);
    }
}

qinglang_store::both_backends! {
    /// The join cap counts groups joined, not requests waiting for approval: before, a user one
    /// below the cap with a pending request was refused when a manager approved it, since the
    /// request itself was counted (GRP-1, GRP-2).
    fn an_approved_join_one_below_the_cap_is_admitted_and_pending_requests_do_not_count() {
        let g = service_with_policy_edits(&[
            ("max_groups_joined = 500", "max_groups_joined = 3"),
            ("approval_above = 40", "approval_above = 1"),
        ]);
        let owner = verified_user(&g, "群主", &resident_id(1));
        let user = verified_user(&g, "新人", &resident_id(2));
        let groups: Vec<Id> = (0..4)
            .map(|i| {
                g.create_group(&svc(), owner, &format!("读书会{i}"), 100, T0)
                    .unwrap()
                    .id
            })
            .collect();
        // Every join waits for approval (approval above one member): request all four.
        for &group in &groups {
            let m = g
                .join_group(&svc(), group, user, GroupRole::Member, None, T0)
                .unwrap();
            assert_eq!(m.status, MembershipStatus::Pending);
        }
        for &group in &groups[..3] {
            let m = g
                .join_group(&svc(), group, user, GroupRole::Member, Some(owner), T0)
                .unwrap();
            assert_eq!(m.status, MembershipStatus::Active);
        }
        // Three joined: the cap holds when the fourth is approved.
        let e = g
            .join_group(&svc(), groups[3], user, GroupRole::Member, Some(owner), T0)
            .unwrap_err();
        assert_eq!(e.code(), "join_cap_reached");
    }
}

qinglang_store::both_backends! {
    fn blocked_content_strikes_lowers_credit_and_climbs_the_ladder() {
        let g = service();
        let author = verified_user(&g, "发广告的", "11010519491231002X");
        let group = g
            .create_group(&svc(), author, "闲聊群", 100, T0)
            .unwrap()
            .id;

        let ok = g
            .submit_content(&svc(), &message(author, Some(group), "今天天气不错"), T0)
            .unwrap();
        assert_eq!(ok.enforcement.decision, Decision::Published);
        assert!(!ok.enforcement.strike);

        let spam = "免费毛片在线看";
        let mut kinds = Vec::new();
        let mut now = T0;
        for i in 1..=3 {
            now = Timestamp(T0.0 + i * 60_000);
            let r = g
                .submit_content(&svc(), &message(author, Some(group), spam), now)
                .unwrap();
            assert_eq!(r.enforcement.decision, Decision::Rejected);
            assert!(r.enforcement.strike);
            assert_eq!(r.verdict["suggestion"], "block");
            kinds.extend(
                r.enforcement
                    .sanctions
                    .iter()
                    .filter(|s| matches!(s.target, Target::User(_)))
                    .map(|s| s.kind),
            );
            if i == 2 {
                // restrict_publishing: clean content is now held for a human.
                let held = g
                    .submit_content(&svc(), &message(author, Some(group), "大家好"), now)
                    .unwrap();
                assert_eq!(held.enforcement.decision, Decision::Held);
            }
        }
        assert_eq!(
            kinds,
            [
                SanctionKind::Warning,
                SanctionKind::RestrictPublishing,
                SanctionKind::SuspendUpdates
            ]
        );

        // Suspended: publishing is refused, and the user page shows it with credit lowered.
        let e = g
            .submit_content(&svc(), &message(author, Some(group), "你好"), now)
            .unwrap_err();
        assert_eq!(e.code(), "publishing_suspended");
        let view = g
            .get_user(&principal(Role::Moderator), author, now)
            .unwrap();
        // 3 violations × -10, and -5 from the role-holder ladder: the author created the group
        // their spam went into (谁建群谁负责).
        assert_eq!(view.credit.score, 65);
        assert_eq!(view.strikes_in_window, 3);
        assert!(view
            .sanctions
            .iter()
            .any(|s| s.kind == SanctionKind::SuspendUpdates));

        // Sanctions expire on time: after 7 days the author may publish again.
        let later = now.plus_days(8);
        let r = g
            .submit_content(&svc(), &message(author, Some(group), "我回来了"), later)
            .unwrap();
        assert_eq!(r.enforcement.decision, Decision::Published);

        // The group's count reached its warning step (3 blocked messages).
        let gv = g
            .get_group(&principal(Role::Moderator), group, later)
            .unwrap();
        assert!(gv.sanctions.iter().any(|s| s.kind == SanctionKind::Warning));

        let report = g
            .audit_verify(&principal(Role::Auditor), T0.plus_days(10))
            .unwrap();
        assert!(report.ok, "{report:?}");
    }
}

qinglang_store::both_backends! {
    fn blacklisted_identity_cannot_register_again() {
        let g = service();
        let author = verified_user(&g, "惯犯", "11010519491231002X");
        let account = g
            .open_account(
                &svc(),
                &personal_account(author, "好物分享", "shopping"),
                T0,
            )
            .unwrap();
        // Keep violating; wait out each suspension. The ladder climbs to close, then blacklist.
        let mut t = T0;
        let mut steps = Vec::new();
        loop {
            t = Timestamp(t.0 + 60_000);
            match g.submit_content(&svc(), &message(author, None, "出售冰毒K粉"), t) {
                Ok(r) => steps.extend(r.enforcement.sanctions.iter().map(|s| s.kind)),
                Err(e) if e.code() == "publishing_suspended" => t = t.plus_days(8),
                Err(e) => {
                    assert_eq!(e.code(), "blacklisted", "{e}");
                    break;
                }
            }
            assert!(
                t.0 < T0.plus_days(80).0,
                "ladder never reached blacklist: {steps:?}"
            );
        }
        assert_eq!(
            steps,
            [
                SanctionKind::Warning,
                SanctionKind::RestrictPublishing,
                SanctionKind::SuspendUpdates,
                SanctionKind::Close,
                SanctionKind::Blacklist
            ]
        );
        assert!(
            g.get_account(&svc(), account.id).unwrap().closed,
            "close closes public accounts"
        );
        // PA-1: the closed account's name is tombstoned, also when written slightly apart.
        let other = verified_user(&g, "别人", "440308199901011234");
        let e = g
            .open_account(&svc(), &personal_account(other, "好物 分享", "shopping"), t)
            .unwrap_err();
        assert_eq!(e.code(), "name_tombstoned");
        let fresh = g.create_user(&svc(), "新号", t).unwrap();
        let e = g
            .verify_identity(
                &svc(),
                fresh.id,
                IdentityKind::ResidentId,
                "11010519491231002X",
                "张三",
                t,
            )
            .unwrap_err();
        assert_eq!(e.code(), "identity_blacklisted");
    }
}

qinglang_store::both_backends! {
    fn audit_chain_detects_edits_and_deletions() {
        let g = service();
        let u = verified_user(&g, "甲", "11010519491231002X");
        for _ in 0..3 {
            g.submit_content(&svc(), &message(u, None, "免费毛片"), T0)
                .unwrap();
        }
        let auditor = principal(Role::Auditor);
        let ok = g.audit_verify(&auditor, T0).unwrap();
        assert!(ok.ok && ok.entries >= 6, "{ok:?}");

        g.store()
            .execute_raw("UPDATE audit SET reason = 'nothing happened' WHERE seq = 3")
            .unwrap();
        let bad = g.audit_verify(&auditor, T0).unwrap();
        assert!(!bad.ok);
        assert_eq!(bad.first_bad_seq, Some(3));

        let g = service();
        let u = verified_user(&g, "乙", "11010519491231002X");
        g.submit_content(&svc(), &message(u, None, "免费毛片"), T0)
            .unwrap();
        let n = g.audit_verify(&auditor, T0).unwrap().entries as i64;
        g.store()
            .execute_raw(&format!("DELETE FROM audit WHERE seq = {n}"))
            .unwrap();
        let bad = g.audit_verify(&auditor, T0).unwrap();
        assert!(!bad.ok, "removing the newest entry is detected");
        assert!(
            g.audit_verify(&principal(Role::Service), T0).is_err(),
            "service cannot read audit"
        );
    }
}

qinglang_store::both_backends! {
    fn retention_keeps_six_months_and_the_chain_still_verifies() {
        let g = service();
        let u = verified_user(&g, "甲", "11010519491231002X");
        g.submit_content(&svc(), &message(u, None, "免费毛片"), T0)
            .unwrap();
        let (content, audit) = g.retention_sweep(T0.plus_days(179)).unwrap();
        assert_eq!(
            (content, audit),
            (0, 0),
            "nothing younger than 180 days is removed"
        );
        g.submit_content(&svc(), &message(u, None, "你好"), T0.plus_days(200))
            .unwrap();
        let (content, audit) = g.retention_sweep(T0.plus_days(200)).unwrap();
        assert!(content >= 1 && audit >= 1);
        let report = g
            .audit_verify(&principal(Role::Auditor), T0.plus_days(200))
            .unwrap();
        assert!(report.ok, "{report:?}");
    }
}

qinglang_store::both_backends! {
    fn tokens_authenticate_principals_with_roles() {
        let g = service();
        let first = g.bootstrap_admin(T0).unwrap().expect("first admin token");
        assert!(g.bootstrap_admin(T0).unwrap().is_none(), "only once");
        let admin = g.authenticate(&first).unwrap();
        assert_eq!(admin.role, Role::Admin);
        let token = g
            .create_token(&admin, Role::Moderator, "alice", T0)
            .unwrap();
        let alice = g.authenticate(&token).unwrap();
        assert_eq!(
            (alice.name.as_str(), alice.role),
            ("alice", Role::Moderator)
        );
        assert_eq!(
            g.authenticate("qlt_nope").unwrap_err().code(),
            "unauthenticated"
        );
        assert_eq!(
            g.create_token(&alice, Role::Admin, "mallory", T0)
                .unwrap_err()
                .code(),
            "role_forbidden"
        );
    }
}

qinglang_store::both_backends! {
    fn accounts_inactive_for_six_months_are_closed_and_tombstoned() {
        let g = service();
        let owner = verified_user(&g, "作者", "11010519491231002X");
        let req = |name: &str| personal_account(owner, name, "culture");
        let quiet = g.open_account(&svc(), &req("读书笔记"), T0).unwrap();
        // Publishing through the account keeps it active.
        let post = Submission {
            author: owner,
            group: None,
            account: Some(quiet.id),
            kind: ContentKind::Article,
            text: "今天读完了一本书".into(),
            scene: None,
        };
        g.submit_content(&svc(), &post, T0.plus_days(100)).unwrap();
        assert_eq!(g.inactivity_sweep(T0.plus_days(279)).unwrap(), 0);
        assert_eq!(g.inactivity_sweep(T0.plus_days(281)).unwrap(), 1);
        assert!(g.get_account(&svc(), quiet.id).unwrap().closed);
        let audit = g
            .audit_export(&principal(Role::Auditor), T0, T0.plus_days(400))
            .unwrap();
        assert!(audit.iter().any(|e| e.action == "account.close_inactive"));
    }
}

qinglang_store::both_backends! {
    fn creators_and_managers_have_the_group_tools() {
        let g = service();
        let owner = verified_user(&g, "群主", "11010519491231002X");
        let group = g.create_group(&svc(), owner, "读书会", 100, T0).unwrap().id;
        let alice = verified_user(&g, "alice", "440308199901011234");
        let bob = verified_user(&g, "bob", &resident_id(2));
        for u in [alice, bob] {
            g.join_group(&svc(), group, u, GroupRole::Member, None, T0)
                .unwrap();
        }
        use qinglang_governance::MemberAction::*;
        // Members have no tools; only the creator promotes.
        assert_eq!(
            g.manage_member(&svc(), group, alice, bob, Mute, 10, T0)
                .unwrap_err()
                .code(),
            "not_a_manager"
        );
        let m = g
            .manage_member(&svc(), group, owner, alice, Promote, 0, T0)
            .unwrap()
            .unwrap();
        assert_eq!(m.role, GroupRole::Manager);
        // A manager mutes a member: their messages are refused until the mute ends.
        g.manage_member(&svc(), group, alice, bob, Mute, 60, T0)
            .unwrap();
        let msg = message(bob, Some(group), "大家好");
        assert_eq!(
            g.submit_content(&svc(), &msg, T0).unwrap_err().code(),
            "muted"
        );
        let later = Timestamp(T0.0 + 61 * 60_000);
        assert_eq!(
            g.submit_content(&svc(), &msg, later)
                .unwrap()
                .enforcement
                .decision,
            Decision::Published
        );
        // A manager cannot manage the creator or another manager.
        assert_eq!(
            g.manage_member(&svc(), group, alice, owner, Remove, 0, T0)
                .unwrap_err()
                .code(),
            "not_allowed"
        );
        // The notice is reviewed like content.
        assert_eq!(
            g.set_group_notice(&svc(), group, alice, "加群看免费毛片", T0)
                .unwrap_err()
                .code(),
            "notice_rejected"
        );
        let view = g
            .set_group_notice(&svc(), group, alice, "本周读《红楼梦》", T0)
            .unwrap();
        assert_eq!(view.notice, "本周读《红楼梦》");
        g.manage_member(&svc(), group, alice, bob, Remove, 0, later)
            .unwrap();
        assert_eq!(
            g.submit_content(&svc(), &msg, later).unwrap_err().code(),
            "not_a_member"
        );
    }
}

qinglang_store::both_backends! {
    fn removing_the_whole_trail_or_its_oldest_part_too_early_is_detected() {
        let g = service();
        g.bootstrap_admin(T0).unwrap();
        let u = verified_user(&g, "甲", "11010519491231002X");
        g.submit_content(&svc(), &message(u, None, "你好"), T0)
            .unwrap();
        let auditor = principal(Role::Auditor);
        assert!(g.audit_verify(&auditor, T0).unwrap().ok);

        // Everything removed, meta included: the store still holds principals.
        g.store().execute_raw("DELETE FROM audit").unwrap();
        g.store().execute_raw("DELETE FROM audit_meta").unwrap();
        let r = g.audit_verify(&auditor, T0).unwrap();
        assert!(!r.ok, "{r:?}");

        // A forged anchor (entries removed well inside the retention floor).
        let g = service();
        let u = verified_user(&g, "乙", "11010519491231002X");
        for _ in 0..3 {
            g.submit_content(&svc(), &message(u, None, "你好"), T0)
                .unwrap();
        }
        g.store()
            .execute_raw("UPDATE audit_meta SET anchor_seq = 2, anchor_hash = (SELECT hash FROM audit WHERE seq = 2), anchor_at = 0")
            .unwrap();
        g.store()
            .execute_raw("DELETE FROM audit WHERE seq <= 2")
            .unwrap();
        let r = g.audit_verify(&auditor, T0).unwrap();
        assert!(!r.ok, "{r:?}");
    }
}

qinglang_store::both_backends! {
    fn review_findings_on_identity_groups_and_closing() {
        let g = service();
        // A refused re-registration of a blacklisted identity is itself recorded.
        let bad = verified_user(&g, "惯犯", "11010519491231002X");
        let ladder_end = {
            let mut t = T0;
            loop {
                t = Timestamp(t.0 + 60_000);
                match g.submit_content(&svc(), &message(bad, None, "出售冰毒K粉"), t) {
                    Ok(_) => {}
                    Err(e) if e.code() == "publishing_suspended" => t = t.plus_days(8),
                    Err(_) => break t,
                }
            }
        };
        let fresh = g.create_user(&svc(), "新号", ladder_end).unwrap().id;
        let e = g
            .verify_identity(
                &svc(),
                fresh,
                IdentityKind::ResidentId,
                "11010519491231002X",
                "张三",
                ladder_end,
            )
            .unwrap_err();
        assert_eq!(e.code(), "identity_blacklisted");
        let audit = g
            .audit_export(&principal(Role::Auditor), T0, ladder_end.plus_days(1))
            .unwrap();
        assert!(audit.iter().any(|e| e.action == "identity.refused"));

        // Nobody joins as a manager; the creator promotes.
        let owner = verified_user(&g, "群主", &resident_id(3));
        let group = g.create_group(&svc(), owner, "读书会", 100, T0).unwrap().id;
        let x = g.create_user(&svc(), "x", T0).unwrap().id;
        let e = g
            .join_group(&svc(), group, x, GroupRole::Manager, None, T0)
            .unwrap_err();
        assert_eq!(e.code(), "invalid_role");

        // Birth dates in the future are impossible.
        let y = g.create_user(&svc(), "y", T0).unwrap().id;
        let e = g
            .verify_identity(
                &svc(),
                y,
                IdentityKind::ResidentId,
                "110000209901010015",
                "赵六",
                T0,
            )
            .unwrap_err();
        assert_eq!(e.code(), "invalid_identity");
        assert!(
            !e.to_string().contains("20990101"),
            "messages do not echo the value: {e}"
        );
    }
}
