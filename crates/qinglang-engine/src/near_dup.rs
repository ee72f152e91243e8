//! Near-duplicate detection for flood campaigns (REV-7): the same advertisement pushed into
//! many groups with small edits.
//!
//! A text's [`Signature`] is a one-permutation MinHash (Li, Owen & Zhang 2012: each
//! shingle's hash picks one of 32 bins and competes for its minimum; empty bins densified as
//! in Shrivastava 2017) over character 3-grams of its normalised form, every run of Latin
//! letters and digits made one placeholder: noise symbols, spaces, full-width forms and the
//! like are already gone (the normaliser), a
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

/// MinHash values (bins) per signature: a power of two, so a hash's top bits pick the bin.
pub const SIGNATURE_LEN: usize = 32;
const _: () = assert!(SIGNATURE_LEN.is_power_of_two());
// Which bins a text filled is kept as a u32 mask.
const _: () = assert!(SIGNATURE_LEN == u32::BITS as usize);
/// LSH: bands of two MinHash values each over the first half of the signature; candidates
/// are verified on all of it. A pair at Jaccard 0.5 shares a band with probability about 0.9
/// (exactly so for independent bins; densified bins of short texts are correlated), and a
/// campaign's new copy needs that with only one of its many earlier copies.
pub const BANDS: usize = 8;
const ROWS: usize = 2;
/// Texts with fewer distinct shingles are not fingerprinted: "好的", "哈哈哈" and other short
/// replies repeat all day without being a campaign.
pub const MIN_SHINGLES: usize = 12;

/// A MinHash fingerprint of a normalised text: per bin, the low 16 bits of the bin's
/// minimum. Two different minima agree by chance once in 65,536 — nothing next to the
/// similarity threshold — and a signature takes 64 bytes instead of 128 (a window entry 80
/// instead of 144): linking costs memory traffic, not arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature(pub [u16; SIGNATURE_LEN]);

