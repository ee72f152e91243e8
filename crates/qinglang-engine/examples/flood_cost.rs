//! What the flood check (REV-7) adds to a scan, in process, one thread:
//! `cargo run --release -p qinglang-engine --example flood_cost -- MESSAGES.jsonl`
//! (e.g. `test_data/floods/messages.jsonl`, which `scripts/floods.py` generates). Prints the
//! best of five runs of: the scan (default lexicon, no model), the signature alone, and the
//! index's linking alone — the parts `qinglang scan --floods` adds.

use std::time::Instant;

use qinglang_engine::{default_lexicon, Engine, FloodIndex, Scratch, Signature};

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
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: flood_cost MESSAGES.jsonl")?;
    let messages: Vec<String> = std::fs::read_to_string(&path)?
        .lines()
        .filter_map(|l| {
            // Good enough for timing: the "text" field, escapes left as they are.
            let start = l.find("\"text\":")? + 7;
            let v = l[start..].trim_start();
            let v = v.strip_prefix('"')?;
            let end = v.find("\",\"").or_else(|| v.rfind('"'))?;
            Some(v[..end].replace("\\\"", "\""))
        })
        .collect();
    let engine = Engine::builder().lexicon(default_lexicon()).build()?;
    let mut scratch = Scratch::default();
    let (scan, hits) = best_of(|| {
        messages
            .iter()
            .map(|m| engine.scan_with(m, &mut scratch).hits.len())
            .sum()
    });
    let norms: Vec<String> = messages
        .iter()
        .map(|m| engine.normalizer().normalize_str(m))
        .collect();
    let (sign, signed) = best_of(|| {
        norms
            .iter()
            .filter(|n| Signature::of_normalized(n).is_some())
            .count()
    });
    let signatures: Vec<Signature> = norms
        .iter()
        .filter_map(|n| Signature::of_normalized(n))
        .collect();
    let (link, linked) = best_of(|| {
        let mut index = FloodIndex::new(1_000_000, 0.5);
        signatures
            .iter()
            .enumerate()
            .filter(|(i, s)| index.observe(*i as u64, s, *i as i64).id != *i as u64)
            .count()
    });
    let n = messages.len() as f64;
    println!(
        "{} messages, {hits} hits, {signed} fingerprinted, {linked} linked",
        messages.len()
    );
    println!(
        "scan       {:8.3} s  {:6.2} µs/message",
        scan,
        scan / n * 1e6
    );
    println!(
        "signature  {:8.3} s  {:6.2} µs/message  (+{:.1}% of scan)",
        sign,
        sign / n * 1e6,
        100.0 * sign / scan
    );
    println!(
        "link       {:8.3} s  {:6.2} µs/message  (+{:.1}% of scan)",
        link,
        link / n * 1e6,
        100.0 * link / scan
    );
    Ok(())
}
