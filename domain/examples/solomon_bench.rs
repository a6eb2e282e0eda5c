//! Solomon VRPTW benchmark: runs the dispatch solver on every instance with a time budget,
//! checks each plan with the independent validator, and prints vehicles, distance, the
//! best known solution (hierarchical: vehicles, then distance), the gap and the time.
//! With `--ortools FILE` it also validates OR-Tools' routes (written by
//! `benchmarks/solomon/ortools_vrptw.py`) and prints both side by side with the means.
//!
//! ```text
//! cargo run --release -p hagukumi-domain --example solomon_bench -- \
//!     [--dir ../shared/benchmarks/solomon] [--time 1.0] [--seed 1] [--only C101,R101] \
//!     [--ortools /tmp/hagukumi-solomon/ortools.json]
//! ```
//!
//! Gap = (distance − best known distance) / best known distance, against `BKS.json`'s
//! hierarchical entry `NAME`; a plan with more vehicles than the best known is worse
//! whatever its gap says, so the vehicle columns come first.

use std::collections::BTreeMap;
use std::time::Instant;

use hagukumi_domain::dispatch::{Budget, Plan, Settings, solomon, solve, validate};

struct Args {
    dir: String,
    time: f64,
    seed: u64,
    only: Option<Vec<String>>,
    ortools: Option<String>,
    settings: Settings,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        dir: "../shared/benchmarks/solomon".into(),
        time: 1.0,
        seed: 1,
        only: None,
        ortools: None,
        settings: Settings::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--dir" => a.dir = value()?,
            "--time" => a.time = value()?.parse().map_err(|e| format!("--time: {e}"))?,
            "--seed" => a.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--only" => a.only = Some(value()?.split(',').map(str::to_string).collect()),
            "--ortools" => a.ortools = Some(value()?),
            // Tuning knobs, for experiments; the defaults are the library's.
            "--t0" => a.settings.temp_start = value()?.parse().map_err(|e| format!("--t0: {e}"))?,
            "--t1" => a.settings.temp_end = value()?.parse().map_err(|e| format!("--t1: {e}"))?,
            "--fleet-share" => {
                a.settings.fleet_share = value()?
                    .parse()
                    .map_err(|e| format!("--fleet-share: {e}"))?
            }
            "--removed" => {
                a.settings.mean_removed = value()?.parse().map_err(|e| format!("--removed: {e}"))?
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

/// One solver's result on one instance.
struct Row {
    vehicles: usize,
    distance: f64,
    secs: f64,
    valid: bool,
}

fn fmt_row(r: Option<&Row>, bks: f64) -> String {
    match r {
        Some(r) => format!(
            "{:>4} {:>9.2} {:>7.2} {:>6.2} {:>5}",
            r.vehicles,
            r.distance,
            100.0 * (r.distance - bks) / bks,
            r.secs,
            if r.valid { "ok" } else { "FAIL" }
        ),
        None => format!("{:>4} {:>9} {:>7} {:>6} {:>5}", "-", "-", "-", "-", "-"),
    }
}

fn main() -> Result<(), String> {
    let args = parse_args()?;
    let bks_text = std::fs::read_to_string(format!("{}/BKS.json", args.dir))
        .map_err(|e| format!("BKS.json: {e}"))?;
    let bks: serde_json::Value =
        serde_json::from_str(&bks_text).map_err(|e| format!("BKS.json: {e}"))?;
    let ortools: Option<serde_json::Value> = match &args.ortools {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            Some(serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?)
        }
        None => None,
    };
    let mut names: Vec<String> = std::fs::read_dir(&args.dir)
        .map_err(|e| format!("{}: {e}", args.dir))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".txt"))
                .map(str::to_string)
        })
        .collect();
    names.sort();
    if let Some(only) = &args.only {
        names.retain(|n| only.contains(n));
    }
    println!(
        "{:8} {:>4} {:>9} | {:>4} {:>9} {:>7} {:>6} {:>5} | {:>4} {:>9} {:>7} {:>6} {:>5}",
        "instance",
        "BKSv",
        "BKS dist",
        "ours",
        "distance",
        "gap%",
        "secs",
        "valid",
        "ORT",
        "distance",
        "gap%",
        "secs",
        "valid"
    );
    let mut sums: BTreeMap<&str, (f64, f64, f64, f64, usize, usize)> = BTreeMap::new();
    let mut both_valid = 0usize;
    let mut paired: (f64, f64, f64, f64) = (0.0, 0.0, 0.0, 0.0);
    for name in &names {
        let text = std::fs::read_to_string(format!("{}/{name}.txt", args.dir))
            .map_err(|e| format!("{name}: {e}"))?;
        let inst = solomon::parse(&text).map_err(|e| format!("{name}: {e}"))?;
        let problem = inst.to_problem();
        let (bks_v, bks_d) = match bks.get(name) {
            Some(b) => (
                b["solved_with_vehicles"].as_u64().unwrap_or(0) as usize,
                b["best_known_cost"].as_f64().unwrap_or(f64::NAN),
            ),
            None => (0, f64::NAN),
        };
        let t0 = Instant::now();
        let limit = args.time;
        let progress = move |_: u64| t0.elapsed().as_secs_f64() / limit;
        let settings = Settings {
            seed: args.seed,
            ..Settings::default()
        };
        let plan = solve(&problem, &settings, Budget::Custom(&progress))
            .map_err(|e| format!("{name}: {e}"))?;
        let secs = t0.elapsed().as_secs_f64();
        let ours = match validate(&problem, &plan) {
            Ok(r) => Row {
                vehicles: r.vehicles_used,
                distance: r.distance,
                secs,
                valid: r.unassigned == 0,
            },
            Err(v) => {
                eprintln!("{name}: our plan is INVALID: {:?}", &v[..v.len().min(3)]);
                Row {
                    vehicles: plan.vehicles_used(),
                    distance: f64::NAN,
                    secs,
                    valid: false,
                }
            }
        };
        let ort = ortools.as_ref().and_then(|o| o.get(name)).map(|o| {
            // OR-Tools routes list Solomon customer numbers (1..=100); visits are 0-based.
            let mut routes: Vec<Vec<usize>> = o["routes"]
                .as_array()
                .map(|rs| {
                    rs.iter()
                        .map(|r| {
                            r.as_array()
                                .map(|c| {
                                    c.iter()
                                        .filter_map(|x| x.as_u64())
                                        .map(|x| x as usize - 1)
                                        .collect()
                                })
                                .unwrap_or_default()
                        })
                        .collect()
                })
                .unwrap_or_default();
            routes.resize(problem.vehicles.len(), Vec::new());
            let secs = o["seconds"].as_f64().unwrap_or(f64::NAN);
            let plan = Plan {
                routes,
                unassigned: Vec::new(),
            };
            match validate(&problem, &plan) {
                Ok(r) => Row {
                    vehicles: r.vehicles_used,
                    distance: r.distance,
                    secs,
                    valid: true,
                },
                Err(v) => {
                    eprintln!(
                        "{name}: OR-Tools plan is INVALID: {:?}",
                        &v[..v.len().min(3)]
                    );
                    Row {
                        vehicles: plan.vehicles_used(),
                        distance: f64::NAN,
                        secs,
                        valid: false,
                    }
                }
            }
        });
        println!(
            "{name:8} {bks_v:>4} {bks_d:>9.2} | {} | {}",
            fmt_row(Some(&ours), bks_d),
            fmt_row(ort.as_ref(), bks_d)
        );
        for (label, row) in [("ours", Some(&ours)), ("OR-Tools", ort.as_ref())] {
            if let Some(r) = row.filter(|r| r.valid) {
                let e = sums.entry(label).or_default();
                e.0 += r.vehicles as f64;
                e.1 += r.distance;
                e.2 += 100.0 * (r.distance - bks_d) / bks_d;
                e.3 += r.secs;
                e.4 += 1;
                e.5 += usize::from(r.vehicles <= bks_v);
            }
        }
        if let Some(o) = ort.as_ref().filter(|o| o.valid && ours.valid) {
            both_valid += 1;
            paired.0 += ours.vehicles as f64 - o.vehicles as f64;
            paired.1 += 100.0 * (ours.distance - bks_d) / bks_d;
            paired.2 += 100.0 * (o.distance - bks_d) / bks_d;
            paired.3 += f64::from(u8::from(
                (ours.vehicles, ours.distance) <= (o.vehicles, o.distance + 1e-9),
            ));
        }
    }
    println!();
    for (label, (v, d, g, s, n, at_bks)) in &sums {
        let n_f = (*n).max(1) as f64;
        println!(
            "mean {label:9} over {n:2} valid: vehicles {:.2}  distance {:.2}  gap {:.2}%  time {:.2}s  (vehicles = BKS on {at_bks})",
            v / n_f,
            d / n_f,
            g / n_f,
            s / n_f
        );
    }
    if both_valid > 0 {
        let n = both_valid as f64;
        println!(
            "paired over {both_valid}: ours − OR-Tools vehicles {:+.2}; gap ours {:.2}% vs OR-Tools {:.2}%; ours at least as good (vehicles, then distance) on {}",
            paired.0 / n,
            paired.1 / n,
            paired.2 / n,
            paired.3
        );
    }
    Ok(())
}
