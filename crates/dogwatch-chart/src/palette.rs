//! The colors of each palette, which color each series gets, and the colors of the frame, bands,
//! anomalies and markers.

use plotters::style::{RGBAColor, RGBColor};

use crate::options::{ChartOptions, Palette};

/// An sRGB color.
pub type Rgb = (u8, u8, u8);

/// The value grid: light enough that lines read over it.
pub const GRID: RGBColor = RGBColor(232, 235, 240);
/// The two axis lines and their ticks.
pub const AXIS: RGBColor = RGBColor(200, 205, 214);
pub const LABEL: RGBColor = RGBColor(98, 106, 120);
/// The expected-value band: a translucent grey, so lines and the grid show through it.
pub const BAND: RGBAColor = RGBAColor(110, 118, 130, 0.28);
/// Points outside their band: a red that no palette color is close to.
pub const ANOMALY: RGBColor = RGBColor(230, 25, 25);
/// Markers: dashed, a dark grey that no palette line is mistaken for.
pub const MARKER: RGBColor = RGBColor(70, 78, 90);
/// The heatmap's cells, more opaque the more series fall in them.
pub const HEAT: RGBColor = RGBColor(99, 44, 166);

/// The band's color as CSS, for the legend.
pub const BAND_CSS: &str = "rgba(110, 118, 130, 0.28)";
/// The anomalies' color as CSS, for the legend.
pub const ANOMALY_CSS: &str = "rgb(230, 25, 25)";

/// Classic: distinct hues, readable on white (the chart's colors before palettes existed).
const CLASSIC: [Rgb; 8] = [
    (63, 127, 224),
    (229, 116, 42),
    (42, 168, 118),
    (155, 89, 208),
    (214, 69, 93),
    (26, 163, 181),
    (201, 162, 39),
    (123, 135, 148),
];
/// Cool: blues and greens, dark to light and back so neighbours differ.
const COOL: [Rgb; 6] = [
    (33, 102, 172),
    (67, 170, 139),
    (77, 175, 214),
    (31, 120, 80),
    (106, 153, 230),
    (24, 150, 160),
];
/// Warm: reds, oranges and yellows.
const WARM: [Rgb; 6] = [
    (215, 48, 39),
    (244, 146, 40),
    (190, 140, 20),
    (178, 24, 43),
    (240, 110, 70),
    (200, 80, 20),
];
const PURPLE: [Rgb; 5] = [
    (118, 66, 182),
    (168, 110, 220),
    (84, 39, 143),
    (190, 140, 230),
    (140, 86, 200),
];
const ORANGE: [Rgb; 5] = [
    (230, 120, 20),
    (250, 160, 70),
    (190, 90, 10),
    (245, 185, 110),
    (210, 105, 30),
];
const GRAY: [Rgb; 5] = [
    (90, 98, 110),
    (140, 148, 160),
    (60, 66, 76),
    (170, 176, 186),
    (115, 122, 134),
];

fn colors(palette: Palette) -> &'static [Rgb] {
    match palette {
        Palette::Classic => &CLASSIC,
        Palette::Cool => &COOL,
        Palette::Warm => &WARM,
        Palette::Purple => &PURPLE,
        Palette::Orange => &ORANGE,
        Palette::Gray => &GRAY,
    }
}

/// The color of each series, given the query each one belongs to (in series order). A series takes
/// the next color of its query's palette, counting every earlier series drawn with that same palette:
/// series of one query take successive colors, and two queries left on the default palette still get
/// different colors, as they did before palettes existed.
pub fn series_colors(query_indexes: &[usize], options: &ChartOptions) -> Vec<Rgb> {
    let mut used = [0_usize; Palette::ALL.len()];
    query_indexes
        .iter()
        .map(|&q| {
            let palette = options.style(q).palette;
            let slot = palette as usize;
            let colors = colors(palette);
            let color = colors[used[slot] % colors.len()];
            used[slot] += 1;
            color
        })
        .collect()
}

/// A color as CSS, for the HTML legend and tooltip.
pub fn css((r, g, b): Rgb) -> String {
    format!("rgb({r}, {g}, {b})")
}

/// A series color as plotters takes it.
pub fn rgb((r, g, b): Rgb) -> RGBColor {
    RGBColor(r, g, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::QueryStyle;

    #[test]
    fn series_take_successive_colors_of_their_querys_palette() {
        let default = ChartOptions::default();
        assert_eq!(
            series_colors(&[0, 0, 1], &default),
            [CLASSIC[0], CLASSIC[1], CLASSIC[2]]
        );
        let options = ChartOptions {
            styles: vec![
                QueryStyle {
                    palette: Palette::Warm,
                    ..QueryStyle::default()
                },
                QueryStyle {
                    palette: Palette::Cool,
                    ..QueryStyle::default()
                },
            ],
            ..ChartOptions::default()
        };
        // Query 2 has no style: the default, classic.
        assert_eq!(
            series_colors(&[0, 0, 1, 2, 0], &options),
            [WARM[0], WARM[1], COOL[0], CLASSIC[0], WARM[2]]
        );
        // A palette wraps around after its last color.
        let many: Vec<usize> = vec![0; 9];
        assert_eq!(series_colors(&many, &default)[8], CLASSIC[0]);
        assert_eq!(css((1, 2, 3)), "rgb(1, 2, 3)");
    }
}
