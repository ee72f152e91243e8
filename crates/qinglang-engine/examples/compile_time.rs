//! Times lexicon compilation: `cargo run --release -p qinglang-engine --example compile_time -- FILE`.
use std::time::Instant;

use qinglang_engine::{Engine, Lexicon};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: compile_time LEXICON_FILE")?;
    let text = std::fs::read_to_string(&path)?;
    let t = Instant::now();
    let lexicon = Lexicon::parse(&path, &text)?;
    let parsed = t.elapsed();
    let t = Instant::now();
    let normalizer = qinglang_text::Normalizer::new();
    let tables = t.elapsed();
    let t = Instant::now();
    let engine = Engine::builder()
        .normalizer(normalizer)
        .lexicon(lexicon)
        .build()?;
    let built = t.elapsed();
    println!(
        "{} entries ({} distinct terms): parse {:?}, folding tables {:?}, compile {:?}",
        engine.entry_count(),
        engine.term_count(),
        parsed,
        tables,
        built
    );
    Ok(())
}
