//! The `qinglang` command. Glue only: argument parsing, files, output formats and exit
//! codes; the review itself lives in `qinglang-engine`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod curate;
mod data;
mod eval;
mod scan;
mod serve;
mod train;

/// qinglang (清朗): content review and governance for public accounts and groups — scan text,
/// serve the API and the moderators' console, and keep tokens, operators, the audit trail
/// and backups.
#[derive(Debug, Parser)]
#[command(name = "qinglang", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Review text: files, or standard input when no FILE is given.
    ///
    /// Exit status: 0 when every document passes, 1 when any is review or block, 2 on error.
    Scan(ScanArgs),
    /// Quality figures on labelled data: precision, recall, F1, accuracy, confusion table.
    Eval(eval::EvalArgs),
    /// Train the text classifier on labelled data and write a model file.
    Train(train::TrainArgs),
    /// Teach the deployment's model confirmed violations (--spam) or false positives (--ham),
    /// one text per line (.jsonl: the "text" field); or --reset, --forget, --list, --status.
    Learn(LearnArgs),
    /// Emergency sweep (ENF-3): optionally add terms and tighten thresholds (one audited
    /// change), then re-scan what was stored in the last hours; prints what it catches.
    ///
    /// Exit status: 0 when nothing is caught, 1 when something is, 2 on error.
    Sweep(serve::SweepArgs),
    /// Lexicon tools.
    #[command(subcommand)]
    Lexicon(LexiconCommand),
    /// Run the governance service (HTTP API) on the embedded SQLite store, or on
    /// PostgreSQL (--db postgres://…) with Redis (--redis) behind several nodes.
    ///
    /// With no arguments: ./qinglang.db, 127.0.0.1:8080, the shipped policy, the data key
    /// from --key-file, QINGLANG_KEY or ./qinglang.key. Prints the first admin token on the
    /// first start.
    Serve(serve::ServeArgs),
    /// Bearer tokens for principals.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The yearly governance report (AUD-3) as an HTML document with charts: volumes by
    /// category, actions by type, report handling times, appeal outcomes.
    Report(serve::ReportArgs),
    /// Console operators who sign in with a name and password.
    #[command(subcommand)]
    User(UserCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The data key that encrypts identity data.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Copy the database into a new file while the server runs (SQLite's online backup:
    /// one consistent snapshot), then check the copy's integrity and its audit chain.
    ///
    /// Exit status: 0 when the copy is whole and its chain verifies, 1 when the chain does
    /// not, 2 on error.
    Backup(serve::BackupArgs),
    /// Put a backup back as the database (stop the server first), then check its audit
    /// chain. Exit status as for backup.
    Restore(serve::RestoreArgs),
    /// Bring the database's schema up to this version (serve does it on start).
    Migrate {
        #[command(flatten)]
        store: serve::StoreArgs,
    },
    /// Copy a SQLite deployment into a new PostgreSQL database, every record in one
    /// transaction, then verify the audit chain there.
    ///
    /// Exit status: 0 when the copy's chain verifies, 1 when it does not, 2 on error.
    Copy(serve::CopyArgs),
}

#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
struct LearnChoice {
    /// Texts that are confirmed violations.
    #[arg(long, value_name = "FILE")]
    spam: Option<PathBuf>,
    /// Texts that were flagged but are fine (confirmed false positives).
    #[arg(long, value_name = "FILE")]
    ham: Option<PathBuf>,
    /// Forget everything learned and return to the shipped model.
    #[arg(long)]
    reset: bool,
    /// Print how many examples the model has learned (JSON).
    #[arg(long)]
    status: bool,
    /// Print every learned example, in the order they are applied (JSON Lines: id, label,
    /// actor, at, text).
    #[arg(long)]
    list: bool,
    /// Forget one learned example (its id from --list) and apply the others again.
    #[arg(long, value_name = "ID")]
    forget: Option<i64>,
}

#[derive(Debug, clap::Args)]
struct LearnArgs {
    #[command(flatten)]
    choice: LearnChoice,
    #[command(flatten)]
    store: serve::StoreArgs,
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a principal and print its bearer token (shown once).
    Create {
        /// service, moderator, lead, auditor or admin.
        #[arg(long)]
        role: String,
        /// Who the principal is (shown in audit records).
        #[arg(long)]
        name: String,
        /// Print a Tencent Cloud API 3.0 key pair instead (`SecretId: AKID…` and
        /// `SecretKey: …`), for the TMS-compatible endpoint `POST /` and the official SDKs.
        #[arg(long)]
        tc3: bool,
        #[command(flatten)]
        store: serve::StoreArgs,
    },
    /// Revoke every token of a principal.
    Revoke {
        /// The principal's name.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        store: serve::StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an operator for the console. The password (at least 10 characters) is read
    /// from --password-file, or from standard input (not echoed on a terminal); it is stored
    /// as an argon2id hash.
    Create {
        /// Sign-in name (shown in audit records).
        #[arg(long)]
        name: String,
        /// moderator, lead, auditor or admin.
        #[arg(long)]
        role: String,
        /// A file whose first line is the password.
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
        #[command(flatten)]
        store: serve::StoreArgs,
    },
    /// List the console's operators: name, role, when created, and whether disabled.
    List {
        #[command(flatten)]
        store: serve::StoreArgs,
    },
    /// Disable an operator: they can no longer sign in, and their open sessions end at once
    /// (the same as `token revoke --name NAME`; audited).
    Disable {
        #[arg(long)]
        name: String,
        #[command(flatten)]
        store: serve::StoreArgs,
    },
    /// Give an operator a new password (read like `create`'s); their sessions end (audited).
    Password {
        #[arg(long)]
        name: String,
        /// A file whose first line is the password.
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
        #[command(flatten)]
        store: serve::StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the hash chain; exit status 1 when it is broken.
    Verify {
        #[command(flatten)]
        store: serve::StoreArgs,
    },
    /// Export entries with from <= time < to as JSON Lines.
    Export {
        /// YYYY-MM-DD or RFC 3339 (UTC).
        #[arg(long)]
        from: String,
        /// YYYY-MM-DD or RFC 3339 (UTC), exclusive.
        #[arg(long)]
        to: String,
        #[command(flatten)]
        store: serve::StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
enum KeyCommand {
    /// Write a new random key to ./qinglang.key (mode 600) unless one exists.
    Init,
}

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Files to review (each is one document); standard input when none.
    pub files: Vec<PathBuf>,
    /// Output format: text is for people, json is one JSON object per line.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Input lines are {"id": string|number, "text": string}; one verdict per line, same order.
    #[arg(long)]
    pub jsonl: bool,
    /// Add a lexicon file (term<TAB>category<TAB>action per line); repeatable.
    #[arg(long = "lexicon", value_name = "FILE")]
    pub lexicons: Vec<PathBuf>,
    /// Use only the lexicons given with --lexicon.
    #[arg(long)]
    pub no_default_lexicon: bool,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Files are pictures (PNG, JPEG, WebP, GIF; REV-10): their QR codes are decoded, their
    /// text read (OCR), and every payload and paragraph reviewed; one verdict per picture,
    /// each hit with its `part` (qr, ocr) and `box`.
    #[arg(long, conflicts_with_all = ["jsonl", "html", "floods"])]
    pub image: bool,
    /// With --image: also match each picture against the known-bad image lists kept in this
    /// database (a path, sqlite://… or postgres://…, as `serve --db`), as the server does.
    #[arg(long, value_name = "PATH|URL", requires = "image")]
    pub image_lists: Option<String>,
    /// With --image: do not read the text in pictures (QR codes only; about 20 times faster).
    #[arg(long, requires = "image")]
    pub no_ocr: bool,
    /// Documents are HTML pages (public-account articles, REV-8): the title, visible text,
    /// hidden text and link targets are reviewed; spans point into the HTML and each hit
    /// says its `part` (title, body, hidden, link). With --jsonl, "text" holds the HTML.
    #[arg(long)]
    pub html: bool,
    /// Link near-duplicate messages of --jsonl input into flood campaigns (REV-7): a message
    /// with --flood-min-copies near copies within --flood-window lines gets a `spam` hit
    /// (`source: "rule:flood"`, `campaign: {"id": line of its first copy, "copies": n}`).
    #[arg(long)]
    pub floods: bool,
    /// Lines within which near copies count.
    #[arg(long, value_name = "LINES", default_value_t = 100_000)]
    pub flood_window: u64,
    /// Copies (this one included) from which a message is flagged.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(2..))]
    pub flood_min_copies: u32,
    /// Least share of equal MinHash values for two messages to be near copies (0–1).
    #[arg(long, value_name = "S", default_value_t = 0.5, value_parser = similarity)]
    pub flood_similarity: f32,
    /// Worker threads for --jsonl input (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Review under this policy file's `[review]` section (the one `qinglang serve --policy`
    /// reads) instead of the engine's defaults.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Review in this scene of the policy (`[scenes.NAME]`: its thresholds, categories,
    /// lexicon and classifier choice); needs --policy.
    #[arg(long, value_name = "NAME", requires = "policy")]
    pub scene: Option<String>,
}

/// Which trained classifier joins the lexicons (REV-2).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ModelArgs {
    /// Use this trained model (written by `qinglang train`) instead of the shipped one.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Review with lexicons and rules only, no trained model (neither the abuse classifier
    /// nor the fraud model nor the spam model).
    #[arg(long, conflicts_with_all = ["model", "spam_model"])]
    pub no_model: bool,
    /// Leave out the shipped fraud model; the fraud rule still weighs its other evidence
    /// (sender, reason, look-alike link, an action off the platform).
    #[arg(long)]
    pub no_fraud_model: bool,
    /// Use this spam model (written by `qinglang train`, e.g. by
    /// scripts/train_spam_model.sh on a deployment's own pages) instead of the shipped one.
    #[arg(long, value_name = "FILE")]
    pub spam_model: Option<PathBuf>,
    /// Leave out the spam model (SEO runs and spam posts, issue #19); lexicons and rules
    /// still find stuffing.
    #[arg(long, conflicts_with = "spam_model")]
    pub no_spam_model: bool,
    /// Apply what the deployment's model learned, as kept in this store (`qinglang learn`,
    /// moderators' decisions): a SQLite file or a postgres:// URL.
    #[arg(long, value_name = "PATH|URL", conflicts_with = "no_model")]
    pub learned: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum LexiconCommand {
    /// Rebuild a curated lexicon from the raw houbb word lists, measured against clean text.
    ///
    /// Writes the lexicon and a report of every dropped or demoted term and why.
    Build(curate::BuildArgs),
    /// Check lexicon files: parse and compile them, report errors with file and line.
    Check {
        /// Lexicon files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn similarity(s: &str) -> Result<f32, String> {
    s.parse::<f32>()
        .ok()
        .filter(|v| (0.2..=1.0).contains(v))
        .ok_or_else(|| format!("{s:?} is not a share between 0.2 and 1"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan::run(&args),
        Command::Eval(args) => eval::run(&args).map(|()| false),
        Command::Train(args) => train::run(&args).map(|()| false),
        Command::Sweep(args) => serve::sweep(&args),
        Command::Lexicon(LexiconCommand::Build(args)) => curate::run(&args).map(|()| false),
        Command::Lexicon(LexiconCommand::Check { files }) => check(&files).map(|()| false),
        Command::Serve(args) => serve::serve(&args).map(|()| false),
        Command::Token(TokenCommand::Create {
            role,
            name,
            tc3,
            store,
        }) => serve::token_create(&store, &role, &name, tc3).map(|()| false),
        Command::Token(TokenCommand::Revoke { name, store }) => {
            serve::token_revoke(&store, &name).map(|()| false)
        }
        Command::Report(args) => serve::annual_report(&args).map(|()| false),
        Command::User(UserCommand::Create {
            name,
            role,
            password_file,
            store,
        }) => serve::user_create(&store, &name, &role, password_file.as_deref()).map(|()| false),
        Command::User(UserCommand::List { store }) => serve::user_list(&store).map(|()| false),
        Command::User(UserCommand::Disable { name, store }) => {
            serve::token_revoke(&store, &name).map(|()| false)
        }
        Command::User(UserCommand::Password {
            name,
            password_file,
            store,
        }) => serve::user_password(&store, &name, password_file.as_deref()).map(|()| false),
        Command::Audit(AuditCommand::Verify { store }) => serve::audit_verify(&store).map(|ok| !ok),
        Command::Backup(args) => serve::backup(&args).map(|ok| !ok),
        Command::Restore(args) => serve::restore(&args).map(|ok| !ok),
        Command::Migrate { store } => serve::migrate(&store).map(|()| false),
        Command::Copy(args) => serve::copy(&args).map(|ok| !ok),
        Command::Audit(AuditCommand::Export { from, to, store }) => {
            serve::audit_export(&store, &from, &to).map(|()| false)
        }
        Command::Key(KeyCommand::Init) => serve::key_init().map(|()| false),
        Command::Learn(LearnArgs { choice, store }) => {
            let action = match (&choice.spam, &choice.ham) {
                (Some(file), _) => serve::LearnAction::Teach(qinglang_engine::Label::Spam, file),
                (_, Some(file)) => serve::LearnAction::Teach(qinglang_engine::Label::Ham, file),
                _ if choice.reset => serve::LearnAction::Reset,
                _ if choice.list => serve::LearnAction::List,
                _ => match choice.forget {
                    Some(id) => serve::LearnAction::Forget(id),
                    None => serve::LearnAction::Status,
                },
            };
            serve::learn(&store, action).map(|()| false)
        }
    };
    match result {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::from(1),
        Err(e) => {
            eprintln!("qinglang: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Writes a command's report to standard output. A reader that stopped early (`| head`)
/// ends the output, not the program with a panic, as `println!` would.
pub(crate) fn print_stdout(text: &str) -> anyhow::Result<()> {
    print_lines(std::iter::once(text.to_owned()))
}

/// Writes lines (each ending in a newline) to standard output, buffered; stops quietly
/// when the reader has gone (see [`print_stdout`]).
pub(crate) fn print_lines(lines: impl IntoIterator<Item = String>) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in lines {
        if let Err(e) = out.write_all(line.as_bytes()) {
            return Ok(ignore_broken_pipe(e)?);
        }
    }
    Ok(out.flush().or_else(ignore_broken_pipe)?)
}

/// A closed pipe on standard output means the reader has what it wanted.
pub(crate) fn ignore_broken_pipe(e: std::io::Error) -> std::io::Result<()> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(e)
    }
}

/// `lexicon check`: every problem line of every file (not only the first), each with file and
/// line; a new category is noted, a near-miss of a shipped one is a problem.
fn check(files: &[PathBuf]) -> anyhow::Result<()> {
    let mut builder = qinglang_engine::Engine::builder();
    let mut problems = 0usize;
    for file in files {
        let name = file.display().to_string();
        let text = scan::read_lexicon_text(file)?;
        let report = qinglang_engine::Lexicon::check(&name, &text);
        for p in &report.problems {
            eprintln!("{p}");
        }
        problems += report.problems.len();
        if !report.new_categories.is_empty() {
            eprintln!(
                "{name}: note: categories outside the shipped taxonomy (allowed): {}",
                report.new_categories.join(", ")
            );
        }
        if report.problems.is_empty() {
            builder = builder.lexicon(qinglang_engine::Lexicon::parse(&name, &text)?);
        }
    }
    if problems > 0 {
        anyhow::bail!(
            "{problems} problem line{} (listed above); nothing was checked further",
            if problems == 1 { "" } else { "s" }
        );
    }
    let engine = builder.build()?;
    print_stdout(&format!(
        "ok: {} entries, {} distinct terms\n",
        engine.entry_count(),
        engine.term_count()
    ))
}
