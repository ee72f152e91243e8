//! Cross-message state for the real-time patrol (REV-7): flood campaigns and rate limits.
//!
//! The state sits behind [`PatrolState`] so that one node keeps it in process
//! ([`LocalPatrol`]) and several nodes can share it in a store such as Redis: a campaign
//! index is band keys → newest message (a hash per band) plus signatures with a TTL, and a
//! rate limit is a sorted set of timestamps per key — all operations a shared store offers.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use qinglang_engine::{Campaign, FloodIndex, Signature};

use crate::model::Timestamp;
use crate::policy::PatrolPolicy;
use crate::service::lock;

/// Cross-message state the governance service consults on every submission.
pub trait PatrolState: Send + Sync + 'static {
    /// Records a message's fingerprint and returns the flood campaign it belongs to.
    fn observe(&self, key: u64, signature: &Signature, at: Timestamp) -> Campaign;
    /// Admits an event for `scope` (an author, a group) when fewer than `limit` were admitted
    /// inside the last `window_ms`, and records it; a refused event is not recorded, so a
    /// client that keeps retrying is admitted again as soon as its window has room.
    fn admit(&self, scope: &str, at: Timestamp, window_ms: i64, limit: u32) -> bool;
}

/// In-process patrol state for one node.
#[derive(Debug)]
pub struct LocalPatrol {
    floods: Mutex<FloodIndex>,
    rates: Mutex<Rates>,
}

#[derive(Debug, Default)]
struct Rates {
    events: HashMap<String, VecDeque<i64>>,
    /// Counts since the last sweep of idle scopes.
    since_sweep: u32,
}

impl LocalPatrol {
    pub fn new(policy: &PatrolPolicy) -> LocalPatrol {
        LocalPatrol {
            floods: Mutex::new(
                FloodIndex::new(
                    i64::from(policy.flood_window_minutes) * 60_000,
                    policy.flood_similarity,
                )
                .with_max_texts(policy.flood_max_texts as usize),
            ),
            rates: Mutex::new(Rates::default()),
        }
    }
}

impl PatrolState for LocalPatrol {
    fn observe(&self, key: u64, signature: &Signature, at: Timestamp) -> Campaign {
        lock(&self.floods).observe(key, signature, at.0)
    }

    fn admit(&self, scope: &str, at: Timestamp, window_ms: i64, limit: u32) -> bool {
        let mut rates = lock(&self.rates);
        let since = at.0 - window_ms;
        rates.since_sweep += 1;
        if rates.since_sweep >= 10_000 {
            // Forget scopes that have been quiet for a window, so memory follows activity.
            rates.since_sweep = 0;
            rates
                .events
                .retain(|_, q| q.back().is_some_and(|&t| t > since));
        }
        let queue = rates.events.entry(scope.to_owned()).or_default();
        while queue.front().is_some_and(|&t| t <= since) {
            queue.pop_front();
        }
        if queue.len() >= limit as usize {
            return false;
        }
        queue.push_back(at.0);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_count_a_sliding_window_per_scope() {
        let p = LocalPatrol::new(&PatrolPolicy::default());
        let admit = |scope: &str, at: i64| p.admit(scope, Timestamp(at), 60_000, 2);
        assert!(admit("user:1", 0));
        assert!(admit("user:1", 30_000));
        assert!(!admit("user:1", 40_000), "third inside the minute");
        assert!(admit("user:2", 40_000), "scopes are apart");
        // The refusal at 40 s was not recorded: at 61 s the event at 0 has left the window.
        assert!(admit("user:1", 61_000));
        assert!(!admit("user:1", 62_000));
        assert!(admit("user:1", 200_000));
    }
}
