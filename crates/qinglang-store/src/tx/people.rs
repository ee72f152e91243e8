//! Users and their verified identities, public accounts, groups and memberships.

use qinglang_governance::identity::{IdentityKind, SubjectKind};
use qinglang_governance::model::*;
use qinglang_governance::Error;

use crate::sql::{params, Conn, Dialect, Row};

fn user_from_row(r: &Row<'_, '_>) -> Result<User, Error> {
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

fn account_from_row(r: &Row<'_, '_>) -> Result<Account, Error> {
    let subject: String = r.get("subject")?;
    Ok(Account {
        id: r.get("id")?,
        owner: r.get("owner")?,
        name: r.get("name")?,
        bio: r.get("bio")?,
        subject: AccountSubject::parse(&subject).unwrap_or(AccountSubject::Individual),
        category: r.get("category")?,
        news_licence: r.get("news_licence")?,
        followers: r.get::<_, i64>("followers")?.max(0) as u64,
        monthly_reads: r.get::<_, i64>("monthly_reads")?.max(0) as u64,
        closed: r.get("closed")?,
        created_at: Timestamp(r.get("created_at")?),
        scene: r.get("scene")?,
    })
}

fn group_from_row(r: &Row<'_, '_>) -> Result<Group, Error> {
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
}

pub(crate) fn insert_user(
    c: &mut dyn Conn,
    nickname: &str,
    credit: i32,
    at: Timestamp,
) -> Result<Id, Error> {
    c.insert(
        "INSERT INTO users (nickname, created_at, credit, credit_at) VALUES (?1, ?2, ?3, ?2)
         RETURNING id",
        params![nickname, at.0, credit],
    )
}

pub(crate) fn user(c: &mut dyn Conn, id: Id) -> Result<Option<User>, Error> {
    c.first(
        "SELECT * FROM users WHERE id = ?1",
        params![id],
        user_from_row,
    )
}

pub(crate) fn set_credit(
    c: &mut dyn Conn,
    user: Id,
    credit: i32,
    at: Timestamp,
) -> Result<(), Error> {
    c.execute(
        "UPDATE users SET credit = ?2, credit_at = ?3 WHERE id = ?1",
        params![user, credit, at.0],
    )?;
    Ok(())
}

pub(crate) fn set_user_status(c: &mut dyn Conn, user: Id, status: UserStatus) -> Result<(), Error> {
    c.execute(
        "UPDATE users SET status = ?2 WHERE id = ?1",
        params![user, status.as_str()],
    )?;
    Ok(())
}

pub(crate) fn set_identity(c: &mut dyn Conn, user: Id, i: &IdentityRecord) -> Result<(), Error> {
    let subject = match i.subject {
        SubjectKind::Person => "person",
        SubjectKind::Enterprise => "enterprise",
    };
    c.execute(
        "UPDATE users SET id_kind = ?2, id_subject = ?3, id_hash = ?4, id_sealed = ?5,
         id_name_sealed = ?6, id_masked = ?7, id_name_masked = ?8, id_verified_at = ?9
         WHERE id = ?1",
        params![
            user,
            i.kind.as_str(),
            subject,
            i.lookup_hash,
            i.sealed_value,
            i.sealed_name,
            i.masked_value,
            i.masked_name,
            i.verified_at.0
        ],
    )?;
    Ok(())
}

pub(crate) fn blacklist_identity(
    c: &mut dyn Conn,
    hash: &str,
    reason: &str,
    at: Timestamp,
) -> Result<(), Error> {
    c.execute(
        "INSERT INTO identity_blacklist (id_hash, reason, at) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
        params![hash, reason, at.0],
    )?;
    Ok(())
}

pub(crate) fn unblacklist_identity(c: &mut dyn Conn, hash: &str) -> Result<(), Error> {
    c.execute(
        "DELETE FROM identity_blacklist WHERE id_hash = ?1",
        params![hash],
    )?;
    Ok(())
}

pub(crate) fn identity_blacklisted(c: &mut dyn Conn, hash: &str) -> Result<bool, Error> {
    c.exists(
        "SELECT 1 FROM identity_blacklist WHERE id_hash = ?1",
        params![hash],
    )
}

pub(crate) fn users_with_identity(c: &mut dyn Conn, hash: &str) -> Result<Vec<Id>, Error> {
    c.rows(
        "SELECT id FROM users WHERE id_hash = ?1 ORDER BY id",
        params![hash],
        |r| r.get(0),
    )
}

pub(crate) fn insert_account(c: &mut dyn Conn, a: &Account) -> Result<Id, Error> {
    c.insert(
        "INSERT INTO accounts (owner, name, bio, subject, category, news_licence,
         followers, monthly_reads, closed, created_at, last_active_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?9) RETURNING id",
        params![
            a.owner,
            a.name,
            a.bio,
            a.subject.as_str(),
            a.category,
            a.news_licence,
            a.followers.min(i64::MAX as u64) as i64,
            a.monthly_reads.min(i64::MAX as u64) as i64,
            a.created_at.0
        ],
    )
}

