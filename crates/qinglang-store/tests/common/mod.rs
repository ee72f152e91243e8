//! Helpers shared by the store's governance test files: a service over a fresh store of the
//! backend under test (`both_backends!`), principals, verified users.
#![allow(dead_code)]

use std::sync::Arc;

use qinglang_engine::{default_lexicon, Engine};
use qinglang_governance::authz::Role;
use qinglang_governance::crypto::DataKey;
use qinglang_governance::identity::IdentityKind;
use qinglang_governance::model::*;
use qinglang_governance::policy::LoadedPolicy;
use qinglang_governance::{Error, Governance, NewAccount, Submission};
use qinglang_store::Database;

pub const T0: Timestamp = Timestamp(1_795_824_000_000); // 2026-11-28

pub fn engine() -> Arc<Engine> {
    static E: std::sync::OnceLock<Arc<Engine>> = std::sync::OnceLock::new();
    Arc::clone(E.get_or_init(|| {
        Arc::new(
            Engine::builder()
                .lexicon(default_lexicon())
                .build()
                .expect("engine"),
        )
    }))
}

pub fn service() -> Governance<Database> {
    service_with(LoadedPolicy::default_policy())
}

/// A service under the default policy with `edits` (old, new) applied to its text.
pub fn service_with_policy_edits(edits: &[(&str, &str)]) -> Governance<Database> {
    let mut text = qinglang_governance::policy::DEFAULT_POLICY_TOML.to_owned();
    for (old, new) in edits {
        assert!(text.contains(old), "the default policy has {old:?}");
        text = text.replace(old, new);
    }
    service_with(LoadedPolicy::parse("test-policy.toml", &text).expect("policy"))
}

fn service_with(policy: LoadedPolicy) -> Governance<Database> {
    let key = DataKey::from_hex(&"42".repeat(32)).expect("key");
    Governance::new(qinglang_store::testing::open_store(), engine(), policy, key)
}

pub fn principal(role: Role) -> Principal {
    Principal {
        id: 1,
        name: "test".into(),
        role,
    }
}

pub fn svc() -> Principal {
    principal(Role::Service)
}

pub fn verified_user(g: &Governance<Database>, nickname: &str, id_value: &str) -> Id {
    let u = g.create_user(&svc(), nickname, T0).expect("user");
    g.verify_identity(&svc(), u.id, IdentityKind::ResidentId, id_value, "张三", T0)
        .expect("verified");
    u.id
}

/// A valid resident ID number for test person `n` (born 1980-01-01 in Dongcheng, Beijing).
pub fn resident_id(n: u32) -> String {
    let body = format!("11010119800101{:03}", n % 1000);
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(weights)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// An individual's public account with no reach yet.
pub fn personal_account(owner: Id, name: &str, category: &str) -> NewAccount {
    NewAccount {
        owner,
        name: name.into(),
        bio: String::new(),
        subject: AccountSubject::Individual,
        category: category.into(),
        news_licence: false,
        followers: 0,
        monthly_reads: 0,
    }
}

pub fn message(author: Id, group: Option<Id>, text: &str) -> Submission {
    Submission {
        author,
        group,
        account: None,
        kind: ContentKind::Message,
        text: text.into(),
        scene: None,
    }
}

pub fn code(e: Error) -> &'static str {
    e.code()
}
