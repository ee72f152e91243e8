//! Golden cases of the fraud and illegal-service families and of ordinary messages (issue
//! #20; REV-11, REV-2, REV-6), from `test_data/fraud/golden.tsv`, scanned as shipped: default
//! lexicon, abuse model and fraud model. Each family's case must be flagged with its
//! sub-category and the spans of its evidence; each kind of ordinary message must pass.

use std::sync::Arc;

use qinglang_engine::{
    default_classifier, default_fraud_model, default_lexicon, Engine, Suggestion,
};

const CASES: &str = include_str!("../../../test_data/fraud/golden.tsv");

fn engine() -> Engine {
    Engine::builder()
        .lexicon(default_lexicon())
        .classifier(Arc::new(default_classifier()))
        .fraud_model(Arc::new(default_fraud_model()))
        .build()
        .expect("the shipped engine builds")
}

#[test]
fn families_are_flagged_with_their_evidence_and_ordinary_messages_pass() {
    let engine = engine();
    let mut failures = Vec::new();
    let mut cases = 0;
    for (n, line) in CASES.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        cases += 1;
        let mut fields = line.split('\t');
        let (expect, text) = (fields.next().unwrap(), fields.next().expect("a text"));
        let verdict = engine.scan(text);
        let got = verdict.suggestion;
        let ok = match expect {
            "<block" => got != Suggestion::Block,
            _ => got.as_str() == expect,
        };
        let hits: Vec<(&str, &str, &str, &str)> = verdict
            .hits
            .iter()
            .map(|h| {
                let sub = h.subcategory().unwrap_or("-");
                (h.term(), h.category(), sub, h.text(text))
            })
            .collect();
        if !ok {
            failures.push(format!(
                "line {}: {got}, expected {expect}: {hits:?}",
                n + 1
            ));
        }
        for want in fields
            .next()
            .unwrap_or("")
            .split(';')
            .filter(|s| !s.is_empty())
        {
            if let Some(term) = want.strip_prefix('-') {
                if hits.iter().any(|h| h.0 == term) {
                    failures.push(format!("line {}: {term} hit: {hits:?}", n + 1));
                }
                continue;
            }
            let parts: Vec<&str> = want.splitn(4, '/').collect();
            let [term, category, sub, span] = parts[..] else {
                panic!(
                    "line {}: {want:?} is not term/category/subcategory/text",
                    n + 1
                );
            };
            let found = hits
                .iter()
                .any(|h| (h.0, h.1, h.2) == (term, category, sub) && (span == "*" || h.3 == span));
            if !found {
                failures.push(format!("line {}: no {want} in {hits:?}", n + 1));
            }
        }
    }
    assert!(cases >= 20, "only {cases} cases read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_fraud_rule_weighs_its_evidence_by_the_policy() {
    // A reason and a number: review by default; with the reason weighing less than the
    // review threshold minus the action, the same text passes (the weights are the policy).
    let text = "您的包裹理赔已通过，请联系 13912345678 办理";
    let engine = engine();
    let verdict = engine.scan(text);
    assert_eq!(verdict.suggestion, Suggestion::Review, "{:?}", verdict.hits);
    assert!(verdict
        .hits
        .iter()
        .any(|h| h.term() == "pretext" && h.subcategory() == Some("refund")));
    let policy = qinglang_engine::Policy {
        fraud_reason_weight: 10,
        detect_contacts: true,
        notice_contact_factor: 0.5,
        ..engine.policy().clone()
    };
    let lenient = engine.with_policy(policy).expect("valid policy");
    let verdict = lenient.scan(text);
    assert!(
        !verdict.hits.iter().any(|h| h.source() == "rule:fraud"),
        "{:?}",
        verdict.hits
    );
}

#[test]
fn the_shipped_fraud_model_loads_and_knows_a_scam_call_from_a_service_call() {
    let model = default_fraud_model();
    assert_eq!((model.name(), model.category()), ("fraud", "fraud"));
    let n = qinglang_text::Normalizer::new();
    let scam = model.score(
        &n,
        "您好，我是公安局的，您的身份证涉嫌一起洗钱案件，需要您把资金转到安全账户配合调查。",
    );
    let service = model.score(&n, "您好，您点的外卖已经送到楼下了，麻烦下来取一下，谢谢。");
    assert!(scam.probability > 0.9, "{}", scam.probability);
    assert!(service.probability < 0.1, "{}", service.probability);
}
