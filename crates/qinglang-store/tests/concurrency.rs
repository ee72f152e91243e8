//! Two nodes writing at once on one database (#21 item 1): the uniqueness rules, strike and
//! credit counts and the audit chain hold under concurrent writers, on one SQLite file and
//! on one PostgreSQL schema (OPS-3, ID-1, CMP-1, ENF-1, AUD-1).

mod common;

use std::sync::Arc;

use common::{message, resident_id, svc, T0};
use qinglang_governance::casework::{CaseTarget, NewReport};
use qinglang_governance::crypto::DataKey;
use qinglang_governance::identity::IdentityKind;
use qinglang_governance::model::*;
use qinglang_governance::policy::LoadedPolicy;
use qinglang_governance::Governance;
use qinglang_store::{testing, Database, Durability};

const THREADS: usize = 8;

/// Two services on one database, as two nodes are.
fn two_nodes(test: &str) -> [Arc<Governance<Database>>; 2] {
    // Each backend's run of a test has its own directory: the two run at the same time.
    let dir = std::env::temp_dir().join(format!(
        "qinglang-race-{test}-{:?}-{}",
        testing::current(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let at = testing::shared_location(&dir);
    let node = || {
        Arc::new(Governance::new(
            Database::open(&at, Durability::Normal).expect("store"),
            common::engine(),
            LoadedPolicy::default_policy(),
            DataKey::from_hex(&"42".repeat(32)).expect("key"),
        ))
    };
    [node(), node()]
}

/// Runs `f(node, i)` for `i` in 0..THREADS at once, alternating nodes; the results in order.
fn race<T: Send>(
    nodes: &[Arc<Governance<Database>>; 2],
    f: impl Fn(&Governance<Database>, usize) -> T + Sync,
) -> Vec<T> {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|i| {
                let (node, f) = (&nodes[i % 2], &f);
                s.spawn(move || f(node, i))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    })
}

fn verified(g: &Governance<Database>, n: u32) -> Id {
    let u = g
        .create_user(&svc(), &format!("用户{n}"), T0)
        .expect("user");
    g.verify_identity(
        &svc(),
        u.id,
        IdentityKind::ResidentId,
        &resident_id(n),
        "张三",
        T0,
    )
    .expect("verified");
    u.id
}

qinglang_store::both_backends! {
    fn one_identity_verifies_one_user_when_nodes_race() {
        let nodes = two_nodes("identity");
        let users: Vec<Id> = (0..THREADS)
            .map(|i| nodes[0].create_user(&svc(), &format!("抢注{i}"), T0).expect("user").id)
            .collect();
        let results = race(&nodes, |g, i| {
            g.verify_identity(&svc(), users[i], IdentityKind::ResidentId, &resident_id(7), "张三", T0)
                .map_err(|e| e.code())
        });
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1, "{results:?}");
        assert!(
            results.iter().filter_map(|r| r.as_ref().err()).all(|&c| c == "identity_in_use"),
            "{results:?}"
        );
        assert!(nodes[1].verify_chain(T0).expect("verify").ok);
    }
}

qinglang_store::both_backends! {
    fn complaints_filed_at_once_make_one_open_report() {
        let nodes = two_nodes("report");
        let author = verified(&nodes[0], 1);
        let content = nodes[0]
            .submit_content(
                &svc(),
                &message(author, None, "今天去公园散步了"),
                T0,
            )
            .expect("publish")
            .enforcement
            .content_id;
        let reporters: Vec<Id> = (0..THREADS).map(|i| verified(&nodes[1], 10 + i as u32)).collect();
        let filed = race(&nodes, |g, i| {
            g.file_report(
                &svc(),
                &NewReport {
                    target: CaseTarget::Content(content),
                    category: "abuse".into(),
                    note: "请核查".into(),
                    reporter: Some(reporters[i]),
                },
                T0,
            )
            .expect("filed")
        });
        let id = filed[0].report.id;
        assert!(filed.iter().all(|f| f.report.id == id), "one report");
        assert_eq!(filed.iter().filter(|f| !f.merged).count(), 1, "one opened it");
        let last = nodes[0]
            .file_report(
                &svc(),
                &NewReport {
                    target: CaseTarget::Content(content),
                    category: "abuse".into(),
                    note: "请核查".into(),
                    reporter: Some(reporters[0]),
                },
                T0,
            )
            .expect("filed");
        assert_eq!((last.report.filings, last.report.reporters), (THREADS, THREADS));
        assert!(nodes[0].verify_chain(T0).expect("verify").ok);
    }
}

qinglang_store::both_backends! {
    fn strikes_credit_and_the_ladder_end_as_one_node_would_leave_them() {
        let nodes = two_nodes("strikes");
        let author = verified(&nodes[0], 2);
        // Submitted in the same millisecond: the order is whichever writer gets there first.
        let at = Timestamp(T0.0 + 1000);
        let spam = "免费毛片在线看";
        let outcomes = race(&nodes, |g, _| {
            g.submit_content(&svc(), &message(author, None, spam), at)
                .map(|r| (r.enforcement.strike, r.enforcement.sanctions.iter().map(|s| s.kind).collect::<Vec<_>>()))
                .map_err(|e| e.code())
        });
        let struck = outcomes.iter().filter(|o| matches!(o, Ok((true, _)))).count();
        assert!(struck >= 3, "{outcomes:?}");
        // The same violations one after another on one node: the same strikes, the same
        // rungs of the ladder (each once), the same credit, and refusals for the rest.
        let one = common::service();
        let alone = verified(&one, 2);
        let mut expected_kinds = Vec::new();
        let mut expected_refusals = Vec::new();
        for _ in 0..THREADS {
            match one.submit_content(&svc(), &message(alone, None, spam), at) {
                Ok(r) => {
                    assert!(r.enforcement.strike);
                    expected_kinds.extend(r.enforcement.sanctions.iter().map(|s| s.kind));
                }
                Err(e) => expected_refusals.push(e.code()),
            }
        }
        assert_eq!(struck, THREADS - expected_refusals.len(), "{outcomes:?}");
        let mut kinds: Vec<_> = outcomes
            .iter()
            .filter_map(|o| o.as_ref().ok())
            .flat_map(|(_, k)| k.iter().copied())
            .collect();
        kinds.sort_by_key(|k| k.as_str());
        expected_kinds.sort_by_key(|k| k.as_str());
        assert_eq!(kinds, expected_kinds, "{outcomes:?}");
        let moderator = common::principal(qinglang_governance::authz::Role::Moderator);
        let view = nodes[1].get_user(&moderator, author, at).expect("user");
        let expected = one.get_user(&moderator, alone, at).expect("user");
        assert_eq!(view.strikes_in_window as usize, struck);
        assert_eq!(view.credit.score, expected.credit.score, "{view:?}");
        assert!(nodes[0].verify_chain(at).expect("verify").ok);
    }
}

/// A pooled connection the server closed since (a restart, an idle timeout, a failover) is
/// replaced at the next transaction instead of failing a request.
#[test]
fn a_connection_the_server_closed_is_replaced_at_the_next_transaction() {
    if !testing::postgres_or_skip("a_connection_the_server_closed_is_replaced") {
        return;
    }
    use qinglang_governance::Store as _;
    let scratch = testing::Scratch::new().expect("schema");
    let name = format!("qlt_restart_{}", std::process::id());
    let url = format!("{}&application_name={name}", scratch.url());
    let store = qinglang_store::PgStore::open(&url).expect("open");
    let count = |s: &qinglang_store::PgStore| s.read(|tx| tx.token_count()).expect("read");
    assert_eq!(count(&store), 0);
    // Close every connection of this store from the server's side.
    let mut admin = testing::postgres_base()
        .expect("base")
        .parse::<postgres::Config>()
        .expect("url")
        .connect(postgres::NoTls)
        .expect("connect");
    let killed = admin
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
            &[&name],
        )
        .expect("terminate")
        .len();
    assert!(killed >= 1);
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(
        count(&store),
        0,
        "a read after the server closed the connection"
    );
    store
        .write(|tx| tx.insert_token("h", "n", qinglang_governance::authz::Role::Admin, T0))
        .expect("a write after it");
    assert_eq!(count(&store), 1);
}
