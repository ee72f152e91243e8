//! The HTML article reader: any bytes as a page, no panic, spans inside the page.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use qinglang_engine::{default_lexicon, Engine, Scratch};

fuzz_target!(|html: &str| {
    static E: OnceLock<Engine> = OnceLock::new();
    let engine = E.get_or_init(|| {
        Engine::builder()
            .lexicon(default_lexicon())
            .build()
            .expect("builds")
    });
    let r = qinglang_article::review(engine, html, &mut Scratch::default());
    for h in &r.verdict.hits {
        assert!(h.byte_end <= html.len() && html.is_char_boundary(h.byte_start));
    }
});
