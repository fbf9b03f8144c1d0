//! `cargo xtask bench render`: dogwatch's chart against uPlot in headless Chromium, and the size of
//! the UI as sent over the wire.
//!
//! Builds the server (debug, as the browser tests use it) and the UI (`trunk build --release`), then
//! runs tests/bench/render.mjs, which does the browser work and prints one JSON line: the draw times
//! of both (cold, a fresh page per run), the times of redraws of our data alone and how many times
//! our frame was drawn, and the script time of 10 s of pointer movement over each, in each of the
//! last three runs.
//! This side summarises: medians, ratios (ours / uPlot, lower is better, target <= 1.0), the frame
//! redraw count (target: one frame per run, as size, window and scale never change), and the
//! gzip -9 and brotli (quality 11) sizes of every file of dist/ that index.html loads (target
//! 650 KB gzipped).

use std::path::Path;
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::{Result, build_ui, cmd, run, step};

const DEFAULT_RUNS: usize = 7;
const BUNDLE_TARGET_KB: f64 = 650.0;
const USAGE: &str = "usage: cargo xtask bench render [--runs N]   (N >= 1, default 7)";

pub fn main(args: &[String]) -> Result {
    let mut runs = DEFAULT_RUNS;
    let mut rest = args.iter();
    while let Some(a) = rest.next() {
        match a.as_str() {
            "--runs" => {
                runs = rest
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n >= 1)
                    .ok_or(USAGE)?;
            }
            _ => return Err(format!("unknown argument `{a}`\n{USAGE}")),
        }
    }

    step("bench render: build the server (debug) and the UI (release)");
    run(cmd("cargo").args(["build", "-p", "dogwatch-server"]))?;
    build_ui()?;

    step(&format!(
        "bench render: our chart vs uPlot in headless Chromium, {runs} cold runs each"
    ));
    let out = cmd("node")
        .args(["tests/bench/render.mjs", "--runs", &runs.to_string()])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot start node: {e}"))?;
    if !out.status.success() {
        return Err(format!("tests/bench/render.mjs failed ({})", out.status));
    }
    let last_line = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned();
    let result: BenchResult = serde_json::from_str(&last_line)
        .map_err(|e| format!("tests/bench/render.mjs printed no result ({e}): {last_line}"))?;
    let bundle = bundle_size(Path::new("dist"))?;
    println!("\n{}", report(&result, &bundle)?);
    Ok(())
}

/// What tests/bench/render.mjs prints.
#[derive(Debug, Deserialize)]
struct BenchResult {
    points: u64,
    width: u64,
    height: u64,
    ours_ms: Vec<f64>,
    uplot_ms: Vec<f64>,
    ours_points: u64,
    ours_drawn_points: u64,
    ours_hover_script_ms: Vec<f64>,
    ours_hover_moves: Vec<f64>,
    uplot_hover_script_ms: Vec<f64>,
    uplot_hover_moves: Vec<f64>,
    /// Redraws of our data alone per run (palette changes).
    restyles: u64,
    ours_restyle_ms: Vec<f64>,
    /// Per run, after the restyles (and the pointer moves, where there were some).
    ours_data_draws: Vec<u64>,
    ours_frame_draws: Vec<u64>,
    /// Per run, right after the restyles.
    ours_frame_draws_after_restyles: Vec<u64>,
}

/// The files of the UI with their sizes in bytes: raw, gzip -9, brotli.
struct Bundle {
    files: Vec<(String, u64, u64, u64)>,
}

impl Bundle {
    fn gzip_total(&self) -> u64 {
        self.files.iter().map(|f| f.2).sum()
    }

    fn brotli_total(&self) -> u64 {
        self.files.iter().map(|f| f.3).sum()
    }
}

/// Every file of `dist` that index.html loads (named in it), and index.html itself, with its size
/// and its size after `gzip -9` and after brotli at quality 11 (node's zlib: there is no brotli
/// command on the machine, and node is there for the browser half anyway).
fn bundle_size(dist: &Path) -> Result<Bundle> {
    let index = std::fs::read_to_string(dist.join("index.html"))
        .map_err(|e| format!("{}/index.html: {e}", dist.display()))?;
    let mut files = Vec::new();
    let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name == "index.html" || index.contains(name.as_str()))
        .collect();
    names.sort();
    for name in names {
        let path = dist.join(&name);
        let raw = std::fs::metadata(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .len();
        let gz = Command::new("gzip")
            .args(["-9", "-c"])
            .arg(&path)
            .output()
            .map_err(|e| format!("cannot run gzip: {e}"))?;
        if !gz.status.success() {
            return Err(format!("gzip -9 {} failed", path.display()));
        }
        files.push((name, raw, gz.stdout.len() as u64, brotli_size(&path)?));
    }
    Ok(Bundle { files })
}

