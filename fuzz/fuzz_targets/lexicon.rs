//! Lexicon files, combinations included: parsed and compiled, or refused with an error that
//! names the line, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qinglang_engine::{Engine, Lexicon};

fuzz_target!(|text: &str| {
    match Lexicon::parse("fuzz", text) {
        Ok(lexicon) => {
            if let Ok(engine) = Engine::builder().lexicon(lexicon).build() {
                let _ = engine.scan(text);
            }
        }
        Err(e) => assert!(e.to_string().starts_with("fuzz:")),
    }
});
