//! `qinglang scan`: documents in, verdicts out, per the contract in DESIGN.md.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use std::sync::Arc;

use qinglang_engine::{
    Classifier, Engine, FloodIndex, Hit, Lexicon, Scratch, Signature, Suggestion, Verdict,
};
use qinglang_governance::wire::ScanLine as InputLine;
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
        let Some(name) = scene else {
            return Ok(SceneChoice {
                policy: Some(base),
                lexicon: None,
                models: true,
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
        let engine = build_lexicons(
            lexicons,
            no_default,
            !model.no_model && !model.no_fraud_model,
            extra,
        );
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

/// The engine of the default lexicon (unless `no_default`) and these lexicon files.
/// With `fraud_model`, the shipped fraud model joins the fraud rule's evidence.
fn build_lexicons(
    lexicons: &[PathBuf],
    no_default: bool,
    fraud_model: bool,
    extra: Option<Lexicon>,
) -> Result<Engine> {
    let mut builder = Engine::builder();
    if let Some(extra) = extra {
        builder = builder.lexicon(extra);
    }
    if fraud_model {
        builder = builder.fraud_model(Arc::new(qinglang_engine::default_fraud_model()));
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
        if !db.is_file() {
            return Err(anyhow!("--learned {}: no such database", db.display()));
        }
        let store = qinglang_store::SqliteStore::open(db)?;
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

/// Lines read per batch: large enough to keep every core busy, small enough to stream.
const BATCH_BYTES: usize = 4 << 20;

fn scan_jsonl(args: &ScanArgs, out: &mut impl Write, color: bool) -> Result<bool> {
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let mut inputs: Vec<(String, Box<dyn BufRead>, Option<u64>)> = Vec::new();
    if args.files.is_empty() {
        inputs.push((
            "<stdin>".to_owned(),
            Box::new(BufReader::new(io::stdin())),
            None,
        ));
    } else {
        for path in &args.files {
            let file =
                fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
            let size = file.metadata().ok().map(|m| m.len());
            inputs.push((
                path.display().to_string(),
                Box::new(BufReader::with_capacity(1 << 20, file)),
                size,
            ));
        }
    }
    let total: Option<u64> = inputs.iter().map(|i| i.2).sum();
    let mut progress = Progress::new(io::stderr().is_terminal(), total);

    // Compile the lexicons while the first batch is read.
    let (engine, first) = std::thread::scope(|scope| {
        let scene = SceneChoice::from_args(args.policy.as_deref(), args.scene.as_deref())?;
        let build = scope.spawn(|| {
            build_scene_engine(&args.lexicons, args.no_default_lexicon, &args.model, scene)
        });
        let first = read_batch(&mut inputs[0].1);
        let engine = build
            .join()
            .map_err(|_| anyhow!("lexicon compilation panicked"))?;
        Ok::<_, anyhow::Error>((engine?, first))
    })?;

    let mut flagged = false;
    let mut floods = args.floods.then(|| Floods {
        index: FloodIndex::with_capacity(
            i64::try_from(args.flood_window).unwrap_or(i64::MAX),
            args.flood_similarity,
            // At most a window's worth of lines; beyond a million it grows as it needs.
            usize::try_from(args.flood_window.min(1 << 20)).unwrap_or(1 << 20),
        ),
        min_copies: args.flood_min_copies,
        base: 0,
    });
    let mut pending = Some(first);
    for (index, (name, reader, _)) in inputs.iter_mut().enumerate() {
        let mut line_no = 0usize;
        loop {
            let batch = match pending.take() {
                Some(b) if index == 0 => b,
                _ => read_batch(reader),
            }
            .with_context(|| format!("cannot read {name}"))?;
            if batch.lines.is_empty() {
                break;
            }
            let run = LineReview {
                engine: &engine,
                name,
                format: args.format,
                color,
                html: args.html,
            };
            let (bytes, failure) = match floods.as_mut() {
                Some(floods) => {
                    scan_batch_floods(run, &batch, line_no, threads, &mut flagged, floods)
                }
                None => scan_batch(run, &batch, line_no, threads, &mut flagged),
            };
            out.write_all(&bytes).or_else(crate::ignore_broken_pipe)?;
            line_no += batch.lines.len();
            progress.advance(batch.lines.len(), batch.bytes);
            if let Some(e) = failure {
                out.flush().or_else(crate::ignore_broken_pipe)?;
                progress.finish();
                return Err(e);
            }
        }
        if let Some(floods) = floods.as_mut() {
            floods.base += line_no as u64;
        }
    }
    progress.finish();
    Ok(flagged)
}

struct Batch {
    /// Raw lines: UTF-8 is checked by the JSON parser as it reads, not twice.
    lines: Vec<Vec<u8>>,
    bytes: usize,
}

fn read_batch(reader: &mut dyn BufRead) -> io::Result<Batch> {
    let mut lines = Vec::new();
    let mut bytes = 0;
    while bytes < BATCH_BYTES {
        let mut line = Vec::new();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        bytes += n;
        lines.push(line);
    }
    Ok(Batch { lines, bytes })
}

/// What every line of one JSONL input is reviewed with and rendered as.
#[derive(Clone, Copy)]
struct LineReview<'a> {
    engine: &'a Engine,
    /// The input's name, for labels and errors.
    name: &'a str,
    format: Format,
    color: bool,
    /// Lines hold HTML pages (REV-8).
    html: bool,
}

/// Scans one batch on `threads` threads; output bytes keep input order. On a malformed line
/// the output holds every verdict before it and the error names the line.
fn scan_batch(
    run: LineReview<'_>,
    batch: &Batch,
    first_line: usize,
    threads: usize,
    flagged: &mut bool,
) -> (Vec<u8>, Option<anyhow::Error>) {
    let chunk = batch.lines.len().div_ceil(threads).max(1);
    let results: Vec<(Vec<u8>, bool, Option<anyhow::Error>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = batch
            .lines
            .chunks(chunk)
            .enumerate()
            .map(|(k, lines)| scope.spawn(move || scan_lines(run, lines, first_line + k * chunk)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    (Vec::new(), false, Some(anyhow!("scanner thread panicked")))
                })
            })
            .collect()
    });
    let mut bytes = Vec::with_capacity(results.iter().map(|r| r.0.len()).sum());
    for (out, any, err) in results {
        bytes.extend_from_slice(&out);
        *flagged |= any;
        if err.is_some() {
            return (bytes, err);
        }
    }
    (bytes, None)
}

/// One JSONL line, parsed (`qinglang_governance::wire::parse_scan_line`): `None` for a
/// blank line; errors name the line.
fn parse_line<'a>(raw: &'a [u8], name: &str, line_no: usize) -> Result<Option<InputLine<'a>>> {
    qinglang_governance::wire::parse_scan_line(raw, name, line_no).map_err(|e| anyhow!(e))
}

