//! PostgreSQL, for several `qinglang serve` nodes on one database (OPS-3).
//!
//! **How concurrent writers stay correct.** Every write transaction first takes one
//! transaction-scoped advisory lock (`pg_advisory_xact_lock`), so writes from all nodes run
//! one at a time, exactly as they do on SQLite's single writer. The governance rules check
//! before they write (one user per identity, one open report per target, one appeal per
//! sanction, strike counts, credit), and every audited write links to the chain's head:
//! serialising writers keeps all of these true without a retry loop, which a `FnOnce`
//! transaction body could not offer anyway. Serialisable isolation would let unrelated
//! writes overlap, but nearly every write appends to the one audit chain, so they would
//! conflict and retry most of the time. The unique indexes stay as a second line. Reads take
//! a repeatable-read, read-only snapshot and never wait for the lock.
//!
//! Connections are pooled per process (idle ones kept, at most [`MAX_IDLE`]); each keeps
//! its prepared statements, so a statement is parsed once per connection.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, NoTls, Statement};
use qinglang_governance::{Error, Store, Tx};

use crate::sql::{Column, Conn, Dialect, Param, Row, ToParam, Value};
use crate::tx::SqlTx;

/// Embedded migrations, applied in order; `qinglang_migrations` records each.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/postgres/0001_init.sql"),
    include_str!("../migrations/postgres/0002_queue_rank_content_buckets.sql"),
    include_str!("../migrations/postgres/0003_audit_buckets.sql"),
    include_str!("../migrations/postgres/0004_images.sql"),
];

/// The class of qinglang's advisory locks ("qlng"); the second key is the schema's hash, so
/// that deployments in different schemas of one database do not wait for each other.
const LOCK_CLASS: i32 = 0x716c_6e67;
/// The class of the lock migrations hold, so that nodes starting together migrate once.
const MIGRATE_CLASS: i32 = LOCK_CLASS + 1;
/// Idle connections kept per process.
const MAX_IDLE: usize = 16;

/// The PostgreSQL store.
pub struct PgStore {
    config: postgres::Config,
    /// The second key of the advisory locks: a hash of the schema the tables live in.
    lock: i32,
    shown: String,
    idle: Mutex<Vec<Pooled>>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("url", &self.shown).finish()
    }
}

struct Pooled {
    client: Client,
    statements: HashMap<String, Statement>,
}

