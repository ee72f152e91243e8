//! The storage interface the governance rules run on. Implementations live in
//! `qinglang-store` (SQLite now, PostgreSQL later); the rules never see SQL.

use crate::authz::Role;
use crate::casework::{
    Appeal, AppealStatus, CaseTarget, Filing, QueueItem, QueueQuery, Report, ReportFilter,
};
use crate::error::Error;
use crate::images::{ImageList, ImageListEntry, ImageListsGeneration, StoredImage};
use crate::model::{
    Account, AuditAnchor, AuditDraft, AuditEntry, CampaignMember, ContentRecord, Decision,
    EmergencyChange, Group, GroupRole, GroupStatus, Id, IdentityRecord, LearnedExample,
    LexiconEdit, Membership, MembershipStatus, Principal, Sanction, StoredContent, StrikeRecord,
    Target, Timestamp, User, UserStatus,
};
use crate::policy::SanctionKind;
use crate::stats::{AuditFilter, QueueDepth, ReportHandling};

/// A store: every governance operation runs inside one transaction, so that a decision, its
/// consequences and its audit record are committed together or not at all.
pub trait Store: Send + Sync + 'static {
    /// Runs `f` in a read-write transaction; commits when it returns `Ok`.
    fn write<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, Error>) -> Result<T, Error>;
    /// Runs `f` on a consistent read-only snapshot.
    fn read<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, Error>) -> Result<T, Error>;
}

/// Operations inside one transaction.
pub trait Tx {
    // Users and identity.
    fn insert_user(&mut self, nickname: &str, credit: i32, at: Timestamp) -> Result<Id, Error>;
    fn user(&mut self, id: Id) -> Result<Option<User>, Error>;
    fn set_credit(&mut self, user: Id, credit: i32, at: Timestamp) -> Result<(), Error>;
    fn set_user_status(&mut self, user: Id, status: UserStatus) -> Result<(), Error>;
    fn set_identity(&mut self, user: Id, identity: &IdentityRecord) -> Result<(), Error>;
    fn blacklist_identity(
        &mut self,
        lookup_hash: &str,
        reason: &str,
        at: Timestamp,
    ) -> Result<(), Error>;
    fn identity_blacklisted(&mut self, lookup_hash: &str) -> Result<bool, Error>;
    /// Users verified with this identity.
    fn users_with_identity(&mut self, lookup_hash: &str) -> Result<Vec<Id>, Error>;

    // Public accounts.
    fn insert_account(&mut self, account: &Account) -> Result<Id, Error>;
    fn account(&mut self, id: Id) -> Result<Option<Account>, Error>;
    /// Open accounts owned by any user whose identity has this look-up hash (ID-4 caps).
    fn open_accounts_for_identity(&mut self, lookup_hash: &str) -> Result<u32, Error>;
    fn account_name_taken(&mut self, name: &str) -> Result<bool, Error>;
    /// Names of closed accounts are kept so that they cannot be reused (PA-1).
    fn name_tombstoned(&mut self, name: &str) -> Result<bool, Error>;
    /// Whether a tombstoned name of three or more characters occurs inside `name`.
    fn tombstone_within(&mut self, name: &str) -> Result<bool, Error>;
    /// Closes the account and tombstones its name under `name_key` (the normalised name).
    fn close_account(&mut self, id: Id, name_key: &str, at: Timestamp) -> Result<(), Error>;
    fn accounts_of(&mut self, owner: Id) -> Result<Vec<Account>, Error>;
    /// Reopens the owner's accounts a sanction closed at `at` and frees their names (an
    /// upheld appeal); returns their ids.
    fn reopen_accounts_closed_at(&mut self, owner: Id, at: Timestamp) -> Result<Vec<Id>, Error>;
    /// Records that the account published (PA-4 inactivity counts from here).
    fn touch_account(&mut self, id: Id, at: Timestamp) -> Result<(), Error>;
    /// Open accounts whose last activity is before `before`.
    fn inactive_accounts(&mut self, before: Timestamp) -> Result<Vec<Account>, Error>;

