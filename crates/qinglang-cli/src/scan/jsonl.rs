//! `qinglang scan --jsonl`: a pipeline over chunks of lines. One thread reads ahead from
//! the start (so reading overlaps compiling the lexicons), `threads` scanners take chunks in
//! turn and review and render them, and the calling thread writes their output in input
//! order (linking lines into flood campaigns first, REV-7) while the scanners go on. Output
//! never depends on the number of threads.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use qinglang_engine::{Engine, FloodIndex, Scratch, Signature, Suggestion, Verdict};
use qinglang_governance::wire::ScanLine as InputLine;

use super::{build_scene_engine, id_label, render_text, review, write_json, SceneChoice};
use crate::{Format, ScanArgs};

/// Lines a scanner takes at once: small enough that the scanners finish together, large
/// enough that handing chunks over costs nothing.
const CHUNK_LINES: usize = 512;
/// A chunk ends early past this many bytes, so that a chunk of long pages stays small.
const CHUNK_BYTES: usize = 1 << 20;
/// Chunks read but not yet written: what bounds memory when one chunk is slow.
const CHUNKS_AHEAD: usize = 64;

type Input = (String, Box<dyn BufRead + Send>, Option<u64>);

/// Lines read from one input, numbered across the whole run by `seq`.
struct Chunk {
    seq: usize,
    input: usize,
    /// Lines of the input before this chunk.
    first_line: usize,
    lines: Vec<Vec<u8>>,
    bytes: usize,
}

/// What goes down the pipeline in `seq` order: chunks (read, then scanned), then the end or
/// a read error.
enum Stage<T> {
    Chunk(T),
    Failed {
        seq: usize,
        input: usize,
        error: io::Error,
    },
    End {
        seq: usize,
    },
}

/// What the reader hands to the scanners.
type Read = Stage<Chunk>;

/// What the scanners hand to the writer: each chunk with its output.
type Done = Stage<(Chunk, ChunkOut)>;

impl Done {
    fn seq(&self) -> usize {
        match self {
            Stage::Chunk((c, _)) => c.seq,
            Stage::Failed { seq, .. } | Stage::End { seq } => *seq,
        }
    }
}

/// How far the writer has got, so that the reader stays at most `CHUNKS_AHEAD` chunks in
/// front; and whether the run has stopped (an error), so that everyone winds down.
#[derive(Default)]
struct Window {
    state: Mutex<(usize, bool)>,
    moved: Condvar,
}

impl Window {
    /// Waits until chunk `seq` may be read; false once the run has stopped.
    fn wait_for(&self, seq: usize) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while !state.1 && seq >= state.0 + CHUNKS_AHEAD {
            state = self
                .moved
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        !state.1
    }

    fn written(&self, chunks: usize) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).0 = chunks;
        self.moved.notify_all();
    }

    fn stop(&self) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).1 = true;
        self.moved.notify_all();
    }

    fn stopped(&self) -> bool {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).1
    }
}

