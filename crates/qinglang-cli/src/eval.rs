//! `qinglang eval`: quality figures of the whole engine on labelled data (REV-9 groundwork).
//!
//! Input: JSON Lines `{"text", "label"}` or the CSV layouts in `../shared/data` (a text
//! column and a `label` column; COLD's `fine-grained-label` is reported as a breakdown).
//! Labels `0`/`1` (or `safe`/`pass` for 0) are scored as a binary task — a text counts as
//! flagged when its verdict is not `pass`; any other labels are categories, compared with the
//! verdict's labels (`pass` predicts `safe`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};
use qinglang_engine::{Engine, Scratch, Suggestion};
use serde::Serialize;

use crate::Format;

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Labelled data: .jsonl ({"text", "label"}) or .csv (COLD / SWSR layout).
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Add a lexicon file (repeatable).
    #[arg(long = "lexicon", value_name = "FILE")]
    pub lexicons: Vec<PathBuf>,
    /// Use only the lexicons given with --lexicon.
    #[arg(long)]
    pub no_default_lexicon: bool,
    #[command(flatten)]
    pub model: crate::ModelArgs,
    /// Review under the `[review]` section of this policy file (the one `qinglang serve
    /// --policy` reads: verdict and model thresholds) instead of the engine's defaults.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Write every misclassified text here, one JSON object per line: its verdict as `scan
    /// --format json` gives it (id = the text's position among the labelled texts, from 1),
    /// plus "text", "gold" and "predicted". Reviewed, the lines are input for `qinglang learn
    /// --ham` (false positives) or `--spam` (misses) — under a `.jsonl` name, which is how
    /// `learn` knows to read the "text" field.
    #[arg(long, value_name = "FILE")]
    pub errors: Option<PathBuf>,
    /// Also report the figures at other thresholds of the model's review hit (the policy's
    /// `model_review`), to choose one on the deployment's own labelled data: `--thresholds`
    /// for 0.1 … 0.9, 0.95, 0.99 and the current one, or `--thresholds=0.3,0.5,0.7` (with
    /// the `=`). Binary labels only.
    #[arg(
        long,
        value_name = "THRESHOLDS",
        num_args = 0..=1,
        require_equals = true,
        value_delimiter = ','
    )]
    pub thresholds: Option<Vec<f32>>,
}

/// The thresholds `--thresholds` tries when given none.
const THRESHOLD_GRID: [f32; 11] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];

pub(crate) struct Example {
    pub(crate) text: String,
    pub(crate) label: String,
    pub(crate) fine: Option<String>,
}

pub(crate) fn read_examples(path: &Path) -> Result<Vec<Example>> {
    if path.extension().is_some_and(|e| e == "csv") {
        let rows = crate::data::read_labelled_csv(path)?;
        return Ok(rows
            .into_iter()
            .map(|r| Example {
                text: r.text,
                label: r.label,
                fine: r.fine,
            })
            .collect());
    }
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| anyhow!("{}:{}: malformed JSON line ({e})", path.display(), n + 1))?;
        let text = v["text"].as_str().ok_or_else(|| {
            anyhow!(
                "{}:{}: missing string field \"text\"",
                path.display(),
                n + 1
            )
        })?;
        let label = match &v["label"] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(x) => x.to_string(),
            _ => bail!(
                "{}:{}: missing field \"label\" (string or number)",
                path.display(),
                n + 1
            ),
        };
        out.push(Example {
            text: text.to_owned(),
            label,
            fine: None,
        });
    }
    Ok(out)
}

#[derive(Debug, Default, Serialize)]
struct ClassScore {
    precision: f64,
    recall: f64,
    f1: f64,
    support: u64,
}

#[derive(Debug, Serialize)]
struct Report {
    file: String,
    texts: usize,
    mode: &'static str,
    accuracy: f64,
    macro_f1: f64,
    classes: BTreeMap<String, ClassScore>,
    /// gold → predicted → count
    confusion: BTreeMap<String, BTreeMap<String, u64>>,
    /// For data with a fine-grained label: the share flagged per fine label.
    flagged_by_fine_label: BTreeMap<String, (u64, u64, f64)>,
    texts_per_second: f64,
    seconds: f64,
    /// `--thresholds`: the same figures at each model review threshold.
    #[serde(skip_serializing_if = "Option::is_none")]
    thresholds: Option<Thresholds>,
}

#[derive(Debug, Serialize)]
struct Thresholds {
    /// The threshold the report above was made with.
    current: f32,
    rows: Vec<ThresholdRow>,
}

#[derive(Debug, Serialize)]
struct ThresholdRow {
    model_review: f32,
    /// Share of the texts flagged (verdict not `pass`).
    flagged: f64,
    accuracy: f64,
    macro_f1: f64,
    /// Of the flagged texts, the share labelled 1.
    precision: f64,
    /// Of the texts labelled 1, the share flagged.
    recall: f64,
    f1: f64,
    flagged_by_fine_label: BTreeMap<String, (u64, u64, f64)>,
}

