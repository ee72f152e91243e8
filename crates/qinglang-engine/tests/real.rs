//! Examples of real evasion and of ordinary text (issue #19; REV-2, REV-3, REV-5), from
//! `test_data/real/cases.tsv`, scanned as shipped: default lexicon and model.

use std::sync::Arc;

use qinglang_engine::{default_classifier, default_lexicon, Engine, Suggestion};

const CASES: &str = include_str!("../../../test_data/real/cases.tsv");

#[test]
fn real_examples_get_their_verdict_and_hits() {
    let engine = Engine::builder()
        .lexicon(default_lexicon())
        .classifier(Arc::new(default_classifier()))
        .build()
        .expect("default lexicon compiles");
    let mut failures = Vec::new();
    let mut cases = 0;
    for (n, line) in CASES.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        cases += 1;
        let mut fields = line.split('\t');
        let (expect, text) = (fields.next().unwrap(), fields.next().expect("a text"));
        let verdict = engine.scan(text);
        let got = verdict.suggestion;
        let ok = match expect {
            "<block" => got != Suggestion::Block,
            _ => got.as_str() == expect,
        };
        if !ok {
            failures.push(format!(
                "line {}: {text:?}: {got}, expected {expect}",
                n + 1
            ));
        }
        let hits: Vec<(&str, &str, &str)> = verdict
            .hits
            .iter()
            .map(|h| (h.term(), h.category(), h.text(text)))
            .collect();
        for want in fields
            .next()
            .unwrap_or("")
            .split(';')
            .filter(|s| !s.is_empty())
        {
            if let Some(term) = want.strip_prefix('-') {
                if hits.iter().any(|h| h.0 == term) {
                    failures.push(format!("line {}: {text:?}: {term} hit: {hits:?}", n + 1));
                }
                continue;
            }
            let mut parts = want.splitn(3, '/');
            let want = (
                parts.next().unwrap(),
                parts.next().expect("term/category/text"),
                parts.next().expect("term/category/text"),
            );
            if !hits.contains(&want) {
                failures.push(format!("line {}: {text:?}: no {want:?} in {hits:?}", n + 1));
            }
        }
    }
    assert!(cases >= 20, "only {cases} cases read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
