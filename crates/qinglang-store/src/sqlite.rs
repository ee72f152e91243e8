//! The embedded default: one SQLite file, WAL journal, embedded migrations.
//!
//! One writer connection behind a mutex (SQLite has one writer anyway) and a small pool of
//! reader connections, which in WAL mode read consistent snapshots without blocking the
//! writer. Every governance operation is one transaction.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use qinglang_governance::{Error, Store, Tx};
use rusqlite::Connection;

use crate::sql::{Conn, Dialect, Param, Row, ToParam};
use crate::storage;
use crate::tx::SqlTx;

/// Embedded migrations, applied in order; `PRAGMA user_version` records the last applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_account_activity.sql"),
    include_str!("../migrations/0003_group_tools.sql"),
    include_str!("../migrations/0004_audit_seal_identity_unique.sql"),
    include_str!("../migrations/0005_learned_examples.sql"),
    include_str!("../migrations/0006_content_campaign.sql"),
    include_str!("../migrations/0007_emergency.sql"),
    include_str!("../migrations/0008_casework.sql"),
    include_str!("../migrations/0009_lexicon_edits.sql"),
    include_str!("../migrations/0010_casework_guards.sql"),
    include_str!("../migrations/0011_learned_ids_never_reused.sql"),
    include_str!("../migrations/0012_scenes.sql"),
    include_str!("../migrations/0013_scene_lexicon_edits.sql"),
    include_str!("../migrations/0014_tc3_keys.sql"),
    include_str!("../migrations/0015_queue_rank_content_buckets.sql"),
    include_str!("../migrations/0016_audit_buckets.sql"),
    include_str!("../migrations/0017_images.sql"),
];

/// The schema version a current SQLite database records in `PRAGMA user_version`.
pub(crate) fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// How hard a commit holds (#23 item 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `synchronous = NORMAL` in WAL mode: a commit survives the process being killed (it
    /// is in the WAL, which the OS writes out), not a power cut before the next checkpoint's
    /// fsync, which may lose the last commits (never corrupts). The default.
    #[default]
    Normal,
    /// `synchronous = FULL`: every commit is fsynced before it returns, so it survives a
    /// power cut too; each write costs a disk flush (measured in the README).
    Full,
}

impl Durability {
    fn pragma(self) -> &'static str {
        match self {
            Durability::Normal => "PRAGMA synchronous = NORMAL;",
            Durability::Full => "PRAGMA synchronous = FULL;",
        }
    }
}

/// The SQLite store.
#[derive(Debug)]
pub struct SqliteStore {
    path: Option<PathBuf>,
    durability: Durability,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub fn open(path: &Path) -> Result<SqliteStore, Error> {
        SqliteStore::open_with(path, Durability::Normal)
    }

