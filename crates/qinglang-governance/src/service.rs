//! The governance operations: each checks the caller's role, applies the rules and records
//! what it changed, in one store transaction.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use qinglang_engine::{Classifier, Engine, Scratch, Suggestion};
use serde::Serialize;

use crate::audit::{entry_hash, ChainChecker, ChainReport, GENESIS};
use crate::authz::{allows, Permission};
use crate::credit;
use crate::crypto::DataKey;
use crate::error::Error;
use crate::identity::{self, IdentityKind, SubjectKind};
use crate::model::*;
use crate::patrol::{LocalPatrol, PatrolState};
use crate::policy::{LadderStep, LoadedPolicy, SanctionKind};
use crate::profile;
use crate::store::{Store, Tx};
use crate::wire;

/// Longest text accepted for review, in characters (as the cloud moderation APIs).
pub const MAX_TEXT_CHARS: usize = 10_000;
/// Longest article (HTML, kind `article`) accepted, in characters.
pub const MAX_ARTICLE_CHARS: usize = 200_000;

/// The governance service over a store.
pub struct Governance<S: Store> {
    pub(crate) store: S,
    /// The engine in use and the number of emergency changes and lexicon edits it includes,
    /// swapped together so that a verdict names the rules of the engine that gave it (OPS-2).
    engine: RwLock<(Arc<Engine>, u64)>,
    pub(crate) policy: Arc<LoadedPolicy>,
    pub(crate) key: DataKey,
    /// The classifier the engine was built with, before anything was learned (REV-9).
    pub(crate) base_classifier: Option<Arc<Classifier>>,
    /// (count, highest id) of the learned examples the running model reflects; its lock
    /// serialises learning.
    pub(crate) learned_generation: Mutex<(u64, Id)>,
    /// Cross-message state: flood campaigns and rate limits (REV-7).
    pub(crate) patrol: Box<dyn PatrolState>,
    /// Low bits of the next flood key (the high bits are the time).
    flood_seq: AtomicU64,
    /// What the engine is built from, for emergency changes (ENF-3).
    pub(crate) recipe: Option<crate::emergency::EngineRecipe>,
    /// (count, highest id) of the emergency changes the running engine includes.
    pub(crate) emergency_generation: Mutex<(u64, Id)>,
    /// The engines of the policy's scenes (issue #25), rebuilt with the rules and given the
    /// learned classifier with the main engine.
    scenes: RwLock<Arc<crate::scenes::SceneEngines>>,
    /// Failed console sign-ins per name in the current minute: (count, minute start).
    pub(crate) sign_in_failures: Mutex<std::collections::HashMap<String, (u32, Timestamp)>>,
    /// The known-bad image lists as this node holds them (REV-10), loaded on first use.
    pub(crate) known_images: RwLock<Option<Arc<crate::images::KnownImages>>>,
    /// Serialises reloads of the image lists.
    pub(crate) image_lists_reload: Mutex<()>,
}

