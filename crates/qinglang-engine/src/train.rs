//! Training a [`Classifier`]: Naive-Bayes-scaled logistic regression (NB-LR) over binary
//! hashed character n-grams, fitted with L-BFGS, then Platt-calibrated on held-out data.
//!
//! Everything here is sequential f64 arithmetic in a fixed order, so the same data, options
//! and seed give the same model bit for bit.

use std::collections::VecDeque;

use qinglang_text::Normalizer;

use crate::model::{Classifier, FeatureSpec, ModelError, ModelScratch};

/// One labelled text; `true` means it belongs to the category.
pub type Example<'a> = (&'a str, bool);

/// What to train.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub name: String,
    pub category: String,
    pub spec: FeatureSpec,
    /// Inverse L2 strength (as in liblinear / scikit-learn): larger fits the data harder.
    pub c: f64,
    /// Laplace smoothing of the Naive-Bayes ratios.
    pub alpha: f64,
    /// L-BFGS iteration cap.
    pub max_iter: usize,
}

/// How the fit went.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainReport {
    /// Distinct n-gram buckets seen in the training texts.
    pub features: usize,
    pub iterations: usize,
    pub converged: bool,
    /// Final value of the regularised loss.
    pub objective: f64,
    /// Platt scaling (a, b) fitted on the calibration texts.
    pub calibration: (f32, f32),
}