pub(crate) fn account(c: &mut dyn Conn, id: Id) -> Result<Option<Account>, Error> {
    c.first(
        "SELECT * FROM accounts WHERE id = ?1",
        params![id],
        account_from_row,
    )
}

pub(crate) fn open_accounts_for_identity(c: &mut dyn Conn, hash: &str) -> Result<u32, Error> {
    c.scalar(
        "SELECT count(*) FROM accounts a JOIN users u ON u.id = a.owner
         WHERE u.id_hash = ?1 AND a.closed = 0",
        params![hash],
    )
}

pub(crate) fn account_name_taken(c: &mut dyn Conn, name: &str) -> Result<bool, Error> {
    c.exists(
        "SELECT 1 FROM accounts WHERE name = ?1 AND closed = 0 LIMIT 1",
        params![name],
    )
}

pub(crate) fn name_tombstoned(c: &mut dyn Conn, key: &str) -> Result<bool, Error> {
    c.exists(
        "SELECT 1 FROM name_tombstones WHERE name_key = ?1",
        params![key],
    )
}

pub(crate) fn tombstone_within(c: &mut dyn Conn, key: &str) -> Result<bool, Error> {
    let sql = match c.dialect() {
        Dialect::Sqlite => {
            "SELECT 1 FROM name_tombstones
             WHERE length(name_key) >= 3 AND instr(?1, name_key) > 0 LIMIT 1"
        }
        Dialect::Postgres => {
            "SELECT 1 FROM name_tombstones
             WHERE length(name_key) >= 3 AND strpos(?1, name_key) > 0 LIMIT 1"
        }
    };
    c.exists(sql, params![key])
}

pub(crate) fn close_account(
    c: &mut dyn Conn,
    id: Id,
    name_key: &str,
    at: Timestamp,
) -> Result<(), Error> {
    c.execute("UPDATE accounts SET closed = 1 WHERE id = ?1", params![id])?;
    c.execute(
        "INSERT INTO name_tombstones (name_key, account, at) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
        params![name_key, id, at.0],
    )?;
    Ok(())
}

pub(crate) fn reopen_accounts_closed_at(
    c: &mut dyn Conn,
    owner: Id,
    at: Timestamp,
) -> Result<Vec<Id>, Error> {
    let ids: Vec<Id> = c.rows(
        "SELECT a.id FROM accounts a JOIN name_tombstones t ON t.account = a.id
         WHERE a.owner = ?1 AND a.closed = 1 AND t.at = ?2 ORDER BY a.id",
        params![owner, at.0],
        |r| r.get(0),
    )?;
    for id in &ids {
        c.execute(
            "DELETE FROM name_tombstones WHERE account = ?1",
            params![id],
        )?;
        c.execute(
            "UPDATE accounts SET closed = 0, last_active_at = ?2 WHERE id = ?1",
            params![id, at.0.max(0)],
        )?;
    }
    Ok(ids)
}

pub(crate) fn touch_account(c: &mut dyn Conn, id: Id, at: Timestamp) -> Result<(), Error> {
    c.execute(
        "UPDATE accounts SET last_active_at = ?2 WHERE id = ?1",
        params![id, at.0],
    )?;
    Ok(())
}

pub(crate) fn inactive_accounts(
    c: &mut dyn Conn,
    before: Timestamp,
) -> Result<Vec<Account>, Error> {
    c.rows(
        "SELECT * FROM accounts WHERE closed = 0 AND last_active_at < ?1 ORDER BY id",
        params![before.0],
        account_from_row,
    )
}

pub(crate) fn accounts_of(c: &mut dyn Conn, owner: Id) -> Result<Vec<Account>, Error> {
    c.rows(
        "SELECT * FROM accounts WHERE owner = ?1 ORDER BY id",
        params![owner],
        account_from_row,
    )
}

