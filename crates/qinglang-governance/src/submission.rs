//! Content submitted for review and what enforcement does with it (REV-1, ENF-1, ENF-2):
//! the checks every submission passes (rate limits, the scene, who may publish where), the
//! review of a text or an article, and the enforcement shared by every kind of content,
//! pictures included (`images.rs`).

use qinglang_engine::{Campaign, Scratch, Suggestion, Verdict};

use crate::authz::Permission;
use crate::credit;
use crate::error::Error;
use crate::model::*;
use crate::policy::SanctionKind;
use crate::service::{
    check_length, check_text, hit_summary, mark_parts, name_rules, review_content, until,
    CreditView, Enforcement, Governance, Reviewed, Submission, MAX_ARTICLE_CHARS,
};
use crate::store::{Store, Tx};
use crate::wire;

/// A submission as its review judged it, whatever it was: what enforcement acts on.
pub(crate) struct Judged {
    pub(crate) suggestion: Suggestion,
    pub(crate) score: u8,
    pub(crate) labels: Vec<String>,
    /// `porn: 毛片, 成人视频` — the reason a person reads.
    pub(crate) summary: String,
    /// The verdict's JSON, as answered, stored and audited.
    pub(crate) value: serde_json::Value,
    /// The text stored with the record (for a picture, the texts read from it).
    pub(crate) text: String,
    pub(crate) campaign: Option<u64>,
}

impl<S: Store> Governance<S> {
    /// Reviews content and enforces the policy (REV-1, ENF-1, ENF-2).
    pub fn submit_content(
        &self,
        actor: &Principal,
        sub: &Submission,
        now: Timestamp,
    ) -> Result<Reviewed, Error> {
        self.require(actor, Permission::SubmitContent)?;
        match sub.kind {
            ContentKind::Image => {
                return Err(Error::invalid(
                    "image_required",
                    "content of kind image is a picture: send its bytes in `image` (base64)",
                ))
            }
            ContentKind::Article => check_length(&sub.text, MAX_ARTICLE_CHARS)?,
            _ => check_text(&sub.text)?,
        }
        let scene = self.admit_submission(sub, now)?;
        let (engine, version) = self.engine_for_scene(scene.as_deref())?;
        let mut scratch = Scratch::default();
        let (mut verdict, parts) = review_content(&engine, sub.kind, &sub.text, &mut scratch);
        let signature = engine.signature(&scratch);
        let (enforcement, verdict) = self.store.write(|tx| {
            let author = self.check_publisher(tx, sub, now)?;
            // Floods (REV-7): only submissions that passed the checks above count as copies.
            let campaign = signature.map(|s| self.patrol.observe(self.flood_key(now), &s, now));
            if let Some(c) = campaign.filter(|&c| self.flood_acted_on(&verdict, c)) {
                verdict = engine.with_campaign(&sub.text, verdict.clone(), c, false);
            }
            let mut verdict_value = wire::verdict_value(&sub.text, &verdict);
            mark_parts(&mut verdict_value, &parts);
            name_rules(&mut verdict_value, scene.as_deref(), &version);
            let judged = Judged {
                suggestion: verdict.suggestion,
                score: verdict.score,
                labels: verdict.labels.iter().map(|l| (*l).to_owned()).collect(),
                summary: hit_summary(&sub.text, &verdict),
                value: verdict_value,
                text: sub.text.clone(),
                campaign: campaign.map(|c| c.id),
            };
            self.record_submission(tx, actor, sub, &author, judged, &version, now)
        })?;
        Ok(Reviewed {
            verdict,
            enforcement,
        })
    }

    /// Whether a flood campaign is acted on for content its review judged `verdict` (REV-7):
    /// from `flood_min_copies` copies when the content pulls users elsewhere (an `ad` hit:
    /// a phone, an id, a link), a plain one — a holiday greeting many people send — only
    /// from four times as many. Texts and pictures alike.
    pub(crate) fn flood_acted_on(&self, verdict: &Verdict<'_>, campaign: Campaign) -> bool {
        let min = self.policy.policy.patrol.flood_min_copies;
        let diversion = verdict.hits.iter().any(|h| h.category() == "ad");
        let needed = if diversion {
            min
        } else {
            min.saturating_mul(4)
        };
        campaign.copies >= needed
    }

    /// What every submission passes before it is reviewed: the caller's rate limits
    /// (REV-7; attempts count, accepted or not) and the scene it is judged in — the one
    /// asked for, else the group's, else the account's default (issue #25).
    pub(crate) fn admit_submission(
        &self,
        sub: &Submission,
        now: Timestamp,
    ) -> Result<Option<String>, Error> {
        let p = &self.policy.policy;
        let limits = [
            (format!("user:{}", sub.author), p.patrol.author_per_minute),
            (
                sub.group.map_or_else(String::new, |g| format!("group:{g}")),
                p.patrol.group_per_minute,
            ),
        ];
        for (scope, limit) in limits {
            if limit > 0 && !scope.is_empty() && !self.patrol.admit(&scope, now, 60_000, limit) {
                return Err(Error::forbidden(
                    "rate_limited",
                    format!("{scope} is over its limit of {limit} submissions a minute (REV-7)"),
                ));
            }
        }
        match &sub.scene {
            Some(scene) => Ok(Some(scene.clone())),
            None if sub.group.is_some() || sub.account.is_some() => self.store.read(|tx| {
                let group = match sub.group {
                    Some(g) => tx.group(g)?.and_then(|g| g.scene),
                    None => None,
                };
                match (group, sub.account) {
                    (Some(scene), _) => Ok(Some(scene)),
                    (None, Some(a)) => Ok(tx.account(a)?.and_then(|a| a.scene)),
                    (None, None) => Ok(None),
                }
            }),
            None => Ok(None),
        }
    }

