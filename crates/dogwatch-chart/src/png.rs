//! A chart as a PNG, drawn off-screen by the same code the UI draws on its canvases: the server's
//! snapshots (mails carry it inline, `api.Graph.create` answers its address). plotters' bitmap
//! backend paints an RGB buffer, which the `png` crate encodes.
//!
//! Labels need a font: plotters draws text on a bitmap only through a font registered with its
//! `ab_glyph` feature. [`use_font`] registers one for the whole process (the server reads Debian's
//! `fonts-dejavu-core` at start); without one the picture is drawn without its labels.

use std::sync::OnceLock;

use dogwatch_core::timeframe::TimeRange;
use plotters::prelude::BitMapBackend;
use plotters::style::FontStyle;

use crate::geometry::Line;
use crate::options::ChartOptions;
use crate::palette::series_colors;
use crate::textless::Textless;

/// The family the chart's labels ask for (`draw.rs`).
const FAMILY: &str = "sans-serif";

/// Whether a font was registered, and which.
static FONT: OnceLock<String> = OnceLock::new();

/// Registers the font labels are drawn in, from the bytes of a TrueType or OpenType file; the
/// first call wins for the life of the process (plotters keeps fonts in a global table, by
/// reference, so the bytes are kept for good). `name` is what [`font`] says.
pub fn use_font(name: &str, bytes: Vec<u8>) -> Result<(), String> {
    if FONT.get().is_some() {
        return Ok(());
    }
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    plotters::style::register_font(FAMILY, FontStyle::Normal, bytes)
        .map_err(|_| format!("{name} is not a font file plotters can read"))?;
    let _ = FONT.set(name.to_owned());
    Ok(())
}

/// The font labels are drawn in, if one was registered.
pub fn font() -> Option<&'static str> {
    FONT.get().map(String::as_str)
}

/// The chart of `lines` over `range`, `width` × `height` pixels, as PNG bytes.
pub fn render_png(
    lines: &[Line],
    range: TimeRange,
    options: &ChartOptions,
    (width, height): (u32, u32),
) -> Result<Vec<u8>, String> {
    let queries: Vec<usize> = lines.iter().map(|l| l.query_index).collect();
    let colors = series_colors(&queries, options);
    let len = (width as usize)
        .checked_mul(height as usize)
        .and_then(|n| n.checked_mul(3))
        .ok_or("the picture is too large")?;
    let mut rgb = vec![0_u8; len];
    {
        let bitmap = BitMapBackend::with_buffer(&mut rgb, (width, height));
        let drawn = if font().is_some() {
            crate::draw::render(bitmap, lines, &colors, range, options, 1.0).map(|_| ())
        } else {
            crate::draw::render(Textless::new(bitmap), lines, &colors, range, options, 1.0)
                .map(|_| ())
        };
        drawn.map_err(|e| format!("the chart could not be drawn: {e:?}"))?;
    }
    encode(&rgb, width, height)
}

/// RGB bytes, row by row, as a PNG.
fn encode(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .map_err(|e| format!("PNG header: {e}"))?;
    writer
        .write_image_data(rgb)
        .map_err(|e| format!("PNG data: {e}"))?;
    writer.finish().map_err(|e| format!("PNG end: {e}"))?;
    Ok(out)
}
