//! `qinglang serve`, `token create`, `audit verify|export`, `key init`, `migrate`, `copy`:
//! the governance service and its operator tools, on the embedded SQLite store or on
//! PostgreSQL (`--db postgres://…`).

use std::fs;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use qinglang_governance::authz::Role;
use qinglang_governance::crypto::DataKey;
use qinglang_governance::model::{Label, Principal, Timestamp};
use qinglang_governance::policy::LoadedPolicy;
use qinglang_governance::{EngineRecipe, Governance};
use qinglang_store::{Database, Location};

/// Where the data key comes from, in order: `--key-file`, `QINGLANG_KEY`, `./qinglang.key`.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// Where the records are kept: a SQLite file (created if missing), or a PostgreSQL
    /// database as postgres://user[:password]@host[:port]/database for several nodes.
    #[arg(long, value_name = "PATH|URL", default_value = "qinglang.db")]
    pub db: String,
    /// File holding the data key (64 hex characters) that encrypts identity data.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Governance policy (TOML); the shipped default when absent.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// SQLite only. normal: a commit survives the process being killed, not a power cut
    /// before the next checkpoint; full: every commit is flushed to disk before it is
    /// answered (slower, see the README). PostgreSQL's is the server's synchronous_commit.
    #[arg(long, value_enum, default_value_t = DurabilityArg::Normal)]
    pub durability: DurabilityArg,
}

/// `--durability`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DurabilityArg {
    Normal,
    Full,
}

impl From<DurabilityArg> for qinglang_store::Durability {
    fn from(d: DurabilityArg) -> Self {
        match d {
            DurabilityArg::Normal => qinglang_store::Durability::Normal,
            DurabilityArg::Full => qinglang_store::Durability::Full,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Share the patrol state (flood campaigns, rate limits) with the other nodes through
    /// Redis: redis://host:port/db. Without it, each process keeps its own. While Redis is
    /// unreachable the patrol fails open (floods are not linked, limits admit) and the node
    /// keeps serving.
    #[arg(long, value_name = "URL")]
    pub redis: Option<String>,
    /// The prefix of this deployment's Redis keys: give each deployment sharing one Redis
    /// its own, and every node of one deployment the same.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "qinglang",
        requires = "redis"
    )]
    pub redis_prefix: String,
    /// Development only: create a key file beside the database when no key is configured.
    #[arg(long)]
    pub dev: bool,
    /// Add an operator lexicon to the default one (repeatable).
    #[arg(long = "lexicon", value_name = "FILE")]
    pub lexicons: Vec<PathBuf>,
    /// Connections served at once; the next one is answered 503 with Retry-After (#23).
    #[arg(long, value_name = "N", default_value_t = 4096,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Requests answered at once; more are shed with 503 and Retry-After.
    #[arg(long, value_name = "N", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_in_flight: u32,
    /// Seconds a client has to send its request headers, and a request body after them.
    #[arg(long, value_name = "SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub client_timeout: u64,
}

impl StoreArgs {
    pub fn location(&self) -> Location {
        Location::parse(&self.db)
    }

    /// The SQLite file, or an error naming `command` as SQLite's alone.
    fn sqlite_file(&self, command: &str) -> Result<PathBuf> {
        match self.location() {
            Location::Sqlite(path) => Ok(path),
            Location::Postgres(_) => bail!(
                "`qinglang {command}` copies a SQLite file; for PostgreSQL use its own tools \
                 (pg_dump -Fc and pg_restore, see the README), then `qinglang audit verify --db URL`"
            ),
        }
    }
}

const DEFAULT_KEY_FILE: &str = "qinglang.key";
const KEY_ENV: &str = "QINGLANG_KEY";