impl PgStore {
    /// Connects to the database at `url` and applies pending migrations.
    pub fn open(url: &str) -> Result<PgStore, Error> {
        let shown = crate::redact_url(url);
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e| Error::Storage(format!("cannot read the database URL {shown}: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("qinglang");
        }
        let mut store = PgStore {
            config,
            shown,
            lock: 0,
            idle: Mutex::new(Vec::new()),
        };
        let mut conn = store.connect()?;
        let lock: i32 = conn
            .client
            .query_one("SELECT hashtext(current_schema())", &[])
            .and_then(|r| r.try_get(0))
            .map_err(|e| {
                Error::Storage(format!("cannot read the schema of {}: {e}", store.shown))
            })?;
        store.lock = lock;
        store.migrate(&mut conn.client)?;
        store.give_back(conn);
        store.transact(true, crate::tx::casework::backfill_rank)?;
        Ok(store)
    }

    fn connect(&self) -> Result<Pooled, Error> {
        let client = self
            .config
            .connect(NoTls)
            .map_err(|e| Error::Storage(format!("cannot connect to {}: {e}", self.shown)))?;
        Ok(Pooled {
            client,
            statements: HashMap::new(),
        })
    }

    /// An idle connection that still works, or a new one.
    fn checkout(&self) -> Result<Pooled, Error> {
        loop {
            let pooled = self.idle.lock().map_err(crate::storage)?.pop();
            match pooled {
                Some(p) if !p.client.is_closed() => return Ok(p),
                Some(_) => continue,
                None => return self.connect(),
            }
        }
    }

    fn give_back(&self, conn: Pooled) {
        if conn.client.is_closed() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
    }

    fn migrate(&self, client: &mut Client) -> Result<(), Error> {
        let failed = |step: &str, e: postgres::Error| {
            Error::Storage(format!("migrating {} ({step}): {e}", self.shown))
        };
        client
            .execute(
                "SELECT pg_advisory_lock($1, $2)",
                &[&MIGRATE_CLASS, &self.lock],
            )
            .map_err(|e| failed("lock", e))?;
        let result = (|| {
            client
                .batch_execute(
                    "CREATE TABLE IF NOT EXISTS qinglang_migrations (
                         version    BIGINT PRIMARY KEY,
                         applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                     )",
                )
                .map_err(|e| failed("bookkeeping", e))?;
            let applied: i64 = client
                .query_one(
                    "SELECT coalesce(max(version), 0) FROM qinglang_migrations",
                    &[],
                )
                .and_then(|r| r.try_get(0))
                .map_err(|e| failed("version", e))?;
            if applied as usize > MIGRATIONS.len() {
                return Err(Error::Storage(format!(
                    "database schema version {applied} is newer than this qinglang ({}); upgrade qinglang",
                    MIGRATIONS.len()
                )));
            }
            for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
                let version = i as i64 + 1;
                let mut tx = client.transaction().map_err(|e| failed("begin", e))?;
                tx.batch_execute(sql)
                    .map_err(|e| failed(&format!("migration {version}"), e))?;
                tx.execute(
                    "INSERT INTO qinglang_migrations (version) VALUES ($1)",
                    &[&version],
                )
                .map_err(|e| failed("record", e))?;
                tx.commit().map_err(|e| failed("commit", e))?;
            }
            Ok(())
        })();
        let unlocked = client.execute(
            "SELECT pg_advisory_unlock($1, $2)",
            &[&MIGRATE_CLASS, &self.lock],
        );
        result?;
        unlocked.map_err(|e| failed("unlock", e))?;
        Ok(())
    }

    /// Test and tool support: runs raw SQL outside any governance transaction.
    pub fn execute_raw(&self, sql: &str) -> Result<u64, Error> {
        let mut conn = self.checkout()?;
        let n = conn.client.execute(sql, &[]).map_err(crate::storage);
        self.give_back(conn);
        n
    }

    /// Test and tool support: the first column of the first row of a query, as an integer.
    pub fn query_i64(&self, sql: &str) -> Result<i64, Error> {
        let mut conn = self.checkout()?;
        let v = conn
            .client
            .query_one(sql, &[])
            .and_then(|r| r.try_get::<_, i64>(0))
            .map_err(crate::storage);
        self.give_back(conn);
        v
    }

    /// Runs `f` on a raw transaction holding the write lock (`qinglang copy`).
    pub(crate) fn copy_in<T>(
        &self,
        f: impl FnOnce(&mut postgres::Transaction<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut conn = self.checkout()?;
        let result = (|| {
            let mut tx = conn.client.transaction().map_err(crate::storage)?;
            tx.execute(
                "SELECT pg_advisory_xact_lock($1, $2)",
                &[&LOCK_CLASS, &self.lock],
            )
            .map_err(crate::storage)?;
            let out = f(&mut tx)?;
            tx.commit().map_err(crate::storage)?;
            Ok(out)
        })();
        self.give_back(conn);
        result
    }

    /// Runs `f` in a transaction on a pooled connection; the connection goes back to the
    /// pool whether `f` succeeded or not (a failed transaction is rolled back on drop).
    fn transact<T>(
        &self,
        write: bool,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, Error>,
    ) -> Result<T, Error> {
        // BEGIN and, for a write, the lock in one round trip.
        let begin = if write {
            format!(
                "BEGIN; SELECT pg_advisory_xact_lock({LOCK_CLASS}, {})",
                self.lock
            )
        } else {
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY".to_owned()
        };
        let mut conn = self.checkout()?;
        if let Err(e) = conn.client.batch_execute(&begin) {
            // A pooled connection the server closed since (a restart, an idle timeout)
            // fails here, before anything of `f` ran: replace it and try once more.
            if !conn.client.is_closed() {
                return Err(failed(e, &begin));
            }
            conn = self.connect()?;
            conn.client
                .batch_execute(&begin)
                .map_err(|e| failed(e, &begin))?;
        }
        let Pooled { client, statements } = &mut conn;
        let result = f(&mut PgConn { client, statements }).and_then(|out| {
            client
                .batch_execute("COMMIT")
                .map_err(|e| failed(e, "COMMIT"))?;
            Ok(out)
        });
        if result.is_err() {
            // Nothing of a failed transaction stays; a connection that cannot even roll
            // back is closed and not pooled.
            let _ = conn.client.batch_execute("ROLLBACK");
        }
        self.give_back(conn);
        result
    }
}

impl Store for PgStore {
    fn write<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, Error>) -> Result<T, Error> {
        self.transact(true, |c| f(&mut SqlTx { c }))
    }

    fn read<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, Error>) -> Result<T, Error> {
        self.transact(false, |c| f(&mut SqlTx { c }))
    }
}

/// A connection inside a transaction this module began (BEGIN and COMMIT by hand, so that
/// BEGIN and the write lock share a round trip).
struct PgConn<'a> {
    client: &'a mut Client,
    statements: &'a mut HashMap<String, Statement>,
}

impl PgConn<'_> {
    fn statement(&mut self, sql: &str) -> Result<Statement, Error> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self
            .client
            .prepare(&numbered(sql))
            .map_err(|e| failed(e, sql))?;
        self.statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }
}

