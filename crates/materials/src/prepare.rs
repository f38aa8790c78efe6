//! From a received upload to what is stored (blocking work: run it on the
//! blocking pool, behind the decoding semaphore).
//!
//! - Images are decoded under limits ([`image::Limits`], and the pixel
//!   count checked from the header before any pixel buffer is allocated:
//!   a decompression bomb is [`MaterialError::TooManyPixels`], not an
//!   out-of-memory), turned upright by their EXIF orientation, and
//!   re-encoded — JPEG and WebP as JPEG (quality 90), PNG as PNG. Nothing
//!   of the original's metadata survives: no EXIF (GPS included), no XMP,
//!   no comments, no trailing data.
//! - PDFs are stored as sent and never rendered or decompressed; their
//!   pages are counted from the raw bytes (`/Type /Page` objects), which
//!   misses pages inside compressed object streams: `pages` is a hint,
//!   `None` when none were seen.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use sha2::{Digest, Sha256};
use tempfile::TempPath;

use crate::error::{MaterialError, Result};
use crate::incoming::Received;
use crate::sniff::Kind;

/// The most pixels of an image by default (40 megapixels: a 7,300 × 5,470
/// photo).
pub const DEFAULT_MAX_PIXELS: u64 = 40_000_000;

/// The longest side of an image, in pixels.
pub const MAX_SIDE: u32 = 20_000;

/// JPEG quality of re-encoded photos.
pub const JPEG_QUALITY: u8 = 90;

/// What is stored: the file, its media type, size, sha256 and what is known
/// of its content.
#[derive(Debug)]
pub struct Prepared {
    /// The file to store (the received one for a PDF, a re-encoded one for
    /// an image); removed when dropped.
    pub path: TempPath,
    /// Its media type.
    pub content_type: &'static str,
    /// Its size in bytes.
    pub size: u64,
    /// Its sha256, lowercase hexadecimal.
    pub sha256: String,
    /// Width and height of an image.
    pub pixels: Option<(u32, u32)>,
    /// Pages of a PDF, when counted.
    pub pages: Option<u32>,
}

/// Prepares `received` for storing: see the module's documentation.
/// Re-encoded images are written beside the received file.
pub fn prepare(received: Received, max_pixels: u64) -> Result<Prepared> {
    match received.kind {
        Kind::Pdf => {
            let pages = count_pages(&received.path)?;
            Ok(Prepared {
                path: received.path,
                content_type: "application/pdf",
                size: received.size,
                sha256: received.sha256,
                pixels: None,
                pages,
            })
        }
        kind => reencode(&received.path, kind, max_pixels),
    }
}

fn format_of(kind: Kind) -> ImageFormat {
    match kind {
        Kind::Jpeg => ImageFormat::Jpeg,
        Kind::Png => ImageFormat::Png,
        Kind::Webp => ImageFormat::WebP,
        Kind::Pdf => ImageFormat::Pnm, // never asked: PDFs are not decoded
    }
}