/// The data key; `dev` is `serve --dev` (`None` for commands that have no such option, so
/// that their error does not suggest it).
fn load_key(args: &StoreArgs, dev: Option<bool>) -> Result<DataKey> {
    if let Some(path) = &args.key_file {
        let text = fs::read_to_string(path)
            .with_context(|| format!("cannot read key file {}", path.display()))?;
        return DataKey::from_hex(&text).with_context(|| format!("key file {}", path.display()));
    }
    if let Ok(text) = std::env::var(KEY_ENV) {
        return DataKey::from_hex(&text).with_context(|| format!("environment variable {KEY_ENV}"));
    }
    let default = Path::new(DEFAULT_KEY_FILE);
    if default.exists() {
        let text = fs::read_to_string(default)
            .with_context(|| format!("cannot read {DEFAULT_KEY_FILE}"))?;
        return DataKey::from_hex(&text).with_context(|| format!("key file {DEFAULT_KEY_FILE}"));
    }
    if dev == Some(true) {
        write_new_key(default)?;
        eprintln!(
            "qinglang: WARNING: --dev generated a data key in {} — identity data is encrypted with it.\n\
             qinglang: WARNING: keep that file secret and backed up; production deployments must provide\n\
             qinglang: WARNING: their own key (--key-file or {KEY_ENV}) from a secrets store.",
            default.display()
        );
        let text = fs::read_to_string(default)?;
        return Ok(DataKey::from_hex(&text)?);
    }
    let dev_hint = if dev.is_some() {
        "; `--dev` generates one for development"
    } else {
        ""
    };
    bail!(
        "no data key: identity data must be encrypted at rest (ID-3). Create one with \
         `qinglang key init` (writes ./{DEFAULT_KEY_FILE}), or pass the server's key with \
         --key-file FILE, or set {KEY_ENV}{dev_hint}"
    )
}

fn write_new_key(path: &Path) -> Result<()> {
    let key = DataKey::generate_hex()?;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create key file {}", path.display()))?;
    writeln!(file, "{key}")?;
    Ok(())
}

fn load_policy(args: &StoreArgs) -> Result<LoadedPolicy> {
    match &args.policy {
        None => Ok(LoadedPolicy::default_policy()),
        Some(path) => read_policy(path),
    }
}

/// Reads and checks a policy file (every section, its `[review]` thresholds included).
pub(crate) fn read_policy(path: &Path) -> Result<LoadedPolicy> {
    let text = fs::read_to_string(path)
        .with_context(|| format!("cannot read policy {}", path.display()))?;
    Ok(LoadedPolicy::parse(&path.display().to_string(), &text)?)
}

fn open(args: &StoreArgs, dev: Option<bool>, lexicons: &[PathBuf]) -> Result<Governance<Database>> {
    let policy = load_policy(args)?;
    let key = load_key(args, dev)?;
    let store = Database::open(&args.location(), args.durability.into())?;
    let mut recipe = EngineRecipe {
        lexicons: vec![qinglang_engine::default_lexicon()],
        policy: policy.policy.review.engine_policy(),
    };
    for path in lexicons {
        recipe.lexicons.push(crate::scan::read_lexicon(path)?);
    }
    let engine = recipe
        .builder()
        .classifier(Arc::new(qinglang_engine::default_classifier()))
        .fraud_model(Arc::new(qinglang_engine::default_fraud_model()))
        .spam_model(Arc::new(qinglang_engine::default_spam_model()))
        .build()?;
    let gov = Governance::new(store, Arc::new(engine), policy, key).with_recipe(recipe);
    // Emergency changes made earlier (or by `qinglang sweep`) are part of the engine.
    gov.reload_emergency()?;
    // The known-bad image lists are held in memory from the start (REV-10).
    gov.reload_image_lists()?;
    if gov.policy().policy.images.ocr {
        // The OCR networks' plans for phone screenshots are built before the first picture
        // arrives (about 1.5 s of one core), beside the server rather than in its way.
        std::thread::Builder::new()
            .name("ocr-warm".into())
            .spawn(|| {
                let warmed = qinglang_image::Ocr::shared()
                    .map_err(|e| e.to_string())
                    .and_then(|ocr| ocr.warm().map_err(|e| e.to_string()));
                match warmed {
                    Ok(()) => tracing::info!("OCR ready"),
                    Err(e) => tracing::error!(error = %e, "OCR cannot run; pictures are read for QR codes only"),
                }
            })?;
    }
    Ok(gov)
}

/// `qinglang key init`: writes ./qinglang.key unless it exists.
pub fn key_init() -> Result<()> {
    let path = Path::new(DEFAULT_KEY_FILE);
    if path.exists() {
        eprintln!("{DEFAULT_KEY_FILE} exists; keeping it");
        return Ok(());
    }
    write_new_key(path)?;
    eprintln!(
        "wrote a new data key to {DEFAULT_KEY_FILE} (mode 600); keep it secret and backed up"
    );
    Ok(())
}

