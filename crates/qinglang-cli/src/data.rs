//! Labelled data sets in the CSV layouts of `../shared/data` (COLD, SWSR).

use std::path::Path;

use anyhow::{anyhow, Context, Result};

/// One labelled row.
#[derive(Debug, Clone)]
pub struct LabelledRow {
    pub text: String,
    /// The data set's own label, as written (`0` safe, `1` offensive in COLD).
    pub label: String,
    /// COLD test's `fine-grained-label` (0 safe, 1 individual, 2 group, 3 anti-bias), if any.
    pub fine: Option<String>,
}

/// Reads a CSV with a text column (`TEXT`, `comment_text` or `content`, any case) and a
/// `label` column.
pub fn read_labelled_csv(path: &Path) -> Result<Vec<LabelledRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: cannot read the header row", path.display()))?
        .clone();
    let find = |names: &[&str]| {
        headers.iter().position(|h| {
            names
                .iter()
                .any(|n| h.trim_start_matches('\u{FEFF}').eq_ignore_ascii_case(n))
        })
    };
    let header = headers
        .iter()
        .map(|h| format!("{h:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let text_col = find(&["TEXT", "comment_text", "content"]).ok_or_else(|| {
        anyhow!(
            "{}: no text column (TEXT, comment_text or content) in the header row: {header}",
            path.display()
        )
    })?;
    let fine_col = find(&["fine-grained-label"]);
    let label_col = find(&["label"]).ok_or_else(|| {
        anyhow!(
            "{}: no label column in the header row: {header}",
            path.display()
        )
    })?;
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{}: row {}", path.display(), n + 2))?;
        let field = |i: usize| {
            record
                .get(i)
                .map(str::to_owned)
                .ok_or_else(|| anyhow!("{}:{}: missing column {}", path.display(), n + 2, i + 1))
        };
        rows.push(LabelledRow {
            text: field(text_col)?,
            label: field(label_col)?.trim().to_owned(),
            fine: fine_col
                .map(field)
                .transpose()?
                .map(|f| f.trim().to_owned()),
        });
    }
    Ok(rows)
}
