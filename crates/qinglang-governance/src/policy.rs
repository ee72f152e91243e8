//! The governance policy (CR-2, OPS-2): credit, entitlements, ladders, caps, retention.
//!
//! Rules as data: the policy is a TOML file with shipped defaults (`policy/default.toml`),
//! identified by the SHA-256 of its bytes, and every decision records that version.

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The shipped default policy.
pub const DEFAULT_POLICY_TOML: &str = include_str!("../../../policy/default.toml");

/// The legal floor for record retention (AUD-2: six months).
pub const MIN_RETENTION_DAYS: u32 = 180;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub credit: CreditPolicy,
    pub identity: IdentityPolicy,
    pub groups: GroupPolicy,
    pub accounts: AccountPolicy,
    pub sanctions: SanctionPolicy,
    pub retention: RetentionPolicy,
    /// Floods and rate limits (REV-7). Optional in the file; defaults as documented.
    #[serde(default)]
    pub patrol: PatrolPolicy,
    /// The engine's verdict thresholds (REV-1, REV-2). Optional; each field overrides the
    /// engine's documented default.
    #[serde(default)]
    pub review: ReviewPolicy,
    /// Reports, the review queue and appeals (CMP-1, CMP-2). Optional; defaults as documented.
    #[serde(default)]
    pub casework: CaseworkPolicy,
    /// Named scenes (issue #25; cloud APIs' BizType): where text is judged differently — a
    /// children's group, a comment area, a private chat. Optional.
    #[serde(default)]
    pub scenes: std::collections::BTreeMap<String, ScenePolicy>,
    /// Where the deployment's people read times (issue #22). Optional.
    #[serde(default)]
    pub locale: LocalePolicy,
    /// How pictures are reviewed (REV-10, issue #24). Optional; defaults as documented.
    #[serde(default)]
    pub images: ImagePolicy,
}

/// What a picture's review does. OCR is the costly step (about half a second of one core per
/// screenshot): a deployment whose pictures are only avatars and stickers may turn it off.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImagePolicy {
    /// Find and decode QR codes. Default on.
    pub qr: bool,
    /// Read the text in pictures. Default on.
    pub ocr: bool,
    /// Time for one picture after decoding, in milliseconds (100 to 10,000); what is left
    /// undone past it is reported as `incomplete` and the picture goes to review. Default
    /// 2,000.
    pub budget_ms: u32,
}

impl ImagePolicy {
    /// The picture reviewer's options under this policy.
    pub fn options(&self) -> qinglang_image::Options {
        qinglang_image::Options {
            qr: self.qr,
            ocr: self.ocr,
            budget: std::time::Duration::from_millis(u64::from(self.budget_ms)),
            ..qinglang_image::Options::default()
        }
    }
}

impl Default for ImagePolicy {
    fn default() -> Self {
        ImagePolicy {
            qr: true,
            ocr: true,
            budget_ms: 2000,
        }
    }
}

/// The deployment's time zone: the console writes every time in it, with the zone shown.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LocalePolicy {
    /// An IANA zone name (`Asia/Shanghai`, `Asia/Hong_Kong`, `UTC`); the tz database is
    /// compiled in, so the host's zoneinfo is not needed.
    pub time_zone: String,
}

impl Default for LocalePolicy {
    fn default() -> Self {
        LocalePolicy {
            time_zone: "Asia/Shanghai".into(),
        }
    }
}