    /// Opens the database file with the given durability of commits.
    pub fn open_with(path: &Path, durability: Durability) -> Result<SqliteStore, Error> {
        let conn = Connection::open(path)
            .map_err(|e| Error::Storage(format!("cannot open database {}: {e}", path.display())))?;
        configure(&conn, durability)?;
        migrate(&conn)?;
        Ok(SqliteStore {
            path: Some(path.to_owned()),
            durability,
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// A private in-memory database (tests); reads share the writer connection.
    pub fn open_in_memory() -> Result<SqliteStore, Error> {
        let conn = Connection::open_in_memory().map_err(storage)?;
        configure(&conn, Durability::Normal)?;
        migrate(&conn)?;
        Ok(SqliteStore {
            path: None,
            durability: Durability::Normal,
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
        })
    }

    fn reader(&self) -> Result<Option<Connection>, Error> {
        let Some(path) = &self.path else {
            return Ok(None);
        };
        if let Some(conn) = self.readers.lock().map_err(storage)?.pop() {
            return Ok(Some(conn));
        }
        let conn = Connection::open(path).map_err(storage)?;
        configure(&conn, self.durability)?;
        Ok(Some(conn))
    }

    /// Test support: the first column of the first row of a query, as an integer.
    pub fn query_i64(&self, sql: &str) -> Result<i64, Error> {
        let conn = self.writer.lock().map_err(storage)?;
        conn.query_row(sql, [], |r| r.get(0)).map_err(storage)
    }

    /// Test support: runs raw SQL on the writer (to simulate tampering, for example).
    pub fn execute_raw(&self, sql: &str) -> Result<usize, Error> {
        let conn = self.writer.lock().map_err(storage)?;
        conn.execute(sql, []).map_err(storage)
    }
}

fn configure(conn: &Connection, durability: Durability) -> Result<(), Error> {
    // Every statement the store runs stays prepared (about a hundred; rusqlite keeps 16 by
    // default, and past that a writer cycling through them parses each one again).
    conn.set_prepared_statement_cache_capacity(256);
    // WAL: readers do not block the writer; NORMAL: a commit survives the process being
    // killed (it is in the WAL), and fsync happens at checkpoints; FULL: at every commit.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;",
    )
    .map_err(storage)?;
    conn.execute_batch(durability.pragma()).map_err(storage)
}

impl SqliteStore {
    /// The durability commits are made with.
    pub fn durability(&self) -> Durability {
        self.durability
    }

    /// Test support: SQLite's `synchronous` setting of the writer (1 NORMAL, 2 FULL).
    pub fn synchronous(&self) -> Result<i64, Error> {
        self.query_i64("PRAGMA synchronous")
    }
}

fn migrate(conn: &Connection) -> Result<(), Error> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(storage)?;
    if version as usize > MIGRATIONS.len() {
        return Err(Error::Storage(format!(
            "database schema version {version} is newer than this qinglang ({}); upgrade qinglang",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let batch = format!("BEGIN; {sql}\nPRAGMA user_version = {}; COMMIT;", i + 1);
        conn.execute_batch(&batch)
            .map_err(|e| Error::Storage(format!("migration {} failed: {e}", i + 1)))?;
    }
    // What SQL alone cannot fill in (a logarithm SQLite may not have), in one transaction.
    conn.execute_batch("BEGIN IMMEDIATE").map_err(storage)?;
    let filled = crate::tx::casework::backfill_rank(&mut SqliteConn { conn });
    conn.execute_batch(if filled.is_ok() { "COMMIT" } else { "ROLLBACK" })
        .map_err(storage)?;
    filled
}

impl Store for SqliteStore {
    fn write<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, Error>) -> Result<T, Error> {
        let mut conn = self.writer.lock().map_err(storage)?;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(storage)?;
        let mut conn = SqliteConn { conn: &tx };
        let out = f(&mut SqlTx { c: &mut conn })?;
        tx.commit().map_err(storage)?;
        Ok(out)
    }

    fn read<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, Error>) -> Result<T, Error> {
        match self.reader()? {
            Some(mut conn) => {
                let result = {
                    let tx = conn.transaction().map_err(storage)?;
                    let mut conn = SqliteConn { conn: &tx };
                    let out = f(&mut SqlTx { c: &mut conn });
                    // A read transaction has nothing to commit; ending it releases the snapshot.
                    tx.rollback().map_err(storage)?;
                    out
                };
                if let Ok(mut pool) = self.readers.lock() {
                    if pool.len() < 8 {
                        pool.push(conn);
                    }
                }
                result
            }
            None => {
                let conn = self.writer.lock().map_err(storage)?;
                let mut conn = SqliteConn { conn: &conn };
                f(&mut SqlTx { c: &mut conn })
            }
        }
    }
}

/// A SQLite connection inside a transaction; statements are prepared once per connection
/// and kept in rusqlite's cache.
struct SqliteConn<'c> {
    conn: &'c Connection,
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match *self {
            Param::Null => ValueRef::Null,
            Param::Int(i) => ValueRef::Integer(i),
            Param::Real(f) => ValueRef::Real(f),
            Param::Text(t) => ValueRef::Text(t.as_bytes()),
            Param::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

impl Conn for SqliteConn<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[&dyn ToParam]) -> Result<u64, Error> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(storage)?;
        let n = stmt
            .execute(rusqlite::params_from_iter(params.iter().map(|p| p.param())))
            .map_err(storage)?;
        Ok(n as u64)
    }

