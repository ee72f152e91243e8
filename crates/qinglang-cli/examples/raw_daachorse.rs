//! Baseline for the scan throughput benchmark (`scripts/bench_scan.py`): a raw daachorse
//! leftmost-longest pass over the same messages and terms as `qinglang scan --jsonl`, with no
//! normalisation, no verdicts and no output.
//!
//! Usage: `raw_daachorse LEXICON_FILE JSONL_FILE`
//!
//! The lexicon is read in the contract format (`term[\tcategory[\taction]]`, `#` comments);
//! only the term field is used, deduplicated. Each JSONL line is `{"id": ..., "text": "..."}`.
//! Timings of each phase and the match count go to standard error.

use std::borrow::Cow;
use std::collections::HashSet;
use std::error::Error;
use std::time::Instant;

use daachorse::{CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};
use serde::Deserialize;

#[derive(Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    text: Cow<'a, str>,
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [lexicon_path, jsonl_path] = args.as_slice() else {
        return Err("usage: raw_daachorse LEXICON_FILE JSONL_FILE".into());
    };
    let total = Instant::now();

    // Phase 1: read and parse both files.
    let started = Instant::now();
    let lexicon = std::fs::read_to_string(lexicon_path)
        .map_err(|e| format!("cannot read {lexicon_path}: {e}"))?;
    let mut seen = HashSet::new();
    let mut terms: Vec<&str> = Vec::new();
    for line in lexicon.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let term = line.split('\t').next().unwrap_or_default().trim();
        if !term.is_empty() && seen.insert(term) {
            terms.push(term);
        }
    }
    let input = std::fs::read_to_string(jsonl_path)
        .map_err(|e| format!("cannot read {jsonl_path}: {e}"))?;
    let mut texts: Vec<Cow<'_, str>> = Vec::new();
    for (n, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Line<'_> = serde_json::from_str(line)
            .map_err(|e| format!("{jsonl_path}:{}: malformed JSONL line: {e}", n + 1))?;
        texts.push(parsed.text);
    }
    let read_parse = started.elapsed();

    // Phase 2: build the automaton.
    let started = Instant::now();
    let automaton = CharwiseDoubleArrayAhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build::<_, _, u32>(&terms)
        .map_err(|e| format!("cannot build the automaton: {e}"))?;
    let build = started.elapsed();

    // Phase 3: match every text.
    let started = Instant::now();
    let mut matches = 0usize;
    let mut bytes = 0usize;
    for text in &texts {
        bytes += text.len();
        matches += automaton.leftmost_find_iter(text.as_ref()).count();
    }
    let matching = started.elapsed();
    let total = total.elapsed();

    eprintln!("terms: {}", terms.len());
    eprintln!("messages: {}", texts.len());
    eprintln!("text_bytes: {bytes}");
    eprintln!("read_parse_s: {:.6}", read_parse.as_secs_f64());
    eprintln!("build_s: {:.6}", build.as_secs_f64());
    eprintln!("match_s: {:.6}", matching.as_secs_f64());
    eprintln!("total_s: {:.6}", total.as_secs_f64());
    eprintln!("matches: {matches}");
    Ok(())
}
