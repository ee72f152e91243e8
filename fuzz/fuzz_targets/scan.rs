//! `Engine::scan` with the shipped lexicon and models: never panics; hits select the input on
//! character boundaries and never cross.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use qinglang_engine::{default_classifier, default_fraud_model, default_lexicon, Engine};

fuzz_target!(|text: &str| {
    static E: OnceLock<Engine> = OnceLock::new();
    let engine = E.get_or_init(|| {
        Engine::builder()
            .lexicon(default_lexicon())
            .classifier(Arc::new(default_classifier()))
            .fraud_model(Arc::new(default_fraud_model()))
            .build()
            .expect("the shipped engine builds")
    });
    let v = engine.scan(text);
    assert!(v.score <= 100);
    for h in &v.hits {
        assert!(h.byte_start < h.byte_end && h.byte_end <= text.len());
        assert!(text.is_char_boundary(h.byte_start) && text.is_char_boundary(h.byte_end));
        assert_eq!(text[..h.byte_start].chars().count(), h.start);
    }
});