const BROTLI: &str = "const z = require('zlib'); \
    const q = { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11 } }; \
    process.stdout.write(String(z.brotliCompressSync(require('fs').readFileSync(process.argv[1]), q).length));";

fn brotli_size(path: &Path) -> Result<u64> {
    let out = Command::new("node")
        .args(["-e", BROTLI])
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run node for brotli: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|e| format!("brotli of {}: {e}", path.display()))
}

fn non_empty<'a>(xs: &'a [f64], key: &str) -> Result<&'a [f64]> {
    if xs.is_empty() {
        return Err(format!("the benchmark's result has no `{key}`"));
    }
    Ok(xs)
}

fn median(xs: &[f64]) -> f64 {
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

fn verdict(ratio: f64) -> &'static str {
    if ratio <= 1.0 {
        "meets the target (<= 1.0x)"
    } else {
        "MISSES the target (<= 1.0x)"
    }
}

/// The summary printed at the end.
fn report(r: &BenchResult, bundle: &Bundle) -> Result<String> {
    let ours = non_empty(&r.ours_ms, "ours_ms")?;
    let uplot = non_empty(&r.uplot_ms, "uplot_ms")?;
    let (ours_med, uplot_med) = (median(ours), median(uplot));
    let draw_ratio = ours_med / uplot_med;
    // Per move: the page that answers faster gets more moves in the same 10 s.
    let per_move = |script: &[f64], moves: &[f64], key: &str| -> Result<Vec<f64>> {
        let script = non_empty(script, key)?;
        Ok(script.iter().zip(moves).map(|(s, m)| s / m).collect())
    };
    let ours_hover = per_move(
        &r.ours_hover_script_ms,
        &r.ours_hover_moves,
        "ours_hover_script_ms",
    )?;
    let uplot_hover = per_move(
        &r.uplot_hover_script_ms,
        &r.uplot_hover_moves,
        "uplot_hover_script_ms",
    )?;
    let (ours_move_med, uplot_move_med) = (median(&ours_hover), median(&uplot_hover));
    let hover_ratio = ours_move_med / uplot_move_med;
    let list3 = |xs: &[f64]| {
        xs.iter()
            .map(|x| format!("{x:.3}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let list = |xs: &[f64]| {
        xs.iter()
            .map(|x| format!("{x:.1}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let counts = |xs: &[u64]| xs.iter().map(u64::to_string).collect::<Vec<_>>().join(" ");
    let mut s = String::new();
    s += &format!(
        "render benchmark: {} points, canvas {}x{} CSS px, {} cold runs each\n",
        r.points,
        r.width,
        r.height,
        ours.len()
    );
    s += &format!(
        "  our chart drew {} points as {} after decimation\n\n",
        r.ours_points, r.ours_drawn_points
    );
    s += "draw (until laid out and rasterised)\n";
    s += &format!("  ours   median {ours_med:7.1} ms   runs: {}\n", list(ours));
    s += &format!(
        "  uPlot  median {uplot_med:7.1} ms   runs: {}\n",
        list(uplot)
    );
    s += &format!(
        "  ratio ours/uPlot {draw_ratio:.2}x   {}\n\n",
        verdict(draw_ratio)
    );
    let frames_total: u64 = r.ours_frame_draws.iter().sum();
    let runs = r.ours_frame_draws.len() as u64;
    s += &format!(
        "redraws of our data alone ({} palette changes a run: same size, window and scale)\n",
        r.restyles
    );
    if !r.ours_restyle_ms.is_empty() {
        s += &format!(
            "  data redraw median {:.1} ms (of {})\n",
            median(&r.ours_restyle_ms),
            r.ours_restyle_ms.len()
        );
    }
    s += &format!(
        "  frame draws per run: {} after the restyles, {} at the end   data draws per run: {}\n",
        counts(&r.ours_frame_draws_after_restyles),
        counts(&r.ours_frame_draws),
        counts(&r.ours_data_draws)
    );
    s += &format!(
        "  frame redraws {} over {runs} runs   {}\n\n",
        frames_total.saturating_sub(runs),
        if frames_total == runs {
            "meets the target (the frame is drawn once a run)"
        } else {
            "MISSES the target (the frame is drawn once a run)"
        }
    );
    s += &format!(
        "crosshair (script time of 10 s of pointer moves across the plot, in {} runs)\n",
        ours_hover.len()
    );
    s += &format!(
        "  ours   median {ours_move_med:.3} ms a move   runs: {}\n",
        list3(&ours_hover)
    );
    s += &format!(
        "  uPlot  median {uplot_move_med:.3} ms a move   runs: {}\n",
        list3(&uplot_hover)
    );
    s += &format!(
        "  ratio ours/uPlot {hover_ratio:.2}x (per move)   {}\n\n",
        verdict(hover_ratio)
    );
    s += "UI bundle (every file index.html loads; gzip -9 and brotli -q 11)\n";
    for (name, raw, gz, br) in &bundle.files {
        s += &format!(
            "  {name:<44} {:8.1} KB  gzip {:7.1} KB  brotli {:7.1} KB\n",
            *raw as f64 / 1024.0,
            *gz as f64 / 1024.0,
            *br as f64 / 1024.0
        );
    }
    let total_kb = bundle.gzip_total() as f64 / 1024.0;
    let brotli_kb = bundle.brotli_total() as f64 / 1024.0;
    s += &format!(
        "  total transferred {total_kb:.1} KB gzip, {brotli_kb:.1} KB brotli (target {BUNDLE_TARGET_KB:.0} KB gzip): {}\n",
        if total_kb <= BUNDLE_TARGET_KB {
            "meets the target"
        } else {
            "MISSES the target"
        }
    );
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_runs() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn the_report_gives_medians_ratios_frames_and_the_bundle() {
        let r: BenchResult = serde_json::from_str(
            r#"{"points":166650,"width":1200,"height":320,"runs":3,
                 "ours_ms":[30,10,20],"uplot_ms":[40,40,40],
                 "ours_points":166650,"ours_drawn_points":4334,
                 "ours_hover_script_ms":[100,90,200],"ours_hover_moves":[500,500,500],
                 "uplot_hover_script_ms":[300,300,270],"uplot_hover_moves":[500,500,500],
                 "restyles":10,"ours_restyle_ms":[2,3,4],"ours_data_draws":[11,11,11],
                 "ours_frame_draws":[1,1,1],"ours_frame_draws_after_restyles":[1,1,1]}"#,
        )
        .expect("json");
        let bundle = Bundle {
            files: vec![("index.html".into(), 2048, 1024, 512)],
        };
        let text = report(&r, &bundle).expect("a report");
        assert!(text.contains("ours   median    20.0 ms"), "{text}");
        assert!(text.contains("ratio ours/uPlot 0.50x"), "{text}");
        // Medians per move: 0.2 ms against 0.6 ms.
        assert!(text.contains("ours   median 0.200 ms a move"), "{text}");
        assert!(text.contains("ratio ours/uPlot 0.33x (per move)"), "{text}");
        assert!(text.contains("data redraw median 3.0 ms"), "{text}");
        assert!(
            text.contains("frame redraws 0 over 3 runs   meets"),
            "{text}"
        );
        assert!(
            text.contains(
                "total transferred 1.0 KB gzip, 0.5 KB brotli (target 650 KB gzip): meets"
            ),
            "{text}"
        );
        let empty: BenchResult = serde_json::from_str(
            r#"{"points":1,"width":1,"height":1,"ours_ms":[],"uplot_ms":[],"ours_points":0,
                "ours_drawn_points":0,"ours_hover_script_ms":[],"ours_hover_moves":[],
                "uplot_hover_script_ms":[],"uplot_hover_moves":[],"restyles":0,"ours_restyle_ms":[],
                "ours_data_draws":[],"ours_frame_draws":[],"ours_frame_draws_after_restyles":[]}"#,
        )
        .expect("json");
        assert!(report(&empty, &bundle).is_err());
    }
}