    /// Whether the author may publish here now: an active, verified user not suspended, a
    /// member of an active group who is not muted, the owner of an open account.
    pub(crate) fn check_publisher(
        &self,
        tx: &mut dyn Tx,
        sub: &Submission,
        now: Timestamp,
    ) -> Result<User, Error> {
        let author = self.active_verified_user(tx, sub.author, now)?;
        if let Some(s) = self.active_sanction(
            tx,
            &[Target::User(sub.author)],
            SanctionKind::SuspendUpdates,
            now,
        )? {
            return Err(Error::forbidden(
                "publishing_suspended",
                format!("publishing is suspended{} (ENF-2)", until(&s)),
            ));
        }
        if let Some(gid) = sub.group {
            let g = tx
                .group(gid)?
                .ok_or_else(|| Error::not_found("group", gid))?;
            if g.status != GroupStatus::Active {
                return Err(Error::forbidden(
                    "group_dissolved",
                    format!("group {gid} is {}", g.status.as_str()),
                ));
            }
            if let Some(s) =
                self.active_sanction(tx, &[Target::Group(gid)], SanctionKind::SuspendPosting, now)?
            {
                return Err(Error::forbidden(
                    "group_posting_suspended",
                    format!("posting in group {gid} is suspended{} (GRP-4)", until(&s)),
                ));
            }
            let Some(member) = tx
                .member(gid, sub.author)?
                .filter(|m| m.status == MembershipStatus::Active)
            else {
                return Err(Error::forbidden(
                    "not_a_member",
                    format!("user {} is not a member of group {gid}", sub.author),
                ));
            };
            if let Some(until) = member.muted_until.filter(|&t| now < t) {
                return Err(Error::forbidden(
                    "muted",
                    format!(
                        "user {} is muted in group {gid} until {} (GRP-3)",
                        sub.author,
                        until.to_rfc3339()
                    ),
                ));
            }
        }
        if let Some(aid) = sub.account {
            let a = tx
                .account(aid)?
                .ok_or_else(|| Error::not_found("account", aid))?;
            if a.owner != sub.author {
                return Err(Error::forbidden(
                    "not_the_owner",
                    format!("account {aid} does not belong to user {}", sub.author),
                ));
            }
            if a.closed {
                return Err(Error::forbidden(
                    "account_closed",
                    format!("account {aid} is closed"),
                ));
            }
            tx.touch_account(aid, now)?;
        }
        Ok(author)
    }

    /// Enforces a judged submission (ENF-1, ENF-2), whatever it was (a text, an article, a
    /// picture): the decision its verdict drives, the stored record, the review queue for a
    /// held one, the audit entry, and for a block the strike, credit and ladder.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn record_submission(
        &self,
        tx: &mut dyn Tx,
        actor: &Principal,
        sub: &Submission,
        author: &User,
        judged: Judged,
        version: &str,
        now: Timestamp,
    ) -> Result<(Enforcement, serde_json::Value), Error> {
        let p = &self.policy.policy;
        let restricted = self.active_sanction(
            tx,
            &[Target::User(sub.author)],
            SanctionKind::RestrictPublishing,
            now,
        )?;
        let mut reasons = Vec::new();
        let decision = match judged.suggestion {
            Suggestion::Block => {
                reasons.push(format!("blocked: {}", judged.summary));
                Decision::Rejected
            }
            Suggestion::Review => {
                reasons.push(format!("held for review: {}", judged.summary));
                Decision::Held
            }
            Suggestion::Pass if restricted.is_some() => {
                reasons.push("held for review: the author's publishing is restricted".into());
                Decision::Held
            }
            Suggestion::Pass => Decision::Published,
        };
        let content_id = tx.insert_content(&ContentRecord {
            author: sub.author,
            group: sub.group,
            account: sub.account,
            kind: sub.kind,
            text: judged.text,
            decision,
            suggestion: judged.suggestion.as_str().to_owned(),
            score: judged.score,
            labels: judged.labels.clone(),
            verdict_json: judged.value.to_string(),
            policy_version: version.to_owned(),
            at: now,
            campaign: judged.campaign,
        })?;
        if decision == Decision::Held {
            self.enqueue_held(tx, content_id, judged.score, now)?;
        }
        let mut score = credit::effective(&p.credit, author, now);
        let mut sanctions = Vec::new();
        // Every decision is recorded with its evidence (AUD-1), publication included:
        // an inspection must be able to show what was let through, and when.
        let action = match decision {
            Decision::Published => "content.publish",
            Decision::Held => "content.hold",
            Decision::Rejected | Decision::Removed => "content.reject",
        };
        self.audit(tx, actor, now, action, &format!("content:{content_id}"), &reasons.join("; "), serde_json::json!({"author": sub.author, "group": sub.group, "account": sub.account, "kind": sub.kind, "verdict": judged.value}))?;
        let strike = decision == Decision::Rejected;
        if strike {
            let evidence = serde_json::json!({"content": content_id, "labels": judged.labels});
            // The ladder applies itself: an automatic block is imposed by the system.
            sanctions = self.record_violation(
                tx,
                &Principal::system(),
                Some(sub.author),
                sub.group,
                Some(content_id),
                &evidence,
                now,
            )?;
            if let Some(u) = tx.user(sub.author)? {
                score = credit::effective(&p.credit, &u, now);
            }
        }
        let enforcement = Enforcement {
            content_id,
            decision,
            reasons,
            strike,
            credit: CreditView {
                score,
                level: p.level_for(score).name.clone(),
            },
            sanctions,
            policy_version: version.to_owned(),
        };
        Ok((enforcement, judged.value))
    }
}