impl LocalePolicy {
    /// The zone (validated when the policy was loaded; UTC if it somehow is not known).
    pub fn zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

/// One scene: how it departs from `[review]`. Text scanned in the scene is judged by the
/// default lexicons, the deployment's edits and emergency changes, plus the scene's own
/// lexicon, under `[review]` with these overrides.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenePolicy {
    /// What the scene is for, for people.
    #[serde(default)]
    pub description: String,
    /// Verdict thresholds of the scene (default: `[review]`'s).
    pub block_threshold: Option<u8>,
    pub review_threshold: Option<u8>,
    /// The classifier's thresholds in the scene (default: `[review]`'s).
    pub model_review: Option<f32>,
    pub model_block: Option<f32>,
    /// Categories the scene does not judge (`["ad"]` where contacts are expected).
    #[serde(default)]
    pub categories_off: Vec<String>,
    /// Categories judged strictly: any of their hits blocks (`["porn", "abuse"]`).
    #[serde(default)]
    pub categories_block: Vec<String>,
    /// Whether the trained classifiers judge in the scene (default true).
    #[serde(default = "yes")]
    pub classifier: bool,
    /// The scene's own entries in the lexicon format: terms, `allow` exceptions and
    /// combinations (`term<TAB>category<TAB>action` per line).
    #[serde(default)]
    pub lexicon: String,
}

fn yes() -> bool {
    true
}

impl ScenePolicy {
    /// The engine policy of the scene: `base` (from `[review]`) with the scene's overrides.
    pub fn engine_policy(&self, base: &qinglang_engine::Policy) -> qinglang_engine::Policy {
        let mut p = base.clone();
        set_thresholds(
            &mut p,
            (self.block_threshold, self.review_threshold),
            (self.model_review, self.model_block),
        );
        p.categories_off = self
            .categories_off
            .iter()
            .map(|c| c.as_str().into())
            .collect();
        p.categories_block = self
            .categories_block
            .iter()
            .map(|c| c.as_str().into())
            .collect();
        p
    }

    /// The scene's lexicon, named `scene:<name>` (its hits' `source`).
    pub fn lexicon(
        &self,
        name: &str,
    ) -> Result<qinglang_engine::Lexicon, qinglang_engine::LexiconError> {
        qinglang_engine::Lexicon::parse(&format!("scene:{name}"), &self.lexicon)
    }
}

/// Deadlines, claims, reporter screening and the appeal window.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CaseworkPolicy {
    /// A report must be handled within this many hours of its first filing.
    pub report_deadline_hours: u32,
    /// Content held by a `review` verdict must be decided within this many hours.
    pub review_deadline_hours: u32,
    /// A claimed queue item returns to the queue after this many minutes undecided.
    pub claim_minutes: u32,
    /// A sanction can be appealed within this many days of its start.
    pub appeal_window_days: u32,
    /// Reporters whose share of upheld reports is below this go to the low-priority lane…
    pub low_reputation_share: f32,
    /// …once this many of their reports have been resolved.
    pub reputation_min_resolved: u32,
}

impl Default for CaseworkPolicy {
    fn default() -> Self {
        CaseworkPolicy {
            report_deadline_hours: 24,
            review_deadline_hours: 24,
            claim_minutes: 15,
            appeal_window_days: 30,
            low_reputation_share: 0.2,
            reputation_min_resolved: 5,
        }
    }
}

/// Overrides of the engine's review policy (`qinglang_engine::Policy`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewPolicy {
    /// A score at or above this is `block` (engine default 80).
    pub block_threshold: Option<u8>,
    /// A score at or above this is `review` (engine default 40).
    pub review_threshold: Option<u8>,
    /// The trained model asks for review from this calibrated probability (default 0.5).
    pub model_review: Option<f32>,
    /// …and blocks from this one (default: never).
    pub model_block: Option<f32>,
    /// The model judges texts up to this many characters (default 500).
    pub model_max_chars: Option<u32>,
    /// Report phone numbers, QQ and WeChat ids, URLs and e-mail as `ad` hits (default true).
    pub detect_contacts: Option<bool>,
    /// Noise characters allowed between two characters of a term (default 3).
    pub max_noise_gap: Option<u8>,
    /// The fraud rule's weights (REV-11; engine defaults 20, 15, 45, 45, 45).
    pub fraud_action_weight: Option<u8>,
    pub fraud_sender_weight: Option<u8>,
    pub fraud_reason_weight: Option<u8>,
    pub fraud_lookalike_weight: Option<u8>,
    pub fraud_model_weight: Option<u8>,
    /// The fraud model's finding counts from this calibrated probability (default 0.5).
    pub fraud_model_review: Option<f32>,
    /// The fraud model judges texts up to this many characters (default 2000).
    pub fraud_model_max_chars: Option<u32>,
    /// The spam model's review and block probabilities (defaults 0.7, 0.9; it blocks only
    /// where the text's own words or contacts bear it out) and the longest text it judges
    /// (default 2000).
    pub spam_model_review: Option<f32>,
    pub spam_model_block: Option<f32>,
    pub spam_model_max_chars: Option<u32>,
    /// Weight of a contacts-only line in a notice or opt-out promotion (default 0.5).
    pub notice_contact_factor: Option<f32>,
}