pub fn serve(args: &ServeArgs) -> Result<()> {
    init_tracing();
    let mut gov = open(&args.store, Some(args.dev), &args.lexicons)?;
    if let Some(url) = &args.redis {
        let patrol = qinglang_store::RedisPatrol::new(url, &gov.policy().policy.patrol)?
            .with_prefix(&format!("{}:patrol", args.redis_prefix));
        match patrol.ping() {
            Ok(()) => tracing::info!(redis = ?patrol, "patrol state shared through Redis"),
            Err(e) => tracing::warn!(
                error = %e,
                "Redis does not answer; serving, with floods unlinked and rate limits open until it does"
            ),
        }
        gov = gov.with_patrol(Box::new(patrol));
    }
    let gov = Arc::new(gov);
    if gov.reload_learned()? {
        let status = gov.learning_status(&Principal::system())?;
        tracing::info!(
            model = %status.model,
            spam = status.spam,
            ham = status.ham,
            "replayed learned examples onto the model (REV-9)"
        );
    }
    if let Some(token) = gov.bootstrap_admin(Timestamp::now())? {
        // The platform's back end calls the API with a service token (every README example
        // does): one is made with the first admin, so that the first call needs no detour.
        let service = gov.create_token(
            &Principal::system(),
            Role::Service,
            "bootstrap-service",
            Timestamp::now(),
        )?;
        eprintln!(
            "qinglang: first start: admin token (shown once, keep it):\n{token}\n\
             qinglang: first start: service token for the platform's back end (shown once):\n{service}\n\
             qinglang: create more with `qinglang token create --role ROLE --name NAME`"
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let local = listener.local_addr()?;
        tracing::info!(
            db = %args.store.location(),
            policy = %gov.policy().version,
            "qinglang listening on http://{local}"
        );
        // Machine-readable line for scripts and tests that start on port 0.
        crate::print_stdout(&format!("listening on http://{local}\n"))?;
        eprintln!(
            "console: http://{local}/ (create operators with `qinglang user create`, or sign in with a token)"
        );
        spawn_retention(Arc::clone(&gov));
        spawn_learning_refresh(Arc::clone(&gov));
        let timeout = Duration::from_secs(args.client_timeout);
        let app = qinglang_server::app_with_limits(
            qinglang_server::AppState::new(gov),
            qinglang_server::Limits {
                body_timeout: timeout,
                max_in_flight: args.max_in_flight as usize,
            },
        );
        let limits = qinglang_server::ConnectionLimits {
            header_timeout: timeout,
            max_connections: args.max_connections as usize,
        };
        qinglang_server::serve(listener, app, limits, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("server failed")
    })
}

/// Hourly sweeps: retention (AUD-2; nothing younger than 180 days goes) and account
/// inactivity (PA-4).
fn spawn_retention(gov: Arc<Governance<Database>>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let g = Arc::clone(&gov);
            match tokio::task::spawn_blocking(move || g.retention_sweep(Timestamp::now())).await {
                Ok(Ok((content, audit))) if content + audit > 0 => {
                    tracing::info!(content, audit, "retention sweep removed expired records")
                }
                Ok(Err(e)) => tracing::error!(error = %e, "retention sweep failed"),
                _ => {}
            }
            let g = Arc::clone(&gov);
            match tokio::task::spawn_blocking(move || g.inactivity_sweep(Timestamp::now())).await {
                Ok(Ok(closed)) if closed > 0 => {
                    tracing::info!(closed, "inactive public accounts closed (PA-4)")
                }
                Ok(Err(e)) => tracing::error!(error = %e, "inactivity sweep failed"),
                _ => {}
            }
        }
    });
}