/// SQLite's `?N` placeholders as PostgreSQL's `$N`, outside quoted strings.
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '?' && !quoted && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

fn one_line(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A driver error with the server's own message (the driver's `Display` says only
/// "db error") and the statement it came from.
fn failed(e: postgres::Error, sql: &str) -> Error {
    match e.as_db_error() {
        Some(db) => Error::Storage(format!(
            "{}: {} (SQLSTATE {}) in: {}",
            db.severity(),
            db.message(),
            db.code().code(),
            one_line(sql)
        )),
        None => Error::Storage(format!("{e} in: {}", one_line(sql))),
    }
}

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        // Bind each value as the type the server inferred for its placeholder.
        match *self {
            Param::Null => Ok(IsNull::Yes),
            Param::Int(i) if *ty == Type::INT8 => i.to_sql(ty, out),
            Param::Int(i) if *ty == Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
            Param::Int(i) if *ty == Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
            Param::Int(i) if *ty == Type::BOOL => (i != 0).to_sql(ty, out),
            Param::Int(i) if *ty == Type::FLOAT8 => (i as f64).to_sql(ty, out),
            Param::Int(i) if *ty == Type::TEXT => i.to_string().to_sql(ty, out),
            Param::Real(f) if *ty == Type::FLOAT8 => f.to_sql(ty, out),
            Param::Real(f) if *ty == Type::FLOAT4 => (f as f32).to_sql(ty, out),
            Param::Text(t) if <&str as ToSql>::accepts(ty) => t.to_sql(ty, out),
            Param::Blob(b) if *ty == Type::BYTEA => b.to_sql(ty, out),
            other => Err(format!("cannot bind {other:?} to a parameter of type {ty}").into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

impl Conn for PgConn<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[&dyn ToParam]) -> Result<u64, Error> {
        let statement = self.statement(sql)?;
        let values: Vec<Param<'_>> = params.iter().map(|p| p.param()).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
        self.client
            .execute(&statement, &refs)
            .map_err(|e| failed(e, sql))
    }

    fn each(
        &mut self,
        sql: &str,
        params: &[&dyn ToParam],
        each: &mut dyn FnMut(&Row<'_, '_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let statement = self.statement(sql)?;
        let values: Vec<Param<'_>> = params.iter().map(|p| p.param()).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
        let rows = self
            .client
            .query(&statement, &refs)
            .map_err(|e| failed(e, sql))?;
        for row in &rows {
            each(&Row::Postgres(row))?;
        }
        Ok(())
    }
}

/// The value in column `col` of a PostgreSQL row, read by the column's type.
pub(crate) fn value<C: Column>(row: &postgres::Row, col: C) -> Result<Value<'_>, Error> {
    let i = col
        .postgres(row)
        .ok_or_else(|| Error::Storage(format!("the result has no column {col}")))?;
    let ty = row.columns()[i].type_();
    let read = |e: postgres::Error| Error::Storage(format!("column {col}: {e}"));
    let v = if *ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(i)
            .map_err(read)?
            .map(Value::Int)
    } else if *ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(i)
            .map_err(read)?
            .map(|v| Value::Int(v.into()))
    } else if *ty == Type::INT2 {
        row.try_get::<_, Option<i16>>(i)
            .map_err(read)?
            .map(|v| Value::Int(v.into()))
    } else if *ty == Type::BOOL {
        row.try_get::<_, Option<bool>>(i)
            .map_err(read)?
            .map(|v| Value::Int(v.into()))
    } else if *ty == Type::FLOAT8 {
        row.try_get::<_, Option<f64>>(i)
            .map_err(read)?
            .map(Value::Real)
    } else if *ty == Type::BYTEA {
        row.try_get::<_, Option<&[u8]>>(i)
            .map_err(read)?
            .map(Value::Blob)
    } else if <&str as postgres::types::FromSql>::accepts(ty) {
        row.try_get::<_, Option<&str>>(i)
            .map_err(read)?
            .map(Value::Text)
    } else {
        return Err(Error::Storage(format!(
            "column {col} has type {ty}, which the store does not read (cast it in the query)"
        )));
    };
    Ok(v.unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_outside_strings() {
        assert_eq!(
            numbered("SELECT '?1', x FROM t WHERE a = ?1 AND b = ?12 AND c = '?'"),
            "SELECT '?1', x FROM t WHERE a = $1 AND b = $12 AND c = '?'"
        );
    }

    #[test]
    fn passwords_never_reach_messages() {
        use crate::redact_url as redact;
        assert_eq!(
            redact("postgres://app:s3cret@db.internal:5432/qinglang"),
            "postgres://app:***@db.internal:5432/qinglang"
        );
        assert_eq!(
            redact("postgres://root@127.0.0.1/test"),
            "postgres://root@127.0.0.1/test"
        );
    }
}
