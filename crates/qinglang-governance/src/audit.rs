//! The hash chain over audit entries (AUD-1): each entry's hash covers its fields and the
//! previous entry's hash, so an edit or a deletion anywhere breaks every later link.

use sha2::{Digest, Sha256};

use crate::model::{AuditDraft, AuditEntry};
use crate::policy::hex;

/// The hash the chain starts from.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Hash of an entry at `seq` following `prev_hash`. Fields are length-prefixed so that no
/// two different entries serialise alike.
pub fn entry_hash(seq: i64, prev_hash: &str, draft: &AuditDraft) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(prev_hash.as_bytes());
    field(&seq.to_le_bytes());
    field(&draft.at.0.to_le_bytes());
    field(draft.actor.as_bytes());
    field(draft.action.as_bytes());
    field(draft.target.as_bytes());
    field(draft.reason.as_bytes());
    field(draft.evidence.as_bytes());
    field(draft.policy_version.as_bytes());
    hex(&h.finalize())
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChainReport {
    pub ok: bool,
    /// Entries checked.
    pub entries: u64,
    /// The first entry that does not fit, when `ok` is false.
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
}

/// Walks entries in order and checks links, hashes and sequence numbers.
#[derive(Debug)]
pub struct ChainChecker {
    expected_seq: i64,
    prev_hash: String,
    entries: u64,
    failure: Option<(i64, String)>,
}

impl ChainChecker {
    /// Starts after the anchor left by retention, or at the genesis.
    pub fn new(anchor: Option<(i64, String)>) -> ChainChecker {
        let (seq, hash) = anchor.unwrap_or((0, GENESIS.to_owned()));
        ChainChecker {
            expected_seq: seq + 1,
            prev_hash: hash,
            entries: 0,
            failure: None,
        }
    }

    pub fn check(&mut self, e: &AuditEntry) {
        if self.failure.is_some() {
            return;
        }
        self.entries += 1;
        let draft = AuditDraft {
            at: e.at,
            actor: e.actor.clone(),
            action: e.action.clone(),
            target: e.target.clone(),
            reason: e.reason.clone(),
            evidence: e.evidence.clone(),
            policy_version: e.policy_version.clone(),
        };
        let problem = if e.seq != self.expected_seq {
            Some(format!(
                "entry {} follows {}: entries are missing",
                e.seq,
                self.expected_seq - 1
            ))
        } else if e.prev_hash != self.prev_hash {
            Some(format!(
                "entry {} does not link to the entry before it",
                e.seq
            ))
        } else if entry_hash(e.seq, &e.prev_hash, &draft) != e.hash {
            Some(format!(
                "entry {} was altered: its hash does not match its content",
                e.seq
            ))
        } else {
            None
        };
        if let Some(p) = problem {
            self.failure = Some((e.seq, p));
            return;
        }
        self.expected_seq = e.seq + 1;
        self.prev_hash = e.hash.clone();
    }

    /// Finishes, comparing the last entry with the recorded head (which detects removal of
    /// entries from the end).
    pub fn finish(mut self, head: Option<(i64, String)>) -> ChainReport {
        if self.failure.is_none() {
            if let Some((seq, hash)) = head {
                if seq != self.expected_seq - 1 || hash != self.prev_hash {
                    self.failure = Some((
                        self.expected_seq,
                        format!("the chain ends before the recorded head (entry {seq}): entries were removed"),
                    ));
                }
            }
        }
        ChainReport {
            ok: self.failure.is_none(),
            entries: self.entries,
            first_bad_seq: self.failure.as_ref().map(|f| f.0),
            problem: self.failure.map(|f| f.1),
        }
    }
}
