//! `qinglang scan`: documents in, verdicts out, per the contract in DESIGN.md.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use std::sync::Arc;

use qinglang_engine::{Classifier, Engine, Hit, Lexicon, Scratch, Suggestion, Verdict};
use serde_json::value::RawValue;

use crate::{Format, ModelArgs, ScanArgs};

/// Reads and parses a lexicon file; errors name the file and line.
pub fn read_lexicon(path: &Path) -> Result<Lexicon> {
    let text = read_lexicon_text(path)?;
    Ok(Lexicon::parse(&path.display().to_string(), &text)?)
}

/// A lexicon file's text; not UTF-8 is an error naming the line.
pub fn read_lexicon_text(path: &Path) -> Result<String> {
    let bytes =
        fs::read(path).with_context(|| format!("cannot read lexicon {}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        anyhow!(
            "{}:{line}: not UTF-8 text (invalid byte at offset {}); lexicons are UTF-8",
            path.display(),
            valid.len()
        )
    })?;
    Ok(text)
}

/// Reads a model file written by `qinglang train`.
pub fn read_model(path: &Path) -> Result<Classifier> {
    let bytes = fs::read(path).with_context(|| format!("cannot read model {}", path.display()))?;
    Classifier::from_bytes(&bytes).with_context(|| format!("{}", path.display()))
}

/// Builds the engine the scan options ask for.
/// What `--policy` and `--scene` add to the engine: the review policy to apply, the scene's
/// own lexicon, and whether the trained models judge.
#[derive(Debug, Default)]
pub struct SceneChoice {
    pub policy: Option<qinglang_engine::Policy>,
    pub lexicon: Option<Lexicon>,
    pub models: bool,
    /// The policy's `[images]` section: what a picture's review does and its time budget.
    pub images: Option<qinglang_image::Options>,
}

impl SceneChoice {
    /// From `--policy FILE` and `--scene NAME`; an unknown scene names the known ones.
    pub fn from_args(policy: Option<&Path>, scene: Option<&str>) -> Result<SceneChoice> {
        let Some(path) = policy else {
            return Ok(SceneChoice {
                models: true,
                ..SceneChoice::default()
            });
        };
        let loaded = crate::serve::read_policy(path)?;
        let base = loaded.policy.review.engine_policy();
        let images = Some(loaded.policy.images.options());
        let Some(name) = scene else {
            return Ok(SceneChoice {
                policy: Some(base),
                lexicon: None,
                models: true,
                images,
            });
        };
        let scenes = &loaded.policy.scenes;
        let Some(s) = scenes.get(name) else {
            let known: Vec<&str> = scenes.keys().map(String::as_str).collect();
            return Err(anyhow!(
                "--scene {name}: {} defines no such scene ({})",
                path.display(),
                if known.is_empty() {
                    "it defines none".to_owned()
                } else {
                    format!("its scenes: {}", known.join(", "))
                }
            ));
        };
        let lexicon = s.lexicon(name)?;
        Ok(SceneChoice {
            policy: Some(s.engine_policy(&base)),
            lexicon: (!lexicon.is_empty()).then_some(lexicon),
            models: s.classifier,
            images,
        })
    }
}

/// Builds the engine the scan options ask for, in the scene chosen.
pub fn build_scene_engine(
    lexicons: &[PathBuf],
    no_default: bool,
    model: &ModelArgs,
    scene: SceneChoice,
) -> Result<Engine> {
    let no_models = ModelArgs {
        no_model: true,
        ..ModelArgs::default()
    };
    let model = if scene.models { model } else { &no_models };
    let mut engine = build_engine_with(lexicons, no_default, model, scene.lexicon)?;
    if let Some(policy) = scene.policy {
        engine = engine.with_policy(policy)?;
    }
    Ok(engine)
}

pub fn build_engine(lexicons: &[PathBuf], no_default: bool, model: &ModelArgs) -> Result<Engine> {
    build_engine_with(lexicons, no_default, model, None)
}

fn build_engine_with(
    lexicons: &[PathBuf],
    no_default: bool,
    model: &ModelArgs,
    extra: Option<Lexicon>,
) -> Result<Engine> {
    // The model loads on another core while the lexicons compile: both are start-up work
    // that every scan waits for, and neither needs the other.
    // A lexicon that cannot be read or compiled is reported before a model that cannot be
    // loaded.
    std::thread::scope(|scope| {
        let classifier = (!model.no_model).then(|| scope.spawn(|| load_classifier(model)));
        let engine = build_lexicons(lexicons, no_default, model, extra);
        let classifier = classifier.map(|loading| {
            loading
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p))
        });
        let engine = engine?;
        Ok(match classifier {
            Some(classifier) => engine.with_classifier(Some(Arc::new(classifier?))),
            None => engine,
        })
    })
}