/// Examples taught with `qinglang learn` (another process, same store), emergency changes
/// and image-list changes made through another node reach this one within a few seconds.
fn spawn_learning_refresh(gov: Arc<Governance<Database>>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3));
        loop {
            tick.tick().await;
            let g = Arc::clone(&gov);
            match tokio::task::spawn_blocking(move || g.reload_learned()).await {
                Ok(Ok(true)) => tracing::info!("learned examples changed; model rebuilt (REV-9)"),
                Ok(Err(e)) => tracing::error!(error = %e, "cannot reload learned examples"),
                _ => {}
            }
            let g = Arc::clone(&gov);
            match tokio::task::spawn_blocking(move || g.reload_emergency()).await {
                Ok(Ok(true)) => tracing::warn!("emergency change applied to the engine (ENF-3)"),
                Ok(Err(e)) => tracing::error!(error = %e, "cannot apply emergency changes"),
                _ => {}
            }
            let g = Arc::clone(&gov);
            match tokio::task::spawn_blocking(move || g.reload_image_lists()).await {
                Ok(Ok(true)) => tracing::info!("known-bad image lists changed; reloaded (REV-10)"),
                Ok(Err(e)) => tracing::error!(error = %e, "cannot reload the image lists"),
                _ => {}
            }
        }
    });
}

/// `qinglang sweep`: an optional emergency change (terms, thresholds), then a re-scan of
/// what was stored in the last hours (ENF-3). Returns whether anything was caught.
pub fn sweep(args: &SweepArgs) -> Result<bool> {
    let since = parse_since(&args.since)?;
    let gov = open(&args.store, None, &args.lexicons)?;
    // Judge as the running service does: with what the deployment's model learned.
    gov.reload_learned()?;
    let system = Principal::system();
    let now = Timestamp::now();
    if args.terms.is_some() || args.review_threshold.is_some() || args.block_threshold.is_some() {
        let lexicon = match &args.terms {
            Some(path) => fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
            None => String::new(),
        };
        let applied = gov.emergency_change(
            &system,
            &args.name,
            &lexicon,
            args.review_threshold,
            args.block_threshold,
            now,
        )?;
        eprintln!(
            "emergency change {}: {} term(s) from {}, review at {}, block at {}; running servers \
             apply it within seconds",
            applied.id,
            applied.terms,
            applied.source,
            applied.review_threshold,
            applied.block_threshold
        );
    }
    let report = gov.sweep(&system, Timestamp(now.0 - since), args.act, now)?;
    let lines = report
        .caught
        .iter()
        .map(|c| serde_json::to_string(c).map(|j| j + "\n"))
        .collect::<Result<Vec<_>, _>>()?;
    crate::print_lines(lines)?;
    eprintln!(
        "swept {} message(s) since {}: {} caught{}",
        report.scanned,
        report.since,
        report.caught.len(),
        if args.act {
            format!(", {} held or rejected", report.acted)
        } else {
            " (report only; --act holds or rejects them)".to_owned()
        }
    );
    Ok(!report.caught.is_empty())
}

/// `24h`, `90m`, `7d` → milliseconds.
fn parse_since(s: &str) -> Result<i64> {
    let bad = || {
        anyhow!(
            "--since {s:?}: expected a positive count and a unit m, h or d (24h, 90m, 7d), \
             at most 30 days"
        )
    };
    let (n, unit_ms) = if let Some(n) = s.strip_suffix('m') {
        (n, 60_000)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, 3_600_000)
    } else if let Some(n) = s.strip_suffix('d') {
        (n, 86_400_000)
    } else {
        return Err(bad());
    };
    n.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .and_then(|n| n.checked_mul(unit_ms))
        .filter(|&ms| ms <= 30 * 86_400_000)
        .ok_or_else(bad)
}

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// How far back to re-scan: 24h, 90m, 7d.
    #[arg(long)]
    pub since: String,
    /// Emergency terms to add first (lexicon file format: term<TAB>category<TAB>action).
    #[arg(long, value_name = "FILE")]
    pub terms: Option<PathBuf>,
    /// Names the change; hits report `source: "emergency:<name>"`.
    #[arg(long, default_value = "emergency")]
    pub name: String,
    /// Tighten: the score from which a verdict is `review`.
    #[arg(long, value_name = "N")]
    pub review_threshold: Option<u8>,
    /// Tighten: the score from which a verdict is `block`.
    #[arg(long, value_name = "N")]
    pub block_threshold: Option<u8>,
    /// Hold (review) or reject (block) what the sweep catches; without it, only report.
    #[arg(long)]
    pub act: bool,
    /// The operator lexicons the service runs with (as given to `serve --lexicon`).
    #[arg(long = "lexicon", value_name = "FILE")]
    pub lexicons: Vec<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `qinglang learn`: teaches the deployment's model from a file of confirmed texts, resets