/// Accuracy, macro-F1, per-class scores and the confusion table of `predictions`.
struct Metrics {
    accuracy: f64,
    macro_f1: f64,
    classes: BTreeMap<String, ClassScore>,
    confusion: BTreeMap<String, BTreeMap<String, u64>>,
}

pub(crate) fn is_negative(label: &str) -> bool {
    matches!(label, "0" | "safe" | "pass" | "none")
}

pub fn run(args: &EvalArgs) -> Result<()> {
    let examples = read_examples(&args.file)?;
    if examples.is_empty() {
        bail!("{}: no labelled texts", args.file.display());
    }
    // Written beside its final name and renamed at the end: a path that cannot be written
    // fails before the long pass, and a run that fails leaves the old file as it was.
    let partial = args.errors.as_deref().map(partial_path);
    let file = match &partial {
        Some(p) => {
            Some(fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?)
        }
        None => None,
    };
    let result = evaluate(args, &examples, partial.as_deref().zip(file));
    if let (Err(_), Some(partial)) = (&result, &partial) {
        let _ = fs::remove_file(partial);
    }
    result
}

/// Scans the examples and reports; the misclassified ones go to the open partial file of
/// `--errors`, renamed to its final name once written.
fn evaluate(
    args: &EvalArgs,
    examples: &[Example],
    errors_out: Option<(&Path, fs::File)>,
) -> Result<()> {
    // Read before the lexicons compile, so a bad file fails at once; reading checks its
    // `[review]` thresholds as the server would.
    let policy = args
        .policy
        .as_deref()
        .map(crate::serve::read_policy)
        .transpose()?;
    let engine = crate::scan::build_engine(&args.lexicons, args.no_default_lexicon, &args.model)?;
    let engine = match policy {
        Some(loaded) => engine.with_policy(loaded.policy.review.engine_policy())?,
        None => engine,
    };
    let binary = examples
        .iter()
        .all(|e| e.label == "1" || is_negative(&e.label));
    // Checked before the long pass: a request that cannot be met should not cost one.
    let at = match &args.thresholds {
        Some(given) => Some(threshold_engines(&engine, given, binary, &args.file)?),
        None => None,
    };
    let started = Instant::now();
    let predictions = predict(&engine, examples, binary);
    let seconds = started.elapsed().as_secs_f64();
    let gold: Vec<String> = examples
        .iter()
        .map(|e| {
            if !binary && is_negative(&e.label) {
                "safe".to_owned()
            } else {
                e.label.clone()
            }
        })
        .collect();
    let Metrics {
        accuracy,
        macro_f1,
        classes,
        confusion,
    } = metrics(&gold, &predictions);
    let by_fine = fine_breakdown(examples, &predictions);
    let thresholds = at.map(|at| Thresholds {
        current: engine.policy().model_review,
        rows: at
            .iter()
            .map(|(model_review, engine)| threshold_row(*model_review, engine, examples, &gold))
            .collect(),
    });
    if let (Some(path), Some((partial, file))) = (&args.errors, errors_out) {
        let wrong = write_errors(partial, file, &engine, examples, &gold, &predictions)?;
        fs::rename(partial, path).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {wrong} misclassified texts to {}", path.display());
    }
    let report = Report {
        file: args.file.display().to_string(),
        texts: examples.len(),
        mode: if binary {
            "binary (flagged = not pass)"
        } else {
            "categories"
        },
        accuracy,
        macro_f1,
        classes,
        confusion,
        flagged_by_fine_label: by_fine,
        texts_per_second: examples.len() as f64 / seconds.max(1e-9),
        seconds,
        thresholds,
    };
    let out = match args.format {
        Format::Json => serde_json::to_string(&report)? + "\n",
        Format::Text => render_text(&report),
    };
    crate::print_stdout(&out)
}

/// Each example's predicted label: `0`/`1` for binary data (flagged = not `pass`), else the
/// verdict's first label (`safe` for `pass`).
fn predict(engine: &Engine, examples: &[Example], binary: bool) -> Vec<String> {
    let mut scratch = Scratch::default();
    examples
        .iter()
        .map(|e| {
            let verdict = engine.scan_with(&e.text, &mut scratch);
            let label = match (binary, verdict.suggestion == Suggestion::Pass) {
                (true, true) => "0",
                (true, false) => "1",
                (false, true) => "safe",
                (false, false) => verdict.labels.first().map_or("safe", |l| l),
            };
            label.to_owned()
        })
        .collect()
}