/// Trains on `train`, calibrates on `calibrate` (held-out texts; may be empty).
pub fn train(
    normalizer: &Normalizer,
    train: &[Example<'_>],
    calibrate: &[Example<'_>],
    options: &TrainOptions,
) -> Result<(Classifier, TrainReport), ModelError> {
    let spec = options.spec;
    // Validates the spec and names before any work.
    Classifier::from_parts(
        &options.name,
        &options.category,
        spec,
        0.0,
        (1.0, 0.0),
        vec![0.0; 1 << spec.bits.clamp(8, 24)],
    )?;
    if !train.iter().any(|e| e.1) || !train.iter().any(|e| !e.1) {
        return Err(ModelError::Invalid(
            "training data needs examples of both labels".into(),
        ));
    }
    if !(options.c > 0.0 && options.alpha > 0.0) {
        return Err(ModelError::Invalid("c and alpha must be positive".into()));
    }

    // Documents as lists of dense feature indices.
    let mut dense = vec![u32::MAX; 1 << spec.bits];
    let mut buckets_of: Vec<u32> = Vec::new();
    let mut docs: Vec<Vec<u32>> = Vec::with_capacity(train.len());
    let mut norm = String::new();
    let mut buckets = Vec::new();
    for (text, _) in train {
        normalizer.normalize_text_into(text, &mut norm);
        spec.features(&norm, &mut buckets);
        docs.push(
            buckets
                .iter()
                .map(|&b| {
                    if dense[b as usize] == u32::MAX {
                        dense[b as usize] = buckets_of.len() as u32;
                        buckets_of.push(b);
                    }
                    dense[b as usize]
                })
                .collect(),
        );
    }
    let d = buckets_of.len();
    let labels: Vec<f64> = train.iter().map(|e| f64::from(u8::from(e.1))).collect();

    // Naive-Bayes log-count ratios: how much more often each n-gram appears in the category.
    let mut pos = vec![options.alpha; d];
    let mut neg = vec![options.alpha; d];
    for (doc, &t) in docs.iter().zip(&labels) {
        let counts = if t > 0.5 { &mut pos } else { &mut neg };
        for &j in doc {
            counts[j as usize] += 1.0;
        }
    }
    let (pos_total, neg_total): (f64, f64) = (pos.iter().sum(), neg.iter().sum());
    let ratio: Vec<f64> = pos
        .iter()
        .zip(&neg)
        .map(|(p, q)| ((p / pos_total) / (q / neg_total)).ln())
        .collect();

    // Parameters: d weights, then the bias.
    let objective = |theta: &[f64], grad: &mut [f64]| -> f64 {
        let (w, b) = theta.split_at(d);
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut loss = 0.0;
        let mut grad_b = 0.0;
        for (doc, &t) in docs.iter().zip(&labels) {
            let z = doc
                .iter()
                .fold(b[0], |s, &j| s + w[j as usize] * ratio[j as usize]);
            loss += softplus(z) - t * z;
            let e = options.c * (sigmoid(z) - t);
            grad_b += e;
            for &j in doc {
                grad[j as usize] += e * ratio[j as usize];
            }
        }
        let mut reg = 0.0;
        for (g, &wj) in grad[..d].iter_mut().zip(w) {
            *g += wj;
            reg += wj * wj;
        }
        grad[d] = grad_b;
        options.c * loss + 0.5 * reg
    };
    let (theta, iterations, converged, value) = lbfgs(d + 1, options.max_iter, objective);

    let mut table = vec![0f32; 1 << spec.bits];
    // How many training texts had each bucket: learning (REV-9) moves well-attested
    // n-grams less.
    let mut support = vec![0u32; 1 << spec.bits];
    for (j, &bucket) in buckets_of.iter().enumerate() {
        table[bucket as usize] = (theta[j] * ratio[j]) as f32;
        support[bucket as usize] = (pos[j] + neg[j] - 2.0 * options.alpha).round() as u32;
    }
    let bias = theta[d] as f32;
    let uncalibrated = Classifier::from_parts(
        &options.name,
        &options.category,
        spec,
        bias,
        (1.0, 0.0),
        table,
    )?;
    let mut scratch = ModelScratch::default();
    let scores: Vec<(f64, f64)> = calibrate
        .iter()
        .map(|(text, y)| {
            normalizer.normalize_text_into(text, &mut norm);
            let s = uncalibrated.score_normalized(&norm, &mut scratch);
            (f64::from(s.logit), f64::from(u8::from(*y)))
        })
        .collect();
    let calibration = platt(&scores);
    let mut classifier = uncalibrated;
    classifier.set_calibration(calibration);
    classifier.set_support(&support);
    Ok((
        classifier,
        TrainReport {
            features: d,
            iterations,
            converged,
            objective: value,
            calibration,
        },
    ))
}

/// What cross-fitted calibration measured.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossReport {
    pub folds: usize,
    /// Texts whose calibrated out-of-fold probability landed on the right side of 0.5.
    pub correct: usize,
    pub total: usize,
}

impl CrossReport {
    pub fn accuracy(&self) -> f64 {
        self.correct as f64 / self.total.max(1) as f64
    }
}

/// Trains on all of `data` and calibrates without a held-out set: `folds` models, each fitted
/// on all but one fold, score the fold they did not see, and Platt scaling is fitted on those
/// out-of-fold scores. Folds are stratified (each label dealt round-robin), so every fold
/// holds both labels whatever the order of the data. This lets every labelled text train the
/// shipped model (a development set used to choose the options can join the training data)
/// while the probability is still calibrated on texts the scoring model had not seen. The
/// out-of-fold accuracy is reported as a held-out figure for the options. The fold models saw
/// (K−1)/K of the data, so the all-data model's scores run slightly larger than those the
/// calibration was fitted on: its probabilities lean a little towards confidence.
pub fn train_cross_calibrated(
    normalizer: &Normalizer,
    data: &[Example<'_>],
    folds: usize,
    options: &TrainOptions,
) -> Result<(Classifier, TrainReport, CrossReport), ModelError> {
    if !(2..=20).contains(&folds) {
        return Err(ModelError::Invalid(format!(
            "calibration folds must be 2 to 20, not {folds}"
        )));
    }
    if data.len() < folds * 2 {
        return Err(ModelError::Invalid(format!(
            "{} texts cannot be split into {folds} folds",
            data.len()
        )));
    }
    let mut dealt = [0usize; 2];
    let fold_of: Vec<usize> = data
        .iter()
        .map(|e| {
            let n = &mut dealt[usize::from(e.1)];
            *n += 1;
            (*n - 1) % folds
        })
        .collect();
    let mut scores: Vec<(f64, f64)> = Vec::with_capacity(data.len());
    let mut norm = String::new();
    let mut scratch = ModelScratch::default();
    for fold in 0..folds {
        let (held, rest): (Vec<_>, Vec<_>) =
            data.iter().zip(&fold_of).partition(|(_, &f)| f == fold);
        let rest: Vec<Example<'_>> = rest.into_iter().map(|(e, _)| *e).collect();
        let (model, _) = train(normalizer, &rest, &[], options).map_err(|e| {
            ModelError::Invalid(format!("calibration fold {} of {folds}: {e}", fold + 1))
        })?;
        for (&(text, y), _) in held {
            normalizer.normalize_text_into(text, &mut norm);
            let s = model.score_normalized(&norm, &mut scratch);
            scores.push((f64::from(s.logit), f64::from(u8::from(y))));
        }
    }
    let calibration = platt(&scores);
    let (a, b) = (f64::from(calibration.0), f64::from(calibration.1));
    let correct = scores
        .iter()
        .filter(|&&(s, t)| (sigmoid(a * s + b) >= 0.5) == (t > 0.5))
        .count();
    let (mut model, mut report) = train(normalizer, data, &[], options)?;
    model.set_calibration(calibration);
    report.calibration = calibration;
    Ok((
        model,
        report,
        CrossReport {
            folds,
            correct,
            total: scores.len(),
        },
    ))
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// ln(1 + e^z) without overflow.
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// Fits probability = sigmoid(a·score + b) by Newton's method on the log-loss.
fn platt(scores: &[(f64, f64)]) -> (f32, f32) {
    if scores.is_empty() {
        return (1.0, 0.0);
    }
    let (mut a, mut b) = (1.0f64, 0.0f64);
    for _ in 0..100 {
        // Gradient and Hessian of Σ softplus(a s + b) − t (a s + b), with a tiny ridge.
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-9, 0.0, 1e-9);
        for &(s, t) in scores {
            let p = sigmoid(a * s + b);
            let w = p * (1.0 - p);
            ga += (p - t) * s;
            gb += p - t;
            haa += w * s * s;
            hab += w * s;
            hbb += w;
        }
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-12 {
            break;
        }
        let da = (hbb * ga - hab * gb) / det;
        let db = (haa * gb - hab * ga) / det;
        a -= da;
        b -= db;
        if da.abs() < 1e-9 && db.abs() < 1e-9 {
            break;
        }
    }
    if a.is_finite() && b.is_finite() && a > 0.0 {
        (a as f32, b as f32)
    } else {
        (1.0, 0.0)
    }
}

/// Limited-memory BFGS with a backtracking (Armijo) line search. Returns the minimiser,
/// the iterations used, whether the gradient test passed, and the final value.
fn lbfgs(
    n: usize,
    max_iter: usize,
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
) -> (Vec<f64>, usize, bool, f64) {
    const MEMORY: usize = 10;
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let mut x = vec![0.0; n];
    let mut g = vec![0.0; n];
    let mut value = f(&x, &mut g);
    let mut history: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::with_capacity(MEMORY);
    let mut direction = vec![0.0; n];
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let mut alphas = [0.0; MEMORY];
    for iteration in 0..max_iter {
        let gnorm = dot(&g, &g).sqrt();
        if gnorm <= 1e-5 * dot(&x, &x).sqrt().max(1.0) {
            return (x, iteration, true, value);
        }
        // Two-loop recursion: direction = −H·g.
        direction.copy_from_slice(&g);
        for (k, (s, y, rho)) in history.iter().enumerate().rev() {
            alphas[k] = rho * dot(s, &direction);
            for (q, yi) in direction.iter_mut().zip(y) {
                *q -= alphas[k] * yi;
            }
        }
        let gamma = history
            .back()
            .map_or(1.0 / gnorm, |(s, y, _)| dot(s, y) / dot(y, y));
        direction.iter_mut().for_each(|q| *q *= gamma);
        for (k, (s, y, rho)) in history.iter().enumerate() {
            let beta = rho * dot(y, &direction);
            for (q, si) in direction.iter_mut().zip(s) {
                *q += (alphas[k] - beta) * si;
            }
        }
        direction.iter_mut().for_each(|q| *q = -*q);
        let mut slope = dot(&g, &direction);
        if slope >= 0.0 {
            // Not a descent direction (numerical trouble): restart from steepest descent.
            history.clear();
            for (q, gi) in direction.iter_mut().zip(&g) {
                *q = -gi / gnorm;
            }
            slope = dot(&g, &direction);
        }
        let mut step = 1.0;
        let mut accepted = false;
        let mut new_value = value;
        for _ in 0..40 {
            for ((xn, xi), di) in x_new.iter_mut().zip(&x).zip(&direction) {
                *xn = xi + step * di;
            }
            new_value = f(&x_new, &mut g_new);
            if new_value <= value + 1e-4 * step * slope {
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            return (x, iteration, false, value);
        }
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-10 {
            if history.len() == MEMORY {
                history.pop_front();
            }
            history.push_back((s, y, 1.0 / sy));
        }
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        let improvement = value - new_value;
        value = new_value;
        if improvement <= 1e-10 * value.abs().max(1.0) {
            return (x, iteration + 1, true, value);
        }
    }
    (x, max_iter, false, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small and fast: a toy table, 1–2-grams, fitted hard.
    fn toy_options() -> TrainOptions {
        TrainOptions {
            name: "t".into(),
            category: "abuse".into(),
            spec: FeatureSpec {
                bits: 14,
                min_n: 1,
                max_n: 2,
                seed: 1,
            },
            c: 10.0,
            alpha: 1.0,
            max_iter: 200,
        }
    }

    #[test]
    fn lbfgs_finds_a_quadratic_minimum() {
        let (x, _, converged, _) = lbfgs(3, 100, |x, g| {
            let t = [1.0, -2.0, 0.5];
            let mut v = 0.0;
            for i in 0..3 {
                g[i] = 2.0 * (i as f64 + 1.0) * (x[i] - t[i]);
                v += (i as f64 + 1.0) * (x[i] - t[i]).powi(2);
            }
            v
        });
        assert!(converged);
        for (a, b) in x.iter().zip([1.0, -2.0, 0.5]) {
            assert!((a - b).abs() < 1e-4, "{x:?}");
        }
    }

    #[test]
    fn training_separates_and_is_deterministic() {
        let normalizer = Normalizer::new();
        let data: Vec<Example<'_>> = vec![
            ("你这个蠢货滚出去", true),
            ("蠢货就是蠢货", true),
            ("滚吧你这个废物", true),
            ("废物一个", true),
            ("今天天气很好", false),
            ("我们去公园散步吧", false),
            ("这家店的面很好吃", false),
            ("明天见", false),
        ];
        let options = toy_options();
        let (a, report) = train(&normalizer, &data, &[], &options).unwrap();
        let (b, _) = train(&normalizer, &data, &[], &options).unwrap();
        assert_eq!(a, b);
        assert!(report.features > 10);
        assert!(a.score(&normalizer, "你是蠢货").probability > 0.5);
        assert!(a.score(&normalizer, "天气很好").probability < 0.5);
        let one_label = [("a", true)];
        assert!(train(&normalizer, &one_label, &[], &options).is_err());
    }

    #[test]
    fn cross_calibration_trains_on_everything_and_reports_held_out_accuracy() {
        let normalizer = Normalizer::new();
        let insults = ["蠢货", "废物", "滚出去", "垃圾", "白痴"];
        let chatter = ["天气很好", "去公园", "面很好吃", "明天见", "看电影"];
        let mut owned = Vec::new();
        for (i, (bad, fine)) in insults.iter().zip(&chatter).enumerate() {
            for j in 0..4 {
                owned.push((format!("第{i}{j}个{bad}就是你"), true));
                owned.push((format!("第{i}{j}次{fine}吧"), false));
            }
        }
        let data: Vec<Example<'_>> = owned.iter().map(|(t, y)| (t.as_str(), *y)).collect();
        let options = toy_options();
        let (model, report, cross) =
            train_cross_calibrated(&normalizer, &data, 4, &options).unwrap();
        // Every text was scored once, by a model that had not seen it.
        assert_eq!((cross.folds, cross.total), (4, data.len()));
        assert!(cross.accuracy() > 0.9, "{cross:?}");
        // The written model is the one trained on all the data, with the out-of-fold calibration.
        let (plain, _) = train(&normalizer, &data, &[], &options).unwrap();
        let mut recalibrated = plain;
        recalibrated.set_calibration(report.calibration);
        assert_eq!(model, recalibrated);
        assert_ne!(report.calibration, (1.0, 0.0));
        assert!(model.score(&normalizer, "你是废物").probability > 0.5);
        assert!(model.score(&normalizer, "明天去公园").probability < 0.5);
        // The data alternates labels: two folds by position would each lack one label;
        // stratified folds hold both.
        let (_, _, two) = train_cross_calibrated(&normalizer, &data, 2, &options).unwrap();
        assert_eq!(two.total, data.len());
        assert!(train_cross_calibrated(&normalizer, &data, 1, &options).is_err());
        assert!(train_cross_calibrated(&normalizer, &data[..5], 4, &options).is_err());
    }
}
