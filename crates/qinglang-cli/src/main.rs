//! The `qinglang` command. Glue only: argument parsing, files, output formats and exit
//! codes; the review itself lives in `qinglang-engine`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod curate;
mod data;
mod scan;

/// qinglang (清朗): content review and governance for public accounts and groups.
#[derive(Debug, Parser)]
#[command(name = "qinglang", version, about)]
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
    /// Lexicon tools.
    #[command(subcommand)]
    Lexicon(LexiconCommand),
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
    /// Worker threads for --jsonl input (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan::run(&args),
        Command::Lexicon(LexiconCommand::Build(args)) => curate::run(&args).map(|()| false),
        Command::Lexicon(LexiconCommand::Check { files }) => check(&files).map(|()| false),
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

fn check(files: &[PathBuf]) -> anyhow::Result<()> {
    let mut builder = qinglang_engine::Engine::builder();
    for file in files {
        builder = builder.lexicon(scan::read_lexicon(file)?);
    }
    let engine = builder.build()?;
    println!(
        "ok: {} entries, {} distinct terms",
        engine.entry_count(),
        engine.term_count()
    );
    Ok(())
}