/// The engine of the default lexicon (unless `no_default`) and these lexicon files, with
/// the fraud model and the spam model the options leave in.
fn build_lexicons(
    lexicons: &[PathBuf],
    no_default: bool,
    model: &ModelArgs,
    extra: Option<Lexicon>,
) -> Result<Engine> {
    let mut builder = Engine::builder();
    if let Some(extra) = extra {
        builder = builder.lexicon(extra);
    }
    if !model.no_model && !model.no_fraud_model {
        builder = builder.fraud_model(Arc::new(qinglang_engine::default_fraud_model()));
    }
    if !model.no_model && !model.no_spam_model {
        let spam = match &model.spam_model {
            Some(path) => read_model(path)?,
            None => qinglang_engine::default_spam_model(),
        };
        builder = builder.spam_model(Arc::new(spam));
    }
    if !no_default {
        builder = builder.lexicon(qinglang_engine::default_lexicon());
    }
    for path in lexicons {
        builder = builder.lexicon(read_lexicon(path)?);
    }
    Ok(builder.build()?)
}

/// The model the options ask for (`--model`, else the shipped one), with what the
/// deployment taught it (`--learned`) replayed on top.
fn load_classifier(model: &ModelArgs) -> Result<Classifier> {
    let mut classifier = match &model.model {
        Some(path) => read_model(path)?,
        None => qinglang_engine::default_classifier(),
    };
    if let Some(db) = &model.learned {
        use qinglang_governance::Store as _;
        let location = qinglang_store::Location::parse(db);
        if location.sqlite_path().is_some_and(|p| !p.is_file()) {
            return Err(anyhow!("--learned {db}: no such database"));
        }
        let store = qinglang_store::Database::open(&location, Default::default())?;
        let examples = store.read(|tx| tx.learned_examples(classifier.name()))?;
        classifier = qinglang_governance::replay(&classifier, &examples, &Default::default());
    }
    Ok(classifier)
}

/// Reviews one document: plain text, or with `--html` an article page (REV-8), whose hits
/// also say which part of the page they are in.
fn review<'e>(
    engine: &'e Engine,
    text: &str,
    scratch: &mut Scratch,
    html: bool,
) -> (Verdict<'e>, Vec<&'static str>) {
    if html {
        let r = qinglang_article::review(engine, text, scratch);
        (r.verdict, r.parts.iter().map(|p| p.as_str()).collect())
    } else {
        (engine.scan_with(text, scratch), Vec::new())
    }
}

/// Runs the scan; returns whether any document was not `pass`.
pub fn run(args: &ScanArgs) -> Result<bool> {
    if args.floods && !args.jsonl {
        return Err(anyhow!(
            "--floods links the messages of --jsonl input; it needs --jsonl"
        ));
    }
    if args.lexicons.is_empty() && args.no_default_lexicon {
        return Err(anyhow!(
            "--no-default-lexicon needs at least one --lexicon FILE (nothing to match against)"
        ));
    }
    let stdout = io::stdout();
    let color = args.format == Format::Text && stdout.is_terminal();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let flagged = if args.jsonl {
        scan_jsonl(args, &mut out, color)?
    } else if args.image {
        scan_images(args, &mut out, color)?
    } else {
        let scene = SceneChoice::from_args(args.policy.as_deref(), args.scene.as_deref())?;
        let engine =
            build_scene_engine(&args.lexicons, args.no_default_lexicon, &args.model, scene)?;
        let mut flagged = false;
        let mut scratch = Scratch::default();
        if args.files.is_empty() {
            let mut text = String::new();
            io::stdin()
                .read_to_string(&mut text)
                .context("cannot read standard input as UTF-8 text")?;
            let (verdict, parts) = review(&engine, &text, &mut scratch, args.html);
            flagged |= verdict.suggestion != Suggestion::Pass;
            emit(&mut out, args.format, color, None, &text, &verdict, &parts)?;
        } else {
            for path in &args.files {
                let text = read_text(path)?;
                let (verdict, parts) = review(&engine, &text, &mut scratch, args.html);
                flagged |= verdict.suggestion != Suggestion::Pass;
                let label = path.display().to_string();
                let id = serde_json::value::to_raw_value(&label)?;
                emit(
                    &mut out,
                    args.format,
                    color,
                    Some((&id, &label)),
                    &text,
                    &verdict,
                    &parts,
                )?;
            }
        }
        flagged
    };
    out.flush().or_else(crate::ignore_broken_pipe)?;
    Ok(flagged)
}