    fn each(
        &mut self,
        sql: &str,
        params: &[&dyn ToParam],
        each: &mut dyn FnMut(&Row<'_, '_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(storage)?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params.iter().map(|p| p.param())))
            .map_err(storage)?;
        while let Some(row) = rows.next().map_err(storage)? {
            each(&Row::Sqlite(row))?;
        }
        Ok(())
    }
}

/// Copies the database at `db` into the new file `out` while other connections (a running
/// server) go on writing: SQLite's online backup in one step, so the copy is one consistent
/// snapshot (one read transaction; in WAL mode it blocks no writer). The copy is written
/// beside `out` and renamed into place once its integrity check passes, so `out` is never
/// half a database. `out` must not exist.
pub fn backup(db: &Path, out: &Path) -> Result<(), Error> {
    if !db.is_file() {
        return Err(Error::Storage(format!("no database at {}", db.display())));
    }
    let src = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| Error::Storage(format!("cannot open database {}: {e}", db.display())))?;
    src.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(storage)?;
    copy_database(&src, out)
}

/// Puts the backup `from` back as the database at `db` (the server must be stopped): the
/// backup is checked, copied in one step, and renamed into place; the old database's
/// write-ahead log goes with it, so nothing of the old state is replayed onto the new.
pub fn restore(from: &Path, db: &Path, replace: bool) -> Result<(), Error> {
    if !from.is_file() {
        return Err(Error::Storage(format!("no backup at {}", from.display())));
    }
    if db.exists() && !replace {
        return Err(Error::Storage(format!(
            "{} exists; stop the server and pass --force to replace it",
            db.display()
        )));
    }
    let src = Connection::open_with_flags(from, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| Error::Storage(format!("cannot open backup {}: {e}", from.display())))?;
    check_integrity(&src, from)?;
    let staged = sibling(db, "restoring");
    let _ = std::fs::remove_file(&staged);
    copy_database(&src, &staged)?;
    for suffix in ["-wal", "-shm"] {
        let mut old = db.as_os_str().to_owned();
        old.push(suffix);
        match std::fs::remove_file(PathBuf::from(old)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(storage(e)),
        }
    }
    std::fs::rename(&staged, db).map_err(storage)
}

fn copy_database(src: &Connection, out: &Path) -> Result<(), Error> {
    if out.exists() {
        return Err(Error::Storage(format!(
            "{} exists; a backup never overwrites a file",
            out.display()
        )));
    }
    let partial = sibling(out, "partial");
    let _ = std::fs::remove_file(&partial);
    {
        let mut dst = Connection::open(&partial).map_err(storage)?;
        let backup = rusqlite::backup::Backup::new(src, &mut dst).map_err(storage)?;
        // -1: every page in one step, one consistent snapshot. A step that finds the
        // database locked for a moment is tried again, for at most about 10 s.
        let mut tries = 0;
        loop {
            match backup.step(-1).map_err(storage)? {
                rusqlite::backup::StepResult::Done => break,
                rusqlite::backup::StepResult::More => {}
                _ if tries < 1000 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                _ => {
                    return Err(Error::Storage(
                        "the database stayed locked for 10 s; try the backup again".into(),
                    ))
                }
            }
        }
        drop(backup);
        check_integrity(&dst, out)?;
    }
    std::fs::rename(&partial, out).map_err(storage)
}

fn check_integrity(conn: &Connection, path: &Path) -> Result<(), Error> {
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(storage)?;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(Error::Storage(format!(
            "{} fails SQLite's integrity check: {verdict}",
            path.display()
        )))
    }
}

/// `path` with `.name` added to its file name.
fn sibling(path: &Path, name: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(format!(".{name}"));
    PathBuf::from(s)
}