/// The verdict's (block, review) and the model's (review, block) thresholds a section sets;
/// those it leaves out keep `p`'s.
fn set_thresholds(
    p: &mut qinglang_engine::Policy,
    (block, review): (Option<u8>, Option<u8>),
    (model_review, model_block): (Option<f32>, Option<f32>),
) {
    if let Some(v) = block {
        p.block_threshold = v;
    }
    if let Some(v) = review {
        p.review_threshold = v;
    }
    if let Some(v) = model_review {
        p.model_review = v;
    }
    if model_block.is_some() {
        p.model_block = model_block;
    }
}

impl ReviewPolicy {
    /// The engine policy: its defaults with this section's overrides.
    pub fn engine_policy(&self) -> qinglang_engine::Policy {
        let mut p = qinglang_engine::Policy::default();
        set_thresholds(
            &mut p,
            (self.block_threshold, self.review_threshold),
            (self.model_review, self.model_block),
        );
        if let Some(v) = self.model_max_chars {
            p.model_max_chars = v;
        }
        if let Some(v) = self.detect_contacts {
            p.detect_contacts = v;
        }
        if let Some(v) = self.max_noise_gap {
            p.max_noise_gap = v;
        }
        let weights = [
            (self.fraud_action_weight, &mut p.fraud_action_weight),
            (self.fraud_sender_weight, &mut p.fraud_sender_weight),
            (self.fraud_reason_weight, &mut p.fraud_reason_weight),
            (self.fraud_lookalike_weight, &mut p.fraud_lookalike_weight),
            (self.fraud_model_weight, &mut p.fraud_model_weight),
        ];
        for (value, field) in weights {
            if let Some(v) = value {
                *field = v;
            }
        }
        if let Some(v) = self.fraud_model_review {
            p.fraud_model_review = v;
        }
        if let Some(v) = self.fraud_model_max_chars {
            p.fraud_model_max_chars = v;
        }
        if let Some(v) = self.spam_model_review {
            p.spam_model_review = v;
        }
        if let Some(v) = self.spam_model_block {
            p.spam_model_block = v;
        }
        if let Some(v) = self.spam_model_max_chars {
            p.spam_model_max_chars = v;
        }
        if let Some(v) = self.notice_contact_factor {
            p.notice_contact_factor = v;
        }
        p
    }
}

/// REV-7: near-duplicate campaigns across authors, groups and accounts, and per-author /
/// per-group rate limits.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PatrolPolicy {
    /// How far back a near copy counts, in minutes.
    pub flood_window_minutes: u32,
    /// Least share of equal MinHash values for two messages to be near copies (0–1).
    pub flood_similarity: f32,
    /// The Nth near copy inside the window is held for review as `spam`.
    pub flood_min_copies: u32,
    /// Submissions per author per minute; more are refused (`rate_limited`). 0: no limit.
    pub author_per_minute: u32,
    /// Submissions into one group per minute; more are refused. 0: no limit.
    pub group_per_minute: u32,
    /// Most texts the flood index holds (OPS-5, #23): past this the oldest leave before the
    /// window ends, so memory stays bounded at any load (about 100 bytes and a few table
    /// slots per text).
    pub flood_max_texts: u32,
}

