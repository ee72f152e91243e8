//! Golden cases for the normaliser (REV-3): `test_data/normalize/cases.jsonl` holds
//! `{"name", "input", "normalized"}` per line. Run with `UPDATE_GOLDEN=1` to rewrite the
//! expectations from the current behaviour (then review the diff).

use std::path::PathBuf;

use qinglang_text::Normalizer;

fn cases_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test_data/normalize/cases.jsonl")
}

#[test]
fn normaliser_golden_cases() {
    let path = cases_path();
    let text = std::fs::read_to_string(&path).expect("read test_data/normalize/cases.jsonl");
    let normalizer = Normalizer::new();
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    let mut rewritten = String::new();
    for (n, line) in text.lines().enumerate() {
        let mut case: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", n + 1));
        let input = case["input"].as_str().expect("input").to_owned();
        let got = normalizer.normalize_str(&input);
        if case["normalized"].as_str() != Some(got.as_str()) {
            failures.push(format!(
                "{}: {:?} → {:?}, expected {:?}",
                case["name"], input, got, case["normalized"]
            ));
        }
        // Idempotence holds for every golden input too.
        assert_eq!(
            normalizer.normalize_str(&got),
            got,
            "not idempotent: {input:?}"
        );
        case["normalized"] = got.into();
        rewritten.push_str(&case.to_string());
        rewritten.push('\n');
    }
    if update {
        std::fs::write(&path, rewritten).expect("rewrite golden file");
        return;
    }
    assert!(
        failures.is_empty(),
        "golden mismatches:\n{}",
        failures.join("\n")
    );
}

#[test]
fn offsets_point_back_to_the_original() {
    let normalizer = Normalizer::new();
    let input = "賭(dǔ)*博 ⑩";
    let norm = normalizer.normalize(input);
    assert_eq!(norm.as_str(), "赌博10");
    let origins: Vec<&str> = norm
        .positions()
        .iter()
        .map(|p| &input[p.orig_start as usize..p.orig_end as usize])
        .collect();
    assert_eq!(origins, ["賭", "博", "⑩", "⑩"]);
    let gaps: Vec<u8> = norm.positions().iter().map(|p| p.gap).collect();
    // The pinyin annotation vanishes; `*` is one noise character; ` ` another.
    assert_eq!(gaps, [0, 1, 1, 0]);
}

#[test]
fn a_character_reference_points_back_to_the_whole_reference() {
    let normalizer = Normalizer::new();
    let input = "看&#x4EBA;&#22971;";
    let norm = normalizer.normalize(input);
    assert_eq!(norm.as_str(), "看人妻");
    let origins: Vec<&str> = norm
        .positions()
        .iter()
        .map(|p| &input[p.orig_start as usize..p.orig_end as usize])
        .collect();
    assert_eq!(origins, ["看", "&#x4EBA;", "&#22971;"]);
}