fn render_line(
    out: &mut Vec<u8>,
    run: LineReview<'_>,
    line_no: usize,
    parsed: &InputLine<'_>,
    verdict: &Verdict<'_>,
    parts: &[&'static str],
) {
    let LineReview {
        format,
        color,
        name,
        ..
    } = run;
    match format {
        Format::Json => write_json(out, parsed.id, &parsed.text, verdict, parts),
        Format::Text => {
            let label = parsed
                .id
                .map_or_else(|| format!("{name}:{line_no}"), id_label);
            out.extend_from_slice(
                render_text(Some(&label), &parsed.text, verdict, color).as_bytes(),
            );
        }
    }
}

/// A line [`review_lines`] reviewed and rendered.
struct Reviewed {
    /// Index of the line in the slice given.
    index: usize,
    line_no: usize,
    /// Its bytes in the output.
    start: usize,
    end: usize,
    flagged: bool,
}

/// Parses, reviews and renders `lines` in order into `out`, calling `each` for every line
/// reviewed (with the scratch still holding its normalised text). Stops at a malformed line
/// and returns its error; `out` then holds every verdict before it. The one per-line loop of
/// both the plain and the flood-aware scan.
fn review_lines(
    run: LineReview<'_>,
    lines: &[Vec<u8>],
    first_line: usize,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
    mut each: impl FnMut(Reviewed, &Scratch),
) -> Option<anyhow::Error> {
    for (index, raw) in lines.iter().enumerate() {
        let line_no = first_line + index + 1;
        let parsed = match parse_line(raw, run.name, line_no) {
            Ok(Some(p)) => p,
            Ok(None) => continue,
            Err(e) => return Some(e),
        };
        let (verdict, parts) = review(run.engine, &parsed.text, scratch, run.html);
        let start = out.len();
        render_line(out, run, line_no, &parsed, &verdict, &parts);
        let flagged = verdict.suggestion != Suggestion::Pass;
        each(
            Reviewed {
                index,
                line_no,
                start,
                end: out.len(),
                flagged,
            },
            scratch,
        );
    }
    None
}

fn scan_lines(
    run: LineReview<'_>,
    lines: &[Vec<u8>],
    first_line: usize,
) -> (Vec<u8>, bool, Option<anyhow::Error>) {
    let mut out = Vec::with_capacity(lines.len() * 96);
    let mut flagged = false;
    let error = review_lines(
        run,
        lines,
        first_line,
        &mut Scratch::default(),
        &mut out,
        |line, _| flagged |= line.flagged,
    );
    (out, flagged, error)
}

/// Lines per unit of work in a flood-aware batch: small enough that linking keeps pace with
/// the scanners, large enough that handing them over costs nothing.
const FLOOD_CHUNK: usize = 512;

/// One line of a chunk as a scanner left it: rendered as if it belonged to no campaign.
struct LineOut {
    /// Where it is in the chunk and its output, and whether it was flagged.
    line: Reviewed,
    signature: Option<Signature>,
}

/// A chunk scanned and rendered by a scanner thread.
struct ChunkOut {
    out: Vec<u8>,
    lines: Vec<LineOut>,
    /// A malformed line ends the chunk (and the batch there).
    error: Option<anyhow::Error>,
}

fn scan_chunk(
    run: LineReview<'_>,
    lines: &[Vec<u8>],
    first_line: usize,
    scratch: &mut Scratch,
) -> ChunkOut {
    let mut out = Vec::with_capacity(lines.len() * 96);
    let mut done = Vec::with_capacity(lines.len());
    let error = review_lines(
        run,
        lines,
        first_line,
        scratch,
        &mut out,
        |line, scratch| {
            done.push(LineOut {
                line,
                signature: run.engine.signature(scratch),
            })
        },
    );
    ChunkOut {
        out,
        lines: done,
        error,
    }
}

/// Flood-aware batch (REV-7), as a pipeline: scanner threads take chunks in turn, scan,
/// fingerprint and render them; this thread links the lines into campaigns in input order as
/// the chunks arrive (so campaign ids and copy counts never depend on threads) and renders
/// again only the rare lines a campaign flags. Linking overlaps with scanning instead of
/// waiting for it.
fn scan_batch_floods(
    run: LineReview<'_>,
    batch: &Batch,
    first_line: usize,
    threads: usize,
    flagged: &mut bool,
    floods: &mut Floods,
) -> (Vec<u8>, Option<anyhow::Error>) {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let chunks: Vec<&[Vec<u8>]> = batch.lines.chunks(FLOOD_CHUNK).collect();
    let next = AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel::<(usize, ChunkOut)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, chunks) = (&next, &chunks);
            scope.spawn(move || {
                let mut scratch = Scratch::default();
                loop {
                    let c = next.fetch_add(1, Ordering::Relaxed);
                    let Some(lines) = chunks.get(c) else { break };
                    let chunk = scan_chunk(run, lines, first_line + c * FLOOD_CHUNK, &mut scratch);
                    let stop = chunk.error.is_some();
                    if tx.send((c, chunk)).is_err() || stop {
                        // Nothing after a malformed line is wanted.
                        next.fetch_max(chunks.len(), Ordering::Relaxed);
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut out = Vec::new();
        let mut failure = None;
        let mut waiting = BTreeMap::new();
        let mut want = 0;
        let mut scratch = Scratch::default();
        for (c, chunk) in rx {
            waiting.insert(c, chunk);
            while let Some(chunk) = waiting.remove(&want) {
                if failure.is_none() {
                    failure = link_chunk(
                        run,
                        chunks[want],
                        chunk,
                        floods,
                        &mut scratch,
                        &mut out,
                        flagged,
                    );
                }
                want += 1;
            }
        }
        // A scanner that panicked leaves its chunk missing.
        if failure.is_none() && want < chunks.len() {
            failure = Some(anyhow!("scanner thread panicked"));
        }
        (out, failure)
    })
}

/// Links one chunk's lines in order and appends its output; a line a campaign flags is
/// reviewed and rendered again with the campaign's hit. Returns the chunk's error, if any.
fn link_chunk(
    run: LineReview<'_>,
    raw: &[Vec<u8>],
    chunk: ChunkOut,
    floods: &mut Floods,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
    flagged: &mut bool,
) -> Option<anyhow::Error> {
    for LineOut { line, signature } in &chunk.lines {
        let key = floods.base + line.line_no as u64;
        let campaign = signature
            .as_ref()
            .map(|sig| floods.index.observe(key, sig, key as i64))
            .filter(|c| c.copies >= floods.min_copies);
        let Some(campaign) = campaign else {
            out.extend_from_slice(&chunk.out[line.start..line.end]);
            *flagged |= line.flagged;
            continue;
        };
        // Parsed once already: it cannot fail now.
        let Ok(Some(parsed)) = parse_line(&raw[line.index], run.name, line.line_no) else {
            continue;
        };
        let (verdict, mut parts) = review(run.engine, &parsed.text, scratch, run.html);
        let verdict = run
            .engine
            .with_campaign(&parsed.text, verdict, campaign, false);
        // The flood hit covers the whole document: for a page, its body.
        if let Some(at) = verdict.hits.iter().position(|h| h.campaign().is_some()) {
            if !parts.is_empty() {
                parts.insert(at, "body");
            }
        }
        *flagged |= verdict.suggestion != Suggestion::Pass;
        render_line(out, run, line.line_no, &parsed, &verdict, &parts);
    }
    chunk.error
}

/// Flood state for one `qinglang scan` run: time is the line number across all inputs.
struct Floods {
    index: FloodIndex,
    /// Copies (this one included) from which a message is flagged.
    min_copies: u32,
    /// Lines of the inputs before the current one.
    base: u64,
}

/// A one-line progress report on stderr, only when stderr is a terminal.
struct Progress {
    enabled: bool,
    total: Option<u64>,
    lines: usize,
    bytes: u64,
    started: Instant,
    last: Instant,
}

impl Progress {
    fn new(enabled: bool, total: Option<u64>) -> Progress {
        let now = Instant::now();
        Progress {
            enabled,
            total,
            lines: 0,
            bytes: 0,
            started: now,
            last: now,
        }
    }

    fn advance(&mut self, lines: usize, bytes: usize) {
        self.lines += lines;
        self.bytes += bytes as u64;
        if !self.enabled || self.last.elapsed() < Duration::from_millis(200) {
            return;
        }
        self.last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64().max(1e-6);
        let mb = self.bytes as f64 / 1e6;
        let bar = match self.total {
            Some(total) if total > 0 => {
                let frac = (self.bytes as f64 / total as f64).min(1.0);
                let filled = (frac * 30.0) as usize;
                format!(
                    "[{}{}] {:>3.0}% ",
                    "#".repeat(filled),
                    " ".repeat(30 - filled),
                    frac * 100.0
                )
            }
            _ => String::new(),
        };
        eprint!(
            "\r{bar}{} lines, {mb:.1} MB, {:.0} lines/s ",
            self.lines,
            self.lines as f64 / secs
        );
    }

    fn finish(&mut self) {
        if self.enabled && self.started.elapsed() >= Duration::from_millis(200) {
            eprint!("\r\x1b[2K");
        }
    }
}