impl Default for PatrolPolicy {
    fn default() -> Self {
        PatrolPolicy {
            flood_window_minutes: 60,
            flood_similarity: 0.5,
            flood_min_copies: 5,
            author_per_minute: 30,
            group_per_minute: 600,
            flood_max_texts: 500_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditPolicy {
    pub initial: i32,
    pub min: i32,
    pub max: i32,
    pub violation_delta: i32,
    pub recovery_delta: i32,
    pub recovery_days: u32,
    pub levels: Vec<CreditLevelPolicy>,
}

/// One credit level and what it entitles a user to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditLevelPolicy {
    pub name: String,
    pub min_score: i32,
    pub max_group_size: u32,
    pub max_groups_created: u32,
    pub max_groups_joined: u32,
    pub can_open_accounts: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityPolicy {
    pub max_accounts_person: u32,
    pub max_accounts_enterprise: u32,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupPolicy {
    pub max_members: u32,
    pub approval_above: u32,
    pub verified_above: u32,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountPolicy {
    /// PA-4: accounts that publish nothing for this many days are closed by the sweep.
    pub inactive_days: u32,
    pub tiers: Vec<AccountTier>,
}

/// A public-account tier by reach (PA-2).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountTier {
    pub name: String,
    pub min_followers: u64,
    pub min_monthly_reads: u64,
    pub comment_management: bool,
    pub paid_content: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SanctionPolicy {
    pub strike_window_days: u32,
    pub user_ladder: Vec<LadderStep>,
    pub group_ladder: Vec<LadderStep>,
    pub role_holder_ladder: Vec<LadderStep>,
}

/// One step of a sanction ladder: when the strike count within the window reaches
/// `strikes`, `action` is applied (for `days`, 0 = indefinite).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LadderStep {
    pub strikes: u32,
    pub action: SanctionKind,
    #[serde(default)]
    pub days: u32,
    /// For `credit_reduction`: the change to the credit score.
    #[serde(default)]
    pub credit_delta: i32,
}

/// What a sanction does. User ladder: warning → restrict publishing → suspend updates →
/// close → blacklist (ENF-2). Group ladder: warning → suspend posting → dissolve. Role
/// holders: credit reduction → suspend admin rights → ban from creating groups (GRP-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SanctionKind {
    Warning,
    RestrictPublishing,
    SuspendUpdates,
    Close,
    Blacklist,
    SuspendPosting,
    Dissolve,
    CreditReduction,
    SuspendAdmin,
    BanGroupCreation,
}

impl SanctionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SanctionKind::Warning => "warning",
            SanctionKind::RestrictPublishing => "restrict_publishing",
            SanctionKind::SuspendUpdates => "suspend_updates",
            SanctionKind::Close => "close",
            SanctionKind::Blacklist => "blacklist",
            SanctionKind::SuspendPosting => "suspend_posting",
            SanctionKind::Dissolve => "dissolve",
            SanctionKind::CreditReduction => "credit_reduction",
            SanctionKind::SuspendAdmin => "suspend_admin",
            SanctionKind::BanGroupCreation => "ban_group_creation",
        }
    }

    pub fn parse(s: &str) -> Option<SanctionKind> {
        use SanctionKind::*;
        [
            Warning,
            RestrictPublishing,
            SuspendUpdates,
            Close,
            Blacklist,
            SuspendPosting,
            Dissolve,
            CreditReduction,
            SuspendAdmin,
            BanGroupCreation,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionPolicy {
    pub days: u32,
}

/// A policy that cannot be used; the message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("{source_name}: {message}")]
    Parse {
        source_name: String,
        message: String,
    },
    #[error("{source_name}: {field}: {message}")]
    Invalid {
        source_name: String,
        field: String,
        message: String,
    },
}

/// A validated policy and its version.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedPolicy {
    pub policy: Policy,
    /// `sha256:` and the hex SHA-256 of the policy file's bytes.
    pub version: String,
}

impl LoadedPolicy {
    /// The shipped defaults.
    pub fn default_policy() -> LoadedPolicy {
        // The shipped file is validated by a test; failing here would be a build defect.
        LoadedPolicy::parse("policy/default.toml", DEFAULT_POLICY_TOML)
            .unwrap_or_else(|e| panic!("shipped default policy is invalid: {e}"))
    }

