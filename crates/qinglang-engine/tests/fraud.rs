//! Golden cases of the fraud and illegal-service families and of ordinary messages (issue
//! #20; REV-11, REV-2, REV-6), from `test_data/fraud/golden.tsv`, scanned as shipped: default
//! lexicon, abuse model and fraud model. Each family's case must be flagged with its
//! sub-category and the spans of its evidence; each kind of ordinary message must pass.

use std::sync::Arc;

mod cases;

use qinglang_engine::{
    default_classifier, default_fraud_model, default_lexicon, default_spam_model, Engine,
    Suggestion,
};

const CASES: &str = include_str!("../../../test_data/fraud/golden.tsv");

fn engine() -> Engine {
    Engine::builder()
        .lexicon(default_lexicon())
        .classifier(Arc::new(default_classifier()))
        .spam_model(Arc::new(default_spam_model()))
        .fraud_model(Arc::new(default_fraud_model()))
        .build()
        .expect("the shipped engine builds")
}

#[test]
fn families_are_flagged_with_their_evidence_and_ordinary_messages_pass() {
    let engine = engine();
    let (cases, failures) = cases::run(CASES, &engine, |h, text| {
        vec![
            h.term().to_owned(),
            h.category().to_owned(),
            h.subcategory().unwrap_or("-").to_owned(),
            h.text(text).to_owned(),
        ]
    });
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
