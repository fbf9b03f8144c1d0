//! `cargo xtask …`: installs what is missing, builds the UI and the server, runs dogwatch, and runs
//! every test. CI calls `cargo xtask ci` (through .ci/run), exactly as a developer does.
//!
//! Only std: this crate must build in seconds on a fresh machine.

mod bench;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

const HELP: &str = "\
usage: cargo xtask <command>

  setup   install what is missing: wasm32 target, Chromium, fonts-dejavu-core, trunk, wasm-bindgen-cli,
          npm tools, Python venv
  build   setup, then build the UI (trunk build --release) and the server (profile `server`)
  run     build, then start `dogwatch serve --demo` on http://127.0.0.1:8600 (extra args go to `serve`)
  bench query [--runs N]
          time dogwatch's query API against Debian's VictoriaMetrics on the same 1M points
  bench monitors [--monitors N] [--series N] [--cycles N]
          time one evaluation cycle of 10,000 metric monitors over 1,000 series
  soak [--minutes N]
          N minutes (default 10) of mixed intake, DogStatsD, queries and monitors: RSS, points/s, query p50/p99
  ci      setup, fmt, clippy, build, unit/server tests, Python client tests, browser tests (what CI runs)
";

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = repo_root();
    if let Err(e) = std::env::set_current_dir(&root) {
        eprintln!("xtask: cannot enter {}: {e}", root.display());
        return ExitCode::FAILURE;
    }
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup(),
        Some("build") => setup()
            .and_then(|()| build_ui())
            .and_then(|()| build_server_release()),
        Some("run") => setup()
            .and_then(|()| build_ui())
            .and_then(|()| build_server_release())
            .and_then(|()| run_server(&args[1..])),
        Some("ci") => ci(),
        Some("bench") => bench::main(&args[1..]),
        Some("soak") => bench::soak::main(&args[1..]),
        _ => {
            eprint!("{HELP}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn repo_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

fn home() -> PathBuf {
    std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from)
}

/// PATH with the npm tools (wasm-opt 132 must win over any Debian one) and cargo's bin dir first.
fn tool_path() -> String {
    let root = repo_root();
    let mut parts = vec![
        root.join("node_modules/.bin").display().to_string(),
        home().join(".cargo/bin").display().to_string(),
    ];
    if let Ok(p) = std::env::var("PATH") {
        parts.push(p);
    }
    parts.join(":")
}

fn cmd(program: &str) -> Command {
    let mut c = Command::new(program);
    c.env("PATH", tool_path());
    c
}

fn step(name: &str) {
    println!("\n==> {name}");
}

/// Runs a command to completion, failing with its name if it fails.
fn run(c: &mut Command) -> Result {
    let shown = format!("{c:?}");
    let status = c
        .status()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// The first line a tool prints for `--version`, if it runs at all.
fn version_of(program: &str) -> Option<String> {
    let out = cmd(program)
        .arg("--version")
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned()
    })
}

/// The wasm-bindgen version in Cargo.lock: wasm-bindgen-cli must be exactly this.
fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string("Cargo.lock").map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|v| v.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_owned());
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