fn metrics(gold: &[String], predictions: &[String]) -> Metrics {
    let mut confusion: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for (g, p) in gold.iter().zip(predictions) {
        *confusion
            .entry(g.clone())
            .or_default()
            .entry(p.clone())
            .or_default() += 1;
    }
    let mut classes: BTreeMap<String, ClassScore> = BTreeMap::new();
    let all: std::collections::BTreeSet<&String> = gold.iter().chain(predictions).collect();
    for class in all {
        let tp = gold
            .iter()
            .zip(predictions)
            .filter(|(g, p)| *g == class && *p == class)
            .count() as f64;
        let predicted = predictions.iter().filter(|p| *p == class).count() as f64;
        let support = gold.iter().filter(|g| *g == class).count() as f64;
        let precision = if predicted > 0.0 { tp / predicted } else { 0.0 };
        let recall = if support > 0.0 { tp / support } else { 0.0 };
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        if support > 0.0 {
            classes.insert(
                class.clone(),
                ClassScore {
                    precision,
                    recall,
                    f1,
                    support: support as u64,
                },
            );
        }
    }
    let correct = gold.iter().zip(predictions).filter(|(g, p)| g == p).count();
    let macro_f1 = classes.values().map(|c| c.f1).sum::<f64>() / classes.len().max(1) as f64;
    Metrics {
        accuracy: correct as f64 / gold.len().max(1) as f64,
        macro_f1,
        classes,
        confusion,
    }
}

/// For data with a fine-grained label (COLD test): per fine label, (texts, flagged, share).
fn fine_breakdown(
    examples: &[Example],
    predictions: &[String],
) -> BTreeMap<String, (u64, u64, f64)> {
    let mut by_fine: BTreeMap<String, (u64, u64, f64)> = BTreeMap::new();
    for (e, p) in examples.iter().zip(predictions) {
        if let Some(f) = &e.fine {
            let entry = by_fine.entry(f.clone()).or_default();
            entry.0 += 1;
            entry.1 += u64::from(p != "0" && p != "safe");
        }
    }
    for v in by_fine.values_mut() {
        v.2 = v.1 as f64 / v.0.max(1) as f64;
    }
    by_fine
}

/// The engine at each model review threshold `--thresholds` asks for (the default grid and
/// the current one when it names none), sorted: the policy changes, nothing is recompiled.
/// Every threshold is checked here, before any text is scanned.
fn threshold_engines(
    engine: &Engine,
    given: &[f32],
    binary: bool,
    file: &Path,
) -> Result<Vec<(f32, Engine)>> {
    if !binary {
        bail!(
            "--thresholds needs binary labels (0/1, safe/pass for 0): {} has categories",
            file.display()
        );
    }
    if engine.classifier().is_none() {
        bail!("--thresholds varies the model's review threshold: it needs the model (drop --no-model)");
    }
    let mut thresholds: Vec<f32> = if given.is_empty() {
        // A policy that blocks from `model_block` on cannot review from there: the grid
        // stops below it (a threshold asked for by name is refused instead, below).
        let block = engine.policy().model_block;
        THRESHOLD_GRID
            .iter()
            .copied()
            .filter(|&t| block.is_none_or(|b| t < b))
            .chain([engine.policy().model_review])
            .collect()
    } else {
        given.to_vec()
    };
    if let Some(bad) = thresholds.iter().find(|t| !(0.0..=1.0).contains(*t)) {
        bail!("--thresholds: {bad} is not between 0 and 1");
    }
    thresholds.sort_by(f32::total_cmp);
    thresholds.dedup();
    thresholds
        .into_iter()
        .map(|model_review| {
            let policy = qinglang_engine::Policy {
                model_review,
                ..engine.policy().clone()
            };
            let at = engine
                .with_policy(policy)
                .with_context(|| format!("--thresholds: {model_review}"))?;
            Ok((model_review, at))
        })
        .collect()
}

/// The (binary) examples scanned again by the engine at one threshold: every figure is
/// exact, not read off one pass's probabilities (a lexicon hit or a contact keeps a text
/// flagged at any threshold).
fn threshold_row(
    model_review: f32,
    engine: &Engine,
    examples: &[Example],
    gold: &[String],
) -> ThresholdRow {
    let predictions = predict(engine, examples, true);
    let m = metrics(gold, &predictions);
    let positive = m.classes.get("1");
    let flagged = predictions.iter().filter(|p| *p == "1").count();
    ThresholdRow {
        model_review,
        flagged: flagged as f64 / predictions.len().max(1) as f64,
        accuracy: m.accuracy,
        macro_f1: m.macro_f1,
        precision: positive.map_or(0.0, |c| c.precision),
        recall: positive.map_or(0.0, |c| c.recall),
        f1: positive.map_or(0.0, |c| c.f1),
        flagged_by_fine_label: fine_breakdown(examples, &predictions),
    }
}

/// `wrong.jsonl` → `wrong.jsonl.partial`, in the same directory (so the rename stays on one
/// file system).
fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".partial");
    path.with_file_name(name)
}