/// it, or shows what it has learned (REV-9).
pub fn learn(store: &StoreArgs, action: LearnAction<'_>) -> Result<()> {
    let gov = open(store, None, &[])?;
    let system = Principal::system();
    match action {
        LearnAction::Teach(label, file) => {
            let texts = read_texts(file)?;
            if texts.is_empty() {
                bail!("{}: no texts to learn", file.display());
            }
            let mut moved = 0usize;
            for (line, text) in &texts {
                let learned = gov
                    .learn(&system, text, label, Timestamp::now())
                    .with_context(|| format!("{}:{line}", file.display()))?;
                moved += usize::from(
                    (learned.probability_before >= 0.5) != (learned.probability_after >= 0.5),
                );
            }
            let status = gov.learning_status(&system)?;
            eprintln!(
                "learned {} text(s) as {} ({moved} changed side); model {:?} now holds {} spam \
                 and {} ham; a running server picks them up within seconds",
                texts.len(),
                label.as_str(),
                status.model,
                status.spam,
                status.ham
            );
        }
        LearnAction::Reset => {
            let n = gov.reset_learning(&system, Timestamp::now())?;
            eprintln!("forgot {n} learned example(s); the shipped model is back in use");
        }
        LearnAction::Status => {
            crate::print_stdout(&(serde_json::to_string(&gov.learning_status(&system)?)? + "\n"))?;
        }
        LearnAction::List => {
            let mut out = String::new();
            for e in gov.recent_learned(&system, usize::MAX, None)?.iter().rev() {
                out.push_str(&e.to_json().to_string());
                out.push('\n');
            }
            crate::print_stdout(&out)?;
        }
        LearnAction::Forget(id) => {
            gov.forget_learned(&system, id, Timestamp::now())?;
            let status = gov.learning_status(&system)?;
            eprintln!(
                "forgot example {id}; model {:?} now holds {} spam and {} ham, applied again",
                status.model, status.spam, status.ham
            );
        }
    }
    Ok(())
}

/// What `qinglang learn` was asked to do.
#[derive(Debug, Clone, Copy)]
pub enum LearnAction<'a> {
    Teach(Label, &'a Path),
    Reset,
    Status,
    List,
    Forget(i64),
}

