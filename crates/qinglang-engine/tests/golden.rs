//! Golden cases for the matcher and the verdict: `test_data/match/cases.txt`.
//! Run with `UPDATE_GOLDEN=1` to rewrite the `--- expect` sections, then review the diff.

use std::fmt::Write as _;
use std::path::PathBuf;

use qinglang_engine::{Engine, Lexicon};

struct Case {
    name: String,
    lexicon: String,
    input: String,
    expect: String,
}

fn parse(text: &str) -> (String, Vec<Case>) {
    let mut header = String::new();
    let mut cases: Vec<Case> = Vec::new();
    let mut section = "";
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("=== ") {
            cases.push(Case {
                name: name.to_owned(),
                lexicon: String::new(),
                input: String::new(),
                expect: String::new(),
            });
            section = "";
            continue;
        }
        if let Some(s) = line.strip_prefix("--- ") {
            section = match s {
                "lexicon" => "lexicon",
                "input" => "input",
                "expect" => "expect",
                other => panic!("unknown section {other:?}"),
            };
            continue;
        }
        let Some(case) = cases.last_mut() else {
            header.push_str(line);
            header.push('\n');
            continue;
        };
        let buf = match section {
            "lexicon" => &mut case.lexicon,
            "input" => &mut case.input,
            "expect" => &mut case.expect,
            _ => continue,
        };
        buf.push_str(line);
        buf.push('\n');
    }
    for case in &mut cases {
        case.input = unescape(case.input.trim_end_matches('\n'));
        case.expect = case.expect.trim().to_owned();
    }
    (header, cases)
}

/// `\uXXXX` in inputs stands for an invisible character the file could not show.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find("\\u") {
        out.push_str(&rest[..at]);
        let hex = &rest[at + 2..at + 6];
        let c = u32::from_str_radix(hex, 16)
            .ok()
            .and_then(char::from_u32)
            .expect("valid \\uXXXX escape");
        out.push(c);
        rest = &rest[at + 6..];
    }
    out.push_str(rest);
    out
}

fn run(case: &Case) -> String {
    let lexicon = Lexicon::parse("golden", &case.lexicon).expect("lexicon parses");
    let engine = Engine::builder()
        .lexicon(lexicon)
        .build()
        .expect("engine builds");
    let verdict = engine.scan(&case.input);
    let mut out = format!(
        "{} {} {}",
        verdict.suggestion,
        verdict.score,
        verdict.labels.join(",")
    );
    for hit in &verdict.hits {
        let text = hit.text(&case.input);
        // The span in scalar values must select the same text as the byte span.
        let by_chars: String = case
            .input
            .chars()
            .skip(hit.start)
            .take(hit.end - hit.start)
            .collect();
        assert_eq!(
            by_chars, text,
            "{}: char and byte spans disagree",
            case.name
        );
        let _ = write!(
            out,
            "\n{}..{}\t{}\t{}\t{}\t{}",
            hit.start,
            hit.end,
            text.escape_debug(),
            hit.term(),
            hit.category(),
            hit.action()
        );
    }
    out.trim().to_owned()
}

#[test]
fn matcher_golden_cases() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test_data/match/cases.txt");
    let text = std::fs::read_to_string(&path).expect("read test_data/match/cases.txt");
    let (header, cases) = parse(&text);
    assert!(cases.len() >= 10, "golden file lost its cases");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let mut out = header;
        for case in &cases {
            let _ = write!(
                out,
                "\n=== {}\n--- lexicon\n{}--- input\n{}\n--- expect\n{}\n",
                case.name,
                case.lexicon,
                text_of_input(&text, &case.name),
                run(case)
            );
        }
        std::fs::write(&path, out.trim_start_matches('\n')).expect("rewrite golden file");
        return;
    }
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let got = run(case);
            (got != case.expect).then(|| {
                format!(
                    "=== {}\nexpected:\n{}\ngot:\n{}\n",
                    case.name, case.expect, got
                )
            })
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The input section exactly as written (escapes kept), for rewriting the file.
fn text_of_input(file: &str, name: &str) -> String {
    let start = file.find(&format!("=== {name}\n")).expect("case present");
    let rest = &file[start..];
    let input = rest.find("--- input\n").expect("input section") + "--- input\n".len();
    let end = rest[input..].find("--- expect").expect("expect section");
    rest[input..input + end].trim_end_matches('\n').to_owned()
}
