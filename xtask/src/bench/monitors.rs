//! `cargo xtask bench monitors`: one full evaluation cycle of 10,000 metric monitors over 1,000
//! series (issue target: under 60 s on the 2-core machine, aim under 10 s).
//!
//! The work is in `crates/dogwatch-server/examples/bench_monitors.rs`, which drives the server's
//! own `evaluator::run_cycle` on a temporary store; this side builds it with the `server` profile
//! (optimised, as `cargo xtask build` builds the binary) and runs it. The first cycle creates every
//! group; the second is the steady state.

use crate::{Result, cmd, run, step};

const USAGE: &str = "usage: cargo xtask bench monitors [--monitors N] [--series N] [--cycles N]   (defaults 10000, 1000, 2)";

pub fn main(args: &[String]) -> Result {
    let mut rest = args.iter();
    let mut pass = Vec::new();
    while let Some(a) = rest.next() {
        match a.as_str() {
            "--monitors" | "--series" | "--cycles" => {
                let n = rest
                    .next()
                    .filter(|n| n.parse::<usize>().is_ok_and(|n| n >= 1))
                    .ok_or(USAGE)?;
                pass.push(a.clone());
                pass.push(n.clone());
            }
            _ => return Err(format!("unknown argument `{a}`\n{USAGE}")),
        }
    }
    step("bench monitors: build the evaluator benchmark (profile `server`)");
    run(cmd("cargo").args([
        "build",
        "--profile",
        "server",
        "-p",
        "dogwatch-server",
        "--example",
        "bench_monitors",
    ]))?;
    step("bench monitors: evaluate every monitor (one line per cycle)");
    run(cmd("target/server/examples/bench_monitors").args(&pass))
}
