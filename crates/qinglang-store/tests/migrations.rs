//! Embedded migrations: a file is brought up to date on open, reopening is harmless, and a
//! database from a newer qinglang is refused with a clear message.

use qinglang_store::SqliteStore;

fn temp_db(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("qinglang-store-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir.join("q.db")
}

#[test]
fn migrations_apply_once_and_survive_reopening() {
    let path = temp_db("reopen");
    let store = SqliteStore::open(&path).expect("open");
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .expect("migrations folder")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count() as i64;
    assert_eq!(
        store.query_i64("PRAGMA user_version").expect("version"),
        shipped
    );
    store
        .execute_raw("INSERT INTO principals (token_hash, name, role, created_at) VALUES ('h', 'n', 'admin', 0)")
        .expect("insert");
    // Write-ahead logging: the journal sits beside the database file.
    assert!(path.with_file_name("q.db-wal").exists());
    drop(store);
    let store = SqliteStore::open(&path).expect("reopen");
    assert_eq!(
        store
            .query_i64("SELECT count(*) FROM principals")
            .expect("count"),
        1
    );
    assert_eq!(
        store
            .query_i64(
                "SELECT count(*) FROM pragma_table_info('accounts') WHERE name = 'last_active_at'"
            )
            .expect("column"),
        1
    );
}

#[test]
fn a_newer_schema_is_refused() {
    let path = temp_db("newer");
    let store = SqliteStore::open(&path).expect("open");
    store
        .execute_raw("PRAGMA user_version = 99")
        .expect("set version");
    drop(store);
    let err = SqliteStore::open(&path).expect_err("refused");
    assert!(
        err.to_string().contains("newer than this qinglang"),
        "{err}"
    );
}
