//! Shared by the in-process measurement examples.

/// The `"text"` of each line of a JSONL file whose lines end with that field (as
/// `scripts/bench_scan.py` writes them), at most `limit` lines. Good enough for timing:
/// escapes other than `\"` are left as they are.
pub fn jsonl_texts(path: &str, limit: usize) -> std::io::Result<Vec<String>> {
    Ok(std::fs::read_to_string(path)?
        .lines()
        .take(limit)
        .filter_map(|l| {
            let start = l.find("\"text\":")? + 7;
            let v = l[start..].trim_start().trim_end_matches('}');
            Some(v.trim_matches('"').replace("\\\"", "\""))
        })
        .collect())
}
