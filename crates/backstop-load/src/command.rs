//! `backstop-load run` from the command line: optionally start the server, run the load (or hold idle
//! connections), print the table, write the JSON report, and end with one JSON line.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use crate::{server, Options};

/// The command's settings (parsed by the binary).
#[derive(Clone, Debug)]
pub struct Args {
    pub options: Options,
    /// Start `backstop demo` as a child on a free port and load it.
    pub spawn: Option<server::SpawnOptions>,
    /// Hold this many idle connections instead of chatting.
    pub idle: Option<usize>,
    pub hold: Duration,
    pub report: Option<PathBuf>,
}

pub async fn run(mut args: Args) -> anyhow::Result<()> {
    let spawned = match &args.spawn {
        Some(s) => {
            eprintln!("starting a demo server (the first start embeds the knowledge base)…");
            let sp = server::spawn(s).await?;
            eprintln!("server pid {} at {}", sp.pid, sp.base);
            args.options.base = sp.base.clone();
            args.options.server_pid = Some(sp.pid);
            Some(sp)
        }
        None => None,
    };
    let json = if let Some(n) = args.idle {
        let r = crate::idle(&args.options, n, args.hold).await?;
        print_rows(&[
            (
                "connections".into(),
                format!("{} of {} ({} errors)", r.connected, r.requested, r.errors),
            ),
            ("connect time".into(), format!("{:.2} s", r.connect_seconds)),
            (
                "server RSS".into(),
                match (r.server_rss_mib_before, r.server_rss_mib_after) {
                    (Some(b), Some(a)) => format!("{b} → {a} MiB after {} s held", r.held_seconds),
                    _ => "unknown (give --server-pid or use --spawn)".into(),
                },
            ),
            (
                "per connection".into(),
                r.server_kib_per_connection
                    .map_or("unknown".into(), |k| format!("{k} KiB")),
            ),
        ]);
        serde_json::to_value(&r)?
    } else {
        let r = crate::run(&args.options).await?;
        print_rows(&crate::table(&r));
        serde_json::to_value(&r)?
    };
    if let Some(path) = &args.report {
        std::fs::write(path, serde_json::to_string_pretty(&json)? + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("report written to {}", path.display());
    }
    println!("{json}");
    drop(spawned);
    Ok(())
}

fn print_rows(rows: &[(String, String)]) {
    let width = rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    for (k, v) in rows {
        println!("{k:<width$}  {v}");
    }
}