pub(crate) fn insert_group(c: &mut dyn Conn, g: &Group) -> Result<Id, Error> {
    c.insert(
        "INSERT INTO groups (owner, name, max_members, status, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        params![
            g.owner,
            g.name,
            g.max_members,
            g.status.as_str(),
            g.created_at.0
        ],
    )
}

pub(crate) fn set_scene(
    c: &mut dyn Conn,
    target: Target,
    scene: Option<&str>,
) -> Result<(), Error> {
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
    c.execute(sql, params![target.id(), scene])?;
    Ok(())
}

pub(crate) fn group(c: &mut dyn Conn, id: Id) -> Result<Option<Group>, Error> {
    c.first(
        "SELECT * FROM groups WHERE id = ?1",
        params![id],
        group_from_row,
    )
}

pub(crate) fn set_group_status(c: &mut dyn Conn, id: Id, status: GroupStatus) -> Result<(), Error> {
    c.execute(
        "UPDATE groups SET status = ?2 WHERE id = ?1",
        params![id, status.as_str()],
    )?;
    Ok(())
}

pub(crate) fn groups_created_by(c: &mut dyn Conn, user: Id) -> Result<u32, Error> {
    // Dissolved groups count: dissolving must not free a slot for a new one.
    c.scalar(
        "SELECT count(*) FROM groups WHERE owner = ?1",
        params![user],
    )
}

pub(crate) fn groups_joined_by(c: &mut dyn Conn, user: Id) -> Result<u32, Error> {
    c.scalar(
        "SELECT count(*) FROM memberships m JOIN groups g ON g.id = m.group_id
         WHERE m.user_id = ?1 AND m.status = 'active' AND g.status = 'active'",
        params![user],
    )
}

pub(crate) fn upsert_member(
    c: &mut dyn Conn,
    group: Id,
    user: Id,
    role: GroupRole,
    status: MembershipStatus,
    at: Timestamp,
) -> Result<(), Error> {
    c.execute(
        "INSERT INTO memberships (group_id, user_id, role, status, at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (group_id, user_id) DO UPDATE SET role = excluded.role, status = excluded.status",
        params![group, user, role.as_str(), status.as_str(), at.0],
    )?;
    Ok(())
}

pub(crate) fn member(c: &mut dyn Conn, group: Id, user: Id) -> Result<Option<Membership>, Error> {
    c.first(
        "SELECT role, status, muted_until FROM memberships WHERE group_id = ?1 AND user_id = ?2",
        params![group, user],
        |r| {
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
        },
    )
}

pub(crate) fn remove_member(c: &mut dyn Conn, group: Id, user: Id) -> Result<(), Error> {
    c.execute(
        "DELETE FROM memberships WHERE group_id = ?1 AND user_id = ?2",
        params![group, user],
    )?;
    Ok(())
}

pub(crate) fn set_muted_until(
    c: &mut dyn Conn,
    group: Id,
    user: Id,
    until: Option<Timestamp>,
) -> Result<(), Error> {
    c.execute(
        "UPDATE memberships SET muted_until = ?3 WHERE group_id = ?1 AND user_id = ?2",
        params![group, user, until.map(|t| t.0)],
    )?;
    Ok(())
}

pub(crate) fn set_notice(c: &mut dyn Conn, group: Id, notice: &str) -> Result<(), Error> {
    c.execute(
        "UPDATE groups SET notice = ?2 WHERE id = ?1",
        params![group, notice],
    )?;
    Ok(())
}

pub(crate) fn active_members(c: &mut dyn Conn, group: Id) -> Result<u32, Error> {
    c.scalar(
        "SELECT count(*) FROM memberships WHERE group_id = ?1 AND status = 'active'",
        params![group],
    )
}

pub(crate) fn role_holders(c: &mut dyn Conn, group: Id) -> Result<Vec<Membership>, Error> {
    c.rows(
        "SELECT user_id, role FROM memberships
         WHERE group_id = ?1 AND status = 'active' AND role IN ('creator', 'manager')
         ORDER BY user_id",
        params![group],
        |r| {
            let role: String = r.get(1)?;
            Ok(Membership {
                group,
                user: r.get(0)?,
                role: GroupRole::parse(&role).unwrap_or(GroupRole::Manager),
                status: MembershipStatus::Active,
                muted_until: None,
            })
        },
    )
}
