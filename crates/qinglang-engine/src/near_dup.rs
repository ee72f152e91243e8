//! Near-duplicate detection for flood campaigns (REV-7): the same advertisement pushed into
//! many groups with small edits.
//!
//! A text's [`Signature`] is a MinHash (32 hash functions) over character 3-grams of its
//! normalised form, every run of Latin letters and digits made one placeholder: noise
//! symbols, spaces, full-width forms and the like are already gone (the normaliser), a
//! changed phone number or WeChat id changes nothing, and a swapped word or a reordered
//! phrase changes only the shingles it touches. Two texts are near copies when enough of
//! their MinHash values agree (an estimate of the shingles' Jaccard similarity).
//!
//! [`FloodIndex`] finds, for each new text, an earlier near copy inside a sliding window by
//! locality-sensitive hashing (bands of the signature) and links the text to that copy's
//! campaign. It is plain data with `&mut self` methods — no clock, no locks — so the caller
//! decides where the state lives (one process now; a shared store later).

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// Band keys and campaign ids are already well-mixed 64-bit values: hashing them again (the
/// default SipHash) only costs time.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type FastMap<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

/// MinHash values per signature.
pub const SIGNATURE_LEN: usize = 32;
/// LSH: bands of two MinHash values each over the first half of the signature; candidates
/// are verified on all of it. A pair at Jaccard 0.5 shares a band with probability 0.9, and a
/// campaign's new copy needs that with only one of its many earlier copies.
const BANDS: usize = 8;
const ROWS: usize = 2;
/// Texts with fewer distinct shingles are not fingerprinted: "好的", "哈哈哈" and other short
/// replies repeat all day without being a campaign.
pub const MIN_SHINGLES: usize = 12;

/// A MinHash fingerprint of a normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature(pub [u32; SIGNATURE_LEN]);

