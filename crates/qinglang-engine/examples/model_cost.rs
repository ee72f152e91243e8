//! What the classifier adds to a scan, in process, one thread:
//! `cargo run --release -p qinglang-engine --example model_cost -- LEXICON MESSAGES.jsonl [MODEL]`
//! (e.g. the bench-data/ files `scripts/bench_scan.py` generates). Prints the best of five
//! runs of: scan without the model, scan with it, and the model's score alone.

mod common;

use std::sync::Arc;
use std::time::Instant;

use qinglang_engine::{Classifier, Engine, Lexicon, ModelScratch, Scratch};

fn best_of<F: FnMut() -> usize>(mut f: F) -> (f64, usize) {
    let mut best = f64::MAX;
    let mut out = 0;
    for _ in 0..5 {
        let t = Instant::now();
        out = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: model_cost LEXICON MESSAGES.jsonl [MODEL]".into());
    }
    let lexicon = Lexicon::parse(&args[1], &std::fs::read_to_string(&args[1])?)?;
    let messages = common::jsonl_texts(&args[2], usize::MAX)?;
    let model = match args.get(3) {
        Some(path) => Classifier::from_bytes(&std::fs::read(path)?)?,
        None => qinglang_engine::default_classifier(),
    };
    let plain = Engine::builder().lexicon(lexicon).build()?;
    let with = plain.with_classifier(Some(Arc::new(model.clone())));
    let mut scratch = Scratch::default();
    let (t0, h0) = best_of(|| {
        messages
            .iter()
            .map(|m| plain.scan_with(m, &mut scratch).hits.len())
            .sum()
    });
    let (t1, h1) = best_of(|| {
        messages
            .iter()
            .map(|m| with.scan_with(m, &mut scratch).hits.len())
            .sum()
    });
    // The same model with a threshold nothing reaches: the score's cost without the flagged
    // path (span mapping, localisation, the extra hit).
    let quiet = Engine::builder()
        .lexicon(Lexicon::parse(
            &args[1],
            &std::fs::read_to_string(&args[1])?,
        )?)
        .policy(qinglang_engine::Policy {
            model_review: 0.999_999,
            ..Default::default()
        })
        .classifier(Arc::new(model.clone()))
        .build()?;
    let (t3, _) = best_of(|| {
        messages
            .iter()
            .map(|m| quiet.scan_with(m, &mut scratch).hits.len())
            .sum()
    });
    let norms: Vec<String> = messages
        .iter()
        .map(|m| plain.normalizer().normalize_str(m))
        .collect();
    let mut ms = ModelScratch::default();
    let (t2, flagged) = best_of(|| {
        norms
            .iter()
            .filter(|n| model.score_normalized(n, &mut ms).probability >= 0.5)
            .count()
    });
    let n = messages.len() as f64;
    println!("{} messages; model flags {flagged}", messages.len());
    println!(
        "scan without model  {:.3} s  {:.2} µs/msg  ({h0} hits)",
        t0,
        t0 / n * 1e6
    );
    println!(
        "scan with model     {:.3} s  {:.2} µs/msg  ({h1} hits)  +{:.0}%",
        t1,
        t1 / n * 1e6,
        (t1 / t0 - 1.0) * 100.0
    );
    println!(
        "with model, none flagged {:.3} s  {:.2} µs/msg  +{:.0}%",
        t3,
        t3 / n * 1e6,
        (t3 / t0 - 1.0) * 100.0
    );
    println!(
        "model score alone   {:.3} s  {:.2} µs/msg  {:.0} texts/s",
        t2,
        t2 / n * 1e6,
        n / t2
    );
    Ok(())
}
