//! The verdict in the scan contract's JSON shape (DESIGN.md), shared by the CLI, the
//! server and the evidence stored with decisions, so the three can never drift apart.

use qinglang_engine::Verdict;
use serde::Serialize;

/// `{"id"?, "suggestion", "score", "labels", "hits": [...]}` borrowed from a verdict.
#[derive(Debug, Serialize)]
pub struct VerdictJson<'a, I: Serialize> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a I>,
    pub suggestion: &'static str,
    pub score: u8,
    pub labels: &'a [&'a str],
    pub hits: Vec<HitJson<'a>>,
}

/// One hit: the lexicon entry, where it came from, and its span in the original text.
#[derive(Debug, Serialize)]
pub struct HitJson<'a> {
    pub term: &'a str,
    pub category: &'a str,
    pub action: &'static str,
    pub source: &'a str,
    pub start: usize,
    pub end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
    pub text: &'a str,
}

impl<'a, I: Serialize> VerdictJson<'a, I> {
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
                    action: h.action().as_str(),
                    source: h.source(),
                    start: h.start,
                    end: h.end,
                    byte_start: h.byte_start,
                    byte_end: h.byte_end,
                    text: h.text(text),
                })
                .collect(),
        }
    }
}

/// The verdict as a JSON value without an id.
pub fn verdict_value(text: &str, verdict: &Verdict<'_>) -> serde_json::Value {
    serde_json::to_value(VerdictJson::<()>::new(None, text, verdict)).unwrap_or_default()
}
