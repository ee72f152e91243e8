//! SQLite storage for qinglang governance: one file, WAL journal, embedded migrations.
//!
//! One writer connection behind a mutex (SQLite has one writer anyway) and a small pool of
//! reader connections, which in WAL mode read consistent snapshots without blocking the
//! writer. Every governance operation is one transaction.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use qinglang_governance::authz::Role;
use qinglang_governance::casework::{
    Appeal, AppealStatus, CaseTarget, Filing, QueueItem, Report, ReportFilter,
};
use qinglang_governance::identity::{IdentityKind, SubjectKind};
use qinglang_governance::model::*;
use qinglang_governance::policy::SanctionKind;
use qinglang_governance::stats::{AuditFilter, QueueDepth, ReportHandling};
use qinglang_governance::{Error, Store, Tx};
use rusqlite::{params, Connection, OptionalExtension};

mod casework;

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
];

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

pub(crate) fn storage(e: impl std::fmt::Display) -> Error {
    Error::Storage(e.to_string())
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
    Ok(())
}

/// A learned example from a row of `id, label, text, actor, at`.
fn learned_from_row(model: &str, r: &rusqlite::Row<'_>) -> rusqlite::Result<LearnedExample> {
    let label: String = r.get(1)?;
    Ok(LearnedExample {
        id: r.get(0)?,
        model: model.to_owned(),
        // The CHECK constraint admits only these two.
        label: Label::parse(&label).unwrap_or(Label::Ham),
        text: r.get(2)?,
        actor: r.get(3)?,
        at: Timestamp(r.get(4)?),
    })
}

impl Store for SqliteStore {
    fn write<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, Error>) -> Result<T, Error> {
        let mut conn = self.writer.lock().map_err(storage)?;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(storage)?;
        let mut wrapper = SqliteTx { conn: &tx };
        let out = f(&mut wrapper)?;
        tx.commit().map_err(storage)?;
        Ok(out)
    }

    fn read<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, Error>) -> Result<T, Error> {
        match self.reader()? {
            Some(mut conn) => {
                let result = {
                    let tx = conn.transaction().map_err(storage)?;
                    let mut wrapper = SqliteTx { conn: &tx };
                    let out = f(&mut wrapper);
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
                let mut wrapper = SqliteTx { conn: &conn };
                f(&mut wrapper)
            }
        }
    }
}

struct SqliteTx<'c> {
    conn: &'c Connection,
}

fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let status: String = r.get("status")?;
    let kind: Option<String> = r.get("id_kind")?;
    let identity = match kind.as_deref().and_then(IdentityKind::parse) {
        Some(kind) => {
            let subject: String = r.get("id_subject")?;
            Some(IdentityRecord {
                kind,
                subject: if subject == "enterprise" {
                    SubjectKind::Enterprise
                } else {
                    SubjectKind::Person
                },
                lookup_hash: r.get("id_hash")?,
                sealed_value: r.get("id_sealed")?,
                sealed_name: r.get("id_name_sealed")?,
                masked_value: r.get("id_masked")?,
                masked_name: r.get("id_name_masked")?,
                verified_at: Timestamp(r.get("id_verified_at")?),
            })
        }
        None => None,
    };
    Ok(User {
        id: r.get("id")?,
        nickname: r.get("nickname")?,
        created_at: Timestamp(r.get("created_at")?),
        credit: r.get("credit")?,
        credit_at: Timestamp(r.get("credit_at")?),
        status: UserStatus::parse(&status).unwrap_or(UserStatus::Active),
        identity,
    })
}

fn account_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    let subject: String = r.get("subject")?;
    Ok(Account {
        id: r.get("id")?,
        owner: r.get("owner")?,
        name: r.get("name")?,
        bio: r.get("bio")?,
        subject: AccountSubject::parse(&subject).unwrap_or(AccountSubject::Individual),
        category: r.get("category")?,
        news_licence: r.get("news_licence")?,
        followers: r.get::<_, i64>("followers")? as u64,
        monthly_reads: r.get::<_, i64>("monthly_reads")? as u64,
        closed: r.get("closed")?,
        created_at: Timestamp(r.get("created_at")?),
        scene: r.get("scene")?,
    })
}

fn sanction_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<Sanction>> {
    let kind: String = r.get("kind")?;
    let target_kind: String = r.get("target_kind")?;
    let (Some(kind), Some(target)) = (
        SanctionKind::parse(&kind),
        Target::from_parts(&target_kind, r.get("target_id")?),
    ) else {
        return Ok(None);
    };
    Ok(Some(Sanction {
        id: r.get("id")?,
        target,
        kind,
        reason: r.get("reason")?,
        starts_at: Timestamp(r.get("starts_at")?),
        ends_at: r.get::<_, Option<i64>>("ends_at")?.map(Timestamp),
        policy_version: r.get("policy_version")?,
        imposed_by: r.get("imposed_by")?,
        content: r.get("content")?,
        revoked_at: r.get::<_, Option<i64>>("revoked_at")?.map(Timestamp),
        strike: r.get("strike")?,
        credit_cost: r.get("credit_cost")?,
    }))
}

pub(crate) fn audit_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get("seq")?,
        at: Timestamp(r.get("at")?),
        actor: r.get("actor")?,
        action: r.get("action")?,
        target: r.get("target")?,
        reason: r.get("reason")?,
        evidence: r.get("evidence")?,
        policy_version: r.get("policy_version")?,
        prev_hash: r.get("prev_hash")?,
        hash: r.get("hash")?,
    })
}

