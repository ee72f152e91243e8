//! The records of governance: users, identities, accounts, groups, content, strikes,
//! sanctions, audit entries and principals.

use serde::{Deserialize, Serialize};

use crate::authz::Role;
use crate::identity::{IdentityKind, SubjectKind};
use crate::policy::SanctionKind;
pub use qinglang_engine::Label;

/// Row identifier.
pub type Id = i64;

/// Milliseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const DAY_MS: i64 = 86_400_000;

    pub fn now() -> Timestamp {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        Timestamp(ms)
    }

    pub fn plus_days(self, days: u32) -> Timestamp {
        Timestamp(self.0 + i64::from(days) * Self::DAY_MS)
    }

    pub fn minus_days(self, days: u32) -> Timestamp {
        Timestamp(self.0 - i64::from(days) * Self::DAY_MS)
    }

    /// RFC 3339 in UTC with milliseconds (`2026-11-28T18:00:00.000Z`).
    pub fn to_rfc3339(self) -> String {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(t) => t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            // Outside jiff's range (years -9999..=9999): only a hand-made value gets here.
            Err(_) => format!("{}ms", self.0),
        }
    }

    /// The time in `zone` as a reader there writes it: `2026-11-29 02:00`.
    pub fn local_minute(self, zone: &jiff::tz::TimeZone) -> String {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(t) => t
                .to_zoned(zone.clone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string(),
            Err(_) => self.to_rfc3339(),
        }
    }

    /// Parses a date `YYYY-MM-DD` (midnight UTC), an RFC 3339 time with any offset
    /// (`2026-11-28T18:00:00Z`, `2026-11-29T02:00:00+08:00`) or integer milliseconds. A date
    /// that does not exist (`2026-02-30`) is refused.
    pub fn parse(s: &str) -> Option<Timestamp> {
        if let Ok(ms) = s.parse::<i64>() {
            return Some(Timestamp(ms));
        }
        if s.len() == 10 {
            let date: jiff::civil::Date = s.parse().ok()?;
            let t = date.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
            return Some(Timestamp(t.as_millisecond()));
        }
        let t: jiff::Timestamp = s.parse().ok()?;
        Some(Timestamp(t.as_millisecond()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    Closed,
    Blacklisted,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Closed => "closed",
            UserStatus::Blacklisted => "blacklisted",
        }
    }

    pub fn parse(s: &str) -> Option<UserStatus> {
        [
            UserStatus::Active,
            UserStatus::Closed,
            UserStatus::Blacklisted,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// A verified identity as stored: the clear value only sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityRecord {
    pub kind: IdentityKind,
    pub subject: SubjectKind,
    /// Keyed hash of the canonical value: de-duplication and blacklist look-ups.
    pub lookup_hash: String,
    pub sealed_value: Vec<u8>,
    pub sealed_name: Vec<u8>,
    pub masked_value: String,
    pub masked_name: String,
    pub verified_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Id,
    pub nickname: String,
    pub created_at: Timestamp,
    /// Credit score as last written; see `credit::effective`.
    pub credit: i32,
    /// When `credit` was last written (recovery counts from here).
    pub credit_at: Timestamp,
    pub status: UserStatus,
    pub identity: Option<IdentityRecord>,
}

/// PA-2 subject types of a public account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountSubject {
    Individual,
    Enterprise,
    Government,
    Media,
}

impl AccountSubject {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountSubject::Individual => "individual",
            AccountSubject::Enterprise => "enterprise",
            AccountSubject::Government => "government",
            AccountSubject::Media => "media",
        }
    }

    pub fn parse(s: &str) -> Option<AccountSubject> {
        [
            AccountSubject::Individual,
            AccountSubject::Enterprise,
            AccountSubject::Government,
            AccountSubject::Media,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: Id,
    pub owner: Id,
    pub name: String,
    pub bio: String,
    pub subject: AccountSubject,
    pub category: String,
    pub news_licence: bool,
    pub followers: u64,
    pub monthly_reads: u64,
    pub closed: bool,
    pub created_at: Timestamp,
    /// The scene what it publishes is judged in by default (issue #25).
    pub scene: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GroupStatus {
    Active,
    Dissolved,
    Blacklisted,
}

impl GroupStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupStatus::Active => "active",
            GroupStatus::Dissolved => "dissolved",
            GroupStatus::Blacklisted => "blacklisted",
        }
    }

    pub fn parse(s: &str) -> Option<GroupStatus> {
        [
            GroupStatus::Active,
            GroupStatus::Dissolved,
            GroupStatus::Blacklisted,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: Id,
    pub owner: Id,
    pub name: String,
    /// The group notice (群公告), reviewed like content.
    pub notice: String,
    pub max_members: u32,
    pub status: GroupStatus,
    pub created_at: Timestamp,
    /// The scene what is posted in it is judged in by default (issue #25).
    pub scene: Option<String>,
}

/// GRP-2 roles in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GroupRole {
    /// 群主
    Creator,
    /// 管理员
    Manager,
    Member,
}

