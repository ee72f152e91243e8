//! Pictures in governance (REV-10): content of kind `image` enforced like text, and the
//! known-bad image lists every picture is matched against.
//!
//! A list has a name, a category (the engine's, or an operator's own) and an action
//! (`block` or `review`); its entries are 64-bit perceptual hashes ([`PerceptualHash`]), each
//! with who added it, when, and from which content item. A picture whose hash is within
//! [`MATCH_DISTANCE`] bits of an entry gets a hit with `part: "image"`, the list's category
//! and the whole picture as its box, and the verdict the list's action asks for.
//!
//! Every node keeps the lists in memory ([`KnownImages`]: a linear popcount scan, about a
//! millisecond per 10^6 entries) and notices another node's change by the lists'
//! generation, polled like the engine's changes (#21).

use std::sync::Arc;

use qinglang_engine::{Engine, Scratch, Signature, Suggestion};
pub use qinglang_image::PerceptualHash;
use serde::{Deserialize, Serialize};

use crate::authz::Permission;
use crate::casework::{check_note, CaseTarget, ItemOutcome, QueueDecision};
use crate::error::Error;
use crate::model::{ContentKind, Id, Principal, Timestamp};
use crate::service::{lock, name_rules, Enforcement, Governance, Reviewed, Submission};
use crate::store::{Store, Tx};
use crate::submission::Judged;
use crate::wire;

/// The most bits in which two perceptual hashes may differ and still be the same picture.
///
/// Measured with `crates/qinglang-image/examples/hash_distances.rs` on generated posters and
/// screenshots: copies modified as reposts are (resized, recompressed as JPEG, blurred,
/// watermarked, cropped by 5 %) are within 10 bits of the original in 99.8 % of cases,
/// while the nearest two distinct pictures of the set are 14 bits apart. 10 catches the
/// copies and leaves a margin of 4 bits before distinct pictures collide.
pub const MATCH_DISTANCE: u32 = 10;

/// Longest list name, in characters.
pub const MAX_LIST_NAME_CHARS: usize = 64;
/// Longest note on an entry, in characters.
pub const MAX_ENTRY_NOTE_CHARS: usize = 500;

/// What a match on a list does to the picture's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ListAction {
    Block,
    Review,
}

impl ListAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ListAction::Block => "block",
            ListAction::Review => "review",
        }
    }

    pub fn parse(s: &str) -> Option<ListAction> {
        [ListAction::Block, ListAction::Review]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

/// A known-bad image list as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageList {
    pub id: Id,
    pub name: String,
    pub category: String,
    pub action: ListAction,
    pub created_by: String,
    pub created_at: Timestamp,
    /// Entries on it now (filled in by the store when read).
    pub entries: u64,
}

/// One picture on a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageListEntry {
    pub id: Id,
    pub list: Id,
    pub hash: PerceptualHash,
    /// Why it is on the list (a moderator's note, or where it came from).
    pub note: String,
    /// The content item it was taken from, if any.
    pub content: Option<Id>,
    pub added_by: String,
    pub added_at: Timestamp,
}

/// A submitted picture kept with its content record (AUD-2: as long as the record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    /// `image/png`, `image/jpeg`, `image/webp` or `image/gif`: what the decoder found,
    /// never what the client claimed.
    pub media_type: String,
    pub width: u32,
    pub height: u32,
    pub hash: PerceptualHash,
    pub bytes: Vec<u8>,
}

/// What identifies the lists' state: (lists, entries, highest entry id). Entry ids are never
/// reused, so any change since a generation changes it (an entry added and removed again
/// leaves the lists as they were).
pub type ImageListsGeneration = (u64, u64, Id);

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImageListView {
    pub id: Id,
    pub name: String,
    pub category: String,
    pub action: ListAction,
    pub entries: u64,
    pub created_by: String,
    pub created_at: String,
}