fn setup() -> Result {
    step("setup: toolchain (installs only what is missing)");
    let targets = cmd("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("rustup: {e}"))?;
    if !String::from_utf8_lossy(&targets.stdout).contains("wasm32-unknown-unknown") {
        run(cmd("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    if !Path::new("/usr/bin/chromium").exists() || !Path::new("/usr/bin/chromedriver").exists() {
        println!("installing Debian's chromium and chromium-driver");
        run(cmd("apt-get").arg("update"))?;
        run(cmd("apt-get").args([
            "install",
            "-y",
            "--no-install-recommends",
            "chromium",
            "chromium-driver",
        ]))?;
    }
    // The font of the server's snapshot pictures (their labels): `--chart-font`'s default.
    if !Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").exists() {
        println!("installing Debian's fonts-dejavu-core");
        run(cmd("apt-get").arg("update"))?;
        run(cmd("apt-get").args([
            "install",
            "-y",
            "--no-install-recommends",
            "fonts-dejavu-core",
        ]))?;
    }
    if !version_of("trunk").is_some_and(|v| v.starts_with("trunk 0.21.")) {
        // 0.22 needs a newer rustc than 1.95.
        run(cmd("cargo").args(["install", "trunk", "--version", "~0.21", "--locked"]))?;
    }
    let wbg = locked_wasm_bindgen()?;
    if version_of("wasm-bindgen").as_deref() != Some(&format!("wasm-bindgen {wbg}")) {
        // Not --locked: its lock file names a webpki-roots release the registry does not have.
        run(cmd("cargo").args(["install", "wasm-bindgen-cli", "--version", &wbg, "--force"]))?;
    }
    if !Path::new("node_modules/.bin/wasm-opt").exists()
        || !Path::new("node_modules/playwright-core").exists()
        || !Path::new("node_modules/terser").exists()
    {
        run(cmd("npm").args(["ci", "--no-audit", "--no-fund"]))?;
    }
    let venv = Path::new("target/venv");
    let marker = venv.join(".requirements");
    let wanted = std::fs::read_to_string("tests/compat/requirements.txt")
        .map_err(|e| format!("tests/compat/requirements.txt: {e}"))?;
    if std::fs::read_to_string(&marker).ok().as_deref() != Some(wanted.as_str()) {
        run(cmd("python3").args(["-m", "venv", "target/venv"]))?;
        run(cmd("target/venv/bin/pip").args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            "tests/compat/requirements.txt",
        ]))?;
        std::fs::write(&marker, &wanted).map_err(|e| e.to_string())?;
    }
    println!(
        "toolchain ready: {}, {}, wasm-opt from npm",
        version_of("trunk").unwrap_or_default(),
        version_of("wasm-bindgen").unwrap_or_default()
    );
    Ok(())
}

fn build_ui() -> Result {
    step("build: UI (trunk build --release)");
    // Trunk's `offline = true` also passes --offline to cargo, which then cannot download crates
    // on a fresh machine: fetch them first (instant when they are cached).
    run(cmd("cargo").args(["fetch", "--locked"]))?;
    run(cmd("trunk").args(["build", "--release"]))
}

fn build_server_release() -> Result {
    step("build: server (cargo build --profile server)");
    run(cmd("cargo").args(["build", "--profile", "server", "-p", "dogwatch-server"]))
}

fn run_server(extra: &[String]) -> Result {
    let data = std::env::var("DOGWATCH_DATA").unwrap_or_else(|_| "target/dogwatch-data".into());
    let password = demo_admin_password(Path::new(&data))?;
    println!("\nStarting dogwatch with demo data (Ctrl-C to stop). Open the URL printed below.");
    println!(
        "Sign in as `admin` with password {password} (kept in {data}/demo-admin-password; \
         set when this data directory got its first admin)."
    );
    let mut c = cmd("target/server/dogwatch");
    c.args(["serve", "--demo", "--ui-dir", "dist", "--data", &data])
        .env("DOGWATCH_ADMIN_PASSWORD", &password)
        .args(extra);
    run(&mut c)
}

/// The demo's admin password: made once per data directory and kept beside it (0600), so that
/// every `cargo xtask run` can say how to sign in. dogwatch uses it only to make the first admin.
fn demo_admin_password(data: &Path) -> Result<String> {
    use std::io::{Read, Write};
    use std::os::unix::fs::OpenOptionsExt;
    let file = data.join("demo-admin-password");
    if let Ok(saved) = std::fs::read_to_string(&file) {
        return Ok(saved.trim().to_owned());
    }
    let mut bytes = [0u8; 9];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("no randomness for the demo password: {e}"))?;
    let password: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::create_dir_all(data).map_err(|e| format!("{}: {e}", data.display()))?;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&file)
        .and_then(|mut f| f.write_all(password.as_bytes()))
        .map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(password)
}