pub(super) fn scan_jsonl(args: &ScanArgs, out: &mut impl Write, color: bool) -> Result<bool> {
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let mut inputs: Vec<Input> = Vec::new();
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
    let names: Vec<String> = inputs.iter().map(|i| i.0.clone()).collect();
    let total: Option<u64> = inputs.iter().map(|i| i.2).sum();
    let mut progress = Progress::new(io::stderr().is_terminal(), total);
    let scene = SceneChoice::from_args(args.policy.as_deref(), args.scene.as_deref())?;
    let mut floods = args.floods.then(|| Floods {
        index: FloodIndex::with_capacity(
            i64::try_from(args.flood_window).unwrap_or(i64::MAX),
            args.flood_similarity,
            // At most a window's worth of lines; beyond a million it grows as it needs.
            usize::try_from(args.flood_window.min(1 << 20)).unwrap_or(1 << 20),
        ),
        min_copies: args.flood_min_copies,
        base: 0,
        input: 0,
        lines: 0,
        scratch: Scratch::default(),
    });
    let with_signatures = floods.is_some();

    let engine: OnceLock<Engine> = OnceLock::new();
    let window = Window::default();
    let (read_tx, read_rx) = mpsc::channel::<Read>();
    let read_rx = Mutex::new(read_rx);
    let (done_tx, done_rx) = mpsc::channel::<Done>();
    let result = std::thread::scope(|scope| {
        let window = &window;
        scope.spawn(move || read_chunks(&mut inputs, read_tx, window));
        // Compile the lexicons while the reader reads.
        let built =
            match build_scene_engine(&args.lexicons, args.no_default_lexicon, &args.model, scene) {
                Ok(built) => engine.get_or_init(|| built),
                Err(e) => {
                    window.stop();
                    return Err(e);
                }
            };
        // How a chunk of input `input` is reviewed and rendered, by scanners and writer alike.
        let names = &names;
        let run_for = move |input: usize| LineReview {
            engine: built,
            name: &names[input],
            format: args.format,
            color,
            html: args.html,
        };
        for _ in 0..threads {
            let (done_tx, read_rx) = (done_tx.clone(), &read_rx);
            scope.spawn(move || {
                let mut scratch = Scratch::default();
                loop {
                    let next = read_rx
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .recv();
                    let Ok(read) = next else { break };
                    let done = match read {
                        // Past an error nothing more is wanted: drain without scanning.
                        Stage::Chunk(_) if window.stopped() => continue,
                        Stage::Chunk(chunk) => {
                            let run = run_for(chunk.input);
                            let scanned = catch_unwind(AssertUnwindSafe(|| {
                                scan_chunk(run, &chunk, with_signatures, &mut scratch)
                            }))
                            .unwrap_or_else(|_| {
                                scratch = Scratch::default();
                                ChunkOut::failed(anyhow!("scanner thread panicked"))
                            });
                            Stage::Chunk((chunk, scanned))
                        }
                        Stage::Failed { seq, input, error } => Stage::Failed { seq, input, error },
                        Stage::End { seq } => Stage::End { seq },
                    };
                    // The writer has gone only after an error: nothing to report to.
                    let _ = done_tx.send(done);
                }
            });
        }
        drop(done_tx);
        let written = write_in_order(
            done_rx,
            |seq| window.written(seq),
            |chunk, scanned, buf| {
                let run = run_for(chunk.input);
                progress.advance(chunk.lines.len(), chunk.bytes);
                match floods.as_mut() {
                    Some(floods) => floods.link(run, chunk, scanned, buf),
                    None => {
                        buf.extend_from_slice(&scanned.out);
                        (scanned.flagged, scanned.error)
                    }
                }
            },
            out,
            names,
        );
        window.stop();
        written
    });
    progress.finish();
    result
}

/// Reads every input in turn, in chunks, numbering them; ends with `Stage::End`, or with
/// `Stage::Failed` at the first read error.
fn read_chunks(inputs: &mut [Input], tx: mpsc::Sender<Read>, window: &Window) {
    let mut seq = 0;
    for (input, (_, reader, _)) in inputs.iter_mut().enumerate() {
        let mut first_line = 0;
        loop {
            if !window.wait_for(seq) {
                return;
            }
            let read = match read_chunk(reader) {
                Ok((lines, _)) if lines.is_empty() => break,
                Ok((lines, bytes)) => {
                    let chunk = Chunk {
                        seq,
                        input,
                        first_line,
                        lines,
                        bytes,
                    };
                    first_line += chunk.lines.len();
                    Stage::Chunk(chunk)
                }
                Err(error) => Stage::Failed { seq, input, error },
            };
            let failed = matches!(read, Stage::Failed { .. });
            if tx.send(read).is_err() || failed {
                return;
            }
            seq += 1;
        }
    }
    let _ = tx.send(Stage::End { seq });
}

fn read_chunk(reader: &mut dyn BufRead) -> io::Result<(Vec<Vec<u8>>, usize)> {
    let mut lines = Vec::with_capacity(CHUNK_LINES);
    let mut bytes = 0;
    while lines.len() < CHUNK_LINES && bytes < CHUNK_BYTES {
        let mut line = Vec::new();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        bytes += n;
        lines.push(line);
    }
    Ok((lines, bytes))
}