    /// Parses and validates policy text. `source_name` (a file path) is used in errors.
    pub fn parse(source_name: &str, text: &str) -> Result<LoadedPolicy, PolicyError> {
        let policy: Policy = toml::from_str(text).map_err(|e| PolicyError::Parse {
            source_name: source_name.to_owned(),
            message: e.to_string().trim().to_owned(),
        })?;
        policy.validate(source_name)?;
        let version = format!("sha256:{}", hex(&Sha256::digest(text.as_bytes())));
        Ok(LoadedPolicy { policy, version })
    }
}

impl Policy {
    fn validate(&self, source_name: &str) -> Result<(), PolicyError> {
        let invalid = |field: &str, message: String| PolicyError::Invalid {
            source_name: source_name.to_owned(),
            field: field.to_owned(),
            message,
        };
        if !(100..=10_000).contains(&self.images.budget_ms) {
            return Err(invalid(
                "images.budget_ms",
                format!(
                    "{} is outside 100 to 10000 milliseconds",
                    self.images.budget_ms
                ),
            ));
        }
        if jiff::tz::TimeZone::get(&self.locale.time_zone).is_err() {
            return Err(invalid(
                "locale.time_zone",
                format!(
                    "{:?} is not a time zone of the tz database (e.g. Asia/Shanghai, UTC)",
                    self.locale.time_zone
                ),
            ));
        }
        if self.retention.days < MIN_RETENTION_DAYS {
            return Err(invalid(
                "retention.days",
                format!(
                    "{} is below the legal minimum of {MIN_RETENTION_DAYS} days (six months, AUD-2)",
                    self.retention.days
                ),
            ));
        }
        let c = &self.credit;
        if !(c.min <= c.initial && c.initial <= c.max) {
            return Err(invalid(
                "credit.initial",
                format!(
                    "{} must lie within [min {}, max {}]",
                    c.initial, c.min, c.max
                ),
            ));
        }
        if c.levels.is_empty() {
            return Err(invalid(
                "credit.levels",
                "at least one level is needed".into(),
            ));
        }
        if c.levels
            .windows(2)
            .any(|w| w[0].min_score <= w[1].min_score)
        {
            return Err(invalid(
                "credit.levels",
                "levels must be listed highest first, with strictly decreasing min_score".into(),
            ));
        }
        if c.levels.last().is_some_and(|l| l.min_score > c.min) {
            return Err(invalid(
                "credit.levels",
                format!(
                    "the last level must start at or below credit.min ({})",
                    c.min
                ),
            ));
        }
        if let Err(e) = self.review.engine_policy().validate() {
            return Err(invalid("review", e.to_string()));
        }
        for (name, scene) in &self.scenes {
            let field = format!("scenes.{name}");
            let identifier = name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !identifier {
                return Err(invalid(
                    &field,
                    "a scene's name is a lowercase identifier such as children or comments".into(),
                ));
            }
            let base = self.review.engine_policy();
            if let Err(e) = scene.engine_policy(&base).validate() {
                return Err(invalid(&field, e.to_string()));
            }
            // `scene:children:2: …` names the line inside the scene's lexicon; compiling it
            // alone finds what only compiling can (a term with nothing to match).
            let compiled = scene
                .lexicon(name)
                .map_err(|e| e.to_string())
                .and_then(|l| {
                    qinglang_engine::Engine::builder()
                        .lexicon(l)
                        .build()
                        .map_err(|e| e.to_string())
                });
            if let Err(e) = compiled {
                return Err(invalid(&format!("{field}.lexicon"), e));
            }
        }
        let patrol = &self.patrol;
        if !(0.2..=1.0).contains(&patrol.flood_similarity) {
            return Err(invalid(
                "patrol.flood_similarity",
                format!("{} must lie within [0.2, 1]", patrol.flood_similarity),
            ));
        }
        if patrol.flood_min_copies < 2 {
            return Err(invalid(
                "patrol.flood_min_copies",
                "a campaign needs at least 2 copies".into(),
            ));
        }
        if patrol.flood_window_minutes == 0 {
            return Err(invalid(
                "patrol.flood_window_minutes",
                "must be at least 1".into(),
            ));
        }
        let cw = &self.casework;
        for (field, value) in [
            ("casework.report_deadline_hours", cw.report_deadline_hours),
            ("casework.review_deadline_hours", cw.review_deadline_hours),
            ("casework.claim_minutes", cw.claim_minutes),
            ("casework.appeal_window_days", cw.appeal_window_days),
        ] {
            if value == 0 {
                return Err(invalid(field, "must be at least 1".into()));
            }
        }
        if !(0.0..=1.0).contains(&cw.low_reputation_share) {
            return Err(invalid(
                "casework.low_reputation_share",
                format!("{} must lie within [0, 1]", cw.low_reputation_share),
            ));
        }
        if c.recovery_days == 0 {
            return Err(invalid("credit.recovery_days", "must be at least 1".into()));
        }
        if self.accounts.inactive_days < 180 {
            return Err(invalid(
                "accounts.inactive_days",
                format!(
                    "{} is below six months (180 days), the inactivity period of PA-4",
                    self.accounts.inactive_days
                ),
            ));
        }
        if self.accounts.tiers.is_empty() {
            return Err(invalid(
                "accounts.tiers",
                "at least one tier is needed".into(),
            ));
        }
        for (name, ladder, allowed) in [
            (
                "sanctions.user_ladder",
                &self.sanctions.user_ladder,
                &[
                    SanctionKind::Warning,
                    SanctionKind::RestrictPublishing,
                    SanctionKind::SuspendUpdates,
                    SanctionKind::Close,
                    SanctionKind::Blacklist,
                ][..],
            ),
            (
                "sanctions.group_ladder",
                &self.sanctions.group_ladder,
                &[
                    SanctionKind::Warning,
                    SanctionKind::SuspendPosting,
                    SanctionKind::Dissolve,
                    SanctionKind::Blacklist,
                ][..],
            ),
            (
                "sanctions.role_holder_ladder",
                &self.sanctions.role_holder_ladder,
                &[
                    SanctionKind::CreditReduction,
                    SanctionKind::SuspendAdmin,
                    SanctionKind::BanGroupCreation,
                    SanctionKind::Blacklist,
                ][..],
            ),
        ] {
            if ladder.windows(2).any(|w| w[0].strikes >= w[1].strikes)
                || ladder.first().is_some_and(|s| s.strikes == 0)
            {
                return Err(invalid(
                    name,
                    "steps must have strictly increasing strike counts starting at 1 or more"
                        .into(),
                ));
            }
            if let Some(step) = ladder.iter().find(|s| !allowed.contains(&s.action)) {
                return Err(invalid(
                    name,
                    format!(
                        "action {:?} does not belong on this ladder",
                        step.action.as_str()
                    ),
                ));
            }
        }
        if self.sanctions.strike_window_days == 0 {
            return Err(invalid(
                "sanctions.strike_window_days",
                "must be at least 1".into(),
            ));
        }
        let g = &self.groups;
        if g.approval_above > g.max_members || g.verified_above > g.max_members {
            return Err(invalid(
                "groups",
                "approval_above and verified_above must not exceed max_members".into(),
            ));
        }
        Ok(())
    }

