//! `--durability` (issue #23 item 5): what each setting asks SQLite for. The process-crash
//! claim of the default is tested by SIGKILL during a burst (qinglang-cli tests/serve.rs);
//! a power cut is not simulated here (no device-mapper or loop devices on these machines).

use qinglang_store::{Durability, SqliteStore};

#[test]
fn full_durability_flushes_every_commit_and_normal_stays_the_default() {
    let dir = std::env::temp_dir().join(format!("qinglang-durability-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let normal = SqliteStore::open(&dir.join("n.db")).expect("open");
    assert_eq!(normal.durability(), Durability::Normal);
    assert_eq!(normal.synchronous().expect("pragma"), 1, "NORMAL");
    let full = SqliteStore::open_with(&dir.join("f.db"), Durability::Full).expect("open");
    assert_eq!(full.synchronous().expect("pragma"), 2, "FULL");
    assert_eq!(
        full.query_i64("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'")
            .expect("journal mode"),
        1,
        "still WAL"
    );
    drop((normal, full));
    let _ = std::fs::remove_dir_all(&dir);
}
