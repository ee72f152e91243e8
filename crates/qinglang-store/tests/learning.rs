//! Learning (REV-9) over one database shared by two nodes (two servers, or a server and
//! `qinglang learn`), on one SQLite file and on one PostgreSQL database: each notices every
//! change to the learned examples and ends with the same model.

mod common;

use std::sync::Arc;

use common::{principal, T0};
use qinglang_engine::{default_classifier, default_lexicon, Engine, Label};
use qinglang_governance::authz::Role;
use qinglang_governance::crypto::DataKey;
use qinglang_governance::policy::LoadedPolicy;
use qinglang_governance::Governance;
use qinglang_store::{testing, Database, Durability, Location};

fn node(at: &Location, engine: &Arc<Engine>) -> Governance<Database> {
    Governance::new(
        Database::open(at, Durability::Normal).expect("store"),
        Arc::clone(engine),
        LoadedPolicy::default_policy(),
        DataKey::from_hex(&"42".repeat(32)).expect("key"),
    )
}

fn probability(g: &Governance<Database>, text: &str) -> f32 {
    let engine = g.engine();
    engine
        .classifier()
        .expect("a model")
        .score(engine.normalizer(), text)
        .probability
}

qinglang_store::both_backends! {
    fn a_second_node_sees_a_forgotten_newest_example_replaced_by_another() {
        // Each backend's run has its own directory: the two run at the same time.
        let dir = std::env::temp_dir().join(format!(
            "qinglang-learning-{:?}-{}",
            testing::current(),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let at = testing::shared_location(&dir);
        let engine = Arc::new(
            Engine::builder()
                .lexicon(default_lexicon())
                .build()
                .expect("engine")
                .with_classifier(Some(Arc::new(default_classifier()))),
        );
        let (a, b) = (node(&at, &engine), node(&at, &engine));
        let lead = principal(Role::Lead);
        let texts = [
            "加我好友领取免费红包，名额有限先到先得",
            "今晚一起去吃火锅吧，老地方见",
            "今天的比赛真精彩，主队最后绝杀",
        ];
        a.learn(&lead, texts[0], Label::Spam, T0).expect("learn");
        let second = a.learn(&lead, texts[1], Label::Spam, T0).expect("learn");
        assert!(b.reload_learned().expect("reload"));
        // The same count and, were ids reused, the same highest id: B must still notice.
        a.forget_learned(&lead, second.id, T0).expect("forget");
        a.learn(&lead, texts[2], Label::Spam, T0).expect("learn");
        assert!(
            b.reload_learned().expect("reload"),
            "B missed the change and kept the forgotten example"
        );
        for text in texts {
            assert_eq!(probability(&a, text), probability(&b, text), "{text}");
        }
        assert!(
            probability(&b, texts[1]) < 0.5,
            "the forgotten example's effect is gone"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
