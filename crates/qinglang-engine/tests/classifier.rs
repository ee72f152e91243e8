//! The trained classifier inside the engine (REV-2): its hit joins the verdict with a span,
//! a probability and `source: "model:<name>"`; the policy decides review or block.

use std::sync::Arc;

use qinglang_engine::{default_classifier, default_lexicon, Action, Engine, Policy, Suggestion};

const INSULT: &str = "你们河南人都是骗子，滚出去";
const NEUTRAL: &str = "今天天气很好，我们一起去公园散步吧";

fn engine(policy: Policy) -> Engine {
    Engine::builder()
        .lexicon(default_lexicon())
        .classifier(Arc::new(default_classifier()))
        .policy(policy)
        .build()
        .expect("engine")
}

#[test]
fn the_shipped_model_reviews_an_attack_on_a_group_and_points_at_it() {
    let engine = engine(Policy::default());
    let verdict = engine.scan(INSULT);
    assert_eq!(verdict.suggestion, Suggestion::Review);
    assert_eq!(verdict.labels, ["discrimination"]);
    let hit = verdict
        .hits
        .iter()
        .find(|h| h.source() == "model:cold")
        .expect("a model hit");
    assert_eq!(hit.action(), Action::Review);
    assert!(hit.probability().expect("probability") > 0.9);
    // The span is a real stretch of the original, inside the text.
    assert!(hit.start < hit.end && hit.end <= INSULT.chars().count());
    assert_eq!(
        hit.text(INSULT),
        INSULT
            .chars()
            .skip(hit.start)
            .take(hit.end - hit.start)
            .collect::<String>()
    );
    // Review scores rise with the probability but stay below block.
    assert!(
        verdict.score >= 40 && verdict.score < 80,
        "{}",
        verdict.score
    );

    assert_eq!(engine.scan(NEUTRAL).suggestion, Suggestion::Pass);
}

#[test]
fn policy_decides_block_and_length_and_the_model_can_be_swapped_out() {
    let blocking = engine(Policy {
        model_block: Some(0.9),
        ..Policy::default()
    });
    let verdict = blocking.scan(INSULT);
    assert_eq!(verdict.suggestion, Suggestion::Block);
    assert!(verdict
        .hits
        .iter()
        .any(|h| h.action() == Action::Block && h.source() == "model:cold"));

    // Too long for a comment model: lexicons only.
    let short_only = engine(Policy {
        model_max_chars: 5,
        ..Policy::default()
    });
    assert_eq!(short_only.scan(INSULT).suggestion, Suggestion::Pass);

    let without = blocking.with_classifier(None);
    assert!(without.classifier().is_none());
    assert_eq!(without.scan(INSULT).suggestion, Suggestion::Pass);
    // Lexicon hits are unaffected by the swap.
    assert_eq!(
        without.scan("免费看成*人*视*频").suggestion,
        Suggestion::Block
    );
}

#[test]
fn inconsistent_model_thresholds_are_refused() {
    let err = Engine::builder()
        .policy(Policy {
            model_review: 0.8,
            model_block: Some(0.6),
            ..Policy::default()
        })
        .build()
        .expect_err("block below review");
    assert!(err
        .to_string()
        .contains("model_block (0.6) must be above model_review (0.8)"));
}