/// Passed/failed counts read from the test runners' own summary lines.
#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
}

impl Tally {
    fn read_line(&mut self, line: &str) {
        let t = line.trim();
        // cargo test: "test result: ok. 12 passed; 0 failed; 0 ignored; …"
        if let Some(rest) = t.strip_prefix("test result: ") {
            self.passed += count_before(rest, " passed");
            self.failed += count_before(rest, " failed");
        // node --test: "# pass 6" / "# fail 0"
        } else if let Some(n) = t.strip_prefix("# pass ") {
            self.passed += n.trim().parse::<u64>().unwrap_or(0);
        } else if let Some(n) = t.strip_prefix("# fail ") {
            self.failed += n.trim().parse::<u64>().unwrap_or(0);
        // pytest: "5 passed, 1 failed in 3.2s" (with `-q`), or the same between `=====` borders.
        } else if is_pytest_summary(t) {
            self.passed += count_before(t, " passed");
            self.failed += count_before(t, " failed") + count_before(t, " error");
        }
    }
}

/// pytest's closing line: comma-separated "<n> <outcome>" items, then " in <seconds>s".
fn is_pytest_summary(line: &str) -> bool {
    let t = line.trim_matches(|c: char| c == '=' || c.is_whitespace());
    let Some((counts, time)) = t.rsplit_once(" in ") else {
        return false;
    };
    let time_ok = time.split_whitespace().next().is_some_and(|s| {
        s.strip_suffix('s')
            .is_some_and(|n| n.parse::<f64>().is_ok())
    });
    time_ok
        && counts.split(", ").all(|item| {
            item.split_once(' ').is_some_and(|(n, word)| {
                n.parse::<u64>().is_ok() && word.chars().all(char::is_alphabetic)
            })
        })
}

