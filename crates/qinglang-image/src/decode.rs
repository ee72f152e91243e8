//! Decoding with hard limits: a picture is refused on its bytes, its format or its declared
//! size before a pixel is decoded, so a decompression bomb (a few kilobytes declaring a
//! 60,000 × 60,000 canvas) costs nothing.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader};

/// What a picture may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of the encoded picture.
    pub max_bytes: usize,
    /// Pixels of the decoded canvas (width × height).
    pub max_pixels: u64,
    /// Either side, in pixels.
    pub max_side: u32,
}

impl Default for Limits {
    fn default() -> Self {
        // A phone screenshot is 1080 × 2400 (2.6 MP), a long one stitched from a chat four
        // times that; a 48 MP camera photo is 8000 × 6000. Past these, nobody posts it to
        // a group, but a bomb does.
        Limits {
            max_bytes: 20 << 20,
            max_pixels: 50_000_000,
            max_side: 16_384,
        }
    }
}

/// Why a picture was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageError {
    Empty,
    TooManyBytes {
        bytes: usize,
        limit: usize,
    },
    UnknownFormat,
    Unsupported {
        format: String,
    },
    TooLarge {
        width: u32,
        height: u32,
        max_pixels: u64,
        max_side: u32,
    },
    Corrupt(String),
}

impl std::fmt::Display for ImageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageError::Empty => f.write_str("the picture is empty"),
            ImageError::TooManyBytes { bytes, limit } => {
                write!(f, "the picture has {bytes} bytes; the limit is {limit}")
            }
            ImageError::UnknownFormat => {
                f.write_str("not a picture this service reads (PNG, JPEG, WebP or GIF)")
            }
            ImageError::Unsupported { format } => write!(
                f,
                "{format} pictures are not read; send PNG, JPEG, WebP or GIF"
            ),
            ImageError::TooLarge {
                width,
                height,
                max_pixels,
                max_side,
            } => write!(
                f,
                "the picture declares {width} × {height} pixels; the limits are {max_pixels} \
                 pixels and {max_side} on a side (a decompression bomb is refused unread)"
            ),
            ImageError::Corrupt(why) => write!(f, "the picture cannot be decoded: {why}"),
        }
    }
}

impl std::error::Error for ImageError {}

/// The formats platforms carry.
fn supported(format: ImageFormat) -> bool {
    matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP | ImageFormat::Gif
    )
}

/// Reads the picture (the first frame of a GIF) within `limits`.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<(DynamicImage, ImageFormat), ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(ImageError::TooManyBytes {
            bytes: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let reader = || {
        ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| ImageError::Corrupt(e.to_string()))
    };
    let format = reader()?.format().ok_or(ImageError::UnknownFormat)?;
    if !supported(format) {
        return Err(ImageError::Unsupported {
            format: format!("{format:?}").to_uppercase(),
        });
    }
    // The header's dimensions first: nothing is allocated for a canvas over the limits.
    let (width, height) = reader()?
        .into_dimensions()
        .map_err(|e| ImageError::Corrupt(e.to_string()))?;
    if u64::from(width) * u64::from(height) > limits.max_pixels
        || width > limits.max_side
        || height > limits.max_side
    {
        return Err(ImageError::TooLarge {
            width,
            height,
            max_pixels: limits.max_pixels,
            max_side: limits.max_side,
        });
    }
    let mut reader = reader()?;
    // The decoder's own limits as a second line (a GIF frame, say, may not be the canvas).
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(limits.max_side);
    decoder_limits.max_image_height = Some(limits.max_side);
    decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8));
    reader.limits(decoder_limits);
    let image = reader
        .decode()
        .map_err(|e| ImageError::Corrupt(e.to_string()))?;
    Ok((image, format))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        DynamicImage::new_luma8(width, height)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .expect("encode");
        out
    }

    #[test]
    fn a_picture_is_read_and_its_format_named() {
        let (image, format) = decode(&png(40, 30), &Limits::default()).expect("decoded");
        assert_eq!(
            (image.width(), image.height(), format),
            (40, 30, ImageFormat::Png)
        );
    }

    #[test]
    fn a_declared_canvas_over_the_limits_is_refused_unread() {
        // A real PNG header that declares 60,000 × 60,000: 3.6 gigapixels.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        // The IHDR chunk's CRC (over its type and data), so that the header reads as valid.
        let crc = bomb[12..29].iter().fold(!0u32, |mut c, &b| {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                };
            }
            c
        });
        bomb[29..33].copy_from_slice(&(!crc).to_be_bytes());
        let e = decode(&bomb, &Limits::default()).unwrap_err();
        assert!(
            matches!(e, ImageError::TooLarge { width: 60_000, .. }),
            "{e:?}"
        );
        assert!(e.to_string().contains("60000 × 60000"), "{e}");
    }

    #[test]
    fn bytes_formats_and_garbage_are_named() {
        let limits = Limits {
            max_bytes: 10,
            ..Limits::default()
        };
        assert!(matches!(
            decode(&png(4, 4), &limits),
            Err(ImageError::TooManyBytes { limit: 10, .. })
        ));
        assert_eq!(
            decode(b"", &Limits::default()).unwrap_err(),
            ImageError::Empty
        );
        assert_eq!(
            decode(b"hello, this is text", &Limits::default()).unwrap_err(),
            ImageError::UnknownFormat
        );
        let mut cut = png(64, 64);
        cut.truncate(cut.len() / 2);
        assert!(matches!(
            decode(&cut, &Limits::default()),
            Err(ImageError::Corrupt(_))
        ));
    }
}
