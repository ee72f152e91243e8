//! `qinglang train`: fits the text classifier on labelled data and writes a model file
//! (REV-2, REV-9). Deterministic: the same data, options and seed give the same bytes.

use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use qinglang_engine::{Classifier, FeatureSpec, TrainOptions};
use qinglang_text::Normalizer;

use crate::eval::{is_negative, read_examples, Example};

#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Training data (.csv in the COLD / SWSR layout, or .jsonl {"text", "label"}); labels
    /// 0/safe and 1. Repeatable.
    #[arg(long = "train", value_name = "FILE", required = true)]
    pub train: Vec<PathBuf>,
    /// Held-out data the probability is calibrated on (and reported for). Never the test set.
    #[arg(
        long = "calibrate",
        value_name = "FILE",
        conflicts_with = "calibrate_folds"
    )]
    pub calibrate: Option<PathBuf>,
    /// Calibrate on out-of-fold scores instead of a held-out file: K models, each trained
    /// without one K-th of the data, score the part they did not see; the written model is
    /// trained on all of it. Reports the out-of-fold accuracy.
    #[arg(long = "calibrate-folds", value_name = "K",
          value_parser = clap::value_parser!(u8).range(2..=20))]
    pub calibrate_folds: Option<u8>,
    /// Where to write the model.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The model's name: hits report `source: "model:<name>"`.
    #[arg(long, default_value = "cold")]
    pub name: String,
    /// The category its hits carry.
    #[arg(long, default_value = "discrimination")]
    pub category: String,
    /// Hash seed of the n-gram features.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// log2 of the weight table size.
    #[arg(long, default_value_t = 20)]
    pub bits: u8,
    /// Shortest and longest character n-gram, as MIN-MAX.
    #[arg(long, default_value = "1-3")]
    pub ngrams: String,
    /// Inverse regularisation strength.
    #[arg(long, default_value_t = 0.1)]
    pub c: f64,
    /// Laplace smoothing of the Naive-Bayes ratios.
    #[arg(long, default_value_t = 1.0)]
    pub alpha: f64,
    /// L-BFGS iteration cap.
    #[arg(long, default_value_t = 500)]
    pub max_iter: usize,
}

fn binary(examples: &[Example], file: &std::path::Path) -> Result<Vec<(String, bool)>> {
    examples
        .iter()
        .map(|e| match e.label.as_str() {
            "1" => Ok((e.text.clone(), true)),
            l if is_negative(l) => Ok((e.text.clone(), false)),
            l => bail!(
                "{}: label {l:?} is not binary (0/safe or 1)",
                file.display()
            ),
        })
        .collect()
}

fn parse_ngrams(s: &str) -> Result<(u8, u8)> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let parse = |x: &str| {
        x.trim()
            .parse::<u8>()
            .with_context(|| format!("--ngrams {s:?}: expected MIN-MAX such as 1-3"))
    };
    Ok((parse(a)?, parse(b)?))
}

fn as_refs(v: &[(String, bool)]) -> Vec<(&str, bool)> {
    v.iter().map(|(t, y)| (t.as_str(), *y)).collect()
}

pub fn run(args: &TrainArgs) -> Result<()> {
    let started = Instant::now();
    let mut train = Vec::new();
    for file in &args.train {
        train.extend(binary(&read_examples(file)?, file)?);
    }
    let calibrate = match &args.calibrate {
        Some(file) => binary(&read_examples(file)?, file)?,
        None => Vec::new(),
    };
    let (min_n, max_n) = parse_ngrams(&args.ngrams)?;
    let options = TrainOptions {
        name: args.name.clone(),
        category: args.category.clone(),
        spec: FeatureSpec {
            bits: args.bits,
            min_n,
            max_n,
            seed: args.seed,
        },
        c: args.c,
        alpha: args.alpha,
        max_iter: args.max_iter,
    };
    let normalizer = Normalizer::new();
    let (model, report, cross) = match args.calibrate_folds {
        Some(folds) => {
            let (model, report, cross) = qinglang_engine::train_cross_calibrated(
                &normalizer,
                &as_refs(&train),
                usize::from(folds),
                &options,
            )?;
            (model, report, Some(cross))
        }
        None => {
            let (model, report) = qinglang_engine::train(
                &normalizer,
                &as_refs(&train),
                &as_refs(&calibrate),
                &options,
            )?;
            (model, report, None)
        }
    };
    let bytes = model.to_bytes();
    fs::write(&args.out, &bytes).with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!(
        "trained {:?} ({}) on {} texts: {} n-gram buckets, {} L-BFGS iterations{}, \
         objective {:.3}, calibration a={:.4} b={:.4}; wrote {} ({} bytes) in {:.1}s",
        model.name(),
        model.category(),
        train.len(),
        report.features,
        report.iterations,
        if report.converged {
            ""
        } else {
            " (not converged)"
        },
        report.objective,
        report.calibration.0,
        report.calibration.1,
        args.out.display(),
        bytes.len(),
        started.elapsed().as_secs_f64()
    );
    if let Some(cross) = cross {
        eprintln!(
            "out-of-fold accuracy ({} folds, calibrated, at probability 0.5): {:.4} ({}/{})",
            cross.folds,
            cross.accuracy(),
            cross.correct,
            cross.total
        );
    }
    if !calibrate.is_empty() {
        report_accuracy(&model, &normalizer, &calibrate);
    }
    Ok(())
}

/// The model alone on the calibration data, at probability 0.5.
fn report_accuracy(model: &Classifier, normalizer: &Normalizer, data: &[(String, bool)]) {
    let mut norm = String::new();
    let mut scratch = qinglang_engine::ModelScratch::default();
    let correct = data
        .iter()
        .filter(|(text, y)| {
            normalizer.normalize_text_into(text, &mut norm);
            (model.score_normalized(&norm, &mut scratch).probability >= 0.5) == *y
        })
        .count();
    eprintln!(
        "model alone on the calibration data: accuracy {:.4} ({correct}/{})",
        correct as f64 / data.len() as f64,
        data.len()
    );
}
