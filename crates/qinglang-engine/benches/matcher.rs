//! Matcher benchmarks: `cargo bench -p qinglang-engine --bench matcher [-- --quick]`.
//!
//! The lexicon is the raw houbb word list (`../shared/data/lexicon-houbb/sensitive_word_dict.txt`,
//! 64k terms; generated terms when it is missing). Benchmarks: compiling the engine, and
//! `scan_with` / `find_hits` over about 100 KB of realistic messages (COLD train comments and
//! wiki-zh-gsd sentences, about 2% with a lexicon term injected, some of those disguised).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use qinglang_engine::{Engine, Lexicon, Scratch};

const TARGET_BYTES: usize = 100 * 1024;

const FALLBACK_MESSAGES: &[&str] = &[
    "同样，施力的大小不同，引起的加速度不同，最终的结果也不一样。",
    "大多数的加长型礼车则是租车公司的财产。",
    "哈哈。我也是新疆人，下次去你们那边玩",
    "说这些有什么用，抛开剂量谈毒性都是耍流氓",
    "该市位于河流的东岸，2010年人口约为35万，是本省第二大城市。",
    "他在1998年发表了第一部长篇小说，此后又出版了多部作品。",
];

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

/// Small deterministic generator (an LCG), so the inputs are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize
    }

    fn below(&mut self, n: usize) -> usize {
        self.next() % n.max(1)
    }
}

fn terms() -> Vec<String> {
    let path = data_dir().join("lexicon-houbb/sensitive_word_dict.txt");
    match std::fs::read_to_string(&path) {
        Ok(text) => text
            .lines()
            .filter(|l| !l.contains('\t'))
            .map(str::trim)
            .filter(|t| !t.is_empty() && !t.starts_with('#'))
            .map(str::to_owned)
            .collect(),
        Err(e) => {
            eprintln!("{}: {e}; using generated terms", path.display());
            let alphabet: Vec<char> = "赌博色情毒品枪支代开发票办证刷单兼职裸聊约炮六合彩"
                .chars()
                .collect();
            let mut rng = Rng(7);
            (0..40_000)
                .map(|_| {
                    let len = 2 + rng.below(4);
                    (0..len)
                        .map(|_| alphabet[rng.below(alphabet.len())])
                        .collect()
                })
                .collect()
        }
    }
}

fn lexicon_text(terms: &[String]) -> String {
    let mut text = String::with_capacity(terms.len() * 32);
    for term in terms {
        text.push_str(term);
        text.push_str("\tcustom\tblock\n");
    }
    text
}

/// Text column of COLD train (the last CSV field) and the wiki sentences.
fn sentences() -> Vec<String> {
    let dir = data_dir();
    let mut out = Vec::new();
    if let Ok(text) = std::fs::read_to_string(dir.join("cold/train.csv")) {
        for line in text.lines().skip(1) {
            if let Some(field) = line.splitn(5, ',').nth(4) {
                let field = field.trim();
                let field = field
                    .strip_prefix('"')
                    .and_then(|f| f.strip_suffix('"'))
                    .map_or_else(|| field.to_owned(), |f| f.replace("\"\"", "\""));
                if !field.is_empty() {
                    out.push(field);
                }
            }
        }
    }
    if let Ok(text) = std::fs::read_to_string(dir.join("wiki-zh-gsd/sentences.txt")) {
        out.extend(
            text.lines()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        );
    }
    if out.is_empty() {
        eprintln!("no sentences under {}; using built-in ones", dir.display());
        out.extend(FALLBACK_MESSAGES.iter().map(|s| (*s).to_owned()));
    }
    out
}

/// About 100 KB of messages of one to three sentences; about 2% carry a lexicon term, a
/// third of those with a noise symbol between its characters.
fn messages(sentences: &[String], terms: &[String]) -> Vec<String> {
    let mut rng = Rng(20_240_601);
    let mut out = Vec::new();
    let mut bytes = 0;
    while bytes < TARGET_BYTES {
        let count = 1 + rng.below(3);
        let mut message = String::new();
        for _ in 0..count {
            message.push_str(&sentences[rng.below(sentences.len())]);
        }
        if rng.below(50) == 0 && !terms.is_empty() {
            let term = &terms[rng.below(terms.len())];
            let term = if rng.below(3) == 0 {
                term.chars().map(String::from).collect::<Vec<_>>().join("*")
            } else {
                term.clone()
            };
            let boundaries: Vec<usize> = message
                .char_indices()
                .map(|(i, _)| i)
                .chain([message.len()])
                .collect();
            message.insert_str(boundaries[rng.below(boundaries.len())], &term);
        }
        bytes += message.len();
        out.push(message);
    }
    out
}

fn bench_matcher(c: &mut Criterion) {
    let terms = terms();
    let text = lexicon_text(&terms);
    let lexicon = Lexicon::parse("bench", &text).expect("the bench lexicon parses");
    let engine = Engine::builder()
        .lexicon(lexicon.clone())
        .build()
        .expect("the bench lexicon compiles");
    let messages = messages(&sentences(), &terms);
    let bytes: usize = messages.iter().map(String::len).sum();
    eprintln!(
        "matcher bench: {} terms ({} distinct forms), {} messages, {bytes} bytes",
        engine.entry_count(),
        engine.term_count(),
        messages.len()
    );

    let mut group = c.benchmark_group("engine_build");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(lexicon.len() as u64));
    group.bench_function("houbb_raw", |b| {
        b.iter(|| {
            let engine = Engine::builder()
                .lexicon(black_box(lexicon.clone()))
                .build()
                .expect("the bench lexicon compiles");
            black_box(engine.term_count())
        });
    });
    group.finish();

    let mut group = c.benchmark_group("matcher");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Bytes(bytes as u64));
    let mut scratch = Scratch::default();
    group.bench_function("scan_with", |b| {
        b.iter(|| {
            let mut flagged = 0usize;
            for message in &messages {
                let verdict = engine.scan_with(black_box(message), &mut scratch);
                flagged += verdict.hits.len();
            }
            black_box(flagged)
        });
    });
    group.bench_function("find_hits", |b| {
        b.iter(|| {
            let mut hits = 0usize;
            for message in &messages {
                hits += engine.find_hits(black_box(message), &mut scratch).len();
            }
            black_box(hits)
        });
    });
    group.finish();
}

criterion_group!(benches, bench_matcher);
criterion_main!(benches);
