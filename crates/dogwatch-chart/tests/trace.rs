//! A trace's waterfall, flame graph and minimap, and the APM pages' histogram and scatter, drawn
//! by plotters' bitmap backend and checked pixel by pixel.

use dogwatch_chart::{
    FlameBar, ScatterPoint, SpanBar, Textless, WaterfallLayout, WaterfallRow, Window, draw_flame,
    draw_histogram, draw_minimap, draw_scatter, draw_waterfall, flame, scatter_point_at,
    service_color,
};
use dogwatch_core::timeframe::TimeRange;
use plotters::prelude::*;

const WIDTH: u32 = 400;
const HEIGHT: u32 = 120;

struct Picture(Vec<u8>);

impl Picture {
    fn new() -> Picture {
        Picture(vec![0; (WIDTH * HEIGHT * 3) as usize])
    }

    fn at(&self, x: u32, y: u32) -> (u8, u8, u8) {
        let i = ((y * WIDTH + x) * 3) as usize;
        (self.0[i], self.0[i + 1], self.0[i + 2])
    }

    /// Pixels of exactly `color` in the rows `top..bottom` and columns `left..right`.
    fn count(
        &self,
        (left, top, right, bottom): (u32, u32, u32, u32),
        color: (u8, u8, u8),
    ) -> usize {
        (top..bottom)
            .flat_map(|y| (left..right).map(move |x| (x, y)))
            .filter(|&(x, y)| self.at(x, y) == color)
            .count()
    }
}

fn bar(start_ns: i64, end_ns: i64, service: usize, critical: bool) -> SpanBar {
    SpanBar {
        start_ns,
        end_ns,
        color: service_color(service),
        critical,
        error: false,
    }
}

#[test]
fn the_waterfall_puts_each_span_on_the_time_axis_in_its_services_colour() {
    let mut picture = Picture::new();
    let layout = WaterfallLayout {
        window: Window::new(0, 1_000_000),
        origin_ns: 0,
        label_px: 100.0,
        row_px: 20.0,
        header_px: 20.0,
        scrolled_px: 0.0,
        dpr: 1.0,
    };
    // The root across the whole trace, its child (another service) in the second half.
    let rows = [
        WaterfallRow {
            bar: bar(0, 1_000_000, 0, true),
            depth: 0,
            label: "web GET /",
            selected: false,
        },
        WaterfallRow {
            bar: bar(500_000, 1_000_000, 1, false),
            depth: 1,
            label: "db SELECT",
            selected: true,
        },
    ];
    let drawn = {
        let root = Textless::new(BitMapBackend::with_buffer(&mut picture.0, (WIDTH, HEIGHT)))
            .into_drawing_area();
        draw_waterfall(&root, &rows, &layout).expect("drawn")
    };
    assert_eq!(drawn, 2);
    // Plot columns: 100..392. Row 0: y 20..40, its bar 24..36; row 1: y 40..60.
    let web = service_color(0);
    let db = service_color(1);
    assert!(
        picture.count((100, 24, 392, 36), web) > 250 * 8,
        "the root's bar spans the plot"
    );
    assert_eq!(
        picture.count((100, 44, 240, 56), db),
        0,
        "the child starts half way"
    );
    assert!(picture.count((250, 44, 392, 56), db) > 130 * 8);
    // The critical path runs along the middle of the root's bar, and not along the child's.
    assert!(picture.count((100, 29, 392, 32), (25, 28, 36)) > 250);
    assert_eq!(picture.count((100, 40, 392, 60), (25, 28, 36)), 0);
    // The selected row has its background; the label column has each service's square.
    assert!(picture.count((0, 40, 400, 60), (222, 234, 252)) > 100);
    assert!(picture.count((0, 20, 100, 40), web) >= 64);
    assert!(picture.count((0, 40, 100, 60), db) >= 64);
}

