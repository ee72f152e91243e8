//! What `qinglang backup` costs on a large database (#23 figure): a SQLite file with N
//! audited records (users, each with its audit entry: 2N rows), copied with the online
//! backup, integrity-checked, and its audit chain verified, as the command does.
//!
//!   cargo run --release -p qinglang-store --example backup_cost [-- N]
//!
//! The files live under TMPDIR: measure on the disk the service will use.

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
    let n: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(500_000);
    let engine = Arc::new(
        Engine::builder()
            .lexicon(Lexicon::parse("bench", "赌博\tgambling\n")?)
            .build()?,
    );
    let dir = std::env::temp_dir().join(format!("qinglang-backup-cost-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (db, out) = (dir.join("q.db"), dir.join("copy.db"));
    let key = DataKey::from_hex(&"42".repeat(32))?;
    let gov = Governance::new(
        SqliteStore::open_with(&db, Durability::Normal)?,
        Arc::clone(&engine),
        LoadedPolicy::default_policy(),
        key.clone(),
    );
    let service = Principal {
        id: 1,
        name: "bench".into(),
        role: Role::Service,
    };
    let started = Instant::now();
    for i in 0..n {
        gov.create_user(&service, &format!("用户{i}"), Timestamp::now())?;
    }
    drop(gov);
    let rows = 2 * n;
    println!(
        "{n} users and {n} audit entries ({rows} rows) written in {:.1} s; database {:.1} MB",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&db)?.len() as f64 / 1e6
    );
    let started = Instant::now();
    qinglang_store::backup(&db, &out)?;
    let copied = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let copy = Governance::new(
        SqliteStore::open(&out)?,
        engine,
        LoadedPolicy::default_policy(),
        key,
    );
    let chain = copy.verify_chain(Timestamp::now())?;
    println!(
        "backup (online copy + integrity check): {copied:.2} s, {:.1} MB; chain of {} entries verified in {:.2} s: {}",
        std::fs::metadata(&out)?.len() as f64 / 1e6,
        chain.entries,
        started.elapsed().as_secs_f64(),
        if chain.ok { "ok" } else { "BROKEN" }
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