/// Takes the scanners' chunks as they come and hands them to `render` in `seq` order,
/// writing what it renders; stops at the first error, after writing every verdict before
/// it. Returns whether any verdict was flagged.
fn write_in_order(
    done: mpsc::Receiver<Done>,
    mut written: impl FnMut(usize),
    mut render: impl FnMut(&Chunk, ChunkOut, &mut Vec<u8>) -> (bool, Option<anyhow::Error>),
    out: &mut impl Write,
    names: &[String],
) -> Result<bool> {
    let mut flagged = false;
    let mut waiting = BTreeMap::new();
    let mut want = 0;
    let mut buf = Vec::new();
    for item in done {
        waiting.insert(item.seq(), item);
        while let Some(item) = waiting.remove(&want) {
            want += 1;
            match item {
                Stage::Chunk((chunk, scanned)) => {
                    buf.clear();
                    let (any, error) = render(&chunk, scanned, &mut buf);
                    flagged |= any;
                    out.write_all(&buf).or_else(crate::ignore_broken_pipe)?;
                    if let Some(e) = error {
                        out.flush().or_else(crate::ignore_broken_pipe)?;
                        return Err(e);
                    }
                    written(want);
                }
                Stage::Failed { input, error, .. } => {
                    out.flush().or_else(crate::ignore_broken_pipe)?;
                    return Err(anyhow::Error::new(error))
                        .with_context(|| format!("cannot read {}", names[input]));
                }
                Stage::End { .. } => return Ok(flagged),
            }
        }
    }
    // The channel closed before the end: a scanner is gone.
    Err(anyhow!("scanner thread panicked"))
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

/// One line of a chunk as a scanner left it: rendered as if it belonged to no campaign.
struct LineOut {
    /// Where it is in the chunk and its output, and whether it was flagged.
    line: Reviewed,
    signature: Option<Signature>,
}

/// A chunk scanned and rendered by a scanner thread.
struct ChunkOut {
    out: Vec<u8>,
    /// Whether a line's verdict is not `pass`.
    flagged: bool,
    /// Every line, for linking into campaigns (only when floods are detected).
    lines: Vec<LineOut>,
    /// A malformed line ends the chunk (and the run there).
    error: Option<anyhow::Error>,
}

impl ChunkOut {
    fn failed(error: anyhow::Error) -> ChunkOut {
        ChunkOut {
            out: Vec::new(),
            flagged: false,
            lines: Vec::new(),
            error: Some(error),
        }
    }
}

/// Parses, reviews and renders one chunk; with `signatures`, keeps each line's fingerprint
/// for the flood index.
fn scan_chunk(
    run: LineReview<'_>,
    chunk: &Chunk,
    signatures: bool,
    scratch: &mut Scratch,
) -> ChunkOut {
    let mut out = Vec::with_capacity(chunk.bytes / 2);
    let mut lines = Vec::new();
    let mut flagged = false;
    let error = review_lines(
        run,
        &chunk.lines,
        chunk.first_line,
        scratch,
        &mut out,
        |line, scratch| {
            flagged |= line.flagged;
            if signatures {
                lines.push(LineOut {
                    line,
                    signature: run.engine.signature(scratch),
                });
            }
        },
    );
    ChunkOut {
        out,
        flagged,
        lines,
        error,
    }
}

/// Flood state for one `qinglang scan` run: time is the line number across all inputs.
struct Floods {
    index: FloodIndex,
    /// Copies (this one included) from which a message is flagged.
    min_copies: u32,
    /// Lines of the inputs before the current one.
    base: u64,
    /// The input being linked, and its lines linked so far.
    input: usize,
    lines: u64,
    scratch: Scratch,
}

impl Floods {
    /// Links one chunk's lines in order and appends its output to `out`; a line a campaign
    /// flags is reviewed and rendered again with the campaign's hit. Returns whether a
    /// verdict was flagged and the chunk's error, if any.
    fn link(
        &mut self,
        run: LineReview<'_>,
        raw: &Chunk,
        chunk: ChunkOut,
        out: &mut Vec<u8>,
    ) -> (bool, Option<anyhow::Error>) {
        if raw.input != self.input {
            self.base += self.lines;
            self.input = raw.input;
        }
        self.lines = (raw.first_line + raw.lines.len()) as u64;
        let mut flagged = false;
        for LineOut { line, signature } in &chunk.lines {
            let key = self.base + line.line_no as u64;
            let campaign = signature
                .as_ref()
                .map(|sig| self.index.observe(key, sig, key as i64))
                .filter(|c| c.copies >= self.min_copies);
            let Some(campaign) = campaign else {
                out.extend_from_slice(&chunk.out[line.start..line.end]);
                flagged |= line.flagged;
                continue;
            };
            // Parsed once already: it cannot fail now.
            let Ok(Some(parsed)) = parse_line(&raw.lines[line.index], run.name, line.line_no)
            else {
                continue;
            };
            let (verdict, mut parts) =
                review(run.engine, &parsed.text, &mut self.scratch, run.html);
            let verdict = run
                .engine
                .with_campaign(&parsed.text, verdict, campaign, false);
            // The flood hit covers the whole document: for a page, its body.
            if let Some(at) = verdict.hits.iter().position(|h| h.campaign().is_some()) {
                if !parts.is_empty() {
                    parts.insert(at, "body");
                }
            }
            flagged |= verdict.suggestion != Suggestion::Pass;
            render_line(out, run, line.line_no, &parsed, &verdict, &parts);
        }
        (flagged, chunk.error)
    }
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
