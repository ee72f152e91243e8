//! Classifier benchmarks: `cargo bench -p qinglang-engine --bench classifier [-- --quick]`.
//!
//! Texts are 100-character messages cut from COLD dev comments and wiki-zh-gsd sentences
//! (built-in sentences when `../shared/data` is missing). Benchmarks: the shipped model's
//! score alone (issue #6: at least 20,000 texts/s per core), and the whole `scan_with` of the
//! default engine with and without the model, in process. About half of these texts are
//! offensive, so the model flags many and each flag takes the full hit path; the engine
//! without it does little on 100 characters, so this ratio is far above the whole-process
//! one. Issue #6's limit (+30%) is measured on `qinglang scan` by `scripts/bench_scan.py`.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qinglang_engine::{default_classifier, default_lexicon, Engine, Scratch};
use qinglang_text::Normalizer;

const FALLBACK: &str = "同样，施力的大小不同，引起的加速度不同，最终的结果也不一样。\
    哈哈。我也是新疆人，下次去你们那边玩。说这些有什么用，抛开剂量谈毒性都是耍流氓。\
    该市位于河流的东岸，2010年人口约为35万，是本省第二大城市。";

/// All the text we have, as one stream of characters cut into 100-character messages.
fn messages() -> Vec<String> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let mut corpus = String::new();
    if let Ok(text) = std::fs::read_to_string(data.join("cold/dev.csv")) {
        for line in text.lines().skip(1) {
            if let Some(field) = line.splitn(5, ',').nth(4) {
                corpus.push_str(field.trim_matches('"'));
                corpus.push('。');
            }
        }
    }
    if let Ok(text) = std::fs::read_to_string(data.join("wiki-zh-gsd/sentences.txt")) {
        corpus.extend(text.lines());
    }
    if corpus.is_empty() {
        eprintln!("no data under {}; using built-in sentences", data.display());
        corpus = FALLBACK.repeat(20);
    }
    let chars: Vec<char> = corpus.chars().collect();
    chars
        .chunks_exact(100)
        .take(5000)
        .map(|c| c.iter().collect())
        .collect()
}

fn bench_classifier(c: &mut Criterion) {
    let messages = messages();
    let model = default_classifier();
    let normalizer = Normalizer::new();
    let normalized: Vec<String> = messages
        .iter()
        .map(|m| normalizer.normalize_str(m))
        .collect();

    let mut group = c.benchmark_group("classifier");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(messages.len() as u64));
    let mut scratch = qinglang_engine::ModelScratch::default();
    group.bench_function("score_100_chars", |b| {
        b.iter(|| {
            let mut flagged = 0usize;
            for text in &normalized {
                flagged += usize::from(
                    model
                        .score_normalized(black_box(text), &mut scratch)
                        .probability
                        >= 0.5,
                );
            }
            black_box(flagged)
        });
    });
    let plain = Engine::builder()
        .lexicon(default_lexicon())
        .build()
        .expect("the default lexicon compiles");
    let with_model = plain.with_classifier(Some(Arc::new(model)));
    for (name, engine) in [
        ("scan_without_model", &plain),
        ("scan_with_model", &with_model),
    ] {
        let mut scratch = Scratch::default();
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut flagged = 0usize;
                for text in &messages {
                    flagged += engine.scan_with(black_box(text), &mut scratch).hits.len();
                }
                black_box(flagged)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_classifier);
criterion_main!(benches);
