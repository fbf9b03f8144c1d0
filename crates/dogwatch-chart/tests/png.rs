//! The chart as a PNG (feature `png`): decoded again and checked pixel by pixel, first without a
//! font (no labels), then in Debian's DejaVu Sans (labels in the margins).
#![cfg(feature = "png")]

use dogwatch_chart::png::{font, render_png, use_font};
use dogwatch_chart::{ChartOptions, Line};
use dogwatch_core::timeframe::TimeRange;

const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
/// The first classic color, which the only series gets.
const LINE: [u8; 3] = [63, 127, 224];

struct Decoded {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

impl Decoded {
    fn read(bytes: &[u8]) -> Decoded {
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .expect("a PNG");
        let mut rgb = vec![0; reader.output_buffer_size().expect("a size")];
        let info = reader.next_frame(&mut rgb).expect("a frame");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        rgb.truncate(info.buffer_size());
        Decoded {
            width: info.width,
            height: info.height,
            rgb,
        }
    }

    /// Pixels inside columns `x0..x1` that match `keep`.
    fn count(&self, (x0, x1): (u32, u32), keep: impl Fn([u8; 3]) -> bool) -> usize {
        (0..self.height)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .map(|(x, y)| {
                let i = ((y * self.width + x) * 3) as usize;
                [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
            })
            .filter(|p| keep(*p))
            .count()
    }
}

fn near(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter()
        .zip(b)
        .map(|(x, y)| u32::from(x.abs_diff(y)))
        .sum::<u32>()
        <= 30
}

fn dark(p: [u8; 3]) -> bool {
    p.iter().all(|&c| c < 150)
}

#[test]
fn a_chart_is_a_png_of_its_size_with_its_line_and_labels_once_a_font_is_registered() {
    let line = Line {
        label: "saw".into(),
        query_index: 0,
        points: (0..=100)
            .map(|i| (i * 1000, Some(10.0 + (i % 20) as f64 * 4.0)))
            .collect::<Vec<_>>()
            .into(),
        band: None,
    };
    let range = TimeRange::new(0, 100_000).expect("a window");
    let options = ChartOptions {
        utc: true,
        ..ChartOptions::default()
    };

    assert_eq!(font(), None);
    let bare = Decoded::read(
        &render_png(std::slice::from_ref(&line), range, &options, (600, 300)).expect("drawn"),
    );
    assert_eq!((bare.width, bare.height), (600, 300));
    assert!(bare.count((0, 600), |p| near(p, LINE)) > 300);
    // No labels: nothing dark in the value labels' margin.
    assert_eq!(bare.count((0, 50), dark), 0);

    let bytes =
        std::fs::read(FONT).expect("Debian's fonts-dejavu-core (cargo xtask setup installs it)");
    use_font("DejaVu Sans", bytes).expect("a font");
    assert_eq!(font(), Some("DejaVu Sans"));
    let labelled = Decoded::read(&render_png(&[line], range, &options, (600, 300)).expect("drawn"));
    assert!(labelled.count((0, 600), |p| near(p, LINE)) > 300);
    assert!(
        labelled.count((0, 50), dark) > 40,
        "glyphs in the margin: {}",
        labelled.count((0, 50), dark)
    );
    assert!(
        use_font("not a font", b"nonsense".to_vec()).is_ok(),
        "the first font stays"
    );
}