/// Writes the misclassified examples with their verdicts; returns how many. They are
/// scanned again here rather than kept from the timed pass, which stays a pure scan.
fn write_errors(
    path: &Path,
    file: fs::File,
    engine: &Engine,
    examples: &[Example],
    gold: &[String],
    predictions: &[String],
) -> Result<usize> {
    use std::io::Write;
    let context = || format!("cannot write {}", path.display());
    let mut out = std::io::BufWriter::new(file);
    let mut scratch = Scratch::default();
    let mut wrong = 0;
    for (n, ((e, g), p)) in examples.iter().zip(gold).zip(predictions).enumerate() {
        if g == p {
            continue;
        }
        wrong += 1;
        let verdict = engine.scan_with(&e.text, &mut scratch);
        let id = n + 1;
        let mut line = serde_json::to_value(qinglang_governance::wire::VerdictJson::new(
            Some(&id),
            &e.text,
            &verdict,
        ))?;
        if let Some(fields) = line.as_object_mut() {
            fields.insert("text".into(), e.text.clone().into());
            fields.insert("gold".into(), g.clone().into());
            fields.insert("predicted".into(), p.clone().into());
        }
        serde_json::to_writer(&mut out, &line).with_context(context)?;
        out.write_all(b"\n").with_context(context)?;
    }
    out.flush().with_context(context)?;
    Ok(wrong)
}

fn render_text(r: &Report) -> String {
    use std::fmt::Write;
    // Writing into a String cannot fail.
    let mut o = String::new();
    let _ = writeln!(o, "{}: {} texts, {}", r.file, r.texts, r.mode);
    let _ = writeln!(o, "accuracy {:.4}   macro-F1 {:.4}", r.accuracy, r.macro_f1);
    let _ = writeln!(
        o,
        "{:<16} {:>9} {:>9} {:>9} {:>9}",
        "class", "precision", "recall", "F1", "support"
    );
    for (class, s) in &r.classes {
        let _ = writeln!(
            o,
            "{class:<16} {:>9.4} {:>9.4} {:>9.4} {:>9}",
            s.precision, s.recall, s.f1, s.support
        );
    }
    let predicted: std::collections::BTreeSet<&String> =
        r.confusion.values().flat_map(|m| m.keys()).collect();
    let _ = write!(o, "{:<16}", "gold \\ predicted");
    for p in &predicted {
        let _ = write!(o, " {p:>9}");
    }
    o.push('\n');
    for (g, row) in &r.confusion {
        let _ = write!(o, "{g:<16}");
        for p in &predicted {
            let _ = write!(o, " {:>9}", row.get(*p).copied().unwrap_or(0));
        }
        o.push('\n');
    }
    for (fine, (n, flagged, rate)) in &r.flagged_by_fine_label {
        let _ = writeln!(
            o,
            "fine-grained label {fine}: {flagged} of {n} flagged ({:.2}%)",
            rate * 100.0
        );
    }
    let _ = writeln!(
        o,
        "throughput: {:.0} texts/s ({:.3} s, one thread)",
        r.texts_per_second, r.seconds
    );
    if let Some(at) = &r.thresholds {
        render_thresholds(&mut o, at);
    }
    o
}

fn render_thresholds(o: &mut String, at: &Thresholds) {
    use std::fmt::Write;
    let _ = writeln!(
        o,
        "\nmodel_review thresholds (the policy's threshold for the model's review hit; * = {}, \
         used above; precision, recall and F1 of label 1):",
        at.current
    );
    let fine: Vec<&String> = at
        .rows
        .first()
        .map(|r| r.flagged_by_fine_label.keys().collect())
        .unwrap_or_default();
    let _ = write!(
        o,
        "{:>10} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "threshold", "flagged", "accuracy", "macro-F1", "precision", "recall", "F1"
    );
    for f in &fine {
        let _ = write!(o, " {:>8}", format!("fine {f}"));
    }
    o.push('\n');
    for row in &at.rows {
        let mark = if row.model_review == at.current {
            "*"
        } else {
            " "
        };
        let _ = write!(
            o,
            "{:>9}{mark} {:>7.2}% {:>9.4} {:>9.4} {:>9.4} {:>9.4} {:>9.4}",
            row.model_review,
            row.flagged * 100.0,
            row.accuracy,
            row.macro_f1,
            row.precision,
            row.recall,
            row.f1
        );
        for f in &fine {
            let share = row.flagged_by_fine_label.get(*f).map_or(0.0, |v| v.2);
            let _ = write!(o, " {:>7.2}%", share * 100.0);
        }
        o.push('\n');
    }
    if !fine.is_empty() {
        let _ = writeln!(
            o,
            "(fine N: share of the texts with that fine-grained label flagged)"
        );
    }
}