impl Signature {
    /// The signature of normalised text, or `None` when it is too short to fingerprint.
    pub fn of_normalized(norm: &str) -> Option<Signature> {
        // A text of n characters has at most n − 2 shingles: most chat lines are too short
        // to fingerprint, and this says so without hashing them.
        if norm.len() < MIN_SHINGLES + 2 || norm.chars().count() < MIN_SHINGLES + 2 {
            return None;
        }
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
            // One permutation hashing: the shingle's own hash picks one of the bins (its top
            // bits) and competes for that bin's minimum (its low bits) — one hash per shingle
            // instead of one per signature value.
            let bin = bin_of(h);
            mins[bin] = mins[bin].min(h as u32);
        }
        if shingles < MIN_SHINGLES {
            return None;
        }
        // Densification: an empty bin takes the minimum of a bin chosen by a fixed sequence
        // of its own (the same for every text), so two texts agree there about as often as
        // they agree on the bins they fill.
        let filled = mins;
        let filled_bins = filled
            .iter()
            .enumerate()
            .fold(0u32, |acc, (j, &m)| acc | (u32::from(m != u32::MAX) << j));
        // Only the empty bins, found from the mask (a test per bin mispredicted often).
        let mut empty = !filled_bins;
        while empty != 0 {
            let i = empty.trailing_zeros() as usize;
            empty &= empty - 1;
            let j = donor(i, filled_bins);
            // Salted by the bin: a borrowed value then differs from the donor's own, so two
            // bins of one signature never hold the same value by borrowing.
            mins[i] = filled[j] ^ (SEEDS[i] as u32);
        }
        Some(Signature(mins.map(|m| m as u16)))
    }

    /// Share of equal MinHash values: an estimate of the shingles' Jaccard similarity.
    pub fn similarity(&self, other: &Signature) -> f32 {
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f32 / SIGNATURE_LEN as f32
    }

    /// The keys of the signature's bands: two texts that share one are candidates for a
    /// comparison (locality-sensitive hashing). Public so that a shared index (Redis) can
    /// bucket signatures as the in-process one does.
    pub fn band_keys(&self) -> [u64; BANDS] {
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

/// The bin empty bin `i` borrows from, given the mask of filled bins (not empty: a text that
/// is fingerprinted has shingles): the first filled bin of `i`'s probe sequence, found in 32 /
/// filled tries on average, or after 64 tries the next filled bin to the right, circularly.
fn donor(i: usize, filled_bins: u32) -> usize {
    // Eight probes tested at once, without a branch each: the first group almost always holds
    // a filled bin, so the loop's exit is predictable (probing one at a time, every empty bin
    // cost a mispredicted branch).
    let from = PROBES[i].chunks_exact(8).find_map(|group| {
        let hits = group
            .iter()
            .enumerate()
            .fold(0u32, |acc, (k, &j)| acc | (filled_bins >> j & 1) << k);
        (hits != 0).then(|| usize::from(group[hits.trailing_zeros() as usize]))
    });
    from.unwrap_or_else(|| {
        (i + 1 + filled_bins.rotate_right(i as u32 + 1).trailing_zeros() as usize) % SIGNATURE_LEN
    })
}

/// The bin a well-mixed hash falls in: its top bits.
const fn bin_of(h: u64) -> usize {
    (h >> (64 - SIGNATURE_LEN.trailing_zeros())) as usize
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

/// Where an empty bin looks for a value to borrow: per bin, a fixed pseudo-random sequence of
/// 64 bins (the same for every text, so that copies borrow alike), worked out once here
/// rather than by a chain of multiplications per text.
const PROBES: [[u8; 64]; SIGNATURE_LEN] = {
    let mut probes = [[0u8; 64]; SIGNATURE_LEN];
    let mut i = 0;
    while i < SIGNATURE_LEN {
        let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut k = 0;
        while k < 64 {
            x = (x ^ (x >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            probes[i][k] = bin_of(x) as u8;
            k += 1;
        }
        i += 1;
    }
    probes
};

/// Per-bin salts for densified bins (fixed: signatures are comparable across processes and
/// restarts).
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
}

/// An entry's place in the band buckets, kept apart from its signature: walking a bucket
/// reads only these 48 bytes per entry, and a signature only where the band key's tag
/// matches (a slot shared by another band key, the common case, costs no signature read).
#[derive(Debug, Clone)]
struct Link {
    /// Low bits of the entry's band keys (the slot is chosen by the high bits).
    tags: [u16; BANDS],
    /// Per band: how many entries back the previous one in the same band slot is (0 for
    /// none) — the slots' buckets are linked lists through the links, so observing a text
    /// allocates nothing but its entry and its link.
    back: [u32; BANDS],
}

/// Sliding-window near-duplicate index: links each observed text to the campaign of its
/// most similar earlier near copy.
///
/// The band buckets are a direct-mapped table (per band, `2^bits` slots holding the number
/// of the newest entry whose band key falls there, wrapping, plus one): one memory access
/// per band instead of a hash-map probe, nothing to remove when entries expire (a slot
/// pointing out of the window is simply empty), and a collision only lengthens a bucket's
/// chain: entries whose band-key tag differs are stepped over without reading their
/// signatures. The table doubles when the window holds more entries than half its slots.
#[derive(Debug, Clone)]
pub struct FloodIndex {
    window: i64,
    similarity: f32,
    /// Entries in observation order; `first` is the absolute number of `entries[0]`.
    entries: VecDeque<Entry>,
    /// `links[i]` belongs to `entries[i]`.
    links: VecDeque<Link>,
    first: u64,
    slots: Vec<u32>,
    bits: u32,
    /// Campaign → copies inside the window, for campaigns with two or more (a text alone is
    /// its own campaign of one, which needs no record).
    copies: FastMap<u32>,
    /// Campaign → the older campaign it was merged into.
    aliases: FastMap<u64>,
    /// Most entries held: past it the oldest leave before the window ends (memory bound).
    max_texts: usize,
}

const INITIAL_BITS: u32 = 12;

/// Candidates examined per band: a band bucket a big campaign fills up holds copies of that
/// campaign; the newest ones are as good as any.
pub const MAX_PER_BAND: usize = 32;

impl FloodIndex {
    /// `window`: how far back a copy counts, in the caller's time unit (milliseconds for the
    /// service, input lines for `qinglang scan`). `similarity`: the least share of equal
    /// MinHash values for two texts to be near copies (0.5 is a good start).
    pub fn new(window: i64, similarity: f32) -> FloodIndex {
        FloodIndex::with_capacity(window, similarity, 0)
    }

    /// Like [`FloodIndex::new`], sized for `texts` texts inside the window: when the caller
    /// knows how many to expect (`qinglang scan`: the window is a number of lines), the index
    /// never rebuilds its table or moves its entries while it fills.
    pub fn with_capacity(window: i64, similarity: f32, texts: usize) -> FloodIndex {
        // The table doubles when the window holds half as many entries as it has slots.
        let slots = texts.saturating_mul(2);
        let bits = (usize::BITS - slots.saturating_sub(1).leading_zeros()).clamp(INITIAL_BITS, 28);
        FloodIndex {
            window,
            similarity,
            // A hint, not a promise: past 16M texts the deques grow as they need.
            entries: VecDeque::with_capacity(texts.min(1 << 24)),
            links: VecDeque::with_capacity(texts.min(1 << 24)),
            first: 0,
            slots: vec![0; BANDS << bits],
            bits,
            copies: FastMap::default(),
            aliases: FastMap::default(),
            max_texts: usize::MAX,
        }
    }

    /// Holds at most `max_texts` texts (at least 1): the oldest leave first, even inside the
    /// window, so that a long window under heavy load cannot take unbounded memory.
    pub fn with_max_texts(mut self, max_texts: usize) -> FloodIndex {
        self.max_texts = max_texts.max(1);
        self
    }

    /// The campaign `c` now belongs to (itself unless merged).
    fn resolve(&self, mut c: u64) -> u64 {
        while let Some(&to) = self.aliases.get(&c) {
            c = to;
        }
        c
    }

    fn copies_of(&self, campaign: u64) -> u32 {
        self.copies.get(&campaign).copied().unwrap_or(1)
    }

    /// Forgets aliases no entry in the window refers to (merges are rare; this keeps them
    /// from accumulating in a long-running service).
    fn prune_aliases(&mut self) {
        let mut keep = FastMap::default();
        for e in &self.entries {
            if self.aliases.contains_key(&e.campaign) {
                keep.insert(e.campaign, self.resolve(e.campaign));
            }
        }
        self.aliases = keep;
    }

    fn slot(&self, band: usize, key: u64) -> usize {
        (band << self.bits) | (key >> (64 - self.bits)) as usize
    }

    /// Puts entry number `n` at the head of its bucket in `band`; returns how many entries
    /// back the previous head is (0: none inside the window).
    fn push_slot(&mut self, band: usize, key: u64, n: u64, live: usize) -> u32 {
        let slot = self.slot(band, key);
        let newest = std::mem::replace(&mut self.slots[slot], (n as u32).wrapping_add(1));
        if newest == 0 {
            return 0;
        }
        let back = (n as u32).wrapping_sub(newest - 1);
        if back == 0 || back as usize > live {
            0
        } else {
            back
        }
    }

    /// Doubles the table and links the live entries again, in order.
    fn grow(&mut self) {
        self.bits += 1;
        self.slots = vec![0; BANDS << self.bits];
        for i in 0..self.entries.len() {
            let keys = self.entries[i].signature.band_keys();
            let n = self.first + i as u64;
            let mut back = [0u32; BANDS];
            for (b, &k) in keys.iter().enumerate() {
                back[b] = self.push_slot(b, k, n, i);
            }
            self.links[i].back = back;
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
        if self.entries.len() * 2 >= 1 << self.bits {
            self.grow();
        }
        let keys = signature.band_keys();
        let tags = keys.map(|k| k as u16);
        let live = self.entries.len();
        let n = self.first + live as u64;
        // The campaigns of every near copy found, oldest first after the sort below: a text
        // that is a near copy of two campaigns shows they are one, and they are merged into
        // the older (a campaign whose first variants drifted apart is not split in two).
        let mut near = [u64::MAX; 8];
        let mut found = 0;
        // One access per band: read the bucket's newest entry and put this one there. All
        // bands first, then the candidates: the eight reads are independent, so the memory
        // system serves them together instead of one after another.
        let mut back = [0u32; BANDS];
        for (b, &k) in keys.iter().enumerate() {
            back[b] = self.push_slot(b, k, n, live);
        }
        for (b, &head) in back.iter().enumerate() {
            let mut distance = head as usize;
            for _ in 0..MAX_PER_BAND {
                // Entries older than the window are gone: the chain ends there.
                if distance == 0 || distance > live {
                    break;
                }
                let i = live - distance;
                let link = &self.links[i];
                if link.tags[b] == tags[b] {
                    let e = &self.entries[i];
                    if signature.similarity(&e.signature) >= self.similarity {
                        let c = self.resolve(e.campaign);
                        if !near[..found].contains(&c) && found < near.len() {
                            near[found] = c;
                            found += 1;
                        }
                    }
                }
                distance += link.back[b] as usize;
                if link.back[b] == 0 {
                    break;
                }
            }
        }
        let near = &mut near[..found];
        near.sort_unstable();
        let (campaign, copies) = match near.split_first() {
            Some((&oldest, others)) => {
                let mut copies = self.copies_of(oldest) + 1;
                for &other in others {
                    copies += self.copies_of(other);
                    self.copies.remove(&other);
                    self.aliases.insert(other, oldest);
                }
                self.copies.insert(oldest, copies);
                if self.aliases.len() > 1024 + 2 * self.entries.len() {
                    self.prune_aliases();
                }
                (oldest, copies)
            }
            None => (key, 1),
        };
        self.entries.push_back(Entry {
            at,
            signature: *signature,
            campaign,
        });
        self.links.push_back(Link { tags, back });
        Campaign {
            id: campaign,
            copies,
        }
    }

    /// Forgets texts older than the window.
    /// Drops entries older than the window, and the oldest beyond `max_texts - 1` (room for
    /// the one being observed).
    fn expire(&mut self, now: i64) {
        while let Some(e) = self.entries.front() {
            if now.saturating_sub(e.at) <= self.window && self.entries.len() < self.max_texts {
                break;
            }
            let Some(e) = self.entries.pop_front() else {
                break;
            };
            self.links.pop_front();
            self.first += 1;
            // Slots pointing here now point out of the window: they read as empty.
            let campaign = self.resolve(e.campaign);
            if let Some(c) = self.copies.get_mut(&campaign) {
                *c -= 1;
                if *c <= 1 {
                    self.copies.remove(&campaign);
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

    /// A bounded index keeps the newest texts only, and counts copies of what it holds.
    #[test]
    fn the_index_holds_at_most_max_texts() {
        let mut index = FloodIndex::new(1_000_000, 0.5).with_max_texts(3);
        let ad = sig("加微信领取福利优惠券名额有限先到先得");
        for t in 0..5 {
            index.observe(t as u64, &ad, t);
        }
        assert_eq!(index.len(), 3);
        // The newest three are copies of one campaign; the two evicted no longer count.
        let c = index.observe(9, &ad, 9);
        assert_eq!(index.len(), 3);
        assert_eq!(c.copies, 3);
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
    fn every_bin_of_a_short_text_is_filled_the_same_way_for_its_copies() {
        // 12 distinct shingles leave most of the 32 bins empty before densification.
        let short = "甲乙丙丁戊己庚辛壬癸子丑寅卯";
        let a = sig(short);
        // Densified: no bin is left empty (an empty bin would hold 0xFFFF), and a borrowed
        // value is salted by its bin, so they are all different.
        assert!(!a.0.contains(&0xFFFF), "{:?}", a.0);
        let distinct: std::collections::HashSet<u16> = a.0.iter().copied().collect();
        assert_eq!(distinct.len(), SIGNATURE_LEN, "{:?}", a.0);
        assert_eq!(a, sig(short));
        // A changed character changes three shingles of twelve: most bins, borrowed ones
        // included, still agree.
        let b = sig("甲乙丙丁戊己午辛壬癸子丑寅卯");
        assert!(a.similarity(&b) >= 0.5, "{}", a.similarity(&b));
        let stranger = sig("今天的会议推迟到下午三点请大家");
        assert!(a.similarity(&stranger) < 0.2, "{}", a.similarity(&stranger));
    }

    #[test]
    fn empty_bins_borrow_along_their_fixed_probe_sequences() {
        // The reference: each bin's sequence generated by its multiply chain, probed one at a
        // time, then the next filled bin to the right.
        fn reference(i: usize, filled_bins: u32) -> usize {
            let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            for _ in 0..64 {
                x = (x ^ (x >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                let j = bin_of(x);
                if filled_bins & (1 << j) != 0 {
                    return j;
                }
            }
            (1..SIGNATURE_LEN)
                .map(|d| (i + d) % SIGNATURE_LEN)
                .find(|&j| filled_bins & (1 << j) != 0)
                .unwrap_or(i)
        }
        // Masks from dense to a single filled bin (where the fallback is reached).
        let mut x = 0x0123_4567_89AB_CDEFu64;
        for round in 0..4000 {
            x = (x ^ (x >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ round;
            let mut filled = x as u32;
            for _ in 0..round % 5 {
                filled &= (x >> 32) as u32;
                x = x.rotate_left(17);
            }
            if filled == 0 {
                filled = 1 << (round % 32);
            }
            for i in (0..SIGNATURE_LEN).filter(|&i| filled & (1 << i) == 0) {
                assert_eq!(
                    donor(i, filled),
                    reference(i, filled),
                    "bin {i}, mask {filled:#x}"
                );
            }
        }
    }

    #[test]
    fn a_text_near_two_campaigns_merges_them_into_the_older() {
        let a = sig("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳");
        let b = sig("子丑寅卯辰巳午未申酉戌亥天地玄黄");
        let both = sig("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥天地玄黄");
        // The premise: a and b are strangers, `both` is a near copy of each.
        assert!(a.similarity(&b) < 0.5);
        assert!(both.similarity(&a) >= 0.5 && both.similarity(&b) >= 0.5);
        let mut index = FloodIndex::new(1000, 0.5);
        assert_eq!(index.observe(1, &a, 0).id, 1);
        assert_eq!(index.observe(2, &a, 1), Campaign { id: 1, copies: 2 });
        assert_eq!(index.observe(3, &b, 2), Campaign { id: 3, copies: 1 });
        assert_eq!(index.observe(4, &both, 3), Campaign { id: 1, copies: 4 });
        // From now on b's copies count with the older campaign, and leave it as they expire.
        assert_eq!(index.observe(5, &b, 4), Campaign { id: 1, copies: 5 });
        assert_eq!(index.observe(6, &b, 1002), Campaign { id: 1, copies: 4 });
    }

    #[test]
    fn the_index_links_copies_inside_the_window_only() {
        // Sized up front or grown as it fills, the index links the same way.
        for index in [
            FloodIndex::new(100, 0.5),
            FloodIndex::with_capacity(100, 0.5, 5000),
        ] {
            links_copies_inside_the_window_only(index);
        }
        // Sized for half-full slots: 100,000 texts take 2^18 slots per band.
        assert_eq!(FloodIndex::with_capacity(1, 0.5, 100_000).bits, 18);
        assert_eq!(FloodIndex::with_capacity(1, 0.5, 0).bits, INITIAL_BITS);
    }

    fn links_copies_inside_the_window_only(mut index: FloodIndex) {
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
