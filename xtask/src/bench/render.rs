//! `cargo xtask bench render`: dogwatch's chart against uPlot in headless Chromium, and the size of
//! the UI as sent over the wire.
//!
//! Builds the server (debug, as the browser tests use it) and the UI (`trunk build --release`), then
//! runs tests/bench/render.mjs, which does the browser work and prints one JSON line: the draw times
//! of both (cold, a fresh page per run) and the script time of 10 s of pointer movement over each,
//! in each of the last three runs.
//! This side summarises: medians, ratios (ours / uPlot, lower is better, target <= 1.0), and the
//! gzip -9 size of every file of dist/ that index.html loads (target 400 KB).

use std::path::Path;
use std::process::{Command, Stdio};

use super::json::{self, Json};
use crate::{Result, build_ui, cmd, run, step};

const DEFAULT_RUNS: usize = 7;
const BUNDLE_TARGET_KB: f64 = 400.0;
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
    let result = json::parse(last_line.as_bytes())
        .map_err(|e| format!("tests/bench/render.mjs printed no result ({e}): {last_line}"))?;
    let bundle = bundle_size(Path::new("dist"))?;
    println!("\n{}", report(&result, &bundle)?);
    Ok(())
}

/// The files of the UI and their gzip -9 sizes in bytes.
struct Bundle {
    files: Vec<(String, u64, u64)>,
}

impl Bundle {
    fn gzip_total(&self) -> u64 {
        self.files.iter().map(|f| f.2).sum()
    }
}

/// Every file of `dist` that index.html loads (named in it), and index.html itself, with its size
/// and its size after `gzip -9`.
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
        files.push((name, raw, gz.stdout.len() as u64));
    }
    Ok(Bundle { files })
}

fn numbers(v: &Json, key: &str) -> Result<Vec<f64>> {
    let xs: Vec<f64> = v.get(key).arr().iter().filter_map(Json::num).collect();
    if xs.is_empty() {
        return Err(format!("the benchmark's result has no `{key}`"));
    }
    Ok(xs)
}

fn number(v: &Json, key: &str) -> Result<f64> {
    v.get(key)
        .num()
        .ok_or_else(|| format!("the benchmark's result has no `{key}`"))
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
fn report(r: &Json, bundle: &Bundle) -> Result<String> {
    let ours = numbers(r, "ours_ms")?;
    let uplot = numbers(r, "uplot_ms")?;
    let (ours_med, uplot_med) = (median(&ours), median(&uplot));
    let draw_ratio = ours_med / uplot_med;
    // Per move: the page that answers faster gets more moves in the same 10 s.
    let per_move = |which: &str| -> Result<Vec<f64>> {
        let script = numbers(r, &format!("{which}_hover_script_ms"))?;
        let moves = numbers(r, &format!("{which}_hover_moves"))?;
        Ok(script.iter().zip(&moves).map(|(s, m)| s / m).collect())
    };
    let (ours_hover, uplot_hover) = (per_move("ours")?, per_move("uplot")?);
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
    let mut s = String::new();
    s += &format!(
        "render benchmark: {} points, canvas {}x{} CSS px, {} cold runs each\n",
        number(r, "points")?,
        number(r, "width")?,
        number(r, "height")?,
        ours.len()
    );
    s += &format!(
        "  our chart drew {} points as {} after decimation\n\n",
        number(r, "ours_points")?,
        number(r, "ours_drawn_points")?
    );
    s += "draw (until laid out and rasterised)\n";
    s += &format!(
        "  ours   median {ours_med:7.1} ms   runs: {}\n",
        list(&ours)
    );
    s += &format!(
        "  uPlot  median {uplot_med:7.1} ms   runs: {}\n",
        list(&uplot)
    );
    s += &format!(
        "  ratio ours/uPlot {draw_ratio:.2}x   {}\n\n",
        verdict(draw_ratio)
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
    s += "UI bundle (every file index.html loads, gzip -9)\n";
    for (name, raw, gz) in &bundle.files {
        s += &format!(
            "  {name:<44} {:8.1} KB  gzip {:7.1} KB\n",
            *raw as f64 / 1024.0,
            *gz as f64 / 1024.0
        );
    }
    let total_kb = bundle.gzip_total() as f64 / 1024.0;
    s += &format!(
        "  total transferred {total_kb:.1} KB (target {BUNDLE_TARGET_KB:.0} KB): {}\n",
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
    fn the_report_gives_medians_ratios_and_the_bundle() {
        let r = json::parse(
            br#"{"points":166650,"width":1200,"height":320,"runs":3,
                 "ours_ms":[30,10,20],"uplot_ms":[40,40,40],
                 "ours_points":166650,"ours_drawn_points":4334,
                 "ours_hover_script_ms":[100,90,200],"ours_hover_moves":[500,500,500],
                 "uplot_hover_script_ms":[300,300,270],"uplot_hover_moves":[500,500,500]}"#,
        )
        .expect("json");
        let bundle = Bundle {
            files: vec![("index.html".into(), 2048, 1024)],
        };
        let text = report(&r, &bundle).expect("a report");
        assert!(text.contains("ours   median    20.0 ms"), "{text}");
        assert!(text.contains("ratio ours/uPlot 0.50x"), "{text}");
        // Medians per move: 0.2 ms against 0.6 ms.
        assert!(text.contains("ours   median 0.200 ms a move"), "{text}");
        assert!(text.contains("ratio ours/uPlot 0.33x (per move)"), "{text}");
        assert!(
            text.contains("total transferred 1.0 KB (target 400 KB): meets"),
            "{text}"
        );
        assert!(report(&json::parse(b"{}").expect("json"), &bundle).is_err());
    }
}