    /// The credit level for a score.
    pub fn level_for(&self, score: i32) -> &CreditLevelPolicy {
        self.credit
            .levels
            .iter()
            .find(|l| score >= l.min_score)
            .unwrap_or_else(|| &self.credit.levels[self.credit.levels.len() - 1])
    }

    /// The account tier for a reach.
    pub fn tier_for(&self, followers: u64, monthly_reads: u64) -> &AccountTier {
        self.accounts
            .tiers
            .iter()
            .find(|t| followers >= t.min_followers && monthly_reads >= t.min_monthly_reads)
            .unwrap_or_else(|| &self.accounts.tiers[self.accounts.tiers.len() - 1])
    }
}

/// Bytes as lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_default_is_valid_and_versioned() {
        let p = LoadedPolicy::default_policy();
        assert!(p.version.starts_with("sha256:") && p.version.len() == 7 + 64);
        assert_eq!(p.policy.identity.max_accounts_person, 1);
        assert_eq!(p.policy.identity.max_accounts_enterprise, 2);
        assert_eq!(p.policy.groups.max_members, 500);
        assert_eq!(p.policy.groups.approval_above, 40);
        assert_eq!(p.policy.groups.verified_above, 100);
        assert!(p.policy.retention.days >= MIN_RETENTION_DAYS);
    }

    #[test]
    fn the_review_section_sets_the_engine_policy_and_is_checked() {
        let p = LoadedPolicy::default_policy();
        assert_eq!(
            p.policy.review.engine_policy(),
            qinglang_engine::Policy::default(),
            "the shipped [review] section states the engine's defaults"
        );
        let text = DEFAULT_POLICY_TOML.replacen(
            "\nmodel_review = 0.5",
            "\nmodel_review = 0.9\nmodel_block = 0.99",
            1,
        );
        let p = LoadedPolicy::parse("p.toml", &text).expect("valid");
        let engine = p.policy.review.engine_policy();
        assert_eq!((engine.model_review, engine.model_block), (0.9, Some(0.99)));
        // The fraud rule's weights are policy too (REV-11), and checked.
        let text =
            DEFAULT_POLICY_TOML.replace("fraud_reason_weight = 45", "fraud_reason_weight = 60");
        let p = LoadedPolicy::parse("p.toml", &text).expect("valid");
        assert_eq!(p.policy.review.engine_policy().fraud_reason_weight, 60);
        let text =
            DEFAULT_POLICY_TOML.replace("fraud_sender_weight = 15", "fraud_sender_weight = 150");
        let err = LoadedPolicy::parse("p.toml", &text).expect_err("weight above 100");
        assert!(
            err.to_string()
                .contains("fraud_sender_weight must be at most 100"),
            "{err}"
        );
        let text = DEFAULT_POLICY_TOML.replace("review_threshold = 40", "review_threshold = 90");
        let err = LoadedPolicy::parse("p.toml", &text).expect_err("review above block");
        assert!(
            err.to_string()
                .starts_with("p.toml: review: review_threshold (90)"),
            "{err}"
        );
    }

    #[test]
    fn scenes_are_checked_with_the_line_of_their_lexicon() {
        let with = |scenes: &str| {
            LoadedPolicy::parse("p.toml", &format!("{DEFAULT_POLICY_TOML}\n{scenes}"))
        };
        let p = with("[scenes.children]\nreview_threshold = 30\ncategories_block = [\"porn\"]\nlexicon = \"游戏充值\\tcustom\\treview\\n\"\n")
            .expect("valid");
        let scene = &p.policy.scenes["children"];
        let engine = scene.engine_policy(&p.policy.review.engine_policy());
        assert_eq!(engine.review_threshold, 30);
        assert_eq!(engine.categories_block, vec![Box::from("porn")]);
        assert!(
            scene.classifier,
            "the classifier judges unless the scene says not"
        );
        let err =
            with("[scenes.children]\nlexicon = \"ok\\n代开&&发票\\n\"\n").expect_err("bad lexicon");
        assert!(
            err.to_string()
                .starts_with("p.toml: scenes.children.lexicon: scene:children:2: combination"),
            "{err}"
        );
        let err = with("[scenes.Kids]\n").expect_err("bad name");
        assert!(err.to_string().contains("lowercase identifier"), "{err}");
        let err = with("[scenes.kids]\nreview_threshold = 95\n").expect_err("above block");
        assert!(
            err.to_string()
                .starts_with("p.toml: scenes.kids: review_threshold (95)"),
            "{err}"
        );
        assert!(
            with("[scenes.kids]\nbogus = 1\n").is_err(),
            "unknown fields are refused"
        );
    }

    #[test]
    fn retention_below_six_months_is_refused() {
        let text = DEFAULT_POLICY_TOML.replace("days = 180", "days = 90");
        let err = LoadedPolicy::parse("p.toml", &text).expect_err("refused");
        assert_eq!(
            err.to_string(),
            "p.toml: retention.days: 90 is below the legal minimum of 180 days (six months, AUD-2)"
        );
    }

    #[test]
    fn unknown_fields_and_bad_ladders_are_named() {
        let text = DEFAULT_POLICY_TOML.replace("[retention]", "[retention]\nkeep_forever = true");
        let err = LoadedPolicy::parse("p.toml", &text).expect_err("refused");
        assert!(err.to_string().contains("keep_forever"), "{err}");

        let text = DEFAULT_POLICY_TOML.replacen("action = \"warning\"", "action = \"dissolve\"", 1);
        let err = LoadedPolicy::parse("p.toml", &text).expect_err("refused");
        assert!(err.to_string().contains("sanctions.user_ladder"), "{err}");
    }

    #[test]
    fn version_changes_with_content() {
        let a = LoadedPolicy::default_policy();
        let b =
            LoadedPolicy::parse("x", &format!("{DEFAULT_POLICY_TOML}\n# edited\n")).expect("ok");
        assert_ne!(a.version, b.version);
    }

    #[test]
    fn an_image_budget_must_be_sane() {
        let p = LoadedPolicy::default_policy();
        assert!(p.policy.images.ocr && p.policy.images.qr);
        assert_eq!(p.policy.images.budget_ms, 2000);
        let text = DEFAULT_POLICY_TOML.replace("budget_ms = 2000", "budget_ms = 50");
        let e = LoadedPolicy::parse("p.toml", &text).expect_err("refused");
        assert!(e.to_string().contains("images.budget_ms"), "{e}");
        let text = DEFAULT_POLICY_TOML.replace("ocr = true", "ocr = false");
        let p = LoadedPolicy::parse("p.toml", &text).expect("parsed");
        assert!(!p.policy.images.options().ocr);
    }

    #[test]
    fn a_time_zone_must_exist() {
        let p = LoadedPolicy::default_policy().policy;
        assert_eq!(p.locale.time_zone, "Asia/Shanghai");
        let text = DEFAULT_POLICY_TOML.replace("Asia/Shanghai", "Asia/Beijing");
        let e = LoadedPolicy::parse("p.toml", &text).expect_err("no such zone");
        assert!(e.to_string().contains("locale.time_zone"), "{e}");
        let text = DEFAULT_POLICY_TOML.replace("Asia/Shanghai", "Asia/Hong_Kong");
        assert!(LoadedPolicy::parse("p.toml", &text).is_ok());
    }

    #[test]
    fn levels_and_tiers() {
        let p = LoadedPolicy::default_policy().policy;
        assert_eq!(p.level_for(100).name, "A");
        assert_eq!(p.level_for(89).name, "B");
        assert_eq!(p.level_for(0).name, "D");
        assert_eq!(p.level_for(-5).name, "D");
        assert_eq!(p.tier_for(20_000, 200_000).name, "established");
        assert_eq!(p.tier_for(20_000, 10).name, "basic");
    }
}