impl GroupRole {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupRole::Creator => "creator",
            GroupRole::Manager => "manager",
            GroupRole::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<GroupRole> {
        [GroupRole::Creator, GroupRole::Manager, GroupRole::Member]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MembershipStatus {
    Active,
    /// Waiting for a creator or manager to approve (groups above the approval threshold).
    Pending,
}

impl MembershipStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MembershipStatus::Active => "active",
            MembershipStatus::Pending => "pending",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub group: Id,
    pub user: Id,
    pub role: GroupRole,
    pub status: MembershipStatus,
    /// Muted by a creator or manager until then (GRP-3).
    pub muted_until: Option<Timestamp>,
}

/// What a sanction or strike applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Target {
    User(Id),
    Group(Id),
    Account(Id),
    /// A group's creator or manager, in that role: the role-holder ladder (GRP-4).
    RoleHolder(Id),
}

impl Target {
    pub fn kind(self) -> &'static str {
        match self {
            Target::User(_) => "user",
            Target::Group(_) => "group",
            Target::Account(_) => "account",
            Target::RoleHolder(_) => "role_holder",
        }
    }

    pub fn id(self) -> Id {
        match self {
            Target::User(i) | Target::Group(i) | Target::Account(i) | Target::RoleHolder(i) => i,
        }
    }

    pub fn from_parts(kind: &str, id: Id) -> Option<Target> {
        Some(match kind {
            "user" => Target::User(id),
            "group" => Target::Group(id),
            "account" => Target::Account(id),
            "role_holder" => Target::RoleHolder(id),
            _ => return None,
        })
    }

    /// `user:12`, as written in audit records.
    pub fn label(self) -> String {
        format!("{}:{}", self.kind(), self.id())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sanction {
    pub id: Id,
    pub target: Target,
    pub kind: SanctionKind,
    pub reason: String,
    pub starts_at: Timestamp,
    /// `None`: indefinite.
    pub ends_at: Option<Timestamp>,
    pub policy_version: String,
    /// The name of the principal whose decision imposed it; `system` for the automatic
    /// ladder. An appeal is decided by someone else (CMP-2).
    pub imposed_by: String,
    /// The content it was imposed for, if any.
    pub content: Option<Id>,
    /// Set when an upheld appeal revoked it.
    pub revoked_at: Option<Timestamp>,
    /// The strike whose count reached this step (voided when an appeal is upheld).
    pub strike: Option<Id>,
    /// Credit the target user lost through the violation and this sanction, as applied.
    pub credit_cost: i32,
}

impl Sanction {
    pub fn active_at(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none()
            && self.starts_at <= now
            && self.ends_at.is_none_or(|end| now < end)
    }
}

/// A strike as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StrikeRecord {
    pub id: Id,
    pub content: Option<Id>,
    pub at: Timestamp,
    /// Voided by an upheld appeal: it no longer counts towards the ladder.
    pub voided: bool,
}

/// The kinds of content a platform submits (REV-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContentKind {
    Message,
    Post,
    Comment,
    Article,
    Nickname,
    GroupName,
    Bio,
    /// A picture (REV-10): its QR codes and text read and reviewed, its perceptual hash
    /// matched against the known-bad lists; the bytes are kept with the record.
    Image,
}

impl ContentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ContentKind::Message => "message",
            ContentKind::Post => "post",
            ContentKind::Comment => "comment",
            ContentKind::Article => "article",
            ContentKind::Nickname => "nickname",
            ContentKind::GroupName => "group_name",
            ContentKind::Bio => "bio",
            ContentKind::Image => "image",
        }
    }

    pub fn parse(s: &str) -> Option<ContentKind> {
        use ContentKind::*;
        [
            Message, Post, Comment, Article, Nickname, GroupName, Bio, Image,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// What happened to a submission (ENF-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Published,
    /// Parked for a human (a `review` verdict, or the author's publishing is restricted).
    Held,
    /// Stopped and not published (a `block` verdict).
    Rejected,
    /// Taken down by a moderator's decision (held or published before).
    Removed,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Published => "published",
            Decision::Held => "held",
            Decision::Rejected => "rejected",
            Decision::Removed => "removed",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        [
            Decision::Published,
            Decision::Held,
            Decision::Rejected,
            Decision::Removed,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }
}

/// A stored submission with its verdict: the record kept for inspection (ENF-1, AUD-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentRecord {
    pub author: Id,
    pub group: Option<Id>,
    pub account: Option<Id>,
    pub kind: ContentKind,
    pub text: String,
    pub decision: Decision,
    pub suggestion: String,
    pub score: u8,
    pub labels: Vec<String>,
    /// The verdict as JSON (hits with spans), for evidence.
    pub verdict_json: String,
    pub policy_version: String,
    pub at: Timestamp,
    /// The flood campaign it was linked to, for fingerprinted messages (REV-7).
    pub campaign: Option<u64>,
}

