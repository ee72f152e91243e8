//! Normaliser throughput: `cargo bench -p qinglang-text --bench normalise [-- --quick]`.
//!
//! Three inputs of about 100 KB each: realistic Simplified Chinese (wiki-zh-gsd sentences from
//! `../shared/data`, or a built-in paragraph when that is missing), the same text in disguise
//! (Traditional characters, full-width Latin and digits, noise symbols between characters),
//! and plain ASCII English.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qinglang_text::{Normalized, Normalizer};

const TARGET_BYTES: usize = 100 * 1024;

const FALLBACK_ZH: &str = "同样，施力的大小不同，引起的加速度不同，最终的结果也不一样。\
大多数的加长型礼车则是租车公司的财产。这种车辆如果归私人拥有，多半会设置昂贵的音频设备、\
电视机、影碟机，以及吧台和冰箱。该市位于河流的东岸，2010年人口约为35万，是本省第二大城市。\
他在1998年发表了第一部长篇小说，此后又出版了多部作品，并获得了国内外的多个文学奖项。";

const ENGLISH: &str = "The quick brown fox jumps over the lazy dog. In 2010 the city had a \
population of about 350,000 people, making it the second largest in the province. He published \
his first novel in 1998 and went on to write several more, winning a number of literary awards. \
Contact us at support@example.com or call 555-0100 for more information about our services.\n";

/// Simplified → Traditional for common characters, enough to make the disguised input
/// exercise the folding table on a good share of its characters.
const TRADITIONAL: &[(char, char)] = &[
    ('这', '這'),
    ('个', '個'),
    ('国', '國'),
    ('说', '說'),
    ('为', '為'),
    ('会', '會'),
    ('时', '時'),
    ('发', '發'),
    ('学', '學'),
    ('对', '對'),
    ('经', '經'),
    ('们', '們'),
    ('来', '來'),
    ('东', '東'),
    ('车', '車'),
    ('长', '長'),
    ('门', '門'),
    ('间', '間'),
    ('问', '問'),
    ('开', '開'),
    ('关', '關'),
    ('书', '書'),
    ('马', '馬'),
    ('鱼', '魚'),
    ('动', '動'),
    ('过', '過'),
    ('后', '後'),
    ('于', '於'),
    ('与', '與'),
    ('产', '產'),
    ('电', '電'),
    ('视', '視'),
    ('机', '機'),
    ('华', '華'),
    ('业', '業'),
    ('气', '氣'),
    ('区', '區'),
    ('际', '際'),
    ('实', '實'),
    ('现', '現'),
    ('数', '數'),
    ('种', '種'),
];

const NOISE: &[char] = &['*', '.', '-', ' ', '_', '~', '|', '\u{200B}'];

fn repeat_to_size(parts: &[&str], sep: &str) -> String {
    let mut out = String::with_capacity(TARGET_BYTES + 1024);
    'fill: loop {
        for part in parts {
            if out.len() >= TARGET_BYTES {
                break 'fill;
            }
            out.push_str(part);
            out.push_str(sep);
        }
    }
    out
}

fn chinese_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/wiki-zh-gsd/sentences.txt");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let sentences: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            repeat_to_size(&sentences, "\n")
        }
        Err(e) => {
            eprintln!("{}: {e}; using the built-in paragraph", path.display());
            repeat_to_size(&[FALLBACK_ZH], "\n")
        }
    }
}

/// Traditional characters, full-width ASCII letters and digits, and a noise symbol after
/// every fourth ideograph; deterministic.
fn disguise(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3 / 2);
    let mut han = 0usize;
    let mut state: u32 = 0x9E37_79B9;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(char::from_u32(c as u32 + 0xFEE0).unwrap_or(c));
            continue;
        }
        out.push(
            TRADITIONAL
                .iter()
                .find(|&&(s, _)| s == c)
                .map_or(c, |&(_, t)| t),
        );
        if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
            han += 1;
            if han == 4 {
                han = 0;
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                out.push(NOISE[(state >> 16) as usize % NOISE.len()]);
            }
        }
    }
    out
}

fn bench_normalise(c: &mut Criterion) {
    let normalizer = Normalizer::new();
    let chinese = chinese_text();
    let disguised = disguise(&chinese);
    let english = repeat_to_size(&[ENGLISH], "");
    let inputs = [
        ("zh_simplified", chinese.as_str()),
        ("zh_disguised", disguised.as_str()),
        ("ascii_english", english.as_str()),
    ];
    let mut group = c.benchmark_group("normalize_into");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, text) in inputs {
        group.throughput(Throughput::Bytes(text.len() as u64));
        let mut out = Normalized::default();
        group.bench_function(name, |b| {
            b.iter(|| {
                normalizer.normalize_into(black_box(text), &mut out);
                black_box(out.as_str().len())
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_normalise);
criterion_main!(benches);
