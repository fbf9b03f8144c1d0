//! Reducing a line to what a canvas can show: per pixel column, the first, lowest, highest and last
//! point. A line of 166,650 points on a graph 1,200 pixels wide then draws at most 4,800 vertices and
//! looks the same, because every column still spans from its lowest to its highest value and joins
//! its neighbours where the full line would.

/// How the time axis is cut into pixel columns: `count` columns of equal width over
/// `from_ms..to_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    pub from_ms: i64,
    pub to_ms: i64,
    pub count: usize,
}

impl Columns {
    /// The column of a time. Times outside the window get columns outside `0..count` (negative or
    /// past the end), so points just off the graph still shape the line where it leaves the edge.
    fn of(&self, ts_ms: i64, per_ms: f64) -> i64 {
        ((ts_ms - self.from_ms) as f64 * per_ms).floor() as i64
    }

    /// The times surely inside `column`: from its first whole millisecond to before its last one.
    /// Kept a millisecond short of each edge, so that rounding never puts a point in the wrong
    /// column; points near an edge go through [`Columns::of`] instead.
    fn span(&self, column: i64, per_ms: f64) -> (i64, i64) {
        let start = self.from_ms + (column as f64 / per_ms).ceil() as i64 + 1;
        let end = self.from_ms + ((column + 1) as f64 / per_ms).floor() as i64 - 1;
        (start, end)
    }
}

/// Points per call of the loops that walk a whole line (decimation, the sort check). V8 compiles a
/// wasm function first with its baseline compiler (Liftoff) and swaps in optimised code (TurboFan)
/// only for later calls, once it has run hot: there is no on-stack replacement for wasm, so a single
/// call looping over 166,650 points runs all of them in whichever tier the function had when it was
/// called. Fed a chunk per call through a function that is never inlined, the loop can switch to
/// optimised code part way. Measured (2 busy cores, decimation timed alone, 16 cold draws each):
/// 1 to 3 ms with chunks or without, the same bimodal spread (about 1 ms or about 3 ms, whether the
/// optimised code was ready or not); the chunks cost nothing measurable either, so they stay.
pub const CHUNK: usize = 4096;

/// The points of `points` (sorted by time) worth drawing in `columns`: in each column its first,
/// lowest, highest and last point, in time order, each once. Missing values (`None`), values that are
/// not finite and values `keep` refuses (a log axis refuses values <= 0) are skipped, so the line
/// bridges them as the chart always has.
pub fn decimate(
    points: &[(i64, Option<f64>)],
    columns: Columns,
    keep: impl Fn(f64) -> bool,
) -> Vec<(i64, f64)> {
    decimate_counting(points, columns, keep).points
}

/// What [`decimate_counting`] found.
pub struct Decimated {
    /// As [`decimate`] returns them.
    pub points: Vec<(i64, f64)>,
    /// How many points had a finite value (whether `keep` took them or not).
    pub valued: usize,
}

/// [`decimate`], also counting the points with a finite value in the same pass.
pub fn decimate_counting(
    points: &[(i64, Option<f64>)],
    columns: Columns,
    keep: impl Fn(f64) -> bool,
) -> Decimated {
    let duration_ms = (columns.to_ms - columns.from_ms).max(1) as f64;
    let mut state = State {
        columns,
        per_ms: columns.count.max(1) as f64 / duration_ms,
        // Never more than 4 per column, and never more than the points themselves.
        out: Vec::with_capacity(points.len().min(columns.count.saturating_mul(4) + 8)),
        current: None,
        starts_ms: i64::MAX,
        ends_ms: i64::MIN,
        valued: 0,
    };
    for chunk in points.chunks(CHUNK) {
        state.feed(chunk, &keep);
    }
    if let Some(done) = state.current {
        done.emit(&mut state.out);
    }
    Decimated {
        points: state.out,
        valued: state.valued,
    }
}

/// The decimation between two chunks.
struct State {
    columns: Columns,
    per_ms: f64,
    out: Vec<(i64, f64)>,
    current: Option<Column>,
    /// The times the current column covers: while points stay inside, no column arithmetic.
    starts_ms: i64,
    ends_ms: i64,
    valued: usize,
}

impl State {
    /// One chunk of points; never inlined, so that V8 optimises it once it has run a few times
    /// (see [`CHUNK`]).
    #[inline(never)]
    fn feed(&mut self, points: &[(i64, Option<f64>)], keep: &impl Fn(f64) -> bool) {
        let (columns, per_ms) = (self.columns, self.per_ms);
        let (mut starts_ms, mut ends_ms) = (self.starts_ms, self.ends_ms);
        let mut current = self.current.take();
        let mut valued = 0;
        for &(ts_ms, value) in points {
            let Some(value) = value.filter(|v| v.is_finite()) else {
                continue;
            };
            valued += 1;
            if !keep(value) {
                continue;
            }
            if let Some(c) = current
                .as_mut()
                .filter(|_| starts_ms <= ts_ms && ts_ms < ends_ms)
            {
                c.add(ts_ms, value);
                continue;
            }
            let column = columns.of(ts_ms, per_ms);
            match &mut current {
                Some(c) if c.index == column => c.add(ts_ms, value),
                _ => {
                    if let Some(done) = current.take() {
                        done.emit(&mut self.out);
                    }
                    current = Some(Column::new(column, ts_ms, value));
                }
            }
            (starts_ms, ends_ms) = columns.span(column, per_ms);
        }
        (self.starts_ms, self.ends_ms, self.current) = (starts_ms, ends_ms, current);
        self.valued += valued;
    }
}