/// An emergency change (ENF-3): terms added and thresholds tightened together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmergencyChange {
    pub id: Id,
    /// Names the lexicon: its hits report `source: "emergency:<name>"`.
    pub name: String,
    /// The terms, in the lexicon file format.
    pub lexicon: String,
    pub review_threshold: Option<u8>,
    pub block_threshold: Option<u8>,
    pub actor: String,
    pub at: Timestamp,
}

/// An operator's change to one lexicon term (the console's lexicon page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LexiconEdit {
    pub id: Id,
    pub term: String,
    pub category: Option<String>,
    /// `block`, `review` or `allow`; `None`: the term is removed.
    pub action: Option<String>,
    pub reason: String,
    pub actor: String,
    pub at: Timestamp,
    /// The scene the edit applies to (issue #25); `None`: the main engine and every scene.
    pub scene: Option<String>,
}

/// A stored message as a sweep re-reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredContent {
    pub id: Id,
    pub author: Id,
    pub group: Option<Id>,
    /// A message or an article (an HTML page, reviewed as one: REV-8).
    pub kind: ContentKind,
    pub text: String,
    /// `published`, `held` or `rejected`.
    pub decision: String,
    pub at: Timestamp,
}

/// One message of a flood campaign, as a moderator sees it in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignMember {
    pub content: Id,
    pub author: Id,
    pub group: Option<Id>,
    pub account: Option<Id>,
    /// `published`, `held` or `rejected`.
    pub decision: String,
    /// RFC 3339, like every time the API writes.
    #[serde(serialize_with = "rfc3339")]
    pub at: Timestamp,
}

/// Writes a timestamp as RFC 3339 in UTC (`2026-11-28T18:00:00.000Z`).
pub fn rfc3339<S: serde::Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339())
}

/// An audit entry before it is chained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditDraft {
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub reason: String,
    /// Evidence as a JSON text (verdict, hits, values before and after).
    pub evidence: String,
    pub policy_version: String,
}

/// An appended, hash-chained audit entry (AUD-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub reason: String,
    pub evidence: String,
    pub policy_version: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Where the retained audit chain starts after a retention sweep: the last removed entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditAnchor {
    pub seq: i64,
    pub hash: String,
    /// Time of the last removed entry (it must be older than the retention floor).
    pub at: Timestamp,
    pub mac: String,
}

/// Who is calling: a named principal with a role (OPS-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Principal {
    pub id: Id,
    pub name: String,
    pub role: Role,
}

impl Principal {
    /// The label written as `actor` in audit records: role, name and the principal's id,
    /// which is unique (`admin:alice#3`); the system itself is `system`.
    pub fn label(&self) -> String {
        if self.id == 0 {
            return "system".to_owned();
        }
        format!("{}:{}#{}", self.role.as_str(), self.name, self.id)
    }

    /// The system itself (ladders applied automatically, retention).
    ///
    /// Also the operator at the machine's console (`qinglang token create`, `learn`).
    pub fn system() -> Principal {
        Principal {
            id: 0,
            name: "system".into(),
            role: Role::Admin,
        }
    }
}

/// A text a moderator confirmed as a violation or a false positive (REV-9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnedExample {
    pub id: Id,
    /// Name of the classifier it trains.
    pub model: String,
    pub label: Label,
    pub text: String,
    /// Who confirmed it.
    pub actor: String,
    pub at: Timestamp,
}

impl LearnedExample {
    /// How `qinglang learn --list` and `GET /v1/learn/examples` show an example.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "label": self.label.as_str(),
            "actor": self.actor,
            "at": self.at.to_rfc3339(),
            "text": self.text,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        for (ms, text) in [
            (0, "1970-01-01T00:00:00.000Z"),
            (1_795_888_800_123, "2026-11-28T18:00:00.123Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        ] {
            assert_eq!(Timestamp(ms).to_rfc3339(), text);
            assert_eq!(Timestamp::parse(text), Some(Timestamp(ms)));
        }
        assert_eq!(
            Timestamp::parse("2026-11-28"),
            Some(Timestamp(1_795_824_000_000))
        );
        assert_eq!(Timestamp::parse("2026-13-01"), None);
        assert_eq!(Timestamp::parse("yesterday"), None);
        // Days that do not exist are refused (#22: the old calendar took 2026-02-30).
        assert_eq!(Timestamp::parse("2026-02-30"), None);
        assert_eq!(Timestamp::parse("2025-02-29"), None);
        assert!(Timestamp::parse("2024-02-29").is_some());
        // Any offset is read as the instant it names.
        assert_eq!(
            Timestamp::parse("2026-11-29T02:00:00.123+08:00"),
            Some(Timestamp(1_795_888_800_123))
        );
        let shanghai = jiff::tz::TimeZone::get("Asia/Shanghai").expect("the bundled tzdb");
        assert_eq!(
            Timestamp(1_795_888_800_123).local_minute(&shanghai),
            "2026-11-29 02:00"
        );
    }
}
