//! The verdict in the scan contract's JSON shape (DESIGN.md), shared by the CLI, the
//! server and the evidence stored with decisions, so the three can never drift apart.

use std::borrow::Cow;

use qinglang_engine::Verdict;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// `{"id"?, "suggestion", "score", "labels", "hits": [...]}` borrowed from a verdict.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(bound = ""))]
pub struct VerdictJson<'a, I: Serialize + ?Sized> {
    /// The input's id (`qinglang scan --jsonl`); absent in the API.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub id: Option<&'a I>,
    /// `pass`, `review` or `block`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^(pass|review|block)$"))]
    pub suggestion: &'static str,
    pub score: u8,
    pub labels: &'a [&'a str],
    pub hits: Vec<HitJson<'a>>,
}

/// One hit: the lexicon entry, where it came from, and its span in the original text.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HitJson<'a> {
    pub term: &'a str,
    pub category: &'a str,
    /// The family within the category (`phishing`, `task_scam`, `escort`, …), where the
    /// lexicon entry or the fraud rule names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subcategory: Option<&'a str>,
    pub action: &'static str,
    pub source: &'a str,
    pub start: usize,
    pub end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
    pub text: &'a str,
    /// For a trained model's hit: its calibrated probability (4 decimals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// For a flood hit: the campaign and its copies inside the window (REV-7).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign: Option<CampaignJson>,
    /// For an article (REV-8): the part of the page the hit is in (title, body, hidden,
    /// link); for a picture (REV-10): `qr`, `ocr` or `image`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<&'static str>,
    /// For a picture: where the piece the hit is in lies, `[x, y, width, height]` in pixels.
    #[serde(rename = "box", skip_serializing_if = "Option::is_none")]
    pub bbox: Option<[u32; 4]>,
    /// For a picture on a known-bad image list (`part: "image"`): the entry it is a copy of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listed: Option<ListedJson>,
}

/// The known-bad list entry a picture matched, and how close it is (REV-10).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListedJson {
    pub list: i64,
    pub entry: i64,
    /// Bits in which the picture's perceptual hash differs from the entry's (0–64; a match
    /// is at most [`crate::images::MATCH_DISTANCE`]).
    pub distance: u32,
}

/// `{"id", "copies"}` of a flood campaign.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignJson {
    pub id: u64,
    pub copies: u32,
}

impl<'a, I: Serialize + ?Sized> VerdictJson<'a, I> {
    /// Marks each hit with the part of the article it is in (`parts[i]` for hit `i`).
    pub fn with_parts(mut self, parts: &[&'static str]) -> Self {
        for (hit, part) in self.hits.iter_mut().zip(parts) {
            hit.part = Some(part);
        }
        self
    }

    pub fn new(id: Option<&'a I>, text: &'a str, verdict: &'a Verdict<'a>) -> Self {
        VerdictJson {
            id,
            suggestion: verdict.suggestion.as_str(),
            score: verdict.score,
            labels: &verdict.labels,
            hits: verdict
                .hits
                .iter()
                .map(|h| HitJson {
                    term: h.term(),
                    category: h.category(),
                    subcategory: h.subcategory(),
                    action: h.action().as_str(),
                    source: h.source(),
                    start: h.start,
                    end: h.end,
                    byte_start: h.byte_start,
                    byte_end: h.byte_end,
                    text: h.text(text),
                    probability: h
                        .probability()
                        .map(|p| (f64::from(p) * 10_000.0).round() / 10_000.0),
                    campaign: h.campaign().map(|c| CampaignJson {
                        id: c.id,
                        copies: c.copies,
                    }),
                    part: None,
                    bbox: None,
                    listed: None,
                })
                .collect(),
        }
    }
}

/// A picture's verdict as the API answers it, with the rules' version and the scene.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuledImageVerdict<'a> {
    #[serde(flatten)]
    pub verdict: ImageVerdictJson<'a>,
    pub policy_version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scene: Option<&'a str>,
}

/// A picture's verdict (REV-10): the scan contract's fields, each hit placed in the picture —
/// `part`, `box`, and `text` the QR payload or the OCR line it lies in (the paragraph, when a
/// hit runs across a wrapped line), with `start`/`end` into it — and what the picture is. A
/// flood hit (REV-7) is about the whole picture, as a list match is: `part: "image"`, the
/// picture's box, no text.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(bound = ""))]
pub struct ImageVerdictJson<'a> {
    #[serde(flatten)]
    pub verdict: VerdictJson<'a, str>,
    pub image: ImageInfo<'a>,
    /// Every text read from the picture, with where it is.
    pub pieces: Vec<PieceJson<'a>>,
    /// The time budget ran out before every step was done.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
}

/// What a picture is.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImageInfo<'a> {
    pub width: u32,
    pub height: u32,
    /// `png`, `jpeg`, `webp` or `gif`.
    pub format: &'a str,
    /// The perceptual hash known-bad lists match, 16 hex digits.
    pub hash: String,
}

