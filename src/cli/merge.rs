//! `nines merge`: a sharded sweep's shard files into exactly the files one
//! unsharded `nines sweep` would have written.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use nines::experiment::sweep::{ShardResults, merge, read_shard_csv, rows};

use super::CliError;
use super::limits::{LimitArgs, check_seeds};
use super::output::write_files;
use super::sweep::{ShardHeader, check_points, rows_text, sweep_files};

/// Combines the shards of `nines sweep --shard I/N` into `sweep.csv` and
/// the charts, byte for byte what the sweep unsharded gives. Every shard,
/// 0 to N − 1, must be there, once, from the same scenario, settings and
/// seeds.
///
/// Examples:
///   nines merge shards/0 shards/1 shards/2 --out sweep/
///   nines merge shards/*/shard-*.json --out sweep/
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct MergeArgs {
    /// Shard directories (every `shard-I-of-N.json` in them) or shard
    /// `.json` files.
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Where `sweep.csv` and the charts go (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    limits: LimitArgs,
}

pub fn execute(args: MergeArgs) -> Result<ExitCode, CliError> {
    let mut headers = Vec::new();
    for path in &args.shards {
        headers.extend(shard_headers(path)?);
    }
    let shards = headers
        .iter()
        .map(|h| read_shard(h))
        .collect::<Result<Vec<_>, _>>()?;
    // A shard file's plan is input like any other: held to the same limits.
    let limits = args.limits.limits();
    for shard in &shards {
        check_points(&shard.plan.vary, &limits)?;
        if shard.plan.seeds == 0 {
            return Err(CliError::Usage(format!(
                "{}: a plan of 0 seeds",
                shard.source
            )));
        }
        check_seeds(shard.plan.seeds, &limits)?;
    }
    let (plan, figures) = merge(shards).map_err(|e| CliError::Usage(e.to_string()))?;
    let rows = rows(&plan, &figures);
    out!("{}", rows_text(&plan, &rows));
    write_files(&args.out, &sweep_files(&plan, &rows)?)?;
    Ok(ExitCode::SUCCESS)
}

/// The shard headers a path names: itself, or those in the directory.
fn shard_headers(path: &Path) -> Result<Vec<PathBuf>, CliError> {
    let read_error = |source| CliError::Read {
        path: path.display().to_string(),
        source,
    };
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(read_error)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("shard-") && n.ends_with(".json"))
        })
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(CliError::Usage(format!(
            "`{}` holds no shard-I-of-N.json: is it a `nines sweep --shard` output?",
            path.display()
        )));
    }
    Ok(found)
}

fn read_shard(header: &Path) -> Result<ShardResults, CliError> {
    let source = header.display().to_string();
    let read = |path: &Path| {
        std::fs::read(path).map_err(|source| CliError::Read {
            path: path.display().to_string(),
            source,
        })
    };
    let parsed: ShardHeader = serde_json::from_slice(&read(header)?)
        .map_err(|e| CliError::Usage(format!("{source}: not a shard header: {e}")))?;
    let csv_path = header.with_extension("csv");
    let results = read_shard_csv(read(&csv_path)?.as_slice())
        .map_err(|e| CliError::Usage(format!("{}: {e}", csv_path.display())))?;
    Ok(ShardResults {
        source,
        plan: parsed.plan,
        shard: parsed.shard,
        results,
    })
}