    // Groups.
    fn insert_group(&mut self, group: &Group) -> Result<Id, Error>;
    /// Sets (or clears) the default scene of a group or an account (issue #25).
    fn set_scene(&mut self, target: Target, scene: Option<&str>) -> Result<(), Error>;
    fn group(&mut self, id: Id) -> Result<Option<Group>, Error>;
    fn set_group_status(&mut self, id: Id, status: GroupStatus) -> Result<(), Error>;
    fn groups_created_by(&mut self, user: Id) -> Result<u32, Error>;
    /// Active groups the user is an active member of. A request waiting for approval does
    /// not count: the cap is checked again when it is approved.
    fn groups_joined_by(&mut self, user: Id) -> Result<u32, Error>;
    fn upsert_member(
        &mut self,
        group: Id,
        user: Id,
        role: GroupRole,
        status: MembershipStatus,
        at: Timestamp,
    ) -> Result<(), Error>;
    fn member(&mut self, group: Id, user: Id) -> Result<Option<Membership>, Error>;
    fn active_members(&mut self, group: Id) -> Result<u32, Error>;
    fn remove_member(&mut self, group: Id, user: Id) -> Result<(), Error>;
    fn set_muted_until(
        &mut self,
        group: Id,
        user: Id,
        until: Option<Timestamp>,
    ) -> Result<(), Error>;
    fn set_notice(&mut self, group: Id, notice: &str) -> Result<(), Error>;
    /// Creator and managers.
    fn role_holders(&mut self, group: Id) -> Result<Vec<Membership>, Error>;

    // Content, strikes, sanctions.
    fn insert_content(&mut self, record: &ContentRecord) -> Result<Id, Error>;
    /// Stored messages with `at >= since`, oldest first (ENF-3 sweeps).
    fn content_since(&mut self, since: Timestamp) -> Result<Vec<StoredContent>, Error>;
    fn set_content_decision(&mut self, id: Id, decision: Decision) -> Result<(), Error>;
    fn content(&mut self, id: Id) -> Result<Option<ContentRecord>, Error>;
    fn insert_emergency(&mut self, change: &EmergencyChange) -> Result<Id, Error>;
    /// Every emergency change, oldest first.
    fn emergency_changes(&mut self) -> Result<Vec<EmergencyChange>, Error>;
    /// A generation of the engine's stored changes (emergency changes and lexicon edits):
    /// changes whenever one is added.
    fn emergency_generation(&mut self) -> Result<(u64, Id), Error>;
    fn insert_lexicon_edit(&mut self, edit: &LexiconEdit) -> Result<Id, Error>;
    /// Every lexicon edit, oldest first.
    fn lexicon_edits(&mut self) -> Result<Vec<LexiconEdit>, Error>;
    /// Every stored message of a flood campaign, oldest first (REV-7).
    fn campaign_members(&mut self, campaign: u64) -> Result<Vec<CampaignMember>, Error>;
    fn insert_strike(
        &mut self,
        target: Target,
        content: Option<Id>,
        at: Timestamp,
    ) -> Result<Id, Error>;
    fn strikes_since(&mut self, target: Target, since: Timestamp) -> Result<u32, Error>;
    fn insert_sanction(&mut self, sanction: &Sanction) -> Result<Id, Error>;
    fn sanctions_of(&mut self, target: Target) -> Result<Vec<Sanction>, Error>;
    /// Whether a sanction of this kind was applied to the target since `since` (a ladder
    /// step is applied once per window).
    fn sanction_applied_since(
        &mut self,
        target: Target,
        kind: SanctionKind,
        since: Timestamp,
    ) -> Result<bool, Error>;