/// Decodes the image at `path` (of `kind`) under the limits, and returns
/// the image upright.
pub fn decode(path: &Path, kind: Kind, max_pixels: u64) -> Result<DynamicImage> {
    let file = File::open(path)?;
    let mut reader = ImageReader::with_format(BufReader::new(file), format_of(kind));
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    // Eight bytes a pixel (16-bit RGBA) is the most any accepted format decodes to.
    limits.max_alloc = Some(max_pixels.saturating_mul(8));
    reader.limits(limits);
    let too_big = |width: u32, height: u32| MaterialError::TooManyPixels {
        width,
        height,
        max_pixels,
    };
    let mut decoder = reader.into_decoder().map_err(|e| match e {
        image::ImageError::Limits(_) => too_big(0, 0),
        _ => MaterialError::BadImage,
    })?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > max_pixels || width > MAX_SIDE || height > MAX_SIDE {
        return Err(too_big(width, height));
    }
    if width == 0 || height == 0 {
        return Err(MaterialError::BadImage);
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => too_big(width, height),
        _ => MaterialError::BadImage,
    })?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Whether a JPEG file ends with its end-of-image marker (`FF D9`, maybe
/// followed by padding). The decoder fills a truncated scan with grey
/// rather than failing; a cut-off upload must be refused.
fn jpeg_is_complete(path: &Path) -> Result<bool> {
    use std::io::{Seek, SeekFrom};
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let tail_len = len.min(4096);
    file.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = Vec::with_capacity(tail_len as usize);
    file.take(tail_len).read_to_end(&mut tail)?;
    let end = tail
        .iter()
        .rposition(|&b| b != 0 && b != b'\n' && b != b'\r' && b != b' ')
        .map_or(0, |i| i + 1);
    Ok(end >= 2 && tail[end - 2..end] == [0xFF, 0xD9])
}

fn reencode(path: &Path, kind: Kind, max_pixels: u64) -> Result<Prepared> {
    if kind == Kind::Jpeg && !jpeg_is_complete(path)? {
        return Err(MaterialError::BadImage);
    }
    let image = decode(path, kind, max_pixels)?;
    let (width, height) = (image.width(), image.height());
    let dir = path.parent().unwrap_or(Path::new("."));
    let (file, out_path) = tempfile::Builder::new()
        .prefix("encoded-")
        .tempfile_in(dir)?
        .into_parts();
    let mut writer = HashingWriter {
        inner: BufWriter::new(file),
        hasher: Sha256::new(),
        size: 0,
    };
    let content_type = match kind {
        Kind::Png => {
            image
                .write_with_encoder(PngEncoder::new(&mut writer))
                .map_err(|e| MaterialError::Internal(format!("encoding a PNG: {e}")))?;
            "image/png"
        }
        _ => {
            // JPEG has no alpha: a WebP with transparency is flattened.
            let rgb = DynamicImage::ImageRgb8(image.into_rgb8());
            rgb.write_with_encoder(JpegEncoder::new_with_quality(&mut writer, JPEG_QUALITY))
                .map_err(|e| MaterialError::Internal(format!("encoding a JPEG: {e}")))?;
            "image/jpeg"
        }
    };
    writer.inner.flush()?;
    Ok(Prepared {
        path: out_path,
        content_type,
        size: writer.size,
        sha256: hex::encode(writer.hasher.finalize()),
        pixels: Some((width, height)),
        pages: None,
    })
}

/// Writes through, hashing and counting.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Counts `/Type /Page` objects (not `/Pages`) in the raw bytes, reading
/// the file in chunks; `None` when there are none.
pub fn count_pages(path: &Path) -> Result<Option<u32>> {
    let mut file = File::open(path)?;
    let mut buffer = vec![0u8; 64 * 1024];
    let mut carry: Vec<u8> = Vec::new();
    let mut pages: u32 = 0;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            pages = pages.saturating_add(count_in(&carry, true));
            break;
        }
        carry.extend_from_slice(&buffer[..n]);
        // Matches starting before the last KEEP bytes are counted now; the
        // last KEEP bytes are kept for the next round.
        pages = pages.saturating_add(count_in(&carry, false));
        let upto = carry.len().saturating_sub(KEEP);
        carry.drain(..upto);
    }
    Ok((pages > 0).then_some(pages))
}

/// Matches of `/Type /Page` (whitespace optional, not followed by a name
/// character) in `bytes`; unless `complete`, only those starting before
/// the last 32 bytes.
/// Bytes kept between the chunks of [`count_pages`] (longer than a match).
const KEEP: usize = 32;

fn count_in(bytes: &[u8], complete: bool) -> u32 {
    let limit = if complete {
        bytes.len()
    } else {
        bytes.len().saturating_sub(KEEP)
    };
    let mut count = 0;
    let mut at = 0;
    while let Some(found) = find(&bytes[at..], b"/Type") {
        let start = at + found;
        if start >= limit {
            break;
        }
        let mut i = start + 5;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let rest = &bytes[i..];
        if rest.starts_with(b"/Page") && !rest.get(5).is_some_and(u8::is_ascii_alphanumeric) {
            count += 1;
        }
        at = start + 5;
    }
    count
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_counted_across_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pdf");
        let mut pdf = b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 3 >> endobj\n".to_vec();
        for n in 0..3 {
            // Pad so that a page object straddles a 64 KiB boundary.
            pdf.resize(pdf.len() + 65_530 - n * 7, b' ');
            pdf.extend_from_slice(b"2 0 obj << /Type/Page /Parent 1 0 R >> endobj\n");
        }
        std::fs::write(&path, &pdf).unwrap();
        assert_eq!(count_pages(&path).unwrap(), Some(3));
        std::fs::write(&path, b"%PDF-1.7\n/Type /Pages\n").unwrap();
        assert_eq!(count_pages(&path).unwrap(), None);
    }
}
