//! The governance [`Tx`] over a [`Conn`]: every operation is one or a few statements of the
//! shared SQL, grouped by domain in the modules below. The same code runs on SQLite and on
//! PostgreSQL; only the transaction around it (and so how writers are serialised) differs.

use qinglang_governance::authz::Role;
use qinglang_governance::casework::{
    Appeal, AppealStatus, CaseTarget, Filing, QueueItem, QueueQuery, Report, ReportFilter,
};
use qinglang_governance::images::{
    ImageList, ImageListEntry, ImageListsGeneration, PerceptualHash, StoredImage,
};
use qinglang_governance::model::*;
use qinglang_governance::policy::SanctionKind;
use qinglang_governance::stats::{AuditFilter, QueueDepth, ReportHandling};
use qinglang_governance::{Error, Tx};

use crate::sql::Conn;

mod access;
pub(crate) mod audit;
pub(crate) mod casework;
mod content;
mod images;
mod people;
mod sanctions;

/// One transaction of either backend, seen by the governance rules.
pub(crate) struct SqlTx<'c> {
    pub(crate) c: &'c mut dyn Conn,
}

impl Tx for SqlTx<'_> {
    fn insert_user(&mut self, nickname: &str, credit: i32, at: Timestamp) -> Result<Id, Error> {
        people::insert_user(self.c, nickname, credit, at)
    }

    fn user(&mut self, id: Id) -> Result<Option<User>, Error> {
        people::user(self.c, id)
    }

    fn set_credit(&mut self, user: Id, credit: i32, at: Timestamp) -> Result<(), Error> {
        people::set_credit(self.c, user, credit, at)
    }

    fn set_user_status(&mut self, user: Id, status: UserStatus) -> Result<(), Error> {
        people::set_user_status(self.c, user, status)
    }

    fn set_identity(&mut self, user: Id, identity: &IdentityRecord) -> Result<(), Error> {
        people::set_identity(self.c, user, identity)
    }

    fn blacklist_identity(
        &mut self,
        lookup_hash: &str,
        reason: &str,
        at: Timestamp,
    ) -> Result<(), Error> {
        people::blacklist_identity(self.c, lookup_hash, reason, at)
    }

    fn identity_blacklisted(&mut self, lookup_hash: &str) -> Result<bool, Error> {
        people::identity_blacklisted(self.c, lookup_hash)
    }

    fn users_with_identity(&mut self, lookup_hash: &str) -> Result<Vec<Id>, Error> {
        people::users_with_identity(self.c, lookup_hash)
    }

    fn insert_account(&mut self, account: &Account) -> Result<Id, Error> {
        people::insert_account(self.c, account)
    }

    fn account(&mut self, id: Id) -> Result<Option<Account>, Error> {
        people::account(self.c, id)
    }

    fn open_accounts_for_identity(&mut self, lookup_hash: &str) -> Result<u32, Error> {
        people::open_accounts_for_identity(self.c, lookup_hash)
    }

    fn account_name_taken(&mut self, name: &str) -> Result<bool, Error> {
        people::account_name_taken(self.c, name)
    }

    fn name_tombstoned(&mut self, name: &str) -> Result<bool, Error> {
        people::name_tombstoned(self.c, name)
    }

    fn tombstone_within(&mut self, name: &str) -> Result<bool, Error> {
        people::tombstone_within(self.c, name)
    }

    fn close_account(&mut self, id: Id, name_key: &str, at: Timestamp) -> Result<(), Error> {
        people::close_account(self.c, id, name_key, at)
    }

    fn accounts_of(&mut self, owner: Id) -> Result<Vec<Account>, Error> {
        people::accounts_of(self.c, owner)
    }

    fn reopen_accounts_closed_at(&mut self, owner: Id, at: Timestamp) -> Result<Vec<Id>, Error> {
        people::reopen_accounts_closed_at(self.c, owner, at)
    }

    fn touch_account(&mut self, id: Id, at: Timestamp) -> Result<(), Error> {
        people::touch_account(self.c, id, at)
    }

    fn inactive_accounts(&mut self, before: Timestamp) -> Result<Vec<Account>, Error> {
        people::inactive_accounts(self.c, before)
    }

    fn insert_group(&mut self, group: &Group) -> Result<Id, Error> {
        people::insert_group(self.c, group)
    }

    fn set_scene(&mut self, target: Target, scene: Option<&str>) -> Result<(), Error> {
        people::set_scene(self.c, target, scene)
    }

    fn group(&mut self, id: Id) -> Result<Option<Group>, Error> {
        people::group(self.c, id)
    }

    fn set_group_status(&mut self, id: Id, status: GroupStatus) -> Result<(), Error> {
        people::set_group_status(self.c, id, status)
    }

    fn groups_created_by(&mut self, user: Id) -> Result<u32, Error> {
        people::groups_created_by(self.c, user)
    }

    fn groups_joined_by(&mut self, user: Id) -> Result<u32, Error> {
        people::groups_joined_by(self.c, user)
    }

    fn upsert_member(
        &mut self,
        group: Id,
        user: Id,
        role: GroupRole,
        status: MembershipStatus,
        at: Timestamp,
    ) -> Result<(), Error> {
        people::upsert_member(self.c, group, user, role, status, at)
    }

    fn member(&mut self, group: Id, user: Id) -> Result<Option<Membership>, Error> {
        people::member(self.c, group, user)
    }

    fn active_members(&mut self, group: Id) -> Result<u32, Error> {
        people::active_members(self.c, group)
    }

    fn remove_member(&mut self, group: Id, user: Id) -> Result<(), Error> {
        people::remove_member(self.c, group, user)
    }

    fn set_muted_until(
        &mut self,
        group: Id,
        user: Id,
        until: Option<Timestamp>,
    ) -> Result<(), Error> {
        people::set_muted_until(self.c, group, user, until)
    }

    fn set_notice(&mut self, group: Id, notice: &str) -> Result<(), Error> {
        people::set_notice(self.c, group, notice)
    }

    fn role_holders(&mut self, group: Id) -> Result<Vec<Membership>, Error> {
        people::role_holders(self.c, group)
    }

    fn insert_content(&mut self, record: &ContentRecord) -> Result<Id, Error> {
        content::insert_content(self.c, record)
    }

    fn content_since(&mut self, since: Timestamp) -> Result<Vec<StoredContent>, Error> {
        content::content_since(self.c, since)
    }

    fn set_content_decision(&mut self, id: Id, decision: Decision) -> Result<(), Error> {
        content::set_content_decision(self.c, id, decision)
    }

    fn content(&mut self, id: Id) -> Result<Option<ContentRecord>, Error> {
        content::content(self.c, id)
    }

    fn insert_emergency(&mut self, change: &EmergencyChange) -> Result<Id, Error> {
        content::insert_emergency(self.c, change)
    }

    fn emergency_changes(&mut self) -> Result<Vec<EmergencyChange>, Error> {
        content::emergency_changes(self.c)
    }

    fn emergency_generation(&mut self) -> Result<(u64, Id), Error> {
        content::emergency_generation(self.c)
    }

    fn insert_lexicon_edit(&mut self, edit: &LexiconEdit) -> Result<Id, Error> {
        content::insert_lexicon_edit(self.c, edit)
    }

    fn lexicon_edits(&mut self) -> Result<Vec<LexiconEdit>, Error> {
        content::lexicon_edits(self.c)
    }

    fn campaign_members(&mut self, campaign: u64) -> Result<Vec<CampaignMember>, Error> {
        content::campaign_members(self.c, campaign)
    }

    fn insert_strike(
        &mut self,
        target: Target,
        content: Option<Id>,
        at: Timestamp,
    ) -> Result<Id, Error> {
        sanctions::insert_strike(self.c, target, content, at)
    }

    fn strikes_since(&mut self, target: Target, since: Timestamp) -> Result<u32, Error> {
        sanctions::strikes_since(self.c, target, since)
    }

    fn insert_sanction(&mut self, sanction: &Sanction) -> Result<Id, Error> {
        sanctions::insert_sanction(self.c, sanction)
    }

    fn sanctions_of(&mut self, target: Target) -> Result<Vec<Sanction>, Error> {
        sanctions::sanctions_of(self.c, target)
    }

    fn sanction_applied_since(
        &mut self,
        target: Target,
        kind: SanctionKind,
        since: Timestamp,
    ) -> Result<bool, Error> {
        sanctions::sanction_applied_since(self.c, target, kind, since)
    }

    fn sanction(&mut self, id: Id) -> Result<Option<Sanction>, Error> {
        sanctions::sanction(self.c, id)
    }

    fn revoke_sanction(&mut self, id: Id, at: Timestamp) -> Result<(), Error> {
        sanctions::revoke_sanction(self.c, id, at)
    }

    fn void_strike(&mut self, id: Id) -> Result<bool, Error> {
        sanctions::void_strike(self.c, id)
    }

    fn strikes_of(&mut self, target: Target) -> Result<Vec<StrikeRecord>, Error> {
        sanctions::strikes_of(self.c, target)
    }

    fn principal_named(&mut self, name: &str) -> Result<Option<(Principal, bool)>, Error> {
        access::principal_named(self.c, name)
    }

    fn unblacklist_identity(&mut self, lookup_hash: &str) -> Result<(), Error> {
        people::unblacklist_identity(self.c, lookup_hash)
    }

    fn insert_report(&mut self, report: &Report) -> Result<Id, Error> {
        casework::insert_report(self.c, report)
    }

    fn report(&mut self, id: Id) -> Result<Option<Report>, Error> {
        casework::report(self.c, id)
    }

    fn open_report(&mut self, target: CaseTarget) -> Result<Option<Report>, Error> {
        casework::open_report(self.c, target)
    }

    fn update_report(&mut self, report: &Report) -> Result<(), Error> {
        casework::update_report(self.c, report)
    }

    fn reports(&mut self, filter: &ReportFilter) -> Result<Vec<Report>, Error> {
        casework::reports(self.c, filter)
    }

    fn insert_filing(&mut self, filing: &Filing) -> Result<Id, Error> {
        casework::insert_filing(self.c, filing)
    }

    fn filings(&mut self, report: Id) -> Result<Vec<Filing>, Error> {
        casework::filings(self.c, report)
    }

    fn reporter_record(&mut self, reporter: Id) -> Result<(u32, u32), Error> {
        casework::reporter_record(self.c, reporter)
    }

    fn insert_queue_item(&mut self, item: &QueueItem) -> Result<Id, Error> {
        casework::insert_queue_item(self.c, item)
    }

    fn queue_item(&mut self, id: Id) -> Result<Option<QueueItem>, Error> {
        casework::queue_item(self.c, id)
    }

    fn open_queue_item(&mut self, target: CaseTarget) -> Result<Option<QueueItem>, Error> {
        casework::open_queue_item(self.c, target)
    }

    fn update_queue_item(&mut self, item: &QueueItem) -> Result<(), Error> {
        casework::update_queue_item(self.c, item)
    }

    fn ranked_queue(&mut self, query: &QueueQuery<'_>) -> Result<Vec<QueueItem>, Error> {
        casework::ranked_queue(self.c, query)
    }

    fn insert_appeal(&mut self, appeal: &Appeal) -> Result<Id, Error> {
        casework::insert_appeal(self.c, appeal)
    }

    fn appeal(&mut self, id: Id) -> Result<Option<Appeal>, Error> {
        casework::appeal(self.c, id)
    }

    fn appeal_for_sanction(&mut self, sanction: Id) -> Result<Option<Appeal>, Error> {
        casework::appeal_for_sanction(self.c, sanction)
    }

    fn update_appeal(&mut self, appeal: &Appeal) -> Result<(), Error> {
        casework::update_appeal(self.c, appeal)
    }

    fn appeals(&mut self, status: Option<AppealStatus>, limit: u32) -> Result<Vec<Appeal>, Error> {
        casework::appeals(self.c, status, limit)
    }

    fn content_volume(
        &mut self,
        from: Timestamp,
        to: Timestamp,
        offset_ms: i64,
    ) -> Result<Vec<(i64, String, String, u64)>, Error> {
        content::content_volume(self.c, from, to, offset_ms)
    }

    fn report_handling(
        &mut self,
        from: Timestamp,
        to: Timestamp,
        now: Timestamp,
    ) -> Result<ReportHandling, Error> {
        casework::report_handling(self.c, from, to, now)
    }

    fn queue_depth(&mut self, now: Timestamp, claim_ms: i64) -> Result<QueueDepth, Error> {
        casework::queue_depth(self.c, now, claim_ms)
    }

    fn audit_action_counts(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(String, u64)>, Error> {
        casework::audit_action_counts(self.c, from, to)
    }

    fn appeal_counts(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(String, u64)>, Error> {
        casework::appeal_counts(self.c, from, to)
    }

    fn sanction_counts(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(String, u64)>, Error> {
        casework::sanction_counts(self.c, from, to)
    }

    fn audit_after(
        &mut self,
        seq: i64,
        actions: &[&str],
        limit: u32,
    ) -> Result<Vec<AuditEntry>, Error> {
        audit::audit_after(self.c, seq, actions, limit)
    }

    fn audit_search(&mut self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, Error> {
        casework::audit_search(self.c, filter)
    }

    fn audit_head(&mut self) -> Result<Option<(i64, String)>, Error> {
        audit::audit_head(self.c)
    }

    fn audit_anchor(&mut self) -> Result<Option<AuditAnchor>, Error> {
        audit::audit_anchor(self.c)
    }

    fn audit_head_mac(&mut self) -> Result<Option<String>, Error> {
        audit::audit_head_mac(self.c)
    }

    fn set_anchor_mac(&mut self, mac: &str) -> Result<(), Error> {
        audit::set_anchor_mac(self.c, mac)
    }

    fn insert_audit(
        &mut self,
        draft: &AuditDraft,
        seq: i64,
        prev_hash: &str,
        hash: &str,
        head_mac: &str,
    ) -> Result<(), Error> {
        audit::insert_audit(self.c, draft, seq, prev_hash, hash, head_mac)
    }

    fn audit_range(&mut self, from: Timestamp, to: Timestamp) -> Result<Vec<AuditEntry>, Error> {
        audit::audit_range(self.c, from, to)
    }

    fn audit_each(
        &mut self,
        f: &mut dyn FnMut(AuditEntry) -> Result<(), Error>,
    ) -> Result<(), Error> {
        audit::audit_each(self.c, f)
    }

    fn prune_audit(&mut self, before: Timestamp) -> Result<u64, Error> {
        audit::prune_audit(self.c, before)
    }

    fn prune_content(&mut self, before: Timestamp) -> Result<u64, Error> {
        let removed = content::prune_content(self.c, before)?;
        if removed > 0 {
            images::prune_orphan_images(self.c)?;
        }
        Ok(removed)
    }

    fn insert_content_image(&mut self, content: Id, image: &StoredImage) -> Result<(), Error> {
        images::insert_content_image(self.c, content, image)
    }

    fn content_image(&mut self, content: Id) -> Result<Option<StoredImage>, Error> {
        images::content_image(self.c, content)
    }

    fn content_image_hashes_since(
        &mut self,
        since: Timestamp,
    ) -> Result<Vec<(Id, PerceptualHash, u32, u32)>, Error> {
        images::content_image_hashes_since(self.c, since)
    }

    fn insert_image_list(&mut self, list: &ImageList) -> Result<Id, Error> {
        images::insert_image_list(self.c, list)
    }

    fn image_lists(&mut self) -> Result<Vec<ImageList>, Error> {
        images::image_lists(self.c)
    }

    fn image_list(&mut self, id: Id) -> Result<Option<ImageList>, Error> {
        images::image_list(self.c, id)
    }

    fn insert_image_list_entry(&mut self, entry: &ImageListEntry) -> Result<Id, Error> {
        images::insert_image_list_entry(self.c, entry)
    }

    fn image_list_entry_with_hash(
        &mut self,
        list: Id,
        hash: PerceptualHash,
    ) -> Result<Option<ImageListEntry>, Error> {
        images::image_list_entry_with_hash(self.c, list, hash)
    }

    fn image_list_entries(
        &mut self,
        list: Id,
        limit: u32,
        before: Option<Id>,
    ) -> Result<Vec<ImageListEntry>, Error> {
        images::image_list_entries(self.c, list, limit, before)
    }

    fn delete_image_list_entry(
        &mut self,
        list: Id,
        entry: Id,
    ) -> Result<Option<ImageListEntry>, Error> {
        images::delete_image_list_entry(self.c, list, entry)
    }

    fn image_list_hashes(&mut self) -> Result<Vec<(Id, Id, PerceptualHash)>, Error> {
        images::image_list_hashes(self.c)
    }

    fn image_lists_generation(&mut self) -> Result<ImageListsGeneration, Error> {
        images::image_lists_generation(self.c)
    }

    fn insert_token(
        &mut self,
        token_hash: &str,
        name: &str,
        role: Role,
        at: Timestamp,
    ) -> Result<Id, Error> {
        access::insert_token(self.c, token_hash, name, role, at)
    }

    fn principal_by_token(&mut self, token_hash: &str) -> Result<Option<Principal>, Error> {
        access::principal_by_token(self.c, token_hash)
    }

    fn token_count(&mut self) -> Result<u64, Error> {
        access::token_count(self.c)
    }

    fn insert_operator(
        &mut self,
        name: &str,
        role: Role,
        password_hash: &str,
        at: Timestamp,
    ) -> Result<Id, Error> {
        access::insert_operator(self.c, name, role, password_hash, at)
    }

    fn operator_credentials(&mut self, name: &str) -> Result<Option<(Principal, String)>, Error> {
        access::operator_credentials(self.c, name)
    }

    fn operators(&mut self) -> Result<Vec<(Principal, Timestamp, bool)>, Error> {
        access::operators(self.c)
    }

    fn set_operator_password(&mut self, name: &str, password_hash: &str) -> Result<bool, Error> {
        access::set_operator_password(self.c, name, password_hash)
    }

    fn delete_sessions_of(&mut self, principal: Id) -> Result<u64, Error> {
        access::delete_sessions_of(self.c, principal)
    }

    fn insert_session(
        &mut self,
        id_hash: &str,
        principal: Id,
        csrf: &str,
        at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), Error> {
        access::insert_session(self.c, id_hash, principal, csrf, at, expires_at)
    }

    fn session(
        &mut self,
        id_hash: &str,
        now: Timestamp,
    ) -> Result<Option<(Principal, String)>, Error> {
        access::session(self.c, id_hash, now)
    }

    fn delete_session(&mut self, id_hash: &str) -> Result<(), Error> {
        access::delete_session(self.c, id_hash)
    }

    fn revoke_tokens(&mut self, name: &str) -> Result<u64, Error> {
        access::revoke_tokens(self.c, name)
    }

    fn insert_tc3_key(
        &mut self,
        secret_id: &str,
        principal: Id,
        sealed_key: &[u8],
        at: Timestamp,
    ) -> Result<(), Error> {
        access::insert_tc3_key(self.c, secret_id, principal, sealed_key, at)
    }

    fn tc3_key(&mut self, secret_id: &str) -> Result<Option<(Principal, Vec<u8>)>, Error> {
        access::tc3_key(self.c, secret_id)
    }

    fn insert_learned(&mut self, example: &LearnedExample) -> Result<Id, Error> {
        content::insert_learned(self.c, example)
    }

    fn learned_examples(&mut self, model: &str) -> Result<Vec<LearnedExample>, Error> {
        content::learned_examples(self.c, model)
    }

    fn recent_learned(
        &mut self,
        model: &str,
        limit: usize,
        before: Option<Id>,
    ) -> Result<Vec<LearnedExample>, Error> {
        content::recent_learned(self.c, model, limit, before)
    }

    fn learned_counts(&mut self, model: &str) -> Result<(u64, u64), Error> {
        content::learned_counts(self.c, model)
    }

    fn learned_generation(&mut self, model: &str) -> Result<(u64, Id), Error> {
        content::learned_generation(self.c, model)
    }

    fn clear_learned(&mut self, model: &str) -> Result<u64, Error> {
        content::clear_learned(self.c, model)
    }

    fn delete_learned(&mut self, model: &str, id: Id) -> Result<Option<LearnedExample>, Error> {
        content::delete_learned(self.c, model, id)
    }
}