impl Signature {
    /// The signature of normalised text, or `None` when it is too short to fingerprint.
    pub fn of_normalized(norm: &str) -> Option<Signature> {
        let mut mins = [u32::MAX; SIGNATURE_LEN];
        let mut window = [0u32; 3];
        // Distinct shingles, counted up to MIN_SHINGLES: "好的好的好的…" repeats two.
        let mut distinct = [0u64; MIN_SHINGLES];
        let mut shingles = 0usize;
        let mut previous = 0u64;
        let mut seen = 0usize;
        let mut in_token = false;
        for c in norm.chars() {
            // A run of Latin letters and digits (a phone number, a WeChat id, a price, a
            // URL) is one placeholder: changing it does not make a new text.
            if c.is_ascii_alphanumeric() {
                if in_token {
                    continue;
                }
                in_token = true;
            } else {
                in_token = false;
            }
            let c = if in_token { '#' } else { c };
            window = [window[1], window[2], c as u32];
            seen += 1;
            if seen < 3 {
                continue;
            }
            let h = shingle_hash(window);
            if h == previous {
                // `ababab` runs repeat shingles; the minima cannot change.
                continue;
            }
            previous = h;
            if shingles < MIN_SHINGLES && !distinct[..shingles].contains(&h) {
                distinct[shingles] = h;
                shingles += 1;
            }
            for (k, m) in mins.iter_mut().enumerate() {
                let v = ((h ^ SEEDS[k]).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as u32;
                *m = (*m).min(v);
            }
        }
        (shingles >= MIN_SHINGLES).then_some(Signature(mins))
    }

    /// Share of equal MinHash values: an estimate of the shingles' Jaccard similarity.
    pub fn similarity(&self, other: &Signature) -> f32 {
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f32 / SIGNATURE_LEN as f32
    }

    fn band_keys(&self) -> [u64; BANDS] {
        let mut keys = [0u64; BANDS];
        for (b, key) in keys.iter_mut().enumerate() {
            let mut h = (b as u64).wrapping_mul(0xA076_1D64_78BD_642F);
            for &v in &self.0[b * ROWS..(b + 1) * ROWS] {
                h = (h ^ u64::from(v))
                    .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                    .rotate_left(29);
            }
            *key = h;
        }
        keys
    }
}

/// A well-mixed 64-bit hash of a 3-gram (fixed: signatures are comparable across processes
/// and restarts).
fn shingle_hash(w: [u32; 3]) -> u64 {
    let mut h = 0x51_6c_66_6c_6f_6f_64_73u64;
    for c in w {
        h = (h ^ u64::from(c)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    h ^ (h >> 29)
}

/// Per-position seeds for the MinHash family (fixed: signatures are comparable across
/// processes and restarts).
const SEEDS: [u64; SIGNATURE_LEN] = {
    let mut seeds = [0u64; SIGNATURE_LEN];
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let mut i = 0;
    while i < SIGNATURE_LEN {
        // xorshift64*
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        seeds[i] = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        i += 1;
    }
    seeds
};

/// A flood campaign a text was linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Campaign {
    /// The key of the campaign's first message.
    pub id: u64,
    /// Near copies inside the window, this one included.
    pub copies: u32,
}

#[derive(Debug, Clone)]
struct Entry {
    at: i64,
    signature: Signature,
    campaign: u64,
    /// Per band: how many entries back the previous one with the same band key is (0 for
    /// none) — the buckets are linked lists through the entries, so observing a text
    /// allocates nothing but its entry.
    back: [u32; BANDS],
}

/// Sliding-window near-duplicate index: links each observed text to the campaign of its
/// most similar earlier near copy.
#[derive(Debug, Clone)]
pub struct FloodIndex {
    window: i64,
    similarity: f32,
    /// Entries in observation order; `first` is the absolute number of `entries[0]`.
    entries: VecDeque<Entry>,
    first: u64,
    /// Band key → absolute number of the newest entry with that key.
    bands: FastMap<u64>,
    /// Campaign → copies inside the window.
    copies: FastMap<u32>,
}

/// Candidates examined per band: a band bucket a big campaign fills up holds copies of that
/// campaign; the newest ones are as good as any.
const MAX_PER_BAND: usize = 32;

impl FloodIndex {
    /// `window`: how far back a copy counts, in the caller's time unit (milliseconds for the
    /// service, input lines for `qinglang scan`). `similarity`: the least share of equal
    /// MinHash values for two texts to be near copies (0.5 is a good start).
    pub fn new(window: i64, similarity: f32) -> FloodIndex {
        FloodIndex {
            window,
            similarity,
            entries: VecDeque::new(),
            first: 0,
            bands: FastMap::default(),
            copies: FastMap::default(),
        }
    }

    /// Number of texts inside the window.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Records the text `key` seen at `at` (non-decreasing) and returns its campaign: the one
    /// of its most similar near copy inside the window, or a new one named after `key`.
    pub fn observe(&mut self, key: u64, signature: &Signature, at: i64) -> Campaign {
        self.expire(at);
        let keys = signature.band_keys();
        let n = self.first + self.entries.len() as u64;
        let mut best: Option<(f32, u64)> = None;
        let mut back = [0u32; BANDS];
        for (b, &k) in keys.iter().enumerate() {
            // One probe per band: read the bucket's newest entry and put this one there.
            let slot = self.bands.entry(k).or_insert(u64::MAX);
            let newest = std::mem::replace(slot, n);
            if newest == u64::MAX {
                continue;
            }
            back[b] = u32::try_from(n - newest).unwrap_or(0);
            let mut m = newest;
            for _ in 0..MAX_PER_BAND {
                // Entries older than the window are gone: the chain ends there.
                let Some(e) = m
                    .checked_sub(self.first)
                    .and_then(|i| self.entries.get(i as usize))
                else {
                    break;
                };
                let s = signature.similarity(&e.signature);
                if s >= self.similarity && best.is_none_or(|x| s > x.0) {
                    best = Some((s, e.campaign));
                }
                if e.back[b] == 0 {
                    break;
                }
                m -= u64::from(e.back[b]);
            }
        }
        let campaign = best.map_or(key, |b| b.1);
        let copies = self.copies.entry(campaign).or_insert(0);
        *copies += 1;
        let copies = *copies;
        self.entries.push_back(Entry {
            at,
            signature: *signature,
            campaign,
            back,
        });
        Campaign {
            id: campaign,
            copies,
        }
    }

    /// Forgets texts older than the window.
    fn expire(&mut self, now: i64) {
        while let Some(e) = self.entries.front() {
            if now.saturating_sub(e.at) <= self.window {
                break;
            }
            let Some(e) = self.entries.pop_front() else {
                break;
            };
            let n = self.first;
            self.first += 1;
            for k in e.signature.band_keys() {
                // A bucket whose newest entry expires is empty: every other is older.
                if self.bands.get(&k) == Some(&n) {
                    self.bands.remove(&k);
                }
            }
            if let Some(c) = self.copies.get_mut(&e.campaign) {
                *c -= 1;
                if *c == 0 {
                    self.copies.remove(&e.campaign);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(s: &str) -> Signature {
        Signature::of_normalized(s).expect("long enough")
    }

    #[test]
    fn near_copies_are_similar_and_strangers_are_not() {
        let ad = "加微信领取免费红包每天都有名额有限先到先得电话13812345678";
        let edited = "加微信领取免费红包每日都有名额有限先到先得电话13987654321";
        let other = "今天的会议推迟到下午三点请大家准时参加不要迟到谢谢配合";
        assert!(sig(ad).similarity(&sig(edited)) >= 0.5);
        assert!(sig(ad).similarity(&sig(other)) < 0.2);
        assert!(Signature::of_normalized("好的好的").is_none());
        assert!(Signature::of_normalized("好的好的好的好的好的好的好的好的好的").is_none());
    }

    #[test]
    fn the_index_links_copies_inside_the_window_only() {
        let mut index = FloodIndex::new(100, 0.5);
        let ad = sig("加微信领取免费红包每天都有名额有限先到先得");
        let copy = sig("加微信领取免费红包每天都有名额有限先到先得哦");
        let other = sig("今天的会议推迟到下午三点请大家准时参加");
        assert_eq!(index.observe(1, &ad, 0), Campaign { id: 1, copies: 1 });
        assert_eq!(index.observe(2, &other, 10), Campaign { id: 2, copies: 1 });
        assert_eq!(index.observe(3, &copy, 20), Campaign { id: 1, copies: 2 });
        assert_eq!(index.observe(4, &ad, 50), Campaign { id: 1, copies: 3 });
        // At 130 the copies from 0 and 20 have left the window; 4 (at 50) is still in it.
        assert_eq!(index.observe(5, &copy, 130), Campaign { id: 1, copies: 2 });
        assert_eq!(index.len(), 2);
        // Long after, a copy starts a new campaign.
        assert_eq!(index.observe(6, &ad, 1000), Campaign { id: 6, copies: 1 });
    }
}
