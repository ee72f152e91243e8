//! Scenes (issue #25; cloud APIs' BizType): named places where text is judged differently —
//! a children's group, a public comment area, a private chat. Each is a section of the policy
//! (`[scenes.NAME]`, `policy.rs`) and runs on an engine of its own: the main engine's
//! lexicons (defaults, the deployment's edits, emergency changes) plus the scene's, under the
//! main review policy with the scene's overrides, with or without the classifiers.

use std::collections::BTreeMap;
use std::sync::Arc;

use qinglang_engine::{Classifier, Engine, Lexicon};

use crate::error::Error;
use crate::policy::Policy;

/// The engines of the policy's scenes, by name.
#[derive(Debug, Clone, Default)]
pub struct SceneEngines {
    engines: BTreeMap<String, Arc<Engine>>,
}

impl SceneEngines {
    /// The scenes that need no lexicon of their own, derived from `main` without compiling
    /// (before the service knows what its engine is built from); a scene with its own
    /// lexicon waits for [`SceneEngines::build`].
    pub fn derived(policy: &Policy, main: &Engine) -> SceneEngines {
        let engines = policy
            .scenes
            .iter()
            .filter(|(_, scene)| scene.lexicon.trim().is_empty())
            .filter_map(|(name, scene)| {
                let engine = main.with_policy(scene.engine_policy(main.policy())).ok()?;
                let engine = if scene.classifier {
                    engine
                } else {
                    without_models(&engine)
                };
                Some((name.clone(), Arc::new(engine)))
            })
            .collect();
        SceneEngines { engines }
    }

    /// Every scene's engine: its lexicons (`lexicons_for(name)`: those of the main engine
    /// with the scene's edits) plus the scene's policy lexicon, `main`'s policy with the
    /// scene's overrides, `main`'s classifiers where the scene wants them.
    pub fn build(
        policy: &Policy,
        main: &Engine,
        lexicons_for: impl Fn(&str) -> Result<Vec<Lexicon>, Error>,
    ) -> Result<SceneEngines, Error> {
        let mut engines = BTreeMap::new();
        for (name, scene) in &policy.scenes {
            let lexicons = lexicons_for(name)?;
            let own = scene
                .lexicon(name)
                .map_err(|e| Error::invalid("invalid_scene", e.to_string()))?;
            let mut builder = Engine::builder().policy(scene.engine_policy(main.policy()));
            for lexicon in lexicons {
                builder = builder.lexicon(lexicon);
            }
            if !own.is_empty() {
                builder = builder.lexicon(own);
            }
            if scene.classifier {
                if let Some(c) = main.classifier() {
                    builder = builder.classifier(Arc::clone(c));
                }
                if let Some(m) = main.fraud_model() {
                    builder = builder.fraud_model(Arc::clone(m));
                }
                if let Some(m) = main.spam_model() {
                    builder = builder.spam_model(Arc::clone(m));
                }
            }
            let engine = builder
                .build()
                .map_err(|e| Error::invalid("invalid_scene", format!("scene {name}: {e}")))?;
            engines.insert(name.clone(), Arc::new(engine));
        }
        Ok(SceneEngines { engines })
    }

    /// The same scenes with the main engine's classifier as it learned (REV-9), where the
    /// scene uses the classifier.
    pub fn with_classifier(
        &self,
        policy: &Policy,
        classifier: Option<Arc<Classifier>>,
    ) -> SceneEngines {
        let engines = self
            .engines
            .iter()
            .map(|(name, engine)| {
                let uses = policy.scenes.get(name).is_some_and(|s| s.classifier);
                let engine = if uses {
                    Arc::new(engine.with_classifier(classifier.clone()))
                } else {
                    Arc::clone(engine)
                };
                (name.clone(), engine)
            })
            .collect();
        SceneEngines { engines }
    }

    /// The engine of scene `name`; an unknown scene is refused with the known ones listed.
    pub fn get(&self, policy: &Policy, name: &str) -> Result<Arc<Engine>, Error> {
        if let Some(engine) = self.engines.get(name) {
            return Ok(Arc::clone(engine));
        }
        if policy.scenes.contains_key(name) {
            return Err(Error::invalid(
                "scene_unavailable",
                format!("scene {name:?} has a lexicon of its own and this service was started without its engine recipe"),
            ));
        }
        let known: Vec<&str> = policy.scenes.keys().map(String::as_str).collect();
        Err(Error::invalid(
            "unknown_scene",
            if known.is_empty() {
                format!("unknown scene {name:?}: the policy defines no scenes")
            } else {
                format!(
                    "unknown scene {name:?}; the policy's scenes are: {}",
                    known.join(", ")
                )
            },
        ))
    }
}

/// `engine` without its trained models: a scene where only the lexicons and rules judge.
fn without_models(engine: &Engine) -> Engine {
    engine
        .with_classifier(None)
        .without_fraud_model()
        .without_spam_model()
}
