//! Examples of real evasion and of ordinary text (issue #19; REV-2, REV-3, REV-5), from
//! `test_data/real/cases.tsv`, scanned as shipped: default lexicon and model.

use std::sync::Arc;

mod cases;

use qinglang_engine::{default_classifier, default_lexicon, default_spam_model, Engine};

const CASES: &str = include_str!("../../../test_data/real/cases.tsv");

#[test]
fn real_examples_get_their_verdict_and_hits() {
    let engine = Engine::builder()
        .lexicon(default_lexicon())
        .classifier(Arc::new(default_classifier()))
        .spam_model(Arc::new(default_spam_model()))
        .build()
        .expect("default lexicon compiles");
    let (cases, failures) = cases::run(CASES, &engine, |h, text| {
        vec![
            h.term().to_owned(),
            h.category().to_owned(),
            h.text(text).to_owned(),
        ]
    });
    assert!(cases >= 20, "only {cases} cases read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