impl<S: Store> std::fmt::Debug for Governance<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Governance")
            .field("policy_version", &self.policy.version)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditView {
    pub score: i32,
    pub level: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentityView {
    pub kind: IdentityKind,
    pub subject: SubjectKind,
    /// `4401**********1234`
    pub masked: String,
    pub name: String,
    pub verified_at: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SanctionView {
    pub id: Id,
    pub target: Target,
    pub kind: SanctionKind,
    pub reason: String,
    pub starts_at: String,
    pub ends_at: Option<String>,
    pub policy_version: String,
    /// Who imposed it (`system`: the automatic ladder).
    pub imposed_by: String,
    pub content: Option<Id>,
    /// Set when an upheld appeal revoked it (CMP-2).
    pub revoked_at: Option<String>,
}

impl From<&Sanction> for SanctionView {
    fn from(s: &Sanction) -> Self {
        SanctionView {
            id: s.id,
            target: s.target,
            kind: s.kind,
            reason: s.reason.clone(),
            starts_at: s.starts_at.to_rfc3339(),
            ends_at: s.ends_at.map(Timestamp::to_rfc3339),
            policy_version: s.policy_version.clone(),
            imposed_by: s.imposed_by.clone(),
            content: s.content,
            revoked_at: s.revoked_at.map(Timestamp::to_rfc3339),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    pub id: Id,
    pub nickname: String,
    pub status: UserStatus,
    pub verified: bool,
    pub identity: Option<IdentityView>,
    pub credit: CreditView,
    pub strikes_in_window: u32,
    /// Sanctions in force now, on the user and on them as a group role holder.
    pub sanctions: Vec<SanctionView>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevealedIdentity {
    pub user: Id,
    pub kind: IdentityKind,
    pub value: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierView {
    pub name: String,
    pub comment_management: bool,
    pub paid_content: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountView {
    pub id: Id,
    pub owner: Id,
    pub name: String,
    pub bio: String,
    pub subject: AccountSubject,
    pub category: String,
    pub news_licence: bool,
    pub followers: u64,
    pub monthly_reads: u64,
    pub tier: TierView,
    pub closed: bool,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupView {
    pub id: Id,
    pub owner: Id,
    pub name: String,
    pub notice: String,
    pub max_members: u32,
    pub members: u32,
    pub status: GroupStatus,
    pub sanctions: Vec<SanctionView>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipView {
    pub group: Id,
    pub user: Id,
    pub role: GroupRole,
    pub status: MembershipStatus,
    pub muted_until: Option<String>,
}

impl From<&Membership> for MembershipView {
    fn from(m: &Membership) -> Self {
        MembershipView {
            group: m.group,
            user: m.user,
            role: m.role,
            status: m.status,
            muted_until: m.muted_until.map(Timestamp::to_rfc3339),
        }
    }
}

/// What a creator or manager does to a member (GRP-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberAction {
    Remove,
    Mute,
    Unmute,
    /// Member → manager (creator only).
    Promote,
    /// Manager → member (creator only).
    Demote,
}

impl MemberAction {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberAction::Remove => "remove",
            MemberAction::Mute => "mute",
            MemberAction::Unmute => "unmute",
            MemberAction::Promote => "promote",
            MemberAction::Demote => "demote",
        }
    }
}

/// Longest mute a manager may give, in minutes (30 days).
pub const MAX_MUTE_MINUTES: u32 = 30 * 24 * 60;

/// A request to open a public account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub owner: Id,
    pub name: String,
    pub bio: String,
    pub subject: AccountSubject,
    pub category: String,
    pub news_licence: bool,
    pub followers: u64,
    pub monthly_reads: u64,
}

/// A piece of content submitted for review.
#[derive(Debug, Clone)]
pub struct Submission {
    pub author: Id,
    pub group: Option<Id>,
    pub account: Option<Id>,
    pub kind: ContentKind,
    pub text: String,
    /// The scene it is judged in (issue #25); the main policy when none.
    pub scene: Option<String>,
}

/// What enforcement did with a submission (ENF-1, ENF-2).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enforcement {
    pub content_id: Id,
    pub decision: Decision,
    pub reasons: Vec<String>,
    /// Whether the author received a strike.
    pub strike: bool,
    pub credit: CreditView,
    /// Sanctions this submission triggered.
    pub sanctions: Vec<SanctionView>,
    pub policy_version: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reviewed {
    pub verdict: serde_json::Value,
    pub enforcement: Enforcement,
}

impl<S: Store> Governance<S> {
    pub fn new(store: S, engine: Arc<Engine>, policy: LoadedPolicy, key: DataKey) -> Self {
        Governance {
            store,
            patrol: Box::new(LocalPatrol::new(&policy.policy.patrol)),
            flood_seq: AtomicU64::new(0),
            recipe: None,
            emergency_generation: Mutex::new((0, 0)),
            sign_in_failures: Mutex::default(),
            known_images: RwLock::new(None),
            image_lists_reload: Mutex::new(()),
            base_classifier: engine.classifier().cloned(),
            scenes: RwLock::new(Arc::new(crate::scenes::SceneEngines::derived(
                &policy.policy,
                &engine,
            ))),
            engine: RwLock::new((engine, 0)),
            policy: Arc::new(policy),
            key,
            learned_generation: Mutex::new((0, 0)),
        }
    }

    /// Tells the service what its engine is built from, so that emergency changes can
    /// rebuild it (ENF-3).
    pub fn with_recipe(mut self, recipe: crate::emergency::EngineRecipe) -> Self {
        // The scenes' own lexicons need what the engine is built from: build them now.
        let engine = self.engine();
        // The policy's check compiled every scene's lexicon, so this builds; were it not to,
        // the scenes with a lexicon would answer `scene_unavailable`.
        let built = crate::scenes::SceneEngines::build(&self.policy.policy, &engine, |_| {
            Ok(recipe.lexicons.clone())
        });
        if let Ok(scenes) = built {
            self.set_scenes(scenes);
        }
        self.recipe = Some(recipe);
        self
    }

    /// Keeps the patrol state somewhere else (a store shared by several nodes).
    pub fn with_patrol(mut self, patrol: Box<dyn PatrolState>) -> Self {
        self.patrol = patrol;
        self
    }

    /// A key for a fingerprinted message, unique across restarts (milliseconds, then a
    /// sequence), below 2^53 so JSON clients read it exactly.
    pub(crate) fn flood_key(&self, now: Timestamp) -> u64 {
        let seq = self.flood_seq.fetch_add(1, Ordering::Relaxed) & 0xFFF;
        ((now.0.max(0) as u64) << 12 | seq) & ((1 << 53) - 1)
    }

    /// Every stored copy of a flood campaign (REV-7).
    pub fn campaign(&self, actor: &Principal, campaign: u64) -> Result<Vec<CampaignMember>, Error> {
        self.require(actor, Permission::ReadSubjects)?;
        let members = self.store.read(|tx| tx.campaign_members(campaign))?;
        if members.is_empty() {
            return Err(Error::not_found("campaign", campaign));
        }
        Ok(members)
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    pub fn policy(&self) -> &LoadedPolicy {
        &self.policy
    }

    /// The version of the rules in force, which every decision and audit record names
    /// (OPS-2): the policy file's hash, and after emergency changes or lexicon edits,
    /// `+N` for the N of them the running engine includes (both only grow, so N orders the
    /// states; the audit trail's `policy.emergency` and `lexicon.*` entries say what each was).
    pub fn policy_version(&self) -> String {
        self.engine_and_version().1
    }

    /// The engine in use now. Scans hold their own `Arc`, so a swap never disturbs them.
    pub fn engine(&self) -> Arc<Engine> {
        self.running(|(engine, _)| Arc::clone(engine))
    }

    /// The engine in use now and the version of the rules it applies, read together.
    pub fn engine_and_version(&self) -> (Arc<Engine>, String) {
        self.running(|(engine, changes)| {
            let version = match changes {
                0 => self.policy.version.clone(),
                n => format!("{}+{n}", self.policy.version),
            };
            (Arc::clone(engine), version)
        })
    }

    fn running<T>(&self, f: impl FnOnce(&(Arc<Engine>, u64)) -> T) -> T {
        match self.engine.read() {
            Ok(e) => f(&e),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    /// Replaces the engine with one applying the same rules (a learned model). Callers hold
    /// the learning lock, so that learning and emergency changes never undo each other.
    pub(crate) fn swap_engine(&self, engine: Arc<Engine>) {
        let scenes = self
            .scene_engines()
            .with_classifier(&self.policy.policy, engine.classifier().cloned());
        match self.engine.write() {
            Ok(mut e) => e.0 = engine,
            Err(poisoned) => poisoned.into_inner().0 = engine,
        }
        self.set_scenes(scenes);
    }

    /// Replaces the engine with one that includes `changes` emergency changes and lexicon
    /// edits, and the rules version with it.
    pub(crate) fn swap_rules(
        &self,
        engine: Arc<Engine>,
        scenes: crate::scenes::SceneEngines,
        changes: u64,
    ) {
        match self.engine.write() {
            Ok(mut e) => *e = (engine, changes),
            Err(poisoned) => *poisoned.into_inner() = (engine, changes),
        }
        self.set_scenes(scenes);
    }

    fn set_scenes(&self, scenes: crate::scenes::SceneEngines) {
        match self.scenes.write() {
            Ok(mut s) => *s = Arc::new(scenes),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(scenes),
        }
    }

    /// The scenes' engines now.
    pub(crate) fn scene_engines(&self) -> Arc<crate::scenes::SceneEngines> {
        match self.scenes.read() {
            Ok(s) => Arc::clone(&s),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The scenes' engines for the rules `engine` applies: each from the recipe, the
    /// emergency `changes`, the main `edits` and its own, plus its policy lexicon.
    pub(crate) fn build_scenes(
        &self,
        engine: &Engine,
        changes: &[EmergencyChange],
        edits: &[LexiconEdit],
    ) -> Result<crate::scenes::SceneEngines, Error> {
        crate::scenes::SceneEngines::build(&self.policy.policy, engine, |scene| {
            self.scene_lexicons(changes, edits, Some(scene))
        })
    }

    /// The engine for `scene` (the main one for none) and the rules version, read together;
    /// an unknown scene is refused with the known ones listed.
    pub fn engine_for_scene(&self, scene: Option<&str>) -> Result<(Arc<Engine>, String), Error> {
        let (engine, version) = self.engine_and_version();
        match scene {
            None => Ok((engine, version)),
            Some(name) => Ok((
                self.scene_engines().get(&self.policy.policy, name)?,
                version,
            )),
        }
    }

    pub(crate) fn require(&self, actor: &Principal, permission: Permission) -> Result<(), Error> {
        if allows(actor.role, permission) {
            Ok(())
        } else {
            Err(Error::forbidden(
                "role_forbidden",
                format!(
                    "role {} may not {}",
                    actor.role.as_str(),
                    permission.describe()
                ),
            ))
        }
    }

    // ----- review -----

    /// A stateless verdict in the scan contract's shape.
    pub fn scan(&self, actor: &Principal, text: &str) -> Result<serde_json::Value, Error> {
        self.scan_in_scene(actor, text, None)
    }

    /// Reviews a text in a scene (issue #25): the verdict names the scene and the rules
    /// version it was given under.
    pub fn scan_in_scene(
        &self,
        actor: &Principal,
        text: &str,
        scene: Option<&str>,
    ) -> Result<serde_json::Value, Error> {
        self.require(actor, Permission::Scan)?;
        check_text(text)?;
        let (engine, version) = self.engine_for_scene(scene)?;
        let verdict = engine.scan(text);
        let ruled = wire::RuledVerdict {
            verdict: wire::VerdictJson::new(None, text, &verdict),
            policy_version: &version,
            scene,
        };
        Ok(serde_json::to_value(ruled).unwrap_or_default())
    }

    /// Reviews a picture (REV-10): its QR codes read and every payload judged by the scene's
    /// engine, its hash matched against the known-bad lists; the verdict in the scan
    /// contract's shape with each hit's `part` and `box`.
    pub fn scan_image(
        &self,
        actor: &Principal,
        bytes: &[u8],
        scene: Option<&str>,
    ) -> Result<serde_json::Value, Error> {
        self.require(actor, Permission::Scan)?;
        let (engine, version) = self.engine_for_scene(scene)?;
        self.judge_picture(&engine, bytes, scene, &version)
    }

    // ----- users and identity -----

    pub fn create_user(
        &self,
        actor: &Principal,
        nickname: &str,
        now: Timestamp,
    ) -> Result<UserView, Error> {
        self.require(actor, Permission::ManageSubjects)?;
        let nickname = nickname.trim();
        if nickname.is_empty() || nickname.chars().count() > 64 {
            return Err(Error::invalid(
                "invalid_nickname",
                "nickname must have 1 to 64 characters",
            ));
        }
        let engine = self.engine();
        let verdict = engine.scan(nickname);
        if verdict.suggestion == Suggestion::Block {
            return Err(Error::invalid(
                "nickname_rejected",
                format!("nickname rejected: {}", hit_summary(nickname, &verdict)),
            ));
        }
        let initial = self.policy.policy.credit.initial;
        self.store.write(|tx| {
            let id = tx.insert_user(nickname, initial, now)?;
            self.audit(
                tx,
                actor,
                now,
                "user.create",
                &Target::User(id).label(),
                "",
                serde_json::json!({"nickname": nickname}),
            )?;
            self.user_view(tx, id, now)
        })
    }

    pub fn get_user(&self, actor: &Principal, id: Id, now: Timestamp) -> Result<UserView, Error> {
        self.require(actor, Permission::ReadSubjects)?;
        self.store.read(|tx| self.user_view(tx, id, now))
    }

    /// Verifies a real-name identity (ID-1, ID-2) and stores it sealed (ID-3).
    pub fn verify_identity(
        &self,
        actor: &Principal,
        user: Id,
        kind: IdentityKind,
        value: &str,
        name: &str,
        now: Timestamp,
    ) -> Result<UserView, Error> {
        self.require(actor, Permission::ManageSubjects)?;
        let canonical = identity::validate(kind, value)
            .map_err(|e| Error::invalid("invalid_identity", e.to_string()))?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(Error::invalid(
                "invalid_identity",
                "the name on the identity must have 1 to 100 characters",
            ));
        }
        let lookup_hash = self.key.lookup_hash(kind.as_str(), &canonical);
        if kind == IdentityKind::ResidentId {
            let today: String = now.to_rfc3339()[..10].replace('-', "");
            if identity::resident_birth_date(&canonical).is_some_and(|b| b > today.as_str()) {
                return Err(Error::invalid(
                    "invalid_identity",
                    "resident ID number has an impossible birth date",
                ));
            }
        }
        let value_context = format!("user:{user}:identity");
        let name_context = format!("user:{user}:name");
        let seal = |b: &[u8], context: &str| {
            self.key
                .seal(b, context.as_bytes())
                .map_err(|e| Error::Storage(e.to_string()))
        };
        let record = IdentityRecord {
            kind,
            subject: kind.subject(),
            lookup_hash: lookup_hash.clone(),
            sealed_value: seal(canonical.as_bytes(), &value_context)?,
            sealed_name: seal(name.as_bytes(), &name_context)?,
            masked_value: identity::mask(kind, &canonical),
            masked_name: identity::mask_name(name),
            verified_at: now,
        };
        let result = self.store.write(|tx| {
            let u = tx
                .user(user)?
                .ok_or_else(|| Error::not_found("user", user))?;
            if u.status != UserStatus::Active {
                return Err(Error::forbidden(
                    "user_closed",
                    format!("user {user} is {}", u.status.as_str()),
                ));
            }
            if tx.identity_blacklisted(&lookup_hash)? {
                return Err(Error::forbidden(
                    "identity_blacklisted",
                    "this identity is blacklisted and cannot register again (ID-4)",
                ));
            }
            // One user per real identity: otherwise a sanctioned person simply carries on
            // under a second user with fresh credit, strikes and caps.
            if tx
                .users_with_identity(&lookup_hash)?
                .iter()
                .any(|&other| other != user)
            {
                return Err(Error::Conflict {
                    code: "identity_in_use",
                    message: "this identity is already verified for another user".into(),
                });
            }
            if let Some(existing) = &u.identity {
                if existing.lookup_hash != lookup_hash {
                    return Err(Error::Conflict {
                        code: "already_verified",
                        message: format!("user {user} is already verified with another identity"),
                    });
                }
            }
            tx.set_identity(user, &record)?;
            self.audit(
                tx,
                actor,
                now,
                "identity.verify",
                &Target::User(user).label(),
                "",
                serde_json::json!({"kind": kind, "masked": record.masked_value}),
            )?;
            self.user_view(tx, user, now)
        });
        if let Err(Error::Forbidden {
            code: "identity_blacklisted",
            ..
        }) = &result
        {
            // The refusal is recorded in its own transaction: the failed one rolled back.
            self.store.write(|tx| {
                self.audit(
                    tx,
                    actor,
                    now,
                    "identity.refused",
                    &Target::User(user).label(),
                    "identity is blacklisted",
                    serde_json::json!({"kind": kind, "masked": record.masked_value}),
                )
            })?;
        }
        result
    }

    /// The clear identity, for the content-security lead only; every read is audited.
    pub fn reveal_identity(
        &self,
        actor: &Principal,
        user: Id,
        reason: &str,
        now: Timestamp,
    ) -> Result<RevealedIdentity, Error> {
        self.require(actor, Permission::RevealIdentity)?;
        if reason.trim().is_empty() {
            return Err(Error::invalid(
                "reason_required",
                "revealing an identity needs a reason",
            ));
        }
        self.store.write(|tx| {
            let u = tx
                .user(user)?
                .ok_or_else(|| Error::not_found("user", user))?;
            let ident = u
                .identity
                .ok_or_else(|| Error::not_found("identity of user", user))?;
            let open = |b: &[u8], context: String| {
                self.key
                    .open(b, context.as_bytes())
                    .map_err(|e| Error::Storage(e.to_string()))
                    .and_then(|v| String::from_utf8(v).map_err(|e| Error::Storage(e.to_string())))
            };
            let revealed = RevealedIdentity {
                user,
                kind: ident.kind,
                value: open(&ident.sealed_value, format!("user:{user}:identity"))?,
                name: open(&ident.sealed_name, format!("user:{user}:name"))?,
            };
            self.audit(
                tx,
                actor,
                now,
                "identity.reveal",
                &Target::User(user).label(),
                reason.trim(),
                serde_json::json!({"kind": ident.kind, "masked": ident.masked_value}),
            )?;
            Ok(revealed)
        })
    }

    fn user_view(&self, tx: &mut dyn Tx, id: Id, now: Timestamp) -> Result<UserView, Error> {
        let u = tx.user(id)?.ok_or_else(|| Error::not_found("user", id))?;
        let p = &self.policy.policy;
        let score = credit::effective(&p.credit, &u, now);
        let window_start = now.minus_days(p.sanctions.strike_window_days);
        let mut sanctions: Vec<SanctionView> = Vec::new();
        for target in [Target::User(id), Target::RoleHolder(id)] {
            sanctions.extend(
                tx.sanctions_of(target)?
                    .iter()
                    .filter(|s| s.active_at(now))
                    .map(SanctionView::from),
            );
        }
        Ok(UserView {
            id,
            nickname: u.nickname.clone(),
            status: u.status,
            verified: u.identity.is_some(),
            identity: u.identity.as_ref().map(|i| IdentityView {
                kind: i.kind,
                subject: i.subject,
                masked: i.masked_value.clone(),
                name: i.masked_name.clone(),
                verified_at: i.verified_at.to_rfc3339(),
            }),
            credit: CreditView {
                score,
                level: p.level_for(score).name.clone(),
            },
            strikes_in_window: tx.strikes_since(Target::User(id), window_start)?,
            sanctions,
            created_at: u.created_at.to_rfc3339(),
        })
    }

    // ----- public accounts -----

    pub fn open_account(
        &self,
        actor: &Principal,
        req: &NewAccount,
        now: Timestamp,
    ) -> Result<AccountView, Error> {
        self.require(actor, Permission::ManageSubjects)?;
        let p = &self.policy.policy;
        let name = req.name.trim();
        if name.is_empty() || name.chars().count() > 30 {
            return Err(Error::invalid(
                "invalid_name",
                "account name must have 1 to 30 characters",
            ));
        }
        if req.bio.chars().count() > 500 {
            return Err(Error::invalid(
                "invalid_bio",
                "bio must have at most 500 characters",
            ));
        }
        let engine = self.engine();
        let folded = name_key(&engine, name);
        let mut reasons = profile::name_problems(name, &folded, req.subject, req.news_licence);
        for (field, text) in [("name", name), ("bio", req.bio.as_str())] {
            let verdict = engine.scan(text);
            if verdict.suggestion != Suggestion::Pass {
                reasons.push(format!("{field}: {}", hit_summary(text, &verdict)));
            }
        }
        if !reasons.is_empty() {
            return Err(Error::invalid(
                "profile_rejected",
                format!("profile rejected: {}", reasons.join("; ")),
            ));
        }
        // The folded name is also the tombstone key (PA-1).
        let tombstone_key = folded;
        self.store.write(|tx| {
            let owner = self.active_verified_user(tx, req.owner, now)?;
            let ident = owner.identity.as_ref().ok_or_else(|| Error::forbidden("identity_unverified", "verify an identity first"))?;
            let wants_org = req.subject != AccountSubject::Individual;
            if wants_org != (ident.subject == SubjectKind::Enterprise) {
                return Err(Error::forbidden(
                    "subject_mismatch",
                    format!("a {} account needs {} identity", req.subject.as_str(), if wants_org { "an organisation (uscc)" } else { "a person's" }),
                ));
            }
            let score = credit::effective(&p.credit, &owner, now);
            let level = p.level_for(score);
            if !level.can_open_accounts {
                return Err(Error::forbidden("credit_too_low", format!("credit level {} may not open public accounts", level.name)));
            }
            let cap = match ident.subject {
                SubjectKind::Person => p.identity.max_accounts_person,
                SubjectKind::Enterprise => p.identity.max_accounts_enterprise,
            };
            let open = tx.open_accounts_for_identity(&ident.lookup_hash)?;
            if open >= cap {
                return Err(Error::forbidden("account_cap_reached", format!("this identity already has {open} public account(s); the cap is {cap} (ID-4)")));
            }
            if tx.account_name_taken(name)? {
                return Err(Error::Conflict { code: "name_taken", message: format!("the name {name:?} is in use") });
            }
            if tx.name_tombstoned(&tombstone_key)? {
                return Err(Error::Conflict { code: "name_tombstoned", message: format!("the name {name:?} belonged to a closed account and cannot be reused (PA-1)") });
            }
            // Near-identical names (a closed name with something added) are refused too.
            if tx.tombstone_within(&tombstone_key)? {
                return Err(Error::Conflict { code: "name_tombstoned", message: format!("the name {name:?} contains the name of a closed account (PA-1)") });
            }
            if self.active_sanction(tx, &[Target::User(req.owner)], SanctionKind::Close, now)?.is_some() {
                return Err(Error::forbidden("account_closed", "this user's public accounts were closed (ENF-2); no new ones may be opened"));
            }
            let account = Account {
                id: 0,
                owner: req.owner,
                name: name.to_owned(),
                bio: req.bio.clone(),
                subject: req.subject,
                category: req.category.clone(),
                news_licence: req.news_licence,
                followers: req.followers,
                monthly_reads: req.monthly_reads,
                closed: false,
                created_at: now,
                scene: None,
            };
            let id = tx.insert_account(&account)?;
            self.audit(tx, actor, now, "account.open", &Target::Account(id).label(), "", serde_json::json!({"owner": req.owner, "name": name, "subject": req.subject, "category": req.category}))?;
            Ok(self.account_view(&Account { id, ..account }))
        })
    }

    pub fn get_account(&self, actor: &Principal, id: Id) -> Result<AccountView, Error> {
        self.require(actor, Permission::ReadSubjects)?;
        let a = self
            .store
            .read(|tx| tx.account(id))?
            .ok_or_else(|| Error::not_found("account", id))?;
        Ok(self.account_view(&a))
    }

    fn account_view(&self, a: &Account) -> AccountView {
        let tier = self.policy.policy.tier_for(a.followers, a.monthly_reads);
        AccountView {
            id: a.id,
            owner: a.owner,
            name: a.name.clone(),
            bio: a.bio.clone(),
            subject: a.subject,
            category: a.category.clone(),
            news_licence: a.news_licence,
            followers: a.followers,
            monthly_reads: a.monthly_reads,
            tier: TierView {
                name: tier.name.clone(),
                comment_management: tier.comment_management,
                paid_content: tier.paid_content,
            },
            closed: a.closed,
            created_at: a.created_at.to_rfc3339(),
        }
    }

    // ----- groups -----

    pub fn create_group(
        &self,
        actor: &Principal,
        owner: Id,
        name: &str,
        max_members: u32,
        now: Timestamp,
    ) -> Result<GroupView, Error> {
        self.require(actor, Permission::ManageSubjects)?;
        let p = &self.policy.policy;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 30 {
            return Err(Error::invalid(
                "invalid_name",
                "group name must have 1 to 30 characters",
            ));
        }
        if max_members < 2 {
            return Err(Error::invalid(
                "invalid_group_size",
                "max_members must be at least 2",
            ));
        }
        if max_members > p.groups.max_members {
            return Err(Error::forbidden(
                "group_too_large",
                format!(
                    "groups may have at most {} members on this platform (GRP-1)",
                    p.groups.max_members
                ),
            ));
        }
        let engine = self.engine();
        let verdict = engine.scan(name);
        if verdict.suggestion == Suggestion::Block {
            return Err(Error::invalid(
                "name_rejected",
                format!("group name rejected: {}", hit_summary(name, &verdict)),
            ));
        }
        self.store.write(|tx| {
            let user = self.active_verified_user(tx, owner, now)?;
            if self
                .active_sanction(tx, &[Target::User(owner)], SanctionKind::Close, now)?
                .is_some()
            {
                return Err(Error::forbidden(
                    "account_closed",
                    "this user's accounts were closed (ENF-2); no groups may be created",
                ));
            }
            if self
                .active_sanction(
                    tx,
                    &[Target::User(owner), Target::RoleHolder(owner)],
                    SanctionKind::BanGroupCreation,
                    now,
                )?
                .is_some()
            {
                return Err(Error::forbidden(
                    "group_creation_banned",
                    "this user is banned from creating groups (GRP-4)",
                ));
            }
            let score = credit::effective(&p.credit, &user, now);
            let level = p.level_for(score);
            if max_members > level.max_group_size {
                return Err(Error::forbidden(
                    "credit_too_low",
                    format!(
                        "credit level {} allows groups of at most {} members (GRP-2)",
                        level.name, level.max_group_size
                    ),
                ));
            }
            let created = tx.groups_created_by(owner)?;
            if created >= level.max_groups_created {
                return Err(Error::forbidden(
                    "group_cap_reached",
                    format!(
                        "credit level {} allows creating {} group(s); this user has {created}",
                        level.name, level.max_groups_created
                    ),
                ));
            }
            let group = Group {
                id: 0,
                notice: String::new(),
                owner,
                name: name.to_owned(),
                max_members,
                status: GroupStatus::Active,
                created_at: now,
                scene: None,
            };
            let id = tx.insert_group(&group)?;
            tx.upsert_member(id, owner, GroupRole::Creator, MembershipStatus::Active, now)?;
            self.audit(
                tx,
                actor,
                now,
                "group.create",
                &Target::Group(id).label(),
                "",
                serde_json::json!({"owner": owner, "name": name, "max_members": max_members}),
            )?;
            self.group_view(tx, id, now)
        })
    }

    pub fn get_group(&self, actor: &Principal, id: Id, now: Timestamp) -> Result<GroupView, Error> {
        self.require(actor, Permission::ReadSubjects)?;
        self.store.read(|tx| self.group_view(tx, id, now))
    }

    fn group_view(&self, tx: &mut dyn Tx, id: Id, now: Timestamp) -> Result<GroupView, Error> {
        let g = tx.group(id)?.ok_or_else(|| Error::not_found("group", id))?;
        Ok(GroupView {
            id,
            owner: g.owner,
            name: g.name,
            notice: g.notice,
            max_members: g.max_members,
            members: tx.active_members(id)?,
            status: g.status,
            sanctions: tx
                .sanctions_of(Target::Group(id))?
                .iter()
                .filter(|s| s.active_at(now))
                .map(SanctionView::from)
                .collect(),
            created_at: g.created_at.to_rfc3339(),
        })
    }

    /// Adds a member (GRP-1, GRP-2): join caps, verified identity above the threshold, and
    /// approval by a creator or manager above the approval threshold.
    pub fn join_group(
        &self,
        actor: &Principal,
        group: Id,
        user: Id,
        role: GroupRole,
        approved_by: Option<Id>,
        now: Timestamp,
    ) -> Result<MembershipView, Error> {
        self.require(actor, Permission::ManageSubjects)?;
        if role != GroupRole::Member {
            return Err(Error::invalid(
                "invalid_role",
                "members join as members; the creator promotes managers through the member actions",
            ));
        }
        let p = &self.policy.policy;
        self.store.write(|tx| {
            let g = tx
                .group(group)?
                .ok_or_else(|| Error::not_found("group", group))?;
            if g.status != GroupStatus::Active {
                return Err(Error::forbidden(
                    "group_dissolved",
                    format!("group {group} is {}", g.status.as_str()),
                ));
            }
            let u = tx
                .user(user)?
                .ok_or_else(|| Error::not_found("user", user))?;
            if u.status != UserStatus::Active {
                return Err(Error::forbidden(
                    "user_closed",
                    format!("user {user} is {}", u.status.as_str()),
                ));
            }
            if let Some(m) = tx.member(group, user)? {
                if m.status == MembershipStatus::Active || approved_by.is_none() {
                    return Ok(MembershipView::from(&m));
                }
            }
            let approved = match approved_by {
                None => false,
                Some(approver) => {
                    let holder = tx.member(group, approver)?.filter(|m| {
                        m.status == MembershipStatus::Active && m.role != GroupRole::Member
                    });
                    if holder.is_none() {
                        return Err(Error::forbidden(
                            "not_a_manager",
                            format!(
                                "user {approver} is not the creator or a manager of group {group}"
                            ),
                        ));
                    }
                    if self
                        .active_sanction(
                            tx,
                            &[Target::RoleHolder(approver)],
                            SanctionKind::SuspendAdmin,
                            now,
                        )?
                        .is_some()
                    {
                        return Err(Error::forbidden(
                            "admin_suspended",
                            format!("user {approver}'s admin rights are suspended (GRP-4)"),
                        ));
                    }
                    true
                }
            };
            let members = tx.active_members(group)?;
            if members >= g.max_members {
                return Err(Error::forbidden(
                    "group_full",
                    format!("group {group} has reached its {} members", g.max_members),
                ));
            }
            let score = credit::effective(&p.credit, &u, now);
            let level = p.level_for(score);
            let joined = tx.groups_joined_by(user)?;
            if joined >= level.max_groups_joined {
                return Err(Error::forbidden(
                    "join_cap_reached",
                    format!(
                        "credit level {} allows joining {} groups",
                        level.name, level.max_groups_joined
                    ),
                ));
            }
            if members >= p.groups.verified_above && u.identity.is_none() {
                return Err(Error::forbidden(
                    "identity_unverified",
                    format!(
                        "groups above {} members need a verified identity (GRP-1)",
                        p.groups.verified_above
                    ),
                ));
            }
            let status = if members >= p.groups.approval_above && !approved {
                MembershipStatus::Pending
            } else {
                MembershipStatus::Active
            };
            tx.upsert_member(group, user, role, status, now)?;
            let action = if status == MembershipStatus::Pending {
                "group.join_pending"
            } else {
                "group.join"
            };
            self.audit(
                tx,
                actor,
                now,
                action,
                &Target::Group(group).label(),
                "",
                serde_json::json!({"user": user, "role": role, "approved_by": approved_by}),
            )?;
            Ok(MembershipView {
                group,
                user,
                role,
                status,
                muted_until: None,
            })
        })
    }

    /// A creator or manager removes, mutes, unmutes, promotes or demotes a member (GRP-3).
    /// Managers act on members only; promoting and demoting is for the creator.
    #[allow(clippy::too_many_arguments)]
    pub fn manage_member(
        &self,
        actor: &Principal,
        group: Id,
        by: Id,
        user: Id,
        action: MemberAction,
        minutes: u32,
        now: Timestamp,
    ) -> Result<Option<MembershipView>, Error> {
        self.require(actor, Permission::ManageSubjects)?;
        if action == MemberAction::Mute && !(1..=MAX_MUTE_MINUTES).contains(&minutes) {
            return Err(Error::invalid(
                "invalid_minutes",
                format!("a mute lasts 1 to {MAX_MUTE_MINUTES} minutes"),
            ));
        }
        self.store.write(|tx| {
            let g = tx
                .group(group)?
                .ok_or_else(|| Error::not_found("group", group))?;
            if g.status != GroupStatus::Active {
                return Err(Error::forbidden(
                    "group_dissolved",
                    format!("group {group} is {}", g.status.as_str()),
                ));
            }
            let manager = self.group_manager(tx, group, by, now)?;
            let target = tx
                .member(group, user)?
                .ok_or_else(|| Error::not_found("member of group", user))?;
            if target.role == GroupRole::Creator || user == by {
                return Err(Error::forbidden(
                    "not_allowed",
                    "the creator cannot be managed, and no one manages themselves",
                ));
            }
            let creator_only = matches!(action, MemberAction::Promote | MemberAction::Demote)
                || target.role == GroupRole::Manager;
            if creator_only && manager.role != GroupRole::Creator {
                return Err(Error::forbidden(
                    "creator_only",
                    "only the creator manages managers",
                ));
            }
            let result = match action {
                MemberAction::Remove => {
                    tx.remove_member(group, user)?;
                    None
                }
                MemberAction::Mute | MemberAction::Unmute => {
                    let until = (action == MemberAction::Mute)
                        .then(|| Timestamp(now.0 + i64::from(minutes) * 60_000));
                    tx.set_muted_until(group, user, until)?;
                    Some(MembershipView::from(&Membership {
                        muted_until: until,
                        ..target
                    }))
                }
                MemberAction::Promote | MemberAction::Demote => {
                    let role = if action == MemberAction::Promote {
                        GroupRole::Manager
                    } else {
                        GroupRole::Member
                    };
                    tx.upsert_member(group, user, role, target.status, now)?;
                    Some(MembershipView::from(&Membership { role, ..target }))
                }
            };
            self.audit(
                tx,
                actor,
                now,
                &format!("group.member.{}", action.as_str()),
                &Target::Group(group).label(),
                "",
                serde_json::json!({"by": by, "user": user, "minutes": minutes}),
            )?;
            Ok(result)
        })
    }

    /// A creator or manager edits the group notice; it is reviewed like content (GRP-3).
    pub fn set_group_notice(
        &self,
        actor: &Principal,
        group: Id,
        by: Id,
        notice: &str,
        now: Timestamp,
    ) -> Result<GroupView, Error> {
        self.require(actor, Permission::ManageSubjects)?;
        if notice.chars().count() > 1000 {
            return Err(Error::invalid(
                "notice_too_long",
                "a group notice has at most 1000 characters",
            ));
        }
        let engine = self.engine();
        let verdict = engine.scan(notice);
        if verdict.suggestion != Suggestion::Pass {
            return Err(Error::invalid(
                "notice_rejected",
                format!("notice rejected: {}", hit_summary(notice, &verdict)),
            ));
        }
        self.store.write(|tx| {
            let g = tx
                .group(group)?
                .ok_or_else(|| Error::not_found("group", group))?;
            if g.status != GroupStatus::Active {
                return Err(Error::forbidden(
                    "group_dissolved",
                    format!("group {group} is {}", g.status.as_str()),
                ));
            }
            self.group_manager(tx, group, by, now)?;
            tx.set_notice(group, notice)?;
            self.audit(
                tx,
                actor,
                now,
                "group.notice",
                &Target::Group(group).label(),
                "",
                serde_json::json!({"by": by, "notice": notice}),
            )?;
            self.group_view(tx, group, now)
        })
    }

    /// `by` as an active creator or manager whose admin rights are not suspended.
    fn group_manager(
        &self,
        tx: &mut dyn Tx,
        group: Id,
        by: Id,
        now: Timestamp,
    ) -> Result<Membership, Error> {
        let m = tx
            .member(group, by)?
            .filter(|m| m.status == MembershipStatus::Active && m.role != GroupRole::Member)
            .ok_or_else(|| {
                Error::forbidden(
                    "not_a_manager",
                    format!("user {by} is not the creator or a manager of group {group}"),
                )
            })?;
        if self
            .active_sanction(
                tx,
                &[Target::RoleHolder(by)],
                SanctionKind::SuspendAdmin,
                now,
            )?
            .is_some()
        {
            return Err(Error::forbidden(
                "admin_suspended",
                format!("user {by}'s admin rights are suspended (GRP-4)"),
            ));
        }
        Ok(m)
    }

    /// Sets (or with `None` clears) the scene what is posted in a group or published by an
    /// account is judged in by default (issue #25); audited. The scene must be one of the
    /// policy's.
    pub fn set_default_scene(
        &self,
        actor: &Principal,
        target: Target,
        scene: Option<&str>,
        now: Timestamp,
    ) -> Result<(), Error> {
        self.require(actor, Permission::ManageSubjects)?;
        if let Some(name) = scene {
            // Refused with the known scenes listed, as on a scan.
            self.scene_engines().get(&self.policy.policy, name)?;
        }
        self.store.write(|tx| {
            let before = match target {
                Target::Group(id) => {
                    tx.group(id)?
                        .ok_or_else(|| Error::not_found("group", id))?
                        .scene
                }
                Target::Account(id) => {
                    tx.account(id)?
                        .ok_or_else(|| Error::not_found("account", id))?
                        .scene
                }
                other => {
                    return Err(Error::invalid(
                        "invalid_target",
                        format!(
                            "only groups and accounts carry a scene, not {}",
                            other.kind()
                        ),
                    ))
                }
            };
            tx.set_scene(target, scene)?;
            self.audit(
                tx,
                actor,
                now,
                "scene.assign",
                &target.label(),
                "",
                serde_json::json!({"before": before, "scene": scene}),
            )
        })
    }

    /// A confirmed violation (ENF-2, GRP-4): the author loses credit and takes a strike, the
    /// group takes one too, and each ladder applies the step its count reached. `actor` is
    /// whoever confirmed it: the system for an automatic block, or a moderator's decision.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn record_violation(
        &self,
        tx: &mut dyn Tx,
        actor: &Principal,
        author: Option<Id>,
        group: Option<Id>,
        content: Option<Id>,
        evidence: &serde_json::Value,
        now: Timestamp,
    ) -> Result<Vec<SanctionView>, Error> {
        let p = &self.policy.policy;
        let mut sanctions = Vec::new();
        let why = content.map_or_else(
            || "confirmed violation".to_owned(),
            |c| format!("violation in content:{c}"),
        );
        if let Some(author) = author {
            let mut cost = 0;
            if let Some(u) = tx.user(author)? {
                let before = credit::effective(&p.credit, &u, now);
                let after = credit::apply(&p.credit, before, p.credit.violation_delta);
                cost = before - after;
                tx.set_credit(author, after, now)?;
                self.audit(
                    tx,
                    actor,
                    now,
                    "credit.change",
                    &Target::User(author).label(),
                    &why,
                    serde_json::json!({"before": before, "after": after, "content": content}),
                )?;
            }
            let strike = tx.insert_strike(Target::User(author), content, now)?;
            let at = Blame {
                actor,
                content,
                evidence,
                strike: Some(strike),
                credit_cost: cost,
            };
            sanctions.extend(self.escalate(
                tx,
                &at,
                Target::User(author),
                &p.sanctions.user_ladder,
                now,
            )?);
        }
        if let Some(gid) = group {
            let strike = tx.insert_strike(Target::Group(gid), content, now)?;
            let at = Blame {
                actor,
                content,
                evidence,
                strike: Some(strike),
                credit_cost: 0,
            };
            sanctions.extend(self.escalate(
                tx,
                &at,
                Target::Group(gid),
                &p.sanctions.group_ladder,
                now,
            )?);
            // 谁建群谁负责: the group's count also drives its role holders' ladder.
            let count = tx.strikes_since(
                Target::Group(gid),
                now.minus_days(p.sanctions.strike_window_days),
            )?;
            // Their sanctions follow from the group's count, not from a strike of their own:
            // an appeal against one revokes it without voiding the group's strike.
            let held = Blame { strike: None, ..at };
            for holder in tx.role_holders(gid)? {
                sanctions.extend(self.escalate_with_count(
                    tx,
                    &held,
                    Target::RoleHolder(holder.user),
                    &p.sanctions.role_holder_ladder,
                    count,
                    now,
                )?);
            }
        }
        Ok(sanctions)
    }

    /// Applies the ladder step reached by the target's strikes in the window, once.
    fn escalate(
        &self,
        tx: &mut dyn Tx,
        blame: &Blame<'_>,
        target: Target,
        ladder: &[LadderStep],
        now: Timestamp,
    ) -> Result<Vec<SanctionView>, Error> {
        let window = now.minus_days(self.policy.policy.sanctions.strike_window_days);
        let count = tx.strikes_since(target, window)?;
        self.escalate_with_count(tx, blame, target, ladder, count, now)
    }

    fn escalate_with_count(
        &self,
        tx: &mut dyn Tx,
        blame: &Blame<'_>,
        target: Target,
        ladder: &[LadderStep],
        count: u32,
        now: Timestamp,
    ) -> Result<Vec<SanctionView>, Error> {
        let window = now.minus_days(self.policy.policy.sanctions.strike_window_days);
        let Some(step) = ladder.iter().rev().find(|s| count >= s.strikes) else {
            return Ok(Vec::new());
        };
        if tx.sanction_applied_since(target, step.action, window)? {
            return Ok(Vec::new());
        }
        let reason = format!(
            "{} strike(s) within {} days reached the {} step",
            count,
            self.policy.policy.sanctions.strike_window_days,
            step.action.as_str()
        );
        let sanction = self.apply_sanction(tx, blame, target, step, &reason, now)?;
        Ok(vec![sanction])
    }

    fn apply_sanction(
        &self,
        tx: &mut dyn Tx,
        blame: &Blame<'_>,
        target: Target,
        step: &LadderStep,
        reason: &str,
        now: Timestamp,
    ) -> Result<SanctionView, Error> {
        let p = &self.policy.policy;
        let Blame {
            actor,
            content,
            evidence,
            strike,
            credit_cost,
        } = *blame;
        // A credit reduction's own cost, as applied (after clamping), so that an upheld
        // appeal gives back exactly that.
        let mut reduction = 0;
        if let (SanctionKind::CreditReduction, Target::RoleHolder(u) | Target::User(u)) =
            (step.action, target)
        {
            if let Some(user) = tx.user(u)? {
                let before = credit::effective(&p.credit, &user, now);
                let after = credit::apply(&p.credit, before, step.credit_delta);
                reduction = before - after;
                tx.set_credit(u, after, now)?;
            }
        }
        let mut sanction = Sanction {
            id: 0,
            target,
            kind: step.action,
            reason: reason.to_owned(),
            starts_at: now,
            ends_at: (step.days > 0).then(|| now.plus_days(step.days)),
            policy_version: self.policy_version(),
            imposed_by: actor.name.clone(),
            content,
            revoked_at: None,
            strike,
            credit_cost: credit_cost + reduction,
        };
        sanction.id = tx.insert_sanction(&sanction)?;
        match (step.action, target) {
            // Closing (PA Art. 16, 19) closes the user's public accounts and tombstones
            // their names; the user stays on the ladder, whose next step is the blacklist.
            (SanctionKind::Close, Target::User(u)) => self.close_accounts_of(tx, u, now)?,
            (SanctionKind::Blacklist, Target::User(u) | Target::RoleHolder(u)) => {
                tx.set_user_status(u, UserStatus::Blacklisted)?;
                self.close_accounts_of(tx, u, now)?;
                if let Some(ident) = tx.user(u)?.and_then(|x| x.identity) {
                    tx.blacklist_identity(&ident.lookup_hash, reason, now)?;
                }
            }
            (SanctionKind::Dissolve, Target::Group(g)) => {
                tx.set_group_status(g, GroupStatus::Dissolved)?
            }
            (SanctionKind::Blacklist, Target::Group(g)) => {
                tx.set_group_status(g, GroupStatus::Blacklisted)?
            }
            _ => {}
        }
        self.audit(tx, actor, now, "sanction.apply", &target.label(), reason, serde_json::json!({"sanction": sanction.id, "kind": step.action, "days": step.days, "evidence": evidence}))?;
        Ok(SanctionView::from(&sanction))
    }

    fn close_accounts_of(&self, tx: &mut dyn Tx, user: Id, now: Timestamp) -> Result<(), Error> {
        let engine = self.engine();
        for account in tx.accounts_of(user)? {
            if !account.closed {
                tx.close_account(account.id, &name_key(&engine, &account.name), now)?;
            }
        }
        Ok(())
    }

    pub(crate) fn active_sanction(
        &self,
        tx: &mut dyn Tx,
        targets: &[Target],
        kind: SanctionKind,
        now: Timestamp,
    ) -> Result<Option<Sanction>, Error> {
        for &t in targets {
            if let Some(s) = tx
                .sanctions_of(t)?
                .into_iter()
                .find(|s| s.kind == kind && s.active_at(now))
            {
                return Ok(Some(s));
            }
        }
        Ok(None)
    }

    pub(crate) fn active_verified_user(
        &self,
        tx: &mut dyn Tx,
        id: Id,
        _now: Timestamp,
    ) -> Result<User, Error> {
        let u = tx.user(id)?.ok_or_else(|| Error::not_found("user", id))?;
        match u.status {
            UserStatus::Active => {}
            UserStatus::Closed => {
                return Err(Error::forbidden(
                    "account_closed",
                    format!("user {id} is closed (ENF-2)"),
                ))
            }
            UserStatus::Blacklisted => {
                return Err(Error::forbidden(
                    "blacklisted",
                    format!("user {id} is blacklisted (ENF-2)"),
                ))
            }
        }
        if u.identity.is_none() {
            return Err(Error::forbidden("identity_unverified", format!("user {id} has no verified identity: unverified users cannot publish, create groups or open accounts (ID-1)")));
        }
        Ok(u)
    }

    // ----- audit -----

    /// Appends an entry to the hash chain inside the caller's transaction.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn audit(
        &self,
        tx: &mut dyn Tx,
        actor: &Principal,
        now: Timestamp,
        action: &str,
        target: &str,
        reason: &str,
        evidence: serde_json::Value,
    ) -> Result<(), Error> {
        let draft = AuditDraft {
            at: now,
            actor: actor.label(),
            action: action.to_owned(),
            target: target.to_owned(),
            reason: reason.to_owned(),
            evidence: evidence.to_string(),
            policy_version: self.policy_version(),
        };
        let (prev_seq, prev_hash) = match tx.audit_head()? {
            Some(head) => head,
            None => (0, GENESIS.to_owned()),
        };
        let seq = prev_seq + 1;
        let hash = entry_hash(seq, &prev_hash, &draft);
        tx.insert_audit(&draft, seq, &prev_hash, &hash, &self.head_mac(seq, &hash))
    }

    /// The keyed MAC stored with the chain head.
    fn head_mac(&self, seq: i64, hash: &str) -> String {
        self.key
            .mac(&[b"head", &seq.to_le_bytes(), hash.as_bytes()])
    }

    /// The keyed MAC of a retention anchor, over its position, hash and time.
    fn anchor_mac(&self, a: &AuditAnchor) -> String {
        self.key.mac(&[
            b"anchor",
            &a.seq.to_le_bytes(),
            a.hash.as_bytes(),
            &a.at.0.to_le_bytes(),
        ])
    }

    pub fn audit_verify(&self, actor: &Principal, now: Timestamp) -> Result<ChainReport, Error> {
        self.require(actor, Permission::ReadAudit)?;
        self.verify_chain(now)
    }

    /// Checks the whole chain (also used by the CLI, which has no principal): every link and
    /// hash, the keyed MAC of the head (removing the newest entries, or all of them, is
    /// detected) and of the retention anchor, which must be older than the legal floor.
    pub fn verify_chain(&self, now: Timestamp) -> Result<ChainReport, Error> {
        self.store.read(|tx| {
            let broken = |problem: String| ChainReport {
                ok: false,
                entries: 0,
                first_bad_seq: None,
                problem: Some(problem),
            };
            let head = tx.audit_head()?;
            match &head {
                None if tx.token_count()? > 0 => {
                    // Creating the first token is itself audited: an empty trail in a store
                    // with principals means the trail was removed.
                    return Ok(broken("the audit trail is empty although the store holds principals: entries were removed".into()));
                }
                Some((seq, hash)) => {
                    let want = self.head_mac(*seq, hash);
                    if tx.audit_head_mac()?.as_deref() != Some(want.as_str()) {
                        return Ok(broken(format!("the recorded chain head (entry {seq}) was altered")));
                    }
                }
                None => {}
            }
            let anchor = tx.audit_anchor()?;
            if let Some(a) = &anchor {
                if a.mac != self.anchor_mac(a) {
                    return Ok(broken(format!("the retention anchor (entry {}) was altered", a.seq)));
                }
                if a.at > now.minus_days(crate::policy::MIN_RETENTION_DAYS) {
                    return Ok(broken(format!("entries up to {} were removed before the {}-day retention floor", a.seq, crate::policy::MIN_RETENTION_DAYS)));
                }
            }
            let mut checker = ChainChecker::new(anchor.map(|a| (a.seq, a.hash)));
            tx.audit_each(&mut |e| {
                checker.check(&e);
                Ok(())
            })?;
            Ok(checker.finish(head))
        })
    }

    pub fn audit_export(
        &self,
        actor: &Principal,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<AuditEntry>, Error> {
        self.require(actor, Permission::ReadAudit)?;
        if to < from {
            return Err(Error::invalid("invalid_range", "`to` is before `from`"));
        }
        self.store.read(|tx| tx.audit_range(from, to))
    }

    /// Closes public accounts that published nothing for `accounts.inactive_days` (PA-4) and
    /// tombstones their names; returns how many were closed.
    pub fn inactivity_sweep(&self, now: Timestamp) -> Result<u64, Error> {
        let days = self.policy.policy.accounts.inactive_days;
        let before = now.minus_days(days);
        let engine = self.engine();
        self.store.write(|tx| {
            let accounts = tx.inactive_accounts(before)?;
            for a in &accounts {
                tx.close_account(a.id, &name_key(&engine, &a.name), now)?;
                self.audit(
                    tx,
                    &Principal::system(),
                    now,
                    "account.close_inactive",
                    &Target::Account(a.id).label(),
                    &format!("no publication for {days} days (PA-4)"),
                    serde_json::json!({"owner": a.owner, "name": a.name}),
                )?;
            }
            Ok(accounts.len() as u64)
        })
    }

    /// Removes content and audit records older than the retention period (never younger
    /// than the legal floor, which the policy enforces), and records that it did. Content
    /// that an open queue item or report is about is kept until the case is decided.
    pub fn retention_sweep(&self, now: Timestamp) -> Result<(u64, u64), Error> {
        let days = self
            .policy
            .policy
            .retention
            .days
            .max(crate::policy::MIN_RETENTION_DAYS);
        let before = now.minus_days(days);
        self.store.write(|tx| {
            let content = tx.prune_content(before)?;
            let audit = tx.prune_audit(before)?;
            if audit > 0 {
                if let Some(a) = tx.audit_anchor()? {
                    tx.set_anchor_mac(&self.anchor_mac(&a))?;
                }
            }
            if content + audit > 0 {
                self.audit(tx, &Principal::system(), now, "retention.sweep", "records", &format!("older than {days} days"), serde_json::json!({"before": before.to_rfc3339(), "content": content, "audit": audit}))?;
            }
            Ok((content, audit))
        })
    }
}

/// Who confirmed a violation, for which content, on what evidence: carried down the ladders
/// onto every sanction they apply.
#[derive(Clone, Copy)]
struct Blame<'a> {
    actor: &'a Principal,
    content: Option<Id>,
    evidence: &'a serde_json::Value,
    /// The strike that counted towards the ladder, if the target took one.
    strike: Option<Id>,
    /// Credit the violation cost the target user.
    credit_cost: i32,
}

/// The key a closed account's name is tombstoned under: the name as the engine folds it, so
/// that Traditional, full-width or spaced-out variants of it are the same name (PA-1).
fn name_key(engine: &Engine, name: &str) -> String {
    engine.normalizer().normalize_str(name)
}

/// Reviews a submission as it was published: an article is an HTML page, reviewed for its
/// title, visible and hidden text and links (REV-8); a message is text. For an article, the
/// second value says which part of the page each hit's span is in.
pub(crate) fn review_content<'e>(
    engine: &'e Engine,
    kind: ContentKind,
    text: &str,
    scratch: &mut Scratch,
) -> (qinglang_engine::Verdict<'e>, Vec<HitPart>) {
    match kind {
        ContentKind::Article => {
            let r = qinglang_article::review(engine, text, scratch);
            let parts = r
                .verdict
                .hits
                .iter()
                .zip(&r.parts)
                .map(|(h, p)| HitPart {
                    byte_start: h.byte_start,
                    byte_end: h.byte_end,
                    part: p.as_str(),
                })
                .collect();
            (r.verdict, parts)
        }
        _ => (engine.scan_with(text, scratch), Vec::new()),
    }
}

/// Where in an article a hit's span was found (`title`, `body`, `hidden`, `link`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct HitPart {
    byte_start: usize,
    byte_end: usize,
    part: &'static str,
}

/// Writes `part` into each hit of a verdict's JSON whose span an article's review placed
/// (as `qinglang scan --html` does); hits added afterwards (a flood) judge the whole text.
pub(crate) fn mark_parts(value: &mut serde_json::Value, parts: &[HitPart]) {
    if parts.is_empty() {
        return;
    }
    let Some(hits) = value["hits"].as_array_mut() else {
        return;
    };
    for hit in hits {
        let span = (hit["byte_start"].as_u64(), hit["byte_end"].as_u64());
        if let Some(p) = parts
            .iter()
            .find(|p| span == (Some(p.byte_start as u64), Some(p.byte_end as u64)))
        {
            hit["part"] = p.part.into();
        }
    }
}

/// Locks a mutex, carrying on past a panic in another holder: the values guarded here
/// (generations, counters, indexes) stay consistent on their own.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

pub(crate) fn check_text(text: &str) -> Result<(), Error> {
    check_length(text, MAX_TEXT_CHARS)
}

pub(crate) fn check_length(text: &str, max: usize) -> Result<(), Error> {
    let n = text.chars().count();
    if n > max {
        return Err(Error::invalid(
            "text_too_long",
            format!("text has {n} characters; the limit is {max}"),
        ));
    }
    Ok(())
}

pub(crate) fn until(s: &Sanction) -> String {
    s.ends_at
        .map_or_else(String::new, |t| format!(" until {}", t.to_rfc3339()))
}

/// `porn: 毛片, 成人视频` — what a person needs to understand a rejection.
pub(crate) fn hit_summary(text: &str, verdict: &qinglang_engine::Verdict<'_>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for hit in &verdict.hits {
        let item = format!("{} ({})", hit.text(text), hit.category());
        if !parts.contains(&item) {
            parts.push(item);
        }
        if parts.len() == 5 {
            break;
        }
    }
    if parts.is_empty() {
        verdict.suggestion.as_str().to_owned()
    } else {
        parts.join(", ")
    }
}

/// Names, in a verdict's JSON, the rules it was given under: the policy version and, in a
/// scene, the scene (issue #25, OPS-2).
pub(crate) fn name_rules(verdict: &mut serde_json::Value, scene: Option<&str>, version: &str) {
    if let Some(map) = verdict.as_object_mut() {
        if let Some(scene) = scene {
            map.insert("scene".into(), scene.into());
        }
        map.insert("policy_version".into(), version.into());
    }
}