/// `scan --image`: one verdict per picture, in the order given.
fn scan_images(args: &ScanArgs, out: &mut impl Write, color: bool) -> Result<bool> {
    if args.files.is_empty() {
        return Err(anyhow!("--image reviews picture files: name at least one"));
    }
    let scene = SceneChoice::from_args(args.policy.as_deref(), args.scene.as_deref())?;
    // The policy's `[images]` section, as the server applies it; `--no-ocr` turns OCR off.
    let images = scene.images.clone().unwrap_or_default();
    let engine = build_scene_engine(&args.lexicons, args.no_default_lexicon, &args.model, scene)?;
    let options = qinglang_image::Options {
        ocr: images.ocr && !args.no_ocr,
        ..images
    };
    let known = match &args.image_lists {
        Some(db) => Some(load_image_lists(db)?),
        None => None,
    };
    if options.ocr {
        // Load the OCR networks and build their usual plans once, before any picture's clock
        // starts: a picture's budget is for reading it, not for the process's start (a cold
        // start spent it and sent a clean screenshot to review). A failure here shows again,
        // with its reason, in the first picture's review.
        if let Ok(ocr) = qinglang_image::Ocr::shared() {
            let _ = ocr.warm();
        }
    }
    let mut scratch = Scratch::default();
    let mut flagged = false;
    for path in &args.files {
        let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let review = qinglang_image::review(&engine, &bytes, &options, &mut scratch)
            .map_err(|e| anyhow!("{}: {e}", path.display()))?;
        let matches = known
            .as_ref()
            .map(|k| k.matches(review.hash))
            .unwrap_or_default();
        flagged |= review.verdict.suggestion != Suggestion::Pass || !matches.is_empty();
        let label = path.display().to_string();
        // The verdict with the lists' matches, which may raise it: both formats say that.
        let mut v = serde_json::to_value(qinglang_governance::wire::ImageVerdictJson::new(
            Some(&label),
            &review,
        ))?;
        qinglang_governance::images::apply_matches(
            &mut v,
            &matches,
            review.width,
            review.height,
            engine.policy(),
        );
        let line = match args.format {
            Format::Json => serde_json::to_string(&v)? + "\n",
            Format::Text => {
                let mut text = render_image(&label, &review, &v, color);
                for m in &matches {
                    let _ = writeln!(
                        text,
                        "  image list {} ({}, {}): {} bits from entry {}",
                        m.list.name,
                        m.list.category,
                        m.list.action.as_str(),
                        m.distance,
                        m.entry
                    );
                }
                text
            }
        };
        out.write_all(line.as_bytes())
            .or_else(crate::ignore_broken_pipe)?;
    }
    Ok(flagged)
}

/// The known-bad image lists of a deployment's database (REV-10), read once.
fn load_image_lists(db: &str) -> Result<qinglang_governance::images::KnownImages> {
    use qinglang_governance::Store as _;
    let location = qinglang_store::Location::parse(db);
    if location.sqlite_path().is_some_and(|p| !p.is_file()) {
        return Err(anyhow!("--image-lists {db}: no such database"));
    }
    let store = qinglang_store::Database::open(&location, Default::default())?;
    Ok(store.read(qinglang_governance::images::KnownImages::load)?)
}

