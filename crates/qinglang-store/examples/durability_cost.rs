//! What `--durability full` costs (issue #23 item 5): audited writes per second on a database
//! file with `synchronous = NORMAL` and with `FULL`, one writer, each write one transaction
//! with its audit record (a user created), as the service makes them.
//!
//!   cargo run --release -p qinglang-store --example durability_cost [-- WRITES]
//!
//! The database lives in the system's temporary directory: measure on the disk the service
//! will use (TMPDIR=/var/lib/qinglang …), since the cost is that disk's flush.

use std::sync::Arc;
use std::time::Instant;

use qinglang_engine::{Engine, Lexicon};
use qinglang_governance::authz::Role;
use qinglang_governance::crypto::DataKey;
use qinglang_governance::model::{Principal, Timestamp};
use qinglang_governance::policy::LoadedPolicy;
use qinglang_governance::Governance;
use qinglang_store::{Durability, SqliteStore};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let writes: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(500);
    // A tiny lexicon: what is measured is the commit, not the review.
    let engine = Arc::new(
        Engine::builder()
            .lexicon(Lexicon::parse("bench", "赌博\tgambling\n")?)
            .build()?,
    );
    let service = Principal {
        id: 1,
        name: "bench".into(),
        role: Role::Service,
    };
    let dir = std::env::temp_dir().join(format!("qinglang-durability-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    println!(
        "{writes} audited writes (a user created each), one writer, {}:",
        dir.display()
    );
    let mut rates = Vec::new();
    for (name, durability) in [("normal", Durability::Normal), ("full", Durability::Full)] {
        let path = dir.join(format!("{name}.db"));
        let gov = Governance::new(
            SqliteStore::open_with(&path, durability)?,
            Arc::clone(&engine),
            LoadedPolicy::default_policy(),
            DataKey::from_hex(&"42".repeat(32))?,
        );
        let started = Instant::now();
        for i in 0..writes {
            gov.create_user(&service, &format!("用户{i}"), Timestamp::now())?;
        }
        let secs = started.elapsed().as_secs_f64();
        let rate = writes as f64 / secs;
        println!(
            "  {name:<6} {secs:7.3} s  {rate:9.0} writes/s  {:7.3} ms per write",
            secs * 1e3 / writes as f64
        );
        rates.push(rate);
    }
    println!(
        "full costs {:.1}x the time of normal per write",
        rates[0] / rates[1]
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