impl Tx for SqliteTx<'_> {
    fn insert_user(&mut self, nickname: &str, credit: i32, at: Timestamp) -> Result<Id, Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO users (nickname, created_at, credit, credit_at) VALUES (?1, ?2, ?3, ?2)",
            )
            .and_then(|mut s| s.execute(params![nickname, at.0, credit]))
            .map_err(storage)?;
        Ok(self.conn.last_insert_rowid())
    }

    fn user(&mut self, id: Id) -> Result<Option<User>, Error> {
        self.conn
            .prepare_cached("SELECT * FROM users WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], user_from_row).optional())
            .map_err(storage)
    }

    fn set_credit(&mut self, user: Id, credit: i32, at: Timestamp) -> Result<(), Error> {
        self.conn
            .prepare_cached("UPDATE users SET credit = ?2, credit_at = ?3 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![user, credit, at.0]))
            .map_err(storage)?;
        Ok(())
    }

    fn set_user_status(&mut self, user: Id, status: UserStatus) -> Result<(), Error> {
        self.conn
            .prepare_cached("UPDATE users SET status = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![user, status.as_str()]))
            .map_err(storage)?;
        Ok(())
    }

    fn set_identity(&mut self, user: Id, i: &IdentityRecord) -> Result<(), Error> {
        let subject = match i.subject {
            SubjectKind::Person => "person",
            SubjectKind::Enterprise => "enterprise",
        };
        self.conn
            .prepare_cached(
                "UPDATE users SET id_kind = ?2, id_subject = ?3, id_hash = ?4, id_sealed = ?5,
                 id_name_sealed = ?6, id_masked = ?7, id_name_masked = ?8, id_verified_at = ?9
                 WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    user,
                    i.kind.as_str(),
                    subject,
                    i.lookup_hash,
                    i.sealed_value,
                    i.sealed_name,
                    i.masked_value,
                    i.masked_name,
                    i.verified_at.0
                ])
            })
            .map_err(storage)?;
        Ok(())
    }

    fn blacklist_identity(&mut self, hash: &str, reason: &str, at: Timestamp) -> Result<(), Error> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO identity_blacklist (id_hash, reason, at) VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut s| s.execute(params![hash, reason, at.0]))
            .map_err(storage)?;
        Ok(())
    }

    fn identity_blacklisted(&mut self, hash: &str) -> Result<bool, Error> {
        self.conn
            .prepare_cached("SELECT 1 FROM identity_blacklist WHERE id_hash = ?1")
            .and_then(|mut s| s.exists([hash]))
            .map_err(storage)
    }

    fn users_with_identity(&mut self, hash: &str) -> Result<Vec<Id>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM users WHERE id_hash = ?1 ORDER BY id")
            .map_err(storage)?;
        let rows = stmt.query_map([hash], |r| r.get(0)).map_err(storage)?;
        rows.collect::<Result<_, _>>().map_err(storage)
    }

    fn insert_account(&mut self, a: &Account) -> Result<Id, Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO accounts (owner, name, bio, subject, category, news_licence,
                 followers, monthly_reads, closed, created_at, last_active_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?9)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    a.owner,
                    a.name,
                    a.bio,
                    a.subject.as_str(),
                    a.category,
                    a.news_licence,
                    a.followers as i64,
                    a.monthly_reads as i64,
                    a.created_at.0
                ])
            })
            .map_err(storage)?;
        Ok(self.conn.last_insert_rowid())
    }

    fn account(&mut self, id: Id) -> Result<Option<Account>, Error> {
        self.conn
            .prepare_cached("SELECT * FROM accounts WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], account_from_row).optional())
            .map_err(storage)
    }

    fn open_accounts_for_identity(&mut self, hash: &str) -> Result<u32, Error> {
        self.conn
            .prepare_cached(
                "SELECT count(*) FROM accounts a JOIN users u ON u.id = a.owner
                 WHERE u.id_hash = ?1 AND a.closed = 0",
            )
            .and_then(|mut s| s.query_row([hash], |r| r.get(0)))
            .map_err(storage)
    }

    fn account_name_taken(&mut self, name: &str) -> Result<bool, Error> {
        self.conn
            .prepare_cached("SELECT 1 FROM accounts WHERE name = ?1 AND closed = 0")
            .and_then(|mut s| s.exists([name]))
            .map_err(storage)
    }

    fn name_tombstoned(&mut self, key: &str) -> Result<bool, Error> {
        self.conn
            .prepare_cached("SELECT 1 FROM name_tombstones WHERE name_key = ?1")
            .and_then(|mut s| s.exists([key]))
            .map_err(storage)
    }

    fn tombstone_within(&mut self, key: &str) -> Result<bool, Error> {
        self.conn
            .prepare_cached(
                "SELECT 1 FROM name_tombstones WHERE length(name_key) >= 3 AND instr(?1, name_key) > 0",
            )
            .and_then(|mut s| s.exists([key]))
            .map_err(storage)
    }

    fn close_account(&mut self, id: Id, name_key: &str, at: Timestamp) -> Result<(), Error> {
        self.conn
            .prepare_cached("UPDATE accounts SET closed = 1 WHERE id = ?1")
            .and_then(|mut s| s.execute([id]))
            .map_err(storage)?;
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO name_tombstones (name_key, account, at) VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut s| s.execute(params![name_key, id, at.0]))
            .map_err(storage)?;
        Ok(())
    }

    fn reopen_accounts_closed_at(&mut self, owner: Id, at: Timestamp) -> Result<Vec<Id>, Error> {
        let ids: Vec<Id> = {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT a.id FROM accounts a JOIN name_tombstones t ON t.account = a.id
                     WHERE a.owner = ?1 AND a.closed = 1 AND t.at = ?2",
                )
                .map_err(storage)?;
            let rows = stmt
                .query_map(params![owner, at.0], |r| r.get(0))
                .map_err(storage)?;
            rows.collect::<Result<_, _>>().map_err(storage)?
        };
        for id in &ids {
            self.conn
                .execute("DELETE FROM name_tombstones WHERE account = ?1", [id])
                .map_err(storage)?;
            self.conn
                .execute(
                    "UPDATE accounts SET closed = 0, last_active_at = ?2 WHERE id = ?1",
                    params![id, at.0.max(0)],
                )
                .map_err(storage)?;
        }
        Ok(ids)
    }

    fn touch_account(&mut self, id: Id, at: Timestamp) -> Result<(), Error> {
        self.conn
            .prepare_cached("UPDATE accounts SET last_active_at = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![id, at.0]))
            .map_err(storage)?;
        Ok(())
    }

    fn inactive_accounts(&mut self, before: Timestamp) -> Result<Vec<Account>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT * FROM accounts WHERE closed = 0 AND last_active_at < ?1 ORDER BY id",
            )
            .map_err(storage)?;
        let rows = stmt
            .query_map([before.0], account_from_row)
            .map_err(storage)?;
        rows.collect::<Result<_, _>>().map_err(storage)
    }

    fn accounts_of(&mut self, owner: Id) -> Result<Vec<Account>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT * FROM accounts WHERE owner = ?1 ORDER BY id")
            .map_err(storage)?;
        let rows = stmt.query_map([owner], account_from_row).map_err(storage)?;
        rows.collect::<Result<_, _>>().map_err(storage)
    }

    fn insert_group(&mut self, g: &Group) -> Result<Id, Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO groups (owner, name, max_members, status, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    g.owner,
                    g.name,
                    g.max_members,
                    g.status.as_str(),
                    g.created_at.0
                ])
            })
            .map_err(storage)?;
        Ok(self.conn.last_insert_rowid())
    }

    fn set_scene(&mut self, target: Target, scene: Option<&str>) -> Result<(), Error> {
        let sql = match target {
            Target::Group(_) => "UPDATE groups SET scene = ?2 WHERE id = ?1",
            Target::Account(_) => "UPDATE accounts SET scene = ?2 WHERE id = ?1",
            other => {
                // The service checks the target first; reaching here is a programming error.
                return Err(Error::Storage(format!(
                    "only groups and accounts carry a scene, not {}",
                    other.kind()
                )));
            }
        };
        self.conn
            .prepare_cached(sql)
            .and_then(|mut s| s.execute(params![target.id(), scene]))
            .map_err(storage)?;
        Ok(())
    }

    fn group(&mut self, id: Id) -> Result<Option<Group>, Error> {
        self.conn
            .prepare_cached("SELECT * FROM groups WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([id], |r| {
                    let status: String = r.get("status")?;
                    Ok(Group {
                        id: r.get("id")?,
                        owner: r.get("owner")?,
                        name: r.get("name")?,
                        notice: r.get("notice")?,
                        max_members: r.get("max_members")?,
                        status: GroupStatus::parse(&status).unwrap_or(GroupStatus::Active),
                        created_at: Timestamp(r.get("created_at")?),
                        scene: r.get("scene")?,
                    })
                })
                .optional()
            })
            .map_err(storage)
    }

    fn set_group_status(&mut self, id: Id, status: GroupStatus) -> Result<(), Error> {
        self.conn
            .prepare_cached("UPDATE groups SET status = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![id, status.as_str()]))
            .map_err(storage)?;
        Ok(())
    }

    fn groups_created_by(&mut self, user: Id) -> Result<u32, Error> {
        self.conn
            // Dissolved groups count: dissolving must not free a slot for a new one.
            .prepare_cached("SELECT count(*) FROM groups WHERE owner = ?1")
            .and_then(|mut s| s.query_row([user], |r| r.get(0)))
            .map_err(storage)
    }

    fn groups_joined_by(&mut self, user: Id) -> Result<u32, Error> {
        self.conn
            .prepare_cached(
                "SELECT count(*) FROM memberships m JOIN groups g ON g.id = m.group_id
                 WHERE m.user_id = ?1 AND m.status = 'active' AND g.status = 'active'",
            )
            .and_then(|mut s| s.query_row([user], |r| r.get(0)))
            .map_err(storage)
    }

    fn upsert_member(
        &mut self,
        group: Id,
        user: Id,
        role: GroupRole,
        status: MembershipStatus,
        at: Timestamp,
    ) -> Result<(), Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO memberships (group_id, user_id, role, status, at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (group_id, user_id) DO UPDATE SET role = excluded.role, status = excluded.status",
            )
            .and_then(|mut s| s.execute(params![group, user, role.as_str(), status.as_str(), at.0]))
            .map_err(storage)?;
        Ok(())
    }

    fn member(&mut self, group: Id, user: Id) -> Result<Option<Membership>, Error> {
        self.conn
            .prepare_cached(
                "SELECT role, status, muted_until FROM memberships WHERE group_id = ?1 AND user_id = ?2",
            )
            .and_then(|mut s| {
                s.query_row([group, user], |r| {
                    let role: String = r.get(0)?;
                    let status: String = r.get(1)?;
                    Ok(Membership {
                        group,
                        user,
                        role: GroupRole::parse(&role).unwrap_or(GroupRole::Member),
                        status: if status == "active" {
                            MembershipStatus::Active
                        } else {
                            MembershipStatus::Pending
                        },
                        muted_until: r.get::<_, Option<i64>>(2)?.map(Timestamp),
                    })
                })
                .optional()
            })
            .map_err(storage)
    }

    fn remove_member(&mut self, group: Id, user: Id) -> Result<(), Error> {
        self.conn
            .prepare_cached("DELETE FROM memberships WHERE group_id = ?1 AND user_id = ?2")
            .and_then(|mut s| s.execute([group, user]))
            .map_err(storage)?;
        Ok(())
    }

    fn set_muted_until(
        &mut self,
        group: Id,
        user: Id,
        until: Option<Timestamp>,
    ) -> Result<(), Error> {
        self.conn
            .prepare_cached(
                "UPDATE memberships SET muted_until = ?3 WHERE group_id = ?1 AND user_id = ?2",
            )
            .and_then(|mut s| s.execute(params![group, user, until.map(|t| t.0)]))
            .map_err(storage)?;
        Ok(())
    }

    fn set_notice(&mut self, group: Id, notice: &str) -> Result<(), Error> {
        self.conn
            .prepare_cached("UPDATE groups SET notice = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![group, notice]))
            .map_err(storage)?;
        Ok(())
    }

    fn active_members(&mut self, group: Id) -> Result<u32, Error> {
        self.conn
            .prepare_cached(
                "SELECT count(*) FROM memberships WHERE group_id = ?1 AND status = 'active'",
            )
            .and_then(|mut s| s.query_row([group], |r| r.get(0)))
            .map_err(storage)
    }

    fn role_holders(&mut self, group: Id) -> Result<Vec<Membership>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT user_id, role FROM memberships
                 WHERE group_id = ?1 AND status = 'active' AND role IN ('creator', 'manager')
                 ORDER BY user_id",
            )
            .map_err(storage)?;
        let rows = stmt
            .query_map([group], |r| {
                let role: String = r.get(1)?;
                Ok(Membership {
                    group,
                    user: r.get(0)?,
                    role: GroupRole::parse(&role).unwrap_or(GroupRole::Manager),
                    status: MembershipStatus::Active,
                    muted_until: None,
                })
            })
            .map_err(storage)?;
        rows.collect::<Result<_, _>>().map_err(storage)
    }

    fn insert_content(&mut self, c: &ContentRecord) -> Result<Id, Error> {
        let labels = serde_json::to_string(&c.labels).map_err(storage)?;
        self.conn
            .prepare_cached(
                "INSERT INTO content (author, group_id, account_id, kind, text, decision, suggestion,
                 score, labels, verdict, policy_version, at, campaign)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    c.author,
                    c.group,
                    c.account,
                    c.kind.as_str(),
                    c.text,
                    c.decision.as_str(),
                    c.suggestion,
                    c.score,
                    labels,
                    c.verdict_json,
                    c.policy_version,
                    c.at.0,
                    c.campaign.map(|k| k as i64)
                ])
            })
            .map_err(storage)?;
        Ok(self.conn.last_insert_rowid())
    }

    fn content_since(&mut self, since: Timestamp) -> Result<Vec<StoredContent>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, author, group_id, text, decision, at, kind FROM content \
                 WHERE at >= ?1 ORDER BY at, id",
            )
            .map_err(storage)?;
        let rows = stmt
            .query_map([since.0], |r| {
                let kind: String = r.get(6)?;
                Ok(StoredContent {
                    id: r.get(0)?,
                    author: r.get(1)?,
                    group: r.get(2)?,
                    kind: ContentKind::parse(&kind).unwrap_or(ContentKind::Message),
                    text: r.get(3)?,
                    decision: r.get(4)?,
                    at: Timestamp(r.get(5)?),
                })
            })
            .map_err(storage)?;
        rows.collect::<Result<_, _>>().map_err(storage)
    }

    fn set_content_decision(&mut self, id: Id, decision: Decision) -> Result<(), Error> {
        self.conn
            .execute(
                "UPDATE content SET decision = ?1 WHERE id = ?2",
                params![decision.as_str(), id],
            )
            .map_err(storage)?;
        Ok(())
    }

    fn content(&mut self, id: Id) -> Result<Option<ContentRecord>, Error> {
        self.conn
            .prepare_cached("SELECT * FROM content WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([id], |r| {
                    let kind: String = r.get("kind")?;
                    let decision: String = r.get("decision")?;
                    let labels: String = r.get("labels")?;
                    Ok(ContentRecord {
                        author: r.get("author")?,
                        group: r.get("group_id")?,
                        account: r.get("account_id")?,
                        kind: ContentKind::parse(&kind).unwrap_or(ContentKind::Message),
                        text: r.get("text")?,
                        decision: Decision::parse(&decision).unwrap_or(Decision::Held),
                        suggestion: r.get("suggestion")?,
                        score: r.get("score")?,
                        labels: serde_json::from_str(&labels).unwrap_or_default(),
                        verdict_json: r.get("verdict")?,
                        policy_version: r.get("policy_version")?,
                        at: Timestamp(r.get("at")?),
                        campaign: r.get::<_, Option<i64>>("campaign")?.map(|k| k as u64),
                    })
                })
                .optional()
            })
            .map_err(storage)
    }

    fn sanction(&mut self, id: Id) -> Result<Option<Sanction>, Error> {
        self.conn
            .prepare_cached("SELECT * FROM sanctions WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], sanction_from_row).optional())
            .map(Option::flatten)
            .map_err(storage)
    }

    fn revoke_sanction(&mut self, id: Id, at: Timestamp) -> Result<(), Error> {
        self.conn
            .execute(
                "UPDATE sanctions SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, at.0],
            )
            .map_err(storage)?;
        Ok(())
    }

    fn void_strike(&mut self, id: Id) -> Result<bool, Error> {
        self.conn
            .execute(
                "UPDATE strikes SET voided = 1 WHERE id = ?1 AND voided = 0",
                [id],
            )
            .map(|n| n > 0)
            .map_err(storage)
    }

    fn unblacklist_identity(&mut self, hash: &str) -> Result<(), Error> {
        self.conn
            .execute("DELETE FROM identity_blacklist WHERE id_hash = ?1", [hash])
            .map_err(storage)?;
        Ok(())
    }

    fn insert_lexicon_edit(&mut self, e: &LexiconEdit) -> Result<Id, Error> {
        self.conn
            .execute(
                "INSERT INTO lexicon_edits (term, category, action, reason, actor, at, scene)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![e.term, e.category, e.action, e.reason, e.actor, e.at.0, e.scene],
            )
            .map_err(storage)?;
        Ok(self.conn.last_insert_rowid())
    }

    fn lexicon_edits(&mut self) -> Result<Vec<LexiconEdit>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT * FROM lexicon_edits ORDER BY id")
            .map_err(storage)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(LexiconEdit {
                    id: r.get("id")?,
                    term: r.get("term")?,
                    category: r.get("category")?,
                    action: r.get("action")?,
                    reason: r.get("reason")?,
                    actor: r.get("actor")?,
                    at: Timestamp(r.get("at")?),
                    scene: r.get("scene")?,
                })
            })
            .map_err(storage)?;
        rows.collect::<Result<_, _>>().map_err(storage)
    }

    fn content_volume(
        &mut self,
        from: Timestamp,
        to: Timestamp,
        offset_ms: i64,
    ) -> Result<Vec<(i64, String, String, u64)>, Error> {
        casework::content_volume(self.conn, from, to, offset_ms)
    }

    fn report_handling(
        &mut self,
        from: Timestamp,
        to: Timestamp,
        now: Timestamp,
    ) -> Result<ReportHandling, Error> {
        casework::report_handling(self.conn, from, to, now)
    }

    fn queue_depth(&mut self, now: Timestamp, claim_ms: i64) -> Result<QueueDepth, Error> {
        casework::queue_depth(self.conn, now, claim_ms)
    }

    fn audit_action_counts(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(String, u64)>, Error> {
        casework::audit_action_counts(self.conn, from, to)
    }

    fn appeal_counts(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(String, u64)>, Error> {
        casework::appeal_counts(self.conn, from, to)
    }

    fn sanction_counts(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(String, u64)>, Error> {
        casework::sanction_counts(self.conn, from, to)
    }

    fn audit_after(
        &mut self,
        seq: i64,
        actions: &[&str],
        limit: u32,
    ) -> Result<Vec<AuditEntry>, Error> {
        let list = serde_json::to_string(actions).map_err(storage)?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT * FROM audit WHERE seq > ?1
                 AND action IN (SELECT value FROM json_each(?2)) ORDER BY seq LIMIT ?3",
            )
            .map_err(storage)?;
        let rows = stmt
            .query_map(params![seq, list, limit.clamp(1, 1000)], audit_from_row)
            .map_err(storage)?;
        rows.collect::<Result<_, _>>().map_err(storage)
    }

    fn audit_search(&mut self, f: &AuditFilter) -> Result<Vec<AuditEntry>, Error> {
        casework::audit_search(self.conn, f)
    }

    fn insert_report(&mut self, r: &Report) -> Result<Id, Error> {
        casework::insert_report(self.conn, r)
    }

    fn report(&mut self, id: Id) -> Result<Option<Report>, Error> {
        casework::report(self.conn, id)
    }

    fn open_report(&mut self, t: CaseTarget) -> Result<Option<Report>, Error> {
        casework::open_report(self.conn, t)
    }

    fn update_report(&mut self, r: &Report) -> Result<(), Error> {
        casework::update_report(self.conn, r)
    }

    fn reports(&mut self, f: &ReportFilter) -> Result<Vec<Report>, Error> {
        casework::reports(self.conn, f)
    }

    fn insert_filing(&mut self, f: &Filing) -> Result<Id, Error> {
        casework::insert_filing(self.conn, f)
    }

    fn filings(&mut self, report: Id) -> Result<Vec<Filing>, Error> {
        casework::filings(self.conn, report)
    }

    fn reporter_record(&mut self, reporter: Id) -> Result<(u32, u32), Error> {
        casework::reporter_record(self.conn, reporter)
    }

    fn insert_queue_item(&mut self, i: &QueueItem) -> Result<Id, Error> {
        casework::insert_queue_item(self.conn, i)
    }

    fn queue_item(&mut self, id: Id) -> Result<Option<QueueItem>, Error> {
        casework::queue_item(self.conn, id)
    }

    fn open_queue_item(&mut self, t: CaseTarget) -> Result<Option<QueueItem>, Error> {
        casework::open_queue_item(self.conn, t)
    }

    fn update_queue_item(&mut self, i: &QueueItem) -> Result<(), Error> {
        casework::update_queue_item(self.conn, i)
    }

    fn open_queue(&mut self) -> Result<Vec<QueueItem>, Error> {
        casework::open_queue(self.conn)
    }

    fn insert_appeal(&mut self, a: &Appeal) -> Result<Id, Error> {
        casework::insert_appeal(self.conn, a)
    }

    fn appeal(&mut self, id: Id) -> Result<Option<Appeal>, Error> {
        casework::appeal(self.conn, id)
    }

    fn appeal_for_sanction(&mut self, sanction: Id) -> Result<Option<Appeal>, Error> {
        casework::appeal_for_sanction(self.conn, sanction)
    }

    fn update_appeal(&mut self, a: &Appeal) -> Result<(), Error> {
        casework::update_appeal(self.conn, a)
    }

    fn appeals(&mut self, status: Option<AppealStatus>, limit: u32) -> Result<Vec<Appeal>, Error> {
        casework::appeals(self.conn, status, limit)
    }

    fn insert_emergency(&mut self, c: &EmergencyChange) -> Result<Id, Error> {
        self.conn
            .execute(
                "INSERT INTO emergency_changes \
                 (name, lexicon, review_threshold, block_threshold, actor, at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    c.name,
                    c.lexicon,
                    c.review_threshold,
                    c.block_threshold,
                    c.actor,
                    c.at.0
                ],
            )
            .map_err(storage)?;
        Ok(self.conn.last_insert_rowid())
    }

    fn emergency_generation(&mut self) -> Result<(u64, Id), Error> {
        self.conn
            .query_row(
                // Both tables only grow, so the sums change whenever either does.
                "SELECT (SELECT count(*) FROM emergency_changes) + (SELECT count(*) FROM lexicon_edits),
                        (SELECT coalesce(max(id), 0) FROM emergency_changes)
                        + (SELECT coalesce(max(id), 0) FROM lexicon_edits)",
                [],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
            )
            .map_err(storage)
    }

    fn emergency_changes(&mut self) -> Result<Vec<EmergencyChange>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, name, lexicon, review_threshold, block_threshold, actor, at \
                 FROM emergency_changes ORDER BY id",
            )
            .map_err(storage)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(EmergencyChange {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    lexicon: r.get(2)?,
                    review_threshold: r.get(3)?,
                    block_threshold: r.get(4)?,
                    actor: r.get(5)?,
                    at: Timestamp(r.get(6)?),
                })
            })
            .map_err(storage)?;
        rows.collect::<Result<_, _>>().map_err(storage)
    }

    fn campaign_members(&mut self, campaign: u64) -> Result<Vec<CampaignMember>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, author, group_id, account_id, decision, at FROM content \
                 WHERE campaign = ?1 ORDER BY id",
            )
            .map_err(storage)?;
        let rows = stmt
            .query_map([campaign as i64], |r| {
                Ok(CampaignMember {
                    content: r.get(0)?,
                    author: r.get(1)?,
                    group: r.get(2)?,
                    account: r.get(3)?,
                    decision: r.get(4)?,
                    at: Timestamp(r.get(5)?),
                })
            })
            .map_err(storage)?;
        rows.collect::<Result<_, _>>().map_err(storage)
    }

    fn insert_strike(
        &mut self,
        target: Target,
        content: Option<Id>,
        at: Timestamp,
    ) -> Result<Id, Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO strikes (target_kind, target_id, content, at) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| s.execute(params![target.kind(), target.id(), content, at.0]))
            .map_err(storage)?;
        Ok(self.conn.last_insert_rowid())
    }

    fn strikes_of(&mut self, target: Target) -> Result<Vec<StrikeRecord>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, content, at, voided FROM strikes
                 WHERE target_kind = ?1 AND target_id = ?2 ORDER BY id DESC LIMIT 500",
            )
            .map_err(storage)?;
        let rows = stmt
            .query_map(params![target.kind(), target.id()], |r| {
                Ok(StrikeRecord {
                    id: r.get(0)?,
                    content: r.get(1)?,
                    at: Timestamp(r.get(2)?),
                    voided: r.get(3)?,
                })
            })
            .map_err(storage)?;
        rows.collect::<Result<_, _>>().map_err(storage)
    }

    fn principal_named(&mut self, name: &str) -> Result<Option<(Principal, bool)>, Error> {
        self.conn
            .prepare_cached(
                "SELECT id, name, role, password_hash IS NOT NULL FROM principals
                 WHERE name = ?1 AND revoked = 0 ORDER BY id LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row([name], |r| {
                    let role: String = r.get(2)?;
                    Ok((r.get(0)?, r.get(1)?, role, r.get(3)?))
                })
                .optional()
            })
            .map_err(storage)
            .map(|row| {
                row.and_then(|(id, name, role, operator): (Id, String, String, bool)| {
                    Role::parse(&role).map(|role| (Principal { id, name, role }, operator))
                })
            })
    }

    fn strikes_since(&mut self, target: Target, since: Timestamp) -> Result<u32, Error> {
        self.conn
            .prepare_cached(
                "SELECT count(*) FROM strikes WHERE target_kind = ?1 AND target_id = ?2 AND at >= ?3 AND voided = 0",
            )
            .and_then(|mut s| s.query_row(params![target.kind(), target.id(), since.0], |r| r.get(0)))
            .map_err(storage)
    }

    fn insert_sanction(&mut self, s: &Sanction) -> Result<Id, Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO sanctions (target_kind, target_id, kind, reason, starts_at, ends_at,
                 policy_version, imposed_by, content, strike, credit_cost)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    s.target.kind(),
                    s.target.id(),
                    s.kind.as_str(),
                    s.reason,
                    s.starts_at.0,
                    s.ends_at.map(|t| t.0),
                    s.policy_version,
                    s.imposed_by,
                    s.content,
                    s.strike,
                    s.credit_cost
                ])
            })
            .map_err(storage)?;
        Ok(self.conn.last_insert_rowid())
    }

    fn sanctions_of(&mut self, target: Target) -> Result<Vec<Sanction>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT * FROM sanctions WHERE target_kind = ?1 AND target_id = ?2 ORDER BY id",
            )
            .map_err(storage)?;
        let rows = stmt
            .query_map(params![target.kind(), target.id()], sanction_from_row)
            .map_err(storage)?;
        let mut out = Vec::new();
        for row in rows {
            if let Some(s) = row.map_err(storage)? {
                out.push(s);
            }
        }
        Ok(out)
    }

    fn sanction_applied_since(
        &mut self,
        target: Target,
        kind: SanctionKind,
        since: Timestamp,
    ) -> Result<bool, Error> {
        self.conn
            .prepare_cached(
                "SELECT 1 FROM sanctions WHERE target_kind = ?1 AND target_id = ?2 AND kind = ?3 AND starts_at >= ?4 AND revoked_at IS NULL",
            )
            .and_then(|mut s| s.exists(params![target.kind(), target.id(), kind.as_str(), since.0]))
            .map_err(storage)
    }

    fn audit_head(&mut self) -> Result<Option<(i64, String)>, Error> {
        self.conn
            .prepare_cached("SELECT head_seq, head_hash FROM audit_meta WHERE id = 1")
            .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
            .map_err(storage)
    }

    fn audit_anchor(&mut self) -> Result<Option<AuditAnchor>, Error> {
        type Row = (Option<i64>, Option<String>, Option<i64>, Option<String>);
        let row: Option<Row> = self
            .conn
            .prepare_cached(
                "SELECT anchor_seq, anchor_hash, anchor_at, anchor_mac FROM audit_meta WHERE id = 1",
            )
            .and_then(|mut s| {
                s.query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                    .optional()
            })
            .map_err(storage)?;
        Ok(match row {
            Some((Some(seq), Some(hash), at, mac)) => Some(AuditAnchor {
                seq,
                hash,
                at: Timestamp(at.unwrap_or(i64::MAX)),
                mac: mac.unwrap_or_default(),
            }),
            _ => None,
        })
    }

    fn audit_head_mac(&mut self) -> Result<Option<String>, Error> {
        self.conn
            .prepare_cached("SELECT head_mac FROM audit_meta WHERE id = 1")
            .and_then(|mut s| {
                s.query_row([], |r| r.get::<_, Option<String>>(0))
                    .optional()
            })
            .map(Option::flatten)
            .map_err(storage)
    }

    fn set_anchor_mac(&mut self, mac: &str) -> Result<(), Error> {
        self.conn
            .execute("UPDATE audit_meta SET anchor_mac = ?1 WHERE id = 1", [mac])
            .map_err(storage)?;
        Ok(())
    }

    fn insert_audit(
        &mut self,
        d: &AuditDraft,
        seq: i64,
        prev_hash: &str,
        hash: &str,
        head_mac: &str,
    ) -> Result<(), Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO audit (seq, at, actor, action, target, reason, evidence, policy_version, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    seq,
                    d.at.0,
                    d.actor,
                    d.action,
                    d.target,
                    d.reason,
                    d.evidence,
                    d.policy_version,
                    prev_hash,
                    hash
                ])
            })
            .map_err(storage)?;
        self.conn
            .prepare_cached(
                "INSERT INTO audit_meta (id, head_seq, head_hash, head_mac) VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET head_seq = excluded.head_seq,
                 head_hash = excluded.head_hash, head_mac = excluded.head_mac",
            )
            .and_then(|mut s| s.execute(params![seq, hash, head_mac]))
            .map_err(storage)?;
        Ok(())
    }

    fn audit_range(&mut self, from: Timestamp, to: Timestamp) -> Result<Vec<AuditEntry>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT * FROM audit WHERE at >= ?1 AND at < ?2 ORDER BY seq")
            .map_err(storage)?;
        let rows = stmt
            .query_map([from.0, to.0], audit_from_row)
            .map_err(storage)?;
        rows.collect::<Result<_, _>>().map_err(storage)
    }

    fn audit_each(
        &mut self,
        f: &mut dyn FnMut(AuditEntry) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT * FROM audit ORDER BY seq")
            .map_err(storage)?;
        let rows = stmt.query_map([], audit_from_row).map_err(storage)?;
        for row in rows {
            f(row.map_err(storage)?)?;
        }
        Ok(())
    }

    fn prune_audit(&mut self, before: Timestamp) -> Result<u64, Error> {
        // The last entry removed becomes the anchor the retained chain links to.
        let last: Option<(i64, String, i64)> = self
            .conn
            .query_row(
                "SELECT seq, hash, at FROM audit WHERE at < ?1 ORDER BY seq DESC LIMIT 1",
                [before.0],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(storage)?;
        let Some((seq, hash, at)) = last else {
            return Ok(0);
        };
        let removed = self
            .conn
            .execute("DELETE FROM audit WHERE seq <= ?1", [seq])
            .map_err(storage)?;
        self.conn
            .execute(
                "UPDATE audit_meta SET anchor_seq = ?1, anchor_hash = ?2, anchor_at = ?3 WHERE id = 1",
                params![seq, hash, at],
            )
            .map_err(storage)?;
        Ok(removed as u64)
    }

    fn prune_content(&mut self, before: Timestamp) -> Result<u64, Error> {
        let n = self
            .conn
            .execute(
                // Content under open casework stays until the case is decided: the queue item
                // or report needs it (and the evidence), however old it is.
                "DELETE FROM content WHERE at < ?1 \
                 AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.target_kind = 'content' \
                     AND q.target_id = content.id AND q.decision IS NULL) \
                 AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.target_kind = 'content' \
                     AND r.target_id = content.id AND r.status = 'open')",
                [before.0],
            )
            .map_err(storage)?;
        Ok(n as u64)
    }

    fn insert_token(
        &mut self,
        token_hash: &str,
        name: &str,
        role: Role,
        at: Timestamp,
    ) -> Result<Id, Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO principals (token_hash, name, role, created_at) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| s.execute(params![token_hash, name, role.as_str(), at.0]))
            .map_err(storage)?;
        Ok(self.conn.last_insert_rowid())
    }

    fn principal_by_token(&mut self, token_hash: &str) -> Result<Option<Principal>, Error> {
        let row: Option<(Id, String, String)> = self
            .conn
            .prepare_cached(
                "SELECT id, name, role FROM principals WHERE token_hash = ?1 AND revoked = 0",
            )
            .and_then(|mut s| {
                s.query_row([token_hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()
            })
            .map_err(storage)?;
        Ok(row.and_then(|(id, name, role)| {
            Role::parse(&role).map(|role| Principal { id, name, role })
        }))
    }

    fn insert_tc3_key(
        &mut self,
        secret_id: &str,
        principal: Id,
        sealed_key: &[u8],
        at: Timestamp,
    ) -> Result<(), Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO tc3_keys (secret_id, principal_id, sealed_key, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| s.execute(params![secret_id, principal, sealed_key, at.0]))
            .map_err(storage)?;
        Ok(())
    }

    fn tc3_key(&mut self, secret_id: &str) -> Result<Option<(Principal, Vec<u8>)>, Error> {
        let row: Option<(Id, String, String, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "SELECT p.id, p.name, p.role, k.sealed_key FROM tc3_keys k
                 JOIN principals p ON p.id = k.principal_id
                 WHERE k.secret_id = ?1 AND p.revoked = 0",
            )
            .and_then(|mut s| {
                s.query_row([secret_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()
            })
            .map_err(storage)?;
        Ok(row.and_then(|(id, name, role, sealed)| {
            Role::parse(&role).map(|role| (Principal { id, name, role }, sealed))
        }))
    }

    fn insert_learned(&mut self, example: &LearnedExample) -> Result<Id, Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO learned_examples (model, label, text, actor, at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    example.model,
                    example.label.as_str(),
                    example.text,
                    example.actor,
                    example.at.0
                ])
            })
            .map_err(storage)?;
        Ok(self.conn.last_insert_rowid())
    }

    fn learned_examples(&mut self, model: &str) -> Result<Vec<LearnedExample>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, label, text, actor, at FROM learned_examples \
                 WHERE model = ?1 ORDER BY id",
            )
            .map_err(storage)?;
        let rows = stmt
            .query_map([model], |r| learned_from_row(model, r))
            .map_err(storage)?;
        rows.collect::<Result<_, _>>().map_err(storage)
    }

    fn recent_learned(
        &mut self,
        model: &str,
        limit: usize,
        before: Option<Id>,
    ) -> Result<Vec<LearnedExample>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, label, text, actor, at FROM learned_examples \
                 WHERE model = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
            )
            .map_err(storage)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![model, before.unwrap_or(Id::MAX), limit], |r| {
                learned_from_row(model, r)
            })
            .map_err(storage)?;
        rows.collect::<Result<_, _>>().map_err(storage)
    }

    fn learned_counts(&mut self, model: &str) -> Result<(u64, u64), Error> {
        self.conn
            .query_row(
                "SELECT count(*) FILTER (WHERE label = 'spam'), count(*) FILTER (WHERE label = 'ham') \
                 FROM learned_examples WHERE model = ?1",
                [model],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
            )
            .map_err(storage)
    }

    fn learned_generation(&mut self, model: &str) -> Result<(u64, Id), Error> {
        self.conn
            .query_row(
                "SELECT count(*), coalesce(max(id), 0) FROM learned_examples WHERE model = ?1",
                [model],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
            )
            .map_err(storage)
    }

    fn clear_learned(&mut self, model: &str) -> Result<u64, Error> {
        let n = self
            .conn
            .execute("DELETE FROM learned_examples WHERE model = ?1", [model])
            .map_err(storage)?;
        Ok(n as u64)
    }

    fn delete_learned(&mut self, model: &str, id: Id) -> Result<Option<LearnedExample>, Error> {
        self.conn
            .query_row(
                "DELETE FROM learned_examples WHERE model = ?1 AND id = ?2 \
                 RETURNING id, label, text, actor, at",
                params![model, id],
                |r| learned_from_row(model, r),
            )
            .optional()
            .map_err(storage)
    }

    fn insert_operator(
        &mut self,
        name: &str,
        role: Role,
        password_hash: &str,
        at: Timestamp,
    ) -> Result<Id, Error> {
        self.conn
            .execute(
                "INSERT INTO principals (token_hash, name, role, created_at, password_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    format!("password:{name}"),
                    name,
                    role.as_str(),
                    at.0,
                    password_hash
                ],
            )
            .map_err(storage)?;
        Ok(self.conn.last_insert_rowid())
    }

    fn operator_credentials(&mut self, name: &str) -> Result<Option<(Principal, String)>, Error> {
        self.conn
            .prepare_cached(
                "SELECT id, name, role, password_hash FROM principals
                 WHERE token_hash = ?1 AND revoked = 0 AND password_hash IS NOT NULL",
            )
            .and_then(|mut s| {
                s.query_row([format!("password:{name}")], |r| {
                    let role: String = r.get(2)?;
                    Ok((r.get(0)?, r.get(1)?, role, r.get(3)?))
                })
                .optional()
            })
            .map_err(storage)
            .map(|row| {
                row.and_then(|(id, name, role, hash): (Id, String, String, String)| {
                    Role::parse(&role).map(|role| (Principal { id, name, role }, hash))
                })
            })
    }

    fn operators(&mut self) -> Result<Vec<(Principal, Timestamp, bool)>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, name, role, created_at, revoked FROM principals
                 WHERE password_hash IS NOT NULL ORDER BY id",
            )
            .map_err(storage)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, Id>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)? != 0,
                ))
            })
            .map_err(storage)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name, role, at, revoked) = row.map_err(storage)?;
            if let Some(role) = Role::parse(&role) {
                out.push((Principal { id, name, role }, Timestamp(at), revoked));
            }
        }
        Ok(out)
    }

    fn set_operator_password(&mut self, name: &str, password_hash: &str) -> Result<bool, Error> {
        let n = self
            .conn
            .execute(
                "UPDATE principals SET password_hash = ?2
                 WHERE token_hash = ?1 AND revoked = 0 AND password_hash IS NOT NULL",
                params![format!("password:{name}"), password_hash],
            )
            .map_err(storage)?;
        Ok(n > 0)
    }

    fn delete_sessions_of(&mut self, principal: Id) -> Result<u64, Error> {
        let n = self
            .conn
            .execute("DELETE FROM sessions WHERE principal = ?1", [principal])
            .map_err(storage)?;
        Ok(n as u64)
    }

    fn insert_session(
        &mut self,
        id_hash: &str,
        principal: Id,
        csrf: &str,
        at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), Error> {
        self.conn
            .execute("DELETE FROM sessions WHERE expires_at <= ?1", [at.0])
            .map_err(storage)?;
        self.conn
            .execute(
                "INSERT INTO sessions (id_hash, principal, csrf, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id_hash, principal, csrf, at.0, expires_at.0],
            )
            .map_err(storage)?;
        Ok(())
    }

    fn session(
        &mut self,
        id_hash: &str,
        now: Timestamp,
    ) -> Result<Option<(Principal, String)>, Error> {
        self.conn
            .prepare_cached(
                "SELECT p.id, p.name, p.role, s.csrf FROM sessions s
                 JOIN principals p ON p.id = s.principal
                 WHERE s.id_hash = ?1 AND s.expires_at > ?2 AND p.revoked = 0",
            )
            .and_then(|mut s| {
                s.query_row(params![id_hash, now.0], |r| {
                    let role: String = r.get(2)?;
                    Ok((r.get(0)?, r.get(1)?, role, r.get(3)?))
                })
                .optional()
            })
            .map_err(storage)
            .map(|row| {
                row.and_then(|(id, name, role, csrf): (Id, String, String, String)| {
                    Role::parse(&role).map(|role| (Principal { id, name, role }, csrf))
                })
            })
    }

    fn delete_session(&mut self, id_hash: &str) -> Result<(), Error> {
        self.conn
            .execute("DELETE FROM sessions WHERE id_hash = ?1", [id_hash])
            .map_err(storage)?;
        Ok(())
    }

    fn revoke_tokens(&mut self, name: &str) -> Result<u64, Error> {
        let n = self
            .conn
            .execute(
                "UPDATE principals SET revoked = 1 WHERE name = ?1 AND revoked = 0",
                [name],
            )
            .map_err(storage)?;
        Ok(n as u64)
    }

    fn token_count(&mut self) -> Result<u64, Error> {
        self.conn
            .query_row(
                "SELECT count(*) FROM principals WHERE revoked = 0",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .map_err(storage)
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