impl From<&ImageList> for ImageListView {
    fn from(l: &ImageList) -> Self {
        ImageListView {
            id: l.id,
            name: l.name.clone(),
            category: l.category.clone(),
            action: l.action,
            entries: l.entries,
            created_by: l.created_by.clone(),
            created_at: l.created_at.to_rfc3339(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImageListEntryView {
    pub id: Id,
    pub list: Id,
    /// The perceptual hash, 16 hex digits.
    pub hash: String,
    pub note: String,
    pub content: Option<Id>,
    pub added_by: String,
    pub added_at: String,
}

impl From<&ImageListEntry> for ImageListEntryView {
    fn from(e: &ImageListEntry) -> Self {
        ImageListEntryView {
            id: e.id,
            list: e.list,
            hash: e.hash.to_hex(),
            note: e.note.clone(),
            content: e.content,
            added_by: e.added_by.clone(),
            added_at: e.added_at.to_rfc3339(),
        }
    }
}

/// What "remove and block similar" did: the queue decision and the list entry.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlockedSimilar {
    pub outcome: ItemOutcome,
    /// The entry the picture's hash is on (an existing one when it already was).
    pub entry: ImageListEntryView,
}

/// The lists as one node holds them: every entry's hash beside its list.
#[derive(Debug, Default)]
pub struct KnownImages {
    generation: ImageListsGeneration,
    lists: Vec<ImageList>,
    /// (hash, index into `lists`, entry id).
    entries: Vec<(u64, usize, Id)>,
}

/// A picture's match on one list: the nearest entry of the list.
#[derive(Debug, Clone, Copy)]
pub struct ListMatch<'k> {
    pub list: &'k ImageList,
    pub entry: Id,
    /// The entry's hash.
    pub hash: PerceptualHash,
    pub distance: u32,
}

impl KnownImages {
    pub fn new(
        generation: ImageListsGeneration,
        lists: Vec<ImageList>,
        hashes: &[(Id, Id, PerceptualHash)],
    ) -> KnownImages {
        let entries = hashes
            .iter()
            .filter_map(|&(list, entry, hash)| {
                let i = lists.iter().position(|l| l.id == list)?;
                Some((hash.0, i, entry))
            })
            .collect();
        KnownImages {
            generation,
            lists,
            entries,
        }
    }

    /// The lists the picture is on: per list its nearest entry within [`MATCH_DISTANCE`],
    /// blocking lists first, then the nearest.
    pub fn matches(&self, hash: PerceptualHash) -> Vec<ListMatch<'_>> {
        let mut best: Vec<Option<(u32, Id, u64)>> = vec![None; self.lists.len()];
        for &(h, list, entry) in &self.entries {
            let d = (h ^ hash.0).count_ones();
            if d <= MATCH_DISTANCE && best[list].is_none_or(|(bd, _, _)| d < bd) {
                best[list] = Some((d, entry, h));
            }
        }
        let mut out: Vec<ListMatch<'_>> = best
            .iter()
            .zip(&self.lists)
            .filter_map(|(b, list)| {
                b.map(|(distance, entry, h)| ListMatch {
                    list,
                    entry,
                    hash: PerceptualHash(h),
                    distance,
                })
            })
            .collect();
        out.sort_by_key(|m| (m.list.action != ListAction::Block, m.distance, m.list.id));
        out
    }

    /// The lists as stored now, read in the caller's transaction (one snapshot).
    pub fn load(tx: &mut dyn Tx) -> Result<KnownImages, Error> {
        let generation = tx.image_lists_generation()?;
        let lists = tx.image_lists()?;
        let hashes = tx.image_list_hashes()?;
        Ok(KnownImages::new(generation, lists, &hashes))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Adds the list matches to a picture's verdict JSON as hits on the whole picture, and
/// raises the verdict to what the lists ask for: a blocking list's match blocks (its score
/// at least the block threshold), a reviewing list's holds for review.
pub fn apply_matches(
    value: &mut serde_json::Value,
    matches: &[ListMatch<'_>],
    width: u32,
    height: u32,
    policy: &qinglang_engine::Policy,
) {
    if matches.is_empty() {
        return;
    }
    let Some(map) = value.as_object_mut() else {
        return;
    };
    let mut suggestion = map
        .get("suggestion")
        .and_then(|s| s.as_str())
        .map_or(Suggestion::Pass, parse_suggestion);
    let mut score = map
        .get("score")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0)
        .min(100) as u8;
    let mut labels: Vec<serde_json::Value> = map
        .get("labels")
        .and_then(|l| l.as_array().cloned())
        .unwrap_or_default();
    let mut hits: Vec<serde_json::Value> = map
        .get("hits")
        .and_then(|h| h.as_array().cloned())
        .unwrap_or_default();
    for m in matches {
        // The entry as the list holds it: its hash.
        let term = m.hash.to_hex();
        let source = format!("image_list:{}", m.list.name);
        let hit = wire::HitJson {
            term: &term,
            category: &m.list.category,
            subcategory: None,
            action: m.list.action.as_str(),
            source: &source,
            start: 0,
            end: 0,
            byte_start: 0,
            byte_end: 0,
            text: "",
            probability: None,
            campaign: None,
            part: Some(qinglang_image::Part::Image.as_str()),
            bbox: Some([0, 0, width, height]),
            listed: Some(wire::ListedJson {
                list: m.list.id,
                entry: m.entry,
                distance: m.distance,
            }),
        };
        hits.push(serde_json::to_value(hit).unwrap_or_default());
        if !labels.iter().any(|l| l == m.list.category.as_str()) {
            labels.push(m.list.category.clone().into());
        }
        match m.list.action {
            ListAction::Block => {
                suggestion = Suggestion::Block;
                score = score.max(policy.block_threshold);
            }
            ListAction::Review => {
                if suggestion == Suggestion::Pass {
                    suggestion = Suggestion::Review;
                }
                score = score.max(policy.review_threshold);
            }
        }
    }
    map.insert("suggestion".into(), suggestion.as_str().into());
    map.insert("score".into(), score.into());
    map.insert("labels".into(), labels.into());
    map.insert("hits".into(), hits.into());
}

pub(crate) fn parse_suggestion(s: &str) -> Suggestion {
    match s {
        "block" => Suggestion::Block,
        "review" => Suggestion::Review,
        _ => Suggestion::Pass,
    }
}

/// A picture as its review left it, before it is judged: what was read and found in it,
/// the fingerprint of the texts read (REV-7), and the known-bad lists it is matched against.
pub(crate) struct ReviewedPicture<'e> {
    review: qinglang_image::ImageReview<'e>,
    signature: Option<Signature>,
    known: Arc<KnownImages>,
}

impl ReviewedPicture<'_> {
    /// What is kept of the picture with its record.
    fn stored(&self, bytes: &[u8]) -> StoredImage {
        StoredImage {
            media_type: format!("image/{}", self.review.format),
            width: self.review.width,
            height: self.review.height,
            hash: self.review.hash,
            bytes: bytes.to_vec(),
        }
    }
}

impl<S: Store> Governance<S> {
    /// Reviews a picture with `engine` (REV-10): its QR codes and text read and judged, its
    /// texts fingerprinted, and the lists loaded, all outside any transaction.
    pub(crate) fn review_picture<'e>(
        &self,
        engine: &'e Engine,
        bytes: &[u8],
    ) -> Result<ReviewedPicture<'e>, Error> {
        let mut scratch = Scratch::default();
        let review = qinglang_image::review(
            engine,
            bytes,
            &self.policy.policy.images.options(),
            &mut scratch,
        )
        .map_err(|e| Error::invalid("invalid_image", format!("image: {e}")))?;
        // The texts read from the picture (its QR payloads and OCR paragraphs), as the engine
        // normalised them, fingerprinted as a text is: a resized or recompressed copy of a
        // poster reads the same, or nearly (the MinHash forgives a misread character), so
        // copies of a poster are linked into a campaign with the index texts use. A picture
        // from which too little is read has no fingerprint and is never linked: a picture
        // without text is what many people legitimately share (a meme, a sticker, a
        // greeting card), with nothing in it that pulls users elsewhere, and copies of one
        // judged illegal are what the image lists are for. Its perceptual hash is no
        // fingerprint for the patrol either: the index compares sets of text shingles, not
        // Hamming distances, and hashes within `MATCH_DISTANCE` would need an index of their
        // own on every patrol backend, only to link the pictures without text.
        let signature = engine.signature(&scratch);
        let known = self.known_images()?;
        Ok(ReviewedPicture {
            review,
            signature,
            known,
        })
    }

    /// A reviewed picture judged: the verdict JSON (list matches applied, `scene` and
    /// `policy_version` named) and what enforcement needs of it. `campaign` is the flood
    /// the picture was linked to; its hit is in the review's verdict once it is acted on.
    pub(crate) fn picture_judged(
        &self,
        engine: &Engine,
        picture: &ReviewedPicture<'_>,
        campaign: Option<u64>,
        scene: Option<&str>,
        version: &str,
    ) -> Judged {
        let review = &picture.review;
        let mut value =
            serde_json::to_value(wire::ImageVerdictJson::new(None, review)).unwrap_or_default();
        let matches = picture.known.matches(review.hash);
        apply_matches(
            &mut value,
            &matches,
            review.width,
            review.height,
            engine.policy(),
        );
        name_rules(&mut value, scene, version);
        let suggestion = value["suggestion"]
            .as_str()
            .map_or(Suggestion::Pass, parse_suggestion);
        let labels = value["labels"]
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Judged {
            suggestion,
            score: value["score"].as_u64().unwrap_or(0).min(100) as u8,
            labels,
            summary: picture_summary(&value, suggestion),
            text: review.text.clone(),
            value,
            campaign,
        }
    }

    /// Reviews a picture with `engine` and matches it against the known-bad lists (REV-10):
    /// a stateless scan's verdict JSON (with `scene` and `policy_version`). A scan is no
    /// submission, so it is linked to no flood (as a text's scan is not).
    pub(crate) fn judge_picture(
        &self,
        engine: &Engine,
        bytes: &[u8],
        scene: Option<&str>,
        version: &str,
    ) -> Result<serde_json::Value, Error> {
        let picture = self.review_picture(engine, bytes)?;
        Ok(self
            .picture_judged(engine, &picture, None, scene, version)
            .value)
    }

    /// Reviews a picture submitted as content (kind `image`) and enforces its verdict as
    /// for text (REV-10, ENF-1, ENF-2): the decision, the queue, the strike, credit and
    /// ladder, and flood campaigns (REV-7) by the texts read from it; the picture is kept
    /// with the record.
    pub fn submit_image(
        &self,
        actor: &Principal,
        sub: &Submission,
        bytes: &[u8],
        now: Timestamp,
    ) -> Result<Reviewed, Error> {
        self.require(actor, Permission::SubmitContent)?;
        if sub.kind != ContentKind::Image {
            return Err(Error::invalid(
                "image_not_expected",
                format!(
                    "image: only content of kind image carries a picture, not {}",
                    sub.kind.as_str()
                ),
            ));
        }
        if !sub.text.is_empty() {
            return Err(Error::invalid(
                "text_not_expected",
                "text: a picture is submitted without text; submit its caption as its own content item",
            ));
        }
        let scene = self.admit_submission(sub, now)?;
        let (engine, version) = self.engine_for_scene(scene.as_deref())?;
        let mut picture = self.review_picture(&engine, bytes)?;
        let stored = picture.stored(bytes);
        let (enforcement, verdict): (Enforcement, serde_json::Value) = self.store.write(|tx| {
            let author = self.check_publisher(tx, sub, now)?;
            // Floods (REV-7), as for text: only pictures that passed the checks above count
            // as copies, and a campaign is acted on as a text's is. Its hit is on the whole
            // picture (`wire::ImageVerdictJson`).
            let campaign = picture
                .signature
                .map(|s| self.patrol.observe(self.flood_key(now), &s, now));
            if let Some(c) = campaign.filter(|&c| self.flood_acted_on(&picture.review.verdict, c)) {
                let review = &mut picture.review;
                review.verdict =
                    engine.with_campaign(&review.text, review.verdict.clone(), c, false);
            }
            let judged = self.picture_judged(
                &engine,
                &picture,
                campaign.map(|c| c.id),
                scene.as_deref(),
                &version,
            );
            let recorded =
                self.record_submission(tx, actor, sub, &author, judged, &version, now)?;
            tx.insert_content_image(recorded.0.content_id, &stored)?;
            Ok(recorded)
        })?;
        Ok(Reviewed {
            verdict,
            enforcement,
        })
    }

    /// The picture of a content item of kind `image`, for those who read cases.
    pub fn content_image(&self, actor: &Principal, content: Id) -> Result<StoredImage, Error> {
        self.require(actor, Permission::ReadCases)?;
        self.store
            .read(|tx| tx.content_image(content))?
            .ok_or_else(|| Error::not_found("content image", content))
    }

    // ----- the lists -----

    /// The lists as this node holds them, loaded on first use.
    pub(crate) fn known_images(&self) -> Result<Arc<KnownImages>, Error> {
        if let Some(k) = self.known_images_now() {
            return Ok(k);
        }
        self.reload_image_lists()?;
        Ok(self.known_images_now().unwrap_or_default())
    }

    fn known_images_now(&self) -> Option<Arc<KnownImages>> {
        match self.known_images.read() {
            Ok(k) => k.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Loads the lists again when the stored ones differ from those in memory (start-up;
    /// a change made through another node). Returns whether they changed.
    pub fn reload_image_lists(&self) -> Result<bool, Error> {
        let _guard = lock(&self.image_lists_reload);
        // The cheap question first: this runs every few seconds.
        let stored = self.store.read(|tx| tx.image_lists_generation())?;
        if self
            .known_images_now()
            .is_some_and(|k| k.generation == stored)
        {
            return Ok(false);
        }
        // The lists, the hashes and their generation from one snapshot.
        let known = self.store.read(KnownImages::load)?;
        let known = Some(Arc::new(known));
        match self.known_images.write() {
            Ok(mut k) => *k = known,
            Err(poisoned) => *poisoned.into_inner() = known,
        }
        Ok(true)
    }

    /// Creates a known-bad image list (REV-10); audited.
    pub fn create_image_list(
        &self,
        actor: &Principal,
        name: &str,
        category: &str,
        action: ListAction,
        now: Timestamp,
    ) -> Result<ImageListView, Error> {
        self.require(actor, Permission::ManageImageLists)?;
        let name = name.trim();
        let n = name.chars().count();
        if n == 0 || n > MAX_LIST_NAME_CHARS || name.chars().any(char::is_control) {
            return Err(Error::invalid(
                "invalid_list_name",
                format!("name: 1 to {MAX_LIST_NAME_CHARS} characters, no control characters"),
            ));
        }
        check_category(category)?;
        let list = self.store.write(|tx| {
            if tx.image_lists()?.iter().any(|l| l.name == name) {
                return Err(Error::Conflict {
                    code: "name_taken",
                    message: format!("an image list named {name:?} exists"),
                });
            }
            let mut list = ImageList {
                id: 0,
                name: name.to_owned(),
                category: category.to_owned(),
                action,
                created_by: actor.name.clone(),
                created_at: now,
                entries: 0,
            };
            list.id = tx.insert_image_list(&list)?;
            self.audit(
                tx,
                actor,
                now,
                "image_list.create",
                &format!("image_list:{}", list.id),
                "",
                serde_json::json!({"name": name, "category": category, "action": action}),
            )?;
            Ok(list)
        })?;
        self.reload_image_lists()?;
        Ok(ImageListView::from(&list))
    }

    /// Every list with its number of entries.
    pub fn image_lists(&self, actor: &Principal) -> Result<Vec<ImageListView>, Error> {
        self.require(actor, Permission::ReadImageLists)?;
        let lists = self.store.read(|tx| tx.image_lists())?;
        Ok(lists.iter().map(ImageListView::from).collect())
    }

    /// A list and its entries, newest first: at most `limit`, with ids below `before`.
    pub fn image_list_entries(
        &self,
        actor: &Principal,
        list: Id,
        limit: u32,
        before: Option<Id>,
    ) -> Result<(ImageListView, Vec<ImageListEntryView>), Error> {
        self.require(actor, Permission::ReadImageLists)?;
        self.store.read(|tx| {
            let l = tx
                .image_list(list)?
                .ok_or_else(|| Error::not_found("image list", list))?;
            let entries = tx.image_list_entries(list, limit.clamp(1, 1000), before)?;
            Ok((
                ImageListView::from(&l),
                entries.iter().map(ImageListEntryView::from).collect(),
            ))
        })
    }

    /// Puts a picture on a list: by its hash, or by the content item it was submitted as
    /// (whose stored hash is taken). Audited; an exact hash already on the list is refused.
    pub fn add_image_list_entry(
        &self,
        actor: &Principal,
        list: Id,
        hash: Option<&str>,
        content: Option<Id>,
        note: &str,
        now: Timestamp,
    ) -> Result<ImageListEntryView, Error> {
        self.require(actor, Permission::ManageImageLists)?;
        check_entry_note(note)?;
        let given = match hash {
            Some(h) => Some(PerceptualHash::from_hex(h.trim()).ok_or_else(|| {
                Error::invalid(
                    "invalid_hash",
                    format!("hash: 16 hex digits (a 64-bit perceptual hash), got {h:?}"),
                )
            })?),
            None => None,
        };
        let entry = self.store.write(|tx| {
            let l = tx
                .image_list(list)?
                .ok_or_else(|| Error::not_found("image list", list))?;
            let hash = match (given, content) {
                (Some(h), _) => h,
                (None, Some(c)) => {
                    tx.content_image(c)?
                        .ok_or_else(|| {
                            Error::invalid(
                                "not_a_picture",
                                format!("content: item {c} is not a stored picture"),
                            )
                        })?
                        .hash
                }
                (None, None) => {
                    return Err(Error::invalid(
                        "hash_required",
                        "give the picture's hash or the content item it was submitted as",
                    ))
                }
            };
            if let Some(existing) = tx.image_list_entry_with_hash(list, hash)? {
                return Err(Error::Conflict {
                    code: "already_listed",
                    message: format!(
                        "hash {} is entry {} of list {:?}",
                        hash.to_hex(),
                        existing.id,
                        l.name
                    ),
                });
            }
            self.insert_entry(tx, actor, &l, hash, content, note, now)
        })?;
        self.reload_image_lists()?;
        Ok(ImageListEntryView::from(&entry))
    }

    #[allow(clippy::too_many_arguments)]
    fn insert_entry(
        &self,
        tx: &mut dyn Tx,
        actor: &Principal,
        list: &ImageList,
        hash: PerceptualHash,
        content: Option<Id>,
        note: &str,
        now: Timestamp,
    ) -> Result<ImageListEntry, Error> {
        let mut entry = ImageListEntry {
            id: 0,
            list: list.id,
            hash,
            note: note.to_owned(),
            content,
            added_by: actor.name.clone(),
            added_at: now,
        };
        entry.id = tx.insert_image_list_entry(&entry)?;
        self.audit(
            tx,
            actor,
            now,
            "image_list.add",
            &format!("image_list:{}", list.id),
            note,
            serde_json::json!({"entry": entry.id, "list": list.name, "hash": hash.to_hex(), "content": content}),
        )?;
        Ok(entry)
    }

    /// Takes an entry off a list; audited with the reason.
    pub fn remove_image_list_entry(
        &self,
        actor: &Principal,
        list: Id,
        entry: Id,
        reason: &str,
        now: Timestamp,
    ) -> Result<ImageListEntryView, Error> {
        self.require(actor, Permission::ManageImageLists)?;
        check_entry_note(reason)?;
        let removed = self.store.write(|tx| {
            let l = tx
                .image_list(list)?
                .ok_or_else(|| Error::not_found("image list", list))?;
            let e = tx
                .delete_image_list_entry(list, entry)?
                .ok_or_else(|| Error::not_found("image list entry", entry))?;
            self.audit(
                tx,
                actor,
                now,
                "image_list.remove",
                &format!("image_list:{list}"),
                reason,
                serde_json::json!({"entry": e.id, "list": l.name, "hash": e.hash.to_hex(), "content": e.content}),
            )?;
            Ok(e)
        })?;
        self.reload_image_lists()?;
        Ok(ImageListEntryView::from(&removed))
    }

    /// "Remove and block similar": a moderator's decision on a queued picture that takes it
    /// down (with `sanction`, the violation counts: credit, strike, ladder) and puts its hash
    /// on `list`, so that copies of it — resized, recompressed — are blocked from now on,
    /// with the list's category. One transaction: the decision and the entry stand or fall
    /// together.
    #[allow(clippy::too_many_arguments)]
    pub fn remove_and_block_similar(
        &self,
        actor: &Principal,
        item: Id,
        list: Id,
        sanction: bool,
        note: Option<&str>,
        feedback: Option<&str>,
        now: Timestamp,
    ) -> Result<BlockedSimilar, Error> {
        self.require(actor, Permission::Moderate)?;
        if let Some(n) = note {
            check_note("note", n)?;
        }
        if let Some(f) = feedback {
            check_note("feedback", f)?;
        }
        let claim_ms = self.claim_ms();
        let decision = if sanction {
            QueueDecision::RemoveAndSanction
        } else {
            QueueDecision::Remove
        };
        let (outcome, learn, entry) = self.store.write(|tx| {
            let queued = tx
                .queue_item(item)?
                .ok_or_else(|| Error::not_found("queue item", item))?;
            let CaseTarget::Content(cid) = queued.target else {
                return Err(Error::invalid(
                    "not_a_picture",
                    format!(
                        "queue item {item} is about {}: only a picture can be blocked as similar",
                        queued.target.label()
                    ),
                ));
            };
            let image = tx.content_image(cid)?.ok_or_else(|| {
                Error::invalid(
                    "not_a_picture",
                    format!("queue item {item} is about content {cid}, which is not a picture"),
                )
            })?;
            let l = tx
                .image_list(list)?
                .ok_or_else(|| Error::not_found("image list", list))?;
            let (outcome, learn) =
                self.decide_item(tx, actor, item, decision, note, feedback, now, claim_ms)?;
            if !outcome.ok {
                return Err(Error::Conflict {
                    code: outcome.code.unwrap_or("not_decided"),
                    message: outcome.error.clone().unwrap_or_default(),
                });
            }
            let entry = match tx.image_list_entry_with_hash(list, image.hash)? {
                Some(existing) => existing,
                None => {
                    let why = match note {
                        Some(n) if !n.is_empty() => format!("content:{cid}: {n}"),
                        _ => format!("content:{cid}"),
                    };
                    self.insert_entry(tx, actor, &l, image.hash, Some(cid), &why, now)?
                }
            };
            Ok((outcome, learn, entry))
        })?;
        self.reload_image_lists()?;
        let mut outcomes = [outcome];
        self.learn_decided(actor, &mut outcomes, learn.into_iter().collect(), now);
        let [outcome] = outcomes;
        Ok(BlockedSimilar {
            outcome,
            entry: ImageListEntryView::from(&entry),
        })
    }
}

/// A category is a lowercase identifier, as in lexicons (`porn`, `gambling`, or an
/// operator's own: the taxonomy is data, REV-2).
fn check_category(category: &str) -> Result<(), Error> {
    let ok = (1..=32).contains(&category.len())
        && category.starts_with(|c: char| c.is_ascii_lowercase())
        && category
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "invalid_category",
            format!("category: a lowercase identifier of 1 to 32 characters (porn, gambling, fraud, …), got {category:?}"),
        ))
    }
}

