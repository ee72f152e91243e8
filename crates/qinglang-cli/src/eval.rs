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
use qinglang_engine::{Scratch, Suggestion};
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
    /// Write every misclassified text here, one JSON object per line: its verdict as `scan
    /// --format json` gives it (id = the text's position among the labelled texts, from 1),
    /// plus "text", "gold" and "predicted". Reviewed, the lines are input for `qinglang learn
    /// --ham` (false positives) or `--spam` (misses) — under a `.jsonl` name, which is how
    /// `learn` knows to read the "text" field.
    #[arg(long, value_name = "FILE")]
    pub errors: Option<PathBuf>,
}

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
    let engine = crate::scan::build_engine(&args.lexicons, args.no_default_lexicon, &args.model)?;
    let binary = examples
        .iter()
        .all(|e| e.label == "1" || is_negative(&e.label));
    let mut scratch = Scratch::default();
    let mut predictions = Vec::with_capacity(examples.len());
    let started = Instant::now();
    for e in examples {
        let verdict = engine.scan_with(&e.text, &mut scratch);
        let predicted = if binary {
            if verdict.suggestion == Suggestion::Pass {
                "0"
            } else {
                "1"
            }
            .to_owned()
        } else if verdict.suggestion == Suggestion::Pass {
            "safe".to_owned()
        } else {
            verdict.labels.first().map_or("safe", |l| l).to_owned()
        };
        predictions.push(predicted);
    }
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

    let mut confusion: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for (g, p) in gold.iter().zip(&predictions) {
        *confusion
            .entry(g.clone())
            .or_default()
            .entry(p.clone())
            .or_default() += 1;
    }
    let mut classes: BTreeMap<String, ClassScore> = BTreeMap::new();
    let all: std::collections::BTreeSet<&String> = gold.iter().chain(&predictions).collect();
    for class in all {
        let tp = gold
            .iter()
            .zip(&predictions)
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
    let correct = gold
        .iter()
        .zip(&predictions)
        .filter(|(g, p)| g == p)
        .count();
    let macro_f1 = classes.values().map(|c| c.f1).sum::<f64>() / classes.len().max(1) as f64;
    let mut by_fine: BTreeMap<String, (u64, u64, f64)> = BTreeMap::new();
    for (e, p) in examples.iter().zip(&predictions) {
        if let Some(f) = &e.fine {
            let entry = by_fine.entry(f.clone()).or_default();
            entry.0 += 1;
            entry.1 += u64::from(p != "0" && p != "safe");
        }
    }
    for v in by_fine.values_mut() {
        v.2 = v.1 as f64 / v.0.max(1) as f64;
    }
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
        accuracy: correct as f64 / examples.len() as f64,
        macro_f1,
        classes,
        confusion,
        flagged_by_fine_label: by_fine,
        texts_per_second: examples.len() as f64 / seconds.max(1e-9),
        seconds,
    };
    let out = match args.format {
        Format::Json => serde_json::to_string(&report)? + "\n",
        Format::Text => render_text(&report),
    };
    crate::print_stdout(&out)
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
    engine: &qinglang_engine::Engine,
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
    o
}
