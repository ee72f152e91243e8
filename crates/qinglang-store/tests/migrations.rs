//! Embedded migrations, on SQLite and on PostgreSQL: a database is brought up to date on open,
//! reopening is harmless, a database from a newer qinglang is refused with a clear message,
//! and the two backends' schemas have the same tables and columns.

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

#[test]
fn learned_examples_survive_the_move_to_ids_that_are_never_reused() {
    // A database as the previous release left it (migrations 1 to 10) with learned examples.
    let path = temp_db("learned");
    let files = migration_files();
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        for file in &files[..10] {
            conn.execute_batch(&std::fs::read_to_string(file).expect("sql"))
                .expect("old migration");
        }
        conn.execute_batch(
            "INSERT INTO learned_examples (model, label, text, actor, at) VALUES
                 ('cold', 'spam', '甲', 'lead:lin', 1), ('cold', 'ham', '乙', 'moderator:alice', 2);
             PRAGMA user_version = 10;",
        )
        .expect("examples");
    }
    let store = SqliteStore::open(&path).expect("migrated");
    let q = |sql: &str| store.query_i64(sql).expect(sql);
    // Migrated to the newest schema: one version per migration file.
    assert_eq!(q("PRAGMA user_version"), files.len() as i64);
    assert_eq!(
        q("SELECT count(*) FROM learned_examples WHERE model = 'cold'"),
        2
    );
    assert_eq!(
        q("SELECT id FROM learned_examples WHERE text = '乙' AND label = 'ham'"),
        2
    );
    assert_eq!(
        q("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'learned_examples_model'"),
        1,
        "the index came back with the table"
    );
    // The newest one forgotten and another learned: a fresh id, not the forgotten one's.
    store
        .execute_raw("DELETE FROM learned_examples WHERE id = 2")
        .expect("forget");
    store
        .execute_raw(
            "INSERT INTO learned_examples (model, label, text, actor, at) VALUES ('cold', 'spam', '丙', 'lead:lin', 3)",
        )
        .expect("learn");
    assert_eq!(q("SELECT max(id) FROM learned_examples"), 3);
}

#[test]
fn groups_and_accounts_gain_a_scene_that_starts_empty() {
    // Migration 12 (issue #25): a database of the previous release keeps its groups, with no
    // default scene until one is assigned.
    let path = temp_db("scenes");
    let files = migration_files();
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        for file in &files[..11] {
            conn.execute_batch(&std::fs::read_to_string(file).expect("sql"))
                .expect("old migration");
        }
        conn.execute_batch(
            "INSERT INTO users (nickname, credit, credit_at, status, created_at) VALUES ('甲', 100, 0, 'active', 0);
             INSERT INTO groups (owner, name, max_members, status, created_at) VALUES (1, '读书会', 100, 'active', 0);
             PRAGMA user_version = 11;",
        )
        .expect("a group");
    }
    let store = SqliteStore::open(&path).expect("migrated");
    let q = |sql: &str| store.query_i64(sql).expect(sql);
    assert_eq!(q("SELECT count(*) FROM groups WHERE scene IS NULL"), 1);
    assert_eq!(
        q("SELECT count(*) FROM accounts WHERE scene IS NOT NULL"),
        0
    );
}

/// The migration files, in the order they apply.
fn migration_files() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .expect("migrations folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    files
}

#[test]
fn postgresql_migrates_once_and_refuses_a_newer_schema() {
    if !qinglang_store::testing::postgres_or_skip("postgresql_migrates_once") {
        return;
    }
    let scratch = qinglang_store::testing::Scratch::new().expect("schema");
    let store = qinglang_store::PgStore::open(&scratch.url()).expect("open");
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .expect("migrations folder")
        .count() as i64;
    assert_eq!(
        store
            .query_i64("SELECT max(version) FROM qinglang_migrations")
            .expect("version"),
        shipped
    );
    store
        .execute_raw("INSERT INTO principals (token_hash, name, role, created_at) VALUES ('h', 'n', 'admin', 0)")
        .expect("insert");
    drop(store);
    let store = qinglang_store::PgStore::open(&scratch.url()).expect("reopen");
    assert_eq!(
        store
            .query_i64("SELECT count(*) FROM principals")
            .expect("count"),
        1
    );
    store
        .execute_raw("INSERT INTO qinglang_migrations (version) VALUES (999)")
        .expect("a version from the future");
    drop(store);
    let e = qinglang_store::PgStore::open(&scratch.url()).unwrap_err();
    assert!(e.to_string().contains("newer than this qinglang"), "{e}");
}

/// A schema change is a migration on each backend: the tables and their columns match.
#[test]
fn both_backends_have_the_same_tables_and_columns() {
    if !qinglang_store::testing::postgres_or_skip("both_backends_have_the_same_tables") {
        return;
    }
    let path = temp_db("parity");
    drop(SqliteStore::open(&path).expect("open"));
    let sqlite = rusqlite::Connection::open(&path).expect("sqlite");
    let mut stmt = sqlite
        .prepare(
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1, 2",
        )
        .expect("prepare");
    let on_sqlite: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");

    let scratch = qinglang_store::testing::Scratch::new().expect("schema");
    drop(qinglang_store::PgStore::open(&scratch.url()).expect("open"));
    let mut client = scratch
        .url()
        .parse::<postgres::Config>()
        .expect("url")
        .connect(postgres::NoTls)
        .expect("connect");
    let on_postgres: Vec<(String, String)> = client
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name <> 'qinglang_migrations'
             ORDER BY 1, 2",
            &[],
        )
        .expect("columns")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    // Compared as sets: the two servers collate names differently.
    let (mut on_sqlite, mut on_postgres) = (on_sqlite, on_postgres);
    on_sqlite.sort();
    on_postgres.sort();
    assert!(!on_sqlite.is_empty());
    assert_eq!(on_sqlite, on_postgres);
}
