//! Whole charts rendered by plotters' bitmap backend into an RGB buffer, checked pixel by pixel:
//! these fail if the drawing breaks (no line, no grid, a region in the wrong place, data drawn over
//! the labels).

use std::sync::Arc;

use dogwatch_chart::{
    ChartOptions, Line, Marker, RGBAColor, Region, Textless, YAxis, render, series_colors,
};
use dogwatch_core::timeframe::TimeRange;
use plotters::prelude::*;

const WIDTH: u32 = 400;
const HEIGHT: u32 = 200;
/// The first classic color, which the only series gets.
const LINE: (u8, u8, u8) = (63, 127, 224);

/// A rendered chart: its pixels, the plotting area and how many labels were drawn.
struct Picture {
    rgb: Vec<u8>,
    plot: (i32, i32, i32, i32),
    texts: usize,
}

impl Picture {
    fn at(&self, x: i32, y: i32) -> (u8, u8, u8) {
        let i = ((y as u32 * WIDTH + x as u32) * 3) as usize;
        (self.rgb[i], self.rgb[i + 1], self.rgb[i + 2])
    }

    /// How many pixels inside `(left, top, right, bottom)` are within 30 (summed over the channels)
    /// of `color`.
    fn count(&self, (l, t, r, b): (i32, i32, i32, i32), color: (u8, u8, u8)) -> usize {
        let near = |(x, y, z): (u8, u8, u8)| {
            x.abs_diff(color.0) as u32 + y.abs_diff(color.1) as u32 + z.abs_diff(color.2) as u32
                <= 30
        };
        (t..b)
            .flat_map(|y| (l..r).map(move |x| (x, y)))
            .filter(|&(x, y)| near(self.at(x, y)))
            .count()
    }
}

/// A saw tooth from 10 to 90 over a 100 s window, a point a second.
fn saw_tooth() -> Line {
    Line {
        label: "saw".into(),
        query_index: 0,
        points: (0..=100)
            .map(|i| (i * 1000, Some(10.0 + f64::from((i % 20) as i32) * 4.0)))
            .collect::<Vec<_>>()
            .into(),
        band: None,
    }
}

fn draw(lines: &[Line], options: &ChartOptions) -> Picture {
    let mut rgb = vec![0; (WIDTH * HEIGHT * 3) as usize];
    let range = TimeRange::new(0, 100_000).expect("a window");
    let queries: Vec<usize> = lines.iter().map(|l| l.query_index).collect();
    let colors = series_colors(&queries, options);
    let (layout, texts) = {
        let backend = Textless::new(BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)));
        let texts = backend.counter();
        let drawn = render(backend, lines, &colors, range, options, 1.0).expect("drawn");
        (drawn.0, texts.get())
    };
    Picture {
        rgb,
        plot: layout.plot_px,
        texts,
    }
}

#[test]
fn a_line_is_drawn_in_its_color_over_the_grid_with_labels() {
    let picture = draw(&[saw_tooth()], &ChartOptions::default());
    let (l, t, r, b) = picture.plot;
    // 56 px of labels on the left, 10 above, 18 right, 26 below.
    assert_eq!(picture.plot, (56, 10, 382, 174));
    assert!(
        picture.count(picture.plot, LINE) > 300,
        "line pixels: {}",
        picture.count(picture.plot, LINE)
    );
    // Grid rows: whole rows of the grid's color, where the line does not cross.
    assert!(picture.count(picture.plot, (232, 235, 240)) > 3 * (r - l) as usize / 2);
    // The axes, left of and below the plot.
    assert_eq!(picture.at(l - 1, (t + b) / 2), (200, 205, 214));
    assert_eq!(picture.at((l + r) / 2, b), (200, 205, 214));
    // The background is white, and nothing of the line is in the label margin.
    assert_eq!(picture.at(5, 5), (255, 255, 255));
    assert_eq!(picture.count((0, 0, l - 1, HEIGHT as i32), LINE), 0);
    // Value labels and time labels.
    assert!(picture.texts >= 6, "{} labels", picture.texts);
}

#[test]
fn a_region_is_shaded_where_it_is_and_data_past_the_axis_is_cut_off() {
    let options = ChartOptions {
        regions: vec![Region {
            from_ms: 50_000,
            to_ms: 75_000,
            fill: RGBAColor(225, 45, 60, 0.5),
        }],
        // The saw tooth reaches 86: a fixed max of 50 sends its peaks past the top.
        y_axis: YAxis {
            min: Some(0.0),
            max: Some(50.0),
            log: false,
        },
        markers: vec![Marker {
            value: 25.0,
            label: "Alert".into(),
        }],
        ..ChartOptions::default()
    };
    let picture = draw(&[saw_tooth()], &options);
    let (l, t, r, b) = picture.plot;
    let x_of = |ts_ms: i32| l + (r - l) * ts_ms / 100_000;
    // Half of (225, 45, 60) over white.
    let shade = (240, 150, 157);
    let inside = (x_of(55_000), t, x_of(70_000), b);
    let before = (l, t, x_of(45_000), b);
    assert!(
        picture.count(inside, shade) > 500,
        "{}",
        picture.count(inside, shade)
    );
    assert_eq!(picture.count(before, shade), 0);
    // Clipped at the top: the margin above the plot has none of the line.
    assert_eq!(picture.count((0, 0, WIDTH as i32, t), LINE), 0);
    assert!(picture.count(picture.plot, LINE) > 100);
    // The marker at 25 of 0..50: a dashed line halfway up, in its dark grey.
    let y = b - (b - t) / 2;
    let dashes = picture.count((l, y - 1, r, y + 2), (70, 78, 90));
    assert!(dashes > (r - l) as usize / 3, "{dashes} marker pixels");
}

#[test]
fn a_band_is_shaded_and_points_outside_it_are_red() {
    let mut series = dogwatch_core::wire::QuerySeries {
        metric: "m".into(),
        display_name: "m".into(),
        expression: "anomalies(avg:m{*}, 'basic', 2)".into(),
        scope: "*".into(),
        tag_set: vec![],
        aggr: None,
        interval: 1,
        length: 101,
        query_index: 0,
        start: 0,
        end: 100_000,
        pointlist: (0..=100).map(|i| (i * 1000, Some(50.0))).collect(),
        attributes: Default::default(),
        unit: None,
        band: None,
    };
    series.pointlist[60].1 = Some(95.0);
    series.band = Some(dogwatch_core::wire::Band {
        algorithm: "basic".into(),
        bounds: 2.0,
        lower: (0..=100).map(|i| (i * 1000, Some(40.0))).collect(),
        upper: (0..=100).map(|i| (i * 1000, Some(60.0))).collect(),
    });
    let response = dogwatch_core::wire::QueryResponse {
        status: "ok".into(),
        res_type: "time_series".into(),
        resp_version: 1,
        query: String::new(),
        from_date: 0,
        to_date: 100_000,
        group_by: vec![],
        message: String::new(),
        series: vec![series],
        times: vec![],
        values: vec![],
    };
    let lines = dogwatch_chart::lines(&Arc::new(response));
    let picture = draw(&lines, &ChartOptions::default());
    // The band's grey over white, away from the line (which runs through its middle).
    let band = (209, 211, 214);
    assert!(picture.count(picture.plot, band) > 1000);
    assert!(picture.count(picture.plot, (230, 25, 25)) > 20);
}