/// One pixel column being gathered. Points are kept with their order (`seq`) so that the column's
/// four points come out in time order.
struct Column {
    index: i64,
    first: (i64, f64),
    min: (u32, i64, f64),
    max: (u32, i64, f64),
    last: (u32, i64, f64),
    seq: u32,
}

impl Column {
    fn new(index: i64, ts_ms: i64, value: f64) -> Column {
        Column {
            index,
            first: (ts_ms, value),
            min: (0, ts_ms, value),
            max: (0, ts_ms, value),
            last: (0, ts_ms, value),
            seq: 0,
        }
    }

    fn add(&mut self, ts_ms: i64, value: f64) {
        self.seq += 1;
        let point = (self.seq, ts_ms, value);
        if value < self.min.2 {
            self.min = point;
        }
        if value > self.max.2 {
            self.max = point;
        }
        self.last = point;
    }

    fn emit(self, out: &mut Vec<(i64, f64)>) {
        out.push(self.first);
        // The first point has seq 0; the others follow in the order they came, each once.
        let (a, b) = if self.min.0 <= self.max.0 {
            (self.min, self.max)
        } else {
            (self.max, self.min)
        };
        let mut previous = 0;
        for (seq, ts_ms, value) in [a, b, self.last] {
            if seq > previous {
                out.push((ts_ms, value));
                previous = seq;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(points: &[(i64, Option<f64>)], count: usize, expected: &[(i64, f64)]) {
        let columns = Columns {
            from_ms: 0,
            to_ms: 100,
            count,
        };
        assert_eq!(decimate(points, columns, |_| true), expected);
    }

    #[test]
    fn a_column_keeps_first_min_max_last_in_time_order() {
        // 10 columns of 10 ms: all these fall into column 0.
        check(
            &[
                (0, Some(5.0)),
                (1, Some(9.0)),
                (2, Some(1.0)),
                (3, Some(4.0)),
                (4, Some(6.0)),
            ],
            10,
            &[(0, 5.0), (1, 9.0), (2, 1.0), (4, 6.0)],
        );
        // The low comes before the high; the last is also the high.
        check(
            &[
                (0, Some(5.0)),
                (3, Some(1.0)),
                (5, Some(2.0)),
                (9, Some(8.0)),
            ],
            10,
            &[(0, 5.0), (3, 1.0), (9, 8.0)],
        );
    }

    #[test]
    fn the_first_point_is_not_repeated_when_it_is_the_extreme() {
        check(
            &[(0, Some(9.0)), (1, Some(5.0)), (2, Some(1.0))],
            10,
            &[(0, 9.0), (2, 1.0)],
        );
        check(&[(0, Some(3.0))], 10, &[(0, 3.0)]);
        check(&[(0, Some(3.0)), (1, Some(3.0))], 10, &[(0, 3.0), (1, 3.0)]);
    }

    #[test]
    fn columns_are_reduced_separately_and_short_lines_are_untouched() {
        // Column 0 (0..10 ms) and column 1 (10..20 ms).
        check(
            &[
                (0, Some(1.0)),
                (2, Some(7.0)),
                (4, Some(3.0)),
                (6, Some(2.0)),
                (10, Some(0.0)),
                (19, Some(4.0)),
            ],
            10,
            &[(0, 1.0), (2, 7.0), (6, 2.0), (10, 0.0), (19, 4.0)],
        );
        let sparse = [(5, Some(1.0)), (50, Some(2.0)), (95, Some(3.0))];
        check(&sparse, 10, &[(5, 1.0), (50, 2.0), (95, 3.0)]);
    }

    #[test]
    fn gaps_and_refused_values_are_skipped_so_the_line_bridges_them() {
        check(
            &[
                (5, Some(1.0)),
                (15, None),
                (25, Some(f64::NAN)),
                (35, Some(f64::INFINITY)),
                (45, Some(2.0)),
            ],
            10,
            &[(5, 1.0), (45, 2.0)],
        );
        let columns = Columns {
            from_ms: 0,
            to_ms: 100,
            count: 10,
        };
        let log = decimate(
            &[
                (5, Some(1.0)),
                (15, Some(0.0)),
                (25, Some(-3.0)),
                (35, Some(10.0)),
            ],
            columns,
            |v| v > 0.0,
        );
        assert_eq!(log, [(5, 1.0), (35, 10.0)]);
        assert!(decimate(&[], columns, |_| true).is_empty());
    }

    #[test]
    fn points_outside_the_window_keep_their_own_columns() {
        check(
            &[
                (-20, Some(1.0)),
                (-15, Some(2.0)),
                (5, Some(3.0)),
                (120, Some(4.0)),
            ],
            10,
            &[(-20, 1.0), (-15, 2.0), (5, 3.0), (120, 4.0)],
        );
    }

    #[test]
    fn a_large_line_is_reduced_to_at_most_four_points_per_column() {
        // One point a second for 166,650 s, a saw tooth, into 1,200 columns.
        let n = 166_650_i64;
        let points: Vec<_> = (0..n).map(|i| (i * 1000, Some((i % 97) as f64))).collect();
        let columns = Columns {
            from_ms: 0,
            to_ms: (n - 1) * 1000,
            count: 1200,
        };
        let out = decimate(&points, columns, |_| true);
        assert!(out.len() <= 4 * 1201, "{}", out.len());
        assert!(out.len() >= 1200);
        assert_eq!(out.first(), Some(&(0, 0.0)));
        assert_eq!(out.last(), Some(&((n - 1) * 1000, ((n - 1) % 97) as f64)));
        assert!(out.windows(2).all(|w| w[0].0 < w[1].0), "time order");
        // Every column of 138 s holds a whole tooth, so both extremes survive.
        assert!(out.iter().any(|p| p.1 == 96.0) && out.iter().any(|p| p.1 == 0.0));
    }
}
