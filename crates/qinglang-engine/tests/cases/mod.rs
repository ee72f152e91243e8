//! The runner of the TSV case files (`test_data/real/cases.tsv`, `test_data/fraud/golden.tsv`):
//! `suggestion<TAB>text<TAB>expected hits`, `;`-separated. An expected hit is its fields joined
//! by `/` (`*` for any original text), and must be reported; `-term` must not. A suggestion
//! `<block` means pass or review, `>pass` review or block. `\n` in a text is a line break. Lines starting with `#`
//! are comments.

use qinglang_engine::{Engine, Hit, Suggestion};

/// Runs every case of `cases` through `engine`; `fields` picks what an expected hit names of
/// a hit (its last field must be the original text). Returns how many cases ran and what
/// failed, each failure naming its line.
pub fn run(
    cases: &str,
    engine: &Engine,
    fields: impl Fn(&Hit<'_>, &str) -> Vec<String>,
) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    let mut ran = 0;
    for (n, line) in cases.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        ran += 1;
        let mut columns = line.split('\t');
        let expect = columns.next().unwrap_or("");
        let text = &columns.next().expect("a text").replace("\\n", "\n");
        let verdict = engine.scan(text);
        let got = verdict.suggestion;
        let ok = match expect {
            "<block" => got != Suggestion::Block,
            ">pass" => got != Suggestion::Pass,
            _ => got.as_str() == expect,
        };
        let hits: Vec<Vec<String>> = verdict.hits.iter().map(|h| fields(h, text)).collect();
        if !ok {
            failures.push(format!(
                "line {}: {text:?}: {got}, expected {expect}: {hits:?}",
                n + 1
            ));
        }
        for want in columns
            .next()
            .unwrap_or("")
            .split(';')
            .filter(|s| !s.is_empty())
        {
            if let Some(term) = want.strip_prefix('-') {
                if hits.iter().any(|h| h[0] == term) {
                    failures.push(format!("line {}: {term} hit: {hits:?}", n + 1));
                }
                continue;
            }
            let width = hits.first().map_or(2, Vec::len);
            let parts: Vec<&str> = want.splitn(width, '/').collect();
            let found = hits.iter().any(|h| {
                h.len() == parts.len()
                    && h.iter()
                        .zip(&parts)
                        .enumerate()
                        .all(|(k, (got, want))| got == want || (k + 1 == h.len() && *want == "*"))
            });
            if !found {
                failures.push(format!("line {}: {text:?}: no {want} in {hits:?}", n + 1));
            }
        }
    }
    (ran, failures)
}