fn check_entry_note(note: &str) -> Result<(), Error> {
    let n = note.chars().count();
    if n > MAX_ENTRY_NOTE_CHARS {
        return Err(Error::invalid(
            "note_too_long",
            format!("note has {n} characters; the limit is {MAX_ENTRY_NOTE_CHARS}"),
        ));
    }
    Ok(())
}

/// `加微信 wx5201314 (porn), image list 赌博海报 (gambling), flood campaign 123 (spam)` —
/// what a person needs to understand why a picture was stopped.
fn picture_summary(value: &serde_json::Value, suggestion: Suggestion) -> String {
    let mut parts: Vec<String> = Vec::new();
    for hit in value["hits"].as_array().into_iter().flatten() {
        let category = hit["category"].as_str().unwrap_or("");
        let item = if let Some(id) = hit["campaign"]["id"].as_u64() {
            format!("flood campaign {id} ({category})")
        } else if hit["part"] == "image" {
            let list = hit["source"]
                .as_str()
                .and_then(|s| s.strip_prefix("image_list:"))
                .unwrap_or("");
            format!("image list {list} ({category})")
        } else {
            let text: String = hit["text"]
                .as_str()
                .unwrap_or("")
                .chars()
                .take(40)
                .collect();
            format!("{text} ({category})")
        };
        if !parts.contains(&item) {
            parts.push(item);
        }
        if parts.len() == 5 {
            break;
        }
    }
    if parts.is_empty() {
        suggestion.as_str().to_owned()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(id: Id, category: &str, action: ListAction) -> ImageList {
        ImageList {
            id,
            name: format!("list{id}"),
            category: category.into(),
            action,
            created_by: "lin".into(),
            created_at: Timestamp(0),
            entries: 0,
        }
    }

    #[test]
    fn each_list_reports_its_nearest_entry_within_the_threshold_blocking_lists_first() {
        let base = 0x0123_4567_89ab_cdef_u64;
        let flip = |bits: u32| PerceptualHash(base ^ ((1u64 << bits) - 1));
        let known = KnownImages::new(
            (2, 4, 4),
            vec![
                list(1, "ad", ListAction::Review),
                list(2, "porn", ListAction::Block),
            ],
            &[
                (1, 1, flip(3)),
                (1, 2, flip(1)),
                (2, 3, flip(MATCH_DISTANCE)),
                // One bit past the threshold: a different picture.
                (2, 4, flip(MATCH_DISTANCE + 1)),
            ],
        );
        let m = known.matches(PerceptualHash(base));
        let got: Vec<(Id, Id, u32)> = m.iter().map(|m| (m.list.id, m.entry, m.distance)).collect();
        assert_eq!(got, vec![(2, 3, MATCH_DISTANCE), (1, 2, 1)]);
        assert!(known.matches(PerceptualHash(!base)).is_empty());
    }

    #[test]
    fn a_match_raises_the_verdict_to_its_lists_action_and_adds_its_category() {
        let policy = qinglang_engine::Policy::default();
        let review = list(1, "ad", ListAction::Review);
        let block = list(2, "porn", ListAction::Block);
        let verdict =
            || serde_json::json!({"suggestion": "pass", "score": 0, "labels": [], "hits": []});
        let hit = |l| ListMatch {
            list: l,
            entry: 7,
            hash: PerceptualHash(5),
            distance: 2,
        };
        let mut v = verdict();
        apply_matches(&mut v, &[hit(&review)], 300, 200, &policy);
        assert_eq!(v["suggestion"], "review");
        assert_eq!(v["score"], policy.review_threshold);
        assert_eq!(v["labels"], serde_json::json!(["ad"]));
        let h = &v["hits"][0];
        assert_eq!(
            (h["part"].as_str(), h["box"].clone(), h["term"].as_str()),
            (
                Some("image"),
                serde_json::json!([0, 0, 300, 200]),
                Some("0000000000000005")
            )
        );
        assert_eq!(
            h["listed"],
            serde_json::json!({"list": 1, "entry": 7, "distance": 2})
        );
        let mut v = verdict();
        apply_matches(&mut v, &[hit(&block), hit(&review)], 300, 200, &policy);
        assert_eq!(v["suggestion"], "block");
        assert_eq!(v["score"], policy.block_threshold);
        assert_eq!(v["labels"], serde_json::json!(["porn", "ad"]));
        // A reviewing list never softens what the engine blocked.
        let mut v = serde_json::json!({"suggestion": "block", "score": 95, "labels": ["gambling"], "hits": []});
        apply_matches(&mut v, &[hit(&review)], 300, 200, &policy);
        assert_eq!(
            (v["suggestion"].as_str(), v["score"].as_u64()),
            (Some("block"), Some(95))
        );
    }

    #[test]
    fn a_million_entries_are_scanned_in_well_under_the_cost_of_decoding_a_picture() {
        let hashes: Vec<(Id, Id, PerceptualHash)> = (0..1_000_000u64)
            .map(|i| {
                (
                    1,
                    i as Id + 1,
                    PerceptualHash(i.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
                )
            })
            .collect();
        let known = KnownImages::new(
            (1, 1_000_000, 1_000_000),
            vec![list(1, "porn", ListAction::Block)],
            &hashes,
        );
        let started = std::time::Instant::now();
        let m = known.matches(PerceptualHash(0x9E37_79B9_7F4A_7C15_u64.wrapping_mul(3)));
        let took = started.elapsed();
        assert_eq!(m.first().map(|m| (m.entry, m.distance)), Some((4, 0)));
        eprintln!("1,000,000 entries matched in {took:?}");
        // Debug builds are slow; the bound is for runaway costs, not a benchmark.
        assert!(took < std::time::Duration::from_secs(2), "{took:?}");
    }
}