/// One text per non-empty line; for `.jsonl` files, the `text` field of each line.
fn read_texts(path: &Path) -> Result<Vec<(usize, String)>> {
    let content =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let jsonl = path.extension().is_some_and(|e| e == "jsonl");
    let mut out = Vec::new();
    for (n, line) in content.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let text = if jsonl {
            let v: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| anyhow!("{}:{}: malformed JSON line ({e})", path.display(), n + 1))?;
            v["text"]
                .as_str()
                .ok_or_else(|| {
                    anyhow!(
                        "{}:{}: missing string field \"text\"",
                        path.display(),
                        n + 1
                    )
                })?
                .to_owned()
        } else {
            line.to_owned()
        };
        out.push((n + 1, text));
    }
    Ok(out)
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("QINGLANG_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

pub fn token_create(store: &StoreArgs, role: &str, name: &str, tc3: bool) -> Result<()> {
    let role = Role::parse(role).ok_or_else(|| {
        anyhow!("unknown role {role:?}: expected service, moderator, lead, auditor or admin")
    })?;
    let gov = open(store, None, &[])?;
    // The operator at the console of the machine acts as the system administrator.
    let system = Principal::system();
    // Not `print_stdout`: a secret that never reached anyone must fail loudly.
    let mut out = std::io::stdout();
    if tc3 {
        let key = gov.create_tc3_key(&system, role, name, Timestamp::now())?;
        writeln!(out, "SecretId: {}", key.secret_id)?;
        writeln!(out, "SecretKey: {}", key.secret_key)?;
    } else {
        let token = gov.create_token(&system, role, name, Timestamp::now())?;
        writeln!(out, "{token}")?;
    }
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The calendar year, in the policy's `[locale] time_zone` (Asia/Shanghai by default).
    #[arg(long)]
    year: i32,
    /// Write the HTML here instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Language of the report: zh (default) or en.
    #[arg(long, default_value = "zh")]
    lang: String,
    /// Print the figures as JSON instead of HTML.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// `qinglang report --year YYYY`: the annual governance report (AUD-3).
pub fn annual_report(args: &ReportArgs) -> Result<()> {
    use qinglang_server::console::html::Lang;
    let lang = match args.lang.as_str() {
        "zh" => Lang::Zh,
        "en" => Lang::En,
        other => bail!("--lang {other:?}: expected zh or en"),
    };
    if !(2000..=2100).contains(&args.year) {
        bail!(
            "--year {}: expected a year between 2000 and 2100",
            args.year
        );
    }
    let gov = open(&args.store, None, &[])?;
    let report = gov.annual_report(&Principal::system(), args.year, Timestamp::now())?;
    let text = if args.json {
        serde_json::to_string_pretty(&report)? + "\n"
    } else {
        qinglang_server::console::annual_document(lang, &report)
    };
    match &args.out {
        Some(path) => {
            fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote the {} report to {}", args.year, path.display());
        }
        None => crate::print_stdout(&text)?,
    }
    Ok(())
}

/// `qinglang user create`: an operator who signs in to the console with a password.
pub fn user_create(
    store: &StoreArgs,
    name: &str,
    role: &str,
    password_file: Option<&Path>,
) -> Result<()> {
    let role = Role::parse(role)
        .filter(|r| *r != Role::Service)
        .ok_or_else(|| {
            anyhow!("unknown role {role:?}: expected moderator, lead, auditor or admin")
        })?;
    let password = read_password(password_file)?;
    let gov = open(store, None, &[])?;
    let p = gov.create_operator(
        &Principal::system(),
        name,
        role,
        &password,
        Timestamp::now(),
    )?;
    eprintln!(
        "created {} {} (principal {}); sign in at the console",
        role.as_str(),
        p.name,
        p.id
    );
    Ok(())
}

/// `user list`: one operator a line, tab-separated: name, role, created, active/disabled.
pub fn user_list(store: &StoreArgs) -> Result<()> {
    let gov = open(store, None, &[])?;
    let lines = gov.operators(&Principal::system())?.into_iter().map(|o| {
        format!(
            "{}\t{}\t{}\t{}\n",
            o.name,
            o.role.as_str(),
            o.created_at,
            if o.disabled { "disabled" } else { "active" }
        )
    });
    crate::print_lines(lines)
}

/// `user password`: a new password for an operator, read like `user create`'s.
pub fn user_password(store: &StoreArgs, name: &str, password_file: Option<&Path>) -> Result<()> {
    let password = read_password(password_file)?;
    let gov = open(store, None, &[])?;
    gov.set_operator_password(&Principal::system(), name, &password, Timestamp::now())?;
    eprintln!("new password set for {name}; their open console sessions have ended");
    Ok(())
}

/// A password: the first line of `file`, or of standard input.
fn read_password(file: Option<&Path>) -> Result<String> {
    let text = match file {
        Some(path) => {
            fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?
        }
        None => read_password_from_stdin()?,
    };
    Ok(text.lines().next().unwrap_or("").to_owned())
}

/// Reads one line from standard input; on a terminal, asks for it without echo.
fn read_password_from_stdin() -> Result<String> {
    use std::io::{BufRead, IsTerminal};
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    let stty = |arg: &str| {
        let _ = std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status();
    };
    if terminal {
        eprint!("password: ");
        stty("-echo");
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if terminal {
        stty("echo");
        eprintln!();
    }
    read.context("cannot read the password from standard input")?;
    Ok(line)
}

pub fn token_revoke(store: &StoreArgs, name: &str) -> Result<()> {
    let gov = open(store, None, &[])?;
    let n = gov.revoke_tokens(&Principal::system(), name, Timestamp::now())?;
    eprintln!("revoked {n} token(s) of {name}; running servers stop accepting them within 30 s");
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The database to copy (the running server's); --key-file and --policy are those of
    /// the server, to check the copy's audit chain.
    #[command(flatten)]
    pub store: StoreArgs,
    /// The new file to write (never overwritten).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The database to put the backup back as.
    #[command(flatten)]
    pub store: StoreArgs,
    /// The backup file.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// Replace the database at --db when it exists (the server must be stopped).
    #[arg(long)]
    pub force: bool,
}

/// `qinglang backup`: returns whether the copy's audit chain verifies.
pub fn backup(args: &BackupArgs) -> Result<bool> {
    let db = args.store.sqlite_file("backup")?;
    qinglang_store::backup(&db, &args.out)?;
    eprintln!(
        "copied {} to {} (integrity ok); checking its audit chain",
        db.display(),
        args.out.display()
    );
    let copy = StoreArgs {
        db: args.out.display().to_string(),
        ..args.store.clone()
    };
    audit_verify(&copy)
}

/// `qinglang restore`: returns whether the restored audit chain verifies.
pub fn restore(args: &RestoreArgs) -> Result<bool> {
    let db = args.store.sqlite_file("restore")?;
    qinglang_store::restore(&args.from, &db, args.force)?;
    eprintln!(
        "restored {} from {}; checking its audit chain",
        db.display(),
        args.from.display()
    );
    audit_verify(&args.store)
}

/// Returns whether the chain is intact.
pub fn audit_verify(store: &StoreArgs) -> Result<bool> {
    let gov = open(store, None, &[])?;
    let report = gov.verify_chain(Timestamp::now())?;
    crate::print_stdout(&(serde_json::to_string(&report)? + "\n"))?;
    if !report.ok {
        eprintln!(
            "qinglang: audit chain BROKEN at entry {}: {}",
            report.first_bad_seq.unwrap_or(0),
            report.problem.as_deref().unwrap_or("")
        );
    }
    Ok(report.ok)
}

pub fn audit_export(store: &StoreArgs, from: &str, to: &str) -> Result<()> {
    let from = Timestamp::parse(from)
        .ok_or_else(|| anyhow!("--from {from:?}: expected YYYY-MM-DD or RFC 3339"))?;
    let to = Timestamp::parse(to)
        .ok_or_else(|| anyhow!("--to {to:?}: expected YYYY-MM-DD or RFC 3339"))?;
    let gov = open(store, None, &[])?;
    let entries = gov.audit_export(&Principal::system(), from, to)?;
    crate::print_lines(
        entries
            .iter()
            .map(|e| format!("{}\n", qinglang_governance::wire::audit_line(e))),
    )
}

/// `qinglang migrate`: brings the database's schema up to this version (serve does the
/// same when it starts; this does it explicitly, before a rolling upgrade, say).
pub fn migrate(store: &StoreArgs) -> Result<()> {
    let db = Database::open(&store.location(), store.durability.into())?;
    eprintln!(
        "{} ({}) is at this qinglang's schema",
        store.location(),
        db.backend()
    );
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct CopyArgs {
    /// The SQLite database to copy (stop the server that writes it, or copy a backup).
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// The PostgreSQL database to copy into: postgres://user@host:port/database. It must
    /// hold no qinglang records yet.
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// The deployment's data key, to check the copied audit chain's seals.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// The deployment's policy.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

/// `qinglang copy`: moves a SQLite deployment into PostgreSQL, every table in one
/// transaction, then verifies the audit chain on the copy. Returns whether it verifies.
pub fn copy(args: &CopyArgs) -> Result<bool> {
    let Location::Postgres(url) = Location::parse(&args.to) else {
        bail!("--to {}: expected a postgres:// URL", args.to);
    };
    let from = match Location::parse(&args.from.display().to_string()) {
        Location::Sqlite(path) => path,
        Location::Postgres(_) => bail!("--from: expected a SQLite file; it is copied into --to"),
    };
    let report = qinglang_store::copy_into(&from, &url)?;
    for (table, rows) in &report.tables {
        eprintln!("  {table}: {rows} row(s)");
    }
    eprintln!(
        "copied {} row(s) from {} to {}; checking the audit chain there",
        report.rows(),
        args.from.display(),
        Location::parse(&args.to)
    );
    audit_verify(&StoreArgs {
        db: args.to.clone(),
        key_file: args.key_file.clone(),
        policy: args.policy.clone(),
        durability: DurabilityArg::Normal,
    })
}
