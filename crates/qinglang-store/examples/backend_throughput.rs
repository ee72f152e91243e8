//! Audited writes per second on each backend (#21): SQLite (one file) and PostgreSQL, with
//! one and with several writers at once, each write one transaction with its audit record
//! (a user created), as the service makes them. On PostgreSQL the writers can be several
//! "nodes": separate stores on the same schema, each with its own connections.
//!
//!   cargo run --release -p qinglang-store --example backend_throughput [-- WRITES [WRITERS]]
//!
//! PostgreSQL is found as the tests find it (QINGLANG_TEST_POSTGRES, default
//! postgres://$USER@127.0.0.1:5432/test); a fresh schema is made and dropped.

use std::sync::Arc;
use std::time::Instant;

use qinglang_engine::{Engine, Lexicon};
use qinglang_governance::authz::Role;
use qinglang_governance::crypto::DataKey;
use qinglang_governance::model::{Principal, Timestamp};
use qinglang_governance::policy::LoadedPolicy;
use qinglang_governance::Governance;
use qinglang_store::{testing, Database, Durability, Location};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let writes: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(2000);
    let writers: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(4);
    // A tiny lexicon: what is measured is the commit, not the review.
    let engine = Arc::new(
        Engine::builder()
            .lexicon(Lexicon::parse("bench", "赌博\tgambling\n")?)
            .build()?,
    );
    let node = |at: &Location| -> Result<Governance<Database>, Box<dyn std::error::Error>> {
        Ok(Governance::new(
            Database::open(at, Durability::Normal)?,
            Arc::clone(&engine),
            LoadedPolicy::default_policy(),
            DataKey::from_hex(&"42".repeat(32))?,
        ))
    };
    let dir = std::env::temp_dir().join(format!("qinglang-throughput-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let scratch = testing::Scratch::new();
    let mut places = vec![("sqlite", Location::Sqlite(dir.join("q.db")))];
    match &scratch {
        Some(s) => places.push(("postgres", Location::Postgres(s.url()))),
        None => println!("no PostgreSQL answers: measuring SQLite only"),
    }
    println!("{writes} audited writes (a user created each):");
    for (name, at) in &places {
        for (label, nodes, threads) in [
            ("1 writer", 1, 1),
            ("writers, 1 node", 1, writers),
            ("writers, 1 node each", writers, writers),
        ] {
            if *name == "sqlite" && nodes > 1 {
                continue; // one file has one writer, whatever the process count
            }
            let govs: Vec<Arc<Governance<Database>>> = (0..nodes)
                .map(|_| node(at).map(Arc::new))
                .collect::<Result<_, _>>()?;
            let started = Instant::now();
            std::thread::scope(|s| {
                for t in 0..threads {
                    let gov = Arc::clone(&govs[t % nodes]);
                    s.spawn(move || {
                        let service = Principal {
                            id: 1,
                            name: "bench".into(),
                            role: Role::Service,
                        };
                        for i in (t..writes).step_by(threads) {
                            gov.create_user(&service, &format!("用户{i}"), Timestamp::now())
                                .expect("write");
                        }
                    });
                }
            });
            let secs = started.elapsed().as_secs_f64();
            let label = label.replace("writers", &format!("{threads} writers"));
            println!(
                "  {name:<8} {label:<22} {secs:7.3} s  {:8.0} writes/s",
                writes as f64 / secs
            );
            let chain = govs[0].verify_chain(Timestamp::now())?;
            assert!(
                chain.ok,
                "the audit chain verifies after concurrent writers"
            );
        }
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
