//! Perceptual hashes for known-bad picture lists: the same picture resized, recompressed,
//! blurred, watermarked or slightly cropped keeps a hash a few bits away, while different
//! pictures land about half the bits apart.
//!
//! pHash (a 32 × 32 DCT's lowest 8 × 8 frequencies against their median, from
//! `image_hasher`): 64 bits, compared by Hamming distance. Chosen over the gradient hashes
//! because the low frequencies survive recompression and blur, the changes reposted
//! pictures go through, and over PDQ for its size; the distance that counts as a match is
//! measured in `examples/hash_distances.rs`.

use image::DynamicImage;
use image_hasher::{HashAlg, HasherConfig};

/// A picture's 64-bit perceptual hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PerceptualHash(pub u64);

impl PerceptualHash {
    pub fn of(image: &DynamicImage) -> PerceptualHash {
        let hasher = HasherConfig::new()
            .hash_alg(HashAlg::Median)
            .preproc_dct()
            .hash_size(8, 8)
            .to_hasher();
        // The hash looks at 32 × 32 pixels: shrink with a fast box filter first, so a
        // screenshot costs a few milliseconds instead of a full-size resampling.
        let small = image.thumbnail(256, 256);
        let hash = hasher.hash_image(&small);
        let mut bits = [0u8; 8];
        for (b, byte) in bits.iter_mut().zip(hash.as_bytes()) {
            *b = *byte;
        }
        PerceptualHash(u64::from_be_bytes(bits))
    }

    /// Bits that differ.
    pub fn distance(self, other: PerceptualHash) -> u32 {
        (self.0 ^ other.0).count_ones()
    }

    /// Sixteen hex digits, as stored and shown.
    pub fn to_hex(self) -> String {
        format!("{:016x}", self.0)
    }

    pub fn from_hex(s: &str) -> Option<PerceptualHash> {
        (s.len() == 16)
            .then(|| u64::from_str_radix(s, 16).ok())
            .flatten()
            .map(PerceptualHash)
    }
}
