//! Moving a deployment from its SQLite file into PostgreSQL (`qinglang copy`), every record
//! and the audit chain as they are, in one PostgreSQL transaction: either everything is
//! copied or nothing is.

use std::path::Path;

use postgres::types::ToSql;
use qinglang_governance::Error;

use crate::sql::Param;
use crate::PgStore;

/// The tables in an order that satisfies their foreign keys.
const TABLES: &[&str] = &[
    "users",
    "identity_blacklist",
    "accounts",
    "name_tombstones",
    "groups",
    "memberships",
    "content",
    "content_images",
    "strikes",
    "sanctions",
    "audit",
    "audit_meta",
    "principals",
    "sessions",
    "tc3_keys",
    "learned_examples",
    "emergency_changes",
    "lexicon_edits",
    "reports",
    "report_filings",
    "queue",
    "appeals",
    "image_lists",
    "image_list_entries",
];

/// Rows copied per table, in [`TABLES`] order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<(String, u64)>,
}

impl CopyReport {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// Copies the SQLite database at `from` into the PostgreSQL database at `to_url`, which
/// must hold no records yet. The source is only read; stop the server that writes it first,
/// or copy from a `qinglang backup` of it.
pub fn copy_into(from: &Path, to_url: &str) -> Result<CopyReport, Error> {
    if !from.is_file() {
        return Err(Error::Storage(format!("no database at {}", from.display())));
    }
    let src =
        rusqlite::Connection::open_with_flags(from, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| Error::Storage(format!("cannot open {}: {e}", from.display())))?;
    let version: i64 = src
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(crate::storage)?;
    let current = crate::sqlite::schema_version();
    if version != current {
        return Err(Error::Storage(format!(
            "{} has schema version {version}, this qinglang {current}: run `qinglang migrate --db {}` first",
            from.display(),
            from.display()
        )));
    }
    let target = PgStore::open(to_url)?;
    target.copy_in(|tx| {
        let mut report = CopyReport::default();
        for table in TABLES {
            let occupied: bool = tx
                .query_one(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), &[])
                .and_then(|r| r.try_get(0))
                .map_err(crate::storage)?;
            if occupied {
                return Err(Error::Storage(format!(
                    "the target database already holds {table}; copy only into a new, empty database"
                )));
            }
        }
        for table in TABLES {
            let n = copy_table(&src, tx, table)?;
            report.tables.push(((*table).to_owned(), n));
        }
        Ok(report)
    })
}

/// Copies one table in batches of multi-row inserts; returns the rows copied.
fn copy_table(
    src: &rusqlite::Connection,
    tx: &mut postgres::Transaction<'_>,
    table: &str,
) -> Result<u64, Error> {
    let columns: Vec<String> = tx
        .query(
            "SELECT column_name FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            &[&table],
        )
        .map_err(crate::storage)?
        .iter()
        .map(|r| r.try_get::<_, String>(0))
        .collect::<Result<_, _>>()
        .map_err(crate::storage)?;
    let list = columns.join(", ");
    // PostgreSQL takes at most 65,535 parameters per statement.
    let per_batch = (30_000 / columns.len().max(1)).clamp(1, 1000);
    let insert = |rows: usize| {
        let mut sql = format!("INSERT INTO {table} ({list}) VALUES ");
        let mut n = 1;
        for r in 0..rows {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..columns.len() {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${n}"));
                n += 1;
            }
            sql.push(')');
        }
        sql
    };
    let full = tx.prepare(&insert(per_batch)).map_err(crate::storage)?;
    let mut stmt = src
        .prepare(&format!("SELECT {list} FROM {table}"))
        .map_err(|e| Error::Storage(format!("reading {table}: {e}")))?;
    let mut rows = stmt.query([]).map_err(crate::storage)?;
    let mut batch: Vec<rusqlite::types::Value> = Vec::new();
    let mut copied = 0u64;
    let mut flush = |batch: &mut Vec<rusqlite::types::Value>,
                     tx: &mut postgres::Transaction<'_>|
     -> Result<(), Error> {
        if batch.is_empty() {
            return Ok(());
        }
        let params: Vec<Param<'_>> = batch.iter().map(param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        let rows = batch.len() / columns.len();
        let result = if rows == per_batch {
            tx.execute(&full, &refs)
        } else {
            tx.execute(insert(rows).as_str(), &refs)
        };
        result.map_err(|e| Error::Storage(format!("copying {table}: {e}")))?;
        copied += rows as u64;
        batch.clear();
        Ok(())
    };
    while let Some(row) = rows.next().map_err(crate::storage)? {
        for i in 0..columns.len() {
            batch.push(row.get_ref(i).map_err(crate::storage)?.into());
        }
        if batch.len() == per_batch * columns.len() {
            flush(&mut batch, tx)?;
        }
    }
    flush(&mut batch, tx)?;
    // Identities go on after the largest id copied, so new rows never collide.
    if columns.iter().any(|c| c == "id") && table != "audit_meta" {
        tx.execute(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                        (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            ),
            &[],
        )
        .map_err(|e| Error::Storage(format!("advancing the ids of {table}: {e}")))?;
    }
    Ok(copied)
}

fn param(v: &rusqlite::types::Value) -> Param<'_> {
    use rusqlite::types::Value;
    match v {
        Value::Null => Param::Null,
        Value::Integer(i) => Param::Int(*i),
        Value::Real(f) => Param::Real(*f),
        Value::Text(t) => Param::Text(t),
        Value::Blob(b) => Param::Blob(b),
    }
}
