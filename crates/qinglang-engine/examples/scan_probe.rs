//! One pass of the engine over JSONL messages, for cache simulation (cachegrind):
//! `scan_probe LEXICON MESSAGES.jsonl none|MODEL [N]`.
mod common;

use std::sync::Arc;

use qinglang_engine::{Classifier, Engine, Lexicon, Scratch};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        return Err("usage: scan_probe LEXICON MESSAGES.jsonl none|MODEL [N]".into());
    }
    let lexicon = Lexicon::parse(&args[1], &std::fs::read_to_string(&args[1])?)?;
    let limit: usize = args.get(4).map_or(Ok(usize::MAX), |n| n.parse())?;
    let messages = common::jsonl_texts(&args[2], limit)?;
    let mut engine = Engine::builder().lexicon(lexicon).build()?;
    if args[3] != "none" {
        let model = Classifier::from_bytes(&std::fs::read(&args[3])?)?;
        engine = engine.with_classifier(Some(Arc::new(model)));
    }
    let mut scratch = Scratch::default();
    let hits: usize = messages
        .iter()
        .map(|m| engine.scan_with(m, &mut scratch).hits.len())
        .sum();
    println!("{} messages, {hits} hits", messages.len());
    Ok(())
}