#[test]
fn the_flame_graph_stacks_depths_and_skips_spans_on_drawn_pixels() {
    let mut picture = Picture::new();
    let whole = Window::new(0, 1_000_000);
    // The root, then 10,000 one-nanosecond children: far fewer than 10,000 pixels to draw.
    let mut bars = vec![FlameBar {
        row: 0,
        bar: bar(0, 1_000_000, 0, false),
        label: "root",
        selected: false,
    }];
    bars.extend((0..10_000).map(|i| FlameBar {
        row: 1,
        bar: bar(i * 100, i * 100 + 1, 1, false),
        label: "tiny",
        selected: false,
    }));
    let drawn = {
        let root = Textless::new(BitMapBackend::with_buffer(&mut picture.0, (WIDTH, HEIGHT)))
            .into_drawing_area();
        draw_flame(&root, &bars, whole, 20.0, 1.0).expect("drawn")
    };
    assert!(drawn <= 1 + WIDTH as usize, "{drawn} bars drawn");
    assert!(picture.count((0, 0, 400, 19), service_color(0)) > 390 * 15);
    assert!(picture.count((0, 20, 400, 39), service_color(1)) > 300 * 15);
    assert_eq!(picture.count((0, 40, 400, 120), service_color(1)), 0);
}

#[test]
fn the_minimap_shades_what_is_not_shown() {
    let mut picture = Picture::new();
    let whole = Window::new(0, 1_000_000);
    let shown = Window::new(500_000, 1_000_000);
    let bars = (0..20_000).map(|i| (i, bar(0, 1_000_000, 0, false)));
    let drawn = {
        let root = BitMapBackend::with_buffer(&mut picture.0, (WIDTH, HEIGHT)).into_drawing_area();
        draw_minimap(&root, bars, 20_000, whole, shown).expect("drawn")
    };
    assert!(drawn <= HEIGHT as usize, "{drawn} bars drawn");
    // The right half is the service's colour, the left half that colour under the shade.
    assert_eq!(picture.at(300, 60), service_color(0));
    assert_ne!(picture.at(100, 60), service_color(0));
    assert_ne!(picture.at(100, 60), (248, 249, 251));
    let _ = flame::CRITICAL;
}

#[test]
fn histogram_bars_and_scatter_points_are_drawn() {
    let mut picture = Picture::new();
    let color = service_color(2);
    let bins = [(1_000, 2_000, 3), (2_000, 4_000, 0), (4_000, 8_000, 6)];
    let drawn = {
        let root = Textless::new(BitMapBackend::with_buffer(&mut picture.0, (WIDTH, HEIGHT)))
            .into_drawing_area();
        draw_histogram(&root, &bins, color, 1.0).expect("drawn")
    };
    assert_eq!(drawn, 2);
    // The plot is 60..388 wide: three bins of ~109 px; the empty middle one has no colour.
    assert_eq!(picture.count((175, 8, 275, 98), color), 0);
    let tall = picture.count((280, 8, 388, 98), color);
    let short = picture.count((60, 8, 168, 98), color);
    assert!(tall > short && short > 0, "{tall} vs {short}");

    let mut picture = Picture::new();
    let range = TimeRange::new(0, 60_000).expect("a window");
    let points = [
        ScatterPoint {
            ts_ms: 10_000,
            duration_ns: 5_000_000,
            error: false,
        },
        ScatterPoint {
            ts_ms: 50_000,
            duration_ns: 10_000_000,
            error: true,
        },
    ];
    let drawn = {
        let root = Textless::new(BitMapBackend::with_buffer(&mut picture.0, (WIDTH, HEIGHT)))
            .into_drawing_area();
        draw_scatter(
            &root,
            range,
            &points,
            color,
            dogwatch_chart::Zone::utc(),
            1.0,
        )
        .expect("drawn")
    };
    assert_eq!(drawn, 2);
    // The error, the longest, is near the top right, in red.
    let red = (0..400)
        .flat_map(|x| (0..30).map(move |y| (x, y)))
        .filter(|&(x, y)| {
            let (r, g, b) = picture.at(x, y);
            r > 200 && g < 100 && b < 100
        })
        .count();
    assert!(red > 10, "{red} red pixels");
    // A click near the error's point finds it; one in empty space finds nothing.
    let size = (f64::from(WIDTH), f64::from(HEIGHT));
    let x = 60.0 + 50.0 / 60.0 * (388.0 - 60.0);
    assert_eq!(
        scatter_point_at(range, &points, size, (x + 3.0, 10.0)),
        Some(1)
    );
    assert_eq!(scatter_point_at(range, &points, size, (200.0, 50.0)), None);
}