/// A text read from a picture.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PieceJson<'a> {
    pub part: &'static str,
    pub text: &'a str,
    #[serde(rename = "box")]
    pub bbox: [u32; 4],
}

impl<'a> ImageVerdictJson<'a> {
    pub fn new(id: Option<&'a str>, review: &'a qinglang_image::ImageReview<'a>) -> Self {
        let mut verdict = VerdictJson::new(id, &review.text, &review.verdict);
        // placed_hits() keeps the verdict's order and drops none (every hit is in a piece).
        for (hit, placed) in verdict.hits.iter_mut().zip(review.placed_hits()) {
            if hit.campaign.is_some() {
                // The campaign links pictures whose texts read alike, all of them together:
                // no one piece holds it (placed_hits() puts it in the first).
                hit.part = Some(qinglang_image::Part::Image.as_str());
                hit.bbox = Some([0, 0, review.width, review.height]);
                hit.text = "";
                (hit.start, hit.end, hit.byte_start, hit.byte_end) = (0, 0, 0, 0);
                continue;
            }
            hit.part = Some(placed.part.as_str());
            hit.bbox = Some(placed.bbox);
            hit.text = placed.text;
            hit.start = placed.start;
            hit.end = placed.end;
            hit.byte_start = placed.byte_start;
            hit.byte_end = placed.byte_end;
        }
        ImageVerdictJson {
            verdict,
            image: ImageInfo {
                width: review.width,
                height: review.height,
                format: review.format,
                hash: review.hash.to_hex(),
            },
            pieces: review
                .pieces
                .iter()
                .map(|p| PieceJson {
                    part: p.part.as_str(),
                    text: &p.text,
                    bbox: p.bbox,
                })
                .collect(),
            incomplete: review.incomplete,
        }
    }
}

/// The verdict as the API answers it: the scan contract's fields, the version of the rules
/// that gave it and the scene it was judged in (OPS-2, issue #25).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuledVerdict<'a> {
    #[serde(flatten)]
    pub verdict: VerdictJson<'a, str>,
    /// `sha256:…` of the policy file, `+N` for the emergency changes and lexicon edits in force.
    pub policy_version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scene: Option<&'a str>,
}

/// The verdict as a JSON value without an id.
pub fn verdict_value(text: &str, verdict: &Verdict<'_>) -> serde_json::Value {
    serde_json::to_value(VerdictJson::<()>::new(None, text, verdict)).unwrap_or_default()
}

/// One audit entry as a JSON Lines record (export, AUD-1 / AUD-3).
pub fn audit_line(e: &crate::model::AuditEntry) -> serde_json::Value {
    let evidence: serde_json::Value = serde_json::from_str(&e.evidence).unwrap_or_default();
    serde_json::json!({
        "seq": e.seq, "at": e.at.to_rfc3339(), "actor": e.actor, "action": e.action,
        "target": e.target, "reason": e.reason, "evidence": evidence,
        "policy_version": e.policy_version, "prev_hash": e.prev_hash, "hash": e.hash,
    })
}

/// One line of `qinglang scan --jsonl` input (the scan contract): `{"id": string|number,
/// "text": string}`.
#[derive(Debug, Deserialize)]
pub struct ScanLine<'a> {
    /// Echoed byte for byte as written (a string or a number of any precision). Present
    /// means `Some`, `null` included, so that a null id is refused like any other
    /// non-string, instead of reading as no id and dropping it from the verdict.
    #[serde(default, borrow, deserialize_with = "present")]
    pub id: Option<&'a RawValue>,
    #[serde(borrow)]
    pub text: Cow<'a, str>,
}

fn present<'de, D>(d: D) -> Result<Option<&'de RawValue>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    <&RawValue>::deserialize(d).map(Some)
}

/// One JSONL line of scan input, parsed: `None` for a blank line; an error names the input
/// and the line (`msgs.jsonl:3: …`).
pub fn parse_scan_line<'a>(
    raw: &'a [u8],
    name: &str,
    line_no: usize,
) -> Result<Option<ScanLine<'a>>, String> {
    let mut line = raw.trim_ascii();
    if line_no == 1 {
        // A byte-order mark written by a Windows editor is not part of the JSON.
        line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    }
    if line.is_empty() {
        return Ok(None);
    }
    if !line.starts_with(b"{") {
        // serde would also read a JSON array as the struct; the contract is an object.
        return Err(format!("{name}:{line_no}: malformed JSONL line (not a JSON object); expected {{\"id\": string|number, \"text\": string}}"));
    }
    match serde_json::from_slice::<ScanLine<'_>>(line) {
        Ok(p)
            if p.id.is_none_or(|id| {
                id.get()
                    .starts_with(['"', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
            }) =>
        {
            Ok(Some(p))
        }
        Ok(_) => Err(format!("{name}:{line_no}: \"id\" must be a string or a number")),
        Err(e) => Err(format!(
            "{name}:{line_no}: malformed JSONL line ({e}); expected {{\"id\": string|number, \"text\": string}}"
        )),
    }
}
