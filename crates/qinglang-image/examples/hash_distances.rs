//! Known-bad picture lists (#24 figure): how far a picture's perceptual hash moves when it is
//! resized, recompressed, blurred, watermarked or cropped by 5%, against how far apart the
//! hashes of different pictures are; the match distance is chosen between the two.
//!
//!   cargo run --release -p qinglang-image --example hash_distances [-- PICTURES]

#[path = "../tests/synth/mod.rs"]
mod synth;

use image::{imageops, RgbImage};
use qinglang_image::PerceptualHash;

/// A change a reposted picture goes through, and the hash of the result.
type Modification = fn(&RgbImage, &mut synth::Rng) -> PerceptualHash;

fn hash_of(img: &RgbImage) -> PerceptualHash {
    let bytes = synth::png(img);
    let (decoded, _) = qinglang_image::decode(&bytes, &Default::default()).expect("decode");
    PerceptualHash::of(&decoded)
}

fn hash_of_jpeg(img: &RgbImage, quality: u8) -> PerceptualHash {
    let bytes = synth::jpeg(img, quality);
    let (decoded, _) = qinglang_image::decode(&bytes, &Default::default()).expect("decode");
    PerceptualHash::of(&decoded)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(200);
    let mut rng = synth::Rng::new(7);
    let mut originals = Vec::new();
    for i in 0..n {
        // Half posters and photos of assorted shapes, half chat screenshots: screenshots look
        // alike, the hard case for a list of bad pictures.
        originals.push(if i % 2 == 0 {
            let (w, h) = (rng.range(400, 1200), rng.range(400, 1200));
            synth::poster(&mut rng, w, h)
        } else {
            imageops::resize(
                &synth::screenshot(&mut rng),
                540,
                960,
                imageops::FilterType::Triangle,
            )
        });
    }
    let hashes: Vec<PerceptualHash> = originals.iter().map(hash_of).collect();
    let modifications: [(&str, Modification); 5] = [
        ("resized to half", |img, _| {
            hash_of(&imageops::resize(
                img,
                img.width() / 2,
                img.height() / 2,
                imageops::FilterType::Triangle,
            ))
        }),
        ("JPEG quality 40", |img, _| hash_of_jpeg(img, 40)),
        ("blurred (sigma 2)", |img, _| {
            hash_of(&imageops::blur(img, 2.0))
        }),
        ("watermarked", |img, rng| {
            hash_of(&synth::watermark(img, rng))
        }),
        ("cropped 5%", |img, _| {
            let (w, h) = img.dimensions();
            let (dx, dy) = (w / 40, h / 40);
            hash_of(&imageops::crop_imm(img, dx, dy, w - 2 * dx, h - 2 * dy).to_image())
        }),
    ];
    let mut modified = Vec::new();
    for (name, modify) in modifications {
        let mut d: Vec<u32> = originals
            .iter()
            .zip(&hashes)
            .map(|(img, h)| modify(img, &mut rng).distance(*h))
            .collect();
        d.sort_unstable();
        println!(
            "{name:<18} distance to the original: median {}, p95 {}, max {}",
            d[d.len() / 2],
            d[d.len() * 95 / 100],
            d[d.len() - 1]
        );
        modified.extend(d);
    }
    let mut apart = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            apart.push(hashes[i].distance(hashes[j]));
        }
    }
    apart.sort_unstable();
    println!(
        "different pictures ({} pairs): min {}, p1 {}, median {}",
        apart.len(),
        apart[0],
        apart[apart.len() / 100],
        apart[apart.len() / 2]
    );
    for threshold in [4, 6, 8, 10, 12, 14] {
        let matched = modified.iter().filter(|&&d| d <= threshold).count();
        let collided = apart.iter().filter(|&&d| d <= threshold).count();
        println!(
            "match at distance <= {threshold:>2}: modified copies matched {:5.1}%, different pairs matched {collided}",
            100.0 * matched as f64 / modified.len() as f64
        );
    }
    Ok(())
}