/// The number right before `word` in `s` ("12 passed" → 12), 0 if absent.
fn count_before(s: &str, word: &str) -> u64 {
    let Some(i) = s.find(word) else { return 0 };
    let digits: String = s[..i]
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .chars()
        .rev()
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

/// Runs a test command, echoing its output and counting its summary lines.
fn run_tests(c: &mut Command, tally: &mut Tally) -> Result {
    use std::io::{BufRead, BufReader};
    let shown = format!("{c:?}");
    let mut child = c
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out)
            .lines()
            .map_while(std::result::Result::ok)
        {
            println!("{line}");
            tally.read_line(&line);
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

fn ci() -> Result {
    let started = Instant::now();
    setup()?;
    step("fmt");
    run(cmd("cargo").args(["fmt", "--all", "--check"]))?;
    step("clippy: server, core, xtask (native) and the UI (wasm32)");
    run(cmd("cargo").args([
        "clippy",
        "--workspace",
        "--exclude",
        "dogwatch-ui",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cmd("cargo").args([
        "clippy",
        "-p",
        "dogwatch-ui",
        "--all-targets",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))?;
    step("core stays pure (no tokio, axum, rusqlite, leptos, web-sys, tracing, no clock)");
    check_core_is_pure()?;
    build_ui()?;
    step("build: server (debug, used by the Python and browser tests)");
    run(cmd("cargo").args(["build", "-p", "dogwatch-server"]))?;

    let mut tally = Tally::default();
    let bin = repo_root().join("target/debug/dogwatch");
    let ui = repo_root().join("dist");
    step("tests: unit and server (cargo test)");
    let cargo = run_tests(cmd("cargo").args(["test", "--workspace"]), &mut tally);
    step("tests: the real `datadog` Python package against `dogwatch serve` (pytest)");
    let python = run_tests(
        cmd("target/venv/bin/python")
            .args([
                "-m",
                "pytest",
                "tests/compat",
                "-q",
                "-p",
                "no:cacheprovider",
            ])
            .env("DOGWATCH_BIN", &bin)
            .env("DOGWATCH_UI_DIR", &ui),
        &mut tally,
    );
    step("tests: end to end in headless Chromium (node --test)");
    let e2e = run_tests(
        cmd("node")
            .args(["--test", "--test-concurrency=1", "tests/e2e/"])
            .env("DOGWATCH_BIN", &bin)
            .env("DOGWATCH_UI_DIR", &ui),
        &mut tally,
    );
    let failures: Vec<String> = [cargo, python, e2e]
        .into_iter()
        .filter_map(std::result::Result::err)
        .collect();
    println!("\nci took {:.0?}", started.elapsed());
    println!("ci: {} passed, {} failed", tally.passed, tally.failed);
    if failures.is_empty() && tally.failed == 0 {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

fn check_core_is_pure() -> Result {
    let out = cmd("cargo")
        .args([
            "tree",
            "-p",
            "dogwatch-core",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .output()
        .map_err(|e| e.to_string())?;
    let tree = String::from_utf8_lossy(&out.stdout);
    let forbidden = [
        "tokio",
        "axum",
        "rusqlite",
        "leptos",
        "web-sys",
        "tracing",
        // What chrono's `clock` (the system's time zone) or `wasmbind` (the browser's) pull in.
        "iana-time-zone",
        "js-sys",
    ];
    let found: Vec<&str> = forbidden
        .iter()
        .copied()
        .filter(|f| {
            tree.lines()
                .any(|l| l.split_whitespace().next() == Some(*f))
        })
        .collect();
    // The `schedule` feature's `rrule` needs chrono's clock compiled in; core's own code still
    // never reads it.
    let clock_reads = clock_reads(Path::new("crates/dogwatch-core/src"));
    if !clock_reads.is_empty() {
        return Err(format!(
            "dogwatch-core must not read the clock, but does at {}",
            clock_reads.join(", ")
        ));
    }
    if found.is_empty() {
        println!(
            "dogwatch-core depends on: {}",
            tree.lines()
                .filter_map(|l| l.split_whitespace().next())
                .collect::<Vec<_>>()
                .join(", ")
        );
        Ok(())
    } else {
        Err(format!(
            "dogwatch-core must stay pure but depends on {}",
            found.join(", ")
        ))
    }
}

/// The places under `dir` (`file:line`) that read the clock or the machine's zone.
fn clock_reads(dir: &Path) -> Vec<String> {
    const READS: [&str; 5] = [
        "Utc::now",
        "Local::now",
        "chrono::Local",
        "SystemTime::now",
        "Instant::now",
    ];
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(clock_reads(&path));
        } else if path.extension().is_some_and(|e| e == "rs")
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            for (i, line) in text.lines().enumerate() {
                if READS.iter().any(|r| line.contains(r)) && !line.trim_start().starts_with("//") {
                    found.push(format!("{}:{}", path.display(), i + 1));
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::Tally;

    fn tally(lines: &[&str]) -> (u64, u64) {
        let mut t = Tally::default();
        for l in lines {
            t.read_line(l);
        }
        (t.passed, t.failed)
    }

    #[test]
    fn summary_lines_of_every_runner_are_counted() {
        assert_eq!(
            tally(&["test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured"]),
            (12, 0)
        );
        assert_eq!(
            tally(&["test result: FAILED. 10 passed; 2 failed; 0 ignored"]),
            (10, 2)
        );
        assert_eq!(tally(&["4 passed in 1.43s"]), (4, 0));
        assert_eq!(
            tally(&["==== 1 failed, 3 passed, 1 warning in 2.01s ===="]),
            (3, 1)
        );
        assert_eq!(tally(&["# pass 12", "# fail 1"]), (12, 1));
        assert_eq!(
            tally(&["ok 3 - something passed in 2 s", "the spike passed in 10s"]),
            (0, 0)
        );
    }
}