/// The people's format for a picture: a header, then each piece with its hits marked.
fn render_image(
    name: &str,
    r: &qinglang_image::ImageReview<'_>,
    judged: &serde_json::Value,
    color: bool,
) -> String {
    let (on, off) = if color {
        ("\x1b[1;31m", "\x1b[0m")
    } else {
        ("【", "】")
    };
    // The header says the verdict as judged (a known-bad list may have raised it).
    let labels: Vec<&str> = judged["labels"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l.as_str())
        .collect();
    let mut s = format!(
        "{name}: {}  score {}",
        judged["suggestion"]
            .as_str()
            .unwrap_or("pass")
            .to_uppercase(),
        judged["score"].as_u64().unwrap_or(0)
    );
    if !labels.is_empty() {
        let _ = write!(s, "  labels {}", labels.join(","));
    }
    let _ = writeln!(
        s,
        "  ({}×{} {}, hash {}{})",
        r.width,
        r.height,
        r.format,
        r.hash.to_hex(),
        if r.incomplete {
            ", time budget ran out"
        } else {
            ""
        }
    );
    let placed = r.placed_hits();
    for piece in &r.pieces {
        let [x, y, w, h] = piece.bbox;
        let mut marked = String::new();
        let mut at = 0;
        let mut names = Vec::new();
        for p in placed.iter().filter(|p| std::ptr::eq(p.piece, piece)) {
            let (start, end) = p.piece_bytes;
            if start < at {
                continue;
            }
            marked.push_str(&piece.text[at..start]);
            let _ = write!(marked, "{on}{}{off}", &piece.text[start..end]);
            at = end;
            names.push(format!("{}/{}", p.hit.category(), p.hit.action().as_str()));
        }
        marked.push_str(&piece.text[at..]);
        let _ = write!(s, "  {} [{x},{y},{w},{h}] {marked}", piece.part.as_str());
        if !names.is_empty() {
            let _ = write!(s, "  {}", names.join(" "));
        }
        s.push('\n');
    }
    s
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "{}: not UTF-8 text (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// How an id reads to a person: strings without their quotes.
fn id_label(id: &RawValue) -> String {
    serde_json::from_str::<String>(id.get()).unwrap_or_else(|_| id.get().to_owned())
}

fn write_json(
    out: &mut Vec<u8>,
    id: Option<&RawValue>,
    text: &str,
    verdict: &Verdict<'_>,
    parts: &[&'static str],
) {
    let json = qinglang_governance::wire::VerdictJson::new(id, text, verdict).with_parts(parts);
    // Serialising plain strings and numbers into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &json);
    out.push(b'\n');
}

fn emit(
    out: &mut impl Write,
    format: Format,
    color: bool,
    id: Option<(&RawValue, &str)>,
    text: &str,
    verdict: &Verdict<'_>,
    parts: &[&'static str],
) -> Result<()> {
    let mut buf = Vec::new();
    match format {
        Format::Json => write_json(&mut buf, id.map(|i| i.0), text, verdict, parts),
        Format::Text => {
            buf.extend_from_slice(render_text(id.map(|i| i.1), text, verdict, color).as_bytes())
        }
    }
    out.write_all(&buf).or_else(crate::ignore_broken_pipe)?;
    Ok(())
}

/// The people's format: one header line per document, then each hit in its line's context.
pub fn render_text(id: Option<&str>, text: &str, verdict: &Verdict<'_>, color: bool) -> String {
    let mut s = String::new();
    let (on, off) = if color {
        ("\x1b[1;31m", "\x1b[0m")
    } else {
        ("【", "】")
    };
    let name = id.unwrap_or("<stdin>");
    let _ = write!(s, "{name}: {}", verdict.suggestion.as_str().to_uppercase());
    let _ = write!(s, "  score {}", verdict.score);
    if !verdict.labels.is_empty() {
        let _ = write!(s, "  labels {}", verdict.labels.join(","));
    }
    s.push('\n');
    // Line and column come from one forward sweep over the hits in text order, and the
    // context is cut from a bounded window, so long one-line inputs stay linear. A page's
    // hits (`--html`) are in the order of its review text, where a link's target follows
    // the link's words but sits before them in the page: sort by where they are.
    let mut hits: Vec<&Hit<'_>> = verdict.hits.iter().collect();
    hits.sort_by_key(|h| h.byte_start);
    let (mut line_no, mut column, mut at, mut line_start) = (1usize, 1usize, 0usize, 0usize);
    for hit in hits {
        if hit.byte_start > at {
            for (offset, c) in text[at..hit.byte_start].char_indices() {
                if c == '\n' {
                    line_no += 1;
                    column = 1;
                    line_start = at + offset + 1;
                } else {
                    column += 1;
                }
            }
            at = hit.byte_start;
        }
        let window_start = floor_boundary(text, hit.byte_start.saturating_sub(64).max(line_start));
        let window_end = ceil_boundary(text, (hit.byte_end + 64).min(text.len()));
        let after_text = &text[hit.byte_end..window_end];
        let after_text = after_text.split('\n').next().unwrap_or("");
        let before = tail_chars(&text[window_start..hit.byte_start], 12);
        let after = head_chars(after_text, 12);
        // Lexicon hits name their file line; a model's hit, its probability.
        let origin = match hit.probability() {
            Some(p) => format!("{} p={p:.2}", hit.source()),
            None => format!("{}:{}", hit.source(), hit.line()),
        };
        let category = match hit.subcategory() {
            Some(sub) => format!("{}/{sub}", hit.category()),
            None => hit.category().to_owned(),
        };
        let _ = writeln!(
            s,
            "  {line_no}:{column}  {before}{on}{}{off}{after}    {} → {category} {} ({origin})",
            hit.text(text),
            hit.term(),
            hit.action(),
        );
    }
    s
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

fn tail_chars(s: &str, n: usize) -> String {
    let count = s.chars().count();
    let prefix = if count > n { "…" } else { "" };
    format!(
        "{prefix}{}",
        s.chars()
            .skip(count.saturating_sub(n))
            .collect::<String>()
            .trim_start()
    )
}

fn head_chars(s: &str, n: usize) -> String {
    let suffix = if s.chars().count() > n { "…" } else { "" };
    format!(
        "{}{suffix}",
        s.chars().take(n).collect::<String>().trim_end()
    )
}

mod jsonl;
use jsonl::scan_jsonl;