    fn sanction(&mut self, id: Id) -> Result<Option<Sanction>, Error>;
    fn revoke_sanction(&mut self, id: Id, at: Timestamp) -> Result<(), Error>;
    /// Voids a strike (an upheld appeal); whether it counted until now.
    fn void_strike(&mut self, id: Id) -> Result<bool, Error>;
    /// The target's strikes, newest first (at most 500).
    fn strikes_of(&mut self, target: Target) -> Result<Vec<StrikeRecord>, Error>;
    /// The first unrevoked principal with this name, and whether it signs in with a password.
    fn principal_named(&mut self, name: &str) -> Result<Option<(Principal, bool)>, Error>;
    fn unblacklist_identity(&mut self, lookup_hash: &str) -> Result<(), Error>;

    // Casework (CMP-1, CMP-2, the review queue).
    fn insert_report(&mut self, report: &Report) -> Result<Id, Error>;
    fn report(&mut self, id: Id) -> Result<Option<Report>, Error>;
    /// The open report on a target, if any (at most one: filings merge into it).
    fn open_report(&mut self, target: CaseTarget) -> Result<Option<Report>, Error>;
    fn update_report(&mut self, report: &Report) -> Result<(), Error>;
    /// Newest first.
    fn reports(&mut self, filter: &ReportFilter) -> Result<Vec<Report>, Error>;
    fn insert_filing(&mut self, filing: &Filing) -> Result<Id, Error>;
    /// A report's filings, oldest first.
    fn filings(&mut self, report: Id) -> Result<Vec<Filing>, Error>;
    /// (upheld, rejected): the reporter's resolved reports.
    fn reporter_record(&mut self, reporter: Id) -> Result<(u32, u32), Error>;
    fn insert_queue_item(&mut self, item: &QueueItem) -> Result<Id, Error>;
    fn queue_item(&mut self, id: Id) -> Result<Option<QueueItem>, Error>;
    /// The undecided item on a target, if any (at most one).
    fn open_queue_item(&mut self, target: CaseTarget) -> Result<Option<QueueItem>, Error>;
    fn update_queue_item(&mut self, item: &QueueItem) -> Result<(), Error>;
    /// Undecided items as `query` selects them, most urgent first
    /// ([`QueueItem::priority`] at `query.now`, then the oldest id), at most `query.limit`.
    fn ranked_queue(&mut self, query: &QueueQuery<'_>) -> Result<Vec<QueueItem>, Error>;
    fn insert_appeal(&mut self, appeal: &Appeal) -> Result<Id, Error>;
    fn appeal(&mut self, id: Id) -> Result<Option<Appeal>, Error>;
    fn appeal_for_sanction(&mut self, sanction: Id) -> Result<Option<Appeal>, Error>;
    fn update_appeal(&mut self, appeal: &Appeal) -> Result<(), Error>;
    /// Oldest pending first, then newest decided.
    fn appeals(&mut self, status: Option<AppealStatus>, limit: u32) -> Result<Vec<Appeal>, Error>;

    // Figures for the dashboard and the annual report (AUD-3), aggregated in the store.
    /// (local day since the epoch, decision, labels as stored JSON, count) for
    /// `from <= at < to`; a local day is `(at + offset_ms) / 86_400_000`, `offset_ms` the
    /// deployment's zone's offset from UTC.
    fn content_volume(
        &mut self,
        from: Timestamp,
        to: Timestamp,
        offset_ms: i64,
    ) -> Result<Vec<(i64, String, String, u64)>, Error>;
    /// How the reports created in `[from, to)` were handled, as of `now`, counted by the
    /// store: the dashboard and the annual report must not read every report (a busy
    /// platform files tens of thousands a day). `deadline_minutes` is left to the caller.
    fn report_handling(
        &mut self,
        from: Timestamp,
        to: Timestamp,
        now: Timestamp,
    ) -> Result<ReportHandling, Error>;
    /// The undecided queue's depth as of `now` (a claim lapses after `claim_ms`), counted
    /// by the store.
    fn queue_depth(&mut self, now: Timestamp, claim_ms: i64) -> Result<QueueDepth, Error>;
    /// (action, count) of audit entries in `[from, to)`.
    fn audit_action_counts(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(String, u64)>, Error>;
    /// (status, count) of appeals filed in `[from, to)`.
    fn appeal_counts(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(String, u64)>, Error>;
    /// (sanction kind, count) of sanctions that started in `[from, to)`.
    fn sanction_counts(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(String, u64)>, Error>;
    /// Audit entries after `seq` whose action is one of `actions`, oldest first.
    fn audit_after(
        &mut self,
        seq: i64,
        actions: &[&str],
        limit: u32,
    ) -> Result<Vec<AuditEntry>, Error>;
    /// Audit entries matching the filter, newest first.
    fn audit_search(&mut self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, Error>;

    // Audit.
    /// The newest entry's sequence number and hash (the chain head), if any.
    fn audit_head(&mut self) -> Result<Option<(i64, String)>, Error>;
    /// Where the retained chain starts after a retention sweep removed older entries.
    fn audit_anchor(&mut self) -> Result<Option<AuditAnchor>, Error>;
    /// The keyed MAC stored with the chain head.
    fn audit_head_mac(&mut self) -> Result<Option<String>, Error>;
    fn set_anchor_mac(&mut self, mac: &str) -> Result<(), Error>;
    fn insert_audit(
        &mut self,
        draft: &AuditDraft,
        seq: i64,
        prev_hash: &str,
        hash: &str,
        head_mac: &str,
    ) -> Result<(), Error>;
    /// Entries with `from <= at < to`, in sequence order.
    fn audit_range(&mut self, from: Timestamp, to: Timestamp) -> Result<Vec<AuditEntry>, Error>;
    /// Every entry in sequence order, one at a time.
    fn audit_each(
        &mut self,
        f: &mut dyn FnMut(AuditEntry) -> Result<(), Error>,
    ) -> Result<(), Error>;
    /// Removes entries older than `before`, recording the last removed entry as the anchor.
    fn prune_audit(&mut self, before: Timestamp) -> Result<u64, Error>;
    /// Removes content older than `before`, except content an open queue item or an open
    /// report is about (its case still needs it).
    fn prune_content(&mut self, before: Timestamp) -> Result<u64, Error>;

    // Principals.
    fn insert_token(
        &mut self,
        token_hash: &str,
        name: &str,
        role: Role,
        at: Timestamp,
    ) -> Result<Id, Error>;
    fn principal_by_token(&mut self, token_hash: &str) -> Result<Option<Principal>, Error>;
    fn token_count(&mut self) -> Result<u64, Error>;
    /// A principal who signs in with a password (stored `password:<name>`).
    fn insert_operator(
        &mut self,
        name: &str,
        role: Role,
        password_hash: &str,
        at: Timestamp,
    ) -> Result<Id, Error>;
    /// An unrevoked operator and their password hash.
    fn operator_credentials(&mut self, name: &str) -> Result<Option<(Principal, String)>, Error>;
    /// Every operator (revoked ones too), oldest first: the principal, when created, and
    /// whether revoked.
    fn operators(&mut self) -> Result<Vec<(Principal, Timestamp, bool)>, Error>;
    /// Replaces an unrevoked operator's password hash; whether there was one to change.
    fn set_operator_password(&mut self, name: &str, password_hash: &str) -> Result<bool, Error>;
    /// Ends every session of a principal; how many.
    fn delete_sessions_of(&mut self, principal: Id) -> Result<u64, Error>;
    /// Stores a session (and forgets expired ones).
    fn insert_session(
        &mut self,
        id_hash: &str,
        principal: Id,
        csrf: &str,
        at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), Error>;
    /// The principal and CSRF token of an unexpired session whose principal is not revoked.
    fn session(
        &mut self,
        id_hash: &str,
        now: Timestamp,
    ) -> Result<Option<(Principal, String)>, Error>;
    fn delete_session(&mut self, id_hash: &str) -> Result<(), Error>;
    /// Marks every token of the principal named `name` revoked; returns how many.
    fn revoke_tokens(&mut self, name: &str) -> Result<u64, Error>;
    /// Records a TC3 key pair of `principal`, its secret sealed (OPS-4).
    fn insert_tc3_key(
        &mut self,
        secret_id: &str,
        principal: Id,
        sealed_key: &[u8],
        at: Timestamp,
    ) -> Result<(), Error>;
    /// The principal and sealed secret of the pair `secret_id`, unless the principal is
    /// revoked.
    fn tc3_key(&mut self, secret_id: &str) -> Result<Option<(Principal, Vec<u8>)>, Error>;

    // Pictures (REV-10).
    /// Keeps a submitted picture with its content record.
    fn insert_content_image(&mut self, content: Id, image: &StoredImage) -> Result<(), Error>;
    fn content_image(&mut self, content: Id) -> Result<Option<StoredImage>, Error>;
    /// (content, hash, width, height) of the pictures stored with content at or after
    /// `since` (ENF-3 sweeps match them against the lists as they are now).
    fn content_image_hashes_since(
        &mut self,
        since: Timestamp,
    ) -> Result<Vec<(Id, crate::images::PerceptualHash, u32, u32)>, Error>;
    /// Records a known-bad image list; returns its id.
    fn insert_image_list(&mut self, list: &ImageList) -> Result<Id, Error>;
    /// Every list with its number of entries, oldest first.
    fn image_lists(&mut self) -> Result<Vec<ImageList>, Error>;
    fn image_list(&mut self, id: Id) -> Result<Option<ImageList>, Error>;
    /// Records an entry; returns its id, higher than any the store gave before.
    fn insert_image_list_entry(&mut self, entry: &ImageListEntry) -> Result<Id, Error>;
    /// The list's entry with exactly this hash, if any.
    fn image_list_entry_with_hash(
        &mut self,
        list: Id,
        hash: crate::images::PerceptualHash,
    ) -> Result<Option<ImageListEntry>, Error>;
    /// The list's entries with an id below `before` (all when `None`), newest first, at most
    /// `limit`.
    fn image_list_entries(
        &mut self,
        list: Id,
        limit: u32,
        before: Option<Id>,
    ) -> Result<Vec<ImageListEntry>, Error>;
    /// Removes an entry of the list; returns it, or `None` when the list has no such entry.
    fn delete_image_list_entry(
        &mut self,
        list: Id,
        entry: Id,
    ) -> Result<Option<ImageListEntry>, Error>;
    /// (list, entry, hash) of every entry: what a node matches pictures against.
    fn image_list_hashes(&mut self) -> Result<Vec<(Id, Id, crate::images::PerceptualHash)>, Error>;
    /// The lists' generation: changes whenever a list or an entry is added or removed.
    fn image_lists_generation(&mut self) -> Result<ImageListsGeneration, Error>;

    // Learning (REV-9).
    /// Records a learned example; returns its id, higher than any the store gave before.
    fn insert_learned(&mut self, example: &LearnedExample) -> Result<Id, Error>;
    /// The model's learned examples in the order they were confirmed.
    fn learned_examples(&mut self, model: &str) -> Result<Vec<LearnedExample>, Error>;
    /// The model's examples with an id below `before` (all when `None`), newest first, at
    /// most `limit`.
    fn recent_learned(
        &mut self,
        model: &str,
        limit: usize,
        before: Option<Id>,
    ) -> Result<Vec<LearnedExample>, Error>;
    /// How many of the model's examples are (spam, ham).
    fn learned_counts(&mut self, model: &str) -> Result<(u64, u64), Error>;
    /// (count, highest id) of the model's examples: changes whenever one is added or removed,
    /// because ids are never reused (a removed newest example's id included).
    fn learned_generation(&mut self, model: &str) -> Result<(u64, Id), Error>;
    /// Forgets every learned example of the model; returns how many.
    fn clear_learned(&mut self, model: &str) -> Result<u64, Error>;
    /// Forgets one learned example of the model; returns it, or `None` when there is none
    /// with this id.
    fn delete_learned(&mut self, model: &str, id: Id) -> Result<Option<LearnedExample>, Error>;
}
